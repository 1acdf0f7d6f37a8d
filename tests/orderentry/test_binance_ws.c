/*
 * test_binance_ws.c — Binance WS API encoders and decoders against the venue docs'
 * own examples: the HMAC order.place example must reproduce the documented signature
 * byte for byte; every documented response/event decodes to the documented values; every
 * truncation of every fixture fails cleanly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_msg.h"
#include "tt_oe_binance.h"
#include "tt_risk.h"

#include "bn_doc_fixtures.h"

static const char doc_key[] = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
static const char doc_secret[] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

static const struct tt_bn_instr instrs[] = {
	{ "BTCUSDT", 1, 8, 8 },
	{ "ETHBTC", 2, 8, 8 },
	{ "BNBUSDT", 3, 2, 3 },
};
static const struct tt_bn_symtab symtab = { instrs, 3 };

static void test_hmac_order_place_reproduces_the_docs_signature(void **state)
{
	struct tt_hmac h;
	struct tt_bn_signer s = { TT_BN_AUTH_HMAC, 100, doc_key, &h };
	struct tt_bn_order_req o = {
		.symbol = "BTCUSDT", .px = 5200000, .qty = 1000000, .ts_ms = 1645423376532ull,
		.side = TT_SIDE_SELL, .type = TT_ORD_LIMIT, .tif = TT_TIF_GTC,
		.px_scale = 2, .qty_scale = 8,
	};
	char buf[TT_BN_REQ_MAX];
	int n;

	assert_int_equal(tt_hmac_init(&h, doc_secret, strlen(doc_secret)), 0);
	n = tt_bn_enc_order_place(buf, sizeof(buf), 7, &s, &o);
	assert_true(n > 0);
	assert_string_equal(buf,
		"{\"id\":7,\"method\":\"order.place\",\"params\":{"
		"\"apiKey\":\"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\","
		"\"price\":\"52000.00\",\"quantity\":\"0.01000000\",\"recvWindow\":100,"
		"\"side\":\"SELL\",\"symbol\":\"BTCUSDT\",\"timeInForce\":\"GTC\","
		"\"timestamp\":1645423376532,\"type\":\"LIMIT\","
		"\"signature\":\"aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24\"}}");
	assert_int_equal(n, (int)strlen(buf));

	/* the non-ASCII example: UTF-8 symbol signed raw */
	s.recv_window_ms = 5000;
	o.symbol = "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96";
	o.side = TT_SIDE_BUY;
	o.px = 10000000;
	o.px_scale = 8;
	o.qty = 100000000;
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 8, &s, &o) > 0);
	assert_non_null(strstr(buf,
		"\"signature\":\"b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd\""));
	tt_hmac_fini(&h);
	(void)state;
}

static void test_session_order_place_has_no_key_and_our_client_id(void **state)
{
	struct tt_bn_signer s = { TT_BN_AUTH_SESSION, 0, NULL, NULL };
	struct tt_bn_order_req o = {
		.symbol = "BNBUSDT", .px = 31250, .qty = 1500, .cl_ord_id = 42, .ts_ms = 1700000000000ull,
		.side = TT_SIDE_BUY, .type = TT_ORD_LIMIT, .tif = TT_TIF_IOC,
		.resp_type = TT_BN_RESP_ACK, .px_scale = 2, .qty_scale = 3,
	};
	char buf[TT_BN_REQ_MAX], id[TT_BN_CLID_LEN + 1];

	tt_bn_clid_encode(42, id);
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o) > 0);
	assert_string_equal(buf,
		"{\"id\":1,\"method\":\"order.place\",\"params\":{"
		"\"newClientOrderId\":\"tt0000000000g\",\"newOrderRespType\":\"ACK\","
		"\"price\":\"312.50\",\"quantity\":\"1.500\",\"side\":\"BUY\",\"symbol\":\"BNBUSDT\","
		"\"timeInForce\":\"IOC\",\"timestamp\":1700000000000,\"type\":\"LIMIT\"}}");
	assert_string_equal(id, "tt0000000000g");

	/* MARKET: no price, no timeInForce; LIMIT_MAKER: price, no timeInForce */
	o.type = TT_ORD_MARKET;
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 2, &s, &o) > 0);
	assert_null(strstr(buf, "price"));
	assert_null(strstr(buf, "timeInForce"));
	o.type = TT_ORD_LIMIT_MAKER;
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 3, &s, &o) > 0);
	assert_non_null(strstr(buf, "\"price\":\"312.50\""));
	assert_null(strstr(buf, "timeInForce"));
	assert_non_null(strstr(buf, "\"type\":\"LIMIT_MAKER\""));
	(void)state;
}

