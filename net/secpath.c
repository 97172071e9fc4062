// SPDX-License-Identifier: GPL-2.0
/*
 * espah: the sec_path entries of the packets espah decapsulates.
 *
 * Every packet espah decapsulates carries, per transform removed, one
 * xfrm_state in its sec_path (secpath_set()): nftables' "meta ipsec
 * exists", iptables' "-m policy --pol ipsec" and espah's own inbound policy
 * check (net/input.c) read it. That state stands for the inbound SA's
 * binding: protocol, mode, reqid, family and the SA's two addresses, so
 * that the policy check can verify that the SA which decapsulated a packet
 * is one the policy's template allows (its reqid when the template sets
 * one, its mode, its tunnel endpoints), as native xfrm_state_ok() does,
 * and "-m policy --reqid N --tunnel-src A" matches what it says.
 *
 * The state also says whether the SA has flag icmp (XFRM_STATE_ICMP), which
 * the inbound checks of ICMP errors read from the packet's last entry.
 *
 * SAs with the same binding share one state (a gateway with thousands of
 * SAs to a few peers holds a few; transport SAs are bound by protocol and
 * reqid alone, as templates bind them): the table here is module-wide,
 * keyed by the namespace's cookie and the binding, and counts the SAs
 * using each entry. The state itself lives on while packets carry it (its own
 * refcount); it is never in the native SAD.
 *
 * The state's props.mode is always transport: native XFRM's inbound check
 * drops packets with a tunnel-mode entry that no native policy accepts
 * (secpath_has_nontransport()), and such packets are espah's to police.
 * The real mode is in outer_mode.encap, where native SAs keep theirs too,
 * so espah_secpath_tmpl_ok() reads both kinds of entries the same way.
 */
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include <espah/kunit.h>
#include <espah/sa.h>
#include <espah/secpath.h>
#include <espah/spd.h>

struct mark_key {
	u64 cookie;
	union espah_addr src;
	union espah_addr dst;
	u32 reqid;
	u16 family;
	u8 proto;
	u8 mode;
	u8 icmp;
};

/**
 * struct espah_mark - one binding's sec_path state
 * @node: in marks[]
 * @key: what the state stands for
 * @users: SAs holding this entry (under marks_lock)
 * @x: the state put in sec_paths; one reference is the table's
 */
struct espah_mark {
	struct hlist_node node;
	struct mark_key key;
	unsigned int users;
	struct xfrm_state *x;
};

static DEFINE_MUTEX(marks_lock); /* protects marks, users */
static DEFINE_HASHTABLE(marks, 8);

static void mark_key_of(struct net *net, const struct espah_sa *sa,
			struct mark_key *k)
{
	memset(k, 0, sizeof(*k));
	k->cookie = net->net_cookie;
	/* Addresses only for tunnel mode, the only mode whose endpoints a
	 * template names (native xfrm_state_ok() compares them for tunnel
	 * SAs alone): all transport SAs of one reqid share one entry.
	 */
	if (sa->mode == ESPAH_MODE_TUNNEL) {
		k->src = sa->src;
		k->dst = sa->dst;
	}
	k->reqid = sa->reqid;
	k->family = sa->family;
	k->proto = sa->proto;
	k->mode = sa->mode;
	/* read from the entry by the inbound check of ICMP errors, espah's
	 * (net/input.c) and native's (icmp_rcv())
	 */
	k->icmp = !!(sa->flags & ESPAH_SA_FLAG_ICMP);
}

static struct xfrm_state *mark_state(struct net *net,
				     const struct mark_key *k)
{
	struct xfrm_state *x = xfrm_state_alloc(net);

	if (!x)
		return NULL;
	x->id.proto = k->proto;
	x->props.mode = XFRM_MODE_TRANSPORT;
	x->outer_mode.encap = k->mode == ESPAH_MODE_TUNNEL ?
			      XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	x->outer_mode.family = k->family;
	x->props.family = k->family;
	x->props.reqid = k->reqid;
	memcpy(&x->props.saddr, &k->src, sizeof(k->src));
	memcpy(&x->id.daddr, &k->dst, sizeof(k->dst));
	if (k->icmp)
		x->props.flags |= XFRM_STATE_ICMP;
	x->km.state = XFRM_STATE_VALID;
	return x;
}

/**
 * espah_mark_get() - the sec_path state for an inbound SA's packets
 * @net: the SA's namespace
 * @sa: the SA (identity fields set)
 *
 * Context: process.
 * Return: an entry to pass to espah_secpath_add(), with one user taken
 * (espah_mark_put()), or NULL if memory is short.
 */
