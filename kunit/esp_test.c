// SPDX-License-Identifier: GPL-2.0
/*
 * ESP framing: padding length (RFC 4303 2.4) and trailer checks.
 */
#include <kunit/test.h>
#include <linux/in.h>

#include <espah/esp.h>

#include "suites.h"

struct padlen_case {
	unsigned int len;
	unsigned int align;
	unsigned int pad;
};

static const struct padlen_case padlen_cases[] = {
	{ 0, 4, 2 },	/* 0 + 2 + 2 = 4 */
	{ 1, 4, 1 },
	{ 2, 4, 0 },
	{ 3, 4, 3 },
	{ 100, 4, 2 },
	{ 14, 16, 0 },	/* AES-CBC: 14 + 2 = 16 */
	{ 15, 16, 15 },
	{ 16, 16, 14 },
	{ 1400, 16, 6 },
	{ 6, 8, 0 },	/* 3DES */
	{ 7, 8, 7 },
	{ 84, 1, 0 },	/* no alignment */
	{ 1500, 0, 0 },
};

static void esp_padlen(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(padlen_cases); i++) {
		const struct padlen_case *c = &padlen_cases[i];
		unsigned int pad = espah_esp_padlen(c->len, c->align);

		KUNIT_EXPECT_EQ_MSG(test, pad, c->pad, "len %u align %u",
				    c->len, c->align);
		if (c->align > 1)
			KUNIT_EXPECT_EQ(test, (c->len + pad + 2) % c->align, 0U);
	}
}

static void esp_trailer_roundtrip(struct kunit *test)
{
	unsigned int pad, padlen;
	u8 buf[64], nh;

	for (pad = 0; pad < 32; pad++) {
		memset(buf, 0xee, sizeof(buf));
		espah_esp_trailer_fill(buf + 10, pad, IPPROTO_TCP);
		KUNIT_ASSERT_EQ(test, espah_esp_trailer_check(buf, 10 + pad + 2,
							      &nh, &padlen), 0);
		KUNIT_EXPECT_EQ(test, padlen, pad);
		KUNIT_EXPECT_EQ(test, nh, IPPROTO_TCP);
		if (pad)
			KUNIT_EXPECT_EQ(test, buf[10 + pad - 1], (u8)pad);
		KUNIT_EXPECT_EQ(test, buf[10 + pad], (u8)pad);
	}
}

static void esp_trailer_bad_pad_byte(struct kunit *test)
{
	unsigned int padlen = 77, i;
	u8 buf[32], nh = 0;

	for (i = 0; i < 6; i++) {
		espah_esp_trailer_fill(buf + 8, 6, IPPROTO_UDP);
		buf[8 + i] ^= 0x40;
		KUNIT_EXPECT_EQ_MSG(test, espah_esp_trailer_check(buf, 16, &nh,
								  &padlen),
				    -EBADMSG, "corrupt pad byte %u", i);
	}
	/* Outputs untouched on error. */
	KUNIT_EXPECT_EQ(test, padlen, 77U);
	KUNIT_EXPECT_EQ(test, nh, 0);
}

static void esp_trailer_padlen_too_big(struct kunit *test)
{
	unsigned int padlen;
	u8 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 4 };
	u8 nh;

	/* Pad length 7 needs 9 bytes with the trailer; only 9 - 1 given. */
	buf[6] = 7;
	buf[7] = IPPROTO_TCP;
	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 8, &nh, &padlen),
			-EINVAL);
	/* Exactly the whole payload is padding: valid (empty inner packet). */
	buf[6] = 6;
	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 8, &nh, &padlen), 0);
	KUNIT_EXPECT_EQ(test, padlen, 6U);
	/* 255 bytes of padding claimed in a 2-byte payload. */
	buf[0] = 255;
	buf[1] = IPPROTO_TCP;
	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 2, &nh, &padlen),
			-EINVAL);
}

static void esp_trailer_too_short(struct kunit *test)
{
	unsigned int padlen;
	u8 buf[2] = { 0, IPPROTO_TCP };
	u8 nh;

	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 0, &nh, &padlen),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 1, &nh, &padlen),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, espah_esp_trailer_check(buf, 2, &nh, &padlen), 0);
	KUNIT_EXPECT_EQ(test, nh, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, padlen, 0U);
}

static struct kunit_case esp_cases[] = {
	KUNIT_CASE(esp_padlen),
	KUNIT_CASE(esp_trailer_roundtrip),
	KUNIT_CASE(esp_trailer_bad_pad_byte),
	KUNIT_CASE(esp_trailer_padlen_too_big),
	KUNIT_CASE(esp_trailer_too_short),
	{}
};

struct kunit_suite espah_esp_suite = {
	.name = "espah_esp",
	.test_cases = esp_cases,
};
