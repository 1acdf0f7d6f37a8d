/*
 * test_md_scan.c — the Binance Spot scanners (tt_md.h): the docs' example payloads
 * (binance-spot-api-docs @ a5e0bc3, web-socket-streams.md and rest-api.md, copied below
 * with their // comments removed) decode to exact fixed-point values; keys in any order,
 * unknown fields of every JSON shape skipped; hostile inputs give the specific error code
 * and position; every truncation and many byte mutations of every fixture are refused or
 * decoded without reading past the end (buffers are heap copies of exact size, so ASan
 * would see an overread).
 */
#include "tt_md.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tt_err.h"

/* web-socket-streams.md, "Individual Symbol Book Ticker Streams" */
static const char BT_DOC[] = "{\n"
			     "  \"u\":400900217,\n"
			     "  \"s\":\"BNBUSDT\",\n"
			     "  \"b\":\"25.35190000\",\n"
			     "  \"B\":\"31.21000000\",\n"
			     "  \"a\":\"25.36520000\",\n"
			     "  \"A\":\"40.66000000\"\n"
			     "}";
/* web-socket-streams.md, "Diff. Depth Stream" */
static const char DU_DOC[] = "{\n"
			     "  \"e\": \"depthUpdate\",\n"
			     "  \"E\": 1672515782136,\n"
			     "  \"s\": \"BNBBTC\",\n"
			     "  \"U\": 157,\n"
			     "  \"u\": 160,\n"
			     "  \"b\": [\n    [\n      \"0.0024\",\n      \"10\"\n    ]\n  ],\n"
			     "  \"a\": [\n    [\n      \"0.0026\",\n      \"100\"\n    ]\n  ]\n"
			     "}";
/* web-socket-streams.md, "Trade Streams" */
static const char TR_DOC[] = "{\n"
			     "  \"e\": \"trade\",\n"
			     "  \"E\": 1672515782136,\n"
			     "  \"s\": \"BNBBTC\",\n"
			     "  \"t\": 12345,\n"
			     "  \"p\": \"0.001\",\n"
			     "  \"q\": \"100\",\n"
			     "  \"T\": 1672515782136,\n"
			     "  \"m\": true,\n"
			     "  \"M\": true\n"
			     "}";
/* rest-api.md, "Order book" (GET /api/v3/depth) */
static const char SN_DOC[] = "{\n"
			     "  \"lastUpdateId\": 1027024,\n"
			     "  \"bids\": [\n    [\n      \"4.00000000\",\n      \"431.00000000\"\n"
			     "    ]\n  ],\n"
			     "  \"asks\": [[\"4.00000200\", \"12.00000000\"]]\n"
			     "}";
/* web-socket-streams.md, "Partial Book Depth Streams" */
static const char PD_DOC[] = "{\"lastUpdateId\": 160, \"bids\": [[\"0.0024\", \"10\"]], "
			     "\"asks\": [[\"0.0026\", \"100\"]]}";
/* web-socket-streams.md, "Subscribe to a stream" / "Listing Subscriptions" */
static const char CT_OK[] = "{\n  \"result\": null,\n  \"id\": 1\n}";
static const char CT_LIST[] = "{\"result\": [\"btcusdt@aggTrade\"], \"id\": 3}";
/* web-socket-streams.md, "Error Messages" table (flat) and the nested wire form */
static const char CT_ERR_FLAT[] = "{\"code\": 0, \"msg\": \"Unknown property\",\"id\": 7}";
static const char CT_ERR[] = "{\"error\":{\"code\":2,\"msg\":\"Invalid request: too many "
			     "parameters\"},\"id\":\"abc-1\"}";
/* web-socket-streams.md, "Server Shutdown" (raw and combined) */
static const char SD_RAW[] = "{\n  \"e\": \"serverShutdown\",\n  \"E\": 1770123456789\n}";
static const char SD_COMB[] = "{\n  \"stream\": \"!serverShutdown\",\n  \"data\": {\n"
			      "    \"e\": \"serverShutdown\",\n    \"E\": 1770123456789\n  }\n}";

static struct tt_md_instr_table tab;

static int setup(void **st)
{
	(void)st;
	tt_md_instr_table_init(&tab);
	assert_int_equal(tt_md_instr_add(&tab, "BNBUSDT", 1, 8, 8), 0);
	assert_int_equal(tt_md_instr_add(&tab, "BNBBTC", 2, 8, 8), 0);
	assert_int_equal(tt_md_instr_add(&tab, "btcusdt", 3, 2, 5), 0);
	return 0;
}

/* An exact-size heap copy, so reading past len is an ASan error. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* ---- fixtures decode exactly ---- */

