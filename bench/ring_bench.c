/*
 * ring_bench.c — tt-bench-ring: the ticktrade SPSC ring against ck_ring, boost's
 * spsc_queue and a naive ring, same harness, same run, side by side.
 *
 * Measurements (each for every implementation, cross-process and cross-thread):
 *   rtt     round trip, 64-byte message A→B on ring ab, echoed B→A on ring ba; A stamps
 *           the TSC before the push and after the pop (same core: no clock skew).
 *   oneway  A sends 64-byte messages at a fixed pace, stamping the TSC into the message;
 *           B stamps on receipt. Needs a TSC synchronised across cores, and quiet cores.
 *   tput    A pushes warm+n messages (8 or 64 bytes) as fast as it can, one publish per
 *           message (single) or per BR_BATCH (batch); B pops and checks every sequence
 *           number; rate = n / (time from the warm-th to the last message, at B).
 *
 * Shape of one run (run_pair):
 *
 *   parent: create rings ──fork()/pthread_create()──▶ side B (pinned to cpu_b): open, barrier, loop
 *           side A (pinned to cpu_a): open, barrier, loop ──▶ wait for B ──▶ destroy rings
 *
 * Every queue op goes through struct br_ops (see ring_ops.h for why the overhead is
 * equal). Spins poll with a pause and check an abort flag and a deadline every 64 Ki
 * turns, so a dead or stuck peer fails the run instead of hanging it. Samples and the
 * control block live in a MAP_SHARED anonymous mapping so the child's results reach
 * the parent. Exit status: 0 when every run completed with every sequence number right.
 */
#include "bench_util.h"
#include "hist.h"
#include "ring_ops.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_compiler.h"

#ifndef TT_BENCH_BUILD
#define TT_BENCH_BUILD "unknown"
#endif

enum test_kind { T_RTT, T_ONEWAY, T_TPUT };
static const char *const test_names[] = { "rtt", "oneway", "tput" };

/* Shared between the two sides of a run (MAP_SHARED, survives fork). */
struct ctl {
	_Atomic int ready;	/* sides past open(); barrier at 2 */
	_Atomic int abort;	/* set by a side that failed or timed out */
	_Atomic uint64_t seq_errors;	/* messages received out of order or corrupted */
	uint64_t t_start_ns;	/* tput: B's clock at the warm-th message */
	uint64_t t_end_ns;	/* tput: B's clock at the last message */
	uint64_t counted;	/* tput: messages between the two stamps */
	uint64_t nsamples;	/* samples written */
	char why[160];		/* first failure, for the table */
};

struct run {
	const struct br_ops *ops;
	enum test_kind test;
	bool batch;
	char ab[BR_NAME_MAX];	/* ring A→B */
	char ba[BR_NAME_MAX];	/* ring B→A (rtt only) */
	uint64_t warm;
	uint64_t n;
	uint64_t pace_ticks;	/* oneway: TSC ticks between sends */
	int cpu_a;
	int cpu_b;
	bool yield;		/* one CPU only: yield instead of pause while spinning */
	uint64_t deadline_ns;
	struct ctl *ctl;
	uint64_t *samples;	/* shared, n entries */
};

struct result {
	const char *impl;
	enum test_kind test;
	bool process;
	uint32_t msg_size;
	bool batch;
	int status;		/* 0 ok, else -errno of the failure */
	char why[160];
	uint64_t seq_errors;
	uint64_t n;
	struct tt_bench_pct lat;	/* ns, rtt/oneway */
	double rate;			/* msgs/s, tput */
};

struct opts {
	bool quick;
	bool smoke;
	bool json;
	const char *out;
	int cpu_a;
	int cpu_b;
	unsigned impl_mask;	/* bit per impl index */
	unsigned test_mask;	/* bit per enum test_kind */
	uint64_t rtt_n;
	uint64_t oneway_n;
	uint64_t pace_ns;
	uint64_t tput_n;	/* single-publish runs; batch runs do 4x */
};

#define MAX_RESULTS 64
static struct result results[MAX_RESULTS];
static int nresults;
static double tsc_ghz = 1.0;

/* Names of the current run's shm objects, for the signal handler. */
static char live_ab[BR_NAME_MAX + 1] = "";
static char live_ba[BR_NAME_MAX + 1] = "";

static void on_signal(int sig)
{
	if (live_ab[0])
		shm_unlink(live_ab);
	if (live_ba[0])
		shm_unlink(live_ba);
	_exit(128 + sig);
}

/* ---- spinning ------------------------------------------------------------------------- */

