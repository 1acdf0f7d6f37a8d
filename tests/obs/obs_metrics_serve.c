/*
 * obs_metrics_serve.c — the metrics test program: registers the standard series
 * (tt_metrics_std_register), sets known values, serves them on 127.0.0.1 (port 0 unless
 * given) and writes the bound port to PORTFILE; runs until SIGTERM/SIGINT. This is how
 * tt-engine hosts the endpoint; e2e_prometheus.sh scrapes it with a real Prometheus.
 *
 *   obs-metrics-serve PORTFILE [PORT]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_metrics.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int main(int argc, char **argv)
{
	static struct tt_metrics reg;
	static struct tt_metrics_std std;
	static struct tt_metrics_srv srv;
	static const char *const reasons[] = {"ok", "max_qty", "price_collar"};
	static const char *const rings[] = {"md.strat", "oe.analytics"};
	static const int64_t t2t_ns[] = {1500, 3000, 3000, 40000, 20000000};
	FILE *pf;

	if (argc < 2)
		return 2;
	tt_metrics_init(&reg);
	if (tt_metrics_std_register(&reg, &std, reasons, 3, rings, 2, 8) ||
	    tt_metrics_serve_start(&srv, &reg, "127.0.0.1",
				   (uint16_t)(argc > 2 ? atoi(argv[2]) : 0))) {
		fprintf(stderr, "obs-metrics-serve: %s\n", tt_err_msg());
		return 1;
	}
	tt_metric_add(&std.msgs_in, 1234);
	tt_metric_add(&std.msgs_out, 56);
	tt_metric_add(&std.book_resyncs, 2);
	tt_metric_add(&std.orders, 42);
	tt_metric_add(&std.fills, 7);
	tt_metric_add(&std.rejects[2], 3);
	for (unsigned i = 0; i < sizeof(t2t_ns) / sizeof(t2t_ns[0]); i++)
		tt_metric_observe(&std.t2t, t2t_ns[i]);
	tt_metric_set(&std.ring_fill[0], 17);
	tt_metric_add(&std.ring_dropped[1], 5);
	tt_metric_set(&std.pnl, -150000000); /* -1.5 */
	pf = fopen(argv[1], "w");
	if (!pf)
		return 1;
	fprintf(pf, "%u\n", tt_metrics_serve_port(&srv));
	fclose(pf);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop_flag)
		pause();
	tt_metrics_serve_stop(&srv);
	return 0;
}
