// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound path: NF_INET_POST_ROUTING, IPv4 and IPv6.
 *
 * Priority NF_IP_PRI_LAST - 1: every standard hook (mangle, SNAT,
 * conntrack helpers and seqadj) has run, so policies match the addresses
 * that actually leave. Only conntrack confirmation (NF_IP_PRI_LAST, the
 * same value as NF_IP_PRI_CONNTRACK_CONFIRM) would run after us; because a
 * protected packet is stolen, we confirm its connection ourselves first
 * (espah_ct_confirm()), as xfrm does by transforming only after the whole
 * POST_ROUTING chain. The ESP packet then starts over at LOCAL_OUT with a
 * fresh conntrack entry of its own.
 *
 * Packets not touched: ESP and AH (already transformed, by us or by the
 * native stack) and IPv6 neighbour discovery (espah_flow_bypass()), and
 * those of a socket with an xfrm bypass policy (espah_sk_bypass_out()):
 * IKE daemons exempt their own sockets that way (setsockopt
 * IP_XFRM_POLICY / IPV6_XFRM_POLICY), for native XFRM and espah alike.
 * Nothing is exempt by port: a protect policy covers UDP 500 and 4500 of
 * every other socket too; operators write "action bypass" policies for
 * what else must pass in clear.
 *
 * Path MTU: the limit is computed from the MTU of the outer route in
 * tunnel mode (device MTU, route mtu metric, or a PMTU exception), from the
 * outgoing device's MTU in transport mode (the route's PMTU is where we add
 * our own exceptions below). A packet that
 * would not fit once encapsulated and may not be fragmented (IPv4 DF, or
 * IPv6) is dropped: for a local sender the route to its destination gets
 * a PMTU exception with the largest size that fits, so TCP shrinks its
 * MSS; a forwarded packet gets ICMP "fragmentation needed" / ICMPv6
 * "packet too big" with that size. Exception: see out_same_route(). Other
 * packets that do not fit are fragmented after encapsulation by the
 * normal output path. ICMP errors
 * about our own ESP packets from further along the path are not yet
 * handled (the native esp4_err would do it for native SAs).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dsfield.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/xfrm.h>

#include <espah/acquire.h>
#include <espah/ah.h>
#include <espah/esp.h>
#include <espah/flow.h>
#include <espah/hold.h>
#include <espah/mss.h>
#include <espah/mtu.h>
#include <espah/natt.h>
#include <espah/output.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/spd.h>
#include <espah/tunhdr.h>
#include <espah/xfrm.h>
#include <espah/xfrmi.h>

/* Move the paged data of @skb into its linear area (the caller made the
 * tailroom for it), completing a partial checksum in the same pass: what
 * skb_checksum_help() and skb_linearize() do in two.
 */
