/*
 * main.c — the tt-oe process: config, credentials, rings, the TLS WebSocket to the
 * venue's WS API, signals, the kill file and the control socket, around the engine in
 * tt_oe.h. Everything runs on one thread: the loop reaps socket completions
 * (tt_loop_run_once with a short timeout), then tt_oe_poll drains the intent ring.
 *
 *   tt-oe -c config/testnet.ini [--journal PATH] [--hmac]
 *
 * Kill switch: SIGUSR1, the [oe] kill_file existing (polled every 100 ms) or "kill" on
 * the control socket: new orders are blocked and every open order is cancelled
 * (openOrders.cancelAll). "status" answers one JSON line; "cancel-all" cancels without
 * blocking; "resume" lifts a socket/signal kill. SIGTERM/SIGINT: clean exit, the stage
 * latency table printed to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tt_clock.h"
#include "tt_config.h"
#include "tt_cred.h"
#include "tt_err.h"
#include "tt_https.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_proc.h"
#include "tt_loop.h"
#include "tt_oe.h"
#include "tt_ring.h"
#include "tt_sign.h"
#include "tt_stats.h"
#include "tt_tls.h"
#include "tt_wsconn.h"

#define RX_CAP (256 * 1024)

static struct tt_oe g_oe;		/* large: static storage */
static struct tt_config g_cfg;
static struct tt_loop g_loop;
static struct tt_tls_ctx g_tls;
static struct tt_wsconn g_ws;
static uint8_t g_rx[RX_CAP + TT_WS_MAX_HEADER];
static uint8_t g_frag[RX_CAP];
static volatile sig_atomic_t g_stop, g_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_usr1 = 1;
	else
		g_stop = 1;
}

static int ws_send(void *ctx, const char *p, size_t n)
{
	int rc = tt_wsconn_send(ctx, p, n, false);

	if (rc < 0)
		return rc;
	/* hand the bytes to the kernel now: this is the stamp tick-to-trade ends at */
	rc = tt_loop_submit(&g_loop);
	return rc < 0 ? rc : 0;
}

static void ws_open(struct tt_wsconn *w)
{
	(void)w;
	tt_oe_on_connected(&g_oe);
}

static void ws_msg(struct tt_wsconn *w, const uint8_t *p, size_t n, bool binary, uint64_t t_rx)
{
	(void)w;
	if (binary) {
		tt_log(TT_LOG_WARN, "oe_binary_frame_ignored", TT_LU("len", n));
		return;
	}
	/* the loop stamps in CLOCK_MONOTONIC ns; exec reports carry ticks like every t_rx */
	(void)tt_oe_on_frame(&g_oe, (const char *)p, n, tt_clock_from_ns((int64_t)t_rx));
}

static void ws_down(struct tt_wsconn *w, int reason, uint16_t code)
{
	(void)w;
	tt_log(TT_LOG_WARN, "oe_ws_down", TT_LI("reason", reason), TT_LU("close_code", code));
	tt_oe_on_disconnected(&g_oe);
}

static const struct tt_wsconn_ops ws_ops = { ws_open, ws_msg, ws_down };

static int read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return tt_err_set(-errno, "open %s", path);
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return tt_err_set(-errno, "read %s", path);
	buf[n] = 0;
	*len = (size_t)n;
	return 0;
}

static struct tt_ring *attach(struct tt_ring *r, const char *edge, enum tt_ring_role role,
			      bool required)
{
	const struct tt_cfg_ring *c = tt_config_ring(&g_cfg, edge);
	struct tt_ring_params p;
	int rc;

	if (!c) {
		if (required)
			tt_log(TT_LOG_ERROR, "oe_ring_not_configured", TT_LS("ring", edge));
		return NULL;
	}
	p.slot_size = c->slot_size;
	p.capacity = c->capacity;
	p.mode = c->mode;
	p.msg_version = TT_MSG_LAYOUT_VERSION;
	rc = tt_ring_attach(r, c->shm, role, &p, (enum tt_ring_wait)c->wait);
	if (rc < 0) {
		tt_log_err(required ? TT_LOG_ERROR : TT_LOG_WARN, "oe_ring_attach_failed",
			   TT_LS("ring", edge), TT_LS("shm", c->shm));
		return NULL;
	}
	return r;
}

