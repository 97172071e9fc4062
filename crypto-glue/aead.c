// SPDX-License-Identifier: GPL-2.0
/*
 * Per-SA transform setup: validate what the user asked for against the
 * algorithm table, allocate the crypto_aead, key it, set the ICV length.
 * The request layout the datapath uses is documented in espah/crypto.h.
 */
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <linux/err.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include <espah/crypto.h>
#include <espah/kunit.h>

/*
 * RFC 4303 3.2: at least one of confidentiality and integrity. Native XFRM
 * accepts ecb(cipher_null) with digest_null anyway, and benchmarks use it
 * to measure the datapath without crypto; so can espah, when asked.
 */
static bool allow_null_esp;
module_param(allow_null_esp, bool, 0644);
MODULE_PARM_DESC(allow_null_esp,
		 "accept ESP SAs with ecb(cipher_null) and digest_null (benchmarking only; RFC 4303 forbids it)");

/* @list is 0-terminated and at most ARRAY_SIZE(espah_alg.key_bits) long */
static bool bits_listed(const u16 *list, unsigned int n, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < n && list[i]; i++)
		if (list[i] == bits)
			return true;
	return false;
}

static bool key_len_ok(const struct espah_alg *a, unsigned int len)
{
	if (a->null)
		return len == 0;
	/* bounds the multiplication below as well */
	if (!len || len > 64)
		return false;
	return bits_listed(a->key_bits, ARRAY_SIZE(a->key_bits), len * 8);
}

/*
 * The ICV length in bytes for @a given the user's @bits (0 = default), or
 * -EINVAL. A null digest has no ICV, and only 0 is accepted for it.
 */
static int icv_len_of(const struct espah_alg *a, unsigned int bits)
{
	if (a->null)
		return bits ? -EINVAL : 0;
	if (!bits)
		return a->icv_bits[0] / 8;
	if (!bits_listed(a->icv_bits, ARRAY_SIZE(a->icv_bits), bits))
		return -EINVAL;
	return bits / 8;
}

/*
 * authenc's key: an rtattr carrying the cipher key length, then the
 * integrity key, then the cipher key (crypto_authenc_extractkeys()).
 */
static int authenc_setkey(struct crypto_aead *tfm,
			  const u8 *akey, unsigned int alen,
			  const u8 *ekey, unsigned int elen)
{
	struct crypto_authenc_key_param *param;
	unsigned int len;
	struct rtattr *rta;
	u8 *blob;
	int err;

	len = RTA_SPACE(sizeof(*param)) + alen + elen;
	blob = kmalloc(len, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;

	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(elen);
	if (alen)
		memcpy(blob + RTA_SPACE(sizeof(*param)), akey, alen);
	if (elen)
		memcpy(blob + RTA_SPACE(sizeof(*param)) + alen, ekey, elen);

	err = crypto_aead_setkey(tfm, blob, len);
	kfree_sensitive(blob);
	return err;
}

#define ASYNC_PFX "pcrypt("

/*
 * "pcrypt(NAME)" asks for NAME run through the pcrypt template: requests are
 * spread over CPUs by padata and complete asynchronously, in order (how
 * IPsec gateways parallelise crypto, and how the tests exercise espah's
 * asynchronous completion paths). (cryptd is no alternative: on 6.1 its
 * instances of public algorithms fail the crypto self-tests.) Copies NAME,
 * or the name as is, to @inner (@size bytes) and says whether it was
 * wrapped. NULL stays NULL (@inner is then the empty string).
 */
static bool async_unwrap(const char *name, char *inner, size_t size)
{
	size_t pfx = strlen(ASYNC_PFX), len;

	inner[0] = 0;
	if (!name)
		return false;
	len = strlen(name);
	if (len > pfx + 1 && !strncmp(name, ASYNC_PFX, pfx) &&
	    name[len - 1] == ')' && len - pfx - 1 < size) {
		memcpy(inner, name + pfx, len - pfx - 1);
		inner[len - pfx - 1] = 0;
		return true;
	}
	strscpy(inner, name, size);
	return false;
}

/*
 * @name, or if @async the pcrypt instance around its best implementation.
 * pcrypt registers instances under the wrapped algorithm's name, with
 * "pcrypt(DRIVER)" as driver name: only the driver name finds them. (And,
 * being of higher priority, the instance then serves every later user of
 * @name in the system, as pcrypt is meant to.)
 */
static struct crypto_aead *alloc_named(const char *name, bool async)
{
	char drv[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *tfm;
	const char *inner;
	int n;

	tfm = crypto_alloc_aead(name, 0, 0);
	if (!async || IS_ERR(tfm))
		return tfm;
	inner = crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm));
	if (!strncmp(inner, ASYNC_PFX, strlen(ASYNC_PFX)))
		return tfm;	/* the pcrypt instance already */
	n = snprintf(drv, sizeof(drv), ASYNC_PFX "%s)", inner);
	crypto_free_aead(tfm);
	if (n >= sizeof(drv))
		return ERR_PTR(-ENAMETOOLONG);
	return crypto_alloc_aead(drv, 0, 0);
}

