/*
 * tt_md.h — the market-data library of tt-md (DESIGN §3, §4): Binance Spot JSON scanners,
 * the instrument table, and the per-instrument book-sync state machine. Pure code: no I/O,
 * no allocation, no clock reads (the caller passes t_rx / now). The tt-md process owns the
 * sockets and calls in here with one WebSocket text payload at a time.
 *
 * Scanners read one message (ptr + len, not NUL-terminated) in a single pass, turn decimal
 * strings straight into int64 fixed point at the instrument's scales (tt_fixed.h), skip
 * unknown fields of any shape, and never read past len. Malformed input returns -TT_EPROTO
 * with a specific code and byte position in struct tt_md_perr (and a tt_err_set trail);
 * it never crashes (fuzzed: tests/fuzz/fuzz_md_*.c). Output slices (stream names, messages)
 * point into the caller's input and live as long as it does.
 *
 * Wire formats: binance/binance-spot-api-docs @ a5e0bc3 (2026-07-21), web-socket-streams.md
 * and rest-api.md. Not decoded: JSON escapes inside keys (such a key is treated as unknown)
 * and inside symbols / stream names (refused, TT_MD_PE_VALUE) — Binance sends neither.
 */
#ifndef TT_MD_H
#define TT_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_book.h"
#include "tt_compiler.h"
#include "tt_msg.h"

/* ---- instruments ---------------------------------------------------------------------- */

#define TT_MD_MAX_INSTR 64
#define TT_MD_SYM_MAX	24 /* bytes of a venue symbol */

struct tt_md_instr {
	char sym[TT_MD_SYM_MAX]; /* symbol as configured, ASCII upper-cased, NUL-padded */
	uint8_t sym_len;	 /* bytes in sym */
	uint8_t px_scale;	 /* decimals of prices (0..18) */
	uint8_t qty_scale;	 /* decimals of quantities (0..18) */
	tt_instr_t id;		 /* instrument id written into messages */
};

/* Symbol -> instrument, open addressing over 128 slots (load <= 1/2). Case-insensitive
 * for ASCII letters: stream names carry "btcusdt", payloads "BTCUSDT". */
struct tt_md_instr_table {
	struct tt_md_instr e[TT_MD_MAX_INSTR]; /* entries in insertion order */
	uint8_t slot[2 * TT_MD_MAX_INSTR];     /* 0 = empty, else entry index + 1 */
	uint32_t n;			       /* entries used */
};

void tt_md_instr_table_init(struct tt_md_instr_table *t);
/* Adds a symbol (1..TT_MD_SYM_MAX bytes of [A-Za-z0-9_-.]). Returns 0, -EEXIST (same
 * symbol, any case), -ENOSPC (table full) or -EINVAL (bad symbol or scale > 18). __cold. */
TT_WUR int tt_md_instr_add(struct tt_md_instr_table *t, const char *sym, tt_instr_t id,
			   unsigned px_scale, unsigned qty_scale);
/* The instrument for sym[0, len) (any ASCII case), NULL when unknown. */
const struct tt_md_instr *tt_md_instr_find(const struct tt_md_instr_table *t, const char *sym,
					   size_t len);

/* ---- parse errors --------------------------------------------------------------------- */

/* X(name, text) — why a message was refused. */
#define TT_MD_PERR_MAP(X)                                                                          \
	X(TT_MD_PE_NONE, "no error")                                                               \
	X(TT_MD_PE_TRUNCATED, "input ends inside a value")                                         \
	X(TT_MD_PE_SYNTAX, "unexpected character")                                                 \
	X(TT_MD_PE_TYPE, "field has the wrong JSON type")                                          \
	X(TT_MD_PE_ESCAPE, "bad escape or raw control character in a string")                      \
	X(TT_MD_PE_DUPKEY, "duplicate key")                                                        \
	X(TT_MD_PE_RANGE, "number out of range")                                                   \
	X(TT_MD_PE_PRECISION, "more decimals than the instrument's scale")                         \
	X(TT_MD_PE_DECIMAL, "malformed or negative decimal string")                                \
	X(TT_MD_PE_MISSING, "required field missing")                                              \
	X(TT_MD_PE_TOO_MANY, "more levels than the caller's array holds")                          \
	X(TT_MD_PE_SYMBOL, "unknown symbol or symbol does not match the stream")                   \
	X(TT_MD_PE_VALUE, "unexpected value (event type, stream name, id order)")                  \
	X(TT_MD_PE_NESTING, "nesting deeper than 64")                                              \
	X(TT_MD_PE_TRAILING, "bytes after the JSON value")                                         \
	X(TT_MD_PE_TOO_LONG, "message longer than 2^31 bytes")

