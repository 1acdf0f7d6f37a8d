/*
 * tt_events.h — THE event catalogue (DESIGN §7, STYLE §10): every hot-path log event is one
 * row here, and nowhere else. A row names the event (a stable snake_case word, the JSON
 * "event" value), its level, a one-line description and up to TT_LOG_ARGS typed fields
 * (JSON key, type, fixed-point scale). From this one table come:
 *
 *   enum tt_event       TT_EV_<name>        the id stored in the binary log record
 *   TT_EVL_<name>                            the level, a compile-time constant
 *   tt_event_catalogue[]                     names, levels, fields (writer, tt-logs events)
 *
 * Field types: I64 (signed integer), U64 (unsigned), FIX (int64 fixed point with `scale`
 * digits after the point, e.g. prices), TSC (ticks; the writer prints them as ns from the
 * shared calibration). "order_id" and "instrument" are the keys tt-logs filters on.
 *
 * Rules: append rows, never renumber or reuse a name (ids are positions; the writer and
 * the producer are built from the same tree, and the ring's msg_version carries
 * TT_EVENTS_VERSION so a mismatch fails at attach instead of misreading).
 */
#ifndef TT_EVENTS_H
#define TT_EVENTS_H

#include <stdint.h>

#define TT_EVENTS_VERSION 1u
#define TT_LOG_ARGS	  4 /* integer arguments per binary record */

/* A field descriptor inside a row; TT_EF_NONE fills unused slots. */
/* clang-format off */
#define TT_EF(key, type, scale) {(key), TT_LF_##type, (scale)}
#define TT_EF_NONE {0, 0, 0}

/* X(name, LEVEL, "description", f0, f1, f2, f3) */
#define TT_EVENTS(X)                                                                               \
	X(log_dropped, WARN, "log records lost because the process's log ring was full",          \
	  TT_EF("n", U64, 0), TT_EF_NONE, TT_EF_NONE, TT_EF_NONE)                                  \
	X(ring_full, WARN, "a lossless ring was full; the producer waits",                        \
	  TT_EF("ring_id", U64, 0), TT_EF("fill", U64, 0), TT_EF_NONE, TT_EF_NONE)                 \
	X(side_ring_dropped, WARN, "a side ring dropped messages",                                 \
	  TT_EF("ring_id", U64, 0), TT_EF("n", U64, 0), TT_EF_NONE, TT_EF_NONE)                    \
	X(md_msg_malformed, WARN, "a venue message failed to parse; counted and skipped",          \
	  TT_EF("instrument", U64, 0), TT_EF("reason", U64, 0), TT_EF("len", U64, 0), TT_EF_NONE)  \
	X(book_resync, WARN, "update-id gap or crossed book: the book is rebuilt from a snapshot", \
	  TT_EF("instrument", U64, 0), TT_EF("expected", U64, 0), TT_EF("got", U64, 0),            \
	  TT_EF_NONE)                                                                              \
	X(book_live, INFO, "book synced and publishing",                                           \
	  TT_EF("instrument", U64, 0), TT_EF("update_id", U64, 0), TT_EF_NONE, TT_EF_NONE)         \
	X(order_intent, INFO, "strategy asked for an order",                                       \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("px", FIX, 8),             \
	  TT_EF("qty", FIX, 8))                                                                    \
	X(order_sent, INFO, "order bytes handed to the kernel",                                    \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("px", FIX, 8),             \
	  TT_EF("t2t_ns", I64, 0))                                                                 \
	X(order_acked, INFO, "venue acknowledged the order",                                       \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("venue_id", U64, 0),       \
	  TT_EF_NONE)                                                                              \
	X(order_fill, INFO, "execution: filled quantity at price",                                 \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("px", FIX, 8),             \
	  TT_EF("qty", FIX, 8))                                                                    \
	X(order_cancelled, INFO, "order cancelled",                                                \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF_NONE, TT_EF_NONE)          \
	X(order_rejected, WARN, "venue rejected the order",                                        \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("code", I64, 0),           \
	  TT_EF_NONE)                                                                              \
	X(risk_reject, WARN, "pre-trade risk refused the order (reason: tt_risk reason code)",     \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF("reason", U64, 0),         \
	  TT_EF("value", I64, 0))                                                                  \
	X(kill_switch, ERROR, "kill switch engaged: new orders blocked, open orders cancelled",    \
	  TT_EF("source", U64, 0), TT_EF("open_orders", U64, 0), TT_EF_NONE, TT_EF_NONE)           \
	X(ws_disconnected, WARN, "a venue connection closed",                                      \
	  TT_EF("conn_id", U64, 0), TT_EF("code", I64, 0), TT_EF_NONE, TT_EF_NONE)                 \
	X(peer_dead, ERROR, "a ring peer's pid or heartbeat is gone",                              \
	  TT_EF("ring_id", U64, 0), TT_EF("pid", I64, 0), TT_EF_NONE, TT_EF_NONE)                  \
	X(stage_latency, DEBUG, "one stage timing sample",                                         \
	  TT_EF("stage", U64, 0), TT_EF("t0", TSC, 0), TT_EF("ns", I64, 0), TT_EF_NONE)            \
	X(bench_probe, DEBUG, "bench and test probe, carries four integers",                       \
	  TT_EF("a", I64, 0), TT_EF("b", U64, 0), TT_EF("px", FIX, 8), TT_EF("order_id", U64, 0)) \
	X(md_book_resync, WARN, "tt-md starts a book over (reason: tt_md_resync_reason)",         \
	  TT_EF("instrument", U64, 0), TT_EF("reason", U64, 0), TT_EF("book_id", U64, 0),         \
	  TT_EF("resyncs", U64, 0))                                                                \
	X(md_book_stale, WARN, "no update for an instrument within stale_after: marked stale",    \
	  TT_EF("instrument", U64, 0), TT_EF("book_id", U64, 0), TT_EF_NONE, TT_EF_NONE)          \
	X(order_cancel_sent, INFO, "cancel request handed to the kernel",                         \
	  TT_EF("order_id", U64, 0), TT_EF("instrument", U64, 0), TT_EF_NONE, TT_EF_NONE)

/* clang-format on */

#define TT__EV_ENUM(name, lvl, desc, f0, f1, f2, f3) TT_EV_##name,
enum tt_event { TT_EVENTS(TT__EV_ENUM) TT_EV_COUNT };
#undef TT__EV_ENUM

#define TT__EV_LVL(name, lvl, desc, f0, f1, f2, f3) TT_EVL_##name = TT_LOG_##lvl,
enum tt_event_level { TT_EVENTS(TT__EV_LVL) TT_EVL__END };
#undef TT__EV_LVL

/* One field of a catalogue row. */
struct tt_event_field {
	const char *key; /* JSON key; NULL: slot unused */
	uint8_t type;	 /* enum tt_log_ftype (TT_LF_I64, TT_LF_U64, TT_LF_FIX) or TT_LF_TSC */
	uint8_t scale;	 /* TT_LF_FIX: digits after the point */
};

/* One catalogue row. */
struct tt_event_desc {
	const char *name; /* "event" value */
	int level;	  /* enum tt_log_level */
	const char *desc; /* one line, for tt-logs events */
	struct tt_event_field f[TT_LOG_ARGS];
};

/* The catalogue, indexed by enum tt_event (TT_EV_COUNT rows). */
extern const struct tt_event_desc tt_event_catalogue[TT_EV_COUNT];

/* Row for id, NULL when out of range (hostile or newer record). */
const struct tt_event_desc *tt_event_lookup(unsigned id);

#endif /* TT_EVENTS_H */
