/*
 * fuzz_ws.c — the WebSocket codec on arbitrary bytes. Byte 0 picks the mode:
 *   0: frame parser (byte 1: flags, feeding step); the stream parsed whole and in
 *      pieces must give the same events and outcome; consumed ≤ offered, payloads
 *      inside the buffers, a 0 return always asks for more than is there;
 *   1: handshake response parser (after building a request);
 *   2: encoder: the rest is a payload, encoded masked, unmasked by a byte-wise model,
 *      re-framed as a server frame and parsed back: must round-trip.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tt_ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 8192

static uint8_t frag_a[CAP];
static uint8_t frag_b[CAP];
static uint8_t rx[1 << 17];

struct summary {
	uint64_t hash; /* over event types, lengths and payloads */
	int rc;
	unsigned events;
};

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The caller's loop: append step bytes, parse until 0, drop consumed. */
static void run(const uint8_t *w, size_t n, size_t step, unsigned flags, uint8_t *frag,
		struct summary *s)
{
	struct tt_ws_parser p;
	size_t have = 0;
	size_t fed = 0;

	memset(s, 0, sizeof(*s));
	s->hash = 1469598103934665603ull;
	tt_ws_parser_init(&p, frag, (flags & 2) ? 64 : CAP, (flags & 4) ? 100 : CAP, flags & 1);
	while (fed < n) {
		size_t k = n - fed < step ? n - fed : step;

		memcpy(rx + have, w + fed, k);
		have += k;
		fed += k;
		for (;;) {
			struct tt_ws_event ev;
			size_t used = 0;
			int rc = tt_ws_parse(&p, rx, have, &used, &ev);

			if (used > have)
				abort();
			if (rc == 1) {
				uint8_t t[3] = {(uint8_t)ev.type, ev.opcode,
						(uint8_t)ev.close_code};
				int in_rx = ev.data >= rx && ev.data + ev.len <= rx + have;
				int in_frag = ev.data >= frag && ev.data + ev.len <= frag + CAP;

				if (ev.len && !in_rx && !in_frag)
					abort();
				s->hash = mix(s->hash, t, 3);
				s->hash = mix(s->hash, ev.data, ev.len);
				s->events++;
			} else if (rc == 0 && p.need <= have - used) {
				abort();
			}
			memmove(rx, rx + used, have - used);
			have -= used;
			if (rc != 1) {
				s->rc = rc;
				break;
			}
		}
		if (s->rc < 0)
			return;
	}
}

static void mode_frames(const uint8_t *d, size_t n)
{
	struct summary a;
	struct summary b;
	unsigned flags;
	size_t step;

	if (n < 1)
		return;
	flags = d[0] & 7;
	step = (size_t)(d[0] >> 3) + 1;
	d++;
	n--;
	if (n > sizeof(rx) / 2)
		return;
	run(d, n, n ? n : 1, flags, frag_a, &a);
	run(d, n, step, flags, frag_b, &b);
	if (a.rc != b.rc || a.events != b.events || a.hash != b.hash)
		abort();
}

static void mode_handshake(const uint8_t *d, size_t n)
{
	static struct tt_ws_handshake hs;
	static const uint8_t key[16] = "0123456789abcdef";
	char req[512];
	size_t used = 0;
	int rc;

	if (tt_ws_handshake_build(&hs, req, sizeof(req), "localhost", "/", key, NULL, 0) <= 0)
		abort();
	rc = tt_ws_handshake_feed(&hs, d, n, &used);
	if (used > n || (rc == 0 && hs.resp.status != 101))
		abort();
}

static void mode_encode(const uint8_t *d, size_t n)
{
	static uint8_t out[CAP + 16];
	static uint8_t srv[CAP + 16];
	uint8_t mask[4] = {0, 0, 0, 0};
	struct tt_ws_parser p;
	struct tt_ws_event ev;
	size_t h;
	size_t i;
	size_t used;
	ssize_t w;

	if (n < 4 || n - 4 > CAP)
		return;
	memcpy(mask, d, 4);
	d += 4;
	n -= 4;
	w = tt_ws_encode(out, sizeof(out), TT_WS_OP_BINARY, true, mask, d, n);
	if (w != (ssize_t)(tt_ws_frame_overhead(n) + n))
		abort();
	h = (size_t)w - n;
	/* server form: same header without the mask bit and key */
	memcpy(srv, out, h - 4);
	srv[1] &= 0x7f;
	for (i = 0; i < n; i++)
		srv[h - 4 + i] = out[h + i] ^ mask[i & 3];
	tt_ws_parser_init(&p, NULL, 0, CAP, 0);
	if (tt_ws_parse(&p, srv, h - 4 + n, &used, &ev) != 1 || used != h - 4 + n || ev.len != n ||
	    memcmp(ev.data, d, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		mode_frames(data + 1, size - 1);
		break;
	case 1:
		mode_handshake(data + 1, size - 1);
		break;
	default:
		mode_encode(data + 1, size - 1);
		break;
	}
	return 0;
}
