// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: the SA commands (add, update, delete, get, dump, flush,
 * count). The policies (net/netlink/spec.c) have checked each attribute
 * alone; here are the rules between attributes.
 */
#include <linux/string.h>

#include <espah/dummy.h>

#include "nl.h"

/* Scrub every key attribute of the request: the skb is ours, and the keys
 * now live only in the transform.
 */
static void wipe_keys(struct genl_info *info)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
			  nlmsg_attrlen(info->nlhdr, GENL_HDRLEN), rem) {
		if (nla_type(a) == ESPAH_A_SA_ENC_KEY ||
		    nla_type(a) == ESPAH_A_SA_AUTH_KEY)
			memzero_explicit(nla_data(a), nla_len(a));
	}
}

/* The (spi, proto, family, dst) that names an SA. */
struct sa_id {
	union espah_addr dst;
	__be32 spi;
	u16 family;
	u8 proto;
	struct espah_fwmark xmark;
};

static const char *const sa_mark_msgs[3] = {
	"ESPAH_A_SA_MARK_MASK: only with ESPAH_A_SA_MARK",
	"ESPAH_A_SA_MARK_MASK: 0 with a nonzero ESPAH_A_SA_MARK matches no packet",
	"ESPAH_A_SA_MARK: has bits outside ESPAH_A_SA_MARK_MASK (it would match no packet)",
};

static const char *const sa_omark_msgs[3] = {
	"ESPAH_A_SA_OMARK_MASK: only with ESPAH_A_SA_OMARK",
	"ESPAH_A_SA_OMARK_MASK: 0 with a nonzero ESPAH_A_SA_OMARK changes no mark",
	NULL,
};

static int parse_sa_id(struct genl_info *info, struct sa_id *id)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;

	if (MISSING(extack, NULL, tb, ESPAH_A_SA_SPI) ||
	    MISSING(extack, NULL, tb, ESPAH_A_SA_PROTO) ||
	    MISSING(extack, NULL, tb, ESPAH_A_SA_FAMILY) ||
	    MISSING(extack, NULL, tb, ESPAH_A_SA_DST))
		return -EINVAL;
	id->spi = nla_get_be32(tb[ESPAH_A_SA_SPI]);
	id->proto = nla_get_u8(tb[ESPAH_A_SA_PROTO]);
	id->family = nla_get_u16(tb[ESPAH_A_SA_FAMILY]);
	if (!espah_nl_family_ok(id->family))
		return BAD(extack, tb[ESPAH_A_SA_FAMILY],
			   "ESPAH_A_SA_FAMILY: must be AF_INET or AF_INET6");
	if (!espah_nl_addr_get(tb[ESPAH_A_SA_DST], id->family, &id->dst))
		return BAD(extack, tb[ESPAH_A_SA_DST],
			   "ESPAH_A_SA_DST: length does not match ESPAH_A_SA_FAMILY");
	return espah_nl_parse_fwmark(tb, ESPAH_A_SA_MARK, ESPAH_A_SA_MARK_MASK,
				     &id->xmark, sa_mark_msgs, extack);
}

