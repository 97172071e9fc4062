// SPDX-License-Identifier: GPL-2.0
/*
 * espah: SA lifecycle: lifetime limits and acquire rate limiting.
 *
 * Byte and packet limits are enforced exactly where the datapath counts a
 * packet (net/output.c out_send(), net/input.c in_finish()): an SA with
 * count limits keeps shared atomic counters, each packet learns its own
 * position from them, and the packet that reaches a hard limit is the last
 * one the SA carries; later ones are dropped and counted. Events (soft or
 * hard, and why) are set as bits on the SA; the namespace's lifetime work
 * (net/sa.c) reports them, removes hard-expired SAs and enforces the time
 * limits, running when kicked and at the earliest time deadline of any SA.
 *
 * Acquire: when a protect policy finds no usable SA, one event per policy
 * per acquire_interval_ms tells the key manager what to negotiate.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/timekeeping.h>

#include <espah/kunit.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/spd.h>

static unsigned int acquire_interval_ms = 1000;
module_param(acquire_interval_ms, uint, 0644);
MODULE_PARM_DESC(acquire_interval_ms,
		 "least time between two acquire events of one policy, in ms (default 1000)");

/**
 * espah_lft_count() - judge one packet against byte and packet limits
 * @l: the limits
 * @packets: packets counted so far, this one included
 * @bytes: bytes counted so far, this one included
 * @len: this packet's bytes
 * @ev: out: ESPAH_LFT_* events this packet reaches are or-ed in
 *
 * The packet that brings a count to a limit raises it: exactly
 * @l->hard_packets packets pass; the packet during which the byte count
 * reaches @l->hard_bytes is the last one.
 *
 * Return: false if the packet is beyond a hard limit and must be dropped.
 */
bool espah_lft_count(const struct espah_lft *l, u64 packets, u64 bytes,
		     u64 len, unsigned long *ev)
{
	if ((l->hard_packets && packets > l->hard_packets) ||
	    (l->hard_bytes && bytes - len >= l->hard_bytes))
		return false;
	if (l->hard_packets && packets == l->hard_packets)
		*ev |= ESPAH_LFT_HARD(ESPAH_EXPIRE_PACKETS);
	if (l->hard_bytes && bytes >= l->hard_bytes)
		*ev |= ESPAH_LFT_HARD(ESPAH_EXPIRE_BYTES);
	if (l->soft_packets && packets >= l->soft_packets)
		*ev |= ESPAH_LFT_SOFT(ESPAH_EXPIRE_PACKETS);
	if (l->soft_bytes && bytes >= l->soft_bytes)
		*ev |= ESPAH_LFT_SOFT(ESPAH_EXPIRE_BYTES);
	return true;
}

ESPAH_EXPORT_FOR_KUNIT(espah_lft_count);

static void deadline(u64 start, u64 secs, u64 now, unsigned long bit,
		     unsigned long *ev, u64 *next)
{
	u64 d;

	if (!secs || !start)
		return;
	/* beyond the end of time: never */
	if (check_mul_overflow(secs, (u64)NSEC_PER_SEC, &d) ||
	    check_add_overflow(d, start, &d))
		return;
	if (d <= now)
		*ev |= bit;
	else if (d < *next)
		*next = d;
}

/**
 * espah_lft_time() - judge an SA's time limits
 * @l: the limits
 * @add_ns: when the SA was added (boot-time ns)
 * @use_ns: when it carried its first packet, 0 if not yet
 * @now: the current boot-time ns
 * @soft: look at soft limits too (false once the soft expire was sent)
 * @ev: out: ESPAH_LFT_* events of limits already reached are or-ed in
 *
 * Return: the earliest deadline still ahead, U64_MAX if none.
 */