static void out_pull_frags(struct sk_buff *skb)
{
	unsigned int hl = skb_headlen(skb), dl = skb->data_len;
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL;
	int start = skb_checksum_start_offset(skb), i;
	__wsum csum, more;

	if (!partial) {
		/* cannot fail: the range is inside the packet */
		WARN_ON_ONCE(skb_copy_bits(skb, hl, skb_tail_pointer(skb), dl));
	} else {
		csum = csum_partial(skb->data + start, hl - start, 0);
		more = skb_copy_and_csum_bits(skb, hl, skb_tail_pointer(skb),
					      dl);
		csum = csum_block_add(csum, more, hl - start);
		*(__sum16 *)(skb->data + start + skb->csum_offset) =
			csum_fold(csum) ?: CSUM_MANGLED_0;
		skb->ip_summed = CHECKSUM_NONE;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
		skb_frag_unref(skb, i);
	skb_shinfo(skb)->nr_frags = 0;
	skb->data_len = 0;
	skb->tail += dl;
}

/* Move a linear packet @shift bytes towards the head of its buffer. */
static void out_shift_head(struct sk_buff *skb, unsigned int shift)
{
	unsigned int len = skb->len;
	u8 *from = skb->data;

	skb_push(skb, shift);
	memmove(skb->data, from, len);
	skb_trim(skb, len);
	skb_headers_offset_update(skb, -(int)shift);
}

/* Make the packet linear and private with the given head and tail room,
 * its checksum complete, copying its payload at most once:
 * - a GSO segment (linear, checksummed as skb_segment() copied it) often
 *   lacks the tailroom of the ESP trailer but has headroom to spare (the
 *   socket reserved room for any link header): it is moved within its own
 *   buffer rather than copied into a new one;
 * - a packet whose payload is in page fragments (a TCP clone) gets one new
 *   head with the room, the fragments copied and checksummed into it in
 *   one pass.
 */
static int out_make_room(struct sk_buff *skb, unsigned int head,
			 unsigned int tail)
{
	int dh, dt;

	/* Rare shapes (a frag list, a checksum starting in the fragments):
	 * the generic helpers first.
	 */
	if (skb_has_frag_list(skb) ||
	    (skb->ip_summed == CHECKSUM_PARTIAL &&
	     skb_checksum_start_offset(skb) > (int)skb_headlen(skb))) {
		if (skb->ip_summed == CHECKSUM_PARTIAL &&
		    skb_checksum_help(skb))
			return -ENOMEM;
		if (skb_linearize(skb))
			return -ENOMEM;
	}
	dh = max_t(int, 0, (int)head - (int)skb_headroom(skb));
	dt = max_t(int, 0, (int)(tail + skb->data_len) -
			   (int)skb_tailroom(skb));
	if (dt && !dh && !skb->data_len && !skb_cloned(skb) &&
	    skb_headroom(skb) >= head + ALIGN(dt, 16)) {
		out_shift_head(skb, ALIGN(dt, 16));
	} else if (dh || dt || skb_cloned(skb)) {
		if (pskb_expand_head(skb, ALIGN(dh, NET_SKB_PAD), dt,
				     GFP_ATOMIC))
			return -ENOMEM;
	}
	if (skb->data_len)
		out_pull_frags(skb);
	else if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return -ENOMEM;
	return 0;
}

/* IPv6 transport mode: ESP goes after the headers that are processed hop
 * by hop or at the routing waypoints (hop-by-hop, routing); returns the
 * offset of the header ESP is inserted in front of, and in *nhoff the
 * offset of the byte that names it.
 */
static int out_ip6_insert_off(struct sk_buff *skb, unsigned int *nhoff)
{
	unsigned int off = sizeof(struct ipv6hdr);
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;

	*nhoff = offsetof(struct ipv6hdr, nexthdr);
	while (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING) {
		struct ipv6_opt_hdr *h;

		if (off + sizeof(*h) > skb_headlen(skb))
			return -EINVAL;
		h = (struct ipv6_opt_hdr *)(skb->data + off);
		*nhoff = off;
		nexthdr = h->nexthdr;
		off += ipv6_optlen(h);
		if (off > skb_headlen(skb))
			return -EINVAL;
	}
	return off;
}

static void out_done(struct sk_buff *skb, struct espah_sa *sa,
		     const struct espah_esp_state *st, int err);
static void out_one(struct net *net, struct espah_sa *sa, struct sk_buff *skb,
		    u16 family, struct espah_sa *next);

/* The length fields ip_local_out()/ip6_local_out() would set, for the
 * next transform of a bundle (AH covers them, a tunnel copies them).
 */
static void out_fix_len(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

static void out_send(struct sk_buff *skb, struct espah_sa *sa,
		     const struct espah_esp_state *st)
{
	bool natt = sa->encap.type;

	/* the UDP length and checksum cover the ciphertext */
	if (natt)
		espah_natt_finish(skb, st->family,
				  st->esp_off - espah_natt_hlen(sa));
	/* lifetime: exact to the packet; counts its own drop */
	if (!espah_sa_lft_use(st->net, sa, skb->len, st->seq)) {
		espah_sa_put(sa);
		espah_sa_put(st->next);
		kfree_skb(skb);
		return;
	}
	espah_sa_stat_inc(sa, ESPAH_SA_STAT_PACKETS);
	espah_sa_stat_add(sa, ESPAH_SA_STAT_BYTES, skb->len);
	espah_stat_inc(st->net, ESPAH_STAT_OUT_PACKETS);
	if (st->dummy)
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_OUT_DUMMY);
	if (natt)
		espah_natt_sent(sa);
	espah_sa_put(sa);
	if (st->next) {
		/* bundle: the outer transform takes the packet as it is */
		out_fix_len(skb, st->family);
		out_one(st->net, st->next, skb, st->family, NULL);
		return;
	}
	if (natt) {
		local_bh_disable();
		espah_natt_xmit_begin(skb);
	}
	if (st->family == AF_INET)
		ip_local_out(st->net, skb->sk, skb);
	else
		ip6_local_out(st->net, skb->sk, skb);
	if (natt) {
		espah_natt_xmit_end();
		local_bh_enable();
	}
}

static void out_done(struct sk_buff *skb, struct espah_sa *sa,
		     const struct espah_esp_state *st, int err)
{
	if (err) {
		espah_stat_inc(st->net, ESPAH_STAT_OUT_ERROR);
		espah_sa_put(sa);
		if (st->next)
			espah_sa_put(st->next);
		kfree_skb(skb);
		return;
	}
	out_send(skb, sa, st);
}

/* A local packet whose ESP packet takes the same route as itself
 * (transport mode, or a tunnel to the packet's own destination): a PMTU
 * exception sized for the inner packet would apply to the ESP packet
 * too and make it fail in turn. Such packets are encapsulated whole and
 * the ESP packet is fragmented instead (TCP keeps its MSS; each
 * full-sized segment costs two fragments).
 */
static bool out_same_route(const struct sk_buff *skb, const struct espah_sa *sa,
			   u16 family)
{
	if (!skb->sk)
		return false;
	if (sa->mode != ESPAH_MODE_TUNNEL)
		return true;
	if (sa->family != family)
		return false;
	if (family == AF_INET)
		return ip_hdr(skb)->daddr == sa->dst.a4;
	return ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &sa->dst.a6);
}

