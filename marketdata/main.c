/* tt-md: market data process. Everything is in marketdata/src/run.c (tt_md_run.h). */
#include "tt_md_run.h"

int main(int argc, char **argv)
{
	return tt_md_main(argc, argv);
}
