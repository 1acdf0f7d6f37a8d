/*
 * test_ring.c — unit specs for tt_ring.h: index arithmetic (wrap, empty, full, exactly
 * full), batch publish/consume, attach validation with its error text, role claims, lossy
 * drop accounting, wait timeouts and dead-peer detection. Real POSIX shm; forked children
 * play dead peers. Ring names carry the pid so parallel runs don't collide.
 */
#include "tt_ring.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char g_name[TT_RING_NAME_MAX];

static struct tt_ring_params params(uint32_t slot, uint32_t cap, uint32_t mode)
{
	struct tt_ring_params p = {
	    .slot_size = slot, .capacity = cap, .mode = mode, .msg_version = 1};
	return p;
}

static int setup(void **state)
{
	static unsigned n;

	snprintf(g_name, sizeof(g_name), "tt-ring-unit-%d-%u", (int)getpid(), n++);
	return 0;
}

static int teardown(void **state)
{
	(void)tt_ring_unlink(g_name);
	return 0;
}

static void make_ring(uint32_t slot, uint32_t cap, uint32_t mode)
{
	struct tt_ring_params p = params(slot, cap, mode);

	assert_int_equal(tt_ring_create(g_name, &p), 0);
}

static void attach_pair(struct tt_ring *prod, struct tt_ring *cons, uint32_t slot, uint32_t cap,
			uint32_t mode, enum tt_ring_wait wait)
{
	struct tt_ring_params p = params(slot, cap, mode);

	make_ring(slot, cap, mode);
	assert_int_equal(tt_ring_attach(prod, g_name, TT_RING_PRODUCER, &p, wait), 0);
	assert_int_equal(tt_ring_attach(cons, g_name, TT_RING_CONSUMER, &p, wait), 0);
}

static int push_u64(struct tt_ring *r, uint64_t v)
{
	return tt_ring_push(r, &v, sizeof(v));
}

/* Pops one message; returns false when the ring is empty. */
static bool pop_u64(struct tt_ring *r, uint64_t *v)
{
	const void *s = tt_ring_peek(r);

	if (!s)
		return false;
	memcpy(v, s, sizeof(*v));
	tt_ring_release(r);
	return true;
}

static void test_new_ring_is_empty_for_both_roles(void **state)
{
	struct tt_ring prod, cons;
	struct tt_ring_stats st;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	assert_null(tt_ring_peek(&cons));
	assert_true(tt_ring_is_empty(&cons));
	assert_int_equal(tt_ring_available(&cons), 0);
	tt_ring_stats(&prod, &st);
	assert_int_equal(st.head, 0);
	assert_int_equal(st.tail, 0);
	assert_int_equal(st.capacity, 8);
	assert_int_equal(st.producer_pid, getpid());
	assert_int_equal(st.consumer_pid, getpid());
	assert_true(tt_ring_peer_alive(&prod));
	assert_true(tt_ring_peer_alive(&cons));
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
	tt_ring_detach(&cons); /* second detach is a no-op */
}

