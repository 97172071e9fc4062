// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: "espah state ..." (the SAD), in the words of ip-xfrm(8).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/udp.h>

#include "espah.h"

#define KEY_MAX 512
static void usage_state(FILE *f)
{
	fprintf(f,
"Usage: espah state { add | update } ID [ mode MODE ] [ reqid REQID ]\n"
"                   [ dir { in | out } ] [ replay-window SIZE ]\n"
"                   [ replay-seq SEQ ] [ replay-oseq SEQ ]\n"
"                   [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ]\n"
"                   [ flag FLAG-LIST ] [ extra-flag EXTRA-FLAG ] [ df DF ] [ dscp DSCP ]\n"
"                   [ tfcpad LENGTH ] [ mark MARK ] [ output-mark MARK ]\n"
"                   [ if_id IF-ID ] [ dummy-rate RATE ]\n"
"                   [ sel SELECTOR ] [ LIMIT-LIST ] [ ENCAP ]\n"
"                   ALGO-LIST\n"
"       espah state { delete | get } [ src ADDR ] dst ADDR proto XFRM-PROTO spi SPI\n"
"                   [ mark MARK ]\n"
"       espah [ -s ] [ -j ] state { list | show } [ ID ] [ mode MODE ] [ reqid REQID ]\n"
"                   [ dir { in | out } ]\n"
"       espah state flush [ proto XFRM-PROTO ]\n"
"       espah state count\n"
"ID := src ADDR dst ADDR proto XFRM-PROTO spi SPI\n"
"XFRM-PROTO := esp | ah\n"
"MODE := transport | tunnel   (default transport)\n"
"FLAG-LIST := [ FLAG-LIST ] { esn | align4 | noecn | decap-dscp | nopmtudisc | natt-update |\n"
"              icmp | wildrecv }\n"
"EXTRA-FLAG := dont-encap-dscp   (the same as dscp 0)\n"
"DF := copy | clear | set   (tunnel mode, IPv4 outer header; nopmtudisc: clear)\n"
"DSCP := copy | 0..63   (tunnel mode: the outer header's)\n"
"LENGTH := bytes each inner packet is padded to (tunnel-mode ESP, RFC 4303 2.4)\n"
"RATE := 1..1000: dummy packets (RFC 4303 2.6) keep the SA's packet rate at or\n"
"        above RATE a second (dir out, tunnel-mode ESP; LENGTH bytes each)\n"
"MARK := VALUE[/MASK] | VALUE mask MASK   (MASK default 0xffffffff)\n"
"mark: packets (in) or policies (out) whose mark & MASK is VALUE;\n"
"output-mark: the mark of the packets the SA makes (ESP out, decapsulated in)\n"
"IF-ID: the native xfrm interface's (ip link add NAME type xfrm if_id IF-ID)\n"
"the SA serves: tunnel mode only\n"
"ALGO-LIST := aead ALGO-NAME KEY ICV-BITS\n"
"           | enc ALGO-NAME KEY [ { auth ALGO-NAME KEY | auth-trunc ALGO-NAME KEY BITS } ]\n"
"           | { auth ALGO-NAME KEY | auth-trunc ALGO-NAME KEY BITS }   (proto ah)\n"
"KEY := 0xHEX | STRING\n"
"SELECTOR := [ src PREFIX ] [ dst PREFIX ] [ UPSPEC ]\n"
"UPSPEC := proto PROTO [ sport PORT[-PORT] ] [ dport PORT[-PORT] ]\n"
"        | proto { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ]\n"
"LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT\n"
"LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS\n"
"       | { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT\n"
"       | seq-soft COUNT   (dir out: soft expire with COUNT sequence numbers left)\n"
"ENCAP := encap { espinudp | espinudp-nonike } SPORT DPORT OADDR   (proto esp;\n"
"         ESP in UDP, RFC 3948; nonike: 8 zero bytes before ESP)\n"
"         [ natt-keepalive SECONDS ]   (dir out: NAT keepalives when idle)\n"
"flag natt-update (dir in, with ENCAP): follow the peer's new NAT port\n"
"Without \"dir\", an SA whose src address is assigned to an interface of this\n"
"host (network namespace) is \"dir out\", any other SA is \"dir in\".\n");
}

/*
 * ip-xfrm(8) passes algorithm names to the kernel's xfrm algorithm table,
 * which also knows short "compat" names and, for "auth", a default ICV
 * truncation that is not always the RFC one (hmac(sha256): 96 bits). espah
 * takes crypto API names; we map the compat names and send the xfrm default
 * truncation for "auth" so that ported scripts interoperate with native XFRM
 * peers configured the same way.
 */
static const struct {
	const char *compat;
	const char *name;
} enc_alias[] = {
	{ "des", "cbc(des)" },		{ "des3_ede", "cbc(des3_ede)" },
	{ "cast5", "cbc(cast5)" },	{ "blowfish", "cbc(blowfish)" },
	{ "aes", "cbc(aes)" },		{ "serpent", "cbc(serpent)" },
	{ "camellia", "cbc(camellia)" }, { "twofish", "cbc(twofish)" },
	{ "sm4", "cbc(sm4)" },		{ "cipher_null", "ecb(cipher_null)" },
};

static const struct {
	const char *compat;
	const char *name;
	uint32_t icv_bits;	/* ip xfrm's truncation for "auth" */
} auth_alias[] = {
	{ "md5", "hmac(md5)", 96 },
	{ "sha1", "hmac(sha1)", 96 },
	{ "sha256", "hmac(sha256)", 96 },
	{ NULL, "hmac(sha384)", 192 },
	{ NULL, "hmac(sha512)", 256 },
	{ "rmd160", "hmac(rmd160)", 96 },
	{ NULL, "xcbc(aes)", 96 },
	{ NULL, "cmac(aes)", 96 },
	{ "sm3", "hmac(sm3)", 256 },
	{ NULL, "digest_null", 0 },
};

static const char *enc_name(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(enc_alias); i++)
		if (!strcmp(s, enc_alias[i].compat))
			return enc_alias[i].name;
	return s;
}

static const char *auth_name(const char *s, uint32_t *icv_bits, bool *known)
{
	size_t i;

	*known = false;
	for (i = 0; i < ARRAY_SIZE(auth_alias); i++) {
		if (!strcmp(s, auth_alias[i].name) ||
		    (auth_alias[i].compat && !strcmp(s, auth_alias[i].compat))) {
			*icv_bits = auth_alias[i].icv_bits;
			*known = true;
			return auth_alias[i].name;
		}
	}
	return s;
}

