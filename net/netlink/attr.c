// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: what requests share: addresses and selectors, and the
 * refusals that name a missing or bad attribute.
 */
#include <net/ipv6.h>

#include "nl.h"

bool espah_nl_missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		      struct nlattr **tb, unsigned int type, const char *msg)
{
	if (tb[type])
		return false;
	if (extack)
		extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	return true;
}

bool espah_nl_addr_get(const struct nlattr *a, u16 family,
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

bool espah_nl_proto_has_ports(u8 proto)
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
		if (!espah_nl_addr_get(a, family, addr))
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

int espah_nl_parse_sel(const struct nlattr *nest, struct espah_sel *sel,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ESPAH_SEL_MAX + 1];
	struct nlattr *port;
	int err;

	err = nla_parse_nested(tb, ESPAH_SEL_MAX, nest, espah_sel_nl_policy, extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, ESPAH_SEL_FAMILY))
		return -EINVAL;

	memset(sel, 0, sizeof(*sel));
	sel->family = nla_get_u16(tb[ESPAH_SEL_FAMILY]);
	if (!espah_nl_family_ok(sel->family))
		return BAD(extack, tb[ESPAH_SEL_FAMILY],
			   "ESPAH_SEL_FAMILY: must be AF_INET or AF_INET6");

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
	if (port && !espah_nl_proto_has_ports(sel->proto))
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

/**
 * espah_nl_parse_fwmark() - a mark and its mask (ip xfrm's mark V/M and
 *	output-mark V/M)
 * @tb: the request's attributes
 * @v: the value's attribute
 * @m: the mask's attribute (absent: 0xffffffff, as ip xfrm's)
 * @out: {0, 0} if neither is given
 * @msgs: refusals, static strings naming the attributes: [0] a mask
 *	without value, [1] a nonzero value with a mask of 0 (it would match
 *	no packet, or change none), [2] value bits outside the mask (NULL:
 *	allowed, the value is masked: a rewrite sets only the mask's bits)
 * @extack: for the refusal
 *
 * Return: 0 or -EINVAL.
 */
int espah_nl_parse_fwmark(struct nlattr **tb, unsigned int v, unsigned int m,
			  struct espah_fwmark *out, const char *const msgs[3],
			  struct netlink_ext_ack *extack)
{
	out->v = 0;
	out->m = 0;
	if (!tb[v]) {
		if (tb[m])
			return bad_msg(extack, tb[m], msgs[0]);
		return 0;
	}
	out->v = nla_get_u32(tb[v]);
	out->m = tb[m] ? nla_get_u32(tb[m]) : U32_MAX;
	if (out->v && !out->m)
		return bad_msg(extack, tb[m], msgs[1]);
	if (out->v & ~out->m) {
		if (msgs[2])
			return bad_msg(extack, tb[v], msgs[2]);
		out->v &= out->m;
	}
	return 0;
}
