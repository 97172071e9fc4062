// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SA lifecycle (net/lifecycle.c): lifetime arithmetic for byte,
 * packet and time limits, their edge cases, the datapath accounting that
 * enforces them with its counters, and the reorder histogram
 * (net/replay.c).
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/time64.h>
#include <net/net_namespace.h>
#include <uapi/linux/espah.h>

#include <espah/pernet.h>
#include <espah/replay.h>
#include <espah/sa.h>

#include "suites.h"

#define S(r)	ESPAH_LFT_SOFT(ESPAH_EXPIRE_##r)
#define H(r)	ESPAH_LFT_HARD(ESPAH_EXPIRE_##r)

/* packet-hard N: exactly N pass, the N-th raises hard, N+1 is dropped. */
static void lft_packets(struct kunit *test)
{
	struct espah_lft l = { .soft_packets = 3, .hard_packets = 5 };
	unsigned long ev;
	u64 p;

	for (p = 1; p <= 6; p++) {
		bool ok;

		ev = 0;
		ok = espah_lft_count(&l, p, p * 100, 100, &ev);
		KUNIT_EXPECT_EQ_MSG(test, ok, p <= 5, "packet %llu", p);
		if (!ok) {
			KUNIT_EXPECT_EQ(test, ev, 0UL);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, !!(ev & S(PACKETS)), p >= 3,
				    "packet %llu", p);
		KUNIT_EXPECT_EQ_MSG(test, !!(ev & H(PACKETS)), p == 5,
				    "packet %llu", p);
		KUNIT_EXPECT_EQ(test, ev & ~(S(PACKETS) | H(PACKETS)), 0UL);
	}
}

/* byte-hard B: the packet during which B is reached is the last one. */
static void lft_bytes(struct kunit *test)
{
	struct espah_lft l = { .soft_bytes = 150, .hard_bytes = 250 };
	unsigned long ev = 0;

	KUNIT_EXPECT_TRUE(test, espah_lft_count(&l, 1, 100, 100, &ev));
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_TRUE(test, espah_lft_count(&l, 2, 200, 100, &ev));
	KUNIT_EXPECT_EQ(test, ev, S(BYTES));
	ev = 0;
	KUNIT_EXPECT_TRUE(test, espah_lft_count(&l, 3, 300, 100, &ev));
	KUNIT_EXPECT_EQ(test, ev, S(BYTES) | H(BYTES));
	ev = 0;
	KUNIT_EXPECT_FALSE(test, espah_lft_count(&l, 4, 400, 100, &ev));
	KUNIT_EXPECT_EQ(test, ev, 0UL);

	/* exactly at the limit: that packet is the last */
	l.hard_bytes = 200;
	ev = 0;
	KUNIT_EXPECT_TRUE(test, espah_lft_count(&l, 2, 200, 100, &ev));
	KUNIT_EXPECT_TRUE(test, ev & H(BYTES));
	KUNIT_EXPECT_FALSE(test, espah_lft_count(&l, 3, 201, 1, &ev));
}

/* No limits, and limits far away: nothing happens. */
static void lft_none(struct kunit *test)
{
	struct espah_lft l = { };
	unsigned long ev = 0;

	KUNIT_EXPECT_TRUE(test, espah_lft_count(&l, U64_MAX, U64_MAX, 1, &ev));
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_EQ(test, espah_lft_time(&l, 1, 1, U64_MAX, true, &ev),
			U64_MAX);
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_FALSE(test, espah_lft_has_time(&l));
}

/* Time limits: deadlines, the first one wins, unused SA, soft done. */
static void lft_time(struct kunit *test)
{
	struct espah_lft l = {
		.soft_add = 2, .hard_add = 3, .soft_use = 1, .hard_use = 10,
	};
	u64 add = 5 * NSEC_PER_SEC, next;
	unsigned long ev = 0;

	KUNIT_EXPECT_TRUE(test, espah_lft_has_time(&l));
	/* unused: use limits do not count; next is the soft add deadline */
	next = espah_lft_time(&l, add, 0, add, true, &ev);
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_EQ(test, next, add + 2 * NSEC_PER_SEC);
	/* one ns before: still nothing */
	next = espah_lft_time(&l, add, 0, add + 2 * NSEC_PER_SEC - 1, true,
			      &ev);
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_EQ(test, next, add + 2 * NSEC_PER_SEC);
	/* exactly at it: soft; next is hard */
	next = espah_lft_time(&l, add, 0, add + 2 * NSEC_PER_SEC, true, &ev);
	KUNIT_EXPECT_EQ(test, ev, S(ADD_TIME));
	KUNIT_EXPECT_EQ(test, next, add + 3 * NSEC_PER_SEC);
	/* soft already reported: soft limits are ignored */
	ev = 0;
	next = espah_lft_time(&l, add, 0, add + 2 * NSEC_PER_SEC, false, &ev);
	KUNIT_EXPECT_EQ(test, ev, 0UL);
	KUNIT_EXPECT_EQ(test, next, add + 3 * NSEC_PER_SEC);
	/* used at add + 0.5 s: soft use at add + 1.5 s comes first */
	ev = 0;
	next = espah_lft_time(&l, add, add + NSEC_PER_SEC / 2, add, true, &ev);
	KUNIT_EXPECT_EQ(test, next, add + 3 * NSEC_PER_SEC / 2);
	/* later than everything: both hards and both softs */
	ev = 0;
	next = espah_lft_time(&l, add, add, add + 100 * NSEC_PER_SEC, true,
			      &ev);
	KUNIT_EXPECT_EQ(test, ev, S(ADD_TIME) | H(ADD_TIME) | S(USE_TIME) |
				  H(USE_TIME));
	KUNIT_EXPECT_EQ(test, next, U64_MAX);
	/* a limit beyond the end of time never fires and never wakes */
	l = (struct espah_lft){ .hard_add = U64_MAX / 2 };
	ev = 0;
	KUNIT_EXPECT_EQ(test, espah_lft_time(&l, add, 0, U64_MAX, true, &ev),
			U64_MAX);
	KUNIT_EXPECT_EQ(test, ev, 0UL);
}