static void test_book_ticker_doc_example_decodes_exactly(void **st)
{
	struct tt_md_book_ticker bt;
	struct tt_md_perr e;
	char *p = dup_exact(BT_DOC, strlen(BT_DOC));

	(void)st;
	assert_int_equal(tt_md_bn_book_ticker(&tab, NULL, p, strlen(BT_DOC), &bt, &e), 0);
	assert_int_equal(bt.instr->id, 1);
	assert_int_equal(bt.update_id, 400900217);
	assert_int_equal(bt.bid_px, 2535190000LL);
	assert_int_equal(bt.bid_qty, 3121000000LL);
	assert_int_equal(bt.ask_px, 2536520000LL);
	assert_int_equal(bt.ask_qty, 4066000000LL);
	free(p);
}

static void test_depth_update_doc_example_decodes_exactly(void **st)
{
	struct tt_md_level b[4], a[4];
	struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 4, .cap_asks = 4};
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_depth_update(&tab, NULL, DU_DOC, strlen(DU_DOC), &d, &e), 0);
	assert_int_equal(d.instr->id, 2);
	assert_int_equal(d.event_ts, 1672515782136ULL);
	assert_int_equal(d.first_id, 157);
	assert_int_equal(d.final_id, 160);
	assert_int_equal(d.n_bids, 1);
	assert_int_equal(d.n_asks, 1);
	assert_int_equal(b[0].px, 240000);
	assert_int_equal(b[0].qty, 1000000000LL);
	assert_int_equal(a[0].px, 260000);
	assert_int_equal(a[0].qty, 10000000000LL);
}

static void test_trade_doc_example_decodes_exactly(void **st)
{
	struct tt_md_trade tr;
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_trade(&tab, NULL, TR_DOC, strlen(TR_DOC), &tr, &e), 0);
	assert_int_equal(tr.instr->id, 2);
	assert_int_equal(tr.event_ts, 1672515782136ULL);
	assert_int_equal(tr.trade_id, 12345);
	assert_int_equal(tr.trade_ts, 1672515782136ULL);
	assert_int_equal(tr.px, 100000);
	assert_int_equal(tr.qty, 10000000000LL);
	assert_true(tr.buyer_maker);
}

static void test_snapshot_doc_examples_decode_exactly(void **st)
{
	struct tt_md_level b[2], a[2];
	struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 2, .cap_asks = 2};
	struct tt_md_perr e;
	const struct tt_md_instr *in = tt_md_instr_find(&tab, "BNBBTC", 6);

	(void)st;
	assert_int_equal(tt_md_bn_snapshot(in, SN_DOC, strlen(SN_DOC), &d, &e), 0);
	assert_int_equal(d.final_id, 1027024);
	assert_int_equal(d.n_bids, 1);
	assert_int_equal(d.n_asks, 1);
	assert_int_equal(b[0].px, 400000000LL);
	assert_int_equal(b[0].qty, 43100000000LL);
	assert_int_equal(a[0].px, 400000200LL);
	assert_int_equal(a[0].qty, 1200000000LL);
	assert_int_equal(tt_md_bn_snapshot(in, PD_DOC, strlen(PD_DOC), &d, &e), 0);
	assert_int_equal(d.final_id, 160);
	assert_int_equal(b[0].px, 240000);
}

static void test_control_replies_decode(void **st)
{
	struct tt_md_control c;
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_control(CT_OK, strlen(CT_OK), &c, &e), 0);
	assert_false(c.is_error);
	assert_int_equal(c.id_kind, TT_MD_ID_NUM);
	assert_int_equal(c.id, 1);
	assert_int_equal(c.result_len, 4);
	assert_memory_equal(c.result, "null", 4);

	assert_int_equal(tt_md_bn_control(CT_LIST, strlen(CT_LIST), &c, &e), 0);
	assert_int_equal(c.id, 3);
	assert_int_equal(c.result_len, strlen("[\"btcusdt@aggTrade\"]"));

	assert_int_equal(tt_md_bn_control(CT_ERR_FLAT, strlen(CT_ERR_FLAT), &c, &e), 0);
	assert_true(c.is_error);
	assert_int_equal(c.err_code, 0);
	assert_int_equal(c.err_msg_len, strlen("Unknown property"));
	assert_int_equal(c.id, 7);

	assert_int_equal(tt_md_bn_control(CT_ERR, strlen(CT_ERR), &c, &e), 0);
	assert_true(c.is_error);
	assert_int_equal(c.err_code, 2);
	assert_int_equal(c.id_kind, TT_MD_ID_STR);
	assert_int_equal(c.id_str_len, 5);
	assert_memory_equal(c.id_str, "abc-1", 5);
	assert_memory_equal(c.err_msg, "Invalid request: too many parameters", c.err_msg_len);

	assert_int_equal(tt_md_bn_control("{\"result\":true,\"id\":null}", 25, &c, &e), 0);
	assert_int_equal(c.id_kind, TT_MD_ID_NULL);
	assert_int_equal(
	    tt_md_bn_control("{\"id\":-9223372036854775808,\"result\":null}", 41, &c, &e), 0);
	assert_true(c.id == INT64_MIN);
}

