/*
 * tt_atomic.h — the one place the project's memory-ordering vocabulary lives.
 * Shared fields are _Atomic and accessed only through these, each call site naming
 * its partner in a comment (STYLE §6). Never `volatile` as synchronisation.
 */
#ifndef TT_ATOMIC_H
#define TT_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

/* Plain loads/stores of a value only its owner writes (statistics, own index). */
#define tt_load_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define tt_store_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
/* Publication: the store-release makes every earlier write visible to the thread
 * whose load-acquire reads the stored value. */
#define tt_load_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define tt_store_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
/* Dekker-style sleeper handshakes (futex wake words) need a full fence on both sides. */
#define tt_fence_seq_cst() atomic_thread_fence(memory_order_seq_cst)
#define tt_fetch_add_relaxed(p, v) atomic_fetch_add_explicit((p), (v), memory_order_relaxed)
/* Ownership claims (a pid word taken over by compare-and-swap): acq_rel on success so the
 * new owner sees everything the previous one released, acquire on failure. */
#define tt_cas_acq_rel(p, expected, desired)                                                 \
	atomic_compare_exchange_strong_explicit((p), (expected), (desired),                  \
						memory_order_acq_rel, memory_order_acquire)
/* Take-and-clear of a flag whose value matters, not what it publishes (wake words). */
#define tt_exchange_relaxed(p, v) atomic_exchange_explicit((p), (v), memory_order_relaxed)

#endif /* TT_ATOMIC_H */
