/*
 * flavor_testnet.c — the testnet flavor marker. Linked whole into every testnet binary.
 * tt_flavor_marker is defined by both flavor libraries: linking both is a duplicate
 * strong symbol, a link error.
 */
#include "tt_flavor.h"

__attribute__((used)) const char tt_flavor_marker[] = "ticktrade-flavor:testnet";
__attribute__((used)) const char tt_flavor_testnet_marker[] = "testnet";

const char *tt_flavor_name(void)
{
	return tt_flavor_testnet_marker;
}

int tt__flavor_is_prod(void)
{
	return 0;
}
