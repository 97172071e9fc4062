// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah policy ..." (the SPD), in the words of ip-xfrm(8).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "espah.h"

#define TMPL_MAX 2

static void usage_policy(FILE *f)
{
	fprintf(f,
"Usage: espah policy { add | update } SELECTOR dir DIR [ priority PRIORITY ]\n"
"                    [ mark MARK ] [ if_id IF-ID ] [ action { allow | block } ]\n"
"                    [ hold COUNT ] [ flag FLAG-LIST ]\n"
"                    [ TMPL-LIST ]\n"
"       espah policy { delete | get } { SELECTOR dir DIR [ mark MARK ]\n"
"                                       [ if_id IF-ID ] |\n"
"                                       index INDEX [ dir DIR ] }\n"
"       espah [ -j ] policy { list | show } [ dir DIR ]\n"
"       espah policy flush\n"
"SELECTOR := src PREFIX dst PREFIX [ UPSPEC ]\n"
"UPSPEC := proto PROTO [ sport PORT[-PORT] ] [ dport PORT[-PORT] ]\n"
"        | proto { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ]\n"
"DIR := in | out | fwd\n"
"TMPL-LIST := tmpl TMPL [ tmpl TMPL ]   (at most 2, outermost last)\n"
"TMPL := [ src ADDR ] [ dst ADDR ] proto { esp | ah } [ mode { transport | tunnel } ]\n"
"        [ reqid REQID ] [ spi SPI ] [ level { required | use } ]\n"
"FLAG-LIST := [ FLAG-LIST ] { icmp | localok }   (after \"flag\")\n"
"level use: the template is optional (dir out: transport mode only).\n"
"flag icmp (dir out): ICMP errors this host sends about a flow this\n"
"policy covers in reverse go through it. flag localok: kept, no effect.\n"
"MARK := VALUE[/MASK] | VALUE mask MASK: only packets whose mark & MASK is\n"
"VALUE (MASK default 0xffffffff)\n"
"if_id IF-ID: only the packets routed into or received on the native xfrm\n"
"interface with this if_id; a policy without if_id covers none of them\n"
"action allow with tmpl = protect, action allow without tmpl = bypass,\n"
"action block = discard. PRIORITY: lower wins (default 0).\n"
"hold COUNT (dir out with tmpl, at most 100): packets that find no SA wait\n"
"for it, up to COUNT of them (default 0: dropped).\n");
}

/* ---------------------------------------------------------------------- */
/* add / update / del / get                                                */

struct tmpl {
	struct addr src, dst;
	bool has_src, has_dst, has_proto, has_reqid, has_spi, optional;
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
				t->optional = true;
			else if (!strcmp(w, "required"))
				t->optional = false;
			else
				syntax("invalid tmpl level \"%s\" (expected required or use)", w);
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
	if (t->optional)
		mnl_attr_put(r->nlh, ESPAH_TMPL_OPTIONAL, 0, NULL);
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
	"ctx", "dev", "offload",
};

/* ip xfrm's "flag icmp localok ..." (names; a number is not taken) */
static void parse_pol_flags(struct args *a, uint32_t *flags)
{
	bool any = false;

	while (a->argc > 0) {
		const char *w = a->argv[0];

		if (!strcmp(w, "icmp"))
			*flags |= ESPAH_POL_FLAG_ICMP;
		else if (!strcmp(w, "localok"))
			*flags |= ESPAH_POL_FLAG_LOCALOK;
		else
			break;
		next_arg(a, "flag");
		any = true;
	}
	if (!any)
		syntax("%s: \"flag\" needs a flag name (icmp, localok)%s%s%s",
		       a->ctx, a->argc > 0 ? ", not \"" : "",
		       a->argc > 0 ? a->argv[0] : "", a->argc > 0 ? "\"" : "");
}