static void test_order_place_carries_the_cause_as_strategy_id_signed_in_name_order(void **state)
{
	struct tt_hmac h;
	struct tt_bn_signer s = { TT_BN_AUTH_HMAC, 0, "k", &h };
	struct tt_bn_order_req o = {
		.symbol = "BTCUSDT", .px = 5200000, .qty = 1000, .cl_ord_id = 42,
		.ts_ms = 1700000000000ull, .side = TT_SIDE_BUY, .type = TT_ORD_LIMIT,
		.tif = TT_TIF_IOC, .px_scale = 2, .qty_scale = 5, .cause = 4294967295u,
	};
	static const char payload[] =
		"apiKey=k&newClientOrderId=tt0000000000g&price=52000.00&quantity=0.01000&"
		"side=BUY&strategyId=4294967295&symbol=BTCUSDT&timeInForce=IOC&"
		"timestamp=1700000000000&type=LIMIT";
	char buf[TT_BN_REQ_MAX], sig[80], want[100];

	assert_int_equal(tt_hmac_init(&h, "s3cret", 6), 0);
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o) > 0);
	/* a number, between side and symbol (params sorted by name), and signed */
	assert_non_null(strstr(buf, "\"side\":\"BUY\",\"strategyId\":4294967295,\"symbol\""));
	assert_int_equal(tt_hmac_sign_hex(&h, payload, strlen(payload), sig), 0);
	snprintf(want, sizeof(want), "\"signature\":\"%s\"", sig);
	assert_non_null(strstr(buf, want));
	/* the client order id keeps its 13-character form (cancels need not know the cause) */
	assert_non_null(strstr(buf, "\"newClientOrderId\":\"tt0000000000g\""));
	/* cause 0: no strategyId at all */
	o.cause = 0;
	assert_true(tt_bn_enc_order_place(buf, sizeof(buf), 2, &s, &o) > 0);
	assert_null(strstr(buf, "strategyId"));
	/* order.cancelReplace places an order too: the cause travels there as well */
	o.cause = 7;
	assert_true(tt_bn_enc_cancel_replace(buf, sizeof(buf), 3, &s, &o, 41) > 0);
	assert_non_null(strstr(buf, "\"strategyId\":7,"));
	tt_hmac_fini(&h);
	(void)state;
}

static void test_encoders_refuse_bad_input_and_small_buffers(void **state)
{
	struct tt_bn_signer s = { TT_BN_AUTH_SESSION, 0, NULL, NULL };
	struct tt_bn_order_req o = {
		.symbol = "BTC\"USDT", .px = 1, .qty = 1, .ts_ms = 1, .px_scale = 2, .qty_scale = 3,
	};
	char buf[TT_BN_REQ_MAX];
	int n;

	assert_int_equal(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o), -EINVAL);
	o.symbol = "BTCUSDT";
	o.qty = 0;
	assert_int_equal(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o), -EINVAL);
	o.qty = 1;
	o.px = -5;
	assert_int_equal(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o), -EINVAL);
	o.px = 1;
	o.side = 7;
	assert_int_equal(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o), -EINVAL);
	o.side = 0;
	n = tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o);
	assert_true(n > 0);
	/* exactly fits (n + NUL), one byte less does not */
	assert_int_equal(tt_bn_enc_order_place(buf, (size_t)n + 1, 1, &s, &o), n);
	assert_int_equal(tt_bn_enc_order_place(buf, (size_t)n, 1, &s, &o), -ENOSPC);
	/* HMAC mode without a key */
	s.mode = TT_BN_AUTH_HMAC;
	assert_int_equal(tt_bn_enc_order_place(buf, sizeof(buf), 1, &s, &o), -EINVAL);
	assert_int_equal(tt_bn_enc_order_cancel(buf, sizeof(buf), 1, &s, "BTCUSDT", 0, 0, 1), -EINVAL);
	(void)state;
}

