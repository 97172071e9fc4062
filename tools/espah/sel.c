// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: selectors (SELECTOR and UPSPEC of ip-xfrm(8)) of SAs and
 * policies: the words, their checks, the request nest, and the printer.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "espah.h"

/* N or N-M (an espah extension: ip-xfrm(8) takes single ports only). */
static void parse_port_range(const char *s, const char *what, uint16_t *lo,
			     uint16_t *hi)
{
	char buf[32];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		syntax("invalid %s \"%s\"", what, s);
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash && strchr(dash + 1, '-'))
		syntax("invalid %s range \"%s\"", what, s);
	if (dash)
		*dash = '\0';
	*lo = parse_u16(buf, what);
	*hi = dash ? parse_u16(dash + 1, what) : *lo;
	if (*hi < *lo)
		syntax("invalid %s range \"%s\"", what, s);
}

/*
 * One word of a SELECTOR (src, dst, proto, sport, dport, type, code). Returns
 * false, consuming nothing, if @a's next word is not a selector word.
 */
bool parse_sel_word(struct args *a, struct selector *s)
{
	const char *w;

	if (a->argc <= 0)
		return false;
	w = a->argv[0];
	if (!strcmp(w, "src")) {
		next_arg(a, w);
		parse_prefix(next_arg(a, "src prefix"), "src", &s->src);
		s->has_src = true;
	} else if (!strcmp(w, "dst")) {
		next_arg(a, w);
		parse_prefix(next_arg(a, "dst prefix"), "dst", &s->dst);
		s->has_dst = true;
	} else if (!strcmp(w, "proto")) {
		next_arg(a, w);
		s->proto = parse_upper_proto(next_arg(a, "protocol"));
		s->has_proto = true;
	} else if (!strcmp(w, "sport")) {
		next_arg(a, w);
		parse_port_range(next_arg(a, "sport"), "sport", &s->sport, &s->sport_max);
		s->has_sport = true;
	} else if (!strcmp(w, "dport")) {
		next_arg(a, w);
		parse_port_range(next_arg(a, "dport"), "dport", &s->dport, &s->dport_max);
		s->has_dport = true;
	} else if (!strcmp(w, "type")) {
		next_arg(a, w);
		s->sport = parse_u8(next_arg(a, "type"), "icmp type");
		s->sport_max = s->sport;
		s->has_type = true;
	} else if (!strcmp(w, "code")) {
		next_arg(a, w);
		s->dport = parse_u8(next_arg(a, "code"), "icmp code");
		s->dport_max = s->dport;
		s->has_code = true;
	} else if (!strcmp(w, "dev")) {
		syntax("selector \"dev\" is not supported by espah");
	} else if (!strcmp(w, "key")) {
		syntax("selector \"key\" (GRE) is not supported by espah");
	} else {
		return false;
	}
	return true;
}

static bool has_ports(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP ||
	       p == IPPROTO_DCCP || p == IPPROTO_UDPLITE;
}

/* ICMP, ICMPv6, Mobility Header: "type" and "code" in the port fields */
static bool has_typecode(uint8_t p)
{
	return p == IPPROTO_ICMP || p == IPPROTO_ICMPV6 || p == 135;
}

/* Cross-word checks, once the whole selector is read. */
void check_sel(const struct selector *s)
{
	char buf[8];

	if ((s->has_sport || s->has_dport) && !has_ports(s->proto))
		syntax("\"%s\" needs proto tcp, udp, sctp, dccp or udplite (proto is %s)",
		       s->has_sport ? "sport" : "dport",
		       upper_proto_name(s->proto, buf, sizeof(buf)));
	if ((s->has_type || s->has_code) && !has_typecode(s->proto))
		syntax("\"%s\" needs proto icmp, ipv6-icmp or mobility-header",
		       s->has_type ? "type" : "code");
	if (s->src.family && s->dst.family && s->src.family != s->dst.family)
		syntax("selector src and dst are of different address families");
}

void req_put_selector(struct req *r, uint16_t type, const struct selector *s,
		      uint16_t default_family)
{
	struct addr src = s->src, dst = s->dst;
	uint16_t family = src.family ? src.family : dst.family ? dst.family :
			  default_family ? default_family : AF_INET;
	struct nlattr *nest;

	if (!src.family) {
		memset(&src, 0, sizeof(src));
		src.family = family;
		src.len = family == AF_INET6 ? 16 : 4;
	}
	if (!dst.family) {
		memset(&dst, 0, sizeof(dst));
		dst.family = family;
		dst.len = family == AF_INET6 ? 16 : 4;
	}
	nest = req_nest_start(r, type);
	req_put_u16(r, ESPAH_SEL_FAMILY, family);
	req_put(r, ESPAH_SEL_SRC, src.len, src.bytes);
	req_put(r, ESPAH_SEL_DST, dst.len, dst.bytes);
	req_put_u8(r, ESPAH_SEL_SPLEN, src.plen);
	req_put_u8(r, ESPAH_SEL_DPLEN, dst.plen);
	if (s->proto)
		req_put_u8(r, ESPAH_SEL_PROTO, s->proto);
	if (s->has_sport || s->has_type) {
		req_put_u16(r, ESPAH_SEL_SPORT, htons(s->sport));
		if (s->sport_max != s->sport)
			req_put_u16(r, ESPAH_SEL_SPORT_MAX, htons(s->sport_max));
	}
	if (s->has_dport || s->has_code) {
		req_put_u16(r, ESPAH_SEL_DPORT, htons(s->dport));
		if (s->dport_max != s->dport)
			req_put_u16(r, ESPAH_SEL_DPORT_MAX, htons(s->dport_max));
	}
	mnl_attr_nest_end(r->nlh, nest);
}