/* Policy words common to every command; returns false for an unknown word. */
struct pol_args {
	struct selector sel;
	bool has_sel;
	int dir;
	bool has_prio, has_index, block, has_action, has_hold, has_flags;
	uint32_t prio, index, hold, flags;
	struct tmpl tmpl[TMPL_MAX];
	int ntmpl;
	struct mark xmark;
	bool has_if_id;
	uint32_t if_id;
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
		} else if (modify && !strcmp(w, "flag")) {
			parse_pol_flags(a, &p->flags);
			p->has_flags = true;
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
		} else if (!strcmp(w, "mark")) {
			if (p->xmark.set)
				syntax("duplicate \"mark\"");
			parse_mark_arg(a, "mark", &p->xmark);
		} else if (!strcmp(w, "if_id") || !strcmp(w, "if-id")) {
			p->if_id = parse_u32(next_arg(a, "if_id"), "if_id");
			p->has_if_id = true;
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
	if (p.has_flags)
		req_put_u32(&r, ESPAH_A_POL_FLAGS, p.flags);
	put_mark(&r, ESPAH_A_POL_MARK, ESPAH_A_POL_MARK_MASK, &p.xmark);
	if (p.has_if_id)
		req_put_u32(&r, ESPAH_A_POL_IF_ID, p.if_id);
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

static void print_tmpl(const struct nlattr *nest)
{
	const struct nlattr *t[ESPAH_TMPL_MAX + 1];
	char src[64], dst[64];

	attrs_parse_nest(nest, tmpl_attrs, ESPAH_TMPL_MAX, t);
	tmpl_addrs(t, src, dst, sizeof(src));
	open_obj(NULL);
	print_text("\ttmpl");
	if (src[0])
		print_str(PRINT_ANY, "src", " src %s", src);
	if (dst[0])
		print_str(PRINT_ANY, "dst", " dst %s", dst);
	print_str(t[ESPAH_TMPL_PROTO] ? PRINT_ANY : PRINT_TEXT, "proto", "\n\t\tproto %s",
		  t[ESPAH_TMPL_PROTO] ?
		  ipsec_proto_name(mnl_attr_get_u8(t[ESPAH_TMPL_PROTO])) : "?");
	if (t[ESPAH_TMPL_SPI] && mnl_attr_get_u32(t[ESPAH_TMPL_SPI]))
		print_u64(PRINT_ANY, "spi", " spi 0x%08" PRIx64,
			  ntohl(mnl_attr_get_u32(t[ESPAH_TMPL_SPI])));
	print_u64(PRINT_ANY, "reqid", " reqid %" PRIu64, t[ESPAH_TMPL_REQID] ?
		  mnl_attr_get_u32(t[ESPAH_TMPL_REQID]) : 0);
	print_str(PRINT_ANY, "mode", " mode %s", t[ESPAH_TMPL_MODE] ?
		  mode_name(mnl_attr_get_u8(t[ESPAH_TMPL_MODE])) : "transport");
	/* ip xfrm prints the level of every template; espah, the optional */
	if (t[ESPAH_TMPL_OPTIONAL])
		print_str(PRINT_ANY, "level", " level %s", "use");
	print_nl();
	close_obj();
}

/* Carried for native XFRM ("xfrm index N"), or left by a detach. */
static void print_origin(const struct nlattr **tb)
{
	const struct nlattr *o = tb[ESPAH_A_POL_ORIGIN];
	uint8_t v = o ? mnl_attr_get_u8(o) : ESPAH_POL_ORIGIN_ESPAH;

	print_str(PRINT_JSON, "origin", NULL,
		  v == ESPAH_POL_ORIGIN_XFRM ? "xfrm" :
		  v == ESPAH_POL_ORIGIN_DETACHED ? "detached" : "espah");
	if (v == ESPAH_POL_ORIGIN_DETACHED)
		print_text(" origin detached");
	if (tb[ESPAH_A_POL_XFRM_INDEX])
		print_u64(PRINT_ANY, "xfrm-index", " xfrm index %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_POL_XFRM_INDEX]));
}

void print_policy(const struct nlmsghdr *nlh, const struct nlattr **tb,
		  const char *prefix)
{
	const struct nlattr *dir = tb[ESPAH_A_POL_DIR];
	const struct nlattr *act = tb[ESPAH_A_POL_ACTION];
	const struct nlattr *hold = tb[ESPAH_A_POL_HOLD];
	uint32_t flags = tb[ESPAH_A_POL_FLAGS] ?
			 mnl_attr_get_u32(tb[ESPAH_A_POL_FLAGS]) : 0;
	const struct nlattr *na;

	print_text("%s", prefix ? prefix : "");
	open_obj("sel");
	print_sel(tb[ESPAH_A_POL_SEL], AF_INET);
	close_obj();
	print_nl();
	print_str(dir ? PRINT_ANY : PRINT_TEXT, "dir", "\tdir %s",
		  dir ? dir_name(mnl_attr_get_u8(dir)) : "?");
	print_u64(PRINT_ANY, "priority", " priority %" PRIu64,
		  tb[ESPAH_A_POL_PRIORITY] ? mnl_attr_get_u32(tb[ESPAH_A_POL_PRIORITY]) : 0);
	if (tb[ESPAH_A_POL_INDEX])
		print_u64(PRINT_ANY, "index", " index %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_POL_INDEX]));
	/* text: ip-xfrm(8)'s words; JSON: what the action does */
	if (act) {
		print_str(PRINT_TEXT, NULL, " action %s", action_word(mnl_attr_get_u8(act)));
		print_str(PRINT_JSON, "action", NULL, action_name(mnl_attr_get_u8(act)));
	}
	print_u64(hold ? PRINT_ANY : PRINT_JSON, "hold", " hold %" PRIu64,
		  hold ? mnl_attr_get_u32(hold) : 0);
	if (tb[ESPAH_A_POL_IF_ID])
		print_u64(PRINT_ANY, "if-id", " if_id %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_POL_IF_ID]));
	open_arr("flags");
	if (flags & ESPAH_POL_FLAG_ICMP)
		print_str(PRINT_ANY, NULL, " flag %s", "icmp");
	if (flags & ESPAH_POL_FLAG_LOCALOK)
		print_str(PRINT_ANY, NULL, " flag %s", "localok");
	if (flags & ~(ESPAH_POL_FLAG_ICMP | ESPAH_POL_FLAG_LOCALOK))
		print_u64(PRINT_TEXT, NULL, " flag 0x%" PRIx64,
			  flags & ~(ESPAH_POL_FLAG_ICMP | ESPAH_POL_FLAG_LOCALOK));
	close_arr();
	print_origin(tb);
	print_nl();
	print_mark(tb, ESPAH_A_POL_MARK, ESPAH_A_POL_MARK_MASK, "mark",
		   "\tmark 0x%x/0x%x\n");
	open_arr("tmpl");
	mnl_attr_for_each(na, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(na) == ESPAH_A_POL_TMPL)
			print_tmpl(na);
	close_arr();
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
	open_obj(NULL);
	print_policy(nlh, tb, NULL);
	close_obj();
	return MNL_CB_OK;
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
	nl_dump(&r, pol_cb, &f, print_list_begin, print_list_end);
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
		put_mark(&r, ESPAH_A_POL_MARK, ESPAH_A_POL_MARK_MASK, &p.xmark);
		if (p.has_if_id)
			req_put_u32(&r, ESPAH_A_POL_IF_ID, p.if_id);
	}
	if (cmd == ESPAH_CMD_POL_GET) {
		nl_transact(&r, pol_cb, NULL);
		print_end_doc();
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
