/*
 * tt_json.h — the project's one JSON scanner: a zero-allocation cursor that walks [p, end)
 * once. Every read checks against end first, so no helper reads past the message. On
 * failure a helper records the first error (code, byte position) in the cursor and returns
 * false; callers just propagate false. Not a general parser: it validates and skips what
 * the caller does not need, and hands back raw slices (no unescaping, no copies) of what it
 * does. Hostile nesting is bounded (64 levels) and iterative, so it cannot overflow the
 * C stack.
 *
 * Error codes: TT_JSON_E_* below are the generic ones; a decoder that wants its own
 * (missing field, bad value …) records codes ≥ TT_JSON_E_USER through tt_json_fail.
 * Users: marketdata (md_json.h wraps it), orderentry (Binance WS API decoders).
 */
#ifndef TT_JSON_H
#define TT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tt_compiler.h"
#include "tt_fixed.h"

#define TT_JSON_ERR_MAP(X)                                                  \
	X(TT_JSON_E_NONE, "no error")                                       \
	X(TT_JSON_E_TRUNCATED, "input ends inside a value")                 \
	X(TT_JSON_E_SYNTAX, "unexpected character")                         \
	X(TT_JSON_E_TYPE, "field has the wrong JSON type")                  \
	X(TT_JSON_E_ESCAPE, "bad escape or raw control character in a string") \
	X(TT_JSON_E_RANGE, "number out of range")                           \
	X(TT_JSON_E_NESTING, "nesting deeper than 64")                      \
	X(TT_JSON_E_TRAILING, "bytes after the JSON value")

enum tt_json_err {
#define TT_JSON_E_ENUM(name, text) name,
	TT_JSON_ERR_MAP(TT_JSON_E_ENUM)
#undef TT_JSON_E_ENUM
	TT_JSON_E_COUNT,
	TT_JSON_E_USER = 32	/* first code a decoder may define for itself */
};

/* Text of a generic code; "decoder error" for codes ≥ TT_JSON_E_USER. Never NULL. */
const char *tt_json_err_str(uint32_t code);

struct tt_json {
	const char *p;		/* next byte */
	const char *end;	/* one past the last byte */
	const char *base;	/* message start, for positions */
	uint32_t code;		/* first error (enum tt_json_err or user ≥ TT_JSON_E_USER) */
	uint32_t pos;		/* its position */
};

bool tt_json_fail(struct tt_json *c, uint32_t code, const char *at) __tt_cold;
bool tt_json_skip_value(struct tt_json *c);
bool tt_json_skip_string(struct tt_json *c, bool *had_escape);

/* Skips whitespace; false (TRUNCATED) when the input ends. */
static inline bool tt_json_val(struct tt_json *c);

static inline void tt_json_init(struct tt_json *c, const char *p, size_t len)
{
	c->p = p;
	c->end = p + len;
	c->base = p;
	c->code = TT_JSON_E_NONE;
	c->pos = 0;
}

