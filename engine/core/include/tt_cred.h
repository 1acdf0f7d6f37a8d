/*
 * tt_cred.h — credential loading with environment tags (DESIGN §6, run-time layer).
 *
 * A credential file is INI with one [credential] section:
 *
 *   [credential]
 *   env = testnet             ; REQUIRED tag: testnet | prod
 *   venue = binance           ; binance | kalshi
 *   key_type = ed25519        ; ed25519 | hmac | rsa
 *   key_id = <api key id>
 *   secret_file = key.pem     ; PEM private key or HMAC secret, relative to this file
 *
 * Policy (the build flavor decides, nothing at run time can relax it):
 *   - testnet binaries load only env=testnet; env=prod → refused ("prod_tagged");
 *     no env line → refused ("untagged": an untagged credential might be a real one);
 *   - a credential whose resolved path (symlinks followed, also for secret_file) lies in
 *     a production location is refused whatever its tag ("prod_location"): any
 *     directory component named "prod" or "production", or a file name containing
 *     ".prod.";
 *   - a credential or secret file with more than one name (hard links) is refused
 *     ("hard_linked"): realpath() can't tell whether another name is a production one;
 *   - prod binaries load only env=prod.
 * Every refusal is one `denied` event (what=credential) and -TT_EDENIED.
 */
#ifndef TT_CRED_H
#define TT_CRED_H

#include <limits.h>
#include <stddef.h>

#include "tt_compiler.h"

struct tt_cred {
	char env[16];			/* "testnet" or "prod" */
	char venue[16];			/* "binance", "kalshi" */
	char key_type[16];		/* "ed25519", "hmac", "rsa" */
	char key_id[256];		/* API key id, as the venue issued it */
	char secret_file[PATH_MAX];	/* resolved absolute path of the secret */
};

/* Loads and checks the credential file at path into c (caller storage). 0, -TT_EDENIED
 * (denied event emitted), -TT_ECONFIG (malformed: FILE:LINE: key: what), or -errno. */
int tt_cred_load(struct tt_cred *c, const char *path) TT_WUR;

/* The location rule alone, on an already resolved absolute path: 0 or -TT_EDENIED
 * (no event; tt_cred_load emits it). */
int tt_cred_check_location(const char *resolved_path) TT_WUR;

/* Host identity for prod binaries: reads the machine id (machine_id_path, normally
 * /etc/machine-id) and returns 0 when it equals one of the n whitelist entries,
 * -TT_EDENIED (denied event, what=host) when it is not, -errno when unreadable. */
int tt_host_check(const char *const *whitelist, size_t n, const char *machine_id_path) TT_WUR;

struct tt_config;

/* First call of every process after its config loads. Testnet: 0. Prod: the machine id
 * (/etc/machine-id, no override) must be in [engine] host_whitelist ("id,id,…"), else one
 * denied event (what=host) and -TT_EDENIED — the process must exit. */
int tt_flavor_start(const struct tt_config *cfg) TT_WUR;

#endif /* TT_CRED_H */
