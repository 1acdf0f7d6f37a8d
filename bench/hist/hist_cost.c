/*
 * hist_cost.c — tt-bench hist: the cost of the always-on stage histograms (tt_hist_record)
 * on the hot path, against doing nothing and against storing the sample in an array.
 * Values are realistic latencies (100 ns .. 100 µs, log-spread); 10^7 records per row;
 * ns per call = TSC delta / count, best of 5 rounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "tt_hist.h"

#define N 10000000u

static uint64_t vals[1024];
static uint64_t sink_arr[N];

int main(void)
{
	static struct tt_hist h;
	double ticks_per_ns = tt_bench_tsc_calibrate(100);
	double best[3] = { 1e9, 1e9, 1e9 };
	uint64_t acc = 0;

	srand(7);
	for (int i = 0; i < 1024; i++)
		vals[i] = 100 + (uint64_t)rand() % 1000 * ((uint64_t)1 << (rand() % 7));
	for (int round = 0; round < 5; round++) {
		uint64_t t0, t1;

		t0 = tt_bench_tsc();
		for (uint32_t i = 0; i < N; i++)
			acc += vals[i & 1023];
		t1 = tt_bench_tsc();
		if (((double)(t1 - t0) / ticks_per_ns / N) < best[0])
			best[0] = ((double)(t1 - t0) / ticks_per_ns / N);
		tt_hist_reset(&h);
		t0 = tt_bench_tsc();
		for (uint32_t i = 0; i < N; i++)
			tt_hist_record(&h, vals[i & 1023]);
		t1 = tt_bench_tsc();
		if (((double)(t1 - t0) / ticks_per_ns / N) < best[1])
			best[1] = ((double)(t1 - t0) / ticks_per_ns / N);
		t0 = tt_bench_tsc();
		for (uint32_t i = 0; i < N; i++)
			sink_arr[i] = vals[i & 1023];
		t1 = tt_bench_tsc();
		if (((double)(t1 - t0) / ticks_per_ns / N) < best[2])
			best[2] = ((double)(t1 - t0) / ticks_per_ns / N);
	}
	printf("tt-bench hist: cost of one always-on latency sample (ns per call, best of 5 x 10^7)\n");
	printf("  loop only (load the value)        %6.2f\n", best[0]);
	printf("  tt_hist_record (clz, shift, ++)    %6.2f\n", best[1]);
	printf("  store into a sample array          %6.2f\n", best[2]);
	printf("  (p50 of the recorded values: %llu ns; checksum %llu %llu)\n",
	       (unsigned long long)tt_hist_quantile(&h, 0.5), (unsigned long long)acc,
	       (unsigned long long)sink_arr[N / 2]);
	return 0;
}
