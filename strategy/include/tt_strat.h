/*
 * tt_strat.h — the strategy API of tt-strat (DESIGN §1). A strategy is a set of callbacks
 * compiled into the binary and chosen by name from config ([strategy] name = taker, with
 * its own [strategy.taker] section). tt-strat owns the loop: it applies market events to
 * the per-instrument view (struct tt_strat_book), exec reports to positions and open
 * orders, then calls the strategy; the strategy reads that state through the context and
 * emits order/cancel intents with tt_strat_order / tt_strat_cancel.
 *
 * Every intent carries the t_rx of the event being handled (the context sets it), so
 * tick-to-trade can be measured end to end. Callbacks run on the hot path: no
 * allocation, no syscalls, no floating point on prices (int64 fixed point; a strategy may
 * use doubles for its own signal arithmetic if it converts back exactly).
 */
#ifndef TT_STRAT_H
#define TT_STRAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_msg.h"

#define TT_STRAT_MAX_INSTR 16
#define TT_STRAT_MAX_OPEN 64
#define TT_STRAT_MAX_PARAMS 32

/* Top of book as tt-strat last saw it. */
struct tt_strat_book {
	tt_px_t bid_px, ask_px;		/* 0 when that side is empty */
	tt_qty_t bid_qty, ask_qty;
	uint64_t update_id;
	tt_tsc_t t_rx;			/* of the last update */
	bool live;			/* false while md reports stale or resyncing */
	tt_px_t last_trade_px;
};

struct tt_strat_open {			/* an order of ours the venue has not closed */
	uint64_t cl_ord_id;
	tt_px_t px;
	tt_qty_t leaves;
	uint16_t instr;
	uint8_t side;
	bool cancel_sent;
};

struct tt_strat_instr_cfg {
	bool enabled;
	uint8_t px_scale, qty_scale;
	tt_px_t tick;			/* price tick, price units */
	tt_qty_t step;			/* quantity step, qty units */
};

/* Per-strategy parameters from its config section: key=value with the line they came
 * from, so errors name file:line. */
struct tt_strat_param {
	const char *key;
	const char *value;
	int line;
};
struct tt_strat_params {
	const char *file;
	const char *section;		/* "strategy.taker" */
	int n;
	struct tt_strat_param p[TT_STRAT_MAX_PARAMS];
	uint32_t used;			/* bit per param read: unknown keys are errors */
};

struct tt_strat_ctx;

/* Where intents go: the process pushes them to the strat.oe ring; tests record them.
 * Returns 0 or -EAGAIN (ring full: the intent is not emitted and the strategy is told). */
typedef int (*tt_strat_sink_fn)(void *arg, const union tt_msg *m);

struct tt_strategy_ops {
	const char *name;
	size_t state_size;		/* bytes of private state tt-strat allocates at start */
	/* Parse params, set up state. 0 or -TT_ECONFIG (trail: FILE:LINE: section.key: ...). */
	int (*init)(void *st, struct tt_strat_ctx *c, struct tt_strat_params *p);
	void (*on_book)(void *st, struct tt_strat_ctx *c, uint16_t instr);
	void (*on_trade)(void *st, struct tt_strat_ctx *c, const struct tt_msg_trade *t);
	void (*on_exec)(void *st, struct tt_strat_ctx *c, const struct tt_msg_exec *e);
	void (*on_timer)(void *st, struct tt_strat_ctx *c, uint64_t now_ns);
};

struct tt_strat_ctx {
	struct tt_strat_book book[TT_STRAT_MAX_INSTR];
	struct tt_strat_instr_cfg instr[TT_STRAT_MAX_INSTR];
	tt_qty_t position[TT_STRAT_MAX_INSTR];
	tt_px_t cash[TT_STRAT_MAX_INSTR];	/* price units */
	struct tt_strat_open open[TT_STRAT_MAX_OPEN];
	uint32_t n_open;
	uint8_t strat_id;
	uint64_t next_cl_ord_id;	/* session-unique ids: (session << 32) | counter */
	tt_tsc_t cur_t_rx;		/* t_rx of the event being handled */
	tt_tsc_t cur_t_strat_rx;	/* when tt-strat took that event off the ring */
	uint32_t cur_md_pub_d;		/* md publish − t_rx of that event, ticks */
	uint32_t cur_cause;		/* its book update id (low 32 bits), 0 if not a book top */
	tt_tsc_t (*now)(void);		/* clock for t_decided (tt_clock_now in the process) */
	tt_strat_sink_fn sink;
	void *sink_arg;
	uint64_t seq;
	uint64_t intents, intents_refused;
};

/* ---- for strategies ---------------------------------------------------------------------- */

/* Emits a new-order intent; returns its client order id, or 0 when the sink refused it
 * (ring full) or the open-order table is full. The order is tracked as open at once (so
 * a strategy does not send it twice); it leaves when an exec report closes it. */
uint64_t tt_strat_order(struct tt_strat_ctx *c, uint16_t instr, enum tt_side side, tt_px_t px,
			tt_qty_t qty, enum tt_ord_type type, enum tt_tif tif);
/* Emits a cancel intent for an open order; 0 or -ENOENT/-EAGAIN. */
int tt_strat_cancel(struct tt_strat_ctx *c, uint64_t cl_ord_id);
/* Open orders of one instrument and side (count, up to max written). */
uint32_t tt_strat_open_orders(const struct tt_strat_ctx *c, uint16_t instr, int side,
			      const struct tt_strat_open **out, uint32_t max);

/* Parameter helpers: each marks the key used; a missing key takes def; a bad value is
 * -TT_ECONFIG with "FILE:LINE: section.key: expected ..., found \"...\"". */
int tt_strat_param_i64(struct tt_strat_params *p, const char *key, int64_t def, int64_t min,
		       int64_t max, int64_t *out) TT_WUR;
/* Every key that no helper read is an error ("unknown key"). */
int tt_strat_params_done(struct tt_strat_params *p) TT_WUR;

/* ---- for tt-strat (the process and the tests) -------------------------------------------- */

/* The registry: every compiled-in strategy. NULL-terminated. */
extern const struct tt_strategy_ops *const tt_strategies[];
const struct tt_strategy_ops *tt_strategy_find(const char *name);

void tt_strat_ctx_init(struct tt_strat_ctx *c, uint8_t strat_id, uint32_t session,
		       tt_strat_sink_fn sink, void *sink_arg, tt_tsc_t (*now)(void));
/* Applies one ring message to the context and calls the strategy (book top → on_book,
 * trade → on_trade, exec → on_exec after positions/open orders are updated, status →
 * book.live and on_book). t_strat_rx: when the message was taken off the ring. */
void tt_strat_dispatch(const struct tt_strategy_ops *ops, void *st, struct tt_strat_ctx *c,
		       const union tt_msg *m, tt_tsc_t t_strat_rx);

#endif /* TT_STRAT_H */
