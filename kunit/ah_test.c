// SPDX-License-Identifier: GPL-2.0
/*
 * AH (RFC 4302): the mutable-field rules of the ICV computation for IPv4
 * options and IPv6 extension headers (appendix A), and the AH transform
 * (include/espah/crypto.h "AH request layout": everything authenticated
 * as associated data, no plaintext) against known answers:
 *  - HMAC: ../shared/vectors/rfc2202_hmac_sha1.txt case rfc2202-sha1-1,
 *    rfc4868_hmac_sha2_ipsec.txt cases AUTH256-1, AUTH256-3, AUTH384-1,
 *    AUTH512-1 (truncated ICVs);
 *  - AES-GMAC for AH (RFC 4543): draft_mcgrew_gcm_test_01_esp.txt case
 *    mcgrew-p18, the ENCR_NULL_AUTH_AES_GMAC case: GMAC over
 *    SPI | seq | IV | payload with nonce salt | IV is the same computation
 *    AH does over the (zeroed) packet with its IV in the AH header.
 */
#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <espah/ah.h>
#include <espah/crypto.h>

#include "suites.h"

/* 6.1 has no KUNIT_EXPECT_MEMEQ */
#define EXPECT_MEMEQ(test, a, b, n, ...)				\
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp((a), (b), (n)), __VA_ARGS__)

/* ---- IPv4 -------------------------------------------------------------- */

struct ip4_case {
	const char *name;
	u8 in[60];
	u8 out[60];
	unsigned int len;
	int err;
};

/* Base header: tos 0xb8, id 0x1234, DF + offset 0x0a, ttl 0x40, proto AH,
 * checksum 0xbeef, 10.0.0.1 -> 10.0.0.2. Zeroed: tos, flags/offset, ttl,
 * checksum.
 */
#define IP4(ihl, tl)	0x40 | (ihl), 0xb8, 0x00, (tl), 0x12, 0x34, 0x40, 0x0a, \
			0x40, 0x33, 0xbe, 0xef, 10, 0, 0, 1, 10, 0, 0, 2
#define IP4Z(ihl, tl)	0x40 | (ihl), 0x00, 0x00, (tl), 0x12, 0x34, 0x00, 0x00, \
			0x00, 0x33, 0x00, 0x00, 10, 0, 0, 1
#define DST(a, b, c, d)	a, b, c, d

static const struct ip4_case ip4_cases[] = {
	{ "no options", { IP4(5, 20) }, { IP4Z(5, 20), DST(10, 0, 0, 2) },
	  20, 0 },
	{ "router alert covered, NOP covered, EOL ends",
	  { IP4(7, 28), 0x94, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 },
	  { IP4Z(7, 28), DST(10, 0, 0, 2), 0x94, 0x04, 0x00, 0x00, 0x01, 0x00,
	    0x00, 0x00 }, 28, 0 },
	{ "security (130) covered",
	  { IP4(8, 32), 0x82, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x00 },
	  { IP4Z(8, 32), DST(10, 0, 0, 2), 0x82, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8,
	    9, 0x00 }, 32, 0 },
	{ "record route zeroed whole",
	  { IP4(8, 32), 0x01, 0x07, 0x07, 0x04, 1, 2, 3, 4, 0, 0, 0, 0 },
	  { IP4Z(8, 32), DST(10, 0, 0, 2), 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0 }, 32, 0 },
	{ "timestamp zeroed",
	  { IP4(8, 32), 0x44, 0x0c, 0x05, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 },
	  { IP4Z(8, 32), DST(10, 0, 0, 2), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0 }, 32, 0 },
	{ "loose source route: zeroed, destination = last hop",
	  { IP4(8, 32), 0x83, 0x0b, 0x04, 10, 0, 0, 9, 10, 0, 0, 7, 0x00 },
	  { IP4Z(8, 32), DST(10, 0, 0, 7), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x00 }, 32, 0 },
	{ "strict source route: destination = last hop",
	  { IP4(7, 28), 0x89, 0x07, 0x04, 10, 0, 0, 5, 0x00 },
	  { IP4Z(7, 28), DST(10, 0, 0, 5), 0, 0, 0, 0, 0, 0, 0, 0x00 }, 28,
	  0 },
	{ "unknown option zeroed",
	  { IP4(6, 24), 0x9e, 0x04, 0xaa, 0xbb },
	  { IP4Z(6, 24), DST(10, 0, 0, 2), 0, 0, 0, 0 }, 24, 0 },
	{ "option length 1", { IP4(6, 24), 0x94, 0x01, 0x00, 0x00 }, {}, 24,
	  -EINVAL },
	{ "option longer than the header",
	  { IP4(6, 24), 0x94, 0x08, 0x00, 0x00 }, {}, 24, -EINVAL },
	{ "option type without length", { IP4(6, 24), 0x01, 0x01, 0x01, 0x94 },
	  {}, 24, -EINVAL },
	{ "source route without an address",
	  { IP4(6, 24), 0x83, 0x03, 0x04, 0x00 }, {}, 24, -EINVAL },
	{ "shorter than a header", { IP4(5, 20) }, {}, 19, -EINVAL },
};

