/*
 * test_stats.c — tt_stats.h: the per-process stats block in real POSIX shm. A writer's
 * increments reach a read-only reader; a re-opened block continues its counters (child
 * restart) while another layout starts over; rejects are labelled per reason code and
 * overflow to "other"; the exposition is exact Prometheus text (non-zero counters only,
 * cumulative buckets, +Inf = count) and sanitises hostile label bytes; bad names and
 * foreign blocks are refused; tt_metrics' extra hook appends the text to a scrape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tt_denied.h"
#include "tt_metrics.h"
#include "tt_stats.h"

static char inst[32];

static int setup(void **st)
{
	(void)st;
	snprintf(inst, sizeof(inst), "tst%d", (int)getpid());
	(void)tt_stats_unlink(inst, "tt-oe");
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	tt_stats_close();
	(void)tt_stats_unlink(inst, "tt-oe");
	return 0;
}

static char *expose(const struct tt_stats *s)
{
	static char buf[65536];
	const struct tt_stats *v[2] = {NULL, s};
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	assert_int_equal(tt_stats_expose(f, v, 2), 0);
	fclose(f);
	return buf;
}

static void test_writer_increments_reach_a_read_only_reader(void **st)
{
	const struct tt_stats *r;

	(void)st;
	tt_stat_inc(oe_orders); /* no block yet: the private dummy */
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), -ENOENT);
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	assert_int_equal(r->c[TT_ST_oe_orders], 0);
	tt_stat_inc(oe_orders);
	tt_stat_inc(oe_orders);
	tt_stat_add(oe_fills, 5);
	tt_stat_ns(t2t, 1500);
	assert_int_equal(r->c[TT_ST_oe_orders], 2);
	assert_int_equal(r->c[TT_ST_oe_fills], 5);
	assert_int_equal(r->h[TT_STH_t2t].count, 1);
	assert_int_equal(r->pid, getpid());
	assert_string_equal(r->proc, "tt-oe");
	assert_int_equal(r->attaches, 1);
	tt_stats_unmap(r);
}

static void test_reopen_continues_counters_and_another_layout_starts_over(void **st)
{
	const struct tt_stats *r;
	char name[256];
	struct tt_stats *w;
	int fd;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stat_add(oe_acks, 7);
	tt_stats_close();
	tt_stat_inc(oe_acks);				   /* dummy again: not counted in shm */
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0); /* a restarted child */
	tt_stat_inc(oe_acks);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	assert_int_equal(r->c[TT_ST_oe_acks], 8);
	assert_int_equal(r->attaches, 2);
	tt_stats_unmap(r);
	tt_stats_close();

	/* a block of another version (an older build left it): re-initialised */
	assert_int_equal(tt_stats_name(name, sizeof(name), inst, "tt-oe"), 0);
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd >= 0);
	w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(w != MAP_FAILED);
	w->version = TT_STATS_VERSION + 1;
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), -EPROTO);
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	assert_int_equal(w->version, TT_STATS_VERSION);
	assert_int_equal(w->c[TT_ST_oe_acks], 0);
	assert_int_equal(w->attaches, 1);
	munmap(w, sizeof(*w));
}

static void test_map_refuses_a_block_of_another_size(void **st)
{
	const struct tt_stats *r;
	char name[256];
	int fd;

	(void)st;
	assert_int_equal(tt_stats_name(name, sizeof(name), inst, "tt-oe"), 0);
	fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	close(fd);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), -EPROTO);
	assert_null(r);
	/* the writer takes it over at its own size */
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	tt_stats_unmap(r);
}

static void test_names_with_bad_characters_are_refused(void **st)
{
	char name[256];

	(void)st;
	assert_int_equal(tt_stats_name(name, sizeof(name), "a/b", "tt-oe"), -EINVAL);
	assert_int_equal(tt_stats_name(name, sizeof(name), "ok", "x y"), -EINVAL);
	assert_int_equal(tt_stats_name(name, sizeof(name), "", "tt-oe"), -EINVAL);
	assert_int_equal(tt_stats_name(name, 8, "okokok", "tt-oe"), -ENAMETOOLONG);
	assert_int_equal(tt_stats_open("../x", "tt-oe"), -EINVAL);
	assert_int_equal(tt_stats_name(name, sizeof(name), "inst-1", "tt-oe"), 0);
	assert_string_equal(name, "/inst-1.stats.tt-oe");
}

