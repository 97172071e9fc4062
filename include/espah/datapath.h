/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet paths: netfilter hooks per network namespace.
 *
 * Outbound (net/output.c) at NF_INET_POST_ROUTING, inbound ESP
 * (net/input.c) at NF_INET_LOCAL_IN, the inbound policy check for
 * forwarded cleartext at NF_INET_FORWARD; IPv4 and IPv6 each.
 */
#ifndef _ESPAH_DATAPATH_H
#define _ESPAH_DATAPATH_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct espah_flow;
struct espah_policy;
struct espah_sa;
struct tcphdr;

int espah_datapath_net_init(struct net *net);
void espah_datapath_net_exit(struct net *net);
int espah_in_module_init(void);
void espah_in_module_exit(void);

int espah_skb_flow(const struct sk_buff *skb, u16 family,
		   struct espah_flow *fl);
bool espah_flow_bypass(const struct espah_flow *fl);
bool espah_sk_bypass_out(const struct sk_buff *skb);
bool espah_sk_bypass_in(struct net *net, const struct sk_buff *skb,
			const struct espah_flow *fl);
void espah_ct_confirm(struct sk_buff *skb);
bool espah_out_held(struct net *net, const struct espah_policy *pol,
		    struct sk_buff *skb, u16 family);

unsigned int espah_outer_hlen(const struct espah_sa *sa);
unsigned int espah_out_limit(const struct espah_sa *sa, unsigned int mtu,
			     unsigned int hdr, u16 family);
unsigned int espah_tcp_opt_clamp(struct tcphdr *th, u16 mss, u16 *old);
void espah_mss_clamp(struct net *net, struct sk_buff *skb, u16 family,
		     unsigned int limit);

unsigned int espah_in_hook(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *state);
unsigned int espah_fwd_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);
unsigned int espah_out_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);

#endif /* _ESPAH_DATAPATH_H */
