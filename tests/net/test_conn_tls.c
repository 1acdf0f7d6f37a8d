/*
 * test_conn_tls.c — tt_conn (io_uring + TLS over memory BIOs) against `openssl s_server`
 * and raw loopback listeners: verification with the right CA passes and with a wrong CA
 * or wrong identity fails, session resumption, data both ways (-rev reverses lines),
 * server-side close, reset, a server that never answers, idle timeout, refused connect,
 * guard refusal. Certificates are made in a temp dir at test time; every child is killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netio_util.h"
#include "tt_conn.h"
#include "tt_err.h"

static struct tt_loop loop;
static struct tt_tls_ctx tls_ok;    /* trusts the test CA */
static struct tt_tls_ctx tls_wrong; /* trusts an unrelated CA */
static struct tt_conn conn;
static uint16_t port_good; /* s_server with the right cert */
static uint16_t port_bad;  /* s_server whose cert names wrong.invalid only */
static uint16_t port_sni;  /* wrong cert by default, the right one for SNI "localhost" */

struct rec {
	int ups;
	int downs;
	int reason;
	int opens_seen;
	char data[70000];
	size_t n;
	uint64_t last_t_rx;
	bool stop_on_down; /* tt_conn_stop at the first on_down */
};
static struct rec rec;
static bool conn_used; /* conn was set up and may still have ops in flight */
static void conn_teardown(void);

static void on_up(struct tt_conn *c)
{
	rec.ups++;
}

static void on_data(struct tt_conn *c, const uint8_t *p, size_t n, uint64_t t_rx)
{
	if (rec.n + n < sizeof(rec.data)) {
		memcpy(rec.data + rec.n, p, n);
		rec.n += n;
		rec.data[rec.n] = '\0';
	}
	rec.last_t_rx = t_rx;
}

static void on_down(struct tt_conn *c, int reason)
{
	rec.downs++;
	rec.reason = reason;
	if (rec.stop_on_down)
		tt_conn_stop(c);
}

static const struct tt_conn_ops ops = {on_up, on_data, on_down};

/* Runs the loop until pred() or ~limit_ms (a safety net, not a timing assertion). */
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

static bool is_open(void)
{
	return conn.state == TT_CONN_OPEN;
}
static bool is_down(void)
{
	return rec.downs > 0;
}
static bool is_closed_quiet(void)
{
	return conn.state == TT_CONN_CLOSED && tt_conn_is_quiet(&conn);
}
static bool got_line(void)
{
	return memchr(rec.data, '\n', rec.n) != NULL;
}

static void conn_setup(struct tt_tls_ctx *tls, const char *host, uint16_t port, bool reconnect,
		       uint32_t idle_ms)
{
	struct tt_conn_cfg cfg = {
	    .host = host,
	    .port = port,
	    .reconnect = reconnect,
	    .connect_timeout_ms = 2000,
	    .handshake_timeout_ms = 2000,
	    .idle_timeout_ms = idle_ms,
	    .backoff_base_ms = 10,
	    .backoff_cap_ms = 50,
	    .backoff_seed = 42,
	};

	if (conn_used)
		conn_teardown(); /* a failed test left it running */
	memset(&rec, 0, sizeof(rec));
	conn_used = true;
	assert_int_equal(tt_conn_init(&conn, &loop, tls, &cfg, &ops, NULL), 0);
}

/* Stops the connection, drains every op, frees it. */
static void conn_teardown(void)
{
	conn_used = false;
	tt_conn_stop(&conn);
	assert_true(run_until(is_closed_quiet, 5000));
	tt_conn_fini(&conn);
}

