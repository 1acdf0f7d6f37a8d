/*
 * tt_oe_binance.h — the Binance Spot WebSocket API (VENUES.md "Binance Spot — WebSocket
 * API", the venue's web-socket-api.md and user-data-stream.md): request encoders and
 * response / user-data event decoders for tt-oe.
 *
 * Encoders write one JSON text frame into a caller buffer and return its length (or
 * -ENOSPC / -EINVAL / -EIO); they never allocate. Every request is
 *     {"id":<our request id>,"method":"...","params":{...}}
 * with params written in ascending byte order of their names, which is also the order the
 * venue signs them in: for HMAC the signature payload is the same list joined as k=v&k=v
 * (raw UTF-8, no percent-encoding). Prices and quantities are written from int64 fixed
 * point with tt_fixed_format (no floating point, exactly the instrument's scale).
 *
 * Auth modes (struct tt_bn_signer):
 *   SESSION — after session.logon (Ed25519, signed ONCE per connection): requests carry
 *             timestamp only;
 *   HMAC    — every signed request carries apiKey + signature (pre-keyed tt_hmac, hex).
 *
 * Decoders are zero-allocation too: tt_bn_decode() classifies a frame as a response
 * {"id","status","result"|"error","rateLimits"} or a user-data event
 * {"subscriptionId","event"} and hands back raw slices of result/event; the typed decoders
 * (tt_bn_decode_exec, tt_bn_decode_order, tt_bn_decode_orders) then read those slices.
 * Decimal fields are read once the symbol is known (key order is not guaranteed), at the
 * instrument's scales from the caller's symbol table. Hostile bytes give -TT_EPROTO with a
 * code and byte position in struct tt_bn_perr; nothing is assumed about key order, unknown
 * keys are skipped.
 *
 * Client order ids: our uint64 ids travel as "tt" + 11 characters of [0-9A-Za-z_-]
 * (6 bits each, most significant first): 13 characters, inside the venue's
 * ^[a-zA-Z0-9-_]{1,36}$. Ids not of that form are foreign (another client's orders).
 *
 * Cause tag: order.place / order.cancelReplace carry the causing market event's book
 * update id in Binance's optional numeric strategyId param (struct tt_bn_order_req.cause),
 * not in the client order id, so cancels and status queries by origClientOrderId and the
 * journal need not know it. tt-venue pairs it with the tick it wrote (wire-to-wire).
 */
#ifndef TT_OE_BINANCE_H
#define TT_OE_BINANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_sign.h"

#define TT_BN_CLID_LEN 13	/* "tt" + 11; + NUL */
#define TT_BN_SYMBOL_MAX 20	/* symbol bytes, NUL included */
#define TT_BN_REQ_MAX 1024	/* a request always fits this many bytes */
#define TT_BN_LIMITS_MAX 4	/* rateLimits entries kept */

/* Our uint64 id → 13 characters + NUL. Returns TT_BN_CLID_LEN. */
int tt_bn_clid_encode(uint64_t id, char out[TT_BN_CLID_LEN + 1]);
/* Back: 0, or -EINVAL when s[0,n) is not one of ours (foreign order). */
int tt_bn_clid_decode(const char *s, size_t n, uint64_t *id) TT_WUR;

enum tt_bn_auth { TT_BN_AUTH_SESSION = 0, TT_BN_AUTH_HMAC = 1 };

struct tt_bn_signer {
	uint32_t mode;		/* enum tt_bn_auth */
	uint32_t recv_window_ms;/* 0 = omit (venue default 5000) */
	const char *api_key;	/* HMAC mode: sent with each request */
	struct tt_hmac *hmac;	/* HMAC mode: pre-keyed secret */
};

enum tt_bn_resp_type { TT_BN_RESP_DEFAULT = 0, TT_BN_RESP_ACK, TT_BN_RESP_RESULT, TT_BN_RESP_FULL };

