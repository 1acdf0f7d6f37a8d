/*
 * sync.c — per-instrument diff-depth book sync (tt_md.h has the state diagram), exactly
 * the procedure of web-socket-streams.md "How to manage a local order book correctly"
 * (VENUES.md steps 1-4), plus the normalized output: TT_MSG_BOOK_DELTA per level,
 * TT_MSG_BOOK_TOP when the top changes, TT_MSG_TRADE, TT_MSG_STATUS on resync / live /
 * stale. Invariants: in LIVE the book passes tt_book_check() and book_id is the u of the
 * last applied diff (or the snapshot's lastUpdateId); outside LIVE the book is empty;
 * buffered diffs are in arrival order and their levels fill lv[0, lv_n) in that order.
 */
#include "tt_md.h"

#include <errno.h>
#include <string.h>

#include "tt_err.h"

const char *tt_md_resync_str(uint32_t reason)
{
	static const char *const text[] = {
#define TT_MD_RS_TEXT(name, t) t,
	    TT_MD_RESYNC_MAP(TT_MD_RS_TEXT)
#undef TT_MD_RS_TEXT
	};

	return reason < TT_ARRAY_LEN(text) ? text[reason] : "unknown resync reason";
}

static inline int emit(struct tt_md_out *out, union tt_msg *m)
{
	m->h.seq = ++out->seq;
	return out->fn(out->ctx, m);
}

static int emit_status(struct tt_md_sync *s, uint32_t flags, uint64_t detail, tt_tsc_t t_rx,
		       struct tt_md_out *out)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = TT_MSG_STATUS;
	m.h.instr = s->instr;
	m.h.flags = flags;
	m.h.t_rx = t_rx;
	m.status.detail = detail;
	return emit(out, &m);
}

/* Data arrived for this instrument: note it, and announce the end of a stale spell. */
static int touch(struct tt_md_sync *s, tt_tsc_t t_rx, struct tt_md_out *out)
{
	s->last_rx = t_rx;
	if (tt_unlikely(s->stale)) {
		s->stale = false;
		return emit_status(s, TT_STATUS_LIVE, 1, t_rx, out);
	}
	return 0;
}

int tt_md_sync_init(struct tt_md_sync *s, tt_instr_t id, struct tt_book *book,
		    struct tt_md_sync_ev *ev, uint32_t ev_cap, struct tt_md_level *lv,
		    uint32_t lv_cap)
{
	if (!s || !book || !ev || !lv || ev_cap == 0)
		return tt_err_set(-EINVAL, "md sync init: missing storage");
	memset(s, 0, sizeof(*s));
	s->state = TT_MD_SYNC_INIT;
	s->instr = id;
	s->book = book;
	s->ev = ev;
	s->ev_cap = ev_cap;
	s->lv = lv;
	s->lv_cap = lv_cap;
	tt_book_clear(book);
	return 0;
}

void tt_md_sync_snapshot_requested(struct tt_md_sync *s)
{
	if (s->state == TT_MD_SYNC_BUFFERING)
		s->state = TT_MD_SYNC_PENDING;
}

/* Back to INIT: empty book and buffer, count, announce. */
static int resync(struct tt_md_sync *s, uint32_t reason, tt_tsc_t t_rx, struct tt_md_out *out)
{
	if (reason >= TT_MD_RESYNC_COUNT)
		reason = TT_MD_RESYNC_CALLER;
	s->state = TT_MD_SYNC_INIT;
	s->ev_n = 0;
	s->lv_n = 0;
	s->book_id = 0;
	s->first_U = 0;
	s->last_reason = reason;
	s->resyncs[reason]++;
	tt_book_clear(s->book);
	memset(s->top, 0, sizeof(s->top));
	return emit_status(s, TT_STATUS_RESYNC, reason, t_rx, out);
}

int tt_md_sync_resync(struct tt_md_sync *s, uint32_t reason, tt_tsc_t t_rx, struct tt_md_out *out)
{
	return resync(s, reason, t_rx, out);
}