static void test_rejects_are_labelled_per_code_and_overflow_to_other(void **st)
{
	const struct tt_stats *r;
	uint64_t other = 0;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stats_reject(300, "filter_tick");
	tt_stats_reject(300, "filter_tick");
	tt_stats_reject(7, "price_collar");
	for (uint32_t c = 1000; c < 1000 + TT_STATS_REASONS + 3; c++)
		tt_stats_reject(c, "many");
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	assert_int_equal(r->reason[0].code, 300);
	assert_int_equal(r->reason[0].n, 2);
	assert_string_equal(r->reason[0].name, "filter_tick");
	assert_int_equal(r->reason[1].code, 7);
	assert_string_equal(r->reason[1].name, "price_collar");
	assert_string_equal(r->reason[TT_STATS_REASONS - 1].name, "other");
	for (unsigned i = 0; i < TT_STATS_REASONS; i++)
		if (!strcmp(r->reason[i].name, "other"))
			other += r->reason[i].n;
	/* 32 slots: 2 taken above, 29 distinct "many" codes, the rest (6) under "other" */
	assert_int_equal(other, TT_STATS_REASONS + 3 - (TT_STATS_REASONS - 3));
	tt_stats_unmap(r);
}

static void test_exposition_is_exact_prometheus_text(void **st)
{
	const struct tt_stats *r;
	char *t;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stat_add(oe_orders, 3);
	tt_stat_inc(md_out_trade);
	tt_stats_reject(301, "filter_price_range");
	tt_stat_ns(t2t, 900);	     /* le 1000 */
	tt_stat_ns(t2t, 1000);	     /* le 1000: the bucket [992,1024) straddles it: le 2000 */
	tt_stat_ns(t2t, 3000);	     /* le 5000 */
	tt_stat_ns(t2t, 2000000000); /* +Inf only */
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	t = expose(r);
	assert_non_null(
	    strstr(t, "# TYPE tt_stats_attaches gauge\ntt_stats_attaches{proc=\"tt-oe\"} 1\n"));
	assert_non_null(strstr(t, "# HELP tt_oe_orders_total orders sent to the venue\n"
				  "# TYPE tt_oe_orders_total counter\n"
				  "tt_oe_orders_total{proc=\"tt-oe\"} 3\n"));
	assert_non_null(strstr(t, "# TYPE tt_md_events_total counter\n"
				  "tt_md_events_total{proc=\"tt-oe\",kind=\"trade\"} 1\n"));
	/* zero counters print no series; the family stays declared */
	assert_null(strstr(t, "tt_oe_fills_total{"));
	assert_non_null(strstr(t, "# TYPE tt_oe_fills_total counter\n"));
	assert_non_null(strstr(
	    t,
	    "tt_oe_rejects_total{proc=\"tt-oe\",reason=\"filter_price_range\",code=\"301\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE tt_t2t_ns histogram\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"250\"} 0\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"500\"} 0\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"1000\"} 1\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"2000\"} 2\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"5000\"} 3\n"));
	assert_non_null(strstr(t, "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"100000000\"} 3\n"
				  "tt_t2t_ns_bucket{proc=\"tt-oe\",le=\"+Inf\"} 4\n"
				  "tt_t2t_ns_sum{proc=\"tt-oe\"} 2000004900\n"
				  "tt_t2t_ns_count{proc=\"tt-oe\"} 4\n"));
	/* a histogram with no observations prints no series */
	assert_null(strstr(t, "tt_oe_stage_ns_bucket{"));
	tt_stats_unmap(r);
}

