/*
 * ring_demo.c — tt-ring-demo: two processes exchange N messages (default 1,000,000) over
 * one lossless shm ring and the consumer prints a one-way latency table.
 *
 * Each message carries its send time (CLOCK_MONOTONIC ns, read just before publish; the
 * clock is system-wide, so the two processes' readings compare). The consumer subtracts
 * it on receipt. The producer sends --burst messages back to back (1 on >= 4 CPUs, else
 * 32), then waits until the consumer has drained the ring, so latency is the hand-over
 * itself rather than queueing behind a full ring; throughput is over the whole run.
 * Wait strategy: spin with both processes pinned to two different CPUs
 * when at least 4 are usable, futex otherwise (a spinning pair on 2 shared cores fights
 * the scheduler); --wait and --count override. The parent creates the ring and consumes;
 * the forked child produces. Exit 0 on success, 1 on any ring error or lost message.
 */
#include "tt_ring.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct demo_msg {
	uint64_t seq;	    /* 0..count-1 */
	uint64_t t_send_ns; /* CLOCK_MONOTONIC at send */
	char pad[48];
};
_Static_assert(sizeof(struct demo_msg) == 64, "one slot");

struct demo_opts {
	uint64_t count;
	int wait;     /* enum tt_ring_wait, -1 = choose */
	int cpu_prod; /* -1 = not pinned */
	int cpu_cons;
	int ncpu;
	uint64_t burst;	 /* messages sent back to back before waiting for a drain */
	const char *why; /* how the wait strategy was chosen */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *wait_name(int w)
{
	return w == TT_WAIT_SPIN ? "spin" : w == TT_WAIT_SPIN_YIELD ? "spin-yield" : "futex";
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tt-ring-demo [--wait spin|spin-yield|futex] [--count N] [--burst B]\n"
		"  --wait   default: spin pinned to two CPUs when >= 4 are usable, else futex\n"
		"  --count  messages to send (default 1000000)\n"
		"  --burst  messages sent back to back before the producer waits for the\n"
		"           consumer to drain the ring (default 1 on >= 4 CPUs: latency without\n"
		"           queueing; 32 on fewer, where a sleep/wake per message would take\n"
		"           ~15 s; 4096 = free running: latency then includes queueing)\n");
}

static int parse(int argc, char **argv, struct demo_opts *o)
{
	cpu_set_t set;
	int last = -1, prev = -1;

	o->count = 1000000;
	o->wait = -1;
	o->burst = 0; /* chosen with the wait strategy below */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			char *end;

			o->count = strtoull(argv[++i], &end, 10);
			if (*end || o->count == 0 || o->count > 100000000) {
				fprintf(stderr, "tt-ring-demo: --count wants 1..100000000\n");
				return -1;
			}
		} else if (!strcmp(argv[i], "--burst") && i + 1 < argc) {
			char *end;

			o->burst = strtoull(argv[++i], &end, 10);
			if (*end || o->burst == 0 || o->burst > 4096) {
				fprintf(stderr, "tt-ring-demo: --burst wants 1..4096\n");
				return -1;
			}
		} else if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			const char *w = argv[++i];

			o->wait = !strcmp(w, "spin")	     ? TT_WAIT_SPIN
				  : !strcmp(w, "spin-yield") ? TT_WAIT_SPIN_YIELD
				  : !strcmp(w, "futex")	     ? TT_WAIT_FUTEX
							     : -2;
			if (o->wait == -2) {
				usage(stderr);
				return -1;
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			return -1;
		}
	}
	/* Usable CPUs: the affinity mask, not the machine's count (containers, taskset). */
	o->ncpu = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (CPU_ISSET(c, &set)) {
				o->ncpu++;
				prev = last;
				last = c;
			}
		}
	}
	if (o->ncpu == 0)
		o->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* The two highest usable CPUs: CPU 0 usually takes the most interrupts. */
	o->cpu_prod = o->cpu_cons = -1;
	if (o->ncpu >= 4 && prev >= 0) {
		o->cpu_prod = prev;
		o->cpu_cons = last;
	}
	if (o->burst == 0)
		o->burst = o->ncpu >= 4 ? 1 : 32;
	if (o->wait >= 0)
		o->why = "from --wait";
	else if (o->ncpu >= 4) {
		o->wait = TT_WAIT_SPIN;
		o->why = "auto: >= 4 usable CPUs";
	} else {
		o->wait = TT_WAIT_FUTEX;
		o->why = "auto: < 4 usable CPUs";
	}
	return 0;
}

