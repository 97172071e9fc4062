// SPDX-License-Identifier: GPL-2.0
/*
 * fuzzpkt: malformed and mutated ESP/AH packets for espah's inbound path.
 *
 *   fuzzpkt sas
 *	print the SA table as `espah -batch` lines (keys included), and the
 *	inbound and forward policies of the tunnels (print_pols())
 *   fuzzpkt run -o IFOUT -k IFSINK -n COUNT [-s SEED] [-b BATCH] [-t SECS]
 *	send COUNT packets (or until SECS have passed) out of IFOUT, read
 *	what the gateway forwards to IFSINK, print the expected counters
 *
 * Topology (scripts/e2e/t_fuzz_pkt.sh): the generator's namespace has two
 * veths to the gateway, IFOUT (peer: the gateway's eth0, 10.0.12.1 /
 * fd00:12::1, where the SAs are) and IFSINK (peer: the gateway's eth1;
 * 10.0.99.2 / fd00:99::2 are the sink addresses behind it). Everything is
 * built in memory and sent in batches with sendmmsg() on an AF_PACKET
 * socket; the generator pins itself to one CPU so the gateway sees the
 * packets in the order they were built (veth delivers on the sending CPU).
 *
 * Seeded and deterministic. Every packet's fate is predicted from what was
 * built (the generator models espah's checks: length, replay window,
 * trailer, inner header, selector), and the predictions are summed per SA
 * and per namespace; the suite compares them with espah's counters and the
 * gateway's IP counters. Tunnel-mode packets that should be forwarded are
 * recorded by content and matched byte for byte (TTL / hop limit and the
 * IPv4 header checksum aside, which forwarding changes) at IFSINK.
 *
 * Packet classes (per packet, one SA picked at random):
 *  - short: the ESP/AH header cut short (namespace in-malformed)
 *  - no SA: unknown SPIs and the SPI of an outbound SA (in-no-sa; the packet
 *    then goes to the native stack and is delivered to protocol 50/51)
 *  - random: a real SPI, random bytes after it (dropped before or at the
 *    ICV: malformed, replay, old or icv-fail)
 *  - mutated: a correct packet with a bit flipped in seq, IV, ciphertext or
 *    ICV, or its tail cut or extended (same counters as random)
 *  - duplicate: the SA's last ICV-valid packet again (replay or old)
 *  - correct: encrypted/authenticated with the SA's key and a fresh
 *    sequence number, the plaintext mutated: bad padding bytes, pad length
 *    beyond the payload, next header 0/59/255/50/51/17 or the wrong IP
 *    version, inner IP header truncated, inner length bigger or smaller
 *    than the real one, bad inner header checksum, inner source outside
 *    the selector, inner fragments, IPv6 extension headers inside, ESP/AH
 *    nested inside (tunnel: an inner packet to the gateway; AH transport:
 *    AH followed by ESP), AH with its mutable fields changed; or good.
 *    Outer IPv6 packets may carry a hop-by-hop or destination options
 *    header before ESP/AH, and any packet may go out as IP fragments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

static const u8 MAC_FZ0[6] = { 2, 0, 0, 0, 0xf0, 2 };	/* IFOUT */
static const u8 MAC_GW0[6] = { 2, 0, 0, 0, 0xf0, 1 };	/* gateway eth0 */

#define V4(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (d))
static const u32 GW4 = V4(10, 0, 12, 1), PEER4 = V4(10, 0, 12, 2);
static const u32 SINK4 = V4(10, 0, 99, 2);
static const u8 GW6[16] = { 0xfd, 0, 0, 0x12, [15] = 1 };
static const u8 PEER6[16] = { 0xfd, 0, 0, 0x12, [15] = 2 };
static const u8 SINK6[16] = { 0xfd, 0, 0, 0x99, [15] = 2 };

/* --- PRNG (xorshift64*) --------------------------------------------------- */
static u64 rs;
static u64 rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1DULL;
}

static u32 rn(u32 n) { return n ? (u32)(rnd() % n) : 0; }
static int pct(u32 p) { return rn(100) < p; }
static void rbytes(u8 *p, int n)
{
	while (n-- > 0)
		*p++ = (u8)rnd();
}

static void put16(u8 *p, u16 v) { p[0] = v >> 8; p[1] = v; }
static void put32(u8 *p, u32 v) { put16(p, v >> 16); put16(p + 2, v); }
static u16 get16(const u8 *p) { return p[0] << 8 | p[1]; }

