/*
 * log_bench.c — tt-bench-log: what one log call costs the hot path.
 *
 *   ring     tt_logh(order_sent, ...)  binary record into the thread's lossy shm log ring
 *   tt_log   tt_log(INFO, "order_sent", TT_LU..)  JSON formatted and write()n (to /dev/null)
 *   fprintf  fprintf(f, "{...}\n", ...) of the same JSON line (stdio buffered, /dev/null)
 *   stat_inc tt_stat_inc(oe_orders): one counter of the process's shm stats block (tt_stats.h)
 *   stat_ns  tt_stat_ns(t2t, ns): one observation into the block's t2t histogram
 *
 * Each sample is the mean cost of a batch of TT_BENCH_LOG_BATCH calls (TSC around the
 * batch, divided), so the timer's own cost does not swamp a ~10 ns call; between ring
 * batches the bench drains the ring untimed (the writer's job), so no record is dropped.
 * Prints p50/p99/p999 ns per call. --smoke: tiny counts, checks records arrived.
 * Env: TT_BENCH_LOG_N (samples, default 20000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "bench_util.h"
#include "hist.h"
#include "tt_clock.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_stats.h"

#define TT_BENCH_LOG_BATCH 32

static uint64_t samples[1 << 20];

static void report(const char *name, struct tt_bench_hist *h, double ns_per_tick)
{
	struct tt_bench_pct p;

	tt_bench_hist_summarize(h, &p);
	tt_bench_pct_scale(&p, ns_per_tick / TT_BENCH_LOG_BATCH);
	printf("| %-8s | %6llu | %6llu | %6llu | %6llu |\n", name, (unsigned long long)p.p50,
	       (unsigned long long)p.p99, (unsigned long long)p.p999,
	       (unsigned long long)p.n * TT_BENCH_LOG_BATCH);
}

int main(int argc, char **argv)
{
	int smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	const char *env_n = getenv("TT_BENCH_LOG_N");
	size_t n = smoke ? 200 : (env_n ? strtoul(env_n, NULL, 10) : 20000);
	char inst[32], name[TT_RING_NAME_MAX];
	struct tt_ring c;
	struct tt_ring_params rp = tt_logring_params(1u << 16);
	struct tt_bench_hist h;
	double ns_per_tick;
	FILE *devnull;
	int fd;
	uint64_t got = 0;

	if (n > sizeof(samples) / sizeof(samples[0]))
		n = sizeof(samples) / sizeof(samples[0]);
	tt_log_init("tt-bench-log");
	tt_clock_init_local();
	ns_per_tick = tt_clock_is_tsc() ? 1e9 / (double)tt_clock_tsc_hz() : 1.0;
	snprintf(inst, sizeof(inst), "benchlog%d", (int)getpid());
	if (tt_logring_open(inst, "bench", 0, 1u << 16) ||
	    tt_logring_name(name, sizeof(name), inst, "bench", 0) ||
	    tt_ring_attach(&c, name, TT_RING_CONSUMER, &rp, TT_WAIT_SPIN)) {
		fprintf(stderr, "tt-bench-log: log ring: %s\n", tt_err_msg());
		return 1;
	}
	fd = open("/dev/null", O_WRONLY);
	devnull = fopen("/dev/null", "w");
	tt_bench_hist_init(&h, samples, n);
	printf("tt-bench-log: ns per call, mean of batches of %d, %zu batches\n",
	       TT_BENCH_LOG_BATCH, n);
	printf("| path     |    p50 |    p99 |   p999 |  calls |\n|---|---|---|---|---|\n");

	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tt_clock_now(), t1;

		for (int k = 0; k < TT_BENCH_LOG_BATCH; k++)
			tt_logh(order_sent, (int64_t)i, k, 6500012345678, 777);
		t1 = tt_clock_now();
		tt_bench_hist_record(&h, t1 - t0);
		while (tt_ring_peek(&c)) {
			tt_ring_advance(&c, 1);
			got++;
		}
		tt_ring_consume_flush(&c);
	}
	report("ring", &h, ns_per_tick);

	/* the stats block: what a counter increment / histogram record costs tt-oe */
	if (tt_stats_open(inst, "bench") != 0) {
		fprintf(stderr, "tt-bench-log: stats block: %s\n", tt_err_msg());
		return 1;
	}
	tt_bench_hist_reset(&h);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tt_clock_now(), t1;

		for (int k = 0; k < TT_BENCH_LOG_BATCH; k++)
			tt_stat_inc(oe_orders);
		t1 = tt_clock_now();
		tt_bench_hist_record(&h, t1 - t0);
	}
	report("stat_inc", &h, ns_per_tick);
	tt_bench_hist_reset(&h);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tt_clock_now(), t1;

		for (int k = 0; k < TT_BENCH_LOG_BATCH; k++)
			tt_stat_ns(t2t, 1000 + (i & 1023) * 97 + (uint64_t)k);
		t1 = tt_clock_now();
		tt_bench_hist_record(&h, t1 - t0);
	}
	report("stat_ns", &h, ns_per_tick);
	if (tt__stats->c[TT_ST_oe_orders] != (uint64_t)n * TT_BENCH_LOG_BATCH ||
	    tt__stats->h[TT_STH_t2t].count != (uint64_t)n * TT_BENCH_LOG_BATCH) {
		fprintf(stderr, "tt-bench-log: stats block counted %llu, expected %llu\n",
			(unsigned long long)tt__stats->c[TT_ST_oe_orders],
			(unsigned long long)n * TT_BENCH_LOG_BATCH);
		return 1;
	}
	tt_stats_close();
	(void)tt_stats_unlink(inst, "bench");

	tt_log_set_fd(fd);
	tt_bench_hist_reset(&h);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tt_clock_now(), t1;

		for (int k = 0; k < TT_BENCH_LOG_BATCH; k++)
			tt_log(TT_LOG_INFO, "order_sent", TT_LU("order_id", i),
			       TT_LU("instrument", k), TT_LX("px", 6500012345678, 8),
			       TT_LI("t2t_ns", 777));
		t1 = tt_clock_now();
		tt_bench_hist_record(&h, t1 - t0);
	}
	tt_log_set_fd(2);
	report("tt_log", &h, ns_per_tick);

	tt_bench_hist_reset(&h);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tt_clock_now(), t1;

		for (int k = 0; k < TT_BENCH_LOG_BATCH; k++) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			fprintf(devnull,
				"{\"ts\":%lld.%09ld,\"level\":\"info\",\"proc\":\"bench\","
				"\"pid\":%d,\"event\":\"order_sent\",\"order_id\":%zu,"
				"\"instrument\":%d,\"px\":%lld.%08lld,\"t2t_ns\":%d}\n",
				(long long)ts.tv_sec, ts.tv_nsec, (int)getpid(), i, k,
				6500012345678ll / 100000000, 6500012345678ll % 100000000, 777);
		}
		t1 = tt_clock_now();
		tt_bench_hist_record(&h, t1 - t0);
	}
	report("fprintf", &h, ns_per_tick);

	fclose(devnull);
	close(fd);
	tt_logring_close();
	tt_ring_detach(&c);
	tt_ring_unlink(name);
	if (got != (uint64_t)n * TT_BENCH_LOG_BATCH) {
		fprintf(stderr, "tt-bench-log: %llu records drained, expected %llu\n",
			(unsigned long long)got, (unsigned long long)n * TT_BENCH_LOG_BATCH);
		return 1;
	}
	return 0;
}
