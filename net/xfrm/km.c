// SPDX-License-Identifier: GPL-2.0
/*
 * espah xfrm bridge: the key manager.
 *
 * espah registers with native XFRM as a key manager (xfrm_register_km),
 * as xfrm_user and af_key do, and so hears of every SA and policy that ip
 * xfrm or an IKE daemon adds, updates, deletes, flushes or expires. In a
 * namespace attached with a tag (an if_id, optionally a mark), the SAs and
 * policies carrying that tag are espah's to carry: each gets an espah SA
 * or policy that references the native object (&espah_sa.xs,
 * &espah_policy.xp). Native policies with an if_id match no traffic of
 * their own (no xfrm interface has that id), so native XFRM never numbers
 * a packet under a key espah uses; everything else stays native.
 *
 * The key manager is called in atomic context under RCU: it only takes a
 * reference and queues the event; the namespace's work builds transforms
 * (which sleeps), in the order the events came. An event that cannot be
 * queued (no memory) makes the work reconcile everything by walking the
 * native SAD and SPD, as attaching does.
 */
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/xfrm.h>

#include <espah/crypto.h>
#include <espah/hold.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/xfrm.h>

static unsigned int xfrm_if_id;
module_param(xfrm_if_id, uint, 0444);
MODULE_PARM_DESC(xfrm_if_id,
		 "attach every namespace to native XFRM with this if_id at its start (0: none; see espah xfrm attach)");

/* set once the key manager is registered: namespaces may attach */
static bool km_up;

static unsigned int xfrm_hold = 16;
module_param(xfrm_hold, uint, 0644);
MODULE_PARM_DESC(xfrm_hold,
		 "packets held per carried outbound policy while its SA is negotiated (default 16)");

/**
 * struct km_ev - one thing native XFRM told us
 * @list: in &espah_xfrm_net.events
 * @event: XFRM_MSG_*
 * @dir: policies: XFRM_POLICY_*
 * @x: SA events: the SA, referenced
 * @xp: policy events: the policy, referenced
 */
struct km_ev {
	struct list_head list;
	u32 event;
	int dir;
	struct xfrm_state *x;
	struct xfrm_policy *xp;
};

static struct espah_xfrm_net *xnet(const struct net *net)
{
	return &espah_pernet(net)->xfrm;
}

static struct net *xn_net(struct espah_xfrm_net *xn)
{
	return container_of(xn, struct espah_net, xfrm)->net;
}

static bool tagged(const struct espah_xfrm_net *xn, u32 if_id,
		   const struct xfrm_mark *m)
{
	u32 mask = READ_ONCE(xn->mask);

	return if_id && if_id == READ_ONCE(xn->if_id) &&
	       (!mask || (m->v & mask) == READ_ONCE(xn->mark));
}

static void ev_free(struct km_ev *ev)
{
	if (ev->x)
		xfrm_state_put(ev->x);
	if (ev->xp)
		xfrm_pol_put(ev->xp);
	kfree(ev);
}

/* Queue @ev (NULL: lost for want of memory) for the namespace's work. */
static void ev_queue(struct espah_xfrm_net *xn, struct km_ev *ev)
{
	spin_lock_bh(&xn->ev_lock);
	if (ev)
		list_add_tail(&ev->list, &xn->events);
	else
		xn->resync = true;
	if (!xn->dying)
		queue_work(system_wq, &xn->ev_work);
	spin_unlock_bh(&xn->ev_lock);
}

static int km_notify(struct xfrm_state *x, const struct km_event *c)
{
	struct net *net = x ? xs_net(x) : c->net;
	struct espah_xfrm_net *xn = xnet(net);
	struct km_ev *ev;

	if (!READ_ONCE(xn->attached))
		return 0;
	switch (c->event) {
	case XFRM_MSG_EXPIRE:
		if (!c->data.hard)
			return 0;	/* soft: the daemon rekeys */
		fallthrough;
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
	case XFRM_MSG_DELSA:
		if (!tagged(xn, x->if_id, &x->mark))
			return 0;
		break;
	case XFRM_MSG_FLUSHSA:
		break;
	default:
		return 0;
	}
	ev = kzalloc(sizeof(*ev), GFP_ATOMIC);
	if (ev) {
		ev->event = c->event;
		if (x) {
			xfrm_state_hold(x);
			ev->x = x;
		}
	}
	ev_queue(xn, ev);
	return 0;
}

