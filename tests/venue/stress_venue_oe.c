/*
 * stress_venue_oe.c — order entry while the synthetic market runs fast: random LIMIT GTC/IOC
 * orders near the touch and cancels of earlier ones over the real /ws-api/v3, then the
 * executionReports (summed per order, trade ids never repeated) must agree exactly with the
 * venue's own `account` dump, and the book must be sound. TT_VENUE_OE_ORDERS sets the order
 * count (default 300); the seed is printed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "venue_client.h"

#define BIG (16 << 20)

static struct vc_proc venue;
static char *buf;
static char *reply;

static long long wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void str_field(const char *s, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(s, pat);
	out[0] = 0;
	if (!p)
		return;
	p += strlen(pat);
	while (*p && *p != '"' && n + 1 < cap)
		out[n++] = *p++;
	out[n] = 0;
}

/* Quantity string "0.00123000" -> units of 1e-8 (exact). */
static long long e8(const char *s)
{
	long long ip = 0, fp = 0;
	int d = 0;

	while (*s >= '0' && *s <= '9')
		ip = ip * 10 + (*s++ - '0');
	if (*s == '.')
		s++;
	while (*s >= '0' && *s <= '9' && d < 8) {
		fp = fp * 10 + (*s++ - '0');
		d++;
	}
	while (d++ < 8)
		fp *= 10;
	return ip * 100000000LL + fp;
}

