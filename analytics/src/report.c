/*
 * report.c — tt_an_report: one self-contained file (HTML with inline SVG charts, or
 * Markdown, or JSON) from the SQLite store. Money is computed in fixed point (the fills
 * are replayed through tt_an_apply_fill from the first one, so P&L since T is exact);
 * doubles appear only for drawing and for percent/bps ratios.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tt_an.h"
#include "tt_fixed.h"
#include "tt_err.h"

#define MAX_PTS 4096

struct series {
	double *x, *y;
	size_t n, cap;
};

static void s_push(struct series *s, double x, double y)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		double *nx = realloc(s->x, cap * sizeof(double));
		double *ny = nx ? realloc(s->y, cap * sizeof(double)) : NULL;

		if (!nx || !ny) {
			if (nx)
				s->x = nx;
			return;
		}
		s->x = nx;
		s->y = ny;
		s->cap = cap;
	}
	s->x[s->n] = x;
	s->y[s->n] = y;
	s->n++;
}

static void s_free(struct series *s)
{
	free(s->x);
	free(s->y);
	memset(s, 0, sizeof(*s));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t pct(const int64_t *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

/* v at `scale` as an exact decimal into buf (≥ TT_FIXED_STR_MAX bytes). */
static char *fix(char *buf, int64_t v, unsigned scale)
{
	if (tt_fixed_format(v, scale, 0, buf, TT_FIXED_STR_MAX) < 0)
		strcpy(buf, "NaN");
	return buf;
}

static void iso(char *buf, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- SVG ------------------------------------------------------------------------------- */

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

static void svg_line(FILE *o, const char *title, const char *yunit, struct series *ss,
		     const char *const *names, int ns, bool x_is_time)
{
	const double W = 540, H = 240, L = 92, R = 10, T = 28, B = 36;
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
	char a[32], b[32];

	for (int k = 0; k < ns; k++)
		for (size_t i = 0; i < ss[k].n; i++) {
			x0 = fmin(x0, ss[k].x[i]);
			x1 = fmax(x1, ss[k].x[i]);
			y0 = fmin(y0, ss[k].y[i]);
			y1 = fmax(y1, ss[k].y[i]);
		}
	fprintf(o,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
		"class='chart'><text x='%.0f' y='18' class='t'>%s</text>",
		W, H, L, title);
	if (!isfinite(x0)) {
		fprintf(o, "<text x='%.0f' y='%.0f'>no data</text></svg>\n", L, H / 2);
		return;
	}
	if (x1 == x0)
		x1 = x0 + 1;
	if (y1 == y0) {
		y1 += fabs(y1) * 0.1 + 1;
		y0 -= fabs(y0) * 0.1 + 1;
	}
	fprintf(o,
		"<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' fill='none' "
		"stroke='#999'/>",
		L, T, W - L - R, H - T - B);
	if (y0 < 0 && y1 > 0) {
		double zy = T + (H - T - B) * (1 - (0 - y0) / (y1 - y0));

		fprintf(o,
			"<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#ccc' "
			"stroke-dasharray='4'/>",
			L, W - R, zy, zy);
	}
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax' text-anchor='end'>%.4g %s</text>", L - 4,
		T + 10, y1, yunit);
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax' text-anchor='end'>%.4g %s</text>", L - 4,
		H - B, y0, yunit);
	if (x_is_time) {
		iso(a, (int64_t)x0);
		iso(b, (int64_t)x1);
	} else {
		snprintf(a, sizeof(a), "%.6g", x0);
		snprintf(b, sizeof(b), "%.6g", x1);
	}
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax'>%s</text>", L, H - B + 14, a);
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax' text-anchor='end'>%s</text>", W - R,
		H - B + 14, b);
	for (int k = 0; k < ns; k++) {
		fprintf(o, "<polyline fill='none' stroke='%s' stroke-width='1.5' points='",
			colors[k % 5]);
		for (size_t i = 0; i < ss[k].n; i++)
			fprintf(o, "%.1f,%.1f ", L + (W - L - R) * (ss[k].x[i] - x0) / (x1 - x0),
				T + (H - T - B) * (1 - (ss[k].y[i] - y0) / (y1 - y0)));
		fprintf(o, "'/><text x='%.0f' y='%.0f' fill='%s' class='ax'>%s</text>",
			L + 10 + 110 * k, H - 6, colors[k % 5], names[k]);
	}
	fprintf(o, "</svg>\n");
}