static int parse_sa_algs(struct genl_info *info, struct espah_sa *sa,
			 struct espah_alg_cfg *cfg)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;

	memset(cfg, 0, sizeof(*cfg));
	if (sa->proto == IPPROTO_AH) {
		if (tb[ESPAH_A_SA_ENC])
			return BAD(extack, tb[ESPAH_A_SA_ENC],
				   "ESPAH_A_SA_ENC: not with AH (use ESPAH_A_SA_AUTH)");
		if (tb[ESPAH_A_SA_AEAD]) {
			/* AES-GMAC for AH (RFC 4543 section 3.5): its key
			 * (with salt) is ESPAH_A_SA_ENC_KEY
			 */
			if (tb[ESPAH_A_SA_AUTH])
				return BAD(extack, tb[ESPAH_A_SA_AUTH],
					   "ESPAH_A_SA_AUTH: not with ESPAH_A_SA_AEAD");
			if (tb[ESPAH_A_SA_AUTH_KEY])
				return BAD(extack, tb[ESPAH_A_SA_AUTH_KEY],
					   "ESPAH_A_SA_AUTH_KEY: not with ESPAH_A_SA_AEAD");
			if (strcmp(nla_data(tb[ESPAH_A_SA_AEAD]),
				   "rfc4543(gcm(aes))"))
				return BAD(extack, tb[ESPAH_A_SA_AEAD],
					   "ESPAH_A_SA_AEAD: AH takes only rfc4543(gcm(aes)) (AES-GMAC)");
			cfg->aead = nla_data(tb[ESPAH_A_SA_AEAD]);
			sa->aead = true;
		} else {
			if (tb[ESPAH_A_SA_ENC_KEY])
				return BAD(extack, tb[ESPAH_A_SA_ENC_KEY],
					   "ESPAH_A_SA_ENC_KEY: not with AH and ESPAH_A_SA_AUTH");
			if (MISSING(extack, NULL, tb, ESPAH_A_SA_AUTH))
				return -EINVAL;
		}
		cfg->ah = true;
	} else if (tb[ESPAH_A_SA_AEAD]) {
		if (tb[ESPAH_A_SA_ENC])
			return BAD(extack, tb[ESPAH_A_SA_ENC],
				   "ESPAH_A_SA_ENC: not with ESPAH_A_SA_AEAD");
		if (tb[ESPAH_A_SA_AUTH])
			return BAD(extack, tb[ESPAH_A_SA_AUTH],
				   "ESPAH_A_SA_AUTH: not with ESPAH_A_SA_AEAD");
		if (tb[ESPAH_A_SA_AUTH_KEY])
			return BAD(extack, tb[ESPAH_A_SA_AUTH_KEY],
				   "ESPAH_A_SA_AUTH_KEY: not with ESPAH_A_SA_AEAD");
		cfg->aead = nla_data(tb[ESPAH_A_SA_AEAD]);
		sa->aead = true;
	} else {
		if (MISSING(extack, NULL, tb, ESPAH_A_SA_ENC))
			return -EINVAL;
		cfg->enc = nla_data(tb[ESPAH_A_SA_ENC]);
	}
	if (tb[ESPAH_A_SA_AUTH])
		cfg->auth = nla_data(tb[ESPAH_A_SA_AUTH]);
	if (tb[ESPAH_A_SA_AUTH_KEY] && !tb[ESPAH_A_SA_AUTH])
		return BAD(extack, tb[ESPAH_A_SA_AUTH_KEY],
			   "ESPAH_A_SA_AUTH_KEY: without ESPAH_A_SA_AUTH");
	if (tb[ESPAH_A_SA_ENC_KEY]) {
		cfg->enc_key = nla_data(tb[ESPAH_A_SA_ENC_KEY]);
		cfg->enc_key_len = nla_len(tb[ESPAH_A_SA_ENC_KEY]);
	}
	if (tb[ESPAH_A_SA_AUTH_KEY]) {
		cfg->auth_key = nla_data(tb[ESPAH_A_SA_AUTH_KEY]);
		cfg->auth_key_len = nla_len(tb[ESPAH_A_SA_AUTH_KEY]);
	}
	if (tb[ESPAH_A_SA_ICV_BITS]) {
		cfg->icv_bits = nla_get_u32(tb[ESPAH_A_SA_ICV_BITS]);
		/* the policy bounds it (at most 512) */
		if (cfg->icv_bits % 8)
			return BAD(extack, tb[ESPAH_A_SA_ICV_BITS],
				   "ESPAH_A_SA_ICV_BITS: must be a multiple of 8");
	}
	cfg->esn = sa->flags & ESPAH_SA_FLAG_ESN;
	return 0;
}

