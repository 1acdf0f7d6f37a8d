/*
 * wsconn.c — WebSocket client connection (tt_wsconn.h) over tt_conn with the tt_ws codec.
 * Receive: plaintext from tt_conn is parsed in place when no partial frame is pending
 * (zero copy: the usual case of whole frames per recv); otherwise it is appended to the
 * caller's rx buffer, parsed there, and the unparsed tail moved to the front. The parser
 * validates a frame header before its payload arrives, so a pending frame always fits
 * rx (max_msg + header). Send: one masked frame encoded into tx[], then tt_conn_send.
 */
#include "tt_wsconn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "tt_err.h"

#define tt_container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

static int ws_send_frame(struct tt_wsconn *w, unsigned opcode, const void *p, size_t n)
{
	uint8_t mask[4];
	ssize_t k;
	int rc;

	rc = tt_ws_maskgen_next(&w->mg, mask);
	if (tt_unlikely(rc < 0))
		return rc;
	if (opcode == TT_WS_OP_CLOSE) {
		const uint8_t *b = p;
		unsigned code = n >= 2 ? (unsigned)(b[0] << 8 | b[1]) : 0;

		k = tt_ws_encode_close(w->tx, sizeof(w->tx), mask, code, NULL, 0);
	} else {
		k = tt_ws_encode(w->tx, sizeof(w->tx), opcode, true, mask, p, n);
	}
	if (tt_unlikely(k < 0))
		return tt_err_set((int)k, "WS encode opcode %u, %zu bytes", opcode, n);
	return tt_conn_send(&w->conn, w->tx, (size_t)k);
}