enum tt_md_perr_code {
#define TT_MD_PE_ENUM(name, text) name,
	TT_MD_PERR_MAP(TT_MD_PE_ENUM)
#undef TT_MD_PE_ENUM
	    TT_MD_PE_COUNT
};

struct tt_md_perr {
	uint32_t code; /* enum tt_md_perr_code */
	uint32_t pos;  /* byte offset into the message where it went wrong */
};

/* Text of a tt_md_perr code; never NULL. */
const char *tt_md_perr_str(uint32_t code);

/* ---- scanner outputs ------------------------------------------------------------------ */

struct tt_md_level {
	tt_px_t px;   /* fixed point at the instrument's px_scale, > 0 */
	tt_qty_t qty; /* fixed point at qty_scale, >= 0 (0 removes) */
};

/* <symbol>@bookTicker (Spot: no e/E). */
struct tt_md_book_ticker {
	const struct tt_md_instr *instr;
	uint64_t update_id; /* u */
	tt_px_t bid_px;	    /* b */
	tt_qty_t bid_qty;   /* B */
	tt_px_t ask_px;	    /* a */
	tt_qty_t ask_qty;   /* A */
};

/* <symbol>@trade. */
struct tt_md_trade {
	const struct tt_md_instr *instr;
	uint64_t event_ts; /* E (ms, or µs with timeUnit=MICROSECOND) */
	uint64_t trade_id; /* t */
	uint64_t trade_ts; /* T (same unit as E) */
	tt_px_t px;	   /* p */
	tt_qty_t qty;	   /* q */
	bool buyer_maker;  /* m: true = the seller was the taker */
};

/*
 * depthUpdate (diff) and depth snapshots (REST /api/v3/depth, <s>@depthN partial streams).
 * The caller points bids/asks at its arrays and sets the caps before the call; the scanner
 * fills n_bids/n_asks. More levels than a cap is TT_MD_PE_TOO_MANY (never truncated).
 */
struct tt_md_depth {
	const struct tt_md_instr *instr;
	uint64_t event_ts;	  /* E (diff only, else 0) */
	uint64_t first_id;	  /* U (diff); for a snapshot: lastUpdateId */
	uint64_t final_id;	  /* u (diff); for a snapshot: lastUpdateId */
	struct tt_md_level *bids; /* caller array, in wire order */
	struct tt_md_level *asks; /* caller array, in wire order */
	uint32_t cap_bids;	  /* caller: entries in bids */
	uint32_t cap_asks;	  /* caller: entries in asks */
	uint32_t n_bids;	  /* scanner: entries filled */
	uint32_t n_asks;	  /* scanner: entries filled */
};

enum tt_md_id_kind { TT_MD_ID_NONE = 0, TT_MD_ID_NULL, TT_MD_ID_NUM, TT_MD_ID_STR };

/* Reply to SUBSCRIBE & co: {"result":…,"id":N} or {"error":{"code":C,"msg":"…"},"id":N}
 * (the docs' error table also shows the flat {"code":C,"msg":"…","id":N}; both accepted). */
struct tt_md_control {
	uint8_t id_kind;    /* enum tt_md_id_kind */
	bool is_error;	    /* error object (or flat code) present */
	int64_t id;	    /* id when TT_MD_ID_NUM */
	const char *id_str; /* id when TT_MD_ID_STR (raw bytes, no quotes) */
	uint32_t id_str_len;
	uint32_t result_len; /* raw JSON of "result" (0 when absent) */
	const char *result;  /* "null" for a plain success */
	int64_t err_code;    /* error code */
	const char *err_msg; /* raw string bytes (escapes not decoded) */
	uint32_t err_msg_len;
};

/* ---- Binance Spot scanners ------------------------------------------------------------ */

/*
 * Each scanner: t resolves "s" to an instrument; hint, when not NULL (the instrument named
 * by the combined stream), must match "s" (else TT_MD_PE_SYMBOL) and spares the lookup.
 * Returns 0 or -TT_EPROTO with *err filled (err may not be NULL). Keys in any order;
 * unknown keys skipped; a repeated known key is TT_MD_PE_DUPKEY.
 */
TT_WUR int tt_md_bn_book_ticker(const struct tt_md_instr_table *t, const struct tt_md_instr *hint,
				const char *p, size_t len, struct tt_md_book_ticker *out,
				struct tt_md_perr *err);
