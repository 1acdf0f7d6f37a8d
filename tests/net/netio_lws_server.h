/*
 * netio_lws_server.h — an independent TLS WebSocket server for interop tests, built on
 * libwebsockets (the examiner must not share our protocol code, DESIGN §1). It runs in a
 * forked child (nio_lws_start) that dies with the test (PR_SET_PDEATHSIG) and is killed by
 * nio_cleanup. The client drives it with text commands:
 *
 *   echo:X   → text "X"
 *   len:N    → one text message of N bytes ('a'..'z' repeating)
 *   frag     → "Hel" (TEXT, NO_FIN) "lo, " (CONT, NO_FIN) ping "mid" "world" (CONT, FIN)
 *   ping:X   → a ping with payload X
 *   close    → server-initiated close, code 1000 reason "bye"
 *   half     → the first 12 bytes of a 100-byte text frame, straight into the TLS stream,
 *              then silence (the client's idle timeout must fire)
 *   rst      → SO_LINGER 0 and exit: the kernel answers with an RST
 * and every pong it receives is reported back as text "pong:<payload>".
 * HTTPS on the same port: GET (any path) answers a fixed depth-snapshot JSON with
 * Content-Length and keep-alive; POST answers "got:<body>".
 * One write per WRITEABLE callback (the lws rule); steps queue in the session.
 */
#ifndef NETIO_LWS_SERVER_H
#define NETIO_LWS_SERVER_H

#include <libwebsockets.h>
#include <openssl/ssl.h>

#include "netio_util.h"

enum nio_step_kind {
	NIO_TEXT,
	NIO_PATTERN, /* text of len bytes 'a'..'z' repeating */
	NIO_FRAG_FIRST,
	NIO_FRAG_CONT,
	NIO_FRAG_LAST,
	NIO_PING,
	NIO_CLOSE,
	NIO_HALF,
	NIO_RST,
};

struct nio_step {
	enum nio_step_kind kind;
	size_t len;	/* payload length */
	char data[128]; /* payload (not for NIO_PATTERN) */
};

#define NIO_STEPS 32
struct nio_sess {
	struct nio_step q[NIO_STEPS];
	unsigned head;
	unsigned tail;
};

static unsigned char nio_lws_buf[LWS_PRE + 70000];

static void nio_lws_push(struct lws *wsi, struct nio_sess *s, enum nio_step_kind k,
			 const char *data, size_t len)
{
	struct nio_step *st;

	if (s->tail - s->head >= NIO_STEPS)
		return;
	st = &s->q[s->tail++ % NIO_STEPS];
	st->kind = k;
	st->len = len;
	if (data && len <= sizeof(st->data))
		memcpy(st->data, data, len);
	else
		st->data[0] = '\0';
	lws_callback_on_writable(wsi);
}

static int nio_lws_write_step(struct lws *wsi, struct nio_sess *s)
{
	struct nio_step *st = &s->q[s->head++ % NIO_STEPS];
	unsigned char *p = nio_lws_buf + LWS_PRE;
	size_t i;
	int wp;

	if (st->kind != NIO_PATTERN && st->len <= sizeof(st->data))
		memcpy(p, st->data, st->len);
	switch (st->kind) {
	case NIO_PATTERN:
		for (i = 0; i < st->len; i++)
			p[i] = (unsigned char)('a' + i % 26);
		wp = LWS_WRITE_TEXT;
		break;
	case NIO_TEXT:
		wp = LWS_WRITE_TEXT;
		break;
	case NIO_FRAG_FIRST:
		wp = LWS_WRITE_TEXT | LWS_WRITE_NO_FIN;
		break;
	case NIO_FRAG_CONT:
		wp = LWS_WRITE_CONTINUATION | LWS_WRITE_NO_FIN;
		break;
	case NIO_FRAG_LAST:
		wp = LWS_WRITE_CONTINUATION;
		break;
	case NIO_PING:
		wp = LWS_WRITE_PING;
		break;
	case NIO_CLOSE:
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
		return -1;
	case NIO_HALF: {
		/* FIN|text, 100-byte payload (no mask), then only 10 of its bytes. */
		unsigned char raw[12] = {0x81, 100, 'p', 'a', 'r', 't',
					 'i',  'a', 'l', '.', '.', '.'};

		if (SSL_write(lws_get_ssl(wsi), raw, sizeof(raw)) != (int)sizeof(raw))
			return -1;
		return 0;
	}
	case NIO_RST: {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};

		setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		_exit(0);
	}
	default:
		return -1;
	}
	if (lws_write(wsi, p, st->len, (enum lws_write_protocol)wp) < (int)st->len)
		return -1;
	if (s->head != s->tail)
		lws_callback_on_writable(wsi);
	return 0;
}

#define NIO_SNAPSHOT                                                                               \
	"{\"lastUpdateId\":1027024,\"bids\":[[\"4.00000000\",\"431.00000000\"]],"                  \
	"\"asks\":[[\"4.00000200\",\"12.00000000\"]]}"

