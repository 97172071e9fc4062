// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: random and mutated generic netlink requests against the espah
 * family, every reply checked.
 *
 * The requests start from valid templates of every command of
 * include/uapi/linux/espah.h (SA add/update/del/get, policy
 * add/update/del/get, flushes, count, stats, features, dumps) and are then
 * mutated: attributes dropped, duplicated, retyped, truncated, extended,
 * filled with extreme values, nested where they are flat and flat where
 * they are nested, strings unterminated or unknown, random bytes flipped,
 * random command numbers, any genl version, reserved bytes and netlink
 * flags set, NLM_F_DUMP on commands without a dump, nlmsg_len cut short
 * or longer than the datagram.
 *
 * Every reply is classified: an error must carry an extack message
 * (NLMSGERR_ATTR_MSG) unless it is one the generic netlink core returns
 * without one (unknown command, no dump for the command, message shorter
 * than the genl header); a success must be consistent with a model of the
 * SAD and SPD that the fuzzer keeps from the requests the kernel accepted
 * (an add that succeeds must be of a new key, a refused add with -EEXIST
 * of a known one, a get must return what the model holds, a count the
 * model's size, ...). The model is compared with full dumps from time to
 * time and at the end, and written out (-o) for a comparison with
 * `espah -j state list` / `policy list`.
 *
 * Unprivileged callers (-u: setuid 65534; -U: root of a new user
 * namespace, in the same network namespace) send part of the corpus: every
 * command but ESPAH_CMD_FEATURES_GET must be refused with -EPERM, and
 * joining the multicast groups must fail with EPERM.
 *
 * Deterministic for a seed (-s) and an empty SAD/SPD at the start.
 * Output: "# ..." diagnostics and "stat NAME VALUE" lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../include/uapi/linux/espah.h"

#ifndef NLA_TYPE_MASK
#define NLA_TYPE_MASK (~(NLA_F_NESTED | NLA_F_NET_BYTEORDER))
#endif
#ifndef GENL_UNS_ADMIN_PERM
#define GENL_UNS_ADMIN_PERM 0x10
#endif

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64 */

static uint64_t rs;

static uint64_t rnd64(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* true with probability p percent */
static bool pct(unsigned int p)
{
	return rnd(100) < p;
}

/* ------------------------------------------------------------------ */
/* output */

static bool verbose;
static const char *role = "root";

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# [%s] ", role);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* requests as a list of attributes (parent index for nested ones) */

#define MAXA	64
#define MAXD	1100
#define BUFSZ	(MAXA * (MAXD + 8) + 64)

struct attr {
	int parent;		/* index of the enclosing nest, -1: top level */
	uint16_t type;		/* with NLA_F_NESTED for nests */
	bool nest;
	int len;
	uint8_t data[MAXD];
};

struct req {
	uint16_t nlflags;
	uint16_t nltype;
	uint8_t cmd, version;
	uint16_t reserved;
	int n;
	struct attr a[MAXA];
	/* serialized */
	uint8_t buf[BUFSZ];
	size_t len;		/* bytes to send */
	int frame;		/* 1: nlmsg_len does not match: a reply may not come */
	const char *what;	/* generator name */
	int nmut;
};

static struct req R;

static int add_attr(struct req *r, int parent, uint16_t type, const void *d, int len)
{
	struct attr *a;

	if (r->n >= MAXA || len > MAXD)
		return -1;
	a = &r->a[r->n];
	a->parent = parent;
	a->type = type;
	a->nest = false;
	a->len = len;
	if (len)
		memcpy(a->data, d, len);
	return r->n++;
}

static int add_nest(struct req *r, int parent, uint16_t type)
{
	int i = add_attr(r, parent, type | NLA_F_NESTED, NULL, 0);

	if (i >= 0)
		r->a[i].nest = true;
	return i;
}

static void add_u8(struct req *r, int p, uint16_t t, uint8_t v) { add_attr(r, p, t, &v, 1); }
static void add_u16(struct req *r, int p, uint16_t t, uint16_t v) { add_attr(r, p, t, &v, 2); }
static void add_u32(struct req *r, int p, uint16_t t, uint32_t v) { add_attr(r, p, t, &v, 4); }
static void add_u64(struct req *r, int p, uint16_t t, uint64_t v) { add_attr(r, p, t, &v, 8); }
static void add_str(struct req *r, int p, uint16_t t, const char *s)
{
	add_attr(r, p, t, s, strlen(s) + 1);
}

static uint16_t family_id;
static uint32_t seq_no = 1000;

static void req_init(struct req *r, uint8_t cmd, const char *what)
{
	r->nlflags = NLM_F_REQUEST | NLM_F_ACK;
	r->nltype = family_id;
	r->cmd = cmd;
	r->version = ESPAH_GENL_VERSION;
	r->reserved = 0;
	r->n = 0;
	r->frame = 0;
	r->what = what;
	r->nmut = 0;
}

static size_t ser_attrs(const struct req *r, int parent, uint8_t *p)
{
	size_t off = 0;
	int i;

	for (i = 0; i < r->n; i++) {
		const struct attr *a = &r->a[i];
		struct nlattr *h = (struct nlattr *)(p + off);
		size_t l;

		if (a->parent != parent)
			continue;
		h->nla_type = a->type;
		if (a->nest)
			l = NLA_HDRLEN + ser_attrs(r, i, p + off + NLA_HDRLEN);
		else {
			memcpy(p + off + NLA_HDRLEN, a->data, a->len);
			l = NLA_HDRLEN + a->len;
		}
		h->nla_len = l > 0xffff ? 0xffff : l;
		memset(p + off + l, 0, NLA_ALIGN(l) - l);
		off += NLA_ALIGN(l);
	}
	return off;
}

static void serialize(struct req *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(r->buf + NLMSG_HDRLEN);
	size_t l;

	memset(r->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	l = ser_attrs(r, -1, r->buf + NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + l;
	nlh->nlmsg_type = r->nltype;
	nlh->nlmsg_flags = r->nlflags;
	nlh->nlmsg_seq = ++seq_no;
	g->cmd = r->cmd;
	g->version = r->version;
	g->reserved = r->reserved;
	r->len = nlh->nlmsg_len;
}

/* ------------------------------------------------------------------ */
/* parsing (of replies, and of our own accepted requests for the model) */

/* tb[type] = last attribute of that type, as the kernel's nla_parse */
static int parse_attrs(const uint8_t *p, size_t len, const struct nlattr **tb,
		       int max)
{
	const struct nlattr *a;
	int n = 0;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -1;
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		n++;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static const void *ad(const struct nlattr *a) { return (const uint8_t *)a + NLA_HDRLEN; }
static int al(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
static uint8_t g8(const struct nlattr *a) { return *(const uint8_t *)ad(a); }
static uint16_t g16(const struct nlattr *a) { uint16_t v; memcpy(&v, ad(a), 2); return v; }
static uint32_t g32(const struct nlattr *a) { uint32_t v; memcpy(&v, ad(a), 4); return v; }
static uint64_t g64(const struct nlattr *a) { uint64_t v; memcpy(&v, ad(a), 8); return v; }

static int parse_nest(const struct nlattr *n, const struct nlattr **tb, int max)
{
	return parse_attrs(ad(n), al(n), tb, max);
}

/* count top-level attributes of one type (policy templates repeat) */
static int count_type(const uint8_t *p, size_t len, int type)
{
	const struct nlattr *a;
	int n = 0;

	while (len >= NLA_HDRLEN) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			break;
		n += (a->nla_type & NLA_TYPE_MASK) == type;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* the model */

struct sa_key {
	uint32_t spi;		/* network order */
	uint8_t proto;
	uint16_t family;
	uint8_t dst[16];
	/* mark condition (ESPAH_A_SA_MARK/_MASK; 0/0: none): SAs of one
	 * (spi, proto, dst) may differ by it; a request names the newest
	 * SA whose condition its mark & mask meets, as the kernel's lookup
	 */
	uint32_t mv, mm;
};

struct sa_ent {
	struct sa_key k;
	uint64_t serial;	/* insertion order (an update keeps it) */
	uint32_t if_id;
	uint8_t dir, mode;
	uint32_t reqid, window, flags;
	char aead[64], enc[64], auth[64];
	bool may_expire;	/* a time limit that can pass during the run */
	bool seen;
};

struct sel {
	uint16_t family;
	uint8_t src[16], dst[16];
	uint8_t splen, dplen, proto;
	uint16_t sport, sport_max, dport, dport_max;	/* host order */
};

struct pol_ent {
	uint8_t dir;
	struct sel sel;
	uint32_t mv, mm, if_id;	/* with dir and sel: the policy's identity */
	uint8_t action;
	uint32_t priority, hold, index;
	int ntmpl;
	bool seen;
};

#define MAXSA	4096
#define MAXPOL	4096
static struct sa_ent sas[MAXSA];
static int nsa;
static struct pol_ent pols[MAXPOL];
static int npol;
/* the namespace's attachment to native XFRM (ESPAH_CMD_XFRM_*); the
 * fuzzer's namespace holds no native SA or policy, so nothing is carried
 */
static bool xf_attached;
static uint32_t xf_if_id, xf_mark, xf_mask;

static uint64_t sa_serial;

static bool sa_same_id(const struct sa_key *a, const struct sa_key *b)
{
	return a->spi == b->spi && a->proto == b->proto &&
	       a->family == b->family && !memcmp(a->dst, b->dst, 16);
}

/* the SA a request's key names: the newest whose mark condition the
 * request's mark & mask meets (the kernel's lookup)
 */
static int sa_find(const struct sa_key *k)
{
	uint32_t q = k->mv & k->mm;
	int i, best = -1;

	for (i = 0; i < nsa; i++)
		if (sa_same_id(&sas[i].k, k) && (q & sas[i].k.mm) == sas[i].k.mv &&
		    (best < 0 || sas[i].serial > sas[best].serial))
			best = i;
	return best;
}

/* the SA a dump entry describes: the same mark condition */
static int sa_find_exact(const struct sa_key *k)
{
	int i;

	for (i = 0; i < nsa; i++)
		if (sa_same_id(&sas[i].k, k) && sas[i].k.mv == k->mv &&
		    sas[i].k.mm == k->mm)
			return i;
	return -1;
}

static void sa_remove(int i)
{
	sas[i] = sas[--nsa];
}

static bool sel_eq(const struct sel *a, const struct sel *b)
{
	return a->family == b->family && a->splen == b->splen &&
	       a->dplen == b->dplen && a->proto == b->proto &&
	       a->sport == b->sport && a->sport_max == b->sport_max &&
	       a->dport == b->dport && a->dport_max == b->dport_max &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

static int pol_find(const struct pol_ent *e)
{
	int i;

	for (i = 0; i < npol; i++)
		if (pols[i].dir == e->dir && sel_eq(&pols[i].sel, &e->sel) &&
		    pols[i].mv == e->mv && pols[i].mm == e->mm &&
		    pols[i].if_id == e->if_id)
			return i;
	return -1;
}

static int pol_find_index(uint32_t index)
{
	int i;

	for (i = 0; i < npol; i++)
		if (pols[i].index == index)
			return i;
	return -1;
}

static void pol_remove(int i)
{
	pols[i] = pols[--npol];
}

/* the key of an SA request or reply; false if a part is missing */
static bool sa_key_of(const struct nlattr **tb, struct sa_key *k)
{
	const struct nlattr *d = tb[ESPAH_A_SA_DST];

	memset(k, 0, sizeof(*k));
	if (!tb[ESPAH_A_SA_SPI] || !tb[ESPAH_A_SA_PROTO] ||
	    !tb[ESPAH_A_SA_FAMILY] || !d)
		return false;
	k->spi = g32(tb[ESPAH_A_SA_SPI]);
	k->proto = g8(tb[ESPAH_A_SA_PROTO]);
	k->family = g16(tb[ESPAH_A_SA_FAMILY]);
	if (al(d) != (k->family == AF_INET ? 4 : 16))
		return false;
	memcpy(k->dst, ad(d), al(d));
	if (tb[ESPAH_A_SA_MARK]) {
		k->mv = g32(tb[ESPAH_A_SA_MARK]);
		k->mm = tb[ESPAH_A_SA_MARK_MASK] ? g32(tb[ESPAH_A_SA_MARK_MASK]) :
						   0xffffffff;
	}
	return true;
}

static void cpy_name(char *dst, const struct nlattr *a)
{
	int l = a ? al(a) : 0;

	dst[0] = 0;
	if (!a)
		return;
	if (l > 63)
		l = 63;
	memcpy(dst, ad(a), l);
	dst[l] = 0;
}

/* an SA as the kernel should hold it after accepting this request (or as
 * a GET reply / dump entry describes it)
 */
static bool sa_of(const struct nlattr **tb, struct sa_ent *e, bool request)
{
	memset(e, 0, sizeof(*e));
	if (!sa_key_of(tb, &e->k) || !tb[ESPAH_A_SA_DIR])
		return false;
	e->dir = g8(tb[ESPAH_A_SA_DIR]);
	e->if_id = tb[ESPAH_A_SA_IF_ID] ? g32(tb[ESPAH_A_SA_IF_ID]) : 0;
	e->mode = tb[ESPAH_A_SA_MODE] ? g8(tb[ESPAH_A_SA_MODE]) : 0;
	e->reqid = tb[ESPAH_A_SA_REQID] ? g32(tb[ESPAH_A_SA_REQID]) : 0;
	e->flags = tb[ESPAH_A_SA_FLAGS] ? g32(tb[ESPAH_A_SA_FLAGS]) : 0;
	if (tb[ESPAH_A_SA_REPLAY_WINDOW])
		e->window = g32(tb[ESPAH_A_SA_REPLAY_WINDOW]);
	else
		e->window = e->dir == ESPAH_DIR_IN ? ESPAH_REPLAY_WINDOW_DEFAULT : 0;
	cpy_name(e->aead, tb[ESPAH_A_SA_AEAD]);
	if (!tb[ESPAH_A_SA_AEAD]) {
		cpy_name(e->enc, tb[ESPAH_A_SA_ENC]);
		cpy_name(e->auth, tb[ESPAH_A_SA_AUTH]);
	}
	if (request && tb[ESPAH_A_SA_LIFETIME]) {
		const struct nlattr *lt[ESPAH_LFT_MAX + 1];
		int t;

		parse_nest(tb[ESPAH_A_SA_LIFETIME], lt, ESPAH_LFT_MAX);
		for (t = ESPAH_LFT_SOFT_ADD_SECS; t <= ESPAH_LFT_HARD_USE_SECS; t++)
			if (lt[t] && al(lt[t]) == 8 && g64(lt[t]) &&
			    g64(lt[t]) < 100000 && (t == ESPAH_LFT_HARD_ADD_SECS ||
						   t == ESPAH_LFT_HARD_USE_SECS))
				e->may_expire = true;
	}
	return true;
}

static const char *sa_diff(const struct sa_ent *m, const struct sa_ent *k)
{
	if (m->dir != k->dir)
		return "dir";
	if (m->mode != k->mode)
		return "mode";
	if (m->reqid != k->reqid)
		return "reqid";
	if (m->window != k->window)
		return "replay window";
	if (m->flags != k->flags)
		return "flags";
	if (strcmp(m->aead, k->aead))
		return "aead";
	if (strcmp(m->enc, k->enc))
		return "enc";
	if (strcmp(m->auth, k->auth))
		return "auth";
	return NULL;
}

static void mask(uint8_t *a, int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

/* the canonical selector of a SEL nest, as net/netlink.c's parse_sel */
static bool sel_of(const struct nlattr *n, struct sel *s)
{
	const struct nlattr *tb[ESPAH_SEL_MAX + 1];
	int maxlen, alen;

	memset(s, 0, sizeof(*s));
	if (!n || parse_nest(n, tb, ESPAH_SEL_MAX) < 0 || !tb[ESPAH_SEL_FAMILY])
		return false;
	s->family = g16(tb[ESPAH_SEL_FAMILY]);
	alen = s->family == AF_INET ? 4 : 16;
	maxlen = alen * 8;
	if (tb[ESPAH_SEL_SRC]) {
		if (al(tb[ESPAH_SEL_SRC]) != alen)
			return false;
		memcpy(s->src, ad(tb[ESPAH_SEL_SRC]), alen);
		s->splen = maxlen;
	}
	if (tb[ESPAH_SEL_SPLEN])
		s->splen = g8(tb[ESPAH_SEL_SPLEN]);
	if (tb[ESPAH_SEL_DST]) {
		if (al(tb[ESPAH_SEL_DST]) != alen)
			return false;
		memcpy(s->dst, ad(tb[ESPAH_SEL_DST]), alen);
		s->dplen = maxlen;
	}
	if (tb[ESPAH_SEL_DPLEN])
		s->dplen = g8(tb[ESPAH_SEL_DPLEN]);
	mask(s->src, s->splen);
	mask(s->dst, s->dplen);
	s->proto = tb[ESPAH_SEL_PROTO] ? g8(tb[ESPAH_SEL_PROTO]) : 0;
	s->sport = tb[ESPAH_SEL_SPORT] ? ntohs(g16(tb[ESPAH_SEL_SPORT])) : 0;
	s->sport_max = tb[ESPAH_SEL_SPORT_MAX] ? ntohs(g16(tb[ESPAH_SEL_SPORT_MAX])) :
		       tb[ESPAH_SEL_SPORT] ? s->sport : 0xffff;
	s->dport = tb[ESPAH_SEL_DPORT] ? ntohs(g16(tb[ESPAH_SEL_DPORT])) : 0;
	s->dport_max = tb[ESPAH_SEL_DPORT_MAX] ? ntohs(g16(tb[ESPAH_SEL_DPORT_MAX])) :
		       tb[ESPAH_SEL_DPORT] ? s->dport : 0xffff;
	return true;
}

/* a policy from a request (or reply): body is the attribute area */
static bool pol_of(const struct nlattr **tb, const uint8_t *body, size_t blen,
		   struct pol_ent *e)
{
	memset(e, 0, sizeof(*e));
	if (!tb[ESPAH_A_POL_DIR] || !sel_of(tb[ESPAH_A_POL_SEL], &e->sel))
		return false;
	e->dir = g8(tb[ESPAH_A_POL_DIR]);
	e->ntmpl = count_type(body, blen, ESPAH_A_POL_TMPL);
	if (tb[ESPAH_A_POL_ACTION])
		e->action = g8(tb[ESPAH_A_POL_ACTION]);
	else
		e->action = e->ntmpl ? ESPAH_ACTION_PROTECT : ESPAH_ACTION_BYPASS;
	e->priority = tb[ESPAH_A_POL_PRIORITY] ? g32(tb[ESPAH_A_POL_PRIORITY]) : 0;
	e->hold = tb[ESPAH_A_POL_HOLD] ? g32(tb[ESPAH_A_POL_HOLD]) : 0;
	e->index = tb[ESPAH_A_POL_INDEX] ? g32(tb[ESPAH_A_POL_INDEX]) : 0;
	if (tb[ESPAH_A_POL_MARK]) {
		e->mv = g32(tb[ESPAH_A_POL_MARK]);
		e->mm = tb[ESPAH_A_POL_MARK_MASK] ? g32(tb[ESPAH_A_POL_MARK_MASK]) :
						    0xffffffff;
	}
	e->if_id = tb[ESPAH_A_POL_IF_ID] ? g32(tb[ESPAH_A_POL_IF_ID]) : 0;
	return true;
}

static const char *pol_diff(const struct pol_ent *m, const struct pol_ent *k)
{
	if (m->action != k->action)
		return "action";
	if (m->priority != k->priority)
		return "priority";
	if (m->hold != k->hold)
		return "hold";
	if (m->ntmpl != k->ntmpl)
		return "templates";
	if (m->index && k->index && m->index != k->index)
		return "index";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* counters */

enum {
	C_MSGS, C_OK, C_ERR_MSG, C_ERR_NOMSG, C_CORE_NOCMD, C_CORE_NODUMP,
	C_CORE_SHORT, C_CORE_EPERM, C_NOREPLY, C_DROPPED, C_NOTREQ,
	C_INCONS, C_ECHO_MISSING, C_DUMPS, C_FULLCMP,
	C_SA_ADDED, C_SA_DELETED, C_POL_ADDED, C_POL_DELETED,
	C_UNPRIV_MSGS, C_UNPRIV_EPERM, C_UNPRIV_ACCEPTED, C_UNPRIV_NOT_EPERM,
	C_UNPRIV_FEATURES_OK, C_UNPRIV_OTHER_OK, C_MCAST_REFUSED,
	C_MCAST_JOINED, C_VALID, C_MUTATED, C_ENOMEM, C_SOCK_ERR, C_LOST,
	C_ENOMEM_NOMSG, C_MAX
};

static const char *const cname[C_MAX] = {
	"msgs", "ok", "err_extack", "err_no_extack", "core_unknown_cmd",
	"core_no_dump", "core_short", "core_eperm", "no_reply",
	"dropped_framing", "not_request", "inconsistent", "echo_missing",
	"dumps", "full_compares", "sa_added", "sa_deleted", "pol_added",
	"pol_deleted", "unpriv_msgs", "unpriv_eperm", "unpriv_accepted",
	"unpriv_not_eperm", "unpriv_features_ok", "unpriv_other_ok",
	"mcast_refused", "mcast_joined", "valid_sent", "mutated_sent",
	"enomem", "socket_refused", "reply_lost", "enomem_no_extack",
};

static uint64_t cnt[C_MAX];

/* a few samples of each kind of finding, with the request in hex */
static int samples[C_MAX];

static void sample(int kind, const struct req *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t i;
	int o;

	if (samples[kind]++ >= 5)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("# [%s] %s #%" PRIu64 " (%s, cmd %u, %d mutations): %s\n", role,
	       cname[kind], cnt[C_MSGS], r ? r->what : "-", r ? r->cmd : 0,
	       r ? r->nmut : 0, line);
	if (r) {
		printf("#   request:");
		for (i = 0, o = 0; i < r->len && i < 400; i++) {
			printf("%s%02x", o++ % 32 ? "" : "\n#    ", r->buf[i]);
		}
		printf("%s\n", r->len > 400 ? " ..." : "");
	}
	fflush(stdout);
}

static void incons(const struct req *r, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	cnt[C_INCONS]++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sample(C_INCONS, r, "%s", line);
}

/* ------------------------------------------------------------------ */
/* netlink I/O */

static int sock_fd = -1;

/*
 * -F: allocation failures (failslab, fail_page_alloc with task-filter=Y)
 * for this task while it sends a request and reads its reply, through
 * /proc/self/make-it-fail; valid requests only.
 */
static bool fault_mode, fail_next;
static int mif_fd = -1;

static void make_it_fail(bool on)
{
	if (mif_fd >= 0 && pwrite(mif_fd, on ? "1" : "0", 1, 0) != 1)
		perror("nlfuzz: make-it-fail");
}
static uint8_t rbuf[1 << 17];

struct reply {
	int err;		/* 0, negative errno, 1: no reply */
	bool got;		/* an ack, error or DONE came */
	char msg[300];
	bool has_msg;
	bool sock;		/* sendto() itself failed: the kernel saw nothing */
	int ndata;
	/* the first data message, for GET replies and echoes */
	uint8_t data[8192];
	size_t dlen;
	uint8_t dcmd;
};

typedef void (*data_cb)(const struct nlmsghdr *nlh, void *arg);

static int open_sock(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 60 };
	int fd, one = 1, sz = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void parse_err(const struct nlmsghdr *nlh, struct reply *rp)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const uint8_t *p;
	size_t off, len;

	rp->err = e->error;
	rp->got = true;
	rp->has_msg = false;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return;
	p = (const uint8_t *)nlh + off;
	len = nlh->nlmsg_len - off;
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    al(a) > 1) {
			snprintf(rp->msg, sizeof(rp->msg), "%.*s", al(a),
				 (const char *)ad(a));
			rp->has_msg = rp->msg[0] != 0;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Receive until the reply to @seq is complete (ack/error, or DONE for a
 * dump); with @sentinel, until the ack of that NOOP request instead,
 * collecting whatever came for @seq on the way.
 */
static void recv_reply(uint32_t seq, uint32_t sentinel, struct reply *rp,
		       data_cb cb, void *arg)
{
	for (;;) {
		ssize_t n = recv(sock_fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *nlh;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* a reply the kernel could not allocate */
				if (fault_mode) {
					rp->err = 2;
					return;
				}
				diag("recv: ENOBUFS");
				continue;
			}
			rp->err = 1;	/* timeout */
			return;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (sentinel && nlh->nlmsg_seq == sentinel) {
				if (nlh->nlmsg_type != NLMSG_ERROR)
					continue;
				/* a dump that started before it ends with DONE */
				if (rp->ndata && !rp->got) {
					sentinel = 0;
					continue;
				}
				return;
			}
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (!rp->got)
					parse_err(nlh, rp);
				if (!sentinel)
					return;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (!rp->got) {
					struct nlmsghdr fake = *nlh;
					int e = 0;

					if (nlh->nlmsg_len >= NLMSG_HDRLEN + 4)
						memcpy(&e, NLMSG_DATA(nlh), 4);
					rp->got = true;
					rp->err = e;
					/* DONE carries its extack TLVs after the int */
					if (e && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
						(void)fake;
					}
				}
				if (!sentinel)
					return;
				continue;
			}
			rp->ndata++;
			if (rp->ndata == 1 && nlh->nlmsg_len <= sizeof(rp->data)) {
				memcpy(rp->data, nlh, nlh->nlmsg_len);
				rp->dlen = nlh->nlmsg_len;
				rp->dcmd = ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
			}
			if (cb)
				cb(nlh, arg);
		}
	}
}

static int send_raw(const void *buf, size_t len)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	while (sendto(sock_fd, buf, len, 0, (struct sockaddr *)&k, sizeof(k)) < 0) {
		if (errno == EINTR)
			continue;
		return -errno;
	}
	return 0;
}

static void xfer(struct req *r, struct reply *rp, data_cb cb, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	uint32_t seq = nlh->nlmsg_seq, sentinel = 0;
	int e;

	/* everything but the data buffer; dlen (after it) too: a request
	 * answered without a data message (an echo the kernel could not
	 * allocate under -F) must not be read with an earlier reply's data
	 */
	memset(rp, 0, offsetof(struct reply, data));
	rp->dlen = 0;
	rp->dcmd = 0;
	rp->err = 1;
	make_it_fail(fail_next);
	e = send_raw(r->buf, r->len);
	if (e) {
		make_it_fail(false);
		cnt[C_SOCK_ERR]++;
		/* the socket layer refused it (e.g. too long): no kernel reply */
		rp->err = e;
		rp->got = true;
		snprintf(rp->msg, sizeof(rp->msg), "sendto: %s", strerror(-e));
		rp->sock = true;
		return;
	}
	if (r->frame || !(r->nlflags & NLM_F_REQUEST) ||
	    (!(r->nlflags & NLM_F_ACK) && (r->nlflags & NLM_F_DUMP) != NLM_F_DUMP)) {
		struct nlmsghdr noop = {
			.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
			.nlmsg_seq = sentinel = ++seq_no,
		};

		send_raw(&noop, sizeof(noop));
	}
	recv_reply(seq, sentinel, rp, cb, arg);
	make_it_fail(false);
}

/* ------------------------------------------------------------------ */
/* family, groups, ops */

static uint32_t grp_id[8];
static char grp_name[8][32];
static int ngrp;
static uint32_t op_flags[256];
static bool op_exists[256];

static void ctrl_cb(const struct nlmsghdr *nlh, void *arg)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *a;
	int rem;

	(void)arg;
	parse_attrs(p, len, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID])
		family_id = g16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		a = ad(tb[CTRL_ATTR_MCAST_GROUPS]);
		rem = al(tb[CTRL_ATTR_MCAST_GROUPS]);
		while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && ngrp < 8) {
			const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];

			parse_nest(a, g, CTRL_ATTR_MCAST_GRP_MAX);
			if (g[CTRL_ATTR_MCAST_GRP_ID]) {
				grp_id[ngrp] = g32(g[CTRL_ATTR_MCAST_GRP_ID]);
				cpy_name(grp_name[ngrp], g[CTRL_ATTR_MCAST_GRP_NAME]);
				ngrp++;
			}
			rem -= NLA_ALIGN(a->nla_len);
			a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
		}
	}
	if (tb[CTRL_ATTR_OPS]) {
		a = ad(tb[CTRL_ATTR_OPS]);
		rem = al(tb[CTRL_ATTR_OPS]);
		while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
			const struct nlattr *o[CTRL_ATTR_OP_MAX + 1];

			parse_nest(a, o, CTRL_ATTR_OP_MAX);
			if (o[CTRL_ATTR_OP_ID]) {
				uint32_t id = g32(o[CTRL_ATTR_OP_ID]);

				if (id < 256) {
					op_exists[id] = true;
					op_flags[id] = o[CTRL_ATTR_OP_FLAGS] ?
						       g32(o[CTRL_ATTR_OP_FLAGS]) : 0;
				}
			}
			rem -= NLA_ALIGN(a->nla_len);
			a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
		}
	}
}

static int resolve_family(void)
{
	struct reply rp;

	req_init(&R, CTRL_CMD_GETFAMILY, "getfamily");
	R.nltype = GENL_ID_CTRL;
	R.version = 1;
	add_str(&R, -1, CTRL_ATTR_FAMILY_NAME, ESPAH_GENL_NAME);
	serialize(&R);
	family_id = 0;
	ngrp = 0;
	memset(op_exists, 0, sizeof(op_exists));
	xfer(&R, &rp, ctrl_cb, NULL);
	if (rp.err || !family_id) {
		fprintf(stderr, "nlfuzz: family %s not found (%d %s)\n",
			ESPAH_GENL_NAME, rp.err, rp.msg);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* algorithms of the valid templates */

struct algcfg {
	uint8_t proto;
	const char *aead, *enc, *auth;
	int ekey, akey, icv;	/* -1: attribute absent */
};

static const struct algcfg algs[] = {
	{ IPPROTO_ESP, "rfc4106(gcm(aes))", NULL, NULL, 20, -1, 128 },
	{ IPPROTO_ESP, "rfc4106(gcm(aes))", NULL, NULL, 36, -1, 64 },
	{ IPPROTO_ESP, "rfc4309(ccm(aes))", NULL, NULL, 19, -1, 96 },
	{ IPPROTO_ESP, "rfc7539esp(chacha20,poly1305)", NULL, NULL, 36, -1, 128 },
	{ IPPROTO_ESP, "rfc4543(gcm(aes))", NULL, NULL, 20, -1, 128 },
	{ IPPROTO_ESP, NULL, "cbc(aes)", "hmac(sha256)", 16, 32, 128 },
	{ IPPROTO_ESP, NULL, "cbc(aes)", "hmac(sha1)", 32, 20, 96 },
	{ IPPROTO_ESP, NULL, "rfc3686(ctr(aes))", "hmac(sha512)", 20, 64, 256 },
	{ IPPROTO_ESP, NULL, "ecb(cipher_null)", "hmac(sha1)", 0, 20, 96 },
	{ IPPROTO_ESP, NULL, "cbc(aes)", "digest_null", 16, 0, -1 },
	{ IPPROTO_AH, NULL, NULL, "hmac(sha256)", -1, 32, 128 },
	{ IPPROTO_AH, NULL, NULL, "xcbc(aes)", -1, 16, 96 },
	{ IPPROTO_AH, "rfc4543(gcm(aes))", NULL, NULL, 20, -1, 128 },
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* names that are not ESP/AH algorithms, or not algorithms at all (module
 * autoloading is off during the run: no modprobe per name)
 */
static const char *const bad_names[] = {
	"", "foo", "aes", "gcm(aes)", "cbc(aes", "rfc4106(gcm(aes)))",
	"hmac(sha256)", "rfc4106(cbc(aes))", "hmac(hmac(sha1))", "sha256",
	"rfc4106(gcm(aes))rfc4106(gcm(aes))rfc4106(gcm(aes))rfc4106(gcm(aes))",
	"ecb(cipher_null)", "digest_null", "authenc(hmac(sha256),cbc(aes))",
	"xcbc(aes)", "rfc4543(gcm(aes))", "rfc7539(chacha20,poly1305)",
};

static void rnd_bytes(uint8_t *p, int n)
{
	while (n-- > 0)
		*p++ = rnd64();
}

static void add_key(struct req *r, uint16_t t, int len)
{
	uint8_t k[MAXD];

	if (len < 0)
		return;
	rnd_bytes(k, len);
	add_attr(r, -1, t, k, len);
}

static void add_algs(struct req *r, const struct algcfg *c)
{
	if (c->aead)
		add_str(r, -1, ESPAH_A_SA_AEAD, c->aead);
	if (c->enc)
		add_str(r, -1, ESPAH_A_SA_ENC, c->enc);
	if (c->auth)
		add_str(r, -1, ESPAH_A_SA_AUTH, c->auth);
	add_key(r, ESPAH_A_SA_ENC_KEY, c->ekey);
	add_key(r, ESPAH_A_SA_AUTH_KEY, c->akey);
	if (c->icv >= 0)
		add_u32(r, -1, ESPAH_A_SA_ICV_BITS, c->icv);
}

/* ------------------------------------------------------------------ */
/* templates */

static void addr_of(uint16_t fam, int host, int net, uint8_t *out)
{
	memset(out, 0, 16);
	if (fam == AF_INET) {
		out[0] = 10;
		out[1] = 9;
		out[2] = net;
		out[3] = host;
	} else {
		out[0] = 0xfd;
		out[3] = 9;
		out[5] = net;
		out[15] = host;
	}
}

static int alen_of(uint16_t fam)
{
	return fam == AF_INET ? 4 : 16;
}

static void add_addr(struct req *r, int p, uint16_t t, uint16_t fam, int host, int net)
{
	uint8_t a[16];

	addr_of(fam, host, net, a);
	add_attr(r, p, t, a, alen_of(fam));
}

static void add_sel(struct req *r, uint16_t type, uint16_t fam, bool small)
{
	int n = add_nest(r, -1, type);
	static const uint8_t protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	uint8_t proto;

	add_u16(r, n, ESPAH_SEL_FAMILY, fam);
	if (rnd(3)) {
		add_addr(r, n, ESPAH_SEL_SRC, fam, 0, rnd(small ? 2 : 4));
		add_u8(r, n, ESPAH_SEL_SPLEN, fam == AF_INET ? 24 : 64);
	}
	if (rnd(3)) {
		add_addr(r, n, ESPAH_SEL_DST, fam, 0, 10 + rnd(small ? 2 : 4));
		add_u8(r, n, ESPAH_SEL_DPLEN, fam == AF_INET ? 24 : 64);
	}
	proto = protos[rnd(small ? 3 : 4)];
	if (proto)
		add_u8(r, n, ESPAH_SEL_PROTO, proto);
	if (proto && pct(40)) {
		uint16_t lo = 1000 + rnd(2) * 1000;

		add_u16(r, n, ESPAH_SEL_DPORT, htons(lo));
		if (pct(50))
			add_u16(r, n, ESPAH_SEL_DPORT_MAX, htons(lo + 99));
	}
}

/* a key of the model, or a fresh one from the small key space */
static void sa_id_attrs(struct req *r, struct sa_key *k, bool from_model)
{
	if (from_model && nsa) {
		*k = sas[rnd(nsa)].k;
	} else {
		k->family = pct(50) ? AF_INET : AF_INET6;
		k->spi = htonl(0x100 + rnd(48));
		k->proto = pct(75) ? IPPROTO_ESP : IPPROTO_AH;
		addr_of(k->family, 1 + rnd(2), 1, k->dst);
	}
	add_u32(r, -1, ESPAH_A_SA_SPI, k->spi);
	add_u8(r, -1, ESPAH_A_SA_PROTO, k->proto);
	add_u16(r, -1, ESPAH_A_SA_FAMILY, k->family);
	add_attr(r, -1, ESPAH_A_SA_DST, k->dst, alen_of(k->family));
}

static void gen_sa_new(struct req *r, uint8_t cmd, bool from_model)
{
	static const uint32_t windows[] = { 0, 32, 64, 128, 1024, 4096, 65536 };
	const struct algcfg *c;
	struct sa_key k;
	uint8_t dir = rnd(2), mode = rnd(2);
	bool esn = pct(30);

	req_init(r, cmd, cmd == ESPAH_CMD_SA_ADD ? "sa-add" : "sa-update");
	sa_id_attrs(r, &k, from_model);
	do
		c = &algs[rnd(NALGS)];
	while (c->proto != k.proto);
	add_u8(r, -1, ESPAH_A_SA_DIR, dir);
	add_addr(r, -1, ESPAH_A_SA_SRC, k.family, 3 + rnd(2), 2);
	if (mode || pct(50))
		add_u8(r, -1, ESPAH_A_SA_MODE, mode);
	if (pct(50))
		add_sel(r, ESPAH_A_SA_SEL,
			mode ? (pct(50) ? AF_INET : AF_INET6) : k.family, false);
	if (pct(60))
		add_u32(r, -1, ESPAH_A_SA_REQID, rnd(6));
	if (pct(60))
		add_u32(r, -1, ESPAH_A_SA_REPLAY_WINDOW,
			pct(fault_mode ? 15 : 1) ? ESPAH_REPLAY_WINDOW_MAX : windows[rnd(7)]);
	if (esn || pct(20))
		add_u32(r, -1, ESPAH_A_SA_FLAGS, esn ? ESPAH_SA_FLAG_ESN : 0);
	if (pct(15))
		add_u64(r, -1, ESPAH_A_SA_SEQ, esn ? rnd64() >> 1 : rnd64() & 0xffffffff);
	if (pct(15))
		add_u64(r, -1, ESPAH_A_SA_OSEQ, esn ? rnd64() >> 1 : rnd64() & 0xffffffff);
	if (pct(20)) {
		int n = add_nest(r, -1, ESPAH_A_SA_LIFETIME);
		int t;

		for (t = ESPAH_LFT_SOFT_BYTES; t <= ESPAH_LFT_HARD_USE_SECS; t++) {
			if (!pct(30))
				continue;
			if (t >= ESPAH_LFT_SOFT_ADD_SECS)
				add_u64(r, n, t, pct(50) ? UINT64_MAX :
					100000 + rnd(1000000));
			else
				add_u64(r, n, t, pct(30) ? UINT64_MAX : 1 + rnd(1 << 30));
		}
		if (dir == ESPAH_DIR_OUT && pct(30))
			add_u64(r, n, ESPAH_LFT_SEQ_SOFT, 1 + rnd(100000));
	}
	add_algs(r, c);
}

static void gen_sa_ref(struct req *r, uint8_t cmd, const char *what)
{
	struct sa_key k;

	req_init(r, cmd, what);
	sa_id_attrs(r, &k, pct(70));
}

static void add_tmpl(struct req *r, uint16_t selfam)
{
	int n = add_nest(r, -1, ESPAH_A_POL_TMPL);
	uint8_t mode = rnd(2);
	uint16_t fam = mode ? (pct(50) ? AF_INET : AF_INET6) : selfam;

	add_u8(r, n, ESPAH_TMPL_PROTO, pct(70) ? IPPROTO_ESP : IPPROTO_AH);
	if (mode || pct(50))
		add_u8(r, n, ESPAH_TMPL_MODE, mode);
	if (mode || pct(30))
		add_u16(r, n, ESPAH_TMPL_FAMILY, fam);
	if (mode) {
		add_addr(r, n, ESPAH_TMPL_SRC, fam, 3, 2);
		add_addr(r, n, ESPAH_TMPL_DST, fam, 1, 1);
	}
	if (pct(50))
		add_u32(r, n, ESPAH_TMPL_REQID, rnd(6));
	if (pct(20))
		add_u32(r, n, ESPAH_TMPL_SPI, htonl(0x100 + rnd(48)));
}

/* dir and selector: of a model policy or a fresh one */
static uint16_t pol_key_attrs(struct req *r, bool from_model, uint8_t *dirp)
{
	uint16_t fam = pct(50) ? AF_INET : AF_INET6;
	uint8_t dir = rnd(3);

	if (from_model && npol) {
		const struct pol_ent *p = &pols[rnd(npol)];
		const struct sel *s = &p->sel;
		int n;

		dir = p->dir;
		fam = s->family;
		add_u8(r, -1, ESPAH_A_POL_DIR, dir);
		n = add_nest(r, -1, ESPAH_A_POL_SEL);
		add_u16(r, n, ESPAH_SEL_FAMILY, fam);
		if (s->splen) {
			add_attr(r, n, ESPAH_SEL_SRC, s->src, alen_of(fam));
			add_u8(r, n, ESPAH_SEL_SPLEN, s->splen);
		}
		if (s->dplen) {
			add_attr(r, n, ESPAH_SEL_DST, s->dst, alen_of(fam));
			add_u8(r, n, ESPAH_SEL_DPLEN, s->dplen);
		}
		if (s->proto)
			add_u8(r, n, ESPAH_SEL_PROTO, s->proto);
		if (s->sport || s->sport_max != 0xffff) {
			add_u16(r, n, ESPAH_SEL_SPORT, htons(s->sport));
			add_u16(r, n, ESPAH_SEL_SPORT_MAX, htons(s->sport_max));
		}
		if (s->dport || s->dport_max != 0xffff) {
			add_u16(r, n, ESPAH_SEL_DPORT, htons(s->dport));
			add_u16(r, n, ESPAH_SEL_DPORT_MAX, htons(s->dport_max));
		}
	} else {
		add_u8(r, -1, ESPAH_A_POL_DIR, dir);
		add_sel(r, ESPAH_A_POL_SEL, fam, true);
	}
	*dirp = dir;
	return fam;
}

static void gen_pol_new(struct req *r, uint8_t cmd, bool from_model)
{
	uint8_t dir, action = pct(60) ? ESPAH_ACTION_PROTECT : rnd(3);
	uint16_t fam;
	int i, nt;

	req_init(r, cmd, cmd == ESPAH_CMD_POL_ADD ? "pol-add" : "pol-update");
	r->nlflags |= NLM_F_ECHO;	/* the echo tells the index */
	fam = pol_key_attrs(r, from_model, &dir);
	if (pct(70) || action != ESPAH_ACTION_PROTECT)
		add_u8(r, -1, ESPAH_A_POL_ACTION, action);
	if (pct(50))
		add_u32(r, -1, ESPAH_A_POL_PRIORITY, pct(10) ? UINT32_MAX : rnd(100));
	nt = action == ESPAH_ACTION_PROTECT ? 1 + pct(25) : 0;
	for (i = 0; i < nt; i++)
		add_tmpl(r, fam);
	if (dir == ESPAH_DIR_OUT && action == ESPAH_ACTION_PROTECT && pct(30))
		add_u32(r, -1, ESPAH_A_POL_HOLD, rnd(ESPAH_HOLD_MAX + 1));
}

static void gen_pol_ref(struct req *r, uint8_t cmd, const char *what)
{
	uint8_t dir;

	req_init(r, cmd, what);
	if (pct(35)) {
		uint32_t idx = npol && pct(70) ? pols[rnd(npol)].index :
			       1 + rnd(npol + 20);

		add_u32(r, -1, ESPAH_A_POL_INDEX, idx);
	} else {
		pol_key_attrs(r, pct(70), &dir);
	}
}

/* attributes of random types, lengths and contents */
static void gen_soup(struct req *r, uint8_t cmd)
{
	int i, n = rnd(8), nest = -1;

	req_init(r, cmd, "soup");
	for (i = 0; i < n; i++) {
		uint8_t d[64];
		int len = rnd(3) ? (int)(1U << rnd(4)) : (int)rnd(40);
		uint16_t t = rnd(10) ? 1 + rnd(ESPAH_A_MAX) : rnd(0x8000);

		rnd_bytes(d, len);
		if (pct(20)) {
			nest = add_nest(r, -1, t);
			continue;
		}
		add_attr(r, pct(30) ? nest : -1, t, d, len);
	}
}

/* ------------------------------------------------------------------ */
/* mutations */

static const uint64_t extremes[] = {
	0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, UINT64_MAX,
	ESPAH_REPLAY_WINDOW_MAX, ESPAH_REPLAY_WINDOW_MAX + 1, ESPAH_HOLD_MAX + 1,
	AF_INET, AF_INET6, AF_INET6 + 1, 129, 33, 255, 256,
};

static void remove_attr(struct req *r, int i)
{
	int j, k;

	/* children first (their indexes move as we go) */
	for (j = r->n - 1; j > i; j--)
		if (r->a[j].parent == i)
			remove_attr(r, j);
	for (j = i; j < r->n - 1; j++)
		r->a[j] = r->a[j + 1];
	r->n--;
	for (k = 0; k < r->n; k++)
		if (r->a[k].parent > i)
			r->a[k].parent--;
}

static void mutate_one(struct req *r)
{
	int i = r->n ? (int)rnd(r->n) : -1;
	struct attr *a = i >= 0 ? &r->a[i] : NULL;
	uint64_t v;

	r->nmut++;
	switch (rnd(16)) {
	case 0:		/* missing */
		if (a)
			remove_attr(r, i);
		break;
	case 1:		/* duplicate, maybe with another value */
		if (a && !a->nest && r->n < MAXA) {
			r->a[r->n] = *a;
			if (pct(50) && a->len)
				r->a[r->n].data[rnd(a->len)] ^= 1 + rnd(255);
			r->n++;
		}
		break;
	case 2:		/* wrong type */
		if (a) {
			switch (rnd(4)) {
			case 0: a->type = (a->type & NLA_F_NESTED) | rnd(ESPAH_A_MAX + 3); break;
			case 1: a->type ^= NLA_F_NESTED; break;
			case 2: a->type ^= NLA_F_NET_BYTEORDER; break;
			default: a->type = rnd(0x10000); break;
			}
		}
		break;
	case 3:		/* truncated */
		if (a && !a->nest && a->len)
			a->len = rnd(a->len);
		break;
	case 4:		/* oversized */
		if (a && !a->nest) {
			int add = pct(80) ? 1 + rnd(8) : rnd(MAXD - a->len);

			if (a->len + add > MAXD)
				add = MAXD - a->len;
			rnd_bytes(a->data + a->len, add);
			a->len += add;
		}
		break;
	case 5:		/* huge / extreme values */
	case 6:
		if (a && !a->nest && a->len) {
			v = pct(80) ? extremes[rnd(sizeof(extremes) / sizeof(extremes[0]))] : rnd64();
			if (pct(30) && a->len <= 8) {
				uint8_t be[8];
				int k;

				for (k = 0; k < 8; k++)
					be[k] = v >> (56 - 8 * k);
				memcpy(a->data, be + 8 - a->len, a->len);
			} else {
				memcpy(a->data, &v, a->len < 8 ? a->len : 8);
			}
		}
		break;
	case 7:		/* a nest flattened into bytes, or bytes made a nest */
		if (a && a->nest) {
			int j;

			for (j = r->n - 1; j > i; j--)
				if (r->a[j].parent == i)
					remove_attr(r, j);
			a = &r->a[i];
			a->nest = pct(50);
			a->len = rnd(24);
			rnd_bytes(a->data, a->len);
			if (!a->nest)
				a->type &= ~NLA_F_NESTED;
		} else if (a) {
			a->nest = true;
			a->type |= NLA_F_NESTED;
		}
		break;
	case 8:		/* an attribute moved into (or out of) a nest */
		if (a) {
			int j = rnd(r->n);

			if (r->a[j].nest && j != i && r->a[i].parent != j && !r->a[i].nest)
				r->a[i].parent = j;
			else
				r->a[i].parent = -1;
		}
		break;
	case 9:		/* a string without its NUL, or another name */
		if (a && !a->nest && a->len > 1 && pct(50)) {
			a->len--;
		} else {
			const char *s = bad_names[rnd(sizeof(bad_names) / sizeof(bad_names[0]))];
			uint16_t t = (uint16_t[]){ ESPAH_A_SA_AEAD, ESPAH_A_SA_ENC,
						  ESPAH_A_SA_AUTH }[rnd(3)];

			add_str(r, -1, t, s);
		}
		break;
	case 10:	/* the other family's address length, or the other family */
		if (a && !a->nest && (a->len == 4 || a->len == 16)) {
			a->len = a->len == 4 ? 16 : 4;
		} else if (a && !a->nest && a->len == 2) {
			uint16_t f = pct(50) ? AF_INET : AF_INET6;

			memcpy(a->data, &f, 2);
		}
		break;
	case 11:	/* genl header: command, version, reserved */
		switch (rnd(4)) {
		case 0: r->cmd = rnd(20); break;
		case 1: r->cmd = rnd(256); break;
		case 2: r->version = rnd(256); break;
		default: r->reserved = pct(50) ? 1 : rnd(0x10000); break;
		}
		break;
	case 12:	/* netlink flags */
		switch (rnd(4)) {
		case 0: r->nlflags |= NLM_F_DUMP; break;
		case 1: r->nlflags |= NLM_F_ECHO; break;
		case 2: r->nlflags |= 1 << (4 + rnd(12)); break;
		default: r->nlflags |= NLM_F_ROOT; break;
		}
		break;
	case 13:	/* an attribute of random type and size anywhere */
	{
		uint8_t d[64];
		int len = rnd(3) ? (int)(1U << rnd(4)) : (int)rnd(64);
		int p = -1, j;

		for (j = 0; j < r->n; j++)
			if (r->a[j].nest && pct(50))
				p = j;
		rnd_bytes(d, len);
		add_attr(r, p, rnd(ESPAH_A_MAX + 4), d, len);
		break;
	}
	case 14:	/* deep nesting */
	{
		int p = -1, d, depth = 2 + rnd(30);

		for (d = 0; d < depth; d++)
			p = add_nest(r, p, rnd(2) ? ESPAH_A_SA_SEL : rnd(ESPAH_A_MAX + 1));
		if (p >= 0)
			add_u16(r, p, ESPAH_SEL_FAMILY, AF_INET);
		break;
	}
	default:	/* an empty attribute */
		if (a && !a->nest)
			a->len = 0;
		break;
	}
}

/* byte-level mutations of the serialized request */
static void mutate_bytes(struct req *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	size_t body = NLMSG_HDRLEN + GENL_HDRLEN;
	int k, n = 1 + rnd(4);

	r->nmut++;
	switch (rnd(6)) {
	case 0:		/* random bytes in the attributes */
	case 1:
		if (r->len > body)
			for (k = 0; k < n; k++)
				r->buf[body + rnd(r->len - body)] = rnd(4) ? rnd64() : 0xff;
		break;
	case 2:		/* an attribute length field */
		if (r->len > body + 4) {
			size_t o = body + rnd((r->len - body) / 4) * 4;
			uint16_t l = pct(50) ? rnd(8) : rnd(0x10000);

			memcpy(r->buf + o, &l, 2);
		}
		break;
	case 3:		/* trailing bytes after the last attribute */
		k = 1 + rnd(7);
		rnd_bytes(r->buf + r->len, k);
		r->len += k;
		nlh->nlmsg_len = r->len;
		break;
	case 4:		/* message cut short: nlmsg_len and datagram agree */
		r->len = rnd(r->len);
		if (r->len < NLMSG_HDRLEN) {
			/* netlink drops what has no full header: no reply */
			r->len = NLMSG_HDRLEN;
			nlh->nlmsg_len = rnd(NLMSG_HDRLEN);
		} else {
			nlh->nlmsg_len = r->len;
		}
		r->frame = 1;
		break;
	default:	/* nlmsg_len beyond the datagram: dropped, no reply */
		nlh->nlmsg_len = r->len + 1 + rnd(100);
		r->frame = 1;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* checks of one reply */

static uint8_t cur_cmd(const struct req *r)
{
	return ((const struct genlmsghdr *)(r->buf + NLMSG_HDRLEN))->cmd;
}

static const struct nlmsghdr *cur_nlh(const struct req *r)
{
	return (const struct nlmsghdr *)r->buf;
}

/* the request's attributes as the kernel parsed them (it accepted it) */
static bool req_attrs(const struct req *r, const struct nlattr **tb,
		      const uint8_t **body, size_t *blen)
{
	size_t l = cur_nlh(r)->nlmsg_len;

	if (l > r->len)
		l = r->len;
	if (l < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	*body = r->buf + NLMSG_HDRLEN + GENL_HDRLEN;
	*blen = l - NLMSG_HDRLEN - GENL_HDRLEN;
	return parse_attrs(*body, *blen, tb, ESPAH_A_MAX) >= 0;
}

static bool reply_attrs(const struct reply *rp, const struct nlattr **tb,
			const uint8_t **body, size_t *blen)
{
	if (rp->dlen < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	*body = rp->data + NLMSG_HDRLEN + GENL_HDRLEN;
	*blen = rp->dlen - NLMSG_HDRLEN - GENL_HDRLEN;
	return parse_attrs(*body, *blen, tb, ESPAH_A_MAX) >= 0;
}

struct dump_state {
	int n;
	int bad;
	bool full;
	bool pol;
};

static void dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_state *d = arg;
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const char *why;
	int i;

	d->n++;
	if (!d->full)
		return;
	parse_attrs(p, len, tb, ESPAH_A_MAX);
	if (d->pol) {
		struct pol_ent e;

		if (!pol_of(tb, p, len, &e)) {
			incons(NULL, "policy dump: entry without dir/selector");
			return;
		}
		i = pol_find(&e);
		if (i < 0) {
			incons(NULL, "policy dump: index %u dir %u not in the model",
			       e.index, e.dir);
			return;
		}
		pols[i].seen = true;
		why = pol_diff(&pols[i], &e);
		if (why)
			incons(NULL, "policy dump: index %u differs from the model: %s",
			       e.index, why);
		if (!pols[i].index)
			pols[i].index = e.index;
	} else {
		struct sa_ent e;

		if (!sa_of(tb, &e, false)) {
			incons(NULL, "SA dump: entry without its key");
			return;
		}
		i = sa_find_exact(&e.k);
		if (i < 0) {
			incons(NULL, "SA dump: spi 0x%08x proto %u not in the model",
			       ntohl(e.k.spi), e.k.proto);
			return;
		}
		sas[i].seen = true;
		why = sa_diff(&sas[i], &e);
		if (why)
			incons(NULL, "SA dump: spi 0x%08x differs from the model: %s",
			       ntohl(e.k.spi), why);
	}
}

/* a dump of all SAs or policies compared with the model */
static int full_compare(const char *when)
{
	struct dump_state d = { .full = true };
	struct reply rp;
	uint64_t before = cnt[C_INCONS];
	int i, pass;

	cnt[C_FULLCMP]++;
	for (pass = 0; pass < 2; pass++) {
		d.pol = pass;
		d.n = 0;
		if (pass)
			for (i = 0; i < npol; i++)
				pols[i].seen = false;
		else
			for (i = 0; i < nsa; i++)
				sas[i].seen = false;
		req_init(&R, pass ? ESPAH_CMD_POL_GET : ESPAH_CMD_SA_GET, "full-dump");
		R.nlflags = NLM_F_REQUEST | NLM_F_DUMP;
		serialize(&R);
		xfer(&R, &rp, dump_cb, &d);
		if (rp.err) {
			incons(&R, "%s: dump failed: %d %s", when, rp.err, rp.msg);
			continue;
		}
		if (pass) {
			for (i = 0; i < npol; i++)
				if (!pols[i].seen)
					incons(NULL, "%s: policy index %u dir %u of the model missing from the dump",
					       when, pols[i].index, pols[i].dir);
		} else {
			for (i = 0; i < nsa; i++) {
				if (sas[i].seen)
					continue;
				if (sas[i].may_expire) {	/* its time limit passed */
					sa_remove(i--);
					continue;
				}
				incons(NULL, "%s: SA spi 0x%08x proto %u of the model missing from the dump",
				       when, ntohl(sas[i].k.spi), sas[i].k.proto);
			}
		}
	}
	if (verbose || cnt[C_INCONS] != before)
		diag("%s: %d SAs, %d policies in the model, %" PRIu64 " new inconsistencies",
		     when, nsa, npol, cnt[C_INCONS] - before);
	return cnt[C_INCONS] == before ? 0 : -1;
}

static void resolve(struct req *r);

/* a SUCCESS of a request the kernel applied: update and check the model */
static void apply_ok(struct req *r, struct reply *rp)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1], *rtb[ESPAH_A_MAX + 1];
	const struct nlmsghdr *nlh = cur_nlh(r);
	const uint8_t *body, *rbody;
	size_t blen, rblen;
	uint8_t cmd = cur_cmd(r);
	bool echo = nlh->nlmsg_flags & NLM_F_ECHO;
	struct sa_ent se, re;
	struct pol_ent pe, rpe;
	struct sa_key k;
	const char *why;
	int i;

	if (!(nlh->nlmsg_flags & NLM_F_REQUEST)) {
		cnt[C_NOTREQ]++;
		return;
	}
	if (!req_attrs(r, tb, &body, &blen)) {
		incons(r, "accepted, but its attributes do not parse");
		return;
	}
	if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		cnt[C_DUMPS]++;
		return;		/* counted by dump_cb, checked in run_one */
	}
	switch (cmd) {
	case ESPAH_CMD_SA_ADD:
	case ESPAH_CMD_SA_UPDATE:
		if (!sa_of(tb, &se, true)) {
			incons(r, "SA accepted without key/dir");
			return;
		}
		i = sa_find(&se.k);
		if (cmd == ESPAH_CMD_SA_ADD && i >= 0)
			incons(r, "SA add accepted over an existing SA (spi 0x%08x)",
			       ntohl(se.k.spi));
		if (echo) {
			if (!reply_attrs(rp, rtb, &rbody, &rblen) || !sa_of(rtb, &re, false)) {
				cnt[C_ECHO_MISSING]++;
			} else if ((why = sa_diff(&se, &re)) || re.k.spi != se.k.spi) {
				incons(r, "SA echo differs from the request: %s",
				       why ? why : "spi");
			}
		}
		if (i >= 0) {
			se.serial = sas[i].serial;
			sas[i] = se;
		} else if (nsa < MAXSA) {
			se.serial = ++sa_serial;
			sas[nsa++] = se;
			cnt[C_SA_ADDED]++;
		}
		break;
	case ESPAH_CMD_SA_DEL:
		if (!sa_key_of(tb, &k)) {
			incons(r, "SA del accepted without a key");
			return;
		}
		i = sa_find(&k);
		if (i < 0)
			incons(r, "SA del accepted for an SA not in the model (spi 0x%08x)",
			       ntohl(k.spi));
		else {
			sa_remove(i);
			cnt[C_SA_DELETED]++;
		}
		break;
	case ESPAH_CMD_SA_GET:
		if (!sa_key_of(tb, &k)) {
			incons(r, "SA get accepted without a key");
			return;
		}
		i = sa_find(&k);
		if (i < 0) {
			incons(r, "SA get found an SA not in the model (spi 0x%08x)",
			       ntohl(k.spi));
		} else if (!reply_attrs(rp, rtb, &rbody, &rblen) || !sa_of(rtb, &re, false)) {
			incons(r, "SA get: no or bad reply message");
		} else if ((why = sa_diff(&sas[i], &re))) {
			incons(r, "SA get: reply differs from the model: %s", why);
		}
		break;
	case ESPAH_CMD_SA_FLUSH:
	{
		uint8_t proto = tb[ESPAH_A_SA_PROTO] ? g8(tb[ESPAH_A_SA_PROTO]) : 0;
		uint32_t n = 0;

		for (i = 0; i < nsa; i++)
			if (!proto || sas[i].k.proto == proto) {
				sa_remove(i--);
				n++;
			}
		cnt[C_SA_DELETED] += n;
		if (echo && reply_attrs(rp, rtb, &rbody, &rblen) &&
		    rtb[ESPAH_A_COUNT] && g32(rtb[ESPAH_A_COUNT]) != n)
			incons(r, "SA flush removed %u, the model had %u",
			       g32(rtb[ESPAH_A_COUNT]), n);
		break;
	}
	case ESPAH_CMD_SA_COUNT:
		if (!reply_attrs(rp, rtb, &rbody, &rblen) || !rtb[ESPAH_A_COUNT])
			incons(r, "SA count: no count in the reply");
		else if (g32(rtb[ESPAH_A_COUNT]) != (uint32_t)nsa) {
			int may = 0;

			for (i = 0; i < nsa; i++)
				may += sas[i].may_expire;
			if (!may)
				incons(r, "SA count %u, the model has %d",
				       g32(rtb[ESPAH_A_COUNT]), nsa);
		}
		break;
	case ESPAH_CMD_POL_ADD:
	case ESPAH_CMD_POL_UPDATE:
		if (!pol_of(tb, body, blen, &pe)) {
			incons(r, "policy accepted without dir/selector");
			return;
		}
		pe.index = 0;
		i = pol_find(&pe);
		if (cmd == ESPAH_CMD_POL_ADD && i >= 0)
			incons(r, "policy add accepted over an existing policy (index %u)",
			       pols[i].index);
		if (echo) {
			if (!reply_attrs(rp, rtb, &rbody, &rblen) ||
			    !pol_of(rtb, rbody, rblen, &rpe)) {
				cnt[C_ECHO_MISSING]++;
			} else {
				if ((why = pol_diff(&pe, &rpe)) ||
				    !sel_eq(&pe.sel, &rpe.sel))
					incons(r, "policy echo differs from the request: %s",
					       why ? why : "selector");
				if (i >= 0 && pols[i].index && rpe.index != pols[i].index)
					incons(r, "policy update changed the index %u -> %u",
					       pols[i].index, rpe.index);
				if (i < 0 && pol_find_index(rpe.index) >= 0)
					incons(r, "new policy got the index %u of another",
					       rpe.index);
				pe.index = rpe.index;
			}
		}
		if (i >= 0) {
			if (!pe.index)
				pe.index = pols[i].index;
			pols[i] = pe;
		} else if (npol < MAXPOL) {
			pols[npol++] = pe;
			cnt[C_POL_ADDED]++;
		}
		/* no echo (it could not be allocated under -F): ask for the
		 * new policy's index, which later requests name it by
		 */
		if (!pe.index)
			resolve(r);
		break;
	case ESPAH_CMD_POL_DEL:
	case ESPAH_CMD_POL_GET:
		if (tb[ESPAH_A_POL_INDEX]) {
			uint32_t idx = g32(tb[ESPAH_A_POL_INDEX]);

			i = pol_find_index(idx);
			if (i < 0)
				incons(r, "policy %s by index %u accepted, not in the model",
				       cmd == ESPAH_CMD_POL_DEL ? "del" : "get", idx);
		} else {
			if (!pol_of(tb, body, blen, &pe)) {
				incons(r, "policy del/get accepted without dir/selector");
				return;
			}
			i = pol_find(&pe);
			if (i < 0)
				incons(r, "policy %s by selector accepted, not in the model",
				       cmd == ESPAH_CMD_POL_DEL ? "del" : "get");
		}
		if (i < 0)
			return;
		if (cmd == ESPAH_CMD_POL_DEL) {
			pol_remove(i);
			cnt[C_POL_DELETED]++;
		} else if (!reply_attrs(rp, rtb, &rbody, &rblen) ||
			   !pol_of(rtb, rbody, rblen, &rpe)) {
			incons(r, "policy get: no or bad reply");
		} else if ((why = pol_diff(&pols[i], &rpe)) ||
			   !sel_eq(&pols[i].sel, &rpe.sel)) {
			incons(r, "policy get: reply differs from the model: %s",
			       why ? why : "selector");
		}
		break;
	case ESPAH_CMD_POL_FLUSH:
	{
		uint32_t n = npol;

		cnt[C_POL_DELETED] += npol;
		npol = 0;
		if (echo && reply_attrs(rp, rtb, &rbody, &rblen) &&
		    rtb[ESPAH_A_COUNT] && g32(rtb[ESPAH_A_COUNT]) != n)
			incons(r, "policy flush removed %u, the model had %u",
			       g32(rtb[ESPAH_A_COUNT]), n);
		break;
	}
	case ESPAH_CMD_STATS_GET:
		if (!reply_attrs(rp, rtb, &rbody, &rblen) || !rtb[ESPAH_A_STATS])
			incons(r, "stats: no ESPAH_A_STATS in the reply");
		break;
	case ESPAH_CMD_FEATURES_GET:
		if (!reply_attrs(rp, rtb, &rbody, &rblen) || !rtb[ESPAH_A_VERSION] ||
		    !rtb[ESPAH_A_FEATURES])
			incons(r, "features: no version/features in the reply");
		break;
	case ESPAH_CMD_XFRM_ATTACH:
	{
		uint32_t id, mark, mask;

		if (!tb[ESPAH_A_XFRM_IF_ID]) {
			incons(r, "xfrm attach accepted without ESPAH_A_XFRM_IF_ID");
			break;
		}
		id = g32(tb[ESPAH_A_XFRM_IF_ID]);
		mark = tb[ESPAH_A_XFRM_MARK] ? g32(tb[ESPAH_A_XFRM_MARK]) : 0;
		mask = tb[ESPAH_A_XFRM_MASK] ? g32(tb[ESPAH_A_XFRM_MASK]) : 0;
		if (!id || (mark & ~mask))
			incons(r, "xfrm attach accepted with if_id %u, mark 0x%x/0x%x",
			       id, mark, mask);
		else if (xf_attached && (id != xf_if_id || mark != xf_mark ||
					 mask != xf_mask))
			incons(r, "xfrm attach with another tag accepted (if_id %u over %u)",
			       id, xf_if_id);
		xf_attached = true;
		xf_if_id = id;
		xf_mark = mark;
		xf_mask = mask;
		break;
	}
	case ESPAH_CMD_XFRM_DETACH:
		if (!xf_attached)
			incons(r, "xfrm detach accepted while not attached");
		xf_attached = false;
		break;
	case ESPAH_CMD_XFRM_GET:
		if (!reply_attrs(rp, rtb, &rbody, &rblen) ||
		    !rtb[ESPAH_A_XFRM_SAS] || !rtb[ESPAH_A_XFRM_POLS]) {
			incons(r, "xfrm get: no counts in the reply");
			break;
		}
		if (!!rtb[ESPAH_A_XFRM_IF_ID] != xf_attached)
			incons(r, "xfrm get: %s, the model is %s",
			       rtb[ESPAH_A_XFRM_IF_ID] ? "attached" : "not attached",
			       xf_attached ? "attached" : "not");
		else if (xf_attached &&
			 (g32(rtb[ESPAH_A_XFRM_IF_ID]) != xf_if_id ||
			  !rtb[ESPAH_A_XFRM_MARK] || !rtb[ESPAH_A_XFRM_MASK] ||
			  g32(rtb[ESPAH_A_XFRM_MARK]) != xf_mark ||
			  g32(rtb[ESPAH_A_XFRM_MASK]) != xf_mask))
			incons(r, "xfrm get: the tag differs from the model");
		else if (g32(rtb[ESPAH_A_XFRM_SAS]) || g32(rtb[ESPAH_A_XFRM_POLS]))
			incons(r, "xfrm get: carries %u SAs, %u policies with no native object",
			       g32(rtb[ESPAH_A_XFRM_SAS]), g32(rtb[ESPAH_A_XFRM_POLS]));
		break;
	default:
		incons(r, "unknown command %u accepted", cmd);
		break;
	}
}

/* an attach's if_id is one of the model's SAs or policies (refused) */
static bool if_id_used(struct req *r)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const uint8_t *body;
	size_t blen;
	uint32_t id;
	int i;

	if (!req_attrs(r, tb, &body, &blen) || !tb[ESPAH_A_XFRM_IF_ID])
		return false;
	id = g32(tb[ESPAH_A_XFRM_IF_ID]);
	for (i = 0; i < nsa; i++)
		if (sas[i].if_id == id)
			return true;
	for (i = 0; i < npol; i++)
		if (pols[i].if_id == id)
			return true;
	return false;
}

/* an error reply: refusals that name a model key must agree with it */
static void check_refusal(struct req *r, struct reply *rp)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1];
	const uint8_t *body;
	size_t blen;
	uint8_t cmd = cur_cmd(r);
	struct sa_ent se;
	struct pol_ent pe;
	struct sa_key k;

	if (cmd == ESPAH_CMD_XFRM_DETACH && rp->err == -ENOENT && xf_attached)
		incons(r, "xfrm detach: ENOENT while attached");
	if (cmd == ESPAH_CMD_XFRM_ATTACH && rp->err == -EBUSY && !xf_attached &&
	    !if_id_used(r))
		incons(r, "xfrm attach: EBUSY while not attached (and the if_id no SA's or policy's)");
	if (rp->err != -EEXIST && rp->err != -ENOENT)
		return;
	if (!req_attrs(r, tb, &body, &blen))
		return;
	switch (cmd) {
	case ESPAH_CMD_SA_ADD:
		if (rp->err == -EEXIST && sa_of(tb, &se, true) && sa_find(&se.k) < 0)
			incons(r, "SA add refused with EEXIST, not in the model (spi 0x%08x)",
			       ntohl(se.k.spi));
		break;
	case ESPAH_CMD_SA_DEL:
	case ESPAH_CMD_SA_GET:
		if (rp->err == -ENOENT && sa_key_of(tb, &k) && sa_find(&k) >= 0 &&
		    !sas[sa_find(&k)].may_expire)
			incons(r, "SA %s: ENOENT for an SA of the model (spi 0x%08x)",
			       cmd == ESPAH_CMD_SA_DEL ? "del" : "get", ntohl(k.spi));
		break;
	case ESPAH_CMD_POL_ADD:
		if (rp->err == -EEXIST && pol_of(tb, body, blen, &pe) &&
		    pol_find(&pe) < 0)
			incons(r, "policy add refused with EEXIST, not in the model");
		break;
	case ESPAH_CMD_POL_DEL:
	case ESPAH_CMD_POL_GET:
		if (rp->err != -ENOENT)
			break;
		if (tb[ESPAH_A_POL_INDEX]) {
			if (pol_find_index(g32(tb[ESPAH_A_POL_INDEX])) >= 0)
				incons(r, "policy del/get: ENOENT for index %u of the model",
				       g32(tb[ESPAH_A_POL_INDEX]));
		} else if (pol_of(tb, body, blen, &pe) &&
			   pol_find(&pe) >= 0) {
			incons(r, "policy del/get: ENOENT for a selector of the model");
		}
		break;
	}
}

/* Errors the generic netlink core returns without a message; anything
 * else without one is reported.
 */
static int core_class(const struct req *r, const struct reply *rp)
{
	const struct nlmsghdr *nlh = cur_nlh(r);
	uint8_t cmd = cur_cmd(r);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN && rp->err == -EINVAL)
		return C_CORE_SHORT;
	if (rp->err == -EOPNOTSUPP) {
		if (!op_exists[cmd])
			return C_CORE_NOCMD;
		if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
		    !(op_flags[cmd] & GENL_CMD_CAP_DUMP))
			return C_CORE_NODUMP;
	}
	if (rp->err == -EPERM)
		return C_CORE_EPERM;
	return -1;
}

