/*
 * guard_prod_hosts.c — the production flavor's endpoint allow-list (DESIGN §6,
 * VENUES.md "Production hosts"). Prod-only: it refuses to compile outside the prod
 * flavor, and engine/core/net/CMakeLists.txt leaves every src/ *_prod*.c out of other
 * builds, so no testnet binary holds these names as allowed hosts.
 *
 * Order matters (first match wins): Binance demo mode (real account, fake funds) and the
 * testnet/demo hosts are refused before the production hosts are allowed.
 */
#ifndef TT_FLAVOR_PROD
#error "guard_prod_hosts.c is prod-only: build it only with TT_FLAVOR=prod"
#endif

#include "guard_internal.h"

static const struct tt__guard_rule tt_guard_prod_rules[] = {
    {{"localhost"}, 1, TT__GM_EXACT, 1, NULL, "loopback_name"},
    {{"com", "binance"}, 2, TT__GM_SUB, 0, "demo-", "deny_binance_demo"},
    {{"vision", "binance", "testnet"}, 3, TT__GM_BOTH, 0, NULL, "deny_testnet_in_prod"},
    {{"co", "kalshi"}, 2, TT__GM_BOTH, 0, NULL, "deny_demo_in_prod"},
    {{"com", "binance", "api"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "api1"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "api2"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "api3"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "api4"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "api-gcp"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "ws-api"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "stream"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "stream-sbe"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance", "data-stream"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance"},
    {{"com", "binance"}, 2, TT__GM_SUB, 1, "fix-", "prod_binance_fix"},
    {{"vision", "binance", "data-api"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance_data"},
    {{"vision", "binance", "data-stream"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance_data"},
    {{"vision", "binance", "data"}, 3, TT__GM_EXACT, 1, NULL, "prod_binance_data"},
    {{"com", "kalshi"}, 2, TT__GM_SUB, 1, NULL, "prod_kalshi"},
};

TT_HIDDEN const struct tt__guard_policy tt__guard_prod_policy = {
    tt_guard_prod_rules, TT_ARRAY_LEN(tt_guard_prod_rules), "prod"};
