/*
 * test_https.c — tt_https (tt_conn + tt_http codec) against two independent servers:
 * `openssl s_server -WWW` (HTTP/1.0, close-delimited body) and the libwebsockets server
 * (Content-Length, keep-alive, POST body). Certificates made at test time; children killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netio_lws_server.h"
#include "tt_err.h"
#include "tt_https.h"

static struct tt_loop loop;
static struct tt_tls_ctx tls;
static struct tt_https https;
static char body[400 * 1024];
static uint16_t port_www;
static uint16_t port_lws;

struct done {
	int calls;
	int rc;
	int status;
	size_t len;
	uint64_t t_rx;
	char body[4096];
	bool again; /* issue a second GET from on_done */
};
static struct done done;

static void on_done(struct tt_https *h, int rc, const struct tt_http_resp *r, uint64_t t_rx)
{
	done.calls++;
	done.rc = rc;
	done.status = r->status;
	done.len = r->body_len;
	done.t_rx = t_rx;
	memcpy(done.body, r->body, r->body_len < sizeof(done.body) - 1 ? r->body_len : 0);
	done.body[r->body_len < sizeof(done.body) - 1 ? r->body_len : 0] = '\0';
	if (done.again) {
		done.again = false;
		assert_int_equal(
		    tt_https_request(h, "GET", "/api/v3/depth?symbol=X&limit=5", NULL, 0, NULL, 0),
		    0);
	}
}

static int want_calls;
static bool got_done(void)
{
	return done.calls >= want_calls;
}
static bool quiet_closed(void)
{
	return tt_conn_is_quiet(&https.conn) && https.conn.state != TT_CONN_CLOSING;
}

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

static void https_setup(uint16_t port)
{
	struct tt_conn_cfg cfg = {.host = "localhost", .port = port};

	memset(&done, 0, sizeof(done));
	want_calls = 1;
	assert_int_equal(
	    tt_https_init(&https, &loop, &tls, &cfg, body, sizeof(body), on_done, NULL), 0);
}

static void https_teardown(void)
{
	tt_https_stop(&https);
	assert_true(run_until(quiet_closed, 5000));
	tt_https_fini(&https);
}

static int group_setup(void **state)
{
	struct tt_tls_cfg cfg = {0};

	if (nio_setup_pki() != 0)
		return -1;
	if (nio_sh("printf 'snapshot-from-s_server\\n' > '%s/snap.txt'", nio_dir) != 0)
		return -1;
	/* 300 KB: many TLS records, far more than one recv buffer */
	if (nio_sh("cd '%s' && i=0; while [ $i -lt 3000 ]; do printf '%%099d\\n' $i; "
		   "i=$((i+1)); done > big.txt",
		   nio_dir) != 0)
		return -1;
	port_www = nio_free_port();
	if (nio_start_s_server(port_www, "-WWW") < 0)
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
	tt_loop_fini(&loop);
	tt_tls_ctx_fini(&tls);
	nio_cleanup();
	return 0;
}

static void test_get_close_delimited_body_from_s_server(void **state)
{
	https_setup(port_www);
	assert_int_equal(tt_https_request(&https, "GET", "/snap.txt", NULL, 0, NULL, 0), 0);
	assert_true(run_until(got_done, 5000));
	assert_int_equal(done.rc, 0);
	assert_int_equal(done.status, 200);
	assert_string_equal(done.body, "snapshot-from-s_server\n");
	https_teardown();
}

static void test_get_300k_body_spanning_many_records(void **state)
{
	char line[128];

	https_setup(port_www);
	assert_int_equal(tt_https_request(&https, "GET", "/big.txt", NULL, 0, NULL, 0), 0);
	assert_true(run_until(got_done, 10000));
	assert_int_equal(done.rc, 0);
	assert_int_equal(done.status, 200);
	assert_int_equal(done.len, 300000);
	snprintf(line, sizeof(line), "%099d\n", 2999);
	assert_memory_equal(body + 299900, line, 100);
	https_teardown();
}

