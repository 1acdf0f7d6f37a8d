/*
 * test_oe.c — the order-entry engine in-process: a test strategy pushes intents into a
 * real shared-memory strat.oe ring, tt_oe_poll takes them through filters, risk, journal
 * and the encoder; the bytes it sends are captured; the venue's answers (in the docs'
 * formats) are fed back through tt_oe_on_frame; execs are read from a real oe.strat ring.
 * Then recovery: replay of the journal, reconciliation with the venue's answers, and a
 * mid-file corruption that refuses to start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_log.h"
#include "tt_oe.h"
#include "tt_ring.h"

#define MAX_SENT 64

struct cap {
	char frames[MAX_SENT][TT_BN_REQ_MAX];
	int n;
	int fail;	/* > 0: the next send fails */
};

struct fx {
	struct tt_oe oe;	/* large: the fixture lives on the heap */
	struct cap cap;
	struct tt_oe_params p;
	struct tt_ring strat_prod, strat_cons, exec_prod, exec_cons;
	char ring_in[64], ring_out[64];
	char dir[64], path[128];
	struct tt_hmac hmac;
};

static const struct tt_bn_instr instrs[] = { { "BTCUSDT", 1, 2, 5 }, { "ETHUSDT", 2, 2, 4 } };
static const struct tt_oe_filter filters[] = {
	{ .tick = 1, .step = 1, .min_qty = 1, .max_qty = 100000000, .min_notional = 500 },
	{ .tick = 1, .step = 1, .min_qty = 1 },
};

static int cap_send(void *ctx, const char *p, size_t n)
{
	struct cap *c = ctx;

	if (c->fail > 0) {
		c->fail--;
		return -EPIPE;
	}
	assert_true(c->n < MAX_SENT);
	assert_true(n < TT_BN_REQ_MAX);
	memcpy(c->frames[c->n], p, n);
	c->frames[c->n][n] = 0;
	c->n++;
	return 0;
}

static const char *last(struct fx *f)
{
	assert_true(f->cap.n > 0);
	return f->cap.frames[f->cap.n - 1];
}

static uint64_t req_id(const char *frame)
{
	uint64_t id = 0;

	assert_int_equal(sscanf(frame, "{\"id\":%" SCNu64, &id), 1);
	return id;
}

static void limits(struct tt_risk_limits *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 1; i <= 2; i++) {
		l->instr[i].enabled = true;
		l->instr[i].px_scale = 2;
		l->instr[i].qty_scale = i == 1 ? 5 : 4;
		l->instr[i].max_qty = 1000000;		/* 10 BTC */
		l->instr[i].max_notional = 100000000;	/* 1,000,000.00 */
		l->instr[i].collar_bps = 500;
		l->instr[i].max_position = 5000000;
	}
	l->max_open_orders = 100;
	l->orders_per_sec = 1000000;
	l->order_burst = 1000000;
	l->msgs_per_sec = 1000000;
	l->msg_burst = 1000000;
}

static void ring_pair(const char *name, struct tt_ring *prod, struct tt_ring *cons)
{
	struct tt_ring_params rp = { 64, 256, TT_RING_LOSSLESS, TT_MSG_LAYOUT_VERSION };

	assert_int_equal(tt_ring_create(name, &rp), 0);
	assert_int_equal(tt_ring_attach(prod, name, TT_RING_PRODUCER, &rp, TT_WAIT_SPIN), 0);
	assert_int_equal(tt_ring_attach(cons, name, TT_RING_CONSUMER, &rp, TT_WAIT_SPIN), 0);
}

