/*
 * bench_md_lws.c — tt-bench md, the whole receive path against the obvious alternative,
 * in one run over real loopback TLS sockets from one server:
 *
 *   ticktrade:  io_uring recv → tt_tls → tt_ws (tt_wsconn) → on_msg → tt_md_bn_scan
 *   baseline:   libwebsockets client (poll, its own TLS + WS) → RECEIVE callback → cJSON
 *   both then:  the same book apply (tt_book_set per depth level) and the same ring
 *               publish (BOOK_TOP / BOOK_DELTA per level / TRADE into a ttring ring)
 *
 * The server is a forked child (plain blocking OpenSSL, not part of either client): it
 * answers the WebSocket upgrade, waits for the client's text "run:N", then sends N
 * combined-stream frames msgs[i % nmsg] back to back, packing frames into SSL_writes of
 * up to batch_bytes (one TLS record each, as a busy venue does), then the text "end".
 *
 * Clock points (TSC, same on both sides): t0 = entry of the per-message callback (our
 * on_msg / lws LWS_CALLBACK_CLIENT_RECEIVE), t1 = after the last ring push for that
 * message. libwebsockets has no stamp for when the bytes were read, so TLS decrypt and
 * framing of each side show in the throughput row (first message .. "end", the client
 * as fast as it can drain a back-to-back burst) and, for ours, in "reap → published"
 * (tt_wsconn's reap stamp t_rx to t1). Ring draining and the check digest are outside
 * t0..t1.
 *
 * Correctness: each side keeps a digest of every decoded message's values; both must
 * equal, message by message, the digest of our scanner run offline over msgs[i % nmsg].
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "bench_md.h"
#include "bench_util.h"
#include "tt_book.h"
#include "tt_err.h"
#include "tt_loop.h"
#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_tls.h"
#include "tt_wsconn.h"

#define WS_GUID	   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_PATH	   "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms/btcusdt@trade"
#define MAX_LEVELS 64
#define BOOK_DEPTH 1000
#define RUN_LIMIT_NS (60ull * 1000000000ull)

/* ---- one receiving side: decode → book → ring, stamps and check digests -------------- */

struct side {
	const char *name;
	bool ours;			 /* tt_md_bn_scan, else cJSON */
	const struct tt_md_instr_table *tab;
	struct tt_ring prod, cons;	 /* the publish ring and its (untimed) drain */
	char ring_name[64];
	struct tt_book book;
	struct tt_book_level *store;
	struct tt_md_level bids[MAX_LEVELS], asks[MAX_LEVELS];
	uint64_t want;			 /* messages asked for */
	uint64_t got;			 /* data messages received */
	uint64_t errors;		 /* decode failures */
	uint64_t pubs;			 /* ring messages published */
	uint64_t *lat;			 /* [want] t1 - t0, TSC ticks */
	uint64_t *rx_lat;		 /* [want] reap → published, ns (ours only) */
	uint8_t *kind;			 /* [want] TT_MD_MSG_* */
	uint64_t *dig;			 /* [want] digest of the decoded values */
	uint64_t t_first, t_end;	 /* TSC at the first message and at "end" */
	bool sent_run, done, closed, failed;
	uint8_t *asm_buf;		 /* lws: reassembly of a fragmented message */
	size_t asm_len;
};

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t digest(const struct tt_md_bn_msg *m)
{
	uint64_t h = fnv(0xcbf29ce484222325ull, m->kind);

	switch (m->kind) {
	case TT_MD_MSG_BOOK_TICKER:
		h = fnv(h, m->bt.instr ? m->bt.instr->id : 0xffff);
		h = fnv(h, m->bt.update_id);
		h = fnv(h, (uint64_t)m->bt.bid_px);
		h = fnv(h, (uint64_t)m->bt.bid_qty);
		h = fnv(h, (uint64_t)m->bt.ask_px);
		return fnv(h, (uint64_t)m->bt.ask_qty);
	case TT_MD_MSG_DEPTH:
		h = fnv(h, m->depth.instr ? m->depth.instr->id : 0xffff);
		h = fnv(h, m->depth.event_ts);
		h = fnv(h, m->depth.first_id);
		h = fnv(h, m->depth.final_id);
		h = fnv(h, ((uint64_t)m->depth.n_bids << 32) | m->depth.n_asks);
		for (uint32_t i = 0; i < m->depth.n_bids; i++)
			h = fnv(fnv(h, (uint64_t)m->depth.bids[i].px), (uint64_t)m->depth.bids[i].qty);
		for (uint32_t i = 0; i < m->depth.n_asks; i++)
			h = fnv(fnv(h, (uint64_t)m->depth.asks[i].px), (uint64_t)m->depth.asks[i].qty);
		return h;
	case TT_MD_MSG_TRADE:
		h = fnv(h, m->trade.instr ? m->trade.instr->id : 0xffff);
		h = fnv(h, m->trade.event_ts);
		h = fnv(h, m->trade.trade_id);
		h = fnv(h, m->trade.trade_ts);
		h = fnv(h, (uint64_t)m->trade.px);
		h = fnv(h, (uint64_t)m->trade.qty);
		return fnv(h, m->trade.buyer_maker);
	default:
		return h;
	}
}

