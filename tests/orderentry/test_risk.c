/*
 * test_risk.c — each pre-trade check: at the limit passes, one unit over is rejected with
 * the reason, the limit and the value (STYLE §13 "risk check" recipe).
 * Instrument 1: price scale 2 (cents), qty scale 3; ref 100.00 / 100.10.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "tt_risk.h"

#define NS 1000000000ull

static struct tt_risk R;
static struct tt_risk_reject rej;

static struct tt_msg_order order(uint8_t side, tt_px_t px, tt_qty_t qty)
{
	struct tt_msg_order o;

	memset(&o, 0, sizeof(o));
	o.h.kind = TT_MSG_ORDER;
	o.h.instr = 1;
	o.side = side;
	o.type = TT_ORD_LIMIT;
	o.px = px;
	o.qty = qty;
	return o;
}

static int setup(void **state)
{
	struct tt_risk_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.instr[1] = (struct tt_risk_limits_instr){
		.enabled = true, .px_scale = 2, .qty_scale = 3,
		.max_qty = 5000,		/* 5.000 */
		.max_notional = 40000,		/* 400.00 */
		.collar_bps = 100,		/* 1 % */
		.max_position = 6000,		/* 6.000 */
	};
	lim.max_open_orders = 3;
	lim.orders_per_sec = 10;
	lim.order_burst = 5;
	lim.msgs_per_sec = 100;
	lim.msg_burst = 100;
	lim.dup_window_ns = NS / 10;
	lim.daily_loss = 10000;			/* 100.00 */
	tt_risk_init(&R, &lim, 0);
	tt_risk_set_ref(&R, 1, 10000, 10010);	/* mid 100.05 */
	(void)state;
	return 0;
}

static void test_max_qty_at_limit_passes_one_over_rejects(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 5, 5000);

	assert_int_equal(tt_risk_check_qty(&R, &o, &rej), TT_RISK_OK);
	o.qty = 5001;
	assert_int_equal(tt_risk_check_qty(&R, &o, &rej), TT_RISK_MAX_QTY);
	assert_int_equal(rej.limit, 5000);
	assert_int_equal(rej.value, 5001);
	o.qty = 0;
	assert_int_equal(tt_risk_check_qty(&R, &o, &rej), TT_RISK_BAD_QTY);
	(void)state;
}

static void test_max_notional(void **state)
{
	/* 100.00 × 4.000 = 400.00 = limit */
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 4000);

	assert_int_equal(tt_risk_check_notional(&R, &o, &rej), TT_RISK_OK);
	o.qty = 4001; /* 400.10 */
	assert_int_equal(tt_risk_check_notional(&R, &o, &rej), TT_RISK_MAX_NOTIONAL);
	assert_int_equal(rej.limit, 40000);
	assert_int_equal(rej.value, 40010);
	(void)state;
}

static void test_price_collar_around_mid(void **state)
{
	/* mid 100.05: 1 % = 1.0005 → 101.05 inside (dev 1.00), 101.06 outside */
	struct tt_msg_order o = order(TT_SIDE_BUY, 10105, 1000);

	assert_int_equal(tt_risk_check_collar(&R, &o, &rej), TT_RISK_OK);
	o.px = 10106;
	assert_int_equal(tt_risk_check_collar(&R, &o, &rej), TT_RISK_PRICE_COLLAR);
	assert_int_equal(rej.limit, 100);
	o.px = 9905; /* dev 1.00 below */
	assert_int_equal(tt_risk_check_collar(&R, &o, &rej), TT_RISK_OK);
	o.px = 9904;
	assert_int_equal(tt_risk_check_collar(&R, &o, &rej), TT_RISK_PRICE_COLLAR);
	tt_risk_set_ref(&R, 1, 0, 0);
	o.px = 10000;
	assert_int_equal(tt_risk_check_collar(&R, &o, &rej), TT_RISK_NO_REF_PRICE);
	(void)state;
}

