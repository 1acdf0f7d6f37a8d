/*
 * run.c — the tt-md process (tt_md_run.h). One thread, one io_uring loop: the combined
 * market stream (tt_wsconn), a REST client for depth snapshots (tt_https, one request at
 * a time, instruments queue for it), a 100 ms housekeeping timer (staleness, snapshot
 * queue, planned reconnect, signals, ring heartbeats). All storage is static and sized
 * at start from config; nothing is allocated per message.
 *
 * Stage stamps (TSC ticks): t_rx = reap of the bytes completing the frame (from the
 * loop's ns stamp); t_scan = after the scanner; t_pub = just before the ring store.
 * Histograms: scan (t_scan − t_rx, includes TLS decrypt and WS framing done before
 * on_msg), apply+publish (t_pub − t_scan), reap→publish (t_pub − t_rx).
 */
#include "tt_md_run.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_book.h"
#include "tt_clock.h"
#include "tt_config.h"
#include "tt_cred.h"
#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_hist.h"
#include "tt_https.h"
#include "tt_log.h"
#include "tt_logring.h"
#include "tt_proc.h"
#include "tt_loop.h"
#include "tt_md.h"
#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_stats.h"
#include "tt_tls.h"
#include "tt_wsconn.h"

#define MD_MAX_INSTR 16
#define MD_MAX_MSG (1u << 20)		/* largest WebSocket message accepted */
#define MD_SNAP_BODY (4u << 20)		/* largest snapshot body */
#define MD_DIFF_LEVELS 5000		/* levels per side in one diff */
#define MD_EV_CAP 512			/* diffs buffered per instrument while syncing */
#define MD_LV_CAP (64 * 1024)		/* their levels */
#define MD_TICK_NS 100000000ull		/* housekeeping period */
#define MD_RING_WAIT_NS 1000000000ull	/* longest wait for space on md.strat */

enum { RING_STRAT, RING_REF, RING_GUI, RING_ANALYTICS, RING_N };
static const char *const ring_names[RING_N] = { "md.strat", "md.ref", "md.gui", "md.analytics" };

struct md_instr {
	const struct tt_md_instr *mi;
	struct tt_book book;
	struct tt_book_level *levels;
	struct tt_md_sync sync;
	struct tt_md_sync_ev ev[MD_EV_CAP];
	struct tt_md_level *lv;
	bool queued;			/* waiting for (or in) a snapshot request */
};

struct md_stats {
	uint64_t msgs, bytes, tickers, diffs, trades, controls, ignored, parse_errors;
	uint64_t published, ring_waits, ring_lost, side_drops, snapshots, snapshot_errors;
	uint64_t reconnects, planned_reconnects;
	struct tt_hist h_scan, h_apply, h_total;
};

static struct md {
	struct tt_config cfg;
	const char *cfg_path;
	struct tt_loop loop;
	struct tt_tls_ctx tls;
	struct tt_wsconn ws;
	struct tt_https http;
	struct tt_loop_op tick;
	struct tt_md_instr_table itab;
	struct md_instr in[MD_MAX_INSTR];
	uint32_t n_in;
	int snap_q[MD_MAX_INSTR];	/* instrument indices waiting for a snapshot */
	uint32_t snap_head, snap_n;
	int snap_cur;			/* index being fetched, -1 none */
	struct tt_ring ring[RING_N];
	bool ring_on[RING_N];
	struct tt_md_out out;
	struct md_stats st;
	uint64_t connected_ns;		/* when the current connection opened, 0 none */
	uint64_t end_ns;		/* --run-for deadline, 0 none */
	const char *dump_path;
	bool report;
	bool up;
	char rest_prefix[256];		/* path of rest_url, e.g. "/api" */
	char ws_path[TT_WSCONN_PATH_MAX];
	uint8_t rx[MD_MAX_MSG + TT_WS_MAX_HEADER];
	uint8_t frag[MD_MAX_MSG];
	char snap_body[MD_SNAP_BODY];
	struct tt_md_level bids[MD_DIFF_LEVELS], asks[MD_DIFF_LEVELS];
} M;

static volatile sig_atomic_t sig_stop, sig_dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR2)
		sig_dump = 1;
	else
		sig_stop = 1;
}

static uint64_t ns_now(void)
{
	return (uint64_t)tt_clock_ns_now();
}

/* ---- publishing ------------------------------------------------------------------------- */

