// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah save", the SAD and SPD as a batch file that
 * reproduces them ("espah -batch FILE").
 *
 * The kernel hands out SA keys only when asked (ESPAH_A_SA_KEYS, "save
 * keys") and only if its module parameter key_export was set when the SA
 * was added; every other key is written as the placeholder
 * KEY_PLACEHOLDER, which the parser refuses: a saved file applies only
 * once its keys are filled in, never with a wrong key. Outbound SAs carry
 * their next sequence number (replay-oseq), inbound ones their replay
 * state (replay-seq), so that a restored SA does not send a sequence
 * number twice under its key. What espah carries for
 * native XFRM (ESPAH_A_SA_XFRM_IF_ID, ESPAH_POL_ORIGIN_XFRM) is left out,
 * as a comment: its owner installs it again through native XFRM.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/udp.h>

#include "espah.h"

static void usage_save(FILE *f)
{
	fprintf(f,
"Usage: espah save [ state | policy ] [ keys ]\n"
"Prints the SAs (\"state add\" lines) and policies (\"policy add\" lines, after a\n"
"\"policy flush\") as a batch file for \"espah -batch\". Keys are printed as\n"
"\"" KEY_PLACEHOLDER "\", to be filled in before applying; with \"keys\", the keys of\n"
"the SAs added while the module parameter key_export was set (refused while it\n"
"is not set).\n");
}

static uint32_t u32_or(const struct nlattr **tb, unsigned int t, uint32_t dflt)
{
	return tb[t] ? mnl_attr_get_u32(tb[t]) : dflt;
}

/* the selector words, as "state add ... sel" and "policy add" take them */
static void save_sel(const struct nlattr *nest, uint16_t family)
{
	bool json = opt.json;

	opt.json = false;
	print_sel(nest, family);
	opt.json = json;
}

static void save_addr(const struct nlattr *na, uint16_t fam, char *buf, size_t len)
{
	snprintf(buf, len, "?");
	if (na)
		addr_ntop(fam, mnl_attr_get_payload(na), mnl_attr_get_payload_len(na),
			  buf, len);
}

/* "state delete ID" for every SA: the SA ids of a snapshot (espah.c) */
static int save_id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	char src[64], dst[64];
	uint16_t fam;

	(void)data;
	attrs_parse_msg(nlh, tb);
	fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;
	save_addr(tb[ESPAH_A_SA_SRC], fam, src, sizeof(src));
	save_addr(tb[ESPAH_A_SA_DST], fam, dst, sizeof(dst));
	fprintf(out, "state delete src %s dst %s proto %s spi 0x%08x\n", src, dst,
		ipsec_proto_name(tb[ESPAH_A_SA_PROTO] ? mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO]) : 0),
		tb[ESPAH_A_SA_SPI] ? ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])) : 0);
	return MNL_CB_OK;
}

