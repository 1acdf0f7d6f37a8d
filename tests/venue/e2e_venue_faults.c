/*
 * e2e_venue_faults.c — every fault tt-venue injects, seen from a client of the real process:
 * dup, reorder, garbage, oversize, stall, slow TLS, drop (from the control socket), a fault
 * scheduled by --fault, and the ping/pong timeout seen by a hand-written TLS WebSocket
 * client (OpenSSL) that never answers pings.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "venue_client.h"

#define FRAME_CAP (4 << 20)

static struct vc_proc venue;
static char *frame;
static char reply[4096];

static int group_setup(void **state)
{
	static const char *const args[] = {"--symbols",	      "BTCUSDT", "--rate", "3000",
					   "--depth-fast-ms", "20",	 NULL};

	frame = malloc(FRAME_CAP);
	return frame ? vc_start(&venue, args) : -1;
}

static int group_teardown(void **state)
{
	int st = vc_stop(&venue);

	free(frame);
	return st == 0 ? 0 : -1;
}

static void ctl_ok(const char *cmd)
{
	assert_true(vc_ctl(&venue, cmd, reply, sizeof(reply)) > 0);
	assert_string_equal(reply, "{\"ok\":true}");
}

/* Next depth diff on a raw /ws/btcusdt@depth@100ms connection. */
static void next_diff(struct vc_ws *w, unsigned long long *U, unsigned long long *u)
{
	int n;

	do
		n = vc_ws_next(w, frame, FRAME_CAP, 10000);
	while (n > 0 && strncmp(frame, "{\"e\":\"depthUpdate\"", 18) != 0);
	assert_true(n > 0);
	*U = vc_num(frame, "U");
	*u = vc_num(frame, "u");
}

static void test_dup_fault_repeats_a_diff(void **state)
{
	struct vc_ws *w;
	unsigned long long U, u, pU = 0, pu = 0;
	bool dup = false;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@depth@100ms"), 0);
	next_diff(w, &pU, &pu);
	ctl_ok("dup BTCUSDT fast");
	for (int i = 0; i < 50 && !dup; i++) {
		next_diff(w, &U, &u);
		dup = U == pU && u == pu;
		if (!dup)
			assert_int_equal(U, pu + 1);
		pU = U;
		pu = u;
	}
	assert_true(dup);
	vc_ws_close(w);
}

static void test_reorder_fault_sends_a_diff_after_its_successor(void **state)
{
	struct vc_ws *w;
	unsigned long long U, u, pU = 0, pu = 0;
	bool jump = false;
	bool back = false;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@depth@100ms"), 0);
	next_diff(w, &pU, &pu);
	ctl_ok("reorder BTCUSDT fast");
	for (int i = 0; i < 50 && !back; i++) {
		next_diff(w, &U, &u);
		if (U > pu + 1) {
			jump = true;
		} else if (jump && u < pU) {
			back = true; /* the held diff, older than the one before it */
			assert_int_equal(u + 1, pU);
		}
		pU = U;
		pu = u;
	}
	assert_true(jump && back);
	vc_ws_close(w);
}

static void test_garbage_fault_corrupts_one_frame_and_the_stream_goes_on(void **state)
{
	struct vc_ws *w;
	bool seen = false;
	int after = 0;

	/* The next frame published, of any stream, gets the garbage: read them all. */
	assert_int_equal(vc_ws_open(&w, &venue,
				    "/stream?streams=btcusdt@trade/btcusdt@bookTicker/"
				    "btcusdt@depth@100ms/btcusdt@depth"),
			 0);
	ctl_ok("garbage 1");
	for (int i = 0; i < 20000 && after < 3; i++) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		if (strstr(frame, "#!garbage"))
			seen = true;
		else if (seen)
			after++;
	}
	assert_true(seen);
	assert_int_equal(after, 3);
	vc_ws_close(w);
}

static void test_oversize_fault_sends_one_huge_frame(void **state)
{
	struct vc_ws *w;
	int n;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@depth@100ms"), 0);
	ctl_ok("oversize 2000000 BTCUSDT");
	do
		n = vc_ws_next(w, frame, FRAME_CAP, 10000);
	while (n > 0 && n < 2000000);
	assert_int_equal(n, 2000000);
	assert_memory_equal(frame, "{\"e\":\"depthUpdate\",\"pad\":\"xxx", 29);
	vc_ws_close(w);
}

static void test_stall_and_slow_tls_keep_the_stream_intact(void **state)
{
	struct vc_ws *w;
	unsigned long long U, u, pU, pu;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@depth@100ms"), 0);
	next_diff(w, &pU, &pu);
	ctl_ok("stall 300");
	for (int i = 0; i < 5; i++) {
		next_diff(w, &U, &u);
		assert_int_equal(U, pu + 1);
		pu = u;
	}
	ctl_ok("slow 400 5 1");
	for (int i = 0; i < 5; i++) {
		next_diff(w, &U, &u);
		assert_int_equal(U, pu + 1);
		pu = u;
	}
	vc_ws_close(w);
}

