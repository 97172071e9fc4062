// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: attaching a namespace to native XFRM (net/xfrm/ is the
 * bridge itself).
 */
#include <espah/xfrm.h>

#include "nl.h"

int espah_nl_xfrm_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	u32 mark = 0, mask = 0;

	if (MISSING(info->extack, NULL, tb, ESPAH_A_XFRM_IF_ID))
		return -EINVAL;
	if (tb[ESPAH_A_XFRM_MARK])
		mark = nla_get_u32(tb[ESPAH_A_XFRM_MARK]);
	if (tb[ESPAH_A_XFRM_MASK])
		mask = nla_get_u32(tb[ESPAH_A_XFRM_MASK]);
	if (mark & ~mask)
		return BAD(info->extack, tb[ESPAH_A_XFRM_MARK],
			   "ESPAH_A_XFRM_MARK: bits outside ESPAH_A_XFRM_MASK");
	return espah_xfrm_attach(genl_info_net(info),
				 nla_get_u32(tb[ESPAH_A_XFRM_IF_ID]), mark,
				 mask, info->extack);
}

int espah_nl_xfrm_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	return espah_xfrm_detach(genl_info_net(info), info->extack);
}

int espah_nl_xfrm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 if_id, mark, mask, nsas, npols;
	struct sk_buff *msg;
	void *hdr;

	espah_xfrm_get(genl_info_net(info), &if_id, &mark, &mask, &nsas,
		       &npols);
	msg = genlmsg_new(5 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &espah_nl_family, 0,
				ESPAH_CMD_XFRM_GET);
	if (!hdr ||
	    (if_id && (nla_put_u32(msg, ESPAH_A_XFRM_IF_ID, if_id) ||
		       nla_put_u32(msg, ESPAH_A_XFRM_MARK, mark) ||
		       nla_put_u32(msg, ESPAH_A_XFRM_MASK, mask))) ||
	    nla_put_u32(msg, ESPAH_A_XFRM_SAS, nsas) ||
	    nla_put_u32(msg, ESPAH_A_XFRM_POLS, npols)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
