/*
 * stress_venue_rate.c — how many messages a second tt-venue delivers to one combined-stream
 * client over TLS on loopback, with U/u continuity checked on every depth diff under load.
 * Prints the rate; asserts only correctness (no timing assertions, STYLE §9).
 * TT_VENUE_RATE (book updates/s, default 100000), TT_VENUE_SECS (default 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "venue_client.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_venue_delivers_frames_in_order_at_the_configured_rate(void **state)
{
	const char *rate = getenv("TT_VENUE_RATE") ? getenv("TT_VENUE_RATE") : "100000";
	double secs = getenv("TT_VENUE_SECS") ? atof(getenv("TT_VENUE_SECS")) : 2.0;
	const char *args[] = {"--symbols", "BTCUSDT,ETHUSDT", "--rate", rate, NULL};
	struct vc_proc v;
	struct vc_ws *w;
	char *f = malloc(1 << 20);
	unsigned long long prev_u[2] = {0, 0};
	unsigned long long n = 0;
	unsigned long long bytes = 0;
	double t0;
	double t;

	assert_int_equal(vc_start(&v, args), 0);
	assert_int_equal(vc_ws_open(&w, &v,
				    "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms/"
				    "btcusdt@trade/ethusdt@bookTicker/ethusdt@depth@100ms/"
				    "ethusdt@trade"),
			 0);
	t0 = now_s();
	do {
		int k = vc_ws_next(w, f, 1 << 20, 5000);

		assert_true(k > 0);
		n++;
		bytes += (unsigned long long)k;
		if (strstr(f, "@depth@100ms\"")) {
			int s = f[11] == 'e';
			unsigned long long U = vc_num(f, "U");

			if (prev_u[s])
				assert_int_equal(U, prev_u[s] + 1);
			prev_u[s] = vc_num(f, "u");
		}
		t = now_s();
	} while (t - t0 < secs);
	print_message("venue rate %s updates/s: client got %llu msgs in %.2f s = %.0f msgs/s, "
		      "%.1f MB/s\n",
		      rate, n, t - t0, (double)n / (t - t0), (double)bytes / (t - t0) / 1e6);
	assert_true(vc_ctl(&v, "stats", f, 1 << 20) > 0);
	print_message("venue stats: %s\n", f);
	vc_ws_close(w);
	assert_int_equal(vc_stop(&v), 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_venue_delivers_frames_in_order_at_the_configured_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
