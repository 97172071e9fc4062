/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors about espah's own ESP packets (net/icmp.c).
 */
#ifndef _ESPAH_ICMP_H
#define _ESPAH_ICMP_H

#include <linux/skbuff.h>

struct net;

void espah_icmp_pmtu(struct net *net, struct sk_buff *skb, u16 family);

#endif /* _ESPAH_ICMP_H */
