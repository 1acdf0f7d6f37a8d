/*
 * test_ws.c — the WebSocket client codec (tt_ws.h): RFC 6455's own handshake example,
 * the upgrade request and 101 verification, every payload length form at its
 * boundaries, fragmentation with control frames in the middle, byte-by-byte feeding,
 * and every refusal (masked server frame, RSV, reserved opcodes, oversize, bad close
 * codes, invalid UTF-8, non-minimal lengths, truncated frames); the encoder's masking
 * checked against a plain byte-wise model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_err.h"
#include "tt_ws.h"

#define BIG (70 * 1024)

static uint8_t frag[BIG];
static uint8_t wire[4 * BIG];
static uint8_t payload[BIG];

/* An unmasked server frame, written independently of the codec. Length form chosen by
 * `form` (0 = minimal, else 7/16/64 forced). */
static size_t srv_frame_form(uint8_t *out, unsigned fin, unsigned op, const void *p, size_t len,
			     int form)
{
	size_t h = 2;
	unsigned k;

	if (form == 0)
		form = len < 126 ? 7 : len <= 0xffff ? 16 : 64;
	out[0] = (uint8_t)((fin ? 0x80 : 0) | op);
	if (form == 7) {
		out[1] = (uint8_t)len;
	} else if (form == 16) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		h = 4;
	} else {
		out[1] = 127;
		for (k = 0; k < 8; k++)
			out[2 + k] = (uint8_t)((uint64_t)len >> (56 - 8 * k));
		h = 10;
	}
	if (len)
		memcpy(out + h, p, len);
	return h + len;
}

static size_t srv_frame(uint8_t *out, unsigned fin, unsigned op, const void *p, size_t len)
{
	return srv_frame_form(out, fin, op, p, len, 0);
}

/* Runs the caller's loop over wire[0..n): feeding `step` new bytes at a time into a
 * receive buffer, parsing, dropping consumed bytes. Events are summarised into log
 * ("M1:len", "P:len", "O:len", "C:code") and the last message payload is copied to
 * last. Returns the final rc (0 when everything parsed, <0 on error). */
static char logbuf[512];
static uint8_t last[BIG];
static size_t last_len;

static int run(struct tt_ws_parser *p, const uint8_t *w, size_t n, size_t step)
{
	static uint8_t rx[4 * BIG];
	size_t have = 0;
	size_t fed = 0;
	int rc = 0;

	logbuf[0] = '\0';
	if (step == 0)
		step = n;
	while (fed < n || have) {
		size_t k = n - fed < step ? n - fed : step;
		size_t used;
		struct tt_ws_event ev;

		memcpy(rx + have, w + fed, k);
		have += k;
		fed += k;
		for (;;) {
			rc = tt_ws_parse(p, rx, have, &used, &ev);
			assert_true(used <= have);
			if (rc == 1) {
				char e[32];

				if (ev.type == TT_WS_EV_MESSAGE) {
					snprintf(e, sizeof(e), "M%u:%zu ", ev.opcode, ev.len);
					memcpy(last, ev.data, ev.len);
					last_len = ev.len;
				} else if (ev.type == TT_WS_EV_PING) {
					snprintf(e, sizeof(e), "P:%zu ", ev.len);
				} else if (ev.type == TT_WS_EV_PONG) {
					snprintf(e, sizeof(e), "O:%zu ", ev.len);
				} else {
					snprintf(e, sizeof(e), "C:%u:%zu ", ev.close_code, ev.len);
				}
				strncat(logbuf, e, sizeof(logbuf) - strlen(logbuf) - 1);
			}
			memmove(rx, rx + used, have - used);
			have -= used;
			if (rc != 1)
				break;
			if (ev.type == TT_WS_EV_CLOSE)
				return 0;
		}
		if (rc < 0)
			return rc;
		if (fed == n)
			break;
	}
	return have ? -EAGAIN : 0; /* bytes left: a truncated frame */
}

/* ---- handshake -------------------------------------------------------------------- */

