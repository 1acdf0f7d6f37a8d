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
	assert_int_equal(v, 77); /* untouched on error */
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
		buf[strlen(buf) - 1] = '8'; /* ...807 -> ...808 */
		assert_int_equal(parse(buf, scale, &v), -ERANGE);
		assert_true(tt_fixed_format(INT64_MIN, scale, 0, buf, sizeof(buf)) > 0);
		buf[strlen(buf) - 1] = '9'; /* -...808 -> -...809 */
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
	assert_int_equal(tt_fixed_format(12, 0, 0, buf, 3), 2); /* exactly fits */
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
			fail_msg("seed %" PRIu64 " iter %ld: %s -> %" PRId64 " != %" PRId64, seed,
				 i, buf, back, v);
	}
}

/* Reference: grammar check, then exact arithmetic in __int128 (digits capped). */
static int ref_parse(const char *s, size_t len, unsigned scale, int64_t *out)
{
	size_t i = 0, idig, fdig = 0;
	__int128 v = 0;
	int neg = 0, excess = 0, big = 0;
	unsigned f = 0;

	if (len && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	idig = i;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (s[i] - '0');
		if (v > (__int128)1 << 100)
			big = 1, v = (__int128)1 << 100;
		i++;
	}
	if (i == idig)
		return -EINVAL;
	if (i < len) {
		if (s[i] != '.')
			return -EINVAL;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (f < scale) {
				v = v * 10 + (s[i] - '0');
				if (v > (__int128)1 << 100)
					big = 1, v = (__int128)1 << 100;
				f++;
			} else if (s[i] != '0') {
				excess = 1;
			}
			i++;
			fdig++;
		}
		if (i < len || fdig == 0)
			return -EINVAL;
	}
	if (excess)
		return -EDOM;
	for (; f < scale; f++)
		if (v < (__int128)1 << 100)
			v *= 10;
	if (neg)
		v = -v;
	if (big || v > INT64_MAX || v < INT64_MIN)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

static void test_parse_matches_a_reference_on_random_strings(void **st)
{
	static const char alpha[] = "0123456789000000000.-x";
	const char *e_seed = getenv("TT_TEST_SEED");
	const char *e_iters = getenv("TT_TEST_ITERS");
	uint64_t seed = e_seed ? strtoull(e_seed, NULL, 0) : 0xd1ffULL;
	long iters = e_iters ? atol(e_iters) : 300000;
	char buf[48];
	long i;

	(void)st;
	printf("# seed %" PRIu64 " iters %ld\n", seed, iters);
	rng_state = seed ? seed : 1;
	for (i = 0; i < iters; i++) {
		size_t len = (size_t)(rnd() % 30), k;
		unsigned scale = (unsigned)(rnd() % 19);
		int64_t a = 0, b = 0;
		int ra, rb;

		for (k = 0; k < len; k++) {
			/* mostly well-formed: digits, one '.', rare '-' and junk */
			buf[k] = alpha[rnd() % (rnd() % 8 ? 19 : sizeof(alpha) - 1)];
		}
		if (len > 2 && rnd() % 2) {
			size_t dot = 1 + (size_t)(rnd() % (len - 2));

			for (k = 0; k < len; k++)
				if (buf[k] == '.')
					buf[k] = '7';
			buf[dot] = '.';
		}
		ra = tt_fixed_parse(buf, len, scale, &a);
		rb = ref_parse(buf, len, scale, &b);
		/* EDOM and ERANGE may both apply (too big and too precise): either is right. */
		if (ra != rb && !(ra == -ERANGE && rb == -EDOM) && !(ra == -EDOM && rb == -ERANGE))
			fail_msg("seed %" PRIu64 " iter %ld: '%.*s' scale %u: rc %d, ref %d", seed,
				 i, (int)len, buf, scale, ra, rb);
		if (ra == 0 && a != b)
			fail_msg("seed %" PRIu64 " iter %ld: '%.*s' scale %u: %" PRId64
				 " ref %" PRId64,
				 seed, i, (int)len, buf, scale, a, b);
	}
}

static void test_scan_stops_after_the_number(void **st)
{
	static const char s1[] = "25.35190000\",\"B\"";
	static const char s2[] = "27123.45000000\"";
	static const char s3[] = "1.5e3\"";
	static const char s4[] = "1.05\"";
	const char *stop = NULL;
	int64_t v;

	(void)st;
	assert_int_equal(tt_fixed_scan(s1, s1 + strlen(s1), 8, &v, &stop), 0);
	assert_int_equal(v, 2535190000LL);
	assert_ptr_equal(stop, s1 + 11);
	assert_int_equal(tt_fixed_scan(s2, s2 + strlen(s2), 2, &v, &stop), 0);
	assert_int_equal(v, 2712345);
	assert_ptr_equal(stop, s2 + 14);
	assert_int_equal(tt_fixed_scan(s3, s3 + strlen(s3), 2, &v, &stop), 0);
	assert_ptr_equal(stop, s3 + 3); /* the caller sees 'e', not the quote */
	assert_int_equal(tt_fixed_scan(s4, s4 + strlen(s4), 1, &v, &stop), -EDOM);
	assert_int_equal(tt_fixed_scan("x", (const char *)"x" + 1, 1, &v, &stop), -EINVAL);
	/* the checked path (19 significant digits) stops at the same place */
	assert_int_equal(tt_fixed_scan("1234567890.123456789\"",
				       (const char *)"1234567890.123456789\"" + 21, 9, &v, &stop),
			 0);
	assert_int_equal(v, 1234567890123456789LL);
	assert_int_equal(*stop, '"');
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
	    cmocka_unit_test(test_parse_matches_a_reference_on_random_strings),
	    cmocka_unit_test(test_scan_stops_after_the_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
