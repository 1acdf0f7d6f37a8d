/*
 * tt_oe.h — the order-entry engine (DESIGN §5): intents in, venue requests out, venue
 * answers back to execution reports, with every step journaled. The tt-oe process
 * (orderentry/main.c) is a thin shell over this: config, credentials, the TLS WebSocket
 * (tt_wsconn) and signals. Tests drive the same engine in-process.
 *
 * Per intent (hot path, no allocation, no syscall besides the send):
 *
 *   strat.oe ring ─▶ tt_oe_on_intent: filters (tt_oe_filter) ─▶ tt_risk_check_order
 *     ─▶ tt_order_add ─▶ journal INTENT ─▶ encode (tt_oe_binance) ─▶ tx.send
 *     ─▶ journal SEND ─▶ tt_order_sent / tt_risk_on_sent
 *   any refusal ─▶ TT_MSG_EXEC (RISK_REJECT or REJECTED, reason) + one structured event
 *   {reason, limit, value}; journal REJECT.
 *
 * Venue answers (tt_oe_on_frame): responses are matched to our request ids; user-data
 * executionReports drive the order table (fills by cumulative qty: never lost, never
 * doubled), each journaled (ACK, FILL, CANCELED, REJECT) before its exec is published on
 * oe.strat (lossless) and oe.gui / oe.analytics (lossy). A 5xx (or -1007) answer means the
 * outcome is unknown: the order is queried (order.status), never assumed.
 *
 * Session state machine (tt_oe_on_connected / tt_oe_on_disconnected):
 *
 *   DOWN ─ on_connected ─▶ LOGON ─ 200 ─▶ SUBSCRIBE ─ 200 ─▶ RECONCILE ─ all answered ─▶
 *   CANCEL_ALL ─ all answered ─▶ READY ─ on_disconnected ─▶ DOWN
 *   (HMAC mode skips LOGON; RECONCILE sends order.status for every order the journal
 *   says is open plus openOrders.status; CANCEL_ALL sends openOrders.cancelAll for every
 *   instrument: cancel-on-disconnect, done before any new intent is accepted.)
 *   Intents arriving outside READY are refused with TT_OE_R_NOT_READY.
 *
 * Kill switch (tt_oe_kill): blocks new orders (TT_RISK_KILL_SWITCH) and sends
 * openOrders.cancelAll for every instrument. Cancels are never blocked.
 *
 * Recovery (tt_oe_init on an existing journal): replay rebuilds the order table, open
 * quantities and positions; the RECONCILE step then asks the venue and journals every
 * difference as a RECONCILE record (then the FILL / CANCELED it implies) before trading.
 *
 * Fills are journaled per venue trade (FILL records carry the trade id and its real
 * price), so positions AND cash agree with the venue:
 *   executionReport TRADE ─▶ that one trade (l at L, id t) unless t is journaled already
 *     (t ≤ the order's last_trade_id: exact check in the journal, cold); if "z" still
 *     exceeds what we have, a trade was missed ─▶ myTrades for the order;
 *   an order picture with more executed qty than ours (order.status, openOrders.status,
 *     cancel / cancelAll / FULL answers) ─▶ myTrades (orderId) for that order; each trade
 *     not yet journaled ─▶ RECONCILE (4 = missed trade) + FILL at its price. In RECONCILE
 *     and CANCEL_ALL the answer is awaited before READY. Only when the venue id is unknown
 *     or myTrades is refused does the old estimate remain: executedQty at the limit price.
 */
#ifndef TT_OE_H
#define TT_OE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"
#include "tt_hist.h"
#include "tt_journal.h"
#include "tt_msg.h"
#include "tt_oe_binance.h"
#include "tt_oe_filter.h"
#include "tt_order.h"
#include "tt_risk.h"

struct tt_ring;

#define TT_OE_MAX_ORDERS 4096	/* order table slots (power of two) */
#define TT_OE_PENDING 1024	/* in-flight requests (power of two) */
#define TT_OE_MAX_INSTR 64

/* Where request bytes go. send: 0 once the bytes are handed to the kernel, or -errno. */
struct tt_oe_tx {
	int (*send)(void *ctx, const char *p, size_t n);
	void *ctx;
};

struct tt_oe_params {
	const struct tt_bn_instr *instr;	/* symbols, ids, scales */
	const struct tt_oe_filter *filters;	/* per instr[i] */
	uint32_t n_instr;
	struct tt_risk_limits limits;
	const char *journal_path;
	struct tt_journal_opts jopts;
	struct tt_bn_signer signer;		/* HMAC or SESSION */
	const char *api_key;			/* SESSION: for session.logon */
	struct tt_ed25519 *ed25519;		/* SESSION: signs the logon */
	struct tt_oe_tx tx;
	struct tt_ring *in;			/* strat.oe (consumer); NULL in tests that call on_intent */
	struct tt_ring *out;			/* oe.strat (producer, lossless) */
	struct tt_ring *gui;			/* oe.gui (lossy), may be NULL */
	struct tt_ring *analytics;		/* oe.analytics (lossy), may be NULL */
	struct tt_ring *ref;			/* md.ref (consumer, lossy BOOK_TOP), may be NULL */
};

enum tt_oe_state {
	TT_OE_DOWN = 0, TT_OE_LOGON, TT_OE_SUBSCRIBE, TT_OE_RECONCILE, TT_OE_CANCEL_ALL,
	TT_OE_READY
};

