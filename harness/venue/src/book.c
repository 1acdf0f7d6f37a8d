/*
 * book.c — the venue's L2 book and the random walk that drives it.
 *
 * The book is a dense ladder: bid[i] and ask[i] hold the quantity at price base + i (price
 * units of 10^-px_dec), so a level change is one store and a diff needs no search. Bests are
 * kept as indices and rescanned when the best level empties. Invariants (tt_vbook_check):
 * best_bid < best_ask (never crossed, never locked), nbid/nask count the non-zero entries,
 * bid[] is zero above best_bid and ask[] zero below best_ask.
 *
 * The walk is a seeded xorshift64*, so (cfg, seed) fixes every step. Each step changes the
 * book and bumps update_id by one. Side choices lean toward the ladder's centre so that the
 * mid stays far from the ladder's ends on long runs.
 */
#include "tt_venue.h"

#include <errno.h>
#include <string.h>

static const struct tt_vsym_cfg builtin_syms[] = {
    {"BTCUSDT", "btcusdt", "BTC", "USDT", 2, 5, 8, 6000000, 20, 200, 600},
    {"ETHUSDT", "ethusdt", "ETH", "USDT", 2, 4, 8, 300000, 20, 200, 600},
    {"SOLUSDT", "solusdt", "SOL", "USDT", 2, 3, 8, 15000, 20, 120, 400},
    {"BNBUSDT", "bnbusdt", "BNB", "USDT", 2, 3, 8, 60000, 20, 150, 500},
};

int tt_vsym_builtin(const char *symbol, struct tt_vsym_cfg *cfg)
{
	for (size_t i = 0; i < TT_ARRAY_LEN(builtin_syms); i++) {
		if (strcmp(builtin_syms[i].symbol, symbol) == 0) {
			*cfg = builtin_syms[i];
			return 0;
		}
	}
	return -ENOENT;
}

