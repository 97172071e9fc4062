// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound hooks: NF_INET_LOCAL_IN (ESP and AH addressed to this host,
 * handed to the pipeline of net/decap.c; ICMP about our own ESP, to
 * net/icmp.c; the inbound policy check of everything else) and
 * NF_INET_FORWARD (the policy check of forwarded packets), IPv4 and IPv6.
 *
 * At LOCAL_IN IPv4 is reassembled already (ip_local_deliver()); IPv6
 * would be reassembled only after the hook, so every namespace enables
 * nf_defrag_ipv6 (reassembly at PRE_ROUTING, as conntrack does; see
 * net/pernet.c). Priority NF_IP_PRI_LAST - 1 at LOCAL_IN: like the native
 * ESP protocol handler, we see the ESP packet after the filter tables.
 *
 * Inbound policy check: a packet with a sec_path is protected, by either
 * stack (packets the native XFRM stack decapsulated count too), provided
 * the transforms it went through satisfy the "protect" policy's
 * templates: the last ntmpl sec_path entries, read from the end, against
 * tmpl[0] (innermost), tmpl[1], ... in that order, as the native policy
 * check matches templates to its sec_path; each entry must be a transform
 * its template allows (protocol, mode, reqid, tunnel endpoints; see
 * net/secpath.c). So an ESP+AH bundle policy refuses a packet that came
 * with ESP only or AH only, and a peer's SA cannot deliver another peer's
 * traffic (ESPAH_STAT_IN_POLICY_DROP). The SA's own selector is verified
 * at decapsulation.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include <espah/decap.h>
#include <espah/esp.h>
#include <espah/flow.h>
#include <espah/icmp.h>
#include <espah/input.h>
#include <espah/natt.h>
#include <espah/pernet.h>
#include <espah/secpath.h>
#include <espah/spd.h>
#include <espah/xfrm.h>
#include <espah/xfrmi.h>

/* Did the transforms the packet went through satisfy the protect policy's
 * templates? The templates, innermost first, against the sec_path from
 * its end (the innermost transform was removed last); each transform must
 * be one its template allows (espah_secpath_tmpl_ok(): reqid, mode, tunnel
 * endpoints), so a peer's valid SA cannot deliver another peer's traffic.
 * An optional template (ip xfrm's level use) is required of no packet: in
 * transport mode it is passed over whatever the packet went through, as
 * native XFRM passes it over; in tunnel mode it takes the next entry when
 * that entry is a transform it allows.
 */
static bool in_tmpl_ok(const struct sec_path *sp,
		       const struct espah_policy *pol)
{
	unsigned int i, n = sp ? sp->len : 0;
	const struct espah_tmpl *t;

	for (i = 0; i < pol->ntmpl; i++) {
		t = &pol->tmpl[i];
		if (t->optional && t->mode == ESPAH_MODE_TRANSPORT)
			continue;
		if (n && espah_secpath_tmpl_ok(sp->xvec[n - 1], t)) {
			n--;
			continue;
		}
		if (!t->optional)
			return false;
	}
	return true;
}

/* in_judge(): the packet may pass */
#define IN_OK	0

/* The inbound SPD's verdict on a flow: IN_OK, or the counter of the drop.
 * A packet with a sec_path passes a protect policy whose templates its
 * transforms satisfy; cleartext UDP that a protect policy covers passes
 * only to a local socket with an xfrm bypass policy (an IKE daemon's, see
 * espah_sk_bypass_in()). What an espah tunnel-mode SA decapsulated passes
 * only such a protect policy: with none, or a bypass one, it is dropped,
 * as native XFRM drops tunnel-decapsulated packets no policy admits
 * (XfrmInNoPols, secpath_has_nontransport()), in a namespace without any
 * policy too: the SA's selector alone (or none) would let a peer deliver
 * inner addresses no policy names. What transport-mode SAs decapsulated,
 * and cleartext, pass where no policy covers them, as in native. A
 * discard policy drops everything it covers.
 */
static int in_judge(struct net *net, const struct sk_buff *skb, u8 dir,
		    const struct espah_flow *fl)
{
	const struct sec_path *sp = skb_sec_path(skb);
	const struct espah_policy *pol;

	/* a namespace without policies (the common case) needs no lookup:
	 * its cleartext passes, as native's __xfrm_check_nopolicy() lets it
	 */
	pol = espah_spd_count(net) ? espah_spd_lookup(net, dir, fl) : NULL;
	if (!pol || pol->action == ESPAH_ACTION_BYPASS)
		return espah_secpath_tunnel(sp) ? ESPAH_STAT_IN_POLICY_DROP :
						  IN_OK;
	if (pol->action == ESPAH_ACTION_PROTECT) {
		if (in_tmpl_ok(sp, pol)) {
			if (pol->xp)
				espah_xfrm_pol_used(pol->xp);
			return IN_OK;
		}
		if (!sp && dir == ESPAH_DIR_IN &&
		    espah_sk_bypass_in(net, skb, fl))
			return IN_OK;
		return ESPAH_STAT_IN_POLICY_DROP;
	}
	return ESPAH_STAT_POLICY_DISCARD;
}