static void msg_init(struct side *s, struct tt_md_bn_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->depth.bids = s->bids;
	m->depth.asks = s->asks;
	m->depth.cap_bids = MAX_LEVELS;
	m->depth.cap_asks = MAX_LEVELS;
}

/* Book apply and ring publish, identical for both sides. 0 or -1. */
static int apply_publish(struct side *s, const struct tt_md_bn_msg *m, tt_tsc_t t_rx)
{
	union tt_msg out;

	memset(&out, 0, sizeof(out));
	out.h.t_rx = t_rx;
	switch (m->kind) {
	case TT_MD_MSG_BOOK_TICKER:
		out.top.h.kind = TT_MSG_BOOK_TOP;
		out.top.h.instr = m->bt.instr->id;
		out.top.bid_px = m->bt.bid_px;
		out.top.bid_qty = m->bt.bid_qty;
		out.top.ask_px = m->bt.ask_px;
		out.top.ask_qty = m->bt.ask_qty;
		out.top.update_id = m->bt.update_id;
		s->pubs++;
		return tt_ring_push(&s->prod, &out, sizeof(out)) ? -1 : 0;
	case TT_MD_MSG_TRADE:
		out.trade.h.kind = TT_MSG_TRADE;
		out.trade.h.instr = m->trade.instr->id;
		out.trade.px = m->trade.px;
		out.trade.qty = m->trade.qty;
		out.trade.trade_id = m->trade.trade_id;
		out.trade.venue_ts_us = m->trade.trade_ts * 1000;
		out.trade.aggressor = m->trade.buyer_maker ? TT_SIDE_SELL : TT_SIDE_BUY;
		s->pubs++;
		return tt_ring_push(&s->prod, &out, sizeof(out)) ? -1 : 0;
	case TT_MD_MSG_DEPTH: {
		uint32_t nb = m->depth.n_bids, na = m->depth.n_asks;

		out.delta.h.kind = TT_MSG_BOOK_DELTA;
		out.delta.h.instr = m->depth.instr->id;
		out.delta.update_id = m->depth.final_id;
		for (uint32_t i = 0; i < nb + na; i++) {
			const struct tt_md_level *l = i < nb ? &m->depth.bids[i] : &m->depth.asks[i - nb];
			unsigned sd = i < nb ? TT_SIDE_BUY : TT_SIDE_SELL;

			if (tt_book_set(&s->book, sd, l->px, l->qty) != 0)
				return -1;
			out.delta.px = l->px;
			out.delta.qty = l->qty;
			out.delta.side = (uint8_t)sd;
			out.delta.h.flags = i + 1 == nb + na ? TT_DELTA_LAST : 0;
			s->pubs++;
			if (tt_ring_push(&s->prod, &out, sizeof(out)) != 0)
				return -1;
		}
		return 0;
	}
	default:
		return -1;
	}
}

