/*
 * config.c — the table-driven INI loader behind tt_config.h.
 *
 * libinih splits lines into section/key/value; everything else is ours. Debian's inih is
 * built without line numbers in the handler, so we feed it through our own reader, which
 * counts lines, keeps the current line's text (for syntax errors) and sees every
 * "[section]" header itself (inih does not report empty sections): a header finishes the
 * previous section (defaults, required keys, decimals, cross-field checks) and opens the
 * next. Keys are set as they arrive, except decimals, whose scale may come later in the
 * same section: their text is kept and converted when the section ends.
 *
 * Invariant: the first error stops the load; p->rc is then -TT_ECONFIG with the one-line
 * message in the tt_err trail, and the reader and handler refuse to go on.
 *
 * Adding a key is one KEY(...) line in a table below and one field in tt_config.h.
 */
#include "tt_config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_denied.h"
#include "tt_err.h"

#ifndef TT_FLAVOR_NAME
#error "TT_FLAVOR_NAME must be defined by the build (cmake/TtCommon.cmake)"
#endif

enum cfg_type {
	CT_INT,	     /* int64 or uint32 field; lo..hi */
	CT_POW2,     /* as CT_INT, and a power of two */
	CT_UINT64,   /* uint64_t field; any value */
	CT_BOOL,     /* bool field; true|false */
	CT_STRING,   /* char[size]; 1..size-1 bytes, verbatim */
	CT_NAME,     /* char[size]; 1..size-1 bytes of [A-Za-z0-9._-] */
	CT_ENUM,     /* uint32_t field; index of the word in `words` */
	CT_DURATION, /* int64_t ns; lo..hi ns */
	CT_DECIMAL,  /* int64_t at the scale in the uint32_t at scale_off; >= lo */
	CT_CORES,    /* struct tt_cfg_cores */
	CT_URL,	     /* struct tt_cfg_url; scheme one of `words` */
	CT_HOSTPORT, /* struct tt_cfg_url; host:port */
	CT_FLAVOR,   /* char[size]; must equal TT_FLAVOR_NAME */
};

struct cfg_key {
	const char *name;      /* key as written in the file */
	enum cfg_type type;    /* how the text is read */
	size_t off;	       /* field offset in the section struct */
	size_t size;	       /* field size */
	bool required;	       /* missing key is an error */
	const char *def;       /* default text when missing and not required; NULL: zero */
	int64_t lo;	       /* range (ints, durations), minimum (decimals) */
	int64_t hi;	       /* range (ints, durations) */
	const char *words;     /* CT_ENUM values / CT_URL schemes, '|'-separated */
	size_t scale_off;      /* CT_DECIMAL: offset of the uint32_t scale field */
	const char *scale_key; /* CT_DECIMAL: that field's key, for messages */
};

#define KEY(k, st, fld, ty, ...)                                                                   \
	{                                                                                          \
		.name = (k), .type = (ty), .off = offsetof(st, fld),                               \
		.size = sizeof(((st *)0)->fld), __VA_ARGS__                                        \
	}
#define SCALE(st, fld) .scale_off = offsetof(st, fld), .scale_key = #fld
#define MS	       INT64_C(1000000)
#define SEC	       INT64_C(1000000000)

/* clang-format off */
static const struct cfg_key engine_keys[] = {
	KEY("instance",  struct tt_cfg_engine, instance,  CT_NAME, .required = true),
	KEY("host",      struct tt_cfg_engine, host,      CT_NAME, .def = "localhost"),
	KEY("flavor",    struct tt_cfg_engine, flavor,    CT_FLAVOR, .required = true),
	KEY("log_dir",   struct tt_cfg_engine, log_dir,   CT_STRING, .def = "logs"),
	KEY("clock_shm", struct tt_cfg_engine, clock_shm, CT_NAME), /* default: engine_finish */
	KEY("host_whitelist", struct tt_cfg_engine, host_whitelist, CT_STRING),
};

static const struct cfg_key ring_keys[] = {
	KEY("slot_size", struct tt_cfg_ring, slot_size, CT_POW2, .required = true, .lo = 64, .hi = 65536),
	KEY("capacity",  struct tt_cfg_ring, capacity,  CT_POW2, .required = true, .lo = 2, .hi = 1 << 24),
	KEY("mode",      struct tt_cfg_ring, mode,      CT_ENUM, .required = true, .words = "lossless|lossy"),
	KEY("wait",      struct tt_cfg_ring, wait,      CT_ENUM, .def = "futex", .words = "spin|spin-yield|futex"),
	KEY("shm",       struct tt_cfg_ring, shm,       CT_NAME, .required = true),
};