static u16 csum(const u8 *p, int n)
{
	u32 s = 0;

	for (; n > 1; p += 2, n -= 2)
		s += get16(p);
	if (n)
		s += p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/* --- the SA table --------------------------------------------------------- */
enum alg { GCM128, GCM256, CHACHA, GMAC, CBC, AH_SHA256, AH_GMAC };

struct sa {
	u32 spi;
	u8 proto;		/* 50 ESP, 51 AH */
	u8 fam;			/* outer: 4 or 6 */
	u8 tunnel;
	u8 ifam;		/* tunnel: inner family */
	u8 alg;
	u8 esn;
	u32 window;
	u32 start;		/* replay-seq (top of the window at start) */
	const char *sel;	/* espah selector words */
	u8 net;			/* tunnel: the inner source prefix, 10.0.NET.0/24
				 * or fd00:NET::/64 (hex digits), 50 if 0
				 */
	/* derived */
	u8 key[36], akey[32];
	int keylen;		/* AEAD: with the 4-byte salt */
	int ivlen, icvlen, block;
	EVP_CIPHER_CTX *ctx;
	/* state */
	u64 seq;		/* last sequence number used */
	u8 last[1600];		/* last ICV-valid packet (IP), for duplicates */
	int lastlen;
	/* expected counters */
	u64 sent, pkts, pad, mal_post, sel_mis, nh59;
};

static struct sa sas[] = {
	{ 0x1001, 50, 4, 1, 4, GCM128, 0, 64, 0, "src 10.0.50.0/24 dst 10.0.0.0/8" },
	{ 0x1002, 50, 4, 0, 4, CBC, 0, 1024, 0,
	  "src 10.0.12.2/32 dst 10.0.12.1/32 proto udp" },
	{ 0x1003, 50, 6, 1, 6, CHACHA, 1, 128, 0xffffff00u, "src fd00:50::/64 dst fd00::/16" },
	{ 0x1004, 50, 6, 0, 6, GCM256, 1, 1u << 20, 0xfffff000u, NULL },
	{ 0x1005, 50, 4, 1, 6, GMAC, 0, 0, 0, "src fd00:52::/64 dst fd00::/16", 52 },
	{ 0x1006, 50, 6, 1, 4, CBC, 1, 256, 0xfffffe00u, "src 10.0.52.0/24 dst 10.0.0.0/8", 52 },
	{ 0x2001, 51, 4, 0, 4, AH_SHA256, 0, 64, 0, NULL },
	{ 0x2002, 51, 6, 1, 6, AH_GMAC, 1, 64, 0xffffff80u, "src fd00:50::/64 dst fd00::/16" },
	{ 0x2003, 51, 4, 1, 4, AH_GMAC, 0, 32, 0, "src 10.0.50.0/24 dst 10.0.0.0/8" },
	{ 0x2004, 51, 6, 0, 6, AH_SHA256, 1, 512, 0xfffffc00u, NULL },
};
#define NSA (sizeof(sas) / sizeof(sas[0]))
/* Inner source prefixes: each tunnel's own (a selector is shared by at
 * most two outer kinds, which the two templates of its policies name; see
 * print_pols()), and one outside every selector.
 */
#define INNER_OUT 51
static u8 inner_net(const struct sa *s) { return s->net ? s->net : 50; }
/* An outbound SA at the gateway's address: its SPI is "no SA" inbound. */
#define OUT_SPI 0x1007

static void sa_init(struct sa *s)
{
	u64 save = rs;
	int i;

	rs = 0x9e3779b97f4a7c15ULL ^ s->spi;
	for (i = 0; i < 4; i++)
		rnd();
	rbytes(s->key, sizeof(s->key));
	rbytes(s->akey, sizeof(s->akey));
	rs = save;
	s->block = 4;
	s->icvlen = 16;
	s->ivlen = 8;
	switch (s->alg) {
	case GCM128: case GMAC: case AH_GMAC:
		s->keylen = 20;
		break;
	case GCM256: case CHACHA:
		s->keylen = 36;
		break;
	case CBC:
		s->keylen = 16;
		s->ivlen = 16;
		s->block = 16;
		break;
	case AH_SHA256:
		s->keylen = 0;
		s->ivlen = 0;
		break;
	}
	s->seq = s->start;
	s->ctx = EVP_CIPHER_CTX_new();
	if (s->alg == CBC)
		EVP_EncryptInit_ex(s->ctx, EVP_aes_128_cbc(), NULL, s->key, NULL);
	else if (s->alg == CHACHA)
		EVP_EncryptInit_ex(s->ctx, EVP_chacha20_poly1305(), NULL, s->key, NULL);
	else if (s->alg == GCM256)
		EVP_EncryptInit_ex(s->ctx, EVP_aes_256_gcm(), NULL, s->key, NULL);
	else if (s->alg != AH_SHA256)
		EVP_EncryptInit_ex(s->ctx, EVP_aes_128_gcm(), NULL, s->key, NULL);
	if (s->alg == CBC)
		EVP_CIPHER_CTX_set_padding(s->ctx, 0);
}

static void hex(const u8 *p, int n)
{
	while (n-- > 0)
		printf("%02x", *p++);
}

static void print_sas(void)
{
	unsigned int i;

	for (i = 0; i < NSA; i++) {
		struct sa *s = &sas[i];

		sa_init(s);
		printf("state add src %s dst %s proto %s spi 0x%x mode %s reqid %u dir in replay-window %u",
		       s->fam == 4 ? "10.0.12.2" : "fd00:12::2",
		       s->fam == 4 ? "10.0.12.1" : "fd00:12::1",
		       s->proto == 50 ? "esp" : "ah", s->spi,
		       s->tunnel ? "tunnel" : "transport", i + 1, s->window);
		if (s->esn)
			printf(" flag esn");
		if (s->start)
			printf(" replay-seq 0x%x", s->start);
		if (s->sel)
			printf(" sel %s", s->sel);
		switch (s->alg) {
		case GCM128: case GCM256:
			printf(" aead rfc4106(gcm(aes)) 0x");
			break;
		case CHACHA:
			printf(" aead rfc7539esp(chacha20,poly1305) 0x");
			break;
		case GMAC: case AH_GMAC:
			printf(" aead rfc4543(gcm(aes)) 0x");
			break;
		case CBC:
			printf(" enc cbc(aes) 0x");
			break;
		case AH_SHA256:
			printf(" auth-trunc hmac(sha256) 0x");
			hex(s->akey, 32);
			printf(" 128\n");
			continue;
		}
		hex(s->key, s->keylen);
		if (s->alg == CBC) {
			printf(" auth-trunc hmac(sha256) 0x");
			hex(s->akey, 32);
		}
		printf(" 128\n");
	}
	printf("state add src 10.0.12.2 dst 10.0.12.1 proto esp spi 0x%x mode tunnel reqid 99 dir out aead rfc4106(gcm(aes)) 0x",
	       OUT_SPI);
	hex(sas[0].key, 20);
	printf(" 128\n");
}

/* The inbound and forward policies of the tunnels' inner selectors: what a
 * tunnel-mode SA decapsulates passes only a protect policy whose templates
 * it satisfies, as in native XFRM. Per selector, one template for each
 * tunnel SA that carries it (at most two: espah's limit), each optional
 * (level use): a packet came through one of them. A nested packet (an
 * inner packet to the gateway, ESP or AH for another SA) has a second
 * entry after the tunnel's: a transport one, which optional templates
 * pass over (net/input.c), or a tunnel one, whose own template admits it
 * (espah refuses no outer entry that no template accounts for; native's
 * secpath_has_nontransport() after the templates would). The transport
 * SAs have no policy: their packets pass without one, as in native.
 */
static void print_pols(void)
{
	static const char *const dirs[] = { "in", "fwd" };
	unsigned int i, j, d, n;

	for (i = 0; i < NSA; i++) {
		const struct sa *s = &sas[i];

		if (!s->tunnel)
			continue;
		for (j = 0; j < i; j++)
			if (sas[j].tunnel && !strcmp(sas[j].sel, s->sel))
				break;
		if (j < i)
			continue;	/* printed with the first of its selector */
		for (d = 0; d < 2; d++) {
			printf("policy add %s dir %s", s->sel, dirs[d]);
			for (j = i, n = 0; j < NSA; j++) {
				const struct sa *t = &sas[j];

				if (!t->tunnel || strcmp(t->sel, s->sel))
					continue;
				if (++n > 2) {
					fprintf(stderr, "fuzzpkt: selector %s: more than two tunnels\n",
						s->sel);
					exit(1);
				}
				printf(" tmpl src %s dst %s proto %s mode tunnel reqid %u level use",
				       t->fam == 4 ? "10.0.12.2" : "fd00:12::2",
				       t->fam == 4 ? "10.0.12.1" : "fd00:12::1",
				       t->proto == 50 ? "esp" : "ah", j + 1);
			}
			printf("\n");
		}
	}
}

/* --- expectations ----------------------------------------------------------- */
static struct {
	u64 logical, frames, nosa, shrt, local4, local6, incsum, sink_exp, flowerr;
	u64 sink_ok, sink_bad, sink_other, cls[16], ahfrag, ahfrag_trunc, fakefrag;
} X;

/* Expected frames at the sink: a hash multiset. */
#define HT_BITS 21
static u64 ht_key[1 << HT_BITS];
static u32 ht_cnt[1 << HT_BITS];

static u64 fnv(const u8 *p, int n)
{
	u64 h = 0xcbf29ce484222325ULL;

	while (n-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h | 1;
}

/* A forwarded packet as the sink sees it, less what forwarding changes. */
static u64 norm_hash(const u8 *ip, int len)
{
	u8 b[1600];

	if (len > (int)sizeof(b))
		return 0;
	memcpy(b, ip, len);
	if ((b[0] >> 4) == 4) {
		b[8] = 0;
		b[10] = b[11] = 0;
	} else {
		b[7] = 0;
	}
	return fnv(b, len);
}

static u32 *ht_slot(u64 k, int insert)
{
	u32 i = (u32)(k >> 7) & ((1 << HT_BITS) - 1);

	while (ht_key[i] && ht_key[i] != k)
		i = (i + 1) & ((1 << HT_BITS) - 1);
	if (!ht_key[i]) {
		if (!insert)
			return NULL;
		ht_key[i] = k;
	}
	return &ht_cnt[i];
}

static void expect_sink(const u8 *ip, int len)
{
	(*ht_slot(norm_hash(ip, len), 1))++;
	X.sink_exp++;
}

/* --- IP headers ----------------------------------------------------------- */
/* IPv4 IDs: 1..0x7fff for whole packets; 0x8000..0xffff for the packets
 * sent as fragments (fragid4, see set_frag_id4), so a fragmented packet's
 * ID is not reused before 32768 more have been sent as fragments
 */
static u16 ipid;
static u32 fragid4;

static int ip4(u8 *p, int paylen, u8 proto, u32 src, u32 dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, 20 + paylen);
	ipid = ipid % 0x7fff + 1;
	put16(p + 4, ipid);
	p[8] = 64;
	p[9] = proto;
	put32(p + 12, src);
	put32(p + 16, dst);
	put16(p + 10, csum(p, 20));
	return 20;
}

static void ip4_fix(u8 *p)
{
	p[10] = p[11] = 0;
	put16(p + 10, csum(p, (p[0] & 15) * 4));
}

static int ip6(u8 *p, int paylen, u8 nh, const u8 *src, const u8 *dst)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, paylen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* Fix the outer length field after the packet changed size. */
static void ip_setlen(u8 *p, int len)
{
	if ((p[0] >> 4) == 4) {
		put16(p + 2, len);
		ip4_fix(p);
	} else {
		put16(p + 4, len - 40);
	}
}

/* 8-byte hop-by-hop or destination options header: one PadN (immutable) */
static int opt6(u8 *p, u8 nh)
{
	p[0] = nh;
	p[1] = 0;
	p[2] = 1;
	p[3] = 4;
	memset(p + 4, 0, 4);
	return 8;
}

/* --- crypto ------------------------------------------------------------------ */
/* ESP: esp points at the ESP header; pt (plaintext incl. trailer, a
 * multiple of the block) at esp + 8 + ivlen. Fills SPI, seq, IV, encrypts
 * in place, appends the ICV. Returns the ESP length.
 */
static int esp_seal(struct sa *s, u64 seq, u8 *esp, int ptlen)
{
	u8 aad[12], nonce[12], *iv = esp + 8, *pt = esp + 8 + s->ivlen;
	int aadlen = s->esn ? 12 : 8, n;

	put32(esp, s->spi);
	put32(esp + 4, (u32)seq);
	memcpy(aad, esp, 4);
	if (s->esn) {
		put32(aad + 4, seq >> 32);
		put32(aad + 8, (u32)seq);
	} else {
		put32(aad + 4, (u32)seq);
	}
	rbytes(iv, s->ivlen);
	if (s->alg == CBC) {
		u8 mac[32], buf[1700];
		unsigned int ml;

		EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, iv);
		EVP_EncryptUpdate(s->ctx, pt, &n, pt, ptlen);
		/* SPI | seq_lo | IV | ciphertext | seq_hi (RFC 4303 2.2.1) */
		memcpy(buf, esp, 8 + s->ivlen + ptlen);
		n = 8 + s->ivlen + ptlen;
		if (s->esn) {
			put32(buf + n, seq >> 32);
			n += 4;
		}
		HMAC(EVP_sha256(), s->akey, 32, buf, n, mac, &ml);
		memcpy(pt + ptlen, mac, 16);
		return 8 + s->ivlen + ptlen + 16;
	}
	memcpy(nonce, s->key + s->keylen - 4, 4);
	memcpy(nonce + 4, iv, 8);
	EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, nonce);
	EVP_EncryptUpdate(s->ctx, NULL, &n, aad, aadlen);
	if (s->alg == GMAC) {
		/* RFC 4543: SPI | seq | IV | payload authenticated, in clear */
		EVP_EncryptUpdate(s->ctx, NULL, &n, iv, 8);
		EVP_EncryptUpdate(s->ctx, NULL, &n, pt, ptlen);
	} else {
		EVP_EncryptUpdate(s->ctx, pt, &n, pt, ptlen);
	}
	EVP_EncryptFinal_ex(s->ctx, pt + ptlen, &n);
	EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_GET_TAG, 16, pt + ptlen);
	return 8 + s->ivlen + ptlen + 16;
}

