/*
 * tt_strat_run.h — the tt-strat process (DESIGN §1): md.strat (market events) and oe.strat
 * (execution reports) in, strategy callbacks, strat.oe (intents) out. Exec reports are
 * taken before market events (positions first), the strategy's timer runs every
 * [strat] timer. Intents carry the causing event's t_rx and the strat-received /
 * strat-decided stage stamps (tt_strat.h).
 */
#ifndef TT_STRAT_RUN_H
#define TT_STRAT_RUN_H

#include "tt_compiler.h"

/* tt-strat [--config FILE] [--run-for SECONDS] [--report]; returns the exit status. */
int tt_strat_main(int argc, char **argv) __tt_cold;

#endif /* TT_STRAT_RUN_H */
