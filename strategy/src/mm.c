/*
 * mm.c — the "mm" market maker: keeps one post-only bid and one post-only ask around the
 * mid, skewed against inventory, and requotes when the fair quotes move.
 *
 *   mid   = (bid + ask) / 2
 *   skew  = position × skew_ticks_per_unit / qty   (ticks; long → quotes lower)
 *   bid   = floor_tick(mid − half_spread_ticks·tick − skew·tick)
 *   ask   = ceil_tick (mid + half_spread_ticks·tick − skew·tick)
 *   a quote that would cross the book is moved one tick behind the opposite best.
 *
 * A side is not quoted when a fill there would take |position| beyond max_position.
 * When the wanted price differs from the resting one by ≥ requote_ticks, the resting
 * order is cancelled and a new one sent once the cancel is confirmed (never two live
 * quotes on one side). Stale or resyncing books pull all quotes.
 *
 * [strategy.mm]: qty, half_spread_ticks, skew_ticks_per_unit, max_position, requote_ticks.
 */
#include <string.h>

#include "tt_strat.h"

struct mm {
	int64_t qty, half_spread_ticks, skew_ticks_per_unit, max_position, requote_ticks;
};

static int mm_init(void *st, struct tt_strat_ctx *c, struct tt_strat_params *p)
{
	struct mm *m = st;
	int rc;

	(void)c;
	memset(m, 0, sizeof(*m));
	if ((rc = tt_strat_param_i64(p, "qty", 1000, 1, INT64_MAX / 4, &m->qty)) ||
	    (rc = tt_strat_param_i64(p, "half_spread_ticks", 2, 1, 1000000, &m->half_spread_ticks)) ||
	    (rc = tt_strat_param_i64(p, "skew_ticks_per_unit", 1, 0, 1000000, &m->skew_ticks_per_unit)) ||
	    (rc = tt_strat_param_i64(p, "max_position", 5000, 0, INT64_MAX / 4, &m->max_position)) ||
	    (rc = tt_strat_param_i64(p, "requote_ticks", 1, 1, 1000000, &m->requote_ticks)) ||
	    (rc = tt_strat_params_done(p)))
		return rc;
	return 0;
}

static tt_px_t floor_tick(tt_px_t px, tt_px_t tick)
{
	tt_px_t r = px % tick;

	return r >= 0 ? px - r : px - r - tick;
}

static tt_px_t ceil_tick(tt_px_t px, tt_px_t tick)
{
	tt_px_t f = floor_tick(px, tick);

	return f == px ? px : f + tick;
}

static void pull_side(struct tt_strat_ctx *c, uint16_t in, int side)
{
	const struct tt_strat_open *o[4];
	uint32_t n = tt_strat_open_orders(c, in, side, o, 4);

	for (uint32_t i = 0; i < n && i < 4; i++)
		(void)tt_strat_cancel(c, o[i]->cl_ord_id);
}

static void quote_side(struct mm *m, struct tt_strat_ctx *c, uint16_t in, int side, tt_px_t want)
{
	const struct tt_strat_open *o[4];
	uint32_t n = tt_strat_open_orders(c, in, side, o, 4);
	tt_px_t tick = c->instr[in].tick;

	if (n == 0) {
		(void)tt_strat_order(c, in, (enum tt_side)side, want, m->qty, TT_ORD_LIMIT_MAKER,
				     TT_TIF_GTC);
		return;
	}
	/* One live quote per side; move it only when it is far enough off. */
	if (n == 1 && !o[0]->cancel_sent) {
		tt_px_t diff = o[0]->px > want ? o[0]->px - want : want - o[0]->px;

		if (diff >= m->requote_ticks * tick)
			(void)tt_strat_cancel(c, o[0]->cl_ord_id);
	}
}

static void mm_on_book(void *st, struct tt_strat_ctx *c, uint16_t in)
{
	struct mm *m = st;
	const struct tt_strat_book *b = &c->book[in];
	tt_px_t tick = c->instr[in].tick, mid, skew, bid, ask;
	tt_qty_t pos = c->position[in];

	if (!c->instr[in].enabled || tick <= 0)
		return;
	if (!b->live || b->bid_px <= 0 || b->ask_px <= b->bid_px) {
		pull_side(c, in, TT_SIDE_BUY);
		pull_side(c, in, TT_SIDE_SELL);
		return;
	}
	mid = b->bid_px + (b->ask_px - b->bid_px) / 2;
	skew = (tt_px_t)((__int128)pos * m->skew_ticks_per_unit / m->qty) * tick;
	bid = floor_tick(mid - m->half_spread_ticks * tick - skew, tick);
	ask = ceil_tick(mid + m->half_spread_ticks * tick - skew, tick);
	if (bid >= b->ask_px)
		bid = b->ask_px - tick;
	if (ask <= b->bid_px)
		ask = b->bid_px + tick;
	if (pos + m->qty <= m->max_position)
		quote_side(m, c, in, TT_SIDE_BUY, bid);
	else
		pull_side(c, in, TT_SIDE_BUY);
	if (pos - m->qty >= -m->max_position)
		quote_side(m, c, in, TT_SIDE_SELL, ask);
	else
		pull_side(c, in, TT_SIDE_SELL);
}

static void mm_on_exec(void *st, struct tt_strat_ctx *c, const struct tt_msg_exec *e)
{
	/* After a fill or a confirmed cancel, requote from the current book at once. */
	if (e->exec_type == TT_EXEC_TRADE || e->exec_type == TT_EXEC_CANCELED)
		mm_on_book(st, c, e->h.instr);
}

const struct tt_strategy_ops tt_strategy_mm = {
	.name = "mm",
	.state_size = sizeof(struct mm),
	.init = mm_init,
	.on_book = mm_on_book,
	.on_exec = mm_on_exec,
};
