// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah monitor", the module's events (SA and policy changes,
 * expiry, acquire, NAT mapping changes) as they come, one line or one JSON
 * document each.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "espah.h"

static void usage_monitor(FILE *f)
{
	fprintf(f, "Usage: espah [-j] monitor\n");
}

enum ev_kind { EV_SA, EV_POLICY, EV_OTHER };

static const struct event {
	uint8_t cmd;
	const char *text;	/* prefix of the text line */
	const char *event;	/* JSON "event" */
	enum ev_kind kind;
} events[] = {
	{ ESPAH_CMD_SA_ADD, "Added ", "sa-add", EV_SA },
	{ ESPAH_CMD_SA_UPDATE, "Updated ", "sa-update", EV_SA },
	{ ESPAH_CMD_SA_DEL, "Deleted ", "sa-del", EV_SA },
	{ ESPAH_CMD_SA_EXPIRE, "Expired ", "sa-expire", EV_SA },
	{ ESPAH_CMD_SA_FLUSH, "Flushed SAs", "sa-flush", EV_OTHER },
	{ ESPAH_CMD_POL_ADD, "Added policy ", "policy-add", EV_POLICY },
	{ ESPAH_CMD_POL_UPDATE, "Updated policy ", "policy-update", EV_POLICY },
	{ ESPAH_CMD_POL_DEL, "Deleted policy ", "policy-del", EV_POLICY },
	{ ESPAH_CMD_POL_FLUSH, "Flushed policies", "policy-flush", EV_OTHER },
	{ ESPAH_CMD_ACQUIRE, "Acquire", "acquire", EV_OTHER },
	{ ESPAH_CMD_XFRM_REFUSED, "Not carried", "xfrm-refused", EV_OTHER },
	{ ESPAH_CMD_SA_MAPPING, "Mapping", "sa-mapping", EV_OTHER },
};

static const struct event *find_event(uint8_t cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(events); i++)
		if (events[i].cmd == cmd)
			return &events[i];
	return NULL;
}

/* Flush, acquire, unknown, in JSON: whatever identifies the event. */
static void other_json(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	if (tb[ESPAH_A_COUNT])
		print_u64(PRINT_JSON, "count", NULL, mnl_attr_get_u32(tb[ESPAH_A_COUNT]));
	if (tb[ESPAH_A_XFRM_REASON])
		print_str(PRINT_JSON, "reason", NULL,
			  mnl_attr_get_str(tb[ESPAH_A_XFRM_REASON]));
	if (tb[ESPAH_A_POL_XFRM_INDEX])
		print_u64(PRINT_JSON, "xfrm-index", NULL,
			  mnl_attr_get_u32(tb[ESPAH_A_POL_XFRM_INDEX]));
	if (tb[ESPAH_A_SA_PROTO])
		print_str(PRINT_JSON, "proto", NULL,
			  ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
	if (tb[ESPAH_A_POL_SEL] || tb[ESPAH_A_POL_TMPL]) {
		open_obj("policy");
		print_policy(nlh, tb, NULL);
		close_obj();
	}
	if (tb[ESPAH_A_SA_DST]) {
		open_obj("sa");
		print_sa(tb, NULL);
		close_obj();
	}
}

static void print_addr_attr(const char *word, uint16_t fam, const struct nlattr *na)
{
	char buf[64];

	if (na)
		print_text(" %s %s", word,
			   addr_ntop(fam, mnl_attr_get_payload(na),
				     mnl_attr_get_payload_len(na), buf, sizeof(buf)));
}

/* In text, an acquire names the SA it wants, then the policy that asks. */
static void acquire_text(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	uint16_t fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;

	print_text("Acquire");
	print_addr_attr("src", fam, tb[ESPAH_A_SA_SRC]);
	print_addr_attr("dst", fam, tb[ESPAH_A_SA_DST]);
	if (tb[ESPAH_A_SA_PROTO])
		print_text(" proto %s", ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
	if (tb[ESPAH_A_SA_REQID])
		print_text(" reqid %u", mnl_attr_get_u32(tb[ESPAH_A_SA_REQID]));
	print_nl();
	if (tb[ESPAH_A_POL_SEL])
		print_policy(nlh, tb, "\tpolicy ");
}

/* "Not carried: xfrm SA spi 0x... dst ...: REASON" */
static void refused_text(const struct nlattr **tb)
{
	print_text("Not carried: xfrm");
	if (tb[ESPAH_A_SA_SPI]) {
		print_text(" SA spi 0x%08x",
			   ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])));
		print_addr_attr("dst", tb[ESPAH_A_SA_FAMILY] ?
				mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : AF_INET,
				tb[ESPAH_A_SA_DST]);
	}
	if (tb[ESPAH_A_POL_XFRM_INDEX])
		print_text(" policy index %u",
			   mnl_attr_get_u32(tb[ESPAH_A_POL_XFRM_INDEX]));
	if (tb[ESPAH_A_XFRM_REASON])
		print_text(": %s", mnl_attr_get_str(tb[ESPAH_A_XFRM_REASON]));
	print_nl();
}

