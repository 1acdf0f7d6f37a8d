/*
 * journal.c — the order journal (tt_journal.h). Invariants: records 1..next_seq-1 are
 * valid (CRC ok, seq == index); every record from next_seq on is zero until appended;
 * synced_seq ≤ next_seq - 1. The file is preallocated with fallocate so appends never
 * extend it (no metadata update on the hot path, no SIGBUS on a full disk).
 */
#include "tt_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt_crc32c.h"
#include "tt_err.h"

static uint64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t rec_crc(const struct tt_jrec *r)
{
	return tt_crc32c(0, (const unsigned char *)r + 4, TT_JREC_SIZE - 4);
}

static bool rec_is_zero(const struct tt_jrec *r)
{
	static const struct tt_jrec zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static bool rec_is_valid(const struct tt_jrec *r, uint64_t idx)
{
	return r->crc == rec_crc(r) && r->seq == idx && r->type > TT_JREC_HEADER &&
	       r->type < TT_JREC_TYPE_MAX;
}

/* Header record: a = magic, b = version, c = session id, d = capacity. */
static void write_header(struct tt_journal *j)
{
	struct tt_jrec *h = &j->map[0];

	memset(h, 0, sizeof(*h));
	h->type = TT_JREC_HEADER;
	h->seq = 0;
	h->ts_ns = now_ns(CLOCK_REALTIME);
	h->a = (int64_t)TT_JOURNAL_MAGIC;
	h->b = TT_JOURNAL_VERSION;
	h->c = (int64_t)j->opts.session_id;
	h->d = (int64_t)j->capacity;
	h->crc = rec_crc(h);
}

/* Scans an existing log; see the recovery table in tt_journal.h. */
static int recover(struct tt_journal *j)
{
	const struct tt_jrec *h = &j->map[0];
	uint64_t i, k;

	if (h->type != TT_JREC_HEADER || h->crc != rec_crc(h) || (uint64_t)h->a != TT_JOURNAL_MAGIC)
		return tt_err_set(-TT_EPROTO, "%s: not a ticktrade journal (bad header record)",
				  j->path);
	if ((uint64_t)h->b != TT_JOURNAL_VERSION)
		return tt_err_set(-TT_EVERSION, "%s: journal version: file has %lld, this build reads %u",
				  j->path, (long long)h->b, TT_JOURNAL_VERSION);
	for (i = 1; i < j->capacity; i++)
		if (!rec_is_valid(&j->map[i], i))
			break;
	/* i is the first zero or invalid record. A valid record anywhere after it means
	 * records in between were lost or damaged (e.g. a page never written back before a
	 * power failure): refuse, never skip. Otherwise everything non-zero from i on is a
	 * torn tail: cut it (zero it) so the invariant "zero from next_seq" holds. */
	for (k = i + 1; k < j->capacity; k++)
		if (rec_is_valid(&j->map[k], k))
			return tt_err_set(-TT_EPROTO,
					  "%s: record %llu is missing or corrupt but record %llu after it is valid: mid-file corruption, refusing to skip",
					  j->path, (unsigned long long)i, (unsigned long long)k);
	for (k = i; k < j->capacity; k++) {
		if (rec_is_zero(&j->map[k]))
			continue;
		memset(&j->map[k], 0, sizeof(j->map[k]));
		j->cut_records++;
	}
	if (j->cut_records && msync(j->map, j->capacity * TT_JREC_SIZE, MS_SYNC) != 0)
		return tt_err_set(-errno, "%s: msync after cutting torn tail: %s", j->path,
				  strerror(errno));
	j->next_seq = i;
	j->synced_seq = i - 1;
	return 0;
}

int tt_journal_open(struct tt_journal *j, const char *path, const struct tt_journal_opts *o)
{
	struct stat st;
	size_t len;
	bool fresh;
	int rc;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (o->capacity < 16 || o->sync > TT_JSYNC_ALWAYS)
		return tt_err_set(-EINVAL, "%s: journal options: capacity %llu (min 16), sync %u",
				  path, (unsigned long long)o->capacity, o->sync);
	if (strlen(path) >= sizeof(j->path))
		return tt_err_set(-ENAMETOOLONG, "journal path too long");
	strcpy(j->path, path);
	j->opts = *o;
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return tt_err_set(-errno, "open(\"%s\", O_RDWR|O_CREAT): %s", path, strerror(errno));
	if (fstat(j->fd, &st) != 0) {
		rc = tt_err_set(-errno, "fstat(%s): %s", path, strerror(errno));
		goto out_close;
	}
	fresh = st.st_size == 0;
	if (fresh) {
		j->capacity = o->capacity;
		rc = posix_fallocate(j->fd, 0, (off_t)(j->capacity * TT_JREC_SIZE));
		if (rc != 0) {
			rc = tt_err_set(-rc, "posix_fallocate(%s, %llu bytes): %s", path,
					(unsigned long long)(j->capacity * TT_JREC_SIZE), strerror(rc));
			goto out_close;
		}
	} else {
		if (st.st_size % TT_JREC_SIZE != 0 || st.st_size < 16 * TT_JREC_SIZE) {
			rc = tt_err_set(-TT_EPROTO, "%s: size %lld is not a journal's", path,
					(long long)st.st_size);
			goto out_close;
		}
		j->capacity = (uint64_t)st.st_size / TT_JREC_SIZE;
	}
	len = j->capacity * TT_JREC_SIZE;
	j->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, j->fd, 0);
	if (j->map == MAP_FAILED) {
		j->map = NULL;
		rc = tt_err_set(-errno, "mmap(%s, %zu): %s", path, len, strerror(errno));
		goto out_close;
	}
	if (fresh) {
		write_header(j);
		j->next_seq = 1;
		if (fdatasync(j->fd) != 0) {
			rc = tt_err_set(-errno, "fdatasync(%s): %s", path, strerror(errno));
			goto out_unmap;
		}
	} else {
		rc = recover(j);
		if (rc)
			goto out_unmap;
	}
	j->last_sync_ns = now_ns(CLOCK_MONOTONIC);
	return 0;

out_unmap:
	munmap(j->map, len);
	j->map = NULL;
out_close:
	close(j->fd);
	j->fd = -1;
	return rc;
}

