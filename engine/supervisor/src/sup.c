/*
 * sup.c — the supervisor's process management (tt_sup.h). Everything here is cold path:
 * the engine calls tt_sup_poll from its control loop, never from a hot loop.
 */
#include "tt_sup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"

#define BACKOFF_MIN_NS 100000000ull	/* 100 ms */
#define BACKOFF_MAX_NS 5000000000ull	/* 5 s */

static const char *const state_names[] = { "stopped", "running", "backoff", "failed" };

const char *tt_sup_state_name(enum tt_sup_state st)
{
	return (unsigned)st < 4 ? state_names[st] : "unknown";
}

uint64_t tt_sup_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tt_sup_init(struct tt_sup *s)
{
	memset(s, 0, sizeof(*s));
}

static void emit(struct tt_sup *s, const struct tt_sup_child *c, enum tt_sup_event ev)
{
	if (s->on_event)
		s->on_event(s->arg, c, ev);
}

int tt_sup_add(struct tt_sup *s, const struct tt_sup_child_cfg *cfg)
{
	struct tt_sup_child *c;

	if (s->n >= TT_SUP_MAX_CHILDREN)
		return tt_err_set(-ENOSPC, "supervisor: more than %d children", TT_SUP_MAX_CHILDREN);
	if (!cfg->name[0] || !cfg->path[0] || cfg->restart > TT_RESTART_RECOVER)
		return tt_err_set(-EINVAL, "supervisor: child \"%s\": name, path and restart policy required",
				  cfg->name);
	c = &s->child[s->n];
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->backoff_ns = BACKOFF_MIN_NS;
	return s->n++;
}

/* true when cpu is listed in /sys/devices/system/cpu/isolated ("2-3,6"). */
static bool core_isolated(int cpu)
{
	char buf[256], *p;
	FILE *f = fopen("/sys/devices/system/cpu/isolated", "r");
	bool iso = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		for (p = strtok(buf, ",\n"); p; p = strtok(NULL, ",\n")) {
			int a, b;

			if (sscanf(p, "%d-%d", &a, &b) == 2) {
				if (cpu >= a && cpu <= b)
					iso = true;
			} else if (sscanf(p, "%d", &a) == 1 && a == cpu) {
				iso = true;
			}
		}
	}
	fclose(f);
	return iso;
}

/* In the child, between fork and exec. Only async-signal-safe-ish calls; failures are
 * reported through the pipe so the parent can name the step. */
static void child_exec(const struct tt_sup_child_cfg *cfg, int errfd)
{
	char *argv[TT_SUP_MAX_ARGS + 2];
	int n = 0, code;
	const char *step = "exec";

	if (cfg->stdin_fd >= 0 && dup2(cfg->stdin_fd, 0) < 0) {
		step = "dup2(stdin)";
		goto fail;
	}
	if (cfg->stderr_fd >= 0 && dup2(cfg->stderr_fd, 2) < 0) {
		step = "dup2(stderr)";
		goto fail;
	}
	/* Own process group: stop and kill reach everything the child started. */
	if (setpgid(0, 0) != 0) {
		step = "setpgid";
		goto fail;
	}
	if (cfg->core >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cfg->core, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			step = "sched_setaffinity";
			goto fail;
		}
		if (cfg->fifo && core_isolated(cfg->core)) {
			struct sched_param sp = { .sched_priority = 50 };

			if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
				step = "sched_setscheduler(SCHED_FIFO)";
				goto fail;
			}
		}
	}
	argv[n++] = (char *)cfg->name;
	for (int i = 0; i < TT_SUP_MAX_ARGS && cfg->args[i][0]; i++)
		argv[n++] = (char *)cfg->args[i];
	argv[n] = NULL;
	execv(cfg->path, argv);
fail:
	code = errno;
	(void)!write(errfd, &code, sizeof(code));
	(void)!write(errfd, step, strlen(step));
	_exit(127);
}