struct espah_mark *espah_mark_get(struct net *net, const struct espah_sa *sa)
{
	struct espah_mark *m;
	struct mark_key k;
	u32 h;

	mark_key_of(net, sa, &k);
	h = jhash(&k, sizeof(k), 0);
	mutex_lock(&marks_lock);
	hash_for_each_possible(marks, m, node, h) {
		if (!memcmp(&m->key, &k, sizeof(k))) {
			m->users++;
			goto out;
		}
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		goto out;
	m->x = mark_state(net, &k);
	if (!m->x) {
		kfree(m);
		m = NULL;
		goto out;
	}
	m->key = k;
	m->users = 1;
	hash_add(marks, &m->node, h);
out:
	mutex_unlock(&marks_lock);
	return m;
}

/**
 * espah_mark_put() - an SA no longer uses its entry
 * @m: from espah_mark_get(), or NULL
 *
 * Packets still carrying the state keep it alive; the last frees it.
 *
 * Context: process.
 */
void espah_mark_put(struct espah_mark *m)
{
	if (!m)
		return;
	mutex_lock(&marks_lock);
	if (--m->users) {
		mutex_unlock(&marks_lock);
		return;
	}
	hash_del(&m->node);
	mutex_unlock(&marks_lock);
	m->x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(m->x);
	kfree(m);
}

/**
 * espah_secpath_add() - record that an SA's transform was removed
 * @skb: the decapsulated packet
 * @m: the SA's entry
 *
 * Context: any.
 * Return: 0, or -ENOMEM (no extension, or XFRM_MAX_DEPTH transforms).
 */
int espah_secpath_add(struct sk_buff *skb, const struct espah_mark *m)
{
	struct sec_path *sp;

	if (!m)
		return -ENOMEM;
	sp = secpath_set(skb);
	if (!sp || sp->len >= XFRM_MAX_DEPTH)
		return -ENOMEM;
	xfrm_state_hold(m->x);
	sp->xvec[sp->len++] = m->x;
	return 0;
}

/**
 * espah_secpath_tunnel() - did espah remove a tunnel with this packet?
 * @sp: the packet's sec_path, or NULL
 *
 * espah's entries for tunnel-mode SAs (props.mode transport, outer_mode
 * tunnel: see the top of this file). Native SAs' entries are native's to
 * police: its own inbound check runs on them.
 *
 * Return: true if one of @sp's entries is such an entry.
 */
bool espah_secpath_tunnel(const struct sec_path *sp)
{
	int i;

	for (i = 0; sp && i < sp->len; i++)
		if (sp->xvec[i]->props.mode == XFRM_MODE_TRANSPORT &&
		    sp->xvec[i]->outer_mode.encap == XFRM_MODE_TUNNEL)
			return true;
	return false;
}

ESPAH_EXPORT_FOR_KUNIT(espah_secpath_tunnel);

static bool addr_set(u16 family, const union espah_addr *a)
{
	return family == AF_INET ? a->a4 != 0 : !ipv6_addr_any(&a->a6);
}

/**
 * espah_secpath_tmpl_ok() - did this transform satisfy a policy template?
 * @x: a sec_path entry (espah's, or a native SA's)
 * @t: the template
 *
 * As native xfrm_state_ok(): the protocol; the reqid if the template has
 * one; the mode; in tunnel mode the endpoints the template names. The SPI
 * of a template chooses an outbound SA and is not compared here.
 *
 * Return: true if @x is a transform @t allows.
 */
bool espah_secpath_tmpl_ok(const struct xfrm_state *x,
			   const struct espah_tmpl *t)
{
	u8 mode = t->mode == ESPAH_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
						 XFRM_MODE_TRANSPORT;

	if (x->id.proto != t->proto || x->outer_mode.encap != mode)
		return false;
	if (t->reqid && x->props.reqid != t->reqid)
		return false;
	if (t->mode != ESPAH_MODE_TUNNEL)
		return true;
	if (x->props.family != t->family)
		return false;
	if (addr_set(t->family, &t->src) &&
	    memcmp(&x->props.saddr, &t->src,
		   t->family == AF_INET ? 4 : 16))
		return false;
	if (addr_set(t->family, &t->dst) &&
	    memcmp(&x->id.daddr, &t->dst, t->family == AF_INET ? 4 : 16))
		return false;
	return true;
}

/**
 * espah_secpath_module_exit() - every SA is gone: so are the entries
 */
void espah_secpath_module_exit(void)
{
	WARN_ON(!hash_empty(marks));
}
