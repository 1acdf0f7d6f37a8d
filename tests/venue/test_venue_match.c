/*
 * test_venue_match.c — tt-venue's matching engine (match.c) on hand-built books: sweeps of
 * synthetic levels, IOC/FOK/LIMIT_MAKER/MARKET, filters and their error codes, price-time
 * priority with client orders ahead of the synthetic level at one price, STP, the
 * trade-through and crossing rules after a random-walk step, cancels, and determinism for a
 * seed. Every expected number is computed by hand in the comments.
 *
 * BTCUSDT: price units 0.01 (px_dec 2), quantity units 0.00001 (qty_dec 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tt_vmatch.h"

#define E8(units, dec) ((int64_t)(units) * (dec == 2 ? 1000000 : 1000)) /* px 2, qty 5 */
#define PX(p)	       E8(p, 2) /* price units (0.01) to e8 */
#define QTY(q)	       E8(q, 5) /* quantity units (0.00001) to e8 */

struct rec {
	struct tt_vexec e[64];
	struct tt_vorder o[64];
	int n;
	struct tt_vstep s[64];
	int ns;
};

static struct tt_vbook *book;
static struct tt_vmatch mx;
static struct rec rec;

static void on_exec(void *ctx, const struct tt_vexec *e)
{
	struct rec *r = ctx;

	if (r->n < 64) {
		r->e[r->n] = *e;
		r->o[r->n] = *e->o;
		r->n++;
	}
}

static void on_synth(void *ctx, int sym, const struct tt_vstep *s)
{
	struct rec *r = ctx;

	(void)sym;
	if (r->ns < 64)
		r->s[r->ns++] = *s;
}

static int32_t idx(int64_t px)
{
	return (int32_t)(px - book->base);
}

/* Empties the ladder and sets the given levels (price units, qty units; 0-terminated). */
static void set_book(const int64_t (*bids)[2], const int64_t (*asks)[2])
{
	memset(book->bid, 0, sizeof(book->bid));
	memset(book->ask, 0, sizeof(book->ask));
	book->nbid = book->nask = 0;
	book->best_bid = -1;
	book->best_ask = TT_VBOOK_TICKS;
	for (int i = 0; bids[i][0]; i++) {
		book->bid[idx(bids[i][0])] = bids[i][1];
		book->nbid++;
		if (idx(bids[i][0]) > book->best_bid)
			book->best_bid = idx(bids[i][0]);
	}
	for (int i = 0; asks[i][0]; i++) {
		book->ask[idx(asks[i][0])] = asks[i][1];
		book->nask++;
		if (idx(asks[i][0]) < book->best_ask)
			book->best_ask = idx(asks[i][0]);
	}
	assert_true(tt_vbook_check(book));
}

static const int64_t std_bids[][2] = {
    {5999900, 100000}, {5999800, 100000}, {5999000, 100000}, {0, 0}};
static const int64_t std_asks[][2] = {
    {6000001, 100}, {6000002, 200}, {6000005, 100000}, {6000010, 100000}, {0, 0}};

static int setup(void **state)
{
	struct tt_vsym_cfg cfg;

	(void)state;
	book = malloc(sizeof(*book));
	assert_non_null(book);
	assert_int_equal(tt_vsym_builtin("BTCUSDT", &cfg), 0);
	assert_int_equal(tt_vbook_init(book, &cfg, 7), 0);
	set_book(std_bids, std_asks);
	assert_int_equal(tt_vmatch_init(&mx, &book, 1, 256, 256), 0);
	memset(&rec, 0, sizeof(rec));
	mx.on_exec = on_exec;
	mx.exec_ctx = &rec;
	mx.on_synth = on_synth;
	mx.synth_ctx = &rec;
	mx.now_ms = 1000;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tt_vmatch_fini(&mx);
	free(book);
	return 0;
}

static struct tt_vreq limit(int acct, int side, int tif, int64_t px, int64_t qty)
{
	struct tt_vreq r = {.sym = 0,
			    .acct = acct,
			    .session = 1,
			    .side = (uint8_t)side,
			    .type = TT_VOT_LIMIT,
			    .tif = (uint8_t)tif,
			    .stp = TT_VSTP_EXPIRE_MAKER,
			    .px_e8 = PX(px),
			    .qty_e8 = QTY(qty),
			    .quote_e8 = -1};
	return r;
}

