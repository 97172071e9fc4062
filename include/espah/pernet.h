/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPAH_PERNET_H
#define _ESPAH_PERNET_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/espah.h>

#include <espah/hold.h>
#include <espah/sa.h>
#include <espah/spd.h>
#include <espah/xfrm.h>

/**
 * struct espah_pcpu_stats - per-CPU global counters of one namespace
 * @syncp: 64-bit consistency on 32-bit hosts
 * @v: the counters, indexed by enum espah_stat
 */
struct espah_pcpu_stats {
	struct u64_stats_sync syncp;
	u64_stats_t v[ESPAH_STAT_MAX + 1];
};

/**
 * struct espah_net - espah's state in one network namespace
 * @net: the namespace
 * @stats: global counters (ESPAH_CMD_STATS_GET), espah_stat_inc()
 * @sad: Security Association Database
 * @spd: Security Policy Database
 * @hold: hold queue work (net/hold.c)
 * @defrag6: nf_defrag_ipv6 reassembles this namespace's IPv6 before
 *	LOCAL_IN (without it inbound IPv6 SAs are refused)
 * @xfrm: the bridge to native XFRM (net/xfrm/)
 */
struct espah_net {
	struct net *net;
	struct espah_pcpu_stats __percpu *stats;
	struct espah_sad sad;
	struct espah_spd spd;
	struct espah_hold_net hold;
	bool defrag6;
	struct espah_xfrm_net xfrm;
};

extern unsigned int espah_net_id;

static inline struct espah_net *espah_pernet(const struct net *net)
{
	return net_generic(net, espah_net_id);
}

/**
 * espah_stat_add() - add to a global per-netns counter
 * @net: namespace
 * @s: which counter
 * @v: amount
 *
 * Context: any.
 */
static inline void espah_stat_add(const struct net *net, enum espah_stat s,
				  u64 v)
{
	struct espah_net *en = espah_pernet(net);
	struct espah_pcpu_stats *st;
	unsigned long flags;

	st = get_cpu_ptr(en->stats);
	flags = u64_stats_update_begin_irqsave(&st->syncp);
	u64_stats_add(&st->v[s], v);
	u64_stats_update_end_irqrestore(&st->syncp, flags);
	put_cpu_ptr(en->stats);
}

/**
 * espah_stat_inc() - count one event in a global per-netns counter
 * @net: namespace
 * @s: which counter
 *
 * Context: any.
 */
static inline void espah_stat_inc(const struct net *net, enum espah_stat s)
{
	espah_stat_add(net, s, 1);
}

void espah_stats_sum(const struct net *net, u64 *v);

int espah_stat_proc_init(struct net *net);
void espah_stat_proc_exit(struct net *net);

#endif /* _ESPAH_PERNET_H */
