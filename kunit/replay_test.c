// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: anti-replay window and ESN inference (net/replay.c).
 *
 * Three parts: allocation geometry; scripted scenarios (each a table of
 * check/advance/infer steps with the exact result expected, and a byte
 * comparison proving check and infer leave the state alone); and a sweep
 * per window size that fills the whole window, jumps by amounts around
 * the word, window and ring sizes, and checks every number in the window.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/espah.h>

#include <espah/replay.h>

#include "suites.h"

#define WMAX	ESPAH_REPLAY_WINDOW_MAX
#define SUB	0x100000000ULL	/* 2^32: one ESN subspace */

struct rp_alloc_ctx {
	u32 size;
	bool esn;
};

static int rp_res_init(struct kunit_resource *res, void *context)
{
	struct rp_alloc_ctx *ctx = context;

	res->data = espah_replay_alloc(ctx->size, ctx->esn, GFP_KERNEL);
	return res->data ? 0 : -ENOMEM;
}

static void rp_res_free(struct kunit_resource *res)
{
	espah_replay_free(res->data);
}

/* A window freed automatically when the test case ends, even on failure. */
static struct espah_replay *rp_new(struct kunit *test, u32 size, bool esn)
{
	struct rp_alloc_ctx ctx = { .size = size, .esn = esn };

	return kunit_alloc_resource(test, rp_res_init, rp_res_free, GFP_KERNEL,
				    &ctx);
}

static u32 rp_words(const struct espah_replay *r)
{
	return r->size ? (r->mask + 1) / BITS_PER_LONG : 0;
}

static size_t rp_bytes(const struct espah_replay *r)
{
	return struct_size(r, bmp, rp_words(r));
}

/* ---- allocation geometry ------------------------------------------------ */

static const u32 alloc_sizes[] = {
	0, 1, 31, 32, 33, 63, 64, 65, 1000, 1024, 65536, WMAX - 1, WMAX,
};

static void alloc_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "w%u", *size);
}

KUNIT_ARRAY_PARAM(alloc_size, alloc_sizes, alloc_size_desc);

static void replay_alloc_geometry(struct kunit *test)
{
	const u32 size = *(const u32 *)test->param_value;
	struct espah_replay *r = rp_new(test, size, size & 1);
	u32 w;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->size, size);
	KUNIT_EXPECT_EQ(test, r->esn, (bool)(size & 1));
	KUNIT_EXPECT_EQ(test, r->top, 0ULL);
	if (!size) {
		KUNIT_EXPECT_EQ(test, r->mask, 0U);
		return;
	}
	/* ring: a power of two of bits, at least one spare word, not wasteful */
	KUNIT_EXPECT_TRUE(test, is_power_of_2((u64)r->mask + 1));
	KUNIT_EXPECT_GE(test, (u64)r->mask + 1, (u64)size + BITS_PER_LONG);
	KUNIT_EXPECT_LT(test, (u64)r->mask + 1, 2 * ((u64)size + BITS_PER_LONG));
	for (w = 0; w < rp_words(r); w++)
		if (r->bmp[w])
			break;
	KUNIT_EXPECT_EQ_MSG(test, w, rp_words(r), "fresh ring not clear");
}

static void replay_alloc_too_big(struct kunit *test)
{
	struct espah_replay *r;

	r = espah_replay_alloc(WMAX + 1, false, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, r);
	espah_replay_free(r);
	r = espah_replay_alloc(U32_MAX, true, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, r);
	espah_replay_free(r);
	espah_replay_free(NULL);
}

/* ---- scripted scenarios ------------------------------------------------- */

enum rp_op {
	RP_END,
	RP_SET,	/* set_top(arg) */
	RP_CHK,	/* check(arg) == err, state unchanged */
	RP_ADV,	/* advance(arg) == err, then top == want */
	RP_INF,	/* infer((u32)arg) == want, state unchanged */
};

struct rp_step {
	enum rp_op op;
	u64 arg;
	int err;
	u64 want;
};

#define SET(t)		{ .op = RP_SET, .arg = (t) }
#define CHK(s, e)	{ .op = RP_CHK, .arg = (s), .err = (e) }
#define ADV(s, e, t)	{ .op = RP_ADV, .arg = (s), .err = (e), .want = (t) }
#define INF(lo, v)	{ .op = RP_INF, .arg = (lo), .want = (v) }

