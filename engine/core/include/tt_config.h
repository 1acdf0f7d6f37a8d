/*
 * tt_config.h — the INI configuration (DESIGN §8), loaded once at start-up into a struct
 * the caller owns.
 *
 * The schema is a table in config.c: one line per key (type, range, default, required).
 * Every value is checked at load; the first bad one fails the load with exactly
 *
 *   FILE:LINE: section.key: expected WHAT, found "VALUE"
 *   FILE:LINE: section.key: unknown key
 *   FILE:LINE: section.key: duplicate key (first at line N)
 *   FILE:LINE: section: unknown section          (also: duplicate section)
 *   FILE: section.key: required key missing
 *
 * in the tt_err trail (code -TT_ECONFIG). Sections:
 *
 *   [engine]             instance, host, flavor (must equal TT_FLAVOR_NAME), log_dir,
 *                        clock_shm
 *   [ring.NAME]          slot_size, capacity (powers of two), mode, wait, shm
 *   [instrument.SYMBOL]  id, venue, price_scale, qty_scale, tick_size, step_size, min_qty,
 *                        max_qty, min_notional (exact decimals → int64 at the scales)
 *   [venue.binance]      ws_url, rest_url, oe_url, ca_file, connect_timeout, sni
 *   [md]                 core, stale_after, book_depth, busy_poll
 *   [oe]                 core, credential, journal, journal_sync, journal_batch,
 *                        journal_batch_time, journal_capacity, recv_window, kill_file,
 *                        control_socket, auth
 *   [risk]               max_open_orders, orders_per_sec, order_burst, msgs_per_sec,
 *                        msg_burst, dup_window, max_gross_notional, daily_loss (all
 *                        required when the section is given; tt-oe requires the section
 *                        and, per traded instrument, the risk_* keys of [instrument.*])
 *
 * Value syntax: integers in decimal; bools true|false; durations an integer with unit
 * ns|us|ms|s ("500ms"); decimals "0.01" (places beyond the scale must be zeros); core
 * lists "2" or "2,3"; URLs scheme://host[:port][/path] (IPv6 as [::1]); strings are taken
 * verbatim (inih strips surrounding blanks and " ; comments"). Lines are at most
 * TT_CFG_LINE_MAX - 2 bytes (Debian's libinih has a fixed line buffer).
 * Loading is not thread safe (libinih's options are globals): load before threads start.
 */
#ifndef TT_CONFIG_H
#define TT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

#define TT_CFG_LINE_MAX	       200 /* libinih's line buffer, newline and NUL included */
#define TT_CFG_NAME_MAX	       32  /* names, symbols, shm names, NUL included */
#define TT_CFG_HOST_MAX	       128 /* host names, NUL included */
#define TT_CFG_PATH_MAX	       192 /* paths and URL paths, NUL included */
#define TT_CFG_RINGS_MAX       16
#define TT_CFG_INSTRUMENTS_MAX 64
#define TT_CFG_CORES_MAX       16
#define TT_CFG_SCALE_MAX       18 /* decimal places of a fixed-point value */
#define TT_CFG_PARAMS_MAX      32 /* keys of one free-form section ([strategy.NAME]) */
#define TT_CFG_STRATEGIES_MAX  4

/* Same values as tt_ring.h's enum tt_ring_mode / enum tt_ring_wait. */
enum tt_cfg_ring_mode { TT_CFG_RING_LOSSLESS = 0, TT_CFG_RING_LOSSY = 1 };
enum tt_cfg_wait { TT_CFG_WAIT_SPIN = 0, TT_CFG_WAIT_SPIN_YIELD = 1, TT_CFG_WAIT_FUTEX = 2 };
enum tt_cfg_venue { TT_CFG_VENUE_BINANCE = 0, TT_CFG_VENUE_KALSHI = 1 };

/* A CPU list: "2" or "2,3". n == 0: not set (no pinning). */
struct tt_cfg_cores {
	uint32_t n;		       /* entries used */
	uint16_t id[TT_CFG_CORES_MAX]; /* CPU ids, in file order, distinct */
};

/* scheme://host:port/path, or host:port (scheme and path empty). */
struct tt_cfg_url {
	char scheme[8];		    /* "wss", "ws", "https", "http"; "" for host:port */
	char host[TT_CFG_HOST_MAX]; /* name or IP literal; IPv6 without brackets */
	uint16_t port;		    /* explicit, or the scheme's default (443 / 80) */
	bool tls;		    /* scheme is wss or https */
	char path[TT_CFG_PATH_MAX]; /* "/..." with any query; "/" when absent */
};

