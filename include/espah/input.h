/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inbound hooks (net/input.c), registered per namespace by
 * net/pernet.c.
 */
#ifndef _ESPAH_INPUT_H
#define _ESPAH_INPUT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

unsigned int espah_in_hook(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *state);
unsigned int espah_fwd_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);

#endif /* _ESPAH_INPUT_H */
