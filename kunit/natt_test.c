// SPDX-License-Identifier: GPL-2.0
/*
 * ESP in UDP: what a datagram to an encapsulation port holds (RFC 3948
 * 2.2, 2.3), and the per-namespace set of those ports.
 */
#include <kunit/test.h>
#include <linux/kernel.h>

#include <espah/natt.h>

#include "suites.h"

struct classify_case {
	const char *what;
	u8 data[12];
	unsigned int len;
	enum espah_natt_kind kind;
};

static const struct classify_case classify_cases[] = {
	{ "keepalive", { 0xff }, 1, ESPAH_NATT_KEEPALIVE },
	{ "0xff and more", { 0xff, 0, 0, 1, 0, 0, 0, 1 }, 8, ESPAH_NATT_ESP },
	{ "one other byte", { 0xfe }, 1, ESPAH_NATT_SHORT },
	{ "empty", { 0 }, 0, ESPAH_NATT_SHORT },
	{ "non-ESP marker alone", { 0, 0, 0, 0 }, 4, ESPAH_NATT_IKE },
	{ "IKE", { 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55 }, 12,
	  ESPAH_NATT_IKE },
	{ "3 zero bytes", { 0, 0, 0 }, 3, ESPAH_NATT_SHORT },
	{ "7 bytes", { 0, 0, 1, 0, 0, 0, 1 }, 7, ESPAH_NATT_SHORT },
	{ "ESP header only", { 0, 0, 1, 0, 0, 0, 0, 1 }, 8, ESPAH_NATT_ESP },
	{ "ESP", { 0xc0, 0xff, 0xee, 0, 0, 0, 0, 1, 0xaa }, 12,
	  ESPAH_NATT_ESP },
	{ "SPI with a zero byte first", { 0, 0, 0, 1, 0, 0, 0, 1 }, 8,
	  ESPAH_NATT_ESP },
};

static void natt_classify(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(classify_cases); i++) {
		const struct classify_case *c = &classify_cases[i];

		KUNIT_EXPECT_EQ_MSG(test, espah_natt_classify(c->data, c->len),
				    c->kind, "%s", c->what);
	}
}

static void natt_ports(struct kunit *test)
{
	struct espah_natt_ports p = { };
	unsigned int i;

	KUNIT_EXPECT_FALSE(test, espah_natt_port_used(&p, htons(4500)));
	KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(4500)), 0);
	KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(4500)), 0);
	KUNIT_EXPECT_TRUE(test, espah_natt_port_used(&p, htons(4500)));
	KUNIT_EXPECT_FALSE(test, espah_natt_port_used(&p, htons(500)));
	espah_natt_port_put(&p, htons(4500));
	KUNIT_EXPECT_TRUE(test, espah_natt_port_used(&p, htons(4500)));
	espah_natt_port_put(&p, htons(4500));
	KUNIT_EXPECT_FALSE(test, espah_natt_port_used(&p, htons(4500)));
	KUNIT_EXPECT_EQ(test, p.used, 0U);

	for (i = 0; i < ESPAH_NATT_PORTS; i++)
		KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(5000 + i)),
				0);
	KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(6000)), -ENOSPC);
	/* a port in use still takes more SAs */
	KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(5000)), 0);
	espah_natt_port_put(&p, htons(5003));
	KUNIT_EXPECT_EQ(test, espah_natt_port_get(&p, htons(6000)), 0);
	KUNIT_EXPECT_TRUE(test, espah_natt_port_used(&p, htons(6000)));
	KUNIT_EXPECT_FALSE(test, espah_natt_port_used(&p, htons(5003)));
}

static struct kunit_case natt_cases[] = {
	KUNIT_CASE(natt_classify),
	KUNIT_CASE(natt_ports),
	{}
};

struct kunit_suite espah_natt_suite = {
	.name = "espah_natt",
	.test_cases = natt_cases,
};
