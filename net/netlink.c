// SPDX-License-Identifier: GPL-2.0
/*
 * espah: generic netlink family.
 *
 * Validation happens in two places. The attribute policies check types,
 * lengths and every value that can be judged alone (enums, SPI range,
 * window, flags); their validate functions name the attribute in the
 * extack message. The command handlers check what depends on other
 * attributes (address length against family, algorithm combinations,
 * selector against mode, templates against action) and refuse with a
 * message naming the attribute too.
 *
 * Every change is multicast to the "sa" or "policy" group in the same
 * format as a GET reply (genl_notify(), which also echoes it to the sender
 * with NLM_F_ECHO).
 */
#include <linux/module.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/espah.h>

#include <espah/crypto.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/spd.h>

/* Longest crypto API name we store (struct espah_crypto names are 64). */
#define ALG_NAME_MAX	63
/* Longest key accepted, in bytes. */
#define KEY_MAX		256
/* Longest ICV, in bits. */
#define ICV_BITS_MAX	512

enum espah_mcgrp_id {
	MCGRP_SA,
	MCGRP_POLICY,
	MCGRP_ACQUIRE,
};

/* Refuse @a with a literal message that names it; evaluates to -EINVAL. */
#define BAD(extack, a, msg) ({ NL_SET_ERR_MSG_ATTR(extack, a, msg); -EINVAL; })

static bool missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		    struct nlattr **tb, unsigned int type, const char *msg)
{
	if (tb[type])
		return false;
	if (extack)
		extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	return true;
}

/* True (and an extack naming it) if attribute @attr is missing from @tb. */
#define MISSING(extack, nest, tb, attr) \
	missing(extack, nest, tb, attr, #attr " is required")

static bool family_ok(u16 family)
{
	return family == AF_INET || family == AF_INET6;
}

static bool addr_len_ok(const struct nlattr *a)
{
	return nla_len(a) == 4 || nla_len(a) == 16;
}

static bool spi_ok(__be32 spi)
{
	/* 0 means "no SA" and 1..255 are reserved to IANA (RFC 4303 2.1) */
	return ntohl(spi) > 255;
}

static int validate_top(const struct nlattr *a, struct netlink_ext_ack *extack)
{
	u32 v;

	switch (nla_type(a)) {
	case ESPAH_A_SA_SPI:
		if (!spi_ok(nla_get_be32(a)))
			return BAD(extack, a, "ESPAH_A_SA_SPI: 0 and 1..255 are reserved");
		break;
	case ESPAH_A_SA_PROTO:
		v = nla_get_u8(a);
		if (v != IPPROTO_ESP && v != IPPROTO_AH)
			return BAD(extack, a,
				   "ESPAH_A_SA_PROTO: must be IPPROTO_ESP or IPPROTO_AH");
		break;
	case ESPAH_A_SA_MODE:
		if (nla_get_u8(a) > ESPAH_MODE_TUNNEL)
			return BAD(extack, a, "ESPAH_A_SA_MODE: unknown mode");
		break;
	case ESPAH_A_SA_DIR:
		if (nla_get_u8(a) > ESPAH_DIR_OUT)
			return BAD(extack, a,
				   "ESPAH_A_SA_DIR: must be ESPAH_DIR_IN or ESPAH_DIR_OUT");
		break;
	case ESPAH_A_SA_FAMILY:
		if (!family_ok(nla_get_u16(a)))
			return BAD(extack, a, "ESPAH_A_SA_FAMILY: must be AF_INET or AF_INET6");
		break;
	case ESPAH_A_SA_SRC:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_A_SA_SRC: must be 4 or 16 bytes");
		break;
	case ESPAH_A_SA_DST:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_A_SA_DST: must be 4 or 16 bytes");
		break;
	case ESPAH_A_SA_ICV_BITS:
		v = nla_get_u32(a);
		if (v % 8 || v > ICV_BITS_MAX)
			return BAD(extack, a,
				   "ESPAH_A_SA_ICV_BITS: must be a multiple of 8, at most 512");
		break;
	case ESPAH_A_SA_REPLAY_WINDOW:
		if (nla_get_u32(a) > ESPAH_REPLAY_WINDOW_MAX)
			return BAD(extack, a,
				   "ESPAH_A_SA_REPLAY_WINDOW: larger than ESPAH_REPLAY_WINDOW_MAX");
		break;
	case ESPAH_A_SA_FLAGS:
		if (nla_get_u32(a) & ~ESPAH_SA_FLAG_ESN)
			return BAD(extack, a, "ESPAH_A_SA_FLAGS: unknown flag");
		break;
	case ESPAH_A_POL_DIR:
		if (nla_get_u8(a) > ESPAH_DIR_FWD)
			return BAD(extack, a, "ESPAH_A_POL_DIR: unknown direction");
		break;
	case ESPAH_A_POL_ACTION:
		if (nla_get_u8(a) > ESPAH_ACTION_DISCARD)
			return BAD(extack, a, "ESPAH_A_POL_ACTION: unknown action");
		break;
	case ESPAH_A_POL_HOLD:
		if (nla_get_u32(a) > ESPAH_HOLD_MAX)
			return BAD(extack, a,
				   "ESPAH_A_POL_HOLD: larger than ESPAH_HOLD_MAX (100)");
		break;
	}
	return 0;
}

static int validate_sel(const struct nlattr *a, struct netlink_ext_ack *extack)
{
	switch (nla_type(a)) {
	case ESPAH_SEL_FAMILY:
		if (!family_ok(nla_get_u16(a)))
			return BAD(extack, a, "ESPAH_SEL_FAMILY: must be AF_INET or AF_INET6");
		break;
	case ESPAH_SEL_SRC:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_SEL_SRC: must be 4 or 16 bytes");
		break;
	case ESPAH_SEL_DST:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_SEL_DST: must be 4 or 16 bytes");
		break;
	case ESPAH_SEL_SPLEN:
		if (nla_get_u8(a) > 128)
			return BAD(extack, a, "ESPAH_SEL_SPLEN: longer than 128");
		break;
	case ESPAH_SEL_DPLEN:
		if (nla_get_u8(a) > 128)
			return BAD(extack, a, "ESPAH_SEL_DPLEN: longer than 128");
		break;
	}
	return 0;
}

static int validate_tmpl(const struct nlattr *a, struct netlink_ext_ack *extack)
{
	u32 v;

	switch (nla_type(a)) {
	case ESPAH_TMPL_PROTO:
		v = nla_get_u8(a);
		if (v != IPPROTO_ESP && v != IPPROTO_AH)
			return BAD(extack, a,
				   "ESPAH_TMPL_PROTO: must be IPPROTO_ESP or IPPROTO_AH");
		break;
	case ESPAH_TMPL_MODE:
		if (nla_get_u8(a) > ESPAH_MODE_TUNNEL)
			return BAD(extack, a, "ESPAH_TMPL_MODE: unknown mode");
		break;
	case ESPAH_TMPL_FAMILY:
		if (!family_ok(nla_get_u16(a)))
			return BAD(extack, a, "ESPAH_TMPL_FAMILY: must be AF_INET or AF_INET6");
		break;
	case ESPAH_TMPL_SRC:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_TMPL_SRC: must be 4 or 16 bytes");
		break;
	case ESPAH_TMPL_DST:
		if (!addr_len_ok(a))
			return BAD(extack, a, "ESPAH_TMPL_DST: must be 4 or 16 bytes");
		break;
	case ESPAH_TMPL_SPI:
		v = ntohl(nla_get_be32(a));
		if (v && v < 256)
			return BAD(extack, a, "ESPAH_TMPL_SPI: 1..255 are reserved (0 is any)");
		break;
	}
	return 0;
}

static const struct nla_policy sel_policy[ESPAH_SEL_MAX + 1] = {
	[ESPAH_SEL_FAMILY] = NLA_POLICY_VALIDATE_FN(NLA_U16, validate_sel),
	[ESPAH_SEL_SRC] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_sel,
						 sizeof(struct in6_addr)),
	[ESPAH_SEL_DST] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_sel,
						 sizeof(struct in6_addr)),
	[ESPAH_SEL_SPLEN] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_sel),
	[ESPAH_SEL_DPLEN] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_sel),
	[ESPAH_SEL_PROTO] = { .type = NLA_U8 },
	[ESPAH_SEL_SPORT] = { .type = NLA_BE16 },
	[ESPAH_SEL_SPORT_MAX] = { .type = NLA_BE16 },
	[ESPAH_SEL_DPORT] = { .type = NLA_BE16 },
	[ESPAH_SEL_DPORT_MAX] = { .type = NLA_BE16 },
};

