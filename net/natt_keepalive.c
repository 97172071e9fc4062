// SPDX-License-Identifier: GPL-2.0
/*
 * NAT keepalives (RFC 3948 2.3): an outbound SA with UDP encapsulation and
 * a keepalive interval (ESPAH_ENCAP_KEEPALIVE) sends one UDP datagram
 * holding the single byte 0xff, from its source port to its destination
 * port, when it sent nothing for that long, so that a NAT on the way keeps
 * its mapping while the tunnel is idle. A packet the SA sends is as good
 * as a keepalive: none goes while traffic flows.
 *
 * One delayed work per namespace walks the SAs that have an interval (a
 * list of their own, &espah_sad.ka_list, not the whole SAD) and sleeps
 * until the earliest is due, but never less than a second: however many
 * SAs there are, it runs at most once a second, and a keepalive leaves
 * at most about a second after it is due.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include <espah/natt.h>
#include <espah/output.h>
#include <espah/pernet.h>
#include <espah/sa.h>

/* One keepalive of @sa; false if it could not be sent. */
static bool ka_send(struct net *net, struct espah_sa *sa)
{
	unsigned int hlen = sa->family == AF_INET ? sizeof(struct iphdr) :
						    sizeof(struct ipv6hdr);
	__be16 dport = READ_ONCE(sa->encap.dport);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct udphdr *uh;

	dst = espah_out_route_lookup(net, sa, 0);
	if (!dst)
		return false;
	skb = alloc_skb(LL_RESERVED_SPACE(dst->dev) + hlen +
			sizeof(*uh) + 1, GFP_KERNEL);
	if (!skb) {
		dst_release(dst);
		return false;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(dst->dev) + hlen + sizeof(*uh));
	skb_put_u8(skb, 0xff);
	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = sa->encap.sport;
	uh->dest = dport;
	uh->len = htons(sizeof(*uh) + 1);
	uh->check = 0;
	skb_push(skb, hlen);
	skb_reset_network_header(skb);
	skb_dst_set(skb, dst);
	if (sa->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = 5;
		iph->tos = 0;
		iph->frag_off = 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = IPPROTO_UDP;
		iph->saddr = sa->src.a4;
		iph->daddr = sa->dst.a4;
		ip_select_ident(net, skb, NULL);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(sizeof(*uh) + 1);
		ip6h->nexthdr = IPPROTO_UDP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->src.a6;
		ip6h->daddr = sa->dst.a6;
		/* a zero UDP checksum is invalid over IPv6 (RFC 8200 8.1) */
		uh->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
					    sizeof(*uh) + 1, IPPROTO_UDP,
					    csum_partial(uh, sizeof(*uh) + 1, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
		skb->protocol = htons(ETH_P_IPV6);
	}
	/* UDP a protect policy may cover: it is the SA's, send it as is */
	local_bh_disable();
	espah_natt_xmit_begin(skb);
	if (sa->family == AF_INET)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
	espah_natt_xmit_end();
	local_bh_enable();
	return true;
}

/* Send the keepalives that are due in a namespace (&espah_sad.ka_work).
 * Context: process; takes the SAD mutex (the list's lock).
 */
static void ka_work(struct work_struct *work)
{
	struct espah_sad *sad = container_of(to_delayed_work(work),
					     struct espah_sad, ka_work);
	struct net *net = container_of(sad, struct espah_net, sad)->net;
	unsigned long now = jiffies, next = 0;
	struct espah_sa *sa;
	bool any = false;

	mutex_lock(&sad->lock);
	list_for_each_entry(sa, &sad->ka_list, ka_node) {
		unsigned long ival = sa->encap.keepalive * HZ;
		unsigned long due = READ_ONCE(sa->natt_tx) + ival;

		if (time_after_eq(now, due)) {
			if (ka_send(net, sa))
				espah_sa_stat_inc(sa, ESPAH_SA_STAT_NATT_KEEPALIVE);
			else
				espah_stat_inc(net, ESPAH_STAT_OUT_ERROR);
			WRITE_ONCE(sa->natt_tx, now);
			due = now + ival;
		}
		if (!any || time_before(due, next))
			next = due;
		any = true;
		cond_resched();
	}
	mutex_unlock(&sad->lock);
	if (any && !READ_ONCE(sad->dying))
		mod_delayed_work(system_wq, &sad->ka_work,
				 max_t(long, (long)(next - jiffies), HZ));
}

/**
 * espah_natt_ka_kick() - an SA with keepalives was added: look in a second
 * @net: the namespace
 *
 * Context: any.
 */
void espah_natt_ka_kick(struct net *net)
{
	struct espah_sad *sad = &espah_pernet(net)->sad;

	rcu_read_lock();
	if (!READ_ONCE(sad->dying))
		mod_delayed_work(system_wq, &sad->ka_work, HZ);
	rcu_read_unlock();
}

/**
 * espah_natt_ka_net_init() - prepare a new namespace's keepalive work
 * @net: the namespace, before any SA can be added to it
 */
void espah_natt_ka_net_init(struct net *net)
{
	INIT_DELAYED_WORK(&espah_pernet(net)->sad.ka_work, ka_work);
}

/**
 * espah_natt_ka_net_exit() - stop a dying namespace's keepalive work
 * @net: the namespace, before its SAs go
 *
 * Nothing kicks the work any more (no request reaches a dying namespace);
 * the work re-arms itself, which the cancel waits out and refuses.
 */
void espah_natt_ka_net_exit(struct net *net)
{
	cancel_delayed_work_sync(&espah_pernet(net)->sad.ka_work);
}
