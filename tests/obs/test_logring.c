/*
 * test_logring.c — the binary hot-path log (tt_log.h tt_logh, tt_logring.h): records land in
 * the thread's lossy shm ring with the catalogue's id and level, a full ring drops and
 * counts, a thread without a ring gets JSON at once, and the writer-side formatter turns a
 * record into the catalogue's typed JSON fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tt_clock.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_ring.h"

static char inst[32];

static void ring_name(char *out, size_t cap)
{
	assert_int_equal(tt_logring_name(out, cap, inst, "tt-test", 0), 0);
}

static int setup(void **st)
{
	snprintf(inst, sizeof(inst), "obst%d", (int)getpid());
	tt_log_set_level(TT_LOG_DEBUG);
	return 0;
}

static int teardown(void **st)
{
	char name[TT_RING_NAME_MAX];

	tt_logring_close();
	ring_name(name, sizeof(name));
	tt_ring_unlink(name);
	return 0;
}

static void attach_consumer(struct tt_ring *c, uint32_t cap)
{
	char name[TT_RING_NAME_MAX];
	struct tt_ring_params p = tt_logring_params(cap);

	ring_name(name, sizeof(name));
	assert_int_equal(tt_ring_attach(c, name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN), 0);
}

static void test_logh_writes_one_binary_record_per_call(void **st)
{
	struct tt_ring c;
	const struct tt_log_rec *rec;
	uint64_t t0 = tt_clock_now();

	assert_int_equal(tt_logring_open(inst, "tt-test", 0, 64), 0);
	attach_consumer(&c, 64);
	tt_logh(order_sent, 42, 3, 12345678900, 777);
	tt_logh(log_dropped);
	rec = tt_ring_peek(&c);
	assert_non_null(rec);
	assert_int_equal(rec->event, TT_EV_order_sent);
	assert_int_equal(rec->level, TT_LOG_INFO);
	assert_int_equal(rec->nargs, 4);
	assert_int_equal(rec->arg[0], 42);
	assert_int_equal(rec->arg[3], 777);
	assert_true(rec->tsc >= t0);
	tt_ring_release(&c);
	rec = tt_ring_peek(&c);
	assert_non_null(rec);
	assert_int_equal(rec->event, TT_EV_log_dropped);
	assert_int_equal(rec->nargs, 0);
	tt_ring_release(&c);
	assert_null(tt_ring_peek(&c));
	tt_ring_detach(&c);
}

static void test_full_ring_drops_and_counts_never_blocks(void **st)
{
	struct tt_ring c;
	struct tt_ring_stats s;

	assert_int_equal(tt_logring_open(inst, "tt-test", 0, 4), 0);
	attach_consumer(&c, 4);
	for (int i = 0; i < 10; i++)
		tt_logh(bench_probe, i);
	tt_ring_stats(&c, &s);
	assert_int_equal(s.head - s.tail, 4);
	assert_int_equal(s.dropped, 6);
	/* the oldest four survived, in order */
	for (int i = 0; i < 4; i++) {
		const struct tt_log_rec *rec = tt_ring_peek(&c);

		assert_non_null(rec);
		assert_int_equal(rec->arg[0], i);
		tt_ring_release(&c);
	}
	tt_logh(bench_probe, 99);
	assert_int_equal(((const struct tt_log_rec *)tt_ring_peek(&c))->arg[0], 99);
	tt_ring_detach(&c);
}

static void test_level_below_threshold_writes_nothing(void **st)
{
	struct tt_ring c;

	assert_int_equal(tt_logring_open(inst, "tt-test", 0, 64), 0);
	attach_consumer(&c, 64);
	tt_log_set_level(TT_LOG_WARN);
	tt_logh(order_sent, 1, 2, 3, 4); /* info: filtered */
	tt_logh(book_resync, 1, 2, 3);	 /* warn: kept */
	tt_log_set_level(TT_LOG_DEBUG);
	assert_int_equal(((const struct tt_log_rec *)tt_ring_peek(&c))->event, TT_EV_book_resync);
	tt_ring_release(&c);
	assert_null(tt_ring_peek(&c));
	tt_ring_detach(&c);
}

