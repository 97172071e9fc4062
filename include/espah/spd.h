/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security Policy Database: per-netns, per-direction, ordered by priority.
 */
#ifndef _ESPAH_SPD_H
#define _ESPAH_SPD_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rcupdate.h>

#include <espah/hold.h>
#include <espah/sa.h>

#define ESPAH_MAX_TMPL 2

/**
 * struct espah_tmpl - how a protect policy finds its SA
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @mode: enum espah_mode
 * @family: family of @src/@dst (tunnel mode)
 * @src: tunnel source (tunnel mode)
 * @dst: tunnel destination (tunnel mode)
 * @reqid: 0 = any
 * @spi: 0 = any
 * @optional: ip xfrm's "level use" (ESPAH_TMPL_OPTIONAL): outbound, skipped
 *	when its SA is missing; inbound, not required
 */
struct espah_tmpl {
	u8 proto;
	u8 mode;
	u16 family;
	union espah_addr src;
	union espah_addr dst;
	u32 reqid;
	__be32 spi;
	bool optional;
};

/**
 * struct espah_policy - one SPD entry
 * @list: in the per-netns, per-direction list, by ascending @priority
 * @rcu: deferred free
 * @dir: enum espah_dir
 * @sel: what traffic it covers
 * @action: enum espah_action
 * @priority: lower wins
 * @flags: ESPAH_POL_FLAG_*
 * @index: kernel-assigned, unique per netns
 * @ntmpl: templates in use (protect only)
 * @tmpl: templates, innermost first
 * @acq_last: jiffies of the last acquire event (0 = none); the only field
 *	the datapath writes (espah_acquire())
 * @hold_max: packets held while no SA is usable (ESPAH_A_POL_HOLD), 0 = none
 * @hold: the packets held (net/hold.c); set up by espah_spd_insert()
 * @xp: the native policy this one carries (net/xfrm/), referenced, or NULL
 * @xfrm: enum espah_pol_origin: espah's own, carried for native XFRM, or
 *	left behind when the namespace was detached from it
 * @xmark: mark condition (ip xfrm's mark): only packets whose mark
 *	satisfies it fall under the policy; with the selector, the
 *	direction and @if_id, what tells a policy from another
 * @if_id: 0, or the if_id of the native xfrm interface whose packets
 *	(routed into it, received on it) it covers; it covers no other
 */
struct xfrm_policy;

struct espah_policy {
	struct list_head list;
	struct rcu_head rcu;
	u8 dir;
	struct espah_sel sel;
	u8 action;
	u32 priority;
	u32 flags;
	u32 index;
	u8 ntmpl;
	struct espah_tmpl tmpl[ESPAH_MAX_TMPL];
	atomic_long_t acq_last;
	u32 hold_max;
	struct espah_hold hold;
	struct xfrm_policy *xp;
	u8 xfrm;
	struct espah_fwmark xmark;
	u32 if_id;
};

/**
 * struct espah_flow - the fields of a packet a selector looks at
 * @family: AF_INET or AF_INET6
 * @src: source address
 * @dst: destination address
 * @proto: upper-layer protocol
 * @sport: source port or ICMP type (network order)
 * @dport: destination port or ICMP code (network order)
 * @mark: the packet's mark (skb->mark), for policies' mark conditions
 * @if_id: the if_id of the xfrm interface the packet was routed into or
 *	received on (net/xfrmi.c), 0 for any other
 */
struct espah_flow {
	u16 family;
	union espah_addr src;
	union espah_addr dst;
	u8 proto;
	__be16 sport;
	__be16 dport;
	u32 mark;
	u32 if_id;
};

/**
 * struct espah_spd - one namespace's SPD (embedded in struct espah_net)
 * @lock: serialises all writers of the fields below
 * @pol: per direction (enum espah_dir), by ascending priority, ties in
 *	insertion order; RCU readers
 * @count: policies in all lists
 * @gen: bumped on every change, for NLM_F_DUMP_INTR
 * @next_index: last index handed out
 * @wrapped: @next_index went round: new indexes must be checked for reuse
 */
struct espah_spd {
	struct mutex lock; /* protects pol writers, count, gen, next_index */
	struct list_head pol[ESPAH_DIR_FWD + 1];
	u32 count;
	u32 gen;
	u32 next_index;
	bool wrapped;
};

/**
 * struct espah_spd_walk - a resumable walk over the SPD (netlink dumps)
 * @dir: list being walked
 * @pos: policies of @dir already visited
 * @gen: &espah_spd.gen seen by the last step
 */
struct espah_spd_walk {
	u8 dir;
	unsigned long pos;
	u32 gen;
};

struct net;
struct netlink_ext_ack;

bool espah_sel_match(const struct espah_sel *sel, const struct espah_flow *fl);
bool espah_sel_equal(const struct espah_sel *a, const struct espah_sel *b);
/* Under rcu_read_lock(): the best-priority matching policy, or NULL. */
const struct espah_policy *espah_spd_lookup(struct net *net, u8 dir,
					    const struct espah_flow *fl);
const struct espah_policy *espah_spd_find_rcu(struct net *net, u8 dir,
					      const struct espah_sel *sel,
					      const struct espah_fwmark *xmark,
					      u32 if_id, u32 index);
int espah_spd_insert(struct net *net, struct espah_policy *pol, bool update,
		     u32 *index, struct netlink_ext_ack *extack);
struct espah_policy *espah_spd_unlink(struct net *net, u8 dir,
				      const struct espah_sel *sel,
				      const struct espah_fwmark *xmark,
				      u32 if_id, u32 index);
bool espah_spd_if_id_used(struct net *net, u32 if_id);
void espah_policy_free(struct espah_policy *pol);
unsigned int espah_spd_flush(struct net *net, bool carried);
u32 espah_spd_count(struct net *net);
int espah_spd_walk(struct net *net, struct espah_spd_walk *w,
		   int (*fn)(const struct espah_policy *pol, void *arg),
		   void *arg);
int espah_spd_net_init(struct net *net);
void espah_spd_net_exit(struct net *net);

#endif /* _ESPAH_SPD_H */
