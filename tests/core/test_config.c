/*
 * test_config.c — tt_config.h: a table of broken files, each written to a temp dir and
 * loaded, must fail with exactly the expected one-line message; config/testnet.ini loads
 * with the values as written; defaults, lookups and URL parts.
 */
#include "tt_config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tt_err.h"

static char dir[] = "/tmp/tt-core-test-config-XXXXXX";

/* lines 1..7 of most cases: a valid [engine] and [venue.binance] */
#define BASE                                                                                       \
	"[engine]\n"                                                                               \
	"instance = t\n"                                                                           \
	"flavor = testnet\n"                                                                       \
	"[venue.binance]\n"                                                                        \
	"ws_url = wss://127.0.0.1:9443/ws\n"                                                       \
	"rest_url = https://127.0.0.1:9443/api\n"                                                  \
	"oe_url = wss://127.0.0.1:9443/ws-api/v3\n"
/* a valid ring, 6 lines */
#define RING(name, shm)                                                                            \
	"[ring." name "]\n"                                                                        \
	"slot_size = 64\n"                                                                         \
	"capacity = 1024\n"                                                                        \
	"mode = lossless\n"                                                                        \
	"wait = futex\n"                                                                           \
	"shm = " shm "\n"
/* a valid instrument but for the last keys, 8 lines */
#define INSTR(sym, id)                                                                             \
	"[instrument." sym "]\n"                                                                   \
	"id = " id "\n"                                                                            \
	"venue = binance\n"                                                                        \
	"price_scale = 2\n"                                                                        \
	"qty_scale = 3\n"                                                                          \
	"tick_size = 0.01\n"                                                                       \
	"step_size = 0.001\n"                                                                      \
	"min_qty = 0.001\n"

struct bad_case {
	const char *name;   /* what is wrong */
	const char *text;   /* the file */
	const char *expect; /* the message, FILE standing for the path */
};

