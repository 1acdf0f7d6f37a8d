/*
 * e2e_venue_oe.c — tt-venue's order entry (WebSocket API at /ws-api/v3) seen from a client of
 * the real process: the libwebsockets client of venue_client.c, keys generated here with
 * OpenSSL (Ed25519, HMAC), signatures computed here by the venue's documented rule. The
 * random walk is paused so the book (read over the control socket) stays put while a test
 * trades against it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/time.h>
#include <unistd.h>
#include <math.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "venue_client.h"

#define BIG (1 << 20)

static struct vc_proc venue;
static EVP_PKEY *ed_key;
static char *buf;
static char reply[BIG];
static int req_id;
static bool auto_ts = true;

static const char hmac_secret[] = "tt-test-hmac-secret-0123456789abcdef";

static long long wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void ctl(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_true(vc_ctl(&venue, cmd, reply, sizeof(reply)) > 0);
}

static int group_setup(void **state)
{
	static const char *const args[] = {"--symbols", "BTCUSDT,ETHUSDT", "--rate", "200", NULL};
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	char path[256];
	FILE *f;

	(void)state;
	buf = malloc(BIG);
	if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &ed_key) != 1 || !buf)
		return -1;
	EVP_PKEY_CTX_free(kc);
	if (vc_start(&venue, args) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/ed.pub.pem", venue.dir);
	f = fopen(path, "w");
	if (!f || PEM_write_PUBKEY(f, ed_key) != 1)
		return -1;
	fclose(f);
	if (vc_ctl(&venue, "pause", reply, sizeof(reply)) <= 0)
		return -1;
	snprintf(buf, BIG, "oe key edkey ed25519 %s", path);
	if (vc_ctl(&venue, buf, reply, sizeof(reply)) <= 0 || !strstr(reply, "\"ok\":true"))
		return -1;
	snprintf(buf, BIG, "oe key hmackey hmac %s", hmac_secret);
	if (vc_ctl(&venue, buf, reply, sizeof(reply)) <= 0 || !strstr(reply, "\"ok\":true"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	int st = vc_stop(&venue);

	(void)state;
	EVP_PKEY_free(ed_key);
	free(buf);
	return st == 0 ? 0 : -1;
}

/* ---- requests ---------------------------------------------------------------------------- */

struct kv {
	const char *k;
	char v[200];
};

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

static void b64(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Signs kv[0..n) (sorted by name, k=v&...) with the Ed25519 key (b64) or HMAC (hex). */
static void sign(struct kv *kv, int n, bool hmac, char *sig)
{
	char payload[4096];
	size_t len = 0;

	qsort(kv, (size_t)n, sizeof(kv[0]), cmp_kv);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(payload + len, sizeof(payload) - len, "%s%s=%s",
					i ? "&" : "", kv[i].k, kv[i].v);
	if (hmac) {
		unsigned char mac[32];
		unsigned ml;

		HMAC(EVP_sha256(), hmac_secret, (int)strlen(hmac_secret), (unsigned char *)payload,
		     len, mac, &ml);
		for (unsigned i = 0; i < ml; i++)
			sprintf(sig + 2 * i, "%02x", mac[i]);
	} else {
		unsigned char raw[64];
		size_t sl = sizeof(raw);
		EVP_MD_CTX *c = EVP_MD_CTX_new();

		assert_int_equal(EVP_DigestSignInit(c, NULL, NULL, NULL, ed_key), 1);
		assert_int_equal(EVP_DigestSign(c, raw, &sl, (unsigned char *)payload, len), 1);
		EVP_MD_CTX_free(c);
		b64(raw, sl, sig);
	}
}

/* Sends {"id":N,"method":m,"params":{kv..[,"signature":sig]}}; returns the id. */
static int send_req(struct vc_ws *w, const char *method, struct kv *kv, int n, const char *sig)
{
	char msg[8192];
	size_t len;
	int id = ++req_id;

	len = (size_t)snprintf(msg, sizeof(msg), "{\"id\":%d,\"method\":\"%s\",\"params\":{", id,
			       method);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"%s\":\"%s\"",
					i ? "," : "", kv[i].k, kv[i].v);
	if (sig)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"signature\":\"%s\"",
					n ? "," : "", sig);
	else if (auto_ts && (!strncmp(method, "order", 5) || !strncmp(method, "openOrders", 10)))
		/* session-authenticated SIGNED requests still carry a timestamp */
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"timestamp\":%lld",
					n ? "," : "", wall_ms());
	snprintf(msg + len, sizeof(msg) - len, "}}");
	assert_int_equal(vc_ws_send(w, msg), 0);
	return id;
}

