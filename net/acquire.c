// SPDX-License-Identifier: GPL-2.0
/*
 * espah: acquire, the other half of "a protect policy finds no SA" (the
 * hold queue, net/hold.c, is the first): one event per policy per
 * acquire_interval_ms tells the key manager what to negotiate; the rest
 * are counted as suppressed.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/module.h>

#include <espah/acquire.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/spd.h>
#include <espah/xfrm.h>

static unsigned int acquire_interval_ms = 1000;
module_param(acquire_interval_ms, uint, 0644);
MODULE_PARM_DESC(acquire_interval_ms,
		 "least time between two acquire events of one policy, in ms (default 1000)");

/**
 * espah_acquire() - a protect policy found no usable SA
 * @net: namespace
 * @pol: the policy (under RCU)
 * @t: its template that found nothing
 * @fl: the packet's flow
 *
 * At most one acquire event per policy per acquire_interval_ms; the rest
 * are counted as suppressed. The caller drops the packet and counts it.
 *
 * Context: datapath, under rcu_read_lock().
 */
void espah_acquire(struct net *net, const struct espah_policy *pol,
		   const struct espah_tmpl *t, const struct espah_flow *fl)
{
	/* acq_last is the one field of a published policy the datapath writes */
	atomic_long_t *last_p = (atomic_long_t *)&pol->acq_last;
	unsigned long now = jiffies ?: 1, last = atomic_long_read(last_p);
	unsigned long ival = msecs_to_jiffies(READ_ONCE(acquire_interval_ms));

	if ((last && time_before(now, last + ival)) ||
	    atomic_long_cmpxchg(last_p, last, now) != last) {
		espah_stat_inc(net, ESPAH_STAT_ACQUIRE_SUPPRESSED);
		return;
	}
	espah_stat_inc(net, ESPAH_STAT_ACQUIRE);
	espah_nl_acquire(net, pol, t, fl);
	/* a carried policy: its daemon negotiates */
	if (pol->xp)
		espah_xfrm_acquire(net, pol, t, fl);
}
