/*
 * tt_fixed.h — decimal strings <-> int64 fixed point at a given scale (DESIGN §3).
 *
 * A value v at scale s stands for v / 10^s. Venues send prices and quantities as decimal
 * strings ("0.01000000", "27123.45"); tt_fixed_parse() turns them into int64 exactly, with
 * no double, no strtod and no locale, because it sits on the market-data hot path. It never
 * rounds: a non-zero digit beyond the scale is an error, so a venue that starts sending
 * finer ticks than the configured scale is caught instead of silently mispriced.
 * tt_fixed_format() is the inverse, for order entry.
 *
 * Accepted grammar (what Binance sends; its docs never show exponents, so none are taken):
 *     [-] digit+ [ . digit+ ]
 * Leading zeros are fine ("007.50"), trailing zeros are fine at any length, "-0" is 0.
 * Refused: empty, "+5", ".5", "5.", "1e-3", spaces, any other byte.
 */
#ifndef TT_FIXED_H
#define TT_FIXED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

#define TT_FIXED_MAX_SCALE 18 /* 10^18 is the largest power of ten in int64 */
#define TT_FIXED_STR_MAX   42 /* "-9223372036854775808" at scale 18 with "0." and NUL */

/* 10^scale for scale 0..18. */
extern const int64_t tt_fixed_pow10[TT_FIXED_MAX_SCALE + 1];

/* v at `scale` decimals re-expressed at 8 (the event catalogue's FIX 8 prices and
 * quantities, tt_events.h); scales above 8 lose their extra digits. No checks: hot path. */
static inline int64_t tt_fixed_to8(int64_t v, unsigned scale)
{
	return scale <= 8 ? v * tt_fixed_pow10[8 - scale] : v / tt_fixed_pow10[scale - 8];
}

/*
 * Parses s[0, len) (not NUL-terminated) as a decimal at `scale` decimals into *out.
 * Returns 0, or (with *out untouched):
 *   -EINVAL  not the grammar above, or scale > TT_FIXED_MAX_SCALE;
 *   -EDOM    a non-zero digit beyond `scale` decimals (would need rounding);
 *   -ERANGE  the value does not fit int64 at this scale.
 * Hot path: no allocation, no tt_err_set (the caller reports with context).
 */
TT_WUR int tt_fixed_parse(const char *s, size_t len, unsigned scale, int64_t *out);

/*
 * Same conversion for a number that is followed by other bytes (a JSON string value read in
 * place): parses the longest [-]digits[.digits] prefix of [s, end) and sets *stop to the
 * byte after it (the caller checks what that byte is, e.g. the closing quote). Returns
 * like tt_fixed_parse; *stop is set on success and on -EDOM/-ERANGE. Hot path.
 */
TT_WUR int tt_fixed_scan(const char *s, const char *end, unsigned scale, int64_t *out,
			 const char **stop);

#define TT_FIXED_FMT_TRIM 0x1u /* drop trailing fractional zeros (and a bare '.') */

/*
 * Writes v at `scale` as a decimal string into buf (cap bytes, NUL-terminated).
 * Without flags it always prints exactly `scale` decimals ("1.50000000"); with
 * TT_FIXED_FMT_TRIM, the shortest exact form ("1.5", "2"). Returns the length written
 * (without the NUL), or -EINVAL (scale > 18) or -ENOSPC (cap too small; buf untouched
 * beyond cap). TT_FIXED_STR_MAX bytes always suffice.
 */
TT_WUR int tt_fixed_format(int64_t v, unsigned scale, unsigned flags, char *buf, size_t cap);

/*
 * Rescales v from scale `from` to scale `to` exactly. Returns 0, -EDOM (would drop
 * non-zero digits), -ERANGE (overflow) or -EINVAL (scale > 18).
 */
TT_WUR int tt_fixed_rescale(int64_t v, unsigned from, unsigned to, int64_t *out);

/* Internal helpers shared with the JSON scanners (md_json.h): 8 ASCII digits at once. */

/* True when the 8 bytes of v (loaded little-endian) are all ASCII digits: each byte's high
 * nibble is 3, and stays 3 after adding 6 (low nibble <= 9). A carry out of a byte only
 * happens when that byte already fails. */
static inline bool tt__is_8digits(uint64_t v)
{
	return ((v & 0xF0F0F0F0F0F0F0F0ULL) |
		(((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
	       0x3333333333333333ULL;
}

/* Value of 8 ASCII digits loaded little-endian (first digit in the low byte), in three
 * multiplies: neighbours to 2-digit bytes, then the 4 pairs weighted into the high half. */
static inline uint64_t tt__parse_8digits(uint64_t v)
{
	v -= 0x3030303030303030ULL;
	v = v * 10 + (v >> 8); /* bytes 0,2,4,6: d01, d23, d45, d67 */
	return (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
		(((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
	       32;
}

#endif /* TT_FIXED_H */
