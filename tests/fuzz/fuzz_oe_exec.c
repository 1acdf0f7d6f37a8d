/*
 * fuzz_oe_exec.c — tt_bn_decode_exec() straight on arbitrary bytes (an event object).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_oe_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_bn_order o;
	struct tt_bn_perr e;
	int rc = tt_bn_decode_exec((const char *)data, size, &fuzz_oe_symtab, &o, &e);

	fuzz_oe_check(rc, &e, size);
	if (rc == 0)
		fuzz_oe_check_order(&o);
	return 0;
}
