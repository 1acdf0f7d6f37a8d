/*
 * http.c — the HTTP/1.1 client codec behind tt_http.h. The head is copied into the
 * parser (it is small and must survive the caller's buffer being reused) and parsed in
 * one pass once "\r\n\r\n" arrives; the body is copied once, straight from the input
 * into the caller's buffer, de-chunking on the way. Every byte of input is accounted for:
 * feeding one byte at a time gives the same result as feeding all at once.
 *
 * Invariants: body_len ≤ body_cap; head_len ≤ TT_HTTP_HEAD_MAX; in state ERROR every
 * call returns the same error without reading input.
 */
#include "tt_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tt_err.h"

/* RFC 9110 tchar */
static bool tt_http_is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool tt_http_is_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!tt_http_is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* field-value and request-target bytes: no CR, LF, NUL or other CTL except HTAB */
static bool tt_http_is_clean(const char *s, bool allow_space)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
		if (!allow_space && (c == ' ' || c == '\t'))
			return false;
	}
	return true;
}

/* ---- request builder ---------------------------------------------------------------- */

struct tt_http_out {
	char *buf;
	size_t cap;
	size_t len;
	bool full;
};

static void tt_http_put(struct tt_http_out *o, const void *p, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void tt_http_puts(struct tt_http_out *o, const char *s)
{
	tt_http_put(o, s, strlen(s));
}

ssize_t tt_http_req_build(char *buf, size_t cap, const char *method, const char *host,
			  const char *target, const struct tt_http_kv *hdrs, size_t nhdrs,
			  const void *body, size_t body_len)
{
	struct tt_http_out o = {buf, cap, 0, false};
	char num[32];
	size_t i;
	bool has_cl;

	if (!buf || !tt_http_is_token(method))
		return tt_err_set(-EINVAL, "http request: bad method");
	if (!host || !*host || !tt_http_is_clean(host, false))
		return tt_err_set(-EINVAL, "http request: bad host");
	if (!target || !*target || !tt_http_is_clean(target, false))
		return tt_err_set(-EINVAL, "http request: bad target");
	if (!body && body_len)
		return tt_err_set(-EINVAL, "http request: body_len without body");
	for (i = 0; i < nhdrs; i++) {
		if (!tt_http_is_token(hdrs[i].name) || !hdrs[i].value ||
		    !tt_http_is_clean(hdrs[i].value, true))
			return tt_err_set(-EINVAL, "http request: bad header #%zu", i);
		if (strcasecmp(hdrs[i].name, "host") == 0 ||
		    strcasecmp(hdrs[i].name, "content-length") == 0)
			return tt_err_set(-EINVAL, "http request: %s is set by the builder",
					  hdrs[i].name);
	}
	has_cl = body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		 strcmp(method, "PATCH") == 0;
	tt_http_puts(&o, method);
	tt_http_puts(&o, " ");
	tt_http_puts(&o, target);
	tt_http_puts(&o, " HTTP/1.1\r\nHost: ");
	tt_http_puts(&o, host);
	tt_http_puts(&o, "\r\n");
	for (i = 0; i < nhdrs; i++) {
		tt_http_puts(&o, hdrs[i].name);
		tt_http_puts(&o, ": ");
		tt_http_puts(&o, hdrs[i].value);
		tt_http_puts(&o, "\r\n");
	}
	if (has_cl) {
		snprintf(num, sizeof(num), "Content-Length: %zu\r\n", body_len);
		tt_http_puts(&o, num);
	}
	tt_http_puts(&o, "\r\n");
	if (body_len)
		tt_http_put(&o, body, body_len);
	if (o.full)
		return tt_err_set(-ENOSPC, "http request: %zu-byte buffer too small", cap);
	return (ssize_t)o.len;
}

/* ---- response parser ---------------------------------------------------------------- */

void tt_http_resp_init(struct tt_http_resp *r, char *body, size_t body_cap, unsigned flags)
{
	memset(r, 0, offsetof(struct tt_http_resp, head));
	r->body = body;
	r->body_cap = body ? body_cap : 0;
	r->flags = flags;
	r->content_length = -1;
	r->state = TT_HTTP_S_HEAD;
}

static __tt_cold int tt_http_fail(struct tt_http_resp *r, int code, const char *why)
{
	r->state = TT_HTTP_S_ERROR;
	r->err = code;
	r->error = why;
	return tt_err_set(code, "http response: %s", why);
}

static bool tt_http_ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

const char *tt_http_resp_header(const struct tt_http_resp *r, const char *name, size_t *len)
{
	unsigned i;

	for (i = 0; i < r->nfields; i++) {
		const struct tt_http_field *f = &r->fields[i];

		if (tt_http_ieq(r->head + f->name_off, f->name_len, name)) {
			if (len)
				*len = f->val_len;
			return r->head + f->val_off;
		}
	}
	return NULL;
}

/* Does the list v[0..n) contain tok? Elements split on ',' and trimmed of SP/HT. */
static bool tt_http_list_has(const char *v, size_t n, const char *tok)
{
	size_t i = 0;

	while (i < n) {
		size_t s;
		size_t e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s && tt_http_ieq(v + s, e - s, tok))
			return true;
	}
	return false;
}

