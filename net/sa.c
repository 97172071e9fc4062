// SPDX-License-Identifier: GPL-2.0
/*
 * espah: Security Association Database.
 *
 * Per namespace (struct espah_sad): an rhltable of every SA keyed by
 * (spi, proto, family, dst), which gives inbound lookup; SAs of one key
 * differ by their mark conditions (ip xfrm's mark), as native XFRM's may;
 * an rhltable of OUT SAs keyed by (proto, family, src, dst),
 * which gives outbound selection without walking every SA; and a list of
 * every SA in insertion order for dumps and flushes. Readers use RCU.
 * Writers are netlink requests only and serialise on a mutex.
 *
 * Lifetime: the tables hold one reference, every lookup takes one more.
 * Removal marks the SA dead (under its lock, so the datapath sees it before
 * taking a sequence number), unlinks it and drops the tables' reference;
 * the last reference frees it after an RCU grace period, because readers
 * that found it under RCU may still be trying to take their reference.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/xfrm.h>

#include <espah/kunit.h>
#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/replay.h>
#include <espah/sa.h>
#include <espah/secpath.h>
#include <espah/spd.h>
#include <espah/tunhdr.h>

/* Per-namespace limits: Debian lets unprivileged users create network
 * namespaces, and with them SADs. What each SA takes is charged to the
 * caller's memory cgroup too; these bound it where no cgroup does.
 */
static unsigned int max_sas = 1U << 20;
module_param(max_sas, uint, 0644);
MODULE_PARM_DESC(max_sas, "SAs per network namespace (default 1048576)");

static unsigned int max_replay_kb = 256 * 1024;
module_param(max_replay_kb, uint, 0644);
MODULE_PARM_DESC(max_replay_kb,
		 "KiB of anti-replay windows per network namespace (default 262144)");

/* Off: an SA's keys exist only inside its transform, and nothing can read
 * them back (native XFRM hands them to any CAP_NET_ADMIN reader). On: SAs
 * added through espah's family from then on keep a copy, which SA_GET
 * returns when asked (ESPAH_A_SA_KEYS), so that `espah save keys` writes a
 * batch file that restores them. Only root in the initial namespace can
 * set it.
 */
static bool key_export;
module_param(key_export, bool, 0644);
MODULE_PARM_DESC(key_export,
		 "SAs added while set keep their keys for ESPAH_A_SA_KEYS (default off)");

/* Lookup key of struct espah_sad.hash. */
struct sa_key {
	const union espah_addr *dst;
	__be32 spi;
	u16 family;
	u8 proto;
};

/* Lookup key of struct espah_sad.out. */
struct out_key {
	const union espah_addr *src;
	const union espah_addr *dst;
	u16 family;
	u8 proto;
};

static struct espah_sad *sad_of(const struct net *net)
{
	return &espah_pernet(net)->sad;
}

static u32 addr_hash(u16 family, const union espah_addr *a, u32 seed)
{
	if (family == AF_INET)
		return jhash_1word((__force u32)a->a4, seed);
	return __ipv6_addr_jhash(&a->a6, seed);
}

/**
 * espah_addr_equal() - compare two addresses of one family
 * @family: AF_INET or AF_INET6
 * @a: first address
 * @b: second address
 *
 * Return: true if equal.
 */
bool espah_addr_equal(u16 family, const union espah_addr *a,
		      const union espah_addr *b)
{
	if (family == AF_INET)
		return a->a4 == b->a4;
	return ipv6_addr_equal(&a->a6, &b->a6);
}

static u32 sa_hash(__be32 spi, u8 proto, u16 family,
		   const union espah_addr *dst, u32 seed)
{
	return jhash_2words((__force u32)spi, ((u32)family << 8) | proto,
			    addr_hash(family, dst, seed));
}

static u32 sa_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct sa_key *k = data;

	return sa_hash(k->spi, k->proto, k->family, k->dst, seed);
}

static u32 sa_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct espah_sa *sa = data;

	return sa_hash(sa->spi, sa->proto, sa->family, &sa->dst, seed);
}

static int sa_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct sa_key *k = arg->key;
	const struct espah_sa *sa = obj;

	return !(sa->spi == k->spi && sa->proto == k->proto &&
		 sa->family == k->family &&
		 espah_addr_equal(k->family, &sa->dst, k->dst));
}

static const struct rhashtable_params sa_params = {
	.head_offset = offsetof(struct espah_sa, hnode),
	.hashfn = sa_key_hashfn,
	.obj_hashfn = sa_obj_hashfn,
	.obj_cmpfn = sa_obj_cmpfn,
	.automatic_shrinking = true,
};

static u32 out_hash(u8 proto, u16 family, const union espah_addr *src,
		    const union espah_addr *dst, u32 seed)
{
	return jhash_2words(addr_hash(family, src, seed),
			    ((u32)family << 8) | proto,
			    addr_hash(family, dst, seed));
}

static u32 out_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct out_key *k = data;

	return out_hash(k->proto, k->family, k->src, k->dst, seed);
}

static u32 out_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct espah_sa *sa = data;

	return out_hash(sa->proto, sa->family, &sa->src, &sa->dst, seed);
}

static int out_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct out_key *k = arg->key;
	const struct espah_sa *sa = obj;

	return !(sa->proto == k->proto && sa->family == k->family &&
		 espah_addr_equal(k->family, &sa->src, k->src) &&
		 espah_addr_equal(k->family, &sa->dst, k->dst));
}

static const struct rhashtable_params out_params = {
	.head_offset = offsetof(struct espah_sa, onode),
	.hashfn = out_key_hashfn,
	.obj_hashfn = out_obj_hashfn,
	.obj_cmpfn = out_obj_cmpfn,
	.automatic_shrinking = true,
};

/* Frees SAs: crypto_free_aead() may sleep, so not from an RCU callback. */
static struct workqueue_struct *sa_free_wq;
/* Key of the SAs' key fingerprints (&espah_sa.key_id): random per module
 * load, so a fingerprint says nothing about a key outside this kernel.
 */
