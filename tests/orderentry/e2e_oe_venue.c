/*
 * e2e_oe_venue.c — tt-oe against the real local venue, end to end over TLS: intents a test
 * strategy pushes into strat.oe become orders at tt-venue's WS API (Ed25519 session.logon,
 * order.place/order.cancel), executionReports come back as execs on oe.strat, and tt-oe's
 * positions (control socket), its journal (read back with tt_journal's recovery) and the
 * venue's own order book of our account agree exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "oe_e2e.h"

static struct e2e E;

static const char *const args[] = { "--symbols", "BTCUSDT", "--rate", "200", "--oe-orders",
				    "100000", "--oe-weight", "1000000", NULL };

static int setup(void **state)
{
	(void)state;
	return e2e_setup(&E, args, false);
}

static int setup_hmac(void **state)
{
	(void)state;
	return e2e_setup(&E, args, true);
}

static int teardown(void **state)
{
	(void)state;
	e2e_teardown(&E);
	return 0;
}

/* Execs for id until a terminal one (or timeout): filled qty summed from TRADE execs. */
static tt_qty_t until_done(uint64_t id, uint8_t *last_type)
{
	struct tt_msg_exec x;
	tt_qty_t filled = 0;

	*last_type = 0xff;
	while (e2e_exec(&E, &x, 5000)) {
		if (x.cl_ord_id != id)
			continue;
		*last_type = x.exec_type;
		if (x.exec_type == TT_EXEC_TRADE)
			filled += x.last_qty;
		if (x.status >= 5 /* FILLED and beyond: terminal */)
			break;
	}
	return filled;
}

static void test_intents_become_venue_orders_and_everyone_agrees(void **state)
{
	struct e2e_order_truth v[16], jv[16];
	tt_qty_t vpos, jpos, filled1, filled2;
	struct tt_msg_exec x;
	uint8_t t;
	int nv, nj, st;
	char want[64];

	(void)state;
	e2e_oe_start(&E);
	assert_int_equal(e2e_oe_wait_ready(&E), 0);
	assert_int_equal(e2e_ref(&E), 0);

	/* a marketable buy IOC, a marketable sell IOC */
	assert_int_equal(e2e_order(&E, 1001, TT_SIDE_BUY, E.ask + 5, 100, TT_TIF_IOC), 0);
	filled1 = until_done(1001, &t);
	assert_true(filled1 > 0);
	assert_int_equal(e2e_ref(&E), 0);
	assert_int_equal(e2e_order(&E, 1002, TT_SIDE_SELL, E.bid - 5, 300, TT_TIF_IOC), 0);
	filled2 = until_done(1002, &t);
	assert_true(filled2 > 0);

	/* a passive GTC buy far from the market rests; then it is cancelled */
	assert_int_equal(e2e_order(&E, 1003, TT_SIDE_BUY, E.bid - 1000, 100, TT_TIF_GTC), 0);
	assert_true(e2e_exec(&E, &x, 5000));
	assert_true(x.cl_ord_id == 1003);
	assert_int_equal(x.exec_type, TT_EXEC_NEW);
	assert_int_equal(e2e_cancel(&E, 1003), 0);
	assert_true(e2e_exec(&E, &x, 5000));
	assert_true(x.cl_ord_id == 1003);
	assert_int_equal(x.exec_type, TT_EXEC_CANCELED);

	/* a risk reject never reaches the venue */
	assert_int_equal(e2e_order(&E, 1004, TT_SIDE_BUY, E.ask * 2, 100, TT_TIF_IOC), 0);
	assert_true(e2e_exec(&E, &x, 5000));
	assert_int_equal(x.exec_type, TT_EXEC_RISK_REJECT);
	assert_int_equal(x.reason, TT_RISK_PRICE_COLLAR);

	/* positions: tt-oe's, the venue's */
	assert_true(e2e_venue_orders(&E, v, 16, &vpos) == 3);
	assert_true(vpos == filled1 - filled2);
	snprintf(want, sizeof(want), "\"BTCUSDT\":%lld}", (long long)vpos);
	assert_non_null(strstr(e2e_oe_ctl(&E, "status"), want));

	kill(E.oe, SIGTERM);
	assert_int_equal(waitpid(E.oe, &st, 0), E.oe);
	E.oe = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* the journal: same fills per order as the venue, same position */
	assert_int_equal(e2e_journal(&E, jv, 16, &nj, &jpos), 0);
	assert_true(jpos == vpos);
	for (int i = 0; i < 3; i++) {
		tt_qty_t jc = 0;

		for (int k = 0; k < nj; k++)
			if (jv[k].id == v[i].id)
				jc = jv[k].cum;
		assert_true(jc == v[i].cum);
	}
	nv = 3;
	(void)nv;
}

/* HMAC keys: every request signed; no logon, so the venue may refuse the signed stream
 * subscription; fills then arrive in the FULL answers. Positions still agree. */
static void test_hmac_session_trades_and_agrees(void **state)
{
	struct e2e_order_truth v[16];
	tt_qty_t vpos, filled;
	uint8_t t;
	char want[64];

	(void)state;
	e2e_oe_start(&E);
	assert_int_equal(e2e_oe_wait_ready(&E), 0);
	assert_int_equal(e2e_ref(&E), 0);
	assert_int_equal(e2e_order(&E, 2001, TT_SIDE_BUY, E.ask + 5, 200, TT_TIF_IOC), 0);
	filled = until_done(2001, &t);
	assert_true(filled > 0);
	assert_true(e2e_venue_orders(&E, v, 16, &vpos) == 1);
	assert_true(vpos == filled);
	snprintf(want, sizeof(want), "\"BTCUSDT\":%lld}", (long long)vpos);
	assert_non_null(strstr(e2e_oe_ctl(&E, "status"), want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intents_become_venue_orders_and_everyone_agrees,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hmac_session_trades_and_agrees, setup_hmac,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
