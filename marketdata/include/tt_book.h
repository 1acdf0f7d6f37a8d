/*
 * tt_book.h — bounded L2 order book (DESIGN §3, STYLE §5): a fixed depth per side, storage
 * preallocated by the caller, memory never grows.
 *
 * Each side is a sorted array of (price, qty) levels with the best level at the high end,
 * so the busy top of the book moves few bytes. Asks are stored with a negated key so both
 * sides sort ascending and share one code path. Each side's array has room for 2*depth+1
 * levels and the live window [lo, lo+n) floats inside it: an insert or delete moves the
 * shorter side of the window, and dropping the worst level when the side is over depth is
 * lo++ (O(1)). Invariants, checked by tt_book_check(): keys strictly ascending, every qty
 * > 0, every price > 0, n <= depth, and (tt_book_is_crossed) best bid < best ask.
 */
#ifndef TT_BOOK_H
#define TT_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_msg.h"

struct tt_book_level {
	tt_px_t px;   /* price (asks: stored negated inside the book) */
	tt_qty_t qty; /* absolute quantity, > 0 */
};

struct tt_book_side {
	struct tt_book_level *lv; /* 2*depth+1 slots, caller storage */
	uint32_t lo;		  /* index of the worst level */
	uint32_t n;		  /* live levels: lv[lo .. lo+n), best at lo+n-1 */
};

struct tt_book {
	struct tt_book_side side[2]; /* [TT_SIDE_BUY] bids, [TT_SIDE_SELL] asks */
	uint32_t depth;		     /* max levels per side */
	uint32_t cap;		     /* slots per side: 2*depth+1 */
	uint64_t dropped;	     /* levels dropped (worst) because a side was at depth */
};

/* Slots of storage tt_book_init() needs for `depth` levels per side (both sides). */
static inline size_t tt_book_storage_levels(uint32_t depth)
{
	return 2 * (2 * (size_t)depth + 1);
}

/*
 * Initialises an empty book over caller storage of tt_book_storage_levels(depth) levels;
 * the storage must outlive the book. depth 1 .. 1<<20. Returns 0 or -EINVAL.
 */
TT_WUR int tt_book_init(struct tt_book *b, struct tt_book_level *storage, uint32_t depth);

/* Empties both sides (keeps the dropped counter). */
void tt_book_clear(struct tt_book *b);

/*
 * Sets the absolute quantity at px on side (enum tt_side): qty 0 removes the level (a
 * no-op when absent); a new level beyond depth drops the side's worst level (counted in
 * b->dropped; the new level itself when it is the worst). Returns 0, or -EINVAL for px <= 0,
 * qty < 0 or a bad side (book unchanged). Does not check crossing: a venue event may cross
 * transiently between levels; check tt_book_is_crossed() after the whole event.
 */
TT_WUR int tt_book_set(struct tt_book *b, unsigned side, tt_px_t px, tt_qty_t qty);

static inline uint32_t tt_book_count(const struct tt_book *b, unsigned side)
{
	return b->side[side & 1].n;
}

/* Best level of a side into *px and *qty; false (outputs untouched) when the side is empty. */
static inline bool tt_book_best(const struct tt_book *b, unsigned side, tt_px_t *px, tt_qty_t *qty)
{
	const struct tt_book_side *s = &b->side[side & 1];
	const struct tt_book_level *l;

	if (s->n == 0)
		return false;
	l = &s->lv[s->lo + s->n - 1];
	*px = side == TT_SIDE_SELL ? -l->px : l->px;
	*qty = l->qty;
	return true;
}

/*
 * The i-th level from the best (i = 0 is the best) into *px and *qty; false when i >= count.
 */
bool tt_book_level_at(const struct tt_book *b, unsigned side, uint32_t i, tt_px_t *px,
		      tt_qty_t *qty);

/* Quantity at px on side, 0 when absent. O(log n). */
tt_qty_t tt_book_qty_at(const struct tt_book *b, unsigned side, tt_px_t px);

/* True when both sides are non-empty and best bid >= best ask. */
bool tt_book_is_crossed(const struct tt_book *b);

/*
 * The checker (STYLE §8): true when every invariant in the file comment holds, crossing
 * included. Meant for assert() and tests after each step; O(depth).
 */
bool tt_book_check(const struct tt_book *b);

#endif /* TT_BOOK_H */
