/*
 * tt_ring.h — single-producer single-consumer lock-free rings in named shared memory
 * (DESIGN §2). The whole contract of the module is on this page.
 *
 * A ring is one shared-memory object per producer→consumer edge (POSIX shm, i.e.
 * /dev/shm/<name>), laid out as:
 *
 *   struct tt_ring_hdr   (a few cache lines, versioned, validated on attach)
 *   slot[0 .. capacity-1] each slot_size bytes: a multiple of 64 (whole cache lines; the
 *                        ring messages of tt_msg.h are one line each) or 8/16/32 (small
 *                        messages packed several to a line, never straddling one)
 *
 * Indices are free-running uint64 (never wrap in practice); slot = index & (capacity-1);
 * fill = head - tail. The producer owns head, the consumer owns tail, each on its own
 * cache line; each side keeps a process-local cached copy of the other's index and reads
 * the shared one only when the cache says full (producer) or empty (consumer).
 *
 * Lifecycle (one process, typically tt-engine, creates; peers attach by name):
 *
 *   tt_ring_create(name, params)          creates/reinitialises the shm object
 *   tt_ring_attach(&r, name, role, ...)   maps it, validates magic/version/layout
 *     producer: tt_ring_reserve → fill slot → tt_ring_commit   (repeat: batch)
 *               tt_ring_publish            one release-store makes the batch visible
 *     consumer: tt_ring_peek → read slot → tt_ring_release      (repeat)
 *               tt_ring_consume_flush      one release-store returns the slots
 *   tt_ring_detach(&r)
 *   tt_ring_unlink(name)
 *
 * Modes: TT_RING_LOSSLESS (hot path: a full ring makes reserve return NULL and the
 * caller waits with tt_ring_wait_space or treats it as -EAGAIN) and TT_RING_LOSSY (side
 * rings: reserve on a full ring counts a drop and returns NULL; never blocks).
 *
 * Wait strategies (consumer waiting for data, lossless producer waiting for space):
 * SPIN (dedicated cores), SPIN_YIELD, FUTEX (shared cores: the waiter announces itself on
 * a wake word before sleeping; the other side issues FUTEX_WAKE only when it sees the
 * announcement, so the fast path makes no syscall). A handle checks for a sleeping peer
 * only when it was itself attached with TT_WAIT_FUTEX, so where either side sleeps give
 * both sides FUTEX (a sleeper that is never woken still re-checks every 10 ms).
 *
 * Restart: indices live in the shared header, so a consumer that dies and re-attaches
 * resumes at the last released tail: nothing lost, nothing duplicated. A waiter never
 * waits forever on a dead peer: waits return -TT_EPEERDEAD when the peer's pid is gone
 * or its heartbeat is older than the stale limit.
 *
 * Thread safety: one producer handle and one consumer handle per ring, each used by one
 * thread at a time. Not async-signal-safe. A handle does not survive fork(): the role is
 * claimed by pid, so a child attaches its own.
 *
 * Smallest complete use: ringbuf/examples/ring_example.c; two processes with a latency
 * table: ringbuf/examples/ring_demo.c (tt-ring-demo, `make demo`).
 */
#ifndef TT_RING_H
#define TT_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tt_atomic.h"
#include "tt_compiler.h"
#include "tt_err.h"

#define TT_RING_MAGIC 0x54544b52494e4731ull	/* "TTKRING1" */
#define TT_RING_LAYOUT_VERSION 2u	/* 2: pushed/popped are head/tail, not fields */
#define TT_RING_NAME_MAX 64
/* Largest slot area (capacity * slot_size) tt_ring_params_check accepts: 1 GiB. */
#define TT_RING_BYTES_MAX (1ull << 30)
/* Default heartbeat age after which a peer counts as dead. */
#define TT_RING_STALE_NS_DEFAULT 2000000000ull

enum tt_ring_mode { TT_RING_LOSSLESS = 0, TT_RING_LOSSY = 1 };
enum tt_ring_role { TT_RING_PRODUCER = 0, TT_RING_CONSUMER = 1 };
enum tt_ring_wait { TT_WAIT_SPIN = 0, TT_WAIT_SPIN_YIELD = 1, TT_WAIT_FUTEX = 2 };

struct tt_ring_params {
	uint32_t slot_size;	/* bytes per slot: 8, 16, 32, or a multiple of 64 up to 65536 */
	uint32_t capacity;	/* slots: power of two, 2..2^24 */
	uint32_t mode;		/* enum tt_ring_mode */
	uint32_t msg_version;	/* payload layout version (TT_MSG_LAYOUT_VERSION), checked on attach */
};

