/*
 * hist.c — cold half of tt_hist.h: percentiles and merging (reporting only).
 */
#include "tt_hist.h"

/* Largest value that falls in bucket i. */
static uint64_t bucket_top(unsigned i)
{
	unsigned hi = i >> TT_HIST_SUB_BITS, lo = i & (TT_HIST_SUB - 1);
	unsigned e;

	if (hi == 0)
		return lo;
	e = hi + TT_HIST_SUB_BITS - 1;
	return (((uint64_t)(TT_HIST_SUB + lo) + 1) << (e - TT_HIST_SUB_BITS)) - 1;
}

void tt_hist_merge(struct tt_hist *dst, const struct tt_hist *src)
{
	for (unsigned i = 0; i < TT_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->count && src->min < dst->min)
		dst->min = src->min;
}

uint64_t tt_hist_quantile(const struct tt_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned i = 0; i < TT_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t top = bucket_top(i);

			return top > h->max ? h->max : top;
		}
	}
	return h->max;
}
