// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool, host tests only: in place of nl.c, answer every request with
 * the netlink messages stored in the file named by ESPAH_REPLAY (as the
 * kernel would send them, one after the other), so that the printers run
 * without a kernel. Linked into espah-replay, never into espah.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "espah.h"

static char *replies;
static size_t replies_len;

static void load(void)
{
	const char *name = getenv("ESPAH_REPLAY");
	size_t cap = 0, n;
	FILE *f;

	if (replies)
		return;
	if (!name)
		die("ESPAH_REPLAY: not set");
	f = fopen(name, "rb");
	if (!f)
		die("%s: %s", name, strerror(errno));
	do {
		if (replies_len == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			replies = realloc(replies, cap);
			if (!replies)
				die("out of memory");
		}
		n = fread(replies + replies_len, 1, cap - replies_len, f);
		replies_len += n;
	} while (n);
	fclose(f);
}

static void feed(msg_cb_t cb, void *data, bool events)
{
	const struct nlmsghdr *nlh;
	int len;

	load();
	nlh = (const struct nlmsghdr *)replies;
	len = replies_len;
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
			continue;
		if (cb && cb(nlh, data) < 0)
			break;
		if (events)
			fflush(out);
	}
}

void nl_transact(struct req *r, msg_cb_t cb, void *data)
{
	(void)r;
	feed(cb, data, false);
}

void nl_dump(struct req *r, msg_cb_t cb, void *data,
	     void (*begin)(void *data), void (*end)(void *data))
{
	(void)r;
	if (begin)
		begin(data);
	feed(cb, data, false);
	if (end)
		end(data);
}

void nl_monitor(msg_cb_t cb, void *data)
{
	feed(cb, data, true);
	exit(0);
}