#define INSTR struct tt_cfg_instrument
static const struct cfg_key instrument_keys[] = {
	KEY("id",           INSTR, id,           CT_INT, .required = true, .lo = 0, .hi = 65535),
	KEY("venue",        INSTR, venue,        CT_ENUM, .required = true, .words = "binance|kalshi"),
	KEY("price_scale",  INSTR, price_scale,  CT_INT, .required = true, .lo = 0, .hi = TT_CFG_SCALE_MAX),
	KEY("qty_scale",    INSTR, qty_scale,    CT_INT, .required = true, .lo = 0, .hi = TT_CFG_SCALE_MAX),
	KEY("tick_size",    INSTR, tick_size,    CT_DECIMAL, .required = true, .lo = 1, SCALE(INSTR, price_scale)),
	KEY("step_size",    INSTR, step_size,    CT_DECIMAL, .required = true, .lo = 1, SCALE(INSTR, qty_scale)),
	KEY("min_qty",      INSTR, min_qty,      CT_DECIMAL, .required = true, .lo = 0, SCALE(INSTR, qty_scale)),
	KEY("max_qty",      INSTR, max_qty,      CT_DECIMAL, .required = true, .lo = 1, SCALE(INSTR, qty_scale)),
	KEY("min_notional", INSTR, min_notional, CT_DECIMAL, .def = "0", .lo = 0, SCALE(INSTR, price_scale)),
	KEY("max_notional", INSTR, max_notional, CT_DECIMAL, .def = "0", .lo = 0, SCALE(INSTR, price_scale)),
	KEY("risk_max_qty",      INSTR, risk_max_qty,      CT_DECIMAL, .def = "0", .lo = 0, SCALE(INSTR, qty_scale)),
	KEY("risk_max_notional", INSTR, risk_max_notional, CT_DECIMAL, .def = "0", .lo = 0, SCALE(INSTR, price_scale)),
	KEY("risk_max_position", INSTR, risk_max_position, CT_DECIMAL, .def = "0", .lo = 0, SCALE(INSTR, qty_scale)),
	KEY("risk_collar_bps",   INSTR, risk_collar_bps,   CT_INT, .def = "0", .lo = 0, .hi = 10000),
};

static const struct cfg_key binance_keys[] = {
	KEY("ws_url",          struct tt_cfg_binance, ws_url,   CT_URL, .required = true, .words = "wss|ws"),
	KEY("rest_url",        struct tt_cfg_binance, rest_url, CT_URL, .required = true, .words = "https|http"),
	KEY("oe_url",          struct tt_cfg_binance, oe_url,   CT_URL, .required = true, .words = "wss|ws"),
	KEY("ca_file",         struct tt_cfg_binance, ca_file,  CT_STRING),
	KEY("connect_timeout", struct tt_cfg_binance, connect_timeout_ns, CT_DURATION, .def = "5s", .lo = MS, .hi = 60 * SEC),
	KEY("sni",             struct tt_cfg_binance, sni,      CT_NAME),
};

static const struct cfg_key md_keys[] = {
	KEY("core",        struct tt_cfg_md, core,           CT_CORES),
	KEY("stale_after", struct tt_cfg_md, stale_after_ns, CT_DURATION, .def = "5s", .lo = MS, .hi = 3600 * SEC),
	KEY("book_depth",  struct tt_cfg_md, book_depth,     CT_INT, .def = "20", .lo = 1, .hi = 5000),
	KEY("busy_poll",   struct tt_cfg_md, busy_poll,      CT_BOOL, .def = "false"),
	KEY("snapshot_limit", struct tt_cfg_md, snapshot_limit, CT_INT, .def = "1000", .lo = 5, .hi = 5000),
	KEY("reconnect_after", struct tt_cfg_md, reconnect_after_ns, CT_DURATION, .def = "85800s", .lo = SEC, .hi = 86400 * SEC),
};

static const struct cfg_key oe_keys[] = {
	KEY("core",               struct tt_cfg_oe, core,                  CT_CORES),
	KEY("credential",         struct tt_cfg_oe, credential,            CT_STRING, .required = true),
	KEY("journal",            struct tt_cfg_oe, journal,               CT_STRING, .required = true),
	KEY("journal_sync",       struct tt_cfg_oe, journal_sync,          CT_ENUM, .def = "batch", .words = "none|batch|always"),
	KEY("journal_batch",      struct tt_cfg_oe, journal_batch,         CT_INT, .def = "64", .lo = 1, .hi = 1 << 20),
	KEY("journal_batch_time", struct tt_cfg_oe, journal_batch_time_ns, CT_DURATION, .def = "10ms", .lo = 1000, .hi = 60 * SEC),
	KEY("journal_capacity",   struct tt_cfg_oe, journal_capacity,      CT_INT, .def = "1048576", .lo = 16, .hi = 1 << 28),
	KEY("recv_window",        struct tt_cfg_oe, recv_window_ns,        CT_DURATION, .def = "5s", .lo = MS, .hi = 60 * SEC),
	KEY("kill_file",          struct tt_cfg_oe, kill_file,             CT_STRING),
	KEY("control_socket",     struct tt_cfg_oe, control_socket,        CT_STRING),
	KEY("auth",               struct tt_cfg_oe, auth,                  CT_ENUM, .def = "ed25519", .words = "ed25519|hmac"),
};

static const struct cfg_key risk_keys[] = {
	KEY("max_open_orders",    struct tt_cfg_risk, max_open_orders,    CT_INT, .required = true, .lo = 1, .hi = 100000),
	KEY("orders_per_sec",     struct tt_cfg_risk, orders_per_sec,     CT_INT, .required = true, .lo = 1, .hi = 1000000),
	KEY("order_burst",        struct tt_cfg_risk, order_burst,        CT_INT, .required = true, .lo = 1, .hi = 1000000),
	KEY("msgs_per_sec",       struct tt_cfg_risk, msgs_per_sec,       CT_INT, .required = true, .lo = 1, .hi = 1000000),
	KEY("msg_burst",          struct tt_cfg_risk, msg_burst,          CT_INT, .required = true, .lo = 1, .hi = 1000000),
	KEY("dup_window",         struct tt_cfg_risk, dup_window_ns,      CT_DURATION, .required = true, .lo = 0, .hi = 3600 * SEC),
	KEY("max_gross_notional", struct tt_cfg_risk, max_gross_notional, CT_INT, .required = true, .lo = 0, .hi = INT64_MAX),
	KEY("daily_loss",         struct tt_cfg_risk, daily_loss,         CT_INT, .required = true, .lo = 1, .hi = INT64_MAX),
};
/* clang-format on */

#define CFG_KEYS_MAX	 16
#define CFG_SECTIONS_MAX 128
#define NO_OFF		 ((size_t)-1)

