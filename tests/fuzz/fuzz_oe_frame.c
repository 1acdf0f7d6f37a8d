/*
 * fuzz_oe_frame.c — tt_bn_decode() on arbitrary bytes, then the typed decoder the frame
 * would reach in tt-oe (exec report / order and its FULL fills / order array / myTrades
 * array): no crash, no overread,
 * refusals with a code and position, slices inside the input.
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

static int each_trade(const struct tt_bn_trade *t, void *arg)
{
	fuzz_oe_check_trade(t, ((const char **)arg)[0], ((const char **)arg)[1]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct tt_bn_msg m;
	struct tt_bn_order o;
	struct tt_bn_perr e;
	int rc;

	rc = tt_bn_decode(p, size, &m, &e);
	fuzz_oe_check(rc, &e, size);
	if (rc < 0)
		return 0;
	if (m.result && (m.result < p || m.result + m.result_len > p + size))
		abort();
	if (m.event && (m.event < p || m.event + m.event_len > p + size))
		abort();
	if (m.kind == TT_BN_MSG_EVENT && m.event_type == TT_BN_EV_EXEC_REPORT) {
		rc = tt_bn_decode_exec(m.event, m.event_len, &fuzz_oe_symtab, &o, &e);
		fuzz_oe_check(rc, &e, m.event_len);
		if (rc == 0)
			fuzz_oe_check_order(&o);
	} else if (m.result && m.result[0] == '{') {
		rc = tt_bn_decode_order(m.result, m.result_len, &fuzz_oe_symtab, &o, &e);
		fuzz_oe_check(rc, &e, m.result_len);
		if (rc == 0)
			fuzz_oe_check_order(&o);
		if (rc == 0 && o.fills) {
			const char *span[2] = {p, p + size};

			if (o.fills < p || o.fills + o.fills_len > p + size)
				abort();
			rc = tt_bn_decode_fills(o.fills, o.fills_len, &fuzz_oe_instrs[0],
						each_trade, span, &e);
			fuzz_oe_check(rc, &e, o.fills_len);
		}
	} else if (m.result) {
		const char *span[2] = {p, p + size};

		/* an array answers openOrders.* or myTrades: tt-oe knows which by request */
		rc = tt_bn_decode_orders(m.result, m.result_len, &fuzz_oe_symtab, each, NULL, &e);
		fuzz_oe_check(rc, &e, m.result_len);
		rc = tt_bn_decode_trades(m.result, m.result_len, &fuzz_oe_symtab, each_trade, span,
					 &e);
		fuzz_oe_check(rc, &e, m.result_len);
	}
	return 0;
}
