/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * espah: generic netlink ABI.
 *
 * Family name ESPAH_GENL_NAME, version ESPAH_GENL_VERSION, per network
 * namespace. Mutating commands need CAP_NET_ADMIN in the namespace's user
 * namespace (GENL_UNS_ADMIN_PERM).
 *
 * Byte order: every integer attribute is in host byte order, except the
 * SPI (ESPAH_A_SA_SPI, ESPAH_A_TMPL_SPI) and ports, which are network byte
 * order as on the wire. Addresses are 4 (IPv4) or 16 (IPv6) raw bytes.
 */
#ifndef _UAPI_LINUX_ESPAH_H
#define _UAPI_LINUX_ESPAH_H

#include <linux/types.h>

#define ESPAH_GENL_NAME		"espah"
#define ESPAH_GENL_VERSION	1
#define ESPAH_MCGRP_SA		"sa"	/* SA added, deleted, expired */
#define ESPAH_MCGRP_POLICY	"policy"	/* policy changes */
#define ESPAH_MCGRP_ACQUIRE	"acquire"	/* missing SA for a protect policy */

/* Largest anti-replay window, in packets. */
#define ESPAH_REPLAY_WINDOW_MAX	(1U << 20)
/* Window of an inbound SA added without ESPAH_A_SA_REPLAY_WINDOW. */
#define ESPAH_REPLAY_WINDOW_DEFAULT	64
/* Largest ESPAH_A_POL_HOLD, in packets. */
#define ESPAH_HOLD_MAX		100
/* Largest ESPAH_A_SA_DUMMY_RATE, in packets a second. */
#define ESPAH_DUMMY_RATE_MAX	1000

/**
 * enum espah_cmd - generic netlink commands
 * @ESPAH_CMD_SA_ADD: add an SA; refused with -EEXIST when (spi, dst, proto)
 *	exists
 * @ESPAH_CMD_SA_UPDATE: replace keys/limits of an existing SA, or add
 * @ESPAH_CMD_SA_DEL: delete the SA named by (spi, dst, proto)
 * @ESPAH_CMD_SA_GET: get one SA (doit) or dump all (dumpit)
 * @ESPAH_CMD_SA_FLUSH: delete all SAs (optionally of one ESPAH_A_SA_PROTO)
 * @ESPAH_CMD_SA_COUNT: reply carries ESPAH_A_COUNT
 * @ESPAH_CMD_POL_ADD: add a policy; -EEXIST for an identical selector/dir
 * @ESPAH_CMD_POL_UPDATE: replace or add a policy
 * @ESPAH_CMD_POL_DEL: delete by (dir, selector) or by ESPAH_A_POL_INDEX
 * @ESPAH_CMD_POL_GET: get one policy (doit) or dump all (dumpit)
 * @ESPAH_CMD_POL_FLUSH: delete all policies
 * @ESPAH_CMD_STATS_GET: global counters, reply nests ESPAH_A_STATS
 * @ESPAH_CMD_FEATURES_GET: version, algorithms, limits
 * @ESPAH_CMD_SA_EXPIRE: notification: SA expired (soft or hard)
 * @ESPAH_CMD_ACQUIRE: notification: no SA for a protect policy
 * @ESPAH_CMD_XFRM_ATTACH: carry the native XFRM SAs and policies tagged
 *	with ESPAH_A_XFRM_IF_ID (and ESPAH_A_XFRM_MARK/MASK)
 * @ESPAH_CMD_XFRM_DETACH: stop carrying them
 * @ESPAH_CMD_XFRM_GET: the attachment, reply ESPAH_A_XFRM_*
 * @ESPAH_CMD_XFRM_REFUSED: notification ("sa" group): a tagged native SA
 *	or policy espah cannot carry, ESPAH_A_XFRM_REASON says why
 * @ESPAH_CMD_SA_MAPPING: notification ("sa" group): an authenticated
 *	packet of an inbound SA with UDP encapsulation came from another
 *	address or UDP source port than the SA records (a NAT mapping
 *	changed): ESPAH_A_SA_SPI, _PROTO, _FAMILY, _DST, _REQID name the
 *	SA, ESPAH_A_SA_MAPPING the old and new address and port. At most
 *	one a second per SA (ESPAH_STAT_NATT_MAPPING_SUPPRESSED counts the
 *	others); for an SA carried from native XFRM the native key managers
 *	get the same news (km_new_mapping(), ip xfrm monitor's "mapping")
 */
enum espah_cmd {
	ESPAH_CMD_UNSPEC,
	ESPAH_CMD_SA_ADD,
	ESPAH_CMD_SA_UPDATE,
	ESPAH_CMD_SA_DEL,
	ESPAH_CMD_SA_GET,
	ESPAH_CMD_SA_FLUSH,
	ESPAH_CMD_SA_COUNT,
	ESPAH_CMD_POL_ADD,
	ESPAH_CMD_POL_UPDATE,
	ESPAH_CMD_POL_DEL,
	ESPAH_CMD_POL_GET,
	ESPAH_CMD_POL_FLUSH,
	ESPAH_CMD_STATS_GET,
	ESPAH_CMD_FEATURES_GET,
	ESPAH_CMD_SA_EXPIRE,
	ESPAH_CMD_ACQUIRE,
	ESPAH_CMD_XFRM_ATTACH,
	ESPAH_CMD_XFRM_DETACH,
	ESPAH_CMD_XFRM_GET,
	ESPAH_CMD_XFRM_REFUSED,
	ESPAH_CMD_SA_MAPPING,
	__ESPAH_CMD_MAX,
};

#define ESPAH_CMD_MAX (__ESPAH_CMD_MAX - 1)

/** enum espah_mode - SA / template encapsulation mode */
enum espah_mode {
	ESPAH_MODE_TRANSPORT,
	ESPAH_MODE_TUNNEL,
};

