// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the xfrm bridge's translation (net/xfrm/translate.c): what of a
 * native SA or policy espah carries, field by field, and everything it
 * refuses rather than carry differently, each with its reason.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/string.h>
#include <net/xfrm.h>

#include <espah/crypto.h>
#include <espah/sa.h>
#include <espah/spd.h>
#include <espah/tunhdr.h>
#include <espah/xfrm.h>

#include "suites.h"

/* an algorithm with a key of @bits bits, in test-managed memory */
static void *alg(struct kunit *test, size_t hdr, const char *name,
		 unsigned int bits)
{
	struct xfrm_algo *a = kunit_kzalloc(test, hdr + bits / 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	strscpy(a->alg_name, name, sizeof(a->alg_name));
	memset((u8 *)a + hdr, 0x5a, bits / 8);
	return a;
}

/* An ESP tunnel SA 192.0.2.1 -> 192.0.2.2, SPI 0x100, AES-GCM-128, ESN,
 * window 128, reqid 7, a 10.0.1.0/24 -> 10.0.2.0/24 selector.
 */
static struct xfrm_state *gcm_state(struct kunit *test)
{
	struct xfrm_state *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct xfrm_algo_aead *aead;

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->id.proto = IPPROTO_ESP;
	x->id.spi = htonl(0x100);
	x->id.daddr.a4 = htonl(0xc0000202);
	x->props.saddr.a4 = htonl(0xc0000201);
	x->props.family = AF_INET;
	x->props.mode = XFRM_MODE_TUNNEL;
	x->props.reqid = 7;
	x->props.flags = XFRM_STATE_ESN;
	x->sel.family = AF_INET;
	x->sel.saddr.a4 = htonl(0x0a000100);
	x->sel.daddr.a4 = htonl(0x0a000200);
	x->sel.prefixlen_s = 24;
	x->sel.prefixlen_d = 24;
	x->replay_esn = kunit_kzalloc(test, sizeof(*x->replay_esn) + 16,
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x->replay_esn);
	x->replay_esn->replay_window = 128;
	x->replay_esn->seq = 5;
	x->replay_esn->seq_hi = 1;
	x->replay_esn->oseq = 9;
	x->replay_esn->oseq_hi = 2;
	aead = alg(test, offsetof(struct xfrm_algo_aead, alg_key),
		   "rfc4106(gcm(aes))", 160);
	aead->alg_key_len = 160;
	aead->alg_icv_len = 128;
	x->aead = aead;
	x->lft.soft_byte_limit = XFRM_INF;
	x->lft.hard_byte_limit = XFRM_INF;
	x->lft.soft_packet_limit = 1000;
	x->lft.hard_packet_limit = 2000;
	return x;
}

struct xlate {
	struct espah_sa *sa;
	struct espah_alg_cfg cfg;
	u64 seq;
	u64 oseq;
	const char *why;
};

static int xlate(struct kunit *test, struct xfrm_state *x, bool inbound,
		 struct xlate *r)
{
	memset(r, 0, sizeof(*r));
	r->sa = kunit_kzalloc(test, sizeof(*r->sa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->sa);
	r->sa->dscp = ESPAH_TUNHDR_DSCP_COPY;	/* as espah_sa_alloc() */
	return espah_xfrm_sa_from_state(x, inbound, r->sa, &r->cfg, &r->seq,
					&r->oseq, &r->why);
}

/* @x is refused, inbound, with exactly @reason */
static void refused(struct kunit *test, struct xfrm_state *x,
		    const char *reason)
{
	struct xlate r;

	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, r.why ?: "(none)", reason);
}

/* Every field of a GCM tunnel SA with ESN lands where espah keeps it. */
static void sa_gcm_esn(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;
	struct espah_sa *sa;

	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	sa = r.sa;
	KUNIT_EXPECT_EQ(test, ntohl(sa->spi), 0x100U);
	KUNIT_EXPECT_EQ(test, sa->proto, IPPROTO_ESP);
	KUNIT_EXPECT_EQ(test, sa->family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(sa->dst.a4), 0xc0000202U);
	KUNIT_EXPECT_EQ(test, ntohl(sa->src.a4), 0xc0000201U);
	KUNIT_EXPECT_EQ(test, sa->dir, ESPAH_DIR_IN);
	KUNIT_EXPECT_EQ(test, sa->mode, ESPAH_MODE_TUNNEL);
	KUNIT_EXPECT_EQ(test, sa->reqid, 7U);
	KUNIT_EXPECT_TRUE(test, sa->flags & ESPAH_SA_FLAG_ESN);
	KUNIT_EXPECT_EQ(test, sa->window, 128U);
	KUNIT_EXPECT_EQ(test, sa->sel.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(sa->sel.src.a4), 0x0a000100U);
	KUNIT_EXPECT_EQ(test, ntohl(sa->sel.dst.a4), 0x0a000200U);
	KUNIT_EXPECT_EQ(test, sa->sel.splen, 24);
	KUNIT_EXPECT_EQ(test, sa->sel.dplen, 24);
	/* no port mask: the whole range */
	KUNIT_EXPECT_EQ(test, ntohs(sa->sel.sport), 0U);
	KUNIT_EXPECT_EQ(test, ntohs(sa->sel.sport_max), 0xffffU);
	KUNIT_EXPECT_EQ(test, r.seq, (1ULL << 32) | 5);
	KUNIT_EXPECT_EQ(test, r.oseq, (2ULL << 32) | 9);
	KUNIT_EXPECT_TRUE(test, sa->aead);
	KUNIT_EXPECT_STREQ(test, r.cfg.aead, "rfc4106(gcm(aes))");
	KUNIT_EXPECT_EQ(test, r.cfg.enc_key_len, 20U);
	KUNIT_EXPECT_EQ(test, r.cfg.icv_bits, 128U);
	KUNIT_EXPECT_TRUE(test, r.cfg.esn);
	KUNIT_EXPECT_FALSE(test, r.cfg.ah);
	/* hard limits only; infinity is no limit */
	KUNIT_EXPECT_EQ(test, sa->lft.hard_bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, sa->lft.hard_packets, 2000ULL);
	KUNIT_EXPECT_EQ(test, sa->lft.soft_packets, 0ULL);

	/* outbound: no window; its own direction */
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->dir, ESPAH_DIR_OUT);
	KUNIT_EXPECT_EQ(test, r.sa->window, 0U);
}