static u64 lft_get(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

static int parse_sa_lft(struct genl_info *info, struct espah_sa *sa,
			u64 seq_max)
{
	struct nlattr *nest = info->attrs[ESPAH_A_SA_LIFETIME];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[ESPAH_LFT_MAX + 1];
	struct espah_lft *l = &sa->lft;
	int err;

	if (!nest)
		return 0;
	err = nla_parse_nested(tb, ESPAH_LFT_MAX, nest, espah_lft_nl_policy, extack);
	if (err)
		return err;
	l->soft_bytes = lft_get(tb, ESPAH_LFT_SOFT_BYTES);
	l->hard_bytes = lft_get(tb, ESPAH_LFT_HARD_BYTES);
	l->soft_packets = lft_get(tb, ESPAH_LFT_SOFT_PACKETS);
	l->hard_packets = lft_get(tb, ESPAH_LFT_HARD_PACKETS);
	l->soft_add = lft_get(tb, ESPAH_LFT_SOFT_ADD_SECS);
	l->hard_add = lft_get(tb, ESPAH_LFT_HARD_ADD_SECS);
	l->soft_use = lft_get(tb, ESPAH_LFT_SOFT_USE_SECS);
	l->hard_use = lft_get(tb, ESPAH_LFT_HARD_USE_SECS);
	l->seq_soft = lft_get(tb, ESPAH_LFT_SEQ_SOFT);
	if (l->seq_soft && sa->dir != ESPAH_DIR_OUT)
		return BAD(extack, tb[ESPAH_LFT_SEQ_SOFT],
			   "ESPAH_LFT_SEQ_SOFT: only for outbound SAs");
	if (l->seq_soft >= seq_max)
		return BAD(extack, tb[ESPAH_LFT_SEQ_SOFT],
			   "ESPAH_LFT_SEQ_SOFT: larger than the sequence number space");
	return 0;
}

/* ESP in UDP: ip xfrm's "encap espinudp SPORT DPORT OADDR". */
static int parse_sa_encap(struct genl_info *info, struct espah_sa *sa)
{
	struct nlattr *nest = info->attrs[ESPAH_A_SA_ENCAP];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[ESPAH_ENCAP_MAX + 1];
	struct espah_encap *e = &sa->encap;
	int err;

	if (!nest)
		return 0;
	if (sa->proto != IPPROTO_ESP)
		return BAD(extack, nest,
			   "ESPAH_A_SA_ENCAP: UDP encapsulation is for ESP only, not AH");
	err = nla_parse_nested(tb, ESPAH_ENCAP_MAX, nest, espah_encap_nl_policy,
			       extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, ESPAH_ENCAP_TYPE) ||
	    MISSING(extack, nest, tb, ESPAH_ENCAP_SPORT) ||
	    MISSING(extack, nest, tb, ESPAH_ENCAP_DPORT))
		return -EINVAL;
	/* espinudp (RFC 3948) or espinudp-nonike: the policy checks */
	e->type = nla_get_u16(tb[ESPAH_ENCAP_TYPE]);
	e->sport = nla_get_be16(tb[ESPAH_ENCAP_SPORT]);
	e->dport = nla_get_be16(tb[ESPAH_ENCAP_DPORT]);
	if (!e->sport)
		return BAD(extack, tb[ESPAH_ENCAP_SPORT],
			   "ESPAH_A_SA_ENCAP: ESPAH_ENCAP_SPORT must not be 0");
	if (!e->dport)
		return BAD(extack, tb[ESPAH_ENCAP_DPORT],
			   "ESPAH_A_SA_ENCAP: ESPAH_ENCAP_DPORT must not be 0");
	if (tb[ESPAH_ENCAP_OA]) {
		union espah_addr oa;

		if (!espah_nl_addr_get(tb[ESPAH_ENCAP_OA], sa->family, &oa))
			return BAD(extack, tb[ESPAH_ENCAP_OA],
				   "ESPAH_A_SA_ENCAP: ESPAH_ENCAP_OA length does not match ESPAH_A_SA_FAMILY");
		memcpy(&e->oa, &oa, sizeof(e->oa));
		e->has_oa = true;
	}
	if (tb[ESPAH_ENCAP_KEEPALIVE]) {
		e->keepalive = nla_get_u32(tb[ESPAH_ENCAP_KEEPALIVE]);
		if (e->keepalive && sa->dir != ESPAH_DIR_OUT)
			return BAD(extack, tb[ESPAH_ENCAP_KEEPALIVE],
				   "ESPAH_A_SA_ENCAP: ESPAH_ENCAP_KEEPALIVE is for outbound SAs (ESPAH_A_SA_DIR out)");
	}
	return 0;
}

/* ESPAH_SA_FLAG_NATT_UPDATE: what the SA needs to follow a NAT; and
 * ESPAH_SA_FLAG_WILDRECV, a receiving SA's.
 */
