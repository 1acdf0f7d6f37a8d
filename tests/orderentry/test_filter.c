/*
 * test_filter.c — each instrument filter on its own at its boundaries, the combined check,
 * and filters loaded from the docs' exchangeInfo example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tt_err.h"
#include "tt_msg.h"
#include "tt_oe_binance.h"
#include "tt_oe_filter.h"

#include "bn_doc_fixtures.h"

/* BTCUSDT-like at px scale 2, qty scale 5: tick 0.01, step 0.00001, min qty 0.00001,
 * max qty 9000, min notional 5.00, max notional 9,000,000.00, price 0.01..1,000,000 */
static const struct tt_oe_filter F = {
	.px_scale = 2, .qty_scale = 5, .tick = 1, .min_px = 1, .max_px = 100000000,
	.step = 1, .min_qty = 1, .max_qty = 900000000, .min_notional = 500,
	.max_notional = 900000000,
};

static void test_tick_accepts_multiples_only(void **state)
{
	struct tt_oe_filter f = F;

	f.tick = 5;	/* 0.05 */
	assert_int_equal(tt_oe_filter_tick(&f, 100), 0);
	assert_int_equal(tt_oe_filter_tick(&f, 105), 0);
	assert_int_equal(tt_oe_filter_tick(&f, 101), TT_OE_R_FILTER_TICK);
	f.tick = 0;	/* off */
	assert_int_equal(tt_oe_filter_tick(&f, 101), 0);
	(void)state;
}

static void test_price_range_bounds_are_inclusive_and_zero_disables(void **state)
{
	struct tt_oe_filter f = F;

	assert_int_equal(tt_oe_filter_price_range(&f, 1), 0);
	assert_int_equal(tt_oe_filter_price_range(&f, 0), TT_OE_R_FILTER_PRICE_RANGE);
	assert_int_equal(tt_oe_filter_price_range(&f, 100000000), 0);
	assert_int_equal(tt_oe_filter_price_range(&f, 100000001), TT_OE_R_FILTER_PRICE_RANGE);
	f.max_px = 0;
	assert_int_equal(tt_oe_filter_price_range(&f, INT64_MAX), 0);
	(void)state;
}

static void test_step_is_measured_from_min_qty(void **state)
{
	struct tt_oe_filter f = F;

	f.min_qty = 3;
	f.step = 10;
	assert_int_equal(tt_oe_filter_step(&f, 3), 0);
	assert_int_equal(tt_oe_filter_step(&f, 13), 0);
	assert_int_equal(tt_oe_filter_step(&f, 10), TT_OE_R_FILTER_STEP);
	f.step = 0;
	assert_int_equal(tt_oe_filter_step(&f, 10), 0);
	(void)state;
}

static void test_min_and_max_qty(void **state)
{
	assert_int_equal(tt_oe_filter_min_qty(&F, 1), 0);
	assert_int_equal(tt_oe_filter_min_qty(&F, 0), TT_OE_R_FILTER_MIN_QTY);
	assert_int_equal(tt_oe_filter_max_qty(&F, 900000000), 0);
	assert_int_equal(tt_oe_filter_max_qty(&F, 900000001), TT_OE_R_FILTER_MAX_QTY);
	(void)state;
}

static void test_notional_boundaries_are_exact(void **state)
{
	/* 5.00 = 500.00 × 0.01000 exactly; one step less is below */
	assert_int_equal(tt_oe_filter_min_notional(&F, 50000, 1000), 0);
	assert_int_equal(tt_oe_filter_min_notional(&F, 50000, 999), TT_OE_R_FILTER_MIN_NOTIONAL);
	/* 9,000,000.00 exactly at 90,000.00 × 100 */
	assert_int_equal(tt_oe_filter_max_notional(&F, 9000000, 10000000), 0);
	assert_int_equal(tt_oe_filter_max_notional(&F, 9000001, 10000000), TT_OE_R_FILTER_MAX_NOTIONAL);
	/* no overflow at the extremes */
	assert_int_equal(tt_oe_filter_max_notional(&F, INT64_MAX, INT64_MAX), TT_OE_R_FILTER_MAX_NOTIONAL);
	assert_true(tt_oe_notional(INT64_MAX, INT64_MAX, 0) == INT64_MAX);
	assert_true(tt_oe_notional(3000000, 150000, 5) == 4500000);
	(void)state;
}

