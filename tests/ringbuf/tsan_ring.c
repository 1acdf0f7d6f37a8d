/*
 * tsan_ring.c — producer and consumer threads on one ring, built under ThreadSanitizer by
 * the `tsan` preset (`make tsan`, label tsan); in other builds it runs as a plain unit test.
 * TSan checks that every slot read is ordered after its write by the head release/acquire
 * pair, and every slot rewrite after its read by the tail pair; the test itself checks
 * order and integrity (seq + derived payload + checksum).
 *
 * TSan models memory by virtual address, and two attaches in one process map the object
 * twice at different addresses, so it could not see the pairs. The consumer handle
 * therefore borrows the producer's mapping while the threads run (hdr/slots are the
 * handle's private fields; this is a test-only trick) and gets its own back to detach.
 */
#include "tt_ring.h"

#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ring_test_msg.h"

static const struct tt_ring_params g_params = {
    .slot_size = 64, .capacity = 32, .mode = TT_RING_LOSSLESS, .msg_version = 1};
static uint64_t g_msgs;

struct side {
	struct tt_ring r;
	uint64_t count; /* consumer: messages received in order */
	int rc;		/* 0, or what went wrong */
};

static void *producer_main(void *arg)
{
	struct side *s = arg;
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	for (uint64_t seq = 0; seq < g_msgs; seq++) {
		void *slot;

		while (!(slot = tt_ring_reserve(&s->r))) {
			s->rc = tt_ring_wait_space(&s->r, 10000000000ull);
			if (s->rc)
				return NULL;
		}
		rt_fill(slot, seq);
		tt_ring_commit(&s->r);
		if ((rt_rand(&rng) & 7) == 0) /* batches of ~8 */
			tt_ring_publish(&s->r);
	}
	tt_ring_publish(&s->r);
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct side *s = arg;
	uint64_t seq;

	while (s->count < g_msgs) {
		uint64_t n = tt_ring_available(&s->r);

		if (n == 0) {
			s->rc = tt_ring_wait_data(&s->r, 10000000000ull);
			if (s->rc)
				return NULL;
			continue;
		}
		for (uint64_t i = 0; i < n; i++) {
			if (!rt_check(tt_ring_slot_at(&s->r, i), &seq) || seq != s->count) {
				s->rc = -EPROTO;
				return NULL;
			}
			s->count++;
		}
		tt_ring_advance(&s->r, n);
		tt_ring_consume_flush(&s->r);
	}
	return NULL;
}

static void run(enum tt_ring_wait wait)
{
	char name[TT_RING_NAME_MAX];
	struct side prod, cons;
	struct tt_ring_hdr *own_hdr;
	unsigned char *own_slots;
	pthread_t tp, tc;

	snprintf(name, sizeof(name), "tt-ring-tsan-%d-%d", (int)getpid(), (int)wait);
	memset(&prod, 0, sizeof(prod));
	memset(&cons, 0, sizeof(cons));
	assert_int_equal(tt_ring_create(name, &g_params), 0);
	assert_int_equal(tt_ring_attach(&prod.r, name, TT_RING_PRODUCER, &g_params, wait), 0);
	assert_int_equal(tt_ring_attach(&cons.r, name, TT_RING_CONSUMER, &g_params, wait), 0);
	own_hdr = cons.r.hdr;
	own_slots = cons.r.slots;
	cons.r.hdr = prod.r.hdr;
	cons.r.slots = prod.r.slots;

	assert_int_equal(pthread_create(&tc, NULL, consumer_main, &cons), 0);
	assert_int_equal(pthread_create(&tp, NULL, producer_main, &prod), 0);
	assert_int_equal(pthread_join(tp, NULL), 0);
	assert_int_equal(pthread_join(tc, NULL), 0);

	cons.r.hdr = own_hdr;
	cons.r.slots = own_slots;
	assert_int_equal(prod.rc, 0);
	assert_int_equal(cons.rc, 0);
	assert_int_equal(cons.count, g_msgs);
	tt_ring_detach(&prod.r);
	tt_ring_detach(&cons.r);
	assert_int_equal(tt_ring_unlink(name), 0);
}

static void test_threads_futex_ring_is_race_free_and_ordered(void **state)
{
	run(TT_WAIT_FUTEX);
}

static void test_threads_spin_yield_ring_is_race_free_and_ordered(void **state)
{
	run(TT_WAIT_SPIN_YIELD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_futex_ring_is_race_free_and_ordered),
	    cmocka_unit_test(test_threads_spin_yield_ring_is_race_free_and_ordered),
	};

	g_msgs = rt_env_u64("TT_TSAN_MSGS", 200000);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
