/*
 * tt_logring.h — the per-process (per-thread) lossy log ring behind tt_logh() (DESIGN §7).
 *
 * Name: "<instance>.log.<proc>" for the main logging thread, "<instance>.log.<proc>.t<N>"
 * for thread tag N > 0 (POSIX shm, /dev/shm/<name>). Slots are struct tt_log_rec (64 B);
 * the ring's msg_version is TT_LOGRING_MSG_VERSION so a writer built from another event
 * catalogue fails to attach instead of misreading ids.
 *
 * The producer creates its own ring (the supervisor need not know about it) or re-attaches
 * to the one a previous incarnation left, resuming where the writer stands. tt-logwriter
 * finds rings by scanning /dev/shm for the "<instance>.log." prefix.
 *
 *   (no ring) --tt_logring_open()--> tt_logh writes binary records
 *             <-tt_logring_close()-- tt_logh formats JSON directly again
 */
#ifndef TT_LOGRING_H
#define TT_LOGRING_H

#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"
#include "tt_log.h"
#include "tt_ring.h"

#define TT_LOGRING_MSG_VERSION (0x4c470000u | TT_EVENTS_VERSION) /* "LG" + catalogue */
#define TT_LOGRING_CAP_DEFAULT 4096u

/* Ring parameters for a log ring of `capacity` slots (power of two). */
struct tt_ring_params tt_logring_params(uint32_t capacity);

/* Writes the ring name into out (cap bytes). 0, or -EINVAL (bad characters in instance/proc:
 * [A-Za-z0-9_-] only) / -ENAMETOOLONG, with a trail. */
int tt_logring_name(char *out, size_t cap, const char *instance, const char *proc,
		    uint32_t tid) TT_WUR;

/* Opens (creates if missing or of another layout) the calling thread's log ring and makes
 * tt_logh() write into it. capacity 0 = TT_LOGRING_CAP_DEFAULT. 0 or -errno with a trail
 * (-EBUSY: a live process already produces into this ring). Cold; call once per thread. */
int tt_logring_open(const char *instance, const char *proc, uint32_t tid, uint32_t capacity) TT_WUR;

/* Detaches the thread's ring (records already published stay for the writer). */
void tt_logring_close(void);

#endif /* TT_LOGRING_H */
