// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah stats", "espah features" and "espah monitor".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "espah.h"

static void no_args(struct args *a)
{
	if (a->argc > 0)
		syntax("%s: unknown word \"%s\"", a->ctx, a->argv[0]);
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *na;

	(void)data;
	attrs_parse_msg(nlh, tb);
	if (!tb[ESPAH_A_STATS]) {
		warnx("warning: reply without counters");
		return MNL_CB_OK;
	}
	if (opt.json)
		jw_begin_obj(NULL);
	/* every counter the kernel sends, including ones newer than this tool */
	mnl_attr_for_each_nested(na, tb[ESPAH_A_STATS]) {
		unsigned int t = mnl_attr_get_type(na);
		char unknown[32];
		const char *name;
		uint64_t v;

		if (t == ESPAH_STAT_PAD || mnl_attr_get_payload_len(na) != 8)
			continue;
		v = mnl_attr_get_u64(na);
		name = t <= ESPAH_STAT_MAX ? stat_attrs[t].name : NULL;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "stat-%u", t);
			name = unknown;
		}
		if (opt.json)
			jw_u64(name, v);
		else
			fprintf(out, "%-21s %" PRIu64 "\n", name, v);
	}
	if (opt.json) {
		jw_end_obj();
		jw_newline();
	}
	return MNL_CB_OK;
}

int do_stats(struct args *a)
{
	struct req r;

	if (a->argc > 0 && !strcmp(a->argv[0], "help")) {
		printf("Usage: espah [-j] stats\n");
		return 0;
	}
	no_args(a);
	req_init(&r, ESPAH_CMD_STATS_GET, 0);
	nl_transact(&r, stats_cb, NULL);
	return 0;
}

static const char *kind_name(uint8_t k)
{
	return k == 0 ? "aead" : k == 1 ? "enc" : k == 2 ? "auth" : "?";
}

static void alg_list(const struct nlattr *alg, unsigned int type, const char *word)
{
	const struct nlattr *na;
	bool first = true;

	mnl_attr_for_each_nested(na, alg) {
		if (mnl_attr_get_type(na) != type || mnl_attr_get_payload_len(na) != 4)
			continue;
		if (opt.json)
			jw_u64(NULL, mnl_attr_get_u32(na));
		else
			fprintf(out, "%s%u", first ? word : ",", mnl_attr_get_u32(na));
		first = false;
	}
}

/* ESPAH_FEAT_* bit names, in bit order */
static const char *const feat_names[] = {
	"esp", "ah", "bundle", "esn", "tunnel-mixed", "async", "lifetime",
	"seq-soft", "acquire", "hold", "reorder", "stat-proc", "mss-clamp",
};

