// SPDX-License-Identifier: GPL-2.0
/*
 * espah_sel_match(): table-driven selector matching; espah_skb_icmp_flow():
 * the reversed flow an ICMP error quotes (ip xfrm's flag icmp);
 * espah_secpath_tunnel(): which packets no protect policy covers may pass.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/udp.h>
#include <net/xfrm.h>

#include <espah/flow.h>
#include <espah/secpath.h>
#include <espah/spd.h>

#include "suites.h"

#define ANY_LO	0
#define ANY_HI	0xffff

/* A selector or flow in readable form; addresses are parsed at run time. */
struct sel_case {
	const char *name;
	/* selector */
	u16 family;
	const char *ssrc, *sdst;
	u8 splen, dplen;
	u8 sproto;
	u16 sp_lo, sp_hi, dp_lo, dp_hi;
	/* flow */
	u16 ffamily;
	const char *fsrc, *fdst;
	u8 fproto;
	u16 fsport, fdport;
	bool match;
};

#define V4(n, sa, spl, da, dpl, fa, fd, m)				\
	{ .name = n, .family = AF_INET, .ssrc = sa, .splen = spl,	\
	  .sdst = da, .dplen = dpl, .sp_hi = ANY_HI, .dp_hi = ANY_HI,	\
	  .ffamily = AF_INET, .fsrc = fa, .fdst = fd,			\
	  .fproto = IPPROTO_UDP, .fsport = 1000, .fdport = 53, .match = m }

#define V6(n, sa, spl, da, dpl, fa, fd, m)				\
	{ .name = n, .family = AF_INET6, .ssrc = sa, .splen = spl,	\
	  .sdst = da, .dplen = dpl, .sp_hi = ANY_HI, .dp_hi = ANY_HI,	\
	  .ffamily = AF_INET6, .fsrc = fa, .fdst = fd,			\
	  .fproto = IPPROTO_TCP, .fsport = 1000, .fdport = 80, .match = m }

/* 10.0.0.0/8 -> 192.168.1.0/24, protocol and ports varying */
#define PORTS(n, p, slo, shi, dlo, dhi, fp, fs, fd, m)			\
	{ .name = n, .family = AF_INET, .ssrc = "10.0.0.0", .splen = 8,	\
	  .sdst = "192.168.1.0", .dplen = 24, .sproto = p,		\
	  .sp_lo = slo, .sp_hi = shi, .dp_lo = dlo, .dp_hi = dhi,	\
	  .ffamily = AF_INET, .fsrc = "10.1.2.3", .fdst = "192.168.1.7",	\
	  .fproto = fp, .fsport = fs, .fdport = fd, .match = m }