static void test_server_shutdown_raw_and_combined(void **st)
{
	struct tt_md_bn_msg m;
	struct tt_md_perr e;
	uint64_t ts = 0;

	(void)st;
	memset(&m, 0, sizeof(m));
	assert_int_equal(tt_md_bn_shutdown(SD_RAW, strlen(SD_RAW), &ts, &e), 0);
	assert_int_equal(ts, 1770123456789ULL);
	assert_int_equal(tt_md_bn_scan(&tab, SD_RAW, strlen(SD_RAW), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_SHUTDOWN);
	assert_int_equal(m.event_ts, 1770123456789ULL);
	m.event_ts = 0;
	assert_int_equal(tt_md_bn_scan(&tab, SD_COMB, strlen(SD_COMB), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_SHUTDOWN);
	assert_int_equal(m.event_ts, 1770123456789ULL);
}

/* ---- the combined wrapper and dispatch ---- */

static void test_combined_wrapper_in_either_key_order(void **st)
{
	static const char a[] =
	    "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":1,"
	    "\"s\":\"BNBUSDT\",\"b\":\"1.5\",\"B\":\"2\",\"a\":\"1.6\",\"A\":\"3\"}}";
	static const char b[] =
	    " { \"data\" : {\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1.5\",\"B\":\"2\","
	    "\"a\":\"1.6\",\"A\":\"3\"} , \"x\":[{}], \"stream\" : "
	    "\"bnbusdt@bookTicker\" } \n";
	const char *msgs[2] = {a, b};
	struct tt_md_combined cw;
	struct tt_md_bn_msg m;
	struct tt_md_perr e;
	int i;

	(void)st;
	for (i = 0; i < 2; i++) {
		memset(&m, 0, sizeof(m));
		assert_int_equal(tt_md_bn_combined(msgs[i], strlen(msgs[i]), &cw, &e), 0);
		assert_int_equal(cw.stream_len, strlen("bnbusdt@bookTicker"));
		assert_memory_equal(cw.stream, "bnbusdt@bookTicker", cw.stream_len);
		assert_int_equal(cw.data[0], '{');
		assert_int_equal(cw.data[cw.data_len - 1], '}');
		assert_int_equal(tt_md_bn_scan(&tab, msgs[i], strlen(msgs[i]), &m, &e), 0);
		assert_int_equal(m.kind, TT_MD_MSG_BOOK_TICKER);
		assert_int_equal(m.instr->id, 1);
		assert_int_equal(m.bt.bid_px, 150000000);
		assert_int_equal(m.bt.ask_qty, 300000000);
	}
}

static void test_scan_dispatches_every_message_kind(void **st)
{
	struct tt_md_level bl[4], al[4];
	struct tt_md_bn_msg m;
	struct tt_md_perr e;
	char buf[512];

	(void)st;
	memset(&m, 0, sizeof(m));
	m.depth.bids = bl;
	m.depth.asks = al;
	m.depth.cap_bids = m.depth.cap_asks = 4;
	assert_int_equal(tt_md_bn_scan(&tab, BT_DOC, strlen(BT_DOC), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_BOOK_TICKER);
	assert_int_equal(tt_md_bn_scan(&tab, DU_DOC, strlen(DU_DOC), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_DEPTH);
	assert_int_equal(m.depth.final_id, 160);
	assert_int_equal(tt_md_bn_scan(&tab, TR_DOC, strlen(TR_DOC), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_TRADE);
	assert_int_equal(tt_md_bn_scan(&tab, CT_ERR, strlen(CT_ERR), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_CONTROL);
	assert_int_equal(tt_md_bn_scan(&tab, SN_DOC, strlen(SN_DOC), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_IGNORED); /* raw partial: no symbol */
	snprintf(buf, sizeof(buf), "{\"stream\":\"bnbbtc@depth10@100ms\",\"data\":%s}", PD_DOC);
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_PARTIAL);
	assert_int_equal(m.instr->id, 2);
	assert_int_equal(m.depth.final_id, 160);
	snprintf(buf, sizeof(buf), "{\"stream\":\"bnbbtc@depth@100ms\",\"data\":%s}", DU_DOC);
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_DEPTH);
	snprintf(buf, sizeof(buf), "{\"data\":%s,\"stream\":\"bnbbtc@trade\"}", TR_DOC);
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_TRADE);
	assert_int_equal(m.trade.trade_id, 12345);
	snprintf(buf, sizeof(buf),
		 "{\"stream\":\"bnbbtc@aggTrade\",\"data\":{\"e\":\"aggTrade\"}}");
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_IGNORED);
	assert_int_equal(tt_md_bn_scan(&tab, "[{\"e\":\"24hrMiniTicker\"}]", 24, &m, &e), 0);
	assert_int_equal(m.kind, TT_MD_MSG_IGNORED);
	/* The stream says bnbbtc but the payload says BNBUSDT. */
	snprintf(buf, sizeof(buf), "{\"stream\":\"bnbbtc@bookTicker\",\"data\":%s}", BT_DOC);
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_MD_PE_SYMBOL);
	/* A stream of a symbol we do not know. */
	snprintf(buf, sizeof(buf), "{\"stream\":\"ethusdt@bookTicker\",\"data\":%s}", BT_DOC);
	assert_int_equal(tt_md_bn_scan(&tab, buf, strlen(buf), &m, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_MD_PE_SYMBOL);
	assert_int_equal(e.pos, strlen("{\"stream\":\""));
}

static void test_stream_names_classify(void **st)
{
	const struct tt_md_instr *in;

	(void)st;
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@bookTicker", 18, &in),
			 TT_MD_STREAM_BOOK_TICKER);
	assert_int_equal(in->id, 3);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "BTCUSDT@depth", 13, &in), TT_MD_STREAM_DEPTH);
	assert_int_equal(in->id, 3);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@depth@100ms", 19, &in),
			 TT_MD_STREAM_DEPTH);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@depth5", 14, &in),
			 TT_MD_STREAM_PARTIAL);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@depth20@100ms", 21, &in),
			 TT_MD_STREAM_PARTIAL);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@depth7", 14, &in), TT_MD_STREAM_OTHER);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@trade", 13, &in), TT_MD_STREAM_TRADE);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "btcusdt@aggTrade", 16, &in),
			 TT_MD_STREAM_OTHER);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "!serverShutdown", 15, &in),
			 TT_MD_STREAM_SHUTDOWN);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "xyz@trade", 9, &in), TT_MD_STREAM_TRADE);
	assert_null(in);
	assert_int_equal(tt_md_bn_stream_kind(&tab, "@trade", 6, &in), TT_MD_STREAM_OTHER);
}