/* Waits for the response with this id (skipping events); returns its status. */
static int response(struct vc_ws *w, int id, char *out, size_t cap)
{
	char want[32];

	snprintf(want, sizeof(want), "{\"id\":%d,", id);
	for (int i = 0; i < 200; i++) {
		int n = vc_ws_next(w, out, cap, 10000);

		if (n > 0 && getenv("TT_E2E_VERBOSE"))
			fprintf(stderr, "< %s\n", out);
		if (n <= 0)
			return n < 0 ? -1 : 0;
		if (!strncmp(out, want, strlen(want)))
			return (int)vc_num(out, "status");
	}
	return 0;
}

/* The next executionReport (skips responses); 0 on timeout. */
static int next_report(struct vc_ws *w, char *out, size_t cap, int timeout_ms)
{
	for (int i = 0; i < 200; i++) {
		int n = vc_ws_next(w, out, cap, timeout_ms);

		if (n > 0 && getenv("TT_E2E_VERBOSE"))
			fprintf(stderr, "< %s\n", out);
		if (n <= 0)
			return 0;
		if (strstr(out, "\"executionReport\""))
			return n;
	}
	return 0;
}

static void ts_now(struct kv *kv)
{
	kv->k = "timestamp";
	snprintf(kv->v, sizeof(kv->v), "%lld", wall_ms());
}

