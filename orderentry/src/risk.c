/*
 * risk.c — pre-trade checks (tt_risk.h). Order of checks in tt_risk_check_order, cheapest
 * and most fundamental first: kill switch, instrument, sanity, size, notional, collar,
 * position, gross, open orders, self trade, duplicate, daily loss, then the throttles
 * last (so a rejected order does not consume a token).
 */
#include "tt_risk.h"

#include <string.h>

static const char *const reason_name[] = {
#define TT_RISK_NAME(n, t) #n,
	TT_RISK_REASONS(TT_RISK_NAME)
#undef TT_RISK_NAME
};
static const char *const reason_text[] = {
#define TT_RISK_TEXT(n, t) t,
	TT_RISK_REASONS(TT_RISK_TEXT)
#undef TT_RISK_TEXT
};

const char *tt_risk_reason_name(enum tt_risk_reason r)
{
	/* lower-case copies, made once */
	static char lower[TT_RISK_REASON_MAX][24];

	if ((unsigned)r >= TT_RISK_REASON_MAX)
		return "unknown";
	if (!lower[r][0]) {
		size_t i;

		for (i = 0; reason_name[r][i] && i < sizeof(lower[r]) - 1; i++) {
			char c = reason_name[r][i];

			lower[r][i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		lower[r][i] = '\0';
	}
	return lower[r];
}

const char *tt_risk_reason_text(enum tt_risk_reason r)
{
	return (unsigned)r < TT_RISK_REASON_MAX ? reason_text[r] : "unknown";
}

static int64_t pow10_i64(unsigned n)
{
	int64_t v = 1;

	while (n--)
		v *= 10;
	return v;
}

static enum tt_risk_reason reject(struct tt_risk_reject *rej, enum tt_risk_reason why,
				  int64_t limit, int64_t value)
{
	rej->reason = why;
	rej->limit = limit;
	rej->value = value;
	return why;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* px × qty / 10^qty_scale, saturated to int64. */
static int64_t notional(tt_px_t px, tt_qty_t qty, unsigned qty_scale)
{
	__int128 n = (__int128)px * qty / pow10_i64(qty_scale);

	if (n > INT64_MAX)
		return INT64_MAX;
	if (n < INT64_MIN)
		return INT64_MIN;
	return (int64_t)n;
}

static tt_px_t ref_mid(const struct tt_risk_instr *in)
{
	if (in->ref_bid <= 0 || in->ref_ask <= 0)
		return 0;
	return in->ref_bid + (in->ref_ask - in->ref_bid) / 2;
}

/* The price an order is judged at: its limit, or for a market order the side it takes. */
static tt_px_t eff_px(const struct tt_risk *r, const struct tt_msg_order *o)
{
	const struct tt_risk_instr *in = &r->in[o->h.instr];

	if (o->type == TT_ORD_MARKET)
		return o->side == TT_SIDE_BUY ? in->ref_ask : in->ref_bid;
	return o->px;
}

void tt_bucket_init(struct tt_bucket *b, uint32_t per_sec, uint32_t burst, uint64_t now_ns)
{
	b->per_sec = per_sec;
	b->cap_milli = (int64_t)burst * 1000;
	b->tokens_milli = b->cap_milli;
	b->last_ns = now_ns;
}

/* Adds the tokens earned since last_ns; true when one whole token is there. */
static bool bucket_refill(struct tt_bucket *b, uint64_t now_ns)
{
	if (b->per_sec == 0)
		return true; /* unlimited */
	if (now_ns > b->last_ns) {
		uint64_t dt = now_ns - b->last_ns;

		/* milli-tokens: dt[ns] × rate[1/s] × 1000 / 1e9; dt capped so it can't overflow */
		if (dt > 1000000000ull * 3600)
			dt = 1000000000ull * 3600;
		b->tokens_milli += (int64_t)(dt * (uint64_t)b->per_sec / 1000000u);
		if (b->tokens_milli > b->cap_milli)
			b->tokens_milli = b->cap_milli;
		b->last_ns = now_ns;
	}
	return b->tokens_milli >= 1000;
}

bool tt_bucket_take(struct tt_bucket *b, uint64_t now_ns)
{
	if (!bucket_refill(b, now_ns))
		return false;
	if (b->per_sec)
		b->tokens_milli -= 1000;
	return true;
}

void tt_risk_init(struct tt_risk *r, const struct tt_risk_limits *lim, uint64_t now_ns)
{
	memset(r, 0, sizeof(*r));
	r->lim = *lim;
	tt_bucket_init(&r->order_rate, lim->orders_per_sec, lim->order_burst, now_ns);
	tt_bucket_init(&r->msg_rate, lim->msgs_per_sec, lim->msg_burst, now_ns);
}

enum tt_risk_reason tt_risk_check_qty(const struct tt_risk *r, const struct tt_msg_order *o,
				      struct tt_risk_reject *rej)
{
	const struct tt_risk_limits_instr *l = &r->lim.instr[o->h.instr];

	if (o->qty <= 0)
		return reject(rej, TT_RISK_BAD_QTY, 1, o->qty);
	if (o->qty > l->max_qty)
		return reject(rej, TT_RISK_MAX_QTY, l->max_qty, o->qty);
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_notional(const struct tt_risk *r, const struct tt_msg_order *o,
					   struct tt_risk_reject *rej)
{
	const struct tt_risk_limits_instr *l = &r->lim.instr[o->h.instr];
	int64_t n = notional(eff_px(r, o), o->qty, l->qty_scale);

	if (n > l->max_notional)
		return reject(rej, TT_RISK_MAX_NOTIONAL, l->max_notional, n);
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_collar(const struct tt_risk *r, const struct tt_msg_order *o,
					 struct tt_risk_reject *rej)
{
	const struct tt_risk_limits_instr *l = &r->lim.instr[o->h.instr];
	tt_px_t mid = ref_mid(&r->in[o->h.instr]);
	tt_px_t px = eff_px(r, o);
	__int128 dev;

	if (mid <= 0)
		return reject(rej, TT_RISK_NO_REF_PRICE, 0, 0);
	if (px <= 0)
		return reject(rej, TT_RISK_BAD_PRICE, 1, px);
	/* |px - mid| / mid > collar_bps / 10^4  ⇔  |px - mid| × 10^4 > collar_bps × mid */
	dev = (__int128)abs64(px - mid) * 10000;
	if (dev > (__int128)l->collar_bps * mid)
		return reject(rej, TT_RISK_PRICE_COLLAR, l->collar_bps,
			      (int64_t)(dev / mid)); /* value in bps */
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_position(const struct tt_risk *r, const struct tt_msg_order *o,
					   tt_qty_t already_open, struct tt_risk_reject *rej)
{
	const struct tt_risk_instr *in = &r->in[o->h.instr];
	tt_qty_t max = r->lim.instr[o->h.instr].max_position;
	tt_qty_t worst;

	/* Worst case: every open order on this side fills, plus this one. already_open is
	 * the quantity of an order being replaced (it is part of open_* already). */
	if (o->side == TT_SIDE_BUY)
		worst = in->position + in->open_buy - already_open + o->qty;
	else
		worst = -(in->position - in->open_sell + already_open - o->qty);
	if (worst > max)
		return reject(rej, TT_RISK_MAX_POSITION, max, worst);
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_gross(const struct tt_risk *r, const struct tt_msg_order *o,
					struct tt_risk_reject *rej)
{
	int64_t gross = 0;

	if (r->lim.max_gross_notional <= 0)
		return TT_RISK_OK;
	for (unsigned i = 0; i < TT_RISK_MAX_INSTR; i++) {
		const struct tt_risk_limits_instr *l = &r->lim.instr[i];
		const struct tt_risk_instr *in = &r->in[i];
		tt_qty_t pos;

		if (!l->enabled)
			continue;
		pos = in->position;
		if (i == o->h.instr)
			pos += o->side == TT_SIDE_BUY ? o->qty : -o->qty;
		if (pos)
			gross += notional(ref_mid(in) ? ref_mid(in) : eff_px(r, o), abs64(pos),
					  l->qty_scale);
	}
	if (gross > r->lim.max_gross_notional)
		return reject(rej, TT_RISK_MAX_GROSS, r->lim.max_gross_notional, gross);
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_open_orders(const struct tt_risk *r, struct tt_risk_reject *rej)
{
	if (r->open_orders >= r->lim.max_open_orders)
		return reject(rej, TT_RISK_MAX_OPEN_ORDERS, r->lim.max_open_orders,
			      (int64_t)r->open_orders + 1);
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_duplicate(const struct tt_risk *r, const struct tt_msg_order *o,
					    uint64_t now_ns, struct tt_risk_reject *rej)
{
	const struct tt_risk_dup *d = &r->last;

	if (!r->lim.dup_window_ns || !d->valid)
		return TT_RISK_OK;
	if (d->instr == o->h.instr && d->side == o->side && d->px == o->px && d->qty == o->qty &&
	    now_ns - d->t_ns < r->lim.dup_window_ns)
		return reject(rej, TT_RISK_DUPLICATE, (int64_t)r->lim.dup_window_ns,
			      (int64_t)(now_ns - d->t_ns));
	return TT_RISK_OK;
}

enum tt_risk_reason tt_risk_check_self_trade(const struct tt_risk *r, const struct tt_msg_order *o,
					     struct tt_risk_reject *rej)
{
	const struct tt_risk_instr *in = &r->in[o->h.instr];
	bool market = o->type == TT_ORD_MARKET;

	if (o->side == TT_SIDE_BUY && in->own_best_ask > 0 && (market || o->px >= in->own_best_ask))
		return reject(rej, TT_RISK_SELF_TRADE, in->own_best_ask, o->px);
	if (o->side == TT_SIDE_SELL && in->own_best_bid > 0 && (market || o->px <= in->own_best_bid))
		return reject(rej, TT_RISK_SELF_TRADE, in->own_best_bid, o->px);
	return TT_RISK_OK;
}

tt_px_t tt_risk_instr_pnl(const struct tt_risk *r, uint16_t instr)
{
	const struct tt_risk_instr *in = &r->in[instr];

	if (!in->position)
		return in->cash;
	return in->cash + notional(ref_mid(in), in->position, r->lim.instr[instr].qty_scale);
}

tt_px_t tt_risk_pnl(const struct tt_risk *r)
{
	int64_t pnl = 0;

	for (unsigned i = 0; i < TT_RISK_MAX_INSTR; i++)
		if (r->lim.instr[i].enabled)
			pnl += tt_risk_instr_pnl(r, (uint16_t)i);
	return pnl;
}

enum tt_risk_reason tt_risk_check_daily_loss(const struct tt_risk *r, struct tt_risk_reject *rej)
{
	tt_px_t pnl;

	if (r->lim.daily_loss <= 0)
		return TT_RISK_OK;
	pnl = tt_risk_pnl(r);
	if (pnl <= -r->lim.daily_loss)
		return reject(rej, TT_RISK_DAILY_LOSS, -r->lim.daily_loss, pnl);
	return TT_RISK_OK;
}

/* Checks shared by new orders and replaces; already_open: qty of the replaced order. */
static enum tt_risk_reason check_common(struct tt_risk *r, const struct tt_msg_order *o,
					tt_qty_t already_open, uint64_t now_ns,
					struct tt_risk_reject *rej)
{
	enum tt_risk_reason why;

	if (r->killed)
		return reject(rej, TT_RISK_KILL_SWITCH, 0, 1);
	if (o->h.instr >= TT_RISK_MAX_INSTR || !r->lim.instr[o->h.instr].enabled)
		return reject(rej, TT_RISK_UNKNOWN_INSTR, TT_RISK_MAX_INSTR, o->h.instr);
	if (o->type != TT_ORD_MARKET && o->px <= 0)
		return reject(rej, TT_RISK_BAD_PRICE, 1, o->px);
	if ((why = tt_risk_check_qty(r, o, rej)) ||
	    (why = tt_risk_check_collar(r, o, rej)) ||
	    (why = tt_risk_check_notional(r, o, rej)) ||
	    (why = tt_risk_check_position(r, o, already_open, rej)) ||
	    (why = tt_risk_check_gross(r, o, rej)) ||
	    (why = tt_risk_check_self_trade(r, o, rej)) ||
	    (why = tt_risk_check_duplicate(r, o, now_ns, rej)) ||
	    (why = tt_risk_check_daily_loss(r, rej)))
		return why;
	return TT_RISK_OK;
}

static enum tt_risk_reason counted(struct tt_risk *r, enum tt_risk_reason why)
{
	r->rejects[why]++;
	return why;
}

enum tt_risk_reason tt_risk_check_order(struct tt_risk *r, const struct tt_msg_order *o,
					uint64_t now_ns, struct tt_risk_reject *rej)
{
	enum tt_risk_reason why = check_common(r, o, 0, now_ns, rej);

	if (why)
		return counted(r, why);
	if ((why = tt_risk_check_open_orders(r, rej)))
		return counted(r, why);
	/* Throttles last, so a rejected order consumes no token; the order bucket is looked
	 * at before the message token is taken, so a refusal takes neither. */
	if (!bucket_refill(&r->order_rate, now_ns))
		return counted(r, reject(rej, TT_RISK_ORDER_RATE, r->lim.orders_per_sec, 0));
	if (!tt_bucket_take(&r->msg_rate, now_ns))
		return counted(r, reject(rej, TT_RISK_MSG_RATE, r->lim.msgs_per_sec, 0));
	(void)tt_bucket_take(&r->order_rate, now_ns);
	r->last = (struct tt_risk_dup){ .t_ns = now_ns, .px = o->px, .qty = o->qty,
					.instr = o->h.instr, .side = o->side, .valid = true };
	return reject(rej, TT_RISK_OK, 0, 0);
}

enum tt_risk_reason tt_risk_check_cancel(struct tt_risk *r, uint64_t now_ns,
					 struct tt_risk_reject *rej)
{
	/* A cancel reduces risk: only the venue's message ceiling applies, and not even the
	 * kill switch blocks it (the kill switch *sends* cancels). */
	if (!tt_bucket_take(&r->msg_rate, now_ns))
		return counted(r, reject(rej, TT_RISK_MSG_RATE, r->lim.msgs_per_sec, 0));
	return reject(rej, TT_RISK_OK, 0, 0);
}

enum tt_risk_reason tt_risk_check_replace(struct tt_risk *r, const struct tt_msg_order *repl,
					  tt_qty_t old_open_qty, uint64_t now_ns,
					  struct tt_risk_reject *rej)
{
	enum tt_risk_reason why = check_common(r, repl, old_open_qty, now_ns, rej);

	if (why)
		return counted(r, why);
	if (!tt_bucket_take(&r->msg_rate, now_ns))
		return counted(r, reject(rej, TT_RISK_MSG_RATE, r->lim.msgs_per_sec, 0));
	return reject(rej, TT_RISK_OK, 0, 0);
}

void tt_risk_on_sent(struct tt_risk *r, const struct tt_msg_order *o)
{
	struct tt_risk_instr *in = &r->in[o->h.instr];

	r->open_orders++;
	if (o->side == TT_SIDE_BUY)
		in->open_buy += o->qty;
	else
		in->open_sell += o->qty;
}

void tt_risk_on_done(struct tt_risk *r, uint16_t instr, uint8_t side, tt_px_t px,
		     tt_qty_t leaves_qty)
{
	struct tt_risk_instr *in = &r->in[instr];

	(void)px;
	if (r->open_orders)
		r->open_orders--;
	if (side == TT_SIDE_BUY)
		in->open_buy -= leaves_qty;
	else
		in->open_sell -= leaves_qty;
}

void tt_risk_on_fill(struct tt_risk *r, uint16_t instr, uint8_t side, tt_px_t px, tt_qty_t qty)
{
	struct tt_risk_instr *in = &r->in[instr];
	int64_t n = notional(px, qty, r->lim.instr[instr].qty_scale);

	if (side == TT_SIDE_BUY) {
		in->position += qty;
		in->open_buy -= qty;
		in->cash -= n;
	} else {
		in->position -= qty;
		in->open_sell -= qty;
		in->cash += n;
	}
}

void tt_risk_set_ref(struct tt_risk *r, uint16_t instr, tt_px_t bid, tt_px_t ask)
{
	r->in[instr].ref_bid = bid;
	r->in[instr].ref_ask = ask;
}

void tt_risk_set_own_best(struct tt_risk *r, uint16_t instr, tt_px_t bid, tt_px_t ask)
{
	r->in[instr].own_best_bid = bid;
	r->in[instr].own_best_ask = ask;
}

void tt_risk_kill(struct tt_risk *r, bool on)
{
	r->killed = on;
}
