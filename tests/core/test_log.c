/*
 * test_log.c — tt_log.h: exact JSON lines (header order, timestamp shape, escaping of any
 * byte, typed fields), level filtering before fields are built, truncation that keeps the
 * line valid, the error-trail helper, and whole lines from concurrent threads.
 */
#include "tt_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tt_err.h"

/* 2026-11-23T19:30:00.123456789Z */
#define TS_NS (INT64_C(1795462200) * 1000000000 + 123456789)

static char out[8 * TT_LOG_LINE_MAX];

/* Format with a fixed time; returns the line NUL-terminated in `out`. */
static const char *fmt(enum tt_log_level lv, const char *ev, const struct tt_log_field *f, size_t n)
{
	size_t len = tt_log_format(out, lv, ev, f, n, TS_NS);

	assert_true(len <= TT_LOG_LINE_MAX);
	out[len] = '\0';
	return out;
}

/* The expected line with the fixed header for this process. */
static const char *expect(const char *level, const char *event, const char *rest)
{
	static char e[2 * TT_LOG_LINE_MAX];

	snprintf(e, sizeof(e),
		 "{\"ts\":\"2026-11-23T19:30:00.123456789Z\",\"level\":\"%s\",\"proc\":\"tt-test\","
		 "\"pid\":%d,\"event\":\"%s\"%s}\n",
		 level, (int)getpid(), event, rest);
	return e;
}

/* Read everything written to a pipe so far. */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

static int setup(void **state)
{
	tt_log_init("tt-test");
	tt_log_set_level(TT_LOG_DEBUG);
	tt_log_set_fd(2);
	return 0;
}

static void test_line_has_header_fields_in_order(void **state)
{
	const struct tt_log_field f[] = {TT_LS("ring", "md.strat"), TT_LI("n", 7)};

	assert_string_equal(fmt(TT_LOG_WARN, "ring_full", f, 2),
			    expect("warn", "ring_full", ",\"ring\":\"md.strat\",\"n\":7"));
	assert_string_equal(fmt(TT_LOG_DEBUG, "x", NULL, 0), expect("debug", "x", ""));
	assert_string_equal(fmt(TT_LOG_ERROR, "x", NULL, 0), expect("error", "x", ""));
	assert_string_equal(fmt(TT_LOG_INFO, "x", NULL, 0), expect("info", "x", ""));
}

static void test_real_timestamp_matches_the_iso_pattern(void **state)
{
	int p[2];
	char buf[TT_LOG_LINE_MAX + 1];
	regex_t re;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	tt_log_set_fd(p[1]);
	tt_log(TT_LOG_INFO, "started", TT_LU("v", 1));
	tt_log_set_fd(2);
	drain(p[0], buf, sizeof(buf));
	assert_int_equal(
	    regcomp(&re,
		    "^\\{\"ts\":\"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:"
		    "[0-6][0-9]\\.[0-9]{9}Z\",\"level\":\"info\",\"proc\":\"tt-test\","
		    "\"pid\":[0-9]+,\"event\":\"started\",\"v\":1\\}\n$",
		    REG_EXTENDED),
	    0);
	assert_int_equal(regexec(&re, buf, 0, NULL, 0), 0);
	regfree(&re);
	close(p[0]);
	close(p[1]);
}

static void test_strings_escape_quotes_controls_and_bad_utf8(void **state)
{
	/* quote, backslash, \n \r \t \b \f, 0x01, 0x1f, DEL, valid é and €, and 😀,
	 * then invalid: lone 0xff, truncated 0xe2 0x82, overlong 0xc0 0x80, surrogate */
	static const char s[] = "a\"b\\c\n\r\t\b\f\x01\x1f\x7f"
				"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
				"\xff|\xe2\x82|\xc0\x80|\xed\xa0\x80";
	const struct tt_log_field f[] = {TT_LSN("s", s, sizeof(s) - 1)};

	assert_string_equal(
	    fmt(TT_LOG_INFO, "e", f, 1),
	    expect("info", "e",
		   ",\"s\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f"
		   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
		   "\\u00ff|\\u00e2\\u0082|\\u00c0\\u0080|\\u00ed\\u00a0\\u0080\""));
}

