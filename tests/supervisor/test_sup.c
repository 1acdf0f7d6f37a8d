/*
 * test_sup.c — supervision with real child processes (/bin/sh): pinning, restart with
 * growing backoff, FAILED after too many restarts, NEVER policy, hung detection via the
 * heartbeat hook, orderly stop with SIGKILL for a child that ignores SIGTERM, and a clear
 * error for an exec that cannot happen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_sup.h"

static struct tt_sup S;
static int events[8];
static uint64_t hb_value;

static void on_event(void *arg, const struct tt_sup_child *c, enum tt_sup_event ev)
{
	(void)arg;
	(void)c;
	events[ev]++;
}

static uint64_t heartbeat(void *arg, int i)
{
	(void)arg;
	(void)i;
	return hb_value;
}

static int setup(void **state)
{
	tt_sup_init(&S);
	S.on_event = on_event;
	S.heartbeat_ns = heartbeat;
	memset(events, 0, sizeof(events));
	hb_value = 0;
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	tt_sup_stop_all(&S, 200000000ull);
	(void)state;
	return 0;
}

static int add_sh(const char *name, const char *script, uint32_t restart, int core)
{
	struct tt_sup_child_cfg c;

	memset(&c, 0, sizeof(c));
	c.stdin_fd = -1;
	c.stderr_fd = -1;
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.path, sizeof(c.path), "/bin/sh");
	snprintf(c.args[0], sizeof(c.args[0]), "-c");
	snprintf(c.args[1], sizeof(c.args[1]), "%s", script);
	c.core = core;
	c.restart = restart;
	c.max_restarts = 3;
	c.restart_window_ns = 60ull * 1000000000ull;
	c.hung_ns = 1000000000ull;
	return tt_sup_add(&S, &c);
}

/* Waits until child i has exited and been reaped by polls at time now. */
static void poll_until_not_running(int i, uint64_t now)
{
	for (int k = 0; k < 5000 && S.child[i].state == TT_CHILD_RUNNING; k++) {
		tt_sup_poll(&S, now);
		usleep(1000);
	}
	assert_int_not_equal(S.child[i].state, TT_CHILD_RUNNING);
}

static void test_child_is_pinned_to_its_core(void **state)
{
	int i = add_sh("pinned", "sleep 30", TT_RESTART_NEVER, 0);
	char path[64], line[256];
	FILE *f;
	bool seen = false;

	assert_int_equal(tt_sup_start(&S, i), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", S.child[i].pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			assert_string_equal(line + 18 + strspn(line + 18, " \t"), "0\n");
			seen = true;
		}
	fclose(f);
	assert_true(seen);
	(void)state;
}

static void test_crashing_child_restarts_with_backoff_then_fails(void **state)
{
	int i = add_sh("crasher", "exit 3", TT_RESTART_ALWAYS, -1);
	uint64_t now = tt_sup_now_ns(), prev_delay = 0;

	assert_int_equal(tt_sup_start(&S, i), 0);
	for (int round = 0; round < 3; round++) {
		uint64_t delay;

		poll_until_not_running(i, now);
		assert_int_equal(S.child[i].state, TT_CHILD_BACKOFF);
		assert_true(WIFEXITED(S.child[i].last_status));
		assert_int_equal(WEXITSTATUS(S.child[i].last_status), 3);
		delay = S.child[i].next_start_ns - now;
		assert_true(delay > prev_delay); /* backoff grows */
		prev_delay = delay;
		tt_sup_poll(&S, now + delay - 1); /* not yet */
		assert_int_equal(S.child[i].state, TT_CHILD_BACKOFF);
		now += delay;
		tt_sup_poll(&S, now); /* restarted */
		assert_int_equal(S.child[i].restarts, (uint32_t)round + 1);
	}
	poll_until_not_running(i, now); /* 4th exit within the window: FAILED */
	assert_int_equal(S.child[i].state, TT_CHILD_FAILED);
	assert_true(S.failed);
	assert_int_equal(events[TT_SUP_EV_FAILED], 1);
	assert_int_equal(events[TT_SUP_EV_STARTED], 4);
	(void)state;
}

static void test_never_policy_stays_stopped(void **state)
{
	int i = add_sh("once", "exit 0", TT_RESTART_NEVER, -1);

	assert_int_equal(tt_sup_start(&S, i), 0);
	poll_until_not_running(i, tt_sup_now_ns());
	assert_int_equal(S.child[i].state, TT_CHILD_STOPPED);
	assert_false(S.failed);
	(void)state;
}

static void test_hung_child_is_killed_and_restarted(void **state)
{
	int i = add_sh("hung", "sleep 30", TT_RESTART_ALWAYS, -1);
	uint64_t now;
	pid_t first;

	assert_int_equal(tt_sup_start(&S, i), 0);
	first = S.child[i].pid;
	now = tt_sup_now_ns();
	hb_value = now; /* fresh: nothing happens */
	tt_sup_poll(&S, now + 500000000ull);
	assert_int_equal(S.child[i].state, TT_CHILD_RUNNING);
	/* heartbeat now 2 s old (limit 1 s), child started > 1 s ago */
	tt_sup_poll(&S, now + 2000000000ull);
	assert_int_equal(events[TT_SUP_EV_HUNG], 1);
	assert_int_equal(S.child[i].state, TT_CHILD_BACKOFF);
	assert_true(WIFSIGNALED(S.child[i].last_status));
	assert_int_equal(kill(first, 0), -1); /* really gone */
	(void)state;
}

static void test_stop_kills_a_child_that_ignores_sigterm(void **state)
{
	int a = add_sh("polite", "sleep 30", TT_RESTART_ALWAYS, -1);
	int b = add_sh("stubborn", "trap '' TERM; while :; do sleep 1; done", TT_RESTART_ALWAYS, -1);

	assert_int_equal(tt_sup_start_all(&S), 0);
	usleep(200000); /* let the shell install its trap */
	assert_int_equal(tt_sup_stop_all(&S, 300000000ull), 1);
	assert_int_equal(S.child[a].state, TT_CHILD_STOPPED);
	assert_int_equal(S.child[b].state, TT_CHILD_STOPPED);
	assert_int_equal(events[TT_SUP_EV_STOPPED], 2);
	/* stopped children are not restarted */
	assert_int_equal(tt_sup_poll(&S, tt_sup_now_ns() + 10000000000ull), 0);
	(void)state;
}

static void test_exec_failure_names_the_step(void **state)
{
	struct tt_sup_child_cfg c;
	int i;

	memset(&c, 0, sizeof(c));
	c.stdin_fd = -1;
	c.stderr_fd = -1;
	snprintf(c.name, sizeof(c.name), "ghost");
	snprintf(c.path, sizeof(c.path), "/nonexistent/tt-ghost");
	c.core = -1;
	i = tt_sup_add(&S, &c);
	assert_true(i >= 0);
	assert_int_equal(tt_sup_start(&S, i), -ENOENT);
	assert_string_equal(tt_err_msg(), "ghost: exec(/nonexistent/tt-ghost): No such file or directory");
	assert_int_equal(S.child[i].state, TT_CHILD_STOPPED);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_child_is_pinned_to_its_core, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crashing_child_restarts_with_backoff_then_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_policy_stays_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_child_is_killed_and_restarted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_kills_a_child_that_ignores_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure_names_the_step, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
