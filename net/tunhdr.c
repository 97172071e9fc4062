// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel header rules: what the outer header of a tunnel-mode SA takes
 * from the inner one (DF, DSCP, ECN) on output, and what the inner header
 * takes from the outer one on input.
 *
 * DF (IPv4 outer only): copied from an inner IPv4 header by default, as
 * RFC 4301 8.1 and native XFRM do, or cleared or set for every packet, the
 * other two choices 8.1 requires. An inner IPv6 packet has no DF bit to
 * copy and may not be fragmented on its way (RFC 8200 5): "copy" sets DF
 * for it, as native XFRM does on the wire (6.1's source means to leave it
 * off up to 1280 bytes, but its test looks at skb->protocol after setting
 * it to IPv4, so it never holds). A packet that does not fit the path MTU
 * is still fragmented without DF when that MTU is below IPv6's minimum,
 * the case RFC 4213 3.2 describes (net/output.c).
 *
 * DSCP: copied from the inner header (RFC 4301 5.1.2.1), or a fixed value
 * per SA, for a peer domain whose code points differ (RFC 2983); 0 is
 * native's extra flag dont-encap-dscp. On input, the outer DSCP replaces
 * the inner one only when the SA asks (decap-dscp, as native's flag).
 *
 * ECN, RFC 6040's normal mode: the inner ECN field is copied to the outer
 * header, CE included (native XFRM turns CE into ECT(0), RFC 3168's full
 * functionality mode; RFC 6040 4.1 makes the two the same for the rest of
 * the path). On input, figure 4 of RFC 6040 4.2 decides the inner field,
 * including the drop of a CE-marked outer packet whose inner packet is
 * Not-ECT (its transport cannot see the congestion mark). The SA flag
 * noecn (native's) sends Not-ECT outer headers and leaves the inner field
 * as it came.
 */
#include <linux/kernel.h>
#include <linux/socket.h>
#include <net/inet_ecn.h>
#include <uapi/linux/espah.h>

#include <espah/kunit.h>
#include <espah/tunhdr.h>

/**
 * espah_tunhdr_encap_df() - the DF bit of an IPv4 outer header
 * @df: the SA's enum espah_df
 * @inner_family: AF_INET or AF_INET6
 * @inner_df: the inner IPv4 header's DF bit (ignored for IPv6)
 *
 * Return: whether the outer header sets DF; the caller still clears it
 * when the packet is fragmented because it does not fit.
 */
bool espah_tunhdr_encap_df(u8 df, u16 inner_family, bool inner_df)
{
	switch (df) {
	case ESPAH_DF_CLEAR:
		return false;
	case ESPAH_DF_SET:
		return true;
	default:
		return inner_family == AF_INET6 || inner_df;
	}
}

ESPAH_EXPORT_FOR_KUNIT(espah_tunhdr_encap_df);

/**
 * espah_tunhdr_encap_ds() - the DS field (DSCP and ECN) of the outer header
 * @inner_ds: the inner header's DS field (IPv4 TOS, IPv6 traffic class)
 * @dscp: the SA's fixed DSCP (0..63) or %ESPAH_TUNHDR_DSCP_COPY
 * @noecn: the SA's flag noecn: the outer header is Not-ECT
 *
 * Return: the outer DS field.
 */
u8 espah_tunhdr_encap_ds(u8 inner_ds, u8 dscp, bool noecn)
{
	u8 ds = dscp == ESPAH_TUNHDR_DSCP_COPY ? inner_ds & ~INET_ECN_MASK :
						 (dscp & 0x3f) << 2;

	return noecn ? ds : ds | (inner_ds & INET_ECN_MASK);
}

ESPAH_EXPORT_FOR_KUNIT(espah_tunhdr_encap_ds);

/**
 * espah_tunhdr_decap_ecn() - RFC 6040 4.2 figure 4: the inner ECN field
 *	after decapsulation
 * @outer_ecn: the outer header's ECN field (2 bits)
 * @inner_ecn: the inner header's
 *
 * Return: the inner header's new ECN field, or %ESPAH_TUNHDR_DROP for a
 * CE outer header over a Not-ECT inner one.
 */
int espah_tunhdr_decap_ecn(u8 outer_ecn, u8 inner_ecn)
{
	outer_ecn &= INET_ECN_MASK;
	inner_ecn &= INET_ECN_MASK;
	if (inner_ecn == INET_ECN_NOT_ECT)
		return outer_ecn == INET_ECN_CE ? ESPAH_TUNHDR_DROP :
						  INET_ECN_NOT_ECT;
	if (outer_ecn == INET_ECN_CE)
		return INET_ECN_CE;
	/* ECT(1) over ECT(0): a mark (e.g. L4S's) set on the way is kept */
	if (outer_ecn == INET_ECN_ECT_1 && inner_ecn == INET_ECN_ECT_0)
		return INET_ECN_ECT_1;
	return inner_ecn;
}

ESPAH_EXPORT_FOR_KUNIT(espah_tunhdr_decap_ecn);

/**
 * espah_tunhdr_decap_ds() - the inner DS field after decapsulation
 * @outer_ds: the outer header's DS field
 * @inner_ds: the inner header's
 * @noecn: the SA's flag noecn: the inner ECN field stays, nothing dropped
 * @decap_dscp: the SA's flag decap-dscp: the outer DSCP replaces the inner
 *
 * Return: the inner header's new DS field, or %ESPAH_TUNHDR_DROP.
 */
int espah_tunhdr_decap_ds(u8 outer_ds, u8 inner_ds, bool noecn,
			  bool decap_dscp)
{
	u8 dscp = (decap_dscp ? outer_ds : inner_ds) & ~INET_ECN_MASK;
	int ecn = inner_ds & INET_ECN_MASK;

	if (!noecn) {
		ecn = espah_tunhdr_decap_ecn(outer_ds, inner_ds);
		if (ecn == ESPAH_TUNHDR_DROP)
			return ESPAH_TUNHDR_DROP;
	}
	return dscp | ecn;
}

ESPAH_EXPORT_FOR_KUNIT(espah_tunhdr_decap_ds);