static siphash_key_t key_id_key __ro_after_init;

/* SAs have their own cache: a gateway holds many, and kmalloc would round
 * each up to the next power of two.
 */
static struct kmem_cache *sa_cache;

static void sa_free_work(struct work_struct *work)
{
	struct espah_sa *sa = container_of(to_rcu_work(work), struct espah_sa,
					   free_work);

	if (sa->crypto.aead)
		espah_crypto_destroy(&sa->crypto);
	espah_replay_free(sa->replay);
	if (sa->dst_cache.cache)
		dst_cache_destroy(&sa->dst_cache);
	free_percpu(sa->stats);
	espah_mark_put(sa->mark);
	if (sa->xs)
		xfrm_state_put(sa->xs);
	kfree_sensitive(sa->keys);
	kfree(sa->dummy);
	memzero_explicit(sa, sizeof(*sa));	/* the salt is key material */
	kmem_cache_free(sa_cache, sa);
}

/**
 * espah_sa_hold() - take a reference on an SA the caller already holds
 * @sa: the SA
 */
void espah_sa_hold(struct espah_sa *sa)
{
	refcount_inc(&sa->ref);
}

/**
 * espah_sa_put() - drop a reference
 * @sa: the SA, or NULL
 *
 * The last reference frees the SA (transform, replay window, counters)
 * after an RCU grace period, from a work item. Any context.
 */
void espah_sa_put(struct espah_sa *sa)
{
	if (sa && refcount_dec_and_test(&sa->ref)) {
		INIT_RCU_WORK(&sa->free_work, sa_free_work);
		queue_rcu_work(sa_free_wq, &sa->free_work);
	}
}

/**
 * espah_sa_module_init() - create the SA cache and the workqueue that
 *	frees SAs
 *
 * Return: 0 or -ENOMEM.
 */