static void test_instr_table_is_case_insensitive_and_bounded(void **st)
{
	struct tt_md_instr_table t;
	char sym[16];
	int i;

	(void)st;
	tt_md_instr_table_init(&t);
	assert_int_equal(tt_md_instr_add(&t, "BTCUSDT", 9, 2, 5), 0);
	assert_int_equal(tt_md_instr_add(&t, "btcusdt", 10, 2, 5), -EEXIST);
	assert_int_equal(tt_md_instr_add(&t, "", 10, 2, 5), -EINVAL);
	assert_int_equal(tt_md_instr_add(&t, "BAD SYM", 10, 2, 5), -EINVAL);
	assert_int_equal(tt_md_instr_add(&t, "OK", 10, 19, 5), -EINVAL);
	assert_int_equal(tt_md_instr_find(&t, "bTcUsDt", 7)->id, 9);
	assert_null(tt_md_instr_find(&t, "BTCUSD", 6));
	assert_null(tt_md_instr_find(&t, "BTCUSDTX", 8));
	for (i = 1; i < TT_MD_MAX_INSTR; i++) {
		snprintf(sym, sizeof(sym), "SYM%dUSDT", i);
		assert_int_equal(tt_md_instr_add(&t, sym, (tt_instr_t)(100 + i), 8, 8), 0);
	}
	assert_int_equal(tt_md_instr_add(&t, "ONEMORE", 1, 8, 8), -ENOSPC);
	for (i = 1; i < TT_MD_MAX_INSTR; i++) {
		snprintf(sym, sizeof(sym), "sym%dusdt", i);
		assert_non_null(tt_md_instr_find(&t, sym, strlen(sym)));
		assert_int_equal(tt_md_instr_find(&t, sym, strlen(sym))->id, 100 + i);
	}
	assert_null(tt_md_instr_find(&t, "NOPE", 4));
}

/* ---- unknown fields, whitespace, order ---- */

