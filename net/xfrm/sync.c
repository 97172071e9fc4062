// SPDX-License-Identifier: GPL-2.0
/*
 * espah xfrm bridge: what flows back to native XFRM, so that ip xfrm and
 * the IKE daemons read true values from the native objects they own.
 *
 * - Sequence numbers: every outbound number is written to the native SA as
 *   it is taken (espah_xfrm_oseq(), under the espah SA's lock), so a
 *   daemon's GETSA never reads a number behind what was sent. A retired
 *   SA's last numbers are kept a while (tombstones): the same SA added
 *   again continues after them, even when packets left between the
 *   daemon's GETSA and its delete (native XFRM would repeat those).
 * - Counters and use time: once a second (and before an SA is dropped)
 *   espah's packet and byte counts are added to the native SA's curlft
 *   under its lock, then xfrm_state_check_expire() runs, so byte and
 *   packet limits raise native's soft expire (the daemon rekeys) and hard
 *   expire (native deletes the SA, and espah with it). Time limits are
 *   native's timers' own.
 * - Policies' use time: written by the datapath (espah_xfrm_pol_used()).
 * - Acquires: a carried protect policy with no SA asks the key managers
 *   (the daemon) through km_query(), as native XFRM does.
 */
#include <linux/jiffies.h>
#include <net/xfrm.h>

#include <espah/pernet.h>
#include <espah/spd.h>
#include <espah/xfrm.h>

/* How long a retired SA's sequence numbers are remembered. */
#define TOMB_AGE	(60 * HZ)

static struct espah_xfrm_net *xnet(const struct net *net)
{
	return &espah_pernet(net)->xfrm;
}

/* Add what @sa counted since the last time to its native SA. */
static void push(struct espah_sa *sa)
{
	struct xfrm_state *x = sa->xs;
	u64 v[ESPAH_SA_STAT_MAX + 1];
	u64 dp, db, seq = 0;

	espah_sa_stats_sum(sa, v);
	dp = v[ESPAH_SA_STAT_PACKETS] - sa->xs_packets;
	db = v[ESPAH_SA_STAT_BYTES] - sa->xs_bytes;
	if (!dp && !db)
		return;
	sa->xs_packets += dp;
	sa->xs_bytes += db;
	if (sa->dir == ESPAH_DIR_IN)
		seq = espah_sa_seq(sa);
	spin_lock_bh(&x->lock);
	x->curlft.packets += dp;
	x->curlft.bytes += db;
	x->lastused = ktime_get_real_seconds();
	if (sa->dir == ESPAH_DIR_IN) {
		/* the top only: what a daemon carries into a re-added SA */
		if (x->replay_esn) {
			x->replay_esn->seq = lower_32_bits(seq);
			x->replay_esn->seq_hi = upper_32_bits(seq);
		} else {
			x->replay.seq = lower_32_bits(seq);
		}
	}
	if (x->km.state == XFRM_STATE_VALID)
		xfrm_state_check_expire(x);
	spin_unlock_bh(&x->lock);
}

struct sync_arg {
	struct net *net;
	bool retire;
};

static bool sync_one(struct espah_sa *sa, void *data)
{
	struct sync_arg *a = data;

	if (!sa->xs)
		return false;
	push(sa);
	/* also what native dropped without telling (a flush, a device) */
	return a->retire || READ_ONCE(sa->xs->km.state) == XFRM_STATE_DEAD;
}

static void sync_gone(struct espah_sa *sa, void *data)
{
	struct sync_arg *a = data;

	espah_xfrm_retire(a->net, sa);
}

/**
 * espah_xfrm_sync_now() - push every carried SA's counters to native XFRM
 * @net: namespace
 * @retire: and stop carrying them all (detach)
 *
 * Carried SAs whose native SA is dead are dropped as well.
 * Context: process, under &espah_xfrm_net.lock.
 */
void espah_xfrm_sync_now(struct net *net, bool retire)
{
	struct sync_arg a = { .net = net, .retire = retire };

	lockdep_assert_held(&xnet(net)->lock);
	espah_sa_sweep(net, sync_one, sync_gone, &a);
}

/**
 * espah_xfrm_sync_work() - the once-a-second push
 * @work: &espah_xfrm_net.sync_work
 */
void espah_xfrm_sync_work(struct work_struct *work)
{
	struct espah_xfrm_net *xn = container_of(to_delayed_work(work),
						 struct espah_xfrm_net,
						 sync_work);
	struct net *net = container_of(xn, struct espah_net, xfrm)->net;

	mutex_lock(&xn->lock);
	if (xn->attached) {
		espah_xfrm_sync_now(net, false);
		queue_delayed_work(system_wq, &xn->sync_work, HZ);
	}
	mutex_unlock(&xn->lock);
}

/**
 * espah_xfrm_retire() - remember a carried SA's sequence state
 * @net: namespace
 * @sa: the SA, about to be unlinked
 *
 * Context: under &espah_xfrm_net.lock.
 */
void espah_xfrm_retire(struct net *net, struct espah_sa *sa)
{
	struct espah_xfrm_net *xn = xnet(net);
	struct espah_xfrm_tomb *t;

	lockdep_assert_held(&xn->lock);
	push(sa);
	t = &xn->tombs[xn->tomb_next++ % ESPAH_XFRM_TOMBS];
	t->family = sa->family;
	t->dst = sa->dst;
	t->spi = sa->spi;
	t->proto = sa->proto;
	t->oseq = sa->dir == ESPAH_DIR_OUT ? espah_sa_oseq(sa) : 0;
	t->seq = sa->dir == ESPAH_DIR_IN ? espah_sa_seq(sa) : 0;
	t->when = jiffies ?: 1;
}

