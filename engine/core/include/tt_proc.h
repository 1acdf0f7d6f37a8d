/*
 * tt_proc.h — process set-up shared by tt-md, tt-strat and tt-oe: lock and pre-fault the
 * hot memory so the hot path never takes a page fault (DESIGN §1, Engine issue).
 */
#ifndef TT_PROC_H
#define TT_PROC_H

#include <stdbool.h>

/* mlockall(MCL_CURRENT | MCL_FUTURE) and a pre-faulted stack. Where the process may not
 * lock memory (no CAP_IPC_LOCK and a small RLIMIT_MEMLOCK, or inside tt-sandbox) it logs
 * one clear warning (mlock_unavailable, with the errno and the fix) and goes on. Returns
 * whether memory is locked. Call after the big buffers are set up, before the loop. */
bool tt_proc_lock_memory(void);

#endif /* TT_PROC_H */
