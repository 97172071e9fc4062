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
#include <espah/sa.h>

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
static const struct ip4_case ip4_cases[] = {
	{
		.name = "no options",
		.in = "\x45\xb8\x00\x14\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02",
		.out = "\x45\x00\x00\x14\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02",
		.len = 20,
	},
	{
		.name = "router alert covered, NOP covered, EOL ends",
		.in = "\x47\xb8\x00\x1c\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x94\x04\x00\x00\x01\x00\x00\x00",
		.out = "\x47\x00\x00\x1c\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02\x94\x04\x00\x00\x01\x00\x00\x00",
		.len = 28,
	},
	{
		.name = "security (130) covered",
		.in = "\x48\xb8\x00\x20\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x82\x0b\x01\x02\x03\x04\x05\x06\x07\x08\x09\x00",
		.out = "\x48\x00\x00\x20\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02\x82\x0b\x01\x02\x03\x04\x05\x06\x07\x08\x09\x00",
		.len = 32,
	},
	{
		.name = "record route zeroed whole",
		.in = "\x48\xb8\x00\x20\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x01\x07\x07\x04\x01\x02\x03\x04\x00\x00\x00\x00",
		.out = "\x48\x00\x00\x20\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		.len = 32,
	},
	{
		.name = "timestamp zeroed",
		.in = "\x48\xb8\x00\x20\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x44\x0c\x05\x00\x01\x02\x03\x04\x05\x06\x07\x08",
		.out = "\x48\x00\x00\x20\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		.len = 32,
	},
	{
		.name = "loose source route: zeroed, destination = last hop",
		.in = "\x48\xb8\x00\x20\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x83\x0b\x04\x0a\x00\x00\x09\x0a\x00\x00\x07\x00",
		.out = "\x48\x00\x00\x20\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		.len = 32,
	},
	{
		.name = "strict source route: destination = last hop",
		.in = "\x47\xb8\x00\x1c\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x89\x07\x04\x0a\x00\x00\x05\x00",
		.out = "\x47\x00\x00\x1c\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00",
		.len = 28,
	},
	{
		.name = "unknown option zeroed",
		.in = "\x46\xb8\x00\x18\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x9e\x04\xaa\xbb",
		.out = "\x46\x00\x00\x18\x12\x34\x00\x00\x00\x33\x00\x00\x0a\x00\x00\x01"
			"\x0a\x00\x00\x02\x00\x00\x00\x00",
		.len = 24,
	},
	{
		.name = "option length 1",
		.in = "\x46\xb8\x00\x18\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x94\x01\x00\x00",
		.len = 24,
		.err = -EINVAL,
	},
	{
		.name = "option longer than the header",
		.in = "\x46\xb8\x00\x18\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x94\x08\x00\x00",
		.len = 24,
		.err = -EINVAL,
	},
	{
		.name = "option type without length",
		.in = "\x46\xb8\x00\x18\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x01\x01\x01\x94",
		.len = 24,
		.err = -EINVAL,
	},
	{
		.name = "source route without an address",
		.in = "\x46\xb8\x00\x18\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02\x83\x03\x04\x00",
		.len = 24,
		.err = -EINVAL,
	},
	{
		.name = "shorter than a header",
		.in = "\x45\xb8\x00\x14\x12\x34\x40\x0a\x40\x33\xbe\xef\x0a\x00\x00\x01"
		       "\x0a\x00\x00\x02",
		.len = 19,
		.err = -EINVAL,
	},
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

/* 2001:db8::N addresses; base header: version 6, class 0xb8, flow label
 * 0x12345, payload 0x40, hop limit 0x3f, 2001:db8::1 -> 2001:db8::2
 */
static const struct ip6_case ip6_cases[] = {
	{
		.name = "base header: class, flow label, hop limit zeroed",
		.in = "\x6b\x81\x23\x45\x00\x40\x33\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02",
		.out = "\x60\x00\x00\x00\x00\x40\x33\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x02",
		.len = 40,
	},
	{
		.name = "hop-by-hop: mutable option data zeroed, router alert covered",
		.in = "\x6b\x81\x23\x45\x00\x40\x00\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x01\x05\x02\x00\x00\x3e\x04"
		       "\xaa\xbb\xcc\xdd\x01\x02\x00\x00",
		.out = "\x60\x00\x00\x00\x00\x40\x00\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x02\x33\x01\x05\x02\x00\x00\x3e\x04"
			"\x00\x00\x00\x00\x01\x02\x00\x00",
		.len = 56,
	},
	{
		.name = "destination options: immutable covered, Pad1 and PadN",
		.in = "\x6b\x81\x23\x45\x00\x40\x3c\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x00\x00\x1e\x01\x77\x01\x00",
		.out = "\x60\x00\x00\x00\x00\x40\x3c\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x02\x33\x00\x00\x1e\x01\x77\x01\x00",
		.len = 48,
	},
	{
		.name = "routing type 0, 1 segment left: as at the destination",
		.in = "\x6b\x81\x23\x45\x00\x40\x2b\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x04\x00\x01\x00\x00\x00\x00"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04",
		.out = "\x60\x00\x00\x00\x00\x40\x2b\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x04\x33\x04\x00\x00\x00\x00\x00\x00"
			"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03"
			"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02",
		.len = 80,
	},
	{
		.name = "routing type 0, 2 segments left",
		.in = "\x6b\x81\x23\x45\x00\x40\x2b\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x04\x00\x02\x00\x00\x00\x00"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04",
		.out = "\x60\x00\x00\x00\x00\x40\x2b\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x04\x33\x04\x00\x00\x00\x00\x00\x00"
			"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"
			"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03",
		.len = 80,
	},
	{
		.name = "routing header at its end: covered as is",
		.in = "\x6b\x81\x23\x45\x00\x40\x2b\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x04\x33\x02\x02\x00\x00\x00\x00\x00"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09",
		.out = "\x60\x00\x00\x00\x00\x40\x2b\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
			"\x00\x00\x00\x00\x00\x00\x00\x04\x33\x02\x02\x00\x00\x00\x00\x00"
			"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09",
		.len = 64,
	},
	{
		.name = "routing type 4 with segments left: refused",
		.in = "\x6b\x81\x23\x45\x00\x40\x2b\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x02\x04\x01\x00\x00\x00\x00"
		       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09",
		.len = 64,
		.err = -EINVAL,
	},
	{
		.name = "fragment header before AH: refused",
		.in = "\x6b\x81\x23\x45\x00\x40\x2c\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x00\x00\x00\x00\x00\x00\x01",
		.len = 48,
		.err = -EINVAL,
	},
	{
		.name = "chain does not end at AH",
		.in = "\x6b\x81\x23\x45\x00\x40\x00\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x06\x00\x01\x04\x00\x00\x00\x00",
		.len = 48,
		.err = -EINVAL,
	},
	{
		.name = "option overruns its header",
		.in = "\x6b\x81\x23\x45\x00\x40\x00\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x00\x3e\x08\x00\x00\x00\x00",
		.len = 48,
		.err = -EINVAL,
	},
	{
		.name = "header overruns the length",
		.in = "\x6b\x81\x23\x45\x00\x40\x00\x3f\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x01\x20\x01\x0d\xb8\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x02\x33\x01\x01\x04\x00\x00\x00\x00",
		.len = 48,
		.err = -EINVAL,
	},
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
		EXPECT_MEMEQ(test, buf + dlen, icv, ilen, "%s ICV", v->name);
		/* the data is left alone: AH never encrypts */
		EXPECT_MEMEQ(test, buf, data, dlen, "%s data", v->name);

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
	/* SPI | seq | IV | payload */
	static const u8 aad[] = {
		0x00, 0x00, 0x43, 0x21, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x45, 0x00, 0x00, 0x30, 0xda, 0x3a, 0x00, 0x00,
		0x80, 0x01, 0xdf, 0x3b, 0xc0, 0xa8, 0x00, 0x05,
		0xc0, 0xa8, 0x00, 0x01, 0x08, 0x00, 0xc6, 0xcd,
		0x02, 0x00, 0x07, 0x00, 0x61, 0x62, 0x63, 0x64,
		0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
		0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74,
		0x01, 0x02, 0x02, 0x01,
	};
	static const char icvhex[] = "f2a9a836e155106aa8dcd618e4099aaa";
	struct espah_alg_cfg cfg = {
		.ah = true, .aead = "rfc4543(gcm(aes))",
	};
	unsigned int klen, ivlen, ilen, dlen = sizeof(aad);
	u8 *key, *ivb, *icv, *buf;
	const u8 *data = aad;
	struct espah_crypto c;
	u8 nonce[12];

	key = unhex(test, keymat, &klen);
	ivb = unhex(test, iv, &ivlen);
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

/* The AH header length sent and accepted: IPv4 pads to 64 bits unless
 * flag align4 (native XFRM's rule, which accepts only what it sends),
 * IPv6 always to 64; input takes either IPv4 padding.
 */
static void ah_header_length(struct kunit *test)
{
	static const struct {
		u8 iv, icv;
		u32 flags;
		u16 family;
		unsigned int hlen;
		unsigned int other;	/* also accepted; 0: none */
	} cases[] = {
		{ 0, 12, 0, AF_INET, 24, 0 },	/* hmac(sha1)-96: 24 either way */
		{ 0, 12, ESPAH_SA_FLAG_ALIGN4, AF_INET, 24, 0 },
		{ 0, 16, 0, AF_INET, 32, 28 },	/* hmac(sha256)-128 */
		{ 0, 16, ESPAH_SA_FLAG_ALIGN4, AF_INET, 28, 32 },
		{ 0, 24, 0, AF_INET, 40, 36 },	/* hmac(sha384)-192 */
		{ 0, 16, 0, AF_INET6, 32, 0 },
		{ 0, 16, ESPAH_SA_FLAG_ALIGN4, AF_INET6, 32, 0 },
		{ 8, 16, 0, AF_INET, 40, 36 },	/* rfc4543: 8-byte IV */
		{ 8, 16, ESPAH_SA_FLAG_ALIGN4, AF_INET, 36, 40 },
	};
	struct espah_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);
	unsigned int i, len;

	KUNIT_ASSERT_NOT_NULL(test, sa);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sa->crypto.iv_len = cases[i].iv;
		sa->crypto.icv_len = cases[i].icv;
		sa->flags = cases[i].flags;
		KUNIT_EXPECT_EQ_MSG(test, espah_ah_hlen(sa, cases[i].family),
				    cases[i].hlen, "case %u", i);
		for (len = 12; len <= 64; len += 4) {
			bool ok = len == cases[i].hlen || len == cases[i].other;

			KUNIT_EXPECT_EQ_MSG(test,
					    espah_ah_hlen_ok(sa, cases[i].family, len),
					    ok, "case %u, length %u", i, len);
		}
	}
}

static struct kunit_case ah_cases[] = {
	KUNIT_CASE(ah_ip4_mutable),
	KUNIT_CASE(ah_ip6_mutable),
	KUNIT_CASE(ah_icv_hmac),
	KUNIT_CASE(ah_icv_gmac),
	KUNIT_CASE(ah_setup_refused),
	KUNIT_CASE(ah_header_length),
	{}
};

struct kunit_suite espah_ah_suite = {
	.name = "espah_ah",
	.test_cases = ah_cases,
};