/* An IPv6 packet that nf_defrag_ipv6 reassembled (see
 * espah_datapath_net_init()): its source fragmented it already, so the
 * ESP packet may be fragmented in turn, as conntrack refragments it.
 */
static bool out_reassembled(const struct sk_buff *skb, u16 family)
{
	return family == AF_INET6 && IP6CB(skb)->frag_max_size;
}

/* The packet does not fit: tell the sender and drop (true), or let the
 * ESP packet be fragmented (false).
 */
static bool out_too_big(struct sk_buff *skb, u16 family, unsigned int limit)
{
	if (family == AF_INET) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || limit < 68)
			return false;
		if (skb->sk)
			skb_dst_update_pmtu_no_confirm(skb, limit);
		else
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				  htonl(limit));
		return true;
	}
	if (limit < IPV6_MIN_MTU)
		return false;
	if (skb->sk)
		skb_dst_update_pmtu_no_confirm(skb, limit);
	else
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, limit);
	return true;
}

/**
 * espah_out_route_lookup() - look up the route to an SA's peer
 * @net: namespace
 * @sa: the SA: its outer addresses and, with encapsulation, its UDP ports
 * @mark: the packet's mark, or 0
 *
 * Serves the tunnel output and the NAT keepalives (net/natt_keepalive.c).
 *
 * Return: the route with a reference, or NULL.
 */
