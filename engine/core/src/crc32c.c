/*
 * crc32c.c — CRC-32C, hardware (SSE4.2 crc32) with a slicing-by-1 table fallback.
 * The hardware path is picked once, at first use, from CPUID.
 */
#include "tt_crc32c.h"

#include <stdbool.h>
#include <string.h>

#define POLY_REFLECTED 0x82f63b78u

static uint32_t table[256];
static int impl; /* 0 unknown, 1 software, 2 hardware */

static void init_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ POLY_REFLECTED : c >> 1;
		table[i] = c;
	}
}

uint32_t tt_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!table[1])
		init_table();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *buf,
							      size_t len)
{
	const unsigned char *p = buf;
	uint64_t c = ~crc;

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#endif

uint32_t tt_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if defined(__x86_64__)
	if (__builtin_expect(impl == 0, 0)) {
		__builtin_cpu_init();
		impl = __builtin_cpu_supports("sse4.2") ? 2 : 1;
	}
	if (impl == 2)
		return crc32c_hw(crc, buf, len);
#endif
	return tt_crc32c_sw(crc, buf, len);
}