static void test_cancel_status_cancel_all_open_orders_subscribe_requests(void **state)
{
	struct tt_bn_signer s = { TT_BN_AUTH_SESSION, 5000, NULL, NULL };
	struct tt_bn_order_req o = {
		.symbol = "BTCUSDT", .px = 2341610000000, .qty = 847000, .cl_ord_id = 43, .ts_ms = 5,
		.side = TT_SIDE_SELL, .px_scale = 8, .qty_scale = 8,
	};
	char buf[TT_BN_REQ_MAX];

	assert_true(tt_bn_enc_order_cancel(buf, sizeof(buf), 9, &s, "BTCUSDT", 42, 0, 1660801715830) > 0);
	assert_string_equal(buf, "{\"id\":9,\"method\":\"order.cancel\",\"params\":{"
				 "\"origClientOrderId\":\"tt0000000000g\",\"recvWindow\":5000,"
				 "\"symbol\":\"BTCUSDT\",\"timestamp\":1660801715830}}");
	assert_true(tt_bn_enc_order_cancel(buf, sizeof(buf), 9, &s, "BTCUSDT", 0, 12569099453ull, 1) > 0);
	assert_non_null(strstr(buf, "\"orderId\":12569099453,"));
	assert_true(tt_bn_enc_cancel_all(buf, sizeof(buf), 10, &s, "BTCUSDT", 1660805557200) > 0);
	assert_string_equal(buf, "{\"id\":10,\"method\":\"openOrders.cancelAll\",\"params\":{"
				 "\"recvWindow\":5000,\"symbol\":\"BTCUSDT\",\"timestamp\":1660805557200}}");
	assert_true(tt_bn_enc_order_status(buf, sizeof(buf), 11, &s, "BTCUSDT", 42, 3) > 0);
	assert_string_equal(buf, "{\"id\":11,\"method\":\"order.status\",\"params\":{"
				 "\"origClientOrderId\":\"tt0000000000g\",\"recvWindow\":5000,"
				 "\"symbol\":\"BTCUSDT\",\"timestamp\":3}}");
	assert_true(tt_bn_enc_open_orders(buf, sizeof(buf), 12, &s, NULL, 4) > 0);
	assert_string_equal(buf, "{\"id\":12,\"method\":\"openOrders.status\",\"params\":{"
				 "\"recvWindow\":5000,\"timestamp\":4}}");
	assert_true(tt_bn_enc_subscribe(buf, sizeof(buf), 13) > 0);
	assert_string_equal(buf, "{\"id\":13,\"method\":\"userDataStream.subscribe\"}");
	assert_true(tt_bn_enc_cancel_replace(buf, sizeof(buf), 14, &s, &o, 42) > 0);
	assert_string_equal(buf, "{\"id\":14,\"method\":\"order.cancelReplace\",\"params\":{"
				 "\"cancelOrigClientOrderId\":\"tt0000000000g\","
				 "\"cancelReplaceMode\":\"STOP_ON_FAILURE\","
				 "\"newClientOrderId\":\"tt0000000000h\",\"price\":\"23416.10000000\","
				 "\"quantity\":\"0.00847000\",\"recvWindow\":5000,\"side\":\"SELL\","
				 "\"symbol\":\"BTCUSDT\",\"timeInForce\":\"GTC\",\"timestamp\":5,"
				 "\"type\":\"LIMIT\"}}");
	(void)state;
}

static void test_logon_signs_sorted_key_and_timestamp_with_ed25519(void **state)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pk = NULL;
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	long pem_len;
	struct tt_ed25519 k;
	char buf[TT_BN_REQ_MAX], sig_b64[TT_ED25519_B64_LEN + 1];
	unsigned char sig[64];
	const char *sp, *payload = "apiKey=testkey123&timestamp=1649729878532";
	EVP_MD_CTX *vc = EVP_MD_CTX_new();

	assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
	assert_int_equal(EVP_PKEY_keygen(pc, &pk), 1);
	assert_int_equal(PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL), 1);
	pem_len = BIO_get_mem_data(b, &pem);
	assert_int_equal(tt_ed25519_load_pem(&k, pem, (size_t)pem_len), 0);
	assert_true(tt_bn_enc_logon(buf, sizeof(buf), 1, "testkey123", 1649729878532ull, &k) > 0);
	assert_non_null(strstr(buf, "{\"id\":1,\"method\":\"session.logon\",\"params\":{"
				    "\"apiKey\":\"testkey123\",\"timestamp\":1649729878532,"
				    "\"signature\":\""));
	sp = strstr(buf, "\"signature\":\"") + 13;
	memcpy(sig_b64, sp, TT_ED25519_B64_LEN);
	sig_b64[TT_ED25519_B64_LEN] = 0;
	assert_int_equal(EVP_DecodeBlock(sig, (unsigned char *)sig_b64, TT_ED25519_B64_LEN), 66);
	assert_int_equal(EVP_DigestVerifyInit(vc, NULL, NULL, NULL, pk), 1);
	assert_int_equal(EVP_DigestVerify(vc, sig, 64, (const unsigned char *)payload, strlen(payload)), 1);
	/* and not over anything else */
	assert_int_equal(EVP_DigestVerifyInit(vc, NULL, NULL, NULL, pk), 1);
	assert_int_not_equal(EVP_DigestVerify(vc, sig, 64, (const unsigned char *)payload, strlen(payload) - 1), 1);
	EVP_MD_CTX_free(vc);
	tt_ed25519_fini(&k);
	BIO_free(b);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
	(void)state;
}

