/*
 * test_md_sync.c — the book-sync state machine (tt_md.h) against the documented procedure
 * (web-socket-streams.md "How to manage a local order book correctly"): stale snapshot
 * (refetch), overlap (the straddling diff applied, older ones dropped), diffs older than
 * the book ignored, gap (resync counted, the gap diff starts the new buffer), gap inside
 * the buffer, crossed book, bad level, buffer overflow while waiting, emit failure,
 * staleness, bookTicker/trade output; and a randomized feed simulation where a consumer
 * rebuilt from the emitted messages must always equal the venue's true book.
 */
#include "tt_md.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- output collector ---- */

#define MAXOUT 20000
static union tt_msg outv[MAXOUT];
static unsigned nout;
static int fail_at = -1; /* emit returns -EIO at this index */

static int collect(void *ctx, const union tt_msg *m)
{
	(void)ctx;
	if ((int)nout == fail_at)
		return -EIO;
	assert_true(nout < MAXOUT);
	outv[nout++] = *m;
	return 0;
}

static struct tt_md_out out = {collect, NULL, 0};

/* ---- fixture ---- */

static struct tt_book_level bstore[2 * (2 * 1000 + 1)];
static struct tt_book book;
static struct tt_md_sync_ev evbuf[8];
static struct tt_md_level lvbuf[64];
static struct tt_md_sync s;

static int setup(void **st)
{
	(void)st;
	nout = 0;
	fail_at = -1;
	out.seq = 0;
	assert_int_equal(tt_book_init(&book, bstore, 1000), 0);
	assert_int_equal(tt_md_sync_init(&s, 7, &book, evbuf, 8, lvbuf, 64), 0);
	return 0;
}

static struct tt_md_level bl[16], al[16];

/* A diff U..u with one bid and one ask level. */
static struct tt_md_depth diff(uint64_t U, uint64_t u, tt_px_t bpx, tt_qty_t bq, tt_px_t apx,
			       tt_qty_t aq)
{
	struct tt_md_depth d = {.bids = bl, .asks = al, .cap_bids = 16, .cap_asks = 16};

	d.first_id = U;
	d.final_id = u;
	bl[0].px = bpx;
	bl[0].qty = bq;
	al[0].px = apx;
	al[0].qty = aq;
	d.n_bids = bpx ? 1 : 0;
	d.n_asks = apx ? 1 : 0;
	return d;
}

static struct tt_md_level sb[4] = {{100, 10}, {99, 20}};
static struct tt_md_level sa[4] = {{101, 5}, {102, 6}};

static struct tt_md_depth snapshot(uint64_t id)
{
	struct tt_md_depth d = {.bids = sb, .asks = sa, .n_bids = 2, .n_asks = 2};

	d.first_id = d.final_id = id;
	return d;
}

static unsigned count_kind(unsigned kind, uint32_t flags)
{
	unsigned i, n = 0;

	for (i = 0; i < nout; i++)
		if (outv[i].h.kind == kind && (flags == 0 || (outv[i].h.flags & flags)))
			n++;
	return n;
}

static void feed(uint64_t U, uint64_t u, tt_px_t bpx, tt_qty_t bq, tt_px_t apx, tt_qty_t aq,
		 int want)
{
	struct tt_md_depth d = diff(U, u, bpx, bq, apx, aq);

	assert_int_equal(tt_md_sync_on_depth(&s, &d, 1000 + u, &out), want);
}

static void go_live_at(uint64_t id)
{
	struct tt_md_depth sn = snapshot(id);

	feed(id, id + 1, 0, 0, 0, 0, 0);
	tt_md_sync_snapshot_requested(&s);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 0);
	assert_int_equal(s.state, TT_MD_SYNC_LIVE);
}

/* ---- tests ---- */

static void test_diffs_are_buffered_until_the_snapshot(void **st)
{
	(void)st;
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
	assert_false(tt_md_sync_needs_snapshot(&s));
	feed(100, 105, 100, 1, 0, 0, 0);
	assert_int_equal(s.state, TT_MD_SYNC_BUFFERING);
	assert_int_equal(s.first_U, 100);
	assert_true(tt_md_sync_needs_snapshot(&s));
	tt_md_sync_snapshot_requested(&s);
	assert_int_equal(s.state, TT_MD_SYNC_PENDING);
	assert_false(tt_md_sync_needs_snapshot(&s));
	feed(106, 110, 100, 2, 0, 0, 0);
	assert_int_equal(s.ev_n, 2);
	assert_int_equal(s.first_U, 100);
	assert_int_equal(nout, 0);
	assert_int_equal(tt_book_count(&book, TT_SIDE_BUY), 0);
}

