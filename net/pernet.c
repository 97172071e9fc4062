// SPDX-License-Identifier: GPL-2.0
/*
 * espah: per network namespace state.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/proc_fs.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include <espah/ah.h>
#include <espah/counters.h>
#include <espah/esp.h>
#include <espah/input.h>
#include <espah/kunit.h>
#include <espah/output.h>
#include <espah/pernet.h>

unsigned int espah_net_id __read_mostly;

/* /proc/net/espah_stat names: /proc/net/xfrm_stat's where one applies. */
static const char *const stat_names[ESPAH_STAT_MAX + 1] = {
#define STAT_NAME(suffix, proc, tool, desc) \
	[ESPAH_STAT_##suffix] = proc,
	ESPAH_STATS(STAT_NAME)
#undef STAT_NAME
};

static int stat_show(struct seq_file *seq, void *v)
{
	u64 val[ESPAH_STAT_MAX + 1];
	int i;

	espah_stats_sum(seq_file_single_net(seq), val);
	for (i = 0; i <= ESPAH_STAT_MAX; i++)
		if (stat_names[i])
			seq_printf(seq, "%-24s\t%llu\n", stat_names[i], val[i]);
	return 0;
}

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

/*
 * datapath_net_init() - register the packet hooks of a namespace
 * @net: the namespace (its SAD and SPD are initialised already)
 *
 * Return: 0 or a negative errno.
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

/*
 * datapath_net_exit() - unregister the hooks, wait for async crypto
 * @net: the namespace
 *
 * After this no packet of @net is in espah's hands: the hooks are gone
 * (nf_unregister_net_hooks() waits for running ones) and every request
 * that went asynchronous has completed.
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
	err = espah_spd_net_init(net);
	if (err)
		goto err_sa;
	espah_hold_net_init(net);
	err = datapath_net_init(net);
	if (err)
		goto err_spd;
	if (!proc_create_net_single("espah_stat", 0444, net->proc_net,
				    stat_show, NULL)) {
		err = -ENOMEM;
		goto err_dp;
	}
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

	remove_proc_entry("espah_stat", net->proc_net);
	datapath_net_exit(net);
	espah_spd_net_exit(net);
	espah_sa_net_exit(net);
	free_percpu(en->stats);
}

/**
 * espah_stats_sum() - read a namespace's global counters summed over CPUs
 * @net: namespace
 * @v: out, ESPAH_STAT_MAX + 1 values indexed by enum espah_stat
 */
void espah_stats_sum(const struct net *net, u64 *v)
{
	struct espah_net *en = espah_pernet(net);
	int cpu, i;

	memset(v, 0, sizeof(u64) * (ESPAH_STAT_MAX + 1));
	for_each_possible_cpu(cpu) {
		const struct espah_pcpu_stats *st = per_cpu_ptr(en->stats, cpu);
		u64 tmp[ESPAH_STAT_MAX + 1];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			for (i = 0; i <= ESPAH_STAT_MAX; i++)
				tmp[i] = u64_stats_read(&st->v[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i <= ESPAH_STAT_MAX; i++)
			v[i] += tmp[i];
	}
}

ESPAH_EXPORT_FOR_KUNIT(espah_stats_sum);

static struct pernet_operations espah_net_ops = {
	.init = espah_net_init,
	.pre_exit = espah_net_pre_exit,
	.exit = espah_net_exit,
	.id = &espah_net_id,
	.size = sizeof(struct espah_net),
};

/**
 * espah_pernet_init() - register espah's per-netns state
 *
 * Return: 0 or a negative errno.
 */
int espah_pernet_init(void)
{
	int err;

	defrag6_get();
	err = register_pernet_subsys(&espah_net_ops);
	if (err)
		defrag6_put();
	return err;
}

/**
 * espah_pernet_exit() - tear down every namespace's espah state
 */
void espah_pernet_exit(void)
{
	unregister_pernet_subsys(&espah_net_ops);
	defrag6_put();
}