static void test_strn_keeps_embedded_nul_and_null_prints_null(void **state)
{
	const struct tt_log_field f[] = {TT_LSN("b", "x\0y", 3), TT_LS("n", NULL),
					 TT_LSN("m", NULL, 4)};

	assert_string_equal(fmt(TT_LOG_INFO, "e", f, 3),
			    expect("info", "e", ",\"b\":\"x\\u0000y\",\"n\":null,\"m\":null"));
}

static void test_numbers_bools_and_fixed_point_print_exactly(void **state)
{
	const struct tt_log_field f[] = {TT_LI("min", INT64_MIN), TT_LI("max", INT64_MAX),
					 TT_LU("u", UINT64_MAX),  TT_LB("t", 5),
					 TT_LB("f", 0),		  TT_LX("px", 10050, 2),
					 TT_LX("neg", -5, 2),	  TT_LX("zero", 0, 3),
					 TT_LX("int", -42, 0),	  TT_LX("big", INT64_MIN, 8)};

	assert_string_equal(fmt(TT_LOG_INFO, "n", f, TT_ARRAY_LEN(f)),
			    expect("info", "n",
				   ",\"min\":-9223372036854775808,\"max\":9223372036854775807,"
				   "\"u\":18446744073709551615,\"t\":true,\"f\":false,"
				   "\"px\":100.50,\"neg\":-0.05,\"zero\":0.000,\"int\":-42,"
				   "\"big\":-92233720368.54775808"));
}

static int side_effects;

static int64_t count_eval(void)
{
	return ++side_effects;
}

static void test_level_below_threshold_writes_nothing_and_builds_nothing(void **state)
{
	int p[2];
	char buf[4 * TT_LOG_LINE_MAX];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	tt_log_set_fd(p[1]);
	tt_log_set_level(TT_LOG_WARN);
	side_effects = 0;
	tt_log(TT_LOG_DEBUG, "dropped", TT_LI("n", count_eval()));
	tt_log(TT_LOG_INFO, "dropped", TT_LI("n", count_eval()));
	assert_int_equal(side_effects, 0);
	tt_log(TT_LOG_WARN, "kept", TT_LI("n", count_eval()));
	tt_log(TT_LOG_ERROR, "kept2");
	assert_int_equal(side_effects, 1);
	tt_log_set_level(TT_LOG_OFF);
	tt_log(TT_LOG_ERROR, "dropped");
	tt_log_set_level(TT_LOG_DEBUG);
	tt_log_set_fd(2);
	drain(p[0], buf, sizeof(buf));
	assert_null(strstr(buf, "dropped"));
	assert_non_null(strstr(buf, "\"event\":\"kept\",\"n\":1}\n"));
	assert_non_null(strstr(buf, "\"event\":\"kept2\"}\n"));
	assert_int_equal(tt_log_level_parse("warn"), TT_LOG_WARN);
	assert_int_equal(tt_log_level_parse("off"), TT_LOG_OFF);
	assert_int_equal(tt_log_level_parse("WARN"), -EINVAL);
	close(p[0]);
	close(p[1]);
}