static inline void tt_json_ws(struct tt_json *c)
{
	while (c->p < c->end &&
	       (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
		c->p++;
}

static inline bool tt_json_val(struct tt_json *c)
{
	tt_json_ws(c);
	if (tt_unlikely(c->p >= c->end))
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
	return true;
}

/* Skips whitespace and consumes byte ch. */
static inline bool tt_json_expect(struct tt_json *c, char ch)
{
	tt_json_ws(c);
	if (tt_unlikely(c->p >= c->end))
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
	if (tt_unlikely(*c->p != ch))
		return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p);
	c->p++;
	return true;
}

/*
 * Scans the string at the cursor (on its opening quote): slice of the raw bytes, cursor
 * after the closing quote. The common case (no escape, no control byte) stays inline; the
 * rest goes to the validating tt_json_skip_string().
 */
static inline bool tt_json_str(struct tt_json *c, const char **s, uint32_t *len, bool *esc)
{
	const char *b = c->p + 1;
	const char *q = b;

	/* 8 bytes at a time: flag '"', '\\' and bytes < 0x20. Each test is the classic
	 * "has a zero byte" trick; the lowest flagged byte is exact (borrows only spoil the
	 * bytes above a real hit), which is the one we want. */
	/* One-byte keys ("u", "s", "b" ...) are the common case: no need for 8 bytes. */
	if (tt_likely(c->end - q >= 2 && q[1] == '"' && (unsigned char)q[0] >= 0x20 &&
		      q[0] != '\\' && q[0] != '"')) {
		*s = b;
		*len = 1;
		*esc = false;
		c->p = q + 2;
		return true;
	}
	while (c->end - q >= 8) {
		const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
		uint64_t v, xq, xb, hit;

		memcpy(&v, q, 8);
		xq = v ^ (ones * '"');
		xb = v ^ (ones * '\\');
		hit = ((xq - ones) & ~xq) | ((xb - ones) & ~xb) | ((v - ones * 0x20) & ~v);
		hit &= high;
		if (hit) {
			q += __builtin_ctzll(hit) >> 3;
			break;
		}
		q += 8;
	}
	while (tt_likely(q < c->end)) {
		unsigned char ch = (unsigned char)*q;

		if (ch == '"') {
			*s = b;
			*len = (uint32_t)(q - b);
			*esc = false;
			c->p = q + 1;
			return true;
		}
		if (tt_unlikely(ch == '\\' || ch < 0x20))
			break;
		q++;
	}
	if (!tt_json_skip_string(c, esc))
		return false;
	*s = b;
	*len = (uint32_t)(c->p - 1 - b);
	return true;
}

/*
 * Object iteration: call tt_json_obj_begin() once, then tt_json_obj_next() until it returns 0.
 * tt_json_obj_next returns 1 with the key slice (raw bytes, *esc set when it held an escape)
 * and the cursor on the value, 0 at the closing brace, -1 on error.
 */
static inline bool tt_json_obj_begin(struct tt_json *c, bool *first)
{
	*first = true;
	return tt_json_expect(c, '{');
}

static inline int tt_json_obj_next(struct tt_json *c, bool *first, const char **key, uint32_t *klen,
			       bool *esc)
{
	const char *k;

	tt_json_ws(c);
	if (tt_unlikely(c->p >= c->end))
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p), -1;
	if (*c->p == '}' && *first) {
		c->p++;
		return 0;
	}
	if (!*first) {
		if (*c->p == '}') {
			c->p++;
			return 0;
		}
		if (tt_unlikely(*c->p != ','))
			return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p), -1;
		c->p++;
		tt_json_ws(c);
		if (tt_unlikely(c->p >= c->end))
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p), -1;
	}
	*first = false;
	if (tt_unlikely(*c->p != '"'))
		return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p), -1;
	if (!tt_json_str(c, &k, klen, esc))
		return -1;
	*key = k;
	/* ':' right after the key is the norm; tt_json_expect handles the rest */
	if (tt_likely(c->p < c->end && *c->p == ':'))
		c->p++;
	else if (!tt_json_expect(c, ':'))
		return -1;
	tt_json_ws(c);
	if (tt_unlikely(c->p >= c->end))
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p), -1;
	return 1;
}

/* A string value: slice of its raw bytes (no quotes). Escapes are validated; *esc says
 * whether there were any. Cursor must be on the value (after ws). */
static inline bool tt_json_string(struct tt_json *c, const char **s, uint32_t *len, bool *esc)
{
	if (tt_unlikely(*c->p != '"'))
		return tt_json_fail(c, TT_JSON_E_TYPE, c->p);
	return tt_json_str(c, s, len, esc);
}

/*
 * A non-negative JSON integer into uint64 (ids, timestamps). Anything else that is a JSON
 * number (sign, fraction, exponent) or not a number is TYPE; too big is RANGE.
 */