static uint64_t rnd(struct tt_vbook *b)
{
	uint64_t x = b->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	b->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_n(struct tt_vbook *b, uint32_t n)
{
	return (uint32_t)((rnd(b) >> 32) * n >> 32);
}

/* A size with a long tail: 1..999 units times 1, 10, 100 or 1000. */
static int64_t rnd_qty(struct tt_vbook *b)
{
	static const int64_t mul[] = {1, 10, 100, 1000, 10, 100};

	return (int64_t)(1 + rnd_n(b, 999)) * mul[rnd_n(b, TT_ARRAY_LEN(mul))];
}

static void rescan_bid(struct tt_vbook *b, int32_t from)
{
	int32_t i = from;

	while (i >= 0 && b->bid[i] == 0)
		i--;
	b->best_bid = i;
}

static void rescan_ask(struct tt_vbook *b, int32_t from)
{
	int32_t i = from;

	while (i < TT_VBOOK_TICKS && b->ask[i] == 0)
		i++;
	b->best_ask = i;
}

static void note(struct tt_vstep *s, int side, int32_t idx, int64_t qty)
{
	if (s->nchg < TT_VSTEP_MAX_CHG) {
		s->chg[s->nchg].side = (uint8_t)side;
		s->chg[s->nchg].idx = idx;
		s->chg[s->nchg].qty = qty;
		s->nchg++;
	}
}

/* Sets a level; keeps counts and bests. The caller guarantees no crossing. */
static void set_level(struct tt_vbook *b, struct tt_vstep *s, int side, int32_t idx, int64_t q)
{
	int64_t *lv = side ? &b->ask[idx] : &b->bid[idx];
	int64_t old = *lv;

	*lv = q;
	if (side == 0) {
		b->nbid += (q != 0) - (old != 0);
		if (q && idx > b->best_bid) {
			b->best_bid = idx;
			s->top_changed = true;
		} else if (idx == b->best_bid) {
			s->top_changed = true;
			if (!q)
				rescan_bid(b, idx);
		}
	} else {
		b->nask += (q != 0) - (old != 0);
		if (q && idx < b->best_ask) {
			b->best_ask = idx;
			s->top_changed = true;
		} else if (idx == b->best_ask) {
			s->top_changed = true;
			if (!q)
				rescan_ask(b, idx);
		}
	}
	note(s, side, idx, q);
}

/* Side 0 (bids) or 1 (asks) for a move that pushes the price up when it picks 0; leaning
 * back toward the ladder's centre. */
static int lean(struct tt_vbook *b)
{
	int32_t mid = (b->best_bid + b->best_ask) / 2;
	int32_t off = mid - TT_VBOOK_TICKS / 2; /* > 0: above centre */
	int32_t p_up = 500 - off * 400 / (TT_VBOOK_TICKS / 2);

	if (p_up < 100)
		p_up = 100;
	if (p_up > 900)
		p_up = 900;
	return (int32_t)rnd_n(b, 1000) < p_up ? 0 : 1;
}

/* The index of an existing level on side, about k levels-worth of ticks from the best. */
static int32_t pick_level(struct tt_vbook *b, int side)
{
	/* Skewed toward the top: the top of a real book is where the activity is. */
	int32_t k = (int32_t)rnd_n(b, 1 + rnd_n(b, (uint32_t)b->cfg.span));
	int32_t i;

	if (side == 0) {
		for (i = b->best_bid - k; i >= 0; i--)
			if (b->bid[i])
				return i;
		return b->best_bid;
	}
	for (i = b->best_ask + k; i < TT_VBOOK_TICKS; i++)
		if (b->ask[i])
			return i;
	return b->best_ask;
}

static bool add_level(struct tt_vbook *b, struct tt_vstep *s, int side)
{
	int32_t d = 1 + (int32_t)rnd_n(b, 1 + rnd_n(b, (uint32_t)b->cfg.span));
	int32_t idx = side ? b->best_ask + d : b->best_bid - d;

	if (side == 0 && b->best_bid < 0)
		idx = b->best_ask - d;
	if (side == 1 && b->best_ask >= TT_VBOOK_TICKS)
		idx = b->best_bid + d;
	if (idx < 0 || idx >= TT_VBOOK_TICKS)
		return false;
	if (side == 0 && (b->bid[idx] || idx >= b->best_ask))
		return false;
	if (side == 1 && (b->ask[idx] || idx <= b->best_bid))
		return false;
	set_level(b, s, side, idx, rnd_qty(b));
	return true;
}

/* add_level() with retries: fails only when the ladder's end is within span of the best. */
static void add_level_retry(struct tt_vbook *b, struct tt_vstep *s, int side)
{
	for (int i = 0; i < 64; i++)
		if (add_level(b, s, side))
			return;
}

static void trade(struct tt_vbook *b, struct tt_vstep *s, int aggr_buy)
{
	int side = aggr_buy ? 1 : 0; /* the side that is hit */
	int32_t idx = side ? b->best_ask : b->best_bid;
	int64_t have = side ? b->ask[idx] : b->bid[idx];
	int64_t q;
	struct tt_vtrade *t;

	/* A third of the trades take the whole level. */
	q = rnd_n(b, 3) == 0 ? have : 1 + (int64_t)(rnd(b) % (uint64_t)have);
	t = &s->tr[s->ntrades++];
	t->id = ++b->trade_id;
	t->px = tt_vbook_px(b, idx);
	t->qty = q;
	t->buyer_maker = !aggr_buy;
	set_level(b, s, side, idx, have - q);
}

int tt_vbook_init(struct tt_vbook *b, const struct tt_vsym_cfg *cfg, uint64_t seed)
{
	struct tt_vstep s;
	int n;

	if (cfg->min_levels < 1 || cfg->max_levels < cfg->min_levels || cfg->span < 2 ||
	    cfg->span > TT_VBOOK_TICKS / 8 || cfg->mid <= TT_VBOOK_TICKS / 2 || cfg->px_dec < 0 ||
	    cfg->qty_dec < 0 || cfg->print_dec < cfg->px_dec || cfg->print_dec < cfg->qty_dec ||
	    cfg->print_dec > 18)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	b->base = cfg->mid - TT_VBOOK_TICKS / 2;
	b->best_bid = TT_VBOOK_TICKS / 2 - 1;
	b->best_ask = TT_VBOOK_TICKS / 2 + 1;
	b->bid[b->best_bid] = rnd_qty(b);
	b->ask[b->best_ask] = rnd_qty(b);
	b->nbid = b->nask = 1;
	/* Fill to the middle of [min, max] per side; the initial book has update id 1. */
	n = (cfg->min_levels + cfg->max_levels) / 2;
	while (b->nbid < n || b->nask < n) {
		s.nchg = 0;
		if (b->nbid < n)
			(void)add_level(b, &s, 0);
		if (b->nask < n)
			(void)add_level(b, &s, 1);
	}
	b->update_id = 1;
	return 0;
}

void tt_vbook_step(struct tt_vbook *b, struct tt_vstep *s)
{
	uint32_t r = rnd_n(b, 100);
	int side;

	s->nchg = 0;
	s->ntrades = 0;
	s->top_changed = false;

	if (b->nbid <= b->cfg.min_levels || b->nask <= b->cfg.min_levels) {
		side = b->nbid <= b->cfg.min_levels ? 0 : 1;
		add_level_retry(b, s, side);
	} else if (b->nbid > b->cfg.max_levels || b->nask > b->cfg.max_levels) {
		/* Over the depth bound (spread improvements add freely): cancel a far level. */
		side = b->nbid > b->cfg.max_levels ? 0 : 1;
		set_level(b, s, side, pick_level(b, side), 0);
	} else if (b->best_ask - b->best_bid > 1 &&
		   (int32_t)rnd_n(b, 100) < 12 * (b->best_ask - b->best_bid - 1)) {
		/* Makers close a wide spread quickly: a new level inside it. */
		int32_t gap = b->best_ask - b->best_bid - 1;
		int32_t d = 1 + (int32_t)rnd_n(b, (uint32_t)(gap < 3 ? gap : 3));

		side = lean(b) == 0 ? 0 : 1;
		set_level(b, s, side, side ? b->best_ask - d : b->best_bid + d, rnd_qty(b));
	} else if (r < 45) {
		/* Re-size an existing level. */
		side = (int)rnd_n(b, 2);
		set_level(b, s, side, pick_level(b, side), rnd_qty(b));
	} else if (r < 60 && b->nbid < b->cfg.max_levels && b->nask < b->cfg.max_levels) {
		side = (int)rnd_n(b, 2);
		add_level_retry(b, s, side);
	} else if (r < 75) {
		/* Cancel a level (rarely the best one, which moves the price). */
		side = (int)rnd_n(b, 2);
		set_level(b, s, side, pick_level(b, side), 0);
	} else if (r < 92) {
		/* An aggressor takes from the best level; lean() picks buy (0) or sell (1). */
		trade(b, s, lean(b) == 0);
		if (rnd_n(b, 4) == 0 && s->ntrades < TT_VSTEP_MAX_TRADES)
			trade(b, s, s->tr[0].buyer_maker == false);
	} else {
		/* A new level inside the spread, or a re-size of the best when locked to 1 tick. */
		side = lean(b) == 0 ? 0 : 1;
		if (b->best_ask - b->best_bid > 1) {
			int32_t gap = b->best_ask - b->best_bid - 1;
			int32_t d = 1 + (int32_t)rnd_n(b, (uint32_t)(gap < 3 ? gap : 3));

			set_level(b, s, side, side ? b->best_ask - d : b->best_bid + d, rnd_qty(b));
		} else {
			set_level(b, s, side, side ? b->best_ask : b->best_bid, rnd_qty(b));
		}
	}
	/* A side emptied by trades/cancels is refilled next step; keep it non-empty now so
	 * bookTicker always has both sides. */
	if (b->best_bid < 0)
		add_level_retry(b, s, 0);
	if (b->best_ask >= TT_VBOOK_TICKS)
		add_level_retry(b, s, 1);
	b->update_id++;
	s->update_id = b->update_id;
}

bool tt_vbook_check(const struct tt_vbook *b)
{
	int nb = 0;
	int na = 0;
	int32_t hb = -1;
	int32_t la = TT_VBOOK_TICKS;

	for (int32_t i = 0; i < TT_VBOOK_TICKS; i++) {
		if (b->bid[i] < 0 || b->ask[i] < 0)
			return false;
		if (b->bid[i]) {
			nb++;
			hb = i;
		}
		if (b->ask[i]) {
			na++;
			if (la == TT_VBOOK_TICKS)
				la = i;
		}
	}
	return nb == b->nbid && na == b->nask && hb == b->best_bid && la == b->best_ask && hb < la;
}