int espah_sa_module_init(void)
{
	get_random_bytes(&key_id_key, sizeof(key_id_key));
	/* charged to the memory cgroup of whoever adds the SA */
	sa_cache = KMEM_CACHE(espah_sa, SLAB_ACCOUNT);
	if (!sa_cache)
		return -ENOMEM;
	sa_free_wq = alloc_workqueue("espah_sa_free", WQ_UNBOUND, 0);
	if (!sa_free_wq) {
		kmem_cache_destroy(sa_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * espah_sa_module_exit() - wait for every SA to be freed
 *
 * Called after every namespace's SAD is gone: waits for the grace periods
 * of the last puts (rcu_barrier()), then for their work items.
 */
void espah_sa_module_exit(void)
{
	rcu_barrier();
	destroy_workqueue(sa_free_wq);
	kmem_cache_destroy(sa_cache);
}

ESPAH_EXPORT_FOR_KUNIT(espah_sa_put);

/**
 * espah_sa_alloc() - allocate an empty, unpublished SA
 * @gfp: allocation flags
 *
 * The caller fills in the identity fields (spi, proto, mode, dir, family,
 * addresses, selector, reqid, flags, window), then calls espah_sa_setup()
 * and espah_sa_insert(). Release with espah_sa_put() at any stage.
 *
 * Return: the SA with one reference, or NULL.
 */
struct espah_sa *espah_sa_alloc(gfp_t gfp)
{
	struct espah_sa *sa;
	int cpu;

	sa = kmem_cache_zalloc(sa_cache, gfp);
	if (!sa)
		return NULL;
	sa->stats = alloc_percpu_gfp(struct espah_sa_stats, gfp);
	if (!sa->stats) {
		kmem_cache_free(sa_cache, sa);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sa->stats, cpu)->syncp);
	refcount_set(&sa->ref, 1);
	spin_lock_init(&sa->lock);
	INIT_LIST_HEAD(&sa->list);
	sa->dscp = ESPAH_TUNHDR_DSCP_COPY;
	return sa;
}

ESPAH_EXPORT_FOR_KUNIT(espah_sa_alloc);

/**
 * espah_sa_keepalive() - does @sa send NAT keepalives?
 * @sa: the SA
 *
 * Return: true for an outbound SA with encapsulation and an interval
 *	(net/natt_keepalive.c sends them).
 */
bool espah_sa_keepalive(const struct espah_sa *sa)
{
	return sa->dir == ESPAH_DIR_OUT && sa->encap.type &&
	       sa->encap.keepalive;
}

/**
 * espah_sa_key_export() - whether new SAs keep their keys (key_export)
 *
 * Return: the module parameter's value.
 */
bool espah_sa_key_export(void)
{
	return READ_ONCE(key_export);
}

/**
 * espah_sa_keep_keys() - keep a copy of an unpublished SA's keys, if
 *	key_export is set
 * @sa: from espah_sa_alloc(), not yet published
 * @cfg: the algorithms and keys it is set up with
 *
 * Context: process (sleeps).
 * Return: 0 or -ENOMEM.
 */
int espah_sa_keep_keys(struct espah_sa *sa, const struct espah_alg_cfg *cfg)
{
	struct espah_sa_keys *k;

	if (!READ_ONCE(key_export))
		return 0;
	k = kmalloc(struct_size(k, data, cfg->enc_key_len + cfg->auth_key_len),
		    GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	k->enc_len = cfg->enc_key_len;
	k->auth_len = cfg->auth_key_len;
	if (cfg->enc_key_len)
		memcpy(k->data, cfg->enc_key, cfg->enc_key_len);
	if (cfg->auth_key_len)
		memcpy(k->data + cfg->enc_key_len, cfg->auth_key, cfg->auth_key_len);
	sa->keys = k;
	return 0;
}

/**
 * espah_sa_setup() - create the transform and replay state of a new SA
 * @sa: from espah_sa_alloc(), identity fields filled in, not yet published
 * @cfg: algorithms and keys
 * @seq: inbound: highest sequence number to consider received
 * @oseq: outbound: last sequence number sent
 * @extack: netlink extended ack for errors
 *
 * Context: process (sleeps).
 * Return: 0 or a negative errno; on error the caller still puts @sa.
 */
int espah_sa_setup(struct espah_sa *sa, const struct espah_alg_cfg *cfg,
		   u64 seq, u64 oseq, struct netlink_ext_ack *extack)
{
	int err;

	err = espah_crypto_init(&sa->crypto, cfg, extack);
	if (err)
		return err;
	sa->key_id = siphash(cfg->enc_key, cfg->enc_key_len, &key_id_key) ^
		     rol64(siphash(cfg->auth_key, cfg->auth_key_len, &key_id_key), 1);
	if (sa->dir == ESPAH_DIR_IN) {
		sa->replay = espah_replay_alloc(sa->window,
						sa->flags & ESPAH_SA_FLAG_ESN,
						GFP_KERNEL_ACCOUNT);
		if (!sa->replay) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_REPLAY_WINDOW: no memory for the window");
			return -ENOMEM;
		}
		if (seq)
			espah_replay_set_top(sa->replay, seq);
	}
	/* outbound tunnel: the outer route, per CPU (net/output.c) */
	if (sa->dir == ESPAH_DIR_OUT && sa->mode == ESPAH_MODE_TUNNEL &&
	    dst_cache_init(&sa->dst_cache, GFP_KERNEL_ACCOUNT)) {
		NL_SET_ERR_MSG_MOD(extack, "SAD: no memory");
		return -ENOMEM;
	}
	sa->oseq = oseq;
	return 0;
}

/* The SA of a key whose mark condition @mark satisfies, as native XFRM
 * finds one: several SAs of one (spi, proto, family, dst) may differ by
 * their marks. The newest such SA is the chain's head: it wins.
 */
static struct espah_sa *sa_find_rcu(struct espah_sad *sad, __be32 spi,
				    u8 proto, u16 family,
				    const union espah_addr *dst, u32 mark)
{
	struct sa_key k = {
		.dst = dst, .spi = spi, .family = family, .proto = proto,
	};
	struct rhlist_head *list, *pos;
	struct espah_sa *sa;

	list = rhltable_lookup(&sad->hash, &k, sa_params);
	rhl_for_each_entry_rcu(sa, pos, list, hnode)
		if (espah_fwmark_match(&sa->xmark, mark))
			return sa;
	return NULL;
}

/* A hard limit was reached: the SA is on its way out, use it no more. */
static bool sa_hard_expired(const struct espah_sa *sa)
{
	return atomic_long_read(&sa->lft_events) & ESPAH_LFT_HARD_MASK;
}

/**
 * espah_sa_lookup() - find the inbound SA for a received ESP/AH packet
 * @net: namespace
 * @spi: SPI from the packet, network order
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @family: family of @dst
 * @dst: outer destination address of the packet
 * @mark: the packet's mark (skb->mark): an SA with a mark condition is
 *	found only for packets that satisfy it
 *
 * Only IN SAs that are not dead are returned: an OUT SA with the same key
 * is not usable to receive.
 *
 * Context: any; takes rcu_read_lock() itself.
 * Return: a referenced SA (espah_sa_put() it) or NULL.
 */
struct espah_sa *espah_sa_lookup(struct net *net, __be32 spi, u8 proto,
				 u16 family, const union espah_addr *dst,
				 u32 mark)
{
	struct espah_sa *sa;

	rcu_read_lock();
	sa = sa_find_rcu(sad_of(net), spi, proto, family, dst, mark);
	if (sa && (sa->dir != ESPAH_DIR_IN || READ_ONCE(sa->dead) ||
		   sa_hard_expired(sa) || !refcount_inc_not_zero(&sa->ref)))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

/**
 * espah_sa_get() - find any SA (IN or OUT) by its key, for management
 * @net: namespace
 * @spi: SPI, network order
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @family: family of @dst
 * @dst: outer destination address
 * @mark: a mark the SA's mark condition must satisfy (ip xfrm state get
 *	... mark V/M asks with V & M; 0 finds the SAs without a condition)
 *
 * Return: a referenced SA (espah_sa_put() it) or NULL.
 */
struct espah_sa *espah_sa_get(struct net *net, __be32 spi, u8 proto,
			      u16 family, const union espah_addr *dst,
			      u32 mark)
{
	struct espah_sa *sa;

	rcu_read_lock();
	sa = sa_find_rcu(sad_of(net), spi, proto, family, dst, mark);
	if (sa && !refcount_inc_not_zero(&sa->ref))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

/* Outbound sequence space used up: RFC 4303 3.3.3 forbids cycling. */
static bool sa_exhausted(const struct espah_sa *sa)
{
	u64 oseq = READ_ONCE(sa->oseq);

	if (sa->flags & ESPAH_SA_FLAG_ESN)
		return oseq == U64_MAX;
	return oseq >= U32_MAX;
}

/**
 * espah_sa_out_spent() - will an outbound SA never send again?
 * @sa: the SA
 *
 * Context: any (lockless).
 * Return: true if its sequence numbers are used up or a hard limit was
 * reached.
 */
bool espah_sa_out_spent(const struct espah_sa *sa)
{
	return sa_exhausted(sa) || sa_hard_expired(sa);
}

/**
 * espah_sa_find_out() - choose the OUT SA for a protect policy's template
 * @net: namespace
 * @t: the template: proto and mode must match; reqid and spi if nonzero
 * @family: family of @src and @dst
 * @src: the packet's source (transport mode)
 * @dst: the packet's destination (transport mode)
 * @mark: the policy's mark value (masked): SAs whose mark condition it
 *	does not satisfy serve other policies
 * @if_id: the policy's if_id: only SAs of the same (0: none) serve it
 *
 * Tunnel mode matches the template's own endpoints, transport mode the
 * packet's addresses. Among several matching SAs (a rekey in progress) the
 * most recently added one that is alive and has sequence numbers left wins.
 *
 * Context: any; takes rcu_read_lock() itself.
 * Return: a referenced SA (espah_sa_put() it) or NULL.
 */
struct espah_sa *espah_sa_find_out(struct net *net, const struct espah_tmpl *t,
				   u16 family, const union espah_addr *src,
				   const union espah_addr *dst, u32 mark,
				   u32 if_id)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa, *best = NULL;
	struct rhlist_head *list, *pos;
	struct out_key k = { .proto = t->proto };

	if (t->mode == ESPAH_MODE_TUNNEL) {
		k.family = t->family;
		k.src = &t->src;
		k.dst = &t->dst;
	} else {
		k.family = family;
		k.src = src;
		k.dst = dst;
	}

	rcu_read_lock();
	list = rhltable_lookup(&sad->out, &k, out_params);
	rhl_for_each_entry_rcu(sa, pos, list, onode) {
		if (sa->mode != t->mode ||
		    (t->reqid && sa->reqid != t->reqid) ||
		    (t->spi && sa->spi != t->spi) ||
		    !espah_fwmark_match(&sa->xmark, mark) ||
		    sa->if_id != if_id ||
		    READ_ONCE(sa->dead) || sa_exhausted(sa) ||
		    sa_hard_expired(sa))
			continue;
		if (!best || sa->serial > best->serial)
			best = sa;
	}
	if (best && !refcount_inc_not_zero(&best->ref))
		best = NULL;
	rcu_read_unlock();
	return best;
}

/**
 * espah_sa_out_apply() - call @fn for each live outbound ESP SA
 *	from @src to @dst
 * @net: namespace
 * @family: family of @src and @dst
 * @src: outer source
 * @dst: outer destination
 * @fn: called under rcu_read_lock(); the SA may die meanwhile
 * @arg: passed to @fn
 *
 * Context: any.
 */
void espah_sa_out_apply(struct net *net, u16 family,
			const union espah_addr *src,
			const union espah_addr *dst,
			void (*fn)(struct espah_sa *sa, void *arg), void *arg)
{
	struct out_key k = {
		.src = src, .dst = dst,
		.family = family, .proto = IPPROTO_ESP,
	};
	struct rhlist_head *list, *pos;
	struct espah_sa *sa;

	rcu_read_lock();
	list = rhltable_lookup(&sad_of(net)->out, &k, out_params);
	rhl_for_each_entry_rcu(sa, pos, list, onode)
		if (!READ_ONCE(sa->dead))
			fn(sa, arg);
	rcu_read_unlock();
}

/**
 * espah_sa_stat_add() - add to a per-SA counter
 * @sa: the SA
 * @s: which counter
 * @v: amount
 *
 * Context: any (process, softirq, hardirq).
 */
void espah_sa_stat_add(struct espah_sa *sa, enum espah_sa_stat s, u64 v)
{
	struct espah_sa_stats *st;
	unsigned long flags;

	st = get_cpu_ptr(sa->stats);
	flags = u64_stats_update_begin_irqsave(&st->syncp);
	u64_stats_add(&st->v[s], v);
	u64_stats_update_end_irqrestore(&st->syncp, flags);
	put_cpu_ptr(sa->stats);
}

/**
 * espah_sa_stat_inc() - count one event on an SA
 * @sa: the SA
 * @s: which counter
 *
 * Context: any.
 */
void espah_sa_stat_inc(struct espah_sa *sa, enum espah_sa_stat s)
{
	/* the namespace's totals of the drop reasons (xfrm_stat's) */
	static const u8 total[ESPAH_SA_STAT_MAX + 1] = {
		[ESPAH_SA_STAT_REPLAY] = ESPAH_STAT_IN_STATE_SEQ_ERROR,
		[ESPAH_SA_STAT_OLD] = ESPAH_STAT_IN_STATE_SEQ_ERROR,
		[ESPAH_SA_STAT_ICV_FAIL] = ESPAH_STAT_IN_STATE_PROTO_ERROR,
		[ESPAH_SA_STAT_PAD_ERR] = ESPAH_STAT_IN_STATE_PROTO_ERROR,
		[ESPAH_SA_STAT_SEL_MISMATCH] = ESPAH_STAT_IN_STATE_MISMATCH,
		[ESPAH_SA_STAT_SEQ_OVERFLOW] = ESPAH_STAT_OUT_STATE_SEQ_ERROR,
		[ESPAH_SA_STAT_MALFORMED] = ESPAH_STAT_IN_MALFORMED,
		[ESPAH_SA_STAT_NOMEM] = ESPAH_STAT_IN_BUFFER_ERROR,
		[ESPAH_SA_STAT_DUMMY] = ESPAH_STAT_IN_DUMMY,
		[ESPAH_SA_STAT_ENCAP_MISMATCH] = ESPAH_STAT_IN_STATE_MISMATCH,
		[ESPAH_SA_STAT_NATT_KEEPALIVE] = ESPAH_STAT_OUT_NATT_KEEPALIVE,
		[ESPAH_SA_STAT_CE_NOT_ECT] = ESPAH_STAT_IN_CE_NOT_ECT,
		[ESPAH_SA_STAT_OUT_DUMMY] = ESPAH_STAT_OUT_DUMMY,
	};
	struct net *net = read_pnet(&sa->net);

	espah_sa_stat_add(sa, s, 1);
	if (total[s] && net)
		espah_stat_inc(net, total[s]);
}

/**
 * espah_sa_stats_sum() - read an SA's counters summed over all CPUs
 * @sa: the SA
 * @v: out, ESPAH_SA_STAT_MAX + 1 values indexed by enum espah_sa_stat
 */
void espah_sa_stats_sum(const struct espah_sa *sa, u64 *v)
{
	int cpu, i;

	memset(v, 0, sizeof(u64) * (ESPAH_SA_STAT_MAX + 1));
	for_each_possible_cpu(cpu) {
		const struct espah_sa_stats *st = per_cpu_ptr(sa->stats, cpu);
		u64 tmp[ESPAH_SA_STAT_MAX + 1];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			for (i = 0; i <= ESPAH_SA_STAT_MAX; i++)
				tmp[i] = u64_stats_read(&st->v[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i <= ESPAH_SA_STAT_MAX; i++)
			v[i] += tmp[i];
	}
}

ESPAH_EXPORT_FOR_KUNIT(espah_sa_stats_sum);

/**
 * espah_sa_seq() - an inbound SA's highest accepted sequence number
 * @sa: the SA
 *
 * Return: the replay window's top, 0 for an OUT SA.
 */
u64 espah_sa_seq(struct espah_sa *sa)
{
	u64 top = 0;

	spin_lock_bh(&sa->lock);
	if (sa->replay)
		top = sa->replay->top;
	spin_unlock_bh(&sa->lock);
	return top;
}

/**
 * espah_sa_oseq() - an SA's last sent sequence number
 * @sa: the SA
 *
 * Return: &espah_sa.oseq read under the SA's lock.
 */
u64 espah_sa_oseq(struct espah_sa *sa)
{
	u64 oseq;

	spin_lock_bh(&sa->lock);
	oseq = sa->oseq;
	spin_unlock_bh(&sa->lock);
	return oseq;
}

static void sad_changed(struct espah_sad *sad)
{
	lockdep_assert_held(&sad->lock);
	/* 0 would switch off the dump consistency check */
	if (!++sad->gen)
		sad->gen = 1;
}

/* Stop the datapath from using @sa; returns nothing, carries nothing. */
static void sa_kill(struct espah_sa *sa)
{
	spin_lock_bh(&sa->lock);
	WRITE_ONCE(sa->dead, true);
	spin_unlock_bh(&sa->lock);
}

/* Retire @old in favour of @new, which is not yet published: take over its
 * sequence state and mark it dead in one critical section, so no packet can
 * get a sequence number from @old that @new then hands out again (with an
 * unchanged key that would repeat a nonce). An update is the same SA with
 * new parameters, as for native XFRM: its lifetime keeps counting from the
 * original add, first use, bytes and packets (new limits apply to them).
 */
static void sa_retire_into(struct espah_sa *old, struct espah_sa *new,
			   unsigned int flags)
{
	spin_lock_bh(&old->lock);
	/* Never back: an explicit lower number under an unchanged key would
	 * send sequence numbers (the IV of the counter-mode AEADs) again.
	 */
	if ((flags & ESPAH_SA_INS_KEEP_OSEQ) || new->oseq < old->oseq)
		new->oseq = old->oseq;
	/* The window with what it has seen: an update must not let the last
	 * packets be replayed once more.
	 */
	if ((flags & ESPAH_SA_INS_KEEP_SEQ) && old->replay && new->replay)
		espah_replay_copy(new->replay, old->replay);
	WRITE_ONCE(old->dead, true);
	spin_unlock_bh(&old->lock);
	new->add_time = old->add_time;
	new->add_ns = old->add_ns;
	atomic64_set(&new->use_ns, atomic64_read(&old->use_ns));
	atomic64_set(&new->lft_packets, atomic64_read(&old->lft_packets));
	atomic64_set(&new->lft_bytes, atomic64_read(&old->lft_bytes));
}

static size_t sa_replay_bytes(const struct espah_sa *sa)
{
	return sa->replay ? espah_replay_bytes(sa->replay) : 0;
}

/* Would @sa, replacing @old (or NULL), stay within the namespace's limits? */
static int sa_within_limits(struct espah_sad *sad, const struct espah_sa *sa,
			    const struct espah_sa *old,
			    struct netlink_ext_ack *extack)
{
	size_t bytes = sad->replay_bytes + sa_replay_bytes(sa);

	lockdep_assert_held(&sad->lock);
	if (!old && sad->count >= READ_ONCE(max_sas)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "SAD: the namespace holds as many SAs as module parameter max_sas allows");
		return -ENOSPC;
	}
	if (old)
		bytes -= sa_replay_bytes(old);
	if (bytes > (size_t)READ_ONCE(max_replay_kb) * 1024) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_REPLAY_WINDOW: the namespace's replay windows would exceed module parameter max_replay_kb");
		return -ENOSPC;
	}
	return 0;
}

/* The local port of an inbound SA with encapsulation, or 0. */
static __be16 sa_natt_port(const struct espah_sa *sa)
{
	return sa->dir == ESPAH_DIR_IN ? sa->encap.dport : 0;
}

static int sa_natt_get(struct espah_sad *sad, const struct espah_sa *sa,
		       struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&sad->lock);
	if (!sa_natt_port(sa))
		return 0;
	if (espah_natt_port_get(&sad->natt, sa_natt_port(sa))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENCAP: the namespace's inbound SAs use as many other local UDP ports as espah tracks (8)");
		return -ENOSPC;
	}
	return 0;
}

static void sa_natt_put(struct espah_sad *sad, const struct espah_sa *sa)
{
	lockdep_assert_held(&sad->lock);
	if (sa_natt_port(sa))
		espah_natt_port_put(&sad->natt, sa_natt_port(sa));
}

/* Start the dummy timer (net/dummy.c) of a newly published SA; an update
 * (@old) is no traffic: the idle time runs on from the SA it replaces.
 * Under the SAD mutex, which the timer's function never takes.
 */
static void sa_dummy_start(struct espah_sa *sa, const struct espah_sa *old)
{
	struct espah_dummy *d = sa->dummy;

	if (!d)
		return;
	if (old && old->dummy)
		WRITE_ONCE(d->last_tx, READ_ONCE(old->dummy->last_tx));
	else
		WRITE_ONCE(d->last_tx, ktime_get_ns());
	hrtimer_start(&d->timer, ns_to_ktime(READ_ONCE(d->last_tx) + d->ival),
		      HRTIMER_MODE_ABS_SOFT);
}

/**
 * espah_sa_dummy_stop() - stop an SA's dummies, wait for a running callback
 * @sa: the SA, leaving its SAD (dead already), or in a dying namespace
 *
 * Context: process; not under the SA's lock (the callback takes it).
 */
void espah_sa_dummy_stop(struct espah_sa *sa)
{
	if (sa->dummy)
		hrtimer_cancel(&sa->dummy->timer);
}

/**
 * espah_sa_natt_port() - may UDP to @port hold ESP for an inbound SA?
 * @net: namespace
 * @port: UDP destination port, network order
 *
 * Context: any (lockless; see espah_natt_port_used()).
 * Return: true if an inbound SA with encapsulation uses @port.
 */
bool espah_sa_natt_port(struct net *net, __be16 port)
{
	return espah_natt_port_used(&sad_of(net)->natt, port);
}

static int sa_replace(struct espah_sad *sad, struct espah_sa *old,
		      struct espah_sa *sa, unsigned int flags,
		      struct netlink_ext_ack *extack)
{
	struct sa_key k = {
		.dst = &sa->dst, .spi = sa->spi,
		.family = sa->family, .proto = sa->proto,
	};
	struct out_key ok = {
		.src = &sa->src, .dst = &sa->dst,
		.family = sa->family, .proto = sa->proto,
	};
	int err;

	lockdep_assert_held(&sad->lock);
	err = sa_within_limits(sad, sa, old, extack);
	if (err)
		return err;
	err = sa_natt_get(sad, sa, extack);
	if (err)
		return err;
	sa->serial = old->serial;
	sa_retire_into(old, sa, flags);
	if (sa->dir == ESPAH_DIR_OUT) {
		err = rhltable_insert_key(&sad->out, &ok, &sa->onode,
					  out_params);
		if (err) {
			WRITE_ONCE(old->dead, false);
			sa_natt_put(sad, sa);
			NL_SET_ERR_MSG_MOD(extack, "SAD: no memory");
			return err;
		}
	}
	/* the new SA goes to the head of its key's chain, before @old: no
	 * lookup misses both
	 */
	err = rhltable_insert_key(&sad->hash, &k, &sa->hnode, sa_params);
	if (err) {
		if (sa->dir == ESPAH_DIR_OUT)
			rhltable_remove(&sad->out, &sa->onode, out_params);
		WRITE_ONCE(old->dead, false);
		sa_natt_put(sad, sa);
		NL_SET_ERR_MSG_MOD(extack, "SAD: no memory");
		return err;
	}
	refcount_inc(&sa->ref);
	WARN_ON_ONCE(rhltable_remove(&sad->hash, &old->hnode, sa_params));
	if (old->dir == ESPAH_DIR_OUT)
		rhltable_remove(&sad->out, &old->onode, out_params);
	list_replace_rcu(&old->list, &sa->list);
	if (espah_sa_keepalive(old))
		list_del(&old->ka_node);
	if (espah_sa_keepalive(sa)) {
		/* an update is no traffic: the interval runs on */
		sa->natt_tx = espah_sa_keepalive(old) ? READ_ONCE(old->natt_tx) :
							jiffies;
		list_add_tail(&sa->ka_node, &sad->ka_list);
	}
	sa_dummy_start(sa, old);
	espah_sa_dummy_stop(old);
	sa_natt_put(sad, old);
	sad->replay_bytes += sa_replay_bytes(sa) - sa_replay_bytes(old);
	sad_changed(sad);
	espah_sa_put(old);
	return 0;
}

/* How long a deleted outbound SA's last sequence number is remembered. */
#define TOMB_AGE	(60 * HZ)

/* Remember where a dying outbound SA's numbers stopped (after sa_kill():
 * the datapath takes no number from it any more).
 */
static void sa_bury(struct espah_sad *sad, struct espah_sa *sa)
{
	struct espah_sa_tomb *t;

	lockdep_assert_held(&sad->lock);
	if (sa->dir != ESPAH_DIR_OUT || sa->xs)
		return;
	t = &sad->tombs[sad->tomb_next++ % ESPAH_SA_TOMBS];
	t->family = sa->family;
	t->dst = sa->dst;
	t->spi = sa->spi;
	t->proto = sa->proto;
	t->key_id = sa->key_id;
	t->oseq = espah_sa_oseq(sa);
	t->when = jiffies ?: 1;
}

/* A new outbound SA with the identity and the keys of one deleted a
 * moment ago starts after that one's last number, whatever replay-oseq it
 * was given: the number in a saved file or read by a key manager may be
 * behind what was sent since. Under other keys it starts where it is
 * told: no number is repeated under a key, and a rekey that reuses the
 * SPI keeps all its sequence space.
 */
static void sa_unbury(struct espah_sad *sad, struct espah_sa *sa)
{
	struct espah_sa_tomb *t;
	int i;

	lockdep_assert_held(&sad->lock);
	if (sa->dir != ESPAH_DIR_OUT || sa->xs)
		return;
	for (i = 0; i < ESPAH_SA_TOMBS; i++) {
		t = &sad->tombs[i];
		if (!t->when || time_after(jiffies, t->when + TOMB_AGE) ||
		    t->spi != sa->spi || t->proto != sa->proto ||
		    t->family != sa->family || t->key_id != sa->key_id ||
		    !espah_addr_equal(sa->family, &t->dst, &sa->dst))
			continue;
		sa->oseq = max(sa->oseq, t->oseq);
		t->when = 0;
	}
}

/**
 * espah_sa_insert() - publish a new SA in its namespace
 * @net: namespace
 * @sa: from espah_sa_alloc() + espah_sa_setup()
 * @flags: ESPAH_SA_INS_*: with ESPAH_SA_INS_UPDATE an SA with the same
 *	(spi, proto, family, dst) is replaced (it dies, @sa takes its place
 *	and its age for outbound selection, and, as the other flags say, its
 *	sequence state); without it such an SA makes this fail
 * @extack: netlink extended ack for errors
 *
 * The tables take their own reference; the caller keeps its own. The
 * caller kicks the lifetime work and the hold queues afterwards (the SAD
 * knows neither).
 *
 * Context: process (takes the SAD mutex).
 * Return: 0, -EEXIST, or another negative errno.
 */
int espah_sa_insert(struct net *net, struct espah_sa *sa, unsigned int flags,
		    struct netlink_ext_ack *extack)
{
	struct espah_sad *sad = sad_of(net);
	struct sa_key k = {
		.dst = &sa->dst, .spi = sa->spi,
		.family = sa->family, .proto = sa->proto,
	};
	struct out_key ok = {
		.src = &sa->src, .dst = &sa->dst,
		.family = sa->family, .proto = sa->proto,
	};
	struct espah_sa *old;
	int err;

	sa->add_time = ktime_get_real_seconds();
	sa->add_ns = ktime_get_boottime_ns();
	write_pnet(&sa->net, net);
	if (sa->dir == ESPAH_DIR_IN && sa->family == AF_INET6 &&
	    !espah_pernet(net)->defrag6) {
		NL_SET_ERR_MSG_MOD(extack,
				   "SAD: IPv6 reassembly (nf_defrag_ipv6) is not available: see the kernel log");
		return -EOPNOTSUPP;
	}
	if (sa->dir == ESPAH_DIR_IN && !sa->mark) {
		sa->mark = espah_mark_get(net, sa);
		if (!sa->mark) {
			NL_SET_ERR_MSG_MOD(extack, "SAD: no memory");
			return -ENOMEM;
		}
	}
	mutex_lock(&sad->lock);
	/* as native XFRM: the same key is the same SA if the new one's mark
	 * value satisfies the old one's condition
	 */
	rcu_read_lock();	/* for the lookup's checks; the mutex keeps it */
	old = sa_find_rcu(sad, sa->spi, sa->proto, sa->family, &sa->dst,
			  sa->xmark.v & sa->xmark.m);
	rcu_read_unlock();
	if (old && old->xs && !sa->xs) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_SPI: the SA is native XFRM's (carried for an if_id): change it with ip xfrm or its IKE daemon");
		err = -EPERM;
	} else if (old) {
		if (flags & ESPAH_SA_INS_UPDATE) {
			err = sa_replace(sad, old, sa, flags, extack);
		} else {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_SPI: an SA with this SPI, destination, protocol and mark exists");
			err = -EEXIST;
		}
		goto out;
	}

	err = sa_within_limits(sad, sa, NULL, extack);
	if (err)
		goto out;
	err = sa_natt_get(sad, sa, extack);
	if (err)
		goto out;
	sa_unbury(sad, sa);
	sa->serial = ++sad->serial;
	refcount_inc(&sa->ref);
	if (sa->dir == ESPAH_DIR_OUT) {
		err = rhltable_insert_key(&sad->out, &ok, &sa->onode,
					  out_params);
		if (err)
			goto err_ref;
	}
	err = rhltable_insert_key(&sad->hash, &k, &sa->hnode, sa_params);
	if (err) {
		if (sa->dir == ESPAH_DIR_OUT)
			rhltable_remove(&sad->out, &sa->onode, out_params);
		goto err_ref;
	}
	list_add_tail_rcu(&sa->list, &sad->list);
	if (espah_sa_keepalive(sa)) {
		sa->natt_tx = jiffies;
		list_add_tail(&sa->ka_node, &sad->ka_list);
	}
	sa_dummy_start(sa, NULL);
	sad->count++;
	sad->replay_bytes += sa_replay_bytes(sa);
	sad_changed(sad);
	goto out;

err_ref:
	NL_SET_ERR_MSG_MOD(extack, "SAD: cannot insert (no memory)");
	sa_natt_put(sad, sa);
	refcount_dec(&sa->ref);
out:
	mutex_unlock(&sad->lock);
	return err;
}

