/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The room an SA's transform takes (net/mtu.c).
 */
#ifndef _ESPAH_MTU_H
#define _ESPAH_MTU_H

#include <linux/types.h>

struct espah_sa;

unsigned int espah_outer_hlen(const struct espah_sa *sa);
unsigned int espah_out_limit(const struct espah_sa *sa, unsigned int mtu,
			     unsigned int hdr, u16 family);

#endif /* _ESPAH_MTU_H */