static void test_accept_matches_rfc6455_example(void **state)
{
	char out[TT_WS_ACCEPT_LEN + 1];

	tt_ws_accept_compute("dGhlIHNhbXBsZSBub25jZQ==", 24, out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static const uint8_t rfc_nonce[16] = "the sample nonce"; /* base64: the RFC's key */

static void test_handshake_request_and_101_verified(void **state)
{
	static struct tt_ws_handshake hs;
	const struct tt_http_kv extra[] = {{"Origin", "http://localhost"},
					   {"Sec-WebSocket-Protocol", "chat, superchat"}};
	char req[512];
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
				   "Connection: keep-alive, upgrade\r\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
				   "Sec-WebSocket-Protocol: chat\r\n\r\n\x81\x02hi";
	ssize_t n;
	size_t used = 0;
	size_t i;

	n = tt_ws_handshake_build(&hs, req, sizeof(req), "localhost:8443", "/ws?x=1", rfc_nonce,
				  extra, 2);
	assert_true(n > 0);
	req[n] = '\0';
	assert_string_equal(req, "GET /ws?x=1 HTTP/1.1\r\nHost: localhost:8443\r\n"
				 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
				 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				 "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost\r\n"
				 "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n");
	/* byte by byte */
	for (i = 0; i < sizeof(resp) - 1; i++) {
		size_t c;
		int rc = tt_ws_handshake_feed(&hs, resp + i, 1, &c);

		used += c;
		if (rc == 0)
			break;
		assert_int_equal(rc, -EAGAIN);
	}
	assert_int_equal(used, sizeof(resp) - 1 - 4); /* the frame after it is not eaten */
}

static int hs_try(const char *resp)
{
	static struct tt_ws_handshake hs;
	char req[512];
	size_t c;

	assert_true(tt_ws_handshake_build(&hs, req, sizeof(req), "h", "/", rfc_nonce, NULL, 0) > 0);
	return tt_ws_handshake_feed(&hs, resp, strlen(resp), &c);
}

static void test_handshake_refusals(void **state)
{
	static struct tt_ws_handshake hs;
	const struct tt_http_kv ext[] = {{"Sec-WebSocket-Extensions", "permessage-deflate"}};
	char req[512];

	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
			 0);
	assert_int_equal(hs_try("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo_\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
				"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.1 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
				"Sec-WebSocket-Protocol: chat\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(hs_try("HTTP/1.0 101 X\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
			 -TT_EPROTO);
	assert_int_equal(tt_ws_handshake_build(&hs, req, sizeof(req), "h", "/", rfc_nonce, ext, 1),
			 -EINVAL);
	assert_int_equal(tt_ws_handshake_build(&hs, req, 40, "h", "/", rfc_nonce, NULL, 0),
			 -ENOSPC);
}

/* ---- parser ----------------------------------------------------------------------- */

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)('a' + (i * 7 + seed) % 26);
}

static void test_every_length_form_boundary(void **state)
{
	static const size_t lens[] = {0, 1, 125, 126, 127, 65535, 65536, 65537};
	struct tt_ws_parser p;
	size_t i;
	char want[32];

	for (i = 0; i < TT_ARRAY_LEN(lens); i++) {
		size_t n;

		fill(payload, lens[i], (unsigned)i);
		n = srv_frame(wire, 1, TT_WS_OP_BINARY, payload, lens[i]);
		assert_int_equal(n, lens[i] + (lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10));
		tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
		assert_int_equal(run(&p, wire, n, 0), 0);
		snprintf(want, sizeof(want), "M2:%zu ", lens[i]);
		assert_string_equal(logbuf, want);
		assert_memory_equal(last, payload, lens[i]);
		/* one byte short: nothing delivered, the parser asks for exactly the rest */
		tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
		assert_int_equal(run(&p, wire, n - 1 + (n == 2), 0), n == 2 ? 0 : -EAGAIN);
		if (n > 2)
			assert_int_equal(p.need, n);
	}
}