struct rp_case {
	const char *name;
	u32 size;
	bool esn;
	struct rp_step steps[24];
};

static const struct rp_case rp_cases[] = {
	{ "in_order_w32", 32, false, {
		ADV(1, 0, 1), ADV(2, 0, 2), ADV(3, 0, 3), ADV(4, 0, 4),
		CHK(1, -EEXIST), CHK(4, -EEXIST), CHK(5, 0), ADV(5, 0, 5),
		ADV(6, 0, 6), CHK(2, -EEXIST), CHK(7, 0),
	} },
	{ "reorder_inside_window_w32", 32, false, {
		ADV(10, 0, 10), ADV(5, 0, 10), ADV(7, 0, 10), ADV(9, 0, 10),
		CHK(5, -EEXIST), CHK(6, 0), ADV(6, 0, 10), ADV(12, 0, 12),
		ADV(11, 0, 12), ADV(8, 0, 12), CHK(7, -EEXIST),
		CHK(11, -EEXIST), CHK(4, 0), ADV(4, 0, 12), CHK(3, 0),
		CHK(13, 0),
	} },
	{ "duplicates_w64", 64, false, {
		ADV(1, 0, 1), ADV(1, -EEXIST, 1), ADV(2, 0, 2),
		ADV(1, -EEXIST, 2), ADV(2, -EEXIST, 2), ADV(64, 0, 64),
		ADV(1, -EEXIST, 64), ADV(64, -EEXIST, 64), ADV(65, 0, 65),
		ADV(1, -ERANGE, 65), ADV(2, -EEXIST, 65), CHK(3, 0),
	} },
	{ "left_edge_w64", 64, false, {
		SET(1000), CHK(937, 0), CHK(936, -ERANGE), CHK(1000, 0),
		ADV(937, 0, 1000), CHK(937, -EEXIST), ADV(936, -ERANGE, 1000),
		ADV(1001, 0, 1001), CHK(937, -ERANGE), CHK(938, 0),
		ADV(1000, 0, 1001), ADV(1000, -EEXIST, 1001),
	} },
	{ "left_edge_w1", 1, false, {
		SET(50), CHK(50, 0), CHK(49, -ERANGE), ADV(50, 0, 50),
		ADV(50, -EEXIST, 50), ADV(51, 0, 51), CHK(50, -ERANGE),
		ADV(53, 0, 53), CHK(52, -ERANGE), CHK(53, -EEXIST),
	} },
	{ "left_edge_unset_top_w32", 32, false, {
		/* top < size: everything from 1 is inside the window */
		ADV(5, 0, 5), CHK(1, 0), ADV(1, 0, 5), CHK(1, -EEXIST),
		ADV(32, 0, 32), CHK(1, -EEXIST), ADV(33, 0, 33),
		CHK(1, -ERANGE), CHK(2, 0),
	} },
	{ "jump_beyond_window_w32", 32, false, {
		ADV(5, 0, 5), ADV(6, 0, 6), ADV(40, 0, 40), CHK(5, -ERANGE),
		CHK(8, -ERANGE), CHK(9, 0), CHK(6, -ERANGE), ADV(9, 0, 40),
		CHK(9, -EEXIST), CHK(39, 0),
	} },
	{ "jump_beyond_ring_w32", 32, false, {
		/* ring of 128 bits: 328 reuses the bit of 200 */
		ADV(200, 0, 200), ADV(338, 0, 338), CHK(328, 0),
		CHK(200, -ERANGE), CHK(307, 0), CHK(306, -ERANGE),
		CHK(338, -EEXIST), ADV(328, 0, 338), CHK(328, -EEXIST),
		ADV(1000000, 0, 1000000), CHK(999969, 0),
		CHK(999968, -ERANGE), CHK(1000000, -EEXIST),
		CHK(999999, 0),
	} },
	{ "jump_reuses_words_w32", 32, false, {
		/* word steps: 198 reuses the bit of 70 two words later */
		ADV(70, 0, 70), ADV(130, 0, 130), ADV(200, 0, 200),
		CHK(198, 0), CHK(169, 0), CHK(168, -ERANGE),
		CHK(200, -EEXIST), CHK(130, -ERANGE),
	} },
	{ "check_leaves_state_w64", 64, false, {
		ADV(3, 0, 3), ADV(5, 0, 5), CHK(4, 0), CHK(4, 0), CHK(6, 0),
		CHK(6, 0), CHK(1000, 0), CHK(3, -EEXIST), CHK(3, -EEXIST),
		ADV(4, 0, 5), ADV(6, 0, 6), ADV(3, -EEXIST, 6),
	} },
	{ "set_top_clears_w32", 32, false, {
		ADV(5, 0, 5), ADV(7, 0, 7), SET(7), CHK(5, 0), CHK(7, 0),
		ADV(7, 0, 7), CHK(7, -EEXIST), ADV(40, 0, 40), SET(10),
		CHK(7, 0), CHK(40, 0), ADV(40, 0, 40), SET(1000), CHK(969, 0),
		CHK(968, -ERANGE),
	} },
	{ "window0", 0, false, {
		CHK(0, -EINVAL), ADV(5, 0, 5), ADV(5, 0, 5), ADV(3, 0, 5),
		ADV(100, 0, 100), CHK(1, 0), ADV(1, 0, 100),
		ADV(0, -EINVAL, 100), CHK(SUB, -EINVAL), INF(7, 7),
		SET(U32_MAX), CHK(1, 0),
	} },
	{ "seq0_w32", 32, false, {
		CHK(0, -EINVAL), ADV(0, -EINVAL, 0), ADV(1, 0, 1), SET(10),
		CHK(0, -EINVAL), ADV(0, -EINVAL, 10), INF(0, 0),
	} },
	{ "no_esn_is_32bit_w64", 64, false, {
		SET(0xfffffff0), CHK(0xffffffff, 0),
		ADV(0xffffffff, 0, 0xffffffff), CHK(SUB, -EINVAL),
		ADV(SUB, -EINVAL, 0xffffffff), ADV(SUB + 1, -EINVAL, 0xffffffff),
		INF(5, 5), INF(0xfffffffe, 0xfffffffe), INF(0, 0),
	} },
	{ "esn_wrap_w64", 64, true, {
		SET(0xfffffff0), INF(0xfffffff5, 0xfffffff5),
		INF(5, SUB + 5), INF(0, SUB), CHK(SUB, 0),
		INF(0xffffffb1, 0xffffffb1), INF(0xffffffb0, 2 * SUB - 0x50),
		CHK(0xffffffb1, 0), CHK(0xffffffb0, -ERANGE),
		ADV(0xfffffff5, 0, 0xfffffff5), ADV(SUB + 5, 0, SUB + 5),
		/* window now straddles: bottom 0xffffffc6 */
		INF(0xfffffff8, 0xfffffff8), INF(0xffffffc6, 0xffffffc6),
		INF(0xffffffc5, 2 * SUB - 0x3b), INF(3, SUB + 3),
		INF(0x10, SUB + 0x10), ADV(0xfffffff8, 0, SUB + 5),
		ADV(0xfffffff5, -EEXIST, SUB + 5),
		ADV(0xffffffc5, -ERANGE, SUB + 5), ADV(SUB, 0, SUB + 5),
		CHK(SUB, -EEXIST), CHK(0xffffffc6, 0),
	} },
	{ "esn_start_w64", 64, true, {
		INF(0, 0), CHK(0, -EINVAL), ADV(0, -EINVAL, 0), INF(1, 1),
		INF(0xffffffff, 0xffffffff), ADV(10, 0, 10), INF(5, 5),
		INF(0, 0), INF(0xfffffff0, 0xfffffff0), ADV(100, 0, 100),
		INF(36, SUB + 36), INF(37, 37), INF(0, SUB), CHK(SUB, 0),
		CHK(36, -ERANGE), CHK(37, 0),
	} },
	{ "esn_far_subspace_w1024", 1024, true, {
		SET(5 * SUB + 10), INF(5, 5 * SUB + 5),
		INF(0xfffffe00, 5 * SUB - 0x200),
		INF(0xfffffc0b, 5 * SUB - 0x3f5),
		INF(0xfffffc0a, 6 * SUB - 0x3f6),
		CHK(5 * SUB - 0x3f5, 0), CHK(5 * SUB - 0x3f6, -ERANGE),
		ADV(5 * SUB - 0x3f5, 0, 5 * SUB + 10),
		CHK(5 * SUB - 0x3f5, -EEXIST), ADV(6 * SUB, 0, 6 * SUB),
		INF(0, 6 * SUB), INF(0xfffffc01, 6 * SUB - 0x3ff),
		INF(0xfffffc00, 7 * SUB - 0x400),
	} },
	{ "esn_window0", 0, true, {
		/* no window: the candidate nearest top, up to 2^31 - 1 late */
		SET(SUB + 0x10), INF(0xfffffff0, 0xfffffff0),
		INF(0x20, SUB + 0x20), INF(0x80000011, 0x80000011),
		INF(0x80000010, SUB + 0x80000010),
		ADV(0xfffffff0, 0, SUB + 0x10), ADV(SUB + 0x20, 0, SUB + 0x20),
		ADV(SUB + 0x20, 0, SUB + 0x20), CHK(0, -EINVAL),
		ADV(SUB, 0, SUB + 0x20), SET(0), INF(0, 0),
		INF(0xffffffff, 0xffffffff),
	} },
	{ "huge_window_max", WMAX, false, {
		SET(5000000), CHK(5000000 - WMAX + 1, 0),
		CHK(5000000 - WMAX, -ERANGE),
		ADV(5000000 - WMAX + 1, 0, 5000000),
		CHK(5000000 - WMAX + 1, -EEXIST), ADV(5000000, 0, 5000000),
		CHK(5000000, -EEXIST), ADV(5000001, 0, 5000001),
		CHK(5000000 - WMAX + 1, -ERANGE), CHK(5000000 - WMAX + 2, 0),
		ADV(5000000 + WMAX, 0, 5000000 + WMAX),
		CHK(5000001, -EEXIST), CHK(5000000, -ERANGE),
		CHK(5000002, 0), ADV(9000000, 0, 9000000),
		CHK(9000000 - WMAX + 1, 0), CHK(9000000 - WMAX, -ERANGE),
		CHK(9000000, -EEXIST), CHK(8999999, 0),
	} },
	{ "huge_window_max_esn", WMAX, true, {
		SET(SUB + 100), INF(0xfff00065, 0xfff00065),
		INF(0xfff00064, 2 * SUB - 0xfff9c), INF(50, SUB + 50),
		CHK(0xfff00065, 0), CHK(0xfff00064, -ERANGE),
		ADV(0xfff00065, 0, SUB + 100), CHK(0xfff00065, -EEXIST),
		ADV(SUB + 100, 0, SUB + 100), ADV(SUB + 101, 0, SUB + 101),
		CHK(0xfff00065, -ERANGE), CHK(0xfff00066, 0),
		INF(0xfff00065, 2 * SUB - 0xfff9b),
	} },
};

