// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound path: NF_INET_LOCAL_IN (ESP addressed to this host, and the
 * inbound policy check of cleartext) and NF_INET_FORWARD (the policy
 * check of forwarded cleartext), IPv4 and IPv6.
 *
 * ESP for an SPI espah has no SA for is accepted untouched: the native
 * XFRM stack may own it (coexistence); it is counted as
 * ESPAH_STAT_IN_NO_SA all the same. At LOCAL_IN IPv4 is reassembled
 * already (ip_local_deliver()); IPv6 would be reassembled only after the
 * hook, so every namespace enables nf_defrag_ipv6 (reassembly at
 * PRE_ROUTING, as conntrack does; see espah_datapath_net_init()).
 *
 * Priority NF_IP_PRI_LAST - 1 at LOCAL_IN: like the native ESP protocol
 * handler, we see the ESP packet after the filter tables.
 *
 * Delivery after decryption:
 *  - transport mode, synchronous crypto: the packet is rewritten in place
 *    (ESP header and trailer removed, protocol restored) and accepted; the
 *    protocol handler is chosen after the hook from the rewritten header
 *    (IPv4: ip_hdr()->protocol in ip_local_deliver_finish(); IPv6: the
 *    nexthdr byte at IP6CB()->nhoff, or the extension header we rewrote
 *    if ESP followed destination options, in ip6_protocol_deliver_rcu()).
 *  - transport mode after asynchronous crypto, and tunnel mode always:
 *    the (inner) packet is re-injected through GRO cells (netif_rx()
 *    when the device has GRO off) and goes through PRE_ROUTING, routing,
 *    LOCAL_IN or FORWARD again, like the packets the native stack
 *    decapsulates.
 *  - a TCP SYN that came through an SA has its MSS option lowered to what
 *    fits the SA (net/mss.c) before it goes on.
 *
 * Marking decapsulated packets: every packet espah decrypted carries a
 * sec_path skb extension (secpath_set()) holding one xfrm_state per
 * namespace that stands for "espah" (&espah_net.decap_state: ESP,
 * transport mode, SPI 0, any selector, never in the native SAD). The
 * extension survives re-injection and is dropped when the packet crosses a
 * namespace (skb_scrub_packet()); nftables' "meta ipsec exists" and
 * iptables' "-m policy --pol ipsec --proto esp" see it. An empty sec_path
 * would not do: the native policy check dereferences its last entry. The
 * entry says transport mode even after tunnel decapsulation, because the
 * native check rejects tunnel-mode entries that no native policy covers;
 * native policies requiring particular SAs (reqid, addresses) are not
 * satisfied by it.
 * AH (RFC 4302) takes the same path: the ICV is verified (net/ah.c), the
 * replay window advanced, the AH header removed; its marker is a second
 * state, &espah_net.decap_state_ah, with id.proto IPPROTO_AH.
 * A transport-mode AH packet whose next header is ESP or AH (a bundle) is
 * re-injected like a tunnel packet, so the inner transform is processed
 * by this hook in turn; each layer adds its marker, outermost first.
 *
 * Inbound policy check: a packet with a sec_path is protected, by either
 * stack (packets the native XFRM stack decapsulated count too), provided
 * the transforms it went through match the "protect" policy's templates:
 * the last ntmpl sec_path entries, read from the end, must have the
 * protocols of tmpl[0] (innermost), tmpl[1], ... in that order, as the
 * native policy check matches templates to its sec_path. So an ESP+AH
 * bundle policy refuses a packet that came with ESP only or AH only
 * (ESPAH_STAT_IN_POLICY_DROP). The check does not verify which SA it was
 * against the templates' reqid/addresses; the SA's own selector is
 * verified at decapsulation instead. Packets delivered in place after
 * transport-mode decapsulation get the same check before they go on.
 *
 * AH fragments (RFC 4302 3.4.1: reassembly comes before AH processing,
 * and AH is never applied to a fragment): both families are reassembled
 * before LOCAL_IN (IPv4 by ip_local_deliver(), IPv6 by the nf_defrag_ipv6
 * every namespace enables), so fragmented AH packets verify whole. A
 * fragment that still reaches the hook with AH for an SPI espah owns (a
 * namespace where defrag could not be enabled; a defensive IPv4 check)
 * is dropped and counted (ESPAH_STAT_IN_AH_FRAG).
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/xfrm.h>

