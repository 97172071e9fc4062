// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah policy ..." (the SPD), in the words of ip-xfrm(8),
 * and the selector printers shared with "state".
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "espah.h"

#define TMPL_MAX 2

/* ---------------------------------------------------------------------- */
/* selectors                                                               */

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

static bool is_icmp(uint8_t p)
{
	return p == IPPROTO_ICMP || p == IPPROTO_ICMPV6 || p == 135;
}

static void print_range(const char *word, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		fprintf(out, " %s %u", word, lo);
	else
		fprintf(out, " %s %u-%u", word, lo, hi);
}

void print_sel(const struct nlattr *nest, uint16_t family)
{
	struct sel_view v;
	char pb[8];

	sel_view(nest, family, &v);
	fprintf(out, "src %s/%u dst %s/%u", v.src, v.splen, v.dst, v.dplen);
	if (v.proto)
		fprintf(out, " proto %s", upper_proto_name(v.proto, pb, sizeof(pb)));
	if (v.has_sport)
		print_range(is_icmp(v.proto) ? "type" : "sport", v.sport, v.sport_max);
	if (v.has_dport)
		print_range(is_icmp(v.proto) ? "code" : "dport", v.dport, v.dport_max);
}

void json_sel(const struct nlattr *nest, uint16_t family)
{
	struct sel_view v;
	char buf[80], pb[8];

	sel_view(nest, family, &v);
	jw_str("family", family_name(v.family));
	snprintf(buf, sizeof(buf), "%s/%u", v.src, v.splen);
	jw_str("src", buf);
	snprintf(buf, sizeof(buf), "%s/%u", v.dst, v.dplen);
	jw_str("dst", buf);
	if (v.proto)
		jw_str("proto", upper_proto_name(v.proto, pb, sizeof(pb)));
	if (v.has_sport) {
		jw_u64(is_icmp(v.proto) ? "type" : "sport", v.sport);
		if (v.sport_max != v.sport)
			jw_u64("sport-max", v.sport_max);
	}
	if (v.has_dport) {
		jw_u64(is_icmp(v.proto) ? "code" : "dport", v.dport);
		if (v.dport_max != v.dport)
			jw_u64("dport-max", v.dport_max);
	}
}

/* ---------------------------------------------------------------------- */
/* add / update / del / get                                                */

struct tmpl {
	struct addr src, dst;
	bool has_src, has_dst, has_proto, has_reqid, has_spi;
	uint8_t proto, mode;
	uint32_t reqid, spi;
};

static void parse_tmpl(struct args *a, struct tmpl *t)
{
	bool any = false;

	while (a->argc > 0) {
		const char *w = a->argv[0];

		if (!strcmp(w, "src")) {
			next_arg(a, w);
			parse_addr(next_arg(a, "tmpl src"), "tmpl src", &t->src);
			t->has_src = true;
		} else if (!strcmp(w, "dst")) {
			next_arg(a, w);
			parse_addr(next_arg(a, "tmpl dst"), "tmpl dst", &t->dst);
			t->has_dst = true;
		} else if (!strcmp(w, "proto")) {
			next_arg(a, w);
			t->proto = parse_ipsec_proto(next_arg(a, "tmpl proto"));
			t->has_proto = true;
		} else if (!strcmp(w, "mode")) {
			next_arg(a, w);
			t->mode = parse_mode(next_arg(a, "tmpl mode"));
		} else if (!strcmp(w, "reqid")) {
			next_arg(a, w);
			t->reqid = parse_u32(next_arg(a, "tmpl reqid"), "reqid");
			t->has_reqid = true;
		} else if (!strcmp(w, "spi")) {
			next_arg(a, w);
			t->spi = parse_u32(next_arg(a, "tmpl spi"), "spi");
			t->has_spi = true;
		} else if (!strcmp(w, "level")) {
			next_arg(a, w);
			w = next_arg(a, "tmpl level");
			if (!strcmp(w, "use"))
				syntax("tmpl \"level use\" is not supported by espah (templates are always required)");
			if (strcmp(w, "required"))
				syntax("invalid tmpl level \"%s\"", w);
		} else {
			break;
		}
		any = true;
	}
	if (!any)
		syntax("%s: \"tmpl\" needs template words (src, dst, proto, ...)", a->ctx);
	if (!t->has_proto)
		syntax("%s: tmpl: missing \"proto esp|ah\"", a->ctx);
	if (t->mode == ESPAH_MODE_TUNNEL && (!t->has_src || !t->has_dst))
		syntax("%s: tmpl: tunnel mode needs \"src ADDR dst ADDR\"", a->ctx);
	if (t->has_src && t->has_dst && t->src.family != t->dst.family)
		syntax("%s: tmpl: src and dst are of different address families", a->ctx);
}