static char nio_http_body[2048];
static size_t nio_http_len;

static int nio_lws_http_reply(struct lws *wsi, const char *body, size_t len)
{
	unsigned char hdr[LWS_PRE + 512];
	unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;

	if (len > sizeof(nio_lws_buf) - LWS_PRE)
		return -1;
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "application/json", len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	memcpy(nio_lws_buf + LWS_PRE, body, len);
	if (lws_write(wsi, nio_lws_buf + LWS_PRE, len, LWS_WRITE_HTTP_FINAL) != (int)len)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int nio_lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len)
{
	struct nio_sess *s = user;
	const char *m = in;
	char tmp[160];

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(s, 0, sizeof(*s));
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (len >= 5 && !memcmp(m, "echo:", 5))
			nio_lws_push(wsi, s, NIO_TEXT, m + 5, len - 5);
		else if (len >= 4 && !memcmp(m, "len:", 4)) {
			size_t n;

			snprintf(tmp, sizeof(tmp), "%.*s", (int)(len > 20 ? 20 : len - 4), m + 4);
			n = (size_t)strtoul(tmp, NULL, 10); /* in is not NUL-terminated */

			nio_lws_push(wsi, s, NIO_PATTERN, NULL, n > 66000 ? 66000 : n);
		} else if (len == 4 && !memcmp(m, "frag", 4)) {
			nio_lws_push(wsi, s, NIO_FRAG_FIRST, "Hel", 3);
			nio_lws_push(wsi, s, NIO_FRAG_CONT, "lo, ", 4);
			nio_lws_push(wsi, s, NIO_PING, "mid", 3);
			nio_lws_push(wsi, s, NIO_FRAG_LAST, "world", 5);
		} else if (len >= 5 && !memcmp(m, "ping:", 5))
			nio_lws_push(wsi, s, NIO_PING, m + 5, len - 5 > 125 ? 125 : len - 5);
		else if (len == 5 && !memcmp(m, "close", 5))
			nio_lws_push(wsi, s, NIO_CLOSE, NULL, 0);
		else if (len == 4 && !memcmp(m, "half", 4))
			nio_lws_push(wsi, s, NIO_HALF, NULL, 0);
		else if (len == 3 && !memcmp(m, "rst", 3))
			nio_lws_push(wsi, s, NIO_RST, NULL, 0);
		return 0;
	case LWS_CALLBACK_RECEIVE_PONG:
		snprintf(tmp, sizeof(tmp), "pong:%.*s", (int)(len > 125 ? 125 : len), m);
		nio_lws_push(wsi, s, NIO_TEXT, tmp, strlen(tmp));
		return 0;
	case LWS_CALLBACK_HTTP:
		nio_http_len = 0;
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
			return 0; /* the body follows */
		return nio_lws_http_reply(wsi, NIO_SNAPSHOT, strlen(NIO_SNAPSHOT));
	case LWS_CALLBACK_HTTP_BODY:
		if (nio_http_len + len < sizeof(nio_http_body)) {
			memcpy(nio_http_body + nio_http_len, in, len);
			nio_http_len += len;
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		snprintf(tmp, sizeof(tmp), "got:%.*s",
			 (int)(nio_http_len > 150 ? 150 : nio_http_len), nio_http_body);
		return nio_lws_http_reply(wsi, tmp, strlen(tmp));
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (s->head == s->tail)
			return 0;
		return nio_lws_write_step(wsi, s);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols nio_lws_protocols[] = {
    {"tt-test", nio_lws_cb, sizeof(struct nio_sess), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Child body: serve forever on 127.0.0.1:port with the test server cert. */
static void nio_lws_child(uint16_t port, const char *ready_file)
{
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	FILE *f;

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = "127.0.0.1";
	info.protocols = nio_lws_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.ssl_cert_filepath = nio_path("srv.pem");
	info.ssl_private_key_filepath = nio_path("srv.key");
	ctx = lws_create_context(&info);
	if (!ctx)
		_exit(2);
	f = fopen(ready_file, "w");
	if (f) {
		fputs("READY\n", f);
		fclose(f);
	}
	for (;;)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_context_destroy(ctx);
	_exit(0);
}

/* Forks the lws server on a free port; returns its pid (port in *port) once ready, or -1. */
static inline pid_t nio_lws_start(uint16_t *port)
{
	char ready[320];
	pid_t pid;

	*port = nio_free_port();
	snprintf(ready, sizeof(ready), "%s/lws.%u.ready", nio_dir, *port);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGTERM, SIG_DFL); /* the parent's handlers would clean up its files */
		signal(SIGINT, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		nio_lws_child(*port, ready);
	}
	nio_track(pid);
	if (!nio_wait_file(ready, "READY")) {
		nio_kill(pid);
		return -1;
	}
	return pid;
}

#endif /* NETIO_LWS_SERVER_H */