static bool unpriv;

/* the genl core refuses these before it looks at the command's rights */
static bool header_refused(const struct req *r)
{
	const struct nlmsghdr *nlh = cur_nlh(r);
	const struct genlmsghdr *g = (const void *)(r->buf + NLMSG_HDRLEN);
	uint16_t f = nlh->nlmsg_flags;

	if (r->len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > r->len)
		return true;		/* never reaches genl */
	if (!(f & NLM_F_REQUEST))
		return true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return true;
	if (g->reserved)
		return true;
	if ((f & NLM_F_DUMP) == NLM_F_DUMP)
		f &= ~NLM_F_DUMP;
	return f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO);
}

static void dump_count_check(struct req *r, struct dump_state *d)
{
	uint8_t cmd = cur_cmd(r);
	int may = 0, i;

	for (i = 0; i < nsa; i++)
		may += sas[i].may_expire;
	if (cmd == ESPAH_CMD_SA_GET && d->n != nsa && !may)
		incons(r, "SA dump: %d entries, the model has %d", d->n, nsa);
	if (cmd == ESPAH_CMD_POL_GET && d->n != npol)
		incons(r, "policy dump: %d entries, the model has %d", d->n, npol);
}

/* The reply of a request that ran under injected failures was lost: ask
 * the kernel (no failures now) whether it was applied, and follow it.
 */