static int producer(const char *name, const struct tt_ring_params *p, const struct demo_opts *o)
{
	struct tt_ring r;

	if (pin(o->cpu_prod))
		perror("tt-ring-demo: producer sched_setaffinity");
	if (tt_ring_attach(&r, name, TT_RING_PRODUCER, p, (enum tt_ring_wait)o->wait)) {
		fprintf(stderr, "tt-ring-demo: producer: %s\n", tt_err_msg());
		return 1;
	}
	for (uint64_t seq = 0; seq < o->count; seq++) {
		struct demo_msg *m;

		while (!(m = tt_ring_reserve(&r))) {
			if (tt_ring_wait_space(&r, 5000000000ull)) {
				fprintf(stderr, "tt-ring-demo: producer: %s\n", tt_err_msg());
				return 1;
			}
		}
		m->seq = seq;
		m->t_send_ns = now_ns();
		tt_ring_commit(&r);
		tt_ring_publish(&r); /* one at a time: latency, not batching, is measured */
		if ((seq & 0x3ff) == 0)
			tt_ring_heartbeat(&r);
		/* End of a burst: let the consumer drain, so the next send does not queue
		 * behind earlier ones. On shared cores, yield rather than spin against it. */
		if ((seq + 1) % o->burst == 0) {
			for (uint32_t spins = 1; tt_ring_in_flight(&r) != 0; spins++) {
				if (o->wait != TT_WAIT_SPIN && spins >= 64)
					sched_yield();
				else
					tt_cpu_relax();
				if ((spins & 0xffff) == 0) {
					tt_ring_heartbeat(&r);
					if (!tt_ring_peer_alive(&r)) {
						fprintf(stderr, "tt-ring-demo: consumer is gone\n");
						return 1;
					}
				}
			}
		}
	}
	tt_ring_detach(&r);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, uint64_t n, double q)
{
	uint64_t i = (uint64_t)(q * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	const struct tt_ring_params p = {
	    .slot_size = 64, .capacity = 4096, .mode = TT_RING_LOSSLESS, .msg_version = 1};
	struct demo_opts o;
	struct tt_ring r;
	struct tt_ring_stats st;
	char name[TT_RING_NAME_MAX];
	uint64_t *lat, got = 0, t_first = 0, t_last = 0;
	int status, rc = 1;
	pid_t child;

	if (parse(argc, argv, &o))
		return 2;
	lat = malloc(o.count * sizeof(*lat)); /* before the run: nothing allocates during it */
	if (!lat) {
		fprintf(stderr, "tt-ring-demo: out of memory for %" PRIu64 " samples\n", o.count);
		return 1;
	}
	snprintf(name, sizeof(name), "tt-ring-demo-%d", (int)getpid());
	if (tt_ring_create(name, &p) ||
	    tt_ring_attach(&r, name, TT_RING_CONSUMER, &p, (enum tt_ring_wait)o.wait)) {
		fprintf(stderr, "tt-ring-demo: %s\n", tt_err_msg());
		goto out_free;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("tt-ring-demo: fork");
		goto out_detach;
	}
	if (child == 0)
		_exit(producer(name, &p, &o));
	if (pin(o.cpu_cons))
		perror("tt-ring-demo: consumer sched_setaffinity");

	while (got < o.count) {
		const struct demo_msg *m = tt_ring_peek(&r);
		uint64_t t;

		if (!m) {
			int w = tt_ring_wait_data(&r, 5000000000ull);

			if (w) {
				fprintf(stderr, "tt-ring-demo: consumer after %" PRIu64 ": %s\n",
					got, w == -ETIMEDOUT ? "timed out" : tt_err_msg());
				break;
			}
			continue;
		}
		t = now_ns();
		if (m->seq != got) {
			fprintf(stderr, "tt-ring-demo: got seq %" PRIu64 ", expected %" PRIu64 "\n",
				m->seq, got);
			break;
		}
		if (got == 0)
			t_first = m->t_send_ns;
		lat[got++] = t - m->t_send_ns;
		t_last = t;
		tt_ring_release(&r);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "tt-ring-demo: producer failed\n");
		goto out_detach;
	}
	if (got != o.count)
		goto out_detach;
	tt_ring_stats(&r, &st);
	qsort(lat, got, sizeof(*lat), cmp_u64);

	printf("tt-ring-demo: SPSC shm ring, 2 processes, 64-byte slots, capacity %u, lossless\n",
	       p.capacity);
	printf("  wait strategy   %s (%s)\n", wait_name(o.wait), o.why);
	printf("  sending         bursts of %" PRIu64 ", then wait for the consumer to drain\n",
	       o.burst);
	if (o.cpu_prod >= 0)
		printf("  cores           producer on CPU %d, consumer on CPU %d (%d usable)\n",
		       o.cpu_prod, o.cpu_cons, o.ncpu);
	else
		printf("  cores           not pinned (%d usable CPUs)\n", o.ncpu);
	printf("\n  one-way latency, send -> receive (ns)\n");
	printf("  %10s %9s %9s %9s %9s %11s\n", "count", "p50", "p90", "p99", "p99.9", "max");
	printf("  %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %11" PRIu64
	       "\n",
	       got, pct(lat, got, 0.50), pct(lat, got, 0.90), pct(lat, got, 0.99),
	       pct(lat, got, 0.999), lat[got - 1]);
	printf("\n  throughput      %.2f M msg/s (%" PRIu64 " messages in %.3f s)\n",
	       (double)got / ((double)(t_last - t_first) / 1e9) / 1e6, got,
	       (double)(t_last - t_first) / 1e9);
	printf("  ring counters   pushed %" PRIu64 ", popped %" PRIu64 ", full %" PRIu64
	       ", dropped %" PRIu64 "\n",
	       st.pushed, st.popped, st.full, st.dropped);
	printf("\n  note: one-way latency is only meaningful on quiet, dedicated cores (isolated,\n"
	       "  pinned, spin); on shared cores it mostly measures the scheduler and wake-ups.\n");
	rc = 0;
out_detach:
	tt_ring_detach(&r);
	(void)tt_ring_unlink(name);
out_free:
	free(lat);
	return rc;
}