/* a word as split_line() reads it back: double quotes, \\ and \" escaped */
static void save_word(const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* ip xfrm's "encap TYPE SPORT DPORT OADDR" */
static void save_encap(const struct nlattr *nest, uint16_t fam)
{
	const struct nlattr *et[ESPAH_ENCAP_MAX + 1];
	uint16_t type;
	char oa[64];

	attrs_parse_nest(nest, encap_attrs, ESPAH_ENCAP_MAX, et);
	type = et[ESPAH_ENCAP_TYPE] ? mnl_attr_get_u16(et[ESPAH_ENCAP_TYPE]) : 0;
	if (et[ESPAH_ENCAP_OA])
		save_addr(et[ESPAH_ENCAP_OA], fam, oa, sizeof(oa));
	else
		snprintf(oa, sizeof(oa), "%s", fam == AF_INET6 ? "::" : "0.0.0.0");
	fprintf(out, " encap %s %u %u %s",
		type == UDP_ENCAP_ESPINUDP_NON_IKE ? "espinudp-nonike" : "espinudp",
		et[ESPAH_ENCAP_SPORT] ? ntohs(mnl_attr_get_u16(et[ESPAH_ENCAP_SPORT])) : 0,
		et[ESPAH_ENCAP_DPORT] ? ntohs(mnl_attr_get_u16(et[ESPAH_ENCAP_DPORT])) : 0,
		oa);
	if (et[ESPAH_ENCAP_KEEPALIVE])
		fprintf(out, " natt-keepalive %u",
			mnl_attr_get_u32(et[ESPAH_ENCAP_KEEPALIVE]));
}

/* An SA's key as the parser takes it, or the placeholder. */
static void save_key(const struct nlattr *key)
{
	const uint8_t *p;
	uint16_t i, n;

	if (!key) {
		fprintf(out, " %s", KEY_PLACEHOLDER);
		return;
	}
	p = mnl_attr_get_payload(key);
	n = mnl_attr_get_payload_len(key);
	fprintf(out, " 0x");
	for (i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

/* SAs saved without their keys although "keys" was asked for */
static unsigned int keyless;

static int save_sa_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *lt[ESPAH_LFT_MAX + 1];
	uint16_t fam;
	uint32_t flags, icv, spi;
	uint8_t dir;
	char src[64], dst[64];
	unsigned int i;

	(void)data;
	attrs_parse_msg(nlh, tb);
	fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;
	flags = u32_or(tb, ESPAH_A_SA_FLAGS, 0);
	dir = tb[ESPAH_A_SA_DIR] ? mnl_attr_get_u8(tb[ESPAH_A_SA_DIR]) : ESPAH_DIR_IN;
	save_addr(tb[ESPAH_A_SA_SRC], fam, src, sizeof(src));
	save_addr(tb[ESPAH_A_SA_DST], fam, dst, sizeof(dst));
	spi = tb[ESPAH_A_SA_SPI] ? ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])) : 0;
	if (tb[ESPAH_A_SA_XFRM_IF_ID]) {
		/* native XFRM's: its owner (an IKE daemon, ip xfrm) adds it */
		fprintf(out, "# not saved: spi 0x%08x dst %s, carried for native XFRM (if_id %u)\n",
			spi, dst, mnl_attr_get_u32(tb[ESPAH_A_SA_XFRM_IF_ID]));
		return MNL_CB_OK;
	}
	fprintf(out, "state add src %s dst %s proto %s spi 0x%08x", src, dst,
		ipsec_proto_name(tb[ESPAH_A_SA_PROTO] ? mnl_attr_get_u8(tb[ESPAH_A_SA_PROTO]) : 0),
		spi);
	if (tb[ESPAH_A_SA_MODE])
		fprintf(out, " mode %s", mode_name(mnl_attr_get_u8(tb[ESPAH_A_SA_MODE])));
	if (tb[ESPAH_A_SA_REQID])
		fprintf(out, " reqid %u", mnl_attr_get_u32(tb[ESPAH_A_SA_REQID]));
	fprintf(out, " dir %s", dir_name(dir));
	if (tb[ESPAH_A_SA_REPLAY_WINDOW])
		fprintf(out, " replay-window %u", mnl_attr_get_u32(tb[ESPAH_A_SA_REPLAY_WINDOW]));
	if (flags & ESPAH_SA_FLAG_ESN)
		fprintf(out, " flag esn");
	if (flags & ESPAH_SA_FLAG_ALIGN4)
		fprintf(out, " flag align4");
	if (flags & ESPAH_SA_FLAG_NOECN)
		fprintf(out, " flag noecn");
	if (flags & ESPAH_SA_FLAG_DECAP_DSCP)
		fprintf(out, " flag decap-dscp");
	if (flags & ESPAH_SA_FLAG_NATT_UPDATE)
		fprintf(out, " flag natt-update");
	if (flags & ESPAH_SA_FLAG_ICMP)
		fprintf(out, " flag icmp");
	if (flags & ESPAH_SA_FLAG_WILDRECV)
		fprintf(out, " flag wildrecv");
	if (tb[ESPAH_A_SA_DF])
		fprintf(out, " df %s", df_name(mnl_attr_get_u8(tb[ESPAH_A_SA_DF])));
	if (tb[ESPAH_A_SA_DSCP])
		fprintf(out, " dscp %u", mnl_attr_get_u8(tb[ESPAH_A_SA_DSCP]));
	if (tb[ESPAH_A_SA_TFCPAD])
		fprintf(out, " tfcpad %u", u32_or(tb, ESPAH_A_SA_TFCPAD, 0));
	if (tb[ESPAH_A_SA_MARK])
		fprintf(out, " mark 0x%x/0x%x", mnl_attr_get_u32(tb[ESPAH_A_SA_MARK]),
			u32_or(tb, ESPAH_A_SA_MARK_MASK, 0xffffffff));
	if (tb[ESPAH_A_SA_OMARK])
		fprintf(out, " output-mark 0x%x/0x%x", mnl_attr_get_u32(tb[ESPAH_A_SA_OMARK]),
			u32_or(tb, ESPAH_A_SA_OMARK_MASK, 0xffffffff));
	if (tb[ESPAH_A_SA_IF_ID])
		fprintf(out, " if_id %u", mnl_attr_get_u32(tb[ESPAH_A_SA_IF_ID]));
	if (tb[ESPAH_A_SA_DUMMY_RATE])
		fprintf(out, " dummy-rate %u", u32_or(tb, ESPAH_A_SA_DUMMY_RATE, 0));
	if (dir == ESPAH_DIR_OUT && tb[ESPAH_A_SA_OSEQ]) {
		uint64_t oseq = mnl_attr_get_u64(tb[ESPAH_A_SA_OSEQ]);

		fprintf(out, " replay-oseq %u", (uint32_t)oseq);
		if (oseq >> 32)
			fprintf(out, " replay-oseq-hi %u", (uint32_t)(oseq >> 32));
	}
	if (dir == ESPAH_DIR_IN && tb[ESPAH_A_SA_SEQ]) {
		uint64_t seq = mnl_attr_get_u64(tb[ESPAH_A_SA_SEQ]);

		fprintf(out, " replay-seq %u", (uint32_t)seq);
		if (seq >> 32)
			fprintf(out, " replay-seq-hi %u", (uint32_t)(seq >> 32));
	}
	if (tb[ESPAH_A_SA_SEL]) {
		fprintf(out, " sel ");
		save_sel(tb[ESPAH_A_SA_SEL], fam);
	}
	if (tb[ESPAH_A_SA_ENCAP])
		save_encap(tb[ESPAH_A_SA_ENCAP], fam);
	if (tb[ESPAH_A_SA_LIFETIME]) {
		attrs_parse_nest(tb[ESPAH_A_SA_LIFETIME], lft_attrs, ESPAH_LFT_MAX, lt);
		for (i = 1; i <= ESPAH_LFT_SEQ_SOFT; i++)
			if (lt[i] && lft_attrs[i].name)
				fprintf(out, " limit %s %" PRIu64, lft_attrs[i].name,
					mnl_attr_get_u64(lt[i]));
	}
	icv = u32_or(tb, ESPAH_A_SA_ICV_BITS, 0);
	if (tb[ESPAH_A_SA_AEAD]) {
		fprintf(out, " aead ");
		save_word(mnl_attr_get_str(tb[ESPAH_A_SA_AEAD]));
		save_key(tb[ESPAH_A_SA_ENC_KEY]);
		fprintf(out, " %u", icv);
	}
	if (tb[ESPAH_A_SA_ENC]) {
		fprintf(out, " enc ");
		save_word(mnl_attr_get_str(tb[ESPAH_A_SA_ENC]));
		save_key(tb[ESPAH_A_SA_ENC_KEY]);
	}
	if (tb[ESPAH_A_SA_AUTH]) {
		fprintf(out, tb[ESPAH_A_SA_ICV_BITS] ? " auth-trunc " : " auth ");
		save_word(mnl_attr_get_str(tb[ESPAH_A_SA_AUTH]));
		save_key(tb[ESPAH_A_SA_AUTH_KEY]);
		if (tb[ESPAH_A_SA_ICV_BITS])
			fprintf(out, " %u", icv);
	}
	fputc('\n', out);
	if (!tb[ESPAH_A_SA_ENC_KEY] && !tb[ESPAH_A_SA_AUTH_KEY])
		keyless++;
	return MNL_CB_OK;
}