static int alloc_tfm(struct espah_crypto *c, const char *name, bool async,
		     struct netlink_ext_ack *extack)
{
	struct crypto_aead *tfm;

	/* no CRYPTO_ALG_ASYNC in the mask: cryptd/pcrypt/hardware are fine */
	tfm = alloc_named(name, async);
	if (IS_ERR(tfm)) {
		int err = PTR_ERR(tfm);

		/* what crypto_alloc_aead() says for a name nobody provides */
		if (err == -ENOENT)
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AEAD/ENC/AUTH: algorithm not available in this kernel");
		else
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AEAD/ENC/AUTH: cannot allocate the transform");
		return err;
	}
	c->aead = tfm;
	return 0;
}

/* The table and the driver must agree on what goes on the wire. */
static int check_tfm(struct espah_crypto *c, struct netlink_ext_ack *extack)
{
	if (crypto_aead_ivsize(c->aead) != c->iv_len ||
	    crypto_aead_authsize(c->aead) != c->icv_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AEAD/ENC/AUTH: transform IV or ICV size differs from the algorithm table");
		return -EINVAL;
	}
	return 0;
}

static int init_aead(struct espah_crypto *c, const struct espah_alg_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	char inner[CRYPTO_MAX_ALG_NAME];
	const struct espah_alg *a;
	bool async;
	int icv, err;

	if (cfg->enc || cfg->auth) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AEAD: cannot be combined with ESPAH_A_SA_ENC or ESPAH_A_SA_AUTH");
		return -EINVAL;
	}
	if (cfg->auth_key_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AUTH_KEY: not used with ESPAH_A_SA_AEAD");
		return -EINVAL;
	}
	async = async_unwrap(cfg->aead, inner, sizeof(inner));
	a = espah_alg_find(inner, ESPAH_ALG_AEAD);
	if (!a) {
		NL_SET_ERR_MSG_MOD(extack, "ESPAH_A_SA_AEAD: unknown algorithm");
		return -ENOENT;
	}
	if (!key_len_ok(a, cfg->enc_key_len)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC_KEY: invalid key length for algorithm (AEAD keys include the salt)");
		return -EINVAL;
	}
	icv = icv_len_of(a, cfg->icv_bits);
	if (icv < 0) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: invalid ICV length for algorithm");
		return -EINVAL;
	}

	c->icv_len = icv;
	c->iv_len = a->iv_len;
	c->block_size = a->block_size;
	c->iv_random = a->iv_random;
	c->esn = cfg->esn;
	strscpy(c->enc_name, cfg->aead, sizeof(c->enc_name));

	err = alloc_tfm(c, a->name, async, extack);
	if (err)
		return err;
	err = crypto_aead_setkey(c->aead, cfg->enc_key, cfg->enc_key_len);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC_KEY: key rejected by the crypto driver");
		return err;
	}
	err = crypto_aead_setauthsize(c->aead, icv);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: ICV length rejected by the crypto driver");
		return err;
	}
	return check_tfm(c, extack);
}