static void test_push_pop_keeps_order_over_many_laps(void **state)
{
	struct tt_ring prod, cons;
	uint64_t v, next = 0, sent = 0;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	/* Varying fill levels so every slot is hit at every offset: 1000 laps of 8. */
	for (unsigned round = 0; sent < 8000; round++) {
		unsigned burst = 1 + round % 8;

		for (unsigned i = 0; i < burst && sent < 8000; i++)
			assert_int_equal(push_u64(&prod, sent++), 0);
		while (pop_u64(&cons, &v))
			assert_int_equal(v, next++);
	}
	assert_int_equal(next, 8000);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_reserve_fails_exactly_when_full(void **state)
{
	struct tt_ring prod, cons;
	struct tt_ring_stats st;
	uint64_t v;

	attach_pair(&prod, &cons, 64, 4, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(push_u64(&prod, i), 0);
	/* Exactly full: capacity messages in, the next reserve fails and is counted. */
	assert_null(tt_ring_reserve(&prod));
	assert_int_equal(push_u64(&prod, 99), -EAGAIN);
	tt_ring_stats(&prod, &st);
	assert_int_equal(st.head - st.tail, 4);
	assert_int_equal(st.full, 2);
	assert_int_equal(st.dropped, 0);
	/* One slot freed: exactly one more fits. */
	assert_true(pop_u64(&cons, &v));
	assert_int_equal(v, 0);
	assert_int_equal(push_u64(&prod, 4), 0);
	assert_null(tt_ring_reserve(&prod));
	for (uint64_t i = 1; i <= 4; i++) {
		assert_true(pop_u64(&cons, &v));
		assert_int_equal(v, i);
	}
	assert_false(pop_u64(&cons, &v));
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_push_refuses_message_larger_than_slot(void **state)
{
	struct tt_ring prod, cons;
	char big[65] = {0};

	attach_pair(&prod, &cons, 64, 4, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	assert_int_equal(tt_ring_push(&prod, big, sizeof(big)), -EINVAL);
	assert_int_equal(tt_ring_push(&prod, big, 64), 0);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_batch_is_invisible_until_publish(void **state)
{
	struct tt_ring prod, cons;
	struct tt_ring_stats st;
	uint64_t v;

	attach_pair(&prod, &cons, 64, 16, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	for (uint64_t i = 0; i < 10; i++) {
		uint64_t *slot = tt_ring_reserve(&prod);

		assert_non_null(slot);
		*slot = 100 + i;
		tt_ring_commit(&prod);
		assert_null(tt_ring_peek(&cons));
		assert_int_equal(tt_ring_available(&cons), 0);
	}
	tt_ring_stats(&cons, &st);
	assert_int_equal(st.head, 0);
	tt_ring_publish(&prod);
	assert_int_equal(tt_ring_available(&cons), 10);
	for (uint64_t i = 0; i < 10; i++) {
		assert_true(pop_u64(&cons, &v));
		assert_int_equal(v, 100 + i);
	}
	tt_ring_stats(&cons, &st);
	assert_int_equal(st.pushed, 10);
	assert_int_equal(st.popped, 10);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_batch_consume_returns_slots_only_on_flush(void **state)
{
	struct tt_ring prod, cons;
	uint64_t n;

	attach_pair(&prod, &cons, 128, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(push_u64(&prod, i), 0);
	n = tt_ring_available(&cons);
	assert_int_equal(n, 8);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, tt_ring_slot_at(&cons, i), sizeof(v));
		assert_int_equal(v, i);
	}
	tt_ring_advance(&cons, n);
	assert_int_equal(tt_ring_available(&cons), 0);
	/* Consumed locally but not flushed: the producer still sees a full ring. */
	assert_null(tt_ring_reserve(&prod));
	tt_ring_consume_flush(&cons);
	for (uint64_t i = 8; i < 16; i++)
		assert_int_equal(push_u64(&prod, i), 0);
	assert_int_equal(tt_ring_available(&cons), 8);
	memcpy(&n, tt_ring_slot_at(&cons, 7), sizeof(n));
	assert_int_equal(n, 15);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

/* Writes into the header of an existing ring behind the library's back. */
static struct tt_ring_hdr *map_hdr(const char *name)
{
	char path[TT_RING_NAME_MAX + 1];
	void *m;
	int fd;

	snprintf(path, sizeof(path), "/%s", name);
	fd = shm_open(path, O_RDWR, 0);
	assert_true(fd >= 0);
	m = mmap(NULL, sizeof(struct tt_ring_hdr), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	close(fd);
	return m;
}

static void expect_attach_error(const struct tt_ring_params *expect, int code, const char *text)
{
	struct tt_ring r;

	memset(&r, 0xa5, sizeof(r));
	tt_err_clear();
	assert_int_equal(tt_ring_attach(&r, g_name, TT_RING_CONSUMER, expect, TT_WAIT_SPIN), code);
	if (!strstr(tt_err_msg(), text))
		fail_msg("error trail \"%s\" lacks \"%s\"", tt_err_msg(), text);
	assert_null(r.hdr); /* left zeroed */
	assert_int_equal(r.map_len, 0);
}

static void test_attach_rejects_bad_magic(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring_hdr *h;

	make_ring(64, 8, TT_RING_LOSSLESS);
	h = map_hdr(g_name);
	tt_store_relaxed(&h->magic, 0x1234);
	expect_attach_error(&p, -TT_EMAGIC, "magic 0x0000000000001234");
	munmap(h, sizeof(*h));
}

static void test_attach_rejects_object_smaller_than_header(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	char path[TT_RING_NAME_MAX + 1];
	int fd;

	snprintf(path, sizeof(path), "/%s", g_name);
	fd = shm_open(path, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 10), 0);
	close(fd);
	expect_attach_error(&p, -TT_EMAGIC, "object is 10 bytes");
}

static void test_attach_rejects_other_layout_version(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring_hdr *h;
	char want[96];

	make_ring(64, 8, TT_RING_LOSSLESS);
	h = map_hdr(g_name);
	h->layout_version = TT_RING_LAYOUT_VERSION + 1;
	snprintf(want, sizeof(want), "layout version: ring has %u, attach expects %u",
		 TT_RING_LAYOUT_VERSION + 1, TT_RING_LAYOUT_VERSION);
	expect_attach_error(&p, -TT_EVERSION, want);
	munmap(h, sizeof(*h));
}

static void test_attach_rejects_each_layout_mismatch_naming_both_values(void **state)
{
	struct tt_ring_params p;
	char want[160];

	make_ring(64, 8, TT_RING_LOSSLESS);
	p = params(128, 8, TT_RING_LOSSLESS);
	snprintf(want, sizeof(want), "ring \"%s\": slot_size: ring has 64, attach expects 128",
		 g_name);
	expect_attach_error(&p, -TT_ELAYOUT, want);
	p = params(64, 16, TT_RING_LOSSLESS);
	expect_attach_error(&p, -TT_ELAYOUT, "capacity: ring has 8, attach expects 16");
	p = params(64, 8, TT_RING_LOSSY);
	expect_attach_error(&p, -TT_ELAYOUT, "mode: ring has 0, attach expects 1");
	p = params(64, 8, TT_RING_LOSSLESS);
	p.msg_version = 7;
	expect_attach_error(&p, -TT_ELAYOUT, "msg_version: ring has 1, attach expects 7");
}

static void test_attach_fails_on_missing_ring(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);

	expect_attach_error(&p, -ENOENT, "shm_open");
}

static void test_bad_names_are_refused_with_reason(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring r;
	char longname[TT_RING_NAME_MAX + 8];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(tt_ring_create("", &p), -EINVAL);
	assert_non_null(strstr(tt_err_msg(), "empty"));
	assert_int_equal(tt_ring_create("a/b", &p), -EINVAL);
	assert_non_null(strstr(tt_err_msg(), "byte 0x2f at 1"));
	assert_int_equal(tt_ring_create("md strat", &p), -EINVAL);
	assert_int_equal(tt_ring_create("..", &p), -EINVAL);
	assert_int_equal(tt_ring_create(NULL, &p), -EINVAL);
	assert_int_equal(tt_ring_create(longname, &p), -EINVAL);
	assert_non_null(strstr(tt_err_msg(), "longer than 63"));
	longname[TT_RING_NAME_MAX - 1] = '\0'; /* 63 bytes: the longest valid name */
	assert_int_equal(tt_ring_create(longname, &p), 0);
	assert_int_equal(tt_ring_unlink(longname), 0);
	assert_int_equal(tt_ring_attach(&r, "x/y", TT_RING_PRODUCER, &p, TT_WAIT_SPIN), -EINVAL);
	assert_int_equal(tt_ring_unlink("x/y"), -EINVAL);
}

static void expect_params_error(struct tt_ring_params p, const char *text)
{
	tt_err_clear();
	assert_int_equal(tt_ring_params_check(&p), -EINVAL);
	if (!strstr(tt_err_msg(), text))
		fail_msg("error trail \"%s\" lacks \"%s\"", tt_err_msg(), text);
	assert_int_equal(tt_ring_create(g_name, &p), -EINVAL);
}

static void test_bad_params_are_refused_naming_the_value(void **state)
{
	assert_int_equal(tt_ring_params_check(&(struct tt_ring_params){64, 2, 0, 1}), 0);
	assert_int_equal(tt_ring_params_check(&(struct tt_ring_params){65536, 16, 1, 1}), 0);
	assert_int_equal(tt_ring_params_check(&(struct tt_ring_params){64, 1u << 24, 0, 1}), 0);
	expect_params_error(params(0, 8, 0), "slot_size 0");
	expect_params_error(params(100, 8, 0), "slot_size 100");
	expect_params_error(params(24, 8, 0), "slot_size 24");
	expect_params_error(params(4, 8, 0), "slot_size 4");
	expect_params_error(params(96 - 16, 8, 0), "slot_size 80");
	for (uint32_t small = 8; small < 64; small *= 2)
		assert_int_equal(tt_ring_params_check(&(struct tt_ring_params){small, 8, 0, 1}), 0);
	expect_params_error(params(65600, 8, 0), "slot_size 65600");
	expect_params_error(params(64, 1, 0), "capacity 1");
	expect_params_error(params(64, 12, 0), "capacity 12");
	expect_params_error(params(64, 1u << 25, 0), "capacity 33554432");
	expect_params_error(params(64, 8, 2), "mode 2");
	expect_params_error(params(65536, 1u << 20, 0), "more than");
	assert_int_equal(tt_ring_params_check(NULL), -EINVAL);
}

/* 8-byte slots: eight messages per cache line, same semantics over many laps. */
static void test_small_slots_pack_and_wrap(void **state)
{
	struct tt_ring prod, cons;
	uint64_t next = 0;

	attach_pair(&prod, &cons, 8, 16, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	for (uint64_t v = 0; v < 16 * 100; v++) {
		const uint64_t *got;

		assert_int_equal(tt_ring_push(&prod, &v, sizeof(v)), 0);
		if (v % 3 == 2) /* let it fill a little before draining */
			continue;
		while ((got = tt_ring_peek(&cons))) {
			assert_int_equal(*got, next++);
			tt_ring_release(&cons);
		}
	}
	{
		unsigned char big[9] = { 0 };

		assert_int_equal(tt_ring_push(&prod, big, sizeof(big)), -EINVAL); /* > slot */
	}
	assert_int_equal(((uintptr_t)tt_ring_slot_at(&cons, 0)) % 8, 0);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
	(void)state;
}

/* reserve_n / peek_n hand out contiguous runs that stop at the wrap point. */
static void test_batch_runs_are_contiguous_and_stop_at_wrap(void **state)
{
	struct tt_ring prod, cons;
	uint64_t vals[8], next = 0, v = 0;
	uint32_t got, n;
	uint64_t *w;
	const uint64_t *rd;

	attach_pair(&prod, &cons, 8, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	/* advance both indices to 5 so the next run of 8 crosses the wrap */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(tt_ring_push(&prod, &v, 8), 0);
		v++;
		assert_non_null(tt_ring_peek(&cons));
		tt_ring_release(&cons);
		next++;
	}
	w = tt_ring_reserve_n(&prod, 8, &got);
	assert_int_equal(got, 3); /* slots 5, 6, 7: up to the wrap */
	for (uint32_t i = 0; i < got; i++)
		w[i] = v++;
	tt_ring_commit_n(&prod, got);
	w = tt_ring_reserve_n(&prod, 8, &got);
	assert_int_equal(got, 5); /* slots 0..4: the rest of the free space */
	for (uint32_t i = 0; i < got; i++)
		w[i] = v++;
	tt_ring_commit_n(&prod, got);
	assert_null(tt_ring_reserve_n(&prod, 1, &got)); /* full */
	assert_int_equal(got, 0);
	assert_null(tt_ring_peek_n(&cons, &n)); /* nothing published yet */
	tt_ring_publish(&prod);
	rd = tt_ring_peek_n(&cons, &n);
	assert_int_equal(n, 3);
	memcpy(vals, rd, n * 8);
	tt_ring_advance(&cons, n);
	rd = tt_ring_peek_n(&cons, &n);
	assert_int_equal(n, 5);
	memcpy(vals + 3, rd, n * 8);
	tt_ring_advance(&cons, n);
	tt_ring_consume_flush(&cons);
	for (int i = 0; i < 8; i++)
		assert_int_equal(vals[i], next++);
	assert_non_null(tt_ring_reserve_n(&prod, 8, &got)); /* the flush freed everything */
	assert_int_equal(got, 3);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
	(void)state;
}

static void test_second_holder_of_a_role_gets_ebusy(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring prod, prod2, cons, cons2;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	assert_int_equal(tt_ring_attach(&prod2, g_name, TT_RING_PRODUCER, &p, TT_WAIT_SPIN),
			 -EBUSY);
	assert_non_null(strstr(tt_err_msg(), "producer role is held by live pid"));
	assert_int_equal(tt_ring_attach(&cons2, g_name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN),
			 -EBUSY);
	/* A clean detach frees the role. */
	tt_ring_detach(&prod);
	assert_int_equal(tt_ring_attach(&prod2, g_name, TT_RING_PRODUCER, &p, TT_WAIT_SPIN), 0);
	tt_ring_detach(&prod2);
	tt_ring_detach(&cons);
}

static void test_dead_producer_claim_is_taken_over_and_resumes_at_head(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring prod, cons;
	struct tt_ring_stats st;
	pid_t child;
	int status;
	uint64_t v;

	make_ring(64, 8, TT_RING_LOSSLESS);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct tt_ring r;

		if (tt_ring_attach(&r, g_name, TT_RING_PRODUCER, &p, TT_WAIT_SPIN) != 0)
			_exit(2);
		for (uint64_t i = 0; i < 3; i++)
			if (push_u64(&r, i) != 0)
				_exit(3);
		_exit(0); /* dies holding the claim */
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(tt_ring_attach(&cons, g_name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN), 0);
	tt_ring_stats(&cons, &st);
	assert_int_equal(st.producer_pid, child);
	assert_false(tt_ring_peer_alive(&cons));
	assert_int_equal(tt_ring_attach(&prod, g_name, TT_RING_PRODUCER, &p, TT_WAIT_SPIN), 0);
	tt_ring_stats(&cons, &st);
	assert_int_equal(st.producer_pid, getpid());
	assert_int_equal(push_u64(&prod, 3), 0);
	for (uint64_t i = 0; i < 4; i++) {
		assert_true(pop_u64(&cons, &v));
		assert_int_equal(v, i);
	}
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_consumer_reattach_resumes_at_released_tail(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring prod, cons;
	uint64_t v;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(push_u64(&prod, i), 0);
	assert_true(pop_u64(&cons, &v));
	assert_true(pop_u64(&cons, &v));
	/* Peeked but not released: must be delivered again after the restart. */
	assert_non_null(tt_ring_peek(&cons));
	tt_ring_detach(&cons);
	assert_int_equal(tt_ring_attach(&cons, g_name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN), 0);
	for (uint64_t i = 2; i < 6; i++) {
		assert_true(pop_u64(&cons, &v));
		assert_int_equal(v, i);
	}
	assert_false(pop_u64(&cons, &v));
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_lossy_ring_counts_every_drop(void **state)
{
	struct tt_ring prod, cons;
	struct tt_ring_stats st;
	uint64_t attempts = 0, popped = 0, last = 0, v;
	bool any = false;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSY, TT_WAIT_SPIN);
	for (unsigned round = 0; round < 200; round++) {
		unsigned burst = 1 + (round * 7) % 13; /* sometimes more than fits */

		for (unsigned i = 0; i < burst; i++) {
			attempts++;
			(void)push_u64(&prod, attempts);
		}
		for (unsigned i = 0; i < round % 6 && pop_u64(&cons, &v); i++) {
			assert_true(!any || v > last);
			last = v;
			any = true;
			popped++;
		}
	}
	while (pop_u64(&cons, &v)) {
		assert_true(v > last);
		last = v;
		popped++;
	}
	tt_ring_stats(&prod, &st);
	assert_true(st.dropped > 0);
	assert_int_equal(st.dropped, st.full);
	assert_int_equal(st.pushed, st.popped);
	assert_int_equal(st.popped, popped);
	assert_int_equal(attempts, popped + st.dropped);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

static void test_wait_data_times_out_with_live_silent_producer(void **state)
{
	static const enum tt_ring_wait waits[] = {TT_WAIT_SPIN, TT_WAIT_SPIN_YIELD, TT_WAIT_FUTEX};

	for (unsigned i = 0; i < TT_ARRAY_LEN(waits); i++) {
		struct tt_ring prod, cons;

		attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, waits[i]);
		assert_int_equal(tt_ring_wait_data(&cons, 0), -ETIMEDOUT);
		assert_int_equal(tt_ring_wait_data(&cons, 20000000), -ETIMEDOUT); /* 20 ms */
		assert_int_equal(push_u64(&prod, 1), 0);
		assert_int_equal(tt_ring_wait_data(&cons, 0), 0);
		assert_int_equal(tt_ring_wait_data(&cons, UINT64_MAX), 0);
		assert_int_equal(tt_load_relaxed(&cons.hdr->cons_waiting), 0);
		tt_ring_detach(&prod);
		tt_ring_detach(&cons);
		teardown(state);
	}
}

static void test_wait_space_times_out_when_consumer_is_slow(void **state)
{
	struct tt_ring prod, cons;

	attach_pair(&prod, &cons, 64, 2, TT_RING_LOSSLESS, TT_WAIT_FUTEX);
	assert_int_equal(tt_ring_wait_space(&prod, 0), 0);
	assert_int_equal(push_u64(&prod, 1), 0);
	assert_int_equal(push_u64(&prod, 2), 0);
	assert_int_equal(tt_ring_wait_space(&prod, 15000000), -ETIMEDOUT);
	assert_int_equal(tt_ring_wait_data(&prod, 0), -EINVAL); /* wrong role */
	tt_ring_detach(&cons);
	/* The consumer left cleanly: a full ring will never drain. */
	assert_int_equal(tt_ring_wait_space(&prod, UINT64_MAX), -TT_EPEERDEAD);
	tt_ring_detach(&prod);
}

static void test_wait_space_publishes_pending_commits_first(void **state)
{
	struct tt_ring prod, cons;

	attach_pair(&prod, &cons, 64, 2, TT_RING_LOSSLESS, TT_WAIT_SPIN);
	assert_non_null(tt_ring_reserve(&prod));
	tt_ring_commit(&prod);
	assert_int_equal(tt_ring_available(&cons), 0);
	assert_int_equal(tt_ring_wait_space(&prod, 0), 0);
	assert_int_equal(tt_ring_available(&cons), 1);
	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
}

/* Forks a producer that pushes n messages and exits, cleanly (detach) or not. */
static pid_t spawn_producer(uint64_t n, bool detach)
{
	struct tt_ring_params p = params(64, 16, TT_RING_LOSSLESS);
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		struct tt_ring r;

		if (tt_ring_attach(&r, g_name, TT_RING_PRODUCER, &p, TT_WAIT_FUTEX) != 0)
			_exit(2);
		for (uint64_t i = 0; i < n; i++)
			if (push_u64(&r, i) != 0)
				_exit(3);
		if (detach)
			tt_ring_detach(&r);
		_exit(0);
	}
	return child;
}

static void drain_then_peer_dead(bool detach)
{
	struct tt_ring_params p = params(64, 16, TT_RING_LOSSLESS);
	struct tt_ring cons;
	pid_t child;
	int status;
	uint64_t v;

	make_ring(64, 16, TT_RING_LOSSLESS);
	assert_int_equal(tt_ring_attach(&cons, g_name, TT_RING_CONSUMER, &p, TT_WAIT_FUTEX), 0);
	child = spawn_producer(5, detach);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Everything published before death is delivered, then the death is reported. */
	for (uint64_t i = 0; i < 5; i++) {
		assert_int_equal(tt_ring_wait_data(&cons, UINT64_MAX), 0);
		assert_true(pop_u64(&cons, &v));
		assert_int_equal(v, i);
	}
	tt_err_clear();
	assert_int_equal(tt_ring_wait_data(&cons, UINT64_MAX), -TT_EPEERDEAD);
	assert_non_null(strstr(tt_err_msg(), "producer is gone"));
	assert_int_equal(tt_ring_wait_data(&cons, 0), -TT_EPEERDEAD);
	tt_ring_detach(&cons);
}

static void test_wait_data_reports_killed_producer_after_draining(void **state)
{
	drain_then_peer_dead(false);
}

static void test_wait_data_reports_detached_producer_after_draining(void **state)
{
	drain_then_peer_dead(true);
}

static void test_stale_heartbeat_counts_as_dead_peer(void **state)
{
	struct tt_ring prod, cons;

	attach_pair(&prod, &cons, 64, 8, TT_RING_LOSSLESS, TT_WAIT_SPIN_YIELD);
	assert_true(tt_ring_peer_alive(&cons));
	usleep(2000);
	tt_ring_set_stale_ns(&cons, 1000000); /* 1 ms; the producer's beat is 2 ms old */
	assert_false(tt_ring_peer_alive(&cons));
	assert_int_equal(tt_ring_wait_data(&cons, UINT64_MAX), -TT_EPEERDEAD);
	tt_ring_set_stale_ns(&cons, UINT64_MAX);
	assert_true(tt_ring_peer_alive(&cons));
	tt_ring_heartbeat(&prod);
	tt_ring_set_stale_ns(&cons, 1000000000);
	assert_true(tt_ring_peer_alive(&cons));
	tt_ring_detach(&prod);
	assert_false(tt_ring_peer_alive(&cons));
	tt_ring_detach(&cons);
}

static void test_absent_producer_is_waited_for_not_dead(void **state)
{
	struct tt_ring_params p = params(64, 8, TT_RING_LOSSLESS);
	struct tt_ring cons;

	make_ring(64, 8, TT_RING_LOSSLESS);
	assert_int_equal(tt_ring_attach(&cons, g_name, TT_RING_CONSUMER, &p, TT_WAIT_FUTEX), 0);
	assert_false(tt_ring_peer_alive(&cons));
	assert_int_equal(tt_ring_wait_data(&cons, 5000000), -ETIMEDOUT);
	tt_ring_detach(&cons);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_new_ring_is_empty_for_both_roles),
	    T(test_push_pop_keeps_order_over_many_laps),
	    T(test_reserve_fails_exactly_when_full),
	    T(test_push_refuses_message_larger_than_slot),
	    T(test_batch_is_invisible_until_publish),
	    T(test_batch_consume_returns_slots_only_on_flush),
	    T(test_attach_rejects_bad_magic),
	    T(test_attach_rejects_object_smaller_than_header),
	    T(test_attach_rejects_other_layout_version),
	    T(test_attach_rejects_each_layout_mismatch_naming_both_values),
	    T(test_attach_fails_on_missing_ring),
	    T(test_bad_names_are_refused_with_reason),
	    T(test_bad_params_are_refused_naming_the_value),
	    T(test_small_slots_pack_and_wrap),
	    T(test_batch_runs_are_contiguous_and_stop_at_wrap),
	    T(test_second_holder_of_a_role_gets_ebusy),
	    T(test_dead_producer_claim_is_taken_over_and_resumes_at_head),
	    T(test_consumer_reattach_resumes_at_released_tail),
	    T(test_lossy_ring_counts_every_drop),
	    T(test_wait_data_times_out_with_live_silent_producer),
	    T(test_wait_space_times_out_when_consumer_is_slow),
	    T(test_wait_space_publishes_pending_commits_first),
	    T(test_wait_data_reports_killed_producer_after_draining),
	    T(test_wait_data_reports_detached_producer_after_draining),
	    T(test_stale_heartbeat_counts_as_dead_peer),
	    T(test_absent_producer_is_waited_for_not_dead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
