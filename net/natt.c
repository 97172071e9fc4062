// SPDX-License-Identifier: GPL-2.0
/*
 * ESP in UDP (RFC 3948): UDP encapsulation of an SA's ESP packets, for
 * peers behind a NAT.
 *
 * Output (net/output.c): a UDP header with the SA's ports goes between the
 * (outer) IP header and ESP. Its length and checksum are written once the
 * packet is encrypted (espah_natt_finish()): 0 over IPv4 (RFC 3948 2.1
 * allows it, native XFRM sends it), computed over IPv6, where a zero
 * checksum is invalid (RFC 8200 8.1) and the peer's UDP stack would drop
 * the datagram.
 *
 * Input (net/input.c): at LOCAL_IN, before any socket, UDP to a port that
 * an inbound SA with encapsulation names is classified
 * (espah_natt_classify()); an ESP packet for such an SA loses its UDP
 * header (espah_natt_strip()) and goes through the ESP pipeline
 * (net/decap.c) as if it had come as ESP. A socket bound to the port (an
 * IKE daemon's) still gets everything else. espinudp-nonike (the older
 * draft's, native XFRM's UDP_ENCAP_ESPINUDP_NON_IKE) puts eight zero bytes
 * between the UDP header and ESP, in both directions. The UDP checksum is judged
 * first, as native XFRM's encapsulation sockets judge it (net/input.c:
 * verified when not 0; 0 is none over IPv4 and invalid over IPv6).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#include <espah/esp.h>
#include <espah/iphdr.h>
#include <espah/kunit.h>
#include <espah/natt.h>
#include <espah/sa.h>

/**
 * espah_natt_classify() - what a datagram to an encapsulation port holds
 * @data: the UDP payload, at least min(@len, 8) bytes of it
 * @len: the UDP payload's length
 *
 * RFC 3948 2.2 and 2.3, in the order native XFRM's receive side applies
 * them: a keepalive is the single byte 0xff; IKE starts with four zero
 * bytes (the non-ESP marker; no SPI is 0); anything else that can hold an
 * ESP header (SPI and sequence number) is ESP.
 *
 * Return: enum espah_natt_kind.
 */
enum espah_natt_kind espah_natt_classify(const u8 *data, unsigned int len)
{
	if (len == 1 && data[0] == 0xff)
		return ESPAH_NATT_KEEPALIVE;
	if (len >= 4 && !data[0] && !data[1] && !data[2] && !data[3])
		return ESPAH_NATT_IKE;
	if (len < ESPAH_ESP_HLEN)
		return ESPAH_NATT_SHORT;
	return ESPAH_NATT_ESP;
}

ESPAH_EXPORT_FOR_KUNIT(espah_natt_classify);

unsigned int espah_natt_hlen(const struct espah_sa *sa)
{
	switch (sa->encap.type) {
	case UDP_ENCAP_ESPINUDP:
		return sizeof(struct udphdr);
	case UDP_ENCAP_ESPINUDP_NON_IKE:
		return sizeof(struct udphdr) + ESPAH_NATT_NONIKE_MARKER;
	}
	return 0;
}

/**
 * espah_natt_push() - write the UDP header of an SA's packet
 * @skb: the packet, linear, network header at skb->data
 * @sa: the SA (with encapsulation)
 * @udp_off: where the UDP header goes
 *
 * The length and checksum are espah_natt_finish()'s, after encryption.
 */
void espah_natt_push(struct sk_buff *skb, const struct espah_sa *sa,
		     unsigned int udp_off)
{
	struct udphdr *uh = (struct udphdr *)(skb->data + udp_off);

	uh->source = sa->encap.sport;
	uh->dest = sa->encap.dport;
	uh->len = 0;
	uh->check = 0;
	/* espinudp-nonike: eight zero bytes, then ESP */
	if (sa->encap.type == UDP_ENCAP_ESPINUDP_NON_IKE)
		memset(uh + 1, 0, ESPAH_NATT_NONIKE_MARKER);
}

/**
 * espah_natt_finish() - UDP length and checksum of an encrypted packet
 * @skb: the packet, linear, its IP header at skb->data
 * @family: the IP header's family
 * @udp_off: the UDP header's offset
 *
 * Context: after the transform, synchronous or not.
 */