struct dst_entry *espah_out_route_lookup(struct net *net,
					 const struct espah_sa *sa, u32 mark)
{
	struct flowi6 fl6 = {};
	struct dst_entry *dst;

	if (sa->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = sa->dst.a4,
			.saddr = sa->src.a4,
			.flowi4_proto = sa->encap.type ? IPPROTO_UDP : sa->proto,
			.flowi4_mark = mark,
			.fl4_sport = sa->encap.sport,
			.fl4_dport = sa->encap.dport,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		return IS_ERR(rt) ? NULL : &rt->dst;
	}
	fl6.daddr = sa->dst.a6;
	fl6.saddr = sa->src.a6;
	fl6.flowi6_proto = sa->encap.type ? IPPROTO_UDP : sa->proto;
	fl6.flowi6_mark = mark;
	fl6.fl6_sport = sa->encap.sport;
	fl6.fl6_dport = sa->encap.dport;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

/* The outer route of a tunnel SA, with a reference. Unmarked packets use
 * the SA's per-CPU route cache, as IP tunnels do: a route that went stale
 * (a route change, or a PMTU exception learnt for the peer) fails
 * dst_check() and is looked up again.
 */
static struct dst_entry *out_route(struct net *net, struct espah_sa *sa,
				   const struct sk_buff *skb)
{
	struct dst_entry *dst;

	if (skb->mark || !sa->dst_cache.cache)
		return espah_out_route_lookup(net, sa, skb->mark);
	local_bh_disable();	/* per-CPU cache */
	dst = dst_cache_get(&sa->dst_cache);
	if (!dst) {
		dst = espah_out_route_lookup(net, sa, 0);
		if (dst && sa->family == AF_INET)
			dst_cache_set_ip4(&sa->dst_cache, dst, sa->src.a4);
		else if (dst)
			dst_cache_set_ip6(&sa->dst_cache, dst, &sa->src.a6);
	}
	local_bh_enable();
	return dst;
}

/* Take the next sequence number, or fail when the SA is exhausted or has
 * been retired. An update or deletion marks the SA dead under this lock
 * after its replacement took over oseq (sa_retire_into()): a packet that
 * looked the SA up before that (a GSO burst, a held packet, the outer SA
 * of a bundle after asynchronous inner crypto) must not take a number
 * the replacement hands out again under the same key.
 */
static int out_next_seq(struct espah_sa *sa, u64 *seq)
{
	u64 max = (sa->flags & ESPAH_SA_FLAG_ESN) ? U64_MAX : U32_MAX;
	int err = 0;

	spin_lock_bh(&sa->lock);
	if (sa->dead)
		err = -ESTALE;
	else if (sa->oseq >= max)
		err = -EOVERFLOW;
	else
		*seq = ++sa->oseq;
	if (!err && sa->xs)
		espah_xfrm_oseq(sa->xs, *seq);
	/* a packet, real or dummy: the SA is not idle (net/dummy.c) */
	if (!err)
		espah_sa_dummy_sent(sa);
	spin_unlock_bh(&sa->lock);
	return err;
}

/* @dsfield and @df: the outer header's, from net/tunhdr.c's rules;
 * @flowlabel: an IPv6 outer header's, the inner IPv6 packet's (0 for
 * inner IPv4), as native XFRM sets it
 */
static void out_tunnel_hdr(struct net *net, struct sk_buff *skb,
			   struct espah_sa *sa, struct dst_entry *dst,
			   u8 dsfield, bool df, __be32 flowlabel)
{
	if (sa->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = 5;
		iph->tos = dsfield;
		iph->tot_len = htons(skb->len);
		iph->frag_off = df ? htons(IP_DF) : 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = sa->encap.type ? IPPROTO_UDP : sa->proto;
		iph->saddr = sa->src.a4;
		iph->daddr = sa->dst.a4;
		ip_select_ident(net, skb, NULL);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, dsfield, flowlabel);
		ip6h->nexthdr = sa->encap.type ? IPPROTO_UDP : sa->proto;
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->src.a6;
		ip6h->daddr = sa->dst.a6;
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	}
}

/* out_one()'s family for a dummy packet (net/dummy.c): an empty skb with
 * no inner header, which the TFC padding fills and whose next header is
 * IPPROTO_NONE; its outer header has no DF or DS field to copy.
 */
#define OUT_DUMMY	AF_UNSPEC

/* Protect one (non-GSO) packet with @sa, then with @next if not NULL (a
 * bundle), or a dummy packet (@family OUT_DUMMY, tunnel-mode ESP only).
 * Consumes @skb and both SA references in every case.
 */