/* Without ESN the counters are 32 bits (replay, not replay_esn). */
static void sa_cbc_no_esn(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xfrm_algo_auth *aalg;
	struct xfrm_algo *ealg;
	struct xlate r;

	x->props.flags = 0;
	x->replay_esn = NULL;
	x->props.replay_window = 32;
	x->replay.seq = 77;
	x->replay.oseq = 88;
	x->aead = NULL;
	ealg = alg(test, offsetof(struct xfrm_algo, alg_key), "cbc(aes)", 256);
	ealg->alg_key_len = 256;
	aalg = alg(test, offsetof(struct xfrm_algo_auth, alg_key),
		   "hmac(sha256)", 256);
	aalg->alg_key_len = 256;
	aalg->alg_trunc_len = 128;
	x->ealg = ealg;
	x->aalg = aalg;
	x->props.mode = XFRM_MODE_TRANSPORT;
	memset(&x->sel, 0, sizeof(x->sel));

	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.sa->flags & ESPAH_SA_FLAG_ESN);
	KUNIT_EXPECT_EQ(test, r.sa->mode, ESPAH_MODE_TRANSPORT);
	KUNIT_EXPECT_EQ(test, r.sa->window, 32U);
	KUNIT_EXPECT_EQ(test, r.seq, 77ULL);
	KUNIT_EXPECT_EQ(test, r.oseq, 88ULL);
	KUNIT_EXPECT_FALSE(test, r.sa->aead);
	KUNIT_EXPECT_STREQ(test, r.cfg.enc, "cbc(aes)");
	KUNIT_EXPECT_EQ(test, r.cfg.enc_key_len, 32U);
	KUNIT_EXPECT_STREQ(test, r.cfg.auth, "hmac(sha256)");
	KUNIT_EXPECT_EQ(test, r.cfg.auth_key_len, 32U);
	KUNIT_EXPECT_EQ(test, r.cfg.icv_bits, 128U);
	/* an all-zero selector is "any" */
	KUNIT_EXPECT_EQ(test, r.sa->sel.family, 0);
}

