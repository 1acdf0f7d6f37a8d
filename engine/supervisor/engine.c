/*
 * engine.c — tt-engine, the supervisor (DESIGN §1): reads the config, publishes the shared
 * TSC calibration, creates every ring, starts tt-md, tt-oe (when built and configured)
 * and tt-strat pinned to their cores, watches them (exit, and hung = heartbeat in the ring
 * headers older than 2 s; tt-oe runs when the config has [oe]), restarts them per policy (tt-md and tt-strat freely; tt-oe
 * through its own journal recovery), and stops them in order on SIGTERM/SIGINT:
 * tt-strat first (no new intents), then tt-oe (cancels open orders, flushes its journal),
 * then tt-md. Repeated crashes of a child: kill switch (SIGUSR1 to tt-oe) and stop.
 *
 * A control socket (run/<instance>/engine.sock) answers `status` with one JSON line:
 * processes (pid, state, core, restarts) and rings (fill, capacity, counters, drops);
 * `tt-engine status` prints it as a table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tt_clock.h"
#include "tt_config.h"
#include "tt_cred.h"
#include "tt_denied.h"
#include "tt_err.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_metrics.h"
#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_stats.h"
#include "tt_sup.h"

int tt_engine_main(int argc, char **argv);

#define ENG_POLL_NS 20000000ull		/* supervision period */
#define ENG_HUNG_NS 2000000000ull	/* heartbeat age that counts as hung */
#define ENG_GRACE_NS 3000000000ull	/* SIGTERM → SIGKILL per child */

enum { CH_MD, CH_OE, CH_STRAT, CH_N };

static struct {
	struct tt_config cfg;
	const char *cfg_path;
	char run_dir[PATH_MAX];
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int sock;
	struct tt_sup sup;
	int child_of[CH_N];		/* sup index of each role, -1 = not run */
	struct tt_ring rings[TT_CFG_RINGS_MAX];	/* attached read-only views for stats */
	bool ring_ok[TT_CFG_RINGS_MAX];
	struct tt_metrics metrics;		/* /metrics: what the supervisor sees */
	struct tt_metric m_fill[TT_CFG_RINGS_MAX], m_drop[TT_CFG_RINGS_MAX];
	struct tt_metric m_restarts[TT_SUP_MAX_CHILDREN], m_denied;
	struct tt_metrics_srv msrv;
	const struct tt_stats *stats[CH_N];	/* children's stats blocks (scraper thread only) */
} E;

static const char *const stats_proc[CH_N] = { "tt-md", "tt-oe", "tt-strat" };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The ring header whose heartbeat stands for a child: tt-md produces md.strat, tt-strat
 * consumes it, tt-oe consumes strat.oe. */
static uint64_t heartbeat_of(void *arg, int sup_index)
{
	struct tt_ring_stats st;
	const char *ring = NULL;
	bool producer = false;

	(void)arg;
	if (sup_index == E.child_of[CH_MD]) {
		ring = "md.strat";
		producer = true;
	} else if (sup_index == E.child_of[CH_STRAT]) {
		ring = "md.strat";
	} else if (sup_index == E.child_of[CH_OE]) {
		ring = "strat.oe";
	}
	for (uint32_t i = 0; ring && i < E.cfg.n_rings; i++)
		if (E.ring_ok[i] && !strcmp(E.cfg.rings[i].name, ring)) {
			tt_ring_stats(&E.rings[i], &st);
			return producer ? st.producer_hb_ns : st.consumer_hb_ns;
		}
	return 0;
}

static void on_event(void *arg, const struct tt_sup_child *c, enum tt_sup_event ev)
{
	static const char *const names[] = { "child_started", "child_exited", "child_hung",
					     "child_failed", "child_stopped" };

	(void)arg;
	tt_log(ev == TT_SUP_EV_STARTED || ev == TT_SUP_EV_STOPPED ? TT_LOG_INFO : TT_LOG_WARN,
	       names[ev], TT_LS("process", c->cfg.name), TT_LI("pid", c->pid),
	       TT_LI("core", c->cfg.core), TT_LU("restarts", c->restarts),
	       TT_LI("status", c->last_status));
}

