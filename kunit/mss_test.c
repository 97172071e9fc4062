// SPDX-License-Identifier: GPL-2.0
/*
 * TCP MSS clamping (net/mss.c): the option walk, and whole SYNs whose
 * checksum must still verify after the rewrite, with the option at an
 * even and at an odd offset, IPv4 and IPv6.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include <espah/mss.h>
#include <espah/pernet.h>

#include "suites.h"

struct opt_case {
	const char *name;
	u8 opt[20];	/* options after the 20-byte header */
	unsigned int optlen;
	u16 clamp;
	unsigned int off;	/* expected return (0: unchanged) */
	u16 old;
};

static const struct opt_case opt_cases[] = {
	{ "mss only", { 2, 4, 0x05, 0xb4 }, 4, 1400, 22, 1460 },
	{ "mss below the clamp", { 2, 4, 0x05, 0x00 }, 4, 1400, 0, 0 },
	{ "mss equal", { 2, 4, 0x05, 0x78 }, 4, 1400, 0, 0 },
	{ "nop then mss (odd)", { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 8, 1400,
	  23, 1460 },
	{ "sack-perm, ts, then mss",
	  { 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 2, 4, 0x23, 0x28 }, 16, 1400,
	  34, 9000 },
	{ "eol before mss", { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 }, 8, 1400, 0, 0 },
	{ "zero length option", { 3, 0, 2, 4, 0x05, 0xb4, 0, 0 }, 8, 1400,
	  0, 0 },
	{ "option past the header", { 1, 1, 1, 2, 4, 0x05, 0xb4, 0 }, 4, 1400,
	  0, 0 },
	{ "mss with a wrong length", { 2, 6, 0x05, 0xb4, 0, 0, 0, 0 }, 8,
	  1400, 0, 0 },
	{ "no options", { 0 }, 0, 1400, 0, 0 },
};

static void mss_opt_walk(struct kunit *test)
{
	u8 buf[sizeof(struct tcphdr) + 20];
	struct tcphdr *th = (struct tcphdr *)buf;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(opt_cases); i++) {
		const struct opt_case *c = &opt_cases[i];
		unsigned int off;
		u16 old = 0;

		memset(buf, 0, sizeof(buf));
		memcpy(buf + sizeof(*th), c->opt, sizeof(c->opt));
		th->doff = (sizeof(*th) + c->optlen) / 4;
		off = espah_tcp_opt_clamp(th, c->clamp, &old);
		KUNIT_EXPECT_EQ_MSG(test, off, c->off, "%s", c->name);
		if (!c->off) {
			KUNIT_EXPECT_EQ_MSG(test, memcmp(buf + sizeof(*th),
							 c->opt, c->optlen), 0,
					    "%s: changed", c->name);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, old, c->old, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, get_unaligned_be16(buf + off),
				    c->clamp, "%s", c->name);
	}
}

/* A SYN with options @opt (a multiple of 4 bytes), checksummed. */
static struct sk_buff *mss_syn(struct kunit *test, u16 family, const u8 *opt,
			       unsigned int optlen, bool syn)
{
	unsigned int nhl = family == AF_INET ? sizeof(struct iphdr) :
					       sizeof(struct ipv6hdr);
	unsigned int tl = sizeof(struct tcphdr) + optlen;
	struct sk_buff *skb = alloc_skb(nhl + tl + 64, GFP_KERNEL);
	struct tcphdr *th;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	skb_put(skb, nhl + tl);
	memset(skb->data, 0, nhl + tl);
	th = (struct tcphdr *)(skb->data + nhl);
	th->source = htons(40000);
	th->dest = htons(5201);
	th->seq = htonl(0x12345678);
	th->doff = tl / 4;
	th->syn = syn;
	th->ack = !syn;
	th->window = htons(64240);
	memcpy(th + 1, opt, optlen);
	if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(nhl + tl);
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = htonl(0x0a630001);
		iph->daddr = htonl(0x0a630002);
		ip_send_check(iph);
		th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, tl,
					      IPPROTO_TCP,
					      csum_partial(th, tl, 0));
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6h->version = 6;
		ip6h->payload_len = htons(tl);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = 64;
		ip6h->saddr.s6_addr[0] = 0xfd;
		ip6h->saddr.s6_addr[15] = 1;
		ip6h->daddr.s6_addr[0] = 0xfd;
		ip6h->daddr.s6_addr[15] = 2;
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, tl,
					    IPPROTO_TCP,
					    csum_partial(th, tl, 0));
		skb->protocol = htons(ETH_P_IPV6);
	}
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* 0 when the TCP checksum of @skb verifies. */
static u16 mss_csum_fold(struct sk_buff *skb, u16 family)
{
	unsigned int nhl = family == AF_INET ? sizeof(struct iphdr) :
					       sizeof(struct ipv6hdr);
	unsigned int tl = skb->len - nhl;
	__wsum sum = csum_partial(skb->data + nhl, tl, 0);
	__sum16 r;

	if (family == AF_INET)
		r = csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr,
				      tl, IPPROTO_TCP, sum);
	else
		r = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				    &ipv6_hdr(skb)->daddr, tl, IPPROTO_TCP,
				    sum);
	return (__force u16)r;
}