/* One message at the callback. t0 = callback entry (TSC). rx_ns: our reap stamp, or 0. */
static void side_msg(struct side *s, const uint8_t *p, size_t n, uint64_t t0, uint64_t rx_ns)
{
	struct tt_md_bn_msg m;
	struct tt_md_perr err;
	uint64_t t1, k = s->got;
	int rc;

	if (n == 3 && memcmp(p, "end", 3) == 0) {
		s->t_end = t0;
		s->done = true;
		return;
	}
	if (k >= s->want) {
		s->errors++;
		return;
	}
	if (k == 0)
		s->t_first = t0;
	msg_init(s, &m);
	if (s->ours)
		rc = tt_md_bn_scan(s->tab, (const char *)p, n, &m, &err);
	else
		rc = md_cj_frame(s->tab, (const char *)p, n, &m);
	if (rc == 0)
		rc = apply_publish(s, &m, 0);
	t1 = tt_bench_tsc();
	/* untimed from here */
	if (rx_ns)
		s->rx_lat[k] = tt_loop_stamp() - rx_ns;
	s->lat[k] = t1 - t0;
	s->kind[k] = (uint8_t)m.kind;
	s->dig[k] = rc == 0 ? digest(&m) : 0;
	if (rc != 0)
		s->errors++;
	s->got++;
	while (tt_ring_peek(&s->cons))
		tt_ring_release(&s->cons);
}

static int side_init(struct side *s, const char *name, bool ours,
		     const struct tt_md_instr_table *tab, uint64_t want)
{
	struct tt_ring_params rp = {.slot_size = 64, .capacity = 4096, .mode = TT_RING_LOSSLESS,
				    .msg_version = TT_MSG_LAYOUT_VERSION};

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->ours = ours;
	s->tab = tab;
	s->want = want;
	s->lat = calloc(want, sizeof(*s->lat));
	s->rx_lat = calloc(want, sizeof(*s->rx_lat));
	s->kind = calloc(want, 1);
	s->dig = calloc(want, sizeof(*s->dig));
	s->store = calloc(tt_book_storage_levels(BOOK_DEPTH), sizeof(*s->store));
	s->asm_buf = malloc(1 << 16);
	if (!s->lat || !s->rx_lat || !s->kind || !s->dig || !s->store || !s->asm_buf)
		return -1;
	if (tt_book_init(&s->book, s->store, BOOK_DEPTH) != 0)
		return -1;
	snprintf(s->ring_name, sizeof(s->ring_name), "tt-bench-md-lws-%d-%s", (int)getpid(),
		 ours ? "tt" : "lws");
	if (tt_ring_create(s->ring_name, &rp) != 0 ||
	    tt_ring_attach(&s->prod, s->ring_name, TT_RING_PRODUCER, &rp, TT_WAIT_SPIN) != 0 ||
	    tt_ring_attach(&s->cons, s->ring_name, TT_RING_CONSUMER, &rp, TT_WAIT_SPIN) != 0) {
		fprintf(stderr, "md lws: ring %s: %s\n", s->ring_name, tt_err_msg());
		return -1;
	}
	return 0;
}

static void side_fini(struct side *s)
{
	tt_ring_detach(&s->prod);
	tt_ring_detach(&s->cons);
	tt_ring_unlink(s->ring_name);
	free(s->lat);
	free(s->rx_lat);
	free(s->kind);
	free(s->dig);
	free(s->store);
	free(s->asm_buf);
}

/* ---- certificate and the loopback server (forked child) ---------------------------- */

/* bench_md.h */
int md_bench_cert(EVP_PKEY **key, X509 **crt, const char *ca_path)
{
	static const char *const ext[][2] = {
	    {"subjectAltName", "DNS:localhost,IP:127.0.0.1"},
	    {"basicConstraints", "critical,CA:TRUE"},
	};
	X509V3_CTX v3;
	X509_NAME *name;
	FILE *f;

	*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	*crt = X509_new();
	if (!*key || !*crt)
		return -1;
	X509_set_version(*crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*crt), 1);
	X509_gmtime_adj(X509_getm_notBefore(*crt), -60);
	X509_gmtime_adj(X509_getm_notAfter(*crt), 86400);
	X509_set_pubkey(*crt, *key);
	name = X509_get_subject_name(*crt);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
				   -1, -1, 0);
	X509_set_issuer_name(*crt, name);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, *crt, *crt, NULL, NULL, 0);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, ext[i][0], ext[i][1]);

		if (!e)
			return -1;
		X509_add_ext(*crt, e, -1);
		X509_EXTENSION_free(e);
	}
	if (!X509_sign(*crt, *key, EVP_sha256()))
		return -1;
	f = fopen(ca_path, "w");
	if (!f)
		return -1;
	PEM_write_X509(f, *crt);
	fclose(f);
	return 0;
}

