/*
 * binance_ws.c — Binance Spot WebSocket API requests and responses (tt_oe_binance.h).
 *
 * Encoding: each encoder collects its params as (name, value) pairs into a small array on
 * the stack (values formatted into a stack scratch buffer), sorts them by name, writes the
 * JSON params in that order and — in HMAC mode — feeds the same pairs as k=v&k=v to the
 * pre-keyed HMAC. So the JSON and the signed payload can never disagree. No allocation.
 *
 * Decoding: one pass over the frame with the shared tt_json cursor; result and event
 * values are skipped once and handed back as slices; typed decoders read them later.
 */
#include "tt_oe_binance.h"

#include <errno.h>
#include <string.h>

#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_json.h"
#include "tt_msg.h"
#include "tt_oe_filter.h"
#include "tt_risk.h"

/* ---- client order ids ---- */

static const char clid_abc[64] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

int tt_bn_clid_encode(uint64_t id, char out[TT_BN_CLID_LEN + 1])
{
	int i;

	out[0] = 't';
	out[1] = 't';
	for (i = 12; i >= 2; i--) {
		out[i] = clid_abc[id & 63];
		id >>= 6;
	}
	out[TT_BN_CLID_LEN] = '\0';
	return TT_BN_CLID_LEN;
}

static int clid_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 36;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

int tt_bn_clid_decode(const char *s, size_t n, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (n != TT_BN_CLID_LEN || s[0] != 't' || s[1] != 't')
		return -EINVAL;
	for (i = 2; i < n; i++) {
		int d = clid_digit(s[i]);

		if (d < 0)
			return -EINVAL;
		/* 11 digits hold 66 bits: the first may only carry the top 4 */
		if (i == 2 && d > 15)
			return -EINVAL;
		v = (v << 6) | (uint64_t)d;
	}
	*id = v;
	return 0;
}

/* ---- encoding ---- */

#define MAX_PARAMS 20
#define SCRATCH 512

struct param {
	const char *k;
	const char *v;
	uint16_t vlen;
	bool quoted;	/* JSON string (else number) */
};

struct enc {
	struct param p[MAX_PARAMS];
	unsigned n;
	char scratch[SCRATCH];
	unsigned used;
	bool bad;	/* a value did not fit or was invalid */
};

static void add_raw(struct enc *e, const char *k, const char *v, size_t len, bool quoted)
{
	if (tt_unlikely(e->n >= MAX_PARAMS || len > 0xffff)) {
		e->bad = true;
		return;
	}
	e->p[e->n].k = k;
	e->p[e->n].v = v;
	e->p[e->n].vlen = (uint16_t)len;
	e->p[e->n].quoted = quoted;
	e->n++;
}

/* A string value we write unescaped: refuse bytes that would need escaping. */
static void add_str(struct enc *e, const char *k, const char *v)
{
	size_t i, len;

	if (tt_unlikely(!v)) {
		e->bad = true;
		return;
	}
	len = strlen(v);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (tt_unlikely(ch < 0x20 || ch == '"' || ch == '\\' || ch == '&' || ch == '='))
			e->bad = true;
	}
	if (tt_unlikely(len == 0))
		e->bad = true;
	add_raw(e, k, v, len, true);
}

static char *scratch(struct enc *e, size_t need)
{
	if (tt_unlikely(e->used + need > SCRATCH)) {
		e->bad = true;
		return NULL;
	}
	return e->scratch + e->used;
}

