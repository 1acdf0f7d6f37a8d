/*
 * fuzz_config.c — tt_config_load_mem() on arbitrary bytes: it must return 0 or
 * -TT_ECONFIG with a one-line message, never crash, and never leave a half-filled struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tt_config.h"
#include "tt_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tt_config cfg;
	int rc = tt_config_load_mem(&cfg, "fuzz.ini", (const char *)data, size);

	if (rc != 0 && rc != -TT_ECONFIG)
		abort();
	if (rc != 0 && (cfg.n_rings != 0 || cfg.n_instruments != 0 || strchr(tt_err_msg(), '\n')))
		abort();
	if (rc == 0 &&
	    (cfg.n_rings > TT_CFG_RINGS_MAX || cfg.n_instruments > TT_CFG_INSTRUMENTS_MAX))
		abort();
	return 0;
}
