// SPDX-License-Identifier: GPL-2.0
/*
 * Dummy packets (net/dummy.c): when one is due and when the timer looks
 * again, for the fill-in rule "whenever the SA sent nothing for 1/rate s".
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/time64.h>
#include <uapi/linux/espah.h>

#include <espah/dummy.h>

#include "suites.h"

static void ival(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, espah_dummy_ival(1), (u64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, espah_dummy_ival(10), 100 * (u64)NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, espah_dummy_ival(ESPAH_DUMMY_RATE_MAX),
			(u64)NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, espah_dummy_ival(3), 333333333ULL);
	/* never a division by zero (the policy refuses 0 before) */
	KUNIT_EXPECT_EQ(test, espah_dummy_ival(0), (u64)NSEC_PER_SEC);
}

struct due_case {
	const char *what;
	u64 last, now, ival;
	bool due;
	u64 next;
};

static const struct due_case due_cases[] = {
	{ "just sent: look again an interval after it",
	  1000, 1000, 100, false, 1100 },
	{ "sent within the interval: not due, look when it ends",
	  1000, 1099, 100, false, 1100 },
	{ "silent for exactly the interval: due",
	  1000, 1100, 100, true, 1200 },
	{ "silent for longer (a late timer): due, the next a full interval on",
	  1000, 1350, 100, true, 1450 },
	{ "another CPU sent after now was read: recent traffic",
	  1200, 1100, 100, false, 1300 },
	{ "large clock values, ESN-long uptimes",
	  U64_MAX / 2, U64_MAX / 2 + NSEC_PER_SEC, NSEC_PER_SEC, true,
	  U64_MAX / 2 + 2 * NSEC_PER_SEC },
};

static void due(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(due_cases); i++) {
		const struct due_case *c = &due_cases[i];
		u64 next = 0;

		KUNIT_EXPECT_EQ_MSG(test, espah_dummy_due(c->last, c->now,
							  c->ival, &next),
				    c->due, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, next, c->next, "%s", c->what);
	}
}

/* Fill-in: a simulated second of traffic at a steady rate, the timer
 * firing when espah_dummy_due() says. Traffic at or above the dummy rate
 * makes no dummy; slower traffic is topped up to the rate, never beyond
 * one packet per interval.
 */
static unsigned int simulate(u32 rate, u64 traffic_gap, u64 span)
{
	u64 ival = espah_dummy_ival(rate), last = 0, t = 0, next_real = 0;
	unsigned int dummies = 0;

	espah_dummy_due(last, t, ival, &t);
	while (t <= span) {
		u64 next;

		/* real packets sent up to the timer's expiry */
		while (traffic_gap && next_real <= t) {
			last = next_real;
			next_real += traffic_gap;
		}
		if (espah_dummy_due(last, t, ival, &next)) {
			dummies++;
			last = t;
		}
		t = next;
	}
	return dummies;
}

static void fill_in(struct kunit *test)
{
	const u64 s = NSEC_PER_SEC;

	/* idle: the rate itself, one per interval */
	KUNIT_EXPECT_EQ(test, simulate(10, 0, s), 10U);
	KUNIT_EXPECT_EQ(test, simulate(100, 0, s), 100U);
	/* traffic every 10 ms against 10/s: no dummy */
	KUNIT_EXPECT_EQ(test, simulate(10, 10 * NSEC_PER_MSEC, s), 0U);
	/* traffic exactly at the rate: none either */
	KUNIT_EXPECT_EQ(test, simulate(10, 100 * NSEC_PER_MSEC, s), 0U);
	/* traffic every 250 ms against 10/s: each gap filled with two
	 * dummies, 100 and 200 ms after the real packet
	 */
	KUNIT_EXPECT_EQ(test, simulate(10, 250 * NSEC_PER_MSEC, s), 8U);
}

static struct kunit_case dummy_cases[] = {
	KUNIT_CASE(ival),
	KUNIT_CASE(due),
	KUNIT_CASE(fill_in),
	{}
};

struct kunit_suite espah_dummy_suite = {
	.name = "espah_dummy",
	.test_cases = dummy_cases,
};
