// SPDX-License-Identifier: GPL-2.0
/*
 * ESP framing (RFC 4303 section 2): header, IV, padding and trailer, and
 * the per-packet crypto request laid out as include/espah/crypto.h
 * describes ("ESP request layout").
 *
 * One allocation per packet holds the completion state, the associated
 * data (SPI | [seq_hi |] seq_lo), the private IV copy, the aead_request
 * and its two-entry scatterlist: the AAD buffer chained in front of the
 * packet's IV | payload | ICV. The packet must be linear and writable
 * (the packet paths make it so).
 */
#include <crypto/aead.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include <espah/esp.h>
#include <espah/kunit.h>
#include <espah/pernet.h>
#include <espah/sa.h>

/* Requests that went asynchronous and have not completed yet. */
static atomic_t esp_inflight = ATOMIC_INIT(0);

/* One spare request buffer per CPU: a synchronous transform (the usual
 * case) gives its buffer back at once, and the next packet on that CPU
 * takes it instead of a kmalloc()/kfree() pair (and, with init_on_alloc,
 * the zeroing of the whole request). A request that goes asynchronous
 * keeps its buffer; the next one is allocated.
 */
#define ESP_TMP_POOLED	1024
static DEFINE_PER_CPU(struct esp_tmp *, esp_tmp_spare);

/**
 * struct esp_tmp - the per-packet allocation
 * @st: the caller's state, handed back on completion
 * @skb: the packet
 * @sa: the SA (caller's reference)
 * @done: the caller's completion
 * @dev: inbound: the receiving device, held while asynchronous
 * @ad: associated data: SPI | seq_hi | seq_lo, or SPI | seq_lo
 * @pooled: ESP_TMP_POOLED bytes, may become a CPU's spare (tmp_free())
 * @size: bytes in use (wiped when the buffer is given back)
 *
 * Followed by the IV copy, the aead_request and the scatterlist, each
 * aligned as the crypto API wants (see tmp_alloc()).
 */
struct esp_tmp {
	struct espah_esp_state st;
	struct sk_buff *skb;
	struct espah_sa *sa;
	espah_esp_done_t done;
	struct net_device *dev;
	__be32 ad[3];
	bool pooled;
	unsigned int size;
};

/**
 * espah_esp_padlen() - padding bytes RFC 4303 2.4 needs for a payload
 * @len: bytes of payload (the inner packet) to be encrypted
 * @align: alignment of payload + padding + the 2 trailer bytes (>= 1)
 *
 * Return: the smallest padding so that @len + padding + 2 is a multiple of
 * @align.
 */
unsigned int espah_esp_padlen(unsigned int len, unsigned int align)
{
	if (align <= 1)
		return 0;
	return (align - (len + ESPAH_ESP_TRAILER) % align) % align;
}

ESPAH_EXPORT_FOR_KUNIT(espah_esp_padlen);

/**
 * espah_esp_trailer_fill() - write padding and trailer
 * @tail: where the padding starts (room for @padlen + 2 bytes)
 * @padlen: padding bytes (at most 255)
 * @nexthdr: protocol of the payload
 *
 * Padding is the monotonic sequence 1, 2, 3, ... (RFC 4303 2.4 default).
 */
void espah_esp_trailer_fill(u8 *tail, unsigned int padlen, u8 nexthdr)
{
	unsigned int i;

	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;
}

ESPAH_EXPORT_FOR_KUNIT(espah_esp_trailer_fill);

/**
 * espah_esp_trailer_check() - validate decrypted padding and trailer
 * @pt: decrypted payload: inner packet | padding | pad length | next header
 * @len: bytes at @pt
 * @nexthdr: out: next header
 * @padlen: out: padding bytes
 *
 * Return: 0; -EINVAL if @len cannot hold the trailer or the pad length
 * exceeds the payload; -EBADMSG if a padding byte is not the default
 * monotonic value.
 */
