/*
 * fuzz_md_trade.c — tt_md_bn_trade() on arbitrary bytes: no crash, no overread, refusals
 * with a code and an in-range position, acceptances with an instrument.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_md_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt_md_instr_table *t = fuzz_md_table();
	struct tt_md_trade tr;
	struct tt_md_perr e;
	int rc;

	rc = tt_md_bn_trade(t, NULL, (const char *)data, size, &tr, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0 && (!tr.instr || tr.px < 0 || tr.qty < 0))
		abort();
	return 0;
}