/* AH: integrity only. */
static void sa_ah(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xfrm_algo_auth *aalg;
	struct xlate r;

	x->id.proto = IPPROTO_AH;
	KUNIT_EXPECT_EQ(test, xlate(test, x, false, &r), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, r.why, "AH with a combined-mode algorithm");

	x->aead = NULL;
	KUNIT_EXPECT_EQ(test, xlate(test, x, false, &r), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, r.why, "AH without an integrity algorithm");

	aalg = alg(test, offsetof(struct xfrm_algo_auth, alg_key),
		   "hmac(sha1)", 160);
	aalg->alg_key_len = 160;
	aalg->alg_trunc_len = 96;
	x->aalg = aalg;
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->proto, IPPROTO_AH);
	KUNIT_EXPECT_TRUE(test, r.cfg.ah);
	KUNIT_EXPECT_STREQ(test, r.cfg.auth, "hmac(sha1)");
	KUNIT_EXPECT_EQ(test, r.cfg.auth_key_len, 20U);
	KUNIT_EXPECT_EQ(test, r.cfg.icv_bits, 96U);
}

/* IPv6 addresses and a port range from a prefix mask. */
static void sa_v6_ports(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;

	x->props.family = AF_INET6;
	x->id.daddr.a6[0] = htonl(0x20010db8);
	x->id.daddr.a6[3] = htonl(2);
	x->props.saddr.a6[0] = htonl(0x20010db8);
	x->props.saddr.a6[3] = htonl(1);
	x->sel.proto = IPPROTO_TCP;
	x->sel.dport = htons(0x1234);
	x->sel.dport_mask = htons(0xff00);
	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->family, AF_INET6);
	KUNIT_EXPECT_EQ(test, ntohl(r.sa->dst.a6.s6_addr32[3]), 2U);
	KUNIT_EXPECT_EQ(test, ntohl(r.sa->src.a6.s6_addr32[0]), 0x20010db8U);
	/* a tunnel SA's inner selector may be of the other family */
	KUNIT_EXPECT_EQ(test, r.sa->sel.family, AF_INET);
	KUNIT_EXPECT_EQ(test, r.sa->sel.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->sel.dport), 0x1200U);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->sel.dport_max), 0x12ffU);

	/* one port: mask 0xffff */
	x->sel.dport_mask = htons(0xffff);
	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->sel.dport), 0x1234U);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->sel.dport_max), 0x1234U);

	/* a mask with a hole is no range */
	x->sel.dport_mask = htons(0xff0f);
	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, r.why,
			   "a selector port mask that is not a range");
	x->sel.dport_mask = htons(0xff00);

	/* in transport mode the selector is the SA's own family */
	x->props.mode = XFRM_MODE_TRANSPORT;
	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, r.why,
			   "a transport-mode selector of another address family");
}

/* af-unspec is accepted; align4 (AH's ICV padding over IPv4), icmp and
 * wildrecv are carried as espah's flags, and a wildrecv SA to a remote
 * address is carried as an inbound one (native never sends with it).
 */
static void sa_flags_ok(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;

	x->props.flags |= XFRM_STATE_AF_UNSPEC;
	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_FALSE(test, r.sa->flags & ESPAH_SA_FLAG_ALIGN4);
	KUNIT_EXPECT_FALSE(test, r.sa->flags & ESPAH_SA_FLAG_ICMP);

	x = gcm_state(test);
	x->props.flags |= XFRM_STATE_ICMP;
	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.sa->flags & ESPAH_SA_FLAG_ICMP);
	KUNIT_EXPECT_FALSE(test, r.sa->flags & ESPAH_SA_FLAG_WILDRECV);

	x = gcm_state(test);
	x->props.flags |= XFRM_STATE_WILDRECV;
	KUNIT_EXPECT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.sa->flags & ESPAH_SA_FLAG_WILDRECV);
	KUNIT_EXPECT_EQ(test, r.sa->dir, ESPAH_DIR_IN);

	x = gcm_state(test);
	x->props.flags |= XFRM_STATE_ALIGN4;
	KUNIT_EXPECT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.sa->flags & ESPAH_SA_FLAG_ALIGN4);
}

/* Native's mark and output-mark are carried as espah's, with their
 * meaning: the mark a condition on the packets, the output-mark a rewrite.
 */