/* Appends a diff to the buffer. false when it does not fit. */
static bool buffer_push(struct tt_md_sync *s, const struct tt_md_depth *d, tt_tsc_t t_rx)
{
	uint32_t need = d->n_bids + d->n_asks;
	struct tt_md_sync_ev *e;

	if (s->ev_n >= s->ev_cap || need > s->lv_cap - s->lv_n)
		return false;
	e = &s->ev[s->ev_n++];
	e->first_id = d->first_id;
	e->final_id = d->final_id;
	e->off = s->lv_n;
	e->n_bids = d->n_bids;
	e->n_asks = d->n_asks;
	e->t_rx = t_rx;
	memcpy(&s->lv[s->lv_n], d->bids, d->n_bids * sizeof(s->lv[0]));
	memcpy(&s->lv[s->lv_n + d->n_bids], d->asks, d->n_asks * sizeof(s->lv[0]));
	s->lv_n += need;
	if (s->ev_n == 1)
		s->first_U = d->first_id;
	return true;
}

/* INIT/BUFFERING/PENDING: buffer, resyncing (and restarting with this diff) on overflow. */
static int buffer_diff(struct tt_md_sync *s, const struct tt_md_depth *d, tt_tsc_t t_rx,
		       struct tt_md_out *out)
{
	int rc = 0;

	if (tt_likely(buffer_push(s, d, t_rx))) {
		if (s->state == TT_MD_SYNC_INIT)
			s->state = TT_MD_SYNC_BUFFERING;
		return 0;
	}
	rc = resync(s, TT_MD_RESYNC_OVERFLOW, t_rx, out);
	if (rc)
		return rc;
	/* A diff larger than the whole buffer cannot be kept: stay in INIT. */
	if (buffer_push(s, d, t_rx))
		s->state = TT_MD_SYNC_BUFFERING;
	return 1;
}

/* Emits BOOK_TOP when best bid/ask (price or qty) changed since the last one. */
static int emit_top_if_changed(struct tt_md_sync *s, uint64_t update_id, tt_tsc_t t_rx,
			       struct tt_md_out *out)
{
	tt_px_t top[4] = {0, 0, 0, 0};
	union tt_msg m;

	(void)tt_book_best(s->book, TT_SIDE_BUY, &top[0], &top[1]);
	(void)tt_book_best(s->book, TT_SIDE_SELL, &top[2], &top[3]);
	if (memcmp(top, s->top, sizeof(top)) == 0)
		return 0;
	memcpy(s->top, top, sizeof(top));
	s->top_id = update_id;
	memset(&m, 0, sizeof(m));
	m.h.kind = TT_MSG_BOOK_TOP;
	m.h.instr = s->instr;
	m.h.t_rx = t_rx;
	m.top.bid_px = top[0];
	m.top.bid_qty = top[1];
	m.top.ask_px = top[2];
	m.top.ask_qty = top[3];
	m.top.update_id = update_id;
	return emit(out, &m);
}

/* Applies levels of one event to the book and emits their deltas; the event's last level
 * carries TT_DELTA_LAST. Returns 0, 1 (bad level: resynced) or an emit error. */
static int apply_levels(struct tt_md_sync *s, const struct tt_md_level *bids, uint32_t nb,
			const struct tt_md_level *asks, uint32_t na, uint64_t update_id,
			tt_tsc_t t_rx, struct tt_md_out *out)
{
	union tt_msg m;
	uint32_t total = nb + na, k;
	int rc;

	memset(&m, 0, sizeof(m));
	m.h.kind = TT_MSG_BOOK_DELTA;
	m.h.instr = s->instr;
	m.h.t_rx = t_rx;
	m.delta.update_id = update_id;
	for (k = 0; k < total; k++) {
		const struct tt_md_level *l = k < nb ? &bids[k] : &asks[k - nb];
		unsigned side = k < nb ? TT_SIDE_BUY : TT_SIDE_SELL;

		if (tt_unlikely(tt_book_set(s->book, side, l->px, l->qty) != 0)) {
			rc = resync(s, TT_MD_RESYNC_BAD_LEVEL, t_rx, out);
			return rc ? rc : 1;
		}
		m.h.flags = k + 1 == total ? TT_DELTA_LAST : 0;
		m.delta.px = l->px;
		m.delta.qty = l->qty;
		m.delta.side = (uint8_t)side;
		rc = emit(out, &m);
		if (tt_unlikely(rc)) {
			(void)resync(s, TT_MD_RESYNC_EMIT, t_rx, out);
			return rc;
		}
	}
	return 0;
}

/*
 * The update procedure for one diff in LIVE. Returns 0 (applied or ignored), 1 (resynced;
 * for a gap this diff starts the new buffer) or an emit error.
 */