static void test_oversized_fields_are_dropped_whole_and_line_stays_valid(void **state)
{
	static char big[3 * TT_LOG_LINE_MAX];
	const char *line;
	size_t len;

	memset(big, '"', sizeof(big) - 1); /* every byte doubles when escaped */
	const struct tt_log_field f[] = {TT_LI("a", 1), TT_LS("big", big), TT_LI("b", 2)};

	line = fmt(TT_LOG_INFO, "t", f, 3);
	len = strlen(line);
	assert_true(len <= TT_LOG_LINE_MAX);
	assert_string_equal(line, expect("info", "t", ",\"a\":1,\"truncated\":true"));

	/* a field that just fits is kept: fill to the brim with plain bytes */
	size_t head = strlen(expect("info", "t", "")) - 2; /* without "}\n" */
	size_t room = TT_LOG_LINE_MAX - 24 - head - strlen(",\"s\":\"\"");

	memset(big, 'x', room);
	big[room] = '\0';
	line = fmt(TT_LOG_INFO, "t", (const struct tt_log_field[]){TT_LS("s", big)}, 1);
	assert_null(strstr(line, "truncated"));
	big[room] = 'x';
	big[room + 1] = '\0';
	line = fmt(TT_LOG_INFO, "t", (const struct tt_log_field[]){TT_LS("s", big)}, 1);
	assert_non_null(strstr(line, "\"truncated\":true}\n"));
}

static void test_err_trail_is_logged_as_one_event(void **state)
{
	int p[2];
	char buf[2 * TT_LOG_LINE_MAX];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	tt_err_set(-ENOENT, "open /dev/shm/x");
	tt_err_add("ring \"md\" attach");
	tt_log_set_fd(p[1]);
	tt_log_err(TT_LOG_ERROR, "ring_attach_failed", TT_LS("ring", "md"));
	tt_log_set_fd(2);
	drain(p[0], buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"level\":\"error\""));
	assert_non_null(strstr(buf, "\"event\":\"ring_attach_failed\",\"code\":-2,"
				    "\"error\":\"No such file or directory\","
				    "\"trail\":\"open /dev/shm/x: ring \\\"md\\\" attach\","
				    "\"ring\":\"md\"}\n"));
	tt_err_clear();
	close(p[0]);
	close(p[1]);
}

#define THREADS 4
static int n_lines(void)
{
	const char *e = getenv("TT_LOG_TEST_LINES");

	return e ? atoi(e) : 300;
}

static void *writer(void *arg)
{
	char pad[600];

	memset(pad, 'a' + (int)(intptr_t)arg, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < n_lines(); i++)
		tt_log(TT_LOG_INFO, "line", TT_LI("t", (intptr_t)arg), TT_LI("i", i),
		       TT_LS("pad", pad));
	return NULL;
}

static void test_concurrent_threads_write_whole_lines(void **state)
{
	char path[] = "/tmp/tt-core-test-log-XXXXXX";
	int fd = mkstemp(path);
	pthread_t th[THREADS];
	FILE *f;
	char line[2 * TT_LOG_LINE_MAX];
	int count = 0;

	assert_true(fd >= 0);
	unlink(path);
	tt_log_set_fd(fd);
	for (intptr_t t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)t), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	tt_log_set_fd(2);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	f = fdopen(fd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *pad = strstr(line, "\"pad\":\"");
		int t;

		assert_int_equal(strncmp(line, "{\"ts\":\"", 7), 0);
		assert_non_null(pad);
		assert_int_equal(sscanf(strstr(line, "\"t\":"), "\"t\":%d", &t), 1);
		pad += 7;
		for (int k = 0; k < 599; k++)
			assert_int_equal(pad[k], 'a' + t);
		assert_string_equal(pad + 599, "\"}\n");
		count++;
	}
	assert_int_equal(count, THREADS * n_lines());
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_has_header_fields_in_order),
	    cmocka_unit_test(test_real_timestamp_matches_the_iso_pattern),
	    cmocka_unit_test(test_strings_escape_quotes_controls_and_bad_utf8),
	    cmocka_unit_test(test_strn_keeps_embedded_nul_and_null_prints_null),
	    cmocka_unit_test(test_numbers_bools_and_fixed_point_print_exactly),
	    cmocka_unit_test(test_level_below_threshold_writes_nothing_and_builds_nothing),
	    cmocka_unit_test(test_oversized_fields_are_dropped_whole_and_line_stays_valid),
	    cmocka_unit_test(test_err_trail_is_logged_as_one_event),
	    cmocka_unit_test(test_concurrent_threads_write_whole_lines),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
