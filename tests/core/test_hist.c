/* test_hist.c — bucket edges, percentile accuracy within one bucket (6.25 %) against the
 * exact sorted values, merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tt_hist.h"

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_small_values_are_exact(void **state)
{
	struct tt_hist h;

	tt_hist_reset(&h);
	for (uint64_t v = 0; v < 16; v++)
		tt_hist_record(&h, v);
	assert_int_equal(tt_hist_quantile(&h, 0.5), 7);
	assert_int_equal(tt_hist_quantile(&h, 1.0), 15);
	assert_int_equal(tt_hist_quantile(&h, 0.0), 0);
	assert_int_equal(h.count, 16);
	(void)state;
}

static void test_quantiles_within_one_bucket_of_exact(void **state)
{
	enum { N = 20000 };
	static uint64_t v[N];
	struct tt_hist h;
	const double qs[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };
	unsigned seed = (unsigned)time(NULL);

	printf("seed %u\n", seed);
	srand(seed);
	tt_hist_reset(&h);
	for (int i = 0; i < N; i++) {
		v[i] = (uint64_t)rand() % 1000 + ((uint64_t)rand() % 100 == 0 ? (uint64_t)rand() % 1000000 : 0);
		tt_hist_record(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t idx = (size_t)(qs[k] * N + 0.999999) - 1;
		uint64_t exact = v[idx], got = tt_hist_quantile(&h, qs[k]);

		assert_true(got >= exact);
		assert_true(got <= exact + exact / 16 + 1);
	}
	assert_int_equal(h.max, v[N - 1]);
	(void)state;
}

static void test_merge_adds_counts(void **state)
{
	struct tt_hist a, b;

	tt_hist_reset(&a);
	tt_hist_reset(&b);
	tt_hist_record(&a, 100);
	tt_hist_record(&b, 5000);
	tt_hist_record(&b, 7);
	tt_hist_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.max, 5000);
	assert_int_equal(a.min, 7);
	assert_true(tt_hist_quantile(&a, 1.0) == 5000);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_values_are_exact),
		cmocka_unit_test(test_quantiles_within_one_bucket_of_exact),
		cmocka_unit_test(test_merge_adds_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