static void sa_unlink(struct espah_sad *sad, struct espah_sa *sa)
{
	lockdep_assert_held(&sad->lock);
	sa_kill(sa);
	sa_bury(sad, sa);
	WARN_ON_ONCE(rhltable_remove(&sad->hash, &sa->hnode, sa_params));
	if (sa->dir == ESPAH_DIR_OUT)
		rhltable_remove(&sad->out, &sa->onode, out_params);
	list_del_rcu(&sa->list);
	if (espah_sa_keepalive(sa))
		list_del(&sa->ka_node);
	espah_sa_dummy_stop(sa);
	sa_natt_put(sad, sa);
	sad->count--;
	sad->replay_bytes -= sa_replay_bytes(sa);
	sad_changed(sad);
}

/**
 * espah_sa_unlink() - remove an SA (IN or OUT) from its namespace
 * @net: namespace
 * @spi: SPI, network order
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @family: family of @dst
 * @dst: outer destination address
 * @mark: as espah_sa_get()'s
 *
 * Context: process (takes the SAD mutex).
 * Return: the removed, dead SA, with the tables' reference passed to the
 * caller (espah_sa_put() it), or NULL if there is none.
 */
struct espah_sa *espah_sa_unlink(struct net *net, __be32 spi, u8 proto,
				 u16 family, const union espah_addr *dst,
				 u32 mark)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa;

	mutex_lock(&sad->lock);
	rcu_read_lock();	/* for the lookup's checks; the mutex keeps it */
	sa = sa_find_rcu(sad, spi, proto, family, dst, mark);
	rcu_read_unlock();
	if (sa)
		sa_unlink(sad, sa);
	mutex_unlock(&sad->lock);
	return sa;
}

