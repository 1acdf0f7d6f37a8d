/*
 * tt_log.h — structured logging: one JSON object per line, one event per call (STYLE §10).
 *
 *   {"ts":"2026-11-23T19:30:00.123456789Z","level":"warn","proc":"tt-md","pid":123,
 *    "event":"ring_full","ring":"md.strat","n":7}
 *
 * Call shape (kept stable when the binary hot-path log ring replaces the formatter):
 *
 *   tt_log(TT_LOG_WARN, "ring_full", TT_LS("ring", name), TT_LI("n", n));
 *
 * Hot path (binary, DESIGN §7): events from the one catalogue (tt_events.h) are logged as a
 * fixed 64-byte record — event id, TSC, up to TT_LOG_ARGS int64 arguments — into this
 * thread's lossy log ring (a tt_ring in shm, attached by tt_logring_open, see tt_logring.h):
 *
 *   tt_logh(order_sent, order_id, instr, px, t2t_ns);
 *
 * No formatting, no syscall, no allocation, no shared write beyond the ring's own lines; a
 * full ring drops the record and counts it in the ring header (the writer logs the count
 * as a log_dropped event). A thread with no log ring gets the same event formatted from the
 * catalogue and written as JSON at once (tools, tests, cold start), so nothing is lost.
 * tt-logwriter drains the rings and writes logs/<env>/<proc>/<YYYY-MM-DD>.jsonl.
 *
 * Cold path (JSON now): tt_log(level, "event", fields...) below keeps formatting a line and
 * writing it directly; use it where strings matter more than nanoseconds.
 *
 * Invariants: the level is checked before any field is built; a line is formatted into a
 * stack buffer and handed to the kernel with one write() (lines are capped at
 * TT_LOG_LINE_MAX = PIPE_BUF, so writes to a pipe never interleave); no allocation, no
 * locks, no shared mutable state beyond the atomic level and fd, so every thread may log.
 * Fields that do not fit are dropped whole and the line ends with "truncated":true.
 * Event names and keys are stable snake_case words; values are escaped so that any byte
 * sequence yields valid JSON (invalid UTF-8 bytes become \u00XX).
 */
#ifndef TT_LOG_H
#define TT_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_atomic.h"
#include "tt_clock.h"
#include "tt_compiler.h"
#include "tt_ring.h"

#define TT_LOG_LINE_MAX 4096 /* PIPE_BUF: one atomic write per line */

enum tt_log_level {
	TT_LOG_DEBUG = 0,
	TT_LOG_INFO = 1,
	TT_LOG_WARN = 2,
	TT_LOG_ERROR = 3,
	TT_LOG_OFF = 4, /* as a threshold only: log nothing */
};

enum tt_log_ftype {
	TT_LF_NONE = 0, /* placeholder slot, skipped */
	TT_LF_STR,	/* NUL-terminated string (NULL prints null) */
	TT_LF_STRN,	/* byte string with explicit length (wire bytes) */
	TT_LF_I64,	/* signed integer */
	TT_LF_U64,	/* unsigned integer */
	TT_LF_BOOL,	/* true / false */
	TT_LF_FIX,	/* int64 fixed-point, printed as a decimal number with `scale` digits */
	TT_LF_TSC,	/* binary records only: TSC ticks, printed as CLOCK_MONOTONIC ns */
};

#include "tt_events.h"

/* One typed field. Build with the TT_L* macros, never by hand. */
struct tt_log_field {
	const char *key; /* JSON key, a stable snake_case word */
	uint8_t type;	 /* enum tt_log_ftype */
	uint8_t scale;	 /* TT_LF_FIX: digits after the point (0..18) */
	size_t len;	 /* TT_LF_STRN: byte count */
	union {
		const char *s; /* TT_LF_STR, TT_LF_STRN */
		int64_t i;     /* TT_LF_I64, TT_LF_FIX */
		uint64_t u;    /* TT_LF_U64 */
		bool b;	       /* TT_LF_BOOL */
	} v;
};

#define TT_LS(k, x) ((struct tt_log_field){.key = (k), .type = TT_LF_STR, .v.s = (x)})
#define TT_LSN(k, x, n)                                                                            \
	((struct tt_log_field){.key = (k), .type = TT_LF_STRN, .len = (n), .v.s = (x)})
#define TT_LI(k, x) ((struct tt_log_field){.key = (k), .type = TT_LF_I64, .v.i = (int64_t)(x)})
#define TT_LU(k, x) ((struct tt_log_field){.key = (k), .type = TT_LF_U64, .v.u = (uint64_t)(x)})
#define TT_LB(k, x) ((struct tt_log_field){.key = (k), .type = TT_LF_BOOL, .v.b = !!(x)})
#define TT_LX(k, x, sc)                                                                            \
	((struct tt_log_field){                                                                    \
	    .key = (k), .type = TT_LF_FIX, .scale = (uint8_t)(sc), .v.i = (int64_t)(x)})

