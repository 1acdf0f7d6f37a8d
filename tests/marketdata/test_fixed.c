/*
 * test_fixed.c — tt_fixed_parse / tt_fixed_format / tt_fixed_rescale (tt_fixed.h):
 * exact values at every scale, the grammar's edges, precision and overflow refusals, and
 * a randomized parse(format(v)) round trip with a printed seed (TT_TEST_SEED to replay,
 * TT_TEST_ITERS to run longer).
 */
#include "tt_fixed.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int parse(const char *s, unsigned scale, int64_t *v)
{
	return tt_fixed_parse(s, strlen(s), scale, v);
}

static void test_parse_binance_examples_exactly(void **st)
{
	int64_t v;

	(void)st;
	/* web-socket-streams.md bookTicker example */
	assert_int_equal(parse("25.35190000", 8, &v), 0);
	assert_int_equal(v, 2535190000LL);
	assert_int_equal(parse("0.01000000", 8, &v), 0);
	assert_int_equal(v, 1000000LL);
	assert_int_equal(parse("27123.45", 2, &v), 0);
	assert_int_equal(v, 2712345LL);
	assert_int_equal(parse("0.0024", 4, &v), 0);
	assert_int_equal(v, 24);
	assert_int_equal(parse("100", 0, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse("100", 8, &v), 0);
	assert_int_equal(v, 10000000000LL);
}

static void test_parse_accepts_trailing_zeros_beyond_scale(void **st)
{
	int64_t v;

	(void)st;
	assert_int_equal(parse("25.35190000", 4, &v), 0);
	assert_int_equal(v, 253519);
	assert_int_equal(parse("1.000000000000000000000000", 0, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse("0.00000000", 0, &v), 0);
	assert_int_equal(v, 0);
}

static void test_parse_refuses_nonzero_digit_beyond_scale(void **st)
{
	int64_t v = 77;

	(void)st;
	assert_int_equal(parse("25.35190001", 4, &v), -EDOM);
	assert_int_equal(parse("0.5", 0, &v), -EDOM);
	assert_int_equal(parse("1.0000000000000000001", 18, &v), -EDOM);
	assert_int_equal(v, 77);	/* untouched on error */
}

static void test_parse_edges_of_the_grammar(void **st)
{
	int64_t v = 77;

	(void)st;
	assert_int_equal(parse("-0", 8, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse("0007.50", 2, &v), 0);
	assert_int_equal(v, 750);
	assert_int_equal(parse("-1.5", 1, &v), 0);
	assert_int_equal(v, -15);
	v = 77;
	assert_int_equal(tt_fixed_parse("", 0, 2, &v), -EINVAL);
	assert_int_equal(parse("-", 2, &v), -EINVAL);
	assert_int_equal(parse(".5", 2, &v), -EINVAL);
	assert_int_equal(parse("5.", 2, &v), -EINVAL);
	assert_int_equal(parse("-.5", 2, &v), -EINVAL);
	assert_int_equal(parse("+5", 2, &v), -EINVAL);
	assert_int_equal(parse("1e-3", 3, &v), -EINVAL);
	assert_int_equal(parse("1E3", 3, &v), -EINVAL);
	assert_int_equal(parse(" 1", 3, &v), -EINVAL);
	assert_int_equal(parse("1 ", 3, &v), -EINVAL);
	assert_int_equal(parse("1.2.3", 3, &v), -EINVAL);
	assert_int_equal(parse("1.5x", 3, &v), -EINVAL);
	assert_int_equal(parse("1.0005x", 3, &v), -EINVAL);
	assert_int_equal(parse("--1", 3, &v), -EINVAL);
	assert_int_equal(parse("1", 19, &v), -EINVAL);
	assert_int_equal(v, 77);
	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(tt_fixed_parse("12345", 3, 0, &v), 0);
	assert_int_equal(v, 123);
}

static void test_parse_int64_boundaries_at_every_scale(void **st)
{
	char buf[64];
	unsigned scale;
	int64_t v;

	(void)st;
	for (scale = 0; scale <= TT_FIXED_MAX_SCALE; scale++) {
		/* INT64_MAX and INT64_MIN at this scale parse exactly ... */
		assert_true(tt_fixed_format(INT64_MAX, scale, 0, buf, sizeof(buf)) > 0);
		assert_int_equal(parse(buf, scale, &v), 0);
		assert_true(v == INT64_MAX);
		assert_true(tt_fixed_format(INT64_MIN, scale, 0, buf, sizeof(buf)) > 0);
		assert_int_equal(parse(buf, scale, &v), 0);
		assert_true(v == INT64_MIN);
		/* ... and one unit beyond is refused. */
		assert_true(tt_fixed_format(INT64_MAX, scale, 0, buf, sizeof(buf)) > 0);
		buf[strlen(buf) - 1] = '8';	/* ...807 -> ...808 */
		assert_int_equal(parse(buf, scale, &v), -ERANGE);
		assert_true(tt_fixed_format(INT64_MIN, scale, 0, buf, sizeof(buf)) > 0);
		buf[strlen(buf) - 1] = '9';	/* -...808 -> -...809 */
		assert_int_equal(parse(buf, scale, &v), -ERANGE);
	}
	assert_int_equal(parse("9223372036854775807", 0, &v), 0);
	assert_int_equal(parse("9223372036854775808", 0, &v), -ERANGE);
	assert_int_equal(parse("99999999999999999999999", 0, &v), -ERANGE);
	assert_int_equal(parse("10", 18, &v), -ERANGE);
	assert_int_equal(parse("9.223372036854775807", 18, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse("00000000000000000000000000001", 0, &v), 0);
	assert_int_equal(v, 1);
}

static void test_format_with_and_without_trailing_zeros(void **st)
{
	char buf[TT_FIXED_STR_MAX];

	(void)st;
	assert_int_equal(tt_fixed_format(150000000, 8, 0, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "1.50000000");
	assert_int_equal(tt_fixed_format(150000000, 8, TT_FIXED_FMT_TRIM, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "1.5");
	assert_int_equal(tt_fixed_format(200000000, 8, TT_FIXED_FMT_TRIM, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "2");
	assert_int_equal(tt_fixed_format(5, 2, 0, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "0.05");
	assert_int_equal(tt_fixed_format(-5, 2, 0, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "-0.05");
	assert_int_equal(tt_fixed_format(0, 3, 0, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "0.000");
	assert_int_equal(tt_fixed_format(0, 3, TT_FIXED_FMT_TRIM, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(tt_fixed_format(42, 0, 0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "42");
	assert_int_equal(tt_fixed_format(INT64_MIN, 18, 0, buf, sizeof(buf)), 21);
	assert_string_equal(buf, "-9.223372036854775808");
	assert_int_equal(tt_fixed_format(INT64_MIN, 0, 0, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "-9223372036854775808");
	assert_int_equal(tt_fixed_format(1, 18, 0, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "0.000000000000000001");
}

static void test_format_refuses_small_buffer_and_bad_scale(void **st)
{
	char buf[8];

	(void)st;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(tt_fixed_format(150000000, 8, 0, buf, 10), -ENOSPC);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(tt_fixed_format(12, 0, 0, buf, 3), 2);	/* exactly fits */
	assert_int_equal(tt_fixed_format(123, 0, 0, buf, 3), -ENOSPC);
	assert_int_equal(tt_fixed_format(1, 19, 0, buf, sizeof(buf)), -EINVAL);
}

static void test_rescale_is_exact_or_refuses(void **st)
{
	int64_t v;

	(void)st;
	assert_int_equal(tt_fixed_rescale(150, 2, 8, &v), 0);
	assert_int_equal(v, 150000000LL);
	assert_int_equal(tt_fixed_rescale(150000000LL, 8, 2, &v), 0);
	assert_int_equal(v, 150);
	assert_int_equal(tt_fixed_rescale(150000001LL, 8, 2, &v), -EDOM);
	assert_int_equal(tt_fixed_rescale(INT64_MAX, 0, 1, &v), -ERANGE);
	assert_int_equal(tt_fixed_rescale(1, 0, 19, &v), -EINVAL);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_parse_of_format_round_trips_random_values(void **st)
{
	const char *e_seed = getenv("TT_TEST_SEED");
	const char *e_iters = getenv("TT_TEST_ITERS");
	uint64_t seed = e_seed ? strtoull(e_seed, NULL, 0) : 0x5eed1234abcdULL;
	long iters = e_iters ? atol(e_iters) : 200000;
	char buf[TT_FIXED_STR_MAX];
	long i;

	(void)st;
	printf("# seed %" PRIu64 " iters %ld (TT_TEST_SEED, TT_TEST_ITERS)\n", seed, iters);
	rng_state = seed ? seed : 1;
	for (i = 0; i < iters; i++) {
		int64_t v = (int64_t)rnd() >> (rnd() % 64);
		unsigned scale = (unsigned)(rnd() % 19);
		unsigned flags = rnd() & 1 ? TT_FIXED_FMT_TRIM : 0;
		int64_t back = 0;
		int n = tt_fixed_format(v, scale, flags, buf, sizeof(buf));

		assert_true(n > 0);
		assert_int_equal(tt_fixed_parse(buf, (size_t)n, scale, &back), 0);
		if (back != v)
			fail_msg("seed %" PRIu64 " iter %ld: %s -> %" PRId64 " != %" PRId64, seed, i,
				 buf, back, v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_binance_examples_exactly),
		cmocka_unit_test(test_parse_accepts_trailing_zeros_beyond_scale),
		cmocka_unit_test(test_parse_refuses_nonzero_digit_beyond_scale),
		cmocka_unit_test(test_parse_edges_of_the_grammar),
		cmocka_unit_test(test_parse_int64_boundaries_at_every_scale),
		cmocka_unit_test(test_format_with_and_without_trailing_zeros),
		cmocka_unit_test(test_format_refuses_small_buffer_and_bad_scale),
		cmocka_unit_test(test_rescale_is_exact_or_refuses),
		cmocka_unit_test(test_parse_of_format_round_trips_random_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
