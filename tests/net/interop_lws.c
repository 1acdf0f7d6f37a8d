/*
 * interop_lws.c — the WebSocket and HTTP codecs (tt_ws.h, tt_http.h) against an
 * independent implementation: a libwebsockets server in a thread on 127.0.0.1
 * (kernel-chosen port),
 * our client over a plain blocking TCP socket found through tt_net_resolve (so the guard
 * runs too). Covered: handshake + Accept check, masked text and binary echo (70000 bytes
 * sent as three fragments with a ping in between, answered by lws's pong), a fragmented
 * server message with a ping in the middle (we answer the ping), close 1000 echoed; and
 * HTTP/1.1: three requests on one keep-alive connection to lws's file mount (two files,
 * one missing), every response parsed from the shared byte stream.
 * Real sockets on loopback only; receive timeouts keep a failure from hanging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_http.h"
#include "tt_resolve.h"
#include "tt_ws.h"

#define BIGMSG 70000

/* ---- the libwebsockets echo server ----------------------------------------------- */

static struct {
	struct lws_context *ctx;
	int port;
	int stop;
	uint8_t buf[LWS_PRE + BIGMSG + 16]; /* message being assembled / echoed */
	size_t len;
	int binary;
	int step; /* 0 idle, 1 echo pending, 10..12 the fragmented "frag" reply */
} srv;

static int srv_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		  size_t len)
{
	uint8_t *p = srv.buf + LWS_PRE;

	switch (reason) {
	case LWS_CALLBACK_RECEIVE:
		if (lws_is_first_fragment(wsi)) {
			srv.len = 0;
			srv.binary = lws_frame_is_binary(wsi);
		}
		if (srv.len + len > BIGMSG)
			return -1;
		memcpy(p + srv.len, in, len);
		srv.len += len;
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			srv.step = (srv.len == 4 && memcmp(p, "frag", 4) == 0) ? 10 : 1;
			lws_callback_on_writable(wsi);
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		/* one lws_write per writeable callback */
		if (srv.step == 1) {
			lws_write(wsi, p, srv.len, srv.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
			srv.step = 0;
		} else if (srv.step == 10) {
			memcpy(p, "ab", 2);
			lws_write(wsi, p, 2, LWS_WRITE_TEXT | LWS_WRITE_NO_FIN);
			srv.step = 11;
			lws_callback_on_writable(wsi);
		} else if (srv.step == 11) {
			memcpy(p, "pp", 2);
			lws_write(wsi, p, 2, LWS_WRITE_PING);
			srv.step = 12;
			lws_callback_on_writable(wsi);
		} else if (srv.step == 12) {
			memcpy(p, "cd", 2);
			lws_write(wsi, p, 2, LWS_WRITE_CONTINUATION);
			srv.step = 0;
		}
		break;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
	return 0;
}

static char www_dir[64];
static struct lws_http_mount www_mount;

static const struct lws_protocols srv_protocols[] = {
    {"tt-echo", srv_cb, 0, BIGMSG + 16, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *srv_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&srv.stop, __ATOMIC_ACQUIRE))
		lws_service(srv.ctx, 0);
	return NULL;
}

static int srv_start(pthread_t *th)
{
	struct lws_context_creation_info info;

	lws_set_log_level(0, NULL);
	memset(&info, 0, sizeof(info));
	info.port = 0;
	info.iface = "127.0.0.1";
	info.protocols = srv_protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	snprintf(www_dir, sizeof(www_dir), "/tmp/tt_netcodec_www.%d", (int)getpid());
	www_mount.mountpoint = "/files";
	www_mount.mountpoint_len = 6;
	www_mount.origin = www_dir;
	www_mount.origin_protocol = LWSMPRO_FILE;
	info.mounts = &www_mount;
	srv.ctx = lws_create_context(&info);
	if (!srv.ctx)
		return -1;
	srv.port = lws_get_vhost_listen_port(lws_get_vhost_by_name(srv.ctx, "default"));
	if (srv.port <= 0)
		return -1;
	return pthread_create(th, NULL, srv_main, NULL) == 0 ? 0 : -1;
}

static void srv_stop(pthread_t th)
{
	__atomic_store_n(&srv.stop, 1, __ATOMIC_RELEASE);
	lws_cancel_service(srv.ctx);
	pthread_join(th, NULL);
	lws_context_destroy(srv.ctx);
}

/* ---- our client ------------------------------------------------------------------- */

static struct {
	int fd;
	struct tt_ws_parser p;
	struct tt_ws_maskgen mg;
	uint8_t rx[2 * BIGMSG];
	size_t have;
	size_t drop; /* bytes of the last event to drop before the next parse */
	uint8_t frag[BIGMSG];
	uint8_t tx[BIGMSG + 64];
} cl;

static void send_all(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = send(cl.fd, b, n, MSG_NOSIGNAL);

		assert_true(w > 0);
		b += w;
		n -= (size_t)w;
	}
}

