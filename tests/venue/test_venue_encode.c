/*
 * test_venue_encode.c — tt-venue's wire encoders produce the exact bytes Binance Spot
 * documents (web-socket-streams.md, rest-api.md) for a hand-built book, refuse rather than
 * truncate when the buffer is short, and the frame log keeps order across wrap and detects a
 * reader that fell a whole ring behind.
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

#include "tt_venue.h"

static struct tt_vbook *hand_book(void)
{
	struct tt_vsym_cfg cfg;
	struct tt_vbook *b = calloc(1, sizeof(*b));

	assert_int_equal(tt_vsym_builtin("BTCUSDT", &cfg), 0);
	b->cfg = cfg;
	b->base = cfg.mid - TT_VBOOK_TICKS / 2; /* 5991808: idx 100 = 59919.08 */
	b->bid[100] = 150000;			/* 1.50000 BTC */
	b->bid[90] = 1;
	b->ask[110] = 123456789;
	b->ask[120] = 5;
	b->best_bid = 100;
	b->best_ask = 110;
	b->nbid = 2;
	b->nask = 2;
	b->update_id = 1027024;
	assert_true(tt_vbook_check(b));
	return b;
}

static void expect(const char *want, int n, const char *got)
{
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(got, want, (size_t)n);
}

static void test_fixed_point_prints_with_wire_decimals(void **state)
{
	char buf[64];

	expect("123.45000000", tt_venc_fixed(buf, sizeof(buf), 12345, 2, 8), buf);
	expect("0.00000000", tt_venc_fixed(buf, sizeof(buf), 0, 5, 8), buf);
	expect("0.00001000", tt_venc_fixed(buf, sizeof(buf), 1, 5, 8), buf);
	expect("-0.05", tt_venc_fixed(buf, sizeof(buf), -5, 2, 2), buf);
	expect("7", tt_venc_fixed(buf, sizeof(buf), 7, 0, 0), buf);
	expect("92233720368547758.07", tt_venc_fixed(buf, sizeof(buf), INT64_MAX, 2, 2), buf);
	assert_int_equal(tt_venc_fixed(buf, 5, 12345, 2, 8), -ENOSPC);
}

static void test_snapshot_is_exact_rest_depth_body(void **state)
{
	struct tt_vbook *b = hand_book();
	char buf[1024];

	expect("{\"lastUpdateId\":1027024,\"bids\":[[\"59919.08000000\",\"1.50000000\"],"
	       "[\"59918.98000000\",\"0.00001000\"]],\"asks\":[[\"59919.18000000\","
	       "\"1234.56789000\"],[\"59919.28000000\",\"0.00005000\"]]}",
	       tt_venc_snapshot(buf, sizeof(buf), b, 100, false), buf);
	expect("{\"lastUpdateId\":1027024,\"bids\":[[\"59919.08000000\",\"1.50000000\"]],"
	       "\"asks\":[[\"59919.18000000\",\"1234.56789000\"]]}",
	       tt_venc_snapshot(buf, sizeof(buf), b, 1, false), buf);
	expect("{\"symbol\":\"BTCUSDT\",\"lastUpdateId\":1027024,\"bids\":[[\"59919.08000000\","
	       "\"1.50000000\"]],\"asks\":[[\"59919.18000000\",\"1234.56789000\"]]}",
	       tt_venc_snapshot(buf, sizeof(buf), b, 1, true), buf);
	assert_int_equal(tt_venc_snapshot(buf, 40, b, 100, false), -ENOSPC);
	free(b);
}

static void test_book_ticker_has_no_event_type_on_spot(void **state)
{
	struct tt_vbook *b = hand_book();
	char buf[512];

	expect("{\"u\":1027024,\"s\":\"BTCUSDT\",\"b\":\"59919.08000000\",\"B\":\"1.50000000\","
	       "\"a\":\"59919.18000000\",\"A\":\"1234.56789000\"}",
	       tt_venc_book_ticker(buf, sizeof(buf), b), buf);
	free(b);
}

static void test_trade_fields_and_types(void **state)
{
	struct tt_vbook *b = hand_book();
	struct tt_vtrade t = {.id = 12345, .px = 5991918, .qty = 5, .buyer_maker = false};
	char buf[512];

	expect("{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"t\":12345,"
	       "\"p\":\"59919.18000000\",\"q\":\"0.00005000\",\"T\":1672515782136,\"m\":false,"
	       "\"M\":true}",
	       tt_venc_trade(buf, sizeof(buf), b, &t, 1672515782136ull), buf);
	t.buyer_maker = true;
	assert_non_null(strstr(buf, "\"m\":false"));
	assert_true(tt_venc_trade(buf, sizeof(buf), b, &t, 1) > 0);
	assert_non_null(strstr(buf, "\"m\":true,\"M\":true}"));
	free(b);
}