static int logon(struct vc_ws *w, long long ts_off, bool tamper, char *out)
{
	struct kv kv[2] = {{"apiKey", "edkey"}, {"timestamp", ""}};
	char sig[200];

	snprintf(kv[1].v, sizeof(kv[1].v), "%lld", wall_ms() + ts_off);
	sign(kv, 2, false, sig);
	if (tamper)
		sig[3] = sig[3] == 'A' ? 'B' : 'A';
	return response(w, send_req(w, "session.logon", kv, 2, sig), out, BIG);
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

/* Best ask and its quantity from the control socket's book dump: "asks":[["p","q"],.. */
static void best_ask(const char *sym, char *px, char *qty)
{
	const char *p;

	ctl("book %s", sym);
	p = strstr(reply, "\"asks\":[[\"");
	assert_non_null(p);
	p += 10;
	sscanf(p, "%39[^\"]\",\"%39[^\"]", px, qty);
}

static struct vc_ws *open_logged_on(void)
{
	struct vc_ws *w;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws-api/v3"), 0);
	assert_int_equal(logon(w, 0, false, buf), 200);
	return w;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_logon_accepts_good_rejects_tampered_and_stale(void **state)
{
	struct vc_ws *w;

	(void)state;
	assert_int_equal(vc_ws_open(&w, &venue, "/ws-api/v3"), 0);
	assert_int_equal(logon(w, 0, true, buf), 400);
	assert_non_null(strstr(buf, "\"code\":-1022"));
	assert_int_equal(logon(w, -10000, false, buf), 400);
	assert_non_null(strstr(buf, "\"code\":-1021"));
	assert_non_null(strstr(buf, "outside of the recvWindow"));
	assert_int_equal(logon(w, 5000, false, buf), 400);
	assert_non_null(strstr(buf, "\"code\":-1021"));
	assert_int_equal(logon(w, 0, false, buf), 200);
	assert_non_null(strstr(buf, "\"apiKey\":\"edkey\""));
	assert_non_null(strstr(buf, "\"rateLimits\":["));
	vc_ws_close(w);
}

static void test_marketable_ioc_acks_reports_and_account_agree(void **state)
{
	struct vc_ws *w = open_logged_on();
	char px[40], q[40], v[128], exq[64], tid[32];
	struct kv kv[7];
	int id, n = 0;
	unsigned long long oid, ntrades = 0;
	double filled = 0;

	(void)state;
	assert_int_equal(
	    response(w, send_req(w, "userDataStream.subscribe", NULL, 0, NULL), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"subscriptionId\":"));
	best_ask("BTCUSDT", px, q);
	kv[n] = (struct kv){"symbol", "BTCUSDT"}, n++;
	kv[n] = (struct kv){"side", "BUY"}, n++;
	kv[n] = (struct kv){"type", "LIMIT"}, n++;
	kv[n] = (struct kv){"timeInForce", "IOC"}, n++;
	kv[n].k = "price", snprintf(kv[n].v, sizeof(kv[n].v), "%s", px), n++;
	kv[n] = (struct kv){"quantity", "0.00100000"}, n++;
	kv[n] = (struct kv){"newClientOrderId", "e2e-ioc-1"}, n++;
	id = send_req(w, "order.place", kv, n, NULL);
	assert_int_equal(response(w, id, buf, BIG), 200);
	oid = vc_num(buf, "orderId");
	assert_true(oid > 0);
	str_field(buf, "clientOrderId", v, sizeof(v));
	assert_string_equal(v, "e2e-ioc-1");
	str_field(buf, "executedQty", exq, sizeof(exq));
	assert_true(atof(exq) > 0);
	assert_non_null(strstr(buf, "\"fills\":[{"));
	assert_non_null(strstr(buf, "\"rateLimitType\":\"ORDERS\""));
	/* NEW first, then TRADE reports summing to executedQty; the last one's X is final */
	assert_true(next_report(w, buf, BIG, 5000) > 0);
	str_field(buf, "x", v, sizeof(v));
	assert_string_equal(v, "NEW");
	assert_int_equal(vc_num(buf, "i"), oid);
	while (filled + 1e-12 < atof(exq)) {
		assert_true(next_report(w, buf, BIG, 5000) > 0);
		str_field(buf, "x", v, sizeof(v));
		assert_string_equal(v, "TRADE");
		str_field(buf, "l", v, sizeof(v));
		filled += atof(v);
		snprintf(tid, sizeof(tid), "\"tradeId\":%llu", vc_num(buf, "t"));
		ntrades++;
		/* the venue's account dump knows this trade id for this order */
		ctl("account edkey");
		assert_non_null(strstr(reply, tid));
	}
	str_field(buf, "X", v, sizeof(v));
	if (atof(exq) < 0.001 - 1e-12) {
		assert_true(next_report(w, buf, BIG, 5000) > 0);
		str_field(buf, "X", v, sizeof(v));
		assert_string_equal(v, "EXPIRED");
	} else {
		assert_string_equal(v, "FILLED");
	}
	assert_true(ntrades >= 1);
	/* the venue's position for the account is what the reports add up to */
	ctl("account edkey");
	snprintf(v, sizeof(v), "\"positions\":{\"0\":{\"BTCUSDT\":\"%s\"", exq);
	assert_non_null(strstr(reply, v));
	ctl("orders edkey");
	assert_non_null(strstr(reply, "\"clientOrderId\":\"e2e-ioc-1\""));
	snprintf(v, sizeof(v), "\"executedQty\":\"%s\"", exq);
	assert_non_null(strstr(reply, v));
	vc_ws_close(w);
}

/* Taking a whole synthetic level shows on the market-data side: a @trade frame with the
 * execution's trade id, a bookTicker without that level, a depth diff removing it. */
static void test_taking_synthetic_liquidity_is_published_on_market_data(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct vc_ws *md;
	char px[40], q[40], v[128], want[160];
	struct kv kv[6] = {{"symbol", "BTCUSDT"},  {"side", "BUY"}, {"type", "LIMIT"},
			   {"timeInForce", "IOC"}, {"price", ""},   {"quantity", "0.00100000"}};
	unsigned long long tid = 0;
	bool trade = false, ticker = false, diff = false;

	(void)state;
	assert_int_equal(vc_ws_open(&md, &venue,
				    "/stream?streams=btcusdt@trade/btcusdt@bookTicker/"
				    "btcusdt@depth@100ms"),
			 0);
	best_ask("BTCUSDT", px, q);
	snprintf(kv[4].v, sizeof(kv[4].v), "%s", px);
	if (atof(q) > 0.001)
		snprintf(kv[5].v, sizeof(kv[5].v), "%s", q);
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	tid = vc_num(strstr(buf, "\"fills\""), "tradeId");
	assert_true(tid > 0);
	ctl("flush");
	snprintf(want, sizeof(want), "[\"%s\",\"0.00000000\"]", px);
	for (int i = 0; i < 400 && !(trade && ticker && diff); i++) {
		assert_true(vc_ws_next(md, buf, BIG, 5000) > 0);
		if (strstr(buf, "\"stream\":\"btcusdt@trade\"") && vc_num(buf, "t") == tid) {
			str_field(buf, "p", v, sizeof(v));
			assert_string_equal(v, px);
			str_field(buf, "q", v, sizeof(v));
			assert_string_equal(v, q);
			assert_non_null(strstr(buf, "\"m\":false"));
			trade = true;
		} else if (trade && strstr(buf, "\"stream\":\"btcusdt@bookTicker\"")) {
			str_field(buf, "a", v, sizeof(v));
			assert_true(atof(v) > atof(px));
			ticker = true;
		} else if (strstr(buf, "depthUpdate") && strstr(buf, want)) {
			diff = true;
		}
	}
	assert_true(trade && ticker && diff);
	best_ask("BTCUSDT", v, q);
	assert_true(atof(v) > atof(px));
	vc_ws_close(md);
	vc_ws_close(w);
}

/* Wire-to-wire: an order.place whose strategyId names a bookTicker update the venue wrote is
 * paired with it (control command w2w); an unknown one is counted unmatched; a strategyId that
 * is not a number is refused -1100 like the venue's other malformed params. The order's
 * executionReports echo it as "j", as Binance's do. */
static void test_strategy_id_pairs_the_order_with_the_tick_it_names(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct vc_ws *md;
	char px[40], q[40];
	struct kv kv[7] = {{"symbol", "BTCUSDT"},  {"side", "BUY"}, {"type", "LIMIT"},
			   {"timeInForce", "IOC"}, {"price", ""},   {"quantity", "0.00100000"},
			   {"strategyId", ""}};
	unsigned long long u = 0, n0, m0;
	long long p;

	(void)state;
	assert_int_equal(vc_ws_open(&md, &venue, "/ws/btcusdt@bookTicker"), 0);
	ctl("resume");
	for (int i = 0; i < 50 && !u; i++)
		if (vc_ws_next(md, buf, BIG, 5000) > 0)
			u = vc_num(buf, "u");
	ctl("pause");
	assert_true(u > 0);
	ctl("w2w");
	n0 = vc_num(reply, "count");
	m0 = vc_num(reply, "unmatched");
	/* one tick under the best ask, IOC: expires, trades nothing */
	best_ask("BTCUSDT", px, q);
	p = llround(atof(px) * 100) - 1;
	snprintf(kv[4].v, sizeof(kv[4].v), "%lld.%02lld", p / 100, p % 100);
	snprintf(kv[6].v, sizeof(kv[6].v), "%llu", u);
	assert_int_equal(
	    response(w, send_req(w, "userDataStream.subscribe", NULL, 0, NULL), buf, BIG), 200);
	assert_int_equal(response(w, send_req(w, "order.place", kv, 7, NULL), buf, BIG), 200);
	ctl("w2w");
	assert_int_equal(vc_num(reply, "count"), n0 + 1);
	assert_int_equal(vc_num(reply, "unmatched"), m0);
	assert_true(next_report(w, buf, BIG, 5000) > 0);
	assert_int_equal(vc_num(buf, "j"), u);
	assert_true(vc_num(reply, "max_ns") > 0);
	snprintf(kv[6].v, sizeof(kv[6].v), "%llu", u + 1000000000ull); /* never written */
	assert_int_equal(response(w, send_req(w, "order.place", kv, 7, NULL), buf, BIG), 200);
	ctl("w2w");
	assert_int_equal(vc_num(reply, "count"), n0 + 1);
	assert_int_equal(vc_num(reply, "unmatched"), m0 + 1);
	snprintf(kv[6].v, sizeof(kv[6].v), "12x");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 7, NULL), buf, BIG), 400);
	assert_non_null(strstr(buf, "\"code\":-1100"));
	assert_non_null(strstr(buf, "strategyId"));
	vc_ws_close(md);
	vc_ws_close(w);
}