static void test_thread_without_ring_logs_json_directly(void **st)
{
	int fds[2];
	char buf[TT_LOG_LINE_MAX + 1];
	ssize_t n;

	tt_logring_close();
	assert_int_equal(pipe(fds), 0);
	tt_log_set_fd(fds[1]);
	tt_logh(book_resync, 7, 100, 105);
	tt_log_set_fd(2);
	n = read(fds[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"event\":\"book_resync\",\"instrument\":7,\"expected\":100,"
				    "\"got\":105}\n"));
	assert_non_null(strstr(buf, "\"level\":\"warn\""));
	close(fds[0]);
	close(fds[1]);
}

static void test_record_formats_with_typed_fields_env_and_identity(void **st)
{
	char buf[TT_LOG_LINE_MAX + 1];
	struct tt_log_who who = {.env = "testnet", .proc = "tt-oe", .pid = 4242};
	struct tt_log_rec rec = {.event = TT_EV_order_fill,
				 .level = TT_LOG_INFO,
				 .nargs = 4,
				 .tsc = tt_clock_now(),
				 .arg = {9, 2, 6500012345678, -150000000}};
	size_t n = tt_log_format_rec(buf, &who, &rec, 0);

	buf[n] = '\0';
	assert_non_null(strstr(buf,
			       "\"level\":\"info\",\"env\":\"testnet\",\"proc\":\"tt-oe\","
			       "\"pid\":4242,\"event\":\"order_fill\",\"order_id\":9,"
			       "\"instrument\":2,\"px\":65000.12345678,\"qty\":-1.50000000}\n"));
}

static void test_unknown_event_id_is_named_not_trusted(void **st)
{
	char buf[TT_LOG_LINE_MAX + 1];
	struct tt_log_who who = {.env = "testnet", .proc = "x", .pid = 1};
	struct tt_log_rec rec = {.event = 65000, .level = 200, .nargs = 99};
	size_t n = tt_log_format_rec(buf, &who, &rec, 0);

	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"event\":\"unknown_event\",\"id\":65000"));
	assert_non_null(strstr(buf, "\"level\":\"error\""));
}

static void test_catalogue_names_are_unique_snake_case(void **st)
{
	for (unsigned i = 0; i < TT_EV_COUNT; i++) {
		const struct tt_event_desc *d = tt_event_lookup(i);

		assert_non_null(d);
		assert_non_null(d->name);
		assert_true(d->level >= TT_LOG_DEBUG && d->level <= TT_LOG_ERROR);
		for (const char *p = d->name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_' ||
				    (*p >= '0' && *p <= '9'));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(d->name, tt_event_catalogue[j].name);
	}
	assert_null(tt_event_lookup(TT_EV_COUNT));
}

static void test_ring_name_rejects_bad_instance(void **st)
{
	char name[TT_RING_NAME_MAX];

	assert_int_equal(tt_logring_name(name, sizeof(name), "a/b", "p", 0), -EINVAL);
	assert_int_equal(tt_logring_name(name, sizeof(name), "inst", "p", 3), 0);
	assert_string_equal(name, "inst.log.p.t3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_logh_writes_one_binary_record_per_call, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_full_ring_drops_and_counts_never_blocks, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_level_below_threshold_writes_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_thread_without_ring_logs_json_directly, setup,
					    teardown),
	    cmocka_unit_test(test_record_formats_with_typed_fields_env_and_identity),
	    cmocka_unit_test(test_unknown_event_id_is_named_not_trusted),
	    cmocka_unit_test(test_catalogue_names_are_unique_snake_case),
	    cmocka_unit_test(test_ring_name_rejects_bad_instance),
	};
	tt_log_init("tt-test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
