/*
 * tt_risk.h — pre-trade risk (DESIGN §5): every order and replace passes these checks in
 * tt-oe before any byte leaves. Each check is one small O(1) function, tt_risk_check_<name>,
 * returning TT_RISK_OK or a reason; tt_risk_check_order runs them all in a fixed order and
 * fills a struct tt_risk_reject (reason, limit, value) that the caller logs as one
 * structured event. No allocation, no syscall, no floating point: prices and quantities
 * are int64 fixed point with the instrument's scales (notional = px * qty / 10^qty_scale,
 * in price units, computed in 128 bits).
 *
 * The state (positions, open orders, throttles, P&L) is updated by tt-oe through the
 * tt_risk_on_* calls as orders are sent, acked, filled and cancelled.
 */
#ifndef TT_RISK_H
#define TT_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_msg.h"

#define TT_RISK_MAX_INSTR 64

/* X(name, text) — reason codes; the event's "reason" is the lower-case name. */
#define TT_RISK_REASONS(X)                                                  \
	X(OK, "accepted")                                                   \
	X(KILL_SWITCH, "kill switch engaged")                               \
	X(UNKNOWN_INSTR, "instrument not configured for trading")           \
	X(BAD_QTY, "quantity not positive")                                 \
	X(BAD_PRICE, "price not positive")                                  \
	X(MAX_QTY, "order quantity above limit")                            \
	X(MAX_NOTIONAL, "order notional above limit")                       \
	X(NO_REF_PRICE, "no reference price from market data")              \
	X(PRICE_COLLAR, "price outside collar around reference")            \
	X(MAX_POSITION, "worst-case position above per-instrument limit")   \
	X(MAX_GROSS, "worst-case gross position above limit")               \
	X(MAX_OPEN_ORDERS, "too many open orders")                          \
	X(ORDER_RATE, "order rate throttle")                                \
	X(MSG_RATE, "message rate throttle")                                \
	X(DUPLICATE, "duplicate order within window")                       \
	X(SELF_TRADE, "would trade against own resting order")              \
	X(DAILY_LOSS, "daily loss limit reached")

enum tt_risk_reason {
#define TT_RISK_ENUM(n, t) TT_RISK_##n,
	TT_RISK_REASONS(TT_RISK_ENUM)
#undef TT_RISK_ENUM
	TT_RISK_REASON_MAX
};

const char *tt_risk_reason_name(enum tt_risk_reason r);	/* "max_qty" */
const char *tt_risk_reason_text(enum tt_risk_reason r);

/* Token bucket: capacity tokens, refilled at rate per second; time in ns. */
struct tt_bucket {
	int64_t tokens_milli;	/* tokens × 1000 */
	int64_t cap_milli;
	int64_t per_sec;	/* refill rate, tokens per second */
	uint64_t last_ns;
};

struct tt_risk_limits_instr {
	bool enabled;
	uint8_t px_scale, qty_scale;
	tt_qty_t max_qty;		/* per order */
	tt_px_t max_notional;		/* per order, price units */
	int32_t collar_bps;		/* |px - ref| / ref ≤ collar_bps / 10^4 */
	tt_qty_t max_position;		/* |position + open same side + this| */
};

struct tt_risk_limits {
	struct tt_risk_limits_instr instr[TT_RISK_MAX_INSTR];
	tt_px_t max_gross_notional;	/* Σ |position| × ref, price units; 0 = off */
	uint32_t max_open_orders;
	uint32_t orders_per_sec, order_burst;	/* order rate bucket */
	uint32_t msgs_per_sec, msg_burst;	/* all messages (orders, cancels, replaces) */
	uint64_t dup_window_ns;			/* 0 = off */
	tt_px_t daily_loss;			/* > 0: reject when realized+unrealized ≤ -daily_loss */
};

struct tt_risk_instr {
	tt_qty_t position;		/* signed, qty units */
	tt_qty_t open_buy, open_sell;	/* resting quantity */
	tt_px_t own_best_bid;		/* highest own resting buy, 0 if none */
	tt_px_t own_best_ask;		/* lowest own resting sell, 0 if none */
	tt_px_t ref_bid, ref_ask;	/* from md's latest-value ring */
	tt_px_t cash;			/* Σ sells − Σ buys (px×qty), price units: with the
					 * position marked at mid it gives realized + unrealized */
};

