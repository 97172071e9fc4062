/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crypto-glue: the algorithm table and the per-SA transform.
 *
 * Every ESP SA is driven through one crypto_aead: a combined-mode algorithm
 * as is (rfc4106, rfc4309, rfc4543, rfc7539esp), or cipher + integrity as
 * "authenc(auth,enc)" / "authencesn(auth,enc)" with the key blob the
 * authenc template expects. The crypto API name is the user's word.
 * An AH SA (&espah_alg_cfg.ah) uses "authenc(auth,ecb(cipher_null))" and
 * puts everything it authenticates in the associated data.
 *
 * ESP request layout (what the datapath passes to the transform):
 *
 * The transform is the bare algorithm: no seqiv/echainiv wrapper, the caller
 * chooses the IV (espah_crypto_gen_iv()) and puts it on the wire itself. For
 * every ESP algorithm, AEAD or authenc, ESN or not, the rule is the same:
 *
 *   buffer (a scatterlist, processed in place: src == dst, as esp4 does):
 *     AAD | IV | payload | ICV
 *   AAD     = SPI | seq_lo            (8 bytes, !@esn)
 *           = SPI | seq_hi | seq_lo   (12 bytes, @esn), all big endian
 *   IV      = the @iv_len explicit IV bytes exactly as on the wire
 *   payload = plaintext (inner packet + padding + pad length + next header,
 *             a multiple of @block_size) or ciphertext of the same length
 *   ICV     = @icv_len bytes (room for it on encrypt)
 *
 *   aead_request_set_ad(req, espah_crypto_assoclen(c))   i.e. AAD + @iv_len
 *   encrypt: aead_request_set_crypt(req, src, dst, payload_len, iv)
 *            the ICV is written right after the payload
 *   decrypt: aead_request_set_crypt(req, src, dst, payload_len + icv_len, iv)
 *            returns -EBADMSG when the ICV does not verify; afterwards the
 *            ICV bytes in the buffer are undefined (authencesn scribbles)
 *   iv:      a private copy of the @iv_len IV bytes (NULL if @iv_len is 0),
 *            never a pointer into the packet: CBC writes its chaining value
 *            back into it. It must live until the request completes.
 *
 * Why the IV sits inside the associated data: rfc4106, rfc4309, rfc4543 and
 * rfc7539esp called directly (as seqiv/echainiv call them for esp4) take
 * assoclen = AAD + 8, read the nonce from req->iv and skip the 8 IV bytes
 * in the buffer; rfc4106/4309/4543 refuse an assoclen other than 16 or 20.
 * rfc4543 (GMAC) authenticates AAD | IV | payload and leaves the payload in
 * clear. authenc authenticates all assoclen bytes plus the ciphertext, so
 * the ICV covers SPI | seq | IV | ciphertext as RFC 4303 requires.
 *
 * With ESN, the 12-byte AAD is what RFC 4106 / 4309 / 4543 / 7634 put in
 * the AAD, and it is also the layout authencesn expects: authencesn
 * authenticates SPI | seq_lo | IV | ciphertext | seq_hi (RFC 4303 2.2.1),
 * rearranging the first 8 bytes in place during the operation and using
 * 4 bytes of the ICV slot as scratch, then putting them back. seq_hi is
 * never sent: the wire header stays SPI | seq_lo, and the caller builds the
 * 12-byte AAD either in the 4 bytes before the ESP header (as esp4 does,
 * saving and restoring what was there) or in a separate buffer chained in
 * front of the IV with the scatterlist.
 *
 * Async: drivers may return -EINPROGRESS / -EBUSY (cryptd, pcrypt,
 * hardware). The buffer, the scatterlist and the iv copy must stay valid
 * until the completion runs.
 *
 * AH request layout:
 *
 * The AH transform is authenc(auth,ecb(cipher_null)): @iv_len 0, and all
 * authenticated bytes are associated data:
 *   buffer  = packet with mutable fields and the ICV field zeroed
 *             | seq_hi (4 bytes, ESN only, RFC 4302 2.5.1) | ICV
 *   assoclen = packet length (+ 4 with ESN), iv NULL
 *   encrypt: cryptlen 0, the ICV is written at offset assoclen
 *   decrypt: cryptlen = icv_len, the received ICV at offset assoclen
 *
 * AES-GMAC for AH (RFC 4543 section 3.5; @cfg->ah with @cfg->aead
 * "rfc4543(gcm(aes))"): the transform is gcm(aes) itself, because
 * rfc4543(gcm(aes)) only takes the ESP-sized associated data. @ah_gmac is
 * set, @salt holds the last 4 key bytes, @iv_len is 8 (the IV travels in
 * the AH header after the sequence number, in front of the ICV). Same
 * buffer and lengths as above; iv = @salt | the 8 IV bytes (12 bytes).
 */