static void rp_case_desc(const struct rp_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rp_case, rp_cases, rp_case_desc);

static void replay_script(struct kunit *test)
{
	const struct rp_case *c = test->param_value;
	struct espah_replay *r = rp_new(test, c->size, c->esn);
	const struct rp_step *s;
	void *before;
	size_t len;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	len = rp_bytes(r);
	before = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);

	for (i = 0; i < ARRAY_SIZE(c->steps) && c->steps[i].op != RP_END; i++) {
		s = &c->steps[i];
		memcpy(before, r, len);
		switch (s->op) {
		case RP_SET:
			espah_replay_set_top(r, s->arg);
			KUNIT_ASSERT_EQ_MSG(test, r->top, s->arg, "step %d", i);
			if (s->arg)
				KUNIT_ASSERT_EQ_MSG(test,
						    espah_replay_check(r, s->arg),
						    0, "step %d: top seen", i);
			break;
		case RP_CHK:
			KUNIT_ASSERT_EQ_MSG(test, espah_replay_check(r, s->arg),
					    s->err, "step %d: check(%#llx)", i,
					    s->arg);
			KUNIT_ASSERT_EQ_MSG(test, memcmp(before, r, len), 0,
					    "step %d: check changed state", i);
			break;
		case RP_INF:
			KUNIT_ASSERT_EQ_MSG(test,
					    espah_replay_infer(r, (u32)s->arg),
					    s->want, "step %d: infer(%#llx)",
					    i, s->arg);
			KUNIT_ASSERT_EQ_MSG(test, memcmp(before, r, len), 0,
					    "step %d: infer changed state", i);
			break;
		case RP_ADV:
			KUNIT_ASSERT_EQ_MSG(test,
					    espah_replay_advance(r, s->arg),
					    s->err, "step %d: advance(%#llx)",
					    i, s->arg);
			KUNIT_ASSERT_EQ_MSG(test, r->top, s->want,
					    "step %d: top", i);
			if (s->err) {
				KUNIT_ASSERT_EQ_MSG(test,
						    memcmp(before, r, len), 0,
						    "step %d: failed advance changed state",
						    i);
				break;
			}
			/* now marked: a replay of it must be refused */
			KUNIT_ASSERT_EQ_MSG(test, espah_replay_check(r, s->arg),
					    r->size ? -EEXIST : 0,
					    "step %d: not marked", i);
			break;
		case RP_END:
			break;
		}
	}
	KUNIT_EXPECT_GT_MSG(test, i, 0, "empty script");
}

