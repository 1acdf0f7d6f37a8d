/*
 * fuzz_oe_exchange_info.c — tt_bn_decode_exchange_info() on arbitrary bytes: no crash,
 * refusals with a code, loaded filters never negative.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_oe_common.h"
#include "tt_oe_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_oe_filter f[3];
	struct tt_bn_perr e;
	int rc;

	memset(f, 0, sizeof(f));
	rc = tt_bn_decode_exchange_info((const char *)data, size, &fuzz_oe_symtab, f, &e);
	fuzz_oe_check(rc, &e, size);
	for (int i = 0; i < 3; i++)
		if (f[i].tick < 0 || f[i].step < 0 || f[i].min_qty < 0 || f[i].min_notional < 0)
			abort();
	return 0;
}