/* The intent ring's wake word, waited on inside the io_uring loop (see main). */
static struct tt_loop_op g_ring_wake;
static bool g_ring_wait_armed;

static void on_ring_wake(struct tt_loop_op *op, int res, uint64_t t_reap)
{
	(void)op;
	(void)res; /* 0 woken, -EAGAIN the word had already changed: either way, look */
	(void)t_reap;
	g_ring_wait_armed = false;
}

/* Control socket: one command per connection, one line answered. */
static int ctl_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path[0])
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		tt_log(TT_LOG_ERROR, "oe_control_path_too_long", TT_LS("path", path));
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		tt_log(TT_LOG_ERROR, "oe_control_socket_failed", TT_LS("path", path),
		       TT_LI("errno", errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void ctl_poll(int lfd, bool *sock_kill)
{
	char cmd[64], out[512];
	int fd, n = 0;
	ssize_t r;

	if (lfd < 0 || (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return;
	/* the client writes its command at once; a short blocking read with a timeout */
	{
		struct timeval tv = { 0, 200000 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	r = read(fd, cmd, sizeof(cmd) - 1);
	if (r <= 0) {
		close(fd);
		return;
	}
	cmd[r] = 0;
	cmd[strcspn(cmd, "\r\n ")] = 0;
	if (strcmp(cmd, "kill") == 0) {
		*sock_kill = true;
		tt_oe_kill(&g_oe, true);
		n = snprintf(out, sizeof(out), "{\"ok\":true,\"killed\":true}\n");
	} else if (strcmp(cmd, "resume") == 0) {
		*sock_kill = false;
		tt_oe_kill(&g_oe, false);
		n = snprintf(out, sizeof(out), "{\"ok\":true,\"killed\":false}\n");
	} else if (strcmp(cmd, "cancel-all") == 0) {
		bool k = g_oe.killed;

		tt_oe_kill(&g_oe, true);	/* sends cancelAll per instrument */
		tt_oe_kill(&g_oe, k);
		n = snprintf(out, sizeof(out), "{\"ok\":true,\"cancel_all\":true}\n");
	} else if (strcmp(cmd, "status") == 0) {
		n = snprintf(out, sizeof(out),
			     "{\"ok\":true,\"state\":\"%s\",\"killed\":%s,\"open_orders\":%u,"
			     "\"sent\":%" PRIu64 ",\"fills\":%" PRIu64 ",\"rejects\":%" PRIu64
			     ",\"reconciled\":%" PRIu64 ",\"positions\":{",
			     tt_oe_state_name(g_oe.state), g_oe.killed ? "true" : "false",
			     g_oe.orders.open, g_oe.c.sent, g_oe.c.fills, g_oe.c.rejects,
			     g_oe.c.reconciled);
		for (uint32_t i = 0; i < g_oe.symtab.n && n < (int)sizeof(out) - 64; i++)
			n += snprintf(out + n, sizeof(out) - (size_t)n, "%s\"%s\":%" PRId64,
				      i ? "," : "", g_oe.instr[i].symbol,
				      tt_oe_position(&g_oe, g_oe.instr[i].id));
		n += snprintf(out + n, sizeof(out) - (size_t)n, "}}\n");
	} else {
		n = snprintf(out, sizeof(out), "{\"ok\":false,\"error\":\"unknown command\"}\n");
	}
	if (write(fd, out, (size_t)n) < 0)
		tt_log(TT_LOG_WARN, "oe_control_write_failed", TT_LI("errno", errno));
	close(fd);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* exchangeInfo over tt_https: the venue's current filters replace the config's for the
 * instruments it lists. A filter finer than our scales refuses the start (the config is
 * wrong); an unreachable venue keeps the config's filters (logged). */
static int g_xi_rc = 1;
static struct tt_http_resp g_xi_resp;

static void xi_done(struct tt_https *h, int rc, const struct tt_http_resp *r, uint64_t t_rx)
{
	(void)h;
	(void)t_rx;
	g_xi_rc = rc;
	if (rc == 0)
		g_xi_resp = *r;
}

static int load_exchange_info(struct tt_bn_instr *in, struct tt_oe_filter *f, uint32_t n)
{
	static struct tt_https h;
	static char body[1 << 20];
	static struct tt_oe_filter got[TT_OE_MAX_INSTR];
	struct tt_conn_cfg cc;
	struct tt_bn_symtab t = { in, n };
	struct tt_bn_perr e;
	char target[TT_CFG_PATH_MAX + 32];
	const char *base = g_cfg.binance.rest_url.path;
	int rc;

	memset(&cc, 0, sizeof(cc));
	cc.host = g_cfg.binance.sni[0] ? g_cfg.binance.sni : g_cfg.binance.rest_url.host;
	cc.port = g_cfg.binance.rest_url.port;
	cc.connect_timeout_ms = (uint32_t)(g_cfg.binance.connect_timeout_ns / 1000000);
	snprintf(target, sizeof(target), "%s/v3/exchangeInfo",
		 strcmp(base, "/") == 0 ? "/api" : base);
	if (tt_https_init(&h, &g_loop, &g_tls, &cc, body, sizeof(body) - 1, xi_done, NULL) < 0)
		return 0;
	rc = tt_https_request(&h, "GET", target, NULL, 0, NULL, 0);
	for (int i = 0; rc == 0 && g_xi_rc == 1 && i < 500; i++)
		if (tt_loop_run_once(&g_loop, 10000000) < 0)
			break;
	tt_https_stop(&h);
	for (int i = 0; i < 100 && !tt_conn_is_quiet(&h.conn); i++)
		if (tt_loop_run_once(&g_loop, 10000000) < 0)
			break;
	tt_https_fini(&h);
	if (rc < 0 || g_xi_rc != 0 || g_xi_resp.status != 200) {
		tt_log(TT_LOG_WARN, "oe_exchange_info_unavailable", TT_LS("target", target),
		       TT_LI("rc", rc < 0 ? rc : g_xi_rc), TT_LI("status", g_xi_resp.status));
		return 0;
	}
	memcpy(got, f, sizeof(got[0]) * n);
	rc = tt_bn_decode_exchange_info(body, g_xi_resp.body_len, &t, got, &e);
	if (rc < 0)
		return tt_err_add("exchangeInfo from %s", target);
	for (uint32_t i = 0; i < n; i++) {
		got[i].notional_market = got[i].notional_market || f[i].notional_market;
		tt_log(TT_LOG_INFO, "oe_filters", TT_LS("symbol", in[i].symbol),
		       TT_LI("tick", got[i].tick), TT_LI("step", got[i].step),
		       TT_LI("min_qty", got[i].min_qty), TT_LI("max_qty", got[i].max_qty),
		       TT_LI("min_notional", got[i].min_notional),
		       TT_LI("max_notional", got[i].max_notional),
		       TT_LS("source", memcmp(&got[i], &f[i], sizeof(f[i])) ? "exchangeInfo" : "config"));
		f[i] = got[i];
	}
	return rc;
}

/* Config → engine params. Refuses missing risk limits. */
static int build_params(struct tt_oe_params *p, struct tt_bn_instr *in, struct tt_oe_filter *f)
{
	uint32_t n = 0;

	if (!g_cfg.oe.present || !g_cfg.risk.present)
		return tt_err_set(-TT_ECONFIG, "%s: tt-oe needs the [oe] and [risk] sections",
				  g_cfg.path);
	if (!g_cfg.binance.present)
		return tt_err_set(-TT_ECONFIG, "%s: tt-oe needs [venue.binance] oe_url",
				  g_cfg.path);
	memset(p, 0, sizeof(*p));
	for (uint32_t i = 0; i < g_cfg.n_instruments; i++) {
		const struct tt_cfg_instrument *c = &g_cfg.instruments[i];
		struct tt_risk_limits_instr *l;

		if (c->venue != TT_CFG_VENUE_BINANCE)
			continue;
		if (c->id >= TT_RISK_MAX_INSTR || strlen(c->symbol) >= TT_BN_SYMBOL_MAX)
			return tt_err_set(-TT_ECONFIG, "%s: instrument.%s: id or symbol too large "
					  "for tt-oe", g_cfg.path, c->symbol);
		if (!c->risk_max_qty || !c->risk_max_notional || !c->risk_max_position ||
		    !c->risk_collar_bps)
			return tt_err_set(-TT_ECONFIG, "%s: instrument.%s: risk_max_qty, "
					  "risk_max_notional, risk_max_position and risk_collar_bps "
					  "are required by tt-oe", g_cfg.path, c->symbol);
		memcpy(in[n].symbol, c->symbol, strlen(c->symbol) + 1);	/* length checked above */
		in[n].id = (uint16_t)c->id;
		in[n].px_scale = (uint8_t)c->price_scale;
		in[n].qty_scale = (uint8_t)c->qty_scale;
		memset(&f[n], 0, sizeof(f[n]));
		f[n].tick = c->tick_size;
		f[n].step = c->step_size;
		f[n].min_qty = c->min_qty;
		f[n].max_qty = c->max_qty;
		f[n].min_notional = c->min_notional;
		f[n].max_notional = c->max_notional;
		l = &p->limits.instr[c->id];
		l->enabled = true;
		l->px_scale = (uint8_t)c->price_scale;
		l->qty_scale = (uint8_t)c->qty_scale;
		l->max_qty = c->risk_max_qty;
		l->max_notional = c->risk_max_notional;
		l->collar_bps = (int32_t)c->risk_collar_bps;
		l->max_position = c->risk_max_position;
		n++;
	}
	p->limits.max_gross_notional = g_cfg.risk.max_gross_notional;
	p->limits.max_open_orders = g_cfg.risk.max_open_orders;
	p->limits.orders_per_sec = g_cfg.risk.orders_per_sec;
	p->limits.order_burst = g_cfg.risk.order_burst;
	p->limits.msgs_per_sec = g_cfg.risk.msgs_per_sec;
	p->limits.msg_burst = g_cfg.risk.msg_burst;
	p->limits.dup_window_ns = (uint64_t)g_cfg.risk.dup_window_ns;
	p->limits.daily_loss = g_cfg.risk.daily_loss;
	p->instr = in;
	p->filters = f;
	p->n_instr = n;
	p->jopts.capacity = g_cfg.oe.journal_capacity;
	p->jopts.sync = g_cfg.oe.journal_sync;
	p->jopts.batch_records = g_cfg.oe.journal_batch;
	p->jopts.batch_ns = (uint64_t)g_cfg.oe.journal_batch_time_ns;
	p->jopts.session_id = (uint64_t)time(NULL);
	p->journal_path = g_cfg.oe.journal;
	p->signer.recv_window_ms = (uint32_t)(g_cfg.oe.recv_window_ns / 1000000);
	return 0;
}

int main(int argc, char **argv)
{
	static struct tt_bn_instr instr[TT_OE_MAX_INSTR];
	static struct tt_oe_filter filters[TT_OE_MAX_INSTR];
	static struct tt_ring r_in, r_out, r_gui, r_an, r_ref;
	bool ring_futex;
	static char secret[8192];
	struct tt_oe_params p;
	struct tt_cred cred;
	struct tt_ed25519 ed = { 0 };
	struct tt_hmac hmac = { 0 };
	struct tt_tls_cfg tcfg = { 0 };
	struct tt_wsconn_cfg wcfg;
	const char *cfg_path = "config/testnet.ini", *journal = NULL;
	bool force_hmac = false, sock_kill = false, file_kill = false;
	uint64_t next_file_check = 0;
	size_t slen = 0;
	int opt, rc, ctl = -1, ret = 1;
	static const struct option lo[] = { { "config", 1, 0, 'c' }, { "journal", 1, 0, 'j' },
					    { "hmac", 0, 0, 'H' }, { 0, 0, 0, 0 } };

	while ((opt = getopt_long(argc, argv, "c:j:H", lo, NULL)) != -1) {
		if (opt == 'c')
			cfg_path = optarg;
		else if (opt == 'j')
			journal = optarg;
		else if (opt == 'H')
			force_hmac = true;
		else {
			fprintf(stderr, "usage: tt-oe -c CONFIG [--journal PATH] [--hmac]\n");
			return 2;
		}
	}
	/* before any socket exists: a peer closing under a write must not kill us; and a
	 * SIGUSR1 (kill switch) or SIGTERM during start-up is handled, not fatal */
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
	}
	tt_log_init("tt-oe");
	if (tt_config_load(&g_cfg, cfg_path) < 0 || build_params(&p, instr, filters) < 0) {
		fprintf(stderr, "tt-oe: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_flavor_start(&g_cfg) != 0) { /* prod: host whitelist (denied event emitted) */
		fprintf(stderr, "tt-oe: %s\n", tt_err_msg());
		return 1;
	}
	/* The calibration tt-engine published (one for all processes: t_rx from tt-md and our
	 * send stamps convert alike); our own when run without the engine. */
	if (tt_clock_init(g_cfg.engine.clock_shm, false) < 0 && tt_clock_init_local() < 0)
		tt_log(TT_LOG_WARN, "oe_clock_fallback", TT_LS("why", tt_clock_fallback_reason()));
	/* trading counters for /metrics, hot-path log records for tt-logwriter */
	if (tt_stats_open(g_cfg.engine.instance, "tt-oe") != 0)
		tt_log_err(TT_LOG_WARN, "stats_unavailable");
	if (tt_logring_open(g_cfg.engine.instance, "tt-oe", 0, 0) != 0)
		tt_log_err(TT_LOG_WARN, "log_ring_unavailable");
	if (journal)
		p.journal_path = journal;
	if (tt_cred_load(&cred, g_cfg.oe.credential) < 0 ||
	    read_file(cred.secret_file, secret, sizeof(secret), &slen) < 0) {
		fprintf(stderr, "tt-oe: credential: %s\n", tt_err_msg());
		return 1;
	}
	if (!force_hmac && strcmp(cred.key_type, "ed25519") == 0 &&
	    g_cfg.oe.auth == TT_CFG_AUTH_ED25519) {
		if (tt_ed25519_load_pem(&ed, secret, slen) < 0)
			goto out_key;
		p.signer.mode = TT_BN_AUTH_SESSION;
		p.api_key = cred.key_id;
		p.ed25519 = &ed;
	} else if (strcmp(cred.key_type, "hmac") == 0) {
		while (slen && (secret[slen - 1] == '\n' || secret[slen - 1] == '\r'))
			secret[--slen] = 0;
		if (tt_hmac_init(&hmac, secret, slen) < 0)
			goto out_key;
		p.signer.mode = TT_BN_AUTH_HMAC;
		p.signer.api_key = cred.key_id;
		p.signer.hmac = &hmac;
	} else {
		tt_err_set(-TT_ECONFIG, "key_type %s does not match [oe] auth", cred.key_type);
		goto out_key;
	}
	memset(secret, 0, sizeof(secret));

	p.in = attach(&r_in, "strat.oe", TT_RING_CONSUMER, true);
	p.out = attach(&r_out, "oe.strat", TT_RING_PRODUCER, true);
	p.gui = attach(&r_gui, "oe.gui", TT_RING_PRODUCER, false);
	p.analytics = attach(&r_an, "oe.analytics", TT_RING_PRODUCER, false);
	p.ref = attach(&r_ref, "md.ref", TT_RING_CONSUMER, false);
	if (!p.in || !p.out)
		goto out_key;

	tcfg.ca_file = g_cfg.binance.ca_file[0] ? g_cfg.binance.ca_file : NULL;
	if (tt_tls_ctx_init(&g_tls, &tcfg) < 0 || tt_loop_init(&g_loop, NULL) < 0)
		goto out_key;
	memset(&wcfg, 0, sizeof(wcfg));
	wcfg.conn.host = g_cfg.binance.sni[0] ? g_cfg.binance.sni : g_cfg.binance.oe_url.host;
	wcfg.conn.port = g_cfg.binance.oe_url.port;
	wcfg.conn.reconnect = true;
	wcfg.conn.connect_timeout_ms = (uint32_t)(g_cfg.binance.connect_timeout_ns / 1000000);
	wcfg.conn.backoff_seed = (uint64_t)getpid();
	wcfg.path = g_cfg.binance.oe_url.path;
	wcfg.parse_flags = TT_WS_F_NO_UTF8_CHECK;
	if (tt_wsconn_init(&g_ws, &g_loop, &g_tls, &wcfg, &ws_ops, NULL, g_rx, sizeof(g_rx),
			   g_frag, sizeof(g_frag)) < 0)
		goto out_key;
	if (load_exchange_info(instr, filters, p.n_instr) < 0)
		goto out_key;	/* the venue's filters do not fit our scales */
	p.tx.send = ws_send;
	p.tx.ctx = &g_ws;
	rc = tt_oe_init(&g_oe, &p);
	if (rc < 0)
		goto out_key;	/* journal corruption refuses to start */

	ctl = ctl_open(g_cfg.oe.control_socket);
	if (tt_wsconn_start(&g_ws) < 0)
		goto out_oe;
	(void)tt_proc_lock_memory(); /* hot memory locked and pre-faulted, or one warning */
	tt_log(TT_LOG_INFO, "oe_started", TT_LS("config", cfg_path),
	       TT_LS("auth", p.signer.mode == TT_BN_AUTH_SESSION ? "ed25519" : "hmac"),
	       TT_LU("instruments", p.n_instr));
	/* Sleep on the sockets and on the intent ring at once: with io_uring futex waits
	 * (Linux ≥ 6.7) tt-strat's FUTEX_WAKE after a publish completes a wait in our loop, so
	 * an intent is taken at once; without them, poll the ring every 100 µs. */
	ring_futex = r_in.hdr && r_in.wait == TT_WAIT_FUTEX && tt_loop_has_futex(&g_loop);
	g_ring_wake.cb = on_ring_wake;
	tt_log(TT_LOG_INFO, "oe_intent_wait", TT_LS("how", ring_futex ? "io_uring futex" : "poll 100us"));
	while (!g_stop) {
		uint64_t now;

		(void)tt_oe_poll(&g_oe);
		if (ring_futex && !g_ring_wait_armed) {
			/* Announce, then re-check (pairs with the producer's fence after publishing
			 * in tt_ring_publish): either we see its message, or it sees our word and
			 * wakes us — the futex wait also returns at once if it already did. */
			atomic_store_explicit(&r_in.hdr->cons_waiting, 1, memory_order_relaxed);
			atomic_thread_fence(memory_order_seq_cst);
			if (!tt_ring_is_empty(&r_in)) {
				atomic_store_explicit(&r_in.hdr->cons_waiting, 0, memory_order_relaxed);
				continue;
			}
			if (tt_loop_futex_wait(&g_loop, &g_ring_wake, &r_in.hdr->cons_waiting, 1) == 0)
				g_ring_wait_armed = true;
		}
		if (tt_loop_run_once(&g_loop, ring_futex ? 100000000 : 100000) < 0)
			tt_log_err(TT_LOG_WARN, "oe_loop_error");
		(void)tt_oe_poll(&g_oe);
		if (g_usr1) {
			g_usr1 = 0;
			sock_kill = true;
			tt_oe_kill(&g_oe, true);
		}
		now = mono_ms();
		if (now >= next_file_check) {
			struct stat st;
			bool exists = g_cfg.oe.kill_file[0] && stat(g_cfg.oe.kill_file, &st) == 0;

			next_file_check = now + 100;
			if (exists != file_kill) {
				file_kill = exists;
				if (exists || !sock_kill)
					tt_oe_kill(&g_oe, exists);
			}
			ctl_poll(ctl, &sock_kill);
			if (p.in)
				tt_ring_heartbeat(p.in);
			if (p.out)
				tt_ring_heartbeat(p.out);
		}
	}
	ret = 0;
	/* Orderly stop: no new orders, cancel every open one and wait (≤ 2 s) for the venue's
	 * answers, take what is left on the intent ring (refused: kill switch), then close;
	 * the journal is flushed by tt_oe_fini. */
	tt_oe_kill(&g_oe, true);
	for (int i = 0; i < 200 && g_oe.orders.open > 0; i++) {
		if (tt_loop_run_once(&g_loop, 10000000) < 0)
			break;
		(void)tt_oe_poll(&g_oe);
	}
	(void)tt_oe_poll(&g_oe);
	tt_log(TT_LOG_INFO, "oe_stopped", TT_LU("open_orders_left", g_oe.orders.open));
	tt_wsconn_stop(&g_ws);
	for (int i = 0; i < 50 && !tt_conn_is_quiet(&g_ws.conn); i++)
		if (tt_loop_run_once(&g_loop, 10000000) < 0)
			break;
out_oe:
	tt_oe_log_stats(&g_oe);
	if (isatty(2))
		tt_oe_print_stats(&g_oe, stderr);
	tt_oe_fini(&g_oe);
	if (ctl >= 0) {
		close(ctl);
		unlink(g_cfg.oe.control_socket);
	}
	tt_wsconn_fini(&g_ws);
	tt_loop_fini(&g_loop);
	tt_tls_ctx_fini(&g_tls);
	tt_ed25519_fini(&ed);
	tt_hmac_fini(&hmac);
	return ret;
out_key:
	memset(secret, 0, sizeof(secret));
	fprintf(stderr, "tt-oe: %s\n", tt_err_msg());
	return 1;
}
