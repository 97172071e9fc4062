// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah features", what the loaded module offers: version,
 * limits, feature bits and its algorithms with their key and ICV lengths.
 */
#include <inttypes.h>
#include <string.h>

#include "espah.h"

static void usage_features(FILE *f)
{
	fprintf(f, "Usage: espah [-j] features\n");
}

static const char *kind_name(uint8_t k)
{
	return k == 0 ? "aead" : k == 1 ? "enc" : k == 2 ? "auth" : "?";
}

/* The (repeated) @type values of one ESPAH_A_ALG nest: " WORD 1,2,3" */
static void alg_list(const struct nlattr *alg, unsigned int type, const char *word)
{
	const struct nlattr *na;
	bool first = true;

	open_arr(word);
	mnl_attr_for_each_nested(na, alg) {
		if (mnl_attr_get_type(na) != type || mnl_attr_get_payload_len(na) != 4)
			continue;
		if (first)
			print_text(" %s ", word);
		print_u64(PRINT_ANY, NULL, first ? "%" PRIu64 : ",%" PRIu64,
			  mnl_attr_get_u32(na));
		first = false;
	}
	close_arr();
}

static void print_alg(const struct nlattr *nest)
{
	const struct nlattr *al[ESPAH_ALG_MAX + 1];
	const struct nlattr *kind;

	attrs_parse_nest(nest, alg_attrs, ESPAH_ALG_MAX, al);
	if (!al[ESPAH_ALG_NAME])
		return;
	kind = al[ESPAH_ALG_KIND];
	open_obj(NULL);
	print_text("alg %s", kind ? kind_name(mnl_attr_get_u8(kind)) : "?");
	print_str(PRINT_ANY, "name", " %s", mnl_attr_get_str(al[ESPAH_ALG_NAME]));
	if (kind)
		print_str(PRINT_JSON, "kind", NULL, kind_name(mnl_attr_get_u8(kind)));
	alg_list(nest, ESPAH_ALG_KEY_BITS, "key-bits");
	alg_list(nest, ESPAH_ALG_ICV_BITS, "icv-bits");
	print_nl();
	close_obj();
}

/* ESPAH_FEAT_* bit names, in bit order */
static const char *const feat_names[] = {
	"esp", "ah", "bundle", "esn", "tunnel-mixed", "async", "lifetime",
	"seq-soft", "acquire", "hold", "reorder", "stat-proc", "mss-clamp",
	"xfrm", "natt", "key-export", "natt-mapping", "natt-keepalive", "tunhdr",
	"tfc", "icmp", "tmpl-optional", "wildrecv", "natt-nonike", "mark",
	"xfrmi", "dummy",
};

/* known names, unknown bits as bit-N */
static void print_features(uint32_t f)
{
	char unknown[16];
	const char *name;
	unsigned int i;

	print_text("features");
	open_arr("features");
	for (i = 0; i < 32; i++) {
		if (!(f & (1U << i)))
			continue;
		name = i < ARRAY_SIZE(feat_names) ? feat_names[i] : NULL;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "bit-%u", i);
			name = unknown;
		}
		print_str(PRINT_ANY, NULL, " %s", name);
	}
	close_arr();
	print_nl();
}

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *ver, *na;

	(void)data;
	attrs_parse_msg(nlh, tb);
	ver = tb[ESPAH_A_VERSION];
	open_obj(NULL);
	print_str(ver ? PRINT_ANY : PRINT_TEXT, "version", "version %s\n",
		  ver ? mnl_attr_get_str(ver) : "?");
	if (tb[ESPAH_A_WINDOW_MAX])
		print_u64(PRINT_ANY, "replay-window-max", "replay-window-max %" PRIu64 "\n",
			  mnl_attr_get_u32(tb[ESPAH_A_WINDOW_MAX]));
	if (tb[ESPAH_A_HOLD_MAX])
		print_u64(PRINT_ANY, "hold-max", "hold-max %" PRIu64 "\n",
			  mnl_attr_get_u32(tb[ESPAH_A_HOLD_MAX]));
	if (tb[ESPAH_A_FEATURES])
		print_features(mnl_attr_get_u32(tb[ESPAH_A_FEATURES]));
	open_arr("algorithms");
	mnl_attr_for_each(na, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(na) == ESPAH_A_ALG)
			print_alg(na);
	close_arr();
	close_obj();
	print_end_doc();
	return MNL_CB_OK;
}

int do_features(struct args *a)
{
	struct req r;

	if (a->argc > 0 && !strcmp(a->argv[0], "help")) {
		usage_features(stdout);
		return 0;
	}
	no_args(a);
	req_init(&r, ESPAH_CMD_FEATURES_GET, 0);
	nl_transact(&r, features_cb, NULL);
	return 0;
}