int64_t tt_journal_append(struct tt_journal *j, const struct tt_jrec *r)
{
	struct tt_jrec *slot;

	if (tt_unlikely(j->sticky_error))
		return tt_err_set(-TT_ESTATE, "%s: journal is in error state after a failed sync",
				  j->path);
	if (tt_unlikely(j->next_seq >= j->capacity))
		return tt_err_set(-ENOSPC, "%s: journal full (%llu records)", j->path,
				  (unsigned long long)j->capacity);
	slot = &j->map[j->next_seq];
	*slot = *r;
	slot->seq = j->next_seq;
	slot->ts_ns = now_ns(CLOCK_REALTIME);
	slot->crc = rec_crc(slot);
	return (int64_t)j->next_seq++;
}

int tt_journal_flush(struct tt_journal *j)
{
	uint64_t pending = j->next_seq - 1 - j->synced_seq;
	uint64_t now;

	if (j->sticky_error)
		return -TT_ESTATE;
	if (pending == 0 || j->opts.sync == TT_JSYNC_NONE)
		return 0;
	now = now_ns(CLOCK_MONOTONIC);
	if (j->opts.sync == TT_JSYNC_BATCH && pending < j->opts.batch_records &&
	    now - j->last_sync_ns < j->opts.batch_ns)
		return 0;
	if (fdatasync(j->fd) != 0) {
		/* After a failed fsync the page state is unknown (fsyncgate): fail closed. */
		j->sticky_error = true;
		return tt_err_set(-errno, "fdatasync(%s): %s", j->path, strerror(errno));
	}
	j->synced_seq = j->next_seq - 1;
	j->last_sync_ns = now;
	return 0;
}

int tt_journal_replay(const struct tt_journal *j,
		      int (*cb)(const struct tt_jrec *r, void *arg), void *arg)
{
	for (uint64_t i = 1; i < j->next_seq; i++) {
		int rc = cb(&j->map[i], arg);

		if (rc)
			return rc;
	}
	return 0;
}

void tt_journal_close(struct tt_journal *j)
{
	if (j->map) {
		if (!j->sticky_error)
			(void)fdatasync(j->fd);
		munmap(j->map, j->capacity * TT_JREC_SIZE);
		j->map = NULL;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}
