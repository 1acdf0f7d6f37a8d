/*
 * book.c — the bounded L2 book (tt_book.h). Both sides share one code path: asks are
 * stored with a negated price so every side sorts ascending with the best level last.
 * The live window [lo, lo+n) floats inside 2*depth+1 slots: an insert or a delete moves
 * whichever part of the window is shorter (the top of the book, usually), and since the
 * window never exceeds depth+1 levels there is always a free slot on at least one side.
 * Dropping the worst level of a full side is lo++.
 */
#include "tt_book.h"

#include <errno.h>
#include <string.h>

int tt_book_init(struct tt_book *b, struct tt_book_level *storage, uint32_t depth)
{
	if (!b || !storage || depth == 0 || depth > (1u << 20))
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->depth = depth;
	b->cap = 2 * depth + 1;
	b->side[0].lv = storage;
	b->side[1].lv = storage + b->cap;
	tt_book_clear(b);
	return 0;
}

void tt_book_clear(struct tt_book *b)
{
	unsigned i;

	/* Start the window in the middle so either side can grow first. */
	for (i = 0; i < 2; i++) {
		b->side[i].lo = b->depth;
		b->side[i].n = 0;
	}
}

/* First index in [lo, lo+n) whose key >= k (lo+n when none). */
static inline uint32_t lower_bound(const struct tt_book_side *s, tt_px_t k)
{
	uint32_t lo = s->lo, hi = s->lo + s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->lv[mid].px < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tt_book_set(struct tt_book *b, unsigned side, tt_px_t px, tt_qty_t qty)
{
	struct tt_book_side *s;
	tt_px_t k;
	uint32_t i, end;

	if (tt_unlikely(side > 1 || px <= 0 || qty < 0))
		return -EINVAL;
	s = &b->side[side];
	k = side == TT_SIDE_SELL ? -px : px;
	end = s->lo + s->n;
	/* Updates cluster at the top: check the best level before searching. */
	if (s->n && s->lv[end - 1].px <= k)
		i = s->lv[end - 1].px == k ? end - 1 : end;
	else
		i = lower_bound(s, k);
	if (i < end && s->lv[i].px == k) {
		if (qty > 0) {
			s->lv[i].qty = qty;
			return 0;
		}
		/* Remove: close the gap from the shorter side. */
		if (i - s->lo < end - 1 - i) {
			memmove(&s->lv[s->lo + 1], &s->lv[s->lo], (i - s->lo) * sizeof(s->lv[0]));
			s->lo++;
		} else {
			memmove(&s->lv[i], &s->lv[i + 1], (end - 1 - i) * sizeof(s->lv[0]));
		}
		s->n--;
		return 0;
	}
	if (qty == 0)
		return 0; /* removing an absent level */
	if (s->n == b->depth && i == s->lo) {
		b->dropped++; /* worse than everything on a full side */
		return 0;
	}
	/* Insert before index i: open a slot by moving the shorter movable part. */
	if (s->lo > 0 && (end == b->cap || i - s->lo < end - i)) {
		memmove(&s->lv[s->lo - 1], &s->lv[s->lo], (i - s->lo) * sizeof(s->lv[0]));
		s->lo--;
		i--;
	} else {
		memmove(&s->lv[i + 1], &s->lv[i], (end - i) * sizeof(s->lv[0]));
	}
	s->lv[i].px = k;
	s->lv[i].qty = qty;
	s->n++;
	if (s->n > b->depth) {
		s->lo++; /* drop the worst */
		s->n--;
		b->dropped++;
	}
	return 0;
}

bool tt_book_level_at(const struct tt_book *b, unsigned side, uint32_t i, tt_px_t *px,
		      tt_qty_t *qty)
{
	const struct tt_book_side *s = &b->side[side & 1];
	const struct tt_book_level *l;

	if (i >= s->n)
		return false;
	l = &s->lv[s->lo + s->n - 1 - i];
	*px = (side & 1) == TT_SIDE_SELL ? -l->px : l->px;
	*qty = l->qty;
	return true;
}

tt_qty_t tt_book_qty_at(const struct tt_book *b, unsigned side, tt_px_t px)
{
	const struct tt_book_side *s = &b->side[side & 1];
	tt_px_t k = (side & 1) == TT_SIDE_SELL ? -px : px;
	uint32_t i = lower_bound(s, k);

	return i < s->lo + s->n && s->lv[i].px == k ? s->lv[i].qty : 0;
}

bool tt_book_is_crossed(const struct tt_book *b)
{
	const struct tt_book_side *bid = &b->side[TT_SIDE_BUY];
	const struct tt_book_side *ask = &b->side[TT_SIDE_SELL];

	if (bid->n == 0 || ask->n == 0)
		return false;
	return bid->lv[bid->lo + bid->n - 1].px >= -ask->lv[ask->lo + ask->n - 1].px;
}

bool tt_book_check(const struct tt_book *b)
{
	unsigned sd;

	if (b->cap != 2 * b->depth + 1)
		return false;
	for (sd = 0; sd < 2; sd++) {
		const struct tt_book_side *s = &b->side[sd];
		uint32_t i;

		if (s->n > b->depth || s->lo > b->cap || s->n > b->cap - s->lo)
			return false;
		for (i = s->lo; i < s->lo + s->n; i++) {
			tt_px_t px = sd == TT_SIDE_SELL ? -s->lv[i].px : s->lv[i].px;

			if (px <= 0 || s->lv[i].qty <= 0)
				return false;
			if (i > s->lo && s->lv[i - 1].px >= s->lv[i].px)
				return false; /* unsorted or duplicate */
		}
	}
	return !tt_book_is_crossed(b);
}
