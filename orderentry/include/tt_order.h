/*
 * tt_order.h — tt-oe's order state (DESIGN §5), keyed by client order id, in a fixed
 * table allocated once (no allocation per order).
 *
 *                      tt_order_sent            tt_order_acked
 *   tt_order_add ──▶ NEW ─────────────▶ SENT ─────────────▶ ACKED
 *                     │                  │                   │  tt_order_exec(fill)
 *                     │ (risk reject)    │ tt_order_exec      ▼
 *                     ▼                  │ (fill before ack)  PARTIAL ──▶ FILLED
 *                  REJECTED ◀────────────┤                   │
 *                                        └──▶ CANCELED / EXPIRED (from SENT/ACKED/PARTIAL)
 *
 *   pending_cancel / pending_replace are flags on a live order, set by
 *   tt_order_cancel_sent, cleared by the outcome (CANCELED, or a cancel reject
 *   tt_order_cancel_rejected when the order already filled).
 *
 * Fills are applied by cumulative quantity: a report whose cum_qty is not above the
 * order's is a duplicate (counted, ignored); one that skips ahead applies the missing
 * quantity at its price (no fill is ever lost, none double counted). A fill arriving
 * after the order is CANCELED/EXPIRED (the cancel raced a trade) is still applied and
 * counted as late. Reports for unknown ids return -ENOENT: the caller logs them as
 * structured events and queries the venue; they are never silently dropped.
 */
#ifndef TT_ORDER_H
#define TT_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_msg.h"

enum tt_ord_state {
	TT_OS_FREE = 0,	/* table slot unused */
	TT_OS_NEW,	/* accepted by risk, not yet sent */
	TT_OS_SENT,	/* bytes handed to the kernel */
	TT_OS_ACKED,	/* venue: NEW */
	TT_OS_PARTIAL,	/* venue: PARTIALLY_FILLED */
	TT_OS_FILLED,	/* terminal */
	TT_OS_CANCELED,	/* terminal */
	TT_OS_REJECTED,	/* terminal */
	TT_OS_EXPIRED,	/* terminal */
	TT_OS_MAX
};

struct tt_order {
	uint64_t cl_ord_id;
	uint64_t venue_id;		/* venue order id once acked */
	tt_px_t px;
	tt_qty_t qty;			/* original quantity */
	tt_qty_t cum_qty;		/* filled so far */
	tt_px_t cum_notional;		/* Σ px × qty of fills (raw product, scale px+qty) */
	uint16_t instr;
	uint8_t side, type, tif;
	uint8_t state;			/* enum tt_ord_state */
	bool pending_cancel;
	bool tombstone;			/* retired: slot reusable, keeps probe chains intact */
	uint64_t t_rx;			/* causing market event, for tick-to-trade */
	int64_t last_trade_id;		/* highest venue trade id journaled for it (tt-oe) */
};

struct tt_order_stats {
	uint64_t added, filled, canceled, rejected, expired;
	uint64_t dup_fills, late_fills, unknown_reports, bad_transitions;
};

struct tt_order_table {
	struct tt_order *slots;		/* caller storage, capacity entries */
	uint32_t mask;			/* capacity - 1 (power of two) */
	uint32_t live;			/* orders not FREE */
	uint32_t open;			/* orders in NEW/SENT/ACKED/PARTIAL */
	struct tt_order_stats st;
};

/* A fill as applied (what changed): last_qty/last_px are what position keeping uses. */
struct tt_fill {
	tt_qty_t last_qty;
	tt_px_t last_px;
	bool late;	/* after cancel/expiry */
};

/* storage: capacity slots (power of two ≥ 16), zeroed here. -EINVAL otherwise. */
int tt_order_table_init(struct tt_order_table *t, struct tt_order *storage, uint32_t capacity) TT_WUR;

/* NULL if absent. */
struct tt_order *tt_order_find(struct tt_order_table *t, uint64_t cl_ord_id);

/* Adds a NEW order from an intent. -EEXIST for a duplicate id, -ENOSPC when the table is
 * over 3/4 full (retire terminal orders first). */
int tt_order_add(struct tt_order_table *t, const struct tt_msg_order *o) TT_WUR;

int tt_order_sent(struct tt_order_table *t, uint64_t id) TT_WUR;
int tt_order_acked(struct tt_order_table *t, uint64_t id, uint64_t venue_id) TT_WUR;
/* Applies a fill report with the venue's cumulative qty. 1 = applied (out filled), 0 =
 * duplicate (ignored), -ENOENT unknown id. */
int tt_order_exec(struct tt_order_table *t, uint64_t id, tt_qty_t cum_qty, tt_px_t last_px,
		  struct tt_fill *out) TT_WUR;
int tt_order_cancel_sent(struct tt_order_table *t, uint64_t id) TT_WUR;
int tt_order_cancel_rejected(struct tt_order_table *t, uint64_t id) TT_WUR;
/* Terminal outcomes: CANCELED, REJECTED, EXPIRED. Returns the leaves qty released
 * (≥ 0), or -ENOENT / -EINVAL (bad transition: counted, state unchanged). */
int64_t tt_order_done(struct tt_order_table *t, uint64_t id, enum tt_ord_state outcome) TT_WUR;

/* Frees a terminal order's slot (after analytics/journal no longer need it). */
int tt_order_retire(struct tt_order_table *t, uint64_t id) TT_WUR;

static inline bool tt_order_is_open(const struct tt_order *o)
{
	return o->state >= TT_OS_NEW && o->state <= TT_OS_PARTIAL;
}

const char *tt_order_state_name(enum tt_ord_state s);

/* Invariant checker (tests run it after each step): counts match, cum ≤ qty, FILLED iff
 * cum == qty. */
bool tt_order_table_check(const struct tt_order_table *t);

#endif /* TT_ORDER_H */