static const struct sel_case sel_cases[] = {
	/* IPv4 prefixes */
	V4("v4 /0 any", "0.0.0.0", 0, "0.0.0.0", 0,
	   "1.2.3.4", "5.6.7.8", true),
	V4("v4 /32 exact", "10.0.0.1", 32, "10.0.0.2", 32,
	   "10.0.0.1", "10.0.0.2", true),
	V4("v4 /32 src differs", "10.0.0.1", 32, "10.0.0.2", 32,
	   "10.0.0.3", "10.0.0.2", false),
	V4("v4 /32 dst differs", "10.0.0.1", 32, "10.0.0.2", 32,
	   "10.0.0.1", "10.0.0.3", false),
	V4("v4 /24 inside", "192.168.1.0", 24, "0.0.0.0", 0,
	   "192.168.1.200", "8.8.8.8", true),
	V4("v4 /24 outside", "192.168.1.0", 24, "0.0.0.0", 0,
	   "192.168.2.1", "8.8.8.8", false),
	V4("v4 /31 edge", "10.0.0.2", 31, "0.0.0.0", 0,
	   "10.0.0.3", "1.1.1.1", true),
	V4("v4 /31 next", "10.0.0.2", 31, "0.0.0.0", 0,
	   "10.0.0.4", "1.1.1.1", false),
	V4("v4 /1 top bit", "128.0.0.0", 1, "0.0.0.0", 0,
	   "200.1.1.1", "1.1.1.1", true),
	V4("v4 /1 top bit clear", "128.0.0.0", 1, "0.0.0.0", 0,
	   "100.1.1.1", "1.1.1.1", false),
	V4("v4 /7 non-octet", "10.0.0.0", 7, "0.0.0.0", 0,
	   "11.255.0.1", "1.1.1.1", true),
	V4("v4 /7 non-octet outside", "10.0.0.0", 7, "0.0.0.0", 0,
	   "12.0.0.1", "1.1.1.1", false),

	/* IPv6 prefixes */
	V6("v6 /0 any", "::", 0, "::", 0, "2001:db8::1", "fe80::1", true),
	V6("v6 /128 exact", "2001:db8::1", 128, "2001:db8::2", 128,
	   "2001:db8::1", "2001:db8::2", true),
	V6("v6 /128 last bit", "2001:db8::1", 128, "2001:db8::2", 128,
	   "2001:db8::1", "2001:db8::3", false),
	V6("v6 /64 inside", "2001:db8:1:2::", 64, "::", 0,
	   "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "::1", true),
	V6("v6 /64 outside", "2001:db8:1:2::", 64, "::", 0,
	   "2001:db8:1:3::1", "::1", false),
	V6("v6 /127 edge", "2001:db8::", 127, "::", 0,
	   "2001:db8::1", "::1", true),
	V6("v6 /127 next", "2001:db8::", 127, "::", 0,
	   "2001:db8::2", "::1", false),
	V6("v6 /65 crosses word", "2001:db8:0:0:8000::", 65, "::", 0,
	   "2001:db8::8000:0:0:1", "::1", true),
	V6("v6 /65 crosses word outside", "2001:db8:0:0:8000::", 65, "::", 0,
	   "2001:db8::7fff:0:0:1", "::1", false),

	/* family */
	{ .name = "family mismatch v4 sel, v6 flow", .family = AF_INET,
	  .ssrc = "0.0.0.0", .sdst = "0.0.0.0", .sp_hi = ANY_HI,
	  .dp_hi = ANY_HI, .ffamily = AF_INET6, .fsrc = "::1",
	  .fdst = "::2", .fproto = IPPROTO_TCP, .match = false },
	{ .name = "family 0 matches all", .family = 0,
	  .ffamily = AF_INET6, .fsrc = "::1", .fdst = "::2",
	  .fproto = IPPROTO_TCP, .match = true },

	/* protocol and ports */
	PORTS("proto any ignores ports", 0, ANY_LO, ANY_HI, ANY_LO, ANY_HI,
	      IPPROTO_TCP, 1, 2, true),
	PORTS("proto any, gre", 0, ANY_LO, ANY_HI, ANY_LO, ANY_HI,
	      IPPROTO_GRE, 0, 0, true),
	PORTS("proto udp, flow tcp", IPPROTO_UDP, ANY_LO, ANY_HI, ANY_LO,
	      ANY_HI, IPPROTO_TCP, 1, 2, false),
	PORTS("udp any ports", IPPROTO_UDP, ANY_LO, ANY_HI, ANY_LO, ANY_HI,
	      IPPROTO_UDP, 40000, 53, true),
	PORTS("udp dport 53", IPPROTO_UDP, ANY_LO, ANY_HI, 53, 53,
	      IPPROTO_UDP, 40000, 53, true),
	PORTS("udp dport 53, got 54", IPPROTO_UDP, ANY_LO, ANY_HI, 53, 53,
	      IPPROTO_UDP, 40000, 54, false),
	PORTS("tcp sport range low edge", IPPROTO_TCP, 1024, 2047, ANY_LO,
	      ANY_HI, IPPROTO_TCP, 1024, 80, true),
	PORTS("tcp sport range high edge", IPPROTO_TCP, 1024, 2047, ANY_LO,
	      ANY_HI, IPPROTO_TCP, 2047, 80, true),
	PORTS("tcp sport below range", IPPROTO_TCP, 1024, 2047, ANY_LO,
	      ANY_HI, IPPROTO_TCP, 1023, 80, false),
	PORTS("tcp sport above range", IPPROTO_TCP, 1024, 2047, ANY_LO,
	      ANY_HI, IPPROTO_TCP, 2048, 80, false),
	PORTS("tcp both ranges", IPPROTO_TCP, 1024, 65535, 443, 443,
	      IPPROTO_TCP, 50000, 443, true),
	PORTS("tcp port 0 exact", IPPROTO_TCP, 0, 0, ANY_LO, ANY_HI,
	      IPPROTO_TCP, 0, 80, true),
	PORTS("tcp port 65535", IPPROTO_TCP, ANY_LO, ANY_HI, 65535, 65535,
	      IPPROTO_TCP, 1, 65535, true),
	/* byte order: 256 and 1 share a byte */
	PORTS("tcp port 256 vs 1", IPPROTO_TCP, ANY_LO, ANY_HI, 256, 256,
	      IPPROTO_TCP, 1, 1, false),

	/* ICMP: type in sport, code in dport */
	PORTS("icmp echo request", IPPROTO_ICMP, 8, 8, 0, 0,
	      IPPROTO_ICMP, 8, 0, true),
	PORTS("icmp echo reply vs request", IPPROTO_ICMP, 8, 8, 0, 0,
	      IPPROTO_ICMP, 0, 0, false),
	PORTS("icmp type 0 exact", IPPROTO_ICMP, 0, 0, ANY_LO, ANY_HI,
	      IPPROTO_ICMP, 0, 0, true),
	PORTS("icmp type 3 any code", IPPROTO_ICMP, 3, 3, ANY_LO, ANY_HI,
	      IPPROTO_ICMP, 3, 4, true),
	PORTS("icmp type 3 code 4", IPPROTO_ICMP, 3, 3, 4, 4,
	      IPPROTO_ICMP, 3, 4, true),
	PORTS("icmp type 3 code 4, got 1", IPPROTO_ICMP, 3, 3, 4, 4,
	      IPPROTO_ICMP, 3, 1, false),
	PORTS("icmp any", IPPROTO_ICMP, ANY_LO, ANY_HI, ANY_LO, ANY_HI,
	      IPPROTO_ICMP, 11, 0, true),
	{ .name = "icmpv6 echo request", .family = AF_INET6, .ssrc = "::",
	  .sdst = "::", .sproto = IPPROTO_ICMPV6, .sp_lo = 128,
	  .sp_hi = 128, .dp_lo = 0, .dp_hi = 0, .ffamily = AF_INET6,
	  .fsrc = "2001:db8::1", .fdst = "2001:db8::2",
	  .fproto = IPPROTO_ICMPV6, .fsport = 128, .fdport = 0,
	  .match = true },
	{ .name = "icmpv6 neighbour solicitation", .family = AF_INET6,
	  .ssrc = "::", .sdst = "::", .sproto = IPPROTO_ICMPV6,
	  .sp_lo = 128, .sp_hi = 128, .dp_lo = 0, .dp_hi = 0,
	  .ffamily = AF_INET6, .fsrc = "2001:db8::1",
	  .fdst = "2001:db8::2", .fproto = IPPROTO_ICMPV6, .fsport = 135,
	  .fdport = 0, .match = false },
};

static void parse_addr(struct kunit *test, u16 family, const char *s,
		       union espah_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!s)
		return;
	if (family == AF_INET)
		KUNIT_ASSERT_EQ_MSG(test, in4_pton(s, -1, (u8 *)&a->a4, -1, NULL),
				    1, "bad address %s", s);
	else
		KUNIT_ASSERT_EQ_MSG(test, in6_pton(s, -1, a->a6.s6_addr, -1, NULL),
				    1, "bad address %s", s);
}

