/*
 * tt_logsrv.h — `tt-logs serve` and `tt-logs --remote` (DESIGN §7, §10): the log queries
 * over HTTPS, read-only, so an agent on the dev host can read prod logs and change nothing.
 *
 * Server: OpenSSL, one connection at a time (a query tool, not a web server), bound to
 * loopback by default; peers outside the allow-list are refused before TLS; every request
 * needs "Authorization: Bearer <token>" (constant-time compare) and is rate limited (token
 * bucket) and written to the audit log as one JSON line (peer, method, path, status,
 * bytes). Only GET exists: any other method is 405, there is no route that writes.
 *
 *   GET /v1/query?env=&proc=&level=&since=&until=&event=&order=&limit=   NDJSON lines
 *   GET /v1/denied?...   GET /v1/timeline?order=ID   GET /v1/events      (same filters)
 *
 * Client: guard-checked endpoint (tt_guard_check_endpoint: the testnet flavor reaches
 * loopback only), TLS verified against a CA file and the host name, token from a file.
 */
#ifndef TT_LOGSRV_H
#define TT_LOGSRV_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"

#define TT_LOGSRV_ALLOW_MAX 16

struct tt_logsrv_cfg {
	const char *root;			/* log tree served */
	const char *listen;			/* "127.0.0.1:8443" or "[::1]:8443" */
	const char *cert;			/* PEM certificate chain */
	const char *key;			/* PEM private key */
	const char *token;			/* bearer token (read from a file by the caller) */
	const char *audit;			/* audit log path (JSON lines, appended) */
	const char *allow[TT_LOGSRV_ALLOW_MAX]; /* peer IPs allowed; empty: loopback only */
	unsigned rate;				/* requests per second (burst 2x); 0: 10 */
	const char *port_file; /* when set, the bound port is written there (tests: port 0) */
};

/* Serves until *stop. 0 or -errno with a trail. */
int tt_logsrv_run(const struct tt_logsrv_cfg *cfg, volatile sig_atomic_t *stop) TT_WUR;

/* GET url + path_query (e.g. "/v1/query?proc=tt-oe") from a tt-logs server; the body is
 * written to out. Returns the HTTP status (200 …) or -errno with a trail. */
int tt_logsrv_get(const char *url, const char *path_query, const char *token, const char *cafile,
		  FILE *out) TT_WUR;

#endif /* TT_LOGSRV_H */
