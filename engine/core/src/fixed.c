/*
 * fixed.c — decimal string <-> int64 fixed point (tt_fixed.h). Exact integer arithmetic
 * only: the magnitude is accumulated in uint64 with overflow checks, the sign applied at
 * the end so INT64_MIN at scale 0 still parses. Invariant: on any error the output is not
 * written.
 */
#include "tt_fixed.h"

#include <errno.h>
#include <stdbool.h>
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

/*
 * Fast path: reads [-]digits[.digits] from s and stops at the first byte that cannot
 * continue the number (*stop). It applies when there are at most 18 significant digits
 * (integer digits + scale), so nothing can overflow; fractions are eaten 8 digits at a
 * time where 8 bytes remain. Returns 0 (value in *out, *stop set), or 1 when it does not
 * apply (more digits, a non-zero digit beyond the scale, no leading digit): the caller
 * takes the checked path for the value or the exact error.
 */
static inline int parse_fast(const char *s, const char *end, unsigned scale, int64_t *out,
			     const char **stop)
{
	const char *p = s;
	const char *digits;
	uint64_t acc = 0;
	unsigned frac = 0;
	int neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	digits = p;
	while (p < end && (unsigned)(*p - '0') < 10)
		acc = acc * 10 + (unsigned)(*p++ - '0');
	if (tt_unlikely(p == digits || (size_t)(p - digits) + scale > 18))
		return 1;
	if (p + 1 < end && *p == '.' && (unsigned)(p[1] - '0') < 10) {
		p++;
		while (scale - frac >= 8 && end - p >= 8) {
			uint64_t v;

			memcpy(&v, p, 8);
			if (!tt__is_8digits(v))
				break;
			acc = acc * 100000000ULL + tt__parse_8digits(v);
			frac += 8;
			p += 8;
		}
		while (p < end && frac < scale && (unsigned)(*p - '0') < 10) {
			acc = acc * 10 + (unsigned)(*p++ - '0');
			frac++;
		}
		/* Zeros beyond the scale are fine ("27123.45000000" at scale 2). */
		if (frac == scale) {
			uint64_t v;

			while (end - p >= 8) {
				memcpy(&v, p, 8);
				if (v != 0x3030303030303030ULL)
					break;
				p += 8;
			}
			while (p < end && *p == '0')
				p++;
		}
		if (p < end && (unsigned)(*p - '0') < 10)
			return 1; /* a non-zero digit beyond the scale */
	}
	acc *= (uint64_t)tt_fixed_pow10[scale - frac];
	*out = neg ? -(int64_t)acc : (int64_t)acc;
	*stop = p;
	return 0;
}

/*
 * The checked path: exact for any length. Reads the whole string before judging, so a
 * malformed string is -EINVAL even when its digits would also overflow; then -EDOM
 * (non-zero digit beyond the scale), then -ERANGE.
 */
static int parse_checked(const char *s, size_t len, unsigned scale, int64_t *out)
{
	const char *p = s;
	const char *end = s + len;
	const char *digits;
	uint64_t acc = 0;
	unsigned frac = 0;
	bool neg = false, ovf = false, excess = false;

	if (*p == '-') {
		neg = true;
		p++;
	}
	digits = p;
	for (; p < end && (unsigned)(*p - '0') < 10; p++)
		ovf |= __builtin_mul_overflow(acc, 10u, &acc) ||
		       __builtin_add_overflow(acc, (unsigned)(*p - '0'), &acc);
	if (p == digits)
		return -EINVAL; /* "", "-", ".5", "-.5" */
	if (p < end) {
		const char *fd;

		if (*p != '.')
			return -EINVAL;
		fd = ++p;
		for (; p < end && (unsigned)(*p - '0') < 10; p++) {
			if (frac < scale) {
				ovf |= __builtin_mul_overflow(acc, 10u, &acc) ||
				       __builtin_add_overflow(acc, (unsigned)(*p - '0'), &acc);
				frac++;
			} else if (*p != '0') {
				excess = true;
			}
		}
		if (p != end || p == fd)
			return -EINVAL; /* "5.", "1.2.3", "1.5x" */
	}
	if (excess)
		return -EDOM;
	if (frac < scale)
		ovf |= __builtin_mul_overflow(acc, (uint64_t)tt_fixed_pow10[scale - frac], &acc);
	if (ovf || acc > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -ERANGE;
	*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : neg ? -(int64_t)acc : (int64_t)acc;
	return 0;
}

int tt_fixed_parse(const char *s, size_t len, unsigned scale, int64_t *out)
{
	const char *stop;
	int64_t v;
	int rc;

	if (tt_unlikely(scale > TT_FIXED_MAX_SCALE || len == 0))
		return -EINVAL;
	rc = parse_fast(s, s + len, scale, &v, &stop);
	if (tt_likely(rc == 0)) {
		if (tt_unlikely(stop != s + len))
			return -EINVAL;
		*out = v;
		return 0;
	}
	return parse_checked(s, len, scale, out);
}

int tt_fixed_scan(const char *s, const char *end, unsigned scale, int64_t *out, const char **stop)
{
	const char *p = s;
	int rc;

	if (tt_unlikely(scale > TT_FIXED_MAX_SCALE))
		return -EINVAL;
	rc = parse_fast(s, end, scale, out, stop);
	if (tt_likely(rc == 0))
		return 0;
	/* Find where the number ends, then let the checked path judge it. */
	if (p < end && *p == '-')
		p++;
	while (p < end && (unsigned)(*p - '0') < 10)
		p++;
	if (p + 1 < end && *p == '.' && (unsigned)(p[1] - '0') < 10) {
		p++;
		while (p < end && (unsigned)(*p - '0') < 10)
			p++;
	}
	*stop = p;
	if (p == s)
		return -EINVAL;
	return parse_checked(s, (size_t)(p - s), scale, out);
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
