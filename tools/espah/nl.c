// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: generic netlink plumbing. Family resolution, requests with
 * ACK and extended ACK, dumps with NLM_F_DUMP_INTR retries, multicast
 * subscription, and the dry-run printer that shows a request instead of
 * sending it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "espah.h"

#define RX_BUF_SIZE (1 << 16)	/* the kernel sends dump skbs of up to 32 KiB */
#define DUMP_TRIES 4

/* ---------------------------------------------------------------------- */
/* attribute descriptions                                                  */

const struct adesc sel_attrs[ESPAH_SEL_MAX + 1] = {
	[ESPAH_SEL_FAMILY] = { "SEL_FAMILY", AT_U16 },
	[ESPAH_SEL_SRC] = { "SEL_SRC", AT_ADDR },
	[ESPAH_SEL_DST] = { "SEL_DST", AT_ADDR },
	[ESPAH_SEL_SPLEN] = { "SEL_SPLEN", AT_U8 },
	[ESPAH_SEL_DPLEN] = { "SEL_DPLEN", AT_U8 },
	[ESPAH_SEL_PROTO] = { "SEL_PROTO", AT_U8 },
	[ESPAH_SEL_SPORT] = { "SEL_SPORT", AT_BE16 },
	[ESPAH_SEL_SPORT_MAX] = { "SEL_SPORT_MAX", AT_BE16 },
	[ESPAH_SEL_DPORT] = { "SEL_DPORT", AT_BE16 },
	[ESPAH_SEL_DPORT_MAX] = { "SEL_DPORT_MAX", AT_BE16 },
};

const struct adesc tmpl_attrs[ESPAH_TMPL_MAX + 1] = {
	[ESPAH_TMPL_PROTO] = { "TMPL_PROTO", AT_U8 },
	[ESPAH_TMPL_MODE] = { "TMPL_MODE", AT_U8 },
	[ESPAH_TMPL_FAMILY] = { "TMPL_FAMILY", AT_U16 },
	[ESPAH_TMPL_SRC] = { "TMPL_SRC", AT_ADDR },
	[ESPAH_TMPL_DST] = { "TMPL_DST", AT_ADDR },
	[ESPAH_TMPL_REQID] = { "TMPL_REQID", AT_U32 },
	[ESPAH_TMPL_SPI] = { "TMPL_SPI", AT_BE32 },
};

const struct adesc sa_stat_attrs[ESPAH_SA_STAT_MAX + 1] = {
	[ESPAH_SA_STAT_PACKETS] = { "packets", AT_U64 },
	[ESPAH_SA_STAT_BYTES] = { "bytes", AT_U64 },
	[ESPAH_SA_STAT_REPLAY] = { "replay", AT_U64 },
	[ESPAH_SA_STAT_OLD] = { "old", AT_U64 },
	[ESPAH_SA_STAT_ICV_FAIL] = { "icv-fail", AT_U64 },
	[ESPAH_SA_STAT_PAD_ERR] = { "pad-err", AT_U64 },
	[ESPAH_SA_STAT_SEL_MISMATCH] = { "sel-mismatch", AT_U64 },
	[ESPAH_SA_STAT_SEQ_OVERFLOW] = { "seq-overflow", AT_U64 },
	[ESPAH_SA_STAT_MALFORMED] = { "malformed", AT_U64 },
	[ESPAH_SA_STAT_NOMEM] = { "nomem", AT_U64 },
	[ESPAH_SA_STAT_EXPIRED] = { "expired", AT_U64 },
	[ESPAH_SA_STAT_DUMMY] = { "dummy", AT_U64 },
	[ESPAH_SA_STAT_TMPL_MISMATCH] = { "tmpl-mismatch", AT_U64 },
};