static void put_tmpl(struct req *r, const struct tmpl *t)
{
	struct nlattr *nest = req_nest_start(r, ESPAH_A_POL_TMPL);
	uint16_t fam = t->has_src ? t->src.family : t->has_dst ? t->dst.family : 0;

	req_put_u8(r, ESPAH_TMPL_PROTO, t->proto);
	req_put_u8(r, ESPAH_TMPL_MODE, t->mode);
	if (fam)
		req_put_u16(r, ESPAH_TMPL_FAMILY, fam);
	if (t->has_src)
		req_put_addr(r, ESPAH_TMPL_SRC, &t->src);
	if (t->has_dst)
		req_put_addr(r, ESPAH_TMPL_DST, &t->dst);
	if (t->has_reqid)
		req_put_u32(r, ESPAH_TMPL_REQID, t->reqid);
	if (t->has_spi)
		req_put_u32(r, ESPAH_TMPL_SPI, htonl(t->spi));
	mnl_attr_nest_end(r->nlh, nest);
}

static int parse_dir(const char *w)
{
	if (!strcmp(w, "in"))
		return ESPAH_DIR_IN;
	if (!strcmp(w, "out"))
		return ESPAH_DIR_OUT;
	if (!strcmp(w, "fwd"))
		return ESPAH_DIR_FWD;
	syntax("invalid dir \"%s\" (expected in, out or fwd)", w);
}

static const char *const unsupported_pol_words[] = {
	"mark", "if_id", "ctx", "flag", "dev", "offload",
};

/* Policy words common to every command; returns false for an unknown word. */
struct pol_args {
	struct selector sel;
	bool has_sel;
	int dir;
	bool has_prio, has_index, block, has_action, has_hold;
	uint32_t prio, index, hold;
	struct tmpl tmpl[TMPL_MAX];
	int ntmpl;
};

static void parse_policy(struct args *a, struct pol_args *p, bool modify)
{
	size_t i;

	p->dir = -1;
	while (a->argc > 0) {
		const char *w;

		if (parse_sel_word(a, &p->sel)) {
			if (p->ntmpl)
				syntax("%s: selector words must come before \"tmpl\"", a->ctx);
			p->has_sel = true;
			continue;
		}
		w = next_arg(a, "argument");
		if (!strcmp(w, "dir")) {
			p->dir = parse_dir(next_arg(a, "dir"));
		} else if (!strcmp(w, "index")) {
			p->index = parse_u32(next_arg(a, "index"), "index");
			p->has_index = true;
		} else if (modify && !strcmp(w, "priority")) {
			p->prio = parse_u32(next_arg(a, "priority"), "priority");
			p->has_prio = true;
		} else if (modify && !strcmp(w, "hold")) {
			/* range and direction: the kernel's extack says */
			p->hold = parse_u32(next_arg(a, "hold"), "hold");
			p->has_hold = true;
		} else if (modify && !strcmp(w, "action")) {
			w = next_arg(a, "action");
			if (!strcmp(w, "block"))
				p->block = true;
			else if (!strcmp(w, "allow"))
				p->block = false;
			else
				syntax("invalid action \"%s\" (expected allow or block)", w);
			p->has_action = true;
		} else if (modify && !strcmp(w, "tmpl")) {
			if (p->ntmpl == TMPL_MAX)
				syntax("%s: at most %d \"tmpl\"", a->ctx, TMPL_MAX);
			parse_tmpl(a, &p->tmpl[p->ntmpl++]);
		} else if (!strcmp(w, "ptype")) {
			w = next_arg(a, "ptype");
			if (strcmp(w, "main"))
				syntax("ptype \"%s\" is not supported by espah (only main)", w);
		} else if (modify && !strcmp(w, "limit")) {
			reject_limit(a);
		} else {
			for (i = 0; i < ARRAY_SIZE(unsupported_pol_words); i++)
				if (!strcmp(w, unsupported_pol_words[i]))
					syntax("%s: \"%s\" is not supported by espah", a->ctx, w);
			syntax("%s: unknown word \"%s\"", a->ctx, w);
		}
	}
	if (p->has_sel) {
		check_sel(&p->sel);
		if (!p->sel.has_src && !p->sel.has_dst)
			syntax("%s: the selector needs \"src PFX\" or \"dst PFX\"", a->ctx);
	}
}

