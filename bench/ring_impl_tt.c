/*
 * ring_impl_tt.c — the ticktrade ring (ringbuf/include/tt_ring.h) in tt-bench-ring.
 *
 * Lossless ring, spin wait (the harness polls; nothing here sleeps), one message per slot:
 * 64-byte slots for 64-byte messages, 8-byte slots (eight to a cache line) for 8-byte
 * ones, the same packing the baselines get. Each op inlines the header's
 * fast path: reserve/commit/publish and peek/release, which touch the peer's index
 * only when the cached copy says full/empty. Batch: tt_ring_reserve_n hands out the
 * contiguous free slots (one copy, two at the wrap), one tt_ring_publish (one release
 * store of head); the consumer takes tt_ring_peek_n's contiguous run the same way and
 * returns it with one tt_ring_consume_flush.
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
		unsigned done = 0;                                                             \
		while (done < n) {                                                             \
			uint32_t got;                                                          \
			void *slots = tt_ring_reserve_n(r, n - done, &got);                    \
			if (!got)                                                              \
				break;                                                         \
			memcpy(slots, (const unsigned char *)msgs + (size_t)done * SZ,         \
			       (size_t)got * SZ);                                              \
			tt_ring_commit_n(r, got);                                              \
			done += got;                                                           \
		}                                                                              \
		tt_ring_publish(r);                                                            \
		return done;                                                                   \
	}                                                                                      \
	static BR_NOINLINE unsigned tt##SZ##_pop_batch(struct br_q *q, void *out,             \
						       unsigned max)                           \
	{                                                                                      \
		struct tt_ring *r = ring_of(q);                                                \
		unsigned done = 0;                                                             \
		while (done < max) {                                                           \
			uint32_t k;                                                            \
			const void *slots = tt_ring_peek_n(r, &k);                             \
			if (!k)                                                                \
				break;                                                         \
			if (k > max - done)                                                    \
				k = max - done;                                                \
			memcpy((unsigned char *)out + (size_t)done * SZ, slots, (size_t)k * SZ); \
			tt_ring_advance(r, k);                                                 \
			done += k;                                                             \
		}                                                                              \
		tt_ring_consume_flush(r);                                                      \
		return done;                                                                   \
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
		.batch_note = "reserve_n (contiguous) + one copy, one publish; peek_n + one copy, one consume_flush", \
	};

TT_DEFINE(8)
TT_DEFINE(64)
