/*
 * market.c — symbols, their books and the frames they publish.
 *
 * Cadence (documented choice): a step is one book update; bookTicker (when the top changed)
 * and trade frames are published at once, in the step (real time, like the venue). Depth
 * diffs aggregate per window: @depth@100ms every depth_ms_fast (100 ms by default) and @depth
 * every depth_ms_slow (1000 ms). A diff carries every level touched in the window with its
 * quantity at the end of the window (absolute, "0" removes), U = first and u = last update id
 * in the window; an empty window publishes nothing. So consecutive diffs of one stream have
 * U = previous u + 1, unless a fault says otherwise.
 *
 * Faults on diffs are one-shot per (symbol, stream) and consumed by the next non-empty flush:
 * gap (the diff is not sent), dup (sent twice), reorder (held, sent after its successor).
 */
#include "venue_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_suffix[TT_VK_COUNT] = {"@bookTicker", "@depth", "@depth@100ms",
						     "@trade"};

uint64_t tt_venue_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t tt_venue_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ull + (uint64_t)ts.tv_nsec / 1000000ull;
}

void tt_venue_fault_log(const char *kind, const char *fmt, ...)
{
	char extra[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	fprintf(stderr, "{\"event\":\"fault\",\"fault\":\"%s\",\"t_ns\":%llu%s}\n", kind,
		(unsigned long long)tt_venue_mono_ns(), extra);
	fflush(stderr);
}

int tt_vmarket_sym(const struct tt_vmarket *m, const char *symbol)
{
	for (int i = 0; i < m->nsyms; i++)
		if (strcasecmp(m->books[i]->cfg.symbol, symbol) == 0)
			return i;
	return -ENOENT;
}

int tt_vmarket_stream_id(const struct tt_vmarket *m, const char *name, size_t n)
{
	for (int i = 0; i < TT_VENUE_MAX_SYMS * 8; i++)
		if (m->names[i][0] && strlen(m->names[i]) == n && memcmp(m->names[i], name, n) == 0)
			return i;
	return -ENOENT;
}

int tt_vmarket_init(struct tt_vmarket *m, const struct tt_venue_opts *o, struct tt_vlog *log)
{
	struct tt_vsym_cfg cfg;
	int rc;

	memset(m, 0, sizeof(*m));
	m->log = log;
	m->replay = o->replay_path != NULL;
	m->enc = malloc(TT_VENC_MAX);
	m->held = malloc(TT_VENC_MAX);
	if (!m->enc || !m->held)
		return -ENOMEM;
	for (int i = 0; i < o->nsyms; i++) {
		if (tt_vsym_builtin(o->symbols[i], &cfg) < 0) {
			tt_vmarket_fini(m);
			return -ENOENT;
		}
		m->books[i] = malloc(sizeof(struct tt_vbook));
		m->win[i][0] = calloc(1, sizeof(struct tt_vwin));
		m->win[i][1] = calloc(1, sizeof(struct tt_vwin));
		m->nsyms = i + 1;
		if (!m->books[i] || !m->win[i][0] || !m->win[i][1]) {
			tt_vmarket_fini(m);
			return -ENOMEM;
		}
		rc = tt_vbook_init(m->books[i], &cfg, o->seed + (uint64_t)i * 0x1000193);
		if (rc < 0) {
			tt_vmarket_fini(m);
			return rc;
		}
		m->win[i][0]->period_ms = o->depth_ms_slow;
		m->win[i][1]->period_ms = o->depth_ms_fast;
		for (int k = 0; k < TT_VK_COUNT; k++)
			snprintf(m->names[TT_VSTREAM(i, k)], sizeof(m->names[0]), "%s%s", cfg.lower,
				 kind_suffix[k]);
	}
	return 0;
}

void tt_vmarket_fini(struct tt_vmarket *m)
{
	for (int i = 0; i < m->nsyms; i++) {
		free(m->books[i]);
		free(m->win[i][0]);
		free(m->win[i][1]);
	}
	free(m->enc);
	free(m->held);
	m->nsyms = 0;
	m->enc = m->held = NULL;
}

static const char garbage_txt[] = "#!garbage]{\":,!#";
static const char garbage_bin[] = "\xff\xfe\x00\xc3\x28garbage";

int tt_vmarket_publish(struct tt_vmarket *m, uint16_t stream, const char *p, uint32_t len)
{
	int rc;

	if (tt_unlikely(m->garbage > 0) && len > 32) {
		/* Overwrite the middle of a copy (p may be the held buffer or the scratch). */
		char *g = malloc(len);
		const char *src = m->garbage_bin ? garbage_bin : garbage_txt;
		size_t gl = m->garbage_bin ? sizeof(garbage_bin) - 1 : sizeof(garbage_txt) - 1;

		if (!g)
			return -ENOMEM;
		memcpy(g, p, len);
		memcpy(g + len / 3, src, gl < len / 2 ? gl : len / 2);
		m->garbage--;
		tt_venue_fault_log("garbage", ",\"stream\":\"%s\",\"offset\":%u,\"bin\":%s",
				   m->names[stream], len / 3, m->garbage_bin ? "true" : "false");
		rc = tt_vlog_put(m->log, stream, g, len);
		free(g);
	} else {
		rc = tt_vlog_put(m->log, stream, p, len);
	}
	if (rc == 0)
		m->published[stream]++;
	return rc;
}

static void mark(struct tt_vwin *w, const struct tt_vstep *s)
{
	for (int i = 0; i < s->nchg; i++) {
		int side = s->chg[i].side;
		int32_t idx = s->chg[i].idx;

		if (!w->dirty[side][idx]) {
			w->dirty[side][idx] = 1;
			w->list[side][w->n[side]++] = idx;
		}
	}
	if (!w->first)
		w->first = s->update_id;
	w->last = s->update_id;
}

void tt_vmarket_emit(struct tt_vmarket *m, int sym, const struct tt_vstep *s, uint64_t now_ms)
{
	struct tt_vbook *b = m->books[sym];
	int n;

	if (s->nchg > 0) {
		mark(m->win[sym][0], s);
		mark(m->win[sym][1], s);
	}
	for (int i = 0; i < s->ntrades; i++) {
		n = tt_venc_trade(m->enc, TT_VENC_MAX, b, &s->tr[i], now_ms);
		if (n > 0)
			(void)tt_vmarket_publish(m, TT_VSTREAM(sym, TT_VK_TRADE), m->enc,
						 (uint32_t)n);
	}
	if (s->top_changed) {
		n = tt_venc_book_ticker(m->enc, TT_VENC_MAX, b);
		if (n > 0)
			(void)tt_vmarket_publish(m, TT_VSTREAM(sym, TT_VK_BOOK_TICKER), m->enc,
						 (uint32_t)n);
	}
}

void tt_vmarket_step(struct tt_vmarket *m, int sym, uint64_t now_ms)
{
	struct tt_vbook *b = m->books[sym];
	struct tt_vstep s;

	tt_vbook_step(b, &s);
	m->steps++;
	tt_vmarket_emit(m, sym, &s, now_ms);
	/* the order-entry side (match.c via wsapi.c): client orders the step traded through */
	if (m->on_step)
		m->on_step(m->step_ctx, sym, &s);
}

static int cmp_desc(const void *a, const void *b)
{
	return *(const int32_t *)b - *(const int32_t *)a;
}

static int cmp_asc(const void *a, const void *b)
{
	return *(const int32_t *)a - *(const int32_t *)b;
}

static void flush_win(struct tt_vmarket *m, int sym, int k, uint64_t now_ms)
{
	struct tt_vwin *w = m->win[sym][k];
	struct tt_vbook *b = m->books[sym];
	uint16_t stream = TT_VSTREAM(sym, k ? TT_VK_DEPTH100 : TT_VK_DEPTH);
	int n;

	if (!w->first)
		return;
	qsort(w->list[0], (size_t)w->n[0], sizeof(int32_t), cmp_desc);
	qsort(w->list[1], (size_t)w->n[1], sizeof(int32_t), cmp_asc);
	n = tt_venc_depth_update(m->enc, TT_VENC_MAX, b, now_ms, w->first, w->last, w->list[0],
				 w->n[0], w->list[1], w->n[1]);
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < w->n[s]; i++)
			w->dirty[s][w->list[s][i]] = 0;
		w->n[s] = 0;
	}
	if (n < 0) {
		tt_venue_fault_log("encode_overflow", ",\"stream\":\"%s\"", m->names[stream]);
		w->first = 0;
		return;
	}
	if (w->gap) {
		w->gap--;
		tt_venue_fault_log("gap", ",\"stream\":\"%s\",\"U\":%llu,\"u\":%llu",
				   m->names[stream], (unsigned long long)w->first,
				   (unsigned long long)w->last);
	} else if (w->reorder && m->held_len == 0) {
		w->reorder--;
		memcpy(m->held, m->enc, (size_t)n);
		m->held_len = n;
		m->held_stream = stream;
		tt_venue_fault_log("reorder", ",\"stream\":\"%s\",\"held_U\":%llu,\"held_u\":%llu",
				   m->names[stream], (unsigned long long)w->first,
				   (unsigned long long)w->last);
	} else {
		(void)tt_vmarket_publish(m, stream, m->enc, (uint32_t)n);
		if (w->dup) {
			w->dup--;
			tt_venue_fault_log("dup", ",\"stream\":\"%s\",\"U\":%llu,\"u\":%llu",
					   m->names[stream], (unsigned long long)w->first,
					   (unsigned long long)w->last);
			(void)tt_vmarket_publish(m, stream, m->enc, (uint32_t)n);
		}
		if (m->held_len && m->held_stream == stream) {
			(void)tt_vmarket_publish(m, stream, m->held, (uint32_t)m->held_len);
			m->held_len = 0;
		}
	}
	w->first = 0;
	w->last = 0;
}

void tt_vmarket_flush(struct tt_vmarket *m, uint64_t now_ns, uint64_t now_ms, bool force)
{
	for (int sym = 0; sym < m->nsyms; sym++) {
		for (int k = 0; k < 2; k++) {
			struct tt_vwin *w = m->win[sym][k];

			if (!force && now_ns < w->next_ns)
				continue;
			/* Keep the cadence on the grid; skip missed periods after a stall. */
			w->next_ns += (uint64_t)w->period_ms * 1000000ull;
			if (w->next_ns <= now_ns)
				w->next_ns = now_ns + (uint64_t)w->period_ms * 1000000ull;
			flush_win(m, sym, k, now_ms);
		}
	}
}