static void test_body_over_buffer_is_refused(void **state)
{
	struct tt_conn_cfg cfg = {.host = "localhost", .port = port_lws};

	memset(&done, 0, sizeof(done));
	want_calls = 1;
	assert_int_equal(tt_https_init(&https, &loop, &tls, &cfg, body, 16, on_done, NULL), 0);
	assert_int_equal(tt_https_request(&https, "GET", "/a", NULL, 0, NULL, 0), 0);
	assert_true(run_until(got_done, 5000));
	assert_int_equal(done.rc, -EMSGSIZE);
	https_teardown();
}

static void test_get_snapshot_with_content_length_from_lws(void **state)
{
	https_setup(port_lws);
	assert_int_equal(
	    tt_https_request(&https, "GET", "/api/v3/depth?symbol=X&limit=5", NULL, 0, NULL, 0), 0);
	assert_true(run_until(got_done, 5000));
	assert_int_equal(done.rc, 0);
	assert_int_equal(done.status, 200);
	assert_string_equal(done.body, NIO_SNAPSHOT);
	assert_true(done.t_rx > 0);
	https_teardown();
}

static void test_second_get_from_on_done_reuses_keepalive_connection(void **state)
{
	https_setup(port_lws);
	done.again = true;
	want_calls = 2;
	assert_int_equal(tt_https_request(&https, "GET", "/a", NULL, 0, NULL, 0), 0);
	assert_true(run_until(got_done, 5000));
	assert_int_equal(done.rc, 0);
	assert_string_equal(done.body, NIO_SNAPSHOT);
	assert_int_equal(https.conn.n_connects, 1); /* keep-alive: one connection */
	https_teardown();
}

static void test_post_sends_body(void **state)
{
	const struct tt_http_kv hdrs[] = {{"Content-Type", "application/json"}};

	https_setup(port_lws);
	assert_int_equal(
	    tt_https_request(&https, "POST", "/api/v3/order", hdrs, 1, "{\"side\":\"BUY\"}", 14),
	    0);
	assert_true(run_until(got_done, 5000));
	assert_int_equal(done.rc, 0);
	assert_int_equal(done.status, 200);
	assert_string_equal(done.body, "got:{\"side\":\"BUY\"}");
	https_teardown();
}

static void test_second_request_while_pending_is_busy(void **state)
{
	https_setup(port_lws);
	assert_int_equal(tt_https_request(&https, "GET", "/a", NULL, 0, NULL, 0), 0);
	assert_int_equal(tt_https_request(&https, "GET", "/b", NULL, 0, NULL, 0), -EBUSY);
	assert_true(run_until(got_done, 5000));
	https_teardown();
}

static void test_refused_endpoint_fails_without_callback(void **state)
{
	struct tt_conn_cfg cfg = {.host = "192.0.2.7", .port = 443};

	memset(&done, 0, sizeof(done));
	assert_int_equal(
	    tt_https_init(&https, &loop, &tls, &cfg, body, sizeof(body), on_done, NULL), 0);
	assert_int_equal(tt_https_request(&https, "GET", "/", NULL, 0, NULL, 0), -TT_EDENIED);
	assert_int_equal(done.calls, 0);
	https_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_close_delimited_body_from_s_server),
	    cmocka_unit_test(test_get_300k_body_spanning_many_records),
	    cmocka_unit_test(test_body_over_buffer_is_refused),
	    cmocka_unit_test(test_get_snapshot_with_content_length_from_lws),
	    cmocka_unit_test(test_second_get_from_on_done_reuses_keepalive_connection),
	    cmocka_unit_test(test_post_sends_body),
	    cmocka_unit_test(test_second_request_while_pending_is_busy),
	    cmocka_unit_test(test_refused_endpoint_fails_without_callback),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