int tt_sup_start(struct tt_sup *s, int i)
{
	struct tt_sup_child *c = &s->child[i];
	int pfd[2], code = 0;
	char step[64] = "";
	ssize_t r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return tt_err_set(-errno, "%s: pipe2: %s", c->cfg.name, strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return tt_err_set(-errno, "%s: fork: %s", c->cfg.name, strerror(errno));
	}
	if (pid == 0) {
		close(pfd[0]);
		child_exec(&c->cfg, pfd[1]);
	}
	/* Both sides set the group (classic race: a signal to the group must not find it
	 * missing); after the child's exec this fails harmlessly with EACCES. */
	(void)setpgid(pid, pid);
	close(pfd[1]);
	/* exec closes the CLOEXEC pipe: EOF means success, data means a failed step */
	r = read(pfd[0], &code, sizeof(code));
	if (r == (ssize_t)sizeof(code)) {
		ssize_t l = read(pfd[0], step, sizeof(step) - 1);

		step[l > 0 ? l : 0] = '\0';
	}
	close(pfd[0]);
	if (r == (ssize_t)sizeof(code)) {
		waitpid(pid, NULL, 0);
		c->state = TT_CHILD_STOPPED;
		return tt_err_set(-code, "%s: %s(%s): %s", c->cfg.name, step, c->cfg.path,
				  strerror(code));
	}
	c->pid = pid;
	c->state = TT_CHILD_RUNNING;
	c->started_ns = tt_sup_now_ns();
	c->stopping = false;
	emit(s, c, TT_SUP_EV_STARTED);
	return 0;
}

int tt_sup_start_all(struct tt_sup *s)
{
	for (int i = 0; i < s->n; i++) {
		int rc = tt_sup_start(s, i);

		if (rc)
			return rc;
	}
	return 0;
}

/* A child exited (or was killed as hung): decide restart, backoff or failure. */
static void on_exit_(struct tt_sup *s, struct tt_sup_child *c, int status, uint64_t now)
{
	c->pid = 0;
	c->last_status = status;
	emit(s, c, TT_SUP_EV_EXITED);
	if (c->stopping || c->cfg.restart == TT_RESTART_NEVER) {
		c->state = TT_CHILD_STOPPED;
		return;
	}
	if (now - c->window_start_ns > c->cfg.restart_window_ns) {
		c->window_start_ns = now;
		c->recent = 0;
	}
	if (++c->recent > c->cfg.max_restarts) {
		c->state = TT_CHILD_FAILED;
		s->failed = true;
		emit(s, c, TT_SUP_EV_FAILED);
		return;
	}
	/* A child that ran a long time before dying starts from the minimum backoff. */
	if (now - c->started_ns > 10 * BACKOFF_MAX_NS)
		c->backoff_ns = BACKOFF_MIN_NS;
	c->state = TT_CHILD_BACKOFF;
	c->next_start_ns = now + c->backoff_ns;
	c->backoff_ns = c->backoff_ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : c->backoff_ns * 2;
}

int tt_sup_poll(struct tt_sup *s, uint64_t now)
{
	int alive = 0;

	for (int i = 0; i < s->n; i++) {
		struct tt_sup_child *c = &s->child[i];
		int status;

		if (c->state == TT_CHILD_RUNNING) {
			pid_t r = waitpid(c->pid, &status, WNOHANG);

			if (r == c->pid) {
				on_exit_(s, c, status, now);
			} else if (c->cfg.hung_ns && s->heartbeat_ns) {
				uint64_t hb = s->heartbeat_ns(s->arg, i);

				if (hb && now > hb && now - hb > c->cfg.hung_ns &&
				    now - c->started_ns > c->cfg.hung_ns) {
					emit(s, c, TT_SUP_EV_HUNG);
					kill(-c->pid, SIGKILL);
					waitpid(c->pid, &status, 0);
					on_exit_(s, c, status, now);
				}
			}
		}
		if (c->state == TT_CHILD_BACKOFF && now >= c->next_start_ns) {
			c->restarts++;
			if (tt_sup_start(s, i) != 0)
				on_exit_(s, c, -1, now); /* counts toward FAILED like a crash */
		}
		if (c->state == TT_CHILD_RUNNING || c->state == TT_CHILD_BACKOFF)
			alive++;
	}
	return alive;
}

int tt_sup_stop_all(struct tt_sup *s, uint64_t grace_ns)
{
	int killed = 0;

	for (int i = s->n - 1; i >= 0; i--) {
		struct tt_sup_child *c = &s->child[i];
		uint64_t deadline;
		int status;

		c->stopping = true;
		if (c->state == TT_CHILD_BACKOFF)
			c->state = TT_CHILD_STOPPED;
		if (c->state != TT_CHILD_RUNNING)
			continue;
		kill(-c->pid, SIGTERM);
		deadline = tt_sup_now_ns() + grace_ns;
		for (;;) {
			pid_t r = waitpid(c->pid, &status, WNOHANG);

			if (r == c->pid)
				break;
			if (tt_sup_now_ns() >= deadline) {
				kill(-c->pid, SIGKILL);
				waitpid(c->pid, &status, 0);
				killed++;
				break;
			}
			usleep(1000);
		}
		c->last_status = status;
		c->state = TT_CHILD_STOPPED;
		emit(s, c, TT_SUP_EV_STOPPED); /* still names the pid it had */
		c->pid = 0;
	}
	return killed;
}
