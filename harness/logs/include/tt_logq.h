/*
 * tt_logq.h — queries over the JSON-line log tree that tt-logwriter writes
 * (<root>/<env>/<proc>/<YYYY-MM-DD>[.<k>].jsonl), shared by tt-logs and tt-logs serve.
 * Read-only: nothing here opens a file for writing. Cold code: allocates freely.
 *
 * A query filters by env, process, minimum level, time range [since, until), event and
 * order id; matches are returned sorted by ts (RFC 3339 with fixed 9-digit ns sorts as
 * text), across processes, so one order's life reads top to bottom (timeline).
 */
#ifndef TT_LOGQ_H
#define TT_LOGQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"

struct tt_logq {
	const char *root;  /* log tree root */
	const char *env;   /* NULL: every env */
	const char *proc;  /* NULL: every process */
	int min_level;	   /* enum tt_log_level; 0 = debug (everything) */
	int64_t since_ns;  /* realtime ns, inclusive; 0: no bound */
	int64_t until_ns;  /* exclusive; 0: no bound */
	const char *event; /* NULL: any */
	const char *order; /* order_id as printed (decimal); NULL: any */
	size_t limit;	   /* most lines returned (the latest ones); 0: no limit */
};

/* One matching line. */
struct tt_logq_hit {
	char *line;    /* the JSON line without '\n' (owned by the result) */
	int64_t ts_ns; /* parsed ts */
};

struct tt_logq_result {
	struct tt_logq_hit *hit;
	size_t n;
	size_t cap;
	uint64_t bad_lines; /* lines that were not JSON objects with a ts: counted, skipped */
};

/* Runs q; res must be zeroed. 0 or -errno (-ENOENT: root/env missing). */
int tt_logq_run(const struct tt_logq *q, struct tt_logq_result *res) TT_WUR;
void tt_logq_result_free(struct tt_logq_result *res);

/* True when the JSON line matches q (time, level, env, proc, event, order). *ts_ns gets the
 * parsed ts. A line that is not a JSON object with a valid ts matches nothing. */
bool tt_logq_match(const struct tt_logq *q, const char *line, int64_t *ts_ns);

/* Human form of one JSON line: "ts LEVEL proc[pid] event k=v ...". */
void tt_logq_print_human(FILE *out, const char *line);

/* "2026-11-23T20:00:00[.nnn]Z", "2026-11-23", or relative "30s"/"15m"/"2h"/"7d" (before
 * now_ns) → realtime ns. 0 or -EINVAL. */
int tt_logq_parse_time(const char *s, int64_t now_ns, int64_t *out) TT_WUR;

/* Parses the RFC 3339 ts that tt_log writes. 0 or -EINVAL. */
int tt_logq_parse_ts(const char *s, int64_t *out) TT_WUR;

/* Sets one filter by name (env, proc, level, since, until, event, order, limit) from text,
 * validated: env testnet|prod, proc/event plain words, level a level name, times as
 * tt_logq_parse_time, order and limit decimal. Strings are borrowed. 0, or -EINVAL (unknown
 * key or bad value) with the reason in the trail. */
int tt_logq_set(struct tt_logq *q, const char *key, const char *val, int64_t now_ns) TT_WUR;

/* Prints the event catalogue (tt_events.h): human table or a JSON array. */
void tt_logq_print_events(FILE *out, bool json);

#endif /* TT_LOGQ_H */
