/*
 * tt_venue.h — tt-venue, the local testnet venue (market-data side).
 *
 * tt-venue speaks Binance Spot's public market-data protocol on loopback so that tt-md can be
 * examined end to end without touching a real venue. It is the clients' examiner, so it shares
 * none of their protocol code: libwebsockets serves TLS/WebSocket/HTTP and every JSON byte is
 * written by the encoders below (DESIGN §1).
 *
 * Parts, one file each:
 *   book.c    struct tt_vbook: a dense price ladder per symbol (int64 fixed point), driven by a
 *             seeded random walk (tt_vbook_step). Invariants (tt_vbook_check): never crossed,
 *             level counts match the ladder, every step that changes the book bumps update_id
 *             by exactly one.
 *   wsctl.c   the parser for SUBSCRIBE/UNSUBSCRIBE/... control messages (hostile input).
 *   encode.c  exact wire JSON: depthUpdate, bookTicker, trade, REST depth snapshot,
 *             exchangeInfo, and the control socket's full-book dump.
 *   market.c  symbols + depth-diff windows (@depth 1000 ms, @depth@100ms) + fault hooks,
 *             publishing frames into struct tt_vlog (one byte ring shared by all clients).
 *   server.c  libwebsockets vhost (TLS on loopback only), per-client cursors, pings, the
 *             5 msgs/s incoming limit, slow-TLS dribble, capture file, control socket.
 *   cert.c    self-signed CA + server certificate for localhost/127.0.0.1/::1 (OpenSSL).
 *   replay.c  JSON-lines replay source.
 *   match.c   order entry: the client-order matching engine (tt_vmatch.h).
 *   wsapi.c   order entry: Binance's WebSocket API at /ws-api/v3 (ORDER_ENTRY.md).
 *
 * Single-threaded: everything runs in the libwebsockets service loop; no locks.
 */
#ifndef TT_VENUE_H
#define TT_VENUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

/* ---- symbols and the book ---------------------------------------------------------------- */

#define TT_VBOOK_TICKS	    16384 /* ladder size: price ticks covered around the start mid */
#define TT_VENUE_MAX_SYMS   8
#define TT_VSTEP_MAX_CHG    8
#define TT_VSTEP_MAX_TRADES 4

struct tt_vsym_cfg {
	char symbol[16]; /* upper case, e.g. "BTCUSDT" */
	char lower[16];	 /* lower case for stream names */
	char base[8];	 /* base asset, "BTC" */
	char quote[8];	 /* quote asset, "USDT" */
	int px_dec;	 /* price units: 10^-px_dec (tick size = one unit) */
	int qty_dec;	 /* quantity units: 10^-qty_dec (step size = one unit) */
	int print_dec;	 /* decimals on the wire (Binance Spot prints 8); >= px_dec, qty_dec */
	int64_t mid;	 /* start mid price, in price units */
	int min_levels;	 /* per side, default 20 */
	int max_levels;	 /* per side, default 200 */
	int span;	 /* new levels land within span ticks of the best, default 600 */
};

struct tt_vchange {
	uint8_t side; /* 0 bid, 1 ask */
	int32_t idx;  /* ladder index */
	int64_t qty;  /* absolute quantity after the change, 0 = removed */
};

struct tt_vtrade {
	uint64_t id;	  /* trade id, consecutive */
	int64_t px;	  /* price units */
	int64_t qty;	  /* quantity units */
	bool buyer_maker; /* true when a seller hit the bid */
};

/* What one tt_vbook_step did. */
struct tt_vstep {
	uint64_t update_id; /* book update id after the step */
	int nchg;
	struct tt_vchange chg[TT_VSTEP_MAX_CHG];
	int ntrades;
	struct tt_vtrade tr[TT_VSTEP_MAX_TRADES];
	bool top_changed; /* best bid/ask price or quantity changed: a bookTicker is due */
};

