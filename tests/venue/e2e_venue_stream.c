/*
 * e2e_venue_stream.c — the real tt-venue process on an ephemeral loopback port with a
 * generated certificate, read by a libwebsockets client (venue_client.c) and an OpenSSL
 * HTTPS client: combined-stream framing, U/u continuity, the Binance snapshot+diff sync
 * rebuilding exactly the book the control socket reports, a gap fault injected over the
 * control socket seen as a U > previous u + 1 jump, SUBSCRIBE answers, the 5 msgs/s limit,
 * loopback-only binding, the replay source and the capture file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "venue_client.h"

#define FRAME_CAP (1 << 20)

static struct vc_proc venue;
static char *frame;
static char *big;

/* ---- a local book keyed by the price strings, as a client would keep it ------------------ */

struct lvl {
	char px[32];
	char q[32];
};

struct side {
	struct lvl l[8192];
	int n;
};

struct lbook {
	struct side s[2];
	unsigned long long id;
};

static bool is_zero(const char *q)
{
	for (; *q; q++)
		if (*q != '0' && *q != '.')
			return false;
	return true;
}

static void lb_set(struct side *sd, const char *px, const char *q)
{
	for (int i = 0; i < sd->n; i++) {
		if (strcmp(sd->l[i].px, px) == 0) {
			if (is_zero(q))
				sd->l[i] = sd->l[--sd->n];
			else
				snprintf(sd->l[i].q, sizeof(sd->l[i].q), "%s", q);
			return;
		}
	}
	if (!is_zero(q) && sd->n < 8192) {
		snprintf(sd->l[sd->n].px, sizeof(sd->l[0].px), "%s", px);
		snprintf(sd->l[sd->n].q, sizeof(sd->l[0].q), "%s", q);
		sd->n++;
	}
}

/* Calls lb_set for each ["p","q"] pair of the array after "key":. Returns pairs seen. */
static int each_level(const char *json, const char *key, struct side *sd)
{
	char k[16];
	const char *p;
	int n = 0;

	snprintf(k, sizeof(k), "\"%s\":[", key);
	p = strstr(json, k);
	assert_non_null(p);
	p += strlen(k);
	while (*p == '[') {
		char px[32];
		char q[32];
		int used = 0;

		assert_int_equal(sscanf(p, "[\"%31[0-9.]\",\"%31[0-9.]\"]%n", px, q, &used), 2);
		assert_true(used > 0);
		lb_set(sd, px, q);
		n++;
		p += used;
		if (*p == ',')
			p++;
	}
	assert_int_equal(*p, ']');
	return n;
}

static void lb_from(struct lbook *b, const char *json)
{
	memset(b, 0, sizeof(*b));
	b->id = vc_num(json, "lastUpdateId");
	each_level(json, "bids", &b->s[0]);
	each_level(json, "asks", &b->s[1]);
}

