/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP in UDP (RFC 3948, NAT traversal): the UDP header an SA with
 * encapsulation adds on output, what a datagram to an encapsulation port
 * holds on input, and the per-namespace set of those ports (net/natt.c).
 */
#ifndef _ESPAH_NATT_H
#define _ESPAH_NATT_H

#include <linux/in6.h>
#include <linux/types.h>
#include <linux/udp.h>

struct espah_sa;
struct sk_buff;

/**
 * struct espah_encap - an SA's UDP encapsulation (ESPAH_A_SA_ENCAP)
 * @type: UDP_ENCAP_ESPINUDP, UDP_ENCAP_ESPINUDP_NON_IKE, or 0: none
 * @has_oa: @oa was given
 * @sport: UDP source port of the SA's packets, network order
 * @dport: UDP destination port of the SA's packets, network order
 * @oa: original address (ip xfrm's OADDR), kept for the dump only
 * @keepalive: outbound: NAT keepalive interval in seconds, 0: none
 */
struct espah_encap {
	u16 type;
	bool has_oa;
	__be16 sport;
	__be16 dport;
	union {
		__be32 a4;
		struct in6_addr a6;
	} oa;
	u32 keepalive;
};

/* Distinct local encapsulation ports per namespace. */
#define ESPAH_NATT_PORTS	8

/**
 * struct espah_natt_ports - the local UDP ports inbound SAs with
 *	encapsulation use, so that other UDP costs the input hook one read
 * @port: in use (network order), 0 = free slot; read without a lock
 * @refs: SAs using @port[i] (SAD mutex)
 * @used: slots in use; 0 makes the input hook skip UDP at once
 */
struct espah_natt_ports {
	__be16 port[ESPAH_NATT_PORTS];
	u32 refs[ESPAH_NATT_PORTS];
	unsigned int used;
};

/**
 * enum espah_natt_kind - what a UDP datagram to an encapsulation port holds
 * @ESPAH_NATT_ESP: an ESP packet (its first 4 bytes are the SPI)
 * @ESPAH_NATT_KEEPALIVE: a NAT keepalive, the single byte 0xff (RFC 3948 2.3)
 * @ESPAH_NATT_IKE: starts with the 4-byte non-ESP marker (RFC 3948 2.2)
 * @ESPAH_NATT_SHORT: none of these, shorter than an ESP header
 */
enum espah_natt_kind {
	ESPAH_NATT_ESP,
	ESPAH_NATT_KEEPALIVE,
	ESPAH_NATT_IKE,
	ESPAH_NATT_SHORT,
};

enum espah_natt_kind espah_natt_classify(const u8 *data, unsigned int len);

/**
 * espah_natt_hlen() - bytes an SA's encapsulation adds in front of ESP
 * @sa: the SA
 *
 * Return: the UDP header's size (with espinudp-nonike's marker), or 0
 * without encapsulation.
 */
unsigned int espah_natt_hlen(const struct espah_sa *sa);

/* espinudp-nonike: the zero bytes between the UDP header and ESP */
#define ESPAH_NATT_NONIKE_MARKER	8

void espah_natt_push(struct sk_buff *skb, const struct espah_sa *sa,
		     unsigned int udp_off);
void espah_natt_finish(struct sk_buff *skb, u16 family, unsigned int udp_off);
bool espah_natt_xmitting(const struct sk_buff *skb);
void espah_natt_xmit_begin(const struct sk_buff *skb);
void espah_natt_xmit_end(void);
int espah_natt_strip(struct sk_buff *skb, u16 family, unsigned int udp_off,
		     unsigned int nhoff, unsigned int hlen);

int espah_natt_port_get(struct espah_natt_ports *p, __be16 port);
void espah_natt_port_put(struct espah_natt_ports *p, __be16 port);
bool espah_natt_port_used(const struct espah_natt_ports *p, __be16 port);

/**
 * struct espah_natt_src - where an ESP-in-UDP packet came from
 * @addr: outer source address
 * @port: UDP source port (network order)
 */
struct espah_natt_src {
	union {
		__be32 a4;
		struct in6_addr a6;
	} addr;
	__be16 port;
};

struct espah_esp_state;
struct net;
struct work_struct;

bool espah_natt_mapping_check(struct espah_sa *sa,
			      const struct espah_esp_state *st, bool top,
			      __be16 *old_port, bool *updated);
void espah_natt_mapping(struct net *net, struct espah_sa *sa,
			const struct espah_esp_state *st, __be16 old_port,
			bool updated);

void espah_natt_sent(struct espah_sa *sa);
void espah_natt_ka_kick(struct net *net);
void espah_natt_ka_net_init(struct net *net);
void espah_natt_ka_net_exit(struct net *net);

#endif /* _ESPAH_NATT_H */