static void test_unknown_fields_of_any_shape_are_skipped(void **st)
{
	static const char msg[] =
	    "\t{ \"zz\" : {\"a\":[1,-2.5e+3,{\"b\":[[],{}]},true,false,null,\"x\\\"\\u00e9\\\\\"]},"
	    " \"A\" : \"40.66000000\" , \"a\":\"25.36520000\",\"u\":400900217,"
	    "\"\\u0062\":\"junk-key-with-escape\",\"e2\":0,\"B\":\"31.21000000\","
	    "\"b\":\"25.35190000\",\"s\":\"bnbusdt\",\"long\":\""
	    "ab\\/c\"\r\n}\n ";
	struct tt_md_book_ticker bt;
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_book_ticker(&tab, NULL, msg, strlen(msg), &bt, &e), 0);
	assert_int_equal(bt.instr->id, 1);
	assert_int_equal(bt.bid_px, 2535190000LL);
	assert_int_equal(bt.ask_qty, 4066000000LL);
}

static void test_depth_levels_before_symbol_are_decoded_after(void **st)
{
	static const char msg[] =
	    "{\"b\":[[\"1.5\",\"2\"],[\"1.4\",\"0\",[]]],\"a\":[],"
	    "\"U\":5,\"u\":7,\"E\":1,\"e\":\"depthUpdate\",\"s\":\"BTCUSDT\"}";
	struct tt_md_level b[4], a[4];
	struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 4, .cap_asks = 4};
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_depth_update(&tab, NULL, msg, strlen(msg), &d, &e), 0);
	assert_int_equal(d.instr->id, 3);
	assert_int_equal(d.n_bids, 2);
	assert_int_equal(d.n_asks, 0);
	assert_int_equal(b[0].px, 150);	    /* px scale 2 */
	assert_int_equal(b[0].qty, 200000); /* qty scale 5 */
	assert_int_equal(b[1].px, 140);
	assert_int_equal(b[1].qty, 0);
}

static void test_trade_with_symbol_last_is_decoded_after(void **st)
{
	static const char msg[] = "{\"p\":\"27123.45000000\",\"q\":\"0.00120000\",\"m\":false,"
				  "\"e\":\"trade\",\"E\":1,\"t\":2,\"T\":3,\"s\":\"BTCUSDT\"}";
	struct tt_md_trade tr;
	struct tt_md_perr e;

	(void)st;
	assert_int_equal(tt_md_bn_trade(&tab, NULL, msg, strlen(msg), &tr, &e), 0);
	assert_int_equal(tr.instr->id, 3);
	assert_int_equal(tr.px, 2712345); /* scale 2 */
	assert_int_equal(tr.qty, 120);	  /* scale 5 */
	assert_false(tr.buyer_maker);
	/* the same with a hint that does not match */
	assert_int_equal(tt_md_bn_trade(&tab, &tab.e[0], msg, strlen(msg), &tr, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_MD_PE_SYMBOL);
}

/* ---- hostile inputs: specific code and position ---- */

struct bad {
	const char *in;
	uint32_t code;
	int pos; /* -1: do not check */
};

static void check_bad(const struct bad *cases, size_t n, int which)
{
	struct tt_md_level b[2], a[2];
	size_t i;

	for (i = 0; i < n; i++) {
		struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 2, .cap_asks = 2};
		struct tt_md_book_ticker bt;
		struct tt_md_trade tr;
		struct tt_md_control c;
		struct tt_md_perr e = {99, 99};
		size_t len = strlen(cases[i].in);
		char *p = dup_exact(cases[i].in, len);
		int rc;

		tt_err_clear();
		switch (which) {
		case 0:
			rc = tt_md_bn_book_ticker(&tab, NULL, p, len, &bt, &e);
			break;
		case 1:
			rc = tt_md_bn_depth_update(&tab, NULL, p, len, &d, &e);
			break;
		case 2:
			rc = tt_md_bn_trade(&tab, NULL, p, len, &tr, &e);
			break;
		case 3:
			rc = tt_md_bn_snapshot(&tab.e[2], p, len, &d, &e);
			break;
		default:
			rc = tt_md_bn_control(p, len, &c, &e);
			break;
		}
		if (rc != -TT_EPROTO || e.code != cases[i].code ||
		    (cases[i].pos >= 0 && e.pos != (uint32_t)cases[i].pos))
			fail_msg("case %zu %s: rc %d code %u (%s) pos %u, want code %u pos %d", i,
				 cases[i].in, rc, e.code, tt_md_perr_str(e.code), e.pos,
				 cases[i].code, cases[i].pos);
		assert_int_equal(tt_err_code(), -TT_EPROTO);
		assert_true(strlen(tt_err_msg()) > 0);
		free(p);
	}
}

#define BTX(tail) "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\"" tail

