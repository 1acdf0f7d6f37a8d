/*
 * bench_md.c — tt-bench-md: how long tt-md's Binance scanners take per message against
 * cJSON doing the same job (parse, pick the fields, turn the decimal strings into fixed
 * point with tt_fixed_parse, fill the same struct), on the same generated messages in the
 * docs' shapes (bookTicker, depthUpdate with 1-10 levels per side, trade, and bookTicker in
 * a combined-stream wrapper). Also the book: ns per tt_book_set on a 1000-deep book with
 * updates clustered near the top, as a live feed does.
 *
 * Timing: CLOCK_MONOTONIC around batches of BATCH messages (the clock read costs ~20 ns,
 * so timing single messages would mostly time the clock); each batch gives one ns/msg
 * sample; p50 / p99 over the samples. Runs a few seconds. Usage: tt-bench-md [rounds [bt]]
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_md.h"
#include "tt_fixed.h"
#include "tt_md.h"

#define NMSG   1024
#define BATCH  8
#define MSGMAX MD_MSGMAX

static char msgs[NMSG][MSGMAX];
static size_t lens[NMSG];
static struct tt_md_instr_table tab;
static volatile int64_t sink;


static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct res {
	double p50, p99;
};

static struct res pct(double *v, size_t n)
{
	struct res r;

	qsort(v, n, sizeof(v[0]), cmp_d);
	r.p50 = v[n / 2];
	r.p99 = v[(size_t)((double)n * 0.99)];
	return r;
}

/* A price around 27000.00 with 8 decimals on the wire, as Binance sends. */
static int px_str(char *b, size_t n)
{
	return snprintf(b, n, "%u.%02u000000", 26900 + (unsigned)(rnd() % 200),
			(unsigned)(rnd() % 100));
}
static int qty_str(char *b, size_t n)
{
	return snprintf(b, n, "%u.%05u000", (unsigned)(rnd() % 20), (unsigned)(rnd() % 100000));
}

static void gen_book_ticker(int combined)
{
	int i;

	for (i = 0; i < NMSG; i++) {
		char b[32], B[32], a[32], A[32];

		px_str(b, sizeof(b));
		qty_str(B, sizeof(B));
		px_str(a, sizeof(a));
		qty_str(A, sizeof(A));
		lens[i] = (size_t)snprintf(
		    msgs[i], MSGMAX,
		    "%s{\"u\":%" PRIu64 ",\"s\":\"BTCUSDT\",\"b\":\"%s\","
		    "\"B\":\"%s\",\"a\":\"%s\",\"A\":\"%s\"}%s",
		    combined ? "{\"stream\":\"btcusdt@bookTicker\",\"data\":" : "",
		    (uint64_t)40090021700ULL + (uint64_t)i, b, B, a, A, combined ? "}" : "");
	}
}

static void gen_trade(void)
{
	int i;

	for (i = 0; i < NMSG; i++) {
		char p[32], q[32];

		px_str(p, sizeof(p));
		qty_str(q, sizeof(q));
		lens[i] = (size_t)snprintf(msgs[i], MSGMAX,
					   "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BTCUSDT\","
					   "\"t\":%d,\"p\":\"%s\",\"q\":\"%s\",\"T\":1672515782136,"
					   "\"m\":%s,\"M\":true}",
					   3000000 + i, p, q, rnd() & 1 ? "true" : "false");
	}
}

static void gen_depth(void)
{
	int i, k;

	for (i = 0; i < NMSG; i++) {
		char *m = msgs[i];
		size_t n = 0;
		int nb = (int)(rnd() % 10) + 1, na = (int)(rnd() % 10) + 1;

		n +=
		    (size_t)snprintf(m + n, MSGMAX - n,
				     "{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BTCUSDT\","
				     "\"U\":%d,\"u\":%d,\"b\":[",
				     1000 + 2 * i, 1001 + 2 * i);
		for (k = 0; k < nb; k++) {
			char p[32], q[32];

			px_str(p, sizeof(p));
			qty_str(q, sizeof(q));
			n += (size_t)snprintf(m + n, MSGMAX - n, "%s[\"%s\",\"%s\"]", k ? "," : "",
					      p, q);
		}
		n += (size_t)snprintf(m + n, MSGMAX - n, "],\"a\":[");
		for (k = 0; k < na; k++) {
			char p[32], q[32];

			px_str(p, sizeof(p));
			qty_str(q, sizeof(q));
			n += (size_t)snprintf(m + n, MSGMAX - n, "%s[\"%s\",\"%s\"]", k ? "," : "",
					      p, q);
		}
		n += (size_t)snprintf(m + n, MSGMAX - n, "]}");
		lens[i] = n;
	}
}

