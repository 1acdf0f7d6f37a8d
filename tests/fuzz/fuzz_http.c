/*
 * fuzz_http.c — the HTTP/1.1 response parser on arbitrary bytes. Input byte 0 picks the
 * flags, byte 1 the feeding step; the rest is the response. Checks, besides "never
 * crashes": consumed ≤ offered, body_len ≤ body_cap, and feeding in pieces gives the
 * same outcome (rc, state, and unless it is an error: consumed, status, body) as
 * feeding all at once; tt_http_resp_eof after that is consistent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tt_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tt_http_resp a;
static struct tt_http_resp b;
static char body_a[2048];
static char body_b[2048];

static int feed_all(struct tt_http_resp *r, const uint8_t *p, size_t n, size_t step, size_t *used)
{
	size_t off = 0;
	int rc = -EAGAIN;

	while (off < n) {
		size_t k = n - off < step ? n - off : step;
		size_t c = 0;

		rc = tt_http_resp_feed(r, p + off, k, &c);
		if (c > k)
			abort();
		off += c;
		if (rc != -EAGAIN)
			break;
		if (c != k)
			abort();
	}
	*used = off;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	size_t step;
	size_t ua;
	size_t ub;
	size_t cap;
	int ra;
	int rb;

	if (size < 2)
		return 0;
	flags = data[0] & 3;
	cap = (data[0] & 4) ? 16 : sizeof(body_a);
	step = (size_t)(data[1] % 17) + 1;
	data += 2;
	size -= 2;
	tt_http_resp_init(&a, body_a, cap, flags);
	tt_http_resp_init(&b, body_b, cap, flags);
	ra = feed_all(&a, data, size, size ? size : 1, &ua);
	rb = feed_all(&b, data, size, step, &ub);
	if (a.body_len > cap || b.body_len > cap)
		abort();
	if (ra != rb || a.state != b.state)
		abort();
	/* after an error, how much was consumed/copied depends on where the pieces ended
	 * (a close-delimited body overflows mid-piece): compare only good outcomes */
	if (ra >= 0 || ra == -EAGAIN) {
		if (ua != ub || a.body_len != b.body_len || memcmp(body_a, body_b, a.body_len) != 0)
			abort();
	}
	if (a.state > TT_HTTP_S_HEAD && a.state != TT_HTTP_S_ERROR &&
	    (a.status != b.status || a.status < 100 || a.status > 999))
		abort();
	if ((tt_http_resp_eof(&a) == 0) != (tt_http_resp_eof(&b) == 0))
		abort();
	if (a.state != TT_HTTP_S_ERROR)
		(void)tt_http_resp_header_has_token(&a, "connection", "close");
	return 0;
}
