/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An edit of IP headers that the inbound paths share: removing ESP/AH in
 * transport mode (net/decap.c) and the UDP of ESP in UDP (net/natt.c).
 * Header-only: both files sit at different depths of the tree.
 */
#ifndef _ESPAH_IPHDR_H
#define _ESPAH_IPHDR_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/ip.h>

/**
 * espah_ip_cut() - remove a header from inside a packet
 * @skb: the packet, linear and writable up to @off + @len, IP header at
 *	skb->data
 * @family: AF_INET or AF_INET6
 * @off: offset of the header to remove (everything before it is IP)
 * @len: its length
 * @nhoff: offset of the byte that named the removed header
 * @proto: what that byte names now
 *
 * The IP header (and IPv6 extension headers) move up over the removed
 * bytes; the IP length (and the IPv4 checksum) follow. The caller sets
 * the transport header.
 */
static inline void espah_ip_cut(struct sk_buff *skb, u16 family,
				unsigned int off, unsigned int len,
				unsigned int nhoff, u8 proto)
{
	memmove(skb->data + len, skb->data, off);
	__skb_pull(skb, len);
	skb_reset_network_header(skb);
	skb->data[nhoff] = proto;
	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

#endif /* _ESPAH_IPHDR_H */