const struct adesc lft_attrs[ESPAH_LFT_MAX + 1] = {
	[ESPAH_LFT_SOFT_BYTES] = { "byte-soft", AT_U64 },
	[ESPAH_LFT_HARD_BYTES] = { "byte-hard", AT_U64 },
	[ESPAH_LFT_SOFT_PACKETS] = { "packet-soft", AT_U64 },
	[ESPAH_LFT_HARD_PACKETS] = { "packet-hard", AT_U64 },
	[ESPAH_LFT_SOFT_ADD_SECS] = { "time-soft", AT_U64 },
	[ESPAH_LFT_HARD_ADD_SECS] = { "time-hard", AT_U64 },
	[ESPAH_LFT_SOFT_USE_SECS] = { "time-use-soft", AT_U64 },
	[ESPAH_LFT_HARD_USE_SECS] = { "time-use-hard", AT_U64 },
	[ESPAH_LFT_SEQ_SOFT] = { "seq-soft", AT_U64 },
	[ESPAH_LFT_ADD_TIME] = { "add-time", AT_U64 },
	[ESPAH_LFT_USE_TIME] = { "use-time", AT_U64 },
	[ESPAH_LFT_PAD] = { "LFT_PAD", AT_NONE },
};

const struct adesc reorder_attrs[ESPAH_REORDER_ATTR_MAX + 1] = {
	[ESPAH_REORDER_MAX] = { "REORDER_MAX", AT_U64 },
	[ESPAH_REORDER_BUCKET] = { "REORDER_BUCKET", AT_U64 },
	[ESPAH_REORDER_PAD] = { "REORDER_PAD", AT_NONE },
};

const struct adesc stat_attrs[ESPAH_STAT_MAX + 1] = {
	[ESPAH_STAT_IN_NO_SA] = { "in-no-sa", AT_U64 },
	[ESPAH_STAT_IN_MALFORMED] = { "in-malformed", AT_U64 },
	[ESPAH_STAT_IN_POLICY_DROP] = { "in-policy-drop", AT_U64 },
	[ESPAH_STAT_OUT_NO_SA] = { "out-no-sa", AT_U64 },
	[ESPAH_STAT_POLICY_DISCARD] = { "policy-discard", AT_U64 },
	[ESPAH_STAT_IN_PACKETS] = { "in-packets", AT_U64 },
	[ESPAH_STAT_OUT_PACKETS] = { "out-packets", AT_U64 },
	[ESPAH_STAT_OUT_ERROR] = { "out-error", AT_U64 },
	[ESPAH_STAT_CRYPTO_ASYNC] = { "crypto-async", AT_U64 },
	[ESPAH_STAT_IN_AH_FRAG] = { "in-ah-frag", AT_U64 },
	[ESPAH_STAT_IN_EXPIRED] = { "in-expired", AT_U64 },
	[ESPAH_STAT_OUT_EXPIRED] = { "out-expired", AT_U64 },
	[ESPAH_STAT_ACQUIRE] = { "acquire", AT_U64 },
	[ESPAH_STAT_ACQUIRE_SUPPRESSED] = { "acquire-suppressed", AT_U64 },
	[ESPAH_STAT_SOFT_EXPIRE] = { "soft-expire", AT_U64 },
	[ESPAH_STAT_HARD_EXPIRE] = { "hard-expire", AT_U64 },
	[ESPAH_STAT_IN_STATE_PROTO_ERROR] = { "in-state-proto-error", AT_U64 },
	[ESPAH_STAT_IN_STATE_SEQ_ERROR] = { "in-state-seq-error", AT_U64 },
	[ESPAH_STAT_IN_STATE_MISMATCH] = { "in-state-mismatch", AT_U64 },
	[ESPAH_STAT_IN_BUFFER_ERROR] = { "in-buffer-error", AT_U64 },
	[ESPAH_STAT_OUT_STATE_SEQ_ERROR] = { "out-state-seq-error", AT_U64 },
	[ESPAH_STAT_HOLD_QUEUED] = { "hold-queued", AT_U64 },
	[ESPAH_STAT_HOLD_RELEASED] = { "hold-released", AT_U64 },
	[ESPAH_STAT_HOLD_FULL] = { "hold-full", AT_U64 },
	[ESPAH_STAT_HOLD_TIMEOUT] = { "hold-timeout", AT_U64 },
	[ESPAH_STAT_HOLD_FLUSHED] = { "hold-flushed", AT_U64 },
	[ESPAH_STAT_MSS_CLAMPED] = { "mss-clamped", AT_U64 },
	[ESPAH_STAT_OUT_STATE_INVALID] = { "out-state-invalid", AT_U64 },
	[ESPAH_STAT_OUT_TOO_BIG] = { "out-too-big", AT_U64 },
	[ESPAH_STAT_IN_DUMMY] = { "in-dummy", AT_U64 },
	[ESPAH_STAT_IN_FLOW_ERROR] = { "in-flow-error", AT_U64 },
	[ESPAH_STAT_OUT_FLOW_ERROR] = { "out-flow-error", AT_U64 },
};