static void test_book_ticker_hostile_inputs_get_specific_errors(void **st)
{
	static const struct bad cases[] = {
	    {"", TT_MD_PE_TRUNCATED, 0},
	    {"   ", TT_MD_PE_TRUNCATED, 3},
	    {"[]", TT_MD_PE_SYNTAX, 0},
	    {"{", TT_MD_PE_TRUNCATED, 1},
	    {"{\"u\"", TT_MD_PE_TRUNCATED, 4},
	    {"{\"u\":", TT_MD_PE_TRUNCATED, 5},
	    {"{\"u\":1", TT_MD_PE_TRUNCATED, 6},
	    {"{\"u\" 1}", TT_MD_PE_SYNTAX, 5},
	    {"{u:1}", TT_MD_PE_SYNTAX, 1},
	    {"{\"u\":1,}", TT_MD_PE_SYNTAX, 7},
	    {"{\"u\":1 \"s\":2}", TT_MD_PE_SYNTAX, 7},
	    {BTX(",\"A\":\"1\"}x"), TT_MD_PE_TRAILING, 53},
	    {BTX(",\"A\":\"1\"}{}"), TT_MD_PE_TRAILING, 53},
	    {BTX("}"), TT_MD_PE_MISSING, -1},
	    {BTX(",\"A\":1}"), TT_MD_PE_TYPE, 49},
	    {BTX(",\"A\":\"1\",\"u\":2}"), TT_MD_PE_DUPKEY, 53},
	    {BTX(",\"A\":\"1\",\"b\":\"3\"}"), TT_MD_PE_DUPKEY, -1},
	    {BTX(",\"A\":\"1.000000001\"}"), TT_MD_PE_PRECISION, 50},
	    {BTX(",\"A\":\"1e5\"}"), TT_MD_PE_DECIMAL, 50},
	    {BTX(",\"A\":\"-1\"}"), TT_MD_PE_DECIMAL, 50},
	    {BTX(",\"A\":\"\"}"), TT_MD_PE_DECIMAL, 50},
	    {BTX(",\"A\":\"99999999999\"}"), TT_MD_PE_RANGE, 50},
	    {BTX(",\"A\":\"1\\u0030\"}"), TT_MD_PE_DECIMAL, 50},
	    {BTX(",\"A\":\"1\\x\"}"), TT_MD_PE_ESCAPE, 51},
	    {BTX(",\"A\":\"1\\u00g0\"}"), TT_MD_PE_ESCAPE, 51},
	    {BTX(",\"A\":\"1\n\"}"), TT_MD_PE_ESCAPE, 51},
	    {BTX(",\"A\":\"1\\"), TT_MD_PE_TRUNCATED, 52},
	    {BTX(",\"A\":\"1\\u00"), TT_MD_PE_TRUNCATED, -1},
	    {BTX(",\"A\":\"1"), TT_MD_PE_TRUNCATED, 51},
	    {"{\"u\":-1}", TT_MD_PE_TYPE, 5},
	    {"{\"u\":1.5}", TT_MD_PE_TYPE, 5},
	    {"{\"u\":1e3}", TT_MD_PE_TYPE, 5},
	    {"{\"u\":01}", TT_MD_PE_TYPE, 5},
	    {"{\"u\":\"1\"}", TT_MD_PE_TYPE, 5},
	    {"{\"u\":18446744073709551615,\"x\":1", TT_MD_PE_TRUNCATED, -1},
	    {"{\"u\":18446744073709551616}", TT_MD_PE_RANGE, 5},
	    {"{\"u\":99999999999999999999999}", TT_MD_PE_RANGE, 5},
	    {"{\"u\":1,\"s\":\"ETHUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}",
	     TT_MD_PE_SYMBOL, 12},
	    {"{\"u\":1,\"s\":\"BNB\\u0055SDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}",
	     TT_MD_PE_VALUE, 12},
	    {"{\"x\":[1,2}", TT_MD_PE_SYNTAX, 9},
	    {"{\"x\":{\"a\"}}", TT_MD_PE_SYNTAX, 9},
	    {"{\"x\":tru}", TT_MD_PE_SYNTAX, 8},
	    {"{\"x\":nul", TT_MD_PE_TRUNCATED, 8},
	    {"{\"x\":-}", TT_MD_PE_SYNTAX, 6},
	    {"{\"x\":1.}", TT_MD_PE_SYNTAX, 7},
	    {"{\"x\":1e}", TT_MD_PE_SYNTAX, 7},
	    {"{\"x\":+1}", TT_MD_PE_SYNTAX, 5},
	    {"{\"e\":\"trade\"}", TT_MD_PE_VALUE, 6},
	    {"{\"x\":\"a\x01\"}", TT_MD_PE_ESCAPE, 7},
	};

	(void)st;
	check_bad(cases, TT_ARRAY_LEN(cases), 0);
}