static void test_drop_fault_cuts_the_connection_without_a_close_frame(void **state)
{
	struct vc_ws *w;
	int n;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@trade"), 0);
	assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
	ctl_ok("drop");
	do
		n = vc_ws_next(w, frame, FRAME_CAP, 10000);
	while (n > 0);
	assert_int_equal(n, -1);
	assert_int_equal(vc_ws_close_code(w), 0);
	vc_ws_close(w);
}

static void test_scheduled_fault_flag_injects_a_gap(void **state)
{
	static const char *const args[] = {
	    "--rate", "3000", "--depth-fast-ms", "20", "--fault", "2000:gap BTCUSDT fast", NULL};
	struct vc_proc v;
	struct vc_ws *w;
	unsigned long long U, u, pU, pu, first_u;
	unsigned long long gap_u = 0;
	bool jump = false;
	FILE *f;
	char line[512];

	assert_int_equal(vc_start(&v, args), 0);
	assert_int_equal(vc_ws_open(&w, &v, "/ws/btcusdt@depth@100ms"), 0);
	next_diff(w, &pU, &pu);
	first_u = pu;
	for (int i = 0; i < 300 && !jump; i++) {
		next_diff(w, &U, &u);
		jump = U > pu + 1;
		if (!jump)
			pu = u;
	}
	vc_ws_close(w);
	/* The venue logged which U..u the gap skipped. */
	f = fopen(v.err, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\"fault\":\"gap\"") && strstr(line, "\"U\":"))
			gap_u = vc_num(line, "u");
	fclose(f);
	assert_int_equal(vc_stop(&v), 0);
	assert_true(gap_u > 0);
	if (!jump && gap_u <= first_u)
		skip(); /* a slow host: the fault fired before this client's first diff */
	assert_true(jump);
	assert_int_equal(U, gap_u + 1);
}

static void fill(SSL *ssl, unsigned char *buf, size_t *have, size_t n)
{
	assert_true(n < FRAME_CAP);
	while (*have < n) {
		int r = SSL_read(ssl, buf + *have, (int)(FRAME_CAP - *have));

		assert_true(r > 0);
		*have += (size_t)r;
	}
}