/* One order for order.place / order.cancelReplace. */
struct tt_bn_order_req {
	const char *symbol;	/* venue symbol, [A-Z0-9] (plus the venue's UTF-8 names) */
	int64_t px;		/* at px_scale; ignored for MARKET */
	int64_t qty;		/* at qty_scale */
	uint64_t cl_ord_id;	/* our id; 0 = let the venue pick one */
	uint64_t ts_ms;		/* timestamp param */
	uint8_t side;		/* enum tt_side */
	uint8_t type;		/* enum tt_ord_type */
	uint8_t tif;		/* enum tt_tif; not sent for MARKET / LIMIT_MAKER */
	uint8_t resp_type;	/* enum tt_bn_resp_type */
	uint8_t px_scale;
	uint8_t qty_scale;
	uint64_t cause;		/* strategyId param: the causing book update id (low 32 bits
				 * from the intent's h.flags), 0 = omit. tt-venue measures
				 * wire-to-wire from it; harmless at the real venue. */
};

/* session.logon: apiKey, timestamp, signature = Ed25519 over "apiKey=…&timestamp=…". */
int tt_bn_enc_logon(char *buf, size_t cap, uint64_t req_id, const char *api_key,
		    uint64_t ts_ms, struct tt_ed25519 *key) TT_WUR;
int tt_bn_enc_order_place(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			  const struct tt_bn_order_req *o) TT_WUR;
/* order.cancel by our id (origClientOrderId) and/or the venue's (orderId, 0 = omit). */
int tt_bn_enc_order_cancel(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			   const char *symbol, uint64_t orig_cl_ord_id, uint64_t venue_id,
			   uint64_t ts_ms) TT_WUR;
/* order.cancelReplace, cancelReplaceMode STOP_ON_FAILURE: cancels cancel_cl_ord_id and
 * places o (o->cl_ord_id is the new id). */
int tt_bn_enc_cancel_replace(char *buf, size_t cap, uint64_t req_id,
			     const struct tt_bn_signer *s, const struct tt_bn_order_req *o,
			     uint64_t cancel_cl_ord_id) TT_WUR;
int tt_bn_enc_cancel_all(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			 const char *symbol, uint64_t ts_ms) TT_WUR;
int tt_bn_enc_order_status(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			   const char *symbol, uint64_t cl_ord_id, uint64_t ts_ms) TT_WUR;
/* openOrders.status; symbol NULL = every symbol. */
int tt_bn_enc_open_orders(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			  const char *symbol, uint64_t ts_ms) TT_WUR;
int tt_bn_enc_subscribe(char *buf, size_t cap, uint64_t req_id) TT_WUR;
/* userDataStream.subscribe.signature: the user data stream without a logon (HMAC keys). */
int tt_bn_enc_subscribe_signature(char *buf, size_t cap, uint64_t req_id,
				  const struct tt_bn_signer *s, uint64_t ts_ms) TT_WUR;

/*
 * myTrades (web-socket-api.md "Account trade history", USER_DATA: signed, or timestamp
 * only after a logon): the account's trades on symbol. venue_order_id != 0: only that
 * order's trades (orderId); from_id >= 0: trades with id >= from_id (fromId); limit 0 =
 * omit (venue default 500, max 1000). Time filters are not offered: they cannot go with
 * orderId or fromId and reconciliation needs neither.
 */
int tt_bn_enc_my_trades(char *buf, size_t cap, uint64_t req_id, const struct tt_bn_signer *s,
			const char *symbol, uint64_t venue_order_id, int64_t from_id,
			uint32_t limit, uint64_t ts_ms) TT_WUR;

/* ---- decoding ---- */

#define TT_BN_PERR_MAP(X)                                                   \
	X(TT_BN_PE_MISSING, "required field missing")                       \
	X(TT_BN_PE_VALUE, "unexpected value")                               \
	X(TT_BN_PE_DECIMAL, "malformed decimal or more decimals than the scale") \
	X(TT_BN_PE_SYMBOL, "unknown symbol")                                \
	X(TT_BN_PE_DUPKEY, "duplicate key")

enum tt_bn_perr_code {
	TT_BN_PE_BASE = 32,	/* == TT_JSON_E_USER: below are tt_json's generic codes */
#define TT_BN_PE_ENUM(n, t) n,
	TT_BN_PERR_MAP(TT_BN_PE_ENUM)
#undef TT_BN_PE_ENUM
	TT_BN_PE_END
};

