// SPDX-License-Identifier: GPL-2.0
/*
 * espah: Security Policy Database.
 *
 * Per namespace and direction, one list ordered by priority (lower first,
 * ties in insertion order), so the first match is the answer. Readers walk
 * it under RCU; writers are netlink requests and serialise on a mutex.
 * Policies are immutable once published: an update publishes a new one and
 * frees the old after a grace period, so readers need no reference.
 */
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/xfrm.h>

#include <espah/kunit.h>
#include <espah/pernet.h>
#include <espah/spd.h>

/* Per-namespace limit (see max_sas in net/sa.c); the policies themselves
 * are charged to the caller's memory cgroup.
 */
static unsigned int max_policies = 1U << 16;
module_param(max_policies, uint, 0644);
MODULE_PARM_DESC(max_policies,
		 "policies per network namespace (default 65536)");

static struct espah_spd *spd_of(const struct net *net)
{
	return &espah_pernet(net)->spd;
}

static bool prefix_match(u16 family, const union espah_addr *p, u8 plen,
			 const union espah_addr *a)
{
	if (!plen)
		return true;
	if (family == AF_INET)
		return !((p->a4 ^ a->a4) & htonl(~0U << (32 - plen)));
	return ipv6_prefix_equal(&p->a6, &a->a6, plen);
}

static bool port_in(__be16 p, __be16 lo, __be16 hi)
{
	u16 v = ntohs(p);

	return v >= ntohs(lo) && v <= ntohs(hi);
}

/**
 * espah_sel_match() - does a packet fall under a selector
 * @sel: the selector; family 0 matches everything
 * @fl: the packet's addresses, protocol and ports
 *
 * Addresses match by prefix (length 0 is any). A protocol of 0 is any and
 * then ports are not looked at; otherwise the ports must lie in the
 * inclusive ranges [sport, sport_max] and [dport, dport_max], where, as
 * with ip xfrm, ICMP and ICMPv6 carry the type in sport and the code in
 * dport. A range of 0..65535 is any port.
 *
 * Return: true if @fl matches @sel.
 */
bool espah_sel_match(const struct espah_sel *sel, const struct espah_flow *fl)
{
	if (!sel->family)
		return true;
	if (sel->family != fl->family)
		return false;
	if (!prefix_match(sel->family, &sel->src, sel->splen, &fl->src) ||
	    !prefix_match(sel->family, &sel->dst, sel->dplen, &fl->dst))
		return false;
	if (!sel->proto)
		return true;
	return sel->proto == fl->proto &&
	       port_in(fl->sport, sel->sport, sel->sport_max) &&
	       port_in(fl->dport, sel->dport, sel->dport_max);
}

ESPAH_EXPORT_FOR_KUNIT(espah_sel_match);

/**
 * espah_sel_equal() - are two selectors the same
 * @a: a selector with its addresses masked to their prefix
 * @b: another one
 *
 * Return: true if they select exactly the same packets by construction.
 */
bool espah_sel_equal(const struct espah_sel *a, const struct espah_sel *b)
{
	if (a->family != b->family || a->splen != b->splen ||
	    a->dplen != b->dplen || a->proto != b->proto ||
	    a->sport != b->sport || a->sport_max != b->sport_max ||
	    a->dport != b->dport || a->dport_max != b->dport_max)
		return false;
	if (!a->family)
		return true;
	return espah_addr_equal(a->family, &a->src, &b->src) &&
	       espah_addr_equal(a->family, &a->dst, &b->dst);
}

/**
 * espah_spd_lookup() - the policy that applies to a packet
 * @net: namespace
 * @dir: ESPAH_DIR_IN, ESPAH_DIR_OUT or ESPAH_DIR_FWD
 * @fl: the packet (its mark must satisfy the policy's mark condition)
 *
 * Context: rcu_read_lock() (or BH disabled) held; the result is valid
 * until it is dropped.
 * Return: the matching policy with the lowest priority value, or NULL.
 */
const struct espah_policy *espah_spd_lookup(struct net *net, u8 dir,
					    const struct espah_flow *fl)
{
	const struct espah_policy *pol;

	if (dir > ESPAH_DIR_FWD)
		return NULL;
	list_for_each_entry_rcu(pol, &spd_of(net)->pol[dir], list)
		if (pol->if_id == fl->if_id &&
		    espah_fwmark_match(&pol->xmark, fl->mark) &&
		    espah_sel_match(&pol->sel, fl))
			return pol;
	return NULL;
}

static struct espah_policy *find(struct espah_spd *spd, u8 dir,
				 const struct espah_sel *sel,
				 const struct espah_fwmark *xmark, u32 if_id,
				 u32 index)
{
	struct espah_policy *pol;
	int d;

	if (index) {
		for (d = 0; d <= ESPAH_DIR_FWD; d++)
			list_for_each_entry_rcu(pol, &spd->pol[d], list,
						lockdep_is_held(&spd->lock))
				if (pol->index == index)
					return pol;
		return NULL;
	}
	if (dir > ESPAH_DIR_FWD)
		return NULL;
	list_for_each_entry_rcu(pol, &spd->pol[dir], list,
				lockdep_is_held(&spd->lock))
		if (espah_sel_equal(&pol->sel, sel) &&
		    pol->xmark.v == xmark->v && pol->xmark.m == xmark->m &&
		    pol->if_id == if_id)
			return pol;
	return NULL;
}

