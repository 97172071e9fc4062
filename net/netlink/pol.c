// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: the policy commands (add, update, delete, get, dump,
 * flush). The policies (net/netlink/spec.c) have checked each attribute
 * alone; here are the rules between attributes.
 */
#include "nl.h"

static int parse_tmpl(const struct nlattr *nest, u16 *family,
		      struct espah_tmpl *t, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ESPAH_TMPL_MAX + 1];
	int err;

	err = nla_parse_nested(tb, ESPAH_TMPL_MAX, nest, espah_tmpl_nl_policy, extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, ESPAH_TMPL_PROTO))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->proto = nla_get_u8(tb[ESPAH_TMPL_PROTO]);
	if (tb[ESPAH_TMPL_MODE])
		t->mode = nla_get_u8(tb[ESPAH_TMPL_MODE]);
	if (tb[ESPAH_TMPL_REQID])
		t->reqid = nla_get_u32(tb[ESPAH_TMPL_REQID]);
	t->optional = nla_get_flag(tb[ESPAH_TMPL_OPTIONAL]);
	if (tb[ESPAH_TMPL_SPI]) {
		t->spi = nla_get_be32(tb[ESPAH_TMPL_SPI]);
		/* 0 is any; 1..255 are reserved to IANA (RFC 4303 2.1) */
		if (t->spi && ntohl(t->spi) < 256)
			return BAD(extack, tb[ESPAH_TMPL_SPI],
				   "ESPAH_TMPL_SPI: 1..255 are reserved (0 is any)");
	}

	if (t->mode == ESPAH_MODE_TUNNEL) {
		if (MISSING(extack, nest, tb, ESPAH_TMPL_FAMILY) ||
		    MISSING(extack, nest, tb, ESPAH_TMPL_SRC) ||
		    MISSING(extack, nest, tb, ESPAH_TMPL_DST))
			return -EINVAL;
		t->family = nla_get_u16(tb[ESPAH_TMPL_FAMILY]);
		if (!espah_nl_family_ok(t->family))
			return BAD(extack, tb[ESPAH_TMPL_FAMILY],
				   "ESPAH_TMPL_FAMILY: must be AF_INET or AF_INET6");
	} else {
		/* transport: the packet's own family and addresses */
		if (tb[ESPAH_TMPL_FAMILY] &&
		    nla_get_u16(tb[ESPAH_TMPL_FAMILY]) != *family)
			return BAD(extack, tb[ESPAH_TMPL_FAMILY],
				   "ESPAH_TMPL_FAMILY: transport mode needs the family of the packet (selector)");
		t->family = *family;
	}
	if (tb[ESPAH_TMPL_SRC] &&
	    !espah_nl_addr_get(tb[ESPAH_TMPL_SRC], t->family, &t->src))
		return BAD(extack, tb[ESPAH_TMPL_SRC],
			   "ESPAH_TMPL_SRC: length does not match ESPAH_TMPL_FAMILY");
	if (tb[ESPAH_TMPL_DST] &&
	    !espah_nl_addr_get(tb[ESPAH_TMPL_DST], t->family, &t->dst))
		return BAD(extack, tb[ESPAH_TMPL_DST],
			   "ESPAH_TMPL_DST: length does not match ESPAH_TMPL_FAMILY");
	/* the next (outer) template sees what this one puts on the wire */
	*family = t->family;
	return 0;
}

static const char *const pol_mark_msgs[3] = {
	"ESPAH_A_POL_MARK_MASK: only with ESPAH_A_POL_MARK",
	"ESPAH_A_POL_MARK_MASK: 0 with a nonzero ESPAH_A_POL_MARK matches no packet",
	"ESPAH_A_POL_MARK: has bits outside ESPAH_A_POL_MARK_MASK (it would match no packet)",
};

/* A policy's identity: direction, selector, mark condition, if_id. */
static int parse_pol_key(struct genl_info *info, u8 *dir,
			 struct espah_sel *sel, struct espah_fwmark *xmark,
			 u32 *if_id)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	int err;

	if (MISSING(extack, NULL, tb, ESPAH_A_POL_DIR) ||
	    MISSING(extack, NULL, tb, ESPAH_A_POL_SEL))
		return -EINVAL;
	*dir = nla_get_u8(tb[ESPAH_A_POL_DIR]);
	*if_id = 0;
	if (tb[ESPAH_A_POL_IF_ID]) {
		*if_id = nla_get_u32(tb[ESPAH_A_POL_IF_ID]);
		if (!*if_id)
			return BAD(extack, tb[ESPAH_A_POL_IF_ID],
				   "ESPAH_A_POL_IF_ID: 0 is no interface (leave it out)");
		if (*if_id == espah_xfrm_tag(genl_info_net(info)))
			return BAD(extack, tb[ESPAH_A_POL_IF_ID],
				   "ESPAH_A_POL_IF_ID: the namespace's xfrm bridge tag (espah xfrm attach), native XFRM's: choose another");
	}
	err = espah_nl_parse_fwmark(tb, ESPAH_A_POL_MARK, ESPAH_A_POL_MARK_MASK,
				    xmark, pol_mark_msgs, extack);
	if (err)
		return err;
	return espah_nl_parse_sel(tb[ESPAH_A_POL_SEL], sel, extack);
}

