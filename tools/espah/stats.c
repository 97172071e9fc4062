// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah stats", the namespace's counters.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "espah.h"
#include "espah/counters.h"

static void usage_stats(FILE *f)
{
	fprintf(f, "Usage: espah [-j] stats\n"
		"       espah [ -n NAME ] stats -o prometheus\n");
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

/* ---------------------------------------------------------------------- */
/* -o prometheus: the text exposition format (node_exporter's textfile      */
/* collector). Every family is printed once, all its samples together.     */

/* the tool's counter name as a metric name: espah_NAME_total, '-' -> '_' */
static void prom_name(char *buf, size_t len, const char *prefix, const char *name)
{
	size_t i, n = snprintf(buf, len, "%s%s", prefix, name);

	for (i = 0; i < n && i < len; i++)
		if (buf[i] == '-')
			buf[i] = '_';
}

/* a label value: backslash, double quote and newline escaped */
static void prom_label(FILE *f, const char *key, const char *v, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static const char *prom_netns(void)
{
	const char *s;

	if (!opt.netns)
		return "";
	s = strrchr(opt.netns, '/');
	return s ? s + 1 : opt.netns;
}

struct prom_sa {
	char *labels;			/* netns="..",src="..",... */
	uint64_t st[ESPAH_SA_STAT_MAX + 1];
	bool has_reorder;
	uint64_t reorder_max, hist[ESPAH_REORDER_BUCKETS];
	unsigned int nhist;
};

struct prom {
	uint64_t st[ESPAH_STAT_MAX + 1];
	bool has_st[ESPAH_STAT_MAX + 1];
	struct prom_sa *sa;
	size_t nsa, cap;
};

static int prom_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *na;
	struct prom *p = data;

	attrs_parse_msg(nlh, tb);
	if (!tb[ESPAH_A_STATS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(na, tb[ESPAH_A_STATS]) {
		unsigned int t = mnl_attr_get_type(na);

		if (t > ESPAH_STAT_MAX || mnl_attr_get_payload_len(na) != 8)
			continue;
		p->st[t] = mnl_attr_get_u64(na);
		p->has_st[t] = true;
	}
	return MNL_CB_OK;
}

static int prom_sa_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *st[ESPAH_SA_STAT_MAX + 1];
	struct prom *p = data;
	struct prom_sa *sa;
	char src[64] = "", dst[64] = "", spi[16];
	uint16_t fam;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	attrs_parse_msg(nlh, tb);
	if (!tb[ESPAH_A_SA_SPI])
		return MNL_CB_OK;
	if (p->nsa == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->sa = realloc(p->sa, p->cap * sizeof(*p->sa));
		if (!p->sa)
			die("out of memory");
	}
	sa = &p->sa[p->nsa++];
	memset(sa, 0, sizeof(*sa));
	fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;
	if (tb[ESPAH_A_SA_SRC])
		addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_SRC]),
			  mnl_attr_get_payload_len(tb[ESPAH_A_SA_SRC]), src, sizeof(src));
	if (tb[ESPAH_A_SA_DST])
		addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_DST]),
			  mnl_attr_get_payload_len(tb[ESPAH_A_SA_DST]), dst, sizeof(dst));
	snprintf(spi, sizeof(spi), "0x%08x", ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])));
	f = open_memstream(&sa->labels, &len);
	if (!f)
		die("open_memstream: failed");
	prom_label(f, "netns", prom_netns(), true);
	prom_label(f, "src", src, false);
	prom_label(f, "dst", dst, false);
	prom_label(f, "proto", ipsec_proto_name(tb[ESPAH_A_SA_PROTO] ?
					       mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO]) : 0), false);
	prom_label(f, "spi", spi, false);
	prom_label(f, "dir", tb[ESPAH_A_SA_DIR] ?
		   dir_name(mnl_attr_get_u8(tb[ESPAH_A_SA_DIR])) : "", false);
	fclose(f);
	if (tb[ESPAH_A_SA_STATS]) {
		attrs_parse_nest(tb[ESPAH_A_SA_STATS], sa_stat_attrs, ESPAH_SA_STAT_MAX, st);
		for (i = 1; i <= ESPAH_SA_STAT_MAX; i++)
			if (st[i] && mnl_attr_get_payload_len(st[i]) == 8)
				sa->st[i] = mnl_attr_get_u64(st[i]);
	}
	if (tb[ESPAH_A_SA_REORDER]) {
		sa->has_reorder = true;
		sa->nhist = reorder_get(tb[ESPAH_A_SA_REORDER], &sa->reorder_max, sa->hist);
	}
	return MNL_CB_OK;
}

/* the counters' names and meanings, from include/espah/counters.h */
static const struct {
	unsigned int type;
	const char *tool, *what;
} ns_stats[] = {
#define X(suffix, proc, tool, what) { ESPAH_STAT_##suffix, tool, what },
	ESPAH_STATS(X)
#undef X
}, sa_stats[] = {
#define X(suffix, tool, what) { ESPAH_SA_STAT_##suffix, tool, what },
	ESPAH_SA_STATS(X)
#undef X
};

static void prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* the per-SA drop reasons: every SA counter but packets, bytes, the NAT
 * traversal events and the dummy packets sent (their own series)
 */
