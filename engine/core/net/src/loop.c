/*
 * loop.c — the io_uring event loop behind tt_loop.h. SQEs carry the address of the
 * issuing tt_loop_op as user_data; completions are copied out of the CQ in batches, the
 * CQ is advanced, then callbacks run (so a callback may queue SQEs freely). One stamp per
 * batch: all CQEs of a batch were reaped at that instant. No allocation after init.
 */
#include "tt_loop.h"

#include <errno.h>
#include <string.h>

#include "tt_err.h"

#define TT_LOOP_BATCH 64

__tt_cold int tt_loop_init(struct tt_loop *l, const struct tt_loop_cfg *cfg)
{
	unsigned entries = cfg && cfg->entries ? cfg->entries : 256;
	/* One thread submits (SINGLE_ISSUER). Blocking mode also defers task work to our
	 * io_uring_enter (COOP_TASKRUN: no IPI per completion); busy-poll never enters the
	 * kernel when idle, so it keeps the default (task work interrupts the spinner). */
	unsigned flags = IORING_SETUP_SINGLE_ISSUER;
	int rc;

	memset(l, 0, sizeof(*l));
	l->busy_poll = cfg && cfg->busy_poll;
	if (!l->busy_poll)
		flags |= IORING_SETUP_COOP_TASKRUN;
	rc = io_uring_queue_init(entries, &l->ring, flags);
	if (rc == -EINVAL) /* older kernel: plain ring */
		rc = io_uring_queue_init(entries, &l->ring, 0);
	if (rc < 0)
		return tt_err_set(rc, "io_uring_queue_init(entries=%u): %s", entries,
				  tt_strerror(rc));
	l->ring_ok = true;
	return 0;
}

__tt_cold void tt_loop_fini(struct tt_loop *l)
{
	if (l->ring_ok)
		io_uring_queue_exit(&l->ring);
	l->ring_ok = false;
}

int tt_loop_submit(struct tt_loop *l)
{
	int rc = io_uring_submit(&l->ring);

	if (tt_unlikely(rc < 0 && rc != -EAGAIN && rc != -EINTR && rc != -EBUSY))
		return tt_err_set(rc, "io_uring_submit: %s", tt_strerror(rc));
	return 0;
}

static struct io_uring_sqe *tt_loop_sqe(struct tt_loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (tt_unlikely(!sqe)) {
		l->n_sq_full++;
		(void)io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe;
}

static void tt_loop_track(struct tt_loop *l, struct tt_loop_op *op, struct io_uring_sqe *sqe)
{
	io_uring_sqe_set_data(sqe, op);
	if (op) {
		op->inflight++;
		l->inflight++;
	}
}

int tt_loop_recv(struct tt_loop *l, struct tt_loop_op *op, int fd, void *buf, size_t len)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "recv(fd=%d): submission queue full", fd);
	io_uring_prep_recv(sqe, fd, buf, len, 0);
	tt_loop_track(l, op, sqe);
	return 0;
}

int tt_loop_send(struct tt_loop *l, struct tt_loop_op *op, int fd, const void *buf, size_t len)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "send(fd=%d): submission queue full", fd);
	io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
	tt_loop_track(l, op, sqe);
	return 0;
}

static void tt_loop_ns_to_ts(struct __kernel_timespec *ts, uint64_t ns)
{
	ts->tv_sec = (long long)(ns / 1000000000ull);
	ts->tv_nsec = (long long)(ns % 1000000000ull);
}

int tt_loop_connect(struct tt_loop *l, struct tt_loop_op *op, int fd, const struct sockaddr *sa,
		    socklen_t len, uint64_t timeout_ns)
{
	struct io_uring_sqe *sqe;
	struct io_uring_sqe *lt;

	/* Two SQEs must be adjacent for the link: make room for both first. */
	if (io_uring_sq_space_left(&l->ring) < 2) {
		l->n_sq_full++;
		(void)io_uring_submit(&l->ring);
		if (io_uring_sq_space_left(&l->ring) < 2)
			return tt_err_set(-EBUSY, "connect(fd=%d): submission queue full", fd);
	}
	sqe = io_uring_get_sqe(&l->ring);
	io_uring_prep_connect(sqe, fd, sa, len);
	tt_loop_track(l, op, sqe);
	if (timeout_ns == 0)
		return 0;
	sqe->flags |= IOSQE_IO_LINK;
	tt_loop_ns_to_ts(&op->ts, timeout_ns);
	lt = io_uring_get_sqe(&l->ring);
	io_uring_prep_link_timeout(lt, &op->ts, 0);
	io_uring_sqe_set_data(lt, NULL);
	return 0;
}

int tt_loop_timer_at(struct tt_loop *l, struct tt_loop_op *op, uint64_t deadline_ns)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "timer: submission queue full");
	tt_loop_ns_to_ts(&op->ts, deadline_ns);
	io_uring_prep_timeout(sqe, &op->ts, 0, IORING_TIMEOUT_ABS);
	tt_loop_track(l, op, sqe);
	return 0;
}

