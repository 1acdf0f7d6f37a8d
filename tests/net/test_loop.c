/*
 * test_loop.c — tt_loop on its own (timers, linked-timeout connect, send/recv over a
 * socketpair with reap stamps, busy-poll mode) and the reconnect backoff function (cap,
 * full-jitter range, reset after success). Seeds are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tt_conn.h"
#include "tt_loop.h"

struct probe {
	struct tt_loop_op op;
	int calls;
	int res;
	uint64_t t;
};

static void probe_cb(struct tt_loop_op *op, int res, uint64_t t)
{
	struct probe *p = (struct probe *)op;

	p->calls++;
	p->res = res;
	p->t = t;
}

static void run_until_called(struct tt_loop *l, struct probe *p)
{
	int i;

	for (i = 0; i < 500 && p->calls == 0; i++)
		assert_true(tt_loop_run_once(l, 20 * 1000000ll) >= 0);
	assert_int_equal(p->calls, 1);
}

static void timer_fires_in_mode(bool busy)
{
	struct tt_loop_cfg cfg = {.entries = 8, .busy_poll = busy};
	struct tt_loop l;
	struct probe p = {.op.cb = probe_cb};
	uint64_t t0;

	assert_int_equal(tt_loop_init(&l, &cfg), 0);
	t0 = tt_loop_stamp();
	assert_int_equal(tt_loop_timer_at(&l, &p.op, t0 + 5000000), 0);
	assert_int_equal(l.inflight, 1);
	run_until_called(&l, &p);
	assert_int_equal(p.res, -ETIME);
	assert_true(p.t >= t0 + 5000000); /* reaped after the deadline, by the same clock */
	assert_int_equal(l.inflight, 0);
	assert_int_equal(p.op.inflight, 0);
	tt_loop_fini(&l);
}

static void test_timer_fires_at_deadline_blocking(void **state)
{
	timer_fires_in_mode(false);
}

static void test_timer_fires_at_deadline_busy_poll(void **state)
{
	timer_fires_in_mode(true);
}

static void test_zero_timeout_polling_sees_completions(void **state)
{
	struct tt_loop l;
	struct probe p = {.op.cb = probe_cb};
	int i;

	assert_int_equal(tt_loop_init(&l, NULL), 0);
	assert_int_equal(tt_loop_timer_at(&l, &p.op, tt_loop_stamp() + 2000000), 0);
	for (i = 0; i < 20000 && p.calls == 0; i++) {
		assert_true(tt_loop_run_once(&l, 0) >= 0); /* never waits */
		usleep(100);
	}
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.res, -ETIME);
	tt_loop_fini(&l);
}

static void test_timer_update_moves_deadline_earlier(void **state)
{
	struct tt_loop l;
	struct probe p = {.op.cb = probe_cb};
	uint64_t t0;

	assert_int_equal(tt_loop_init(&l, NULL), 0);
	t0 = tt_loop_stamp();
	assert_int_equal(tt_loop_timer_at(&l, &p.op, t0 + 3600ull * 1000000000ull), 0);
	assert_int_equal(tt_loop_submit(&l), 0);
	assert_int_equal(tt_loop_timer_update(&l, &p.op, t0 + 1000000), 0);
	run_until_called(&l, &p); /* would take an hour without the update */
	assert_int_equal(p.res, -ETIME);
	tt_loop_fini(&l);
}

static void test_cancel_completes_timer_with_ecanceled(void **state)
{
	struct tt_loop l;
	struct probe p = {.op.cb = probe_cb};

	assert_int_equal(tt_loop_init(&l, NULL), 0);
	assert_int_equal(tt_loop_timer_at(&l, &p.op, tt_loop_stamp() + 3600ull * 1000000000ull), 0);
	assert_int_equal(tt_loop_submit(&l), 0);
	assert_int_equal(tt_loop_cancel(&l, &p.op), 0);
	run_until_called(&l, &p);
	assert_int_equal(p.res, -ECANCELED);
	tt_loop_fini(&l);
}