static void ah_ip4_mutable(struct kunit *test)
{
	unsigned int i;
	u8 buf[60];

	for (i = 0; i < ARRAY_SIZE(ip4_cases); i++) {
		const struct ip4_case *c = &ip4_cases[i];
		int err;

		memcpy(buf, c->in, sizeof(buf));
		err = espah_ah_ip4_mutable(buf, c->len);
		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "%s", c->name);
		if (!err && !c->err)
			EXPECT_MEMEQ(test, buf, c->out, c->len, "%s",
					       c->name);
	}
}

/* ---- IPv6 -------------------------------------------------------------- */

struct ip6_case {
	const char *name;
	u8 in[128];
	u8 out[128];
	unsigned int len;
	int err;
};

#define A6(x)		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (x)
/* version 6, class 0xb8, flow 0x12345, payload 0x40, hop limit 0x3f */
#define IP6(nh)		0x6b, 0x81, 0x23, 0x45, 0x00, 0x40, (nh), 0x3f, A6(1)
#define IP6Z(nh)	0x60, 0x00, 0x00, 0x00, 0x00, 0x40, (nh), 0x00, A6(1)

static const struct ip6_case ip6_cases[] = {
	{ "base header: class, flow label, hop limit zeroed",
	  { IP6(51), A6(2) }, { IP6Z(51), A6(2) }, 40, 0 },
	{ "hop-by-hop: mutable option data zeroed, router alert covered",
	  { IP6(0), A6(2), 51, 1, 0x05, 0x02, 0x00, 0x00,
	    0x3e, 0x04, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x02, 0x00, 0x00 },
	  { IP6Z(0), A6(2), 51, 1, 0x05, 0x02, 0x00, 0x00,
	    0x3e, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00 }, 56,
	  0 },
	{ "destination options: immutable covered, Pad1 and PadN",
	  { IP6(60), A6(2), 51, 0, 0x00, 0x1e, 0x01, 0x77, 0x01, 0x00 },
	  { IP6Z(60), A6(2), 51, 0, 0x00, 0x1e, 0x01, 0x77, 0x01, 0x00 }, 48,
	  0 },
	{ "routing type 0, 1 segment left: as at the destination",
	  { IP6(43), A6(2), 51, 4, 0, 1, 0, 0, 0, 0, A6(3), A6(4) },
	  { IP6Z(43), A6(4), 51, 4, 0, 0, 0, 0, 0, 0, A6(3), A6(2) }, 80, 0 },
	{ "routing type 0, 2 segments left",
	  { IP6(43), A6(2), 51, 4, 0, 2, 0, 0, 0, 0, A6(3), A6(4) },
	  { IP6Z(43), A6(4), 51, 4, 0, 0, 0, 0, 0, 0, A6(2), A6(3) }, 80, 0 },
	{ "routing header at its end: covered as is",
	  { IP6(43), A6(4), 51, 2, 2, 0, 0, 0, 0, 0, A6(9) },
	  { IP6Z(43), A6(4), 51, 2, 2, 0, 0, 0, 0, 0, A6(9) }, 64, 0 },
	{ "routing type 4 with segments left: refused",
	  { IP6(43), A6(2), 51, 2, 4, 1, 0, 0, 0, 0, A6(9) }, {}, 64,
	  -EINVAL },
	{ "fragment header before AH: refused",
	  { IP6(44), A6(2), 51, 0, 0, 0, 0, 0, 0, 1 }, {}, 48, -EINVAL },
	{ "chain does not end at AH",
	  { IP6(0), A6(2), 6, 0, 0x01, 0x04, 0, 0, 0, 0 }, {}, 48, -EINVAL },
	{ "option overruns its header",
	  { IP6(0), A6(2), 51, 0, 0x3e, 0x08, 0, 0, 0, 0 }, {}, 48, -EINVAL },
	{ "header overruns the length",
	  { IP6(0), A6(2), 51, 1, 0x01, 0x04, 0, 0, 0, 0 }, {}, 48, -EINVAL },
};

