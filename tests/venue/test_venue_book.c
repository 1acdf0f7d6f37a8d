/*
 * test_venue_book.c — tt-venue's book and random walk: determinism for a seed, update ids
 * consecutive, never crossed, qty 0 removes, trades consistent with the book, and a diff
 * model (apply each step's absolute level changes to a copy) that must rebuild the book.
 * TT_VENUE_STEPS sets the step count (default 20000); the seed is printed.
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

static int steps(void)
{
	const char *e = getenv("TT_VENUE_STEPS");

	return e && atoi(e) > 0 ? atoi(e) : 20000;
}

static struct tt_vbook *new_book(const char *sym, uint64_t seed)
{
	struct tt_vsym_cfg cfg;
	struct tt_vbook *b = malloc(sizeof(*b));

	assert_non_null(b);
	assert_int_equal(tt_vsym_builtin(sym, &cfg), 0);
	assert_int_equal(tt_vbook_init(b, &cfg, seed), 0);
	return b;
}

static void test_same_seed_gives_identical_books_and_steps(void **state)
{
	struct tt_vbook *a = new_book("BTCUSDT", 42);
	struct tt_vbook *b = new_book("BTCUSDT", 42);
	struct tt_vstep sa;
	struct tt_vstep sb;

	assert_memory_equal(a, b, sizeof(*a));
	for (int i = 0; i < steps(); i++) {
		tt_vbook_step(a, &sa);
		tt_vbook_step(b, &sb);
		assert_int_equal(sa.nchg, sb.nchg);
		for (int k = 0; k < sa.nchg; k++) {
			assert_int_equal(sa.chg[k].side, sb.chg[k].side);
			assert_int_equal(sa.chg[k].idx, sb.chg[k].idx);
			assert_int_equal(sa.chg[k].qty, sb.chg[k].qty);
		}
		assert_int_equal(sa.ntrades, sb.ntrades);
	}
	assert_memory_equal(a, b, sizeof(*a));
	free(a);
	free(b);
}

static void test_different_seeds_give_different_books(void **state)
{
	struct tt_vbook *a = new_book("BTCUSDT", 1);
	struct tt_vbook *b = new_book("BTCUSDT", 2);

	assert_true(memcmp(a->bid, b->bid, sizeof(a->bid)) != 0);
	free(a);
	free(b);
}

static void test_initial_book_is_sound_with_depth_between_limits(void **state)
{
	struct tt_vbook *b = new_book("ETHUSDT", 7);

	assert_true(tt_vbook_check(b));
	assert_true(b->nbid >= b->cfg.min_levels && b->nbid <= b->cfg.max_levels);
	assert_true(b->nask >= b->cfg.min_levels && b->nask <= b->cfg.max_levels);
	assert_int_equal(b->update_id, 1);
	free(b);
}

static void test_steps_keep_book_uncrossed_ids_consecutive_depth_bounded(void **state)
{
	uint64_t seed = 0xc0ffee;
	struct tt_vbook *b = new_book("BTCUSDT", seed);
	struct tt_vstep s;
	uint64_t id = b->update_id;

	print_message("seed %llu\n", (unsigned long long)seed);
	for (int i = 0; i < steps(); i++) {
		tt_vbook_step(b, &s);
		assert_int_equal(s.update_id, id + 1);
		assert_int_equal(b->update_id, s.update_id);
		id = s.update_id;
		assert_true(s.nchg >= 1);
		assert_true(b->best_bid >= 0 && b->best_ask < TT_VBOOK_TICKS);
		assert_true(b->best_bid < b->best_ask);
		assert_true(b->nbid >= b->cfg.min_levels - 2 && b->nbid <= b->cfg.max_levels + 2);
		assert_true(b->nask >= b->cfg.min_levels - 2 && b->nask <= b->cfg.max_levels + 2);
		if (i % 97 == 0)
			assert_true(tt_vbook_check(b));
	}
	assert_true(tt_vbook_check(b));
	free(b);
}

static void test_qty_zero_removes_the_level(void **state)
{
	struct tt_vbook *b = new_book("BTCUSDT", 3);
	struct tt_vstep s;
	int removed = 0;

	for (int i = 0; i < steps() && removed < 50; i++) {
		int nb = b->nbid;
		int na = b->nask;

		tt_vbook_step(b, &s);
		if (s.nchg == 1 && s.chg[0].qty == 0) {
			int32_t idx = s.chg[0].idx;

			if (s.chg[0].side == 0) {
				assert_int_equal(b->bid[idx], 0);
				assert_int_equal(b->nbid, nb - 1);
			} else {
				assert_int_equal(b->ask[idx], 0);
				assert_int_equal(b->nask, na - 1);
			}
			removed++;
		}
	}
	assert_true(removed > 0);
	free(b);
}

static void test_trades_happen_at_the_best_and_never_exceed_it(void **state)
{
	struct tt_vbook *b = new_book("SOLUSDT", 11);
	struct tt_vbook *prev = malloc(sizeof(*prev));
	struct tt_vstep s;
	int trades = 0;
	uint64_t tid = 0;

	for (int i = 0; i < steps(); i++) {
		memcpy(prev, b, sizeof(*b));
		tt_vbook_step(b, &s);
		for (int k = 0; k < s.ntrades; k++) {
			const struct tt_vtrade *t = &s.tr[k];

			assert_int_equal(t->id, ++tid);
			assert_true(t->qty > 0);
			if (k == 0) {
				/* The first trade of a step hits the best before the step. */
				int32_t idx = t->buyer_maker ? prev->best_bid : prev->best_ask;
				int64_t have = t->buyer_maker ? prev->bid[idx] : prev->ask[idx];

				assert_int_equal(t->px, tt_vbook_px(prev, idx));
				assert_true(t->qty <= have);
			}
			trades++;
		}
	}
	assert_true(trades > steps() / 20);
	free(prev);
	free(b);
}