/**
 * espah_sa_flush() - remove every SA of a namespace
 * @net: namespace
 * @proto: only SAs of this protocol, or 0 for all
 * @carried: also those carried for native XFRM (net/xfrm/), which are
 *	otherwise native's to remove
 *
 * Context: process (takes the SAD mutex, may reschedule).
 * Return: how many SAs were removed.
 */
unsigned int espah_sa_flush(struct net *net, u8 proto, bool carried)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa, *tmp;
	unsigned int n = 0;

	mutex_lock(&sad->lock);
	/* Newest first: that is the head of each rhltable duplicate chain,
	 * so removal stays O(1) even with many SAs between the same two
	 * endpoints (oldest first would walk the whole chain every time).
	 */
	list_for_each_entry_safe_reverse(sa, tmp, &sad->list, list) {
		if ((proto && sa->proto != proto) || (sa->xs && !carried))
			continue;
		sa_unlink(sad, sa);
		espah_sa_put(sa);
		n++;
		cond_resched();
	}
	mutex_unlock(&sad->lock);
	return n;
}

/**
 * espah_sa_count() - number of SAs in a namespace
 * @net: namespace
 *
 * Return: the count (a snapshot).
 */
u32 espah_sa_count(struct net *net)
{
	return READ_ONCE(sad_of(net)->count);
}