static void push_side(int r, const union tt_msg *m)
{
	if (!M.ring_on[r])
		return;
	if (tt_ring_push(&M.ring[r], m, sizeof(*m)) != 0)
		M.st.side_drops++; /* lossy: counted in the ring header too */
}

/* The sync layer's output: stamp, then md.strat (lossless) and the side rings. */
static int publish(void *ctx, const union tt_msg *src)
{
	union tt_msg m = *src;
	tt_tsc_t t_pub = tt_clock_now();
	uint64_t d = t_pub > m.h.t_rx ? t_pub - m.h.t_rx : 0;
	int rc;

	(void)ctx;
	if (m.h.kind == TT_MSG_BOOK_TOP || m.h.kind == TT_MSG_TRADE)
		m.h.flags = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	else if (m.h.kind == TT_MSG_BOOK_DELTA)
		m.delta.t_pub = t_pub;
	if (M.ring_on[RING_STRAT]) {
		rc = tt_ring_push(&M.ring[RING_STRAT], &m, sizeof(m));
		if (tt_unlikely(rc == -EAGAIN)) {
			/* Lossless: wait for the consumer, but never forever and never for one
			 * that is gone. A lost message is an error event, not a silent drop. */
			M.st.ring_waits++;
			if (!tt_ring_peer_alive(&M.ring[RING_STRAT]) ||
			    tt_ring_wait_space(&M.ring[RING_STRAT], MD_RING_WAIT_NS) != 0 ||
			    tt_ring_push(&M.ring[RING_STRAT], &m, sizeof(m)) != 0) {
				M.st.ring_lost++;
				if ((M.st.ring_lost & (M.st.ring_lost - 1)) == 0)
					tt_log(TT_LOG_ERROR, "md_ring_lost", TT_LS("ring", "md.strat"),
					       TT_LU("lost", M.st.ring_lost),
					       TT_LB("consumer_alive",
						     tt_ring_peer_alive(&M.ring[RING_STRAT])));
			}
		}
	}
	if (m.h.kind == TT_MSG_BOOK_TOP)
		push_side(RING_REF, &m);
	push_side(RING_GUI, &m);
	push_side(RING_ANALYTICS, &m);
	M.st.published++;
	tt_stats_add(tt_stats_md_kind(m.h.kind), 1);
	if (m.h.kind == TT_MSG_BOOK_TOP || m.h.kind == TT_MSG_TRADE) {
		tt_hist_record(&M.st.h_total, (uint64_t)tt_clock_delta_ns(m.h.t_rx, t_pub));
		tt_stat_ns(md_publish, tt_clock_delta_ns(m.h.t_rx, t_pub));
	}
	return 0;
}

/* ---- snapshots --------------------------------------------------------------------------- */

static void snap_kick(void);

static void snap_queue(int i)
{
	if (M.in[i].queued)
		return;
	M.in[i].queued = true;
	M.snap_q[(M.snap_head + M.snap_n++) % MD_MAX_INSTR] = i;
	snap_kick();
}

static void check_needs_snapshot(int i)
{
	if (tt_md_sync_needs_snapshot(&M.in[i].sync))
		snap_queue(i);
}

static void on_snapshot(struct tt_https *h, int rc, const struct tt_http_resp *r, uint64_t t_reap)
{
	int i = M.snap_cur;
	struct md_instr *in;
	struct tt_md_depth d;
	struct tt_md_perr err;

	(void)h;
	M.snap_cur = -1;
	if (i < 0)
		return;
	in = &M.in[i];
	in->queued = false;
	if (rc != 0 || r->status != 200) {
		M.st.snapshot_errors++;
		tt_log(TT_LOG_WARN, "md_snapshot_failed", TT_LS("instrument", in->mi->sym),
		       TT_LI("rc", rc), TT_LI("status", rc ? 0 : r->status));
		/* stays BUFFERING → re-queued by the next tick */
	} else {
		memset(&d, 0, sizeof(d));
		d.bids = M.bids;
		d.asks = M.asks;
		d.cap_bids = MD_DIFF_LEVELS;
		d.cap_asks = MD_DIFF_LEVELS;
		if (tt_md_bn_snapshot(in->mi, r->body, r->body_len, &d, &err) != 0) {
			M.st.parse_errors++;
			tt_log(TT_LOG_WARN, "md_parse_error", TT_LS("what", "snapshot"),
			       TT_LS("instrument", in->mi->sym), TT_LS("error", tt_md_perr_str(err.code)),
			       TT_LU("pos", err.pos), TT_LU("len", r->body_len));
		} else {
			M.st.snapshots++;
			if (tt_md_sync_on_snapshot(&in->sync, &d, tt_clock_from_ns((int64_t)t_reap),
						   &M.out) != 0)
				tt_log(TT_LOG_WARN, "md_snapshot_apply_failed",
				       TT_LS("instrument", in->mi->sym),
				       TT_LS("reason", tt_md_resync_str(in->sync.last_reason)));
			else
				tt_log(TT_LOG_INFO, "md_book_synced", TT_LS("instrument", in->mi->sym),
				       TT_LU("last_update_id", d.final_id),
				       TT_LU("state", in->sync.state));
		}
	}
	check_needs_snapshot(i); /* a stale snapshot asks for another */
	snap_kick();
}