/* "features" line or JSON array: known names, unknown bits as bit-N */
static void features_flags(uint32_t f)
{
	char unknown[16];
	const char *name;
	unsigned int i;

	if (opt.json)
		jw_begin_arr("features");
	else
		fprintf(out, "features");
	for (i = 0; i < 32; i++) {
		if (!(f & (1U << i)))
			continue;
		name = i < ARRAY_SIZE(feat_names) ? feat_names[i] : NULL;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "bit-%u", i);
			name = unknown;
		}
		if (opt.json)
			jw_str(NULL, name);
		else
			fprintf(out, " %s", name);
	}
	if (opt.json)
		jw_end_arr();
	else
		fprintf(out, "\n");
}

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *na;

	(void)data;
	attrs_parse_msg(nlh, tb);
	if (opt.json) {
		jw_begin_obj(NULL);
		if (tb[ESPAH_A_VERSION])
			jw_str("version", mnl_attr_get_str(tb[ESPAH_A_VERSION]));
		if (tb[ESPAH_A_WINDOW_MAX])
			jw_u64("replay-window-max", mnl_attr_get_u32(tb[ESPAH_A_WINDOW_MAX]));
		if (tb[ESPAH_A_HOLD_MAX])
			jw_u64("hold-max", mnl_attr_get_u32(tb[ESPAH_A_HOLD_MAX]));
		if (tb[ESPAH_A_FEATURES])
			features_flags(mnl_attr_get_u32(tb[ESPAH_A_FEATURES]));
		jw_begin_arr("algorithms");
	} else {
		fprintf(out, "version %s\n", tb[ESPAH_A_VERSION] ?
			mnl_attr_get_str(tb[ESPAH_A_VERSION]) : "?");
		if (tb[ESPAH_A_WINDOW_MAX])
			fprintf(out, "replay-window-max %u\n",
				mnl_attr_get_u32(tb[ESPAH_A_WINDOW_MAX]));
		if (tb[ESPAH_A_HOLD_MAX])
			fprintf(out, "hold-max %u\n",
				mnl_attr_get_u32(tb[ESPAH_A_HOLD_MAX]));
		if (tb[ESPAH_A_FEATURES])
			features_flags(mnl_attr_get_u32(tb[ESPAH_A_FEATURES]));
	}
	mnl_attr_for_each(na, nlh, GENL_HDRLEN) {
		const struct nlattr *al[ESPAH_ALG_MAX + 1];

		if (mnl_attr_get_type(na) != ESPAH_A_ALG)
			continue;
		attrs_parse_nest(na, alg_attrs, ESPAH_ALG_MAX, al);
		if (!al[ESPAH_ALG_NAME])
			continue;
		if (opt.json) {
			jw_begin_obj(NULL);
			jw_str("name", mnl_attr_get_str(al[ESPAH_ALG_NAME]));
			if (al[ESPAH_ALG_KIND])
				jw_str("kind", kind_name(mnl_attr_get_u8(al[ESPAH_ALG_KIND])));
			jw_begin_arr("key-bits");
			alg_list(na, ESPAH_ALG_KEY_BITS, NULL);
			jw_end_arr();
			jw_begin_arr("icv-bits");
			alg_list(na, ESPAH_ALG_ICV_BITS, NULL);
			jw_end_arr();
			jw_end_obj();
		} else {
			fprintf(out, "alg %s %s",
				al[ESPAH_ALG_KIND] ?
				kind_name(mnl_attr_get_u8(al[ESPAH_ALG_KIND])) : "?",
				mnl_attr_get_str(al[ESPAH_ALG_NAME]));
			alg_list(na, ESPAH_ALG_KEY_BITS, " key-bits ");
			alg_list(na, ESPAH_ALG_ICV_BITS, " icv-bits ");
			fputc('\n', out);
		}
	}
	if (opt.json) {
		jw_end_arr();
		jw_end_obj();
		jw_newline();
	}
	return MNL_CB_OK;
}

int do_features(struct args *a)
{
	struct req r;

	if (a->argc > 0 && !strcmp(a->argv[0], "help")) {
		printf("Usage: espah [-j] features\n");
		return 0;
	}
	no_args(a);
	req_init(&r, ESPAH_CMD_FEATURES_GET, 0);
	nl_transact(&r, features_cb, NULL);
	return 0;
}

/* ---------------------------------------------------------------------- */

