/*
 * test_journal.c — the order journal: round trip, torn-tail cut, mid-file corruption
 * refused, full, header checks, sync policy, and kill -9 of a writer mid-stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_journal.h"

static char path[128];

static const struct tt_journal_opts opts = {
	.capacity = 1024, .sync = TT_JSYNC_NONE, .session_id = 42,
};

static int setup(void **state)
{
	snprintf(path, sizeof(path), "/tmp/tt-journal-%d.ttj", getpid());
	unlink(path);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	(void)state;
	return 0;
}

static struct tt_jrec fill_rec(uint64_t n)
{
	struct tt_jrec r = { .type = TT_JREC_FILL, .side = (uint8_t)(n & 1), .instr = 3 };

	r.cl_ord_id = n * 7;
	r.a = (int64_t)(n * 100);
	r.b = (int64_t)n;
	r.c = (int64_t)(n + 1000);
	return r;
}

static void append_n(struct tt_journal *j, uint64_t n)
{
	for (uint64_t i = 1; i <= n; i++) {
		struct tt_jrec r = fill_rec(i);

		assert_int_equal(tt_journal_append(j, &r), (int64_t)i);
	}
}

struct check { uint64_t n; };

static int check_cb(const struct tt_jrec *r, void *arg)
{
	struct check *c = arg;

	c->n++;
	if (r->seq != c->n || r->cl_ord_id != c->n * 7 || r->a != (int64_t)(c->n * 100) ||
	    r->type != TT_JREC_FILL)
		return -1;
	return 0;
}

/* Flips one byte of record idx in the file. */
static void poke(uint64_t idx, size_t off, unsigned char x)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)(idx * TT_JREC_SIZE + off)), 1);
	b ^= x;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)(idx * TT_JREC_SIZE + off)), 1);
	close(fd);
}

static void test_records_survive_close_and_reopen(void **state)
{
	struct tt_journal j;
	struct check c = { 0 };

	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	append_n(&j, 100);
	tt_journal_close(&j);
	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	assert_int_equal(j.next_seq, 101);
	assert_int_equal(j.cut_records, 0);
	assert_int_equal(tt_journal_replay(&j, check_cb, &c), 0);
	assert_int_equal(c.n, 100);
	/* appends continue the sequence */
	struct tt_jrec r = fill_rec(101);
	assert_int_equal(tt_journal_append(&j, &r), 101);
	tt_journal_close(&j);
	(void)state;
}

static void test_torn_tail_is_cut_and_counted(void **state)
{
	struct tt_journal j;
	struct check c = { 0 };

	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	append_n(&j, 10);
	tt_journal_close(&j);
	poke(10, 40, 0x5a); /* last record damaged: torn write */
	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	assert_int_equal(j.next_seq, 10);
	assert_int_equal(j.cut_records, 1);
	assert_int_equal(tt_journal_replay(&j, check_cb, &c), 0);
	assert_int_equal(c.n, 9);
	tt_journal_close(&j);
	/* a second open finds a clean log: the cut was made durable */
	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	assert_int_equal(j.cut_records, 0);
	assert_int_equal(j.next_seq, 10);
	tt_journal_close(&j);
	(void)state;
}

static void test_half_written_record_after_tail_is_cut(void **state)
{
	struct tt_journal j;
	int fd;

	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	append_n(&j, 5);
	tt_journal_close(&j);
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, "\x12\x34\x56\x78\x05\x00\x03", 7, 6 * TT_JREC_SIZE), 7);
	close(fd);
	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	assert_int_equal(j.next_seq, 6);
	assert_int_equal(j.cut_records, 1);
	tt_journal_close(&j);
	(void)state;
}

static void test_mid_file_corruption_is_refused_not_skipped(void **state)
{
	struct tt_journal j;

	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	append_n(&j, 10);
	tt_journal_close(&j);
	poke(3, 30, 0x01);
	assert_int_equal(tt_journal_open(&j, path, &opts), -TT_EPROTO);
	assert_non_null(strstr(tt_err_msg(), "record 3 is missing or corrupt but record 4"));
	(void)state;
}