/* A resting bid one tick under the best ask: once the random walk runs again, a synthetic
 * seller trading at or through it (or an ask moving onto it) fills it as maker. */
static void test_resting_bid_is_filled_by_the_moving_market(void **state)
{
	struct vc_ws *w = open_logged_on();
	char px[40], q[40], v[64];
	struct kv kv[7] = {{"symbol", "BTCUSDT"},
			   {"side", "BUY"},
			   {"type", "LIMIT"},
			   {"timeInForce", "GTC"},
			   {"price", ""},
			   {"quantity", "0.00100000"},
			   {"newClientOrderId", "e2e-maker"}};
	long long p;
	bool filled = false;

	(void)state;
	assert_int_equal(
	    response(w, send_req(w, "userDataStream.subscribe", NULL, 0, NULL), buf, BIG), 200);
	best_ask("BTCUSDT", px, q);
	p = llround(atof(px) * 100) - 1;
	snprintf(kv[4].v, sizeof(kv[4].v), "%lld.%02lld", p / 100, p % 100);
	assert_int_equal(response(w, send_req(w, "order.place", kv, 7, NULL), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"status\":\"NEW\""));
	ctl("resume");
	for (int i = 0; i < 100 && !filled; i++) {
		if (next_report(w, buf, BIG, 1000) <= 0)
			continue;
		str_field(buf, "c", v, sizeof(v));
		if (strcmp(v, "e2e-maker") != 0 || !strstr(buf, "\"x\":\"TRADE\""))
			continue;
		assert_non_null(strstr(buf, "\"m\":true"));
		str_field(buf, "L", v, sizeof(v));
		assert_true(llround(atof(v) * 100) == p); /* at the client's own price */
		filled = true;
	}
	ctl("pause");
	assert_true(filled);
	vc_ws_close(w);
}