#include <espah/ah.h>
#include <espah/datapath.h>
#include <espah/esp.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/secpath.h>
#include <espah/spd.h>

/* Verdicts of in_finish() */
enum {
	IN_CONSUMED,	/* decapsulated: to be re-injected (in_reinject()) */
	IN_DROP,
};

/* Did the transforms the packet went through satisfy the protect policy's
 * templates? The templates, innermost first, against the sec_path from
 * its end (the innermost transform was removed last); each transform must
 * be one its template allows (espah_secpath_tmpl_ok(): reqid, mode, tunnel
 * endpoints), so a peer's valid SA cannot deliver another peer's traffic.
 */
static bool in_tmpl_ok(const struct sec_path *sp,
		       const struct espah_policy *pol)
{
	unsigned int i;

	if (!sp || sp->len < pol->ntmpl)
		return false;
	for (i = 0; i < pol->ntmpl; i++)
		if (!espah_secpath_tmpl_ok(sp->xvec[sp->len - 1 - i],
					   &pol->tmpl[i]))
			return false;
	return true;
}

/**
 * in_policy() - may this cleartext packet pass the inbound SPD?
 * @net: namespace
 * @skb: packet, network header set
 * @family: AF_INET or AF_INET6
 * @dir: ESPAH_DIR_IN or ESPAH_DIR_FWD
 *
 * A packet whose headers cannot be parsed fails closed while the
 * namespace has policies. Cleartext UDP that a protect policy covers
 * passes only to a local socket with an xfrm bypass policy (an IKE
 * daemon's, see espah_sk_bypass_in()).
 *
 * Return: NF_ACCEPT or NF_DROP (counted).
 */
static unsigned int in_policy(struct net *net, struct sk_buff *skb, u16 family,
			      u8 dir)
{
	const struct sec_path *sp = skb_sec_path(skb);
	const struct espah_policy *pol;
	struct espah_flow fl;

	if (espah_skb_flow(skb, family, &fl)) {
		if (!espah_spd_count(net))
			return NF_ACCEPT;
		espah_stat_inc(net, ESPAH_STAT_IN_FLOW_ERROR);
		return NF_DROP;
	}
	if (espah_flow_bypass(&fl))
		return NF_ACCEPT;
	pol = espah_spd_lookup(net, dir, &fl);
	if (!pol || pol->action == ESPAH_ACTION_BYPASS)
		return NF_ACCEPT;
	if (pol->action == ESPAH_ACTION_PROTECT) {
		if (in_tmpl_ok(sp, pol))
			return NF_ACCEPT;
		if (!sp && dir == ESPAH_DIR_IN &&
		    espah_sk_bypass_in(net, skb, &fl))
			return NF_ACCEPT;
		espah_stat_inc(net, ESPAH_STAT_IN_POLICY_DROP);
	} else {
		/* decapsulated traffic a discard policy covers: as before,
		 * only cleartext is policed
		 */
		if (sp)
			return NF_ACCEPT;
		espah_stat_inc(net, ESPAH_STAT_POLICY_DISCARD);
	}
	return NF_DROP;
}

/* Find the ESP or AH header: offset from the network header, and of the
 * byte naming it. Return its protocol, IN_AH_FRAG for a fragment whose
 * fragmentable part starts with AH (*esp_off: the AH header, or 0 when
 * not in this fragment), or 0 if the packet is not for us to look at.
 */
#define IN_AH_FRAG	256

static int in_find_esp(struct sk_buff *skb, u16 family, unsigned int *esp_off,
		       unsigned int *nhoff)
{
	unsigned int off;
	u8 nexthdr;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		*nhoff = offsetof(struct iphdr, protocol);
		*esp_off = iph->ihl * 4;
		if (iph->protocol == IPPROTO_AH && ip_is_fragment(iph)) {
			if (iph->frag_off & htons(IP_OFFSET))
				*esp_off = 0;
			return IN_AH_FRAG;
		}
		if (iph->protocol == IPPROTO_ESP || iph->protocol == IPPROTO_AH)
			return iph->protocol;
		return 0;
	}
	nexthdr = ipv6_hdr(skb)->nexthdr;
	*nhoff = offsetof(struct ipv6hdr, nexthdr);
	off = sizeof(struct ipv6hdr);
	while (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_DEST) {
		struct ipv6_opt_hdr _h;
		const struct ipv6_opt_hdr *h;

		h = skb_header_pointer(skb, skb_network_offset(skb) + off,
				       sizeof(_h), &_h);
		if (!h)
			return false;
		*nhoff = off;
		nexthdr = h->nexthdr;
		off += ipv6_optlen(h);
	}
	if (nexthdr == NEXTHDR_FRAGMENT) {
		struct frag_hdr _fh;
		const struct frag_hdr *fh;

		fh = skb_header_pointer(skb, skb_network_offset(skb) + off,
					sizeof(_fh), &_fh);
		if (!fh || fh->nexthdr != IPPROTO_AH)
			return 0;
		*esp_off = fh->frag_off & htons(IP6_OFFSET) ? 0 :
			   off + sizeof(_fh);
		return IN_AH_FRAG;
	}
	*esp_off = off;
	if (nexthdr == IPPROTO_ESP || nexthdr == IPPROTO_AH)
		return nexthdr;
	return 0;
}