static u64 mss_clamped(void)
{
	u64 st[ESPAH_STAT_MAX + 1];

	espah_stats_sum(&init_net, st);
	return st[ESPAH_STAT_MSS_CLAMPED];
}

static const u8 opt_even[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
static const u8 opt_odd[8] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 0 };

static void mss_clamp_case(struct kunit *test, u16 family, const u8 *opt,
			   unsigned int at, bool syn, u16 want)
{
	unsigned int nhl = family == AF_INET ? sizeof(struct iphdr) :
					       sizeof(struct ipv6hdr);
	struct sk_buff *skb = mss_syn(test, family, opt, 8, syn);
	u64 before = mss_clamped();

	KUNIT_ASSERT_EQ(test, mss_csum_fold(skb, family), 0);
	/* limit 1400: MSS 1400 - nhl - 20 */
	espah_mss_clamp(&init_net, skb, family, 1400);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(skb->data + nhl + at), want);
	KUNIT_EXPECT_EQ_MSG(test, mss_csum_fold(skb, family), 0,
			    "checksum after the rewrite");
	KUNIT_EXPECT_EQ(test, mss_clamped() - before, want == 1460 ? 0 : 1);
	kfree_skb(skb);
}

static void mss_clamp_v4_even(struct kunit *test)
{
	mss_clamp_case(test, AF_INET, opt_even, 22, true, 1400 - 40);
}

static void mss_clamp_v4_odd(struct kunit *test)
{
	mss_clamp_case(test, AF_INET, opt_odd, 23, true, 1400 - 40);
}

static void mss_clamp_v6_even(struct kunit *test)
{
	mss_clamp_case(test, AF_INET6, opt_even, 22, true, 1400 - 60);
}

static void mss_clamp_v6_odd(struct kunit *test)
{
	mss_clamp_case(test, AF_INET6, opt_odd, 23, true, 1400 - 60);
}

/* Only SYNs: the same option on a non-SYN segment is left alone. */
static void mss_clamp_not_syn(struct kunit *test)
{
	mss_clamp_case(test, AF_INET, opt_even, 22, false, 1460);
}

/* A fragment is never parsed as TCP. */
static void mss_clamp_fragment(struct kunit *test)
{
	struct sk_buff *skb = mss_syn(test, AF_INET, opt_even, 8, true);

	ip_hdr(skb)->frag_off = htons(IP_MF);
	ip_send_check(ip_hdr(skb));
	espah_mss_clamp(&init_net, skb, AF_INET, 1400);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(skb->data + 20 + 22), 1460);
	kfree_skb(skb);
}

static struct kunit_case mss_cases[] = {
	KUNIT_CASE(mss_opt_walk),
	KUNIT_CASE(mss_clamp_v4_even),
	KUNIT_CASE(mss_clamp_v4_odd),
	KUNIT_CASE(mss_clamp_v6_even),
	KUNIT_CASE(mss_clamp_v6_odd),
	KUNIT_CASE(mss_clamp_not_syn),
	KUNIT_CASE(mss_clamp_fragment),
	{}
};

struct kunit_suite espah_mss_suite = {
	.name = "espah_mss",
	.test_cases = mss_cases,
};