/* A sweep of many synthetic levels: the response comes first, then NEW and one TRADE per
 * fill in execution order (I increasing), then EXPIRED for the rest. */
static void test_sweep_response_first_then_every_report_in_order(void **state)
{
	struct vc_ws *w = open_logged_on();
	char px[40], q[40], v[64];
	struct kv kv[6] = {{"symbol", "ETHUSDT"},  {"side", "BUY"}, {"type", "LIMIT"},
			   {"timeInForce", "IOC"}, {"price", ""},   {"quantity", "900.0000"}};
	int id, nfills = 0, ntrades = 0;
	unsigned long long last_i = 0;
	const char *p;
	int expired;

	(void)state;
	assert_int_equal(
	    response(w, send_req(w, "userDataStream.subscribe", NULL, 0, NULL), buf, BIG), 200);
	best_ask("ETHUSDT", px, q);
	snprintf(kv[4].v, sizeof(kv[4].v), "%.2f", atof(px) + 10.0); /* 1000 ticks up */
	id = send_req(w, "order.place", kv, 6, NULL);
	assert_true(vc_ws_next(w, buf, BIG, 10000) > 0);
	snprintf(v, sizeof(v), "{\"id\":%d,\"status\":200", id);
	assert_memory_equal(buf, v, strlen(v));
	for (p = strstr(buf, "\"tradeId\""); p; p = strstr(p + 1, "\"tradeId\""))
		nfills++;
	assert_true(nfills > 64); /* more than one batch of anything fixed-size */
	expired = strstr(buf, "\"status\":\"EXPIRED\"") != NULL;
	if (!expired)
		assert_non_null(strstr(buf, "\"status\":\"FILLED\""));
	for (int k = 0; k < nfills + 1 + expired; k++) {
		assert_true(vc_ws_next(w, buf, BIG, 10000) > 0);
		assert_non_null(strstr(buf, "\"executionReport\""));
		assert_true(vc_num(buf, "I") > last_i);
		last_i = vc_num(buf, "I");
		str_field(buf, "x", v, sizeof(v));
		if (k == 0)
			assert_string_equal(v, "NEW");
		else if (k <= nfills)
			assert_string_equal(v, "TRADE"), ntrades++;
		else
			assert_string_equal(v, "EXPIRED");
	}
	assert_int_equal(ntrades, nfills);
	vc_ws_close(w);
}

static void test_hmac_signed_request_accepted_and_bad_one_rejected(void **state)
{
	struct vc_ws *w;
	struct kv kv[4];
	char sig[200];

	(void)state;
	assert_int_equal(vc_ws_open(&w, &venue, "/ws-api/v3"), 0);
	kv[0] = (struct kv){"apiKey", "hmackey"};
	kv[1] = (struct kv){"symbol", "BTCUSDT"};
	ts_now(&kv[2]);
	sign(kv, 3, true, sig);
	assert_int_equal(response(w, send_req(w, "openOrders.status", kv, 3, sig), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"result\":["));
	sig[0] = sig[0] == '0' ? '1' : '0';
	assert_int_equal(response(w, send_req(w, "openOrders.status", kv, 3, sig), buf, BIG), 400);
	assert_non_null(strstr(buf, "\"code\":-1022"));
	/* HMAC keys cannot log on (Ed25519 only) */
	sign(kv, 3, true, sig);
	kv[1] = kv[2];
	sign(kv, 2, true, sig);
	assert_int_equal(response(w, send_req(w, "session.logon", kv, 2, sig), buf, BIG), 400);
	vc_ws_close(w);
}