static uint64_t place_ok(struct tt_vreq r)
{
	uint64_t id = 0;
	const char *msg = "";

	assert_int_equal(tt_vmatch_place(&mx, &r, &id, &msg), 0);
	assert_true(id > 0);
	return id;
}

static int place_err(struct tt_vreq r, const char *want)
{
	uint64_t id = 0;
	const char *msg = "";
	int rc = tt_vmatch_place(&mx, &r, &id, &msg);

	assert_string_equal(msg, want);
	return rc;
}

static void test_ioc_buy_sweeps_two_synthetic_levels_and_publishes_them(void **state)
{
	uint64_t tid0 = book->trade_id;
	uint64_t u0 = book->update_id;
	uint64_t id;
	const struct tt_vorder *o;

	(void)state;
	/* buy 250 @ 60000.02: 100 @ .01 (level gone), 150 @ .02 (level 200 -> 50) */
	id = place_ok(limit(0, TT_VBUY, TT_VTIF_IOC, 6000002, 250));
	o = &mx.ord[id - 1];
	assert_int_equal(o->status, TT_VOS_FILLED);
	assert_int_equal(o->cum, 250);
	assert_int_equal(o->cumq, 6000001LL * 100 + 6000002LL * 150);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.e[0].x, TT_VX_NEW);
	assert_int_equal(rec.e[1].x, TT_VX_TRADE);
	assert_int_equal(rec.e[1].last_qty, 100);
	assert_int_equal(rec.e[1].last_px, 6000001);
	assert_int_equal(rec.e[1].trade_id, tid0 + 1);
	assert_int_equal(rec.o[1].status, TT_VOS_PARTIALLY_FILLED);
	assert_int_equal(rec.e[2].last_qty, 150);
	assert_int_equal(rec.e[2].trade_id, tid0 + 2);
	assert_int_equal(rec.o[2].status, TT_VOS_FILLED);
	assert_false(rec.e[2].maker);
	/* the synthetic book lost exactly that, one published update per level */
	assert_int_equal(book->ask[idx(6000001)], 0);
	assert_int_equal(book->ask[idx(6000002)], 50);
	assert_int_equal(book->best_ask, idx(6000002));
	assert_int_equal(book->update_id, u0 + 2);
	assert_int_equal(rec.ns, 2);
	assert_int_equal(rec.s[0].nchg, 1);
	assert_int_equal(rec.s[0].chg[0].qty, 0);
	assert_int_equal(rec.s[1].chg[0].qty, 50);
	assert_int_equal(rec.s[1].tr[0].id, tid0 + 2);
	assert_false(rec.s[1].tr[0].buyer_maker);
	assert_true(tt_vbook_check(book));
	/* the fill log and balances: +0.00250 BTC, -(60000.01*0.001 + 60000.02*0.0015) USDT */
	assert_int_equal(mx.nfill, 2);
	assert_int_equal(mx.bal[0][0], 250000);
	assert_int_equal(mx.bal[0][1], -(6000001LL * 100 + 6000002LL * 150) * 10);
	{
		static char dump[1 << 16];

		assert_true(tt_vmatch_dump(&mx, 0, dump, sizeof(dump)) < (int)sizeof(dump));
		assert_non_null(strstr(dump, "\"positions\":{\"0\":{\"BTCUSDT\":\"0.00250000\"}}"));
		/* 600000100 + 900000300 (x1e-7) = 150.00004000 USDT spent */
		assert_non_null(strstr(dump, "\"USDT\":\"-150.00004000\""));
		assert_non_null(strstr(dump, "\"executedQty\":\"0.00250000\""));
	}
}

