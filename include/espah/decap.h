/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inbound pipeline of ESP and AH (net/decap.c).
 */
#ifndef _ESPAH_DECAP_H
#define _ESPAH_DECAP_H

#include <linux/skbuff.h>

struct espah_natt_src;
struct espah_sa;
struct net;

unsigned int espah_decap(struct net *net, struct sk_buff *skb, u16 family,
			 u8 proto, unsigned int off, unsigned int nhoff);
unsigned int espah_decap_sa(struct net *net, struct sk_buff *skb, u16 family,
			    struct espah_sa *sa, unsigned int off,
			    unsigned int nhoff,
			    const struct espah_natt_src *natt);
unsigned int espah_decap_frag(struct net *net, struct sk_buff *skb,
			      u16 family, unsigned int off);
int espah_decap_module_init(void);
void espah_decap_module_exit(void);

#endif /* _ESPAH_DECAP_H */
