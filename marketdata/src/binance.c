/*
 * binance.c — zero-allocation scanners for Binance Spot market data (tt_md.h). One pass
 * per message: keys are dispatched on their length and first byte, values are read in
 * place, decimals go straight to fixed point with tt_fixed_parse(). Wire formats:
 * binance-spot-api-docs web-socket-streams.md and rest-api.md (see tt_md.h for the pin).
 *
 * Each message type has an internal scan_*() that reads one object at the cursor and
 * leaves the cursor after it; the public functions wrap it with init, end-of-input check
 * and error reporting, and tt_md_bn_scan() runs the same scan_*() inside a combined-stream
 * wrapper without a second pass when "stream" precedes "data" (Binance's order).
 * Invariant: on error the outputs may be partly written but the return says so; nothing
 * is read outside [p, p+len).
 */
#include "tt_md.h"

#include <errno.h>
#include <string.h>

#include "md_json.h"
#include "tt_err.h"
#include "tt_fixed.h"

#define MAX_MSG 0x7fffffffu

const char *tt_md_perr_str(uint32_t code)
{
	static const char *const text[] = {
#define TT_MD_PE_TEXT(name, t) t,
	    TT_MD_PERR_MAP(TT_MD_PE_TEXT)
#undef TT_MD_PE_TEXT
	};

	return code < TT_ARRAY_LEN(text) ? text[code] : "unknown parse error";
}

static inline bool slice_is(const char *s, uint32_t n, const char *lit, uint32_t litn)
{
	return n == litn && memcmp(s, lit, n) == 0;
}
#define SLICE_IS(s, n, lit) slice_is((s), (n), (lit), sizeof(lit) - 1)

/* A decimal string slice to fixed point; negative values refused. */
static inline bool dec(struct mdj *c, const char *s, uint32_t n, unsigned scale, int64_t *out)
{
	int rc = tt_fixed_parse(s, n, scale, out);

	if (tt_likely(rc == 0)) {
		if (tt_unlikely(*out < 0))
			return tt__mdj_fail(c, TT_MD_PE_DECIMAL, s);
		return true;
	}
	return tt__mdj_fail(c,
			    rc == -EDOM	    ? TT_MD_PE_PRECISION
			    : rc == -ERANGE ? TT_MD_PE_RANGE
					    : TT_MD_PE_DECIMAL,
			    s);
}

/*
 * A decimal JSON string at the cursor, converted in the pass that finds its closing quote.
 * Anything unusual (escape, junk, negative, an error) goes through the slice path, which
 * reports the exact error.
 */
static inline bool dec_str(struct mdj *c, unsigned scale, int64_t *out)
{
	const char *stop, *s;
	uint32_t n;
	bool esc;

	if (tt_unlikely(*c->p != '"'))
		return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
	if (tt_likely(tt_fixed_scan(c->p + 1, c->end, scale, out, &stop) == 0 && stop < c->end &&
		      *stop == '"' && *out >= 0)) {
		c->p = stop + 1;
		return true;
	}
	return mdj_str(c, &s, &n, &esc) && dec(c, s, n, scale, out);
}

/* Resolves a symbol slice: must match hint when given, else looked up in t. */
static inline bool sym_resolve(struct mdj *c, const struct tt_md_instr_table *t,
			       const struct tt_md_instr *hint, const char *s, uint32_t n, bool esc,
			       const struct tt_md_instr **out)
{
	const struct tt_md_instr *in;

	if (tt_unlikely(esc))
		return tt__mdj_fail(c, TT_MD_PE_VALUE, s);
	if (hint) {
		if (tt_unlikely(!tt__md_sym_eq(hint, s, n)))
			return tt__mdj_fail(c, TT_MD_PE_SYMBOL, s);
		*out = hint;
		return true;
	}
	in = t ? tt_md_instr_find(t, s, n) : NULL;
	if (tt_unlikely(!in))
		return tt__mdj_fail(c, TT_MD_PE_SYMBOL, s);
	*out = in;
	return true;
}

/* Marks key bit; a second sighting is DUPKEY at the key. */
static inline bool seen(struct mdj *c, uint32_t *mask, uint32_t bit, const char *key)
{
	if (tt_unlikely(*mask & bit))
		return tt__mdj_fail(c, TT_MD_PE_DUPKEY, key - 1);
	*mask |= bit;
	return true;
}

