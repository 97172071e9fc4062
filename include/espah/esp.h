/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP framing (RFC 4303): header, IV, padding and trailer, and the one
 * crypto request per packet. Used by the packet paths (net/output.c,
 * net/input.c); the pure trailer helpers are tested by kunit/esp_test.c.
 */
#ifndef _ESPAH_ESP_H
#define _ESPAH_ESP_H

#include <linux/ip.h>
#include <linux/types.h>

#include <espah/natt.h>

struct espah_sa;
struct net;
struct sk_buff;

/** ESPAH_ESP_HLEN - SPI and sequence number */
#define ESPAH_ESP_HLEN		sizeof(struct ip_esp_hdr)
/** ESPAH_ESP_TRAILER - pad length and next header bytes */
#define ESPAH_ESP_TRAILER	2

/**
 * struct espah_esp_state - what a packet path needs again after crypto
 * @net: the namespace the packet is processed in (pinned by the in-flight
 *	count, see espah_datapath_net_exit())
 * @seq: full 64-bit sequence number of the packet
 * @esp_off: offset of the ESP header from skb->data
 * @nhoff: inbound transport mode: offset of the byte naming the protocol
 *	that follows the IP header(s), to restore the inner protocol
 * @family: AF_INET or AF_INET6 of the packet's (outer) IP header
 * @outer_dsfield: inbound: DS field of the outer header (ECN decap)
 * @natt: inbound: the packet came in UDP (RFC 3948), from @natt_src
 * @natt_src: where, for the NAT mapping check (net/natt_map.c)
 * @dummy: outbound: a dummy packet (RFC 4303 2.6, net/dummy.c)
 * @next: outbound bundle: the SA to apply after this one (a reference
 *	the state owns), or NULL. Also used for AH (net/ah.c).
 */
struct espah_esp_state {
	struct espah_sa *next;
	struct net *net;
	u64 seq;
	u32 esp_off;	/* IPv6 extension headers can reach past 64 KiB */
	u32 nhoff;
	u16 family;
	u8 outer_dsfield;
	bool natt;
	bool dummy;
	struct espah_natt_src natt_src;
};

/**
 * typedef espah_esp_done_t - completion of an asynchronous ESP operation
 * @skb: the packet
 * @sa: the SA (the caller's reference, still held)
 * @st: the state the caller passed in
 * @err: 0, -EBADMSG (ICV mismatch on decrypt) or another error
 *
 * Called only when espah_esp_encrypt() or espah_esp_decrypt() returned
 * -EINPROGRESS; owns @skb and the SA reference from then on.
 */
typedef void (*espah_esp_done_t)(struct sk_buff *skb, struct espah_sa *sa,
				 const struct espah_esp_state *st, int err);

unsigned int espah_esp_padlen(unsigned int len, unsigned int align);
void espah_esp_trailer_fill(u8 *tail, unsigned int padlen, u8 nexthdr);
int espah_esp_trailer_check(const u8 *pt, unsigned int len, u8 *nexthdr,
			    unsigned int *padlen);
unsigned int espah_esp_tailroom(const struct espah_sa *sa);
unsigned int espah_esp_hlen(const struct espah_sa *sa);
int espah_esp_encrypt(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, u8 nexthdr,
		      espah_esp_done_t done);
int espah_esp_decrypt(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, espah_esp_done_t done);
void espah_esp_wait_inflight(void);
void espah_esp_module_exit(void);

#endif /* _ESPAH_ESP_H */
