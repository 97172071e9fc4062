// SPDX-License-Identifier: GPL-2.0
/*
 * Dummy packets (RFC 4303 2.6): an outbound tunnel-mode ESP SA with a
 * dummy rate (ESPAH_A_SA_DUMMY_RATE, N a second) keeps its packet rate at
 * or above N. Whenever it sent nothing for 1/N s it sends one ESP packet
 * whose next header is 59 (IPPROTO_NONE) and whose payload is the SA's
 * TFC padding length of zeros (none without tfcpad), so that a dummy is as
 * long on the wire as a padded real packet. Real traffic at or above the
 * rate makes no dummy ("fill-in": the same floor on the wire for less
 * bandwidth than a fixed extra rate). Receivers discard them after the
 * ICV verified (net/decap.c; native XFRM too).
 *
 * Timer: an hrtimer per SA, in softirq mode. At the largest rate the
 * interval is 1 ms, below a jiffy at HZ=250 and below a workqueue's
 * latency, which the NAT keepalives' per-namespace work
 * (net/natt_keepalive.c) can afford at its one-second precision and this
 * cannot; a per-namespace scheduler would have to keep its own ordered
 * queue of deadlines, which is what the hrtimer base is. Softirq rather
 * than hard-irq expiry because a dummy goes through the datapath
 * (net/output.c: crypto, route, ip_local_out()), which runs in softirq
 * context for forwarded packets anyway. The decision "is a dummy due, and
 * when to look again" is espah_dummy_due(), pure, tested by KUnit.
 *
 * Lifetime: the timer runs only while the SA is in its SAD. It is started
 * when the SA is published (add or update) and cancelled synchronously
 * when it leaves (delete, update, flush, hard expire: all under the SAD
 * mutex, in process context) before the SAD drops its reference, and for
 * a whole namespace before its datapath goes (espah_dummy_net_exit()): so
 * the callback may use the SA without a reference of its own; the packet
 * it sends takes one. The callback never takes the SAD mutex, so
 * cancelling under it cannot wait on itself.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <espah/dummy.h>
#include <espah/kunit.h>
#include <espah/output.h>
#include <espah/sa.h>

/**
 * espah_dummy_ival() - the longest an SA may stay silent
 * @rate: packets a second, 1..ESPAH_DUMMY_RATE_MAX
 *
 * Return: 1/@rate in nanoseconds.
 */
u64 espah_dummy_ival(u32 rate)
{
	return div_u64(NSEC_PER_SEC, max(rate, 1U));
}

ESPAH_EXPORT_FOR_KUNIT(espah_dummy_ival);

/**
 * espah_dummy_due() - is a dummy packet due, and when to look again
 * @last_tx: when the SA last took a sequence number (ns, monotonic)
 * @now: the time now (ns, monotonic)
 * @ival: the interval, espah_dummy_ival()
 * @next: out: when to look again, @ival after the last packet, counting
 *	the dummy sent now if one is due
 *
 * A @last_tx after @now (another CPU sent a packet after @now was read)
 * is recent traffic.
 *
 * Return: true if the SA sent nothing for @ival or longer.
 */
bool espah_dummy_due(u64 last_tx, u64 now, u64 ival, u64 *next)
{
	if (now >= last_tx && now - last_tx >= ival) {
		*next = now + ival;
		return true;
	}
	*next = last_tx + ival;
	return false;
}

ESPAH_EXPORT_FOR_KUNIT(espah_dummy_due);

static enum hrtimer_restart dummy_fire(struct hrtimer *timer)
{
	struct espah_dummy *d = container_of(timer, struct espah_dummy, timer);
	struct espah_sa *sa = d->sa;
	u64 now = ktime_get_ns(), next;

	/* no number left, or past a hard limit: it never sends again (and
	 * the lifetime work is about to remove it)
	 */
	if (espah_sa_out_spent(sa))
		return HRTIMER_NORESTART;
	/* dead: an update is retiring it; the replacement has its own timer
	 * and this one is cancelled next
	 */
	if (espah_dummy_due(READ_ONCE(d->last_tx), now, d->ival, &next) &&
	    !READ_ONCE(sa->dead)) {
		rcu_read_lock();	/* as the hooks the datapath serves */
		espah_out_dummy(sa);
		rcu_read_unlock();
	}
	hrtimer_set_expires(timer, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

/**
 * espah_dummy_alloc() - give an unpublished SA a dummy rate
 * @sa: from espah_sa_alloc(), an outbound tunnel-mode ESP SA
 * @rate: packets a second, 1..ESPAH_DUMMY_RATE_MAX
 * @gfp: allocation flags
 *
 * The SAD starts the timer when it publishes the SA, stops it when the SA
 * leaves and frees the state with the SA (net/sa.c).
 *
 * Return: 0 or -ENOMEM.
 */
int espah_dummy_alloc(struct espah_sa *sa, u32 rate, gfp_t gfp)
{
	struct espah_dummy *d;

	d = kzalloc(sizeof(*d), gfp);
	if (!d)
		return -ENOMEM;
	hrtimer_init(&d->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	d->timer.function = dummy_fire;
	d->sa = sa;
	d->rate = rate;
	d->ival = espah_dummy_ival(rate);
	sa->dummy = d;
	return 0;
}

static int dummy_stop_one(struct espah_sa *sa, void *arg)
{
	espah_sa_dummy_stop(sa);
	return 0;
}

/**
 * espah_dummy_net_exit() - stop every dummy of a dying namespace
 * @net: the namespace, before its hooks go and its in-flight crypto is
 *	waited for: no dummy may start after that
 *
 * No request reaches a dying namespace and the xfrm bridge has stopped,
 * so no timer starts again; the SAs themselves go later with the SAD.
 */
void espah_dummy_net_exit(struct net *net)
{
	struct espah_sa_walk w = {};

	espah_sa_walk(net, &w, dummy_stop_one, NULL);
	espah_sa_walk_end(&w);
}
