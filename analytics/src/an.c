/*
 * an.c — tt-analytics store: schema and migrations, batched idempotent ingest, positions
 * and P&L in fixed point (tt_an.h).
 *
 * P&L, average-cost method, all integers (products in __int128, then scaled back):
 *   open/add:  qty += dq; cost += dq*px/Q
 *   reduce:    closed = min(|dq|, |qty|); part = cost*closed/|qty|;
 *              realized += sign(qty)*closed*px/Q - part; cost -= part; qty += dq*closed/|dq|
 *              and what is left of dq opens the other side at px.
 *   unrealized = qty*mid/Q - cost;  fee = |dq|*px/Q * fee_ppm / 1e6 (subtracted in totals).
 */
#include "tt_an.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_log.h"

/* Ordered migrations: entry i takes the schema from version i to i+1. Never edit one that
 * shipped; append. */
static const char *const migrations[] = {
    /* 0 → 1 */
    "CREATE TABLE orders(seq INTEGER PRIMARY KEY, cl_ord_id INTEGER, instr INTEGER,"
    " side INTEGER, px INTEGER, qty INTEGER, ts_ns INTEGER, t2t_ns INTEGER,"
    " md_pub_ns INTEGER, strat_rx_ns INTEGER, decided_ns INTEGER);"
    "CREATE INDEX orders_ts ON orders(ts_ns);"
    "CREATE TABLE execs(seq INTEGER PRIMARY KEY, cl_ord_id INTEGER, instr INTEGER,"
    " exec_type INTEGER, status INTEGER, side INTEGER, last_px INTEGER, last_qty INTEGER,"
    " cum_qty INTEGER, reason INTEGER, ts_ns INTEGER);"
    "CREATE TABLE fills(seq INTEGER PRIMARY KEY, cl_ord_id INTEGER, instr INTEGER,"
    " side INTEGER, px INTEGER, qty INTEGER, fee INTEGER, mid INTEGER,"
    " realized_after INTEGER, pos_after INTEGER, ts_ns INTEGER);"
    "CREATE INDEX fills_ts ON fills(ts_ns);"
    "CREATE TABLE books(instr INTEGER, ts_ns INTEGER, bid_px INTEGER, bid_qty INTEGER,"
    " ask_px INTEGER, ask_qty INTEGER, PRIMARY KEY(instr, ts_ns)) WITHOUT ROWID;"
    "CREATE TABLE positions(instr INTEGER PRIMARY KEY, qty INTEGER, cost INTEGER,"
    " realized INTEGER, fees INTEGER, last_seq INTEGER);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == TT_AN_SCHEMA_VERSION,
	       "one migration per schema version");

static int db_err(struct tt_an *a, const char *what)
{
	return tt_err_set(-TT_ESTATE, "sqlite %s (%s): %s", what, a->cfg.db_path,
			  a->db ? sqlite3_errmsg(a->db) : "no handle");
}