static void snap_kick(void)
{
	char target[512];
	struct md_instr *in;
	int i;

	if (M.snap_cur >= 0 || M.snap_n == 0 || !M.up)
		return;
	i = M.snap_q[M.snap_head];
	M.snap_head = (M.snap_head + 1) % MD_MAX_INSTR;
	M.snap_n--;
	in = &M.in[i];
	if (!tt_md_sync_needs_snapshot(&in->sync)) {
		in->queued = false;
		snap_kick();
		return;
	}
	snprintf(target, sizeof(target), "%s/v3/depth?symbol=%.*s&limit=%u", M.rest_prefix,
		 (int)in->mi->sym_len, in->mi->sym, M.cfg.md.snapshot_limit);
	tt_md_sync_snapshot_requested(&in->sync);
	M.snap_cur = i;
	if (tt_https_request(&M.http, "GET", target, NULL, 0, NULL, 0) != 0) {
		M.snap_cur = -1;
		in->queued = false;
		M.st.snapshot_errors++;
		tt_log_err(TT_LOG_WARN, "md_snapshot_request_failed",
			   TT_LS("instrument", in->mi->sym));
	}
}

/* ---- the stream --------------------------------------------------------------------------- */

static int instr_index(const struct tt_md_instr *mi)
{
	for (uint32_t i = 0; i < M.n_in; i++)
		if (M.in[i].mi == mi)
			return (int)i;
	return -1;
}

/* Starts instrument i's book over (STATUS resync published by the sync layer). */
static void resync(int i, uint32_t reason, tt_tsc_t t)
{
	tt_stat_inc(md_resyncs);
	tt_logh(md_book_resync, M.in[i].mi->id, reason, M.in[i].sync.book_id,
		M.in[i].sync.resyncs[reason < TT_MD_RESYNC_COUNT ? reason : 0]);
	if (tt_md_sync_resync(&M.in[i].sync, reason, t, &M.out) != 0)
		tt_log(TT_LOG_WARN, "md_resync_emit_failed", TT_LS("instrument", M.in[i].mi->sym));
}

static void resync_all(uint32_t reason, tt_tsc_t t)
{
	for (uint32_t i = 0; i < M.n_in; i++)
		resync((int)i, reason, t);
}

static void on_open(struct tt_wsconn *w)
{
	(void)w;
	M.up = true;
	M.connected_ns = ns_now();
	tt_log(TT_LOG_INFO, "md_connected", TT_LS("host", M.ws.conn.cfg.host),
	       TT_LU("port", M.ws.conn.cfg.port), TT_LS("path", M.ws_path),
	       TT_LB("session_reused", tt_conn_session_reused(&M.ws.conn)));
}

static void on_down(struct tt_wsconn *w, int reason, uint16_t close_code)
{
	(void)w;
	M.up = false;
	M.connected_ns = 0;
	M.st.reconnects++;
	tt_log(TT_LOG_WARN, "md_disconnected", TT_LI("reason", reason),
	       TT_LS("error", tt_strerror(reason)), TT_LU("close_code", close_code));
	/* Whatever was in flight is unknown now: every book starts over. */
	resync_all(TT_MD_RESYNC_CALLER, tt_clock_now());
}