static void save_tmpl(const struct nlattr *nest)
{
	const struct nlattr *t[ESPAH_TMPL_MAX + 1];
	uint16_t fam;
	char buf[64];

	attrs_parse_nest(nest, tmpl_attrs, ESPAH_TMPL_MAX, t);
	fam = t[ESPAH_TMPL_FAMILY] ? mnl_attr_get_u16(t[ESPAH_TMPL_FAMILY]) : 0;
	fprintf(out, " tmpl");
	if (t[ESPAH_TMPL_SRC]) {
		save_addr(t[ESPAH_TMPL_SRC], fam, buf, sizeof(buf));
		fprintf(out, " src %s", buf);
	}
	if (t[ESPAH_TMPL_DST]) {
		save_addr(t[ESPAH_TMPL_DST], fam, buf, sizeof(buf));
		fprintf(out, " dst %s", buf);
	}
	fprintf(out, " proto %s", ipsec_proto_name(t[ESPAH_TMPL_PROTO] ?
						   mnl_attr_get_u8(t[ESPAH_TMPL_PROTO]) : 0));
	if (t[ESPAH_TMPL_SPI] && mnl_attr_get_u32(t[ESPAH_TMPL_SPI]))
		fprintf(out, " spi 0x%08x", ntohl(mnl_attr_get_u32(t[ESPAH_TMPL_SPI])));
	if (t[ESPAH_TMPL_REQID])
		fprintf(out, " reqid %u", mnl_attr_get_u32(t[ESPAH_TMPL_REQID]));
	fprintf(out, " mode %s", t[ESPAH_TMPL_MODE] ?
		mode_name(mnl_attr_get_u8(t[ESPAH_TMPL_MODE])) : "transport");
	if (t[ESPAH_TMPL_OPTIONAL])
		fprintf(out, " level use");
}