/* ---- the cJSON way: parse, fetch, convert with tt_fixed ---- */

static int cj_dec(const cJSON *o, const char *k, unsigned scale, int64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(it))
		return -1;
	return tt_fixed_parse(it->valuestring, strlen(it->valuestring), scale, out);
}

/* Number member k as an integer; *bad set when missing or not a number. */
static uint64_t cj_u64(const cJSON *o, const char *k, int *bad)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(it)) {
		*bad = 1;
		return 0;
	}
	return (uint64_t)it->valuedouble;
}

static int cj_bt_obj(const struct tt_md_instr_table *t, const cJSON *o,
		     struct tt_md_book_ticker *bt)
{
	const cJSON *u, *s;
	int rc = -1;

	u = cJSON_GetObjectItemCaseSensitive(o, "u");
	s = cJSON_GetObjectItemCaseSensitive(o, "s");
	if (cJSON_IsNumber(u) && cJSON_IsString(s)) {
		bt->instr = tt_md_instr_find(t, s->valuestring, strlen(s->valuestring));
		bt->update_id = (uint64_t)u->valuedouble;
		if (bt->instr && !cj_dec(o, "b", bt->instr->px_scale, &bt->bid_px) &&
		    !cj_dec(o, "B", bt->instr->qty_scale, &bt->bid_qty) &&
		    !cj_dec(o, "a", bt->instr->px_scale, &bt->ask_px) &&
		    !cj_dec(o, "A", bt->instr->qty_scale, &bt->ask_qty))
			rc = 0;
	}
	return rc;
}

static int cj_book_ticker(const char *p, size_t len, struct tt_md_book_ticker *bt)
{
	cJSON *o = cJSON_ParseWithLength(p, len);
	int rc;

	if (!o)
		return -1;
	rc = cj_bt_obj(&tab, o, bt);
	cJSON_Delete(o);
	return rc;
}

static int cj_trade_obj(const struct tt_md_instr_table *tb, const cJSON *o,
			struct tt_md_trade *tr)
{
	const cJSON *s, *t, *m;
	int rc = -1;

	s = cJSON_GetObjectItemCaseSensitive(o, "s");
	t = cJSON_GetObjectItemCaseSensitive(o, "t");
	m = cJSON_GetObjectItemCaseSensitive(o, "m");
	if (cJSON_IsString(s) && cJSON_IsNumber(t) && cJSON_IsBool(m)) {
		int bad = 0;

		tr->instr = tt_md_instr_find(tb, s->valuestring, strlen(s->valuestring));
		tr->trade_id = (uint64_t)t->valuedouble;
		tr->event_ts = cj_u64(o, "E", &bad);
		tr->trade_ts = cj_u64(o, "T", &bad);
		tr->buyer_maker = cJSON_IsTrue(m);
		if (!bad && tr->instr && !cj_dec(o, "p", tr->instr->px_scale, &tr->px) &&
		    !cj_dec(o, "q", tr->instr->qty_scale, &tr->qty))
			rc = 0;
	}
	return rc;
}

static int cj_trade(const char *p, size_t len, struct tt_md_trade *tr)
{
	cJSON *o = cJSON_ParseWithLength(p, len);
	int rc;

	if (!o)
		return -1;
	rc = cj_trade_obj(&tab, o, tr);
	cJSON_Delete(o);
	return rc;
}

static int cj_levels(const cJSON *arr, const struct tt_md_instr *in, struct tt_md_level *lv,
		     uint32_t cap, uint32_t *n)
{
	const cJSON *e;

	*n = 0;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *p = cJSON_GetArrayItem(e, 0), *q = cJSON_GetArrayItem(e, 1);

		if (*n >= cap || !cJSON_IsString(p) || !cJSON_IsString(q) ||
		    tt_fixed_parse(p->valuestring, strlen(p->valuestring), in->px_scale,
				   &lv[*n].px) ||
		    tt_fixed_parse(q->valuestring, strlen(q->valuestring), in->qty_scale,
				   &lv[*n].qty))
			return -1;
		(*n)++;
	}
	return 0;
}

