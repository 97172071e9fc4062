// SPDX-License-Identifier: GPL-2.0
/*
 * espah: generic netlink family.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/espah.h>

#include <espah/netlink.h>
#include <espah/pernet.h>

static const struct nla_policy espah_policy[ESPAH_A_MAX + 1] = {
	[ESPAH_A_SA_SPI] = { .type = NLA_U32 },
};

static const struct genl_multicast_group espah_mcgrps[] = {
	{ .name = ESPAH_MCGRP_SA, },
	{ .name = ESPAH_MCGRP_POLICY, },
	{ .name = ESPAH_MCGRP_ACQUIRE, },
};

static int espah_features_get(struct sk_buff *skb, struct genl_info *info);

static const struct genl_small_ops espah_ops[] = {
	{
		.cmd = ESPAH_CMD_FEATURES_GET,
		.doit = espah_features_get,
	},
};

static struct genl_family espah_family __ro_after_init = {
	.name = ESPAH_GENL_NAME,
	.version = ESPAH_GENL_VERSION,
	.maxattr = ESPAH_A_MAX,
	.policy = espah_policy,
	/* New family: strict validation for every command (6.1 WARNs otherwise). */
	.resv_start_op = ESPAH_CMD_MAX + 1,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = espah_ops,
	.n_small_ops = ARRAY_SIZE(espah_ops),
	.mcgrps = espah_mcgrps,
	.n_mcgrps = ARRAY_SIZE(espah_mcgrps),
};

static int espah_features_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &espah_family, 0,
				ESPAH_CMD_FEATURES_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, ESPAH_A_VERSION, THIS_MODULE->version) ||
	    nla_put_u32(msg, ESPAH_A_WINDOW_MAX, ESPAH_REPLAY_WINDOW_MAX))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * espah_netlink_init() - register the espah generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int espah_netlink_init(void)
{
	return genl_register_family(&espah_family);
}

/**
 * espah_netlink_exit() - unregister the family
 */
void espah_netlink_exit(void)
{
	genl_unregister_family(&espah_family);
}
