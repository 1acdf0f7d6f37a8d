/*
 * main.c — tt-analytics.
 *
 *   tt-analytics run --db F --md-ring NAME --oe-ring NAME [--clock-shm NAME]
 *                    [--fee-ppm N] [--px-scale 8] [--qty-scale 8] [--sample-ms 100]
 *   tt-analytics report --db F [--since T] [--out FILE] [--format html|md|json]
 *   tt-analytics synth --db F [--n N] [--seed S]      synthetic session (demos)
 *
 * run: consumes the side rings (attaching as their consumer; capacity read from the ring
 * header) until SIGINT/SIGTERM, one transaction per drained batch. T: 2026-11-23,
 * 2026-11-23T20:00:00Z or an age (30m, 2h, 7d). Bad arguments: message, exit 2.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tt_an.h"
#include "tt_clock.h"
#include "tt_err.h"
#include "tt_log.h"

static volatile sig_atomic_t stop_flag;
static struct tt_an an;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int usage(const char *why)
{
	fprintf(
	    stderr,
	    "tt-analytics: %s\nusage: tt-analytics run --db F --md-ring NAME --oe-ring NAME "
	    "[--clock-shm NAME] [--fee-ppm N] [--px-scale N] [--qty-scale N] [--sample-ms N]\n"
	    "           [--scales ID:PX:QTY,...]  (instruments whose ring values use their own scales)\n"
	    "       tt-analytics report --db F [--since T] [--out FILE] [--format html|md|json]\n"
	    "       tt-analytics synth --db F [--n N] [--seed S]\n",
	    why);
	return 2;
}

/* "1:2:5,2:2:4" → cfg->in_scaled/in_px/in_qty. 0 or -1 (nothing half-set matters: the
 * caller exits on -1). */
static int parse_scales(const char *s, struct tt_an_cfg *cfg)
{
	while (*s) {
		char *e;
		unsigned long id, px, qty;

		id = strtoul(s, &e, 10);
		if (e == s || *e != ':' || id >= TT_AN_INSTR_MAX)
			return -1;
		s = e + 1;
		px = strtoul(s, &e, 10);
		if (e == s || *e != ':' || px > 18)
			return -1;
		s = e + 1;
		qty = strtoul(s, &e, 10);
		if (e == s || (*e != ',' && *e) || qty > 18)
			return -1;
		s = *e ? e + 1 : e;
		cfg->in_scaled[id] = 1;
		cfg->in_px[id] = (uint8_t)px;
		cfg->in_qty[id] = (uint8_t)qty;
	}
	return 0;
}

static int64_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int parse_since(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *p;
	char *end;
	long long v;

	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) && !*p) {
		*out = (int64_t)timegm(&tm) * 1000000000;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%d", &tm)) && !*p) {
		*out = (int64_t)timegm(&tm) * 1000000000;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (v > 100000)
		return -1;
	if (!strcmp(end, "s"))
		*out = now_real() - v * 1000000000ll;
	else if (!strcmp(end, "m"))
		*out = now_real() - v * 60000000000ll;
	else if (!strcmp(end, "h"))
		*out = now_real() - v * 3600000000000ll;
	else if (!strcmp(end, "d"))
		*out = now_real() - v * 86400000000000ll;
	else
		return -1;
	return 0;
}

static int num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	*out = strtoll(s, &end, 10);
	return (!*s || *end || *out < lo || *out > hi) ? -1 : 0;
}

/* Attach as consumer with the ring's own capacity (read from its header). */
static int attach_side(struct tt_ring *r, const char *name)
{
	struct tt_ring_hdr h;
	struct tt_ring_params p;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tt_err_set(-ENOENT, "ring %s: not found (is tt-engine up?)", name);
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		close(fd);
		return tt_err_set(-TT_ELAYOUT, "ring %s: short header", name);
	}
	close(fd);
	p = (struct tt_ring_params){.slot_size = TT_MSG_SIZE,
				    .capacity = h.capacity,
				    .mode = TT_RING_LOSSY,
				    .msg_version = TT_MSG_LAYOUT_VERSION};
	return tt_ring_attach(r, name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN_YIELD);
}

