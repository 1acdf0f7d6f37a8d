/*
 * test_book.c — the bounded L2 book (tt_book.h): basic operations, the drop-worst rule at
 * depth, crossing detection, the checker catching corruption, and a property test of
 * thousands of random operations against a plain model (unsorted array, linear scans)
 * with tt_book_check() after every step. The seed is printed; TT_TEST_SEED replays it,
 * TT_TEST_ITERS runs longer.
 */
#include "tt_book.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DEPTH 8
static struct tt_book_level store[2 * (2 * 1000 + 1)];

static void test_set_best_count_and_remove(void **st)
{
	struct tt_book b;
	tt_px_t px;
	tt_qty_t q;

	(void)st;
	assert_int_equal(tt_book_init(&b, store, DEPTH), 0);
	assert_true(tt_book_check(&b));
	assert_false(tt_book_best(&b, TT_SIDE_BUY, &px, &q));
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100, 5), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 102, 6), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 101, 7), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 105, 1), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 103, 2), 0);
	assert_true(tt_book_check(&b));
	assert_true(tt_book_best(&b, TT_SIDE_BUY, &px, &q));
	assert_int_equal(px, 102);
	assert_int_equal(q, 6);
	assert_true(tt_book_best(&b, TT_SIDE_SELL, &px, &q));
	assert_int_equal(px, 103);
	assert_int_equal(q, 2);
	assert_int_equal(tt_book_count(&b, TT_SIDE_BUY), 3);
	assert_int_equal(tt_book_count(&b, TT_SIDE_SELL), 2);
	assert_true(tt_book_level_at(&b, TT_SIDE_BUY, 2, &px, &q));
	assert_int_equal(px, 100);
	assert_false(tt_book_level_at(&b, TT_SIDE_BUY, 3, &px, &q));
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_SELL, 105), 1);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_SELL, 104), 0);
	/* absolute update, then remove, then remove an absent level (no-op) */
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 101, 9), 0);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_BUY, 101), 9);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 102, 0), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 99, 0), 0);
	assert_int_equal(tt_book_count(&b, TT_SIDE_BUY), 2);
	assert_true(tt_book_best(&b, TT_SIDE_BUY, &px, &q));
	assert_int_equal(px, 101);
	assert_true(tt_book_check(&b));
	tt_book_clear(&b);
	assert_int_equal(tt_book_count(&b, TT_SIDE_BUY), 0);
	assert_int_equal(tt_book_count(&b, TT_SIDE_SELL), 0);
	assert_true(tt_book_check(&b));
}

static void test_set_refuses_bad_input_and_leaves_book_unchanged(void **st)
{
	struct tt_book b;

	(void)st;
	assert_int_equal(tt_book_init(&b, store, 0), -EINVAL);
	assert_int_equal(tt_book_init(&b, NULL, 4), -EINVAL);
	assert_int_equal(tt_book_init(&b, store, DEPTH), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100, 1), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 0, 1), -EINVAL);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, -5, 1), -EINVAL);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100, -1), -EINVAL);
	assert_int_equal(tt_book_set(&b, 2, 100, 1), -EINVAL);
	assert_int_equal(tt_book_count(&b, TT_SIDE_BUY), 1);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_BUY, 100), 1);
	assert_true(tt_book_check(&b));
}

static void test_full_side_drops_the_worst_level_and_counts_it(void **st)
{
	struct tt_book b;
	tt_px_t px;
	tt_qty_t q;
	int i;

	(void)st;
	assert_int_equal(tt_book_init(&b, store, 3), 0);
	for (i = 1; i <= 3; i++)
		assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100 + i, 1), 0);
	assert_int_equal(b.dropped, 0);
	/* better than all: 101 (worst bid) goes */
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 110, 1), 0);
	assert_int_equal(b.dropped, 1);
	assert_int_equal(tt_book_count(&b, TT_SIDE_BUY), 3);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_BUY, 101), 0);
	/* worse than all: itself dropped */
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 50, 1), 0);
	assert_int_equal(b.dropped, 2);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_BUY, 50), 0);
	assert_true(tt_book_level_at(&b, TT_SIDE_BUY, 2, &px, &q));
	assert_int_equal(px, 102);
	/* asks: the worst is the highest */
	for (i = 1; i <= 3; i++)
		assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 200 + i, 1), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 199, 1), 0);
	assert_int_equal(tt_book_qty_at(&b, TT_SIDE_SELL, 203), 0);
	assert_true(tt_book_best(&b, TT_SIDE_SELL, &px, &q));
	assert_int_equal(px, 199);
	assert_int_equal(b.dropped, 3);
	assert_true(tt_book_check(&b));
}

static void test_crossed_book_is_detected_and_fails_the_checker(void **st)
{
	struct tt_book b;

	(void)st;
	assert_int_equal(tt_book_init(&b, store, DEPTH), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100, 1), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 101, 1), 0);
	assert_false(tt_book_is_crossed(&b));
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 100, 1), 0); /* locked = crossed */
	assert_true(tt_book_is_crossed(&b));
	assert_false(tt_book_check(&b));
	assert_int_equal(tt_book_set(&b, TT_SIDE_SELL, 100, 0), 0);
	assert_true(tt_book_check(&b));
}