static void test_ioc_remainder_expires_and_gtc_remainder_rests(void **state)
{
	uint64_t a, b;

	(void)state;
	a = place_ok(limit(0, TT_VBUY, TT_VTIF_IOC, 6000001, 1000));
	assert_int_equal(mx.ord[a - 1].cum, 100);
	assert_int_equal(mx.ord[a - 1].status, TT_VOS_EXPIRED);
	assert_false(mx.ord[a - 1].live);
	assert_int_equal(rec.e[rec.n - 1].x, TT_VX_EXPIRED);
	b = place_ok(limit(0, TT_VBUY, TT_VTIF_GTC, 6000002, 1000));
	/* 200 @ .02 filled, 800 rest */
	assert_int_equal(mx.ord[b - 1].cum, 200);
	assert_int_equal(mx.ord[b - 1].status, TT_VOS_PARTIALLY_FILLED);
	assert_true(mx.ord[b - 1].live);
	assert_int_equal(mx.nlive, 1);
}

static void test_fok_not_fillable_expires_without_touching_the_book(void **state)
{
	uint64_t id;
	uint64_t u0 = book->update_id;

	(void)state;
	/* 300 available up to .02; FOK for 301 */
	id = place_ok(limit(0, TT_VBUY, TT_VTIF_FOK, 6000002, 301));
	assert_int_equal(mx.ord[id - 1].status, TT_VOS_EXPIRED);
	assert_int_equal(mx.ord[id - 1].cum, 0);
	assert_int_equal(book->update_id, u0);
	assert_int_equal(mx.nfill, 0);
	id = place_ok(limit(0, TT_VBUY, TT_VTIF_FOK, 6000002, 300));
	assert_int_equal(mx.ord[id - 1].status, TT_VOS_FILLED);
}

static void test_limit_maker_that_would_take_is_rejected(void **state)
{
	struct tt_vreq r = limit(0, TT_VBUY, TT_VTIF_GTC, 6000001, 1000);
	uint64_t id;

	(void)state;
	r.type = TT_VOT_LIMIT_MAKER;
	assert_int_equal(place_err(r, "Order would immediately match and take."), -2010);
	assert_int_equal(mx.nord, 0);
	r.px_e8 = PX(6000000);
	id = place_ok(r);
	assert_true(mx.ord[id - 1].live);
	assert_int_equal(rec.n, 1);
}

static void test_filters_refuse_with_the_venues_codes(void **state)
{
	struct tt_vreq r;

	(void)state;
	r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 1000);
	r.px_e8 += 1; /* 50000.000000001: not on the 0.01 tick */
	assert_int_equal(place_err(r, "Filter failure: PRICE_FILTER"), -1013);
	r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 1000);
	r.qty_e8 += 1; /* off the 0.00001 step */
	assert_int_equal(place_err(r, "Filter failure: LOT_SIZE"), -1013);
	/* 50000.00 * 0.00009 = 4.5 < 5 */
	assert_int_equal(
	    place_err(limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 9), "Filter failure: NOTIONAL"),
	    -1013);
	/* 50000.00 * 0.00010 = 5.0 is fine */
	(void)place_ok(limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 10));
	r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 1000);
	r.type = TT_VOT_MARKET;
	assert_int_equal(place_err(r, "Parameter 'price' sent when not required."), -1106);
	r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 1000);
	r.px_e8 = -1;
	assert_int_equal(place_err(r, "Mandatory parameter 'price' was not sent, was "
				      "empty/null, or malformed."),
			 -1102);
	assert_int_equal(mx.nord, 1);
}

static void test_market_sell_walks_the_bids(void **state)
{
	struct tt_vreq r = limit(0, TT_VSELL, TT_VTIF_GTC, 0, 150000);
	uint64_t id;

	(void)state;
	r.type = TT_VOT_MARKET;
	r.px_e8 = -1;
	/* 100000 @ 59999.00 (level gone), 50000 @ 59998.00 */
	id = place_ok(r);
	assert_int_equal(mx.ord[id - 1].status, TT_VOS_FILLED);
	assert_int_equal(mx.ord[id - 1].cumq, 5999900LL * 100000 + 5999800LL * 50000);
	assert_int_equal(book->bid[idx(5999800)], 50000);
	assert_int_equal(book->best_bid, idx(5999800));
	assert_true(rec.s[0].tr[0].buyer_maker);
}

