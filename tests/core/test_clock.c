/*
 * test_clock.c — tt_clock.h: ticks convert monotonically and agree with CLOCK_MONOTONIC
 * (generous bounds: the machine is noisy), the shared calibration is read identically by
 * another process, damaged or missing files are refused with a clear error and leave the
 * clock unchanged, and the forced fallback is real monotonic time.
 */
#include "tt_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tt_err.h"
#include "tt_log.h"

static char shm_name[64];
static char shm_path[96];

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {ns / 1000000000, ns % 1000000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static size_t read_file(const char *path, void *p, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;

	assert_true(fd >= 0);
	r = read(fd, p, cap);
	assert_true(r >= 0);
	close(fd);
	return (size_t)r;
}

static int setup(void **state)
{
	snprintf(shm_name, sizeof(shm_name), "tt-core-test-clock-%d", (int)getpid());
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/%s", shm_name);
	tt_log_init("test_clock");
	unsetenv("TT_CLOCK_FORCE_FALLBACK");
	return 0;
}

static int teardown(void **state)
{
	unlink(shm_path);
	return 0;
}

/* Shared checks for whichever mode the clock is in. */
static void check_tracks_monotonic(void)
{
	int64_t prev = tt_clock_ns_now();
	int64_t m0, m1, t, d_mono, d_tick;
	uint64_t k0, k1;

	for (int i = 0; i < 10000; i++) {
		int64_t now = tt_clock_ns_now();

		assert_true(now >= prev);
		prev = now;
	}
	/* absolute: a tick-derived "now" lies between two monotonic reads, give or take
	 * 5 ms of calibration error */
	m0 = mono_ns();
	t = tt_clock_ns_now();
	m1 = mono_ns();
	assert_true(t >= m0 - 5000000);
	assert_true(t <= m1 + 5000000);
	/* rate: over a 50 ms sleep the two clocks agree within ±20 % */
	m0 = mono_ns();
	k0 = tt_clock_now();
	sleep_ns(50000000);
	k1 = tt_clock_now();
	m1 = mono_ns();
	d_mono = m1 - m0;
	d_tick = tt_clock_delta_ns(k0, k1);
	assert_true(d_tick >= d_mono * 8 / 10 - 1000000);
	assert_true(d_tick <= d_mono * 12 / 10);
	/* each conversion floors: the difference of two may be one ns off the delta */
	assert_true(llabs(tt_clock_to_ns(k1) - tt_clock_to_ns(k0) - d_tick) <= 1);
	/* ns → ticks → ns round trip within 1 ppm + 1 ns */
	int64_t back = tt_clock_delta_ns(0, tt_clock_ns_to_ticks(1000000000));

	assert_true(back >= 1000000000 - 1001 && back <= 1000000000 + 1001);
	/* ns stamps (the io_uring loop's) map back to the same ticks, within the ticks of
	 * one ns (to_ns floors to whole ns) plus rounding */
	int64_t slack = (int64_t)tt_clock_ns_to_ticks(1) + 2;

	for (int i = 0; i < 1000; i++) {
		uint64_t k = tt_clock_now() + (uint64_t)i * 7919;
		int64_t kd = (int64_t)(tt_clock_from_ns(tt_clock_to_ns(k)) - k);

		assert_true(kd >= -slack && kd <= slack);
	}
}

static void test_local_calibration_tracks_clock_monotonic(void **state)
{
	assert_int_equal(tt_clock_init_local(), 0);
	if (tt_clock_is_tsc()) {
		assert_true(tt_clock_tsc_hz() >= 100000000);
		assert_string_equal(tt_clock_fallback_reason(), "");
	} else {
		print_message("TSC not usable here (%s): checking the fallback only\n",
			      tt_clock_fallback_reason());
	}
	check_tracks_monotonic();
}

static void test_forked_process_sees_identical_calibration(void **state)
{
	struct tt__clock mine, theirs;
	uint64_t probe[3];
	int64_t conv[3], child_conv[3];
	int p[2], status;
	pid_t pid;

	assert_int_equal(tt_clock_init(shm_name, true), 0);
	mine = tt__clock;
	probe[0] = tt_clock_now();
	probe[1] = probe[0] + 123456789;
	probe[2] = probe[0] - 987654;
	for (int i = 0; i < 3; i++)
		conv[i] = tt_clock_to_ns(probe[i]);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* forget the inherited calibration: only the file may provide it */
		tt__clock = (struct tt__clock){.mult = 1, .inv_mult = 1};
		if (tt_clock_init(shm_name, false) != 0)
			_exit(2);
		for (int i = 0; i < 3; i++)
			child_conv[i] = tt_clock_to_ns(probe[i]);
		if (write(p[1], &tt__clock, sizeof(tt__clock)) != sizeof(tt__clock) ||
		    write(p[1], child_conv, sizeof(child_conv)) != sizeof(child_conv))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &theirs, sizeof(theirs)), sizeof(theirs));
	assert_int_equal(read(p[0], child_conv, sizeof(child_conv)), sizeof(child_conv));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_memory_equal(&mine, &theirs, sizeof(mine));
	assert_memory_equal(conv, child_conv, sizeof(conv));
}