void espah_natt_finish(struct sk_buff *skb, u16 family, unsigned int udp_off)
{
	struct udphdr *uh = (struct udphdr *)(skb->data + udp_off);
	unsigned int len = skb->len - udp_off;
	const struct ipv6hdr *ip6h;

	uh->len = htons(len);
	uh->check = 0;
	if (family == AF_INET)
		return;
	ip6h = ipv6_hdr(skb);
	uh->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
				    IPPROTO_UDP, csum_partial(uh, len, 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
}

/* The encapsulated packet being sent on this CPU (see
 * espah_natt_xmit_begin()).
 */
static DEFINE_PER_CPU(const struct sk_buff *, natt_xmit);

/**
 * espah_natt_xmit_begin() - an encapsulated packet is about to be sent
 * @skb: the packet
 *
 * Bare ESP is recognised at POST_ROUTING as already transformed by its
 * protocol; ESP in UDP is UDP, which a protect policy may cover. While
 * ip_local_out() runs the packet synchronously through the output hooks,
 * the outbound hook lets exactly this packet pass
 * (espah_natt_xmitting()), so it is never transformed again.
 *
 * Context: BH disabled until espah_natt_xmit_end().
 */
void espah_natt_xmit_begin(const struct sk_buff *skb)
{
	__this_cpu_write(natt_xmit, skb);
}

/** espah_natt_xmit_end() - the packet of espah_natt_xmit_begin() is sent */
void espah_natt_xmit_end(void)
{
	__this_cpu_write(natt_xmit, NULL);
}

/**
 * espah_natt_xmitting() - is @skb the encapsulated packet being sent?
 * @skb: a packet at the outbound hook
 *
 * Return: true if espah sends it right now (do not transform it again).
 */
bool espah_natt_xmitting(const struct sk_buff *skb)
{
	return this_cpu_read(natt_xmit) == skb;
}

/**
 * espah_natt_sent() - an SA with encapsulation sent a packet
 * @sa: the SA
 *
 * Context: datapath. One store a jiffy at most: the cache line is not
 * written for every packet.
 */
void espah_natt_sent(struct espah_sa *sa)
{
	unsigned long now = jiffies;

	if (sa->encap.keepalive && READ_ONCE(sa->natt_tx) != now)
		WRITE_ONCE(sa->natt_tx, now);
}

/**
 * espah_natt_strip() - remove the UDP header in front of ESP
 * @skb: the packet, network header at skb->data, UDP header at @udp_off
 *	and, with its length, inside the packet
 * @family: AF_INET or AF_INET6
 * @udp_off: offset of the UDP header
 * @nhoff: offset of the byte naming UDP
 * @hlen: bytes to remove: the UDP header, and the non-IKE marker if any
 *
 * The IP header (and IPv6 extension headers) move up over the UDP header,
 * as native XFRM's encapsulation sockets do it; the packet is trimmed to
 * the UDP length and its IP header says ESP.
 *
 * Return: 0, or -ENOMEM (the packet is unchanged).
 */
int espah_natt_strip(struct sk_buff *skb, u16 family, unsigned int udp_off,
		     unsigned int nhoff, unsigned int hlen)
{
	unsigned int ulen;

	if (!pskb_may_pull(skb, udp_off + hlen))
		return -ENOMEM;
	ulen = ntohs(((struct udphdr *)(skb->data + udp_off))->len);
	if (pskb_trim(skb, udp_off + ulen) ||
	    skb_ensure_writable(skb, udp_off + hlen))
		return -ENOMEM;
	espah_ip_cut(skb, family, udp_off, hlen, nhoff, IPPROTO_ESP);
	skb_set_transport_header(skb, udp_off);
	/* the bytes moved: a CHECKSUM_COMPLETE value no longer matches */
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/**
 * espah_natt_port_get() - an inbound SA with encapsulation uses @port
 * @p: the namespace's ports
 * @port: the SA's local port (network order, not 0)
 *
 * Context: SAD mutex.
 * Return: 0, or -ENOSPC when ESPAH_NATT_PORTS other ports are in use.
 */
int espah_natt_port_get(struct espah_natt_ports *p, __be16 port)
{
	int i, free = -1;

	for (i = 0; i < ESPAH_NATT_PORTS; i++) {
		if (p->port[i] == port) {
			p->refs[i]++;
			return 0;
		}
		if (!p->port[i] && free < 0)
			free = i;
	}
	if (free < 0)
		return -ENOSPC;
	p->refs[free] = 1;
	WRITE_ONCE(p->port[free], port);
	WRITE_ONCE(p->used, p->used + 1);
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_natt_port_get);

/**
 * espah_natt_port_put() - an SA that used @port is gone
 * @p: the namespace's ports
 * @port: what espah_natt_port_get() was given
 *
 * Context: SAD mutex.
 */
void espah_natt_port_put(struct espah_natt_ports *p, __be16 port)
{
	int i;

	for (i = 0; i < ESPAH_NATT_PORTS; i++) {
		if (p->port[i] != port)
			continue;
		if (!--p->refs[i]) {
			WRITE_ONCE(p->port[i], 0);
			WRITE_ONCE(p->used, p->used - 1);
		}
		return;
	}
	WARN_ON_ONCE(1);
}

ESPAH_EXPORT_FOR_KUNIT(espah_natt_port_put);

/**
 * espah_natt_port_used() - does an inbound SA with encapsulation use @port?
 * @p: the namespace's ports
 * @port: a UDP destination port (network order)
 *
 * A racing change may give either answer; the SA lookup that follows is
 * what counts.
 *
 * Context: any.
 * Return: true if it may.
 */
bool espah_natt_port_used(const struct espah_natt_ports *p, __be16 port)
{
	int i;

	if (!READ_ONCE(p->used))
		return false;
	for (i = 0; i < ESPAH_NATT_PORTS; i++)
		if (READ_ONCE(p->port[i]) == port)
			return true;
	return false;
}

ESPAH_EXPORT_FOR_KUNIT(espah_natt_port_used);