/* "e" value must equal lit. */
static inline bool event_is(struct mdj *c, const char *lit, uint32_t litn)
{
	const char *s = NULL;
	uint32_t n = 0;
	bool esc;

	if (!mdj_string(c, &s, &n, &esc))
		return false;
	if (tt_unlikely(esc || !slice_is(s, n, lit, litn)))
		return tt__mdj_fail(c, TT_MD_PE_VALUE, s);
	return true;
}
#define EVENT_IS(c, lit) event_is((c), (lit), sizeof(lit) - 1)

/* ---- bookTicker ------------------------------------------------------------------------ */

enum { BT_U = 1, BT_S = 2, BT_B = 4, BT_BQ = 8, BT_A = 16, BT_AQ = 32, BT_E = 64 };
/* b, B, a, A are BT_B << 0..3 */
#define BT_REQUIRED (BT_U | BT_S | BT_B | BT_BQ | BT_A | BT_AQ)

static bool scan_book_ticker(struct mdj *c, const struct tt_md_instr_table *t,
			     const struct tt_md_instr *hint, struct tt_md_book_ticker *out)
{
	/* b, B, a, A: converted at once when the scales are known (hint, or "s" came first),
	 * else kept as slices until "s" shows up. */
	int64_t *dst[4] = {&out->bid_px, &out->bid_qty, &out->ask_px, &out->ask_qty};
	const char *v[4] = {0};
	uint32_t vn[4] = {0};
	const struct tt_md_instr *in = hint;
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r, k;

	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (klen != 1 || esc) {
			if (!tt__mdj_skip_value(c))
				return false;
			continue;
		}
		switch (key[0]) {
		case 'u':
			if (!seen(c, &mask, BT_U, key) || !mdj_u64(c, &out->update_id))
				return false;
			continue;
		case 's': {
			const char *sym;
			uint32_t symn;

			if (!seen(c, &mask, BT_S, key) || !mdj_string(c, &sym, &symn, &esc) ||
			    !sym_resolve(c, t, hint, sym, symn, esc, &in))
				return false;
			continue;
		}
		case 'b':
			k = 0;
			break;
		case 'B':
			k = 1;
			break;
		case 'a':
			k = 2;
			break;
		case 'A':
			k = 3;
			break;
		case 'e': /* USD-M futures style: accept only its own event name */
			if (!seen(c, &mask, BT_E, key) || !EVENT_IS(c, "bookTicker"))
				return false;
			continue;
		default:
			if (!tt__mdj_skip_value(c))
				return false;
			continue;
		}
		if (!seen(c, &mask, BT_B << k, key))
			return false;
		if (in) {
			if (!dec_str(c, k & 1 ? in->qty_scale : in->px_scale, dst[k]))
				return false;
		} else if (!mdj_string(c, &v[k], &vn[k], &esc)) {
			return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely((mask & BT_REQUIRED) != BT_REQUIRED))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	out->instr = in;
	for (k = 0; k < 4; k++)
		if (v[k] && !dec(c, v[k], vn[k], k & 1 ? in->qty_scale : in->px_scale, dst[k]))
			return false;
	return true;
}

/* ---- depth levels ---------------------------------------------------------------------- */

/* [[px, qty(, ignored...)], ...] into lv (cap entries). Cursor on '['. */
static bool scan_levels(struct mdj *c, const struct tt_md_instr *in, struct tt_md_level *lv,
			uint32_t cap, uint32_t *n_out)
{
	uint32_t n = 0;

	if (tt_unlikely(*c->p != '['))
		return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
	c->p++;
	if (!mdj_val(c))
		return false;
	if (*c->p == ']') {
		c->p++;
		*n_out = 0;
		return true;
	}
	for (;;) {
		if (tt_unlikely(*c->p != '['))
			return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
		if (tt_unlikely(n >= cap))
			return tt__mdj_fail(c, TT_MD_PE_TOO_MANY, c->p);
		c->p++;
		if (!mdj_val(c) || !dec_str(c, in->px_scale, &lv[n].px) || !mdj_expect(c, ',') ||
		    !mdj_val(c) || !dec_str(c, in->qty_scale, &lv[n].qty))
			return false;
		/* Older API versions sent a third element; skip any extras. */
		for (;;) {
			if (!mdj_val(c))
				return false;
			if (*c->p == ']')
				break;
			if (tt_unlikely(*c->p != ','))
				return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p);
			c->p++;
			if (!tt__mdj_skip_value(c))
				return false;
		}
		c->p++;
		n++;
		if (!mdj_val(c))
			return false;
		if (*c->p == ']') {
			c->p++;
			break;
		}
		if (tt_unlikely(*c->p != ','))
			return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p);
		c->p++;
		if (!mdj_val(c))
			return false;
	}
	*n_out = n;
	return true;
}

