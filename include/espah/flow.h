/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet's flow and whether the policies apply to it (net/flow.c).
 */
#ifndef _ESPAH_FLOW_H
#define _ESPAH_FLOW_H

#include <linux/skbuff.h>

struct espah_flow;
struct net;

int espah_skb_flow(const struct sk_buff *skb, u16 family,
		   struct espah_flow *fl);
int espah_skb_icmp_flow(const struct sk_buff *skb, u16 family,
			struct espah_flow *fl);
bool espah_flow_bypass(const struct espah_flow *fl);
bool espah_sk_bypass_out(const struct sk_buff *skb);
bool espah_sk_bypass_in(struct net *net, const struct sk_buff *skb,
			const struct espah_flow *fl);
void espah_ct_confirm(struct sk_buff *skb);

#endif /* _ESPAH_FLOW_H */