const struct adesc alg_attrs[ESPAH_ALG_MAX + 1] = {
	[ESPAH_ALG_NAME] = { "ALG_NAME", AT_STR },
	[ESPAH_ALG_KIND] = { "ALG_KIND", AT_U8 },
	[ESPAH_ALG_KEY_BITS] = { "ALG_KEY_BITS", AT_U32 },
	[ESPAH_ALG_ICV_BITS] = { "ALG_ICV_BITS", AT_U32 },
};

const struct adesc top_attrs[ESPAH_A_MAX + 1] = {
	[ESPAH_A_SA_SPI] = { "SA_SPI", AT_BE32 },
	[ESPAH_A_SA_PROTO] = { "SA_PROTO", AT_U8 },
	[ESPAH_A_SA_MODE] = { "SA_MODE", AT_U8 },
	[ESPAH_A_SA_DIR] = { "SA_DIR", AT_U8 },
	[ESPAH_A_SA_FAMILY] = { "SA_FAMILY", AT_U16 },
	[ESPAH_A_SA_SRC] = { "SA_SRC", AT_ADDR },
	[ESPAH_A_SA_DST] = { "SA_DST", AT_ADDR },
	[ESPAH_A_SA_SEL] = { "SA_SEL", AT_NEST, sel_attrs, ESPAH_SEL_MAX },
	[ESPAH_A_SA_AEAD] = { "SA_AEAD", AT_STR },
	[ESPAH_A_SA_ENC] = { "SA_ENC", AT_STR },
	[ESPAH_A_SA_AUTH] = { "SA_AUTH", AT_STR },
	[ESPAH_A_SA_ENC_KEY] = { "SA_ENC_KEY", AT_KEY },
	[ESPAH_A_SA_AUTH_KEY] = { "SA_AUTH_KEY", AT_KEY },
	[ESPAH_A_SA_ICV_BITS] = { "SA_ICV_BITS", AT_U32 },
	[ESPAH_A_SA_REPLAY_WINDOW] = { "SA_REPLAY_WINDOW", AT_U32 },
	[ESPAH_A_SA_FLAGS] = { "SA_FLAGS", AT_U32 },
	[ESPAH_A_SA_REQID] = { "SA_REQID", AT_U32 },
	[ESPAH_A_SA_SEQ] = { "SA_SEQ", AT_U64 },
	[ESPAH_A_SA_OSEQ] = { "SA_OSEQ", AT_U64 },
	[ESPAH_A_SA_STATS] = { "SA_STATS", AT_NEST, sa_stat_attrs, ESPAH_SA_STAT_MAX },
	[ESPAH_A_SA_PAD] = { "SA_PAD", AT_NONE },
	[ESPAH_A_POL_DIR] = { "POL_DIR", AT_U8 },
	[ESPAH_A_POL_SEL] = { "POL_SEL", AT_NEST, sel_attrs, ESPAH_SEL_MAX },
	[ESPAH_A_POL_ACTION] = { "POL_ACTION", AT_U8 },
	[ESPAH_A_POL_PRIORITY] = { "POL_PRIORITY", AT_U32 },
	[ESPAH_A_POL_TMPL] = { "POL_TMPL", AT_NEST, tmpl_attrs, ESPAH_TMPL_MAX },
	[ESPAH_A_POL_INDEX] = { "POL_INDEX", AT_U32 },
	[ESPAH_A_COUNT] = { "COUNT", AT_U32 },
	[ESPAH_A_STATS] = { "STATS", AT_NEST, stat_attrs, ESPAH_STAT_MAX },
	[ESPAH_A_VERSION] = { "VERSION", AT_STR },
	[ESPAH_A_ALG] = { "ALG", AT_NEST, alg_attrs, ESPAH_ALG_MAX },
	[ESPAH_A_WINDOW_MAX] = { "WINDOW_MAX", AT_U32 },
	[ESPAH_A_SA_LIFETIME] = { "SA_LIFETIME", AT_NEST, lft_attrs, ESPAH_LFT_MAX },
	[ESPAH_A_SA_EXPIRE_HARD] = { "SA_EXPIRE_HARD", AT_U8 },
	[ESPAH_A_SA_EXPIRE_REASON] = { "SA_EXPIRE_REASON", AT_U8 },
	[ESPAH_A_SA_REORDER] = { "SA_REORDER", AT_NEST, reorder_attrs, ESPAH_REORDER_ATTR_MAX },
	[ESPAH_A_POL_HOLD] = { "POL_HOLD", AT_U32 },
	[ESPAH_A_FEATURES] = { "FEATURES", AT_U32 },
	[ESPAH_A_HOLD_MAX] = { "HOLD_MAX", AT_U32 },
};