int espah_esp_trailer_check(const u8 *pt, unsigned int len, u8 *nexthdr,
			    unsigned int *padlen)
{
	unsigned int pl, i;
	const u8 *pad;

	if (len < ESPAH_ESP_TRAILER)
		return -EINVAL;
	pl = pt[len - 2];
	if (pl + ESPAH_ESP_TRAILER > len)
		return -EINVAL;
	pad = pt + len - ESPAH_ESP_TRAILER - pl;
	for (i = 0; i < pl; i++)
		if (pad[i] != (u8)(i + 1))
			return -EBADMSG;
	*nexthdr = pt[len - 1];
	*padlen = pl;
	return 0;
}

ESPAH_EXPORT_FOR_KUNIT(espah_esp_trailer_check);

/**
 * espah_esp_tailroom() - largest trailer + ICV an SA appends
 * @sa: the SA
 *
 * Return: bytes of tailroom espah_esp_encrypt() may need.
 */
unsigned int espah_esp_tailroom(const struct espah_sa *sa)
{
	return sa->crypto.block_size + 1 + sa->crypto.icv_len;
}

/**
 * espah_esp_hlen() - ESP header plus explicit IV
 * @sa: the SA
 *
 * Return: bytes between the IP header and the payload.
 */
unsigned int espah_esp_hlen(const struct espah_sa *sa)
{
	return ESPAH_ESP_HLEN + sa->crypto.iv_len;
}

/* Layout after struct esp_tmp: IV (aligned to the transform's alignmask),
 * aead_request (ctx alignment), scatterlist[2]. Sizes include the worst
 * case alignment slack so the pointers below always fit.
 */
static struct esp_tmp *tmp_alloc(struct crypto_aead *aead)
{
	size_t size = sizeof(struct esp_tmp);
	struct esp_tmp *t = NULL;
	bool pooled;

	size += crypto_aead_alignmask(aead) + crypto_aead_ivsize(aead);
	size += crypto_tfm_ctx_alignment() + sizeof(struct aead_request) +
		crypto_aead_reqsize(aead);
	size += __alignof__(struct scatterlist) + 2 * sizeof(struct scatterlist);
	pooled = size <= ESP_TMP_POOLED;
	if (pooled)
		t = this_cpu_xchg(esp_tmp_spare, NULL);
	if (!t)
		t = kmalloc(pooled ? ESP_TMP_POOLED : size, GFP_ATOMIC);
	if (t) {
		t->pooled = pooled;
		t->size = size;
	}
	return t;
}

/* The request context held cipher state derived from the key and the
 * packet (counter blocks, GHASH/Poly1305 accumulators): wipe it before
 * the buffer is reused or freed.
 */
static void tmp_free(struct esp_tmp *t)
{
	memzero_explicit(t + 1, t->size - sizeof(*t));
	if (t->pooled && !this_cpu_cmpxchg(esp_tmp_spare, NULL, t))
		return;
	kfree(t);
}

static u8 *tmp_iv(struct esp_tmp *t, struct crypto_aead *aead)
{
	return PTR_ALIGN((u8 *)(t + 1), crypto_aead_alignmask(aead) + 1);
}

static struct aead_request *tmp_req(struct esp_tmp *t, struct crypto_aead *aead)
{
	return PTR_ALIGN((void *)(tmp_iv(t, aead) + crypto_aead_ivsize(aead)),
			 crypto_tfm_ctx_alignment());
}

static struct scatterlist *tmp_sg(struct esp_tmp *t, struct crypto_aead *aead)
{
	struct aead_request *req = tmp_req(t, aead);

	return PTR_ALIGN((void *)((u8 *)(req + 1) + crypto_aead_reqsize(aead)),
			 __alignof__(struct scatterlist));
}