static int engine_start(struct fx *f)
{
	memset(&f->p, 0, sizeof(f->p));
	f->p.instr = instrs;
	f->p.filters = filters;
	f->p.n_instr = 2;
	limits(&f->p.limits);
	f->p.journal_path = f->path;
	f->p.jopts.capacity = 65536;
	f->p.jopts.sync = TT_JSYNC_NONE;
	f->p.jopts.session_id = 1;
	f->p.signer.mode = TT_BN_AUTH_HMAC;
	f->p.signer.api_key = "testkey";
	f->p.signer.hmac = &f->hmac;
	f->p.tx.send = cap_send;
	f->p.tx.ctx = &f->cap;
	f->p.in = &f->strat_cons;
	f->p.out = &f->exec_prod;
	return tt_oe_init(&f->oe, &f->p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char key[32];

	assert_non_null(f);
	(void)tt_clock_init_local();
	tt_log_init("test-oe");
	snprintf(f->dir, sizeof(f->dir), "/tmp/tt-oe-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/journal", f->dir);
	snprintf(f->ring_in, sizeof(f->ring_in), "tt-oe-test-%d-in", (int)getpid());
	snprintf(f->ring_out, sizeof(f->ring_out), "tt-oe-test-%d-out", (int)getpid());
	ring_pair(f->ring_in, &f->strat_prod, &f->strat_cons);
	ring_pair(f->ring_out, &f->exec_prod, &f->exec_cons);
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(rand() & 0xff);	/* generated at test time */
	assert_int_equal(tt_hmac_init(&f->hmac, key, sizeof(key)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tt_oe_fini(&f->oe);
	tt_hmac_fini(&f->hmac);
	tt_ring_detach(&f->strat_prod);
	tt_ring_detach(&f->strat_cons);
	tt_ring_detach(&f->exec_prod);
	tt_ring_detach(&f->exec_cons);
	(void)tt_ring_unlink(f->ring_in);
	(void)tt_ring_unlink(f->ring_out);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void feed(struct fx *f, const char *json)
{
	assert_int_equal(tt_oe_on_frame(&f->oe, json, strlen(json), tt_clock_now()), 0);
	tt_ring_publish(&f->exec_prod);
}

static void reply(struct fx *f, uint64_t id, int status, const char *body)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "{\"id\":%" PRIu64 ",\"status\":%d,%s}", id, status, body);
	feed(f, buf);
}

/* executionReport for BTCUSDT in the venue's format. */
static void exec_report(struct fx *f, uint64_t cl, uint64_t orig, const char *x, const char *X,
			const char *side, const char *q, const char *p, const char *l,
			const char *z, const char *L, uint64_t venue_id, int64_t trade_id)
{
	char buf[1024], c[TT_BN_CLID_LEN + 1], C[TT_BN_CLID_LEN + 1] = "";

	tt_bn_clid_encode(cl, c);
	if (orig)
		tt_bn_clid_encode(orig, C);
	snprintf(buf, sizeof(buf),
		 "{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\",\"E\":1,\"s\":\"BTCUSDT\","
		 "\"c\":\"%s\",\"S\":\"%s\",\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"%s\",\"p\":\"%s\","
		 "\"P\":\"0.00\",\"F\":\"0.00000\",\"g\":-1,\"C\":\"%s\",\"x\":\"%s\",\"X\":\"%s\","
		 "\"r\":\"NONE\",\"i\":%" PRIu64 ",\"l\":\"%s\",\"z\":\"%s\",\"L\":\"%s\",\"n\":\"0\","
		 "\"N\":null,\"T\":2,\"t\":%" PRId64 ",\"I\":1,\"w\":true,\"m\":false,\"M\":false}}",
		 c, side, q, p, C, x, X, venue_id, l, z, L, trade_id);
	feed(f, buf);
}

/* Connects and walks the session to READY: openOrders.status → [] , cancelAll → -2011. */
/* Connect: HMAC sessions subscribe with userDataStream.subscribe.signature. */
static void connect_subscribed(struct fx *f)
{
	tt_oe_on_connected(&f->oe);
	assert_int_equal(f->oe.state, TT_OE_SUBSCRIBE);
	assert_non_null(strstr(last(f), "\"method\":\"userDataStream.subscribe.signature\""));
	assert_non_null(strstr(last(f), "\"apiKey\":\"testkey\""));
	reply(f, req_id(last(f)), 200, "\"result\":{\"subscriptionId\":0}");
	assert_int_equal(f->oe.state, TT_OE_RECONCILE);
}

static void connect_ready(struct fx *f, const char *open_orders_result)
{
	int before = f->cap.n;

	connect_subscribed(f);
	for (int i = before; i < f->cap.n; i++) {
		const char *fr = f->cap.frames[i];

		if (strstr(fr, "openOrders.status"))
			reply(f, req_id(fr), 200, open_orders_result);
	}
	for (int i = before; i < f->cap.n; i++) {
		const char *fr = f->cap.frames[i];

		if (strstr(fr, "openOrders.cancelAll"))
			reply(f, req_id(fr), 400,
			      "\"error\":{\"code\":-2011,\"msg\":\"Unknown order sent.\"}");
	}
	assert_int_equal(f->oe.state, TT_OE_READY);
}

static void push_order(struct fx *f, uint64_t id, uint8_t side, int64_t px, int64_t qty)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.order.h.kind = TT_MSG_ORDER;
	m.order.h.instr = 1;
	m.order.h.t_rx = tt_clock_now();
	m.order.cl_ord_id = id;
	m.order.px = px;
	m.order.qty = qty;
	m.order.side = side;
	m.order.type = TT_ORD_LIMIT;
	m.order.tif = TT_TIF_GTC;
	assert_int_equal(tt_ring_push(&f->strat_prod, &m, sizeof(m)), 0);
}

static void push_cancel(struct fx *f, uint64_t id)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.cancel.h.kind = TT_MSG_CANCEL;
	m.cancel.h.instr = 1;
	m.cancel.cl_ord_id = id;
	assert_int_equal(tt_ring_push(&f->strat_prod, &m, sizeof(m)), 0);
}