static const struct nla_policy tmpl_policy[ESPAH_TMPL_MAX + 1] = {
	[ESPAH_TMPL_PROTO] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_tmpl),
	[ESPAH_TMPL_MODE] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_tmpl),
	[ESPAH_TMPL_FAMILY] = NLA_POLICY_VALIDATE_FN(NLA_U16, validate_tmpl),
	[ESPAH_TMPL_SRC] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_tmpl,
						  sizeof(struct in6_addr)),
	[ESPAH_TMPL_DST] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_tmpl,
						  sizeof(struct in6_addr)),
	[ESPAH_TMPL_REQID] = { .type = NLA_U32 },
	[ESPAH_TMPL_SPI] = NLA_POLICY_VALIDATE_FN(NLA_BE32, validate_tmpl),
};

#define REPLY_ONLY(name) { .type = NLA_REJECT, .reject_message = name ": reply only" }

static const struct nla_policy lft_policy[ESPAH_LFT_MAX + 1] = {
	[ESPAH_LFT_SOFT_BYTES] = { .type = NLA_U64 },
	[ESPAH_LFT_HARD_BYTES] = { .type = NLA_U64 },
	[ESPAH_LFT_SOFT_PACKETS] = { .type = NLA_U64 },
	[ESPAH_LFT_HARD_PACKETS] = { .type = NLA_U64 },
	[ESPAH_LFT_SOFT_ADD_SECS] = { .type = NLA_U64 },
	[ESPAH_LFT_HARD_ADD_SECS] = { .type = NLA_U64 },
	[ESPAH_LFT_SOFT_USE_SECS] = { .type = NLA_U64 },
	[ESPAH_LFT_HARD_USE_SECS] = { .type = NLA_U64 },
	[ESPAH_LFT_SEQ_SOFT] = { .type = NLA_U64 },
	[ESPAH_LFT_ADD_TIME] = REPLY_ONLY("ESPAH_LFT_ADD_TIME"),
	[ESPAH_LFT_USE_TIME] = REPLY_ONLY("ESPAH_LFT_USE_TIME"),
	[ESPAH_LFT_PAD] = REPLY_ONLY("ESPAH_LFT_PAD"),
};

static const struct nla_policy espah_policy[ESPAH_A_MAX + 1] = {
	[ESPAH_A_SA_SPI] = NLA_POLICY_VALIDATE_FN(NLA_BE32, validate_top),
	[ESPAH_A_SA_PROTO] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_top),
	[ESPAH_A_SA_MODE] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_top),
	[ESPAH_A_SA_DIR] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_top),
	[ESPAH_A_SA_FAMILY] = NLA_POLICY_VALIDATE_FN(NLA_U16, validate_top),
	[ESPAH_A_SA_SRC] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_top,
						  sizeof(struct in6_addr)),
	[ESPAH_A_SA_DST] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_top,
						  sizeof(struct in6_addr)),
	[ESPAH_A_SA_SEL] = NLA_POLICY_NESTED(sel_policy),
	[ESPAH_A_SA_AEAD] = { .type = NLA_NUL_STRING, .len = ALG_NAME_MAX },
	[ESPAH_A_SA_ENC] = { .type = NLA_NUL_STRING, .len = ALG_NAME_MAX },
	[ESPAH_A_SA_AUTH] = { .type = NLA_NUL_STRING, .len = ALG_NAME_MAX },
	[ESPAH_A_SA_ENC_KEY] = { .type = NLA_BINARY, .len = KEY_MAX },
	[ESPAH_A_SA_AUTH_KEY] = { .type = NLA_BINARY, .len = KEY_MAX },
	[ESPAH_A_SA_ICV_BITS] = NLA_POLICY_VALIDATE_FN(NLA_U32, validate_top),
	[ESPAH_A_SA_REPLAY_WINDOW] = NLA_POLICY_VALIDATE_FN(NLA_U32,
							    validate_top),
	[ESPAH_A_SA_FLAGS] = NLA_POLICY_VALIDATE_FN(NLA_U32, validate_top),
	[ESPAH_A_SA_REQID] = { .type = NLA_U32 },
	[ESPAH_A_SA_SEQ] = { .type = NLA_U64 },
	[ESPAH_A_SA_OSEQ] = { .type = NLA_U64 },
	[ESPAH_A_SA_STATS] = REPLY_ONLY("ESPAH_A_SA_STATS"),
	[ESPAH_A_SA_PAD] = REPLY_ONLY("ESPAH_A_SA_PAD"),
	[ESPAH_A_POL_DIR] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_top),
	[ESPAH_A_POL_SEL] = NLA_POLICY_NESTED(sel_policy),
	[ESPAH_A_POL_ACTION] = NLA_POLICY_VALIDATE_FN(NLA_U8, validate_top),
	[ESPAH_A_POL_PRIORITY] = { .type = NLA_U32 },
	[ESPAH_A_POL_TMPL] = NLA_POLICY_NESTED(tmpl_policy),
	[ESPAH_A_POL_INDEX] = { .type = NLA_U32 },
	[ESPAH_A_COUNT] = REPLY_ONLY("ESPAH_A_COUNT"),
	[ESPAH_A_STATS] = REPLY_ONLY("ESPAH_A_STATS"),
	[ESPAH_A_VERSION] = REPLY_ONLY("ESPAH_A_VERSION"),
	[ESPAH_A_ALG] = REPLY_ONLY("ESPAH_A_ALG"),
	[ESPAH_A_WINDOW_MAX] = REPLY_ONLY("ESPAH_A_WINDOW_MAX"),
	[ESPAH_A_SA_LIFETIME] = NLA_POLICY_NESTED(lft_policy),
	[ESPAH_A_SA_EXPIRE_HARD] = REPLY_ONLY("ESPAH_A_SA_EXPIRE_HARD"),
	[ESPAH_A_SA_EXPIRE_REASON] = REPLY_ONLY("ESPAH_A_SA_EXPIRE_REASON"),
	[ESPAH_A_SA_REORDER] = REPLY_ONLY("ESPAH_A_SA_REORDER"),
	[ESPAH_A_POL_HOLD] = NLA_POLICY_VALIDATE_FN(NLA_U32, validate_top),
	[ESPAH_A_FEATURES] = REPLY_ONLY("ESPAH_A_FEATURES"),
	[ESPAH_A_HOLD_MAX] = REPLY_ONLY("ESPAH_A_HOLD_MAX"),
};

