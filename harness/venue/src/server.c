/*
 * server.c — tt-venue's network side: one libwebsockets vhost on loopback with TLS, serving
 *   wss  /stream?streams=a/b/c    combined frames {"stream":"a","data":{...}}
 *   wss  /ws/<stream>, /ws         raw frames (payload only)
 *   https GET /api/v3/depth?symbol=S&limit=N, /api/v3/exchangeInfo, /api/v3/ping, /api/v3/time
 * plus the control socket (a unix stream socket of line commands), the capture file and the
 * fault injector.
 *
 * Everything runs in one thread: a libwebsockets sorted-usec-list timer (tick) every tick_us
 * runs the random walk for the steps due at `rate`, flushes depth windows, pumps the replay
 * file, serves the control socket, schedules pings and asks for writable callbacks. Frames
 * live once in the frame log (log.c); each client has a cursor into it.
 *
 * Writes: in a client's writable callback we frame as many WebSocket messages as fit in its
 * 256 KiB batch ourselves (server frames are unmasked: 0x81, length) and hand the batch to
 * lws_write(LWS_WRITE_RAW), so one TLS record and one send carry many frames. That is what
 * makes >100k msgs/s possible on one core; libwebsockets still does the handshake, TLS,
 * reading, pong/close handling. Per-client state:
 *
 *   ESTABLISHED ──writable──▶ send batch ──more in log──▶ (writable again)
 *        │  stall fault: writable does nothing until the stall ends
 *        │  slow fault:  batch is dribbled chunk bytes per timer tick (LWS_CALLBACK_TIMER)
 *        └─▶ close: rate limit (>max_in_per_s incoming msgs in 1 s, close 1008), pong
 *            timeout, cursor overwritten (slow consumer, 1008), drop fault (socket shut, no
 *            close frame).
 *
 * Incoming messages counted toward the limit: text/binary messages and PONG frames. PINGs
 * from the client are answered by libwebsockets without a callback, so they are not counted
 * (a documented difference from the venue).
 */
#include "venue_int.h"
#include "tt_err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static uint64_t rd_tsc(void)
{
	return __rdtsc();
}
#else
static uint64_t rd_tsc(void)
{
	return 0;
}
#endif

#include <libwebsockets.h>

#define MAX_CLIENTS	 64
#define BATCH		 (256u * 1024u)
#define MAX_BATCH_FRAMES 8192
#define MAX_CTL		 8
#define MAX_SCHED	 32
#define RX_MAX		 4096
#define REPLY_CAP	 8192

struct client {
	struct lws *wsi;
	int id;
	bool combined;		    /* wrap frames as {"stream":..,"data":..} */
	uint64_t subs;		    /* bit per stream id */
	uint64_t pos;		    /* cursor in the frame log */
	uint8_t *buf;		    /* LWS_PRE + BATCH */
	size_t pend_off;	    /* slow fault: bytes of the batch already dribbled */
	size_t pend_len;	    /* slow fault: batch length, 0 = none pending */
	uint8_t replies[REPLY_CAP]; /* queued control responses: u16 len + bytes */
	size_t nrep;
	char rx[RX_MAX]; /* incoming message being assembled */
	size_t rxlen;
	bool rx_over;
	uint64_t in_t[16]; /* times of the last incoming messages (ring) */
	unsigned in_n;
	uint64_t next_ping_ns;
	uint64_t ping_out_ns; /* first unanswered ping, 0 = none */
	bool ping_due;
	int close_code; /* close at next writable */
	const char *close_why;
	uint16_t fr_stream[MAX_BATCH_FRAMES]; /* frames in the current batch, for capture */
	uint32_t fr_off[MAX_BATCH_FRAMES];
	uint32_t fr_len[MAX_BATCH_FRAMES];
	uint64_t fr_uid[MAX_BATCH_FRAMES]; /* book update id each frame carries, 0 = none */
};

struct pss {
	struct client *c; /* ws */
	void *api;	  /* ws /ws-api/v3 (wsapi.c) */
	char *body;	  /* http */
	size_t body_len;
	int status;
};

struct ctl_conn {
	int fd;
	char buf[1024];
	size_t len;
};

struct sched {
	uint64_t at_ns;
	char cmd[128];
	bool done;
};

static struct venue {
	const struct tt_venue_opts *o;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	lws_sorted_usec_list_t sul;
	struct tt_vlog log;
	struct tt_vmarket m;
	struct tt_vreplay *replay;
	struct client *clients[MAX_CLIENTS];
	int nclients;
	int next_id;
	uint64_t t0_ns;
	uint64_t steps_done;
	uint64_t rate;
	bool paused;
	bool replay_started;
	uint64_t stall_until;
	uint64_t slow_until;
	size_t slow_chunk;
	int slow_delay_ms;
	int ctl_fd;
	struct ctl_conn ctl[MAX_CTL];
	FILE *cap;
	struct sched sched[MAX_SCHED];
	int nsched;
	uint64_t sent[TT_VENUE_MAX_SYMS * 8];
	uint64_t sent_frames;
	uint64_t sent_bytes;
	uint64_t disc_rate;
	uint64_t disc_pong;
	uint64_t disc_slow;
	uint64_t disc_drop;
	uint64_t http_reqs;
	uint64_t bad_requests; /* control messages answered with an error */
	volatile sig_atomic_t stop;
} V;

static char *ctl_exec(const char *line, char *out, size_t cap);

/* ---- helpers -------------------------------------------------------------------------- */

bool tt_venue_bind_ok(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!addr)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

void tt_venue_opts_default(struct tt_venue_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bind = "127.0.0.1";
	o->seed = 1;
	o->rate = 1000;
	o->depth_ms_fast = 100;
	o->depth_ms_slow = 1000;
	o->ping_s = 20;
	o->pong_timeout_s = 60;
	o->max_in_per_s = 5;
	o->tick_us = 1000;
	o->log_bytes = 64u << 20;
}