static void test_byte_by_byte_feeding_gives_same_events(void **state)
{
	struct tt_ws_parser p;
	size_t n = 0;
	size_t step;

	fill(payload, 300, 3);
	n += srv_frame(wire + n, 1, TT_WS_OP_TEXT, "hello", 5);
	n += srv_frame(wire + n, 1, TT_WS_OP_PING, "pp", 2);
	n += srv_frame(wire + n, 0, TT_WS_OP_BINARY, payload, 200);
	n += srv_frame(wire + n, 1, TT_WS_OP_CONT, payload + 200, 100);
	n += srv_frame(wire + n, 1, TT_WS_OP_PONG, NULL, 0);
	n += srv_frame(wire + n, 1, TT_WS_OP_CLOSE,
		       "\x03\xe8"
		       "bye",
		       5);
	for (step = 0; step <= 5; step++) {
		tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
		assert_int_equal(run(&p, wire, n, step), 0);
		assert_string_equal(logbuf, "M1:5 P:2 M2:300 O:0 C:1000:3 ");
		assert_int_equal(p.messages, 2);
		assert_int_equal(p.frames, 6);
	}
	/* after the close, input is refused */
	{
		size_t c;
		struct tt_ws_event ev;

		assert_int_equal(tt_ws_parse(&p, wire, 2, &c, &ev), -EPIPE);
	}
}

static void test_fragmented_message_with_ping_in_the_middle(void **state)
{
	struct tt_ws_parser p;
	size_t n = 0;

	n += srv_frame(wire + n, 0, TT_WS_OP_TEXT, "Hel", 3);
	n += srv_frame(wire + n, 1, TT_WS_OP_PING, "mid", 3);
	n += srv_frame(wire + n, 0, TT_WS_OP_CONT, "lo, ", 4);
	n += srv_frame(wire + n, 1, TT_WS_OP_PONG, "x", 1);
	n += srv_frame(wire + n, 0, TT_WS_OP_CONT, NULL, 0);
	n += srv_frame(wire + n, 1, TT_WS_OP_CONT, "w\xc3\xb6rld", 6);
	n += srv_frame(wire + n, 1, TT_WS_OP_TEXT, "next", 4);
	tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
	assert_int_equal(run(&p, wire, n, 1), 0);
	assert_string_equal(logbuf, "P:3 O:1 M1:13 M1:4 ");
	tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
	assert_int_equal(run(&p, wire, n - 6, 0), 0);
	assert_memory_equal(last, "Hello, w\xc3\xb6rld", 13);
}

static void test_utf8_split_across_fragments_is_valid(void **state)
{
	struct tt_ws_parser p;
	size_t n = 0;

	n += srv_frame(wire + n, 0, TT_WS_OP_TEXT, "\xe2\x82", 2); /* U+20AC split */
	n += srv_frame(wire + n, 1, TT_WS_OP_CONT, "\xac", 1);
	tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
	assert_int_equal(run(&p, wire, n, 0), 0);
	assert_string_equal(logbuf, "M1:3 ");
}

struct badf {
	uint8_t b[16];
	size_t n;
	int rc;
	unsigned code;
	const char *why;
};