static uint16_t pol_family(const struct pol_args *p)
{
	if (p->sel.src.family)
		return p->sel.src.family;
	if (p->sel.dst.family)
		return p->sel.dst.family;
	return AF_INET;
}

static int policy_modify(struct args *a, uint8_t cmd)
{
	struct pol_args p = { 0 };
	struct req r;
	uint8_t action;
	int i;

	parse_policy(a, &p, true);
	if (p.has_index)
		syntax("%s: \"index\" is assigned by the kernel", a->ctx);
	if (!p.has_sel)
		syntax("%s: missing selector (\"src PFX dst PFX\")", a->ctx);
	if (p.dir < 0)
		syntax("%s: missing \"dir in|out|fwd\"", a->ctx);
	if (p.block && p.ntmpl)
		syntax("%s: \"action block\" takes no \"tmpl\"", a->ctx);
	action = p.block ? ESPAH_ACTION_DISCARD :
		 p.ntmpl ? ESPAH_ACTION_PROTECT : ESPAH_ACTION_BYPASS;

	req_init(&r, cmd, 0);
	req_put_u8(&r, ESPAH_A_POL_DIR, p.dir);
	req_put_selector(&r, ESPAH_A_POL_SEL, &p.sel, pol_family(&p));
	req_put_u8(&r, ESPAH_A_POL_ACTION, action);
	if (p.has_prio)
		req_put_u32(&r, ESPAH_A_POL_PRIORITY, p.prio);
	if (p.has_hold)
		req_put_u32(&r, ESPAH_A_POL_HOLD, p.hold);
	for (i = 0; i < p.ntmpl; i++)
		put_tmpl(&r, &p.tmpl[i]);
	nl_transact(&r, NULL, NULL);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* printing                                                                */

static const char *action_word(uint8_t act)
{
	return act == ESPAH_ACTION_DISCARD ? "block" : "allow";
}

static const char *action_name(uint8_t act)
{
	switch (act) {
	case ESPAH_ACTION_PROTECT:
		return "protect";
	case ESPAH_ACTION_BYPASS:
		return "bypass";
	case ESPAH_ACTION_DISCARD:
		return "discard";
	default:
		return "?";
	}
}

static void tmpl_addrs(const struct nlattr **t, char *src, char *dst, size_t len)
{
	uint16_t fam = t[ESPAH_TMPL_FAMILY] ? mnl_attr_get_u16(t[ESPAH_TMPL_FAMILY]) : 0;

	src[0] = '\0';
	dst[0] = '\0';
	if (t[ESPAH_TMPL_SRC])
		addr_ntop(fam, mnl_attr_get_payload(t[ESPAH_TMPL_SRC]),
			  mnl_attr_get_payload_len(t[ESPAH_TMPL_SRC]), src, len);
	if (t[ESPAH_TMPL_DST])
		addr_ntop(fam, mnl_attr_get_payload(t[ESPAH_TMPL_DST]),
			  mnl_attr_get_payload_len(t[ESPAH_TMPL_DST]), dst, len);
}

/* Iterate the (repeated) ESPAH_A_POL_TMPL attributes of one message. */
static const struct nlmsghdr *cur_msg;

void print_policy(const struct nlattr **tb, const char *prefix)
{
	uint16_t fam = AF_INET;
	const struct nlattr *na;

	fprintf(out, "%s", prefix ? prefix : "");
	print_sel(tb[ESPAH_A_POL_SEL], fam);
	fputc('\n', out);
	fprintf(out, "\tdir %s", tb[ESPAH_A_POL_DIR] ?
		dir_name(mnl_attr_get_u8(tb[ESPAH_A_POL_DIR])) : "?");
	fprintf(out, " priority %u", tb[ESPAH_A_POL_PRIORITY] ?
		mnl_attr_get_u32(tb[ESPAH_A_POL_PRIORITY]) : 0);
	if (tb[ESPAH_A_POL_INDEX])
		fprintf(out, " index %u", mnl_attr_get_u32(tb[ESPAH_A_POL_INDEX]));
	if (tb[ESPAH_A_POL_ACTION])
		fprintf(out, " action %s", action_word(mnl_attr_get_u8(tb[ESPAH_A_POL_ACTION])));
	if (tb[ESPAH_A_POL_HOLD])
		fprintf(out, " hold %u", mnl_attr_get_u32(tb[ESPAH_A_POL_HOLD]));
	fputc('\n', out);
	if (!cur_msg)
		return;
	mnl_attr_for_each(na, cur_msg, GENL_HDRLEN) {
		const struct nlattr *t[ESPAH_TMPL_MAX + 1];
		char src[64], dst[64];

		if (mnl_attr_get_type(na) != ESPAH_A_POL_TMPL)
			continue;
		attrs_parse_nest(na, tmpl_attrs, ESPAH_TMPL_MAX, t);
		tmpl_addrs(t, src, dst, sizeof(src));
		fprintf(out, "\ttmpl");
		if (src[0])
			fprintf(out, " src %s", src);
		if (dst[0])
			fprintf(out, " dst %s", dst);
		fprintf(out, "\n\t\tproto %s", t[ESPAH_TMPL_PROTO] ?
			ipsec_proto_name(mnl_attr_get_u8(t[ESPAH_TMPL_PROTO])) : "?");
		if (t[ESPAH_TMPL_SPI] && mnl_attr_get_u32(t[ESPAH_TMPL_SPI]))
			fprintf(out, " spi 0x%08x", ntohl(mnl_attr_get_u32(t[ESPAH_TMPL_SPI])));
		fprintf(out, " reqid %u", t[ESPAH_TMPL_REQID] ?
			mnl_attr_get_u32(t[ESPAH_TMPL_REQID]) : 0);
		fprintf(out, " mode %s\n", t[ESPAH_TMPL_MODE] ?
			mode_name(mnl_attr_get_u8(t[ESPAH_TMPL_MODE])) : "transport");
	}
}

void json_policy(const struct nlattr **tb)
{
	const struct nlattr *na;

	jw_begin_obj("sel");
	json_sel(tb[ESPAH_A_POL_SEL], AF_INET);
	jw_end_obj();
	if (tb[ESPAH_A_POL_DIR])
		jw_str("dir", dir_name(mnl_attr_get_u8(tb[ESPAH_A_POL_DIR])));
	jw_u64("priority", tb[ESPAH_A_POL_PRIORITY] ?
	       mnl_attr_get_u32(tb[ESPAH_A_POL_PRIORITY]) : 0);
	if (tb[ESPAH_A_POL_INDEX])
		jw_u64("index", mnl_attr_get_u32(tb[ESPAH_A_POL_INDEX]));
	if (tb[ESPAH_A_POL_ACTION])
		jw_str("action", action_name(mnl_attr_get_u8(tb[ESPAH_A_POL_ACTION])));
	jw_u64("hold", tb[ESPAH_A_POL_HOLD] ?
	       mnl_attr_get_u32(tb[ESPAH_A_POL_HOLD]) : 0);
	jw_begin_arr("tmpl");
	if (cur_msg) {
		mnl_attr_for_each(na, cur_msg, GENL_HDRLEN) {
			const struct nlattr *t[ESPAH_TMPL_MAX + 1];
			char src[64], dst[64];

			if (mnl_attr_get_type(na) != ESPAH_A_POL_TMPL)
				continue;
			attrs_parse_nest(na, tmpl_attrs, ESPAH_TMPL_MAX, t);
			tmpl_addrs(t, src, dst, sizeof(src));
			jw_begin_obj(NULL);
			if (src[0])
				jw_str("src", src);
			if (dst[0])
				jw_str("dst", dst);
			if (t[ESPAH_TMPL_PROTO])
				jw_str("proto",
				       ipsec_proto_name(mnl_attr_get_u8(t[ESPAH_TMPL_PROTO])));
			if (t[ESPAH_TMPL_SPI] && mnl_attr_get_u32(t[ESPAH_TMPL_SPI]))
				jw_u64("spi", ntohl(mnl_attr_get_u32(t[ESPAH_TMPL_SPI])));
			jw_u64("reqid", t[ESPAH_TMPL_REQID] ?
			       mnl_attr_get_u32(t[ESPAH_TMPL_REQID]) : 0);
			jw_str("mode", t[ESPAH_TMPL_MODE] ?
			       mode_name(mnl_attr_get_u8(t[ESPAH_TMPL_MODE])) : "transport");
			jw_end_obj();
		}
	}
	jw_end_arr();
}

void policy_set_msg(const struct nlmsghdr *nlh)
{
	cur_msg = nlh;
}

/* ---------------------------------------------------------------------- */
/* list / get / del / flush                                                */

struct pol_filter {
	int dir;
};

static int pol_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct pol_filter *f = data;
	const struct nlattr *tb[ESPAH_A_MAX + 1];

	attrs_parse_msg(nlh, tb);
	if (f && f->dir >= 0 &&
	    (!tb[ESPAH_A_POL_DIR] || mnl_attr_get_u8(tb[ESPAH_A_POL_DIR]) != f->dir))
		return MNL_CB_OK;
	cur_msg = nlh;
	if (opt.json) {
		jw_begin_obj(NULL);
		json_policy(tb);
		jw_end_obj();
	} else {
		print_policy(tb, NULL);
	}
	cur_msg = NULL;
	return MNL_CB_OK;
}