struct tt_cfg_engine {
	char instance[TT_CFG_NAME_MAX];	 /* engine instance: prefixes shm and log names */
	char host[TT_CFG_HOST_MAX];	 /* host this instance runs on (labels, whitelist) */
	char flavor[16];		 /* equals TT_FLAVOR_NAME of this build */
	char log_dir[TT_CFG_PATH_MAX];	 /* root of logs/<env>/<process>/ */
	char clock_shm[TT_CFG_NAME_MAX]; /* tt_clock shm name; default "<instance>-clock" */
	char host_whitelist[TT_CFG_PATH_MAX]; /* prod: machine ids allowed to run, "id,id"; the
					       * prod flavor refuses to start elsewhere */
};

struct tt_cfg_ring {
	char name[TT_CFG_NAME_MAX]; /* edge name from the section, e.g. "md.strat" */
	uint32_t slot_size;	    /* bytes per slot, power of two, 64..65536 */
	uint32_t capacity;	    /* slots, power of two, 2..2^24 */
	uint32_t mode;		    /* enum tt_cfg_ring_mode */
	uint32_t wait;		    /* enum tt_cfg_wait; default futex */
	char shm[TT_CFG_NAME_MAX];  /* shared-memory name of the ring */
};

struct tt_cfg_instrument {
	char symbol[TT_CFG_NAME_MAX]; /* venue symbol from the section, e.g. "BTCUSDT" */
	uint32_t id;		      /* small integer id on the rings, unique */
	uint32_t venue;		      /* enum tt_cfg_venue */
	uint32_t price_scale;	      /* decimal places of prices, 0..18 */
	uint32_t qty_scale;	      /* decimal places of quantities, 0..18 */
	int64_t tick_size;	      /* price increment, at price_scale, > 0 */
	int64_t step_size;	      /* quantity increment, at qty_scale, > 0 */
	int64_t min_qty;	      /* at qty_scale */
	int64_t max_qty;	      /* at qty_scale, >= min_qty */
	int64_t min_notional;	      /* price * qty floor, at price_scale; default 0 */
	int64_t max_notional;	      /* price * qty ceiling, at price_scale; 0 = none */
	int64_t risk_max_qty;	      /* tt-oe: per-order qty limit, qty_scale; 0 = unset */
	int64_t risk_max_notional;    /* tt-oe: per-order notional limit, price_scale; 0 = unset */
	int64_t risk_max_position;    /* tt-oe: |position| limit, qty_scale; 0 = unset */
	uint32_t risk_collar_bps;     /* tt-oe: price collar around the reference, bps; 0 = unset */
};

struct tt_cfg_binance {
	bool present;		       /* the [venue.binance] section was given */
	struct tt_cfg_url ws_url;      /* market streams (wss/ws) */
	struct tt_cfg_url rest_url;    /* REST API (https/http) */
	struct tt_cfg_url oe_url;      /* WebSocket API for order entry (wss/ws) */
	char ca_file[TT_CFG_PATH_MAX]; /* CA bundle to verify the venue; "" = system */
	int64_t connect_timeout_ns;    /* default 5s */
	char sni[TT_CFG_HOST_MAX];     /* TLS server name; "" = the URL's host */
};

struct tt_cfg_md {
	struct tt_cfg_cores core; /* CPUs tt-md may run on; empty = no pinning */
	int64_t stale_after_ns;	  /* book is stale after this silence; default 5s */
	uint32_t book_depth;	  /* levels kept per side, 1..5000; default 20 */
	bool busy_poll;		  /* spin on the completion queue; default false */
	uint32_t snapshot_limit;  /* REST depth snapshot levels (limit=), 5..5000; default 1000 */
	int64_t reconnect_after_ns; /* planned reconnect before the venue's 24 h connection
				     * limit; default 23h50m */
};

/* [strat]: the tt-strat process. */
struct tt_cfg_strat {
	struct tt_cfg_cores core;	/* CPUs tt-strat may run on; empty = no pinning */
	char strategy[TT_CFG_NAME_MAX];	/* registry name of the strategy to run; default "taker" */
	int64_t timer_ns;		/* on_timer period; default 100ms */
};

/* A free-form section, [strategy.NAME]: its keys belong to the strategy, which checks
 * them itself (with the file and line kept here) and refuses unknown ones. */
