// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound pipeline: one path for ESP (RFC 4303) and AH (RFC 4302), from
 * the SA lookup to the re-injection of the decapsulated packet.
 *
 *   espah_decap()      lookup (SPI, destination, protocol), length check,
 *                      replay check before crypto, make the packet private
 *   ->transform        verify (and decrypt): net/esp.c or net/ah.c, which
 *                      may complete asynchronously (decap_done())
 *   decap_finish()     replay recheck and advance, ->strip (trailer or AH
 *                      header: the payload's protocol and length),
 *                      lifetime, counters, tunnel or transport
 *                      decapsulation, MSS clamp, sec_path entry
 *   decap_reinject()   the packet starts over at PRE_ROUTING
 *
 * Only the two steps marked -> differ between the protocols (struct
 * decap_proto); everything else is shared, so that what one protocol
 * gets (the MSS clamp of TCP SYNs, the firewall pass) the other gets too.
 *
 * Delivery: every decapsulated packet, tunnel or transport mode, is
 * re-injected through GRO cells (netif_rx() when the device has GRO off)
 * and goes through PRE_ROUTING (conntrack), routing, LOCAL_IN or FORWARD
 * again, like the packets the native stack decapsulates: the host's
 * firewall sees the inner packet. A transport-mode packet keeps its IP
 * header (ESP header, IV and trailer, or the AH header, removed, the
 * protocol byte restored); a bundle's inner ESP/AH then comes back to the
 * LOCAL_IN hook in turn. Each transform removed adds a sec_path entry
 * (net/secpath.c), outermost first.
 */
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/gro_cells.h>
#include <net/dsfield.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include <espah/ah.h>
#include <espah/decap.h>
#include <espah/esp.h>
#include <espah/flow.h>
#include <espah/iphdr.h>
#include <espah/mss.h>
#include <espah/mtu.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/secpath.h>
#include <espah/spd.h>
#include <espah/tunhdr.h>
#include <espah/xfrmi.h>

/* Verdicts of decap_finish() */
enum {
	DECAP_REINJECT,	/* decapsulated: to be re-injected */
	DECAP_DROP,
};

/**
 * struct decap_proto - what differs between ESP and AH on input
 * @hlen: the fixed header to pull before the SPI can be read
 * @check: the packet's length against the SA; false if malformed
 * @transform: verify and decrypt (net/esp.c, net/ah.c)
 * @strip: after the ICV verified: the payload's protocol (*@nexthdr),
 *	the bytes in front of it from the ESP/AH header on (*@hlen), the
 *	bytes lifetimes and counters count (*@len: ESP's ciphertext, AH's
 *	payload), and trim what follows the payload; false (counted) if the
 *	trailer is bad
 */
struct decap_proto {
	unsigned int hlen;
	bool (*check)(const struct espah_sa *sa, const struct sk_buff *skb,
		      const struct espah_esp_state *st);
	int (*transform)(struct espah_sa *sa, struct sk_buff *skb,
			 const struct espah_esp_state *st,
			 espah_esp_done_t done);
	bool (*strip)(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, u8 *nexthdr,
		      unsigned int *hlen, unsigned int *len);
};

/* ESP: the payload is a positive multiple of the block size, then the ICV */
static bool esp_check(const struct espah_sa *sa, const struct sk_buff *skb,
		      const struct espah_esp_state *st)
{
	const struct espah_crypto *c = &sa->crypto;
	unsigned int len = skb->len - st->esp_off, hlen = espah_esp_hlen(sa);

	return len >= hlen + c->icv_len + c->block_size &&
	       !((len - hlen - c->icv_len) % c->block_size);
}

static bool esp_strip(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, u8 *nexthdr,
		      unsigned int *hlen, unsigned int *len)
{
	const struct espah_crypto *c = &sa->crypto;
	unsigned int padlen;

	*hlen = espah_esp_hlen(sa);
	*len = skb->len - st->esp_off - *hlen - c->icv_len;
	if (espah_esp_trailer_check(skb->data + st->esp_off + *hlen, *len,
				    nexthdr, &padlen)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_PAD_ERR);
		return false;
	}
	__skb_trim(skb, skb->len - c->icv_len - padlen - ESPAH_ESP_TRAILER);
	return true;
}

