// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah xfrm", the namespace's attachment to native XFRM:
 * which native SAs and policies (those ip xfrm or an IKE daemon installs
 * with this if_id) espah carries.
 */
#include <inttypes.h>
#include <string.h>

#include "espah.h"

static void usage_xfrm(FILE *f)
{
	fprintf(f,
"Usage: espah xfrm attach if-id ID [ mark MARK[/MASK] ]\n"
"       espah xfrm detach\n"
"       espah [-j] xfrm show\n"
"  attach  carry the native SAs and policies with this if_id (not 0), and\n"
"          with a mark: only those whose mark & MASK is MARK (MASK default\n"
"          0xffffffff); untagged ones stay native's\n"
"  detach  hand the SAs back to native XFRM; carried policies stay in\n"
"          espah's SPD without SAs (their traffic stops, never in clear)\n"
"          until \"espah policy flush\"\n");
}

static void parse_mark(const char *s, uint32_t *mark, uint32_t *mask)
{
	char buf[64];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		syntax("mark \"%s\": too long", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	*mask = 0xffffffff;
	if (slash) {
		*slash = '\0';
		*mask = parse_u32(slash + 1, "mark mask");
	}
	*mark = parse_u32(buf, "mark");
	if (*mark & ~*mask)
		syntax("mark 0x%x has bits outside its mask 0x%x", *mark, *mask);
}

static int xfrm_attach(struct args *a)
{
	uint32_t if_id = 0, mark = 0, mask = 0;
	bool have_id = false;
	struct req r;

	while (a->argc > 0) {
		const char *w = a->argv[0];

		if (a->argc < 2)
			syntax("\"%s\" needs a value", w);
		if (!strcmp(w, "if-id") || !strcmp(w, "if_id")) {
			if_id = parse_u32(a->argv[1], "if-id");
			if (!if_id)
				syntax("if-id 0 is every untagged SA: choose another");
			have_id = true;
		} else if (!strcmp(w, "mark")) {
			parse_mark(a->argv[1], &mark, &mask);
		} else {
			syntax("unknown word \"%s\" (try \"espah xfrm help\")", w);
		}
		a->argc -= 2;
		a->argv += 2;
	}
	if (!have_id)
		syntax("xfrm attach needs if-id ID");
	req_init(&r, ESPAH_CMD_XFRM_ATTACH, 0);
	req_put_u32(&r, ESPAH_A_XFRM_IF_ID, if_id);
	if (mask) {
		req_put_u32(&r, ESPAH_A_XFRM_MARK, mark);
		req_put_u32(&r, ESPAH_A_XFRM_MASK, mask);
	}
	nl_transact(&r, NULL, NULL);
	return 0;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *id, *mask;

	(void)data;
	attrs_parse_msg(nlh, tb);
	id = tb[ESPAH_A_XFRM_IF_ID];
	mask = tb[ESPAH_A_XFRM_MASK];
	open_obj(NULL);
	print_bool(PRINT_JSON, "attached", NULL, id);
	if (id) {
		print_u64(PRINT_ANY, "if-id", "attached if-id %" PRIu64,
			  mnl_attr_get_u32(id));
		if (mask && mnl_attr_get_u32(mask)) {
			print_u64(PRINT_ANY, "mark", " mark 0x%" PRIx64,
				  tb[ESPAH_A_XFRM_MARK] ?
				  mnl_attr_get_u32(tb[ESPAH_A_XFRM_MARK]) : 0);
			print_u64(PRINT_ANY, "mask", "/0x%" PRIx64,
				  mnl_attr_get_u32(mask));
		}
	} else {
		print_text("not attached");
	}
	print_nl();
	if (tb[ESPAH_A_XFRM_SAS])
		print_u64(PRINT_ANY, "sas", "\tcarried SAs %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_XFRM_SAS]));
	if (tb[ESPAH_A_XFRM_POLS])
		print_u64(PRINT_ANY, "policies", " policies %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_XFRM_POLS]));
	print_nl();
	close_obj();
	print_end_doc();
	return MNL_CB_OK;
}

int do_xfrm(struct args *a)
{
	const char *cmd;
	struct req r;

	if (a->argc == 0 || !strcmp(a->argv[0], "help")) {
		usage_xfrm(a->argc ? stdout : stderr);
		return a->argc ? 0 : 1;
	}
	cmd = a->argv[0];
	a->argc--;
	a->argv++;
	if (!strcmp(cmd, "attach"))
		return xfrm_attach(a);
	if (!strcmp(cmd, "detach")) {
		no_args(a);
		req_init(&r, ESPAH_CMD_XFRM_DETACH, 0);
		nl_transact(&r, NULL, NULL);
		return 0;
	}
	if (matches(cmd, "show")) {
		no_args(a);
		req_init(&r, ESPAH_CMD_XFRM_GET, 0);
		nl_transact(&r, show_cb, NULL);
		return 0;
	}
	syntax("unknown command \"xfrm %s\" (try \"espah xfrm help\")", cmd);
}
