/*
 * ring_test_msg.h — the 64-byte test message shared by the ring stress, restart and TSan
 * tests: a sequence number, six payload words derived from it and a checksum, so a
 * consumer can tell lost, duplicated, reordered and torn messages apart. Plus a seeded
 * xorshift generator for the random pauses (the seed is printed so a run can be replayed).
 */
#ifndef TT_RING_TEST_MSG_H
#define TT_RING_TEST_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tt_compiler.h"

struct rt_msg {
	uint64_t seq;
	uint64_t w[6];
	uint64_t sum;
};
_Static_assert(sizeof(struct rt_msg) == 64, "test message fills one slot");

static inline uint64_t rt_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline void rt_fill(void *slot, uint64_t seq)
{
	struct rt_msg *m = slot;
	uint64_t sum = seq;

	m->seq = seq;
	for (int i = 0; i < 6; i++) {
		m->w[i] = rt_mix(seq * 8 + (uint64_t)i);
		sum = rt_mix(sum ^ m->w[i]);
	}
	m->sum = sum;
}

/* true when the slot holds an intact message (payload and checksum match its seq). */
static inline bool rt_check(const void *slot, uint64_t *seq)
{
	const struct rt_msg *m = slot;
	uint64_t s = m->seq;
	uint64_t sum = s;

	for (int i = 0; i < 6; i++) {
		if (m->w[i] != rt_mix(s * 8 + (uint64_t)i))
			return false;
		sum = rt_mix(sum ^ m->w[i]);
	}
	*seq = s;
	return m->sum == sum;
}

static inline uint64_t rt_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Seed from TT_STRESS_SEED, else from the clock and pid. Never 0. */
static inline uint64_t rt_seed(void)
{
	const char *e = getenv("TT_STRESS_SEED");
	struct timespec ts;

	if (e && *e)
		return strtoull(e, NULL, 0) | 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return rt_mix((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32)) | 1;
}

static inline uint64_t rt_env_u64(const char *name, uint64_t dflt)
{
	const char *e = getenv(name);

	return e && *e ? strtoull(e, NULL, 0) : dflt;
}

/* A short random pause now and then: mostly nothing, sometimes a few hundred pause
 * instructions, rarely a sleep of up to 100 us (lets the other side fill or drain). */
static inline void rt_maybe_pause(uint64_t *rng)
{
	uint64_t r = rt_rand(rng);

	if (__builtin_expect((r & 255) != 0, 1))
		return;
	if ((r >> 10) & 63) {
		for (uint64_t i = (r >> 16) & 511; i > 0; i--)
			tt_cpu_relax();
		return;
	}
	usleep((useconds_t)((r >> 16) % 100));
}

#endif /* TT_RING_TEST_MSG_H */