static void sel_case_desc(const struct sel_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sel, sel_cases, sel_case_desc);

static void spd_sel_match(struct kunit *test)
{
	const struct sel_case *c = test->param_value;
	struct espah_sel sel = {};
	struct espah_flow fl = {};

	sel.family = c->family;
	if (c->family) {
		parse_addr(test, c->family, c->ssrc, &sel.src);
		parse_addr(test, c->family, c->sdst, &sel.dst);
	}
	sel.splen = c->splen;
	sel.dplen = c->dplen;
	sel.proto = c->sproto;
	sel.sport = htons(c->sp_lo);
	sel.sport_max = htons(c->sp_hi);
	sel.dport = htons(c->dp_lo);
	sel.dport_max = htons(c->dp_hi);

	fl.family = c->ffamily;
	parse_addr(test, c->ffamily, c->fsrc, &fl.src);
	parse_addr(test, c->ffamily, c->fdst, &fl.dst);
	fl.proto = c->fproto;
	fl.sport = htons(c->fsport);
	fl.dport = htons(c->fdport);

	KUNIT_EXPECT_EQ_MSG(test, espah_sel_match(&sel, &fl), c->match,
			    "%s", c->name);
}

/* Swapping source and destination of the flow must not match a
 * directional selector: catches a src/dst mix-up in the matcher.
 */