static bool lb_equal(const struct lbook *a, const struct lbook *b)
{
	for (int s = 0; s < 2; s++) {
		if (a->s[s].n != b->s[s].n)
			return false;
		for (int i = 0; i < a->s[s].n; i++) {
			bool found = false;

			for (int j = 0; j < b->s[s].n && !found; j++)
				found = !strcmp(a->s[s].l[i].px, b->s[s].l[j].px) &&
					!strcmp(a->s[s].l[i].q, b->s[s].l[j].q);
			if (!found)
				return false;
		}
	}
	return true;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* For a combined frame, returns the data object and puts the stream name in name. */
static const char *unwrap(const char *f, char *name, size_t cap)
{
	const char *e;

	assert_memory_equal(f, "{\"stream\":\"", 11);
	e = strchr(f + 11, '"');
	assert_non_null(e);
	assert_true((size_t)(e - f - 11) < cap);
	memcpy(name, f + 11, (size_t)(e - f - 11));
	name[e - f - 11] = 0;
	assert_memory_equal(e, "\",\"data\":{", 10);
	assert_int_equal(f[strlen(f) - 1], '}');
	return e + 9;
}

static int group_setup(void **state)
{
	static const char *const args[] = {
	    "--symbols", "BTCUSDT,ETHUSDT", "--seed", "5", "--rate", "2000", NULL};

	frame = malloc(FRAME_CAP);
	big = malloc(FRAME_CAP);
	if (!frame || !big)
		return -1;
	return vc_start(&venue, args);
}

static int group_teardown(void **state)
{
	int st = vc_stop(&venue);

	free(frame);
	free(big);
	return st == 0 ? 0 : -1;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_snapshot_plus_diffs_rebuild_the_venue_book_exactly(void **state)
{
	struct vc_ws *w;
	struct lbook *local = calloc(1, sizeof(*local));
	struct lbook *truth = calloc(1, sizeof(*truth));
	unsigned long long prev_u = 0;
	unsigned long long prev_bt = 0;
	unsigned long long first_U = 0;
	int diffs = 0;
	int tickers = 0;
	int trades = 0;
	bool synced = false;
	char name[64];
	int st;

	assert_int_equal(vc_ws_open(&w, &venue,
				    "/stream?streams=btcusdt@bookTicker/btcusdt@depth@100ms/"
				    "btcusdt@trade"),
			 0);
	/* 1. Buffer-free variant of the documented procedure: read diffs until one arrived,
	 *    fetch the snapshot, then apply diffs with u > lastUpdateId. */
	while (diffs < 1) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		const char *d = unwrap(frame, name, sizeof(name));

		if (!strcmp(name, "btcusdt@depth@100ms")) {
			diffs++;
			first_U = vc_num(d, "U");
			prev_u = vc_num(d, "u");
		}
	}
	st = vc_https_get(&venue, "/api/v3/depth?symbol=BTCUSDT&limit=5000", big, FRAME_CAP);
	assert_int_equal(st, 200);
	assert_memory_equal(big, "{\"lastUpdateId\":", 16);
	lb_from(local, big);
	assert_true(local->id >= first_U);
	assert_true(local->s[0].n >= 18 && local->s[1].n >= 18);

	/* 2. Stream for a while: continuity of U/u, tickers, trades. */
	while (diffs < 15) {
		int n = vc_ws_next(w, frame, FRAME_CAP, 10000);
		const char *d;

		assert_true(n > 0);
		d = unwrap(frame, name, sizeof(name));
		if (!strcmp(name, "btcusdt@depth@100ms")) {
			unsigned long long U = vc_num(d, "U");
			unsigned long long u = vc_num(d, "u");

			assert_memory_equal(d, "{\"e\":\"depthUpdate\",\"E\":", 23);
			assert_non_null(strstr(d, "\"s\":\"BTCUSDT\""));
			assert_int_equal(U, prev_u + 1);
			assert_true(u >= U);
			prev_u = u;
			diffs++;
			if (u <= local->id)
				continue;
			if (!synced) {
				assert_true(U <= local->id + 1);
				synced = true;
			}
			each_level(d, "b", &local->s[0]);
			each_level(d, "a", &local->s[1]);
			local->id = u;
		} else if (!strcmp(name, "btcusdt@bookTicker")) {
			unsigned long long u = vc_num(d, "u");
			char b[32];
			char a[32];

			assert_memory_equal(d, "{\"u\":", 5);
			assert_true(u > prev_bt);
			prev_bt = u;
			assert_int_equal(sscanf(strstr(d, "\"b\":"), "\"b\":\"%31[0-9.]\"", b), 1);
			assert_int_equal(sscanf(strstr(d, "\"a\":"), "\"a\":\"%31[0-9.]\"", a), 1);
			assert_true(strtod(b, NULL) < strtod(a, NULL));
			tickers++;
		} else {
			assert_string_equal(name, "btcusdt@trade");
			assert_memory_equal(d, "{\"e\":\"trade\",\"E\":", 17);
			trades++;
		}
	}
	assert_true(synced);
	assert_true(tickers > 0);
	assert_true(trades > 0);

	/* 3. Pause the walk (flushes the open window), read up to the venue's last id, and
	 *    compare with `book` from the control socket and a fresh snapshot. */
	assert_true(vc_ctl(&venue, "pause", big, FRAME_CAP) > 0);
	assert_string_equal(big, "{\"ok\":true}");
	assert_true(vc_ctl(&venue, "book BTCUSDT", big, FRAME_CAP) > 0);
	lb_from(truth, big);
	assert_memory_equal(big, "{\"symbol\":\"BTCUSDT\",\"lastUpdateId\":", 34);
	while (local->id < truth->id) {
		const char *d;

		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		d = unwrap(frame, name, sizeof(name));
		if (strcmp(name, "btcusdt@depth@100ms") != 0)
			continue;
		assert_int_equal(vc_num(d, "U"), prev_u + 1);
		prev_u = vc_num(d, "u");
		each_level(d, "b", &local->s[0]);
		each_level(d, "a", &local->s[1]);
		local->id = prev_u;
	}
	assert_int_equal(local->id, truth->id);
	assert_true(lb_equal(local, truth));
	/* The REST snapshot of the paused book is the same book, byte for byte. */
	assert_int_equal(
	    vc_https_get(&venue, "/api/v3/depth?symbol=BTCUSDT&limit=5000", frame, FRAME_CAP), 200);
	assert_int_equal(frame[0], '{');
	assert_string_equal(frame + 1, big + strlen("{\"symbol\":\"BTCUSDT\","));
	assert_int_equal(vc_ctl(&venue, "resume", big, FRAME_CAP) > 0, 1);
	vc_ws_close(w);
	free(local);
	free(truth);
}

static void test_gap_fault_from_control_socket_shows_as_update_id_jump(void **state)
{
	struct vc_ws *w;
	unsigned long long prev_u = 0;
	int seen = 0;
	bool jumped = false;
	char name[64];

	assert_int_equal(vc_ws_open(&w, &venue, "/stream?streams=ethusdt@depth@100ms"), 0);
	while (seen < 3) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		const char *d = unwrap(frame, name, sizeof(name));

		if (prev_u)
			assert_int_equal(vc_num(d, "U"), prev_u + 1);
		prev_u = vc_num(d, "u");
		seen++;
	}
	assert_true(vc_ctl(&venue, "gap ETHUSDT fast", big, FRAME_CAP) > 0);
	assert_string_equal(big, "{\"ok\":true}");
	for (int i = 0; i < 40 && !jumped; i++) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		const char *d = unwrap(frame, name, sizeof(name));
		unsigned long long U = vc_num(d, "U");

		assert_true(U >= prev_u + 1);
		jumped = U > prev_u + 1;
		prev_u = vc_num(d, "u");
	}
	assert_true(jumped);
	vc_ws_close(w);
}