static int cj_depth_obj(const struct tt_md_instr_table *t, const cJSON *o,
			struct tt_md_depth *d)
{
	const cJSON *s;
	int rc = -1;

	s = cJSON_GetObjectItemCaseSensitive(o, "s");
	if (cJSON_IsString(s)) {
		int bad = 0;

		d->instr = tt_md_instr_find(t, s->valuestring, strlen(s->valuestring));
		d->first_id = cj_u64(o, "U", &bad);
		d->final_id = cj_u64(o, "u", &bad);
		d->event_ts = cj_u64(o, "E", &bad);
		if (!bad && d->instr &&
		    !cj_levels(cJSON_GetObjectItemCaseSensitive(o, "b"), d->instr, d->bids,
			       d->cap_bids, &d->n_bids) &&
		    !cj_levels(cJSON_GetObjectItemCaseSensitive(o, "a"), d->instr, d->asks,
			       d->cap_asks, &d->n_asks))
			rc = 0;
	}
	return rc;
}

static int cj_depth(const char *p, size_t len, struct tt_md_depth *d)
{
	cJSON *o = cJSON_ParseWithLength(p, len);
	int rc;

	if (!o)
		return -1;
	rc = cj_depth_obj(&tab, o, d);
	cJSON_Delete(o);
	return rc;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* The combined-stream wrapper: dispatch on the stream name as tt-md does. */
int md_cj_frame(const struct tt_md_instr_table *t, const char *p, size_t len,
		struct tt_md_bn_msg *m)
{
	cJSON *o = cJSON_ParseWithLength(p, len);
	const cJSON *st, *data;
	int rc = -1;

	if (!o)
		return -1;
	st = cJSON_GetObjectItemCaseSensitive(o, "stream");
	data = cJSON_GetObjectItemCaseSensitive(o, "data");
	if (cJSON_IsString(st) && cJSON_IsObject(data)) {
		if (ends_with(st->valuestring, "@bookTicker")) {
			m->kind = TT_MD_MSG_BOOK_TICKER;
			rc = cj_bt_obj(t, data, &m->bt);
			m->instr = m->bt.instr;
		} else if (ends_with(st->valuestring, "@trade")) {
			m->kind = TT_MD_MSG_TRADE;
			rc = cj_trade_obj(t, data, &m->trade);
			m->instr = m->trade.instr;
		} else if (strstr(st->valuestring, "@depth@") || ends_with(st->valuestring, "@depth")) {
			m->kind = TT_MD_MSG_DEPTH;
			rc = cj_depth_obj(t, data, &m->depth);
			m->instr = m->depth.instr;
		}
	}
	cJSON_Delete(o);
	return rc;
}

/* ---- runners ---- */

enum kind { K_BT, K_BT_COMB, K_DEPTH, K_TRADE };

static int parse_one(enum kind k, int ours, int i)
{
	static struct tt_md_level b[16], a[16];
	struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 16, .cap_asks = 16};
	struct tt_md_book_ticker bt;
	struct tt_md_trade tr;
	struct tt_md_perr e;
	int rc;

	switch (k) {
	case K_BT:
		rc = ours ? tt_md_bn_book_ticker(&tab, NULL, msgs[i], lens[i], &bt, &e)
			  : cj_book_ticker(msgs[i], lens[i], &bt);
		sink += bt.bid_px;
		return rc;
	case K_BT_COMB: {
		/* ours only: the whole-frame path a combined connection takes */
		static struct tt_md_bn_msg m;

		(void)ours;
		rc = tt_md_bn_scan(&tab, msgs[i], lens[i], &m, &e);
		sink += m.bt.ask_px;
		return rc;
	}
	case K_DEPTH:
		rc = ours ? tt_md_bn_depth_update(&tab, NULL, msgs[i], lens[i], &d, &e)
			  : cj_depth(msgs[i], lens[i], &d);
		sink += d.n_bids;
		return rc;
	default:
		rc = ours ? tt_md_bn_trade(&tab, NULL, msgs[i], lens[i], &tr, &e)
			  : cj_trade(msgs[i], lens[i], &tr);
		sink += tr.px;
		return rc;
	}
}