static int check_natt_update(struct genl_info *info, const struct espah_sa *sa)
{
	struct nlattr *a = info->attrs[ESPAH_A_SA_FLAGS];
	struct netlink_ext_ack *extack = info->extack;

	/* native XFRM never picks a wildrecv SA to send: espah's outbound
	 * SA would be a dead one
	 */
	if ((sa->flags & ESPAH_SA_FLAG_WILDRECV) && sa->dir != ESPAH_DIR_IN)
		return BAD(extack, a,
			   "ESPAH_A_SA_FLAGS: wildrecv (never used to send) is for inbound SAs (ESPAH_A_SA_DIR in)");
	if (!(sa->flags & ESPAH_SA_FLAG_NATT_UPDATE))
		return 0;
	if (sa->dir != ESPAH_DIR_IN)
		return BAD(extack, a,
			   "ESPAH_A_SA_FLAGS: natt-update is for inbound SAs (ESPAH_A_SA_DIR in)");
	if (!sa->encap.type)
		return BAD(extack, a,
			   "ESPAH_A_SA_FLAGS: natt-update needs ESPAH_A_SA_ENCAP (ESP in UDP)");
	if (!sa->window)
		return BAD(extack, a,
			   "ESPAH_A_SA_FLAGS: natt-update needs a replay window (ESPAH_A_SA_REPLAY_WINDOW not 0): a replayed packet must not move the mapping");
	return 0;
}

/* Tunnel header rules (net/tunhdr.c): the outer header exists in tunnel
 * mode only, and only IPv4's has a DF bit.
 */
static int parse_sa_tunhdr(struct genl_info *info, struct espah_sa *sa)
{
	struct netlink_ext_ack *extack = info->extack;
	bool tunnel = sa->mode == ESPAH_MODE_TUNNEL;
	struct nlattr **tb = info->attrs;

	if (tb[ESPAH_A_SA_DF]) {
		if (!tunnel)
			return BAD(extack, tb[ESPAH_A_SA_DF],
				   "ESPAH_A_SA_DF: tunnel mode only (a transport-mode packet keeps its own header)");
		if (sa->family != AF_INET)
			return BAD(extack, tb[ESPAH_A_SA_DF],
				   "ESPAH_A_SA_DF: an IPv6 outer header has no DF bit");
		sa->df = nla_get_u8(tb[ESPAH_A_SA_DF]);
	}
	if (tb[ESPAH_A_SA_DSCP]) {
		if (!tunnel)
			return BAD(extack, tb[ESPAH_A_SA_DSCP],
				   "ESPAH_A_SA_DSCP: tunnel mode only (a transport-mode packet keeps its own header)");
		sa->dscp = nla_get_u8(tb[ESPAH_A_SA_DSCP]);
	}
	if (!tunnel &&
	    (sa->flags & (ESPAH_SA_FLAG_NOECN | ESPAH_SA_FLAG_DECAP_DSCP)))
		return BAD(extack, tb[ESPAH_A_SA_FLAGS],
			   "ESPAH_A_SA_FLAGS: noecn and decap-dscp are for tunnel mode only");
	if (tb[ESPAH_A_SA_IF_ID]) {
		/* the interface's packets leave on the SA's own route; a
		 * transport-mode packet would go back into the interface
		 */
		if (!tunnel)
			return BAD(extack, tb[ESPAH_A_SA_IF_ID],
				   "ESPAH_A_SA_IF_ID: tunnel mode only");
		sa->if_id = nla_get_u32(tb[ESPAH_A_SA_IF_ID]);
		if (!sa->if_id)
			return BAD(extack, tb[ESPAH_A_SA_IF_ID],
				   "ESPAH_A_SA_IF_ID: 0 is no interface (leave it out)");
		if (sa->if_id == espah_xfrm_tag(genl_info_net(info)))
			return BAD(extack, tb[ESPAH_A_SA_IF_ID],
				   "ESPAH_A_SA_IF_ID: the namespace's xfrm bridge tag (espah xfrm attach), native XFRM's: choose another");
	}
	if (tb[ESPAH_A_SA_TFCPAD]) {
		/* the inner IP length tells the receiver where it ends */
		if (!tunnel || sa->proto != IPPROTO_ESP)
			return BAD(extack, tb[ESPAH_A_SA_TFCPAD],
				   "ESPAH_A_SA_TFCPAD: tunnel-mode ESP only");
		sa->tfcpad = nla_get_u32(tb[ESPAH_A_SA_TFCPAD]);
	}
	return 0;
}

