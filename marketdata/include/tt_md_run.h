/*
 * tt_md_run.h — the tt-md process (DESIGN §1): venue feeds → scanners → L2 books →
 * normalized events on rings. marketdata/main.c is a thin wrapper over tt_md_main().
 *
 *   tt-venue ──TLS WebSocket /stream?streams=…──▶ on_msg (t_rx = reap stamp)
 *        └──HTTPS GET /api/v3/depth (one at a time)──▶ on_snapshot
 *   → tt_md_bn_scan → tt_md_sync_on_* (book sync per instrument) → publish:
 *        md.strat (lossless; waits for space, never forever), md.ref (lossy, BOOK_TOP only),
 *        md.gui, md.analytics (lossy side rings)
 *
 * Every published message gets the "md published" stage stamp (BOOK_TOP/TRADE: h.flags,
 * BOOK_DELTA: t_pub). Malformed frames are counted, logged (md_parse_error) and resync
 * the instrument; a serverShutdown event or the 24 h connection limit triggers a planned
 * reconnect; after any reconnect every book resyncs from a fresh snapshot.
 */
#ifndef TT_MD_RUN_H
#define TT_MD_RUN_H

#include "tt_compiler.h"

/* tt-md [--config FILE] [--create-rings] [--dump FILE] [--run-for SECONDS] [--report]
 * Returns the process exit status (0 after SIGTERM/SIGINT or --run-for). */
int tt_md_main(int argc, char **argv) __tt_cold;

#endif /* TT_MD_RUN_H */
