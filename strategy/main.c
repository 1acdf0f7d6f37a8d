/* tt-strat: strategy process. Everything is in strategy/run.c (tt_strat_run.h). */
#include "tt_strat_run.h"

int main(int argc, char **argv)
{
	return tt_strat_main(argc, argv);
}
