/*
 * test_venue_wsapi.c — the WS API's own request reader and signature check (wsapi.c): the
 * HMAC examples of Binance's web-socket-api.md (ASCII and non-ASCII symbol) must give the
 * documented payload and verify; signatures are case-insensitive; tampering fails; and
 * hostile bytes (every truncation, byte flips) never crash the reader (run under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "venue_int.h"

/* The documentation's illustrative example key (not a credential). */
static const char secret[] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

static const char ex1[] =
    "{\"id\":\"4885f793-e5ad-4c3b-8f6c-55d891472b71\",\"method\":\"order.place\",\"params\":{"
    "\"symbol\":\"BTCUSDT\",\"side\":\"SELL\",\"type\":\"LIMIT\",\"timeInForce\":\"GTC\","
    "\"quantity\":\"0.01000000\",\"price\":\"52000.00\",\"recvWindow\":100,"
    "\"timestamp\":1645423376532,"
    "\"apiKey\":\"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\","
    "\"signature\":\"aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24\"}}";

static const char ex1_payload[] =
    "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&"
    "quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&"
    "timestamp=1645423376532&type=LIMIT";

/* non-ASCII symbol, written once raw (UTF-8) and once as \u escapes */
static const char ex2[] =
    "{\"id\":\"x\",\"method\":\"order.place\",\"params\":{"
    "\"symbol\":\"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96\","
    "\"side\":\"BUY\",\"type\":\"LIMIT\",\"timeInForce\":\"GTC\",\"quantity\":\"1.00000000\","
    "\"price\":\"0.10000000\",\"recvWindow\":5000,\"timestamp\":1645423376532,"
    "\"apiKey\":\"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\","
    "\"signature\":\"b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd\"}}";
static const char ex2_esc[] =
    "{\"id\":\"x\",\"method\":\"order.place\",\"params\":{"
    "\"symbol\":\"\\uff11\\uff12\\uff13\\uff14\\uff15\\uff16\","
    "\"side\":\"BUY\",\"type\":\"LIMIT\",\"timeInForce\":\"GTC\",\"quantity\":\"1.00000000\","
    "\"price\":\"0.10000000\",\"recvWindow\":5000,\"timestamp\":1645423376532,"
    "\"apiKey\":\"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\","
    "\"signature\":\"b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd\"}}";

static void test_documented_hmac_examples_give_payload_and_verify(void **state)
{
	char payload[2048];

	(void)state;
	assert_int_equal(tt_vapi_check_hmac(ex1, secret, payload, sizeof(payload)), 1);
	assert_string_equal(payload, ex1_payload);
	assert_int_equal(tt_vapi_check_hmac(ex2, secret, payload, sizeof(payload)), 1);
	assert_int_equal(tt_vapi_check_hmac(ex2_esc, secret, payload, sizeof(payload)), 1);
	assert_int_equal(tt_vapi_check_hmac(ex1, "wrong-secret", payload, sizeof(payload)), 0);
}

static void test_hmac_signature_is_case_insensitive_and_tamper_fails(void **state)
{
	char msg[sizeof(ex1)];
	char payload[2048];
	char *sig;

	(void)state;
	memcpy(msg, ex1, sizeof(ex1));
	sig = strstr(msg, "aa1b5712");
	for (char *p = sig; *p != '"'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(tt_vapi_check_hmac(msg, secret, payload, sizeof(payload)), 1);
	memcpy(msg, ex1, sizeof(ex1));
	*strstr(msg, "52000.00") = '6'; /* price changed after signing */
	assert_int_equal(tt_vapi_check_hmac(msg, secret, payload, sizeof(payload)), 0);
}

static void test_hostile_bytes_never_crash_the_reader(void **state)
{
	char msg[sizeof(ex2)];
	char payload[2048];
	uint64_t x = 88172645463325252ull;
	int malformed = 0;

	(void)state;
	/* every truncation */
	for (size_t n = 0; n < sizeof(ex2) - 1; n++) {
		memcpy(msg, ex2, n);
		msg[n] = 0;
		malformed += tt_vapi_check_hmac(msg, secret, payload, sizeof(payload)) < 0;
	}
	assert_true(malformed > (int)sizeof(ex2) / 2);
	/* random byte flips (xorshift, fixed seed) */
	for (int i = 0; i < 20000; i++) {
		int r;

		memcpy(msg, ex2, sizeof(ex2));
		for (int k = 0; k < 3; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			msg[x % (sizeof(ex2) - 1)] = (char)(x >> 32);
		}
		r = tt_vapi_check_hmac(msg, secret, payload, sizeof(payload));
		assert_true(r >= -1 && r <= 1);
	}
	assert_int_equal(tt_vapi_check_hmac("", secret, payload, sizeof(payload)), -1);
	assert_int_equal(
	    tt_vapi_check_hmac("{\"params\":{\"a\":\"\\u12\"}}", secret, payload, sizeof(payload)),
	    -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_documented_hmac_examples_give_payload_and_verify),
	    cmocka_unit_test(test_hmac_signature_is_case_insensitive_and_tamper_fails),
	    cmocka_unit_test(test_hostile_bytes_never_crash_the_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