static struct res run(enum kind k, int ours, int rounds)
{
	size_t nsamp = (size_t)rounds * (NMSG / BATCH), s = 0;
	double *v = malloc(nsamp * sizeof(double));
	int r, i, j;

	/* warm up and check every message parses */
	for (i = 0; i < NMSG; i++)
		if (parse_one(k, ours, i) != 0) {
			fprintf(stderr, "message %d refused by %s: %.*s\n", i,
				ours ? "tt" : "cJSON", (int)lens[i], msgs[i]);
			exit(1);
		}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NMSG; i += BATCH) {
			uint64_t t0 = now_ns();

			for (j = 0; j < BATCH; j++)
				(void)parse_one(k, ours, i + j);
			v[s++] = (double)(now_ns() - t0) / BATCH;
		}
	}
	{
		struct res res = pct(v, s);

		free(v);
		return res;
	}
}

static void compare(const char *name, enum kind k, int rounds)
{
	struct res a = run(k, 1, rounds), b = run(k, 0, rounds);

	printf("%-22s tt p50 %7.1f p99 %7.1f | cJSON p50 %7.1f p99 %7.1f | ratio p50 %5.1fx\n",
	       name, a.p50, a.p99, b.p50, b.p99, b.p50 / a.p50);
}

static void bench_book(int rounds)
{
	static struct tt_book_level store[2 * (2 * 1000 + 1)];
	size_t nsamp = (size_t)rounds * 256, s = 0;
	double *v = malloc(nsamp * sizeof(double));
	struct tt_book b;
	int i, r, j;

	if (tt_book_init(&b, store, 1000))
		exit(1);
	for (i = 0; i < 1000; i++) {
		if (tt_book_set(&b, TT_SIDE_BUY, 2700000 - i, 100 + i) ||
		    tt_book_set(&b, TT_SIDE_SELL, 2700001 + i, 100 + i))
			exit(1);
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 256; i++) {
			struct {
				unsigned side;
				tt_px_t px;
				tt_qty_t q;
			} op[BATCH];
			uint64_t t0;

			for (j = 0; j < BATCH; j++) {
				/* 90% within 20 ticks of the top, 30% removals */
				tt_px_t off = (tt_px_t)(rnd() % 10 ? rnd() % 20 : rnd() % 1200);

				op[j].side = (unsigned)(rnd() & 1);
				op[j].px = op[j].side ? 2700001 + off : 2700000 - off;
				op[j].q = rnd() % 10 < 3 ? 0 : (tt_qty_t)(rnd() % 1000 + 1);
			}
			t0 = now_ns();
			for (j = 0; j < BATCH; j++)
				sink += tt_book_set(&b, op[j].side, op[j].px, op[j].q);
			v[s++] = (double)(now_ns() - t0) / BATCH;
		}
	}
	{
		struct res res = pct(v, s);

		printf(
		    "%-22s tt p50 %7.1f p99 %7.1f   (1000-deep book, %u/%u levels at end, %" PRIu64
		    " dropped)\n",
		    "book set (ns/level)", res.p50, res.p99, tt_book_count(&b, 0),
		    tt_book_count(&b, 1), b.dropped);
	}
	free(v);
}

/* The whole-path message set: combined-stream frames, 2 bookTicker : 1 depthUpdate :
 * 1 trade, as the md connection of tt-md subscribes them. */
static char mix[NMSG][MSGMAX];
static size_t mix_len[NMSG];

static void wrap(int i, const char *stream)
{
	int n = snprintf(mix[i], MSGMAX, "{\"stream\":\"%s\",\"data\":%.*s}", stream,
			 (int)lens[i], msgs[i]);

	if (n < 0 || n >= MSGMAX) {
		fprintf(stderr, "message %d too long\n", i);
		exit(1);
	}
	mix_len[i] = (size_t)n;
}