static void test_position_counts_open_orders_worst_case(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 2000);

	R.in[1].position = 3000;
	R.in[1].open_buy = 1000;
	assert_int_equal(tt_risk_check_position(&R, &o, 0, &rej), TT_RISK_OK); /* 6.000 */
	o.qty = 2001;
	assert_int_equal(tt_risk_check_position(&R, &o, 0, &rej), TT_RISK_MAX_POSITION);
	assert_int_equal(rej.value, 6001);
	/* selling from +3.000 down to -6.000 is allowed, one more is not */
	o = order(TT_SIDE_SELL, 10000, 9000);
	assert_int_equal(tt_risk_check_position(&R, &o, 0, &rej), TT_RISK_OK);
	o.qty = 9001;
	assert_int_equal(tt_risk_check_position(&R, &o, 0, &rej), TT_RISK_MAX_POSITION);
	(void)state;
}

static void test_max_open_orders(void **state)
{
	R.open_orders = 2;
	assert_int_equal(tt_risk_check_open_orders(&R, &rej), TT_RISK_OK);
	R.open_orders = 3;
	assert_int_equal(tt_risk_check_open_orders(&R, &rej), TT_RISK_MAX_OPEN_ORDERS);
	assert_int_equal(rej.limit, 3);
	(void)state;
}

static void test_self_trade_prevention(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10004, 1000);

	tt_risk_set_own_best(&R, 1, 9990, 10005);
	assert_int_equal(tt_risk_check_self_trade(&R, &o, &rej), TT_RISK_OK);
	o.px = 10005;
	assert_int_equal(tt_risk_check_self_trade(&R, &o, &rej), TT_RISK_SELF_TRADE);
	o = order(TT_SIDE_SELL, 9991, 1000);
	assert_int_equal(tt_risk_check_self_trade(&R, &o, &rej), TT_RISK_OK);
	o.px = 9990;
	assert_int_equal(tt_risk_check_self_trade(&R, &o, &rej), TT_RISK_SELF_TRADE);
	(void)state;
}

static void test_duplicate_window(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 1000);

	assert_int_equal(tt_risk_check_order(&R, &o, NS, &rej), TT_RISK_OK);
	assert_int_equal(tt_risk_check_order(&R, &o, NS + NS / 10 - 1, &rej), TT_RISK_DUPLICATE);
	assert_int_equal(tt_risk_check_order(&R, &o, NS + NS / 10, &rej), TT_RISK_OK);
	o.qty = 1001; /* different order: not a duplicate */
	assert_int_equal(tt_risk_check_order(&R, &o, NS + NS / 10 + 1, &rej), TT_RISK_OK);
	(void)state;
}

static void test_daily_loss_realized_plus_unrealized(void **state)
{
	/* bought 1.000 at 200.00, mark at mid 100.05: loss 99.95 < 100.00 → still ok */
	tt_risk_on_sent(&R, &(struct tt_msg_order){ .h.instr = 1, .side = TT_SIDE_BUY, .qty = 1000 });
	tt_risk_on_fill(&R, 1, TT_SIDE_BUY, 20000, 1000);
	assert_int_equal(tt_risk_pnl(&R), -9995);
	assert_int_equal(tt_risk_check_daily_loss(&R, &rej), TT_RISK_OK);
	tt_risk_set_ref(&R, 1, 9990, 10000); /* mid 99.95: loss 100.05 */
	assert_int_equal(tt_risk_check_daily_loss(&R, &rej), TT_RISK_DAILY_LOSS);
	assert_int_equal(rej.value, -10005);
	(void)state;
}

static void test_order_rate_bucket_and_no_token_on_reject(void **state)
{
	int ok = 0;

	for (int i = 0; i < 10; i++) {
		struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 100 + i);

		if (tt_risk_check_order(&R, &o, 0, &rej) == TT_RISK_OK) {
			ok++;
			R.open_orders = 0; /* isolate the throttle from the open-order limit */
		}
	}
	assert_int_equal(ok, 5); /* burst */
	assert_int_equal(rej.reason, TT_RISK_ORDER_RATE);
	/* 100 ms later one token (10/s) is back */
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 777);
	assert_int_equal(tt_risk_check_order(&R, &o, NS / 10, &rej), TT_RISK_OK);
	/* a rejected order (too big) does not take the next token */
	o = order(TT_SIDE_BUY, 10000, 999999);
	assert_int_equal(tt_risk_check_order(&R, &o, NS / 5, &rej), TT_RISK_MAX_QTY);
	o = order(TT_SIDE_BUY, 10000, 778);
	assert_int_equal(tt_risk_check_order(&R, &o, NS / 5, &rej), TT_RISK_OK);
	(void)state;
}