/* The datapath accounting: exact drop, its counters, first use, events. */
static void lft_use_counters(struct kunit *test)
{
	u64 before[ESPAH_STAT_MAX + 1], after[ESPAH_STAT_MAX + 1];
	u64 sv[ESPAH_SA_STAT_MAX + 1];
	struct espah_sa *sa;
	int i;

	sa = espah_sa_alloc(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	sa->dir = ESPAH_DIR_OUT;
	sa->lft.soft_packets = 2;
	sa->lft.hard_packets = 3;
	sa->lft.seq_soft = 10;

	espah_stats_sum(&init_net, before);
	KUNIT_EXPECT_EQ(test, atomic64_read(&sa->use_ns), 0LL);
	for (i = 1; i <= 5; i++)
		KUNIT_EXPECT_EQ_MSG(test, espah_sa_lft_use(&init_net, sa, 64, i),
				    i <= 3, "packet %d", i);
	espah_stats_sum(&init_net, after);
	espah_sa_stats_sum(sa, sv);

	KUNIT_EXPECT_NE(test, atomic64_read(&sa->use_ns), 0LL);
	KUNIT_EXPECT_EQ(test, sv[ESPAH_SA_STAT_EXPIRED], 2ULL);
	/* counting the packet itself is the caller's job */
	KUNIT_EXPECT_EQ(test, sv[ESPAH_SA_STAT_PACKETS], 0ULL);
	KUNIT_EXPECT_EQ(test, after[ESPAH_STAT_OUT_EXPIRED] -
			      before[ESPAH_STAT_OUT_EXPIRED], 2ULL);
	KUNIT_EXPECT_EQ(test, after[ESPAH_STAT_IN_EXPIRED],
			before[ESPAH_STAT_IN_EXPIRED]);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sa->lft_events),
			(long)(S(PACKETS) | H(PACKETS)));

	/* sequence numbers: soft when 10 or fewer remain (32-bit space) */
	atomic_long_set(&sa->lft_events, 0);
	sa->lft.hard_packets = 0;
	sa->lft.soft_packets = 0;
	KUNIT_EXPECT_TRUE(test, espah_sa_lft_use(&init_net, sa, 64,
						 U32_MAX - 11));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sa->lft_events), 0L);
	KUNIT_EXPECT_TRUE(test, espah_sa_lft_use(&init_net, sa, 64,
						 U32_MAX - 10));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sa->lft_events),
			(long)S(SEQ));
	/* ESN: the same distance is nowhere near the end */
	atomic_long_set(&sa->lft_events, 0);
	sa->flags = ESPAH_SA_FLAG_ESN;
	KUNIT_EXPECT_TRUE(test, espah_sa_lft_use(&init_net, sa, 64,
						 U32_MAX - 10));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sa->lft_events), 0L);
	espah_sa_put(sa);
}

static void reorder_buckets(struct kunit *test)
{
	static const struct { u64 d; unsigned int b; } t[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 7, 3 },
		{ 8, 4 }, { 31, 5 }, { 32, 6 }, { 63, 6 }, { 64, 7 },
		{ U64_MAX, 7 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		KUNIT_EXPECT_EQ_MSG(test, espah_reorder_bucket(t[i].d), t[i].b,
				    "distance %llu", t[i].d);
}

/* The window records how late accepted packets were, not refused ones. */
static void reorder_window(struct kunit *test)
{
	struct espah_replay *r = espah_replay_alloc(64, false, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, espah_replay_advance(r, 10), 0);	/* in order */
	KUNIT_EXPECT_EQ(test, espah_replay_advance(r, 9), 0);	/* 1 late */
	KUNIT_EXPECT_EQ(test, espah_replay_advance(r, 5), 0);	/* 5 late */
	KUNIT_EXPECT_EQ(test, espah_replay_advance(r, 11), 0);	/* in order */
	KUNIT_EXPECT_NE(test, espah_replay_advance(r, 9), 0);	/* replay */
	KUNIT_EXPECT_EQ(test, r->reorder_max, 5ULL);
	KUNIT_EXPECT_EQ(test, r->reorder_hist[0], 2ULL);
	KUNIT_EXPECT_EQ(test, r->reorder_hist[1], 1ULL);
	KUNIT_EXPECT_EQ(test, r->reorder_hist[3], 1ULL);
	KUNIT_EXPECT_EQ(test, r->reorder_hist[2] + r->reorder_hist[4] +
			      r->reorder_hist[5] + r->reorder_hist[6] +
			      r->reorder_hist[7], 0ULL);
	espah_replay_free(r);
}

static struct kunit_case espah_life_cases[] = {
	KUNIT_CASE(lft_packets),
	KUNIT_CASE(lft_bytes),
	KUNIT_CASE(lft_none),
	KUNIT_CASE(lft_time),
	KUNIT_CASE(lft_use_counters),
	KUNIT_CASE(reorder_buckets),
	KUNIT_CASE(reorder_window),
	{}
};

struct kunit_suite espah_life_suite = {
	.name = "espah_life",
	.test_cases = espah_life_cases,
};
