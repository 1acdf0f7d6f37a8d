/*
 * https.c — one-request-at-a-time HTTPS client (tt_https.h): tt_http builds the request and
 * parses the response; tt_conn carries it. The request is built into req[] up front, so a
 * connect that completes later only has to send it. A response is complete either by its
 * framing (Content-Length / chunked) or, close-delimited, by the peer's EOF.
 */
#include "tt_https.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tt_err.h"

#define tt_container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

static void https_finish(struct tt_https *h, int rc, uint64_t t)
{
	h->pending = false;
	h->sent = false;
	if (h->on_done)
		h->on_done(h, rc, &h->resp, t);
}

static void https_send(struct tt_https *h)
{
	int rc;

	if (!h->pending || h->sent || tt_conn_state(&h->conn) != TT_CONN_OPEN)
		return;
	h->sent = true;
	rc = tt_conn_send(&h->conn, h->req, h->req_len);
	if (rc < 0)
		tt_conn_abort(&h->conn, rc); /* on_down completes the request */
}

static void https_on_up(struct tt_conn *c)
{
	https_send(tt_container_of(c, struct tt_https, conn));
}

static void https_on_data(struct tt_conn *c, const uint8_t *p, size_t n, uint64_t t_rx)
{
	struct tt_https *h = tt_container_of(c, struct tt_https, conn);
	size_t used = 0;
	int rc;

	if (!h->pending || !h->sent) {
		tt_err_set(-TT_EPROTO, "HTTPS %s:%u: %zu unsolicited bytes", c->host, c->cfg.port,
			   n);
		tt_conn_abort(c, -TT_EPROTO);
		return;
	}
	rc = tt_http_resp_feed(&h->resp, p, n, &used);
	if (rc == -EAGAIN)
		return;
	if (rc < 0) {
		tt_err_add("HTTPS response from %s:%u", c->host, c->cfg.port);
		tt_conn_abort(c, rc);
		return;
	}
	if (used != n || !h->resp.keep_alive)
		tt_conn_close(c, 0); /* extra bytes after a response are not ours to read */
	https_finish(h, 0, t_rx);
}

static void https_on_down(struct tt_conn *c, int reason)
{
	struct tt_https *h = tt_container_of(c, struct tt_https, conn);
	int rc = reason;

	if (h->queued) {
		/* A request made while the previous connection was closing: start it now. */
		h->queued = false;
		rc = tt_conn_start(c);
		if (rc < 0 && h->pending)
			https_finish(h, rc, 0);
		return;
	}
	if (!h->pending)
		return;
	/* EOF ends a close-delimited body: the peer closing is then success. */
	if (h->sent && (reason == -EPIPE || reason == -ESHUTDOWN) &&
	    tt_http_resp_eof(&h->resp) == 0)
		rc = 0;
	else if (rc == 0)
		rc = tt_err_set(-ECONNABORTED, "HTTPS request to %s:%u abandoned", c->host,
				c->cfg.port);
	https_finish(h, rc, c->t_last_rx);
}

static const struct tt_conn_ops https_ops = {
    .on_up = https_on_up,
    .on_data = https_on_data,
    .on_down = https_on_down,
};

__tt_cold int tt_https_init(struct tt_https *h, struct tt_loop *loop, struct tt_tls_ctx *tls,
			    const struct tt_conn_cfg *cfg, char *body, size_t body_cap,
			    tt_https_done_t on_done, void *user)
{
	struct tt_conn_cfg c = *cfg;
	int rc;

	memset(&h->resp, 0, sizeof(*h) - offsetof(struct tt_https, resp));
	c.reconnect = false;
	c.app_handshake = false;
	rc = tt_conn_init(&h->conn, loop, tls, &c, &https_ops, h);
	if (rc < 0)
		return rc;
	h->on_done = on_done;
	h->user = user;
	h->body = body;
	h->body_cap = body_cap;
	if (cfg->port == 443)
		snprintf(h->hosthdr, sizeof(h->hosthdr), "%s", cfg->host);
	else if (strchr(cfg->host, ':'))
		snprintf(h->hosthdr, sizeof(h->hosthdr), "[%s]:%u", cfg->host, cfg->port);
	else
		snprintf(h->hosthdr, sizeof(h->hosthdr), "%s:%u", cfg->host, cfg->port);
	return 0;
}

__tt_cold void tt_https_fini(struct tt_https *h)
{
	tt_conn_fini(&h->conn);
}

int tt_https_request(struct tt_https *h, const char *method, const char *target,
		     const struct tt_http_kv *hdrs, size_t nhdrs, const void *body, size_t body_len)
{
	enum tt_conn_state st = tt_conn_state(&h->conn);
	ssize_t n;
	int rc;

	if (h->pending)
		return tt_err_set(-EBUSY, "HTTPS %s: a request is already pending", h->hosthdr);
	if (st != TT_CONN_OPEN && st != TT_CONN_IDLE && st != TT_CONN_CLOSED &&
	    st != TT_CONN_CLOSING)
		return tt_err_set(-EBUSY, "HTTPS %s: connection is %s", h->hosthdr,
				  tt_conn_state_name(st));
	n = tt_http_req_build(h->req, sizeof(h->req), method, h->hosthdr, target, hdrs, nhdrs, body,
			      body_len);
	if (n < 0)
		return (int)n;
	h->req_len = (size_t)n;
	h->resp_flags = strcmp(method, "HEAD") == 0 ? TT_HTTP_F_HEAD_REQUEST : 0;
	tt_http_resp_init(&h->resp, h->body, h->body_cap, h->resp_flags);
	h->sent = false;
	h->n_requests++;
	if (st == TT_CONN_OPEN) {
		h->pending = true;
		https_send(h);
		return 0;
	}
	if (st == TT_CONN_CLOSING) {
		h->pending = true;
		h->queued = true; /* https_on_down starts it */
		return 0;
	}
	/* pending stays false while starting: a synchronous failure calls on_down, which
	 * must not report a request the caller is told about by our return value. */
	rc = tt_conn_start(&h->conn);
	if (rc < 0)
		return rc;
	h->pending = true;
	return 0;
}

void tt_https_stop(struct tt_https *h)
{
	tt_conn_stop(&h->conn);
}