static void test_client_order_ids_round_trip_and_foreign_ids_are_refused(void **state)
{
	const uint64_t ids[] = { 0, 1, 63, 64, 42, 0x123456789abcdefull, UINT64_MAX, UINT64_MAX - 1 };
	char s[TT_BN_CLID_LEN + 1];
	uint64_t back;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(tt_bn_clid_encode(ids[i], s), TT_BN_CLID_LEN);
		for (int j = 0; j < TT_BN_CLID_LEN; j++)
			assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "abcdefghijklmnopqrstuvwxyz-_", s[j]));
		assert_int_equal(tt_bn_clid_decode(s, strlen(s), &back), 0);
		assert_true(back == ids[i]);
	}
	assert_int_equal(tt_bn_clid_decode("mUvoqJxFIILMdfAW5iGSOW", 22, &back), -EINVAL);
	assert_int_equal(tt_bn_clid_decode("xx0000000000g", 13, &back), -EINVAL);
	assert_int_equal(tt_bn_clid_decode("tt000000000!g", 13, &back), -EINVAL);
	assert_int_equal(tt_bn_clid_decode("ttG0000000000", 13, &back), -EINVAL); /* > 64 bits */
	(void)state;
}

static void test_place_responses_decode_ack_result_full(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_order o;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_place_ack, strlen(doc_place_ack), &m, &e), 0);
	assert_int_equal(m.kind, TT_BN_MSG_RESPONSE);
	assert_false(m.id_numeric);	/* the docs use UUID strings; ours are numbers */
	assert_int_equal(m.status, 200);
	assert_int_equal(m.n_limits, 3);
	assert_int_equal(m.limits[0].type, TT_BN_LIM_ORDERS);
	assert_int_equal(m.limits[0].interval, 'S');
	assert_int_equal(m.limits[0].interval_num, 10);
	assert_int_equal(m.limits[0].limit, 50);
	assert_int_equal(m.limits[0].count, 1);
	assert_int_equal(m.limits[1].interval, 'D');
	assert_int_equal(m.limits[2].type, TT_BN_LIM_WEIGHT);
	assert_int_equal(m.limits[2].limit, 6000);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_int_equal(o.instr, 1);
	assert_true(o.venue_id == 12569099453ull);
	assert_true(o.cl_ord_id == 0);	/* foreign id */
	assert_true(o.tx_ms == 1660801715639ull);

	assert_int_equal(tt_bn_decode(doc_place_result, strlen(doc_place_result), &m, &e), 0);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_true(o.px == 2341610000000ll);
	assert_true(o.qty == 847000);
	assert_true(o.cum_qty == 0);
	assert_int_equal(o.status, TT_BN_S_NEW);
	assert_int_equal(o.side, TT_SIDE_SELL);
	assert_int_equal(o.type, TT_ORD_LIMIT);
	assert_int_equal(o.tif, TT_TIF_GTC);

	assert_int_equal(tt_bn_decode(doc_place_full, strlen(doc_place_full), &m, &e), 0);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_true(o.cum_qty == 847000);
	assert_int_equal(o.status, TT_BN_S_FILLED);
	(void)state;
}

static void test_error_response_maps_to_reason(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_error_resp, strlen(doc_error_resp), &m, &e), 0);
	assert_int_equal(m.status, 400);
	assert_int_equal(m.err_code, -2010);
	assert_int_equal(m.err_msg_len, strlen("Account has insufficient balance for requested action."));
	assert_null(m.result);
	assert_int_equal(tt_bn_err_reason(m.err_code), TT_OE_R_VENUE_ORDER_REJECTED);
	assert_false(tt_bn_outcome_unknown(m.status, m.err_code));
	assert_string_equal(tt_oe_reason_name(TT_OE_R_VENUE_ORDER_REJECTED), "venue_order_rejected");
	assert_string_equal(tt_oe_reason_name(TT_RISK_MAX_QTY), "max_qty");

	assert_int_equal(tt_bn_err_reason(-1003), TT_OE_R_VENUE_RATE_LIMIT);
	assert_int_equal(tt_bn_err_reason(-1013), TT_OE_R_VENUE_FILTER);
	assert_int_equal(tt_bn_err_reason(-1015), TT_OE_R_VENUE_TOO_MANY_ORDERS);
	assert_int_equal(tt_bn_err_reason(-1021), TT_OE_R_VENUE_TIMESTAMP);
	assert_int_equal(tt_bn_err_reason(-1022), TT_OE_R_VENUE_SIGNATURE);
	assert_int_equal(tt_bn_err_reason(-2011), TT_OE_R_VENUE_CANCEL_REJECTED);
	assert_int_equal(tt_bn_err_reason(-2013), TT_OE_R_VENUE_NO_SUCH_ORDER);
	assert_int_equal(tt_bn_err_reason(-2014), TT_OE_R_VENUE_BAD_KEY);
	assert_int_equal(tt_bn_err_reason(-2015), TT_OE_R_VENUE_KEY_REJECTED);
	assert_int_equal(tt_bn_err_reason(-1102), TT_OE_R_VENUE_MALFORMED);
	assert_int_equal(tt_bn_err_reason(-1121), TT_OE_R_VENUE_BAD_SYMBOL);
	assert_int_equal(tt_bn_err_reason(-9999), TT_OE_R_VENUE_OTHER);

	/* 5xx: outcome unknown, never assumed */
	{
		static const char r503[] =
			"{\"id\":77,\"status\":503,\"error\":{\"code\":-1008,\"msg\":\"overloaded\"}}";

		assert_int_equal(tt_bn_decode(r503, strlen(r503), &m, &e), 0);
		assert_true(m.id_numeric);
		assert_true(m.id == 77);
		assert_true(tt_bn_outcome_unknown(m.status, m.err_code));
	}
	(void)state;
}