static void resolve(struct req *r)
{
	const struct nlattr *tb[ESPAH_A_MAX + 1], *rtb[ESPAH_A_MAX + 1];
	const uint8_t *body, *rbody;
	size_t blen, rblen;
	uint8_t cmd = cur_cmd(r);
	static struct req q;
	struct reply rp;
	struct sa_ent se;
	struct pol_ent pe;
	struct sa_key k;
	int i, n;

	if (!req_attrs(r, tb, &body, &blen))
		return;
	if (cmd == ESPAH_CMD_SA_ADD || cmd == ESPAH_CMD_SA_UPDATE ||
	    cmd == ESPAH_CMD_SA_DEL) {
		if (!sa_key_of(tb, &k))
			return;
		req_init(&q, ESPAH_CMD_SA_GET, "resolve");
		add_u32(&q, -1, ESPAH_A_SA_SPI, k.spi);
		add_u8(&q, -1, ESPAH_A_SA_PROTO, k.proto);
		add_u16(&q, -1, ESPAH_A_SA_FAMILY, k.family);
		add_attr(&q, -1, ESPAH_A_SA_DST, k.dst, alen_of(k.family));
		serialize(&q);
		xfer(&q, &rp, NULL, NULL);
		i = sa_find(&k);
		if (!rp.err && reply_attrs(&rp, rtb, &rbody, &rblen) &&
		    sa_of(rtb, &se, false)) {
			if (i >= 0)
				sas[i] = se;
			else if (nsa < MAXSA)
				sas[nsa++] = se;
		} else if (rp.err == -ENOENT && i >= 0) {
			sa_remove(i);
		} else if (rp.err && rp.err != -ENOENT) {
			incons(&q, "resolving a lost reply: SA get failed: %d %s",
			       rp.err, rp.msg);
		}
		return;
	}
	if (cmd == ESPAH_CMD_POL_ADD || cmd == ESPAH_CMD_POL_UPDATE ||
	    (cmd == ESPAH_CMD_POL_DEL && !tb[ESPAH_A_POL_INDEX])) {
		if (!pol_of(tb, body, blen, &pe))
			return;
		/* the dir and selector as the kernel read them: the bytes
		 * sent, after every mutation (r->a[] is the request before
		 * its bytes were flipped; a get built from it named another
		 * policy, which then stood in the model for the new one)
		 */
		req_init(&q, ESPAH_CMD_POL_GET, "resolve");
		for (n = ESPAH_A_POL_DIR; n <= ESPAH_A_POL_SEL; n++)
			if (tb[n])
				add_attr(&q, -1, tb[n]->nla_type, ad(tb[n]), al(tb[n]));
		serialize(&q);
		xfer(&q, &rp, NULL, NULL);
		i = pol_find(&pe);
		if (!rp.err && reply_attrs(&rp, rtb, &rbody, &rblen) &&
		    pol_of(rtb, rbody, rblen, &pe)) {
			if (i >= 0)
				pols[i] = pe;
			else if (npol < MAXPOL)
				pols[npol++] = pe;
		} else if (rp.err == -ENOENT && i >= 0) {
			pol_remove(i);
		} else if (rp.err && rp.err != -ENOENT) {
			incons(&q, "resolving a lost reply: policy get failed: %d %s",
			       rp.err, rp.msg);
		}
		return;
	}
	if (cmd == ESPAH_CMD_POL_DEL && tb[ESPAH_A_POL_INDEX]) {
		uint32_t idx = g32(tb[ESPAH_A_POL_INDEX]);

		req_init(&q, ESPAH_CMD_POL_GET, "resolve");
		add_u32(&q, -1, ESPAH_A_POL_INDEX, idx);
		serialize(&q);
		xfer(&q, &rp, NULL, NULL);
		i = pol_find_index(idx);
		if (rp.err == -ENOENT && i >= 0)
			pol_remove(i);
		else if (rp.err && rp.err != -ENOENT)
			incons(&q, "resolving a lost reply: policy get failed: %d %s",
			       rp.err, rp.msg);
	}
}