static void test_checker_catches_corrupted_storage(void **st)
{
	struct tt_book b;
	struct tt_book_side *s;

	(void)st;
	assert_int_equal(tt_book_init(&b, store, DEPTH), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 100, 1), 0);
	assert_int_equal(tt_book_set(&b, TT_SIDE_BUY, 101, 1), 0);
	s = &b.side[TT_SIDE_BUY];
	s->lv[s->lo].px = 101; /* duplicate */
	assert_false(tt_book_check(&b));
	s->lv[s->lo].px = 102; /* unsorted */
	assert_false(tt_book_check(&b));
	s->lv[s->lo].px = 100;
	s->lv[s->lo].qty = 0; /* zero qty */
	assert_false(tt_book_check(&b));
	s->lv[s->lo].qty = 1;
	assert_true(tt_book_check(&b));
	s->n = DEPTH + 1; /* over depth */
	assert_false(tt_book_check(&b));
}

/* ---- property test against a model ---- */

struct model {
	tt_px_t px[2][1100];
	tt_qty_t qty[2][1100];
	unsigned n[2];
	uint64_t dropped;
};

/* "better" on side: bids higher, asks lower. */
static int better(unsigned side, tt_px_t a, tt_px_t b)
{
	return side == TT_SIDE_BUY ? a > b : a < b;
}

static void model_set(struct model *m, unsigned side, tt_px_t px, tt_qty_t q, unsigned depth)
{
	unsigned i, worst = 0;

	for (i = 0; i < m->n[side]; i++) {
		if (m->px[side][i] == px) {
			if (q > 0) {
				m->qty[side][i] = q;
			} else {
				m->n[side]--;
				m->px[side][i] = m->px[side][m->n[side]];
				m->qty[side][i] = m->qty[side][m->n[side]];
			}
			return;
		}
	}
	if (q == 0)
		return;
	if (m->n[side] == depth) {
		for (i = 1; i < m->n[side]; i++)
			if (better(side, m->px[side][worst], m->px[side][i]))
				worst = i;
		m->dropped++;
		if (better(side, m->px[side][worst], px))
			return; /* the new one is the worst */
		m->px[side][worst] = px;
		m->qty[side][worst] = q;
		return;
	}
	m->px[side][m->n[side]] = px;
	m->qty[side][m->n[side]] = q;
	m->n[side]++;
}

/* The i-th best of the model (selection by counting). */
static void model_check(const struct model *m, const struct tt_book *b, uint64_t seed, long step)
{
	unsigned side, i, j;

	for (side = 0; side < 2; side++) {
		if (tt_book_count(b, side) != m->n[side])
			fail_msg("seed %" PRIu64 " step %ld: side %u count %u != model %u", seed,
				 step, side, tt_book_count(b, side), m->n[side]);
		for (i = 0; i < m->n[side]; i++) {
			unsigned rank = 0;
			tt_px_t px;
			tt_qty_t q;

			for (j = 0; j < m->n[side]; j++)
				if (better(side, m->px[side][j], m->px[side][i]))
					rank++;
			assert_true(tt_book_level_at(b, side, rank, &px, &q));
			if (px != m->px[side][i] || q != m->qty[side][i])
				fail_msg("seed %" PRIu64 " step %ld: side %u rank %u", seed, step,
					 side, rank);
		}
	}
	if (b->dropped != m->dropped)
		fail_msg("seed %" PRIu64 " step %ld: dropped %" PRIu64 " != %" PRIu64, seed, step,
			 b->dropped, m->dropped);
}

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static void run_property(uint64_t seed, long iters, unsigned depth, tt_px_t spread)
{
	static struct model m;
	struct tt_book b;
	long i;

	memset(&m, 0, sizeof(m));
	rs = seed ? seed : 1;
	assert_int_equal(tt_book_init(&b, store, depth), 0);
	for (i = 0; i < iters; i++) {
		unsigned side = (unsigned)(rnd() & 1);
		/* bids below 100000, asks from 100000 up: never crossed;
		 * biased to the top like a real feed */
		tt_px_t off = (tt_px_t)(rnd() % 4 ? rnd() % (uint64_t)(spread / 8 + 1)
						  : rnd() % (uint64_t)spread);
		tt_px_t px = side == TT_SIDE_BUY ? 99999 - off : 100000 + off;
		tt_qty_t q = rnd() % 3 == 0 ? 0 : (tt_qty_t)(rnd() % 1000 + 1);

		assert_int_equal(tt_book_set(&b, side, px, q), 0);
		model_set(&m, side, px, q, depth);
		if (!tt_book_check(&b))
			fail_msg("seed %" PRIu64 " step %ld: tt_book_check failed", seed, i);
		if (depth <= 64 || i % 97 == 0)
			model_check(&m, &b, seed, i);
	}
	model_check(&m, &b, seed, iters);
}

static void test_random_ops_match_a_plain_model(void **st)
{
	const char *e_seed = getenv("TT_TEST_SEED");
	const char *e_iters = getenv("TT_TEST_ITERS");
	uint64_t seed = e_seed ? strtoull(e_seed, NULL, 0) : 0xb00c5eedULL;
	long iters = e_iters ? atol(e_iters) : 20000;

	(void)st;
	printf("# seed %" PRIu64 " iters %ld (TT_TEST_SEED, TT_TEST_ITERS)\n", seed, iters);
	run_property(seed, iters, 1, 10);     /* depth 1: every insert decides a drop */
	run_property(seed + 1, iters, 8, 40); /* small depth, lots of dropping */
	run_property(seed + 2, iters, 64, 100);
	run_property(seed + 3, iters, 1000, 3000); /* production depth */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_best_count_and_remove),
	    cmocka_unit_test(test_set_refuses_bad_input_and_leaves_book_unchanged),
	    cmocka_unit_test(test_full_side_drops_the_worst_level_and_counts_it),
	    cmocka_unit_test(test_crossed_book_is_detected_and_fails_the_checker),
	    cmocka_unit_test(test_checker_catches_corrupted_storage),
	    cmocka_unit_test(test_random_ops_match_a_plain_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
