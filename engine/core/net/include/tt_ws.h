/*
 * tt_ws.h — the WebSocket client codec, RFC 6455 (DESIGN §4). No I/O and no allocation
 * per message: the transport hands bytes in, the codec hands events and encoded frames
 * back in caller buffers.
 *
 * Handshake: tt_ws_handshake_build() writes the GET upgrade request and remembers the
 * expected Sec-WebSocket-Accept; tt_ws_handshake_feed() parses the 101 response
 * incrementally (tt_http.h underneath) and verifies status, Upgrade, Connection, Accept,
 * and that the server chose no extension (none is ever offered: this codec implements
 * none, so RSV bits are always a protocol error) and no subprotocol we did not offer.
 *
 * Frames in (tt_ws_parse), a pull API over the caller's receive buffer:
 *
 *   OPEN ──text/binary FIN──────────────────────────> event MESSAGE (zero-copy: points
 *    │                                                 into the caller's buffer)
 *    ├──text/binary !FIN──> IN_MSG ──cont !FIN──> IN_MSG (fragments copied to frag_buf)
 *    │                        └──cont FIN──> event MESSAGE (points into frag_buf) ──> OPEN
 *    ├──ping / pong (also inside IN_MSG, delivered at once)──> event PING / PONG
 *    ├──close──> event CLOSE ──> CLOSED (further input: -EPIPE)
 *    └──any violation──> ERROR (sticky; p->fail_code is the close code to send:
 *                               1002 protocol, 1007 bad UTF-8, 1009 too big)
 *
 * A frame is consumed only when all of it is in the buffer; until then tt_ws_parse
 * returns 0 and the caller keeps the bytes and appends more (its buffer must hold
 * max_msg + TT_WS_MAX_HEADER bytes). The header is validated as soon as it is there, so
 * an oversize or masked frame is refused before its payload arrives.
 * Choices: lengths must use the minimal encoding (RFC 6455 §5.2 "MUST"), non-minimal is
 * 1002; the 64-bit length's top bit set is 1002; text is UTF-8 validated unless
 * TT_WS_F_NO_UTF8_CHECK (fragmented text is validated when complete); close codes are
 * validated (1000-1003, 1007-1014, 3000-4999) and the reason must be UTF-8.
 *
 * Frames out (tt_ws_encode*): client frames are always masked with a caller-supplied
 * 4-byte key (tt_ws_maskgen gives unpredictable keys from OpenSSL's DRBG in batches).
 */
#ifndef TT_WS_H
#define TT_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tt_compiler.h"
#include "tt_http.h"

#define TT_WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define TT_WS_KEY_LEN		24 /* base64 of the 16-byte nonce */
#define TT_WS_ACCEPT_LEN	28 /* base64 of a SHA-1 */
#define TT_WS_MAX_HEADER	14 /* 2 + 8 length + 4 mask */
#define TT_WS_CONTROL_MAX	125
#define TT_WS_MAX_EXTRA_HEADERS 16
#define TT_WS_PROTO_MAX		128 /* bytes of offered Sec-WebSocket-Protocol kept */

enum tt_ws_opcode {
	TT_WS_OP_CONT = 0x0,
	TT_WS_OP_TEXT = 0x1,
	TT_WS_OP_BINARY = 0x2,
	TT_WS_OP_CLOSE = 0x8,
	TT_WS_OP_PING = 0x9,
	TT_WS_OP_PONG = 0xA,
};

enum tt_ws_close_code {
	TT_WS_CLOSE_NORMAL = 1000,
	TT_WS_CLOSE_GOING_AWAY = 1001,
	TT_WS_CLOSE_PROTOCOL = 1002,
	TT_WS_CLOSE_UNSUPPORTED = 1003,
	TT_WS_CLOSE_NO_STATUS = 1005, /* received close had no code; never sent */
	TT_WS_CLOSE_ABNORMAL = 1006,  /* never sent */
	TT_WS_CLOSE_BAD_DATA = 1007,
	TT_WS_CLOSE_POLICY = 1008,
	TT_WS_CLOSE_TOO_BIG = 1009,
	TT_WS_CLOSE_INTERNAL = 1011,
};