static void test_stale_snapshot_is_refused_for_refetch(void **st)
{
	struct tt_md_depth sn = snapshot(99);

	(void)st;
	feed(100, 105, 100, 1, 0, 0, 0);
	tt_md_sync_snapshot_requested(&s);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), -EAGAIN);
	assert_int_equal(s.n_refetch, 1);
	assert_int_equal(s.state, TT_MD_SYNC_BUFFERING);
	assert_true(tt_md_sync_needs_snapshot(&s));
	assert_int_equal(nout, 0);
	/* lastUpdateId == first U is accepted (not "strictly less") */
	sn = snapshot(100);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 0);
	assert_int_equal(s.state, TT_MD_SYNC_LIVE);
	assert_int_equal(s.book_id, 105);
}

static void test_overlap_drops_old_diffs_and_applies_the_straddling_one(void **st)
{
	struct tt_md_depth sn = snapshot(107);
	tt_px_t px;
	tt_qty_t q;

	(void)st;
	feed(100, 105, 100, 111, 0, 0, 0); /* u <= 107: dropped (else qty 111 shows) */
	feed(106, 110, 99, 33, 0, 0, 0);   /* straddles 107: applied */
	feed(111, 115, 0, 0, 101, 0, 0);   /* removes ask 101 */
	tt_md_sync_snapshot_requested(&s);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 0);
	assert_int_equal(s.state, TT_MD_SYNC_LIVE);
	assert_int_equal(s.book_id, 115);
	assert_int_equal(s.n_dropped_buffered, 1);
	assert_int_equal(s.n_applied, 2);
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_BUY, 100), 10);
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_BUY, 99), 33);
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_SELL, 101), 0);
	assert_true(tt_book_best(&book, TT_SIDE_SELL, &px, &q));
	assert_int_equal(px, 102);
	assert_true(tt_book_check(&book));
	/* STATUS LIVE, 4 snapshot deltas, top, 1 + 1 diff deltas, a new top (ask moved) */
	assert_int_equal(outv[0].h.kind, TT_MSG_STATUS);
	assert_int_equal(outv[0].h.flags, TT_STATUS_LIVE);
	assert_int_equal(count_kind(TT_MSG_BOOK_DELTA, 0), 6);
	assert_int_equal(count_kind(TT_MSG_BOOK_DELTA, TT_DELTA_LAST), 3);
	assert_int_equal(count_kind(TT_MSG_BOOK_TOP, 0), 2);
	assert_int_equal(outv[nout - 1].h.kind, TT_MSG_BOOK_TOP);
	assert_int_equal(outv[nout - 1].top.ask_px, 102);
	assert_int_equal(outv[nout - 1].top.update_id, 115);
	assert_int_equal(outv[nout - 1].h.instr, 7);
	assert_int_equal(outv[nout - 1].h.t_rx, 1115); /* the diff's own t_rx */
	assert_int_equal(outv[nout - 1].h.seq, nout);
}

static void test_diff_older_than_the_book_is_ignored(void **st)
{
	(void)st;
	go_live_at(200);
	assert_int_equal(s.book_id, 201); /* the buffered 200..201 diff was applied */
	nout = 0;
	feed(150, 200, 100, 999, 0, 0, 0); /* u = book id - 1 */
	assert_int_equal(s.n_ignored, 1);
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_BUY, 100), 10);
	assert_int_equal(nout, 0);
	feed(195, 201, 100, 7, 0, 0, 0); /* overlaps: applied */
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_BUY, 100), 7);
	assert_int_equal(s.book_id, 201);
}