static int km_notify_policy(struct xfrm_policy *xp, int dir,
			    const struct km_event *c)
{
	struct net *net = xp ? xp_net(xp) : c->net;
	struct espah_xfrm_net *xn = xnet(net);
	struct km_ev *ev;

	if (!READ_ONCE(xn->attached))
		return 0;
	switch (c->event) {
	case XFRM_MSG_POLEXPIRE:
		if (!c->data.hard)
			return 0;
		fallthrough;
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
	case XFRM_MSG_DELPOLICY:
		if (!tagged(xn, xp->if_id, &xp->mark))
			return 0;
		break;
	case XFRM_MSG_FLUSHPOLICY:
		break;
	default:
		return 0;
	}
	ev = kzalloc(sizeof(*ev), GFP_ATOMIC);
	if (ev) {
		ev->event = c->event;
		ev->dir = dir;
		if (xp) {
			xfrm_pol_hold(xp);
			ev->xp = xp;
		}
	}
	ev_queue(xn, ev);
	return 0;
}

/* 6.1 calls these two of every key manager without a NULL check. Acquires
 * are native's to send (espah raises them itself through km_query(), see
 * net/xfrm/sync.c); socket policies are xfrm_user's and af_key's to parse.
 */
static int km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
		      struct xfrm_policy *xp)
{
	return -EINVAL;
}

static struct xfrm_policy *km_compile_policy(struct sock *sk, int opt,
					     u8 *data, int len, int *dir)
{
	*dir = -EOPNOTSUPP;
	return NULL;
}

static struct xfrm_mgr espah_km = {
	.notify = km_notify,
	.acquire = km_acquire,
	.compile_policy = km_compile_policy,
	.notify_policy = km_notify_policy,
};

/* An inbound SA is one whose destination is this host (how strongSwan
 * installs them: ALLOCSPI, then UPDSA of the larval SA).
 */
static bool sa_inbound(struct net *net, const struct xfrm_state *x)
{
	if (x->props.family == AF_INET)
		return inet_addr_type(net, x->id.daddr.a4) == RTN_LOCAL;
	return ipv6_chk_addr(net, &x->id.daddr.in6, NULL, 0);
}

static void addr_of(union espah_addr *a, const xfrm_address_t *x, u16 family)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET)
		a->a4 = x->a4;
	else
		a->a6 = x->in6;
}

static void sa_refused(struct net *net, const struct xfrm_state *x,
		       const char *why)
{
	union espah_addr dst;

	addr_of(&dst, &x->id.daddr, x->props.family);
	espah_stat_inc(net, ESPAH_STAT_XFRM_REFUSED);
	pr_warn_ratelimited("espah: xfrm SA spi 0x%08x proto %u if_id %u not carried: %s\n",
			    ntohl(x->id.spi), x->id.proto, x->if_id, why);
	espah_nl_xfrm_refused(net, x->id.spi, x->id.proto, x->props.family,
			      &dst, 0, why);
}

/* Stop carrying the native SA @x (deleted, expired, or refused now). */
static void sa_drop(struct net *net, const struct xfrm_state *x)
{
	union espah_addr dst;
	struct espah_sa *sa;

	addr_of(&dst, &x->id.daddr, x->props.family);
	sa = espah_sa_get(net, x->id.spi, x->id.proto, x->props.family, &dst,
			  x->mark.v & x->mark.m);
	if (!sa)
		return;
	if (sa->xs == x) {
		espah_xfrm_retire(net, sa);
		espah_sa_put(espah_sa_unlink(net, sa->spi, sa->proto,
					     sa->family, &sa->dst,
					     x->mark.v & x->mark.m));
	}
	espah_sa_put(sa);
}