static void ws_send_close(struct tt_wsconn *w, uint16_t code)
{
	uint8_t b[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	if (w->close_sent)
		return;
	w->close_sent = true;
	if (ws_send_frame(w, TT_WS_OP_CLOSE, b, code ? 2 : 0) < 0)
		tt_err_clear(); /* the connection is ending either way */
}

/* A frame we refuse: tell the peer why (close code), then end this connection. */
static void ws_refuse(struct tt_wsconn *w, int rc)
{
	w->n_refused++;
	tt_err_add("WS frame from %s:%u refused (%s)", w->conn.host, w->conn.cfg.port,
		   w->parser.error ? w->parser.error : "?");
	if (w->parser.fail_code)
		ws_send_close(w, w->parser.fail_code);
	tt_conn_close(&w->conn, rc);
}

/* Handles one event; false once the connection is ending. */
static bool ws_event(struct tt_wsconn *w, const struct tt_ws_event *ev, uint64_t t)
{
	int rc;

	switch (ev->type) {
	case TT_WS_EV_MESSAGE:
		w->n_msgs++;
		if (w->ops->on_msg)
			w->ops->on_msg(w, ev->data, ev->len, ev->opcode == TT_WS_OP_BINARY, t);
		return tt_conn_state(&w->conn) == TT_CONN_OPEN;
	case TT_WS_EV_PING:
		w->n_pings++;
		rc = ws_send_frame(w, TT_WS_OP_PONG, ev->data, ev->len);
		if (rc < 0) {
			tt_conn_abort(&w->conn, rc);
			return false;
		}
		return true;
	case TT_WS_EV_PONG:
		w->n_pongs++;
		return true;
	case TT_WS_EV_CLOSE:
		w->close_rx = ev->close_code;
		if (w->close_sent) {
			tt_conn_close(&w->conn, 0); /* our close handshake is complete */
		} else {
			ws_send_close(w,
				      ev->close_code == TT_WS_CLOSE_NO_STATUS ? 0 : ev->close_code);
			tt_err_set(-ESHUTDOWN, "WS %s:%u: server closed with %u", w->conn.host,
				   w->conn.cfg.port, ev->close_code);
			tt_conn_close(&w->conn, -ESHUTDOWN);
		}
		return false;
	default:
		return true;
	}
}

/* Parses and dispatches the frames in buf[0..len). Returns bytes consumed, -1 once the
 * connection is ending. */
static long ws_frames(struct tt_wsconn *w, const uint8_t *buf, size_t len, uint64_t t)
{
	size_t off = 0;

	while (off < len) {
		struct tt_ws_event ev;
		size_t used = 0;
		int rc = tt_ws_parse(&w->parser, buf + off, len - off, &used, &ev);

		off += used;
		if (rc == 0)
			break;
		if (tt_unlikely(rc < 0)) {
			ws_refuse(w, rc);
			return -1;
		}
		if (!ws_event(w, &ev, t))
			return -1;
	}
	return (long)off;
}

static void ws_on_data(struct tt_conn *c, const uint8_t *p, size_t n, uint64_t t)
{
	struct tt_wsconn *w = tt_container_of(c, struct tt_wsconn, conn);

	if (tt_unlikely(c->state == TT_CONN_WS_HANDSHAKE)) {
		size_t used = 0;
		int rc = tt_ws_handshake_feed(&w->hs, p, n, &used);

		if (rc == -EAGAIN)
			return;
		if (rc < 0) {
			tt_err_add("WS upgrade with %s:%u (%s)", c->host, c->cfg.port,
				   w->hs.error ? w->hs.error : "bad response");
			tt_conn_abort(c, rc);
			return;
		}
		tt_conn_set_open(c);
		if (w->ops->on_open)
			w->ops->on_open(w);
		p += used;
		n -= used;
	}
	while (n > 0 && c->state == TT_CONN_OPEN) {
		size_t k;
		long used;

		if (tt_likely(w->rx_len == 0)) {
			/* Whole frames straight from the plaintext buffer; keep only the tail. */
			used = ws_frames(w, p, n, t);
			if (used < 0)
				return;
			p += used;
			n -= (size_t)used;
			if (tt_unlikely(n > w->rx_cap)) {
				tt_conn_abort(c, tt_err_set(-EMSGSIZE,
							    "WS partial frame of %zu "
							    "bytes exceeds rx buffer",
							    n));
				return;
			}
			memcpy(w->rx, p, n);
			w->rx_len = n;
			return;
		}
		k = w->rx_cap - w->rx_len < n ? w->rx_cap - w->rx_len : n;
		memcpy(w->rx + w->rx_len, p, k);
		w->rx_len += k;
		p += k;
		n -= k;
		used = ws_frames(w, w->rx, w->rx_len, t);
		if (used < 0)
			return;
		if (tt_unlikely(k == 0 && used == 0)) {
			tt_conn_abort(c, tt_err_set(-EMSGSIZE, "WS frame exceeds rx buffer"));
			return;
		}
		memmove(w->rx, w->rx + used, w->rx_len - (size_t)used);
		w->rx_len -= (size_t)used;
	}
}

static void ws_on_up(struct tt_conn *c)
{
	struct tt_wsconn *w = tt_container_of(c, struct tt_wsconn, conn);
	uint8_t key[16];
	ssize_t k;
	int rc;

	w->rx_len = 0;
	w->close_sent = false;
	w->close_rx = 0;
	tt_ws_parser_init(&w->parser, w->frag, w->frag_cap,
			  w->frag_cap < w->rx_cap - TT_WS_MAX_HEADER ? w->frag_cap
								     : w->rx_cap - TT_WS_MAX_HEADER,
			  w->parse_flags);
	if (RAND_bytes(key, sizeof(key)) != 1) {
		tt_conn_abort(c, tt_err_set(-EIO, "RAND_bytes for Sec-WebSocket-Key failed"));
		return;
	}
	k = tt_ws_handshake_build(&w->hs, (char *)w->tx, sizeof(w->tx), w->hosthdr, w->path, key,
				  NULL, 0);
	if (k < 0) {
		tt_conn_abort(
		    c, tt_err_set((int)k, "WS upgrade request for %s%s", w->hosthdr, w->path));
		return;
	}
	rc = tt_conn_send(c, w->tx, (size_t)k);
	if (rc < 0)
		tt_conn_abort(c, rc);
}

static void ws_on_down(struct tt_conn *c, int reason)
{
	struct tt_wsconn *w = tt_container_of(c, struct tt_wsconn, conn);

	w->rx_len = 0;
	if (w->ops->on_down)
		w->ops->on_down(w, reason, w->close_rx);
}

static const struct tt_conn_ops ws_conn_ops = {
    .on_up = ws_on_up,
    .on_data = ws_on_data,
    .on_down = ws_on_down,
};

__tt_cold int tt_wsconn_init(struct tt_wsconn *w, struct tt_loop *loop, struct tt_tls_ctx *tls,
			     const struct tt_wsconn_cfg *cfg, const struct tt_wsconn_ops *ops,
			     void *user, uint8_t *rx, size_t rx_cap, uint8_t *frag, size_t max_msg)
{
	struct tt_conn_cfg cc = cfg->conn;
	const char *path = cfg->path && cfg->path[0] ? cfg->path : "/";
	size_t pl = strlen(path);
	int rc;

	memset(&w->hs, 0, offsetof(struct tt_wsconn, tx) - offsetof(struct tt_wsconn, hs));
	if (!rx || rx_cap <= TT_WS_MAX_HEADER || !frag || max_msg == 0 || pl >= sizeof(w->path) ||
	    path[0] != '/')
		return tt_err_set(-EINVAL, "tt_wsconn_init: rx %zu bytes, max_msg %zu, path '%s'",
				  rx_cap, max_msg, path);
	cc.app_handshake = true;
	rc = tt_conn_init(&w->conn, loop, tls, &cc, &ws_conn_ops, w);
	if (rc < 0)
		return rc;
	w->ops = ops;
	w->user = user;
	w->parse_flags = cfg->parse_flags;
	w->rx = rx;
	w->rx_cap = rx_cap;
	w->frag = frag;
	w->frag_cap = max_msg;
	memcpy(w->path, path, pl + 1);
	if (cc.port == 443)
		snprintf(w->hosthdr, sizeof(w->hosthdr), "%s", w->conn.host);
	else if (strchr(w->conn.host, ':'))
		snprintf(w->hosthdr, sizeof(w->hosthdr), "[%s]:%u", w->conn.host, cc.port);
	else
		snprintf(w->hosthdr, sizeof(w->hosthdr), "%s:%u", w->conn.host, cc.port);
	return 0;
}

__tt_cold void tt_wsconn_fini(struct tt_wsconn *w)
{
	tt_conn_fini(&w->conn);
}

int tt_wsconn_start(struct tt_wsconn *w)
{
	return tt_conn_start(&w->conn);
}

int tt_wsconn_send(struct tt_wsconn *w, const void *p, size_t n, bool binary)
{
	if (tt_unlikely(tt_conn_state(&w->conn) != TT_CONN_OPEN || w->close_sent))
		return tt_err_set(-ENOTCONN, "WS send to %s:%u in state %s", w->conn.host,
				  w->conn.cfg.port, tt_conn_state_name(tt_conn_state(&w->conn)));
	if (tt_unlikely(n > TT_WSCONN_TX_MAX))
		return tt_err_set(-EMSGSIZE, "WS send: %zu bytes > %d", n, TT_WSCONN_TX_MAX);
	return ws_send_frame(w, binary ? TT_WS_OP_BINARY : TT_WS_OP_TEXT, p, n);
}

int tt_wsconn_ping(struct tt_wsconn *w, const void *p, size_t n)
{
	if (tt_conn_state(&w->conn) != TT_CONN_OPEN || w->close_sent)
		return tt_err_set(-ENOTCONN, "WS ping in state %s",
				  tt_conn_state_name(tt_conn_state(&w->conn)));
	if (n > TT_WS_CONTROL_MAX)
		return tt_err_set(-EMSGSIZE, "WS ping payload %zu > 125", n);
	return ws_send_frame(w, TT_WS_OP_PING, p, n);
}

void tt_wsconn_close(struct tt_wsconn *w, uint16_t code)
{
	if (tt_conn_state(&w->conn) == TT_CONN_OPEN && !w->close_sent) {
		ws_send_close(w, code);
		tt_conn_expect_close(&w->conn); /* a silent peer cannot hold us open */
	} else
		tt_conn_close(&w->conn, 0);
}

void tt_wsconn_stop(struct tt_wsconn *w)
{
	if (tt_conn_state(&w->conn) == TT_CONN_OPEN)
		ws_send_close(w, TT_WS_CLOSE_GOING_AWAY);
	tt_conn_stop(&w->conn);
}