/* Internal: threshold and output, read on every call (relaxed: a stale value for a moment
 * after tt_log_set_* only means one line more or less). */
extern _Atomic int tt__log_level;
extern _Atomic int tt__log_fd;

/* True when an event at `level` would be written. Callable any time. */
static inline bool tt_log_enabled(enum tt_log_level level)
{
	return (int)level >= atomic_load_explicit(&tt__log_level, memory_order_relaxed);
}

/*
 * tt_log(level, "event", TT_LS(...), TT_LI(...), ...) — log one event with 0..n fields.
 * The fields are not evaluated when the level is filtered out. The leading {0} slot lets
 * the field list be empty without a GNU extension; it is skipped.
 */
#define tt_log(level, event, ...)                                                                  \
	do {                                                                                       \
		if (tt_log_enabled(level)) {                                                       \
			const struct tt_log_field tt__lf[] = {{0}, __VA_ARGS__};                   \
			tt__log((level), (event), tt__lf + 1, TT_ARRAY_LEN(tt__lf) - 1);           \
		}                                                                                  \
	} while (0)

/*
 * tt_log_err(level, "event", extra fields...) — log the calling thread's tt_err trail as
 * one event: "code" (the negative code), "error" (tt_strerror text), "trail"
 * (tt_err_msg()), then the extra fields. Does not clear the trail.
 */
#define tt_log_err(level, event, ...)                                                              \
	do {                                                                                       \
		if (tt_log_enabled(level)) {                                                       \
			const struct tt_log_field tt__lf[] = {{0}, __VA_ARGS__};                   \
			tt__log_err((level), (event), tt__lf + 1, TT_ARRAY_LEN(tt__lf) - 1);       \
		}                                                                                  \
	} while (0)

/*
 * Set the process name printed as "proc" (truncated to 31 bytes), read TT_LOG_LEVEL
 * (debug|info|warn|error|off; default info) from the environment. Call once at start-up
 * before threads log; safe to call again. Before it, "proc" is the program's name.
 */
void tt_log_init(const char *proc_name);
/* Threshold: events below `level` are dropped before anything is built. Thread safe. */
void tt_log_set_level(enum tt_log_level level);
/* Output descriptor (default 2, stderr). Caller keeps it open while it is set. */
void tt_log_set_fd(int fd);
/* "debug"/"info"/"warn"/"error"/"off" → level; -EINVAL for anything else. */
int tt_log_level_parse(const char *word) TT_WUR;

/* Format one event into buf (at most TT_LOG_LINE_MAX bytes, '\n'-terminated, not
 * NUL-terminated) with the given wall-clock time in ns since the epoch. Returns the
 * length. For tests and the future log-ring writer; tt_log() uses it. */
size_t tt_log_format(char *buf, enum tt_log_level level, const char *event,
		     const struct tt_log_field *f, size_t n, int64_t realtime_ns);

/* Identity printed in a line's header; the writer formats other processes' records. */
struct tt_log_who {
	const char *env;  /* "testnet" | "prod"; NULL: no "env" key (direct lines) */
	const char *proc; /* process name */
	int64_t pid;	  /* process id */
};

/* tt_log_format with an explicit identity (the log writer). Same contract. */
size_t tt_log_format_who(char *buf, const struct tt_log_who *who, enum tt_log_level level,
			 const char *event, const struct tt_log_field *f, size_t n,
			 int64_t realtime_ns);

/* ---- binary hot path ------------------------------------------------------------------ */

/* The record in a log ring slot (64 bytes, one cache line). */
struct tt_log_rec {
	uint16_t event;		    /* enum tt_event */
	uint8_t level;		    /* enum tt_log_level, copied from the catalogue */
	uint8_t nargs;		    /* arguments given (≤ TT_LOG_ARGS) */
	uint32_t tid;		    /* thread tag set by tt_logring_open (0: main) */
	uint64_t tsc;		    /* tt_clock_now() at the call */
	int64_t arg[TT_LOG_ARGS];   /* field values in catalogue order */
	int32_t pid;		    /* producer's pid (the ring header forgets it on detach) */
	uint32_t pad0;		    /* to 64 bytes */
	uint64_t pad1;
};
_Static_assert(sizeof(struct tt_log_rec) == 64, "tt_log_rec layout");

/* This thread's log ring producer, NULL when none (then tt_logh formats directly). */
extern __thread struct tt_ring *tt__log_ring;
extern __thread uint32_t tt__log_tid;
extern int32_t tt__log_pid; /* set by tt_logring_open */

/* Cold fallback: format the record from the catalogue and write it now. */
void tt__logh_direct(const struct tt_log_rec *rec) __tt_cold;

