/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dummy packets (RFC 4303 2.6) of outbound tunnel-mode ESP SAs with a
 * dummy rate (net/dummy.c); net/output.c builds and sends each one. The
 * per-SA state (struct espah_dummy) is the SA's (include/espah/sa.h): the
 * SAD starts and stops its timer, the datapath stamps it, and neither
 * needs this layer above them.
 */
#ifndef _ESPAH_DUMMY_H
#define _ESPAH_DUMMY_H

#include <linux/types.h>

struct espah_sa;
struct net;

u64 espah_dummy_ival(u32 rate);
bool espah_dummy_due(u64 last_tx, u64 now, u64 ival, u64 *next);
int espah_dummy_alloc(struct espah_sa *sa, u32 rate, gfp_t gfp);
void espah_dummy_net_exit(struct net *net);

#endif /* _ESPAH_DUMMY_H */
