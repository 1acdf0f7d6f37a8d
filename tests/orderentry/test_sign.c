/*
 * test_sign.c — signatures against the venue's published examples
 * (binance-spot-api-docs web-socket-api.md "SIGNED request example (HMAC)" and fix-api.md
 * "Ed25519" logon example, both documentation keys marked illustrative), plus an Ed25519
 * key generated at test time verified with its public key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tt_sign.h"

/* Documentation example keys (web-socket-api.md), not real credentials. */
#define DOC_HMAC_SECRET "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
#define DOC_API_KEY "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"

static void test_hmac_matches_venue_examples(void **state)
{
	struct tt_hmac h;
	char sig[TT_HMAC_HEX_LEN + 1];
	const char *ascii = "apiKey=" DOC_API_KEY "&price=52000.00&quantity=0.01000000&recvWindow=100"
			    "&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
	const char *utf8 = "apiKey=" DOC_API_KEY "&price=0.10000000&quantity=1.00000000&recvWindow=5000"
			   "&side=BUY&symbol=\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96"
			   "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";

	assert_int_equal(tt_hmac_init(&h, DOC_HMAC_SECRET, strlen(DOC_HMAC_SECRET)), 0);
	assert_int_equal(tt_hmac_sign_hex(&h, ascii, strlen(ascii), sig), 0);
	assert_string_equal(sig, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
	/* the pre-keyed context is reusable: second message, then the first again */
	assert_int_equal(tt_hmac_sign_hex(&h, utf8, strlen(utf8), sig), 0);
	assert_string_equal(sig, "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd");
	assert_int_equal(tt_hmac_sign_hex(&h, ascii, strlen(ascii), sig), 0);
	assert_string_equal(sig, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
	tt_hmac_fini(&h);
	(void)state;
}

static void test_hmac_rfc4231_long_key(void **state)
{
	/* RFC 4231 test case 6: 131-byte key (longer than the block) */
	unsigned char key[131];
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	struct tt_hmac h;
	char sig[TT_HMAC_HEX_LEN + 1];

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(tt_hmac_init(&h, key, sizeof(key)), 0);
	assert_int_equal(tt_hmac_sign_hex(&h, msg, strlen(msg), sig), 0);
	assert_string_equal(sig, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	tt_hmac_fini(&h);
	(void)state;
}

/* fix-api.md's illustrative Ed25519 key and its computed logon signature. */
static const char doc_ed25519_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
	"-----END PRIVATE KEY-----\n";

static void test_ed25519_matches_venue_example(void **state)
{
	struct tt_ed25519 k;
	char sig[TT_ED25519_B64_LEN + 1];
	const char payload[] = "A\001EXAMPLE\001SPOT\0011\00120240627-11:17:25.223";

	assert_int_equal(tt_ed25519_load_pem(&k, doc_ed25519_pem, sizeof(doc_ed25519_pem) - 1), 0);
	assert_int_equal(tt_ed25519_sign_b64(&k, payload, sizeof(payload) - 1, sig), 0);
	assert_string_equal(sig, "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA==");
	tt_ed25519_fini(&k);
	(void)state;
}

static void test_ed25519_generated_key_verifies_and_rejects_non_ed25519(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	long n;
	struct tt_ed25519 k;
	char sig[TT_ED25519_B64_LEN + 1];
	unsigned char raw[64];
	const char *msg = "apiKey=SYNTHETIC&timestamp=1700000000000";
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	assert_non_null(pk);
	assert_int_equal(PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &pem);
	assert_int_equal(tt_ed25519_load_pem(&k, pem, (size_t)n), 0);
	assert_int_equal(tt_ed25519_sign_b64(&k, msg, strlen(msg), sig), 0);
	assert_int_equal(EVP_DecodeBlock(raw, (unsigned char *)sig, TT_ED25519_B64_LEN), 66);
	assert_int_equal(EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk), 1);
	assert_int_equal(EVP_DigestVerify(c, raw, 64, (const unsigned char *)msg, strlen(msg)), 1);
	raw[0] ^= 1;
	assert_int_equal(EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk), 1);
	assert_int_not_equal(EVP_DigestVerify(c, raw, 64, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(c);
	tt_ed25519_fini(&k);
	BIO_free(b);
	EVP_PKEY_free(pk);
	/* an RSA key is refused */
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &pem);
	assert_int_equal(tt_ed25519_load_pem(&k, pem, (size_t)n), -EINVAL);
	assert_int_equal(tt_ed25519_load_pem(&k, "garbage", 7), -EINVAL);
	BIO_free(b);
	EVP_PKEY_free(pk);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_matches_venue_examples),
		cmocka_unit_test(test_hmac_rfc4231_long_key),
		cmocka_unit_test(test_ed25519_matches_venue_example),
		cmocka_unit_test(test_ed25519_generated_key_verifies_and_rejects_non_ed25519),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
