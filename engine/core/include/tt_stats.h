/*
 * tt_stats.h — the per-process trading stats block (DESIGN §7): a small POSIX shm block,
 * /dev/shm/<instance>.stats.<proc>, that tt-md, tt-strat and tt-oe count into on their hot
 * paths and tt-engine reads on every /metrics scrape (tt_stats_expose → Prometheus text).
 *
 * One writer per block (the process's trading thread): a counter increment is a relaxed
 * load + relaxed store of the writer's own line (no locked instruction, no syscall, ~1 ns,
 * see `tt-bench log --stats`); histograms are struct tt_hist (log-linear, 1/16 per power
 * of two) recorded in place. Readers (tt-engine) map the block read-only and may see a
 * histogram's buckets a few observations apart from its sum; Prometheus tolerates that.
 *
 * The catalogue below is the single definition of the series: counter and histogram ids,
 * their Prometheus family, label and help. Rejects are counted per reason code in a small
 * table whose label text the writer stores in the block (tt-engine needs no tt-oe header).
 *
 * Restarts: a restarted child re-attaches to its block (same version and size) and its
 * counters continue; tt-engine unlinks the blocks when it starts and stops, so a new
 * engine run starts from zero. Prometheus handles a counter that does go back (reset).
 *
 *   (no block: tt__stats → a private dummy) --tt_stats_open()--> counts into shm
 *   tt-engine: tt_stats_map() read-only → tt_stats_expose() per scrape → tt_stats_unmap()
 */
#ifndef TT_STATS_H
#define TT_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_atomic.h"
#include "tt_compiler.h"
#include "tt_hist.h"
#include "tt_msg.h"

#define TT_STATS_MAGIC	    0x54535454u /* "TTST" */
#define TT_STATS_VERSION    3u		/* bump on any layout or catalogue change */
#define TT_STATS_REASONS    32		/* distinct reject reason codes per block */
#define TT_STATS_LABEL	    32		/* reason label bytes (NUL included) */
#define TT_STATS_MAX_BLOCKS 8		/* blocks one tt_stats_expose call prints */
#define TT_STATS_INSTR	    16		/* instruments with position / P&L gauges */

/* clang-format off */
/* X(id, "family", "label key" or NULL, "label value", "help") — counters, append only. */
#define TT_STATS_COUNTERS(X)                                                                       \
	X(md_msgs_in, "tt_md_messages_total", "dir", "in", "venue messages received by tt-md")    \
	X(md_out_top, "tt_md_events_total", "kind", "book_top", "events tt-md published")          \
	X(md_out_delta, "tt_md_events_total", "kind", "book_delta", "events tt-md published")      \
	X(md_out_trade, "tt_md_events_total", "kind", "trade", "events tt-md published")           \
	X(md_out_status, "tt_md_events_total", "kind", "status", "events tt-md published")         \
	X(md_out_other, "tt_md_events_total", "kind", "other", "events tt-md published")           \
	X(md_resyncs, "tt_md_book_resyncs_total", NULL, NULL, "book resyncs (gap, crossed, caller)") \
	X(md_gaps, "tt_md_gaps_total", NULL, NULL, "update-id gaps seen by the book sync")        \
	X(md_malformed, "tt_md_malformed_total", NULL, NULL, "venue messages that failed to parse") \
	X(md_stale, "tt_md_stale_total", NULL, NULL, "books marked stale (no update in time)")    \
	X(strat_events_in, "tt_strat_events_total", NULL, NULL, "market events read by tt-strat") \
	X(strat_execs_in, "tt_strat_execs_total", NULL, NULL, "execution reports read by tt-strat") \
	X(strat_intents, "tt_strat_intents_total", NULL, NULL, "order/cancel intents tt-strat sent") \
	X(oe_intents, "tt_oe_intents_total", NULL, NULL, "intents tt-oe took from the ring")       \
	X(oe_orders, "tt_oe_orders_total", NULL, NULL, "orders sent to the venue")                 \
	X(oe_acks, "tt_oe_acks_total", NULL, NULL, "orders the venue acknowledged")                \
	X(oe_fills, "tt_oe_fills_total", NULL, NULL, "executions (fills and partial fills)")      \
	X(oe_cancels, "tt_oe_cancels_total", NULL, NULL, "cancel requests sent")                   \
	X(denied, "tt_proc_denied_total", NULL, NULL, "denied events (refusals) the process emitted")