static int group_setup(void **state)
{
	struct tt_tls_cfg ok = {0};
	struct tt_tls_cfg wrong = {0};

	if (nio_setup_pki() != 0)
		return -1;
	/* A second server cert that names neither localhost nor 127.0.0.1. */
	if (nio_sh("cd '%s' && printf 'subjectAltName=DNS:wrong.invalid\\n' > ext2.cnf && "
		   "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
		   "bad.key -out bad.csr -subj /CN=wrong.invalid 2>/dev/null && openssl x509 "
		   "-req -in bad.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out bad.pem "
		   "-days 2 -extfile ext2.cnf 2>/dev/null",
		   nio_dir) != 0)
		return -1;
	port_good = nio_free_port();
	if (nio_start_s_server(port_good, "-rev") < 0)
		return -1;
	port_bad = nio_free_port();
	{
		char extra[700];

		/* Same server, other cert: -cert/-key given again override the first pair. */
		snprintf(extra, sizeof(extra), "-rev -cert %s -key %s", nio_path("bad.pem"),
			 nio_path("bad.key"));
		if (nio_start_s_server(port_bad, extra) < 0)
			return -1;
	}
	port_sni = nio_free_port();
	{
		char extra[1400];

		snprintf(extra, sizeof(extra),
			 "-rev -cert %s -key %s -servername localhost -cert2 %s -key2 %s",
			 nio_path("bad.pem"), nio_path("bad.key"), nio_path("srv.pem"),
			 nio_path("srv.key"));
		if (nio_start_s_server(port_sni, extra) < 0)
			return -1;
	}
	ok.ca_file = nio_path("ca.pem");
	if (tt_tls_ctx_init(&tls_ok, &ok) != 0)
		return -1;
	wrong.ca_file = nio_path("other.pem");
	if (tt_tls_ctx_init(&tls_wrong, &wrong) != 0)
		return -1;
	return tt_loop_init(&loop, NULL);
}

static int group_teardown(void **state)
{
	if (conn_used)
		conn_teardown();
	tt_loop_fini(&loop);
	tt_tls_ctx_fini(&tls_ok);
	tt_tls_ctx_fini(&tls_wrong);
	nio_cleanup();
	return 0;
}

static void test_handshake_succeeds_with_test_ca_by_ip(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(rec.ups, 1);
	assert_int_equal(rec.downs, 0);
	conn_teardown();
	assert_int_equal(rec.reason, 0);
}

static void test_handshake_succeeds_with_test_ca_by_name(void **state)
{
	conn_setup(&tls_ok, "localhost", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	conn_teardown();
}

static void test_verify_fails_with_wrong_ca(void **state)
{
	conn_setup(&tls_wrong, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -EKEYREJECTED);
	assert_int_equal(rec.ups, 0);
	assert_int_equal(conn.state, TT_CONN_CLOSED);
	conn_teardown();
}

static void test_verify_fails_with_wrong_hostname(void **state)
{
	conn_setup(&tls_ok, "localhost", port_bad, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -EKEYREJECTED);
	assert_int_equal(rec.ups, 0);
	conn_teardown();
}

static void test_verify_fails_with_wrong_ip(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_bad, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -EKEYREJECTED);
	conn_teardown();
}