static void esp_complete(struct crypto_async_request *base, int err)
{
	struct esp_tmp *t = base->data;

	if (err == -EINPROGRESS)
		return;
	t->done(t->skb, t->sa, &t->st, err);
	dev_put(t->dev);
	tmp_free(t);
	/* espah_esp_wait_inflight() may return as soon as the count is 0:
	 * the wakeup that follows is inside an RCU section it waits out.
	 */
	rcu_read_lock();
	if (atomic_dec_and_test(&esp_inflight))
		wake_up_var(&esp_inflight);
	rcu_read_unlock();
}

/* Run the request; on -EINPROGRESS the completion owns the packet and
 * @t, otherwise free @t and return the result.
 */
static int esp_run(struct esp_tmp *t, struct aead_request *req, bool enc)
{
	/* @t may be gone as soon as the request went asynchronous */
	struct net *net = t->st.net;
	int err;

	atomic_inc(&esp_inflight);
	dev_hold(t->dev);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (err == -EINPROGRESS) {
		espah_stat_inc(net, ESPAH_STAT_CRYPTO_ASYNC);
		return err;
	}
	dev_put(t->dev);
	atomic_dec(&esp_inflight);
	tmp_free(t);
	/* No MAY_BACKLOG: -EBUSY means the queue was full, the packet lost. */
	return err == -EBUSY ? -ENOBUFS : err;
}

static struct esp_tmp *esp_prepare(struct espah_sa *sa, struct sk_buff *skb,
				   const struct espah_esp_state *st,
				   espah_esp_done_t done, unsigned int *adlen)
{
	struct esp_tmp *t = tmp_alloc(sa->crypto.aead);

	if (!t)
		return NULL;
	t->st = *st;
	t->skb = skb;
	t->sa = sa;
	t->done = done;
	t->dev = skb->dev;
	t->ad[0] = sa->spi;
	if (sa->crypto.esn) {
		t->ad[1] = htonl(upper_32_bits(st->seq));
		t->ad[2] = htonl(lower_32_bits(st->seq));
		*adlen = 12;
	} else {
		t->ad[1] = htonl(lower_32_bits(st->seq));
		*adlen = 8;
	}
	return t;
}

/**
 * espah_esp_encrypt() - append the trailer, fill header and IV, encrypt
 * @sa: outbound SA
 * @skb: linear, writable packet; skb->data + @st->esp_off has room for the
 *	ESP header and IV (espah_esp_hlen()), followed by the payload up to
 *	the end; at least espah_esp_tailroom() bytes of tailroom
 * @st: @st->esp_off and @st->seq are used; handed to @done
 * @nexthdr: the payload's protocol (IPPROTO_IPIP/IPV6 in tunnel mode)
 * @done: completion if the transform goes asynchronous
 *
 * Return: 0 when the packet is encrypted; -EINPROGRESS when @done will be
 * called (and owns @skb); another negative errno on failure (the caller
 * still owns @skb).
 */
int espah_esp_encrypt(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, u8 nexthdr,
		      espah_esp_done_t done)
{
	const struct espah_crypto *c = &sa->crypto;
	struct crypto_aead *aead = c->aead;
	unsigned int hlen = espah_esp_hlen(sa);
	unsigned int plen, padlen, adlen;
	struct ip_esp_hdr *esph;
	struct aead_request *req;
	struct scatterlist *sg;
	struct esp_tmp *t;
	u8 *iv;

	if (WARN_ON_ONCE(skb_is_nonlinear(skb) ||
			 skb->len < st->esp_off + hlen))
		return -EINVAL;
	plen = skb->len - st->esp_off - hlen;
	padlen = espah_esp_padlen(plen, c->block_size);
	if (skb_tailroom(skb) < padlen + ESPAH_ESP_TRAILER + c->icv_len)
		return -ENOSPC;

	t = esp_prepare(sa, skb, st, done, &adlen);
	if (!t)
		return -ENOMEM;
	iv = tmp_iv(t, aead);
	req = tmp_req(t, aead);
	sg = tmp_sg(t, aead);

	espah_esp_trailer_fill(skb_put(skb, padlen + ESPAH_ESP_TRAILER),
			       padlen, nexthdr);
	skb_put(skb, c->icv_len);
	plen += padlen + ESPAH_ESP_TRAILER;

	esph = (struct ip_esp_hdr *)(skb->data + st->esp_off);
	esph->spi = sa->spi;
	esph->seq_no = htonl(lower_32_bits(st->seq));
	if (c->iv_len) {
		espah_crypto_gen_iv(c, st->seq, iv);
		memcpy(esph->enc_data, iv, c->iv_len);
	}

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], t->ad, adlen);
	sg_set_buf(&sg[1], esph->enc_data, c->iv_len + plen + c->icv_len);
	aead_request_set_tfm(req, aead);
	aead_request_set_callback(req, 0, esp_complete, t);
	aead_request_set_crypt(req, sg, sg, plen, c->iv_len ? iv : NULL);
	aead_request_set_ad(req, adlen + c->iv_len);
	return esp_run(t, req, true);
}