static void test_send_and_recv_complete_with_byte_counts(void **state)
{
	struct tt_loop l;
	struct probe ps = {.op.cb = probe_cb};
	struct probe pr = {.op.cb = probe_cb};
	char buf[64];
	int sv[2];
	uint64_t t0;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(tt_loop_init(&l, NULL), 0);
	assert_int_equal(tt_loop_recv(&l, &pr.op, sv[1], buf, sizeof(buf)), 0);
	assert_int_equal(tt_loop_submit(&l), 0);
	t0 = tt_loop_stamp();
	assert_int_equal(tt_loop_send(&l, &ps.op, sv[0], "tick", 4), 0);
	run_until_called(&l, &ps);
	assert_int_equal(ps.res, 4);
	run_until_called(&l, &pr);
	assert_int_equal(pr.res, 4);
	assert_memory_equal(buf, "tick", 4);
	assert_true(pr.t >= t0);
	assert_int_equal(l.inflight, 0);
	tt_loop_fini(&l);
	close(sv[0]);
	close(sv[1]);
}

/* Two completions reaped in one batch: while the first one's callback runs, the second op is
 * still in flight (its callback has not run). tt-md once overran tx[] when a recv callback
 * saw its connection's reaped-but-unreported send as done and sent from the old head. */
struct pair_probe {
	struct tt_loop_op op;
	struct pair_probe *other;
	int calls;
	int res;
	uint32_t own_inflight;	 /* in the callback */
	uint32_t other_inflight; /* in the callback */
	int other_calls;	 /* the other's callbacks run before this one */
};

static void pair_cb(struct tt_loop_op *op, int res, uint64_t t)
{
	struct pair_probe *p = (struct pair_probe *)op;

	(void)t;
	p->calls++;
	p->res = res;
	p->own_inflight = op->inflight;
	p->other_inflight = p->other->op.inflight;
	p->other_calls = p->other->calls;
}

static void test_batch_keeps_later_ops_in_flight_until_their_callback(void **state)
{
	struct tt_loop l;
	struct pair_probe ps = {.op.cb = pair_cb}, pr = {.op.cb = pair_cb};
	struct pair_probe *first, *second;
	char buf[64];
	int sv[2];

	(void)state;
	ps.other = &pr;
	pr.other = &ps;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(tt_loop_init(&l, NULL), 0);
	assert_int_equal(write(sv[0], "md", 2), 2); /* the recv has data at once */
	assert_int_equal(tt_loop_recv(&l, &pr.op, sv[1], buf, sizeof(buf)), 0);
	assert_int_equal(tt_loop_send(&l, &ps.op, sv[0], "oe", 2), 0);
	assert_int_equal(tt_loop_submit(&l), 0);
	/* both completions posted before the loop reaps: one batch */
	for (int i = 0; i < 1000 && io_uring_cq_ready(&l.ring) < 2; i++)
		usleep(1000);
	assert_int_equal(io_uring_cq_ready(&l.ring), 2);
	assert_true(tt_loop_run_once(&l, 0) >= 0);
	assert_int_equal(ps.calls, 1);
	assert_int_equal(pr.calls, 1);
	assert_int_equal(ps.res, 2);
	assert_int_equal(pr.res, 2);
	first = ps.other_calls ? &pr : &ps;
	second = first->other;
	assert_int_equal(first->own_inflight, 0);
	assert_int_equal(first->other_inflight, 1); /* not reported yet: still in flight */
	assert_int_equal(second->own_inflight, 0);
	assert_int_equal(second->other_inflight, 0);
	assert_int_equal(l.inflight, 0);
	tt_loop_fini(&l);
	close(sv[0]);
	close(sv[1]);
}