static void svg_bars(FILE *o, const char *title, const char *const *labels, const double *v, int n,
		     const char *unit)
{
	const double W = 540, H = 240, L = 92, R = 10, T = 28, B = 40;
	double lo = 0, hi = 0, bw;

	for (int i = 0; i < n; i++) {
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	if (hi == lo)
		hi = lo + 1;
	bw = (W - L - R) / (n ? n : 1);
	fprintf(o,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
		"class='chart'><text x='%.0f' y='18' class='t'>%s</text>",
		W, H, L, title);
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax' text-anchor='end'>%.4g %s</text>", L - 4,
		T + 10, hi, unit);
	fprintf(o, "<text x='%.0f' y='%.0f' class='ax' text-anchor='end'>%.4g %s</text>", L - 4,
		H - B, lo, unit);
	fprintf(o, "<line x1='%.0f' x2='%.0f' y1='%.1f' y2='%.1f' stroke='#999'/>", L, W - R,
		T + (H - T - B) * (hi / (hi - lo)), T + (H - T - B) * (hi / (hi - lo)));
	for (int i = 0; i < n; i++) {
		double zy = T + (H - T - B) * (hi / (hi - lo));
		double y = T + (H - T - B) * (1 - (v[i] - lo) / (hi - lo));

		fprintf(o,
			"<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
			"<title>%s: %.6g</title></rect>",
			L + i * bw + 1, fmin(y, zy), bw - 2, fabs(zy - y),
			v[i] < 0 ? "#d62728" : "#1f77b4", labels[i], v[i]);
		if (n <= 16 || i % (n / 8 + 1) == 0)
			fprintf(o, "<text x='%.1f' y='%.0f' class='ax'>%s</text>", L + i * bw + 2,
				H - B + 14, labels[i]);
	}
	fprintf(o, "</svg>\n");
}

/* ---- data ------------------------------------------------------------------------------ */

struct stage {
	const char *name;
	const char *col;
	int64_t *v;
	size_t n;
};

struct mk {
	int h;		/* seconds */
	double sum_bps; /* sum of markouts in bps */
	int64_t sum_px; /* sum of markouts, price units */
	size_t n;
};

static int load_col(sqlite3 *db, const char *col, int64_t since, int64_t **out, size_t *n)
{
	char sql[200];
	sqlite3_stmt *st;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql), "SELECT %s FROM orders WHERE ts_ns >= ? AND %s IS NOT NULL", col,
		 col);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -TT_ESTATE;
	sqlite3_bind_int64(st, 1, since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *p = realloc(*out, (cap = cap ? cap * 2 : 1024) * sizeof(int64_t));

			if (!p)
				break;
			*out = p;
		}
		(*out)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (*n)
		qsort(*out, *n, sizeof(int64_t), cmp_i64);
	return 0;
}