static void test_attach_to_missing_file_fails_with_enoent(void **state)
{
	char name[80];

	snprintf(name, sizeof(name), "%s-absent", shm_name);
	assert_int_equal(tt_clock_init(name, false), -ENOENT);
	assert_non_null(strstr(tt_err_msg(), "is tt-engine running?"));
}

static void test_attach_to_short_file_fails_and_leaves_clock_unchanged(void **state)
{
	struct tt__clock before;

	assert_int_equal(tt_clock_init_local(), 0);
	before = tt__clock;
	write_file(shm_path, "TTCLOCK short", 12);
	assert_int_equal(tt_clock_init(shm_name, false), -TT_ELAYOUT);
	assert_non_null(strstr(tt_err_msg(), "is 12 bytes, expected 256"));
	assert_memory_equal(&before, &tt__clock, sizeof(before));
}

static void test_attach_to_damaged_files_fails_clearly(void **state)
{
	unsigned char good[256], bad[256], zero[256] = {0};

	assert_int_equal(tt_clock_init(shm_name, true), 0);
	assert_int_equal(read_file(shm_path, good, sizeof(good)), sizeof(good));

	write_file(shm_path, zero, sizeof(zero));
	assert_int_equal(tt_clock_init(shm_name, false), -TT_EMAGIC);
	assert_non_null(strstr(tt_err_msg(), "bad magic"));

	memcpy(bad, good, sizeof(bad));
	bad[8] ^= 0x7f; /* version */
	write_file(shm_path, bad, sizeof(bad));
	assert_int_equal(tt_clock_init(shm_name, false), -TT_EVERSION);

	memcpy(bad, good, sizeof(bad));
	bad[16 + 16] ^= 0x01; /* a bit of mult */
	write_file(shm_path, bad, sizeof(bad));
	assert_int_equal(tt_clock_init(shm_name, false), -TT_ELAYOUT);
	assert_non_null(strstr(tt_err_msg(), "checksum mismatch"));

	write_file(shm_path, good, sizeof(good));
	assert_int_equal(tt_clock_init(shm_name, false), 0);
}

static void test_bad_shm_names_are_refused(void **state)
{
	assert_int_equal(tt_clock_init("../etc/passwd", false), -EINVAL);
	assert_non_null(strstr(tt_err_msg(), "[A-Za-z0-9._-]"));
	assert_int_equal(tt_clock_init("", true), -EINVAL);
	assert_int_equal(tt_clock_init(NULL, false), -EINVAL);
	assert_int_equal(tt_clock_unlink("a/b"), -EINVAL);
}

static void test_forced_fallback_uses_monotonic_ns_and_is_shared(void **state)
{
	int p[2], status;
	char buf[8192];
	ssize_t n;
	pid_t pid;
	int64_t m0, m1;
	uint64_t t;

	assert_int_equal(pipe(p), 0);
	tt_log_set_fd(p[1]);
	setenv("TT_CLOCK_FORCE_FALLBACK", "1", 1);
	assert_int_equal(tt_clock_init(shm_name, true), 0);
	unsetenv("TT_CLOCK_FORCE_FALLBACK");
	tt_log_set_fd(2);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"level\":\"warn\""));
	assert_non_null(strstr(buf, "\"event\":\"clock_fallback\""));

	assert_false(tt_clock_is_tsc());
	assert_int_equal(tt_clock_tsc_hz(), 0);
	assert_non_null(strstr(tt_clock_fallback_reason(), "TT_CLOCK_FORCE_FALLBACK"));
	m0 = mono_ns();
	t = tt_clock_now();
	m1 = mono_ns();
	assert_true((int64_t)t >= m0 && (int64_t)t <= m1);
	assert_int_equal(tt_clock_to_ns(t), (int64_t)t);
	assert_int_equal(tt_clock_ns_to_ticks(12345), 12345);
	check_tracks_monotonic();

	/* an attaching process follows the publisher's mode, whatever its own CPU says */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		tt_log_set_level(TT_LOG_OFF);
		tt__clock = (struct tt__clock){.is_tsc = 1, .mult = 7, .inv_mult = 7};
		if (tt_clock_init(shm_name, false) != 0)
			_exit(2);
		_exit(tt_clock_is_tsc() ? 3 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_unlink_removes_the_file(void **state)
{
	assert_int_equal(tt_clock_init(shm_name, true), 0);
	assert_int_equal(access(shm_path, F_OK), 0);
	assert_int_equal(tt_clock_unlink(shm_name), 0);
	assert_int_equal(access(shm_path, F_OK), -1);
	assert_int_equal(tt_clock_unlink(shm_name), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_calibration_tracks_clock_monotonic),
	    cmocka_unit_test(test_forked_process_sees_identical_calibration),
	    cmocka_unit_test(test_attach_to_missing_file_fails_with_enoent),
	    cmocka_unit_test(test_attach_to_short_file_fails_and_leaves_clock_unchanged),
	    cmocka_unit_test(test_attach_to_damaged_files_fails_clearly),
	    cmocka_unit_test(test_bad_shm_names_are_refused),
	    cmocka_unit_test(test_forced_fallback_uses_monotonic_ns_and_is_shared),
	    cmocka_unit_test(test_unlink_removes_the_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