/** enum espah_dir - SA or policy direction */
enum espah_dir {
	ESPAH_DIR_IN,
	ESPAH_DIR_OUT,
	ESPAH_DIR_FWD,	/* policies only */
};

/** enum espah_action - policy action */
enum espah_action {
	ESPAH_ACTION_PROTECT,
	ESPAH_ACTION_BYPASS,
	ESPAH_ACTION_DISCARD,
};

/**
 * enum espah_pol_origin - who owns a policy (ESPAH_A_POL_ORIGIN)
 * @ESPAH_POL_ORIGIN_ESPAH: added through this family
 * @ESPAH_POL_ORIGIN_XFRM: carried for a native XFRM policy
 * @ESPAH_POL_ORIGIN_DETACHED: was carried; left when the namespace was
 *	detached, so that its traffic stops instead of leaving in clear
 */
enum espah_pol_origin {
	ESPAH_POL_ORIGIN_ESPAH,
	ESPAH_POL_ORIGIN_XFRM,
	ESPAH_POL_ORIGIN_DETACHED,
};

#define ESPAH_SA_FLAG_ESN	(1U << 0)	/* 64-bit sequence numbers */
/* AH over IPv4: pad the ICV to 32 bits, not 64 (ip xfrm's flag align4) */
#define ESPAH_SA_FLAG_ALIGN4	(1U << 1)
/* Inbound SAs with ESPAH_A_SA_ENCAP and a replay window: follow a NAT
 * rebinding. When an authenticated packet that advances the replay window
 * (so never a replayed or late one) comes from the SA's peer address but
 * another UDP source port, the SA records the new port and every outbound
 * SA from this SA's destination to its source with the same reqid, UDP
 * encapsulation and the old destination port sends to the new port
 * (RFC 3948, RFC 7296 2.23). A new peer address is reported
 * (ESPAH_CMD_SA_MAPPING) but not applied: the policies name it.
 */
#define ESPAH_SA_FLAG_NATT_UPDATE	(1U << 4)
/* tunnel mode: outer headers Not-ECT, inner ECN left as it came (ip xfrm's
 * flag noecn); without it, RFC 6040 normal mode
 */
#define ESPAH_SA_FLAG_NOECN	(1U << 2)
/* tunnel mode, inbound: the outer DSCP replaces the inner one (ip xfrm's
 * flag decap-dscp)
 */
#define ESPAH_SA_FLAG_DECAP_DSCP (1U << 3)
/* Inbound SAs (ip xfrm's flag icmp): an ICMP or ICMPv6 error that came
 * through the SA and is addressed to this host passes the SA's selector
 * and the inbound policy check when the packet it quotes, its addresses
 * and ports swapped, does, as native XFRM's icmp_rcv() allows. Errors to
 * be forwarded are judged by their own addresses, as without the flag.
 * Without it such errors are dropped (ESPAH_SA_STAT_SEL_MISMATCH, or
 * ESPAH_STAT_IN_POLICY_DROP).
 */
#define ESPAH_SA_FLAG_ICMP	(1U << 5)
/* Inbound SAs (ip xfrm's flag wildrecv): found by SPI and protocol
 * whatever the packet's destination address; an SA with the exact
 * destination is preferred.
 */
#define ESPAH_SA_FLAG_WILDRECV	(1U << 6)

/* Policy flags (ESPAH_A_POL_FLAGS) */
/* Outbound protect policies (ip xfrm's flag icmp): an ICMP or ICMPv6
 * error this host sends that no policy protects is protected by this one
 * when the packet it quotes, its addresses and ports swapped, matches it
 * (the reply direction of that flow), as native XFRM's icmp_send() does.
 */
#define ESPAH_POL_FLAG_ICMP	(1U << 0)
/* ip xfrm's flag localok: kept and reported; native XFRM 6.1 stores it and
 * never reads it, and neither does espah
 */
#define ESPAH_POL_FLAG_LOCALOK	(1U << 1)

/**
 * enum espah_df - the DF bit of a tunnel SA's IPv4 outer header
 *	(ESPAH_A_SA_DF, RFC 4301 8.1)
 * @ESPAH_DF_COPY: from the inner IPv4 header; set for an inner IPv6
 *	packet (the default, as native XFRM)
 * @ESPAH_DF_CLEAR: never set (native XFRM's flag nopmtudisc)
 * @ESPAH_DF_SET: always set (but on an outer packet that is fragmented
 *	because it does not fit and its inner packet allowed fragmenting)
 */
enum espah_df {
	ESPAH_DF_COPY,
	ESPAH_DF_CLEAR,
	ESPAH_DF_SET,
};

