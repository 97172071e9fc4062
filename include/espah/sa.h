/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security Association Database: per-netns tables, RCU lookup, refcounts.
 */
#ifndef _ESPAH_SA_H
#define _ESPAH_SA_H

#include <linux/in6.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <uapi/linux/espah.h>

#include <espah/crypto.h>
#include <espah/natt.h>
#include <espah/replay.h>

/** union espah_addr - an IPv4 or IPv6 address */
union espah_addr {
	__be32 a4;
	struct in6_addr a6;
};

/**
 * struct espah_sel - traffic selector (ports in network order)
 * @src: source prefix
 * @dst: destination prefix
 * @family: AF_INET or AF_INET6
 * @splen: source prefix length
 * @dplen: destination prefix length
 * @proto: upper-layer protocol, 0 = any
 * @sport: first source port (ICMP type)
 * @sport_max: last source port
 * @dport: first destination port (ICMP code)
 * @dport_max: last destination port
 */
struct espah_sel {
	union espah_addr src;
	union espah_addr dst;
	u16 family;
	u8 splen;
	u8 dplen;
	u8 proto;
	__be16 sport;
	__be16 sport_max;
	__be16 dport;
	__be16 dport_max;
};

/**
 * struct espah_fwmark - a packet mark condition or rewrite (ip xfrm's
 *	mark V/M and output-mark V/M); {0, 0}: any mark, no rewrite
 * @v: value
 * @m: mask
 */
struct espah_fwmark {
	u32 v;
	u32 m;
};

/**
 * espah_fwmark_match() - does a packet mark satisfy a mark condition
 * @c: the condition
 * @mark: skb->mark (or a policy's mark value, for an SA's condition)
 *
 * Return: (@mark & mask) == value, as native XFRM's marks.
 */
static inline bool espah_fwmark_match(const struct espah_fwmark *c, u32 mark)
{
	return (mark & c->m) == c->v;
}

/**
 * espah_fwmark_apply() - a packet mark after an SA's output-mark
 * @o: the SA's output-mark ({0, 0}: none, @mark unchanged)
 * @mark: skb->mark before
 *
 * Return: the bits of @mark outside the mask, the value's inside it.
 */
static inline u32 espah_fwmark_apply(const struct espah_fwmark *o, u32 mark)
{
	return (mark & ~o->m) | (o->v & o->m);
}

/**
 * struct espah_sa_stats - per-CPU per-SA counters, indexed by enum espah_sa_stat
 * @syncp: 64-bit consistency on 32-bit hosts
 * @v: the counters
 */
struct espah_sa_stats {
	struct u64_stats_sync syncp;
	u64_stats_t v[ESPAH_SA_STAT_MAX + 1];
};

/**
 * struct espah_lft - an SA's lifetime limits, 0 = no limit
 * @soft_bytes: soft byte limit
 * @hard_bytes: hard byte limit
 * @soft_packets: soft packet limit
 * @hard_packets: hard packet limit
 * @soft_add: soft limit, seconds after the SA was added
 * @hard_add: hard limit, seconds after the SA was added
 * @soft_use: soft limit, seconds after the SA's first packet
 * @hard_use: hard limit, seconds after the SA's first packet
 * @seq_soft: OUT SAs: soft expire with this many sequence numbers left
 */
struct espah_lft {
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
	u64 soft_add;
	u64 hard_add;
	u64 soft_use;
	u64 hard_use;
	u64 seq_soft;
};

/* Lifetime events, a bit per (soft or hard, enum espah_expire_reason). */
#define ESPAH_LFT_SOFT(reason)	BIT(reason)
#define ESPAH_LFT_HARD(reason)	BIT(8 + (reason))
#define ESPAH_LFT_SOFT_MASK	0xffUL
#define ESPAH_LFT_HARD_MASK	0xff00UL