/* X(id, "family", "label key" or NULL, "label value", "help") — histograms of ns. */
#define TT_STATS_HISTS(X)                                                                          \
	X(t2t, "tt_t2t_ns", NULL, NULL, "internal tick-to-trade: venue bytes reaped to order sent (ns)") \
	X(oe_risk, "tt_oe_stage_ns", "stage", "risk", "tt-oe stage latency (ns)")                 \
	X(oe_send, "tt_oe_stage_ns", "stage", "send", "tt-oe stage latency (ns)")                 \
	X(md_publish, "tt_md_publish_ns", NULL, NULL, "tt-md reap to publish, tops and trades (ns)")
/* clang-format on */

#define TT__ST_ENUM(id, fam, lk, lv, help) TT_ST_##id,
enum tt_stat { TT_STATS_COUNTERS(TT__ST_ENUM) TT_ST_COUNT };
#undef TT__ST_ENUM
#define TT__STH_ENUM(id, fam, lk, lv, help) TT_STH_##id,
enum tt_stat_hist { TT_STATS_HISTS(TT__STH_ENUM) TT_STH_COUNT };
#undef TT__STH_ENUM

/* One reject reason: code, its label text (written before n first becomes non-zero). */
struct tt_stats_reason {
	_Atomic uint64_t n;	   /* rejects with this code */
	uint32_t code;		   /* reason code (tt_msg_exec.reason) */
	uint32_t used;		   /* 1 once claimed */
	char name[TT_STATS_LABEL]; /* label text, e.g. "filter_tick" */
};

/* Gauges of one instrument (tt-oe): position and P&L, fixed point with the instrument's
 * scales; name, scales and `used` are written once (cold) before the values. */
struct tt_stats_instr {
	_Atomic int64_t position;  /* signed, 10^-qty_scale instrument units */
	_Atomic int64_t pnl;	   /* realized + unrealized at the reference mid (cash +
				    * position × mid), 10^-px_scale quote units */
	_Atomic uint32_t used;	   /* 1 once name and scales are written */
	uint8_t qty_scale, px_scale;
	uint8_t pad[2];
	char name[TT_STATS_LABEL]; /* the "instrument" label, e.g. "BTCUSDT" */
};

/* The shm block. Layout versioned by TT_STATS_VERSION; magic written last at init. */
struct tt_stats {
	_Atomic uint32_t magic;	   /* TT_STATS_MAGIC when initialised */
	uint32_t version;	   /* TT_STATS_VERSION */
	uint32_t size;		   /* sizeof(struct tt_stats) */
	_Atomic uint32_t attaches; /* incarnations of the writer (1 + restarts) */
	_Atomic int32_t pid;	   /* current writer */
	uint32_t pad0;
	char proc[32]; /* process name, the "proc" label */
	_Alignas(64) _Atomic uint64_t c[TT_ST_COUNT];
	_Alignas(64) struct tt_stats_reason reason[TT_STATS_REASONS];
	_Alignas(64) struct tt_stats_instr instr[TT_STATS_INSTR];
	_Alignas(64) struct tt_hist h[TT_STH_COUNT];
};

/* Where the calling process counts: its mapped block, or a private dummy before
 * tt_stats_open (tests, tools), so the hot path never branches on it. */
extern struct tt_stats *tt__stats;

/* Hot path: add n to counter TT_ST_<id>. Single writer: relaxed load + store. */
static inline void tt_stats_add(enum tt_stat id, uint64_t n)
{
	_Atomic uint64_t *p = &tt__stats->c[id];

	tt_store_relaxed(p, tt_load_relaxed(p) + n);
}