/* AH header length this SA sends after an IP header of family fam */
static int ah_len(const struct sa *s, int fam, int align8)
{
	int raw = 12 + s->ivlen + s->icvlen;

	return (raw + (fam == 6 || align8 ? 7 : 3)) & ~(fam == 6 || align8 ? 7 : 3);
}

/* AH: pkt is the whole IP packet (len bytes), the AH header at ahoff with
 * everything but the ICV filled in. Computes and writes the ICV.
 */
static void ah_seal(struct sa *s, u64 seq, u8 *pkt, int len, int ahoff)
{
	u8 buf[1700], *ah = buf + ahoff;
	u8 icv[32];
	int n = len;

	memcpy(buf, pkt, len);
	if ((buf[0] >> 4) == 4) {
		buf[1] = 0;		/* TOS */
		buf[6] = buf[7] = 0;	/* flags, fragment offset */
		buf[8] = 0;		/* TTL */
		buf[10] = buf[11] = 0;	/* checksum */
	} else {
		buf[0] &= 0xf0;
		buf[1] = buf[2] = buf[3] = 0;
		buf[7] = 0;
	}
	memset(ah + 12 + s->ivlen, 0, s->icvlen);
	if (s->esn) {
		put32(buf + n, seq >> 32);
		n += 4;
	}
	if (s->alg == AH_SHA256) {
		unsigned int ml;

		HMAC(EVP_sha256(), s->akey, 32, buf, n, icv, &ml);
	} else {
		u8 nonce[12];
		int l;

		memcpy(nonce, s->key + 16, 4);
		memcpy(nonce + 4, pkt + ahoff + 12, 8);
		EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, nonce);
		EVP_EncryptUpdate(s->ctx, NULL, &l, buf, n);
		EVP_EncryptFinal_ex(s->ctx, icv, &l);
		EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_GET_TAG, 16, icv);
	}
	memcpy(pkt + ahoff + 12 + s->ivlen, icv, s->icvlen);
}

/* --- building SA packets ----------------------------------------------------- */
enum padmode { PAD_OK, PAD_BADBYTE, PAD_BIGLEN };

struct opts {
	u32 src4;		/* outer source (nested packets differ) */
	const u8 *src6;
	int ext6;		/* IPv6: 0 none, 1 hop-by-hop, 2 dest options */
	enum padmode pad;
	int align8;		/* AH over IPv4: pad to 64 bits */
};

/* The outer IP header, and an IPv6 options header; returns the offset of
 * ESP/AH. The length is set later (ip_setlen).
 */
static int outer_hdr(const struct sa *s, const struct opts *o, u8 *p)
{
	int off;

	if (s->fam == 4)
		return ip4(p, 0, s->proto, o->src4 ? o->src4 : PEER4, GW4);
	off = ip6(p, 0, s->proto, o->src6 ? o->src6 : PEER6, GW6);
	if (o->ext6) {
		p[6] = o->ext6 == 1 ? 0 : 60;
		off += opt6(p + off, s->proto);
	}
	return off;
}

/* offset of ESP/AH from the outer IP header */
static int esp_off(const struct sa *s, const struct opts *o)
{
	return s->fam == 4 ? 20 : 40 + (o->ext6 ? 8 : 0);
}

/* A packet for SA s with sequence number seq carrying pl (the inner packet
 * in tunnel mode, the transport payload otherwise) with next header nh.
 */
/* the last AH packet built (the outermost one: built last) */
static struct { struct sa *s; u64 seq; int off; } ah_last;

static int build(struct sa *s, u64 seq, const u8 *pl, int pllen, u8 nh,
		 const struct opts *o, u8 *out)
{
	int off = outer_hdr(s, o, out), len;

	if (s->proto == 50) {
		u8 *pt = out + off + 8 + s->ivlen;
		int padlen = (s->block - (pllen + 2) % s->block) % s->block, i;

		if (o->pad == PAD_OK && pct(20))
			padlen += s->block * rn(4);
		if (o->pad == PAD_BADBYTE && !padlen)
			padlen = s->block;
		memcpy(pt, pl, pllen);
		for (i = 0; i < padlen; i++)
			pt[pllen + i] = i + 1;
		if (o->pad == PAD_BADBYTE)
			pt[pllen + rn(padlen)] ^= 1 + rn(255);
		pt[pllen + padlen] = padlen;
		pt[pllen + padlen + 1] = nh;
		if (o->pad == PAD_BIGLEN) {
			/* pad length + 2 beyond the plaintext */
			int ptlen = pllen + padlen + 2;

			if (ptlen - 2 >= 255) {
				/* cannot overstate: make it a bad byte */
				pt[pllen + padlen] = padlen ? padlen : 0;
				if (!padlen)
					return -1;
				pt[pllen] ^= 0x80;
			} else {
				pt[pllen + padlen] = ptlen - 1 + rn(256 - ptlen + 1);
			}
		}
		len = off + esp_seal(s, seq, out + off, pllen + padlen + 2);
		ip_setlen(out, len);
		return len;
	}
	/* AH */
	{
		int ahl = ah_len(s, s->fam, o->align8);
		u8 *ah = out + off;

		ah[0] = nh;
		ah[1] = ahl / 4 - 2;
		ah[2] = ah[3] = 0;
		put32(ah + 4, s->spi);
		put32(ah + 8, (u32)seq);
		rbytes(ah + 12, s->ivlen);
		memset(ah + 12 + s->ivlen, 0, ahl - 12 - s->ivlen);
		memcpy(ah + ahl, pl, pllen);
		len = off + ahl + pllen;
		ip_setlen(out, len);
		ah_seal(s, seq, out, len, off);
		ah_last.s = s;
		ah_last.seq = seq;
		ah_last.off = off;
		return len;
	}
}

