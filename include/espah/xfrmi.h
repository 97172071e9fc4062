/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native xfrm interfaces (ip link add NAME type xfrm if_id N) in front of
 * espah's own SAs and policies: route-based IPsec (net/xfrmi.c).
 */
#ifndef _ESPAH_XFRMI_H
#define _ESPAH_XFRMI_H

#include <linux/types.h>

struct net;
struct net_device;
struct sk_buff;

u32 espah_xfrmi_if_id(const struct net_device *dev);
struct net_device *espah_xfrmi_dev(struct net *net, u32 if_id);
void espah_xfrmi_rx(struct sk_buff *skb, struct net_device *dev);
void espah_xfrmi_tx(struct net_device *dev, unsigned int len);

#endif /* _ESPAH_XFRMI_H */