static int64_t count_of(sqlite3 *db, const char *sql, int64_t since)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int tt_an_report(struct tt_an *a, int64_t since, enum tt_an_fmt fmt, FILE *o)
{
	struct stage stages[] = {{"md published", "md_pub_ns", NULL, 0},
				 {"strategy received", "strat_rx_ns", NULL, 0},
				 {"strategy decided", "decided_ns", NULL, 0},
				 {"order sent (t2t)", "t2t_ns", NULL, 0}};
	const int nst = 4;
	struct mk mk[3] = {{1, 0, 0, 0}, {10, 0, 0, 0}, {60, 0, 0, 0}};
	struct tt_an_pos replay[TT_AN_INSTR_MAX];
	struct series pnl = {0}, posn = {0}, p50 = {0}, p99 = {0};
	int64_t orders, fills, ord_qty, fill_qty, realized = 0, fees = 0, unreal = 0;
	int64_t first_ts = 0, last_ts = 0;
	unsigned ps = a->cfg.px_scale, qs = a->cfg.qty_scale;
	double qd = pow(10, qs), pd = pow(10, ps);
	sqlite3_stmt *st;
	char b1[48], b2[48], b3[48], b4[48], when[32];
	int rc = 0;

	if ((rc = tt_an_commit(a)))
		return rc;
	orders = count_of(a->db, "SELECT COUNT(*) FROM orders WHERE ts_ns >= ?", since);
	ord_qty =
	    count_of(a->db, "SELECT COALESCE(SUM(qty),0) FROM orders WHERE ts_ns >= ?", since);
	fills = count_of(a->db, "SELECT COUNT(*) FROM fills WHERE ts_ns >= ?", since);
	fill_qty =
	    count_of(a->db, "SELECT COALESCE(SUM(qty),0) FROM fills WHERE ts_ns >= ?", since);
	for (int i = 0; i < nst; i++)
		load_col(a->db, stages[i].col, since, &stages[i].v, &stages[i].n);

	/* replay every fill in journal order: exact P&L and position curves */
	memset(replay, 0, sizeof(replay));
	if (sqlite3_prepare_v2(
		a->db, "SELECT instr, side, px, qty, fee, mid, ts_ns FROM fills ORDER BY seq", -1,
		&st, NULL) != SQLITE_OK) {
		rc = tt_err_set(-TT_ESTATE, "report: %s", sqlite3_errmsg(a->db));
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int in = sqlite3_column_int(st, 0);
		int64_t px = sqlite3_column_int64(st, 2), mid = sqlite3_column_int64(st, 5);
		int64_t ts = sqlite3_column_int64(st, 6), tot = 0, gross = 0;

		if (in < 0 || in >= TT_AN_INSTR_MAX)
			continue;
		tt_an_apply_fill(a, &replay[in], sqlite3_column_int(st, 1), px,
				 sqlite3_column_int64(st, 3));
		replay[in].fees += sqlite3_column_int64(st, 4);
		replay[in].mid = mid > 0 ? mid : px;
		for (int k = 0; k < TT_AN_INSTR_MAX; k++) {
			struct tt_an_pos *p = &replay[k];

			if (!p->qty && !p->realized && !p->fees)
				continue;
			tot += p->realized - p->fees +
			       (int64_t)((__int128)p->qty * p->mid / (int64_t)qd) - p->cost;
			gross += p->qty;
		}
		if (ts >= since) {
			if (pnl.n < MAX_PTS) {
				s_push(&pnl, (double)ts, (double)tot / pd);
				s_push(&posn, (double)ts, (double)gross / qd);
			}
			if (!first_ts)
				first_ts = ts;
			last_ts = ts;
		}
	}
	sqlite3_finalize(st);
	for (int k = 0; k < TT_AN_INSTR_MAX; k++) {
		const struct tt_an_pos *p = &replay[k];
		int64_t mid = a->pos[k].mid ? a->pos[k].mid : p->mid;

		realized += p->realized;
		fees += p->fees;
		unreal += (int64_t)((__int128)p->qty * mid / (int64_t)qd) - p->cost;
	}

	/* markouts: mid at the first book sample h seconds after each fill */
	if (sqlite3_prepare_v2(
		a->db,
		"SELECT f.side, f.px, f.qty, (SELECT (bid_px + ask_px) / 2 FROM books b"
		" WHERE b.instr = f.instr AND b.ts_ns >= f.ts_ns + ?1 ORDER BY ts_ns"
		" LIMIT 1) FROM fills f WHERE f.ts_ns >= ?2",
		-1, &st, NULL) != SQLITE_OK) {
		rc = tt_err_set(-TT_ESTATE, "report: %s", sqlite3_errmsg(a->db));
		goto out;
	}
	for (int h = 0; h < 3; h++) {
		sqlite3_bind_int64(st, 1, (int64_t)mk[h].h * 1000000000);
		sqlite3_bind_int64(st, 2, since);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t px = sqlite3_column_int64(st, 1), qty = sqlite3_column_int64(st, 2);
			int64_t mid, d;

			if (sqlite3_column_type(st, 3) == SQLITE_NULL || px <= 0)
				continue; /* no book that late yet */
			mid = sqlite3_column_int64(st, 3);
			d = sqlite3_column_int(st, 0) == 0 ? mid - px : px - mid;
			mk[h].sum_px += (int64_t)((__int128)d * qty / (int64_t)qd);
			mk[h].sum_bps += (double)d / (double)px * 1e4;
			mk[h].n++;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);

	/* t2t percentiles over time: up to 30 windows between the first and last order */
	if (sqlite3_prepare_v2(a->db,
			       "SELECT ts_ns, t2t_ns FROM orders WHERE ts_ns >= ? ORDER BY ts_ns",
			       -1, &st, NULL) == SQLITE_OK) {
		int64_t *w = malloc(sizeof(int64_t) * (size_t)(orders ? orders : 1));
		size_t wn = 0, per = (size_t)(orders / 30 + 1);
		int64_t wts = 0;

		sqlite3_bind_int64(st, 1, since);
		while (w) {
			bool row = sqlite3_step(st) == SQLITE_ROW;

			if (row) {
				if (!wn)
					wts = sqlite3_column_int64(st, 0);
				w[wn++] = sqlite3_column_int64(st, 1);
			}
			if ((wn == per || !row) && wn) {
				qsort(w, wn, sizeof(int64_t), cmp_i64);
				s_push(&p50, (double)wts, (double)pct(w, wn, 0.5) / 1e3);
				s_push(&p99, (double)wts, (double)pct(w, wn, 0.99) / 1e3);
				wn = 0;
			}
			if (!row)
				break;
		}
		free(w);
		sqlite3_finalize(st);
	}

	iso(when, a->cfg.mono_to_real_ns + 0);
	{
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		iso(when, (int64_t)now.tv_sec * 1000000000);
	}

	if (fmt == TT_AN_JSON) {
		fprintf(o,
			"{\"generated\":\"%s\",\"since_ns\":%lld,\"orders\":%lld,\"fills\":%lld,",
			when, (long long)since, (long long)orders, (long long)fills);
		fprintf(o, "\"fill_ratio\":%.6f,\"qty_fill_ratio\":%.6f,",
			orders ? (double)fills / (double)orders : 0.0,
			ord_qty ? (double)fill_qty / (double)ord_qty : 0.0);
		fprintf(o, "\"pnl\":{\"realized\":%s,\"unrealized\":%s,\"fees\":%s,\"total\":%s},",
			fix(b1, realized, ps), fix(b2, unreal, ps), fix(b3, fees, ps),
			fix(b4, realized + unreal - fees, ps));
		fprintf(o, "\"latency_ns\":{");
		for (int i = 0; i < nst; i++)
			fprintf(o,
				"%s\"%s\":{\"n\":%zu,\"p50\":%lld,\"p90\":%lld,\"p99\":%lld,"
				"\"p999\":%lld,\"max\":%lld}",
				i ? "," : "", stages[i].col, stages[i].n,
				(long long)pct(stages[i].v, stages[i].n, 0.5),
				(long long)pct(stages[i].v, stages[i].n, 0.9),
				(long long)pct(stages[i].v, stages[i].n, 0.99),
				(long long)pct(stages[i].v, stages[i].n, 0.999),
				(long long)(stages[i].n ? stages[i].v[stages[i].n - 1] : 0));
		fprintf(o, "},\"markouts\":[");
		for (int h = 0; h < 3; h++)
			fprintf(o, "%s{\"horizon_s\":%d,\"n\":%zu,\"avg_bps\":%.4f,\"sum\":%s}",
				h ? "," : "", mk[h].h, mk[h].n,
				mk[h].n ? mk[h].sum_bps / (double)mk[h].n : 0.0,
				fix(b1, mk[h].sum_px, ps));
		fprintf(o, "],\"positions\":[");
		for (int k = 0, first = 1; k < TT_AN_INSTR_MAX; k++) {
			if (!replay[k].qty && !replay[k].realized)
				continue;
			fprintf(o, "%s{\"instr\":%d,\"qty\":%s,\"realized\":%s,\"fees\":%s}",
				first ? "" : ",", k, fix(b1, replay[k].qty, qs),
				fix(b2, replay[k].realized, ps), fix(b3, replay[k].fees, ps));
			first = 0;
		}
		fprintf(o, "]}\n");
		goto out;
	}

	if (fmt == TT_AN_MD) {
		fprintf(o,
			"# ticktrade analytics report\n\nGenerated %s. Orders %lld, fills %lld, "
			"fill ratio %.1f%% (by qty %.1f%%).\n\n",
			when, (long long)orders, (long long)fills,
			orders ? 100.0 * (double)fills / (double)orders : 0.0,
			ord_qty ? 100.0 * (double)fill_qty / (double)ord_qty : 0.0);
		fprintf(o,
			"## P&L\n\n| realized | unrealized | fees | total |\n|---|---|---|---|\n"
			"| %s | %s | %s | %s |\n\n",
			fix(b1, realized, ps), fix(b2, unreal, ps), fix(b3, fees, ps),
			fix(b4, realized + unreal - fees, ps));
		fprintf(o,
			"## Latency per stage (µs after t_rx)\n\n| stage | n | p50 | p90 | p99 | "
			"p99.9 | max |\n|---|---|---|---|---|---|---|\n");
		for (int i = 0; i < nst; i++)
			fprintf(o, "| %s | %zu | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
				stages[i].name, stages[i].n,
				pct(stages[i].v, stages[i].n, 0.5) / 1e3,
				pct(stages[i].v, stages[i].n, 0.9) / 1e3,
				pct(stages[i].v, stages[i].n, 0.99) / 1e3,
				pct(stages[i].v, stages[i].n, 0.999) / 1e3,
				(stages[i].n ? stages[i].v[stages[i].n - 1] : 0) / 1e3);
		fprintf(
		    o, "\n## Markouts\n\n| horizon | fills | avg bps | sum |\n|---|---|---|---|\n");
		for (int h = 0; h < 3; h++)
			fprintf(o, "| %d s | %zu | %.3f | %s |\n", mk[h].h, mk[h].n,
				mk[h].n ? mk[h].sum_bps / (double)mk[h].n : 0.0,
				fix(b1, mk[h].sum_px, ps));
		goto out;
	}

	/* HTML */
	fprintf(o, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ticktrade report"
		   "</title><style>body{font:14px sans-serif;margin:24px;max-width:1180px}"
		   "h1{font-size:22px}h2{font-size:17px;margin-top:28px}"
		   "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;"
		   "padding:3px 8px;text-align:right}th{background:#f4f4f4}"
		   ".chart{border:1px solid #eee;margin:4px}.t{font-weight:bold;font-size:13px}"
		   ".ax{font-size:10px}.neg{color:#d62728}.row{display:flex;flex-wrap:wrap}</"
		   "style></head><body>\n");
	fprintf(o, "<h1>ticktrade analytics report</h1><p>Generated %s", when);
	if (first_ts) {
		iso(b1, first_ts);
		iso(b2, last_ts);
		fprintf(o, "; fills from %s to %s", b1, b2);
	}
	fprintf(o, ".</p>\n<h2>Summary</h2><table><tr><th>orders</th><th>fills</th>"
		   "<th>fill ratio</th><th>qty fill ratio</th><th>realized</th><th>unrealized</th>"
		   "<th>fees</th><th>total P&amp;L</th></tr>");
	fprintf(o,
		"<tr><td>%lld</td><td>%lld</td><td>%.1f%%</td><td>%.1f%%</td><td>%s</td>"
		"<td>%s</td><td>%s</td><td class='%s'>%s</td></tr></table>\n",
		(long long)orders, (long long)fills,
		orders ? 100.0 * (double)fills / (double)orders : 0.0,
		ord_qty ? 100.0 * (double)fill_qty / (double)ord_qty : 0.0, fix(b1, realized, ps),
		fix(b2, unreal, ps), fix(b3, fees, ps), realized + unreal - fees < 0 ? "neg" : "",
		fix(b4, realized + unreal - fees, ps));

	fprintf(o, "<h2>Tick-to-trade</h2><div class='row'>\n");
	{
		/* histogram: 24 log-spaced buckets between the smallest and largest sample */
		struct stage *t = &stages[3];
		double lo = t->n ? fmax(1, (double)t->v[0]) : 1,
		       hi = t->n ? (double)t->v[t->n - 1] : 2;
		const int nb = 24;
		double cnt[24] = {0};
		char lbl[24][24];
		const char *lp[24];

		if (hi <= lo)
			hi = lo * 2;
		for (size_t i = 0; i < t->n; i++) {
			int k = (int)(log((double)t->v[i] / lo) / log(hi / lo) * nb);

			cnt[k < 0 ? 0 : k >= nb ? nb - 1 : k]++;
		}
		for (int k = 0; k < nb; k++) {
			snprintf(lbl[k], sizeof(lbl[k]), "%.3gus",
				 lo * pow(hi / lo, (double)k / nb) / 1e3);
			lp[k] = lbl[k];
		}
		svg_bars(o, "t2t histogram (orders per bucket, lower bound shown)", lp, cnt, nb,
			 "");
	}
	{
		struct series sp[2] = {p50, p99};
		const char *nm[2] = {"p50", "p99"};

		svg_line(o, "t2t percentiles over time", "us", sp, nm, 2, true);
	}
	fprintf(o, "</div>\n");
	fprintf(o, "<table><tr><th>stage (after t_rx)</th><th>n</th><th>p50 µs</th><th>p90 µs</th>"
		   "<th>p99 µs</th><th>p99.9 µs</th><th>max µs</th></tr>");
	for (int i = 0; i < nst; i++)
		fprintf(o,
			"<tr><td>%s</td><td>%zu</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
			"<td>%.2f</td><td>%.2f</td></tr>",
			stages[i].name, stages[i].n, pct(stages[i].v, stages[i].n, 0.5) / 1e3,
			pct(stages[i].v, stages[i].n, 0.9) / 1e3,
			pct(stages[i].v, stages[i].n, 0.99) / 1e3,
			pct(stages[i].v, stages[i].n, 0.999) / 1e3,
			(stages[i].n ? stages[i].v[stages[i].n - 1] : 0) / 1e3);
	fprintf(o, "</table>\n<h2>P&amp;L and position</h2><div class='row'>\n");
	{
		const char *nm1[1] = {"total P&amp;L (net of fees)"}, *nm2[1] = {"net position"};

		svg_line(o, "P&amp;L curve", "", &pnl, nm1, 1, true);
		svg_line(o, "Position", "", &posn, nm2, 1, true);
	}
	fprintf(o, "</div>\n");
	fprintf(o, "<table><tr><th>instrument</th><th>position</th><th>realized</th><th>fees</th>"
		   "<th>last mid</th></tr>");
	for (int k = 0; k < TT_AN_INSTR_MAX; k++) {
		if (!replay[k].qty && !replay[k].realized)
			continue;
		fprintf(o, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", k,
			fix(b1, replay[k].qty, qs), fix(b2, replay[k].realized, ps),
			fix(b3, replay[k].fees, ps),
			fix(b4, a->pos[k].mid ? a->pos[k].mid : replay[k].mid, ps));
	}
	fprintf(o, "</table>\n<h2>Markouts</h2>\n");
	{
		const char *lb[3] = {"1 s", "10 s", "60 s"};
		double v[3];

		for (int h = 0; h < 3; h++)
			v[h] = mk[h].n ? mk[h].sum_bps / (double)mk[h].n : 0.0;
		svg_bars(o, "average markout after fill (bps, + is good)", lb, v, 3, "bps");
	}
	fprintf(o, "<table><tr><th>horizon</th><th>fills measured</th><th>avg bps</th>"
		   "<th>sum</th></tr>");
	for (int h = 0; h < 3; h++)
		fprintf(o, "<tr><td>%d s</td><td>%zu</td><td>%.3f</td><td>%s</td></tr>", mk[h].h,
			mk[h].n, mk[h].n ? mk[h].sum_bps / (double)mk[h].n : 0.0,
			fix(b1, mk[h].sum_px, ps));
	fprintf(o,
		"</table>\n<h2>Last fills</h2><table><tr><th>seq</th><th>order</th>"
		"<th>instr</th><th>side</th><th>px</th><th>qty</th><th>fee</th><th>time</th></tr>");
	if (sqlite3_prepare_v2(a->db,
			       "SELECT seq, cl_ord_id, instr, side, px, qty, fee, ts_ns FROM fills"
			       " WHERE ts_ns >= ? ORDER BY seq DESC LIMIT 50",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, since);
		while (sqlite3_step(st) == SQLITE_ROW) {
			iso(when, sqlite3_column_int64(st, 7));
			fprintf(o,
				"<tr><td>%lld</td><td>%lld</td><td>%d</td><td>%s</td><td>%s</td>"
				"<td>%s</td><td>%s</td><td>%s</td></tr>",
				(long long)sqlite3_column_int64(st, 0),
				(long long)sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2),
				sqlite3_column_int(st, 3) ? "sell" : "buy",
				fix(b1, sqlite3_column_int64(st, 4), ps),
				fix(b2, sqlite3_column_int64(st, 5), qs),
				fix(b3, sqlite3_column_int64(st, 6), ps), when);
		}
		sqlite3_finalize(st);
	}
	fprintf(o, "</table></body></html>\n");
out:
	for (int i = 0; i < nst; i++)
		free(stages[i].v);
	s_free(&pnl);
	s_free(&posn);
	s_free(&p50);
	s_free(&p99);
	return rc ? rc : (ferror(o) ? -EIO : 0);
}
