// SPDX-License-Identifier: GPL-2.0
/*
 * How much room an SA's transform takes: the outer header of a tunnel
 * SA, and the largest packet that still fits a path MTU once
 * encapsulated (used by output's fragmentation and PMTU decisions and by
 * the MSS clamp of both paths).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/math.h>

#include <espah/ah.h>
#include <espah/esp.h>
#include <espah/mtu.h>
#include <espah/natt.h>
#include <espah/sa.h>

/**
 * espah_outer_hlen() - the outer IP header a tunnel SA adds
 * @sa: the SA
 *
 * Return: its size in bytes; 0 in transport mode.
 */
unsigned int espah_outer_hlen(const struct espah_sa *sa)
{
	if (sa->mode != ESPAH_MODE_TUNNEL)
		return 0;
	return sa->family == AF_INET ? sizeof(struct iphdr) :
				       sizeof(struct ipv6hdr);
}

/**
 * espah_out_limit() - largest packet an SA carries without fragmenting
 * @sa: the SA (ESP or AH)
 * @mtu: the MTU of the path the encapsulated packet takes
 * @hdr: outer IP header bytes (tunnel mode), 0 in transport mode
 * @family: the family of the header the transform follows
 *
 * Return: the largest packet (its IP header included) that fits @mtu once
 * encapsulated, or 0.
 */
unsigned int espah_out_limit(const struct espah_sa *sa, unsigned int mtu,
			     unsigned int hdr, u16 family)
{
	const struct espah_crypto *c = &sa->crypto;
	unsigned int room = espah_esp_hlen(sa) + espah_natt_hlen(sa) +
			    c->icv_len + hdr;

	if (sa->proto == IPPROTO_AH) {
		room = espah_ah_hlen(sa, family) + hdr;
		return mtu > room ? mtu - room : 0;
	}
	if (mtu <= room + c->block_size)
		return 0;
	return rounddown(mtu - room, c->block_size) - ESPAH_ESP_TRAILER;
}