static __tt_cold bool run_expired(struct run *r)
{
	if (atomic_load_explicit(&r->ctl->abort, memory_order_relaxed))
		return true;
	if (tt_bench_now_ns() > r->deadline_ns) {
		if (!atomic_exchange(&r->ctl->abort, 1))
			snprintf(r->ctl->why, sizeof(r->ctl->why), "timed out (peer stuck or dead)");
		return true;
	}
	return false;
}

static void run_fail(struct run *r, const char *what, int rc)
{
	if (!atomic_exchange(&r->ctl->abort, 1))
		snprintf(r->ctl->why, sizeof(r->ctl->why), "%s: %s", what, strerror(-rc));
}

static inline void spin_pause(const struct run *r)
{
	if (tt_unlikely(r->yield))
		sched_yield();
	else
		tt_cpu_relax();
}

/* Evaluates cond until true; false when the run was aborted or timed out meanwhile. */
#define SPIN(r, cond)                                                                  \
	({                                                                             \
		bool ok_ = true;                                                       \
		unsigned turns_ = 0;                                                   \
		while (!(cond)) {                                                      \
			spin_pause(r);                                                 \
			if (tt_unlikely(++turns_ >= (1u << 16))) {                     \
				turns_ = 0;                                            \
				if (run_expired(r)) {                                  \
					ok_ = false;                                   \
					break;                                         \
				}                                                      \
			}                                                              \
		}                                                                      \
		ok_;                                                                   \
	})

/* The ops table, opaque to the optimiser: every implementation is reached by the same
 * indirect calls (ring_ops.h). */
static inline const struct br_ops *ops_of(const struct run *r)
{
	const struct br_ops *o = r->ops;

	__asm__("" : "+r"(o));
	return o;
}

static bool barrier(struct run *r)
{
	atomic_fetch_add(&r->ctl->ready, 1);
	return SPIN(r, atomic_load(&r->ctl->ready) >= 2);
}

static void seq_error(struct run *r)
{
	atomic_fetch_add_explicit(&r->ctl->seq_errors, 1, memory_order_relaxed);
}

/* ---- the two sides of each test ---------------------------------------------------------- */

/* Opens ring `name` as role into q; on failure aborts the run. */
static bool side_open(struct run *r, struct br_q *q, const char *name, enum br_role role)
{
	int rc = ops_of(r)->open(q, name, role);

	if (rc < 0) {
		run_fail(r, role == BR_PRODUCER ? "open producer" : "open consumer", rc);
		return false;
	}
	return true;
}

static int rtt_a(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*push)(struct br_q *, const void *) = o->try_push;
	bool (*pop)(struct br_q *, void *) = o->try_pop;
	struct br_q qab, qba;
	struct br_msg64 m = { { 0 } };
	struct br_msg64 in;
	uint64_t total = r->warm + r->n;
	int rc = -1;

	if (!side_open(r, &qab, r->ab, BR_PRODUCER))
		return -1;
	if (!side_open(r, &qba, r->ba, BR_CONSUMER))
		goto out_ab;
	if (!barrier(r))
		goto out_ba;
	for (uint64_t i = 0; i < total; i++) {
		uint64_t t0, t1;

		m.w[0] = i;
		t0 = tt_bench_tsc();
		if (!SPIN(r, push(&qab, &m)))
			goto out_ba;
		if (!SPIN(r, pop(&qba, &in)))
			goto out_ba;
		t1 = tt_bench_tsc();
		if (tt_unlikely(in.w[0] != i))
			seq_error(r);
		if (i >= r->warm)
			r->samples[i - r->warm] = t1 - t0;
	}
	r->ctl->nsamples = r->n;
	rc = 0;
out_ba:
	o->close(&qba);
out_ab:
	o->close(&qab);
	return rc;
}

static int rtt_b(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*push)(struct br_q *, const void *) = o->try_push;
	bool (*pop)(struct br_q *, void *) = o->try_pop;
	struct br_q qab, qba;
	struct br_msg64 in;
	uint64_t total = r->warm + r->n;
	int rc = -1;

	if (!side_open(r, &qab, r->ab, BR_CONSUMER))
		return -1;
	if (!side_open(r, &qba, r->ba, BR_PRODUCER))
		goto out_ab;
	if (!barrier(r))
		goto out_ba;
	for (uint64_t i = 0; i < total; i++) {
		if (!SPIN(r, pop(&qab, &in)))
			goto out_ba;
		if (!SPIN(r, push(&qba, &in)))
			goto out_ba;
	}
	rc = 0;