/**
 * enum espah_attr - top-level attributes
 * @ESPAH_A_SA_SPI: u32, network byte order; 256..0xffffffff
 * @ESPAH_A_SA_PROTO: u8, IPPROTO_ESP or IPPROTO_AH
 * @ESPAH_A_SA_MODE: u8, enum espah_mode
 * @ESPAH_A_SA_DIR: u8, ESPAH_DIR_IN or ESPAH_DIR_OUT
 * @ESPAH_A_SA_FAMILY: u16, AF_INET or AF_INET6: family of SRC/DST
 * @ESPAH_A_SA_SRC: binary 4/16, outer source address
 * @ESPAH_A_SA_DST: binary 4/16, outer destination address
 * @ESPAH_A_SA_SEL: nested enum espah_sel_attr, inner traffic selector
 * @ESPAH_A_SA_AEAD: string, crypto API name of a combined-mode algorithm
 * @ESPAH_A_SA_ENC: string, cipher name (with AUTH)
 * @ESPAH_A_SA_AUTH: string, integrity algorithm name
 * @ESPAH_A_SA_ENC_KEY: binary, key of AEAD or ENC (AEAD includes salt)
 * @ESPAH_A_SA_AUTH_KEY: binary, key of AUTH
 * @ESPAH_A_SA_ICV_BITS: u32, ICV length in bits (AEAD, auth-trunc)
 * @ESPAH_A_SA_REPLAY_WINDOW: u32, anti-replay window in packets, 0 = off;
 *	absent: ESPAH_REPLAY_WINDOW_DEFAULT for an inbound SA
 * @ESPAH_A_SA_FLAGS: u32, ESPAH_SA_FLAG_*
 * @ESPAH_A_SA_REQID: u32, binds SA to policy templates
 * @ESPAH_A_SA_SEQ: u64, inbound highest sequence number seen (replay-seq)
 * @ESPAH_A_SA_OSEQ: u64, outbound last sequence number sent (replay-oseq)
 * @ESPAH_A_SA_STATS: nested enum espah_sa_stat, read only
 * @ESPAH_A_SA_PAD: padding for 64-bit attributes
 * @ESPAH_A_POL_DIR: u8, enum espah_dir
 * @ESPAH_A_POL_SEL: nested enum espah_sel_attr
 * @ESPAH_A_POL_ACTION: u8, enum espah_action
 * @ESPAH_A_POL_PRIORITY: u32, lower value wins
 * @ESPAH_A_POL_TMPL: nested enum espah_tmpl_attr; up to 2, outermost last
 * @ESPAH_A_POL_INDEX: u32, kernel-assigned policy index
 * @ESPAH_A_COUNT: u32, reply of ESPAH_CMD_SA_COUNT
 * @ESPAH_A_STATS: nested enum espah_stat, global counters
 * @ESPAH_A_VERSION: string, module version
 * @ESPAH_A_ALG: nested enum espah_alg_attr, one per supported algorithm
 * @ESPAH_A_WINDOW_MAX: u32, largest replay window
 * @ESPAH_A_SA_LIFETIME: nested enum espah_lft_attr: limits (SA_ADD/UPDATE;
 *	absent or 0 = no limit) and, in replies, the current times
 * @ESPAH_A_SA_EXPIRE_HARD: u8, in ESPAH_CMD_SA_EXPIRE: 1 hard (the SA is
 *	gone), 0 soft (the SA keeps working: rekey now)
 * @ESPAH_A_SA_EXPIRE_REASON: u8, in ESPAH_CMD_SA_EXPIRE: enum
 *	espah_expire_reason, the limit that was reached first
 * @ESPAH_A_SA_REORDER: nested enum espah_reorder_attr, read only: how far
 *	behind the highest received sequence number packets arrived (IN SAs)
 * @ESPAH_A_POL_HOLD: u32, outbound protect policies only: packets that find
 *	no usable SA are held, up to this many (at most ESPAH_HOLD_MAX), and
 *	sent once a usable SA is added or updated; absent or 0: dropped
 *	(ESPAH_STAT_OUT_NO_SA). A packet held longer than the module
 *	parameter hold_timeout_ms (default 3000 ms) is dropped
 *	(ESPAH_STAT_HOLD_TIMEOUT); deleting, flushing or updating the policy
 *	(down to fewer held packets), and the namespace's or module's end,
 *	drop what it holds (ESPAH_STAT_HOLD_FLUSHED). A GSO packet counts as
 *	one.
 * @ESPAH_A_FEATURES: u32, reply of ESPAH_CMD_FEATURES_GET: ESPAH_FEAT_*
 *	bits, what this module does (a bit unknown to the reader is a
 *	feature newer than it)
 * @ESPAH_A_HOLD_MAX: u32, reply of ESPAH_CMD_FEATURES_GET: the largest
 *	ESPAH_A_POL_HOLD
 * @ESPAH_A_SA_XFRM_IF_ID: u32, dumps: the SA is native XFRM's, carried
 *	for this if_id (change it with ip xfrm, not here)
 * @ESPAH_A_POL_ORIGIN: u8, dumps: enum espah_pol_origin (absent: espah)
 * @ESPAH_A_POL_XFRM_INDEX: u32, dumps: the carried native policy's index
 * @ESPAH_A_XFRM_IF_ID: u32, the tag of ESPAH_CMD_XFRM_ATTACH, not 0
 * @ESPAH_A_XFRM_MARK: u32, with ESPAH_A_XFRM_MASK: only native objects
 *	whose (mark & mask) == mark
 * @ESPAH_A_XFRM_MASK: u32, 0 (default): marks do not matter
 * @ESPAH_A_XFRM_SAS: u32, reply of ESPAH_CMD_XFRM_GET: SAs carried
 * @ESPAH_A_XFRM_POLS: u32, reply of ESPAH_CMD_XFRM_GET: policies carried
 * @ESPAH_A_XFRM_REASON: string, in ESPAH_CMD_XFRM_REFUSED
 * @ESPAH_A_SA_ENCAP: nested enum espah_encap_attr: ESP in UDP (RFC 3948,
 *	NAT traversal). ESP SAs only. Outbound: a UDP header with these
 *	ports follows the (outer) IP header. Inbound: UDP datagrams to the
 *	SA's ESPAH_ENCAP_DPORT that hold ESP for it are decapsulated
 *	whether or not a socket is bound to that port; keepalives (one byte
 *	0xff) are consumed, the rest (IKE with its non-ESP marker, SPIs
 *	espah does not own) go on to the socket untouched. An update may
 *	add, change or remove it.
 * @ESPAH_A_SA_KEYS: flag, in ESPAH_CMD_SA_GET (do and dump): the reply
 *	carries ESPAH_A_SA_ENC_KEY / ESPAH_A_SA_AUTH_KEY of SAs that kept a
 *	copy of their keys, which they do only when added while the module
 *	parameter key_export was set. Refused while it is not set.
 * @ESPAH_A_SA_MAPPING: nested enum espah_mapping_attr, in
 *	ESPAH_CMD_SA_MAPPING
 * @ESPAH_A_SA_DF: u8, enum espah_df; tunnel mode with an IPv4 outer
 *	header only; absent: ESPAH_DF_COPY
 * @ESPAH_A_SA_DSCP: u8, 0..63: tunnel mode only, the DSCP of every outer
 *	header (0 is ip xfrm's extra-flag dont-encap-dscp); absent: the
 *	inner header's DSCP is copied
 * @ESPAH_A_SA_TFCPAD: u32, tunnel-mode ESP, outbound: traffic flow
 *	confidentiality padding (RFC 4303 2.4, ip xfrm's tfcpad): each inner
 *	packet is padded with zeros up to this many bytes, at most what fits
 *	the path MTU; 0 or absent: none
 * @ESPAH_A_POL_FLAGS: u32, ESPAH_POL_FLAG_*; absent: 0
 * @ESPAH_A_SA_MARK: u32, mark condition (ip xfrm's mark): inbound, the SA
 *	is found only for packets whose mark & ESPAH_A_SA_MARK_MASK equals
 *	it; outbound, it serves only protect policies whose mark (value &
 *	mask) satisfies the same condition. SAs of one SPI, destination and
 *	protocol may differ by it. Also names the SA in SA_GET/SA_DEL (the
 *	SA whose condition value & mask satisfies). Absent: any mark
 * @ESPAH_A_SA_MARK_MASK: u32, with ESPAH_A_SA_MARK; absent: 0xffffffff;
 *	0 only with a value of 0; the value has no bit outside it
 * @ESPAH_A_SA_OMARK: u32, output-mark (ip xfrm's output-mark, native's
 *	smark): outbound, the ESP packet's mark becomes (mark &
 *	~ESPAH_A_SA_OMARK_MASK) | (this & mask) before its route lookup
 *	(tunnel mode: ip rule fwmark chooses its path); inbound, the
 *	decapsulated packet's mark, the same way
 * @ESPAH_A_SA_OMARK_MASK: u32, with ESPAH_A_SA_OMARK; absent: 0xffffffff
 * @ESPAH_A_POL_MARK: u32, mark condition: the policy applies only to
 *	packets whose mark & ESPAH_A_POL_MARK_MASK equals it (in, out and
 *	fwd); with the direction and selector, the policy's identity (POL_GET,
 *	POL_DEL, POL_UPDATE). Absent: any mark
 * @ESPAH_A_POL_MARK_MASK: u32, with ESPAH_A_POL_MARK; as ESPAH_A_SA_MARK_MASK
 * @ESPAH_A_SA_IF_ID: u32, not 0: the SA of a native xfrm interface with
 *	this if_id (ip link add NAME type xfrm if_id N; route-based IPsec):
 *	outbound, only policies with the same if_id take it; inbound, what it
 *	decapsulates is received on that interface. Tunnel mode only; not
 *	the namespace's xfrm bridge tag (ESPAH_A_XFRM_IF_ID). Absent: none
 * @ESPAH_A_POL_IF_ID: u32, not 0: the policy applies only to the packets of
 *	the xfrm interface with this if_id (routed into it, or received on
 *	it); a policy without covers no such packet. Part of its identity.
 * @ESPAH_A_SA_DUMMY_RATE: u32, 1..ESPAH_DUMMY_RATE_MAX packets a second;
 *	outbound tunnel-mode ESP SAs only: dummy packets (RFC 4303 2.6, next
 *	header 59) keep the SA's packet rate at or above this: whenever it
 *	sent nothing for 1/rate s, it sends one, whose payload is
 *	ESPAH_A_SA_TFCPAD bytes of zeros (none without it). Real traffic at
 *	or above the rate sends none. Dummies take sequence numbers and count
 *	as packets and bytes (and in ESPAH_SA_STAT_OUT_DUMMY). Absent: none
 */
