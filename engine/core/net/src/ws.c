/*
 * ws.c — the WebSocket client codec behind tt_ws.h (RFC 6455). The parser is stateless
 * about partial frames: it re-reads the (≤ 14-byte) header on each call and consumes a
 * frame only when all of it is present, so it never copies a single-frame message and
 * byte-by-byte feeding needs no special case. Only fragments are copied, into the
 * caller's frag_buf. All state that outlives a call is in struct tt_ws_parser.
 *
 * Invariants: frag_len ≤ frag_cap; state IN_MSG ⇔ a fragmented message is open; ERROR
 * and CLOSED are final (tt_ws_parser_init resets).
 */
#include "tt_ws.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tt_err.h"

/* ---- handshake -------------------------------------------------------------------- */

void tt_ws_accept_compute(const char *key, size_t key_len, char out[TT_WS_ACCEPT_LEN + 1])
{
	static const char guid[] = TT_WS_GUID;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!ctx)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, key, key_len) == 1 &&
	    EVP_DigestUpdate(ctx, guid, sizeof(guid) - 1) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 20)
		EVP_EncodeBlock((unsigned char *)out, md, 20);
	EVP_MD_CTX_free(ctx);
}

ssize_t tt_ws_handshake_build(struct tt_ws_handshake *hs, char *buf, size_t cap, const char *host,
			      const char *path, const uint8_t raw_key[16],
			      const struct tt_http_kv *extra, size_t nextra)
{
	struct tt_http_kv h[4 + TT_WS_MAX_EXTRA_HEADERS];
	size_t i;
	ssize_t n;

	hs->key[0] = '\0';
	if (!raw_key || nextra > TT_WS_MAX_EXTRA_HEADERS || (nextra && !extra))
		return tt_err_set(-EINVAL, "ws handshake: bad key or too many headers");
	EVP_EncodeBlock((unsigned char *)hs->key, raw_key, 16);
	tt_ws_accept_compute(hs->key, TT_WS_KEY_LEN, hs->accept);
	if (strlen(hs->accept) != TT_WS_ACCEPT_LEN)
		return tt_err_set(-EIO, "ws handshake: SHA-1 failed");
	hs->proto[0] = '\0';
	hs->error = NULL;
	h[0] = (struct tt_http_kv){"Upgrade", "websocket"};
	h[1] = (struct tt_http_kv){"Connection", "Upgrade"};
	h[2] = (struct tt_http_kv){"Sec-WebSocket-Key", hs->key};
	h[3] = (struct tt_http_kv){"Sec-WebSocket-Version", "13"};
	for (i = 0; i < nextra; i++) {
		const char *nm = extra[i].name ? extra[i].name : "";

		if (strcasecmp(nm, "sec-websocket-extensions") == 0 ||
		    strcasecmp(nm, "sec-websocket-key") == 0 ||
		    strcasecmp(nm, "sec-websocket-version") == 0 ||
		    strcasecmp(nm, "upgrade") == 0 || strcasecmp(nm, "connection") == 0)
			return tt_err_set(-EINVAL, "ws handshake: header %s is not the caller's",
					  nm);
		if (strcasecmp(nm, "sec-websocket-protocol") == 0 && extra[i].value) {
			if (strlen(extra[i].value) > TT_WS_PROTO_MAX || hs->proto[0])
				return tt_err_set(-EINVAL,
						  "ws handshake: subprotocol list too long");
			strcpy(hs->proto, extra[i].value);
		}
		h[4 + i] = extra[i];
	}
	n = tt_http_req_build(buf, cap, "GET", host, path, h, 4 + nextra, NULL, 0);
	if (n < 0)
		return tt_err_add("ws handshake");
	tt_http_resp_init(&hs->resp, NULL, 0, TT_HTTP_F_STOP_AFTER_HEAD);
	return n;
}