/* bench_md.h */
size_t md_bench_server_frame(uint8_t *out, const void *payload, size_t len)
{
	size_t h = 2;

	out[0] = 0x81; /* FIN | text, unmasked (server to client) */
	if (len < 126) {
		out[1] = (uint8_t)len;
	} else {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		h = 4;
	}
	memcpy(out + h, payload, len);
	return h + len;
}

/* Value of header name in the request (trimmed) into out. 0 or -1. */
static int http_header(const char *req, const char *name, char *out, size_t cap)
{
	const char *p = strcasestr(req, name), *e;
	size_t n;

	if (!p)
		return -1;
	p += strlen(name);
	while (*p == ' ' || *p == ':')
		p++;
	e = strstr(p, "\r\n");
	if (!e)
		return -1;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - p);
	if (n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int ssl_write_all(SSL *s, const void *p, size_t n)
{
	return n == 0 || SSL_write(s, p, (int)n) == (int)n ? 0 : -1;
}

/* One client connection: upgrade, "run:N", N frames, "end", wait for its close. */
static void srv_session(SSL_CTX *ctx, int fd, char (*msgs)[MD_MSGMAX], const size_t *lens,
			int nmsg, size_t batch, unsigned pace_us)
{
	char req[8192], key[128], proto[128], resp[512], cmd[64];
	unsigned char md[EVP_MAX_MD_SIZE], acc[64];
	unsigned mdlen = 0;
	size_t have = 0, used = 0;
	unsigned long long n = 0;
	uint8_t *out = malloc(batch + 2 * MD_MSGMAX);
	SSL *s = SSL_new(ctx);
	int r;

	if (!out || !s)
		goto done;
	SSL_set_fd(s, fd);
	if (SSL_accept(s) != 1)
		goto done;
	while (!memmem(req, have, "\r\n\r\n", 4)) {
		r = SSL_read(s, req + have, (int)(sizeof(req) - 1 - have));
		if (r <= 0)
			goto done;
		have += (size_t)r;
		req[have] = '\0';
	}
	if (http_header(req, "Sec-WebSocket-Key", key, sizeof(key) - 40) != 0)
		goto done;
	strcat(key, WS_GUID);
	EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL);
	EVP_EncodeBlock(acc, md, (int)mdlen);
	r = snprintf(resp, sizeof(resp),
		     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n",
		     (const char *)acc);
	if (http_header(req, "Sec-WebSocket-Protocol", proto, sizeof(proto)) == 0) {
		proto[strcspn(proto, ", ")] = '\0';
		r += snprintf(resp + r, sizeof(resp) - (size_t)r, "Sec-WebSocket-Protocol: %s\r\n",
			      proto);
	}
	r += snprintf(resp + r, sizeof(resp) - (size_t)r, "\r\n");
	if (ssl_write_all(s, resp, (size_t)r) != 0)
		goto done;
	/* the client's masked text frame "run:N" (short: 7-bit length) */
	have = 0;
	for (;;) {
		uint8_t *f = (uint8_t *)req;

		if (have >= 2 && have >= 6 + (size_t)(f[1] & 0x7f))
			break;
		r = SSL_read(s, req + have, (int)(sizeof(req) - have));
		if (r <= 0)
			goto done;
		have += (size_t)r;
	}
	{
		uint8_t *f = (uint8_t *)req;
		size_t pl = f[1] & 0x7f;

		if ((f[0] & 0x0f) != 1 || !(f[1] & 0x80) || pl >= sizeof(cmd) || pl > 125)
			goto done;
		for (size_t i = 0; i < pl; i++)
			cmd[i] = (char)(f[6 + i] ^ f[2 + i % 4]);
		cmd[pl] = '\0';
		if (sscanf(cmd, "run:%llu", &n) != 1)
			goto done;
	}
	for (unsigned long long i = 0; i < n; i++) {
		int j = (int)(i % (unsigned long long)nmsg);

		if (used && used + lens[j] + 4 > batch) {
			if (ssl_write_all(s, out, used) != 0)
				goto done;
			used = 0;
		}
		used += md_bench_server_frame(out + used, msgs[j], lens[j]);
		if (pace_us) {
			struct timespec ts = {.tv_nsec = (long)pace_us * 1000};

			if (ssl_write_all(s, out, used) != 0)
				goto done;
			used = 0;
			nanosleep(&ts, NULL);
		}
	}
	used += md_bench_server_frame(out + used, "end", 3);
	if (ssl_write_all(s, out, used) != 0)
		goto done;
	/* until the client's close frame (answered) or EOF */
	for (;;) {
		r = SSL_read(s, req, sizeof(req));
		if (r <= 0)
			break;
		if ((req[0] & 0x0f) == 8) {
			static const uint8_t close_frame[4] = {0x88, 0x02, 0x03, 0xe8};

			(void)ssl_write_all(s, close_frame, sizeof(close_frame));
			SSL_shutdown(s);
			break;
		}
	}
done:
	SSL_free(s);
	free(out);
}

