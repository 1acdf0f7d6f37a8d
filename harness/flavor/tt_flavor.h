/*
 * tt_flavor.h — which build flavor this binary is (DESIGN §6), decided at compile time
 * (TT_FLAVOR_TESTNET / TT_FLAVOR_PROD from CMake) and proven at link time by the flavor
 * marker library linked into every binary.
 *
 * Layers, each proven by a test that fails without it (tests/harness/):
 *   compile: prod-only sources #error outside the prod flavor; testnet translation units
 *            are force-included with tt_poison_testnet.h, which poisons prod-only names;
 *   link:    libttflavor_<flavor>.a defines tt_flavor_marker (same strong symbol in both,
 *            so linking both fails) and tt_flavor_<flavor>_marker; testnet binaries link
 *            with flavor_testnet.ld, which ASSERTs that tt_flavor_prod_marker is undefined
 *            (this also catches a prod shared library, where duplicate symbols would not);
 *   scan:    after linking, scan-binary.sh fails the build when a testnet binary holds a
 *            production hostname, a prod-only symbol or the prod marker;
 *   scan:    ... and a needed shared library holding the prod marker (ldd);
 *   run:     the endpoint guard (engine/core/net/tt_guard.h) and credential checks; every
 *            prod object's constructor (harness/prod/flavor_prod.c) ends a process whose
 *            main program holds the testnet marker (dlopen, LD_PRELOAD, a link without
 *            the linker script): denied event, exit 126.
 * tests/redteam/ tries each of these (README.md there lists every case and its layer).
 */
#ifndef TT_FLAVOR_H
#define TT_FLAVOR_H

/* "testnet" or "prod": read from the marker object actually linked in. */
const char *tt_flavor_name(void);

/* true in the prod flavor library, false in the testnet one (the marker linked in, not a
 * compile-time define, decides). tt_flavor_start (tt_cred.h) uses it. */
int tt__flavor_is_prod(void);

#endif /* TT_FLAVOR_H */
