/*
 * tt_vmatch.h — tt-venue's matching engine for client orders (order-entry side).
 *
 * Client orders trade against each other (price-time priority) and against the synthetic
 * market of struct tt_vbook. All prices/quantities are int64 fixed point in the symbol's own
 * units (tt_vsym_cfg px_dec / qty_dec); requests carry values at 1e-8 ("e8") and the engine
 * checks them against the symbol's filters (tick = step = one unit, see encode.c's
 * exchangeInfo).
 *
 * Matching rules (documented, deterministic for a seed and an order arrival sequence):
 *   1. A taker walks the opposite side best price first. At one price, resting client orders
 *      (oldest first) come before the synthetic level (the synthetic level is resting
 *      liquidity "ahead of nothing"). Taking from a synthetic level lowers that level's
 *      quantity and publishes one book update (depth diff, bookTicker) and one @trade frame
 *      per level touched, like any random-walk step. The last synthetic level of a side is
 *      never consumed (the book always has two sides).
 *   2. Resting client orders are invisible in the public depth (only synthetic liquidity is).
 *   3. After each random-walk step: (a) each synthetic trade that hits the bid at price P
 *      first fills resting client bids with price >= P (best first, then oldest) up to the
 *      trade's quantity, at the client's price, as maker; likewise for asks <= P when a buyer
 *      lifts the ask. (b) If the synthetic book then crosses a resting client order (ask <=
 *      client bid, or bid >= client ask), the client order is filled as maker at its own
 *      price against those synthetic levels, which lose that quantity (published).
 *      Each such client fill gets a fresh trade id from the symbol's trade counter and is
 *      published on @trade, so trade ids on the stream stay consecutive.
 *   4. Self-trade prevention between two client orders of one account (API key): mode from
 *      the order (default EXPIRE_MAKER, as exchangeInfo says). The synthetic market is no
 *      account, so it never triggers STP.
 *   5. No balance checks (balances may go negative); commission is 0.
 */
#ifndef TT_VMATCH_H
#define TT_VMATCH_H

#include "tt_venue.h"

enum { TT_VBUY = 0, TT_VSELL = 1 };
enum tt_votype { TT_VOT_LIMIT = 0, TT_VOT_MARKET = 1, TT_VOT_LIMIT_MAKER = 2 };
enum tt_vtif { TT_VTIF_GTC = 0, TT_VTIF_IOC = 1, TT_VTIF_FOK = 2 };
enum tt_vstp { TT_VSTP_NONE = 0, TT_VSTP_EXPIRE_TAKER, TT_VSTP_EXPIRE_MAKER, TT_VSTP_EXPIRE_BOTH };
enum tt_vostatus {
	TT_VOS_NEW = 0,
	TT_VOS_PARTIALLY_FILLED,
	TT_VOS_FILLED,
	TT_VOS_CANCELED,
	TT_VOS_REJECTED,
	TT_VOS_EXPIRED,
	TT_VOS_EXPIRED_IN_MATCH,
};
enum tt_vxtype { TT_VX_NEW = 0, TT_VX_TRADE, TT_VX_CANCELED, TT_VX_EXPIRED, TT_VX_PREVENTION };

#define TT_VMATCH_ACCTS	 16
#define TT_VMATCH_ASSETS 16

struct tt_vorder {
	uint64_t id;	   /* orderId, from 1 */
	uint64_t seq;	   /* time priority */
	int sym;	   /* index into the books */
	int acct;	   /* account (API key index) */
	int session;	   /* owning connection id (cancel-on-disconnect), 0 = none */
	uint8_t side;	   /* TT_VBUY / TT_VSELL */
	uint8_t type;	   /* enum tt_votype */
	uint8_t tif;	   /* enum tt_vtif */
	uint8_t stp;	   /* enum tt_vstp */
	uint8_t status;	   /* enum tt_vostatus */
	bool live;	   /* resting on the book */
	int64_t px;	   /* price units, 0 for MARKET */
	int64_t qty;	   /* origQty, quantity units (0 for a quoteOrderQty MARKET until done) */
	int64_t quote_qty; /* origQuoteOrderQty in px*qty units, 0 = none */
	int64_t cum;	   /* executedQty */
	int64_t cumq;	   /* cummulativeQuoteQty, px*qty units */
	uint64_t t_ms;	   /* creation */
	uint64_t upd_ms;   /* last update */
	uint64_t work_ms;  /* workingTime */
	uint64_t prevented_id;
	int64_t prevented_qty;
	uint64_t strategy_id; /* strategyId, 0 = none */
	char cid[40]; /* clientOrderId */
};

struct tt_vfill {
	uint64_t trade_id;
	uint64_t order_id;
	int sym;
	int acct;
	uint8_t side;
	bool maker;
	int64_t px;
	int64_t qty;
	uint64_t t_ms;
};