/* Levels now when the instrument is known, else remember where they start and skip. */
static inline bool levels_or_defer(struct mdj *c, const struct tt_md_instr *in,
				   struct tt_md_level *lv, uint32_t cap, uint32_t *n,
				   const char **deferred)
{
	if (in)
		return scan_levels(c, in, lv, cap, n);
	if (tt_unlikely(*c->p != '['))
		return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
	*deferred = c->p;
	return tt__mdj_skip_value(c);
}

static bool levels_deferred(struct mdj *c, const struct tt_md_instr *in, const char *at,
			    struct tt_md_level *lv, uint32_t cap, uint32_t *n)
{
	struct mdj sub = *c;

	sub.p = at;
	if (scan_levels(&sub, in, lv, cap, n))
		return true;
	c->code = sub.code;
	c->pos = sub.pos;
	return false;
}

/* ---- depthUpdate ----------------------------------------------------------------------- */

enum { DU_E = 1, DU_ET = 2, DU_S = 4, DU_FU = 8, DU_U = 16, DU_B = 32, DU_A = 64 };
#define DU_REQUIRED (DU_E | DU_ET | DU_S | DU_FU | DU_U | DU_B | DU_A)

static bool scan_depth_update(struct mdj *c, const struct tt_md_instr_table *t,
			      const struct tt_md_instr *hint, struct tt_md_depth *out)
{
	const struct tt_md_instr *in = hint;
	const char *defer_b = NULL, *defer_a = NULL;
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	out->instr = NULL;
	out->n_bids = out->n_asks = 0;
	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (klen != 1 || esc) {
			if (!tt__mdj_skip_value(c))
				return false;
			continue;
		}
		switch (key[0]) {
		case 'e':
			if (!seen(c, &mask, DU_E, key) || !EVENT_IS(c, "depthUpdate"))
				return false;
			break;
		case 'E':
			if (!seen(c, &mask, DU_ET, key) || !mdj_u64(c, &out->event_ts))
				return false;
			break;
		case 's': {
			const char *s = NULL;
			uint32_t n = 0;

			if (!seen(c, &mask, DU_S, key) || !mdj_string(c, &s, &n, &esc) ||
			    !sym_resolve(c, t, hint, s, n, esc, &in))
				return false;
			break;
		}
		case 'U':
			if (!seen(c, &mask, DU_FU, key) || !mdj_u64(c, &out->first_id))
				return false;
			break;
		case 'u':
			if (!seen(c, &mask, DU_U, key) || !mdj_u64(c, &out->final_id))
				return false;
			break;
		case 'b':
			if (!seen(c, &mask, DU_B, key) ||
			    !levels_or_defer(c, in, out->bids, out->cap_bids, &out->n_bids,
					     &defer_b))
				return false;
			break;
		case 'a':
			if (!seen(c, &mask, DU_A, key) ||
			    !levels_or_defer(c, in, out->asks, out->cap_asks, &out->n_asks,
					     &defer_a))
				return false;
			break;
		default:
			if (!tt__mdj_skip_value(c))
				return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely((mask & DU_REQUIRED) != DU_REQUIRED))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	if (defer_b && !levels_deferred(c, in, defer_b, out->bids, out->cap_bids, &out->n_bids))
		return false;
	if (defer_a && !levels_deferred(c, in, defer_a, out->asks, out->cap_asks, &out->n_asks))
		return false;
	if (tt_unlikely(out->first_id > out->final_id))
		return tt__mdj_fail(c, TT_MD_PE_VALUE, c->p - 1);
	out->instr = in;
	return true;
}

/* ---- trade ----------------------------------------------------------------------------- */

enum {
	TR_E = 1,
	TR_ET = 2,
	TR_S = 4,
	TR_T = 8,
	TR_P = 16,
	TR_Q = 32,
	TR_TT = 64,
	TR_M = 128,
	TR_MM = 256
};
#define TR_REQUIRED (TR_E | TR_ET | TR_S | TR_T | TR_P | TR_Q | TR_TT | TR_M)

