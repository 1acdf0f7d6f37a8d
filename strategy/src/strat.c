/*
 * strat.c — the strategy context: applies ring messages to the view strategies read
 * (books, positions, open orders), dispatches callbacks, emits intents with their
 * timing stamps, and the registry and parameter helpers.
 */
#include "tt_strat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_err.h"

extern const struct tt_strategy_ops tt_strategy_taker;
extern const struct tt_strategy_ops tt_strategy_mm;

const struct tt_strategy_ops *const tt_strategies[] = {
	&tt_strategy_taker,
	&tt_strategy_mm,
	NULL,
};

const struct tt_strategy_ops *tt_strategy_find(const char *name)
{
	for (int i = 0; tt_strategies[i]; i++)
		if (strcmp(tt_strategies[i]->name, name) == 0)
			return tt_strategies[i];
	return NULL;
}

void tt_strat_ctx_init(struct tt_strat_ctx *c, uint8_t strat_id, uint32_t session,
		       tt_strat_sink_fn sink, void *sink_arg, tt_tsc_t (*now)(void))
{
	memset(c, 0, sizeof(*c));
	c->strat_id = strat_id;
	c->next_cl_ord_id = ((uint64_t)session << 32) | 1;
	c->sink = sink;
	c->sink_arg = sink_arg;
	c->now = now;
}

/* a − b in ticks, clamped to uint32 (stage stamps are deltas from t_rx). */
static uint32_t delta32(tt_tsc_t a, tt_tsc_t b)
{
	if (a <= b)
		return 0;
	return a - b > UINT32_MAX ? UINT32_MAX : (uint32_t)(a - b);
}

static struct tt_strat_open *find_open(struct tt_strat_ctx *c, uint64_t id)
{
	for (uint32_t i = 0; i < c->n_open; i++)
		if (c->open[i].cl_ord_id == id)
			return &c->open[i];
	return NULL;
}

static void drop_open(struct tt_strat_ctx *c, struct tt_strat_open *o)
{
	*o = c->open[--c->n_open];
}

uint64_t tt_strat_order(struct tt_strat_ctx *c, uint16_t instr, enum tt_side side, tt_px_t px,
			tt_qty_t qty, enum tt_ord_type type, enum tt_tif tif)
{
	union tt_msg m;
	uint64_t id;

	if (c->n_open >= TT_STRAT_MAX_OPEN) {
		c->intents_refused++;
		return 0;
	}
	memset(&m, 0, sizeof(m));
	id = c->next_cl_ord_id;
	m.order.h.kind = TT_MSG_ORDER;
	m.order.h.instr = instr;
	m.order.h.seq = ++c->seq;
	m.order.h.t_rx = c->cur_t_rx;
	m.order.h.flags = c->cur_cause; /* the causing update id (tt_msg.h), for w2w */
	m.order.cl_ord_id = id;
	m.order.px = px;
	m.order.qty = qty;
	m.order.side = (uint8_t)side;
	m.order.type = (uint8_t)type;
	m.order.tif = (uint8_t)tif;
	m.order.strat_id = c->strat_id;
	m.order.t_md_pub_d = c->book[instr].t_rx ? c->cur_md_pub_d : 0;
	m.order.t_strat_rx_d = delta32(c->cur_t_strat_rx, c->cur_t_rx);
	m.order.t_decided_d = c->now ? delta32(c->now(), c->cur_t_rx) : 0;
	if (c->sink(c->sink_arg, &m) != 0) {
		c->seq--;
		c->intents_refused++;
		return 0;
	}
	c->next_cl_ord_id++;
	c->intents++;
	c->open[c->n_open++] = (struct tt_strat_open){
		.cl_ord_id = id, .px = px, .leaves = qty, .instr = instr, .side = (uint8_t)side,
	};
	return id;
}

int tt_strat_cancel(struct tt_strat_ctx *c, uint64_t id)
{
	struct tt_strat_open *o = find_open(c, id);
	union tt_msg m;

	if (!o)
		return -ENOENT;
	if (o->cancel_sent)
		return 0;
	memset(&m, 0, sizeof(m));
	m.cancel.h.kind = TT_MSG_CANCEL;
	m.cancel.h.instr = o->instr;
	m.cancel.h.seq = ++c->seq;
	m.cancel.h.t_rx = c->cur_t_rx;
	m.cancel.cl_ord_id = id;
	m.cancel.strat_id = c->strat_id;
	if (c->sink(c->sink_arg, &m) != 0) {
		c->seq--;
		c->intents_refused++;
		return -EAGAIN;
	}
	c->intents++;
	o->cancel_sent = true;
	return 0;
}