static const struct decap_proto decap_esp = {
	.hlen = ESPAH_ESP_HLEN,
	.check = esp_check,
	.transform = espah_esp_decrypt,
	.strip = esp_strip,
};

static bool ah_check(const struct espah_sa *sa, const struct sk_buff *skb,
		     const struct espah_esp_state *st)
{
	const struct ip_auth_hdr *ah = (const void *)(skb->data + st->esp_off);
	unsigned int ahlen = (ah->hdrlen + 2) * 4;

	return espah_ah_hlen_ok(sa, st->family, ahlen) &&
	       skb->len >= st->esp_off + ahlen;
}

static bool ah_strip(struct espah_sa *sa, struct sk_buff *skb,
		     const struct espah_esp_state *st, u8 *nexthdr,
		     unsigned int *hlen, unsigned int *len)
{
	const struct ip_auth_hdr *ah = (const void *)(skb->data + st->esp_off);

	*hlen = (ah->hdrlen + 2) * 4;
	*nexthdr = ah->nexthdr;
	*len = skb->len - st->esp_off - *hlen;
	return true;
}

static const struct decap_proto decap_ah = {
	.hlen = ESPAH_AH_HLEN,
	.check = ah_check,
	.transform = espah_ah_input,
	.strip = ah_strip,
};

static const struct decap_proto *decap_proto_of(u8 proto)
{
	return proto == IPPROTO_AH ? &decap_ah : &decap_esp;
}

static void replay_count(struct espah_sa *sa, int err)
{
	switch (err) {
	case -EEXIST:
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_REPLAY);
		break;
	case -ERANGE:
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_OLD);
		break;
	default:
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		break;
	}
}

/* Before the transform (RFC 4303 3.4.3, RFC 4302 3.4.3): infer the full
 * sequence number into *@seq and check it against the window. Returns
 * false (counted) if the packet is a replay, too old or invalid.
 */
static bool replay_check(struct espah_sa *sa, u32 seq_lo, u64 *seq)
{
	int err;

	if (!sa->replay) {
		*seq = seq_lo;
		return true;
	}
	spin_lock_bh(&sa->lock);
	*seq = espah_replay_infer(sa->replay, seq_lo);
	err = espah_replay_check(sa->replay, *seq);
	spin_unlock_bh(&sa->lock);
	if (err)
		replay_count(sa, err);
	return !err;
}

/* After the ICV verified: advance the window. Returns false (counted) if
 * a packet with the same number got there first. A packet that came in
 * UDP is checked against the SA's NAT mapping in the same critical
 * section (net/natt_map.c), so that of two packets from two ports the
 * newer one decides where the SA's traffic goes.
 */
static bool replay_advance(struct net *net, struct espah_sa *sa,
			   const struct espah_esp_state *st)
{
	bool moved = false, updated = false;
	__be16 old_port = 0;
	int err = 0;

	if (!sa->replay && !st->natt)
		return true;
	spin_lock_bh(&sa->lock);
	if (sa->replay) {
		bool top = st->seq > sa->replay->top;

		err = espah_replay_advance(sa->replay, st->seq);
		if (!err && st->natt)
			moved = espah_natt_mapping_check(sa, st, top,
							 &old_port, &updated);
	} else {
		moved = espah_natt_mapping_check(sa, st, false, &old_port,
						 &updated);
	}
	spin_unlock_bh(&sa->lock);
	if (err)
		replay_count(sa, err);
	else if (moved)
		espah_natt_mapping(net, sa, st, old_port, updated);
	return !err;
}

/* ip xfrm's flag icmp: an ICMP error addressed to this host that came
 * through the SA passes its selector when the packet it quotes, reversed,
 * does (an error about the SA's own traffic, from a router whose address
 * the selector does not cover), as native XFRM's icmp_rcv() lets it pass.
 * An error to be forwarded is judged by its own addresses, as native's
 * forward check judges it. The inbound policy check (net/input.c) looks
 * at the same reversed flow.
 */