/* Carry the valid native SA @x: a new espah SA, or one replacing the SA
 * that carried the same (spi, dst, proto) so far, with its sequence state.
 */
static void sa_carry(struct net *net, struct xfrm_state *x)
{
	struct netlink_ext_ack extack = {};
	unsigned int flags = 0;
	struct espah_alg_cfg cfg;
	struct espah_sa *sa, *old;
	const char *why = NULL;
	u64 seq, oseq;
	int err;

	sa = espah_sa_alloc(GFP_KERNEL_ACCOUNT);
	if (!sa) {
		sa_refused(net, x, "no memory");
		return;
	}
	err = espah_xfrm_sa_from_state(x, sa_inbound(net, x), sa, &cfg, &seq,
				       &oseq, &why);
	if (err)
		goto refused;
	old = espah_sa_get(net, sa->spi, sa->proto, sa->family, &sa->dst,
			   sa->xmark.v & sa->xmark.m);
	if (old) {
		bool carried = old->xs;

		espah_sa_put(old);
		if (!carried) {
			why = "espah's own SA has this SPI, destination, protocol and mark";
			goto refused;
		}
		flags = ESPAH_SA_INS_UPDATE | ESPAH_SA_INS_KEEP_SEQ |
			ESPAH_SA_INS_KEEP_OSEQ;
	} else {
		espah_xfrm_revive(net, sa, &seq, &oseq);
	}
	err = espah_sa_setup(sa, &cfg, seq, oseq, &extack);
	memzero_explicit(&cfg, sizeof(cfg));
	if (err) {
		why = extack._msg ?: "the transform cannot be set up";
		goto refused;
	}
	xfrm_state_hold(x);
	sa->xs = x;
	err = espah_sa_insert(net, sa, flags, &extack);
	if (err) {
		why = extack._msg ?: "the SAD refused it";
		goto refused;
	}
	if (sa->dir == ESPAH_DIR_OUT)
		espah_hold_kick(net);
	espah_sa_put(sa);
	return;

refused:
	espah_sa_put(sa);
	sa_refused(net, x, why);
	/* what espah carried until now is no longer what native holds */
	sa_drop(net, x);
}

/* A NEWSA/UPDSA event: @x may be a temporary copy (UPDSA of a valid SA
 * updates the installed one in place), so look the installed SA up.
 */
static void sa_event(struct net *net, struct xfrm_state *x)
{
	struct xfrm_state *cur;

	cur = xfrm_state_lookup(net, x->mark.v, &x->id.daddr, x->id.spi,
				x->id.proto, x->props.family);
	if (!cur)
		return;
	if (cur->km.state == XFRM_STATE_VALID &&
	    tagged(xnet(net), cur->if_id, &cur->mark))
		sa_carry(net, cur);
	xfrm_state_put(cur);
}

static void pol_refused(struct net *net, const struct xfrm_policy *xp,
			const char *why)
{
	espah_stat_inc(net, ESPAH_STAT_XFRM_REFUSED);
	pr_warn_ratelimited("espah: xfrm policy index %u if_id %u not carried: %s\n",
			    xp->index, xp->if_id, why);
	espah_nl_xfrm_refused(net, 0, 0, 0, NULL, xp->index, why);
}

/* Stop carrying the native policy @xp. */
static void pol_drop(struct net *net, const struct xfrm_policy *xp)
{
	struct espah_xfrm_net *xn = xnet(net);
	const struct espah_policy *cur;
	struct espah_policy *pol;
	void *v = xa_load(&xn->pols, xp->index);
	u32 index;
	bool ours;

	if (!v)
		return;
	index = xa_to_value(v);
	rcu_read_lock();
	cur = espah_spd_find_rcu(net, 0, NULL, NULL, 0, index);
	ours = cur && cur->xp == xp;
	rcu_read_unlock();
	if (!ours)
		return;
	xa_erase(&xn->pols, xp->index);
	pol = espah_spd_unlink(net, 0, NULL, NULL, 0, index);
	espah_policy_free(pol);
}