/* Shared header. One writer per cache line: line 0 immutable after create, line 1 the
 * producer's, line 2 the consumer's, lines 3/4 the wake words (set to 1 by the waiter
 * before it sleeps; cleared by the waiter when its wait ends, or by the waker, which
 * swaps it to 0 before FUTEX_WAKE so a wake that comes before the sleep is not lost:
 * FUTEX_WAIT then finds 0 instead of the expected 1 and returns at once). */
struct tt_ring_hdr {
	/* line 0: identity, written once by tt_ring_create */
	_Atomic uint64_t magic;		/* TT_RING_MAGIC, stored last (release) at create */
	uint32_t layout_version;	/* TT_RING_LAYOUT_VERSION */
	uint32_t slot_size;
	uint32_t capacity;
	uint32_t mode;
	uint32_t msg_version;
	uint32_t hdr_size;		/* offset of slot 0 */
	uint64_t created_ns;		/* CLOCK_REALTIME at create */
	char name[24];			/* truncated name, for diagnostics */

	/* line 1: producer */
	_Atomic uint64_t head TT_CACHE_ALIGNED;	/* next index to be published */
	_Atomic int32_t producer_pid;		/* 0 when detached */
	uint32_t pad1;
	_Atomic uint64_t producer_hb_ns;	/* CLOCK_MONOTONIC ns of last heartbeat */
	_Atomic uint64_t full;			/* reserve calls that found the ring full */
	_Atomic uint64_t dropped;		/* lossy: messages dropped because full */

	/* line 2: consumer */
	_Atomic uint64_t tail TT_CACHE_ALIGNED;	/* next index to be consumed */
	_Atomic int32_t consumer_pid;
	uint32_t pad2;
	_Atomic uint64_t consumer_hb_ns;

	/* line 3: consumer's sleep announcement (futex word) */
	_Atomic uint32_t cons_waiting TT_CACHE_ALIGNED;
	/* line 4: producer's sleep announcement (lossless ring full, futex word) */
	_Atomic uint32_t prod_waiting TT_CACHE_ALIGNED;
} TT_CACHE_ALIGNED;

/* Process-local handle (caller's storage). Fields are private to ring.c and the inline
 * helpers below. */
struct tt_ring {
	struct tt_ring_hdr *hdr;	/* mapped header, NULL when detached */
	unsigned char *slots;		/* slot 0 */
	uint64_t mask;			/* capacity - 1 */
	uint32_t slot_size;
	uint32_t role;			/* enum tt_ring_role */
	uint32_t wait;			/* enum tt_ring_wait */
	uint32_t mode;
	uint64_t local;		/* producer: next index to reserve; consumer: next to peek */
	uint64_t published;	/* producer: head last published; consumer: tail last flushed */
	uint64_t cached_peer;	/* producer: last seen tail; consumer: last seen head */
	uint64_t stale_ns;	/* heartbeat age after which the peer counts as dead */
	size_t map_len;
	char name[TT_RING_NAME_MAX];
};

struct tt_ring_stats {
	uint64_t head, tail;	/* fill = head - tail */
	uint64_t capacity;
	uint64_t pushed, popped, full, dropped;	/* pushed == head, popped == tail: the
						 * indices are the counters, so the fast
						 * path stores nothing extra */
	int32_t producer_pid, consumer_pid;
	uint64_t producer_hb_ns, consumer_hb_ns;
};

/* ---- setup (cold) ---------------------------------------------------------------- */

/* Validates params; 0 or -EINVAL with the reason in the error trail. */
int tt_ring_params_check(const struct tt_ring_params *p) TT_WUR;

/* Creates (or truncates and reinitialises) the shm object `name` (no leading '/', at
 * most TT_RING_NAME_MAX-1 bytes, [A-Za-z0-9._-]). Indices and counters start at 0.
 * Only the supervisor or a test calls this; never while peers are attached. */
int tt_ring_create(const char *name, const struct tt_ring_params *p) TT_WUR;

/* Removes the shm name. Attached mappings stay valid until detached. */
int tt_ring_unlink(const char *name);

/* Maps an existing ring as producer or consumer. `expect` must match the header exactly
 * (slot size, capacity, mode, msg version) or the call fails with -TT_ELAYOUT (or
 * -TT_EMAGIC / -TT_EVERSION) and a trail naming both values. Fails with -EBUSY when a live
 * process already holds the role; a dead holder's claim is taken over. Resumes at the
 * shared index of its role. On failure r is left zeroed. */
int tt_ring_attach(struct tt_ring *r, const char *name, enum tt_ring_role role,
		   const struct tt_ring_params *expect, enum tt_ring_wait wait) TT_WUR;

