// SPDX-License-Identifier: GPL-2.0
/*
 * espah: per network namespace state.
 */
#include <espah/pernet.h>

unsigned int espah_net_id __read_mostly;

static int __net_init espah_net_init(struct net *net)
{
	struct espah_net *en = espah_pernet(net);

	en->net = net;
	return 0;
}

static void __net_exit espah_net_exit(struct net *net)
{
}

static struct pernet_operations espah_net_ops = {
	.init = espah_net_init,
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
	return register_pernet_subsys(&espah_net_ops);
}

/**
 * espah_pernet_exit() - tear down every namespace's espah state
 */
void espah_pernet_exit(void)
{
	unregister_pernet_subsys(&espah_net_ops);
}