static void pol_carry(struct net *net, struct xfrm_policy *xp, int dir)
{
	struct espah_xfrm_net *xn = xnet(net);
	struct netlink_ext_ack extack = {};
	const struct espah_policy *cur;
	struct espah_policy *pol;
	const char *why = NULL;
	bool theirs;
	u32 index;
	int err;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol) {
		pol_refused(net, xp, "no memory");
		return;
	}
	err = espah_xfrm_pol_from_native(xp, dir, pol, &why);
	if (err)
		goto refused;
	rcu_read_lock();
	cur = espah_spd_find_rcu(net, pol->dir, &pol->sel, &pol->xmark, 0, 0);
	theirs = cur && cur->xfrm == ESPAH_POL_ORIGIN_ESPAH;
	rcu_read_unlock();
	if (theirs) {
		why = "espah has a policy with this selector and direction of its own";
		goto refused;
	}
	if (pol->dir == ESPAH_DIR_OUT && pol->action == ESPAH_ACTION_PROTECT)
		pol->hold_max = min_t(u32, READ_ONCE(xfrm_hold), ESPAH_HOLD_MAX);
	xfrm_pol_hold(xp);
	pol->xp = xp;
	pol->xfrm = ESPAH_POL_ORIGIN_XFRM;
	err = espah_spd_insert(net, pol, true, &index, &extack);
	if (err) {
		why = extack._msg ?: "the SPD refused it";
		pol->xp = NULL;
		xfrm_pol_put(xp);
		goto refused;
	}
	if (xa_err(xa_store(&xn->pols, xp->index, xa_mk_value(index),
			    GFP_KERNEL))) {
		/* without the index it could never be removed: undo */
		espah_policy_free(espah_spd_unlink(net, 0, NULL, NULL, 0, index));
		pol_refused(net, xp, "no memory");
	}
	return;

refused:
	kfree(pol);
	pol_refused(net, xp, why);
	pol_drop(net, xp);
}

/* Remove what native XFRM no longer has (after a flush or a lost event). */
static void reap_dead(struct net *net)
{
	struct espah_xfrm_net *xn = xnet(net);
	const struct espah_policy *cur;
	struct xfrm_policy *dead;
	unsigned long i;
	void *v;

	espah_xfrm_sync_now(net, false);
	xa_for_each(&xn->pols, i, v) {
		rcu_read_lock();
		cur = espah_spd_find_rcu(net, 0, NULL, NULL, 0, xa_to_value(v));
		dead = cur && cur->xp && READ_ONCE(cur->xp->walk.dead) ?
		       cur->xp : NULL;
		rcu_read_unlock();
		if (dead)
			pol_drop(net, dead);
		else if (!cur)
			xa_erase(&xn->pols, i);
	}
}

static void ev_handle(struct net *net, struct km_ev *ev)
{
	switch (ev->event) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		sa_event(net, ev->x);
		break;
	case XFRM_MSG_DELSA:
	case XFRM_MSG_EXPIRE:
		sa_drop(net, ev->x);
		break;
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		/* the policy may be gone again already */
		if (!READ_ONCE(ev->xp->walk.dead))
			pol_carry(net, ev->xp, ev->dir);
		break;
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_POLEXPIRE:
		pol_drop(net, ev->xp);
		break;
	case XFRM_MSG_FLUSHSA:
	case XFRM_MSG_FLUSHPOLICY:
		reap_dead(net);
		break;
	}
}

/* The walks call back under native's spinlocks: collect, then carry. */
static int walk_state(struct xfrm_state *x, int count, void *arg)
{
	struct km_ev *ev;

	if (x->km.state != XFRM_STATE_VALID ||
	    !tagged(xnet(xs_net(x)), x->if_id, &x->mark))
		return 0;
	ev = kzalloc(sizeof(*ev), GFP_ATOMIC);
	if (!ev)
		return -ENOMEM;
	ev->event = XFRM_MSG_NEWSA;
	xfrm_state_hold(x);
	ev->x = x;
	list_add_tail(&ev->list, arg);
	return 0;
}