static void test_resting_order_status_cancel_and_cancel_all(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct kv kv[6] = {{"symbol", "ETHUSDT"},  {"side", "BUY"},	{"type", "LIMIT"},
			   {"timeInForce", "GTC"}, {"price", "100.00"}, {"quantity", "0.5000"}};
	struct kv st[2] = {{"symbol", "ETHUSDT"}, {"orderId", ""}};
	unsigned long long oid;

	(void)state;
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"status\":\"NEW\""));
	oid = vc_num(buf, "orderId");
	snprintf(st[1].v, sizeof(st[1].v), "%llu", oid);
	assert_int_equal(response(w, send_req(w, "order.status", st, 2, NULL), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"isWorking\":true"));
	assert_non_null(strstr(buf, "\"price\":\"100.00000000\""));
	assert_int_equal(response(w, send_req(w, "order.cancel", st, 2, NULL), buf, BIG), 200);
	assert_non_null(strstr(buf, "\"status\":\"CANCELED\""));
	assert_int_equal(response(w, send_req(w, "order.cancel", st, 2, NULL), buf, BIG), 400);
	assert_non_null(strstr(buf, "\"code\":-2011"));
	/* two resting, cancelAll returns both cancel reports */
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	assert_int_equal(response(w, send_req(w, "openOrders.status", st, 1, NULL), buf, BIG), 200);
	assert_non_null(strstr(strstr(buf, "\"orderId\":") + 1, "\"orderId\":"));
	assert_int_equal(response(w, send_req(w, "openOrders.cancelAll", st, 1, NULL), buf, BIG),
			 200);
	assert_non_null(strstr(strstr(buf, "\"CANCELED\"") + 1, "\"CANCELED\""));
	assert_int_equal(response(w, send_req(w, "openOrders.cancelAll", st, 1, NULL), buf, BIG),
			 400);
	/* cancelReplace: the venue's parameter names, both halves reported */
	{
		struct kv cr[9];
		unsigned long long old_id, new_id;

		memcpy(cr, kv, sizeof(kv));
		cr[6] = (struct kv){"newClientOrderId", "e2e-cr-1"};
		assert_int_equal(response(w, send_req(w, "order.place", cr, 7, NULL), buf, BIG),
				 200);
		old_id = vc_num(buf, "orderId");
		snprintf(cr[4].v, sizeof(cr[4].v), "101.00");
		cr[6] = (struct kv){"newClientOrderId", "e2e-cr-2"};
		cr[7] = (struct kv){"cancelOrigClientOrderId", "e2e-cr-1"};
		cr[8] = (struct kv){"cancelReplaceMode", "STOP_ON_FAILURE"};
		assert_int_equal(
		    response(w, send_req(w, "order.cancelReplace", cr, 9, NULL), buf, BIG), 200);
		assert_non_null(strstr(buf, "\"cancelResult\":\"SUCCESS\""));
		assert_non_null(strstr(buf, "\"newOrderResult\":\"SUCCESS\""));
		assert_non_null(strstr(buf, "\"origClientOrderId\":\"e2e-cr-1\""));
		new_id = vc_num(strstr(buf, "\"newOrderResponse\""), "orderId");
		assert_true(new_id > old_id);
		/* the replaced order is gone: a second replace of it fails as a whole */
		cr[6] = (struct kv){"newClientOrderId", "e2e-cr-3"};
		assert_int_equal(
		    response(w, send_req(w, "order.cancelReplace", cr, 9, NULL), buf, BIG), 400);
		assert_non_null(strstr(buf, "\"code\":-2022"));
		assert_non_null(strstr(buf, "\"newOrderResult\":\"NOT_ATTEMPTED\""));
		st[1].k = "orderId";
		snprintf(st[1].v, sizeof(st[1].v), "%llu", new_id);
		assert_int_equal(response(w, send_req(w, "order.cancel", st, 2, NULL), buf, BIG),
				 200);
	}
	/* after logon a timestamp is still mandatory; a hostile clientOrderId is refused */
	auto_ts = false;
	assert_int_equal(response(w, send_req(w, "openOrders.status", st, 1, NULL), buf, BIG), 400);
	assert_non_null(strstr(buf, "parameter 'timestamp'"));
	auto_ts = true;
	{
		struct kv bad[7];

		memcpy(bad, kv, sizeof(kv));
		bad[6] = (struct kv){"newClientOrderId", "a\\\"b"};
		assert_int_equal(response(w, send_req(w, "order.place", bad, 7, NULL), buf, BIG),
				 400);
		assert_non_null(strstr(buf, "\"code\":-1100"));
	}
	/* a filter failure: price off the tick */
	snprintf(kv[4].v, sizeof(kv[4].v), "100.001");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 400);
	assert_non_null(strstr(buf, "Filter failure: PRICE_FILTER"));
	vc_ws_close(w);
}