u64 espah_lft_time(const struct espah_lft *l, u64 add_ns, u64 use_ns,
		   u64 now, bool soft, unsigned long *ev)
{
	u64 next = U64_MAX;

	deadline(add_ns, l->hard_add, now,
		 ESPAH_LFT_HARD(ESPAH_EXPIRE_ADD_TIME), ev, &next);
	deadline(use_ns, l->hard_use, now,
		 ESPAH_LFT_HARD(ESPAH_EXPIRE_USE_TIME), ev, &next);
	if (soft) {
		deadline(add_ns, l->soft_add, now,
			 ESPAH_LFT_SOFT(ESPAH_EXPIRE_ADD_TIME), ev, &next);
		deadline(use_ns, l->soft_use, now,
			 ESPAH_LFT_SOFT(ESPAH_EXPIRE_USE_TIME), ev, &next);
	}
	return next;
}

ESPAH_EXPORT_FOR_KUNIT(espah_lft_time);

/**
 * espah_lft_has_time() - does an SA have any time limit
 * @l: the limits
 *
 * Return: true if any of the four time limits is set.
 */
bool espah_lft_has_time(const struct espah_lft *l)
{
	return l->soft_add || l->hard_add || l->soft_use || l->hard_use;
}

ESPAH_EXPORT_FOR_KUNIT(espah_lft_has_time);

/**
 * espah_sa_lft_kick() - have the namespace's lifetime work run now
 * @net: namespace
 *
 * Context: any. Does nothing once the namespace is going away (the RCU
 * read section is what espah_sa_net_exit() waits for before cancelling).
 */
void espah_sa_lft_kick(struct net *net)
{
	struct espah_sad *sad = &espah_pernet(net)->sad;

	rcu_read_lock();
	if (!READ_ONCE(sad->dying))
		mod_delayed_work(system_wq, &sad->lft_work, 0);
	rcu_read_unlock();
}

/**
 * espah_sa_lft_use() - count one packet against an SA's lifetime
 * @net: the SA's namespace
 * @sa: the SA
 * @bytes: the packet's bytes (as counted in ESPAH_SA_STAT_BYTES)
 * @seq: OUT SAs: the sequence number the packet took; 0 for IN SAs
 *
 * Records the first use, raises soft/hard events (reported by the
 * lifetime work) and refuses packets beyond a hard byte or packet limit,
 * counting them (ESPAH_SA_STAT_EXPIRED, ESPAH_STAT_{IN,OUT}_EXPIRED).
 *
 * Context: any (datapath).
 * Return: false if the packet must be dropped.
 */
bool espah_sa_lft_use(struct net *net, struct espah_sa *sa, u64 bytes,
		      u64 seq)
{
	const struct espah_lft *l = &sa->lft;
	unsigned long ev = 0, old;
	bool kick = false;

	if (!atomic64_read(&sa->use_ns) &&
	    !atomic64_cmpxchg(&sa->use_ns, 0, ktime_get_boottime_ns()))
		kick = l->soft_use || l->hard_use;
	if (l->seq_soft && seq) {
		u64 max = sa->flags & ESPAH_SA_FLAG_ESN ? U64_MAX : U32_MAX;

		if (max - seq <= l->seq_soft)
			ev |= ESPAH_LFT_SOFT(ESPAH_EXPIRE_SEQ);
	}
	if (l->hard_packets || l->hard_bytes || l->soft_packets ||
	    l->soft_bytes) {
		u64 p = atomic64_inc_return(&sa->lft_packets);
		u64 b = atomic64_add_return(bytes, &sa->lft_bytes);

		if (!espah_lft_count(l, p, b, bytes, &ev)) {
			espah_sa_stat_inc(sa, ESPAH_SA_STAT_EXPIRED);
			espah_stat_inc(net, sa->dir == ESPAH_DIR_IN ?
					    ESPAH_STAT_IN_EXPIRED :
					    ESPAH_STAT_OUT_EXPIRED);
			return false;
		}
	}
	if (ev) {
		old = atomic_long_fetch_or(ev, &sa->lft_events);
		if (ev & ~old)
			kick = true;
	}
	if (kick)
		espah_sa_lft_kick(net);
	return true;
}

ESPAH_EXPORT_FOR_KUNIT(espah_sa_lft_use);

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
}
