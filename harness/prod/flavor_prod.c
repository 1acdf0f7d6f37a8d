/*
 * flavor_prod.c — the prod flavor marker. Prod-only source: refuses to compile elsewhere.
 */
#ifndef TT_FLAVOR_PROD
#error "ticktrade: prod-only source compiled outside the prod flavor (harness/prod/flavor_prod.c)"
#endif
#include "tt_flavor.h"

__attribute__((used)) const char tt_flavor_marker[] = "ticktrade-flavor:prod";
__attribute__((used)) const char tt_flavor_prod_marker[] = "prod";

const char *tt_flavor_name(void)
{
	return tt_flavor_prod_marker;
}