static void on_msg(struct tt_wsconn *w, const uint8_t *p, size_t n, bool binary, uint64_t t_reap)
{
	tt_tsc_t t_rx = tt_clock_from_ns((int64_t)t_reap), t_scan;
	struct tt_md_bn_msg m;
	struct tt_md_perr err;
	struct md_instr *in = NULL;
	int rc, i = -1;

	(void)w;
	M.st.msgs++;
	tt_stat_inc(md_msgs_in);
	M.st.bytes += n;
	if (binary) {
		M.st.ignored++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.depth.bids = M.bids;
	m.depth.asks = M.asks;
	m.depth.cap_bids = MD_DIFF_LEVELS;
	m.depth.cap_asks = MD_DIFF_LEVELS;
	rc = tt_md_bn_scan(&M.itab, (const char *)p, n, &m, &err);
	t_scan = tt_clock_now();
	if (m.instr)
		i = instr_index(m.instr);
	if (i >= 0)
		in = &M.in[i];
	if (tt_unlikely(rc != 0)) {
		M.st.parse_errors++;
		tt_stat_inc(md_malformed);
		tt_logh(md_msg_malformed, in ? in->mi->id : 0, err.code, n);
		tt_log(TT_LOG_WARN, "md_parse_error", TT_LS("what", "stream"),
		       TT_LS("instrument", in ? in->mi->sym : ""), TT_LS("error", tt_md_perr_str(err.code)),
		       TT_LU("pos", err.pos), TT_LU("len", n));
		if (in)
			resync(i, TT_MD_RESYNC_CALLER, t_rx);
		else
			resync_all(TT_MD_RESYNC_CALLER, t_rx);
		return;
	}
	tt_hist_record(&M.st.h_scan, (uint64_t)tt_clock_delta_ns(t_rx, t_scan));
	switch (m.kind) {
	case TT_MD_MSG_BOOK_TICKER:
		M.st.tickers++;
		if (in)
			rc = tt_md_sync_on_book_ticker(&in->sync, &m.bt, t_rx, &M.out);
		break;
	case TT_MD_MSG_DEPTH:
		M.st.diffs++;
		if (in) {
			rc = tt_md_sync_on_depth(&in->sync, &m.depth, t_rx, &M.out);
			check_needs_snapshot(i);
		}
		break;
	case TT_MD_MSG_TRADE:
		M.st.trades++;
		if (in)
			rc = tt_md_sync_on_trade(&in->sync, &m.trade, false, t_rx, &M.out);
		break;
	case TT_MD_MSG_CONTROL:
		M.st.controls++;
		tt_log(TT_LOG_INFO, "md_control", TT_LB("error", m.ctl.is_error),
		       TT_LI("code", m.ctl.err_code));
		break;
	case TT_MD_MSG_SHUTDOWN:
		/* The venue announces a restart: reconnect now (books resync in on_down). */
		M.st.planned_reconnects++;
		tt_log(TT_LOG_WARN, "md_server_shutdown", TT_LU("event_ts", m.event_ts));
		tt_wsconn_close(&M.ws, 1000);
		break;
	default:
		M.st.ignored++;
		break;
	}
	if (rc != 0 && in) {
		tt_stat_inc(md_resyncs);
		if (in->sync.last_reason == TT_MD_RESYNC_GAP)
			tt_stat_inc(md_gaps);
		tt_logh(md_book_resync, in->mi->id, in->sync.last_reason, in->sync.book_id,
			in->sync.resyncs[in->sync.last_reason]);
	}
	if (rc != 0 && in)
		tt_log(TT_LOG_WARN, "md_resync", TT_LS("instrument", in->mi->sym),
		       TT_LS("reason", tt_md_resync_str(in->sync.last_reason)),
		       TT_LU("resyncs", in->sync.resyncs[in->sync.last_reason]));
	tt_hist_record(&M.st.h_apply, (uint64_t)tt_clock_delta_ns(t_scan, tt_clock_now()));
}

static const struct tt_wsconn_ops ws_ops = {
	.on_open = on_open,
	.on_msg = on_msg,
	.on_down = on_down,
};

/* ---- dump, report ------------------------------------------------------------------------ */

static void dump_side(FILE *f, const struct md_instr *in, unsigned side)
{
	tt_px_t px;
	tt_qty_t qty;
	char a[TT_FIXED_STR_MAX], b[TT_FIXED_STR_MAX];

	fputc('[', f);
	for (uint32_t k = 0; tt_book_level_at(&in->book, side, k, &px, &qty); k++) {
		if (tt_fixed_format(px, in->mi->px_scale, TT_FIXED_FMT_TRIM, a, sizeof(a)) < 0 ||
		    tt_fixed_format(qty, in->mi->qty_scale, TT_FIXED_FMT_TRIM, b, sizeof(b)) < 0)
			continue;
		fprintf(f, "%s[\"%s\",\"%s\"]", k ? "," : "", a, b);
	}
	fputc(']', f);
}

/* Writes every book as JSON (tmp file + rename: readers see a whole file). */
static void dump_books(void)
{
	char tmp[4096];
	FILE *f;

	if (!M.dump_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", M.dump_path);
	f = fopen(tmp, "w");
	if (!f) {
		tt_log(TT_LOG_WARN, "md_dump_failed", TT_LS("path", tmp), TT_LS("error", strerror(errno)));
		return;
	}
	fputc('{', f);
	for (uint32_t i = 0; i < M.n_in; i++) {
		const struct md_instr *in = &M.in[i];

		fprintf(f, "%s\"%.*s\":{\"state\":%u,\"update_id\":%llu,\"bids\":", i ? "," : "",
			(int)in->mi->sym_len, in->mi->sym, in->sync.state,
			(unsigned long long)in->sync.book_id);
		dump_side(f, in, TT_SIDE_BUY);
		fputs(",\"asks\":", f);
		dump_side(f, in, TT_SIDE_SELL);
		fprintf(f, ",\"resyncs\":%llu,\"applied\":%llu}",
			(unsigned long long)(in->sync.resyncs[TT_MD_RESYNC_GAP] +
					     in->sync.resyncs[TT_MD_RESYNC_CROSSED] +
					     in->sync.resyncs[TT_MD_RESYNC_OVERFLOW] +
					     in->sync.resyncs[TT_MD_RESYNC_BAD_LEVEL] +
					     in->sync.resyncs[TT_MD_RESYNC_CALLER]),
			(unsigned long long)in->sync.n_applied);
	}
	fputs("}\n", f);
	if (fclose(f) == 0)
		rename(tmp, M.dump_path);
}

static void hist_row(const char *name, const struct tt_hist *h)
{
	printf("  %-28s %10llu %8llu %8llu %8llu %8llu %9llu\n", name, (unsigned long long)h->count,
	       (unsigned long long)tt_hist_quantile(h, 0.5), (unsigned long long)tt_hist_quantile(h, 0.9),
	       (unsigned long long)tt_hist_quantile(h, 0.99), (unsigned long long)tt_hist_quantile(h, 0.999),
	       (unsigned long long)h->max);
}

static void report(void)
{
	const struct md_stats *s = &M.st;
	uint64_t resyncs = 0;

	for (uint32_t i = 0; i < M.n_in; i++)
		for (int r = 1; r < TT_MD_RESYNC_COUNT; r++)
			resyncs += M.in[i].sync.resyncs[r];
	tt_log(TT_LOG_INFO, "md_summary", TT_LU("msgs", s->msgs), TT_LU("bytes", s->bytes),
	       TT_LU("book_tickers", s->tickers), TT_LU("depth_diffs", s->diffs),
	       TT_LU("trades", s->trades), TT_LU("parse_errors", s->parse_errors),
	       TT_LU("published", s->published), TT_LU("ring_lost", s->ring_lost),
	       TT_LU("snapshots", s->snapshots), TT_LU("resyncs", resyncs),
	       TT_LU("reconnects", s->reconnects),
	       TT_LU("reap_to_publish_p50_ns", tt_hist_quantile(&s->h_total, 0.5)),
	       TT_LU("reap_to_publish_p99_ns", tt_hist_quantile(&s->h_total, 0.99)));
	if (!M.report)
		return;
	printf("\ntt-md: %llu messages (%llu bookTicker, %llu depth diffs, %llu trades), %llu bytes,\n"
	       "       %llu published to rings, %llu lost, %llu side-ring drops (lossy; no reader counts too),\n       %llu parse errors, "
	       "%llu snapshots, %llu resyncs, %llu reconnects (%llu planned)\n",
	       (unsigned long long)s->msgs, (unsigned long long)s->tickers,
	       (unsigned long long)s->diffs, (unsigned long long)s->trades,
	       (unsigned long long)s->bytes, (unsigned long long)s->published,
	       (unsigned long long)s->ring_lost, (unsigned long long)s->side_drops,
	       (unsigned long long)s->parse_errors, (unsigned long long)s->snapshots,
	       (unsigned long long)resyncs, (unsigned long long)s->reconnects,
	       (unsigned long long)s->planned_reconnects);
	for (uint32_t i = 0; i < M.n_in; i++) {
		tt_px_t bp = 0, ap = 0;
		tt_qty_t bq = 0, aq = 0;

		tt_book_best(&M.in[i].book, TT_SIDE_BUY, &bp, &bq);
		tt_book_best(&M.in[i].book, TT_SIDE_SELL, &ap, &aq);
		printf("       %-8.*s book id %llu, %u bids / %u asks, best %lld / %lld (scale %u)\n",
		       (int)M.in[i].mi->sym_len, M.in[i].mi->sym,
		       (unsigned long long)M.in[i].sync.book_id,
		       tt_book_count(&M.in[i].book, TT_SIDE_BUY), tt_book_count(&M.in[i].book, TT_SIDE_SELL),
		       (long long)bp, (long long)ap, M.in[i].mi->px_scale);
	}
	printf("\n  tt-md stage latency (ns)          count      p50      p90      p99    p99.9       max\n");
	hist_row("reap -> scanned", &s->h_scan);
	hist_row("scanned -> applied+published", &s->h_apply);
	hist_row("reap -> published (tops/trades)", &s->h_total);
	printf("  (clock: %s)\n", tt_clock_is_tsc() ? "invariant TSC" : "clock_gettime fallback");
	fflush(stdout);
}

/* ---- housekeeping ------------------------------------------------------------------------ */

static void arm_tick(void)
{
	if (tt_loop_timer_at(&M.loop, &M.tick, ns_now() + MD_TICK_NS) != 0)
		tt_log_err(TT_LOG_ERROR, "md_timer_failed");
}

static void on_tick(struct tt_loop_op *op, int res, uint64_t t_reap)
{
	tt_tsc_t now = tt_clock_now();
	tt_tsc_t stale = tt_clock_ns_to_ticks(M.cfg.md.stale_after_ns);

	(void)op;
	(void)res;
	for (uint32_t i = 0; i < M.n_in; i++) {
		struct md_instr *in = &M.in[i];

		if (M.up && in->sync.state != TT_MD_SYNC_INIT &&
		    tt_md_sync_check_stale(&in->sync, now, stale, &M.out) > 0) {
			tt_stat_inc(md_stale);
			tt_logh(md_book_stale, in->mi->id, in->sync.book_id);
			tt_log(TT_LOG_WARN, "md_stale", TT_LS("instrument", in->mi->sym));
		}
		check_needs_snapshot((int)i);
	}
	snap_kick();
	if (M.up && M.connected_ns && t_reap - M.connected_ns > (uint64_t)M.cfg.md.reconnect_after_ns) {
		/* The venue ends connections at 24 h: leave first, on our schedule. */
		M.st.planned_reconnects++;
		tt_log(TT_LOG_INFO, "md_planned_reconnect", TT_LS("why", "connection age"));
		M.connected_ns = 0;
		tt_wsconn_close(&M.ws, 1000);
	}
	for (int r = 0; r < RING_N; r++)
		if (M.ring_on[r])
			tt_ring_heartbeat(&M.ring[r]);
	if (sig_dump) {
		sig_dump = 0;
		dump_books();
	}
	if (M.end_ns && t_reap >= M.end_ns)
		sig_stop = 1;
	if (!sig_stop)
		arm_tick();
}

/* ---- setup -------------------------------------------------------------------------------- */

static int setup_rings(bool create)
{
	for (int r = 0; r < RING_N; r++) {
		const struct tt_cfg_ring *rc = tt_config_ring(&M.cfg, ring_names[r]);
		struct tt_ring_params p;
		int err;

		if (!rc) {
			if (r == RING_STRAT)
				return tt_err_set(-TT_ECONFIG, "%s: [ring.md.strat] is required", M.cfg_path);
			continue;
		}
		p = (struct tt_ring_params){ .slot_size = rc->slot_size, .capacity = rc->capacity,
					     .mode = rc->mode, .msg_version = TT_MSG_LAYOUT_VERSION };
		if (create && (err = tt_ring_create(rc->shm, &p)) != 0)
			return tt_err_add("creating ring %s", ring_names[r]);
		err = tt_ring_attach(&M.ring[r], rc->shm, TT_RING_PRODUCER, &p,
				     (enum tt_ring_wait)rc->wait);
		if (err) {
			if (r == RING_STRAT)
				return tt_err_add("attaching ring %s", ring_names[r]);
			tt_log_err(TT_LOG_INFO, "md_side_ring_absent", TT_LS("ring", ring_names[r]));
			continue;
		}
		M.ring_on[r] = true;
	}
	return 0;
}

static int setup_instruments(void)
{
	tt_md_instr_table_init(&M.itab);
	for (uint32_t i = 0; i < M.cfg.n_instruments; i++) {
		const struct tt_cfg_instrument *ci = &M.cfg.instruments[i];
		struct md_instr *in;
		size_t nlv;

		if (M.n_in >= MD_MAX_INSTR)
			return tt_err_set(-TT_ECONFIG, "more than %d instruments", MD_MAX_INSTR);
		if (tt_md_instr_add(&M.itab, ci->symbol, (tt_instr_t)ci->id, ci->price_scale,
				    ci->qty_scale) != 0)
			return tt_err_add("instrument %s", ci->symbol);
		in = &M.in[M.n_in];
		in->mi = tt_md_instr_find(&M.itab, ci->symbol, strlen(ci->symbol));
		nlv = tt_book_storage_levels(M.cfg.md.book_depth);
		in->levels = calloc(nlv, sizeof(*in->levels)); /* start-up only */
		in->lv = calloc(MD_LV_CAP, sizeof(*in->lv));
		if (!in->levels || !in->lv)
			return tt_err_set(-ENOMEM, "book storage for %s", ci->symbol);
		if (tt_book_init(&in->book, in->levels, M.cfg.md.book_depth) != 0 ||
		    tt_md_sync_init(&in->sync, (tt_instr_t)ci->id, &in->book, in->ev, MD_EV_CAP,
				    in->lv, MD_LV_CAP) != 0)
			return tt_err_add("book for %s", ci->symbol);
		M.n_in++;
	}
	if (!M.n_in)
		return tt_err_set(-TT_ECONFIG, "%s: no [instrument.*] configured", M.cfg_path);
	return 0;
}

/* "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms/btcusdt@trade/..." */
static int build_ws_path(void)
{
	size_t off = (size_t)snprintf(M.ws_path, sizeof(M.ws_path), "/stream?streams=");

	for (uint32_t i = 0; i < M.n_in; i++) {
		char sym[TT_MD_SYM_MAX + 1];
		int n;

		for (uint32_t k = 0; k <= M.in[i].mi->sym_len; k++)
			sym[k] = (char)(k < M.in[i].mi->sym_len ? (M.in[i].mi->sym[k] | 0x20) : 0);
		n = snprintf(M.ws_path + off, sizeof(M.ws_path) - off,
			     "%s%s@bookTicker/%s@depth@100ms/%s@trade", i ? "/" : "", sym, sym, sym);
		if (n < 0 || (size_t)n >= sizeof(M.ws_path) - off)
			return tt_err_set(-ENAMETOOLONG, "stream list longer than %d bytes",
					  TT_WSCONN_PATH_MAX);
		off += (size_t)n;
	}
	return 0;
}

static int setup_net(void)
{
	const struct tt_cfg_binance *b = &M.cfg.binance;
	struct tt_wsconn_cfg wc;
	struct tt_conn_cfg hc;
	int rc;

	if (!b->ws_url.host[0] || !b->rest_url.host[0])
		return tt_err_set(-TT_ECONFIG, "%s: [venue.binance] ws_url and rest_url are required",
				  M.cfg_path);
	snprintf(M.rest_prefix, sizeof(M.rest_prefix), "%s",
		 strcmp(b->rest_url.path, "/") ? b->rest_url.path : "");
	if ((rc = tt_loop_init(&M.loop, &(struct tt_loop_cfg){ .busy_poll = M.cfg.md.busy_poll })))
		return tt_err_add("io_uring loop");
	if ((rc = tt_tls_ctx_init(&M.tls, &(struct tt_tls_cfg){
						  .ca_file = b->ca_file[0] ? b->ca_file : NULL })))
		return tt_err_add("TLS context");
	if ((rc = build_ws_path()))
		return rc;
	memset(&wc, 0, sizeof(wc));
	wc.conn.host = b->ws_url.host;
	wc.conn.port = b->ws_url.port;
	wc.conn.reconnect = true;
	wc.conn.connect_timeout_ms = (uint32_t)(b->connect_timeout_ns / 1000000);
	wc.conn.idle_timeout_ms = (uint32_t)(M.cfg.md.stale_after_ns / 1000000) * 4 + 1000;
	wc.conn.backoff_seed = (uint64_t)getpid();
	wc.path = M.ws_path;
	wc.parse_flags = TT_WS_F_NO_UTF8_CHECK;
	if ((rc = tt_wsconn_init(&M.ws, &M.loop, &M.tls, &wc, &ws_ops, NULL, M.rx, sizeof(M.rx),
				 M.frag, sizeof(M.frag))))
		return tt_err_add("market stream connection");
	memset(&hc, 0, sizeof(hc));
	hc.host = b->rest_url.host;
	hc.port = b->rest_url.port;
	hc.connect_timeout_ms = wc.conn.connect_timeout_ms;
	if ((rc = tt_https_init(&M.http, &M.loop, &M.tls, &hc, M.snap_body, sizeof(M.snap_body),
				on_snapshot, NULL)))
		return tt_err_add("REST connection");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tt-md [--config FILE] [--create-rings] [--dump FILE] [--run-for SECONDS] [--report]\n"
		   "  --config FILE     INI configuration (default config/testnet.ini)\n"
		   "  --create-rings    create the rings this process writes (normally tt-engine does)\n"
		   "  --dump FILE       write every book as JSON there on SIGUSR2 and at exit\n"
		   "  --run-for S       stop after S seconds\n"
		   "  --report          print counts and the stage latency table at exit\n");
}

int tt_md_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "create-rings", no_argument, NULL, 'r' },
		{ "dump", required_argument, NULL, 'd' },   { "run-for", required_argument, NULL, 't' },
		{ "report", no_argument, NULL, 'p' },	    { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool create = false;
	double run_for = 0;
	int c, rc;
	char *end;

	M.cfg_path = "config/testnet.ini";
	M.snap_cur = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': M.cfg_path = optarg; break;
		case 'r': create = true; break;
		case 'd': M.dump_path = optarg; break;
		case 'p': M.report = true; break;
		case 't':
			run_for = strtod(optarg, &end);
			if (*end || run_for <= 0) {
				fprintf(stderr, "tt-md: --run-for: expected seconds > 0, found \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tt-md: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	tt_log_init("tt-md");
	/* Handlers first: a SIGUSR2 during start-up must not kill the process. */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (tt_config_load(&M.cfg, M.cfg_path) != 0) {
		tt_log_err(TT_LOG_ERROR, "config_invalid", TT_LS("path", M.cfg_path));
		fprintf(stderr, "tt-md: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_flavor_start(&M.cfg) != 0) { /* prod: host whitelist (denied event emitted) */
		fprintf(stderr, "tt-md: %s\n", tt_err_msg());
		return 1;
	}
	if (tt_clock_init(M.cfg.engine.clock_shm, false) != 0 &&
	    tt_clock_init(M.cfg.engine.clock_shm, true) != 0)
		tt_log_err(TT_LOG_WARN, "clock_shared_unavailable");
	/* trading counters for /metrics, hot-path log records for tt-logwriter */
	if (tt_stats_open(M.cfg.engine.instance, "tt-md") != 0)
		tt_log_err(TT_LOG_WARN, "stats_unavailable");
	if (tt_logring_open(M.cfg.engine.instance, "tt-md", 0, 0) != 0)
		tt_log_err(TT_LOG_WARN, "log_ring_unavailable");
	M.out = (struct tt_md_out){ .fn = publish, .ctx = NULL };
	tt_hist_reset(&M.st.h_scan);
	tt_hist_reset(&M.st.h_apply);
	tt_hist_reset(&M.st.h_total);
	if ((rc = setup_instruments()) || (rc = setup_rings(create)) || (rc = setup_net())) {
		tt_log_err(TT_LOG_ERROR, "md_start_failed");
		fprintf(stderr, "tt-md: %s\n", tt_err_msg());
		return 1;
	}
	if (run_for > 0)
		M.end_ns = ns_now() + (uint64_t)(run_for * 1e9);
	M.tick.cb = on_tick;
	arm_tick();
	if ((rc = tt_wsconn_start(&M.ws)) != 0) {
		tt_log_err(TT_LOG_ERROR, "md_start_failed");
		fprintf(stderr, "tt-md: %s\n", tt_err_msg());
		return 1;
	}
	(void)tt_proc_lock_memory(); /* hot memory locked and pre-faulted, or one warning */
	tt_log(TT_LOG_INFO, "md_started", TT_LS("config", M.cfg_path), TT_LU("instruments", M.n_in),
	       TT_LB("tsc", tt_clock_is_tsc()));
	while (!sig_stop) {
		rc = tt_loop_run_once(&M.loop, -1);
		if (rc < 0 && rc != -EINTR && rc != -ETIME) {
			tt_log_err(TT_LOG_ERROR, "md_loop_failed");
			break;
		}
	}
	dump_books();
	report();
	tt_wsconn_stop(&M.ws);
	tt_https_stop(&M.http);
	for (int r = 0; r < RING_N; r++)
		if (M.ring_on[r])
			tt_ring_detach(&M.ring[r]);
	return 0;
}