/**
 * espah_spd_find_rcu() - find a policy by index or by (direction,
 *	selector, mark)
 * @net: namespace
 * @dir: direction (ignored when @index is nonzero)
 * @sel: selector, masked (ignored when @index is nonzero)
 * @xmark: mark condition, the same value and mask (ignored when @index is
 *	nonzero)
 * @if_id: the same if_id (ignored when @index is nonzero)
 * @index: the policy's index, or 0
 *
 * Context: rcu_read_lock() held.
 * Return: the policy, valid until rcu_read_unlock(), or NULL.
 */
const struct espah_policy *espah_spd_find_rcu(struct net *net, u8 dir,
					      const struct espah_sel *sel,
					      const struct espah_fwmark *xmark,
					      u32 if_id, u32 index)
{
	return find(spd_of(net), dir, sel, xmark, if_id, index);
}

static void spd_changed(struct espah_spd *spd)
{
	lockdep_assert_held(&spd->lock);
	if (!++spd->gen)
		spd->gen = 1;
}

static u32 new_index(struct espah_spd *spd)
{
	u32 idx;

	lockdep_assert_held(&spd->lock);
	for (;;) {
		idx = ++spd->next_index;
		if (!idx) {
			spd->wrapped = true;
			continue;
		}
		if (!spd->wrapped || !find(spd, 0, NULL, NULL, 0, idx))
			return idx;
	}
}

/* Link @pol after every policy of its list whose priority is <= its own. */
static void link_ordered(struct espah_spd *spd, struct espah_policy *pol)
{
	struct list_head *head = &spd->pol[pol->dir];
	struct espah_policy *pos;

	lockdep_assert_held(&spd->lock);
	list_for_each_entry(pos, head, list) {
		if (pos->priority > pol->priority) {
			list_add_tail_rcu(&pol->list, &pos->list);
			return;
		}
	}
	list_add_tail_rcu(&pol->list, head);
}

/**
 * espah_spd_insert() - publish a new policy
 * @net: namespace
 * @pol: the policy, fully built; its index is assigned here
 * @update: replace a policy with the same direction and selector (it keeps
 *	its index) instead of failing with -EEXIST
 * @index: out: the index @pol got (@pol itself may be gone on return)
 * @extack: netlink extended ack for errors
 *
 * On success the SPD owns @pol; on error the caller still frees it.
 *
 * Context: process (takes the SPD mutex).
 * Return: 0, -EEXIST, or -ENOSPC (max_policies).
 */
int espah_spd_insert(struct net *net, struct espah_policy *pol, bool update,
		     u32 *index, struct netlink_ext_ack *extack)
{
	struct espah_spd *spd = spd_of(net);
	struct espah_policy *old;
	int err = 0;

	espah_hold_init(&pol->hold);
	mutex_lock(&spd->lock);
	old = find(spd, pol->dir, &pol->sel, &pol->xmark, pol->if_id, 0);
	if (old && old->xfrm == ESPAH_POL_ORIGIN_XFRM &&
	    pol->xfrm == ESPAH_POL_ORIGIN_ESPAH) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_POL_SEL: the policy is native XFRM's (carried for an if_id): change it with ip xfrm or its IKE daemon");
		err = -EPERM;
		goto out;
	}
	if (old && !update) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_POL_SEL: a policy with this selector, direction and mark exists");
		err = -EEXIST;
		goto out;
	}
	if (!old && spd->count >= READ_ONCE(max_policies)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "SPD: the namespace holds as many policies as module parameter max_policies allows");
		err = -ENOSPC;
		goto out;
	}
	if (old) {
		pol->index = old->index;
		if (old->priority == pol->priority) {
			list_replace_rcu(&old->list, &pol->list);
		} else {
			/* briefly both: never neither */
			link_ordered(spd, pol);
			list_del_rcu(&old->list);
		}
		espah_hold_move(net, old, pol);
		espah_policy_free(old);
	} else {
		pol->index = new_index(spd);
		link_ordered(spd, pol);
		spd->count++;
	}
	*index = pol->index;
	spd_changed(spd);
out:
	mutex_unlock(&spd->lock);
	return err;
}

/**
 * espah_spd_unlink() - remove a policy
 * @net: namespace
 * @dir: direction (ignored when @index is nonzero)
 * @sel: selector, masked (ignored when @index is nonzero)
 * @xmark: mark condition (ignored when @index is nonzero)
 * @if_id: if_id (ignored when @index is nonzero)
 * @index: the policy's index, or 0 to find it by @dir, @sel, @xmark and
 *	@if_id
 *
 * Context: process (takes the SPD mutex).
 * Return: the removed policy, which the caller may still read and must
 * release with espah_policy_free(), or NULL.
 */
