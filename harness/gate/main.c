/*
 * main.c — the tt-gate command line (see README.md):
 *
 *   tt-gate check [--policy FILE] [--repo DIR] [--report-only] <base>..<head>
 *
 * Exit: 0 pass, 1 needs human review, 2 blocked (or the gate could not check: fail closed),
 * 3 usage. --report-only prints the same findings and exits 0 (CI on our own changes).
 * The default policy is <repo>/harness/policy/gate.ini; edits to the policy in use need
 * review.
 */
#include "tt_gate.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_err.h"

static int toplevel(const char *repo, char *out, size_t n)
{
	int pfd[2];
	pid_t pid;
	int st;
	ssize_t r;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execlp("git", "git", "-C", repo, "rev-parse", "--show-toplevel", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	r = read(pfd[0], out, n - 1);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (r <= 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ENOENT;
	out[r] = 0;
	out[strcspn(out, "\n")] = 0;
	return 0;
}

int main(int argc, char **argv)
{
	static struct tt_gate_policy p;
	const char *policy = NULL;
	const char *repo = ".";
	const char *range = NULL;
	bool report_only = false;
	char top[PATH_MAX];
	char def[PATH_MAX + 32];
	char real[PATH_MAX];
	const char *rel = NULL;

	if (argc < 2 || strcmp(argv[1], "check"))
		goto usage;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			policy = argv[++i];
		else if (!strcmp(argv[i], "--repo") && i + 1 < argc)
			repo = argv[++i];
		else if (!strcmp(argv[i], "--report-only"))
			report_only = true;
		else if (argv[i][0] != '-' && !range)
			range = argv[i];
		else
			goto usage;
	}
	if (!range)
		goto usage;
	if (toplevel(repo, top, sizeof(top))) {
		fprintf(stderr, "tt-gate: %s is not a git repository: BLOCK (fail closed)\n", repo);
		return report_only ? 0 : TT_GATE_BLOCK;
	}
	if (!policy) {
		snprintf(def, sizeof(def), "%s/harness/policy/gate.ini", top);
		policy = def;
	}
	if (tt_gate_policy_load(&p, policy)) {
		fprintf(stderr, "tt-gate: policy: %s: BLOCK (fail closed)\n", tt_err_msg());
		return report_only ? 0 : TT_GATE_BLOCK;
	}
	size_t tl = strlen(top);
	if (realpath(policy, real) && !strncmp(real, top, tl) && real[tl] == '/')
		rel = real + tl + 1;
	int v = tt_gate_check(&p, top, range, rel, stdout);
	tt_gate_policy_fini(&p);
	if (report_only && v)
		printf("tt-gate: report-only: exit 0 instead of %d\n", v);
	return report_only ? 0 : v;
usage:
	fprintf(stderr, "usage: tt-gate check [--policy FILE] [--repo DIR] [--report-only] "
			"<base>..<head>\n");
	return 3;
}