static int live_apply(struct tt_md_sync *s, uint64_t U, uint64_t u, const struct tt_md_level *bids,
		      uint32_t nb, const struct tt_md_level *asks, uint32_t na, tt_tsc_t t_rx,
		      struct tt_md_out *out)
{
	int rc;

	if (u < s->book_id) {
		s->n_ignored++;
		return 0;
	}
	if (U > s->book_id + 1)
		return 2; /* gap: the caller resyncs and rebuffers */
	rc = apply_levels(s, bids, nb, asks, na, u, t_rx, out);
	if (rc)
		return rc;
	s->book_id = u;
	s->n_applied++;
	if (tt_unlikely(tt_book_is_crossed(s->book))) {
		rc = resync(s, TT_MD_RESYNC_CROSSED, t_rx, out);
		return rc ? rc : 1;
	}
	rc = emit_top_if_changed(s, u, t_rx, out);
	if (rc)
		(void)resync(s, TT_MD_RESYNC_EMIT, t_rx, out);
	return rc;
}

int tt_md_sync_on_depth(struct tt_md_sync *s, const struct tt_md_depth *d, tt_tsc_t t_rx,
			struct tt_md_out *out)
{
	int rc = touch(s, t_rx, out);

	if (rc)
		return rc;
	if (s->state != TT_MD_SYNC_LIVE)
		return buffer_diff(s, d, t_rx, out);
	rc = live_apply(s, d->first_id, d->final_id, d->bids, d->n_bids, d->asks, d->n_asks, t_rx,
			out);
	if (rc != 2)
		return rc;
	/* Missed events: discard the book and start over; this diff is the first buffered. */
	rc = resync(s, TT_MD_RESYNC_GAP, t_rx, out);
	if (rc)
		return rc;
	(void)buffer_diff(s, d, t_rx, out);
	return 1;
}

int tt_md_sync_on_snapshot(struct tt_md_sync *s, const struct tt_md_depth *snap, tt_tsc_t t_rx,
			   struct tt_md_out *out)
{
	uint32_t i, k;
	int rc;

	if (s->state != TT_MD_SYNC_BUFFERING && s->state != TT_MD_SYNC_PENDING)
		return tt_err_set(-EINVAL, "md sync: snapshot in state %u", s->state);
	/* Step 2: a snapshot older than the first buffered diff cannot be bridged. */
	if (snap->final_id < s->first_U) {
		s->n_refetch++;
		s->state = TT_MD_SYNC_BUFFERING;
		return -EAGAIN;
	}
	/* Step 3: book := snapshot. */
	tt_book_clear(s->book);
	for (k = 0; k < snap->n_bids + snap->n_asks; k++) {
		const struct tt_md_level *l =
		    k < snap->n_bids ? &snap->bids[k] : &snap->asks[k - snap->n_bids];
		unsigned side = k < snap->n_bids ? TT_SIDE_BUY : TT_SIDE_SELL;

		if (tt_book_set(s->book, side, l->px, l->qty) != 0) {
			rc = resync(s, TT_MD_RESYNC_BAD_LEVEL, t_rx, out);
			return rc ? rc : 1;
		}
	}
	if (tt_book_is_crossed(s->book)) {
		rc = resync(s, TT_MD_RESYNC_CROSSED, t_rx, out);
		return rc ? rc : 1;
	}
	s->book_id = snap->final_id;
	s->state = TT_MD_SYNC_LIVE;
	memset(s->top, 0, sizeof(s->top));
	rc = emit_status(s, TT_STATUS_LIVE, 0, t_rx, out);
	if (rc)
		goto emit_failed;
	/* The consumers rebuild the book from the deltas of what the book kept. */
	{
		union tt_msg m;
		uint32_t nb = tt_book_count(s->book, TT_SIDE_BUY);
		uint32_t na = tt_book_count(s->book, TT_SIDE_SELL);

		memset(&m, 0, sizeof(m));
		m.h.kind = TT_MSG_BOOK_DELTA;
		m.h.instr = s->instr;
		m.h.t_rx = t_rx;
		m.delta.update_id = s->book_id;
		for (k = 0; k < nb + na; k++) {
			unsigned side = k < nb ? TT_SIDE_BUY : TT_SIDE_SELL;

			(void)tt_book_level_at(s->book, side, k < nb ? k : k - nb, &m.delta.px,
					       &m.delta.qty);
			m.delta.side = (uint8_t)side;
			m.h.flags = k + 1 == nb + na ? TT_DELTA_LAST : 0;
			rc = emit(out, &m);
			if (rc)
				goto emit_failed;
		}
	}
	rc = emit_top_if_changed(s, s->book_id, t_rx, out);
	if (rc)
		goto emit_failed;
	/* Steps 3-4: drop buffered u <= lastUpdateId, apply the rest with the live rules. */
	for (i = 0; i < s->ev_n; i++) {
		const struct tt_md_sync_ev *e = &s->ev[i];

		if (e->final_id <= snap->final_id) {
			s->n_dropped_buffered++;
			continue;
		}
		rc = live_apply(s, e->first_id, e->final_id, &s->lv[e->off], e->n_bids,
				&s->lv[e->off + e->n_bids], e->n_asks, e->t_rx, out);
		if (rc == 2) {
			/* Gap inside the buffer: restart with diffs from this one on. */
			uint32_t keep_ev = s->ev_n - i, off = e->off, keep_lv = s->lv_n - off;
			uint32_t j;

			memmove(s->ev, &s->ev[i], keep_ev * sizeof(s->ev[0]));
			memmove(s->lv, &s->lv[off], keep_lv * sizeof(s->lv[0]));
			rc = resync(s, TT_MD_RESYNC_GAP, t_rx, out);
			for (j = 0; j < keep_ev; j++)
				s->ev[j].off -= off;
			s->ev_n = keep_ev;
			s->lv_n = keep_lv;
			s->first_U = s->ev[0].first_id;
			s->state = TT_MD_SYNC_BUFFERING;
			return rc ? rc : 1;
		}
		if (rc) {
			s->ev_n = s->lv_n = 0;
			return rc;
		}
	}
	s->ev_n = 0;
	s->lv_n = 0;
	return 0;
emit_failed:
	(void)resync(s, TT_MD_RESYNC_EMIT, t_rx, out);
	return rc;
}

