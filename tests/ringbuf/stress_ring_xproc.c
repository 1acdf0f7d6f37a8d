/*
 * stress_ring_xproc.c — a producer process and a consumer process on one real shm ring,
 * TT_STRESS_MSGS messages (default 10,000,000) per case, random batch sizes and random
 * short pauses on both sides (seed printed; TT_STRESS_SEED replays it).
 *
 * Lossless cases (FUTEX, SPIN_YIELD; never SPIN: CI has 2 shared cores): the consumer
 * checks every message is the next seq with an intact payload: nothing lost, duplicated,
 * reordered or torn; then the producer's detach must read as end of stream (EPEERDEAD).
 * Lossy case: the producer never blocks; seqs arrive strictly increasing and intact, and
 * at the end attempts == popped + dropped exactly.
 *
 * Children report problems on stderr and through their exit status; the parent asserts.
 */
#include "tt_ring.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ring_test_msg.h"

#define CAPACITY 512

static char g_name[TT_RING_NAME_MAX];
static uint64_t g_msgs;
static uint64_t g_seed;

static struct tt_ring_params params(uint32_t mode)
{
	struct tt_ring_params p = {
	    .slot_size = 64, .capacity = CAPACITY, .mode = mode, .msg_version = 1};
	return p;
}

static int die(int code, const char *fmt, ...) TT_PRINTF(2, 3);
static int die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "[pid %d] ", (int)getpid());
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (seed 0x%016" PRIx64 ")\n", g_seed);
	va_end(ap);
	_exit(code);
}

static int producer(uint32_t mode, enum tt_ring_wait wait)
{
	struct tt_ring_params p = params(mode);
	struct tt_ring r;
	uint64_t rng = g_seed ^ 0x70726f64ull;
	uint64_t batch = 0, drops = 0;
	struct tt_ring_stats st;
	int rc;

	rc = tt_ring_attach(&r, g_name, TT_RING_PRODUCER, &p, wait);
	if (rc)
		die(10, "producer attach: %s", tt_err_msg());
	for (uint64_t seq = 0; seq < g_msgs; seq++) {
		void *slot;

		while (!(slot = tt_ring_reserve(&r))) {
			if (mode == TT_RING_LOSSY)
				break;
			rc = tt_ring_wait_space(&r, UINT64_MAX);
			if (rc)
				die(11, "producer wait_space at seq %" PRIu64 ": %d %s", seq, rc,
				    tt_err_msg());
		}
		if (!slot) {
			drops++;
			continue;
		}
		rt_fill(slot, seq);
		tt_ring_commit(&r);
		if (batch == 0) {
			tt_ring_publish(&r);
			batch = rt_rand(&rng) & 15; /* publish every 1..16 commits */
		} else {
			batch--;
		}
		if ((seq & 0xffff) == 0)
			tt_ring_heartbeat(&r);
		rt_maybe_pause(&rng);
	}
	tt_ring_publish(&r);
	tt_ring_stats(&r, &st);
	if (st.dropped != drops)
		die(12, "producer: ring counts %" PRIu64 " drops, producer saw %" PRIu64,
		    st.dropped, drops);
	tt_ring_detach(&r);
	return 0;
}