struct tt_cfg_param {
	char key[TT_CFG_NAME_MAX];
	char value[TT_CFG_LINE_MAX];
	int line;
};
struct tt_cfg_params {
	char name[TT_CFG_NAME_MAX];	/* NAME of [strategy.NAME] */
	uint32_t n;			/* params used */
	struct tt_cfg_param p[TT_CFG_PARAMS_MAX];
};

enum tt_cfg_jsync { TT_CFG_JSYNC_NONE = 0, TT_CFG_JSYNC_BATCH = 1, TT_CFG_JSYNC_ALWAYS = 2 };
enum tt_cfg_auth { TT_CFG_AUTH_ED25519 = 0, TT_CFG_AUTH_HMAC = 1 };
struct tt_cfg_oe {
	bool present;			      /* the [oe] section was given */
	struct tt_cfg_cores core;	      /* CPUs tt-oe may run on */
	char credential[TT_CFG_PATH_MAX];     /* tagged credential file (tt_cred.h), required */
	char journal[TT_CFG_PATH_MAX];	      /* journal file, required */
	uint32_t journal_sync;		      /* enum tt_cfg_jsync; default batch */
	uint32_t journal_batch;		      /* batch: sync after this many records; default 64 */
	int64_t journal_batch_time_ns;	      /* batch: or after this long; default 10ms */
	uint32_t journal_capacity;	      /* records preallocated; default 1048576 */
	int64_t recv_window_ns;		      /* recvWindow sent to the venue; default 5s, ≤ 60s */
	char kill_file[TT_CFG_PATH_MAX];      /* kill switch engaged while this file exists */
	char control_socket[TT_CFG_PATH_MAX]; /* unix socket: kill, status, cancel-all */
	uint32_t auth;			      /* enum tt_cfg_auth; default ed25519 */
};
struct tt_cfg_risk {
	bool present;		     /* the [risk] section was given */
	uint32_t max_open_orders;    /* open orders, all instruments */
	uint32_t orders_per_sec;     /* new order rate */
	uint32_t order_burst;	     /* its bucket size */
	uint32_t msgs_per_sec;	     /* all requests (orders, cancels, replaces) */
	uint32_t msg_burst;	     /* its bucket size */
	int64_t dup_window_ns;	     /* same order again within this is refused; 0 = off */
	int64_t max_gross_notional;  /* Σ |position| × ref, price units; 0 = off */
	int64_t daily_loss;	     /* realized + unrealized ≤ −this stops trading, price units */
};
struct tt_config {
	char path[TT_CFG_PATH_MAX];    /* file it was loaded from (or the name given) */
	struct tt_cfg_engine engine;   /* [engine], required */
	struct tt_cfg_binance binance; /* [venue.binance], optional */
	struct tt_cfg_md md;	       /* [md], optional (defaults) */
	struct tt_cfg_oe oe;	       /* [oe], optional (tt-oe requires it) */
	struct tt_cfg_risk risk;       /* [risk], optional (tt-oe requires it) */
	uint32_t n_rings;	       /* rings[0..n_rings) in file order */
	struct tt_cfg_ring rings[TT_CFG_RINGS_MAX];
	uint32_t n_instruments; /* instruments[0..n_instruments) in file order */
	struct tt_cfg_instrument instruments[TT_CFG_INSTRUMENTS_MAX];
	struct tt_cfg_strat strat;     /* [strat], optional (defaults) */
	uint32_t n_strategies;	       /* [strategy.NAME] sections in file order */
	struct tt_cfg_params strategies[TT_CFG_STRATEGIES_MAX];
};

/*
 * Load and validate the INI file at `path` into *cfg (caller storage, zeroed first).
 * Returns 0, or -TT_ECONFIG with the message above in the tt_err trail (-errno when the
 * file cannot be opened). On failure *cfg is zeroed, never half-filled.
 */
int tt_config_load(struct tt_config *cfg, const char *path) __tt_cold TT_WUR;

/* Same, from `len` bytes of text in memory; `name` stands for FILE in messages. */
int tt_config_load_mem(struct tt_config *cfg, const char *name, const char *text,
		       size_t len) __tt_cold TT_WUR;

/* Lookups; NULL when absent. The pointers stay valid as long as *cfg. */
const struct tt_cfg_ring *tt_config_ring(const struct tt_config *cfg, const char *name);
const struct tt_cfg_instrument *tt_config_instrument(const struct tt_config *cfg,
						     const char *symbol);
const struct tt_cfg_params *tt_config_strategy(const struct tt_config *cfg, const char *name);
const struct tt_cfg_instrument *tt_config_instrument_by_id(const struct tt_config *cfg,
							   uint32_t id);

#endif /* TT_CONFIG_H */
