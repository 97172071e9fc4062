/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window (RFC 4303 3.4.3, RFC 6479 ring of words) and ESN
 * inference (RFC 4303 Appendix A). Pure: no skb, no locking of its own;
 * callers serialise check/advance on one window with the SA's lock.
 */
#ifndef _ESPAH_REPLAY_H
#define _ESPAH_REPLAY_H

#include <linux/types.h>
#include <uapi/linux/espah.h>

/**
 * struct espah_replay - one inbound SA's anti-replay state
 * @top: highest sequence number accepted so far (full 64 bits; 0 = none yet)
 * @size: window size in packets as configured (0 = replay check off)
 * @mask: number of bits in @bmp minus one (bits: a power of two, at least
 *	one word more than @size; 0 and no @bmp when @size is 0)
 * @esn: 64-bit extended sequence numbers are in use
 * @reorder_max: largest (top - seq) of an accepted packet
 * @reorder_hist: accepted packets by that distance: 0, 1, 2-3, 4-7, ...,
 *	the last bucket takes everything beyond (ESPAH_REORDER_BUCKETS)
 * @bmp: the ring: bit (seq & @mask) says seq was seen
 */
struct espah_replay {
	u64 top;
	u32 size;
	u32 mask;
	bool esn;
	u64 reorder_max;
	u64 reorder_hist[ESPAH_REORDER_BUCKETS];
	unsigned long bmp[];
};

struct espah_replay *espah_replay_alloc(u32 size, bool esn, gfp_t gfp);
void espah_replay_free(struct espah_replay *r);
size_t espah_replay_bytes(const struct espah_replay *r);
u64 espah_replay_infer(const struct espah_replay *r, u32 seq_lo);
int espah_replay_check(const struct espah_replay *r, u64 seq);
int espah_replay_advance(struct espah_replay *r, u64 seq);
void espah_replay_set_top(struct espah_replay *r, u64 top);
void espah_replay_copy(struct espah_replay *r, const struct espah_replay *old);
unsigned int espah_reorder_bucket(u64 dist);

#endif /* _ESPAH_REPLAY_H */