/**
 * struct espah_sa - one Security Association
 * @hnode: in the per-netns hash by (spi, proto, family, dst); several SAs
 *	of one key differ by @xmark
 * @onode: OUT SAs only: in the per-netns outbound hash by
 *	(proto, family, src, dst), for espah_sa_find_out()
 * @list: in the per-netns list of all SAs, in insertion order (dump, flush)
 * @free_work: deferred free: after an RCU grace period, in process context
 *	(freeing a transform may sleep)
 * @ref: references (the table holds one)
 * @spi: SPI, network order
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @mode: enum espah_mode
 * @dir: ESPAH_DIR_IN or ESPAH_DIR_OUT
 * @family: outer address family
 * @src: outer source
 * @dst: outer destination
 * @sel: inner selector (family 0: any)
 * @reqid: binds the SA to policy templates
 * @flags: ESPAH_SA_FLAG_*
 * @window: configured anti-replay window size
 * @crypto: the transform
 * @lock: protects @oseq and @replay
 * @oseq: outbound: last sequence number sent (64 bits)
 * @replay: inbound: anti-replay window, NULL for outbound SAs
 * @mark: inbound: the sec_path entry of the packets it decapsulates
 *	(net/secpath.c), taken when the SA is inserted
 * @dead: unlinked; the datapath must not use it for new packets
 * @aead: configured as a combined-mode algorithm (ESPAH_A_SA_AEAD)
 * @serial: insertion order in the namespace, higher is newer (rekey choice)
 * @add_time: ktime_get_real_seconds() at add
 * @stats: per-CPU counters
 * @lft: lifetime limits
 * @add_ns: ktime_get_boottime_ns() at add (time limits)
 * @use_ns: ktime_get_boottime_ns() of the first packet, 0 = unused
 * @lft_packets: packets counted against @lft (only if it has count limits)
 * @lft_bytes: bytes counted against @lft (only if it has count limits)
 * @lft_events: ESPAH_LFT_* events raised and not yet reported; the datapath
 *	sets bits, the SAD's lifetime work reports them
 * @lft_soft_done: the soft expire was reported (SAD mutex)
 * @dst_cache: outbound tunnel SAs: the route to @dst, per CPU (unused,
 *	.cache NULL, for the others)
 * @net: the namespace whose SAD it was inserted in (its drops also count in
 *	the namespace's totals); unset before espah_sa_insert()
 * @xs: the native SA this one carries (net/xfrm/), referenced, or NULL
 *	for SAs keyed through espah's own netlink family
 * @xs_packets: packets already added to @xs's counters (net/xfrm/sync.c)
 * @xs_bytes: bytes already added to @xs's counters
 * @encap: UDP encapsulation (ESP in UDP), type 0: none
 * @keys: a copy of the keys, for ESPAH_A_SA_KEYS, or NULL (the default:
 *	the keys then live only in the transform); set before publication
 * @key_id: a keyed hash of the keys (siphash, random key per module
 *	load): tells a re-added SA under the same keys (its tombstone)
 * @encap: UDP encapsulation (ESP in UDP), type 0: none; inbound SAs with
 *	ESPAH_SA_FLAG_NATT_UPDATE change @encap.sport (outbound ones
 *	@encap.dport) in place, under @lock, read locklessly
 * @natt_event: jiffies of the last mapping event (net/natt_map.c)
 * @natt_tx: outbound SAs with keepalives: jiffies of the last packet sent
 * @ka_node: in &espah_sad.ka_list if the SA sends keepalives
 *	(espah_sa_keepalive())
 * @df: tunnel mode, IPv4 outer: enum espah_df
 * @dscp: tunnel mode: the outer DSCP, or %ESPAH_TUNHDR_DSCP_COPY
 *	(net/tunhdr.c)
 * @tfcpad: tunnel-mode ESP, outbound: TFC padding target, 0 = none
 * @xmark: the mark condition (ip xfrm's mark): inbound, the packets it is
 *	found for; outbound, the policies whose mark it serves
 * @omark: output-mark: the mark of the packets it makes (the ESP packet,
 *	before its route lookup; inbound, the decapsulated packet)
 * @if_id: 0, or the if_id of the native xfrm interface it serves
 *	(net/xfrmi.c): outbound, only policies of that if_id take it;
 *	inbound, its packets are received on that interface
 * @dummy: outbound tunnel-mode ESP: dummy packets (net/dummy.c), or NULL
 */
struct xfrm_state;
/**
 * struct espah_dummy - the dummy packet state of one SA (&espah_sa.dummy;
 *	RFC 4303 2.6, net/dummy.c)
 * @timer: fires when the SA may have been idle for @ival (softirq mode;
 *	its function is net/dummy.c's, set by espah_dummy_alloc())
 * @sa: the SA it belongs to (no reference: the timer runs only while the
 *	SAD holds one)
 * @ival: 1/rate, in nanoseconds
 * @last_tx: ktime_get_ns() when the SA last took a sequence number;
 *	written by the datapath, read locklessly by @timer
 * @rate: packets a second (ESPAH_A_SA_DUMMY_RATE)
 */
struct espah_dummy {
	struct hrtimer timer;
	struct espah_sa *sa;
	u64 ival;
	u64 last_tx;
	u32 rate;
};

