/*
 * test_venue_wsctl.c — the venue's WebSocket control-message parser: documented replies for
 * SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS/SET_PROPERTY/GET_PROPERTY, errors that leave the
 * subscription untouched, and hostile input (truncation, nesting, NULs, random bytes and
 * mutations of a valid request; seed printed, TT_VENUE_FUZZ_N sets the count) that must always
 * get one well-formed reply and never crash.
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

static struct tt_vmarket m;
static char out[4096];

static int setup(void **state)
{
	struct tt_venue_opts o;
	static struct tt_vlog log;

	tt_venue_opts_default(&o);
	strcpy(o.symbols[0], "BTCUSDT");
	strcpy(o.symbols[1], "ETHUSDT");
	o.nsyms = 2;
	return tt_vmarket_init(&m, &o, &log);
}

static int teardown(void **state)
{
	tt_vmarket_fini(&m);
	return 0;
}

static const char *run(const char *msg, uint64_t *subs, bool *comb)
{
	int n = tt_vwsctl_handle(&m, msg, strlen(msg), subs, comb, out, sizeof(out));

	assert_true(n > 0 && (size_t)n < sizeof(out));
	return out;
}

static void test_subscribe_answers_result_null_and_adds_streams(void **state)
{
	uint64_t subs = 0;
	bool comb = false;

	assert_string_equal(run("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\","
				"\"ethusdt@depth@100ms\"],\"id\":1}",
				&subs, &comb),
			    "{\"result\":null,\"id\":1}");
	assert_int_equal(subs, (1ull << TT_VSTREAM(0, TT_VK_TRADE)) |
				   (1ull << TT_VSTREAM(1, TT_VK_DEPTH100)));
	assert_string_equal(run(" { \"id\" : \"abc-1\" , \"params\" : [ \"btcusdt@bookTicker\" ] ,"
				" \"method\" : \"SUBSCRIBE\" } ",
				&subs, &comb),
			    "{\"result\":null,\"id\":\"abc-1\"}");
	assert_string_equal(run("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}", &subs, &comb),
			    "{\"result\":[\"btcusdt@bookTicker\",\"btcusdt@trade\","
			    "\"ethusdt@depth@100ms\"],\"id\":3}");
	assert_string_equal(run("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@trade\"],"
				"\"id\":null}",
				&subs, &comb),
			    "{\"result\":null,\"id\":null}");
	assert_int_equal(subs, (1ull << TT_VSTREAM(0, TT_VK_BOOK_TICKER)) |
				   (1ull << TT_VSTREAM(1, TT_VK_DEPTH100)));
}

static void test_combined_property_set_and_get(void **state)
{
	uint64_t subs = 0;
	bool comb = false;

	assert_string_equal(run("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],"
				"\"id\":5}",
				&subs, &comb),
			    "{\"result\":null,\"id\":5}");
	assert_true(comb);
	assert_string_equal(
	    run("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":2}", &subs, &comb),
	    "{\"result\":true,\"id\":2}");
	assert_string_equal(run("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",1],"
				"\"id\":5}",
				&subs, &comb),
			    "{\"error\":{\"code\":1,\"msg\":\"Invalid value type: expected "
			    "Boolean\"},\"id\":5}");
	assert_true(comb);
	assert_string_equal(
	    run("{\"method\":\"GET_PROPERTY\",\"params\":[\"x\"],\"id\":4}", &subs, &comb),
	    "{\"error\":{\"code\":0,\"msg\":\"Unknown property\"},\"id\":4}");
}

static void test_errors_leave_the_subscription_unchanged(void **state)
{
	uint64_t subs = 1;
	bool comb = false;

	assert_memory_equal(run("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\","
				"\"nope@trade\"],\"id\":9}",
				&subs, &comb),
			    "{\"error\":{\"code\":2,", 19);
	assert_int_equal(subs, 1);
	assert_memory_equal(
	    run("{\"method\":\"SUBSCRIBE\",\"params\":\"btcusdt@trade\",\"id\":9}", &subs, &comb),
	    "{\"error\":{\"code\":2,", 19);
	assert_memory_equal(run("{\"method\":\"FOO\",\"id\":9}", &subs, &comb),
			    "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown variant",
			    55);
	assert_string_equal(run("{\"params\":[],\"id\":7}", &subs, &comb),
			    "{\"error\":{\"code\":2,\"msg\":\"Invalid request: missing field "
			    "`method`\"},\"id\":7}");
	assert_string_equal(
	    run("{\"method\":\"SUBSCRIBE\",\"params\":[],\"id\":1.5}", &subs, &comb),
	    "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected '}'\"},"
	    "\"id\":1}");
	assert_memory_equal(run("{\"method\":\"SUBSCRIBE\",\"id\":\"a\\\"b\"}", &subs, &comb),
			    "{\"error\":{\"code\":2,", 19);
	assert_int_equal(subs, 1);
}

static void test_malformed_input_gets_one_json_error(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "}",
	    "[]",
	    "{\"method\":",
	    "{\"method\":\"SUBSCRIBE\"",
	    "null",
	    "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":1} x",
	    "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	    "{\"id\":123456789012345678901234567890,\"method\":\"SUBSCRIBE\"}",
	    "{\"id\":\"0123456789012345678901234567890123456789\"}",
	    "{\"id\":-}",
	    "\xff\xfe\xfd",
	    "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\",]}",
	};
	uint64_t subs = 0;
	bool comb = false;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(bad[i], &subs, &comb);
		assert_memory_equal(out, "{\"error\":{\"code\":", 17);
		assert_int_equal(out[strlen(out) - 1], '}');
		assert_int_equal(subs, 0);
	}
	/* NUL inside: the length, not strlen, bounds the parse. */
	assert_true(
	    tt_vwsctl_handle(&m, "{\"method\"\0:\"X\"}", 15, &subs, &comb, out, sizeof(out)) > 0);
	assert_memory_equal(out, "{\"error\":", 9);
}

static void test_random_and_mutated_input_never_crashes(void **state)
{
	static const char valid[] = "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\","
				    "\"ethusdt@bookTicker\"],\"id\":42}";
	const char *e = getenv("TT_VENUE_FUZZ_N");
	int iters = e && atoi(e) > 0 ? atoi(e) : 50000;
	uint64_t seed = 0x5eed;
	uint64_t x = seed;
	char buf[256];

	print_message("seed %llu, %d inputs\n", (unsigned long long)seed, iters);
	for (int i = 0; i < iters; i++) {
		size_t n;
		uint64_t subs = 0;
		bool comb = false;
		int r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i & 1) {
			n = x % sizeof(buf);
			for (size_t k = 0; k < n; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[k] = (char)(x & 0xff);
			}
		} else {
			n = sizeof(valid) - 1;
			memcpy(buf, valid, n);
			for (int k = 0; k < 1 + (int)(x % 4); k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[x % n] = "{}[]\",: \\0a\xff"[(x >> 20) % 13];
			}
			if ((x >> 40) % 3 == 0)
				n = (x >> 8) % n; /* truncated */
		}
		r = tt_vwsctl_handle(&m, buf, n, &subs, &comb, out, sizeof(out));
		assert_true(r > 0 && (size_t)r < sizeof(out));
		assert_int_equal(out[0], '{');
		assert_int_equal(out[r - 1], '}');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subscribe_answers_result_null_and_adds_streams),
	    cmocka_unit_test(test_combined_property_set_and_get),
	    cmocka_unit_test(test_errors_leave_the_subscription_unchanged),
	    cmocka_unit_test(test_malformed_input_gets_one_json_error),
	    cmocka_unit_test(test_random_and_mutated_input_never_crashes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
