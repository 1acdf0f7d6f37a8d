/*
 * ring_ops.h — the one interface tt-bench-ring drives every SPSC queue through.
 *
 * Every implementation (ticktrade, ck_ring, boost::lockfree::spsc_queue, naive) fills one
 * struct br_ops per message size, and the harness in ring_bench.c calls only through it.
 * Overhead is kept equal on purpose: every operation is an out-of-line function
 * (noinline, noclone) reached through a function pointer that the harness launders
 * through an empty asm, so the compiler cannot devirtualise or inline one implementation
 * and not another (LTO included). Each op costs one indirect call for all four; the
 * queue's own fast path is inlined inside its op, as a real caller would get it.
 *
 * All queues live in POSIX shared memory (one object per ring), created once by the
 * parent before the run (create) and mapped by each side in its own process or thread
 * (open), so the cross-thread and cross-process runs use the same memory layout.
 *
 * Capacity is BR_CAP slots for every queue (boost needs it at compile time). Usable
 * slots: ticktrade and naive BR_CAP, ck_ring and boost BR_CAP-1 (one slot kept empty).
 */
#ifndef TT_BENCH_RING_OPS_H
#define TT_BENCH_RING_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BR_CAP 4096u	/* slots per ring, every implementation */
#define BR_BATCH 32u	/* messages per publish in the batch runs */
#define BR_NAME_MAX 64

#if defined(__clang__)
#define BR_NOINLINE __attribute__((noinline))
#else
#define BR_NOINLINE __attribute__((noinline, noclone))	/* noclone: no IPA-CP copies */
#endif

/* The two payloads. msg64 is one cache line, as the project's ring messages are. */
struct br_msg8 {
	uint64_t w[1];
};
struct br_msg64 {
	uint64_t w[8];	/* w[0]: sequence number, w[1]: sender's TSC (one-way runs) */
} __attribute__((aligned(64)));

enum br_role { BR_PRODUCER = 0, BR_CONSUMER = 1 };

/* One side's handle on one ring: caller's storage, process-local. */
struct br_q {
	void *mem;			/* mapped shared region (baselines) */
	size_t mem_len;			/* its length */
	unsigned char local[256] __attribute__((aligned(64)));	/* impl's private state */
};

struct br_ops {
	const char *impl;	/* row label: ticktrade, ck_ring, boost, naive */
	uint32_t msg_size;	/* bytes copied in and out per message: 8 or 64 */
	/* Creates and initialises the shm object `name` (letters, digits, '-', no '/').
	 * Called once, before either side opens it. 0 or -errno. */
	int (*create)(const char *name);
	/* Maps the ring as role in the calling process/thread. 0 or -errno. */
	int (*open)(struct br_q *q, const char *name, enum br_role role);
	void (*close)(struct br_q *q);
	/* Removes the shm name. */
	void (*destroy)(const char *name);
	/* Copies msg_size bytes into the ring and makes them visible; false when full. */
	bool (*try_push)(struct br_q *q, const void *msg);
	/* Copies the oldest message out and frees its slot; false when empty. */
	bool (*try_pop)(struct br_q *q, void *out);
	/* Pushes up to n messages (contiguous array of msg_size each), making them visible
	 * with as few index stores as the implementation allows; returns how many went in. */
	unsigned (*push_batch)(struct br_q *q, const void *msgs, unsigned n);
	/* Pops up to max messages into out; returns how many. */
	unsigned (*pop_batch)(struct br_q *q, void *out, unsigned max);
	const char *batch_note;	/* how the batch ops map onto the implementation */
};

/* Shared-memory helpers for the baselines (ring_shm.c). br_shm_create creates (or
 * truncates) /name with len bytes, zeroed, maps it and calls init(mem) before
 * unmapping. br_shm_open maps it read-write into q. */
int br_shm_create(const char *name, size_t len, void (*init)(void *mem));
int br_shm_open(struct br_q *q, const char *name, size_t len);
void br_shm_close(struct br_q *q);
void br_shm_destroy(const char *name);

/* The tables, one per implementation and size. br_ops_tt* exist only when libttring is
 * built (TT_BENCH_HAVE_TTRING). */
extern const struct br_ops br_ops_tt8, br_ops_tt64;
extern const struct br_ops br_ops_ck8, br_ops_ck64;
extern const struct br_ops br_ops_boost8, br_ops_boost64;
extern const struct br_ops br_ops_naive8, br_ops_naive64;

#ifdef __cplusplus
}
#endif

#endif /* TT_BENCH_RING_OPS_H */