static void add_u64(struct enc *e, const char *k, uint64_t v)
{
	char tmp[20], *s;
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	s = scratch(e, (size_t)n);
	if (!s)
		return;
	for (int i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	e->used += (unsigned)n;
	add_raw(e, k, s, (size_t)n, false);
}

static void add_fixed(struct enc *e, const char *k, int64_t v, unsigned scale)
{
	char *s = scratch(e, TT_FIXED_STR_MAX);
	int n;

	if (!s)
		return;
	n = tt_fixed_format(v, scale, 0, s, TT_FIXED_STR_MAX);
	if (tt_unlikely(n < 0)) {
		e->bad = true;
		return;
	}
	e->used += (unsigned)n;
	add_raw(e, k, s, (size_t)n, true);
}

static void add_clid(struct enc *e, const char *k, uint64_t id)
{
	char *s = scratch(e, TT_BN_CLID_LEN + 1);

	if (!s)
		return;
	tt_bn_clid_encode(id, s);
	e->used += TT_BN_CLID_LEN;
	add_raw(e, k, s, TT_BN_CLID_LEN, true);
}

/* Sorts by name (insertion sort: ≤ 20 entries, mostly in order already). */
static void sort_params(struct enc *e)
{
	for (unsigned i = 1; i < e->n; i++) {
		struct param t = e->p[i];
		unsigned j = i;

		while (j > 0 && strcmp(e->p[j - 1].k, t.k) > 0) {
			e->p[j] = e->p[j - 1];
			j--;
		}
		e->p[j] = t;
	}
}

struct out {
	char *b;
	size_t cap;
	size_t len;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (tt_unlikely(o->len + n >= o->cap)) {
		o->full = true;
		return;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* HMAC payload writer: k=v&k=v into a stack buffer. */
static int sign_hmac(const struct enc *e, struct tt_hmac *h, char sig[TT_HMAC_HEX_LEN + 1])
{
	char pay[TT_BN_REQ_MAX];
	struct out o = { pay, sizeof(pay), 0, false };

	for (unsigned i = 0; i < e->n; i++) {
		if (i)
			put(&o, "&", 1);
		puts_(&o, e->p[i].k);
		put(&o, "=", 1);
		put(&o, e->p[i].v, e->p[i].vlen);
	}
	if (o.full)
		return -ENOSPC;
	return tt_hmac_sign_hex(h, pay, o.len, sig);
}

/*
 * Writes {"id":N,"method":"M","params":{sorted params[,"signature":"…"]}}.
 * signed_req: apply the signer (apiKey + signature in HMAC mode, recvWindow).
 */
static int finish(struct enc *e, char *buf, size_t cap, uint64_t req_id, const char *method,
		  const struct tt_bn_signer *s, bool signed_req, const char *sig_in)
{
	char sig[TT_HMAC_HEX_LEN + 1];
	const char *signature = sig_in;
	struct out o = { buf, cap, 0, false };
	struct enc idbuf = { .n = 0 };

	if (signed_req && s) {
		if (s->recv_window_ms)
			add_u64(e, "recvWindow", s->recv_window_ms);
		if (s->mode == TT_BN_AUTH_HMAC) {
			if (!s->api_key || !s->hmac)
				return -EINVAL;
			add_str(e, "apiKey", s->api_key);
		}
	}
	if (tt_unlikely(e->bad))
		return -EINVAL;
	sort_params(e);
	if (signed_req && s && s->mode == TT_BN_AUTH_HMAC) {
		int rc = sign_hmac(e, s->hmac, sig);

		if (rc < 0)
			return rc;
		signature = sig;
	}
	add_u64(&idbuf, "id", req_id);
	puts_(&o, "{\"id\":");
	put(&o, idbuf.p[0].v, idbuf.p[0].vlen);
	puts_(&o, ",\"method\":\"");
	puts_(&o, method);
	put(&o, "\"", 1);
	if (e->n || signature) {
		puts_(&o, ",\"params\":{");
		for (unsigned i = 0; i < e->n; i++) {
			if (i)
				put(&o, ",", 1);
			put(&o, "\"", 1);
			puts_(&o, e->p[i].k);
			puts_(&o, e->p[i].quoted ? "\":\"" : "\":");
			put(&o, e->p[i].v, e->p[i].vlen);
			if (e->p[i].quoted)
				put(&o, "\"", 1);
		}
		if (signature) {
			puts_(&o, e->n ? ",\"signature\":\"" : "\"signature\":\"");
			puts_(&o, signature);
			put(&o, "\"", 1);
		}
		put(&o, "}", 1);
	}
	put(&o, "}", 1);
	if (o.full)
		return -ENOSPC;
	buf[o.len] = '\0';
	return (int)o.len;
}

int tt_bn_enc_logon(char *buf, size_t cap, uint64_t req_id, const char *api_key,
		    uint64_t ts_ms, struct tt_ed25519 *key)
{
	char pay[256], sig[TT_ED25519_B64_LEN + 1];
	struct enc e = { .n = 0 };
	struct out o = { pay, sizeof(pay), 0, false };
	int rc;

	add_str(&e, "apiKey", api_key);
	add_u64(&e, "timestamp", ts_ms);
	if (e.bad)
		return -EINVAL;
	sort_params(&e);
	for (unsigned i = 0; i < e.n; i++) {
		if (i)
			put(&o, "&", 1);
		puts_(&o, e.p[i].k);
		put(&o, "=", 1);
		put(&o, e.p[i].v, e.p[i].vlen);
	}
	if (o.full)
		return -ENOSPC;
	rc = tt_ed25519_sign_b64(key, pay, o.len, sig);
	if (rc < 0)
		return rc;
	return finish(&e, buf, cap, req_id, "session.logon", NULL, false, sig);
}

static const char *const side_s[] = { "BUY", "SELL" };
static const char *const type_s[] = { "LIMIT", "MARKET", "LIMIT_MAKER" };
static const char *const tif_s[] = { "GTC", "IOC", "FOK" };
static const char *const resp_s[] = { NULL, "ACK", "RESULT", "FULL" };

static void add_order(struct enc *e, const struct tt_bn_order_req *o, const char *clid_key)
{
	if (o->side > 1 || o->type > 2 || o->tif > 2 || o->resp_type > 3 || o->qty <= 0) {
		e->bad = true;
		return;
	}
	add_str(e, "symbol", o->symbol);
	add_raw(e, "side", side_s[o->side], strlen(side_s[o->side]), true);
	add_raw(e, "type", type_s[o->type], strlen(type_s[o->type]), true);
	if (o->type == TT_ORD_LIMIT)
		add_raw(e, "timeInForce", tif_s[o->tif], 3, true);
	if (o->type != TT_ORD_MARKET) {
		if (o->px <= 0)
			e->bad = true;
		add_fixed(e, "price", o->px, o->px_scale);
	}
	add_fixed(e, "quantity", o->qty, o->qty_scale);
	if (o->cl_ord_id)
		add_clid(e, clid_key, o->cl_ord_id);
	if (o->cause)
		add_u64(e, "strategyId", o->cause);
	if (o->resp_type)
		add_raw(e, "newOrderRespType", resp_s[o->resp_type], strlen(resp_s[o->resp_type]),
			true);
	add_u64(e, "timestamp", o->ts_ms);
}

int tt_bn_enc_order_place(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			  const struct tt_bn_order_req *o)
{
	struct enc e;

	e.n = 0;
	e.used = 0;
	e.bad = false;
	add_order(&e, o, "newClientOrderId");
	return finish(&e, buf, cap, req_id, "order.place", s, true, NULL);
}

int tt_bn_enc_order_cancel(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			   const char *symbol, uint64_t orig_cl_ord_id, uint64_t venue_id,
			   uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	if (!orig_cl_ord_id && !venue_id)
		return -EINVAL;
	add_str(&e, "symbol", symbol);
	if (orig_cl_ord_id)
		add_clid(&e, "origClientOrderId", orig_cl_ord_id);
	if (venue_id)
		add_u64(&e, "orderId", venue_id);
	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "order.cancel", s, true, NULL);
}

int tt_bn_enc_cancel_replace(char *buf, size_t cap, uint64_t req_id,
			     const struct tt_bn_signer *s, const struct tt_bn_order_req *o,
			     uint64_t cancel_cl_ord_id)
{
	struct enc e = { .n = 0 };

	if (!cancel_cl_ord_id)
		return -EINVAL;
	add_order(&e, o, "newClientOrderId");
	add_clid(&e, "cancelOrigClientOrderId", cancel_cl_ord_id);
	add_raw(&e, "cancelReplaceMode", "STOP_ON_FAILURE", 15, true);
	return finish(&e, buf, cap, req_id, "order.cancelReplace", s, true, NULL);
}

int tt_bn_enc_cancel_all(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			 const char *symbol, uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	add_str(&e, "symbol", symbol);
	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "openOrders.cancelAll", s, true, NULL);
}

int tt_bn_enc_order_status(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			   const char *symbol, uint64_t cl_ord_id, uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	if (!cl_ord_id)
		return -EINVAL;
	add_str(&e, "symbol", symbol);
	add_clid(&e, "origClientOrderId", cl_ord_id);
	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "order.status", s, true, NULL);
}

