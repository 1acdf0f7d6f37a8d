/*
 * tt_https.h — a small HTTPS/1.1 client on tt_conn + the tt_http codec (DESIGN §4): one
 * request at a time (REST depth snapshot, order entry REST calls), keep-alive when the
 * server allows it, the connection opened on demand. The response body goes to the
 * caller's buffer; the completion callback gets the parsed response and the reap stamp of
 * the bytes that completed it.
 *
 *   tt_https_request() ── conn not open: tt_conn_start() ── on_up ─┐
 *                     └─ conn open ──────────────────────────────────┴─▶ send request
 *   on_data ─ tt_http_resp_feed() ─ complete ─▶ on_done(0, resp) ─ !keep_alive ─▶ conn stop
 *   on_down while a request is pending ─ close-delimited body complete ─▶ on_done(0, resp)
 *                                      └ otherwise ─▶ on_done(reason, resp)
 *
 * Storage: caller-owned struct (≈ 140 KiB with its connection and request buffer); the body
 * buffer is the caller's too. Same thread as the loop.
 */
#ifndef TT_HTTPS_H
#define TT_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_conn.h"
#include "tt_http.h"

#define TT_HTTPS_REQ_MAX 8192 /* request line + headers + body */

struct tt_https;

/* rc 0: r holds a complete response (any status); otherwise the error (-ETIMEDOUT,
 * -EKEYREJECTED, -TT_EPROTO malformed response, -EMSGSIZE body over body_cap, ...). */
typedef void (*tt_https_done_t)(struct tt_https *h, int rc, const struct tt_http_resp *r,
				uint64_t t_rx);

struct tt_https {
	struct tt_conn conn;		    /* the TLS connection (reconnect off) */
	struct tt_http_resp resp;	    /* the response being parsed */
	tt_https_done_t on_done;	    /* completion callback */
	void *user;			    /* for the caller */
	char *body;			    /* caller's body buffer */
	size_t body_cap;		    /* its size */
	unsigned resp_flags;		    /* TT_HTTP_F_HEAD_REQUEST for HEAD */
	bool pending;			    /* a request is outstanding */
	bool sent;			    /* ... and its bytes went to tt_conn_send */
	bool queued;			    /* ... and waits for the previous connection to close */
	size_t req_len;			    /* bytes in req[] */
	uint64_t n_requests;		    /* counter */
	char hosthdr[TT_CONN_HOST_MAX + 8]; /* Host header value (host[:port]) */
	char req[TT_HTTPS_REQ_MAX];	    /* the request bytes */
};

/* Sets up h (caller storage); cfg->reconnect is forced off; body/body_cap receive bodies.
 * 0 or -EINVAL. */
int tt_https_init(struct tt_https *h, struct tt_loop *loop, struct tt_tls_ctx *tls,
		  const struct tt_conn_cfg *cfg, char *body, size_t body_cap,
		  tt_https_done_t on_done, void *user) TT_WUR;
/* Starts one request (hdrs: extra headers; body may be NULL). Connects if needed; may be
 * called from on_done (if the connection is closing, the request waits for it).
 * 0, -EBUSY (one already pending or the connection is closing), -ENOSPC/-EINVAL from the
 * request builder, or a connect error (-TT_EDENIED...): on_done is not called then. */
int tt_https_request(struct tt_https *h, const char *method, const char *target,
		     const struct tt_http_kv *hdrs, size_t nhdrs, const void *body,
		     size_t body_len) TT_WUR;
/* Closes the connection for good (pending request completes with its error). */
void tt_https_stop(struct tt_https *h);
/* Frees TLS state; call when tt_conn_is_quiet(&h->conn). */
void tt_https_fini(struct tt_https *h);

#endif /* TT_HTTPS_H */
