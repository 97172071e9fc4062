// SPDX-License-Identifier: GPL-2.0
/*
 * The algorithm table: every name espah accepts, with its key, ICV, IV and
 * padding rules. Names are the kernel crypto API's own; nothing else (no
 * aliases) so that what the user types is what the kernel allocates.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include <espah/crypto.h>
#include <espah/kunit.h>

static const struct espah_alg algs[] = {
	/* AEAD: key includes the salt (32 bits; CCM 24 bits), RFC 4106/4309 */
	{
		.name = "rfc4106(gcm(aes))",
		.kind = ESPAH_ALG_AEAD,
		.key_bits = { 160, 224, 288 },
		.icv_bits = { 128, 96, 64 },
		.iv_len = 8,
		.block_size = 4,
	},
	{
		.name = "rfc4309(ccm(aes))",
		.kind = ESPAH_ALG_AEAD,
		.key_bits = { 152, 216, 280 },
		.icv_bits = { 128, 96, 64 },
		.iv_len = 8,
		.block_size = 4,
	},
	{
		/* ENCR_NULL_AUTH_AES_GMAC, RFC 4543: 16-byte tag only */
		.name = "rfc4543(gcm(aes))",
		.kind = ESPAH_ALG_AEAD,
		.key_bits = { 160, 224, 288 },
		.icv_bits = { 128 },
		.iv_len = 8,
		.block_size = 4,
	},
	{
		/* RFC 7634: 256-bit key + 32-bit salt */
		.name = "rfc7539esp(chacha20,poly1305)",
		.kind = ESPAH_ALG_AEAD,
		.key_bits = { 288 },
		.icv_bits = { 128 },
		.iv_len = 8,
		.block_size = 4,
	},
	/* ciphers, combined with an auth algorithm through authenc */
	{
		.name = "cbc(aes)",
		.kind = ESPAH_ALG_CIPHER,
		.key_bits = { 128, 192, 256 },
		.iv_len = 16,
		.block_size = 16,
		.iv_random = true,
	},
	{
		/* RFC 3686: key includes the 32-bit nonce */
		.name = "rfc3686(ctr(aes))",
		.kind = ESPAH_ALG_CIPHER,
		.key_bits = { 160, 224, 288 },
		.iv_len = 8,
		.block_size = 4,
	},
	{
		.name = "ecb(cipher_null)",
		.kind = ESPAH_ALG_CIPHER,
		.iv_len = 0,
		.block_size = 4,
		.null = true,
	},
	/* integrity: exact key length, truncated ICV (RFC 2404, 4868, 3566) */
	{
		.name = "hmac(sha1)",
		.kind = ESPAH_ALG_AUTH,
		.key_bits = { 160 },
		.icv_bits = { 96 },
		.block_size = 4,
	},
	{
		/* 96 only for peers still using the pre-RFC 4868 truncation */
		.name = "hmac(sha256)",
		.kind = ESPAH_ALG_AUTH,
		.key_bits = { 256 },
		.icv_bits = { 128, 96 },
		.block_size = 4,
	},
	{
		.name = "hmac(sha384)",
		.kind = ESPAH_ALG_AUTH,
		.key_bits = { 384 },
		.icv_bits = { 192 },
		.block_size = 4,
	},
	{
		.name = "hmac(sha512)",
		.kind = ESPAH_ALG_AUTH,
		.key_bits = { 512 },
		.icv_bits = { 256 },
		.block_size = 4,
	},
	{
		.name = "xcbc(aes)",
		.kind = ESPAH_ALG_AUTH,
		.key_bits = { 128 },
		.icv_bits = { 96 },
		.block_size = 4,
	},
	{
		.name = "digest_null",
		.kind = ESPAH_ALG_AUTH,
		.block_size = 4,
		.null = true,
	},
};

/**
 * espah_alg_find() - look an algorithm up by crypto API name and role
 * @name: the name, compared exactly
 * @kind: the role it must have (a cipher name is not found as an AEAD)
 *
 * Return: the table entry, or NULL.
 */
const struct espah_alg *espah_alg_find(const char *name, enum espah_alg_kind kind)
{
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (algs[i].kind == kind && !strcmp(algs[i].name, name))
			return &algs[i];
	return NULL;
}

ESPAH_EXPORT_FOR_KUNIT(espah_alg_find);

/**
 * espah_alg_get() - iterate over the table (features dump)
 * @i: index, from 0
 *
 * Return: the @i-th entry, or NULL past the end.
 */
const struct espah_alg *espah_alg_get(unsigned int i)
{
	return i < ARRAY_SIZE(algs) ? &algs[i] : NULL;
}

ESPAH_EXPORT_FOR_KUNIT(espah_alg_get);
