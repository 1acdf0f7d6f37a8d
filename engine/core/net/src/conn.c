/*
 * conn.c — the client connection state machine of tt_conn.h. Four embedded loop ops (connect,
 * recv, send, timer) carry all I/O; the struct's buffers are the only memory they touch, so
 * a connection is torn down only when none of connect/recv/send is in the kernel
 * (conn_maybe_finish). One timer serves every state: `deadline` says when the state times
 * out; the timer callback re-arms itself when the deadline moved later (idle: the deadline
 * follows t_last_rx without touching the timer on each recv).
 *
 * Outbound bytes: tt_conn_send → SSL_write into the BIO pair → conn_flush copies ciphertext
 * to tx[] and submits one send; a partial send resubmits the rest on completion.
 * Inbound: recv into rx[] → BIO → SSL_read into plain[] → on_data(t_rx = reap stamp).
 */
#include "tt_conn.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_guard.h"
#include "tt_resolve.h"

#define TT_MS				 1000000ull
#define tt_container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

/* ---- backoff ------------------------------------------------------------------------- */

void tt_backoff_init(struct tt_backoff *b, uint64_t base_ns, uint64_t cap_ns, uint64_t seed)
{
	b->base_ns = base_ns ? base_ns : 1;
	b->cap_ns = cap_ns < b->base_ns ? b->base_ns : cap_ns;
	b->attempt = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint64_t tt_backoff_rand(struct tt_backoff *b)
{
	uint64_t x = b->rng; /* xorshift64* (Vigna) */

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	b->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t tt_backoff_ceiling(const struct tt_backoff *b)
{
	/* base << attempt without overflow: stop doubling once past the cap. */
	uint64_t c = b->base_ns;
	uint32_t i;

	for (i = 0; i < b->attempt && c < b->cap_ns; i++)
		c = c > UINT64_MAX / 2 ? UINT64_MAX : c * 2;
	return c < b->cap_ns ? c : b->cap_ns;
}

uint64_t tt_backoff_next(struct tt_backoff *b)
{
	uint64_t ceil = tt_backoff_ceiling(b);
	uint64_t r = tt_backoff_rand(b);

	if (b->attempt < 64)
		b->attempt++;
	return ceil == UINT64_MAX ? r : r % (ceil + 1);
}

void tt_backoff_reset(struct tt_backoff *b)
{
	b->attempt = 0;
}

/* ---- helpers ------------------------------------------------------------------------- */

const char *tt_conn_state_name(enum tt_conn_state s)
{
	static const char *const names[] = {
	    [TT_CONN_IDLE] = "IDLE",
	    [TT_CONN_RESOLVING] = "RESOLVING",
	    [TT_CONN_CONNECTING] = "CONNECTING",
	    [TT_CONN_TLS_HANDSHAKE] = "TLS_HANDSHAKE",
	    [TT_CONN_WS_HANDSHAKE] = "WS_HANDSHAKE",
	    [TT_CONN_OPEN] = "OPEN",
	    [TT_CONN_CLOSING] = "CLOSING",
	    [TT_CONN_BACKOFF] = "BACKOFF",
	    [TT_CONN_CLOSED] = "CLOSED",
	};

	return (unsigned)s < TT_ARRAY_LEN(names) ? names[s] : "?";
}

static bool conn_live(const struct tt_conn *c)
{
	return c->state >= TT_CONN_CONNECTING && c->state <= TT_CONN_OPEN;
}

static void conn_timer_set(struct tt_conn *c, uint64_t deadline)
{
	c->deadline = deadline;
	if (deadline == 0)
		return;
	if (!c->op_timer.inflight) {
		if (tt_loop_timer_at(c->loop, &c->op_timer, deadline) == 0)
			c->timer_at = deadline;
	} else if (deadline < c->timer_at) {
		if (tt_loop_timer_update(c->loop, &c->op_timer, deadline) == 0)
			c->timer_at = deadline;
	}
}

static void conn_connect(struct tt_conn *c);
static void conn_flush(struct tt_conn *c);

/* Cancels op if in flight. A cancel that cannot be queued (SQ full even after a flush) is
 * not fatal: shutdown(2) has woken the socket ops and the timer's deadline is 0. */
static void conn_cancel(struct tt_conn *c, struct tt_loop_op *op)
{
	if (op->inflight && tt_loop_cancel(c->loop, op) < 0)
		tt_err_clear();
}

/* All I/O ops are back: close the socket, end TLS, report, go to BACKOFF or CLOSED. */
static void conn_maybe_finish(struct tt_conn *c)
{
	int reason = c->reason;

	if (c->state != TT_CONN_CLOSING || c->busy || c->op_connect.inflight ||
	    c->op_recv.inflight || c->op_send.inflight)
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	tt_tls_end(&c->tls);
	c->tx_head = c->tx_tail = c->tx_inflight = 0;
	c->draining = false;
	c->close_by = 0;
	if (c->stopped || !c->cfg.reconnect || reason == -TT_EDENIED) {
		c->state = TT_CONN_CLOSED;
		c->deadline = 0;
		if (c->op_timer.inflight)
			conn_cancel(c, &c->op_timer);
	} else {
		c->state = TT_CONN_BACKOFF;
		conn_timer_set(c, tt_loop_stamp() + tt_backoff_next(&c->backoff));
	}
	c->n_downs++;
	if (c->ops->on_down)
		c->ops->on_down(c, reason);
}

/* Ends the connection now: CLOSING, wake and cancel every op, finish when they are back. */
static void conn_kill(struct tt_conn *c, int reason)
{
	if (c->state != TT_CONN_CLOSING) {
		if (!conn_live(c))
			return;
		c->state = TT_CONN_CLOSING;
		c->reason = reason;
	}
	c->draining = false;
	c->deadline = 0;
	if (c->fd >= 0)
		(void)shutdown(c->fd, SHUT_RDWR); /* wakes a pending recv */
	if (c->op_connect.inflight)
		conn_cancel(c, &c->op_connect);
	if (c->op_recv.inflight)
		conn_cancel(c, &c->op_recv);
	if (c->op_send.inflight)
		conn_cancel(c, &c->op_send);
	conn_maybe_finish(c);
}

static void conn_arm_recv(struct tt_conn *c)
{
	int rc;

	if (c->op_recv.inflight || !conn_live(c))
		return;
	rc = tt_loop_recv(c->loop, &c->op_recv, c->fd, c->rx, sizeof(c->rx));
	if (rc < 0)
		conn_kill(c, rc);
}

/* ---- state transitions ---------------------------------------------------------------- */

static void conn_opened(struct tt_conn *c)
{
	c->state = TT_CONN_OPEN;
	c->close_by = 0;
	c->n_opens++;
	tt_backoff_reset(&c->backoff);
	c->t_last_rx = tt_loop_stamp();
	if (c->cfg.idle_timeout_ms)
		conn_timer_set(c, c->t_last_rx + c->cfg.idle_timeout_ms * TT_MS);
	else
		c->deadline = 0;
}

void tt_conn_set_open(struct tt_conn *c)
{
	if (c->state == TT_CONN_WS_HANDSHAKE)
		conn_opened(c);
}

static void conn_on_tls_done(struct tt_conn *c)
{
	if (c->cfg.app_handshake) {
		c->state = TT_CONN_WS_HANDSHAKE; /* deadline: the handshake one still runs */
	} else {
		conn_opened(c);
	}
	if (c->ops->on_up)
		c->ops->on_up(c);
}

static void conn_on_connect(struct tt_loop_op *op, int res, uint64_t t)
{
	struct tt_conn *c = tt_container_of(op, struct tt_conn, op_connect);
	int rc;

	if (c->state != TT_CONN_CONNECTING) {
		conn_maybe_finish(c);
		return;
	}
	if (res < 0) {
		if (res == -ECANCELED)
			res = tt_err_set(-ETIMEDOUT, "connect to %s:%u: timed out after %u ms",
					 c->host, c->cfg.port, c->cfg.connect_timeout_ms);
		else
			tt_err_set(res, "connect to %s:%u: %s", c->host, c->cfg.port,
				   tt_strerror(res));
		conn_kill(c, res);
		return;
	}
	rc = tt_tls_begin(&c->tls, c->host);
	if (rc < 0) {
		conn_kill(c, rc);
		return;
	}
	c->state = TT_CONN_TLS_HANDSHAKE;
	conn_timer_set(c, t + c->cfg.handshake_timeout_ms * TT_MS);
	conn_arm_recv(c);
	rc = tt_tls_handshake(&c->tls); /* writes the ClientHello */
	if (rc != -EAGAIN) {
		conn_kill(c, rc < 0 ? rc : -TT_EPROTO);
		return;
	}
	conn_flush(c);
}

static void conn_connect(struct tt_conn *c)
{
	int one = 1;
	int rc;

	c->state = TT_CONN_RESOLVING;
	c->n_connects++;
	c->reason = 0;
	/* The guard runs inside tt_net_resolve before any lookup, and again on the result. */
	rc = tt_net_resolve(c->host, c->cfg.port, &c->sa, &c->salen);
	if (rc < 0)
		goto out_fail;
	c->fd = socket(c->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = tt_err_set(-errno, "socket(family=%d): %s", c->sa.ss_family,
				tt_strerror(-errno));
		goto out_fail;
	}
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		rc = tt_err_set(-errno, "setsockopt(TCP_NODELAY): %s", tt_strerror(-errno));
		goto out_fail;
	}
	c->state = TT_CONN_CONNECTING;
	rc = tt_loop_connect(c->loop, &c->op_connect, c->fd, (struct sockaddr *)&c->sa, c->salen,
			     c->cfg.connect_timeout_ms * TT_MS);
	if (rc < 0)
		goto out_fail;
	return;

out_fail:
	/* Straight to CLOSING with nothing in flight: conn_maybe_finish reports at once. */
	c->state = TT_CONN_CLOSING;
	c->reason = rc;
	conn_maybe_finish(c);
}

int tt_conn_start(struct tt_conn *c)
{
	if (c->state != TT_CONN_IDLE && c->state != TT_CONN_CLOSED)
		return tt_err_set(-EALREADY, "tt_conn_start in state %s",
				  tt_conn_state_name(c->state));
	c->stopped = false;
	conn_connect(c);
	return c->state == TT_CONN_CONNECTING ? 0 : c->reason;
}

/* ---- send path ------------------------------------------------------------------------ */

static void conn_flush(struct tt_conn *c)
{
	size_t got;
	int rc;

	if (c->fd < 0)
		return;
	/* Compact only with no send in flight: the kernel reads tx[head..head+inflight). */
	if (!c->op_send.inflight) {
		if (c->tx_head == c->tx_tail) {
			c->tx_head = c->tx_tail = 0;
		} else if (c->tx_head > 0) {
			memmove(c->tx, c->tx + c->tx_head, c->tx_tail - c->tx_head);
			c->tx_tail -= c->tx_head;
			c->tx_head = 0;
		}
	}
	/* Appending after tail never touches the region in flight. */
	got = tt_tls_out_take(&c->tls, c->tx + c->tx_tail, sizeof(c->tx) - c->tx_tail);
	c->tx_tail += (uint32_t)got;
	if (c->op_send.inflight || c->tx_tail == c->tx_head)
		return;
	c->tx_inflight = c->tx_tail - c->tx_head;
	rc = tt_loop_send(c->loop, &c->op_send, c->fd, c->tx + c->tx_head, c->tx_inflight);
	if (rc == 0)
		rc = tt_loop_submit(c->loop); /* bytes to the kernel now, not at the next wait */
	if (rc < 0)
		conn_kill(c, rc);
}

static void conn_on_send(struct tt_loop_op *op, int res, uint64_t t)
{
	struct tt_conn *c = tt_container_of(op, struct tt_conn, op_send);

	if (c->state == TT_CONN_CLOSING && !c->draining) {
		conn_maybe_finish(c);
		return;
	}
	if (res < 0) {
		tt_err_set(res, "send to %s:%u: %s", c->host, c->cfg.port, tt_strerror(res));
		conn_kill(c, res);
		return;
	}
	if ((uint32_t)res < c->tx_inflight)
		c->n_partial_sends++;
	c->tx_head += (uint32_t)res;
	c->tx_inflight = 0;
	conn_flush(c);
	if (c->draining && !c->op_send.inflight)
		conn_kill(c, c->reason); /* close_notify is out */
}

int tt_conn_send(struct tt_conn *c, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t off = 0;
	int rc;

	if (tt_unlikely(c->state != TT_CONN_OPEN && c->state != TT_CONN_WS_HANDSHAKE))
		return tt_err_set(-ENOTCONN, "send to %s:%u in state %s", c->host, c->cfg.port,
				  tt_conn_state_name(c->state));
	/* A record at a time, moving ciphertext out of the BIO after each, so a large send
	 * uses the BIO and tx[] together. */
	do {
		size_t k = n - off < TT_CONN_PLAIN_BUF ? n - off : TT_CONN_PLAIN_BUF;

		rc = tt_tls_write(&c->tls, b + off, k);
		if (tt_unlikely(rc < 0)) {
			/* Part of the bytes may be in the stream: the peer would see a torn
			 * message. Fail closed: end this connection. */
			tt_err_add("send %zu bytes to %s:%u (%zu sent)", n, c->host, c->cfg.port,
				   off);
			conn_kill(c, rc);
			return rc;
		}
		off += k;
		c->tx_bytes += k;
		conn_flush(c);
	} while (off < n);
	return 0;
}

/* ---- receive path --------------------------------------------------------------------- */

/* Feeds ciphertext to TLS, drives the handshake, delivers plaintext. Returns false once
 * the connection is being torn down. */
static bool conn_rx_process(struct tt_conn *c, const uint8_t *p, size_t n, uint64_t t)
{
	size_t off = 0;
	int rc;

	do {
		off += tt_tls_feed(&c->tls, p + off, n - off);
		if (c->state == TT_CONN_TLS_HANDSHAKE) {
			rc = tt_tls_handshake(&c->tls);
			conn_flush(c); /* our flight, or the alert explaining a failure */
			if (rc == -EAGAIN)
				continue;
			if (rc < 0) {
				tt_err_add("TLS handshake with %s:%u", c->host, c->cfg.port);
				conn_kill(c, rc);
				return false;
			}
			conn_on_tls_done(c);
			if (!conn_live(c))
				return false;
		}
		for (;;) {
			rc = tt_tls_read(&c->tls, c->plain, sizeof(c->plain));
			if (rc <= 0)
				break;
			c->rx_bytes += (uint64_t)rc;
			if (c->ops->on_data)
				c->ops->on_data(c, c->plain, (size_t)rc, t);
			if (!conn_live(c))
				return false;
		}
		if (rc != -EAGAIN) {
			conn_kill(c, rc);
			return false;
		}
	} while (off < n);
	conn_flush(c); /* SSL_read may answer (key update), the app may have sent */
	return true;
}

static void conn_on_recv(struct tt_loop_op *op, int res, uint64_t t)
{
	struct tt_conn *c = tt_container_of(op, struct tt_conn, op_recv);

	if (!conn_live(c)) {
		conn_maybe_finish(c);
		return;
	}
	if (res <= 0) {
		if (res == 0)
			res = tt_err_set(c->tls.peer_closed ? -ESHUTDOWN : -EPIPE,
					 "%s:%u closed the connection in state %s", c->host,
					 c->cfg.port, tt_conn_state_name(c->state));
		else
			tt_err_set(res, "recv from %s:%u: %s", c->host, c->cfg.port,
				   tt_strerror(res));
		conn_kill(c, res);
		return;
	}
	c->t_last_rx = t;
	c->busy++;
	if (conn_rx_process(c, c->rx, (size_t)res, t))
		conn_arm_recv(c);
	c->busy--;
	conn_maybe_finish(c);
}

/* ---- timer ------------------------------------------------------------------------------ */

static void conn_on_timer(struct tt_loop_op *op, int res, uint64_t t)
{
	struct tt_conn *c = tt_container_of(op, struct tt_conn, op_timer);
	uint64_t now = tt_loop_stamp();

	if (c->deadline == 0)
		return;
	if (c->state == TT_CONN_OPEN && c->cfg.idle_timeout_ms) {
		c->deadline = c->t_last_rx + c->cfg.idle_timeout_ms * TT_MS;
		if (c->close_by && c->close_by < c->deadline)
			c->deadline = c->close_by;
	}
	if (now < c->deadline) {
		conn_timer_set(c, c->deadline);
		return;
	}
	c->deadline = 0;
	switch (c->state) {
	case TT_CONN_CONNECTING:
	case TT_CONN_TLS_HANDSHAKE:
	case TT_CONN_WS_HANDSHAKE:
		conn_kill(c, tt_err_set(-ETIMEDOUT, "%s:%u: %s timed out after %u ms", c->host,
					c->cfg.port, tt_conn_state_name(c->state),
					c->cfg.handshake_timeout_ms));
		break;
	case TT_CONN_OPEN:
		if (c->close_by && now >= c->close_by)
			conn_kill(c, tt_err_set(-ETIMEDOUT, "%s:%u: no close answer within %u ms",
						c->host, c->cfg.port, c->cfg.close_timeout_ms));
		else
			conn_kill(c, tt_err_set(-ETIMEDOUT, "%s:%u: nothing received for %u ms",
						c->host, c->cfg.port, c->cfg.idle_timeout_ms));
		break;
	case TT_CONN_CLOSING:
		conn_kill(c, c->reason); /* drain took too long */
		break;
	case TT_CONN_BACKOFF:
		conn_connect(c);
		break;
	default:
		break;
	}
}

/* ---- setup and teardown ---------------------------------------------------------------- */

__tt_cold int tt_conn_init(struct tt_conn *c, struct tt_loop *loop, struct tt_tls_ctx *tls,
			   const struct tt_conn_cfg *cfg, const struct tt_conn_ops *ops, void *user)
{
	size_t hl = cfg && cfg->host ? strlen(cfg->host) : 0;

	memset(c, 0, offsetof(struct tt_conn, rx));
	c->fd = -1;
	if (hl == 0 || hl >= sizeof(c->host) || cfg->port == 0)
		return tt_err_set(-EINVAL, "tt_conn_init: host '%s' port %u",
				  cfg && cfg->host ? cfg->host : "(null)", cfg ? cfg->port : 0);
	c->loop = loop;
	c->ops = ops;
	c->user = user;
	c->cfg = *cfg;
	memcpy(c->host, cfg->host, hl + 1);
	c->cfg.host = c->host;
	if (!c->cfg.connect_timeout_ms)
		c->cfg.connect_timeout_ms = 3000;
	if (!c->cfg.handshake_timeout_ms)
		c->cfg.handshake_timeout_ms = 5000;
	if (!c->cfg.close_timeout_ms)
		c->cfg.close_timeout_ms = 1000;
	if (!c->cfg.backoff_base_ms)
		c->cfg.backoff_base_ms = 100;
	if (!c->cfg.backoff_cap_ms)
		c->cfg.backoff_cap_ms = 10000;
	tt_backoff_init(&c->backoff, c->cfg.backoff_base_ms * TT_MS, c->cfg.backoff_cap_ms * TT_MS,
			c->cfg.backoff_seed);
	tt_tls_init(&c->tls, tls);
	c->op_connect.cb = conn_on_connect;
	c->op_recv.cb = conn_on_recv;
	c->op_send.cb = conn_on_send;
	c->op_timer.cb = conn_on_timer;
	c->state = TT_CONN_IDLE;
	return 0;
}

__tt_cold void tt_conn_fini(struct tt_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	tt_tls_fini(&c->tls);
}

void tt_conn_expect_close(struct tt_conn *c)
{
	if (c->state != TT_CONN_OPEN || c->close_by)
		return;
	c->close_by = tt_loop_stamp() + c->cfg.close_timeout_ms * TT_MS;
	if (!c->deadline || c->close_by < c->deadline)
		conn_timer_set(c, c->close_by);
}

void tt_conn_abort(struct tt_conn *c, int reason)
{
	conn_kill(c, reason);
}

void tt_conn_close(struct tt_conn *c, int reason)
{
	if (!conn_live(c))
		return;
	if (c->state == TT_CONN_CONNECTING || !c->tls.done || tt_tls_shutdown(&c->tls) < 0) {
		conn_kill(c, reason);
		return;
	}
	c->state = TT_CONN_CLOSING;
	c->reason = reason;
	c->draining = true;
	conn_timer_set(c, tt_loop_stamp() + c->cfg.close_timeout_ms * TT_MS);
	conn_flush(c);
	if (!c->op_send.inflight)
		conn_kill(c, reason);
}

void tt_conn_stop(struct tt_conn *c)
{
	c->stopped = true;
	switch (c->state) {
	case TT_CONN_IDLE:
	case TT_CONN_BACKOFF:
		c->state = TT_CONN_CLOSED;
		c->deadline = 0;
		if (c->op_timer.inflight)
			conn_cancel(c, &c->op_timer);
		break;
	case TT_CONN_CLOSING:
	case TT_CONN_CLOSED:
		break;
	default:
		tt_conn_close(c, 0);
		break;
	}
}
