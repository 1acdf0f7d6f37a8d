/*
 * fuzz_md_frame.c — the whole-frame path: tt_md_bn_scan() (combined wrapper in either key
 * order, raw dispatch, control replies, serverShutdown), plus tt_md_bn_combined() and
 * tt_md_bn_control() on the same bytes. Slices handed back must lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_md_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *base, size_t size, const char *p, size_t n)
{
	if (p && (p < base || p + n > base + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt_md_instr_table *t = fuzz_md_table();
	const char *p = (const char *)data;
	struct tt_md_level b[4], a[4];
	struct tt_md_bn_msg m = {0};
	struct tt_md_combined cw;
	struct tt_md_control c;
	struct tt_md_perr e;
	int rc;

	m.depth.bids = b;
	m.depth.asks = a;
	m.depth.cap_bids = m.depth.cap_asks = 4;
	rc = tt_md_bn_scan(t, p, size, &m, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0) {
		if (m.kind == TT_MD_MSG_NONE)
			abort();
		if ((m.kind == TT_MD_MSG_BOOK_TICKER && !m.bt.instr) ||
		    (m.kind == TT_MD_MSG_TRADE && !m.trade.instr) ||
		    (m.kind == TT_MD_MSG_DEPTH && !m.depth.instr))
			abort();
		if (m.kind == TT_MD_MSG_CONTROL) {
			inside(p, size, m.ctl.result, m.ctl.result_len);
			inside(p, size, m.ctl.err_msg, m.ctl.err_msg_len);
			inside(p, size, m.ctl.id_str, m.ctl.id_str_len);
		}
	}
	rc = tt_md_bn_combined(p, size, &cw, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0) {
		inside(p, size, cw.stream, cw.stream_len);
		inside(p, size, cw.data, cw.data_len);
		if (cw.data != p + cw.data_off)
			abort();
	}
	rc = tt_md_bn_control(p, size, &c, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0) {
		inside(p, size, c.result, c.result_len);
		inside(p, size, c.err_msg, c.err_msg_len);
		inside(p, size, c.id_str, c.id_str_len);
	}
	return 0;
}
