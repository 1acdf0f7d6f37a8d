/*
 * tt_prod.h — prod-only interface: production endpoints, the production credential
 * loader and the host whitelist. Exists only in the prod flavor; including it anywhere
 * else is a compile error, and its names are poisoned in testnet translation units.
 */
#ifndef TT_PROD_H
#define TT_PROD_H

#ifndef TT_FLAVOR_PROD
#error "ticktrade: prod-only header tt_prod.h included outside the prod flavor"
#endif

#include <stddef.h>
#include <stdint.h>

struct tt_prod_endpoint {
	const char *venue;	/* "binance", "kalshi" */
	const char *purpose;	/* "md", "oe", "rest" */
	const char *host;
	uint16_t port;
	const char *path;
};

extern const struct tt_prod_endpoint tt_prod_endpoints[];
extern const size_t tt_prod_endpoint_count;

/* Path of the production config (prod.ini). */
const char *tt_prod_config_path(void);

#endif /* TT_PROD_H */