static int parse_pol(struct genl_info *info, struct espah_policy *pol)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *a, *first = NULL;
	u16 family;
	int err, rem;

	err = parse_pol_key(info, &pol->dir, &pol->sel, &pol->xmark,
			    &pol->if_id);
	if (err)
		return err;
	if (tb[ESPAH_A_POL_PRIORITY])
		pol->priority = nla_get_u32(tb[ESPAH_A_POL_PRIORITY]);

	family = pol->sel.family;
	nla_for_each_attr(a, nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
			  nlmsg_attrlen(info->nlhdr, GENL_HDRLEN), rem) {
		if (nla_type(a) != ESPAH_A_POL_TMPL)
			continue;
		if (pol->ntmpl == ESPAH_MAX_TMPL)
			return BAD(extack, a, "ESPAH_A_POL_TMPL: at most 2 templates");
		err = parse_tmpl(a, &family, &pol->tmpl[pol->ntmpl], extack);
		if (err)
			return err;
		/* native XFRM refuses it too: an optional tunnel would send
		 * the packet to other addresses, or not, by whether an SA
		 * exists
		 */
		if (pol->dir == ESPAH_DIR_OUT && pol->tmpl[pol->ntmpl].optional &&
		    pol->tmpl[pol->ntmpl].mode == ESPAH_MODE_TUNNEL)
			return BAD(extack, a,
				   "ESPAH_TMPL_OPTIONAL: a tunnel-mode template cannot be optional in an outbound policy");
		first = first ?: a;
		pol->ntmpl++;
	}

	/* like ip xfrm's "allow": protect with templates, bypass without */
	if (tb[ESPAH_A_POL_ACTION])
		pol->action = nla_get_u8(tb[ESPAH_A_POL_ACTION]);
	else
		pol->action = pol->ntmpl ? ESPAH_ACTION_PROTECT :
					   ESPAH_ACTION_BYPASS;
	if (pol->action == ESPAH_ACTION_PROTECT && !pol->ntmpl) {
		NL_SET_ERR_MSG(extack,
			       "ESPAH_A_POL_TMPL is required for ESPAH_ACTION_PROTECT");
		NL_SET_ERR_ATTR_MISS(extack, NULL, ESPAH_A_POL_TMPL);
		return -EINVAL;
	}
	if (pol->action != ESPAH_ACTION_PROTECT && pol->ntmpl)
		return BAD(extack, first,
			   "ESPAH_A_POL_TMPL: only with ESPAH_ACTION_PROTECT");
	/* as native XFRM: both flags are accepted on every policy; icmp acts
	 * on outbound protect policies only (net/output.c), localok nowhere
	 */
	if (tb[ESPAH_A_POL_FLAGS])
		pol->flags = nla_get_u32(tb[ESPAH_A_POL_FLAGS]);
	a = tb[ESPAH_A_POL_HOLD];
	if (a) {
		pol->hold_max = nla_get_u32(a);
		if (pol->hold_max && (pol->dir != ESPAH_DIR_OUT ||
				      pol->action != ESPAH_ACTION_PROTECT))
			return BAD(extack, a,
				   "ESPAH_A_POL_HOLD: only for outbound protect policies");
	}
	return 0;
}

static void notify_pol(struct genl_info *info, const struct espah_policy *pol,
		       struct sk_buff *msg, u8 cmd)
{
	if (espah_nl_fill_pol(msg, pol, info->snd_portid, info->snd_seq, 0,
			      cmd, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genl_notify(&espah_nl_family, msg, info, ESPAH_NLGRP_POLICY, GFP_KERNEL);
}

static int pol_new(struct genl_info *info, bool update)
{
	struct net *net = genl_info_net(info);
	u8 cmd = update ? ESPAH_CMD_POL_UPDATE : ESPAH_CMD_POL_ADD;
	const struct espah_policy *cur;
	struct espah_policy *pol;
	struct sk_buff *msg = NULL;
	u32 index;
	int err;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	err = parse_pol(info, pol);
	if (err)
		goto err_free;
	/* allocated up front: once published, @pol may go at any time */
	if (espah_nl_want_notify(info, ESPAH_NLGRP_POLICY))
		msg = genlmsg_new(espah_nl_pol_msg_size(), GFP_KERNEL);
	err = espah_spd_insert(net, pol, update, &index, info->extack);
	if (err)
		goto err_free;
	if (msg) {
		/* fill under RCU, send (which may sleep) after it */
		rcu_read_lock();
		cur = espah_spd_find_rcu(net, 0, NULL, NULL, 0, index);
		if (!cur || espah_nl_fill_pol(msg, cur, info->snd_portid,
					      info->snd_seq, 0, cmd, NULL)) {
			nlmsg_free(msg);
			msg = NULL;
		}
		rcu_read_unlock();
		if (msg)
			genl_notify(&espah_nl_family, msg, info, ESPAH_NLGRP_POLICY,
				    GFP_KERNEL);
	}
	return 0;

err_free:
	nlmsg_free(msg);
	kfree(pol);
	return err;
}

int espah_nl_pol_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pol_new(info, false);
}

int espah_nl_pol_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pol_new(info, true);
}

