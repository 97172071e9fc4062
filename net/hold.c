// SPDX-License-Identifier: GPL-2.0
/*
 * espah: hold queues for packets waiting for their SA.
 *
 * An outbound protect policy with hold_max > 0 (ESPAH_A_POL_HOLD) keeps up
 * to hold_max packets that found no usable SA, instead of dropping them,
 * while the acquire event it raised gets an SA negotiated. The queue lives
 * in the policy (struct espah_hold). One delayed work per namespace walks
 * the outbound policies: it sends the packets whose SA exists now, drops
 * (and counts) those older than hold_timeout_ms, and puts the rest back in
 * order. Adding or updating an SA or a policy kicks it at once; otherwise
 * it runs at the earliest deadline of a held packet.
 *
 * Lifetime: a held packet owns a reference on its route (skb_dst_force())
 * and whatever its socket charged; its conntrack entry is confirmed and
 * detached when it is queued, as when it is protected. A policy that is
 * unlinked or replaced marks its queue dead under the queue's lock and
 * drops or hands on what it holds, so nothing is queued to a policy once it
 * is on its way to kfree_rcu(). The namespace drops everything in its
 * pre_exit, before any device goes away, and cancels the work; module
 * unload goes through the same pre_exit for every namespace.
 *
 * Locking: espah_hold.lock with BH disabled (the output hook runs in
 * softirq and process context); the SPD mutex, when held, is taken first.
 * Packets are never sent or freed under the queue lock.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include <espah/flow.h>
#include <espah/output.h>
#include <espah/hold.h>
#include <espah/pernet.h>
#include <espah/spd.h>

#define HOLD_TIMEOUT_MS_MAX	60000

static unsigned int hold_timeout_ms = 3000;
module_param(hold_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hold_timeout_ms,
		 "longest time a packet waits in a policy's hold queue, in ms (default 3000, 1..60000)");

/* Our state in skb->cb, after the IP layer's (out_too_big() and
 * out_reassembled() read IPCB/IP6CB when the packet is sent).
 */
struct hold_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} ip;
	unsigned long stamp;
	u16 family;
};

static struct hold_cb *hold_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct hold_cb) > sizeof_field(struct sk_buff, cb));
	return (struct hold_cb *)skb->cb;
}

static unsigned long hold_timeout(void)
{
	return msecs_to_jiffies(clamp_t(unsigned int,
					READ_ONCE(hold_timeout_ms), 1,
					HOLD_TIMEOUT_MS_MAX));
}

static struct espah_hold_net *hold_net(struct net *net)
{
	return &espah_pernet(net)->hold;
}

/* Free a list of packets the queue no longer owns, counting them as @s. */
static void hold_drop(struct net *net, struct sk_buff_head *list,
		      enum espah_stat s)
{
	u32 n = skb_queue_len(list);

	if (!n)
		return;
	__skb_queue_purge(list);
	espah_stat_add(net, s, n);
}

/**
 * espah_hold_init() - set up an empty hold queue
 * @h: the queue (of a policy not yet published)
 */
void espah_hold_init(struct espah_hold *h)
{
	spin_lock_init(&h->lock);
	__skb_queue_head_init(&h->q);
	h->n = 0;
	h->dead = false;
}

/**
 * espah_hold_add() - hold a packet its policy found no usable SA for
 * @net: namespace
 * @cpol: the matching outbound protect policy, with hold_max > 0
 * @skb: the packet
 * @family: AF_INET or AF_INET6
 *
 * Counts what it does: ESPAH_STAT_HOLD_QUEUED, or, for a packet it does
 * not keep, ESPAH_STAT_HOLD_FULL (queue at its bound) or
 * ESPAH_STAT_OUT_NO_SA (policy on its way out, or no route reference).
 *
 * Context: the output hook, under rcu_read_lock().
 * Return: NF_STOLEN (held) or NF_DROP.
 */
unsigned int espah_hold_add(struct net *net, const struct espah_policy *cpol,
			    struct sk_buff *skb, u16 family)
{
	/* the hold queue is, with acq_last, what the datapath writes in a
	 * published policy; it has its own lock
	 */
	struct espah_policy *pol = (struct espah_policy *)cpol;
	struct espah_hold *h = &pol->hold;
	enum espah_stat why = ESPAH_STAT_OUT_NO_SA;
	struct hold_cb *cb;