static void test_gap_resyncs_and_rebuffers_the_gap_diff(void **st)
{
	(void)st;
	go_live_at(200);
	feed(202, 205, 100, 5, 0, 0, 0);
	nout = 0;
	feed(207, 210, 100, 6, 0, 0, 1); /* 206 missing */
	assert_int_equal(s.resyncs[TT_MD_RESYNC_GAP], 1);
	assert_int_equal(s.last_reason, TT_MD_RESYNC_GAP);
	assert_int_equal(s.state, TT_MD_SYNC_BUFFERING);
	assert_int_equal(s.first_U, 207);
	assert_int_equal(s.ev_n, 1);
	assert_int_equal(tt_book_count(&book, TT_SIDE_BUY), 0);
	assert_int_equal(nout, 1);
	assert_int_equal(outv[0].h.kind, TT_MSG_STATUS);
	assert_int_equal(outv[0].h.flags, TT_STATUS_RESYNC);
	assert_int_equal(outv[0].status.detail, TT_MD_RESYNC_GAP);
}

static void test_gap_inside_the_buffer_resyncs_from_the_gap(void **st)
{
	struct tt_md_depth sn = snapshot(105);

	(void)st;
	feed(100, 106, 100, 1, 0, 0, 0);
	feed(107, 108, 100, 2, 0, 0, 0);
	feed(110, 112, 100, 3, 0, 0, 0); /* 109 missing */
	feed(113, 114, 100, 4, 0, 0, 0);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 1);
	assert_int_equal(s.resyncs[TT_MD_RESYNC_GAP], 1);
	assert_int_equal(s.state, TT_MD_SYNC_BUFFERING);
	assert_int_equal(s.ev_n, 2);
	assert_int_equal(s.first_U, 110);
	assert_int_equal(s.lv_n, 2);
	assert_int_equal(s.lv[s.ev[1].off].qty, 4);
	/* a fresh snapshot then recovers */
	sn = snapshot(111);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 0);
	assert_int_equal(s.book_id, 114);
	assert_int_equal(tt_book_qty_at(&book, TT_SIDE_BUY, 100), 4);
}

static void test_crossed_book_after_a_diff_resyncs(void **st)
{
	(void)st;
	go_live_at(300);
	feed(302, 302, 101, 1, 0, 0, 1); /* bid at the best ask */
	assert_int_equal(s.resyncs[TT_MD_RESYNC_CROSSED], 1);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
	assert_int_equal(tt_book_count(&book, TT_SIDE_BUY), 0);
	assert_int_equal(outv[nout - 1].h.kind, TT_MSG_STATUS);
	assert_int_equal(outv[nout - 1].status.detail, TT_MD_RESYNC_CROSSED);
	/* a crossing level inside one event that the same event uncrosses is fine */
	setup(NULL);
	go_live_at(300);
	{
		struct tt_md_depth d = diff(302, 302, 101, 1, 101, 0);

		assert_int_equal(tt_md_sync_on_depth(&s, &d, 1, &out), 0);
		assert_int_equal(s.state, TT_MD_SYNC_LIVE);
	}
}

static void test_crossed_snapshot_resyncs(void **st)
{
	struct tt_md_depth sn = snapshot(100);
	struct tt_md_level save = sa[0];

	(void)st;
	feed(100, 101, 0, 0, 0, 0, 0);
	sa[0].px = 100; /* ask == best bid */
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), 1);
	sa[0] = save;
	assert_int_equal(s.resyncs[TT_MD_RESYNC_CROSSED], 1);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
	assert_int_equal(tt_book_count(&book, TT_SIDE_BUY), 0);
}

static void test_bad_level_in_a_live_diff_resyncs(void **st)
{
	struct tt_md_depth d;

	(void)st;
	go_live_at(400);
	d = diff(402, 402, 100, 1, 0, 0);
	bl[0].px = 0; /* price 0 */
	assert_int_equal(tt_md_sync_on_depth(&s, &d, 1, &out), 1);
	assert_int_equal(s.resyncs[TT_MD_RESYNC_BAD_LEVEL], 1);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
}