struct tt_vbook {
	struct tt_vsym_cfg cfg;
	int64_t base;	  /* price of ladder index 0, price units */
	int32_t best_bid; /* ladder index, -1 when no bids */
	int32_t best_ask; /* ladder index, TT_VBOOK_TICKS when no asks */
	int nbid;	  /* levels with qty > 0 */
	int nask;
	uint64_t update_id;	     /* last book update id (snapshot lastUpdateId) */
	uint64_t trade_id;	     /* last trade id */
	uint64_t rng;		     /* xorshift64* state */
	int64_t bid[TT_VBOOK_TICKS]; /* qty per tick, 0 = empty */
	int64_t ask[TT_VBOOK_TICKS];
};

/* Fills cfg with the built-in definition of a symbol ("BTCUSDT", "ETHUSDT", "SOLUSDT",
 * "BNBUSDT"). Returns 0 or -ENOENT. */
int tt_vsym_builtin(const char *symbol, struct tt_vsym_cfg *cfg) TT_WUR;

/* Initialises a caller-owned book (about 256 KiB) from cfg and seed and builds the initial
 * depth (between min and max levels per side). Deterministic for a given (cfg, seed).
 * Returns 0 or -EINVAL (bad cfg). */
int tt_vbook_init(struct tt_vbook *b, const struct tt_vsym_cfg *cfg, uint64_t seed) TT_WUR;

/* One random-walk step: modify, add or remove a level, a trade against the best level, or a
 * new level inside the spread. Describes what changed in *out. Never fails. */
void tt_vbook_step(struct tt_vbook *b, struct tt_vstep *out);

/* Checker (STYLE §8): not crossed, counts and bests match the ladder. Returns true if sound. */
bool tt_vbook_check(const struct tt_vbook *b);

static inline int64_t tt_vbook_px(const struct tt_vbook *b, int32_t idx)
{
	return b->base + idx;
}

/* ---- encoders (encode.c) ------------------------------------------------------------------ */
/* Each writes at most cap bytes into buf and returns the length written (no NUL), or -ENOSPC
 * when cap is too small (buf contents then undefined). */

/* Fixed-point value v with dec decimals printed with print_dec decimals: 12345,2,8 ->
 * "123.45000000". */
int tt_venc_fixed(char *buf, size_t cap, int64_t v, int dec, int print_dec);
/* {"u":..,"s":"BTCUSDT","b":"..","B":"..","a":"..","A":".."} */
int tt_venc_book_ticker(char *buf, size_t cap, const struct tt_vbook *b);
/* {"e":"trade","E":ms,"s":..,"t":..,"p":..,"q":..,"T":ms,"m":bool,"M":true} */
int tt_venc_trade(char *buf, size_t cap, const struct tt_vbook *b, const struct tt_vtrade *t,
		  uint64_t e_ms);
/* {"e":"depthUpdate","E":ms,"s":..,"U":..,"u":..,"b":[[p,q],..],"a":[..]}: the levels named by
 * bid_idx/ask_idx with their current quantities (absolute; "0…" removes). */
int tt_venc_depth_update(char *buf, size_t cap, const struct tt_vbook *b, uint64_t e_ms,
			 uint64_t first_id, uint64_t last_id, const int32_t *bid_idx, int nb,
			 const int32_t *ask_idx, int na);
/* {"lastUpdateId":..,"bids":[..],"asks":[..]}, best first, at most limit levels per side.
 * With symbol true it starts with "symbol":"BTCUSDT" (the control socket's book dump). */
int tt_venc_snapshot(char *buf, size_t cap, const struct tt_vbook *b, int limit, bool symbol);
/* GET /api/v3/exchangeInfo body for the books given. */
int tt_venc_exchange_info(char *buf, size_t cap, const struct tt_vbook *const *books, int n,
			  uint64_t server_ms);

/* ---- frame log: one byte ring of published frames, read by every client ------------------ */

struct tt_vlog {
	uint8_t *buf;	 /* cap bytes, caller-owned */
	uint64_t cap;	 /* power of two */
	uint64_t head;	 /* bytes ever written (free-running) */
	uint64_t frames; /* frames ever published */
};

struct tt_vlog_ent {
	uint32_t len;	 /* payload bytes */
	uint16_t stream; /* stream id, TT_VLOG_SKIP for wrap padding */
	uint16_t flags;	 /* reserved */
};
#define TT_VLOG_SKIP 0xffff