/* Dummy packets (net/dummy.c): next header 59 means something only to a
 * tunnel-mode ESP receiver, which discards it; a transport-mode one
 * (native XFRM among them) hands protocol 59 to its stack.
 */
static int parse_sa_dummy(struct genl_info *info, struct espah_sa *sa)
{
	struct nlattr *a = info->attrs[ESPAH_A_SA_DUMMY_RATE];
	struct netlink_ext_ack *extack = info->extack;

	if (!a)
		return 0;
	if (sa->dir != ESPAH_DIR_OUT)
		return BAD(extack, a,
			   "ESPAH_A_SA_DUMMY_RATE: outbound SAs only (ESPAH_A_SA_DIR out)");
	if (sa->proto != IPPROTO_ESP)
		return BAD(extack, a,
			   "ESPAH_A_SA_DUMMY_RATE: ESP only, not AH");
	if (sa->mode != ESPAH_MODE_TUNNEL)
		return BAD(extack, a,
			   "ESPAH_A_SA_DUMMY_RATE: tunnel mode only (a transport-mode receiver would deliver protocol 59 to its stack)");
	if (espah_dummy_alloc(sa, nla_get_u32(a), GFP_KERNEL_ACCOUNT)) {
		NL_SET_ERR_MSG_MOD(extack, "no memory");
		return -ENOMEM;
	}
	return 0;
}

static int parse_sa(struct genl_info *info, struct espah_sa *sa,
		    struct espah_alg_cfg *cfg, u64 *seq, u64 *oseq)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct sa_id id;
	u64 seq_max;
	int err;

	err = parse_sa_id(info, &id);
	if (err)
		return err;
	if (MISSING(extack, NULL, tb, ESPAH_A_SA_DIR) ||
	    MISSING(extack, NULL, tb, ESPAH_A_SA_SRC))
		return -EINVAL;
	sa->spi = id.spi;
	sa->proto = id.proto;
	sa->family = id.family;
	sa->dst = id.dst;
	sa->xmark = id.xmark;
	err = espah_nl_parse_fwmark(tb, ESPAH_A_SA_OMARK, ESPAH_A_SA_OMARK_MASK,
				    &sa->omark, sa_omark_msgs, extack);
	if (err)
		return err;
	if (!espah_nl_addr_get(tb[ESPAH_A_SA_SRC], sa->family, &sa->src))
		return BAD(extack, tb[ESPAH_A_SA_SRC],
			   "ESPAH_A_SA_SRC: length does not match ESPAH_A_SA_FAMILY");
	sa->dir = nla_get_u8(tb[ESPAH_A_SA_DIR]);
	sa->mode = tb[ESPAH_A_SA_MODE] ? nla_get_u8(tb[ESPAH_A_SA_MODE]) :
					 ESPAH_MODE_TRANSPORT;
	if (tb[ESPAH_A_SA_SEL]) {
		err = espah_nl_parse_sel(tb[ESPAH_A_SA_SEL], &sa->sel, extack);
		if (err)
			return err;
		if (sa->mode == ESPAH_MODE_TRANSPORT &&
		    sa->sel.family != sa->family)
			return BAD(extack, tb[ESPAH_A_SA_SEL],
				   "ESPAH_A_SA_SEL: transport mode needs the family of ESPAH_A_SA_FAMILY");
	}
	if (tb[ESPAH_A_SA_REQID])
		sa->reqid = nla_get_u32(tb[ESPAH_A_SA_REQID]);
	if (tb[ESPAH_A_SA_FLAGS])
		sa->flags = nla_get_u32(tb[ESPAH_A_SA_FLAGS]);
	/* anti-replay is off only when asked for: an explicit 0 */
	if (tb[ESPAH_A_SA_REPLAY_WINDOW])
		sa->window = nla_get_u32(tb[ESPAH_A_SA_REPLAY_WINDOW]);
	else if (sa->dir == ESPAH_DIR_IN)
		sa->window = ESPAH_REPLAY_WINDOW_DEFAULT;

	seq_max = sa->flags & ESPAH_SA_FLAG_ESN ? U64_MAX : U32_MAX;
	*seq = 0;
	*oseq = 0;
	if (tb[ESPAH_A_SA_SEQ]) {
		*seq = nla_get_u64(tb[ESPAH_A_SA_SEQ]);
		if (*seq > seq_max)
			return BAD(extack, tb[ESPAH_A_SA_SEQ],
				   "ESPAH_A_SA_SEQ: above 2^32 - 1 without ESPAH_SA_FLAG_ESN");
	}
	if (tb[ESPAH_A_SA_OSEQ]) {
		*oseq = nla_get_u64(tb[ESPAH_A_SA_OSEQ]);
		if (*oseq > seq_max)
			return BAD(extack, tb[ESPAH_A_SA_OSEQ],
				   "ESPAH_A_SA_OSEQ: above 2^32 - 1 without ESPAH_SA_FLAG_ESN");
	}
	err = parse_sa_lft(info, sa, seq_max);
	if (err)
		return err;
	err = parse_sa_encap(info, sa);
	if (err)
		return err;
	err = check_natt_update(info, sa);
	if (err)
		return err;
	err = parse_sa_tunhdr(info, sa);
	if (err)
		return err;
	err = parse_sa_dummy(info, sa);
	if (err)
		return err;
	return parse_sa_algs(info, sa, cfg);
}