static void test_market_quote_order_spends_the_quote(void **state)
{
	struct tt_vreq r = limit(0, TT_VBUY, TT_VTIF_GTC, 0, 0);
	uint64_t id;

	(void)state;
	r.type = TT_VOT_MARKET;
	r.px_e8 = -1;
	r.qty_e8 = -1;
	r.quote_e8 = 100LL * 100000000; /* 100 USDT = 1e9 px*qty units (1e-7) */
	/* 100 @ 60000.01 = 600000100; the rest 399999900 buys 66 @ 60000.02 = 396000132;
	 * 3999768 left < one step: FILLED with origQty = executedQty = 166 */
	id = place_ok(r);
	assert_int_equal(mx.ord[id - 1].status, TT_VOS_FILLED);
	assert_int_equal(mx.ord[id - 1].cum, 166);
	assert_int_equal(mx.ord[id - 1].qty, 166);
	assert_int_equal(mx.ord[id - 1].cumq, 996000232);
	assert_int_equal(rec.o[rec.n - 1].status, TT_VOS_FILLED);
}

static void test_clients_trade_by_price_then_time_before_synthetic(void **state)
{
	uint64_t s1, s2, s3, t;

	(void)state;
	s1 = place_ok(limit(1, TT_VSELL, TT_VTIF_GTC, 6000002, 100)); /* .02, first */
	s2 = place_ok(limit(2, TT_VSELL, TT_VTIF_GTC, 6000002, 100)); /* .02, second */
	s3 = place_ok(limit(2, TT_VSELL, TT_VTIF_GTC, 6000001, 50));  /* .01, better */
	/* s3 crossed nothing (asks are sells) and rests */
	assert_int_equal(mx.nlive, 3);
	rec.n = 0;
	rec.ns = 0;
	/* buy 400 @ .02 from acct 3: at .01 client s3 (50) then synthetic (100); at .02 s1
	 * (100), s2 (100), then synthetic (50 of 200) */
	t = place_ok(limit(3, TT_VBUY, TT_VTIF_IOC, 6000002, 400));
	assert_int_equal(mx.ord[t - 1].cum, 400);
	assert_int_equal(mx.nfill, 8);
	assert_int_equal(mx.fill[0].order_id, s3);
	assert_true(mx.fill[0].maker);
	assert_int_equal(mx.fill[1].order_id, t);
	assert_int_equal(mx.fill[2].order_id, t); /* synthetic .01: taker only */
	assert_int_equal(mx.fill[2].qty, 100);
	assert_int_equal(mx.fill[3].order_id, s1);
	assert_int_equal(mx.fill[5].order_id, s2);
	assert_int_equal(mx.fill[7].px, 6000002);
	assert_int_equal(mx.fill[7].qty, 50);
	assert_int_equal(book->ask[idx(6000002)], 150);
	assert_int_equal(mx.ord[s1 - 1].status, TT_VOS_FILLED);
	assert_int_equal(mx.nlive, 0);
	/* client-vs-client trades are published as trades without a level change */
	assert_int_equal(rec.s[0].nchg, 0);
	assert_int_equal(rec.s[0].ntrades, 1);
}

static void test_self_trade_expires_the_maker_by_default(void **state)
{
	uint64_t mk, tk;

	(void)state;
	mk = place_ok(limit(1, TT_VSELL, TT_VTIF_GTC, 6000001, 100));
	tk = place_ok(limit(1, TT_VBUY, TT_VTIF_IOC, 6000001, 100));
	assert_int_equal(mx.ord[mk - 1].status, TT_VOS_EXPIRED_IN_MATCH);
	assert_int_equal(mx.ord[mk - 1].prevented_qty, 100);
	/* the taker went on to the synthetic level at the same price */
	assert_int_equal(mx.ord[tk - 1].status, TT_VOS_FILLED);
	assert_int_equal(mx.nfill, 1);
	{
		struct tt_vreq r = limit(1, TT_VSELL, TT_VTIF_GTC, 6000003, 100);
		uint64_t m2 = place_ok(r);

		r = limit(1, TT_VBUY, TT_VTIF_GTC, 6000003, 100);
		r.stp = TT_VSTP_EXPIRE_TAKER;
		/* synthetic .02 (200) is better than the own ask at .03: it fills there */
		tk = place_ok(r);
		assert_int_equal(mx.ord[tk - 1].status, TT_VOS_FILLED);
		assert_int_equal(mx.ord[m2 - 1].status, TT_VOS_NEW);
		r.qty_e8 = QTY(500);
		tk = place_ok(r);
		/* 100 left at .02 synthetic, then own ask at .03: taker expires */
		assert_int_equal(mx.ord[tk - 1].cum, 100);
		assert_int_equal(mx.ord[tk - 1].status, TT_VOS_EXPIRED_IN_MATCH);
		assert_int_equal(mx.ord[m2 - 1].status, TT_VOS_NEW);
	}
}