static bool scan_trade(struct mdj *c, const struct tt_md_instr_table *t,
		       const struct tt_md_instr *hint, struct tt_md_trade *out)
{
	const char *ps = NULL, *qs = NULL, *sym = NULL;
	uint32_t pn = 0, qn = 0, symn = 0;
	const struct tt_md_instr *in = hint;
	bool sym_esc = false;
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (klen != 1 || esc) {
			if (!tt__mdj_skip_value(c))
				return false;
			continue;
		}
		switch (key[0]) {
		case 'e':
			if (!seen(c, &mask, TR_E, key) || !EVENT_IS(c, "trade"))
				return false;
			break;
		case 'E':
			if (!seen(c, &mask, TR_ET, key) || !mdj_u64(c, &out->event_ts))
				return false;
			break;
		case 's':
			if (!seen(c, &mask, TR_S, key) || !mdj_string(c, &sym, &symn, &sym_esc) ||
			    !sym_resolve(c, t, hint, sym, symn, sym_esc, &in))
				return false;
			break;
		case 't':
			if (!seen(c, &mask, TR_T, key) || !mdj_u64(c, &out->trade_id))
				return false;
			break;
		case 'p':
			if (!seen(c, &mask, TR_P, key) || !(in ? dec_str(c, in->px_scale, &out->px)
							       : mdj_string(c, &ps, &pn, &esc)))
				return false;
			break;
		case 'q':
			if (!seen(c, &mask, TR_Q, key) ||
			    !(in ? dec_str(c, in->qty_scale, &out->qty)
				 : mdj_string(c, &qs, &qn, &esc)))
				return false;
			break;
		case 'T':
			if (!seen(c, &mask, TR_TT, key) || !mdj_u64(c, &out->trade_ts))
				return false;
			break;
		case 'm':
			if (!seen(c, &mask, TR_M, key) || !mdj_bool(c, &out->buyer_maker))
				return false;
			break;
		case 'M': /* "Ignore" in the docs: any value */
			if (!seen(c, &mask, TR_MM, key) || !tt__mdj_skip_value(c))
				return false;
			break;
		default:
			if (!tt__mdj_skip_value(c))
				return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely((mask & TR_REQUIRED) != TR_REQUIRED))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	out->instr = in;
	return (!ps || dec(c, ps, pn, in->px_scale, &out->px)) &&
	       (!qs || dec(c, qs, qn, in->qty_scale, &out->qty));
}

/* ---- snapshot {lastUpdateId, bids, asks} ----------------------------------------------- */

enum { SN_ID = 1, SN_B = 2, SN_A = 4 };
#define SN_REQUIRED (SN_ID | SN_B | SN_A)

static bool scan_snapshot(struct mdj *c, const struct tt_md_instr *in, struct tt_md_depth *out)
{
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	out->instr = in;
	out->event_ts = 0;
	out->n_bids = out->n_asks = 0;
	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (!esc && SLICE_IS(key, klen, "lastUpdateId")) {
			if (!seen(c, &mask, SN_ID, key) || !mdj_u64(c, &out->final_id))
				return false;
			out->first_id = out->final_id;
		} else if (!esc && SLICE_IS(key, klen, "bids")) {
			if (!seen(c, &mask, SN_B, key) ||
			    !scan_levels(c, in, out->bids, out->cap_bids, &out->n_bids))
				return false;
		} else if (!esc && SLICE_IS(key, klen, "asks")) {
			if (!seen(c, &mask, SN_A, key) ||
			    !scan_levels(c, in, out->asks, out->cap_asks, &out->n_asks))
				return false;
		} else if (!tt__mdj_skip_value(c)) {
			return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely((mask & SN_REQUIRED) != SN_REQUIRED))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	return true;
}

/* ---- control replies ------------------------------------------------------------------- */

enum { CT_RESULT = 1, CT_ID = 2, CT_ERROR = 4, CT_CODE = 8, CT_MSG = 16 };

/* {"code": C, "msg": "..."} — the inside of "error", or the flat form's fields. */
static bool ctl_field(struct mdj *c, const char *key, uint32_t klen, uint32_t *mask,
		      struct tt_md_control *out, bool *handled)
{
	bool esc;

