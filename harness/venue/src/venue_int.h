/*
 * venue_int.h — internals shared by market.c, replay.c and server.c (not a public contract).
 */
#ifndef TT_VENUE_INT_H
#define TT_VENUE_INT_H

#include "tt_venue.h"

#define TT_VENC_MAX (1u << 20) /* largest ordinary frame we encode */

/* A depth-diff window: the levels touched since the last flush (deduplicated by flag). */
struct tt_vwin {
	uint8_t dirty[2][TT_VBOOK_TICKS];
	int32_t list[2][TT_VBOOK_TICKS];
	int n[2];
	uint64_t first;	  /* U: first update id in the window, 0 = empty */
	uint64_t last;	  /* u */
	uint64_t next_ns; /* monotonic time of the next flush */
	int period_ms;
	/* one-shot faults, consumed by the next non-empty flush */
	int gap;
	int dup;
	int reorder;
};

struct tt_vmarket {
	int nsyms;
	struct tt_vbook *books[TT_VENUE_MAX_SYMS];
	struct tt_vwin *win[TT_VENUE_MAX_SYMS][2]; /* [sym][0 = @depth, 1 = @depth@100ms] */
	struct tt_vlog *log;
	uint64_t steps;
	int garbage;	  /* next N frames get garbage bytes */
	bool garbage_bin; /* invalid UTF-8 too */
	char *enc;	  /* TT_VENC_MAX scratch */
	char *held;	  /* a reordered diff waiting for its successor */
	int held_len;
	uint16_t held_stream;
	uint64_t published[TT_VENUE_MAX_SYMS * 8];
	bool replay;			       /* books unused, frames come from the replay file */
	char names[TT_VENUE_MAX_SYMS * 8][40]; /* stream names by id, "" when unused */
	/* called after each random-walk step (order entry: wsapi.c), NULL = none */
	void (*on_step)(void *ctx, int sym, const struct tt_vstep *s);
	void *step_ctx;
};

int tt_vmarket_init(struct tt_vmarket *m, const struct tt_venue_opts *o, struct tt_vlog *log);
void tt_vmarket_fini(struct tt_vmarket *m);
/* One random-walk step on symbol sym; publishes bookTicker/trade frames; marks windows. */
void tt_vmarket_step(struct tt_vmarket *m, int sym, uint64_t now_ms);
/* Publishes what a step did (marks windows when it changed levels, trades, bookTicker). */
void tt_vmarket_emit(struct tt_vmarket *m, int sym, const struct tt_vstep *s, uint64_t now_ms);
/* Publishes the depth diffs whose window ended by now_ns. */
void tt_vmarket_flush(struct tt_vmarket *m, uint64_t now_ns, uint64_t now_ms, bool force);
/* Publishes one frame (applies the garbage fault). */
int tt_vmarket_publish(struct tt_vmarket *m, uint16_t stream, const char *p, uint32_t len);
/* Stream id for a name like "btcusdt@depth@100ms", or -ENOENT. */
int tt_vmarket_stream_id(const struct tt_vmarket *m, const char *name, size_t n);
int tt_vmarket_sym(const struct tt_vmarket *m, const char *symbol);
/* Fault log line on stderr: {"event":"fault","fault":kind,...extra}. extra starts with ','
 * or is "". */
void tt_venue_fault_log(const char *kind, const char *fmt, ...) TT_PRINTF(2, 3);

uint64_t tt_venue_mono_ns(void);
uint64_t tt_venue_wall_ms(void);

/* One WebSocket control message (wsctl.c): msg[0..len) is untrusted. Updates *subs and
 * *combined only for a valid request; writes one JSON reply into out and returns its length
 * (snprintf-style: >= cap means truncated). */
int tt_vwsctl_handle(const struct tt_vmarket *m, const char *msg, size_t len, uint64_t *subs,
		     bool *combined, char *out, size_t cap);

/* Replay source (replay.c). */
struct tt_vreplay;
int tt_vreplay_open(struct tt_vreplay **r, const char *path, bool loop);
/* Publishes every frame due by now_ns; returns frames published, -errno at a read error. */
int tt_vreplay_pump(struct tt_vreplay *r, struct tt_vmarket *m, uint64_t now_ns);
void tt_vreplay_close(struct tt_vreplay *r);
bool tt_vreplay_done(const struct tt_vreplay *r);

/* Order entry: the WebSocket API at /ws-api/v3 (wsapi.c) over match.c. */
struct lws;
int tt_vapi_init(struct tt_vmarket *m, const struct tt_venue_opts *o);
void tt_vapi_fini(void);
/* true when this new WebSocket connection asked for /ws-api/v3 (order entry enabled) */
bool tt_vapi_wants(struct lws *wsi);
/* the protocol callback for /ws-api/v3 connections; *slot is the connection's state */
int tt_vapi_cb(struct lws *wsi, int reason, void **slot, void *in, size_t len);
/* Test hook: parses one WS API request (untrusted bytes), writes its signature payload into
 * payload and checks its "signature" as HMAC-SHA256 with secret. 1 valid, 0 invalid or
 * absent, -1 malformed request. */
int tt_vapi_check_hmac(const char *msg, const char *secret, char *payload, size_t cap);
/* a control-socket line for order entry; NULL when not ours */
const char *tt_vapi_ctl(const char *line, char *out, size_t cap);

/* Wire-to-wire latency (w2w.c): tick written → order it caused read, CLOCK_MONOTONIC ns. */
void tt_vw2w_reset(void);
/* The update id ("u") of a bookTicker/depthUpdate payload, 0 when it has none. */
uint64_t tt_vw2w_frame_uid(const uint8_t *p, uint32_t len);
/* A frame carrying symbol sym's update uid was handed to the kernel at t_ns (the first
 * write of an update wins). */
void tt_vw2w_tick(int sym, uint64_t uid, uint64_t t_ns, uint64_t tsc);
/* An order.place on sym naming cause (low 32 bits of an update id) was read at t_ns: its
 * w2w in ns (recorded in the histogram), or -ENOENT when that update is unknown or gone. */
int64_t tt_vw2w_order(int sym, uint64_t cause, uint64_t t_ns);
/* {"w2w":{"count","p50_ns","p90_ns","p99_ns","p999_ns","max_ns","unmatched","ticks"}} */
int tt_vw2w_summary(char *out, size_t cap);

#endif /* TT_VENUE_INT_H */
