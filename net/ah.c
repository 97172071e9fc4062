// SPDX-License-Identifier: GPL-2.0
/*
 * AH framing (RFC 4302): header, the ICV over the immutable and
 * predictable parts of the packet, and the per-packet crypto request laid
 * out as include/espah/crypto.h describes ("AH request layout").
 *
 * The packet itself is never zeroed in place: the IP header(s) and the AH
 * header are copied into the per-packet allocation with the mutable fields
 * and the ICV zeroed, and the scatterlist is
 *   header copy | payload (in the skb) | seq_hi (ESN) | ICV slot
 * so a failed or asynchronous operation never leaves a half-zeroed packet,
 * and nothing in the skb is written during the crypto operation. Output
 * copies the ICV from the slot into the AH header afterwards; input copies
 * the received ICV into the slot, where the transform compares it.
 *
 * One allocation per packet holds the completion state, the GMAC nonce,
 * the header copy, the ICV slot, the aead_request and its scatterlist.
 * The packet must be linear (the packet paths make it so).
 */
#include <crypto/aead.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include <espah/ah.h>
#include <espah/kunit.h>
#include <espah/sa.h>

/* Requests that went asynchronous and have not completed yet. */
static atomic_t ah_inflight = ATOMIC_INIT(0);

/* Longest ICV of the algorithm table (hmac(sha512) untruncated). */
#define AH_ICV_MAX	64
/* GMAC nonce: salt | IV */
#define AH_NONCE_LEN	12

/**
 * struct ah_tmp - the per-packet allocation
 * @st: the caller's state, handed back on completion
 * @skb: the packet
 * @sa: the SA (caller's reference)
 * @done: the caller's completion
 * @dev: the packet's device, held while asynchronous
 * @icv_off: output: offset of the ICV in the packet (from skb->data)
 * @enc: output (copy the ICV into the packet when done)
 * @seq_hi: ESN high bits, appended to the authenticated data
 *
 * Followed by the nonce, the header copy and ICV slot, the aead_request
 * and the scatterlist (see tmp_alloc()).
 */
struct ah_tmp {
	struct espah_esp_state st;
	struct sk_buff *skb;
	struct espah_sa *sa;
	espah_esp_done_t done;
	struct net_device *dev;
	unsigned int icv_off;
	bool enc;
	__be32 seq_hi;
};

/* The unpadded AH header: fixed part, GMAC IV, ICV. */
static unsigned int ah_raw_len(const struct espah_sa *sa)
{
	return ESPAH_AH_HLEN + sa->crypto.iv_len + sa->crypto.icv_len;
}

/**
 * espah_ah_hlen() - AH header length this SA sends
 * @sa: the SA
 * @family: AF_INET or AF_INET6 of the IP header AH follows
 *
 * RFC 4302 2.6: the ICV field is padded so that the header is a multiple
 * of 32 bits (IPv4) or 64 bits (IPv6). Over IPv4 the native Linux AH pads
 * to 64 bits unless the SA has flag align4, and accepts only the length
 * it would send: so does espah's sender (an ICV of 128 bits or more, e.g.
 * hmac(sha256), is where the two differ).
 *
 * Return: bytes of the AH header including IV, ICV and padding.
 */
unsigned int espah_ah_hlen(const struct espah_sa *sa, u16 family)
{
	bool align4 = family == AF_INET && (sa->flags & ESPAH_SA_FLAG_ALIGN4);

	return ALIGN(ah_raw_len(sa), align4 ? 4 : 8);
}

ESPAH_EXPORT_FOR_KUNIT(espah_ah_hlen);

/**
 * espah_ah_hlen_ok() - is a received AH header length acceptable
 * @sa: the SA
 * @family: AF_INET or AF_INET6 of the IP header AH follows
 * @len: (hdrlen + 2) * 4 from the received header
 *
 * Over IPv4 either padding is accepted, whatever flag align4 says: the
 * 32-bit one RFC 4302 asks for and the 64-bit one of the native Linux
 * default; nothing beyond.
 *
 * Return: true if @len carries this SA's IV and ICV and only padding.
 */
