/*
 * oe.c — the order-entry engine (tt_oe.h): intents → filters → risk → journal → encode →
 * send; venue answers → order table → journal → execs. Single-threaded: the tt-oe loop
 * (or a test) calls every entry point from one thread.
 *
 * Journal discipline: a record is appended before the effect it describes is published
 * (INTENT before the bytes leave; ACK/FILL/CANCELED/REJECT before the exec goes to the
 * strategy). Appends are memory copies into the mapped file (tt_journal.h), so a kill -9
 * loses nothing appended; tt_oe_poll flushes per the sync policy off the hot path.
 * A failed append makes the engine sticky: new orders are refused, cancels still go.
 *
 * Replay invariants (tt_oe_init): the order table and risk state after replay equal those
 * the process had when it appended its last record, because every state change to them is
 * made together with exactly one record, in the same order.
 */
#include "tt_oe.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_fixed.h"
#include "tt_log.h"
#include "tt_stats.h"
#include "tt_ring.h"

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *tt_oe_state_name(uint32_t s)
{
	static const char *const n[] = { "down", "logon", "subscribe", "reconcile", "cancel_all",
					  "ready" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

/* ---- stage histograms ---- */

const char *const tt_oe_stage_names[TT_OE_ST_MAX] = {
	"md_publish", "strat_receive", "strat_decide", "oe_receive",
	"risk",	      "encode_journal", "send",	       "t2t_internal",
};

void tt_oe_log_stats(const struct tt_oe *oe)
{
	for (int i = 0; i < TT_OE_ST_MAX; i++) {
		const struct tt_hist *h = &oe->hist[i];

		tt_log(TT_LOG_INFO, "oe_stage_latency", TT_LS("stage", tt_oe_stage_names[i]),
		       TT_LU("count", h->count), TT_LU("p50_ns", tt_hist_quantile(h, 0.5)),
		       TT_LU("p90_ns", tt_hist_quantile(h, 0.9)),
		       TT_LU("p99_ns", tt_hist_quantile(h, 0.99)),
		       TT_LU("p999_ns", tt_hist_quantile(h, 0.999)),
		       TT_LU("max_ns", h->count ? h->max : 0));
	}
	tt_log(TT_LOG_INFO, "oe_summary", TT_LU("intents", oe->c.intents), TT_LU("sent", oe->c.sent),
	       TT_LU("acks", oe->c.acks), TT_LU("fills", oe->c.fills), TT_LU("rejects", oe->c.rejects),
	       TT_LU("risk_rejects", oe->c.risk_rejects), TT_LU("filter_rejects", oe->c.filter_rejects),
	       TT_LU("venue_rejects", oe->c.venue_rejects),
	       TT_LU("unknown_outcomes", oe->c.unknown_outcomes), TT_LU("reconciled", oe->c.reconciled),
	       TT_LU("decode_errors", oe->c.decode_errors));
}

void tt_oe_print_stats(const struct tt_oe *oe, FILE *f)
{
	fprintf(f, "tt-oe stage latency (ns)\n%-15s %9s %9s %9s %9s %9s %10s\n", "stage", "count",
		"p50", "p90", "p99", "p99.9", "max");
	for (int i = 0; i < TT_OE_ST_MAX; i++) {
		const struct tt_hist *h = &oe->hist[i];

		fprintf(f, "%-15s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
			   " %10" PRIu64 "\n",
			tt_oe_stage_names[i], h->count, tt_hist_quantile(h, 0.5),
			tt_hist_quantile(h, 0.9), tt_hist_quantile(h, 0.99),
			tt_hist_quantile(h, 0.999), h->count ? h->max : 0);
	}
	fprintf(f,
		"intents %" PRIu64 " sent %" PRIu64 " acks %" PRIu64 " fills %" PRIu64
		" rejects %" PRIu64 " risk_rejects %" PRIu64 " filter_rejects %" PRIu64
		" venue_rejects %" PRIu64 " unknown_outcomes %" PRIu64 " reconciled %" PRIu64
		" decode_errors %" PRIu64 "\n",
		oe->c.intents, oe->c.sent, oe->c.acks, oe->c.fills, oe->c.rejects,
		oe->c.risk_rejects, oe->c.filter_rejects, oe->c.venue_rejects,
		oe->c.unknown_outcomes, oe->c.reconciled, oe->c.decode_errors);
}

/* ---- helpers ---- */

/* Order-table transitions whose refusal is already counted by the table
 * (bad_transitions) and needs no other handling here. */
static inline void ign(int64_t rc)
{
	(void)rc;
}

static const struct tt_bn_instr *instr_of(const struct tt_oe *oe, uint16_t id, int *idx)
{
	int i;

	if (id >= TT_RISK_MAX_INSTR || (i = oe->by_id[id]) < 0)
		return NULL;
	if (idx)
		*idx = i;
	return &oe->instr[i];
}

/* Appends one journal record; its seq, or 0 when the append failed (counted, logged once). */
static uint64_t journal(struct tt_oe *oe, uint8_t type, const struct tt_order *o, uint64_t id,
			int64_t a, int64_t b, int64_t c, int64_t d)
{
	struct tt_jrec r;
	int64_t seq;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.cl_ord_id = id;
	if (o) {
		r.side = o->side;
		r.instr = o->instr;
	}
	r.a = a;
	r.b = b;
	r.c = c;
	r.d = d;
	seq = tt_journal_append(&oe->j, &r);
	if (tt_unlikely(seq < 0)) {
		oe->c.journal_errors++;
		if (!oe->sticky)
			tt_log(TT_LOG_ERROR, "oe_journal_failed", TT_LS("path", oe->j.path),
			       TT_LU("type", type));
		oe->sticky = true;
		return 0;
	}
	return (uint64_t)seq;
}

static void publish_exec(struct tt_oe *oe, const struct tt_order *o, uint64_t id, uint16_t instr,
			 uint8_t side, uint8_t exec_type, tt_px_t last_px, tt_qty_t last_qty,
			 uint32_t reason, uint64_t t_rx)
{
	struct tt_msg_exec e;

	memset(&e, 0, sizeof(e));
	e.h.kind = TT_MSG_EXEC;
	e.h.instr = instr;
	e.h.seq = ++oe->exec_seq;
	e.h.t_rx = t_rx;
	e.cl_ord_id = id;
	e.last_px = last_px;
	e.last_qty = last_qty;
	e.cum_qty = o ? o->cum_qty : 0;
	e.exec_type = exec_type;
	e.status = o ? o->state : TT_OS_REJECTED;
	e.side = side;
	e.reason = reason;
	if (oe->p.out && tt_unlikely(tt_ring_push(oe->p.out, &e, sizeof(e)) < 0))
		oe->c.exec_drops++;	/* lossless ring full: strategy is stuck; counted */
	if (oe->p.gui)
		(void)tt_ring_push(oe->p.gui, &e, sizeof(e));
	if (oe->p.analytics) {
		/* tt-analytics keys rows by h.seq: this one never repeats across restarts
		 * (exec_seq starts at 1 again in every incarnation) */
		e.h.seq = ++oe->an_seq;
		(void)tt_ring_push(oe->p.analytics, &e, sizeof(e));
	}
}

static struct tt_oe_req *req_new(struct tt_oe *oe, uint8_t kind, uint64_t cl, uint16_t instr)
{
	uint64_t id = ++oe->next_req;
	struct tt_oe_req *r = &oe->pending[id & (TT_OE_PENDING - 1)];

	/* an unanswered request this old is lost with its connection; overwrite */
	r->id = id;
	r->kind = kind;
	r->cl_ord_id = cl;
	r->new_cl_ord_id = 0;
	r->instr = instr;
	return r;
}

static struct tt_oe_req *req_find(struct tt_oe *oe, uint64_t id)
{
	struct tt_oe_req *r = &oe->pending[id & (TT_OE_PENDING - 1)];

	return r->id == id && r->kind != TT_OE_REQ_FREE ? r : NULL;
}

static int send_req(struct tt_oe *oe, int len)
{
	int rc;

	if (len < 0)
		return len;
	rc = oe->p.tx.send(oe->p.tx.ctx, oe->txbuf, (size_t)len);
	if (tt_unlikely(rc < 0))
		oe->c.send_errors++;
	return rc;
}

/* Own best resting prices for self-trade prevention (off the intent path). */
/* Position and P&L of instr into the stats block's gauges (tt-engine's /metrics). */
static inline void publish_position(const struct tt_oe *oe, uint16_t instr)
{
	tt_stats_instr_set(instr, oe->risk.in[instr].position, tt_risk_instr_pnl(&oe->risk, instr));
}

static void refresh_own_best(struct tt_oe *oe, uint16_t instr)
{
	tt_px_t bid = 0, ask = 0;

	for (uint32_t i = 0; i < TT_OE_MAX_ORDERS; i++) {
		const struct tt_order *o = &oe->slots[i];

		if (o->instr != instr || !tt_order_is_open(o) || o->type == TT_ORD_MARKET)
			continue;
		if (o->side == TT_SIDE_BUY && o->px > bid)
			bid = o->px;
		if (o->side == TT_SIDE_SELL && (ask == 0 || o->px < ask))
			ask = o->px;
	}
	tt_risk_set_own_best(&oe->risk, instr, bid, ask);
}

/* Drops terminal orders (their records stay in the journal) and rebuilds the table with
 * the open ones, so no tombstones lengthen later probes. Called only when the table is
 * too full to add (cold). Returns the orders dropped. */
static uint32_t retire_terminal(struct tt_order_table *t)
{
	static struct tt_order keep[TT_OE_MAX_ORDERS];
	struct tt_order_stats st = t->st;
	uint32_t n = 0, cap = t->mask + 1, dropped = 0;

	for (uint32_t i = 0; i < cap && i < TT_OE_MAX_ORDERS; i++) {
		const struct tt_order *o = &t->slots[i];

		if (o->state == TT_OS_FREE)
			continue;
		if (tt_order_is_open(o))
			keep[n++] = *o;
		else
			dropped++;
	}
	if (!dropped || tt_order_table_init(t, t->slots, cap) < 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct tt_msg_order m = { .h.instr = keep[i].instr, .cl_ord_id = keep[i].cl_ord_id };
		struct tt_order *slot;

		if (tt_order_add(t, &m) < 0 || !(slot = tt_order_find(t, keep[i].cl_ord_id)))
			continue;	/* cannot happen: fewer orders than before */
		*slot = keep[i];
	}
	t->open = n;
	t->st = st;
	return dropped;
}

/* tt_order_add, retiring terminal orders once if the table is full. */
static int order_add(struct tt_order_table *t, const struct tt_msg_order *o)
{
	int rc = tt_order_add(t, o);

	if (tt_unlikely(rc == -ENOSPC) && retire_terminal(t) > 0)
		rc = tt_order_add(t, o);
	return rc;
}

static uint32_t reject_intent(struct tt_oe *oe, const struct tt_msg_order *o, uint8_t exec_type,
			      uint32_t reason, int64_t limit, int64_t value)
{
	if (exec_type == TT_EXEC_RISK_REJECT)
		oe->c.risk_rejects++;
	else
		oe->c.filter_rejects++;
	oe->c.rejects++;
	tt_stats_reject(reason, tt_oe_reason_name(reason));
	if (exec_type == TT_EXEC_RISK_REJECT)
		tt_logh(risk_reject, o->cl_ord_id, o->h.instr, reason, value);
	else
		tt_logh(order_rejected, o->cl_ord_id, o->h.instr, reason);
	tt_log(TT_LOG_WARN, "oe_reject", TT_LU("cl_ord_id", o->cl_ord_id),
	       TT_LS("reason", tt_oe_reason_name(reason)), TT_LI("limit", limit),
	       TT_LI("value", value), TT_LU("instr", o->h.instr));
	publish_exec(oe, NULL, o->cl_ord_id, o->h.instr, o->side, exec_type, 0, 0, reason,
		     o->h.t_rx);
	return reason;
}

/* ---- intents ---- */

static uint32_t place(struct tt_oe *oe, const struct tt_msg_order *o, uint64_t t_in)
{
	struct tt_risk_reject rej = { 0 };
	const struct tt_bn_instr *in;
	struct tt_bn_order_req rq;
	struct tt_oe_req *req;
	enum tt_risk_reason rr;
	uint64_t t_risk, t_enc, t_sent, jseq;
	uint32_t fr;
	int idx = 0, len;

	oe->c.intents++;
	tt_stat_inc(oe_intents);
	if (tt_unlikely(oe->state != TT_OE_READY || oe->sticky))
		return reject_intent(oe, o, TT_EXEC_REJECTED, TT_OE_R_NOT_READY, 0, oe->state);
	in = instr_of(oe, o->h.instr, &idx);
	if (tt_unlikely(!in))
		return reject_intent(oe, o, TT_EXEC_RISK_REJECT, TT_RISK_UNKNOWN_INSTR, 0,
				     o->h.instr);
	fr = tt_oe_filter_check(&oe->filters[idx], o, oe->risk.in[o->h.instr].ref_ask);
	if (tt_unlikely(fr))
		return reject_intent(oe, o, TT_EXEC_REJECTED, fr, 0, o->px);
	rr = tt_risk_check_order(&oe->risk, o, tt_clock_to_ns(t_in), &rej);
	if (tt_unlikely(rr != TT_RISK_OK))
		return reject_intent(oe, o, TT_EXEC_RISK_REJECT, rr, rej.limit, rej.value);
	if (tt_unlikely(tt_order_find(&oe->orders, o->cl_ord_id)))
		return reject_intent(oe, o, TT_EXEC_REJECTED, TT_OE_R_DUP_ID, 0,
				     (int64_t)o->cl_ord_id);
	if (tt_unlikely(order_add(&oe->orders, o) < 0))
		return reject_intent(oe, o, TT_EXEC_REJECTED, TT_OE_R_TABLE_FULL, 0, 0);
	t_risk = tt_clock_now();
	journal(oe, TT_JREC_INTENT, tt_order_find(&oe->orders, o->cl_ord_id), o->cl_ord_id, o->px,
		o->qty, (int64_t)o->type | ((int64_t)o->tif << 8), 0);
	rq.symbol = in->symbol;
	rq.px = o->px;
	rq.qty = o->qty;
	rq.cl_ord_id = o->cl_ord_id;
	rq.ts_ms = wall_ms();
	rq.side = o->side;
	rq.type = o->type;
	rq.tif = o->tif;
	/* with a user data stream the ACK is enough (fills come as executionReports);
	 * HMAC sessions may have none, so they ask for the fills in the answer */
	rq.resp_type = oe->p.signer.mode == TT_BN_AUTH_SESSION ? TT_BN_RESP_ACK : TT_BN_RESP_FULL;
	rq.px_scale = in->px_scale;
	rq.qty_scale = in->qty_scale;
	rq.cause = o->h.flags; /* causing book update id (tt_msg.h), for the venue's w2w */
	req = req_new(oe, TT_OE_REQ_PLACE, o->cl_ord_id, o->h.instr);
	len = tt_bn_enc_order_place(oe->txbuf, sizeof(oe->txbuf), req->id, &oe->p.signer, &rq);
	t_enc = tt_clock_now();
	if (tt_unlikely(len < 0 || send_req(oe, len) < 0)) {
		uint32_t reason = len < 0 ? TT_OE_R_ENCODE : TT_OE_R_SEND;

		req->kind = TT_OE_REQ_FREE;
		ign(tt_order_done(&oe->orders, o->cl_ord_id, TT_OS_REJECTED));
		journal(oe, TT_JREC_REJECT, tt_order_find(&oe->orders, o->cl_ord_id), o->cl_ord_id,
			reason, 0, 0, 0);
		oe->c.rejects++;
		tt_stats_reject(reason, tt_oe_reason_name(reason));
		tt_logh(order_rejected, o->cl_ord_id, o->h.instr, reason);
		publish_exec(oe, tt_order_find(&oe->orders, o->cl_ord_id), o->cl_ord_id,
			     o->h.instr, o->side, TT_EXEC_REJECTED, 0, 0, reason, o->h.t_rx);
		return reason;
	}
	t_sent = tt_clock_now();
	jseq = journal(oe, TT_JREC_SEND, tt_order_find(&oe->orders, o->cl_ord_id), o->cl_ord_id, 0,
		       0, (int64_t)req->id, 0);
	ign(tt_order_sent(&oe->orders, o->cl_ord_id));
	tt_risk_on_sent(&oe->risk, o);
	if (o->type != TT_ORD_MARKET) {
		struct tt_risk_instr *ri = &oe->risk.in[o->h.instr];

		if (o->side == TT_SIDE_BUY && o->px > ri->own_best_bid)
			ri->own_best_bid = o->px;
		else if (o->side == TT_SIDE_SELL && (!ri->own_best_ask || o->px < ri->own_best_ask))
			ri->own_best_ask = o->px;
	}
	oe->c.sent++;
	tt_stat_inc(oe_orders);
	if (oe->p.analytics && jseq) {
		/* the sent order for tt-analytics (lossy side ring, analytics/README.md): h.seq
		 * is the SEND record's journal seq, h.flags the internal t2t in ticks (send −
		 * t_rx, saturating), not the cause */
		struct tt_msg_order a = *o;
		uint64_t d = o->h.t_rx && t_sent > o->h.t_rx ? t_sent - o->h.t_rx : 0;

		a.h.seq = jseq;
		a.h.flags = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		(void)tt_ring_push(oe->p.analytics, &a, sizeof(a));
	}
	tt_logh(order_sent, o->cl_ord_id, o->h.instr, tt_fixed_to8(o->px, in->px_scale),
		o->h.t_rx ? tt_clock_delta_ns(o->h.t_rx, t_sent) : 0);
	tt_stat_ns(oe_risk, tt_clock_delta_ns(t_in, t_risk));
	tt_stat_ns(oe_send, tt_clock_delta_ns(t_enc, t_sent));
	if (o->h.t_rx)
		tt_stat_ns(t2t, tt_clock_delta_ns(o->h.t_rx, t_sent));
	if (o->h.t_rx) {
		/* upstream stages from the deltas the intent carries (ticks since t_rx) */
		uint64_t md = o->t_md_pub_d, srx = o->t_strat_rx_d, dec = o->t_decided_d;
		uint64_t got = t_in - o->h.t_rx;

		if (md && srx >= md && dec >= srx && got >= dec) {
			tt_hist_record(&oe->hist[TT_OE_ST_MD_PUB], (uint64_t)tt_clock_delta_ns(0, md));
			tt_hist_record(&oe->hist[TT_OE_ST_STRAT_RX],
				       (uint64_t)tt_clock_delta_ns(md, srx));
			tt_hist_record(&oe->hist[TT_OE_ST_DECIDE],
				       (uint64_t)tt_clock_delta_ns(srx, dec));
			tt_hist_record(&oe->hist[TT_OE_ST_TO_OE], (uint64_t)tt_clock_delta_ns(dec, got));
		}
		tt_hist_record(&oe->hist[TT_OE_ST_T2T], (uint64_t)tt_clock_delta_ns(o->h.t_rx, t_sent));
	}
	tt_hist_record(&oe->hist[TT_OE_ST_RISK], (uint64_t)tt_clock_delta_ns(t_in, t_risk));
	tt_hist_record(&oe->hist[TT_OE_ST_ENCODE], (uint64_t)tt_clock_delta_ns(t_risk, t_enc));
	tt_hist_record(&oe->hist[TT_OE_ST_SEND], (uint64_t)tt_clock_delta_ns(t_enc, t_sent));
	return 0;
}

static uint32_t cancel(struct tt_oe *oe, const struct tt_msg_cancel *m)
{
	struct tt_risk_reject rej = { 0 };
	struct tt_order *o = tt_order_find(&oe->orders, m->cl_ord_id);
	const struct tt_bn_instr *in;
	struct tt_oe_req *req;
	int len;

	oe->c.cancels++;
	tt_stat_inc(oe_cancels);
	tt_logh(order_cancel_sent, m->cl_ord_id, m->h.instr);
	if (!o || !tt_order_is_open(o) || o->state == TT_OS_NEW || oe->state == TT_OE_DOWN) {
		publish_exec(oe, o, m->cl_ord_id, m->h.instr, o ? o->side : 0, TT_EXEC_REJECTED, 0,
			     0, o ? TT_OE_R_NOT_READY : TT_OE_R_VENUE_NO_SUCH_ORDER, m->h.t_rx);
		return o ? TT_OE_R_NOT_READY : TT_OE_R_VENUE_NO_SUCH_ORDER;
	}
	if (o->pending_cancel)
		return 0;	/* one cancel in flight is enough */
	if (tt_risk_check_cancel(&oe->risk, tt_clock_ns_now(), &rej) != TT_RISK_OK) {
		struct tt_msg_order fake = { .h = m->h, .cl_ord_id = m->cl_ord_id, .side = o->side };

		return reject_intent(oe, &fake, TT_EXEC_RISK_REJECT, rej.reason, rej.limit,
				     rej.value);
	}
	in = instr_of(oe, o->instr, NULL);
	if (!in)
		return TT_RISK_UNKNOWN_INSTR;
	if (m->new_cl_ord_id) {
		struct tt_msg_order no = { .h = m->h, .cl_ord_id = m->new_cl_ord_id,
					   .px = m->new_px, .qty = m->new_qty, .side = o->side,
					   .type = o->type, .tif = o->tif };
		struct tt_bn_order_req rq = { in->symbol, m->new_px, m->new_qty, m->new_cl_ord_id,
					      wall_ms(), o->side, o->type, o->tif,
					      TT_BN_RESP_ACK, in->px_scale, in->qty_scale, 0 };
		enum tt_risk_reason rr;

		no.h.kind = TT_MSG_ORDER;
		no.h.instr = o->instr;
		rr = tt_risk_check_replace(&oe->risk, &no, o->qty - o->cum_qty, tt_clock_ns_now(),
					   &rej);
		if (rr != TT_RISK_OK)
			return reject_intent(oe, &no, TT_EXEC_RISK_REJECT, rr, rej.limit, rej.value);
		if (order_add(&oe->orders, &no) < 0)
			return reject_intent(oe, &no, TT_EXEC_REJECTED, TT_OE_R_DUP_ID, 0, 0);
		journal(oe, TT_JREC_INTENT, tt_order_find(&oe->orders, no.cl_ord_id), no.cl_ord_id,
			no.px, no.qty, (int64_t)no.type | ((int64_t)no.tif << 8), 0);
		journal(oe, TT_JREC_CANCEL, o, o->cl_ord_id, 0, 0, 0, 0);
		req = req_new(oe, TT_OE_REQ_REPLACE, o->cl_ord_id, o->instr);
		req->new_cl_ord_id = no.cl_ord_id;
		len = tt_bn_enc_cancel_replace(oe->txbuf, sizeof(oe->txbuf), req->id,
					       &oe->p.signer, &rq, o->cl_ord_id);
		if (send_req(oe, len) < 0)
			return TT_OE_R_SEND;
		journal(oe, TT_JREC_SEND, tt_order_find(&oe->orders, no.cl_ord_id), no.cl_ord_id,
			0, 0, (int64_t)req->id, 0);
		ign(tt_order_sent(&oe->orders, no.cl_ord_id));
		tt_risk_on_sent(&oe->risk, &no);
		ign(tt_order_cancel_sent(&oe->orders, o->cl_ord_id));
		return 0;
	}
	journal(oe, TT_JREC_CANCEL, o, o->cl_ord_id, 0, 0, 0, 0);
	req = req_new(oe, TT_OE_REQ_CANCEL, o->cl_ord_id, o->instr);
	len = tt_bn_enc_order_cancel(oe->txbuf, sizeof(oe->txbuf), req->id, &oe->p.signer,
				     in->symbol, o->cl_ord_id, 0, wall_ms());
	if (send_req(oe, len) < 0)
		return TT_OE_R_SEND;
	ign(tt_order_cancel_sent(&oe->orders, o->cl_ord_id));
	return 0;
}

uint32_t tt_oe_on_intent(struct tt_oe *oe, const union tt_msg *m, uint64_t t_in)
{
	if (m->h.kind == TT_MSG_ORDER)
		return place(oe, &m->order, t_in);
	if (m->h.kind == TT_MSG_CANCEL)
		return cancel(oe, &m->cancel);
	tt_log(TT_LOG_WARN, "oe_intent_unknown_kind", TT_LU("kind", m->h.kind));
	return TT_OE_R_ENCODE;
}

/* ---- venue outcomes (shared by events, responses and reconciliation) ---- */

static void on_ack(struct tt_oe *oe, struct tt_order *o, uint64_t venue_id, uint64_t t_rx)
{
	if (o->state != TT_OS_SENT && o->state != TT_OS_NEW)
		return;		/* already acked (event and response both say so) */
	if (o->state == TT_OS_NEW)
		ign(tt_order_sent(&oe->orders, o->cl_ord_id));
	journal(oe, TT_JREC_ACK, o, o->cl_ord_id, 0, 0, (int64_t)venue_id, 0);
	ign(tt_order_acked(&oe->orders, o->cl_ord_id, venue_id));
	oe->c.acks++;
	tt_stat_inc(oe_acks);
	tt_logh(order_acked, o->cl_ord_id, o->instr, venue_id);
	publish_exec(oe, o, o->cl_ord_id, o->instr, o->side, TT_EXEC_NEW, 0, 0, 0, t_rx);
}

static void on_fill(struct tt_oe *oe, struct tt_order *o, tt_qty_t cum, tt_px_t px,
		    int64_t trade_id, uint64_t venue_id, uint64_t t_rx)
{
	struct tt_fill f;
	int rc;

	if (o->state == TT_OS_NEW)
		ign(tt_order_sent(&oe->orders, o->cl_ord_id));
	if (cum <= o->cum_qty) {
		oe->c.dup_fills++;
		return;
	}
	if (cum > o->qty) {
		tt_log(TT_LOG_ERROR, "oe_fill_over_qty", TT_LU("cl_ord_id", o->cl_ord_id),
		       TT_LI("cum", cum), TT_LI("qty", o->qty));
		return;
	}
	/* journal first: the record says what is about to be applied */
	journal(oe, TT_JREC_FILL, o, o->cl_ord_id, px, cum - o->cum_qty, trade_id,
		(int64_t)venue_id);
	rc = tt_order_exec(&oe->orders, o->cl_ord_id, cum, px, &f);
	if (rc != 1)
		return;
	oe->c.fills++;
	tt_stat_inc(oe_fills);
	if (tt_log_enabled((enum tt_log_level)TT_EVL_order_fill)) {
		const struct tt_bn_instr *in = instr_of(oe, o->instr, NULL);

		tt_logh(order_fill, o->cl_ord_id, o->instr, in ? tt_fixed_to8(px, in->px_scale) : px,
			in ? tt_fixed_to8(f.last_qty, in->qty_scale) : f.last_qty);
	}
	tt_risk_on_fill(&oe->risk, o->instr, o->side, px, f.last_qty);
	publish_position(oe, o->instr);
	if (o->state == TT_OS_FILLED && !f.late) {
		tt_risk_on_done(&oe->risk, o->instr, o->side, o->px, 0);
		refresh_own_best(oe, o->instr);
	}
	publish_exec(oe, o, o->cl_ord_id, o->instr, o->side, TT_EXEC_TRADE, px, f.last_qty, 0,
		     t_rx);
}

/* Whether order cl has a FILL for venue trade tid in the journal: a scan of the whole
 * journal, so cold only (myTrades answers). */
static bool trade_journaled(const struct tt_oe *oe, uint64_t cl, int64_t tid)
{
	for (uint64_t s = 1; s < oe->j.next_seq; s++) {
		const struct tt_jrec *r = &oe->j.map[s];

		if (r->type == TT_JREC_FILL && r->cl_ord_id == cl && r->c == tid)
			return true;
	}
	return false;
}

/* One venue trade of o: qty at px, trade id tid (>= 0), journaled and applied. The caller
 * has established that it is not journaled yet. True when applied. */
static bool on_trade(struct tt_oe *oe, struct tt_order *o, tt_qty_t qty, tt_px_t px, int64_t tid,
		     uint64_t venue_id, uint64_t t_rx)
{
	uint64_t before = oe->c.fills;

	on_fill(oe, o, o->cum_qty + qty, px, tid, venue_id, t_rx);
	if (oe->c.fills == before)
		return false;
	if (tid > o->last_trade_id)
		o->last_trade_id = tid;
	return true;
}

#define TT_OE_TRADES_LIMIT 1000	/* myTrades page (the venue's maximum) */

/* A myTrades request for order o is in flight. */
static bool trades_pending(const struct tt_oe *oe, uint64_t cl)
{
	for (uint32_t i = 0; i < TT_OE_PENDING; i++)
		if (oe->pending[i].kind == TT_OE_REQ_TRADES && oe->pending[i].cl_ord_id == cl)
			return true;
	return false;
}

/* Asks the venue for o's trades (orderId, from trade id from_id, -1 = all). While
 * reconciling (RECONCILE / CANCEL_ALL) the answer is awaited before READY. 0 or -errno. */
static int query_trades(struct tt_oe *oe, const struct tt_order *o, uint64_t venue_id,
			int64_t from_id, bool staged)
{
	const struct tt_bn_instr *in = instr_of(oe, o->instr, NULL);
	struct tt_oe_req *r;
	int len, rc;

	if (!in || !venue_id)
		return -EINVAL;
	r = req_new(oe, TT_OE_REQ_TRADES, o->cl_ord_id, o->instr);
	r->venue_id = venue_id;
	len = tt_bn_enc_my_trades(oe->txbuf, sizeof(oe->txbuf), r->id, &oe->p.signer, in->symbol,
				  venue_id, from_id, TT_OE_TRADES_LIMIT, wall_ms());
	rc = send_req(oe, len);
	if (rc < 0) {
		r->kind = TT_OE_REQ_FREE;
		return rc;
	}
	oe->c.trade_queries++;
	r->staged = staged || oe->state == TT_OE_RECONCILE || oe->state == TT_OE_CANCEL_ALL;
	if (r->staged && !staged)
		oe->awaiting++;
	return 0;
}

/* The venue says o executed cum in all (an order picture without its trades): fetch the
 * trades we lack. Where that is impossible (venue id unknown, request not sent), book the
 * difference at the order's limit price: the quantity is exact, the cash an estimate. */
static void missing_fills(struct tt_oe *oe, struct tt_order *o, tt_qty_t cum, uint64_t venue_id,
			  uint64_t t_rx)
{
	if (!venue_id)
		venue_id = o->venue_id;
	if (trades_pending(oe, o->cl_ord_id) || query_trades(oe, o, venue_id, -1, false) == 0)
		return;
	tt_log(TT_LOG_WARN, "oe_fill_estimated", TT_LU("cl_ord_id", o->cl_ord_id),
	       TT_LI("cum", cum), TT_LI("px", o->px));
	on_fill(oe, o, cum, o->px, -1, venue_id, t_rx);
}

static void on_done(struct tt_oe *oe, struct tt_order *o, enum tt_ord_state outcome,
		    uint32_t reason, uint64_t t_rx)
{
	int64_t leaves;
	uint8_t et = outcome == TT_OS_CANCELED	 ? TT_EXEC_CANCELED
		     : outcome == TT_OS_EXPIRED ? TT_EXEC_EXPIRED
						 : TT_EXEC_REJECTED;

	if (!tt_order_is_open(o))
		return;
	if (outcome == TT_OS_REJECTED && o->cum_qty > 0)
		outcome = TT_OS_CANCELED;
	journal(oe, outcome == TT_OS_REJECTED ? TT_JREC_REJECT : TT_JREC_CANCELED, o,
		o->cl_ord_id, reason, outcome, 0, 0);
	{
		bool was_sent = o->state != TT_OS_NEW;

		leaves = tt_order_done(&oe->orders, o->cl_ord_id, outcome);
		if (leaves >= 0 && was_sent)
			tt_risk_on_done(&oe->risk, o->instr, o->side, o->px, leaves);
	}
	if (outcome == TT_OS_REJECTED) {
		oe->c.rejects++;
		oe->c.venue_rejects++;
		tt_stats_reject(reason, tt_oe_reason_name(reason));
		tt_logh(order_rejected, o->cl_ord_id, o->instr, reason);
	} else {
		tt_logh(order_cancelled, o->cl_ord_id, o->instr);
	}
	refresh_own_best(oe, o->instr);
	publish_exec(oe, o, o->cl_ord_id, o->instr, o->side, et, 0, 0, reason, t_rx);
}

struct trades_ctx {
	struct tt_oe *oe;
	uint64_t cl;		/* the order asked about */
	uint64_t t_rx;
	bool recovered;		/* myTrades: journal a RECONCILE record per trade */
	int64_t last_id;	/* highest trade id seen in the answer */
	tt_qty_t estimated;	/* qty booked without a trade id (estimates), not yet matched */
};

/* The part of o's filled qty journaled without a trade id (estimated fills). Cold. */
static tt_qty_t estimated_qty(const struct tt_oe *oe, const struct tt_order *o)
{
	tt_qty_t known = 0;

	for (uint64_t s = 1; s < oe->j.next_seq; s++) {
		const struct tt_jrec *r = &oe->j.map[s];

		if (r->type == TT_JREC_FILL && r->cl_ord_id == o->cl_ord_id && r->c >= 0)
			known += r->b;
	}
	return o->cum_qty > known ? o->cum_qty - known : 0;
}

/* One FULL "fills" element: trades of this order in id order, so one we have is one at or
 * below the order's last trade id. */
static int each_fill(const struct tt_bn_trade *tr, void *arg)
{
	struct trades_ctx *c = arg;
	struct tt_order *o = tt_order_find(&c->oe->orders, c->cl);

	if (!o)
		return 0;
	if ((int64_t)tr->id <= o->last_trade_id) {
		c->oe->c.dup_fills++;
		return 0;
	}
	(void)on_trade(c->oe, o, tr->qty, tr->px, (int64_t)tr->id, o->venue_id, c->t_rx);
	return 0;
}

/* One myTrades element: each trade of the order not in the journal yet is journaled
 * (RECONCILE 4 = missed trade, then FILL at its own price and id). */
static int each_trade(const struct tt_bn_trade *tr, void *arg)
{
	struct trades_ctx *c = arg;
	struct tt_order *o = tt_order_find(&c->oe->orders, c->cl);

	if ((int64_t)tr->id > c->last_id)
		c->last_id = (int64_t)tr->id;
	if (!o || (o->venue_id && tr->venue_id != o->venue_id) || tr->instr != o->instr)
		return 0;
	if (trade_journaled(c->oe, o->cl_ord_id, (int64_t)tr->id)) {
		c->oe->c.dup_fills++;
		return 0;
	}
	if (c->estimated >= tr->qty) {
		/* booked earlier as an estimate (no trade id): oldest trades first */
		c->estimated -= tr->qty;
		return 0;
	}
	journal(c->oe, TT_JREC_RECONCILE, o, o->cl_ord_id, 4 /* missed trade */, tr->qty,
		(int64_t)tr->id, (int64_t)tr->venue_id);
	c->oe->c.reconciled++;
	if (on_trade(c->oe, o, tr->qty, tr->px, (int64_t)tr->id, tr->venue_id, c->t_rx))
		c->oe->c.trades_recovered++;
	return 0;
}

/* A full picture of one order from the venue (status query, open orders, cancelAll,
 * execution report): bring ours in line, journaling differences. */
static void apply_venue_order(struct tt_oe *oe, const struct tt_bn_order *v, uint64_t known_id,
			      bool reconcile, uint64_t t_rx)
{
	uint64_t id = v->orig_cl_ord_id && (v->status == TT_BN_S_CANCELED) ? v->orig_cl_ord_id
									   : v->cl_ord_id;
	struct tt_order *o;

	if (known_id)
		id = known_id;	/* the answer to a request about this order */
	if (!id && v->orig_cl_ord_id)
		id = v->orig_cl_ord_id;
	if (!id) {
		oe->c.foreign_reports++;
		return;
	}
	o = tt_order_find(&oe->orders, id);
	if (!o) {
		oe->c.unknown_reports++;
		tt_log(TT_LOG_WARN, "oe_unknown_order", TT_LU("cl_ord_id", id),
		       TT_LU("venue_id", v->venue_id), TT_LU("status", v->status));
		if (reconcile) {
			journal(oe, TT_JREC_RECONCILE, NULL, id, 1 /* unknown at venue */, v->cum_qty,
				(int64_t)v->venue_id, v->status);
			oe->c.reconciled++;
		}
		return;
	}
	if (reconcile && (v->cum_qty != o->cum_qty ||
			  (v->status >= TT_BN_S_FILLED && tt_order_is_open(o)))) {
		journal(oe, TT_JREC_RECONCILE, o, id, 2 /* state differs */, v->cum_qty,
			(int64_t)v->venue_id, v->status);
		oe->c.reconciled++;
	}
	if (v->venue_id && (o->state == TT_OS_SENT || o->state == TT_OS_NEW))
		on_ack(oe, o, v->venue_id, t_rx);
	if (v->cum_qty > o->cum_qty && v->fills) {
		/* order.place FULL: its trades are in the answer */
		struct trades_ctx c = { oe, o->cl_ord_id, t_rx, false, 0, 0 };
		const struct tt_bn_instr *in = instr_of(oe, o->instr, NULL);
		struct tt_bn_perr e;

		if (!in || tt_bn_decode_fills(v->fills, v->fills_len, in, each_fill, &c, &e) < 0)
			oe->c.decode_errors++;
	}
	if (v->cum_qty > o->cum_qty)
		missing_fills(oe, o, v->cum_qty, v->venue_id, t_rx);
	switch (v->status) {
	case TT_BN_S_CANCELED:
	case TT_BN_S_PENDING_CANCEL:
		on_done(oe, o, TT_OS_CANCELED, 0, t_rx);
		break;
	case TT_BN_S_EXPIRED:
	case TT_BN_S_EXPIRED_IN_MATCH:
		on_done(oe, o, TT_OS_EXPIRED, 0, t_rx);
		break;
	case TT_BN_S_REJECTED:
		on_done(oe, o, TT_OS_REJECTED, TT_OE_R_VENUE_ORDER_REJECTED, t_rx);
		break;
	default:
		break;
	}
}

static void on_exec_report(struct tt_oe *oe, const struct tt_bn_order *v, uint64_t t_rx)
{
	uint64_t id = v->exec_type == TT_BN_X_CANCELED && v->orig_cl_ord_id ? v->orig_cl_ord_id
									   : v->cl_ord_id;
	struct tt_order *o;

	if (!id) {
		oe->c.foreign_reports++;
		return;
	}
	o = tt_order_find(&oe->orders, id);
	if (!o) {
		oe->c.unknown_reports++;
		tt_log(TT_LOG_WARN, "oe_unknown_report", TT_LU("cl_ord_id", id),
		       TT_LU("venue_id", v->venue_id));
		return;
	}
	switch (v->exec_type) {
	case TT_BN_X_NEW:
		on_ack(oe, o, v->venue_id, t_rx);
		break;
	case TT_BN_X_TRADE:
		if (o->state == TT_OS_SENT)
			on_ack(oe, o, v->venue_id, t_rx);
		if (v->trade_id < 0 || v->last_qty <= 0) {
			/* no trade identity: by cumulative quantity, as before */
			on_fill(oe, o, v->cum_qty, v->last_px, v->trade_id, v->venue_id, t_rx);
			break;
		}
		/* the stream is in trade order: an id at or below the last one is a repeat
		 * (a trade that was missed comes back through myTrades, checked exactly) */
		if (v->trade_id <= o->last_trade_id)
			oe->c.dup_fills++;
		else
			(void)on_trade(oe, o, v->last_qty, v->last_px, v->trade_id, v->venue_id, t_rx);
		if (v->cum_qty > o->cum_qty)
			missing_fills(oe, o, v->cum_qty, v->venue_id, t_rx);	/* a gap */
		break;
	case TT_BN_X_CANCELED:
		on_done(oe, o, TT_OS_CANCELED, 0, t_rx);
		break;
	case TT_BN_X_EXPIRED:
	case TT_BN_X_TRADE_PREVENTION:
		if (v->cum_qty > o->cum_qty)
			missing_fills(oe, o, v->cum_qty, v->venue_id, t_rx);
		on_done(oe, o, TT_OS_EXPIRED, 0, t_rx);
		break;
	case TT_BN_X_REJECTED:
		on_done(oe, o, TT_OS_REJECTED, TT_OE_R_VENUE_ORDER_REJECTED, t_rx);
		break;
	default:
		break;
	}
}

/* ---- session ---- */

static void go_ready(struct tt_oe *oe)
{
	oe->state = TT_OE_READY;
	tt_log(TT_LOG_INFO, "oe_ready", TT_LU("open_orders", oe->orders.open),
	       TT_LU("reconciled", oe->c.reconciled));
}

static void send_cancel_all(struct tt_oe *oe)
{
	for (uint32_t i = 0; i < oe->symtab.n; i++) {
		struct tt_oe_req *r = req_new(oe, TT_OE_REQ_CANCEL_ALL, 0, oe->instr[i].id);
		int len = tt_bn_enc_cancel_all(oe->txbuf, sizeof(oe->txbuf), r->id, &oe->p.signer,
					       oe->instr[i].symbol, wall_ms());

		if (send_req(oe, len) == 0 && oe->state == TT_OE_CANCEL_ALL)
			oe->awaiting++;
	}
}

static void start_cancel_all(struct tt_oe *oe)
{
	oe->state = TT_OE_CANCEL_ALL;
	oe->awaiting = 0;
	send_cancel_all(oe);
	if (!oe->awaiting)
		go_ready(oe);
}

static void start_reconcile(struct tt_oe *oe)
{
	oe->state = TT_OE_RECONCILE;
	oe->awaiting = 0;
	for (uint32_t i = 0; i < TT_OE_MAX_ORDERS; i++) {
		struct tt_order *o = &oe->slots[i];
		const struct tt_bn_instr *in;
		struct tt_oe_req *r;
		int len;

		if (!tt_order_is_open(o) || !(in = instr_of(oe, o->instr, NULL)))
			continue;
		r = req_new(oe, TT_OE_REQ_STATUS, o->cl_ord_id, o->instr);
		len = tt_bn_enc_order_status(oe->txbuf, sizeof(oe->txbuf), r->id, &oe->p.signer,
					     in->symbol, o->cl_ord_id, wall_ms());
		if (send_req(oe, len) == 0) {
			oe->awaiting++;
			oe->c.status_queries++;
		}
	}
	{
		struct tt_oe_req *r = req_new(oe, TT_OE_REQ_OPEN_ORDERS, 0, 0);
		int len = tt_bn_enc_open_orders(oe->txbuf, sizeof(oe->txbuf), r->id,
						&oe->p.signer, NULL, wall_ms());

		if (send_req(oe, len) == 0)
			oe->awaiting++;
	}
	if (!oe->awaiting)
		start_cancel_all(oe);
}

static void start_subscribe(struct tt_oe *oe)
{
	struct tt_oe_req *r;
	int len;

	oe->state = TT_OE_SUBSCRIBE;
	r = req_new(oe, TT_OE_REQ_SUBSCRIBE, 0, 0);
	if (oe->p.signer.mode != TT_BN_AUTH_SESSION)
		/* HMAC keys cannot log on: the signed subscription instead. Where the venue
		 * refuses it, order answers (newOrderRespType FULL) and status queries are
		 * the only source of fills: see on_response. */
		len = tt_bn_enc_subscribe_signature(oe->txbuf, sizeof(oe->txbuf), r->id,
						    &oe->p.signer, wall_ms());
	else
		len = tt_bn_enc_subscribe(oe->txbuf, sizeof(oe->txbuf), r->id);
	(void)send_req(oe, len);
}

void tt_oe_on_connected(struct tt_oe *oe)
{
	tt_log(TT_LOG_INFO, "oe_connected", TT_LU("open_orders", oe->orders.open));
	if (oe->p.signer.mode == TT_BN_AUTH_SESSION && oe->p.ed25519) {
		struct tt_oe_req *r = req_new(oe, TT_OE_REQ_LOGON, 0, 0);
		int len = tt_bn_enc_logon(oe->txbuf, sizeof(oe->txbuf), r->id, oe->p.api_key,
					  wall_ms(), oe->p.ed25519);

		oe->state = TT_OE_LOGON;
		if (send_req(oe, len) < 0)
			tt_log(TT_LOG_ERROR, "oe_logon_send_failed", TT_LI("rc", len));
		return;
	}
	start_subscribe(oe);
}

void tt_oe_on_disconnected(struct tt_oe *oe)
{
	tt_log(TT_LOG_WARN, "oe_disconnected", TT_LS("state", tt_oe_state_name(oe->state)),
	       TT_LU("open_orders", oe->orders.open));
	oe->state = TT_OE_DOWN;
	oe->awaiting = 0;
	/* requests in flight died with the connection; their orders are queried on the
	 * next connect (RECONCILE) */
	memset(oe->pending, 0, sizeof(oe->pending));
}

void tt_oe_kill(struct tt_oe *oe, bool on)
{
	oe->killed = on;
	tt_risk_kill(&oe->risk, on);
	tt_log(TT_LOG_WARN, "oe_kill_switch", TT_LB("on", on), TT_LU("open_orders", oe->orders.open));
	if (on && oe->state != TT_OE_DOWN)
		send_cancel_all(oe);
}

/* ---- responses ---- */

static void stage_done(struct tt_oe *oe)
{
	if (oe->awaiting)
		oe->awaiting--;
	if (oe->awaiting)
		return;
	if (oe->state == TT_OE_RECONCILE)
		start_cancel_all(oe);
	else if (oe->state == TT_OE_CANCEL_ALL)
		go_ready(oe);
}

struct orders_ctx {
	struct tt_oe *oe;
	bool reconcile;
	uint64_t t_rx;
};

static int each_order(const struct tt_bn_order *v, void *arg)
{
	struct orders_ctx *c = arg;

	apply_venue_order(c->oe, v, 0, c->reconcile, c->t_rx);
	return 0;
}

static void query_status(struct tt_oe *oe, uint64_t cl, uint16_t instr)
{
	const struct tt_bn_instr *in = instr_of(oe, instr, NULL);
	struct tt_oe_req *r;
	int len;

	if (!in)
		return;
	r = req_new(oe, TT_OE_REQ_STATUS, cl, instr);
	len = tt_bn_enc_order_status(oe->txbuf, sizeof(oe->txbuf), r->id, &oe->p.signer,
				     in->symbol, cl, wall_ms());
	if (send_req(oe, len) == 0)
		oe->c.status_queries++;
}

static void on_response(struct tt_oe *oe, const struct tt_bn_msg *m, uint64_t t_rx)
{
	struct tt_oe_req *r = m->id_numeric ? req_find(oe, m->id) : NULL;
	struct tt_oe_req req;
	struct tt_bn_perr e;
	struct tt_bn_order v;
	struct tt_order *o;
	bool ok = m->status >= 200 && m->status < 300;
	bool unknown = tt_bn_outcome_unknown(m->status, m->err_code);

	if (!r) {
		if (m->status == 401 || m->err_code == -2015)
			tt_log(TT_LOG_ERROR, "oe_key_revoked", TT_LI("code", m->err_code));
		else
			tt_log(TT_LOG_WARN, "oe_response_unmatched", TT_LU("id", m->id),
			       TT_LU("status", m->status), TT_LI("code", m->err_code));
		return;
	}
	req = *r;
	r->kind = TT_OE_REQ_FREE;
	if (!ok)
		tt_log(TT_LOG_WARN, "oe_venue_error", TT_LU("req", req.id), TT_LU("kind", req.kind),
		       TT_LU("status", m->status), TT_LI("code", m->err_code),
		       TT_LSN("msg", m->err_msg ? m->err_msg : "", m->err_msg_len),
		       TT_LU("cl_ord_id", req.cl_ord_id));
	switch (req.kind) {
	case TT_OE_REQ_LOGON:
		if (ok)
			start_subscribe(oe);
		break;
	case TT_OE_REQ_SUBSCRIBE:
		if (ok || oe->p.signer.mode != TT_BN_AUTH_SESSION)
			start_reconcile(oe);	/* HMAC: go on without the stream (logged) */
		break;
	case TT_OE_REQ_PLACE:
	case TT_OE_REQ_REPLACE: {
		uint64_t id = req.kind == TT_OE_REQ_REPLACE ? req.new_cl_ord_id : req.cl_ord_id;

		o = tt_order_find(&oe->orders, id);
		if (!o)
			break;
		if (ok && m->result && req.kind == TT_OE_REQ_PLACE &&
		    tt_bn_decode_order(m->result, m->result_len, &oe->symtab, &v, &e) == 0) {
			on_ack(oe, o, v.venue_id, t_rx);
			if (v.cum_qty > o->cum_qty || v.status != TT_BN_S_OTHER)
				apply_venue_order(oe, &v, id, false, t_rx);
		} else if (unknown) {
			oe->c.unknown_outcomes++;
			query_status(oe, id, o->instr);
			if (req.kind == TT_OE_REQ_REPLACE)
				query_status(oe, req.cl_ord_id, o->instr);
		} else if (!ok) {
			on_done(oe, o, TT_OS_REJECTED, tt_bn_err_reason(m->err_code), t_rx);
			if (req.kind == TT_OE_REQ_REPLACE) {
				struct tt_order *old = tt_order_find(&oe->orders, req.cl_ord_id);

				if (old)
					ign(tt_order_cancel_rejected(&oe->orders, old->cl_ord_id));
			}
		}
		break;
	}
	case TT_OE_REQ_CANCEL:
		o = tt_order_find(&oe->orders, req.cl_ord_id);
		if (!o)
			break;
		if (ok && m->result &&
		    tt_bn_decode_order(m->result, m->result_len, &oe->symtab, &v, &e) == 0) {
			apply_venue_order(oe, &v, o->cl_ord_id, false, t_rx);
		} else if (unknown) {
			oe->c.unknown_outcomes++;
			query_status(oe, o->cl_ord_id, o->instr);
		} else if (!ok) {
			ign(tt_order_cancel_rejected(&oe->orders, o->cl_ord_id));
			publish_exec(oe, o, o->cl_ord_id, o->instr, o->side, TT_EXEC_REJECTED, 0, 0,
				     tt_bn_err_reason(m->err_code), t_rx);
		}
		break;
	case TT_OE_REQ_STATUS:
		o = tt_order_find(&oe->orders, req.cl_ord_id);
		if (ok && m->result &&
		    tt_bn_decode_order(m->result, m->result_len, &oe->symtab, &v, &e) == 0) {
			apply_venue_order(oe, &v, req.cl_ord_id, true, t_rx);
		} else if (o && m->err_code == -2013) {
			/* the venue never saw it: it did not reach the venue before a crash or a
			 * disconnect */
			journal(oe, TT_JREC_RECONCILE, o, o->cl_ord_id, 3 /* not at venue */, 0, 0,
				0);
			oe->c.reconciled++;
			on_done(oe, o, TT_OS_REJECTED, TT_OE_R_VENUE_NO_SUCH_ORDER, t_rx);
		} else if (o && unknown) {
			query_status(oe, o->cl_ord_id, o->instr);
			break;	/* still awaiting this one */
		}
		if (oe->state == TT_OE_RECONCILE)
			stage_done(oe);
		break;
	case TT_OE_REQ_TRADES:
		o = tt_order_find(&oe->orders, req.cl_ord_id);
		if (ok && m->result && m->result[0] == '[' && o) {
			struct trades_ctx c = { oe, req.cl_ord_id, t_rx, true, -1,
						estimated_qty(oe, o) };
			int n = tt_bn_decode_trades(m->result, m->result_len, &oe->symtab,
						    each_trade, &c, &e);

			if (n < 0)
				oe->c.decode_errors++;
			if (n == TT_OE_TRADES_LIMIT && c.last_id >= 0 &&
			    query_trades(oe, o, req.venue_id, c.last_id + 1, req.staged) == 0)
				break;	/* next page; still awaited when staged */
		} else if (o && unknown) {
			if (query_trades(oe, o, req.venue_id, -1, req.staged) == 0)
				break;
		} else if (o && !ok) {
			oe->c.venue_rejects++;
		}
		if (req.staged && (oe->state == TT_OE_RECONCILE || oe->state == TT_OE_CANCEL_ALL))
			stage_done(oe);
		break;
	case TT_OE_REQ_OPEN_ORDERS:
	case TT_OE_REQ_CANCEL_ALL:
		if (ok && m->result && m->result[0] == '[') {
			struct orders_ctx c = { oe, req.kind == TT_OE_REQ_OPEN_ORDERS, t_rx };

			if (tt_bn_decode_orders(m->result, m->result_len, &oe->symtab, each_order, &c,
						&e) < 0)
				oe->c.decode_errors++;
		}
		if ((oe->state == TT_OE_RECONCILE && req.kind == TT_OE_REQ_OPEN_ORDERS) ||
		    (oe->state == TT_OE_CANCEL_ALL && req.kind == TT_OE_REQ_CANCEL_ALL))
			stage_done(oe);
		break;
	default:
		break;
	}
}

int tt_oe_on_frame(struct tt_oe *oe, const char *p, size_t n, uint64_t t_rx)
{
	struct tt_bn_msg m;
	struct tt_bn_perr e;
	int rc = tt_bn_decode(p, n, &m, &e);

	if (rc < 0)
		goto bad;
	if (m.kind == TT_BN_MSG_RESPONSE) {
		on_response(oe, &m, t_rx);
		return 0;
	}
	if (m.event_type == TT_BN_EV_EXEC_REPORT) {
		struct tt_bn_order v;

		rc = tt_bn_decode_exec(m.event, m.event_len, &oe->symtab, &v, &e);
		if (rc < 0)
			goto bad;
		on_exec_report(oe, &v, t_rx);
	} else if (m.event_type == TT_BN_EV_STREAM_TERMINATED) {
		tt_log(TT_LOG_WARN, "oe_user_stream_terminated", TT_LU("sub", m.sub_id));
	}
	return 0;
bad:
	oe->c.decode_errors++;
	tt_log(TT_LOG_WARN, "oe_decode_error", TT_LS("what", tt_bn_perr_str(e.code)),
	       TT_LU("pos", e.pos), TT_LU("len", n));
	return -TT_EPROTO;
}

/* ---- polling ---- */

int tt_oe_poll(struct tt_oe *oe)
{
	int n = 0;

	if (oe->p.ref) {
		const union tt_msg *m;

		/* latest value wins; never waits */
		while ((m = tt_ring_peek(oe->p.ref)) != NULL) {
			if (m->h.kind == TT_MSG_BOOK_TOP && m->h.instr < TT_RISK_MAX_INSTR) {
				tt_risk_set_ref(&oe->risk, m->h.instr, m->top.bid_px, m->top.ask_px);
				publish_position(oe, m->h.instr);
			}
			tt_ring_release(oe->p.ref);
		}
	}
	if (oe->p.in) {
		const union tt_msg *m;

		while (n < 64 && (m = tt_ring_peek(oe->p.in)) != NULL) {
			union tt_msg copy = *m;

			tt_ring_release(oe->p.in);
			(void)tt_oe_on_intent(oe, &copy, tt_clock_now());
			n++;
		}
	}
	if (oe->p.out)
		tt_ring_publish(oe->p.out);
	if (tt_journal_flush(&oe->j) < 0 && !oe->sticky) {
		oe->sticky = true;
		tt_log(TT_LOG_ERROR, "oe_journal_sync_failed", TT_LS("path", oe->j.path));
	}
	return n;
}

tt_qty_t tt_oe_position(const struct tt_oe *oe, uint16_t instr)
{
	return instr < TT_RISK_MAX_INSTR ? oe->risk.in[instr].position : 0;
}

/* ---- recovery ---- */

static int replay_one(const struct tt_jrec *r, void *arg)
{
	struct tt_oe *oe = arg;
	struct tt_order *o = r->cl_ord_id ? tt_order_find(&oe->orders, r->cl_ord_id) : NULL;

	switch (r->type) {
	case TT_JREC_INTENT: {
		struct tt_msg_order m;

		memset(&m, 0, sizeof(m));
		m.h.kind = TT_MSG_ORDER;
		m.h.instr = r->instr;
		m.cl_ord_id = r->cl_ord_id;
		m.px = r->a;
		m.qty = r->b;
		m.side = r->side;
		m.type = (uint8_t)(r->c & 0xff);
		m.tif = (uint8_t)((r->c >> 8) & 0xff);
		if (order_add(&oe->orders, &m) < 0)
			return tt_err_set(-TT_EPROTO, "journal seq %" PRIu64 ": order %" PRIu64
				" cannot be added", r->seq, r->cl_ord_id);
		break;
	}
	case TT_JREC_SEND:
		if (o && o->state == TT_OS_NEW) {
			struct tt_msg_order m = { .h.instr = o->instr, .qty = o->qty, .side = o->side };

			ign(tt_order_sent(&oe->orders, o->cl_ord_id));
			tt_risk_on_sent(&oe->risk, &m);
		}
		break;
	case TT_JREC_ACK:
		if (o)
			ign(tt_order_acked(&oe->orders, o->cl_ord_id, (uint64_t)r->c));
		break;
	case TT_JREC_FILL:
		if (o) {
			struct tt_fill f;

			if (o->state == TT_OS_NEW) {
				struct tt_msg_order m = { .h.instr = o->instr, .qty = o->qty,
							  .side = o->side };

				ign(tt_order_sent(&oe->orders, o->cl_ord_id));
				tt_risk_on_sent(&oe->risk, &m);
			}
			if (r->c > o->last_trade_id)
				o->last_trade_id = r->c;
			if (tt_order_exec(&oe->orders, o->cl_ord_id, o->cum_qty + r->b, r->a, &f) == 1) {
				tt_risk_on_fill(&oe->risk, o->instr, o->side, r->a, f.last_qty);
				publish_position(oe, o->instr);
				if (o->state == TT_OS_FILLED && !f.late)
					tt_risk_on_done(&oe->risk, o->instr, o->side, o->px, 0);
			}
		}
		break;
	case TT_JREC_REJECT:
	case TT_JREC_CANCELED:
		if (o && tt_order_is_open(o)) {
			bool was_sent = o->state != TT_OS_NEW;
			enum tt_ord_state s = r->type == TT_JREC_REJECT ? TT_OS_REJECTED
					      : r->b == TT_OS_EXPIRED ? TT_OS_EXPIRED
									: TT_OS_CANCELED;
			int64_t leaves = tt_order_done(&oe->orders, o->cl_ord_id, s);

			if (leaves >= 0 && was_sent)
				tt_risk_on_done(&oe->risk, o->instr, o->side, o->px, leaves);
		}
		break;
	default:
		break;	/* CANCEL, RECONCILE: informational; their effects have own records */
	}
	return 0;
}

int tt_oe_init(struct tt_oe *oe, const struct tt_oe_params *p)
{
	uint64_t now = mono_ns();
	int rc;

	memset(oe, 0, sizeof(*oe));
	if (!p->tx.send || p->n_instr > TT_OE_MAX_INSTR || !p->journal_path)
		return tt_err_set(-EINVAL, "oe: missing transport, journal or too many instruments");
	oe->p = *p;
	{
		struct timespec rt;

		/* an incarnation never publishes more than one exec per ns, so keys that start
		 * at its start time (wall clock) stay above every earlier incarnation's */
		clock_gettime(CLOCK_REALTIME, &rt);
		oe->an_seq = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	}
	for (int i = 0; i < TT_RISK_MAX_INSTR; i++)
		oe->by_id[i] = -1;
	for (uint32_t i = 0; i < p->n_instr; i++) {
		if (p->instr[i].id >= TT_RISK_MAX_INSTR)
			return tt_err_set(-EINVAL, "oe: instrument id %u ≥ %d", p->instr[i].id,
					  TT_RISK_MAX_INSTR);
		oe->instr[i] = p->instr[i];
		if (p->filters)
			oe->filters[i] = p->filters[i];
		oe->filters[i].px_scale = p->instr[i].px_scale;
		oe->filters[i].qty_scale = p->instr[i].qty_scale;
		oe->by_id[p->instr[i].id] = (int16_t)i;
		tt_stats_instr_name(p->instr[i].id, p->instr[i].symbol, p->instr[i].px_scale,
				    p->instr[i].qty_scale);
	}
	oe->symtab.v = oe->instr;
	oe->symtab.n = p->n_instr;
	oe->p.instr = oe->instr;
	oe->p.filters = oe->filters;
	rc = tt_order_table_init(&oe->orders, oe->slots, TT_OE_MAX_ORDERS);
	if (rc < 0)
		return rc;
	tt_risk_init(&oe->risk, &p->limits, now);
	rc = tt_journal_open(&oe->j, p->journal_path, &p->jopts);
	if (rc < 0)
		return tt_err_add("oe: journal %s", p->journal_path);
	rc = tt_journal_replay(&oe->j, replay_one, oe);
	if (rc < 0) {
		tt_journal_close(&oe->j);
		(void)tt_err_add("oe: journal replay");
		return rc;
	}
	for (uint32_t i = 0; i < p->n_instr; i++)
		refresh_own_best(oe, p->instr[i].id);
	/* request ids continue above anything a previous run used */
	oe->next_req = (uint64_t)wall_ms() << 16;
	tt_log(TT_LOG_INFO, "oe_recovered", TT_LS("journal", p->journal_path),
	       TT_LU("records", oe->j.next_seq - 1), TT_LU("cut", oe->j.cut_records),
	       TT_LU("open_orders", oe->orders.open));
	return 0;
}

void tt_oe_fini(struct tt_oe *oe)
{
	tt_journal_close(&oe->j);
}
