// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: the family (its operations, policies and groups are
 * generated from Documentation/netlink/specs/espah.yaml into
 * net/netlink/spec.c), and the counters and features queries.
 */
#include <linux/module.h>

#include <espah/crypto.h>

#include "nl.h"

int espah_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u64 v[ESPAH_STAT_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int i;

	espah_stats_sum(genl_info_net(info), v);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &espah_nl_family, 0,
				ESPAH_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, ESPAH_A_STATS);
	if (!nest)
		goto nospace;
	for (i = ESPAH_STAT_UNSPEC + 1; i <= ESPAH_STAT_MAX; i++) {
		if (i == ESPAH_STAT_PAD)
			continue;
		if (nla_put_u64_64bit(msg, i, v[i], ESPAH_STAT_PAD))
			goto nospace;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int put_alg(struct sk_buff *msg, const struct espah_alg *alg)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, ESPAH_A_ALG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, ESPAH_ALG_NAME, alg->name) ||
	    nla_put_u8(msg, ESPAH_ALG_KIND, alg->kind))
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(alg->key_bits) && alg->key_bits[i]; i++)
		if (nla_put_u32(msg, ESPAH_ALG_KEY_BITS, alg->key_bits[i]))
			goto cancel;
	for (i = 0; i < ARRAY_SIZE(alg->icv_bits) && alg->icv_bits[i]; i++)
		if (nla_put_u32(msg, ESPAH_ALG_ICV_BITS, alg->icv_bits[i]))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

int espah_nl_features_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct espah_alg *alg;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &espah_nl_family, 0,
				ESPAH_CMD_FEATURES_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, ESPAH_A_VERSION, THIS_MODULE->version) ||
	    nla_put_u32(msg, ESPAH_A_WINDOW_MAX, ESPAH_REPLAY_WINDOW_MAX) ||
	    nla_put_u32(msg, ESPAH_A_FEATURES, ESPAH_FEAT_ESP | ESPAH_FEAT_AH |
			ESPAH_FEAT_BUNDLE | ESPAH_FEAT_ESN |
			ESPAH_FEAT_TUNNEL_MIXED | ESPAH_FEAT_ASYNC |
			ESPAH_FEAT_LIFETIME | ESPAH_FEAT_SEQ_SOFT |
			ESPAH_FEAT_ACQUIRE | ESPAH_FEAT_HOLD |
			ESPAH_FEAT_REORDER | ESPAH_FEAT_STAT_PROC |
			ESPAH_FEAT_MSS_CLAMP | ESPAH_FEAT_XFRM |
			ESPAH_FEAT_NATT | ESPAH_FEAT_KEY_EXPORT |
			ESPAH_FEAT_NATT_MAPPING |
			ESPAH_FEAT_NATT_KEEPALIVE | ESPAH_FEAT_TUNHDR |
			ESPAH_FEAT_TFC | ESPAH_FEAT_ICMP |
			ESPAH_FEAT_TMPL_OPTIONAL | ESPAH_FEAT_WILDRECV |
			ESPAH_FEAT_NATT_NONIKE | ESPAH_FEAT_MARK |
			ESPAH_FEAT_XFRMI | ESPAH_FEAT_DUMMY) ||
	    nla_put_u32(msg, ESPAH_A_HOLD_MAX, ESPAH_HOLD_MAX))
		goto nospace;
	for (i = 0; (alg = espah_alg_get(i)); i++)
		if (put_alg(msg, alg))
			goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Every command but the features query needs CAP_NET_ADMIN in the user
 * namespace owning the network namespace, reads included (SPIs, peers,
 * selectors, sequence numbers and counters are the namespace's secrets),
 * as for native XFRM's NETLINK_XFRM; so do the multicast groups (acquire
 * events carry other users' flows). The spec says so (uns-admin-perm,
 * cap-net-admin) and scripts/nlspec.py check holds it to that.
 *
 * No family-wide policy: each operation has its own over all of
 * enum espah_attr, so that an attribute another command takes is refused
 * by name rather than ignored.
 */
struct genl_family espah_nl_family __ro_after_init = {
	.name = ESPAH_GENL_NAME,
	.version = ESPAH_GENL_VERSION,
	.maxattr = ESPAH_A_MAX,
	/* .resv_start_op stays 0, as genetlink.h asks of new families: every
	 * command gets strict validation, reserved header bytes included.
	 * (6.1 WARNs only for ops that also set GENL_DONT_VALIDATE_* flags.)
	 */
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = espah_nl_ops,
	.n_ops = ARRAY_SIZE(espah_nl_ops),
	.mcgrps = espah_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(espah_nl_mcgrps),
};

/**
 * espah_netlink_init() - register the espah generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int espah_netlink_init(void)
{
	int err = genl_register_family(&espah_nl_family);

	if (!err)
		WRITE_ONCE(espah_nl_up, true);
	return err;
}

/**
 * espah_netlink_exit() - unregister the family
 */
void espah_netlink_exit(void)
{
	WRITE_ONCE(espah_nl_up, false);
	synchronize_rcu();
	genl_unregister_family(&espah_nl_family);
}