static const struct {
	uint8_t cmd;
	const char *text;	/* prefix of the text line */
	const char *event;	/* JSON "event" */
	int kind;		/* 0 SA, 1 policy, 2 other */
} events[] = {
	{ ESPAH_CMD_SA_ADD, "Added ", "sa-add", 0 },
	{ ESPAH_CMD_SA_UPDATE, "Updated ", "sa-update", 0 },
	{ ESPAH_CMD_SA_DEL, "Deleted ", "sa-del", 0 },
	{ ESPAH_CMD_SA_EXPIRE, "Expired ", "sa-expire", 0 },
	{ ESPAH_CMD_SA_FLUSH, "Flushed SAs", "sa-flush", 2 },
	{ ESPAH_CMD_POL_ADD, "Added policy ", "policy-add", 1 },
	{ ESPAH_CMD_POL_UPDATE, "Updated policy ", "policy-update", 1 },
	{ ESPAH_CMD_POL_DEL, "Deleted policy ", "policy-del", 1 },
	{ ESPAH_CMD_POL_FLUSH, "Flushed policies", "policy-flush", 2 },
	{ ESPAH_CMD_ACQUIRE, "Acquire", "acquire", 2 },
};

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	uint8_t cmd = genl_cmd(nlh);
	size_t i;

	(void)data;
	attrs_parse_msg(nlh, tb);
	for (i = 0; i < ARRAY_SIZE(events); i++)
		if (events[i].cmd == cmd)
			break;
	policy_set_msg(nlh);
	if (opt.json) {
		jw_begin_obj(NULL);
		jw_str("event", i < ARRAY_SIZE(events) ? events[i].event : cmd_name(cmd));
		if (i < ARRAY_SIZE(events) && events[i].kind == 0) {
			json_sa(tb);
		} else if (i < ARRAY_SIZE(events) && events[i].kind == 1) {
			json_policy(tb);
		} else {
			/* flush, acquire, unknown: whatever identifies it */
			if (tb[ESPAH_A_COUNT])
				jw_u64("count", mnl_attr_get_u32(tb[ESPAH_A_COUNT]));
			if (tb[ESPAH_A_SA_PROTO])
				jw_str("proto",
				       ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
			if (tb[ESPAH_A_POL_SEL] || tb[ESPAH_A_POL_TMPL]) {
				jw_begin_obj("policy");
				json_policy(tb);
				jw_end_obj();
			}
			if (tb[ESPAH_A_SA_DST]) {
				jw_begin_obj("sa");
				json_sa(tb);
				jw_end_obj();
			}
		}
		jw_end_obj();
		jw_newline();
	} else if (i < ARRAY_SIZE(events) && events[i].kind == 0) {
		print_sa(tb, events[i].text);
	} else if (i < ARRAY_SIZE(events) && events[i].kind == 1) {
		print_policy(tb, events[i].text);
	} else if (cmd == ESPAH_CMD_ACQUIRE) {
		char src[64], dst[64];
		uint16_t fam = tb[ESPAH_A_SA_FAMILY] ?
			       mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;

		fprintf(out, "Acquire");
		if (tb[ESPAH_A_SA_SRC])
			fprintf(out, " src %s",
				addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_SRC]),
					  mnl_attr_get_payload_len(tb[ESPAH_A_SA_SRC]),
					  src, sizeof(src)));
		if (tb[ESPAH_A_SA_DST])
			fprintf(out, " dst %s",
				addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_DST]),
					  mnl_attr_get_payload_len(tb[ESPAH_A_SA_DST]),
					  dst, sizeof(dst)));
		if (tb[ESPAH_A_SA_PROTO])
			fprintf(out, " proto %s",
				ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
		if (tb[ESPAH_A_SA_REQID])
			fprintf(out, " reqid %u", mnl_attr_get_u32(tb[ESPAH_A_SA_REQID]));
		fputc('\n', out);
		if (tb[ESPAH_A_POL_SEL])
			print_policy(tb, "\tpolicy ");
	} else if (i < ARRAY_SIZE(events)) {
		fprintf(out, "%s", events[i].text);
		if (tb[ESPAH_A_SA_PROTO])
			fprintf(out, " proto %s",
				ipsec_proto_name(mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO])));
		if (tb[ESPAH_A_COUNT])
			fprintf(out, " (%u)", mnl_attr_get_u32(tb[ESPAH_A_COUNT]));
		fputc('\n', out);
	} else {
		/* newer than this tool: show it raw */
		fprintf(out, "%s (cmd %u)\n", cmd_name(cmd), cmd);
		attrs_print(out, mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
			    top_attrs, ESPAH_A_MAX, 8);
	}
	policy_set_msg(NULL);
	fflush(out);
	return MNL_CB_OK;
}

int do_monitor(struct args *a)
{
	while (a->argc > 0) {
		const char *w = next_arg(a, "argument");

		if (!strcmp(w, "help")) {
			printf("Usage: espah [-j] monitor\n");
			return 0;
		}
		if (strcmp(w, "all"))
			syntax("%s: unknown word \"%s\"", a->ctx, w);
	}
	nl_monitor(monitor_cb, NULL);
}