struct cfg_parse;

struct cfg_section {
	const char *name;	    /* "engine", or the prefix of "ring.NAME" */
	bool multi;		    /* [name.INSTANCE], many */
	bool freeform;		    /* multi: any key, kept as struct tt_cfg_params */
	bool required;		    /* must appear */
	const struct cfg_key *keys; /* schema */
	size_t nkeys;		    /* entries in keys */
	size_t off;		    /* struct (fixed) or array (multi) in struct tt_config */
	size_t elem_size;	    /* multi: array element size */
	size_t count_off;	    /* multi: uint32_t count in struct tt_config */
	size_t max;		    /* multi: array length */
	size_t name_off;	    /* multi: char[TT_CFG_NAME_MAX] for INSTANCE in the element */
	size_t present_off;	    /* fixed: bool set when the section appears, or NO_OFF */
	int (*finish)(struct cfg_parse *p, void *obj); /* cross-field checks, or NULL */
};

static int engine_finish(struct cfg_parse *p, void *obj);
static int ring_finish(struct cfg_parse *p, void *obj);
static int instrument_finish(struct cfg_parse *p, void *obj);

#define FIXED(nm, req, tbl, fld, pres, fin)                                                        \
	{                                                                                          \
		.name = (nm), .required = (req), .keys = (tbl), .nkeys = TT_ARRAY_LEN(tbl),        \
		.off = offsetof(struct tt_config, fld), .present_off = (pres), .finish = (fin)     \
	}
#define MULTI(nm, tbl, arr, cnt, namefld, fin)                                                     \
	{                                                                                          \
		.name = (nm), .multi = true, .keys = (tbl), .nkeys = TT_ARRAY_LEN(tbl),            \
		.off = offsetof(struct tt_config, arr),                                            \
		.elem_size = sizeof(((struct tt_config *)0)->arr[0]),                              \
		.count_off = offsetof(struct tt_config, cnt),                                      \
		.max = TT_ARRAY_LEN(((struct tt_config *)0)->arr),                                 \
		.name_off = offsetof(__typeof__(((struct tt_config *)0)->arr[0]), namefld),        \
		.present_off = NO_OFF, .finish = (fin)                                             \
	}

static const struct cfg_key strat_keys[] = {
	KEY("core",     struct tt_cfg_strat, core,     CT_CORES),
	KEY("strategy", struct tt_cfg_strat, strategy, CT_NAME, .def = "taker"),
	KEY("timer",    struct tt_cfg_strat, timer_ns, CT_DURATION, .def = "100ms", .lo = MS, .hi = 60 * SEC),
};
static const struct cfg_key no_keys[1];

#define FREEFORM(nm, arr, cnt)                                                                     \
	{                                                                                          \
		.name = (nm), .multi = true, .freeform = true, .keys = no_keys, .nkeys = 0,        \
		.off = offsetof(struct tt_config, arr),                                            \
		.elem_size = sizeof(((struct tt_config *)0)->arr[0]),                              \
		.count_off = offsetof(struct tt_config, cnt),                                      \
		.max = TT_ARRAY_LEN(((struct tt_config *)0)->arr),                                 \
		.name_off = offsetof(struct tt_cfg_params, name), .present_off = NO_OFF,           \
	}

static const struct cfg_section sections[] = {
    FIXED("engine", true, engine_keys, engine, NO_OFF, engine_finish),
    FIXED("venue.binance", false, binance_keys, binance,
	  offsetof(struct tt_config, binance.present), NULL),
    FIXED("md", false, md_keys, md, NO_OFF, NULL),
    FIXED("oe", false, oe_keys, oe, offsetof(struct tt_config, oe.present), NULL),
    FIXED("risk", false, risk_keys, risk, offsetof(struct tt_config, risk.present), NULL),
    MULTI("ring", ring_keys, rings, n_rings, name, ring_finish),
    MULTI("instrument", instrument_keys, instruments, n_instruments, symbol, instrument_finish),
    FIXED("strat", false, strat_keys, strat, NO_OFF, NULL),
    FREEFORM("strategy", strategies, n_strategies),
};

struct cfg_parse {
	struct tt_config *cfg;		/* being filled */
	const char *file;		/* FILE in messages */
	FILE *f;			/* input: a file ... */
	const char *mem;		/* ... or memory */
	size_t mem_len;			/* bytes at mem */
	size_t mem_pos;			/* next byte at mem */
	int line;			/* lines read so far = current line */
	char text[TT_CFG_LINE_MAX];	/* current line without its newline */
	int rc;				/* 0, or the first error (-TT_ECONFIG) */
	const struct cfg_section *sec;	/* open section, NULL before the first */
	void *obj;			/* its struct */
	char sec_name[TT_CFG_LINE_MAX]; /* its full name, "ring.md.strat" */
	int key_line[CFG_KEYS_MAX];	/* line of each key in the open section, 0: unseen */
	char key_val[CFG_KEYS_MAX][TT_CFG_LINE_MAX]; /* its text */
	bool fixed_seen[TT_ARRAY_LEN(sections)];     /* fixed sections that appeared */
	int n_seen;				     /* headers so far */
	struct {
		char name[TT_CFG_LINE_MAX]; /* full section name */
		int line;		    /* its header's line */
	} seen[CFG_SECTIONS_MAX];
	int venue_line[TT_CFG_INSTRUMENTS_MAX]; /* line of each instrument's venue key */
};

