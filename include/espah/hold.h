/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hold queues: packets of a protect policy waiting for their SA.
 */
#ifndef _ESPAH_HOLD_H
#define _ESPAH_HOLD_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/**
 * struct espah_hold - one outbound protect policy's held packets
 * @lock: taken with BH disabled (the output hook runs in softirq and
 *	process context)
 * @q: packets waiting, oldest first (__skb_queue_* under @lock only)
 * @n: packets the queue owns: those in @q plus those the release work
 *	took out to try and has not yet sent, dropped or put back; bounded
 *	by &espah_policy.hold_max
 * @dead: the policy was unlinked, replaced or its namespace is ending:
 *	nothing may be queued any more, and packets the release work puts
 *	back are dropped instead
 */
struct espah_hold {
	spinlock_t lock; /* protects q, n, dead */
	struct sk_buff_head q;
	u32 n;
	bool dead;
};

/**
 * struct espah_hold_net - a namespace's hold state (in struct espah_net)
 * @work: sends held packets whose SA arrived and drops those that waited
 *	too long; kicked when an SA or policy is added or updated, otherwise
 *	runs at the earliest deadline of a held packet
 * @dying: set in the namespace's pre_exit; no more kicks
 */
struct espah_hold_net {
	struct delayed_work work;
	bool dying;
};

struct net;
struct sk_buff;
struct espah_policy;

void espah_hold_init(struct espah_hold *h);
unsigned int espah_hold_add(struct net *net, const struct espah_policy *pol,
			    struct sk_buff *skb, u16 family);
void espah_hold_kill(struct net *net, struct espah_policy *pol);
void espah_hold_move(struct net *net, struct espah_policy *old,
		     struct espah_policy *pol);
void espah_hold_kick(struct net *net);
void espah_hold_net_init(struct net *net);
void espah_hold_net_pre_exit(struct net *net);

#endif /* _ESPAH_HOLD_H */