/* ip xfrm's flag icmp on the SA that removed the last transform (espah's
 * or native's: the sec_path entry says): an ICMP error for this host that
 * its own flow does not let pass is judged by the flow it quotes, reversed
 * (the reply direction of the packet it is about), as native icmp_rcv()
 * judges it. Forwarded errors are not (native's forward check neither).
 */
static bool in_icmp_ok(struct net *net, const struct sk_buff *skb,
		       u16 family)
{
	const struct sec_path *sp = skb_sec_path(skb);
	struct espah_flow rfl;

	if (!sp || !sp->len ||
	    !(sp->xvec[sp->len - 1]->props.flags & XFRM_STATE_ICMP) ||
	    espah_skb_icmp_flow(skb, family, &rfl))
		return false;
	/* the error's own mark and interface, as its own flow has them */
	rfl.mark = skb->mark;
	rfl.if_id = espah_xfrmi_if_id(skb->dev);
	return in_judge(net, skb, ESPAH_DIR_IN, &rfl) == IN_OK;
}

/**
 * in_policy() - may this cleartext packet pass the inbound SPD?
 * @net: namespace
 * @skb: packet, network header set
 * @family: AF_INET or AF_INET6
 * @dir: ESPAH_DIR_IN or ESPAH_DIR_FWD
 *
 * A packet whose headers cannot be parsed fails closed while the
 * namespace has policies, or when an espah tunnel-mode SA decapsulated it.
 *
 * Return: NF_ACCEPT or NF_DROP (counted).
 */
static unsigned int in_policy(struct net *net, struct sk_buff *skb, u16 family,
			      u8 dir)
{
	struct espah_flow fl;
	int drop;

	if (espah_skb_flow(skb, family, &fl)) {
		/* no policy could admit what a tunnel-mode SA decapsulated */
		if (!espah_spd_count(net) &&
		    !espah_secpath_tunnel(skb_sec_path(skb)))
			return NF_ACCEPT;
		espah_stat_inc(net, ESPAH_STAT_IN_FLOW_ERROR);
		return NF_DROP;
	}
	/* ESP, AH and neighbour discovery are exempt unless a tunnel
	 * delivered them: native's forward check exempts no protocol, so what
	 * a tunnel decapsulated passes only a policy, whatever it carries
	 */
	if (espah_flow_bypass(&fl) && !espah_secpath_tunnel(skb_sec_path(skb)))
		return NF_ACCEPT;
	/* received on a native xfrm interface: only policies of its if_id */
	fl.if_id = espah_xfrmi_if_id(skb->dev);
	drop = in_judge(net, skb, dir, &fl);
	if (drop == IN_OK ||
	    (dir == ESPAH_DIR_IN && in_icmp_ok(net, skb, family)))
		return NF_ACCEPT;
	espah_stat_inc(net, drop);
	return NF_DROP;
}

/* Find the ESP or AH header (or UDP, which may carry ESP): offset from
 * the network header, and of the byte naming it. Return its protocol,
 * IN_AH_FRAG for a fragment whose fragmentable part starts with AH
 * (*esp_off: the AH header, or 0 when not in this fragment), or 0 if the
 * packet is not for us to look at.
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
		if (iph->protocol == IPPROTO_ESP ||
		    iph->protocol == IPPROTO_AH ||
		    (iph->protocol == IPPROTO_UDP && !ip_is_fragment(iph)))
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
	if (nexthdr == IPPROTO_ESP || nexthdr == IPPROTO_AH ||
	    nexthdr == IPPROTO_UDP)
		return nexthdr;
	return 0;
}

/* The UDP checksum of ESP in UDP, judged as the UDP socket native XFRM
 * receives it on judges it (udp_queue_rcv_one_skb() verifies it before
 * the encapsulation handler): over IPv4 0 is none (RFC 768; RFC 3948 2.1
 * lets the sender leave it out, as native and espah do) and any other
 * value is verified; over IPv6 0 is invalid (RFC 8200 8.1) and the value
 * is always verified. A bad one would fail the ICV too: dropping it here
 * counts it for what it is, as native's UDP counts InCsumErrors.
 */
static bool in_udp_csum_bad(struct sk_buff *skb, u16 family,
			    unsigned int off, __sum16 check)
{
	if (!check)
		return family == AF_INET6;
	return nf_checksum(skb, NF_INET_LOCAL_IN, off, IPPROTO_UDP, family) != 0;
}

/* in_udp(): not espah's, on to the policy check and the socket */
#define IN_PASS	(-1)

/**
 * in_udp() - UDP that may be ESP in UDP (RFC 3948, net/natt.c)
 * @net: namespace
 * @skb: the packet, network header at skb->data
 * @family: AF_INET or AF_INET6
 * @off: offset of the UDP header
 * @nhoff: offset of the byte naming UDP
 *
 * Only UDP to a port that an inbound SA with encapsulation uses is looked
 * at (one read for all other UDP). A keepalive is consumed; ESP for an
 * espah SA with encapsulation on this port goes to the ESP pipeline, with
 * or without a socket bound to the port; everything else (IKE, an SPI
 * espah does not own, which may be the native stack's) goes on untouched.
 *
 * Return: NF_STOLEN or NF_DROP when espah took the packet, else IN_PASS.
 */