static void sa_marks(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;

	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->xmark.m, 0U);
	KUNIT_EXPECT_EQ(test, r.sa->omark.m, 0U);

	x = gcm_state(test);
	x->mark.v = 0x10;
	x->mark.m = 0xf0;
	x->props.smark.v = 0x300;
	x->props.smark.m = 0xf00;
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->xmark.v, 0x10U);
	KUNIT_EXPECT_EQ(test, r.sa->xmark.m, 0xf0U);
	KUNIT_EXPECT_EQ(test, r.sa->omark.v, 0x300U);
	KUNIT_EXPECT_EQ(test, r.sa->omark.m, 0xf00U);
}

/* ESP in UDP (ip xfrm's "encap espinudp SPORT DPORT OADDR", and
 * espinudp-nonike) is carried with its ports.
 */
static void sa_encap(struct kunit *test)
{
	struct xfrm_encap_tmpl encap = {
		.encap_type = UDP_ENCAP_ESPINUDP,
		.encap_sport = htons(4500),
		.encap_dport = htons(4501),
	};
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;

	x->encap = &encap;
	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->encap.type, UDP_ENCAP_ESPINUDP);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->encap.sport), 4500U);
	KUNIT_EXPECT_EQ(test, ntohs(r.sa->encap.dport), 4501U);

	/* espinudp-nonike: carried as it is */
	x = gcm_state(test);
	encap.encap_type = UDP_ENCAP_ESPINUDP_NON_IKE;
	x->encap = &encap;
	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->encap.type, UDP_ENCAP_ESPINUDP_NON_IKE);

	/* without encap: none */
	x = gcm_state(test);
	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->encap.type, 0);
}

/* Native's tunnel header flags become espah's rules in tunnel mode, and
 * nothing in transport mode, where native applies none of them.
 */
static void sa_tunhdr_flags(struct kunit *test)
{
	struct xfrm_state *x = gcm_state(test);
	struct xlate r;

	KUNIT_ASSERT_EQ(test, xlate(test, x, true, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->flags & (ESPAH_SA_FLAG_NOECN |
					     ESPAH_SA_FLAG_DECAP_DSCP), 0U);
	KUNIT_EXPECT_EQ(test, r.sa->df, ESPAH_DF_COPY);
	KUNIT_EXPECT_EQ(test, r.sa->dscp, ESPAH_TUNHDR_DSCP_COPY);

	x->props.flags |= XFRM_STATE_NOECN | XFRM_STATE_DECAP_DSCP |
			  XFRM_STATE_NOPMTUDISC;
	x->props.extra_flags = XFRM_SA_XFLAG_DONT_ENCAP_DSCP;
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_TRUE(test, r.sa->flags & ESPAH_SA_FLAG_NOECN);
	KUNIT_EXPECT_TRUE(test, r.sa->flags & ESPAH_SA_FLAG_DECAP_DSCP);
	KUNIT_EXPECT_EQ(test, r.sa->df, ESPAH_DF_CLEAR);
	KUNIT_EXPECT_EQ(test, r.sa->dscp, 0);
	KUNIT_EXPECT_EQ(test, r.sa->tfcpad, 0U);

	/* TFC padding: carried in tunnel mode, refused in transport mode */
	x->tfcpad = 1000;
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->tfcpad, 1000U);
	x->props.mode = XFRM_MODE_TRANSPORT;
	refused(test, x, "tfcpad in transport mode");
	x->tfcpad = 0;
	KUNIT_ASSERT_EQ(test, xlate(test, x, false, &r), 0);
	KUNIT_EXPECT_EQ(test, r.sa->flags & (ESPAH_SA_FLAG_NOECN |
					     ESPAH_SA_FLAG_DECAP_DSCP), 0U);
	KUNIT_EXPECT_EQ(test, r.sa->df, ESPAH_DF_COPY);
	KUNIT_EXPECT_EQ(test, r.sa->dscp, ESPAH_TUNHDR_DSCP_COPY);
}