static void test_buffer_overflow_while_waiting_resyncs(void **st)
{
	uint64_t i;

	(void)st;
	for (i = 0; i < 8; i++)
		feed(100 + i, 100 + i, 100, 1, 0, 0, 0);
	assert_int_equal(s.ev_n, 8);
	tt_md_sync_snapshot_requested(&s);
	feed(108, 108, 100, 1, 0, 0, 1); /* ninth: no room */
	assert_int_equal(s.resyncs[TT_MD_RESYNC_OVERFLOW], 1);
	assert_int_equal(s.state, TT_MD_SYNC_BUFFERING); /* restarted with it */
	assert_int_equal(s.ev_n, 1);
	assert_int_equal(s.first_U, 108);
	assert_int_equal(outv[0].status.detail, TT_MD_RESYNC_OVERFLOW);
	/* the in-flight snapshot is now too old: refetch */
	{
		struct tt_md_depth sn = snapshot(104);

		assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), -EAGAIN);
	}
	/* the level arena overflows too */
	setup(NULL);
	{
		struct tt_md_depth d = diff(1, 1, 100, 1, 0, 0);

		d.n_bids = 16;
		for (i = 0; i < 4; i++) {
			d.first_id = d.final_id = 1 + i;
			assert_int_equal(tt_md_sync_on_depth(&s, &d, 1, &out), 0);
		}
		d.first_id = d.final_id = 5;
		assert_int_equal(tt_md_sync_on_depth(&s, &d, 1, &out), 1);
		assert_int_equal(s.resyncs[TT_MD_RESYNC_OVERFLOW], 1);
	}
}

static void test_emit_failure_resyncs_and_returns_the_error(void **st)
{
	struct tt_md_depth sn = snapshot(100);

	(void)st;
	feed(100, 101, 0, 0, 0, 0, 0);
	fail_at = 2; /* STATUS LIVE ok, first delta ok, second fails */
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), -EIO);
	assert_int_equal(s.resyncs[TT_MD_RESYNC_EMIT], 1);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
	fail_at = -1;
	go_live_at(200);
	fail_at = (int)nout;
	feed(201, 201, 100, 3, 0, 0, -EIO);
	assert_int_equal(s.resyncs[TT_MD_RESYNC_EMIT], 2);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
}

static void test_staleness_is_reported_once_and_cleared_by_data(void **st)
{
	struct tt_md_trade tr = {.px = 5, .qty = 6, .trade_id = 9, .trade_ts = 1700000000123ULL};

	(void)st;
	assert_true(tt_md_sync_is_stale(&s, 10, 100)); /* never heard from */
	assert_int_equal(tt_md_sync_on_trade(&s, &tr, false, 50, &out), 0);
	assert_false(tt_md_sync_is_stale(&s, 150, 100));
	assert_true(tt_md_sync_is_stale(&s, 151, 100));
	nout = 0;
	assert_int_equal(tt_md_sync_check_stale(&s, 151, 100, &out), 1);
	assert_int_equal(tt_md_sync_check_stale(&s, 200, 100, &out), 0);
	assert_int_equal(nout, 1);
	assert_int_equal(outv[0].h.flags, TT_STATUS_STALE);
	assert_int_equal(tt_md_sync_on_trade(&s, &tr, false, 300, &out), 0);
	assert_int_equal(nout, 3);
	assert_int_equal(outv[1].h.kind, TT_MSG_STATUS);
	assert_int_equal(outv[1].h.flags, TT_STATUS_LIVE);
	assert_int_equal(outv[2].h.kind, TT_MSG_TRADE);
}

static void test_trade_and_book_ticker_output(void **st)
{
	struct tt_md_trade tr = {
	    .px = 5, .qty = 6, .trade_id = 9, .trade_ts = 1700000000123ULL, .buyer_maker = true};
	struct tt_md_book_ticker bt = {
	    .update_id = 50, .bid_px = 1, .bid_qty = 2, .ask_px = 3, .ask_qty = 4};

	(void)st;
	assert_int_equal(tt_md_sync_on_trade(&s, &tr, false, 77, &out), 0);
	assert_int_equal(outv[0].h.kind, TT_MSG_TRADE);
	assert_int_equal(outv[0].trade.venue_ts_us, 1700000000123000ULL);
	assert_int_equal(outv[0].trade.aggressor, TT_SIDE_SELL);
	assert_int_equal(outv[0].trade.trade_id, 9);
	assert_int_equal(outv[0].h.t_rx, 77);
	tr.buyer_maker = false;
	assert_int_equal(tt_md_sync_on_trade(&s, &tr, true, 78, &out), 0);
	assert_int_equal(outv[1].trade.venue_ts_us, 1700000000123ULL);
	assert_int_equal(outv[1].trade.aggressor, TT_SIDE_BUY);
	assert_int_equal(tt_md_sync_on_book_ticker(&s, &bt, 79, &out), 0);
	assert_int_equal(outv[2].h.kind, TT_MSG_BOOK_TOP);
	assert_int_equal(outv[2].top.ask_qty, 4);
	assert_int_equal(outv[2].top.update_id, 50);
	bt.update_id = 49; /* older than the last top */
	assert_int_equal(tt_md_sync_on_book_ticker(&s, &bt, 80, &out), 0);
	assert_int_equal(nout, 3);
	assert_int_equal(s.n_tickers_old, 1);
	assert_int_equal(outv[2].h.seq, 3);
}

