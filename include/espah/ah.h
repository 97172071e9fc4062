/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AH framing (RFC 4302): the header, the mutable-field rules of the ICV
 * computation (section 3.3.3 and appendix A), and the one crypto request
 * per packet. Used by the packet paths (net/output.c, net/input.c); the
 * pure zeroing helpers are tested by kunit/ah_test.c.
 */
#ifndef _ESPAH_AH_H
#define _ESPAH_AH_H

#include <linux/ip.h>
#include <linux/types.h>

#include <espah/esp.h>

struct espah_sa;
struct sk_buff;

/** ESPAH_AH_HLEN - next header, payload length, reserved, SPI, sequence */
#define ESPAH_AH_HLEN		sizeof(struct ip_auth_hdr)

unsigned int espah_ah_hlen(const struct espah_sa *sa, u16 family);
bool espah_ah_hlen_ok(const struct espah_sa *sa, u16 family,
		      unsigned int len);
int espah_ah_ip4_mutable(u8 *hdr, unsigned int len);
int espah_ah_ip6_mutable(u8 *hdr, unsigned int len);
int espah_ah_output(struct espah_sa *sa, struct sk_buff *skb,
		    const struct espah_esp_state *st, u8 nexthdr,
		    espah_esp_done_t done);
int espah_ah_input(struct espah_sa *sa, struct sk_buff *skb,
		   const struct espah_esp_state *st, espah_esp_done_t done);
void espah_ah_wait_inflight(void);

#endif /* _ESPAH_AH_H */