static size_t ws_hdr(uint8_t *p, uint8_t op, uint64_t len)
{
	p[0] = (uint8_t)(0x80 | op);
	if (len < 126) {
		p[1] = (uint8_t)len;
		return 2;
	}
	if (len < 65536) {
		p[1] = 126;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		return 4;
	}
	p[1] = 127;
	for (int i = 0; i < 8; i++)
		p[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

static void queue_reply(struct client *c, const char *s, size_t n)
{
	if (c->nrep + 2 + n > REPLY_CAP)
		return; /* the client sends at most 5 msgs/s; a full queue means it is gone */
	c->replies[c->nrep] = (uint8_t)(n >> 8);
	c->replies[c->nrep + 1] = (uint8_t)n;
	memcpy(c->replies + c->nrep + 2, s, n);
	c->nrep += 2 + n;
	lws_callback_on_writable(c->wsi);
}

static void client_close(struct client *c, int code, const char *why)
{
	if (!c->close_code) {
		c->close_code = code;
		c->close_why = why;
		fprintf(stderr,
			"{\"event\":\"client_close\",\"client\":%d,\"code\":%d,\"why\":\"%s\"}\n",
			c->id, code, why);
		lws_callback_on_writable(c->wsi);
	}
}

/* ---- control messages on the WebSocket (SUBSCRIBE ...) -------------------------------- */

static void ws_control(struct client *c, const char *msg, size_t len)
{
	char out[4096];
	int n = tt_vwsctl_handle(&V.m, msg, len, &c->subs, &c->combined, out, sizeof(out));

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out))
		n = (int)sizeof(out) - 1;
	if (strncmp(out, "{\"error\"", 9) == 0)
		V.bad_requests++;
	queue_reply(c, out, (size_t)n);
}

/* Counts an incoming message; false when it breaks the limit (the client is then closed). */
static bool count_in(struct client *c)
{
	uint64_t now = tt_venue_mono_ns();
	unsigned lim = (unsigned)V.o->max_in_per_s;

	if (lim > 15)
		lim = 15;
	/* Over the limit when lim messages already arrived within the last second. */
	if (c->in_n >= lim && now - c->in_t[(c->in_n - lim) % 16] < 1000000000ull) {
		V.disc_rate++;
		client_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "Too many requests");
		return false;
	}
	c->in_t[c->in_n % 16] = now;
	c->in_n++;
	return true;
}

/* ---- streams from the URL --------------------------------------------------------------- */

static int parse_streams(struct client *c, const char *list)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int sid = tt_vmarket_stream_id(&V.m, p, n);

		if (sid < 0)
			return -ENOENT;
		c->subs |= 1ull << sid;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

static int client_open(struct lws *wsi, struct pss *ps)
{
	char uri[512];
	char arg[2048];
	struct client *c;
	int slot;

	for (slot = 0; slot < MAX_CLIENTS && V.clients[slot]; slot++)
		;
	if (slot == MAX_CLIENTS)
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	c->buf = malloc(LWS_PRE + BATCH);
	if (!c->buf) {
		free(c);
		return -1;
	}
	c->wsi = wsi;
	c->id = ++V.next_id;
	c->pos = V.log.head;
	c->next_ping_ns = tt_venue_mono_ns() + (uint64_t)V.o->ping_s * 1000000000ull;
	ps->c = c;
	V.clients[slot] = c;
	V.nclients++;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0)
		uri[0] = 0;
	if (!strcmp(uri, "/stream")) {
		c->combined = true;
		arg[0] = 0;
		for (int i = 0;
		     lws_hdr_copy_fragment(wsi, arg, sizeof(arg), WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
		     i++) {
			if (!strncmp(arg, "streams=", 8)) {
				if (parse_streams(c, arg + 8) < 0)
					goto bad;
			}
		}
	} else if (!strncmp(uri, "/ws/", 4)) {
		if (parse_streams(c, uri + 4) < 0)
			goto bad;
	} else if (strcmp(uri, "/ws") != 0) {
		goto bad;
	}
	fprintf(stderr, "{\"event\":\"client_open\",\"client\":%d,\"uri\":\"%s\",\"subs\":%llu}\n",
		c->id, uri, (unsigned long long)c->subs);
	return 0;
bad:
	fprintf(stderr, "{\"event\":\"client_refused\",\"uri\":\"%s\",\"why\":\"bad stream\"}\n",
		uri);
	client_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "Invalid request");
	return 0;
}