TT_WUR int tt_md_bn_depth_update(const struct tt_md_instr_table *t, const struct tt_md_instr *hint,
				 const char *p, size_t len, struct tt_md_depth *out,
				 struct tt_md_perr *err);
TT_WUR int tt_md_bn_trade(const struct tt_md_instr_table *t, const struct tt_md_instr *hint,
			  const char *p, size_t len, struct tt_md_trade *out,
			  struct tt_md_perr *err);
/* REST depth snapshot or partial-depth payload {lastUpdateId, bids, asks}: it names no
 * symbol, so the caller passes the instrument. */
TT_WUR int tt_md_bn_snapshot(const struct tt_md_instr *instr, const char *p, size_t len,
			     struct tt_md_depth *out, struct tt_md_perr *err);
TT_WUR int tt_md_bn_control(const char *p, size_t len, struct tt_md_control *out,
			    struct tt_md_perr *err);
/* serverShutdown {"e":"serverShutdown","E":ts} (web-socket-streams.md "Server Shutdown"). */
TT_WUR int tt_md_bn_shutdown(const char *p, size_t len, uint64_t *event_ts, struct tt_md_perr *err);

/* Combined-stream wrapper {"stream":"<name>","data":<payload>} in either key order:
 * slices of the stream name (no quotes) and of the data value. */
struct tt_md_combined {
	const char *stream;
	uint32_t stream_len;
	uint32_t data_off; /* offset of data in the message */
	const char *data;
	uint32_t data_len;
};
TT_WUR int tt_md_bn_combined(const char *p, size_t len, struct tt_md_combined *out,
			     struct tt_md_perr *err);

enum tt_md_stream_kind {
	TT_MD_STREAM_OTHER = 0,	  /* a stream we do not decode (aggTrade, kline, ...) */
	TT_MD_STREAM_BOOK_TICKER, /* <s>@bookTicker */
	TT_MD_STREAM_DEPTH,	  /* <s>@depth, <s>@depth@100ms (diff) */
	TT_MD_STREAM_PARTIAL,	  /* <s>@depth5|10|20[@100ms] */
	TT_MD_STREAM_TRADE,	  /* <s>@trade */
	TT_MD_STREAM_SHUTDOWN,	  /* !serverShutdown */
};

/* Classifies a stream name and resolves its symbol (*instr NULL when unknown or none).
 * Returns enum tt_md_stream_kind. */
int tt_md_bn_stream_kind(const struct tt_md_instr_table *t, const char *name, size_t len,
			 const struct tt_md_instr **instr);

enum tt_md_msg_kind {
	TT_MD_MSG_NONE = 0,
	TT_MD_MSG_BOOK_TICKER, /* m->bt */
	TT_MD_MSG_DEPTH,       /* m->depth (diff) */
	TT_MD_MSG_PARTIAL,     /* m->depth (partial book from a combined stream) */
	TT_MD_MSG_TRADE,       /* m->trade */
	TT_MD_MSG_CONTROL,     /* m->ctl */
	TT_MD_MSG_SHUTDOWN,    /* m->event_ts: reconnect now */
	TT_MD_MSG_IGNORED,     /* a well-formed stream we do not decode; m->instr may be set */
};

/* One decoded frame. Set depth.bids/asks/caps once; tt_md_bn_scan keeps them. */
struct tt_md_bn_msg {
	uint32_t kind;			 /* enum tt_md_msg_kind */
	const struct tt_md_instr *instr; /* instrument of a data message */
	uint64_t event_ts;		 /* serverShutdown E */
	struct tt_md_book_ticker bt;
	struct tt_md_trade trade;
	struct tt_md_depth depth;
	struct tt_md_control ctl;
};

/*
 * Decodes any text frame of a Binance Spot market-data connection: combined-stream
 * wrappers (dispatch by stream name), raw stream payloads (dispatch by "e" / shape),
 * control replies and serverShutdown. Returns 0 or -TT_EPROTO (*err; positions relative
 * to p). Raw partial-depth payloads name no symbol: they come back as TT_MD_MSG_IGNORED
 * unless sent through a combined stream; parse them with tt_md_bn_snapshot().
 */
TT_WUR int tt_md_bn_scan(const struct tt_md_instr_table *t, const char *p, size_t len,
			 struct tt_md_bn_msg *m, struct tt_md_perr *err);

/* ---- book sync (VENUES.md "Local order book", web-socket-streams.md) ----------------- */