int tt_md_sync_on_book_ticker(struct tt_md_sync *s, const struct tt_md_book_ticker *bt,
			      tt_tsc_t t_rx, struct tt_md_out *out)
{
	union tt_msg m;
	int rc = touch(s, t_rx, out);

	if (rc)
		return rc;
	if (bt->update_id < s->top_id) {
		s->n_tickers_old++;
		return 0;
	}
	s->top_id = bt->update_id;
	s->top[0] = bt->bid_px;
	s->top[1] = bt->bid_qty;
	s->top[2] = bt->ask_px;
	s->top[3] = bt->ask_qty;
	memset(&m, 0, sizeof(m));
	m.h.kind = TT_MSG_BOOK_TOP;
	m.h.instr = s->instr;
	m.h.t_rx = t_rx;
	m.top.bid_px = bt->bid_px;
	m.top.bid_qty = bt->bid_qty;
	m.top.ask_px = bt->ask_px;
	m.top.ask_qty = bt->ask_qty;
	m.top.update_id = bt->update_id;
	return emit(out, &m);
}

int tt_md_sync_on_trade(struct tt_md_sync *s, const struct tt_md_trade *tr, bool ts_us,
			tt_tsc_t t_rx, struct tt_md_out *out)
{
	union tt_msg m;
	int rc = touch(s, t_rx, out);

	if (rc)
		return rc;
	memset(&m, 0, sizeof(m));
	m.h.kind = TT_MSG_TRADE;
	m.h.instr = s->instr;
	m.h.t_rx = t_rx;
	m.trade.px = tr->px;
	m.trade.qty = tr->qty;
	m.trade.trade_id = tr->trade_id;
	m.trade.venue_ts_us = ts_us ? tr->trade_ts : tr->trade_ts * 1000;
	/* m: the buyer was the maker, so the taker sold. */
	m.trade.aggressor = tr->buyer_maker ? TT_SIDE_SELL : TT_SIDE_BUY;
	return emit(out, &m);
}

int tt_md_sync_check_stale(struct tt_md_sync *s, tt_tsc_t now, tt_tsc_t threshold,
			   struct tt_md_out *out)
{
	int rc;

	if (s->stale || !tt_md_sync_is_stale(s, now, threshold))
		return 0;
	s->stale = true;
	rc = emit_status(s, TT_STATUS_STALE, 0, now, out);
	return rc ? rc : 1;
}
