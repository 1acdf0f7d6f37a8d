/*
 * run.c — the tt-strat process (tt_strat_run.h). One thread: drain oe.strat (exec
 * reports), then md.strat (market events) through tt_strat_dispatch; intents go to
 * strat.oe (lossless: wait for space up to 1 s, a refused intent is told to the strategy
 * and logged). Waiting: on shared cores (futex/spin-yield rings) it sleeps on md.strat in
 * slices of at most 1 ms so exec reports and the timer are seen promptly; on spin rings it
 * polls both.
 */
#include "tt_strat_run.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tt_clock.h"
#include "tt_config.h"
#include "tt_cred.h"
#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_hist.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_proc.h"
#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_stats.h"
#include "tt_strat.h"

#define STRAT_RING_WAIT_NS 1000000000ull
#define STRAT_SLICE_NS 1000000ull

enum { R_MD, R_EXEC, R_OUT, R_N };
static const char *const ring_names[R_N] = { "md.strat", "oe.strat", "strat.oe" };

static struct {
	struct tt_config cfg;
	const char *cfg_path;
	struct tt_ring ring[R_N];
	bool ring_spin;
	const struct tt_strategy_ops *ops;
	void *state;
	struct tt_strat_ctx ctx;
	uint64_t md_in, exec_in, refused;
	struct tt_hist h_decide;	/* strat received → decided, for intents */
	bool report;
} S;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static tt_tsc_t now_tsc(void)
{
	return tt_clock_now();
}

/* The strategy's intents: strat.oe, lossless. */
static int sink(void *arg, const union tt_msg *m)
{
	struct tt_ring *r = &S.ring[R_OUT];
	int rc;

	(void)arg;
	rc = tt_ring_push(r, m, sizeof(*m));
	if (tt_unlikely(rc == -EAGAIN)) {
		if (!tt_ring_peer_alive(r) || tt_ring_wait_space(r, STRAT_RING_WAIT_NS) != 0 ||
		    tt_ring_push(r, m, sizeof(*m)) != 0) {
			S.refused++;
			tt_log(TT_LOG_ERROR, "strat_intent_refused", TT_LS("ring", "strat.oe"),
			       TT_LU("cl_ord_id", m->order.cl_ord_id),
			       TT_LB("consumer_alive", tt_ring_peer_alive(r)));
			return -EAGAIN;
		}
	}
	tt_stat_inc(strat_intents);
	/* logged after the push (the order goes first), stamped with the decision time so
	 * the intent never reads as later than tt-oe's order_sent for it */
	if (m->h.kind == TT_MSG_ORDER)
		tt_logh_at(order_intent,
			   m->h.t_rx && m->order.t_decided_d < UINT32_MAX
				   ? m->h.t_rx + m->order.t_decided_d
				   : tt_clock_now(),
			   m->order.cl_ord_id, m->h.instr,
			   tt_fixed_to8(m->order.px,
					S.ctx.instr[m->h.instr % TT_STRAT_MAX_INSTR].px_scale),
			   tt_fixed_to8(m->order.qty,
					S.ctx.instr[m->h.instr % TT_STRAT_MAX_INSTR].qty_scale));
	if (m->h.kind == TT_MSG_ORDER)
		tt_hist_record(&S.h_decide,
			       (uint64_t)tt_clock_delta_ns(0, (uint64_t)(m->order.t_decided_d -
									 m->order.t_strat_rx_d)));
	return 0;
}

static int setup_rings(void)
{
	for (int i = 0; i < R_N; i++) {
		const struct tt_cfg_ring *rc = tt_config_ring(&S.cfg, ring_names[i]);
		struct tt_ring_params p;

		if (!rc)
			return tt_err_set(-TT_ECONFIG, "%s: [ring.%s] is required", S.cfg_path,
					  ring_names[i]);
		p = (struct tt_ring_params){ .slot_size = rc->slot_size, .capacity = rc->capacity,
					     .mode = rc->mode, .msg_version = TT_MSG_LAYOUT_VERSION };
		if (tt_ring_attach(&S.ring[i], rc->shm, i == R_OUT ? TT_RING_PRODUCER : TT_RING_CONSUMER,
				   &p, (enum tt_ring_wait)rc->wait) != 0)
			return tt_err_add("attaching ring %s", ring_names[i]);
		if (i == R_MD)
			S.ring_spin = rc->wait == TT_CFG_WAIT_SPIN;
	}
	return 0;
}

