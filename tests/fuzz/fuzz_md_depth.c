/*
 * fuzz_md_depth.c — tt_md_bn_depth_update() and tt_md_bn_snapshot() on arbitrary bytes
 * with small caller arrays (so TOO_MANY is reachable). Accepted messages fill no more
 * than the caps; diffs have U <= u; refusals carry a code and an in-range position.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_md_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt_md_instr_table *t = fuzz_md_table();
	struct tt_md_level b[4], a[4];
	struct tt_md_depth d = {.bids = b, .asks = a, .cap_bids = 4, .cap_asks = 3};
	struct tt_md_perr e;
	uint32_t i;
	int rc;

	rc = tt_md_bn_depth_update(t, NULL, (const char *)data, size, &d, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0) {
		if (!d.instr || d.n_bids > 4 || d.n_asks > 3 || d.first_id > d.final_id)
			abort();
		for (i = 0; i < d.n_bids; i++)
			if (b[i].px < 0 || b[i].qty < 0)
				abort();
	}
	rc = tt_md_bn_snapshot(&t->e[2], (const char *)data, size, &d, &e);
	fuzz_md_check_err(rc, &e, size);
	if (rc == 0 && (d.n_bids > 4 || d.n_asks > 3 || d.first_id != d.final_id))
		abort();
	return 0;
}