/* Finds a sibling binary: $TT_BIN_DIR/NAME, else the build tree layout next to us. */
static int find_bin(const char *name, const char *folder, char *out, size_t cap)
{
	char self[PATH_MAX], *slash;
	const char *dir = getenv("TT_BIN_DIR");
	ssize_t n;

	if (dir) {
		snprintf(out, cap, "%s/%s", dir, name);
		return access(out, X_OK) == 0 ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -errno;
	self[n] = 0;
	slash = strrchr(self, '/'); /* .../engine/supervisor/tt-engine */
	if (slash)
		*slash = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	if (snprintf(out, cap, "%s/%s/%s", self, folder, name) >= (int)cap)
		return -ENAMETOOLONG;
	return access(out, X_OK) == 0 ? 0 : -ENOENT;
}

/* Where a child's stderr (its JSON log lines) goes: a pipe into `tt-logwriter --pipe
 * NAME`, which files them under logs/<env>/<process>/<date>.jsonl. The writer is added
 * before the child, so tt_sup_stop_all (reverse order) stops it after the child. The
 * engine keeps both pipe ends open: either side can be restarted. -1 when tt-logwriter is
 * not built (lines then go to the engine's stderr). */
static int log_pipe_for(const char *proc)
{
	struct tt_sup_child_cfg w;
	int fds[2];

	memset(&w, 0, sizeof(w));
	w.stderr_fd = -1;
	snprintf(w.name, sizeof(w.name), "tt-logwriter");
	if (find_bin("tt-logwriter", "harness/logs", w.path, sizeof(w.path)) != 0)
		return -1;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	snprintf(w.args[0], sizeof(w.args[0]), "--pipe");
	snprintf(w.args[1], sizeof(w.args[1]), "%s", proc);
	snprintf(w.args[2], sizeof(w.args[2]), "--root");
	snprintf(w.args[3], sizeof(w.args[3]), "%.120s", E.cfg.engine.log_dir);
	snprintf(w.args[4], sizeof(w.args[4]), "--env");
	snprintf(w.args[5], sizeof(w.args[5]), "%s", TT_FLAVOR_NAME);
	w.stdin_fd = fds[0];
	w.core = -1;
	w.restart = TT_RESTART_ALWAYS;
	w.max_restarts = 5;
	w.restart_window_ns = 60ull * 1000000000ull;
	if (tt_sup_add(&E.sup, &w) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return fds[1];
}

static int add_child(int role, const char *name, const char *folder,
		     const struct tt_cfg_cores *cores, uint32_t restart, bool required)
{
	struct tt_sup_child_cfg c;
	int i;

	memset(&c, 0, sizeof(c));
	c.stdin_fd = -1;
	c.stderr_fd = log_pipe_for(name);
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (find_bin(name, folder, c.path, sizeof(c.path)) != 0) {
		if (required)
			return tt_err_set(-ENOENT, "%s: binary not found (set TT_BIN_DIR)", name);
		tt_log(TT_LOG_WARN, "engine_child_skipped", TT_LS("process", name),
		       TT_LS("why", "binary not built"));
		return 0;
	}
	snprintf(c.args[0], sizeof(c.args[0]), "--config");
	snprintf(c.args[1], sizeof(c.args[1]), "%s", E.cfg_path);
	c.core = cores->n && (long)cores->id[0] < sysconf(_SC_NPROCESSORS_ONLN) ? cores->id[0] : -1;
	c.restart = restart;
	c.max_restarts = 5;
	c.restart_window_ns = 60ull * 1000000000ull;
	c.hung_ns = ENG_HUNG_NS;
	i = tt_sup_add(&E.sup, &c);
	if (i < 0)
		return i;
	E.child_of[role] = i;
	return 0;
}

/* The hot-path log records (tt_logh) the children write into their log rings
 * ("<instance>.log.<proc>", tt_logring.h) become JSON lines in the same tree as the piped
 * cold-path lines: one `tt-logwriter --instance` drains every ring of this instance. Added
 * first, so it stops last and its final drain takes what the children left. */
static void add_ring_writer(void)
{
	struct tt_sup_child_cfg w;
	int k = 0;

	memset(&w, 0, sizeof(w));
	w.stdin_fd = -1;
	w.stderr_fd = -1;
	snprintf(w.name, sizeof(w.name), "tt-logwriter");
	if (find_bin("tt-logwriter", "harness/logs", w.path, sizeof(w.path)) != 0) {
		tt_log(TT_LOG_WARN, "engine_child_skipped", TT_LS("process", "tt-logwriter"),
		       TT_LS("why", "binary not built"));
		return;
	}
	snprintf(w.args[k++], sizeof(w.args[0]), "--instance");
	snprintf(w.args[k++], sizeof(w.args[0]), "%s", E.cfg.engine.instance);
	snprintf(w.args[k++], sizeof(w.args[0]), "--root");
	snprintf(w.args[k++], sizeof(w.args[0]), "%.120s", E.cfg.engine.log_dir);
	snprintf(w.args[k++], sizeof(w.args[0]), "--env");
	snprintf(w.args[k++], sizeof(w.args[0]), "%s", TT_FLAVOR_NAME);
	snprintf(w.args[k++], sizeof(w.args[0]), "--clock-shm");
	snprintf(w.args[k++], sizeof(w.args[0]), "%s", E.cfg.engine.clock_shm);
	w.core = -1;
	w.restart = TT_RESTART_ALWAYS;
	w.max_restarts = 5;
	w.restart_window_ns = 60ull * 1000000000ull;
	if (tt_sup_add(&E.sup, &w) < 0)
		tt_log_err(TT_LOG_WARN, "engine_child_skipped", TT_LS("process", "tt-logwriter"));
}

/* The children's log rings, after the writer's final drain (stop_all): a new run of this
 * instance starts with empty rings. */
static void unlink_log_rings(void)
{
	char name[TT_RING_NAME_MAX];

	for (int i = 0; i < CH_N; i++)
		if (tt_logring_name(name, sizeof(name), E.cfg.engine.instance, stats_proc[i], 0) == 0)
			(void)tt_ring_unlink(name);
}

/* tt-analytics reads the lossy side rings md.analytics and oe.analytics into SQLite
 * (run/<instance>/analytics.db); `tt-analytics report` renders it. Added before the trading
 * processes so it stops after them and takes what they left on the rings. */
static void add_analytics(void)
{
	const struct tt_cfg_ring *md = tt_config_ring(&E.cfg, "md.analytics");
	const struct tt_cfg_ring *oe = tt_config_ring(&E.cfg, "oe.analytics");
	struct tt_sup_child_cfg c;
	int k = 0;

	if (!md || !oe)
		return;
	memset(&c, 0, sizeof(c));
	c.stdin_fd = -1;
	c.stderr_fd = log_pipe_for("tt-analytics");
	snprintf(c.name, sizeof(c.name), "tt-analytics");
	if (find_bin("tt-analytics", "analytics", c.path, sizeof(c.path)) != 0) {
		tt_log(TT_LOG_WARN, "engine_child_skipped", TT_LS("process", "tt-analytics"),
		       TT_LS("why", "binary not built"));
		return;
	}
	snprintf(c.args[k++], sizeof(c.args[0]), "run");
	snprintf(c.args[k++], sizeof(c.args[0]), "--db");
	snprintf(c.args[k++], sizeof(c.args[0]), "%.100s/analytics.db", E.run_dir);
	snprintf(c.args[k++], sizeof(c.args[0]), "--md-ring");
	snprintf(c.args[k++], sizeof(c.args[0]), "%s", md->shm);
	snprintf(c.args[k++], sizeof(c.args[0]), "--oe-ring");
	snprintf(c.args[k++], sizeof(c.args[0]), "%s", oe->shm);
	snprintf(c.args[k++], sizeof(c.args[0]), "--clock-shm");
	snprintf(c.args[k++], sizeof(c.args[0]), "%s", E.cfg.engine.clock_shm);
	if (E.cfg.n_instruments) {
		/* ring values are at each instrument's scales; the store keeps one (8) */
		size_t n = 0;

		snprintf(c.args[k++], sizeof(c.args[0]), "--scales");
		c.args[k][0] = '\0';
		for (uint32_t i = 0; i < E.cfg.n_instruments; i++) {
			const struct tt_cfg_instrument *in = &E.cfg.instruments[i];
			int w = snprintf(c.args[k] + n, sizeof(c.args[0]) - n, "%s%u:%u:%u",
					 i ? "," : "", in->id, in->price_scale, in->qty_scale);

			if (w < 0 || (size_t)w >= sizeof(c.args[0]) - n)
				break;
			n += (size_t)w;
		}
		k++;
	}
	c.core = -1;
	c.restart = TT_RESTART_ALWAYS;
	c.max_restarts = 5;
	c.restart_window_ns = 60ull * 1000000000ull;
	if (tt_sup_add(&E.sup, &c) < 0)
		tt_log_err(TT_LOG_WARN, "engine_child_skipped", TT_LS("process", "tt-analytics"));
}

static int create_rings(void)
{
	for (uint32_t i = 0; i < E.cfg.n_rings; i++) {
		const struct tt_cfg_ring *rc = &E.cfg.rings[i];
		struct tt_ring_params p = { .slot_size = rc->slot_size, .capacity = rc->capacity,
					    .mode = rc->mode, .msg_version = TT_MSG_LAYOUT_VERSION };

		if (tt_ring_create(rc->shm, &p) != 0)
			return tt_err_add("ring %s", rc->name);
	}
	return 0;
}

/* Maps each ring read-only-in-spirit for status and heartbeats: we hold no role (a role
 * attach would take the claim the children need), so map the header directly. */
static void map_rings(void)
{
	for (uint32_t i = 0; i < E.cfg.n_rings; i++) {
		const struct tt_cfg_ring *rc = &E.cfg.rings[i];
		char path[128];
		int fd;
		size_t len = sizeof(struct tt_ring_hdr);
		void *h;

		snprintf(path, sizeof(path), "/%s", rc->shm);
		fd = shm_open(path, O_RDWR, 0);
		if (fd < 0)
			continue;
		h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (h == MAP_FAILED)
			continue;
		memset(&E.rings[i], 0, sizeof(E.rings[i]));
		E.rings[i].hdr = h;
		E.rings[i].map_len = len;
		E.ring_ok[i] = true;
	}
}

/* ---- metrics ----------------------------------------------------------------------------- */

static int64_t read_fill(void *arg)
{
	struct tt_ring_stats st;

	tt_ring_stats(arg, &st);
	return (int64_t)(st.head - st.tail);
}

static int64_t read_dropped(void *arg)
{
	struct tt_ring_stats st;

	tt_ring_stats(arg, &st);
	return (int64_t)st.dropped;
}

static int64_t read_restarts(void *arg)
{
	return ((const struct tt_sup_child *)arg)->restarts;
}

static int64_t read_denied(void *arg)
{
	(void)arg;
	return (int64_t)tt_denied_count();
}

/* The trading series: each child's stats block (tt_stats.h), mapped the first time it is
 * there and initialised (children create their own), formatted on every scrape. A
 * restarted child re-attaches the same block, so the mapping stays valid. */
static int stats_extra(FILE *out, void *arg)
{
	(void)arg;
	for (int i = 0; i < CH_N; i++)
		if (!E.stats[i] && E.child_of[i] >= 0 &&
		    tt_stats_map(E.cfg.engine.instance, stats_proc[i], &E.stats[i]) != 0)
			E.stats[i] = NULL;
	return tt_stats_expose(out, E.stats, CH_N);
}

/* A new engine run counts from zero: blocks a previous run left go (views stay valid). */
static void stats_unlink_all(void)
{
	for (int i = 0; i < CH_N; i++)
		(void)tt_stats_unlink(E.cfg.engine.instance, stats_proc[i]);
}

/* Prometheus text on 127.0.0.1:$TT_METRICS_PORT (0 / unset: a free port, logged): ring
 * fill and drops from the ring headers, restarts per child, denied events, and the
 * trading series (messages, resyncs, orders, fills, rejects, t2t) the children count into
 * their stats blocks. */
static void start_metrics(void)
{
	const char *env = getenv("TT_METRICS_PORT");
	int rc = 0;

	tt_metrics_init(&E.metrics);
	for (uint32_t i = 0; i < E.cfg.n_rings && !rc; i++) {
		if (!E.ring_ok[i])
			continue;
		rc = tt_metric_gauge(&E.metrics, &E.m_fill[i], "tt_ring_fill",
				     "messages waiting in the ring", "ring", E.cfg.rings[i].name, 0) ||
		     tt_metric_counter(&E.metrics, &E.m_drop[i], "tt_ring_dropped_total",
				       "messages dropped by a lossy ring", "ring", E.cfg.rings[i].name);
		tt_metric_set_reader(&E.m_fill[i], read_fill, &E.rings[i]);
		tt_metric_set_reader(&E.m_drop[i], read_dropped, &E.rings[i]);
	}
	for (int i = 0; i < E.sup.n && !rc; i++) {
		static char label[TT_SUP_MAX_CHILDREN][64];
		const struct tt_sup_child_cfg *cc = &E.sup.child[i].cfg;

		/* the log writers share a name: label them by the process they write for */
		if (!strcmp(cc->name, "tt-logwriter"))
			snprintf(label[i], sizeof(label[i]), "tt-logwriter/%.40s", cc->args[1]);
		else
			snprintf(label[i], sizeof(label[i]), "%s", cc->name);
		rc = tt_metric_counter(&E.metrics, &E.m_restarts[i], "tt_child_restarts_total",
				       "restarts of a supervised process", "process", label[i]);
		tt_metric_set_reader(&E.m_restarts[i], read_restarts, &E.sup.child[i]);
	}
	if (!rc)
		rc = tt_metric_counter(&E.metrics, &E.m_denied, "tt_denied_total",
				       "refusals (denied events) in tt-engine", NULL, NULL);
	tt_metric_set_reader(&E.m_denied, read_denied, NULL);
	tt_metrics_set_extra(&E.metrics, stats_extra, NULL);
	if (rc || tt_metrics_serve_start(&E.msrv, &E.metrics, "127.0.0.1",
					 (uint16_t)(env ? atoi(env) : 0)) != 0) {
		tt_log_err(TT_LOG_WARN, "engine_metrics_unavailable");
		return;
	}
	tt_log(TT_LOG_INFO, "engine_metrics", TT_LS("url", "http://127.0.0.1/metrics"),
	       TT_LU("port", tt_metrics_serve_port(&E.msrv)));
}

/* ---- control socket --------------------------------------------------------------------- */

static int status_json(char *buf, size_t cap)
{
	size_t n = 0;

	n += (size_t)snprintf(buf + n, cap - n, "{\"instance\":\"%s\",\"flavor\":\"%s\",\"processes\":[",
			      E.cfg.engine.instance, TT_FLAVOR_NAME);
	for (int i = 0; i < E.sup.n && n < cap; i++) {
		const struct tt_sup_child *c = &E.sup.child[i];

		n += (size_t)snprintf(buf + n, cap - n,
				      "%s{\"name\":\"%s\",\"pid\":%d,\"state\":\"%s\",\"core\":%d,\"restarts\":%u}",
				      i ? "," : "", c->cfg.name, (int)c->pid,
				      tt_sup_state_name((enum tt_sup_state)c->state), c->cfg.core, c->restarts);
	}
	n += (size_t)snprintf(buf + n, cap - n, "],\"rings\":[");
	for (uint32_t i = 0, k = 0; i < E.cfg.n_rings && n < cap; i++) {
		struct tt_ring_stats st;

		if (!E.ring_ok[i])
			continue;
		tt_ring_stats(&E.rings[i], &st);
		n += (size_t)snprintf(buf + n, cap - n,
				      "%s{\"name\":\"%s\",\"mode\":\"%s\",\"fill\":%llu,\"capacity\":%llu,"
				      "\"pushed\":%llu,\"popped\":%llu,\"full\":%llu,\"dropped\":%llu}",
				      k++ ? "," : "", E.cfg.rings[i].name,
				      E.cfg.rings[i].mode == TT_CFG_RING_LOSSY ? "lossy" : "lossless",
				      (unsigned long long)(st.head - st.tail),
				      (unsigned long long)E.cfg.rings[i].capacity,
				      (unsigned long long)st.pushed, (unsigned long long)st.popped,
				      (unsigned long long)st.full, (unsigned long long)st.dropped);
	}
	n += (size_t)snprintf(buf + n, cap - n, "]}\n");
	return n < cap ? (int)n : -ENOSPC;
}

static int open_socket(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(E.sock_path) >= sizeof(a.sun_path))
		return tt_err_set(-ENAMETOOLONG, "control socket path too long");
	strcpy(a.sun_path, E.sock_path);
	unlink(E.sock_path);
	E.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (E.sock < 0 || bind(E.sock, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(E.sock, 8) != 0)
		return tt_err_set(-errno, "control socket %s: %s", E.sock_path, strerror(errno));
	return 0;
}

static void serve_socket(void)
{
	char req[64], out[16384];
	int fd;

	while ((fd = accept4(E.sock, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		ssize_t r = read(fd, req, sizeof(req) - 1); /* one short line; the client waits */
		int n;

		req[r > 0 ? r : 0] = 0;
		if (!strncmp(req, "status", 6) && (n = status_json(out, sizeof(out))) > 0)
			(void)!write(fd, out, (size_t)n);
		else
			(void)!write(fd, "{\"error\":\"unknown command; try status\"}\n", 41);
		close(fd);
	}
}

/* tt-engine status: ask the running engine and print a table. */
static int client_status(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[16384];
	ssize_t n, off = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", E.sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "tt-engine status: no engine answers on %s: %s\n", E.sock_path,
			strerror(errno));
		return 1;
	}
	(void)!write(fd, "status\n", 7);
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - (size_t)off)) > 0)
		off += n;
	close(fd);
	buf[off] = 0;
	fputs(buf, stdout);
	return off > 0 ? 0 : 1;
}