/*
 * One instrument's diff-depth sync. State machine (functions name the transitions):
 *
 *            tt_md_sync_on_depth (first diff: note U, buffer)
 *   INIT ───────────────────────────────────────────────▶ BUFFERING ◀──────────────┐
 *    ▲                                                      │   ▲                   │
 *    │                        tt_md_sync_snapshot_requested │   │ tt_md_sync_on_snapshot:
 *    │                                                      ▼   │ lastUpdateId < first U
 *    │                                                   PENDING ─┘ (-EAGAIN, refetch)
 *    │                                                      │
 *    │                          tt_md_sync_on_snapshot (ok) │ drop buffered u <= lastUpdateId,
 *    │                                                      │ book := snapshot, replay rest
 *    │   resync: gap (U > id+1), crossed, bad level,        ▼
 *    └── buffer overflow, emit failure, tt_md_sync_resync ─ LIVE ◀─┐ tt_md_sync_on_depth:
 *        (book cleared, STATUS RESYNC; a gap / overflow       │    │ u < id: ignore;
 *         event becomes the first buffered one)               └────┘ else apply, id := u
 *
 * BUFFERING and PENDING both buffer diffs and accept a snapshot; PENDING only tells
 * tt_md_sync_needs_snapshot() that a fetch is in flight. Buffer overflow in either one
 * resyncs. Every resync is counted per reason and emitted as TT_MSG_STATUS
 * (flags TT_STATUS_RESYNC, detail = enum tt_md_resync_reason).
 */
enum tt_md_sync_state {
	TT_MD_SYNC_INIT = 0,
	TT_MD_SYNC_BUFFERING,
	TT_MD_SYNC_PENDING,
	TT_MD_SYNC_LIVE,
};

#define TT_MD_RESYNC_MAP(X)                                                                        \
	X(TT_MD_RESYNC_NONE, "none")                                                               \
	X(TT_MD_RESYNC_GAP, "update id gap (U > book id + 1)")                                     \
	X(TT_MD_RESYNC_CROSSED, "book crossed after an update")                                    \
	X(TT_MD_RESYNC_OVERFLOW, "diff buffer full while waiting for the snapshot")                \
	X(TT_MD_RESYNC_BAD_LEVEL, "level with price <= 0 or negative quantity")                    \
	X(TT_MD_RESYNC_EMIT, "the output callback failed")                                         \
	X(TT_MD_RESYNC_CALLER, "asked by the caller (parse error, reconnect)")

enum tt_md_resync_reason {
#define TT_MD_RS_ENUM(name, text) name,
	TT_MD_RESYNC_MAP(TT_MD_RS_ENUM)
#undef TT_MD_RS_ENUM
	    TT_MD_RESYNC_COUNT
};
const char *tt_md_resync_str(uint32_t reason);

/*
 * Output: every normalized message goes through fn(ctx, msg); a non-zero return is a
 * failed publish (the sync resyncs and returns it). One tt_md_out is shared by all the
 * instruments of a producer: it stamps h.seq (from 1). t_pub of deltas is left 0 for the
 * publisher to stamp.
 */
typedef int (*tt_md_emit_fn)(void *ctx, const union tt_msg *m);
struct tt_md_out {
	tt_md_emit_fn fn; /* callback, never NULL */
	void *ctx;	  /* its argument */
	uint64_t seq;	  /* last seq stamped */
};

/* A buffered diff (levels live in the sync's level arena). */
struct tt_md_sync_ev {
	uint64_t first_id; /* U */
	uint64_t final_id; /* u */
	uint32_t off;	   /* first level in the arena */
	uint32_t n_bids;   /* bids at arena[off ..) */
	uint32_t n_asks;   /* then asks */
	tt_tsc_t t_rx;	   /* when it was reaped */
};

struct tt_md_sync {
	uint32_t state;		  /* enum tt_md_sync_state */
	tt_instr_t instr;	  /* id stamped into messages */
	struct tt_book *book;	  /* caller's book (tt_book_init'ed) */
	uint64_t book_id;	  /* LIVE: update id of the book */
	uint64_t first_U;	  /* BUFFERING/PENDING: U of the first buffered diff */
	uint64_t top_id;	  /* update id of the last BOOK_TOP emitted */
	tt_px_t top[4];		  /* last emitted top: bid px, qty, ask px, qty */
	struct tt_md_sync_ev *ev; /* caller array of ev_cap buffered diffs */
	struct tt_md_level *lv;	  /* caller arena of lv_cap levels */
	uint32_t ev_cap;
	uint32_t lv_cap;
	uint32_t ev_n;	      /* buffered diffs */
	uint32_t lv_n;	      /* arena levels used */
	tt_tsc_t last_rx;     /* t_rx of the last message of this instrument, 0 never */
	bool stale;	      /* STALE status emitted and not yet cleared */
	uint32_t last_reason; /* enum tt_md_resync_reason of the last resync */
	uint64_t resyncs[TT_MD_RESYNC_COUNT]; /* resyncs per reason */
	uint64_t n_applied;		      /* diffs applied to the book */
	uint64_t n_ignored;		      /* diffs ignored as older than the book (u < id) */
	uint64_t n_dropped_buffered; /* buffered diffs dropped at snapshot (u <= lastUpdateId) */
	uint64_t n_refetch;	     /* snapshots refused as too old */
	uint64_t n_tickers_old;	     /* bookTickers ignored as older than the last top */
};