struct sa_id {
	struct addr src, dst;
	bool has_src, has_dst, has_proto, has_spi;
	uint8_t proto;
	uint32_t spi;
};

/* SA identity words (src, dst, proto, spi); false if @w is none of them. */
static bool parse_id_word(struct args *a, struct sa_id *id)
{
	const char *w;

	if (a->argc <= 0)
		return false;
	w = a->argv[0];
	if (!strcmp(w, "src")) {
		next_arg(a, w);
		parse_addr(next_arg(a, "src address"), "src", &id->src);
		id->has_src = true;
	} else if (!strcmp(w, "dst")) {
		next_arg(a, w);
		parse_addr(next_arg(a, "dst address"), "dst", &id->dst);
		id->has_dst = true;
	} else if (!strcmp(w, "proto")) {
		next_arg(a, w);
		id->proto = parse_ipsec_proto(next_arg(a, "proto"));
		id->has_proto = true;
	} else if (!strcmp(w, "spi")) {
		next_arg(a, w);
		id->spi = parse_u32(next_arg(a, "spi"), "spi");
		id->has_spi = true;
	} else {
		return false;
	}
	return true;
}

static void put_id(struct req *r, const struct sa_id *id, bool need_src)
{
	if (!id->has_dst)
		syntax("%s: missing \"dst ADDR\"", "state");
	if (need_src && !id->has_src)
		syntax("%s: missing \"src ADDR\"", "state");
	if (!id->has_proto)
		syntax("%s: missing \"proto esp|ah\"", "state");
	if (!id->has_spi)
		syntax("%s: missing \"spi SPI\"", "state");
	if (id->has_src && id->src.family != id->dst.family)
		syntax("src and dst are of different address families");
	req_put_u32(r, ESPAH_A_SA_SPI, htonl(id->spi));
	req_put_u8(r, ESPAH_A_SA_PROTO, id->proto);
	req_put_u16(r, ESPAH_A_SA_FAMILY, id->dst.family);
	if (id->has_src)
		req_put_addr(r, ESPAH_A_SA_SRC, &id->src);
	req_put_addr(r, ESPAH_A_SA_DST, &id->dst);
}

static const char *const unsupported_sa_words[] = {
	"set-mark", "offload", "ctx",
	"coa", "comp", "nat-keepalive-interval",
};

/* Not set on the outer header: net/tunhdr.c's rules take their defaults */
#define DF_UNSET	(-1)
#define DSCP_UNSET	(-1)

static void parse_flags(struct args *a, uint32_t *flags, int *df)
{
	static const char *const other[] = {
		"af-unspec",
	};
	bool any = false;
	size_t i;

	while (a->argc > 0) {
		const char *w = a->argv[0];

		if (!strcmp(w, "esn")) {
			*flags |= ESPAH_SA_FLAG_ESN;
		} else if (!strcmp(w, "align4")) {
			*flags |= ESPAH_SA_FLAG_ALIGN4;
		} else if (!strcmp(w, "noecn")) {
			*flags |= ESPAH_SA_FLAG_NOECN;
		} else if (!strcmp(w, "decap-dscp")) {
			*flags |= ESPAH_SA_FLAG_DECAP_DSCP;
		} else if (!strcmp(w, "natt-update")) {
			*flags |= ESPAH_SA_FLAG_NATT_UPDATE;
		} else if (!strcmp(w, "icmp")) {
			*flags |= ESPAH_SA_FLAG_ICMP;
		} else if (!strcmp(w, "wildrecv")) {
			*flags |= ESPAH_SA_FLAG_WILDRECV;
		} else if (!strcmp(w, "nopmtudisc")) {
			/* ip xfrm's: an IPv4 outer header without DF */
			if (*df != DF_UNSET && *df != ESPAH_DF_CLEAR)
				syntax("flag nopmtudisc contradicts \"df\" (it means df clear)");
			*df = ESPAH_DF_CLEAR;
		} else {
			for (i = 0; i < ARRAY_SIZE(other); i++)
				if (!strcmp(w, other[i]))
					syntax("flag \"%s\" is not needed by espah (an SA without \"sel\" serves both inner families)",
					       w);
			break;
		}
		next_arg(a, "flag");
		any = true;
	}
	if (!any)
		syntax("%s: \"flag\" needs a flag name (esn, align4, noecn, decap-dscp, nopmtudisc, natt-update, icmp, wildrecv)%s%s%s",
		       a->ctx,
		       a->argc > 0 ? ", not \"" : "",
		       a->argc > 0 ? a->argv[0] : "", a->argc > 0 ? "\"" : "");
}

/* espah's "df copy|clear|set" */
static int parse_df(const char *w, int df)
{
	int v;

	if (!strcmp(w, "copy"))
		v = ESPAH_DF_COPY;
	else if (!strcmp(w, "clear"))
		v = ESPAH_DF_CLEAR;
	else if (!strcmp(w, "set"))
		v = ESPAH_DF_SET;
	else
		syntax("invalid df \"%s\" (expected copy, clear or set)", w);
	if (df != DF_UNSET && df != v)
		syntax("\"df %s\" contradicts an earlier df or flag nopmtudisc", w);
	return v;
}

/* espah's "dscp copy|0..63"; ip xfrm's "extra-flag dont-encap-dscp" is 0.
 * The module judges the value (0..63) and the mode, as it judges df's.
 */
static int parse_dscp(const char *w, int dscp)
{
	int v = DSCP_UNSET;

	if (strcmp(w, "copy")) {
		uint32_t n = parse_u32(w, "dscp");

		if (n > 255)
			syntax("invalid dscp \"%s\" (expected copy or 0..63)", w);
		v = n;
	}
	if (dscp != DSCP_UNSET && dscp != v)
		syntax("\"dscp %s\" contradicts an earlier dscp or extra-flag dont-encap-dscp", w);
	return v;
}

static int parse_extra_flag(struct args *a, int dscp)
{
	const char *w = next_arg(a, "extra-flag");

	if (!strcmp(w, "dont-encap-dscp"))
		return parse_dscp("0", dscp);
	if (!strcmp(w, "oseq-may-wrap"))
		syntax("extra-flag oseq-may-wrap is not supported by espah: a wrapped sequence number would be sent twice under one key");
	syntax("invalid extra-flag \"%s\" (expected dont-encap-dscp)", w);
	return dscp;
}

/* "limit TYPE N", as ip xfrm, plus espah's "seq-soft N" */
/* ip xfrm's "encap TYPE SPORT DPORT OADDR" (after the word "encap") */
struct encap {
	uint16_t type;
	uint16_t sport;
	uint16_t dport;
	struct addr oa;
	bool has_keepalive;
	uint32_t keepalive;
};