static int save_pol_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const struct nlattr *na;
	uint8_t act;

	(void)data;
	attrs_parse_msg(nlh, tb);
	act = tb[ESPAH_A_POL_ACTION] ? mnl_attr_get_u8(tb[ESPAH_A_POL_ACTION]) : 0;
	if (tb[ESPAH_A_POL_ORIGIN] &&
	    mnl_attr_get_u8(tb[ESPAH_A_POL_ORIGIN]) == ESPAH_POL_ORIGIN_XFRM) {
		/* native XFRM's, like its SAs; "policy flush" leaves it */
		fprintf(out, "# not saved: policy index %u, carried for native XFRM\n",
			u32_or(tb, ESPAH_A_POL_INDEX, 0));
		return MNL_CB_OK;
	}
	fprintf(out, "policy add ");
	save_sel(tb[ESPAH_A_POL_SEL], AF_INET);
	fprintf(out, " dir %s priority %u action %s",
		tb[ESPAH_A_POL_DIR] ? dir_name(mnl_attr_get_u8(tb[ESPAH_A_POL_DIR])) : "?",
		u32_or(tb, ESPAH_A_POL_PRIORITY, 0),
		act == ESPAH_ACTION_DISCARD ? "block" : "allow");
	if (tb[ESPAH_A_POL_HOLD] && mnl_attr_get_u32(tb[ESPAH_A_POL_HOLD]))
		fprintf(out, " hold %u", mnl_attr_get_u32(tb[ESPAH_A_POL_HOLD]));
	if (u32_or(tb, ESPAH_A_POL_FLAGS, 0) & ESPAH_POL_FLAG_ICMP)
		fprintf(out, " flag icmp");
	if (u32_or(tb, ESPAH_A_POL_FLAGS, 0) & ESPAH_POL_FLAG_LOCALOK)
		fprintf(out, " flag localok");
	if (tb[ESPAH_A_POL_MARK])
		fprintf(out, " mark 0x%x/0x%x", mnl_attr_get_u32(tb[ESPAH_A_POL_MARK]),
			u32_or(tb, ESPAH_A_POL_MARK_MASK, 0xffffffff));
	if (tb[ESPAH_A_POL_IF_ID])
		fprintf(out, " if_id %u", mnl_attr_get_u32(tb[ESPAH_A_POL_IF_ID]));
	mnl_attr_for_each(na, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(na) == ESPAH_A_POL_TMPL)
			save_tmpl(na);
	fputc('\n', out);
	return MNL_CB_OK;
}

static void sa_header(void *data)
{
	(void)data;
	fprintf(out, "# SAs (keys: %s, to be filled in)\n", KEY_PLACEHOLDER);
}

static void sa_header_keys(void *data)
{
	(void)data;
	fprintf(out, "# SAs, with their keys: keep this file private\n");
}

static void pol_header(void *data)
{
	(void)data;
	fprintf(out, "# policies\npolicy flush\n");
}

void save_print(enum save_what what, bool keys)
{
	struct req r;

	if (what == SAVE_IDS) {
		req_init(&r, ESPAH_CMD_SA_GET, 0);
		nl_dump(&r, save_id_cb, NULL, NULL, NULL);
	}
	if (what == SAVE_ALL || what == SAVE_SAS) {
		req_init(&r, ESPAH_CMD_SA_GET, 0);
		if (keys)
			req_put(&r, ESPAH_A_SA_KEYS, 0, NULL);
		keyless = 0;
		nl_dump(&r, save_sa_cb, NULL, keys ? sa_header_keys : sa_header, NULL);
		if (keys && keyless)
			fprintf(out, "# %u SAs kept no keys (added while key_export was off): %s\n",
				keyless, KEY_PLACEHOLDER);
	}
	if (what == SAVE_ALL || what == SAVE_POLICIES) {
		req_init(&r, ESPAH_CMD_POL_GET, 0);
		nl_dump(&r, save_pol_cb, NULL, pol_header, NULL);
	}
	fflush(stdout);
}

int do_save(struct args *a)
{
	enum save_what what = SAVE_ALL;
	bool keys = false;

	while (a->argc > 0) {
		const char *w = next_arg(a, "object");

		if (!strcmp(w, "help")) {
			usage_save(stdout);
			return 0;
		}
		if (!strcmp(w, "keys") && !keys)
			keys = true;
		else if (what == SAVE_ALL && (matches(w, "state") || !strcmp(w, "sa")))
			what = SAVE_SAS;
		else if (what == SAVE_ALL && matches(w, "policy"))
			what = SAVE_POLICIES;
		else
			syntax("save: unknown word \"%s\" (expected state, policy or keys)", w);
	}
	if (opt.json)
		syntax("save: prints a batch file, not JSON");
	if (keys && what == SAVE_POLICIES)
		syntax("save: \"keys\" is for SAs, not policies");
	save_print(what, keys);
	return 0;
}