static bool sa_stat_is_drop(unsigned int t)
{
	return t != ESPAH_SA_STAT_PACKETS && t != ESPAH_SA_STAT_BYTES &&
	       t != ESPAH_SA_STAT_NATT_MAPPING && t != ESPAH_SA_STAT_NATT_KEEPALIVE &&
	       t != ESPAH_SA_STAT_OUT_DUMMY;
}

/* one per-SA counter as a series of its own, a sample per SA */
static void prom_sa_series(const struct prom *p, const char *name,
			   const char *help, unsigned int t)
{
	size_t i;

	prom_family(name, "counter", help);
	for (i = 0; i < p->nsa; i++)
		printf("%s{%s} %" PRIu64 "\n", name, p->sa[i].labels, p->sa[i].st[t]);
}

static void prom_print(const struct prom *p)
{
	char name[96];
	size_t i;
	unsigned int b;

	/* the namespace's counters, named and explained in one place */
	for (i = 0; i < ARRAY_SIZE(ns_stats); i++) {
		unsigned int t = ns_stats[i].type;

		if (!p->has_st[t])
			continue;
		prom_name(name, sizeof(name), "espah_", ns_stats[i].tool);
		strcat(name, "_total");
		prom_family(name, "counter", ns_stats[i].what);
		printf("%s{", name);
		prom_label(stdout, "netns", prom_netns(), true);
		printf("} %" PRIu64 "\n", p->st[t]);
	}
	prom_family("espah_sas", "gauge", "SAs in the namespace");
	printf("espah_sas{");
	prom_label(stdout, "netns", prom_netns(), true);
	printf("} %zu\n", p->nsa);
	if (!p->nsa)
		return;
	prom_sa_series(p, "espah_sa_packets_total", "packets through the SA",
		       ESPAH_SA_STAT_PACKETS);
	prom_sa_series(p, "espah_sa_bytes_total", "bytes through the SA",
		       ESPAH_SA_STAT_BYTES);
	prom_sa_series(p, "espah_sa_natt_mapping_total",
		       "authenticated packets from another peer address or port (NAT mapping changes)",
		       ESPAH_SA_STAT_NATT_MAPPING);
	prom_sa_series(p, "espah_sa_natt_keepalive_total", "NAT keepalives the SA sent",
		       ESPAH_SA_STAT_NATT_KEEPALIVE);
	prom_sa_series(p, "espah_sa_out_dummy_total",
		       "dummy packets (RFC 4303 2.6) the SA sent, also counted in its packets",
		       ESPAH_SA_STAT_OUT_DUMMY);
	prom_family("espah_sa_drops_total", "counter",
		    "packets the SA dropped, by reason (espah(8), espah -s state list)");
	for (i = 0; i < p->nsa; i++)
		for (b = 0; b < ARRAY_SIZE(sa_stats); b++)
			if (sa_stat_is_drop(sa_stats[b].type))
				printf("espah_sa_drops_total{%s,reason=\"%s\"} %" PRIu64 "\n",
				       p->sa[i].labels, sa_stats[b].tool,
				       p->sa[i].st[sa_stats[b].type]);
	prom_family("espah_sa_reorder_max", "gauge",
		    "largest reorder distance seen by the inbound SA (sequence numbers)");
	for (i = 0; i < p->nsa; i++)
		if (p->sa[i].has_reorder)
			printf("espah_sa_reorder_max{%s} %" PRIu64 "\n", p->sa[i].labels,
			       p->sa[i].reorder_max);
	prom_family("espah_sa_reorder_packets_total", "counter",
		    "inbound packets by how far behind the highest sequence number they came (distance bucket)");
	for (i = 0; i < p->nsa; i++)
		for (b = 0; p->sa[i].has_reorder && b < p->sa[i].nhist; b++)
			printf("espah_sa_reorder_packets_total{%s,distance=\"%s\"} %" PRIu64 "\n",
			       p->sa[i].labels, reorder_names[b], p->sa[i].hist[b]);
}

static int stats_prometheus(void)
{
	struct prom p = { 0 };
	struct req r;
	size_t i;

	req_init(&r, ESPAH_CMD_STATS_GET, 0);
	nl_transact(&r, prom_stats_cb, &p);
	req_init(&r, ESPAH_CMD_SA_GET, 0);
	nl_dump(&r, prom_sa_cb, &p, NULL, NULL);
	if (opt.dry_run)
		return 0;
	prom_print(&p);
	for (i = 0; i < p.nsa; i++)
		free(p.sa[i].labels);
	free(p.sa);
	fflush(stdout);
	return 0;
}

int do_stats(struct args *a)
{
	struct req r;

	if (a->argc > 0 && !strcmp(a->argv[0], "help")) {
		usage_stats(stdout);
		return 0;
	}
	if (a->argc > 0 && !strcmp(a->argv[0], "-o")) {
		const char *fmt;

		next_arg(a, "-o");
		fmt = next_arg(a, "output format");
		if (strcmp(fmt, "prometheus"))
			syntax("stats: unknown output format \"%s\" (expected prometheus)", fmt);
		no_args(a);
		return stats_prometheus();
	}
	no_args(a);
	req_init(&r, ESPAH_CMD_STATS_GET, 0);
	nl_transact(&r, stats_cb, NULL);
	return 0;
}
