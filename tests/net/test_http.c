/*
 * test_http.c — the HTTP/1.1 client codec (tt_http.h): request building (incl. header
 * injection refused), and the response parser fed whole, byte by byte and at every split
 * point: Content-Length, chunked (extensions, trailers), close-delimited, 1xx interim,
 * 101/204/304/HEAD, and hostile input (huge chunk sizes, negative and overflowing
 * lengths, both CL and chunked, bare LF, folding, limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_err.h"
#include "tt_http.h"

static struct tt_http_resp R;
static char body[4096];

/* Feeds s in pieces of `step` bytes (0 = all at once). Returns the final rc; *used is
 * the total consumed. Stops at completion or error, like a caller would. */
static int feed(const char *s, size_t n, size_t step, size_t cap, unsigned flags, size_t *used)
{
	size_t off = 0;
	int rc = -EAGAIN;

	tt_http_resp_init(&R, body, cap, flags);
	if (step == 0)
		step = n ? n : 1;
	while (off < n) {
		size_t k = n - off < step ? n - off : step;
		size_t c = 0;

		rc = tt_http_resp_feed(&R, s + off, k, &c);
		assert_true(c <= k);
		off += c;
		if (rc != -EAGAIN)
			break;
		assert_int_equal(c, k);
	}
	if (used)
		*used = off;
	return rc;
}

#define FEED_ALL(str, step, cap, flags, used) feed(str, sizeof(str) - 1, step, cap, flags, used)

/* Same result whole, byte by byte and split at every point in two. */
static void expect_body_all_ways(const char *s, size_t n, const char *want_body, int status)
{
	size_t steps[] = {0, 1, 2, 3, 7};
	size_t i;
	size_t used;

	for (i = 0; i < TT_ARRAY_LEN(steps); i++) {
		assert_int_equal(feed(s, n, steps[i], sizeof(body), 0, &used), 0);
		assert_int_equal(used, n);
		assert_int_equal(R.status, status);
		assert_int_equal(R.body_len, strlen(want_body));
		assert_memory_equal(body, want_body, R.body_len);
	}
	for (i = 1; i < n; i++) {
		size_t c1 = 0;
		size_t c2 = 0;

		tt_http_resp_init(&R, body, sizeof(body), 0);
		assert_int_equal(tt_http_resp_feed(&R, s, i, &c1), -EAGAIN);
		assert_int_equal(c1, i);
		assert_int_equal(tt_http_resp_feed(&R, s + i, n - i, &c2), 0);
		assert_int_equal(c2, n - i);
		assert_memory_equal(body, want_body, strlen(want_body));
	}
}

static void test_request_builder_writes_get_and_post(void **state)
{
	char buf[512];
	const struct tt_http_kv h[] = {{"User-Agent", "tt/0.1"}, {"X-MBX-APIKEY", "k"}};
	ssize_t n;

	n = tt_http_req_build(buf, sizeof(buf), "GET", "testnet.binance.vision", "/api/v3/time?x=1",
			      h, 2, NULL, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "GET /api/v3/time?x=1 HTTP/1.1\r\nHost: testnet.binance.vision\r\n"
				 "User-Agent: tt/0.1\r\nX-MBX-APIKEY: k\r\n\r\n");
	n = tt_http_req_build(buf, sizeof(buf), "POST", "h", "/o", NULL, 0, "a=1", 3);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "POST /o HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=1");
	n = tt_http_req_build(buf, sizeof(buf), "POST", "h", "/o", NULL, 0, NULL, 0);
	buf[n] = '\0';
	assert_string_equal(buf, "POST /o HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
}

