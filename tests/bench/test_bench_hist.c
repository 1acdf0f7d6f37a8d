/*
 * test_bench_hist.c — the percentile helper every bench prints with (bench/hist.h):
 * nearest-rank percentiles, overflow counting, empty input, scaling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "hist.h"

static void test_percentiles_of_1_to_1000_are_nearest_rank(void **state)
{
	uint64_t buf[1000];
	struct tt_bench_hist h;
	struct tt_bench_pct p;

	tt_bench_hist_init(&h, buf, 1000);
	/* Recorded in reverse: summarize must sort. */
	for (uint64_t i = 1000; i >= 1; i--)
		tt_bench_hist_record(&h, i);
	assert_int_equal(tt_bench_hist_summarize(&h, &p), 0);
	assert_int_equal(p.n, 1000);
	assert_int_equal(p.min, 1);
	assert_int_equal(p.p50, 500);
	assert_int_equal(p.p90, 900);
	assert_int_equal(p.p99, 990);
	assert_int_equal(p.p999, 999);
	assert_int_equal(p.max, 1000);
	assert_true(p.mean > 500.49 && p.mean < 500.51);
}

static void test_single_sample_is_every_percentile(void **state)
{
	uint64_t buf[4];
	struct tt_bench_hist h;
	struct tt_bench_pct p;

	tt_bench_hist_init(&h, buf, 4);
	tt_bench_hist_record(&h, 42);
	assert_int_equal(tt_bench_hist_summarize(&h, &p), 0);
	assert_int_equal(p.p50, 42);
	assert_int_equal(p.p999, 42);
	assert_int_equal(p.max, 42);
}

static void test_samples_past_capacity_are_counted_not_stored(void **state)
{
	uint64_t buf[3];
	struct tt_bench_hist h;

	tt_bench_hist_init(&h, buf, 3);
	for (int i = 0; i < 5; i++)
		tt_bench_hist_record(&h, 7);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.lost, 2);
}

static void test_summarize_without_samples_fails_with_enodata(void **state)
{
	uint64_t buf[1];
	struct tt_bench_hist h;
	struct tt_bench_pct p;

	tt_bench_hist_init(&h, buf, 1);
	assert_int_equal(tt_bench_hist_summarize(&h, &p), -ENODATA);
	assert_int_equal(p.n, 0);
}

static void test_tail_percentile_sees_the_one_outlier_in_a_thousand(void **state)
{
	uint64_t buf[1000];
	struct tt_bench_hist h;
	struct tt_bench_pct p;

	tt_bench_hist_init(&h, buf, 1000);
	for (int i = 0; i < 998; i++)
		tt_bench_hist_record(&h, 100);
	tt_bench_hist_record(&h, 5000);
	tt_bench_hist_record(&h, 9000);
	assert_int_equal(tt_bench_hist_summarize(&h, &p), 0);
	assert_int_equal(p.p99, 100);
	assert_int_equal(p.p999, 5000);
	assert_int_equal(p.max, 9000);
}

static void test_scale_converts_ticks_to_ns_rounding_to_nearest(void **state)
{
	struct tt_bench_pct p = { .n = 3, .min = 10, .p50 = 25, .p90 = 26, .p99 = 30,
				  .p999 = 31, .max = 1000, .mean = 20.0 };

	tt_bench_pct_scale(&p, 0.5);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.min, 5);
	assert_int_equal(p.p50, 13);
	assert_int_equal(p.p90, 13);
	assert_int_equal(p.p99, 15);
	assert_int_equal(p.max, 500);
	assert_true(p.mean > 9.99 && p.mean < 10.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_of_1_to_1000_are_nearest_rank),
		cmocka_unit_test(test_single_sample_is_every_percentile),
		cmocka_unit_test(test_samples_past_capacity_are_counted_not_stored),
		cmocka_unit_test(test_summarize_without_samples_fails_with_enodata),
		cmocka_unit_test(test_tail_percentile_sees_the_one_outlier_in_a_thousand),
		cmocka_unit_test(test_scale_converts_ticks_to_ns_rounding_to_nearest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
