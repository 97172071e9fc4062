/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters' names, in one place: for every enum espah_stat value its
 * name in /proc/net/espah_stat (the name /proc/net/xfrm_stat gives the same
 * count, where it has one; NULL: not shown there), its name in the espah
 * tool, and what it counts; for every enum espah_sa_stat value its name in
 * the tool and what it counts. Plain C, for the module and the tool alike;
 * each user expands a list with its own X(SUFFIX, ...) macro. The enum
 * values themselves are ABI and stay in the uapi header.
 */
#ifndef _ESPAH_COUNTERS_H
#define _ESPAH_COUNTERS_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
#include <assert.h>
#endif
#include <uapi/linux/espah.h>

/* X(SUFFIX of ESPAH_STAT_, proc name, tool name, what it counts) */
#define ESPAH_STATS(X)							\
	X(IN_NO_SA, "XfrmInNoStates", "in-no-sa",			\
	  "ESP/AH for an SPI espah knows no SA for")			\
	X(IN_MALFORMED, "XfrmInHdrError", "in-malformed",		\
	  "header too short to read the SPI, or an SA's packet with a bad header") \
	X(IN_POLICY_DROP, "XfrmInTmplMismatch", "in-policy-drop",	\
	  "cleartext where protect is required")			\
	X(OUT_NO_SA, "XfrmOutNoStates", "out-no-sa",			\
	  "protect policy without usable SA, not held")		\
	X(POLICY_DISCARD, "EspahPolBlock", "policy-discard",		\
	  "discard action matched")					\
	X(IN_PACKETS, "EspahInPackets", "in-packets",			\
	  "packets decapsulated")					\
	X(OUT_PACKETS, "EspahOutPackets", "out-packets",		\
	  "packets encapsulated")					\
	X(OUT_ERROR, "XfrmOutError", "out-error",			\
	  "route, allocation, crypto errors")				\
	X(CRYPTO_ASYNC, NULL, "crypto-async",				\
	  "transforms that completed asynchronously")			\
	X(IN_AH_FRAG, NULL, "in-ah-frag",				\
	  "AH fragment (RFC 4302 3.4.1)")				\
	X(IN_EXPIRED, "XfrmInStateExpired", "in-expired",		\
	  "inbound SA past its hard limit")				\
	X(OUT_EXPIRED, "XfrmOutStateExpired", "out-expired",		\
	  "outbound SA past its hard limit")				\
	X(ACQUIRE, "EspahAcquire", "acquire",				\
	  "acquire events raised")					\
	X(ACQUIRE_SUPPRESSED, "EspahAcquireSuppressed", "acquire-suppressed", \
	  "no SA, acquire rate-limited")				\
	X(SOFT_EXPIRE, "EspahSoftExpire", "soft-expire",		\
	  "soft expire events raised")					\
	X(HARD_EXPIRE, "EspahHardExpire", "hard-expire",		\
	  "SAs removed by a hard limit")				\
	X(IN_STATE_PROTO_ERROR, "XfrmInStateProtoError", "in-state-proto-error", \
	  "ICV failed, bad padding/trailer (all SAs)")			\
	X(IN_STATE_SEQ_ERROR, "XfrmInStateSeqError", "in-state-seq-error", \
	  "replayed or left of the window (all SAs)")			\
	X(IN_STATE_MISMATCH, "XfrmInStateMismatch", "in-state-mismatch", \
	  "inner packet outside the selector, or ESP without its SA's UDP (all SAs)")		\
	X(IN_BUFFER_ERROR, "XfrmInBufferError", "in-buffer-error",	\
	  "no memory on input (all SAs)")				\
	X(OUT_STATE_SEQ_ERROR, "XfrmOutStateSeqError", "out-state-seq-error", \
	  "outbound sequence exhausted (all SAs)")			\
	X(HOLD_QUEUED, "EspahHoldQueued", "hold-queued",		\
	  "no SA, packet held")						\
	X(HOLD_RELEASED, "EspahHoldReleased", "hold-released",		\
	  "held packet sent to its new SA")				\
	X(HOLD_FULL, "EspahHoldFull", "hold-full",			\
	  "no SA, hold queue full: dropped")				\
	X(HOLD_TIMEOUT, "EspahHoldTimeout", "hold-timeout",		\
	  "held too long: dropped")					\
	X(HOLD_FLUSHED, "EspahHoldFlushed", "hold-flushed",		\
	  "held, dropped: policy or netns gone")			\
	X(MSS_CLAMPED, "EspahMssClamped", "mss-clamped",		\
	  "TCP SYN MSS option lowered")					\
	X(OUT_STATE_INVALID, "XfrmOutStateInvalid", "out-state-invalid", \
	  "SA updated or deleted after the lookup: dropped")		\
	X(OUT_TOO_BIG, "EspahOutTooBig", "out-too-big",		\
	  "larger than the SA's path MTU, DF set: dropped, ICMP sent")	\
	X(IN_DUMMY, "EspahInDummy", "in-dummy",				\
	  "RFC 4303 2.6 dummy packets discarded (all SAs)")		\
	X(IN_FLOW_ERROR, "EspahInFlowError", "in-flow-error",		\
	  "cleartext with unparsable headers under a protect policy")	\
	X(OUT_FLOW_ERROR, "EspahOutFlowError", "out-flow-error",	\
	  "the same, outbound")					\
	X(XFRM_REFUSED, "EspahXfrmRefused", "xfrm-refused",		\
	  "tagged native SA or policy espah cannot carry")		\
	X(XFRM_ACQUIRE, "EspahXfrmAcquire", "xfrm-acquire",		\
	  "acquires sent to native key managers (IKE daemons)")	\
	X(IN_NATT_KEEPALIVE, "EspahInNattKeepalive", "in-natt-keepalive", \
	  "NAT keepalives (RFC 3948 2.3) to an encap port: consumed")	\
	X(IN_NATT_SHORT, "EspahInNattShort", "in-natt-short",		\
	  "UDP to an encap port too short for ESP: passed on")		\
	X(NATT_MAPPING, "EspahNattMapping", "natt-mapping",		\
	  "NAT mapping change events raised")				\
	X(NATT_MAPPING_SUPPRESSED, "EspahNattMappingSuppressed",	\
	  "natt-mapping-suppressed",					\
	  "NAT mapping changes not reported: one event a second per SA") \
	X(NATT_MAPPING_UPDATED, "EspahNattMappingUpdated",		\
	  "natt-mapping-updated",					\
	  "SAs moved to a new peer port (flag natt-update)")		\
	X(OUT_NATT_KEEPALIVE, "EspahOutNattKeepalive", "out-natt-keepalive", \
	  "NAT keepalives sent")					\
	X(IN_CE_NOT_ECT, "EspahInCeNotEct", "in-ce-not-ect",		\
	  "CE outer header over a Not-ECT inner packet: dropped (all SAs)") \
	X(IN_NATT_CSUM, "EspahInNattCsum", "in-natt-csum",		\
	  "ESP in UDP with a wrong UDP checksum, or none over IPv6: dropped") \
	X(IN_NO_XFRMI, "EspahInNoXfrmIf", "in-no-xfrmi",		\
	  "decapsulated by an SA whose if_id no xfrm interface has: dropped") \
	X(OUT_DUMMY, "EspahOutDummy", "out-dummy",			\
	  "RFC 4303 2.6 dummy packets sent (all SAs)")