static const char *const cmd_names[ESPAH_CMD_MAX + 1] = {
	[ESPAH_CMD_SA_ADD] = "SA_ADD",
	[ESPAH_CMD_SA_UPDATE] = "SA_UPDATE",
	[ESPAH_CMD_SA_DEL] = "SA_DEL",
	[ESPAH_CMD_SA_GET] = "SA_GET",
	[ESPAH_CMD_SA_FLUSH] = "SA_FLUSH",
	[ESPAH_CMD_SA_COUNT] = "SA_COUNT",
	[ESPAH_CMD_POL_ADD] = "POL_ADD",
	[ESPAH_CMD_POL_UPDATE] = "POL_UPDATE",
	[ESPAH_CMD_POL_DEL] = "POL_DEL",
	[ESPAH_CMD_POL_GET] = "POL_GET",
	[ESPAH_CMD_POL_FLUSH] = "POL_FLUSH",
	[ESPAH_CMD_STATS_GET] = "STATS_GET",
	[ESPAH_CMD_FEATURES_GET] = "FEATURES_GET",
	[ESPAH_CMD_SA_EXPIRE] = "SA_EXPIRE",
	[ESPAH_CMD_ACQUIRE] = "ACQUIRE",
};

const char *cmd_name(unsigned int cmd)
{
	if (cmd <= ESPAH_CMD_MAX && cmd_names[cmd])
		return cmd_names[cmd];
	return "UNKNOWN";
}

static bool attr_len_ok(const struct nlattr *na, enum atype t)
{
	uint16_t len = mnl_attr_get_payload_len(na);
	const char *p = mnl_attr_get_payload(na);

	switch (t) {
	case AT_U8:
		return len == 1;
	case AT_U16:
	case AT_BE16:
		return len == 2;
	case AT_U32:
	case AT_BE32:
		return len == 4;
	case AT_U64:
		return len == 8;
	case AT_STR:
		return len >= 1 && p[len - 1] == '\0';
	case AT_ADDR:
		return len == 4 || len == 16;
	default:
		return true;
	}
}

void attrs_parse(const void *payload, size_t len, const struct adesc *desc,
		 unsigned int max, const struct nlattr **tb)
{
	const struct nlattr *na;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	for_each_attr(na, payload, len) {
		unsigned int t = mnl_attr_get_type(na);

		if (t > max || desc[t].type == AT_NONE)
			continue;
		if (!attr_len_ok(na, desc[t].type)) {
			warnx("warning: ignoring malformed attribute %s (length %u)",
			      desc[t].name, mnl_attr_get_payload_len(na));
			continue;
		}
		tb[t] = na;
	}
}

void attrs_parse_nest(const struct nlattr *nest, const struct adesc *desc,
		      unsigned int max, const struct nlattr **tb)
{
	attrs_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
		    desc, max, tb);
}

