/*
 * order.c — order table and state machine (tt_order.h). Open addressing with linear
 * probing on a power-of-two table; retired slots become tombstones so lookups of other
 * ids keep working; a fill is applied by cumulative quantity so duplicates and gaps in
 * the venue's reports can neither double count nor lose quantity.
 */
#include "tt_order.h"

#include <errno.h>
#include <string.h>

static const char *const state_names[TT_OS_MAX] = {
	"free", "new", "sent", "acked", "partially_filled", "filled", "canceled", "rejected",
	"expired",
};

const char *tt_order_state_name(enum tt_ord_state s)
{
	return (unsigned)s < TT_OS_MAX ? state_names[s] : "unknown";
}

static uint32_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (uint32_t)k;
}

int tt_order_table_init(struct tt_order_table *t, struct tt_order *storage, uint32_t capacity)
{
	if (capacity < 16 || (capacity & (capacity - 1)))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	memset(storage, 0, sizeof(*storage) * capacity);
	t->slots = storage;
	t->mask = capacity - 1;
	return 0;
}

struct tt_order *tt_order_find(struct tt_order_table *t, uint64_t id)
{
	for (uint32_t i = hash64(id), n = 0; n <= t->mask; i++, n++) {
		struct tt_order *o = &t->slots[i & t->mask];

		if (o->state == TT_OS_FREE && !o->tombstone)
			return NULL;
		if (o->state != TT_OS_FREE && o->cl_ord_id == id)
			return o;
	}
	return NULL;
}

int tt_order_add(struct tt_order_table *t, const struct tt_msg_order *m)
{
	struct tt_order *slot = NULL;

	if (t->live >= (t->mask + 1) / 4 * 3)
		return -ENOSPC;
	if (tt_order_find(t, m->cl_ord_id))
		return -EEXIST;
	for (uint32_t i = hash64(m->cl_ord_id);; i++) {
		slot = &t->slots[i & t->mask];
		if (slot->state == TT_OS_FREE)
			break;
	}
	memset(slot, 0, sizeof(*slot));
	slot->cl_ord_id = m->cl_ord_id;
	slot->px = m->px;
	slot->qty = m->qty;
	slot->instr = m->h.instr;
	slot->side = m->side;
	slot->type = m->type;
	slot->tif = m->tif;
	slot->t_rx = m->h.t_rx;
	slot->state = TT_OS_NEW;
	t->live++;
	t->open++;
	t->st.added++;
	return 0;
}

static int bad(struct tt_order_table *t)
{
	t->st.bad_transitions++;
	return -EINVAL;
}

static struct tt_order *lookup(struct tt_order_table *t, uint64_t id)
{
	struct tt_order *o = tt_order_find(t, id);

	if (!o)
		t->st.unknown_reports++;
	return o;
}

int tt_order_sent(struct tt_order_table *t, uint64_t id)
{
	struct tt_order *o = lookup(t, id);

	if (!o)
		return -ENOENT;
	if (o->state != TT_OS_NEW)
		return bad(t);
	o->state = TT_OS_SENT;
	return 0;
}

int tt_order_acked(struct tt_order_table *t, uint64_t id, uint64_t venue_id)
{
	struct tt_order *o = lookup(t, id);

	if (!o)
		return -ENOENT;
	o->venue_id = venue_id;
	if (o->state == TT_OS_SENT)
		o->state = TT_OS_ACKED;
	else if (o->state != TT_OS_ACKED && o->state != TT_OS_PARTIAL && o->state != TT_OS_FILLED &&
		 o->state != TT_OS_CANCELED)
		return bad(t); /* a late ack after a fill/cancel is fine: id recorded above */
	return 0;
}

static void close_order(struct tt_order_table *t, struct tt_order *o, enum tt_ord_state s)
{
	if (tt_order_is_open(o))
		t->open--;
	o->state = (uint8_t)s;
	o->pending_cancel = false;
}

int tt_order_exec(struct tt_order_table *t, uint64_t id, tt_qty_t cum_qty, tt_px_t last_px,
		  struct tt_fill *out)
{
	struct tt_order *o = lookup(t, id);
	tt_qty_t add;

	if (!o)
		return -ENOENT;
	if (cum_qty <= o->cum_qty) {
		t->st.dup_fills++;
		return 0;
	}
	if (cum_qty > o->qty || o->state == TT_OS_NEW || o->state == TT_OS_REJECTED)
		return bad(t);
	add = cum_qty - o->cum_qty;
	out->last_qty = add;
	out->last_px = last_px;
	out->late = o->state == TT_OS_CANCELED || o->state == TT_OS_EXPIRED;
	o->cum_qty = cum_qty;
	o->cum_notional += last_px * add;
	if (out->late) {
		t->st.late_fills++;
		if (o->cum_qty == o->qty)
			o->state = TT_OS_FILLED; /* the cancel lost the race entirely */
		return 1;
	}
	if (o->cum_qty == o->qty) {
		close_order(t, o, TT_OS_FILLED);
		t->st.filled++;
	} else {
		o->state = TT_OS_PARTIAL;
	}
	return 1;
}

int tt_order_cancel_sent(struct tt_order_table *t, uint64_t id)
{
	struct tt_order *o = lookup(t, id);

	if (!o)
		return -ENOENT;
	if (!tt_order_is_open(o) || o->state == TT_OS_NEW)
		return bad(t);
	o->pending_cancel = true;
	return 0;
}

int tt_order_cancel_rejected(struct tt_order_table *t, uint64_t id)
{
	struct tt_order *o = lookup(t, id);

	if (!o)
		return -ENOENT;
	o->pending_cancel = false;
	return 0;
}

int64_t tt_order_done(struct tt_order_table *t, uint64_t id, enum tt_ord_state outcome)
{
	struct tt_order *o = lookup(t, id);
	tt_qty_t leaves;

	if (!o)
		return -ENOENT;
	if (outcome != TT_OS_CANCELED && outcome != TT_OS_REJECTED && outcome != TT_OS_EXPIRED)
		return bad(t);
	if (!tt_order_is_open(o))
		return bad(t);
	if (outcome == TT_OS_REJECTED && o->cum_qty > 0)
		return bad(t);
	leaves = o->qty - o->cum_qty;
	close_order(t, o, outcome);
	if (outcome == TT_OS_CANCELED)
		t->st.canceled++;
	else if (outcome == TT_OS_REJECTED)
		t->st.rejected++;
	else
		t->st.expired++;
	return leaves;
}

int tt_order_retire(struct tt_order_table *t, uint64_t id)
{
	struct tt_order *o = tt_order_find(t, id);

	if (!o)
		return -ENOENT;
	if (tt_order_is_open(o))
		return -EBUSY;
	memset(o, 0, sizeof(*o));
	o->tombstone = true;
	t->live--;
	return 0;
}

bool tt_order_table_check(const struct tt_order_table *t)
{
	uint32_t live = 0, open = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct tt_order *o = &t->slots[i];

		if (o->state == TT_OS_FREE)
			continue;
		live++;
		if (tt_order_is_open(o))
			open++;
		if (o->cum_qty < 0 || o->cum_qty > o->qty)
			return false;
		if ((o->state == TT_OS_FILLED) != (o->cum_qty == o->qty))
			return false;
	}
	return live == t->live && open == t->open;
}
