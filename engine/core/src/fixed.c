/*
 * fixed.c — decimal string <-> int64 fixed point (tt_fixed.h). Exact integer arithmetic
 * only: the magnitude is accumulated in uint64 with overflow checks, the sign applied at
 * the end so INT64_MIN at scale 0 still parses. Invariant: on any error the output is not
 * written.
 */
#include "tt_fixed.h"

#include <errno.h>
#include <string.h>

const int64_t tt_fixed_pow10[TT_FIXED_MAX_SCALE + 1] = {
	1LL,
	10LL,
	100LL,
	1000LL,
	10000LL,
	100000LL,
	1000000LL,
	10000000LL,
	100000000LL,
	1000000000LL,
	10000000000LL,
	100000000000LL,
	1000000000000LL,
	10000000000000LL,
	100000000000000LL,
	1000000000000000LL,
	10000000000000000LL,
	100000000000000000LL,
	1000000000000000000LL,
};

int tt_fixed_parse(const char *s, size_t len, unsigned scale, int64_t *out)
{
	const char *p = s;
	const char *end = s + len;
	const char *digits;
	uint64_t acc = 0;
	unsigned frac = 0;
	int neg = 0;

	if (tt_unlikely(scale > TT_FIXED_MAX_SCALE || len == 0))
		return -EINVAL;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	digits = p;
	/* Integer part. Up to 18 digits cannot overflow uint64; beyond, check each step. */
	while (p < end && (unsigned)(*p - '0') < 10) {
		unsigned d = (unsigned)(*p - '0');

		if (tt_unlikely(p - digits >= 18)) {
			if (__builtin_mul_overflow(acc, 10u, &acc) ||
			    __builtin_add_overflow(acc, d, &acc))
				return -ERANGE;
		} else {
			acc = acc * 10 + d;
		}
		p++;
	}
	if (tt_unlikely(p == digits))
		return -EINVAL;	/* "", "-", ".5", "-.5" */
	if (p < end) {
		const char *fd;

		if (tt_unlikely(*p != '.'))
			return -EINVAL;
		p++;
		fd = p;
		while (p < end && (unsigned)(*p - '0') < 10 && frac < scale) {
			if (tt_unlikely(__builtin_mul_overflow(acc, 10u, &acc) ||
					__builtin_add_overflow(acc, (unsigned)(*p - '0'), &acc)))
				return -ERANGE;
			frac++;
			p++;
		}
		/* Beyond the scale only zeros may follow. */
		while (p < end && *p == '0')
			p++;
		if (tt_unlikely(p < end)) {
			if ((unsigned)(*p - '0') < 10) {
				/* A non-zero digit: scan the rest to tell EDOM from EINVAL. */
				while (p < end && (unsigned)(*p - '0') < 10)
					p++;
				return p == end ? -EDOM : -EINVAL;
			}
			return -EINVAL;
		}
		if (tt_unlikely(p == fd))
			return -EINVAL;	/* "5." */
	}
	/* Scale the magnitude up by the missing decimals. */
	if (frac < scale) {
		if (tt_unlikely(__builtin_mul_overflow(acc, (uint64_t)tt_fixed_pow10[scale - frac],
						       &acc)))
			return -ERANGE;
	}
	if (neg) {
		if (tt_unlikely(acc > (uint64_t)INT64_MAX + 1))
			return -ERANGE;
		*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	} else {
		if (tt_unlikely(acc > (uint64_t)INT64_MAX))
			return -ERANGE;
		*out = (int64_t)acc;
	}
	return 0;
}

int tt_fixed_format(int64_t v, unsigned scale, unsigned flags, char *buf, size_t cap)
{
	char tmp[TT_FIXED_STR_MAX];
	char *q = tmp + sizeof(tmp);
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	unsigned nd = 0;
	size_t n;

	if (scale > TT_FIXED_MAX_SCALE)
		return -EINVAL;
	/* Digits right to left; at least scale + 1 of them so "0.05" gets its leading 0. */
	do {
		*--q = (char)('0' + mag % 10);
		mag /= 10;
		nd++;
		if (nd == scale && scale > 0)
			*--q = '.';
	} while (mag != 0 || nd <= scale);
	if (v < 0)
		*--q = '-';
	n = (size_t)(tmp + sizeof(tmp) - q);
	if ((flags & TT_FIXED_FMT_TRIM) && scale > 0) {
		while (q[n - 1] == '0')
			n--;
		if (q[n - 1] == '.')
			n--;
		/* "-0.000" trims to "-0": v was 0 only if mag was 0, and then no '-'. */
	}
	if (n + 1 > cap)
		return -ENOSPC;
	memcpy(buf, q, n);
	buf[n] = '\0';
	return (int)n;
}

int tt_fixed_rescale(int64_t v, unsigned from, unsigned to, int64_t *out)
{
	int64_t r;

	if (from > TT_FIXED_MAX_SCALE || to > TT_FIXED_MAX_SCALE)
		return -EINVAL;
	if (to >= from) {
		if (__builtin_mul_overflow(v, tt_fixed_pow10[to - from], &r))
			return -ERANGE;
	} else {
		int64_t d = tt_fixed_pow10[from - to];

		if (v % d != 0)
			return -EDOM;
		r = v / d;
	}
	*out = r;
	return 0;
}