/* tt-md's events-out counter for a ring message kind (enum tt_msg_kind). */
static inline enum tt_stat tt_stats_md_kind(unsigned kind)
{
	return kind == TT_MSG_BOOK_TOP	   ? TT_ST_md_out_top
	       : kind == TT_MSG_BOOK_DELTA ? TT_ST_md_out_delta
	       : kind == TT_MSG_TRADE	   ? TT_ST_md_out_trade
	       : kind == TT_MSG_STATUS	   ? TT_ST_md_out_status
					   : TT_ST_md_out_other;
}

#define tt_stat_inc(id)	   tt_stats_add(TT_ST_##id, 1)
#define tt_stat_add(id, n) tt_stats_add(TT_ST_##id, (n))
/* Hot path: one ns observation into histogram TT_STH_<id> (tt_hist_record). */
#define tt_stat_ns(id, ns) tt_hist_record(&tt__stats->h[TT_STH_##id], (uint64_t)(ns))

/* Names instrument slot i (< TT_STATS_INSTR; others ignored) for the position / P&L
 * gauges, with its scales. Cold: once per instrument at start. */
void tt_stats_instr_name(unsigned i, const char *name, unsigned px_scale, unsigned qty_scale);

/* Hot path: instrument i's position (qty units) and P&L (price units). Two relaxed
 * stores; a reader may pair a new position with the previous P&L for one scrape. */
static inline void tt_stats_instr_set(unsigned i, int64_t position, int64_t pnl)
{
	if (tt_likely(i < TT_STATS_INSTR)) {
		tt_store_relaxed(&tt__stats->instr[i].position, position);
		tt_store_relaxed(&tt__stats->instr[i].pnl, pnl);
	}
}

/* Counts one reject with `code`, labelled `name` (stored the first time the code is
 * seen; codes past TT_STATS_REASONS distinct ones count under the last slot, "other").
 * Warm path: a short scan, no syscall. */
void tt_stats_reject(uint32_t code, const char *name);

/* Block name "<instance>.stats.<proc>" into out. 0, or -EINVAL ([A-Za-z0-9_-] only) /
 * -ENAMETOOLONG with a trail. */
int tt_stats_name(char *out, size_t cap, const char *instance, const char *proc) TT_WUR;

/* Writer: creates or re-attaches (same version and size: counters continue) the block and
 * points tt__stats at it. 0 or -errno with a trail. Cold; call once per process. */
int tt_stats_open(const char *instance, const char *proc) __tt_cold TT_WUR;
/* Writer: counts go to the private dummy again; the block stays for readers. */
void tt_stats_close(void);

/* Reader: maps the block read-only. 0; -ENOENT (not there yet), -EPROTO (another
 * version, or not initialised yet) or -errno with a trail. */
int tt_stats_map(const char *instance, const char *proc, const struct tt_stats **out) TT_WUR;
void tt_stats_unmap(const struct tt_stats *s);
/* Removes the block's name (mapped views stay valid). 0 or -errno (-ENOENT: none). */
int tt_stats_unlink(const char *instance, const char *proc);

/* Prometheus text for n blocks (NULL entries skipped), families grouped, each series
 * labelled proc="<block's proc>": tt_stats_attaches (gauge: writer incarnations), counters
 * (non-zero ones only: a process prints the families it counts), tt_oe_rejects_total{reason,code},
 * tt_oe_position / tt_oe_pnl{instrument} gauges (named slots only, exact decimals),
 * histograms with TT_STATS_NS_BOUNDS buckets (a tt_hist bucket is counted under `le` only when all
 * of it is ≤ le, so a cumulative count may miss observations within 6.25 % below a bound). 0 or
 * -EIO. */
int tt_stats_expose(FILE *out, const struct tt_stats *const *blocks, unsigned n);

/* Histogram bounds used in the exposition (ns). */
#define TT_STATS_NS_BOUNDS                                                                         \
	250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, \
	    5000000, 10000000, 50000000, 100000000

#endif /* TT_STATS_H */