static bool sel_icmp_ok(struct espah_sa *sa, struct sk_buff *skb, u16 family)
{
	struct net *net = read_pnet(&sa->net);
	struct espah_flow fl;

	if (!(sa->flags & ESPAH_SA_FLAG_ICMP) ||
	    espah_skb_icmp_flow(skb, family, &fl) ||
	    !espah_sel_match(&sa->sel, &fl))
		return false;
	if (family == AF_INET)
		return inet_addr_type(net, ip_hdr(skb)->daddr) == RTN_LOCAL;
	return ipv6_chk_addr(net, &ipv6_hdr(skb)->daddr, NULL, 0);
}

/* The inner packet must be what the SA was negotiated for. */
static bool sel_ok(struct espah_sa *sa, struct sk_buff *skb, u16 family)
{
	struct espah_flow fl;

	if (!sa->sel.family)
		return true;
	if (sa->sel.family != family || espah_skb_flow(skb, family, &fl) ||
	    (!espah_sel_match(&sa->sel, &fl) &&
	     !sel_icmp_ok(sa, skb, family))) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_SEL_MISMATCH);
		return false;
	}
	return true;
}

/* Validate the inner header of a tunnel-mode packet and trim to it. */
static int inner_check(struct sk_buff *skb, u16 family)
{
	unsigned int len;

	if (family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (iph->version != 4 || iph->ihl < 5 ||
		    len < iph->ihl * 4 || len > skb->len)
			return -EINVAL;
	} else {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
		if (ip6h->version != 6 || len > skb->len)
			return -EINVAL;
	}
	return pskb_trim(skb, len);
}

/* The inner DS field from the outer one (net/tunhdr.c: RFC 6040's ECN
 * table, decap-dscp). Return: -EBADMSG for a packet RFC 6040 drops.
 */
static int decap_tunnel_ds(const struct espah_sa *sa, struct sk_buff *skb,
			   const struct espah_esp_state *st, u16 family)
{
	u8 inner = family == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
				       ipv6_get_dsfield(ipv6_hdr(skb));
	int ds = espah_tunhdr_decap_ds(st->outer_dsfield, inner,
				       sa->flags & ESPAH_SA_FLAG_NOECN,
				       sa->flags & ESPAH_SA_FLAG_DECAP_DSCP);

	if (ds == ESPAH_TUNHDR_DROP)
		return -EBADMSG;
	if (ds == inner)
		return 0;
	/* writable: espah_decap_sa() made the whole packet so */
	if (family == AF_INET)
		ipv4_change_dsfield(ip_hdr(skb), 0, ds);
	else
		ipv6_change_dsfield(ipv6_hdr(skb), 0, ds);
	return 0;
}

static int decap_tunnel(struct espah_sa *sa, struct sk_buff *skb,
			const struct espah_esp_state *st, u8 nexthdr,
			unsigned int hlen)
{
	u16 family;

	switch (nexthdr) {
	case IPPROTO_IPIP:
		family = AF_INET;
		break;
	case IPPROTO_IPV6:
		family = AF_INET6;
		break;
	case NEXTHDR_NONE:	/* RFC 4303 2.6 dummy packet: discard */
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_DUMMY);
		return DECAP_DROP;
	default:
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		return DECAP_DROP;
	}
	__skb_pull(skb, st->esp_off + hlen);
	skb_reset_network_header(skb);
	if (inner_check(skb, family)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		return DECAP_DROP;
	}
	if (!sel_ok(sa, skb, family))
		return DECAP_DROP;

	if (decap_tunnel_ds(sa, skb, st, family)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_CE_NOT_ECT);
		return DECAP_DROP;
	}
	skb->protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	skb_reset_transport_header(skb);
	return DECAP_REINJECT;
}

static int decap_transport(struct espah_sa *sa, struct sk_buff *skb,
			   const struct espah_esp_state *st, u8 nexthdr,
			   unsigned int hlen)
{
	int thoff = skb_transport_offset(skb);

	/* RFC 4303 2.6: a dummy packet is discarded, never delivered. */
	if (nexthdr == NEXTHDR_NONE) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_DUMMY);
		return DECAP_DROP;
	}
	/* Headers in front of ESP/AH move up over its header (and IV). */
	espah_ip_cut(skb, st->family, st->esp_off, hlen, st->nhoff, nexthdr);
	skb_set_transport_header(skb, thoff);
	if (!sel_ok(sa, skb, st->family))
		return DECAP_DROP;
	/* RFC 3948 3.1.2: a NAT rewrote the addresses the inner TCP/UDP
	 * checksum covers, which the ICV has vouched for; native XFRM
	 * skips the check the same way.
	 */
	if (sa->encap.type)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	return DECAP_REINJECT;
}

