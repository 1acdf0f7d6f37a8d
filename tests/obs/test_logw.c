/*
 * test_logw.c — the log writer (tt_logw.h) against real shm log rings: records become JSON
 * lines in <root>/<env>/<proc>/<date>.jsonl, producer drops become a log_dropped line,
 * files rotate by size, old files are removed by retention, and a restarted writer neither
 * loses nor repeats a line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt_clock.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_logw.h"

static struct tt_logw w;
static char inst[32], root[64], ring[TT_RING_NAME_MAX];

static int setup(void **st)
{
	char cmd[128];

	snprintf(inst, sizeof(inst), "obsw%d", (int)getpid());
	snprintf(root, sizeof(root), "/tmp/tt-obs-logw-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(tt_logring_name(ring, sizeof(ring), inst, "tt-oe", 0), 0);
	tt_log_set_level(TT_LOG_DEBUG);
	return 0;
}

static int teardown(void **st)
{
	char cmd[128];

	tt_logw_fini(&w);
	tt_logring_close();
	tt_ring_unlink(ring);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Reads a whole file into a static buffer (NUL-terminated); "" when missing. */
static const char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void start_writer(uint64_t max_bytes, unsigned keep_days)
{
	struct tt_logw_cfg cfg = {.root = root,
				  .env = "testnet",
				  .instance = inst,
				  .max_bytes = max_bytes,
				  .keep_days = keep_days};

	assert_int_equal(tt_logw_init(&w, &cfg), 0);
}

static void test_records_become_json_lines_under_env_proc_date(void **st)
{
	char path[256], d[11];
	const char *s;

	assert_int_equal(tt_logring_open(inst, "tt-oe", 0, 64), 0);
	start_writer(0, 0);
	assert_int_equal(tt_logw_scan(&w), 1);
	tt_logh(order_sent, 17, 2, 6500000000000, 900);
	tt_logh(order_fill, 17, 2, 6500000000000, 100000000);
	assert_int_equal(tt_logw_drain(&w, 0), 2);
	today(d);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.jsonl", root, d);
	s = slurp(path);
	assert_int_equal(count(s, "\n"), 2);
	assert_non_null(strstr(s, "\"env\":\"testnet\",\"proc\":\"tt-oe\""));
	assert_non_null(strstr(s, "\"event\":\"order_sent\",\"order_id\":17,\"instrument\":2,"
				  "\"px\":65000.00000000,\"t2t_ns\":900}\n"));
	assert_non_null(strstr(s, "\"event\":\"order_fill\""));
	assert_int_equal(count(s, "\"ts\":\"20"), 2);
}

static void test_producer_drops_are_logged_with_the_count(void **st)
{
	char path[256], d[11];
	const char *s;

	assert_int_equal(tt_logring_open(inst, "tt-oe", 0, 4), 0);
	start_writer(0, 0);
	assert_int_equal(tt_logw_scan(&w), 1);
	for (int i = 0; i < 11; i++)
		tt_logh(bench_probe, i);
	assert_int_equal(tt_logw_drain(&w, 0), 5); /* 4 records + 1 log_dropped */
	today(d);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.jsonl", root, d);
	s = slurp(path);
	assert_non_null(strstr(s, "\"event\":\"log_dropped\",\"n\":7}"));
	assert_int_equal(w.drops, 7);
}

static void test_size_limit_rotates_into_numbered_files(void **st)
{
	char path[256], d[11];
	struct stat sb;

	assert_int_equal(tt_logring_open(inst, "tt-oe", 0, 256), 0);
	start_writer(1000, 0);
	assert_int_equal(tt_logw_scan(&w), 1);
	for (int i = 0; i < 30; i++)
		tt_logh(bench_probe, i, i, i, i);
	assert_int_equal(tt_logw_drain(&w, 0), 30);
	today(d);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.1.jsonl", root, d);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size <= 1000);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.2.jsonl", root, d);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.jsonl", root, d);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size <= 1000);
}

static void test_retention_removes_only_old_files(void **st)
{
	char path[256], d[11];
	FILE *f;
	struct stat sb;

	snprintf(path, sizeof(path), "mkdir -p %s/testnet/tt-md", root);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/testnet/tt-md/2020-01-01.jsonl", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	today(d);
	snprintf(path, sizeof(path), "%s/testnet/tt-md/%s.jsonl", root, d);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	start_writer(0, 3);
	snprintf(path, sizeof(path), "%s/testnet/tt-md/2020-01-01.jsonl", root);
	assert_int_not_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/testnet/tt-md/%s.jsonl", root, d);
	assert_int_equal(stat(path, &sb), 0);
}

static void test_restarted_writer_neither_loses_nor_repeats(void **st)
{
	char path[256], d[11];
	const char *s;

	assert_int_equal(tt_logring_open(inst, "tt-oe", 0, 64), 0);
	start_writer(0, 0);
	assert_int_equal(tt_logw_scan(&w), 1);
	tt_logh(bench_probe, 1);
	tt_logh(bench_probe, 2);
	assert_int_equal(tt_logw_drain(&w, 0), 2);
	tt_logw_fini(&w);
	tt_logh(bench_probe, 3); /* while no writer runs */
	start_writer(0, 0);
	assert_int_equal(tt_logw_scan(&w), 1);
	assert_int_equal(tt_logw_drain(&w, 0), 1);
	today(d);
	snprintf(path, sizeof(path), "%s/testnet/tt-oe/%s.jsonl", root, d);
	s = slurp(path);
	assert_int_equal(count(s, "\"a\":1}"), 1);
	assert_int_equal(count(s, "\"a\":2}"), 1);
	assert_int_equal(count(s, "\"a\":3}"), 1);
}

static void test_rings_of_other_instances_are_ignored(void **st)
{
	char other[48], oring[TT_RING_NAME_MAX];

	snprintf(other, sizeof(other), "%.30sx", inst);
	assert_int_equal(tt_logring_open(other, "tt-oe", 0, 64), 0);
	start_writer(0, 0);
	assert_int_equal(tt_logw_scan(&w), 0);
	tt_logring_close();
	assert_int_equal(tt_logring_name(oring, sizeof(oring), other, "tt-oe", 0), 0);
	tt_ring_unlink(oring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_records_become_json_lines_under_env_proc_date,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_producer_drops_are_logged_with_the_count, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_size_limit_rotates_into_numbered_files, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_retention_removes_only_old_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restarted_writer_neither_loses_nor_repeats, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rings_of_other_instances_are_ignored, setup,
					    teardown),
	};
	tt_log_init("tt-test");
	tt_clock_init_local();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
