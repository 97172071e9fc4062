// SPDX-License-Identifier: GPL-2.0
/*
 * espah: inbound anti-replay window (RFC 4303 3.4.3) kept as an RFC 6479
 * ring of words, and ESN inference (RFC 4303 Appendix A).
 *
 * The ring holds (mask + 1) bits, a power of two, at least one whole word
 * more than the window. Bit (seq & mask) records that seq was accepted.
 * Whenever top moves into a new word, that word is cleared; the spare word
 * guarantees the words still covered by the window are never reused while
 * they are inside it, so a lookup is a single test_bit() and no shifting
 * of the whole bitmap is ever needed.
 */
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/espah.h>

#include <espah/kunit.h>
#include <espah/replay.h>

#define WORD_SHIFT	ilog2(BITS_PER_LONG)

/* With replay checking off there is no window to anchor ESN inference, so
 * the high half is chosen to put the packet closest to top: anything up to
 * 2^31 - 1 behind top is taken as late, the rest as ahead.
 */
#define NOWINDOW_INFER_SPAN	BIT(31)

static u32 ring_words(const struct espah_replay *r)
{
	return (r->mask + 1) / BITS_PER_LONG;
}

/**
 * espah_replay_alloc() - allocate an anti-replay window
 * @size: window size in packets; 0 turns the replay check off (the state
 *	still tracks the highest sequence number, for ESN inference)
 * @esn: the SA uses 64-bit extended sequence numbers
 * @gfp: allocation flags
 *
 * The ring is rounded up to a power of two of words with at least one word
 * to spare beyond @size (RFC 6479): @size 32 or 64 takes 2 words, 1024
 * takes 32 words, %ESPAH_REPLAY_WINDOW_MAX (2^20) takes 32768 words
 * (256 KiB on 64-bit), which is why large windows may come from vmalloc
 * (only if @gfp allows sleeping; with GFP_ATOMIC a large window may fail).
 *
 * Return: the window, with top 0 and no sequence number seen, or NULL if
 * @size exceeds %ESPAH_REPLAY_WINDOW_MAX or memory is short. Release it
 * with espah_replay_free() only (not kfree()).
 */
struct espah_replay *espah_replay_alloc(u32 size, bool esn, gfp_t gfp)
{
	struct espah_replay *r;
	u32 words = 0;

	if (size > ESPAH_REPLAY_WINDOW_MAX)
		return NULL;
	if (size)
		words = roundup_pow_of_two(BITS_TO_LONGS(size) + 1);

	/* the size is the caller's choice: failing is an answer, not a bug */
	r = kvzalloc(struct_size(r, bmp, words), gfp | __GFP_NOWARN);
	if (!r)
		return NULL;
	r->size = size;
	r->mask = words ? words * BITS_PER_LONG - 1 : 0;
	r->esn = esn;
	return r;
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_alloc);

/**
 * espah_replay_bytes() - memory a window takes
 * @r: the window
 *
 * Return: its size in bytes, header included.
 */
size_t espah_replay_bytes(const struct espah_replay *r)
{
	return struct_size(r, bmp, ring_words(r));
}

/**
 * espah_replay_free() - release a window from espah_replay_alloc()
 * @r: the window, or NULL
 *
 * May be called from an RCU callback (softirq context).
 */
void espah_replay_free(struct espah_replay *r)
{
	kvfree(r);
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_free);

/**
 * espah_replay_infer() - reconstruct the full sequence number of a packet
 * @r: the SA's window
 * @seq_lo: the 32-bit sequence number field of the packet
 *
 * Without ESN this is @seq_lo. With ESN it is RFC 4303 Appendix A2.2: the
 * high half is chosen so that the result is the one value congruent to
 * @seq_lo modulo 2^32 that lies at or above the bottom of the window,
 * bottom = top - size + 1. Packets left of the window are therefore taken
 * as belonging to the next subspace; the ICV check then rejects them, as
 * the RFC intends. This covers both of the RFC's cases (window inside one
 * subspace, or straddling two). Two choices the RFC leaves open:
 *
 * - while top < size - 1 (nothing below subspace 0 exists) the bottom is
 *   0, so results stay in subspace 0 instead of wrapping to 2^64 - 2^32;
 * - with the replay check off (size 0) there is no window; the result is
 *   the candidate nearest to top, up to 2^31 - 1 behind it, so reordered
 *   and late packets still authenticate.
 *
 * Does not modify @r. O(1). Caller holds the lock that serialises @r, or
 * accepts a stale top (a wrong guess only makes the ICV check fail).
 *
 * Return: the full 64-bit sequence number to authenticate and check.
 */
u64 espah_replay_infer(const struct espah_replay *r, u32 seq_lo)
{
	u32 span = r->size ? r->size : NOWINDOW_INFER_SPAN;
	u64 bottom;

	if (!r->esn)
		return seq_lo;

	bottom = r->top >= span - 1 ? r->top - (span - 1) : 0;
	return bottom + (u32)(seq_lo - (u32)bottom);
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_infer);

/**
 * espah_replay_check() - would a packet with this sequence number be fresh?
 * @r: the SA's window
 * @seq: the full sequence number (espah_replay_infer() for ESN)
 *
 * The check before crypto of RFC 4303 3.4.3. Right of top is always fresh;
 * inside the window (top - size + 1 .. top) fresh unless already accepted;
 * left of it too old. With size 0 every valid number passes. After
 * espah_replay_set_top() top itself has not been seen and is accepted once.
 *
 * Does not modify @r. O(1) for any window size: one test_bit() in the ring.
 * Caller holds the lock that serialises @r.
 *
 * Return: 0 if fresh; -EINVAL for sequence number 0 (never sent, with or
 * without ESN) or, without ESN, a number above 2^32 - 1; -ERANGE if left of
 * the window; -EEXIST if a duplicate inside the window.
 */