out_ba:
	o->close(&qba);
out_ab:
	o->close(&qab);
	return rc;
}

static int oneway_a(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*push)(struct br_q *, const void *) = o->try_push;
	struct br_q q;
	struct br_msg64 m = { { 0 } };
	uint64_t total = r->warm + r->n;
	uint64_t next;
	int rc = -1;

	if (!side_open(r, &q, r->ab, BR_PRODUCER))
		return -1;
	if (!barrier(r))
		goto out;
	next = tt_bench_tsc();
	for (uint64_t i = 0; i < total; i++) {
		/* Fixed schedule: a sender that fell behind (preempted) catches up in a burst,
		 * and the queueing that causes shows in the receiver's tail, as it would. */
		if (!SPIN(r, tt_bench_tsc() >= next))
			goto out;
		next += r->pace_ticks;
		m.w[0] = i;
		m.w[1] = tt_bench_tsc();
		if (!SPIN(r, push(&q, &m)))
			goto out;
	}
	rc = 0;
out:
	o->close(&q);
	return rc;
}

static int oneway_b(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*pop)(struct br_q *, void *) = o->try_pop;
	struct br_q q;
	struct br_msg64 in;
	uint64_t total = r->warm + r->n;
	int rc = -1;

	if (!side_open(r, &q, r->ab, BR_CONSUMER))
		return -1;
	if (!barrier(r))
		goto out;
	for (uint64_t i = 0; i < total; i++) {
		uint64_t t;

		if (!SPIN(r, pop(&q, &in)))
			goto out;
		t = tt_bench_tsc();
		if (tt_unlikely(in.w[0] != i))
			seq_error(r);
		if (i >= r->warm)	/* TSC skew between cores could make t < stamp */
			r->samples[i - r->warm] = t > in.w[1] ? t - in.w[1] : 0;
	}
	r->ctl->nsamples = r->n;
	rc = 0;
out:
	o->close(&q);
	return rc;
}

static int tput_a(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*push)(struct br_q *, const void *) = o->try_push;
	unsigned (*push_batch)(struct br_q *, const void *, unsigned) = o->push_batch;
	size_t sz = o->msg_size;
	unsigned char buf[BR_BATCH * 64] __attribute__((aligned(64)));
	uint64_t total = r->warm + r->n;
	struct br_q q;
	int rc = -1;

	memset(buf, 0, sizeof(buf));
	if (!side_open(r, &q, r->ab, BR_PRODUCER))
		return -1;
	if (!barrier(r))
		goto out;
	if (!r->batch) {
		for (uint64_t i = 0; i < total; i++) {
			memcpy(buf, &i, sizeof(i));
			if (!SPIN(r, push(&q, buf)))
				goto out;
		}
	} else {
		uint64_t sent = 0;

		while (sent < total) {
			unsigned k = total - sent < BR_BATCH ? (unsigned)(total - sent) : BR_BATCH;
			unsigned got;

			for (unsigned j = 0; j < k; j++) {
				uint64_t s = sent + j;

				memcpy(buf + j * sz, &s, sizeof(s));
			}
			if (!SPIN(r, (got = push_batch(&q, buf, k)) != 0))
				goto out;
			sent += got;
		}
	}
	rc = 0;
out:
	o->close(&q);
	return rc;
}

static int tput_b(struct run *r)
{
	const struct br_ops *o = ops_of(r);
	bool (*pop)(struct br_q *, void *) = o->try_pop;
	unsigned (*pop_batch)(struct br_q *, void *, unsigned) = o->pop_batch;
	size_t sz = o->msg_size;
	unsigned char buf[BR_BATCH * 64] __attribute__((aligned(64)));
	uint64_t total = r->warm + r->n;
	uint64_t got = 0;
	uint64_t start_at = 0;
	uint64_t t_start = 0;
	uint64_t errors = 0;
	struct br_q q;
	int rc = -1;

	if (!side_open(r, &q, r->ab, BR_CONSUMER))
		return -1;
	if (!barrier(r))
		goto out;
	while (got < total) {
		unsigned k;

		if (!r->batch) {
			if (!SPIN(r, pop(&q, buf)))
				goto out;
			k = 1;
		} else {
			if (!SPIN(r, (k = pop_batch(&q, buf, BR_BATCH)) != 0))
				goto out;
		}
		for (unsigned j = 0; j < k; j++) {
			uint64_t s;

			memcpy(&s, buf + j * sz, sizeof(s));
			errors += s != got + j;
		}
		got += k;
		if (tt_unlikely(!t_start && got >= r->warm)) {
			t_start = tt_bench_now_ns();
			start_at = got;
		}
	}
	r->ctl->t_end_ns = tt_bench_now_ns();
	r->ctl->t_start_ns = t_start;
	r->ctl->counted = got - start_at;
	rc = 0;
out:
	if (errors)
		atomic_fetch_add(&r->ctl->seq_errors, errors);
	o->close(&q);
	return rc;
}

