// SPDX-License-Identifier: GPL-2.0
/*
 * espah: native xfrm interfaces in front of espah's own SAs and policies.
 *
 * An xfrm interface (the xfrm_interface module: ip link add ipsec0 type
 * xfrm dev eth0 if_id N) is native XFRM's device for route-based IPsec: what
 * is routed into it is protected by the policies and SAs with its if_id,
 * what those SAs decapsulate is received on it. espah's own objects may
 * carry an if_id with the same meaning: espah's POST_ROUTING hook takes the
 * packets routed into the interface before its transmit function runs
 * (native finds no policy of its own there and would drop them), and the
 * packets an SA with an if_id decapsulates are re-injected as received on
 * the interface, counted there as the interface counts its own.
 *
 * The interface is recognised by its link kind ("xfrm") and read through
 * struct xfrm_if, as the native module lays it out (include/net/xfrm.h);
 * interfaces in external mode (collect_md: the if_id comes with each
 * packet's metadata) are left to native XFRM.
 */
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <net/rtnetlink.h>
#include <net/xfrm.h>

#include <espah/xfrmi.h>

static bool is_xfrmi(const struct net_device *dev)
{
	return dev && dev->rtnl_link_ops && dev->rtnl_link_ops->kind &&
	       !strcmp(dev->rtnl_link_ops->kind, "xfrm");
}

/**
 * espah_xfrmi_if_id() - the if_id of a native xfrm interface
 * @dev: a device, or NULL
 *
 * Return: its if_id, or 0 if @dev is no xfrm interface (or one in external
 * mode, whose packets carry their own).
 */
u32 espah_xfrmi_if_id(const struct net_device *dev)
{
	const struct xfrm_if *xi;

	if (!is_xfrmi(dev))
		return 0;
	xi = netdev_priv(dev);
	return xi->p.collect_md ? 0 : xi->p.if_id;
}

/**
 * espah_xfrmi_dev() - the xfrm interface of an if_id in a namespace
 * @net: namespace
 * @if_id: not 0
 *
 * A walk over the namespace's devices: gateways have few, and the native
 * module's own table of interfaces is its private state.
 *
 * Context: rcu_read_lock() held; the device is valid until it is dropped.
 * Return: the interface, or NULL.
 */
struct net_device *espah_xfrmi_dev(struct net *net, u32 if_id)
{
	struct net_device *dev;

	for_each_netdev_rcu(net, dev)
		if (espah_xfrmi_if_id(dev) == if_id)
			return dev;
	return NULL;
}

/**
 * espah_xfrmi_rx() - a decapsulated packet as received on an interface
 * @skb: the packet, ready to be re-injected
 * @dev: the xfrm interface (under RCU)
 *
 * Counted in the interface's receive counters, as its own packets are.
 */
void espah_xfrmi_rx(struct sk_buff *skb, struct net_device *dev)
{
	skb->dev = dev;
	skb->skb_iif = dev->ifindex;
	dev_sw_netstats_rx_add(dev, skb->len);
}

/**
 * espah_xfrmi_tx() - count a packet espah took from an interface
 * @dev: the xfrm interface it was routed into
 * @len: its length before protection, as the interface counts it
 */
void espah_xfrmi_tx(struct net_device *dev, unsigned int len)
{
	dev_sw_netstats_tx_add(dev, 1, len);
}