static void parse_encap(struct args *a, struct encap *e)
{
	const char *w = next_arg(a, "encap type");

	if (!strcmp(w, "espinudp"))
		e->type = UDP_ENCAP_ESPINUDP;
	else if (!strcmp(w, "espinudp-nonike"))
		e->type = UDP_ENCAP_ESPINUDP_NON_IKE;
	else if (!strcmp(w, "espintcp"))
		syntax("%s: encap \"espintcp\" is not supported by espah (only espinudp and espinudp-nonike)",
		       a->ctx);
	else
		syntax("%s: invalid encap type \"%s\" (expected espinudp or espinudp-nonike)",
		       a->ctx, w);
	e->sport = parse_u16(next_arg(a, "encap SPORT"), "encap SPORT");
	e->dport = parse_u16(next_arg(a, "encap DPORT"), "encap DPORT");
	parse_addr(next_arg(a, "encap OADDR"), "encap OADDR", &e->oa);
}

static bool addr_is_zero(const struct addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->bytes, zero, a->len);
}

static void put_encap(struct req *r, const struct encap *e, uint16_t family)
{
	struct nlattr *nest = req_nest_start(r, ESPAH_A_SA_ENCAP);

	req_put_u16(r, ESPAH_ENCAP_TYPE, e->type);
	req_put_u16(r, ESPAH_ENCAP_SPORT, htons(e->sport));
	req_put_u16(r, ESPAH_ENCAP_DPORT, htons(e->dport));
	/* ip xfrm scripts write 0.0.0.0 for IPv6 SAs too: no address */
	if (e->oa.family == family)
		req_put_addr(r, ESPAH_ENCAP_OA, &e->oa);
	if (e->has_keepalive)
		req_put_u32(r, ESPAH_ENCAP_KEEPALIVE, e->keepalive);
	mnl_attr_nest_end(r->nlh, nest);
}

static void parse_sa_limit(struct args *a, uint64_t *lft)
{
	const char *w = next_arg(a, "limit type");
	unsigned int i;

	for (i = 1; i <= ESPAH_LFT_SEQ_SOFT; i++)
		if (!strcmp(w, lft_attrs[i].name))
			break;
	if (i > ESPAH_LFT_SEQ_SOFT)
		syntax("invalid limit \"%s\" (expected time-soft, time-hard, time-use-soft, time-use-hard, byte-soft, byte-hard, packet-soft, packet-hard or seq-soft)",
		       w);
	lft[i] = parse_u64(next_arg(a, "limit value"), w);
}

static const char *const expire_reasons[] = {
	[ESPAH_EXPIRE_BYTES] = "bytes",
	[ESPAH_EXPIRE_PACKETS] = "packets",
	[ESPAH_EXPIRE_ADD_TIME] = "time",
	[ESPAH_EXPIRE_USE_TIME] = "time-use",
	[ESPAH_EXPIRE_SEQ] = "seq",
};

static const char *expire_reason(const struct nlattr **tb)
{
	uint8_t r = mnl_attr_get_u8(tb[ESPAH_A_SA_EXPIRE_REASON]);

	return r < ARRAY_SIZE(expire_reasons) && expire_reasons[r] ?
	       expire_reasons[r] : "unknown";
}

/* Reorder max and histogram buckets of an SA_REORDER nest. */
unsigned int reorder_get(const struct nlattr *nest, uint64_t *max, uint64_t *hist)
{
	const struct nlattr *at;
	unsigned int n = 0;

	*max = 0;
	mnl_attr_for_each_nested(at, nest) {
		if (mnl_attr_get_payload_len(at) != sizeof(uint64_t))
			continue;
		if (mnl_attr_get_type(at) == ESPAH_REORDER_MAX)
			*max = mnl_attr_get_u64(at);
		else if (mnl_attr_get_type(at) == ESPAH_REORDER_BUCKET &&
			 n < ESPAH_REORDER_BUCKETS)
			hist[n++] = mnl_attr_get_u64(at);
	}
	return n;
}

const char *const reorder_names[ESPAH_REORDER_BUCKETS] = {
	"0", "1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+",
};

