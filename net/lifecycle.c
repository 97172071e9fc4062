// SPDX-License-Identifier: GPL-2.0
/*
 * espah: SA lifecycle: lifetime limits, and the work that enforces them.
 *
 * Byte and packet limits are enforced exactly where the datapath counts a
 * packet (net/output.c out_send(), net/decap.c decap_finish()): an SA with
 * count limits keeps shared atomic counters, each packet learns its own
 * position from them, and the packet that reaches a hard limit is the last
 * one the SA carries; later ones are dropped and counted. Events (soft or
 * hard, and why) are set as bits on the SA; the namespace's lifetime work
 * (espah_sa_lft_work()) reports them, removes hard-expired SAs and
 * enforces the time limits, running when kicked and at the earliest time
 * deadline of any SA.
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

struct lft_sweep {
	struct net *net;
	u64 now;
	u64 next;
};

/* One SA's turn: time limits judged, events reported; true if a hard
 * limit was reached (the sweep removes it, then lft_gone() reports it).
 */
static bool lft_judge(struct espah_sa *sa, void *arg)
{
	struct lft_sweep *w = arg;
	unsigned long ev = 0;

	if (espah_lft_has_time(&sa->lft)) {
		u64 n = espah_lft_time(&sa->lft, sa->add_ns,
				       atomic64_read(&sa->use_ns), w->now,
				       !sa->lft_soft_done, &ev);

		w->next = min(w->next, n);
		if (ev)
			atomic_long_or(ev, &sa->lft_events);
	}
	ev = atomic_long_read(&sa->lft_events);
	/* both at once (a burst): the soft one still goes first */
	if ((ev & ESPAH_LFT_SOFT_MASK) && !sa->lft_soft_done) {
		sa->lft_soft_done = true;
		espah_stat_inc(w->net, ESPAH_STAT_SOFT_EXPIRE);
		espah_nl_sa_expire(w->net, sa, false,
				   __ffs(ev & ESPAH_LFT_SOFT_MASK));
	}
	/* a carried SA past its hard limit refuses packets (lft_use) until
	 * native XFRM, seeing the counts, deletes it: removing it here would
	 * make its policy ask the daemon for an SA it still has
	 */
	return (ev & ESPAH_LFT_HARD_MASK) && !sa->xs;
}

static void lft_gone(struct espah_sa *sa, void *arg)
{
	struct lft_sweep *w = arg;
	unsigned long ev = atomic_long_read(&sa->lft_events);

	espah_stat_inc(w->net, ESPAH_STAT_HARD_EXPIRE);
	espah_nl_sa_expire(w->net, sa, true,
			   __ffs(ev & ESPAH_LFT_HARD_MASK) - 8);
}

/**
 * espah_sa_lft_work() - the SAD's lifetime work
 * @work: &espah_sad.lft_work
 *
 * Reports the lifetime events the datapath raised, judges the time limits,
 * removes hard-expired SAs (one ESPAH_CMD_SA_EXPIRE with hard set, no
 * separate delete), sends one soft expire per SA (before the hard one if
 * both are pending), and re-arms itself for the earliest time deadline
 * left. Walks every SA: O(SAs) per run. A re-arm racing
 * espah_sa_net_exit()'s cancel is refused by the workqueue (the cancel
 * marks the work), so it needs no lock.
 *
 * Context: process; the sweep takes the SAD mutex.
 */
void espah_sa_lft_work(struct work_struct *work)
{
	struct espah_sad *sad = container_of(to_delayed_work(work),
					     struct espah_sad, lft_work);
	struct lft_sweep w = {
		.net = container_of(sad, struct espah_net, sad)->net,
		.now = ktime_get_boottime_ns(),
		.next = U64_MAX,
	};

	espah_sa_sweep(w.net, lft_judge, lft_gone, &w);
	if (w.next != U64_MAX && !READ_ONCE(sad->dying))
		mod_delayed_work(system_wq, &sad->lft_work,
				 nsecs_to_jiffies(w.next - w.now) + 1);
}