static __tt_cold int tt_ws_hs_fail(struct tt_ws_handshake *hs, const char *why)
{
	hs->error = why;
	hs->resp.state = TT_HTTP_S_ERROR;
	hs->resp.err = -TT_EPROTO;
	hs->resp.error = why;
	return tt_err_set(-TT_EPROTO, "ws handshake: %s (HTTP %d)", why, hs->resp.status);
}

/* Is the value v[0..n) one of the comma-separated tokens in list? */
static bool tt_ws_in_list(const char *list, const char *v, size_t n)
{
	const char *p = list;

	while (*p) {
		const char *s;
		const char *e;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		s = p;
		while (*p && *p != ',')
			p++;
		e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == n && n > 0 && memcmp(s, v, n) == 0)
			return true;
	}
	return false;
}

int tt_ws_handshake_feed(struct tt_ws_handshake *hs, const void *data, size_t len, size_t *consumed)
{
	struct tt_http_resp *r = &hs->resp;
	const char *v;
	size_t vl;
	int rc;

	if (r->state == TT_HTTP_S_DONE) {
		*consumed = 0;
		return hs->error ? -TT_EPROTO : 0;
	}
	rc = tt_http_resp_feed(r, data, len, consumed);
	if (rc != 0) {
		if (rc != -EAGAIN && !hs->error)
			hs->error = r->error;
		return rc;
	}
	if (r->status != 101)
		return tt_ws_hs_fail(hs, "server refused the upgrade (status is not 101)");
	if (r->minor != 1)
		return tt_ws_hs_fail(hs, "upgrade answered with HTTP/1.0");
	if (!tt_http_resp_header_has_token(r, "upgrade", "websocket"))
		return tt_ws_hs_fail(hs, "missing Upgrade: websocket");
	if (!tt_http_resp_header_has_token(r, "connection", "upgrade"))
		return tt_ws_hs_fail(hs, "missing Connection: Upgrade");
	v = tt_http_resp_header(r, "sec-websocket-accept", &vl);
	if (!v || vl != TT_WS_ACCEPT_LEN || memcmp(v, hs->accept, TT_WS_ACCEPT_LEN) != 0)
		return tt_ws_hs_fail(hs, "Sec-WebSocket-Accept does not match the key");
	if (tt_http_resp_header(r, "sec-websocket-extensions", NULL))
		return tt_ws_hs_fail(hs, "server chose an extension that was not offered");
	v = tt_http_resp_header(r, "sec-websocket-protocol", &vl);
	if (v && !tt_ws_in_list(hs->proto, v, vl))
		return tt_ws_hs_fail(hs, "server chose a subprotocol that was not offered");
	return 0;
}

/* ---- validation ------------------------------------------------------------------- */

bool tt_ws_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c;

		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c < 0x80) {
			i++;
		} else if (c < 0xc2) {
			return false; /* continuation or overlong 2-byte lead */
		} else if (c < 0xe0) {
			if (i + 1 >= n || (s[i + 1] & 0xc0) != 0x80)
				return false;
			i += 2;
		} else if (c < 0xf0) {
			uint8_t lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
			uint8_t hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */

			if (i + 2 >= n || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80)
				return false;
			i += 3;
		} else if (c < 0xf5) {
			uint8_t lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
			uint8_t hi = c == 0xf4 ? 0x8f : 0xbf; /* > U+10FFFF */

			if (i + 3 >= n || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80)
				return false;
			i += 4;
		} else {
			return false;
		}
	}
	return true;
}

bool tt_ws_close_code_valid(unsigned code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
	       (code >= 3000 && code <= 4999);
}

/* ---- parser ----------------------------------------------------------------------- */

void tt_ws_parser_init(struct tt_ws_parser *p, uint8_t *frag_buf, size_t frag_cap, size_t max_msg,
		       unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->frag_buf = frag_buf;
	p->frag_cap = frag_buf ? frag_cap : 0;
	p->max_msg = max_msg;
	p->flags = flags;
	p->state = TT_WS_P_OPEN;
	p->need = 2;
}