static struct genl_family espah_family;

/* ---- common parsing ---- */

static bool addr_get(const struct nlattr *a, u16 family,
		     union espah_addr *out)
{
	int len = family == AF_INET ? sizeof(out->a4) : sizeof(out->a6);

	if (nla_len(a) != len)
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, nla_data(a), len);
	return true;
}

static void addr_mask(u16 family, union espah_addr *a, u8 plen)
{
	struct in6_addr tmp;

	if (family == AF_INET) {
		a->a4 &= plen ? htonl(~0U << (32 - plen)) : 0;
	} else {
		ipv6_addr_prefix(&tmp, &a->a6, plen);
		a->a6 = tmp;
	}
}

static bool proto_has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
	case IPPROTO_MH:
		return true;
	}
	return false;
}

/* [lo, hi] from optional first/last attributes; absent both: any port. */
static bool port_range(const struct nlattr *first, const struct nlattr *last,
		       __be16 *lo, __be16 *hi)
{
	u16 l = first ? ntohs(nla_get_be16(first)) : 0;
	u16 h = last ? ntohs(nla_get_be16(last)) : first ? l : U16_MAX;

	*lo = htons(l);
	*hi = htons(h);
	return l <= h;
}

/* Refusals of one selector prefix: bad address, too long, length alone. */
static const char * const sel_src_msgs[] = {
	"ESPAH_SEL_SRC: length does not match ESPAH_SEL_FAMILY",
	"ESPAH_SEL_SPLEN: longer than the address",
	"ESPAH_SEL_SPLEN: nonzero without ESPAH_SEL_SRC",
};

static const char * const sel_dst_msgs[] = {
	"ESPAH_SEL_DST: length does not match ESPAH_SEL_FAMILY",
	"ESPAH_SEL_DPLEN: longer than the address",
	"ESPAH_SEL_DPLEN: nonzero without ESPAH_SEL_DST",
};

/* BAD() for a message chosen at run time (static storage, as extack keeps
 * the pointer).
 */
static int bad_msg(struct netlink_ext_ack *extack, const struct nlattr *a,
		   const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = a;
	}
	return -EINVAL;
}

/* One prefix of a selector: address @a (default: any) and length @l
 * (default: the full address if @a is given), masked.
 */
static int sel_prefix(const struct nlattr *a, const struct nlattr *l,
		      u16 family, union espah_addr *addr, u8 *plen,
		      const char * const msgs[3], struct netlink_ext_ack *extack)
{
	u8 maxlen = family == AF_INET ? 32 : 128, len = 0;

	if (a) {
		if (!addr_get(a, family, addr))
			return bad_msg(extack, a, msgs[0]);
		len = maxlen;
	}
	if (l) {
		len = nla_get_u8(l);
		if (len > maxlen)
			return bad_msg(extack, l, msgs[1]);
		if (len && !a)
			return bad_msg(extack, l, msgs[2]);
	}
	*plen = len;
	addr_mask(family, addr, len);
	return 0;
}

static int parse_sel(const struct nlattr *nest, struct espah_sel *sel,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ESPAH_SEL_MAX + 1];
	struct nlattr *port;
	int err;

	err = nla_parse_nested(tb, ESPAH_SEL_MAX, nest, sel_policy, extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, ESPAH_SEL_FAMILY))
		return -EINVAL;

	memset(sel, 0, sizeof(*sel));
	sel->family = nla_get_u16(tb[ESPAH_SEL_FAMILY]);

	err = sel_prefix(tb[ESPAH_SEL_SRC], tb[ESPAH_SEL_SPLEN], sel->family,
			 &sel->src, &sel->splen, sel_src_msgs, extack);
	if (err)
		return err;
	err = sel_prefix(tb[ESPAH_SEL_DST], tb[ESPAH_SEL_DPLEN], sel->family,
			 &sel->dst, &sel->dplen, sel_dst_msgs, extack);
	if (err)
		return err;

	if (tb[ESPAH_SEL_PROTO])
		sel->proto = nla_get_u8(tb[ESPAH_SEL_PROTO]);

	port = tb[ESPAH_SEL_SPORT] ?: tb[ESPAH_SEL_SPORT_MAX] ?:
	       tb[ESPAH_SEL_DPORT] ?: tb[ESPAH_SEL_DPORT_MAX];
	if (port && !proto_has_ports(sel->proto))
		return BAD(extack, port,
			   "ESPAH_SEL_SPORT/DPORT: ESPAH_SEL_PROTO has no ports (or ICMP type/code)");
	if (!port_range(tb[ESPAH_SEL_SPORT], tb[ESPAH_SEL_SPORT_MAX],
			&sel->sport, &sel->sport_max))
		return BAD(extack, tb[ESPAH_SEL_SPORT_MAX],
			   "ESPAH_SEL_SPORT_MAX: below ESPAH_SEL_SPORT");
	if (!port_range(tb[ESPAH_SEL_DPORT], tb[ESPAH_SEL_DPORT_MAX],
			&sel->dport, &sel->dport_max))
		return BAD(extack, tb[ESPAH_SEL_DPORT_MAX],
			   "ESPAH_SEL_DPORT_MAX: below ESPAH_SEL_DPORT");
	return 0;
}

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