/* ---- running a pair --------------------------------------------------------------------- */

struct side_arg {
	struct run *r;
	int (*fn)(struct run *);
	int rc;
};

static void *side_b_thread(void *p)
{
	struct side_arg *a = p;

	tt_bench_pin(a->r->cpu_b);
	a->rc = a->fn(a->r);
	return NULL;
}

static int rings_create(struct run *r)
{
	int rc;

	snprintf(live_ab, sizeof(live_ab), "/%s", r->ab);
	rc = r->ops->create(r->ab);
	if (rc < 0) {
		live_ab[0] = '\0';
		return rc;
	}
	if (r->test == T_RTT) {
		snprintf(live_ba, sizeof(live_ba), "/%s", r->ba);
		rc = r->ops->create(r->ba);
		if (rc < 0) {
			live_ba[0] = '\0';
			r->ops->destroy(r->ab);
			live_ab[0] = '\0';
			return rc;
		}
	}
	return 0;
}

static void rings_destroy(struct run *r)
{
	r->ops->destroy(r->ab);
	live_ab[0] = '\0';
	if (r->test == T_RTT) {
		r->ops->destroy(r->ba);
		live_ba[0] = '\0';
	}
}

/* Runs side A here and side B in a child process or a thread. 0 when both completed. */
static int run_pair(struct run *r, bool process)
{
	static int (*const fa[])(struct run *) = { rtt_a, oneway_a, tput_a };
	static int (*const fb[])(struct run *) = { rtt_b, oneway_b, tput_b };
	int rca, rcb;
	int rc;

	rc = rings_create(r);
	if (rc < 0) {
		snprintf(r->ctl->why, sizeof(r->ctl->why), "create: %s", strerror(-rc));
		return rc;
	}
	tt_bench_pin(r->cpu_a);
	if (process) {
		int status = 0;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			rc = -errno;
			snprintf(r->ctl->why, sizeof(r->ctl->why), "fork: %s", strerror(errno));
			goto out;
		}
		if (pid == 0) {
			tt_bench_pin(r->cpu_b);
			_exit(fb[r->test](r) == 0 ? 0 : 1);
		}
		rca = fa[r->test](r);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rcb = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (rcb < 0 && !r->ctl->why[0])
			snprintf(r->ctl->why, sizeof(r->ctl->why), "side B exited with status %d",
				 status);
	} else {
		struct side_arg b = { .r = r, .fn = fb[r->test], .rc = -1 };
		pthread_t th;

		rc = -pthread_create(&th, NULL, side_b_thread, &b);
		if (rc < 0) {
			snprintf(r->ctl->why, sizeof(r->ctl->why), "pthread_create: %s",
				 strerror(-rc));
			goto out;
		}
		rca = fa[r->test](r);
		pthread_join(th, NULL);
		rcb = b.rc;
	}
	rc = rca == 0 && rcb == 0 ? 0 : -ECANCELED;
out:
	rings_destroy(r);
	return rc;
}

/* ---- the plan ------------------------------------------------------------------------- */

struct impl {
	const char *name;
	const struct br_ops *o8;
	const struct br_ops *o64;
};

static const struct impl impls[] = {
#ifdef TT_BENCH_HAVE_TTRING
	{ "ticktrade", &br_ops_tt8, &br_ops_tt64 },
#else
	{ "ticktrade", NULL, NULL },
#endif
	{ "ck_ring", &br_ops_ck8, &br_ops_ck64 },
	{ "boost", &br_ops_boost8, &br_ops_boost64 },
	{ "naive", &br_ops_naive8, &br_ops_naive64 },
};
#define NIMPLS ((int)TT_ARRAY_LEN(impls))

static struct {
	struct ctl *ctl;
	uint64_t *samples;
	size_t cap;
} shared;