static int walk_policy(struct xfrm_policy *xp, int dir, int count, void *arg)
{
	struct km_ev *ev;

	if (dir >= XFRM_POLICY_MAX ||
	    !tagged(xnet(xp_net(xp)), xp->if_id, &xp->mark))
		return 0;
	ev = kzalloc(sizeof(*ev), GFP_ATOMIC);
	if (!ev)
		return -ENOMEM;
	ev->event = XFRM_MSG_NEWPOLICY;
	ev->dir = dir;
	xfrm_pol_hold(xp);
	ev->xp = xp;
	list_add_tail(&ev->list, arg);
	return 0;
}

/* Carry everything tagged native XFRM holds, drop what it no longer has. */
static void resync(struct net *net)
{
	struct xfrm_policy_walk pw;
	struct xfrm_state_walk sw;
	struct km_ev *ev, *tmp;
	LIST_HEAD(list);
	int err;

	xfrm_policy_walk_init(&pw, XFRM_POLICY_TYPE_MAIN);
	err = xfrm_policy_walk(net, &pw, walk_policy, &list);
	xfrm_policy_walk_done(&pw, net);
	xfrm_state_walk_init(&sw, 0, NULL);
	err = err ?: xfrm_state_walk(net, &sw, walk_state, &list);
	xfrm_state_walk_done(&sw, net);
	if (err == -ENOMEM)
		pr_warn("espah: xfrm: no memory to walk native XFRM: some SAs or policies are not carried\n");
	list_for_each_entry_safe(ev, tmp, &list, list) {
		ev_handle(net, ev);
		ev_free(ev);
		cond_resched();
	}
	reap_dead(net);
}

static void ev_work(struct work_struct *work)
{
	struct espah_xfrm_net *xn = container_of(work, struct espah_xfrm_net,
						 ev_work);
	struct net *net = xn_net(xn);
	struct km_ev *ev, *tmp;
	LIST_HEAD(list);
	bool all;

	mutex_lock(&xn->lock);
	spin_lock_bh(&xn->ev_lock);
	list_splice_init(&xn->events, &list);
	all = xn->resync;
	xn->resync = false;
	spin_unlock_bh(&xn->ev_lock);
	list_for_each_entry_safe(ev, tmp, &list, list) {
		if (xn->attached)
			ev_handle(net, ev);
		ev_free(ev);
		cond_resched();
	}
	if (all && xn->attached)
		resync(net);
	mutex_unlock(&xn->lock);
}

static void ev_drain(struct espah_xfrm_net *xn)
{
	struct km_ev *ev, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&xn->ev_lock);
	list_splice_init(&xn->events, &list);
	xn->resync = false;
	spin_unlock_bh(&xn->ev_lock);
	list_for_each_entry_safe(ev, tmp, &list, list)
		ev_free(ev);
}

/**
 * espah_xfrm_attach() - carry a namespace's tagged native SAs and policies
 * @net: namespace
 * @if_id: the tag (not 0)
 * @mark: with @mask (0: no mark condition): (mark & @mask) == @mark
 * @mask: see @mark
 * @extack: netlink extended ack for errors
 *
 * Attaching takes a reference on the module: espah cannot be unloaded
 * from under the SAs it carries (their traffic would go out in clear).
 *
 * Context: process.
 * Return: 0, -EBUSY (attached with another tag), or -EINVAL.
 */
int espah_xfrm_attach(struct net *net, u32 if_id, u32 mark, u32 mask,
		      struct netlink_ext_ack *extack)
{
	struct espah_xfrm_net *xn = xnet(net);
	int err = 0;

