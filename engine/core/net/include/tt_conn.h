/*
 * tt_conn.h — an outbound TLS-over-TCP client connection driven by tt_loop (DESIGN §4):
 * guard + resolve, non-blocking connect with timeout, TLS handshake over memory BIOs,
 * an optional application handshake owned by the layer above (WebSocket upgrade), then a
 * plaintext byte stream; timeouts for connect, handshake and idle; reconnect with capped
 * exponential backoff and full jitter. The WS and HTTP clients sit on top (tt_wsconn.h).
 *
 *   tt_conn_start()
 *   IDLE ──────────▶ RESOLVING ── guard refuses (-TT_EDENIED) ─────────────────▶ CLOSED
 *                        │ conn_connect(): tt_net_resolve() ok, socket()
 *                        ▼
 *                    CONNECTING ── conn_on_connect() ok ──▶ TLS_HANDSHAKE
 *                                                            │ conn_on_tls_done()
 *                          cfg.app_handshake ┌───────────────┴─────────────┐ otherwise
 *                                            ▼                             ▼
 *                                      WS_HANDSHAKE ── tt_conn_set_open() ─▶ OPEN
 *   any state above ── error, timeout, peer close, tt_conn_abort() ─▶ CLOSING (conn_kill():
 *   shutdown(2), cancel in-flight ops) ─ all ops done: conn_maybe_finish(): on_down() ─┐
 *   OPEN ── tt_conn_close()/tt_conn_stop(): close_notify drained ─▶ CLOSING            │
 *              ┌─────────────────── cfg.reconnect && !stopped ◀────────────────────────┘
 *              ▼                                                    otherwise ─▶ CLOSED
 *           BACKOFF ── conn_on_timer(): delay tt_backoff_next() passed ─▶ RESOLVING
 *
 * Storage: the caller owns struct tt_conn, buffers included (no allocation of ours after
 * tt_conn_init; OpenSSL allocates its SSL and BIO pair at each connect). One thread: the
 * loop's. Callbacks run from tt_loop_run_once(); they may call send/close/abort/stop.
 * The t_rx passed to on_data is the reap stamp of the recv that delivered those bytes.
 */
#ifndef TT_CONN_H
#define TT_CONN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tt_compiler.h"
#include "tt_loop.h"
#include "tt_tls.h"

#define TT_CONN_HOST_MAX  256
#define TT_CONN_RX_BUF	  (32 * 1024) /* ciphertext recv buffer */
#define TT_CONN_PLAIN_BUF (16 * 1024) /* one TLS record of plaintext */
#define TT_CONN_TX_BUF	  (64 * 1024) /* ciphertext waiting for / in a send */

/* ---- reconnect backoff: capped exponential with full jitter -------------------------- */

struct tt_backoff {
	uint64_t base_ns; /* first ceiling */
	uint64_t cap_ns;  /* ceiling never exceeds this */
	uint32_t attempt; /* failures since the last reset */
	uint64_t rng;	  /* xorshift64* state (never 0) */
};

/* seed 0 is replaced by a fixed non-zero constant (tests print and pass their seed). */
void tt_backoff_init(struct tt_backoff *b, uint64_t base_ns, uint64_t cap_ns, uint64_t seed);
/* Next delay: uniform in [0, min(cap, base * 2^attempt)]; then attempt++. */
uint64_t tt_backoff_next(struct tt_backoff *b);
/* The ceiling the next call will draw under (for tests and logs). */
uint64_t tt_backoff_ceiling(const struct tt_backoff *b);
/* After a successful open: the next failure starts again from base. */
void tt_backoff_reset(struct tt_backoff *b);

/* ---- connection ---------------------------------------------------------------------- */

enum tt_conn_state {
	TT_CONN_IDLE,
	TT_CONN_RESOLVING,
	TT_CONN_CONNECTING,
	TT_CONN_TLS_HANDSHAKE,
	TT_CONN_WS_HANDSHAKE,
	TT_CONN_OPEN,
	TT_CONN_CLOSING,
	TT_CONN_BACKOFF,
	TT_CONN_CLOSED,
};

struct tt_conn;

struct tt_conn_ops {
	/* TLS is up. With cfg.app_handshake the layer above starts its handshake here and
	 * calls tt_conn_set_open() when done; otherwise the state is already OPEN. */
	void (*on_up)(struct tt_conn *c);
	/* Plaintext bytes, in order; t_rx = reap stamp of the recv that brought them. */
	void (*on_data)(struct tt_conn *c, const uint8_t *p, size_t n, uint64_t t_rx);
	/* The connection is gone (reason: 0 local close, -ETIMEDOUT, -ECONNRESET, -EPIPE peer
	 * EOF without close_notify, -ESHUTDOWN peer close_notify, -EKEYREJECTED, -TT_EDENIED,
	 * -TT_EPROTO, -ECONNREFUSED, ...). State is BACKOFF or CLOSED when called. */
	void (*on_down)(struct tt_conn *c, int reason);
};

struct tt_conn_cfg {
	const char *host;	       /* name or IP literal (guard-checked); copied */
	uint16_t port;		       /* TCP port */
	bool app_handshake;	       /* layer above finishes the open (WS upgrade) */
	bool reconnect;		       /* go to BACKOFF after a failure, else CLOSED */
	uint32_t connect_timeout_ms;   /* TCP connect; 0 = 3000 */
	uint32_t handshake_timeout_ms; /* TLS + app handshake; 0 = 5000 */
	uint32_t idle_timeout_ms;      /* OPEN with nothing received; 0 = none */
	uint32_t close_timeout_ms;     /* graceful close drain; 0 = 1000 */
	uint32_t backoff_base_ms;      /* 0 = 100 */
	uint32_t backoff_cap_ms;       /* 0 = 10000 */
	uint64_t backoff_seed;	       /* jitter RNG seed */
};