static void test_raw_stream_subscribe_is_answered_and_adds_the_stream(void **state)
{
	struct vc_ws *w;
	bool answered = false;
	bool trade = false;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/btcusdt@bookTicker"), 0);
	assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
	assert_memory_equal(frame, "{\"u\":", 5); /* raw: no wrapper */
	assert_int_equal(vc_ws_send(w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],"
				       "\"id\":7}"),
			 0);
	for (int i = 0; i < 5000 && !(answered && trade); i++) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		if (!strcmp(frame, "{\"result\":null,\"id\":7}"))
			answered = true;
		else if (!strncmp(frame, "{\"e\":\"trade\"", 12))
			trade = answered; /* trades only after the answer */
	}
	assert_true(answered);
	assert_true(trade);
	assert_int_equal(vc_ws_send(w, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":8}"), 0);
	for (int i = 0; i < 5000; i++) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		if (strstr(frame, "\"id\":8"))
			break;
	}
	assert_string_equal(frame,
			    "{\"result\":[\"btcusdt@bookTicker\",\"btcusdt@trade\"],\"id\":8}");
	vc_ws_close(w);
}

static void test_more_than_five_incoming_messages_a_second_disconnects(void **state)
{
	struct vc_ws *w;
	int n;

	assert_int_equal(vc_ws_open(&w, &venue, "/ws/ethusdt@trade"), 0);
	for (int i = 0; i < 7; i++)
		if (vc_ws_send(w, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}") < 0)
			break;
	do
		n = vc_ws_next(w, frame, FRAME_CAP, 10000);
	while (n > 0);
	assert_int_equal(n, -1);
	assert_int_equal(vc_ws_close_code(w), 1008);
	vc_ws_close(w);
	assert_true(vc_ctl(&venue, "stats", big, FRAME_CAP) > 0);
	assert_true(vc_num(strstr(big, "\"disconnects\""), "rate_limit") >= 1);
}

static void test_bind_to_a_non_loopback_address_is_refused(void **state)
{
	static const char *const a1[] = {"--bind", "0.0.0.0", NULL};
	static const char *const a2[] = {"--bind", "10.1.2.3", NULL};
	static const char *const a3[] = {"--bind", "localhost.example", NULL};

	assert_int_equal(vc_run_status(a1), 2);
	assert_int_equal(vc_run_status(a2), 2);
	assert_int_equal(vc_run_status(a3), 2);
}

static void test_out_of_range_options_are_refused(void **state)
{
	static const char *const r0[] = {"--rate", "0", NULL};
	static const char *const r1[] = {"--rate", "20000000", NULL};
	static const char *const s1[] = {"--symbols", "NOPEUSDT", NULL};
	static const char *const l1[] = {"--log-mb", "3", NULL};

	assert_int_equal(vc_run_status(r0), 2);
	assert_int_equal(vc_run_status(r1), 2);
	assert_int_equal(vc_run_status(s1), 1);
	assert_int_equal(vc_run_status(l1), 2);
}

static void test_replay_sends_the_file_frames_verbatim(void **state)
{
	char path[256];
	struct vc_proc rp;
	struct vc_ws *w;
	FILE *f;
	static const char *lines[] = {
	    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\","
	    "\"t\":1,\"p\":\"1.00000000\",\"q\":\"2.00000000\",\"T\":1,\"m\":true,\"M\":true}}",
	    "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":9,\"s\":\"BTCUSDT\",\"b\":\"1.0\","
	    "\"B\":\"1.0\",\"a\":\"2.0\",\"A\":\"1.0\"}}",
	    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":2,\"s\":\"BTCUSDT\","
	    "\"t\":2,\"p\":\"1.10000000\",\"q\":\"3.00000000\",\"T\":2,\"m\":false,\"M\":true}}",
	};
	const char *args[] = {"--replay", path, NULL};

	snprintf(path, sizeof(path), "/tmp/tt-venue-replay-%d.jsonl", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# recorded\n0 %s\nnot json\n%s\n300000 %s\n", lines[0], lines[1], lines[2]);
	fclose(f);
	assert_int_equal(vc_start(&rp, args), 0);
	assert_int_equal(vc_ws_open(&w, &rp, "/stream?streams=btcusdt@trade/btcusdt@bookTicker"),
			 0);
	for (int i = 0; i < 3; i++) {
		assert_true(vc_ws_next(w, frame, FRAME_CAP, 10000) > 0);
		assert_string_equal(frame, lines[i]);
	}
	vc_ws_close(w);
	assert_int_equal(vc_stop(&rp), 0);
	unlink(path);
}

static void test_capture_file_records_the_bytes_sent(void **state)
{
	char path[256];
	struct vc_proc cp;
	struct vc_ws *w;
	const char *args[] = {"--capture", path, "--rate", "500", NULL};
	char got[4][2048];
	FILE *f;
	char *all = big;
	size_t n;

	snprintf(path, sizeof(path), "/tmp/tt-venue-capture-%d.txt", (int)getpid());
	assert_int_equal(vc_start(&cp, args), 0);
	assert_int_equal(vc_ws_open(&w, &cp, "/ws/btcusdt@trade"), 0);
	for (int i = 0; i < 4; i++) {
		assert_true(vc_ws_next(w, got[i], sizeof(got[i]), 10000) > 0);
	}
	vc_ws_close(w);
	assert_int_equal(vc_stop(&cp), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(all, 1, FRAME_CAP - 1, f);
	all[n] = 0;
	fclose(f);
	for (int i = 0; i < 4; i++) {
		char rec[2200];

		snprintf(rec, sizeof(rec), " btcusdt@trade %zu\n%s\n", strlen(got[i]), got[i]);
		assert_non_null(strstr(all, rec));
	}
	assert_memory_equal(strstr(all, "\nF "), "\nF ", 3);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapshot_plus_diffs_rebuild_the_venue_book_exactly),
	    cmocka_unit_test(test_gap_fault_from_control_socket_shows_as_update_id_jump),
	    cmocka_unit_test(test_raw_stream_subscribe_is_answered_and_adds_the_stream),
	    cmocka_unit_test(test_more_than_five_incoming_messages_a_second_disconnects),
	    cmocka_unit_test(test_bind_to_a_non_loopback_address_is_refused),
	    cmocka_unit_test(test_out_of_range_options_are_refused),
	    cmocka_unit_test(test_replay_sends_the_file_frames_verbatim),
	    cmocka_unit_test(test_capture_file_records_the_bytes_sent),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