struct tt_bn_perr {
	uint32_t code;		/* tt_json code or TT_BN_PE_* */
	uint32_t pos;		/* byte offset */
};
const char *tt_bn_perr_str(uint32_t code);

enum tt_bn_limit_type { TT_BN_LIM_OTHER = 0, TT_BN_LIM_ORDERS, TT_BN_LIM_WEIGHT };

struct tt_bn_ratelimit {
	uint8_t type;		/* enum tt_bn_limit_type */
	char interval;		/* 'S' SECOND, 'M' MINUTE, 'H' HOUR, 'D' DAY, '?' */
	uint32_t interval_num;
	uint32_t limit;
	uint32_t count;
};

enum tt_bn_msg_kind { TT_BN_MSG_RESPONSE = 1, TT_BN_MSG_EVENT = 2 };

enum tt_bn_event_type {
	TT_BN_EV_OTHER = 0,
	TT_BN_EV_EXEC_REPORT,		/* executionReport */
	TT_BN_EV_ACCOUNT_POSITION,	/* outboundAccountPosition (tolerated) */
	TT_BN_EV_BALANCE_UPDATE,	/* balanceUpdate (tolerated) */
	TT_BN_EV_STREAM_TERMINATED,	/* eventStreamTerminated */
	TT_BN_EV_LIST_STATUS,		/* listStatus (tolerated) */
};

struct tt_bn_msg {
	uint32_t kind;			/* enum tt_bn_msg_kind */
	/* response */
	uint64_t id;			/* numeric id (ours) */
	bool id_numeric;		/* false: id was a string or null (not ours) */
	uint32_t status;		/* HTTP-like status */
	int32_t err_code;		/* error.code, 0 if none */
	const char *err_msg;		/* error.msg raw slice */
	uint32_t err_msg_len;
	const char *result;		/* raw result value (object or array), NULL if none */
	uint32_t result_len;
	uint32_t n_limits;
	struct tt_bn_ratelimit limits[TT_BN_LIMITS_MAX];
	/* event */
	uint64_t sub_id;
	uint32_t event_type;		/* enum tt_bn_event_type */
	const char *event;		/* raw event object */
	uint32_t event_len;
};

/* Classifies and splits one frame. 0 or -TT_EPROTO (err filled). */
int tt_bn_decode(const char *p, size_t n, struct tt_bn_msg *m, struct tt_bn_perr *err) TT_WUR;

/* The caller's instruments, for symbol → id and scales. */
struct tt_bn_instr {
	char symbol[TT_BN_SYMBOL_MAX];
	uint16_t id;
	uint8_t px_scale;
	uint8_t qty_scale;
};
struct tt_bn_symtab {
	const struct tt_bn_instr *v;
	uint32_t n;
};
const struct tt_bn_instr *tt_bn_symtab_find(const struct tt_bn_symtab *t, const char *s,
					    size_t n);

enum tt_bn_exec_type {		/* executionReport "x" */
	TT_BN_X_OTHER = 0, TT_BN_X_NEW, TT_BN_X_CANCELED, TT_BN_X_REPLACED, TT_BN_X_REJECTED,
	TT_BN_X_TRADE, TT_BN_X_EXPIRED, TT_BN_X_TRADE_PREVENTION
};
enum tt_bn_ord_status {		/* "X" / "status" */
	TT_BN_S_OTHER = 0, TT_BN_S_NEW, TT_BN_S_PARTIALLY_FILLED, TT_BN_S_FILLED,
	TT_BN_S_CANCELED, TT_BN_S_PENDING_CANCEL, TT_BN_S_REJECTED, TT_BN_S_EXPIRED,
	TT_BN_S_EXPIRED_IN_MATCH, TT_BN_S_PENDING_NEW
};

/* An order as the venue reports it: executionReport event, or an order result
 * (order.place RESULT/FULL, order.cancel, order.status, openOrders.* elements). Fields
 * absent from a source are zero. cl_ord_id / orig_cl_ord_id are 0 when foreign. */