void attrs_parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	attrs_parse(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
		    top_attrs, ESPAH_A_MAX, tb);
}

uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd;
}

/* Stable text form of attributes: one per line, nests indented. */
void attrs_print(FILE *f, const void *payload, size_t len,
		 const struct adesc *desc, unsigned int max, int indent)
{
	const struct nlattr *na;
	char buf[64];

	for_each_attr(na, payload, len) {
		unsigned int t = mnl_attr_get_type(na);
		uint16_t plen = mnl_attr_get_payload_len(na);
		const uint8_t *p = mnl_attr_get_payload(na);
		const struct adesc *d;
		uint16_t i;

		if (t > max || !desc[t].name) {
			fprintf(f, "%*sATTR_%u len %u\n", indent, "", t, plen);
			continue;
		}
		d = &desc[t];
		fprintf(f, "%*s%s", indent, "", d->name);
		if (!attr_len_ok(na, d->type)) {
			fprintf(f, " <malformed, len %u>\n", plen);
			continue;
		}
		switch (d->type) {
		case AT_U8:
			fprintf(f, " %u", mnl_attr_get_u8(na));
			break;
		case AT_U16:
			fprintf(f, " %u", mnl_attr_get_u16(na));
			break;
		case AT_U32:
			fprintf(f, " %u", mnl_attr_get_u32(na));
			break;
		case AT_U64:
			fprintf(f, " %" PRIu64, mnl_attr_get_u64(na));
			break;
		case AT_BE16:
			fprintf(f, " %u", ntohs(mnl_attr_get_u16(na)));
			break;
		case AT_BE32:
			fprintf(f, " 0x%08x", ntohl(mnl_attr_get_u32(na)));
			break;
		case AT_STR:
			fprintf(f, " %s", mnl_attr_get_str(na));
			break;
		case AT_ADDR:
			fprintf(f, " %s", addr_ntop(0, p, plen, buf, sizeof(buf)));
			break;
		case AT_KEY:
		case AT_BIN:
			fprintf(f, " 0x");
			for (i = 0; i < plen; i++)
				fprintf(f, "%02x", p[i]);
			fprintf(f, " (%u bytes)", plen);
			break;
		case AT_NEST:
			fputc('\n', f);
			attrs_print(f, p, plen, d->nest, d->nest_max, indent + 2);
			continue;
		case AT_NONE:
			break;
		}
		fputc('\n', f);
	}
}

/* ---------------------------------------------------------------------- */
/* building requests                                                       */