static int setup_strategy(void)
{
	const struct tt_cfg_params *cp;
	struct tt_strat_params p;
	char section[64];

	S.ops = tt_strategy_find(S.cfg.strat.strategy);
	if (!S.ops) {
		char names[256] = "";

		for (int i = 0; tt_strategies[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? "|" : "", tt_strategies[i]->name);
		return tt_err_set(-TT_ECONFIG, "%s: strat.strategy: expected one of %s, found \"%s\"",
				  S.cfg_path, names, S.cfg.strat.strategy);
	}
	S.state = calloc(1, S.ops->state_size ? S.ops->state_size : 1);
	if (!S.state)
		return tt_err_set(-ENOMEM, "strategy state");
	tt_strat_ctx_init(&S.ctx, 1, (uint32_t)time(NULL), sink, NULL, now_tsc);
	for (uint32_t i = 0; i < S.cfg.n_instruments; i++) {
		const struct tt_cfg_instrument *ci = &S.cfg.instruments[i];

		if (ci->id >= TT_STRAT_MAX_INSTR)
			return tt_err_set(-TT_ECONFIG, "instrument %s: id %u above %d", ci->symbol, ci->id,
					  TT_STRAT_MAX_INSTR - 1);
		S.ctx.instr[ci->id] = (struct tt_strat_instr_cfg){
			.enabled = true, .px_scale = (uint8_t)ci->price_scale,
			.qty_scale = (uint8_t)ci->qty_scale, .tick = ci->tick_size, .step = ci->step_size,
		};
	}
	snprintf(section, sizeof(section), "strategy.%s", S.ops->name);
	memset(&p, 0, sizeof(p));
	p.file = S.cfg_path;
	p.section = section;
	cp = tt_config_strategy(&S.cfg, S.ops->name);
	for (uint32_t i = 0; cp && i < cp->n && i < TT_STRAT_MAX_PARAMS; i++)
		p.p[p.n++] = (struct tt_strat_param){ cp->p[i].key, cp->p[i].value, cp->p[i].line };
	return S.ops->init(S.state, &S.ctx, &p);
}

/* Drains up to max messages of ring i into the strategy; returns how many. */
static unsigned drain(int i, unsigned max)
{
	struct tt_ring *r = &S.ring[i];
	const union tt_msg *m;
	unsigned n = 0;

	while (n < max && (m = tt_ring_peek(r))) {
		union tt_msg copy = *m;	/* the strategy may emit (and wait) before release */
		tt_tsc_t t = tt_clock_now();

		tt_ring_release(r);
		tt_stats_add(copy.h.kind == TT_MSG_EXEC ? TT_ST_strat_execs_in : TT_ST_strat_events_in, 1);
		tt_strat_dispatch(S.ops, S.state, &S.ctx, &copy, t);
		n++;
	}
	return n;
}

static void report(void)
{
	tt_log(TT_LOG_INFO, "strat_summary", TT_LS("strategy", S.ops->name), TT_LU("md_in", S.md_in),
	       TT_LU("exec_in", S.exec_in), TT_LU("intents", S.ctx.intents),
	       TT_LU("refused", S.ctx.intents_refused),
	       TT_LU("decide_p50_ns", tt_hist_quantile(&S.h_decide, 0.5)));
	if (!S.report)
		return;
	printf("\ntt-strat (%s): %llu market events, %llu exec reports, %llu intents, %llu refused\n",
	       S.ops->name, (unsigned long long)S.md_in, (unsigned long long)S.exec_in,
	       (unsigned long long)S.ctx.intents, (unsigned long long)S.ctx.intents_refused);
	for (uint32_t i = 0; i < TT_STRAT_MAX_INSTR; i++)
		if (S.ctx.instr[i].enabled && (S.ctx.position[i] || S.ctx.cash[i]))
			printf("  instrument %u: position %lld, cash %lld (price units)\n", i,
			       (long long)S.ctx.position[i], (long long)S.ctx.cash[i]);
	fflush(stdout);
}

int tt_strat_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "run-for", required_argument, NULL, 't' },
		{ "report", no_argument, NULL, 'p' },	    { NULL, 0, NULL, 0 },
	};
	int64_t end_ns = 0, next_timer, timer_ns;
	int c;

	S.cfg_path = "config/testnet.ini";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': S.cfg_path = optarg; break;
		case 'p': S.report = true; break;
		case 't': {
			char *end;
			double secs = strtod(optarg, &end);

			if (*end || secs <= 0) {
				fprintf(stderr, "tt-strat: --run-for: expected seconds > 0, found \"%s\"\n", optarg);
				return 2;
			}
			end_ns = (int64_t)(secs * 1e9);
			break;
		}
		default:
			fprintf(stderr, "usage: tt-strat [--config FILE] [--run-for S] [--report]\n");
			return 2;
		}
	}
	tt_log_init("tt-strat");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (tt_config_load(&S.cfg, S.cfg_path) != 0) {
		fprintf(stderr, "tt-strat: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_flavor_start(&S.cfg) != 0) { /* prod: host whitelist (denied event emitted) */
		fprintf(stderr, "tt-strat: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_clock_init(S.cfg.engine.clock_shm, false) != 0)
		tt_log_err(TT_LOG_WARN, "clock_shared_unavailable");
	tt_hist_reset(&S.h_decide);
	/* trading counters for /metrics, hot-path log records for tt-logwriter */
	if (tt_stats_open(S.cfg.engine.instance, "tt-strat") != 0)
		tt_log_err(TT_LOG_WARN, "stats_unavailable");
	if (tt_logring_open(S.cfg.engine.instance, "tt-strat", 0, 0) != 0)
		tt_log_err(TT_LOG_WARN, "log_ring_unavailable");
	if (setup_strategy() != 0 || setup_rings() != 0) {
		tt_log_err(TT_LOG_ERROR, "strat_start_failed");
		fprintf(stderr, "tt-strat: %s\n", tt_err_msg());
		return 1;
	}
	(void)tt_proc_lock_memory(); /* hot memory locked and pre-faulted, or one warning */
	tt_log(TT_LOG_INFO, "strat_started", TT_LS("strategy", S.ops->name),
	       TT_LS("config", S.cfg_path));
	timer_ns = S.cfg.strat.timer_ns;
	next_timer = tt_clock_ns_now() + timer_ns;
	if (end_ns)
		end_ns += tt_clock_ns_now();
	while (!stop) {
		unsigned n;
		int64_t now;

		/* exec reports first: positions and open orders before the next decision */
		S.exec_in += drain(R_EXEC, 256);
		n = drain(R_MD, 64);
		S.md_in += n;
		now = tt_clock_ns_now();
		if (now >= next_timer) {
			S.ctx.cur_cause = 0; /* a timer's orders have no causing tick */
			if (S.ops->on_timer)
				S.ops->on_timer(S.state, &S.ctx, (uint64_t)now);
			next_timer = now + timer_ns;
			for (int i = 0; i < R_N; i++)
				tt_ring_heartbeat(&S.ring[i]);
			if (end_ns && now >= end_ns)
				break;
		}
		if (!n && !S.ring_spin && tt_ring_is_empty(&S.ring[R_EXEC]) &&
		    tt_ring_wait_data(&S.ring[R_MD], STRAT_SLICE_NS) == -TT_EPEERDEAD) {
			/* tt-md is gone (the engine restarts it): don't spin on the dead ring */
			struct timespec ts = { 0, 10000000 };

			nanosleep(&ts, NULL);
		}
	}
	report();
	for (int i = 0; i < R_N; i++)
		tt_ring_detach(&S.ring[i]);
	free(S.state);
	return 0;
}