/* ---- main -------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: tt-engine [--config FILE] [--run-for SECONDS] [--no-oe]\n"
		   "       tt-engine status [--config FILE]\n");
}

int tt_engine_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "run-for", required_argument, NULL, 't' },
		{ "no-oe", no_argument, NULL, 'n' },	    { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool status = false, no_oe = false;
	double run_for = 0;
	uint64_t end = 0;
	int c, rc = 0;

	E.cfg_path = "config/testnet.ini";
	E.sock = -1;
	E.msrv.fd = -1;
	if (argc > 1 && !strcmp(argv[1], "status")) {
		status = true;
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': E.cfg_path = optarg; break;
		case 'n': no_oe = true; break;
		case 't': {
			char *endp;

			run_for = strtod(optarg, &endp);
			if (*endp || run_for <= 0) {
				fprintf(stderr, "tt-engine: --run-for: expected seconds > 0, found \"%s\"\n", optarg);
				return 2;
			}
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	tt_log_init("tt-engine");
	if (tt_config_load(&E.cfg, E.cfg_path) != 0) {
		fprintf(stderr, "tt-engine: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_flavor_start(&E.cfg) != 0) { /* prod: host whitelist (denied event emitted) */
		fprintf(stderr, "tt-engine: %s\n", tt_err_msg());
		return 1;
	}
	snprintf(E.run_dir, sizeof(E.run_dir), "run/%s", E.cfg.engine.instance);
	if (snprintf(E.sock_path, sizeof(E.sock_path), "%s/engine.sock", E.run_dir) >=
	    (int)sizeof(E.sock_path)) {
		fprintf(stderr, "tt-engine: run/%s/engine.sock: path too long for a unix socket\n",
			E.cfg.engine.instance);
		return 1;
	}
	if (status)
		return client_status();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	mkdir("run", 0755);
	mkdir(E.run_dir, 0755);
	for (int i = 0; i < CH_N; i++)
		E.child_of[i] = -1;
	tt_sup_init(&E.sup);
	E.sup.on_event = on_event;
	E.sup.heartbeat_ns = heartbeat_of;
	/* Order matters for stop_all (reverse): strat stops first, then oe, then md. */
	if (tt_clock_init(E.cfg.engine.clock_shm, true) != 0)
		tt_log_err(TT_LOG_WARN, "clock_shared_unavailable");
	if ((rc = create_rings()) || (rc = open_socket()))
		goto start_failed;
	add_ring_writer();
	add_analytics();
	if ((rc = add_child(CH_MD, "tt-md", "marketdata", &E.cfg.md.core, TT_RESTART_ALWAYS, true)) ||
	    (!no_oe && E.cfg.oe.present &&
	     (rc = add_child(CH_OE, "tt-oe", "orderentry", &E.cfg.oe.core, TT_RESTART_RECOVER, true))) ||
	    (rc = add_child(CH_STRAT, "tt-strat", "strategy", &E.cfg.strat.core, TT_RESTART_ALWAYS,
			    true))) {
start_failed:
		tt_log_err(TT_LOG_ERROR, "engine_start_failed");
		fprintf(stderr, "tt-engine: %s\n", tt_err_msg());
		return 1;
	}
	map_rings();
	stats_unlink_all();
	start_metrics();
	if ((rc = tt_sup_start_all(&E.sup)) != 0) {
		tt_log_err(TT_LOG_ERROR, "engine_start_failed");
		tt_sup_stop_all(&E.sup, ENG_GRACE_NS);
		return 1;
	}
	tt_log(TT_LOG_INFO, "engine_started", TT_LS("config", E.cfg_path),
	       TT_LS("socket", E.sock_path), TT_LI("children", E.sup.n));
	if (run_for > 0)
		end = tt_sup_now_ns() + (uint64_t)(run_for * 1e9);
	while (!stop) {
		struct timespec ts = { 0, ENG_POLL_NS };
		uint64_t now = tt_sup_now_ns();

		tt_sup_poll(&E.sup, now);
		serve_socket();
		if (E.sup.failed) {
			/* a child keeps crashing: kill switch first, then everything stops */
			tt_log(TT_LOG_ERROR, "engine_kill_switch", TT_LS("why", "repeated child crashes"));
			if (E.child_of[CH_OE] >= 0 && E.sup.child[E.child_of[CH_OE]].pid > 0)
				kill(E.sup.child[E.child_of[CH_OE]].pid, SIGUSR1);
			rc = 1;
			break;
		}
		if (end && now >= end)
			break;
		nanosleep(&ts, NULL);
	}
	tt_log(TT_LOG_INFO, "engine_stopping", TT_LB("failed", E.sup.failed));
	tt_sup_stop_all(&E.sup, ENG_GRACE_NS);
	tt_metrics_serve_stop(&E.msrv);
	stats_unlink_all();
	unlink_log_rings();
	close(E.sock);
	unlink(E.sock_path);
	tt_log(TT_LOG_INFO, "engine_stopped", TT_LI("rc", rc));
	return rc;
}
