/*
 * filter.c — the venue's instrument filters checked before sending (tt_oe_filter.h).
 * LOT_SIZE's step is measured from minQty, as the venue does: (qty − minQty) % step == 0.
 */
#include "tt_oe_filter.h"

#include "tt_fixed.h"
#include "tt_oe_binance.h"

int64_t tt_oe_notional(tt_px_t px, tt_qty_t qty, unsigned qty_scale)
{
	__int128 n = (__int128)px * qty;

	if (qty_scale <= TT_FIXED_MAX_SCALE)
		n /= tt_fixed_pow10[qty_scale];
	if (n > INT64_MAX)
		return INT64_MAX;
	if (n < INT64_MIN)
		return INT64_MIN;
	return (int64_t)n;
}

uint32_t tt_oe_filter_tick(const struct tt_oe_filter *f, tt_px_t px)
{
	return f->tick > 0 && px % f->tick != 0 ? TT_OE_R_FILTER_TICK : 0;
}

uint32_t tt_oe_filter_price_range(const struct tt_oe_filter *f, tt_px_t px)
{
	if (f->min_px > 0 && px < f->min_px)
		return TT_OE_R_FILTER_PRICE_RANGE;
	if (f->max_px > 0 && px > f->max_px)
		return TT_OE_R_FILTER_PRICE_RANGE;
	return 0;
}

uint32_t tt_oe_filter_step(const struct tt_oe_filter *f, tt_qty_t qty)
{
	return f->step > 0 && (qty - f->min_qty) % f->step != 0 ? TT_OE_R_FILTER_STEP : 0;
}

uint32_t tt_oe_filter_min_qty(const struct tt_oe_filter *f, tt_qty_t qty)
{
	return qty < f->min_qty ? TT_OE_R_FILTER_MIN_QTY : 0;
}

uint32_t tt_oe_filter_max_qty(const struct tt_oe_filter *f, tt_qty_t qty)
{
	return f->max_qty > 0 && qty > f->max_qty ? TT_OE_R_FILTER_MAX_QTY : 0;
}

uint32_t tt_oe_filter_min_notional(const struct tt_oe_filter *f, tt_px_t px, tt_qty_t qty)
{
	if (f->min_notional <= 0)
		return 0;
	/* exact comparison: px × qty ≥ min × 10^qty_scale, no truncation at the boundary */
	if ((__int128)px * qty < (__int128)f->min_notional * tt_fixed_pow10[f->qty_scale])
		return TT_OE_R_FILTER_MIN_NOTIONAL;
	return 0;
}

uint32_t tt_oe_filter_max_notional(const struct tt_oe_filter *f, tt_px_t px, tt_qty_t qty)
{
	if (f->max_notional <= 0)
		return 0;
	if ((__int128)px * qty > (__int128)f->max_notional * tt_fixed_pow10[f->qty_scale])
		return TT_OE_R_FILTER_MAX_NOTIONAL;
	return 0;
}

uint32_t tt_oe_filter_check(const struct tt_oe_filter *f, const struct tt_msg_order *o,
			    tt_px_t ref_px)
{
	uint32_t r;
	tt_px_t npx = o->px;

	if (o->type != TT_ORD_MARKET) {
		if ((r = tt_oe_filter_tick(f, o->px)) || (r = tt_oe_filter_price_range(f, o->px)))
			return r;
	}
	if ((r = tt_oe_filter_min_qty(f, o->qty)) || (r = tt_oe_filter_max_qty(f, o->qty)) ||
	    (r = tt_oe_filter_step(f, o->qty)))
		return r;
	if (o->type == TT_ORD_MARKET) {
		if (!f->notional_market || ref_px <= 0)
			return 0;
		npx = ref_px;
	}
	if ((r = tt_oe_filter_min_notional(f, npx, o->qty)) ||
	    (r = tt_oe_filter_max_notional(f, npx, o->qty)))
		return r;
	return 0;
}
