/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSS option of TCP SYNs an SA carries (net/mss.c).
 */
#ifndef _ESPAH_MSS_H
#define _ESPAH_MSS_H

#include <linux/skbuff.h>

struct net;
struct tcphdr;

unsigned int espah_tcp_opt_clamp(struct tcphdr *th, u16 mss, u16 *old);
void espah_mss_clamp(struct net *net, struct sk_buff *skb, u16 family,
		     unsigned int limit);

#endif /* _ESPAH_MSS_H */
