/*
 * test_analytics.c — tt-analytics (tt_an.h) fed through real lossy shm rings: exact
 * fixed-point P&L and fees, idempotent restart keyed by journal seq (a crash between commit
 * and release re-reads and ignores), book sampling, markouts, schema versioning, and the
 * three report formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_an.h"
#include "tt_clock.h"
#include "tt_ring.h"

#define PX(x) ((int64_t)(x)*100000000) /* scale 8 */

static struct tt_an an;
static struct tt_ring prod, cons;
static char ring[64], db[96];
static const struct tt_ring_params rp = {
    .slot_size = 64, .capacity = 64, .mode = TT_RING_LOSSY, .msg_version = TT_MSG_LAYOUT_VERSION};
static uint64_t t0;

static int setup(void **st)
{
	snprintf(ring, sizeof(ring), "obsan%d.oe", (int)getpid());
	snprintf(db, sizeof(db), "/tmp/tt-obs-an-%d.db", (int)getpid());
	unlink(db);
	assert_int_equal(tt_ring_create(ring, &rp), 0);
	assert_int_equal(tt_ring_attach(&prod, ring, TT_RING_PRODUCER, &rp, TT_WAIT_SPIN), 0);
	assert_int_equal(tt_ring_attach(&cons, ring, TT_RING_CONSUMER, &rp, TT_WAIT_SPIN), 0);
	t0 = tt_clock_now();
	return 0;
}

static int teardown(void **st)
{
	char p[128];

	tt_an_close(&an);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
	tt_ring_unlink(ring);
	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
	return 0;
}

static void open_db(int64_t fee_ppm)
{
	struct tt_an_cfg cfg = {
	    .db_path = db, .px_scale = 8, .qty_scale = 8, .fee_ppm = fee_ppm, .sample_ms = 100};

	assert_int_equal(tt_an_open(&an, &cfg), 0);
}

static uint64_t at_ms(int64_t ms)
{
	return t0 + tt_clock_ns_to_ticks(ms * 1000000);
}

static void push(const union tt_msg *m)
{
	assert_int_equal(tt_ring_push(&prod, m, sizeof(*m)), 0);
}

static void push_book(int64_t ms, int64_t bid, int64_t ask)
{
	union tt_msg m = {0};

	m.top =
	    (struct tt_msg_book_top){.h = {.kind = TT_MSG_BOOK_TOP, .instr = 1, .t_rx = at_ms(ms)},
				     .bid_px = bid,
				     .bid_qty = PX(1),
				     .ask_px = ask,
				     .ask_qty = PX(1)};
	push(&m);
}

static void push_fill(uint64_t seq, int64_t ms, int side, int64_t px, int64_t qty)
{
	union tt_msg m = {0};

	m.exec = (struct tt_msg_exec){
	    .h = {.kind = TT_MSG_EXEC, .instr = 1, .seq = seq, .t_rx = at_ms(ms)},
	    .cl_ord_id = seq * 10,
	    .last_px = px,
	    .last_qty = qty,
	    .cum_qty = qty,
	    .exec_type = TT_EXEC_TRADE,
	    .side = (uint8_t)side};
	push(&m);
}

static void push_order(uint64_t seq, int64_t ms, int64_t px, int64_t qty, uint32_t t2t_ns)
{
	union tt_msg m = {0};

	m.order = (struct tt_msg_order){.h = {.kind = TT_MSG_ORDER,
					      .instr = 1,
					      .seq = seq,
					      .t_rx = at_ms(ms),
					      .flags = (uint32_t)tt_clock_ns_to_ticks(t2t_ns)},
					.cl_ord_id = seq * 10,
					.px = px,
					.qty = qty};
	push(&m);
}