static u64 next_seq(struct sa *s)
{
	s->seq += 1 + (pct(10) ? rn(8) : 0);
	if (!s->esn && s->seq > 0xfffffff0u)
		s->seq = 0xfffffff0u;	/* never reached at these counts */
	return s->seq;
}

/* --- inner packets ----------------------------------------------------------- */
/* An inner IP packet to the sink (or dst) from a source in the selector's
 * prefix (or outside it), UDP or ICMP, random payload.
 */
static int inner_pkt(const struct sa *s, u8 *p, int outside, int maxpay)
{
	int pay = rn(maxpay + 1), off, fam = s->ifam;
	u8 l4 = pct(70) ? 17 : (fam == 4 ? 1 : 58);
	u8 net = outside ? INNER_OUT : inner_net(s);

	if (fam == 4) {
		u32 src = V4(10, 0, net, 1 + rn(250));

		off = ip4(p, 8 + pay, l4, src, SINK4);
	} else {
		u8 src[16] = { 0xfd, 0, 0, net / 10 * 16 + net % 10 };

		rbytes(src + 8, 8);
		off = ip6(p, 8 + pay, l4, src, SINK6);
	}
	if (l4 == 17) {
		put16(p + off, 1024 + rn(60000));
		put16(p + off + 2, 9);
		put16(p + off + 4, 8 + pay);
		put16(p + off + 6, 0);
	} else {
		p[off] = fam == 4 ? 8 : 128;
		p[off + 1] = 0;
		put16(p + off + 2, 0);
		put32(p + off + 4, rnd());
	}
	rbytes(p + off + 8, pay);
	return off + 8 + pay;
}

static int prefix_ok(const struct sa *s, const u8 *ip)
{
	/* the tunnel selectors: src 10.0.NET.0/24 or fd00:NET::/64, dst 10/8
	 * or fd00::/16
	 */
	u8 net = inner_net(s);

	if ((ip[0] >> 4) == 4)
		return ip[12] == 10 && ip[13] == 0 && ip[14] == net && ip[16] == 10;
	return ip[8] == 0xfd && ip[9] == 0 && ip[10] == 0 &&
	       ip[11] == net / 10 * 16 + net % 10 &&
	       !memcmp(ip + 12, "\0\0\0\0", 4) && ip[24] == 0xfd && ip[25] == 0;
}

static int ports_ok(u8 p, int avail);

/* espah's flow_ip6_skip(): can the selector fields of this IPv6 packet be
 * read (extension headers before the upper layer all present)?
 */
static int flow6_ok(const u8 *p, int len)
{
	u8 nh = p[6];
	int off = 40;

	for (;;) {
		if (nh == 59)
			return 0;
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			return ports_ok(nh, len - off);
		if (off + 2 > len)
			return 0;
		if (nh == 44) {
			if (off + 4 > len)
				return 0;
			if (get16(p + off + 2) & ~7)
				return 1;
			nh = p[off];
			off += 8;
		} else {
			int l = (p[off + 1] + 1) * 8;

			nh = p[off];
			off += l;
		}
	}
}

/* espah_skb_flow(): the ports (ICMP type and code) of an unfragmented or
 * first packet must be readable: avail bytes of protocol p
 */
static int ports_ok(u8 p, int avail)
{
	switch (p) {
	case 6: case 17: case 136: case 132: case 33:
		return avail >= 4;
	case 1: case 58:
		return avail >= 2;
	}
	return 1;
}

/* --- outcome of a correct (ICV-valid, fresh) packet ------------------------ */
enum { F_PACKETS = 1, F_LOCAL, F_SINK, F_MAL, F_SEL, F_NH59, F_INCSUM, F_NESTED, F_DUMMY,
       F_REINJ_NOSA, F_REINJ_SHORT, F_FLOWERR };

/* Tunnel mode after the trailer: what espah's in_tunnel() and the
 * forwarding path do with inner packet ip (len bytes) and next header nh.
 */