/* X(SUFFIX of ESPAH_SA_STAT_, tool name, what it counts) */
#define ESPAH_SA_STATS(X)						\
	X(PACKETS, "packets", "packets through the SA")		\
	X(BYTES, "bytes", "bytes through the SA")			\
	X(REPLAY, "replay", "duplicate inside the window")		\
	X(OLD, "old", "left of the window")				\
	X(ICV_FAIL, "icv-fail", "ICV did not verify")			\
	X(PAD_ERR, "pad-err", "bad padding or trailer")		\
	X(SEL_MISMATCH, "sel-mismatch", "inner packet outside selector") \
	X(SEQ_OVERFLOW, "seq-overflow", "outbound sequence exhausted")	\
	X(MALFORMED, "malformed", "too short, bad header")		\
	X(NOMEM, "nomem", "no memory")					\
	X(EXPIRED, "expired", "dropped: hard byte/packet limit hit")	\
	X(DUMMY, "dummy", "RFC 4303 2.6 dummy packet, discarded")	\
	X(ENCAP_MISMATCH, "encap-mismatch",				\
	  "bare ESP for an SA with UDP encapsulation")			\
	X(NATT_MAPPING, "natt-mapping",					\
	  "authenticated packets from another peer address or port")	\
	X(NATT_KEEPALIVE, "natt-keepalive", "NAT keepalives sent")	\
	X(CE_NOT_ECT, "ce-not-ect",					\
	  "CE outer header over a Not-ECT inner packet (RFC 6040)")	\
	X(OUT_DUMMY, "out-dummy", "RFC 4303 2.6 dummy packets sent")

/*
 * Every value of both enums but UNSPEC and PAD is named exactly once: the
 * lists cover the same bits as the enums (none missing, none unknown) and
 * have as many entries as the enums have counters (none twice). An X-macro
 * list is not a statement: checkpatch's COMPLEX_MACRO and MACRO_ARG_REUSE
 * do not apply to this file (scripts/lint.sh).
 */
#define ESPAH__COUNT_ONE(suffix, ...) + 1
#define ESPAH__STAT_BIT(suffix, ...) | (1ULL << ESPAH_STAT_##suffix)
#define ESPAH__SA_STAT_BIT(suffix, ...) | (1ULL << ESPAH_SA_STAT_##suffix)
#define ESPAH__ENUM_BITS(max, pad) \
	((((1ULL << ((max) + 1)) - 1) & ~1ULL) & ~(1ULL << (pad)))

static_assert(ESPAH_STAT_MAX < 63 && ESPAH_SA_STAT_MAX < 63,
	      "counter enums outgrew the name check");
static_assert((0 ESPAH_STATS(ESPAH__STAT_BIT)) ==
	      ESPAH__ENUM_BITS(ESPAH_STAT_MAX, ESPAH_STAT_PAD),
	      "ESPAH_STATS must name every enum espah_stat value");
static_assert((0 ESPAH_STATS(ESPAH__COUNT_ONE)) == ESPAH_STAT_MAX - 1,
	      "ESPAH_STATS names an enum espah_stat value twice");
static_assert((0 ESPAH_SA_STATS(ESPAH__SA_STAT_BIT)) ==
	      ESPAH__ENUM_BITS(ESPAH_SA_STAT_MAX, ESPAH_SA_STAT_PAD),
	      "ESPAH_SA_STATS must name every enum espah_sa_stat value");
static_assert((0 ESPAH_SA_STATS(ESPAH__COUNT_ONE)) == ESPAH_SA_STAT_MAX - 1,
	      "ESPAH_SA_STATS names an enum espah_sa_stat value twice");

#endif /* _ESPAH_COUNTERS_H */