/* NLFUZZ_TRACE=FROM-TO: every request of that range of the run, with its
 * reply, on stdout (to find where the model and the kernel part)
 */
static uint64_t trace_from = 1, trace_to;

static void trace(const struct req *r, const struct reply *rp)
{
	size_t i;

	if (cnt[C_MSGS] < trace_from || cnt[C_MSGS] > trace_to)
		return;
	printf("# trace #%" PRIu64 " %s cmd %u flags 0x%x frame %d nmut %d: err %d sock %d %s\n#   ",
	       cnt[C_MSGS], r->what, cur_cmd(r), cur_nlh(r)->nlmsg_flags,
	       r->frame, r->nmut, rp->err, rp->sock, rp->has_msg ? rp->msg : "");
	for (i = 0; i < r->len && i < 200; i++)
		printf("%02x", r->buf[i]);
	printf("\n");
}

static void run_one(struct req *r)
{
	struct dump_state d = { 0 };
	struct reply rp;
	const struct nlmsghdr *nlh = cur_nlh(r);
	bool dump;
	uint8_t cmd;
	int c;

	fail_next = fault_mode;
	xfer(r, &rp, dump_cb, &d);
	fail_next = false;
	cmd = cur_cmd(r);
	dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	cnt[C_MSGS]++;
	cnt[r->nmut ? C_MUTATED : C_VALID]++;
	if (trace_to)
		trace(r, &rp);
	if (rp.sock)
		return;		/* counted in xfer(): the kernel never saw it */
	if (fault_mode && (rp.err == 1 || rp.err == 2)) {
		cnt[C_LOST]++;
		resolve(r);
		return;
	}
	if (rp.err == 1) {
		if (r->frame) {
			cnt[C_DROPPED]++;
			return;
		}
		cnt[C_NOREPLY]++;
		sample(C_NOREPLY, r, "no reply within 60 s");
		return;
	}
	if (unpriv) {
		bool features = cmd == ESPAH_CMD_FEATURES_GET;

		cnt[C_UNPRIV_MSGS]++;
		if (header_refused(r) || !op_exists[cmd] || (features && !rp.err))
			;	/* refused before rights matter, or allowed */
		else if (features) {
			/* features is open to all: the usual rules */
		} else if (rp.err == -EPERM) {
			cnt[C_UNPRIV_EPERM]++;
			return;
		} else if (!rp.err) {
			cnt[C_UNPRIV_ACCEPTED]++;
			sample(C_UNPRIV_ACCEPTED, r, "accepted from an unprivileged caller%s",
			       dump ? " (dump)" : "");
			return;
		} else {
			cnt[C_UNPRIV_NOT_EPERM]++;
			sample(C_UNPRIV_NOT_EPERM, r, "refused with %d (%s), not EPERM",
			       rp.err, rp.has_msg ? rp.msg : "no message");
			return;
		}
		if (!rp.err) {
			if (features)
				cnt[C_UNPRIV_FEATURES_OK]++;
			else if (nlh->nlmsg_flags & NLM_F_REQUEST &&
				 nlh->nlmsg_len <= r->len && nlh->nlmsg_len >= NLMSG_HDRLEN) {
				cnt[C_UNPRIV_OTHER_OK]++;
				sample(C_UNPRIV_OTHER_OK, r, "accepted from an unprivileged caller");
			}
		}
	}
	if (!rp.err) {
		cnt[C_OK]++;
		if (!unpriv)
			apply_ok(r, &rp);
		if (!unpriv && dump && nlh->nlmsg_flags & NLM_F_REQUEST)
			dump_count_check(r, &d);
		return;
	}
	if (rp.err == -ENOMEM)
		cnt[C_ENOMEM]++;
	if (rp.has_msg) {
		cnt[C_ERR_MSG]++;
		if (!unpriv)
			check_refusal(r, &rp);
		if (verbose)
			diag("#%" PRIu64 " %s cmd %u: %d %s", cnt[C_MSGS], r->what,
			     cmd, rp.err, rp.msg);
		return;
	}
	c = core_class(r, &rp);
	if (c >= 0) {
		cnt[c]++;
		if (c == C_CORE_EPERM && !unpriv)
			sample(C_CORE_EPERM, r, "EPERM for root");
		return;
	}
	if (rp.err == -ENOMEM) {
		cnt[C_ENOMEM_NOMSG]++;
		sample(C_ENOMEM_NOMSG, r, "ENOMEM without an extack message");
		return;
	}
	cnt[C_ERR_NOMSG]++;
	sample(C_ERR_NOMSG, r, "error %d (%s) without an extack message",
	       rp.err, strerror(-rp.err));
}

