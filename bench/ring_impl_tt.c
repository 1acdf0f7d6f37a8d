/*
 * ring_impl_tt.c — the ticktrade ring (ringbuf/include/tt_ring.h) in tt-bench-ring.
 *
 * Lossless ring, spin wait (the harness polls; nothing here sleeps), one message per slot:
 * 64-byte slots for 64-byte messages, 8-byte slots (eight to a cache line) for 8-byte
 * ones, the same packing the baselines get. Each op inlines the header's
 * fast path: reserve/commit/publish and peek/release, which touch the peer's index
 * only when the cached copy says full/empty. Batch: reserve+commit up to n slots, then
 * one tt_ring_publish (one release store of head); consumer copies up to max readable
 * slots, tt_ring_advance, one tt_ring_consume_flush.
 */
#include "ring_ops.h"

#include <string.h>

#include "tt_msg.h"
#include "tt_ring.h"

_Static_assert(sizeof(struct tt_ring) <= sizeof(((struct br_q *)0)->local), "tt_ring fits");

/* 64-byte messages take one cache line per slot; 8-byte messages use 8-byte slots,
 * packed eight to a line (as the baselines pack them). */
static const struct tt_ring_params tt_params64 = {
	.slot_size = 64,
	.capacity = BR_CAP,
	.mode = TT_RING_LOSSLESS,
	.msg_version = TT_MSG_LAYOUT_VERSION,
};
static const struct tt_ring_params tt_params8 = {
	.slot_size = 8,
	.capacity = BR_CAP,
	.mode = TT_RING_LOSSLESS,
	.msg_version = TT_MSG_LAYOUT_VERSION,
};

static struct tt_ring *ring_of(struct br_q *q)
{
	return (struct tt_ring *)q->local;
}

static int tt_open_with(struct br_q *q, const char *name, enum br_role role,
			const struct tt_ring_params *p)
{
	memset(q, 0, sizeof(*q));
	return tt_ring_attach(ring_of(q), name,
			      role == BR_PRODUCER ? TT_RING_PRODUCER : TT_RING_CONSUMER, p,
			      TT_WAIT_SPIN);
}

static BR_NOINLINE void tt_close(struct br_q *q)
{
	tt_ring_detach(ring_of(q));
}

static BR_NOINLINE void tt_destroy(const char *name)
{
	tt_ring_unlink(name);
}

static unsigned tt_min(uint64_t a, unsigned b)
{
	return a < b ? (unsigned)a : b;
}

#define TT_DEFINE(SZ)                                                                          \
	static BR_NOINLINE int tt##SZ##_create(const char *name)                               \
	{                                                                                      \
		return tt_ring_create(name, &tt_params##SZ);                                   \
	}                                                                                      \
	static BR_NOINLINE int tt##SZ##_open(struct br_q *q, const char *name,                \
					     enum br_role role)                               \
	{                                                                                      \
		return tt_open_with(q, name, role, &tt_params##SZ);                            \
	}                                                                                      \
	static BR_NOINLINE bool tt##SZ##_try_push(struct br_q *q, const void *msg)            \
	{                                                                                      \
		return tt_ring_push(ring_of(q), msg, SZ) == 0;                                 \
	}                                                                                      \
	static BR_NOINLINE bool tt##SZ##_try_pop(struct br_q *q, void *out)                   \
	{                                                                                      \
		struct tt_ring *r = ring_of(q);                                                \
		const void *slot = tt_ring_peek(r);                                            \
		if (!slot)                                                                     \
			return false;                                                          \
		memcpy(out, slot, SZ);                                                         \
		tt_ring_release(r);                                                            \
		return true;                                                                   \
	}                                                                                      \
	static BR_NOINLINE unsigned tt##SZ##_push_batch(struct br_q *q, const void *msgs,     \
							unsigned n)                            \
	{                                                                                      \
		struct tt_ring *r = ring_of(q);                                                \
		unsigned i;                                                                    \
		for (i = 0; i < n; i++) {                                                      \
			void *slot = tt_ring_reserve(r);                                       \
			if (!slot)                                                             \
				break;                                                         \
			memcpy(slot, (const unsigned char *)msgs + (size_t)i * SZ, SZ);        \
			tt_ring_commit(r);                                                     \
		}                                                                              \
		tt_ring_publish(r);                                                            \
		return i;                                                                      \
	}                                                                                      \
	static BR_NOINLINE unsigned tt##SZ##_pop_batch(struct br_q *q, void *out,             \
						       unsigned max)                           \
	{                                                                                      \
		struct tt_ring *r = ring_of(q);                                                \
		unsigned k = tt_min(tt_ring_available(r), max);                                \
		for (unsigned i = 0; i < k; i++)                                               \
			memcpy((unsigned char *)out + (size_t)i * SZ, tt_ring_slot_at(r, i),   \
			       SZ);                                                            \
		tt_ring_advance(r, k);                                                         \
		tt_ring_consume_flush(r);                                                      \
		return k;                                                                      \
	}                                                                                      \
	const struct br_ops br_ops_tt##SZ = {                                                  \
		.impl = "ticktrade",                                                           \
		.msg_size = SZ,                                                                \
		.create = tt##SZ##_create,                                                     \
		.open = tt##SZ##_open,                                                         \
		.close = tt_close,                                                             \
		.destroy = tt_destroy,                                                         \
		.try_push = tt##SZ##_try_push,                                                 \
		.try_pop = tt##SZ##_try_pop,                                                   \
		.push_batch = tt##SZ##_push_batch,                                             \
		.pop_batch = tt##SZ##_pop_batch,                                               \
		.batch_note = "n x reserve+commit, one publish; peek n, one consume_flush",   \
	};

TT_DEFINE(8)
TT_DEFINE(64)