struct espah_sa {
	struct rhlist_head hnode;
	struct rhlist_head onode;
	struct list_head list;
	struct rcu_work free_work;
	refcount_t ref;
	__be32 spi;
	u8 proto;
	u8 mode;
	u8 dir;
	u16 family;
	union espah_addr src;
	union espah_addr dst;
	struct espah_sel sel;
	u32 reqid;
	u32 flags;
	u32 window;
	struct espah_crypto crypto;
	spinlock_t lock; /* protects oseq, replay */
	u64 oseq;
	struct espah_replay *replay;
	struct espah_mark *mark;
	bool dead;
	bool aead;
	u64 serial;
	time64_t add_time;
	struct espah_sa_stats __percpu *stats;
	struct espah_lft lft;
	u64 add_ns;
	atomic64_t use_ns;
	atomic64_t lft_packets;
	atomic64_t lft_bytes;
	atomic_long_t lft_events;
	bool lft_soft_done;
	struct dst_cache dst_cache;
	possible_net_t net;
	struct xfrm_state *xs;
	u64 xs_packets;
	u64 xs_bytes;
	struct espah_encap encap;
	struct espah_sa_keys *keys;
	u64 key_id;
	unsigned long natt_event;
	unsigned long natt_tx;
	struct list_head ka_node;
	u8 df;
	u8 dscp;
	u32 tfcpad;
	struct espah_fwmark xmark;
	struct espah_fwmark omark;
	u32 if_id;
	struct espah_dummy *dummy;
};

/**
 * struct espah_sad - one namespace's SAD (embedded in struct espah_net)
 * @lock: serialises all writers of the fields below and of the SAs' links
 * @hash: every SA, by (spi, proto, family, dst), duplicates of other
 *	marks allowed; RCU readers
 * @out: OUT SAs, by (proto, family, src, dst), duplicates allowed; RCU readers
 * @list: every SA in insertion order; RCU readers or @lock
 * @count: SAs in the tables
 * @replay_bytes: memory of their replay windows (the max_replay_kb limit)
 * @gen: bumped on every change, for NLM_F_DUMP_INTR
 * @serial: last &espah_sa.serial handed out
 * @lft_work: reports lifetime events and enforces time limits; runs when
 *	kicked and at the next time deadline of any SA
 * @dying: the namespace is going: @lft_work must not be queued again
 * @natt: local UDP ports of the inbound SAs with encapsulation
 * @tombs: recently deleted outbound SAs of espah's own family (ring; the
 *	xfrm bridge keeps its own for carried SAs, net/xfrm/sync.c)
 * @tomb_next: next slot of @tombs
 * @ka_list: the SAs that send NAT keepalives (&espah_sa.ka_node)
 * @ka_work: sends them (net/natt_keepalive.c)
 */
/* How many deleted outbound SAs keep their last sequence number (below). */
#define ESPAH_SA_TOMBS	64

/**
 * struct espah_sa_tomb - the last sequence number of a deleted outbound SA,
 *	so that the same SA added again soon after (a batch file or a key
 *	manager restoring it with the replay-oseq it read or saved earlier)
 *	never numbers a packet twice under its key
 * @family: outer family
 * @dst: outer destination
 * @spi: SPI
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @key_id: &espah_sa.key_id
 * @oseq: last sequence number sent
 * @when: jiffies of the deletion (0: unused slot)
 */
struct espah_sa_tomb {
	u16 family;
	union espah_addr dst;
	__be32 spi;
	u8 proto;
	u64 key_id;
	u64 oseq;
	unsigned long when;
};

struct espah_sad {
	struct mutex lock; /* protects hash/out/list writers, count, gen, serial, tombs */
	struct rhltable hash;
	struct rhltable out;
	struct list_head list;
	u32 count;
	size_t replay_bytes;
	u32 gen;
	u64 serial;
	struct delayed_work lft_work;
	bool dying;
	struct espah_natt_ports natt;
	struct espah_sa_tomb tombs[ESPAH_SA_TOMBS];
	unsigned int tomb_next;
	struct list_head ka_list;
	struct delayed_work ka_work;
};

/**
 * struct espah_sa_walk - a resumable walk over the SAD (netlink dumps)
 * @cursor: last SA visited, referenced, or NULL to start at the beginning
 * @pos: SAs visited so far (resume point if @cursor was deleted meanwhile)
 * @gen: &espah_sad.gen seen by the last step
 */
struct espah_sa_walk {
	struct espah_sa *cursor;
	unsigned long pos;
	u32 gen;
};

/* espah_sa_insert() flags */
#define ESPAH_SA_INS_UPDATE	BIT(0)	/* replace an SA with the same key */
#define ESPAH_SA_INS_KEEP_SEQ	BIT(1)	/* ... and carry its inbound top */
#define ESPAH_SA_INS_KEEP_OSEQ	BIT(2)	/* ... and its outbound sequence */