static void test_request_builder_refuses_injection_and_small_buffers(void **state)
{
	char buf[64];
	const struct tt_http_kv inj[] = {{"X", "a\r\nEvil: 1"}};
	const struct tt_http_kv badname[] = {{"X Y", "a"}};
	const struct tt_http_kv host[] = {{"host", "a"}};

	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "GET", "h", "/", inj, 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "GET", "h", "/", badname, 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "GET", "h", "/", host, 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "G T", "h", "/", NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "GET", "h\n", "/", NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, sizeof(buf), "GET", "h", "/ x", NULL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(tt_http_req_build(buf, 20, "GET", "h", "/", NULL, 0, NULL, 0), -ENOSPC);
	/* exactly enough room */
	assert_int_equal(tt_http_req_build(buf, 27, "GET", "h", "/", NULL, 0, NULL, 0), 27);
	assert_int_equal(tt_http_req_build(buf, 26, "GET", "h", "/", NULL, 0, NULL, 0), -ENOSPC);
}

static void test_content_length_body_any_split(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				"content-length: 13\r\n\r\n{\"serverTime\"";

	expect_body_all_ways(s, sizeof(s) - 1, "{\"serverTime\"", 200);
	assert_true(R.keep_alive);
	assert_false(R.chunked);
	assert_int_equal(R.content_length, 13);
}

static void test_header_lookup_is_case_insensitive_and_trimmed(void **state)
{
	static const char s[] = "HTTP/1.1 200 Fine Thanks\r\nX-MBX-USED-WEIGHT-1M:   12 \t\r\n"
				"Connection: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n";
	const char *v;
	size_t vl;

	assert_int_equal(FEED_ALL(s, 0, sizeof(body), 0, NULL), 0);
	v = tt_http_resp_header(&R, "x-mbx-used-weight-1m", &vl);
	assert_non_null(v);
	assert_int_equal(vl, 2);
	assert_memory_equal(v, "12", 2);
	assert_null(tt_http_resp_header(&R, "x-mbx-used-weight", &vl));
	assert_true(tt_http_resp_header_has_token(&R, "CONNECTION", "upgrade"));
	assert_false(tt_http_resp_header_has_token(&R, "connection", "close"));
	assert_int_equal(R.reason_len, 11);
	assert_memory_equal(R.head + R.reason_off, "Fine Thanks", 11);
	assert_int_equal(R.nfields, 3);
}

static void test_chunked_body_with_extensions_and_trailers(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"5;name=val\r\nhello\r\n"
				"1\r\n \r\n"
				"A ; a=\"q\"\r\n0123456789\r\n"
				"0\r\nX-Trailer: yes\r\nY: 2\r\n\r\n";

	expect_body_all_ways(s, sizeof(s) - 1, "hello 0123456789", 200);
	assert_true(R.chunked);
}

static void test_chunked_without_trailers_and_pipelined_rest(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
				"3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n";
	size_t used;

	assert_int_equal(FEED_ALL(s, 0, sizeof(body), 0, &used), 0);
	assert_int_equal(used, sizeof(s) - 1 - strlen("HTTP/1.1 200 OK\r\n"));
	assert_int_equal(R.body_len, 3);
}

static void test_close_delimited_body_completes_at_eof(void **state)
{
	static const char s[] = "HTTP/1.0 200 OK\r\n\r\nuntil the end";

	assert_int_equal(FEED_ALL(s, 1, sizeof(body), 0, NULL), -EAGAIN);
	assert_false(R.keep_alive);
	assert_int_equal(tt_http_resp_eof(&R), 0);
	assert_int_equal(R.body_len, 13);
	assert_memory_equal(body, "until the end", 13);
}

