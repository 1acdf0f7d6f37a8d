/*
 * tt_clock.h — the project's time base (DESIGN §3): TSC ticks on the hot path, one
 * calibration shared by every process, a clock_gettime fallback.
 *
 * Ticks are what messages carry (t_rx, per-hop stamps): tt_clock_now() is one rdtsc. They
 * become CLOCK_MONOTONIC nanoseconds with tt_clock_to_ns(): one 64x64→128 multiply and a
 * shift, no division, no double:
 *
 *   ns = base_ns + ((ticks - base_tsc) * mult) >> shift
 *
 * The calibration (mult, shift, base) lives in a small file in /dev/shm named by the
 * caller (config [engine] clock_shm); tt-engine calibrates and publishes it with
 * tt_clock_init(name, true), every other process reads it with tt_clock_init(name, false),
 * so ticks stamped by one process convert identically in all of them.
 *
 * Fallback: when the TSC is not invariant (CPUID 0x80000007 EDX bit 8 or the kernel's
 * constant_tsc + nonstop_tsc flags), not x86, or TT_CLOCK_FORCE_FALLBACK=1 is set when
 * calibrating, ticks ARE CLOCK_MONOTONIC nanoseconds (mult 1, shift 0) and a
 * "clock_fallback" warning is logged. The mode is part of the shared calibration: an
 * attaching process follows the publisher. Before any init the clock is in fallback mode,
 * so the inline calls are always safe.
 *
 * Lifecycle (per process, not thread safe; call before threads start):
 *
 *   (fallback) --tt_clock_init(name,true)--> calibrated + published
 *              --tt_clock_init(name,false)-> attached
 *              --tt_clock_init_local()----> calibrated, private
 */
#ifndef TT_CLOCK_H
#define TT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tt_compiler.h"

/* Internal: the conversion, read on every call, written only by the init calls. */
struct tt__clock {
	uint64_t base_tsc;  /* tick of the anchor sample */
	int64_t base_ns;    /* CLOCK_MONOTONIC ns of the anchor sample */
	uint64_t mult;	    /* ns per tick, << shift */
	uint32_t shift;	    /* see mult */
	uint32_t is_tsc;    /* 1: ticks are TSC; 0: ticks are monotonic ns */
	uint64_t inv_mult;  /* ticks per ns, << inv_shift (ns → ticks) */
	uint32_t inv_shift; /* see inv_mult */
	uint32_t pad;
};
extern struct tt__clock tt__clock;

static inline int64_t tt__clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t tt__rdtsc(void)
{
	return __builtin_ia32_rdtsc();
}
#else
static inline uint64_t tt__rdtsc(void)
{
	return (uint64_t)tt__clock_mono_ns();
}
#endif

/* True when ticks are TSC cycles (false: fallback, ticks are monotonic ns). */
static inline bool tt_clock_is_tsc(void)
{
	return tt__clock.is_tsc != 0;
}

/* Now, in ticks. Hot path: one rdtsc (not serialising: it stamps, it does not fence). */
static inline uint64_t tt_clock_now(void)
{
	if (tt_likely(tt__clock.is_tsc))
		return tt__rdtsc();
	return (uint64_t)tt__clock_mono_ns();
}

/* Ticks → CLOCK_MONOTONIC ns. Exact identity in fallback mode. Valid for ticks up to
 * ~2^63 ns either side of the anchor. */
static inline int64_t tt_clock_to_ns(uint64_t ticks)
{
	__int128 d = (__int128)(int64_t)(ticks - tt__clock.base_tsc) * (__int128)tt__clock.mult;

	return tt__clock.base_ns + (int64_t)(d >> tt__clock.shift);
}

/* A tick interval (t1 - t0, t1 later) → ns. */
static inline int64_t tt_clock_delta_ns(uint64_t t0, uint64_t t1)
{
	__int128 d = (__int128)(int64_t)(t1 - t0) * (__int128)tt__clock.mult;

	return (int64_t)(d >> tt__clock.shift);
}

/* A duration in ns → ticks (deadline arithmetic on the hot path: now + ns_to_ticks(x)). */
static inline uint64_t tt_clock_ns_to_ticks(int64_t ns)
{
	__int128 d = (__int128)ns * (__int128)tt__clock.inv_mult;

	return (uint64_t)(int64_t)(d >> tt__clock.inv_shift);
}

/* CLOCK_MONOTONIC ns (as from tt_clock_to_ns) → ticks: the inverse, to within a tick.
 * Lets code that keeps time in ns (the io_uring loop's timers) hand out tick stamps. */
static inline uint64_t tt_clock_from_ns(int64_t ns)
{
	return tt__clock.base_tsc + tt_clock_ns_to_ticks(ns - tt__clock.base_ns);
}

/* Now, in CLOCK_MONOTONIC ns, through the tick clock. */
static inline int64_t tt_clock_ns_now(void)
{
	return tt_clock_to_ns(tt_clock_now());
}

/*
 * Calibrate and publish (create = true) or attach to (create = false) the shared
 * calibration in /dev/shm/<shm_name> (name: 1..63 bytes of [A-Za-z0-9._-]).
 * create: measures the TSC against CLOCK_MONOTONIC (~100 ms, best of several rounds),
 *   writes the file (mode 0644) through a temporary name and rename(), so a reader sees
 *   the old file or the whole new one, never a part.
 * attach: reads and validates the file (size, magic, version, checksum, sane values).
 * Returns 0, or -errno / -TT_EMAGIC / -TT_EVERSION / -TT_ELAYOUT / -TT_ECLOCK with the
 * tt_err trail naming the file and what was wrong; on failure the clock is unchanged.
 */
int tt_clock_init(const char *shm_name, bool create) __tt_cold TT_WUR;

/* Calibrate for this process only (tests, tools). Returns 0 (never fails: falls back). */
int tt_clock_init_local(void) __tt_cold;

/* Remove the shared calibration file (tt-engine at shutdown, tests). 0 or -errno. */
int tt_clock_unlink(const char *shm_name) __tt_cold;

/* Calibrated TSC frequency in Hz (0 in fallback mode), for logs and bench output. */
uint64_t tt_clock_tsc_hz(void);

/* Why the clock is in fallback mode ("" when it is not): for logs and tests. */
const char *tt_clock_fallback_reason(void);

#endif /* TT_CLOCK_H */
