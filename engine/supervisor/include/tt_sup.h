/*
 * tt_sup.h — process supervision for tt-engine (DESIGN §1): start the children pinned to
 * their cores, reap them, restart them per policy, detect hung ones, stop them in order.
 *
 * Child life (tt_sup_poll drives every transition):
 *
 *   STOPPED ──tt_sup_start──▶ RUNNING ──exit/signal──▶ BACKOFF ──delay over──▶ RUNNING
 *      ▲                        │  │                      │
 *      │        tt_sup_stop ────┘  └──hung (heartbeat)──▶ kill -9 ─▶ (as exit)
 *      │                                                  │ too many restarts in window
 *      └──────────────── reaped after stop                ▼
 *                                                       FAILED ──▶ on_failed callback
 *                                                                   (engine: kill switch, stop)
 *
 * Restart policy per child: NEVER, ALWAYS (tt-md, tt-strat), RECOVER (tt-oe: restarted
 * the same way, its start-up replays the journal and reconciles before trading). Backoff
 * doubles from 100 ms to 5 s. max_restarts within restart_window_ns, then FAILED.
 * Each child runs in its own process group; signals go to the group, so whatever a
 * child started stops with it. Pinning is done in the child between fork and exec (sched_setaffinity), so the child
 * never runs on another core; SCHED_FIFO only when asked AND the core is isolated
 * (/sys/devices/system/cpu/isolated), never on a shared core.
 */
#ifndef TT_SUP_H
#define TT_SUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tt_compiler.h"

#define TT_SUP_MAX_CHILDREN 16
#define TT_SUP_MAX_ARGS 16

enum tt_sup_restart { TT_RESTART_NEVER = 0, TT_RESTART_ALWAYS = 1, TT_RESTART_RECOVER = 2 };
enum tt_sup_state { TT_CHILD_STOPPED = 0, TT_CHILD_RUNNING, TT_CHILD_BACKOFF, TT_CHILD_FAILED };

struct tt_sup_child_cfg {
	char name[32];			/* "tt-md" */
	char path[PATH_MAX];		/* executable */
	char args[TT_SUP_MAX_ARGS][128];	/* argv[1..]; empty string ends the list */
	int core;			/* CPU to pin to, -1 = not pinned */
	bool fifo;			/* SCHED_FIFO if the core is isolated */
	uint32_t restart;		/* enum tt_sup_restart */
	uint32_t max_restarts;		/* within restart_window_ns; then FAILED */
	uint64_t restart_window_ns;
	uint64_t hung_ns;		/* heartbeat older than this → hung (0 = no check) */
	int stdin_fd;			/* ≥ 0: becomes the child's fd 0 (a log pipe); -1: inherited (set it:
				 * 0 would mean stdin itself) */
	int stderr_fd;			/* ≥ 0: becomes the child's fd 2; < 0: inherited */
};

struct tt_sup_child {
	struct tt_sup_child_cfg cfg;
	pid_t pid;
	uint32_t state;			/* enum tt_sup_state */
	uint32_t restarts;		/* total */
	uint32_t recent;		/* within the window */
	uint64_t window_start_ns;
	uint64_t next_start_ns;		/* BACKOFF: when to start again */
	uint64_t backoff_ns;
	uint64_t started_ns;
	int last_status;		/* wait status of the last exit */
	bool stopping;
};

enum tt_sup_event { TT_SUP_EV_STARTED, TT_SUP_EV_EXITED, TT_SUP_EV_HUNG, TT_SUP_EV_FAILED,
		    TT_SUP_EV_STOPPED };

struct tt_sup {
	struct tt_sup_child child[TT_SUP_MAX_CHILDREN];
	int n;
	/* Called for every event (logging); may be NULL. */
	void (*on_event)(void *arg, const struct tt_sup_child *c, enum tt_sup_event ev);
	/* Heartbeat time (CLOCK_MONOTONIC ns) of child i, 0 if unknown (e.g. from its ring
	 * header); may be NULL. */
	uint64_t (*heartbeat_ns)(void *arg, int i);
	void *arg;
	bool failed;			/* a child reached FAILED */
};

void tt_sup_init(struct tt_sup *s);
/* Adds a child (copied). Index, or -ENOSPC / -EINVAL. */
int tt_sup_add(struct tt_sup *s, const struct tt_sup_child_cfg *c) TT_WUR;
/* Starts child i now (fork, pin, exec). 0 or -errno (trail says which step failed). */
int tt_sup_start(struct tt_sup *s, int i) TT_WUR;
int tt_sup_start_all(struct tt_sup *s) TT_WUR;
/* Reaps exits, restarts per policy, detects hung children. Call every few ms. Returns
 * the number of children still running or due to restart. */
int tt_sup_poll(struct tt_sup *s, uint64_t now_ns);
/* Stops the children in reverse order of addition: SIGTERM, wait up to grace_ns each,
 * then SIGKILL. Returns the number that needed SIGKILL. */
int tt_sup_stop_all(struct tt_sup *s, uint64_t grace_ns);

const char *tt_sup_state_name(enum tt_sup_state st);
uint64_t tt_sup_now_ns(void);

#endif /* TT_SUP_H */