static void test_snapshot_outside_buffering_is_refused(void **st)
{
	struct tt_md_depth sn = snapshot(100);

	(void)st;
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), -EINVAL);
	go_live_at(200);
	assert_int_equal(tt_md_sync_on_snapshot(&s, &sn, 5, &out), -EINVAL);
	assert_int_equal(tt_md_sync_resync(&s, TT_MD_RESYNC_CALLER, 9, &out), 0);
	assert_int_equal(s.state, TT_MD_SYNC_INIT);
	assert_int_equal(s.resyncs[TT_MD_RESYNC_CALLER], 1);
}

/* ---- randomized feed: the consumer's rebuilt book equals the venue's ---- */

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static bool books_equal(const struct tt_book *a, const struct tt_book *b)
{
	unsigned side;
	uint32_t i;

	for (side = 0; side < 2; side++) {
		if (tt_book_count(a, side) != tt_book_count(b, side))
			return false;
		for (i = 0; i < tt_book_count(a, side); i++) {
			tt_px_t p1, p2;
			tt_qty_t q1, q2;

			(void)tt_book_level_at(a, side, i, &p1, &q1);
			(void)tt_book_level_at(b, side, i, &p2, &q2);
			if (p1 != p2 || q1 != q2)
				return false;
		}
	}
	return true;
}

static struct tt_book_level vstore[2 * (2 * 1000 + 1)], cstore[2 * (2 * 1000 + 1)];
static struct tt_md_sync_ev bigev[64];
static struct tt_md_level biglv[4096];

