// SPDX-License-Identifier: GPL-2.0
/*
 * espah: a network namespace's espah comes and goes: its SAD, SPD, hold
 * queues, counters and /proc file, and the packet paths' hooks.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include <espah/ah.h>
#include <espah/dummy.h>
#include <espah/esp.h>
#include <espah/hold.h>
#include <espah/input.h>
#include <espah/natt.h>
#include <espah/netns.h>
#include <espah/output.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/spd.h>
#include <espah/xfrm.h>

/* IPv6 reassembly before LOCAL_IN (nf_defrag_ipv6), looked up when espah
 * loads instead of linked: a fresh host has not loaded that module, and
 * insmod must not fail for it. Without it, inbound IPv6 SAs are refused
 * (net/sa.c): fragmented IPv6 ESP would reach the native stack instead.
 */
static int (*defrag6_enable)(struct net *net);
static void (*defrag6_disable)(struct net *net);

static void defrag6_get(void)
{
	request_module("nf_defrag_ipv6");
	defrag6_enable = symbol_get(nf_defrag_ipv6_enable);
	defrag6_disable = symbol_get(nf_defrag_ipv6_disable);
	if (defrag6_enable && defrag6_disable)
		return;
	if (defrag6_enable)
		symbol_put(nf_defrag_ipv6_enable);
	if (defrag6_disable)
		symbol_put(nf_defrag_ipv6_disable);
	defrag6_enable = NULL;
	defrag6_disable = NULL;
	pr_err("espah: nf_defrag_ipv6 is not available: inbound IPv6 SAs will be refused\n");
}

static void defrag6_put(void)
{
	if (!defrag6_enable)
		return;
	symbol_put(nf_defrag_ipv6_enable);
	symbol_put(nf_defrag_ipv6_disable);
}

/* The packet paths' hooks, per namespace: output at POST_ROUTING
 * (net/output.c), input at LOCAL_IN and the policy check of forwarded
 * packets at FORWARD (net/input.c).
 */
static const struct nf_hook_ops espah_nf_ops[] = {
	{
		.hook = espah_out_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = espah_out_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_LAST - 1,
	},
	{
		.hook = espah_in_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = espah_in_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_LAST - 1,
	},
	{
		.hook = espah_fwd_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER - 1,
	},
	{
		.hook = espah_fwd_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
};

/* Register the packet hooks of a namespace (its SAD and SPD are
 * initialised already). Return: 0 or a negative errno.
 */
static int datapath_net_init(struct net *net)
{
	int err;

	/* IPv6 is reassembled only after LOCAL_IN unless defrag runs at
	 * PRE_ROUTING (IPv4 is reassembled before LOCAL_IN): without it a
	 * fragmented ESP packet would miss espah and reach the native stack.
	 */
	if (defrag6_enable) {
		err = defrag6_enable(net);
		if (err)
			return err;
		espah_pernet(net)->defrag6 = true;
	}
	err = nf_register_net_hooks(net, espah_nf_ops,
				    ARRAY_SIZE(espah_nf_ops));
	if (err)
		goto err_defrag;
	return 0;

err_defrag:
	if (espah_pernet(net)->defrag6)
		defrag6_disable(net);
	return err;
}

/* Unregister the hooks, wait for async crypto. After this no packet of
 * @net is in espah's hands: the hooks are gone (nf_unregister_net_hooks()
 * waits for running ones) and every request that went asynchronous has
 * completed.
 */
static void datapath_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, espah_nf_ops, ARRAY_SIZE(espah_nf_ops));
	if (espah_pernet(net)->defrag6)
		defrag6_disable(net);
	espah_esp_wait_inflight();
	espah_ah_wait_inflight();
}

static int __net_init espah_net_init(struct net *net)
{
	struct espah_net *en = espah_pernet(net);
	int err, cpu;

	en->net = net;
	en->stats = alloc_percpu(struct espah_pcpu_stats);
	if (!en->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(en->stats, cpu)->syncp);
	err = espah_sa_net_init(net);
	if (err)
		goto err_stats;
	espah_natt_ka_net_init(net);
	err = espah_spd_net_init(net);
	if (err)
		goto err_sa;
	espah_hold_net_init(net);
	err = datapath_net_init(net);
	if (err)
		goto err_spd;
	err = espah_stat_proc_init(net);
	if (err)
		goto err_dp;
	/* last: attaching (xfrm_if_id) carries SAs into all of the above */
	espah_xfrm_net_init(net);
	return 0;

err_dp:
	datapath_net_exit(net);
err_spd:
	espah_spd_net_exit(net);
err_sa:
	espah_sa_net_exit(net);
err_stats:
	free_percpu(en->stats);
	return err;
}

/* Before the namespace's devices go: held packets point to their routes. */
static void __net_exit espah_net_pre_exit(struct net *net)
{
	espah_hold_net_pre_exit(net);
}

static void __net_exit espah_net_exit(struct net *net)
{
	struct espah_net *en = espah_pernet(net);

	espah_xfrm_net_exit(net);
	/* before the datapath: a dummy may start async crypto */
	espah_dummy_net_exit(net);
	espah_stat_proc_exit(net);
	datapath_net_exit(net);
	espah_spd_net_exit(net);
	espah_natt_ka_net_exit(net);
	espah_sa_net_exit(net);
	free_percpu(en->stats);
}

static struct pernet_operations espah_net_ops = {
	.init = espah_net_init,
	.pre_exit = espah_net_pre_exit,
	.exit = espah_net_exit,
	.id = &espah_net_id,
	.size = sizeof(struct espah_net),
};

/**
 * espah_netns_init() - register espah's per-netns state
 *
 * Return: 0 or a negative errno.
 */
int espah_netns_init(void)
{
	int err;

	defrag6_get();
	err = register_pernet_subsys(&espah_net_ops);
	if (err)
		defrag6_put();
	return err;
}

/**
 * espah_netns_exit() - tear down every namespace's espah state
 */
void espah_netns_exit(void)
{
	unregister_pernet_subsys(&espah_net_ops);
	defrag6_put();
}
