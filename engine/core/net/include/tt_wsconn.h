/*
 * tt_wsconn.h — the WebSocket-over-TLS client connection (DESIGN §4): tt_conn carries the
 * bytes, the tt_ws codec builds the upgrade and parses/encodes frames. Pings are answered
 * with a pong echoing the payload, fragmented messages are reassembled (control frames
 * may arrive between fragments), the close handshake is answered, an oversize frame or
 * any protocol violation sends the matching close code and ends the connection; every
 * end goes through tt_conn's reconnect path when configured.
 *
 *   tt_conn: ... TLS_HANDSHAKE ─ ws_on_up(): send upgrade ─▶ WS_HANDSHAKE
 *   WS_HANDSHAKE ─ ws_on_data(): 101 + Accept verified ─ tt_conn_set_open() ─▶ OPEN
 *   OPEN ─ frames ─▶ on_msg(t_rx) / ping → pong / close → echo close, tt_conn_close()
 *   OPEN ─ tt_wsconn_close(): close frame sent ─ peer's close ─▶ tt_conn_close()
 *
 * A message is delivered zero-copy when it arrived in one frame and one recv: the pointer
 * is into the connection's plaintext buffer, valid during the callback only. t_rx is the
 * reap stamp of the recv that completed the frame.
 *
 * Storage: caller-owned (the struct, plus the receive and reassembly buffers given at
 * init). Same thread as the loop.
 */
#ifndef TT_WSCONN_H
#define TT_WSCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_conn.h"
#include "tt_ws.h"

#define TT_WSCONN_PATH_MAX 1024	       /* request target incl. query */
#define TT_WSCONN_TX_MAX   (16 * 1024) /* largest payload tt_wsconn_send takes */

struct tt_wsconn;

struct tt_wsconn_ops {
	/* The upgrade was accepted: send subscriptions here. */
	void (*on_open)(struct tt_wsconn *w);
	/* One complete message (text or binary), t_rx = reap stamp of its last bytes. */
	void (*on_msg)(struct tt_wsconn *w, const uint8_t *p, size_t n, bool binary, uint64_t t_rx);
	/* The connection ended: reason as tt_conn's on_down (0 after a close handshake we
	 * started, -ESHUTDOWN after one the server started, -EMSGSIZE/-TT_EPROTO/-EILSEQ for
	 * frames we refused, ...); close_code: the code the server sent, 0 if none. */
	void (*on_down)(struct tt_wsconn *w, int reason, uint16_t close_code);
};

struct tt_wsconn_cfg {
	struct tt_conn_cfg conn; /* endpoint, timeouts, reconnect (app_handshake forced on) */
	const char *path;	 /* request target, e.g. "/stream?streams=btcusdt@depth"; copied */
	unsigned parse_flags;	 /* enum tt_ws_flags (TT_WS_F_NO_UTF8_CHECK for venue JSON) */
};

struct tt_wsconn {
	struct tt_conn conn;		    /* the TLS connection */
	struct tt_ws_handshake hs;	    /* upgrade state of the current connection */
	struct tt_ws_parser parser;	    /* frame parser of the current connection */
	struct tt_ws_maskgen mg;	    /* mask keys */
	const struct tt_wsconn_ops *ops;    /* callbacks, not owned */
	void *user;			    /* for the caller */
	unsigned parse_flags;		    /* from cfg */
	bool close_sent;		    /* we sent a close frame on this connection */
	uint16_t close_rx;		    /* close code received on this connection */
	uint8_t *rx;			    /* caller's staging buffer for partial frames */
	size_t rx_cap;			    /* its size: max_msg + TT_WS_MAX_HEADER */
	size_t rx_len;			    /* bytes held in rx */
	uint8_t *frag;			    /* caller's reassembly buffer */
	size_t frag_cap;		    /* its size (= max_msg) */
	uint64_t n_msgs;		    /* messages delivered */
	uint64_t n_pings;		    /* pings answered */
	uint64_t n_pongs;		    /* pongs received */
	uint64_t n_refused;		    /* connections ended for a protocol violation */
	char hosthdr[TT_CONN_HOST_MAX + 8]; /* Host header value */
	char path[TT_WSCONN_PATH_MAX];	    /* request target */
	uint8_t tx[TT_WSCONN_TX_MAX + TT_WS_MAX_HEADER]; /* one encoded frame / the upgrade */
};

/* Sets up w in caller storage. rx: rx_cap bytes; frag: max_msg bytes; the largest message
 * accepted is min(rx_cap - TT_WS_MAX_HEADER, max_msg). 0 or -EINVAL. */
int tt_wsconn_init(struct tt_wsconn *w, struct tt_loop *loop, struct tt_tls_ctx *tls,
		   const struct tt_wsconn_cfg *cfg, const struct tt_wsconn_ops *ops, void *user,
		   uint8_t *rx, size_t rx_cap, uint8_t *frag, size_t max_msg) TT_WUR;
/* Connects (see tt_conn_start). */
int tt_wsconn_start(struct tt_wsconn *w) TT_WUR;
/* Sends one text (binary false) or binary message, masked. Only when OPEN.
 * 0, -ENOTCONN, -EMSGSIZE (> TT_WSCONN_TX_MAX), -ENOBUFS. */
int tt_wsconn_send(struct tt_wsconn *w, const void *p, size_t n, bool binary) TT_WUR;
/* Sends a ping (payload ≤ 125). */
int tt_wsconn_ping(struct tt_wsconn *w, const void *p, size_t n) TT_WUR;
/* Starts the close handshake with code (1000 normal); the connection ends when the peer
 * answers (or by the idle/close timeouts). Reconnects afterwards if configured. */
void tt_wsconn_close(struct tt_wsconn *w, uint16_t code);
/* Sends a close frame if open, closes, never reconnects. */
void tt_wsconn_stop(struct tt_wsconn *w);
/* Frees TLS state; call when tt_conn_is_quiet(&w->conn). */
void tt_wsconn_fini(struct tt_wsconn *w);

#endif /* TT_WSCONN_H */