	*handled = true;
	if (SLICE_IS(key, klen, "code")) {
		if (!seen(c, mask, CT_CODE, key))
			return false;
		if (*c->p != '-' && (unsigned)(*c->p - '0') >= 10)
			return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
		if (!mdj_i64(c, &out->err_code))
			return false;
		out->is_error = true;
		return true;
	}
	if (SLICE_IS(key, klen, "msg")) {
		const char *s = NULL;

		if (!seen(c, mask, CT_MSG, key) || !mdj_string(c, &s, &out->err_msg_len, &esc))
			return false;
		out->err_msg = s;
		return true;
	}
	*handled = false;
	return true;
}

static bool scan_control(struct mdj *c, struct tt_md_control *out)
{
	uint32_t mask = 0, emask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc, handled;
	int r;

	memset(out, 0, sizeof(*out));
	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (esc) {
			if (!tt__mdj_skip_value(c))
				return false;
			continue;
		}
		if (SLICE_IS(key, klen, "result")) {
			const char *b = c->p;

			if (!seen(c, &mask, CT_RESULT, key) || !tt__mdj_skip_value(c))
				return false;
			out->result = b;
			out->result_len = (uint32_t)(c->p - b);
		} else if (SLICE_IS(key, klen, "id")) {
			if (!seen(c, &mask, CT_ID, key))
				return false;
			if (*c->p == '"') {
				const char *s = NULL;

				if (!mdj_string(c, &s, &out->id_str_len, &esc))
					return false;
				out->id_str = s;
				out->id_kind = TT_MD_ID_STR;
			} else if (*c->p == 'n') {
				if (!tt__mdj_skip_value(c))
					return false;
				out->id_kind = TT_MD_ID_NULL;
			} else if (*c->p == '-' || (unsigned)(*c->p - '0') < 10) {
				if (!mdj_i64(c, &out->id))
					return false;
				out->id_kind = TT_MD_ID_NUM;
			} else {
				return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
			}
		} else if (SLICE_IS(key, klen, "error")) {
			bool efirst;
			int er;

			if (!seen(c, &mask, CT_ERROR, key))
				return false;
			if (*c->p != '{')
				return tt__mdj_fail(c, TT_MD_PE_TYPE, c->p);
			if (!mdj_obj_begin(c, &efirst))
				return false;
			while ((er = mdj_obj_next(c, &efirst, &key, &klen, &esc)) == 1) {
				if (!esc && !ctl_field(c, key, klen, &emask, out, &handled))
					return false;
				if ((esc || !handled) && !tt__mdj_skip_value(c))
					return false;
			}
			if (er < 0)
				return false;
			out->is_error = true;
		} else {
			if (!ctl_field(c, key, klen, &mask, out, &handled))
				return false;
			if (!handled && !tt__mdj_skip_value(c))
				return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely(!(mask & (CT_RESULT | CT_ERROR | CT_CODE))))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	return true;
}

/* ---- serverShutdown -------------------------------------------------------------------- */

static bool scan_shutdown(struct mdj *c, uint64_t *ts)
{
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	if (!mdj_obj_begin(c, &first))
		return false;
	while ((r = mdj_obj_next(c, &first, &key, &klen, &esc)) == 1) {
		if (mdj_key1(key, klen, esc, 'e')) {
			if (!seen(c, &mask, 1, key) || !EVENT_IS(c, "serverShutdown"))
				return false;
		} else if (mdj_key1(key, klen, esc, 'E')) {
			if (!seen(c, &mask, 2, key) || !mdj_u64(c, ts))
				return false;
		} else if (!tt__mdj_skip_value(c)) {
			return false;
		}
	}
	if (r < 0)
		return false;
	if (tt_unlikely(mask != 3))
		return tt__mdj_fail(c, TT_MD_PE_MISSING, c->p - 1);
	return true;
}

/* ---- public single-type scanners ------------------------------------------------------- */

#define SCAN_PUBLIC(what, call)                                                                    \
	do {                                                                                       \
		struct mdj c;                                                                      \
		if (tt_unlikely(len > MAX_MSG)) {                                                  \
			err->code = TT_MD_PE_TOO_LONG;                                             \
			err->pos = 0;                                                              \
			return tt_err_set(-TT_EPROTO, "%s: message too long", what);               \
		}                                                                                  \
		mdj_init(&c, p, len);                                                              \
		if (tt_likely((call) && mdj_end(&c))) {                                            \
			err->code = TT_MD_PE_NONE;                                                 \
			err->pos = 0;                                                              \
			return 0;                                                                  \
		}                                                                                  \
		return tt__mdj_finish(&c, err, what);                                              \
	} while (0)

