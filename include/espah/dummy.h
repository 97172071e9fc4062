/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dummy packets (RFC 4303 2.6) of outbound tunnel-mode ESP SAs with a
 * dummy rate (net/dummy.c); net/output.c builds and sends each one.
 */
#ifndef _ESPAH_DUMMY_H
#define _ESPAH_DUMMY_H

#include <linux/compiler.h>
#include <linux/hrtimer.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

struct espah_sa;
struct net;

/**
 * struct espah_dummy - the dummy packet state of one SA (&espah_sa.dummy)
 * @timer: fires when the SA may have been idle for @ival (softirq mode)
 * @sa: the SA it belongs to (no reference: the timer runs only while the
 *	SAD holds one, see net/dummy.c)
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

/**
 * espah_dummy_sent() - the SA took a sequence number: it is not idle
 * @d: &espah_sa.dummy, not NULL
 *
 * Context: any (the datapath calls it under the SA's lock).
 */
static inline void espah_dummy_sent(struct espah_dummy *d)
{
	WRITE_ONCE(d->last_tx, ktime_get_ns());
}

u64 espah_dummy_ival(u32 rate);
bool espah_dummy_due(u64 last_tx, u64 now, u64 ival, u64 *next);
int espah_dummy_alloc(struct espah_sa *sa, u32 rate, gfp_t gfp);
void espah_dummy_free(struct espah_sa *sa);
void espah_dummy_start(struct espah_sa *sa, const struct espah_sa *old);
void espah_dummy_stop(struct espah_sa *sa);
void espah_dummy_net_exit(struct net *net);

#endif /* _ESPAH_DUMMY_H */
