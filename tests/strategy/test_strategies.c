/*
 * test_strategies.c — the strategy context and both example strategies, driven by
 * synthetic books; every intent is captured by a test sink and checked.
 * Instrument 0: price scale 2, tick 0.01 (1 unit), qty scale 3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "tt_err.h"
#include "tt_strat.h"

static union tt_msg sent[256];
static int n_sent;
static int sink_refuse;
static tt_tsc_t fake_now = 5000;

static int sink(void *arg, const union tt_msg *m)
{
	(void)arg;
	if (sink_refuse)
		return -EAGAIN;
	sent[n_sent++] = *m;
	return 0;
}

static tt_tsc_t now(void)
{
	return fake_now;
}

static struct tt_strat_ctx C;
static unsigned char state[4096];

static const struct tt_strategy_ops *start(const char *name, const struct tt_strat_param *kv, int n)
{
	const struct tt_strategy_ops *ops = tt_strategy_find(name);
	struct tt_strat_params p = { .file = "test.ini", .section = name, .n = n };

	assert_non_null(ops);
	assert_true(ops->state_size <= sizeof(state));
	for (int i = 0; i < n; i++)
		p.p[i] = kv[i];
	n_sent = 0;
	sink_refuse = 0;
	tt_strat_ctx_init(&C, 3, 7, sink, NULL, now);
	C.instr[0] = (struct tt_strat_instr_cfg){ .enabled = true, .px_scale = 2, .qty_scale = 3,
						  .tick = 1, .step = 1 };
	assert_int_equal(ops->init(state, &C, &p), 0);
	return ops;
}

static void book(const struct tt_strategy_ops *ops, tt_px_t bid, tt_qty_t bq, tt_px_t ask,
		 tt_qty_t aq, tt_tsc_t t_rx)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.top.h.kind = TT_MSG_BOOK_TOP;
	m.top.h.instr = 0;
	m.top.h.t_rx = t_rx;
	m.top.h.flags = 100; /* md publish − t_rx */
	m.top.bid_px = bid;
	m.top.bid_qty = bq;
	m.top.ask_px = ask;
	m.top.ask_qty = aq;
	m.top.update_id = 0x700000000ull + t_rx / 10; /* > 32 bits: the cause keeps the low 32 */
	tt_strat_dispatch(ops, state, &C, &m, t_rx + 300);
}

static void exec(const struct tt_strategy_ops *ops, uint64_t id, uint8_t type, uint8_t side,
		 tt_px_t px, tt_qty_t last, tt_qty_t cum)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.exec.h.kind = TT_MSG_EXEC;
	m.exec.cl_ord_id = id;
	m.exec.exec_type = type;
	m.exec.side = side;
	m.exec.last_px = px;
	m.exec.last_qty = last;
	m.exec.cum_qty = cum;
	tt_strat_dispatch(ops, state, &C, &m, 0);
}

static const struct tt_strat_param taker_kv[] = {
	{ "qty", "1000", 10 }, { "imbalance_pct", "70", 11 }, { "max_position", "2000", 12 },
	{ "max_spread_ticks", "3", 13 }, { "cooldown_events", "2", 14 },
};

static void test_taker_buys_at_ask_on_bid_imbalance_with_t_rx(void **state_)
{
	const struct tt_strategy_ops *ops = start("taker", taker_kv, 5);

	book(ops, 10000, 500, 10002, 500, 1000); /* 50 %: nothing */
	assert_int_equal(n_sent, 0);
	book(ops, 10000, 700, 10002, 300, 2000); /* 70 %: buy at the ask */
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0].h.kind, TT_MSG_ORDER);
	assert_int_equal(sent[0].order.side, TT_SIDE_BUY);
	assert_int_equal(sent[0].order.px, 10002);
	assert_int_equal(sent[0].order.qty, 1000);
	assert_int_equal(sent[0].order.tif, TT_TIF_IOC);
	assert_int_equal(sent[0].h.t_rx, 2000);		/* the causing event's t_rx */
	assert_int_equal(sent[0].order.t_strat_rx_d, 300);
	assert_int_equal(sent[0].order.t_decided_d, 3000); /* now (5000) − t_rx */
	assert_int_equal(sent[0].order.t_md_pub_d, 100);
	assert_int_equal(sent[0].order.strat_id, 3);
	assert_int_equal(sent[0].order.cl_ord_id, (7ull << 32) | 1);
	assert_int_equal(sent[0].h.flags, 200);	/* cause: the top's update id, low 32 bits */
	(void)state_;
}