static __tt_cold int tt_ws_fail(struct tt_ws_parser *p, int rc, uint16_t code, const char *why)
{
	p->state = TT_WS_P_ERROR;
	p->err = rc;
	p->fail_code = code;
	p->error = why;
	return tt_err_set(rc, "websocket: %s (close %u)", why, code);
}

#define TT_WS_PROTO(p, why) tt_ws_fail((p), -TT_EPROTO, TT_WS_CLOSE_PROTOCOL, (why))
#define TT_WS_BIG(p, why)   tt_ws_fail((p), -EMSGSIZE, TT_WS_CLOSE_TOO_BIG, (why))
#define TT_WS_UTF8(p, why)  tt_ws_fail((p), -EILSEQ, TT_WS_CLOSE_BAD_DATA, (why))

static bool tt_ws_text_ok(const struct tt_ws_parser *p, const uint8_t *s, size_t n)
{
	return (p->flags & TT_WS_F_NO_UTF8_CHECK) || tt_ws_utf8_valid(s, n);
}

int tt_ws_parse(struct tt_ws_parser *p, const uint8_t *buf, size_t len, size_t *consumed,
		struct tt_ws_event *ev)
{
	size_t off = 0;
	int rc = 0;

	*consumed = 0;
	if (tt_unlikely(p->state == TT_WS_P_ERROR))
		return p->err;
	if (tt_unlikely(p->state == TT_WS_P_CLOSED))
		return tt_err_set(-EPIPE, "websocket: input after the close frame");
	for (;;) {
		const uint8_t *f = buf + off;
		size_t avail = len - off;
		unsigned fin;
		unsigned op;
		size_t hl = 2;
		uint64_t pl;
		const uint8_t *pay;

		if (avail < 2) {
			p->need = 2;
			break;
		}
		fin = f[0] >> 7;
		op = f[0] & 0x0f;
		if (f[0] & 0x70) {
			rc = TT_WS_PROTO(p, "RSV bit set without a negotiated extension");
			break;
		}
		if (f[1] & 0x80) {
			rc = TT_WS_PROTO(p, "masked frame from the server");
			break;
		}
		if (op >= 3 && op != TT_WS_OP_CLOSE && op != TT_WS_OP_PING && op != TT_WS_OP_PONG) {
			rc = TT_WS_PROTO(p, "reserved opcode");
			break;
		}
		pl = f[1] & 0x7f;
		if (op >= 8) {
			if (!fin) {
				rc = TT_WS_PROTO(p, "fragmented control frame");
				break;
			}
			if (pl > TT_WS_CONTROL_MAX) {
				rc = TT_WS_PROTO(p, "control frame longer than 125 bytes");
				break;
			}
		} else if (op == TT_WS_OP_CONT && p->state != TT_WS_P_IN_MSG) {
			rc = TT_WS_PROTO(p, "continuation frame without a message");
			break;
		} else if (op != TT_WS_OP_CONT && p->state == TT_WS_P_IN_MSG) {
			rc = TT_WS_PROTO(p, "new message inside a fragmented message");
			break;
		}
		if (pl == 126) {
			hl = 4;
			if (avail < hl) {
				p->need = hl;
				break;
			}
			pl = (uint64_t)f[2] << 8 | f[3];
			if (pl < 126) {
				rc = TT_WS_PROTO(p, "non-minimal 16-bit length");
				break;
			}
		} else if (pl == 127) {
			unsigned k;

			hl = 10;
			if (avail < hl) {
				p->need = hl;
				break;
			}
			for (pl = 0, k = 2; k < 10; k++)
				pl = pl << 8 | f[k];
			if (pl >> 63) {
				rc = TT_WS_PROTO(p, "64-bit length with the top bit set");
				break;
			}
			if (pl <= 0xffff) {
				rc = TT_WS_PROTO(p, "non-minimal 64-bit length");
				break;
			}
		}
		if (op < 8 && pl > p->max_msg) {
			rc = TT_WS_BIG(p, "frame larger than the message limit");
			break;
		}
		if (op < 8 && (!fin || op == TT_WS_OP_CONT) &&
		    pl > p->frag_cap - (op == TT_WS_OP_CONT ? p->frag_len : 0)) {
			rc = TT_WS_BIG(p, "fragmented message larger than the reassembly buffer");
			break;
		}
		if (op == TT_WS_OP_CONT && pl > p->max_msg - p->frag_len) {
			rc = TT_WS_BIG(p, "fragmented message larger than the message limit");
			break;
		}
		if (avail - hl < pl) {
			p->need = hl + (size_t)pl;
			break;
		}
		/* a whole frame is here */
		pay = f + hl;
		off += hl + (size_t)pl;
		p->frames++;
		if (op < 8 && !fin) {
			if (op != TT_WS_OP_CONT) {
				p->state = TT_WS_P_IN_MSG;
				p->msg_opcode = (uint8_t)op;
				p->frag_len = 0;
			}
			if (pl)
				memcpy(p->frag_buf + p->frag_len, pay, (size_t)pl);
			p->frag_len += (size_t)pl;
			continue;
		}
		memset(ev, 0, sizeof(*ev));
		ev->data = pay;
		ev->len = (size_t)pl;
		switch (op) {
		case TT_WS_OP_TEXT:
		case TT_WS_OP_BINARY:
			ev->type = TT_WS_EV_MESSAGE;
			ev->opcode = (uint8_t)op;
			break;
		case TT_WS_OP_CONT:
			if (pl)
				memcpy(p->frag_buf + p->frag_len, pay, (size_t)pl);
			p->frag_len += (size_t)pl;
			ev->type = TT_WS_EV_MESSAGE;
			ev->opcode = p->msg_opcode;
			ev->data = p->frag_buf;
			ev->len = p->frag_len;
			p->state = TT_WS_P_OPEN;
			p->frag_len = 0;
			break;
		case TT_WS_OP_PING:
			ev->type = TT_WS_EV_PING;
			break;
		case TT_WS_OP_PONG:
			ev->type = TT_WS_EV_PONG;
			break;
		default: /* close */
			ev->type = TT_WS_EV_CLOSE;
			if (pl == 1) {
				rc = TT_WS_PROTO(p, "close frame with a 1-byte payload");
				goto out;
			}
			ev->close_code = TT_WS_CLOSE_NO_STATUS;
			if (pl >= 2) {
				ev->close_code = (uint16_t)(pay[0] << 8 | pay[1]);
				ev->data = pay + 2;
				ev->len = (size_t)pl - 2;
				if (!tt_ws_close_code_valid(ev->close_code)) {
					rc = TT_WS_PROTO(p, "invalid close code");
					goto out;
				}
				if (!tt_ws_utf8_valid(ev->data, ev->len)) {
					rc = TT_WS_UTF8(p, "close reason is not UTF-8");
					goto out;
				}
			}
			p->state = TT_WS_P_CLOSED;
			break;
		}
		if (ev->type == TT_WS_EV_MESSAGE) {
			if (ev->opcode == TT_WS_OP_TEXT && !tt_ws_text_ok(p, ev->data, ev->len)) {
				rc = TT_WS_UTF8(p, "text message is not UTF-8");
				goto out;
			}
			p->messages++;
		}
		p->need = 2;
		rc = 1;
		break;
	}
out:
	*consumed = off;
	return rc;
}