static int state_modify(struct args *a, uint8_t cmd)
{
	static uint8_t ekey[KEY_MAX], akey[KEY_MAX];
	const char *aead = NULL, *enc = NULL, *auth = NULL;
	size_t ekey_len = 0, akey_len = 0;
	uint32_t icv = 0, reqid = 0, window = 0, flags = 0;
	uint32_t seq_lo = 0, seq_hi = 0, oseq_lo = 0, oseq_hi = 0;
	bool has_icv = false, has_reqid = false, has_window = false;
	bool has_seq = false, has_oseq = false, has_sel = false;
	int mode = ESPAH_MODE_TRANSPORT, dir = -1;
	int df = DF_UNSET, dscp = DSCP_UNSET;
	bool has_dscp = false, has_tfcpad = false;
	struct mark xmark = { 0 }, omark = { 0 };
	uint32_t tfcpad = 0, if_id = 0, dummy_rate = 0;
	bool has_if_id = false, has_dummy_rate = false;
	struct selector sel = { 0 };
	struct sa_id id = { 0 };
	uint64_t lft[ESPAH_LFT_MAX + 1] = { 0 };
	struct encap encap = { 0 };
	bool has_lft = false;
	struct req r;
	size_t i;

	while (a->argc > 0) {
		const char *w;

		if (parse_id_word(a, &id))
			continue;
		w = next_arg(a, "argument");
		if (!strcmp(w, "mode")) {
			mode = parse_mode(next_arg(a, "mode"));
		} else if (!strcmp(w, "reqid")) {
			reqid = parse_u32(next_arg(a, "reqid"), "reqid");
			has_reqid = true;
		} else if (!strcmp(w, "dir")) {
			w = next_arg(a, "dir");
			if (!strcmp(w, "in"))
				dir = ESPAH_DIR_IN;
			else if (!strcmp(w, "out"))
				dir = ESPAH_DIR_OUT;
			else
				syntax("invalid dir \"%s\" for an SA (expected in or out)", w);
		} else if (!strcmp(w, "replay-window")) {
			window = parse_u32(next_arg(a, "replay-window"), "replay-window");
			has_window = true;
		} else if (!strcmp(w, "replay-seq")) {
			seq_lo = parse_u32(next_arg(a, "replay-seq"), "replay-seq");
			has_seq = true;
		} else if (!strcmp(w, "replay-seq-hi")) {
			seq_hi = parse_u32(next_arg(a, "replay-seq-hi"), "replay-seq-hi");
			has_seq = true;
		} else if (!strcmp(w, "replay-oseq")) {
			oseq_lo = parse_u32(next_arg(a, "replay-oseq"), "replay-oseq");
			has_oseq = true;
		} else if (!strcmp(w, "replay-oseq-hi")) {
			oseq_hi = parse_u32(next_arg(a, "replay-oseq-hi"), "replay-oseq-hi");
			has_oseq = true;
		} else if (!strcmp(w, "seq")) {
			/* ip xfrm's key-manager sequence number: meaningless here */
			parse_u32(next_arg(a, "seq"), "seq");
		} else if (!strcmp(w, "flag")) {
			parse_flags(a, &flags, &df);
		} else if (!strcmp(w, "extra-flag")) {
			dscp = parse_extra_flag(a, has_dscp ? dscp : DSCP_UNSET);
			has_dscp = true;
		} else if (!strcmp(w, "tfcpad")) {
			tfcpad = parse_u32(next_arg(a, "tfcpad"), "tfcpad");
			has_tfcpad = true;
		} else if (!strcmp(w, "dummy-rate")) {
			/* the range is the module's to judge (its message) */
			dummy_rate = parse_u32(next_arg(a, "dummy-rate"),
					       "dummy-rate");
			has_dummy_rate = true;
		} else if (!strcmp(w, "mark")) {
			if (xmark.set)
				syntax("duplicate \"mark\"");
			parse_mark_arg(a, "mark", &xmark);
		} else if (!strcmp(w, "output-mark")) {
			if (omark.set)
				syntax("duplicate \"output-mark\"");
			parse_mark_arg(a, "output-mark", &omark);
		} else if (!strcmp(w, "if_id") || !strcmp(w, "if-id")) {
			/* 0 and the bridge's tag: the module says why not */
			if_id = parse_u32(next_arg(a, "if_id"), "if_id");
			has_if_id = true;
		} else if (!strcmp(w, "df")) {
			df = parse_df(next_arg(a, "df"), df);
		} else if (!strcmp(w, "dscp")) {
			dscp = parse_dscp(next_arg(a, "dscp"), has_dscp ? dscp : DSCP_UNSET);
			has_dscp = true;
		} else if (!strcmp(w, "sel")) {
			if (!parse_sel_word(a, &sel))
				syntax("\"sel\" must be followed by selector words (src, dst, proto, ...)");
			while (parse_sel_word(a, &sel))
				;
			has_sel = true;
		} else if (!strcmp(w, "aead")) {
			if (aead)
				syntax("duplicate \"aead\"");
			aead = check_alg_name(next_arg(a, "aead name"), "aead");
			ekey_len = parse_key(next_arg(a, "aead key"), "aead", ekey, KEY_MAX);
			icv = parse_u32(next_arg(a, "aead ICV length"), "aead ICV length");
			has_icv = true;
		} else if (!strcmp(w, "enc")) {
			if (enc)
				syntax("duplicate \"enc\"");
			enc = enc_name(check_alg_name(next_arg(a, "enc name"), "enc"));
			ekey_len = parse_key(next_arg(a, "enc key"), "enc", ekey, KEY_MAX);
		} else if (!strcmp(w, "auth") || !strcmp(w, "auth-trunc")) {
			bool known;

			if (auth)
				syntax("duplicate \"auth\"/\"auth-trunc\"");
			auth = auth_name(check_alg_name(next_arg(a, "auth name"), w),
					 &icv, &known);
			akey_len = parse_key(next_arg(a, "auth key"), "auth", akey, KEY_MAX);
			if (!strcmp(w, "auth-trunc")) {
				icv = parse_u32(next_arg(a, "auth-trunc length"),
						"auth-trunc length");
				has_icv = true;
			} else {
				has_icv = known && icv;
			}
		} else if (!strcmp(w, "limit")) {
			parse_sa_limit(a, lft);
			has_lft = true;
		} else if (!strcmp(w, "encap")) {
			if (encap.type)
				syntax("duplicate \"encap\"");
			parse_encap(a, &encap);
		} else if (!strcmp(w, "natt-keepalive")) {
			if (encap.has_keepalive)
				syntax("duplicate \"natt-keepalive\"");
			encap.keepalive = parse_u32(next_arg(a, "natt-keepalive SECONDS"),
						    "natt-keepalive SECONDS");
			encap.has_keepalive = true;
		} else {
			for (i = 0; i < ARRAY_SIZE(unsupported_sa_words); i++)
				if (!strcmp(w, unsupported_sa_words[i]))
					syntax("%s: \"%s\" is not supported by espah", a->ctx, w);
			syntax("%s: unknown word \"%s\"", a->ctx, w);
		}
	}

	if (!id.has_src)
		syntax("%s: missing \"src ADDR\"", a->ctx);
	if (!id.has_proto)
		syntax("%s: missing \"proto esp|ah\"", a->ctx);
	if (aead && (enc || auth))
		syntax("%s: \"aead\" cannot be combined with \"enc\" or \"auth\"", a->ctx);
	if (id.proto == IPPROTO_AH) {
		/* AES-GMAC for AH (RFC 4543) is the one "aead" AH takes */
		if (enc || (aead && strcmp(aead, "rfc4543(gcm(aes))")))
			syntax("%s: proto ah takes only \"auth\", \"auth-trunc\" or \"aead rfc4543(gcm(aes))\", not \"%s\"",
			       a->ctx, aead ? "aead" : "enc");
		if (!auth && !aead)
			syntax("%s: proto ah needs \"auth\" or \"auth-trunc\"", a->ctx);
	} else if (!aead && !enc) {
		syntax("%s: proto esp needs \"aead\" or \"enc\"", a->ctx);
	}
	if (has_sel) {
		check_sel(&sel);
		/* tunnel mode may carry the other family inside */
		if (mode == ESPAH_MODE_TRANSPORT &&
		    ((sel.src.family && sel.src.family != id.src.family) ||
		     (sel.dst.family && sel.dst.family != id.src.family)))
			syntax("%s: transport mode: \"sel\" family must be the SA's", a->ctx);
	}
	if (encap.has_keepalive && !encap.type)
		syntax("%s: \"natt-keepalive\" needs \"encap\"", a->ctx);
	if (encap.type) {
		if (id.proto != IPPROTO_ESP)
			syntax("%s: \"encap\" is for proto esp only", a->ctx);
		if (encap.oa.family != id.src.family && !addr_is_zero(&encap.oa))
			syntax("%s: encap OADDR must be of the SA's address family", a->ctx);
	}
	/* wildrecv: never used to send (native's meaning) */
	if (dir < 0)
		dir = !(flags & ESPAH_SA_FLAG_WILDRECV) && addr_is_local(&id.src) ?
		      ESPAH_DIR_OUT : ESPAH_DIR_IN;

	req_init(&r, cmd, 0);
	put_id(&r, &id, true);
	req_put_u8(&r, ESPAH_A_SA_MODE, mode);
	req_put_u8(&r, ESPAH_A_SA_DIR, dir);
	if (has_reqid)
		req_put_u32(&r, ESPAH_A_SA_REQID, reqid);
	if (has_window)
		req_put_u32(&r, ESPAH_A_SA_REPLAY_WINDOW, window);
	if (flags)
		req_put_u32(&r, ESPAH_A_SA_FLAGS, flags);
	if (has_seq)
		req_put_u64(&r, ESPAH_A_SA_SEQ, (uint64_t)seq_hi << 32 | seq_lo);
	if (has_oseq)
		req_put_u64(&r, ESPAH_A_SA_OSEQ, (uint64_t)oseq_hi << 32 | oseq_lo);
	if (has_sel)
		req_put_selector(&r, ESPAH_A_SA_SEL, &sel, id.src.family);
	if (aead)
		req_put_strz(&r, ESPAH_A_SA_AEAD, aead);
	if (enc)
		req_put_strz(&r, ESPAH_A_SA_ENC, enc);
	if (auth)
		req_put_strz(&r, ESPAH_A_SA_AUTH, auth);
	if (aead || enc)
		req_put(&r, ESPAH_A_SA_ENC_KEY, ekey_len, ekey);
	if (auth)
		req_put(&r, ESPAH_A_SA_AUTH_KEY, akey_len, akey);
	if (has_icv)
		req_put_u32(&r, ESPAH_A_SA_ICV_BITS, icv);
	if (encap.type)
		put_encap(&r, &encap, id.src.family);
	if (df != DF_UNSET)
		req_put_u8(&r, ESPAH_A_SA_DF, df);
	if (dscp != DSCP_UNSET)
		req_put_u8(&r, ESPAH_A_SA_DSCP, dscp);
	if (has_tfcpad)
		req_put_u32(&r, ESPAH_A_SA_TFCPAD, tfcpad);
	put_mark(&r, ESPAH_A_SA_MARK, ESPAH_A_SA_MARK_MASK, &xmark);
	put_mark(&r, ESPAH_A_SA_OMARK, ESPAH_A_SA_OMARK_MASK, &omark);
	if (has_if_id)
		req_put_u32(&r, ESPAH_A_SA_IF_ID, if_id);
	if (has_dummy_rate)
		req_put_u32(&r, ESPAH_A_SA_DUMMY_RATE, dummy_rate);
	if (has_lft) {
		struct nlattr *nest = req_nest_start(&r, ESPAH_A_SA_LIFETIME);

		for (i = 1; i <= ESPAH_LFT_SEQ_SOFT; i++)
			if (lft[i])
				req_put_u64(&r, i, lft[i]);
		mnl_attr_nest_end(r.nlh, nest);
	}

	nl_transact(&r, NULL, NULL);
	/* the request held keys: do not leave them in memory */
	explicit_bzero(ekey, sizeof(ekey));
	explicit_bzero(akey, sizeof(akey));
	explicit_bzero(r.buf, sizeof(r.buf));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* printing                                                                */

static void sa_addrs(const struct nlattr **tb, char *src, char *dst, size_t len)
{
	uint16_t fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;

	snprintf(src, len, "?");
	snprintf(dst, len, "?");
	if (tb[ESPAH_A_SA_SRC])
		addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_SRC]),
			  mnl_attr_get_payload_len(tb[ESPAH_A_SA_SRC]), src, len);
	if (tb[ESPAH_A_SA_DST])
		addr_ntop(fam, mnl_attr_get_payload(tb[ESPAH_A_SA_DST]),
			  mnl_attr_get_payload_len(tb[ESPAH_A_SA_DST]), dst, len);
}