static void test_cancel_status_logon_subscribe_responses_decode(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_order o;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_cancel_resp, strlen(doc_cancel_resp), &m, &e), 0);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_int_equal(o.status, TT_BN_S_CANCELED);
	assert_true(o.cum_qty == 1000);
	assert_true(o.qty == 847000);

	assert_int_equal(tt_bn_decode(doc_status_resp, strlen(doc_status_resp), &m, &e), 0);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_int_equal(o.status, TT_BN_S_FILLED);
	assert_true(o.cum_qty == 847000);

	assert_int_equal(tt_bn_decode(doc_logon_resp, strlen(doc_logon_resp), &m, &e), 0);
	assert_int_equal(m.status, 200);
	assert_non_null(m.result);
	assert_int_equal(tt_bn_decode(doc_subscribe_resp, strlen(doc_subscribe_resp), &m, &e), 0);
	assert_int_equal(m.kind, TT_BN_MSG_RESPONSE);
	(void)state;
}

static int count_cb(const struct tt_bn_order *o, void *arg)
{
	int *n = arg;

	assert_int_equal(o->instr, 1);
	(*n)++;
	return 0;
}

static void test_open_orders_and_cancel_all_arrays_decode(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_perr e;
	int n = 0;

	assert_int_equal(tt_bn_decode(doc_open_orders_resp, strlen(doc_open_orders_resp), &m, &e), 0);
	assert_int_equal(tt_bn_decode_orders(m.result, m.result_len, &symtab, count_cb, &n, &e), 1);
	assert_int_equal(n, 1);
	n = 0;
	/* one single order and one order list (skipped: we never place lists) */
	assert_int_equal(tt_bn_decode(doc_cancel_all_resp, strlen(doc_cancel_all_resp), &m, &e), 0);
	assert_int_equal(tt_bn_decode_orders(m.result, m.result_len, &symtab, count_cb, &n, &e), 1);
	assert_int_equal(n, 1);
	(void)state;
}

static void test_execution_report_event_decodes_every_field_we_use(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_order o;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_exec_report, strlen(doc_exec_report), &m, &e), 0);
	assert_int_equal(m.kind, TT_BN_MSG_EVENT);
	assert_int_equal(m.event_type, TT_BN_EV_EXEC_REPORT);
	assert_int_equal(tt_bn_decode_exec(m.event, m.event_len, &symtab, &o, &e), 0);
	assert_int_equal(o.instr, 2);
	assert_int_equal(o.side, TT_SIDE_BUY);
	assert_int_equal(o.type, TT_ORD_LIMIT);
	assert_int_equal(o.tif, TT_TIF_GTC);
	assert_int_equal(o.exec_type, TT_BN_X_NEW);
	assert_int_equal(o.status, TT_BN_S_NEW);
	assert_true(o.venue_id == 4293153);
	assert_true(o.qty == 100000000);
	assert_true(o.px == 10264410);
	assert_true(o.cum_qty == 0 && o.last_qty == 0 && o.last_px == 0);
	assert_true(o.trade_id == -1);
	assert_true(o.event_ms == 1499405658658ull);
	assert_true(o.tx_ms == 1499405658657ull);
	assert_false(o.maker);
	assert_true(o.cl_ord_id == 0 && o.orig_cl_ord_id == 0);	/* foreign / empty */
	assert_int_equal(o.reject_len, 4);

	/* our own id, a trade */
	{
		static const char ev[] =
			"{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\",\"E\":1,"
			"\"s\":\"BNBUSDT\",\"c\":\"tt0000000000g\",\"S\":\"SELL\",\"o\":\"LIMIT\","
			"\"f\":\"IOC\",\"q\":\"2.000\",\"p\":\"312.50\",\"C\":\"\",\"x\":\"TRADE\","
			"\"X\":\"PARTIALLY_FILLED\",\"r\":\"NONE\",\"i\":99,\"l\":\"0.500\","
			"\"z\":\"1.500\",\"L\":\"312.40\",\"n\":\"0\",\"N\":null,\"T\":2,\"t\":777,"
			"\"m\":true}}";

		assert_int_equal(tt_bn_decode(ev, strlen(ev), &m, &e), 0);
		assert_int_equal(tt_bn_decode_exec(m.event, m.event_len, &symtab, &o, &e), 0);
		assert_true(o.cl_ord_id == 42);
		assert_int_equal(o.exec_type, TT_BN_X_TRADE);
		assert_int_equal(o.status, TT_BN_S_PARTIALLY_FILLED);
		assert_true(o.last_qty == 500 && o.cum_qty == 1500 && o.last_px == 31240);
		assert_true(o.trade_id == 777);
		assert_true(o.maker);
	}
	(void)state;
}