static void in_replay_count(struct espah_sa *sa, int err)
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
static bool in_replay_check(struct espah_sa *sa, u32 seq_lo, u64 *seq)
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
		in_replay_count(sa, err);
	return !err;
}

/* After the ICV verified: advance the window. Returns false (counted) if
 * a packet with the same number got there first.
 */
static bool in_replay_advance(struct espah_sa *sa, u64 seq)
{
	int err;

	if (!sa->replay)
		return true;
	spin_lock_bh(&sa->lock);
	err = espah_replay_advance(sa->replay, seq);
	spin_unlock_bh(&sa->lock);
	if (err)
		in_replay_count(sa, err);
	return !err;
}

/* The inner packet must be what the SA was negotiated for. */
static bool in_sel_ok(struct espah_sa *sa, struct sk_buff *skb, u16 family)
{
	struct espah_flow fl;

	if (!sa->sel.family)
		return true;
	if (sa->sel.family != family || espah_skb_flow(skb, family, &fl) ||
	    !espah_sel_match(&sa->sel, &fl)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_SEL_MISMATCH);
		return false;
	}
	return true;
}

/* Validate the inner header of a tunnel-mode packet and trim to it. */
static int in_inner_check(struct sk_buff *skb, u16 family)
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

static int in_tunnel(struct espah_sa *sa, struct sk_buff *skb,
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
		return IN_DROP;
	default:
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		return IN_DROP;
	}
	__skb_pull(skb, st->esp_off + hlen);
	skb_reset_network_header(skb);
	if (in_inner_check(skb, family)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		return IN_DROP;
	}
	if (!in_sel_ok(sa, skb, family))
		return IN_DROP;

	/* RFC 6040 normal mode, as far as the inner header allows. */
	if (INET_ECN_is_ce(st->outer_dsfield)) {
		if (family == AF_INET)
			IP_ECN_set_ce(ip_hdr(skb));
		else
			IP6_ECN_set_ce(skb, ipv6_hdr(skb));
	}
	skb->protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	skb_reset_transport_header(skb);
	return IN_CONSUMED;
}