static int run_one(const struct opts *op, const struct impl *im, enum test_kind t, bool process,
		   uint32_t size, bool batch)
{
	static unsigned seq;
	struct result *res = &results[nresults];
	struct run r;
	int rc;

	if (nresults >= MAX_RESULTS)
		return -ENOSPC;
	nresults++;
	memset(res, 0, sizeof(*res));
	res->impl = im->name;
	res->test = t;
	res->process = process;
	res->msg_size = size;
	res->batch = batch;
	if (!im->o8) {
		res->status = -ENOSYS;
		snprintf(res->why, sizeof(res->why), "not built (ringbuf/src/ring.c missing)");
		return 0;
	}

	memset(&r, 0, sizeof(r));
	r.ops = size == 8 ? im->o8 : im->o64;
	r.test = t;
	r.batch = batch;
	seq++;
	snprintf(r.ab, sizeof(r.ab), "tt-bench-%d-%u-ab", (int)getpid(), seq);
	snprintf(r.ba, sizeof(r.ba), "tt-bench-%d-%u-ba", (int)getpid(), seq);
	switch (t) {
	case T_RTT:
		r.n = op->rtt_n;
		break;
	case T_ONEWAY:
		r.n = op->oneway_n;
		break;
	case T_TPUT:
		r.n = batch ? op->tput_n * 4 : op->tput_n;
		break;
	}
	r.warm = r.n / 10;
	r.pace_ticks = (uint64_t)((double)op->pace_ns * tsc_ghz);
	r.cpu_a = op->cpu_a;
	r.cpu_b = op->cpu_b;
	r.yield = op->cpu_b < 0 || op->cpu_a == op->cpu_b;
	r.deadline_ns = tt_bench_now_ns() + (op->quick || op->smoke ? 20 : 60) * 1000000000ull;
	r.ctl = shared.ctl;
	r.samples = shared.samples;
	memset(r.ctl, 0, sizeof(*r.ctl));
	res->n = r.n;

	rc = run_pair(&r, process);
	res->seq_errors = atomic_load(&r.ctl->seq_errors);
	if (rc < 0) {
		res->status = rc;
		snprintf(res->why, sizeof(res->why), "%s", r.ctl->why[0] ? r.ctl->why : "failed");
		return 0;
	}
	if (t == T_TPUT) {
		uint64_t dt = r.ctl->t_end_ns - r.ctl->t_start_ns;

		res->rate = dt ? (double)r.ctl->counted * 1e9 / (double)dt : 0;
	} else {
		struct tt_bench_hist h;

		tt_bench_hist_init(&h, shared.samples, shared.cap);
		h.n = r.ctl->nsamples;
		if (tt_bench_hist_summarize(&h, &res->lat) == 0)
			tt_bench_pct_scale(&res->lat, 1.0 / tsc_ghz);
	}
	return 0;
}

/* ---- output --------------------------------------------------------------------------- */

static const struct result *find(const char *impl, enum test_kind t, bool process,
				 uint32_t size, bool batch)
{
	for (int i = 0; i < nresults; i++) {
		const struct result *x = &results[i];

		if (!strcmp(x->impl, impl) && x->test == t && x->process == process &&
		    x->msg_size == size && x->batch == batch)
			return x;
	}
	return NULL;
}

static bool result_bad(const struct result *x)
{
	return x->status != 0 || x->seq_errors != 0;
}

static void print_bad(const struct result *x)
{
	if (x->status == -ENOSYS)
		printf("  %s", x->why);
	else if (x->status)
		printf("  FAILED: %s", x->why);
	else
		printf("  SEQUENCE ERRORS: %llu", (unsigned long long)x->seq_errors);
}

static void print_lat_table(const struct opts *op, enum test_kind t, bool process)
{
	const char *mode = process ? "cross-process" : "cross-thread";
	bool header = false;

	for (int i = 0; i < NIMPLS; i++) {
		const struct result *x = find(impls[i].name, t, process, 64, false);

		if (!x)
			continue;
		if (!header) {
			if (t == T_RTT)
				printf("\n== Round trip, 64-byte messages, %s (ns; %llu samples) ==\n",
				       mode, (unsigned long long)op->rtt_n);
			else
				printf("\n== One-way at one message per %llu ns, 64-byte, %s "
				       "(ns; %llu samples) ==\n",
				       (unsigned long long)op->pace_ns, mode,
				       (unsigned long long)op->oneway_n);
			printf("%-10s %9s %9s %9s %9s %9s %9s\n", "impl", "p50", "p90", "p99",
			       "p99.9", "max", "mean");
			header = true;
		}
		printf("%-10s", x->impl);
		if (result_bad(x) && x->lat.n == 0) {
			print_bad(x);
		} else {
			printf(" %9llu %9llu %9llu %9llu %9llu %9.0f", (unsigned long long)x->lat.p50,
			       (unsigned long long)x->lat.p90, (unsigned long long)x->lat.p99,
			       (unsigned long long)x->lat.p999, (unsigned long long)x->lat.max,
			       x->lat.mean);
			if (result_bad(x))
				print_bad(x);
		}
		printf("\n");
	}
}

