/*
 * fuzz_oe_common.h — shared by the fuzz_oe_* targets: a small symbol table and the
 * checks every Binance WS API decoder must keep on hostile bytes.
 */
#ifndef FUZZ_OE_COMMON_H
#define FUZZ_OE_COMMON_H

#include <stdlib.h>

#include "tt_err.h"
#include "tt_oe_binance.h"

static const struct tt_bn_instr fuzz_oe_instrs[] = {
	{ "BTCUSDT", 1, 8, 8 },
	{ "ETHBTC", 2, 8, 8 },
	{ "BNBUSDT", 3, 2, 3 },
};
static const struct tt_bn_symtab fuzz_oe_symtab = { fuzz_oe_instrs, 3 };

/* A refusal has -TT_EPROTO, a code and a position inside the input. */
static inline void fuzz_oe_check(int rc, const struct tt_bn_perr *e, size_t size)
{
	if (rc < 0 && (rc != -TT_EPROTO || e->code == 0 || e->pos > size))
		abort();
}

static inline void fuzz_oe_check_order(const struct tt_bn_order *o)
{
	if (o->instr < 1 || o->instr > 3 || o->px < 0 || o->qty < 0 || o->cum_qty < 0 ||
	    o->last_qty < 0 || o->last_px < 0)
		abort();
}

/* A decoded trade: known instrument, price >= 0, qty > 0, quoteQty >= -1, raw slices
 * inside [p, end). */
static inline void fuzz_oe_check_trade(const struct tt_bn_trade *t, const char *p,
				       const char *end)
{
	if (t->instr < 1 || t->instr > 3 || t->px < 0 || t->qty <= 0 || t->quote_qty < -1)
		abort();
	if (t->commission && (t->commission < p || t->commission + t->commission_len > end))
		abort();
	if (t->commission_asset && (t->commission_asset < p ||
				    t->commission_asset + t->commission_asset_len > end))
		abort();
}

#endif /* FUZZ_OE_COMMON_H */
