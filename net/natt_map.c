// SPDX-License-Identifier: GPL-2.0
/*
 * NAT mapping changes (RFC 3948, RFC 7296 2.23): an ESP-in-UDP packet of
 * an inbound SA that comes from another outer source address or UDP
 * source port than the SA records means a NAT between the peers picked a
 * new mapping (a rebinding after its state timed out, a reboot, a
 * conntrack flush) or the peer moved.
 *
 * Only a packet that is authentic (its ICV verified) and new (the replay
 * window accepted it) counts: the UDP header is not covered by the ICV,
 * so anyone can send a copy of a seen packet from any port, and that
 * copy is a replay. What the SA records is its source address and
 * encap.sport, as native XFRM compares them.
 *
 * What happens then:
 *  - the SA counts it (ESPAH_SA_STAT_NATT_MAPPING);
 *  - an ESPAH_CMD_SA_MAPPING event goes to the "sa" group and, for an SA
 *    carried from native XFRM, km_new_mapping() tells the native key
 *    managers (the IKE daemon's MAPPING handling); both at most once a
 *    second per SA, so that a peer sending from a port that keeps
 *    changing, or an attacker on the path re-sending each packet it sees
 *    from another port first, cannot flood the listeners;
 *  - with ESPAH_SA_FLAG_NATT_UPDATE, and only for the packet that moved
 *    the replay window forward (never an older one, which could move the
 *    mapping back), the SA takes the new port and the outbound SAs to the
 *    same peer, port and reqid send to it. An address change is reported
 *    only: the policies (tunnel endpoints, the outbound SA lookup) name
 *    the address, and moving all of them is the daemon's work (MOBIKE).
 */
#include <linux/ipv6.h>
#include <linux/jiffies.h>

#include <espah/esp.h>
#include <espah/natt.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/xfrm.h>

static bool natt_same_addr(const struct espah_sa *sa,
			   const struct espah_natt_src *s)
{
	if (sa->family == AF_INET)
		return sa->src.a4 == s->addr.a4;
	return ipv6_addr_equal(&sa->src.a6, &s->addr.a6);
}

/**
 * espah_natt_mapping_check() - did an accepted packet come from elsewhere?
 * @sa: the inbound SA
 * @st: the packet's state (@st->natt set)
 * @top: the packet moved the replay window's top (it is the newest yet)
 * @old_port: out, the UDP source port @sa recorded
 * @updated: out, @sa took the packet's port (ESPAH_SA_FLAG_NATT_UPDATE)
 *
 * Context: @sa's lock, right after the replay window accepted the packet,
 * so that the newest packet is the one whose port stays.
 * Return: true if the packet came from another address or port.
 */
bool espah_natt_mapping_check(struct espah_sa *sa,
			      const struct espah_esp_state *st, bool top,
			      __be16 *old_port, bool *updated)
{
	const struct espah_natt_src *s = &st->natt_src;
	bool same_addr = natt_same_addr(sa, s);

	lockdep_assert_held(&sa->lock);
	*old_port = sa->encap.sport;
	*updated = false;
	if (same_addr && s->port == *old_port)
		return false;
	if (same_addr && top && sa->replay && !sa->dead &&
	    (sa->flags & ESPAH_SA_FLAG_NATT_UPDATE)) {
		WRITE_ONCE(sa->encap.sport, s->port);
		*updated = true;
	}
	return true;
}

/* What the outbound SAs of a moved inbound SA must match. */
struct natt_move {
	const struct espah_sa *in;
	__be16 old_port;
	__be16 new_port;
};

static void natt_move_out(struct espah_sa *out, void *arg)
{
	const struct natt_move *m = arg;

	if (out->proto != IPPROTO_ESP ||
	    out->encap.type != m->in->encap.type ||
	    out->reqid != m->in->reqid ||
	    out->encap.sport != m->in->encap.dport)
		return;
	spin_lock_bh(&out->lock);
	if (!out->dead && out->encap.dport == m->old_port) {
		WRITE_ONCE(out->encap.dport, m->new_port);
		/* The cached outer route was looked up with the old port,
		 * which policy routing may match (ip rule dport): look it
		 * up again (only tunnel SAs cache one).
		 */
		if (out->dst_cache.cache)
			dst_cache_reset(&out->dst_cache);
	}
	spin_unlock_bh(&out->lock);
}

/**
 * espah_natt_mapping() - report (and follow) a mapping change
 * @net: the namespace
 * @sa: the inbound SA (referenced by the caller)
 * @st: the packet's state
 * @old_port: what espah_natt_mapping_check() said @sa recorded
 * @updated: whether espah_natt_mapping_check() moved @sa
 *
 * The outbound SAs from @sa's destination to its source move with it: a
 * packet sent meanwhile may still leave for the old port, which the NAT
 * drops as it dropped the ones before.
 *
 * Context: datapath (softirq, or an asynchronous crypto completion).
 */
void espah_natt_mapping(struct net *net, struct espah_sa *sa,
			const struct espah_esp_state *st, __be16 old_port,
			bool updated)
{
	unsigned long last = READ_ONCE(sa->natt_event), now = jiffies;

	espah_sa_stat_inc(sa, ESPAH_SA_STAT_NATT_MAPPING);
	if (updated) {
		struct natt_move m = {
			.in = sa,
			.old_port = old_port,
			.new_port = st->natt_src.port,
		};

		espah_sa_out_apply(net, sa->family, &sa->dst, &sa->src,
				   natt_move_out, &m);
		espah_stat_inc(net, ESPAH_STAT_NATT_MAPPING_UPDATED);
	}
	/* one event a second per SA; 0 = none yet */
	if ((last && time_before(now, last + HZ)) ||
	    cmpxchg(&sa->natt_event, last, now ? now : 1) != last) {
		espah_stat_inc(net, ESPAH_STAT_NATT_MAPPING_SUPPRESSED);
		return;
	}
	espah_stat_inc(net, ESPAH_STAT_NATT_MAPPING);
	espah_nl_sa_mapping(net, sa, &st->natt_src, old_port, updated);
	if (sa->xs)
		espah_xfrm_mapping(sa->xs, sa->family, &st->natt_src);
}