static int64_t q1(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void test_fills_move_position_and_realized_pnl_exactly(void **st)
{
	const struct tt_an_pos *p;

	open_db(1000); /* 0.1 % fee */
	push_book(0, PX(99), PX(101));
	push_fill(1, 1, 0, PX(100), PX(2)); /* buy 2 @ 100 */
	push_fill(2, 2, 1, PX(110), PX(1)); /* sell 1 @ 110: +10 realized */
	push_fill(3, 3, 1, PX(90), PX(3));  /* sell 3 @ 90: -10 realized, flips to -2 @ 90 */
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 4);
	p = tt_an_position(&an, 1);
	assert_int_equal(p->qty, -PX(2));
	assert_int_equal(p->realized, 0);
	assert_int_equal(p->cost, -PX(180));
	/* fees: (200 + 110 + 270) * 0.001 = 0.58 */
	assert_int_equal(p->fees, 58000000);
	assert_int_equal(q1("SELECT COUNT(*) FROM fills"), 3);
	assert_int_equal(q1("SELECT realized_after FROM fills WHERE seq = 2"), PX(10));
	assert_int_equal(q1("SELECT qty FROM positions WHERE instr = 1"), -PX(2));
}

/* Instruments with their own scales (--scales): prices and quantities are stored at the
 * store's scale (8) exactly, so a BTC fill at 2/5 decimals reads like any other. */
static void test_instrument_scales_are_rescaled_on_ingest(void **st)
{
	struct tt_an_cfg cfg = {.db_path = db, .px_scale = 8, .qty_scale = 8, .sample_ms = 100};
	union tt_msg m = {0};

	(void)st;
	cfg.in_scaled[1] = 1;
	cfg.in_px[1] = 2;
	cfg.in_qty[1] = 5;
	assert_int_equal(tt_an_open(&an, &cfg), 0);
	push_fill(1, 1, 0, 6000012, 100);  /* buy 0.00100 @ 60000.12 */
	push_order(2, 2, 6000099, 250, 0); /* 0.00250 @ 60000.99 */
	m.exec = (struct tt_msg_exec){.h = {.kind = TT_MSG_EXEC, .instr = 1, .seq = 3},
				      .last_px = 1,
				      .last_qty = INT64_MAX / 10, /* does not fit at scale 8 */
				      .exec_type = TT_EXEC_TRADE};
	push(&m);
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 3);
	assert_int_equal(an.bad, 1); /* the one that does not fit: counted, not stored */
	assert_int_equal(q1("SELECT px FROM fills WHERE seq = 1"), PX(60000) + 12000000);
	assert_int_equal(q1("SELECT qty FROM fills WHERE seq = 1"), 100000);
	assert_int_equal(q1("SELECT px FROM orders WHERE seq = 2"), PX(60000) + 99000000);
	assert_int_equal(q1("SELECT qty FROM orders WHERE seq = 2"), 250000);
	assert_int_equal(q1("SELECT COUNT(*) FROM fills WHERE seq = 3"), 0);
	assert_int_equal(tt_an_position(&an, 1)->qty, 100000);
}

static void test_restart_neither_loses_nor_duplicates_rows(void **st)
{
	open_db(0);
	push_fill(1, 1, 0, PX(100), PX(1));
	push_fill(2, 2, 0, PX(102), PX(1));
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 2);
	tt_an_close(&an);
	/* the producer repeats seq 2 (e.g. tt-oe replayed its journal) and goes on */
	push_fill(2, 2, 0, PX(102), PX(1));
	push_fill(3, 3, 1, PX(104), PX(2));
	open_db(0);
	assert_int_equal(tt_an_position(&an, 1)->qty, PX(2)); /* reloaded from the store */
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 2);
	assert_int_equal(an.dups, 1);
	assert_int_equal(q1("SELECT COUNT(*) FROM fills"), 3);
	assert_int_equal(tt_an_position(&an, 1)->qty, 0);
	assert_int_equal(tt_an_position(&an, 1)->realized, PX(6)); /* 2*104 - 202 */
}

static void test_crash_between_commit_and_release_rereads_without_double_count(void **st)
{
	union tt_msg m;

	open_db(0);
	push_fill(7, 1, 0, PX(100), PX(1));
	/* store and commit by hand, but "die" before releasing the slot */
	memcpy(&m, tt_ring_peek(&cons), sizeof(m));
	assert_int_equal(tt_an_ingest_msg(&an, &m), 1);
	assert_int_equal(tt_an_commit(&an), 0);
	tt_an_close(&an);
	open_db(0);
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 1); /* re-read */
	assert_int_equal(an.dups, 1);
	assert_int_equal(tt_an_position(&an, 1)->qty, PX(1));
	assert_int_equal(q1("SELECT COUNT(*) FROM execs"), 1);
}

