// SPDX-License-Identifier: GPL-2.0
/*
 * espah: per network namespace state and its counters
 * (/proc/net/espah_stat). Its setup and teardown: net/netns.c.
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

/**
 * espah_stat_proc_init() - create the namespace's /proc/net/espah_stat
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int espah_stat_proc_init(struct net *net)
{
	if (!proc_create_net_single("espah_stat", 0444, net->proc_net,
				    stat_show, NULL))
		return -ENOMEM;
	return 0;
}

/**
 * espah_stat_proc_exit() - remove it
 * @net: the namespace
 */
void espah_stat_proc_exit(struct net *net)
{
	remove_proc_entry("espah_stat", net->proc_net);
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
