/*
 * ring_impl_naive.c — the naive SPSC baseline for tt-bench-ring: what one writes first.
 * head and tail sit side by side on one cache line (so producer and consumer keep
 * stealing it from each other), every access is seq_cst (a full fence on each store on
 * x86), and neither side caches the other's index (each op reads both). Slots are
 * msg_size bytes, packed. The batch ops copy n messages and store head/tail once: the
 * obvious batching, kept so the batch column compares like with like.
 */
#include "ring_ops.h"

#include <stdatomic.h>
#include <string.h>

struct naive_hdr {
	_Atomic uint64_t head;	/* next index to write; written by the producer */
	_Atomic uint64_t tail;	/* next index to read; written by the consumer */
} __attribute__((aligned(64)));

#define NAIVE_SLOTS_OFF 64

static void naive_init(void *mem)
{
	struct naive_hdr *h = mem;

	atomic_init(&h->head, 0);
	atomic_init(&h->tail, 0);
}

static unsigned naive_min(uint64_t a, unsigned b)
{
	return a < b ? (unsigned)a : b;
}

#define NAIVE_DEFINE(SZ)                                                                       \
	static BR_NOINLINE int naive##SZ##_create(const char *name)                            \
	{                                                                                      \
		return br_shm_create(name, NAIVE_SLOTS_OFF + (size_t)BR_CAP * SZ, naive_init); \
	}                                                                                      \
	static BR_NOINLINE int naive##SZ##_open(struct br_q *q, const char *name,             \
						enum br_role role)                              \
	{                                                                                      \
		return br_shm_open(q, name, NAIVE_SLOTS_OFF + (size_t)BR_CAP * SZ);           \
	}                                                                                      \
	static BR_NOINLINE bool naive##SZ##_try_push(struct br_q *q, const void *msg)         \
	{                                                                                      \
		struct naive_hdr *h = q->mem;                                                  \
		unsigned char *slots = (unsigned char *)q->mem + NAIVE_SLOTS_OFF;              \
		uint64_t head = atomic_load(&h->head);                                         \
		if (head - atomic_load(&h->tail) == BR_CAP)                                    \
			return false;                                                          \
		memcpy(slots + (head & (BR_CAP - 1)) * SZ, msg, SZ);                           \
		atomic_store(&h->head, head + 1);                                              \
		return true;                                                                   \
	}                                                                                      \
	static BR_NOINLINE bool naive##SZ##_try_pop(struct br_q *q, void *out)                \
	{                                                                                      \
		struct naive_hdr *h = q->mem;                                                  \
		unsigned char *slots = (unsigned char *)q->mem + NAIVE_SLOTS_OFF;              \
		uint64_t tail = atomic_load(&h->tail);                                         \
		if (atomic_load(&h->head) == tail)                                             \
			return false;                                                          \
		memcpy(out, slots + (tail & (BR_CAP - 1)) * SZ, SZ);                           \
		atomic_store(&h->tail, tail + 1);                                              \
		return true;                                                                   \
	}                                                                                      \
	static BR_NOINLINE unsigned naive##SZ##_push_batch(struct br_q *q, const void *msgs,  \
							   unsigned n)                         \
	{                                                                                      \
		struct naive_hdr *h = q->mem;                                                  \
		unsigned char *slots = (unsigned char *)q->mem + NAIVE_SLOTS_OFF;              \
		uint64_t head = atomic_load(&h->head);                                         \
		unsigned k = naive_min(BR_CAP - (head - atomic_load(&h->tail)), n);            \
		for (unsigned i = 0; i < k; i++)                                               \
			memcpy(slots + ((head + i) & (BR_CAP - 1)) * SZ,                       \
			       (const unsigned char *)msgs + (size_t)i * SZ, SZ);              \
		if (k)                                                                         \
			atomic_store(&h->head, head + k);                                      \
		return k;                                                                      \
	}                                                                                      \
	static BR_NOINLINE unsigned naive##SZ##_pop_batch(struct br_q *q, void *out,          \
							  unsigned max)                        \
	{                                                                                      \
		struct naive_hdr *h = q->mem;                                                  \
		unsigned char *slots = (unsigned char *)q->mem + NAIVE_SLOTS_OFF;              \
		uint64_t tail = atomic_load(&h->tail);                                         \
		unsigned k = naive_min(atomic_load(&h->head) - tail, max);                     \
		for (unsigned i = 0; i < k; i++)                                               \
			memcpy((unsigned char *)out + (size_t)i * SZ,                          \
			       slots + ((tail + i) & (BR_CAP - 1)) * SZ, SZ);                  \
		if (k)                                                                         \
			atomic_store(&h->tail, tail + k);                                      \
		return k;                                                                      \
	}                                                                                      \
	const struct br_ops br_ops_naive##SZ = {                                               \
		.impl = "naive",                                                               \
		.msg_size = SZ,                                                                \
		.create = naive##SZ##_create,                                                  \
		.open = naive##SZ##_open,                                                      \
		.close = br_shm_close,                                                         \
		.destroy = br_shm_destroy,                                                     \
		.try_push = naive##SZ##_try_push,                                              \
		.try_pop = naive##SZ##_try_pop,                                                \
		.push_batch = naive##SZ##_push_batch,                                          \
		.pop_batch = naive##SZ##_pop_batch,                                            \
		.batch_note = "n copies, one seq_cst store of head/tail",                     \
	};

NAIVE_DEFINE(8)
NAIVE_DEFINE(64)