static int exec_sql(struct tt_an *a, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(a->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = tt_err_set(-TT_ESTATE, "sqlite: %s: %s", msg ? msg : "?", sql);

		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static int migrate(struct tt_an *a)
{
	sqlite3_stmt *st;
	int ver = 0, rc;

	if (sqlite3_prepare_v2(a->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_err(a, "user_version");
	if (sqlite3_step(st) == SQLITE_ROW)
		ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (ver > TT_AN_SCHEMA_VERSION)
		return tt_err_set(-TT_EVERSION,
				  "%s: schema version %d is newer than this build (%d)",
				  a->cfg.db_path, ver, TT_AN_SCHEMA_VERSION);
	for (; ver < TT_AN_SCHEMA_VERSION; ver++) {
		char setv[64];

		snprintf(setv, sizeof(setv), "PRAGMA user_version=%d", ver + 1);
		/* each step in its own transaction with its version bump: all or nothing */
		if ((rc = exec_sql(a, "BEGIN IMMEDIATE")) || (rc = exec_sql(a, migrations[ver])) ||
		    (rc = exec_sql(a, setv)) || (rc = exec_sql(a, "COMMIT"))) {
			exec_sql(a, "ROLLBACK");
			return rc;
		}
		tt_log(TT_LOG_INFO, "analytics_migrated", TT_LI("version", ver + 1));
	}
	return 0;
}

static int prepare(struct tt_an *a, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v3(a->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_err(a, sql);
	return 0;
}

static int load_positions(struct tt_an *a)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(a->db, "SELECT instr, qty, cost, realized, fees FROM positions", -1,
			       &st, NULL) != SQLITE_OK)
		return db_err(a, "load positions");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int i = sqlite3_column_int(st, 0);

		if (i < 0 || i >= TT_AN_INSTR_MAX)
			continue;
		a->pos[i].qty = sqlite3_column_int64(st, 1);
		a->pos[i].cost = sqlite3_column_int64(st, 2);
		a->pos[i].realized = sqlite3_column_int64(st, 3);
		a->pos[i].fees = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	/* the last stored mid per instrument, for unrealized P&L after a restart */
	if (sqlite3_prepare_v2(a->db,
			       "SELECT instr, (bid_px + ask_px) / 2 FROM books b WHERE ts_ns ="
			       " (SELECT MAX(ts_ns) FROM books WHERE instr = b.instr)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_err(a, "load mids");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int i = sqlite3_column_int(st, 0);

		if (i >= 0 && i < TT_AN_INSTR_MAX)
			a->pos[i].mid = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

int tt_an_open(struct tt_an *a, const struct tt_an_cfg *cfg)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	if (!a->cfg.px_scale)
		a->cfg.px_scale = 8;
	if (!a->cfg.qty_scale)
		a->cfg.qty_scale = 8;
	if (!a->cfg.sample_ms)
		a->cfg.sample_ms = 100;
	if (!a->cfg.mono_to_real_ns) {
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		a->cfg.mono_to_real_ns =
		    (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - tt_clock_ns_now();
	}
	if (a->cfg.qty_scale > 18 || a->cfg.px_scale > 18)
		return tt_err_set(-EINVAL, "analytics: scales above 18");
	if (sqlite3_open_v2(cfg->db_path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		rc = db_err(a, "open");
		goto fail;
	}
	sqlite3_busy_timeout(a->db, 2000);
	if ((rc = exec_sql(a, "PRAGMA journal_mode=WAL")) ||
	    (rc = exec_sql(a, "PRAGMA synchronous=NORMAL")) || (rc = migrate(a)) ||
	    (rc = prepare(a, &a->ins_order,
			  "INSERT OR IGNORE INTO orders VALUES(?,?,?,?,?,?,?,?,?,?,?)")) ||
	    (rc = prepare(a, &a->ins_exec,
			  "INSERT OR IGNORE INTO execs VALUES(?,?,?,?,?,?,?,?,?,?,?)")) ||
	    (rc = prepare(a, &a->ins_fill,
			  "INSERT OR IGNORE INTO fills VALUES(?,?,?,?,?,?,?,?,?,?,?)")) ||
	    (rc = prepare(a, &a->ins_book, "INSERT OR IGNORE INTO books VALUES(?,?,?,?,?,?)")) ||
	    (rc = prepare(a, &a->up_pos, "INSERT OR REPLACE INTO positions VALUES(?,?,?,?,?,?)")) ||
	    (rc = load_positions(a)))
		goto fail;
	return 0;
fail:
	tt_an_close(a);
	return rc;
}

void tt_an_close(struct tt_an *a)
{
	if (!a->db)
		return;
	if (a->in_tx)
		exec_sql(a, "ROLLBACK");
	sqlite3_finalize(a->ins_order);
	sqlite3_finalize(a->ins_exec);
	sqlite3_finalize(a->ins_fill);
	sqlite3_finalize(a->ins_book);
	sqlite3_finalize(a->up_pos);
	sqlite3_close(a->db);
	a->db = NULL;
}

static int64_t pow10i(unsigned n)
{
	int64_t p = 1;

	while (n--)
		p *= 10;
	return p;
}

static int64_t wall_ns(const struct tt_an *a, uint64_t ticks)
{
	if (!ticks)
		return a->cfg.mono_to_real_ns + tt_clock_ns_now();
	return tt_clock_to_ns(ticks) + a->cfg.mono_to_real_ns;
}

static int step_insert(struct tt_an *a, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_err(a, "insert");
	return sqlite3_changes(a->db);
}

static void bind_all(sqlite3_stmt *st, const int64_t *v, int n)
{
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
}

void tt_an_apply_fill(const struct tt_an *a, struct tt_an_pos *p, int side, int64_t px, int64_t qty)
{
	int64_t q = pow10i(a->cfg.qty_scale);
	int64_t dq = side == TT_SIDE_BUY ? qty : -qty;

	if (p->qty == 0 || (p->qty > 0) == (dq > 0)) {
		p->cost += (int64_t)((__int128)dq * px / q);
		p->qty += dq;
		return;
	}
	{
		int64_t aq = p->qty < 0 ? -p->qty : p->qty;
		int64_t closed = qty < aq ? qty : aq;
		int64_t part = (int64_t)((__int128)p->cost * closed / aq);
		int64_t sgn = p->qty > 0 ? 1 : -1;

		p->realized += (int64_t)((__int128)sgn * closed * px / q) - part;
		p->cost -= part;
		p->qty += dq > 0 ? closed : -closed;
		if (qty > closed) { /* flips: the rest opens the other side */
			int64_t rest = dq > 0 ? qty - closed : -(qty - closed);

			p->cost += (int64_t)((__int128)rest * px / q);
			p->qty += rest;
		}
	}
}

static int begin(struct tt_an *a)
{
	int rc;

	if (a->in_tx)
		return 0;
	rc = exec_sql(a, "BEGIN");
	if (rc == 0)
		a->in_tx = true;
	return rc;
}

int tt_an_commit(struct tt_an *a)
{
	int rc;

	if (!a->in_tx)
		return 0;
	rc = exec_sql(a, "COMMIT");
	if (rc) {
		exec_sql(a, "ROLLBACK");
		a->in_tx = false;
		/* the mirror may hold uncommitted moves: reload it from the store */
		memset(a->pos, 0, sizeof(a->pos));
		load_positions(a);
		return rc;
	}
	a->in_tx = false;
	return 0;
}

/* Prices and quantities of m from instrument instr's own scales to the store's. 0, or -1
 * (counted bad) when a value does not fit. */
static int rescale(const struct tt_an *a, unsigned instr, union tt_msg *m)
{
	unsigned fp = a->cfg.in_px[instr], fq = a->cfg.in_qty[instr];
	unsigned tp = a->cfg.px_scale, tq = a->cfg.qty_scale;
	int64_t *px[3] = {0}, *qty[3] = {0};
	int rc = 0;

	switch (m->h.kind) {
	case TT_MSG_BOOK_TOP:
		px[0] = &m->top.bid_px, px[1] = &m->top.ask_px;
		qty[0] = &m->top.bid_qty, qty[1] = &m->top.ask_qty;
		break;
	case TT_MSG_ORDER:
		px[0] = &m->order.px, qty[0] = &m->order.qty;
		break;
	case TT_MSG_EXEC:
		px[0] = &m->exec.last_px, qty[0] = &m->exec.last_qty, qty[1] = &m->exec.cum_qty;
		break;
	default:
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		if (px[i])
			rc |= tt_fixed_rescale(*px[i], fp, tp, px[i]);
		if (qty[i])
			rc |= tt_fixed_rescale(*qty[i], fq, tq, qty[i]);
	}
	return rc ? -1 : 0;
}

int tt_an_ingest_msg(struct tt_an *a, const union tt_msg *m)
{
	unsigned instr = m->h.instr;
	union tt_msg local;
	int rc;

	if (instr >= TT_AN_INSTR_MAX) {
		a->bad++;
		return 0;
	}
	if (a->cfg.in_scaled[instr]) {
		local = *m;
		if (rescale(a, instr, &local) < 0) {
			a->bad++;
			return 0;
		}
		m = &local;
	}
	if ((rc = begin(a)))
		return rc;
	switch (m->h.kind) {
	case TT_MSG_BOOK_TOP: {
		const struct tt_msg_book_top *b = &m->top;
		struct tt_an_pos *p = &a->pos[instr];
		int64_t ts = wall_ns(a, b->h.t_rx);

		if (b->bid_px > 0 && b->ask_px > 0)
			p->mid = (b->bid_px + b->ask_px) / 2;
		if (p->last_sample_ns &&
		    ts - p->last_sample_ns < (int64_t)a->cfg.sample_ms * 1000000)
			return 0;
		p->last_sample_ns = ts;
		bind_all(a->ins_book,
			 (int64_t[]){instr, ts, b->bid_px, b->bid_qty, b->ask_px, b->ask_qty}, 6);
		rc = step_insert(a, a->ins_book);
		break;
	}
	case TT_MSG_ORDER: {
		const struct tt_msg_order *o = &m->order;
		int64_t t0 = wall_ns(a, o->h.t_rx);

		bind_all(a->ins_order,
			 (int64_t[]){(int64_t)o->h.seq, (int64_t)o->cl_ord_id, instr, o->side,
				     o->px, o->qty, t0 + tt_clock_delta_ns(0, o->h.flags),
				     tt_clock_delta_ns(0, o->h.flags),
				     tt_clock_delta_ns(0, o->t_md_pub_d),
				     tt_clock_delta_ns(0, o->t_strat_rx_d),
				     tt_clock_delta_ns(0, o->t_decided_d)},
			 11);
		rc = step_insert(a, a->ins_order);
		break;
	}
	case TT_MSG_EXEC: {
		const struct tt_msg_exec *e = &m->exec;
		int64_t ts = wall_ns(a, e->h.t_rx);

		bind_all(a->ins_exec,
			 (int64_t[]){(int64_t)e->h.seq, (int64_t)e->cl_ord_id, instr, e->exec_type,
				     e->status, e->side, e->last_px, e->last_qty, e->cum_qty,
				     e->reason, ts},
			 11);
		rc = step_insert(a, a->ins_exec);
		if (rc == 1 && e->exec_type == TT_EXEC_TRADE && e->last_qty > 0 && e->last_px > 0) {
			struct tt_an_pos *p = &a->pos[instr];
			int64_t q = pow10i(a->cfg.qty_scale);
			int64_t fee = (int64_t)((__int128)e->last_qty * e->last_px / q *
						a->cfg.fee_ppm / 1000000);

			tt_an_apply_fill(a, p, e->side, e->last_px, e->last_qty);
			p->fees += fee;
			bind_all(a->ins_fill,
				 (int64_t[]){(int64_t)e->h.seq, (int64_t)e->cl_ord_id, instr,
					     e->side, e->last_px, e->last_qty, fee, p->mid,
					     p->realized, p->qty, ts},
				 11);
			if ((rc = step_insert(a, a->ins_fill)) < 0)
				return rc;
			bind_all(a->up_pos,
				 (int64_t[]){instr, p->qty, p->cost, p->realized, p->fees,
					     (int64_t)e->h.seq},
				 6);
			if ((rc = step_insert(a, a->up_pos)) < 0)
				return rc;
			rc = 1;
		}
		break;
	}
	default:
		return 0; /* trades, deltas, status: not stored */
	}
	if (rc < 0)
		return rc;
	if (rc == 0)
		a->dups++;
	else
		a->rows++;
	return rc;
}

int tt_an_ingest_ring(struct tt_an *a, struct tt_ring *r, unsigned max)
{
	uint64_t n = tt_ring_available(r);
	int rc;

	if (max && n > max)
		n = max;
	for (uint64_t i = 0; i < n; i++) {
		union tt_msg m;

		memcpy(&m, tt_ring_slot_at(r, i), sizeof(m));
		rc = tt_an_ingest_msg(a, &m);
		if (rc < 0) {
			exec_sql(a, "ROLLBACK");
			a->in_tx = false;
			memset(a->pos, 0, sizeof(a->pos));
			load_positions(a);
			return rc;
		}
	}
	rc = tt_an_commit(a);
	if (rc)
		return rc;
	/* only now may the producer reuse the slots: what is committed is released */
	tt_ring_advance(r, n);
	tt_ring_consume_flush(r);
	return (int)n;
}

const struct tt_an_pos *tt_an_position(const struct tt_an *a, unsigned instr)
{
	return instr < TT_AN_INSTR_MAX ? &a->pos[instr] : NULL;
}