/* ---------------------------------------------------------------------- */
/* printing                                                                */

struct sel_view {
	char src[64], dst[64];
	uint8_t splen, dplen, proto;
	bool has_sport, has_dport;
	uint16_t sport, sport_max, dport, dport_max;
	uint16_t family;
};

static void sel_view(const struct nlattr *nest, uint16_t family, struct sel_view *v)
{
	const struct nlattr *tb[ESPAH_SEL_MAX + 1] = { NULL };

	memset(v, 0, sizeof(*v));
	if (nest)
		attrs_parse_nest(nest, sel_attrs, ESPAH_SEL_MAX, tb);
	if (tb[ESPAH_SEL_FAMILY])
		family = mnl_attr_get_u16(tb[ESPAH_SEL_FAMILY]);
	v->family = family;
	snprintf(v->src, sizeof(v->src), family == AF_INET6 ? "::" : "0.0.0.0");
	snprintf(v->dst, sizeof(v->dst), family == AF_INET6 ? "::" : "0.0.0.0");
	if (tb[ESPAH_SEL_SRC])
		addr_ntop(family, mnl_attr_get_payload(tb[ESPAH_SEL_SRC]),
			  mnl_attr_get_payload_len(tb[ESPAH_SEL_SRC]), v->src,
			  sizeof(v->src));
	if (tb[ESPAH_SEL_DST])
		addr_ntop(family, mnl_attr_get_payload(tb[ESPAH_SEL_DST]),
			  mnl_attr_get_payload_len(tb[ESPAH_SEL_DST]), v->dst,
			  sizeof(v->dst));
	v->splen = tb[ESPAH_SEL_SPLEN] ? mnl_attr_get_u8(tb[ESPAH_SEL_SPLEN]) : 0;
	v->dplen = tb[ESPAH_SEL_DPLEN] ? mnl_attr_get_u8(tb[ESPAH_SEL_DPLEN]) : 0;
	v->proto = tb[ESPAH_SEL_PROTO] ? mnl_attr_get_u8(tb[ESPAH_SEL_PROTO]) : 0;
	if (tb[ESPAH_SEL_SPORT]) {
		v->has_sport = true;
		v->sport = ntohs(mnl_attr_get_u16(tb[ESPAH_SEL_SPORT]));
		v->sport_max = tb[ESPAH_SEL_SPORT_MAX] ?
			       ntohs(mnl_attr_get_u16(tb[ESPAH_SEL_SPORT_MAX])) : v->sport;
	}
	if (tb[ESPAH_SEL_DPORT]) {
		v->has_dport = true;
		v->dport = ntohs(mnl_attr_get_u16(tb[ESPAH_SEL_DPORT]));
		v->dport_max = tb[ESPAH_SEL_DPORT_MAX] ?
			       ntohs(mnl_attr_get_u16(tb[ESPAH_SEL_DPORT_MAX])) : v->dport;
	}
}

/* "sport 1000-2000" in text; "sport":1000,"sport-max":2000 in JSON */
static void print_range(const char *word, const char *max_key, uint16_t lo,
			uint16_t hi)
{
	print_named_u64(" %s %" PRIu64, word, lo);
	if (hi != lo)
		print_u64(PRINT_ANY, max_key, "-%" PRIu64, hi);
}

void print_sel(const struct nlattr *nest, uint16_t family)
{
	bool icmp;
	struct sel_view v;
	char buf[80], pb[8];

	sel_view(nest, family, &v);
	icmp = has_typecode(v.proto);
	print_str(PRINT_JSON, "family", NULL, family_name(v.family));
	snprintf(buf, sizeof(buf), "%s/%u", v.src, v.splen);
	print_str(PRINT_ANY, "src", "src %s", buf);
	snprintf(buf, sizeof(buf), "%s/%u", v.dst, v.dplen);
	print_str(PRINT_ANY, "dst", " dst %s", buf);
	if (v.proto)
		print_str(PRINT_ANY, "proto", " proto %s",
			  upper_proto_name(v.proto, pb, sizeof(pb)));
	if (v.has_sport)
		print_range(icmp ? "type" : "sport", "sport-max", v.sport, v.sport_max);
	if (v.has_dport)
		print_range(icmp ? "code" : "dport", "dport-max", v.dport, v.dport_max);
}