static uint32_t get_u32(const struct nlattr **tb, unsigned int t, uint32_t dflt)
{
	return tb[t] ? mnl_attr_get_u32(tb[t]) : dflt;
}

static uint8_t get_u8(const struct nlattr **tb, unsigned int t, uint8_t dflt)
{
	return tb[t] ? mnl_attr_get_u8(tb[t]) : dflt;
}

static uint64_t get_u64(const struct nlattr *na)
{
	return na ? mnl_attr_get_u64(na) : 0;
}

static void print_enc(const struct nlattr **tb)
{
	if (!tb[ESPAH_A_SA_ENC])
		return;
	open_obj("enc");
	print_str(PRINT_ANY, "name", "\tenc %s\n", mnl_attr_get_str(tb[ESPAH_A_SA_ENC]));
	close_obj();
}

static void print_algs(const struct nlattr **tb)
{
	const struct nlattr *icv = tb[ESPAH_A_SA_ICV_BITS];

	if (tb[ESPAH_A_SA_AEAD]) {
		open_obj("aead");
		print_str(PRINT_ANY, "name", "\taead %s",
			  mnl_attr_get_str(tb[ESPAH_A_SA_AEAD]));
		print_u64(icv ? PRINT_ANY : PRINT_TEXT, "icv-bits", " %" PRIu64,
			  get_u32(tb, ESPAH_A_SA_ICV_BITS, 0));
		print_nl();
		close_obj();
	}
	/* the cipher of enc + auth: JSON has always put it first, text last */
	if (opt.json)
		print_enc(tb);
	if (tb[ESPAH_A_SA_AUTH]) {
		open_obj("auth");
		print_text("\t%s", icv ? "auth-trunc" : "auth");
		print_str(PRINT_ANY, "name", " %s", mnl_attr_get_str(tb[ESPAH_A_SA_AUTH]));
		if (icv)
			print_u64(PRINT_ANY, "icv-bits", " %" PRIu64, mnl_attr_get_u32(icv));
		print_nl();
		close_obj();
	}
	if (!opt.json)
		print_enc(tb);
}

#define KNOWN_SA_FLAGS (ESPAH_SA_FLAG_ESN | ESPAH_SA_FLAG_ALIGN4 | \
			ESPAH_SA_FLAG_NOECN | ESPAH_SA_FLAG_DECAP_DSCP | \
			ESPAH_SA_FLAG_NATT_UPDATE | ESPAH_SA_FLAG_ICMP | \
			ESPAH_SA_FLAG_WILDRECV)

/* The outer header's rules when not the defaults (copy), TFC padding
 * and dummy packets: "df clear dscp 10 tfcpad 500 dummy-rate 10"
 */