static void test_taker_cooldown_spread_and_position_limits(void **state_)
{
	const struct tt_strategy_ops *ops = start("taker", taker_kv, 5);

	book(ops, 10000, 800, 10002, 200, 1);	/* buy #1 */
	book(ops, 10000, 800, 10002, 200, 2);	/* cooldown (1 of 2) */
	book(ops, 10000, 800, 10002, 200, 3);	/* cooldown (2 of 2) */
	assert_int_equal(n_sent, 1);
	book(ops, 10000, 800, 10002, 200, 4);	/* buy #2: intended 2.000 = max */
	assert_int_equal(n_sent, 2);
	for (int i = 0; i < 5; i++)
		book(ops, 10000, 800, 10002, 200, 5 + i); /* capped by max_position */
	assert_int_equal(n_sent, 2);
	/* the IOC remainder of order #2 is cancelled: room for one more buy */
	exec(ops, sent[1].order.cl_ord_id, TT_EXEC_CANCELED, TT_SIDE_BUY, 0, 0, 0);
	book(ops, 10000, 800, 10010, 200, 20);	/* spread 10 ticks > 3: no */
	assert_int_equal(n_sent, 2);
	book(ops, 10000, 800, 10002, 200, 21);
	assert_int_equal(n_sent, 3);
	/* ask-side imbalance sells at the bid */
	for (int i = 0; i < 3; i++)
		book(ops, 10000, 100, 10002, 900, 30 + i);
	assert_int_equal(sent[n_sent - 1].order.side, TT_SIDE_SELL);
	assert_int_equal(sent[n_sent - 1].order.px, 10000);
	(void)state_;
}

static void test_taker_ignores_stale_or_crossed_books_and_full_sink(void **state_)
{
	const struct tt_strategy_ops *ops = start("taker", taker_kv, 5);
	union tt_msg s;

	memset(&s, 0, sizeof(s));
	s.h.kind = TT_MSG_STATUS;
	s.h.flags = TT_STATUS_STALE;
	book(ops, 10000, 800, 10002, 200, 1);
	assert_int_equal(n_sent, 1);
	for (int i = 0; i < 3; i++)
		book(ops, 10000, 100, 10000, 900, 2 + i); /* crossed/locked: never */
	assert_int_equal(n_sent, 1);
	sink_refuse = 1;
	book(ops, 10000, 100, 10002, 900, 9);
	assert_int_equal(n_sent, 1);
	assert_int_equal(C.intents_refused, 1);
	tt_strat_dispatch(ops, state, &C, &s, 0);
	assert_false(C.book[0].live);
	(void)state_;
}

static void test_taker_param_errors_name_file_and_line(void **state_)
{
	const struct tt_strategy_ops *ops = tt_strategy_find("taker");
	struct tt_strat_params p = { .file = "cfg.ini", .section = "strategy.taker", .n = 1 };

	p.p[0] = (struct tt_strat_param){ "imbalance_pct", "120", 42 };
	assert_int_equal(ops->init(state, &C, &p), -TT_ECONFIG);
	assert_string_equal(tt_err_msg(),
			    "cfg.ini:42: strategy.taker.imbalance_pct: expected integer 51..99, found \"120\"");
	p.p[0] = (struct tt_strat_param){ "imbalanse_pct", "70", 43 };
	p.used = 0;
	assert_int_equal(ops->init(state, &C, &p), -TT_ECONFIG);
	assert_string_equal(tt_err_msg(), "cfg.ini:43: strategy.taker.imbalanse_pct: unknown key");
	assert_null(tt_strategy_find("nope"));
	(void)state_;
}

static const struct tt_strat_param mm_kv[] = {
	{ "qty", "1000", 1 }, { "half_spread_ticks", "2", 2 }, { "skew_ticks_per_unit", "1", 3 },
	{ "max_position", "2000", 4 }, { "requote_ticks", "2", 5 },
};

static const union tt_msg *last_order(int side)
{
	for (int i = n_sent - 1; i >= 0; i--)
		if (sent[i].h.kind == TT_MSG_ORDER && sent[i].order.side == side)
			return &sent[i];
	return NULL;
}

