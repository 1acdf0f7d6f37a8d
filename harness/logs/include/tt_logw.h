/*
 * tt_logw.h — the log writer behind tt-logwriter (DESIGN §7): drains every process's lossy
 * log ring ("<instance>.log.*" in /dev/shm, tt_logring.h) and appends one JSON line per
 * record to
 *
 *   <root>/<env>/<proc>/<YYYY-MM-DD>.jsonl        (UTC date of the record)
 *
 * with ts (RFC 3339 UTC, ns), level, env, proc, pid, event and the catalogue's fields.
 * Rotation: a new file when the date changes; when the current file would pass max_bytes
 * it is renamed <YYYY-MM-DD>.<k>.jsonl (k = 1, 2, …) and a fresh one started. Retention:
 * files dated more than keep_days before today are removed (at start and at each new
 * date). Records the producer dropped (ring full) come out as one log_dropped line with
 * the count. The writer is only ever a consumer of lossy rings: it never blocks a producer.
 *
 *   tt_logw_init → (tt_logw_scan → tt_logw_drain)* → tt_logw_fini
 *
 * Not thread safe: one writer thread. Caller owns struct tt_logw (large: keep it static).
 */
#ifndef TT_LOGW_H
#define TT_LOGW_H

#include <signal.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_log.h"
#include "tt_ring.h"

#define TT_LOGW_SRC_MAX	 64
#define TT_LOGW_PROC_MAX 32
#define TT_LOGW_PATH_MAX 512
#define TT_LOGW_BUF	 (64 * 1024)

struct tt_logw_cfg {
	const char *root;     /* log tree root ("logs") */
	const char *env;      /* "testnet" | "prod" */
	const char *instance; /* ring name prefix: <instance>.log.* */
	uint64_t max_bytes;   /* rotate past this size (0: 256 MiB) */
	unsigned keep_days;   /* retention in days (0: keep forever) */
};

struct tt_logw_file {
	char proc[TT_LOGW_PROC_MAX]; /* "" when the slot is free */
	int fd;			     /* -1 when closed */
	int64_t day;		     /* days since the epoch of the open file */
	uint64_t size;		     /* bytes in the open file */
};

struct tt_logw_src {
	struct tt_ring ring;	     /* consumer handle */
	char name[TT_RING_NAME_MAX]; /* shm name */
	unsigned file;		     /* index into files[] */
	uint32_t tid;		     /* thread tag parsed from the name */
	int64_t pid;		     /* last producer pid seen */
	uint64_t dropped_seen;	     /* producer drop count already reported */
};

struct tt_logw {
	struct tt_logw_cfg cfg;
	struct tt_logw_src src[TT_LOGW_SRC_MAX];
	unsigned nsrc;
	struct tt_logw_file files[TT_LOGW_SRC_MAX];
	int64_t retention_day; /* day retention last ran */
	uint64_t lines;	       /* lines written */
	uint64_t drops;	       /* producer drops reported */
	uint64_t write_errors; /* failed writes (disk full …), counted, lines lost */
	uint64_t bad_lines;    /* piped lines that were not one JSON object with a ts */
	size_t blen;	       /* bytes pending in buf for pending_file */
	unsigned pending_file; /* file the pending bytes belong to */
	char buf[TT_LOGW_BUF];
};

/* Copies cfg (strings must outlive w), makes <root>/<env>, runs retention. 0 or -errno. */
int tt_logw_init(struct tt_logw *w, const struct tt_logw_cfg *cfg) TT_WUR;
/* Attaches to log rings not yet followed. Returns how many were added, or -errno. */
int tt_logw_scan(struct tt_logw *w);
/* Drains every followed ring once (at most max records each, 0: all). Returns lines. */
int tt_logw_drain(struct tt_logw *w, unsigned max);
/* Removes files older than keep_days before today_day (days since the epoch). Returns how
 * many were removed. */
int tt_logw_retention(struct tt_logw *w, int64_t today_day);
/* Appends one cold-path JSON line (as tt_log()/tt_denied write them to stderr) to proc's
 * file: it must be one JSON object on one line with a "ts" (else counted in bad_lines and
 * dropped); an "env" key is added after "level" when missing. For tt-logwriter --pipe.
 * 0 or -EINVAL. */
int tt_logw_append_json(struct tt_logw *w, const char *proc, const char *line, size_t len);
/* Loop: scan every second, drain every poll_ms, until *stop; final drain. 0 or -errno. */
int tt_logw_run(struct tt_logw *w, volatile sig_atomic_t *stop, unsigned poll_ms);
/* Detaches rings, closes files. */
void tt_logw_fini(struct tt_logw *w);

#endif /* TT_LOGW_H */