static void srv_child(int lfd, SSL_CTX *ctx, char (*msgs)[MD_MSGMAX], const size_t *lens,
		      int nmsg, size_t batch, unsigned pace_us)
{
	struct timeval tv = {.tv_sec = 10};
	int one = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(0);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* no Nagle: a paced small record must leave now, not when the client's delayed
		 * ACK comes back (that batches ~100 paced messages into one recv) */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		srv_session(ctx, fd, msgs, lens, nmsg, batch, pace_us);
		close(fd);
	}
}

/* ---- our client: tt_wsconn on tt_loop, tt-md's on_msg shape ------------------------- */

static struct tt_wsconn ws;
static uint8_t ws_rx[(1 << 16) + TT_WS_MAX_HEADER];
static uint8_t ws_frag[1 << 16];

static void tt_on_open(struct tt_wsconn *w)
{
	struct side *s = w->user;
	char cmd[64];
	int n = snprintf(cmd, sizeof(cmd), "run:%" PRIu64, s->want);

	if (tt_wsconn_send(w, cmd, (size_t)n, false) != 0)
		s->failed = true;
	s->sent_run = true;
}

static void tt_on_msg(struct tt_wsconn *w, const uint8_t *p, size_t n, bool binary, uint64_t t_rx)
{
	uint64_t t0 = tt_bench_tsc();
	struct side *s = w->user;

	(void)binary;
	side_msg(s, p, n, t0, t_rx ? t_rx : 1);
	if (s->done)
		tt_wsconn_stop(w);
}

static void tt_on_down(struct tt_wsconn *w, int reason, uint16_t close_code)
{
	struct side *s = w->user;

	if (!s->done) {
		fprintf(stderr, "md lws: our client down before the end: %d (%s) close %u\n", reason,
			strerror(reason < 0 ? -reason : reason), close_code);
		s->failed = true;
	}
	s->closed = true;
}

static const struct tt_wsconn_ops tt_ops = {tt_on_open, tt_on_msg, tt_on_down};

