// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: the family's attributes as the tool knows them (names, types,
 * nests), parsing and printing of received attributes, and the checked
 * writers that build requests.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <espah/counters.h>

#include "espah.h"

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
	[ESPAH_TMPL_OPTIONAL] = { "TMPL_OPTIONAL", AT_FLAG },
};

const struct adesc encap_attrs[ESPAH_ENCAP_MAX + 1] = {
	[ESPAH_ENCAP_TYPE] = { "ENCAP_TYPE", AT_U16 },
	[ESPAH_ENCAP_SPORT] = { "ENCAP_SPORT", AT_BE16 },
	[ESPAH_ENCAP_DPORT] = { "ENCAP_DPORT", AT_BE16 },
	[ESPAH_ENCAP_OA] = { "ENCAP_OA", AT_ADDR },
	[ESPAH_ENCAP_KEEPALIVE] = { "ENCAP_KEEPALIVE", AT_U32 },
};

const struct adesc mapping_attrs[ESPAH_MAPPING_MAX + 1] = {
	[ESPAH_MAPPING_OLD_ADDR] = { "MAPPING_OLD_ADDR", AT_ADDR },
	[ESPAH_MAPPING_OLD_PORT] = { "MAPPING_OLD_PORT", AT_BE16 },
	[ESPAH_MAPPING_NEW_ADDR] = { "MAPPING_NEW_ADDR", AT_ADDR },
	[ESPAH_MAPPING_NEW_PORT] = { "MAPPING_NEW_PORT", AT_BE16 },
	[ESPAH_MAPPING_UPDATED] = { "MAPPING_UPDATED", AT_U8 },
};

const struct adesc sa_stat_attrs[ESPAH_SA_STAT_MAX + 1] = {
#define SA_STAT_ATTR(suffix, name, desc) \
	[ESPAH_SA_STAT_##suffix] = { name, AT_U64 },
	ESPAH_SA_STATS(SA_STAT_ATTR)
#undef SA_STAT_ATTR
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
#define STAT_ATTR(suffix, proc, name, desc) \
	[ESPAH_STAT_##suffix] = { name, AT_U64 },
	ESPAH_STATS(STAT_ATTR)
#undef STAT_ATTR
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
	[ESPAH_A_SA_XFRM_IF_ID] = { "SA_XFRM_IF_ID", AT_U32 },
	[ESPAH_A_POL_ORIGIN] = { "POL_ORIGIN", AT_U8 },
	[ESPAH_A_POL_XFRM_INDEX] = { "POL_XFRM_INDEX", AT_U32 },
	[ESPAH_A_XFRM_IF_ID] = { "XFRM_IF_ID", AT_U32 },
	[ESPAH_A_XFRM_MARK] = { "XFRM_MARK", AT_U32 },
	[ESPAH_A_XFRM_MASK] = { "XFRM_MASK", AT_U32 },
	[ESPAH_A_XFRM_SAS] = { "XFRM_SAS", AT_U32 },
	[ESPAH_A_XFRM_POLS] = { "XFRM_POLS", AT_U32 },
	[ESPAH_A_XFRM_REASON] = { "XFRM_REASON", AT_STR },
	[ESPAH_A_SA_ENCAP] = { "SA_ENCAP", AT_NEST, encap_attrs, ESPAH_ENCAP_MAX },
	[ESPAH_A_SA_KEYS] = { "SA_KEYS", AT_FLAG },
	[ESPAH_A_SA_MAPPING] = { "SA_MAPPING", AT_NEST, mapping_attrs, ESPAH_MAPPING_MAX },
	[ESPAH_A_SA_DF] = { "SA_DF", AT_U8 },
	[ESPAH_A_SA_DSCP] = { "SA_DSCP", AT_U8 },
	[ESPAH_A_SA_TFCPAD] = { "SA_TFCPAD", AT_U32 },
	[ESPAH_A_POL_FLAGS] = { "POL_FLAGS", AT_U32 },
	[ESPAH_A_SA_MARK] = { "SA_MARK", AT_U32 },
	[ESPAH_A_SA_MARK_MASK] = { "SA_MARK_MASK", AT_U32 },
	[ESPAH_A_SA_OMARK] = { "SA_OMARK", AT_U32 },
	[ESPAH_A_SA_OMARK_MASK] = { "SA_OMARK_MASK", AT_U32 },
	[ESPAH_A_POL_MARK] = { "POL_MARK", AT_U32 },
	[ESPAH_A_POL_MARK_MASK] = { "POL_MARK_MASK", AT_U32 },
	[ESPAH_A_SA_IF_ID] = { "SA_IF_ID", AT_U32 },
	[ESPAH_A_POL_IF_ID] = { "POL_IF_ID", AT_U32 },
	[ESPAH_A_SA_DUMMY_RATE] = { "SA_DUMMY_RATE", AT_U32 },
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
	[ESPAH_CMD_XFRM_ATTACH] = "XFRM_ATTACH",
	[ESPAH_CMD_XFRM_DETACH] = "XFRM_DETACH",
	[ESPAH_CMD_XFRM_GET] = "XFRM_GET",
	[ESPAH_CMD_XFRM_REFUSED] = "XFRM_REFUSED",
	[ESPAH_CMD_SA_MAPPING] = "SA_MAPPING",
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
	case AT_FLAG:
		return len == 0;
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
		case AT_FLAG:
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

/* A mark the user gave (parse_mark_arg()) as its two attributes. */
void put_mark(struct req *r, unsigned int v, unsigned int m,
	      const struct mark *mk)
{
	if (!mk->set)
		return;
	req_put_u32(r, v, mk->v);
	req_put_u32(r, m, mk->m);
}