static void logon(struct vc_ws *w, EVP_PKEY *key)
{
	char payload[256], msg[1024], sig[128];
	unsigned char raw[64];
	size_t sl = sizeof(raw);
	long long ts = wall_ms();
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	snprintf(payload, sizeof(payload), "apiKey=stress&timestamp=%lld", ts);
	assert_int_equal(EVP_DigestSignInit(c, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(c, raw, &sl, (unsigned char *)payload, strlen(payload)), 1);
	EVP_MD_CTX_free(c);
	EVP_EncodeBlock((unsigned char *)sig, raw, (int)sl);
	snprintf(msg, sizeof(msg),
		 "{\"id\":\"logon\",\"method\":\"session.logon\",\"params\":{\"apiKey\":\"stress\","
		 "\"timestamp\":%lld,\"signature\":\"%s\"}}",
		 ts, sig);
	assert_int_equal(vc_ws_send(w, msg), 0);
	assert_true(vc_ws_next(w, buf, BIG, 10000) > 0);
	assert_non_null(strstr(buf, "\"status\":200"));
	assert_int_equal(vc_ws_send(w, "{\"id\":\"sub\",\"method\":\"userDataStream.subscribe\"}"),
			 0);
}

static void test_reports_and_account_agree_under_a_moving_market(void **state)
{
	static const char *const args[] = {"--symbols", "BTCUSDT", "--rate", "20000", NULL};
	const char *env = getenv("TT_VENUE_OE_ORDERS");
	int n = env && atoi(env) > 0 ? atoi(env) : 300;
	unsigned seed = (unsigned)wall_ms();
	long long *sum = calloc((size_t)n + 2, sizeof(long long));
	int *ntr = calloc((size_t)n + 2, sizeof(int));
	int *acked = calloc((size_t)n + 2, sizeof(int));
	unsigned long long *tids = calloc(1u << 16, sizeof(unsigned long long));
	int ntids = 0, nresp = 0, checked = 0;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *key = NULL;
	struct vc_ws *w;
	char path[256], v[64], px[40];
	FILE *f;
	long long mid = 0;

	(void)state;
	printf("# seed %u, %d orders\n", seed, n);
	srand(seed);
	assert_non_null(sum);
	assert_non_null(ntr);
	assert_non_null(acked);
	assert_non_null(tids);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_int_equal(EVP_PKEY_keygen(kc, &key), 1);
	EVP_PKEY_CTX_free(kc);
	assert_int_equal(vc_start(&venue, args), 0);
	snprintf(path, sizeof(path), "%s/k.pem", venue.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, key), 1);
	fclose(f);
	snprintf(buf, BIG, "oe key stress ed25519 %s", path);
	assert_true(vc_ctl(&venue, buf, reply, BIG) > 0);
	assert_true(vc_ctl(&venue, "oe limits 1000000 1000000", reply, BIG) > 0);
	assert_int_equal(vc_ws_open(&w, &venue, "/ws-api/v3"), 0);
	logon(w, key);
	for (int i = 0; i < n; i++) {
		char msg[512];
		int tick;

		if (i % 50 == 0) {
			const char *p;

			assert_true(vc_ctl(&venue, "book BTCUSDT", reply, BIG) > 0);
			p = strstr(reply, "\"asks\":[[\"");
			assert_non_null(p);
			sscanf(p + 10, "%39[^\"]", px);
			mid = llround(atof(px) * 100);
		}
		tick = rand() % 7 - 3;
		snprintf(
		    msg, sizeof(msg),
		    "{\"id\":%d,\"method\":\"order.place\",\"params\":{\"symbol\":\"BTCUSDT\","
		    "\"side\":\"%s\",\"type\":\"LIMIT\",\"timeInForce\":\"%s\",\"price\":"
		    "\"%lld.%02lld\",\"quantity\":\"0.00%d00000\",\"newClientOrderId\":\"s%d\","
		    "\"timestamp\":%lld}}",
		    i + 1, rand() % 2 ? "BUY" : "SELL", rand() % 3 ? "GTC" : "IOC",
		    (mid + tick) / 100, (mid + tick) % 100, 1 + rand() % 5, i, wall_ms());
		assert_int_equal(vc_ws_send(w, msg), 0);
		if (i > 5 && rand() % 3 == 0) {
			snprintf(
			    msg, sizeof(msg),
			    "{\"id\":\"c%d\",\"method\":\"order.cancel\",\"params\":{\"symbol\":"
			    "\"BTCUSDT\",\"origClientOrderId\":\"s%d\",\"timestamp\":%lld}}",
			    i, rand() % i, wall_ms());
			assert_int_equal(vc_ws_send(w, msg), 0);
		}
	}
	/* read until every order.place is answered and the stream is quiet after a pause */
	for (bool paused = false;;) {
		int k;

		if (!paused && nresp >= n) {
			/* no more random-walk steps: the reports still coming are all there is */
			assert_true(vc_ctl(&venue, "pause", reply, BIG) > 0);
			paused = true;
		}
		k = vc_ws_next(w, buf, BIG, 1000);
		assert_true(k >= 0);
		if (k == 0) {
			if (paused)
				break;
			continue;
		}
		if (!strncmp(buf, "{\"id\":", 6) && buf[6] != '"') {
			unsigned long long id = vc_num(buf, "id");

			assert_true(id >= 1 && id <= (unsigned long long)n);
			assert_int_equal(vc_num(buf, "status"), 200);
			acked[id] = 1;
			nresp++;
		} else if (strstr(buf, "\"executionReport\"") && strstr(buf, "\"x\":\"TRADE\"")) {
			unsigned long long oid = vc_num(buf, "i");
			unsigned long long t = vc_num(buf, "t");

			assert_true(oid >= 1 && oid <= (unsigned long long)n);
			str_field(buf, "l", v, sizeof(v));
			sum[oid] += e8(v);
			ntr[oid]++;
			for (int j = 0; j < ntids; j++)
				assert_true(tids[j] != t);
			if (ntids < (1 << 16))
				tids[ntids++] = t;
		}
	}
	assert_int_equal(nresp, n);
	assert_true(ntids > 0);
	/* the venue's own view */
	assert_true(vc_ctl(&venue, "account stress", reply, BIG) > 0);
	for (const char *p = strstr(reply, "{\"account\""); p; p = strstr(p + 1, "{\"account\"")) {
		const char *end = strchr(p, '}');
		char one[1024];
		unsigned long long oid;

		const char *tr = strstr(p, "\"tradeId\"");

		assert_non_null(end);
		if (tr && tr < end)
			continue; /* a fill entry */
		snprintf(one, sizeof(one), "%.*s", (int)(end - p + 1), p);
		oid = vc_num(one, "orderId");
		str_field(one, "executedQty", v, sizeof(v));
		assert_int_equal(e8(v), sum[oid]);
		checked++;
	}
	assert_int_equal(checked, n);
	printf("# %d orders agree with the venue; %d fills reported\n", checked, ntids);
	assert_true(vc_ctl(&venue, "book BTCUSDT", reply, BIG) > 0);
	assert_non_null(strstr(reply, "\"bids\":[[\""));
	assert_non_null(strstr(reply, "\"asks\":[[\""));
	vc_ws_close(w);
	assert_int_equal(vc_stop(&venue), 0);
	EVP_PKEY_free(key);
	free(sum);
	free(ntr);
	free(acked);
	free(tids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reports_and_account_agree_under_a_moving_market),
	};

	buf = malloc(BIG);
	reply = malloc(BIG);
	if (!buf || !reply)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
