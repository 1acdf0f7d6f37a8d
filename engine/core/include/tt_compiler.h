/*
 * tt_compiler.h — compiler vocabulary shared by every module: branch hints, cache-line
 * alignment, cold/hot attributes, warn_unused_result. No code, only macros.
 */
#ifndef TT_COMPILER_H
#define TT_COMPILER_H

#define TT_CACHELINE 64

#define tt_likely(x) __builtin_expect(!!(x), 1)
#define tt_unlikely(x) __builtin_expect(!!(x), 0)

#define TT_ALIGNED(n) __attribute__((aligned(n)))
#define TT_CACHE_ALIGNED TT_ALIGNED(TT_CACHELINE)
#define __tt_cold __attribute__((cold, noinline))
#define __tt_hot __attribute__((hot))
#define TT_WUR __attribute__((warn_unused_result))
#define TT_UNUSED __attribute__((unused))
#define TT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TT_HIDDEN __attribute__((visibility("hidden")))
#define TT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Believed invariants (sqlite's ALWAYS/NEVER): assert in debug, handled in release. */
#ifdef NDEBUG
#define TT_ALWAYS(x) (x)
#define TT_NEVER(x) (x)
#else
#include <assert.h>
#define TT_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define TT_NEVER(x) ((x) ? (assert(0), 1) : 0)
#endif

static inline void tt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* TT_COMPILER_H */