/* ---- message building ---- */

static int put_addr(struct sk_buff *msg, int type, u16 family,
		    const union espah_addr *a)
{
	return nla_put(msg, type, family == AF_INET ? 4 : 16, a);
}

static int put_sel(struct sk_buff *msg, int type, const struct espah_sel *sel)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(msg, ESPAH_SEL_FAMILY, sel->family) ||
	    put_addr(msg, ESPAH_SEL_SRC, sel->family, &sel->src) ||
	    put_addr(msg, ESPAH_SEL_DST, sel->family, &sel->dst) ||
	    nla_put_u8(msg, ESPAH_SEL_SPLEN, sel->splen) ||
	    nla_put_u8(msg, ESPAH_SEL_DPLEN, sel->dplen) ||
	    nla_put_u8(msg, ESPAH_SEL_PROTO, sel->proto))
		goto cancel;
	if (sel->proto &&
	    (sel->sport || sel->sport_max != htons(U16_MAX)) &&
	    (nla_put_be16(msg, ESPAH_SEL_SPORT, sel->sport) ||
	     nla_put_be16(msg, ESPAH_SEL_SPORT_MAX, sel->sport_max)))
		goto cancel;
	if (sel->proto &&
	    (sel->dport || sel->dport_max != htons(U16_MAX)) &&
	    (nla_put_be16(msg, ESPAH_SEL_DPORT, sel->dport) ||
	     nla_put_be16(msg, ESPAH_SEL_DPORT_MAX, sel->dport_max)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t sel_size(void)
{
	return nla_total_size(0) +			/* nest */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       2 * nla_total_size(sizeof(struct in6_addr)) +
	       3 * nla_total_size(sizeof(u8)) +	/* SPLEN, DPLEN, PROTO */
	       4 * nla_total_size(sizeof(__be16));	/* ports */
}

static size_t sa_msg_size(void)
{
	return GENL_HDRLEN +
	       nla_total_size(sizeof(__be32)) +		/* SPI */
	       3 * nla_total_size(sizeof(u8)) +	/* PROTO, MODE, DIR */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       2 * nla_total_size(sizeof(struct in6_addr)) +
	       sel_size() +
	       2 * nla_total_size(ALG_NAME_MAX + 1) +	/* AEAD or ENC, AUTH */
	       4 * nla_total_size(sizeof(u32)) +	/* ICV, WINDOW, FLAGS, REQID */
	       2 * nla_total_size_64bit(sizeof(u64)) +	/* SEQ, OSEQ */
	       nla_total_size(0) +			/* STATS */
	       ESPAH_SA_STAT_MAX * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(0) +			/* LIFETIME */
	       ESPAH_LFT_MAX * nla_total_size_64bit(sizeof(u64)) +
	       2 * nla_total_size(sizeof(u8)) +	/* EXPIRE_HARD, _REASON */
	       nla_total_size(0) +			/* REORDER */
	       (1 + ESPAH_REORDER_BUCKETS) *
	       nla_total_size_64bit(sizeof(u64));
}

/* Wall-clock seconds of a boot-time ns stamp. */
static u64 boot_to_real(u64 ns)
{
	u64 ago = ktime_get_boottime_ns() - ns;

	return ktime_get_real_seconds() - div_u64(ago, NSEC_PER_SEC);
}

static int put_u64_nz(struct sk_buff *msg, int type, u64 v, int pad)
{
	return v ? nla_put_u64_64bit(msg, type, v, pad) : 0;
}

static int put_sa_lifetime(struct sk_buff *msg, const struct espah_sa *sa)
{
	const struct espah_lft *l = &sa->lft;
	u64 use = atomic64_read(&sa->use_ns);
	struct nlattr *nest;

	nest = nla_nest_start(msg, ESPAH_A_SA_LIFETIME);
	if (!nest)
		return -EMSGSIZE;
	if (put_u64_nz(msg, ESPAH_LFT_SOFT_BYTES, l->soft_bytes, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_BYTES, l->hard_bytes, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_PACKETS, l->soft_packets,
		       ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_PACKETS, l->hard_packets,
		       ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_ADD_SECS, l->soft_add, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_ADD_SECS, l->hard_add, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_USE_SECS, l->soft_use, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_USE_SECS, l->hard_use, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SEQ_SOFT, l->seq_soft, ESPAH_LFT_PAD) ||
	    nla_put_u64_64bit(msg, ESPAH_LFT_ADD_TIME, sa->add_time,
			      ESPAH_LFT_PAD) ||
	    (use && nla_put_u64_64bit(msg, ESPAH_LFT_USE_TIME,
				      boot_to_real(use), ESPAH_LFT_PAD))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_sa_reorder(struct sk_buff *msg, struct espah_sa *sa)
{
	u64 hist[ESPAH_REORDER_BUCKETS], max;
	struct nlattr *nest;
	int i;

	if (!sa->replay)
		return 0;
	spin_lock_bh(&sa->lock);
	max = sa->replay->reorder_max;
	memcpy(hist, sa->replay->reorder_hist, sizeof(hist));
	spin_unlock_bh(&sa->lock);
	nest = nla_nest_start(msg, ESPAH_A_SA_REORDER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, ESPAH_REORDER_MAX, max, ESPAH_REORDER_PAD))
		goto cancel;
	for (i = 0; i < ESPAH_REORDER_BUCKETS; i++)
		if (nla_put_u64_64bit(msg, ESPAH_REORDER_BUCKET, hist[i],
				      ESPAH_REORDER_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int put_sa_stats(struct sk_buff *msg, const struct espah_sa *sa)
{
	u64 v[ESPAH_SA_STAT_MAX + 1];
	struct nlattr *nest;
	int i;

	espah_sa_stats_sum(sa, v);
	nest = nla_nest_start(msg, ESPAH_A_SA_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = ESPAH_SA_STAT_UNSPEC + 1; i <= ESPAH_SA_STAT_MAX; i++) {
		if (i == ESPAH_SA_STAT_PAD)
			continue;
		if (nla_put_u64_64bit(msg, i, v[i], ESPAH_SA_STAT_PAD)) {
			nla_nest_cancel(msg, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* One SA as in a GET reply, without keys. */
static int fill_sa(struct sk_buff *msg, struct espah_sa *sa, u32 portid,
		   u32 seq, int flags, u8 cmd, struct netlink_callback *cb)
{
	const struct espah_crypto *c = &sa->crypto;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &espah_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_be32(msg, ESPAH_A_SA_SPI, sa->spi) ||
	    nla_put_u8(msg, ESPAH_A_SA_PROTO, sa->proto) ||
	    nla_put_u8(msg, ESPAH_A_SA_MODE, sa->mode) ||
	    nla_put_u8(msg, ESPAH_A_SA_DIR, sa->dir) ||
	    nla_put_u16(msg, ESPAH_A_SA_FAMILY, sa->family) ||
	    put_addr(msg, ESPAH_A_SA_SRC, sa->family, &sa->src) ||
	    put_addr(msg, ESPAH_A_SA_DST, sa->family, &sa->dst))
		goto cancel;
	if (sa->sel.family && put_sel(msg, ESPAH_A_SA_SEL, &sa->sel))
		goto cancel;
	if (sa->aead) {
		if (nla_put_string(msg, ESPAH_A_SA_AEAD, c->enc_name))
			goto cancel;
	} else {
		if (c->enc_name[0] &&
		    nla_put_string(msg, ESPAH_A_SA_ENC, c->enc_name))
			goto cancel;
		if (c->auth_name[0] &&
		    nla_put_string(msg, ESPAH_A_SA_AUTH, c->auth_name))
			goto cancel;
	}
	if (nla_put_u32(msg, ESPAH_A_SA_ICV_BITS, c->icv_len * 8) ||
	    nla_put_u32(msg, ESPAH_A_SA_REPLAY_WINDOW, sa->window) ||
	    nla_put_u32(msg, ESPAH_A_SA_FLAGS, sa->flags) ||
	    nla_put_u32(msg, ESPAH_A_SA_REQID, sa->reqid) ||
	    nla_put_u64_64bit(msg, ESPAH_A_SA_SEQ, espah_sa_seq(sa),
			      ESPAH_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, ESPAH_A_SA_OSEQ, espah_sa_oseq(sa),
			      ESPAH_A_SA_PAD) ||
	    put_sa_stats(msg, sa) || put_sa_lifetime(msg, sa) ||
	    put_sa_reorder(msg, sa))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int put_tmpl(struct sk_buff *msg, const struct espah_tmpl *t)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, ESPAH_A_POL_TMPL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, ESPAH_TMPL_PROTO, t->proto) ||
	    nla_put_u8(msg, ESPAH_TMPL_MODE, t->mode) ||
	    nla_put_u16(msg, ESPAH_TMPL_FAMILY, t->family) ||
	    nla_put_u32(msg, ESPAH_TMPL_REQID, t->reqid) ||
	    nla_put_be32(msg, ESPAH_TMPL_SPI, t->spi))
		goto cancel;
	if (t->mode == ESPAH_MODE_TUNNEL &&
	    (put_addr(msg, ESPAH_TMPL_SRC, t->family, &t->src) ||
	     put_addr(msg, ESPAH_TMPL_DST, t->family, &t->dst)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t pol_msg_size(void)
{
	size_t tmpl = nla_total_size(0) + 2 * nla_total_size(sizeof(u8)) +
		      nla_total_size(sizeof(u16)) +
		      2 * nla_total_size(sizeof(struct in6_addr)) +
		      2 * nla_total_size(sizeof(u32));

	return GENL_HDRLEN + 2 * nla_total_size(sizeof(u8)) + sel_size() +
	       3 * nla_total_size(sizeof(u32)) + ESPAH_MAX_TMPL * tmpl;
}

/* A policy's own attributes: direction, selector, action, priority,
 * index, hold bound and templates (policy messages and acquire events).
 */
static int put_pol(struct sk_buff *msg, const struct espah_policy *pol)
{
	unsigned int i;

	if (nla_put_u8(msg, ESPAH_A_POL_DIR, pol->dir) ||
	    put_sel(msg, ESPAH_A_POL_SEL, &pol->sel) ||
	    nla_put_u8(msg, ESPAH_A_POL_ACTION, pol->action) ||
	    nla_put_u32(msg, ESPAH_A_POL_PRIORITY, pol->priority) ||
	    nla_put_u32(msg, ESPAH_A_POL_INDEX, pol->index))
		return -EMSGSIZE;
	if (pol->hold_max &&
	    nla_put_u32(msg, ESPAH_A_POL_HOLD, pol->hold_max))
		return -EMSGSIZE;
	for (i = 0; i < pol->ntmpl; i++)
		if (put_tmpl(msg, &pol->tmpl[i]))
			return -EMSGSIZE;
	return 0;
}

static int fill_pol(struct sk_buff *msg, const struct espah_policy *pol,
		    u32 portid, u32 seq, int flags, u8 cmd,
		    struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &espah_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (put_pol(msg, pol))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Someone wants to hear about a change: a group member or the sender. */
static bool want_notify(struct genl_info *info, unsigned int group)
{
	return nlmsg_report(info->nlhdr) ||
	       genl_has_listeners(&espah_family, genl_info_net(info), group);
}

static void notify_sa(struct genl_info *info, struct espah_sa *sa, u8 cmd)
{
	struct sk_buff *msg;

	if (!want_notify(info, MCGRP_SA))
		return;
	msg = genlmsg_new(sa_msg_size(), GFP_KERNEL);
	if (!msg)
		return;
	if (fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0, cmd, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genl_notify(&espah_family, msg, info, MCGRP_SA, GFP_KERNEL);
}

/* A flush: the command plus what it flushed and how many went. */
static void notify_flush(struct genl_info *info, unsigned int group, u8 cmd,
			 u8 proto, u32 count)
{
	struct sk_buff *msg;
	void *hdr;

	if (!want_notify(info, group))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &espah_family,
			  0, cmd);
	if (!hdr ||
	    (proto && nla_put_u8(msg, ESPAH_A_SA_PROTO, proto)) ||
	    nla_put_u32(msg, ESPAH_A_COUNT, count)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genl_notify(&espah_family, msg, info, group, GFP_KERNEL);
}

/* Set while the family is registered; senders outside a request check it
 * in an RCU read section, which espah_netlink_exit() waits out.
 */
static bool nl_up;

/**
 * espah_nl_sa_expire() - multicast ESPAH_CMD_SA_EXPIRE to the "sa" group
 * @net: the SA's namespace
 * @sa: the SA (still referenced by the caller)
 * @hard: hard expire (the SA was removed) or soft
 * @reason: enum espah_expire_reason
 *
 * Context: process.
 */
void espah_nl_sa_expire(struct net *net, struct espah_sa *sa, bool hard,
			u8 reason)
{
	struct sk_buff *msg;
	struct nlmsghdr *nlh;

	msg = genlmsg_new(sa_msg_size(), GFP_KERNEL);
	if (!msg)
		return;
	if (fill_sa(msg, sa, 0, 0, 0, ESPAH_CMD_SA_EXPIRE, NULL))
		goto free;
	/* fill_sa() ended the message: append to it */
	nlh = nlmsg_hdr(msg);
	if (nla_put_u8(msg, ESPAH_A_SA_EXPIRE_HARD, hard) ||
	    nla_put_u8(msg, ESPAH_A_SA_EXPIRE_REASON, reason))
		goto free;
	nlmsg_end(msg, nlh);
	rcu_read_lock();
	if (READ_ONCE(nl_up))
		genlmsg_multicast_netns(&espah_family, net, msg, 0, MCGRP_SA,
					GFP_ATOMIC);
	else
		nlmsg_free(msg);
	rcu_read_unlock();
	return;
free:
	nlmsg_free(msg);
}

static int put_flow_sel(struct sk_buff *msg, const struct espah_flow *fl)
{
	u8 plen = fl->family == AF_INET ? 32 : 128;
	struct espah_sel sel = {
		.src = fl->src, .dst = fl->dst, .family = fl->family,
		.splen = plen, .dplen = plen, .proto = fl->proto,
		.sport = fl->sport, .sport_max = fl->sport,
		.dport = fl->dport, .dport_max = fl->dport,
	};

	if (!proto_has_ports(fl->proto)) {
		sel.sport = 0;
		sel.dport = 0;
		sel.sport_max = htons(U16_MAX);
		sel.dport_max = htons(U16_MAX);
	}
	return put_sel(msg, ESPAH_A_SA_SEL, &sel);
}

/**
 * espah_nl_acquire() - multicast ESPAH_CMD_ACQUIRE to the "acquire" group
 * @net: namespace
 * @pol: the protect policy that found no SA
 * @t: its template
 * @fl: the packet that needed the SA
 *
 * The message carries the policy (ESPAH_A_POL_*), the packet's own
 * selector (ESPAH_A_SA_SEL, host prefixes) and the SA wanted:
 * ESPAH_A_SA_FAMILY/SRC/DST (tunnel: the template's endpoints; transport:
 * the packet's addresses), ESPAH_A_SA_PROTO, _MODE, _REQID, and
 * ESPAH_A_SA_SPI if the template names one.
 *
 * Context: datapath, under rcu_read_lock().
 */
void espah_nl_acquire(struct net *net, const struct espah_policy *pol,
		      const struct espah_tmpl *t, const struct espah_flow *fl)
{
	bool tunnel = t->mode == ESPAH_MODE_TUNNEL;
	u16 family = tunnel ? t->family : fl->family;
	struct sk_buff *msg;
	void *hdr;

	if (!READ_ONCE(nl_up) ||
	    !genl_has_listeners(&espah_family, net, MCGRP_ACQUIRE))
		return;
	msg = genlmsg_new(pol_msg_size() + sel_size() + 128, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &espah_family, 0, ESPAH_CMD_ACQUIRE);
	if (!hdr)
		goto free;
	if (put_pol(msg, pol))
		goto free;
	if (put_flow_sel(msg, fl) ||
	    nla_put_u16(msg, ESPAH_A_SA_FAMILY, family) ||
	    put_addr(msg, ESPAH_A_SA_SRC, family, tunnel ? &t->src : &fl->src) ||
	    put_addr(msg, ESPAH_A_SA_DST, family, tunnel ? &t->dst : &fl->dst) ||
	    nla_put_u8(msg, ESPAH_A_SA_PROTO, t->proto) ||
	    nla_put_u8(msg, ESPAH_A_SA_MODE, t->mode) ||
	    nla_put_u32(msg, ESPAH_A_SA_REQID, t->reqid) ||
	    (t->spi && nla_put_be32(msg, ESPAH_A_SA_SPI, t->spi)))
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&espah_family, net, msg, 0, MCGRP_ACQUIRE,
				GFP_ATOMIC);
	return;
free:
	nlmsg_free(msg);
}

/* ---- SA commands ---- */

/* The (spi, proto, family, dst) that names an SA. */
struct sa_id {
	union espah_addr dst;
	__be32 spi;
	u16 family;
	u8 proto;
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
	if (!addr_get(tb[ESPAH_A_SA_DST], id->family, &id->dst))
		return BAD(extack, tb[ESPAH_A_SA_DST],
			   "ESPAH_A_SA_DST: length does not match ESPAH_A_SA_FAMILY");
	return 0;
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
	if (tb[ESPAH_A_SA_ICV_BITS])
		cfg->icv_bits = nla_get_u32(tb[ESPAH_A_SA_ICV_BITS]);
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
	err = nla_parse_nested(tb, ESPAH_LFT_MAX, nest, lft_policy, extack);
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
	if (!addr_get(tb[ESPAH_A_SA_SRC], sa->family, &sa->src))
		return BAD(extack, tb[ESPAH_A_SA_SRC],
			   "ESPAH_A_SA_SRC: length does not match ESPAH_A_SA_FAMILY");
	sa->dir = nla_get_u8(tb[ESPAH_A_SA_DIR]);
	sa->mode = tb[ESPAH_A_SA_MODE] ? nla_get_u8(tb[ESPAH_A_SA_MODE]) :
					 ESPAH_MODE_TRANSPORT;
	if (tb[ESPAH_A_SA_SEL]) {
		err = parse_sel(tb[ESPAH_A_SA_SEL], &sa->sel, extack);
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
	if (!sa)
		return -ENOMEM;
	err = parse_sa(info, sa, &cfg, &seq, &oseq);
	if (!err)
		err = espah_sa_setup(sa, &cfg, seq, oseq, info->extack);
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
	if (!err)
		notify_sa(info, sa, update ? ESPAH_CMD_SA_UPDATE :
					     ESPAH_CMD_SA_ADD);
out:
	espah_sa_put(sa);
	return err;
}

static int espah_sa_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = sa_new(info, false);

	wipe_keys(info);
	return err;
}

static int espah_sa_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = sa_new(info, true);

	wipe_keys(info);
	return err;
}

static int espah_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espah_sa *sa;
	struct sa_id id;
	int err;

	err = parse_sa_id(info, &id);
	if (err)
		return err;
	sa = espah_sa_unlink(genl_info_net(info), id.spi, id.proto, id.family,
			     &id.dst);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_SA_SPI],
				    "ESPAH_A_SA_SPI: no SA with this SPI, destination and protocol");
		return -ENOENT;
	}
	notify_sa(info, sa, ESPAH_CMD_SA_DEL);
	espah_sa_put(sa);
	return 0;
}

static int espah_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espah_sa *sa;
	struct sk_buff *msg;
	struct sa_id id;
	int err;

	err = parse_sa_id(info, &id);
	if (err)
		return err;
	sa = espah_sa_get(genl_info_net(info), id.spi, id.proto, id.family,
			  &id.dst);
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_SA_SPI],
				    "ESPAH_A_SA_SPI: no SA with this SPI, destination and protocol");
		return -ENOENT;
	}
	msg = genlmsg_new(sa_msg_size(), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0,
		      ESPAH_CMD_SA_GET, NULL);
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
};

static int sa_dump_one(struct espah_sa *sa, void *data)
{
	struct sa_dump_arg *d = data;

	d->cb->seq = d->w->gen;
	return fill_sa(d->skb, sa, NETLINK_CB(d->cb->skb).portid,
		       d->cb->nlh->nlmsg_seq, NLM_F_MULTI, ESPAH_CMD_SA_GET,
		       d->cb);
}

static int espah_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sa_dump_ctx *ctx = (struct sa_dump_ctx *)cb->ctx;
	struct sa_dump_arg d = { .skb = skb, .cb = cb, .w = &ctx->w };
	int err;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	err = espah_sa_walk(sock_net(cb->skb->sk), &ctx->w, sa_dump_one, &d);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

static int espah_sa_dump_done(struct netlink_callback *cb)
{
	struct sa_dump_ctx *ctx = (struct sa_dump_ctx *)cb->ctx;

	espah_sa_walk_end(&ctx->w);
	return 0;
}

static int espah_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 proto = 0;
	u32 n;

	if (info->attrs[ESPAH_A_SA_PROTO])
		proto = nla_get_u8(info->attrs[ESPAH_A_SA_PROTO]);
	n = espah_sa_flush(genl_info_net(info), proto);
	notify_flush(info, MCGRP_SA, ESPAH_CMD_SA_FLUSH, proto, n);
	return 0;
}

static int reply_u32(struct genl_info *info, u8 cmd, int type, u32 v)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &espah_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, type, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int espah_sa_count_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_u32(info, ESPAH_CMD_SA_COUNT, ESPAH_A_COUNT,
			 espah_sa_count(genl_info_net(info)));
}