/* Each thing espah cannot carry is refused with its own reason. */
static void sa_refusals(struct kunit *test)
{
	struct xfrm_state *x;
	struct xfrm_encap_tmpl encap = { };
	struct xfrm_algo calg = { };
	struct xlate r;

	x = gcm_state(test);
	x->id.proto = IPPROTO_COMP;
	refused(test, x, "a protocol other than ESP and AH");

	x = gcm_state(test);
	x->props.mode = XFRM_MODE_BEET;
	refused(test, x, "a mode other than transport and tunnel");

	x = gcm_state(test);
	x->props.extra_flags = XFRM_SA_XFLAG_OSEQ_MAY_WRAP |
			       XFRM_SA_XFLAG_DONT_ENCAP_DSCP;
	refused(test, x, "extra-flag oseq-may-wrap (a sequence number sent twice under one key)");
	x->props.extra_flags = 0x80;
	refused(test, x, "an extra-flag espah does not know");

	x = gcm_state(test);
	encap.encap_type = TCP_ENCAP_ESPINTCP;
	encap.encap_sport = htons(4500);
	encap.encap_dport = htons(4500);
	x->encap = &encap;
	refused(test, x,
		"encap other than espinudp and espinudp-nonike (UDP encapsulation of ESP)");
	encap.encap_type = UDP_ENCAP_ESPINUDP;
	encap.encap_dport = 0;
	refused(test, x, "encap with port 0");

	x = gcm_state(test);
	x->coaddr = (xfrm_address_t *)&encap;
	refused(test, x, "a security context or care-of address");

	x = gcm_state(test);
	x->calg = &calg;
	refused(test, x, "IPComp");

	x = gcm_state(test);
	x->aead = NULL;
	refused(test, x, "ESP without an encryption algorithm");

	x = gcm_state(test);
	x->replay_esn->replay_window = ESPAH_REPLAY_WINDOW_MAX + 1;
	refused(test, x, "a replay window larger than espah's");
	/* an outbound SA has no window to check */
	KUNIT_EXPECT_EQ(test, xlate(test, x, false, &r), 0);

	x = gcm_state(test);
	x->sel.ifindex = 3;
	refused(test, x, "a selector bound to an interface (dev)");
}

/* A native policy with a tunnel template and a socket-free direction. */
static struct xfrm_policy *tunnel_policy(struct kunit *test)
{
	struct xfrm_policy *xp = kunit_kzalloc(test, sizeof(*xp), GFP_KERNEL);
	struct xfrm_tmpl *t;

	KUNIT_ASSERT_NOT_NULL(test, xp);
	xp->type = XFRM_POLICY_TYPE_MAIN;
	xp->action = XFRM_POLICY_ALLOW;
	xp->priority = 375423;
	xp->selector.family = AF_INET;
	xp->selector.saddr.a4 = htonl(0x0a000100);
	xp->selector.daddr.a4 = htonl(0x0a000200);
	xp->selector.prefixlen_s = 24;
	xp->selector.prefixlen_d = 24;
	xp->xfrm_nr = 1;
	t = &xp->xfrm_vec[0];
	t->id.proto = IPPROTO_ESP;
	t->id.daddr.a4 = htonl(0xc0000202);
	t->saddr.a4 = htonl(0xc0000201);
	t->encap_family = AF_INET;
	t->mode = XFRM_MODE_TUNNEL;
	t->reqid = 7;
	return xp;
}

