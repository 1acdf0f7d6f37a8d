/*
 * test_metrics.c — tt_metrics.h: exposition text is exact (families grouped, cumulative
 * buckets, +Inf, sum/count, fixed-point scale, escaped labels), bad definitions are
 * refused, and the loopback endpoint serves /metrics and refuses other paths and
 * non-loopback binds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tt_metrics.h"

static char *format(const struct tt_metrics *reg)
{
	static char buf[16384];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	assert_int_equal(tt_metrics_format(reg, f), 0);
	fclose(f);
	return buf;
}

static void test_counter_and_gauge_print_exactly(void **st)
{
	struct tt_metrics reg;
	struct tt_metric c, g;

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_counter(&reg, &c, "tt_x_total", "X things", NULL, NULL), 0);
	assert_int_equal(tt_metric_gauge(&reg, &g, "tt_pnl", "P&L", NULL, NULL, 8), 0);
	tt_metric_inc(&c);
	tt_metric_add(&c, 41);
	tt_metric_set(&g, -150000000);
	assert_string_equal(format(&reg), "# HELP tt_x_total X things\n# TYPE tt_x_total counter\n"
					  "tt_x_total 42\n# HELP tt_pnl P&L\n# TYPE tt_pnl gauge\n"
					  "tt_pnl -1.50000000\n");
}

static void test_histogram_buckets_are_cumulative_with_inf(void **st)
{
	struct tt_metrics reg;
	struct tt_metric h;
	static const int64_t b[] = {1000, 10000};

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_histogram(&reg, &h, "tt_lat_seconds", "lat", b, 2, 9), 0);
	tt_metric_observe(&h, 1000);  /* le 1e-6 (inclusive bound) */
	tt_metric_observe(&h, 5000);  /* le 1e-5 */
	tt_metric_observe(&h, 20000); /* +Inf */
	assert_string_equal(format(&reg),
			    "# HELP tt_lat_seconds lat\n# TYPE tt_lat_seconds histogram\n"
			    "tt_lat_seconds_bucket{le=\"0.000001000\"} 1\n"
			    "tt_lat_seconds_bucket{le=\"0.000010000\"} 2\n"
			    "tt_lat_seconds_bucket{le=\"+Inf\"} 3\n"
			    "tt_lat_seconds_sum 0.000026000\ntt_lat_seconds_count 3\n");
}

static void test_labeled_series_are_grouped_under_one_family(void **st)
{
	struct tt_metrics reg;
	struct tt_metric a, b, c;
	const char *s;

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_counter(&reg, &a, "tt_r_total", "r", "reason", "max_qty"), 0);
	assert_int_equal(tt_metric_gauge(&reg, &b, "tt_fill", "f", "ring", "md.strat", 0), 0);
	assert_int_equal(tt_metric_counter(&reg, &c, "tt_r_total", "r", "reason", "a\"b\\c"), 0);
	tt_metric_add(&c, 2);
	s = format(&reg);
	assert_non_null(strstr(s, "# TYPE tt_r_total counter\ntt_r_total{reason=\"max_qty\"} 0\n"
				  "tt_r_total{reason=\"a\\\"b\\\\c\"} 2\n# HELP tt_fill"));
}

static int64_t reader(void *arg)
{
	return *(int64_t *)arg;
}

static void test_reader_value_is_taken_at_scrape_time(void **st)
{
	struct tt_metrics reg;
	struct tt_metric g;
	int64_t v = 5;

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_gauge(&reg, &g, "tt_g", "g", NULL, NULL, 0), 0);
	tt_metric_set_reader(&g, reader, &v);
	v = 77;
	assert_non_null(strstr(format(&reg), "tt_g 77\n"));
}

static void test_bad_definitions_are_refused(void **st)
{
	struct tt_metrics reg;
	struct tt_metric a, b;
	static const int64_t desc[] = {10, 5};

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_counter(&reg, &a, "9bad", "", NULL, NULL), -EINVAL);
	assert_int_equal(tt_metric_counter(&reg, &a, "tt ok", "", NULL, NULL), -EINVAL);
	assert_int_equal(tt_metric_counter(&reg, &a, "tt_ok", "", "__x", "v"), -EINVAL);
	assert_int_equal(tt_metric_histogram(&reg, &a, "tt_h", "", desc, 2, 0), -EINVAL);
	assert_int_equal(tt_metric_counter(&reg, &a, "tt_ok", "", NULL, NULL), 0);
	assert_int_equal(tt_metric_counter(&reg, &b, "tt_ok", "", NULL, NULL), -EEXIST);
	assert_int_equal(tt_metric_gauge(&reg, &b, "tt_ok", "", "l", "v", 0), -EEXIST);
	assert_int_equal(reg.n, 1);
}