/**
 * espah_sa_walk() - visit SAs in insertion order, resumably
 * @net: namespace
 * @w: the walk; zero it before the first step, espah_sa_walk_end() it after
 *	the last
 * @fn: called for each SA under the SAD mutex (must not sleep for long, must
 *	not call back into the SAD); a nonzero return stops the step before
 *	that SA
 * @arg: passed to @fn
 *
 * Each step continues after the last SA @fn accepted, in O(1), by keeping a
 * reference on it. If that SA was deleted meanwhile, the step restarts by
 * position instead, and the changed @w->gen tells the caller the walk may
 * have skipped or repeated entries.
 *
 * Context: process (takes the SAD mutex).
 * Return: 0 when the end was reached, otherwise what @fn returned.
 */
int espah_sa_walk(struct net *net, struct espah_sa_walk *w,
		  int (*fn)(struct espah_sa *sa, void *arg), void *arg)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa, *last = NULL;
	int err = 0;

	mutex_lock(&sad->lock);
	w->gen = sad->gen;
	if (w->cursor && !w->cursor->dead) {
		sa = list_next_entry(w->cursor, list);
	} else {
		unsigned long n = 0;

		sa = list_first_entry(&sad->list, struct espah_sa, list);
		while (w->cursor && n < w->pos && &sa->list != &sad->list) {
			sa = list_next_entry(sa, list);
			n++;
		}
	}
	for (; &sa->list != &sad->list; sa = list_next_entry(sa, list)) {
		err = fn(sa, arg);
		if (err)
			break;
		last = sa;
		w->pos++;
	}
	if (last) {
		espah_sa_hold(last);
		espah_sa_put(w->cursor);
		w->cursor = last;
	}
	mutex_unlock(&sad->lock);
	return err;
}