/* ---- encoder ---------------------------------------------------------------------- */

void tt_ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4], size_t phase)
{
	uint8_t m8[8];
	uint64_t m;
	size_t i = 0;
	unsigned k;

	for (k = 0; k < 8; k++)
		m8[k] = mask[(phase + k) & 3];
	memcpy(&m, m8, 8);
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, buf + i, 8);
		w ^= m;
		memcpy(buf + i, &w, 8);
	}
	for (k = 0; i < len; i++, k++)
		buf[i] ^= m8[k];
}

/* Copies and masks in one pass: out[i] = in[i] ^ mask[i & 3]. */
static void tt_ws_copy_mask(uint8_t *out, const uint8_t *in, size_t len, const uint8_t mask[4])
{
	uint8_t m8[8];
	uint64_t m;
	size_t i = 0;
	unsigned k;

	for (k = 0; k < 8; k++)
		m8[k] = mask[k & 3];
	memcpy(&m, m8, 8);
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, in + i, 8);
		w ^= m;
		memcpy(out + i, &w, 8);
	}
	for (k = 0; i < len; i++, k++)
		out[i] = in[i] ^ m8[k];
}

static size_t tt_ws_put_header(uint8_t *out, unsigned opcode, bool fin, const uint8_t mask[4],
			       size_t len)
{
	size_t h = 2;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | opcode);
	if (len < 126) {
		out[1] = (uint8_t)(0x80 | len);
	} else if (len <= 0xffff) {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		h = 4;
	} else {
		unsigned k;

		out[1] = 0x80 | 127;
		for (k = 0; k < 8; k++)
			out[2 + k] = (uint8_t)((uint64_t)len >> (56 - 8 * k));
		h = 10;
	}
	memcpy(out + h, mask, 4);
	return h + 4;
}

