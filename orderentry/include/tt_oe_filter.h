/*
 * tt_oe_filter.h — the venue's instrument filters (VENUES.md, the venue's filters.md),
 * enforced in tt-oe before sending so that no avoidable reject leaves: PRICE_FILTER
 * (tick, min/max price), LOT_SIZE (step, min/max qty), MIN_NOTIONAL / NOTIONAL (min/max
 * notional). One small O(1) function per rule; a zero bound disables that rule, as at the
 * venue. Integers only: prices and quantities at the instrument's scales; notional is
 * px × qty / 10^qty_scale in price units, computed in 128 bits.
 *
 * Filters come from the config's [instrument.*] sections (tt_oe_filter_from_config)
 * and/or the venue's exchangeInfo (tt_bn_decode_exchange_info, which refuses a filter
 * finer than the configured scales rather than round it).
 */
#ifndef TT_OE_FILTER_H
#define TT_OE_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_msg.h"

struct tt_oe_filter {
	uint8_t px_scale;
	uint8_t qty_scale;
	int64_t tick;		/* PRICE_FILTER tickSize, 0 = off */
	int64_t min_px;		/* minPrice, 0 = off */
	int64_t max_px;		/* maxPrice, 0 = off */
	int64_t step;		/* LOT_SIZE stepSize, 0 = off */
	int64_t min_qty;	/* minQty, 0 = off */
	int64_t max_qty;	/* maxQty, 0 = off */
	int64_t min_notional;	/* MIN_NOTIONAL / NOTIONAL minNotional, price units, 0 = off */
	int64_t max_notional;	/* NOTIONAL maxNotional, 0 = off */
	bool notional_market;	/* applyToMarket / applyMinToMarket */
};

/* Each returns 0 (passes) or the TT_OE_R_FILTER_* reason (tt_oe_binance.h). */
uint32_t tt_oe_filter_tick(const struct tt_oe_filter *f, tt_px_t px);
uint32_t tt_oe_filter_price_range(const struct tt_oe_filter *f, tt_px_t px);
uint32_t tt_oe_filter_step(const struct tt_oe_filter *f, tt_qty_t qty);
uint32_t tt_oe_filter_min_qty(const struct tt_oe_filter *f, tt_qty_t qty);
uint32_t tt_oe_filter_max_qty(const struct tt_oe_filter *f, tt_qty_t qty);
uint32_t tt_oe_filter_min_notional(const struct tt_oe_filter *f, tt_px_t px, tt_qty_t qty);
uint32_t tt_oe_filter_max_notional(const struct tt_oe_filter *f, tt_px_t px, tt_qty_t qty);

/* All of them for an order. MARKET orders skip the price rules and check notional at
 * ref_px (the reference price; 0 = unknown, skipped) only when notional_market. */
uint32_t tt_oe_filter_check(const struct tt_oe_filter *f, const struct tt_msg_order *o,
			    tt_px_t ref_px);

/* px × qty at the scales, in price units (truncated), saturating at INT64_MAX. */
int64_t tt_oe_notional(tt_px_t px, tt_qty_t qty, unsigned qty_scale);

#endif /* TT_OE_FILTER_H */
