// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP "fragmentation needed" / ICMPv6 "packet too big" about the ESP
 * packets of espah's tunnel SAs, bare or in UDP (RFC 3948): the path MTU
 * the output path reads.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include <espah/icmp.h>
#include <espah/natt.h>
#include <espah/sa.h>

/* An ICMP message's checksum (the stack verifies it only after LOCAL_IN;
 * a forged "packet too big" must not lower a tunnel's MTU). @off: the
 * ICMP header's offset from skb->data, which is the IP header.
 */
static bool icmp_csum_ok(struct sk_buff *skb, u16 family, unsigned int off)
{
	unsigned int len = skb->len - off;
	__wsum csum = skb_checksum(skb, off, len, 0);

	if (family == AF_INET)
		return !csum_fold(csum);
	return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
				len, IPPROTO_ICMPV6, csum);
}

/**
 * espah_icmp_pmtu() - act on an ICMP error about one of our ESP packets
 * @net: namespace
 * @skb: any packet at LOCAL_IN (network header at skb->data)
 * @family: AF_INET or AF_INET6
 *
 * ICMP "fragmentation needed" / ICMPv6 "packet too big" about an ESP
 * packet one of our OUT tunnel SAs sent (the native esp4_err/esp6_err do
 * this for native SAs), bare or in UDP with the SA's ports (and the
 * non-IKE marker of an espinudp-nonike SA), with a valid
 * checksum: record the path MTU on the route to the peer, which the output
 * path reads for the next packets of the tunnel. The message itself goes
 * on to the stack.
 */
void espah_icmp_pmtu(struct net *net, struct sk_buff *skb, u16 family)
{
	unsigned int off, qlen, ihl;
	union espah_addr daddr = {};
	const struct ip_esp_hdr *esph;
	__be16 sport = 0, dport = 0;
	struct ip_esp_hdr _esph;
	bool ours, nonike = false;
	const __be32 *mk;
	struct espah_sa *sa;
	__be32 _mk;
	u8 qproto;
	u32 mtu;

	if (family == AF_INET) {
		const struct icmphdr *ih;
		const struct iphdr *q;

		off = ip_hdrlen(skb);
		qlen = off + sizeof(*ih) + sizeof(*q);
		if (ip_hdr(skb)->protocol != IPPROTO_ICMP ||
		    !pskb_may_pull(skb, qlen))
			return;
		ih = (const struct icmphdr *)(skb->data + off);
		q = (const struct iphdr *)(ih + 1);
		if (ih->type != ICMP_DEST_UNREACH ||
		    ih->code != ICMP_FRAG_NEEDED || q->ihl < 5)
			return;
		qproto = q->protocol;
		mtu = ntohs(ih->un.frag.mtu);
		ihl = q->ihl * 4;
		daddr.a4 = q->daddr;
	} else {
		const struct icmp6hdr *ih;
		const struct ipv6hdr *q;

		off = sizeof(struct ipv6hdr);
		qlen = off + sizeof(*ih) + sizeof(*q);
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6 ||
		    !pskb_may_pull(skb, qlen))
			return;
		ih = (const struct icmp6hdr *)(skb->data + off);
		q = (const struct ipv6hdr *)(ih + 1);
		if (ih->icmp6_type != ICMPV6_PKT_TOOBIG)
			return;
		qproto = q->nexthdr;
		mtu = ntohl(ih->icmp6_mtu);
		ihl = sizeof(*q);
		daddr.a6 = q->daddr;
	}
	if (qproto != IPPROTO_ESP && qproto != IPPROTO_UDP)
		return;
	off += 8;	/* the quoted packet */
	if (qproto == IPPROTO_UDP) {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, off + ihl, sizeof(_uh), &_uh);
		if (!uh)
			return;
		sport = uh->source;
		dport = uh->dest;
		ihl += sizeof(*uh);
		/* espinudp-nonike: zero bytes where an SPI never is 0 */
		mk = skb_header_pointer(skb, off + ihl, sizeof(_mk), &_mk);
		if (!mk)
			return;
		nonike = !*mk;
		if (nonike)
			ihl += ESPAH_NATT_NONIKE_MARKER;
	}
	esph = skb_header_pointer(skb, off + ihl, sizeof(_esph), &_esph);
	if (!esph)
		return;
	sa = espah_sa_get(net, esph->spi, IPPROTO_ESP, family, &daddr,
			  skb->mark);
	if (!sa)
		return;
	ours = sa->dir == ESPAH_DIR_OUT && sa->mode == ESPAH_MODE_TUNNEL &&
	       (qproto == IPPROTO_UDP ?
		sa->encap.type == (nonike ? UDP_ENCAP_ESPINUDP_NON_IKE :
					    UDP_ENCAP_ESPINUDP) &&
		sa->encap.sport == sport && sa->encap.dport == dport :
		!sa->encap.type);
	espah_sa_put(sa);
	if (!ours || !icmp_csum_ok(skb, family, off - 8))
		return;
	/* Both take the quoted header at skb->data, as error handlers do. */
	__skb_pull(skb, off);
	if (family == AF_INET)
		ipv4_update_pmtu(skb, net, mtu, 0, qproto);
	else
		ip6_update_pmtu(skb, net, htonl(mtu), 0, skb->mark,
				sock_net_uid(net, NULL));
	__skb_push(skb, off);
}