#define LONG40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct bad_case bad[] = {
    {"bad int", BASE "[md]\nbook_depth = 2x\n",
     "FILE:9: md.book_depth: expected an integer in 1..5000, found \"2x\""},
    {"int out of range", BASE "[md]\nbook_depth = 5001\n",
     "FILE:9: md.book_depth: expected an integer in 1..5000, found \"5001\""},
    {"int overflow", BASE INSTR("X", "99999999999999999999") "max_qty = 1\n",
     "FILE:9: instrument.X.id: expected an integer in 0..65535, "
     "found \"99999999999999999999\""},
    {"negative int", BASE "[md]\nbook_depth = -1\n",
     "FILE:9: md.book_depth: expected an integer in 1..5000, found \"-1\""},
    {"not a power of two", BASE "[ring.a]\nslot_size = 100\n",
     "FILE:9: ring.a.slot_size: expected a power of two in 64..65536, found \"100\""},
    {"power of two below range", BASE "[ring.a]\ncapacity = 1\n",
     "FILE:9: ring.a.capacity: expected a power of two in 2..16777216, found \"1\""},
    {"bad enum", BASE "[ring.a]\nmode = lossles\n",
     "FILE:9: ring.a.mode: expected one of lossless|lossy, found \"lossles\""},
    {"enum is case sensitive", BASE "[ring.a]\nwait = Futex\n",
     "FILE:9: ring.a.wait: expected one of spin|spin-yield|futex, found \"Futex\""},
    {"bad bool", BASE "[md]\nbusy_poll = yes\n",
     "FILE:9: md.busy_poll: expected true or false, found \"yes\""},
    {"duration without unit", BASE "[md]\nstale_after = 5\n",
     "FILE:9: md.stale_after: expected a duration like 500ms (unit ns|us|ms|s) in "
     "1ms..3600s, found \"5\""},
    {"duration out of range",
     "[engine]\ninstance = t\nflavor = testnet\n"
     "[venue.binance]\nconnect_timeout = 90s\n",
     "FILE:5: venue.binance.connect_timeout: expected a duration like 500ms (unit "
     "ns|us|ms|s) in 1ms..60s, found \"90s\""},
    {"fractional duration", BASE "[md]\nstale_after = 1.5s\n",
     "FILE:9: md.stale_after: expected a duration like 500ms (unit ns|us|ms|s) in "
     "1ms..3600s, found \"1.5s\""},
    {"bad decimal", BASE INSTR("X", "1") "max_qty = 1.0.0\n",
     "FILE:16: instrument.X.max_qty: expected a positive decimal with at most 3 decimal "
     "places (qty_scale = 3), found \"1.0.0\""},
    {"too many decimals for the scale",
     BASE "[instrument.X]\ntick_size = 0.001\n"
	  "id = 1\nvenue = binance\nprice_scale = 2\nqty_scale = 3\nstep_size = 1\n"
	  "min_qty = 1\nmax_qty = 1\n",
     "FILE:9: instrument.X.tick_size: expected a positive decimal with at most 2 "
     "decimal places (price_scale = 2), found \"0.001\""},
    {"zero where positive needed", BASE INSTR("X", "1") "max_qty = 0.000\n",
     "FILE:16: instrument.X.max_qty: expected a positive decimal with at most 3 decimal "
     "places (qty_scale = 3), found \"0.000\""},
    {"decimal with exponent", BASE INSTR("X", "1") "max_qty = 1e3\n",
     "FILE:16: instrument.X.max_qty: expected a positive decimal with at most 3 decimal "
     "places (qty_scale = 3), found \"1e3\""},
    {"max below min",
     BASE "[instrument.X]\nid = 1\nvenue = binance\nprice_scale = 2\n"
	  "qty_scale = 3\ntick_size = 0.01\nstep_size = 0.001\nmin_qty = 5\nmax_qty = 4.999\n",
     "FILE:16: instrument.X.max_qty: expected a quantity >= min_qty (5), found \"4.999\""},
    {"unknown key", BASE "[md]\ncolour = red\n", "FILE:9: md.colour: unknown key"},
    {"empty unknown section", BASE "[gizmo.mm]\n", "FILE:8: gizmo.mm: unknown section"},
    {"unknown section", BASE "[riskz]\nmax_qty = 1\n", "FILE:8: riskz: unknown section"},
    {"risk limit missing", BASE "[risk]\nmax_open_orders = 10\norders_per_sec = 5\n"
     "order_burst = 5\nmsgs_per_sec = 10\nmsg_burst = 10\ndup_window = 1s\n"
     "max_gross_notional = 0\n",
     "FILE: risk.daily_loss: required key missing"},
    {"risk unknown key", BASE "[risk]\nmax_qty = 1\n", "FILE:9: risk.max_qty: unknown key"},
    {"oe journal sync word", BASE "[oe]\ncredential = c\njournal = j\njournal_sync = sometimes\n",
     "FILE:11: oe.journal_sync: expected one of none|batch|always, found \"sometimes\""},
    {"oe recv_window above the venue's 60s", BASE "[oe]\ncredential = c\njournal = j\n"
     "recv_window = 61s\n",
     "FILE:11: oe.recv_window: expected a duration like 500ms (unit ns|us|ms|s) in 1ms..60s, "
     "found \"61s\""},
    {"oe without journal", BASE "[oe]\ncredential = c\n", "FILE: oe.journal: required key missing"},
    {"duplicate key", BASE "[md]\nbook_depth = 5\nbusy_poll = true\nbook_depth = 6\n",
     "FILE:11: md.book_depth: duplicate key (first at line 9)"},
    {"duplicate section", BASE RING("a", "s1") RING("a", "s2"),
     "FILE:14: ring.a: duplicate section (first at line 8)"},
    {"missing required key", BASE "[ring.a]\nslot_size = 64\ncapacity = 2\nmode = lossy\n",
     "FILE: ring.a.shm: required key missing"},
    {"missing engine section", "[md]\nbook_depth = 5\n",
     "FILE: engine.instance: required key missing"},
    {"missing scale for a decimal",
     BASE "[instrument.X]\nid = 1\nvenue = binance\n"
	  "tick_size = 0.01\n",
     "FILE: instrument.X.price_scale: required key missing"},
    {"empty file", "", "FILE: engine.instance: required key missing"},
    {"bad url scheme",
     "[engine]\ninstance = t\nflavor = testnet\n[venue.binance]\n"
     "ws_url = https://127.0.0.1:9443/ws\n",
     "FILE:5: venue.binance.ws_url: expected a URL like wss://host:port/path (scheme "
     "wss|ws), found \"https://127.0.0.1:9443/ws\""},
    {"url port out of range",
     "[engine]\ninstance = t\nflavor = testnet\n"
     "[venue.binance]\nrest_url = https://127.0.0.1:70000/api\n",
     "FILE:5: venue.binance.rest_url: expected a URL like wss://host:port/path (scheme "
     "https|http), found \"https://127.0.0.1:70000/api\""},
    {"url without host",
     "[engine]\ninstance = t\nflavor = testnet\n[venue.binance]\n"
     "oe_url = wss:///ws\n",
     "FILE:5: venue.binance.oe_url: expected a URL like wss://host:port/path (scheme "
     "wss|ws), found \"wss:///ws\""},
    {"url with userinfo",
     "[engine]\ninstance = t\nflavor = testnet\n[venue.binance]\n"
     "oe_url = wss://u@127.0.0.1/ws\n",
     "FILE:5: venue.binance.oe_url: expected a URL like wss://host:port/path (scheme "
     "wss|ws), found \"wss://u@127.0.0.1/ws\""},
    {"bad core list", BASE "[md]\ncore = 2,,3\n",
     "FILE:9: md.core: expected a CPU list like 2 or 2,3 (ids 0..1023, at most 16, "
     "distinct), found \"2,,3\""},
    {"repeated core", BASE "[md]\ncore = 2,2\n",
     "FILE:9: md.core: expected a CPU list like 2 or 2,3 (ids 0..1023, at most 16, "
     "distinct), found \"2,2\""},
    {"flavor mismatch", "[engine]\ninstance = t\nflavor = prod\n",
     "FILE:3: engine.flavor: expected \"" TT_FLAVOR_NAME "\" (this build's flavor), "
     "found \"prod\""},
    {"overlong name", "[engine]\ninstance = " LONG40 "\n",
     "FILE:2: engine.instance: expected a name of 1..31 bytes of [A-Za-z0-9._-], found \"" LONG40
     "\""},
    {"name with a slash", BASE RING("a", "../x"),
     "FILE:13: ring.a.shm: expected a name of 1..31 bytes of [A-Za-z0-9._-], found "
     "\"../x\""},
    {"empty value", "[engine]\ninstance =\n",
     "FILE:2: engine.instance: expected a name of 1..31 bytes of [A-Za-z0-9._-], found "
     "\"\""},
    {"empty string value", BASE "ca_file =\n",
     "FILE:8: venue.binance.ca_file: expected a string of 1..191 bytes, found \"\""},
    {"key outside any section", "instance = t\n[engine]\n",
     "FILE:1: instance: key outside any section"},
    {"unclosed section header", BASE "[md\nbook_depth = 1\n",
     "FILE:8: syntax error: expected \"[section]\", found \"[md\""},
    {"line without =", BASE "[md]\nbook_depth 5\n",
     "FILE:9: syntax error: expected \"key = value\" or \"[section]\", found \"book_depth "
     "5\""},
    {"line too long", BASE "[md]\n; " LONG40 LONG40 LONG40 LONG40 LONG40 "\n",
     "FILE:9: syntax error: line longer than 198 bytes"},
    {"bad section instance name", BASE "[ring.a/b]\n",
     "FILE:8: ring.a/b: expected a section name ring.NAME with NAME of 1..31 bytes of "
     "[A-Za-z0-9._-], found \"ring.a/b\""},
    {"empty section instance name", BASE "[instrument.]\n",
     "FILE:8: instrument.: expected a section name instrument.NAME with NAME of 1..31 "
     "bytes of [A-Za-z0-9._-], found \"instrument.\""},
    {"duplicate instrument id",
     BASE INSTR("X", "7") "max_qty = 1\n" INSTR("Y", "7") "max_qty = 1\n",
     "FILE:18: instrument.Y.id: expected an id not used by instrument.X, found \"7\""},
    {"shm name reused", BASE RING("a", "s1") RING("b", "s1"),
     "FILE:19: ring.b.shm: expected a shm name not used by ring.a, found \"s1\""},
    {"instrument on a venue without a section",
     "[engine]\ninstance = t\nflavor = testnet\n" INSTR("X", "1") "max_qty = 1\n",
     "FILE:6: instrument.X.venue: expected a venue with a [venue.binance] section, found "
     "\"binance\""},
    {"derived clock name too long",
     "[engine]\ninstance = aaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
     "flavor = testnet\n",
     "FILE: engine.clock_shm: required key missing (\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa-clock\" "
     "would exceed 31 bytes)"},
    {"control bytes quoted safely", BASE "[md]\nbook_depth = 1\x01\"2\n",
     "FILE:9: md.book_depth: expected an integer in 1..5000, found \"1??2\""},
    {"strat unknown key", BASE "[strat]\nstrategy = taker\ncooldown = 3\n",
     "FILE:10: strat.cooldown: unknown key"},
    {"strat bad timer", BASE "[strat]\ntimer = 0ms\n",
     "FILE:9: strat.timer: expected a duration like 500ms (unit ns|us|ms|s) in 1ms..60s, found \"0ms\""},
    {"strategy duplicate key", BASE "[strategy.taker]\nqty = 1\nqty = 2\n",
     "FILE:10: strategy.taker.qty: duplicate key (first at line 9)"},
    {"strategy bad key name", BASE "[strategy.taker]\nq/ty = 1\n",
     "FILE:9: strategy.taker.q/ty: bad key name (max 31 bytes of [A-Za-z0-9._-])"},
};