static void test_other_events_are_tolerated(void **state)
{
	struct tt_bn_msg m;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_account_pos, strlen(doc_account_pos), &m, &e), 0);
	assert_int_equal(m.kind, TT_BN_MSG_EVENT);
	assert_int_equal(m.event_type, TT_BN_EV_ACCOUNT_POSITION);
	assert_int_equal(tt_bn_decode(doc_stream_terminated, strlen(doc_stream_terminated), &m, &e), 0);
	assert_int_equal(m.event_type, TT_BN_EV_STREAM_TERMINATED);
	(void)state;
}

static void test_hostile_frames_fail_with_a_code(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"id\":1}", "{\"id\":1,\"status\":200,\"status\":200}",
		"{\"id\":1,\"status\":200} x", "{\"id\":1,\"status\":\"200\"}",
		"{\"id\":1,\"status\":99999999999}", "{\"subscriptionId\":0,\"event\":[]}",
		"{\"subscriptionId\":0,\"event\":{\"E\":1}}",
		"{\"id\":1,\"status\":400,\"error\":{\"msg\":\"x\"}}",
	};
	struct tt_bn_msg m;
	struct tt_bn_order o;
	struct tt_bn_perr e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tt_bn_decode(bad[i], strlen(bad[i]), &m, &e), -TT_EPROTO);
		assert_int_not_equal(e.code, 0);
	}
	/* decimals finer than the scale, unknown symbols, missing order id */
	{
		static const char ev1[] = "{\"e\":\"executionReport\",\"s\":\"BNBUSDT\",\"x\":\"NEW\",\"i\":1,\"p\":\"1.001\"}";
		static const char ev2[] = "{\"e\":\"executionReport\",\"s\":\"DOGEUSDT\",\"x\":\"NEW\",\"i\":1}";
		static const char ev3[] = "{\"e\":\"executionReport\",\"s\":\"BNBUSDT\",\"x\":\"NEW\"}";

		assert_int_equal(tt_bn_decode_exec(ev1, strlen(ev1), &symtab, &o, &e), -TT_EPROTO);
		assert_int_equal(e.code, TT_BN_PE_DECIMAL);
		assert_int_equal(tt_bn_decode_exec(ev2, strlen(ev2), &symtab, &o, &e), -TT_EPROTO);
		assert_int_equal(e.code, TT_BN_PE_SYMBOL);
		assert_int_equal(tt_bn_decode_exec(ev3, strlen(ev3), &symtab, &o, &e), -TT_EPROTO);
		assert_int_equal(e.code, TT_BN_PE_MISSING);
	}
	(void)state;
}

/* Every proper prefix of every fixture is refused (never read past the end: ASan). */
/* myTrades: orderId / fromId / limit as documented, sorted and HMAC-signed over exactly
 * the params sent; session mode sends no key and no signature. */