_Static_assert(TT_ARRAY_LEN(instrument_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(ring_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(binance_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(engine_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(md_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(strat_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(oe_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");
_Static_assert(TT_ARRAY_LEN(risk_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");

/* ---- messages ---- */

/* "FILE:LINE: WHO: MSG" (no ":LINE" when line is 0; WHO is "section" or "section.key"). */
static int TT_PRINTF(4, 5)
    cfg_fail(struct cfg_parse *p, int line, const char *who, const char *fmt, ...)
{
	char msg[512], where[32] = "";
	va_list ap;

	if (p->rc)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof(where), ":%d", line);
	p->rc = tt_err_set(-TT_ECONFIG, "%s%s: %s: %s", p->file, where, who, msg);
	return p->rc;
}

/* Value text safe to quote: control bytes and '"' shown as '?'. */
static const char *cfg_quote(char *buf, size_t cap, const char *v)
{
	size_t i;

	for (i = 0; v[i] && i + 1 < cap; i++)
		buf[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f || v[i] == '"') ? '?' : v[i];
	buf[i] = '\0';
	return buf;
}

static void cfg_fmt_duration(char *buf, size_t cap, int64_t ns)
{
	if (ns % SEC == 0)
		snprintf(buf, cap, "%llds", (long long)(ns / SEC));
	else if (ns % MS == 0)
		snprintf(buf, cap, "%lldms", (long long)(ns / MS));
	else if (ns % 1000 == 0)
		snprintf(buf, cap, "%lldus", (long long)(ns / 1000));
	else
		snprintf(buf, cap, "%lldns", (long long)ns);
}

/* WHAT for "expected WHAT": what this key accepts. obj: the section struct (scales). */
static void cfg_describe(char *buf, size_t cap, const struct cfg_key *k, const void *obj)
{
	char a[32], b[32];

	switch (k->type) {
	case CT_INT:
		snprintf(buf, cap, "an integer in %lld..%lld", (long long)k->lo, (long long)k->hi);
		break;
	case CT_POW2:
		snprintf(buf, cap, "a power of two in %lld..%lld", (long long)k->lo,
			 (long long)k->hi);
		break;
	case CT_UINT64:
		snprintf(buf, cap, "an unsigned integer below 2^64");
		break;
	case CT_BOOL:
		snprintf(buf, cap, "true or false");
		break;
	case CT_STRING:
		snprintf(buf, cap, "a string of 1..%zu bytes", k->size - 1);
		break;
	case CT_NAME:
		snprintf(buf, cap, "a name of 1..%zu bytes of [A-Za-z0-9._-]", k->size - 1);
		break;
	case CT_ENUM:
		snprintf(buf, cap, "one of %s", k->words);
		break;
	case CT_DURATION:
		cfg_fmt_duration(a, sizeof(a), k->lo);
		cfg_fmt_duration(b, sizeof(b), k->hi);
		snprintf(buf, cap, "a duration like 500ms (unit ns|us|ms|s) in %s..%s", a, b);
		break;
	case CT_DECIMAL: {
		uint32_t scale;

		memcpy(&scale, (const char *)obj + k->scale_off, sizeof(scale));
		snprintf(buf, cap, "a %s decimal with at most %u decimal places (%s = %u)",
			 k->lo > 0 ? "positive" : "non-negative", scale, k->scale_key, scale);
		break;
	}
	case CT_CORES:
		snprintf(buf, cap, "a CPU list like 2 or 2,3 (ids 0..1023, at most %d, distinct)",
			 TT_CFG_CORES_MAX);
		break;
	case CT_URL:
		snprintf(buf, cap, "a URL like wss://host:port/path (scheme %s)", k->words);
		break;
	case CT_HOSTPORT:
		snprintf(buf, cap, "host:port (port 1..65535)");
		break;
	case CT_FLAVOR:
		snprintf(buf, cap, "\"%s\" (this build's flavor)", TT_FLAVOR_NAME);
		break;
	}
}

/* ---- value parsers: true when `v` is valid; they write only on success ---- */

static bool parse_u64(const char *v, uint64_t *out)
{
	uint64_t x = 0;

	if (!*v)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t)(*v - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*v - '0');
	}
	*out = x;
	return true;
}

static bool parse_i64(const char *v, int64_t *out)
{
	bool neg = *v == '-';
	uint64_t u;

	if (!parse_u64(v + neg, &u))
		return false;
	if (u > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* Index of `v` in the '|'-separated `words`, or -1. */
static int word_index(const char *words, const char *v)
{
	size_t n = strlen(v);
	int i = 0;

	for (const char *w = words; *w; i++) {
		const char *end = strchr(w, '|');
		size_t wl = end ? (size_t)(end - w) : strlen(w);

		if (n > 0 && wl == n && memcmp(w, v, n) == 0)
			return i;
		if (!end)
			break;
		w = end + 1;
	}
	return -1;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static bool parse_name(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(v[i]))
			return false;
	return true;
}

static bool parse_duration(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", MS}, {"s", SEC}};
	char digits[24];
	size_t n = strspn(v, "0123456789");
	uint64_t x;

	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, v, n);
	digits[n] = '\0';
	if (!parse_u64(digits, &x))
		return false;
	for (size_t i = 0; i < TT_ARRAY_LEN(units); i++) {
		if (strcmp(v + n, units[i].unit) != 0)
			continue;
		if (x > (uint64_t)INT64_MAX / (uint64_t)units[i].ns)
			return false;
		x *= (uint64_t)units[i].ns;
		if ((int64_t)x < lo || (int64_t)x > hi)
			return false;
		*out = (int64_t)x;
		return true;
	}
	return false;
}

/* "[-]D+[.D+]" exactly at `scale` places (extra places must be zeros), as int64. */
static bool parse_decimal(const char *v, unsigned scale, int64_t lo, int64_t *out)
{
	bool neg = *v == '-';
	uint64_t x = 0;
	unsigned places = 0;
	const char *s = v + neg;
	bool frac = false;
	size_t digits = 0;

	if (scale > TT_CFG_SCALE_MAX)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (frac || digits == 0)
				return false;
			frac = true;
			digits = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return false;
		digits++;
		if (frac && places == scale) {
			if (*s != '0')
				return false; /* more places than the scale keeps */
			continue;
		}
		if (x > ((uint64_t)INT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
		places += frac;
	}
	if (digits == 0)
		return false; /* "", "-", "1." */
	for (; places < scale; places++) {
		if (x > (uint64_t)INT64_MAX / 10)
			return false;
		x *= 10;
	}
	if ((neg ? -(int64_t)x : (int64_t)x) < lo)
		return false;
	*out = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

static bool parse_cores(const char *v, struct tt_cfg_cores *out)
{
	struct tt_cfg_cores c = {0};
	const char *s = v;

	for (;;) {
		uint64_t id = 0;
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strspn(s, "0123456789");
		if (n == 0 || n > 4)
			return false;
		for (size_t i = 0; i < n; i++)
			id = id * 10 + (uint64_t)(s[i] - '0');
		if (id > 1023 || c.n == TT_CFG_CORES_MAX)
			return false;
		for (uint32_t i = 0; i < c.n; i++)
			if (c.id[i] == id)
				return false;
		c.id[c.n++] = (uint16_t)id;
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return false;
	}
	*out = c;
	return true;
}

/* host[:port] at s (IPv6 in brackets); sets host/port; returns the rest or NULL. */
static const char *parse_host_port(const char *s, struct tt_cfg_url *u, bool port_required)
{
	const char *h = s, *end;
	size_t n;

	if (*s == '[') {
		h = s + 1;
		end = strchr(h, ']');
		if (!end)
			return NULL;
		n = (size_t)(end - h);
		if (n == 0 || strspn(h, "0123456789abcdefABCDEF:.") < n)
			return NULL;
		s = end + 1;
	} else {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
		if (n == 0 || h[0] == '.' || h[0] == '-')
			return NULL;
		s += n;
	}
	if (n >= sizeof(u->host))
		return NULL;
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	if (*s == ':') {
		size_t d = strspn(s + 1, "0123456789");
		unsigned port = 0;

		if (d == 0 || d > 5)
			return NULL;
		for (size_t i = 0; i < d; i++)
			port = port * 10 + (unsigned)(s[1 + i] - '0');
		if (port == 0 || port > 65535)
			return NULL;
		u->port = (uint16_t)port;
		s += 1 + d;
	} else if (port_required) {
		return NULL;
	}
	return s;
}

static bool parse_url(const char *v, const char *schemes, struct tt_cfg_url *out)
{
	struct tt_cfg_url u = {0};
	const char *sep = strstr(v, "://"), *s;
	size_t n;

	if (!sep || (size_t)(sep - v) >= sizeof(u.scheme))
		return false;
	memcpy(u.scheme, v, (size_t)(sep - v));
	if (word_index(schemes, u.scheme) < 0)
		return false;
	u.tls = strcmp(u.scheme, "wss") == 0 || strcmp(u.scheme, "https") == 0;
	u.port = u.tls ? 443 : 80;
	s = parse_host_port(sep + 3, &u, false);
	if (!s)
		return false;
	if (*s == '\0') {
		strcpy(u.path, "/");
	} else {
		if (*s != '/')
			return false;
		n = strlen(s);
		if (n >= sizeof(u.path))
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
				return false;
		memcpy(u.path, s, n + 1);
	}
	*out = u;
	return true;
}

static bool parse_hostport(const char *v, struct tt_cfg_url *out)
{
	struct tt_cfg_url u = {0};
	const char *s = parse_host_port(v, &u, true);

	if (!s || *s)
		return false;
	*out = u;
	return true;
}

/* Read `v` into the field of key k in obj. false: v is not what k accepts. */
static bool cfg_set(const struct cfg_key *k, void *obj, const char *v)
{
	char *f = (char *)obj + k->off;
	int64_t i;
	uint64_t u;

	switch (k->type) {
	case CT_INT:
	case CT_POW2:
		if (!parse_i64(v, &i) || i < k->lo || i > k->hi)
			return false;
		if (k->type == CT_POW2 && (i <= 0 || (i & (i - 1)) != 0))
			return false;
		if (k->size == sizeof(uint32_t)) {
			uint32_t x = (uint32_t)i; /* lo >= 0 for every 32-bit field */

			memcpy(f, &x, sizeof(x));
		} else if (TT_ALWAYS(k->size == sizeof(int64_t))) {
			memcpy(f, &i, sizeof(i));
		}
		return true;
	case CT_UINT64:
		if (!parse_u64(v, &u))
			return false;
		memcpy(f, &u, sizeof(u));
		return true;
	case CT_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return false;
		*(bool *)f = v[0] == 't';
		return true;
	case CT_STRING:
		if (!*v || strlen(v) >= k->size)
			return false;
		strcpy(f, v);
		return true;
	case CT_NAME:
		if (!parse_name(v, k->size - 1))
			return false;
		strcpy(f, v);
		return true;
	case CT_ENUM: {
		int w = word_index(k->words, v);

		if (w < 0)
			return false;
		*(uint32_t *)f = (uint32_t)w;
		return true;
	}
	case CT_DURATION:
		if (!parse_duration(v, k->lo, k->hi, &i))
			return false;
		memcpy(f, &i, sizeof(i));
		return true;
	case CT_DECIMAL: {
		uint32_t scale;

		memcpy(&scale, (char *)obj + k->scale_off, sizeof(scale));
		if (!parse_decimal(v, scale, k->lo, &i))
			return false;
		memcpy(f, &i, sizeof(i));
		return true;
	}
	case CT_CORES:
		return parse_cores(v, (struct tt_cfg_cores *)f);
	case CT_URL:
		return parse_url(v, k->words, (struct tt_cfg_url *)f);
	case CT_HOSTPORT:
		return parse_hostport(v, (struct tt_cfg_url *)f);
	case CT_FLAVOR:
		if (strcmp(v, TT_FLAVOR_NAME) != 0 || strlen(v) >= k->size)
			return false;
		strcpy(f, v);
		return true;
	}
	return false;
}

/* ---- sections ---- */

static int key_index(const struct cfg_section *s, const char *name)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "expected WHAT, found VALUE" for key i of the open section. */
static int cfg_expect(struct cfg_parse *p, int i, int line, const char *value)
{
	char what[160], q[TT_CFG_LINE_MAX], who[2 * TT_CFG_LINE_MAX];

	cfg_describe(what, sizeof(what), &p->sec->keys[i], p->obj);
	snprintf(who, sizeof(who), "%s.%s", p->sec_name, p->sec->keys[i].name);
	/* A config of another flavor (prod.ini in a testnet binary) is a refusal, not only a
	 * typo: say it the way every refusal is said. */
	if (p->sec->keys[i].type == CT_FLAVOR && (!strcmp(value, "prod") || !strcmp(value, "testnet")))
		tt_denied_emit("file", p->file, "config_of_other_flavor");
	return cfg_fail(p, line, who, "expected %s, found \"%s\"", what,
			cfg_quote(q, sizeof(q), value));
}

/* Close the open section: defaults, required keys, decimals, then its finish hook.
 * `present`: false for a fixed section that never appeared (defaults only). */
static int section_finish(struct cfg_parse *p, bool present)
{
	const struct cfg_section *s = p->sec;
	char who[2 * TT_CFG_LINE_MAX];

	if (!s || p->rc)
		return p->rc;
	/* decimals last: their scales are ordinary keys of the same section */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nkeys; i++) {
			const struct cfg_key *k = &s->keys[i];

			if ((k->type == CT_DECIMAL) != (pass == 1))
				continue;
			if (p->key_line[i]) {
				if (k->type == CT_DECIMAL && !cfg_set(k, p->obj, p->key_val[i]))
					return cfg_expect(p, (int)i, p->key_line[i], p->key_val[i]);
				continue;
			}
			if (k->required && present) {
				snprintf(who, sizeof(who), "%s.%s", p->sec_name, k->name);
				return cfg_fail(p, 0, who, "required key missing");
			}
			if (k->required || !k->def)
				continue;
			if (TT_NEVER(!cfg_set(k, p->obj, k->def)))
				return cfg_expect(p, (int)i, 0, k->def); /* a bad default */
		}
	}
	if (s->finish && present)
		s->finish(p, p->obj);
	p->sec = NULL;
	return p->rc;
}

static int section_begin(struct cfg_parse *p, const char *name)
{
	const struct cfg_section *s = NULL;
	const char *inst = NULL;
	size_t idx = 0;

	if (section_finish(p, true))
		return p->rc;
	for (int i = 0; i < p->n_seen; i++)
		if (strcmp(p->seen[i].name, name) == 0)
			return cfg_fail(p, p->line, name, "duplicate section (first at line %d)",
					p->seen[i].line);
	for (idx = 0; idx < TT_ARRAY_LEN(sections); idx++) {
		size_t n = strlen(sections[idx].name);

		if (!sections[idx].multi && strcmp(name, sections[idx].name) == 0) {
			s = &sections[idx];
			break;
		}
		if (sections[idx].multi && strncmp(name, sections[idx].name, n) == 0 &&
		    name[n] == '.') {
			s = &sections[idx];
			inst = name + n + 1;
			break;
		}
	}
	if (!s)
		return cfg_fail(p, p->line, name, "unknown section");
	if (p->n_seen == CFG_SECTIONS_MAX)
		return cfg_fail(p, p->line, name, "too many sections (max %d)", CFG_SECTIONS_MAX);
	snprintf(p->seen[p->n_seen].name, sizeof(p->seen[0].name), "%s", name);
	p->seen[p->n_seen++].line = p->line;

	memset(p->key_line, 0, sizeof(p->key_line));
	snprintf(p->sec_name, sizeof(p->sec_name), "%s", name);
	if (s->multi) {
		uint32_t *count = (uint32_t *)((char *)p->cfg + s->count_off);

		if (!parse_name(inst, TT_CFG_NAME_MAX - 1))
			return cfg_fail(p, p->line, name,
					"expected a section name %s.NAME with NAME of 1..%d bytes "
					"of [A-Za-z0-9._-], found \"%s\"",
					s->name, TT_CFG_NAME_MAX - 1, name);
		if (*count >= s->max)
			return cfg_fail(p, p->line, name, "too many %s sections (max %zu)", s->name,
					s->max);
		p->obj = (char *)p->cfg + s->off + s->elem_size * *count;
		strcpy((char *)p->obj + s->name_off, inst);
		(*count)++;
	} else {
		p->obj = (char *)p->cfg + s->off;
		p->fixed_seen[idx] = true;
		if (s->present_off != NO_OFF)
			*(bool *)((char *)p->cfg + s->present_off) = true;
	}
	p->sec = s;
	return 0;
}

static int engine_finish(struct cfg_parse *p, void *obj)
{
	struct tt_cfg_engine *e = obj;

	if (e->clock_shm[0])
		return 0;
	if ((size_t)snprintf(e->clock_shm, sizeof(e->clock_shm), "%s-clock", e->instance) >=
	    sizeof(e->clock_shm))
		return cfg_fail(p, 0, "engine.clock_shm",
				"required key missing (\"%s-clock\" would exceed %zu bytes)",
				e->instance, sizeof(e->clock_shm) - 1);
	return 0;
}

static int ring_finish(struct cfg_parse *p, void *obj)
{
	const struct tt_cfg_ring *r = obj;
	int k = key_index(p->sec, "shm");

	for (const struct tt_cfg_ring *o = p->cfg->rings; o < r; o++) {
		char who[2 * TT_CFG_LINE_MAX];

		if (strcmp(o->shm, r->shm) != 0)
			continue;
		snprintf(who, sizeof(who), "%s.shm", p->sec_name);
		return cfg_fail(p, p->key_line[k], who,
				"expected a shm name not used by ring.%s, found \"%s\"", o->name,
				r->shm);
	}
	return 0;
}

static int instrument_finish(struct cfg_parse *p, void *obj)
{
	const struct tt_cfg_instrument *in = obj;
	char who[2 * TT_CFG_LINE_MAX], q[TT_CFG_LINE_MAX];
	int k;

	p->venue_line[in - p->cfg->instruments] = p->key_line[key_index(p->sec, "venue")];
	for (const struct tt_cfg_instrument *o = p->cfg->instruments; o < in; o++) {
		if (o->id != in->id)
			continue;
		k = key_index(p->sec, "id");
		snprintf(who, sizeof(who), "%s.id", p->sec_name);
		return cfg_fail(p, p->key_line[k], who,
				"expected an id not used by instrument.%s, found \"%s\"", o->symbol,
				cfg_quote(q, sizeof(q), p->key_val[k]));
	}
	if (in->max_qty < in->min_qty) {
		k = key_index(p->sec, "max_qty");
		snprintf(who, sizeof(who), "%s.max_qty", p->sec_name);
		return cfg_fail(p, p->key_line[k], who,
				"expected a quantity >= min_qty (%s), found \"%s\"",
				p->key_val[key_index(p->sec, "min_qty")],
				cfg_quote(q, sizeof(q), p->key_val[k]));
	}
	return 0;
}

/* Checks across sections, once everything is read. */
static int config_finish(struct cfg_parse *p)
{
	for (uint32_t i = 0; i < p->cfg->n_instruments; i++) {
		const struct tt_cfg_instrument *in = &p->cfg->instruments[i];
		char who[2 * TT_CFG_NAME_MAX + 32];

		if (in->venue == TT_CFG_VENUE_BINANCE && !p->cfg->binance.present) {
			snprintf(who, sizeof(who), "instrument.%s.venue", in->symbol);
			return cfg_fail(p, p->venue_line[i], who,
					"expected a venue with a [venue.binance] section, found "
					"\"binance\"");
		}
		if (in->venue == TT_CFG_VENUE_KALSHI) {
			snprintf(who, sizeof(who), "instrument.%s.venue", in->symbol);
			return cfg_fail(p, p->venue_line[i], who,
					"expected a venue with a [venue.kalshi] section, found "
					"\"kalshi\"");
		}
	}
	return 0;
}

/* ---- libinih glue ---- */

static int cfg_getc(struct cfg_parse *p)
{
	if (p->f)
		return getc(p->f);
	if (p->mem_pos >= p->mem_len)
		return EOF;
	return (unsigned char)p->mem[p->mem_pos++];
}

/* A "[name]" header line: open the section. Other lines: nothing to do here. */
static int cfg_header(struct cfg_parse *p)
{
	char name[TT_CFG_LINE_MAX], q[TT_CFG_LINE_MAX];
	const char *s = p->text, *end;

	/* skip what inih skips before deciding a line is a header: a UTF-8 BOM on the
	 * first line, then isspace() bytes (C locale) */
	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s += strspn(s, " \t\n\v\f\r");
	if (*s != '[')
		return 0;
	end = strchr(s, ']');
	if (end) {
		const char *rest = end + 1;

		rest += strspn(rest, " \t\n\v\f\r");
		if (*rest && *rest != ';' && *rest != '#')
			end = NULL;
	}
	if (!end)
		return cfg_fail(p, p->line, "syntax error", "expected \"[section]\", found \"%s\"",
				cfg_quote(q, sizeof(q), p->text));
	memcpy(name, s + 1, (size_t)(end - s - 1));
	name[end - s - 1] = '\0';
	return section_begin(p, name);
}

/* ini_reader: one line into str (at most num-1 bytes), counting lines. */
static char *cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *p = stream;
	size_t n = 0, cap = (size_t)num - 1;
	int c = EOF;
	bool nl = false;

	if (p->rc || num < 3)
		return NULL;
	while ((c = cfg_getc(p)) != EOF) {
		if (c == '\0') {
			p->line++;
			cfg_fail(p, p->line, "syntax error", "NUL byte in line");
			return NULL;
		}
		if (c != '\n' && n >= cap - 1) {
			/* the last byte of the buffer is kept for the newline */
			p->line++;
			cfg_fail(p, p->line, "syntax error", "line longer than %zu bytes", cap - 1);
			return NULL;
		}
		str[n++] = (char)c;
		if (c == '\n') {
			nl = true;
			break;
		}
	}
	if (n == 0)
		return NULL;
	str[n] = '\0';
	p->line++;
	memcpy(p->text, str, n + 1);
	if (nl)
		p->text[--n] = '\0';
	if (n > 0 && p->text[n - 1] == '\r')
		p->text[--n] = '\0';
	if (cfg_header(p))
		return NULL;
	return str;
}

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parse *p = user;
	char who[2 * TT_CFG_LINE_MAX];
	int i;

	if (p->rc)
		return 0;
	if (!p->sec) {
		cfg_fail(p, p->line, name, "key outside any section");
		return 0;
	}
	snprintf(who, sizeof(who), "%s.%s", p->sec_name, name);
	/* the reader saw every header inih saw; if that ever fails, refuse the file */
	if (strcmp(section, p->sec_name) != 0) {
		cfg_fail(p, p->line, who, "section out of step with the parser");
		return 0;
	}
	if (p->sec->freeform) {
		struct tt_cfg_params *fp = p->obj;

		for (uint32_t k = 0; k < fp->n; k++)
			if (strcmp(fp->p[k].key, name) == 0) {
				cfg_fail(p, p->line, who, "duplicate key (first at line %d)",
					 fp->p[k].line);
				return 0;
			}
		if (fp->n == TT_CFG_PARAMS_MAX || !parse_name(name, TT_CFG_NAME_MAX - 1)) {
			cfg_fail(p, p->line, who, fp->n == TT_CFG_PARAMS_MAX ? "too many keys (max %d)"
									: "bad key name (max %d bytes of [A-Za-z0-9._-])",
				 fp->n == TT_CFG_PARAMS_MAX ? TT_CFG_PARAMS_MAX : TT_CFG_NAME_MAX - 1);
			return 0;
		}
		snprintf(fp->p[fp->n].key, sizeof(fp->p[0].key), "%s", name);
		snprintf(fp->p[fp->n].value, sizeof(fp->p[0].value), "%s", value);
		fp->p[fp->n++].line = p->line;
		return 1;
	}
	i = key_index(p->sec, name);
	if (i < 0) {
		cfg_fail(p, p->line, who, "unknown key");
		return 0;
	}
	if (p->key_line[i]) {
		cfg_fail(p, p->line, who, "duplicate key (first at line %d)", p->key_line[i]);
		return 0;
	}
	p->key_line[i] = p->line;
	snprintf(p->key_val[i], sizeof(p->key_val[i]), "%s", value);
	if (p->sec->keys[i].type != CT_DECIMAL && !cfg_set(&p->sec->keys[i], p->obj, value)) {
		cfg_expect(p, i, p->line, value);
		return 0;
	}
	return 1;
}

static int cfg_run(struct cfg_parse *p)
{
	char q[TT_CFG_LINE_MAX];
	int r;

	/* libinih's options are process globals (Debian builds them as variables) */
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	ini_allow_inline_comments = true;
	ini_allow_no_value = false;
	r = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (p->rc)
		return p->rc;
	if (r > 0)
		return cfg_fail(p, r, "syntax error",
				"expected \"key = value\" or \"[section]\", "
				"found \"%s\"",
				cfg_quote(q, sizeof(q), p->text));
	if (r < 0)
		return cfg_fail(p, 0, "config", "libinih failed (%d)", r);
	if (section_finish(p, true))
		return p->rc;
	for (size_t i = 0; i < TT_ARRAY_LEN(sections); i++) {
		const struct cfg_section *s = &sections[i];

		if (s->multi || p->fixed_seen[i])
			continue;
		p->sec = s;
		p->obj = (char *)p->cfg + s->off;
		snprintf(p->sec_name, sizeof(p->sec_name), "%s", s->name);
		memset(p->key_line, 0, sizeof(p->key_line));
		if (section_finish(p, s->required))
			return p->rc;
	}
	return config_finish(p);
}

static int cfg_load(struct tt_config *cfg, const char *name, FILE *f, const char *text, size_t len)
{
	struct cfg_parse *p;
	int rc;

	/* ~40 KB of parser state: too much for small thread stacks, so it is the one
	 * allocation here (start-up only). */
	p = calloc(1, sizeof(*p));
	if (!p)
		return tt_err_set(-ENOMEM, "config: calloc(%zu)", sizeof(*p));
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	p->cfg = cfg;
	p->file = name;
	p->f = f;
	p->mem = text;
	p->mem_len = len;
	rc = cfg_run(p);
	free(p);
	if (rc)
		memset(cfg, 0, sizeof(*cfg));
	return rc;
}

int tt_config_load(struct tt_config *cfg, const char *path)
{
	FILE *f;
	int rc;

	if (!cfg || !path)
		return tt_err_set(-EINVAL, "config: NULL argument");
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		memset(cfg, 0, sizeof(*cfg));
		return tt_err_set(rc, "config: fopen(%s): %s", path, strerror(-rc));
	}
	rc = cfg_load(cfg, path, f, NULL, 0);
	fclose(f);
	return rc;
}

int tt_config_load_mem(struct tt_config *cfg, const char *name, const char *text, size_t len)
{
	if (!cfg || !name || (!text && len))
		return tt_err_set(-EINVAL, "config: NULL argument");
	return cfg_load(cfg, name, NULL, text ? text : "", len);
}

const struct tt_cfg_ring *tt_config_ring(const struct tt_config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->n_rings; i++)
		if (strcmp(cfg->rings[i].name, name) == 0)
			return &cfg->rings[i];
	return NULL;
}

const struct tt_cfg_instrument *tt_config_instrument(const struct tt_config *cfg,
						     const char *symbol)
{
	for (uint32_t i = 0; i < cfg->n_instruments; i++)
		if (strcmp(cfg->instruments[i].symbol, symbol) == 0)
			return &cfg->instruments[i];
	return NULL;
}

const struct tt_cfg_params *tt_config_strategy(const struct tt_config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->n_strategies; i++)
		if (strcmp(cfg->strategies[i].name, name) == 0)
			return &cfg->strategies[i];
	return NULL;
}

const struct tt_cfg_instrument *tt_config_instrument_by_id(const struct tt_config *cfg, uint32_t id)
{
	for (uint32_t i = 0; i < cfg->n_instruments; i++)
		if (cfg->instruments[i].id == id)
			return &cfg->instruments[i];
	return NULL;
}