static int run_ours(struct side *s, uint16_t port, const char *ca)
{
	struct tt_wsconn_cfg cfg = {
	    .conn = {.host = "localhost", .port = port, .connect_timeout_ms = 3000,
		     .handshake_timeout_ms = 5000},
	    .path = WS_PATH,
	    .parse_flags = TT_WS_F_NO_UTF8_CHECK,
	};
	struct tt_tls_ctx tls;
	struct tt_loop loop;
	uint64_t end = tt_bench_now_ns() + RUN_LIMIT_NS;
	int rc = 0;

	if (tt_tls_ctx_init(&tls, &(struct tt_tls_cfg){.ca_file = ca}) != 0)
		return -1;
	if (tt_loop_init(&loop, NULL) != 0) {
		tt_tls_ctx_fini(&tls);
		return -1;
	}
	if (tt_wsconn_init(&ws, &loop, &tls, &cfg, &tt_ops, s, ws_rx, sizeof(ws_rx), ws_frag,
			   sizeof(ws_frag)) != 0 ||
	    tt_wsconn_start(&ws) != 0) {
		fprintf(stderr, "md lws: our client: %s\n", tt_err_msg());
		rc = -1;
	} else {
		while (!(s->closed && tt_conn_is_quiet(&ws.conn))) {
			if (tt_bench_now_ns() > end) {
				fprintf(stderr, "md lws: our client timed out\n");
				tt_wsconn_stop(&ws);
				rc = -1;
				end = UINT64_MAX; /* drain the stop */
			}
			if (tt_loop_run_once(&loop, 20 * 1000000ll) < 0) {
				rc = -1;
				break;
			}
			if (ws.conn.state == TT_CONN_CLOSED && tt_conn_is_quiet(&ws.conn))
				break;
		}
		tt_wsconn_fini(&ws);
	}
	tt_loop_fini(&loop);
	tt_tls_ctx_fini(&tls);
	return rc || s->failed ? -1 : 0;
}