int tt_bn_enc_open_orders(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			  const char *symbol, uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	if (symbol)
		add_str(&e, "symbol", symbol);
	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "openOrders.status", s, true, NULL);
}

int tt_bn_enc_subscribe(char *buf, size_t cap, uint64_t req_id)
{
	struct enc e = { .n = 0 };

	return finish(&e, buf, cap, req_id, "userDataStream.subscribe", NULL, false, NULL);
}

int tt_bn_enc_subscribe_signature(char *buf, size_t cap, uint64_t req_id,
				  const struct tt_bn_signer *s, uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "userDataStream.subscribe.signature", s, true, NULL);
}

int tt_bn_enc_my_trades(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			const char *symbol, uint64_t venue_order_id, int64_t from_id,
			uint32_t limit, uint64_t ts_ms)
{
	struct enc e = { .n = 0 };

	if (limit > 1000)
		return -EINVAL;
	add_str(&e, "symbol", symbol);
	if (venue_order_id)
		add_u64(&e, "orderId", venue_order_id);
	if (from_id >= 0)
		add_u64(&e, "fromId", (uint64_t)from_id);
	if (limit)
		add_u64(&e, "limit", limit);
	add_u64(&e, "timestamp", ts_ms);
	return finish(&e, buf, cap, req_id, "myTrades", s, true, NULL);
}

/* ---- decoding ---- */

const char *tt_bn_perr_str(uint32_t code)
{
	static const char *const text[] = {
#define TT_BN_PE_TEXT(n, t) [n - TT_BN_PE_BASE] = t,
		TT_BN_PERR_MAP(TT_BN_PE_TEXT)
#undef TT_BN_PE_TEXT
	};

	if (code > TT_BN_PE_BASE && code < TT_BN_PE_END)
		return text[code - TT_BN_PE_BASE];
	return tt_json_err_str(code);
}

static int fail_out(const struct tt_json *c, struct tt_bn_perr *err, const char *what)
{
	err->code = c->code;
	err->pos = c->pos;
	return tt_err_set(-TT_EPROTO, "binance %s: %s at byte %u", what, tt_bn_perr_str(c->code),
			  c->pos);
}

/* Skips the value at the cursor and returns its slice. */
static bool slice_value(struct tt_json *c, const char **s, uint32_t *len)
{
	const char *b = c->p;

	if (!tt_json_skip_value(c))
		return false;
	*s = b;
	*len = (uint32_t)(c->p - b);
	return true;
}

static bool u32_val(struct tt_json *c, uint32_t *out)
{
	uint64_t v = 0;

	if (!tt_json_u64(c, &v))
		return false;
	if (v > UINT32_MAX)
		return tt_json_fail(c, TT_JSON_E_RANGE, c->p);
	*out = (uint32_t)v;
	return true;
}

static bool sv_eq(const char *s, uint32_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n == l && memcmp(s, lit, l) == 0;
}

static bool parse_limit(struct tt_json *c, struct tt_bn_ratelimit *rl)
{
	const char *k, *s = NULL;
	uint32_t klen, slen = 0;
	bool first, esc;
	int r;

	memset(rl, 0, sizeof(*rl));
	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key_is(k, klen, esc, "rateLimitType")) {
			if (!tt_json_string(c, &s, &slen, &esc))
				return false;
			rl->type = sv_eq(s, slen, "ORDERS")	    ? TT_BN_LIM_ORDERS
				   : sv_eq(s, slen, "REQUEST_WEIGHT") ? TT_BN_LIM_WEIGHT
								      : TT_BN_LIM_OTHER;
		} else if (tt_json_key_is(k, klen, esc, "interval")) {
			if (!tt_json_string(c, &s, &slen, &esc))
				return false;
			rl->interval = slen ? s[0] : '?';
		} else if (tt_json_key_is(k, klen, esc, "intervalNum")) {
			if (!u32_val(c, &rl->interval_num))
				return false;
		} else if (tt_json_key_is(k, klen, esc, "limit")) {
			if (!u32_val(c, &rl->limit))
				return false;
		} else if (tt_json_key_is(k, klen, esc, "count")) {
			if (!u32_val(c, &rl->count))
				return false;
		} else if (!tt_json_skip_value(c)) {
			return false;
		}
	}
	return r == 0;
}

static bool parse_error(struct tt_json *c, struct tt_bn_msg *m)
{
	const char *k;
	uint32_t klen;
	bool first, esc, have_code = false;
	int r;

	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key_is(k, klen, esc, "code")) {
			int64_t v = 0;

			if (!tt_json_i64(c, &v))
				return false;
			if (v < INT32_MIN || v > INT32_MAX)
				return tt_json_fail(c, TT_JSON_E_RANGE, c->p);
			m->err_code = (int32_t)v;
			have_code = true;
		} else if (tt_json_key_is(k, klen, esc, "msg")) {
			if (!tt_json_string(c, &m->err_msg, &m->err_msg_len, &esc))
				return false;
		} else if (!tt_json_skip_value(c)) {
			return false;
		}
	}
	if (r != 0)
		return false;
	if (!have_code)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->p);
	return true;
}

static uint32_t event_type(const char *s, uint32_t n)
{
	if (sv_eq(s, n, "executionReport"))
		return TT_BN_EV_EXEC_REPORT;
	if (sv_eq(s, n, "outboundAccountPosition"))
		return TT_BN_EV_ACCOUNT_POSITION;
	if (sv_eq(s, n, "balanceUpdate"))
		return TT_BN_EV_BALANCE_UPDATE;
	if (sv_eq(s, n, "eventStreamTerminated"))
		return TT_BN_EV_STREAM_TERMINATED;
	if (sv_eq(s, n, "listStatus"))
		return TT_BN_EV_LIST_STATUS;
	return TT_BN_EV_OTHER;
}