/**
 * espah_sa_walk_end() - release a walk's cursor
 * @w: the walk
 */
void espah_sa_walk_end(struct espah_sa_walk *w)
{
	espah_sa_put(w->cursor);
	w->cursor = NULL;
}

/**
 * espah_sa_sweep() - visit every SA of a namespace, removing some
 * @net: namespace
 * @fn: called for each SA under the SAD mutex; true removes it
 * @gone: called for each SA @fn removed, after it is unlinked and before
 *	the tables' reference is dropped
 * @arg: passed to both
 *
 * Context: process (takes the SAD mutex).
 */
void espah_sa_sweep(struct net *net,
		    bool (*fn)(struct espah_sa *sa, void *arg),
		    void (*gone)(struct espah_sa *sa, void *arg), void *arg)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa, *tmp;

	mutex_lock(&sad->lock);
	list_for_each_entry_safe(sa, tmp, &sad->list, list) {
		if (!fn(sa, arg))
			continue;
		sa_unlink(sad, sa);
		gone(sa, arg);
		espah_sa_put(sa);
	}
	mutex_unlock(&sad->lock);
}

/**
 * espah_sa_if_id_used() - does an SA of espah's own have this if_id
 * @net: namespace
 * @if_id: not 0
 *
 * Context: process (takes the SAD mutex).
 * Return: true if one has.
 */
