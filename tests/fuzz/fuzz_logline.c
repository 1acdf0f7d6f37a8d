/*
 * fuzz_logline.c — hostile input for the log tools: arbitrary bytes as a JSON log line
 * (tt_logq_match with every filter set, tt_logq_print_human), as a time argument
 * (tt_logq_parse_time) and as a binary log record read from a ring (tt_log_format_rec).
 * Nothing may crash; a record always formats as one valid line ending in "}\n".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_log.h"
#include "tt_logq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char line[TT_LOG_LINE_MAX];
	char sink[8192];
	struct tt_logq q = {.root = "/nonexistent", .env = "testnet", .proc = "tt-oe",
			    .min_level = 1, .since_ns = 1, .until_ns = INT64_MAX, .event = "x",
			    .order = "17"};
	struct tt_log_who who = {.env = "testnet", .proc = "p", .pid = 1};
	struct tt_log_rec rec;
	int64_t ts;
	FILE *f;
	size_t n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)tt_logq_match(&q, s, &ts);
	q = (struct tt_logq){.root = "/nonexistent"};
	(void)tt_logq_match(&q, s, &ts);
	if (tt_logq_parse_time(s, 0, &ts))
		ts = 0;
	f = fmemopen(sink, sizeof(sink), "w");
	if (f) {
		tt_logq_print_human(f, s);
		fclose(f);
	}
	memset(&rec, 0, sizeof(rec));
	memcpy(&rec, data, size < sizeof(rec) ? size : sizeof(rec));
	n = tt_log_format_rec(line, &who, &rec, 0);
	if (n < 2 || n > TT_LOG_LINE_MAX || line[n - 1] != '\n' || line[n - 2] != '}')
		abort();
	free(s);
	return 0;
}