static void test_disconnect_cancels_the_sessions_orders(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct kv kv[7] = {
	    {"symbol", "ETHUSDT"},	    {"side", "SELL"},	   {"type", "LIMIT"},
	    {"timeInForce", "GTC"},	    {"price", "90000.00"}, {"quantity", "0.0100"},
	    {"newClientOrderId", "e2e-cod"}};

	(void)state;
	assert_int_equal(response(w, send_req(w, "order.place", kv, 7, NULL), buf, BIG), 200);
	vc_ws_close(w);
	for (int i = 0; i < 50; i++) {
		char *p;

		ctl("orders edkey");
		p = strstr(reply, "\"clientOrderId\":\"e2e-cod\"");
		assert_non_null(p);
		if (strstr(p, "\"status\":\"CANCELED\""))
			return;
		usleep(100000);
	}
	fail_msg("order not canceled after disconnect: %s", reply);
}

static void test_faults_reject_unknown_drop_dup(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct kv kv[6] = {{"symbol", "ETHUSDT"},  {"side", "BUY"},	{"type", "LIMIT"},
			   {"timeInForce", "GTC"}, {"price", "100.00"}, {"quantity", "0.5000"}};
	char x1[64], x2[64];
	int n;

	(void)state;
	assert_int_equal(
	    response(w, send_req(w, "userDataStream.subscribe", NULL, 0, NULL), buf, BIG), 200);
	ctl("oe unknown 1");
	{
		struct kv k7[7];

		memcpy(k7, kv, sizeof(kv));
		k7[6] = (struct kv){"newClientOrderId", "e2e-unknown"};
		assert_int_equal(response(w, send_req(w, "order.place", k7, 7, NULL), buf, BIG),
				 503);
		assert_non_null(strstr(buf, "\"code\":-1007"));
		/* it was executed: a blind retry with the same clientOrderId is a duplicate, and
		 * order.status finds it */
		assert_int_equal(response(w, send_req(w, "order.place", k7, 7, NULL), buf, BIG),
				 400);
		assert_non_null(strstr(buf, "Duplicate order sent."));
		k7[1] = (struct kv){"origClientOrderId", "e2e-unknown"};
		assert_int_equal(response(w, send_req(w, "order.status", k7, 2, NULL), buf, BIG),
				 200);
		assert_non_null(strstr(buf, "\"status\":\"NEW\""));
	}
	ctl("oe dup 1");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	/* the first report (NEW of the 503 order) was not duplicated; find the dup pair */
	n = 0;
	x1[0] = 0;
	while (next_report(w, buf, BIG, 1000) > 0) {
		str_field(buf, "c", x2, sizeof(x2));
		snprintf(x2 + strlen(x2), sizeof(x2) - strlen(x2), "/%llu", vc_num(buf, "I"));
		if (!strcmp(x1, x2))
			n++;
		snprintf(x1, sizeof(x1), "%s", x2);
	}
	assert_int_equal(n, 1);
	/* held responses still arrive, in order, with their reports after them */
	ctl("oe delay 300");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 200);
	assert_true(next_report(w, buf, BIG, 5000) > 0);
	ctl("oe delay 0");
	ctl("oe reject 1");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), 400);
	assert_non_null(strstr(buf, "\"code\":-2010"));
	ctl("oe reject 0");
	ctl("oe drop 1");
	assert_int_equal(response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG), -1);
	vc_ws_close(w);
	ctl("oe stats");
	assert_non_null(strstr(reply, "\"requests\":"));
}

/* --api-keys FILE: keys from the file work (Ed25519 logon, HMAC request); a missing or
 * malformed file stops the venue at start. */