/* Position / P&L gauges: exact decimals from fixed point, named slots only. */
static void test_instrument_gauges_print_exact_decimals(void **st)
{
	const struct tt_stats *r;
	char *t;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stats_instr_name(1, "BTCUSDT", 2, 5);
	tt_stats_instr_name(3, "ETHUSDT", 2, 4);
	tt_stats_instr_set(1, -549, -896);	/* -0.00549 BTC, -8.96 USDT */
	tt_stats_instr_set(3, 5660, 5);		/* 0.5660 ETH, 0.05 USDT */
	tt_stats_instr_set(2, 77, 77);		/* unnamed slot: not exported */
	tt_stats_instr_set(TT_STATS_INSTR, 1, 1); /* out of range: ignored */
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	t = expose(r);
	assert_non_null(strstr(t, "# TYPE tt_oe_position gauge\n"
				  "tt_oe_position{proc=\"tt-oe\",instrument=\"BTCUSDT\"} -0.00549\n"
				  "tt_oe_position{proc=\"tt-oe\",instrument=\"ETHUSDT\"} 0.5660\n"));
	assert_non_null(strstr(t, "# TYPE tt_oe_pnl gauge\n"
				  "tt_oe_pnl{proc=\"tt-oe\",instrument=\"BTCUSDT\"} -8.96\n"
				  "tt_oe_pnl{proc=\"tt-oe\",instrument=\"ETHUSDT\"} 0.05\n"));
	assert_null(strstr(t, " 0.77\n"));
	assert_null(strstr(t, " 0.0077\n"));
	tt_stats_unmap(r);
}

static void test_hostile_label_bytes_are_sanitised(void **st)
{
	const struct tt_stats *r;
	char *t;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stats_reject(5, "bad\"}\nlabel");
	tt_stats_reject(6, "");
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	t = expose(r);
	assert_non_null(strstr(t, "reason=\"bad___label\",code=\"5\"} 1\n"));
	assert_non_null(strstr(t, "reason=\"unknown\",code=\"6\"} 1\n"));
	assert_null(strstr(t, "bad\""));
	tt_stats_unmap(r);
}

static void test_denied_events_are_counted_in_the_block(void **st)
{
	const struct tt_stats *r;
	int fd = open("/dev/null", O_WRONLY);

	(void)st;
	assert_true(fd >= 0);
	tt_denied_set_fd(fd);
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_denied_emit("connect", "example.invalid:443", "test");
	tt_denied_set_fd(2);
	close(fd);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	assert_int_equal(r->c[TT_ST_denied], 1);
	assert_non_null(strstr(expose(r), "tt_proc_denied_total{proc=\"tt-oe\"} 1\n"));
	tt_stats_unmap(r);
}

static int extra(FILE *out, void *arg)
{
	const struct tt_stats *v[1] = {arg};

	return tt_stats_expose(out, v, 1);
}

static void test_metrics_extra_hook_appends_the_blocks_to_a_scrape(void **st)
{
	static char buf[65536];
	struct tt_metrics reg;
	struct tt_metric c;
	const struct tt_stats *r;
	FILE *f;

	(void)st;
	assert_int_equal(tt_stats_open(inst, "tt-oe"), 0);
	tt_stat_add(oe_cancels, 9);
	assert_int_equal(tt_stats_map(inst, "tt-oe", &r), 0);
	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_counter(&reg, &c, "tt_denied_total", "denied", NULL, NULL), 0);
	tt_metrics_set_extra(&reg, extra, (void *)r);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(tt_metrics_format(&reg, f), 0);
	fclose(f);
	assert_true(strncmp(buf, "# HELP tt_denied_total denied\n", 30) == 0);
	assert_non_null(strstr(buf, "tt_oe_cancels_total{proc=\"tt-oe\"} 9\n"));
	tt_stats_unmap(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_writer_increments_reach_a_read_only_reader, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_reopen_continues_counters_and_another_layout_starts_over, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_refuses_a_block_of_another_size, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_names_with_bad_characters_are_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_rejects_are_labelled_per_code_and_overflow_to_other, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exposition_is_exact_prometheus_text, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_instrument_gauges_print_exact_decimals, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_label_bytes_are_sanitised, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_denied_events_are_counted_in_the_block, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_extra_hook_appends_the_blocks_to_a_scrape,
					    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