/* Finds "e" in an event object without disturbing the caller's cursor. */
static bool peek_event_type(const char *p, uint32_t n, uint32_t *type, struct tt_json *outer)
{
	struct tt_json c;
	const char *k, *s = NULL;
	uint32_t klen, slen = 0;
	bool first, esc;
	int r;

	tt_json_init(&c, p, n);
	if (!tt_json_obj_begin(&c, &first))
		goto bad;
	while ((r = tt_json_obj_next(&c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key1(k, klen, esc, 'e')) {
			if (!tt_json_string(&c, &s, &slen, &esc))
				goto bad;
			*type = event_type(s, slen);
			return true;
		}
		if (!tt_json_skip_value(&c))
			goto bad;
	}
	if (r == 0) {
		*type = TT_BN_EV_OTHER;
		return tt_json_fail(outer, TT_BN_PE_MISSING, p);
	}
bad:
	return tt_json_fail(outer, c.code ? c.code : TT_JSON_E_SYNTAX,
			    p + (c.pos < n ? c.pos : n));
}

int tt_bn_decode(const char *p, size_t n, struct tt_bn_msg *m, struct tt_bn_perr *err)
{
	struct tt_json c;
	const char *k;
	uint32_t klen;
	bool first, esc, have_id = false, have_status = false, have_event = false;
	int r;

	memset(m, 0, sizeof(*m));
	err->code = 0;
	err->pos = 0;
	if (n > INT32_MAX) {
		err->code = TT_JSON_E_RANGE;
		return tt_err_set(-TT_EPROTO, "binance frame: too long");
	}
	tt_json_init(&c, p, n);
	if (!tt_json_obj_begin(&c, &first))
		return fail_out(&c, err, "frame");
	while ((r = tt_json_obj_next(&c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key_is(k, klen, esc, "id")) {
			if (have_id) {
				tt_json_fail(&c, TT_BN_PE_DUPKEY, k);
				break;
			}
			have_id = true;
			if (*c.p >= '0' && *c.p <= '9') {
				if (!tt_json_u64(&c, &m->id))
					break;
				m->id_numeric = true;
			} else if (!tt_json_skip_value(&c)) {
				break;	/* string or null id: not one of ours */
			}
		} else if (tt_json_key_is(k, klen, esc, "status")) {
			if (have_status) {
				tt_json_fail(&c, TT_BN_PE_DUPKEY, k);
				break;
			}
			have_status = true;
			if (!u32_val(&c, &m->status))
				break;
		} else if (tt_json_key_is(k, klen, esc, "result")) {
			if (m->result) {
				tt_json_fail(&c, TT_BN_PE_DUPKEY, k);
				break;
			}
			if (*c.p != '{' && *c.p != '[') {
				if (!tt_json_is_null(&c)) {
					tt_json_fail(&c, TT_JSON_E_TYPE, c.p);
					break;
				}
				continue;
			}
			if (!slice_value(&c, &m->result, &m->result_len))
				break;
		} else if (tt_json_key_is(k, klen, esc, "error")) {
			if (!parse_error(&c, m))
				break;
		} else if (tt_json_key_is(k, klen, esc, "rateLimits")) {
			bool f2;
			int r2;

			if (!tt_json_arr_begin(&c, &f2))
				break;
			while ((r2 = tt_json_arr_next(&c, &f2)) == 1) {
				struct tt_bn_ratelimit rl;

				if (!parse_limit(&c, &rl))
					break;
				if (m->n_limits < TT_BN_LIMITS_MAX)
					m->limits[m->n_limits++] = rl;
			}
			if (r2 != 0)
				break;
		} else if (tt_json_key_is(k, klen, esc, "subscriptionId")) {
			if (!tt_json_u64(&c, &m->sub_id))
				break;
		} else if (tt_json_key_is(k, klen, esc, "event")) {
			if (have_event) {
				tt_json_fail(&c, TT_BN_PE_DUPKEY, k);
				break;
			}
			have_event = true;
			if (*c.p != '{') {
				tt_json_fail(&c, TT_JSON_E_TYPE, c.p);
				break;
			}
			if (!slice_value(&c, &m->event, &m->event_len))
				break;
			if (!peek_event_type(m->event, m->event_len, &m->event_type, &c))
				break;
		} else if (!tt_json_skip_value(&c)) {
			break;
		}
	}
	if (r != 0 || c.code || !tt_json_end(&c))
		return fail_out(&c, err, "frame");
	if (have_event && !have_status) {
		m->kind = TT_BN_MSG_EVENT;
		return 0;
	}
	if (!have_status || !have_id || (!m->result && !m->err_code && m->status < 300)) {
		/* a 2xx answer with neither result nor error is still an answer (e.g. a
		 * null result); only status and id are required */
		if (!have_status || !have_id) {
			tt_json_fail(&c, TT_BN_PE_MISSING, p);
			return fail_out(&c, err, "frame");
		}
	}
	m->kind = TT_BN_MSG_RESPONSE;
	return 0;
}

const struct tt_bn_instr *tt_bn_symtab_find(const struct tt_bn_symtab *t, const char *s,
					    size_t n)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct tt_bn_instr *in = &t->v[i];

		if (strncmp(in->symbol, s, n) == 0 && in->symbol[n] == '\0' && n < TT_BN_SYMBOL_MAX)
			return in;
	}
	return NULL;
}

/* Decimal slices kept until the symbol is known. */
enum { D_PX, D_QTY, D_LPX, D_LQTY, D_CUM, D_N };

struct ord_scan {
	const char *d[D_N];
	uint32_t dlen[D_N];
	const char *sym;
	uint32_t sym_len;
	bool have_venue_id;
};

static uint8_t side_of(const char *s, uint32_t n)
{
	return sv_eq(s, n, "BUY") ? TT_SIDE_BUY : sv_eq(s, n, "SELL") ? TT_SIDE_SELL : 0xff;
}

static uint8_t type_of(const char *s, uint32_t n)
{
	if (sv_eq(s, n, "LIMIT"))
		return TT_ORD_LIMIT;
	if (sv_eq(s, n, "MARKET"))
		return TT_ORD_MARKET;
	if (sv_eq(s, n, "LIMIT_MAKER"))
		return TT_ORD_LIMIT_MAKER;
	return 0xff;
}

static uint8_t tif_of(const char *s, uint32_t n)
{
	return sv_eq(s, n, "GTC") ? TT_TIF_GTC : sv_eq(s, n, "IOC") ? TT_TIF_IOC
					     : sv_eq(s, n, "FOK") ? TT_TIF_FOK : 0xff;
}