/**
 * espah_esp_decrypt() - verify the ICV and decrypt in place
 * @sa: inbound SA
 * @skb: linear, writable packet; the ESP header at skb->data + @st->esp_off;
 *	the length checks (payload a positive multiple of the block size)
 *	are the caller's
 * @st: @st->esp_off and @st->seq are used; handed to @done
 * @done: completion if the transform goes asynchronous
 *
 * The trailer is left in place for the caller to check.
 *
 * Return: 0 when decrypted; -EBADMSG when the ICV does not verify;
 * -EINPROGRESS when @done will be called (and owns @skb); another negative
 * errno on failure (the caller still owns @skb).
 */
int espah_esp_decrypt(struct espah_sa *sa, struct sk_buff *skb,
		      const struct espah_esp_state *st, espah_esp_done_t done)
{
	const struct espah_crypto *c = &sa->crypto;
	struct crypto_aead *aead = c->aead;
	unsigned int hlen = espah_esp_hlen(sa);
	struct ip_esp_hdr *esph;
	struct aead_request *req;
	struct scatterlist *sg;
	unsigned int clen, adlen;
	struct esp_tmp *t;
	u8 *iv;

	if (WARN_ON_ONCE(skb_is_nonlinear(skb) ||
			 skb->len < st->esp_off + hlen + c->icv_len))
		return -EINVAL;
	clen = skb->len - st->esp_off - hlen;

	t = esp_prepare(sa, skb, st, done, &adlen);
	if (!t)
		return -ENOMEM;
	iv = tmp_iv(t, aead);
	req = tmp_req(t, aead);
	sg = tmp_sg(t, aead);

	esph = (struct ip_esp_hdr *)(skb->data + st->esp_off);
	if (c->iv_len)
		memcpy(iv, esph->enc_data, c->iv_len);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], t->ad, adlen);
	sg_set_buf(&sg[1], esph->enc_data, c->iv_len + clen);
	aead_request_set_tfm(req, aead);
	aead_request_set_callback(req, 0, esp_complete, t);
	aead_request_set_crypt(req, sg, sg, clen, c->iv_len ? iv : NULL);
	aead_request_set_ad(req, adlen + c->iv_len);
	return esp_run(t, req, false);
}

/**
 * espah_esp_wait_inflight() - wait until no asynchronous request is pending
 *
 * Called after the hooks of a namespace are unregistered, so that no
 * completion still uses the namespace or its SAs.
 */
void espah_esp_wait_inflight(void)
{
	wait_var_event(&esp_inflight, !atomic_read(&esp_inflight));
	/* the last completion may still be in its wakeup: see esp_complete() */
	synchronize_rcu();
}

/**
 * espah_esp_module_exit() - free the CPUs' spare request buffers
 *
 * Context: module unload, after every namespace is gone (no request can
 * be running).
 */
void espah_esp_module_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kfree(per_cpu(esp_tmp_spare, cpu));
		per_cpu(esp_tmp_spare, cpu) = NULL;
	}
}
