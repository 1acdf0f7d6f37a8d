/*
 * venue_md_e2e.c — tt-md against tt-venue end to end: real processes, real TLS WebSocket
 * and HTTPS, real shared-memory ring. This test stands in for tt-engine (creates the
 * rings) and for tt-strat (drains md.strat in a thread, checking the producer's sequence).
 *
 * After the books sync, every fault the venue can inject is applied in turn — gap,
 * duplicate, reorder, garbage bytes, dropped connection, stall, slow (dribbled) TLS, an
 * oversize frame (refused: close 1009, reconnect) — and after each one, and at the
 * end, the market is paused and tt-md's books must equal the venue's books exactly (every
 * level, price and quantity, and the update id). Gap and garbage must have caused
 * resyncs / parse errors (the faults really happened and were really noticed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../venue/venue_client.h"
#include "tt_fixed.h"
#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_stats.h"

#define SYMS "BTCUSDT,ETHUSDT"
#define CMP_SCALE 8

static struct vc_proc V;
static pid_t md_pid = -1;
static char dir[128], cfg_path[256], dump_path[256], ring_name[64];
static struct tt_ring ring;
static volatile int drain_stop;
static uint64_t drained, seq_errors, last_seq;
static pthread_t drainer;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void *drain(void *arg)
{
	(void)arg;
	while (!drain_stop) {
		const union tt_msg *m;

		if (tt_ring_wait_data(&ring, 20000000ull) != 0)
			continue;
		tt_ring_heartbeat(&ring);
		while ((m = tt_ring_peek(&ring))) {
			if (last_seq && m->h.seq != last_seq + 1)
				seq_errors++;
			last_seq = m->h.seq;
			drained++;
			tt_ring_release(&ring);
		}
	}
	return NULL;
}

static void write_config(void)
{
	const char *src = getenv("TT_SOURCE_DIR");
	char in_path[512], line[512];
	FILE *in, *out;

	snprintf(in_path, sizeof(in_path), "%s/config/testnet.ini", src ? src : ".");
	in = fopen(in_path, "r");
	assert_non_null(in);
	out = fopen(cfg_path, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		char *sp;

		if (!strncmp(line, "ws_url", 6))
			snprintf(line, sizeof(line), "ws_url = wss://127.0.0.1:%d/ws\n", V.port);
		else if (!strncmp(line, "rest_url", 8))
			snprintf(line, sizeof(line), "rest_url = https://127.0.0.1:%d/api\n", V.port);
		else if (!strncmp(line, "oe_url", 6))
			snprintf(line, sizeof(line), "oe_url = wss://127.0.0.1:%d/ws-api/v3\n", V.port);
		else if (!strncmp(line, "ca_file", 7))
			snprintf(line, sizeof(line), "ca_file = %.400s\n", V.ca);
		else if (!strncmp(line, "book_depth", 10))
			snprintf(line, sizeof(line), "book_depth = 1000\n");
		else if (!strncmp(line, "stale_after", 11))
			snprintf(line, sizeof(line), "stale_after = 3s\n");
		else if (!strncmp(line, "instance", 8))
			snprintf(line, sizeof(line), "instance = tt-e2e-md-%d\n", (int)getpid());
		else if (!strncmp(line, "clock_shm", 9))
			snprintf(line, sizeof(line), "clock_shm = tt-e2e-md-%d-clock\n", (int)getpid());
		else if ((sp = strstr(line, "tt-testnet-ring-")) != NULL) {
			char tail[256];

			snprintf(tail, sizeof(tail), "%s", sp + strlen("tt-testnet-ring-"));
			snprintf(sp, sizeof(line) - (size_t)(sp - line), "tt-e2e-%d-%s", (int)getpid(), tail);
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
}

/* Levels of one side of a book JSON ("bids":[["p","q"],...]) as fixed point at CMP_SCALE,
 * from `key` on. Returns the count. */