int espah_replay_check(const struct espah_replay *r, u64 seq)
{
	if (unlikely(!seq || (!r->esn && seq > U32_MAX)))
		return -EINVAL;
	if (!r->size || seq > r->top)
		return 0;
	if (r->top - seq >= r->size)
		return -ERANGE;
	if (test_bit((unsigned long)(seq & r->mask), r->bmp))
		return -EEXIST;
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_check);

/* Clear the @n ring words after the one holding @from, wrapping around. */
static void clear_words(struct espah_replay *r, u64 from, u64 n)
{
	u32 words = ring_words(r);
	u32 start, first;

	if (n >= words) {
		memset(r->bmp, 0, words * sizeof(unsigned long));
		return;
	}
	start = ((from >> WORD_SHIFT) + 1) & (words - 1);
	first = min_t(u32, n, words - start);
	memset(&r->bmp[start], 0, first * sizeof(unsigned long));
	memset(r->bmp, 0, (n - first) * sizeof(unsigned long));
}

/**
 * espah_reorder_bucket() - histogram bucket of a reorder distance
 * @dist: highest accepted sequence number minus the packet's, 0 in order
 *
 * Return: 0 for 0, 1 for 1, 2 for 2-3, 3 for 4-7 ... and
 * ESPAH_REORDER_BUCKETS - 1 for everything beyond.
 */
unsigned int espah_reorder_bucket(u64 dist)
{
	return min_t(unsigned int, fls64(dist), ESPAH_REORDER_BUCKETS - 1);
}

ESPAH_EXPORT_FOR_KUNIT(espah_reorder_bucket);

/* Reorder statistics, so an operator can size the window from data. */
static void reorder_note(struct espah_replay *r, u64 seq)
{
	u64 dist = seq > r->top ? 0 : r->top - seq;

	if (dist > r->reorder_max)
		r->reorder_max = dist;
	r->reorder_hist[espah_reorder_bucket(dist)]++;
}

/**
 * espah_replay_advance() - record a packet whose ICV verified
 * @r: the SA's window
 * @seq: the full sequence number
 *
 * Rechecks with espah_replay_check()'s rules, because another CPU may have
 * advanced the window between the check and the end of ICV verification,
 * then marks @seq and, if it is right of top, makes it the new top.
 *
 * Cost: marking is O(1). Moving top forward clears the ring words it
 * enters, min(words crossed, ring words): one word per BITS_PER_LONG
 * packets for in-order traffic (O(1) amortised), at most the whole ring for
 * a jump beyond it: one memset() of (size + BITS_PER_LONG) bits rounded up
 * to a power of two of words (16 bytes for size 64, 256 KiB at the largest
 * window), which never depends on how far the jump went.
 *
 * Caller holds the lock that serialises @r.
 *
 * Return: 0 if recorded, else the error espah_replay_check() would return;
 * @r is unchanged on error.
 */
int espah_replay_advance(struct espah_replay *r, u64 seq)
{
	int err = espah_replay_check(r, seq);

	if (err)
		return err;
	reorder_note(r, seq);
	if (seq > r->top) {
		if (r->size)
			clear_words(r, r->top,
				    (seq >> WORD_SHIFT) - (r->top >> WORD_SHIFT));
		r->top = seq;
	}
	if (r->size)
		__set_bit((unsigned long)(seq & r->mask), r->bmp);
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_advance);

/**
 * espah_replay_set_top() - set the initial state (``replay-seq``)
 * @r: the SA's window
 * @top: highest sequence number to consider received
 *
 * Nothing in the window is marked seen, @top included (as with ip xfrm's
 * replay-seq and an empty bitmap): numbers from top - size + 1 up are
 * accepted once each. Costs a memset() of the ring. Caller holds the lock
 * that serialises @r, or @r is not yet published.
 */
void espah_replay_set_top(struct espah_replay *r, u64 top)
{
	r->top = top;
	if (r->size)
		memset(r->bmp, 0, ring_words(r) * sizeof(unsigned long));
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_set_top);

/**
 * espah_replay_copy() - carry a window over to a replacement SA
 * @r: the new SA's window (not yet published)
 * @old: the window it replaces (caller holds the lock that serialises it)
 *
 * An SA update must not reopen the window: every number @old accepted or
 * would refuse stays refused. @r takes @old's top and reorder statistics;
 * inside @r's window a number counts as seen if @old saw it, or if it lies
 * left of @old's window (which refused it), or if @old had no window at
 * all (which accepted anything up to its top). Equal sizes copy the ring
 * as it is; different sizes re-mark bit by bit (at most the new size).
 */
void espah_replay_copy(struct espah_replay *r, const struct espah_replay *old)
{
	u64 seq, bottom;

	r->top = old->top;
	r->reorder_max = old->reorder_max;
	memcpy(r->reorder_hist, old->reorder_hist, sizeof(r->reorder_hist));
	if (!r->size)
		return;
	if (r->size == old->size) {
		memcpy(r->bmp, old->bmp,
		       ring_words(r) * sizeof(unsigned long));
		return;
	}
	memset(r->bmp, 0, ring_words(r) * sizeof(unsigned long));
	if (!r->top)
		return;
	bottom = r->top >= r->size ? r->top - r->size + 1 : 1;
	for (seq = bottom; seq <= r->top; seq++) {
		if (!old->size || old->top - seq >= old->size ||
		    test_bit((unsigned long)(seq & old->mask), old->bmp))
			__set_bit((unsigned long)(seq & r->mask), r->bmp);
	}
}

ESPAH_EXPORT_FOR_KUNIT(espah_replay_copy);