struct tt_bn_order {
	uint16_t instr;
	uint8_t side;			/* enum tt_side */
	uint8_t type;			/* enum tt_ord_type (other types: 0xff) */
	uint8_t tif;			/* enum tt_tif */
	uint8_t exec_type;		/* enum tt_bn_exec_type (events only) */
	uint8_t status;			/* enum tt_bn_ord_status */
	bool maker;			/* "m" */
	uint64_t cl_ord_id;		/* "c" / clientOrderId, if ours */
	uint64_t orig_cl_ord_id;	/* "C" / origClientOrderId, if ours */
	uint64_t venue_id;		/* "i" / orderId */
	int64_t trade_id;		/* "t", -1 if none */
	int64_t px, qty;		/* "p","q" / price, origQty */
	int64_t last_px, last_qty;	/* "L","l" */
	int64_t cum_qty;		/* "z" / executedQty */
	uint64_t event_ms;		/* "E" */
	uint64_t tx_ms;			/* "T" / transactTime */
	const char *reject;		/* "r" raw, "NONE" normally */
	uint32_t reject_len;
	const char *fills;		/* order.place FULL: raw "fills" array, else NULL */
	uint32_t fills_len;
};

/* executionReport event object (m->event) into *o. 0 or -TT_EPROTO. */
int tt_bn_decode_exec(const char *p, size_t n, const struct tt_bn_symtab *t, struct tt_bn_order *o,
		      struct tt_bn_perr *err) TT_WUR;
/* One order result object (m->result of order.place/cancel/status). */
int tt_bn_decode_order(const char *p, size_t n, const struct tt_bn_symtab *t,
		       struct tt_bn_order *o, struct tt_bn_perr *err) TT_WUR;
/* An array of order results (openOrders.status, openOrders.cancelAll): cb per element;
 * elements that are not single orders (order lists) are skipped. Returns the count, or
 * -TT_EPROTO, or cb's non-zero return. */
int tt_bn_decode_orders(const char *p, size_t n, const struct tt_bn_symtab *t,
			int (*cb)(const struct tt_bn_order *o, void *arg), void *arg,
			struct tt_bn_perr *err) TT_WUR;

/* One account trade (a myTrades result element). Decimals at the instrument's scales;
 * quote_qty at px_scale + qty_scale (price × qty exactly). Commission stays a raw slice:
 * its asset's scale is not the instrument's. */
struct tt_bn_trade {
	uint16_t instr;
	uint64_t id;			/* "id": trade id, == executionReport "t" */
	uint64_t venue_id;		/* "orderId" */
	int64_t px;			/* "price" */
	int64_t qty;			/* "qty" */
	int64_t quote_qty;		/* "quoteQty", 0 if absent, -1 if beyond int64 */
	uint64_t time_ms;		/* "time" */
	bool buyer;			/* "isBuyer" */
	bool maker;			/* "isMaker" */
	bool best_match;		/* "isBestMatch" */
	const char *commission;		/* "commission" raw, NULL if absent */
	uint32_t commission_len;
	const char *commission_asset;	/* "commissionAsset" raw, NULL if absent / null */
	uint32_t commission_asset_len;
};

/* The myTrades result array: cb per trade, in the venue's order. symbol, id, orderId,
 * price and qty are required; qty must be > 0. Returns the count, -TT_EPROTO (err
 * filled), or cb's non-zero return. */
int tt_bn_decode_trades(const char *p, size_t n, const struct tt_bn_symtab *t,
			int (*cb)(const struct tt_bn_trade *tr, void *arg), void *arg,
			struct tt_bn_perr *err) TT_WUR;

/* The "fills" array of an order.place FULL answer (tt_bn_order.fills): price, qty,
 * commission, commissionAsset, tradeId per element, all of instrument in (tr->id is the
 * tradeId, tr->venue_id 0). Same returns as tt_bn_decode_trades. */
int tt_bn_decode_fills(const char *p, size_t n, const struct tt_bn_instr *in,
		       int (*cb)(const struct tt_bn_trade *tr, void *arg), void *arg,
		       struct tt_bn_perr *err) TT_WUR;