static int levels(const char *json, const char *key, int64_t (*out)[2], int cap)
{
	const char *p = strstr(json, key);
	int n = 0;

	if (!p)
		return -1;
	p = strchr(p, '[');
	if (!p)
		return -1;
	p++;
	while (*p == '[' && n < cap) {
		for (int k = 0; k < 2; k++) {
			const char *q = strchr(p, '"'), *e;

			if (!q)
				return -1;
			e = strchr(q + 1, '"');
			if (!e || tt_fixed_parse(q + 1, (size_t)(e - q - 1), CMP_SCALE, &out[n][k]) != 0)
				return -1;
			p = e + 1;
		}
		p = strchr(p, ']');
		if (!p)
			return -1;
		p++;
		n++;
		if (*p == ',')
			p++;
	}
	return n;
}

static char *read_file(const char *path)
{
	static char buf[4 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n, off = 0;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - (size_t)off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	return buf;
}

/* tt-md's dump for sym: the text from "SYM":{ to the end (levels() stops at its arrays). */
static const char *md_book(const char *dump, const char *sym)
{
	char key[32];

	snprintf(key, sizeof(key), "\"%s\":{", sym);
	return dump ? strstr(dump, key) : NULL;
}

/* Pauses the market, then waits until tt-md's book equals the venue's for every symbol.
 * Returns the number of symbols that matched exactly (2 = success). */
static int books_converge(const char *when)
{
	static int64_t a[4000][2], b[4000][2];
	static char vbook[1 << 20];
	const char *syms[] = { "BTCUSDT", "ETHUSDT" };
	long long t0 = now_ms();
	int matched = 0;
	char out[256];

	assert_true(vc_ctl(&V, "pause", out, sizeof(out)) > 0);
	while (now_ms() - t0 < 20000) {
		const char *dump;

		matched = 0;
		kill(md_pid, SIGUSR2);
		usleep(300000);
		dump = read_file(dump_path);
		for (int s = 0; s < 2; s++) {
			char cmd[64];
			const char *mb = md_book(dump, syms[s]);
			unsigned long long vid, mid;
			int nv, nm, ok = 1;

			snprintf(cmd, sizeof(cmd), "book %s", syms[s]);
			if (vc_ctl(&V, cmd, vbook, sizeof(vbook)) <= 0 || !mb)
				continue;
			vid = vc_num(vbook, "lastUpdateId");
			mid = vc_num(mb, "update_id");
			if (vid != mid)
				continue;
			for (int side = 0; side < 2 && ok; side++) {
				const char *k = side ? "\"asks\"" : "\"bids\"";

				nv = levels(vbook, k, a, 4000);
				nm = levels(mb, k, b, 4000);
				ok = nv > 0 && nv == nm && memcmp(a, b, sizeof(a[0]) * (size_t)nv) == 0;
			}
			matched += ok;
		}
		if (matched == 2)
			break;
	}
	print_message("books after %s: %d of 2 symbols equal the venue's exactly\n", when, matched);
	assert_true(vc_ctl(&V, "resume", out, sizeof(out)) > 0);
	return matched;
}

/* Sum of a per-instrument counter ("resyncs", "applied") in a fresh dump of tt-md. */
static unsigned long long md_counter(const char *key)
{
	char quoted[64];
	const char *dump, *p;
	unsigned long long sum = 0;

	snprintf(quoted, sizeof(quoted), "\"%s\":", key);
	kill(md_pid, SIGUSR2);
	usleep(300000);
	dump = read_file(dump_path);
	for (p = dump; p && (p = strstr(p, quoted)); p += strlen(quoted))
		sum += vc_num(p, key);
	return sum;
}

static int setup(void **state)
{
	const char *vargs[] = { "--symbols", SYMS, "--rate", "2000", "--seed", "7", NULL };
	const char *bd = getenv("TT_BUILD_DIR");
	struct tt_ring_params p = { .slot_size = 64, .capacity = 4096, .mode = TT_RING_LOSSLESS,
				    .msg_version = TT_MSG_LAYOUT_VERSION };
	char md_bin[512];

	(void)state;
	assert_non_null(bd);
	assert_int_equal(vc_start(&V, vargs), 0);
	snprintf(dir, sizeof(dir), "%s", V.dir);
	snprintf(cfg_path, sizeof(cfg_path), "%s/md.ini", dir);
	snprintf(dump_path, sizeof(dump_path), "%s/books.json", dir);
	write_config();
	snprintf(ring_name, sizeof(ring_name), "tt-e2e-%d-md.strat", (int)getpid());
	assert_int_equal(tt_ring_create(ring_name, &p), 0);
	assert_int_equal(tt_ring_attach(&ring, ring_name, TT_RING_CONSUMER, &p, TT_WAIT_FUTEX), 0);
	assert_int_equal(pthread_create(&drainer, NULL, drain, NULL), 0);
	snprintf(md_bin, sizeof(md_bin), "%s/marketdata/tt-md", bd);
	md_pid = fork();
	assert_true(md_pid >= 0);
	if (md_pid == 0) {
		char errp[300];
		int fd;

		snprintf(errp, sizeof(errp), "%s/md.err", dir);
		fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(md_bin, "tt-md", "--config", cfg_path, "--dump", dump_path, "--report",
		      (char *)NULL);
		_exit(127);
	}
	return 0;
}

static int teardown(void **state)
{
	int st;

	(void)state;
	if (md_pid > 0) {
		kill(md_pid, SIGKILL);
		waitpid(md_pid, &st, 0);
	}
	drain_stop = 1;
	pthread_join(drainer, NULL);
	tt_ring_detach(&ring);
	tt_ring_unlink(ring_name);
	{ /* tt-md's log ring and stats block (instance tt-e2e-md-<pid>) */
		char shm[64];

		snprintf(shm, sizeof(shm), "tt-e2e-md-%d.log.tt-md", (int)getpid());
		(void)tt_ring_unlink(shm);
		snprintf(shm, sizeof(shm), "tt-e2e-md-%d", (int)getpid());
		(void)tt_stats_unlink(shm, "tt-md");
	}
	if (getenv("TT_E2E_KEEP")) {
		fprintf(stderr, "kept %s\n", dir);
		V.dir[0] = 0; /* vc_stop removes it otherwise */
	}
	vc_stop(&V);
	return 0;
}

static void test_md_books_equal_venue_across_faults(void **state)
{
	static const char *const faults[] = { "gap BTCUSDT", "dup ETHUSDT", "reorder BTCUSDT",
					      "garbage 3", "drop", "stall 800", "slow 600",
					      "oversize 2000000 BTCUSDT" };
	char out[512];
	unsigned long long resyncs;
	int st;

	(void)state;
	/* wait for tt-md to be up (its md_started line) before signalling it */
	for (int i = 0; i < 300; i++) {
		char errp[300];
		const char *log;

		snprintf(errp, sizeof(errp), "%s/md.err", dir);
		log = read_file(errp);
		if (log && strstr(log, "\"md_started\""))
			break;
		usleep(100000);
	}
	assert_int_equal(books_converge("first sync"), 2);
	for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
		char what[64];

		assert_true(vc_ctl(&V, faults[f], out, sizeof(out)) > 0);
		usleep(1500000);
		snprintf(what, sizeof(what), "fault \"%s\"", faults[f]);
		assert_int_equal(books_converge(what), 2);
	}
	/* the gap, the garbage and the drop must each have forced a resync */
	resyncs = md_counter("resyncs");
	print_message("tt-md resyncs across the run: %llu\n", resyncs);
	assert_true(resyncs >= 3);
	/* orderly exit, and every message on the ring arrived in order */
	assert_int_equal(kill(md_pid, SIGTERM), 0);
	assert_int_equal(waitpid(md_pid, &st, 0), md_pid);
	md_pid = -1;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	usleep(100000);
	print_message("md.strat: %llu messages drained, %llu sequence errors\n",
		      (unsigned long long)drained, (unsigned long long)seq_errors);
	assert_true(drained > 1000);
	assert_int_equal(seq_errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_md_books_equal_venue_across_faults, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