static void test_protocol_violations_are_refused_with_close_code(void **state)
{
	static const struct badf bads[] = {
	    {{0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2},
	     8,
	     -TT_EPROTO,
	     1002,
	     "masked frame from the server"},
	    {{0xc1, 0x00}, 2, -TT_EPROTO, 1002, "RSV bit set without a negotiated extension"},
	    {{0xa1, 0x00}, 2, -TT_EPROTO, 1002, "RSV bit set without a negotiated extension"},
	    {{0x91, 0x00}, 2, -TT_EPROTO, 1002, "RSV bit set without a negotiated extension"},
	    {{0x83, 0x00}, 2, -TT_EPROTO, 1002, "reserved opcode"},
	    {{0x87, 0x00}, 2, -TT_EPROTO, 1002, "reserved opcode"},
	    {{0x8b, 0x00}, 2, -TT_EPROTO, 1002, "reserved opcode"},
	    {{0x8f, 0x00}, 2, -TT_EPROTO, 1002, "reserved opcode"},
	    {{0x09, 0x00}, 2, -TT_EPROTO, 1002, "fragmented control frame"},
	    {{0x89, 126, 0, 126}, 4, -TT_EPROTO, 1002, "control frame longer than 125 bytes"},
	    {{0x8a, 126}, 2, -TT_EPROTO, 1002, "control frame longer than 125 bytes"},
	    {{0x80, 0x00}, 2, -TT_EPROTO, 1002, "continuation frame without a message"},
	    {{0x01, 0x00, 0x81, 0x00},
	     4,
	     -TT_EPROTO,
	     1002,
	     "new message inside a fragmented message"},
	    {{0x82, 126, 0, 125}, 4, -TT_EPROTO, 1002, "non-minimal 16-bit length"},
	    {{0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff},
	     10,
	     -TT_EPROTO,
	     1002,
	     "non-minimal 64-bit length"},
	    {{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0},
	     10,
	     -TT_EPROTO,
	     1002,
	     "64-bit length with the top bit set"},
	    {{0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x18, 0x01},
	     10,
	     -EMSGSIZE,
	     1009,
	     "frame larger than the message limit"}, /* BIG + 1 */
	    {{0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	     10,
	     -EMSGSIZE,
	     1009,
	     "frame larger than the message limit"},
	    {{0x81, 0x02, 0xc3, 0x28}, 4, -EILSEQ, 1007, "text message is not UTF-8"},
	    {{0x81, 0x02, 0xc0, 0x80}, 4, -EILSEQ, 1007, "text message is not UTF-8"},
	    {{0x81, 0x03, 0xed, 0xa0, 0x80}, 5, -EILSEQ, 1007, "text message is not UTF-8"},
	    {{0x81, 0x04, 0xf4, 0x90, 0x80, 0x80}, 6, -EILSEQ, 1007, "text message is not UTF-8"},
	    {{0x81, 0x01, 0xe2}, 3, -EILSEQ, 1007, "text message is not UTF-8"},
	    {{0x88, 0x01, 0x03}, 3, -TT_EPROTO, 1002, "close frame with a 1-byte payload"},
	    {{0x88, 0x02, 0x03, 0xe7}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 999 */
	    {{0x88, 0x02, 0x03, 0xec}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 1004 */
	    {{0x88, 0x02, 0x03, 0xed}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 1005 */
	    {{0x88, 0x02, 0x03, 0xee}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 1006 */
	    {{0x88, 0x02, 0x03, 0xf7}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 1015 */
	    {{0x88, 0x02, 0x0b, 0xb7}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 2999 */
	    {{0x88, 0x02, 0x13, 0x88}, 4, -TT_EPROTO, 1002, "invalid close code"}, /* 5000 */
	    {{0x88, 0x04, 0x03, 0xe8, 0xff, 0xfe}, 6, -EILSEQ, 1007, "close reason is not UTF-8"},
	};
	size_t i;

	for (i = 0; i < TT_ARRAY_LEN(bads); i++) {
		struct tt_ws_parser p;
		int rc;

		tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
		rc = run(&p, bads[i].b, bads[i].n, 1);
		if (rc != bads[i].rc || p.fail_code != bads[i].code || !p.error ||
		    strcmp(p.error, bads[i].why) != 0)
			fail_msg("case %zu: rc %d code %u (%s), want %d %u (%s)", i, rc,
				 p.fail_code, p.error ? p.error : "-", bads[i].rc, bads[i].code,
				 bads[i].why);
		/* sticky */
		{
			size_t c = 7;
			struct tt_ws_event ev;

			assert_int_equal(tt_ws_parse(&p, (const uint8_t *)"\x81\x00", 2, &c, &ev),
					 bads[i].rc);
			assert_int_equal(c, 0);
		}
	}
}

static void test_valid_close_codes_and_empty_close(void **state)
{
	static const unsigned ok[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
				      1010, 1011, 1012, 1013, 1014, 3000, 4999};
	struct tt_ws_parser p;
	size_t i;
	size_t n;
	char want[32];

	for (i = 0; i < TT_ARRAY_LEN(ok); i++) {
		uint8_t c[2] = {(uint8_t)(ok[i] >> 8), (uint8_t)ok[i]};

		n = srv_frame(wire, 1, TT_WS_OP_CLOSE, c, 2);
		tt_ws_parser_init(&p, NULL, 0, 16, 0);
		assert_int_equal(run(&p, wire, n, 0), 0);
		snprintf(want, sizeof(want), "C:%u:0 ", ok[i]);
		assert_string_equal(logbuf, want);
	}
	n = srv_frame(wire, 1, TT_WS_OP_CLOSE, NULL, 0);
	tt_ws_parser_init(&p, NULL, 0, 16, 0);
	assert_int_equal(run(&p, wire, n, 0), 0);
	assert_string_equal(logbuf, "C:1005:0 ");
}

static void test_oversize_refused_before_payload_arrives(void **state)
{
	struct tt_ws_parser p;
	size_t n;
	size_t c;
	struct tt_ws_event ev;

	/* the limit itself passes */
	fill(payload, 1000, 1);
	n = srv_frame(wire, 1, TT_WS_OP_BINARY, payload, 1000);
	tt_ws_parser_init(&p, NULL, 0, 1000, 0);
	assert_int_equal(run(&p, wire, n, 0), 0);
	/* one over: refused from the 4-byte header alone */
	n = srv_frame(wire, 1, TT_WS_OP_BINARY, payload, 1001);
	tt_ws_parser_init(&p, NULL, 0, 1000, 0);
	assert_int_equal(tt_ws_parse(&p, wire, 4, &c, &ev), -EMSGSIZE);
	assert_int_equal(p.fail_code, 1009);
	/* fragments summing over the limit, and fragments with no reassembly buffer */
	n = srv_frame(wire, 0, TT_WS_OP_BINARY, payload, 600);
	n += srv_frame(wire + n, 1, TT_WS_OP_CONT, payload, 401);
	tt_ws_parser_init(&p, frag, sizeof(frag), 1000, 0);
	assert_int_equal(run(&p, wire, n, 0), -EMSGSIZE);
	assert_string_equal(p.error, "fragmented message larger than the message limit");
	tt_ws_parser_init(&p, frag, 500, 1000, 0);
	assert_int_equal(run(&p, wire, n, 0), -EMSGSIZE);
	assert_string_equal(p.error, "fragmented message larger than the reassembly buffer");
	tt_ws_parser_init(&p, NULL, 0, 1000, 0);
	assert_int_equal(run(&p, wire, n, 0), -EMSGSIZE);
	/* a ping of 125 is fine even with a tiny message limit */
	n = srv_frame(wire, 1, TT_WS_OP_PING, payload, 125);
	tt_ws_parser_init(&p, NULL, 0, 8, 0);
	assert_int_equal(run(&p, wire, n, 0), 0);
	assert_string_equal(logbuf, "P:125 ");
}

static void test_truncated_frames_wait_and_consume_nothing(void **state)
{
	struct tt_ws_parser p;
	struct tt_ws_event ev;
	size_t n;
	size_t c;
	size_t k;

	fill(payload, 70000, 2);
	n = srv_frame(wire, 1, TT_WS_OP_BINARY, payload, 70000);
	tt_ws_parser_init(&p, frag, sizeof(frag), BIG, 0);
	for (k = 0; k < n; k += 997) {
		c = 99;
		assert_int_equal(tt_ws_parse(&p, wire, k, &c, &ev), 0);
		assert_int_equal(c, 0);
		assert_int_equal(p.need, k < 2 ? 2 : k < 10 ? 10 : n);
	}
	assert_int_equal(tt_ws_parse(&p, wire, n, &c, &ev), 1);
	assert_int_equal(c, n);
	assert_ptr_equal(ev.data, wire + 10); /* zero-copy */
}

static void test_non_minimal_accepted_forms_are_refused_and_minimal_ones_pass(void **state)
{
	struct tt_ws_parser p;
	size_t n;

	n = srv_frame_form(wire, 1, TT_WS_OP_BINARY, payload, 126, 16);
	tt_ws_parser_init(&p, NULL, 0, BIG, 0);
	assert_int_equal(run(&p, wire, n, 0), 0);
	n = srv_frame_form(wire, 1, TT_WS_OP_BINARY, payload, 5, 16);
	tt_ws_parser_init(&p, NULL, 0, BIG, 0);
	assert_int_equal(run(&p, wire, n, 0), -TT_EPROTO);
	n = srv_frame_form(wire, 1, TT_WS_OP_BINARY, payload, 300, 64);
	tt_ws_parser_init(&p, NULL, 0, BIG, 0);
	assert_int_equal(run(&p, wire, n, 0), -TT_EPROTO);
}

static void test_utf8_check_can_be_disabled(void **state)
{
	struct tt_ws_parser p;

	tt_ws_parser_init(&p, NULL, 0, 16, TT_WS_F_NO_UTF8_CHECK);
	assert_int_equal(run(&p, (const uint8_t *)"\x81\x02\xc3\x28", 4, 0), 0);
	assert_string_equal(logbuf, "M1:2 ");
}

static void test_utf8_validator_edges(void **state)
{
	assert_true(tt_ws_utf8_valid((const uint8_t *)"", 0));
	assert_true(tt_ws_utf8_valid((const uint8_t *)"plain ascii, longer than 8", 26));
	assert_true(tt_ws_utf8_valid((const uint8_t *)"\x7f\xc2\x80\xdf\xbf", 5));
	assert_true(tt_ws_utf8_valid((const uint8_t *)"\xe0\xa0\x80\xef\xbf\xbf", 6));
	assert_true(tt_ws_utf8_valid((const uint8_t *)"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8));
	assert_true(tt_ws_utf8_valid((const uint8_t *)"\xed\x9f\xbf", 3));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\x80", 1));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\xc1\xbf", 2));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\xe0\x9f\xbf", 3));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\xf0\x8f\xbf\xbf", 4));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\xf5\x80\x80\x80", 4));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"abcdefg\xff", 8));
	assert_false(tt_ws_utf8_valid((const uint8_t *)"\xf0\x90\x80", 3));
}

/* ---- encoder ---------------------------------------------------------------------- */

static void test_encoder_masks_every_length_form(void **state)
{
	static const size_t lens[] = {0, 1, 7, 8, 9, 125, 126, 65535, 65536};
	static uint8_t out[70000];
	const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
	size_t i;
	size_t k;

	for (i = 0; i < TT_ARRAY_LEN(lens); i++) {
		size_t h = lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10;
		ssize_t n;

		fill(payload, lens[i], 5);
		n = tt_ws_encode(out, sizeof(out), TT_WS_OP_BINARY, true, mask, payload, lens[i]);
		assert_int_equal(n, h + 4 + lens[i]);
		assert_int_equal(tt_ws_frame_overhead(lens[i]), h + 4);
		assert_int_equal(out[0], 0x82);
		assert_int_equal(out[1] & 0x80, 0x80);
		assert_memory_equal(out + h, mask, 4);
		for (k = 0; k < lens[i]; k++) /* byte-wise model */
			assert_int_equal(out[h + 4 + k], payload[k] ^ mask[k & 3]);
		/* a buffer one byte short */
		assert_int_equal(
		    tt_ws_encode(out, (size_t)n - 1, TT_WS_OP_BINARY, true, mask, payload, lens[i]),
		    -ENOSPC);
	}
	/* RFC 6455 §5.7: masked "Hello" */
	{
		const uint8_t m[4] = {0x37, 0xfa, 0x21, 0x3d};
		const uint8_t want[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58};

		assert_int_equal(tt_ws_encode(out, sizeof(out), TT_WS_OP_TEXT, true, m, "Hello", 5),
				 11);
		assert_memory_equal(out, want, 11);
	}
}

static void test_mask_in_pieces_equals_mask_at_once(void **state)
{
	uint8_t a[100];
	uint8_t b[100];
	const uint8_t m[4] = {1, 2, 3, 4};
	size_t cut;

	for (cut = 0; cut <= 100; cut += 7) {
		fill(a, 100, 9);
		memcpy(b, a, 100);
		tt_ws_mask(a, 100, m, 0);
		tt_ws_mask(b, cut, m, 0);
		tt_ws_mask(b + cut, 100 - cut, m, cut);
		assert_memory_equal(a, b, 100);
	}
}

static void test_control_frames_and_close_encoding(void **state)
{
	uint8_t out[256];
	const uint8_t m[4] = {0, 0, 0, 0}; /* zero mask: payload readable */
	ssize_t n;

	n = tt_ws_encode(out, sizeof(out), TT_WS_OP_PONG, true, m, "ping-data", 9);
	assert_int_equal(n, 15);
	assert_int_equal(out[0], 0x8a);
	assert_memory_equal(out + 6, "ping-data", 9);
	assert_int_equal(tt_ws_encode(out, sizeof(out), TT_WS_OP_PING, true, m, payload, 126),
			 -EINVAL);
	assert_int_equal(tt_ws_encode(out, sizeof(out), TT_WS_OP_PING, false, m, NULL, 0), -EINVAL);
	assert_int_equal(tt_ws_encode(out, sizeof(out), 3, true, m, NULL, 0), -EINVAL);
	n = tt_ws_encode_close(out, sizeof(out), m, 1000, "bye", 3);
	assert_int_equal(n, 11);
	assert_memory_equal(out,
			    "\x88\x85\0\0\0\0\x03\xe8"
			    "bye",
			    11);
	assert_int_equal(tt_ws_encode_close(out, sizeof(out), m, 0, NULL, 0), 6);
	assert_int_equal(tt_ws_encode_close(out, sizeof(out), m, 1005, NULL, 0), -EINVAL);
	assert_int_equal(tt_ws_encode_close(out, sizeof(out), m, 1006, NULL, 0), -EINVAL);
	assert_int_equal(tt_ws_encode_close(out, sizeof(out), m, 1000, (const char *)payload, 124),
			 -EINVAL);
	assert_int_equal(tt_ws_encode_close(out, sizeof(out), m, 1000, "\xff", 1), -EINVAL);
}

static void test_maskgen_gives_varied_keys(void **state)
{
	static struct tt_ws_maskgen g;
	uint8_t k[4];
	uint32_t first;
	uint32_t v;
	int same = 0;
	int i;

	assert_int_equal(tt_ws_maskgen_next(&g, k), 0);
	memcpy(&first, k, 4);
	for (i = 0; i < 3 * TT_WS_MASKGEN_KEYS; i++) { /* crosses refills */
		assert_int_equal(tt_ws_maskgen_next(&g, k), 0);
		memcpy(&v, k, 4);
		same += v == first;
	}
	assert_true(same < 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_matches_rfc6455_example),
	    cmocka_unit_test(test_handshake_request_and_101_verified),
	    cmocka_unit_test(test_handshake_refusals),
	    cmocka_unit_test(test_every_length_form_boundary),
	    cmocka_unit_test(test_byte_by_byte_feeding_gives_same_events),
	    cmocka_unit_test(test_fragmented_message_with_ping_in_the_middle),
	    cmocka_unit_test(test_utf8_split_across_fragments_is_valid),
	    cmocka_unit_test(test_protocol_violations_are_refused_with_close_code),
	    cmocka_unit_test(test_valid_close_codes_and_empty_close),
	    cmocka_unit_test(test_oversize_refused_before_payload_arrives),
	    cmocka_unit_test(test_truncated_frames_wait_and_consume_nothing),
	    cmocka_unit_test(test_non_minimal_accepted_forms_are_refused_and_minimal_ones_pass),
	    cmocka_unit_test(test_utf8_check_can_be_disabled),
	    cmocka_unit_test(test_utf8_validator_edges),
	    cmocka_unit_test(test_encoder_masks_every_length_form),
	    cmocka_unit_test(test_mask_in_pieces_equals_mask_at_once),
	    cmocka_unit_test(test_control_frames_and_close_encoding),
	    cmocka_unit_test(test_maskgen_gives_varied_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
