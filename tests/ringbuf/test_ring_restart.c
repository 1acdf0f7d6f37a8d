/*
 * test_ring_restart.c — restart semantics with a real kill -9: a producer process streams
 * TT_RESTART_MSGS messages (default 300,000) into a small lossless ring; the first consumer
 * process is SIGKILLed at a random moment after it consumed some; a second consumer
 * attaches, takes over the dead claim and must start exactly at the released tail and see
 * every later message once, in order, to the end.
 *
 * Message i carries seq i (lossless, one producer from index 0), so "starts at the
 * released tail" is checkable: the new consumer's first seq equals its resume index.
 * The dead consumer records in shared memory how far it had looked (seen, before its
 * release); released <= seen <= released + 1 because it releases one at a time, so the
 * two consumers together cover every message, with at most the one in-flight message
 * (peeked, not released, at the kill) delivered twice, by design.
 */
#include "tt_ring.h"

#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ring_test_msg.h"

struct shared {
	_Atomic uint64_t seen;	    /* consumer 1: seqs looked at (seq + 1 of the last) */
	_Atomic uint64_t resume_at; /* consumer 2: its index right after attach */
	_Atomic uint64_t first_seq; /* consumer 2: first seq it received */
	_Atomic uint64_t got;	    /* consumer 2: messages received */
};

static char g_name[TT_RING_NAME_MAX];
static uint64_t g_msgs;
static uint64_t g_seed;
static struct shared *g_sh;

static const struct tt_ring_params g_params = {
    .slot_size = 64, .capacity = 64, .mode = TT_RING_LOSSLESS, .msg_version = 1};

static int producer(void)
{
	struct tt_ring r;
	uint64_t rng = g_seed ^ 0x70726f64ull;
	int dead_ms = 0;

	if (tt_ring_attach(&r, g_name, TT_RING_PRODUCER, &g_params, TT_WAIT_FUTEX))
		return 10;
	for (uint64_t seq = 0; seq < g_msgs; seq++) {
		void *slot;

		while (!(slot = tt_ring_reserve(&r))) {
			int rc = tt_ring_wait_space(&r, UINT64_MAX);

			/* The consumer is dead until its successor attaches: keep the data,
			 * retry for up to 10 s. */
			if (rc == -TT_EPEERDEAD && dead_ms++ < 10000)
				usleep(1000);
			else if (rc)
				return 11;
		}
		rt_fill(slot, seq);
		tt_ring_commit(&r);
		tt_ring_publish(&r);
		if ((seq & 0x3fff) == 0)
			tt_ring_heartbeat(&r);
		rt_maybe_pause(&rng);
	}
	tt_ring_detach(&r);
	return 0;
}

/* Consumer 1: consumes one at a time until SIGKILLed. Writes a byte to fd after
 * `signal_after` messages, then slows down so the parent's kill lands mid-stream. */
static int consumer_killed(int fd, uint64_t signal_after)
{
	struct tt_ring r;
	uint64_t rng = g_seed ^ 0x636f6e31ull;
	uint64_t next = 0, seq;

	if (tt_ring_attach(&r, g_name, TT_RING_CONSUMER, &g_params, TT_WAIT_FUTEX))
		return 20;
	for (;;) {
		const void *s = tt_ring_peek(&r);

		if (!s) {
			if (tt_ring_wait_data(&r, UINT64_MAX))
				return 21;
			continue;
		}
		if (!rt_check(s, &seq) || seq != next)
			return 22;
		/* Record before releasing: seen may run one ahead of the released tail. */
		tt_store_relaxed(&g_sh->seen, seq + 1);
		tt_ring_release(&r);
		next++;
		if (next == signal_after && write(fd, "k", 1) != 1)
			return 23;
		if ((next & 0x3fff) == 0)
			tt_ring_heartbeat(&r);
		/* Past the signal, crawl so the kill lands mid-stream, not after the end. */
		if (next > signal_after)
			usleep(20);
		else
			rt_maybe_pause(&rng);
	}
}