/* One execution report's worth of facts; o points into the engine's order table. */
struct tt_vexec {
	const struct tt_vorder *o;
	uint8_t x; /* enum tt_vxtype */
	int64_t last_qty;
	int64_t last_px;
	uint64_t trade_id; /* 0 = none (-1 on the wire) */
	bool maker;
	uint64_t t_ms;
	uint64_t exec_id;
	const char *orig_cid; /* cancels: the canceled order's clientOrderId, else NULL */
};

typedef void (*tt_vexec_fn)(void *ctx, const struct tt_vexec *e);
/* The engine changed a synthetic book (s->nchg level changes, s->ntrades trades, update_id
 * bumped when nchg > 0): the market must publish it like a random-walk step. */
typedef void (*tt_vsynth_fn)(void *ctx, int sym, const struct tt_vstep *s);

struct tt_vmatch {
	struct tt_vbook *books[TT_VENUE_MAX_SYMS];
	int nsyms;
	struct tt_vorder *ord; /* ord[id - 1] */
	size_t nord;
	size_t cap;
	uint32_t *live; /* indices of resting orders */
	size_t nlive;
	int32_t best[TT_VENUE_MAX_SYMS][2]; /* cached best resting index, -1 none, -2 stale */
	struct tt_vfill *fill;
	size_t nfill;
	size_t fcap;
	uint64_t seq;
	uint64_t exec_id;
	uint64_t prevented;
	tt_vexec_fn on_exec;
	void *exec_ctx;
	tt_vsynth_fn on_synth;
	void *synth_ctx;
	/* balances in 1e-8 of each asset, by account; asset names from the books */
	char assets[TT_VMATCH_ASSETS][8];
	int nassets;
	int64_t bal[TT_VMATCH_ACCTS][TT_VMATCH_ASSETS];
	uint64_t now_ms; /* time stamped on events (set by the caller, tests fix it) */
};

/* A new order. Values at 1e-8: px_e8 < 0 = not sent; qty_e8 < 0 = not sent. */
struct tt_vreq {
	int sym;
	int acct;
	int session;
	uint8_t side;
	uint8_t type;
	uint8_t tif;
	uint8_t stp;
	int64_t px_e8;
	int64_t qty_e8;
	int64_t quote_e8; /* quoteOrderQty, < 0 = not sent */
	const char *cid;  /* NULL or "" = generated */
	uint64_t strategy_id; /* strategyId param, 0 = not sent (echoed as "j") */
};

/* Prepares m over the books (not owned) with room for cap orders and fcap fills
 * (allocated here; tt_vmatch_fini frees). Returns 0 or -ENOMEM/-EINVAL. */
int tt_vmatch_init(struct tt_vmatch *m, struct tt_vbook *const *books, int nsyms, size_t cap,
		   size_t fcap) TT_WUR;
void tt_vmatch_fini(struct tt_vmatch *m);

/* Places an order. Returns 0 and *id (the order's id) when accepted (whatever it then did:
 * filled, rested, expired); a negative Binance error code when refused (no order made), with
 * *msg its text: -1013 filter failures, -2010 LIMIT_MAKER would take / table full /
 * "Duplicate order sent." (clientOrderId of an open order of the account), -1102
 * missing price/quantity, -1106 price on MARKET, -1121 bad symbol. */
int tt_vmatch_place(struct tt_vmatch *m, const struct tt_vreq *r, uint64_t *id,
		    const char **msg) TT_WUR;
/* Cancels a live order of acct; returns 0, or -2011 ("Unknown order sent.") with *msg. */
int tt_vmatch_cancel(struct tt_vmatch *m, int acct, uint64_t id, const char **msg) TT_WUR;
/* Finds an order of acct by id (id != 0) or clientOrderId; NULL if none. */
struct tt_vorder *tt_vmatch_find(struct tt_vmatch *m, int acct, int sym, uint64_t id,
				 const char *cid);
/* Feeds one random-walk step of sym (after tt_vbook_step) to the rules of 3. above. */
void tt_vmatch_on_step(struct tt_vmatch *m, int sym, const struct tt_vstep *s);
/* Cancels every live order of a session (cancel-on-disconnect); returns how many. */
int tt_vmatch_cancel_session(struct tt_vmatch *m, int session);

/* Writes {"orders":[..],"fills":[..],"positions":{acct:{symbol:net base qty}},
 * "balances":{acct:{asset:..}}} for acct (-1 = all) into buf; snprintf-style return. */
int tt_vmatch_dump(const struct tt_vmatch *m, int acct, char *buf, size_t cap);

const char *tt_vmatch_status_name(int st);
const char *tt_vmatch_type_name(int t);
const char *tt_vmatch_tif_name(int t);
const char *tt_vmatch_stp_name(int s);
const char *tt_vmatch_x_name(int x);

#endif /* TT_VMATCH_H */
