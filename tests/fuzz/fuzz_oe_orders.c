/*
 * fuzz_oe_orders.c — tt_bn_decode_order() and tt_bn_decode_orders() straight on arbitrary
 * bytes (a result object / array).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_oe_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(const struct tt_bn_order *o, void *arg)
{
	(void)arg;
	fuzz_oe_check_order(o);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_bn_order o;
	struct tt_bn_perr e;
	int rc = tt_bn_decode_order((const char *)data, size, &fuzz_oe_symtab, &o, &e);

	fuzz_oe_check(rc, &e, size);
	if (rc == 0)
		fuzz_oe_check_order(&o);
	rc = tt_bn_decode_orders((const char *)data, size, &fuzz_oe_symtab, each, NULL, &e);
	fuzz_oe_check(rc, &e, size);
	return 0;
}