static void test_eof_mid_response_is_an_error(void **state)
{
	static const char s1[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
	static const char s2[] = "HTTP/1.1 200 OK\r\nContent-Len";
	static const char s3[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";

	assert_int_equal(FEED_ALL(s1, 0, sizeof(body), 0, NULL), -EAGAIN);
	assert_int_equal(tt_http_resp_eof(&R), -TT_EPROTO);
	assert_string_equal(R.error, "connection closed mid-body");
	assert_int_equal(FEED_ALL(s2, 0, sizeof(body), 0, NULL), -EAGAIN);
	assert_int_equal(tt_http_resp_eof(&R), -TT_EPROTO);
	assert_int_equal(FEED_ALL(s3, 0, sizeof(body), 0, NULL), -EAGAIN);
	assert_int_equal(tt_http_resp_eof(&R), -TT_EPROTO);
}

static void test_interim_1xx_is_skipped_and_101_204_304_head_have_no_body(void **state)
{
	static const char s1[] =
	    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
	    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
	static const char s2[] =
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00";
	static const char s3[] = "HTTP/1.1 204 No Content\r\n\r\nX";
	static const char s4[] = "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n";
	static const char s5[] = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
	size_t used;

	expect_body_all_ways(s1, sizeof(s1) - 1, "ok", 201);
	assert_int_equal(R.nfields, 1);
	assert_int_equal(FEED_ALL(s2, 0, 0, 0, &used), 0);
	assert_int_equal(R.status, 101);
	assert_int_equal(used, sizeof(s2) - 3);
	assert_int_equal(FEED_ALL(s3, 0, 0, 0, &used), 0);
	assert_int_equal(used, sizeof(s3) - 2);
	assert_int_equal(FEED_ALL(s4, 0, 0, 0, NULL), 0);
	assert_int_equal(FEED_ALL(s5, 0, 0, TT_HTTP_F_HEAD_REQUEST, NULL), 0);
	assert_int_equal(FEED_ALL(s5, 0, 0, TT_HTTP_F_STOP_AFTER_HEAD, NULL), 0);
	assert_int_equal(FEED_ALL(s5, 0, 0, 0, NULL), -EMSGSIZE);
}

struct bad {
	const char *s;
	int rc;
	const char *why;
};

static void test_hostile_responses_get_clear_errors(void **state)
{
	static const struct bad bads[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	     -TT_EPROTO, "both Content-Length and Transfer-Encoding"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	     -TT_EPROTO, "both Content-Length and Transfer-Encoding"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -TT_EPROTO, "bad Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", -TT_EPROTO, "bad Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n", -TT_EPROTO, "bad Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551617\r\n\r\n", -TT_EPROTO,
	     "bad Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", -TT_EPROTO,
	     "bad Content-Length"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 4097\r\n\r\n", -EMSGSIZE,
	     "Content-Length exceeds the body buffer"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -TT_EPROTO,
	     "conflicting Content-Length"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -ENOTSUP,
	     "unsupported Transfer-Encoding (only chunked)"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	     -ENOTSUP, "several Transfer-Encoding fields"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
	     -EMSGSIZE, "chunk size too long"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n", -EMSGSIZE,
	     "chunk exceeds the body buffer"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", -TT_EPROTO,
	     "bad chunk size"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", -TT_EPROTO,
	     "bad chunk size"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", -TT_EPROTO,
	     "chunk data not followed by CRLF"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab", -TT_EPROTO,
	     "bad chunk size"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;\x01\r\nab", -TT_EPROTO,
	     "control byte in chunk extension"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\r\n", -TT_EPROTO,
	     "bare LF in trailers"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n folded\r\n\r\n",
	     -TT_EPROTO, "bad byte in trailer field"},
	    {"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", -TT_EPROTO, "bare LF in head"},
	    {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", -TT_EPROTO, "bare CR in head"},
	    {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", -TT_EPROTO,
	     "obsolete line folding in header"},
	    {"HTTP/1.1 200 OK\r\nA : b\r\n\r\n", -TT_EPROTO, "bad header name"},
	    {"HTTP/1.1 200 OK\r\n: b\r\n\r\n", -TT_EPROTO, "bad header name"},
	    {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", -TT_EPROTO, "bad header name"},
	    {"HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n", -TT_EPROTO, "control byte in header value"},
	    {"HTTP/2 200 OK\r\n\r\n", -TT_EPROTO, "bad status line (want HTTP/1.x NNN)"},
	    {"HTTP/1.1 2000 OK\r\n\r\n", -TT_EPROTO, "bad status line after code"},
	    {"HTTP/1.1 20 OK\r\n\r\n", -TT_EPROTO, "bad status code"},
	    {"HTTP/1.1 099 OK\r\n\r\n", -TT_EPROTO, "status code below 100"},
	    {"http/1.1 200 OK\r\n\r\n", -TT_EPROTO, "bad status line (want HTTP/1.x NNN)"},
	    {"\r\n\r\n", -TT_EPROTO, "bad status line (want HTTP/1.x NNN)"},
	};
	size_t i;
	int step;

	for (i = 0; i < TT_ARRAY_LEN(bads); i++) {
		for (step = 0; step <= 1; step++) {
			int rc =
			    feed(bads[i].s, strlen(bads[i].s), (size_t)step, sizeof(body), 0, NULL);
			size_t c = 9;

			if (rc != bads[i].rc || !R.error || strcmp(R.error, bads[i].why) != 0)
				fail_msg("case %zu step %d: rc %d (%s) want %d (%s)", i, step, rc,
					 R.error ? R.error : "-", bads[i].rc, bads[i].why);
			assert_int_equal(tt_err_code(), bads[i].rc);
			/* sticky: more input is refused, nothing consumed */
			assert_int_equal(tt_http_resp_feed(&R, "x", 1, &c), bads[i].rc);
			assert_int_equal(c, 0);
		}
	}
}

static void test_body_over_buffer_is_refused(void **state)
{
	static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd";
	static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n";
	static const char eof[] = "HTTP/1.1 200 OK\r\n\r\nabcd";

	assert_int_equal(FEED_ALL(cl, 0, 4, 0, NULL), 0); /* exactly full */
	assert_int_equal(FEED_ALL(cl, 0, 3, 0, NULL), -EMSGSIZE);
	assert_int_equal(FEED_ALL(ch, 1, 4, 0, NULL), 0);
	assert_int_equal(FEED_ALL(ch, 1, 3, 0, NULL), -EMSGSIZE);
	assert_string_equal(R.error, "chunk exceeds the body buffer");
	assert_int_equal(FEED_ALL(eof, 0, 4, 0, NULL), -EAGAIN);
	assert_int_equal(FEED_ALL(eof, 0, 3, 0, NULL), -EMSGSIZE);
}

static void test_head_limits(void **state)
{
	static char big[TT_HTTP_HEAD_MAX + 64];
	size_t n;
	unsigned i;

	/* a head one byte over the limit */
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX: ");
	memset(big + n, 'a', TT_HTTP_HEAD_MAX - n - 3);
	n = TT_HTTP_HEAD_MAX - 3;
	memcpy(big + n, "\r\n\r\n", 4);
	assert_int_equal(feed(big, n + 4, 0, sizeof(body), 0, NULL), -EMSGSIZE);
	assert_string_equal(R.error, "response head too large");
	/* exactly at the limit passes */
	big[n - 1] = '\r';
	big[n] = '\n';
	big[n + 1] = '\r';
	big[n + 2] = '\n';
	assert_int_equal(feed(big, n + 3, 0, sizeof(body), 0, NULL), -EAGAIN);
	assert_int_equal(R.state, TT_HTTP_S_BODY_EOF);
	/* header count */
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < TT_HTTP_MAX_HEADERS + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "H%u: v\r\n", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	assert_int_equal(feed(big, n, 0, sizeof(body), 0, NULL), -EMSGSIZE);
	assert_string_equal(R.error, "too many header fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_builder_writes_get_and_post),
	    cmocka_unit_test(test_request_builder_refuses_injection_and_small_buffers),
	    cmocka_unit_test(test_content_length_body_any_split),
	    cmocka_unit_test(test_header_lookup_is_case_insensitive_and_trimmed),
	    cmocka_unit_test(test_chunked_body_with_extensions_and_trailers),
	    cmocka_unit_test(test_chunked_without_trailers_and_pipelined_rest),
	    cmocka_unit_test(test_close_delimited_body_completes_at_eof),
	    cmocka_unit_test(test_eof_mid_response_is_an_error),
	    cmocka_unit_test(test_interim_1xx_is_skipped_and_101_204_304_head_have_no_body),
	    cmocka_unit_test(test_hostile_responses_get_clear_errors),
	    cmocka_unit_test(test_body_over_buffer_is_refused),
	    cmocka_unit_test(test_head_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