static size_t http_get(uint16_t port, const char *path, char *out, size_t cap)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char req[256];
	size_t n = 0;
	ssize_t r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	while (n < cap - 1 && (r = recv(fd, out + n, cap - 1 - n, 0)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fd);
	return n;
}

static void test_endpoint_serves_metrics_on_loopback_only(void **st)
{
	struct tt_metrics reg;
	struct tt_metrics_std std;
	struct tt_metrics_srv srv;
	static const char *const reasons[] = {"ok", "max_qty"};
	static const char *const rings[] = {"md.strat"};
	char buf[16384];

	tt_metrics_init(&reg);
	assert_int_equal(tt_metrics_std_register(&reg, &std, reasons, 2, rings, 1, 8), 0);
	tt_metric_add(&std.orders, 12);
	tt_metric_inc(&std.rejects[1]);
	tt_metric_observe(&std.t2t, 3000);
	assert_int_equal(tt_metrics_serve_start(&srv, &reg, "10.1.2.3", 0), -EINVAL);
	assert_int_equal(tt_metrics_serve_start(&srv, &reg, "0.0.0.0", 0), -EINVAL);
	assert_int_equal(tt_metrics_serve_start(&srv, &reg, "127.0.0.1", 0), 0);
	assert_true(tt_metrics_serve_port(&srv) > 0);
	http_get(tt_metrics_serve_port(&srv), "/metrics", buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(buf, "text/plain; version=0.0.4"));
	assert_non_null(strstr(buf, "\ntt_orders_total 12\n"));
	assert_non_null(strstr(buf, "\ntt_rejects_total{reason=\"max_qty\"} 1\n"));
	assert_non_null(strstr(buf, "\ntt_t2t_seconds_bucket{le=\"0.000005000\"} 1\n"));
	assert_non_null(strstr(buf, "\ntt_ring_fill{ring=\"md.strat\"} 0\n"));
	assert_non_null(strstr(buf, "\ntt_denied_total "));
	http_get(tt_metrics_serve_port(&srv), "/admin", buf, sizeof(buf));
	assert_non_null(strstr(buf, "404"));
	tt_metrics_serve_stop(&srv);
	tt_metrics_serve_stop(&srv); /* twice is safe */
}

struct race {
	struct tt_metric *c, *h;
};

static void *hammer(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < 100000; i++) {
		tt_metric_inc(r->c);
		tt_metric_observe(r->h, i % 2 ? 500 : 5000);
	}
	return NULL;
}

static void test_updates_from_threads_are_never_lost(void **st)
{
	struct tt_metrics reg;
	struct tt_metric c, h;
	static const int64_t b[] = {1000};
	struct race r = {&c, &h};
	pthread_t t[2];
	const char *s;

	tt_metrics_init(&reg);
	assert_int_equal(tt_metric_counter(&reg, &c, "tt_c_total", "c", NULL, NULL), 0);
	assert_int_equal(tt_metric_histogram(&reg, &h, "tt_h_seconds", "h", b, 1, 9), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &r), 0);
	s = format(&reg); /* a scrape in the middle must not disturb anything */
	assert_non_null(s);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	s = format(&reg);
	assert_non_null(strstr(s, "\ntt_c_total 200000\n"));
	assert_non_null(strstr(s, "tt_h_seconds_bucket{le=\"0.000001000\"} 100000\n"));
	assert_non_null(strstr(s, "tt_h_seconds_count 200000\n"));
	assert_non_null(strstr(s, "tt_h_seconds_sum 0.550000000\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counter_and_gauge_print_exactly),
	    cmocka_unit_test(test_histogram_buckets_are_cumulative_with_inf),
	    cmocka_unit_test(test_labeled_series_are_grouped_under_one_family),
	    cmocka_unit_test(test_reader_value_is_taken_at_scrape_time),
	    cmocka_unit_test(test_bad_definitions_are_refused),
	    cmocka_unit_test(test_endpoint_serves_metrics_on_loopback_only),
	    cmocka_unit_test(test_updates_from_threads_are_never_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
