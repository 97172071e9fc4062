/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outbound hook (net/output.c), registered per namespace by
 * net/pernet.c, and the way held packets (net/hold.c) are sent.
 */
#ifndef _ESPAH_OUTPUT_H
#define _ESPAH_OUTPUT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct dst_entry;
struct espah_policy;
struct espah_sa;
struct net;

unsigned int espah_out_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);
bool espah_out_held(struct net *net, const struct espah_policy *pol,
		    struct sk_buff *skb, u16 family);
struct dst_entry *espah_out_route_lookup(struct net *net,
					 const struct espah_sa *sa, u32 mark);
void espah_out_dummy(struct espah_sa *sa);

#endif /* _ESPAH_OUTPUT_H */