static int in_transport(struct espah_sa *sa, struct sk_buff *skb,
			const struct espah_esp_state *st, u8 nexthdr,
			unsigned int hlen)
{
	int thoff = skb_transport_offset(skb);

	/* RFC 4303 2.6: a dummy packet is discarded, never delivered. */
	if (nexthdr == NEXTHDR_NONE) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_DUMMY);
		return IN_DROP;
	}
	/* Headers in front of ESP move up over the ESP header and IV. */
	memmove(skb->data + hlen, skb->data, st->esp_off);
	__skb_pull(skb, hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb->data[st->nhoff] = nexthdr;
	if (st->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
	if (!in_sel_ok(sa, skb, st->family))
		return IN_DROP;
	return IN_CONSUMED;
}

/* A TCP SYN that came through @sa: its MSS must let our answers fit the
 * SA in the other direction, assumed to take the path this packet came
 * by with the same transforms (see net/mss.c).
 */
static void in_mss_clamp(const struct espah_sa *sa, struct sk_buff *skb,
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

/* After the transform: replay advance, trailer, decapsulation. Returns an
 * IN_* verdict; the packet is still the caller's.
 */
static int in_finish(struct sk_buff *skb, struct espah_sa *sa,
		     const struct espah_esp_state *st, int err)
{
	const struct espah_crypto *c = &sa->crypto;
	unsigned int hlen = espah_esp_hlen(sa), clen, padlen;
	u8 nexthdr;
	int ret;

	if (err) {
		espah_sa_stat_inc(sa, err == -EBADMSG ? ESPAH_SA_STAT_ICV_FAIL :
							ESPAH_SA_STAT_NOMEM);
		return IN_DROP;
	}
	if (!in_replay_advance(sa, st->seq))
		return IN_DROP;

	clen = skb->len - st->esp_off - hlen - c->icv_len;
	if (espah_esp_trailer_check(skb->data + st->esp_off + hlen, clen,
				    &nexthdr, &padlen)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_PAD_ERR);
		return IN_DROP;
	}
	/* lifetime: exact to the packet; counts its own drop */
	if (!espah_sa_lft_use(st->net, sa, clen, 0))
		return IN_DROP;
	espah_sa_stat_inc(sa, ESPAH_SA_STAT_PACKETS);
	espah_sa_stat_add(sa, ESPAH_SA_STAT_BYTES, clen);
	espah_stat_inc(st->net, ESPAH_STAT_IN_PACKETS);

	/* Data changed under any CHECKSUM_COMPLETE value. */
	skb->ip_summed = CHECKSUM_NONE;
	__skb_trim(skb, skb->len - c->icv_len - padlen - ESPAH_ESP_TRAILER);

	if (sa->mode == ESPAH_MODE_TUNNEL)
		ret = in_tunnel(sa, skb, st, nexthdr, hlen);
	else
		ret = in_transport(sa, skb, st, nexthdr, hlen);
	if (ret == IN_DROP)
		return ret;
	in_mss_clamp(sa, skb, st);

	skb_mac_header_rebuild(skb);
	if (skb->mac_len == ETH_HLEN && skb_mac_header_was_set(skb))
		eth_hdr(skb)->h_proto = skb->protocol;
	if (espah_secpath_add(skb, sa->mark)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		return IN_DROP;
	}
	return ret;
}

/* Decapsulated packets go through GRO (as the native stack's do, see
 * xfrm_input()): the segments of a TCP stream that arrive in one batch
 * reach TCP as one packet, which then acknowledges them with one ACK.
 * One set of per-CPU cells for all namespaces, on a dummy device; the
 * packets keep their own skb->dev (the device the ESP packet came in on).
 */
static struct net_device in_gro_dev;
static struct gro_cells in_gro_cells;

/**
 * espah_in_module_init() - set up the GRO cells re-injection uses
 *
 * Return: 0 or -ENOMEM.
 */
int espah_in_module_init(void)
{
	init_dummy_netdev(&in_gro_dev);
	return gro_cells_init(&in_gro_cells, &in_gro_dev);
}

/**
 * espah_in_module_exit() - tear the GRO cells down
 *
 * Context: after every namespace's hooks are gone.
 */
void espah_in_module_exit(void)
{
	gro_cells_destroy(&in_gro_cells);
}

/* Hand a decrypted packet to the stack from the start (PRE_ROUTING). */
static void in_reinject(struct sk_buff *skb)
{
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->pkt_type = PACKET_HOST;
	memset(skb->cb, 0, sizeof(skb->cb));
	/* the cells are per CPU; completions may run with BH enabled */
	local_bh_disable();
	gro_cells_receive(&in_gro_cells, skb);
	local_bh_enable();
}

static void in_done(struct sk_buff *skb, struct espah_sa *sa,
		    const struct espah_esp_state *st, int err)
{
	int ret = in_finish(skb, sa, st, err);

	espah_sa_put(sa);
	if (ret == IN_DROP)
		kfree_skb(skb);
	else
		in_reinject(skb);
}

/* The hook's verdict for a packet in_finish()/in_ah_finish() returned on
 * synchronously: re-injected, or dropped.
 */
static unsigned int in_verdict(struct sk_buff *skb, int ret)
{
	if (ret != IN_CONSUMED)
		return NF_DROP;
	in_reinject(skb);
	return NF_STOLEN;
}

static unsigned int in_esp(struct net *net, struct sk_buff *skb, u16 family,
			   unsigned int esp_off, unsigned int nhoff)
{
	struct espah_esp_state st = {
		.net = net,
		.esp_off = esp_off,
		.nhoff = nhoff,
		.family = family,
	};
	const struct ip_esp_hdr *esph;
	union espah_addr daddr;
	const struct espah_crypto *c;
	struct espah_sa *sa;
	unsigned int len;
	int err, ret;
	u32 seq_lo;

	/* At LOCAL_IN skb->data is the network header. */
	if (!pskb_may_pull(skb, esp_off + ESPAH_ESP_HLEN)) {
		espah_stat_inc(net, ESPAH_STAT_IN_MALFORMED);
		return NF_DROP;
	}
	if (family == AF_INET) {
		daddr.a4 = ip_hdr(skb)->daddr;
		st.outer_dsfield = ipv4_get_dsfield(ip_hdr(skb));
	} else {
		daddr.a6 = ipv6_hdr(skb)->daddr;
		st.outer_dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
	}
	esph = (const struct ip_esp_hdr *)(skb->data + esp_off);
	sa = espah_sa_lookup(net, esph->spi, IPPROTO_ESP, family, &daddr);
	if (!sa || sa->dir != ESPAH_DIR_IN) {
		if (sa)
			espah_sa_put(sa);
		espah_stat_inc(net, ESPAH_STAT_IN_NO_SA);
		return NF_ACCEPT;
	}
	c = &sa->crypto;
	seq_lo = ntohl(esph->seq_no);

	/* Payload: a positive multiple of the block size, then the ICV. */
	len = skb->len - esp_off;
	if (len < espah_esp_hlen(sa) + c->icv_len + c->block_size ||
	    (len - espah_esp_hlen(sa) - c->icv_len) % c->block_size) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		goto drop;
	}

	/* RFC 4303 3.4.3: check before spending the crypto. */
	if (!in_replay_check(sa, seq_lo, &st.seq))
		goto drop;

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

	err = espah_esp_decrypt(sa, skb, &st, in_done);
	if (err == -EINPROGRESS)
		return NF_STOLEN;
	ret = in_finish(skb, sa, &st, err);
	espah_sa_put(sa);
	return in_verdict(skb, ret);

drop:
	espah_sa_put(sa);
	return NF_DROP;
}

