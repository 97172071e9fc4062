// SPDX-License-Identifier: GPL-2.0
/*
 * espah: module init and exit.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>

#include <espah/decap.h>
#include <espah/esp.h>
#include <espah/netlink.h>
#include <espah/netns.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/secpath.h>
#include <espah/xfrm.h>

static int __init espah_init(void)
{
	int err;

	err = espah_sa_module_init();
	if (err)
		goto err_out;
	err = espah_decap_module_init();
	if (err)
		goto err_sa;
	err = espah_netns_init();
	if (err)
		goto err_in;
	err = espah_netlink_init();
	if (err)
		goto err_pernet;
	/* last: from here native XFRM tells espah about SAs and policies */
	espah_xfrm_module_init();
	pr_info("espah: loaded\n");
	return 0;

err_pernet:
	espah_netns_exit();
err_in:
	espah_decap_module_exit();
err_sa:
	espah_sa_module_exit();
	espah_esp_module_exit();
err_out:
	return err;
}

static void __exit espah_exit(void)
{
	espah_xfrm_module_exit();
	espah_netlink_exit();
	espah_netns_exit();
	espah_decap_module_exit();
	/* SAs are freed from a workqueue after a grace period, policies
	 * through kfree_rcu: wait for all of them.
	 */
	espah_sa_module_exit();
	espah_secpath_module_exit();
	espah_esp_module_exit();
	pr_info("espah: unloaded\n");
}

module_init(espah_init);
module_exit(espah_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("espah: ESP/AH IPsec datapath with its own SAD/SPD");
MODULE_VERSION("0.1");