/* Either ESPAH_A_POL_INDEX, or ESPAH_A_POL_DIR and ESPAH_A_POL_SEL. */
static int parse_pol_ref(struct genl_info *info, u8 *dir,
			 struct espah_sel *sel, struct espah_fwmark *xmark,
			 u32 *if_id, u32 *index)
{
	struct nlattr *a = info->attrs[ESPAH_A_POL_INDEX];

	*index = 0;
	if (a) {
		*index = nla_get_u32(a);
		if (!*index)
			return BAD(info->extack, a,
				   "ESPAH_A_POL_INDEX: 0 is not an index");
		return 0;
	}
	return parse_pol_key(info, dir, sel, xmark, if_id);
}

static int pol_not_found(struct genl_info *info)
{
	struct nlattr *a = info->attrs[ESPAH_A_POL_INDEX];

	if (a)
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "ESPAH_A_POL_INDEX: no such policy");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_POL_SEL],
				    "ESPAH_A_POL_SEL: no policy with this selector, direction, mark and if_id");
	return -ENOENT;
}

int espah_nl_pol_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct espah_policy *cur;
	struct espah_policy *pol;
	bool carried;
	struct espah_fwmark xmark;
	struct espah_sel sel;
	u32 if_id = 0;
	struct sk_buff *msg;
	u32 index;
	u8 dir = 0;
	int err;

	err = parse_pol_ref(info, &dir, &sel, &xmark, &if_id, &index);
	if (err)
		return err;
	rcu_read_lock();
	cur = espah_spd_find_rcu(genl_info_net(info), dir, &sel, &xmark,
				 if_id, index);
	carried = cur && cur->xfrm == ESPAH_POL_ORIGIN_XFRM;
	rcu_read_unlock();
	if (carried) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the policy is native XFRM's (carried for an if_id): delete it with ip xfrm or its IKE daemon");
		return -EPERM;
	}
	pol = espah_spd_unlink(genl_info_net(info), dir, &sel, &xmark, if_id,
			       index);
	if (!pol)
		return pol_not_found(info);
	if (espah_nl_want_notify(info, ESPAH_NLGRP_POLICY)) {
		msg = genlmsg_new(espah_nl_pol_msg_size(), GFP_KERNEL);
		if (msg)
			notify_pol(info, pol, msg, ESPAH_CMD_POL_DEL);
	}
	espah_policy_free(pol);
	return 0;
}

int espah_nl_pol_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct espah_policy *pol;
	struct espah_fwmark xmark;
	struct espah_sel sel;
	u32 if_id = 0;
	struct sk_buff *msg;
	u32 index;
	u8 dir = 0;
	int err;

	err = parse_pol_ref(info, &dir, &sel, &xmark, &if_id, &index);
	if (err)
		return err;
	msg = genlmsg_new(espah_nl_pol_msg_size(), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	rcu_read_lock();
	pol = espah_spd_find_rcu(genl_info_net(info), dir, &sel, &xmark,
				 if_id, index);
	if (pol)
		err = espah_nl_fill_pol(msg, pol, info->snd_portid,
					info->snd_seq, 0, ESPAH_CMD_POL_GET,
					NULL);
	rcu_read_unlock();
	if (!pol || err) {
		nlmsg_free(msg);
		return pol ? err : pol_not_found(info);
	}
	return genlmsg_reply(msg, info);
}

struct pol_dump_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct espah_spd_walk *w;
};

static int pol_dump_one(const struct espah_policy *pol, void *data)
{
	struct pol_dump_arg *d = data;

	d->cb->seq = d->w->gen;
	return espah_nl_fill_pol(d->skb, pol, NETLINK_CB(d->cb->skb).portid,
			d->cb->nlh->nlmsg_seq, NLM_F_MULTI, ESPAH_CMD_POL_GET,
			d->cb);
}

int espah_nl_pol_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct espah_spd_walk *w = (struct espah_spd_walk *)cb->ctx;
	struct pol_dump_arg d = { .skb = skb, .cb = cb, .w = w };
	int err;

	BUILD_BUG_ON(sizeof(*w) > sizeof(cb->ctx));
	err = espah_spd_walk(sock_net(cb->skb->sk), w, pol_dump_one, &d);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

int espah_nl_pol_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 n = espah_spd_flush(genl_info_net(info), false);

	espah_nl_notify_flush(info, ESPAH_NLGRP_POLICY, ESPAH_CMD_POL_FLUSH, 0, n);
	return 0;
}
