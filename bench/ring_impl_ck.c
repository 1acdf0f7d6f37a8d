/*
 * ring_impl_ck.c — Concurrency Kit's ck_ring as a tt-bench-ring baseline.
 *
 * We use the CK_RING_PROTOTYPE typed SPSC rings (by-value: the ring buffer is an array of
 * the message struct and enqueue/dequeue memcpy the whole value), not the pointer API.
 * The pointer API only moves a void * per slot: the payload would sit in a separate
 * pool with its own recycling protocol, and a pointer means nothing in the peer process
 * (each side maps the shm at its own address). By-value moves the same bytes through
 * the ring as the ticktrade ring does, so the comparison is like for like.
 *
 * Layout of the shm object: struct ck_ring (c_head on one line, p_tail/p_head on the
 * next, size/mask after) at offset 0, the value array at CK_SLOTS_OFF. ck keeps no cached
 * copy of the peer's index: every enqueue loads c_head, every dequeue loads p_tail.
 * ck has no multi-slot publish for SPSC, so the batch ops are n single enqueues
 * (each a store fence + store of p_tail) or n dequeues: its best equivalent.
 */
#include "ring_ops.h"

#include <ck_ring.h>
#include <string.h>

#define CK_SLOTS_OFF 256
_Static_assert(sizeof(struct ck_ring) <= CK_SLOTS_OFF, "ck_ring header fits");

CK_RING_PROTOTYPE(br8, br_msg8)
CK_RING_PROTOTYPE(br64, br_msg64)

static void ck_init(void *mem)
{
	ck_ring_init(mem, BR_CAP);
}

#define CK_DEFINE(SZ)                                                                          \
	static BR_NOINLINE int ck##SZ##_create(const char *name)                               \
	{                                                                                      \
		return br_shm_create(name, CK_SLOTS_OFF + (size_t)BR_CAP * SZ, ck_init);       \
	}                                                                                      \
	static BR_NOINLINE int ck##SZ##_open(struct br_q *q, const char *name,                \
					     enum br_role role)                                 \
	{                                                                                      \
		return br_shm_open(q, name, CK_SLOTS_OFF + (size_t)BR_CAP * SZ);              \
	}                                                                                      \
	static BR_NOINLINE bool ck##SZ##_try_push(struct br_q *q, const void *msg)            \
	{                                                                                      \
		struct br_msg##SZ *buf = (void *)((char *)q->mem + CK_SLOTS_OFF);              \
		return ck_ring_enqueue_spsc_br##SZ(q->mem, buf, (struct br_msg##SZ *)msg);     \
	}                                                                                      \
	static BR_NOINLINE bool ck##SZ##_try_pop(struct br_q *q, void *out)                   \
	{                                                                                      \
		struct br_msg##SZ *buf = (void *)((char *)q->mem + CK_SLOTS_OFF);              \
		return ck_ring_dequeue_spsc_br##SZ(q->mem, buf, out);                          \
	}                                                                                      \
	static BR_NOINLINE unsigned ck##SZ##_push_batch(struct br_q *q, const void *msgs,     \
							unsigned n)                            \
	{                                                                                      \
		struct br_msg##SZ *buf = (void *)((char *)q->mem + CK_SLOTS_OFF);              \
		struct br_msg##SZ *m = (struct br_msg##SZ *)msgs;                              \
		unsigned i;                                                                    \
		for (i = 0; i < n; i++)                                                        \
			if (!ck_ring_enqueue_spsc_br##SZ(q->mem, buf, &m[i]))                  \
				break;                                                         \
		return i;                                                                      \
	}                                                                                      \
	static BR_NOINLINE unsigned ck##SZ##_pop_batch(struct br_q *q, void *out,             \
						       unsigned max)                           \
	{                                                                                      \
		struct br_msg##SZ *buf = (void *)((char *)q->mem + CK_SLOTS_OFF);              \
		struct br_msg##SZ *m = out;                                                    \
		unsigned i;                                                                    \
		for (i = 0; i < max; i++)                                                      \
			if (!ck_ring_dequeue_spsc_br##SZ(q->mem, buf, &m[i]))                  \
				break;                                                         \
		return i;                                                                      \
	}                                                                                      \
	const struct br_ops br_ops_ck##SZ = {                                                  \
		.impl = "ck_ring",                                                             \
		.msg_size = SZ,                                                                \
		.create = ck##SZ##_create,                                                     \
		.open = ck##SZ##_open,                                                         \
		.close = br_shm_close,                                                         \
		.destroy = br_shm_destroy,                                                     \
		.try_push = ck##SZ##_try_push,                                                 \
		.try_pop = ck##SZ##_try_pop,                                                   \
		.push_batch = ck##SZ##_push_batch,                                             \
		.pop_batch = ck##SZ##_pop_batch,                                               \
		.batch_note = "n x enqueue_spsc (no multi-slot publish in ck)",               \
	};

CK_DEFINE(8)
CK_DEFINE(64)