static void test_my_trades_request_is_signed_over_its_sorted_params(void **state)
{
	struct tt_hmac h;
	struct tt_bn_signer s = { TT_BN_AUTH_HMAC, 0, doc_key, &h };
	struct tt_bn_signer ss = { TT_BN_AUTH_SESSION, 0, NULL, NULL };
	char buf[TT_BN_REQ_MAX], pay[512], want[TT_HMAC_HEX_LEN + 1];
	struct tt_hmac h2;

	assert_int_equal(tt_hmac_init(&h, doc_secret, strlen(doc_secret)), 0);
	assert_int_equal(tt_hmac_init(&h2, doc_secret, strlen(doc_secret)), 0);
	assert_true(tt_bn_enc_my_trades(buf, sizeof(buf), 21, &s, "BTCUSDT", 12569099453ull,
					1650422482, 1000, 1661955125250ull) > 0);
	snprintf(pay, sizeof(pay), "apiKey=%s&fromId=1650422482&limit=1000&orderId=12569099453"
		 "&symbol=BTCUSDT&timestamp=1661955125250", doc_key);
	assert_int_equal(tt_hmac_sign_hex(&h2, pay, strlen(pay), want), 0);
	assert_non_null(strstr(buf, "\"method\":\"myTrades\""));
	assert_non_null(strstr(buf, "\"fromId\":1650422482,\"limit\":1000,"
				    "\"orderId\":12569099453,\"symbol\":\"BTCUSDT\","
				    "\"timestamp\":1661955125250,\"signature\":\""));
	assert_non_null(strstr(buf, want));
	assert_true(tt_bn_enc_my_trades(buf, sizeof(buf), 22, &ss, "BTCUSDT", 7, -1, 0, 5) > 0);
	assert_string_equal(buf, "{\"id\":22,\"method\":\"myTrades\",\"params\":{"
				 "\"orderId\":7,\"symbol\":\"BTCUSDT\",\"timestamp\":5}}");
	assert_int_equal(tt_bn_enc_my_trades(buf, sizeof(buf), 23, &ss, "BTCUSDT", 7, -1, 1001, 5),
			 -EINVAL);
	assert_int_equal(tt_bn_enc_my_trades(buf, 40, 23, &ss, "BTCUSDT", 7, -1, 0, 5), -ENOSPC);
	tt_hmac_fini(&h);
	tt_hmac_fini(&h2);
	(void)state;
}

struct trades_seen {
	struct tt_bn_trade t[4];
	int n;
};

static int keep_trade(const struct tt_bn_trade *tr, void *arg)
{
	struct trades_seen *s = arg;

	if (s->n < 4)
		s->t[s->n] = *tr;
	s->n++;
	return 0;
}