/* An ICMP message's checksum (the stack verifies it only after LOCAL_IN;
 * a forged "packet too big" must not lower a tunnel's MTU). @off: the
 * ICMP header's offset from skb->data, which is the IP header.
 */
static bool in_icmp_csum_ok(struct sk_buff *skb, u16 family, unsigned int off)
{
	unsigned int len = skb->len - off;
	__wsum csum = skb_checksum(skb, off, len, 0);

	if (family == AF_INET)
		return !csum_fold(csum);
	return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
				len, IPPROTO_ICMPV6, csum);
}

/* ICMP "fragmentation needed" / ICMPv6 "packet too big" about an ESP packet
 * one of our OUT SAs sent (the native esp4_err/esp6_err do this for native
 * SAs): record the path MTU on the route to the peer, which the output
 * path reads for the next packets of the tunnel. The message itself goes
 * on to the stack. skb->data is the network header (LOCAL_IN).
 */
static void in_icmp_pmtu(struct net *net, struct sk_buff *skb, u16 family)
{
	unsigned int off, qlen, ihl;
	union espah_addr daddr = {};
	const struct ip_esp_hdr *esph;
	struct ip_esp_hdr _esph;
	struct espah_sa *sa;
	bool ours;
	u32 mtu;

	if (family == AF_INET) {
		const struct icmphdr *ih;
		const struct iphdr *q;

		off = ip_hdrlen(skb);
		qlen = off + sizeof(*ih) + sizeof(*q);
		if (ip_hdr(skb)->protocol != IPPROTO_ICMP ||
		    !pskb_may_pull(skb, qlen))
			return;
		ih = (const struct icmphdr *)(skb->data + off);
		q = (const struct iphdr *)(ih + 1);
		if (ih->type != ICMP_DEST_UNREACH ||
		    ih->code != ICMP_FRAG_NEEDED ||
		    q->protocol != IPPROTO_ESP || q->ihl < 5)
			return;
		mtu = ntohs(ih->un.frag.mtu);
		ihl = q->ihl * 4;
		daddr.a4 = q->daddr;
	} else {
		const struct icmp6hdr *ih;
		const struct ipv6hdr *q;

		off = sizeof(struct ipv6hdr);
		qlen = off + sizeof(*ih) + sizeof(*q);
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6 ||
		    !pskb_may_pull(skb, qlen))
			return;
		ih = (const struct icmp6hdr *)(skb->data + off);
		q = (const struct ipv6hdr *)(ih + 1);
		if (ih->icmp6_type != ICMPV6_PKT_TOOBIG ||
		    q->nexthdr != IPPROTO_ESP)
			return;
		mtu = ntohl(ih->icmp6_mtu);
		ihl = sizeof(*q);
		daddr.a6 = q->daddr;
	}
	off += 8;	/* the quoted packet */
	esph = skb_header_pointer(skb, off + ihl, sizeof(_esph), &_esph);
	if (!esph)
		return;
	sa = espah_sa_get(net, esph->spi, IPPROTO_ESP, family, &daddr);
	if (!sa)
		return;
	ours = sa->dir == ESPAH_DIR_OUT && sa->mode == ESPAH_MODE_TUNNEL;
	espah_sa_put(sa);
	if (!ours || !in_icmp_csum_ok(skb, family, off - 8))
		return;
	/* Both take the quoted header at skb->data, as error handlers do. */
	__skb_pull(skb, off);
	if (family == AF_INET)
		ipv4_update_pmtu(skb, net, mtu, 0, IPPROTO_ESP);
	else
		ip6_update_pmtu(skb, net, htonl(mtu), 0, skb->mark,
				sock_net_uid(net, NULL));
	__skb_push(skb, off);
}

