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

/* HMAC keys: every request signed; no logon: the user data stream comes from
 * userDataStream.subscribe.signature, fills also in the FULL answers (once, by trade id).
 * Positions still agree. */
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

#define TAKER_KEY "tt-oe-e2e-taker"

/* One signed request on a raw WS API connection and its answer (matched by id). */
static const char *taker_call(struct vc_ws *w, const char *req, uint64_t id)
{
	static char buf[1 << 16];
	char want[32];

	snprintf(want, sizeof(want), "\"id\":%llu,", (unsigned long long)id);
	assert_int_equal(vc_ws_send(w, req), 0);
	for (int i = 0; i < 100; i++) {
		int n = vc_ws_next(w, buf, sizeof(buf), 100);

		assert_true(n >= 0);
		if (n > 0 && strstr(buf, want))
			return buf;
	}
	fail_msg("no answer to request %llu", (unsigned long long)id);
	return NULL;
}

/* A myTrades request with raw params: payload "k=v&..." (sorted by the caller, apiKey and
 * timestamp added here in order), HMAC-signed like tt-oe signs. */
static const char *raw_my_trades(struct vc_ws *w, struct tt_hmac *h, uint64_t id,
				 const char *before_key, const char *after_key, uint64_t ts)
{
	char pay[512], sig[TT_HMAC_HEX_LEN + 1], req[1024], json[512];
	size_t n = 0;

	/* params sorted: [before apiKey] apiKey [after apiKey] ... timestamp */
	snprintf(pay, sizeof(pay), "%s%sapiKey=%s%s%s&timestamp=%llu", before_key,
		 before_key[0] ? "&" : "", TAKER_KEY, after_key[0] ? "&" : "", after_key,
		 (unsigned long long)ts);
	assert_int_equal(tt_hmac_sign_hex(h, pay, strlen(pay), sig), 0);
	/* the same params as JSON (all values as strings: the venue takes either) */
	json[0] = 0;
	for (const char *q = pay; *q; ) {
		const char *eq = strchr(q, '='), *amp = strchr(q, '&');
		size_t kl = (size_t)(eq - q), vl = amp ? (size_t)(amp - eq - 1) : strlen(eq + 1);

		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"%.*s\":\"%.*s\"",
				      n ? "," : "", (int)kl, q, (int)vl, eq + 1);
		q = amp ? amp + 1 : eq + 1 + vl;
	}
	snprintf(req, sizeof(req),
		 "{\"id\":%llu,\"method\":\"myTrades\",\"params\":{%s,\"signature\":\"%s\"}}",
		 (unsigned long long)id, json, sig);
	return taker_call(w, req, id);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* tt-oe with an HMAC key rests a bid; another account (a raw WS API client here) sells into
 * it. tt-oe can only learn that fill from the executionReport pushed on its signature
 * subscription (no answer of its own carries it, no reconcile runs): it arrives, at the
 * trade's price, and tt-oe, its journal and the venue agree. The same client checks the
 * venue's side: myTrades answers the trade as documented, a second subscription for one
 * account is refused (-2035), a bad signature too (-1022). */