static void out_one(struct net *net, struct espah_sa *sa, struct sk_buff *skb,
		    u16 family, struct espah_sa *next)
{
	bool tunnel = sa->mode == ESPAH_MODE_TUNNEL;
	bool ah = sa->proto == IPPROTO_AH;
	unsigned int hlen, ohl = espah_outer_hlen(sa), limit, tail, tfclen = 0;
	unsigned int uhl = espah_natt_hlen(sa);
	struct espah_esp_state st = {
		.net = net, .next = next, .dummy = family == OUT_DUMMY,
	};
	struct dst_entry *dst = NULL;
	__be32 flowlabel = 0;
	u8 nexthdr, dsfield = 0;
	bool df = false;
	int off, err;
	u32 mark;

	if (family == AF_INET) {
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
		dsfield = ipv4_get_dsfield(ip_hdr(skb));
	} else if (family == AF_INET6) {
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		flowlabel = ip6_flowlabel(ipv6_hdr(skb));
	}

	/* output-mark: the ESP packet's mark, which its route lookup (and
	 * ip rule fwmark) sees, as native's
	 */
	mark = skb->mark;
	skb->mark = espah_fwmark_apply(&sa->omark, skb->mark);
	if (tunnel) {
		dst = out_route(net, sa, skb);
		if (!dst)
			goto err;
	} else if (skb->mark != mark) {
		/* transport: the route the packet came with was chosen
		 * under its old mark; native routes the ESP packet under
		 * the output-mark (its bundle's route), so does espah
		 */
		dst = espah_out_route_lookup(net, sa, skb->mark);
		if (!dst)
			goto err;
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		dst = NULL;
	}
	st.family = tunnel ? sa->family : family;
	/* ESP in UDP: the UDP header counts as part of ESP's */
	hlen = ah ? espah_ah_hlen(sa, st.family) : espah_esp_hlen(sa) + uhl;
	tail = ah ? 0 : espah_esp_tailroom(sa);
	/* Tunnel: the outer route's MTU (device, route metric or learnt PMTU);
	 * transport: the device's, see out_same_route(). In a bundle the
	 * outer transform's overhead comes off that first, as it does off a
	 * native bundle's MTU.
	 */
	limit = dst ? dst_mtu(dst) : READ_ONCE(skb_dst(skb)->dev->mtu);
	if (next)
		limit = espah_out_limit(next, limit, espah_outer_hlen(next),
					st.family);
	limit = espah_out_limit(sa, limit, ohl, st.family);
	if (skb->len > limit) {
		if (!out_same_route(skb, sa, family) &&
		    !out_reassembled(skb, family) &&
		    out_too_big(skb, family, limit)) {
			espah_stat_inc(net, ESPAH_STAT_OUT_TOO_BIG);
			goto drop;
		}
		skb->ignore_df = 1;
	}
	/* RFC 4303 2.4: TFC padding hides the inner packet's size, up to
	 * what still fits; the inner IP length tells the receiver where the
	 * packet ends (ESP in tunnel mode only: the netlink layer checks).
	 * A dummy (empty) gets all of it: as long as a padded packet.
	 */
	if (sa->tfcpad && skb->len < min(sa->tfcpad, limit))
		tfclen = min(sa->tfcpad, limit) - skb->len;

	/* The IPv4 total length and the IPv6 payload length are 16 bits
	 * (@tail: the most the trailer can take).
	 */
	if (skb->len + tfclen + hlen + ohl + tail -
	    (st.family == AF_INET6 ? sizeof(struct ipv6hdr) : 0) > IP_MAX_MTU) {
		espah_stat_inc(net, ESPAH_STAT_OUT_TOO_BIG);
		goto drop;
	}
	err = out_make_room(skb, hlen + ohl +
			    LL_RESERVED_SPACE((dst ?: skb_dst(skb))->dev),
			    tail + tfclen);
	if (err)
		goto err;
	if (family != OUT_DUMMY)
		espah_mss_clamp(net, skb, family, limit);

	err = out_next_seq(sa, &st.seq);
	if (err == -ESTALE) {
		espah_stat_inc(net, ESPAH_STAT_OUT_STATE_INVALID);
		goto drop;
	} else if (err) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_SEQ_OVERFLOW);
		goto drop;
	}

	if (tunnel) {
		nexthdr = family == AF_INET ? IPPROTO_IPIP :
			  family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_NONE;
		/* linear since out_make_room(), the room reserved there */
		if (tfclen)
			skb_put_zero(skb, tfclen);
		skb_push(skb, hlen + ohl);
		skb_reset_network_header(skb);
		st.esp_off = ohl + uhl;
		skb->protocol = htons(sa->family == AF_INET ? ETH_P_IP :
							      ETH_P_IPV6);
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		dst = NULL;
		/* DF per the SA (net/tunhdr.c), but never on an outer
		 * packet fragmented because it does not fit.
		 */
		out_tunnel_hdr(net, skb, sa, skb_dst(skb),
			       espah_tunhdr_encap_ds(dsfield, sa->dscp,
						     sa->flags & ESPAH_SA_FLAG_NOECN),
			       espah_tunhdr_encap_df(sa->df, family, df) &&
			       !skb->ignore_df, flowlabel);
	} else {
		unsigned int nhoff;

		if (family == AF_INET) {
			off = ip_hdrlen(skb);
			nhoff = offsetof(struct iphdr, protocol);
		} else {
			off = out_ip6_insert_off(skb, &nhoff);
			if (off < 0)
				goto err;
		}
		nexthdr = skb->data[nhoff];
		skb_push(skb, hlen);
		memmove(skb->data, skb->data + hlen, off);
		skb_reset_network_header(skb);
		skb->data[nhoff] = uhl ? IPPROTO_UDP : sa->proto;
		/* We fragment our own packet: DF no longer applies. */
		if (family == AF_INET && skb->ignore_df)
			ip_hdr(skb)->frag_off &= ~htons(IP_DF);
		st.esp_off = off + uhl;
		if (ah)
			out_fix_len(skb, family);
		if (family == AF_INET)
			memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		else
			memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	}
	skb_set_transport_header(skb, st.esp_off - uhl);
	if (uhl)
		espah_natt_push(skb, sa, st.esp_off - uhl);

	/* An asynchronous transform completes outside this RCU section:
	 * a route attached without a reference (skb_dst_set_noref(), as
	 * local TCP and forwarding do) must get one.
	 */
	if (!skb_dst_force(skb))
		goto err;
	if (ah)
		err = espah_ah_output(sa, skb, &st, nexthdr, out_done);
	else
		err = espah_esp_encrypt(sa, skb, &st, nexthdr, out_done);
	if (err == -EINPROGRESS)
		return;
	if (err)
		goto err;
	out_send(skb, sa, &st);
	return;