static uint8_t status_of(const char *s, uint32_t n)
{
	static const char *const names[] = { "", "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED",
					      "PENDING_CANCEL", "REJECTED", "EXPIRED",
					      "EXPIRED_IN_MATCH", "PENDING_NEW" };

	for (uint8_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (sv_eq(s, n, names[i]))
			return i;
	return TT_BN_S_OTHER;
}

static uint8_t exec_type_of(const char *s, uint32_t n)
{
	static const char *const names[] = { "", "NEW", "CANCELED", "REPLACED", "REJECTED",
					      "TRADE", "EXPIRED", "TRADE_PREVENTION" };

	for (uint8_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (sv_eq(s, n, names[i]))
			return i;
	return TT_BN_X_OTHER;
}

static bool str_field(struct tt_json *c, const char **s, uint32_t *n)
{
	bool esc;

	if (!tt_json_string(c, s, n, &esc))
		return false;
	if (esc)
		return tt_json_fail(c, TT_BN_PE_VALUE, *s);
	return true;
}

static bool clid_field(struct tt_json *c, uint64_t *id)
{
	const char *s;
	uint32_t n;

	if (*c->p == 'n') {		/* "N": null style fields */
		if (tt_json_is_null(c))
			return true;
	}
	if (!str_field(c, &s, &n))
		return false;
	if (tt_bn_clid_decode(s, n, id) < 0)
		*id = 0;	/* foreign id: the caller sees 0 */
	return true;
}

static bool dec_slice(struct tt_json *c, struct ord_scan *sc, int which)
{
	return str_field(c, &sc->d[which], &sc->dlen[which]);
}

static bool finish_order(struct tt_json *c, const struct tt_bn_symtab *t, struct ord_scan *sc,
			 struct tt_bn_order *o)
{
	const struct tt_bn_instr *in;
	int64_t *dst[D_N] = { &o->px, &o->qty, &o->last_px, &o->last_qty, &o->cum_qty };

	if (!sc->sym)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->base);
	in = tt_bn_symtab_find(t, sc->sym, sc->sym_len);
	if (!in)
		return tt_json_fail(c, TT_BN_PE_SYMBOL, sc->sym);
	o->instr = in->id;
	for (int i = 0; i < D_N; i++) {
		unsigned scale = (i == D_PX || i == D_LPX) ? in->px_scale : in->qty_scale;

		if (!sc->d[i])
			continue;
		if (tt_fixed_parse(sc->d[i], sc->dlen[i], scale, dst[i]) < 0 || *dst[i] < 0)
			return tt_json_fail(c, TT_BN_PE_DECIMAL, sc->d[i]);
	}
	if (!sc->have_venue_id)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->base);
	return true;
}

/* Shared by events (short keys) and results (long keys). */
static bool order_obj(struct tt_json *c, const struct tt_bn_symtab *t, struct tt_bn_order *o,
		      bool event)
{
	struct ord_scan sc;
	const char *k, *s = NULL;
	uint32_t klen, n = 0;
	bool first, esc;
	int r;

	memset(o, 0, sizeof(*o));
	memset(&sc, 0, sizeof(sc));
	o->trade_id = -1;
	o->type = 0xff;
	o->side = 0xff;
	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		bool ok = true;

		if (esc) {
			ok = tt_json_skip_value(c);
		} else if (event && klen == 1) {
			switch (k[0]) {
			case 's': ok = str_field(c, &sc.sym, &sc.sym_len); break;
			case 'c': ok = clid_field(c, &o->cl_ord_id); break;
			case 'C': ok = clid_field(c, &o->orig_cl_ord_id); break;
			case 'S':
				ok = str_field(c, &s, &n);
				o->side = ok ? side_of(s, n) : 0xff;
				break;
			case 'o':
				ok = str_field(c, &s, &n);
				o->type = ok ? type_of(s, n) : 0xff;
				break;
			case 'f':
				ok = str_field(c, &s, &n);
				o->tif = ok ? tif_of(s, n) : 0xff;
				break;
			case 'x':
				ok = str_field(c, &s, &n);
				o->exec_type = ok ? exec_type_of(s, n) : 0;
				break;
			case 'X':
				ok = str_field(c, &s, &n);
				o->status = ok ? status_of(s, n) : 0;
				break;
			case 'r': ok = str_field(c, &o->reject, &o->reject_len); break;
			case 'i':
				ok = tt_json_u64(c, &o->venue_id);
				sc.have_venue_id = ok;
				break;
			case 't': ok = tt_json_i64(c, &o->trade_id); break;
			case 'E': ok = tt_json_u64(c, &o->event_ms); break;
			case 'T': ok = tt_json_u64(c, &o->tx_ms); break;
			case 'q': ok = dec_slice(c, &sc, D_QTY); break;
			case 'p': ok = dec_slice(c, &sc, D_PX); break;
			case 'l': ok = dec_slice(c, &sc, D_LQTY); break;
			case 'L': ok = dec_slice(c, &sc, D_LPX); break;
			case 'z': ok = dec_slice(c, &sc, D_CUM); break;
			case 'm': ok = tt_json_bool(c, &o->maker); break;
			default: ok = tt_json_skip_value(c); break;
			}
		} else if (!event) {
			if (tt_json_key_is(k, klen, esc, "symbol")) {
				ok = str_field(c, &sc.sym, &sc.sym_len);
			} else if (tt_json_key_is(k, klen, esc, "clientOrderId")) {
				ok = clid_field(c, &o->cl_ord_id);
			} else if (tt_json_key_is(k, klen, esc, "origClientOrderId")) {
				ok = clid_field(c, &o->orig_cl_ord_id);
			} else if (tt_json_key_is(k, klen, esc, "orderId")) {
				ok = tt_json_u64(c, &o->venue_id);
				sc.have_venue_id = ok;
			} else if (tt_json_key_is(k, klen, esc, "price")) {
				ok = dec_slice(c, &sc, D_PX);
			} else if (tt_json_key_is(k, klen, esc, "origQty")) {
				ok = dec_slice(c, &sc, D_QTY);
			} else if (tt_json_key_is(k, klen, esc, "executedQty")) {
				ok = dec_slice(c, &sc, D_CUM);
			} else if (tt_json_key_is(k, klen, esc, "status")) {
				ok = str_field(c, &s, &n);
				o->status = ok ? status_of(s, n) : 0;
			} else if (tt_json_key_is(k, klen, esc, "side")) {
				ok = str_field(c, &s, &n);
				o->side = ok ? side_of(s, n) : 0xff;
			} else if (tt_json_key_is(k, klen, esc, "type")) {
				ok = str_field(c, &s, &n);
				o->type = ok ? type_of(s, n) : 0xff;
			} else if (tt_json_key_is(k, klen, esc, "timeInForce")) {
				ok = str_field(c, &s, &n);
				o->tif = ok ? tif_of(s, n) : 0xff;
			} else if (tt_json_key_is(k, klen, esc, "transactTime")) {
				ok = tt_json_u64(c, &o->tx_ms);
			} else if (tt_json_key_is(k, klen, esc, "fills") && *c->p == '[') {
				ok = slice_value(c, &o->fills, &o->fills_len);
			} else {
				ok = tt_json_skip_value(c);
			}
		} else {
			ok = tt_json_skip_value(c);
		}
		if (!ok)
			return false;
	}
	if (r != 0)
		return false;
	if (event && o->exec_type == TT_BN_X_OTHER && o->status == TT_BN_S_OTHER)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->base);
	return finish_order(c, t, &sc, o);
}