enum espah_attr {
	ESPAH_A_UNSPEC,
	ESPAH_A_SA_SPI,
	ESPAH_A_SA_PROTO,
	ESPAH_A_SA_MODE,
	ESPAH_A_SA_DIR,
	ESPAH_A_SA_FAMILY,
	ESPAH_A_SA_SRC,
	ESPAH_A_SA_DST,
	ESPAH_A_SA_SEL,
	ESPAH_A_SA_AEAD,
	ESPAH_A_SA_ENC,
	ESPAH_A_SA_AUTH,
	ESPAH_A_SA_ENC_KEY,
	ESPAH_A_SA_AUTH_KEY,
	ESPAH_A_SA_ICV_BITS,
	ESPAH_A_SA_REPLAY_WINDOW,
	ESPAH_A_SA_FLAGS,
	ESPAH_A_SA_REQID,
	ESPAH_A_SA_SEQ,
	ESPAH_A_SA_OSEQ,
	ESPAH_A_SA_STATS,
	ESPAH_A_SA_PAD,
	ESPAH_A_POL_DIR,
	ESPAH_A_POL_SEL,
	ESPAH_A_POL_ACTION,
	ESPAH_A_POL_PRIORITY,
	ESPAH_A_POL_TMPL,
	ESPAH_A_POL_INDEX,
	ESPAH_A_COUNT,
	ESPAH_A_STATS,
	ESPAH_A_VERSION,
	ESPAH_A_ALG,
	ESPAH_A_WINDOW_MAX,
	ESPAH_A_SA_LIFETIME,
	ESPAH_A_SA_EXPIRE_HARD,
	ESPAH_A_SA_EXPIRE_REASON,
	ESPAH_A_SA_REORDER,
	ESPAH_A_POL_HOLD,
	ESPAH_A_FEATURES,
	ESPAH_A_HOLD_MAX,
	ESPAH_A_SA_XFRM_IF_ID,
	ESPAH_A_POL_ORIGIN,
	ESPAH_A_POL_XFRM_INDEX,
	ESPAH_A_XFRM_IF_ID,
	ESPAH_A_XFRM_MARK,
	ESPAH_A_XFRM_MASK,
	ESPAH_A_XFRM_SAS,
	ESPAH_A_XFRM_POLS,
	ESPAH_A_XFRM_REASON,
	ESPAH_A_SA_ENCAP,
	ESPAH_A_SA_KEYS,
	ESPAH_A_SA_MAPPING,
	ESPAH_A_SA_DF,
	ESPAH_A_SA_DSCP,
	ESPAH_A_SA_TFCPAD,
	ESPAH_A_POL_FLAGS,
	ESPAH_A_SA_MARK,
	ESPAH_A_SA_MARK_MASK,
	ESPAH_A_SA_OMARK,
	ESPAH_A_SA_OMARK_MASK,
	ESPAH_A_POL_MARK,
	ESPAH_A_POL_MARK_MASK,
	ESPAH_A_SA_IF_ID,
	ESPAH_A_POL_IF_ID,
	ESPAH_A_SA_DUMMY_RATE,
	__ESPAH_A_MAX,
};