static void test_synthetic_trade_through_fills_resting_client_first(void **state)
{
	struct tt_vstep s;
	uint64_t bid, tid0;

	(void)state;
	bid = place_ok(limit(0, TT_VBUY, TT_VTIF_GTC, 5999950, 300)); /* above the synth bid */
	rec.ns = 0;
	tid0 = book->trade_id;
	memset(&s, 0, sizeof(s));
	/* a seller hits the synthetic bid at 59999.00 for 200: our 59999.50 bid fills first
	 * up to 200, at its own price, as maker */
	s.ntrades = 1;
	s.tr[0] = (struct tt_vtrade){.id = tid0, .px = 5999900, .qty = 200, .buyer_maker = true};
	tt_vmatch_on_step(&mx, 0, &s);
	assert_int_equal(mx.ord[bid - 1].cum, 200);
	assert_int_equal(mx.fill[0].px, 5999950);
	assert_true(mx.fill[0].maker);
	assert_int_equal(mx.fill[0].trade_id, tid0 + 1);
	assert_int_equal(rec.ns, 1);
	assert_int_equal(rec.s[0].tr[0].px, 5999950);
	/* a buyer lifting the ask does not touch a bid */
	s.tr[0].buyer_maker = false;
	s.tr[0].px = 6000001;
	tt_vmatch_on_step(&mx, 0, &s);
	assert_int_equal(mx.ord[bid - 1].cum, 200);
}

static void test_synthetic_book_crossing_a_client_order_fills_it(void **state)
{
	struct tt_vstep s;
	uint64_t bid;

	(void)state;
	bid = place_ok(limit(0, TT_VBUY, TT_VTIF_GTC, 6000000, 500));
	/* the random walk puts an ask of 300 at 59999.95, under our bid */
	book->ask[idx(5999995)] = 300;
	book->nask++;
	book->best_ask = idx(5999995);
	memset(&s, 0, sizeof(s));
	rec.ns = 0;
	tt_vmatch_on_step(&mx, 0, &s);
	/* 300 at our price 60000.00; the level is consumed; the next ask .01 is above */
	assert_int_equal(mx.ord[bid - 1].cum, 300);
	assert_int_equal(mx.fill[0].px, 6000000);
	assert_int_equal(book->ask[idx(5999995)], 0);
	assert_int_equal(book->best_ask, idx(6000001));
	assert_int_equal(rec.s[0].chg[0].qty, 0);
	assert_true(tt_vbook_check(book));
}

static void test_cancel_and_cancel_on_disconnect(void **state)
{
	const char *msg = "";
	uint64_t a, b;
	struct tt_vreq r;

	(void)state;
	a = place_ok(limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 100));
	r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 100);
	r.session = 7;
	b = place_ok(r);
	assert_int_equal(tt_vmatch_cancel(&mx, 1, a, &msg), -2011); /* not acct 1's */
	assert_int_equal(tt_vmatch_cancel(&mx, 0, a, &msg), 0);
	assert_int_equal(mx.ord[a - 1].status, TT_VOS_CANCELED);
	assert_int_equal(tt_vmatch_cancel(&mx, 0, a, &msg), -2011);
	assert_string_equal(msg, "Unknown order sent.");
	assert_int_equal(tt_vmatch_cancel_session(&mx, 7), 1);
	assert_int_equal(mx.ord[b - 1].status, TT_VOS_CANCELED);
	assert_int_equal(mx.nlive, 0);
	assert_ptr_equal(tt_vmatch_find(&mx, 0, 0, 0, mx.ord[b - 1].cid), &mx.ord[b - 1]);
}