#ifndef _ESPAH_CRYPTO_H
#define _ESPAH_CRYPTO_H

#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/ip.h>

struct crypto_aead;

/** enum espah_alg_kind - what role an algorithm plays */
enum espah_alg_kind {
	ESPAH_ALG_AEAD,
	ESPAH_ALG_CIPHER,
	ESPAH_ALG_AUTH,
};

/**
 * struct espah_alg - one entry of the algorithm table
 * @name: crypto API name, as the user writes it
 * @kind: enum espah_alg_kind
 * @key_bits: valid key lengths in bits (AEAD: including salt; rfc3686:
 *	including the 32-bit nonce), 0-terminated. HMACs and xcbc accept
 *	exactly the listed length (RFC 2404, 4868, 3566), nothing shorter or
 *	longer. Empty for the null algorithms, which take an empty key.
 * @icv_bits: valid ICV lengths in bits, 0-terminated; the first is default.
 *	Empty for ciphers (the ICV comes from the auth algorithm) and for
 *	digest_null (ICV 0).
 * @iv_len: bytes of explicit IV carried in each ESP packet (ciphers, AEAD)
 * @block_size: ESP padding alignment in bytes (at least 4)
 * @null: the null cipher / null digest
 * @iv_random: the IV must be unpredictable (CBC); otherwise it only has to
 *	be unique per key (counter modes), and the sequence number is used
 */
struct espah_alg {
	const char *name;
	u8 kind;
	u16 key_bits[5];
	u16 icv_bits[5];
	u8 iv_len;
	u8 block_size;
	bool null;
	bool iv_random;
};

/**
 * struct espah_alg_cfg - what the user asked for (from netlink)
 * @aead: combined-mode name, or NULL
 * @enc: cipher name, or NULL
 * @auth: integrity name, or NULL
 * @enc_key: key of @aead or @enc
 * @enc_key_len: bytes
 * @auth_key: key of @auth
 * @auth_key_len: bytes
 * @icv_bits: ICV length in bits, 0 for the algorithm's default
 * @esn: extended sequence numbers (selects authencesn for enc+auth)
 * @ah: the SA is AH: only @auth (not digest_null) and @auth_key
 */
struct espah_alg_cfg {
	const char *aead;
	const char *enc;
	const char *auth;
	const u8 *enc_key;
	unsigned int enc_key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
	unsigned int icv_bits;
	bool esn;
	bool ah;
};

/**
 * struct espah_crypto - the transform of one ESP SA
 * @aead: the transform
 * @icv_len: ICV bytes on the wire
 * @iv_len: explicit IV bytes on the wire
 * @block_size: padding alignment (>= 4)
 * @esn: ESP: @aead expects the ESN AAD layout (SPI, seq_hi, seq_lo); AH:
 *	the caller appends seq_hi after the packet (see "AH request layout")
 * @iv_random: espah_crypto_gen_iv() draws random IVs (CBC)
 * @enc_name: the cipher or AEAD name (for dumps), empty for AH
 * @auth_name: the integrity name or empty (for dumps)
 * @ah_gmac: AH with AES-GMAC: @aead is gcm(aes), nonce = @salt | IV
 * @salt: AH GMAC: the salt (last 4 bytes of the key)
 */
struct espah_crypto {
	struct crypto_aead *aead;
	u16 icv_len;
	u8 iv_len;
	u8 block_size;
	bool esn;
	bool iv_random;
	bool ah_gmac;
	u8 salt[4];
	char enc_name[64];
	char auth_name[64];
};

const struct espah_alg *espah_alg_find(const char *name, enum espah_alg_kind kind);
const struct espah_alg *espah_alg_get(unsigned int i);
int espah_crypto_init(struct espah_crypto *c, const struct espah_alg_cfg *cfg,
		      struct netlink_ext_ack *extack);
void espah_crypto_destroy(struct espah_crypto *c);
void espah_crypto_gen_iv(const struct espah_crypto *c, u64 seq, u8 *iv);

/**
 * espah_crypto_assoclen() - ESP associated-data length for a request
 * @c: the transform
 *
 * Return: ESP header (8, or 12 with the ESN seq_hi) plus the explicit IV,
 * the value for aead_request_set_ad() (see "ESP request layout").
 */
static inline unsigned int espah_crypto_assoclen(const struct espah_crypto *c)
{
	return sizeof(struct ip_esp_hdr) + (c->esn ? 4 : 0) + c->iv_len;
}

#endif /* _ESPAH_CRYPTO_H */
