/*
 * fuzz_md_sync.c — drives the book sync with arbitrary operations decoded from the input
 * (diffs with random ids and levels, snapshots, resyncs, tickers) and checks after every
 * step that the book passes tt_book_check() in LIVE and is empty outside it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tt_md.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const union tt_msg *m)
{
	(void)m;
	return ctx ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tt_book_level store[2 * (2 * 16 + 1)];
	static struct tt_md_sync_ev ev[4];
	static struct tt_md_level lv[16];
	struct tt_md_out out = {sink, NULL, 0};
	struct tt_md_level bl[4], al[4];
	struct tt_book book;
	struct tt_md_sync s;
	size_t i = 0;

	if (tt_book_init(&book, store, 16) || tt_md_sync_init(&s, 1, &book, ev, 4, lv, 16))
		abort();
	while (i + 4 <= size) {
		uint8_t op = data[i], a1 = data[i + 1], a2 = data[i + 2], a3 = data[i + 3];
		struct tt_md_depth d = {.bids = bl, .asks = al};
		unsigned k;
		int rc = 0;

		i += 4;
		out.ctx = (op & 0x80) ? (void *)1 : NULL; /* sometimes the emit fails */
		d.first_id = a1;
		d.final_id = (uint64_t)a1 + (a2 & 7);
		d.n_bids = a3 & 3;
		d.n_asks = (a3 >> 2) & 3;
		for (k = 0; k < 4; k++) {
			uint8_t r = i + k < size ? data[i + k] : 0;

			bl[k].px = (r & 15) - 1; /* -1 .. 14: bad prices reachable */
			bl[k].qty = r >> 4;
			al[k].px = (r & 15) + 8;
			al[k].qty = (r >> 3) & 3;
		}
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			rc = tt_md_sync_on_depth(&s, &d, i, &out);
			break;
		case 3:
			tt_md_sync_snapshot_requested(&s);
			break;
		case 4:
			rc = tt_md_sync_on_snapshot(&s, &d, i, &out);
			break;
		case 5:
			rc = tt_md_sync_resync(&s, a1, i, &out);
			break;
		case 6: {
			struct tt_md_book_ticker bt = {.update_id = a1};

			rc = tt_md_sync_on_book_ticker(&s, &bt, i, &out);
			break;
		}
		default:
			rc = tt_md_sync_check_stale(&s, i, a1, &out);
			break;
		}
		(void)rc;
		if (s.state == TT_MD_SYNC_LIVE) {
			if (!tt_book_check(&book))
				abort();
		} else if (tt_book_count(&book, 0) || tt_book_count(&book, 1)) {
			abort();
		}
		if (s.ev_n > 4 || s.lv_n > 16)
			abort();
	}
	return 0;
}
