/*
 * taker.c — the "taker" strategy: crosses the spread when the top-of-book imbalance
 * says the price is about to move. Signal on each book update of a live instrument:
 *
 *   imb = bid_qty / (bid_qty + ask_qty)   (in percent, integer arithmetic)
 *   imb ≥ imbalance_pct        → buy  qty at the ask (IOC limit)
 *   imb ≤ 100 − imbalance_pct  → sell qty at the bid (IOC limit)
 *
 * only when the spread is at most max_spread_ticks, the intended position stays within
 * ±max_position, and at least cooldown_events book updates passed since its last order
 * (counted in events, not time, so a replayed feed gives the same orders: the end-to-end
 * test depends on that). The intended position counts orders sent, not fills, for the same
 * reason; fills correct it through on_exec when an IOC order is not (fully) filled.
 *
 * [strategy.taker]: qty (qty units), imbalance_pct (51..99), max_position (qty units),
 * max_spread_ticks, cooldown_events, max_orders (0 = no limit).
 */
#include <string.h>

#include "tt_strat.h"

struct taker {
	int64_t qty, imbalance_pct, max_position, max_spread_ticks, cooldown_events, max_orders;
	int64_t intended[TT_STRAT_MAX_INSTR];	/* position if every order filled */
	uint64_t events_since[TT_STRAT_MAX_INSTR];
	uint64_t orders;
};

static int taker_init(void *st, struct tt_strat_ctx *c, struct tt_strat_params *p)
{
	struct taker *t = st;
	int rc;

	(void)c;
	memset(t, 0, sizeof(*t));
	if ((rc = tt_strat_param_i64(p, "qty", 1000, 1, INT64_MAX / 4, &t->qty)) ||
	    (rc = tt_strat_param_i64(p, "imbalance_pct", 70, 51, 99, &t->imbalance_pct)) ||
	    (rc = tt_strat_param_i64(p, "max_position", 5000, 0, INT64_MAX / 4, &t->max_position)) ||
	    (rc = tt_strat_param_i64(p, "max_spread_ticks", 5, 1, 1000000, &t->max_spread_ticks)) ||
	    (rc = tt_strat_param_i64(p, "cooldown_events", 50, 0, 100000000, &t->cooldown_events)) ||
	    (rc = tt_strat_param_i64(p, "max_orders", 0, 0, INT64_MAX, &t->max_orders)) ||
	    (rc = tt_strat_params_done(p)))
		return rc;
	for (int i = 0; i < TT_STRAT_MAX_INSTR; i++)
		t->events_since[i] = (uint64_t)t->cooldown_events; /* may trade at once */
	return 0;
}

static void taker_on_book(void *st, struct tt_strat_ctx *c, uint16_t in)
{
	struct taker *t = st;
	const struct tt_strat_book *b = &c->book[in];
	const struct tt_strat_instr_cfg *ic = &c->instr[in];
	__int128 tot;
	int64_t imb_pct;
	enum tt_side side;

	t->events_since[in]++;
	if (!ic->enabled || !b->live || b->bid_px <= 0 || b->ask_px <= b->bid_px)
		return;
	if (t->events_since[in] <= (uint64_t)t->cooldown_events)
		return;
	if (t->max_orders && t->orders >= (uint64_t)t->max_orders)
		return;
	if ((b->ask_px - b->bid_px) > t->max_spread_ticks * ic->tick)
		return;
	tot = (__int128)b->bid_qty + b->ask_qty;
	if (tot <= 0)
		return;
	imb_pct = (int64_t)((__int128)b->bid_qty * 100 / tot);
	if (imb_pct >= t->imbalance_pct)
		side = TT_SIDE_BUY;
	else if (imb_pct <= 100 - t->imbalance_pct)
		side = TT_SIDE_SELL;
	else
		return;
	if (side == TT_SIDE_BUY ? t->intended[in] + t->qty > t->max_position
				: t->intended[in] - t->qty < -t->max_position)
		return;
	if (!tt_strat_order(c, in, side, side == TT_SIDE_BUY ? b->ask_px : b->bid_px, t->qty,
			    TT_ORD_LIMIT, TT_TIF_IOC))
		return;
	t->intended[in] += side == TT_SIDE_BUY ? t->qty : -t->qty;
	t->events_since[in] = 0;
	t->orders++;
}

static void taker_on_exec(void *st, struct tt_strat_ctx *c, const struct tt_msg_exec *e)
{
	struct taker *t = st;
	int64_t unfilled;

	(void)c;
	if (e->h.instr >= TT_STRAT_MAX_INSTR)
		return;
	/* The IOC remainder never trades: take it out of the intended position. */
	if (e->exec_type == TT_EXEC_CANCELED || e->exec_type == TT_EXEC_EXPIRED ||
	    e->exec_type == TT_EXEC_REJECTED || e->exec_type == TT_EXEC_RISK_REJECT) {
		unfilled = t->qty - e->cum_qty;
		if (unfilled > 0)
			t->intended[e->h.instr] -= e->side == TT_SIDE_BUY ? unfilled : -unfilled;
	}
}

const struct tt_strategy_ops tt_strategy_taker = {
	.name = "taker",
	.state_size = sizeof(struct taker),
	.init = taker_init,
	.on_book = taker_on_book,
	.on_exec = taker_on_exec,
};