static void test_connect_to_closed_port_is_refused(void **state)
{
	struct tt_loop l;
	struct probe p = {.op.cb = probe_cb};
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int fd;

	/* Bind (no listen) to own a port nobody listens on. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(tt_loop_init(&l, NULL), 0);
	assert_int_equal(
	    tt_loop_connect(&l, &p.op, fd, (struct sockaddr *)&a, sizeof(a), 1000000000ull), 0);
	run_until_called(&l, &p);
	assert_int_equal(p.res, -ECONNREFUSED);
	/* the linked timeout's completion (user_data 0) must not reach anyone */
	assert_int_equal(tt_loop_run_once(&l, 10 * 1000000ll) >= 0, 1);
	assert_int_equal(p.calls, 1);
	tt_loop_fini(&l);
	close(fd);
	close(lfd);
}

/* ---- backoff ------------------------------------------------------------------------- */

static uint64_t seed_from_env(void)
{
	const char *s = getenv("TT_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)getpid() * 2654435761ull;

	printf("# backoff seed %llu (TT_TEST_SEED)\n", (unsigned long long)seed);
	return seed;
}

static void test_backoff_ceiling_doubles_then_caps(void **state)
{
	struct tt_backoff b;
	uint64_t expect[] = {100, 200, 400, 800, 1000, 1000, 1000};
	size_t i;

	tt_backoff_init(&b, 100, 1000, 1);
	for (i = 0; i < TT_ARRAY_LEN(expect); i++) {
		assert_int_equal(tt_backoff_ceiling(&b), expect[i]);
		(void)tt_backoff_next(&b);
	}
	/* hundreds of failures: still capped, no overflow */
	for (i = 0; i < 500; i++)
		assert_true(tt_backoff_next(&b) <= 1000);
	assert_int_equal(tt_backoff_ceiling(&b), 1000);
}

static void test_backoff_jitter_stays_in_range_and_spreads(void **state)
{
	struct tt_backoff b;
	uint64_t seed = seed_from_env();
	uint64_t lo = UINT64_MAX, hi = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		uint64_t d;

		tt_backoff_init(&b, 1000000, 8000000, seed + (uint64_t)i);
		b.attempt = 3; /* ceiling 8 ms */
		d = tt_backoff_next(&b);
		assert_true(d <= 8000000);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* full jitter: draws cover most of [0, ceiling], not a narrow band */
	assert_true(lo < 1000000);
	assert_true(hi > 7000000);
}

static void test_backoff_same_seed_same_delays(void **state)
{
	struct tt_backoff a, b;
	int i;

	tt_backoff_init(&a, 10, 100000, 7);
	tt_backoff_init(&b, 10, 100000, 7);
	for (i = 0; i < 50; i++)
		assert_int_equal(tt_backoff_next(&a), tt_backoff_next(&b));
}

static void test_backoff_reset_after_success_restarts_from_base(void **state)
{
	struct tt_backoff b;
	int i;

	tt_backoff_init(&b, 100, 100000, 3);
	for (i = 0; i < 10; i++)
		(void)tt_backoff_next(&b);
	assert_int_equal(tt_backoff_ceiling(&b), 100000);
	tt_backoff_reset(&b);
	assert_int_equal(tt_backoff_ceiling(&b), 100);
	assert_true(tt_backoff_next(&b) <= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timer_fires_at_deadline_blocking),
	    cmocka_unit_test(test_timer_fires_at_deadline_busy_poll),
	    cmocka_unit_test(test_zero_timeout_polling_sees_completions),
	    cmocka_unit_test(test_timer_update_moves_deadline_earlier),
	    cmocka_unit_test(test_cancel_completes_timer_with_ecanceled),
	    cmocka_unit_test(test_send_and_recv_complete_with_byte_counts),
	    cmocka_unit_test(test_batch_keeps_later_ops_in_flight_until_their_callback),
	    cmocka_unit_test(test_connect_to_closed_port_is_refused),
	    cmocka_unit_test(test_backoff_ceiling_doubles_then_caps),
	    cmocka_unit_test(test_backoff_jitter_stays_in_range_and_spreads),
	    cmocka_unit_test(test_backoff_same_seed_same_delays),
	    cmocka_unit_test(test_backoff_reset_after_success_restarts_from_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