/* ---- sweep: whole window, jumps around word/window/ring sizes ----------- */

struct rp_sweep {
	u32 size;
	bool esn;
};

static const struct rp_sweep rp_sweeps[] = {
	{ 1, false },	  { 32, false },   { 63, false },    { 64, false },
	{ 65, false },	  { 1000, false }, { 1024, false },  { 65536, false },
	{ WMAX, false },  { 32, true },	   { 1024, true },   { 65536, true },
	{ WMAX, true },
};

static void rp_sweep_desc(const struct rp_sweep *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "w%u%s", p->size,
		 p->esn ? "_esn" : "");
}

KUNIT_ARRAY_PARAM(rp_sweep, rp_sweeps, rp_sweep_desc);

struct rp_tally {
	u64 bad;
	u64 first;
	int got;
};

static void rp_note(struct rp_tally *t, u64 seq, int got)
{
	if (!t->bad++) {
		t->first = seq;
		t->got = got;
	}
}

/*
 * Every number of the window must be refused as seen if it is at most
 * @seen or equals top, and accepted otherwise; with ESN, each must also
 * be what its low half infers to.
 */
static void rp_verify(struct kunit *test, const struct espah_replay *r,
		      u64 seen, const char *what)
{
	struct rp_tally t = {};
	u64 s, lo = r->top - r->size + 1;
	int want, got;

	for (s = lo; s <= r->top; s++) {
		want = (s <= seen || s == r->top) ? -EEXIST : 0;
		got = espah_replay_check(r, s);
		if (got != want)
			rp_note(&t, s, got);
		if (r->esn && espah_replay_infer(r, (u32)s) != s)
			rp_note(&t, s, 1);
		if (!(s & 0xffff))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, t.bad, 0ULL,
			    "%s: top %#llx, first bad %#llx got %d", what,
			    r->top, t.first, t.got);
	KUNIT_EXPECT_EQ_MSG(test, espah_replay_check(r, lo - 1), -ERANGE,
			    "%s: left edge", what);
	KUNIT_EXPECT_EQ_MSG(test, espah_replay_check(r, r->top + 1), 0,
			    "%s: right of top", what);
}

