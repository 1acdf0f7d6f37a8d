/*
 * test_order.c — order state machine: lifecycle, out-of-order and duplicate reports,
 * late fills after cancel, unknown ids, and a random-operation property test against a
 * plain model with the table checker run after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tt_order.h"

static struct tt_order storage[1024];
static struct tt_order_table T;

static struct tt_msg_order intent(uint64_t id, tt_qty_t qty)
{
	struct tt_msg_order m;

	memset(&m, 0, sizeof(m));
	m.cl_ord_id = id;
	m.qty = qty;
	m.px = 100;
	m.h.instr = 1;
	return m;
}

static int setup(void **state)
{
	assert_int_equal(tt_order_table_init(&T, storage, 1024), 0);
	(void)state;
	return 0;
}

static void test_lifecycle_new_sent_acked_partial_filled(void **state)
{
	struct tt_msg_order m = intent(1, 10);
	struct tt_fill f;

	assert_int_equal(tt_order_add(&T, &m), 0);
	assert_int_equal(tt_order_add(&T, &m), -EEXIST);
	assert_int_equal(tt_order_sent(&T, 1), 0);
	assert_int_equal(tt_order_acked(&T, 1, 555), 0);
	assert_int_equal(tt_order_exec(&T, 1, 4, 100, &f), 1);
	assert_int_equal(f.last_qty, 4);
	assert_int_equal(tt_order_find(&T, 1)->state, TT_OS_PARTIAL);
	assert_int_equal(tt_order_exec(&T, 1, 10, 101, &f), 1);
	assert_int_equal(f.last_qty, 6);
	assert_int_equal(tt_order_find(&T, 1)->state, TT_OS_FILLED);
	assert_int_equal(T.open, 0);
	assert_true(tt_order_table_check(&T));
	(void)state;
}

static void test_duplicate_and_skipped_fills_by_cumulative_qty(void **state)
{
	struct tt_msg_order m = intent(2, 10);
	struct tt_fill f;

	assert_int_equal(tt_order_add(&T, &m), 0);
	assert_int_equal(tt_order_sent(&T, 2), 0);
	/* fill before ack (reports can arrive in either order) */
	assert_int_equal(tt_order_exec(&T, 2, 3, 100, &f), 1);
	assert_int_equal(tt_order_acked(&T, 2, 9), 0);
	assert_int_equal(tt_order_find(&T, 2)->state, TT_OS_PARTIAL);
	/* duplicate report: ignored, counted */
	assert_int_equal(tt_order_exec(&T, 2, 3, 100, &f), 0);
	assert_int_equal(T.st.dup_fills, 1);
	/* a report was lost: cum jumps 3 → 8, the missing 5 are applied */
	assert_int_equal(tt_order_exec(&T, 2, 8, 100, &f), 1);
	assert_int_equal(f.last_qty, 5);
	/* over-fill is a protocol error, not applied */
	assert_int_equal(tt_order_exec(&T, 2, 11, 100, &f), -EINVAL);
	assert_int_equal(tt_order_find(&T, 2)->cum_qty, 8);
	assert_true(tt_order_table_check(&T));
	(void)state;
}

static void test_fill_after_cancel_is_applied_as_late(void **state)
{
	struct tt_msg_order m = intent(3, 10);
	struct tt_fill f;

	assert_int_equal(tt_order_add(&T, &m), 0);
	assert_int_equal(tt_order_sent(&T, 3), 0);
	assert_int_equal(tt_order_acked(&T, 3, 1), 0);
	assert_int_equal(tt_order_cancel_sent(&T, 3), 0);
	assert_int_equal(tt_order_done(&T, 3, TT_OS_CANCELED), 10);
	assert_int_equal(tt_order_exec(&T, 3, 2, 100, &f), 1);
	assert_true(f.late);
	assert_int_equal(T.st.late_fills, 1);
	assert_int_equal(tt_order_find(&T, 3)->state, TT_OS_CANCELED);
	assert_true(tt_order_table_check(&T));
	(void)state;
}