static void list_begin(void *data)
{
	(void)data;
	if (opt.json)
		jw_begin_arr(NULL);
}

static void list_end(void *data)
{
	(void)data;
	if (opt.json) {
		jw_end_arr();
		jw_newline();
	}
}

static int policy_list(struct args *a)
{
	struct pol_filter f = { .dir = -1 };
	struct req r;

	while (a->argc > 0) {
		const char *w = next_arg(a, "argument");

		if (!strcmp(w, "dir"))
			f.dir = parse_dir(next_arg(a, "dir"));
		else if (!strcmp(w, "-j") || !strcmp(w, "-json"))
			opt.json = true;
		else
			syntax("%s: unknown word \"%s\"", a->ctx, w);
	}
	req_init(&r, ESPAH_CMD_POL_GET, 0);
	nl_dump(&r, pol_cb, &f, list_begin, list_end);
	return 0;
}

static int policy_get_del(struct args *a, uint8_t cmd)
{
	struct pol_args p = { 0 };
	struct req r;

	parse_policy(a, &p, false);
	req_init(&r, cmd, 0);
	if (p.has_index) {
		if (p.has_sel)
			syntax("%s: give either \"index N\" or a selector, not both", a->ctx);
		req_put_u32(&r, ESPAH_A_POL_INDEX, p.index);
		if (p.dir >= 0)
			req_put_u8(&r, ESPAH_A_POL_DIR, p.dir);
	} else {
		if (!p.has_sel)
			syntax("%s: missing selector (\"src PFX dst PFX\") or \"index N\"",
			       a->ctx);
		if (p.dir < 0)
			syntax("%s: missing \"dir in|out|fwd\"", a->ctx);
		req_put_u8(&r, ESPAH_A_POL_DIR, p.dir);
		req_put_selector(&r, ESPAH_A_POL_SEL, &p.sel, pol_family(&p));
	}
	if (cmd == ESPAH_CMD_POL_GET) {
		nl_transact(&r, pol_cb, NULL);
		if (opt.json)
			jw_newline();
	} else {
		nl_transact(&r, NULL, NULL);
	}
	return 0;
}