static void test_lost_middle_record_is_refused(void **state)
{
	struct tt_journal j;
	static const unsigned char zero[TT_JREC_SIZE];
	int fd;

	assert_int_equal(tt_journal_open(&j, path, &opts), 0);
	append_n(&j, 10);
	tt_journal_close(&j);
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, zero, sizeof(zero), 5 * TT_JREC_SIZE), TT_JREC_SIZE);
	close(fd);
	assert_int_equal(tt_journal_open(&j, path, &opts), -TT_EPROTO);
	(void)state;
}

static void test_full_journal_returns_enospc(void **state)
{
	struct tt_journal j;
	struct tt_journal_opts o = opts;
	struct tt_jrec r = fill_rec(1);

	o.capacity = 16;
	assert_int_equal(tt_journal_open(&j, path, &o), 0);
	append_n(&j, 15);
	assert_int_equal(tt_journal_append(&j, &r), -ENOSPC);
	tt_journal_close(&j);
	(void)state;
}

static void test_foreign_file_and_bad_header_are_refused(void **state)
{
	struct tt_journal j;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char junk[64 * 20];

	memset(junk, 'x', sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(tt_journal_open(&j, path, &opts), -TT_EPROTO);
	assert_non_null(strstr(tt_err_msg(), "not a ticktrade journal"));
	fd = open(path, O_RDWR | O_TRUNC);
	assert_int_equal(write(fd, junk, 100), 100);
	close(fd);
	assert_int_equal(tt_journal_open(&j, path, &opts), -TT_EPROTO);
	(void)state;
}

static void test_batch_sync_policy(void **state)
{
	struct tt_journal j;
	struct tt_journal_opts o = opts;

	o.sync = TT_JSYNC_BATCH;
	o.batch_records = 8;
	o.batch_ns = 3600ull * 1000000000ull;
	assert_int_equal(tt_journal_open(&j, path, &o), 0);
	append_n(&j, 5);
	assert_int_equal(tt_journal_flush(&j), 0);
	assert_int_equal(j.synced_seq, 0); /* below the batch: nothing synced yet */
	for (uint64_t i = 6; i <= 8; i++) {
		struct tt_jrec r = fill_rec(i);
		assert_int_equal(tt_journal_append(&j, &r), (int64_t)i);
	}
	assert_int_equal(tt_journal_flush(&j), 0);
	assert_int_equal(j.synced_seq, 8);
	tt_journal_close(&j);
	(void)state;
}

/* A writer killed with SIGKILL at a random moment loses nothing it reported appended. */
static void test_kill_9_writer_loses_nothing_appended(void **state)
{
	unsigned seed = (unsigned)time(NULL);

	printf("seed %u\n", seed);
	srand(seed);
	for (int round = 0; round < 20; round++) {
		struct tt_journal_opts o = opts;
		struct tt_journal j;
		struct check c = { 0 };
		int pfd[2];
		uint64_t reported = 0, v;
		pid_t pid;

		o.capacity = 1 << 20;
		unlink(path);
		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct tt_journal w;

			close(pfd[0]);
			if (tt_journal_open(&w, path, &o))
				_exit(2);
			for (uint64_t i = 1; i < o.capacity; i++) {
				struct tt_jrec r = fill_rec(i);

				if (tt_journal_append(&w, &r) != (int64_t)i)
					_exit(3);
				if ((i & 255) == 0 && write(pfd[1], &i, sizeof(i)) != sizeof(i))
					_exit(4);
			}
			_exit(0);
		}
		close(pfd[1]);
		/* wait for a random number of progress reports, then kill mid-append */
		for (int k = 1 + rand() % 40; k > 0; k--)
			if (read(pfd[0], &v, sizeof(v)) == sizeof(v))
				reported = v;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read(pfd[0], &v, sizeof(v)) == sizeof(v))
			reported = v;
		close(pfd[0]);
		assert_int_equal(tt_journal_open(&j, path, &opts), 0);
		assert_true(j.next_seq - 1 >= reported);
		assert_true(j.cut_records <= 1);
		assert_int_equal(tt_journal_replay(&j, check_cb, &c), 0);
		assert_int_equal(c.n, j.next_seq - 1);
		tt_journal_close(&j);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_survive_close_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_is_cut_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_written_record_after_tail_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_file_corruption_is_refused_not_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_middle_record_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_journal_returns_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file_and_bad_header_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_sync_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_9_writer_loses_nothing_appended, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