/* ---- baseline client: libwebsockets + cJSON ------------------------------------------- */

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		  size_t len)
{
	uint64_t t0 = tt_bench_tsc();
	struct side *s = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "md lws: libwebsockets client: %s\n", in ? (const char *)in : "error");
		s->failed = true;
		s->closed = true;
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		unsigned char buf[LWS_PRE + 64];
		int n;

		if (s->sent_run)
			return 0;
		n = snprintf((char *)buf + LWS_PRE, 64, "run:%" PRIu64, s->want);
		if (lws_write(wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_TEXT) < n)
			return -1;
		s->sent_run = true;
		return 0;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_is_first_fragment(wsi) && lws_is_final_fragment(wsi)) {
			side_msg(s, in, len, t0, 0);
		} else {
			if (s->asm_len + len > (1 << 16)) {
				s->errors++;
				s->asm_len = 0;
				return 0;
			}
			memcpy(s->asm_buf + s->asm_len, in, len);
			s->asm_len += len;
			if (lws_is_final_fragment(wsi)) {
				side_msg(s, s->asm_buf, s->asm_len, t0, 0);
				s->asm_len = 0;
			}
		}
		if (s->done) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		s->closed = true;
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols lws_protos[] = {
    {"tt-bench-md", lws_cb, 0, 1 << 16, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int run_lws(struct side *s, uint16_t port, const char *ca)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct lws_context *ctx;
	uint64_t end = tt_bench_now_ns() + RUN_LIMIT_NS;

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = lws_protos;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = ca;
	info.user = s;
	ctx = lws_create_context(&info);
	if (!ctx)
		return -1;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = WS_PATH;
	ci.host = "localhost";
	ci.origin = "localhost";
	ci.protocol = lws_protos[0].name;
	ci.ssl_connection = LCCSCF_USE_SSL;
	if (!lws_client_connect_via_info(&ci)) {
		lws_context_destroy(ctx);
		return -1;
	}
	while (!s->closed && tt_bench_now_ns() < end)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_context_destroy(ctx);
	if (!s->closed)
		fprintf(stderr, "md lws: libwebsockets client timed out\n");
	return s->closed && !s->failed && s->done ? 0 : -1;
}

/* ---- report ------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct pc {
	double p50, p90, p99;
	size_t n;
};

/* Percentiles (ns) of s->lat over messages of kind k (0 = all). */
static struct pc pcts(const struct side *s, unsigned k, double ghz, uint64_t *tmp)
{
	struct pc r = {0};
	size_t n = 0;

	for (uint64_t i = 0; i < s->got; i++)
		if (!k || s->kind[i] == k)
			tmp[n++] = s->lat[i];
	if (!n)
		return r;
	qsort(tmp, n, sizeof(*tmp), cmp_u64);
	r.p50 = (double)tmp[n / 2] / ghz;
	r.p90 = (double)tmp[(size_t)((double)n * 0.90)] / ghz;
	r.p99 = (double)tmp[(size_t)((double)n * 0.99)] / ghz;
	r.n = n;
	return r;
}

/* Mean of t1 - t0 over all messages, ns. */
static double mean_ns(const struct side *s, double ghz)
{
	double sum = 0;

	for (uint64_t i = 0; i < s->got; i++)
		sum += (double)s->lat[i];
	return s->got ? sum / (double)s->got / ghz : 0;
}

static void report(const struct side *a, const struct side *b, double ghz, const struct md_lws_opts *o)
{
	static const struct {
		const char *name;
		unsigned kind;
	} rows[] = {
	    {"all messages", 0},
	    {"  bookTicker", TT_MD_MSG_BOOK_TICKER},
	    {"  depthUpdate (1-10/side)", TT_MD_MSG_DEPTH},
	    {"  trade", TT_MD_MSG_TRADE},
	};
	uint64_t *tmp = malloc((a->got > b->got ? a->got : b->got) * sizeof(*tmp) + 8);
	double ta, tb;

	if (!tmp)
		return;
	if (o->pace_us)
		printf("\nwhole path over loopback TLS sockets, PACED: %" PRIu64
		       " messages to each client, one TLS record per message, one every %u us\n"
		       "(nothing queues: reap -> published is one message's decrypt+frame+decode+publish)\n",
		       o->n, o->pace_us);
	else
		printf("\nwhole path over loopback TLS sockets, BURST: %" PRIu64
		       " messages to each client back to back\n"
		       "(frames packed into TLS records of <= %zu bytes; reap -> published includes the\n"
		       " wait behind earlier messages of the same recv)\n",
		       o->n, o->batch_bytes);
	printf("callback entry -> last ring push, ns:\n");
	printf("  %-26s %-26s %-26s %s\n", "", "ticktrade (tt_wsconn+scan)", "libwebsockets + cJSON",
	       "p50 ratio");
	printf("  %-26s %8s %8s %8s %8s %8s %8s\n", "", "p50", "p90", "p99", "p50", "p90", "p99");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc x = pcts(a, rows[i].kind, ghz, tmp), y = pcts(b, rows[i].kind, ghz, tmp);

		printf("  %-26s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f   %5.1fx\n", rows[i].name, x.p50,
		       x.p90, x.p99, y.p50, y.p90, y.p99, x.p50 > 0 ? y.p50 / x.p50 : 0.0);
	}
	{
		size_t n = a->got;

		memcpy(tmp, a->rx_lat, n * sizeof(*tmp));
		qsort(tmp, n, sizeof(*tmp), cmp_u64);
		if (n)
			printf("  %-26s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8s %8s %8s\n",
			       "reap -> published (ours)", tmp[n / 2], tmp[(size_t)((double)n * 0.9)],
			       tmp[(size_t)((double)n * 0.99)], "n/a", "n/a", "n/a");
	}
	if (o->pace_us) {
		free(tmp);
		return;
	}
	ta = a->t_end > a->t_first ? (double)a->got * ghz * 1e9 / (double)(a->t_end - a->t_first) : 0;
	tb = b->t_end > b->t_first ? (double)b->got * ghz * 1e9 / (double)(b->t_end - b->t_first) : 0;
	printf("  %-26s %17.0f msg/s %17.0f msg/s     %5.1fx\n", "throughput (first..end)", ta, tb,
	       tb > 0 ? ta / tb : 0.0);
	if (ta > 0 && tb > 0) {
		double ia = 1e9 / ta, ib = 1e9 / tb, ma = mean_ns(a, ghz), mb = mean_ns(b, ghz);

		printf("  %-26s %17.0f ns    %17.0f ns        %5.1fx\n", "burst time per message", ia,
		       ib, ib / ia);
		printf("  %-26s %17.0f ns    %17.0f ns        %5.1fx\n", "  of which in callback", ma,
		       mb, mb / ma);
		printf("  %-26s %17.0f ns    %17.0f ns        %5.1fx\n",
		       "  outside (recv+TLS+WS+loop)", ia - ma, ib - mb, (ib - mb) / (ia - ma));
	}
	free(tmp);
}