/* ESPAH_A_FEATURES bits */
#define ESPAH_FEAT_ESP		(1U << 0)	/* ESP, transport and tunnel */
#define ESPAH_FEAT_AH		(1U << 1)	/* AH, incl. AES-GMAC (RFC 4543) */
#define ESPAH_FEAT_BUNDLE	(1U << 2)	/* two templates: ESP inside AH */
#define ESPAH_FEAT_ESN		(1U << 3)	/* ESPAH_SA_FLAG_ESN */
#define ESPAH_FEAT_TUNNEL_MIXED	(1U << 4)	/* 4in6 and 6in4 tunnels */
#define ESPAH_FEAT_ASYNC	(1U << 5)	/* "pcrypt(NAME)" algorithm names */
#define ESPAH_FEAT_LIFETIME	(1U << 6)	/* ESPAH_A_SA_LIFETIME, expire events */
#define ESPAH_FEAT_SEQ_SOFT	(1U << 7)	/* soft expire before seq exhaustion */
#define ESPAH_FEAT_ACQUIRE	(1U << 8)	/* acquire events */
#define ESPAH_FEAT_HOLD		(1U << 9)	/* ESPAH_A_POL_HOLD */
#define ESPAH_FEAT_REORDER	(1U << 10)	/* ESPAH_A_SA_REORDER */
#define ESPAH_FEAT_STAT_PROC	(1U << 11)	/* /proc/net/espah_stat */
#define ESPAH_FEAT_MSS_CLAMP	(1U << 12)	/* TCP SYN MSS clamping */
#define ESPAH_FEAT_XFRM		(1U << 13)	/* ESPAH_CMD_XFRM_*: carries native SAs */
#define ESPAH_FEAT_NATT		(1U << 14)	/* ESPAH_A_SA_ENCAP: ESP in UDP */
#define ESPAH_FEAT_KEY_EXPORT	(1U << 15)	/* ESPAH_A_SA_KEYS, if key_export is set */
/* ESPAH_CMD_SA_MAPPING, ESPAH_SA_FLAG_NATT_UPDATE */
#define ESPAH_FEAT_NATT_MAPPING	(1U << 16)
#define ESPAH_FEAT_NATT_KEEPALIVE (1U << 17)	/* ESPAH_ENCAP_KEEPALIVE */
#define ESPAH_FEAT_TUNHDR	(1U << 18)	/* ESPAH_A_SA_DF, ESPAH_A_SA_DSCP,
						 * flags noecn, decap-dscp
						 */
#define ESPAH_FEAT_TFC		(1U << 19)	/* ESPAH_A_SA_TFCPAD */
/* ESPAH_SA_FLAG_ICMP, ESPAH_POL_FLAG_ICMP */
#define ESPAH_FEAT_ICMP		(1U << 20)
#define ESPAH_FEAT_TMPL_OPTIONAL (1U << 21)	/* ESPAH_TMPL_OPTIONAL */
/* ESPAH_SA_FLAG_WILDRECV, ESPAH_POL_FLAG_LOCALOK */
#define ESPAH_FEAT_WILDRECV	(1U << 22)
#define ESPAH_FEAT_NATT_NONIKE	(1U << 23)	/* ESPAH_ENCAP_TYPE espinudp-nonike */
/* ESPAH_A_SA_MARK, ESPAH_A_SA_OMARK, ESPAH_A_POL_MARK (and their masks) */
#define ESPAH_FEAT_MARK		(1U << 24)
/* ESPAH_A_SA_IF_ID, ESPAH_A_POL_IF_ID: native xfrm interfaces */
#define ESPAH_FEAT_XFRMI	(1U << 25)
/* ESPAH_A_SA_DUMMY_RATE: dummy packets (RFC 4303 2.6) */
#define ESPAH_FEAT_DUMMY	(1U << 26)

#define ESPAH_A_MAX (__ESPAH_A_MAX - 1)

/**
 * enum espah_sel_attr - traffic selector (nested)
 * @ESPAH_SEL_FAMILY: u16, AF_INET or AF_INET6 (required)
 * @ESPAH_SEL_SRC: binary 4/16, source prefix (absent: any)
 * @ESPAH_SEL_DST: binary 4/16, destination prefix (absent: any)
 * @ESPAH_SEL_SPLEN: u8, source prefix length
 * @ESPAH_SEL_DPLEN: u8, destination prefix length
 * @ESPAH_SEL_PROTO: u8, upper-layer protocol, 0 = any
 * @ESPAH_SEL_SPORT: be16, first source port (ICMP: type)
 * @ESPAH_SEL_SPORT_MAX: be16, last source port (default: SPORT)
 * @ESPAH_SEL_DPORT: be16, first destination port (ICMP: code)
 * @ESPAH_SEL_DPORT_MAX: be16, last destination port (default: DPORT)
 */
enum espah_sel_attr {
	ESPAH_SEL_UNSPEC,
	ESPAH_SEL_FAMILY,
	ESPAH_SEL_SRC,
	ESPAH_SEL_DST,
	ESPAH_SEL_SPLEN,
	ESPAH_SEL_DPLEN,
	ESPAH_SEL_PROTO,
	ESPAH_SEL_SPORT,
	ESPAH_SEL_SPORT_MAX,
	ESPAH_SEL_DPORT,
	ESPAH_SEL_DPORT_MAX,
	__ESPAH_SEL_MAX,
};

