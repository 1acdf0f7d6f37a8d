/*
 * tt_sign.h — request signing for venue order entry (VENUES.md "Signing").
 *
 *   Ed25519 (Binance session.logon; preferred): signed once per session, base64 output.
 *   HMAC-SHA256 (fallback for keys that are not Ed25519): per request, hex output. The
 *     key is absorbed once into an inner and an outer SHA-256 state (key ⊕ ipad, key ⊕
 *     opad); each signature copies those states into preallocated contexts, so signing
 *     allocates nothing and never re-hashes the key.
 *
 * Both are tested against the venue's published examples (tests/orderentry/test_sign.c).
 */
#ifndef TT_SIGN_H
#define TT_SIGN_H

#include <stddef.h>

#include "tt_compiler.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_pkey_st EVP_PKEY;

#define TT_HMAC_HEX_LEN 64	/* + NUL */
#define TT_ED25519_B64_LEN 88	/* + NUL */

struct tt_hmac {
	EVP_MD_CTX *inner;	/* SHA-256 after absorbing key ⊕ ipad */
	EVP_MD_CTX *outer;	/* SHA-256 after absorbing key ⊕ opad */
	EVP_MD_CTX *work;	/* scratch, reused per signature */
};

/* Pre-keys h with the secret (any length; longer than the block is hashed first, per RFC
 * 2104). 0 or -ENOMEM/-EINVAL. */
int tt_hmac_init(struct tt_hmac *h, const void *key, size_t key_len) TT_WUR;
/* Lower-case hex HMAC-SHA256 of msg into out (65 bytes). 0 or -EIO. No allocation. */
int tt_hmac_sign_hex(struct tt_hmac *h, const void *msg, size_t len,
		     char out[TT_HMAC_HEX_LEN + 1]) TT_WUR;
void tt_hmac_fini(struct tt_hmac *h);

struct tt_ed25519 {
	EVP_PKEY *key;
};

/* Loads an Ed25519 private key from PEM text (PKCS#8). 0 or -EINVAL (trail names why). */
int tt_ed25519_load_pem(struct tt_ed25519 *k, const char *pem, size_t len) TT_WUR;
/* Base64 of the 64-byte signature of msg into out (89 bytes). 0 or -EIO. */
int tt_ed25519_sign_b64(struct tt_ed25519 *k, const void *msg, size_t len,
			char out[TT_ED25519_B64_LEN + 1]) TT_WUR;
void tt_ed25519_fini(struct tt_ed25519 *k);

#endif /* TT_SIGN_H */