/* Appends a frame; payloads longer than cap/4 are refused with -EMSGSIZE. */
int tt_vlog_put(struct tt_vlog *l, uint16_t stream, const void *p, uint32_t len) TT_WUR;
/* Reads the frame at *pos (a position from an earlier head). Returns 1 and advances *pos,
 * 0 at the head, -ESPIPE when the writer has overwritten *pos (reader too slow). */
int tt_vlog_get(const struct tt_vlog *l, uint64_t *pos, uint16_t *stream, const uint8_t **p,
		uint32_t *len);

/* ---- streams ------------------------------------------------------------------------------ */

enum tt_vkind {
	TT_VK_BOOK_TICKER = 0, /* <s>@bookTicker, real time */
	TT_VK_DEPTH = 1,       /* <s>@depth, 1000 ms windows */
	TT_VK_DEPTH100 = 2,    /* <s>@depth@100ms, 100 ms windows */
	TT_VK_TRADE = 3,       /* <s>@trade, real time */
	TT_VK_COUNT = 4,
};
#define TT_VSTREAM(sym, kind) ((uint16_t)((sym)*8 + (kind)))
#define TT_VSTREAM_SYM(id)    ((id) / 8)
#define TT_VSTREAM_KIND(id)   ((id) % 8)

/* ---- the venue process ------------------------------------------------------------------- */

#define TT_VENUE_MAX_RATE 10000000ull

struct tt_venue_opts {
	const char *bind;      /* "127.0.0.1" (default) or "::1"; anything else is refused */
	int port;	       /* 0 = ephemeral */
	const char *cert_file; /* PEM; with key_file, else generated into cert_dir */
	const char *key_file;
	const char *cert_dir;	  /* where generated ca.pem/server.pem/server.key go */
	const char *ctl_path;	  /* control unix socket path, NULL = none */
	const char *capture_path; /* capture file, NULL = off */
	const char *replay_path;  /* JSON-lines replay file, NULL = synthetic market */
	bool replay_loop;	  /* start the file again at its end */
	char symbols[TT_VENUE_MAX_SYMS][16];
	int nsyms;
	uint64_t seed;
	uint64_t rate;	    /* book updates per second, 1..TT_VENUE_MAX_RATE */
	int depth_ms_fast;  /* window of @depth@100ms, default 100 */
	int depth_ms_slow;  /* window of @depth, default 1000 */
	int ping_s;	    /* server ping interval, default 20 */
	int pong_timeout_s; /* disconnect without pong, default 60 */
	int max_in_per_s;   /* incoming message limit, default 5 */
	int tick_us;	    /* generator/service tick, default 1000 */
	const char *faults; /* faults at start: "gap:BTCUSDT@2000,stall:500@1000,..." */
	uint64_t log_bytes; /* frame ring size (power of two), default 64 MiB */
	/* order entry (WebSocket API at /ws-api/v3, wsapi.c; always on with the synthetic
	 * market) */
	const char *api_keys;	/* key file: "APIKEY ed25519 PEM_FILE" | "APIKEY hmac SECRET" */
	int oe_weight_per_min;	/* REQUEST_WEIGHT limit, default 6000 */
	int oe_orders_per_10s;	/* ORDERS limit per 10 s and account, default 100 */
};

/* Defaults as documented above. */
void tt_venue_opts_default(struct tt_venue_opts *o);
/* Runs the venue until SIGTERM/SIGINT (installs handlers). Prints the listening line on
 * stdout. Returns 0 on clean shutdown, -errno/-TT_E* on a start-up failure (with trail). */
int tt_venue_run(const struct tt_venue_opts *o) TT_WUR;

/* Writes ca.pem, server.pem and server.key (P-256, CA-signed, SAN localhost, 127.0.0.1, ::1)
 * into dir, which must exist. Returns 0 or -errno/-TT_E*. */
int tt_venue_gen_cert(const char *dir) TT_WUR;

/* Returns true for addresses tt-venue may bind: 127.0.0.0/8 and ::1 (parsed, not compared
 * as text). */
bool tt_venue_bind_ok(const char *addr);

#endif /* TT_VENUE_H */