struct tt_oe_filter;
/*
 * exchangeInfo (REST GET /api/v3/exchangeInfo body, or the WS API result): for every
 * symbols[] entry that is in t, fills out[i] (t->v[i]'s filters; scales from t) from
 * PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL and NOTIONAL. Other symbols and filters are skipped.
 * out[i] is written only when all of that symbol's filters parse. A bound finer than the
 * configured scale is refused (TT_BN_PE_DECIMAL): the config is
 * wrong, rounding would send rejects. Returns the number of our symbols found, or
 * -TT_EPROTO.
 */
int tt_bn_decode_exchange_info(const char *p, size_t n, const struct tt_bn_symtab *t,
			       struct tt_oe_filter *out, struct tt_bn_perr *err) TT_WUR;

/* ---- venue error codes → reasons ---- */

/* X(NAME, value, venue error code or 0, text); the event name is the lower-case NAME. */
#define TT_OE_REASONS(X) \
	X(VENUE_OTHER, 256, 0, "venue error not mapped") \
	X(VENUE_RATE_LIMIT, 257, -1003, "too many requests") \
	X(VENUE_UNKNOWN_OUTCOME, 258, -1007, "timeout: outcome unknown") \
	X(VENUE_FILTER, 259, -1013, "venue filter failure") \
	X(VENUE_TOO_MANY_ORDERS, 260, -1015, "too many new orders") \
	X(VENUE_TIMESTAMP, 261, -1021, "timestamp outside recvWindow") \
	X(VENUE_SIGNATURE, 262, -1022, "signature invalid") \
	X(VENUE_MALFORMED, 263, -1100, "malformed request") \
	X(VENUE_BAD_SYMBOL, 264, -1121, "invalid symbol") \
	X(VENUE_ORDER_REJECTED, 265, -2010, "new order rejected") \
	X(VENUE_CANCEL_REJECTED, 266, -2011, "cancel rejected") \
	X(VENUE_NO_SUCH_ORDER, 267, -2013, "order does not exist") \
	X(VENUE_BAD_KEY, 268, -2014, "API key format invalid") \
	X(VENUE_KEY_REJECTED, 269, -2015, "invalid API key, IP or permissions") \
	X(FILTER_TICK, 300, 0, "price not a multiple of the tick") \
	X(FILTER_PRICE_RANGE, 301, 0, "price outside min/max price") \
	X(FILTER_STEP, 302, 0, "quantity not a multiple of the step") \
	X(FILTER_MIN_QTY, 303, 0, "quantity below min") \
	X(FILTER_MAX_QTY, 304, 0, "quantity above max") \
	X(FILTER_MIN_NOTIONAL, 305, 0, "notional below min") \
	X(FILTER_MAX_NOTIONAL, 306, 0, "notional above max") \
	X(NOT_READY, 320, 0, "order entry not ready (recovering, reconnecting)") \
	X(DUP_ID, 321, 0, "client order id already used") \
	X(TABLE_FULL, 322, 0, "order table full") \
	X(ENCODE, 323, 0, "request could not be encoded") \
	X(SEND, 324, 0, "send failed")

/* Reason codes in tt_msg_exec.reason: 0..255 are enum tt_risk_reason, these above. */
enum tt_oe_reason {
#define TT_OE_R_ENUM(n, v, code, t) TT_OE_R_##n = v,
	TT_OE_REASONS(TT_OE_R_ENUM)
#undef TT_OE_R_ENUM
};

/* Venue error code → reason (unmapped: TT_OE_R_VENUE_OTHER; -1101..-1199 malformed). */
enum tt_oe_reason tt_bn_err_reason(int32_t code);
/* "venue_filter", or a risk reason's name for r < 256. Never NULL. */
const char *tt_oe_reason_name(uint32_t r);
/* Status classes: 2xx ok, 4xx rejected (the request did not happen), 5xx or -1007
 * unknown (query, never assume). */
static inline bool tt_bn_outcome_unknown(uint32_t status, int32_t err_code)
{
	return status >= 500 || err_code == -1007;
}

#endif /* TT_OE_BINANCE_H */
