// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah stats", the namespace's counters.
 */
#include <inttypes.h>
#include <string.h>

#include "espah.h"

static void usage_stats(FILE *f)
{
	fprintf(f, "Usage: espah [-j] stats\n");
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
	open_obj(NULL);
	/* every counter the kernel sends, including ones newer than this tool */
	mnl_attr_for_each_nested(na, tb[ESPAH_A_STATS]) {
		unsigned int t = mnl_attr_get_type(na);
		char unknown[32];
		const char *name;

		if (t == ESPAH_STAT_PAD || mnl_attr_get_payload_len(na) != 8)
			continue;
		name = t <= ESPAH_STAT_MAX ? stat_attrs[t].name : NULL;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "stat-%u", t);
			name = unknown;
		}
		print_named_u64("%-21s %" PRIu64 "\n", name, mnl_attr_get_u64(na));
	}
	close_obj();
	print_end_doc();
	return MNL_CB_OK;
}

int do_stats(struct args *a)
{
	struct req r;

	if (a->argc > 0 && !strcmp(a->argv[0], "help")) {
		usage_stats(stdout);
		return 0;
	}
	no_args(a);
	req_init(&r, ESPAH_CMD_STATS_GET, 0);
	nl_transact(&r, stats_cb, NULL);
	return 0;
}