static inline bool tt_json_u64(struct tt_json *c, uint64_t *out)
{
	const char *b = c->p;
	uint64_t v = 0;

	if (tt_unlikely((unsigned)(*c->p - '0') >= 10))
		return tt_json_fail(c, TT_JSON_E_TYPE, c->p);
	if (*c->p == '0') {
		c->p++;
	} else {
		if (c->end - c->p >= 8) { /* ids and ms timestamps: 9..13 digits */
			uint64_t x;

			memcpy(&x, c->p, 8);
			if (tt__is_8digits(x)) {
				v = tt__parse_8digits(x);
				c->p += 8;
			}
		}
		while (c->p < c->end && (unsigned)(*c->p - '0') < 10) {
			if (tt_unlikely(c->p - b >= 19) &&
			    (__builtin_mul_overflow(v, 10u, &v) ||
			     __builtin_add_overflow(v, (unsigned)(*c->p - '0'), &v)))
				return tt_json_fail(c, TT_JSON_E_RANGE, b);
			else if (c->p - b < 19)
				v = v * 10 + (unsigned)(*c->p - '0');
			c->p++;
		}
	}
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E' ||
			      (unsigned)(*c->p - '0') < 10))
		return tt_json_fail(c, TT_JSON_E_TYPE, b);
	*out = v;
	return true;
}

/* A JSON integer (may be negative) into int64 (control ids, error codes). */
static inline bool tt_json_i64(struct tt_json *c, int64_t *out)
{
	const char *b = c->p;
	uint64_t m = 0;
	bool neg = false;

	if (*c->p == '-') {
		neg = true;
		c->p++;
		if (tt_unlikely(c->p >= c->end))
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
	}
	if (!tt_json_u64(c, &m))
		return false;
	if (neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)
		return tt_json_fail(c, TT_JSON_E_RANGE, b);
	*out = neg ? (int64_t)(0 - m) : (int64_t)m;
	return true;
}

/* true / false. */
static inline bool tt_json_bool(struct tt_json *c, bool *out)
{
	size_t left = (size_t)(c->end - c->p);

	if (left >= 4 && c->p[0] == 't' && c->p[1] == 'r' && c->p[2] == 'u' && c->p[3] == 'e') {
		c->p += 4;
		*out = true;
		return true;
	}
	if (left >= 5 && c->p[0] == 'f' && c->p[1] == 'a' && c->p[2] == 'l' && c->p[3] == 's' &&
	    c->p[4] == 'e') {
		c->p += 5;
		*out = false;
		return true;
	}
	if (*c->p == 't' || *c->p == 'f')
		return tt_json_fail(c, left < 5 ? TT_JSON_E_TRUNCATED : TT_JSON_E_SYNTAX, c->p);
	return tt_json_fail(c, TT_JSON_E_TYPE, c->p);
}

/* After the top-level value: only whitespace may follow. */
static inline bool tt_json_end(struct tt_json *c)
{
	tt_json_ws(c);
	if (tt_unlikely(c->p != c->end))
		return tt_json_fail(c, TT_JSON_E_TRAILING, c->p);
	return true;
}

static inline bool tt_json_key1(const char *k, uint32_t klen, bool esc, char ch)
{
	return klen == 1 && !esc && k[0] == ch;
}

/*
 * Array iteration: tt_json_arr_begin() once, then tt_json_arr_next() until it returns 0.
 * 1 = the cursor is on the next element (after ws), 0 = closing bracket consumed, -1 error.
 */
static inline bool tt_json_arr_begin(struct tt_json *c, bool *first)
{
	*first = true;
	return tt_json_expect(c, '[');
}

static inline int tt_json_arr_next(struct tt_json *c, bool *first)
{
	tt_json_ws(c);
	if (tt_unlikely(c->p >= c->end))
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p), -1;
	if (*c->p == ']') {
		c->p++;
		return 0;
	}
	if (!*first) {
		if (tt_unlikely(*c->p != ','))
			return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p), -1;
		c->p++;
	}
	*first = false;
	return tt_json_val(c) ? 1 : -1;
}

/* Key equality with a literal (escaped keys never match). */
static inline bool tt_json_key_is(const char *k, uint32_t klen, bool esc, const char *lit)
{
	size_t n = strlen(lit);

	return !esc && klen == n && memcmp(k, lit, n) == 0;
}

/* null at the cursor: consumed, true. */
static inline bool tt_json_is_null(struct tt_json *c)
{
	if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
		c->p += 4;
		return true;
	}
	return false;
}

#endif /* TT_JSON_H */