static bool pop_exec(struct fx *f, struct tt_msg_exec *e)
{
	const union tt_msg *m;

	tt_ring_publish(&f->exec_prod);
	m = tt_ring_peek(&f->exec_cons);
	if (!m)
		return false;
	*e = m->exec;
	tt_ring_release(&f->exec_cons);
	assert_int_equal(e->h.kind, TT_MSG_EXEC);
	return true;
}

static void expect_exec(struct fx *f, uint64_t id, uint8_t type, uint32_t reason)
{
	struct tt_msg_exec e;

	assert_true(pop_exec(f, &e));
	assert_true(e.cl_ord_id == id);
	assert_int_equal(e.exec_type, type);
	assert_int_equal(e.reason, reason);
}

static int count_records(struct fx *f, uint8_t type)
{
	int n = 0;

	for (uint64_t s = 1; s < f->oe.j.next_seq; s++)
		n += f->oe.j.map[s].type == type;
	return n;
}

static void test_intent_before_ready_is_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(engine_start(f), 0);
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 1, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	expect_exec(f, 1, TT_EXEC_REJECTED, TT_OE_R_NOT_READY);
	assert_int_equal(f->cap.n, 0);
	(void)state;
}

static void test_order_is_journaled_sent_acked_filled_once(void **state)
{
	struct fx *f = *state;
	struct tt_msg_exec e;
	char clid[TT_BN_CLID_LEN + 1];
	const char *fr;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 11, TT_SIDE_BUY, 3000000, 3000);	/* 0.03 BTC at 30000.00 */
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	fr = last(f);
	tt_bn_clid_encode(11, clid);
	assert_non_null(strstr(fr, "\"method\":\"order.place\""));
	assert_non_null(strstr(fr, clid));
	assert_non_null(strstr(fr, "\"price\":\"30000.00\",\"quantity\":\"0.03000\""));
	assert_non_null(strstr(fr, "\"signature\":\""));
	assert_int_equal(count_records(f, TT_JREC_INTENT), 1);
	assert_int_equal(count_records(f, TT_JREC_SEND), 1);

	reply(f, req_id(fr), 200,
	      "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":501,\"orderListId\":-1,"
	      "\"clientOrderId\":\"tt000000000000\",\"transactTime\":1}");
	/* clientOrderId above is deliberately foreign-looking: the response is matched by
	 * request id, not by the id echoed */
	expect_exec(f, 11, TT_EXEC_NEW, 0);
	exec_report(f, 11, 0, "NEW", "NEW", "BUY", "0.03000", "30000.00", "0.00000", "0.00000",
		    "0.00", 501, -1);
	assert_false(pop_exec(f, &e));	/* second ack is not a second NEW */
	exec_report(f, 11, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.01000", "29999.00", 501, 9001);
	assert_true(pop_exec(f, &e));
	assert_int_equal(e.exec_type, TT_EXEC_TRADE);
	assert_true(e.last_qty == 1000 && e.last_px == 2999900 && e.cum_qty == 1000);
	/* the same report again (reconnect replay, duplicate): ignored */
	exec_report(f, 11, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.01000", "29999.00", 501, 9001);
	assert_false(pop_exec(f, &e));
	exec_report(f, 11, 0, "TRADE", "FILLED", "BUY", "0.03000", "30000.00", "0.02000",
		    "0.03000", "30000.00", 501, 9002);
	assert_true(pop_exec(f, &e));
	assert_true(e.last_qty == 2000 && e.cum_qty == 3000);
	assert_int_equal(e.status, TT_OS_FILLED);
	assert_true(tt_oe_position(&f->oe, 1) == 3000);
	assert_int_equal(count_records(f, TT_JREC_FILL), 2);
	assert_int_equal(count_records(f, TT_JREC_ACK), 1);
	assert_int_equal(f->oe.orders.open, 0);
	assert_true(tt_order_table_check(&f->oe.orders));
}

static void test_risk_and_filter_rejects_send_nothing(void **state)
{
	struct fx *f = *state;
	int sent;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	sent = f->cap.n;
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 21, TT_SIDE_BUY, 3000000, 2000000);	/* 20 BTC > max 10 */
	push_order(f, 22, TT_SIDE_BUY, 4000000, 1000);		/* outside the 5 % collar */
	push_order(f, 23, TT_SIDE_BUY, 3000000, 1);		/* 0.30 < min notional 5.00 */
	assert_int_equal(tt_oe_poll(&f->oe), 3);
	expect_exec(f, 21, TT_EXEC_RISK_REJECT, TT_RISK_MAX_QTY);
	expect_exec(f, 22, TT_EXEC_RISK_REJECT, TT_RISK_PRICE_COLLAR);
	expect_exec(f, 23, TT_EXEC_REJECTED, TT_OE_R_FILTER_MIN_NOTIONAL);
	assert_int_equal(f->cap.n, sent);
	assert_int_equal(count_records(f, TT_JREC_INTENT), 0);
	assert_int_equal(f->oe.c.risk_rejects, 2);
	assert_int_equal(f->oe.c.filter_rejects, 1);
}

