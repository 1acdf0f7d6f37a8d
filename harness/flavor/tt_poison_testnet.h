/*
 * tt_poison_testnet.h — force-included (-include) into every translation unit of the
 * testnet flavor. Any mention of a prod-only identifier after this point is a hard
 * compile error ("attempt to use poisoned ..."). The list is the public surface of
 * harness/prod/ (tt_prod.h): keep the two in step; tests/harness checks both.
 */
#ifndef TT_POISON_TESTNET_H
#define TT_POISON_TESTNET_H

#pragma GCC poison tt_prod_endpoints tt_prod_endpoint_count tt_prod_credentials_load
#pragma GCC poison tt_prod_host_whitelist_check tt_flavor_prod_marker tt_prod_config_path

#endif /* TT_POISON_TESTNET_H */
