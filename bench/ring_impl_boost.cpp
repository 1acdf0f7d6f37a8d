/*
 * ring_impl_boost.cpp — boost::lockfree::spsc_queue as a tt-bench-ring baseline: the small
 * C++ adapter, exporting a C ops table (extern "C") and nothing else.
 *
 * The queue uses a compile-time capacity (capacity<BR_CAP - 1>: the array of BR_CAP
 * values lives inside the object, no heap), so the whole object can be placement-new'ed
 * into a POSIX shm region and used from two processes; its indices are lock-free
 * std::atomic<size_t>, which work across processes. The destructor is never run (the
 * message types are trivial; the region is just unmapped and unlinked).
 * Batch: spsc_queue::push(const T *, n) / pop(T *, n) copy n values and store the
 * write/read index once: boost's own batch API.
 */
#include "ring_ops.h"

#include <boost/lockfree/spsc_queue.hpp>
#include <new>

namespace {

template <typename T>
using queue = boost::lockfree::spsc_queue<T, boost::lockfree::capacity<BR_CAP - 1>>;

template <typename T>
void init(void *mem)
{
	new (mem) queue<T>();
}

template <typename T>
BR_NOINLINE int create(const char *name)
{
	return br_shm_create(name, sizeof(queue<T>), init<T>);
}

template <typename T>
BR_NOINLINE int open(struct br_q *q, const char *name, enum br_role)
{
	return br_shm_open(q, name, sizeof(queue<T>));
}

template <typename T>
BR_NOINLINE bool try_push(struct br_q *q, const void *msg)
{
	return static_cast<queue<T> *>(q->mem)->push(*static_cast<const T *>(msg));
}

template <typename T>
BR_NOINLINE bool try_pop(struct br_q *q, void *out)
{
	return static_cast<queue<T> *>(q->mem)->pop(*static_cast<T *>(out));
}

template <typename T>
BR_NOINLINE unsigned push_batch(struct br_q *q, const void *msgs, unsigned n)
{
	return (unsigned)static_cast<queue<T> *>(q->mem)->push(static_cast<const T *>(msgs), n);
}

template <typename T>
BR_NOINLINE unsigned pop_batch(struct br_q *q, void *out, unsigned max)
{
	return (unsigned)static_cast<queue<T> *>(q->mem)->pop(static_cast<T *>(out), max);
}

template <typename T>
constexpr br_ops make_ops(uint32_t size)
{
	return br_ops{
		"boost",
		size,
		create<T>,
		open<T>,
		br_shm_close,
		br_shm_destroy,
		try_push<T>,
		try_pop<T>,
		push_batch<T>,
		pop_batch<T>,
		"spsc_queue::push(T*, n)/pop(T*, n): one index store per batch",
	};
}

} // namespace

extern "C" {
const struct br_ops br_ops_boost8 = make_ops<br_msg8>(8);
const struct br_ops br_ops_boost64 = make_ops<br_msg64>(64);
}