/* The depth-diff contract: absolute quantities per level, applied in order, rebuild the book. */
static void test_applying_step_changes_to_a_copy_rebuilds_the_book(void **state)
{
	struct tt_vbook *b = new_book("BNBUSDT", 99);
	int64_t *bid = malloc(sizeof(b->bid));
	int64_t *ask = malloc(sizeof(b->ask));
	struct tt_vstep s;

	memcpy(bid, b->bid, sizeof(b->bid));
	memcpy(ask, b->ask, sizeof(b->ask));
	for (int i = 0; i < steps(); i++) {
		tt_vbook_step(b, &s);
		for (int k = 0; k < s.nchg; k++)
			(s.chg[k].side ? ask : bid)[s.chg[k].idx] = s.chg[k].qty;
	}
	assert_memory_equal(bid, b->bid, sizeof(b->bid));
	assert_memory_equal(ask, b->ask, sizeof(b->ask));
	free(bid);
	free(ask);
	free(b);
}

static void test_init_rejects_bad_config(void **state)
{
	struct tt_vsym_cfg cfg;
	struct tt_vbook *b = malloc(sizeof(*b));

	assert_int_equal(tt_vsym_builtin("NOPE", &cfg), -ENOENT);
	assert_int_equal(tt_vsym_builtin("BTCUSDT", &cfg), 0);
	cfg.max_levels = cfg.min_levels - 1;
	assert_int_equal(tt_vbook_init(b, &cfg, 1), -EINVAL);
	assert_int_equal(tt_vsym_builtin("BTCUSDT", &cfg), 0);
	cfg.print_dec = 1;
	assert_int_equal(tt_vbook_init(b, &cfg, 1), -EINVAL);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_seed_gives_identical_books_and_steps),
	    cmocka_unit_test(test_different_seeds_give_different_books),
	    cmocka_unit_test(test_initial_book_is_sound_with_depth_between_limits),
	    cmocka_unit_test(test_steps_keep_book_uncrossed_ids_consecutive_depth_bounded),
	    cmocka_unit_test(test_qty_zero_removes_the_level),
	    cmocka_unit_test(test_trades_happen_at_the_best_and_never_exceed_it),
	    cmocka_unit_test(test_applying_step_changes_to_a_copy_rebuilds_the_book),
	    cmocka_unit_test(test_init_rejects_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
