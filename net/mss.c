// SPDX-License-Identifier: GPL-2.0
/*
 * TCP MSS clamping for protected traffic.
 *
 * espah protects packets at POST_ROUTING, after TCP chose its segment
 * size from the plain route: a host-to-host transport-mode SA has no route
 * of its own whose MTU could account for ESP's overhead (native XFRM has
 * one, its bundle dst), so full-sized TCP segments became ESP packets over
 * the MTU, each sent as two fragments. Instead, the MSS option of every
 * TCP SYN that an SA protects (outbound) or that arrives through one
 * (inbound, after decapsulation) is lowered to what fits the SA: both ends
 * of the connection then send segments that are encapsulated whole, the
 * way a gateway's "TCPMSS --clamp-mss-to-pmtu" rule does for a tunnel.
 * Tunnel mode gets the same treatment, which spares forwarded flows the
 * first round of path MTU discovery.
 *
 * The option is only ever lowered, never added or raised; SYNs without
 * the option (536 by default) are left alone. Counted as
 * ESPAH_STAT_MSS_CLAMPED. Module parameter mss_clamp=0 turns it off.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include <espah/mss.h>
#include <espah/kunit.h>
#include <espah/pernet.h>

static bool mss_clamp = true;
module_param(mss_clamp, bool, 0644);
MODULE_PARM_DESC(mss_clamp,
		 "lower the MSS option of TCP SYNs an SA protects or delivers to what fits the SA (default on)");

/**
 * espah_tcp_opt_clamp() - lower the MSS option of a TCP header
 * @th: TCP header followed by its options (th->doff * 4 bytes, writable)
 * @mss: the largest MSS to allow
 * @old: out: the option's value before (when it changed)
 *
 * Walks the options as RFC 9293 3.1 lays them out (EOL, NOP, then
 * kind/length pairs); a malformed list is left alone.
 *
 * Return: offset of the MSS option's value from @th if it was lowered,
 * else 0.
 */
unsigned int espah_tcp_opt_clamp(struct tcphdr *th, u16 mss, u16 *old)
{
	unsigned int len = th->doff * 4, i = sizeof(*th);
	u8 *opt = (u8 *)th;

	while (i < len) {
		u8 kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (kind == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			u16 cur = get_unaligned_be16(opt + i + 2);

			if (cur <= mss)
				return 0;
			*old = cur;
			put_unaligned_be16(mss, opt + i + 2);
			return i + 2;
		}
		i += opt[i + 1];
	}
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_tcp_opt_clamp);

/**
 * espah_mss_clamp() - clamp the MSS of a TCP SYN to fit @limit
 * @net: namespace (for the counter)
 * @skb: an IP packet, network header set, linear and writable at least
 *	up to the end of the TCP options (the packet paths make it so)
 * @family: AF_INET or AF_INET6 (of the network header)
 * @limit: the largest IP packet (this header included) the SA carries
 *	without fragmenting
 *
 * Anything that is not an unfragmented TCP SYN is left alone, cheaply.
 */
void espah_mss_clamp(struct net *net, struct sk_buff *skb, u16 family,
		     unsigned int limit)
{
	unsigned int noff = skb_network_offset(skb), thoff;
	struct tcphdr *th;
	__be16 from, to;
	u16 mss, old;
	unsigned int o;

	if (!READ_ONCE(mss_clamp))
		return;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP ||
		    iph->frag_off & htons(IP_OFFSET | IP_MF))
			return;
		thoff = noff + iph->ihl * 4;
	} else {
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		__be16 frag_off;
		int off;

		off = ipv6_skip_exthdr(skb, noff + sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return;
		thoff = off;
	}
	if (thoff + sizeof(*th) > skb_headlen(skb))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 <= sizeof(*th) ||
	    thoff + th->doff * 4 > skb_headlen(skb))
		return;
	/* RFC 9293 3.7.1: the MSS excludes the IP and TCP fixed headers */
	if (limit <= thoff - noff + sizeof(*th) + 64)
		return;
	mss = min_t(unsigned int, limit - (thoff - noff) - sizeof(*th),
		    U16_MAX);
	o = espah_tcp_opt_clamp(th, mss, &old);
	if (!o)
		return;
	from = htons(old);
	to = htons(mss);
	if (o & 1) {
		/* an odd offset: the checksum sees the two bytes swapped */
		from = (__force __be16)swab16((__force u16)from);
		to = (__force __be16)swab16((__force u16)to);
	}
	inet_proto_csum_replace2(&th->check, skb, from, to, false);
	espah_stat_inc(net, ESPAH_STAT_MSS_CLAMPED);
}

ESPAH_EXPORT_FOR_KUNIT(espah_mss_clamp);
