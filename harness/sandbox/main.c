/*
 * main.c — the tt-sandbox command line (see README.md):
 *
 *   tt-sandbox run   [--policy F] [--session DIR] [--worktree D] [--bwrap B] -- CMD...
 *   tt-sandbox start [--policy F] --session DIR [--worktree D] [--bwrap B]
 *   tt-sandbox exec  --session DIR -- CMD...
 *   tt-sandbox stop  --session DIR
 *   tt-sandbox gate  --session DIR [--policy GATE_POLICY] BASE..HEAD
 *   tt-sandbox bench [--policy F] [-n N] [--fresh N] -- CMD...
 *
 * Exit codes: the command's own (128+signal when killed); 124 the session ended by a limit
 * while it ran; 125 tt-sandbox refused or failed (the command did not run); 2 usage.
 * TT_SANDBOX_BWRAP overrides the bubblewrap path (tests point it at a missing file).
 * `gate` is how an artifact leaves a session: tt-gate (TT_GATE, else tt-gate next to this
 * binary or in ../gate/, else on PATH) checks the range in the session's work tree, outside
 * the sandbox; its verdict is traced and is the exit code (0 pass, 1 review, 2 blocked).
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"

int tt__sb_bench(struct tt_sb_policy *p, char **cmd, int n, int fresh);

struct opts {
	const char *policy;
	const char *session;
	const char *worktree;
	const char *bwrap;
	int n;
	int fresh;
	char **cmd;
	const char *range;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: tt-sandbox run [--policy F] [--session DIR] [--worktree D] [--bwrap B] -- "
		"CMD...\n"
		"       tt-sandbox start [--policy F] --session DIR [--worktree D] [--bwrap B]\n"
		"       tt-sandbox exec --session DIR -- CMD...\n"
		"       tt-sandbox stop --session DIR\n"
		"       tt-sandbox gate --session DIR [--policy GATE_POLICY] BASE..HEAD\n"
		"       tt-sandbox bench [--policy F] [-n N] [--fresh N] [-- CMD...]\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			o->cmd = &argv[i + 1];
			return 0;
		}
		if (a[0] != '-' && !o->range) {
			o->range = a;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (!strcmp(a, "--policy"))
			o->policy = argv[++i];
		else if (!strcmp(a, "--session"))
			o->session = argv[++i];
		else if (!strcmp(a, "--worktree"))
			o->worktree = argv[++i];
		else if (!strcmp(a, "--bwrap"))
			o->bwrap = argv[++i];
		else if (!strcmp(a, "-n"))
			o->n = atoi(argv[++i]);
		else if (!strcmp(a, "--fresh"))
			o->fresh = atoi(argv[++i]);
		else
			return -1;
	}
	return 0;
}

static int refuse(const char *session, const char *what)
{
	char line[4096];

	snprintf(line, sizeof(line), "%s: %s", what, tt_err_msg());
	tt__sb_denied(session, "exec", line, "fail-closed", "tt-sandbox");
	fprintf(stderr, "tt-sandbox: refused, the command was not run: %s\n", tt_err_msg());
	return 125;
}

static int load_policy(struct opts *o, struct tt_sb_policy *p)
{
	const char *env_bwrap = getenv("TT_SANDBOX_BWRAP");

	if (tt_sb_policy_load(p, o->policy)) {
		fprintf(stderr, "tt-sandbox: policy: %s\n", tt_err_msg());
		return -1;
	}
	if (o->worktree && !realpath(o->worktree, p->worktree)) {
		fprintf(stderr, "tt-sandbox: --worktree %s: %s\n", o->worktree, strerror(errno));
		return -1;
	}
	if (env_bwrap)
		snprintf(p->bwrap, sizeof(p->bwrap), "%s", env_bwrap);
	if (o->bwrap)
		snprintf(p->bwrap, sizeof(p->bwrap), "%s", o->bwrap);
	return 0;
}

static int exec_code(const char *dir, char **cmd)
{
	char cwd[PATH_MAX];
	int rc = tt_sb_exec(dir, cmd, getcwd(cwd, sizeof(cwd)) ? cwd : NULL);

	if (rc >= 0)
		return rc;
	fprintf(stderr, "tt-sandbox: %s\n", tt_err_msg());
	return rc == -ETIME ? 124 : 125;
}

int main(int argc, char **argv)
{
	struct opts o = {.n = 200, .fresh = 20};
	static struct tt_sb_policy p;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "__agent"))
		return tt__sb_agent_main(argc, argv);
	if (argc < 2 || parse(argc, argv, &o))
		return usage();
	const char *sub = argv[1];
	if (!strcmp(sub, "start") || !strcmp(sub, "run")) {
		char tmpl[] = "/tmp/tt-sandbox.XXXXXX";
		bool is_run = !strcmp(sub, "run");
		if ((is_run && (!o.cmd || !o.cmd[0])) || (!is_run && !o.session))
			return usage();
		if (load_policy(&o, &p))
			return 125;
		if (!o.session) {
			if (!mkdtemp(tmpl)) {
				perror("tt-sandbox: mkdtemp");
				return 125;
			}
			o.session = tmpl;
		}
		if (tt_sb_start(&p, o.session))
			return refuse(o.session, "start");
		if (!is_run)
			return 0;
		rc = exec_code(o.session, o.cmd);
		if (tt_sb_stop(o.session) && rc != 124)
			fprintf(stderr, "tt-sandbox: stop: %s\n", tt_err_msg());
		fprintf(stderr, "tt-sandbox: trace: %s/trace.jsonl\n", o.session);
		return rc;
	}
	if (!strcmp(sub, "exec")) {
		if (!o.session || !o.cmd || !o.cmd[0])
			return usage();
		return exec_code(o.session, o.cmd);
	}
	if (!strcmp(sub, "stop")) {
		if (!o.session)
			return usage();
		if (tt_sb_stop(o.session)) {
			fprintf(stderr, "tt-sandbox: %s\n", tt_err_msg());
			return 1;
		}
		return 0;
	}
	if (!strcmp(sub, "gate")) {
		if (!o.session || !o.range)
			return usage();
		return tt_sb_gate(o.session, o.policy, o.range);
	}
	if (!strcmp(sub, "bench")) {
		static char *def[] = {"true", NULL};
		if (load_policy(&o, &p))
			return 125;
		return tt__sb_bench(&p, o.cmd && o.cmd[0] ? o.cmd : def, o.n, o.fresh);
	}
	return usage();
}