static void print_tunhdr(const struct nlattr **tb)
{
	const char *sep = "";

	if (!tb[ESPAH_A_SA_DF] && !tb[ESPAH_A_SA_DSCP] && !tb[ESPAH_A_SA_TFCPAD] &&
	    !tb[ESPAH_A_SA_DUMMY_RATE])
		return;
	print_text("\t");
	if (tb[ESPAH_A_SA_DF]) {
		print_str(PRINT_ANY, "df", "df %s",
			  df_name(mnl_attr_get_u8(tb[ESPAH_A_SA_DF])));
		sep = " ";
	}
	if (tb[ESPAH_A_SA_DSCP]) {
		print_text("%s", sep);
		print_u64(PRINT_ANY, "dscp", "dscp %" PRIu64,
			  mnl_attr_get_u8(tb[ESPAH_A_SA_DSCP]));
		sep = " ";
	}
	if (tb[ESPAH_A_SA_TFCPAD]) {
		print_text("%s", sep);
		print_u64(PRINT_ANY, "tfcpad", "tfcpad %" PRIu64,
			  get_u32(tb, ESPAH_A_SA_TFCPAD, 0));
		sep = " ";
	}
	if (tb[ESPAH_A_SA_DUMMY_RATE]) {
		print_text("%s", sep);
		print_u64(PRINT_ANY, "dummy-rate", "dummy-rate %" PRIu64,
			  get_u32(tb, ESPAH_A_SA_DUMMY_RATE, 0));
	}
	print_nl();
}

/* ip xfrm's line: encap type espinudp sport 4500 dport 4500 addr 0.0.0.0 */
static void print_encap(const struct nlattr *nest, uint16_t fam)
{
	const struct nlattr *et[ESPAH_ENCAP_MAX + 1];
	char oa[64] = "";
	uint16_t type;

	attrs_parse_nest(nest, encap_attrs, ESPAH_ENCAP_MAX, et);
	type = et[ESPAH_ENCAP_TYPE] ? mnl_attr_get_u16(et[ESPAH_ENCAP_TYPE]) : 0;
	open_obj("encap");
	if (type == UDP_ENCAP_ESPINUDP)
		print_str(PRINT_ANY, "type", "\tencap type %s", "espinudp");
	else if (type == UDP_ENCAP_ESPINUDP_NON_IKE)
		print_str(PRINT_ANY, "type", "\tencap type %s", "espinudp-nonike");
	else
		print_u64(PRINT_ANY, "type", "\tencap type %" PRIu64, type);
	print_u64(PRINT_ANY, "sport", " sport %" PRIu64,
		  et[ESPAH_ENCAP_SPORT] ? ntohs(mnl_attr_get_u16(et[ESPAH_ENCAP_SPORT])) : 0);
	print_u64(PRINT_ANY, "dport", " dport %" PRIu64,
		  et[ESPAH_ENCAP_DPORT] ? ntohs(mnl_attr_get_u16(et[ESPAH_ENCAP_DPORT])) : 0);
	if (et[ESPAH_ENCAP_OA])
		addr_ntop(fam, mnl_attr_get_payload(et[ESPAH_ENCAP_OA]),
			  mnl_attr_get_payload_len(et[ESPAH_ENCAP_OA]), oa, sizeof(oa));
	else
		snprintf(oa, sizeof(oa), "%s", fam == AF_INET6 ? "::" : "0.0.0.0");
	print_str(PRINT_ANY, "addr", " addr %s", oa);
	if (et[ESPAH_ENCAP_KEEPALIVE])
		print_u64(PRINT_ANY, "natt-keepalive", " natt-keepalive %" PRIu64,
			  mnl_attr_get_u32(et[ESPAH_ENCAP_KEEPALIVE]));
	print_nl();
	close_obj();
}

/* Sequence numbers: JSON as they are, text in the words of ip-xfrm(8). */
static void print_seq(const struct nlattr **tb, bool esn)
{
	uint64_t seq = get_u64(tb[ESPAH_A_SA_SEQ]);
	uint64_t oseq = get_u64(tb[ESPAH_A_SA_OSEQ]);

	if (tb[ESPAH_A_SA_SEQ])
		print_u64(PRINT_JSON, "seq", NULL, seq);
	if (tb[ESPAH_A_SA_OSEQ])
		print_u64(PRINT_JSON, "oseq", NULL, oseq);
	if (!tb[ESPAH_A_SA_SEQ] && !tb[ESPAH_A_SA_OSEQ])
		return;
	if (esn)
		print_text("\tanti-replay esn context:\n\t seq-hi 0x%x, seq 0x%x, oseq-hi 0x%x, oseq 0x%x\n",
			   (uint32_t)(seq >> 32), (uint32_t)seq,
			   (uint32_t)(oseq >> 32), (uint32_t)oseq);
	else
		print_text("\tanti-replay context: seq 0x%" PRIx64 ", oseq 0x%" PRIx64 "\n",
			   seq, oseq);
}

/* Limits; the current lifetime in text only with -s, in JSON always. */
static void print_lifetime(const struct nlattr *nest)
{
	const struct nlattr *lt[ESPAH_LFT_MAX + 1];
	const struct nlattr *add, *use;
	enum print_to cur = opt.stats ? PRINT_ANY : PRINT_JSON;
	unsigned int i;
	bool any = false;

	attrs_parse_nest(nest, lft_attrs, ESPAH_LFT_MAX, lt);
	open_obj("limit");
	for (i = 1; i <= ESPAH_LFT_SEQ_SOFT; i++) {
		if (!lt[i])
			continue;
		if (!any)
			print_text("\tlimit");
		print_named_u64(" %s %" PRIu64, lft_attrs[i].name, mnl_attr_get_u64(lt[i]));
		any = true;
	}
	close_obj();
	if (any)
		print_nl();
	add = lt[ESPAH_LFT_ADD_TIME];
	use = lt[ESPAH_LFT_USE_TIME];
	print_u64((add ? PRINT_JSON : 0) | (opt.stats ? PRINT_TEXT : 0), "add-time",
		  "\tlifetime current: add-time %" PRIu64, get_u64(add));
	if (use)
		print_u64(cur, "use-time", " use-time %" PRIu64, mnl_attr_get_u64(use));
	if (opt.stats)
		print_nl();
}

static void print_reorder(const struct nlattr *nest)
{
	uint64_t max, hist[ESPAH_REORDER_BUCKETS];
	unsigned int i, n = reorder_get(nest, &max, hist);

	open_obj("reorder");
	print_u64(PRINT_ANY, "max", "\treorder: max %" PRIu64, max);
	print_text(" hist");
	open_obj("hist");
	for (i = 0; i < n; i++)
		print_named_u64(" %s:%" PRIu64, reorder_names[i], hist[i]);
	close_obj();
	close_obj();
	print_nl();
}

