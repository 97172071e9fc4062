// SPDX-License-Identifier: GPL-2.0
/*
 * espah xfrm bridge: a native SA or policy in espah's terms, or the reason
 * espah cannot carry it. Whatever native XFRM would do differently with an
 * object (a flag that changes the packets, an encapsulation, a compression)
 * is refused here, never approximated: the caller reports it, and the
 * traffic stays off the wire rather than going out different.
 */
#include <linux/in.h>
#include <linux/string.h>
#include <linux/udp.h>
#include <net/xfrm.h>

#include <espah/crypto.h>
#include <espah/kunit.h>
#include <espah/xfrm.h>

/* Flags espah knows: AF_UNSPEC lets the inner family differ (espah's
 * tunnels carry both); ALIGN4 (AH's ICV padding over IPv4), ESN, ICMP
 * (errors judged by the packet they quote) and WILDRECV (never used to
 * send: the SA is carried as an inbound one) are carried as espah's flags,
 * and so are the tunnel header flags (tunhdr_from()).
 */
#define SA_FLAGS_OK (XFRM_STATE_WILDRECV | XFRM_STATE_ICMP | \
		     XFRM_STATE_AF_UNSPEC | XFRM_STATE_ALIGN4 | \
		     XFRM_STATE_ESN | XFRM_STATE_NOECN | \
		     XFRM_STATE_DECAP_DSCP | XFRM_STATE_NOPMTUDISC)

/* Native's tunnel header flags as espah's rules (net/tunhdr.c), which
 * make the same outer header for each: noecn a Not-ECT outer header and
 * no ECN from it on input, decap-dscp the outer DSCP into the inner one,
 * dont-encap-dscp an outer DSCP of 0, nopmtudisc (which a namespace's
 * ip_no_pmtu_disc also sets) an IPv4 outer header without DF. Native
 * applies none of them in transport mode, nor nopmtudisc to an IPv6
 * outer header: neither does espah, which leaves them out there.
 */
static void tunhdr_from(const struct xfrm_state *x, struct espah_sa *sa)
{
	if (sa->mode != ESPAH_MODE_TUNNEL)
		return;
	if (x->props.flags & XFRM_STATE_NOECN)
		sa->flags |= ESPAH_SA_FLAG_NOECN;
	if (x->props.flags & XFRM_STATE_DECAP_DSCP)
		sa->flags |= ESPAH_SA_FLAG_DECAP_DSCP;
	if (x->props.extra_flags & XFRM_SA_XFLAG_DONT_ENCAP_DSCP)
		sa->dscp = 0;
	if ((x->props.flags & XFRM_STATE_NOPMTUDISC) && sa->family == AF_INET)
		sa->df = ESPAH_DF_CLEAR;
}

static void addr_from(union espah_addr *a, const xfrm_address_t *x, u16 family)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET)
		a->a4 = x->a4;
	else
		a->a6 = x->in6;
}

/* A native port and mask as an espah range; only prefix masks have one. */
static bool port_range(__be16 port, __be16 mask, __be16 *lo, __be16 *hi)
{
	u16 m = ntohs(mask);
	u16 holes = ~m;	/* in u16: ~m on the promoted int sets bits 16-31 */

	if (m & (holes >> 1))	/* a 1 right of a 0: not a prefix */
		return false;
	*lo = htons(ntohs(port) & m);
	*hi = htons((ntohs(port) & m) | holes);
	return true;
}

static int sel_from(struct espah_sel *s, const struct xfrm_selector *x,
		    const char **why)
{
	memset(s, 0, sizeof(*s));
	if (x->ifindex) {
		*why = "a selector bound to an interface (dev)";
		return -EOPNOTSUPP;
	}
	if (x->family != AF_INET && x->family != AF_INET6) {
		/* an SA's selector may be all-zero: any */
		if (x->prefixlen_d || x->prefixlen_s || x->proto) {
			*why = "a selector without an address family";
			return -EOPNOTSUPP;
		}
		return 0;
	}
	s->family = x->family;
	addr_from(&s->src, &x->saddr, x->family);
	addr_from(&s->dst, &x->daddr, x->family);
	s->splen = x->prefixlen_s;
	s->dplen = x->prefixlen_d;
	s->proto = x->proto;
	if (!port_range(x->sport, x->sport_mask, &s->sport, &s->sport_max) ||
	    !port_range(x->dport, x->dport_mask, &s->dport, &s->dport_max)) {
		*why = "a selector port mask that is not a range";
		return -EOPNOTSUPP;
	}
	return 0;
}

