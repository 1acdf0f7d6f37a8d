/*
 * tt_an.h — tt-analytics (DESIGN §7): consumes the lossy side rings md.analytics and
 * oe.analytics and keeps orders, executions, fills, positions, sampled books and
 * tick-to-trade samples in SQLite; computes P&L (fixed point), fees, markouts, fill ratios
 * and latency percentiles; renders a report (tt_an_report).
 *
 * Ring contract (what producers put on the side rings, union tt_msg):
 *   md.analytics  BOOK_TOP (sampled: one row per instrument per sample_ms), TRADE (ignored)
 *   oe.analytics  ORDER when tt-oe handed it to the kernel: h.seq = the journal seq of the
 *                 send record, h.t_rx = causing tick, h.flags = ticks t_rx → send (t2t),
 *                 t_md_pub_d / t_strat_rx_d / t_decided_d stage stamps;
 *                 EXEC for every execution report: h.seq = its journal seq.
 * Rows are keyed by the journal seq (INSERT OR IGNORE; a position moves only when its fill
 * row was new, in the same transaction), and ring slots are released only after the
 * transaction commits: a restart re-reads at most one uncommitted batch and neither loses
 * nor duplicates a row.
 *
 * Storage: WAL, synchronous=NORMAL, one transaction per drained batch (never per message),
 * schema version in PRAGMA user_version with ordered migrations.
 *
 *   tt_an_open → (tt_an_ingest_ring / tt_an_ingest_msg)* → tt_an_report* → tt_an_close
 *
 * Single thread. Not on any hot path: tt-analytics is a consumer of lossy rings only.
 */
#ifndef TT_AN_H
#define TT_AN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"
#include "tt_msg.h"
#include "tt_ring.h"

#define TT_AN_SCHEMA_VERSION 1
#define TT_AN_INSTR_MAX	     256

struct sqlite3;
struct sqlite3_stmt;

struct tt_an_cfg {
	const char *db_path;	 /* SQLite file */
	unsigned px_scale;	 /* price decimals (8) */
	unsigned qty_scale;	 /* quantity decimals (8) */
	int64_t fee_ppm;	 /* fee per fill, parts per million of notional (e.g. 100 = 1 bp) */
	unsigned sample_ms;	 /* book sampling interval per instrument (100) */
	int64_t mono_to_real_ns; /* added to tt_clock_to_ns(ticks) for wall time; 0: computed */
	/* Instruments whose ring messages carry their own scales (the engine's config: BTCUSDT
	 * prices at 2 decimals, quantities at 5): their prices and quantities are rescaled to
	 * px_scale / qty_scale on ingest, so every row and report is in one scale. */
	uint8_t in_scaled[TT_AN_INSTR_MAX]; /* 1: in_px / in_qty below apply */
	uint8_t in_px[TT_AN_INSTR_MAX], in_qty[TT_AN_INSTR_MAX];
};

/* In-memory position mirror (the table is the truth; this avoids a read per fill). */
struct tt_an_pos {
	int64_t qty;	  /* signed, qty scale */
	int64_t cost;	  /* signed cost basis, price scale (sum of qty*px of the open part) */
	int64_t realized; /* price scale */
	int64_t fees;	  /* price scale */
	int64_t mid;	  /* last mid, price scale (0: none yet) */
	int64_t last_sample_ns; /* last stored book sample */
};

struct tt_an {
	struct tt_an_cfg cfg;
	struct sqlite3 *db;
	struct sqlite3_stmt *ins_order, *ins_exec, *ins_fill, *ins_book, *up_pos;
	struct tt_an_pos pos[TT_AN_INSTR_MAX];
	bool in_tx;
	uint64_t rows; /* rows inserted */
	uint64_t dups; /* messages whose seq was already stored */
	uint64_t bad;  /* messages refused (unknown kind, instrument out of range) */
};

/* Opens/creates the database, runs pending migrations, loads positions. 0 or -errno /
 * -TT_ESTATE with the SQLite message in the trail. On failure a is closed. */
int tt_an_open(struct tt_an *a, const struct tt_an_cfg *cfg) __tt_cold TT_WUR;
void tt_an_close(struct tt_an *a);

/* Stores one message (inside the current batch transaction, opened on demand). 1 when a
 * row was added, 0 when it was a duplicate or not stored (sampled out), -errno on error. */
int tt_an_ingest_msg(struct tt_an *a, const union tt_msg *m);
/* Commits the open batch. 0 or -errno. */
int tt_an_commit(struct tt_an *a) TT_WUR;

/* Drains up to max messages from a consumer ring into one transaction, commits, then
 * releases the slots. Returns messages consumed or -errno (slots not released then). */
int tt_an_ingest_ring(struct tt_an *a, struct tt_ring *r, unsigned max);

/* Applies one fill to a position (average cost; exposed for the report's replay). */
void tt_an_apply_fill(const struct tt_an *a, struct tt_an_pos *p, int side, int64_t px,
		      int64_t qty);

/* Position of an instrument (for tests and the report). */
const struct tt_an_pos *tt_an_position(const struct tt_an *a, unsigned instr);

enum tt_an_fmt { TT_AN_HTML = 0, TT_AN_MD = 1, TT_AN_JSON = 2 };

/* Writes the report of everything since since_ns (0: all) in the chosen format. 0 or
 * -errno. */
int tt_an_report(struct tt_an *a, int64_t since_ns, enum tt_an_fmt fmt, FILE *out) TT_WUR;

#endif /* TT_AN_H */