static int consumer_after_restart(void)
{
	struct tt_ring r;
	uint64_t rng = g_seed ^ 0x636f6e32ull;
	uint64_t next, seq, got = 0;
	int rc;

	if (tt_ring_attach(&r, g_name, TT_RING_CONSUMER, &g_params, TT_WAIT_FUTEX))
		return 30;
	next = r.local; /* the shared tail it resumed at */
	tt_store_relaxed(&g_sh->resume_at, next);
	for (;;) {
		const void *s = tt_ring_peek(&r);

		if (!s) {
			/* Bounded: a lost message must fail the test, not hang it. */
			rc = tt_ring_wait_data(&r, 10000000000ull);
			if (rc == -TT_EPEERDEAD)
				break; /* producer finished and detached, all drained */
			if (rc)
				return 31;
			continue;
		}
		if (!rt_check(s, &seq))
			return 32;
		if (got == 0)
			tt_store_relaxed(&g_sh->first_seq, seq);
		if (seq != next)
			return 33;
		tt_ring_release(&r);
		next++;
		got++;
		if ((got & 0x3fff) == 0)
			tt_ring_heartbeat(&r);
		rt_maybe_pause(&rng);
	}
	tt_store_relaxed(&g_sh->got, got);
	tt_ring_detach(&r);
	return next == g_msgs ? 0 : 34;
}

static void test_consumer_killed_mid_stream_is_resumed_without_loss_or_duplicate(void **state)
{
	uint64_t kill_after = g_msgs / 4 + rt_rand(&(uint64_t){g_seed}) % (g_msgs / 4);
	pid_t prod, c1, c2;
	int fds[2], st;
	char b;

	snprintf(g_name, sizeof(g_name), "tt-ring-restart-%d", (int)getpid());
	g_sh = mmap(NULL, sizeof(*g_sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(g_sh != MAP_FAILED);
	memset(g_sh, 0, sizeof(*g_sh));
	assert_int_equal(tt_ring_create(g_name, &g_params), 0);
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);

	c1 = fork();
	assert_true(c1 >= 0);
	if (c1 == 0)
		_exit(consumer_killed(fds[1], kill_after));
	close(fds[1]); /* a consumer that fails early closes the pipe: read() returns 0 */
	prod = fork();
	assert_true(prod >= 0);
	if (prod == 0)
		_exit(producer());

	/* Kill the consumer somewhere past kill_after: it keeps consuming meanwhile. */
	assert_int_equal(read(fds[0], &b, 1), 1);
	usleep((useconds_t)(rt_rand(&(uint64_t){g_seed ^ 1}) % 2000));
	assert_int_equal(kill(c1, SIGKILL), 0);
	assert_int_equal(waitpid(c1, &st, 0), c1);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);

	c2 = fork();
	assert_true(c2 >= 0);
	if (c2 == 0)
		_exit(consumer_after_restart());
	assert_int_equal(waitpid(c2, &st, 0), c2);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(waitpid(prod, &st, 0), prod);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	printf("  killed after %" PRIu64 " seen, resumed at %" PRIu64 ", then got %" PRIu64
	       " of %" PRIu64 "\n",
	       (uint64_t)g_sh->seen, (uint64_t)g_sh->resume_at, (uint64_t)g_sh->got, g_msgs);
	assert_true(g_sh->seen >= kill_after);
	/* Nothing lost: the dead consumer looked at everything below the released tail. */
	assert_true(g_sh->resume_at <= g_sh->seen);
	/* Nothing duplicated beyond the single in-flight (peeked, unreleased) message. */
	assert_true(g_sh->seen - g_sh->resume_at <= 1);
	/* Exactly at the released tail, then every message once to the end. */
	assert_int_equal(g_sh->first_seq, g_sh->resume_at);
	assert_int_equal(g_sh->resume_at + g_sh->got, g_msgs);

	close(fds[0]);
	(void)tt_ring_unlink(g_name);
	munmap(g_sh, sizeof(*g_sh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_consumer_killed_mid_stream_is_resumed_without_loss_or_duplicate),
	};

	g_msgs = rt_env_u64("TT_RESTART_MSGS", 300000);
	if (g_msgs < 8)
		g_msgs = 8;
	g_seed = rt_seed();
	printf("test_ring_restart: %" PRIu64 " messages, seed 0x%016" PRIx64 "\n", g_msgs, g_seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
