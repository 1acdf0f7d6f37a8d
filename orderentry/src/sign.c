/*
 * sign.c — HMAC-SHA256 with pre-keyed states, and Ed25519 (tt_sign.h). OpenSSL 3 EVP
 * only (no deprecated low-level SHA256_* or HMAC_* calls).
 */
#include "tt_sign.h"

#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tt_err.h"

#define SHA256_BLOCK 64
#define SHA256_LEN 32

int tt_hmac_init(struct tt_hmac *h, const void *key, size_t key_len)
{
	unsigned char k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK];
	const EVP_MD *md = EVP_sha256();
	int ok;

	memset(h, 0, sizeof(*h));
	if (key_len > SHA256_BLOCK) {
		unsigned int l = 0;

		if (!EVP_Digest(key, key_len, k, &l, md, NULL))
			return tt_err_set(-EINVAL, "hmac: hashing the long key failed");
	} else {
		memcpy(k, key, key_len);
	}
	h->inner = EVP_MD_CTX_new();
	h->outer = EVP_MD_CTX_new();
	h->work = EVP_MD_CTX_new();
	if (!h->inner || !h->outer || !h->work) {
		tt_hmac_fini(h);
		return tt_err_set(-ENOMEM, "hmac: EVP_MD_CTX_new failed");
	}
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	ok = EVP_DigestInit_ex(h->inner, md, NULL) && EVP_DigestUpdate(h->inner, pad, SHA256_BLOCK);
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	ok = ok && EVP_DigestInit_ex(h->outer, md, NULL) &&
	     EVP_DigestUpdate(h->outer, pad, SHA256_BLOCK);
	/* the work context gets its digest once, so later copies reuse its storage */
	ok = ok && EVP_MD_CTX_copy_ex(h->work, h->inner);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	if (!ok) {
		tt_hmac_fini(h);
		return tt_err_set(-EINVAL, "hmac: SHA-256 setup failed");
	}
	return 0;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int tt_hmac_sign_hex(struct tt_hmac *h, const void *msg, size_t len,
		     char out[TT_HMAC_HEX_LEN + 1])
{
	unsigned char ih[SHA256_LEN], oh[SHA256_LEN];
	unsigned int l;

	if (!EVP_MD_CTX_copy_ex(h->work, h->inner) || !EVP_DigestUpdate(h->work, msg, len) ||
	    !EVP_DigestFinal_ex(h->work, ih, &l))
		return tt_err_set(-EIO, "hmac: inner hash failed");
	if (!EVP_MD_CTX_copy_ex(h->work, h->outer) || !EVP_DigestUpdate(h->work, ih, sizeof(ih)) ||
	    !EVP_DigestFinal_ex(h->work, oh, &l))
		return tt_err_set(-EIO, "hmac: outer hash failed");
	to_hex(oh, sizeof(oh), out);
	return 0;
}

void tt_hmac_fini(struct tt_hmac *h)
{
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	EVP_MD_CTX_free(h->work);
	memset(h, 0, sizeof(*h));
}

int tt_ed25519_load_pem(struct tt_ed25519 *k, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);

	memset(k, 0, sizeof(*k));
	if (!b)
		return tt_err_set(-ENOMEM, "ed25519: BIO_new_mem_buf failed");
	k->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!k->key)
		return tt_err_set(-EINVAL, "ed25519: not a PEM private key");
	if (EVP_PKEY_get_base_id(k->key) != EVP_PKEY_ED25519) {
		tt_ed25519_fini(k);
		return tt_err_set(-EINVAL, "ed25519: PEM key is not an Ed25519 key");
	}
	return 0;
}

int tt_ed25519_sign_b64(struct tt_ed25519 *k, const void *msg, size_t len,
			char out[TT_ED25519_B64_LEN + 1])
{
	unsigned char sig[64];
	size_t sl = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (!c)
		return tt_err_set(-ENOMEM, "ed25519: EVP_MD_CTX_new failed");
	ok = EVP_DigestSignInit(c, NULL, NULL, NULL, k->key) &&
	     EVP_DigestSign(c, sig, &sl, msg, len) && sl == sizeof(sig);
	EVP_MD_CTX_free(c);
	if (!ok)
		return tt_err_set(-EIO, "ed25519: signing failed");
	EVP_EncodeBlock((unsigned char *)out, sig, (int)sizeof(sig));
	return 0;
}

void tt_ed25519_fini(struct tt_ed25519 *k)
{
	EVP_PKEY_free(k->key);
	k->key = NULL;
}