/**
 * espah_xfrm_revive() - continue a recently retired SA's sequence state
 * @net: namespace
 * @sa: a new carried SA (identity filled in)
 * @seq: in/out: inbound top from the native SA; raised to the retired
 *	SA's only if native carried one over (a re-add, not a new SA that
 *	happens to reuse the SPI: its peer starts again at 1)
 * @oseq: in/out: outbound number from the native SA; raised to the
 *	retired SA's (starting higher only costs sequence space)
 *
 * Context: under &espah_xfrm_net.lock.
 */
void espah_xfrm_revive(struct net *net, struct espah_sa *sa, u64 *seq,
		       u64 *oseq)
{
	struct espah_xfrm_net *xn = xnet(net);
	struct espah_xfrm_tomb *t;
	int i;

	lockdep_assert_held(&xn->lock);
	for (i = 0; i < ESPAH_XFRM_TOMBS; i++) {
		t = &xn->tombs[i];
		if (!t->when || time_after(jiffies, t->when + TOMB_AGE) ||
		    t->spi != sa->spi || t->proto != sa->proto ||
		    t->family != sa->family ||
		    !espah_addr_equal(sa->family, &t->dst, &sa->dst))
			continue;
		if (sa->dir == ESPAH_DIR_OUT)
			*oseq = max(*oseq, t->oseq);
		else if (*seq)
			*seq = max(*seq, t->seq);
		t->when = 0;
	}
}

/* The flow as a host selector, as native's larval SAs have. */
static void sel_of_flow(struct xfrm_selector *s, const struct espah_flow *fl)
{
	memset(s, 0, sizeof(*s));
	s->family = fl->family;
	if (fl->family == AF_INET) {
		s->saddr.a4 = fl->src.a4;
		s->daddr.a4 = fl->dst.a4;
		s->prefixlen_s = 32;
		s->prefixlen_d = 32;
	} else {
		s->saddr.in6 = fl->src.a6;
		s->daddr.in6 = fl->dst.a6;
		s->prefixlen_s = 128;
		s->prefixlen_d = 128;
	}
	s->proto = fl->proto;
	if (fl->sport || fl->dport) {
		s->sport = fl->sport;
		s->dport = fl->dport;
		s->sport_mask = htons(0xffff);
		s->dport_mask = htons(0xffff);
	}
}

static void addr_to(xfrm_address_t *x, const union espah_addr *a, u16 family)
{
	memset(x, 0, sizeof(*x));
	if (family == AF_INET)
		x->a4 = a->a4;
	else
		x->in6 = a->a6;
}

/**
 * espah_xfrm_acquire() - ask the daemon for the SA a carried policy lacks
 * @net: namespace
 * @pol: the carried policy (under RCU), with &espah_policy.xp
 * @t: its template that found no SA
 * @fl: the packet's flow
 *
 * What native xfrm_state_find() does when it finds nothing: a larval SA
 * describing what is needed goes to every key manager (XFRM_MSG_ACQUIRE
 * for the daemon, with the policy and its templates). espah rate-limits
 * the calls (net/acquire.c) and holds the packets (net/hold.c), so the
 * larval SA is not kept in native's SAD.
 * Context: datapath, under rcu_read_lock().
 */
void espah_xfrm_acquire(struct net *net, const struct espah_policy *pol,
			const struct espah_tmpl *t,
			const struct espah_flow *fl)
{
	struct xfrm_policy *xp = pol->xp;
	struct xfrm_tmpl *xt = &xp->xfrm_vec[t - pol->tmpl];
	struct xfrm_state *x;

	x = xfrm_state_alloc(net);
	if (!x)
		return;
	sel_of_flow(&x->sel, fl);
	x->id = xt->id;
	x->props.family = xt->encap_family;
	x->props.mode = xt->mode;
	x->props.reqid = xt->reqid;
	if (xt->mode == XFRM_MODE_TUNNEL) {
		x->props.saddr = xt->saddr;
	} else {
		addr_to(&x->id.daddr, &fl->dst, fl->family);
		addr_to(&x->props.saddr, &fl->src, fl->family);
	}
	x->if_id = xp->if_id;
	x->mark = xp->mark;
	x->km.seq = xfrm_get_acqseq();
	x->km.state = XFRM_STATE_ACQ;
	if (!km_query(x, xt, xp))
		espah_stat_inc(net, ESPAH_STAT_XFRM_ACQUIRE);
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
}

/**
 * espah_xfrm_mapping() - tell native key managers of a NAT mapping change
 * @x: the native SA a bridged inbound SA carries
 * @family: its family
 * @src: the address and UDP source port its packet came from
 *
 * The daemon learns it as from native XFRM's own ESP input
 * (XFRM_MSG_MAPPING), and updates its SAs and policies.
 *
 * Context: datapath (softirq or a crypto completion), as native's.
 */
void espah_xfrm_mapping(struct xfrm_state *x, u16 family,
			const struct espah_natt_src *src)
{
	xfrm_address_t a = {};

	memcpy(&a, &src->addr, family == AF_INET ? 4 : 16);
	km_new_mapping(x, &a, src->port);
}