#define ESPAH_SEL_MAX (__ESPAH_SEL_MAX - 1)

/**
 * enum espah_encap_attr - UDP encapsulation of an ESP SA (nested in
 *	ESPAH_A_SA_ENCAP)
 * @ESPAH_ENCAP_TYPE: u16, UDP_ENCAP_ESPINUDP (2; RFC 3948, as ip xfrm's
 *	"encap espinudp"), or UDP_ENCAP_ESPINUDP_NON_IKE (1, "encap
 *	espinudp-nonike": eight zero bytes between the UDP header and ESP,
 *	in both directions; such a datagram without them is dropped and
 *	counted as ESPAH_SA_STAT_ENCAP_MISMATCH)
 * @ESPAH_ENCAP_SPORT: be16, UDP source port of the SA's packets, not 0
 *	(network byte order, as on the wire)
 * @ESPAH_ENCAP_DPORT: be16, UDP destination port of the SA's packets,
 *	not 0; for an inbound SA, the local port its packets arrive on
 * @ESPAH_ENCAP_OA: binary 4/16, the original address (ip xfrm's OADDR):
 *	kept and reported, not used (absent: none)
 * @ESPAH_ENCAP_KEEPALIVE: u32, outbound SAs: NAT keepalives (RFC 3948
 *	2.3): when nothing was sent on the SA for this many seconds (at most
 *	3600), one UDP datagram holding the single byte 0xff goes from
 *	SPORT to DPORT; 0 or absent: none. Precision: about a second.
 */
enum espah_encap_attr {
	ESPAH_ENCAP_UNSPEC,
	ESPAH_ENCAP_TYPE,
	ESPAH_ENCAP_SPORT,
	ESPAH_ENCAP_DPORT,
	ESPAH_ENCAP_OA,
	ESPAH_ENCAP_KEEPALIVE,
	__ESPAH_ENCAP_MAX,
};

#define ESPAH_ENCAP_MAX (__ESPAH_ENCAP_MAX - 1)

/**
 * enum espah_mapping_attr - a NAT mapping change (nested in
 *	ESPAH_A_SA_MAPPING)
 * @ESPAH_MAPPING_OLD_ADDR: binary 4/16, the peer address the SA recorded
 * @ESPAH_MAPPING_OLD_PORT: be16, the UDP source port the SA recorded
 * @ESPAH_MAPPING_NEW_ADDR: binary 4/16, where the packet came from
 * @ESPAH_MAPPING_NEW_PORT: be16, its UDP source port
 * @ESPAH_MAPPING_UPDATED: u8, 1 if the SAs now use the new port
 *	(ESPAH_SA_FLAG_NATT_UPDATE), 0 if nothing changed
 */
enum espah_mapping_attr {
	ESPAH_MAPPING_UNSPEC,
	ESPAH_MAPPING_OLD_ADDR,
	ESPAH_MAPPING_OLD_PORT,
	ESPAH_MAPPING_NEW_ADDR,
	ESPAH_MAPPING_NEW_PORT,
	ESPAH_MAPPING_UPDATED,
	__ESPAH_MAPPING_MAX,
};

#define ESPAH_MAPPING_MAX (__ESPAH_MAPPING_MAX - 1)

/**
 * enum espah_tmpl_attr - protect policy template (nested)
 * @ESPAH_TMPL_PROTO: u8, IPPROTO_ESP or IPPROTO_AH
 * @ESPAH_TMPL_MODE: u8, enum espah_mode
 * @ESPAH_TMPL_FAMILY: u16, family of SRC/DST (tunnel mode)
 * @ESPAH_TMPL_SRC: binary 4/16, tunnel source
 * @ESPAH_TMPL_DST: binary 4/16, tunnel destination
 * @ESPAH_TMPL_REQID: u32, 0 = any
 * @ESPAH_TMPL_SPI: be32, 0 = any
 * @ESPAH_TMPL_OPTIONAL: flag, ip xfrm's "level use": outbound, a
 *	transport-mode template whose SA is missing is skipped (the packet
 *	goes on without that transform; an acquire event is still sent);
 *	inbound, a packet need not have gone through it (a transport-mode
 *	optional template is never required; a tunnel-mode one is matched
 *	when the transform is there). Tunnel mode is refused in outbound
 *	policies, as native XFRM refuses it.
 */
enum espah_tmpl_attr {
	ESPAH_TMPL_UNSPEC,
	ESPAH_TMPL_PROTO,
	ESPAH_TMPL_MODE,
	ESPAH_TMPL_FAMILY,
	ESPAH_TMPL_SRC,
	ESPAH_TMPL_DST,
	ESPAH_TMPL_REQID,
	ESPAH_TMPL_SPI,
	ESPAH_TMPL_OPTIONAL,
	__ESPAH_TMPL_MAX,
};

#define ESPAH_TMPL_MAX (__ESPAH_TMPL_MAX - 1)

/**
 * enum espah_sa_stat - per-SA counters (nested in ESPAH_A_SA_STATS, all u64)
 *
 * ESPAH_SA_STAT_PAD is padding for the 64-bit counters, first so that the
 * counters are one run of values and new ones are added at the end.
 */