ssize_t tt_ws_encode(uint8_t *out, size_t cap, unsigned opcode, bool fin, const uint8_t mask[4],
		     const void *payload, size_t len)
{
	size_t h;

	if (!mask || (len && !payload) ||
	    (opcode > TT_WS_OP_BINARY && opcode != TT_WS_OP_CLOSE && opcode != TT_WS_OP_PING &&
	     opcode != TT_WS_OP_PONG))
		return tt_err_set(-EINVAL, "websocket encode: bad opcode %u or arguments", opcode);
	if (opcode >= 8 && (!fin || len > TT_WS_CONTROL_MAX))
		return tt_err_set(-EINVAL, "websocket encode: control frame must be FIN, ≤ 125 B");
	if (len > (size_t)SSIZE_MAX - TT_WS_MAX_HEADER || cap < tt_ws_frame_overhead(len) + len)
		return tt_err_set(-ENOSPC, "websocket encode: %zu-byte frame, %zu-byte buffer", len,
				  cap);
	h = tt_ws_put_header(out, opcode, fin, mask, len);
	if (len)
		tt_ws_copy_mask(out + h, payload, len, mask);
	return (ssize_t)(h + len);
}

ssize_t tt_ws_encode_close(uint8_t *out, size_t cap, const uint8_t mask[4], unsigned code,
			   const char *reason, size_t reason_len)
{
	uint8_t pl[TT_WS_CONTROL_MAX];

	if (code == 0) {
		if (reason_len)
			return tt_err_set(-EINVAL, "websocket close: a reason needs a code");
		return tt_ws_encode(out, cap, TT_WS_OP_CLOSE, true, mask, NULL, 0);
	}
	if (!tt_ws_close_code_valid(code) || reason_len > TT_WS_CONTROL_MAX - 2 ||
	    (reason_len && !reason) || !tt_ws_utf8_valid((const uint8_t *)reason, reason_len))
		return tt_err_set(-EINVAL, "websocket close: bad code %u or reason", code);
	pl[0] = (uint8_t)(code >> 8);
	pl[1] = (uint8_t)code;
	if (reason_len)
		memcpy(pl + 2, reason, reason_len);
	return tt_ws_encode(out, cap, TT_WS_OP_CLOSE, true, mask, pl, 2 + reason_len);
}

int tt_ws_maskgen_next(struct tt_ws_maskgen *g, uint8_t key[4])
{
	if (g->left < 4) {
		if (RAND_bytes(g->pool, (int)sizeof(g->pool)) != 1)
			return tt_err_set(-EIO, "websocket mask: RAND_bytes failed");
		g->left = sizeof(g->pool);
	}
	memcpy(key, g->pool + sizeof(g->pool) - g->left, 4);
	g->left -= 4;
	return 0;
}
