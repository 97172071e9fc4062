// SPDX-License-Identifier: GPL-2.0
/*
 * espah: module init and exit.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>

#include <espah/netlink.h>
#include <espah/pernet.h>

static int __init espah_init(void)
{
	int err;

	err = espah_pernet_init();
	if (err)
		goto err_out;
	err = espah_netlink_init();
	if (err)
		goto err_pernet;
	pr_info("espah: loaded\n");
	return 0;

err_pernet:
	espah_pernet_exit();
err_out:
	return err;
}

static void __exit espah_exit(void)
{
	espah_netlink_exit();
	espah_pernet_exit();
	/* SAs and policies are freed through call_rcu: wait for all of them. */
	rcu_barrier();
	pr_info("espah: unloaded\n");
}

module_init(espah_init);
module_exit(espah_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("espah: ESP/AH IPsec datapath with its own SAD/SPD");
MODULE_VERSION("0.1");