/* ---- handshake -------------------------------------------------------------------- */

struct tt_ws_handshake {
	struct tt_http_resp resp;	   /* the 101 response parser */
	char key[TT_WS_KEY_LEN + 1];	   /* Sec-WebSocket-Key sent */
	char accept[TT_WS_ACCEPT_LEN + 1]; /* Sec-WebSocket-Accept expected */
	char proto[TT_WS_PROTO_MAX + 1];   /* Sec-WebSocket-Protocol offered, "" if none */
	const char *error;		   /* static text when verification failed */
};

/* base64(SHA-1(key + GUID)) into out (NUL-terminated). */
void tt_ws_accept_compute(const char *key, size_t key_len, char out[TT_WS_ACCEPT_LEN + 1]);

/* Writes the upgrade request for ws://host/path into buf and prepares hs to verify the
 * answer. host is the Host header value (add ":port" when not default); raw_key: 16
 * bytes from a CSPRNG; extra: up to TT_WS_MAX_EXTRA_HEADERS more headers (Origin,
 * Sec-WebSocket-Protocol, auth...). Sec-WebSocket-Extensions is refused (-EINVAL): this
 * codec implements none. Returns bytes written, -ENOSPC, -EINVAL. */
ssize_t tt_ws_handshake_build(struct tt_ws_handshake *hs, char *buf, size_t cap, const char *host,
			      const char *path, const uint8_t raw_key[16],
			      const struct tt_http_kv *extra, size_t nextra) TT_WUR;

/* Feeds response bytes. 0: the 101 is verified, *consumed bytes were the response and
 * the rest are WebSocket frames; -EAGAIN: need more; -TT_EPROTO (hs->error says why:
 * not 101, bad Accept, missing Upgrade/Connection, unrequested extension or
 * subprotocol) or the HTTP parser's errors. Sticky. */
int tt_ws_handshake_feed(struct tt_ws_handshake *hs, const void *data, size_t len,
			 size_t *consumed) TT_WUR;

/* ---- frames in -------------------------------------------------------------------- */

enum tt_ws_event_type {
	TT_WS_EV_MESSAGE = 1, /* a complete text or binary message */
	TT_WS_EV_PING = 2,    /* answer with tt_ws_encode(PONG, same payload) */
	TT_WS_EV_PONG = 3,
	TT_WS_EV_CLOSE = 4, /* answer with a close frame (echo the code), then end */
};

struct tt_ws_event {
	int type;	     /* enum tt_ws_event_type */
	uint8_t opcode;	     /* MESSAGE: TT_WS_OP_TEXT or TT_WS_OP_BINARY */
	uint16_t close_code; /* CLOSE: the code received, 1005 when none */
	const uint8_t *data; /* payload (CLOSE: the reason); see tt_ws_parse for lifetime */
	size_t len;	     /* payload length */
};

enum tt_ws_flags {
	TT_WS_F_NO_UTF8_CHECK = 1 << 0, /* trust text messages (the venue's JSON) */
};

enum tt_ws_pstate {
	TT_WS_P_OPEN = 0,
	TT_WS_P_IN_MSG,
	TT_WS_P_CLOSED,
	TT_WS_P_ERROR,
};

struct tt_ws_parser {
	uint8_t *frag_buf;  /* caller's reassembly buffer (NULL: fragments refused, 1009) */
	size_t frag_cap;    /* its size; also caps a fragmented message */
	size_t max_msg;	    /* largest frame payload and message accepted (else 1009) */
	unsigned flags;	    /* enum tt_ws_flags */
	int state;	    /* enum tt_ws_pstate */
	uint8_t msg_opcode; /* IN_MSG: opcode of the first fragment */
	size_t frag_len;    /* IN_MSG: bytes in frag_buf */
	size_t need;	    /* after a 0 return: bytes the next frame needs in all (≥ 2) */
	int err;	    /* ERROR: the sticky return code */
	uint16_t fail_code; /* ERROR: close code to send (1002, 1007, 1009) */
	const char *error;  /* ERROR: static text saying why */
	uint64_t frames;    /* frames consumed */
	uint64_t messages;  /* MESSAGE events delivered */
};