bool espah_ah_hlen_ok(const struct espah_sa *sa, u16 family,
		      unsigned int len)
{
	unsigned int raw = ah_raw_len(sa);

	return len == ALIGN(raw, 8) ||
	       (family == AF_INET && len == ALIGN(raw, 4));
}

ESPAH_EXPORT_FOR_KUNIT(espah_ah_hlen_ok);

/* RFC 4302 appendix A.1: IPv4 options included in the ICV as they are. */
static bool ip4_opt_immutable(u8 type)
{
	switch (type) {
	case IPOPT_SEC:		/* 130 Security */
	case 133:		/* Extended Security */
	case IPOPT_CIPSO:	/* 134 Commercial Security */
	case IPOPT_RA:		/* 148 Router Alert */
	case 149:		/* Sender Directed Multi-Destination Delivery */
		return true;
	}
	return false;
}

/**
 * espah_ah_ip4_mutable() - zero what AH must not cover in an IPv4 header
 * @hdr: a copy of the IPv4 header with its options (@len bytes)
 * @len: ihl * 4
 *
 * RFC 4302 3.3.3.1.1: TOS, flags and fragment offset, TTL and checksum are
 * zeroed. Options (appendix A.1): End of List and No Operation are
 * immutable and covered; Security, Extended Security, Commercial Security,
 * Router Alert and SDMDD are covered; every other option, known (record
 * route, timestamp, source routes) or not, is zeroed whole. With a loose
 * or strict source route the destination address is the one the packet
 * will have at its destination: the last address of the route.
 *
 * Return: 0, or -EINVAL for a malformed option list.
 */
int espah_ah_ip4_mutable(u8 *hdr, unsigned int len)
{
	struct iphdr *iph = (struct iphdr *)hdr;
	unsigned int off = sizeof(*iph), olen;

	if (len < sizeof(*iph))
		return -EINVAL;
	iph->tos = 0;
	iph->frag_off = 0;
	iph->ttl = 0;
	iph->check = 0;
	while (off < len) {
		u8 type = hdr[off];

		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOOP) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EINVAL;
		olen = hdr[off + 1];
		if (olen < 2 || off + olen > len)
			return -EINVAL;
		if (!ip4_opt_immutable(type)) {
			if (type == IPOPT_LSRR || type == IPOPT_SSRR) {
				if (olen < 7)
					return -EINVAL;
				memcpy(&iph->daddr, hdr + off + olen - 4, 4);
			}
			memset(hdr + off, 0, olen);
		}
		off += olen;
	}
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_ah_ip4_mutable);

/* Hop-by-hop or destination options: zero the data of every option whose
 * type has the "may change en route" bit (RFC 8200 4.2), cover the rest.
 */
