/*
 * test_wsconn_lws.c — tt_wsconn (io_uring + TLS + our RFC 6455 codec) against an
 * independent libwebsockets TLS server in a forked child (netio_lws_server.h): every
 * payload length form, fragmentation with a ping in the middle, pings answered with the
 * same payload, close handshakes both ways, the frame size limit, a half-sent frame then
 * silence (idle timeout), an abrupt reset (error, then the reconnect path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netio_lws_server.h"
#include "tt_err.h"
#include "tt_wsconn.h"

#define MAX_MSG 70000

static struct tt_loop loop;
static struct tt_tls_ctx tls;
static struct tt_wsconn ws;
static uint8_t rxbuf[MAX_MSG + TT_WS_MAX_HEADER];
static uint8_t fragbuf[MAX_MSG];
static uint16_t port_lws;
static bool ws_used;

#define NMSG 16
struct rec {
	int opens;
	int downs;
	int reason;
	uint16_t close_code;
	int nmsg;
	size_t len[NMSG];
	char head[NMSG][64];   /* first bytes of each message, NUL-terminated */
	bool ok_pattern[NMSG]; /* payload is the server's 'a'..'z' pattern */
	uint64_t t_rx[NMSG];
};
static struct rec rec;

static void on_open(struct tt_wsconn *w)
{
	rec.opens++;
}

static void on_msg(struct tt_wsconn *w, const uint8_t *p, size_t n, bool binary, uint64_t t_rx)
{
	size_t i;
	int k = rec.nmsg;

	if (k >= NMSG)
		return;
	rec.len[k] = n;
	memcpy(rec.head[k], p, n < 63 ? n : 63);
	rec.head[k][n < 63 ? n : 63] = '\0';
	rec.ok_pattern[k] = true;
	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)('a' + i % 26))
			rec.ok_pattern[k] = false;
	rec.t_rx[k] = t_rx;
	rec.nmsg++;
}

static void on_down(struct tt_wsconn *w, int reason, uint16_t close_code)
{
	rec.downs++;
	rec.reason = reason;
	rec.close_code = close_code;
}

static const struct tt_wsconn_ops ops = {on_open, on_msg, on_down};

static bool run_until(bool (*pred)(void), int limit_ms)
{
	uint64_t end = tt_loop_stamp() + (uint64_t)limit_ms * 1000000ull;

	while (!pred()) {
		if (tt_loop_stamp() > end)
			return false;
		if (tt_loop_run_once(&loop, 20 * 1000000ll) < 0)
			return false;
	}
	return true;
}

static int want_msgs;
static bool is_open(void)
{
	return ws.conn.state == TT_CONN_OPEN;
}
static bool got_msgs(void)
{
	return rec.nmsg >= want_msgs;
}
static bool is_down(void)
{
	return rec.downs > 0;
}
static bool closed_quiet(void)
{
	return ws.conn.state == TT_CONN_CLOSED && tt_conn_is_quiet(&ws.conn);
}

static void ws_teardown(void)
{
	ws_used = false;
	tt_wsconn_stop(&ws);
	assert_true(run_until(closed_quiet, 5000));
	tt_wsconn_fini(&ws);
}

static void ws_setup(uint16_t port, size_t max_msg, uint32_t idle_ms, bool reconnect)
{
	struct tt_wsconn_cfg cfg = {
	    .conn =
		{
		    .host = "localhost",
		    .port = port,
		    .reconnect = reconnect,
		    .connect_timeout_ms = 2000,
		    .handshake_timeout_ms = 3000,
		    .idle_timeout_ms = idle_ms,
		    .backoff_base_ms = 10,
		    .backoff_cap_ms = 40,
		    .backoff_seed = 7,
		},
	    .path = "/stream?streams=btcusdt@depth@100ms",
	};

	if (ws_used)
		ws_teardown();
	memset(&rec, 0, sizeof(rec));
	ws_used = true;
	assert_int_equal(tt_wsconn_init(&ws, &loop, &tls, &cfg, &ops, NULL, rxbuf, sizeof(rxbuf),
					fragbuf, max_msg),
			 0);
	assert_int_equal(tt_wsconn_start(&ws), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(rec.opens, 1);
}

static void send_cmd(const char *cmd)
{
	assert_int_equal(tt_wsconn_send(&ws, cmd, strlen(cmd), false), 0);
}

static int group_setup(void **state)
{
	struct tt_tls_cfg cfg = {0};

	if (nio_setup_pki() != 0)
		return -1;
	if (nio_lws_start(&port_lws) < 0)
		return -1;
	cfg.ca_file = nio_path("ca.pem");
	if (tt_tls_ctx_init(&tls, &cfg) != 0)
		return -1;
	return tt_loop_init(&loop, NULL);
}

static int group_teardown(void **state)
{
	if (ws_used)
		ws_teardown();
	tt_loop_fini(&loop);
	tt_tls_ctx_fini(&tls);
	nio_cleanup();
	return 0;
}

static void test_echo_text_round_trip(void **state)
{
	uint64_t t0;

	ws_setup(port_lws, MAX_MSG, 0, false);
	t0 = tt_loop_stamp();
	send_cmd("echo:hello venue");
	want_msgs = 1;
	assert_true(run_until(got_msgs, 5000));
	assert_string_equal(rec.head[0], "hello venue");
	assert_true(rec.t_rx[0] >= t0);
	assert_true(rec.t_rx[0] <= tt_loop_stamp());
	ws_teardown();
}

static void test_payload_lengths_cover_every_length_form(void **state)
{
	static const size_t lens[] = {0, 1, 125, 126, 127, 65535, 65536};
	char cmd[32];
	size_t i;

	ws_setup(port_lws, MAX_MSG, 0, false);
	for (i = 0; i < TT_ARRAY_LEN(lens); i++) {
		snprintf(cmd, sizeof(cmd), "len:%zu", lens[i]);
		send_cmd(cmd);
		want_msgs = (int)i + 1;
		assert_true(run_until(got_msgs, 5000));
		assert_int_equal(rec.len[i], lens[i]);
		assert_true(rec.ok_pattern[i]);
	}
	ws_teardown();
}

static void test_fragmented_message_with_ping_inside_is_reassembled_and_ponged(void **state)
{
	int i;
	bool whole = false, pong = false;

	ws_setup(port_lws, MAX_MSG, 0, false);
	send_cmd("frag");
	want_msgs = 2; /* the message, and the server's report of our pong */
	assert_true(run_until(got_msgs, 5000));
	for (i = 0; i < rec.nmsg; i++) {
		whole |= strcmp(rec.head[i], "Hello, world") == 0;
		pong |= strcmp(rec.head[i], "pong:mid") == 0;
	}
	assert_true(whole);
	assert_true(pong);
	assert_int_equal(ws.n_pings, 1);
	ws_teardown();
}

static void test_ping_is_answered_with_same_payload(void **state)
{
	ws_setup(port_lws, MAX_MSG, 0, false);
	send_cmd("ping:0123456789");
	want_msgs = 1;
	assert_true(run_until(got_msgs, 5000));
	assert_string_equal(rec.head[0], "pong:0123456789");
	ws_teardown();
}

static void test_server_close_is_answered_then_reconnects(void **state)
{
	ws_setup(port_lws, MAX_MSG, 0, true);
	send_cmd("close");
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ESHUTDOWN);
	assert_int_equal(rec.close_code, 1000);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(rec.opens, 2);
	send_cmd("echo:again"); /* the new connection works */
	want_msgs = 1;
	assert_true(run_until(got_msgs, 5000));
	assert_string_equal(rec.head[0], "again");
	ws_teardown();
}