/* Advance every number in [from, to], each must be accepted. */
static void rp_fill(struct kunit *test, struct espah_replay *r, u64 from,
		    u64 to, const char *what)
{
	struct rp_tally t = {};
	u64 s, top;
	int err;

	for (s = from; s <= to; s++) {
		top = max(r->top, s);
		err = espah_replay_advance(r, s);
		if (err || r->top != top)
			rp_note(&t, s, err);
		if (!(s & 0xffff))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, t.bad, 0ULL, "%s: first bad %#llx err %d",
			    what, t.first, t.got);
}

static void replay_sweep(struct kunit *test)
{
	const struct rp_sweep *p = test->param_value;
	struct espah_replay *r = rp_new(test, p->size, p->esn);
	u64 ring, base, old, k, jumps[13];
	unsigned int i, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	ring = (u64)r->mask + 1;

	/* with ESN start so that the fill and the jumps cross 2^32 */
	base = p->esn ? SUB - ring - p->size / 2 : p->size + 7;
	espah_replay_set_top(r, base);
	KUNIT_EXPECT_EQ(test, espah_replay_check(r, base - p->size + 1), 0);
	KUNIT_EXPECT_EQ(test, espah_replay_check(r, base - p->size), -ERANGE);
	KUNIT_EXPECT_EQ(test, espah_replay_check(r, base), 0);

	/* in order through more than a ring: every bit has been used */
	rp_fill(test, r, base - p->size + 1, base + ring + p->size, "in order");
	KUNIT_ASSERT_EQ(test, r->top, base + ring + p->size);
	rp_verify(test, r, r->top, "in order");

	jumps[n++] = 1;
	jumps[n++] = 2;
	jumps[n++] = BITS_PER_LONG - 1;
	jumps[n++] = BITS_PER_LONG;
	jumps[n++] = BITS_PER_LONG + 1;
	jumps[n++] = p->size - 1;
	jumps[n++] = p->size;
	jumps[n++] = p->size + 1;
	jumps[n++] = ring - BITS_PER_LONG;
	jumps[n++] = ring - 1;
	jumps[n++] = ring;
	jumps[n++] = ring + 1;
	jumps[n++] = 3 * ring + 5;

	for (i = 0; i < n; i++) {
		char what[32];

		k = jumps[i];
		if (!k)
			continue;
		snprintf(what, sizeof(what), "jump %llu", k);
		old = r->top;
		KUNIT_ASSERT_EQ_MSG(test, espah_replay_advance(r, old + k), 0,
				    "%s", what);
		KUNIT_ASSERT_EQ_MSG(test, r->top, old + k, "%s", what);
		rp_verify(test, r, old, what);
		/* refill the gap so the next jump starts from a full window */
		if (k > 1)
			rp_fill(test, r, max(old + 1, r->top - p->size + 1),
				r->top - 1, what);
	}
	rp_verify(test, r, r->top, "after jumps");
	if (p->esn)
		KUNIT_EXPECT_GT(test, r->top, SUB);
	else
		KUNIT_EXPECT_LE(test, r->top, (u64)U32_MAX);
}

