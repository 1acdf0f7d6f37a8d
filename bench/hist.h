/*
 * hist.h — latency samples and percentiles for every tt-bench program.
 *
 * The caller preallocates an array of uint64 samples (any unit: ns or TSC ticks) and
 * records into it on the hot path (one store, no allocation, never blocks: samples past
 * the capacity are counted in `lost`, not stored). tt_bench_hist_summarize sorts the
 * array in place once at the end and reads exact nearest-rank percentiles.
 */
#ifndef TT_BENCH_HIST_H
#define TT_BENCH_HIST_H

#include <stddef.h>
#include <stdint.h>

struct tt_bench_hist {
	uint64_t *v;	/* caller's sample storage */
	size_t cap;	/* its length in samples */
	size_t n;	/* samples stored */
	uint64_t lost;	/* samples recorded past cap (not stored) */
};

struct tt_bench_pct {
	uint64_t n;	/* samples */
	uint64_t min;
	uint64_t p50;
	uint64_t p90;
	uint64_t p99;
	uint64_t p999;	/* 99.9th */
	uint64_t max;
	double mean;
};

/* Uses buf[0..cap-1] (caller-owned, must outlive h) as storage; starts empty. */
void tt_bench_hist_init(struct tt_bench_hist *h, uint64_t *buf, size_t cap);
void tt_bench_hist_reset(struct tt_bench_hist *h);

static inline void tt_bench_hist_record(struct tt_bench_hist *h, uint64_t x)
{
	if (__builtin_expect(h->n < h->cap, 1))
		h->v[h->n++] = x;
	else
		h->lost++;
}

/* Nearest-rank percentile (q in 0..1) of a sorted array of n > 0 samples. */
uint64_t tt_bench_pct_sorted(const uint64_t *sorted, size_t n, double q);

/* Sorts the samples in place and fills out. 0, or -ENODATA when there are none
 * (out is zeroed then). */
int tt_bench_hist_summarize(struct tt_bench_hist *h, struct tt_bench_pct *out);

/* Multiplies every field but n by k (e.g. TSC ticks to ns); rounds to nearest. */
void tt_bench_pct_scale(struct tt_bench_pct *p, double k);

#endif /* TT_BENCH_HIST_H */