static void test_my_trades_response_decodes_the_docs_example(void **state)
{
	static const struct tt_bn_instr bt[] = { { "BTCUSDT", 1, 2, 5 } };
	static const struct tt_bn_symtab st = { bt, 1 };
	struct trades_seen seen = { .n = 0 };
	struct tt_bn_msg m;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_my_trades_resp, strlen(doc_my_trades_resp), &m, &e), 0);
	assert_int_equal(m.kind, TT_BN_MSG_RESPONSE);
	assert_int_equal(m.status, 200);
	assert_false(m.id_numeric);		/* the docs use a string id */
	assert_int_equal(tt_bn_decode_trades(m.result, m.result_len, &st, keep_trade, &seen, &e), 2);
	assert_int_equal(seen.t[0].instr, 1);
	assert_true(seen.t[0].id == 1650422481ull);
	assert_true(seen.t[0].venue_id == 12569099453ull);
	assert_true(seen.t[0].px == 2341610);
	assert_true(seen.t[0].qty == 635);
	assert_true(seen.t[0].quote_qty == 1486922350);	/* 148.6922350 at 2 + 5 */
	assert_true(seen.t[0].time_ms == 1660801715793ull);
	assert_false(seen.t[0].buyer);
	assert_true(seen.t[0].maker && seen.t[0].best_match);
	assert_int_equal(seen.t[0].commission_asset_len, 3);
	assert_memory_equal(seen.t[0].commission_asset, "BNB", 3);
	assert_true(seen.t[1].id == 1650422482ull && seen.t[1].px == 2341650 && seen.t[1].qty == 212);
	/* at 8 + 8 decimals quoteQty may not fit int64: -1, the trade still decodes */
	seen.n = 0;
	assert_int_equal(tt_bn_decode_trades(
		"[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,\"price\":\"60000.00\","
		"\"qty\":\"1.00000000\",\"quoteQty\":\"60000.00000000\"}]", sizeof(
		"[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,\"price\":\"60000.00\","
		"\"qty\":\"1.00000000\",\"quoteQty\":\"60000.00000000\"}]") - 1, &symtab,
		keep_trade, &seen, &e), 1);
	assert_true(seen.t[0].quote_qty == -1 && seen.t[0].px == 6000000000000ll);
	/* hostile: missing id, zero qty, unknown symbol, finer than the scale, not an array */
	assert_int_equal(tt_bn_decode_trades("[{\"symbol\":\"BTCUSDT\",\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"1\"}]", sizeof("[{\"symbol\":\"BTCUSDT\",\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"1\"}]") - 1, &st,
					     keep_trade, &seen, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_BN_PE_MISSING);
	assert_int_equal(tt_bn_decode_trades("[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"0\"}]", sizeof("[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"0\"}]") - 1, &st,
					     keep_trade, &seen, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_BN_PE_DECIMAL);
	assert_int_equal(tt_bn_decode_trades("[{\"symbol\":\"XXX\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"1\"}]", sizeof("[{\"symbol\":\"XXX\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1\",\"qty\":\"1\"}]") - 1, &st,
					     keep_trade, &seen, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_BN_PE_SYMBOL);
	assert_int_equal(tt_bn_decode_trades("[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1.001\",\"qty\":\"1\"}]", sizeof("[{\"symbol\":\"BTCUSDT\",\"id\":1,\"orderId\":2,"
					     "\"price\":\"1.001\",\"qty\":\"1\"}]") - 1, &st,
					     keep_trade, &seen, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_BN_PE_DECIMAL);
	assert_int_equal(tt_bn_decode_trades("{}", sizeof("{}") - 1, &st, keep_trade, &seen, &e), -TT_EPROTO);
	(void)state;
}

/* order.place FULL "fills" (the docs' example) through the same trade decoder. */
static void test_full_answer_fills_decode_as_trades(void **state)
{
	static const struct tt_bn_instr bt = { "BTCUSDT", 1, 8, 8 };
	struct trades_seen seen = { .n = 0 };
	struct tt_bn_order o;
	struct tt_bn_msg m;
	struct tt_bn_perr e;

	assert_int_equal(tt_bn_decode(doc_place_full, strlen(doc_place_full), &m, &e), 0);
	assert_int_equal(tt_bn_decode_order(m.result, m.result_len, &symtab, &o, &e), 0);
	assert_non_null(o.fills);
	assert_int_equal(tt_bn_decode_fills(o.fills, o.fills_len, &bt, keep_trade, &seen, &e), 2);
	assert_true(seen.t[0].id == 1650422481ull && seen.t[0].px == 2341610000000ll &&
		    seen.t[0].qty == 635000);
	assert_true(seen.t[1].id == 1650422482ull && seen.t[1].qty == 212000);
	(void)state;
}

static void test_every_truncation_of_every_fixture_fails_cleanly(void **state)
{
	const char *const fx[] = { doc_place_ack, doc_place_result, doc_place_full, doc_error_resp,
				   doc_cancel_resp, doc_status_resp, doc_account_pos, doc_exec_report,
				   doc_stream_terminated, doc_open_orders_resp, doc_cancel_all_resp,
				   doc_my_trades_resp };

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		size_t n = strlen(fx[i]);

		while (n > 0 && (fx[i][n - 1] == '\n' || fx[i][n - 1] == ' '))
			n--;
		for (size_t len = 0; len < n; len++) {
			char *copy = malloc(len ? len : 1);
			struct tt_bn_msg m;
			struct tt_bn_perr e;

			memcpy(copy, fx[i], len);
			assert_int_equal(tt_bn_decode(copy, len, &m, &e), -TT_EPROTO);
			free(copy);
		}
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_order_place_reproduces_the_docs_signature),
		cmocka_unit_test(test_session_order_place_has_no_key_and_our_client_id),
		cmocka_unit_test(test_order_place_carries_the_cause_as_strategy_id_signed_in_name_order),
		cmocka_unit_test(test_encoders_refuse_bad_input_and_small_buffers),
		cmocka_unit_test(test_cancel_status_cancel_all_open_orders_subscribe_requests),
		cmocka_unit_test(test_logon_signs_sorted_key_and_timestamp_with_ed25519),
		cmocka_unit_test(test_client_order_ids_round_trip_and_foreign_ids_are_refused),
		cmocka_unit_test(test_place_responses_decode_ack_result_full),
		cmocka_unit_test(test_error_response_maps_to_reason),
		cmocka_unit_test(test_cancel_status_logon_subscribe_responses_decode),
		cmocka_unit_test(test_open_orders_and_cancel_all_arrays_decode),
		cmocka_unit_test(test_execution_report_event_decodes_every_field_we_use),
		cmocka_unit_test(test_other_events_are_tolerated),
		cmocka_unit_test(test_hostile_frames_fail_with_a_code),
		cmocka_unit_test(test_my_trades_request_is_signed_over_its_sorted_params),
		cmocka_unit_test(test_my_trades_response_decodes_the_docs_example),
		cmocka_unit_test(test_full_answer_fills_decode_as_trades),
		cmocka_unit_test(test_every_truncation_of_every_fixture_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