static int sa_new(struct genl_info *info, bool update)
{
	struct nlattr **tb = info->attrs;
	unsigned int flags = 0;
	struct espah_alg_cfg cfg;
	struct espah_sa *sa;
	u64 seq, oseq;
	int err;

	sa = espah_sa_alloc(GFP_KERNEL_ACCOUNT);
	if (!sa) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	err = parse_sa(info, sa, &cfg, &seq, &oseq);
	if (!err)
		err = espah_sa_setup(sa, &cfg, seq, oseq, info->extack);
	if (!err && espah_sa_keep_keys(sa, &cfg)) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory for the key copy (key_export)");
		err = -ENOMEM;
	}
	memzero_explicit(&cfg, sizeof(cfg));
	if (err)
		goto out;

	if (update) {
		flags |= ESPAH_SA_INS_UPDATE;
		if (!tb[ESPAH_A_SA_SEQ])
			flags |= ESPAH_SA_INS_KEEP_SEQ;
		if (!tb[ESPAH_A_SA_OSEQ])
			flags |= ESPAH_SA_INS_KEEP_OSEQ;
	}
	err = espah_sa_insert(genl_info_net(info), sa, flags, info->extack);
	if (err)
		goto out;
	espah_nl_notify_sa(info, sa, update ? ESPAH_CMD_SA_UPDATE :
				     ESPAH_CMD_SA_ADD);
	/* the new SA's time limits start counting; held packets may have
	 * their SA now; its keepalives are due in a while
	 */
	if (espah_lft_has_time(&sa->lft))
		espah_sa_lft_kick(genl_info_net(info));
	if (sa->dir == ESPAH_DIR_OUT)
		espah_hold_kick(genl_info_net(info));
	if (espah_sa_keepalive(sa))
		espah_natt_ka_kick(genl_info_net(info));
out:
	/* an allocation deep in the crypto API or the tables */
	if (err == -ENOMEM && !info->extack->_msg)
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
	espah_sa_put(sa);
	return err;
}

int espah_nl_sa_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = sa_new(info, false);

	wipe_keys(info);
	return err;
}

int espah_nl_sa_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = sa_new(info, true);

	wipe_keys(info);
	return err;
}