	/* the route outlives this RCU section */
	if (!skb_dst_force(skb))
		goto drop;
	/* as for a packet protected now (a dropped one leaves an entry) */
	espah_ct_confirm(skb);

	spin_lock_bh(&h->lock);
	if (h->dead)
		goto unlock;
	if (h->n >= pol->hold_max) {
		why = ESPAH_STAT_HOLD_FULL;
		goto unlock;
	}
	cb = hold_cb(skb);
	cb->stamp = jiffies;
	cb->family = family;
	__skb_queue_tail(&h->q, skb);
	h->n++;
	/* under the lock: espah_hold_net_pre_exit() marks the queue dead
	 * under it before cancelling the work, so this cannot come after
	 */
	queue_delayed_work(system_wq, &hold_net(net)->work, hold_timeout());
	spin_unlock_bh(&h->lock);
	espah_stat_inc(net, ESPAH_STAT_HOLD_QUEUED);
	return NF_STOLEN;

unlock:
	spin_unlock_bh(&h->lock);
drop:
	espah_stat_inc(net, why);
	return NF_DROP;
}

/* Take every packet out of a queue and mark it dead. */
static void hold_take_dead(struct espah_hold *h, struct sk_buff_head *out)
{
	spin_lock_bh(&h->lock);
	h->dead = true;
	h->n -= skb_queue_len(&h->q);
	skb_queue_splice_tail_init(&h->q, out);
	spin_unlock_bh(&h->lock);
}

/**
 * espah_hold_kill() - drop a policy's held packets for good
 * @net: namespace
 * @pol: the policy, unlinked (or its namespace ending)
 *
 * Nothing can be queued to @pol afterwards; packets the release work has
 * out at the moment are dropped when it puts them back. All are counted
 * as ESPAH_STAT_HOLD_FLUSHED.
 *
 * Context: process; the SPD mutex held.
 */
void espah_hold_kill(struct net *net, struct espah_policy *pol)
{
	struct sk_buff_head list;

	lockdep_assert_held(&espah_pernet(net)->spd.lock);
	__skb_queue_head_init(&list);
	hold_take_dead(&pol->hold, &list);
	hold_drop(net, &list, ESPAH_STAT_HOLD_FLUSHED);
}

/**
 * espah_hold_move() - a policy was replaced: its successor takes the queue
 * @net: namespace
 * @old: the replaced policy, unlinked
 * @pol: its successor, published
 *
 * The held packets go in front of any @pol queued already, up to
 * @pol->hold_max; the rest are dropped (ESPAH_STAT_HOLD_FLUSHED).
 *
 * Context: process; the SPD mutex held.
 */
void espah_hold_move(struct net *net, struct espah_policy *old,
		     struct espah_policy *pol)
{
	struct espah_hold *h = &pol->hold;
	struct sk_buff_head list, keep;
	struct sk_buff *skb;

	lockdep_assert_held(&espah_pernet(net)->spd.lock);
	__skb_queue_head_init(&list);
	__skb_queue_head_init(&keep);
	hold_take_dead(&old->hold, &list);
	if (skb_queue_empty(&list))
		return;
	spin_lock_bh(&h->lock);
	while (!h->dead && h->n < pol->hold_max &&
	       (skb = __skb_dequeue(&list))) {
		__skb_queue_tail(&keep, skb);
		h->n++;
	}
	skb_queue_splice_init(&keep, &h->q);
	spin_unlock_bh(&h->lock);
	hold_drop(net, &list, ESPAH_STAT_HOLD_FLUSHED);
	espah_hold_kick(net);
}

/* One policy's queue: send what has an SA now, drop what timed out, put
 * the rest back in front (in order). *@next: the earliest deadline left.
 */