static void print_tput_table(bool process)
{
	static const struct {
		uint32_t size;
		bool batch;
		const char *label;
	} cols[] = { { 8, false, "8B single" }, { 8, true, "8B batch" },
		     { 64, false, "64B single" }, { 64, true, "64B batch" } };
	bool header = false;

	for (int i = 0; i < NIMPLS; i++) {
		bool any = false;

		for (size_t c = 0; c < TT_ARRAY_LEN(cols); c++)
			any |= find(impls[i].name, T_TPUT, process, cols[c].size, cols[c].batch) != NULL;
		if (!any)
			continue;
		if (!header) {
			printf("\n== Throughput, %s (million messages/s; batch = %u per publish) ==\n",
			       process ? "cross-process" : "cross-thread", BR_BATCH);
			printf("%-10s", "impl");
			for (size_t c = 0; c < TT_ARRAY_LEN(cols); c++)
				printf(" %11s", cols[c].label);
			printf("\n");
			header = true;
		}
		printf("%-10s", impls[i].name);
		const struct result *bad = NULL;

		for (size_t c = 0; c < TT_ARRAY_LEN(cols); c++) {
			const struct result *x =
				find(impls[i].name, T_TPUT, process, cols[c].size, cols[c].batch);

			if (!x)
				printf(" %11s", "-");
			else if (result_bad(x)) {
				printf(" %11s", x->status == -ENOSYS ? "n/a" : "FAIL");
				bad = x;
			} else
				printf(" %11.2f", x->rate / 1e6);
		}
		if (bad)
			print_bad(bad);
		printf("\n");
	}
}

static int write_json(const struct opts *op, const struct tt_bench_machine *m,
		      char *path, size_t pathlen)
{
	FILE *f;
	int rc = tt_bench_mkdir_p(op->out);

	if (rc < 0)
		return rc;
	snprintf(path, pathlen, "%s/ring-%s-%s.json", op->out, m->host, m->date_file);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\n\"bench\": \"ring\",\n");
	tt_bench_json_machine(f, m);
	fprintf(f, ",\n\"build\": ");
	tt_bench_json_str(f, TT_BENCH_BUILD);
	fprintf(f, ",\n\"cpus\": [%d, %d],\n\"quick\": %s,\n\"capacity\": %u,\n\"batch\": %u,\n"
		   "\"pace_ns\": %llu,\n\"results\": [",
		op->cpu_a, op->cpu_b, op->quick ? "true" : "false", BR_CAP, BR_BATCH,
		(unsigned long long)op->pace_ns);
	for (int i = 0; i < nresults; i++) {
		const struct result *x = &results[i];

		fprintf(f, "%s\n  {\"impl\": \"%s\", \"test\": \"%s\", \"mode\": \"%s\", "
			   "\"msg_bytes\": %u, \"batch\": %s, \"n\": %llu, \"ok\": %s, "
			   "\"seq_errors\": %llu",
			i ? "," : "", x->impl, test_names[x->test],
			x->process ? "process" : "thread", x->msg_size, x->batch ? "true" : "false",
			(unsigned long long)x->n, result_bad(x) ? "false" : "true",
			(unsigned long long)x->seq_errors);
		if (x->status) {
			fprintf(f, ", \"error\": ");
			tt_bench_json_str(f, x->why);
		} else if (x->test == T_TPUT) {
			fprintf(f, ", \"msgs_per_s\": %.0f", x->rate);
		} else {
			fprintf(f, ", \"ns\": {\"min\": %llu, \"p50\": %llu, \"p90\": %llu, "
				   "\"p99\": %llu, \"p99_9\": %llu, \"max\": %llu, \"mean\": %.1f}",
				(unsigned long long)x->lat.min, (unsigned long long)x->lat.p50,
				(unsigned long long)x->lat.p90, (unsigned long long)x->lat.p99,
				(unsigned long long)x->lat.p999, (unsigned long long)x->lat.max,
				x->lat.mean);
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n]\n}\n");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/* ---- main ------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tt-bench ring [options]\n"
		"  --quick            small counts (seconds, for development)\n"
		"  --smoke            tiny counts, no JSON (a correctness check for ctest)\n"
		"  --out DIR          write DIR/ring-<host>-<UTC date>.json (default bench/results)\n"
		"  --no-json          print only\n"
		"  --cpus A,B         pin side A and side B to these CPUs (default: first two allowed)\n"
		"  --impl LIST        ticktrade,ck_ring,boost,naive (default all)\n"
		"  --tests LIST       rtt,oneway,tput (default all)\n"
		"  --rtt-n N --oneway-n N --tput-n N --pace-ns NS   override counts\n");
}