static void test_sni_selects_the_certificate_for_the_name(void **state)
{
	/* Only a client that sends SNI "localhost" gets the cert that verifies. */
	conn_setup(&tls_ok, "localhost", port_sni, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	conn_teardown();
}

static void test_data_echoes_both_ways(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(tt_conn_send(&conn, "hello ticktrade\n", 16), 0);
	assert_true(run_until(got_line, 5000));
	assert_string_equal(rec.data, "edartkcit olleh\n");
	assert_true(rec.last_t_rx > 0);
	assert_true(rec.last_t_rx <= tt_loop_stamp());
	conn_teardown();
}

static size_t want_bytes;
static bool got_bytes(void)
{
	return rec.n >= want_bytes || rec.downs > 0;
}

static void test_large_send_through_small_sndbuf_completes_in_partial_sends(void **state)
{
	static char out[600 * 100];
	static char expect[600 * 100];
	int small = 4096;
	int i, j;

	for (i = 0; i < 600; i++) {
		char *l = out + i * 100;

		snprintf(l, 100, "%05d-", i);
		for (j = 6; j < 99; j++)
			l[j] = (char)('A' + (i + j) % 26);
		l[99] = '\n';
		for (j = 0; j < 99; j++) /* s_server -rev answers each line reversed */
			expect[i * 100 + j] = l[98 - j];
		expect[i * 100 + 99] = '\n';
	}
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(setsockopt(conn.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	assert_int_equal(tt_conn_send(&conn, out, sizeof(out)), 0);
	want_bytes = sizeof(expect);
	assert_true(run_until(got_bytes, 10000));
	assert_int_equal(rec.downs, 0);
	assert_int_equal(rec.n, sizeof(expect));
	assert_memory_equal(rec.data, expect, sizeof(expect));
	printf("# %llu partial sends\n", (unsigned long long)conn.n_partial_sends);
	assert_true(conn.n_partial_sends > 0); /* the path under test did run */
	conn_teardown();
}

static void test_echo_with_busy_poll_loop(void **state)
{
	struct tt_loop_cfg bcfg = {.busy_poll = true};
	struct tt_loop saved = loop;

	assert_int_equal(tt_loop_init(&loop, &bcfg), 0);
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(tt_conn_send(&conn, "spin\n", 5), 0);
	assert_true(run_until(got_line, 5000));
	assert_string_equal(rec.data, "nips\n");
	conn_teardown();
	tt_loop_fini(&loop);
	loop = saved;
}

static void test_second_connect_resumes_session(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_false(tt_conn_session_reused(&conn));
	/* A round trip makes sure the TLS 1.3 tickets (sent after the handshake) are read. */
	assert_int_equal(tt_conn_send(&conn, "a\n", 2), 0);
	assert_true(run_until(got_line, 5000));
	assert_non_null(conn.tls.sess);
	tt_conn_stop(&conn);
	assert_true(run_until(is_closed_quiet, 5000));
	rec.n = 0;
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_true(tt_conn_session_reused(&conn));
	assert_int_equal(conn.tls.n_resumed, 1);
	conn_teardown();
}

static void test_server_close_reports_down_then_reconnects(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, true, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	assert_int_equal(tt_conn_send(&conn, "CLOSE\n", 6), 0); /* s_server -rev: hang up */
	assert_true(run_until(is_down, 5000));
	assert_true(rec.reason == -EPIPE || rec.reason == -ESHUTDOWN);
	assert_true(run_until(is_open, 5000)); /* BACKOFF → RESOLVING → ... → OPEN */
	assert_int_equal(conn.n_opens, 2);
	assert_int_equal(conn.backoff.attempt, 0); /* reset after success */
	conn_teardown();
}

static void test_silent_server_hits_handshake_timeout(void **state)
{
	uint16_t port = 0;
	int lfd = nio_listen(&port); /* the kernel completes TCP; nobody ever answers */

	assert_true(lfd >= 0);
	conn_setup(&tls_ok, "127.0.0.1", port, false, 0);
	conn.cfg.handshake_timeout_ms = 200;
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ETIMEDOUT);
	assert_int_equal(rec.ups, 0);
	conn_teardown();
	close(lfd);
}

static bool accepted_fd_ready(void);
static int lfd_rst = -1;
static int afd_rst = -1;
static bool accepted_fd_ready(void)
{
	if (afd_rst < 0)
		afd_rst = accept4(lfd_rst, NULL, NULL, SOCK_NONBLOCK);
	return afd_rst >= 0;
}

static void test_reset_during_handshake_reports_econnreset(void **state)
{
	uint16_t port = 0;

	lfd_rst = nio_listen(&port);
	assert_true(lfd_rst >= 0);
	fcntl(lfd_rst, F_SETFL, O_NONBLOCK);
	conn_setup(&tls_ok, "127.0.0.1", port, false, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(accepted_fd_ready, 5000));
	nio_close_rst(afd_rst);
	assert_true(run_until(is_down, 5000));
	assert_true(rec.reason == -ECONNRESET || rec.reason == -EPIPE);
	conn_teardown();
	close(lfd_rst);
	afd_rst = -1;
}

static void test_reset_after_open_reports_econnreset_and_reconnects(void **state)
{
	uint16_t port = nio_free_port();
	pid_t pid = nio_start_s_server(port, "-rev"); /* its own server: this one dies */

	assert_true(pid > 0);
	conn_setup(&tls_ok, "127.0.0.1", port, true, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	/* Bytes the server never reads, then its death: the kernel answers with an RST. */
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(tt_conn_send(&conn, "unread\n", 7), 0);
	assert_true(tt_loop_run_once(&loop, 50 * 1000000ll) >= 0); /* the send completes */
	nio_kill(pid);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ECONNRESET);
	/* reconnect path: BACKOFF → connect → refused (server gone) */
	while (conn.n_connects < 2)
		assert_true(tt_loop_run_once(&loop, 20 * 1000000ll) >= 0);
	assert_true(run_until(is_down, 5000));
	conn_teardown();
}

static int fill_fds[4] = {-1, -1, -1, -1};

static void test_connect_timeout_fires_when_syn_is_unanswered(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	uint16_t port = 0;
	int lfd = nio_listen(&port);
	int i;

	/* backlog 0 and a filled accept queue: further SYNs are dropped, connect hangs. */
	assert_true(lfd >= 0);
	assert_int_equal(listen(lfd, 0), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	for (i = 0; i < 4; i++) {
		fill_fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)!connect(fill_fds[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(100000);
	conn_setup(&tls_ok, "127.0.0.1", port, false, 0);
	conn.cfg.connect_timeout_ms = 200;
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	if (rec.reason != -ETIMEDOUT)
		printf("# reason %d (%s)\n", rec.reason, tt_strerror(rec.reason));
	assert_int_equal(rec.reason, -ETIMEDOUT);
	assert_int_equal(conn.tls.n_handshakes, 0);
	conn_teardown();
	for (i = 0; i < 4; i++)
		close(fill_fds[i]);
	close(lfd);
}

static void test_idle_timeout_fires_and_reconnects(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, true, 150);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_open, 5000));
	/* s_server -rev says nothing unless spoken to: the idle timer must fire. */
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ETIMEDOUT);
	assert_true(run_until(is_open, 5000));
	conn_teardown();
}

static void test_refused_connect_backs_off_and_retries(void **state)
{
	uint16_t port = nio_free_port(); /* nothing listens */

	conn_setup(&tls_ok, "127.0.0.1", port, true, 0);
	assert_int_equal(tt_conn_start(&conn), 0);
	assert_true(run_until(is_down, 5000));
	assert_int_equal(rec.reason, -ECONNREFUSED);
	while (conn.n_connects < 3)
		assert_true(tt_loop_run_once(&loop, 20 * 1000000ll) >= 0);
	assert_true(conn.backoff.attempt >= 2);
	conn_teardown();
}

static void test_guard_refuses_non_loopback_before_connect(void **state)
{
	conn_setup(&tls_ok, "192.0.2.1", 443, true, 0); /* TEST-NET-1, never loopback */
	assert_int_equal(tt_conn_start(&conn), -TT_EDENIED);
	assert_int_equal(rec.downs, 1);
	assert_int_equal(rec.reason, -TT_EDENIED);
	assert_int_equal(conn.state, TT_CONN_CLOSED); /* no retry of a refused endpoint */
	assert_int_equal(conn.fd, -1);
	conn_teardown();
}

static void test_send_before_open_is_refused(void **state)
{
	conn_setup(&tls_ok, "127.0.0.1", port_good, false, 0);
	assert_int_equal(tt_conn_send(&conn, "x", 1), -ENOTCONN);
	conn_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_succeeds_with_test_ca_by_ip),
	    cmocka_unit_test(test_handshake_succeeds_with_test_ca_by_name),
	    cmocka_unit_test(test_verify_fails_with_wrong_ca),
	    cmocka_unit_test(test_verify_fails_with_wrong_hostname),
	    cmocka_unit_test(test_verify_fails_with_wrong_ip),
	    cmocka_unit_test(test_sni_selects_the_certificate_for_the_name),
	    cmocka_unit_test(test_data_echoes_both_ways),
	    cmocka_unit_test(test_second_connect_resumes_session),
	    cmocka_unit_test(test_large_send_through_small_sndbuf_completes_in_partial_sends),
	    cmocka_unit_test(test_echo_with_busy_poll_loop),
	    cmocka_unit_test(test_server_close_reports_down_then_reconnects),
	    cmocka_unit_test(test_silent_server_hits_handshake_timeout),
	    cmocka_unit_test(test_reset_during_handshake_reports_econnreset),
	    cmocka_unit_test(test_reset_after_open_reports_econnreset_and_reconnects),
	    cmocka_unit_test(test_connect_timeout_fires_when_syn_is_unanswered),
	    cmocka_unit_test(test_idle_timeout_fires_and_reconnects),
	    cmocka_unit_test(test_refused_connect_backs_off_and_retries),
	    cmocka_unit_test(test_guard_refuses_non_loopback_before_connect),
	    cmocka_unit_test(test_send_before_open_is_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
