/*
 * tt_crc32c.h — CRC-32C (Castagnoli), the journal's record checksum. Uses the SSE4.2
 * crc32 instruction when the CPU has it (checked once), a table otherwise; both give
 * identical results (tests compare them and the standard check value 0xE3069283 for
 * "123456789").
 */
#ifndef TT_CRC32C_H
#define TT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of len bytes, continuing from crc (start with 0). */
uint32_t tt_crc32c(uint32_t crc, const void *buf, size_t len);
/* The portable table version (tests, CPUs without SSE4.2). */
uint32_t tt_crc32c_sw(uint32_t crc, const void *buf, size_t len);

#endif /* TT_CRC32C_H */