/* ------------------------------------------------------------------ */
/*
 * -S: leave out what makes Debian 6.1's netlink core WARN today, to
 * measure the rest. The family's policies use NLA_POLICY_VALIDATE_FN on
 * integer attributes; when such an attribute fails its policy (wrong
 * length, NLA_F_NESTED set), netlink_ack() puts the attribute's policy in
 * the extack (NLMSGERR_ATTR_POLICY) and __netlink_policy_dump_write_attr()
 * calls nla_get_range_unsigned(), which reads the validate function
 * pointer as min/max (a union) and WARNs (lib/nlattr.c:122); with
 * panic_on_warn the kernel panics. Not used by the suite.
 */
static bool safe_mode;

/* expected length of an integer attribute with a validate function */
static int fn_int_len(int level, int type)
{
	static const signed char top[ESPAH_A_MAX + 1] = {
		[ESPAH_A_SA_PROTO] = 1, [ESPAH_A_SA_MODE] = 1, [ESPAH_A_SA_DIR] = 1,
		[ESPAH_A_SA_FAMILY] = 2, [ESPAH_A_SA_ICV_BITS] = 4,
		[ESPAH_A_SA_REPLAY_WINDOW] = 4, [ESPAH_A_SA_FLAGS] = 4,
		[ESPAH_A_POL_DIR] = 1, [ESPAH_A_POL_ACTION] = 1,
		[ESPAH_A_POL_HOLD] = 4,
	};
	static const signed char sel[ESPAH_SEL_MAX + 1] = {
		[ESPAH_SEL_FAMILY] = 2, [ESPAH_SEL_SPLEN] = 1, [ESPAH_SEL_DPLEN] = 1,
	};
	static const signed char tmpl[ESPAH_TMPL_MAX + 1] = {
		[ESPAH_TMPL_PROTO] = 1, [ESPAH_TMPL_MODE] = 1, [ESPAH_TMPL_FAMILY] = 2,
	};

	if (level == 0)
		return type <= ESPAH_A_MAX ? top[type] : 0;
	if (level == 1)
		return type <= ESPAH_SEL_MAX ? sel[type] : 0;
	return type <= ESPAH_TMPL_MAX ? tmpl[type] : 0;
}