/*
 * Initialises a sync for instrument id over the caller's book and buffer storage (ev_cap
 * diffs, lv_cap levels in all). Emits nothing. Returns 0 or -EINVAL.
 */
TT_WUR int tt_md_sync_init(struct tt_md_sync *s, tt_instr_t id, struct tt_book *book,
			   struct tt_md_sync_ev *ev, uint32_t ev_cap, struct tt_md_level *lv,
			   uint32_t lv_cap);

/* True in BUFFERING: fetch the snapshot now (then call tt_md_sync_snapshot_requested). */
static inline bool tt_md_sync_needs_snapshot(const struct tt_md_sync *s)
{
	return s->state == TT_MD_SYNC_BUFFERING;
}
/* BUFFERING -> PENDING: the caller has a snapshot request in flight. */
void tt_md_sync_snapshot_requested(struct tt_md_sync *s);

/*
 * A diff (tt_md_bn_depth_update output; d->instr is not checked) reaped at t_rx.
 * INIT/BUFFERING/PENDING: buffered. LIVE: the update procedure; emits one BOOK_DELTA per
 * level (TT_DELTA_LAST on the event's last) and a BOOK_TOP when the top changed.
 * Returns 0 (applied, buffered or ignored), 1 when it caused a resync, or a negative
 * error from the emit callback.
 */
TT_WUR int tt_md_sync_on_depth(struct tt_md_sync *s, const struct tt_md_depth *d, tt_tsc_t t_rx,
			       struct tt_md_out *out);

/*
 * The parsed REST snapshot, in BUFFERING or PENDING. lastUpdateId < first buffered U:
 * -EAGAIN, back to BUFFERING (fetch again). Else drop buffered diffs with u <= lastUpdateId,
 * book := snapshot (levels beyond depth dropped, counted in book->dropped), emit STATUS
 * LIVE + one BOOK_DELTA per level + BOOK_TOP, then replay the remaining diffs; returns 0
 * (LIVE) or 1 (resynced during replay). -EINVAL in INIT/LIVE (nothing to match it with).
 */
TT_WUR int tt_md_sync_on_snapshot(struct tt_md_sync *s, const struct tt_md_depth *snap,
				  tt_tsc_t t_rx, struct tt_md_out *out);

/* bookTicker: emits BOOK_TOP unless its u is older than the last top (counted). */
TT_WUR int tt_md_sync_on_book_ticker(struct tt_md_sync *s, const struct tt_md_book_ticker *bt,
				     tt_tsc_t t_rx, struct tt_md_out *out);

/* trade: emits TRADE; ts_us says E/T are µs (timeUnit=MICROSECOND), else ms. */
TT_WUR int tt_md_sync_on_trade(struct tt_md_sync *s, const struct tt_md_trade *tr, bool ts_us,
			       tt_tsc_t t_rx, struct tt_md_out *out);

/* Forces a resync (e.g. after a parse error on this instrument's stream, or a
 * reconnect): book cleared, buffer emptied, state INIT, STATUS RESYNC emitted. */
TT_WUR int tt_md_sync_resync(struct tt_md_sync *s, uint32_t reason, tt_tsc_t t_rx,
			     struct tt_md_out *out);

/* True when nothing arrived for this instrument within threshold ticks of now (or ever). */
static inline bool tt_md_sync_is_stale(const struct tt_md_sync *s, tt_tsc_t now, tt_tsc_t threshold)
{
	return s->last_rx == 0 || now - s->last_rx > threshold;
}

/* Emits STATUS STALE once when the instrument turns stale (and STATUS LIVE when data
 * flows again, from the on_* calls). Returns 1 when it emitted, 0, or an emit error. */
TT_WUR int tt_md_sync_check_stale(struct tt_md_sync *s, tt_tsc_t now, tt_tsc_t threshold,
				  struct tt_md_out *out);

#endif /* TT_MD_H */