enum espah_sa_stat {
	ESPAH_SA_STAT_UNSPEC,
	ESPAH_SA_STAT_PAD,
	ESPAH_SA_STAT_PACKETS,
	ESPAH_SA_STAT_BYTES,
	ESPAH_SA_STAT_REPLAY,		/* duplicate inside the window */
	ESPAH_SA_STAT_OLD,		/* left of the window */
	ESPAH_SA_STAT_ICV_FAIL,
	ESPAH_SA_STAT_PAD_ERR,		/* bad padding or trailer */
	ESPAH_SA_STAT_SEL_MISMATCH,	/* inner packet outside selector */
	ESPAH_SA_STAT_SEQ_OVERFLOW,	/* outbound sequence exhausted */
	ESPAH_SA_STAT_MALFORMED,	/* too short, bad header */
	ESPAH_SA_STAT_NOMEM,
	ESPAH_SA_STAT_EXPIRED,		/* dropped: hard byte/packet limit hit */
	ESPAH_SA_STAT_DUMMY,		/* RFC 4303 2.6 dummy packet (next header
					 * 59): discarded after the ICV verified
					 */
	ESPAH_SA_STAT_ENCAP_MISMATCH,	/* bare ESP for an SA with UDP
					 * encapsulation (ESPAH_A_SA_ENCAP)
					 */
	ESPAH_SA_STAT_NATT_MAPPING,	/* authenticated packets from another
					 * peer address or port
					 */
	ESPAH_SA_STAT_NATT_KEEPALIVE,	/* NAT keepalives sent */
	ESPAH_SA_STAT_CE_NOT_ECT,	/* tunnel: CE outer header over a
					 * Not-ECT inner packet (RFC 6040 4.2)
					 */
	ESPAH_SA_STAT_OUT_DUMMY,	/* dummy packets sent
					 * (ESPAH_A_SA_DUMMY_RATE)
					 */
	__ESPAH_SA_STAT_MAX,
};

#define ESPAH_SA_STAT_MAX (__ESPAH_SA_STAT_MAX - 1)

/**
 * enum espah_stat - global per-netns counters (nested in ESPAH_A_STATS, u64)
 *
 * ESPAH_STAT_PAD is padding, first, as in enum espah_sa_stat.
 */
enum espah_stat {
	ESPAH_STAT_UNSPEC,
	ESPAH_STAT_PAD,
	ESPAH_STAT_IN_NO_SA,		/* ESP/AH for an SPI espah knows no SA for */
	ESPAH_STAT_IN_MALFORMED,	/* header too short to read the SPI, or
					 * an SA's packet with a bad header
					 * (its ESPAH_SA_STAT_MALFORMED)
					 */
	ESPAH_STAT_IN_POLICY_DROP,	/* cleartext where protect is required */
	ESPAH_STAT_OUT_NO_SA,		/* protect policy without usable SA, not held */
	ESPAH_STAT_POLICY_DISCARD,	/* discard action matched */
	ESPAH_STAT_IN_PACKETS,
	ESPAH_STAT_OUT_PACKETS,
	ESPAH_STAT_OUT_ERROR,		/* route, allocation, crypto errors */
	ESPAH_STAT_CRYPTO_ASYNC,	/* transforms that completed asynchronously */
	ESPAH_STAT_IN_AH_FRAG,		/* AH fragment (RFC 4302 3.4.1) */
	ESPAH_STAT_IN_EXPIRED,		/* inbound SA past its hard limit */
	ESPAH_STAT_OUT_EXPIRED,		/* outbound SA past its hard limit */
	ESPAH_STAT_ACQUIRE,		/* acquire events raised */
	ESPAH_STAT_ACQUIRE_SUPPRESSED,	/* no SA, acquire rate-limited */
	ESPAH_STAT_SOFT_EXPIRE,		/* soft expire events raised */
	ESPAH_STAT_HARD_EXPIRE,		/* SAs removed by a hard limit */
	/* The totals over all SAs of the per-SA drop reasons, kept when the
	 * SAs go (/proc/net/xfrm_stat's names in /proc/net/espah_stat):
	 */
	ESPAH_STAT_IN_STATE_PROTO_ERROR, /* ICV failed, bad padding/trailer */
	ESPAH_STAT_IN_STATE_SEQ_ERROR,	/* replayed or left of the window */
	ESPAH_STAT_IN_STATE_MISMATCH,	/* inner packet outside the selector, or
					 * without the SA's UDP encapsulation
					 */
	ESPAH_STAT_IN_BUFFER_ERROR,	/* no memory on input */
	ESPAH_STAT_OUT_STATE_SEQ_ERROR,	/* outbound sequence exhausted */
	ESPAH_STAT_HOLD_QUEUED,		/* no SA, packet held (ESPAH_A_POL_HOLD) */
	ESPAH_STAT_HOLD_RELEASED,	/* held packet sent to its new SA */
	ESPAH_STAT_HOLD_FULL,		/* no SA, hold queue full: dropped */
	ESPAH_STAT_HOLD_TIMEOUT,	/* held too long: dropped */
	ESPAH_STAT_HOLD_FLUSHED,	/* held, dropped: policy or netns gone */
	ESPAH_STAT_MSS_CLAMPED,		/* TCP SYN MSS option lowered (mss_clamp) */
	ESPAH_STAT_OUT_STATE_INVALID,	/* the SA was updated or deleted after
					 * the packet looked it up: dropped
					 * rather than numbered twice
					 */
	ESPAH_STAT_OUT_TOO_BIG,		/* larger than the SA's path MTU, DF
					 * set: dropped, ICMP sent
					 */
	ESPAH_STAT_IN_DUMMY,		/* total of ESPAH_SA_STAT_DUMMY */
	ESPAH_STAT_IN_FLOW_ERROR,	/* cleartext whose headers cannot be
					 * parsed under a protect policy
					 */
	ESPAH_STAT_OUT_FLOW_ERROR,	/* the same, outbound */
	ESPAH_STAT_XFRM_REFUSED,	/* tagged native SA or policy not
					 * carried (ESPAH_CMD_XFRM_REFUSED)
					 */
	ESPAH_STAT_XFRM_ACQUIRE,	/* acquires sent to native key managers */
	ESPAH_STAT_IN_NATT_KEEPALIVE,	/* NAT keepalives (RFC 3948 2.3) consumed */
	ESPAH_STAT_IN_NATT_SHORT,	/* UDP to an encap port, too short for
					 * ESP and not a keepalive: passed on
					 */
	ESPAH_STAT_NATT_MAPPING,	/* ESPAH_CMD_SA_MAPPING events raised */
	/* mapping changes not reported (one event a second per SA) */
	ESPAH_STAT_NATT_MAPPING_SUPPRESSED,
	/* SAs moved to a new peer port (ESPAH_SA_FLAG_NATT_UPDATE) */
	ESPAH_STAT_NATT_MAPPING_UPDATED,
	ESPAH_STAT_OUT_NATT_KEEPALIVE,	/* NAT keepalives sent */
	ESPAH_STAT_IN_CE_NOT_ECT,	/* total of ESPAH_SA_STAT_CE_NOT_ECT */
	ESPAH_STAT_IN_NATT_CSUM,	/* ESP in UDP with a wrong UDP checksum,
					 * or none over IPv6 (RFC 8200 8.1):
					 * dropped
					 */
	ESPAH_STAT_IN_NO_XFRMI,		/* decapsulated by an SA with an if_id
					 * no xfrm interface has: dropped
					 */
	ESPAH_STAT_OUT_DUMMY,		/* total of ESPAH_SA_STAT_OUT_DUMMY */
	__ESPAH_STAT_MAX,
};