/* One end of a mapping: "ADDR port N", JSON "KEY-addr" and "KEY-port". */
static void mapping_end(const char *key, uint16_t fam, const struct nlattr *a,
			const struct nlattr *p)
{
	char buf[64] = "?", name[16];

	if (a)
		addr_ntop(fam, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
			  buf, sizeof(buf));
	snprintf(name, sizeof(name), "%s-addr", key);
	print_str(PRINT_ANY, name, " %s", buf);
	snprintf(name, sizeof(name), "%s-port", key);
	print_u64(PRINT_ANY, name, " port %" PRIu64,
		  p ? ntohs(mnl_attr_get_u16(p)) : 0);
}

/*
 * "Mapping spi 0x... dst ADDR proto esp reqid N: ADDR port N -> ADDR port N
 * updated|reported", the same fields in JSON.
 */
static void mapping_print(const struct nlattr **tb)
{
	uint16_t fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : AF_INET;
	const struct nlattr *mt[ESPAH_MAPPING_MAX + 1] = { NULL };
	char buf[64] = "?";
	bool updated;

	if (tb[ESPAH_A_SA_MAPPING])
		attrs_parse_nest(tb[ESPAH_A_SA_MAPPING], mapping_attrs,
				 ESPAH_MAPPING_MAX, mt);
	if (tb[ESPAH_A_SA_DST])
		addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_DST]),
			  mnl_attr_get_payload_len(tb[ESPAH_A_SA_DST]), buf, sizeof(buf));
	print_text("Mapping");
	print_u64(PRINT_ANY, "spi", " spi 0x%08" PRIx64,
		  tb[ESPAH_A_SA_SPI] ? ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])) : 0);
	print_str(PRINT_ANY, "dst", " dst %s", buf);
	print_str(PRINT_ANY, "proto", " proto %s",
		  ipsec_proto_name(tb[ESPAH_A_SA_PROTO] ?
				   mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO]) : 0));
	print_u64(PRINT_ANY, "reqid", " reqid %" PRIu64,
		  tb[ESPAH_A_SA_REQID] ? mnl_attr_get_u32(tb[ESPAH_A_SA_REQID]) : 0);
	print_text(":");
	mapping_end("old", fam, mt[ESPAH_MAPPING_OLD_ADDR], mt[ESPAH_MAPPING_OLD_PORT]);
	print_text(" ->");
	mapping_end("new", fam, mt[ESPAH_MAPPING_NEW_ADDR], mt[ESPAH_MAPPING_NEW_PORT]);
	updated = mt[ESPAH_MAPPING_UPDATED] && mnl_attr_get_u8(mt[ESPAH_MAPPING_UPDATED]);
	print_bool(PRINT_JSON, "updated", NULL, updated);
	print_text(" %s", updated ? "updated" : "reported");
	print_nl();
}

static void flush_text(const struct nlattr **tb, const char *text)
{
	print_text("%s", text);
	if (tb[ESPAH_A_SA_PROTO])
		print_text(" proto %s", ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
	if (tb[ESPAH_A_COUNT])
		print_text(" (%u)", mnl_attr_get_u32(tb[ESPAH_A_COUNT]));
	print_nl();
}

/* An event newer than this tool, in text: shown raw. */
static void raw_text(const struct nlmsghdr *nlh, uint8_t cmd)
{
	print_text("%s (cmd %u)\n", cmd_name(cmd), cmd);
	attrs_print(out, mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
		    top_attrs, ESPAH_A_MAX, 8);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	uint8_t cmd = genl_cmd(nlh);
	const struct event *ev = find_event(cmd);

	(void)data;
	attrs_parse_msg(nlh, tb);
	open_obj(NULL);
	print_str(PRINT_JSON, "event", NULL, ev ? ev->event : cmd_name(cmd));
	if (ev && ev->kind == EV_SA)
		print_sa(tb, ev->text);
	else if (ev && ev->kind == EV_POLICY)
		print_policy(nlh, tb, ev->text);
	else if (cmd == ESPAH_CMD_SA_MAPPING)
		mapping_print(tb);
	else if (opt.json)
		other_json(nlh, tb);
	else if (cmd == ESPAH_CMD_ACQUIRE)
		acquire_text(nlh, tb);
	else if (cmd == ESPAH_CMD_XFRM_REFUSED)
		refused_text(tb);
	else if (ev)
		flush_text(tb, ev->text);
	else
		raw_text(nlh, cmd);
	close_obj();
	print_end_doc();
	fflush(out);
	return MNL_CB_OK;
}

int do_monitor(struct args *a)
{
	while (a->argc > 0) {
		const char *w = next_arg(a, "argument");

		if (!strcmp(w, "help")) {
			usage_monitor(stdout);
			return 0;
		}
		if (strcmp(w, "all"))
			syntax("%s: unknown word \"%s\"", a->ctx, w);
	}
	nl_monitor(monitor_cb, NULL);
}
