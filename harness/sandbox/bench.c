/*
 * bench.c — `tt-sandbox bench`: the cost of isolation, measured three ways on the same
 * command in a throwaway work tree: bare fork+exec+wait, inside one per-session sandbox
 * (tt_sb_exec into an agent started once), and a fresh sandbox per call (start+exec+stop).
 * Prints median and p90 per mode and the overhead of each against bare. Fresh runs are
 * fewer (--fresh N) to keep the whole thing well under a minute.
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"

int tt__sb_bench(struct tt_sb_policy *p, char **cmd, int n, int fresh);

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, int q)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return v[(n - 1) * q / 100];
}

static int bare(char **cmd)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void report(const char *name, double *v, int n, double base)
{
	double med = pct(v, n, 50);
	double p90 = pct(v, n, 90);

	printf("%-28s n=%-4d median %9.1f us  p90 %9.1f us", name, n, med, p90);
	if (base > 0)
		printf("  overhead %+7.1f %% (%+.0f us)", (med - base) / base * 100.0, med - base);
	printf("\n");
}

int tt__sb_bench(struct tt_sb_policy *p, char **cmd, int n, int fresh)
{
	char root[] = "/tmp/tt-sb-bench.XXXXXX";
	char wt[64];
	char sess[96];
	double *v = calloc((size_t)(n > fresh ? n : fresh) + 1, sizeof(double));
	int rc = 0;

	if (!v || n < 1 || !mkdtemp(root))
		return 125;
	snprintf(wt, sizeof(wt), "%s/wt", root);
	mkdir(wt, 0700);
	snprintf(sess, sizeof(sess), "%s/one.c", wt);
	FILE *f = fopen(sess, "w");
	if (f) {
		fputs("int one(int x);\nint one(int x) { return x + 1; }\n", f);
		fclose(f);
	}
	snprintf(p->worktree, sizeof(p->worktree), "%s", wt);
	if (chdir(wt))
		return 125;
	int devnull = open("/dev/null", O_WRONLY);
	int saved = dup(1);
	printf("tt-sandbox bench: command:");
	for (int i = 0; cmd[i]; i++)
		printf(" %s", cmd[i]);
	printf("\n");
	fflush(stdout);

	/* Both sessions up front, then the three modes interleaved round-robin so that the
	 * noise of a shared machine (other jobs, frequency changes) hits them alike. */
	double *vs[3] = {v, calloc((size_t)n, sizeof(double)), calloc((size_t)n, sizeof(double))};
	char sd[2][96];
	if (!vs[1] || !vs[2])
		return 125;
	for (int mode = 0; mode < 2; mode++) {
		p->diff = mode ? TT_SB_DIFF_COMMAND : TT_SB_DIFF_OFF;
		snprintf(sd[mode], sizeof(sd[mode]), "%s/session-%d", root, mode);
		if (tt_sb_start(p, sd[mode])) {
			fprintf(stderr, "bench: start: %s\n", tt_err_msg());
			return 125;
		}
	}
	dup2(devnull, 1); /* the command's stdout */
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 3; k++) {
			int m = (i + k) % 3;
			double t = now_us();
			int r = m == 0 ? bare(cmd) : tt_sb_exec(sd[m - 1], cmd, wt);
			vs[m][i] = now_us() - t;
			if (r != 0)
				rc = 1;
		}
	}
	dup2(saved, 1);
	for (int mode = 0; mode < 2; mode++)
		if (tt_sb_stop(sd[mode]))
			rc = 1;
	double base = pct(vs[0], n, 50);
	report("bare fork+exec", vs[0], n, 0);
	report("per-session (diff=off)", vs[1], n, base);
	report("per-session (diff=command)", vs[2], n, base);
	fflush(stdout);
	free(vs[1]);
	free(vs[2]);

	p->diff = TT_SB_DIFF_OFF;
	for (int i = 0; i < fresh; i++) {
		snprintf(sess, sizeof(sess), "%s/fresh-%d", root, i);
		dup2(devnull, 1);
		double t = now_us();
		if (tt_sb_start(p, sess) || tt_sb_exec(sess, cmd, wt) != 0 || tt_sb_stop(sess))
			rc = 1;
		v[i] = now_us() - t;
		dup2(saved, 1);
	}
	if (fresh > 0)
		report("fresh sandbox per call", v, fresh, base);
	printf("traces under %s\n", root);
	free(v);
	close(devnull);
	close(saved);
	if (rc)
		fprintf(stderr, "bench: some runs failed: %s\n", tt_err_msg());
	return rc;
}