static void test_depth_update_prints_removed_level_as_zero(void **state)
{
	struct tt_vbook *b = hand_book();
	int32_t bids[] = {100, 95};
	int32_t asks[] = {110};
	char buf[1024];

	expect(
	    "{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"U\":157,"
	    "\"u\":160,\"b\":[[\"59919.08000000\",\"1.50000000\"],[\"59919.03000000\","
	    "\"0.00000000\"]],\"a\":[[\"59919.18000000\",\"1234.56789000\"]]}",
	    tt_venc_depth_update(buf, sizeof(buf), b, 1672515782136ull, 157, 160, bids, 2, asks, 1),
	    buf);
	expect("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":2,\"u\":2,\"b\":[],"
	       "\"a\":[]}",
	       tt_venc_depth_update(buf, sizeof(buf), b, 1, 2, 2, NULL, 0, NULL, 0), buf);
	free(b);
}

static void test_exchange_info_has_the_three_filters(void **state)
{
	struct tt_vbook *b = hand_book();
	const struct tt_vbook *bk[1] = {b};
	char *buf = malloc(8192);
	int n = tt_venc_exchange_info(buf, 8192, bk, 1, 1565246363776ull);

	assert_true(n > 0);
	buf[n] = 0;
	assert_non_null(strstr(buf, "\"serverTime\":1565246363776"));
	assert_non_null(strstr(buf,
			       "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\","
			       "\"maxPrice\":\"6000000.00000000\",\"tickSize\":\"0.01000000\"}"));
	assert_non_null(strstr(buf, "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\","
				    "\"maxQty\":\"9000.00000000\",\"stepSize\":\"0.00001000\"}"));
	assert_non_null(strstr(buf, "\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\""));
	assert_int_equal(tt_venc_exchange_info(buf, 100, bk, 1, 1), -ENOSPC);
	free(buf);
	free(b);
}

static void test_log_keeps_order_across_wrap(void **state)
{
	uint8_t ring[4096];
	struct tt_vlog l = {ring, sizeof(ring), 0, 0};
	uint64_t pos = 0;
	char msg[200];
	const uint8_t *p;
	uint32_t len;
	uint16_t sid;

	for (int i = 0; i < 500; i++) {
		int n = snprintf(msg, sizeof(msg), "frame-%d-%.*s", i, i % 150,
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxx");

		assert_int_equal(tt_vlog_put(&l, (uint16_t)(i % 7), msg, (uint32_t)n), 0);
		assert_int_equal(tt_vlog_get(&l, &pos, &sid, &p, &len), 1);
		assert_int_equal(sid, i % 7);
		assert_int_equal(len, n);
		assert_memory_equal(p, msg, (size_t)n);
	}
	assert_int_equal(tt_vlog_get(&l, &pos, &sid, &p, &len), 0);
	assert_true(l.head > sizeof(ring));
}

static void test_log_reader_a_ring_behind_is_told_and_big_frames_refused(void **state)
{
	uint8_t ring[4096];
	struct tt_vlog l = {ring, sizeof(ring), 0, 0};
	uint64_t pos = 0;
	char msg[512] = {0};
	const uint8_t *p;
	uint32_t len;
	uint16_t sid;

	for (int i = 0; i < 20; i++)
		assert_int_equal(tt_vlog_put(&l, 1, msg, 300), 0);
	assert_int_equal(tt_vlog_get(&l, &pos, &sid, &p, &len), -ESPIPE);
	assert_int_equal(tt_vlog_put(&l, 1, msg, 1025), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed_point_prints_with_wire_decimals),
	    cmocka_unit_test(test_snapshot_is_exact_rest_depth_body),
	    cmocka_unit_test(test_book_ticker_has_no_event_type_on_spot),
	    cmocka_unit_test(test_trade_fields_and_types),
	    cmocka_unit_test(test_depth_update_prints_removed_level_as_zero),
	    cmocka_unit_test(test_exchange_info_has_the_three_filters),
	    cmocka_unit_test(test_log_keeps_order_across_wrap),
	    cmocka_unit_test(test_log_reader_a_ring_behind_is_told_and_big_frames_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