static void test_random_feed_consumer_matches_the_venue_book(void **st)
{
	const char *e_seed = getenv("TT_TEST_SEED");
	const char *e_iters = getenv("TT_TEST_ITERS");
	uint64_t seed = e_seed ? strtoull(e_seed, NULL, 0) : 0x51c5eedULL;
	long iters = e_iters ? atol(e_iters) : 5000;
	struct tt_book venue, cons;
	uint64_t id = 1000;
	long i, live_checks = 0;
	unsigned k;

	(void)st;
	printf("# seed %" PRIu64 " iters %ld (TT_TEST_SEED, TT_TEST_ITERS)\n", seed, iters);
	rs = seed;
	assert_int_equal(tt_book_init(&venue, vstore, 1000), 0);
	assert_int_equal(tt_book_init(&cons, cstore, 1000), 0);
	assert_int_equal(tt_md_sync_init(&s, 7, &book, bigev, 64, biglv, 4096), 0);
	for (i = 0; i < iters; i++) {
		struct tt_md_depth d = {.bids = bl, .asks = al};
		unsigned n = (unsigned)(rnd() % 4) + 1;
		bool lose = rnd() % 200 == 0; /* the network drops a diff */

		d.first_id = id + 1;
		d.final_id = id + n;
		id += n;
		for (k = 0; k < n; k++) {
			bl[k].px = 1000 - (tt_px_t)(rnd() % 50);
			bl[k].qty = rnd() % 3 ? (tt_qty_t)(rnd() % 9 + 1) : 0;
			al[k].px = 1001 + (tt_px_t)(rnd() % 50);
			al[k].qty = rnd() % 3 ? (tt_qty_t)(rnd() % 9 + 1) : 0;
			assert_int_equal(tt_book_set(&venue, TT_SIDE_BUY, bl[k].px, bl[k].qty), 0);
			assert_int_equal(tt_book_set(&venue, TT_SIDE_SELL, al[k].px, al[k].qty), 0);
		}
		d.n_bids = d.n_asks = n;
		nout = 0;
		if (!lose)
			assert_true(tt_md_sync_on_depth(&s, &d, (tt_tsc_t)i + 1, &out) >= 0);
		/* The snapshot is taken "now" or a bit in the past; sometimes too old. */
		if (tt_md_sync_needs_snapshot(&s) && rnd() % 5 == 0) {
			static struct tt_md_level snb[1000], sna[1000];
			struct tt_md_depth sn = {.bids = snb, .asks = sna};
			uint32_t j;

			sn.n_bids = tt_book_count(&venue, TT_SIDE_BUY);
			sn.n_asks = tt_book_count(&venue, TT_SIDE_SELL);
			for (j = 0; j < sn.n_bids; j++)
				(void)tt_book_level_at(&venue, TT_SIDE_BUY, j, &snb[j].px,
						       &snb[j].qty);
			for (j = 0; j < sn.n_asks; j++)
				(void)tt_book_level_at(&venue, TT_SIDE_SELL, j, &sna[j].px,
						       &sna[j].qty);
			sn.first_id = sn.final_id = id;
			if (rnd() % 4 == 0) /* a snapshot from before the first buffered U */
				sn.first_id = sn.final_id = s.first_U - 1;
			tt_md_sync_snapshot_requested(&s);
			int rc = tt_md_sync_on_snapshot(&s, &sn, (tt_tsc_t)i + 1, &out);

			assert_true(rc >= 0 || rc == -EAGAIN);
		}
		/* The consumer applies what was emitted. */
		for (k = 0; k < nout; k++) {
			const union tt_msg *m = &outv[k];

			if (m->h.kind == TT_MSG_STATUS && (m->h.flags & TT_STATUS_RESYNC))
				tt_book_clear(&cons);
			if (m->h.kind == TT_MSG_STATUS && (m->h.flags & TT_STATUS_LIVE) &&
			    m->status.detail == 0)
				tt_book_clear(&cons);
			if (m->h.kind == TT_MSG_BOOK_DELTA)
				assert_int_equal(
				    tt_book_set(&cons, m->delta.side, m->delta.px, m->delta.qty),
				    0);
		}
		assert_true(tt_book_check(&book));
		if (s.state == TT_MD_SYNC_LIVE) {
			/* Nothing lost since the snapshot: the sync book is the venue's. */
			if (s.book_id == id) {
				if (!books_equal(&book, &venue))
					fail_msg("seed %" PRIu64 " step %ld: book != venue", seed,
						 i);
				live_checks++;
			}
			if (!books_equal(&book, &cons))
				fail_msg("seed %" PRIu64 " step %ld: consumer != book", seed, i);
		}
	}
	printf("# live checks %ld, resyncs gap %" PRIu64 " refetch %" PRIu64 "\n", live_checks,
	       s.resyncs[TT_MD_RESYNC_GAP], s.n_refetch);
	assert_true(live_checks > iters / 4);
	assert_true(s.resyncs[TT_MD_RESYNC_GAP] > 0);
	assert_true(s.n_refetch > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_diffs_are_buffered_until_the_snapshot, setup),
	    cmocka_unit_test_setup(test_stale_snapshot_is_refused_for_refetch, setup),
	    cmocka_unit_test_setup(test_overlap_drops_old_diffs_and_applies_the_straddling_one,
				   setup),
	    cmocka_unit_test_setup(test_diff_older_than_the_book_is_ignored, setup),
	    cmocka_unit_test_setup(test_gap_resyncs_and_rebuffers_the_gap_diff, setup),
	    cmocka_unit_test_setup(test_gap_inside_the_buffer_resyncs_from_the_gap, setup),
	    cmocka_unit_test_setup(test_crossed_book_after_a_diff_resyncs, setup),
	    cmocka_unit_test_setup(test_crossed_snapshot_resyncs, setup),
	    cmocka_unit_test_setup(test_bad_level_in_a_live_diff_resyncs, setup),
	    cmocka_unit_test_setup(test_buffer_overflow_while_waiting_resyncs, setup),
	    cmocka_unit_test_setup(test_emit_failure_resyncs_and_returns_the_error, setup),
	    cmocka_unit_test_setup(test_staleness_is_reported_once_and_cleared_by_data, setup),
	    cmocka_unit_test_setup(test_trade_and_book_ticker_output, setup),
	    cmocka_unit_test_setup(test_snapshot_outside_buffering_is_refused, setup),
	    cmocka_unit_test_setup(test_random_feed_consumer_matches_the_venue_book, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