static void test_kill_switch_blocks_orders_not_cancels(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 1000);

	tt_risk_kill(&R, true);
	assert_int_equal(tt_risk_check_order(&R, &o, 0, &rej), TT_RISK_KILL_SWITCH);
	assert_int_equal(tt_risk_check_cancel(&R, 0, &rej), TT_RISK_OK);
	assert_int_equal(R.rejects[TT_RISK_KILL_SWITCH], 1);
	tt_risk_kill(&R, false);
	assert_int_equal(tt_risk_check_order(&R, &o, 0, &rej), TT_RISK_OK);
	(void)state;
}

static void test_replace_is_fat_finger_checked(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 3000);

	tt_risk_on_sent(&R, &o); /* open_buy 3.000 */
	o.qty = 4000; /* replace 3.000 → 4.000: notional 400.00 = limit */
	assert_int_equal(tt_risk_check_replace(&R, &o, 3000, 0, &rej), TT_RISK_OK);
	R.in[1].position = 2000; /* worst case 2.000 + 4.000 = 6.000 = limit, 4.001 over */
	assert_int_equal(tt_risk_check_replace(&R, &o, 3000, 0, &rej), TT_RISK_OK);
	o.qty = 4001;
	o.px = 9990;
	assert_int_equal(tt_risk_check_replace(&R, &o, 3000, 0, &rej), TT_RISK_MAX_POSITION);
	o.qty = 4000;
	o.px = 20000; /* fat finger: outside the collar */
	assert_int_equal(tt_risk_check_replace(&R, &o, 3000, 0, &rej), TT_RISK_PRICE_COLLAR);
	o.px = 10000;
	o.qty = 5001;
	assert_int_equal(tt_risk_check_replace(&R, &o, 3000, 0, &rej), TT_RISK_MAX_QTY);
	/* a plain cancel is never blocked by position, size or collar */
	assert_int_equal(tt_risk_check_cancel(&R, 0, &rej), TT_RISK_OK);
	(void)state;
}

static void test_unknown_instrument_and_reason_names(void **state)
{
	struct tt_msg_order o = order(TT_SIDE_BUY, 10000, 1000);

	o.h.instr = 7;
	assert_int_equal(tt_risk_check_order(&R, &o, 0, &rej), TT_RISK_UNKNOWN_INSTR);
	o.h.instr = 60000;
	assert_int_equal(tt_risk_check_order(&R, &o, 0, &rej), TT_RISK_UNKNOWN_INSTR);
	assert_string_equal(tt_risk_reason_name(TT_RISK_PRICE_COLLAR), "price_collar");
	assert_string_equal(tt_risk_reason_name(TT_RISK_REASON_MAX), "unknown");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_max_qty_at_limit_passes_one_over_rejects, setup),
		cmocka_unit_test_setup(test_max_notional, setup),
		cmocka_unit_test_setup(test_price_collar_around_mid, setup),
		cmocka_unit_test_setup(test_position_counts_open_orders_worst_case, setup),
		cmocka_unit_test_setup(test_max_open_orders, setup),
		cmocka_unit_test_setup(test_self_trade_prevention, setup),
		cmocka_unit_test_setup(test_duplicate_window, setup),
		cmocka_unit_test_setup(test_daily_loss_realized_plus_unrealized, setup),
		cmocka_unit_test_setup(test_order_rate_bucket_and_no_token_on_reject, setup),
		cmocka_unit_test_setup(test_kill_switch_blocks_orders_not_cancels, setup),
		cmocka_unit_test_setup(test_replace_is_fat_finger_checked, setup),
		cmocka_unit_test_setup(test_unknown_instrument_and_reason_names, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
