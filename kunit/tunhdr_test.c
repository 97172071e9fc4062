// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel header rules (net/tunhdr.c): RFC 6040's decapsulation table, all
 * sixteen cells, with and without noecn and decap-dscp; the outer DS field
 * and DF bit for each choice an SA has.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <net/inet_ecn.h>
#include <uapi/linux/espah.h>

#include <espah/tunhdr.h>

#include "suites.h"

#define N INET_ECN_NOT_ECT
#define E0 INET_ECN_ECT_0
#define E1 INET_ECN_ECT_1
#define CE INET_ECN_CE
#define DROP ESPAH_TUNHDR_DROP

/* RFC 6040 4.2, figure 4, as printed: [inner][outer] (by value: ECT(1)
 * is 1 and ECT(0) is 2 in the header)
 */
static const int fig4[4][4] = {
	[N] =  { [N] = N,  [E0] = N,  [E1] = N,  [CE] = DROP },
	[E0] = { [N] = E0, [E0] = E0, [E1] = E1, [CE] = CE },
	[E1] = { [N] = E1, [E0] = E1, [E1] = E1, [CE] = CE },
	[CE] = { [N] = CE, [E0] = CE, [E1] = CE, [CE] = CE },
};

static const char *const ecn_name[4] = {
	[N] = "Not-ECT", [E0] = "ECT(0)", [E1] = "ECT(1)", [CE] = "CE",
};

static void decap_ecn_table(struct kunit *test)
{
	u8 in, out;

	for (in = 0; in < 4; in++)
		for (out = 0; out < 4; out++)
			KUNIT_EXPECT_EQ_MSG(test,
					    espah_tunhdr_decap_ecn(out, in),
					    fig4[in][out],
					    "inner %s, outer %s", ecn_name[in],
					    ecn_name[out]);
}

/* The DS field around it: the DSCP bits never change the ECN result, and
 * the inner DSCP stays unless decap-dscp; noecn leaves ECN alone and
 * drops nothing.
 */
static void decap_ds_all(struct kunit *test)
{
	static const u8 dscp_in = 0x2e << 2, dscp_out = 0x0a << 2;
	u8 in, out;
	int flags;

	for (flags = 0; flags < 4; flags++) {
		bool noecn = flags & 1, decap_dscp = flags & 2;

		for (in = 0; in < 4; in++) {
			for (out = 0; out < 4; out++) {
				int got = espah_tunhdr_decap_ds(dscp_out | out,
								dscp_in | in,
								noecn,
								decap_dscp);
				int want;

				if (noecn)
					want = in;
				else
					want = fig4[in][out];
				if (want != DROP)
					want |= decap_dscp ? dscp_out : dscp_in;
				KUNIT_EXPECT_EQ_MSG(test, got, want,
						    "inner %s, outer %s, noecn %d, decap-dscp %d",
						    ecn_name[in], ecn_name[out],
						    noecn, decap_dscp);
			}
		}
	}
}

/* The drop is the only one: no other DS pair drops. */
static void decap_ds_drop_only_ce_over_not_ect(struct kunit *test)
{
	unsigned int in, out;

	for (in = 0; in < 256; in++)
		for (out = 0; out < 256; out++)
			KUNIT_EXPECT_EQ(test,
					espah_tunhdr_decap_ds(out, in, false, false) == DROP,
					(in & 3) == N && (out & 3) == CE);
}

static void encap_ds(struct kunit *test)
{
	u8 ecn;

	for (ecn = 0; ecn < 4; ecn++) {
		/* copy: the whole field, CE included (RFC 6040 4.1) */
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn,
							    ESPAH_TUNHDR_DSCP_COPY,
							    false), 0xb8 | ecn);
		/* a fixed DSCP keeps the inner ECN */
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn, 10,
							    false),
				(10 << 2) | ecn);
		/* 0: dont-encap-dscp */
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn, 0,
							    false), ecn);
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn, 63,
							    false),
				0xfc | ecn);
		/* noecn: Not-ECT outer, the DSCP as without it */
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn,
							    ESPAH_TUNHDR_DSCP_COPY,
							    true), 0xb8);
		KUNIT_EXPECT_EQ(test, espah_tunhdr_encap_ds(0xb8 | ecn, 1, true),
				4);
	}
}

static void encap_df(struct kunit *test)
{
	/* copy: the inner IPv4 DF; an inner IPv6 packet gets DF */
	KUNIT_EXPECT_TRUE(test, espah_tunhdr_encap_df(ESPAH_DF_COPY, AF_INET,
						      true));
	KUNIT_EXPECT_FALSE(test, espah_tunhdr_encap_df(ESPAH_DF_COPY, AF_INET,
						       false));
	KUNIT_EXPECT_TRUE(test, espah_tunhdr_encap_df(ESPAH_DF_COPY, AF_INET6,
						      false));
	/* clear and set: whatever the inner packet */
	KUNIT_EXPECT_FALSE(test, espah_tunhdr_encap_df(ESPAH_DF_CLEAR, AF_INET,
						       true));
	KUNIT_EXPECT_FALSE(test, espah_tunhdr_encap_df(ESPAH_DF_CLEAR, AF_INET6,
						       false));
	KUNIT_EXPECT_TRUE(test, espah_tunhdr_encap_df(ESPAH_DF_SET, AF_INET,
						      false));
	KUNIT_EXPECT_TRUE(test, espah_tunhdr_encap_df(ESPAH_DF_SET, AF_INET6,
						      false));
}

static struct kunit_case tunhdr_cases[] = {
	KUNIT_CASE(decap_ecn_table),
	KUNIT_CASE(decap_ds_all),
	KUNIT_CASE(decap_ds_drop_only_ce_over_not_ect),
	KUNIT_CASE(encap_ds),
	KUNIT_CASE(encap_df),
	{}
};

struct kunit_suite espah_tunhdr_suite = {
	.name = "espah_tunhdr",
	.test_cases = tunhdr_cases,
};