static int tunnel_fate(struct sa *s, const u8 *ip, int len, u8 nh, int *fwdlen)
{
	int fam, l;

	if (nh == 59)
		return F_DUMMY;
	if (nh != 4 && nh != 41)
		return F_MAL;
	fam = nh == 4 ? 4 : 6;
	if (fam == 4) {
		if (len < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
			return F_MAL;
		l = get16(ip + 2);
		if (l < (ip[0] & 15) * 4 || l > len)
			return F_MAL;
	} else {
		if (len < 40 || (ip[0] >> 4) != 6)
			return F_MAL;
		l = get16(ip + 4) + 40;
		if (l > len)
			return F_MAL;
	}
	if (s->ifam != fam || !prefix_ok(s, ip) || (fam == 6 && !flow6_ok(ip, l)) ||
	    (fam == 4 && !(get16(ip + 6) & 0x1fff) &&
	     !ports_ok(ip[9], l - (ip[0] & 15) * 4)))
		return F_SEL;
	*fwdlen = l;
	if (fam == 4 && csum(ip, (ip[0] & 15) * 4))
		return F_INCSUM;
	return F_SINK;
}

/* Count one correct packet of SA s. */
static void count_valid(struct sa *s, int fate, const u8 *inner, int flen)
{
	s->pkts++;
	switch (fate) {
	case F_MAL:
		s->mal_post++;
		break;
	case F_SEL:
		s->sel_mis++;
		break;
	case F_DUMMY:
		s->nh59++;
		break;
	case F_INCSUM:
		X.incsum++;
		break;
	case F_SINK:
		expect_sink(inner, flen);
		break;
	case F_REINJ_SHORT:
		X.shrt++;
		break;
	case F_FLOWERR:
		X.flowerr++;
		break;
	case F_REINJ_NOSA:
		X.nosa++;
		/* then delivered to the native stack */
		__attribute__((fallthrough));
	case F_LOCAL:
		if (s->fam == 4)
			X.local4++;
		else
			X.local6++;
		break;
	}
}

/* --- the packet classes ------------------------------------------------------- */
static u8 pk[2048];	/* the packet being built */
/* for narrowing a failure down (-M -K -F -A): a fixed plaintext mutation,
 * a fixed class, the fragment percentage, a mask of SAs
 */
static int force_m = -1, force_c = -1, frag_pct = 4;
static u32 sa_mask = ~0u;

static void remember(struct sa *s, const u8 *p, int len)
{
	memcpy(s->last, p, len);
	s->lastlen = len;
}

static struct sa *sa_for_dst(int fam)
{
	for (;;) {
		struct sa *s = &sas[rn(NSA)];

		if (s->fam == fam)
			return s;
	}
}

static struct sa *find_sa(u32 spi)
{
	unsigned int i;

	for (i = 0; i < NSA; i++)
		if (sas[i].spi == spi)
			return &sas[i];
	return NULL;
}

/* nf_defrag_ipv6's find_prev_fhdr() on a whole IPv6 packet: it walks the
 * extension headers, AH included, into the payload; a byte 44 (fragment)
 * reached there makes it take the packet for a fragment (held until the
 * reassembly times out, or reassembled into something else). Returns the
 * offset of the byte that names 44, or 0.
 */
static int fake_frag_hdr(const u8 *ip, int len)
{
	int start = 40, rem = len - 40, at = 6, hl;
	u8 nh = ip[6];

	while (nh != 44) {
		if (!(nh == 0 || nh == 43 || nh == 51 || nh == 60) || rem < 2)
			return 0;
		hl = nh == 51 ? (ip[start + 1] + 2) << 2 : (ip[start + 1] + 1) << 3;
		at = start;
		nh = ip[start];
		rem -= hl;
		start += hl;
	}
	return rem < 0 ? 0 : at;
}

static int nested(int fam, u32 src4, const u8 *src6, u8 *out, int ah_only_esp);

/* A correct packet of s with a mutated plaintext; counts its fate. */
static int gen_correct(struct sa *s, struct opts *o, u8 *out, int depth)
{
	u8 in[1600];
	int inlen, fate = 0, flen = 0, len, m;
	u8 nh;
	u64 seq = next_seq(s);

	o->pad = PAD_OK;
	m = rn(100);
	if (force_m >= 0 && depth == 0)
		m = force_m;
	if (s->tunnel) {
		int fam = s->ifam;

		nh = fam == 4 ? 4 : 41;
		inlen = inner_pkt(s, in, 0, 300);
		if (m < 35) {
			/* good */
		} else if (m < 40 && s->proto == 50) {
			o->pad = PAD_BADBYTE;
		} else if (m < 45 && s->proto == 50) {
			o->pad = PAD_BIGLEN;
		} else if (m < 52) {
			static const u8 nhs[] = { 0, 59, 255, 50, 51, 17, 6, 4, 41 };

			nh = nhs[rn(sizeof(nhs))];
		} else if (m < 57) {
			inlen = rn(fam == 4 ? 20 : 40);	/* truncated header */
		} else if (m < 62) {
			/* inner length bigger than the packet */
			if (fam == 4) {
				put16(in + 2, inlen + 1 + rn(100));
				ip4_fix(in);
			} else {
				put16(in + 4, inlen - 40 + 1 + rn(100));
			}
		} else if (m < 68) {
			/* inner length smaller: trimmed, forwarded */
			if (fam == 4) {
				put16(in + 2, 20 + rn(inlen - 20 + 1));
				ip4_fix(in);
			} else {
				put16(in + 4, rn(inlen - 40 + 1));
			}
		} else if (m < 72) {
			/* outside the selector */
			inlen = inner_pkt(s, in, 1, 200);
		} else if (m < 75 && fam == 4) {
			in[10] ^= 1 + rn(255);		/* bad header checksum */
		} else if (m < 78 && fam == 4) {
			in[0] = 0x40 | rn(5);		/* IHL < 5 */
		} else if (m < 81 && fam == 4) {
			/* an inner fragment: forwarded as it is */
			put16(in + 6, pct(50) ? 0x2000 : (u16)(1 + rn(100)));
			ip4_fix(in);
		} else if (m < 84 && fam == 6) {
			/* extension headers inside */
			u8 t[1600];
			int e = 8 * (1 + pct(50));

			int cut = pct(30);

			memcpy(t, in, 40);
			/* hop-by-hop first, or (when cut: a forwarded packet
			 * with its hop-by-hop header cut would be dropped by
			 * ipv6_rcv, InHdrErrors) destination options
			 */
			t[6] = !cut && pct(50) ? 0 : 60;
			opt6(t + 40, e == 16 ? 60 : in[6]);
			if (e == 16)
				opt6(t + 48, in[6]);
			memcpy(t + 40 + e, in + 40, inlen - 40);
			inlen += e;
			put16(t + 4, inlen - 40);
			if (cut)	/* cut inside them */
				put16(t + 4, rn(e));
			memcpy(in, t, inlen);
		} else if (m < 87 && fam == 6) {
			in[6] = 59;			/* no next header */
		} else if (m < 90 && fam == 4) {
			/* TCP header truncated */
			in[9] = 6;
			inlen = 20 + rn(20);
			put16(in + 2, inlen);
			ip4_fix(in);
		} else if (m < 97 && depth == 0) {
			/* ESP/AH nested inside: an inner packet to the gateway */
			/* from inside the tunnel's selector */
			u8 nest6[16] = { 0xfd, 0, 0, inner_net(s) / 10 * 16 + inner_net(s) % 10,
					 [15] = 7 };

			inlen = nested(fam, V4(10, 0, inner_net(s), 7), nest6, in, 0);
			if (inlen > 0) {
				len = build(s, seq, in, inlen, nh, o, out);
				count_valid(s, F_NESTED, NULL, 0);
				remember(s, out, len);
				return len;
			}
			inlen = inner_pkt(s, in, 0, 300);
		}
		if (o->pad == PAD_OK)
			fate = tunnel_fate(s, in, inlen, nh, &flen);
	} else {
		/* transport: an upper-layer payload */
		/* IPv6: no extension header numbers (their handlers may
		 * fail the packet without a delivery count)
		 */
		static const u8 nh4[] = { 17, 17, 17, 6, 1, 58, 0, 59, 255, 50, 51, 41, 4, 60 };
		static const u8 nh6[] = { 17, 17, 17, 6, 58, 1, 59, 255, 50, 51 };

		nh = s->fam == 4 ? nh4[rn(sizeof(nh4))] : nh6[rn(sizeof(nh6))];
		inlen = rn(200);
		rbytes(in, inlen);
		if (nh == 17 && inlen >= 8) {
			put16(in + 2, pct(20) ? rn(65536) : 9);
			put16(in + 4, pct(20) ? rn(65536) : (u32)inlen);
		}
		if (s->proto == 50) {
			if (m < 6)
				o->pad = PAD_BADBYTE;
			else if (m < 12)
				o->pad = PAD_BIGLEN;
		} else if (m < 15 && depth == 0) {
			/* AH followed by ESP (a bundle) */
			u8 t[1600];
			int tl = nested(s->fam, 0, NULL, t, 1);
			int hl = s->fam == 4 ? 20 : 40;

			if (tl > 0) {
				/* the nested packet's outer header is ours */
				len = build(s, seq, t + hl, tl - hl, t[hl == 20 ? 9 : 6],
					    o, out);
				count_valid(s, F_NESTED, NULL, 0);
				remember(s, out, len);
				return len;
			}
		}
		/* IPv6: nf_defrag_ipv6 walks through AH into the payload
		 * (see fake_frag_hdr): no fragment header to be found there,
		 * before or after espah re-injects the packet
		 */
		if (s->fam == 6 && nh == 51) {
			u8 t[1700];
			int at;

			memset(t, 0, 40);
			t[6] = nh;
			memcpy(t + 40, in, inlen);
			while ((at = fake_frag_hdr(t, 40 + inlen)) >= 40)
				t[at] = 59;
			memcpy(in, t + 40, inlen);
		}
		/* the one transport selector (0x1002): 10.0.12.2 -> 10.0.12.1 udp */
		if (s->sel && (nh != 17 || (o->src4 && o->src4 != PEER4) ||
			       inlen < 4))
			fate = F_SEL;
		else
			fate = F_LOCAL;
		if (nh == 59) {
			fate = F_DUMMY;	/* RFC 4303 2.6: discarded, counted */
		} else if (fate == F_LOCAL && (nh == 50 || nh == 51)) {
			/* transport, then ESP or AH: the packet goes through
			 * espah's hook again (a bundle); here random bytes:
			 * too short, or an SPI without an SA
			 */
			int need = nh == 50 ? 8 : 12, so = nh == 50 ? 0 : 4;

			if (inlen < need) {
				fate = F_REINJ_SHORT;
			} else {
				while (find_sa((u32)get16(in + so) << 16 | get16(in + so + 2)))
					in[so] ^= 0x80;
				fate = F_REINJ_NOSA;
			}
		} else if (fate == F_LOCAL && !ports_ok(nh, inlen)) {
			/* ports (ICMP type and code) cut: the gateway has
			 * policies (the tunnels'), so espah's inbound check
			 * fails closed (in-flow-error)
			 */
			fate = F_FLOWERR;
		}
	}
	len = build(s, seq, in, inlen, nh, o, out);
	if (len < 0)
		return -1;
	remember(s, out, len);
	if (o->pad != PAD_OK)
		s->pad++;
	else
		count_valid(s, fate, in, flen);
	return len;
}

/* A correct packet (good payload) for an SA reachable at the gateway's
 * address of family fam, with its own IP header from src: for nesting.
 * ah_only_esp: the bundle case (ESP under AH transport, same header).
 */
static int nested(int fam, u32 src4, const u8 *src6, u8 *out, int esp_only)
{
	struct opts o = { .src4 = src4, .src6 = src6 };
	struct sa *s;
	int i, len;

	for (i = 0; i < 20; i++) {
		s = sa_for_dst(fam);
		if (!esp_only || s->proto == 50)
			break;
	}
	if (esp_only && s->proto != 50)
		return -1;
	s->sent++;
	len = gen_correct(s, &o, out, 1);
	if (len < 0)
		s->sent--;
	return len;
}

static int gen_random(struct sa *s, u8 *out, struct opts *o)
{
	int off = outer_hdr(s, o, out), n = rn(s->proto == 50 ? 160 : 120);
	u8 *h = out + off;

	if (s->proto == 50) {
		if (pct(50))	/* a length that passes the length check */
			n = s->ivlen + s->icvlen + s->block * (1 + rn(20));
		put32(h, s->spi);
		rbytes(h + 4, n + 4);
		off += 8 + n;
	} else {
		int ahl = ah_len(s, s->fam, 0);

		rbytes(h, 12 + n);
		put32(h + 4, s->spi);
		if (pct(60))
			h[1] = ahl / 4 - 2;
		off += 12 + n;
	}
	ip_setlen(out, off);
	return off;
}

static int gen_mutated(struct sa *s, u8 *out, struct opts *o)
{
	u8 in[400];
	int inlen, len, off, m = rn(100);
	u64 seq = next_seq(s);

	if (s->tunnel)
		inlen = inner_pkt(s, in, 0, 200);
	else {
		inlen = rn(100);
		rbytes(in, inlen);
	}
	len = build(s, seq, in, inlen, s->tunnel ? (s->ifam == 4 ? 4 : 41) : 17,
		    o, out);
	if (len < 0)
		return -1;
	off = esp_off(s, o);
	if (m < 20) {
		/* the sequence number */
		out[off + (s->proto == 50 ? 4 : 8) + rn(4)] ^= 1 << rn(8);
	} else if (m < 35 && s->ivlen) {
		out[off + (s->proto == 50 ? 8 : 12) + rn(s->ivlen)] ^= 1 << rn(8);
	} else if (m < 55) {
		/* a byte after the headers (payload) */
		int start = off + (s->proto == 50 ? 8 + s->ivlen : ah_len(s, s->fam, 0));

		if (len - start - (s->proto == 50 ? 16 : 0) > 0)
			out[start + rn(len - start - (s->proto == 50 ? 16 : 0))] ^= 1 << rn(8);
		else
			out[len - 1] ^= 1;
	} else if (m < 70) {
		/* the ICV */
		int icv = s->proto == 50 ? len - 16 : off + 12 + s->ivlen;

		out[icv + rn(16)] ^= 1 << rn(8);
	} else if (m < 80) {
		/* cut, leaving the fixed header readable (else: short) */
		int cut = 1 + rn(20), keep = off + (s->proto == 50 ? 8 : 12);

		if (len - cut < keep)
			cut = len - keep;
		if (cut <= 0)
			cut = 0, out[len - 1] ^= 1;
		len -= cut;
		ip_setlen(out, len);
	} else if (m < 88) {
		int k = 1 + rn(16);	/* extended */

		rbytes(out + len, k);
		len += k;
		ip_setlen(out, len);
	} else if (s->proto == 51 && m < 94) {
		out[off] ^= 1 + rn(255);	/* AH next header (covered) */
	} else if (s->proto == 51) {
		/* the outer source address (covered by AH); IPv4: never
		 * one the gateway's routing drops as a martian (.0, its
		 * own .1, the broadcast .255) before espah sees the packet
		 */
		u8 *b = out + (s->fam == 4 ? 15 : 23), v;

		do
			v = *b ^ (1 + rn(255));
		while (s->fam == 4 && (v == 0 || v == 1 || v == 255));
		*b = v;
		if (s->fam == 4)
			ip4_fix(out);
	} else {
		out[off + 8] ^= 0x40;	/* ESP: first byte after the header */
	}
	return len;
}

enum { C_SHORT, C_NOSA, C_RANDOM, C_MUTATED, C_DUP, C_CORRECT };

/* --- frames and sending ------------------------------------------------------- */
#define MAXB 256
static u8 fbuf[MAXB][1600];
static struct iovec fiov[MAXB];
static struct mmsghdr fmsg[MAXB];
static int nf, tx_fd, rx_fd;
static u64 rx_frames;

static void sink_drain(int wait_ms);

/* /proc/net/softnet_stat, summed over the CPUs: packets dropped at the
 * backlog (column 2) and the backlog's length (column 12)
 */
static int softnet_fd = -1;
static int softnet(u64 *dropped, u64 *backlog)
{
	static char b[16384];
	char *l, *save = NULL;
	int n;

	*dropped = *backlog = 0;
	if (softnet_fd < 0)
		softnet_fd = open("/proc/net/softnet_stat", O_RDONLY);
	if (softnet_fd < 0)
		return -1;
	n = pread(softnet_fd, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return -1;
	b[n] = 0;
	for (l = strtok_r(b, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long v[13];
		int k = sscanf(l, "%lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			       &v[7], &v[8], &v[9], &v[10], &v[11]);

		if (k >= 2)
			*dropped += v[1];
		if (k >= 12)
			*backlog += v[11];
	}
	return 0;
}

/* Pacing: after each batch, wait (up to a second) for the backlog to drain,
 * so the sender never outruns the receiving side's softirq processing.
 */
static u64 pace_waits;
static void pace(void)
{
	u64 d, b;
	double t = 0;

	while (!softnet(&d, &b) && b > 0 && t < 1.0) {
		pace_waits++;
		sink_drain(0);
		usleep(100);
		t += 100e-6;
	}
}

static void flush_frames(void)
{
	int done = 0, r;

	while (done < nf) {
		r = sendmmsg(tx_fd, fmsg + done, nf - done, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				sink_drain(1);
				continue;
			}
			perror("sendmmsg");
			exit(2);
		}
		done += r;
	}
	X.frames += nf;
	nf = 0;
	sink_drain(0);
	pace();
}

static void frame(const u8 *ip, int len)
{
	u8 *f = fbuf[nf];

	memcpy(f, MAC_GW0, 6);
	memcpy(f + 6, MAC_FZ0, 6);
	put16(f + 12, (ip[0] >> 4) == 4 ? 0x0800 : 0x86dd);
	memcpy(f + 14, ip, len);
	fiov[nf].iov_base = f;
	fiov[nf].iov_len = 14 + len;
	fmsg[nf].msg_hdr.msg_iov = &fiov[nf];
	fmsg[nf].msg_hdr.msg_iovlen = 1;
	if (++nf == MAXB)
		flush_frames();
}

static u32 fragid = 1;

/* The kernel's ipv6frag_thdr_truncated() on a first fragment f of n bytes
 * (fragment header at 40): nf_defrag_ipv6 passes such a fragment on
 * unreassembled (RFC 8200 4.5), so espah sees an AH fragment at LOCAL_IN
 * (in-ah-frag when the SPI is an SA's; in-no-sa otherwise, as any ESP/AH
 * packet for an SPI without an SA) and the native reassembly then drops it.
 */
static int first_frag_truncated(const u8 *f, int n)
{
	int off = 48, hl;
	u8 nh = f[40];
	u16 fo = 0;

	while (nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 59 || nh == 60) {
		if (nh == 59 || off + 2 > n)
			return 0;
		if (nh == 44) {
			if (off + 4 > n)
				return 0;
			fo = get16(f + off + 2);
			if (fo & ~7)
				break;
			hl = 8;
		} else if (nh == 51) {
			hl = (f[off + 1] + 2) << 2;
		} else {
			hl = (f[off + 1] + 1) << 3;
		}
		nh = f[off];
		off += hl;
	}
	if (fo & 0xfff8)
		return 0;
	off += nh == 6 ? 20 : nh == 17 || nh == 58 ? 8 : 1;
	return off > n;
}


/* the class of the packet being sent, and whether emit() sent the first
 * fragment of an IPv6 AH packet that will be passed on unreassembled
 */
static int emit_class, emit_trunc;

/* Send an IP packet, whole or as fragments (reassembled before espah). */
static void emit(const u8 *ip, int len, int frag)
{
	u8 f[1600];

	if (!frag || len < 120) {
		frame(ip, len);
		return;
	}
	if ((ip[0] >> 4) == 4) {
		int pay = len - 20, cut = 8 * (8 + rn((pay - 16) / 8 - 8 + 1));
		int order = pct(50);

		if (cut >= pay)
			cut = (pay - 8) & ~7;
		for (int k = 0; k < 2; k++) {
			int first = order ? k == 0 : k == 1;
			int o = first ? 0 : cut, l = first ? cut : pay - cut;

			memcpy(f, ip, 20);
			memcpy(f + 20, ip + 20 + o, l);
			put16(f + 2, 20 + l);
			put16(f + 6, (first ? 0x2000 : 0) | o / 8);
			ip4_fix(f);
			frame(f, 20 + l);
		}
		return;
	}
	if (ip[6] != 50 && ip[6] != 51) {	/* options header first: whole */
		frame(ip, len);
		return;
	}
	{
		int pay = len - 40, cut = 8 * (8 + rn((pay - 16) / 8 - 8 + 1));
		int order = pct(50);
		u32 id = fragid++;
		u8 f0[1600];

		if (cut >= pay)
			cut = (pay - 8) & ~7;
		/* the first fragment, checked as nf_defrag_ipv6 checks it */
		memcpy(f0, ip, 40);
		f0[6] = 44;
		f0[40] = ip[6];
		f0[41] = 0;
		put16(f0 + 42, 1);
		put32(f0 + 44, id);
		memcpy(f0 + 48, ip + 40, cut);
		if (first_frag_truncated(f0, 48 + cut)) {
			/* modelled for packets that fail anyway; others go
			 * whole
			 */
			if (emit_class != C_RANDOM && emit_class != C_MUTATED &&
			    emit_class != C_NOSA) {
				frame(ip, len);
				return;
			}
			emit_trunc = 1;
		}
		for (int k = 0; k < 2; k++) {
			int first = order ? k == 0 : k == 1;
			int o = first ? 0 : cut, l = first ? cut : pay - cut;

			memcpy(f, ip, 40);
			f[6] = 44;
			f[40] = ip[6];
			f[41] = 0;
			put16(f + 42, o | (first ? 1 : 0));
			put32(f + 44, id);
			memcpy(f + 48, ip + 40 + o, l);
			put16(f + 4, 8 + l);
			frame(f, 48 + l);
		}
	}
}

/* --- the sink --------------------------------------------------------------------- */
static void sink_one(const u8 *f, int n)
{
	const u8 *ip = f + 14;
	int len, fam;
	u32 *c;

	rx_frames++;
	if (n < 14 + 20)
		return;
	fam = ip[0] >> 4;
	if (fam == 4 && get16(f + 12) == 0x0800) {
		if (!(ip[12] == 10 && ip[13] == 0 && (ip[14] == 50 || ip[14] == 52))) {
			X.sink_other++;
			return;
		}
		len = get16(ip + 2);
	} else if (fam == 6 && get16(f + 12) == 0x86dd && n >= 14 + 40) {
		if (!(ip[8] == 0xfd && (ip[11] == 0x50 || ip[11] == 0x52))) {
			X.sink_other++;
			return;
		}
		len = get16(ip + 4) + 40;
	} else {
		X.sink_other++;
		return;
	}
	if (len > n - 14) {
		X.sink_bad++;
		return;
	}
	c = ht_slot(norm_hash(ip, len), 0);
	if (c && *c) {
		(*c)--;
		X.sink_ok++;
	} else {
		X.sink_bad++;
		if (X.sink_bad <= 5) {
			fprintf(stderr, "fuzzpkt: unexpected frame at the sink (%d bytes):", len);
			for (int i = 0; i < len && i < 64; i++)
				fprintf(stderr, " %02x", ip[i]);
			fprintf(stderr, "\n");
		}
	}
}

static void sink_drain(int wait_ms)
{
	static u8 rb[32][2048];
	static struct iovec riov[32];
	static struct mmsghdr rmsg[32];
	struct pollfd pfd = { .fd = rx_fd, .events = POLLIN };
	int r, i;

	for (;;) {
		for (i = 0; i < 32; i++) {
			riov[i].iov_base = rb[i];
			riov[i].iov_len = sizeof(rb[i]);
			rmsg[i].msg_hdr.msg_iov = &riov[i];
			rmsg[i].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(rx_fd, rmsg, 32, MSG_DONTWAIT, NULL);
		if (r <= 0) {
			if (wait_ms && poll(&pfd, 1, wait_ms) > 0)
				continue;
			return;
		}
		for (i = 0; i < r; i++)
			sink_one(rb[i], rmsg[i].msg_len);
	}
}

static int pkt_socket(const char *ifname, int rx)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(rx ? ETH_P_ALL : 0)), one = 1;
	int big = 64 << 20;

	if (fd < 0) {
		perror("socket(AF_PACKET)");
		exit(2);
	}
	sll.sll_ifindex = if_nametoindex(ifname);
	sll.sll_protocol = htons(rx ? ETH_P_ALL : 0);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "fuzzpkt: no interface %s\n", ifname);
		exit(2);
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("bind");
		exit(2);
	}
	if (rx) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
		setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	} else {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	}
	return fd;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* --- one logical packet --------------------------------------------------------- */