/* ---- policy commands ---- */

static int parse_tmpl(const struct nlattr *nest, u16 *family,
		      struct espah_tmpl *t, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ESPAH_TMPL_MAX + 1];
	int err;

	err = nla_parse_nested(tb, ESPAH_TMPL_MAX, nest, tmpl_policy, extack);
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
	if (tb[ESPAH_TMPL_SPI])
		t->spi = nla_get_be32(tb[ESPAH_TMPL_SPI]);

	if (t->mode == ESPAH_MODE_TUNNEL) {
		if (MISSING(extack, nest, tb, ESPAH_TMPL_FAMILY) ||
		    MISSING(extack, nest, tb, ESPAH_TMPL_SRC) ||
		    MISSING(extack, nest, tb, ESPAH_TMPL_DST))
			return -EINVAL;
		t->family = nla_get_u16(tb[ESPAH_TMPL_FAMILY]);
	} else {
		/* transport: the packet's own family and addresses */
		if (tb[ESPAH_TMPL_FAMILY] &&
		    nla_get_u16(tb[ESPAH_TMPL_FAMILY]) != *family)
			return BAD(extack, tb[ESPAH_TMPL_FAMILY],
				   "ESPAH_TMPL_FAMILY: transport mode needs the family of the packet (selector)");
		t->family = *family;
	}
	if (tb[ESPAH_TMPL_SRC] &&
	    !addr_get(tb[ESPAH_TMPL_SRC], t->family, &t->src))
		return BAD(extack, tb[ESPAH_TMPL_SRC],
			   "ESPAH_TMPL_SRC: length does not match ESPAH_TMPL_FAMILY");
	if (tb[ESPAH_TMPL_DST] &&
	    !addr_get(tb[ESPAH_TMPL_DST], t->family, &t->dst))
		return BAD(extack, tb[ESPAH_TMPL_DST],
			   "ESPAH_TMPL_DST: length does not match ESPAH_TMPL_FAMILY");
	/* the next (outer) template sees what this one puts on the wire */
	*family = t->family;
	return 0;
}