int tt_bn_decode_exec(const char *p, size_t n, const struct tt_bn_symtab *t, struct tt_bn_order *o,
		      struct tt_bn_perr *err)
{
	struct tt_json c;

	if (n > INT32_MAX)
		return -EINVAL;
	tt_json_init(&c, p, n);
	if (!order_obj(&c, t, o, true) || !tt_json_end(&c))
		return fail_out(&c, err, "executionReport");
	return 0;
}

int tt_bn_decode_order(const char *p, size_t n, const struct tt_bn_symtab *t,
		       struct tt_bn_order *o, struct tt_bn_perr *err)
{
	struct tt_json c;

	if (n > INT32_MAX)
		return -EINVAL;
	tt_json_init(&c, p, n);
	if (!order_obj(&c, t, o, false) || !tt_json_end(&c))
		return fail_out(&c, err, "order");
	return 0;
}

/* An element of an openOrders array that is an order list (has "orderReports"/"orders"). */
static bool is_order_list(const char *p, const char *end)
{
	struct tt_json c;
	const char *k;
	uint32_t klen;
	bool first, esc;

	tt_json_init(&c, p, (size_t)(end - p));
	if (!tt_json_obj_begin(&c, &first))
		return false;
	while (tt_json_obj_next(&c, &first, &k, &klen, &esc) == 1) {
		if (tt_json_key_is(k, klen, esc, "orderListId") && *c.p != '-') {
			return true;
		}
		if (tt_json_key_is(k, klen, esc, "orderReports"))
			return true;
		if (!tt_json_skip_value(&c))
			return false;
	}
	return false;
}

int tt_bn_decode_orders(const char *p, size_t n, const struct tt_bn_symtab *t,
			int (*cb)(const struct tt_bn_order *o, void *arg), void *arg,
			struct tt_bn_perr *err)
{
	struct tt_json c;
	bool first;
	int r, count = 0;

	if (n > INT32_MAX)
		return -EINVAL;
	tt_json_init(&c, p, n);
	if (!tt_json_arr_begin(&c, &first))
		return fail_out(&c, err, "orders");
	while ((r = tt_json_arr_next(&c, &first)) == 1) {
		struct tt_bn_order o;
		const char *b = c.p;
		int rc;

		if (*c.p != '{') {
			tt_json_fail(&c, TT_JSON_E_TYPE, c.p);
			break;
		}
		if (is_order_list(b, c.end)) {
			if (!tt_json_skip_value(&c))
				break;
			continue;
		}
		if (!order_obj(&c, t, &o, false))
			break;
		count++;
		rc = cb(&o, arg);
		if (rc)
			return rc;
	}
	if (r != 0 || c.code || !tt_json_end(&c))
		return fail_out(&c, err, "orders");
	return count;
}

/* ---- account trades ---- */

enum { T_PX, T_QTY, T_QUOTE, T_N };

/* One myTrades element (t: symbol → instrument), or one FULL "fills" element (fixed: the
 * order's instrument; no symbol/orderId, the id is "tradeId"). */
static bool trade_obj(struct tt_json *c, const struct tt_bn_symtab *t,
		      const struct tt_bn_instr *fixed, struct tt_bn_trade *tr)
{
	const char *k, *d[T_N] = { 0 }, *sym = NULL;
	uint32_t klen, dl[T_N] = { 0 }, sym_len = 0;
	bool first, esc, have_id = false, have_oid = false;
	const struct tt_bn_instr *in;
	int r;

	memset(tr, 0, sizeof(*tr));
	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		bool ok;

		if (tt_json_key_is(k, klen, esc, "symbol")) {
			ok = str_field(c, &sym, &sym_len);
		} else if (tt_json_key_is(k, klen, esc, fixed ? "tradeId" : "id")) {
			ok = !have_id && tt_json_u64(c, &tr->id);
			if (have_id)
				return tt_json_fail(c, TT_BN_PE_DUPKEY, k);
			have_id = ok;
		} else if (tt_json_key_is(k, klen, esc, "orderId")) {
			ok = tt_json_u64(c, &tr->venue_id);
			have_oid = ok;
		} else if (tt_json_key_is(k, klen, esc, "price")) {
			ok = str_field(c, &d[T_PX], &dl[T_PX]);
		} else if (tt_json_key_is(k, klen, esc, "qty")) {
			ok = str_field(c, &d[T_QTY], &dl[T_QTY]);
		} else if (tt_json_key_is(k, klen, esc, "quoteQty")) {
			ok = str_field(c, &d[T_QUOTE], &dl[T_QUOTE]);
		} else if (tt_json_key_is(k, klen, esc, "commission")) {
			ok = str_field(c, &tr->commission, &tr->commission_len);
		} else if (tt_json_key_is(k, klen, esc, "commissionAsset")) {
			/* a string, or null (nothing charged); tt_json_is_null sets no code */
			if (tt_json_is_null(c))
				ok = true;
			else
				ok = str_field(c, &tr->commission_asset, &tr->commission_asset_len);
		} else if (tt_json_key_is(k, klen, esc, "time")) {
			ok = tt_json_u64(c, &tr->time_ms);
		} else if (tt_json_key_is(k, klen, esc, "isBuyer")) {
			ok = tt_json_bool(c, &tr->buyer);
		} else if (tt_json_key_is(k, klen, esc, "isMaker")) {
			ok = tt_json_bool(c, &tr->maker);
		} else if (tt_json_key_is(k, klen, esc, "isBestMatch")) {
			ok = tt_json_bool(c, &tr->best_match);
		} else {
			ok = tt_json_skip_value(c);
		}
		if (!ok)
			return false;
	}
	if (r != 0)
		return false;
	if ((!fixed && (!sym || !have_oid)) || !have_id || !d[T_PX] || !d[T_QTY])
		return tt_json_fail(c, TT_BN_PE_MISSING, c->p);
	in = fixed ? fixed : tt_bn_symtab_find(t, sym, sym_len);
	if (!in)
		return tt_json_fail(c, TT_BN_PE_SYMBOL, sym);
	tr->instr = in->id;
	if (tt_fixed_parse(d[T_PX], dl[T_PX], in->px_scale, &tr->px) < 0 || tr->px < 0)
		return tt_json_fail(c, TT_BN_PE_DECIMAL, d[T_PX]);
	if (tt_fixed_parse(d[T_QTY], dl[T_QTY], in->qty_scale, &tr->qty) < 0 || tr->qty <= 0)
		return tt_json_fail(c, TT_BN_PE_DECIMAL, d[T_QTY]);
	if (d[T_QUOTE]) {
		int rc = tt_fixed_parse(d[T_QUOTE], dl[T_QUOTE],
					(unsigned)in->px_scale + in->qty_scale, &tr->quote_qty);

		/* price × qty at both scales can pass int64 (8 + 8 decimals: above ~922):
		 * informational only, so -1 then, not a refused answer */
		if (rc == -ERANGE)
			tr->quote_qty = -1;
		else if (rc < 0 || tr->quote_qty < 0)
			return tt_json_fail(c, TT_BN_PE_DECIMAL, d[T_QUOTE]);
	}
	return true;
}