void req_init(struct req *r, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(r->buf, 0, sizeof(r->buf));
	r->cmd = cmd;
	r->nlh = mnl_nlmsg_put_header(r->buf);
	r->nlh->nlmsg_type = 0;	/* the family id, filled in when sending */
	r->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(r->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ESPAH_GENL_VERSION;
}

static void __attribute__((noreturn)) req_full(uint16_t type)
{
	die("request too large: attribute type %u does not fit in %d bytes",
	    type, REQ_BUF_SIZE);
}

void req_put(struct req *r, uint16_t type, size_t len, const void *data)
{
	if (!mnl_attr_put_check(r->nlh, sizeof(r->buf), type, len, data))
		req_full(type);
}

void req_put_u8(struct req *r, uint16_t type, uint8_t v)
{
	req_put(r, type, sizeof(v), &v);
}

void req_put_u16(struct req *r, uint16_t type, uint16_t v)
{
	req_put(r, type, sizeof(v), &v);
}

void req_put_u32(struct req *r, uint16_t type, uint32_t v)
{
	req_put(r, type, sizeof(v), &v);
}

void req_put_u64(struct req *r, uint16_t type, uint64_t v)
{
	req_put(r, type, sizeof(v), &v);
}

void req_put_strz(struct req *r, uint16_t type, const char *s)
{
	req_put(r, type, strlen(s) + 1, s);
}

struct nlattr *req_nest_start(struct req *r, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start_check(r->nlh, sizeof(r->buf), type);

	if (!nest)
		req_full(type);
	return nest;
}

void req_put_addr(struct req *r, uint16_t type, const struct addr *a)
{
	req_put(r, type, a->len, a->bytes);
}

static void dry_run_print(const struct req *r)
{
	const struct nlmsghdr *nlh = r->nlh;

	printf("cmd %s flags request%s%s\n", cmd_name(r->cmd),
	       nlh->nlmsg_flags & NLM_F_ACK ? ",ack" : "",
	       nlh->nlmsg_flags & NLM_F_DUMP ? ",dump" : "");
	attrs_print(stdout, mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
		    top_attrs, ESPAH_A_MAX, 2);
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* socket                                                                  */

struct nlsock {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t grp[3];	/* sa, policy, acquire; 0 = absent */
};

static struct nlsock sock;
static char rxbuf[RX_BUF_SIZE];

static const char *const grp_names[3] = {
	ESPAH_MCGRP_SA, ESPAH_MCGRP_POLICY, ESPAH_MCGRP_ACQUIRE,
};

struct rx {
	msg_cb_t cb;
	void *data;
	const struct req *req;	/* to name the attribute of an OFFS */
	bool intr;
	bool done;
	int err;		/* positive errno from the kernel, or 0 */
	char msg[512];		/* extack message */
	char bad_attr[64];	/* attribute named by NLMSGERR_ATTR_OFFS */
	char missing[64];	/* attribute named by NLMSGERR_ATTR_MISS_TYPE */
};

/* Name the attribute at byte offset @off of the request, if we can. */
static bool find_attr_at(const void *payload, size_t len, size_t base, size_t off,
			 const struct adesc *desc, unsigned int max, char *out_name,
			 size_t out_len)
{
	const struct nlattr *na;

	for_each_attr(na, payload, len) {
		unsigned int t = mnl_attr_get_type(na);
		size_t at = base + ((const char *)na - (const char *)payload);
		const char *name = t <= max ? desc[t].name : NULL;

		if (at == off) {
			if (name)
				snprintf(out_name, out_len, "%s", name);
			else
				snprintf(out_name, out_len, "attribute %u", t);
			return true;
		}
		if (name && desc[t].type == AT_NEST && off > at &&
		    off < at + na->nla_len)
			return find_attr_at(mnl_attr_get_payload(na),
					    mnl_attr_get_payload_len(na),
					    at + MNL_ATTR_HDRLEN, off, desc[t].nest,
					    desc[t].nest_max, out_name, out_len);
	}
	return false;
}

static void parse_ext_ack(const struct nlmsghdr *nlh, const void *tlvs, size_t len,
			  struct rx *rx)
{
	const struct nlattr *na;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	for_each_attr(na, tlvs, len) {
		switch (mnl_attr_get_type(na)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(na, MNL_TYPE_NUL_STRING) == 0) {
				const char *m = mnl_attr_get_str(na);

				/* NL_SET_ERR_MSG_MOD() prefixes the module name */
				if (!strncmp(m, ESPAH_GENL_NAME ": ", strlen(ESPAH_GENL_NAME) + 2))
					m += strlen(ESPAH_GENL_NAME) + 2;
				snprintf(rx->msg, sizeof(rx->msg), "%s", m);
			}
			break;
		case NLMSGERR_ATTR_OFFS:
			if (rx->req && mnl_attr_get_payload_len(na) == 4) {
				size_t off = mnl_attr_get_u32(na);
				size_t base = NLMSG_HDRLEN + GENL_HDRLEN;
				const struct nlmsghdr *q = rx->req->nlh;

				find_attr_at(mnl_nlmsg_get_payload_offset(q, GENL_HDRLEN),
					     mnl_nlmsg_get_payload_len(q) - GENL_HDRLEN,
					     base, off, top_attrs, ESPAH_A_MAX,
					     rx->bad_attr, sizeof(rx->bad_attr));
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_get_payload_len(na) == 4) {
				unsigned int t = mnl_attr_get_u32(na);

				/* the nest is not reported unless MISS_NEST; guess top */
				if (t <= ESPAH_A_MAX && top_attrs[t].name)
					snprintf(rx->missing, sizeof(rx->missing), "%s",
						 top_attrs[t].name);
				else
					snprintf(rx->missing, sizeof(rx->missing),
						 "attribute %u", t);
			}
			break;
		}
	}
}

static void handle_err(const struct nlmsghdr *nlh, struct rx *rx)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t hlen = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		rx->err = EBADMSG;
		return;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - sizeof(e->msg);
	if (hlen <= mnl_nlmsg_get_payload_len(nlh))
		parse_ext_ack(nlh, (const char *)e + hlen,
			      mnl_nlmsg_get_payload_len(nlh) - hlen, rx);
	rx->err = -e->error;
}