static int in_udp(struct net *net, struct sk_buff *skb, u16 family,
		  unsigned int off, unsigned int nhoff)
{
	struct espah_natt_src from = {};
	const struct udphdr *uh;
	union espah_addr daddr;
	struct espah_sa *sa;
	unsigned int ulen;
	struct udphdr _uh;
	__sum16 uh_check;
	__be16 port;
	unsigned int mlen = 0;
	const u8 *d;
	u8 _d[16];
	u16 type;

	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh || !espah_sa_natt_port(net, uh->dest))
		return IN_PASS;
	port = uh->dest;
	uh_check = uh->check;
	from.port = uh->source;
	ulen = ntohs(uh->len);
	/* a bad length is UDP's to judge */
	if (ulen < sizeof(_uh) || off + ulen > skb->len)
		return IN_PASS;
	ulen -= sizeof(_uh);
	d = skb_header_pointer(skb, off + sizeof(_uh), min_t(u32, ulen, 16), _d);
	if (!d)
		return IN_PASS;
	switch (espah_natt_classify(d, ulen)) {
	case ESPAH_NATT_KEEPALIVE:
		espah_stat_inc(net, ESPAH_STAT_IN_NATT_KEEPALIVE);
		consume_skb(skb);
		return NF_STOLEN;
	case ESPAH_NATT_SHORT:
		espah_stat_inc(net, ESPAH_STAT_IN_NATT_SHORT);
		return IN_PASS;
	case ESPAH_NATT_IKE:
		/* espinudp-nonike's marker: eight zero bytes, then ESP (an
		 * IKE header's initiator SPI is not 0); anything else with
		 * the non-ESP marker is IKE
		 */
		if (ulen < ESPAH_NATT_NONIKE_MARKER ||
		    get_unaligned((const u32 *)(d + 4)))
			return IN_PASS;
		if (ulen < ESPAH_NATT_NONIKE_MARKER + ESPAH_ESP_HLEN) {
			espah_stat_inc(net, ESPAH_STAT_IN_NATT_SHORT);
			return IN_PASS;
		}
		mlen = ESPAH_NATT_NONIKE_MARKER;
		break;
	case ESPAH_NATT_ESP:
		break;
	}
	if (family == AF_INET) {
		daddr.a4 = ip_hdr(skb)->daddr;
		from.addr.a4 = ip_hdr(skb)->saddr;
	} else {
		daddr.a6 = ipv6_hdr(skb)->daddr;
		from.addr.a6 = ipv6_hdr(skb)->saddr;
	}
	sa = espah_sa_lookup(net, get_unaligned((const __be32 *)(d + mlen)),
			     IPPROTO_ESP, family, &daddr, skb->mark);
	if (!sa)
		return IN_PASS;
	type = mlen ? UDP_ENCAP_ESPINUDP_NON_IKE : UDP_ENCAP_ESPINUDP;
	if (sa->dir != ESPAH_DIR_IN || !sa->encap.type ||
	    sa->encap.dport != port) {
		espah_sa_put(sa);
		return IN_PASS;
	}
	if (sa->encap.type != type) {
		/* an espinudp-nonike SA's ESP without its marker: dropped, as
		 * bare ESP for an SA with encapsulation is (net/decap.c); a
		 * marked datagram for an espinudp SA may be IKE: passed on
		 */
		if (mlen) {
			espah_sa_put(sa);
			return IN_PASS;
		}
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_ENCAP_MISMATCH);
		espah_sa_put(sa);
		return NF_DROP;
	}
	if (in_udp_csum_bad(skb, family, off, uh_check)) {
		espah_stat_inc(net, ESPAH_STAT_IN_NATT_CSUM);
		espah_sa_put(sa);
		return NF_DROP;
	}
	if (espah_natt_strip(skb, family, off, nhoff,
			     sizeof(struct udphdr) + mlen) ||
	    !pskb_may_pull(skb, off + sizeof(struct ip_esp_hdr))) {
		espah_sa_stat_inc(sa, ESPAH_SA_STAT_NOMEM);
		espah_sa_put(sa);
		return NF_DROP;
	}
	return espah_decap_sa(net, skb, family, sa, off, nhoff, &from);
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
	int proto = in_find_esp(skb, family, &esp_off, &nhoff), ret;

	switch (proto) {
	case IPPROTO_UDP:
		ret = in_udp(state->net, skb, family, esp_off, nhoff);
		if (ret != IN_PASS)
			return ret;
		break;
	case IPPROTO_ESP:
	case IPPROTO_AH:
		return espah_decap(state->net, skb, family, proto, esp_off,
				   nhoff);
	case IN_AH_FRAG:
		return espah_decap_frag(state->net, skb, family, esp_off);
	}
	espah_icmp_pmtu(state->net, skb, family);
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