static void gen_mix(void)
{
	int i;

	gen_book_ticker(0);
	for (i = 0; i < NMSG; i += 4) {
		wrap(i, "btcusdt@bookTicker");
		wrap(i + 1, "btcusdt@bookTicker");
	}
	gen_depth();
	for (i = 2; i < NMSG; i += 4)
		wrap(i, "btcusdt@depth@100ms");
	gen_trade();
	for (i = 3; i < NMSG; i += 4)
		wrap(i, "btcusdt@trade");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tt-bench md [ROUNDS] [--lws-n N] [--batch BYTES] [--paced-n N] [--pace-us US]\n"
		"                   [--lws-only] [--smoke]\n"
		"  ROUNDS      parse-only rounds of %d messages per row (default 200)\n"
		"  --lws-n N   messages sent to each client in the loopback TLS comparison\n"
		"              (default 200000)\n"
		"  --batch B   server packs frames into TLS records of up to B bytes (default 16000;\n"
		"              1 = one record per message)\n"
		"  --paced-n N messages of the paced run (default 20000; 0 skips it)\n"
		"  --pace-us U its sender sleeps U us after each message (default 20)\n"
		"  --lws-only  only the loopback comparison (burst and paced)\n"
		"  --smoke     --lws-only with 2000 messages, checks values, no table; exit 1 on a\n"
		"              mismatch\n",
		NMSG);
}

int main(int argc, char **argv)
{
	struct md_lws_opts lo = {.n = 200000, .batch_bytes = 16000};
	struct md_lws_opts po = {.n = 20000, .batch_bytes = 1, .pace_us = 20};
	bool lws_only = false;
	int rounds = 200, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lws-n") && i + 1 < argc) {
			lo.n = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
			lo.batch_bytes = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--paced-n") && i + 1 < argc) {
			po.n = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--pace-us") && i + 1 < argc) {
			po.pace_us = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--lws-only")) {
			lws_only = true;
		} else if (!strcmp(argv[i], "--smoke")) {
			lws_only = true;
			lo.quiet = true;
			lo.n = 2000;
			po.quiet = true;
			po.n = 200;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "bt")) {
			/* profiling aid: ours, bookTicker */
			tt_md_instr_table_init(&tab);
			if (tt_md_instr_add(&tab, "BTCUSDT", 1, 8, 8))
				return 1;
			gen_book_ticker(0);
			printf("bookTicker tt p50 %.1f\n", run(K_BT, 1, rounds).p50);
			return 0;
		} else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
			rounds = atoi(argv[i]);
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (rounds < 1 || lo.n < 1 || lo.batch_bytes < 1 || po.pace_us < 1 || po.pace_us > 999999) {
		usage(stderr);
		return 2;
	}

	tt_md_instr_table_init(&tab);
	if (tt_md_instr_add(&tab, "BTCUSDT", 1, 8, 8))
		return 1;
	if (lws_only) {
		gen_mix();
		return md_lws_bench(&tab, mix, mix_len, NMSG, &lo) |
		       (po.n ? md_lws_bench(&tab, mix, mix_len, NMSG, &po) : 0);
	}
	printf("tt-bench-md: ns per message, batches of %d, %d x %d messages per row\n", BATCH,
	       rounds, NMSG);
	gen_book_ticker(0);
	compare("bookTicker", K_BT, rounds);
	gen_book_ticker(1);
	{
		struct res a = run(K_BT_COMB, 1, rounds);

		printf("%-22s tt p50 %7.1f p99 %7.1f   (wrapper + dispatch + bookTicker)\n",
		       "bookTicker combined", a.p50, a.p99);
	}
	gen_depth();
	compare("depthUpdate (1-10/side)", K_DEPTH, rounds / 2 ? rounds / 2 : 1);
	gen_trade();
	compare("trade", K_TRADE, rounds);
	bench_book(rounds * 4);
	gen_book_ticker(1);
	md_path_bench(&tab, msgs, lens, NMSG, rounds > 20 ? 20 : rounds);
	gen_mix();
	fflush(stdout);
	i = md_lws_bench(&tab, mix, mix_len, NMSG, &lo);
	fflush(stdout);
	if (po.n)
		i |= md_lws_bench(&tab, mix, mix_len, NMSG, &po);
	return i || sink == 42 ? 1 : 0;
}
