/*
 * test_json.c — the shared JSON cursor (tt_json.h) on its own: objects, arrays, key
 * matching, numbers at their limits, skipping hostile nesting, user error codes and
 * positions. Its heavy users (marketdata scanners, the Binance WS API decoders) have
 * their own tests and fuzz targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tt_json.h"

static void test_object_and_array_iteration_visit_every_member(void **state)
{
	static const char s[] = " {\"a\": [1, 2 ,3], \"bb\":\"x\\\"y\", \"c\":{}, \"d\":[]} ";
	struct tt_json c;
	const char *k, *v;
	uint32_t klen, vlen;
	bool first, f2, esc;
	uint64_t sum = 0, x;
	int r, keys = 0;

	tt_json_init(&c, s, strlen(s));
	assert_true(tt_json_obj_begin(&c, &first));
	while ((r = tt_json_obj_next(&c, &first, &k, &klen, &esc)) == 1) {
		keys++;
		if (tt_json_key_is(k, klen, esc, "a")) {
			assert_true(tt_json_arr_begin(&c, &f2));
			while ((r = tt_json_arr_next(&c, &f2)) == 1) {
				assert_true(tt_json_u64(&c, &x));
				sum += x;
			}
			assert_int_equal(r, 0);
		} else if (tt_json_key_is(k, klen, esc, "bb")) {
			assert_true(tt_json_string(&c, &v, &vlen, &esc));
			assert_true(esc);
			assert_int_equal(vlen, 4);
		} else {
			assert_true(tt_json_skip_value(&c));
		}
	}
	assert_int_equal(r, 0);
	assert_true(tt_json_end(&c));
	assert_int_equal(keys, 4);
	assert_true(sum == 6);
	(void)state;
}

static void test_integers_at_their_limits(void **state)
{
	struct tt_json c;
	uint64_t u;
	int64_t i;

	tt_json_init(&c, "18446744073709551615", 20);
	assert_true(tt_json_u64(&c, &u));
	assert_true(u == UINT64_MAX);
	tt_json_init(&c, "18446744073709551616", 20);
	assert_false(tt_json_u64(&c, &u));
	assert_int_equal(c.code, TT_JSON_E_RANGE);
	tt_json_init(&c, "-9223372036854775808", 20);
	assert_true(tt_json_i64(&c, &i));
	assert_true(i == INT64_MIN);
	tt_json_init(&c, "12345678.5", 10);
	assert_false(tt_json_u64(&c, &u));
	assert_int_equal(c.code, TT_JSON_E_TYPE);
	tt_json_init(&c, "0123", 4);	/* leading zero then digits: not JSON */
	assert_false(tt_json_u64(&c, &u));
	(void)state;
}

static void test_nesting_deeper_than_64_is_refused(void **state)
{
	char deep[200];
	struct tt_json c;

	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	tt_json_init(&c, deep, 130);
	assert_false(tt_json_skip_value(&c));
	assert_int_equal(c.code, TT_JSON_E_NESTING);
	tt_json_init(&c, deep + 1, 128);	/* 64 deep is fine */
	assert_true(tt_json_skip_value(&c));
	(void)state;
}

static void test_first_error_wins_and_user_codes_pass_through(void **state)
{
	struct tt_json c;

	tt_json_init(&c, "{\"a\":tru}", 9);
	assert_false(tt_json_skip_value(&c));
	assert_int_equal(c.code, TT_JSON_E_SYNTAX);
	assert_int_equal(c.pos, 8);	/* the offending byte */
	assert_false(tt_json_fail(&c, TT_JSON_E_USER + 3, c.base));
	assert_int_equal(c.code, TT_JSON_E_SYNTAX);	/* the first one stays */
	assert_string_equal(tt_json_err_str(TT_JSON_E_NESTING), "nesting deeper than 64");
	assert_string_equal(tt_json_err_str(TT_JSON_E_USER + 3), "decoder error");
	tt_json_init(&c, "{} x", 4);
	assert_true(tt_json_skip_value(&c));
	assert_false(tt_json_end(&c));
	assert_int_equal(c.code, TT_JSON_E_TRAILING);
	(void)state;
}

static void test_every_truncation_fails_without_reading_past_the_end(void **state)
{
	static const char s[] = "{\"a\":[1,{\"b\":\"c\\u00e9\"},true,false,null,-1.5e3],\"z\":\"\"}";
	struct tt_json c;

	for (size_t n = 0; n < sizeof(s) - 1; n++) {
		char buf[sizeof(s)];

		memcpy(buf, s, n);
		tt_json_init(&c, buf, n);
		assert_false(tt_json_skip_value(&c) && tt_json_end(&c) && n == sizeof(s) - 1);
		if (n < sizeof(s) - 1)
			assert_int_not_equal(c.code, TT_JSON_E_NONE);
	}
	tt_json_init(&c, s, sizeof(s) - 1);
	assert_true(tt_json_skip_value(&c));
	assert_true(tt_json_end(&c));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_and_array_iteration_visit_every_member),
		cmocka_unit_test(test_integers_at_their_limits),
		cmocka_unit_test(test_nesting_deeper_than_64_is_refused),
		cmocka_unit_test(test_first_error_wins_and_user_codes_pass_through),
		cmocka_unit_test(test_every_truncation_fails_without_reading_past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