/* ---- carried over to a replacement SA (espah_replay_copy()) ------------ */

struct rp_copy {
	u32 from;	/* the old window's size */
	u32 to;		/* the new one's */
};

static const struct rp_copy rp_copies[] = {
	{ 64, 64 }, { 64, 1024 }, { 1024, 64 }, { 0, 128 }, { 128, 0 },
	{ 32, WMAX },
};

static void rp_copy_desc(const struct rp_copy *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "window %u -> %u", c->from, c->to);
}

KUNIT_ARRAY_PARAM(rp_copy, rp_copies, rp_copy_desc);

/* Every number the old window would refuse, the new one refuses: what the
 * old one accepted (every third number below top here), what lay left of
 * it, and, when the old one had no window, everything up to its top. What
 * the old one had not seen inside both windows stays acceptable.
 */
static void replay_copy(struct kunit *test)
{
	const struct rp_copy *c = test->param_value;
	struct espah_replay *old = rp_new(test, c->from, false);
	struct espah_replay *r = rp_new(test, c->to, false);
	u64 top = 5000, seq;

	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (seq = top - 2000; seq <= top; seq++)
		if (seq % 3 == top % 3)
			KUNIT_ASSERT_EQ(test, espah_replay_advance(old, seq), 0);
	old->reorder_max = 7;
	espah_replay_copy(r, old);
	KUNIT_EXPECT_EQ(test, r->top, top);
	KUNIT_EXPECT_EQ(test, r->reorder_max, 7ULL);
	for (seq = top > c->to ? top - c->to + 1 : 1; seq <= top + 2; seq++) {
		int want = espah_replay_check(old, seq);

		if (!want && c->from == 0 && seq <= top)
			want = -EEXIST;	/* no old window: assume seen */
		if (want == -ERANGE && c->to)
			want = -EEXIST;	/* left of the old window: seen */
		if (!c->to && seq > 0)
			want = 0;	/* no new window: no check */
		KUNIT_EXPECT_EQ_MSG(test, espah_replay_check(r, seq), want,
				    "seq %llu", seq);
	}
}

static struct kunit_case replay_cases[] = {
	KUNIT_CASE_PARAM(replay_copy, rp_copy_gen_params),
	KUNIT_CASE_PARAM(replay_alloc_geometry, alloc_size_gen_params),
	KUNIT_CASE(replay_alloc_too_big),
	KUNIT_CASE_PARAM(replay_script, rp_case_gen_params),
	KUNIT_CASE_PARAM(replay_sweep, rp_sweep_gen_params),
	{}
};

struct kunit_suite espah_replay_suite = {
	.name = "espah_replay",
	.test_cases = replay_cases,
};