/* A TCP SYN that came through @sa: its MSS must let our answers fit the
 * SA in the other direction, assumed to take the path this packet came
 * by with the same transforms (see net/mss.c).
 */
static void decap_mss_clamp(const struct espah_sa *sa, struct sk_buff *skb,
			    const struct espah_esp_state *st)
{
	unsigned int limit;

	if (!skb->dev)
		return;
	limit = espah_out_limit(sa, READ_ONCE(skb->dev->mtu),
				espah_outer_hlen(sa), st->family);
	espah_mss_clamp(st->net, skb,
			skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6,
			limit);
}

/* After the transform: replay advance, strip, lifetime, counters,
 * decapsulation. Returns a DECAP_* verdict; the packet is still the
 * caller's.
 */
static int decap_finish(struct sk_buff *skb, struct espah_sa *sa,
			const struct espah_esp_state *st, int err)
{
	unsigned int hlen, len;
	u8 nexthdr;
	int ret;

	if (err) {
		espah_sa_stat_inc(sa, err == -EBADMSG ? ESPAH_SA_STAT_ICV_FAIL :
				  err == -EINVAL ? ESPAH_SA_STAT_MALFORMED :
						   ESPAH_SA_STAT_NOMEM);
		return DECAP_DROP;
	}
	if (!replay_advance(st->net, sa, st))
		return DECAP_DROP;
	if (!decap_proto_of(sa->proto)->strip(sa, skb, st, &nexthdr, &hlen,
					      &len))
		return DECAP_DROP;
	/* lifetime: exact to the packet; counts its own drop */
	if (!espah_sa_lft_use(st->net, sa, len, 0))
		return DECAP_DROP;
	espah_sa_stat_inc(sa, ESPAH_SA_STAT_PACKETS);
	espah_sa_stat_add(sa, ESPAH_SA_STAT_BYTES, len);
	espah_stat_inc(st->net, ESPAH_STAT_IN_PACKETS);

	/* Data changed under any CHECKSUM_COMPLETE value. */
	skb->ip_summed = CHECKSUM_NONE;
	if (sa->mode == ESPAH_MODE_TUNNEL)
		ret = decap_tunnel(sa, skb, st, nexthdr, hlen);
	else
		ret = decap_transport(sa, skb, st, nexthdr, hlen);
	if (ret == DECAP_DROP)
		return ret;
	decap_mss_clamp(sa, skb, st);

	skb_mac_header_rebuild(skb);
	if (skb->mac_len == ETH_HLEN && skb_mac_header_was_set(skb))
		eth_hdr(skb)->h_proto = skb->protocol;
	if (espah_secpath_add(skb, sa->mark)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		return DECAP_DROP;
	}
	return ret;
}

/* Decapsulated packets go through GRO (as the native stack's do, see
 * xfrm_input()): the segments of a TCP stream that arrive in one batch
 * reach TCP as one packet, which then acknowledges them with one ACK.
 * One set of per-CPU cells for all namespaces, on a dummy device; the
 * packets keep their own skb->dev (the device the ESP packet came in on).
 */
static struct net_device decap_gro_dev;
static struct gro_cells decap_gro_cells;

/**
 * espah_decap_module_init() - set up the GRO cells re-injection uses
 *
 * Return: 0 or -ENOMEM.
 */
int espah_decap_module_init(void)
{
	init_dummy_netdev(&decap_gro_dev);
	return gro_cells_init(&decap_gro_cells, &decap_gro_dev);
}

/**
 * espah_decap_module_exit() - tear the GRO cells down
 *
 * Context: after every namespace's hooks are gone.
 */
void espah_decap_module_exit(void)
{
	gro_cells_destroy(&decap_gro_cells);
}

