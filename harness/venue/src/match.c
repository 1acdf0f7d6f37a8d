/*
 * match.c — the client-order matching engine of tt-venue (rules in tt_vmatch.h).
 *
 * Storage is preallocated at init: the order table (ord[id - 1], never reused), a list of
 * the resting ones (live[]), and the fill log. The best resting order is found by a scan of
 * live[] (a test venue holds few client orders; clarity over speed). Order life:
 *
 *   place ──filters fail──▶ refused (no order, error code)
 *     │
 *     NEW ──take──▶ PARTIALLY_FILLED ──▶ FILLED
 *      │  └─IOC/MARKET rest, FOK not fillable──▶ EXPIRED
 *      │  └─STP──▶ EXPIRED_IN_MATCH
 *      └─GTC rest (live) ──maker fills──▶ ... ──cancel──▶ CANCELED
 */
#include "tt_vmatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t p10(int n)
{
	int64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

static const char *const st_names[] = {
    "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED", "EXPIRED_IN_MATCH"};
static const char *const type_names[] = {"LIMIT", "MARKET", "LIMIT_MAKER"};
static const char *const tif_names[] = {"GTC", "IOC", "FOK"};
static const char *const stp_names[] = {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"};
static const char *const x_names[] = {"NEW", "TRADE", "CANCELED", "EXPIRED", "TRADE_PREVENTION"};

const char *tt_vmatch_status_name(int st)
{
	return st >= 0 && st < 7 ? st_names[st] : "?";
}
const char *tt_vmatch_type_name(int t)
{
	return t >= 0 && t < 3 ? type_names[t] : "?";
}
const char *tt_vmatch_tif_name(int t)
{
	return t >= 0 && t < 3 ? tif_names[t] : "?";
}
const char *tt_vmatch_stp_name(int s)
{
	return s >= 0 && s < 4 ? stp_names[s] : "?";
}
const char *tt_vmatch_x_name(int x)
{
	return x >= 0 && x < 5 ? x_names[x] : "?";
}

static int asset_idx(struct tt_vmatch *m, const char *a)
{
	for (int i = 0; i < m->nassets; i++)
		if (!strcmp(m->assets[i], a))
			return i;
	if (m->nassets == TT_VMATCH_ASSETS)
		return -1;
	snprintf(m->assets[m->nassets], sizeof(m->assets[0]), "%s", a);
	return m->nassets++;
}

int tt_vmatch_init(struct tt_vmatch *m, struct tt_vbook *const *books, int nsyms, size_t cap,
		   size_t fcap)
{
	memset(m, 0, sizeof(*m));
	if (nsyms < 1 || nsyms > TT_VENUE_MAX_SYMS || cap < 1 || fcap < 1)
		return -EINVAL;
	m->nsyms = nsyms;
	for (int i = 0; i < nsyms; i++) {
		m->books[i] = books[i];
		(void)asset_idx(m, books[i]->cfg.base);
		(void)asset_idx(m, books[i]->cfg.quote);
	}
	m->ord = calloc(cap, sizeof(*m->ord));
	m->live = calloc(cap, sizeof(*m->live));
	m->fill = calloc(fcap, sizeof(*m->fill));
	if (!m->ord || !m->live || !m->fill) {
		tt_vmatch_fini(m);
		return -ENOMEM;
	}
	m->cap = cap;
	m->fcap = fcap;
	for (int i = 0; i < TT_VENUE_MAX_SYMS; i++)
		m->best[i][0] = m->best[i][1] = -2;
	return 0;
}

void tt_vmatch_fini(struct tt_vmatch *m)
{
	free(m->ord);
	free(m->live);
	free(m->fill);
	m->ord = NULL;
	m->live = NULL;
	m->fill = NULL;
	m->cap = m->fcap = 0;
}

/* ---- events ------------------------------------------------------------------------------ */

static void emit(struct tt_vmatch *m, const struct tt_vorder *o, int x, int64_t lq, int64_t lp,
		 uint64_t tid, bool maker, const char *orig)
{
	struct tt_vexec e = {.o = o,
			     .x = (uint8_t)x,
			     .last_qty = lq,
			     .last_px = lp,
			     .trade_id = tid,
			     .maker = maker,
			     .t_ms = m->now_ms,
			     .exec_id = ++m->exec_id,
			     .orig_cid = orig};

	if (m->on_exec)
		m->on_exec(m->exec_ctx, &e);
}

static void unlive(struct tt_vmatch *m, struct tt_vorder *o)
{
	uint32_t idx = (uint32_t)(o->id - 1);

	if (!o->live)
		return;
	for (size_t i = 0; i < m->nlive; i++) {
		if (m->live[i] == idx) {
			m->live[i] = m->live[--m->nlive];
			break;
		}
	}
	o->live = false;
	m->best[o->sym][o->side] = -2;
}

/* Books one fill of o (balances, fill log, order state) and reports it. */
static void fill(struct tt_vmatch *m, struct tt_vorder *o, int64_t px, int64_t q, uint64_t tid,
		 bool maker)
{
	const struct tt_vsym_cfg *c = &m->books[o->sym]->cfg;
	int bi = asset_idx(m, c->base);
	int qi = asset_idx(m, c->quote);
	int64_t base_e8 = q * p10(8 - c->qty_dec);
	int64_t quote_e8 = px * q * p10(8 - c->px_dec - c->qty_dec);
	int sgn = o->side == TT_VBUY ? 1 : -1;

	if (o->acct >= 0 && o->acct < TT_VMATCH_ACCTS && bi >= 0 && qi >= 0) {
		m->bal[o->acct][bi] += sgn * base_e8;
		m->bal[o->acct][qi] -= sgn * quote_e8;
	}
	if (m->nfill < m->fcap) {
		struct tt_vfill *f = &m->fill[m->nfill++];

		f->trade_id = tid;
		f->order_id = o->id;
		f->sym = o->sym;
		f->acct = o->acct;
		f->side = o->side;
		f->maker = maker;
		f->px = px;
		f->qty = q;
		f->t_ms = m->now_ms;
	}
	o->cum += q;
	o->cumq += px * q;
	o->upd_ms = m->now_ms;
	if (o->quote_qty && o->quote_qty - o->cumq < px) {
		/* a quoteOrderQty order is done when not one more step is affordable here */
		o->qty = o->cum;
		o->status = TT_VOS_FILLED;
	} else if (o->qty && o->cum >= o->qty)
		o->status = TT_VOS_FILLED;
	else
		o->status = TT_VOS_PARTIALLY_FILLED;
	if (o->status == TT_VOS_FILLED)
		unlive(m, o);
	emit(m, o, TT_VX_TRADE, q, px, tid, maker, NULL);
}

static void end(struct tt_vmatch *m, struct tt_vorder *o, int st, int x)
{
	unlive(m, o);
	o->status = (uint8_t)st;
	o->upd_ms = m->now_ms;
	emit(m, o, x, 0, 0, 0, false, NULL);
}

/* ---- the synthetic book ------------------------------------------------------------------ */

static void synth_set(struct tt_vbook *b, struct tt_vstep *s, int side, int32_t idx, int64_t q)
{
	int64_t *lv = side ? &b->ask[idx] : &b->bid[idx];
	bool was_top = side ? idx == b->best_ask : idx == b->best_bid;

	if (*lv && !q) {
		if (side)
			b->nask--;
		else
			b->nbid--;
	}
	*lv = q;
	if (!q && was_top) {
		if (side) {
			while (b->best_ask < TT_VBOOK_TICKS && b->ask[b->best_ask] == 0)
				b->best_ask++;
		} else {
			while (b->best_bid >= 0 && b->bid[b->best_bid] == 0)
				b->best_bid--;
		}
	}
	s->top_changed = s->top_changed || was_top;
	if (s->nchg < TT_VSTEP_MAX_CHG) {
		s->chg[s->nchg].side = (uint8_t)side;
		s->chg[s->nchg].idx = idx;
		s->chg[s->nchg].qty = q;
		s->nchg++;
	}
}

/* Publishes one client trade: with a synthetic level change (side/idx/left) when idx >= 0. */
static void publish(struct tt_vmatch *m, int sym, int side, int32_t idx, int64_t left, uint64_t tid,
		    int64_t px, int64_t q, bool buyer_maker)
{
	struct tt_vbook *b = m->books[sym];
	struct tt_vstep s;

	memset(&s, 0, sizeof(s));
	if (idx >= 0) {
		synth_set(b, &s, side, idx, left);
		b->update_id++;
	}
	s.update_id = b->update_id;
	s.ntrades = 1;
	s.tr[0].id = tid;
	s.tr[0].px = px;
	s.tr[0].qty = q;
	s.tr[0].buyer_maker = buyer_maker;
	if (m->on_synth)
		m->on_synth(m->synth_ctx, sym, &s);
}

/* Synthetic level usable by a taker on `side` (the taker's side): index or -1. */
static int32_t synth_best(const struct tt_vbook *b, int taker_side)
{
	if (taker_side == TT_VBUY)
		return b->nask > 1 && b->best_ask < TT_VBOOK_TICKS ? b->best_ask : -1;
	return b->nbid > 1 && b->best_bid >= 0 ? b->best_bid : -1;
}

/* ---- resting client orders --------------------------------------------------------------- */

static bool better(int side, int64_t a, int64_t b)
{
	return side == TT_VBUY ? a > b : a < b;
}

/* Best resting order of sym on side (price, then time); NULL if none. Cached per
 * (symbol, side) and recomputed only after an order rested or left the book, so a
 * random-walk step costs O(1) while nothing changes. */
static struct tt_vorder *best_live(struct tt_vmatch *m, int sym, int side)
{
	int32_t *c = &m->best[sym][side];

	if (*c == -2) {
		struct tt_vorder *best = NULL;

		for (size_t i = 0; i < m->nlive; i++) {
			struct tt_vorder *o = &m->ord[m->live[i]];

			if (o->sym != sym || o->side != side)
				continue;
			if (!best || better(side, o->px, best->px) ||
			    (o->px == best->px && o->seq < best->seq))
				best = o;
		}
		*c = best ? (int32_t)(best - m->ord) : -1;
	}
	return *c >= 0 ? &m->ord[*c] : NULL;
}

static bool crosses(int taker_side, int64_t limit, int64_t px)
{
	return taker_side == TT_VBUY ? px <= limit : px >= limit;
}

/* Quantity available to a taker up to limit (FOK pre-check), capped at want. */
static int64_t available(struct tt_vmatch *m, const struct tt_vorder *t, int64_t want)
{
	struct tt_vbook *b = m->books[t->sym];
	int opp = !t->side;
	int64_t got = 0;

	for (size_t i = 0; i < m->nlive && got < want; i++) {
		const struct tt_vorder *o = &m->ord[m->live[i]];

		if (o != t && o->sym == t->sym && o->side == opp &&
		    crosses(t->side, t->px, o->px) &&
		    !(o->acct == t->acct && t->stp != TT_VSTP_NONE))
			got += o->qty - o->cum;
	}
	if (t->side == TT_VBUY) {
		for (int32_t i = b->best_ask; i < TT_VBOOK_TICKS && got < want; i++)
			if (b->ask[i] && crosses(t->side, t->px, tt_vbook_px(b, i)))
				got += b->ask[i];
			else if (b->ask[i])
				break;
	} else {
		for (int32_t i = b->best_bid; i >= 0 && got < want; i--)
			if (b->bid[i] && crosses(t->side, t->px, tt_vbook_px(b, i)))
				got += b->bid[i];
			else if (b->bid[i])
				break;
	}
	return got;
}

/* The taker loop (rule 1). Returns true when the taker was expired by STP. */
static bool take(struct tt_vmatch *m, struct tt_vorder *t)
{
	struct tt_vbook *b = m->books[t->sym];
	int opp = !t->side;
	bool market = t->type == TT_VOT_MARKET;

	for (;;) {
		int64_t rem = t->qty ? t->qty - t->cum : INT64_MAX;
		struct tt_vorder *mk = best_live(m, t->sym, opp);
		int32_t si = synth_best(b, t->side);
		int64_t spx = si >= 0 ? tt_vbook_px(b, si) : 0;
		bool use_client;
		int64_t px;
		int64_t q;
		uint64_t tid;

		if (rem <= 0)
			return false;
		if (!mk && si < 0)
			return false;
		use_client =
		    mk && (si < 0 || !better(t->side == TT_VBUY ? TT_VSELL : TT_VBUY, spx, mk->px));
		px = use_client ? mk->px : spx;
		if (!market && !crosses(t->side, t->px, px))
			return false;
		if (t->quote_qty) {
			int64_t qrem = (t->quote_qty - t->cumq) / px;

			if (qrem < rem)
				rem = qrem;
			if (rem <= 0)
				return false;
		}
		if (use_client && mk->acct == t->acct && t->stp != TT_VSTP_NONE) {
			uint64_t pid = ++m->prevented;
			int64_t pq = rem < mk->qty - mk->cum ? rem : mk->qty - mk->cum;

			if (t->stp == TT_VSTP_EXPIRE_MAKER || t->stp == TT_VSTP_EXPIRE_BOTH) {
				mk->prevented_id = pid;
				mk->prevented_qty = mk->qty - mk->cum;
				end(m, mk, TT_VOS_EXPIRED_IN_MATCH, TT_VX_PREVENTION);
			}
			if (t->stp == TT_VSTP_EXPIRE_TAKER || t->stp == TT_VSTP_EXPIRE_BOTH) {
				t->prevented_id = pid;
				t->prevented_qty = pq;
				return true;
			}
			continue;
		}
		tid = ++b->trade_id;
		if (use_client) {
			q = rem < mk->qty - mk->cum ? rem : mk->qty - mk->cum;
			fill(m, mk, px, q, tid, true);
			fill(m, t, px, q, tid, false);
			publish(m, t->sym, 0, -1, 0, tid, px, q, t->side == TT_VSELL);
		} else {
			int64_t have = t->side == TT_VBUY ? b->ask[si] : b->bid[si];

			q = rem < have ? rem : have;
			fill(m, t, px, q, tid, false);
			publish(m, t->sym, opp, si, have - q, tid, px, q, t->side == TT_VSELL);
		}
	}
}

/* ---- requests ---------------------------------------------------------------------------- */

/* e8 value -> units of dec decimals; false when not a whole number of units. */
static bool to_units(int64_t e8, int dec, int64_t *out)
{
	int64_t d = p10(8 - dec);

	*out = e8 / d;
	return e8 % d == 0;
}

int tt_vmatch_place(struct tt_vmatch *m, const struct tt_vreq *r, uint64_t *id, const char **msg)
{
	struct tt_vbook *b;
	const struct tt_vsym_cfg *c;
	struct tt_vorder *o;
	int64_t px = 0;
	int64_t qty = 0;
	int64_t quote = 0;
	int64_t ref;

	if (r->sym < 0 || r->sym >= m->nsyms) {
		*msg = "Invalid symbol.";
		return -1121;
	}
	b = m->books[r->sym];
	c = &b->cfg;
	if (r->type != TT_VOT_MARKET && r->px_e8 < 0) {
		*msg = "Mandatory parameter 'price' was not sent, was empty/null, or malformed.";
		return -1102;
	}
	if (r->type == TT_VOT_MARKET && r->px_e8 >= 0) {
		*msg = "Parameter 'price' sent when not required.";
		return -1106;
	}
	if (r->qty_e8 < 0 && !(r->type == TT_VOT_MARKET && r->quote_e8 >= 0)) {
		*msg = "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.";
		return -1102;
	}
	if (r->type != TT_VOT_MARKET) {
		if (!to_units(r->px_e8, c->px_dec, &px) || px < 1 || px > c->mid * 100) {
			*msg = "Filter failure: PRICE_FILTER";
			return -1013;
		}
	}
	if (r->qty_e8 >= 0) {
		if (!to_units(r->qty_e8, c->qty_dec, &qty) || qty < 1 ||
		    qty > 9000 * p10(c->qty_dec)) {
			*msg = "Filter failure: LOT_SIZE";
			return -1013;
		}
	} else {
		/* quoteOrderQty in px*qty units */
		quote = r->quote_e8 / p10(8 - c->px_dec - c->qty_dec);
	}
	/* NOTIONAL: min 5 quote units (market orders too, at the synthetic mid); max 9e6 for
	 * limit orders only. */
	ref = px;
	if (r->type == TT_VOT_MARKET)
		ref = (tt_vbook_px(b, b->best_bid < 0 ? 0 : b->best_bid) +
		       tt_vbook_px(b, b->best_ask >= TT_VBOOK_TICKS ? TT_VBOOK_TICKS - 1
								    : b->best_ask)) /
		      2;
	{
		__int128 notional = qty ? (__int128)ref * qty : quote;
		__int128 unit = p10(c->px_dec + c->qty_dec);

		if (notional < 5 * unit ||
		    (r->type != TT_VOT_MARKET && notional > (__int128)9000000 * unit)) {
			*msg = "Filter failure: NOTIONAL";
			return -1013;
		}
	}
	if (r->type == TT_VOT_LIMIT_MAKER) {
		struct tt_vorder *mk = best_live(m, r->sym, !r->side);
		int32_t si = r->side == TT_VBUY ? b->best_ask : b->best_bid;
		bool si_ok = r->side == TT_VBUY ? si < TT_VBOOK_TICKS : si >= 0;

		if ((mk && crosses(r->side, px, mk->px)) ||
		    (si_ok && crosses(r->side, px, tt_vbook_px(b, si)))) {
			*msg = "Order would immediately match and take.";
			return -2010;
		}
	}
	if (r->cid && r->cid[0]) {
		/* a clientOrderId is unique among the account's open orders */
		for (size_t i = 0; i < m->nlive; i++) {
			const struct tt_vorder *lo = &m->ord[m->live[i]];

			if (lo->acct == r->acct && !strcmp(lo->cid, r->cid)) {
				*msg = "Duplicate order sent.";
				return -2010;
			}
		}
	}
	if (m->nord == m->cap || (r->type != TT_VOT_MARKET && m->nlive == m->cap)) {
		*msg = "Too many open orders.";
		return -2010;
	}
	o = &m->ord[m->nord];
	memset(o, 0, sizeof(*o));
	o->id = ++m->nord;
	o->seq = ++m->seq;
	o->sym = r->sym;
	o->acct = r->acct;
	o->session = r->session;
	o->side = r->side;
	o->type = r->type;
	o->tif = r->type == TT_VOT_LIMIT ? r->tif : TT_VTIF_GTC;
	o->stp = r->stp;
	o->px = px;
	o->qty = qty;
	o->quote_qty = quote;
	o->t_ms = o->upd_ms = o->work_ms = m->now_ms;
	o->strategy_id = r->strategy_id;
	if (r->cid && r->cid[0])
		snprintf(o->cid, sizeof(o->cid), "%s", r->cid);
	else
		snprintf(o->cid, sizeof(o->cid), "ttv%016llx%06llu",
			 (unsigned long long)(o->seq * 0x9e3779b97f4a7c15ull),
			 (unsigned long long)o->id % 1000000);
	*id = o->id;
	emit(m, o, TT_VX_NEW, 0, 0, 0, false, NULL);
	if (o->tif == TT_VTIF_FOK && available(m, o, o->qty) < o->qty) {
		end(m, o, TT_VOS_EXPIRED, TT_VX_EXPIRED);
		return 0;
	}
	if (take(m, o)) {
		end(m, o, TT_VOS_EXPIRED_IN_MATCH, TT_VX_PREVENTION);
		return 0;
	}
	if (o->status == TT_VOS_FILLED)
		return 0;
	if (o->type == TT_VOT_MARKET || o->tif != TT_VTIF_GTC) {
		end(m, o, TT_VOS_EXPIRED, TT_VX_EXPIRED);
		return 0;
	}
	o->live = true;
	m->live[m->nlive++] = (uint32_t)(o->id - 1);
	m->best[o->sym][o->side] = -2;
	return 0;
}

struct tt_vorder *tt_vmatch_find(struct tt_vmatch *m, int acct, int sym, uint64_t id,
				 const char *cid)
{
	if (id) {
		struct tt_vorder *o;

		if (id > m->nord)
			return NULL;
		o = &m->ord[id - 1];
		return o->acct == acct && (sym < 0 || o->sym == sym) ? o : NULL;
	}
	if (!cid || !cid[0])
		return NULL;
	/* newest first: a clientOrderId may be reused after the order is done */
	for (size_t i = m->nord; i-- > 0;) {
		struct tt_vorder *o = &m->ord[i];

		if (o->acct == acct && (sym < 0 || o->sym == sym) && !strcmp(o->cid, cid))
			return o;
	}
	return NULL;
}

int tt_vmatch_cancel(struct tt_vmatch *m, int acct, uint64_t id, const char **msg)
{
	struct tt_vorder *o = id && id <= m->nord ? &m->ord[id - 1] : NULL;

	if (!o || o->acct != acct || !o->live) {
		*msg = "Unknown order sent.";
		return -2011;
	}
	end(m, o, TT_VOS_CANCELED, TT_VX_CANCELED);
	return 0;
}

int tt_vmatch_cancel_session(struct tt_vmatch *m, int session)
{
	int n = 0;

	for (size_t i = 0; i < m->nlive;) {
		struct tt_vorder *o = &m->ord[m->live[i]];

		if (session && o->session == session) {
			end(m, o, TT_VOS_CANCELED, TT_VX_CANCELED);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

/* ---- the synthetic market moves (rule 3) ------------------------------------------------- */

void tt_vmatch_on_step(struct tt_vmatch *m, int sym, const struct tt_vstep *s)
{
	struct tt_vbook *b = m->books[sym];

	if (sym < 0 || sym >= m->nsyms || !m->nlive)
		return;
	/* (a) trades through resting client orders */
	for (int i = 0; i < s->ntrades; i++) {
		const struct tt_vtrade *tr = &s->tr[i];
		int side = tr->buyer_maker ? TT_VBUY : TT_VSELL; /* client side that fills */
		int64_t left = tr->qty;

		while (left > 0) {
			struct tt_vorder *o = best_live(m, sym, side);
			int64_t q;
			uint64_t tid;

			if (!o || !crosses(!side, tr->px, o->px))
				break;
			q = left < o->qty - o->cum ? left : o->qty - o->cum;
			tid = ++b->trade_id;
			fill(m, o, o->px, q, tid, true);
			publish(m, sym, 0, -1, 0, tid, o->px, q, side == TT_VBUY);
			left -= q;
		}
	}
	/* (b) the synthetic book crossed a resting client order */
	for (int side = 0; side < 2; side++) {
		for (;;) {
			struct tt_vorder *o = best_live(m, sym, side);
			int32_t si = synth_best(b, side);
			int64_t have;
			int64_t q;
			uint64_t tid;

			if (!o || si < 0 || !crosses(side, o->px, tt_vbook_px(b, si)))
				break;
			have = side == TT_VBUY ? b->ask[si] : b->bid[si];
			q = have < o->qty - o->cum ? have : o->qty - o->cum;
			tid = ++b->trade_id;
			fill(m, o, o->px, q, tid, true);
			publish(m, sym, !side, si, have - q, tid, o->px, q, side == TT_VBUY);
		}
	}
}

/* ---- dump -------------------------------------------------------------------------------- */

static int fx(char *buf, size_t cap, int64_t v, int dec)
{
	int n = tt_venc_fixed(buf, cap - 1, v, dec, 8);

	buf[n < 0 ? 0 : n] = 0;
	return n;
}

#define AP(...)                                                                                    \
	do {                                                                                       \
		n += snprintf(buf + (n < (int)cap ? n : (int)cap),                                 \
			      n < (int)cap ? cap - (size_t)n : 0, __VA_ARGS__);                    \
	} while (0)

int tt_vmatch_dump(const struct tt_vmatch *m, int acct, char *buf, size_t cap)
{
	int n = 0;
	char a[40];
	char b2[40];
	char q[40];
	int k = 0;

	AP("{\"orders\":[");
	for (size_t i = 0; i < m->nord; i++) {
		const struct tt_vorder *o = &m->ord[i];
		const struct tt_vsym_cfg *c = &m->books[o->sym]->cfg;

		if (acct >= 0 && o->acct != acct)
			continue;
		fx(a, sizeof(a), o->px, c->px_dec);
		fx(b2, sizeof(b2), o->qty, c->qty_dec);
		fx(q, sizeof(q), o->cum, c->qty_dec);
		AP("%s{\"account\":%d,\"symbol\":\"%s\",\"orderId\":%llu,\"clientOrderId\":\"%s\","
		   "\"side\":\"%s\",\"type\":\"%s\",\"timeInForce\":\"%s\",\"price\":\"%s\","
		   "\"origQty\":\"%s\",\"executedQty\":\"%s\",",
		   k++ ? "," : "", o->acct, c->symbol, (unsigned long long)o->id, o->cid,
		   o->side ? "SELL" : "BUY", tt_vmatch_type_name(o->type),
		   tt_vmatch_tif_name(o->tif), a, b2, q);
		fx(a, sizeof(a), o->cumq, c->px_dec + c->qty_dec);
		AP("\"cummulativeQuoteQty\":\"%s\",\"status\":\"%s\",\"isWorking\":%s}", a,
		   tt_vmatch_status_name(o->status), o->live ? "true" : "false");
	}
	AP("],\"fills\":[");
	k = 0;
	for (size_t i = 0; i < m->nfill; i++) {
		const struct tt_vfill *f = &m->fill[i];
		const struct tt_vsym_cfg *c = &m->books[f->sym]->cfg;

		if (acct >= 0 && f->acct != acct)
			continue;
		fx(a, sizeof(a), f->px, c->px_dec);
		fx(b2, sizeof(b2), f->qty, c->qty_dec);
		AP("%s{\"account\":%d,\"symbol\":\"%s\",\"tradeId\":%llu,\"orderId\":%llu,"
		   "\"side\":\"%s\",\"price\":\"%s\",\"qty\":\"%s\",\"maker\":%s,\"time\":%llu}",
		   k++ ? "," : "", f->acct, c->symbol, (unsigned long long)f->trade_id,
		   (unsigned long long)f->order_id, f->side ? "SELL" : "BUY", a, b2,
		   f->maker ? "true" : "false", (unsigned long long)f->t_ms);
	}
	AP("],\"positions\":{");
	k = 0;
	for (int ac = 0; ac < TT_VMATCH_ACCTS; ac++) {
		int j = 0;

		if (acct >= 0 && ac != acct)
			continue;
		AP("%s\"%d\":{", k++ ? "," : "", ac);
		for (int s = 0; s < m->nsyms; s++) {
			const struct tt_vsym_cfg *c = &m->books[s]->cfg;
			int64_t pos = 0;

			for (size_t i = 0; i < m->nfill; i++)
				if (m->fill[i].acct == ac && m->fill[i].sym == s)
					pos += m->fill[i].side ? -m->fill[i].qty : m->fill[i].qty;
			fx(a, sizeof(a), pos, c->qty_dec);
			AP("%s\"%s\":\"%s\"", j++ ? "," : "", c->symbol, a);
		}
		AP("}");
	}
	AP("},\"balances\":{");
	k = 0;
	for (int ac = 0; ac < TT_VMATCH_ACCTS; ac++) {
		int j = 0;

		if (acct >= 0 && ac != acct)
			continue;
		AP("%s\"%d\":{", k++ ? "," : "", ac);
		for (int i = 0; i < m->nassets; i++) {
			fx(a, sizeof(a), m->bal[ac][i], 8);
			AP("%s\"%s\":\"%s\"", j++ ? "," : "", m->assets[i], a);
		}
		AP("}");
	}
	AP("}}");
	return n;
}