static void test_client_close_handshake_completes(void **state)
{
	ws_setup(port_lws, MAX_MSG, 0, false);
	tt_wsconn_close(&ws, 1000);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, 0);
	assert_int_equal(rec.close_code, 1000); /* the server echoed our close */
	ws_teardown();
}

static void test_client_close_unanswered_times_out(void **state)
{
	uint16_t port = 0;
	pid_t pid = nio_lws_start(&port); /* its own server: frozen below */

	assert_true(pid > 0);
	ws_setup(port, MAX_MSG, 0, false);
	ws.conn.cfg.close_timeout_ms = 200;
	assert_int_equal(kill(pid, SIGSTOP), 0);
	tt_wsconn_close(&ws, 1000);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ETIMEDOUT);
	assert_int_equal(rec.close_code, 0); /* no answer came */
	nio_kill(pid);
	ws_teardown();
}

static void test_frame_over_max_size_is_refused(void **state)
{
	ws_setup(port_lws, 1000, 0, false);
	send_cmd("len:1000"); /* exactly the limit: accepted */
	want_msgs = 1;
	assert_true(run_until(got_msgs, 5000));
	assert_int_equal(rec.len[0], 1000);
	send_cmd("len:1001");
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -EMSGSIZE);
	assert_int_equal(rec.nmsg, 1);
	assert_int_equal(ws.n_refused, 1);
	ws_teardown();
}

static void test_half_sent_frame_then_stall_fires_idle_timeout(void **state)
{
	ws_setup(port_lws, MAX_MSG, 300, false);
	send_cmd("half");
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ETIMEDOUT);
	assert_int_equal(rec.nmsg, 0);
	ws_teardown();
}

static bool reconnecting(void)
{
	return rec.downs >= 2 || ws.conn.n_connects >= 3;
}

static void test_abrupt_reset_reports_error_and_reconnects(void **state)
{
	uint16_t port = 0;
	pid_t pid = nio_lws_start(&port); /* its own server: this one dies */

	assert_true(pid > 0);
	ws_setup(port, MAX_MSG, 0, true);
	send_cmd("rst");
	assert_true(run_until(is_down, 5000));
	assert_true(rec.reason == -ECONNRESET || rec.reason == -EPIPE);
	/* the reconnect path runs: BACKOFF → connect → refused (server gone) → BACKOFF ... */
	assert_true(run_until(reconnecting, 5000));
	assert_int_equal(rec.reason, -ECONNREFUSED);
	nio_kill(pid);
	ws_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_echo_text_round_trip),
	    cmocka_unit_test(test_payload_lengths_cover_every_length_form),
	    cmocka_unit_test(test_fragmented_message_with_ping_inside_is_reassembled_and_ponged),
	    cmocka_unit_test(test_ping_is_answered_with_same_payload),
	    cmocka_unit_test(test_server_close_is_answered_then_reconnects),
	    cmocka_unit_test(test_client_close_handshake_completes),
	    cmocka_unit_test(test_client_close_unanswered_times_out),
	    cmocka_unit_test(test_frame_over_max_size_is_refused),
	    cmocka_unit_test(test_half_sent_frame_then_stall_fires_idle_timeout),
	    cmocka_unit_test(test_abrupt_reset_reports_error_and_reconnects),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