static void send_frame(unsigned op, bool fin, const void *p, size_t n)
{
	uint8_t key[4];
	ssize_t w;

	assert_int_equal(tt_ws_maskgen_next(&cl.mg, key), 0);
	w = tt_ws_encode(cl.tx, sizeof(cl.tx), op, fin, key, p, n);
	assert_true(w > 0);
	send_all(cl.tx, (size_t)w);
}

/* The next event; reads from the socket as needed. */
static void next_event(struct tt_ws_event *ev)
{
	memmove(cl.rx, cl.rx + cl.drop, cl.have - cl.drop);
	cl.have -= cl.drop;
	cl.drop = 0;
	for (;;) {
		size_t used = 0;
		int rc = tt_ws_parse(&cl.p, cl.rx, cl.have, &used, ev);
		ssize_t r;

		if (rc < 0)
			fail_msg("parse: %s", tt_err_msg());
		if (rc == 1) {
			cl.drop = used; /* ev->data may point into rx: drop later */
			return;
		}
		memmove(cl.rx, cl.rx + used, cl.have - used);
		cl.have -= used;
		r = recv(cl.fd, cl.rx + cl.have, sizeof(cl.rx) - cl.have, 0);
		if (r <= 0)
			fail_msg("recv: %zd (%s)", r, strerror(errno));
		cl.have += (size_t)r;
	}
}

static void test_codec_interoperates_with_libwebsockets(void **state)
{
	static struct tt_ws_handshake hs;
	static uint8_t big[BIGMSG];
	struct timeval tv = {5, 0};
	struct sockaddr_storage ss;
	struct tt_ws_event ev;
	uint8_t nonce[16];
	char req[512];
	char host[32];
	socklen_t sl;
	pthread_t th;
	size_t i;
	int one = 1;
	ssize_t n;

	if (srv_start(&th) < 0)
		fail_msg("libwebsockets server did not start");
	assert_int_equal(tt_net_resolve("127.0.0.1", (uint16_t)srv.port, &ss, &sl), 0);
	cl.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(cl.fd >= 0);
	setsockopt(cl.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cl.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	assert_int_equal(connect(cl.fd, (struct sockaddr *)&ss, sl), 0);

	/* handshake */
	for (i = 0; i < 16; i++)
		nonce[i] = (uint8_t)(i * 37 + 11);
	snprintf(host, sizeof(host), "127.0.0.1:%d", srv.port);
	n = tt_ws_handshake_build(&hs, req, sizeof(req), host, "/", nonce, NULL, 0);
	assert_true(n > 0);
	send_all(req, (size_t)n);
	for (;;) {
		size_t used = 0;
		ssize_t r = recv(cl.fd, cl.rx + cl.have, sizeof(cl.rx) - cl.have, 0);
		int rc;

		assert_true(r > 0);
		rc = tt_ws_handshake_feed(&hs, cl.rx + cl.have, (size_t)r, &used);
		if (rc == 0) {
			memmove(cl.rx, cl.rx + cl.have + used, (size_t)r - used);
			cl.have = (size_t)r - used;
			break;
		}
		if (rc != -EAGAIN)
			fail_msg("handshake: %s", tt_err_msg());
	}
	tt_ws_parser_init(&cl.p, cl.frag, sizeof(cl.frag), BIGMSG, 0);

	/* text echo */
	send_frame(TT_WS_OP_TEXT, true, "hello, lws", 10);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_MESSAGE);
	assert_int_equal(ev.opcode, TT_WS_OP_TEXT);
	assert_int_equal(ev.len, 10);
	assert_memory_equal(ev.data, "hello, lws", 10);

	/* 70000 bytes in three fragments, a ping between them */
	for (i = 0; i < BIGMSG; i++)
		big[i] = (uint8_t)(i * 131 + 7);
	send_frame(TT_WS_OP_BINARY, false, big, 30000);
	send_frame(TT_WS_OP_PING, true, "are you there", 13);
	send_frame(TT_WS_OP_CONT, false, big + 30000, 30000);
	send_frame(TT_WS_OP_CONT, true, big + 60000, BIGMSG - 60000);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_PONG);
	assert_int_equal(ev.len, 13);
	assert_memory_equal(ev.data, "are you there", 13);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_MESSAGE);
	assert_int_equal(ev.opcode, TT_WS_OP_BINARY);
	assert_int_equal(ev.len, BIGMSG);
	assert_memory_equal(ev.data, big, BIGMSG);

	/* the server fragments: "ab" ping "cd" */
	send_frame(TT_WS_OP_TEXT, true, "frag", 4);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_PING);
	assert_int_equal(ev.len, 2);
	send_frame(TT_WS_OP_PONG, true, ev.data, ev.len);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_MESSAGE);
	assert_int_equal(ev.len, 4);
	assert_memory_equal(ev.data, "abcd", 4);

	/* close */
	assert_true((n = tt_ws_encode_close(cl.tx, sizeof(cl.tx), (const uint8_t *)"\1\2\3\4", 1000,
					    "bye", 3)) > 0);
	send_all(cl.tx, (size_t)n);
	next_event(&ev);
	assert_int_equal(ev.type, TT_WS_EV_CLOSE);
	assert_int_equal(ev.close_code, 1000);
	assert_int_equal(cl.p.messages, 3);
	close(cl.fd);
	srv_stop(th);
}