static int parse_pol_key(struct genl_info *info, u8 *dir,
			 struct espah_sel *sel)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;

	if (MISSING(extack, NULL, tb, ESPAH_A_POL_DIR) ||
	    MISSING(extack, NULL, tb, ESPAH_A_POL_SEL))
		return -EINVAL;
	*dir = nla_get_u8(tb[ESPAH_A_POL_DIR]);
	return parse_sel(tb[ESPAH_A_POL_SEL], sel, extack);
}

static int parse_pol(struct genl_info *info, struct espah_policy *pol)
{
	struct nlattr **tb = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *a, *first = NULL;
	u16 family;
	int err, rem;

	if (tb[ESPAH_A_POL_INDEX])
		return BAD(extack, tb[ESPAH_A_POL_INDEX],
			   "ESPAH_A_POL_INDEX: assigned by the kernel");
	err = parse_pol_key(info, &pol->dir, &pol->sel);
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
	if (fill_pol(msg, pol, info->snd_portid, info->snd_seq, 0, cmd,
		     NULL)) {
		nlmsg_free(msg);
		return;
	}
	genl_notify(&espah_family, msg, info, MCGRP_POLICY, GFP_KERNEL);
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
	if (!pol)
		return -ENOMEM;
	err = parse_pol(info, pol);
	if (err)
		goto err_free;
	/* allocated up front: once published, @pol may go at any time */
	if (want_notify(info, MCGRP_POLICY))
		msg = genlmsg_new(pol_msg_size(), GFP_KERNEL);
	err = espah_spd_insert(net, pol, update, &index, info->extack);
	if (err)
		goto err_free;
	if (msg) {
		/* fill under RCU, send (which may sleep) after it */
		rcu_read_lock();
		cur = espah_spd_find_rcu(net, 0, NULL, index);
		if (!cur || fill_pol(msg, cur, info->snd_portid,
				     info->snd_seq, 0, cmd, NULL)) {
			nlmsg_free(msg);
			msg = NULL;
		}
		rcu_read_unlock();
		if (msg)
			genl_notify(&espah_family, msg, info, MCGRP_POLICY,
				    GFP_KERNEL);
	}
	return 0;

err_free:
	nlmsg_free(msg);
	kfree(pol);
	return err;
}