err:
	espah_stat_inc(net, ESPAH_STAT_OUT_ERROR);
drop:
	dst_release(dst);
	espah_sa_put(sa);
	if (next)
		espah_sa_put(next);
	kfree_skb(skb);
}

/**
 * espah_out_dummy() - send one dummy packet (RFC 4303 2.6) on an SA
 * @sa: an outbound tunnel-mode ESP SA; the caller's reference is kept,
 *	the packet takes one of its own
 *
 * The packet goes the way of every other (out_one()): sequence number,
 * TFC padding, output-mark, outer route, UDP encapsulation, outer header
 * rules, lifetime, counters.
 *
 * Context: softirq (net/dummy.c's timer), under rcu_read_lock().
 */
void espah_out_dummy(struct espah_sa *sa)
{
	unsigned int head = MAX_HEADER + espah_outer_hlen(sa) +
			    espah_esp_hlen(sa) + espah_natt_hlen(sa);
	struct net *net = read_pnet(&sa->net);
	struct sk_buff *skb;

	/* room for the padding up to a usual path MTU; out_make_room()
	 * finds more if the SA's path takes more
	 */
	skb = alloc_skb(head + min_t(u32, sa->tfcpad, ETH_DATA_LEN) +
			espah_esp_tailroom(sa), GFP_ATOMIC);
	if (!skb) {
		espah_stat_inc(net, ESPAH_STAT_OUT_ERROR);
		return;
	}
	skb_reserve(skb, head);
	skb_reset_network_header(skb);
	espah_sa_hold(sa);
	out_one(net, sa, skb, OUT_DUMMY, NULL);
}

/* A bundle: the outer SA's addresses are those the inner transform leaves
 * the packet with (its tunnel endpoints, or the packet's own). Only SAs
 * whose mark condition the policy's mark satisfies serve it, and only SAs
 * of the policy's if_id, as native XFRM's resolver chooses them.
 *
 * An optional template (ip xfrm's level use; transport mode only, outbound)
 * whose SA is missing is skipped, as native XFRM's template resolution
 * skips it: the packet goes on with the other transform, or none.
 * *@missing: a template without an SA (a required one if there is one), or
 * NULL. Returns NULL when a required template has no SA (*@missing says
 * which) or when no template has one and all are optional.
 */
static struct espah_sa *out_find(struct net *net,
				 const struct espah_policy *pol, u16 family,
				 const struct espah_flow *fl,
				 struct espah_sa **outer,
				 const struct espah_tmpl **missing)
{
	const struct espah_tmpl *t0 = &pol->tmpl[0], *t1 = &pol->tmpl[1];
	u32 mark = pol->xmark.v & pol->xmark.m;
	struct espah_sa *sa, *o;

	*outer = NULL;
	*missing = NULL;
	sa = espah_sa_find_out(net, t0, family, &fl->src, &fl->dst, mark,
			       pol->if_id);
	if (!sa) {
		*missing = t0;
		if (!t0->optional)
			return NULL;
	}
	if (pol->ntmpl < 2)
		return sa;
	if (sa && t0->mode == ESPAH_MODE_TUNNEL)
		o = espah_sa_find_out(net, t1, sa->family, &sa->src, &sa->dst,
				      mark, pol->if_id);
	else
		o = espah_sa_find_out(net, t1, family, &fl->src, &fl->dst,
				      mark, pol->if_id);
	if (!o) {
		if (!t1->optional) {
			*missing = t1;
			if (sa)
				espah_sa_put(sa);
			return NULL;
		}
		*missing = *missing ?: t1;
		return sa;
	}
	if (!sa)
		return o;
	*outer = o;
	return sa;
}

/* Protect @skb (segmenting a GSO packet first) with @sa, then @outer if
 * not NULL. Consumes the packet and both references.
 */