/* ---- the run ------------------------------------------------------------------------- */

int md_lws_bench(const struct tt_md_instr_table *tab, char (*msgs)[MD_MSGMAX],
		 const size_t *lens, int nmsg, const struct md_lws_opts *o)
{
	static struct side a, b;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	char dir[96], ca[160];
	uint64_t *expect = calloc((size_t)nmsg, sizeof(*expect));
	uint64_t bad_a = 0, bad_b = 0;
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	SSL_CTX *sctx = NULL;
	double ghz;
	int lfd = -1, rc = 1;
	pid_t pid = -1;
	uint16_t port;

	snprintf(dir, sizeof(dir), "/tmp/tt-bench-md-lws-%d-XXXXXX", (int)getpid());
	if (!expect || !mkdtemp(dir)) {
		fprintf(stderr, "md lws: temp dir: %s\n", strerror(errno));
		free(expect);
		return 1;
	}
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	/* what every message must decode to (our scanner, offline) */
	for (int i = 0; i < nmsg; i++) {
		struct tt_md_bn_msg m;
		struct tt_md_perr err;

		msg_init(&a, &m);
		if (tt_md_bn_scan(tab, msgs[i], lens[i], &m, &err) != 0) {
			fprintf(stderr, "md lws: message %d does not scan: %.*s\n", i, (int)lens[i],
				msgs[i]);
			goto out;
		}
		expect[i] = digest(&m);
	}
	if (md_bench_cert(&key, &crt, ca) != 0 || !(sctx = SSL_CTX_new(TLS_server_method())) ||
	    SSL_CTX_use_certificate(sctx, crt) != 1 || SSL_CTX_use_PrivateKey(sctx, key) != 1) {
		fprintf(stderr, "md lws: server certificate setup failed\n");
		goto out;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
		fprintf(stderr, "md lws: listen: %s\n", strerror(errno));
		goto out;
	}
	port = ntohs(sa.sin_port);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0)
		srv_child(lfd, sctx, msgs, lens, nmsg, o->batch_bytes, o->pace_us);
	close(lfd);
	lfd = -1;
	ghz = tt_bench_tsc_calibrate(50);
	if (side_init(&a, "ticktrade", true, tab, o->n) != 0 ||
	    side_init(&b, "libwebsockets+cJSON", false, tab, o->n) != 0)
		goto out;
	if (run_ours(&a, port, ca) != 0)
		fprintf(stderr, "md lws: our client run failed\n");
	if (run_lws(&b, port, ca) != 0)
		fprintf(stderr, "md lws: libwebsockets client run failed\n");
	for (uint64_t i = 0; i < o->n; i++) {
		uint64_t e = expect[i % (uint64_t)nmsg];

		bad_a += i >= a.got || a.dig[i] != e;
		bad_b += i >= b.got || b.dig[i] != e || (i < a.got && a.dig[i] != b.dig[i]);
	}
	if (!o->quiet)
		report(&a, &b, ghz, o);
	printf("check: ticktrade %" PRIu64 "/%" PRIu64 " decoded as expected (%" PRIu64
	       " errors), libwebsockets+cJSON %" PRIu64 "/%" PRIu64 " (%" PRIu64 " errors): %s\n",
	       o->n - bad_a, o->n, a.errors, o->n - bad_b, o->n, b.errors,
	       bad_a || bad_b || a.errors || b.errors ? "MISMATCH" : "ok");
	rc = bad_a || bad_b || a.errors || b.errors ? 1 : 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (lfd >= 0)
		close(lfd);
	if (a.lat)
		side_fini(&a);
	if (b.lat)
		side_fini(&b);
	SSL_CTX_free(sctx);
	X509_free(crt);
	EVP_PKEY_free(key);
	unlink(ca);
	rmdir(dir);
	free(expect);
	return rc;
}