bool espah_sa_if_id_used(struct net *net, u32 if_id)
{
	struct espah_sad *sad = sad_of(net);
	struct espah_sa *sa;
	bool used = false;

	mutex_lock(&sad->lock);
	list_for_each_entry(sa, &sad->list, list)
		if (sa->if_id == if_id) {
			used = true;
			break;
		}
	mutex_unlock(&sad->lock);
	return used;
}

/**
 * espah_sa_net_init() - set up a namespace's SAD
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int espah_sa_net_init(struct net *net)
{
	struct espah_sad *sad = sad_of(net);
	int err;

	mutex_init(&sad->lock);
	INIT_LIST_HEAD(&sad->list);
	sad->count = 0;
	sad->replay_bytes = 0;
	sad->gen = 1;
	sad->serial = 0;
	sad->dying = false;
	memset(&sad->natt, 0, sizeof(sad->natt));
	INIT_LIST_HEAD(&sad->ka_list);
	INIT_DELAYED_WORK(&sad->lft_work, espah_sa_lft_work);
	err = rhltable_init(&sad->hash, &sa_params);
	if (err)
		return err;
	err = rhltable_init(&sad->out, &out_params);
	if (err) {
		rhltable_destroy(&sad->hash);
		return err;
	}
	return 0;
}

/**
 * espah_sa_net_exit() - remove every SA of a dying namespace
 * @net: the namespace
 *
 * SAs still referenced by packets in flight are freed when those drop them.
 */
void espah_sa_net_exit(struct net *net)
{
	struct espah_sad *sad = sad_of(net);

	/* No kick may queue the lifetime work after it is cancelled: kicks
	 * test @dying in an RCU read section, so wait those out first.
	 */
	WRITE_ONCE(sad->dying, true);
	synchronize_rcu();
	cancel_delayed_work_sync(&sad->lft_work);
	espah_sa_flush(net, 0, true);
	rhltable_destroy(&sad->out);
	rhltable_destroy(&sad->hash);
	mutex_destroy(&sad->lock);
}