#define ESPAH_STAT_MAX (__ESPAH_STAT_MAX - 1)

/**
 * enum espah_alg_attr - one supported algorithm (nested in ESPAH_A_ALG)
 * @ESPAH_ALG_NAME: string, crypto API name
 * @ESPAH_ALG_KIND: u8, 0 aead, 1 cipher, 2 auth
 * @ESPAH_ALG_KEY_BITS: u32, a valid key length (repeated)
 * @ESPAH_ALG_ICV_BITS: u32, a valid ICV length (repeated)
 */
enum espah_alg_attr {
	ESPAH_ALG_UNSPEC,
	ESPAH_ALG_NAME,
	ESPAH_ALG_KIND,
	ESPAH_ALG_KEY_BITS,
	ESPAH_ALG_ICV_BITS,
	__ESPAH_ALG_MAX,
};

#define ESPAH_ALG_MAX (__ESPAH_ALG_MAX - 1)

/**
 * enum espah_lft_attr - SA lifetime (nested in ESPAH_A_SA_LIFETIME, all u64)
 * @ESPAH_LFT_SOFT_BYTES: soft limit on bytes protected (payload counted as
 *	in ESPAH_SA_STAT_BYTES)
 * @ESPAH_LFT_HARD_BYTES: hard limit on bytes: the packet that reaches it is
 *	the last one the SA carries
 * @ESPAH_LFT_SOFT_PACKETS: soft limit on packets
 * @ESPAH_LFT_HARD_PACKETS: hard limit on packets: exactly this many pass
 * @ESPAH_LFT_SOFT_ADD_SECS: soft limit, seconds since the SA was added
 * @ESPAH_LFT_HARD_ADD_SECS: hard limit, seconds since the SA was added
 * @ESPAH_LFT_SOFT_USE_SECS: soft limit, seconds since the SA's first packet
 * @ESPAH_LFT_HARD_USE_SECS: hard limit, seconds since the SA's first packet
 * @ESPAH_LFT_SEQ_SOFT: OUT SAs: soft expire when this many or fewer
 *	sequence numbers remain (32-bit or ESN space)
 * @ESPAH_LFT_ADD_TIME: read only, wall-clock seconds when the SA was added
 * @ESPAH_LFT_USE_TIME: read only, wall-clock seconds of the first packet,
 *	absent if unused
 * @ESPAH_LFT_PAD: padding
 *
 * Any combination; the first limit reached wins. A soft expire is sent
 * once per SA; a hard expire removes the SA and is sent once.
 */
enum espah_lft_attr {
	ESPAH_LFT_UNSPEC,
	ESPAH_LFT_SOFT_BYTES,
	ESPAH_LFT_HARD_BYTES,
	ESPAH_LFT_SOFT_PACKETS,
	ESPAH_LFT_HARD_PACKETS,
	ESPAH_LFT_SOFT_ADD_SECS,
	ESPAH_LFT_HARD_ADD_SECS,
	ESPAH_LFT_SOFT_USE_SECS,
	ESPAH_LFT_HARD_USE_SECS,
	ESPAH_LFT_SEQ_SOFT,
	ESPAH_LFT_ADD_TIME,
	ESPAH_LFT_USE_TIME,
	ESPAH_LFT_PAD,
	__ESPAH_LFT_MAX,
};

#define ESPAH_LFT_MAX (__ESPAH_LFT_MAX - 1)

/** enum espah_expire_reason - which limit an expire event reports */
enum espah_expire_reason {
	ESPAH_EXPIRE_BYTES,
	ESPAH_EXPIRE_PACKETS,
	ESPAH_EXPIRE_ADD_TIME,
	ESPAH_EXPIRE_USE_TIME,
	ESPAH_EXPIRE_SEQ,
};

/**
 * enum espah_reorder_attr - reorder statistics (nested in ESPAH_A_SA_REORDER)
 * @ESPAH_REORDER_MAX: u64, largest distance seen (highest sequence number
 *	accepted so far minus the late packet's)
 * @ESPAH_REORDER_BUCKET: u64, repeated ESPAH_REORDER_BUCKETS times, in
 *	order: accepted packets whose distance was 0 (in order), 1, 2-3, 4-7,
 *	8-15, 16-31, 32-63, 64 or more
 * @ESPAH_REORDER_PAD: padding
 */
enum espah_reorder_attr {
	ESPAH_REORDER_UNSPEC,
	ESPAH_REORDER_MAX,
	ESPAH_REORDER_BUCKET,
	ESPAH_REORDER_PAD,
	__ESPAH_REORDER_ATTR_MAX,
};

#define ESPAH_REORDER_ATTR_MAX (__ESPAH_REORDER_ATTR_MAX - 1)
#define ESPAH_REORDER_BUCKETS	8

#endif /* _UAPI_LINUX_ESPAH_H */
