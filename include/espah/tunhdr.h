/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer header of a tunnel-mode SA from the inner one, and the inner
 * header back from the outer: DF, DSCP and ECN (RFC 4301 5.1.2 and 8.1,
 * RFC 6040). Pure arithmetic on header fields, no skb: net/output.c and
 * net/decap.c apply it, KUnit checks it whole.
 */
#ifndef _ESPAH_TUNHDR_H
#define _ESPAH_TUNHDR_H

#include <linux/types.h>

/* &espah_sa.dscp when the outer DSCP is the inner one (the default) */
#define ESPAH_TUNHDR_DSCP_COPY	0xff

/* the result of espah_tunhdr_decap_ds() for a packet to drop */
#define ESPAH_TUNHDR_DROP	(-1)

bool espah_tunhdr_encap_df(u8 df, u16 inner_family, bool inner_df);
u8 espah_tunhdr_encap_ds(u8 inner_ds, u8 dscp, bool noecn);
int espah_tunhdr_decap_ecn(u8 outer_ecn, u8 inner_ecn);
int espah_tunhdr_decap_ds(u8 outer_ds, u8 inner_ds, bool noecn,
			  bool decap_dscp);

#endif /* _ESPAH_TUNHDR_H */
