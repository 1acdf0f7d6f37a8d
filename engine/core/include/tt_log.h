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

#include "tt_compiler.h"

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
};

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

void tt__log(enum tt_log_level level, const char *event, const struct tt_log_field *f, size_t n);
void tt__log_err(enum tt_log_level level, const char *event, const struct tt_log_field *f,
		 size_t n);

#endif /* TT_LOG_H */