struct net;
struct netlink_ext_ack;
struct espah_tmpl;
struct xfrm_state;

/* Lookups return a referenced SA or NULL; drop it with espah_sa_put(). */
struct espah_sa *espah_sa_lookup(struct net *net, __be32 spi, u8 proto,
				 u16 family, const union espah_addr *dst,
				 u32 mark);
struct espah_sa *espah_sa_get(struct net *net, __be32 spi, u8 proto,
			      u16 family, const union espah_addr *dst,
			      u32 mark);
struct espah_sa *espah_sa_find_out(struct net *net, const struct espah_tmpl *t,
				   u16 family, const union espah_addr *src,
				   const union espah_addr *dst, u32 mark,
				   u32 if_id);
bool espah_sa_if_id_used(struct net *net, u32 if_id);
void espah_sa_hold(struct espah_sa *sa);
void espah_sa_put(struct espah_sa *sa);
void espah_sa_stat_inc(struct espah_sa *sa, enum espah_sa_stat s);
void espah_sa_stat_add(struct espah_sa *sa, enum espah_sa_stat s, u64 v);
void espah_sa_stats_sum(const struct espah_sa *sa, u64 *v);

/**
 * struct espah_sa_keys - the keys an SA was added with (key_export)
 * @enc_len: bytes of the ESP cipher or AEAD key (salt included) at @data
 * @auth_len: bytes of the integrity key, after them
 * @data: @enc_len + @auth_len bytes
 */
struct espah_sa_keys {
	u16 enc_len;
	u16 auth_len;
	u8 data[];
};

struct espah_sa *espah_sa_alloc(gfp_t gfp);
bool espah_sa_key_export(void);
int espah_sa_keep_keys(struct espah_sa *sa, const struct espah_alg_cfg *cfg);
int espah_sa_setup(struct espah_sa *sa, const struct espah_alg_cfg *cfg,
		   u64 seq, u64 oseq, struct netlink_ext_ack *extack);
int espah_sa_insert(struct net *net, struct espah_sa *sa, unsigned int flags,
		    struct netlink_ext_ack *extack);
struct espah_sa *espah_sa_unlink(struct net *net, __be32 spi, u8 proto,
				 u16 family, const union espah_addr *dst,
				 u32 mark);
unsigned int espah_sa_flush(struct net *net, u8 proto, bool carried);
u32 espah_sa_count(struct net *net);
int espah_sa_walk(struct net *net, struct espah_sa_walk *w,
		  int (*fn)(struct espah_sa *sa, void *arg), void *arg);
void espah_sa_walk_end(struct espah_sa_walk *w);
void espah_sa_sweep(struct net *net,
		    bool (*fn)(struct espah_sa *sa, void *arg),
		    void (*gone)(struct espah_sa *sa, void *arg), void *arg);
u64 espah_sa_seq(struct espah_sa *sa);
bool espah_sa_natt_port(struct net *net, __be16 port);
bool espah_sa_keepalive(const struct espah_sa *sa);
bool espah_sa_out_spent(const struct espah_sa *sa);

/**
 * espah_sa_dummy_sent() - the SA took a sequence number: it is not idle
 * @sa: the SA; nothing to do without a dummy rate (net/dummy.c)
 *
 * Context: any (the datapath calls it under the SA's lock).
 */
static inline void espah_sa_dummy_sent(struct espah_sa *sa)
{
	if (sa->dummy)
		WRITE_ONCE(sa->dummy->last_tx, ktime_get_ns());
}

void espah_sa_dummy_stop(struct espah_sa *sa);
void espah_sa_out_apply(struct net *net, u16 family,
			const union espah_addr *src,
			const union espah_addr *dst,
			void (*fn)(struct espah_sa *sa, void *arg), void *arg);
u64 espah_sa_oseq(struct espah_sa *sa);

bool espah_addr_equal(u16 family, const union espah_addr *a,
		      const union espah_addr *b);

bool espah_sa_lft_use(struct net *net, struct espah_sa *sa, u64 bytes,
		      u64 seq);
void espah_sa_lft_kick(struct net *net);
bool espah_lft_count(const struct espah_lft *l, u64 packets, u64 bytes,
		     u64 len, unsigned long *ev);
u64 espah_lft_time(const struct espah_lft *l, u64 add_ns, u64 use_ns,
		   u64 now, bool soft, unsigned long *ev);
bool espah_lft_has_time(const struct espah_lft *l);
void espah_sa_lft_work(struct work_struct *work);

int espah_sa_net_init(struct net *net);
int espah_sa_module_init(void);
void espah_sa_module_exit(void);
void espah_sa_net_exit(struct net *net);

#endif /* _ESPAH_SA_H */
