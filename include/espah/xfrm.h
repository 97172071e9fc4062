/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xfrm bridge: espah carries the SAs and policies that ip xfrm or an
 * IKE daemon installs through NETLINK_XFRM, when they carry the namespace's
 * tag (net/xfrm/). Its pieces:
 *   net/xfrm/km.c         the key manager: what native XFRM tells us, and
 *                         attach/detach of a namespace
 *   net/xfrm/translate.c  struct xfrm_state/xfrm_policy -> espah's, or why not
 *   net/xfrm/sync.c       what flows back: sequence numbers, counters, use
 *                         time, lifetimes, acquires
 */
#ifndef _ESPAH_XFRM_H
#define _ESPAH_XFRM_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/xfrm.h>

#include <espah/sa.h>
#include <espah/spd.h>

/* How many retired outbound SAs keep their last sequence number (below). */
#define ESPAH_XFRM_TOMBS	64

/**
 * struct espah_xfrm_tomb - the last sequence number of a retired bridged
 * outbound SA, so that the same SA added again (a daemon's delete + add
 * with the replay state it read a moment before) never numbers a packet
 * twice under the same key, whatever was sent in between
 * @family: outer family
 * @dst: outer destination
 * @spi: SPI
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @oseq: last sequence number sent
 * @seq: inbound: highest sequence number seen
 * @when: jiffies of retirement (0: unused slot)
 */
struct espah_xfrm_tomb {
	u16 family;
	union espah_addr dst;
	__be32 spi;
	u8 proto;
	u64 oseq;
	u64 seq;
	unsigned long when;
};

/**
 * struct espah_xfrm_net - one namespace's bridge (in struct espah_net)
 * @lock: serialises attach, detach and the event work; protects the
 *	fields below but @attached, @tag_* (also read under RCU) and @events
 * @attached: the namespace is attached (READ_ONCE in the key manager)
 * @if_id: the tag: SAs and policies with this if_id are espah's
 * @mark: with @mask: and, if @mask is not 0, whose (mark & @mask) == @mark
 * @mask: see @mark
 * @ev_lock: protects @events and @resync
 * @events: what the key manager saw, for @ev_work, in order
 * @resync: an event was lost (no memory): @ev_work reconciles everything
 * @ev_work: processes @events (crypto allocation sleeps)
 * @sync_work: every second: counters and use time back to native XFRM
 * @pols: native policy index -> espah policy index of the bridged policies
 * @tombs: recently retired bridged SAs (ring)
 * @tomb_next: next slot of @tombs
 * @nsas: bridged SAs
 * @npols: bridged policies
 * @dying: the namespace is going: no work may be queued
 */
struct espah_xfrm_net {
	struct mutex lock; /* see above */
	bool attached;
	u32 if_id;
	u32 mark;
	u32 mask;
	spinlock_t ev_lock; /* protects events, resync */
	struct list_head events;
	bool resync;
	struct work_struct ev_work;
	struct delayed_work sync_work;
	struct xarray pols;
	struct espah_xfrm_tomb tombs[ESPAH_XFRM_TOMBS];
	unsigned int tomb_next;
	u32 nsas;
	u32 npols;
	bool dying;
};

struct espah_alg_cfg;
struct espah_flow;
struct netlink_ext_ack;

/* net/xfrm/km.c */
void espah_xfrm_module_init(void);
void espah_xfrm_module_exit(void);
void espah_xfrm_net_init(struct net *net);
void espah_xfrm_net_exit(struct net *net);
int espah_xfrm_attach(struct net *net, u32 if_id, u32 mark, u32 mask,
		      struct netlink_ext_ack *extack);
int espah_xfrm_detach(struct net *net, struct netlink_ext_ack *extack);
void espah_xfrm_get(struct net *net, u32 *if_id, u32 *mark, u32 *mask,
		    u32 *nsas, u32 *npols);
u32 espah_xfrm_tag(struct net *net);

/* net/xfrm/translate.c */
int espah_xfrm_sa_from_state(const struct xfrm_state *x, bool inbound,
			     struct espah_sa *sa, struct espah_alg_cfg *cfg,
			     u64 *seq, u64 *oseq, const char **why);
int espah_xfrm_pol_from_native(const struct xfrm_policy *xp, int dir,
			       struct espah_policy *pol, const char **why);

/* net/xfrm/sync.c */
void espah_xfrm_sync_work(struct work_struct *work);
void espah_xfrm_sync_now(struct net *net, bool retire);
void espah_xfrm_retire(struct net *net, struct espah_sa *sa);
void espah_xfrm_revive(struct net *net, struct espah_sa *sa, u64 *seq,
		       u64 *oseq);
void espah_xfrm_acquire(struct net *net, const struct espah_policy *pol,
			const struct espah_tmpl *t,
			const struct espah_flow *fl);
void espah_xfrm_mapping(struct xfrm_state *x, u16 family,
			const struct espah_natt_src *src);

/**
 * espah_xfrm_oseq() - tell the native SA the sequence number just taken
 * @x: the native SA of a bridged outbound SA
 * @seq: the number
 *
 * So that what a daemon reads back (GETSA, before re-adding the SA after a
 * NAT mapping or MOBIKE change) is never behind what was sent.
 * Context: under the espah SA's lock.
 */
static inline void espah_xfrm_oseq(struct xfrm_state *x, u64 seq)
{
	if (x->replay_esn) {
		WRITE_ONCE(x->replay_esn->oseq, lower_32_bits(seq));
		WRITE_ONCE(x->replay_esn->oseq_hi, upper_32_bits(seq));
	} else {
		WRITE_ONCE(x->replay.oseq, lower_32_bits(seq));
	}
}

/**
 * espah_xfrm_pol_used() - a bridged policy carried a packet
 * @xp: its native policy
 *
 * Daemons read curlft.use_time to see traffic (dead peer detection);
 * native XFRM sets it on every lookup. Written only when it changes.
 * Context: datapath.
 */
static inline void espah_xfrm_pol_used(struct xfrm_policy *xp)
{
	time64_t now = ktime_get_real_seconds();

	if (READ_ONCE(xp->curlft.use_time) != now)
		WRITE_ONCE(xp->curlft.use_time, now);
}

#endif /* _ESPAH_XFRM_H */