int tt_md_bn_book_ticker(const struct tt_md_instr_table *t, const struct tt_md_instr *hint,
			 const char *p, size_t len, struct tt_md_book_ticker *out,
			 struct tt_md_perr *err)
{
	SCAN_PUBLIC("bookTicker", scan_book_ticker(&c, t, hint, out));
}

int tt_md_bn_depth_update(const struct tt_md_instr_table *t, const struct tt_md_instr *hint,
			  const char *p, size_t len, struct tt_md_depth *out,
			  struct tt_md_perr *err)
{
	SCAN_PUBLIC("depthUpdate", scan_depth_update(&c, t, hint, out));
}

int tt_md_bn_trade(const struct tt_md_instr_table *t, const struct tt_md_instr *hint, const char *p,
		   size_t len, struct tt_md_trade *out, struct tt_md_perr *err)
{
	SCAN_PUBLIC("trade", scan_trade(&c, t, hint, out));
}

int tt_md_bn_snapshot(const struct tt_md_instr *instr, const char *p, size_t len,
		      struct tt_md_depth *out, struct tt_md_perr *err)
{
	if (!instr) {
		err->code = TT_MD_PE_SYMBOL;
		err->pos = 0;
		return tt_err_set(-EINVAL, "depth snapshot: no instrument given");
	}
	SCAN_PUBLIC("depth snapshot", scan_snapshot(&c, instr, out));
}

int tt_md_bn_control(const char *p, size_t len, struct tt_md_control *out, struct tt_md_perr *err)
{
	SCAN_PUBLIC("control reply", scan_control(&c, out));
}

int tt_md_bn_shutdown(const char *p, size_t len, uint64_t *event_ts, struct tt_md_perr *err)
{
	SCAN_PUBLIC("serverShutdown", scan_shutdown(&c, event_ts));
}

/* ---- combined wrapper and dispatch ----------------------------------------------------- */

int tt_md_bn_stream_kind(const struct tt_md_instr_table *t, const char *name, size_t len,
			 const struct tt_md_instr **instr)
{
	const char *at = memchr(name, '@', len);
	const char *rest;
	size_t rn;

	*instr = NULL;
	if (len == 15 && memcmp(name, "!serverShutdown", 15) == 0)
		return TT_MD_STREAM_SHUTDOWN;
	if (!at || at == name)
		return TT_MD_STREAM_OTHER;
	if (t)
		*instr = tt_md_instr_find(t, name, (size_t)(at - name));
	rest = at + 1;
	rn = len - (size_t)(rest - name);
	if (rn == 10 && memcmp(rest, "bookTicker", 10) == 0)
		return TT_MD_STREAM_BOOK_TICKER;
	if (rn == 5 && memcmp(rest, "trade", 5) == 0)
		return TT_MD_STREAM_TRADE;
	if (rn >= 5 && memcmp(rest, "depth", 5) == 0) {
		const char *q = rest + 5;
		const char *end = rest + rn;

		if (q == end || *q == '@')
			return TT_MD_STREAM_DEPTH;
		if ((rn >= 6 && (memcmp(q, "5", 1) == 0)) ||
		    (rn >= 7 && (memcmp(q, "10", 2) == 0 || memcmp(q, "20", 2) == 0))) {
			q += *q == '5' ? 1 : 2;
			if (q == end || *q == '@')
				return TT_MD_STREAM_PARTIAL;
		}
	}
	return TT_MD_STREAM_OTHER;
}

/* Decodes the payload of a stream at the cursor (one value). */
static bool scan_stream_data(struct mdj *c, const struct tt_md_instr_table *t, int kind,
			     const struct tt_md_instr *in, struct tt_md_bn_msg *m, const char *name)
{
	m->instr = in;
	switch (kind) {
	case TT_MD_STREAM_BOOK_TICKER:
	case TT_MD_STREAM_DEPTH:
	case TT_MD_STREAM_PARTIAL:
	case TT_MD_STREAM_TRADE:
		if (tt_unlikely(!in))
			return tt__mdj_fail(c, TT_MD_PE_SYMBOL, name);
		break;
	default:
		break;
	}
	switch (kind) {
	case TT_MD_STREAM_BOOK_TICKER:
		m->kind = TT_MD_MSG_BOOK_TICKER;
		return scan_book_ticker(c, t, in, &m->bt);
	case TT_MD_STREAM_DEPTH:
		m->kind = TT_MD_MSG_DEPTH;
		return scan_depth_update(c, t, in, &m->depth);
	case TT_MD_STREAM_PARTIAL:
		m->kind = TT_MD_MSG_PARTIAL;
		return scan_snapshot(c, in, &m->depth);
	case TT_MD_STREAM_TRADE:
		m->kind = TT_MD_MSG_TRADE;
		return scan_trade(c, t, in, &m->trade);
	case TT_MD_STREAM_SHUTDOWN:
		m->kind = TT_MD_MSG_SHUTDOWN;
		return scan_shutdown(c, &m->event_ts);
	default:
		m->kind = TT_MD_MSG_IGNORED;
		return tt__mdj_skip_value(c);
	}
}