/* After the AH ICV verified: replay advance, AH removal, decapsulation.
 * Returns an IN_* verdict; the packet is still the caller's.
 */
static int in_ah_finish(struct sk_buff *skb, struct espah_sa *sa,
			const struct espah_esp_state *st, int err)
{
	const struct ip_auth_hdr *ah;
	unsigned int ahlen;
	u8 nexthdr;
	int ret;

	if (err) {
		espah_sa_stat_inc(sa, err == -EBADMSG ? ESPAH_SA_STAT_ICV_FAIL :
				  err == -EINVAL ? ESPAH_SA_STAT_MALFORMED :
						   ESPAH_SA_STAT_NOMEM);
		return IN_DROP;
	}
	if (!in_replay_advance(sa, st->seq))
		return IN_DROP;
	ah = (const struct ip_auth_hdr *)(skb->data + st->esp_off);
	ahlen = (ah->hdrlen + 2) * 4;
	nexthdr = ah->nexthdr;
	/* lifetime: exact to the packet; counts its own drop */
	if (!espah_sa_lft_use(st->net, sa, skb->len - st->esp_off - ahlen, 0))
		return IN_DROP;
	espah_sa_stat_inc(sa, ESPAH_SA_STAT_PACKETS);
	espah_sa_stat_add(sa, ESPAH_SA_STAT_BYTES,
			  skb->len - st->esp_off - ahlen);
	espah_stat_inc(st->net, ESPAH_STAT_IN_PACKETS);

	/* a CHECKSUM_COMPLETE value covered the AH header too */
	skb->ip_summed = CHECKSUM_NONE;
	/* a bundle's inner ESP/AH goes through this hook again */
	if (sa->mode == ESPAH_MODE_TUNNEL)
		ret = in_tunnel(sa, skb, st, nexthdr, ahlen);
	else
		ret = in_transport(sa, skb, st, nexthdr, ahlen);
	if (ret == IN_DROP)
		return ret;

	skb_mac_header_rebuild(skb);
	if (skb->mac_len == ETH_HLEN && skb_mac_header_was_set(skb))
		eth_hdr(skb)->h_proto = skb->protocol;
	if (espah_secpath_add(skb, sa->mark)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		return IN_DROP;
	}
	return ret;
}

static void in_ah_done(struct sk_buff *skb, struct espah_sa *sa,
		       const struct espah_esp_state *st, int err)
{
	int ret = in_ah_finish(skb, sa, st, err);

	espah_sa_put(sa);
	if (ret == IN_DROP)
		kfree_skb(skb);
	else
		in_reinject(skb);
}

/* The SA an inbound ESP/AH header names, or NULL (counted). */
static struct espah_sa *in_sa(struct net *net, struct sk_buff *skb,
			      u16 family, __be32 spi, u8 proto)
{
	union espah_addr daddr;
	struct espah_sa *sa;

	if (family == AF_INET)
		daddr.a4 = ip_hdr(skb)->daddr;
	else
		daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = espah_sa_lookup(net, spi, proto, family, &daddr);
	if (!sa || sa->dir != ESPAH_DIR_IN) {
		if (sa)
			espah_sa_put(sa);
		espah_stat_inc(net, ESPAH_STAT_IN_NO_SA);
		return NULL;
	}
	return sa;
}