/* Prepares p. frag_buf/frag_cap: reassembly storage for fragmented messages (caller
 * owned, may be NULL); max_msg: the frame and message size limit; flags: tt_ws_flags. */
void tt_ws_parser_init(struct tt_ws_parser *p, uint8_t *frag_buf, size_t frag_cap, size_t max_msg,
		       unsigned flags);

/* Parses frames from buf[0..len). Returns 1 with *ev filled (one event per call),
 * 0 when buf holds no further complete frame (p->need says how many bytes the next frame
 * needs), or an error: -TT_EPROTO / -EMSGSIZE (1009) / -EILSEQ (1007), sticky, with
 * p->fail_code and p->error set and a trail; -EPIPE after a CLOSE event.
 * *consumed: bytes of buf used (fragments absorbed into frag_buf count), always set;
 * the caller drops them, keeps the rest and calls again with more appended.
 * ev->data points into buf (single-frame messages, control frames) or into frag_buf
 * (reassembled messages): valid until the caller reuses those bytes or calls again. */
int tt_ws_parse(struct tt_ws_parser *p, const uint8_t *buf, size_t len, size_t *consumed,
		struct tt_ws_event *ev) TT_WUR;

/* Is s[0..n) valid UTF-8 (no overlongs, surrogates or > U+10FFFF)? ASCII runs are
 * checked 8 bytes at a time. */
bool tt_ws_utf8_valid(const uint8_t *s, size_t n);

/* May a peer send this close code (RFC 6455 §7.4, IANA registry)? */
bool tt_ws_close_code_valid(unsigned code);

/* ---- frames out ------------------------------------------------------------------- */

/* Header bytes (incl. the 4-byte mask) a client frame of payload len needs: 6, 8 or 14. */
static inline size_t tt_ws_frame_overhead(size_t len)
{
	return len < 126 ? 6 : len <= 0xffff ? 8 : 14;
}

/* XORs buf[0..len) with mask, buf[0] being payload byte number phase (for masking a
 * payload in pieces). 8 bytes at a time. */
void tt_ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4], size_t phase);

/* Writes one masked client frame (header + payload copied and masked in one pass) into
 * out. opcode: enum tt_ws_opcode; control frames must have fin and ≤ 125 bytes.
 * payload may be NULL when len is 0. Returns bytes written, -ENOSPC or -EINVAL. */
ssize_t tt_ws_encode(uint8_t *out, size_t cap, unsigned opcode, bool fin, const uint8_t mask[4],
		     const void *payload, size_t len) TT_WUR;

/* A close frame with code (0: no status, empty payload) and reason (UTF-8, ≤ 123 bytes).
 * Codes that must not be sent (1005, 1006, 1015, out of range) are -EINVAL. */
ssize_t tt_ws_encode_close(uint8_t *out, size_t cap, const uint8_t mask[4], unsigned code,
			   const char *reason, size_t reason_len) TT_WUR;

/* Mask keys from OpenSSL's DRBG, fetched TT_WS_MASKGEN_KEYS at a time so the hot path
 * makes no RNG call per frame. Caller storage; zero-initialise, no fini. */
#define TT_WS_MASKGEN_KEYS 256
struct tt_ws_maskgen {
	uint8_t pool[TT_WS_MASKGEN_KEYS * 4]; /* unused keys */
	size_t left;			      /* unused bytes at the end of pool; 0: refill */
};

/* Next key into key. 0, or -EIO when the DRBG fails (trail set). */
int tt_ws_maskgen_next(struct tt_ws_maskgen *g, uint8_t key[4]) TT_WUR;

#endif /* TT_WS_H */