static void out_xmit(struct net *net, struct espah_sa *sa,
		     struct espah_sa *outer, struct sk_buff *skb, u16 family)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		out_one(net, sa, skb, family, outer);
		return;
	}

	/* No features: each segment is copied out of the super-packet into
	 * a linear buffer of its own, its checksum computed in the same pass
	 * (skb_segment()), ready to be encrypted in place (out_make_room()
	 * finds the room for the transform in that buffer).
	 */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		espah_stat_inc(net, ESPAH_STAT_OUT_ERROR);
		espah_sa_put(sa);
		if (outer)
			espah_sa_put(outer);
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	/* The whole burst is sent before softirqs run, as a device's GSO
	 * segments are: otherwise a local receiver (veth) processes, and
	 * acknowledges, each segment on its own, and the sender handles each
	 * ACK in between.
	 */
	local_bh_disable();
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (next) {
			espah_sa_hold(sa);
			if (outer)
				espah_sa_hold(outer);
		}
		out_one(net, sa, skb, family, outer);
	}
	local_bh_enable();
}

static bool out_tmpl_ok(const struct espah_policy *pol)
{
	unsigned int i;

	if (!pol->ntmpl || pol->ntmpl > ESPAH_MAX_TMPL)
		return false;
	for (i = 0; i < pol->ntmpl; i++)
		if (pol->tmpl[i].proto != IPPROTO_ESP &&
		    pol->tmpl[i].proto != IPPROTO_AH)
			return false;
	return true;
}

static u16 hook_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

/* out_protect(): no SA, and the caller has another verdict */
#define OUT_FALLBACK	(~0U)

/**
 * out_protect() - protect a packet with a protect policy's SAs
 * @net: namespace
 * @pol: the policy (under RCU)
 * @skb: the packet
 * @family: AF_INET or AF_INET6
 * @fl: the flow the SAs are chosen by
 * @fallback: when a required SA is missing, return OUT_FALLBACK (after the
 *	acquire event) instead of holding or dropping the packet
 *
 * Return: NF_STOLEN (sent), NF_ACCEPT (every missing template optional),
 * NF_DROP (counted), or OUT_FALLBACK.
 */
static unsigned int out_protect(struct net *net,
				const struct espah_policy *pol,
				struct sk_buff *skb, u16 family,
				const struct espah_flow *fl, bool fallback)
{
	const struct espah_tmpl *missing;
	struct espah_sa *sa, *outer;

	/* One template, or a bundle of two applied innermost first
	 * (tmpl[0], e.g. ESP) then outer (tmpl[1], e.g. AH), as native
	 * XFRM applies a two-template policy.
	 */
	if (!out_tmpl_ok(pol)) {
		net_dbg_ratelimited("espah: policy %u: unsupported templates\n",
				    pol->index);
		espah_stat_inc(net, ESPAH_STAT_OUT_NO_SA);
		return NF_DROP;
	}

	sa = out_find(net, pol, family, fl, &outer, &missing);
	/* native queries the key manager for optional templates too */
	if (missing)
		espah_acquire(net, pol, missing, fl);
	if (!sa && missing && !missing->optional) {
		if (fallback)
			return OUT_FALLBACK;
		/* held (or counted by the hold queue), or dropped */
		if (pol->hold_max)
			return espah_hold_add(net, pol, skb, family);
		espah_stat_inc(net, ESPAH_STAT_OUT_NO_SA);
		return NF_DROP;
	}
	if (pol->xp)
		espah_xfrm_pol_used(pol->xp);
	if (!sa)	/* every template optional, none with an SA */
		return NF_ACCEPT;
	/* routed into an xfrm interface (skb->dev, at POST_ROUTING): its
	 * transmit counters, as its own packets count there
	 */
	if (fl->if_id)
		espah_xfrmi_tx(skb->dev, skb->len);
	espah_ct_confirm(skb);
	out_xmit(net, sa, outer, skb, family);
	return NF_STOLEN;
}

/* ip xfrm's flag icmp on outbound policies: an ICMP error this host sends
 * (not one it forwards) that no protect policy covers by its own flow is
 * judged by the flow of the packet it quotes, reversed: if the outbound
 * policy of that flow has the flag, that policy decides (protects the
 * error with its SAs, lets it pass, or discards it), as native XFRM's
 * icmp_send() route lookup does. Return that policy, or NULL.
 */
static const struct espah_policy *out_icmp_policy(struct net *net,
						  const struct sk_buff *skb,
						  u16 family,
						  struct espah_flow *rfl)
{
	const struct espah_policy *pol;
	bool fwd;