struct tt_risk_dup {			/* last order, for the duplicate window */
	uint64_t t_ns;
	tt_px_t px;
	tt_qty_t qty;
	uint16_t instr;
	uint8_t side;
	bool valid;
};

struct tt_risk {
	struct tt_risk_limits lim;
	struct tt_risk_instr in[TT_RISK_MAX_INSTR];
	struct tt_bucket order_rate, msg_rate;
	struct tt_risk_dup last;
	uint32_t open_orders;
	bool killed;			/* kill switch: no new orders */
	uint64_t rejects[TT_RISK_REASON_MAX];
};

struct tt_risk_reject {
	enum tt_risk_reason reason;
	int64_t limit;		/* the limit that fired (units of the check) */
	int64_t value;		/* the value that broke it */
};

/* Initialises r with limits (copied); buckets full at now_ns. */
void tt_risk_init(struct tt_risk *r, const struct tt_risk_limits *lim, uint64_t now_ns);

/* Runs every check on a new order; 0 (TT_RISK_OK) or the reason, details in *rej.
 * On success the throttles are charged and the order counted in the duplicate window. */
enum tt_risk_reason tt_risk_check_order(struct tt_risk *r, const struct tt_msg_order *o,
					uint64_t now_ns, struct tt_risk_reject *rej);
/* Cancel: only the message throttle (a cancel must never be blocked by position or
 * kill switch — it reduces risk). Replace: the new price/qty pass the order checks too
 * (fat finger on replace). */
enum tt_risk_reason tt_risk_check_cancel(struct tt_risk *r, uint64_t now_ns,
					 struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_replace(struct tt_risk *r, const struct tt_msg_order *repl,
					  tt_qty_t old_open_qty, uint64_t now_ns,
					  struct tt_risk_reject *rej);

/* Individual checks (each tested on its own). */
enum tt_risk_reason tt_risk_check_qty(const struct tt_risk *r, const struct tt_msg_order *o, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_notional(const struct tt_risk *r, const struct tt_msg_order *o, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_collar(const struct tt_risk *r, const struct tt_msg_order *o, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_position(const struct tt_risk *r, const struct tt_msg_order *o, tt_qty_t already_open, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_gross(const struct tt_risk *r, const struct tt_msg_order *o, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_open_orders(const struct tt_risk *r, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_duplicate(const struct tt_risk *r, const struct tt_msg_order *o, uint64_t now_ns, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_self_trade(const struct tt_risk *r, const struct tt_msg_order *o, struct tt_risk_reject *rej);
enum tt_risk_reason tt_risk_check_daily_loss(const struct tt_risk *r, struct tt_risk_reject *rej);

/* Token bucket: true and one token taken when available at now_ns. */
bool tt_bucket_take(struct tt_bucket *b, uint64_t now_ns);
void tt_bucket_init(struct tt_bucket *b, uint32_t per_sec, uint32_t burst, uint64_t now_ns);

/* State updates from tt-oe. */
void tt_risk_on_sent(struct tt_risk *r, const struct tt_msg_order *o);
void tt_risk_on_done(struct tt_risk *r, uint16_t instr, uint8_t side, tt_px_t px,
		     tt_qty_t leaves_qty);	/* cancelled/rejected/expired: leaves released */
void tt_risk_on_fill(struct tt_risk *r, uint16_t instr, uint8_t side, tt_px_t px, tt_qty_t qty);
void tt_risk_set_ref(struct tt_risk *r, uint16_t instr, tt_px_t bid, tt_px_t ask);
void tt_risk_set_own_best(struct tt_risk *r, uint16_t instr, tt_px_t bid, tt_px_t ask);
void tt_risk_kill(struct tt_risk *r, bool on);

/* Realized + unrealized P&L of one instrument (instr < TT_RISK_MAX_INSTR) at its reference
 * mid, price units: cash + position × mid (no reference yet: the position counts as 0). */
tt_px_t tt_risk_instr_pnl(const struct tt_risk *r, uint16_t instr);
/* Realized + unrealized P&L of all instruments at the reference mid, price units. */
tt_px_t tt_risk_pnl(const struct tt_risk *r);

#endif /* TT_RISK_H */