static void test_api_keys_file_registers_keys_bad_file_refused(void **state)
{
	char dir[64], pem[128], keys[128];
	struct vc_proc v2;
	struct vc_ws *w;
	FILE *f;
	const char *args[] = {"--symbols", "BTCUSDT", "--api-keys", keys, NULL};
	struct kv kv[3];
	char sig[200];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tt-venueoe-keys-%d-XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(dir));
	snprintf(pem, sizeof(pem), "%s/ed.pem", dir);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	f = fopen(pem, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, ed_key), 1);
	fclose(f);
	f = fopen(keys, "w");
	assert_non_null(f);
	fprintf(f, "# test keys\nedkey ed25519 %s\nhmackey hmac %s\n", pem, hmac_secret);
	fclose(f);
	assert_int_equal(vc_start(&v2, args), 0);
	assert_int_equal(vc_ws_open(&w, &v2, "/ws-api/v3"), 0);
	assert_int_equal(logon(w, 0, false, buf), 200);
	kv[0] = (struct kv){"apiKey", "hmackey"};
	kv[1] = (struct kv){"symbol", "BTCUSDT"};
	ts_now(&kv[2]);
	sign(kv, 3, true, sig);
	assert_int_equal(response(w, send_req(w, "openOrders.status", kv, 3, sig), buf, BIG), 200);
	vc_ws_close(w);
	assert_int_equal(vc_stop(&v2), 0);
	/* malformed line: configuration error, exit 2 */
	f = fopen(keys, "w");
	assert_non_null(f);
	fprintf(f, "edkey ed25519\n");
	fclose(f);
	assert_int_equal(vc_run_status(args), 2);
	/* missing file */
	unlink(keys);
	assert_true(vc_run_status(args) != 0);
	unlink(pem);
	rmdir(dir);
}

/* The orders dump is not limited by the control socket's 1 MiB buffer. */
static void test_orders_dump_larger_than_a_mebibyte(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct kv kv[6] = {{"symbol", "ETHUSDT"},  {"side", "BUY"},	{"type", "LIMIT"},
			   {"timeInForce", "GTC"}, {"price", "100.00"}, {"quantity", "0.0500"}};
	enum { N = 5000 };
	size_t cap = 16u << 20;
	char *big = malloc(cap);
	int first = 0, n, count = 0;

	(void)state;
	assert_non_null(big);
	ctl("oe limits 100000 100000");
	for (int i = 0; i < N; i++) {
		int id = send_req(w, "order.place", kv, 6, NULL);

		if (!first)
			first = id;
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(response(w, first + i, buf, BIG), 200);
	n = vc_ctl(&venue, "orders edkey", big, cap);
	assert_true(n > (1 << 20));
	assert_memory_equal(big + n - 2, "]}", 2);
	for (const char *p = strstr(big, "\"orderId\""); p; p = strstr(p + 1, "\"orderId\""))
		count++;
	assert_true(count >= N);
	ctl("oe limits 6000 100");
	free(big);
	vc_ws_close(w);
}

static void test_rate_limits_return_the_venues_errors(void **state)
{
	struct vc_ws *w = open_logged_on();
	struct kv kv[6] = {{"symbol", "ETHUSDT"},  {"side", "BUY"},	{"type", "LIMIT"},
			   {"timeInForce", "GTC"}, {"price", "100.00"}, {"quantity", "0.5000"}};
	bool orders_hit = false;
	bool weight_hit = false;

	(void)state;
	ctl("oe limits 6000 3");
	for (int i = 0; i < 12 && !orders_hit; i++) {
		int st = response(w, send_req(w, "order.place", kv, 6, NULL), buf, BIG);

		orders_hit = st == 429 && strstr(buf, "\"code\":-1015");
	}
	assert_true(orders_hit);
	ctl("oe limits 30 100");
	for (int i = 0; i < 80 && !weight_hit; i++) {
		int st = response(w, send_req(w, "ping", NULL, 0, NULL), buf, BIG);

		weight_hit = st == 429 && strstr(buf, "\"code\":-1003");
	}
	assert_true(weight_hit);
	ctl("oe limits 6000 100");
	vc_ws_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_logon_accepts_good_rejects_tampered_and_stale),
	    cmocka_unit_test(test_marketable_ioc_acks_reports_and_account_agree),
	    cmocka_unit_test(test_taking_synthetic_liquidity_is_published_on_market_data),
	    cmocka_unit_test(test_strategy_id_pairs_the_order_with_the_tick_it_names),
	    cmocka_unit_test(test_resting_bid_is_filled_by_the_moving_market),
	    cmocka_unit_test(test_sweep_response_first_then_every_report_in_order),
	    cmocka_unit_test(test_hmac_signed_request_accepted_and_bad_one_rejected),
	    cmocka_unit_test(test_resting_order_status_cancel_and_cancel_all),
	    cmocka_unit_test(test_disconnect_cancels_the_sessions_orders),
	    cmocka_unit_test(test_faults_reject_unknown_drop_dup),
	    cmocka_unit_test(test_api_keys_file_registers_keys_bad_file_refused),
	    cmocka_unit_test(test_orders_dump_larger_than_a_mebibyte),
	    cmocka_unit_test(test_rate_limits_return_the_venues_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
