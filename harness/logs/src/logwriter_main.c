/*
 * logwriter_main.c — tt-logwriter: the log writer process (tt_logw.h). Started by the
 * supervisor (or by hand) next to the engine; drains every "<instance>.log.*" ring.
 *
 *   tt-logwriter --instance I [--root logs] [--env testnet] [--max-mb 256] [--keep-days 14]
 *                [--poll-ms 20] [--clock-shm NAME] [--once]
 *   tt-logwriter --pipe PROC [--root logs] [--env testnet]   (JSON lines on stdin → PROC)
 *
 * --pipe: the supervisor pipes a child's stderr (cold-path tt_log lines, denied events)
 * here, so they land in the same tree as the ring records.
 * --once: scan and drain once, then exit (tests, cron). SIGINT/SIGTERM: final drain, exit 0.
 * Bad arguments: a message and exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_log.h"
#include "tt_logw.h"

static volatile sig_atomic_t stop_flag;
static struct tt_logw writer;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"tt-logwriter: %s\nusage: tt-logwriter --instance I [--root DIR] [--env "
		"testnet|prod] [--max-mb N] [--keep-days N] [--poll-ms N] [--clock-shm NAME] "
		"[--once]\n",
		why);
	return 2;
}

static int parse_u(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoul(s, &end, 10);
	return (*end || *out > max) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"instance", required_argument, 0, 'i'},  {"root", required_argument, 0, 'r'},
	    {"env", required_argument, 0, 'e'},	      {"max-mb", required_argument, 0, 'm'},
	    {"keep-days", required_argument, 0, 'k'}, {"poll-ms", required_argument, 0, 'p'},
	    {"clock-shm", required_argument, 0, 'c'}, {"once", no_argument, 0, 'o'},
	    {"pipe", required_argument, 0, 'P'},      {0, 0, 0, 0}};
	struct tt_logw_cfg cfg = {.root = "logs", .env = TT_FLAVOR_NAME, .keep_days = 14};
	const char *clock_shm = NULL, *pipe_proc = NULL;
	unsigned long v, poll_ms = 20;
	int once = 0, c, rc;

	tt_log_init("tt-logwriter");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			cfg.instance = optarg;
			break;
		case 'r':
			cfg.root = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "testnet") && strcmp(optarg, "prod"))
				return usage("--env must be testnet or prod");
			cfg.env = optarg;
			break;
		case 'm':
			if (parse_u(optarg, 1 << 20, &v) || v == 0)
				return usage("--max-mb wants a number of MiB, 1..1048576");
			cfg.max_bytes = (uint64_t)v << 20;
			break;
		case 'k':
			if (parse_u(optarg, 100000, &v))
				return usage("--keep-days wants a number of days (0: forever)");
			cfg.keep_days = (unsigned)v;
			break;
		case 'p':
			if (parse_u(optarg, 10000, &v) || v == 0)
				return usage("--poll-ms wants 1..10000");
			poll_ms = v;
			break;
		case 'c':
			clock_shm = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'P':
			pipe_proc = optarg;
			break;
		default:
			return usage("unknown option");
		}
	}
	if (optind < argc)
		return usage("unexpected argument");
	if (!cfg.instance && !pipe_proc)
		return usage("--instance (or --pipe PROC) is required");
	if (!cfg.instance)
		cfg.instance = "-";
	if (clock_shm ? tt_clock_init(clock_shm, false) : tt_clock_init_local()) {
		tt_log_err(TT_LOG_ERROR, "clock_attach_failed");
		return 1;
	}
	rc = tt_logw_init(&writer, &cfg);
	if (rc) {
		tt_log_err(TT_LOG_ERROR, "logwriter_init_failed");
		return 1;
	}
	{
		/* no SA_RESTART: a blocked read of the pipe returns EINTR on SIGTERM */
		struct sigaction sa = {.sa_handler = on_signal};

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (pipe_proc) {
		/* cold-path JSON lines (a child's stderr) → the same tree, until EOF; on SIGTERM
		 * (the supervisor keeps the pipe's write end open) what is buffered, then exit */
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		/* a previous incarnation may have left the shared pipe non-blocking */
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) & ~O_NONBLOCK);
		for (;;) {
			n = getline(&line, &cap, stdin);
			if (n > 0) {
				tt_logw_append_json(&writer, pipe_proc, line, (size_t)n);
				continue;
			}
			if (n < 0 && errno == EINTR && stop_flag && !(fcntl(0, F_GETFL) & O_NONBLOCK)) {
				clearerr(stdin);
				fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
				continue;
			}
			break;
		}
		free(line);
	} else if (once) {
		tt_logw_scan(&writer);
		tt_logw_drain(&writer, 0);
	} else {
		tt_logw_run(&writer, &stop_flag, (unsigned)poll_ms);
	}
	tt_log(TT_LOG_INFO, "logwriter_stopped", TT_LU("lines", writer.lines),
	       TT_LU("drops", writer.drops), TT_LU("write_errors", writer.write_errors));
	tt_logw_fini(&writer);
	return 0;
}