static void spd_sel_direction(struct kunit *test)
{
	struct espah_sel sel = {
		.family = AF_INET, .splen = 32, .dplen = 32,
		.proto = IPPROTO_TCP,
		.sport = htons(1000), .sport_max = htons(1000),
		.dport = htons(80), .dport_max = htons(80),
	};
	struct espah_flow fl = {
		.family = AF_INET, .proto = IPPROTO_TCP,
		.sport = htons(1000), .dport = htons(80),
	};

	sel.src.a4 = htonl(0x0a000001);
	sel.dst.a4 = htonl(0x0a000002);
	fl.src.a4 = sel.src.a4;
	fl.dst.a4 = sel.dst.a4;
	KUNIT_EXPECT_TRUE(test, espah_sel_match(&sel, &fl));

	swap(fl.src, fl.dst);
	KUNIT_EXPECT_FALSE(test, espah_sel_match(&sel, &fl));
	swap(fl.src, fl.dst);
	swap(fl.sport, fl.dport);
	KUNIT_EXPECT_FALSE(test, espah_sel_match(&sel, &fl));
}

/* An ICMP(v6) message of @type from 10.0.0.2 (fd00::2) to 10.0.0.1 (fd00::1)
 * quoting a UDP packet 10.0.0.1:1000 -> 10.0.0.2:9 (or its first @qlen
 * bytes).
 */
static struct sk_buff *icmp_err(struct kunit *test, u16 family, u8 type,
				unsigned int qlen)
{
	bool v4 = family == AF_INET;
	unsigned int nhl = v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	unsigned int len = nhl + 8 + qlen;
	struct sk_buff *skb = alloc_skb(len + 2 * nhl + 64, GFP_KERNEL);
	u8 q[sizeof(struct ipv6hdr) + sizeof(struct udphdr)] = { };
	unsigned int ql = nhl + sizeof(struct udphdr);
	struct udphdr *uh = (struct udphdr *)(q + nhl);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	p = skb_put_zero(skb, len);
	uh->source = htons(1000);
	uh->dest = htons(9);
	if (v4) {
		struct iphdr *o = (struct iphdr *)p, *i = (struct iphdr *)q;

		o->version = 4;
		o->ihl = 5;
		o->protocol = IPPROTO_ICMP;
		o->saddr = htonl(0x0a000002);
		o->daddr = htonl(0x0a000001);
		i->version = 4;
		i->ihl = 5;
		i->protocol = IPPROTO_UDP;
		i->saddr = htonl(0x0a000001);
		i->daddr = htonl(0x0a000002);
	} else {
		struct ipv6hdr *o = (struct ipv6hdr *)p, *i = (struct ipv6hdr *)q;

		o->version = 6;
		o->nexthdr = IPPROTO_ICMPV6;
		o->saddr.s6_addr[0] = 0xfd;
		o->saddr.s6_addr[15] = 2;
		o->daddr.s6_addr[0] = 0xfd;
		o->daddr.s6_addr[15] = 1;
		i->version = 6;
		i->nexthdr = IPPROTO_UDP;
		i->saddr = o->daddr;
		i->daddr = o->saddr;
	}
	p[nhl] = type;
	memcpy(p + nhl + 8, q, min(qlen, ql));
	return skb;
}

static void spd_icmp_flow(struct kunit *test)
{
	static const struct {
		u16 family;
		u8 type;
		unsigned int qlen;
		bool ok;
	} cases[] = {
		{ AF_INET, ICMP_DEST_UNREACH, 28, true },
		{ AF_INET, ICMP_TIME_EXCEEDED, 28, true },
		{ AF_INET, ICMP_ECHO, 28, false },	/* quotes nothing */
		{ AF_INET, ICMP_DEST_UNREACH, 22, false },	/* no ports */
		{ AF_INET6, ICMPV6_DEST_UNREACH, 48, true },
		{ AF_INET6, ICMPV6_PKT_TOOBIG, 48, true },
		{ AF_INET6, ICMPV6_ECHO_REQUEST, 48, false },
		{ AF_INET6, ICMPV6_DEST_UNREACH, 30, false },
	};
	struct espah_flow fl;
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		skb = icmp_err(test, cases[i].family, cases[i].type,
			       cases[i].qlen);
		KUNIT_EXPECT_EQ_MSG(test, !espah_skb_icmp_flow(skb,
							       cases[i].family,
							       &fl),
				    cases[i].ok, "case %u", i);
		if (cases[i].ok) {
			/* the quoted packet's reply direction */
			KUNIT_EXPECT_EQ_MSG(test, fl.proto, IPPROTO_UDP, "case %u", i);
			KUNIT_EXPECT_EQ_MSG(test, ntohs(fl.sport), 9, "case %u", i);
			KUNIT_EXPECT_EQ_MSG(test, ntohs(fl.dport), 1000, "case %u", i);
			if (cases[i].family == AF_INET) {
				KUNIT_EXPECT_EQ(test, ntohl(fl.src.a4), 0x0a000002U);
				KUNIT_EXPECT_EQ(test, ntohl(fl.dst.a4), 0x0a000001U);
			} else {
				KUNIT_EXPECT_EQ(test, fl.src.a6.s6_addr[15], 2);
				KUNIT_EXPECT_EQ(test, fl.dst.a6.s6_addr[15], 1);
			}
		}
		kfree_skb(skb);
	}
}

