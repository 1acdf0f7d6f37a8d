/*
 * fuzz_md_common.h — shared set-up of the md fuzz targets: an instrument table with the
 * symbols of the seed corpus (docs' examples), built once. Header-only so each target stays
 * one file for the fuzz CMake glob.
 */
#ifndef TT_FUZZ_MD_COMMON_H
#define TT_FUZZ_MD_COMMON_H

#include <stdlib.h>

#include "tt_md.h"

static const struct tt_md_instr_table *fuzz_md_table(void)
{
	static struct tt_md_instr_table t;
	static int done;

	if (!done) {
		tt_md_instr_table_init(&t);
		if (tt_md_instr_add(&t, "BNBUSDT", 1, 8, 8) ||
		    tt_md_instr_add(&t, "BNBBTC", 2, 8, 8) ||
		    tt_md_instr_add(&t, "BTCUSDT", 3, 2, 5))
			abort();
		done = 1;
	}
	return &t;
}

/* A failing scanner must say why, at a position inside the message. */
static void fuzz_md_check_err(int rc, const struct tt_md_perr *e, size_t len)
{
	if (rc == 0)
		return;
	if (e->code == TT_MD_PE_NONE || e->code >= TT_MD_PE_COUNT || e->pos > len)
		abort();
}

#endif /* TT_FUZZ_MD_COMMON_H */