/* Hand a decapsulated packet to the stack from the start (PRE_ROUTING).
 * An SA with an if_id hands it to its xfrm interface, as native's does
 * (net/xfrmi.c): through the backlog, which the interface's removal
 * flushes, not through the cells, which it does not know.
 */
static void decap_reinject(struct net *net, struct sk_buff *skb,
			   const struct espah_sa *sa)
{
	struct net_device *dev;

	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->pkt_type = PACKET_HOST;
	memset(skb->cb, 0, sizeof(skb->cb));
	if (sa->if_id) {
		rcu_read_lock();
		dev = espah_xfrmi_dev(net, sa->if_id);
		if (dev) {
			espah_xfrmi_rx(skb, dev);
			netif_rx(skb);
		}
		rcu_read_unlock();
		if (!dev) {
			espah_stat_inc(net, ESPAH_STAT_IN_NO_XFRMI);
			kfree_skb(skb);
		}
		return;
	}
	/* the cells are per CPU; completions may run with BH enabled */
	local_bh_disable();
	gro_cells_receive(&decap_gro_cells, skb);
	local_bh_enable();
}

/* Completion of an asynchronous transform. */
static void decap_done(struct sk_buff *skb, struct espah_sa *sa,
		       const struct espah_esp_state *st, int err)
{
	int ret = decap_finish(skb, sa, st, err);

	if (ret == DECAP_DROP)
		kfree_skb(skb);
	else
		decap_reinject(st->net, skb, sa);
	espah_sa_put(sa);
}

/* The SA an inbound ESP/AH header names, or NULL (counted). */
static struct espah_sa *decap_sa(struct net *net, struct sk_buff *skb,
				 u16 family, __be32 spi, u8 proto)
{
	union espah_addr daddr;
	struct espah_sa *sa;

	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = espah_sa_lookup(net, spi, proto, family, &daddr, skb->mark);
	if (!sa || sa->dir != ESPAH_DIR_IN) {
		if (sa)
			espah_sa_put(sa);
		espah_stat_inc(net, ESPAH_STAT_IN_NO_SA);
		return NULL;
	}
	/* output-mark: the decapsulated packet carries the SA's mark (its
	 * routing and the inbound policy check see it), as native's
	 */
	skb->mark = espah_fwmark_apply(&sa->omark, skb->mark);
	return sa;
}

/**
 * espah_decap() - an ESP or AH packet addressed to this host
 * @net: namespace
 * @skb: the packet, network header at skb->data (LOCAL_IN)
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @off: offset of the ESP/AH header from the network header
 * @nhoff: offset of the byte naming it
 *
 * A packet for an SPI espah has no SA for is accepted untouched: the
 * native XFRM stack may own it (counted as ESPAH_STAT_IN_NO_SA all the
 * same).
 *
 * Return: NF_ACCEPT (not ours), NF_DROP (counted), or NF_STOLEN
 * (re-injected, or in the hands of asynchronous crypto).
 */
unsigned int espah_decap(struct net *net, struct sk_buff *skb, u16 family,
			 u8 proto, unsigned int off, unsigned int nhoff)
{
	const struct decap_proto *p = decap_proto_of(proto);
	struct espah_sa *sa;
	__be32 spi;

	if (!pskb_may_pull(skb, off + p->hlen)) {
		espah_stat_inc(net, ESPAH_STAT_IN_MALFORMED);
		return NF_DROP;
	}
	if (proto == IPPROTO_AH)
		spi = ((const struct ip_auth_hdr *)(skb->data + off))->spi;
	else
		spi = ((const struct ip_esp_hdr *)(skb->data + off))->spi;
	sa = decap_sa(net, skb, family, spi, proto);
	if (!sa)
		return NF_ACCEPT;
	/* An SA with UDP encapsulation takes its ESP in UDP only, as
	 * native XFRM's (net/natt.c brings it here through
	 * espah_decap_sa()).
	 */
	if (sa->encap.type) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_ENCAP_MISMATCH);
		espah_sa_put(sa);
		return NF_DROP;
	}
	return espah_decap_sa(net, skb, family, sa, off, nhoff, NULL);
}