/* Not in liburing 2.3's headers (Debian 12); the kernel ABI is stable. */
#define TT_IORING_OP_FUTEX_WAIT 51
#define TT_FUTEX2_SIZE_U32 0x02

bool tt_loop_has_futex(struct tt_loop *l)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(&l->ring);
	bool ok = p && p->last_op >= TT_IORING_OP_FUTEX_WAIT &&
		  (p->ops[TT_IORING_OP_FUTEX_WAIT].flags & IO_URING_OP_SUPPORTED);

	io_uring_free_probe(p);
	return ok;
}

int tt_loop_futex_wait(struct tt_loop *l, struct tt_loop_op *op, const void *word, uint32_t val)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "futex wait: submission queue full");
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = TT_IORING_OP_FUTEX_WAIT;
	sqe->fd = TT_FUTEX2_SIZE_U32; /* futex2 flags; shared: the waker is another process */
	sqe->addr = (uint64_t)(uintptr_t)word;
	sqe->addr2 = val;
	sqe->addr3 = 0xffffffffu; /* FUTEX_BITSET_MATCH_ANY: plain FUTEX_WAKE wakes it */
	tt_loop_track(l, op, sqe);
	return 0;
}

int tt_loop_timer_update(struct tt_loop *l, struct tt_loop_op *op, uint64_t deadline_ns)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "timer update: submission queue full");
	tt_loop_ns_to_ts(&op->ts, deadline_ns);
	io_uring_prep_timeout_update(sqe, &op->ts, (uint64_t)(uintptr_t)op, IORING_TIMEOUT_ABS);
	io_uring_sqe_set_data(sqe, NULL);
	return 0;
}

int tt_loop_cancel(struct tt_loop *l, struct tt_loop_op *op)
{
	struct io_uring_sqe *sqe = tt_loop_sqe(l);

	if (tt_unlikely(!sqe))
		return tt_err_set(-EBUSY, "cancel: submission queue full");
	io_uring_prep_cancel(sqe, op, IORING_ASYNC_CANCEL_ALL);
	io_uring_sqe_set_data(sqe, NULL);
	return 0;
}

/* Copies a batch out of the CQ, advances it, then dispatches. An op stops being in flight
 * only when its own callback is about to run, not when the batch is copied: a callback
 * earlier in the batch must still see a later op as in flight (tt-md once resent bytes and
 * then overran tx[]: a recv callback saw its connection's completed-but-unreported send as
 * done, submitted a second send from the old head, and the two advances passed the tail). */
static int tt_loop_dispatch(struct tt_loop *l)
{
	struct io_uring_cqe *cqes[TT_LOOP_BATCH];
	struct {
		struct tt_loop_op *op;
		int res;
		bool last; /* no IORING_CQE_F_MORE: the op's SQE is done */
	} done[TT_LOOP_BATCH];
	unsigned n, i, k = 0;
	uint64_t t;

	n = io_uring_peek_batch_cqe(&l->ring, cqes, TT_LOOP_BATCH);
	if (n == 0)
		return 0;
	t = tt_loop_stamp();
	for (i = 0; i < n; i++) {
		struct tt_loop_op *op = io_uring_cqe_get_data(cqes[i]);

		if (!op)
			continue;
		done[k].op = op;
		done[k].res = cqes[i]->res;
		done[k].last = !(cqes[i]->flags & IORING_CQE_F_MORE);
		k++;
	}
	io_uring_cq_advance(&l->ring, n);
	l->n_cqe += n;
	l->t_last_reap = t;
	for (i = 0; i < k; i++) {
		struct tt_loop_op *op = done[i].op;

		if (done[i].last) {
			if (TT_ALWAYS(op->inflight > 0))
				op->inflight--;
			if (TT_ALWAYS(l->inflight > 0))
				l->inflight--;
		}
		if (op->cb)
			op->cb(op, done[i].res, t);
	}
	return (int)k;
}

int tt_loop_run_once(struct tt_loop *l, int64_t timeout_ns)
{
	struct io_uring_cqe *cqe;
	int rc;

	if (l->busy_poll) {
		uint64_t end =
		    timeout_ns >= 0 ? tt_loop_stamp() + (uint64_t)timeout_ns : UINT64_MAX;

		rc = tt_loop_submit(l);
		if (rc < 0)
			return rc;
		for (;;) {
			if (io_uring_cq_ready(&l->ring))
				return tt_loop_dispatch(l);
			if (tt_loop_stamp() >= end)
				return 0;
			tt_cpu_relax();
		}
	}
	if (timeout_ns == 0) {
		/* COOP_TASKRUN: completions may wait as task work until we enter the kernel. */
		rc = io_uring_submit(&l->ring);
		if (rc >= 0 && !io_uring_cq_ready(&l->ring))
			rc = io_uring_get_events(&l->ring);
	} else if (timeout_ns > 0) {
		struct __kernel_timespec ts;

		tt_loop_ns_to_ts(&ts, (uint64_t)timeout_ns);
		rc = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
	} else {
		rc = io_uring_submit_and_wait(&l->ring, 1);
	}
	if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
		return tt_err_set(rc, "io_uring wait: %s", tt_strerror(rc));
	return tt_loop_dispatch(l);
}
