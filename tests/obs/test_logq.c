/*
 * test_logq.c — tt_logq.h on real client order ids: ids past 2^53 (tt-strat's and tt-oe's
 * are ~7.7e18) match exactly, not their neighbours that the same double would round to,
 * and the human printer shows their digits, not 7.7e+18.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tt_logq.h"

static const char line43[] =
    "{\"ts\":\"2026-11-23T22:52:46.457456572Z\",\"level\":\"info\",\"env\":\"testnet\","
    "\"proc\":\"tt-oe\",\"pid\":13690,\"event\":\"order_sent\",\"order_id\":7711503678481367043,"
    "\"instrument\":1,\"px\":59999.93000000,\"t2t_ns\":139408}";

static void test_big_order_ids_match_exactly_not_their_neighbours(void **st)
{
	struct tt_logq q = {.order = "7711503678481367043"};
	int64_t ts;

	(void)st;
	assert_true(tt_logq_match(&q, line43, &ts));
	q.order = "7711503678481367044"; /* same double as ...043 */
	assert_false(tt_logq_match(&q, line43, &ts));
	q.order = "771150367848136704"; /* a prefix */
	assert_false(tt_logq_match(&q, line43, &ts));
	q.order = "17";
	assert_false(tt_logq_match(&q, line43, &ts));
}

static void test_small_and_string_order_ids_still_match(void **st)
{
	struct tt_logq q = {.order = "17"};
	int64_t ts;

	(void)st;
	assert_true(tt_logq_match(
	    &q, "{\"ts\":\"2026-11-23T00:00:00Z\",\"level\":\"info\",\"order_id\":17}", &ts));
	assert_true(tt_logq_match(
	    &q, "{\"ts\":\"2026-11-23T00:00:00Z\",\"level\":\"info\",\"order_id\":\"17\"}", &ts));
	assert_false(tt_logq_match(
	    &q, "{\"ts\":\"2026-11-23T00:00:00Z\",\"level\":\"info\",\"order_id\":171}", &ts));
}

static void test_human_print_keeps_the_digits_of_big_integers(void **st)
{
	char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)st;
	assert_non_null(f);
	tt_logq_print_human(f, line43);
	fclose(f);
	assert_non_null(strstr(buf, " order_id=7711503678481367043 "));
	assert_non_null(strstr(buf, " px=59999.93000000 "));
	assert_null(strstr(buf, "e+18"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_big_order_ids_match_exactly_not_their_neighbours),
	    cmocka_unit_test(test_small_and_string_order_ids_still_match),
	    cmocka_unit_test(test_human_print_keeps_the_digits_of_big_integers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
