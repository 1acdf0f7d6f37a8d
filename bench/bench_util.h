/*
 * bench_util.h — what every tt-bench program shares: the TSC and its calibration against
 * CLOCK_MONOTONIC, core pinning, the machine description printed in each header and
 * written to each JSON file, and small JSON/output helpers. Cold code except the clock
 * reads, which are inline.
 */
#ifndef TT_BENCH_UTIL_H
#define TT_BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TT_BENCH_HAVE_TSC 1
#else
#define TT_BENCH_HAVE_TSC 0
#endif

static inline uint64_t tt_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC read, ordered after earlier loads (lfence) so it is not hoisted above the code it
 * stamps. Without a TSC, CLOCK_MONOTONIC ns (and the calibration says 1 tick = 1 ns). */
static inline uint64_t tt_bench_tsc(void)
{
#if TT_BENCH_HAVE_TSC
	_mm_lfence();
	return __rdtsc();
#else
	return tt_bench_now_ns();
#endif
}

struct tt_bench_machine {
	char host[64];		/* hostname */
	char date[32];		/* UTC, ISO 8601: 2026-11-23T19:40:00Z */
	char date_file[32];	/* UTC for file names: 2026-11-23T194000Z */
	char cpu[128];		/* model name from /proc/cpuinfo */
	char kernel[160];	/* uname -s and -r */
	char compiler[96];	/* compiler that built this binary */
	int nproc;		/* CPUs this process may run on */
	bool constant_tsc;	/* cpuinfo flags constant_tsc and nonstop_tsc */
	double tsc_ghz;		/* calibrated TSC ticks per ns */
	char loadavg[64];	/* /proc/loadavg at start: how busy the machine was */
};

/* Fills m (does not calibrate the TSC: see tt_bench_tsc_calibrate). */
void tt_bench_machine_get(struct tt_bench_machine *m);

/* Measures TSC ticks per ns against CLOCK_MONOTONIC over about ms milliseconds (best of
 * three short windows). Returns the rate, 1.0 without a TSC. */
double tt_bench_tsc_calibrate(unsigned ms);

/* The first two CPUs of this process's affinity mask into *a, *b (b = -1 when only one).
 * Returns how many CPUs the mask holds. */
int tt_bench_pick_cpus(int *a, int *b);
/* Pins the calling thread to cpu (no-op for cpu < 0). 0 or -errno. */
int tt_bench_pin(int cpu);

/* Writes s as a JSON string literal (quoted, escaped). */
void tt_bench_json_str(FILE *f, const char *s);
/* Writes the machine object: "machine": {...} (no trailing comma). */
void tt_bench_json_machine(FILE *f, const struct tt_bench_machine *m);
/* mkdir -p. 0 or -errno. */
int tt_bench_mkdir_p(const char *dir);

#endif /* TT_BENCH_UTIL_H */