static void test_unknown_ids_and_bad_transitions_are_counted(void **state)
{
	struct tt_msg_order m = intent(4, 10);
	struct tt_fill f;

	assert_int_equal(tt_order_exec(&T, 999, 1, 1, &f), -ENOENT);
	assert_int_equal(tt_order_acked(&T, 999, 1), -ENOENT);
	assert_int_equal(T.st.unknown_reports, 2);
	assert_int_equal(tt_order_add(&T, &m), 0);
	assert_int_equal(tt_order_cancel_sent(&T, 4), -EINVAL); /* not sent yet */
	assert_int_equal(tt_order_done(&T, 4, TT_OS_REJECTED), 10);
	assert_int_equal(tt_order_done(&T, 4, TT_OS_CANCELED), -EINVAL); /* already terminal */
	assert_int_equal(tt_order_exec(&T, 4, 1, 1, &f), -EINVAL);	  /* rejected: no fills */
	assert_int_equal(T.st.bad_transitions, 3);
	assert_int_equal(tt_order_retire(&T, 4), 0);
	assert_null(tt_order_find(&T, 4));
	assert_true(tt_order_table_check(&T));
	(void)state;
}

/* Model: per id, qty, cum, open flag. Random ops; the table must agree after each. */
static void test_random_operations_match_model(void **state)
{
	enum { N = 300 };
	struct { tt_qty_t qty, cum; int st; } model[N];
	unsigned seed = (unsigned)time(NULL);
	uint64_t total_model = 0, total_table = 0;

	printf("seed %u\n", seed);
	srand(seed);
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 20000; step++) {
		uint64_t id = 1 + (uint64_t)(rand() % N);
		struct tt_order *o = tt_order_find(&T, id);
		struct tt_fill f;
		int op = rand() % 6;

		if (!o) {
			if (T.live < 700) {
				struct tt_msg_order m = intent(id, 1 + rand() % 50);

				assert_int_equal(tt_order_add(&T, &m), 0);
				assert_int_equal(tt_order_sent(&T, id), 0);
				model[id - 1].qty = m.qty;
				model[id - 1].cum = 0;
				model[id - 1].st = 1;
			}
		} else if (op <= 2) {
			tt_qty_t cum = model[id - 1].cum + rand() % 5;
			int rc;

			if (cum > model[id - 1].qty)
				cum = model[id - 1].qty;
			rc = tt_order_exec(&T, id, cum, 100, &f);
			if (model[id - 1].st == 2 /* rejected */) {
				assert_true(rc <= 0);
			} else if (cum > model[id - 1].cum) {
				assert_int_equal(rc, 1);
				assert_int_equal(f.last_qty, cum - model[id - 1].cum);
				total_table += (uint64_t)f.last_qty;
				total_model += (uint64_t)(cum - model[id - 1].cum);
				model[id - 1].cum = cum;
			} else {
				assert_int_equal(rc, 0);
			}
		} else if (op == 3) {
			int64_t r = tt_order_done(&T, id, TT_OS_CANCELED);

			if (tt_order_is_open(o) || r >= 0)
				assert_int_equal(r, model[id - 1].qty - model[id - 1].cum);
		} else if (op == 4 && !tt_order_is_open(o)) {
			assert_int_equal(tt_order_retire(&T, id), 0);
		} else if (op == 5) {
			int64_t r = tt_order_done(&T, id, TT_OS_REJECTED);

			if (r >= 0)
				model[id - 1].st = 2;
		}
		assert_true(tt_order_table_check(&T));
	}
	assert_int_equal(total_table, total_model);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lifecycle_new_sent_acked_partial_filled, setup),
		cmocka_unit_test_setup(test_duplicate_and_skipped_fills_by_cumulative_qty, setup),
		cmocka_unit_test_setup(test_fill_after_cancel_is_applied_as_late, setup),
		cmocka_unit_test_setup(test_unknown_ids_and_bad_transitions_are_counted, setup),
		cmocka_unit_test_setup(test_random_operations_match_model, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