static void print_sa_stats(const struct nlattr *nest)
{
	const struct nlattr *st[ESPAH_SA_STAT_MAX + 1];
	unsigned int i;

	attrs_parse_nest(nest, sa_stat_attrs, ESPAH_SA_STAT_MAX, st);
	print_text("\tstats:");
	open_obj("stats");
	for (i = 1; i <= ESPAH_SA_STAT_MAX; i++)
		if (sa_stat_attrs[i].name)
			print_named_u64(" %s %" PRIu64, sa_stat_attrs[i].name,
					get_u64(st[i]));
	close_obj();
	print_nl();
}

void print_sa(const struct nlattr **tb, const char *prefix)
{
	char src[64], dst[64];
	uint32_t flags = get_u32(tb, ESPAH_A_SA_FLAGS, 0);
	uint16_t fam = tb[ESPAH_A_SA_FAMILY] ? mnl_attr_get_u16(tb[ESPAH_A_SA_FAMILY]) : 0;
	/* text shows the replay line only when there is something to say */
	enum print_to replay = tb[ESPAH_A_SA_REPLAY_WINDOW] || flags ? PRINT_ANY : PRINT_JSON;

	sa_addrs(tb, src, dst, sizeof(src));
	print_text("%s", prefix ? prefix : "");
	print_str(PRINT_ANY, "src", "src %s", src);
	print_str(PRINT_ANY, "dst", " dst %s\n", dst);
	print_str(PRINT_JSON, "family", NULL, family_name(fam));
	print_str(PRINT_ANY, "proto", "\tproto %s",
		  ipsec_proto_name(get_u8(tb, ESPAH_A_SA_PROTO, 0)));
	if (tb[ESPAH_A_SA_SPI])
		print_u64(PRINT_ANY, "spi", " spi 0x%08" PRIx64,
			  ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])));
	if (tb[ESPAH_A_SA_REQID])
		print_u64(PRINT_ANY, "reqid", " reqid %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_SA_REQID]));
	if (tb[ESPAH_A_SA_MODE])
		print_str(PRINT_ANY, "mode", " mode %s",
			  mode_name(mnl_attr_get_u8(tb[ESPAH_A_SA_MODE])));
	if (tb[ESPAH_A_SA_DIR])
		print_str(PRINT_ANY, "dir", " dir %s",
			  dir_name(mnl_attr_get_u8(tb[ESPAH_A_SA_DIR])));
	/* the xfrm interface it serves (espah's own) */
	if (tb[ESPAH_A_SA_IF_ID])
		print_u64(PRINT_ANY, "if-id", " if_id %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_SA_IF_ID]));
	/* native XFRM's SA, carried: ip xfrm's word for the tag */
	if (tb[ESPAH_A_SA_XFRM_IF_ID])
		print_u64(PRINT_ANY, "xfrm-if-id", " xfrm if_id %" PRIu64,
			  mnl_attr_get_u32(tb[ESPAH_A_SA_XFRM_IF_ID]));
	print_nl();
	print_u64(replay, "replay-window", "\treplay-window %" PRIu64,
		  get_u32(tb, ESPAH_A_SA_REPLAY_WINDOW, 0));
	open_arr("flags");
	if (flags & ESPAH_SA_FLAG_ESN)
		print_str(PRINT_ANY, NULL, " flag %s", "esn");
	if (flags & ESPAH_SA_FLAG_ALIGN4)
		print_str(PRINT_ANY, NULL, " flag %s", "align4");
	if (flags & ESPAH_SA_FLAG_NOECN)
		print_str(PRINT_ANY, NULL, " flag %s", "noecn");
	if (flags & ESPAH_SA_FLAG_DECAP_DSCP)
		print_str(PRINT_ANY, NULL, " flag %s", "decap-dscp");
	if (flags & ESPAH_SA_FLAG_NATT_UPDATE)
		print_str(PRINT_ANY, NULL, " flag %s", "natt-update");
	if (flags & ESPAH_SA_FLAG_ICMP)
		print_str(PRINT_ANY, NULL, " flag %s", "icmp");
	if (flags & ESPAH_SA_FLAG_WILDRECV)
		print_str(PRINT_ANY, NULL, " flag %s", "wildrecv");
	if (flags & ~KNOWN_SA_FLAGS)
		print_u64(PRINT_TEXT, NULL, " flag 0x%" PRIx64,
			  flags & ~KNOWN_SA_FLAGS);
	close_arr();
	if (replay & PRINT_TEXT)
		print_nl();
	print_mark(tb, ESPAH_A_SA_MARK, ESPAH_A_SA_MARK_MASK, "mark",
		   "\tmark 0x%x/0x%x\n");
	print_mark(tb, ESPAH_A_SA_OMARK, ESPAH_A_SA_OMARK_MASK, "output-mark",
		   "\toutput-mark 0x%x/0x%x\n");
	print_tunhdr(tb);
	print_algs(tb);
	if (tb[ESPAH_A_SA_ENCAP])
		print_encap(tb[ESPAH_A_SA_ENCAP], fam);
	print_seq(tb, flags & ESPAH_SA_FLAG_ESN);
	print_text("\tsel ");
	open_obj("sel");
	print_sel(tb[ESPAH_A_SA_SEL], fam);
	close_obj();
	print_nl();
	if (tb[ESPAH_A_SA_LIFETIME])
		print_lifetime(tb[ESPAH_A_SA_LIFETIME]);
	if (tb[ESPAH_A_SA_EXPIRE_HARD] && tb[ESPAH_A_SA_EXPIRE_REASON]) {
		uint8_t hard = mnl_attr_get_u8(tb[ESPAH_A_SA_EXPIRE_HARD]);

		print_text("\thard %u", hard);
		print_bool(PRINT_JSON, "hard", NULL, hard);
		print_str(PRINT_ANY, "reason", " reason %s", expire_reason(tb));
		print_nl();
	}
	if (opt.stats && tb[ESPAH_A_SA_REORDER])
		print_reorder(tb[ESPAH_A_SA_REORDER]);
	if (opt.stats && tb[ESPAH_A_SA_STATS])
		print_sa_stats(tb[ESPAH_A_SA_STATS]);
}

/* ---------------------------------------------------------------------- */
/* list / get                                                              */

struct sa_filter {
	struct sa_id id;
	bool has_mode, has_reqid, has_dir;
	uint8_t mode, dir;
	uint32_t reqid;
	unsigned long n;
};

static bool attr_addr_eq(const struct nlattr *na, const struct addr *a)
{
	return na && mnl_attr_get_payload_len(na) == a->len &&
	       !memcmp(mnl_attr_get_payload(na), a->bytes, a->len);
}

static bool sa_match(const struct nlattr **tb, const struct sa_filter *f)
{
	if (f->id.has_src && !attr_addr_eq(tb[ESPAH_A_SA_SRC], &f->id.src))
		return false;
	if (f->id.has_dst && !attr_addr_eq(tb[ESPAH_A_SA_DST], &f->id.dst))
		return false;
	if (f->id.has_proto && get_u8(tb, ESPAH_A_SA_PROTO, 0) != f->id.proto)
		return false;
	if (f->id.has_spi &&
	    (!tb[ESPAH_A_SA_SPI] || ntohl(mnl_attr_get_u32(tb[ESPAH_A_SA_SPI])) != f->id.spi))
		return false;
	if (f->has_mode && get_u8(tb, ESPAH_A_SA_MODE, 0xff) != f->mode)
		return false;
	if (f->has_dir && get_u8(tb, ESPAH_A_SA_DIR, 0xff) != f->dir)
		return false;
	if (f->has_reqid && get_u32(tb, ESPAH_A_SA_REQID, 0) != f->reqid)
		return false;
	return true;
}

static int sa_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_filter *f = data;
	const struct nlattr *tb[ESPAH_A_MAX + 1];

	attrs_parse_msg(nlh, tb);
	if (f && !sa_match(tb, f))
		return MNL_CB_OK;
	open_obj(NULL);
	print_sa(tb, NULL);
	close_obj();
	return MNL_CB_OK;
}