static void ah_ip6_mutable(struct kunit *test)
{
	unsigned int i;
	u8 buf[128];

	for (i = 0; i < ARRAY_SIZE(ip6_cases); i++) {
		const struct ip6_case *c = &ip6_cases[i];
		int err;

		memcpy(buf, c->in, sizeof(buf));
		err = espah_ah_ip6_mutable(buf, c->len);
		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "%s", c->name);
		if (!err && !c->err)
			EXPECT_MEMEQ(test, buf, c->out, c->len, "%s",
					       c->name);
	}
}

/* ---- the AH transform against known answers ----------------------------- */

struct icv_case {
	const char *name;	/* vector file case */
	const char *alg;
	const char *key;
	const char *data;
	const char *icv;
	unsigned int icv_bits;
};

static const struct icv_case icv_cases[] = {
	{ "rfc2202-sha1-1", "hmac(sha1)",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	  "b617318655057264e28bc0b6", 96 },
	{ "AUTH256-1", "hmac(sha256)",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5", 128 },
	{ "AUTH256-3", "hmac(sha256)",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	  "cdcb1220d1ecccea91e53aba3092f962", 128 },
	{ "AUTH384-1", "hmac(sha384)",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265", "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973",
	  192 },
	{ "AUTH512-1", "hmac(sha512)",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8",
	  256 },
};

/* kunit-managed binary copy of a hex string */
static u8 *unhex(struct kunit *test, const char *hex, unsigned int *len)
{
	u8 *b;

	*len = strlen(hex) / 2;
	b = kunit_kzalloc(test, *len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, hex2bin(b, hex, *len), 0);
	return b;
}

/*
 * One AH request: @buf = authenticated data (@adlen bytes) | ICV slot.
 * Encrypt writes the ICV; decrypt verifies the ICV in the slot.
 */
static int ah_req(struct espah_crypto *c, u8 *buf, unsigned int adlen,
		  u8 *nonce, bool enc)
{
	struct aead_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	req = aead_request_alloc(c->aead, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	sg_init_one(&sg, buf, adlen + c->icv_len);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_crypt(req, &sg, &sg, enc ? 0 : c->icv_len, nonce);
	aead_request_set_ad(req, adlen);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	aead_request_free(req);
	return err;
}

static void ah_icv_hmac(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(icv_cases); i++) {
		const struct icv_case *v = &icv_cases[i];
		struct espah_alg_cfg cfg = { .ah = true, .auth = v->alg };
		unsigned int klen, dlen, ilen;
		struct espah_crypto c;
		u8 *key, *data, *icv, *buf;

		key = unhex(test, v->key, &klen);
		data = unhex(test, v->data, &dlen);
		icv = unhex(test, v->icv, &ilen);
		cfg.auth_key = key;
		cfg.auth_key_len = klen;
		cfg.icv_bits = v->icv_bits;
		KUNIT_ASSERT_EQ_MSG(test, espah_crypto_init(&c, &cfg, NULL), 0,
				    "%s", v->name);
		KUNIT_EXPECT_EQ_MSG(test, c.icv_len, ilen, "%s", v->name);

		buf = kunit_kzalloc(test, dlen + 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		memcpy(buf, data, dlen);
		KUNIT_EXPECT_EQ_MSG(test, ah_req(&c, buf, dlen, NULL, true), 0,
				    "%s", v->name);
		EXPECT_MEMEQ(test, buf + dlen, icv, ilen, "%s ICV",
				       v->name);
		/* the data is left alone: AH never encrypts */
		EXPECT_MEMEQ(test, buf, data, dlen, "%s data",
				       v->name);

		memcpy(buf + dlen, icv, ilen);
		KUNIT_EXPECT_EQ_MSG(test, ah_req(&c, buf, dlen, NULL, false), 0,
				    "%s verify", v->name);
		buf[0] ^= 1;
		memcpy(buf + dlen, icv, ilen);
		KUNIT_EXPECT_EQ_MSG(test, ah_req(&c, buf, dlen, NULL, false),
				    -EBADMSG, "%s tampered", v->name);
		espah_crypto_destroy(&c);
	}
}

/* mcgrew-p18 (RFC 4543 ENCR_NULL_AUTH_AES_GMAC) */
static void ah_icv_gmac(struct kunit *test)
{
	static const char keymat[] = "4c80cdefbb5d10da906ac73c3613a63422433c64";
	static const char iv[] = "0000000000000000";
	static const char aad[] =
		"0000432100000007000000000000000045000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201";
	static const char icvhex[] = "f2a9a836e155106aa8dcd618e4099aaa";
	struct espah_alg_cfg cfg = {
		.ah = true, .aead = "rfc4543(gcm(aes))",
	};
	unsigned int klen, ivlen, dlen, ilen;
	u8 *key, *ivb, *data, *icv, *buf;
	struct espah_crypto c;
	u8 nonce[12];

	key = unhex(test, keymat, &klen);
	ivb = unhex(test, iv, &ivlen);
	data = unhex(test, aad, &dlen);
	icv = unhex(test, icvhex, &ilen);
	cfg.enc_key = key;
	cfg.enc_key_len = klen;
	KUNIT_ASSERT_EQ(test, espah_crypto_init(&c, &cfg, NULL), 0);
	KUNIT_EXPECT_TRUE(test, c.ah_gmac);
	KUNIT_EXPECT_EQ(test, c.iv_len, 8);
	KUNIT_EXPECT_EQ(test, c.icv_len, 16);
	EXPECT_MEMEQ(test, c.salt, key + 16, 4, "mcgrew-p18");

	memcpy(nonce, c.salt, 4);
	memcpy(nonce + 4, ivb, 8);
	buf = kunit_kzalloc(test, dlen + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, data, dlen);
	KUNIT_EXPECT_EQ(test, ah_req(&c, buf, dlen, nonce, true), 0);
	EXPECT_MEMEQ(test, buf + dlen, icv, ilen, "mcgrew-p18");
	EXPECT_MEMEQ(test, buf, data, dlen, "mcgrew-p18");
	KUNIT_EXPECT_EQ(test, ah_req(&c, buf, dlen, nonce, false), 0);
	buf[dlen - 1] ^= 1;
	memcpy(buf + dlen, icv, ilen);
	KUNIT_EXPECT_EQ(test, ah_req(&c, buf, dlen, nonce, false), -EBADMSG);
	espah_crypto_destroy(&c);
}

/* AH SA setup refusals: the attribute is named in the message */
static void ah_setup_refused(struct kunit *test)
{
	static const u8 k32[32], k20[20];
	struct {
		struct espah_alg_cfg cfg;
		const char *attr;
	} cases[] = {
		{ { .ah = true, .auth = "hmac(sha256)", .auth_key = k32,
		    .auth_key_len = 32, .icv_bits = 64 }, "ICV_BITS" },
		{ { .ah = true, .auth = "hmac(sha1)", .auth_key = k20,
		    .auth_key_len = 20, .icv_bits = 128 }, "ICV_BITS" },
		{ { .ah = true, .aead = "rfc4543(gcm(aes))", .enc_key = k20,
		    .enc_key_len = 20, .icv_bits = 96 }, "ICV_BITS" },
		{ { .ah = true, .aead = "rfc4106(gcm(aes))", .enc_key = k20,
		    .enc_key_len = 20 }, "AEAD" },
		{ { .ah = true, .aead = "rfc4543(gcm(aes))", .enc_key = k32,
		    .enc_key_len = 16 }, "ENC_KEY" },
		{ { .ah = true }, "AUTH" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct netlink_ext_ack ext = {};
		struct espah_crypto c;

		KUNIT_EXPECT_EQ_MSG(test, espah_crypto_init(&c, &cases[i].cfg,
							    &ext), -EINVAL,
				    "case %u", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, ext._msg, "case %u", i);
		if (ext._msg)
			KUNIT_EXPECT_NOT_NULL_MSG(test,
						  strstr(ext._msg, cases[i].attr),
						  "case %u: %s", i, ext._msg);
	}
}

static struct kunit_case ah_cases[] = {
	KUNIT_CASE(ah_ip4_mutable),
	KUNIT_CASE(ah_ip6_mutable),
	KUNIT_CASE(ah_icv_hmac),
	KUNIT_CASE(ah_icv_gmac),
	KUNIT_CASE(ah_setup_refused),
	{}
};

struct kunit_suite espah_ah_suite = {
	.name = "espah_ah",
	.test_cases = ah_cases,
};