static u64 lft_limit(u64 v)
{
	return v == XFRM_INF ? 0 : v;
}

static int algs_from(const struct xfrm_state *x, struct espah_sa *sa,
		     struct espah_alg_cfg *cfg, const char **why)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->esn = x->props.flags & XFRM_STATE_ESN;
	if (x->calg) {
		*why = "IPComp";
		return -EOPNOTSUPP;
	}
	if (x->aead) {
		if (x->id.proto == IPPROTO_AH) {
			*why = "AH with a combined-mode algorithm";
			return -EOPNOTSUPP;
		}
		cfg->aead = x->aead->alg_name;
		cfg->enc_key = x->aead->alg_key;
		cfg->enc_key_len = DIV_ROUND_UP(x->aead->alg_key_len, 8);
		cfg->icv_bits = x->aead->alg_icv_len;
		sa->aead = true;
		return 0;
	}
	if (x->aalg) {
		cfg->auth = x->aalg->alg_name;
		cfg->auth_key = x->aalg->alg_key;
		cfg->auth_key_len = DIV_ROUND_UP(x->aalg->alg_key_len, 8);
		cfg->icv_bits = x->aalg->alg_trunc_len;
	}
	if (x->id.proto == IPPROTO_AH) {
		cfg->ah = true;
		if (!x->aalg) {
			*why = "AH without an integrity algorithm";
			return -EOPNOTSUPP;
		}
		return 0;
	}
	if (!x->ealg) {
		*why = "ESP without an encryption algorithm";
		return -EOPNOTSUPP;
	}
	cfg->enc = x->ealg->alg_name;
	cfg->enc_key = x->ealg->alg_key;
	cfg->enc_key_len = DIV_ROUND_UP(x->ealg->alg_key_len, 8);
	return 0;
}

/**
 * espah_xfrm_sa_from_state() - a native SA in espah's terms
 * @x: the native SA (valid, referenced by the caller)
 * @inbound: its destination is a local address
 * @sa: from espah_sa_alloc(): identity, mode, selector, flags, window,
 *	hard count limits are filled in
 * @cfg: out: algorithms and keys, pointing into @x (keep @x referenced
 *	until espah_sa_setup() has run)
 * @seq: out: inbound: highest sequence number native XFRM has seen
 * @oseq: out: outbound: last sequence number native XFRM has sent
 * @why: out, on refusal: what espah cannot carry, for the operator
 *
 * Only the hard byte and packet limits are copied: espah enforces them
 * per packet. Soft limits and all time limits stay with native XFRM, which
 * sees espah's counts (net/xfrm/sync.c) and expires the SA itself.
 *
 * Return: 0, or -EOPNOTSUPP with @why set.
 */