/* s with every "FILE" replaced by path */
static void subst(char *out, size_t cap, const char *s, const char *path)
{
	size_t n = 0;

	while (*s && n + 1 < cap) {
		if (strncmp(s, "FILE", 4) == 0) {
			n += (size_t)snprintf(out + n, cap - n, "%s", path);
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char path[256];

	for (size_t i = 0; i < TT_ARRAY_LEN(bad); i++) {
		snprintf(path, sizeof(path), "%s/case%02zu.ini", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/good.ini", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_every_broken_file_fails_with_its_exact_message(void **state)
{
	static struct tt_config cfg;
	char path[256], want[1024];
	int failures = 0;

	for (size_t i = 0; i < TT_ARRAY_LEN(bad); i++) {
		snprintf(path, sizeof(path), "%s/case%02zu.ini", dir, i);
		write_text(path, bad[i].text);
		subst(want, sizeof(want), bad[i].expect, path);
		memset(&cfg, 0xa5, sizeof(cfg));
		tt_err_clear();
		int rc = tt_config_load(&cfg, path);

		if (rc != -TT_ECONFIG || strcmp(tt_err_msg(), want) != 0) {
			print_error("case %zu (%s): rc %d\n  want: %s\n  got:  %s\n", i,
				    bad[i].name, rc, want, tt_err_msg());
			failures++;
			continue;
		}
		/* a failed load leaves nothing half-filled */
		assert_int_equal(cfg.n_rings, 0);
		assert_int_equal(cfg.engine.instance[0], 0);
	}
	assert_true(TT_ARRAY_LEN(bad) >= 20);
	assert_int_equal(failures, 0);
}

static void test_memory_and_file_loads_report_the_same(void **state)
{
	static struct tt_config cfg;
	const char *text = BASE "[md]\nbook_depth = 0\n";

	assert_int_equal(tt_config_load_mem(&cfg, "mem.ini", text, strlen(text)), -TT_ECONFIG);
	assert_string_equal(
	    tt_err_msg(), "mem.ini:9: md.book_depth: expected an integer in 1..5000, found \"0\"");
	/* a NUL inside a line is refused, not silently cut */
	static const char nul[] = "[engine]\ninstance = t\0x\nflavor = testnet\n";

	assert_int_equal(tt_config_load_mem(&cfg, "mem.ini", nul, sizeof(nul) - 1), -TT_ECONFIG);
	assert_string_equal(tt_err_msg(), "mem.ini:2: syntax error: NUL byte in line");
}

/* found by fuzz_config: inih treats any isspace() before '[' (and a BOM) as a header's
 * indentation; the reader must agree, or keys land in the wrong section */
static void test_headers_after_odd_whitespace_or_bom_open_sections(void **state)
{
	static struct tt_config cfg;
	const char *ff = "[engine]\ninstance = t\nflavor = testnet\n\f\v [md]\nbook_depth = 7\n";
	const char *bom = "\xef\xbb\xbf[engine]\ninstance = t\nflavor = testnet\n";

	assert_int_equal(tt_config_load_mem(&cfg, "f.ini", ff, strlen(ff)), 0);
	assert_int_equal(cfg.md.book_depth, 7);
	assert_int_equal(tt_config_load_mem(&cfg, "b.ini", bom, strlen(bom)), 0);
	assert_string_equal(cfg.engine.instance, "t");
}

static void test_missing_file_fails_with_enoent(void **state)
{
	static struct tt_config cfg;
	char path[256];

	snprintf(path, sizeof(path), "%s/absent.ini", dir);
	assert_int_equal(tt_config_load(&cfg, path), -ENOENT);
	assert_non_null(strstr(tt_err_msg(), "absent.ini"));
}

/* config/testnet.ini: from TT_SOURCE_DIR (set by ctest), else next to this source file */
static void testnet_path(char *out, size_t cap)
{
	const char *src = getenv("TT_SOURCE_DIR");
	const char *me = __FILE__, *tail = strstr(me, "tests/core/test_config.c");

	if (src)
		snprintf(out, cap, "%s/config/testnet.ini", src);
	else if (tail)
		snprintf(out, cap, "%.*sconfig/testnet.ini", (int)(tail - me), me);
	else
		snprintf(out, cap, "config/testnet.ini");
}

static void test_testnet_ini_loads_with_values_as_written(void **state)
{
	static struct tt_config cfg;
	char path[512];
	const struct tt_cfg_ring *r;
	const struct tt_cfg_instrument *in;
	int rc;

	testnet_path(path, sizeof(path));
	rc = tt_config_load(&cfg, path);
	if (rc)
		print_error("%s\n", tt_err_msg());
	assert_int_equal(rc, 0);
	assert_string_equal(cfg.path, path);

	assert_string_equal(cfg.engine.instance, "tt-testnet");
	assert_string_equal(cfg.engine.host, "localhost");
	assert_string_equal(cfg.engine.flavor, TT_FLAVOR_NAME);
	assert_string_equal(cfg.engine.log_dir, "logs");
	assert_string_equal(cfg.engine.clock_shm, "tt-testnet-clock");

	assert_int_equal(cfg.n_rings, 8);
	const char *hot[] = {"md.strat", "strat.oe", "oe.strat"};

	for (size_t i = 0; i < 3; i++) {
		char shm[64];

		r = tt_config_ring(&cfg, hot[i]);
		assert_non_null(r);
		assert_string_equal(r->name, hot[i]);
		assert_int_equal(r->slot_size, 64);
		assert_int_equal(r->mode, TT_CFG_RING_LOSSLESS);
		assert_int_equal(r->wait, TT_CFG_WAIT_FUTEX);
		snprintf(shm, sizeof(shm), "tt-testnet-ring-%s", hot[i]);
		assert_string_equal(r->shm, shm);
	}
	assert_int_equal(tt_config_ring(&cfg, "md.strat")->capacity, 4096);
	assert_int_equal(tt_config_ring(&cfg, "strat.oe")->capacity, 1024);
	r = tt_config_ring(&cfg, "md.ref");
	assert_non_null(r);
	assert_int_equal(r->mode, TT_CFG_RING_LOSSY);
	assert_int_equal(r->wait, TT_CFG_WAIT_SPIN_YIELD);
	for (uint32_t i = 3; i < cfg.n_rings; i++)
		assert_int_equal(cfg.rings[i].mode, TT_CFG_RING_LOSSY);
	assert_null(tt_config_ring(&cfg, "md"));

	assert_int_equal(cfg.n_instruments, 2);
	in = tt_config_instrument(&cfg, "BTCUSDT");
	assert_non_null(in);
	assert_ptr_equal(in, tt_config_instrument_by_id(&cfg, 1));
	assert_int_equal(in->venue, TT_CFG_VENUE_BINANCE);
	assert_int_equal(in->price_scale, 2);
	assert_int_equal(in->qty_scale, 5);
	assert_int_equal(in->tick_size, 1); /* 0.01000000 at 2 */
	assert_int_equal(in->step_size, 1); /* 0.00001000 at 5 */
	assert_int_equal(in->min_qty, 1);
	assert_int_equal(in->max_qty, 900000000); /* 9000.00000000 at 5 */
	assert_int_equal(in->min_notional, 500);  /* 5.00000000 at 2 */
	in = tt_config_instrument_by_id(&cfg, 2);
	assert_non_null(in);
	assert_string_equal(in->symbol, "ETHUSDT");
	assert_int_equal(in->qty_scale, 4);
	assert_int_equal(in->max_qty, 90000000);
	assert_null(tt_config_instrument(&cfg, "SOLUSDT"));
	assert_null(tt_config_instrument_by_id(&cfg, 3));

	assert_true(cfg.binance.present);
	assert_string_equal(cfg.binance.ws_url.scheme, "wss");
	assert_string_equal(cfg.binance.ws_url.host, "127.0.0.1");
	assert_int_equal(cfg.binance.ws_url.port, 9443);
	assert_string_equal(cfg.binance.ws_url.path, "/ws");
	assert_true(cfg.binance.ws_url.tls);
	assert_string_equal(cfg.binance.rest_url.scheme, "https");
	assert_string_equal(cfg.binance.rest_url.path, "/api");
	assert_string_equal(cfg.binance.oe_url.path, "/ws-api/v3");
	assert_string_equal(cfg.binance.ca_file, "run/tt-testnet/ca.pem");
	assert_int_equal(cfg.binance.connect_timeout_ns, 2000000000);
	assert_string_equal(cfg.binance.sni, "localhost");

	assert_int_equal(cfg.md.core.n, 0); /* not pinned by default: see the comment in testnet.ini */
	assert_int_equal(cfg.md.stale_after_ns, INT64_C(5000000000));
	assert_int_equal(cfg.md.book_depth, 20);
	assert_false(cfg.md.busy_poll);

	assert_true(cfg.oe.present);
	assert_string_equal(cfg.oe.journal, "run/tt-testnet/oe.journal");
	assert_int_equal(cfg.oe.journal_sync, TT_CFG_JSYNC_BATCH);
	assert_int_equal(cfg.oe.journal_batch_time_ns, 10000000);
	assert_int_equal(cfg.oe.recv_window_ns, INT64_C(5000000000));
	assert_int_equal(cfg.oe.auth, TT_CFG_AUTH_ED25519);
	assert_true(cfg.risk.present);
	assert_int_equal(cfg.risk.max_open_orders, 50);
	assert_int_equal(cfg.risk.dup_window_ns, 100000000);
	assert_int_equal(cfg.risk.daily_loss, 1000000);
	in = tt_config_instrument(&cfg, "BTCUSDT");
	assert_int_equal(in->risk_max_qty, 100000);	/* 1.00000 at 5 */
	assert_int_equal(in->risk_max_notional, 10000000);
	assert_int_equal(in->risk_collar_bps, 500);
	assert_int_equal(in->max_notional, 900000000);
}

static void test_strategy_sections_keep_keys_values_and_lines(void **state)
{
	static struct tt_config cfg;
	const char *text = BASE "[strat]\nstrategy = mm\n[strategy.mm]\nqty = 100\n"
			   "half_spread_ticks = 3\n[strategy.taker]\nqty = 7\n";
	const struct tt_cfg_params *mm, *tk;

	assert_int_equal(tt_config_load_mem(&cfg, "s.ini", text, strlen(text)), 0);
	assert_string_equal(cfg.strat.strategy, "mm");
	assert_int_equal(cfg.strat.timer_ns, 100000000); /* default */
	mm = tt_config_strategy(&cfg, "mm");
	tk = tt_config_strategy(&cfg, "taker");
	assert_non_null(mm);
	assert_non_null(tk);
	assert_null(tt_config_strategy(&cfg, "nope"));
	assert_int_equal(mm->n, 2);
	assert_string_equal(mm->p[1].key, "half_spread_ticks");
	assert_string_equal(mm->p[1].value, "3");
	assert_int_equal(mm->p[1].line, 12);
	assert_int_equal(tk->n, 1);
	assert_int_equal(tk->p[0].line, 14);
	(void)state;
}

static void test_defaults_fill_what_is_not_written(void **state)
{
	static struct tt_config cfg;
	const char *text = "[engine]\ninstance = e1\nflavor = " TT_FLAVOR_NAME "\n"
			   "[ring.x]\nslot_size = 128\ncapacity = 2\nmode = lossy\nshm = e1-x\n";

	assert_int_equal(tt_config_load_mem(&cfg, "d.ini", text, strlen(text)), 0);
	assert_string_equal(cfg.engine.clock_shm, "e1-clock");
	assert_string_equal(cfg.engine.host, "localhost");
	assert_string_equal(cfg.engine.log_dir, "logs");
	assert_int_equal(cfg.rings[0].wait, TT_CFG_WAIT_FUTEX);
	assert_int_equal(cfg.rings[0].slot_size, 128);
	assert_false(cfg.binance.present);
	assert_int_equal(cfg.md.core.n, 0);
	assert_int_equal(cfg.md.book_depth, 20);
	assert_int_equal(cfg.md.stale_after_ns, INT64_C(5000000000));
}

static void test_values_parse_at_their_boundaries(void **state)
{
	static struct tt_config cfg;
	const char *text;

	text = BASE "[md]\ncore = 0, 1023 ,5\nstale_after = 1ms\nbook_depth = 5000\n"
		    "busy_poll = true\n"
		    "[ring.edge]\nslot_size = 65536\ncapacity = 16777216\nmode = lossy\n"
		    "wait = spin\nshm = e\n"
		    "[instrument.K-1_a.b]\nid = 65535\nvenue = binance\nprice_scale = 18\n"
		    "qty_scale = 0\ntick_size = 9.223372036854775807\nstep_size = 1\n"
		    "min_qty = 0\nmax_qty = 9223372036854775807\n";
	int rc = tt_config_load_mem(&cfg, "b.ini", text, strlen(text));

	if (rc)
		print_error("%s\n", tt_err_msg());
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.md.core.n, 3);
	assert_int_equal(cfg.md.core.id[1], 1023);
	assert_int_equal(cfg.md.core.id[2], 5);
	assert_int_equal(cfg.md.stale_after_ns, 1000000);
	assert_true(cfg.md.busy_poll);
	assert_int_equal(cfg.rings[0].capacity, 1 << 24);
	assert_int_equal(cfg.rings[0].wait, TT_CFG_WAIT_SPIN);
	assert_int_equal(cfg.instruments[0].id, 65535);
	assert_string_equal(cfg.instruments[0].symbol, "K-1_a.b");
	assert_int_equal(cfg.instruments[0].tick_size, INT64_MAX);
	assert_int_equal(cfg.instruments[0].max_qty, INT64_MAX);

	/* one past the top of int64 at the scale is refused */
	text = BASE INSTR("X", "1") "max_qty = 9223372036854775.808\n";
	assert_int_equal(tt_config_load_mem(&cfg, "b.ini", text, strlen(text)), -TT_ECONFIG);
}

static void test_urls_split_into_parts(void **state)
{
	static struct tt_config cfg;
	const char *text = "[engine]\ninstance = t\nflavor = testnet\n[venue.binance]\n"
			   "ws_url = ws://[::1]/stream?streams=a@b\n"
			   "rest_url = https://localhost\n"
			   "oe_url = wss://127.0.0.2:1\n";

	assert_int_equal(tt_config_load_mem(&cfg, "u.ini", text, strlen(text)), 0);
	assert_string_equal(cfg.binance.ws_url.host, "::1");
	assert_int_equal(cfg.binance.ws_url.port, 80);
	assert_false(cfg.binance.ws_url.tls);
	assert_string_equal(cfg.binance.ws_url.path, "/stream?streams=a@b");
	assert_string_equal(cfg.binance.rest_url.host, "localhost");
	assert_int_equal(cfg.binance.rest_url.port, 443);
	assert_string_equal(cfg.binance.rest_url.path, "/");
	assert_int_equal(cfg.binance.oe_url.port, 1);
	assert_string_equal(cfg.binance.oe_url.path, "/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_broken_file_fails_with_its_exact_message),
	    cmocka_unit_test(test_memory_and_file_loads_report_the_same),
	    cmocka_unit_test(test_headers_after_odd_whitespace_or_bom_open_sections),
	    cmocka_unit_test(test_missing_file_fails_with_enoent),
	    cmocka_unit_test(test_testnet_ini_loads_with_values_as_written),
	    cmocka_unit_test(test_strategy_sections_keep_keys_values_and_lines),
	    cmocka_unit_test(test_defaults_fill_what_is_not_written),
	    cmocka_unit_test(test_values_parse_at_their_boundaries),
	    cmocka_unit_test(test_urls_split_into_parts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