static void test_client_order_id_is_unique_among_open_orders(void **state)
{
	struct tt_vreq r = limit(0, TT_VBUY, TT_VTIF_GTC, 5000000, 100);
	const char *msg = "";
	uint64_t a;

	(void)state;
	r.cid = "dup-1";
	a = place_ok(r);
	assert_int_equal(place_err(r, "Duplicate order sent."), -2010);
	r.acct = 1; /* another account may use it */
	(void)place_ok(r);
	r.acct = 0;
	assert_int_equal(tt_vmatch_cancel(&mx, 0, a, &msg), 0);
	(void)place_ok(r); /* free again once the order is done */
}

/* Same seed, same orders between the same steps: identical fills and books. */
static void test_deterministic_for_a_seed(void **state)
{
	struct tt_vsym_cfg cfg;
	struct tt_vbook *bk[2];
	struct tt_vmatch m2[2];

	(void)state;
	assert_int_equal(tt_vsym_builtin("BTCUSDT", &cfg), 0);
	for (int k = 0; k < 2; k++) {
		bk[k] = malloc(sizeof(struct tt_vbook));
		assert_non_null(bk[k]);
		assert_int_equal(tt_vbook_init(bk[k], &cfg, 99), 0);
		assert_int_equal(tt_vmatch_init(&m2[k], &bk[k], 1, 4096, 1 << 16), 0);
	}
	for (int i = 0; i < 3000; i++) {
		for (int k = 0; k < 2; k++) {
			struct tt_vstep s;
			struct tt_vbook *b = bk[k];

			tt_vbook_step(b, &s);
			tt_vmatch_on_step(&m2[k], 0, &s);
			if (i % 7 == 0) {
				struct tt_vreq r = {
				    .sym = 0,
				    .acct = i % 3,
				    .side = (uint8_t)(i % 2),
				    .type = TT_VOT_LIMIT,
				    .tif = (uint8_t)(i % 3 == 0 ? TT_VTIF_IOC : TT_VTIF_GTC),
				    .stp = TT_VSTP_EXPIRE_MAKER,
				    .quote_e8 = -1};
				int64_t mid =
				    (tt_vbook_px(b, b->best_bid) + tt_vbook_px(b, b->best_ask)) / 2;
				uint64_t id;
				const char *msg;

				r.px_e8 = (mid + (i % 2 ? -2 : 2) - (i % 5)) * 1000000;
				r.qty_e8 = (int64_t)(100 + i % 400) * 1000;
				int rc = tt_vmatch_place(&m2[k], &r, &id, &msg);

				assert_true(rc == 0 || rc == -1013);
			}
			assert_true(tt_vbook_check(b));
		}
	}
	assert_true(m2[0].nfill > 0);
	assert_int_equal(m2[0].nfill, m2[1].nfill);
	assert_memory_equal(m2[0].fill, m2[1].fill, m2[0].nfill * sizeof(struct tt_vfill));
	assert_memory_equal(bk[0]->ask, bk[1]->ask, sizeof(bk[0]->ask));
	for (int k = 0; k < 2; k++) {
		tt_vmatch_fini(&m2[k]);
		free(bk[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_ioc_buy_sweeps_two_synthetic_levels_and_publishes_them, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ioc_remainder_expires_and_gtc_remainder_rests,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fok_not_fillable_expires_without_touching_the_book,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limit_maker_that_would_take_is_rejected, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_filters_refuse_with_the_venues_codes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_market_sell_walks_the_bids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_market_quote_order_spends_the_quote, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_clients_trade_by_price_then_time_before_synthetic,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_self_trade_expires_the_maker_by_default, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_synthetic_trade_through_fills_resting_client_first,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_synthetic_book_crossing_a_client_order_fills_it,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_and_cancel_on_disconnect, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_order_id_is_unique_among_open_orders, setup,
					    teardown),
	    cmocka_unit_test(test_deterministic_for_a_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
