/*
 * fuzz_oe_trades.c — tt_bn_decode_trades() (a myTrades result array) and
 * tt_bn_decode_fills() (an order.place FULL "fills" array) straight on arbitrary bytes:
 * no crash, no overread, refusals with a code and position, every trade handed out sane.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_oe_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(const struct tt_bn_trade *t, void *arg)
{
	const char *p = ((const char **)arg)[0];
	const char *end = ((const char **)arg)[1];

	fuzz_oe_check_trade(t, p, end);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *span[2] = {p, p + size};
	struct tt_bn_perr e;
	int rc;

	rc = tt_bn_decode_trades(p, size, &fuzz_oe_symtab, each, span, &e);
	fuzz_oe_check(rc, &e, size);
	rc = tt_bn_decode_fills(p, size, &fuzz_oe_instrs[2], each, span, &e);
	fuzz_oe_check(rc, &e, size);
	return 0;
}
