/*
 * endpoints_prod.c — production endpoints. Prod-only source (DESIGN §6): the only place
 * outside deny-lists where production hostnames may appear.
 */
#ifndef TT_FLAVOR_PROD
#error "ticktrade: prod-only source compiled outside the prod flavor (harness/prod/endpoints_prod.c)"
#endif
#include "tt_prod.h"

const struct tt_prod_endpoint tt_prod_endpoints[] = {
	{ "binance", "md", "stream.binance.com", 9443, "/stream" },
	{ "binance", "rest", "api.binance.com", 443, "/api/v3" },
	{ "binance", "oe", "ws-api.binance.com", 443, "/ws-api/v3" },
	{ "kalshi", "rest", "api.elections.kalshi.com", 443, "/trade-api/v2" },
	{ "kalshi", "md", "api.elections.kalshi.com", 443, "/trade-api/ws/v2" },
};
const size_t tt_prod_endpoint_count = sizeof(tt_prod_endpoints) / sizeof(tt_prod_endpoints[0]);

const char *tt_prod_config_path(void)
{
	return "config/prod.ini";
}