static void test_cancel_venue_reject_and_unknown_outcome(void **state)
{
	struct fx *f = *state;
	const char *fr;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);

	/* cancel */
	push_order(f, 31, TT_SIDE_SELL, 3010000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	exec_report(f, 31, 0, "NEW", "NEW", "SELL", "0.01000", "30100.00", "0.00000", "0.00000",
		    "0.00", 600, -1);
	expect_exec(f, 31, TT_EXEC_NEW, 0);
	push_cancel(f, 31);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	assert_non_null(strstr(last(f), "\"method\":\"order.cancel\""));
	exec_report(f, 777777, 31, "CANCELED", "CANCELED", "SELL", "0.01000", "30100.00",
		    "0.00000", "0.00000", "0.00", 600, -1);
	expect_exec(f, 31, TT_EXEC_CANCELED, 0);
	assert_int_equal(f->oe.orders.open, 0);
	assert_int_equal(f->oe.risk.open_orders, 0);

	/* venue reject */
	push_order(f, 32, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	reply(f, req_id(last(f)), 400,
	      "\"error\":{\"code\":-2010,\"msg\":\"Account has insufficient balance for requested action.\"}");
	expect_exec(f, 32, TT_EXEC_REJECTED, TT_OE_R_VENUE_ORDER_REJECTED);

	/* 5xx: unknown outcome → order.status, never assumed */
	push_order(f, 33, TT_SIDE_BUY, 3000100, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	fr = last(f);
	reply(f, req_id(fr), 503, "\"error\":{\"code\":-1008,\"msg\":\"busy\"}");
	assert_non_null(strstr(last(f), "\"method\":\"order.status\""));
	assert_int_equal(f->oe.c.unknown_outcomes, 1);
	assert_int_equal(tt_order_find(&f->oe.orders, 33)->state, TT_OS_SENT);
	/* the status answer says it is live at the venue */
	reply(f, req_id(last(f)), 200,
	      "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":700,\"clientOrderId\":\"tt000000000000X\","
	      "\"price\":\"30001.00\",\"origQty\":\"0.01000\",\"executedQty\":\"0.00000\","
	      "\"status\":\"NEW\",\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"BUY\"}");
	assert_int_equal(tt_order_find(&f->oe.orders, 33)->state, TT_OS_ACKED);
}

static void test_kill_switch_blocks_orders_and_cancels_all(void **state)
{
	struct fx *f = *state;
	int sent;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	sent = f->cap.n;
	tt_oe_kill(&f->oe, true);
	assert_int_equal(f->cap.n, sent + 2);	/* one cancelAll per instrument */
	assert_non_null(strstr(f->cap.frames[sent], "openOrders.cancelAll"));
	push_order(f, 41, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	expect_exec(f, 41, TT_EXEC_RISK_REJECT, TT_RISK_KILL_SWITCH);
	assert_int_equal(f->cap.n, sent + 2);
	tt_oe_kill(&f->oe, false);
	push_order(f, 42, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	assert_non_null(strstr(last(f), "order.place"));
}

static void test_send_failure_rejects_and_journals(void **state)
{
	struct fx *f = *state;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	f->cap.fail = 1;
	push_order(f, 51, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	expect_exec(f, 51, TT_EXEC_REJECTED, TT_OE_R_SEND);
	assert_int_equal(count_records(f, TT_JREC_REJECT), 1);
	assert_int_equal(f->oe.orders.open, 0);
}

/* Run 1: A partially filled, B sent not acked, C filled. Restart: replay gives the same
 * positions and open orders; reconciliation learns A filled, B never arrived; both are
 * journaled; a third start replays to the reconciled state with nothing open. */
static void test_recovery_replays_and_reconciles_with_the_venue(void **state)
{
	struct fx *f = *state;
	const char *fa = NULL, *fb = NULL;
	int before;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 61, TT_SIDE_BUY, 3000000, 3000);
	push_order(f, 62, TT_SIDE_BUY, 3000000, 2000);
	push_order(f, 63, TT_SIDE_SELL, 3000100, 1000);	/* above own bid: no self-trade */
	assert_int_equal(tt_oe_poll(&f->oe), 3);
	exec_report(f, 61, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.01000", "30000.00", 801, 1);
	exec_report(f, 63, 0, "TRADE", "FILLED", "SELL", "0.01000", "30001.00", "0.01000",
		    "0.01000", "30001.00", 803, 2);
	assert_true(tt_oe_position(&f->oe, 1) == 0);	/* +1000 −1000 */
	assert_int_equal(f->oe.orders.open, 2);
	tt_oe_fini(&f->oe);	/* the process ends (kill -9 keeps the same bytes: mmap) */

	f->cap.n = 0;
	assert_int_equal(engine_start(f), 0);
	assert_int_equal(f->oe.orders.open, 2);
	assert_true(tt_oe_position(&f->oe, 1) == 0);
	assert_true(tt_order_find(&f->oe.orders, 61)->cum_qty == 1000);
	assert_int_equal(tt_order_find(&f->oe.orders, 62)->state, TT_OS_SENT);
	assert_int_equal(f->oe.risk.open_orders, 2);
	assert_true(tt_order_table_check(&f->oe.orders));

	before = f->cap.n;
	connect_subscribed(f);
	for (int i = before; i < f->cap.n; i++) {
		char c61[TT_BN_CLID_LEN + 1], c62[TT_BN_CLID_LEN + 1];

		tt_bn_clid_encode(61, c61);
		tt_bn_clid_encode(62, c62);
		if (strstr(f->cap.frames[i], "order.status") && strstr(f->cap.frames[i], c61))
			fa = f->cap.frames[i];
		if (strstr(f->cap.frames[i], "order.status") && strstr(f->cap.frames[i], c62))
			fb = f->cap.frames[i];
	}
	assert_non_null(fa);
	assert_non_null(fb);
	reply(f, req_id(fa), 200,
	      "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":801,\"clientOrderId\":\"tt00000000000Z\","
	      "\"price\":\"30000.00\",\"origQty\":\"0.03000\",\"executedQty\":\"0.03000\","
	      "\"status\":\"FILLED\",\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"BUY\"}");
	reply(f, req_id(fb), 400, "\"error\":{\"code\":-2013,\"msg\":\"Order does not exist.\"}");
	assert_int_equal(f->oe.state, TT_OE_RECONCILE);	/* openOrders.status still due */
	for (int i = before; i < f->cap.n; i++)
		if (strstr(f->cap.frames[i], "openOrders.status"))
			reply(f, req_id(f->cap.frames[i]), 200, "\"result\":[]");
	/* A's missing 0.02 is not booked at its limit: its trades are asked for (myTrades by
	 * orderId) and READY waits for them */
	assert_int_equal(f->oe.state, TT_OE_RECONCILE);
	assert_true(tt_oe_position(&f->oe, 1) == 0);
	assert_non_null(strstr(last(f), "\"method\":\"myTrades\""));
	assert_non_null(strstr(last(f), "\"orderId\":801"));
	/* trade 1 is journaled already (its executionReport); 2 and 3 happened while down */
	reply(f, req_id(last(f)), 200,
	      "\"result\":[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":801,\"orderListId\":-1,"
	      "\"price\":\"30000.00\",\"qty\":\"0.01000\",\"quoteQty\":\"300.0000000\","
	      "\"commission\":\"0\",\"commissionAsset\":\"BTC\",\"time\":1,\"isBuyer\":true,"
	      "\"isMaker\":true,\"isBestMatch\":true},"
	      "{\"symbol\":\"BTCUSDT\",\"id\":7,\"orderId\":801,\"orderListId\":-1,"
	      "\"price\":\"29999.00\",\"qty\":\"0.01500\",\"quoteQty\":\"449.9850000\","
	      "\"commission\":\"0\",\"commissionAsset\":\"BTC\",\"time\":2,\"isBuyer\":true,"
	      "\"isMaker\":true,\"isBestMatch\":true},"
	      "{\"symbol\":\"BTCUSDT\",\"id\":9,\"orderId\":801,\"orderListId\":-1,"
	      "\"price\":\"29998.00\",\"qty\":\"0.00500\",\"quoteQty\":\"149.9900000\","
	      "\"commission\":\"0\",\"commissionAsset\":\"BTC\",\"time\":3,\"isBuyer\":true,"
	      "\"isMaker\":true,\"isBestMatch\":true}]");
	assert_int_equal(f->oe.state, TT_OE_CANCEL_ALL);
	assert_true(tt_order_find(&f->oe.orders, 61)->cum_notional ==
		    3000000LL * 1000 + 2999900LL * 1500 + 2999800LL * 500);	/* real prices */
	for (int i = before; i < f->cap.n; i++)
		if (strstr(f->cap.frames[i], "openOrders.cancelAll"))
			reply(f, req_id(f->cap.frames[i]), 400,
			      "\"error\":{\"code\":-2011,\"msg\":\"Unknown order sent.\"}");
	assert_int_equal(f->oe.state, TT_OE_READY);
	assert_int_equal(f->oe.orders.open, 0);
	assert_true(tt_oe_position(&f->oe, 1) == 2000);	/* A's missed 0.02 applied once */
	/* A differs, B not at the venue, A's two missed trades */
	assert_int_equal(count_records(f, TT_JREC_RECONCILE), 4);
	assert_int_equal(f->oe.risk.open_orders, 0);
	tt_oe_fini(&f->oe);

	assert_int_equal(engine_start(f), 0);
	assert_int_equal(f->oe.orders.open, 0);
	assert_true(tt_oe_position(&f->oe, 1) == 2000);
	assert_true(tt_order_find(&f->oe.orders, 61)->cum_qty == 3000);
	assert_true(tt_order_find(&f->oe.orders, 61)->cum_notional ==
		    3000000LL * 1000 + 2999900LL * 1500 + 2999800LL * 500);
	assert_true(tt_order_find(&f->oe.orders, 61)->last_trade_id == 9);
	assert_int_equal(tt_order_find(&f->oe.orders, 62)->state, TT_OS_REJECTED);
}

static void test_mid_file_corruption_refuses_to_start(void **state)
{
	struct fx *f = *state;
	int fd;
	char junk = 0x5a;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 71, TT_SIDE_BUY, 3000000, 1000);
	push_order(f, 72, TT_SIDE_BUY, 3000000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 2);
	tt_oe_fini(&f->oe);
	fd = open(f->path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &junk, 1, 2 * TT_JREC_SIZE + 40), 1);	/* record 2 */
	close(fd);
	assert_int_equal(engine_start(f), -TT_EPROTO);
	memset(&f->oe, 0, sizeof(f->oe));	/* teardown's fini on a zeroed engine */
	f->oe.j.fd = -1;
}

/* HMAC sessions may have no user data stream: the FULL answer carries the fills. */
static void test_hmac_full_answer_applies_fills_without_a_stream(void **state)
{
	struct fx *f = *state;
	struct tt_msg_exec e;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 81, TT_SIDE_BUY, 3000100, 2000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	assert_non_null(strstr(last(f), "\"newOrderRespType\":\"FULL\""));
	reply(f, req_id(last(f)), 200,
	      "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":900,\"orderListId\":-1,"
	      "\"clientOrderId\":\"x\",\"transactTime\":1,\"price\":\"30001.00\","
	      "\"origQty\":\"0.02000\",\"executedQty\":\"0.02000\",\"status\":\"FILLED\","
	      "\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"BUY\",\"fills\":["
	      "{\"price\":\"30000.50\",\"qty\":\"0.00500\",\"commission\":\"0.00000000\","
	      "\"commissionAsset\":\"BTC\",\"tradeId\":4},"
	      "{\"price\":\"30001.00\",\"qty\":\"0.01500\",\"commission\":\"0.00000000\","
	      "\"commissionAsset\":\"BTC\",\"tradeId\":5}]}");
	expect_exec(f, 81, TT_EXEC_NEW, 0);
	assert_true(pop_exec(f, &e));
	assert_int_equal(e.exec_type, TT_EXEC_TRADE);
	assert_true(e.last_px == 3000050 && e.last_qty == 500);	/* each trade at its price */
	assert_true(pop_exec(f, &e));
	assert_true(e.cum_qty == 2000);
	assert_true(tt_order_find(&f->oe.orders, 81)->cum_notional ==
		    3000050LL * 500 + 3000100LL * 1500);
	assert_true(tt_oe_position(&f->oe, 1) == 2000);
	assert_int_equal(f->oe.orders.open, 0);
	/* the same fill reported again by a stream, if one exists: not doubled */
	exec_report(f, 81, 0, "TRADE", "FILLED", "BUY", "0.02000", "30001.00", "0.01500",
		    "0.02000", "30001.00", 900, 5);
	assert_false(pop_exec(f, &e));
	assert_true(tt_oe_position(&f->oe, 1) == 2000);
}

/* An order picture with more executed than we have and no trades in it (a FULL answer with
 * empty fills here): the trades are asked for, booked at their own prices, once. */
static void test_missing_trades_are_fetched_with_my_trades(void **state)
{
	struct fx *f = *state;
	struct tt_msg_exec e;
	int journaled;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 91, TT_SIDE_SELL, 2999000, 2000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	reply(f, req_id(last(f)), 200,
	      "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":950,\"orderListId\":-1,"
	      "\"clientOrderId\":\"x\",\"transactTime\":1,\"price\":\"29990.00\","
	      "\"origQty\":\"0.02000\",\"executedQty\":\"0.02000\",\"status\":\"FILLED\","
	      "\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"SELL\",\"fills\":[]}");
	expect_exec(f, 91, TT_EXEC_NEW, 0);
	assert_false(pop_exec(f, &e));			/* no estimate at the limit */
	assert_non_null(strstr(last(f), "\"method\":\"myTrades\""));
	assert_non_null(strstr(last(f), "\"orderId\":950"));
	assert_non_null(strstr(last(f), "\"signature\":"));	/* HMAC: signed */
	journaled = count_records(f, TT_JREC_FILL);
	reply(f, req_id(last(f)), 200,
	      "\"result\":[{\"symbol\":\"BTCUSDT\",\"id\":20,\"orderId\":950,"
	      "\"price\":\"30000.00\",\"qty\":\"0.02000\",\"quoteQty\":\"600.0000000\","
	      "\"commission\":\"0\",\"commissionAsset\":\"USDT\",\"time\":1,"
	      "\"isBuyer\":false,\"isMaker\":false,\"isBestMatch\":true}]");
	assert_true(pop_exec(f, &e));
	assert_int_equal(e.exec_type, TT_EXEC_TRADE);
	assert_true(e.last_px == 3000000 && e.last_qty == 2000);
	assert_int_equal(count_records(f, TT_JREC_FILL), journaled + 1);
	assert_true(tt_oe_position(&f->oe, 1) == -2000);
	/* its executionReport afterwards: a repeat */
	exec_report(f, 91, 0, "TRADE", "FILLED", "SELL", "0.02000", "29990.00", "0.02000",
		    "0.02000", "30000.00", 950, 20);
	assert_false(pop_exec(f, &e));
	assert_true(tt_oe_position(&f->oe, 1) == -2000);
}

/* Reports by trade id: a repeated report is dropped; a report whose "z" shows a trade we
 * never saw triggers myTrades, which adds exactly the missing trade (at its price). */
static void test_a_missed_report_is_fetched_and_repeats_are_dropped(void **state)
{
	struct fx *f = *state;
	struct tt_msg_exec e;
	const struct tt_order *o;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 95, TT_SIDE_BUY, 3000000, 3000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	exec_report(f, 95, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.01000", "29999.00", 960, 10);
	exec_report(f, 95, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.01000", "29999.00", 960, 10);	/* repeated */
	assert_true(tt_oe_position(&f->oe, 1) == 1000);
	/* trade 11 never reported; 12 says z = 0.03 */
	exec_report(f, 95, 0, "TRADE", "FILLED", "BUY", "0.03000", "30000.00", "0.01000",
		    "0.03000", "29997.00", 960, 12);
	assert_true(tt_oe_position(&f->oe, 1) == 2000);
	assert_non_null(strstr(last(f), "\"method\":\"myTrades\""));
	assert_non_null(strstr(last(f), "\"orderId\":960"));
	reply(f, req_id(last(f)), 200,
	      "\"result\":["
	      "{\"symbol\":\"BTCUSDT\",\"id\":10,\"orderId\":960,\"price\":\"29999.00\","
	      "\"qty\":\"0.01000\"},"
	      "{\"symbol\":\"BTCUSDT\",\"id\":11,\"orderId\":960,\"price\":\"29998.00\","
	      "\"qty\":\"0.01000\"},"
	      "{\"symbol\":\"BTCUSDT\",\"id\":12,\"orderId\":960,\"price\":\"29997.00\","
	      "\"qty\":\"0.01000\"}]");
	assert_true(tt_oe_position(&f->oe, 1) == 3000);
	o = tt_order_find(&f->oe.orders, 95);
	assert_int_equal(o->state, TT_OS_FILLED);
	assert_true(o->cum_notional == (2999900LL + 2999800LL + 2999700LL) * 1000);
	assert_int_equal(count_records(f, TT_JREC_FILL), 3);
	/* the missed trade's report, late: dropped */
	exec_report(f, 95, 0, "TRADE", "PARTIALLY_FILLED", "BUY", "0.03000", "30000.00",
		    "0.01000", "0.02000", "29998.00", 960, 11);
	assert_true(tt_oe_position(&f->oe, 1) == 3000);
	while (pop_exec(f, &e))
		;
}

/* More orders than the table holds: terminal ones are dropped (compaction), the open one
 * survives, and a journal with more orders than the table replays. */
static void test_more_orders_than_the_table_holds(void **state)
{
	struct fx *f = *state;
	struct tt_msg_exec e;

	assert_int_equal(engine_start(f), 0);
	connect_ready(f, "\"result\":[]");
	tt_risk_set_ref(&f->oe.risk, 1, 3000000, 3000100);
	push_order(f, 1, TT_SIDE_BUY, 2990000, 1000);
	assert_int_equal(tt_oe_poll(&f->oe), 1);
	exec_report(f, 1, 0, "NEW", "NEW", "BUY", "0.01000", "29900.00", "0.00000", "0.00000",
		    "0.00", 1, -1);
	for (uint64_t id = 2; id < 2 + TT_OE_MAX_ORDERS + 500; id++) {
		f->cap.n = 0;
		push_order(f, id, TT_SIDE_BUY, 3000000, 1000);
		assert_int_equal(tt_oe_poll(&f->oe), 1);
		assert_non_null(strstr(last(f), "order.place"));
		reply(f, req_id(last(f)), 400, "\"error\":{\"code\":-2010,\"msg\":\"no\"}");
		while (pop_exec(f, &e))
			;
	}
	assert_int_equal(f->oe.orders.open, 1);
	assert_int_equal(tt_order_find(&f->oe.orders, 1)->state, TT_OS_ACKED);
	assert_true(tt_order_table_check(&f->oe.orders));
	assert_int_equal(f->oe.c.rejects, TT_OE_MAX_ORDERS + 500);
	tt_oe_fini(&f->oe);
	assert_int_equal(engine_start(f), 0);
	assert_int_equal(f->oe.orders.open, 1);
	assert_int_equal(tt_order_find(&f->oe.orders, 1)->state, TT_OS_ACKED);
	assert_int_equal(f->oe.risk.open_orders, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intent_before_ready_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_is_journaled_sent_acked_filled_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_risk_and_filter_rejects_send_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_venue_reject_and_unknown_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_switch_blocks_orders_and_cancels_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_failure_rejects_and_journals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_replays_and_reconciles_with_the_venue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_file_corruption_refuses_to_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hmac_full_answer_applies_fills_without_a_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_trades_are_fetched_with_my_trades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_missed_report_is_fetched_and_repeats_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_orders_than_the_table_holds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