	fwd = family == AF_INET ? IPCB(skb)->flags & IPSKB_FORWARDED :
				  IP6CB(skb)->flags & IP6SKB_FORWARDED;
	if (fwd || espah_skb_icmp_flow(skb, family, rfl))
		return NULL;
	/* the error's own mark and interface, as its own flow has them */
	rfl->mark = skb->mark;
	rfl->if_id = espah_xfrmi_if_id(skb->dev);
	pol = espah_spd_lookup(net, ESPAH_DIR_OUT, rfl);
	return pol && (pol->flags & ESPAH_POL_FLAG_ICMP) ? pol : NULL;
}

/**
 * espah_out_hook() - NF_INET_POST_ROUTING: apply the outbound SPD
 * @priv: unused
 * @skb: the packet, network header at skb->data
 * @state: hook state
 *
 * Return: NF_ACCEPT (no policy, bypass), NF_DROP (discard, no SA, error)
 * or NF_STOLEN (protected; sent later by ip_local_out()/ip6_local_out()).
 */
unsigned int espah_out_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	const struct espah_policy *pol, *rpol;
	u16 family = hook_family(state);
	struct net *net = state->net;
	struct espah_flow fl, rfl;
	unsigned int ret;

	/* ESP in UDP that espah is sending: transformed already */
	if (espah_natt_xmitting(skb))
		return NF_ACCEPT;
	if (espah_skb_flow(skb, family, &fl)) {
		if (!espah_spd_count(net))
			return NF_ACCEPT;
		espah_stat_inc(net, ESPAH_STAT_OUT_FLOW_ERROR);
		return NF_DROP;
	}
	if (espah_flow_bypass(&fl))
		return NF_ACCEPT;
	/* Routed into a native xfrm interface: only policies of its if_id
	 * apply (without one, the interface's native transmit drops it). The
	 * xfrm bridge's tag is native's: such an interface would have native
	 * encrypt with the carried SAs' keys under its own numbers.
	 */
	fl.if_id = espah_xfrmi_if_id(state->out);
	if (fl.if_id && fl.if_id == espah_xfrm_tag(net)) {
		espah_stat_inc(net, ESPAH_STAT_POLICY_DISCARD);
		return NF_DROP;
	}

	/* Hooks run under rcu_read_lock(); the policy is used only here. */
	pol = espah_spd_lookup(net, ESPAH_DIR_OUT, &fl);
	if ((!pol || pol->action != ESPAH_ACTION_PROTECT) &&
	    (fl.proto == IPPROTO_ICMP || fl.proto == IPPROTO_ICMPV6)) {
		rpol = out_icmp_policy(net, skb, family, &rfl);
		if (rpol && rpol->action == ESPAH_ACTION_PROTECT) {
			/* no SA: as if the flag were not there */
			ret = out_protect(net, rpol, skb, family, &rfl, true);
			if (ret != OUT_FALLBACK)
				return ret;
		} else if (rpol) {
			pol = rpol;
		}
	}
	if (!pol || pol->action == ESPAH_ACTION_BYPASS ||
	    espah_sk_bypass_out(skb))
		return NF_ACCEPT;
	if (pol->action != ESPAH_ACTION_PROTECT) {
		espah_stat_inc(net, ESPAH_STAT_POLICY_DISCARD);
		return NF_DROP;
	}
	return out_protect(net, pol, skb, family, &fl, false);
}

/**
 * espah_out_held() - send a held packet if its policy has a usable SA now
 * @net: namespace
 * @pol: the policy the packet was held for (under RCU)
 * @skb: the packet (conntrack done, route referenced: net/hold.c)
 * @family: AF_INET or AF_INET6
 *
 * Context: process, BH disabled, under rcu_read_lock() (the hold work).
 * Return: true if @skb was consumed (sent, or dropped and counted as any
 * protected packet would be), false if there is still no SA (@skb
 * untouched).
 */
bool espah_out_held(struct net *net, const struct espah_policy *pol,
		    struct sk_buff *skb, u16 family)
{
	const struct espah_tmpl *missing;
	struct espah_sa *sa, *outer;
	struct espah_flow fl;

	if (espah_skb_flow(skb, family, &fl))
		return false;
	sa = out_find(net, pol, family, &fl, &outer, &missing);
	if (!sa)
		return false;	/* (a held packet's policy has a required one) */
	/* set by the IP output path without a reference; the route has one */
	skb->dev = skb_dst(skb)->dev;
	/* held on its way into an xfrm interface: counted there now, as
	 * out_protect() counts what it takes at once
	 */
	if (pol->if_id && espah_xfrmi_if_id(skb->dev) == pol->if_id)
		espah_xfrmi_tx(skb->dev, skb->len);
	out_xmit(net, sa, outer, skb, family);
	return true;
}