static void test_nesting_deeper_than_64_is_refused(void **st)
{
	char buf[300];
	struct tt_md_book_ticker bt;
	struct tt_md_perr e;
	size_t n = 0;
	int i;

	(void)st;
	n += (size_t)sprintf(buf, "{\"x\":");
	for (i = 0; i < 65; i++)
		buf[n++] = '[';
	for (i = 0; i < 65; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_equal(tt_md_bn_book_ticker(&tab, NULL, buf, n, &bt, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_MD_PE_NESTING);
	assert_int_equal(e.pos, 5 + 64);
	/* 64 deep is fine (and then the required fields are missing). */
	n = (size_t)sprintf(buf, "{\"x\":");
	for (i = 0; i < 64; i++)
		buf[n++] = '[';
	for (i = 0; i < 64; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_equal(tt_md_bn_book_ticker(&tab, NULL, buf, n, &bt, &e), -TT_EPROTO);
	assert_int_equal(e.code, TT_MD_PE_MISSING);
}

#define DUX(levels)                                                                                \
	"{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":7,\"a\":[],"               \
	"\"b\":" levels "}"

static void test_depth_update_hostile_inputs_get_specific_errors(void **st)
{
	static const struct bad cases[] = {
	    {DUX("[[\"1\",\"1\"],[\"2\",\"1\"],[\"3\",\"1\"]]"), TT_MD_PE_TOO_MANY, 83},
	    {DUX("[[\"1\"]]"), TT_MD_PE_SYNTAX, 67},
	    {DUX("[[\"1\",1]]"), TT_MD_PE_TYPE, 68},
	    {DUX("[\"1\",\"1\"]"), TT_MD_PE_TYPE, 63},
	    {DUX("{}"), TT_MD_PE_TYPE, 62},
	    {DUX("[[\"1\",\"1\"]"), TT_MD_PE_SYNTAX, 72},
	    {DUX("[[\"1\",\"1\"],]"), TT_MD_PE_TYPE, 73},
	    {DUX("[[\"1.001\",\"1\"]]"), TT_MD_PE_PRECISION, 65},
	    {DUX("[[\"1\",\"-1\"]]"), TT_MD_PE_DECIMAL, 69},
	    {"{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":8,\"u\":7,\"a\":[],\"b\":[]}",
	     TT_MD_PE_VALUE, -1},
	    {"{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"a\":[],\"b\":[]}",
	     TT_MD_PE_MISSING, -1},
	    {"{\"e\":\"depthUpdat\",\"E\":1}", TT_MD_PE_VALUE, 6},
	    {"{\"b\":[[\"1\",\"1\"]],\"e\":\"depthUpdate\",\"E\":1,\"s\":\"NOPE\"}",
	     TT_MD_PE_SYMBOL, -1},
	    /* deferred levels report the position inside them */
	    {"{\"b\":[[\"1.001\",\"1\"]],\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\","
	     "\"U\":5,\"u\":7,\"a\":[]}",
	     TT_MD_PE_PRECISION, 8},
	};

	(void)st;
	check_bad(cases, TT_ARRAY_LEN(cases), 1);
}

static void test_trade_hostile_inputs_get_specific_errors(void **st)
{
	static const struct bad cases[] = {
	    {"{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\","
	     "\"T\":1,\"m\":1}",
	     TT_MD_PE_TYPE, 65},
	    {"{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\","
	     "\"T\":1,\"m\":tru}",
	     TT_MD_PE_TRUNCATED, -1},
	    {"{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"1\","
	     "\"T\":1}",
	     TT_MD_PE_MISSING, -1},
	    {"{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1.001\",\"q\":\"1\","
	     "\"T\":1,\"m\":true}",
	     TT_MD_PE_PRECISION, 44},
	    {"{\"e\":\"aggTrade\"}", TT_MD_PE_VALUE, 6},
	    {"{\"e\":\"trade\",\"t\":1,\"t\":2}", TT_MD_PE_DUPKEY, 19},
	};

	(void)st;
	check_bad(cases, TT_ARRAY_LEN(cases), 2);
}

static void test_snapshot_and_control_hostile_inputs(void **st)
{
	static const struct bad snap[] = {
	    {"{\"lastUpdateId\":1,\"bids\":[]}", TT_MD_PE_MISSING, -1},
	    {"{\"lastUpdateId\":1,\"bids\":[],\"asks\":[],\"bids\":[]}", TT_MD_PE_DUPKEY, 38},
	    {"{\"lastUpdateId\":\"1\",\"bids\":[],\"asks\":[]}", TT_MD_PE_TYPE, 16},
	    {"{\"lastUpdateId\":1,\"bids\":null,\"asks\":[]}", TT_MD_PE_TYPE, 25},
	};
	static const struct bad ctl[] = {
	    {"{\"id\":1}", TT_MD_PE_MISSING, -1},
	    {"{\"result\":null,\"id\":true}", TT_MD_PE_TYPE, 20},
	    {"{\"error\":[],\"id\":1}", TT_MD_PE_TYPE, 9},
	    {"{\"error\":{\"code\":\"x\"},\"id\":1}", TT_MD_PE_TYPE, 17},
	    {"{\"result\":null,\"id\":9223372036854775808}", TT_MD_PE_RANGE, 20},
	    {"{\"result\":null,\"id\":1,\"id\":2}", TT_MD_PE_DUPKEY, 22},
	};

	(void)st;
	check_bad(snap, TT_ARRAY_LEN(snap), 3);
	check_bad(ctl, TT_ARRAY_LEN(ctl), 4);
}

/* ---- every truncation and many mutations: refused or decoded, never an overread ---- */

static int scan_any(const char *p, size_t len)
{
	struct tt_md_level b[8], a[8];
	struct tt_md_bn_msg m;
	struct tt_md_perr e;

	memset(&m, 0, sizeof(m));
	m.depth.bids = b;
	m.depth.asks = a;
	m.depth.cap_bids = m.depth.cap_asks = 8;
	return tt_md_bn_scan(&tab, p, len, &m, &e);
}

static void test_every_truncation_of_every_fixture_is_refused(void **st)
{
	const char *fx[] = {BT_DOC, DU_DOC,	 TR_DOC, CT_OK,	 CT_LIST,
			    CT_ERR, CT_ERR_FLAT, SD_RAW, SD_COMB};
	size_t i, n;

	(void)st;
	for (i = 0; i < TT_ARRAY_LEN(fx); i++) {
		size_t len = strlen(fx[i]);

		assert_int_equal(scan_any(fx[i], len), 0);
		for (n = 0; n < len; n++) {
			char *p = dup_exact(fx[i], n);

			if (scan_any(p, n) != -TT_EPROTO)
				fail_msg("fixture %zu prefix %zu accepted", i, n);
			free(p);
		}
	}
}

static void test_byte_mutations_never_crash(void **st)
{
	static const char subst[] = "\"\\{}[],:0-.e tfn\x01\xff";
	const char *fx[] = {BT_DOC, DU_DOC, TR_DOC, CT_ERR, SD_COMB};
	size_t i, k, j;
	long ok = 0, bad = 0;

	(void)st;
	for (i = 0; i < TT_ARRAY_LEN(fx); i++) {
		size_t len = strlen(fx[i]);

		for (k = 0; k < len; k++) {
			for (j = 0; j < sizeof(subst) - 1; j++) {
				char *p = dup_exact(fx[i], len);
				int rc;

				p[k] = subst[j];
				rc = scan_any(p, len);
				assert_true(rc == 0 || rc == -TT_EPROTO);
				rc == 0 ? ok++ : bad++;
				free(p);
			}
		}
	}
	assert_true(bad > 0 && ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_book_ticker_doc_example_decodes_exactly),
	    cmocka_unit_test(test_depth_update_doc_example_decodes_exactly),
	    cmocka_unit_test(test_trade_doc_example_decodes_exactly),
	    cmocka_unit_test(test_snapshot_doc_examples_decode_exactly),
	    cmocka_unit_test(test_control_replies_decode),
	    cmocka_unit_test(test_server_shutdown_raw_and_combined),
	    cmocka_unit_test(test_combined_wrapper_in_either_key_order),
	    cmocka_unit_test(test_scan_dispatches_every_message_kind),
	    cmocka_unit_test(test_stream_names_classify),
	    cmocka_unit_test(test_instr_table_is_case_insensitive_and_bounded),
	    cmocka_unit_test(test_unknown_fields_of_any_shape_are_skipped),
	    cmocka_unit_test(test_depth_levels_before_symbol_are_decoded_after),
	    cmocka_unit_test(test_trade_with_symbol_last_is_decoded_after),
	    cmocka_unit_test(test_book_ticker_hostile_inputs_get_specific_errors),
	    cmocka_unit_test(test_nesting_deeper_than_64_is_refused),
	    cmocka_unit_test(test_depth_update_hostile_inputs_get_specific_errors),
	    cmocka_unit_test(test_trade_hostile_inputs_get_specific_errors),
	    cmocka_unit_test(test_snapshot_and_control_hostile_inputs),
	    cmocka_unit_test(test_every_truncation_of_every_fixture_is_refused),
	    cmocka_unit_test(test_byte_mutations_never_crash),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