static void handle_done(const struct nlmsghdr *nlh, struct rx *rx)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(int));
		parse_ext_ack(nlh, (const char *)mnl_nlmsg_get_payload(nlh) + sizeof(int),
			      mnl_nlmsg_get_payload_len(nlh) - sizeof(int), rx);
	}
	rx->err = err < 0 ? -err : 0;
}

/* Process one datagram; returns with rx->done set after ACK/DONE/error. */
static void rx_process(const char *buf, ssize_t n, unsigned int seq, struct rx *rx)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (seq && (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != sock.portid))
			continue;	/* stale answer to an abandoned request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rx->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			continue;
		case NLMSG_ERROR:
			handle_err(nlh, rx);
			rx->done = true;
			return;
		case NLMSG_DONE:
			handle_done(nlh, rx);
			rx->done = true;
			return;
		}
		if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
			continue;
		if (rx->cb && rx->cb(nlh, rx->data) < 0) {
			rx->done = true;
			return;
		}
	}
}

static void rx_report(const struct rx *rx)
{
	const char *errs = strerror(rx->err);

	if (rx->msg[0] && rx->bad_attr[0])
		warnx("%s: %s (attribute %s)", errs, rx->msg, rx->bad_attr);
	else if (rx->msg[0])
		warnx("%s: %s", errs, rx->msg);
	else if (rx->bad_attr[0])
		warnx("%s (attribute %s)", errs, rx->bad_attr);
	else if (rx->missing[0])
		warnx("%s (missing attribute %s)", errs, rx->missing);
	else
		warnx("%s", errs);
}

static void rx_run(struct rx *rx, unsigned int seq)
{
	while (!rx->done) {
		ssize_t n = mnl_socket_recvfrom(sock.nl, rxbuf, sizeof(rxbuf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("netlink receive: %s", strerror(errno));
		}
		rx_process(rxbuf, n, seq, rx);
	}
}

static void send_req(struct req *r)
{
	r->nlh->nlmsg_type = sock.family;
	r->nlh->nlmsg_seq = ++sock.seq;
	if (mnl_socket_sendto(sock.nl, r->nlh, r->nlh->nlmsg_len) < 0)
		die("netlink send: %s", strerror(errno));
}

/* CTRL_CMD_GETFAMILY reply: family id and multicast group ids. */
static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *na, *grp;

	(void)data;
	mnl_attr_for_each(na, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(na)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_get_payload_len(na) == 2)
				sock.family = mnl_attr_get_u16(na);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, na) {
				const struct nlattr *g;
				const char *name = NULL;
				uint32_t id = 0;
				size_t i;

				mnl_attr_for_each_nested(g, grp) {
					if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_NAME &&
					    mnl_attr_validate(g, MNL_TYPE_NUL_STRING) == 0)
						name = mnl_attr_get_str(g);
					if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_ID &&
					    mnl_attr_get_payload_len(g) == 4)
						id = mnl_attr_get_u32(g);
				}
				for (i = 0; name && i < ARRAY_SIZE(grp_names); i++)
					if (!strcmp(name, grp_names[i]))
						sock.grp[i] = id;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