static void test_combined_check_and_market_orders(void **state)
{
	struct tt_msg_order o = { .px = 3000000, .qty = 1000, .type = TT_ORD_LIMIT };
	struct tt_oe_filter f = F;

	assert_int_equal(tt_oe_filter_check(&f, &o, 0), 0);
	o.px = 0;
	assert_int_equal(tt_oe_filter_check(&f, &o, 0), TT_OE_R_FILTER_PRICE_RANGE);
	/* MARKET: price ignored; notional only with applyToMarket and a reference */
	o.type = TT_ORD_MARKET;
	o.qty = 1;
	assert_int_equal(tt_oe_filter_check(&f, &o, 3000000), 0);
	f.notional_market = true;
	assert_int_equal(tt_oe_filter_check(&f, &o, 3000000), TT_OE_R_FILTER_MIN_NOTIONAL);
	assert_int_equal(tt_oe_filter_check(&f, &o, 0), 0);
	(void)state;
}

static void test_exchange_info_example_fills_our_symbols_filters(void **state)
{
	static const struct tt_bn_instr in[] = { { "BNBBTC", 5, 8, 8 }, { "NOPE", 6, 2, 2 } };
	const struct tt_bn_symtab t = { in, 2 };
	struct tt_oe_filter f[2];
	struct tt_bn_msg m;
	struct tt_bn_perr e;

	memset(f, 0, sizeof(f));
	assert_int_equal(tt_bn_decode(doc_exchange_info_resp, strlen(doc_exchange_info_resp), &m, &e), 0);
	assert_int_equal(tt_bn_decode_exchange_info(m.result, m.result_len, &t, f, &e), 1);
	assert_true(f[0].min_px == 100);
	assert_true(f[0].max_px == 10000000000000ll);
	assert_true(f[0].tick == 100);
	assert_true(f[0].min_qty == 100000);
	assert_true(f[0].max_qty == 10000000000000ll);
	assert_true(f[0].step == 100000);
	assert_true(f[0].min_notional == 0);
	assert_true(f[1].tick == 0);	/* absent symbol untouched */
	(void)state;
}

static void test_exchange_info_finer_than_our_scale_is_refused(void **state)
{
	static const struct tt_bn_instr in[] = { { "BNBBTC", 5, 2, 8 } };
	const struct tt_bn_symtab t = { in, 1 };
	static const char j[] = "{\"symbols\":[{\"symbol\":\"BNBBTC\",\"filters\":[{\"filterType\":"
				"\"PRICE_FILTER\",\"minPrice\":\"0.00000100\",\"maxPrice\":\"0\","
				"\"tickSize\":\"0.001\"},{\"filterType\":\"NOTIONAL\",\"minNotional\":"
				"\"5.00\",\"applyMinToMarket\":true,\"maxNotional\":\"100.00\"}]}]}";
	struct tt_oe_filter f;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode_exchange_info(j, strlen(j), &t, &f, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_BN_PE_DECIMAL);
	(void)state;
}

static void test_exchange_info_notional_filter(void **state)
{
	static const struct tt_bn_instr in[] = { { "BTCUSDT", 1, 2, 5 } };
	const struct tt_bn_symtab t = { in, 1 };
	static const char j[] = "{\"timezone\":\"UTC\",\"symbols\":[{\"filters\":[{\"filterType\":"
				"\"NOTIONAL\",\"minNotional\":\"5.00000000\",\"applyMinToMarket\":true,"
				"\"maxNotional\":\"9000000.00000000\",\"avgPriceMins\":5}],"
				"\"symbol\":\"BTCUSDT\"}]}";
	struct tt_oe_filter f;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode_exchange_info(j, strlen(j), &t, &f, &e), 1);
	assert_true(f.min_notional == 500);
	assert_true(f.max_notional == 900000000);
	assert_true(f.notional_market);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_accepts_multiples_only),
		cmocka_unit_test(test_price_range_bounds_are_inclusive_and_zero_disables),
		cmocka_unit_test(test_step_is_measured_from_min_qty),
		cmocka_unit_test(test_min_and_max_qty),
		cmocka_unit_test(test_notional_boundaries_are_exact),
		cmocka_unit_test(test_combined_check_and_market_orders),
		cmocka_unit_test(test_exchange_info_example_fills_our_symbols_filters),
		cmocka_unit_test(test_exchange_info_finer_than_our_scale_is_refused),
		cmocka_unit_test(test_exchange_info_notional_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