/**
 * espah_decap_sa() - an ESP or AH packet for a known inbound SA
 * @net: namespace
 * @skb: the packet, network header at skb->data, its ESP/AH header (the
 *	one naming @sa) at @off and pulled into the linear area
 * @family: AF_INET or AF_INET6
 * @sa: the SA, referenced: the reference is consumed
 * @off: offset of the ESP/AH header from the network header
 * @nhoff: offset of the byte naming it
 * @natt: ESP that came in UDP: where from (its outer source address and
 *	UDP source port), for the NAT mapping check; NULL for bare ESP/AH
 *
 * Also the way in of ESP that came in UDP (net/natt.c), once its UDP
 * header is gone.
 *
 * Return: NF_DROP (counted), or NF_STOLEN (re-injected, or in the hands
 * of asynchronous crypto).
 */
unsigned int espah_decap_sa(struct net *net, struct sk_buff *skb, u16 family,
			    struct espah_sa *sa, unsigned int off,
			    unsigned int nhoff,
			    const struct espah_natt_src *natt)
{
	const struct decap_proto *p = decap_proto_of(sa->proto);
	struct espah_esp_state st = {
		.net = net,
		.esp_off = off,
		.nhoff = nhoff,
		.family = family,
	};
	__be32 seq;
	int err, ret;

	if (natt) {
		st.natt = true;
		st.natt_src = *natt;
	}
	if (sa->proto == IPPROTO_AH)
		seq = ((const struct ip_auth_hdr *)(skb->data + off))->seq_no;
	else
		seq = ((const struct ip_esp_hdr *)(skb->data + off))->seq_no;
	st.outer_dsfield = family == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
					       ipv6_get_dsfield(ipv6_hdr(skb));
	if (!p->check(sa, skb, &st)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		goto drop;
	}
	/* RFC 4303 3.4.3: check before spending the crypto. */
	if (!replay_check(sa, ntohl(seq), &st.seq))
		goto drop;
	/* linear and private: headers are removed in place */
	if (skb_ensure_writable(skb, skb->len)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		goto drop;
	}
	/* The async completion runs outside this RCU section. */
	if (!skb_dst_force(skb)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		goto drop;
	}
	espah_ct_confirm(skb);

	err = p->transform(sa, skb, &st, decap_done);
	if (err == -EINPROGRESS)
		return NF_STOLEN;
	ret = decap_finish(skb, sa, &st, err);
	if (ret == DECAP_DROP) {
		espah_sa_put(sa);
		return NF_DROP;
	}
	decap_reinject(net, skb, sa);
	espah_sa_put(sa);
	return NF_STOLEN;

drop:
	espah_sa_put(sa);
	return NF_DROP;
}

/**
 * espah_decap_frag() - an AH fragment (RFC 4302 3.4.1)
 * @net: namespace
 * @skb: the fragment
 * @family: AF_INET or AF_INET6
 * @off: offset of the AH header, 0 if not in this fragment
 *
 * AH is never applied to a fragment, and both families are reassembled
 * before LOCAL_IN (IPv4 by ip_local_deliver(), IPv6 by the nf_defrag_ipv6
 * every namespace enables): a fragment that still gets here with AH for an
 * SPI espah owns (a namespace where defrag could not be enabled) is
 * dropped and counted (ESPAH_STAT_IN_AH_FRAG). Others go to the native
 * stack.
 *
 * Return: NF_ACCEPT or NF_DROP.
 */
unsigned int espah_decap_frag(struct net *net, struct sk_buff *skb,
			      u16 family, unsigned int off)
{
	const struct ip_auth_hdr *ah;
	struct ip_auth_hdr _ah;
	struct espah_sa *sa;

	if (!off)
		return NF_ACCEPT;
	ah = skb_header_pointer(skb, skb_network_offset(skb) + off,
				sizeof(_ah), &_ah);
	if (!ah)
		return NF_ACCEPT;
	sa = decap_sa(net, skb, family, ah->spi, IPPROTO_AH);
	if (!sa)
		return NF_ACCEPT;
	espah_sa_put(sa);
	espah_stat_inc(net, ESPAH_STAT_IN_AH_FRAG);
	return NF_DROP;
}
