/*
 * w2w.c — wire-to-wire latency as tt-venue sees it (DESIGN §3): from handing the frame that
 * carried a book update to the kernel, to reading the order that update caused.
 *
 * The causal link: a client names the market event behind an order in the order.place
 * param strategyId (Binance Spot's own optional numeric field, echoed in executionReports
 * as "j"): ticktrade sends the low 32 bits of the causing book update id there (struct
 * tt_msg_order h.flags). Harmless at a real venue, so it is sent in every flavor.
 *
 *   server.c: frame of symbol S with "u":U written (lws_write returned)
 *             ──▶ tt_vw2w_tick(S, U, t, tsc): per symbol (update ids are per book) a ring
 *             of TT_VW2W_TICKS entries indexed by U; the first write of U wins (the same
 *             update goes to several clients and on bookTicker and depth)
 *   wsapi.c:  order.place on S read at t' with strategyId = C ──▶ tt_vw2w_order(S, C, t')
 *             slot C & mask holds an update whose low 32 bits are C → w2w = t' − t
 *             (histogram), else counted as unmatched (overwritten or never sent)
 *
 * Both times are CLOCK_MONOTONIC in this one process (the TSC is kept beside for the
 * capture file's domain). Single-threaded (the service loop), static storage, no
 * allocation per message.
 */
#include "venue_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tt_hist.h"

#define TT_VW2W_TICKS (1u << 14) /* updates remembered per symbol; older causes are stale */

struct tick_ent {
	uint64_t uid;
	uint64_t t_ns;
	uint64_t tsc;
};

static struct {
	struct tick_ent ticks[TT_VENUE_MAX_SYMS][TT_VW2W_TICKS];
	struct tt_hist h;
	uint64_t ticks_seen;
	uint64_t unmatched; /* orders whose cause is not (or no longer) in the table */
	bool init;
} W;

void tt_vw2w_reset(void)
{
	memset(W.ticks, 0, sizeof(W.ticks));
	tt_hist_reset(&W.h);
	W.ticks_seen = W.unmatched = 0;
	W.init = true;
}

uint64_t tt_vw2w_frame_uid(const uint8_t *p, uint32_t len)
{
	/* "u" comes early in bookTicker ({"u":..) and depthUpdate (.."U":..,"u":..) payloads */
	uint32_t end = len < 160 ? len : 160;
	uint64_t v = 0;

	for (uint32_t i = 0; i + 4 < end; i++) {
		if (p[i] != '"' || p[i + 1] != 'u' || p[i + 2] != '"' || p[i + 3] != ':')
			continue;
		for (i += 4; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(p[i] - '0');
		}
		return v;
	}
	return 0;
}

void tt_vw2w_tick(int sym, uint64_t uid, uint64_t t_ns, uint64_t tsc)
{
	struct tick_ent *e;

	if (!W.init)
		tt_vw2w_reset();
	if (sym < 0 || sym >= TT_VENUE_MAX_SYMS)
		return;
	e = &W.ticks[sym][uid & (TT_VW2W_TICKS - 1)];
	if (!uid || e->uid == uid)
		return; /* already written to another client or on another stream */
	e->uid = uid;
	e->t_ns = t_ns;
	e->tsc = tsc;
	W.ticks_seen++;
}

int64_t tt_vw2w_order(int sym, uint64_t cause, uint64_t t_ns)
{
	const struct tick_ent *e;

	if (!W.init)
		tt_vw2w_reset();
	if (sym < 0 || sym >= TT_VENUE_MAX_SYMS) {
		W.unmatched++;
		return -ENOENT;
	}
	e = &W.ticks[sym][cause & (TT_VW2W_TICKS - 1)];
	if (!cause || !e->uid || (uint32_t)e->uid != (uint32_t)cause || t_ns < e->t_ns) {
		W.unmatched++;
		return -ENOENT;
	}
	tt_hist_record(&W.h, t_ns - e->t_ns);
	return (int64_t)(t_ns - e->t_ns);
}

int tt_vw2w_summary(char *out, size_t cap)
{
	if (!W.init)
		tt_vw2w_reset();
	return snprintf(
	    out, cap,
	    "{\"w2w\":{\"count\":%llu,\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,"
	    "\"p999_ns\":%llu,\"max_ns\":%llu,\"unmatched\":%llu,\"ticks\":%llu}}",
	    (unsigned long long)W.h.count, (unsigned long long)tt_hist_quantile(&W.h, 0.5),
	    (unsigned long long)tt_hist_quantile(&W.h, 0.9),
	    (unsigned long long)tt_hist_quantile(&W.h, 0.99),
	    (unsigned long long)tt_hist_quantile(&W.h, 0.999), (unsigned long long)W.h.max,
	    (unsigned long long)W.unmatched, (unsigned long long)W.ticks_seen);
}