static unsigned parse_list(const char *s, const char *const *names, int nnames)
{
	unsigned mask = 0;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < nnames; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == nnames) {
			fprintf(stderr, "tt-bench ring: unknown name '%s'\n", tok);
			exit(2);
		}
		mask |= 1u << i;
	}
	return mask;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end || v == 0) {
		fprintf(stderr, "tt-bench ring: %s wants a positive integer, got '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *op)
{
	enum { O_OUT = 256, O_NOJSON, O_CPUS, O_IMPL, O_TESTS, O_RTTN, O_OWN, O_TPN, O_PACE,
	       O_SMOKE };
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },	{ "smoke", no_argument, NULL, O_SMOKE },
		{ "out", required_argument, NULL, O_OUT }, { "no-json", no_argument, NULL, O_NOJSON },
		{ "cpus", required_argument, NULL, O_CPUS }, { "impl", required_argument, NULL, O_IMPL },
		{ "tests", required_argument, NULL, O_TESTS },
		{ "rtt-n", required_argument, NULL, O_RTTN },
		{ "oneway-n", required_argument, NULL, O_OWN },
		{ "tput-n", required_argument, NULL, O_TPN },
		{ "pace-ns", required_argument, NULL, O_PACE }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *impl_names[NIMPLS];
	uint64_t rtt_n = 0, oneway_n = 0, tput_n = 0;
	bool cpus_given = false;
	int c;

	for (int i = 0; i < NIMPLS; i++)
		impl_names[i] = impls[i].name;
	memset(op, 0, sizeof(*op));
	op->json = true;
	op->out = "bench/results";
	op->impl_mask = (1u << NIMPLS) - 1;
	op->test_mask = 7;
	op->pace_ns = 2000;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			op->quick = true;
			break;
		case O_SMOKE:
			op->smoke = true;
			op->json = false;
			break;
		case O_OUT:
			op->out = optarg;
			break;
		case O_NOJSON:
			op->json = false;
			break;
		case O_CPUS:
			if (sscanf(optarg, "%d,%d", &op->cpu_a, &op->cpu_b) != 2 || op->cpu_a < 0 ||
			    op->cpu_b < 0) {
				fprintf(stderr, "tt-bench ring: --cpus wants A,B, got '%s'\n", optarg);
				exit(2);
			}
			cpus_given = true;
			break;
		case O_IMPL:
			op->impl_mask = parse_list(optarg, impl_names, NIMPLS);
			break;
		case O_TESTS:
			op->test_mask = parse_list(optarg, test_names, 3);
			break;
		case O_RTTN:
			rtt_n = parse_u64(optarg, "--rtt-n");
			break;
		case O_OWN:
			oneway_n = parse_u64(optarg, "--oneway-n");
			break;
		case O_TPN:
			tput_n = parse_u64(optarg, "--tput-n");
			break;
		case O_PACE:
			op->pace_ns = parse_u64(optarg, "--pace-ns");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tt-bench ring: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	/* Full counts are sized for about two minutes on a 2-vCPU machine. */
	if (op->smoke) {
		op->rtt_n = 2000;
		op->oneway_n = 2000;
		op->tput_n = 20000;
		op->pace_ns = 1000;
	} else if (op->quick) {
		op->rtt_n = 50000;
		op->oneway_n = 20000;
		op->tput_n = 1000000;
	} else {
		/* About 30 s when the two CPUs are idle. */
		op->rtt_n = 1000000;
		op->oneway_n = 500000;
		op->tput_n = 20000000;
	}
	if (rtt_n)
		op->rtt_n = rtt_n;
	if (oneway_n)
		op->oneway_n = oneway_n;
	if (tput_n)
		op->tput_n = tput_n;
	if (!cpus_given) {
		tt_bench_pick_cpus(&op->cpu_a, &op->cpu_b);
	}
}

static void print_header(const struct opts *op, const struct tt_bench_machine *m)
{
	printf("tt-bench ring — ticktrade SPSC ring vs ck_ring, boost::lockfree::spsc_queue, naive\n");
	printf("machine : %s, %d CPUs, %s, host %s\n", m->cpu, m->nproc, m->kernel, m->host);
	printf("compiler: %s; build: %s\n", m->compiler, TT_BENCH_BUILD);
	printf("date    : %s; load average at start: %s\n", m->date, m->loadavg);
	if (op->cpu_b >= 0)
		printf("cores   : side A (producer / rtt initiator) on CPU %d, side B on CPU %d\n",
		       op->cpu_a, op->cpu_b);
	else
		printf("cores   : only one CPU: not pinned, spinners yield (figures mean little)\n");
	printf("clock   : TSC %.3f GHz (calibrated against CLOCK_MONOTONIC), invariant TSC %s\n",
	       m->tsc_ghz, m->constant_tsc ? "yes" : "NOT ADVERTISED");
	printf("rings   : %u slots each, spin waiting, all ops via one indirect call each; "
	       "warm-up = n/10 before every run%s\n",
	       BR_CAP, op->quick ? "; --quick counts" : op->smoke ? "; --smoke counts" : "");
	printf("batch   : ticktrade %s; ck_ring %s; boost %s; naive %s\n",
#ifdef TT_BENCH_HAVE_TTRING
	       br_ops_tt64.batch_note,
#else
	       "(not built)",
#endif
	       br_ops_ck64.batch_note, br_ops_boost64.batch_note, br_ops_naive64.batch_note);
	if (m->nproc <= 2)
		printf("caveat  : %d CPUs shared with everything else: round trip is the figure "
		       "that holds; one-way and throughput swing with the neighbours\n",
		       m->nproc);
}

int main(int argc, char **argv)
{
	struct tt_bench_machine m;
	struct opts op;
	size_t cap;
	int failures = 0;
	struct sigaction sa;

	parse_opts(argc, argv, &op);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	tt_bench_machine_get(&m);
	tsc_ghz = tt_bench_tsc_calibrate(op.smoke ? 20 : 150);
	m.tsc_ghz = tsc_ghz;

	cap = op.rtt_n > op.oneway_n ? op.rtt_n : op.oneway_n;
	shared.ctl = mmap(NULL, sizeof(struct ctl), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared.samples = mmap(NULL, cap * sizeof(uint64_t), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (shared.ctl == MAP_FAILED || shared.samples == MAP_FAILED) {
		fprintf(stderr, "tt-bench ring: mmap of %zu samples: %s\n", cap, strerror(errno));
		return 1;
	}
	shared.cap = cap;
	print_header(&op, &m);

	for (int pass = 0; pass < 2; pass++) {
		bool process = pass == 0;

		for (int i = 0; i < NIMPLS; i++) {
			const struct impl *im = &impls[i];

			if (!(op.impl_mask & (1u << i)))
				continue;
			if (op.test_mask & (1u << T_RTT))
				run_one(&op, im, T_RTT, process, 64, false);
			if (op.test_mask & (1u << T_ONEWAY))
				run_one(&op, im, T_ONEWAY, process, 64, false);
			if (op.test_mask & (1u << T_TPUT)) {
				run_one(&op, im, T_TPUT, process, 8, false);
				run_one(&op, im, T_TPUT, process, 8, true);
				run_one(&op, im, T_TPUT, process, 64, false);
				run_one(&op, im, T_TPUT, process, 64, true);
			}
		}
		if (op.test_mask & (1u << T_RTT))
			print_lat_table(&op, T_RTT, process);
	}
	if (op.test_mask & (1u << T_ONEWAY)) {
		print_lat_table(&op, T_ONEWAY, true);
		print_lat_table(&op, T_ONEWAY, false);
		printf("(one-way: receiver's TSC minus the sender's stamp; it includes the push "
		       "and assumes the cores' TSCs agree.\n It only means something on quiet, "
		       "dedicated (isolated) cores; on shared vCPUs read it as an upper bound.)\n");
	}
	if (op.test_mask & (1u << T_TPUT)) {
		print_tput_table(true);
		print_tput_table(false);
	}
	for (int i = 0; i < nresults; i++)
		failures += result_bad(&results[i]) && results[i].status != -ENOSYS;
	if (op.json) {
		char path[4352];
		int rc = write_json(&op, &m, path, sizeof(path));

		if (rc < 0) {
			fprintf(stderr, "tt-bench ring: writing JSON under %s: %s\n", op.out,
				strerror(-rc));
			failures++;
		} else {
			printf("\nresults: %s\n", path);
		}
	}
	if (failures)
		fprintf(stderr, "tt-bench ring: %d run(s) failed or saw sequence errors\n",
			failures);
	return failures ? 1 : 0;
}