static void write_file(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", www_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void remove_www(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/a.json", www_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.html", www_dir);
	unlink(path);
	rmdir(www_dir);
}

static void test_http_parser_reads_libwebsockets_responses(void **state)
{
	static char a[5000];
	static char body[8192];
	static struct tt_http_resp r;
	static const char *paths[] = {"/files/a.json", "/files/b.html", "/files/missing.txt"};
	struct timeval tv = {5, 0};
	struct sockaddr_storage ss;
	char req[1024];
	char host[32];
	socklen_t sl;
	pthread_t th;
	size_t i;
	int fd;

	memset(&srv, 0, offsetof(typeof(srv), buf));
	for (i = 0; i < sizeof(a); i++)
		a[i] = (char)('A' + i % 26);
	if (srv_start(&th) < 0)
		fail_msg("libwebsockets server did not start");
	mkdir(www_dir, 0700);
	write_file("a.json", a, sizeof(a));
	write_file("b.html", "tiny\n", 5);
	assert_int_equal(tt_net_resolve("localhost", (uint16_t)srv.port, &ss, &sl), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	snprintf(host, sizeof(host), "localhost:%d", srv.port);
	cl.have = 0;
	/* three requests, one after the other on the same keep-alive connection (lws 4.1
	 * answers a pipelined second request with 403, so no pipelining) */
	for (i = 0; i < 3; i++) {
		const struct tt_http_kv h[] = {{"User-Agent", "tt-netcodec-test"}};
		ssize_t n =
		    tt_http_req_build(req, sizeof(req), "GET", host, paths[i], h, 1, NULL, 0);
		int rc = -EAGAIN;

		assert_true(n > 0);
		assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);

		tt_http_resp_init(&r, body, sizeof(body), 0);
		for (;;) {
			size_t used = 0;
			ssize_t got;

			if (cl.have) {
				rc = tt_http_resp_feed(&r, cl.rx, cl.have, &used);
				memmove(cl.rx, cl.rx + used, cl.have - used);
				cl.have -= used;
				if (rc != -EAGAIN)
					break;
			}
			got = recv(fd, cl.rx + cl.have, sizeof(cl.rx) - cl.have, 0);
			if (got == 0) {
				rc = tt_http_resp_eof(&r);
				break;
			}
			assert_true(got > 0);
			cl.have += (size_t)got;
		}
		if (rc != 0)
			fail_msg("response %zu: %s", i, tt_err_msg());
		if (getenv("TT_DEBUG"))
			fprintf(stderr, "%.*s", (int)r.head_len, r.head);
		if (i == 0) {
			assert_int_equal(r.status, 200);
			assert_int_equal(r.content_length, (int64_t)sizeof(a));
			assert_int_equal(r.body_len, sizeof(a));
			assert_memory_equal(body, a, sizeof(a));
			assert_true(r.keep_alive);
		} else if (i == 1) {
			assert_int_equal(r.status, 200);
			assert_int_equal(r.body_len, 5);
			assert_memory_equal(body, "tiny\n", 5);
		} else {
			assert_int_equal(r.status, 404);
		}
	}
	close(fd);
	srv_stop(th);
}

static int teardown_www(void **state)
{
	remove_www(); /* also after a failed assertion */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codec_interoperates_with_libwebsockets),
	    cmocka_unit_test_teardown(test_http_parser_reads_libwebsockets_responses, teardown_www),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