static void resolve_family(void)
{
	struct req r;
	struct rx rx = { .cb = family_cb };
	struct genlmsghdr *g;

	memset(r.buf, 0, sizeof(r.buf));
	r.nlh = mnl_nlmsg_put_header(r.buf);
	r.nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(r.nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(r.nlh, CTRL_ATTR_FAMILY_NAME, ESPAH_GENL_NAME);
	sock.family = GENL_ID_CTRL;
	send_req(&r);
	sock.family = 0;
	rx_run(&rx, sock.seq);
	if (rx.err == ENOENT || (!rx.err && !sock.family)) {
		warnx("module not loaded (generic netlink family '%s' not found)",
		      ESPAH_GENL_NAME);
		exit(1);
	}
	if (rx.err) {
		rx_report(&rx);
		exit(1);
	}
}

static void sock_open(bool need_family)
{
	int one = 1;

	if (sock.nl)
		return;
	sock.nl = mnl_socket_open(NETLINK_GENERIC);
	if (!sock.nl)
		die("netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(sock.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind: %s", strerror(errno));
	sock.portid = mnl_socket_get_portid(sock.nl);
	sock.seq = time(NULL);
	/* extack messages; CAP_ACK so the kernel does not echo our keys back */
	mnl_socket_setsockopt(sock.nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock.nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (need_family)
		resolve_family();
}

/* ---------------------------------------------------------------------- */
/* the three ways of talking                                               */

void nl_transact(struct req *r, msg_cb_t cb, void *data)
{
	struct rx rx = { .cb = cb, .data = data, .req = r };

	r->nlh->nlmsg_flags |= NLM_F_ACK;
	if (opt.dry_run) {
		dry_run_print(r);
		return;
	}
	sock_open(true);
	send_req(r);
	rx_run(&rx, sock.seq);
	if (rx.err) {
		rx_report(&rx);
		exit(1);
	}
	if (rx.msg[0])
		warnx("warning: %s", rx.msg);
}

void nl_dump(struct req *r, msg_cb_t cb, void *data,
	     void (*begin)(void *data), void (*end)(void *data))
{
	int try;

	r->nlh->nlmsg_flags |= NLM_F_DUMP;
	if (opt.dry_run) {
		dry_run_print(r);
		return;
	}
	sock_open(true);
	for (try = 1; try <= DUMP_TRIES; try++) {
		struct rx rx = { .cb = cb, .data = data, .req = r };
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (!mem)
			die("open_memstream: %s", strerror(errno));
		out = mem;
		if (begin)
			begin(data);
		send_req(r);
		rx_run(&rx, sock.seq);
		if (end)
			end(data);
		out = stdout;
		if (fclose(mem))
			die("output buffer: %s", strerror(errno));
		if (rx.err) {
			free(buf);
			rx_report(&rx);
			exit(1);
		}
		if (!rx.intr || try == DUMP_TRIES) {
			if (rx.intr)
				warnx("warning: dump interrupted %d times by concurrent changes, output may be inconsistent",
				      DUMP_TRIES);
			fwrite(buf, 1, len, stdout);
			free(buf);
			return;
		}
		free(buf);
	}
}

void nl_monitor(msg_cb_t cb, void *data)
{
	struct rx rx = { .cb = cb, .data = data };
	int bufsz = 4 << 20;
	size_t i;

	if (opt.dry_run) {
		printf("monitor groups %s,%s,%s\n", grp_names[0], grp_names[1],
		       grp_names[2]);
		exit(0);
	}
	sock_open(true);
	setsockopt(mnl_socket_get_fd(sock.nl), SOL_SOCKET, SO_RCVBUF, &bufsz,
		   sizeof(bufsz));
	for (i = 0; i < ARRAY_SIZE(grp_names); i++) {
		if (!sock.grp[i]) {
			warnx("warning: multicast group '%s' not offered by the module",
			      grp_names[i]);
			continue;
		}
		if (mnl_socket_setsockopt(sock.nl, NETLINK_ADD_MEMBERSHIP,
					  &sock.grp[i], sizeof(sock.grp[i])) < 0)
			die("join multicast group '%s': %s", grp_names[i],
			    strerror(errno));
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(sock.nl, rxbuf, sizeof(rxbuf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				warnx("warning: events lost (receive buffer overrun)");
				continue;
			}
			die("netlink receive: %s", strerror(errno));
		}
		rx.done = false;
		rx_process(rxbuf, n, 0, &rx);
		fflush(stdout);
	}
}
