/*
 * test_venue_w2w.c — tt-venue's wire-to-wire bookkeeping (harness/venue/src/w2w.c): which
 * update id a frame carries, the per-symbol tick table, and the order → tick pairing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "venue_int.h"

static uint64_t uid_of(const char *s)
{
	return tt_vw2w_frame_uid((const uint8_t *)s, (uint32_t)strlen(s));
}

static void test_frame_uid_reads_u_of_book_ticker_and_depth_not_big_u(void **state)
{
	assert_int_equal(uid_of("{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35\"}"), 400900217);
	assert_int_equal(uid_of("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BNBBTC\",\"U\":157,"
				"\"u\":160,\"b\":[]}"),
			 160);
	assert_int_equal(uid_of("{\"e\":\"trade\",\"t\":12345}"), 0);
	assert_int_equal(uid_of("{\"u\":\"x\"}"), 0);
	assert_int_equal(uid_of("{\"u\":99999999999999999999999}"), 0); /* > 64 bits */
	assert_int_equal(uid_of("{\"u\":"), 0);
	assert_int_equal(uid_of(""), 0);
	(void)state;
}

static void test_order_pairs_with_its_symbols_first_write_of_the_update(void **state)
{
	char out[512];

	tt_vw2w_reset();
	tt_vw2w_tick(0, 887, 1000, 1);
	tt_vw2w_tick(0, 887, 1500, 2); /* the same update to a second client: first wins */
	tt_vw2w_tick(1, 887, 2000, 3); /* another book's update 887 */
	assert_int_equal(tt_vw2w_order(0, 887, 5000), 4000);
	assert_int_equal(tt_vw2w_order(1, 887, 5000), 3000);
	assert_int_equal(tt_vw2w_order(1, 888, 5000), -ENOENT); /* never written */
	assert_int_equal(tt_vw2w_order(0, 0, 5000), -ENOENT);	/* no cause */
	assert_int_equal(tt_vw2w_order(9, 887, 5000), -ENOENT); /* no such symbol */
	assert_int_equal(tt_vw2w_order(0, 887, 500), -ENOENT);	/* read before written */
	tt_vw2w_summary(out, sizeof(out));
	assert_non_null(strstr(out, "\"count\":2,"));
	assert_non_null(strstr(out, "\"max_ns\":4000,"));
	assert_non_null(strstr(out, "\"unmatched\":4,"));
	assert_non_null(strstr(out, "\"ticks\":2}"));
	(void)state;
}

static void test_cause_matches_low_32_bits_and_overwritten_ticks_are_unmatched(void **state)
{
	uint64_t big = 0x500000000ull + 77;

	tt_vw2w_reset();
	tt_vw2w_tick(2, big, 100, 0);
	assert_int_equal(tt_vw2w_order(2, 77, 150), 50); /* tt-oe sends the low 32 bits */
	/* an update one table-length later takes the slot: the old cause is gone */
	for (uint64_t u = big + 1; u <= big + 70000; u++)
		tt_vw2w_tick(2, u, 200, 0);
	assert_int_equal(tt_vw2w_order(2, 77, 300), -ENOENT);
	assert_int_equal(tt_vw2w_order(2, (uint32_t)(big + 70000), 300), 100);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frame_uid_reads_u_of_book_ticker_and_depth_not_big_u),
	    cmocka_unit_test(test_order_pairs_with_its_symbols_first_write_of_the_update),
	    cmocka_unit_test(test_cause_matches_low_32_bits_and_overwritten_ticks_are_unmatched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