	mutex_lock(&xn->lock);
	/* espah's own if_id is an xfrm interface's: the tag must not be one,
	 * or the interface's traffic and the carried SAs would mix
	 */
	if (!xn->attached && (espah_sa_if_id_used(net, if_id) ||
			      espah_spd_if_id_used(net, if_id))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_XFRM_IF_ID: espah's own SAs or policies use this if_id (an xfrm interface's): choose another tag");
		err = -EBUSY;
		goto out;
	}
	if (xn->attached) {
		if (xn->if_id != if_id || xn->mark != mark || xn->mask != mask) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_XFRM_IF_ID: the namespace is attached with another tag: detach first");
			err = -EBUSY;
		}
		goto out;
	}
	if (!try_module_get(THIS_MODULE)) {
		err = -ENODEV;
		goto out;
	}
	WRITE_ONCE(xn->if_id, if_id);
	WRITE_ONCE(xn->mark, mark & mask);
	WRITE_ONCE(xn->mask, mask);
	WRITE_ONCE(xn->attached, true);
	/* events from now on are queued; the walk sees what came before */
	resync(net);
	queue_delayed_work(system_wq, &xn->sync_work, HZ);
out:
	mutex_unlock(&xn->lock);
	return err;
}

/* Leave policies protecting what they protected, with nothing to carry it:
 * traffic stops rather than going out in clear.
 */
static void pols_orphan(struct net *net)
{
	struct espah_xfrm_net *xn = xnet(net);
	const struct espah_policy *cur;
	struct espah_policy *pol;
	unsigned long i;
	u32 index;
	void *v;

	xa_for_each(&xn->pols, i, v) {
		pol = kzalloc(sizeof(*pol), GFP_KERNEL);
		rcu_read_lock();
		cur = espah_spd_find_rcu(net, 0, NULL, NULL, 0, xa_to_value(v));
		if (cur && pol) {
			pol->dir = cur->dir;
			pol->sel = cur->sel;
			pol->action = cur->action;
			pol->priority = cur->priority;
			pol->ntmpl = cur->ntmpl;
			memcpy(pol->tmpl, cur->tmpl, sizeof(pol->tmpl));
			pol->hold_max = cur->hold_max;
			pol->xfrm = ESPAH_POL_ORIGIN_DETACHED;
		}
		rcu_read_unlock();
		if (!cur || !pol ||
		    espah_spd_insert(net, pol, true, &index, NULL)) {
			kfree(pol);
			/* no copy: better without the policy than with a
			 * reference to a native one nobody tracks
			 */
			if (cur)
				espah_policy_free(espah_spd_unlink(net, 0, NULL, NULL, 0,
								   xa_to_value(v)));
		}
		cond_resched();
	}
	xa_destroy(&xn->pols);
}

static void detach(struct net *net, bool orphan)
{
	struct espah_xfrm_net *xn = xnet(net);

	/* after the grace period no key manager call can queue anything */
	WRITE_ONCE(xn->attached, false);
	synchronize_rcu();
	mutex_unlock(&xn->lock);
	cancel_work_sync(&xn->ev_work);
	cancel_delayed_work_sync(&xn->sync_work);
	mutex_lock(&xn->lock);
	ev_drain(xn);
	espah_xfrm_sync_now(net, true);
	if (orphan)
		pols_orphan(net);
	module_put(THIS_MODULE);
}

/**
 * espah_xfrm_detach() - stop carrying native SAs and policies
 * @net: namespace
 * @extack: netlink extended ack for errors
 *
 * The SAs go back to native XFRM (with the sequence numbers espah used);
 * the policies stay in espah's SPD as its own, without SAs, so what they
 * protected is dropped, never sent in clear (espah policy flush removes
 * them).
 *
 * Context: process.
 * Return: 0 or -ENOENT (not attached).
 */
int espah_xfrm_detach(struct net *net, struct netlink_ext_ack *extack)
{
	struct espah_xfrm_net *xn = xnet(net);
	int err = 0;

	mutex_lock(&xn->lock);
	if (!xn->attached) {
		NL_SET_ERR_MSG_MOD(extack, "the namespace is not attached to native XFRM");
		err = -ENOENT;
	} else {
		detach(net, true);
	}
	mutex_unlock(&xn->lock);
	return err;
}

