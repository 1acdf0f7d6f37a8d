/* test_crc32c.c — CRC-32C check value and hardware == software on random buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "tt_crc32c.h"

static void test_crc32c_check_value(void **state)
{
	assert_int_equal(tt_crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(tt_crc32c_sw(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(tt_crc32c(0, "", 0), 0);
	(void)state;
}

static void test_crc32c_hw_equals_sw_and_chains(void **state)
{
	unsigned char buf[1031];
	unsigned seed = 12345;

	printf("seed %u\n", seed);
	srand(seed);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)rand() % sizeof(buf), cut;

		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)rand();
		assert_int_equal(tt_crc32c(0, buf, len), tt_crc32c_sw(0, buf, len));
		cut = len ? (size_t)rand() % len : 0;
		assert_int_equal(tt_crc32c(tt_crc32c(0, buf, cut), buf + cut, len - cut),
				 tt_crc32c(0, buf, len));
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_check_value),
		cmocka_unit_test(test_crc32c_hw_equals_sw_and_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
