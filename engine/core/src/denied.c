/*
 * denied.c — emitter of the structured `denied` event (tt_denied.h). The line is built by
 * the log module's formatter (same ts/level/proc/pid as every other line) and written
 * with one write(2), but it is never subject to the log level: a refusal is always said.
 */
#include "tt_denied.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "tt_log.h"
#include "tt_stats.h"

extern char *program_invocation_short_name;

static _Atomic uint64_t tt_denied_n;
static _Atomic int tt_denied_fd = 2;

void tt_denied_emit(const char *what, const char *target, const char *rule)
{
	char line[TT_LOG_LINE_MAX];
	const struct tt_log_field f[] = {
		TT_LS("what", what),
		TT_LS("target", target),
		TT_LS("rule", rule),
		TT_LS("process", program_invocation_short_name),
		TT_LS("flavor", TT_FLAVOR_NAME),
	};
	struct timespec ts;
	size_t n;
	ssize_t w;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = tt_log_format(line, TT_LOG_WARN, "denied", f, TT_ARRAY_LEN(f),
			  (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	atomic_fetch_add_explicit(&tt_denied_n, 1, memory_order_relaxed);
	/* any thread may refuse: the one stats counter with more than one writer */
	atomic_fetch_add_explicit(&tt__stats->c[TT_ST_denied], 1, memory_order_relaxed);
	do {
		w = write(atomic_load_explicit(&tt_denied_fd, memory_order_relaxed), line, n);
	} while (w < 0 && errno == EINTR);
}

uint64_t tt_denied_count(void)
{
	return atomic_load_explicit(&tt_denied_n, memory_order_relaxed);
}

void tt_denied_set_fd(int fd)
{
	atomic_store_explicit(&tt_denied_fd, fd < 0 ? 2 : fd, memory_order_relaxed);
}