static int state_list(struct args *a)
{
	struct sa_filter f = { 0 };
	struct req r;

	while (a->argc > 0) {
		const char *w;

		if (parse_id_word(a, &f.id))
			continue;
		w = next_arg(a, "argument");
		if (!strcmp(w, "mode")) {
			f.mode = parse_mode(next_arg(a, "mode"));
			f.has_mode = true;
		} else if (!strcmp(w, "reqid")) {
			f.reqid = parse_u32(next_arg(a, "reqid"), "reqid");
			f.has_reqid = true;
		} else if (!strcmp(w, "dir")) {
			w = next_arg(a, "dir");
			if (strcmp(w, "in") && strcmp(w, "out"))
				syntax("invalid dir \"%s\" (expected in or out)", w);
			f.dir = !strcmp(w, "in") ? ESPAH_DIR_IN : ESPAH_DIR_OUT;
			f.has_dir = true;
		} else if (!strcmp(w, "-s") || !strcmp(w, "-stats")) {
			opt.stats++;
		} else if (!strcmp(w, "-j") || !strcmp(w, "-json")) {
			opt.json = true;
		} else {
			syntax("%s: unknown word \"%s\"", a->ctx, w);
		}
	}
	req_init(&r, ESPAH_CMD_SA_GET, 0);
	nl_dump(&r, sa_cb, &f, print_list_begin, print_list_end);
	return 0;
}

static int state_get_del(struct args *a, uint8_t cmd)
{
	struct mark xmark = { 0 };
	struct sa_id id = { 0 };
	struct req r;

	while (a->argc > 0) {
		if (parse_id_word(a, &id))
			continue;
		if (!peek_is(a, "mark") || xmark.set)
			syntax("%s: unknown word \"%s\"", a->ctx, a->argv[0]);
		next_arg(a, "mark");
		parse_mark_arg(a, "mark", &xmark);
	}
	req_init(&r, cmd, 0);
	put_id(&r, &id, false);
	put_mark(&r, ESPAH_A_SA_MARK, ESPAH_A_SA_MARK_MASK, &xmark);
	if (cmd == ESPAH_CMD_SA_GET) {
		nl_transact(&r, sa_cb, NULL);
		print_end_doc();
	} else {
		nl_transact(&r, NULL, NULL);
	}
	return 0;
}

static int state_flush(struct args *a)
{
	struct req r;
	int proto = -1;

	while (a->argc > 0) {
		const char *w = next_arg(a, "argument");

		if (!strcmp(w, "proto"))
			proto = parse_ipsec_proto(next_arg(a, "proto"));
		else
			syntax("%s: unknown word \"%s\"", a->ctx, w);
	}
	req_init(&r, ESPAH_CMD_SA_FLUSH, 0);
	if (proto >= 0)
		req_put_u8(&r, ESPAH_A_SA_PROTO, proto);
	nl_transact(&r, NULL, NULL);
	return 0;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];

	(void)data;
	attrs_parse_msg(nlh, tb);
	if (!tb[ESPAH_A_COUNT]) {
		warnx("warning: reply without a count");
		return MNL_CB_OK;
	}
	open_obj(NULL);
	print_u64(PRINT_ANY, "count", "SAD count %" PRIu64 "\n",
		  mnl_attr_get_u32(tb[ESPAH_A_COUNT]));
	close_obj();
	print_end_doc();
	return MNL_CB_OK;
}

static int state_count(struct args *a)
{
	struct req r;

	if (a->argc > 0)
		syntax("%s: unknown word \"%s\"", a->ctx, a->argv[0]);
	req_init(&r, ESPAH_CMD_SA_COUNT, 0);
	nl_transact(&r, count_cb, NULL);
	return 0;
}

int do_state(struct args *a)
{
	const char *w;

	if (a->argc <= 0) {
		a->ctx = "state list";
		return state_list(a);
	}
	w = next_arg(a, "command");
	if (!strcmp(w, "help")) {
		usage_state(stdout);
		return 0;
	}
	if (!strcmp(w, "add")) {
		a->ctx = "state add";
		return state_modify(a, ESPAH_CMD_SA_ADD);
	}
	if (!strcmp(w, "update")) {
		a->ctx = "state update";
		return state_modify(a, ESPAH_CMD_SA_UPDATE);
	}
	if (matches(w, "delete")) {
		a->ctx = "state delete";
		return state_get_del(a, ESPAH_CMD_SA_DEL);
	}
	if (matches(w, "get")) {
		a->ctx = "state get";
		return state_get_del(a, ESPAH_CMD_SA_GET);
	}
	if (matches(w, "list") || matches(w, "show") || !strcmp(w, "ls")) {
		a->ctx = "state list";
		return state_list(a);
	}
	if (matches(w, "flush")) {
		a->ctx = "state flush";
		return state_flush(a);
	}
	if (matches(w, "count")) {
		a->ctx = "state count";
		return state_count(a);
	}
	syntax("unknown state command \"%s\" (try \"espah state help\")", w);
}