/* An IPv4 packet about to go out as fragments gets the next ID of the
 * fragment range; a correct AH packet is sealed again (the ID is covered
 * by the ICV).
 */
static void set_frag_id4(struct sa *s, int c, int len)
{
	put16(pk + 4, 0x8000 | (fragid4++ & 0x7fff));
	ip4_fix(pk);
	if (c == C_CORRECT && s->proto == 51 && pk[9] == 51 && ah_last.s == s) {
		ah_seal(s, ah_last.seq, pk, len, ah_last.off);
		remember(s, pk, len);
	}
}

static void one_packet(void)
{
	struct sa *s = &sas[rn(NSA)];
	struct opts o = { 0 };
	int c = rn(100), len = -1, fam, frag;

	while (!(sa_mask & 1u << (s - sas)))
		s = &sas[rn(NSA)];
	fam = s->fam;
	if (force_c >= 0)
		c = (int[]){ 0, 2, 6, 30, 50, 54 }[force_c];

	if (fam == 6 && pct(15))
		o.ext6 = 1 + rn(2);
	if (s->proto == 51 && fam == 4 && pct(20))
		o.align8 = 1;
	if (c < 2) {
		/* ESP/AH header cut short */
		int off = outer_hdr(s, &o, pk), n = rn(s->proto == 50 ? 8 : 12);

		put32(pk + off, s->spi);
		if (n < 4)
			rbytes(pk + off, n);
		ip_setlen(pk, off + n);
		len = off + n;
		X.shrt++;
		c = C_SHORT;
	} else if (c < 6) {
		/* an SPI without an inbound SA */
		int off = outer_hdr(s, &o, pk), n = 12 + rn(100);
		u32 spi = pct(30) ? OUT_SPI : (u32)rnd();

		while (find_sa(spi))
			spi++;
		rbytes(pk + off, n);
		put32(pk + off + (s->proto == 50 ? 0 : 4), spi);
		if (s->proto == 51)
			pk[off + 1] = rn(4) + 3;
		len = off + n;
		ip_setlen(pk, len);
		if (fam == 4)
			X.local4++;
		else
			X.local6++;
		X.nosa++;
		c = C_NOSA;
	} else if (c < 30) {
		len = gen_random(s, pk, &o);
		s->sent++;
		c = C_RANDOM;
	} else if (c < 50) {
		len = gen_mutated(s, pk, &o);
		s->sent++;
		c = C_MUTATED;
	} else if (c < 54 && s->lastlen && s->window) {
		len = s->lastlen;
		memcpy(pk, s->last, len);
		s->sent++;
		c = C_DUP;
	} else {
		int ttl = 0, tos = 0;

		s->sent++;
		len = gen_correct(s, &o, pk, 0);
		if (len < 0) {
			/* nothing sent: take it back */
			s->sent--;
			return;
		}
		/* AH: mutable fields may change in flight */
		if (s->proto == 51 && pct(20)) {
			ttl = 1 + rn(255);
			tos = rn(64) << 2 | rn(3);
			/* DSCP changes, ECN stays Not-ECT (a CE mark would
			 * be copied to the inner header the sink compares)
			 */
			if (fam == 4) {
				pk[8] = ttl;
				pk[1] = tos & ~3;
				ip4_fix(pk);
			} else {
				tos &= ~3;
				pk[7] = ttl;
				pk[0] = 0x60 | tos >> 4;
				pk[1] = (tos & 0x0f) << 4 | rn(16);
				pk[2] = rn(256);
				pk[3] = rn(256);
			}
		}
		c = C_CORRECT;
	}
	X.cls[c]++;
	X.logical++;
	frag = len > 0 && pct(frag_pct);
	if (frag && (pk[0] >> 4) == 4 && len >= 120)
		set_frag_id4(s, c, len);
	if ((pk[0] >> 4) == 6 && len > 40 &&
	    !(frag && len >= 120 && (pk[6] == 50 || pk[6] == 51))) {
		/* sent whole: no byte may pass for a fragment header */
		int at;

		while ((at = fake_frag_hdr(pk, len))) {
			if (c == C_CORRECT) {
				X.fakefrag++;
				break;
			}
			/* a packet that fails anyway (or has no SA) */
			pk[at] = 59;
		}
	}
	emit_class = c;
	emit_trunc = 0;
	emit(pk, len, frag);
	if (emit_trunc) {
		/* the first fragment: an SA's SPI: dropped by espah (in-ah-frag);
		 * none: counted by espah as an SPI it has no SA for (in-no-sa,
		 * as every ESP/AH packet for such an SPI), then dropped by the
		 * native reassembly, not delivered
		 */
		X.ahfrag_trunc++;
		if (c == C_NOSA) {
			X.local6--;
		} else {
			s->sent--;
			X.ahfrag++;
		}
	}
}