int espah_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espah_sa *sa;
	bool carried;
	struct sa_id id;
	int err;

	err = parse_sa_id(info, &id);
	if (err)
		return err;
	sa = espah_sa_get(genl_info_net(info), id.spi, id.proto, id.family,
			  &id.dst, id.xmark.v);
	carried = sa && sa->xs;
	espah_sa_put(sa);
	if (carried) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_SA_SPI],
				    "ESPAH_A_SA_SPI: the SA is native XFRM's (carried for an if_id): delete it with ip xfrm or its IKE daemon");
		return -EPERM;
	}
	sa = espah_sa_unlink(genl_info_net(info), id.spi, id.proto, id.family,
			     &id.dst, id.xmark.v);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_SA_SPI],
				    "ESPAH_A_SA_SPI: no SA with this SPI, destination, protocol and mark");
		return -ENOENT;
	}
	espah_nl_notify_sa(info, sa, ESPAH_CMD_SA_DEL);
	espah_sa_put(sa);
	return 0;
}

/* ESPAH_A_SA_KEYS is refused while key_export is off, rather than
 * answered without keys: a caller that asks must not take a dump that
 * has none for one that restores the SAs.
 */
static int keys_allowed(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	if (!tb[ESPAH_A_SA_KEYS] || espah_sa_key_export())
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, tb[ESPAH_A_SA_KEYS],
			    "ESPAH_A_SA_KEYS: key export is off (module parameter key_export)");
	return -EPERM;
}

int espah_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espah_sa *sa;
	struct sk_buff *msg;
	struct sa_id id;
	int err;

	err = parse_sa_id(info, &id);
	if (!err)
		err = keys_allowed(info->attrs, info->extack);
	if (err)
		return err;
	sa = espah_sa_get(genl_info_net(info), id.spi, id.proto, id.family,
			  &id.dst, id.xmark.v);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_SA_SPI],
				    "ESPAH_A_SA_SPI: no SA with this SPI, destination, protocol and mark");
		return -ENOENT;
	}
	msg = genlmsg_new(espah_nl_sa_msg_size(), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		err = -ENOMEM;
		goto out;
	}
	err = espah_nl_fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0,
			       ESPAH_CMD_SA_GET, NULL,
			       !!info->attrs[ESPAH_A_SA_KEYS]);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	espah_sa_put(sa);
	return err;
}

/* State of an SA dump, kept in netlink_callback.ctx. */
struct sa_dump_ctx {
	struct espah_sa_walk w;
};

struct sa_dump_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct espah_sa_walk *w;
	bool keys;
};

static int sa_dump_one(struct espah_sa *sa, void *data)
{
	struct sa_dump_arg *d = data;

	d->cb->seq = d->w->gen;
	return espah_nl_fill_sa(d->skb, sa, NETLINK_CB(d->cb->skb).portid,
		       d->cb->nlh->nlmsg_seq, NLM_F_MULTI, ESPAH_CMD_SA_GET,
		       d->cb, d->keys);
}

int espah_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sa_dump_ctx *ctx = (struct sa_dump_ctx *)cb->ctx;
	struct nlattr **tb = genl_dumpit_info(cb)->attrs;
	struct sa_dump_arg d = { .skb = skb, .cb = cb, .w = &ctx->w,
				 .keys = !!tb[ESPAH_A_SA_KEYS] };
	int err;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	err = keys_allowed(tb, cb->extack);
	if (err)
		return err;
	err = espah_sa_walk(sock_net(cb->skb->sk), &ctx->w, sa_dump_one, &d);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

int espah_nl_sa_get_done(struct netlink_callback *cb)
{
	struct sa_dump_ctx *ctx = (struct sa_dump_ctx *)cb->ctx;

	espah_sa_walk_end(&ctx->w);
	return 0;
}

int espah_nl_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 proto = 0;
	u32 n;

	if (info->attrs[ESPAH_A_SA_PROTO])
		proto = nla_get_u8(info->attrs[ESPAH_A_SA_PROTO]);
	n = espah_sa_flush(genl_info_net(info), proto, false);
	espah_nl_notify_flush(info, ESPAH_NLGRP_SA, ESPAH_CMD_SA_FLUSH, proto, n);
	return 0;
}

static int reply_u32(struct genl_info *info, u8 cmd, int type, u32 v)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG_MOD(info->extack, "no memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &espah_nl_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, type, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int espah_nl_sa_count_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_u32(info, ESPAH_CMD_SA_COUNT, ESPAH_A_COUNT,
			 espah_sa_count(genl_info_net(info)));
}
