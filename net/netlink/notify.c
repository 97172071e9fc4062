// SPDX-License-Identifier: GPL-2.0
/*
 * espah netlink: SA and policy messages, in one format for GET replies,
 * dumps and notifications. Every change is multicast to the "sa" or
 * "policy" group as a GET reply would show it (genl_notify(), which also
 * echoes it to the sender with NLM_F_ECHO); expire and acquire events go
 * to "sa" and "acquire".
 */
#include <net/ipv6.h>
#include <net/xfrm.h>

#include <espah/dummy.h>

#include "nl.h"

/* Longest crypto API name we store (struct espah_crypto names are 64). */
#define ALG_NAME_MAX	63

static int put_addr(struct sk_buff *msg, int type, u16 family,
		    const union espah_addr *a)
{
	return nla_put(msg, type, family == AF_INET ? 4 : 16, a);
}

static int put_sel(struct sk_buff *msg, int type, const struct espah_sel *sel)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(msg, ESPAH_SEL_FAMILY, sel->family) ||
	    put_addr(msg, ESPAH_SEL_SRC, sel->family, &sel->src) ||
	    put_addr(msg, ESPAH_SEL_DST, sel->family, &sel->dst) ||
	    nla_put_u8(msg, ESPAH_SEL_SPLEN, sel->splen) ||
	    nla_put_u8(msg, ESPAH_SEL_DPLEN, sel->dplen) ||
	    nla_put_u8(msg, ESPAH_SEL_PROTO, sel->proto))
		goto cancel;
	if (sel->proto &&
	    (sel->sport || sel->sport_max != htons(U16_MAX)) &&
	    (nla_put_be16(msg, ESPAH_SEL_SPORT, sel->sport) ||
	     nla_put_be16(msg, ESPAH_SEL_SPORT_MAX, sel->sport_max)))
		goto cancel;
	if (sel->proto &&
	    (sel->dport || sel->dport_max != htons(U16_MAX)) &&
	    (nla_put_be16(msg, ESPAH_SEL_DPORT, sel->dport) ||
	     nla_put_be16(msg, ESPAH_SEL_DPORT_MAX, sel->dport_max)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t sel_size(void)
{
	return nla_total_size(0) +			/* nest */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       2 * nla_total_size(sizeof(struct in6_addr)) +
	       3 * nla_total_size(sizeof(u8)) +	/* SPLEN, DPLEN, PROTO */
	       4 * nla_total_size(sizeof(__be16));	/* ports */
}

size_t espah_nl_sa_msg_size(void)
{
	return GENL_HDRLEN +
	       nla_total_size(sizeof(__be32)) +		/* SPI */
	       5 * nla_total_size(sizeof(u8)) +	/* PROTO, MODE, DIR, DF, DSCP */
	       nla_total_size(sizeof(u16)) +		/* FAMILY */
	       2 * nla_total_size(sizeof(struct in6_addr)) +
	       sel_size() +
	       2 * nla_total_size(ALG_NAME_MAX + 1) +	/* AEAD or ENC, AUTH */
	       12 * nla_total_size(sizeof(u32)) +	/* ICV, WINDOW, FLAGS, REQID,
							 * XFRM_IF_ID, TFCPAD,
							 * MARK, OMARK (+ masks),
							 * IF_ID, DUMMY_RATE
							 */
	       2 * nla_total_size_64bit(sizeof(u64)) +	/* SEQ, OSEQ */
	       nla_total_size(0) +			/* STATS */
	       ESPAH_SA_STAT_MAX * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(0) +			/* LIFETIME */
	       ESPAH_LFT_MAX * nla_total_size_64bit(sizeof(u64)) +
	       2 * nla_total_size(sizeof(u8)) +	/* EXPIRE_HARD, _REASON */
	       nla_total_size(0) +			/* REORDER */
	       (1 + ESPAH_REORDER_BUCKETS) *
	       nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(0) +			/* ENCAP */
	       nla_total_size(sizeof(u16)) +		/* TYPE */
	       2 * nla_total_size(sizeof(__be16)) +	/* SPORT, DPORT */
	       nla_total_size(sizeof(struct in6_addr)) +	/* OA */
	       nla_total_size(sizeof(u32)) +		/* KEEPALIVE */
	       2 * nla_total_size(256);	/* ENC_KEY, AUTH_KEY (policy max) */
}

/* Wall-clock seconds of a boot-time ns stamp. */
static u64 boot_to_real(u64 ns)
{
	u64 ago = ktime_get_boottime_ns() - ns;

	return ktime_get_real_seconds() - div_u64(ago, NSEC_PER_SEC);
}

static int put_u64_nz(struct sk_buff *msg, int type, u64 v, int pad)
{
	return v ? nla_put_u64_64bit(msg, type, v, pad) : 0;
}

static int put_sa_lifetime(struct sk_buff *msg, const struct espah_sa *sa)
{
	const struct espah_lft *l = &sa->lft;
	u64 use = atomic64_read(&sa->use_ns);
	struct nlattr *nest;

	nest = nla_nest_start(msg, ESPAH_A_SA_LIFETIME);
	if (!nest)
		return -EMSGSIZE;
	if (put_u64_nz(msg, ESPAH_LFT_SOFT_BYTES, l->soft_bytes, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_BYTES, l->hard_bytes, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_PACKETS, l->soft_packets,
		       ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_PACKETS, l->hard_packets,
		       ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_ADD_SECS, l->soft_add, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_ADD_SECS, l->hard_add, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SOFT_USE_SECS, l->soft_use, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_HARD_USE_SECS, l->hard_use, ESPAH_LFT_PAD) ||
	    put_u64_nz(msg, ESPAH_LFT_SEQ_SOFT, l->seq_soft, ESPAH_LFT_PAD) ||
	    nla_put_u64_64bit(msg, ESPAH_LFT_ADD_TIME, sa->add_time,
			      ESPAH_LFT_PAD) ||
	    (use && nla_put_u64_64bit(msg, ESPAH_LFT_USE_TIME,
				      boot_to_real(use), ESPAH_LFT_PAD))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_sa_reorder(struct sk_buff *msg, struct espah_sa *sa)
{
	u64 hist[ESPAH_REORDER_BUCKETS], max;
	struct nlattr *nest;
	int i;

	if (!sa->replay)
		return 0;
	spin_lock_bh(&sa->lock);
	max = sa->replay->reorder_max;
	memcpy(hist, sa->replay->reorder_hist, sizeof(hist));
	spin_unlock_bh(&sa->lock);
	nest = nla_nest_start(msg, ESPAH_A_SA_REORDER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, ESPAH_REORDER_MAX, max, ESPAH_REORDER_PAD))
		goto cancel;
	for (i = 0; i < ESPAH_REORDER_BUCKETS; i++)
		if (nla_put_u64_64bit(msg, ESPAH_REORDER_BUCKET, hist[i],
				      ESPAH_REORDER_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int put_sa_stats(struct sk_buff *msg, const struct espah_sa *sa)
{
	u64 v[ESPAH_SA_STAT_MAX + 1];
	struct nlattr *nest;
	int i;

	espah_sa_stats_sum(sa, v);
	nest = nla_nest_start(msg, ESPAH_A_SA_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = ESPAH_SA_STAT_UNSPEC + 1; i <= ESPAH_SA_STAT_MAX; i++) {
		if (i == ESPAH_SA_STAT_PAD)
			continue;
		if (nla_put_u64_64bit(msg, i, v[i], ESPAH_SA_STAT_PAD)) {
			nla_nest_cancel(msg, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_sa_encap(struct sk_buff *msg, const struct espah_sa *sa)
{
	const struct espah_encap *e = &sa->encap;
	struct nlattr *nest;

	if (!e->type)
		return 0;
	nest = nla_nest_start(msg, ESPAH_A_SA_ENCAP);
	if (!nest)
		return -EMSGSIZE;
	/* the ports may follow a NAT (ESPAH_SA_FLAG_NATT_UPDATE) */
	if (nla_put_u16(msg, ESPAH_ENCAP_TYPE, e->type) ||
	    nla_put_be16(msg, ESPAH_ENCAP_SPORT, READ_ONCE(e->sport)) ||
	    nla_put_be16(msg, ESPAH_ENCAP_DPORT, READ_ONCE(e->dport)) ||
	    (e->has_oa && nla_put(msg, ESPAH_ENCAP_OA,
				  sa->family == AF_INET ? 4 : 16, &e->oa)) ||
	    (e->keepalive &&
	     nla_put_u32(msg, ESPAH_ENCAP_KEEPALIVE, e->keepalive))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The keys an SA kept (key_export), for ESPAH_A_SA_KEYS. */
static int put_sa_keys(struct sk_buff *msg, const struct espah_sa *sa)
{
	const struct espah_sa_keys *k = sa->keys;

	if (!k)
		return 0;
	if (k->enc_len && nla_put(msg, ESPAH_A_SA_ENC_KEY, k->enc_len, k->data))
		return -EMSGSIZE;
	if (k->auth_len &&
	    nla_put(msg, ESPAH_A_SA_AUTH_KEY, k->auth_len, k->data + k->enc_len))
		return -EMSGSIZE;
	return 0;
}

/* One SA as in a GET reply; its keys only with @keys (ESPAH_A_SA_KEYS),
 * and only if it kept them.
 */
int espah_nl_fill_sa(struct sk_buff *msg, struct espah_sa *sa, u32 portid,
		     u32 seq, int flags, u8 cmd, struct netlink_callback *cb,
		     bool keys)
{
	const struct espah_crypto *c = &sa->crypto;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &espah_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_be32(msg, ESPAH_A_SA_SPI, sa->spi) ||
	    nla_put_u8(msg, ESPAH_A_SA_PROTO, sa->proto) ||
	    nla_put_u8(msg, ESPAH_A_SA_MODE, sa->mode) ||
	    nla_put_u8(msg, ESPAH_A_SA_DIR, sa->dir) ||
	    nla_put_u16(msg, ESPAH_A_SA_FAMILY, sa->family) ||
	    put_addr(msg, ESPAH_A_SA_SRC, sa->family, &sa->src) ||
	    put_addr(msg, ESPAH_A_SA_DST, sa->family, &sa->dst))
		goto cancel;
	if (sa->sel.family && put_sel(msg, ESPAH_A_SA_SEL, &sa->sel))
		goto cancel;
	if (sa->aead) {
		if (nla_put_string(msg, ESPAH_A_SA_AEAD, c->enc_name))
			goto cancel;
	} else {
		if (c->enc_name[0] &&
		    nla_put_string(msg, ESPAH_A_SA_ENC, c->enc_name))
			goto cancel;
		if (c->auth_name[0] &&
		    nla_put_string(msg, ESPAH_A_SA_AUTH, c->auth_name))
			goto cancel;
	}
	if (nla_put_u32(msg, ESPAH_A_SA_ICV_BITS, c->icv_len * 8) ||
	    nla_put_u32(msg, ESPAH_A_SA_REPLAY_WINDOW, sa->window) ||
	    nla_put_u32(msg, ESPAH_A_SA_FLAGS, sa->flags) ||
	    nla_put_u32(msg, ESPAH_A_SA_REQID, sa->reqid) ||
	    nla_put_u64_64bit(msg, ESPAH_A_SA_SEQ, espah_sa_seq(sa),
			      ESPAH_A_SA_PAD) ||
	    nla_put_u64_64bit(msg, ESPAH_A_SA_OSEQ, espah_sa_oseq(sa),
			      ESPAH_A_SA_PAD) ||
	    put_sa_stats(msg, sa) || put_sa_lifetime(msg, sa) ||
	    put_sa_reorder(msg, sa) || put_sa_encap(msg, sa))
		goto cancel;
	/* absent: the defaults, copy (net/tunhdr.c) */
	if (sa->df != ESPAH_DF_COPY && nla_put_u8(msg, ESPAH_A_SA_DF, sa->df))
		goto cancel;
	if (sa->dscp != ESPAH_TUNHDR_DSCP_COPY &&
	    nla_put_u8(msg, ESPAH_A_SA_DSCP, sa->dscp))
		goto cancel;
	if (sa->tfcpad && nla_put_u32(msg, ESPAH_A_SA_TFCPAD, sa->tfcpad))
		goto cancel;
	/* absent: {0, 0}, any mark, none set */
	if ((sa->xmark.v || sa->xmark.m) &&
	    (nla_put_u32(msg, ESPAH_A_SA_MARK, sa->xmark.v) ||
	     nla_put_u32(msg, ESPAH_A_SA_MARK_MASK, sa->xmark.m)))
		goto cancel;
	if ((sa->omark.v || sa->omark.m) &&
	    (nla_put_u32(msg, ESPAH_A_SA_OMARK, sa->omark.v) ||
	     nla_put_u32(msg, ESPAH_A_SA_OMARK_MASK, sa->omark.m)))
		goto cancel;
	if (sa->if_id && nla_put_u32(msg, ESPAH_A_SA_IF_ID, sa->if_id))
		goto cancel;
	if (sa->dummy &&
	    nla_put_u32(msg, ESPAH_A_SA_DUMMY_RATE, sa->dummy->rate))
		goto cancel;
	if (sa->xs && nla_put_u32(msg, ESPAH_A_SA_XFRM_IF_ID, sa->xs->if_id))
		goto cancel;
	if (keys && put_sa_keys(msg, sa))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int put_tmpl(struct sk_buff *msg, const struct espah_tmpl *t)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, ESPAH_A_POL_TMPL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, ESPAH_TMPL_PROTO, t->proto) ||
	    nla_put_u8(msg, ESPAH_TMPL_MODE, t->mode) ||
	    nla_put_u16(msg, ESPAH_TMPL_FAMILY, t->family) ||
	    nla_put_u32(msg, ESPAH_TMPL_REQID, t->reqid) ||
	    nla_put_be32(msg, ESPAH_TMPL_SPI, t->spi))
		goto cancel;
	if (t->optional && nla_put_flag(msg, ESPAH_TMPL_OPTIONAL))
		goto cancel;
	if (t->mode == ESPAH_MODE_TUNNEL &&
	    (put_addr(msg, ESPAH_TMPL_SRC, t->family, &t->src) ||
	     put_addr(msg, ESPAH_TMPL_DST, t->family, &t->dst)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

size_t espah_nl_pol_msg_size(void)
{
	size_t tmpl = nla_total_size(0) + 2 * nla_total_size(sizeof(u8)) +
		      nla_total_size(sizeof(u16)) +
		      2 * nla_total_size(sizeof(struct in6_addr)) +
		      2 * nla_total_size(sizeof(u32)) +
		      nla_total_size(0);	/* OPTIONAL */

	return GENL_HDRLEN + 2 * nla_total_size(sizeof(u8)) + sel_size() +
	       8 * nla_total_size(sizeof(u32)) + ESPAH_MAX_TMPL * tmpl +
	       nla_total_size(sizeof(u8));	/* ORIGIN */
}

/* A policy's own attributes: direction, selector, action, priority,
 * index, hold bound, flags and templates (policy messages and acquire events).
 */
static int put_pol(struct sk_buff *msg, const struct espah_policy *pol)
{
	unsigned int i;

	if (nla_put_u8(msg, ESPAH_A_POL_DIR, pol->dir) ||
	    put_sel(msg, ESPAH_A_POL_SEL, &pol->sel) ||
	    nla_put_u8(msg, ESPAH_A_POL_ACTION, pol->action) ||
	    nla_put_u32(msg, ESPAH_A_POL_PRIORITY, pol->priority) ||
	    nla_put_u32(msg, ESPAH_A_POL_INDEX, pol->index))
		return -EMSGSIZE;
	if (pol->hold_max &&
	    nla_put_u32(msg, ESPAH_A_POL_HOLD, pol->hold_max))
		return -EMSGSIZE;
	if (pol->flags && nla_put_u32(msg, ESPAH_A_POL_FLAGS, pol->flags))
		return -EMSGSIZE;
	if (pol->xfrm && nla_put_u8(msg, ESPAH_A_POL_ORIGIN, pol->xfrm))
		return -EMSGSIZE;
	if (pol->xp && nla_put_u32(msg, ESPAH_A_POL_XFRM_INDEX, pol->xp->index))
		return -EMSGSIZE;
	if ((pol->xmark.v || pol->xmark.m) &&
	    (nla_put_u32(msg, ESPAH_A_POL_MARK, pol->xmark.v) ||
	     nla_put_u32(msg, ESPAH_A_POL_MARK_MASK, pol->xmark.m)))
		return -EMSGSIZE;
	if (pol->if_id && nla_put_u32(msg, ESPAH_A_POL_IF_ID, pol->if_id))
		return -EMSGSIZE;
	for (i = 0; i < pol->ntmpl; i++)
		if (put_tmpl(msg, &pol->tmpl[i]))
			return -EMSGSIZE;
	return 0;
}

int espah_nl_fill_pol(struct sk_buff *msg, const struct espah_policy *pol,
		      u32 portid, u32 seq, int flags, u8 cmd,
		      struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &espah_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (put_pol(msg, pol))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Someone wants to hear about a change: a group member or the sender. */
bool espah_nl_want_notify(struct genl_info *info, unsigned int group)
{
	return nlmsg_report(info->nlhdr) ||
	       genl_has_listeners(&espah_nl_family, genl_info_net(info), group);
}

void espah_nl_notify_sa(struct genl_info *info, struct espah_sa *sa, u8 cmd)
{
	struct sk_buff *msg;

	if (!espah_nl_want_notify(info, ESPAH_NLGRP_SA))
		return;
	msg = genlmsg_new(espah_nl_sa_msg_size(), GFP_KERNEL);
	if (!msg)
		return;
	if (espah_nl_fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0, cmd, NULL,
			     false)) {
		nlmsg_free(msg);
		return;
	}
	genl_notify(&espah_nl_family, msg, info, ESPAH_NLGRP_SA, GFP_KERNEL);
}

/* A flush: the command plus what it flushed and how many went. */
void espah_nl_notify_flush(struct genl_info *info, unsigned int group, u8 cmd,
			   u8 proto, u32 count)
{
	struct sk_buff *msg;
	void *hdr;

	if (!espah_nl_want_notify(info, group))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &espah_nl_family,
			  0, cmd);
	if (!hdr ||
	    (proto && nla_put_u8(msg, ESPAH_A_SA_PROTO, proto)) ||
	    nla_put_u32(msg, ESPAH_A_COUNT, count)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genl_notify(&espah_nl_family, msg, info, group, GFP_KERNEL);
}

bool espah_nl_up;

/**
 * espah_nl_sa_expire() - multicast ESPAH_CMD_SA_EXPIRE to the "sa" group
 * @net: the SA's namespace
 * @sa: the SA (still referenced by the caller)
 * @hard: hard expire (the SA was removed) or soft
 * @reason: enum espah_expire_reason
 *
 * Context: process.
 */
void espah_nl_sa_expire(struct net *net, struct espah_sa *sa, bool hard,
			u8 reason)
{
	struct sk_buff *msg;
	struct nlmsghdr *nlh;

	msg = genlmsg_new(espah_nl_sa_msg_size(), GFP_KERNEL);
	if (!msg)
		return;
	if (espah_nl_fill_sa(msg, sa, 0, 0, 0, ESPAH_CMD_SA_EXPIRE, NULL, false))
		goto free;
	/* espah_nl_fill_sa() ended the message: append to it */
	nlh = nlmsg_hdr(msg);
	if (nla_put_u8(msg, ESPAH_A_SA_EXPIRE_HARD, hard) ||
	    nla_put_u8(msg, ESPAH_A_SA_EXPIRE_REASON, reason))
		goto free;
	nlmsg_end(msg, nlh);
	rcu_read_lock();
	if (READ_ONCE(espah_nl_up))
		genlmsg_multicast_netns(&espah_nl_family, net, msg, 0, ESPAH_NLGRP_SA,
					GFP_ATOMIC);
	else
		nlmsg_free(msg);
	rcu_read_unlock();
	return;
free:
	nlmsg_free(msg);
}

static int put_flow_sel(struct sk_buff *msg, const struct espah_flow *fl)
{
	u8 plen = fl->family == AF_INET ? 32 : 128;
	struct espah_sel sel = {
		.src = fl->src, .dst = fl->dst, .family = fl->family,
		.splen = plen, .dplen = plen, .proto = fl->proto,
		.sport = fl->sport, .sport_max = fl->sport,
		.dport = fl->dport, .dport_max = fl->dport,
	};

	if (!espah_nl_proto_has_ports(fl->proto)) {
		sel.sport = 0;
		sel.dport = 0;
		sel.sport_max = htons(U16_MAX);
		sel.dport_max = htons(U16_MAX);
	}
	return put_sel(msg, ESPAH_A_SA_SEL, &sel);
}

/**
 * espah_nl_acquire() - multicast ESPAH_CMD_ACQUIRE to the "acquire" group
 * @net: namespace
 * @pol: the protect policy that found no SA
 * @t: its template
 * @fl: the packet that needed the SA
 *
 * The message carries the policy (ESPAH_A_POL_*), the packet's own
 * selector (ESPAH_A_SA_SEL, host prefixes) and the SA wanted:
 * ESPAH_A_SA_FAMILY/SRC/DST (tunnel: the template's endpoints; transport:
 * the packet's addresses), ESPAH_A_SA_PROTO, _MODE, _REQID, and
 * ESPAH_A_SA_SPI if the template names one.
 *
 * Context: datapath, under rcu_read_lock().
 */
void espah_nl_acquire(struct net *net, const struct espah_policy *pol,
		      const struct espah_tmpl *t, const struct espah_flow *fl)
{
	bool tunnel = t->mode == ESPAH_MODE_TUNNEL;
	u16 family = tunnel ? t->family : fl->family;
	struct sk_buff *msg;
	void *hdr;

	if (!READ_ONCE(espah_nl_up) ||
	    !genl_has_listeners(&espah_nl_family, net, ESPAH_NLGRP_ACQUIRE))
		return;
	msg = genlmsg_new(espah_nl_pol_msg_size() + sel_size() + 128, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &espah_nl_family, 0, ESPAH_CMD_ACQUIRE);
	if (!hdr)
		goto free;
	if (put_pol(msg, pol))
		goto free;
	if (put_flow_sel(msg, fl) ||
	    nla_put_u16(msg, ESPAH_A_SA_FAMILY, family) ||
	    put_addr(msg, ESPAH_A_SA_SRC, family, tunnel ? &t->src : &fl->src) ||
	    put_addr(msg, ESPAH_A_SA_DST, family, tunnel ? &t->dst : &fl->dst) ||
	    nla_put_u8(msg, ESPAH_A_SA_PROTO, t->proto) ||
	    nla_put_u8(msg, ESPAH_A_SA_MODE, t->mode) ||
	    nla_put_u32(msg, ESPAH_A_SA_REQID, t->reqid) ||
	    (t->spi && nla_put_be32(msg, ESPAH_A_SA_SPI, t->spi)))
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&espah_nl_family, net, msg, 0, ESPAH_NLGRP_ACQUIRE,
				GFP_ATOMIC);
	return;
free:
	nlmsg_free(msg);
}

/**
 * espah_nl_xfrm_refused() - multicast ESPAH_CMD_XFRM_REFUSED ("sa" group)
 * @net: namespace
 * @spi: the native SA's SPI (0 for a policy)
 * @proto: its protocol
 * @family: its family
 * @dst: its destination, or NULL for a policy
 * @index: the native policy's index (0 for an SA)
 * @why: what espah cannot carry
 *
 * Context: process.
 */
void espah_nl_xfrm_refused(struct net *net, __be32 spi, u8 proto, u16 family,
			   const union espah_addr *dst, u32 index,
			   const char *why)
{
	struct sk_buff *msg;
	void *hdr;

	if (!READ_ONCE(espah_nl_up) ||
	    !genl_has_listeners(&espah_nl_family, net, ESPAH_NLGRP_SA))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &espah_nl_family, 0, ESPAH_CMD_XFRM_REFUSED);
	if (!hdr)
		goto free;
	if (dst && (nla_put_be32(msg, ESPAH_A_SA_SPI, spi) ||
		    nla_put_u8(msg, ESPAH_A_SA_PROTO, proto) ||
		    nla_put_u16(msg, ESPAH_A_SA_FAMILY, family) ||
		    put_addr(msg, ESPAH_A_SA_DST, family, dst)))
		goto free;
	if ((index && nla_put_u32(msg, ESPAH_A_POL_XFRM_INDEX, index)) ||
	    nla_put_string(msg, ESPAH_A_XFRM_REASON, why))
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&espah_nl_family, net, msg, 0, ESPAH_NLGRP_SA,
				GFP_KERNEL);
	return;
free:
	nlmsg_free(msg);
}

/**
 * espah_nl_sa_mapping() - multicast ESPAH_CMD_SA_MAPPING ("sa" group)
 * @net: namespace
 * @sa: the inbound SA whose packet came from elsewhere
 * @src: where it came from
 * @old_port: the UDP source port @sa recorded
 * @updated: @sa (and its outbound SAs) now use @src's port
 *
 * Context: datapath (softirq or a crypto completion).
 */
void espah_nl_sa_mapping(struct net *net, const struct espah_sa *sa,
			 const struct espah_natt_src *src, __be16 old_port,
			 bool updated)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(espah_nl_up) ||
	    !genl_has_listeners(&espah_nl_family, net, ESPAH_NLGRP_SA))
		goto out;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &espah_nl_family, 0, ESPAH_CMD_SA_MAPPING);
	if (!hdr)
		goto free;
	if (nla_put_be32(msg, ESPAH_A_SA_SPI, sa->spi) ||
	    nla_put_u8(msg, ESPAH_A_SA_PROTO, sa->proto) ||
	    nla_put_u16(msg, ESPAH_A_SA_FAMILY, sa->family) ||
	    put_addr(msg, ESPAH_A_SA_DST, sa->family, &sa->dst) ||
	    nla_put_u32(msg, ESPAH_A_SA_REQID, sa->reqid))
		goto free;
	nest = nla_nest_start(msg, ESPAH_A_SA_MAPPING);
	if (!nest ||
	    put_addr(msg, ESPAH_MAPPING_OLD_ADDR, sa->family, &sa->src) ||
	    nla_put_be16(msg, ESPAH_MAPPING_OLD_PORT, old_port) ||
	    nla_put(msg, ESPAH_MAPPING_NEW_ADDR,
		    sa->family == AF_INET ? 4 : 16, &src->addr) ||
	    nla_put_be16(msg, ESPAH_MAPPING_NEW_PORT, src->port) ||
	    nla_put_u8(msg, ESPAH_MAPPING_UPDATED, updated))
		goto free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&espah_nl_family, net, msg, 0, ESPAH_NLGRP_SA,
				GFP_ATOMIC);
	goto out;
free:
	nlmsg_free(msg);
out:
	rcu_read_unlock();
}