static void test_mm_quotes_around_mid_post_only(void **state_)
{
	const struct tt_strategy_ops *ops = start("mm", mm_kv, 5);

	book(ops, 10000, 1000, 10010, 1000, 1); /* mid 100.05 */
	assert_int_equal(n_sent, 2);
	assert_int_equal(last_order(TT_SIDE_BUY)->order.px, 10003);
	assert_int_equal(last_order(TT_SIDE_SELL)->order.px, 10007);
	assert_int_equal(last_order(TT_SIDE_BUY)->order.type, TT_ORD_LIMIT_MAKER);
	/* a small move (1 tick) does not requote */
	book(ops, 10001, 1000, 10011, 1000, 2);
	assert_int_equal(n_sent, 2);
	(void)state_;
}

static void test_mm_requotes_by_cancel_then_new(void **state_)
{
	const struct tt_strategy_ops *ops = start("mm", mm_kv, 5);
	uint64_t bid_id, ask_id;

	book(ops, 10000, 1000, 10010, 1000, 1);
	bid_id = last_order(TT_SIDE_BUY)->order.cl_ord_id;
	ask_id = last_order(TT_SIDE_SELL)->order.cl_ord_id;
	book(ops, 10005, 1000, 10015, 1000, 2); /* mid +5 ticks: both sides cancel */
	assert_int_equal(n_sent, 4);
	assert_int_equal(sent[2].h.kind, TT_MSG_CANCEL);
	assert_int_equal(sent[3].h.kind, TT_MSG_CANCEL);
	book(ops, 10005, 1000, 10015, 1000, 3); /* cancels pending: no second quote */
	assert_int_equal(n_sent, 4);
	exec(ops, bid_id, TT_EXEC_CANCELED, TT_SIDE_BUY, 0, 0, 0);
	assert_int_equal(last_order(TT_SIDE_BUY)->order.px, 10008); /* new bid at once */
	exec(ops, ask_id, TT_EXEC_CANCELED, TT_SIDE_SELL, 0, 0, 0);
	assert_int_equal(last_order(TT_SIDE_SELL)->order.px, 10012);
	(void)state_;
}

static void test_mm_skews_with_inventory_and_respects_max_position(void **state_)
{
	const struct tt_strategy_ops *ops = start("mm", mm_kv, 5);
	uint64_t bid_id;

	book(ops, 10000, 1000, 10010, 1000, 1);
	bid_id = last_order(TT_SIDE_BUY)->order.cl_ord_id;
	exec(ops, bid_id, TT_EXEC_TRADE, TT_SIDE_BUY, 10003, 1000, 1000); /* long 1.000 */
	assert_int_equal(C.position[0], 1000);
	assert_int_equal(C.cash[0], -10003);
	/* skew 1 tick lower: new bid 100.02 (was 100.03) */
	assert_int_equal(last_order(TT_SIDE_BUY)->order.px, 10002);
	bid_id = last_order(TT_SIDE_BUY)->order.cl_ord_id;
	exec(ops, bid_id, TT_EXEC_TRADE, TT_SIDE_BUY, 10002, 1000, 1000); /* long 2.000 = max */
	n_sent = 0;
	book(ops, 10000, 1000, 10010, 1000, 5);
	assert_null(last_order(TT_SIDE_BUY)); /* no more buying at max position */
	(void)state_;
}

static void test_mm_pulls_quotes_on_stale_book(void **state_)
{
	const struct tt_strategy_ops *ops = start("mm", mm_kv, 5);
	union tt_msg s;

	book(ops, 10000, 1000, 10010, 1000, 1);
	memset(&s, 0, sizeof(s));
	s.h.kind = TT_MSG_STATUS;
	s.h.flags = TT_STATUS_RESYNC;
	tt_strat_dispatch(ops, state, &C, &s, 0);
	ops->on_book(state, &C, 0);
	assert_int_equal(n_sent, 4);
	assert_int_equal(sent[2].h.kind, TT_MSG_CANCEL);
	assert_int_equal(sent[3].h.kind, TT_MSG_CANCEL);
	(void)state_;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taker_buys_at_ask_on_bid_imbalance_with_t_rx),
		cmocka_unit_test(test_taker_cooldown_spread_and_position_limits),
		cmocka_unit_test(test_taker_ignores_stale_or_crossed_books_and_full_sink),
		cmocka_unit_test(test_taker_param_errors_name_file_and_line),
		cmocka_unit_test(test_mm_quotes_around_mid_post_only),
		cmocka_unit_test(test_mm_requotes_by_cancel_then_new),
		cmocka_unit_test(test_mm_skews_with_inventory_and_respects_max_position),
		cmocka_unit_test(test_mm_pulls_quotes_on_stale_book),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
