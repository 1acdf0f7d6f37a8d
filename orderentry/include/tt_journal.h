/*
 * tt_journal.h — tt-oe's append-only order journal (DESIGN §5): "no fill is ever lost or
 * double counted".
 *
 * File layout: a preallocated file of 64-byte records. Record 0 is the header (magic,
 * version, session id); records 1.. are events with seq = 1, 2, 3 … (seq == record
 * index). Each record carries a CRC-32C over its bytes 4..63. Unwritten space is zero.
 *
 * Writing (hot path, no syscall): tt_journal_append copies the record into a MAP_SHARED
 * mapping of the file. The page cache then owns it, so a crash or kill -9 of tt-oe
 * loses nothing that append returned for. Durability against power loss is the fsync
 * policy's job: tt_journal_flush (called from the loop, off the critical path) issues
 * msync(MS_ASYNC)/fdatasync per policy:
 *
 *   none   — never sync: a power failure may lose everything since the OS last wrote back
 *            (typically ≤ 30 s, vm.dirty_expire_centisecs);
 *   batch  — fdatasync when ≥ batch_records are pending or batch_ns elapsed since the
 *            last sync: a power failure loses at most that window;
 *   always — fdatasync on every flush call that has pending records.
 *
 * Whatever the window, reconciliation closes it: on restart, replay rebuilds orders from
 * the surviving records, then tt-oe asks the venue (order.status, openOrders.status,
 * account trades) and journals every difference as a RECONCILE record. The venue is the
 * source of truth for what happened during the lost window.
 *
 * Recovery (tt_journal_open on an existing file) scans forward:
 *   valid record (CRC ok, seq == index, known type)      → keep;
 *   all-zero record                                       → end of log;
 *   invalid record with only zero/invalid bytes after it  → torn tail: cut there, counted;
 *   invalid record with a valid record after it           → mid-file corruption: the open
 *                                                           fails with -TT_EPROTO naming
 *                                                           the record; never skipped.
 */
#ifndef TT_JOURNAL_H
#define TT_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

#define TT_JOURNAL_MAGIC 0x4c4e524a4b545431ull /* "1TTKJRNL" */
#define TT_JOURNAL_VERSION 1u
#define TT_JREC_SIZE 64

enum tt_jrec_type {
	TT_JREC_NONE = 0,
	TT_JREC_HEADER = 1,	/* record 0 only */
	TT_JREC_INTENT = 2,	/* order intent accepted by risk, before sending */
	TT_JREC_SEND = 3,	/* bytes handed to the kernel */
	TT_JREC_ACK = 4,	/* venue accepted (NEW) */
	TT_JREC_FILL = 5,	/* execution: last qty/px, trade id */
	TT_JREC_REJECT = 6,	/* risk or venue reject */
	TT_JREC_CANCEL = 7,	/* cancel requested */
	TT_JREC_CANCELED = 8,	/* venue confirmed cancel / expiry */
	TT_JREC_RECONCILE = 9,	/* difference found against the venue after restart */
	TT_JREC_TYPE_MAX
};

/* One record. a..d are type-specific (see each type's comment in journal.c). */
struct tt_jrec {
	uint32_t crc;		/* CRC-32C of bytes 4..63 */
	uint8_t type;		/* enum tt_jrec_type */
	uint8_t side;		/* enum tt_side */
	uint16_t instr;		/* instrument id */
	uint64_t seq;		/* == record index, 1.. */
	uint64_t ts_ns;		/* CLOCK_REALTIME ns when journaled */
	uint64_t cl_ord_id;	/* client order id */
	int64_t a;		/* INTENT: px; FILL: last px; REJECT: reason */
	int64_t b;		/* INTENT: qty; FILL: last qty */
	int64_t c;		/* INTENT: type|tif<<8; FILL: venue trade id; ACK: venue order id */
	int64_t d;		/* FILL: venue order id; free otherwise */
};
_Static_assert(sizeof(struct tt_jrec) == TT_JREC_SIZE, "journal record size");

enum tt_journal_sync { TT_JSYNC_NONE = 0, TT_JSYNC_BATCH = 1, TT_JSYNC_ALWAYS = 2 };

struct tt_journal_opts {
	uint64_t capacity;	/* records the file holds (preallocated); ≥ 16 */
	uint32_t sync;		/* enum tt_journal_sync */
	uint32_t batch_records;	/* BATCH: sync when this many are pending */
	uint64_t batch_ns;	/* BATCH: or when this long since the last sync */
	uint64_t session_id;	/* written in the header of a new file */
};

struct tt_journal {
	int fd;
	struct tt_jrec *map;	/* record 0 = header */
	uint64_t capacity;
	uint64_t next_seq;	/* seq of the next append */
	uint64_t synced_seq;	/* last seq covered by a completed fdatasync */
	uint64_t last_sync_ns;
	struct tt_journal_opts opts;
	uint64_t cut_records;	/* recovery: torn records cut from the tail */
	bool sticky_error;	/* set on a failed sync: refuses appends until reopened */
	char path[PATH_MAX];
};

/* Opens (creating if absent) the journal at path with caller storage j. An existing
 * file is recovered as described above; the counts are in j->next_seq - 1 (records kept)
 * and j->cut_records. 0, -TT_EPROTO (mid-file corruption or a foreign file), -errno. */
int tt_journal_open(struct tt_journal *j, const char *path, const struct tt_journal_opts *o) TT_WUR;

/* Appends one record (type and payload from r; crc, seq and ts are set here).
 * Returns the record's seq (> 0), -ENOSPC when the file is full, -TT_ESTATE after a
 * failed sync. No syscall. */
int64_t tt_journal_append(struct tt_journal *j, const struct tt_jrec *r) TT_WUR;

/* Applies the sync policy to pending records. 0 or -errno (then sticky). */
int tt_journal_flush(struct tt_journal *j) TT_WUR;

/* Iterates over kept records 1..next_seq-1 in order: cb returns 0 to go on. */
int tt_journal_replay(const struct tt_journal *j,
		      int (*cb)(const struct tt_jrec *r, void *arg), void *arg);

/* Syncs everything (regardless of policy), unmaps, closes. Safe on a zeroed j. */
void tt_journal_close(struct tt_journal *j);

#endif /* TT_JOURNAL_H */