static int ip6_opts_mutable(u8 *opt, unsigned int len)
{
	unsigned int off = 2;

	while (off < len) {
		unsigned int olen;

		if (opt[off] == IPV6_TLV_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EINVAL;
		olen = opt[off + 1] + 2;
		if (off + olen > len)
			return -EINVAL;
		if (opt[off] & 0x20)
			memset(opt + off + 2, 0, olen - 2);
		off += olen;
	}
	return 0;
}

/* A routing header as it will look at the destination: the destination
 * address becomes the last address of the list, the list shifts by one
 * with the current destination first, and segments left is 0. Types 0
 * (deprecated, RFC 5095) and 2 (Mobile IPv6) have this layout; any other
 * type is covered only once it has reached its end.
 */
static int ip6_rthdr_final(struct ipv6hdr *ip6h, u8 *rh, unsigned int len)
{
	struct ipv6_rt_hdr *rt = (struct ipv6_rt_hdr *)rh;
	struct in6_addr *addrs, last;
	unsigned int n;

	if (!rt->segments_left)
		return 0;
	if (rt->type != IPV6_SRCRT_TYPE_0 && rt->type != IPV6_SRCRT_TYPE_2)
		return -EINVAL;
	if (len < 8 || (len - 8) % sizeof(struct in6_addr))
		return -EINVAL;
	n = (len - 8) / sizeof(struct in6_addr);
	if (rt->segments_left > n)
		return -EINVAL;
	addrs = (struct in6_addr *)(rh + 8);
	/* addresses already visited stay; the rest shift in one slot */
	last = addrs[n - 1];
	memmove(&addrs[n - rt->segments_left + 1],
		&addrs[n - rt->segments_left],
		(rt->segments_left - 1) * sizeof(*addrs));
	addrs[n - rt->segments_left] = ip6h->daddr;
	ip6h->daddr = last;
	rt->segments_left = 0;
	return 0;
}

/**
 * espah_ah_ip6_mutable() - zero what AH must not cover in IPv6 headers
 * @hdr: a copy of the IPv6 header and the extension headers that precede
 *	AH (@len bytes)
 * @len: offset of the AH header from the IPv6 header
 *
 * RFC 4302 3.3.3.1.2: DSCP, ECN, flow label and hop limit are zeroed.
 * Hop-by-hop and destination options: an option whose type has the
 * mutable bit (0x20) has its data zeroed, the others are covered. A
 * routing header is covered as it will be at the destination (see
 * ip6_rthdr_final()); on input it is there already (segments left 0).
 * Any other header in front of AH (a fragment header) is refused.
 *
 * Return: 0, or -EINVAL for a malformed or unexpected header chain.
 */
int espah_ah_ip6_mutable(u8 *hdr, unsigned int len)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)hdr;
	unsigned int off = sizeof(*ip6h);
	u8 nexthdr;
	int err;

	if (len < sizeof(*ip6h))
		return -EINVAL;
	nexthdr = ip6h->nexthdr;
	hdr[0] &= 0xf0;
	hdr[1] = 0;
	hdr[2] = 0;
	hdr[3] = 0;
	ip6h->hop_limit = 0;
	while (off < len) {
		unsigned int hlen;

		if (off + 2 > len)
			return -EINVAL;
		hlen = ipv6_optlen((struct ipv6_opt_hdr *)(hdr + off));
		if (off + hlen > len)
			return -EINVAL;
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
			err = ip6_opts_mutable(hdr + off, hlen);
			break;
		case NEXTHDR_ROUTING:
			err = ip6_rthdr_final(ip6h, hdr + off, hlen);
			break;
		default:
			err = -EINVAL;
		}
		if (err)
			return err;
		nexthdr = hdr[off];
		off += hlen;
	}
	return nexthdr == IPPROTO_AH ? 0 : -EINVAL;
}

ESPAH_EXPORT_FOR_KUNIT(espah_ah_ip6_mutable);

/* Layout after struct ah_tmp: nonce (aligned to the transform's
 * alignmask), header copy, ICV slot, aead_request (ctx alignment),
 * scatterlist[4]; sizes include the alignment slack.
 */
static struct ah_tmp *tmp_alloc(struct crypto_aead *aead, unsigned int hlen)
{
	size_t size = sizeof(struct ah_tmp);

	size += crypto_aead_alignmask(aead) + AH_NONCE_LEN + hlen + AH_ICV_MAX;
	size += crypto_tfm_ctx_alignment() + sizeof(struct aead_request) +
		crypto_aead_reqsize(aead);
	size += __alignof__(struct scatterlist) + 4 * sizeof(struct scatterlist);
	return kmalloc(size, GFP_ATOMIC);
}

static u8 *tmp_nonce(struct ah_tmp *t, struct crypto_aead *aead)
{
	return PTR_ALIGN((u8 *)(t + 1), crypto_aead_alignmask(aead) + 1);
}

static u8 *tmp_hdr(struct ah_tmp *t, struct crypto_aead *aead)
{
	return tmp_nonce(t, aead) + AH_NONCE_LEN;
}

static struct aead_request *tmp_req(struct ah_tmp *t, struct crypto_aead *aead,
				    unsigned int hlen)
{
	return PTR_ALIGN((void *)(tmp_hdr(t, aead) + hlen + AH_ICV_MAX),
			 crypto_tfm_ctx_alignment());
}