static bool count_carried(struct espah_sa *sa, void *arg)
{
	if (sa->xs)
		(*(u32 *)arg)++;
	return false;
}

/**
 * espah_xfrm_tag() - the if_id a namespace is attached with
 * @net: namespace
 *
 * Context: any (lockless).
 * Return: the tag, or 0 if the namespace is not attached.
 */
u32 espah_xfrm_tag(struct net *net)
{
	struct espah_xfrm_net *xn = xnet(net);

	return READ_ONCE(xn->attached) ? READ_ONCE(xn->if_id) : 0;
}

/**
 * espah_xfrm_get() - a namespace's attachment
 * @net: namespace
 * @if_id: out: the tag, 0 if not attached
 * @mark: out
 * @mask: out
 * @nsas: out: SAs carried
 * @npols: out: policies carried
 */
void espah_xfrm_get(struct net *net, u32 *if_id, u32 *mark, u32 *mask,
		    u32 *nsas, u32 *npols)
{
	struct espah_xfrm_net *xn = xnet(net);
	unsigned long i;
	void *v;

	mutex_lock(&xn->lock);
	*if_id = xn->attached ? xn->if_id : 0;
	*mark = xn->mark;
	*mask = xn->mask;
	*npols = 0;
	xa_for_each(&xn->pols, i, v)
		(*npols)++;
	*nsas = 0;
	espah_sa_sweep(net, count_carried, NULL, nsas);
	mutex_unlock(&xn->lock);
}

static void attach_default(struct net *net, u32 if_id)
{
	if (espah_xfrm_attach(net, if_id, 0, 0, NULL))
		pr_warn("espah: xfrm: cannot attach a namespace with xfrm_if_id %u\n",
			if_id);
}

/**
 * espah_xfrm_net_init() - a namespace's bridge, attached if xfrm_if_id says
 * @net: the namespace
 */
void espah_xfrm_net_init(struct net *net)
{
	struct espah_xfrm_net *xn = xnet(net);
	u32 if_id = READ_ONCE(xfrm_if_id);

	mutex_init(&xn->lock);
	spin_lock_init(&xn->ev_lock);
	INIT_LIST_HEAD(&xn->events);
	INIT_WORK(&xn->ev_work, ev_work);
	INIT_DELAYED_WORK(&xn->sync_work, espah_xfrm_sync_work);
	xa_init(&xn->pols);
	if (if_id && READ_ONCE(km_up))
		attach_default(net, if_id);
}

/**
 * espah_xfrm_net_exit() - a namespace goes: stop carrying, release all
 * @net: the namespace
 *
 * Its SAs and policies, carried or not, go with the SAD and SPD.
 */
void espah_xfrm_net_exit(struct net *net)
{
	struct espah_xfrm_net *xn = xnet(net);

	mutex_lock(&xn->lock);
	spin_lock_bh(&xn->ev_lock);
	xn->dying = true;
	spin_unlock_bh(&xn->ev_lock);
	if (xn->attached)
		detach(net, false);
	mutex_unlock(&xn->lock);
	cancel_work_sync(&xn->ev_work);
	ev_drain(xn);
	xa_destroy(&xn->pols);
	mutex_destroy(&xn->lock);
}

/**
 * espah_xfrm_module_init() - register the key manager
 *
 * After the namespaces' state exists (the key manager looks it up): the
 * namespaces that exist already are attached here if xfrm_if_id says so,
 * later ones by espah_xfrm_net_init().
 */
void espah_xfrm_module_init(void)
{
	u32 if_id = READ_ONCE(xfrm_if_id);
	struct net *net;

	xfrm_register_km(&espah_km);
	WRITE_ONCE(km_up, true);
	if (!if_id)
		return;
	down_read(&net_rwsem);
	for_each_net(net)
		attach_default(net, if_id);
	up_read(&net_rwsem);
}

void espah_xfrm_module_exit(void)
{
	/* waits for a grace period: no call is in flight afterwards */
	xfrm_unregister_km(&espah_km);
}