static void client_free(struct pss *ps)
{
	struct client *c = ps->c;

	if (!c)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (V.clients[i] == c)
			V.clients[i] = NULL;
	V.nclients--;
	fprintf(stderr, "{\"event\":\"client_closed\",\"client\":%d}\n", c->id);
	free(c->buf);
	free(c);
	ps->c = NULL;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Book update ids in a frame of stream sid (bookTicker and depth streams), for w2w.c. */
static uint64_t frame_uid(uint16_t sid, const uint8_t *p, uint32_t len)
{
	int k = TT_VSTREAM_KIND(sid);

	if (k != TT_VK_BOOK_TICKER && k != TT_VK_DEPTH && k != TT_VK_DEPTH100)
		return 0;
	return tt_vw2w_frame_uid(p, len);
}

/* The batch's frames were handed to the kernel just now: when each update left (w2w.c). */
static void note_ticks(const struct client *c, int nfr)
{
	uint64_t t = tt_venue_mono_ns();
	uint64_t tsc = rd_tsc();

	for (int i = 0; i < nfr; i++)
		if (c->fr_uid[i])
			tt_vw2w_tick(TT_VSTREAM_SYM(c->fr_stream[i]), c->fr_uid[i], t, tsc);
}

static void capture(struct client *c, int nfr, const uint8_t *base)
{
	uint64_t t = tt_venue_mono_ns();
	uint64_t tsc = rd_tsc();

	for (int i = 0; i < nfr; i++) {
		const char *name =
		    c->fr_stream[i] == TT_VLOG_SKIP ? "-" : V.m.names[c->fr_stream[i]];

		fprintf(V.cap, "F %llu %llu %d %s %u\n", (unsigned long long)t,
			(unsigned long long)tsc, c->id, name, c->fr_len[i]);
		fwrite(base + c->fr_off[i], 1, c->fr_len[i], V.cap);
		fputc('\n', V.cap);
	}
}

/* A frame bigger than the batch (the oversize fault): framed and written on its own. */
static int write_big(struct client *c, uint16_t sid, const uint8_t *p, uint32_t len)
{
	const char *name = V.m.names[sid];
	size_t wrap = c->combined ? strlen(name) + 21 : 0;
	size_t tot = len + wrap;
	uint8_t *b = malloc(LWS_PRE + 10 + tot);
	uint8_t *q;
	size_t h;
	int rc;

	if (!b)
		return -1;
	q = b + LWS_PRE;
	h = ws_hdr(q, 1, tot);
	if (c->combined)
		h += (size_t)sprintf((char *)q + h, "{\"stream\":\"%s\",\"data\":", name);
	memcpy(q + h, p, len);
	h += len;
	if (c->combined)
		q[h++] = '}';
	rc = lws_write(c->wsi, q, h, LWS_WRITE_RAW);
	if (rc >= 0) {
		uint64_t uid = frame_uid(sid, p, len);

		if (uid)
			tt_vw2w_tick(TT_VSTREAM_SYM(sid), uid, tt_venue_mono_ns(), rd_tsc());
	}
	if (V.cap) {
		c->fr_stream[0] = sid;
		c->fr_off[0] = (uint32_t)(h - tot);
		c->fr_len[0] = (uint32_t)tot;
		capture(c, 1, q);
	}
	free(b);
	V.sent[sid]++;
	V.sent_frames++;
	V.sent_bytes += tot;
	return rc < 0 ? -1 : 0;
}

static int client_writable(struct client *c)
{
	uint64_t now = tt_venue_mono_ns();
	uint8_t *b = c->buf + LWS_PRE;
	size_t room;
	size_t n = 0;
	int nfr = 0;
	bool slow = now < V.slow_until;

	if (c->close_code) {
		lws_close_reason(c->wsi, (enum lws_close_status)c->close_code,
				 (unsigned char *)c->close_why, strlen(c->close_why));
		return -1;
	}
	if (now < V.stall_until)
		return 0; /* the tick asks again when the stall ends */
	if (c->pend_len) {
		size_t k = c->pend_len - c->pend_off;

		if (k > V.slow_chunk && slow)
			k = V.slow_chunk;
		if (lws_write(c->wsi, b + c->pend_off, k, LWS_WRITE_RAW) < 0)
			return -1;
		c->pend_off += k;
		if (c->pend_off == c->pend_len)
			c->pend_len = c->pend_off = 0;
		if (c->pend_len)
			lws_set_timer_usecs(c->wsi, (lws_usec_t)V.slow_delay_ms * 1000);
		else
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	room = slow ? 4096 : BATCH;
	if (c->ping_due) {
		n += ws_hdr(b + n, 9, 0);
		c->ping_due = false;
		if (!c->ping_out_ns)
			c->ping_out_ns = now;
	}
	while (c->nrep) {
		size_t k = ((size_t)c->replies[0] << 8) | c->replies[1];

		n += ws_hdr(b + n, 1, k);
		memcpy(b + n, c->replies + 2, k);
		n += k;
		memmove(c->replies, c->replies + 2 + k, c->nrep - 2 - k);
		c->nrep -= 2 + k;
	}
	while (nfr < MAX_BATCH_FRAMES) {
		uint64_t save = c->pos;
		uint16_t sid;
		const uint8_t *p;
		uint32_t len;
		size_t tot;
		size_t wrap;
		int rc = tt_vlog_get(&V.log, &c->pos, &sid, &p, &len);

		if (rc < 0) {
			V.disc_slow++;
			client_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "slow consumer");
			c->pos = V.log.head;
			break;
		}
		if (rc == 0)
			break;
		if (!(c->subs & (1ull << sid)))
			continue;
		wrap = c->combined ? strlen(V.m.names[sid]) + 21 : 0;
		tot = len + wrap;
		if (n + 10 + tot > room) {
			if (n == 0 && tot + 10 > BATCH) {
				if (write_big(c, sid, p, len) < 0)
					return -1;
				lws_callback_on_writable(c->wsi);
				return 0;
			}
			c->pos = save;
			break;
		}
		n += ws_hdr(b + n, 1, tot);
		c->fr_stream[nfr] = sid;
		c->fr_off[nfr] = (uint32_t)n;
		c->fr_len[nfr] = (uint32_t)tot;
		c->fr_uid[nfr] = frame_uid(sid, p, len);
		nfr++;
		if (c->combined) {
			const char *name = V.m.names[sid];
			size_t nl = strlen(name);

			memcpy(b + n, "{\"stream\":\"", 11);
			memcpy(b + n + 11, name, nl);
			memcpy(b + n + 11 + nl, "\",\"data\":", 9);
			n += 20 + nl;
			memcpy(b + n, p, len);
			n += len;
			b[n++] = '}';
		} else {
			memcpy(b + n, p, len);
			n += len;
		}
		V.sent[sid]++;
		V.sent_frames++;
		V.sent_bytes += tot;
	}
	if (!n)
		return 0;
	if (slow) {
		c->pend_len = n;
		c->pend_off = 0;
		if (V.cap)
			capture(c, nfr, b);
		return client_writable(c);
	}
	if (lws_write(c->wsi, b, n, LWS_WRITE_RAW) < 0)
		return -1;
	note_ticks(c, nfr);
	if (V.cap)
		capture(c, nfr, b);
	if (c->pos != V.log.head || c->nrep || c->close_code)
		lws_callback_on_writable(c->wsi);
	return 0;
}

/* ---- HTTP ------------------------------------------------------------------------------- */

static void http_body(struct pss *ps, int status, const char *s, int n)
{
	ps->status = status;
	ps->body = malloc((size_t)n + LWS_PRE);
	if (ps->body) {
		memcpy(ps->body + LWS_PRE, s, (size_t)n);
		ps->body_len = (size_t)n;
	}
}

static int http_request(struct lws *wsi, struct pss *ps, const char *path)
{
	char symb[48];
	char limb[48];
	const char *sym;
	const char *lim;
	char *tmp = NULL;
	int n;
	int limit = 100;
	uint8_t hdr[LWS_PRE + 512];
	uint8_t *start = hdr + LWS_PRE;
	uint8_t *p = start;
	uint8_t *end = hdr + sizeof(hdr);

	V.http_reqs++;
	if (!strcmp(path, "/api/v3/depth")) {
		int s;

		sym = lws_get_urlarg_by_name(wsi, "symbol=", symb, sizeof(symb));
		lim = lws_get_urlarg_by_name(wsi, "limit=", limb, sizeof(limb));
		if (!sym) {
			const char *e =
			    "{\"code\":-1102,\"msg\":\"Mandatory parameter 'symbol' was "
			    "not sent, was empty/null, or malformed.\"}";
			http_body(ps, 400, e, (int)strlen(e));
		} else if ((s = tt_vmarket_sym(&V.m, sym)) < 0 || V.m.replay) {
			const char *e = "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}";
			http_body(ps, 400, e, (int)strlen(e));
		} else {
			if (lim) {
				char *ep;
				long v = strtol(lim, &ep, 10);

				if (*ep || ep == lim || v < 1) {
					const char *e =
					    "{\"code\":-1100,\"msg\":\"Illegal characters "
					    "found in parameter 'limit'; legal range is "
					    "'^[0-9]{1,20}$'.\"}";
					http_body(ps, 400, e, (int)strlen(e));
					goto reply;
				}
				limit = v > 5000 ? 5000 : (int)v;
			}
			tmp = malloc(TT_VENC_MAX);
			n = tmp ? tt_venc_snapshot(tmp, TT_VENC_MAX, V.m.books[s], limit, false)
				: -1;
			if (n > 0)
				http_body(ps, 200, tmp, n);
		}
	} else if (!strcmp(path, "/api/v3/exchangeInfo")) {
		const struct tt_vbook *bk[TT_VENUE_MAX_SYMS];

		for (int i = 0; i < V.m.nsyms; i++)
			bk[i] = V.m.books[i];
		tmp = malloc(TT_VENC_MAX);
		n = tmp ? tt_venc_exchange_info(tmp, TT_VENC_MAX, bk, V.m.nsyms, tt_venue_wall_ms())
			: -1;
		if (n > 0)
			http_body(ps, 200, tmp, n);
	} else if (!strcmp(path, "/api/v3/ping")) {
		http_body(ps, 200, "{}", 2);
	} else if (!strcmp(path, "/api/v3/time")) {
		char t[64];

		n = snprintf(t, sizeof(t), "{\"serverTime\":%llu}",
			     (unsigned long long)tt_venue_wall_ms());
		http_body(ps, 200, t, n);
	} else {
		const char *e = "{\"code\":-1000,\"msg\":\"Not found.\"}";
		http_body(ps, 404, e, (int)strlen(e));
	}
reply:
	free(tmp);
	if (!ps->body)
		return -1;
	fprintf(stderr, "{\"event\":\"http\",\"path\":\"%s\",\"status\":%d,\"bytes\":%zu}\n", path,
		ps->status, ps->body_len);
	if (lws_add_http_common_headers(wsi, (unsigned)ps->status, "application/json;charset=UTF-8",
					ps->body_len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

/* ---- the protocol callback --------------------------------------------------------------- */

static int cb_venue(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct pss *ps = user;
	struct client *c = ps ? ps->c : NULL;

	/* order entry connections belong to wsapi.c */
	if (ps && (ps->api || (reason == LWS_CALLBACK_ESTABLISHED && tt_vapi_wants(wsi))))
		return tt_vapi_cb(wsi, (int)reason, &ps->api, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http_request(wsi, ps, (const char *)in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!ps->body)
			return -1;
		if (lws_write(wsi, (uint8_t *)ps->body + LWS_PRE, ps->body_len,
			      LWS_WRITE_HTTP_FINAL) < 0)
			return -1;
		free(ps->body);
		ps->body = NULL;
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (ps) {
			free(ps->body);
			ps->body = NULL;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		return client_open(wsi, ps);
	case LWS_CALLBACK_CLOSED:
		if (ps)
			client_free(ps);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c ? client_writable(c) : 0;
	case LWS_CALLBACK_TIMER:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE_PONG:
		if (c) {
			c->ping_out_ns = 0;
			(void)count_in(c);
		}
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (!c)
			return 0;
		if (c->rxlen + len < RX_MAX - 1) {
			memcpy(c->rx + c->rxlen, in, len);
			c->rxlen += len;
		} else {
			c->rx_over = true;
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		c->rx[c->rxlen] = 0;
		if (count_in(c)) {
			if (c->rx_over)
				queue_reply(c,
					    "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: "
					    "message too long\"},\"id\":null}",
					    66);
			else
				ws_control(c, c->rx, c->rxlen);
		}
		c->rxlen = 0;
		c->rx_over = false;
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
    {"tt-venue", cb_venue, sizeof(struct pss), 4096, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- control socket --------------------------------------------------------------------- */

static int ctl_open(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return tt_err_set(-ENAMETOOLONG, "control socket path too long: %s", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tt_err_set(-errno, "socket(AF_UNIX): %m");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		return tt_err_set(-e, "bind/listen(%s): %s", path, strerror(e));
	}
	return fd;
}

static void ctl_send(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void ctl_poll(void)
{
	static char *out;
	int fd;

	if (V.ctl_fd < 0)
		return;
	if (!out)
		out = malloc(TT_VENC_MAX);
	while ((fd = accept4(V.ctl_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		int i;
		struct timeval tv = {2, 0};

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		for (i = 0; i < MAX_CTL && V.ctl[i].fd >= 0; i++)
			;
		if (i == MAX_CTL) {
			close(fd);
			continue;
		}
		V.ctl[i].fd = fd;
		V.ctl[i].len = 0;
	}
	for (int i = 0; i < MAX_CTL; i++) {
		struct ctl_conn *k = &V.ctl[i];
		ssize_t r;
		char *nl;

		if (k->fd < 0)
			continue;
		r = recv(k->fd, k->buf + k->len, sizeof(k->buf) - 1 - k->len, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			close(k->fd);
			k->fd = -1;
			continue;
		}
		if (r > 0)
			k->len += (size_t)r;
		k->buf[k->len] = 0;
		while ((nl = strchr(k->buf, '\n'))) {
			char *res;

			*nl = 0;
			if (nl > k->buf && nl[-1] == '\r')
				nl[-1] = 0;
			res = ctl_exec(k->buf, out, TT_VENC_MAX - 1);
			ctl_send(k->fd, res, strlen(res));
			ctl_send(k->fd, "\n", 1);
			k->len -= (size_t)(nl + 1 - k->buf);
			memmove(k->buf, nl + 1, k->len + 1);
		}
		if (k->len == sizeof(k->buf) - 1) {
			ctl_send(k->fd, "{\"ok\":false,\"error\":\"line too long\"}\n", 37);
			close(k->fd);
			k->fd = -1;
		}
	}
}

static int win_fault(const char *sym, int kind_mask, int which, char *out, size_t cap)
{
	int s = tt_vmarket_sym(&V.m, sym);

	if (s < 0 || V.m.replay)
		return snprintf(out, cap, "{\"ok\":false,\"error\":\"unknown symbol\"}");
	for (int k = 0; k < 2; k++) {
		struct tt_vwin *w = V.m.win[s][k];

		if (!(kind_mask & (1 << k)))
			continue;
		if (which == 0)
			w->gap++;
		else if (which == 1)
			w->dup++;
		else
			w->reorder++;
	}
	return snprintf(out, cap, "{\"ok\":true}");
}

static char *stats(char *out, size_t cap)
{
	uint64_t now = tt_venue_mono_ns();
	double up = (double)(now - V.t0_ns) / 1e9;
	int n;

	n = snprintf(out, cap,
		     "{\"clients\":%d,\"steps\":%llu,\"update_frames_published\":%llu,"
		     "\"frames_sent\":%llu,\"bytes_sent\":%llu,\"uptime_s\":%.3f,"
		     "\"msgs_per_s\":%.0f,\"http_requests\":%llu,\"bad_requests\":%llu,"
		     "\"paused\":%s,"
		     "\"disconnects\":{\"rate_limit\":%llu,\"pong_timeout\":%llu,"
		     "\"slow_consumer\":%llu,\"fault_drop\":%llu},\"sent\":{",
		     V.nclients, (unsigned long long)V.m.steps, (unsigned long long)V.log.frames,
		     (unsigned long long)V.sent_frames, (unsigned long long)V.sent_bytes, up,
		     up > 0 ? (double)V.sent_frames / up : 0.0, (unsigned long long)V.http_reqs,
		     (unsigned long long)V.bad_requests, V.paused ? "true" : "false",
		     (unsigned long long)V.disc_rate, (unsigned long long)V.disc_pong,
		     (unsigned long long)V.disc_slow, (unsigned long long)V.disc_drop);
	for (int i = 0, k = 0; i < TT_VENUE_MAX_SYMS * 8; i++)
		if (V.m.names[i][0])
			n += snprintf(out + n, cap - (size_t)n, "%s\"%s\":%llu", k++ ? "," : "",
				      V.m.names[i], (unsigned long long)V.sent[i]);
	n += snprintf(out + n, cap - (size_t)n, "},\"published\":{");
	for (int i = 0, k = 0; i < TT_VENUE_MAX_SYMS * 8; i++)
		if (V.m.names[i][0])
			n += snprintf(out + n, cap - (size_t)n, "%s\"%s\":%llu", k++ ? "," : "",
				      V.m.names[i], (unsigned long long)V.m.published[i]);
	snprintf(out + n, cap - (size_t)n, "}}");
	return out;
}

/*
 * Commands (one per line; one JSON line back):
 *   book SYMBOL            the full current book {"symbol","lastUpdateId","bids","asks"}
 *   stats                  counters
 *   w2w                    wire-to-wire summary (w2w.c): count, p50/p90/p99/p99.9/max ns
 *   pause | resume         stop/restart the random walk (flushes pending depth windows)
 *   flush                  publish pending depth windows now
 *   rate N                 steps per second
 *   drop                   cut every client connection (no close frame)
 *   stall MS               send nothing for MS ms (the market keeps moving)
 *   gap SYMBOL [fast|slow] skip the next depth diff (default both depth streams)
 *   dup SYMBOL [fast|slow] send the next depth diff twice
 *   reorder SYMBOL [fast|slow] send the next depth diff after its successor
 *   garbage [N] [bin]      garbage bytes in the next N frames (bin: invalid UTF-8 too)
 *   oversize BYTES [SYMBOL] one frame of BYTES on SYMBOL@depth@100ms
 *   slow MS [CHUNK] [DELAY_MS] dribble TLS bytes: CHUNK bytes every DELAY_MS for MS ms
 */
static char *ctl_exec(const char *line, char *out, size_t cap)
{
	char cmd[32] = "";
	char a1[64] = "";
	char a2[64] = "";
	char a3[64] = "";
	uint64_t now = tt_venue_mono_ns();
	int k;

	sscanf(line, "%31s %63s %63s %63s", cmd, a1, a2, a3);
	if (!strcmp(cmd, "book")) {
		int s = tt_vmarket_sym(&V.m, a1);
		int n;

		if (s < 0 || V.m.replay) {
			snprintf(out, cap, "{\"ok\":false,\"error\":\"unknown symbol\"}");
			return out;
		}
		n = tt_venc_snapshot(out, cap, V.m.books[s], TT_VBOOK_TICKS, true);
		if (n < 0)
			n = snprintf(out, cap, "{\"ok\":false,\"error\":\"too big\"}");
		out[n] = 0;
		return out;
	}
	if (!strcmp(cmd, "stats"))
		return stats(out, cap);
	if (!strcmp(cmd, "w2w")) {
		tt_vw2w_summary(out, cap);
		return out;
	}
	if (!strcmp(cmd, "pause") || !strcmp(cmd, "resume") || !strcmp(cmd, "flush")) {
		if (cmd[0] == 'p')
			V.paused = true;
		if (cmd[0] == 'r') {
			V.paused = false;
			V.t0_ns = now;
			V.steps_done = 0;
		}
		tt_vmarket_flush(&V.m, now, tt_venue_wall_ms(), true);
		lws_callback_on_writable_all_protocol(V.ctx, &protocols[0]);
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "rate") && atoll(a1) > 0 &&
		   (uint64_t)atoll(a1) <= TT_VENUE_MAX_RATE) {
		V.rate = (uint64_t)atoll(a1);
		V.t0_ns = now;
		V.steps_done = 0;
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "drop")) {
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = V.clients[i];

			if (!c)
				continue;
			shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			V.disc_drop++;
		}
		tt_venue_fault_log("drop", ",\"clients\":%d", V.nclients);
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "stall") && atoi(a1) > 0) {
		V.stall_until = now + (uint64_t)atoi(a1) * 1000000ull;
		tt_venue_fault_log("stall", ",\"ms\":%d", atoi(a1));
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "gap") || !strcmp(cmd, "dup") || !strcmp(cmd, "reorder")) {
		int mask = !strcmp(a2, "fast") ? 2 : !strcmp(a2, "slow") ? 1 : 3;
		int which = cmd[0] == 'g' ? 0 : cmd[0] == 'd' ? 1 : 2;

		win_fault(a1, mask, which, out, cap);
		if (strstr(out, "true"))
			tt_venue_fault_log(cmd, ",\"armed\":true,\"symbol\":\"%s\"", a1);
	} else if (!strcmp(cmd, "garbage")) {
		k = atoi(a1) > 0 ? atoi(a1) : 1;
		V.m.garbage += k;
		V.m.garbage_bin = !strcmp(a1, "bin") || !strcmp(a2, "bin");
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "oversize") && atoll(a1) > 0) {
		size_t sz = (size_t)atoll(a1);
		int s = a2[0] ? tt_vmarket_sym(&V.m, a2) : 0;
		char *f;

		if (s < 0 || sz > V.log.cap / 4 || sz < 64) {
			snprintf(out, cap, "{\"ok\":false,\"error\":\"bad size or symbol\"}");
			return out;
		}
		f = malloc(sz);
		if (!f) {
			snprintf(out, cap, "{\"ok\":false,\"error\":\"no memory\"}");
			return out;
		}
		k = snprintf(f, sz, "{\"e\":\"depthUpdate\",\"pad\":\"");
		memset(f + k, 'x', sz - (size_t)k - 2);
		memcpy(f + sz - 2, "\"}", 2);
		if (tt_vmarket_publish(&V.m, TT_VSTREAM(s, TT_VK_DEPTH100), f, (uint32_t)sz) == 0)
			tt_venue_fault_log("oversize", ",\"stream\":\"%s\",\"bytes\":%zu",
					   V.m.names[TT_VSTREAM(s, TT_VK_DEPTH100)], sz);
		free(f);
		snprintf(out, cap, "{\"ok\":true}");
	} else if (!strcmp(cmd, "slow") && atoi(a1) > 0) {
		V.slow_until = now + (uint64_t)atoi(a1) * 1000000ull;
		V.slow_chunk = atoi(a2) > 0 ? (size_t)atoi(a2) : 7;
		V.slow_delay_ms = atoi(a3) > 0 ? atoi(a3) : 5;
		tt_venue_fault_log("slow", ",\"ms\":%d,\"chunk\":%zu,\"delay_ms\":%d", atoi(a1),
				   V.slow_chunk, V.slow_delay_ms);
		snprintf(out, cap, "{\"ok\":true}");
	} else {
		/* order entry (wsapi.c); its answer may live in its own, larger buffer */
		const char *r = tt_vapi_ctl(line, out, cap);

		if (r)
			return (char *)r;
		snprintf(out, cap, "{\"ok\":false,\"error\":\"unknown command or bad argument\"}");
	}
	return out;
}

/* ---- the tick --------------------------------------------------------------------------- */

static void tick(lws_sorted_usec_list_t *sul)
{
	uint64_t now = tt_venue_mono_ns();
	uint64_t ms = tt_venue_wall_ms();
	uint64_t head = V.log.head;
	char tmp[256];

	for (int i = 0; i < V.nsched; i++) {
		if (!V.sched[i].done && now >= V.sched[i].at_ns) {
			V.sched[i].done = true;
			fprintf(stderr,
				"{\"event\":\"scheduled_fault\",\"cmd\":\"%s\",\"result\":%s}\n",
				V.sched[i].cmd, ctl_exec(V.sched[i].cmd, tmp, sizeof(tmp)));
		}
	}
	if (V.replay) {
		/* The replay clock starts with the first client, so none misses the start. */
		if (V.nclients > 0 || V.replay_started) {
			V.replay_started = true;
			(void)tt_vreplay_pump(V.replay, &V.m, now);
		}
	} else if (!V.paused) {
		uint64_t due = (uint64_t)((__uint128_t)(now - V.t0_ns) * V.rate / 1000000000ull);
		uint64_t todo = due - V.steps_done;
		uint64_t cap = V.rate / 20 + 16; /* at most 50 ms of steps per tick */

		if (todo > cap) {
			/* Fell behind (stall of the host): drop the backlog, keep the rate. */
			V.steps_done = due - cap;
			todo = cap;
		}
		for (uint64_t i = 0; i < todo; i++)
			tt_vmarket_step(&V.m, (int)((V.steps_done + i) % (uint64_t)V.m.nsyms), ms);
		V.steps_done += todo;
		tt_vmarket_flush(&V.m, now, ms, false);
	}
	ctl_poll();
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = V.clients[i];

		if (!c)
			continue;
		if (now >= c->next_ping_ns) {
			c->next_ping_ns = now + (uint64_t)V.o->ping_s * 1000000000ull;
			c->ping_due = true;
			lws_callback_on_writable(c->wsi);
		}
		if (c->ping_out_ns &&
		    now - c->ping_out_ns > (uint64_t)V.o->pong_timeout_s * 1000000000ull) {
			c->ping_out_ns = 0;
			V.disc_pong++;
			client_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "pong timeout");
		}
	}
	if (V.log.head != head || (V.stall_until && now >= V.stall_until)) {
		if (V.stall_until && now >= V.stall_until)
			V.stall_until = 0;
		if (now >= V.stall_until)
			lws_callback_on_writable_all_protocol(V.ctx, &protocols[0]);
	}
	if (V.cap)
		fflush(V.cap);
	lws_sul_schedule(V.ctx, 0, sul, tick, V.o->tick_us);
}

/* SIGTERM/SIGINT: every client gets the venue's serverShutdown event (raw or wrapped in the
 * "!serverShutdown" stream), then 200 ms of service to deliver it before the context goes. */
static void announce_shutdown(void)
{
	char raw[96];
	char wrapped[160];
	uint64_t t;
	int n = snprintf(raw, sizeof(raw), "{\"e\":\"serverShutdown\",\"E\":%llu}",
			 (unsigned long long)tt_venue_wall_ms());
	int m =
	    snprintf(wrapped, sizeof(wrapped), "{\"stream\":\"!serverShutdown\",\"data\":%s}", raw);

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = V.clients[i];

		if (c && !c->close_code) {
			if (c->combined)
				queue_reply(c, wrapped, (size_t)m);
			else
				queue_reply(c, raw, (size_t)n);
		}
	}
	V.paused = true;
	t = tt_venue_mono_ns();
	while (tt_venue_mono_ns() - t < 200000000ull)
		if (lws_service(V.ctx, 0) < 0)
			break;
}

static void on_signal(int sig)
{
	V.stop = 1;
	if (V.ctx)
		lws_cancel_service(V.ctx);
}

/* ---- start and stop --------------------------------------------------------------------- */

static int parse_faults(const char *spec)
{
	const char *p = spec;

	/* "AT_MS:command args;AT_MS:command args" */
	while (p && *p) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char item[160];
		char *colon;

		if (V.nsched == MAX_SCHED || n >= sizeof(item))
			return tt_err_set(-TT_ECONFIG, "--fault: too many or too long: %.*s",
					  (int)n, p);
		memcpy(item, p, n);
		item[n] = 0;
		colon = strchr(item, ':');
		if (!colon || colon == item)
			return tt_err_set(-TT_ECONFIG,
					  "--fault: expected AT_MS:command, found '%s'", item);
		*colon = 0;
		V.sched[V.nsched].at_ns = (uint64_t)atoll(item) * 1000000ull;
		snprintf(V.sched[V.nsched].cmd, sizeof(V.sched[0].cmd), "%s", colon + 1);
		V.nsched++;
		p += n;
		if (*p == ';')
			p++;
	}
	return 0;
}

int tt_venue_run(const struct tt_venue_opts *o)
{
	struct lws_context_creation_info info;
	char dir[4096];
	char cert[4200];
	char key[4200];
	char ca[4200] = "";
	int rc = 0;
	int port;

	memset(&V, 0, sizeof(V));
	tt_vw2w_reset();
	V.o = o;
	V.ctl_fd = -1;
	for (int i = 0; i < MAX_CTL; i++)
		V.ctl[i].fd = -1;
	V.rate = o->rate;
	if (!tt_venue_bind_ok(o->bind))
		return tt_err_set(-TT_EDENIED,
				  "bind address '%s' refused: tt-venue binds loopback only "
				  "(127.0.0.0/8 or ::1)",
				  o->bind ? o->bind : "(null)");
	if (o->log_bytes < (1u << 20) || (o->log_bytes & (o->log_bytes - 1)))
		return tt_err_set(-TT_ECONFIG, "log size must be a power of two >= 1 MiB");
	if (o->nsyms < 1 || o->rate < 1 || o->rate > TT_VENUE_MAX_RATE || o->depth_ms_fast < 1 ||
	    o->depth_ms_slow < 1 || o->ping_s < 1 || o->pong_timeout_s < 1 || o->max_in_per_s < 1 ||
	    o->tick_us < 50)
		return tt_err_set(-TT_ECONFIG, "bad option value (symbols, rate, windows, ping, "
					       "limits, tick)");
	rc = parse_faults(o->faults);
	if (rc < 0)
		return rc;
	V.log.cap = o->log_bytes;
	V.log.buf = malloc(o->log_bytes);
	if (!V.log.buf)
		return tt_err_set(-ENOMEM, "frame log of %llu bytes",
				  (unsigned long long)o->log_bytes);
	rc = tt_vmarket_init(&V.m, o, &V.log);
	if (rc < 0) {
		tt_err_set(rc, "market init (unknown symbol? built-in: BTCUSDT ETHUSDT SOLUSDT "
			       "BNBUSDT)");
		goto out_market;
	}
	rc = tt_vapi_init(&V.m, o);
	if (rc < 0)
		goto out_market;
	if (o->replay_path) {
		rc = tt_vreplay_open(&V.replay, o->replay_path, o->replay_loop);
		if (rc < 0) {
			tt_err_set(rc, "replay file %s", o->replay_path);
			goto out_market;
		}
	}
	if (o->cert_file && o->key_file) {
		snprintf(cert, sizeof(cert), "%s", o->cert_file);
		snprintf(key, sizeof(key), "%s", o->key_file);
	} else {
		if (o->cert_dir) {
			snprintf(dir, sizeof(dir), "%s", o->cert_dir);
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				rc = tt_err_set(-errno, "mkdir(%s): %m", dir);
				goto out_market;
			}
		} else {
			snprintf(dir, sizeof(dir), "/tmp/tt-venue-%d-XXXXXX", (int)getpid());
			if (!mkdtemp(dir)) {
				rc = tt_err_set(-errno, "mkdtemp(%s): %m", dir);
				goto out_market;
			}
		}
		rc = tt_venue_gen_cert(dir);
		if (rc < 0)
			goto out_market;
		snprintf(cert, sizeof(cert), "%s/server.pem", dir);
		snprintf(key, sizeof(key), "%s/server.key", dir);
		snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	}
	if (o->capture_path) {
		V.cap = fopen(o->capture_path, "w");
		if (!V.cap) {
			rc = tt_err_set(-errno, "fopen(%s): %m", o->capture_path);
			goto out_market;
		}
		setvbuf(V.cap, NULL, _IOFBF, 1 << 20);
		fprintf(V.cap, "# tt-venue capture v1: F <mono_ns> <tsc> <client> <stream> <len>\\n"
			       "<payload>\\n\n");
	}
	if (o->ctl_path) {
		V.ctl_fd = ctl_open(o->ctl_path);
		if (V.ctl_fd < 0) {
			rc = V.ctl_fd;
			goto out_cap;
		}
	}

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	V.ctx = lws_create_context(&info);
	if (!V.ctx) {
		rc = tt_err_set(-EIO, "lws_create_context failed");
		goto out_ctl;
	}
	memset(&info, 0, sizeof(info));
	info.port = o->port;
	info.iface = o->bind;
	info.protocols = protocols;
	info.ssl_cert_filepath = cert;
	info.ssl_private_key_filepath = key;
	info.max_http_header_data = 4096;
	info.vhost_name = "tt-venue";
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       (strchr(o->bind, ':') ? 0 : LWS_SERVER_OPTION_DISABLE_IPV6);
	V.vh = lws_create_vhost(V.ctx, &info);
	if (!V.vh) {
		rc = tt_err_set(-EADDRINUSE, "lws_create_vhost on %s:%d failed", o->bind, o->port);
		goto out_ctx;
	}
	port = lws_get_vhost_listen_port(V.vh);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("{\"event\":\"listening\",\"bind\":\"%s\",\"port\":%d,\"ca_file\":\"%s\","
	       "\"cert_file\":\"%s\",\"ctl\":\"%s\",\"mode\":\"%s\",\"rate\":%llu}\n",
	       o->bind, port, ca, cert, o->ctl_path ? o->ctl_path : "",
	       o->replay_path ? "replay" : "synthetic", (unsigned long long)o->rate);
	fflush(stdout);

	V.t0_ns = tt_venue_mono_ns();
	for (int i = 0; i < V.nsched; i++)
		V.sched[i].at_ns += V.t0_ns;
	for (int s = 0; s < V.m.nsyms; s++)
		for (int k = 0; k < 2; k++)
			V.m.win[s][k]->next_ns =
			    V.t0_ns + (uint64_t)V.m.win[s][k]->period_ms * 1000000ull;
	lws_sul_schedule(V.ctx, 0, &V.sul, tick, o->tick_us);
	while (!V.stop)
		if (lws_service(V.ctx, 0) < 0)
			break;
	announce_shutdown();
	fprintf(stderr, "{\"event\":\"shutdown\",\"frames_sent\":%llu,\"steps\":%llu}\n",
		(unsigned long long)V.sent_frames, (unsigned long long)V.m.steps);
	{
		char w[320];
		int n = tt_vw2w_summary(w, sizeof(w));

		/* {"w2w":{...}} → {"event":"w2w_summary",...} */
		if (n > 9 && n < (int)sizeof(w)) {
			w[n - 1] = 0;
			fprintf(stderr, "{\"event\":\"w2w_summary\",%s\n", w + 8);
		}
	}
	rc = 0;
out_ctx:
	lws_context_destroy(V.ctx);
	V.ctx = NULL;
out_ctl:
	for (int i = 0; i < MAX_CTL; i++)
		if (V.ctl[i].fd >= 0)
			close(V.ctl[i].fd);
	if (V.ctl_fd >= 0) {
		close(V.ctl_fd);
		unlink(o->ctl_path);
	}
out_cap:
	if (V.cap)
		fclose(V.cap);
out_market:
	tt_vapi_fini();
	tt_vreplay_close(V.replay);
	tt_vmarket_fini(&V.m);
	free(V.log.buf);
	return rc;
}