static struct scatterlist *tmp_sg(struct aead_request *req,
				  struct crypto_aead *aead)
{
	return PTR_ALIGN((void *)((u8 *)(req + 1) + crypto_aead_reqsize(aead)),
			 __alignof__(struct scatterlist));
}

static void ah_finish(struct ah_tmp *t, int err)
{
	if (!err && t->enc)
		memcpy(t->skb->data + t->icv_off,
		       tmp_hdr(t, t->sa->crypto.aead) + t->st.esp_off +
		       espah_ah_hlen(t->sa, t->st.family),
		       t->sa->crypto.icv_len);
}

static void ah_complete(struct crypto_async_request *base, int err)
{
	struct ah_tmp *t = base->data;

	if (err == -EINPROGRESS)
		return;
	ah_finish(t, err);
	t->done(t->skb, t->sa, &t->st, err);
	dev_put(t->dev);
	kfree_sensitive(t);
	/* see esp_complete() */
	rcu_read_lock();
	if (atomic_dec_and_test(&ah_inflight))
		wake_up_var(&ah_inflight);
	rcu_read_unlock();
}

/* Build and run the request. The headers up to the end of the AH header
 * (as received, or as filled by output) are copied and zeroed; the ICV
 * slot right after the copy receives (output) or holds (input) the ICV.
 */
static int ah_run(struct espah_sa *sa, struct sk_buff *skb,
		  const struct espah_esp_state *st, espah_esp_done_t done,
		  bool enc)
{
	const struct espah_crypto *c = &sa->crypto;
	struct crypto_aead *aead = c->aead;
	unsigned int ahlen, hlen, plen, adlen, nsg = 0;
	struct ip_auth_hdr *ah;
	struct aead_request *req;
	struct scatterlist *sg;
	struct ah_tmp *t;
	u8 *hdr, *icv;
	int err;

	ahlen = enc ? espah_ah_hlen(sa, st->family) :
		      ((struct ip_auth_hdr *)(skb->data + st->esp_off))->hdrlen *
		      4 + 8;
	hlen = st->esp_off + ahlen;
	if (WARN_ON_ONCE(skb_is_nonlinear(skb) || skb->len < hlen ||
			 c->icv_len > AH_ICV_MAX))
		return -EINVAL;
	plen = skb->len - hlen;

	t = tmp_alloc(aead, hlen);
	if (!t)
		return -ENOMEM;
	t->st = *st;
	t->skb = skb;
	t->sa = sa;
	t->done = done;
	t->dev = skb->dev;
	t->enc = enc;
	t->icv_off = st->esp_off + ESPAH_AH_HLEN + c->iv_len;
	t->seq_hi = htonl(upper_32_bits(st->seq));
	hdr = tmp_hdr(t, aead);
	req = tmp_req(t, aead, hlen);
	sg = tmp_sg(req, aead);

	/* the ICV slot follows the header copy (ah_finish() reads it) */
	memcpy(hdr, skb->data, hlen);
	icv = hdr + hlen;
	ah = (struct ip_auth_hdr *)(hdr + st->esp_off);
	if (!enc)
		memcpy(icv, ah->auth_data + c->iv_len, c->icv_len);
	memset(ah->auth_data + c->iv_len, 0, c->icv_len);
	if (st->family == AF_INET)
		err = espah_ah_ip4_mutable(hdr, st->esp_off);
	else
		err = espah_ah_ip6_mutable(hdr, st->esp_off);
	if (err) {
		kfree_sensitive(t);
		return -EINVAL;
	}
	if (c->ah_gmac) {
		u8 *nonce = tmp_nonce(t, aead);

		memcpy(nonce, c->salt, sizeof(c->salt));
		memcpy(nonce + sizeof(c->salt), ah->auth_data, c->iv_len);
	}

	sg_init_table(sg, 4);
	sg_set_buf(&sg[nsg++], hdr, hlen);
	if (plen)
		sg_set_buf(&sg[nsg++], skb->data + hlen, plen);
	adlen = hlen + plen;
	if (c->esn) {
		sg_set_buf(&sg[nsg++], &t->seq_hi, sizeof(t->seq_hi));
		adlen += sizeof(t->seq_hi);
	}
	sg_set_buf(&sg[nsg++], icv, c->icv_len);
	sg_mark_end(&sg[nsg - 1]);

	aead_request_set_tfm(req, aead);
	aead_request_set_callback(req, 0, ah_complete, t);
	aead_request_set_crypt(req, sg, sg, enc ? 0 : c->icv_len,
			       c->ah_gmac ? tmp_nonce(t, aead) : NULL);
	aead_request_set_ad(req, adlen);

	atomic_inc(&ah_inflight);
	dev_hold(t->dev);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return err;
	if (!err && enc)
		memcpy(skb->data + t->icv_off, icv, c->icv_len);
	dev_put(t->dev);
	atomic_dec(&ah_inflight);
	kfree_sensitive(t);
	/* No MAY_BACKLOG: -EBUSY means the queue was full, the packet lost. */
	return err == -EBUSY ? -ENOBUFS : err;
}

