/*
 * fuzz_md_book_ticker.c — tt_md_bn_book_ticker() on arbitrary bytes, with and without a
 * stream hint. Never crashes or reads past len; a refusal carries a code and a position
 * inside the message; an acceptance has an instrument and non-negative values.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_md_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt_md_instr_table *t = fuzz_md_table();
	struct tt_md_book_ticker bt;
	struct tt_md_perr e;
	int rc;

	rc = tt_md_bn_book_ticker(t, NULL, (const char *)data, size, &bt, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0 &&
	    (!bt.instr || bt.bid_px < 0 || bt.bid_qty < 0 || bt.ask_px < 0 || bt.ask_qty < 0))
		abort();
	rc = tt_md_bn_book_ticker(t, &t->e[0], (const char *)data, size, &bt, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0 && bt.instr != &t->e[0])
		abort();
	return 0;
}