/* A synthetic session: a random-walk book, orders with stage stamps, partial fills. */
static int synth(struct tt_an *a, long long n, unsigned seed)
{
	int64_t mid = 6500000000000; /* 65000.00000000 */
	uint64_t seq = 1, t = tt_clock_now();
	uint64_t tick_ns = (uint64_t)tt_clock_ns_to_ticks(1000000); /* 1 ms */

	srand(seed);
	for (long long i = 0; i < n; i++) {
		union tt_msg m = {0};
		int64_t spread = 100000000; /* 1.0 */
		uint32_t t2t = (uint32_t)tt_clock_ns_to_ticks(2000 + rand() % 3000 +
							      (rand() % 50 == 0 ? 40000 : 0));

		t += tick_ns * (uint64_t)(50 + rand() % 100);
		mid += (rand() % 3 - 1) * 500000000;
		m.top = (struct tt_msg_book_top){
		    .h = {.kind = TT_MSG_BOOK_TOP, .instr = 1, .seq = (uint64_t)i + 1, .t_rx = t},
		    .bid_px = mid - spread / 2,
		    .bid_qty = 200000000,
		    .ask_px = mid + spread / 2,
		    .ask_qty = 300000000};
		if (tt_an_ingest_msg(a, &m) < 0)
			return -1;
		if (i % 5 == 0) {
			int side = rand() % 2;
			int64_t px = side == TT_SIDE_BUY ? mid - spread / 2 : mid + spread / 2;
			int64_t qty = 10000000 * (1 + rand() % 5);

			memset(&m, 0, sizeof(m));
			m.order = (struct tt_msg_order){.h = {.kind = TT_MSG_ORDER,
							      .instr = 1,
							      .seq = seq++,
							      .t_rx = t,
							      .flags = t2t},
							.cl_ord_id = (uint64_t)i,
							.px = px,
							.qty = qty,
							.side = (uint8_t)side,
							.t_md_pub_d = t2t / 5,
							.t_strat_rx_d = t2t / 3,
							.t_decided_d = t2t / 2};
			if (tt_an_ingest_msg(a, &m) < 0)
				return -1;
			if (rand() % 3) {
				memset(&m, 0, sizeof(m));
				m.exec = (struct tt_msg_exec){.h = {.kind = TT_MSG_EXEC,
								    .instr = 1,
								    .seq = seq++,
								    .t_rx = t + tick_ns * 3},
							      .cl_ord_id = (uint64_t)i,
							      .last_px = px,
							      .last_qty = qty,
							      .cum_qty = qty,
							      .exec_type = TT_EXEC_TRADE,
							      .side = (uint8_t)side};
				if (tt_an_ingest_msg(a, &m) < 0)
					return -1;
			}
		}
		if (i % 500 == 499 && tt_an_commit(a))
			return -1;
	}
	return tt_an_commit(a);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, 0, 'd'},	      {"md-ring", required_argument, 0, 'm'},
	    {"oe-ring", required_argument, 0, 'o'},   {"clock-shm", required_argument, 0, 'c'},
	    {"fee-ppm", required_argument, 0, 'f'},   {"px-scale", required_argument, 0, 'P'},
	    {"qty-scale", required_argument, 0, 'Q'}, {"sample-ms", required_argument, 0, 'S'},
	    {"since", required_argument, 0, 's'},     {"out", required_argument, 0, 'O'},
	    {"format", required_argument, 0, 'F'},    {"n", required_argument, 0, 'n'},
	    {"seed", required_argument, 0, 'r'},      {"scales", required_argument, 0, 'x'},
	    {0, 0, 0, 0}};
	struct tt_an_cfg cfg = {0};
	const char *cmd, *md = NULL, *oe = NULL, *clock_shm = NULL, *out = NULL;
	enum tt_an_fmt fmt = TT_AN_HTML;
	int64_t since = 0;
	long long v, n = 5000, seed = 1;
	int c, rc;

	tt_log_init("tt-analytics");
	if (argc < 2)
		return usage("missing command");
	cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "report") && strcmp(cmd, "synth"))
		return usage("unknown command");
	argc--;
	argv++;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.db_path = optarg;
			break;
		case 'm':
			md = optarg;
			break;
		case 'o':
			oe = optarg;
			break;
		case 'c':
			clock_shm = optarg;
			break;
		case 'f':
			if (num(optarg, 0, 1000000, &v))
				return usage("--fee-ppm wants 0..1000000");
			cfg.fee_ppm = v;
			break;
		case 'P':
		case 'Q':
			if (num(optarg, 0, 18, &v))
				return usage("--px-scale/--qty-scale want 0..18");
			if (c == 'P')
				cfg.px_scale = (unsigned)v;
			else
				cfg.qty_scale = (unsigned)v;
			break;
		case 'x':
			if (parse_scales(optarg, &cfg))
				return usage("--scales wants ID:PX:QTY[,ID:PX:QTY...], ID < 256, scales 0..18");
			break;
		case 'S':
			if (num(optarg, 1, 3600000, &v))
				return usage("--sample-ms wants 1..3600000");
			cfg.sample_ms = (unsigned)v;
			break;
		case 's':
			if (parse_since(optarg, &since))
				return usage(
				    "--since wants 2026-11-23, 2026-11-23T20:00:00Z or 30m/2h/7d");
			break;
		case 'O':
			out = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "html"))
				fmt = TT_AN_HTML;
			else if (!strcmp(optarg, "md"))
				fmt = TT_AN_MD;
			else if (!strcmp(optarg, "json"))
				fmt = TT_AN_JSON;
			else
				return usage("--format wants html, md or json");
			break;
		case 'n':
			if (num(optarg, 1, 10000000, &n))
				return usage("--n wants 1..10000000");
			break;
		case 'r':
			if (num(optarg, 0, 1 << 30, &seed))
				return usage("--seed wants a number");
			break;
		default:
			return usage("unknown option or missing value");
		}
	}
	if (optind < argc)
		return usage("unexpected argument");
	if (!cfg.db_path)
		return usage("--db is required");
	if (clock_shm ? tt_clock_init(clock_shm, false) : tt_clock_init_local()) {
		tt_log_err(TT_LOG_ERROR, "clock_attach_failed");
		return 1;
	}
	if (tt_an_open(&an, &cfg)) {
		tt_log_err(TT_LOG_ERROR, "analytics_open_failed");
		return 1;
	}
	if (!strcmp(cmd, "synth")) {
		rc = synth(&an, n, (unsigned)seed);
	} else if (!strcmp(cmd, "report")) {
		FILE *f = out ? fopen(out, "w") : stdout;

		if (!f) {
			fprintf(stderr, "tt-analytics: cannot write %s\n", out);
			tt_an_close(&an);
			return 1;
		}
		rc = tt_an_report(&an, since, fmt, f);
		if (out)
			fclose(f);
	} else {
		struct tt_ring rm = {0}, ro = {0};
		struct timespec nap = {.tv_nsec = 10000000};

		if (!md || !oe) {
			tt_an_close(&an);
			return usage("run needs --md-ring and --oe-ring");
		}
		if (attach_side(&rm, md) || attach_side(&ro, oe)) {
			tt_log_err(TT_LOG_ERROR, "analytics_ring_attach_failed");
			tt_ring_detach(&rm);
			tt_an_close(&an);
			return 1;
		}
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		rc = 0;
		while (!stop_flag && rc >= 0) {
			int a1 = tt_an_ingest_ring(&an, &ro, 4096);
			int a2 = a1 < 0 ? a1 : tt_an_ingest_ring(&an, &rm, 4096);

			rc = a2 < 0 ? a2 : 0;
			tt_ring_heartbeat(&rm);
			tt_ring_heartbeat(&ro);
			if (a1 == 0 && a2 == 0)
				nanosleep(&nap, NULL);
		}
		tt_ring_detach(&rm);
		tt_ring_detach(&ro);
	}
	if (rc)
		tt_log_err(TT_LOG_ERROR, "analytics_failed");
	tt_log(TT_LOG_INFO, "analytics_done", TT_LU("rows", an.rows), TT_LU("dups", an.dups),
	       TT_LU("bad", an.bad));
	tt_an_close(&an);
	return rc ? 1 : 0;
}