int espah_xfrm_sa_from_state(const struct xfrm_state *x, bool inbound,
			     struct espah_sa *sa, struct espah_alg_cfg *cfg,
			     u64 *seq, u64 *oseq, const char **why)
{
	const struct xfrm_replay_state_esn *esn = x->replay_esn;
	u16 family = x->props.family;
	int err;

	if (x->id.proto != IPPROTO_ESP && x->id.proto != IPPROTO_AH) {
		*why = "a protocol other than ESP and AH";
		return -EOPNOTSUPP;
	}
	if (family != AF_INET && family != AF_INET6) {
		*why = "an address family other than inet and inet6";
		return -EOPNOTSUPP;
	}
	if (x->props.mode != XFRM_MODE_TRANSPORT &&
	    x->props.mode != XFRM_MODE_TUNNEL) {
		*why = "a mode other than transport and tunnel";
		return -EOPNOTSUPP;
	}
	/* (6.1 has no other bit in its u8; a later kernel may) */
	if (x->props.flags & ~SA_FLAGS_OK) {
		*why = "a flag espah does not know";
		return -EOPNOTSUPP;
	}
	if (x->props.extra_flags & XFRM_SA_XFLAG_OSEQ_MAY_WRAP) {
		/* after 2^32 (2^64) packets the numbers would start again
		 * under the same key: espah never sends a number twice
		 */
		*why = "extra-flag oseq-may-wrap (a sequence number sent twice under one key)";
		return -EOPNOTSUPP;
	}
	if (x->props.extra_flags & ~XFRM_SA_XFLAG_DONT_ENCAP_DSCP) {
		*why = "an extra-flag espah does not know";
		return -EOPNOTSUPP;
	}
	if (x->encap && (x->id.proto != IPPROTO_ESP ||
			 (x->encap->encap_type != UDP_ENCAP_ESPINUDP &&
			  x->encap->encap_type != UDP_ENCAP_ESPINUDP_NON_IKE))) {
		/* espintcp is native's only */
		*why = "encap other than espinudp and espinudp-nonike (UDP encapsulation of ESP)";
		return -EOPNOTSUPP;
	}
	/* native pads ESP in either mode; espah's TFC padding is the tunnel
	 * mode's, where the inner IP length marks the end (AH has none)
	 */
	if (x->tfcpad && x->id.proto == IPPROTO_ESP &&
	    x->props.mode != XFRM_MODE_TUNNEL) {
		*why = "tfcpad in transport mode";
		return -EOPNOTSUPP;
	}
	if (x->security || x->coaddr) {
		*why = "a security context or care-of address";
		return -EOPNOTSUPP;
	}
	if (x->xso.dev) {
		*why = "hardware offload";
		return -EOPNOTSUPP;
	}

	/* native's state lookups for output skip it (xfrm_state_find()) */
	if (x->props.flags & XFRM_STATE_WILDRECV)
		inbound = true;
	sa->spi = x->id.spi;
	sa->proto = x->id.proto;
	sa->family = family;
	addr_from(&sa->dst, &x->id.daddr, family);
	addr_from(&sa->src, &x->props.saddr, family);
	sa->dir = inbound ? ESPAH_DIR_IN : ESPAH_DIR_OUT;
	sa->mode = x->props.mode == XFRM_MODE_TUNNEL ? ESPAH_MODE_TUNNEL :
						       ESPAH_MODE_TRANSPORT;
	sa->reqid = x->props.reqid;
	err = sel_from(&sa->sel, &x->sel, why);
	if (err)
		return err;
	/* a transport SA protects its own addresses: a selector of the other
	 * family would mean a different thing in espah's SAD, so refuse it
	 */
	if (sa->mode == ESPAH_MODE_TRANSPORT && sa->sel.family &&
	    sa->sel.family != family) {
		*why = "a transport-mode selector of another address family";
		return -EOPNOTSUPP;
	}
	if (x->props.flags & XFRM_STATE_ESN)
		sa->flags |= ESPAH_SA_FLAG_ESN;
	if (x->props.flags & XFRM_STATE_ALIGN4)
		sa->flags |= ESPAH_SA_FLAG_ALIGN4;
	if (x->props.flags & XFRM_STATE_ICMP)
		sa->flags |= ESPAH_SA_FLAG_ICMP;
	if (x->props.flags & XFRM_STATE_WILDRECV)
		sa->flags |= ESPAH_SA_FLAG_WILDRECV;
	tunhdr_from(x, sa);
	if (x->id.proto == IPPROTO_ESP)
		sa->tfcpad = x->tfcpad;
	if (inbound) {
		sa->window = esn ? esn->replay_window : x->props.replay_window;
		if (sa->window > ESPAH_REPLAY_WINDOW_MAX) {
			*why = "a replay window larger than espah's";
			return -EOPNOTSUPP;
		}
	}
	*seq = esn ? ((u64)esn->seq_hi << 32 | esn->seq) : x->replay.seq;
	*oseq = esn ? ((u64)esn->oseq_hi << 32 | esn->oseq) : x->replay.oseq;
	if (!(sa->flags & ESPAH_SA_FLAG_ESN)) {
		*seq = lower_32_bits(*seq);
		*oseq = lower_32_bits(*oseq);
	}
	if (x->encap) {
		sa->encap.type = x->encap->encap_type;
		sa->encap.sport = x->encap->encap_sport;
		sa->encap.dport = x->encap->encap_dport;
		if (!sa->encap.sport || !sa->encap.dport) {
			*why = "encap with port 0";
			return -EOPNOTSUPP;
		}
		/* OADDR: kept for the dump, as for SAs keyed through espah */
		memcpy(&sa->encap.oa, &x->encap->encap_oa, sizeof(sa->encap.oa));
		sa->encap.has_oa = true;
	}
	/* marks as native's: the packets the SA is found for (and, outbound,
	 * the policies it serves), the mark of the packets it makes
	 */
	sa->xmark.v = x->mark.v;
	sa->xmark.m = x->mark.m;
	sa->omark.v = x->props.smark.v;
	sa->omark.m = x->props.smark.m;
	sa->lft.hard_bytes = lft_limit(x->lft.hard_byte_limit);
	sa->lft.hard_packets = lft_limit(x->lft.hard_packet_limit);
	return algs_from(x, sa, cfg, why);
}

