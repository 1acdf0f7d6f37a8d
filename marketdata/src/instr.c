/*
 * instr.c — the symbol -> instrument table (tt_md.h). Built once at start-up, read on
 * every message: 128 slots of open addressing with linear probing over at most 64
 * entries, so a probe sequence is short and ends at an empty slot. The hash folds ASCII
 * case, so "btcusdt" (stream names) and "BTCUSDT" (payloads) land on the same slot.
 */
#include "tt_md.h"

#include <errno.h>
#include <string.h>

#include "md_json.h"

#define SLOT_MASK (2 * TT_MD_MAX_INSTR - 1)

static inline unsigned char upper(unsigned char ch)
{
	return (unsigned)(ch - 'a') < 26 ? (unsigned char)(ch - 32) : ch;
}

/* O(1) hash of length and three bytes (first, middle, last) with bit 5 set, which folds
 * ASCII case for letters. Collisions just probe further; the compare decides. */
static inline uint32_t sym_hash(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n * 0x9E3779B1u;

	h ^= ((unsigned char)s[0] | 0x20u) * 0x85EBCA77u;
	h ^= ((unsigned char)s[n / 2] | 0x20u) * 0xC2B2AE3Du;
	h ^= ((unsigned char)s[n - 1] | 0x20u) * 0x27D4EB2Fu;
	return h ^ (h >> 16);
}

bool tt__md_sym_eq(const struct tt_md_instr *in, const char *s, size_t n)
{
	size_t i;

	if (n != in->sym_len)
		return false;
	if (memcmp(in->sym, s, n) == 0) /* payloads carry the stored upper case */
		return true;
	for (i = 0; i < n; i++)
		if (upper((unsigned char)s[i]) != (unsigned char)in->sym[i])
			return false;
	return true;
}

void tt_md_instr_table_init(struct tt_md_instr_table *t)
{
	memset(t, 0, sizeof(*t));
}

__tt_cold int tt_md_instr_add(struct tt_md_instr_table *t, const char *sym, tt_instr_t id,
			      unsigned px_scale, unsigned qty_scale)
{
	struct tt_md_instr *e;
	size_t n = sym ? strlen(sym) : 0;
	uint32_t h;
	size_t i;

	if (n == 0 || n > TT_MD_SYM_MAX || px_scale > 18 || qty_scale > 18)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)sym[i];

		if (!(ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '-' || ch == '.'))
			return -EINVAL;
	}
	if (tt_md_instr_find(t, sym, n))
		return -EEXIST;
	if (t->n >= TT_MD_MAX_INSTR)
		return -ENOSPC;
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++)
		e->sym[i] = (char)upper((unsigned char)sym[i]);
	e->sym_len = (uint8_t)n;
	e->px_scale = (uint8_t)px_scale;
	e->qty_scale = (uint8_t)qty_scale;
	e->id = id;
	h = sym_hash(sym, n);
	while (t->slot[h & SLOT_MASK])
		h++;
	t->slot[h & SLOT_MASK] = (uint8_t)(t->n + 1);
	t->n++;
	return 0;
}

const struct tt_md_instr *tt_md_instr_find(const struct tt_md_instr_table *t, const char *sym,
					   size_t len)
{
	uint32_t h;
	unsigned k;

	if (len == 0 || len > TT_MD_SYM_MAX)
		return NULL;
	h = sym_hash(sym, len);
	/* At most n < 128 occupied slots: an empty slot always ends the probe. */
	while ((k = t->slot[h & SLOT_MASK]) != 0) {
		const struct tt_md_instr *e = &t->e[k - 1];

		if (tt__md_sym_eq(e, sym, len))
			return e;
		h++;
	}
	return NULL;
}