enum { TOP_STREAM = 1, TOP_DATA = 2, TOP_E = 4, TOP_CTL = 8, TOP_LU = 16, TOP_U = 32 };

int tt_md_bn_combined(const char *p, size_t len, struct tt_md_combined *out, struct tt_md_perr *err)
{
	struct mdj c;
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	if (tt_unlikely(len > MAX_MSG)) {
		err->code = TT_MD_PE_TOO_LONG;
		err->pos = 0;
		return tt_err_set(-TT_EPROTO, "combined: message too long");
	}
	mdj_init(&c, p, len);
	if (!mdj_obj_begin(&c, &first))
		goto fail;
	while ((r = mdj_obj_next(&c, &first, &key, &klen, &esc)) == 1) {
		if (!esc && SLICE_IS(key, klen, "stream")) {
			const char *s = NULL;

			if (!seen(&c, &mask, TOP_STREAM, key) ||
			    !mdj_string(&c, &s, &out->stream_len, &esc))
				goto fail;
			if (esc) {
				tt__mdj_fail(&c, TT_MD_PE_VALUE, s);
				goto fail;
			}
			out->stream = s;
		} else if (!esc && SLICE_IS(key, klen, "data")) {
			if (!seen(&c, &mask, TOP_DATA, key))
				goto fail;
			out->data = c.p;
			out->data_off = (uint32_t)(c.p - p);
			if (!tt__mdj_skip_value(&c))
				goto fail;
			out->data_len = (uint32_t)(c.p - out->data);
		} else if (!tt__mdj_skip_value(&c)) {
			goto fail;
		}
	}
	if (r < 0 || !mdj_end(&c))
		goto fail;
	if (mask != (TOP_STREAM | TOP_DATA)) {
		tt__mdj_fail(&c, TT_MD_PE_MISSING, c.p);
		goto fail;
	}
	err->code = TT_MD_PE_NONE;
	err->pos = 0;
	return 0;
fail:
	return tt__mdj_finish(&c, err, "combined");
}

int tt_md_bn_scan(const struct tt_md_instr_table *t, const char *p, size_t len,
		  struct tt_md_bn_msg *m, struct tt_md_perr *err)
{
	struct mdj c;
	const char *stream = NULL, *data_at = NULL, *ev = NULL;
	uint32_t stream_len = 0, evn = 0;
	bool data_done = false;
	uint32_t mask = 0;
	const char *key;
	uint32_t klen;
	bool first, esc;
	int r;