static unsigned int in_ah(struct net *net, struct sk_buff *skb, u16 family,
			  unsigned int ah_off, unsigned int nhoff)
{
	struct espah_esp_state st = {
		.net = net,
		.esp_off = ah_off,
		.nhoff = nhoff,
		.family = family,
	};
	const struct ip_auth_hdr *ah;
	struct espah_sa *sa;
	unsigned int ahlen;
	int err, ret;

	if (!pskb_may_pull(skb, ah_off + ESPAH_AH_HLEN)) {
		espah_stat_inc(net, ESPAH_STAT_IN_MALFORMED);
		return NF_DROP;
	}
	ah = (const struct ip_auth_hdr *)(skb->data + ah_off);
	sa = in_sa(net, skb, family, ah->spi, IPPROTO_AH);
	if (!sa)
		return NF_ACCEPT;
	st.outer_dsfield = family == AF_INET ? ipv4_get_dsfield(ip_hdr(skb)) :
					       ipv6_get_dsfield(ipv6_hdr(skb));
	ahlen = (ah->hdrlen + 2) * 4;
	if (!espah_ah_hlen_ok(sa, family, ahlen) ||
	    skb->len < ah_off + ahlen) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_MALFORMED);
		goto drop;
	}

	if (!in_replay_check(sa, ntohl(ah->seq_no), &st.seq))
		goto drop;

	/* linear and private: the AH header is removed in place */
	if (skb_ensure_writable(skb, skb->len)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		goto drop;
	}
	if (!skb_dst_force(skb)) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		goto drop;
	}
	espah_ct_confirm(skb);

	err = espah_ah_input(sa, skb, &st, in_ah_done);
	if (err == -EINPROGRESS)
		return NF_STOLEN;
	ret = in_ah_finish(skb, sa, &st, err);
	espah_sa_put(sa);
	return in_verdict(skb, ret);

drop:
	espah_sa_put(sa);
	return NF_DROP;
}

/* RFC 4302 3.4.1: AH is never applied to a fragment; drop one for an SA
 * of ours (first fragment, SPI readable). Others go to the native stack.
 */
static unsigned int in_ah_frag(struct net *net, struct sk_buff *skb,
			       u16 family, unsigned int ah_off)
{
	const struct ip_auth_hdr *ah;
	struct ip_auth_hdr _ah;
	struct espah_sa *sa;

	if (!ah_off)
		return NF_ACCEPT;
	ah = skb_header_pointer(skb, skb_network_offset(skb) + ah_off,
				sizeof(_ah), &_ah);
	if (!ah)
		return NF_ACCEPT;
	sa = in_sa(net, skb, family, ah->spi, IPPROTO_AH);
	if (!sa)
		return NF_ACCEPT;
	espah_sa_put(sa);
	espah_stat_inc(net, ESPAH_STAT_IN_AH_FRAG);
	return NF_DROP;
}

/**
 * espah_in_hook() - NF_INET_LOCAL_IN: decrypt ESP, police cleartext
 * @priv: unused
 * @skb: the packet, network header at skb->data
 * @state: hook state
 *
 * Return: NF_ACCEPT, NF_DROP, or NF_STOLEN (re-injected or asynchronous).
 */
unsigned int espah_in_hook(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	u16 family = state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	unsigned int esp_off, nhoff;

	switch (in_find_esp(skb, family, &esp_off, &nhoff)) {
	case IPPROTO_ESP:
		return in_esp(state->net, skb, family, esp_off, nhoff);
	case IPPROTO_AH:
		return in_ah(state->net, skb, family, esp_off, nhoff);
	case IN_AH_FRAG:
		return in_ah_frag(state->net, skb, family, esp_off);
	}
	in_icmp_pmtu(state->net, skb, family);
	return in_policy(state->net, skb, family, ESPAH_DIR_IN);
}

/**
 * espah_fwd_hook() - NF_INET_FORWARD: police forwarded cleartext
 * @priv: unused
 * @skb: the packet
 * @state: hook state
 *
 * Return: NF_ACCEPT or NF_DROP.
 */
unsigned int espah_fwd_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	u16 family = state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	return in_policy(state->net, skb, family, ESPAH_DIR_FWD);
}