static int init_authenc(struct espah_crypto *c,
			const struct espah_alg_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	char name[CRYPTO_MAX_ALG_NAME];
	char einner[CRYPTO_MAX_ALG_NAME], ainner[CRYPTO_MAX_ALG_NAME];
	const struct espah_alg *e, *a;
	const char *ename;
	bool async;
	int icv, err;

	/* "pcrypt(...)" around either name runs the whole authenc in pcrypt */
	async = async_unwrap(cfg->auth, ainner, sizeof(ainner));
	async |= async_unwrap(cfg->enc, einner, sizeof(einner));
	a = espah_alg_find(ainner, ESPAH_ALG_AUTH);
	if (!a) {
		NL_SET_ERR_MSG_MOD(extack, "ESPAH_A_SA_AUTH: unknown algorithm");
		return -ENOENT;
	}
	if (cfg->ah) {
		/* AH authenticates everything as associated data */
		e = espah_alg_find("ecb(cipher_null)", ESPAH_ALG_CIPHER);
		if (WARN_ON_ONCE(!e))
			return -EINVAL;
		if (a->null) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AUTH: digest_null is not allowed for AH");
			return -EINVAL;
		}
	} else {
		e = espah_alg_find(einner, ESPAH_ALG_CIPHER);
		if (!e) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_ENC: unknown algorithm");
			return -ENOENT;
		}
		if (e->null && a->null && !READ_ONCE(allow_null_esp)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_ENC/AUTH: null cipher with null integrity is refused");
			return -EINVAL;
		}
		if (!key_len_ok(e, cfg->enc_key_len)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_ENC_KEY: invalid key length for algorithm");
			return -EINVAL;
		}
	}
	if (!key_len_ok(a, cfg->auth_key_len)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AUTH_KEY: invalid key length for algorithm (HMAC/XCBC keys must be exactly the listed length)");
		return -EINVAL;
	}
	icv = icv_len_of(a, cfg->icv_bits);
	if (icv < 0) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: invalid ICV length for algorithm");
		return -EINVAL;
	}

	c->icv_len = icv;
	c->iv_len = e->iv_len;
	c->block_size = e->block_size;
	c->iv_random = e->iv_random;
	c->esn = cfg->esn;
	if (!cfg->ah)
		strscpy(c->enc_name, cfg->enc, sizeof(c->enc_name));
	strscpy(c->auth_name, cfg->auth, sizeof(c->auth_name));

	/* AH puts seq_hi after the packet itself: plain authenc does */
	ename = cfg->esn && !cfg->ah ? "authencesn" : "authenc";
	if (snprintf(name, sizeof(name), "%s(%s,%s)", ename, a->name,
		     e->name) >= sizeof(name)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC/AUTH: algorithm name too long");
		return -ENAMETOOLONG;
	}

	err = alloc_tfm(c, name, async, extack);
	if (err)
		return err;
	err = authenc_setkey(c->aead, cfg->auth_key, cfg->auth_key_len,
			     cfg->ah ? NULL : cfg->enc_key,
			     cfg->ah ? 0 : cfg->enc_key_len);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC_KEY/AUTH_KEY: key rejected by the crypto driver");
		return err;
	}
	err = crypto_aead_setauthsize(c->aead, icv);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: ICV length rejected by the crypto driver");
		return err;
	}
	return check_tfm(c, extack);
}

/* AES-GMAC for AH: gcm(aes) with an empty plaintext, see espah/crypto.h */
static int init_ah_gmac(struct espah_crypto *c,
			const struct espah_alg_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	const struct espah_alg *a;
	int icv, err;

	a = espah_alg_find(cfg->aead, ESPAH_ALG_AEAD);
	if (!a || strcmp(a->name, "rfc4543(gcm(aes))")) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AEAD: AH takes only rfc4543(gcm(aes)) (AES-GMAC)");
		return -EINVAL;
	}
	if (cfg->auth || cfg->auth_key_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AUTH: not with ESPAH_A_SA_AEAD");
		return -EINVAL;
	}
	if (!key_len_ok(a, cfg->enc_key_len)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC_KEY: invalid key length for algorithm (AEAD keys include the salt)");
		return -EINVAL;
	}
	icv = icv_len_of(a, cfg->icv_bits);
	if (icv < 0) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: invalid ICV length for algorithm");
		return -EINVAL;
	}
	c->icv_len = icv;
	c->iv_len = a->iv_len;
	c->block_size = 4;
	c->esn = cfg->esn;
	c->ah_gmac = true;
	memcpy(c->salt, cfg->enc_key + cfg->enc_key_len - sizeof(c->salt),
	       sizeof(c->salt));
	strscpy(c->enc_name, a->name, sizeof(c->enc_name));

	err = alloc_tfm(c, "gcm(aes)", false, extack);
	if (err)
		return err;
	err = crypto_aead_setkey(c->aead, cfg->enc_key,
				 cfg->enc_key_len - sizeof(c->salt));
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ENC_KEY: key rejected by the crypto driver");
		return err;
	}
	err = crypto_aead_setauthsize(c->aead, icv);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_ICV_BITS: ICV length rejected by the crypto driver");
		return err;
	}
	if (crypto_aead_ivsize(c->aead) != sizeof(c->salt) + c->iv_len ||
	    crypto_aead_authsize(c->aead) != c->icv_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AEAD: gcm(aes) IV or ICV size unexpected");
		return -EINVAL;
	}
	return 0;
}

