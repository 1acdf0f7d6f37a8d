/*
 * fuzz_log.c — tt_log_format() with arbitrary bytes as a string field, a key and the event:
 * the line must stay within TT_LOG_LINE_MAX, end in "}\n", and hold no raw control byte
 * (every byte is escaped to valid JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tt_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[TT_LOG_LINE_MAX];
	static char key[64];
	size_t kn = size < sizeof(key) - 1 ? size : sizeof(key) - 1;
	size_t len;

	memcpy(key, data, kn);
	key[kn] = '\0';
	const struct tt_log_field f[] = {
	    TT_LSN("s", (const char *)data, size),
	    TT_LS(key, key),
	    TT_LX("x", (int64_t)size * 7 - 1000, size % 20),
	    TT_LI("n", (int64_t)size),
	};
	len = tt_log_format(buf, TT_LOG_INFO, key, f, 4, (int64_t)size * 1000000007);
	if (len > TT_LOG_LINE_MAX || len < 2 || buf[len - 1] != '\n' || buf[len - 2] != '}')
		abort();
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)buf[i] < 0x20)
			abort();
	return 0;
}
