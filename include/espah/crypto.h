/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crypto-glue: the algorithm table and the per-SA transform.
 *
 * Every ESP SA is driven through one crypto_aead: a combined-mode algorithm
 * as is (rfc4106, rfc4309, rfc4543, rfc7539esp), or cipher + integrity as
 * "authenc(auth,enc)" / "authencesn(auth,enc)" with the key blob the
 * authenc template expects. The crypto API name is the user's word.
 */
#ifndef _ESPAH_CRYPTO_H
#define _ESPAH_CRYPTO_H

#include <linux/types.h>
#include <linux/netlink.h>

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
 * @key_bits: valid key lengths in bits (AEAD: including salt), 0-terminated
 * @icv_bits: valid ICV lengths in bits, 0-terminated; the first is default
 * @iv_len: bytes of explicit IV carried in each ESP packet (ciphers, AEAD)
 * @block_size: ESP padding alignment in bytes (at least 4)
 * @null: the null cipher / null digest
 */
struct espah_alg {
	const char *name;
	u8 kind;
	u16 key_bits[5];
	u16 icv_bits[5];
	u8 iv_len;
	u8 block_size;
	bool null;
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
};

/**
 * struct espah_crypto - the transform of one ESP SA
 * @aead: the transform
 * @icv_len: ICV bytes on the wire
 * @iv_len: explicit IV bytes on the wire
 * @block_size: padding alignment (>= 4)
 * @esn: @aead expects the ESN AAD layout (SPI, seq_hi, seq_lo)
 * @enc_name: the cipher or AEAD name (for dumps)
 * @auth_name: the integrity name or empty (for dumps)
 */
struct espah_crypto {
	struct crypto_aead *aead;
	u16 icv_len;
	u8 iv_len;
	u8 block_size;
	bool esn;
	char enc_name[64];
	char auth_name[64];
};

const struct espah_alg *espah_alg_find(const char *name, enum espah_alg_kind kind);
const struct espah_alg *espah_alg_get(unsigned int i);
int espah_crypto_init(struct espah_crypto *c, const struct espah_alg_cfg *cfg,
		      struct netlink_ext_ack *extack);
void espah_crypto_destroy(struct espah_crypto *c);

#endif /* _ESPAH_CRYPTO_H */
