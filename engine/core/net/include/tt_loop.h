/*
 * tt_loop.h — the per-thread io_uring event loop (DESIGN §4). One loop per thread owns one
 * io_uring; every socket operation of the hot path (connect, recv, send) and every timer is
 * an SQE whose completion calls back the operation that issued it.
 *
 * An operation is a `struct tt_loop_op` embedded in the caller's object (container_of to
 * get back to it); its address is the SQE's user_data, so nothing is allocated per I/O.
 * user_data 0 marks completions nobody waits for (linked timeouts, cancels, timer updates).
 *
 * Every completion is stamped with the time it was reaped (tt_loop_stamp(), one read per
 * batch of CQEs: they were all reaped at that instant); tt-md uses it as t_rx of the frame
 * those bytes completed.
 *
 * Wait modes (config): blocking (io_uring_submit_and_wait_timeout) or busy-poll (submit,
 * then peek and spin on pause, never sleeping in the kernel) for isolated cores.
 *
 * Invariants: an op is in flight at most once at a time except timers (see tt_conn);
 * `inflight` counts SQEs submitted with a non-zero user_data and not yet completed.
 * No allocation after tt_loop_init().
 */
#ifndef TT_LOOP_H
#define TT_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "tt_clock.h"
#include "tt_compiler.h"

struct tt_loop_op;

/* Completion callback: res is the CQE result (bytes, 0, or -errno), t_reap the stamp of
 * the batch it was reaped in (tt_loop_stamp() units). Called once per completion. */
typedef void (*tt_loop_cb_t)(struct tt_loop_op *op, int res, uint64_t t_reap);

struct tt_loop_op {
	tt_loop_cb_t cb;	     /* completion callback; NULL: completion ignored */
	uint32_t inflight;	     /* SQEs submitted for this op, not yet completed */
	struct __kernel_timespec ts; /* timeout storage for timer/linked-timeout SQEs */
};

struct tt_loop_cfg {
	unsigned entries; /* SQ size (power of two, 0 = 256) */
	bool busy_poll;	  /* true: never sleep in the kernel; peek and spin */
};

struct tt_loop {
	struct io_uring ring; /* the ring; one per thread */
	bool busy_poll;	      /* wait mode chosen at init */
	bool ring_ok;	      /* ring was set up (fini is safe on a half-built loop) */
	uint32_t inflight;    /* ops submitted and not completed (user_data != 0) */
	uint64_t n_cqe;	      /* completions reaped (counter) */
	uint64_t n_sq_full;   /* times the SQ was full and had to be flushed early */
	uint64_t t_last_reap; /* stamp of the last reaped batch */
};

/* Current time in tt_loop_stamp() units: CLOCK_MONOTONIC nanoseconds. This is the one
 * place to swap in the shared TSC clock once it lands; everything else uses this. */
static inline uint64_t tt_loop_stamp(void)
{
	/* CLOCK_MONOTONIC ns through the shared TSC calibration (one rdtsc and a multiply;
	 * plain clock_gettime until tt_clock_init). tt_clock_from_ns() turns a stamp back
	 * into the ticks that ring messages carry as t_rx. */
	return (uint64_t)tt_clock_ns_now();
}

/* Sets up the ring in caller storage. 0 or -errno (trail set); on failure fini is safe. */
int tt_loop_init(struct tt_loop *l, const struct tt_loop_cfg *cfg) TT_WUR;
/* Tears down the ring. Ops still in flight are abandoned: call only when none is. */
void tt_loop_fini(struct tt_loop *l);

/* Submits what is queued, waits up to timeout_ns (<0: forever; 0: don't wait) for at least
 * one completion, and dispatches every completion available. Returns the number of
 * completions dispatched (0 on timeout) or -errno. Busy-poll mode spins instead of
 * sleeping. Callbacks may queue new SQEs; they go out on the next call or tt_loop_submit. */
int tt_loop_run_once(struct tt_loop *l, int64_t timeout_ns) TT_WUR;
/* Pushes queued SQEs to the kernel now (used where latency matters: order bytes). */
int tt_loop_submit(struct tt_loop *l) TT_WUR;

/* Queue operations. Each returns 0 or -errno (-EBUSY: SQ full even after flushing).
 * Buffers must stay valid until the completion. */
int tt_loop_recv(struct tt_loop *l, struct tt_loop_op *op, int fd, void *buf, size_t len) TT_WUR;
int tt_loop_send(struct tt_loop *l, struct tt_loop_op *op, int fd, const void *buf,
		 size_t len) TT_WUR;
/* connect with a linked timeout: completes with -ECANCELED when timeout_ns passes first
 * (0: no timeout). sa must stay valid until the completion. */
int tt_loop_connect(struct tt_loop *l, struct tt_loop_op *op, int fd, const struct sockaddr *sa,
		    socklen_t len, uint64_t timeout_ns) TT_WUR;
/* Timer firing at the absolute CLOCK_MONOTONIC time deadline_ns: completes with -ETIME
 * when it fires, -ECANCELED when removed. */
int tt_loop_timer_at(struct tt_loop *l, struct tt_loop_op *op, uint64_t deadline_ns) TT_WUR;
/* Futex wait as a completion (IORING_OP_FUTEX_WAIT, Linux ≥ 6.7): completes when a
 * FUTEX_WAKE hits the shared (not private) 32-bit word, or at once (-EAGAIN) when *word no
 * longer equals val. Lets one thread sleep on its sockets and on a ring's wake word at the
 * same time. -EOPNOTSUPP when the kernel lacks it (tt_loop_has_futex says so up front). */
int tt_loop_futex_wait(struct tt_loop *l, struct tt_loop_op *op, const void *word,
		       uint32_t val) TT_WUR;
bool tt_loop_has_futex(struct tt_loop *l);
/* Moves an armed timer to a new absolute deadline (-ENOENT completion ignored: the timer
 * had already fired, and its callback sees the new deadline). */
int tt_loop_timer_update(struct tt_loop *l, struct tt_loop_op *op, uint64_t deadline_ns) TT_WUR;
/* Asks the kernel to cancel every SQE of op (its completions arrive with -ECANCELED, or
 * with their result if they had finished). */
int tt_loop_cancel(struct tt_loop *l, struct tt_loop_op *op) TT_WUR;

#endif /* TT_LOOP_H */