static int consumer(uint32_t mode, enum tt_ring_wait wait)
{
	struct tt_ring_params p = params(mode);
	struct tt_ring r;
	uint64_t rng = g_seed ^ 0x636f6e73ull;
	uint64_t next = 0, got = 0, seq;
	struct tt_ring_stats st;
	int rc;

	rc = tt_ring_attach(&r, g_name, TT_RING_CONSUMER, &p, wait);
	if (rc)
		die(20, "consumer attach: %s", tt_err_msg());
	for (;;) {
		uint64_t n = tt_ring_available(&r);

		if (n == 0) {
			rc = tt_ring_wait_data(&r, UINT64_MAX);
			if (rc == -TT_EPEERDEAD)
				break; /* producer detached and everything is drained */
			if (rc)
				die(21, "consumer wait_data after %" PRIu64 ": %d %s", got, rc,
				    tt_err_msg());
			continue;
		}
		/* Half the time one by one (peek/release), else the whole batch at once. */
		if (rt_rand(&rng) & 1)
			n = 1;
		for (uint64_t i = 0; i < n; i++) {
			const void *s = n == 1 ? tt_ring_peek(&r) : tt_ring_slot_at(&r, i);

			if (!s)
				die(22, "consumer: available said %" PRIu64 " but peek is NULL", n);
			if (!rt_check(s, &seq))
				die(23, "consumer: torn message after seq %" PRIu64, next);
			if (mode == TT_RING_LOSSLESS ? seq != next : seq < next)
				die(24, "consumer: got seq %" PRIu64 ", expected %s%" PRIu64, seq,
				    mode == TT_RING_LOSSLESS ? "" : ">= ", next);
			next = seq + 1;
			got++;
		}
		if (n == 1)
			tt_ring_release(&r);
		else {
			tt_ring_advance(&r, n);
			tt_ring_consume_flush(&r);
		}
		if ((got & 0xffff) < n)
			tt_ring_heartbeat(&r);
		rt_maybe_pause(&rng);
	}
	tt_ring_stats(&r, &st);
	if (st.pushed != got || st.popped != got)
		die(25, "consumer: got %" PRIu64 ", ring says pushed %" PRIu64 " popped %" PRIu64,
		    got, st.pushed, st.popped);
	if (g_msgs != got + st.dropped)
		die(26, "consumer: attempts %" PRIu64 " != popped %" PRIu64 " + dropped %" PRIu64,
		    g_msgs, got, st.dropped);
	if (mode == TT_RING_LOSSLESS && st.dropped != 0)
		die(27, "consumer: lossless ring dropped %" PRIu64, st.dropped);
	printf("  %s/%s: popped %" PRIu64 ", dropped %" PRIu64 ", full %" PRIu64 "\n",
	       mode == TT_RING_LOSSY ? "lossy" : "lossless",
	       wait == TT_WAIT_FUTEX ? "futex" : "spin-yield", got, st.dropped, st.full);
	fflush(stdout);
	tt_ring_detach(&r);
	return 0;
}

static void run_case(uint32_t mode, enum tt_ring_wait wait)
{
	struct tt_ring_params p = params(mode);
	pid_t cons, prod;
	int st_c, st_p;
	struct timespec t0, t1;

	snprintf(g_name, sizeof(g_name), "tt-ring-stress-%d-%u-%d", (int)getpid(), mode, (int)wait);
	assert_int_equal(tt_ring_create(g_name, &p), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(stdout);
	cons = fork();
	assert_true(cons >= 0);
	if (cons == 0)
		_exit(consumer(mode, wait));
	prod = fork();
	assert_true(prod >= 0);
	if (prod == 0)
		_exit(producer(mode, wait));
	assert_int_equal(waitpid(prod, &st_p, 0), prod);
	assert_int_equal(waitpid(cons, &st_c, 0), cons);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	(void)tt_ring_unlink(g_name);
	printf("  %" PRIu64 " messages in %.2f s\n", g_msgs,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_true(WIFEXITED(st_p));
	assert_int_equal(WEXITSTATUS(st_p), 0);
	assert_true(WIFEXITED(st_c));
	assert_int_equal(WEXITSTATUS(st_c), 0);
}

static void test_futex_lossless_delivers_every_message_once_in_order(void **state)
{
	run_case(TT_RING_LOSSLESS, TT_WAIT_FUTEX);
}

static void test_spin_yield_lossless_delivers_every_message_once_in_order(void **state)
{
	run_case(TT_RING_LOSSLESS, TT_WAIT_SPIN_YIELD);
}

static void test_lossy_never_blocks_and_accounts_every_drop(void **state)
{
	run_case(TT_RING_LOSSY, TT_WAIT_FUTEX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_futex_lossless_delivers_every_message_once_in_order),
	    cmocka_unit_test(test_spin_yield_lossless_delivers_every_message_once_in_order),
	    cmocka_unit_test(test_lossy_never_blocks_and_accounts_every_drop),
	};

	g_msgs = rt_env_u64("TT_STRESS_MSGS", 10000000);
	g_seed = rt_seed();
	printf("stress_ring_xproc: %" PRIu64 " messages per case, seed 0x%016" PRIx64
	       " (TT_STRESS_SEED replays)\n",
	       g_msgs, g_seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
