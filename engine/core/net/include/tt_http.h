/*
 * tt_http.h — the HTTP/1.1 client codec (DESIGN §4): a request builder and an
 * incremental response parser. No I/O and no allocation: bytes come from and go to
 * caller buffers; the transport (io_uring + TLS) is someone else's.
 *
 * Response parser states (tt_http_resp_feed drives every transition):
 *
 *   HEAD ──"\r\n\r\n"──> parse head ──1xx (not 101)──> HEAD (interim response dropped)
 *                            │
 *                            ├─101 / 204 / 304 / HEAD request / STOP_AFTER_HEAD──> DONE
 *                            ├─Content-Length──> BODY_CL ──n bytes──> DONE
 *                            ├─chunked──> CHUNK_SIZE → CHUNK_EXT → CHUNK_DATA → CHUNK_CRLF
 *                            │               └─size 0──> TRAILERS ──empty line──> DONE
 *                            └─neither──> BODY_EOF ──tt_http_resp_eof()──> DONE
 *   any state ──malformed input──> ERROR (sticky; r->error says why, trail set)
 *
 * Limits: head (status line + headers) ≤ TT_HTTP_HEAD_MAX bytes, ≤ TT_HTTP_MAX_HEADERS
 * headers; body ≤ the caller's body_cap (Content-Length larger than that is refused up
 * front, chunk sizes as they come). Both Content-Length and Transfer-Encoding, differing
 * Content-Lengths, obs-folded lines, bare CR or LF, and transfer codings other than
 * chunked are errors (request smuggling shapes, RFC 9112 §6.3). Trailers are validated
 * and dropped.
 */
#ifndef TT_HTTP_H
#define TT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tt_compiler.h"

#define TT_HTTP_HEAD_MAX      8192 /* status line + headers, bytes */
#define TT_HTTP_MAX_HEADERS   64   /* header fields kept per response */
#define TT_HTTP_TRAILER_MAX   8192 /* bytes of trailer section accepted (dropped) */
#define TT_HTTP_CHUNK_EXT_MAX 1024 /* bytes of chunk extension per chunk line */

struct tt_http_kv {
	const char *name;  /* header name (token characters only) */
	const char *value; /* header value (no CR, LF or NUL) */
};

/* Builds "METHOD target HTTP/1.1" + Host + hdrs + Content-Length (when body != NULL or
 * the method is POST/PUT/PATCH) + body into buf. No header is added beyond those; the
 * caller adds User-Agent, Connection, auth, Content-Type. Values are checked so a
 * hostile string cannot inject a header (CR/LF/NUL refused).
 * Returns bytes written (no NUL terminator), -ENOSPC if cap is too small (buf content
 * then unspecified), -EINVAL for a bad method, target, host or header. */
ssize_t tt_http_req_build(char *buf, size_t cap, const char *method, const char *host,
			  const char *target, const struct tt_http_kv *hdrs, size_t nhdrs,
			  const void *body, size_t body_len) TT_WUR;

enum tt_http_flags {
	TT_HTTP_F_HEAD_REQUEST = 1 << 0,    /* response to HEAD: never a body */
	TT_HTTP_F_STOP_AFTER_HEAD = 1 << 1, /* complete once the final head is parsed */
};

enum tt_http_state {
	TT_HTTP_S_HEAD = 0,
	TT_HTTP_S_BODY_CL,
	TT_HTTP_S_BODY_EOF,
	TT_HTTP_S_CHUNK_SIZE,
	TT_HTTP_S_CHUNK_EXT,
	TT_HTTP_S_CHUNK_SIZE_LF,
	TT_HTTP_S_CHUNK_DATA,
	TT_HTTP_S_CHUNK_DATA_CR,
	TT_HTTP_S_CHUNK_DATA_LF,
	TT_HTTP_S_TRAILERS,
	TT_HTTP_S_DONE,
	TT_HTTP_S_ERROR,
};

struct tt_http_field {
	uint16_t name_off; /* offset of the name in head[] */
	uint16_t name_len; /* name length */
	uint16_t val_off;  /* offset of the value (surrounding whitespace trimmed) */
	uint16_t val_len;  /* value length */
};

struct tt_http_resp {
	/* set by tt_http_resp_init */
	char *body;	 /* caller's body buffer (may be NULL when body_cap is 0) */
	size_t body_cap; /* its size: a larger body is an error (-EMSGSIZE) */
	unsigned flags;	 /* enum tt_http_flags */
	/* results, valid once the head is parsed (state past HEAD) */
	int status;		/* status code, 100..999 */
	int minor;		/* HTTP/1.minor */
	bool keep_alive;	/* the connection may carry another request */
	bool chunked;		/* Transfer-Encoding: chunked */
	int64_t content_length; /* -1 when absent */
	size_t body_len;	/* body bytes written to body[] so far */
	uint16_t reason_off;	/* reason phrase in head[] */
	uint16_t reason_len;	/* its length (may be 0) */
	unsigned nfields;	/* fields[] used */
	struct tt_http_field fields[TT_HTTP_MAX_HEADERS]; /* header fields in order */
	const char *error; /* static text of the error in state ERROR, else NULL */
	/* parser state */
	int state;		     /* enum tt_http_state */
	int err;		     /* the sticky error code in state ERROR */
	uint64_t remain;	     /* bytes left in the Content-Length body or current chunk */
	size_t line_len;	     /* bytes of the current chunk-size / ext / trailer line */
	size_t trailer_len;	     /* trailer bytes so far */
	unsigned ndigits;	     /* hex digits of the current chunk size */
	size_t head_len;	     /* bytes in head[] */
	char head[TT_HTTP_HEAD_MAX]; /* copy of the status line + headers */
};

/* Prepares r for one response. body/body_cap: where the body goes (copied once, straight
 * from the input). flags: enum tt_http_flags. r is caller storage (≈ 9 KiB). */
void tt_http_resp_init(struct tt_http_resp *r, char *body, size_t body_cap, unsigned flags);

/* Feeds len bytes. *consumed says how many were used: after completion the rest belongs
 * to the next response (or, after a 101, to the upgraded protocol).
 * Returns 0 when the response is complete, -EAGAIN when more bytes are needed (all were
 * consumed), or an error: -TT_EPROTO malformed, -EMSGSIZE over a limit, -ENOTSUP
 * unsupported transfer coding. Errors are sticky; r->error and the trail say why. */
int tt_http_resp_feed(struct tt_http_resp *r, const void *data, size_t len,
		      size_t *consumed) TT_WUR;

/* The peer closed the connection: completes a close-delimited body (0); 0 if already
 * complete; -TT_EPROTO if the response was cut short. */
int tt_http_resp_eof(struct tt_http_resp *r) TT_WUR;

/* Value of the first header named name (case-insensitive), its length in *len; NULL if
 * absent. Points into r->head: valid until r is re-initialised. */
const char *tt_http_resp_header(const struct tt_http_resp *r, const char *name, size_t *len);

/* Does the comma-separated header name contain token tok (case-insensitive), in any of
 * its instances? ("Connection: keep-alive, Upgrade" has "upgrade"). */
bool tt_http_resp_header_has_token(const struct tt_http_resp *r, const char *name, const char *tok);

static inline bool tt_http_resp_is_done(const struct tt_http_resp *r)
{
	return r->state == TT_HTTP_S_DONE;
}

#endif /* TT_HTTP_H */