int main(int argc, char **argv)
{
	const char *ifout = NULL, *ifsink = NULL;
	u64 n = 1000, seed = 1, i;
	double tmax = 0, t0, t1;
	int opt, batch = MAXB;
	cpu_set_t cs;
	unsigned int k;
	u64 drop0 = 0, drop1 = 0, bl;
	struct tpacket_stats ps = { 0 };
	socklen_t psl = sizeof(ps);

	if (argc > 1 && !strcmp(argv[1], "sas")) {
		print_sas();
		print_pols();
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: fuzzpkt sas | fuzzpkt run -o IF -k IF -n N [-s SEED] [-b BATCH] [-t SECS]\n");
		return 2;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "o:k:n:s:b:t:M:K:F:A:")) != -1) {
		switch (opt) {
		case 'o': ifout = optarg; break;
		case 'k': ifsink = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'b': batch = atoi(optarg); break;
		case 't': tmax = atof(optarg); break;
		case 'M': force_m = atoi(optarg); break;
		case 'K': force_c = atoi(optarg); break;
		case 'F': frag_pct = atoi(optarg); break;
		case 'A': sa_mask = strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (!ifout || !ifsink || batch < 1 || batch > MAXB)
		return 2;
	CPU_ZERO(&cs);
	CPU_SET(0, &cs);
	sched_setaffinity(0, sizeof(cs), &cs);
	for (k = 0; k < NSA; k++)
		sa_init(&sas[k]);
	rs = seed * 0x9e3779b97f4a7c15ULL + 0x1234567;
	tx_fd = pkt_socket(ifout, 0);
	rx_fd = pkt_socket(ifsink, 1);
	sink_drain(0);
	rx_frames = 0;
	X.sink_other = 0;
	softnet(&drop0, &bl);

	t0 = now();
	for (i = 0; i < n; i++) {
		one_packet();
		if (nf >= batch)
			flush_frames();
		if (tmax && !(i & 1023) && now() - t0 > tmax)
			break;
	}
	flush_frames();
	t1 = now();
	/* what is still on its way to the sink */
	sink_drain(1500);
	softnet(&drop1, &bl);
	getsockopt(rx_fd, SOL_PACKET, PACKET_STATISTICS, &ps, &psl);

	printf("seed %llu\n", (unsigned long long)seed);
	printf("logical %llu\n", (unsigned long long)X.logical);
	printf("frames %llu\n", (unsigned long long)X.frames);
	printf("seconds %.1f\n", t1 - t0);
	printf("rate %.0f\n", X.logical / (t1 - t0));
	printf("class short %llu nosa %llu random %llu mutated %llu dup %llu correct %llu\n",
	       (unsigned long long)X.cls[C_SHORT], (unsigned long long)X.cls[C_NOSA],
	       (unsigned long long)X.cls[C_RANDOM], (unsigned long long)X.cls[C_MUTATED],
	       (unsigned long long)X.cls[C_DUP], (unsigned long long)X.cls[C_CORRECT]);
	printf("nosa %llu\nshort %llu\nlocal4 %llu\nlocal6 %llu\nincsum %llu\n",
	       (unsigned long long)X.nosa, (unsigned long long)X.shrt,
	       (unsigned long long)X.local4, (unsigned long long)X.local6,
	       (unsigned long long)X.incsum);
	printf("flowerr %llu\n", (unsigned long long)X.flowerr);
	printf("sink_exp %llu\nsink_ok %llu\nsink_bad %llu\nsink_other %llu\n",
	       (unsigned long long)X.sink_exp, (unsigned long long)X.sink_ok,
	       (unsigned long long)X.sink_bad, (unsigned long long)X.sink_other);
	/* losses outside espah: the backlog (global), the sink socket */
	printf("ahfrag %llu\nahfrag_trunc %llu\nfakefrag %llu\n",
	       (unsigned long long)X.ahfrag, (unsigned long long)X.ahfrag_trunc,
	       (unsigned long long)X.fakefrag);
	printf("softnet_drop %llu\nsink_drop %u\npace_waits %llu\n",
	       (unsigned long long)(drop1 - drop0), ps.tp_drops,
	       (unsigned long long)pace_waits);
	for (k = 0; k < NSA; k++) {
		struct sa *s = &sas[k];

		printf("sa 0x%x sent %llu packets %llu pad %llu mal_post %llu sel %llu nh59 %llu seq 0x%llx\n",
		       s->spi, (unsigned long long)s->sent,
		       (unsigned long long)s->pkts, (unsigned long long)s->pad,
		       (unsigned long long)s->mal_post,
		       (unsigned long long)s->sel_mis, (unsigned long long)s->nh59,
		       (unsigned long long)s->seq);
	}
	return 0;
}