	m->kind = TT_MD_MSG_NONE;
	m->instr = NULL;
	if (tt_unlikely(len > MAX_MSG)) {
		err->code = TT_MD_PE_TOO_LONG;
		err->pos = 0;
		return tt_err_set(-TT_EPROTO, "frame: message too long");
	}
	mdj_init(&c, p, len);
	if (!mdj_val(&c))
		goto fail;
	if (*c.p == '[') { /* array streams (!miniTicker@arr): valid, not decoded */
		if (!tt__mdj_skip_value(&c) || !mdj_end(&c))
			goto fail;
		m->kind = TT_MD_MSG_IGNORED;
		goto ok;
	}
	if (!mdj_obj_begin(&c, &first))
		goto fail;
	while ((r = mdj_obj_next(&c, &first, &key, &klen, &esc)) == 1) {
		if (esc) {
			if (!tt__mdj_skip_value(&c))
				goto fail;
			continue;
		}
		if (SLICE_IS(key, klen, "stream")) {
			if (!seen(&c, &mask, TOP_STREAM, key) ||
			    !mdj_string(&c, &stream, &stream_len, &esc))
				goto fail;
			if (esc) {
				tt__mdj_fail(&c, TT_MD_PE_VALUE, stream);
				goto fail;
			}
		} else if (SLICE_IS(key, klen, "data")) {
			if (!seen(&c, &mask, TOP_DATA, key))
				goto fail;
			if (stream) {
				/* Binance's order: decode in place, no second pass. */
				const struct tt_md_instr *in;
				int kind = tt_md_bn_stream_kind(t, stream, stream_len, &in);

				if (!scan_stream_data(&c, t, kind, in, m, stream))
					goto fail;
				data_done = true;
			} else {
				data_at = c.p;
				if (!tt__mdj_skip_value(&c))
					goto fail;
			}
		} else if (klen == 1 && key[0] == 'e') {
			if (!seen(&c, &mask, TOP_E, key) || !mdj_string(&c, &ev, &evn, &esc))
				goto fail;
		} else if (klen == 1 && key[0] == 'u') {
			mask |= TOP_U;
			if (!tt__mdj_skip_value(&c))
				goto fail;
		} else if (SLICE_IS(key, klen, "result") || SLICE_IS(key, klen, "error") ||
			   SLICE_IS(key, klen, "code") || SLICE_IS(key, klen, "id")) {
			mask |= TOP_CTL;
			if (!tt__mdj_skip_value(&c))
				goto fail;
		} else if (SLICE_IS(key, klen, "lastUpdateId")) {
			mask |= TOP_LU;
			if (!tt__mdj_skip_value(&c))
				goto fail;
		} else if (!tt__mdj_skip_value(&c)) {
			goto fail;
		}
	}
	if (r < 0 || !mdj_end(&c))
		goto fail;

	if (mask & (TOP_STREAM | TOP_DATA)) {
		/* Combined wrapper. */
		const struct tt_md_instr *in;
		struct mdj sub = c;
		int kind;

		if ((mask & (TOP_STREAM | TOP_DATA)) != (TOP_STREAM | TOP_DATA)) {
			tt__mdj_fail(&c, TT_MD_PE_MISSING, c.p);
			goto fail;
		}
		if (data_done)
			goto ok;
		kind = tt_md_bn_stream_kind(t, stream, stream_len, &in);
		sub.p = data_at;
		if (!scan_stream_data(&sub, t, kind, in, m, stream)) {
			c.code = sub.code;
			c.pos = sub.pos;
			goto fail;
		}
		goto ok;
	}

	/* Raw stream payload or control reply: dispatch on what the first pass saw. */
	mdj_init(&c, p, len);
	if (ev) {
		if (SLICE_IS(ev, evn, "depthUpdate")) {
			m->kind = TT_MD_MSG_DEPTH;
			if (!scan_depth_update(&c, t, NULL, &m->depth))
				goto fail;
			m->instr = m->depth.instr;
		} else if (SLICE_IS(ev, evn, "trade")) {
			m->kind = TT_MD_MSG_TRADE;
			if (!scan_trade(&c, t, NULL, &m->trade))
				goto fail;
			m->instr = m->trade.instr;
		} else if (SLICE_IS(ev, evn, "bookTicker")) {
			m->kind = TT_MD_MSG_BOOK_TICKER;
			if (!scan_book_ticker(&c, t, NULL, &m->bt))
				goto fail;
			m->instr = m->bt.instr;
		} else if (SLICE_IS(ev, evn, "serverShutdown")) {
			m->kind = TT_MD_MSG_SHUTDOWN;
			if (!scan_shutdown(&c, &m->event_ts))
				goto fail;
		} else {
			m->kind = TT_MD_MSG_IGNORED;
		}
	} else if (mask & TOP_CTL) {
		m->kind = TT_MD_MSG_CONTROL;
		if (!scan_control(&c, &m->ctl))
			goto fail;
	} else if (mask & TOP_U) {
		m->kind = TT_MD_MSG_BOOK_TICKER;
		if (!scan_book_ticker(&c, t, NULL, &m->bt))
			goto fail;
		m->instr = m->bt.instr;
	} else {
		/* Raw partial depth (no symbol) or an object we do not decode. */
		m->kind = TT_MD_MSG_IGNORED;
	}
ok:
	err->code = TT_MD_PE_NONE;
	err->pos = 0;
	return 0;
fail:
	return tt__mdj_finish(&c, err, "frame");
}
