/*
 * tt_hist.h — a fixed-size log-linear latency histogram for the hot path (HDR-style):
 * values in ns, buckets of 1/16 of each power of two, so any percentile is within 6.25 %
 * of the true value; recording is a clz, a shift and an increment (no allocation, no
 * branches on the common path). Always on in tt-md/tt-oe/tt-engine stage timing.
 * Not thread safe: one writer; readers copy it (it is plain memory, so a copy in shared
 * memory or a ring works).
 */
#ifndef TT_HIST_H
#define TT_HIST_H

#include <stdint.h>
#include <string.h>

#define TT_HIST_SUB_BITS 4
#define TT_HIST_SUB (1u << TT_HIST_SUB_BITS)
#define TT_HIST_BUCKETS (64 * TT_HIST_SUB)

struct tt_hist {
	uint64_t count;
	uint64_t max;
	uint64_t min;
	uint64_t sum;
	uint32_t b[TT_HIST_BUCKETS];
};

static inline void tt_hist_reset(struct tt_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static inline unsigned tt__hist_bucket(uint64_t v)
{
	unsigned e;

	if (v < TT_HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* ≥ SUB_BITS */
	return ((e - TT_HIST_SUB_BITS + 1) << TT_HIST_SUB_BITS) |
	       (unsigned)((v >> (e - TT_HIST_SUB_BITS)) & (TT_HIST_SUB - 1));
}

static inline void tt_hist_record(struct tt_hist *h, uint64_t v)
{
	h->b[tt__hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
}

/* Adds all of src into dst. */
void tt_hist_merge(struct tt_hist *dst, const struct tt_hist *src);
/* Value at quantile q (0..1): the upper edge of the bucket that holds it, clamped to max.
 * 0 for an empty histogram. */
uint64_t tt_hist_quantile(const struct tt_hist *h, double q);

#endif /* TT_HIST_H */