static int espah_pol_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pol_new(info, false);
}

static int espah_pol_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pol_new(info, true);
}

/* Either ESPAH_A_POL_INDEX, or ESPAH_A_POL_DIR and ESPAH_A_POL_SEL. */
static int parse_pol_ref(struct genl_info *info, u8 *dir,
			 struct espah_sel *sel, u32 *index)
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
	return parse_pol_key(info, dir, sel);
}

static int pol_not_found(struct genl_info *info)
{
	struct nlattr *a = info->attrs[ESPAH_A_POL_INDEX];

	if (a)
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "ESPAH_A_POL_INDEX: no such policy");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ESPAH_A_POL_SEL],
				    "ESPAH_A_POL_SEL: no policy with this selector and direction");
	return -ENOENT;
}

static int espah_pol_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espah_policy *pol;
	struct espah_sel sel;
	struct sk_buff *msg;
	u32 index;
	u8 dir = 0;
	int err;

	err = parse_pol_ref(info, &dir, &sel, &index);
	if (err)
		return err;
	pol = espah_spd_unlink(genl_info_net(info), dir, &sel, index);
	if (!pol)
		return pol_not_found(info);
	if (want_notify(info, MCGRP_POLICY)) {
		msg = genlmsg_new(pol_msg_size(), GFP_KERNEL);
		if (msg)
			notify_pol(info, pol, msg, ESPAH_CMD_POL_DEL);
	}
	espah_policy_free(pol);
	return 0;
}