struct tt_conn {
	struct tt_loop *loop;		  /* not owned */
	const struct tt_conn_ops *ops;	  /* callbacks, not owned */
	void *user;			  /* for the caller */
	struct tt_conn_cfg cfg;		  /* copy; cfg.host points at host[] */
	char host[TT_CONN_HOST_MAX];	  /* copy of the host */
	enum tt_conn_state state;	  /* see the diagram */
	int fd;				  /* socket, -1 when none */
	int reason;			  /* why the current CLOSING started */
	bool stopped;			  /* tt_conn_stop(): no reconnect */
	bool draining;			  /* CLOSING: sending close_notify before shutdown */
	uint32_t busy;			  /* inside rx processing: defer the teardown */
	struct sockaddr_storage sa;	  /* resolved peer */
	socklen_t salen;		  /* its length */
	struct tt_tls tls;		  /* TLS state; session kept across connects */
	struct tt_backoff backoff;	  /* reconnect delays */
	struct tt_loop_op op_connect;	  /* connect + linked timeout */
	struct tt_loop_op op_recv;	  /* one recv in flight while connected */
	struct tt_loop_op op_send;	  /* one send in flight at most */
	struct tt_loop_op op_timer;	  /* the one timer: connect/handshake/idle/close/backoff */
	uint64_t deadline;		  /* when the state's timer fires; 0 = none */
	uint64_t timer_at;		  /* deadline the armed timer was set for */
	uint64_t t_last_rx;		  /* stamp of the last recv with bytes */
	uint64_t close_by;		  /* OPEN: the peer must end it by then (0: no) */
	uint32_t tx_head;		  /* tx[tx_head..tx_tail) waits for / is in a send */
	uint32_t tx_tail;		  /* end of queued ciphertext */
	uint32_t tx_inflight;		  /* bytes of the send in flight */
	uint64_t n_connects;		  /* connect attempts */
	uint64_t n_opens;		  /* reached OPEN */
	uint64_t n_downs;		  /* on_down calls */
	uint64_t n_partial_sends;	  /* sends the kernel took only in part */
	uint64_t rx_bytes;		  /* plaintext delivered */
	uint64_t tx_bytes;		  /* plaintext accepted by tt_conn_send */
	uint8_t rx[TT_CONN_RX_BUF];	  /* ciphertext recv buffer */
	uint8_t plain[TT_CONN_PLAIN_BUF]; /* plaintext handed to on_data */
	uint8_t tx[TT_CONN_TX_BUF];	  /* ciphertext to send */
};

/* Sets up c in caller storage (zeroes it first). tls must outlive c. 0 or -EINVAL (host
 * missing/too long, port 0). Nothing is resolved or connected yet. */
int tt_conn_init(struct tt_conn *c, struct tt_loop *loop, struct tt_tls_ctx *tls,
		 const struct tt_conn_cfg *cfg, const struct tt_conn_ops *ops, void *user) TT_WUR;
/* Frees the TLS session and closes the socket. Call when tt_conn_is_quiet(). */
void tt_conn_fini(struct tt_conn *c);

/* IDLE/CLOSED → RESOLVING → CONNECTING. 0, or the error that sent it to BACKOFF/CLOSED
 * at once (-TT_EDENIED: the guard refused; on_down has been called). */
int tt_conn_start(struct tt_conn *c) TT_WUR;
/* Sends plaintext (encrypts and queues; the send is submitted now). Only in WS_HANDSHAKE
 * or OPEN. Up to the BIO + tx[] capacity (~128 KiB of ciphertext) may be queued behind a
 * slow peer. 0, -ENOTCONN, or an error that also ended the connection (-ENOBUFS when the
 * queue is full: part of the bytes may be in the stream, so it fails closed). */
int tt_conn_send(struct tt_conn *c, const void *p, size_t n) TT_WUR;
/* The layer above finished its handshake: WS_HANDSHAKE → OPEN (backoff reset). */
void tt_conn_set_open(struct tt_conn *c);
/* Ends this connection gracefully (close_notify), reason passed to on_down; reconnects
 * afterwards if configured. */
void tt_conn_close(struct tt_conn *c, int reason);
/* The layer above started a close handshake: if the connection is still OPEN after
 * cfg.close_timeout_ms, it ends with -ETIMEDOUT. */
void tt_conn_expect_close(struct tt_conn *c);
/* Ends this connection at once with reason (protocol error from the layer above). */
void tt_conn_abort(struct tt_conn *c, int reason);
/* Closes gracefully and never reconnects: ends in CLOSED. */
void tt_conn_stop(struct tt_conn *c);

static inline enum tt_conn_state tt_conn_state(const struct tt_conn *c)
{
	return c->state;
}
/* No operation of c is in the kernel (safe to fini). */
static inline bool tt_conn_is_quiet(const struct tt_conn *c)
{
	return !c->op_connect.inflight && !c->op_recv.inflight && !c->op_send.inflight &&
	       !c->op_timer.inflight;
}
/* The last handshake resumed the previous TLS session. */
static inline bool tt_conn_session_reused(const struct tt_conn *c)
{
	return c->tls.reused;
}
const char *tt_conn_state_name(enum tt_conn_state s);

#endif /* TT_CONN_H */