/**
 * espah_crypto_init() - build the transform of one SA
 * @c: filled in; overwritten, so it must not hold a live transform
 * @cfg: the user's algorithms and keys (the caller wipes the keys)
 * @extack: each refusal names the netlink attribute at fault
 *
 * ESP: exactly one of @cfg->aead or @cfg->enc + @cfg->auth. Encryption
 * without integrity (RFC 4303 allows it) is refused, and so is null
 * cipher with null integrity. AH (@cfg->ah): @cfg->auth only, or
 * @cfg->aead "rfc4543(gcm(aes))" (AES-GMAC, RFC 4543 section 3.5).
 * Process context (GFP_KERNEL, the crypto API may load modules).
 *
 * Return: 0, or -ENOENT for a name not in the table or an algorithm the
 * kernel cannot provide, -EINVAL for a bad combination or key/ICV length,
 * -ENOMEM, or another crypto API error. On failure @c holds no
 * transform and espah_crypto_destroy() on it is a no-op.
 */
int espah_crypto_init(struct espah_crypto *c, const struct espah_alg_cfg *cfg,
		      struct netlink_ext_ack *extack)
{
	int err;

	memset(c, 0, sizeof(*c));

	if (cfg->ah && cfg->aead &&
	    !strcmp(cfg->aead, "rfc4543(gcm(aes))") && !cfg->enc) {
		err = init_ah_gmac(c, cfg, extack);
	} else if (cfg->ah) {
		if (cfg->aead || cfg->enc || cfg->enc_key_len) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AEAD/ENC/ENC_KEY: not allowed for AH (except AEAD rfc4543(gcm(aes)))");
			return -EINVAL;
		}
		if (!cfg->auth) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AUTH: required for AH");
			return -EINVAL;
		}
		err = init_authenc(c, cfg, extack);
	} else if (cfg->aead) {
		err = init_aead(c, cfg, extack);
	} else if (cfg->enc) {
		if (!cfg->auth) {
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AUTH: required with ESPAH_A_SA_ENC (encryption-only ESP is refused)");
			return -EINVAL;
		}
		err = init_authenc(c, cfg, extack);
	} else {
		NL_SET_ERR_MSG_MOD(extack,
				   "ESPAH_A_SA_AEAD or ESPAH_A_SA_ENC: missing");
		return -EINVAL;
	}

	if (err) {
		espah_crypto_destroy(c);
		/* e.g. a key blob or the transform's context not allocated */
		if (extack && !extack->_msg)
			NL_SET_ERR_MSG_MOD(extack,
					   "ESPAH_A_SA_AEAD/ENC/AUTH: cannot set up the transform");
	}
	return err;
}

ESPAH_EXPORT_FOR_KUNIT(espah_crypto_init);

/**
 * espah_crypto_destroy() - free the transform (keys are wiped by the API)
 * @c: initialised by espah_crypto_init(), or zeroed
 */
void espah_crypto_destroy(struct espah_crypto *c)
{
	if (c->aead)
		crypto_free_aead(c->aead);
	c->aead = NULL;
}

ESPAH_EXPORT_FOR_KUNIT(espah_crypto_destroy);

/**
 * espah_crypto_gen_iv() - the explicit IV of the packet with number @seq
 * @c: the transform
 * @seq: the packet's 64-bit sequence number (unique per packet and key)
 * @iv: @c->iv_len bytes, written
 *
 * Counter modes (GCM, CCM, GMAC, ChaCha20-Poly1305, CTR) only need an IV
 * that never repeats under one key: the sequence number, big endian, as
 * RFC 4106 section 3 suggests. It relies on the outbound sequence number
 * never going back while the key stays. CBC needs an unpredictable IV
 * (RFC 3602 section 3): random bytes.
 */
void espah_crypto_gen_iv(const struct espah_crypto *c, u64 seq, u8 *iv)
{
	unsigned int i;

	if (!c->iv_len)
		return;
	if (c->iv_random) {
		get_random_bytes(iv, c->iv_len);
		return;
	}
	if (c->iv_len == sizeof(seq)) {
		put_unaligned_be64(seq, iv);
		return;
	}
	/* not in the table today: right-align the counter, zero the rest */
	for (i = c->iv_len; i--; seq >>= 8)
		iv[i] = seq & 0xff;
}

ESPAH_EXPORT_FOR_KUNIT(espah_crypto_gen_iv);