/* Formats a record as one JSON line into buf (TT_LOG_LINE_MAX bytes): catalogue lookup,
 * TSC → wall clock (tsc_ns_to_real = realtime - monotonic offset to add), fields typed.
 * An unknown event id yields "event":"unknown_event" with the raw id. Returns the length. */
size_t tt_log_format_rec(char *buf, const struct tt_log_who *who, const struct tt_log_rec *rec,
			 int64_t mono_to_real_ns);

/*
 * Writes one record into the thread's log ring. Hot path: reserve from the cached tail
 * (refreshing it only when the cache says full), fill the slot, one release-store of head.
 * The ring is attached with TT_WAIT_SPIN, so there is never a wake-up syscall: the writer
 * polls. Re-implements tt_ring_reserve/publish inline so libttcore needs no libttring
 * symbols (same header protocol; see ringbuf/src/ring.c tt__ring_reserve_slow).
 */
static inline void tt__logh_at(unsigned ev, unsigned level, unsigned nargs, const int64_t *a,
			       uint64_t tsc)
{
	struct tt_ring *r = tt__log_ring;
	struct tt_log_rec *rec;

	if (tt_unlikely(!r)) {
		struct tt_log_rec tmp = {.event = (uint16_t)ev, .level = (uint8_t)level,
					 .nargs = (uint8_t)nargs, .tsc = tsc,
					 .arg = {a[0], a[1], a[2], a[3]}};

		tt__logh_direct(&tmp);
		return;
	}
	if (tt_unlikely(r->local - r->cached_peer > r->mask)) {
		struct tt_ring_hdr *h = r->hdr;

		/* Pairs with the writer's store-release of tail in tt_ring_consume_flush. */
		r->cached_peer = tt_load_acquire(&h->tail);
		if (r->local - r->cached_peer > r->mask) {
			/* producer's own line, single writer: load+store, no locked op */
			tt_store_relaxed(&h->full, tt_load_relaxed(&h->full) + 1);
			tt_store_relaxed(&h->dropped, tt_load_relaxed(&h->dropped) + 1);
			return;
		}
	}
	rec = (struct tt_log_rec *)(void *)(r->slots + (r->local & r->mask) * r->slot_size);
	rec->event = (uint16_t)ev;
	rec->level = (uint8_t)level;
	rec->nargs = (uint8_t)nargs;
	rec->tid = tt__log_tid;
	rec->pid = tt__log_pid;
	rec->tsc = tsc;
	rec->arg[0] = a[0];
	rec->arg[1] = a[1];
	rec->arg[2] = a[2];
	rec->arg[3] = a[3];
	r->local++;
	/* Pairs with the writer's load-acquire of head: publishes the record above (head is
	 * also the pushed counter, tt_ring.h layout 2). */
	tt_store_release(&r->hdr->head, r->local);
	r->published = r->local;
}

static inline void tt__logh(unsigned ev, unsigned level, unsigned nargs, const int64_t *a)
{
	tt__logh_at(ev, level, nargs, a, tt_clock_now());
}

#define TT__LOGH_NARGS(...) (sizeof((int64_t[]){0, __VA_ARGS__}) / sizeof(int64_t) - 1)

/*
 * tt_logh(name, args...) — log catalogue event `name` (bare word: tt_logh(book_resync, i,
 * e, g)) with 0..TT_LOG_ARGS integer arguments in the row's field order. The level is the
 * row's, checked first; more than TT_LOG_ARGS arguments fail to compile.
 */
#define tt_logh(name, ...)                                                                         \
	do {                                                                                       \
		if (tt_log_enabled((enum tt_log_level)TT_EVL_##name)) {                            \
			const int64_t tt__la[TT_LOG_ARGS + 1] = {0, __VA_ARGS__};                  \
			tt__logh(TT_EV_##name, TT_EVL_##name, TT__LOGH_NARGS(__VA_ARGS__),         \
				 tt__la + 1);                                                      \
		}                                                                                  \
	} while (0)

/* tt_logh_at(name, tsc, args...) — the same, stamped with `tsc` (tt_clock_now() units)
 * instead of now: for a record written after the act it describes (tt-strat logs an
 * intent after pushing it, stamped with its decision time, so a reader never sees the
 * intent after the order it caused). */
#define tt_logh_at(name, tsc, ...)                                                                 \
	do {                                                                                       \
		if (tt_log_enabled((enum tt_log_level)TT_EVL_##name)) {                            \
			const int64_t tt__la[TT_LOG_ARGS + 1] = {0, __VA_ARGS__};                  \
			tt__logh_at(TT_EV_##name, TT_EVL_##name, TT__LOGH_NARGS(__VA_ARGS__),      \
				    tt__la + 1, (tsc));                                            \
		}                                                                                  \
	} while (0)

void tt__log(enum tt_log_level level, const char *event, const struct tt_log_field *f, size_t n);
void tt__log_err(enum tt_log_level level, const char *event, const struct tt_log_field *f,
		 size_t n);

#endif /* TT_LOG_H */