static void test_uncommitted_batch_leaves_store_and_ring_unchanged(void **st)
{
	union tt_msg m;

	open_db(0);
	push_fill(9, 1, 0, PX(100), PX(1));
	memcpy(&m, tt_ring_peek(&cons), sizeof(m));
	assert_int_equal(tt_an_ingest_msg(&an, &m), 1);
	tt_an_close(&an); /* no commit: rolled back */
	assert_int_equal(q1("SELECT COUNT(*) FROM fills"), 0);
	open_db(0);
	assert_int_equal(tt_an_position(&an, 1)->qty, 0);
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 1);
	assert_int_equal(q1("SELECT COUNT(*) FROM fills"), 1);
}

static void test_books_are_sampled_once_per_interval(void **st)
{
	open_db(0);
	for (int i = 0; i < 20; i++) /* every 10 ms for 200 ms, sample every 100 ms */
		push_book(i * 10, PX(99) + i, PX(101) + i);
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 20);
	assert_int_equal(q1("SELECT COUNT(*) FROM books"), 2);
	assert_int_equal(tt_an_position(&an, 1)->mid, PX(100) + 19); /* last mid, not sampled */
}

static void test_markouts_use_first_book_after_horizon(void **st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	open_db(0);
	push_book(0, PX(99), PX(101));
	push_fill(1, 0, 0, PX(100), PX(1)); /* buy at 100 */
	push_book(1500, PX(100), PX(102));  /* mid 101 at +1.5 s: +100 bps */
	push_book(12000, PX(98), PX(100));  /* mid 99 at +12 s: -100 bps */
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 4);
	f = open_memstream(&buf, &len);
	assert_int_equal(tt_an_report(&an, 0, TT_AN_JSON, f), 0);
	fclose(f);
	assert_non_null(
	    strstr(buf, "{\"horizon_s\":1,\"n\":1,\"avg_bps\":100.0000,\"sum\":1.00000000}"));
	assert_non_null(strstr(buf, "{\"horizon_s\":10,\"n\":1,\"avg_bps\":-100.0000,"));
	assert_non_null(strstr(buf, "{\"horizon_s\":60,\"n\":0,"));
	free(buf);
}

static void test_reports_in_html_md_and_json(void **st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	open_db(0);
	push_book(0, PX(99), PX(101));
	push_order(1, 0, PX(100), PX(2), 4000);
	push_fill(2, 1, 0, PX(100), PX(1));
	push_order(3, 5, PX(100), PX(2), 6000);
	assert_int_equal(tt_an_ingest_ring(&an, &cons, 0), 4);
	f = open_memstream(&buf, &len);
	assert_int_equal(tt_an_report(&an, 0, TT_AN_HTML, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<!DOCTYPE html>"));
	assert_true(strstr(buf, "<svg") != NULL && strstr(buf, "polyline") != NULL);
	assert_non_null(strstr(buf, "<td>2</td><td>1</td><td>50.0%</td><td>25.0%</td>"));
	assert_null(strstr(buf, "<script")); /* self-contained, static */
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(tt_an_report(&an, 0, TT_AN_MD, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| order sent (t2t) | 2 |"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(tt_an_report(&an, 0, TT_AN_JSON, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"orders\":2,\"fills\":1,\"fill_ratio\":0.500000"));
	assert_non_null(strstr(buf, "\"t2t_ns\":{\"n\":2,"));
	free(buf);
}

static void test_newer_schema_is_refused(void **st)
{
	sqlite3 *h;
	struct tt_an_cfg cfg = {.db_path = db};

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(tt_an_open(&an, &cfg), -TT_EVERSION);
	unlink(db);
	open_db(0);
	assert_int_equal(q1("PRAGMA user_version"), TT_AN_SCHEMA_VERSION);
	assert_int_equal(q1("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fills_move_position_and_realized_pnl_exactly,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_instrument_scales_are_rescaled_on_ingest, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_restart_neither_loses_nor_duplicates_rows, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_crash_between_commit_and_release_rereads_without_double_count, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_uncommitted_batch_leaves_store_and_ring_unchanged,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_books_are_sampled_once_per_interval, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_markouts_use_first_book_after_horizon, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reports_in_html_md_and_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
	};
	tt_clock_init_local();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