static bool warn_prone_level(const uint8_t *p, size_t len, int level)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int t = a->nla_type & NLA_TYPE_MASK, want;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;	/* the kernel stops here */
		want = fn_int_len(level, t);
		if (want && (al(a) != want || (a->nla_type & NLA_F_NESTED)))
			return true;
		if (level == 0 && (a->nla_type & NLA_F_NESTED)) {
			if ((t == ESPAH_A_SA_SEL || t == ESPAH_A_POL_SEL) &&
			    warn_prone_level(ad(a), al(a), 1))
				return true;
			if (t == ESPAH_A_POL_TMPL && warn_prone_level(ad(a), al(a), 2))
				return true;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return false;
}

static bool warn_prone(const struct req *r)
{
	size_t l = cur_nlh(r)->nlmsg_len;

	if (l > r->len)
		l = r->len;
	if (l <= NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	return warn_prone_level(r->buf + NLMSG_HDRLEN + GENL_HDRLEN,
				l - NLMSG_HDRLEN - GENL_HDRLEN, 0);
}

/* CTRL_CMD_GETPOLICY for the family: open to every user */
static int policy_dump(void)
{
	struct reply rp;

	req_init(&R, CTRL_CMD_GETPOLICY, "getpolicy");
	R.nltype = GENL_ID_CTRL;
	R.version = 1;
	R.nlflags = NLM_F_REQUEST | NLM_F_DUMP;
	add_str(&R, -1, CTRL_ATTR_FAMILY_NAME, ESPAH_GENL_NAME);
	serialize(&R);
	xfer(&R, &rp, NULL, NULL);
	printf("# [%s] policy dump of the family: %d messages, %s%s%s\n", role,
	       rp.ndata, rp.err ? strerror(-rp.err) : "ok", rp.has_msg ? ": " : "",
	       rp.has_msg ? rp.msg : "");
	printf("stat policy_dump_err %d\nstat policy_dump_msgs %d\n", rp.err, rp.ndata);
	return rp.err || !rp.ndata;
}

/* ------------------------------------------------------------------ */
/* the corpus */

/* -F: valid requests that allocate: SAs of every kind, policies */
static void gen_fault(struct req *r)
{
	unsigned int p = rnd(100);

	if (p < 55)
		gen_sa_new(r, ESPAH_CMD_SA_ADD, false);
	else if (p < 65)
		gen_sa_new(r, ESPAH_CMD_SA_UPDATE, true);
	else if (p < 75)
		gen_sa_ref(r, ESPAH_CMD_SA_DEL, "sa-del");
	else if (p < 87)
		gen_pol_new(r, ESPAH_CMD_POL_ADD, false);
	else if (p < 92)
		gen_pol_new(r, ESPAH_CMD_POL_UPDATE, true);
	else
		gen_pol_ref(r, ESPAH_CMD_POL_DEL, "pol-del");
	if (r->cmd <= ESPAH_CMD_SA_DEL && pct(30))
		r->nlflags |= NLM_F_ECHO;
	serialize(r);
}

static void gen(struct req *r)
{
	unsigned int p = rnd(1000);
	int m;

	if (fault_mode) {
		gen_fault(r);
		return;
	}

	if (p < 170)
		gen_sa_new(r, ESPAH_CMD_SA_ADD, pct(20));
	else if (p < 260)
		gen_sa_new(r, ESPAH_CMD_SA_UPDATE, pct(50));
	else if (p < 370)
		gen_sa_ref(r, ESPAH_CMD_SA_DEL, "sa-del");
	else if (p < 450)
		gen_sa_ref(r, ESPAH_CMD_SA_GET, "sa-get");
	else if (p < 590)
		gen_pol_new(r, ESPAH_CMD_POL_ADD, pct(20));
	else if (p < 650)
		gen_pol_new(r, ESPAH_CMD_POL_UPDATE, pct(50));
	else if (p < 730)
		gen_pol_ref(r, ESPAH_CMD_POL_DEL, "pol-del");
	else if (p < 780)
		gen_pol_ref(r, ESPAH_CMD_POL_GET, "pol-get");
	else if (p < 800) {
		req_init(r, ESPAH_CMD_SA_COUNT, "sa-count");
	} else if (p < 815) {
		req_init(r, ESPAH_CMD_STATS_GET, "stats");
	} else if (p < 825) {
		req_init(r, ESPAH_CMD_FEATURES_GET, "features");
	} else if (p < 840) {
		req_init(r, rnd(2) ? ESPAH_CMD_SA_GET : ESPAH_CMD_POL_GET, "dump");
		r->nlflags = NLM_F_REQUEST | NLM_F_DUMP;
	} else if (p < 842) {
		req_init(r, ESPAH_CMD_SA_FLUSH, "sa-flush");
		if (rnd(2))
			add_u8(r, -1, ESPAH_A_SA_PROTO, rnd(2) ? IPPROTO_ESP : IPPROTO_AH);
		if (rnd(2))
			r->nlflags |= NLM_F_ECHO;
	} else if (p < 844) {
		req_init(r, ESPAH_CMD_POL_FLUSH, "pol-flush");
		if (rnd(2))
			r->nlflags |= NLM_F_ECHO;
	} else if (p < 850) {
		/* a few tags, so that attach meets its own and others' */
		req_init(r, ESPAH_CMD_XFRM_ATTACH, "xfrm-attach");
		add_u32(r, -1, ESPAH_A_XFRM_IF_ID, 1 + rnd(3));
		if (rnd(3) == 0) {
			add_u32(r, -1, ESPAH_A_XFRM_MARK, rnd(2));
			add_u32(r, -1, ESPAH_A_XFRM_MASK, 1);
		}
	} else if (p < 855) {
		req_init(r, ESPAH_CMD_XFRM_DETACH, "xfrm-detach");
	} else if (p < 860) {
		req_init(r, ESPAH_CMD_XFRM_GET, "xfrm-get");
	} else if (p < 900) {
		gen_soup(r, 1 + rnd(ESPAH_CMD_MAX));
	} else if (p < 930) {
		gen_soup(r, rnd(256));
	} else {
		/* NLM_F_DUMP on any command */
		gen_sa_ref(r, 1 + rnd(ESPAH_CMD_MAX), "dump-any");
		r->nlflags = NLM_F_REQUEST | NLM_F_DUMP;
	}
	if ((r->cmd == ESPAH_CMD_SA_ADD || r->cmd == ESPAH_CMD_SA_UPDATE ||
	     r->cmd == ESPAH_CMD_SA_DEL) && pct(30))
		r->nlflags |= NLM_F_ECHO;

	/* a third valid, the rest mutated */
	if (pct(33)) {
		serialize(r);
		return;
	}
	m = pct(60) ? 1 : 2 + rnd(3);
	while (m--)
		if (pct(85))
			mutate_one(r);
	serialize(r);
	if (!r->nmut || pct(20))
		mutate_bytes(r);
	/* a mutation that empties a flush would flush everything: rarely */
	if ((cur_cmd(r) == ESPAH_CMD_SA_FLUSH || cur_cmd(r) == ESPAH_CMD_POL_FLUSH) &&
	    pct(80))
		((struct genlmsghdr *)(r->buf + NLMSG_HDRLEN))->cmd = ESPAH_CMD_SA_COUNT;
}

/* ------------------------------------------------------------------ */
/* multicast groups */

static void mcast_check(bool expect_refused)
{
	int i;

	for (i = 0; i < ngrp; i++) {
		int g = grp_id[i];
		int e = setsockopt(sock_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
				   sizeof(g)) ? errno : 0;

		if (e == EPERM) {
			cnt[C_MCAST_REFUSED]++;
		} else if (!e) {
			cnt[C_MCAST_JOINED]++;
			setsockopt(sock_fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g,
				   sizeof(g));
		}
		if (expect_refused != (e == EPERM) || verbose)
			diag("multicast group %s (%u): %s", grp_name[i], g,
			     e ? strerror(e) : "joined");
	}
}

/* ------------------------------------------------------------------ */

static const char *stat_prefix = "";

static void print_stats(void)
{
	int i;

	for (i = 0; i < C_MAX; i++)
		printf("stat %s%s %" PRIu64 "\n", stat_prefix, cname[i], cnt[i]);
	fflush(stdout);
}

static void write_listing(const char *path)
{
	char a[64];
	FILE *f = fopen(path, "w");
	int i;

	if (!f) {
		perror(path);
		return;
	}
	for (i = 0; i < nsa; i++) {
		inet_ntop(sas[i].k.family, sas[i].k.dst, a, sizeof(a));
		fprintf(f, "sa %u %s %s %s\n", ntohl(sas[i].k.spi), a,
			sas[i].k.proto == IPPROTO_ESP ? "esp" : "ah",
			sas[i].dir == ESPAH_DIR_IN ? "in" : "out");
	}
	for (i = 0; i < npol; i++)
		fprintf(f, "policy %u %s\n", pols[i].index,
			(const char *[]){ "in", "out", "fwd" }[pols[i].dir % 3]);
	fclose(f);
}

/* warm-up: every algorithm of the templates, once, must be accepted and
 * echoed as sent
 */
static int warmup(void)
{
	struct reply rp;
	unsigned int i;
	int bad = 0;

	for (i = 0; i < NALGS; i++) {
		const struct nlattr *tb[ESPAH_A_MAX + 1], *rtb[ESPAH_A_MAX + 1];
		const uint8_t *b, *rb;
		size_t bl, rbl;
		struct sa_ent se, re;
		const char *why = NULL;

		req_init(&R, ESPAH_CMD_SA_ADD, "warmup");
		R.nlflags |= NLM_F_ECHO;
		add_u32(&R, -1, ESPAH_A_SA_SPI, htonl(0xf000 + i));
		add_u8(&R, -1, ESPAH_A_SA_PROTO, algs[i].proto);
		add_u16(&R, -1, ESPAH_A_SA_FAMILY, AF_INET);
		add_addr(&R, -1, ESPAH_A_SA_DST, AF_INET, 1, 1);
		add_addr(&R, -1, ESPAH_A_SA_SRC, AF_INET, 3, 2);
		add_u8(&R, -1, ESPAH_A_SA_DIR, i % 2);
		add_algs(&R, &algs[i]);
		serialize(&R);
		xfer(&R, &rp, NULL, NULL);
		if (!rp.err) {
			req_attrs(&R, tb, &b, &bl);
			sa_of(tb, &se, true);
			if (!reply_attrs(&rp, rtb, &rb, &rbl) || !sa_of(rtb, &re, false))
				why = "no echo";
			else
				why = sa_diff(&se, &re);
		}
		printf("# warm-up %s%s%s: %s%s%s\n", algs[i].aead ? algs[i].aead : algs[i].enc ? algs[i].enc : "",
		       algs[i].auth && !algs[i].aead && algs[i].enc ? " + " : "",
		       algs[i].auth ? algs[i].auth : "",
		       rp.err ? strerror(-rp.err) : why ? "echo differs: " : "ok",
		       rp.err ? " - " : why ? why : "", rp.err ? rp.msg : "");
		bad += rp.err || why;
		req_init(&R, ESPAH_CMD_SA_DEL, "warmup-del");
		add_u32(&R, -1, ESPAH_A_SA_SPI, htonl(0xf000 + i));
		add_u8(&R, -1, ESPAH_A_SA_PROTO, algs[i].proto);
		add_u16(&R, -1, ESPAH_A_SA_FAMILY, AF_INET);
		add_addr(&R, -1, ESPAH_A_SA_DST, AF_INET, 1, 1);
		serialize(&R);
		xfer(&R, &rp, NULL, NULL);
	}
	printf("stat warmup_failed %d\n", bad);
	return bad;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz [-s SEED] [-n N] [-u N] [-U N] [-o LISTING] [-c EVERY] [-v]\n"
		"       nlfuzz -W     (warm-up: each template algorithm once)\n"
		"       nlfuzz -p     (the family's policy dump, as uid 65534)\n"
		"  -F     valid requests only, with /proc/self/make-it-fail set\n"
		"         while each is sent and answered (failslab, fail_page_alloc)\n"
		"  -S     leave out requests that make 6.1 WARN (see warn_prone())\n"
		"  -n N   requests as root          -u N  requests as uid 65534\n"
		"  -U N   requests as root of a new user namespace (same netns)\n"
		"  -c N   full dump comparison every N requests (default 5000)\n");
	exit(2);
}