struct espah_policy *espah_spd_unlink(struct net *net, u8 dir,
				      const struct espah_sel *sel,
				      const struct espah_fwmark *xmark,
				      u32 if_id, u32 index)
{
	struct espah_spd *spd = spd_of(net);
	struct espah_policy *pol;

	mutex_lock(&spd->lock);
	pol = find(spd, dir, sel, xmark, if_id, index);
	if (pol) {
		list_del_rcu(&pol->list);
		espah_hold_kill(net, pol);
		spd->count--;
		spd_changed(spd);
	}
	mutex_unlock(&spd->lock);
	return pol;
}

static void policy_free_rcu(struct rcu_head *head)
{
	struct espah_policy *pol = container_of(head, struct espah_policy, rcu);

	/* a carried native policy: readers under RCU may use it until now */
	if (pol->xp)
		xfrm_pol_put(pol->xp);
	kfree(pol);
}

/**
 * espah_policy_free() - free an unlinked policy after a grace period
 * @pol: the policy, or NULL
 */
void espah_policy_free(struct espah_policy *pol)
{
	if (pol)
		call_rcu(&pol->rcu, policy_free_rcu);
}

/**
 * espah_spd_flush() - remove every policy of a namespace
 * @net: namespace
 * @carried: also those carried for native XFRM (net/xfrm/), which are
 *	otherwise native's to remove
 *
 * Context: process (takes the SPD mutex).
 * Return: how many were removed.
 */
unsigned int espah_spd_flush(struct net *net, bool carried)
{
	struct espah_spd *spd = spd_of(net);
	struct espah_policy *pol, *tmp;
	unsigned int n = 0;
	int d;

	mutex_lock(&spd->lock);
	for (d = 0; d <= ESPAH_DIR_FWD; d++) {
		list_for_each_entry_safe(pol, tmp, &spd->pol[d], list) {
			if (pol->xp && !carried)
				continue;
			list_del_rcu(&pol->list);
			espah_hold_kill(net, pol);
			espah_policy_free(pol);
			n++;
			cond_resched();
		}
	}
	spd->count -= n;
	if (n)
		spd_changed(spd);
	mutex_unlock(&spd->lock);
	return n;
}

/**
 * espah_spd_if_id_used() - does a policy of espah's own have this if_id
 * @net: namespace
 * @if_id: not 0
 *
 * Context: process (takes the SPD mutex).
 * Return: true if one has.
 */
bool espah_spd_if_id_used(struct net *net, u32 if_id)
{
	struct espah_spd *spd = spd_of(net);
	struct espah_policy *pol;
	bool used = false;
	int d;

	mutex_lock(&spd->lock);
	for (d = 0; d <= ESPAH_DIR_FWD && !used; d++)
		list_for_each_entry(pol, &spd->pol[d], list)
			if (pol->if_id == if_id) {
				used = true;
				break;
			}
	mutex_unlock(&spd->lock);
	return used;
}

/**
 * espah_spd_count() - number of policies in a namespace
 * @net: namespace
 *
 * Return: the count (a snapshot).
 */
u32 espah_spd_count(struct net *net)
{
	return READ_ONCE(spd_of(net)->count);
}

/**
 * espah_spd_walk() - visit policies (in, out, fwd; priority order), resumably
 * @net: namespace
 * @w: the walk, zeroed before the first step
 * @fn: called for each policy under the SPD mutex; a nonzero return stops
 *	the step before that policy
 * @arg: passed to @fn
 *
 * Resumes by position; @w->gen changes if the SPD changed in between.
 *
 * Context: process (takes the SPD mutex).
 * Return: 0 when the end was reached, otherwise what @fn returned.
 */
int espah_spd_walk(struct net *net, struct espah_spd_walk *w,
		   int (*fn)(const struct espah_policy *pol, void *arg),
		   void *arg)
{
	struct espah_spd *spd = spd_of(net);
	struct espah_policy *pol;
	unsigned long n;
	int err = 0;

	mutex_lock(&spd->lock);
	w->gen = spd->gen;
	for (; w->dir <= ESPAH_DIR_FWD; w->dir++, w->pos = 0) {
		n = 0;
		list_for_each_entry(pol, &spd->pol[w->dir], list) {
			if (n++ < w->pos)
				continue;
			err = fn(pol, arg);
			if (err)
				goto out;
			w->pos++;
		}
	}
out:
	mutex_unlock(&spd->lock);
	return err;
}

/**
 * espah_spd_net_init() - set up a namespace's SPD
 * @net: the namespace
 *
 * Return: 0.
 */
int espah_spd_net_init(struct net *net)
{
	struct espah_spd *spd = spd_of(net);
	int d;

	mutex_init(&spd->lock);
	for (d = 0; d <= ESPAH_DIR_FWD; d++)
		INIT_LIST_HEAD(&spd->pol[d]);
	spd->count = 0;
	spd->gen = 1;
	spd->next_index = 0;
	spd->wrapped = false;
	return 0;
}

/**
 * espah_spd_net_exit() - remove every policy of a dying namespace
 * @net: the namespace
 */
void espah_spd_net_exit(struct net *net)
{
	espah_spd_flush(net, true);
	mutex_destroy(&spd_of(net)->lock);
}