/* Producer: publishes pending commits first. Consumer: flushes releases first. Clears the
 * role's pid claim and unmaps. Safe on a zeroed or already-detached handle. */
void tt_ring_detach(struct tt_ring *r);

/* Heartbeat: stores CLOCK_MONOTONIC now into the role's heartbeat word. Call from the
 * owner's loop (cheap: one vDSO clock read and a relaxed store). */
void tt_ring_heartbeat(struct tt_ring *r);
/* Heartbeat age after which tt_ring_peer_alive() says dead (default 2 s). */
void tt_ring_set_stale_ns(struct tt_ring *r, uint64_t ns);
/* true when the opposite role is attached, its pid exists and its heartbeat is fresh
 * (a peer that never attached counts as not alive). */
bool tt_ring_peer_alive(const struct tt_ring *r);

void tt_ring_stats(const struct tt_ring *r, struct tt_ring_stats *out);

/* ---- waiting (may sleep) ------------------------------------------------------------ */

/* Consumer: waits until at least one message is readable. 0 when data is there,
 * -ETIMEDOUT after timeout_ns (0 = poll once, UINT64_MAX = no limit), -TT_EPEERDEAD when
 * the producer is gone (pid gone, detached, or heartbeat older than the stale limit) and
 * the ring is empty; a producer that never attached is waited for. Flushes pending
 * releases first and beats the consumer's heartbeat while it waits. */
int tt_ring_wait_data(struct tt_ring *r, uint64_t timeout_ns);
/* Producer (lossless): waits until a slot is free; same returns, peer = consumer.
 * Publishes pending commits first (the consumer could not free anything otherwise). */
int tt_ring_wait_space(struct tt_ring *r, uint64_t timeout_ns);

/* Slow paths of the inline helpers below (refresh the cached index from shared memory). */
void *tt__ring_reserve_slow(struct tt_ring *r);
const void *tt__ring_peek_slow(struct tt_ring *r);
void tt__ring_wake_consumer(struct tt_ring *r);
void tt__ring_wake_producer(struct tt_ring *r);

/* ---- producer fast path ----------------------------------------------------------------- */

/* Returns the next free slot to write in place, or NULL when the ring is full (lossless:
 * counted in `full`, caller waits or gives up; lossy: counted in `dropped` too). The slot
 * becomes visible only after tt_ring_commit + tt_ring_publish. */
static inline void *tt_ring_reserve(struct tt_ring *r)
{
	if (tt_unlikely(r->local - r->cached_peer > r->mask))
		return tt__ring_reserve_slow(r);
	return r->slots + (r->local & r->mask) * r->slot_size;
}

/* Batch reserve: up to want free slots that are contiguous in memory (never across the
 * wrap point), so a batch can be written with one copy. *got receives the count (0 when
 * full: counted like tt_ring_reserve). Commit what was written with tt_ring_commit_n. */
static inline void *tt_ring_reserve_n(struct tt_ring *r, uint32_t want, uint32_t *got)
{
	uint64_t free_ = r->mask + 1 - (r->local - r->cached_peer);
	uint64_t to_wrap = r->mask + 1 - (r->local & r->mask);
	void *first;

	if (tt_unlikely(free_ < want)) {
		first = tt__ring_reserve_slow(r); /* refreshes the cached tail */
		if (!first) {
			*got = 0;
			return NULL;
		}
		free_ = r->mask + 1 - (r->local - r->cached_peer);
	}
	if (want > free_)
		want = (uint32_t)free_;
	if (want > to_wrap)
		want = (uint32_t)to_wrap;
	*got = want;
	return r->slots + (r->local & r->mask) * r->slot_size;
}

/* Marks n reserved slots as written (see tt_ring_reserve_n). */
static inline void tt_ring_commit_n(struct tt_ring *r, uint32_t n)
{
	r->local += n;
}

/* Marks the last reserved slot as written. Not yet visible to the consumer. */
static inline void tt_ring_commit(struct tt_ring *r)
{
	r->local++;
}

/* Makes all committed slots visible (one release-store of head) and wakes a sleeping
 * consumer if one announced itself. */
static inline void tt_ring_publish(struct tt_ring *r)
{
	struct tt_ring_hdr *h = r->hdr;

	if (r->local == r->published)
		return;
	/* Pairs with the consumer's load-acquire of head in tt__ring_peek_slow: publishes
	 * the slot contents written before this store. */
	tt_store_release(&h->head, r->local);
	r->published = r->local;
	if (r->wait == TT_WAIT_FUTEX) {
		/* Pairs with the consumer's fence after announcing cons_waiting: either it sees
		 * the new head, or we see its announcement and wake it (Dekker). */
		tt_fence_seq_cst();
		if (tt_unlikely(tt_load_relaxed(&h->cons_waiting)))
			tt__ring_wake_consumer(r);
	}
}