static void pol_tunnel(struct kunit *test)
{
	struct xfrm_policy *xp = tunnel_policy(test);
	struct espah_policy pol = { };
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_OUT,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.dir, ESPAH_DIR_OUT);
	KUNIT_EXPECT_EQ(test, pol.action, ESPAH_ACTION_PROTECT);
	KUNIT_EXPECT_EQ(test, pol.priority, 375423U);
	KUNIT_EXPECT_EQ(test, pol.sel.splen, 24);
	KUNIT_EXPECT_EQ(test, pol.ntmpl, 1U);
	KUNIT_EXPECT_EQ(test, pol.tmpl[0].proto, IPPROTO_ESP);
	KUNIT_EXPECT_EQ(test, pol.tmpl[0].mode, ESPAH_MODE_TUNNEL);
	KUNIT_EXPECT_EQ(test, pol.tmpl[0].family, AF_INET);
	KUNIT_EXPECT_EQ(test, pol.tmpl[0].reqid, 7U);
	KUNIT_EXPECT_EQ(test, ntohl(pol.tmpl[0].dst.a4), 0xc0000202U);
	KUNIT_EXPECT_EQ(test, ntohl(pol.tmpl[0].src.a4), 0xc0000201U);
	KUNIT_EXPECT_EQ(test, pol.xmark.m, 0U);

	/* a native policy's mark is its condition in espah too */
	xp->mark.v = 7;
	xp->mark.m = 0xff;
	memset(&pol, 0, sizeof(pol));
	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_OUT,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.xmark.v, 7U);
	KUNIT_EXPECT_EQ(test, pol.xmark.m, 0xffU);
	xp->mark.v = 0;
	xp->mark.m = 0;

	memset(&pol, 0, sizeof(pol));
	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_FWD,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.dir, ESPAH_DIR_FWD);

	/* block is discard; no template is bypass */
	xp->action = XFRM_POLICY_BLOCK;
	memset(&pol, 0, sizeof(pol));
	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_IN,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.action, ESPAH_ACTION_DISCARD);
	KUNIT_EXPECT_EQ(test, pol.ntmpl, 0U);
	xp->action = XFRM_POLICY_ALLOW;
	xp->xfrm_nr = 0;
	memset(&pol, 0, sizeof(pol));
	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_IN,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.action, ESPAH_ACTION_BYPASS);
	KUNIT_EXPECT_EQ(test, pol.flags, 0U);

	/* flags icmp and localok, level use: carried */
	xp = tunnel_policy(test);
	xp->flags |= XFRM_POLICY_ICMP | XFRM_POLICY_LOCALOK;
	xp->xfrm_vec[0].optional = 1;
	memset(&pol, 0, sizeof(pol));
	KUNIT_ASSERT_EQ(test, espah_xfrm_pol_from_native(xp, XFRM_POLICY_IN,
							 &pol, &why), 0);
	KUNIT_EXPECT_EQ(test, pol.flags,
			ESPAH_POL_FLAG_ICMP | ESPAH_POL_FLAG_LOCALOK);
	KUNIT_EXPECT_TRUE(test, pol.tmpl[0].optional);
}

static void pol_refusals(struct kunit *test)
{
	struct xfrm_policy *xp;
	struct espah_policy pol;
	const char *why;

#define REFUSED(d, reason) do {						\
	memset(&pol, 0, sizeof(pol));					\
	why = NULL;							\
	KUNIT_EXPECT_EQ(test, espah_xfrm_pol_from_native(xp, d, &pol, &why), \
			-EOPNOTSUPP);					\
	KUNIT_EXPECT_STREQ(test, why ?: "(none)", reason);		\
} while (0)

	xp = tunnel_policy(test);
	REFUSED(XFRM_POLICY_OUT + XFRM_POLICY_MAX, "a socket policy");

	xp = tunnel_policy(test);
	xp->type = XFRM_POLICY_TYPE_SUB;
	REFUSED(XFRM_POLICY_OUT, "a sub policy");

	xp = tunnel_policy(test);
	xp->selector.family = AF_UNSPEC;
	xp->selector.prefixlen_d = 0;
	xp->selector.prefixlen_s = 0;
	REFUSED(XFRM_POLICY_OUT, "a selector without an address family");

	xp = tunnel_policy(test);
	xp->xfrm_nr = ESPAH_MAX_TMPL + 1;
	REFUSED(XFRM_POLICY_OUT, "more than two templates");

	xp = tunnel_policy(test);
	xp->xfrm_vec[0].id.proto = IPPROTO_COMP;
	REFUSED(XFRM_POLICY_OUT, "a template of a protocol other than ESP and AH");

	xp = tunnel_policy(test);
	xp->xfrm_vec[0].mode = XFRM_MODE_BEET;
	REFUSED(XFRM_POLICY_OUT, "a template mode other than transport and tunnel");

	xp = tunnel_policy(test);
	xp->xfrm_vec[0].encap_family = 0;
	REFUSED(XFRM_POLICY_OUT, "a tunnel template without an address family");
#undef REFUSED
}

static struct kunit_case xfrm_cases[] = {
	KUNIT_CASE(sa_gcm_esn),
	KUNIT_CASE(sa_cbc_no_esn),
	KUNIT_CASE(sa_ah),
	KUNIT_CASE(sa_v6_ports),
	KUNIT_CASE(sa_flags_ok),
	KUNIT_CASE(sa_encap),
	KUNIT_CASE(sa_marks),
	KUNIT_CASE(sa_tunhdr_flags),
	KUNIT_CASE(sa_refusals),
	KUNIT_CASE(pol_tunnel),
	KUNIT_CASE(pol_refusals),
	{}
};

struct kunit_suite espah_xfrm_suite = {
	.name = "espah_xfrm",
	.test_cases = xfrm_cases,
};
