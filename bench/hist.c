/*
 * hist.c — percentiles over a caller-owned sample array (see hist.h). Sorting once at the
 * end keeps recording to one store and the percentiles exact.
 */
#include "hist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void tt_bench_hist_init(struct tt_bench_hist *h, uint64_t *buf, size_t cap)
{
	h->v = buf;
	h->cap = cap;
	h->n = 0;
	h->lost = 0;
}

void tt_bench_hist_reset(struct tt_bench_hist *h)
{
	h->n = 0;
	h->lost = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t tt_bench_pct_sorted(const uint64_t *sorted, size_t n, double q)
{
	double rank = ceil(q * (double)n);
	size_t i;

	if (rank < 1)
		rank = 1;
	i = (size_t)rank - 1;
	if (i >= n)
		i = n - 1;
	return sorted[i];
}

int tt_bench_hist_summarize(struct tt_bench_hist *h, struct tt_bench_pct *out)
{
	long double sum = 0;

	memset(out, 0, sizeof(*out));
	if (h->n == 0)
		return -ENODATA;
	qsort(h->v, h->n, sizeof(h->v[0]), cmp_u64);
	for (size_t i = 0; i < h->n; i++)
		sum += h->v[i];
	out->n = h->n;
	out->min = h->v[0];
	out->p50 = tt_bench_pct_sorted(h->v, h->n, 0.50);
	out->p90 = tt_bench_pct_sorted(h->v, h->n, 0.90);
	out->p99 = tt_bench_pct_sorted(h->v, h->n, 0.99);
	out->p999 = tt_bench_pct_sorted(h->v, h->n, 0.999);
	out->max = h->v[h->n - 1];
	out->mean = (double)(sum / h->n);
	return 0;
}

void tt_bench_pct_scale(struct tt_bench_pct *p, double k)
{
	p->min = (uint64_t)llround((double)p->min * k);
	p->p50 = (uint64_t)llround((double)p->p50 * k);
	p->p90 = (uint64_t)llround((double)p->p90 * k);
	p->p99 = (uint64_t)llround((double)p->p99 * k);
	p->p999 = (uint64_t)llround((double)p->p999 * k);
	p->max = (uint64_t)llround((double)p->max * k);
	p->mean *= k;
}