static int trades_arr(const char *p, size_t n, const struct tt_bn_symtab *t,
		      const struct tt_bn_instr *fixed,
		      int (*cb)(const struct tt_bn_trade *tr, void *arg), void *arg,
		      struct tt_bn_perr *err)
{
	struct tt_json c;
	bool first;
	int r, count = 0;

	err->code = 0;
	err->pos = 0;
	if (n > INT32_MAX)
		return -EINVAL;
	tt_json_init(&c, p, n);
	if (!tt_json_arr_begin(&c, &first))
		return fail_out(&c, err, "trades");
	while ((r = tt_json_arr_next(&c, &first)) == 1) {
		struct tt_bn_trade tr;
		int rc;

		if (*c.p != '{') {
			tt_json_fail(&c, TT_JSON_E_TYPE, c.p);
			break;
		}
		if (!trade_obj(&c, t, fixed, &tr))
			break;
		count++;
		rc = cb(&tr, arg);
		if (rc)
			return rc;
	}
	if (r != 0 || c.code || !tt_json_end(&c))
		return fail_out(&c, err, "trades");
	return count;
}

int tt_bn_decode_trades(const char *p, size_t n, const struct tt_bn_symtab *t,
			int (*cb)(const struct tt_bn_trade *tr, void *arg), void *arg,
			struct tt_bn_perr *err)
{
	return trades_arr(p, n, t, NULL, cb, arg, err);
}

int tt_bn_decode_fills(const char *p, size_t n, const struct tt_bn_instr *in,
		       int (*cb)(const struct tt_bn_trade *tr, void *arg), void *arg,
		       struct tt_bn_perr *err)
{
	return trades_arr(p, n, NULL, in, cb, arg, err);
}

/* ---- exchangeInfo ---- */

enum { F_MINPX, F_MAXPX, F_TICK, F_MINQTY, F_MAXQTY, F_STEP, F_MINNOT, F_MAXNOT, F_N };
static const char *const f_keys[F_N] = { "minPrice", "maxPrice", "tickSize", "minQty",
					  "maxQty", "stepSize", "minNotional", "maxNotional" };

/* One filters[] element into f (scales already set). */
static bool filter_obj(struct tt_json *c, struct tt_oe_filter *f)
{
	const char *v[F_N] = { 0 }, *k, *type = NULL;
	uint32_t vl[F_N] = { 0 }, klen, tlen = 0;
	bool first, esc, apply = false;
	int r;

	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		int i;

		if (tt_json_key_is(k, klen, esc, "filterType")) {
			if (!str_field(c, &type, &tlen))
				return false;
			continue;
		}
		if (tt_json_key_is(k, klen, esc, "applyToMarket") ||
		    tt_json_key_is(k, klen, esc, "applyMinToMarket")) {
			if (!tt_json_bool(c, &apply))
				return false;
			continue;
		}
		for (i = 0; i < F_N; i++)
			if (tt_json_key_is(k, klen, esc, f_keys[i]))
				break;
		if (i < F_N) {
			if (!str_field(c, &v[i], &vl[i]))
				return false;
		} else if (!tt_json_skip_value(c)) {
			return false;
		}
	}
	if (r != 0)
		return false;
	if (!type)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->p);
	{
		bool price = sv_eq(type, tlen, "PRICE_FILTER");
		bool lot = sv_eq(type, tlen, "LOT_SIZE");
		bool notional = sv_eq(type, tlen, "MIN_NOTIONAL") || sv_eq(type, tlen, "NOTIONAL");
		int64_t *dst[F_N] = { &f->min_px, &f->max_px, &f->tick, &f->min_qty,
				      &f->max_qty, &f->step, &f->min_notional, &f->max_notional };
		int lo = price ? F_MINPX : lot ? F_MINQTY : F_MINNOT;
		int hi = price ? F_TICK : lot ? F_STEP : F_MAXNOT;

		if (!price && !lot && !notional)
			return true;
		for (int i = lo; i <= hi; i++) {
			unsigned scale = (i >= F_MINQTY && i <= F_STEP) ? f->qty_scale : f->px_scale;

			if (!v[i])
				continue;
			int64_t x;

			if (tt_fixed_parse(v[i], vl[i], scale, &x) < 0 || x < 0)
				return tt_json_fail(c, TT_BN_PE_DECIMAL, v[i]);
			*dst[i] = x;
		}
		if (notional)
			f->notional_market = apply;
	}
	return true;
}