/* Producer: messages committed but not yet consumed (fill as the producer sees it; 0 when
 * the consumer has released everything). Reads the shared tail: not for every message. */
static inline uint64_t tt_ring_in_flight(struct tt_ring *r)
{
	/* Pairs with the consumer's store-release of tail in tt_ring_consume_flush. */
	r->cached_peer = tt_load_acquire(&r->hdr->tail);
	return r->local - r->cached_peer;
}

/* Copies len bytes (≤ slot_size) into a new slot, commits and publishes.
 * 0, -EAGAIN when full (lossy: the drop is counted), -EINVAL when len > slot_size. */
static inline int tt_ring_push(struct tt_ring *r, const void *msg, size_t len)
{
	void *slot;

	if (tt_unlikely(len > r->slot_size))
		return -EINVAL;
	slot = tt_ring_reserve(r);
	if (tt_unlikely(!slot))
		return -EAGAIN;
	__builtin_memcpy(slot, msg, len);
	tt_ring_commit(r);
	tt_ring_publish(r);
	return 0;
}

/* ---- consumer fast path ----------------------------------------------------------------- */

/* Returns the next readable slot, or NULL when empty. The slot stays valid and unchanged
 * until tt_ring_release. */
static inline const void *tt_ring_peek(struct tt_ring *r)
{
	if (r->local == r->cached_peer) {
		/* Inline refresh (a caught-up consumer takes this path once per message). Pairs
		 * with the producer's store-release of head in tt_ring_publish. */
		r->cached_peer = tt_load_acquire(&r->hdr->head);
		if (r->local == r->cached_peer)
			return NULL;
	}
	return r->slots + (r->local & r->mask) * r->slot_size;
}

/* Number of messages readable now without touching shared memory beyond one acquire. */
static inline uint64_t tt_ring_available(struct tt_ring *r)
{
	if (r->local == r->cached_peer) {
		/* Pairs with the producer's store-release of head in tt_ring_publish. */
		r->cached_peer = tt_load_acquire(&r->hdr->head);
	}
	return r->cached_peer - r->local;
}

/* The i-th readable slot after the current one (i < tt_ring_available()). */
static inline const void *tt_ring_slot_at(const struct tt_ring *r, uint64_t i)
{
	return r->slots + ((r->local + i) & r->mask) * r->slot_size;
}

/* Batch peek: the readable slots that are contiguous in memory from the current one (up
 * to the wrap point), *n receives their count; NULL and 0 when empty. */
static inline const void *tt_ring_peek_n(struct tt_ring *r, uint32_t *n)
{
	uint64_t avail = tt_ring_available(r);
	uint64_t to_wrap = r->mask + 1 - (r->local & r->mask);

	if (!avail) {
		*n = 0;
		return NULL;
	}
	*n = (uint32_t)(avail < to_wrap ? avail : to_wrap);
	return r->slots + (r->local & r->mask) * r->slot_size;
}

/* Marks n peeked slots as consumed locally; returned to the producer by
 * tt_ring_consume_flush (batch), or at once by tt_ring_release. */
static inline void tt_ring_advance(struct tt_ring *r, uint64_t n)
{
	r->local += n;
}

/* Returns consumed slots to the producer: one release-store of tail; wakes a producer
 * that announced it waits for space. */
static inline void tt_ring_consume_flush(struct tt_ring *r)
{
	struct tt_ring_hdr *h = r->hdr;

	if (r->local == r->published)
		return;
	/* Pairs with the producer's load-acquire of tail in tt__ring_reserve_slow: the
	 * producer may overwrite the slots only after our reads of them are done. */
	tt_store_release(&h->tail, r->local);
	r->published = r->local;
	if (r->wait == TT_WAIT_FUTEX) {
		/* Pairs with the producer's fence after announcing prod_waiting. */
		tt_fence_seq_cst();
		if (tt_unlikely(tt_load_relaxed(&h->prod_waiting)))
			tt__ring_wake_producer(r);
	}
}

/* Consumes the peeked slot and returns it to the producer at once. */
static inline void tt_ring_release(struct tt_ring *r)
{
	r->local++;
	tt_ring_consume_flush(r);
}

static inline bool tt_ring_is_empty(struct tt_ring *r)
{
	return tt_ring_available(r) == 0;
}

#endif /* TT_RING_H */