static int espah_pol_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct espah_policy *pol;
	struct espah_sel sel;
	struct sk_buff *msg;
	u32 index;
	u8 dir = 0;
	int err;

	err = parse_pol_ref(info, &dir, &sel, &index);
	if (err)
		return err;
	msg = genlmsg_new(pol_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	pol = espah_spd_find_rcu(genl_info_net(info), dir, &sel, index);
	if (pol)
		err = fill_pol(msg, pol, info->snd_portid, info->snd_seq, 0,
			       ESPAH_CMD_POL_GET, NULL);
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
	return fill_pol(d->skb, pol, NETLINK_CB(d->cb->skb).portid,
			d->cb->nlh->nlmsg_seq, NLM_F_MULTI, ESPAH_CMD_POL_GET,
			d->cb);
}

static int espah_pol_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
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

static int espah_pol_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 n = espah_spd_flush(genl_info_net(info));

	notify_flush(info, MCGRP_POLICY, ESPAH_CMD_POL_FLUSH, 0, n);
	return 0;
}

/* ---- global ---- */

static int espah_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u64 v[ESPAH_STAT_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int i;

	espah_stats_sum(genl_info_net(info), v);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &espah_family, 0,
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

static int espah_features_get(struct sk_buff *skb, struct genl_info *info)
{
	const struct espah_alg *alg;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &espah_family, 0,
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
			ESPAH_FEAT_MSS_CLAMP) ||
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
 * events carry other users' flows).
 */
static const struct genl_ops espah_ops[] = {
	{
		.cmd = ESPAH_CMD_SA_ADD,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_add_doit,
	},
	{
		.cmd = ESPAH_CMD_SA_UPDATE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_update_doit,
	},
	{
		.cmd = ESPAH_CMD_SA_DEL,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_del_doit,
	},
	{
		.cmd = ESPAH_CMD_SA_GET,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_get_doit,
		.dumpit = espah_sa_dumpit,
		.done = espah_sa_dump_done,
	},
	{
		.cmd = ESPAH_CMD_SA_FLUSH,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_flush_doit,
	},
	{
		.cmd = ESPAH_CMD_SA_COUNT,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_sa_count_doit,
	},
	{
		.cmd = ESPAH_CMD_POL_ADD,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_pol_add_doit,
	},
	{
		.cmd = ESPAH_CMD_POL_UPDATE,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_pol_update_doit,
	},
	{
		.cmd = ESPAH_CMD_POL_DEL,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_pol_del_doit,
	},
	{
		.cmd = ESPAH_CMD_POL_GET,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_pol_get_doit,
		.dumpit = espah_pol_dumpit,
	},
	{
		.cmd = ESPAH_CMD_POL_FLUSH,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_pol_flush_doit,
	},
	{
		.cmd = ESPAH_CMD_STATS_GET,
		.flags = GENL_UNS_ADMIN_PERM,
		.doit = espah_stats_get_doit,
	},
	{
		.cmd = ESPAH_CMD_FEATURES_GET,
		.doit = espah_features_get,
	},
};

static const struct genl_multicast_group espah_mcgrps[] = {
	[MCGRP_SA] = {
		.name = ESPAH_MCGRP_SA,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[MCGRP_POLICY] = {
		.name = ESPAH_MCGRP_POLICY,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[MCGRP_ACQUIRE] = {
		.name = ESPAH_MCGRP_ACQUIRE,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family espah_family __ro_after_init = {
	.name = ESPAH_GENL_NAME,
	.version = ESPAH_GENL_VERSION,
	.maxattr = ESPAH_A_MAX,
	.policy = espah_policy,
	/* .resv_start_op stays 0, as genetlink.h asks of new families: every
	 * command gets strict validation, reserved header bytes included.
	 * (6.1 WARNs only for ops that also set GENL_DONT_VALIDATE_* flags.)
	 */
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = espah_ops,
	.n_ops = ARRAY_SIZE(espah_ops),
	.mcgrps = espah_mcgrps,
	.n_mcgrps = ARRAY_SIZE(espah_mcgrps),
};

/**
 * espah_netlink_init() - register the espah generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int espah_netlink_init(void)
{
	int err = genl_register_family(&espah_family);

	if (!err)
		WRITE_ONCE(nl_up, true);
	return err;
}

/**
 * espah_netlink_exit() - unregister the family
 */
void espah_netlink_exit(void)
{
	WRITE_ONCE(nl_up, false);
	synchronize_rcu();
	genl_unregister_family(&espah_family);
}