uint32_t tt_strat_open_orders(const struct tt_strat_ctx *c, uint16_t instr, int side,
			      const struct tt_strat_open **out, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->n_open; i++) {
		if (c->open[i].instr != instr || c->open[i].side != side)
			continue;
		if (n < max)
			out[n] = &c->open[i];
		n++;
	}
	return n;
}

static void apply_exec(struct tt_strat_ctx *c, const struct tt_msg_exec *e)
{
	struct tt_strat_open *o = find_open(c, e->cl_ord_id);
	uint16_t in = e->h.instr;

	if (e->exec_type == TT_EXEC_TRADE && in < TT_STRAT_MAX_INSTR) {
		/* cash in price units: px × qty / 10^qty_scale, 128-bit to avoid overflow */
		__int128 n = (__int128)e->last_px * e->last_qty;
		int64_t div = 1;

		for (int i = 0; i < c->instr[in].qty_scale; i++)
			div *= 10;
		n /= div;
		if (e->side == TT_SIDE_BUY) {
			c->position[in] += e->last_qty;
			c->cash[in] -= (int64_t)n;
		} else {
			c->position[in] -= e->last_qty;
			c->cash[in] += (int64_t)n;
		}
		if (o)
			o->leaves -= e->last_qty;
	}
	if (!o)
		return;
	if (o->leaves <= 0 || e->exec_type == TT_EXEC_CANCELED ||
	    e->exec_type == TT_EXEC_REJECTED || e->exec_type == TT_EXEC_EXPIRED ||
	    e->exec_type == TT_EXEC_RISK_REJECT || e->exec_type == TT_EXEC_REPLACED)
		drop_open(c, o);
}

void tt_strat_dispatch(const struct tt_strategy_ops *ops, void *st, struct tt_strat_ctx *c,
		       const union tt_msg *m, tt_tsc_t t_strat_rx)
{
	uint16_t in = m->h.instr;

	if (in >= TT_STRAT_MAX_INSTR)
		return;
	c->cur_t_rx = m->h.t_rx;
	c->cur_t_strat_rx = t_strat_rx;
	c->cur_cause = m->h.kind == TT_MSG_BOOK_TOP ? (uint32_t)m->top.update_id : 0;
	switch (m->h.kind) {
	case TT_MSG_BOOK_TOP: {
		struct tt_strat_book *b = &c->book[in];

		b->bid_px = m->top.bid_px;
		b->bid_qty = m->top.bid_qty;
		b->ask_px = m->top.ask_px;
		b->ask_qty = m->top.ask_qty;
		b->update_id = m->top.update_id;
		b->t_rx = m->h.t_rx;
		b->live = true;
		c->cur_md_pub_d = m->h.flags; /* BOOK_TOP: flags = publish − t_rx (tt_msg.h) */
		if (ops->on_book)
			ops->on_book(st, c, in);
		break;
	}
	case TT_MSG_TRADE:
		c->book[in].last_trade_px = m->trade.px;
		c->cur_md_pub_d = m->h.flags;
		if (ops->on_trade)
			ops->on_trade(st, c, &m->trade);
		break;
	case TT_MSG_EXEC:
		apply_exec(c, &m->exec);
		if (ops->on_exec)
			ops->on_exec(st, c, &m->exec);
		break;
	case TT_MSG_STATUS:
		c->book[in].live = !(m->h.flags & (TT_STATUS_STALE | TT_STATUS_RESYNC));
		break;
	default:
		break;
	}
}

static struct tt_strat_param *param_find(struct tt_strat_params *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->p[i].key, key) == 0) {
			p->used |= 1u << i;
			return &p->p[i];
		}
	return NULL;
}

int tt_strat_param_i64(struct tt_strat_params *p, const char *key, int64_t def, int64_t min,
		       int64_t max, int64_t *out)
{
	struct tt_strat_param *kv = param_find(p, key);
	char *end;
	long long v;

	if (!kv) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoll(kv->value, &end, 10);
	if (errno || end == kv->value || *end || v < min || v > max)
		return tt_err_set(-TT_ECONFIG,
				  "%s:%d: %s.%s: expected integer %lld..%lld, found \"%s\"", p->file,
				  kv->line, p->section, key, (long long)min, (long long)max,
				  kv->value);
	*out = v;
	return 0;
}

int tt_strat_params_done(struct tt_strat_params *p)
{
	for (int i = 0; i < p->n; i++)
		if (!(p->used & (1u << i)))
			return tt_err_set(-TT_ECONFIG, "%s:%d: %s.%s: unknown key", p->file,
					  p->p[i].line, p->section, p->p[i].key);
	return 0;
}