static int child_run(int mode, uint64_t n, uint64_t seed)
{
	uint64_t i;

	if (mode == 1) {
		role = "uid 65534";
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("nlfuzz: drop privileges");
			return 1;
		}
	} else {
		role = "userns root";
		if (unshare(CLONE_NEWUSER)) {
			perror("nlfuzz: unshare(CLONE_NEWUSER)");
			return 1;
		}
	}
	unpriv = true;
	stat_prefix = mode == 1 ? "u_" : "U_";
	memset(cnt, 0, sizeof(cnt));
	memset(samples, 0, sizeof(samples));
	close(sock_fd);
	sock_fd = open_sock();
	if (sock_fd < 0 || resolve_family())
		return 1;
	mcast_check(true);
	rs = seed;
	for (i = 0; i < n; i++) {
		do
			gen(&R);
		while (safe_mode && warn_prone(&R));
		run_one(&R);
	}
	print_stats();
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, n = 10000, nu = 0, nU = 0, every = 5000, i;
	const char *listing = NULL;
	bool warm = false, pdump = false;
	struct timespec t0, t1;
	int o, rc = 0, st;

	if (getenv("NLFUZZ_TRACE"))
		sscanf(getenv("NLFUZZ_TRACE"), "%" SCNu64 "-%" SCNu64, &trace_from, &trace_to);
	while ((o = getopt(argc, argv, "s:n:u:U:o:c:vWSpF")) != -1) {
		switch (o) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 'u': nu = strtoull(optarg, NULL, 0); break;
		case 'U': nU = strtoull(optarg, NULL, 0); break;
		case 'o': listing = optarg; break;
		case 'c': every = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		case 'W': warm = true; break;
		case 'S': safe_mode = true; break;
		case 'p': pdump = true; break;
		case 'F': fault_mode = true; break;
		default: usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sock_fd = open_sock();
	if (sock_fd < 0) {
		perror("nlfuzz: socket");
		return 1;
	}
	if (resolve_family())
		return 1;
	if (fault_mode) {
		mif_fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
		if (mif_fd < 0) {
			perror("nlfuzz: /proc/self/make-it-fail");
			return 1;
		}
	}
	if (warm)
		return warmup() ? 1 : 0;
	if (pdump) {
		/* as an unprivileged user: the policy dump is open to all */
		role = "uid 65534";
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("nlfuzz: drop privileges");
			return 1;
		}
		close(sock_fd);
		sock_fd = open_sock();
		return sock_fd < 0 || policy_dump();
	}

	/* the family's own view of its commands' rights */
	for (i = 1; i <= ESPAH_CMD_MAX; i++) {
		if (!op_exists[i])
			continue;
		printf("# op %2" PRIu64 ": %s%s%s\n", i,
		       op_flags[i] & GENL_CMD_CAP_DO ? "do " : "",
		       op_flags[i] & GENL_CMD_CAP_DUMP ? "dump " : "",
		       op_flags[i] & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM) ?
		       "admin" : "open to all");
		if (i != ESPAH_CMD_FEATURES_GET &&
		    !(op_flags[i] & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM)))
			printf("stat op_open_%" PRIu64 " 1\n", i);
	}
	mcast_check(false);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rs = seed;
	for (i = 0; i < n; i++) {
		do
			gen(&R);
		while (safe_mode && warn_prone(&R));
		run_one(&R);
		if (every && (i + 1) % every == 0) {
			char when[64];

			snprintf(when, sizeof(when), "after %" PRIu64, i + 1);
			full_compare(when);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%" PRIu64 " requests in %.1f s; model: %d SAs, %d policies", n,
	     (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, nsa, npol);
	print_stats();

	/* unprivileged callers, each in a child, with other seeds */
	for (o = 1; o <= 2; o++) {
		uint64_t cn = o == 1 ? nu : nU;
		pid_t pid;

		if (!cn)
			continue;
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(child_run(o, cn, seed * 1000003 + o));
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			printf("stat %s_child_failed 1\n", o == 1 ? "u" : "U");
			rc = 1;
		}
	}
	/* leave the namespace as it was: not attached (checked like any) */
	if (xf_attached) {
		req_init(&R, ESPAH_CMD_XFRM_DETACH, "xfrm-detach");
		serialize(&R);
		run_one(&R);
		if (xf_attached)
			cnt[C_INCONS]++;
	}
	/* the unprivileged ones changed nothing; the model is what root did */
	full_compare("final");
	printf("stat final_inconsistent %" PRIu64 "\n", cnt[C_INCONS]);
	printf("stat final_sas %d\nstat final_policies %d\n", nsa, npol);
	if (listing)
		write_listing(listing);
	return rc;
}