static bool filters_arr(struct tt_json *c, struct tt_oe_filter *f)
{
	bool first;
	int r;

	if (!tt_json_arr_begin(c, &first))
		return false;
	while ((r = tt_json_arr_next(c, &first)) == 1)
		if (!filter_obj(c, f))
			return false;
	return r == 0;
}

static bool symbol_obj(struct tt_json *c, const struct tt_bn_symtab *t, struct tt_oe_filter *out,
		       int *found)
{
	const char *k, *sym = NULL, *fl = NULL;
	uint32_t klen, slen = 0, fl_len = 0;
	bool first, esc;
	int r;

	if (!tt_json_obj_begin(c, &first))
		return false;
	while ((r = tt_json_obj_next(c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key_is(k, klen, esc, "symbol")) {
			if (!str_field(c, &sym, &slen))
				return false;
		} else if (tt_json_key_is(k, klen, esc, "filters")) {
			if (!slice_value(c, &fl, &fl_len))
				return false;
		} else if (!tt_json_skip_value(c)) {
			return false;
		}
	}
	if (r != 0)
		return false;
	if (!sym)
		return tt_json_fail(c, TT_BN_PE_MISSING, c->p);
	{
		const struct tt_bn_instr *in = tt_bn_symtab_find(t, sym, slen);
		struct tt_oe_filter *f;
		struct tt_json sub;

		if (!in || !fl)
			return true;
		struct tt_oe_filter tmp;

		/* built aside: a symbol whose filters fail leaves out[] as it was */
		f = &tmp;
		memset(f, 0, sizeof(*f));
		f->px_scale = in->px_scale;
		f->qty_scale = in->qty_scale;
		tt_json_init(&sub, fl, fl_len);
		if (!filters_arr(&sub, f)) {
			c->code = sub.code;
			c->pos = (uint32_t)(fl - c->base) + sub.pos;
			return false;
		}
		out[in - t->v] = tmp;
		(*found)++;
	}
	return true;
}

int tt_bn_decode_exchange_info(const char *p, size_t n, const struct tt_bn_symtab *t,
			       struct tt_oe_filter *out, struct tt_bn_perr *err)
{
	struct tt_json c;
	const char *k;
	uint32_t klen;
	bool first, esc, have = false;
	int r, found = 0;

	if (n > INT32_MAX)
		return -EINVAL;
	tt_json_init(&c, p, n);
	if (!tt_json_obj_begin(&c, &first))
		return fail_out(&c, err, "exchangeInfo");
	while ((r = tt_json_obj_next(&c, &first, &k, &klen, &esc)) == 1) {
		if (tt_json_key_is(k, klen, esc, "symbols")) {
			bool f2;
			int r2;

			have = true;
			if (!tt_json_arr_begin(&c, &f2))
				break;
			while ((r2 = tt_json_arr_next(&c, &f2)) == 1)
				if (!symbol_obj(&c, t, out, &found))
					break;
			if (r2 != 0)
				break;
		} else if (!tt_json_skip_value(&c)) {
			break;
		}
	}
	if (r != 0 || c.code || !tt_json_end(&c))
		return fail_out(&c, err, "exchangeInfo");
	if (!have) {
		tt_json_fail(&c, TT_BN_PE_MISSING, p);
		return fail_out(&c, err, "exchangeInfo");
	}
	return found;
}

/* ---- reasons ---- */

enum tt_oe_reason tt_bn_err_reason(int32_t code)
{
	switch (code) {
	case -1003:
		return TT_OE_R_VENUE_RATE_LIMIT;
	case -1007:
		return TT_OE_R_VENUE_UNKNOWN_OUTCOME;
	case -1013:
		return TT_OE_R_VENUE_FILTER;
	case -1015:
		return TT_OE_R_VENUE_TOO_MANY_ORDERS;
	case -1021:
		return TT_OE_R_VENUE_TIMESTAMP;
	case -1022:
		return TT_OE_R_VENUE_SIGNATURE;
	case -1100:
		return TT_OE_R_VENUE_MALFORMED;
	case -1121:
		return TT_OE_R_VENUE_BAD_SYMBOL;
	case -2010:
		return TT_OE_R_VENUE_ORDER_REJECTED;
	case -2011:
		return TT_OE_R_VENUE_CANCEL_REJECTED;
	case -2013:
		return TT_OE_R_VENUE_NO_SUCH_ORDER;
	case -2014:
		return TT_OE_R_VENUE_BAD_KEY;
	case -2015:
		return TT_OE_R_VENUE_KEY_REJECTED;
	default:
		break;
	}
	if (code <= -1100 && code >= -1199)
		return TT_OE_R_VENUE_MALFORMED;
	return TT_OE_R_VENUE_OTHER;
}

const char *tt_oe_reason_name(uint32_t r)
{
	if (r < 256)
		return r < TT_RISK_REASON_MAX ? tt_risk_reason_name((enum tt_risk_reason)r)
					      : "unknown";
	switch (r) {
	case 256:
		return "venue_other";
	case 257:
		return "venue_rate_limit";
	case 258:
		return "venue_unknown_outcome";
	case 259:
		return "venue_filter";
	case 260:
		return "venue_too_many_orders";
	case 261:
		return "venue_timestamp";
	case 262:
		return "venue_signature";
	case 263:
		return "venue_malformed";
	case 264:
		return "venue_bad_symbol";
	case 265:
		return "venue_order_rejected";
	case 266:
		return "venue_cancel_rejected";
	case 267:
		return "venue_no_such_order";
	case 268:
		return "venue_bad_key";
	case 269:
		return "venue_key_rejected";
	case 300:
		return "filter_tick";
	case 301:
		return "filter_price_range";
	case 302:
		return "filter_step";
	case 303:
		return "filter_min_qty";
	case 304:
		return "filter_max_qty";
	case 305:
		return "filter_min_notional";
	case 306:
		return "filter_max_notional";
	case 320:
		return "not_ready";
	case 321:
		return "dup_id";
	case 322:
		return "table_full";
	case 323:
		return "encode";
	case 324:
		return "send";
	default:
		return "unknown";
	}
}