/**
 * espah_ah_output() - fill the AH header and compute its ICV
 * @sa: outbound SA
 * @skb: linear, writable packet; skb->data + @st->esp_off has room for
 *	espah_ah_hlen() bytes of AH header, followed by the payload up to the
 *	end; the IP header(s) in front are final (length fields set, the
 *	byte naming the next header says AH)
 * @st: @st->esp_off, @st->seq and @st->family are used; handed to @done
 * @nexthdr: the payload's protocol (IPPROTO_IPIP/IPV6 in tunnel mode)
 * @done: completion if the transform goes asynchronous
 *
 * Return: 0 when the ICV is in place; -EINPROGRESS when @done will be
 * called (and owns @skb); another negative errno on failure (the caller
 * still owns @skb).
 */
int espah_ah_output(struct espah_sa *sa, struct sk_buff *skb,
		    const struct espah_esp_state *st, u8 nexthdr,
		    espah_esp_done_t done)
{
	const struct espah_crypto *c = &sa->crypto;
	unsigned int ahlen = espah_ah_hlen(sa, st->family);
	struct ip_auth_hdr *ah;

	if (WARN_ON_ONCE(skb->len < st->esp_off + ahlen))
		return -EINVAL;
	ah = (struct ip_auth_hdr *)(skb->data + st->esp_off);
	ah->nexthdr = nexthdr;
	ah->hdrlen = ahlen / 4 - 2;
	ah->reserved = 0;
	ah->spi = sa->spi;
	ah->seq_no = htonl(lower_32_bits(st->seq));
	espah_crypto_gen_iv(c, st->seq, ah->auth_data);
	/* ICV (written afterwards) and padding */
	memset(ah->auth_data + c->iv_len, 0, ahlen - ESPAH_AH_HLEN - c->iv_len);
	return ah_run(sa, skb, st, done, true);
}

/**
 * espah_ah_input() - verify the ICV of a received AH packet
 * @sa: inbound SA
 * @skb: linear packet, network header at skb->data; the AH header at
 *	@st->esp_off, its length checked with espah_ah_hlen_ok()
 * @st: @st->esp_off, @st->seq and @st->family are used; handed to @done
 * @done: completion if the transform goes asynchronous
 *
 * The packet is not modified.
 *
 * Return: 0 when the ICV verifies; -EBADMSG when it does not; -EINVAL
 * for IP headers that cannot be prepared (malformed options);
 * -EINPROGRESS when @done will be called (and owns @skb); another
 * negative errno on failure (the caller still owns @skb).
 */
int espah_ah_input(struct espah_sa *sa, struct sk_buff *skb,
		   const struct espah_esp_state *st, espah_esp_done_t done)
{
	return ah_run(sa, skb, st, done, false);
}

/**
 * espah_ah_wait_inflight() - wait until no asynchronous request is pending
 *
 * Called after the hooks of a namespace are unregistered, so that no
 * completion still uses the namespace or its SAs.
 */
void espah_ah_wait_inflight(void)
{
	wait_var_event(&ah_inflight, !atomic_read(&ah_inflight));
	synchronize_rcu();
}