static int policy_flush(struct args *a)
{
	struct req r;

	while (a->argc > 0) {
		const char *w = next_arg(a, "argument");

		if (!strcmp(w, "ptype")) {
			w = next_arg(a, "ptype");
			if (strcmp(w, "main"))
				syntax("ptype \"%s\" is not supported by espah (only main)", w);
		} else {
			syntax("%s: unknown word \"%s\"", a->ctx, w);
		}
	}
	req_init(&r, ESPAH_CMD_POL_FLUSH, 0);
	nl_transact(&r, NULL, NULL);
	return 0;
}

int do_policy(struct args *a)
{
	const char *w;

	if (a->argc <= 0) {
		a->ctx = "policy list";
		return policy_list(a);
	}
	w = next_arg(a, "command");
	if (!strcmp(w, "help")) {
		usage_policy(stdout);
		return 0;
	}
	if (!strcmp(w, "add")) {
		a->ctx = "policy add";
		return policy_modify(a, ESPAH_CMD_POL_ADD);
	}
	if (!strcmp(w, "update")) {
		a->ctx = "policy update";
		return policy_modify(a, ESPAH_CMD_POL_UPDATE);
	}
	if (matches(w, "delete")) {
		a->ctx = "policy delete";
		return policy_get_del(a, ESPAH_CMD_POL_DEL);
	}
	if (matches(w, "get")) {
		a->ctx = "policy get";
		return policy_get_del(a, ESPAH_CMD_POL_GET);
	}
	if (matches(w, "list") || matches(w, "show") || !strcmp(w, "ls")) {
		a->ctx = "policy list";
		return policy_list(a);
	}
	if (matches(w, "flush")) {
		a->ctx = "policy flush";
		return policy_flush(a);
	}
	syntax("unknown policy command \"%s\" (try \"espah policy help\")", w);
}
