/*
 * tt_err.h — error codes and the per-thread error trail (STYLE §3).
 *
 * Functions return 0 (or a count) on success and -errno or -TT_E* on failure. Where a call
 * fails it records why with tt_err_set(); callers add context with tt_err_add(); the top of
 * the stack logs the whole trail as one event (tt_err_msg()). Project codes live above
 * errno's range and are named by one X-macro table.
 */
#ifndef TT_ERR_H
#define TT_ERR_H

#include "tt_compiler.h"

#define TT_E_BASE 10000
/* X(name, value offset, text) */
#define TT_ERRNO_MAP(X)                                                               \
	X(TT_EMAGIC, 1, "bad magic: not a ticktrade shared region")                  \
	X(TT_EVERSION, 2, "layout version mismatch")                                 \
	X(TT_ELAYOUT, 3, "layout mismatch (slot size, capacity or mode)")            \
	X(TT_EPEERDEAD, 4, "peer process is dead or its heartbeat is stale")          \
	X(TT_ECONFIG, 5, "invalid configuration")                                    \
	X(TT_EDENIED, 6, "refused by the flavor guard")                              \
	X(TT_EPROTO, 7, "protocol violation by peer")                                \
	X(TT_ECLOCK, 8, "clock calibration unavailable")                             \
	X(TT_ESTATE, 9, "object is in sticky error state")

enum tt_errcode {
#define TT_ERR_ENUM(name, off, text) name = TT_E_BASE + (off),
	TT_ERRNO_MAP(TT_ERR_ENUM)
#undef TT_ERR_ENUM
};

/* Text for a 0/-errno/-TT_E* return value. Never NULL; static storage. */
const char *tt_strerror(int rc);

/* Start a new trail for this thread: code (negative, as returned) and a message.
 * Returns code, so `return tt_err_set(-EINVAL, "...")` reads naturally. */
#define tt_err_set(code, ...) tt__err_set((code), __func__, __FILE__, __LINE__, __VA_ARGS__)
/* Add context to the current trail (outermost last). Returns the trail's code. */
#define tt_err_add(...) tt__err_add(__func__, __FILE__, __LINE__, __VA_ARGS__)

int tt__err_set(int code, const char *func, const char *file, int line, const char *fmt, ...)
	TT_PRINTF(5, 6);
int tt__err_add(const char *func, const char *file, int line, const char *fmt, ...) TT_PRINTF(4, 5);

/* The current thread's trail, innermost first, joined with ": ". Valid until the next
 * tt_err_set/add on this thread. Empty string when none. */
const char *tt_err_msg(void);
/* The code of the current trail, 0 when none. */
int tt_err_code(void);
/* Clears the trail. */
void tt_err_clear(void);

#endif /* TT_ERR_H */