/* A WebSocket client by hand over OpenSSL, which never answers pings. */
static void test_client_that_never_pongs_is_pinged_then_closed(void **state)
{
	static const char *const args[] = {"--rate",	       "50", "--ping-s", "1",
					   "--pong-timeout-s", "2",  NULL};
	struct vc_proc v;
	struct sockaddr_in a = {.sin_family = AF_INET};
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd;
	char req[512];
	unsigned char *buf = (unsigned char *)frame;
	size_t have = 0;
	bool ping = false;
	int close_code = -1;

	assert_int_equal(vc_start(&v, args), 0);
	a.sin_port = htons((uint16_t)v.port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(SSL_CTX_load_verify_locations(ctx, v.ca, NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set1_host(ssl, "localhost");
	SSL_set_tlsext_host_name(ssl, "localhost");
	assert_int_equal(SSL_connect(ssl), 1);
	snprintf(req, sizeof(req),
		 "GET /ws/btcusdt@trade HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\n\r\n");
	assert_true(SSL_write(ssl, req, (int)strlen(req)) > 0);
	for (;;) {
		int r = SSL_read(ssl, buf + have, FRAME_CAP - 1 - (int)have);
		char *e;

		assert_true(r > 0);
		have += (size_t)r;
		buf[have] = 0;
		e = strstr((char *)buf, "\r\n\r\n");
		if (e) {
			assert_memory_equal(buf, "HTTP/1.1 101", 12);
			assert_non_null(strcasestr((char *)buf, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
			have -= (size_t)(e + 4 - (char *)buf);
			memmove(buf, e + 4, have);
			break;
		}
	}
	/* Frames until the close: server frames are unmasked. */
	while (close_code < 0) {
		size_t need;
		uint64_t len;
		int op;

		fill(ssl, buf, &have, 2);
		len = buf[1] & 127;
		need = 2 + (len == 126 ? 2 : len == 127 ? 8 : 0);
		fill(ssl, buf, &have, need);
		if (len == 126)
			len = (uint64_t)buf[2] << 8 | buf[3];
		else if (len == 127)
			for (int i = 0; i < 8; i++)
				len = (i ? len << 8 : 0) | buf[2 + i];
		fill(ssl, buf, &have, need + len);
		op = buf[0] & 15;
		assert_false(buf[1] & 128); /* never masked */
		if (op == 9)
			ping = true;
		if (op == 8)
			close_code = len >= 2 ? buf[need] << 8 | buf[need + 1] : 0;
		have -= need + len;
		memmove(buf, buf + need + len, have);
	}
	assert_true(ping);
	assert_int_equal(close_code, 1008);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	assert_true(vc_ctl(&v, "stats", frame, FRAME_CAP) > 0);
	assert_int_equal(vc_num(strstr(frame, "\"disconnects\""), "pong_timeout"), 1);
	assert_int_equal(vc_stop(&v), 0);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_sigterm_announces_server_shutdown_and_exits_cleanly(void **state)
{
	static const char *const args[] = {"--rate", "100", NULL};
	struct vc_proc v;
	struct vc_ws *w;
	struct vc_ws *r;
	bool comb = false;
	bool raw = false;
	int n;

	assert_int_equal(vc_start(&v, args), 0);
	assert_int_equal(vc_ws_open(&w, &v, "/stream?streams=btcusdt@trade"), 0);
	assert_int_equal(vc_ws_open(&r, &v, "/ws/btcusdt@trade"), 0);
	kill(v.pid, SIGTERM);
	/* Read both while the venue delivers (200 ms) so neither sees the hang-up first. */
	for (int i = 0; i < 2000 && !(comb && raw); i++) {
		if ((n = vc_ws_next(w, frame, FRAME_CAP, 1)) > 0)
			comb = comb || starts(frame, "{\"stream\":\"!serverShutdown\",\"data\":"
						     "{\"e\":\"serverShutdown\",\"E\":");
		if ((n = vc_ws_next(r, frame, FRAME_CAP, 1)) > 0)
			raw = raw || starts(frame, "{\"e\":\"serverShutdown\",\"E\":");
	}
	assert_int_equal(vc_stop(&v), 0);
	assert_true(comb);
	assert_true(raw);
	vc_ws_close(w);
	vc_ws_close(r);
}

static void test_unknown_stream_or_path_is_closed_with_1008(void **state)
{
	static const char *const paths[] = {"/stream?streams=btcusdt@trade/nope@trade",
					    "/ws/btcusdt@kline_1m", "/other"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct vc_ws *w;
		int n;

		assert_int_equal(vc_ws_open(&w, &venue, paths[i]), 0);
		do
			n = vc_ws_next(w, frame, FRAME_CAP, 10000);
		while (n > 0);
		assert_int_equal(n, -1);
		assert_int_equal(vc_ws_close_code(w), 1008);
		vc_ws_close(w);
	}
}

/* A client that stops reading while the frame ring laps it is closed, not waited for. */
static void test_client_a_whole_ring_behind_is_closed_as_slow_consumer(void **state)
{
	static const char *const args[] = {"--rate", "100000", "--log-mb", "1", NULL};
	struct vc_proc v;
	struct vc_ws *w;
	int n;

	assert_int_equal(vc_start(&v, args), 0);
	assert_int_equal(vc_ws_open(&w, &v,
				    "/stream?streams=btcusdt@bookTicker/btcusdt@trade/"
				    "btcusdt@depth@100ms"),
			 0);
	sleep(5); /* not reading: socket buffers fill, the 1 MiB ring laps the cursor */
	do
		n = vc_ws_next(w, frame, FRAME_CAP, 10000);
	while (n > 0);
	assert_int_equal(n, -1);
	assert_int_equal(vc_ws_close_code(w), 1008);
	vc_ws_close(w);
	assert_true(vc_ctl(&v, "stats", frame, FRAME_CAP) > 0);
	assert_int_equal(vc_num(strstr(frame, "\"disconnects\""), "slow_consumer"), 1);
	assert_int_equal(vc_stop(&v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dup_fault_repeats_a_diff),
	    cmocka_unit_test(test_reorder_fault_sends_a_diff_after_its_successor),
	    cmocka_unit_test(test_garbage_fault_corrupts_one_frame_and_the_stream_goes_on),
	    cmocka_unit_test(test_oversize_fault_sends_one_huge_frame),
	    cmocka_unit_test(test_stall_and_slow_tls_keep_the_stream_intact),
	    cmocka_unit_test(test_drop_fault_cuts_the_connection_without_a_close_frame),
	    cmocka_unit_test(test_scheduled_fault_flag_injects_a_gap),
	    cmocka_unit_test(test_client_that_never_pongs_is_pinged_then_closed),
	    cmocka_unit_test(test_sigterm_announces_server_shutdown_and_exits_cleanly),
	    cmocka_unit_test(test_unknown_stream_or_path_is_closed_with_1008),
	    cmocka_unit_test(test_client_a_whole_ring_behind_is_closed_as_slow_consumer),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
