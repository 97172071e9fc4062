// SPDX-License-Identifier: GPL-2.0
/*
 * What both packet paths ask of a packet before any SA is involved: its
 * flow (the selector fields), whether the policies apply to it at all
 * (ESP/AH and IPv6 neighbour discovery never; a socket with an xfrm
 * bypass policy, an IKE daemon's, neither), and its conntrack entry
 * confirmed before espah steals it.
 *
 * Nothing is exempt by its port: a protect policy covers UDP 500 and 4500
 * of every other socket too; operators write "action bypass" policies for
 * what else must pass in clear.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/udp.h>
#include <net/xfrm.h>

#include <espah/flow.h>
#include <espah/kunit.h>
#include <espah/spd.h>

/* ipv6_skip_exthdr(), except that it stops at AH: ipv6_skip_exthdr()
 * skips AH as an extension header, and a transport-mode AH packet would
 * then show the flow of its payload (and be protected again, and again).
 */
static int flow_ip6_skip(const struct sk_buff *skb, int off, u8 *nexthdr,
			 __be16 *frag_off)
{
	u8 nh = *nexthdr;

	*frag_off = 0;
	while (ipv6_ext_hdr(nh) && nh != NEXTHDR_AUTH) {
		const struct ipv6_opt_hdr *hp;
		struct ipv6_opt_hdr _hdr;

		if (nh == NEXTHDR_NONE)
			return -1;
		hp = skb_header_pointer(skb, off, sizeof(_hdr), &_hdr);
		if (!hp)
			return -1;
		if (nh == NEXTHDR_FRAGMENT) {
			const __be16 *fp;
			__be16 _frag;

			fp = skb_header_pointer(skb, off +
						offsetof(struct frag_hdr,
							 frag_off),
						sizeof(_frag), &_frag);
			if (!fp)
				return -1;
			*frag_off = *fp;
			/* a later fragment: its headers are not here */
			if (ntohs(*fp) & ~0x7)
				break;
			off += sizeof(struct frag_hdr);
		} else {
			off += ipv6_optlen(hp);
		}
		nh = hp->nexthdr;
	}
	*nexthdr = nh;
	return off;
}

/* The flow of the IP header at @off; *l4 = its upper-layer header's offset
 * (0 in a later fragment).
 */
static int flow_at(const struct sk_buff *skb, unsigned int off, u16 family,
		   struct espah_flow *fl, unsigned int *l4)
{
	bool ports = true;
	__be16 _p[2];
	const __be16 *p;

	memset(fl, 0, sizeof(*fl));
	fl->family = family;
	fl->mark = skb->mark;
	if (family == AF_INET) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return -EINVAL;
		fl->src.a4 = iph->saddr;
		fl->dst.a4 = iph->daddr;
		fl->proto = iph->protocol;
		ports = !(iph->frag_off & htons(IP_OFFSET));
		off += iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		__be16 frag_off = 0;
		u8 nexthdr;
		int hoff;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return -EINVAL;
		fl->src.a6 = ip6h->saddr;
		fl->dst.a6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		hoff = flow_ip6_skip(skb, off + sizeof(_ip6h), &nexthdr,
				     &frag_off);
		if (hoff < 0)
			return -EINVAL;
		fl->proto = nexthdr;
		ports = !(frag_off & htons(IP6_OFFSET));
		off = hoff;
	}
	*l4 = 0;
	if (!ports)
		return 0;
	*l4 = off;
	switch (fl->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		p = skb_header_pointer(skb, off, sizeof(_p), _p);
		if (!p)
			return -EINVAL;
		fl->sport = p[0];
		fl->dport = p[1];
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		p = skb_header_pointer(skb, off, 2, _p);
		if (!p)
			return -EINVAL;
		fl->sport = htons(((const u8 *)p)[0]);
		fl->dport = htons(((const u8 *)p)[1]);
		break;
	}
	return 0;
}

/**
 * espah_skb_flow() - the selector fields of a packet
 * @skb: packet with its network header set
 * @family: AF_INET or AF_INET6
 * @fl: out: the flow
 *
 * Ports (ICMP type/code) are read only from a first or unfragmented
 * packet; otherwise they stay 0.
 *
 * Return: 0, or -EINVAL if the IP header, or the ports (type and code) of
 * a first or unfragmented packet, are unreadable: such a packet matches
 * no selector reliably and fails closed where policies exist (inbound,
 * also when an espah tunnel-mode SA decapsulated it: net/input.c).
 */
int espah_skb_flow(const struct sk_buff *skb, u16 family,
		   struct espah_flow *fl)
{
	unsigned int l4;

	return flow_at(skb, skb_network_offset(skb), family, fl, &l4);
}

/* ICMP and ICMPv6 messages that quote the packet they are about */
static bool icmp_is_error(u16 family, u8 type)
{
	if (family == AF_INET6)
		return type < 128;	/* RFC 4443 2.1 */
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	}
	return false;
}

/**
 * espah_skb_icmp_flow() - the reply flow of the packet an ICMP error quotes
 * @skb: packet with its network header set
 * @family: AF_INET or AF_INET6
 * @fl: out: the quoted packet's flow, addresses and ports swapped (the
 *	direction an answer to it travels; ICMP type and code as they are)
 *
 * What ip xfrm's flag icmp judges an error by: an error about a packet of
 * a protected flow belongs to that flow's reverse direction. Only errors
 * (not echo and the like, whose payload quotes nothing) are looked at.
 *
 * Return: 0, or -EINVAL if @skb is not an ICMP error of @family quoting a
 * readable header of its own family.
 */