ESPAH_EXPORT_FOR_KUNIT(espah_xfrm_sa_from_state);

static int tmpl_from(struct espah_tmpl *t, const struct xfrm_tmpl *x,
		     const char **why)
{
	memset(t, 0, sizeof(*t));
	if (x->id.proto != IPPROTO_ESP && x->id.proto != IPPROTO_AH) {
		*why = "a template of a protocol other than ESP and AH";
		return -EOPNOTSUPP;
	}
	if (x->mode != XFRM_MODE_TRANSPORT && x->mode != XFRM_MODE_TUNNEL) {
		*why = "a template mode other than transport and tunnel";
		return -EOPNOTSUPP;
	}
	t->proto = x->id.proto;
	t->mode = x->mode == XFRM_MODE_TUNNEL ? ESPAH_MODE_TUNNEL :
						ESPAH_MODE_TRANSPORT;
	t->reqid = x->reqid;
	t->spi = x->id.spi;
	t->optional = x->optional;
	if (t->mode == ESPAH_MODE_TUNNEL) {
		if (x->encap_family != AF_INET && x->encap_family != AF_INET6) {
			*why = "a tunnel template without an address family";
			return -EOPNOTSUPP;
		}
		t->family = x->encap_family;
		addr_from(&t->src, &x->saddr, t->family);
		addr_from(&t->dst, &x->id.daddr, t->family);
	}
	return 0;
}

/**
 * espah_xfrm_pol_from_native() - a native policy in espah's terms
 * @xp: the native policy (referenced by the caller)
 * @dir: its direction, XFRM_POLICY_IN/OUT/FWD
 * @pol: zeroed: direction, selector, action, priority and templates are
 *	filled in
 * @why: out, on refusal: what espah cannot carry
 *
 * Return: 0, or -EOPNOTSUPP with @why set.
 */
int espah_xfrm_pol_from_native(const struct xfrm_policy *xp, int dir,
			       struct espah_policy *pol, const char **why)
{
	int i, err;

	switch (dir) {
	case XFRM_POLICY_IN:
		pol->dir = ESPAH_DIR_IN;
		break;
	case XFRM_POLICY_OUT:
		pol->dir = ESPAH_DIR_OUT;
		break;
	case XFRM_POLICY_FWD:
		pol->dir = ESPAH_DIR_FWD;
		break;
	default:
		*why = "a socket policy";
		return -EOPNOTSUPP;
	}
	if (xp->type != XFRM_POLICY_TYPE_MAIN) {
		*why = "a sub policy";
		return -EOPNOTSUPP;
	}
	if (xp->security) {
		*why = "a security context";
		return -EOPNOTSUPP;
	}
	err = sel_from(&pol->sel, &xp->selector, why);
	if (err)
		return err;
	if (!pol->sel.family) {
		*why = "a selector without an address family";
		return -EOPNOTSUPP;
	}
	if (xp->xfrm_nr > ESPAH_MAX_TMPL) {
		*why = "more than two templates";
		return -EOPNOTSUPP;
	}
	for (i = 0; i < xp->xfrm_nr; i++) {
		err = tmpl_from(&pol->tmpl[i], &xp->xfrm_vec[i], why);
		if (err)
			return err;
	}
	pol->ntmpl = xp->xfrm_nr;
	if (xp->action == XFRM_POLICY_BLOCK)
		pol->action = ESPAH_ACTION_DISCARD;
	else
		pol->action = pol->ntmpl ? ESPAH_ACTION_PROTECT :
					   ESPAH_ACTION_BYPASS;
	if (pol->action != ESPAH_ACTION_PROTECT)
		pol->ntmpl = 0;
	pol->priority = xp->priority;
	if (xp->flags & XFRM_POLICY_ICMP)
		pol->flags |= ESPAH_POL_FLAG_ICMP;
	if (xp->flags & XFRM_POLICY_LOCALOK)
		pol->flags |= ESPAH_POL_FLAG_LOCALOK;
	pol->xmark.v = xp->mark.v;
	pol->xmark.m = xp->mark.m;
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_xfrm_pol_from_native);