enum tt_oe_req_kind {
	TT_OE_REQ_FREE = 0, TT_OE_REQ_LOGON, TT_OE_REQ_SUBSCRIBE, TT_OE_REQ_PLACE,
	TT_OE_REQ_CANCEL, TT_OE_REQ_REPLACE, TT_OE_REQ_STATUS, TT_OE_REQ_OPEN_ORDERS,
	TT_OE_REQ_CANCEL_ALL, TT_OE_REQ_TRADES
};

struct tt_oe_req {		/* one in-flight request */
	uint64_t id;		/* request id (0 = free) */
	uint64_t cl_ord_id;	/* order it concerns */
	uint64_t new_cl_ord_id;	/* replace: the new order */
	uint8_t kind;		/* enum tt_oe_req_kind */
	uint16_t instr;
	bool staged;		/* TRADES: counted in awaiting (RECONCILE / CANCEL_ALL) */
	uint64_t venue_id;	/* TRADES: the order's venue id */
};

/* Per-stage latency, ns, log-linear buckets (8 per power of two). */
/* Tick-to-trade by stage, from the stamps an intent carries (tt_msg.h) and tt-oe's own;
 * one always-on histogram each (tt_hist.h). */
enum tt_oe_stage {
	TT_OE_ST_MD_PUB = 0,	/* t_rx → tt-md published (h.flags of the causing top) */
	TT_OE_ST_STRAT_RX,	/* md published → tt-strat took it off the ring */
	TT_OE_ST_DECIDE,	/* strat received → strategy decided */
	TT_OE_ST_TO_OE,		/* decided → tt-oe took the intent off the ring */
	TT_OE_ST_RISK,		/* received → filters + risk done */
	TT_OE_ST_ENCODE,	/* risk done → request encoded (and journaled) */
	TT_OE_ST_SEND,		/* encoded → bytes handed to the kernel */
	TT_OE_ST_T2T,		/* internal tick-to-trade: t_rx → handed to the kernel */
	TT_OE_ST_MAX
};

struct tt_oe_counters {
	uint64_t intents, sent, acks, fills, cancels, rejects, risk_rejects, filter_rejects;
	uint64_t venue_rejects, unknown_outcomes, status_queries, reconciled, decode_errors;
	uint64_t unknown_reports, dup_fills, send_errors, exec_drops, journal_errors;
	uint64_t foreign_reports;
	uint64_t trade_queries, trades_recovered;	/* myTrades sent; trades journaled from it */
};

struct tt_oe {
	struct tt_oe_params p;
	struct tt_journal j;
	struct tt_order_table orders;
	struct tt_order slots[TT_OE_MAX_ORDERS];
	struct tt_risk risk;
	struct tt_bn_symtab symtab;
	struct tt_bn_instr instr[TT_OE_MAX_INSTR];
	struct tt_oe_filter filters[TT_OE_MAX_INSTR];
	int16_t by_id[TT_RISK_MAX_INSTR];	/* instrument id → index in instr[], -1 */
	struct tt_oe_req pending[TT_OE_PENDING];
	uint64_t next_req;
	uint64_t exec_seq;
	uint64_t an_seq;			/* oe.analytics exec key: CLOCK_REALTIME ns at
						 * init + count, unique across restarts */
	uint32_t state;				/* enum tt_oe_state */
	uint32_t awaiting;			/* answers outstanding in RECONCILE/CANCEL_ALL */
	bool killed;
	bool sticky;				/* journal failed: refuse all new orders */
	struct tt_oe_counters c;
	struct tt_hist hist[TT_OE_ST_MAX];
	char txbuf[TT_BN_REQ_MAX];
};

/* Sets up oe (caller storage, large: keep it static or mmap'd): copies params, opens
 * the journal (recovering an existing one; mid-file corruption fails with -TT_EPROTO),
 * replays it into orders/risk. 0 or -errno / -TT_E*. State DOWN. */
int tt_oe_init(struct tt_oe *oe, const struct tt_oe_params *p) __tt_cold TT_WUR;
void tt_oe_fini(struct tt_oe *oe);

/* Connection events from the transport. */
void tt_oe_on_connected(struct tt_oe *oe);
void tt_oe_on_disconnected(struct tt_oe *oe);

/* One intent (TT_MSG_ORDER or TT_MSG_CANCEL); t_in = TSC when oe took it. 0, or the
 * refusal reason (> 0; an exec was published). */
uint32_t tt_oe_on_intent(struct tt_oe *oe, const union tt_msg *m, uint64_t t_in);
/* One venue frame (text). 0 or -TT_EPROTO (counted and logged; never fatal). */
int tt_oe_on_frame(struct tt_oe *oe, const char *p, size_t n, uint64_t t_rx);

/* Drains the intent ring and the reference ring without waiting, flushes the journal per
 * policy. Returns intents handled. */
int tt_oe_poll(struct tt_oe *oe);

/* Kill switch: on blocks new orders and cancels all open orders at the venue. */
void tt_oe_kill(struct tt_oe *oe, bool on);

/* Position of an instrument (qty units), from fills. */
tt_qty_t tt_oe_position(const struct tt_oe *oe, uint16_t instr);

/* Latency histograms. */
/* The stage names, in enum order ("md_publish", …, "t2t_internal"). */
extern const char *const tt_oe_stage_names[TT_OE_ST_MAX];
void tt_oe_print_stats(const struct tt_oe *oe, FILE *f);
/* The same as log events: one oe_stage_latency per stage, then oe_summary. */
void tt_oe_log_stats(const struct tt_oe *oe);

const char *tt_oe_state_name(uint32_t s);

#endif /* TT_OE_H */