int espah_skb_icmp_flow(const struct sk_buff *skb, u16 family,
			struct espah_flow *fl)
{
	struct espah_flow q;
	unsigned int l4;
	u8 _t;
	const u8 *t;

	if (flow_at(skb, skb_network_offset(skb), family, &q, &l4) || !l4 ||
	    q.proto != (family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return -EINVAL;
	t = skb_header_pointer(skb, l4, 1, &_t);
	if (!t || !icmp_is_error(family, *t))
		return -EINVAL;
	/* the quoted header follows the 8-byte ICMP header (either family) */
	if (flow_at(skb, l4 + 8, family, &q, &l4))
		return -EINVAL;
	memset(fl, 0, sizeof(*fl));
	fl->family = family;
	fl->src = q.dst;
	fl->dst = q.src;
	fl->proto = q.proto;
	if (q.proto == IPPROTO_ICMP || q.proto == IPPROTO_ICMPV6) {
		fl->sport = q.sport;
		fl->dport = q.dport;
	} else {
		fl->sport = q.dport;
		fl->dport = q.sport;
	}
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_skb_icmp_flow);

/**
 * espah_flow_bypass() - traffic the policies never apply to
 * @fl: the flow
 *
 * ESP and AH (transformed already, or the native stack's) and IPv6
 * neighbour discovery (without it no IPv6 packet leaves at all under a
 * ::/0 policy); inbound, not what a tunnel-mode SA decapsulated (see
 * net/input.c). IKE is not exempt by its ports: see espah_sk_bypass_out().
 *
 * Return: true to let the packet pass untouched.
 */
bool espah_flow_bypass(const struct espah_flow *fl)
{
	switch (fl->proto) {
	case IPPROTO_ESP:
	case IPPROTO_AH:
		return true;
	case IPPROTO_ICMPV6:
		switch (ntohs(fl->sport)) {
		case NDISC_ROUTER_SOLICITATION:
		case NDISC_ROUTER_ADVERTISEMENT:
		case NDISC_NEIGHBOUR_SOLICITATION:
		case NDISC_NEIGHBOUR_ADVERTISEMENT:
		case NDISC_REDIRECT:
			return true;
		}
		return false;
	}
	return false;
}

/* An xfrm bypass policy on the socket: action allow, no templates (what
 * charon and pluto set with IP_XFRM_POLICY / IPV6_XFRM_POLICY on their
 * IKE sockets). A socket policy with templates is native XFRM's to apply;
 * espah goes by its SPD for those.
 */
static bool sk_policy_bypass(const struct sock *sk, int dir)
{
	const struct xfrm_policy *pol;

	if (!sk || !sk_fullsock(sk))
		return false;
	pol = rcu_dereference(sk->sk_policy[dir]);
	return pol && pol->action == XFRM_POLICY_ALLOW && !pol->xfrm_nr;
}

/**
 * espah_sk_bypass_out() - is a local packet's socket exempt from the SPD?
 * @skb: an outbound packet
 *
 * Context: under rcu_read_lock() (a netfilter hook).
 * Return: true if its socket has an xfrm bypass policy for output.
 */
bool espah_sk_bypass_out(const struct sk_buff *skb)
{
	return skb->sk && sk_policy_bypass(sk_to_full_sk(skb->sk),
					   XFRM_POLICY_OUT);
}

/**
 * espah_sk_bypass_in() - is inbound cleartext UDP for an exempt socket?
 * @net: namespace
 * @skb: the packet, at LOCAL_IN (before the socket lookup of UDP input)
 * @fl: its flow
 *
 * Looks up the UDP socket the packet will be delivered to, as native
 * XFRM's policy check does from udp_queue_rcv_skb().
 *
 * Context: under rcu_read_lock() (a netfilter hook).
 * Return: true if that socket has an xfrm bypass policy for input.
 */
bool espah_sk_bypass_in(struct net *net, const struct sk_buff *skb,
			const struct espah_flow *fl)
{
	int dif = skb->dev ? skb->dev->ifindex : 0;
	struct sock *sk;
	bool ok;

	if (fl->proto != IPPROTO_UDP)
		return false;
	if (fl->family == AF_INET)
		sk = udp4_lib_lookup(net, fl->src.a4, fl->sport, fl->dst.a4,
				     fl->dport, dif);
	else
		sk = udp6_lib_lookup(net, &fl->src.a6, fl->sport, &fl->dst.a6,
				     fl->dport, dif);
	if (!sk)
		return false;
	ok = sk_policy_bypass(sk, XFRM_POLICY_IN);
	sock_put(sk);
	return ok;
}

/**
 * espah_ct_confirm() - confirm the packet's conntrack entry now
 * @skb: a packet about to be stolen before NF_IP_PRI_CONNTRACK_CONFIRM
 *
 * Stolen packets never reach the confirm hook; an unconfirmed entry would
 * be discarded with the packet and the connection would look new forever.
 * Afterwards the entry is detached: the transformed packet is a different
 * flow.
 */
void espah_ct_confirm(struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	const struct nf_ct_hook *hook;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/* Through the hook conntrack registers, not its symbol: espah must
	 * load on a host where nf_conntrack is not (yet) loaded; a packet
	 * with an entry proves it is.
	 */
	if (ct && !nf_ct_is_template(ct) && !nf_ct_is_confirmed(ct)) {
		rcu_read_lock();
		hook = rcu_dereference(nf_ct_hook);
		if (hook && hook->confirm)
			hook->confirm(skb);
		rcu_read_unlock();
	}
#endif
	nf_reset_ct(skb);
}
