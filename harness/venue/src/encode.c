/*
 * encode.c — the venue's own JSON encoders, byte for byte as Binance Spot writes them
 * (binance-spot-api-docs web-socket-streams.md and rest-api.md): prices and quantities are
 * strings with print_dec decimals, ids and times are numbers, no spaces. Written by hand (no
 * JSON library, nothing shared with tt-md) and without allocation; every writer checks the
 * remaining room and the encoders return -ENOSPC rather than a truncated frame.
 */
#include "tt_venue.h"

#include <errno.h>
#include <string.h>

struct w {
	char *p;
	char *end;
	bool full;
};

static void put(struct w *w, const char *s, size_t n)
{
	if ((size_t)(w->end - w->p) < n) {
		w->full = true;
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
}

static void puts_(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_u64(struct w *w, uint64_t v)
{
	char t[24];
	int n = 0;

	do {
		t[sizeof(t) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, t + sizeof(t) - n, (size_t)n);
}

static void put_fixed(struct w *w, int64_t v, int dec, int print_dec)
{
	char t[48];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int i;

	for (i = 0; i < print_dec - dec; i++)
		t[sizeof(t) - 1 - n++] = '0';
	for (i = 0; i < dec; i++) {
		t[sizeof(t) - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	}
	if (print_dec > 0)
		t[sizeof(t) - 1 - n++] = '.';
	do {
		t[sizeof(t) - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[sizeof(t) - 1 - n++] = '-';
	put(w, t + sizeof(t) - n, (size_t)n);
}

static void put_px(struct w *w, const struct tt_vbook *b, int64_t px)
{
	put(w, "\"", 1);
	put_fixed(w, px, b->cfg.px_dec, b->cfg.print_dec);
	put(w, "\"", 1);
}

static void put_qty(struct w *w, const struct tt_vbook *b, int64_t q)
{
	put(w, "\"", 1);
	put_fixed(w, q, b->cfg.qty_dec, b->cfg.print_dec);
	put(w, "\"", 1);
}

static void put_level(struct w *w, const struct tt_vbook *b, int32_t idx, int64_t q)
{
	put(w, "[", 1);
	put_px(w, b, tt_vbook_px(b, idx));
	put(w, ",", 1);
	put_qty(w, b, q);
	put(w, "]", 1);
}

static int done(struct w *w, char *buf)
{
	return w->full ? -ENOSPC : (int)(w->p - buf);
}

int tt_venc_fixed(char *buf, size_t cap, int64_t v, int dec, int print_dec)
{
	struct w w = {buf, buf + cap, false};

	put_fixed(&w, v, dec, print_dec);
	return done(&w, buf);
}

int tt_venc_book_ticker(char *buf, size_t cap, const struct tt_vbook *b)
{
	struct w w = {buf, buf + cap, false};

	puts_(&w, "{\"u\":");
	put_u64(&w, b->update_id);
	puts_(&w, ",\"s\":\"");
	puts_(&w, b->cfg.symbol);
	puts_(&w, "\",\"b\":");
	put_px(&w, b, tt_vbook_px(b, b->best_bid));
	puts_(&w, ",\"B\":");
	put_qty(&w, b, b->bid[b->best_bid]);
	puts_(&w, ",\"a\":");
	put_px(&w, b, tt_vbook_px(b, b->best_ask));
	puts_(&w, ",\"A\":");
	put_qty(&w, b, b->ask[b->best_ask]);
	puts_(&w, "}");
	return done(&w, buf);
}

int tt_venc_trade(char *buf, size_t cap, const struct tt_vbook *b, const struct tt_vtrade *t,
		  uint64_t e_ms)
{
	struct w w = {buf, buf + cap, false};

	puts_(&w, "{\"e\":\"trade\",\"E\":");
	put_u64(&w, e_ms);
	puts_(&w, ",\"s\":\"");
	puts_(&w, b->cfg.symbol);
	puts_(&w, "\",\"t\":");
	put_u64(&w, t->id);
	puts_(&w, ",\"p\":");
	put_px(&w, b, t->px);
	puts_(&w, ",\"q\":");
	put_qty(&w, b, t->qty);
	puts_(&w, ",\"T\":");
	put_u64(&w, e_ms);
	puts_(&w, t->buyer_maker ? ",\"m\":true,\"M\":true}" : ",\"m\":false,\"M\":true}");
	return done(&w, buf);
}

int tt_venc_depth_update(char *buf, size_t cap, const struct tt_vbook *b, uint64_t e_ms,
			 uint64_t first_id, uint64_t last_id, const int32_t *bid_idx, int nb,
			 const int32_t *ask_idx, int na)
{
	struct w w = {buf, buf + cap, false};
	int i;

	puts_(&w, "{\"e\":\"depthUpdate\",\"E\":");
	put_u64(&w, e_ms);
	puts_(&w, ",\"s\":\"");
	puts_(&w, b->cfg.symbol);
	puts_(&w, "\",\"U\":");
	put_u64(&w, first_id);
	puts_(&w, ",\"u\":");
	put_u64(&w, last_id);
	puts_(&w, ",\"b\":[");
	for (i = 0; i < nb; i++) {
		if (i)
			put(&w, ",", 1);
		put_level(&w, b, bid_idx[i], b->bid[bid_idx[i]]);
	}
	puts_(&w, "],\"a\":[");
	for (i = 0; i < na; i++) {
		if (i)
			put(&w, ",", 1);
		put_level(&w, b, ask_idx[i], b->ask[ask_idx[i]]);
	}
	puts_(&w, "]}");
	return done(&w, buf);
}

int tt_venc_snapshot(char *buf, size_t cap, const struct tt_vbook *b, int limit, bool symbol)
{
	struct w w = {buf, buf + cap, false};
	int n;
	int32_t i;

	if (symbol) {
		puts_(&w, "{\"symbol\":\"");
		puts_(&w, b->cfg.symbol);
		puts_(&w, "\",\"lastUpdateId\":");
	} else {
		puts_(&w, "{\"lastUpdateId\":");
	}
	put_u64(&w, b->update_id);
	puts_(&w, ",\"bids\":[");
	for (n = 0, i = b->best_bid; i >= 0 && n < limit; i--) {
		if (!b->bid[i])
			continue;
		if (n++)
			put(&w, ",", 1);
		put_level(&w, b, i, b->bid[i]);
	}
	puts_(&w, "],\"asks\":[");
	for (n = 0, i = b->best_ask; i < TT_VBOOK_TICKS && n < limit; i++) {
		if (!b->ask[i])
			continue;
		if (n++)
			put(&w, ",", 1);
		put_level(&w, b, i, b->ask[i]);
	}
	puts_(&w, "]}");
	return done(&w, buf);
}

static int64_t ipow10(int d)
{
	int64_t v = 1;

	while (d-- > 0)
		v *= 10;
	return v;
}

int tt_venc_exchange_info(char *buf, size_t cap, const struct tt_vbook *const *books, int n,
			  uint64_t server_ms)
{
	struct w w = {buf, buf + cap, false};

	puts_(&w, "{\"timezone\":\"UTC\",\"serverTime\":");
	put_u64(&w, server_ms);
	puts_(&w, ",\"rateLimits\":[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\","
		  "\"intervalNum\":1,\"limit\":6000},{\"rateLimitType\":\"ORDERS\",\"interval\":"
		  "\"SECOND\",\"intervalNum\":10,\"limit\":100},{\"rateLimitType\":\"ORDERS\","
		  "\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":200000}],"
		  "\"exchangeFilters\":[],\"symbols\":[");
	for (int k = 0; k < n; k++) {
		const struct tt_vbook *b = books[k];
		const struct tt_vsym_cfg *c = &b->cfg;

		if (k)
			put(&w, ",", 1);
		puts_(&w, "{\"symbol\":\"");
		puts_(&w, c->symbol);
		puts_(&w, "\",\"status\":\"TRADING\",\"baseAsset\":\"");
		puts_(&w, c->base);
		puts_(&w, "\",\"baseAssetPrecision\":8,\"quoteAsset\":\"");
		puts_(&w, c->quote);
		puts_(&w, "\",\"quotePrecision\":8,\"quoteAssetPrecision\":8,"
			  "\"baseCommissionPrecision\":8,\"quoteCommissionPrecision\":8,"
			  "\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\",\"MARKET\"],"
			  "\"icebergAllowed\":false,\"ocoAllowed\":false,\"otoAllowed\":false,"
			  "\"quoteOrderQtyMarketAllowed\":true,\"allowTrailingStop\":false,"
			  "\"cancelReplaceAllowed\":true,\"amendAllowed\":false,"
			  "\"isSpotTradingAllowed\":true,\"isMarginTradingAllowed\":false,"
			  "\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"minPrice\":");
		/* Tick = one price unit, step = one quantity unit; max bounds generous. */
		put_px(&w, b, 1);
		puts_(&w, ",\"maxPrice\":");
		put_px(&w, b, (c->mid * 100));
		puts_(&w, ",\"tickSize\":");
		put_px(&w, b, 1);
		puts_(&w, "},{\"filterType\":\"LOT_SIZE\",\"minQty\":");
		put_qty(&w, b, 1);
		puts_(&w, ",\"maxQty\":");
		put_qty(&w, b, 9000 * ipow10(c->qty_dec)); /* 9000 whole units */
		puts_(&w, ",\"stepSize\":");
		put_qty(&w, b, 1);
		/* NOTIONAL: 5 quote units minimum, no max (0 disables). */
		puts_(&w, "},{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\","
			  "\"applyMinToMarket\":true,\"maxNotional\":\"9000000.00000000\","
			  "\"applyMaxToMarket\":false,\"avgPriceMins\":5}],"
			  "\"permissions\":[],\"permissionSets\":[[\"SPOT\"]],"
			  "\"defaultSelfTradePreventionMode\":\"EXPIRE_MAKER\","
			  "\"allowedSelfTradePreventionModes\":[\"NONE\",\"EXPIRE_TAKER\","
			  "\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]}");
	}
	puts_(&w, "]}");
	return done(&w, buf);
}