static void hold_run(struct net *net, struct espah_policy *pol,
		     unsigned long *next, bool *any)
{
	unsigned long tmo = hold_timeout(), now = jiffies;
	struct espah_hold *h = &pol->hold;
	struct sk_buff_head list, keep;
	struct sk_buff *skb;
	u32 sent = 0, gone = 0;

	__skb_queue_head_init(&list);
	__skb_queue_head_init(&keep);
	spin_lock_bh(&h->lock);
	skb_queue_splice_init(&h->q, &list);
	spin_unlock_bh(&h->lock);
	if (skb_queue_empty(&list))
		return;

	while ((skb = __skb_dequeue(&list))) {
		struct hold_cb *cb = hold_cb(skb);
		bool ok;

		/* as in the output hook: BH off, as for forwarded packets */
		local_bh_disable();
		ok = espah_out_held(net, pol, skb, cb->family);
		local_bh_enable();
		if (ok) {
			sent++;
			continue;
		}
		if (time_after_eq(now, cb->stamp + tmo)) {
			kfree_skb(skb);
			espah_stat_inc(net, ESPAH_STAT_HOLD_TIMEOUT);
			gone++;
			continue;
		}
		__skb_queue_tail(&keep, skb);
	}
	if (sent)
		espah_stat_add(net, ESPAH_STAT_HOLD_RELEASED, sent);

	spin_lock_bh(&h->lock);
	h->n -= sent + gone;
	if (h->dead) {
		h->n -= skb_queue_len(&keep);
	} else {
		skb = skb_peek(&keep);
		if (skb) {
			unsigned long d = hold_cb(skb)->stamp + tmo;

			if (!*any || time_before(d, *next))
				*next = d;
			*any = true;
		}
		skb_queue_splice_init(&keep, &h->q);
	}
	spin_unlock_bh(&h->lock);
	hold_drop(net, &keep, ESPAH_STAT_HOLD_FLUSHED);
}

static void hold_work(struct work_struct *work)
{
	struct espah_hold_net *hn = container_of(to_delayed_work(work),
						 struct espah_hold_net, work);
	struct espah_net *en = container_of(hn, struct espah_net, hold);
	struct espah_policy *pol;
	unsigned long next = 0;
	bool any = false;

	/* policies unlinked meanwhile stay readable until the unlock */
	rcu_read_lock();
	list_for_each_entry_rcu(pol, &en->spd.pol[ESPAH_DIR_OUT], list) {
		if (pol->hold_max)
			hold_run(en->net, pol, &next, &any);
	}
	rcu_read_unlock();
	if (any && !READ_ONCE(hn->dying)) {
		unsigned long now = jiffies;

		/* never postpones: a deadline passed runs now */
		queue_delayed_work(system_wq, &hn->work,
				   time_after(next, now) ? next - now : 0);
	}
}

/**
 * espah_hold_kick() - have held packets looked at now (an SA or policy
 *	was added or updated)
 * @net: namespace
 *
 * Context: process (netlink requests).
 */
void espah_hold_kick(struct net *net)
{
	struct espah_hold_net *hn = hold_net(net);

	if (!READ_ONCE(hn->dying))
		mod_delayed_work(system_wq, &hn->work, 0);
}

/**
 * espah_hold_net_init() - set up a namespace's hold work
 * @net: the namespace
 */
void espah_hold_net_init(struct net *net)
{
	struct espah_hold_net *hn = hold_net(net);

	INIT_DELAYED_WORK(&hn->work, hold_work);
	hn->dying = false;
}

/**
 * espah_hold_net_pre_exit() - drop every held packet of an ending namespace
 * @net: the namespace
 *
 * Runs before any device of @net is unregistered, so no held packet
 * outlives the routes and devices it points to. Afterwards nothing can be
 * queued (every policy's queue is dead) and the work neither runs nor is
 * pending.
 *
 * Context: process (pernet pre_exit).
 */
void espah_hold_net_pre_exit(struct net *net)
{
	struct espah_hold_net *hn = hold_net(net);
	struct espah_spd *spd = &espah_pernet(net)->spd;
	struct espah_policy *pol;
	int d;

	WRITE_ONCE(hn->dying, true);
	mutex_lock(&spd->lock);
	for (d = 0; d <= ESPAH_DIR_FWD; d++)
		list_for_each_entry(pol, &spd->pol[d], list)
			espah_hold_kill(net, pol);
	mutex_unlock(&spd->lock);
	cancel_delayed_work_sync(&hn->work);
}