/* ip xfrm's mark as a condition and output-mark as a rewrite, as native's */
static void spd_fwmark(struct kunit *test)
{
	static const struct {
		struct espah_fwmark c;
		u32 mark;
		bool match;
		u32 applied;	/* the mark after @c as an output-mark */
	} cases[] = {
		{ { 0, 0 }, 0, true, 0 },		/* none: any, unchanged */
		{ { 0, 0 }, 0x1234, true, 0x1234 },
		{ { 1, 0xff }, 0x101, true, 0x101 },
		{ { 1, 0xff }, 0x102, false, 0x101 },
		{ { 0, 0xffffffff }, 0, true, 0 },	/* only unmarked */
		{ { 0, 0xffffffff }, 5, false, 0 },
		{ { 0x100, 0x100 }, 0x1, false, 0x101 },
		{ { 0x100, 0x100 }, 0x301, true, 0x301 },
		{ { 0x200, 0xf00 }, 0x1501, false, 0x1201 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, espah_fwmark_match(&cases[i].c,
							     cases[i].mark),
				    cases[i].match, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, espah_fwmark_apply(&cases[i].c,
							     cases[i].mark),
				    cases[i].applied, "case %u", i);
	}
}

/* A packet no protect policy covers (no policy, a bypass one, a namespace
 * without any policy) passes the inbound check unless one of its sec_path
 * entries is an espah tunnel-mode SA's (props.mode transport, the tunnel
 * in outer_mode.encap), as native's secpath_has_nontransport() refuses
 * its own; native SAs' entries are left to native's check.
 */
static void spd_secpath_tunnel(struct kunit *test)
{
	enum { E_TRANSPORT, E_TUNNEL, N_TRANSPORT, N_TUNNEL };
	static const struct {
		unsigned int len;
		u8 kind[3];
		bool tunnel;
	} cases[] = {
		{ 0, {}, false },			/* cleartext */
		{ 1, { E_TRANSPORT }, false },
		{ 1, { E_TUNNEL }, true },
		{ 1, { N_TRANSPORT }, false },
		{ 1, { N_TUNNEL }, false },		/* native's to police */
		{ 2, { E_TUNNEL, E_TRANSPORT }, true },	/* nested, outer tunnel */
		{ 2, { E_TRANSPORT, E_TUNNEL }, true },
		{ 2, { N_TUNNEL, E_TRANSPORT }, false },
		{ 3, { N_TUNNEL, E_TRANSPORT, E_TUNNEL }, true },
	};
	struct xfrm_state *x[4];
	struct sec_path *sp;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(x); i++) {
		x[i] = kunit_kzalloc(test, sizeof(*x[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, x[i]);
		x[i]->props.mode = i == N_TUNNEL ? XFRM_MODE_TUNNEL :
						   XFRM_MODE_TRANSPORT;
		x[i]->outer_mode.encap = i == E_TUNNEL || i == N_TUNNEL ?
					 XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	}
	sp = kunit_kzalloc(test, sizeof(*sp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sp);
	KUNIT_EXPECT_FALSE(test, espah_secpath_tunnel(NULL));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sp->len = cases[i].len;
		for (j = 0; j < cases[i].len; j++)
			sp->xvec[j] = x[cases[i].kind[j]];
		KUNIT_EXPECT_EQ_MSG(test, espah_secpath_tunnel(sp),
				    cases[i].tunnel, "case %u", i);
	}
}

static struct kunit_case spd_cases[] = {
	KUNIT_CASE_PARAM(spd_sel_match, sel_gen_params),
	KUNIT_CASE(spd_sel_direction),
	KUNIT_CASE(spd_icmp_flow),
	KUNIT_CASE(spd_fwmark),
	KUNIT_CASE(spd_secpath_tunnel),
	{}
};

struct kunit_suite espah_spd_suite = {
	.name = "espah_spd",
	.test_cases = spd_cases,
};