static void test_hmac_stream_pushes_execution_reports(void **state)
{
	static char secret[] = "e2etakersecret0123456789abcdef";
	struct tt_hmac h;
	struct tt_bn_signer sg = { TT_BN_AUTH_HMAC, 0, TAKER_KEY, &h };
	struct tt_bn_order_req o = { .symbol = "BTCUSDT", .qty = 100, .side = TT_SIDE_SELL,
				     .type = TT_ORD_LIMIT, .tif = TT_TIF_IOC, .px_scale = 2,
				     .qty_scale = 5 };
	struct e2e_order_truth v[16];
	struct e2e_trade vt[16], jt[16];
	struct tt_msg_exec x = { .cl_ord_id = 0 };
	struct vc_ws *w = NULL;
	char req[TT_BN_REQ_MAX], cmd[160], px[32];
	const char *a;
	tt_qty_t vpos;
	bool traded = false;
	int st;

	(void)state;
	snprintf(cmd, sizeof(cmd), "oe key %s hmac %s", TAKER_KEY, secret);
	assert_true(vc_ctl(&E.venue, cmd, E.reply, sizeof(E.reply)) > 0);
	assert_non_null(strstr(E.reply, "\"ok\":true"));
	assert_int_equal(tt_hmac_init(&h, secret, strlen(secret)), 0);
	e2e_oe_start(&E);
	assert_int_equal(e2e_oe_wait_ready(&E), 0);
	assert_int_equal(e2e_ref(&E), 0);
	/* tt-oe's bid rests at the best bid (the market is paused) */
	assert_int_equal(e2e_order(&E, 3001, TT_SIDE_BUY, E.bid, 100, TT_TIF_GTC), 0);
	assert_int_equal(e2e_exec(&E, &x, 5000), 1);
	assert_true(x.cl_ord_id == 3001 && x.exec_type == TT_EXEC_NEW);
	/* the other account sells into it: resting client orders come first at a price */
	assert_int_equal(vc_ws_open(&w, &E.venue, "/ws-api/v3"), 0);
	o.px = E.bid;
	o.ts_ms = now_ms();
	assert_true(tt_bn_enc_order_place(req, sizeof(req), 1, &sg, &o) > 0);
	a = taker_call(w, req, 1);
	assert_non_null(strstr(a, "\"status\":200"));
	while (!traded && e2e_exec(&E, &x, 5000)) {
		if (x.cl_ord_id != 3001)
			continue;
		assert_int_equal(x.exec_type, TT_EXEC_TRADE);
		assert_true(x.last_qty == 100 && x.last_px == E.bid);
		traded = true;
	}
	assert_true(traded);
	/* myTrades as the taker sees it */
	assert_true(tt_bn_enc_my_trades(req, sizeof(req), 2, &sg, "BTCUSDT", 0, -1, 10, now_ms()) > 0);
	a = taker_call(w, req, 2);
	assert_non_null(strstr(a, "\"status\":200"));
	assert_true(tt_fixed_format(E.bid, 2, 0, px, sizeof(px)) > 0);
	assert_non_null(strstr(a, "\"qty\":\"0.00100000\""));
	assert_non_null(strstr(a, "\"isBuyer\":false,\"isMaker\":false,\"isBestMatch\":true"));
	assert_non_null(strstr(a, px));
	assert_null(strstr(a + 1, "},{"));	/* one trade */
	/* the documented filters and refusals */
	{
		char from[64];
		const char *t = strstr(a, "\"result\":[{");
		unsigned long long tid;

		assert_non_null(t);
		tid = vc_num(t, "id");	/* the trade's (the answer's own id comes before) */
		assert_true(tid > 0);
		snprintf(from, sizeof(from), "fromId=%llu&symbol=BTCUSDT", tid);
		assert_non_null(strstr(raw_my_trades(w, &h, 10, "", from, now_ms()),
				       "\"result\":[{"));	/* >= fromId: it */
		snprintf(from, sizeof(from), "fromId=%llu&symbol=BTCUSDT", tid + 1);
		assert_non_null(strstr(raw_my_trades(w, &h, 11, "", from, now_ms()),
				       "\"result\":[]"));
		assert_non_null(strstr(raw_my_trades(w, &h, 12, "", "orderId=999999&symbol=BTCUSDT",
						     now_ms()), "\"result\":[]"));
		assert_non_null(strstr(raw_my_trades(w, &h, 13, "", "limit=1001&symbol=BTCUSDT",
						     now_ms()), "\"code\":-1130"));
		assert_non_null(strstr(raw_my_trades(w, &h, 14, "", "orderId=1&startTime=1&symbol="
						     "BTCUSDT", now_ms()), "\"code\":-1128"));
		assert_non_null(strstr(raw_my_trades(w, &h, 15, "", "endTime=90000000&startTime=1&"
						     "symbol=BTCUSDT", now_ms()), "\"code\":-1127"));
		assert_non_null(strstr(raw_my_trades(w, &h, 16, "", "fromId=x&symbol=BTCUSDT",
						     now_ms()), "\"code\":-1100"));
		assert_non_null(strstr(raw_my_trades(w, &h, 17, "", "", now_ms()),
				       "\"code\":-1102"));	/* no symbol */
	}
	/* a subscription for the taker works once; twice is -2035; a bad signature -1022 */
	assert_true(tt_bn_enc_subscribe_signature(req, sizeof(req), 3, &sg, now_ms()) > 0);
	assert_non_null(strstr(taker_call(w, req, 3), "\"result\":{\"subscriptionId\":"));
	assert_true(tt_bn_enc_subscribe_signature(req, sizeof(req), 4, &sg, now_ms()) > 0);
	assert_non_null(strstr(taker_call(w, req, 4), "\"code\":-2035"));
	assert_true(tt_bn_enc_subscribe_signature(req, sizeof(req), 5, &sg, now_ms()) > 0);
	req[strlen(req) - 4] ^= 1;	/* one hex digit of the signature */
	assert_non_null(strstr(taker_call(w, req, 5), "\"code\":-1022"));
	vc_ws_close(w);
	tt_hmac_fini(&h);

	kill(E.oe, SIGTERM);
	assert_int_equal(waitpid(E.oe, &st, 0), E.oe);
	E.oe = 0;
	assert_int_equal(e2e_venue_orders(&E, v, 16, &vpos), 1);
	assert_true(vpos == 100);
	assert_int_equal(e2e_venue_trades(&E, vt, 16), 1);
	assert_int_equal(e2e_journal_trades(&E, jt, 16), 1);
	assert_true(jt[0].trade_id == vt[0].trade_id && jt[0].px == vt[0].px &&
		    jt[0].qty == vt[0].qty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intents_become_venue_orders_and_everyone_agrees,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hmac_session_trades_and_agrees, setup_hmac,
						teardown),
		cmocka_unit_test_setup_teardown(test_hmac_stream_pushes_execution_reports,
						setup_hmac, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