bool tt_http_resp_header_has_token(const struct tt_http_resp *r, const char *name, const char *tok)
{
	unsigned i;

	for (i = 0; i < r->nfields; i++) {
		const struct tt_http_field *f = &r->fields[i];

		if (tt_http_ieq(r->head + f->name_off, f->name_len, name) &&
		    tt_http_list_has(r->head + f->val_off, f->val_len, tok))
			return true;
	}
	return false;
}

/* Content-Length value: 1*DIGIT, no sign, no list, ≤ 2^62. -1 if malformed. */
static int64_t tt_http_parse_cl(const char *v, size_t n)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	return x > (1ull << 62) ? -1 : (int64_t)x;
}

/* Parses head[0..head_len) (ends with "\r\n\r\n"). 0 or an error (state ERROR). */
static int tt_http_parse_head(struct tt_http_resp *r)
{
	const char *h = r->head;
	size_t n = r->head_len;
	size_t i;
	size_t eol;
	const char *v;
	size_t vl;
	unsigned te_count = 0;

	/* every LF preceded by CR, every CR followed by LF */
	for (i = 0; i < n; i++) {
		if (h[i] == '\n' && (i == 0 || h[i - 1] != '\r'))
			return tt_http_fail(r, -TT_EPROTO, "bare LF in head");
		if (h[i] == '\r' && (i + 1 == n || h[i + 1] != '\n'))
			return tt_http_fail(r, -TT_EPROTO, "bare CR in head");
		if (h[i] == '\0')
			return tt_http_fail(r, -TT_EPROTO, "NUL in head");
	}
	/* status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF */
	eol = (size_t)((const char *)memchr(h, '\r', n) - h);
	if (eol < 12 || memcmp(h, "HTTP/1.", 7) != 0 || (h[7] != '0' && h[7] != '1') || h[8] != ' ')
		return tt_http_fail(r, -TT_EPROTO, "bad status line (want HTTP/1.x NNN)");
	r->minor = h[7] - '0';
	for (i = 9; i < 12; i++)
		if (h[i] < '0' || h[i] > '9')
			return tt_http_fail(r, -TT_EPROTO, "bad status code");
	r->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	if (r->status < 100)
		return tt_http_fail(r, -TT_EPROTO, "status code below 100");
	if (eol > 12 && h[12] != ' ')
		return tt_http_fail(r, -TT_EPROTO, "bad status line after code");
	r->reason_off = (uint16_t)(eol > 12 ? 13 : 12);
	r->reason_len = (uint16_t)(eol > 12 ? eol - 13 : 0);
	for (i = r->reason_off; i < eol; i++) {
		unsigned char c = (unsigned char)h[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tt_http_fail(r, -TT_EPROTO, "control byte in reason phrase");
	}
	/* header fields */
	r->nfields = 0;
	i = eol + 2;
	while (i < n) {
		struct tt_http_field *f;
		size_t s = i;
		size_t colon;
		size_t vs;
		size_t ve;

		eol = (size_t)((const char *)memchr(h + i, '\r', n - i) - h);
		if (eol == i)
			break; /* the empty line */
		if (h[i] == ' ' || h[i] == '\t')
			return tt_http_fail(r, -TT_EPROTO, "obsolete line folding in header");
		while (i < eol && tt_http_is_tchar((unsigned char)h[i]))
			i++;
		if (i == s || i == eol || h[i] != ':')
			return tt_http_fail(r, -TT_EPROTO, "bad header name");
		colon = i;
		vs = colon + 1;
		while (vs < eol && (h[vs] == ' ' || h[vs] == '\t'))
			vs++;
		ve = eol;
		while (ve > vs && (h[ve - 1] == ' ' || h[ve - 1] == '\t'))
			ve--;
		for (i = vs; i < ve; i++) {
			unsigned char c = (unsigned char)h[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return tt_http_fail(r, -TT_EPROTO, "control byte in header value");
		}
		if (r->nfields == TT_HTTP_MAX_HEADERS)
			return tt_http_fail(r, -EMSGSIZE, "too many header fields");
		f = &r->fields[r->nfields++];
		f->name_off = (uint16_t)s;
		f->name_len = (uint16_t)(colon - s);
		f->val_off = (uint16_t)vs;
		f->val_len = (uint16_t)(ve - vs);
		if (tt_http_ieq(h + s, colon - s, "content-length")) {
			int64_t cl = tt_http_parse_cl(h + vs, ve - vs);

			if (cl < 0)
				return tt_http_fail(r, -TT_EPROTO, "bad Content-Length");
			if (r->content_length >= 0 && r->content_length != cl)
				return tt_http_fail(r, -TT_EPROTO, "conflicting Content-Length");
			r->content_length = cl;
		} else if (tt_http_ieq(h + s, colon - s, "transfer-encoding")) {
			te_count++;
		}
		i = eol + 2;
	}
	/* connection persistence (RFC 9112 §9.3) */
	if (r->minor == 1)
		r->keep_alive = !tt_http_resp_header_has_token(r, "connection", "close");
	else
		r->keep_alive = tt_http_resp_header_has_token(r, "connection", "keep-alive");
	if (te_count) {
		if (te_count > 1)
			return tt_http_fail(r, -ENOTSUP, "several Transfer-Encoding fields");
		v = tt_http_resp_header(r, "transfer-encoding", &vl);
		if (!tt_http_ieq(v, vl, "chunked"))
			return tt_http_fail(r, -ENOTSUP,
					    "unsupported Transfer-Encoding (only chunked)");
		if (r->content_length >= 0)
			return tt_http_fail(r, -TT_EPROTO,
					    "both Content-Length and Transfer-Encoding");
		r->chunked = true;
	}
	return 0;
}

/* After the head: pick the body framing. Returns 0 or an error. */
static int tt_http_start_body(struct tt_http_resp *r)
{
	if (r->status == 101 || r->status == 204 || r->status == 304 ||
	    (r->flags & (TT_HTTP_F_HEAD_REQUEST | TT_HTTP_F_STOP_AFTER_HEAD))) {
		r->state = TT_HTTP_S_DONE;
		return 0;
	}
	if (r->chunked) {
		r->state = TT_HTTP_S_CHUNK_SIZE;
		r->ndigits = 0;
		r->remain = 0;
		return 0;
	}
	if (r->content_length >= 0) {
		if ((uint64_t)r->content_length > r->body_cap)
			return tt_http_fail(r, -EMSGSIZE, "Content-Length exceeds the body buffer");
		r->remain = (uint64_t)r->content_length;
		r->state = r->remain ? TT_HTTP_S_BODY_CL : TT_HTTP_S_DONE;
		return 0;
	}
	r->keep_alive = false; /* delimited by the close */
	r->state = TT_HTTP_S_BODY_EOF;
	return 0;
}

/* Copies up to n body bytes; -EMSGSIZE when the buffer would overflow. */
static int tt_http_body_put(struct tt_http_resp *r, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (n > r->body_cap - r->body_len)
		return tt_http_fail(r, -EMSGSIZE, "body exceeds the body buffer");
	memcpy(r->body + r->body_len, p, n);
	r->body_len += n;
	return 0;
}

static int tt_http_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tt_http_resp_feed(struct tt_http_resp *r, const void *data, size_t len, size_t *consumed)
{
	const char *p = data;
	size_t i = 0;
	int rc = 0;

	*consumed = 0;
	if (tt_unlikely(r->state == TT_HTTP_S_ERROR))
		return r->err;
	while (r->state != TT_HTTP_S_DONE) {
		if (r->state == TT_HTTP_S_BODY_CL || r->state == TT_HTTP_S_CHUNK_DATA) {
			size_t n = len - i;

			if (n > r->remain)
				n = (size_t)r->remain;
			rc = tt_http_body_put(r, p + i, n);
			if (rc < 0)
				goto out;
			i += n;
			r->remain -= n;
			if (r->remain == 0)
				r->state = r->state == TT_HTTP_S_BODY_CL ? TT_HTTP_S_DONE
									 : TT_HTTP_S_CHUNK_DATA_CR;
			if (i == len)
				break;
			continue;
		}
		if (r->state == TT_HTTP_S_BODY_EOF) {
			rc = tt_http_body_put(r, p + i, len - i);
			if (rc < 0)
				goto out;
			i = len;
			break;
		}
		if (i == len)
			break;
		{
			unsigned char c = (unsigned char)p[i++];

			switch (r->state) {
			case TT_HTTP_S_HEAD:
				if (r->head_len == TT_HTTP_HEAD_MAX) {
					rc = tt_http_fail(r, -EMSGSIZE, "response head too large");
					goto out;
				}
				r->head[r->head_len++] = (char)c;
				if (c == '\n' && r->head_len >= 4 &&
				    memcmp(r->head + r->head_len - 4, "\r\n\r\n", 4) == 0) {
					rc = tt_http_parse_head(r);
					if (rc < 0)
						goto out;
					if (r->status < 200 && r->status != 101) {
						/* interim (100 Continue, 103): drop, read on */
						tt_http_resp_init(r, r->body, r->body_cap,
								  r->flags);
						break;
					}
					rc = tt_http_start_body(r);
					if (rc < 0)
						goto out;
				}
				break;
			case TT_HTTP_S_CHUNK_SIZE: {
				int d = tt_http_hexval(c);

				if (d >= 0) {
					if (++r->ndigits > 15) {
						rc = tt_http_fail(r, -EMSGSIZE,
								  "chunk size too long");
						goto out;
					}
					r->remain = r->remain * 16 + (unsigned)d;
					break;
				}
				if (r->ndigits == 0) {
					rc = tt_http_fail(r, -TT_EPROTO, "bad chunk size");
					goto out;
				}
				if (r->remain > r->body_cap - r->body_len) {
					rc = tt_http_fail(r, -EMSGSIZE,
							  "chunk exceeds the body buffer");
					goto out;
				}
				if (c == '\r') {
					r->state = TT_HTTP_S_CHUNK_SIZE_LF;
				} else if (c == ';' || c == ' ' || c == '\t') {
					r->state = TT_HTTP_S_CHUNK_EXT;
					r->line_len = 0;
				} else {
					rc = tt_http_fail(r, -TT_EPROTO, "bad chunk size");
					goto out;
				}
				break;
			}
			case TT_HTTP_S_CHUNK_EXT:
				if (c == '\r') {
					r->state = TT_HTTP_S_CHUNK_SIZE_LF;
				} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
					rc = tt_http_fail(r, -TT_EPROTO,
							  "control byte in chunk extension");
					goto out;
				} else if (++r->line_len > TT_HTTP_CHUNK_EXT_MAX) {
					rc = tt_http_fail(r, -EMSGSIZE, "chunk extension too long");
					goto out;
				}
				break;
			case TT_HTTP_S_CHUNK_SIZE_LF:
				if (c != '\n') {
					rc =
					    tt_http_fail(r, -TT_EPROTO, "chunk size line not CRLF");
					goto out;
				}
				if (r->remain == 0) {
					r->state = TT_HTTP_S_TRAILERS;
					r->line_len = 0;
					r->trailer_len = 0;
				} else {
					r->state = TT_HTTP_S_CHUNK_DATA;
				}
				break;
			case TT_HTTP_S_CHUNK_DATA_CR:
				if (c != '\r') {
					rc = tt_http_fail(r, -TT_EPROTO,
							  "chunk data not followed by CRLF");
					goto out;
				}
				r->state = TT_HTTP_S_CHUNK_DATA_LF;
				break;
			case TT_HTTP_S_CHUNK_DATA_LF:
				if (c != '\n') {
					rc = tt_http_fail(r, -TT_EPROTO,
							  "chunk data not followed by CRLF");
					goto out;
				}
				r->state = TT_HTTP_S_CHUNK_SIZE;
				r->ndigits = 0;
				r->remain = 0;
				break;
			case TT_HTTP_S_TRAILERS:
				/* line_len counts bytes of the current line; an empty line ends */
				if (++r->trailer_len > TT_HTTP_TRAILER_MAX) {
					rc =
					    tt_http_fail(r, -EMSGSIZE, "trailer section too large");
					goto out;
				}
				if (c == '\n') {
					if (r->line_len == 0 || (r->line_len & 1) == 0) {
						rc = tt_http_fail(r, -TT_EPROTO,
								  "bare LF in trailers");
						goto out;
					}
					if (r->line_len == 1) {
						r->state = TT_HTTP_S_DONE;
						break;
					}
					r->line_len = 0;
				} else if (c == '\r') {
					if (r->line_len & 1) {
						rc = tt_http_fail(r, -TT_EPROTO,
								  "bare CR in trailers");
						goto out;
					}
					r->line_len |=
					    1; /* bit 0: CR seen; bits 1..: content bytes */
				} else if (r->line_len & 1) {
					rc = tt_http_fail(r, -TT_EPROTO, "bare CR in trailers");
					goto out;
				} else if (((c < 0x20 && c != '\t') || c == 0x7f) ||
					   (r->line_len == 0 && (c == ' ' || c == '\t'))) {
					rc = tt_http_fail(r, -TT_EPROTO,
							  "bad byte in trailer field");
					goto out;
				} else {
					r->line_len += 2;
				}
				break;
			default:
				rc = tt_http_fail(r, -TT_EPROTO, "parser in an impossible state");
				goto out;
			}
		}
	}
	rc = r->state == TT_HTTP_S_DONE ? 0 : -EAGAIN;
out:
	*consumed = i;
	return rc;
}

int tt_http_resp_eof(struct tt_http_resp *r)
{
	if (r->state == TT_HTTP_S_ERROR)
		return r->err;
	if (r->state == TT_HTTP_S_BODY_EOF)
		r->state = TT_HTTP_S_DONE;
	if (r->state == TT_HTTP_S_DONE)
		return 0;
	return tt_http_fail(r, -TT_EPROTO,
			    r->state == TT_HTTP_S_HEAD ? "connection closed before the head ended"
						       : "connection closed mid-body");
}
