/*
 * tt_sandbox.h — tt-sandbox: a per-session isolation context for agents' commands
 * (DESIGN §6, Harness issue). One session = one bubblewrap sandbox (new user, pid, net, ipc,
 * uts, cgroup namespaces; loopback only; read-only base; writable work tree; private /tmp;
 * home and secret paths masked; capabilities dropped; no new privileges) with a long-lived
 * agent inside that loads the seccomp filter and runs every command it is sent.
 *
 *   tt_sb_start()  ──►  RUNNING  ──tt_sb_exec()──►  RUNNING  (any number of commands)
 *        │                 │  60 % wall clock: "checkpoint" event
 *        │ any step fails  │  100 % wall clock / cpu / disk: "limit" event ──► ENDED
 *        ▼                 ▼  tt_sb_stop()
 *     REFUSED            ENDED (session dir and trace kept; partial state kept)
 *
 * Fail closed: a missing bwrap, an unloadable filter, an unwritable cgroup or any other
 * failed isolation step refuses the session with a reason (tt_err trail) and the command is
 * never run. Everything is traced as JSON lines in <session>/trace.jsonl; every refusal is
 * also one `denied` JSON line on stderr.
 */
#ifndef TT_SANDBOX_H
#define TT_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"

#define TT_SB_MAX_LIST 32
#define TT_SB_PATH     512

/* What the diff part of the trace covers. */
enum tt_sb_diff {
	TT_SB_DIFF_OFF = 0, /* no work-tree walks (benchmarks) */
	TT_SB_DIFF_SESSION, /* one diff against the starting snapshot at stop */
	TT_SB_DIFF_COMMAND, /* also one per command, against the state before it */
};

/* A synthetic credential to inject: NAME and the format of the real one. */
struct tt_sb_cred {
	char name[64];	 /* environment variable */
	char format[32]; /* binance-hmac, aws-akid, aws-secret, kalshi-key-id, hex32 */
};

/* Session policy: read from an INI file by tt_sb_policy_load(). Caller-owned. */
struct tt_sb_policy {
	char file[TT_SB_PATH];	   /* where it was read from ("" = builtin) */
	char worktree[TT_SB_PATH]; /* writable work tree (absolute) */
	char bwrap[TT_SB_PATH];	   /* bubblewrap binary */
	uint64_t wall_ms;	   /* wall-clock budget, 0 = none */
	uint32_t checkpoint_pct;   /* checkpoint event at this % of wall */
	uint64_t cpu_s;		   /* per-process and per-session CPU s */
	uint64_t mem_bytes;	   /* per-process address space */
	uint64_t procs;		   /* processes in the sandbox (pids cgroup) */
	uint64_t disk_bytes;	   /* bytes written: per file, /tmp, work tree */
	enum tt_sb_diff diff;	   /* trace diff granularity */
	char secret_paths[TT_SB_MAX_LIST][TT_SB_PATH]; /* masked (empty, unreadable) */
	int n_secret_paths;
	char prod_env[TT_SB_MAX_LIST][64]; /* prod-tagged variable name patterns */
	int n_prod_env;
	char pass_env[TT_SB_MAX_LIST][64]; /* variables passed through as they are */
	int n_pass_env;
	struct tt_sb_cred creds[TT_SB_MAX_LIST]; /* synthetic credentials */
	int n_creds;
	char grant_write[TT_SB_MAX_LIST][TT_SB_PATH]; /* capability grants: extra writable paths */
	int n_grant_write;
	uint16_t grant_port[TT_SB_MAX_LIST]; /* grants: host loopback ports reachable inside */
	int n_grant_port;
};

/* Fills p with the built-in defaults, then (file != NULL) overrides from the INI file.
 * Returns 0, or -TT_ECONFIG with a `file:line: key: expected, found` trail. */
TT_WUR int tt_sb_policy_load(struct tt_sb_policy *p, const char *file);

/* Starts a session in dir (created if missing; must not be inside the work tree). Returns
 * 0 once the agent inside is ready, or a negative code with the reason in the tt_err trail
 * (REFUSED: nothing will run). The supervisor process outlives the caller. */
TT_WUR int tt_sb_start(const struct tt_sb_policy *p, const char *dir);

/* Runs argv inside the session with the caller's stdin/stdout/stderr, from cwd (must be
 * inside the work tree, else the work tree root). Returns the command's exit code (128+sig
 * when killed by a signal), or negative on failure: -ESRCH no session, -ETIME the session
 * ended by a limit while it ran. Appends a "command" trace event. */
TT_WUR int tt_sb_exec(const char *dir, char *const argv[], const char *cwd);

/* Ends the session: the sandbox and everything in it is killed, the final diff and a
 * "session-end" event are traced. Files written are kept. 0, or -ESRCH. */
TT_WUR int tt_sb_stop(const char *dir);

/* Runs tt-gate on range (base..head) in the session's work tree, outside the sandbox, and
 * traces a "gate" event. Returns the verdict: 0 pass, 1 review, 2 blocked (also when the
 * gate can't be found or run: fail closed). gate_policy may be NULL (the repo's default). */
TT_WUR int tt_sb_gate(const char *dir, const char *gate_policy, const char *range);

/* Internal (shared by the .c files of this module). */
void tt__sb_json_str(FILE *f, const char *s);
int tt__sb_trace_line(const char *dir, const char *line);
void tt__sb_denied(const char *dir, const char *what, const char *target, const char *rule,
		   const char *process);
int tt__sb_agent_main(int argc, char **argv);
int tt__sb_seccomp_load(int event_fd, int *notify_fd);
void tt__sb_seccomp_allow_unix(const char *root);
void tt__sb_seccomp_serve(int notify_fd, int event_fd, int (*cur_err_fd)(void));
int tt__sb_creds_build(const struct tt_sb_policy *p, const char *dir, char **envp, int max, int *n);

/* Secret-read tripwire (decoy.c): fanotify on synthetic decoys of the secret files. */
int tt__sb_decoy_init(const char *dir);
bool tt__sb_decoy_on(void);
int tt__sb_decoy_dir(const char *tag, const char *inside, const char *const *files,
		     char *outside, size_t n);
int tt__sb_decoy_one(const char *tag, const char *inside, char *outside, size_t n);
int tt__sb_decoy_serve(void);
/* Writes line to the stderr of host pid (only one it holds for writing; never blocks). */
void tt__sb_tell_stderr(int pid, const char *line);
/* Packet-level network taps in the sandbox's netns (nettrap.c); bw: the bwrap pid. */
int tt__sb_nettrap_start(const char *dir, int bw);
void tt__sb_nettrap_drain(void);

/* Work-tree snapshots (snapshot.c): one line per regular file "size mtime_ns path". */
int tt__sb_snap_write(const char *root, const char *out);
/* Appends "created":[..],"changed":[..],"deleted":[..] (JSON members, no braces) to f,
 * and the bytes grown to *grown. 0 or -errno. */
int tt__sb_snap_diff(const char *before, const char *after, FILE *f, uint64_t *grown);

#endif /* TT_SANDBOX_H */
