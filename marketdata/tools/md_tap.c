/*
 * md_tap.c — tt-md-tap: a consumer of the md.strat ring, for the market-data demo and for
 * checking a feed by hand before tt-strat exists in a setup. Counts messages by kind,
 * checks the producer's sequence numbers (no gap, no repeat), and measures t_rx → taken
 * off the ring (the whole market-data path: TLS, WS, scan, book, publish, ring hop).
 *
 *   tt-md-tap [--config FILE] [--run-for S]    (attaches; tt-md or tt-engine creates rings)
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_clock.h"
#include "tt_config.h"
#include "tt_err.h"
#include "tt_hist.h"
#include "tt_log.h"
#include "tt_msg.h"
#include "tt_ring.h"

static volatile sig_atomic_t stop;
static struct tt_config cfg;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "run-for", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "config/testnet.ini";
	const struct tt_cfg_ring *rc;
	struct tt_ring_params p;
	struct tt_ring r;
	struct tt_hist h;
	uint64_t kinds[TT_MSG_KIND_MAX] = { 0 }, last_seq = 0, gaps = 0, n = 0;
	int64_t end_ns = 0;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c') {
			path = optarg;
		} else if (c == 't') {
			end_ns = tt_clock_ns_now() + (int64_t)(atof(optarg) * 1e9);
		} else {
			fprintf(stderr, "usage: tt-md-tap [--config FILE] [--run-for S]\n");
			return 2;
		}
	}
	tt_log_init("tt-md-tap");
	if (tt_config_load(&cfg, path) != 0) {
		fprintf(stderr, "tt-md-tap: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_clock_init(cfg.engine.clock_shm, false) != 0 &&
	    tt_clock_init(cfg.engine.clock_shm, true) != 0)
		tt_log_err(TT_LOG_WARN, "clock_shared_unavailable");
	rc = tt_config_ring(&cfg, "md.strat");
	if (!rc) {
		fprintf(stderr, "tt-md-tap: %s: no [ring.md.strat]\n", path);
		return 1;
	}
	p = (struct tt_ring_params){ .slot_size = rc->slot_size, .capacity = rc->capacity,
				     .mode = rc->mode, .msg_version = TT_MSG_LAYOUT_VERSION };
	if ((err = tt_ring_attach(&r, rc->shm, TT_RING_CONSUMER, &p, (enum tt_ring_wait)rc->wait))) {
		fprintf(stderr, "tt-md-tap: %s\n", tt_err_msg());
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	tt_hist_reset(&h);
	while (!stop) {
		const union tt_msg *m;

		if (end_ns && tt_clock_ns_now() >= end_ns)
			break;
		err = tt_ring_wait_data(&r, 50000000ull);
		tt_ring_heartbeat(&r);
		if (err == -ETIMEDOUT || err == -TT_EPEERDEAD)
			continue;
		while ((m = tt_ring_peek(&r))) {
			tt_tsc_t now = tt_clock_now();

			if (m->h.kind < TT_MSG_KIND_MAX)
				kinds[m->h.kind]++;
			if (last_seq && m->h.seq != last_seq + 1)
				gaps++;
			last_seq = m->h.seq;
			if (m->h.t_rx && now > m->h.t_rx)
				tt_hist_record(&h, (uint64_t)tt_clock_delta_ns(m->h.t_rx, now));
			n++;
			tt_ring_release(&r);
		}
	}
	printf("\ntt-md-tap: %llu messages from md.strat: %llu book tops, %llu deltas, %llu trades, "
	       "%llu status; sequence gaps %llu\n",
	       (unsigned long long)n, (unsigned long long)kinds[TT_MSG_BOOK_TOP],
	       (unsigned long long)kinds[TT_MSG_BOOK_DELTA], (unsigned long long)kinds[TT_MSG_TRADE],
	       (unsigned long long)kinds[TT_MSG_STATUS], (unsigned long long)gaps);
	printf("  t_rx -> off the ring (ns)     count %8llu  p50 %8llu  p90 %8llu  p99 %8llu  p99.9 %8llu  max %9llu\n",
	       (unsigned long long)h.count, (unsigned long long)tt_hist_quantile(&h, 0.5),
	       (unsigned long long)tt_hist_quantile(&h, 0.9), (unsigned long long)tt_hist_quantile(&h, 0.99),
	       (unsigned long long)tt_hist_quantile(&h, 0.999), (unsigned long long)h.max);
	tt_ring_detach(&r);
	return gaps ? 1 : 0;
}
