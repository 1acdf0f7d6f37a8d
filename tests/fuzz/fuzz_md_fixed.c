/*
 * fuzz_md_fixed.c — tt_fixed_parse() at every scale on arbitrary bytes; whatever parses
 * must format back (both styles) to a string that parses to the same value.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tt_fixed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[TT_FIXED_STR_MAX];
	unsigned scale;

	for (scale = 0; scale <= TT_FIXED_MAX_SCALE; scale++) {
		int64_t v, back;
		unsigned flags;
		int rc = tt_fixed_parse((const char *)data, size, scale, &v);

		if (rc != 0 && rc != -EINVAL && rc != -EDOM && rc != -ERANGE)
			abort();
		if (rc)
			continue;
		for (flags = 0; flags <= TT_FIXED_FMT_TRIM; flags++) {
			int n = tt_fixed_format(v, scale, flags, buf, sizeof(buf));

			if (n <= 0 || tt_fixed_parse(buf, (size_t)n, scale, &back) != 0 ||
			    back != v)
				abort();
		}
	}
	return 0;
}
