/*
 * ring.c — the cold half of tt_ring.h: create/attach/detach of the shared-memory object,
 * the slow paths of reserve/peek, the three wait strategies and peer liveness.
 *
 * Invariants kept here (the inline fast paths in tt_ring.h rely on them):
 *   - magic is the last field tt_ring_create writes (store-release) and the first one
 *     tt_ring_attach reads (load-acquire): a header with the right magic is complete.
 *   - head is written only by the producer handle that holds producer_pid, tail only by
 *     the consumer handle that holds consumer_pid; 0 <= head - tail <= capacity.
 *   - A role pid is claimed with a CAS (0 or a dead pid -> ours) and cleared by detach
 *     only while it is still ours.
 *   - Waits never sleep longer than one slice (TT_RING_SLICE_NS) without re-checking the
 *     ring, the clock and the peer, so a peer that dies mid-wait is noticed.
 *
 * Role claim, per role word (producer_pid / consumer_pid):
 *
 *        tt_ring_create
 *             |
 *             v
 *   +------ [0: free] <------------- tt_ring_detach (CAS ours -> 0)
 *   |         |                                 ^
 *   |   tt_ring_attach (CAS 0 -> pid)            |
 *   |         v                                 |
 *   |     [pid: held] --------------------------+
 *   |         |
 *   |   holder dies (kill -9): pid stays, kill(pid, 0) == ESRCH
 *   |         v
 *   |   [dead pid] -- tt_ring_attach (CAS dead -> pid) --> [pid: held]
 *   +--> tt_ring_attach while a live pid holds it: -EBUSY, nothing changes
 *
 * Peer states seen by waiters (ring_peer_state): ABSENT (pid 0 and never a heartbeat:
 * not attached yet, keep waiting), ALIVE (live pid, heartbeat fresh or not yet stored),
 * DEAD (pid gone, heartbeat stale, or detached: pid 0 with a heartbeat). DEAD is
 * reported only once nothing is left to deliver.
 */
#include "tt_ring.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct tt_ring_hdr) % TT_CACHELINE == 0, "ring header is whole lines");
_Static_assert(offsetof(struct tt_ring_hdr, head) == 1 * TT_CACHELINE, "head on line 1");
_Static_assert(offsetof(struct tt_ring_hdr, tail) == 2 * TT_CACHELINE, "tail on line 2");
_Static_assert(offsetof(struct tt_ring_hdr, cons_waiting) == 3 * TT_CACHELINE, "line 3");
_Static_assert(offsetof(struct tt_ring_hdr, prod_waiting) == 4 * TT_CACHELINE, "line 4");
_Static_assert(sizeof(_Atomic uint32_t) == 4, "futex words are 32-bit");

#define TT_RING_SLICE_NS    10000000ull /* longest single futex sleep: 10 ms */
#define TT_RING_CHECK_NS    10000000ull /* peer/heartbeat check period while waiting: 10 ms */
#define TT_RING_SPINS_YIELD 64		/* SPIN_YIELD: pauses before the first sched_yield */
#define TT_RING_SPINS_FUTEX 32		/* FUTEX: pauses before the first sleep */

enum ring_peer { RING_PEER_ABSENT, RING_PEER_ALIVE, RING_PEER_DEAD };

static uint64_t ring_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t ring_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "name" -> "/name" for shm_open; 0 or -EINVAL with the reason in the trail. */
static int ring_name_check(const char *name, char path[TT_RING_NAME_MAX + 1])
{
	size_t len;

	if (!name)
		return tt_err_set(-EINVAL, "ring name is NULL");
	len = strnlen(name, TT_RING_NAME_MAX);
	if (len == 0)
		return tt_err_set(-EINVAL, "ring name is empty");
	if (len >= TT_RING_NAME_MAX)
		return tt_err_set(-EINVAL, "ring name \"%.16s...\" is longer than %d bytes", name,
				  TT_RING_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return tt_err_set(
			    -EINVAL,
			    "ring name \"%s\": byte 0x%02x at %zu is not in [A-Za-z0-9._-]", name,
			    c, i);
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return tt_err_set(-EINVAL, "ring name \"%s\" is reserved", name);
	path[0] = '/';
	memcpy(path + 1, name, len + 1);
	return 0;
}

int tt_ring_params_check(const struct tt_ring_params *p)
{
	if (!p)
		return tt_err_set(-EINVAL, "ring params are NULL");
	/* Whole cache lines, or a power-of-two fraction of one (8, 16, 32: several small
	 * messages share a line, none straddles one). */
	if (p->slot_size > 65536 ||
	    !(p->slot_size % 64 == 0 ||
	      (p->slot_size >= 8 && p->slot_size < 64 && !(p->slot_size & (p->slot_size - 1)))) ||
	    p->slot_size == 0)
		return tt_err_set(-EINVAL,
				  "slot_size %" PRIu32 ": must be 8, 16, 32 or a multiple of 64 up to 65536",
				  p->slot_size);
	if (p->capacity < 2 || p->capacity > (1u << 24) || (p->capacity & (p->capacity - 1)))
		return tt_err_set(-EINVAL,
				  "capacity %" PRIu32 ": must be a power of two in 2..2^24",
				  p->capacity);
	if (p->mode != TT_RING_LOSSLESS && p->mode != TT_RING_LOSSY)
		return tt_err_set(-EINVAL, "mode %" PRIu32 ": must be 0 (lossless) or 1 (lossy)",
				  p->mode);
	if ((uint64_t)p->slot_size * p->capacity > TT_RING_BYTES_MAX)
		return tt_err_set(-EINVAL,
				  "capacity %" PRIu32 " x slot_size %" PRIu32 " = %" PRIu64
				  " bytes: more than %llu",
				  p->capacity, p->slot_size, (uint64_t)p->slot_size * p->capacity,
				  TT_RING_BYTES_MAX);
	return 0;
}

static size_t ring_map_len(uint32_t slot_size, uint32_t capacity)
{
	return sizeof(struct tt_ring_hdr) + (size_t)slot_size * capacity;
}

__tt_cold int tt_ring_create(const char *name, const struct tt_ring_params *p)
{
	char path[TT_RING_NAME_MAX + 1];
	struct tt_ring_hdr *h;
	size_t len;
	int fd;
	int rc;

	rc = ring_name_check(name, path);
	if (rc)
		return tt_err_add("tt_ring_create");
	rc = tt_ring_params_check(p);
	if (rc)
		return tt_err_add("ring \"%s\"", name);
	len = ring_map_len(p->slot_size, p->capacity);
	fd = shm_open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return tt_err_set(-errno, "ring \"%s\": shm_open(%s, O_CREAT|O_RDWR, 0600): %s",
				  name, path, strerror(errno));
	if (ftruncate(fd, (off_t)len) != 0) {
		rc = tt_err_set(-errno, "ring \"%s\": ftruncate(%s, %zu): %s", name, path, len,
				strerror(errno));
		goto out_close;
	}
	h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (h == MAP_FAILED) {
		rc = tt_err_set(-errno, "ring \"%s\": mmap(%zu, MAP_SHARED|MAP_POPULATE): %s", name,
				len, strerror(errno));
		goto out_close;
	}
	/* Invalidate first so an attach racing with a re-create fails on the magic instead of
	 * reading a half-written header; the rest needs no ordering until the final release. */
	tt_store_relaxed(&h->magic, 0);
	memset((char *)h + sizeof(h->magic), 0, sizeof(*h) - sizeof(h->magic));
	h->layout_version = TT_RING_LAYOUT_VERSION;
	h->slot_size = p->slot_size;
	h->capacity = p->capacity;
	h->mode = p->mode;
	h->msg_version = p->msg_version;
	h->hdr_size = (uint32_t)sizeof(*h);
	h->created_ns = ring_realtime_ns();
	snprintf(h->name, sizeof(h->name), "%s", name);
	/* Pairs with the load-acquire of magic in tt_ring_attach: publishes every header field
	 * written above. */
	tt_store_release(&h->magic, TT_RING_MAGIC);
	munmap(h, len);
	rc = 0;
out_close:
	close(fd);
	return rc;
}

__tt_cold int tt_ring_unlink(const char *name)
{
	char path[TT_RING_NAME_MAX + 1];

	if (ring_name_check(name, path))
		return tt_err_add("tt_ring_unlink");
	if (shm_unlink(path) != 0)
		return tt_err_set(-errno, "ring \"%s\": shm_unlink(%s): %s", name, path,
				  strerror(errno));
	return 0;
}

/* Compares one header field with the attacher's expectation. */
static int ring_expect(const char *name, const char *field, uint32_t has, uint32_t want)
{
	if (has == want)
		return 0;
	return tt_err_set(-TT_ELAYOUT,
			  "ring \"%s\": %s: ring has %" PRIu32 ", attach expects %" PRIu32, name,
			  field, has, want);
}

static int ring_validate(const struct tt_ring_hdr *h, size_t size, const char *name,
			 const struct tt_ring_params *expect)
{
	/* Pairs with the store-release of magic in tt_ring_create: a matching magic means the
	 * identity line is completely written. */
	uint64_t magic = tt_load_acquire(&h->magic);
	int rc;

	if (magic != TT_RING_MAGIC)
		return tt_err_set(-TT_EMAGIC,
				  "ring \"%s\": magic 0x%016" PRIx64 ", expected 0x%016llx: not a "
				  "ticktrade ring, or not fully created",
				  name, magic, TT_RING_MAGIC);
	if (h->layout_version != TT_RING_LAYOUT_VERSION)
		return tt_err_set(-TT_EVERSION,
				  "ring \"%s\": layout version: ring has %" PRIu32
				  ", attach expects %u",
				  name, h->layout_version, TT_RING_LAYOUT_VERSION);
	if ((rc = ring_expect(name, "slot_size", h->slot_size, expect->slot_size)) ||
	    (rc = ring_expect(name, "capacity", h->capacity, expect->capacity)) ||
	    (rc = ring_expect(name, "mode", h->mode, expect->mode)) ||
	    (rc = ring_expect(name, "msg_version", h->msg_version, expect->msg_version)) ||
	    (rc = ring_expect(name, "hdr_size", h->hdr_size, (uint32_t)sizeof(*h))))
		return rc;
	/* The header matched `expect`, which passed params_check, so the size below cannot
	 * overflow; a short object (truncated by hand) would SIGBUS on slot access. */
	if (size != ring_map_len(h->slot_size, h->capacity))
		return tt_err_set(-TT_ELAYOUT, "ring \"%s\": object is %zu bytes, layout needs %zu",
				  name, size, ring_map_len(h->slot_size, h->capacity));
	return 0;
}

static bool ring_pid_alive(int32_t pid)
{
	/* EPERM: the process exists but belongs to someone else — alive. */
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
}

/* Claims the role word for this process: CAS from 0 or from a dead holder's pid, and
 * beats the role's heartbeat so no waiter on the other side ever sees a transient "dead"
 * (see ring_peer_state):
 *   - never attached (heartbeat 0): CAS first; in between, "live pid, heartbeat 0" reads
 *     as a peer still attaching, i.e. alive.
 *   - otherwise beat first: in between, "dead pid or 0, fresh beat" reads as dead, which
 *     is what it read before we came. */
static int ring_claim(_Atomic int32_t *word, _Atomic uint64_t *hb, const char *name,
		      const char *role)
{
	int32_t me = (int32_t)getpid();
	int32_t cur = tt_load_acquire(word); /* pairs with the CAS below (any peer) */

	for (;;) {
		if (cur != 0 && ring_pid_alive(cur))
			return tt_err_set(-EBUSY,
					  "ring \"%s\": %s role is held by live pid %" PRId32, name,
					  role, cur);
		if (tt_load_relaxed(hb) != 0)
			tt_store_relaxed(hb, ring_now_ns());
		/* Pairs with the CAS here and the clearing CAS in tt_ring_detach of the
		 * previous holder: we see the index it released before giving up the role. */
		if (tt_cas_acq_rel(word, &cur, me)) {
			tt_store_relaxed(hb, ring_now_ns());
			return 0;
		}
		/* Lost a race: cur now holds the winner's pid (or 0); look again. */
	}
}

__tt_cold int tt_ring_attach(struct tt_ring *r, const char *name, enum tt_ring_role role,
			     const struct tt_ring_params *expect, enum tt_ring_wait wait)
{
	char path[TT_RING_NAME_MAX + 1];
	struct tt_ring_hdr *h;
	struct stat st;
	size_t len;
	int fd;
	int rc;

	if (!r)
		return tt_err_set(-EINVAL, "tt_ring_attach: handle is NULL");
	memset(r, 0, sizeof(*r));
	rc = ring_name_check(name, path);
	if (rc)
		return tt_err_add("tt_ring_attach");
	if (role != TT_RING_PRODUCER && role != TT_RING_CONSUMER)
		return tt_err_set(-EINVAL, "ring \"%s\": role %d is not producer or consumer", name,
				  (int)role);
	if (wait != TT_WAIT_SPIN && wait != TT_WAIT_SPIN_YIELD && wait != TT_WAIT_FUTEX)
		return tt_err_set(-EINVAL, "ring \"%s\": wait strategy %d is unknown", name,
				  (int)wait);
	if (tt_ring_params_check(expect))
		return tt_err_add("ring \"%s\": attach expectation", name);

	fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return tt_err_set(-errno, "ring \"%s\": shm_open(%s, O_RDWR): %s", name, path,
				  strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = tt_err_set(-errno, "ring \"%s\": fstat(%s): %s", name, path, strerror(errno));
		goto out_close;
	}
	len = (size_t)st.st_size;
	if (len < sizeof(*h)) {
		rc =
		    tt_err_set(-TT_EMAGIC,
			       "ring \"%s\": object is %zu bytes, smaller than a ring header (%zu)",
			       name, len, sizeof(*h));
		goto out_close;
	}
	h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (h == MAP_FAILED) {
		rc = tt_err_set(-errno, "ring \"%s\": mmap(%zu, MAP_SHARED|MAP_POPULATE): %s", name,
				len, strerror(errno));
		goto out_close;
	}
	rc = ring_validate(h, len, name, expect);
	if (rc)
		goto out_unmap;
	if (role == TT_RING_PRODUCER)
		rc = ring_claim(&h->producer_pid, &h->producer_hb_ns, name, "producer");
	else
		rc = ring_claim(&h->consumer_pid, &h->consumer_hb_ns, name, "consumer");
	if (rc)
		goto out_unmap;
	close(fd);

	r->hdr = h;
	r->slots = (unsigned char *)h + h->hdr_size;
	r->mask = h->capacity - 1;
	r->slot_size = h->slot_size;
	r->role = role;
	r->wait = wait;
	r->mode = h->mode;
	r->stale_ns = TT_RING_STALE_NS_DEFAULT;
	r->map_len = len;
	snprintf(r->name, sizeof(r->name), "%s", name);
	/* Restart semantics: resume at the shared index of our role. Only the role holder
	 * writes it; a holder that detached handed it over through the claim CAS, a killed
	 * one did not, hence the acquire: it pairs with that holder's last store-release of
	 * the index (tt_ring_publish / tt_ring_consume_flush). */
	if (role == TT_RING_PRODUCER) {
		r->local = tt_load_acquire(&h->head);
		/* Pairs with the consumer's store-release of tail in tt_ring_consume_flush. */
		r->cached_peer = tt_load_acquire(&h->tail);
	} else {
		r->local = tt_load_acquire(&h->tail);
		/* Pairs with the producer's store-release of head in tt_ring_publish. */
		r->cached_peer = tt_load_acquire(&h->head);
	}
	r->published = r->local;
	tt_ring_heartbeat(r);
	return 0;

out_unmap:
	munmap(h, len);
out_close:
	close(fd);
	memset(r, 0, sizeof(*r));
	return rc;
}

void tt_ring_detach(struct tt_ring *r)
{
	struct tt_ring_hdr *h;
	_Atomic int32_t *word;
	int32_t me;

	if (!r || !r->hdr)
		return;
	h = r->hdr;
	if (r->role == TT_RING_PRODUCER) {
		tt_ring_publish(r);
		word = &h->producer_pid;
	} else {
		tt_ring_consume_flush(r);
		word = &h->consumer_pid;
	}
	tt_ring_heartbeat(r);
	me = (int32_t)getpid();
	/* Pairs with the CAS in ring_claim of the next holder: hands over the index we just
	 * published. Fails harmlessly when the claim was taken over (we were thought dead). */
	(void)tt_cas_acq_rel(word, &me, 0);
	/* A peer asleep in a futex wait learns at once that we left. */
	if (r->role == TT_RING_PRODUCER)
		tt__ring_wake_consumer(r);
	else
		tt__ring_wake_producer(r);
	munmap(h, r->map_len);
	memset(r, 0, sizeof(*r));
}

void tt_ring_heartbeat(struct tt_ring *r)
{
	_Atomic uint64_t *hb;

	if (!r->hdr)
		return;
	hb = r->role == TT_RING_PRODUCER ? &r->hdr->producer_hb_ns : &r->hdr->consumer_hb_ns;
	tt_store_relaxed(hb, ring_now_ns());
}

void tt_ring_set_stale_ns(struct tt_ring *r, uint64_t ns)
{
	r->stale_ns = ns;
}

static enum ring_peer ring_peer_state(const struct tt_ring *r)
{
	const struct tt_ring_hdr *h = r->hdr;
	bool peer_is_producer = r->role == TT_RING_CONSUMER;
	int32_t pid = tt_load_relaxed(peer_is_producer ? &h->producer_pid : &h->consumer_pid);
	uint64_t hb = tt_load_relaxed(peer_is_producer ? &h->producer_hb_ns : &h->consumer_hb_ns);
	uint64_t now;

	if (pid == 0)
		return hb == 0 ? RING_PEER_ABSENT : RING_PEER_DEAD;
	if (!ring_pid_alive(pid))
		return RING_PEER_DEAD;
	if (hb == 0)
		return RING_PEER_ALIVE; /* claimed, first beat not stored yet (ring_claim) */
	now = ring_now_ns();
	if (now > hb && now - hb > r->stale_ns)
		return RING_PEER_DEAD;
	return RING_PEER_ALIVE;
}

bool tt_ring_peer_alive(const struct tt_ring *r)
{
	return r->hdr && ring_peer_state(r) == RING_PEER_ALIVE;
}

void tt_ring_stats(const struct tt_ring *r, struct tt_ring_stats *out)
{
	const struct tt_ring_hdr *h = r->hdr;

	memset(out, 0, sizeof(*out));
	if (!h)
		return;
	/* Statistics only: relaxed, may be mutually inconsistent by a few messages. */
	out->head = tt_load_relaxed(&h->head);
	out->tail = tt_load_relaxed(&h->tail);
	out->capacity = h->capacity;
	out->pushed = out->head;	/* free-running indices: every publish counts once */
	out->popped = out->tail;
	out->full = tt_load_relaxed(&h->full);
	out->dropped = tt_load_relaxed(&h->dropped);
	out->producer_pid = tt_load_relaxed(&h->producer_pid);
	out->consumer_pid = tt_load_relaxed(&h->consumer_pid);
	out->producer_hb_ns = tt_load_relaxed(&h->producer_hb_ns);
	out->consumer_hb_ns = tt_load_relaxed(&h->consumer_hb_ns);
}

/* ---- slow paths ------------------------------------------------------------------------ */

void *tt__ring_reserve_slow(struct tt_ring *r)
{
	struct tt_ring_hdr *h = r->hdr;

	/* Pairs with the consumer's store-release of tail in tt_ring_consume_flush: its reads
	 * of the slots below tail are done before we may overwrite them. */
	r->cached_peer = tt_load_acquire(&h->tail);
	if (tt_likely(r->local - r->cached_peer <= r->mask))
		return r->slots + (r->local & r->mask) * r->slot_size;
	/* Counters on the producer's own line: single writer, so load+store, no locked op. */
	tt_store_relaxed(&h->full, tt_load_relaxed(&h->full) + 1);
	if (r->mode == TT_RING_LOSSY)
		tt_store_relaxed(&h->dropped, tt_load_relaxed(&h->dropped) + 1);
	return NULL;
}

const void *tt__ring_peek_slow(struct tt_ring *r)
{
	/* Pairs with the producer's store-release of head in tt_ring_publish: the contents of
	 * every slot below head are visible once we read it. */
	r->cached_peer = tt_load_acquire(&r->hdr->head);
	if (r->local == r->cached_peer)
		return NULL;
	return r->slots + (r->local & r->mask) * r->slot_size;
}

static long ring_futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	/* Not FUTEX_PRIVATE_FLAG: the word lives in shared memory and the waker is another
	 * process; shared futexes are keyed by the backing page, not the virtual address. */
	return syscall(SYS_futex, (uint32_t *)word, op, val, ts, NULL, 0);
}

static void ring_wake(_Atomic uint32_t *word)
{
	/* Swap to 0 before waking: a waiter that announced but has not yet slept then finds
	 * 0 in FUTEX_WAIT (expects 1) and returns at once, so no wake is lost. */
	if (tt_exchange_relaxed(word, 0))
		(void)ring_futex(word, FUTEX_WAKE, 1, NULL);
}

void tt__ring_wake_consumer(struct tt_ring *r)
{
	ring_wake(&r->hdr->cons_waiting);
}

void tt__ring_wake_producer(struct tt_ring *r)
{
	ring_wake(&r->hdr->prod_waiting);
}

/* ---- waiting -------------------------------------------------------------------------- */

/* Consumer: data readable? Producer: a slot free? Refreshes the cached peer index. */
static bool ring_ready(struct tt_ring *r)
{
	if (r->role == TT_RING_CONSUMER) {
		/* Pairs with the producer's store-release of head in tt_ring_publish. */
		r->cached_peer = tt_load_acquire(&r->hdr->head);
		return r->cached_peer != r->local;
	}
	/* Pairs with the consumer's store-release of tail in tt_ring_consume_flush. */
	r->cached_peer = tt_load_acquire(&r->hdr->tail);
	return r->local - r->cached_peer <= r->mask;
}

/* One bounded sleep on the role's wake word. */
static void ring_futex_sleep(struct tt_ring *r, _Atomic uint32_t *word, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
			      .tv_nsec = (long)(ns % 1000000000ull)};

	tt_store_relaxed(word, 1);
	/* Pairs with the fence in tt_ring_publish (consumer waiting) or tt_ring_consume_flush
	 * (producer waiting), Dekker style: either the peer's index store is visible to the
	 * re-check below, or our announcement is visible to its load and it wakes us. */
	tt_fence_seq_cst();
	if (ring_ready(r))
		return;
	/* EAGAIN (word already cleared by a waker), EINTR and ETIMEDOUT all just mean
	 * "look again"; the caller re-checks everything. */
	(void)ring_futex(word, FUTEX_WAIT, 1, &ts);
}

static int ring_wait(struct tt_ring *r, uint64_t timeout_ns, bool want_consumer)
{
	bool consumer = r->role == TT_RING_CONSUMER;
	_Atomic uint32_t *word;
	uint64_t now, deadline, next_check;
	uint32_t spins = 0;
	int rc;

	if (!r->hdr || consumer != want_consumer)
		return tt_err_set(-EINVAL, "ring \"%s\": %s on a %s handle", r->name,
				  want_consumer ? "tt_ring_wait_data" : "tt_ring_wait_space",
				  r->hdr ? "wrong-role" : "detached");
	word = consumer ? &r->hdr->cons_waiting : &r->hdr->prod_waiting;
	/* Return what we hold first, or the peer could wait on us while we wait on it: the
	 * consumer its unflushed releases, the producer its unpublished commits. */
	if (consumer)
		tt_ring_consume_flush(r);
	else
		tt_ring_publish(r);
	if (ring_ready(r))
		return 0;
	now = ring_now_ns();
	deadline = now + timeout_ns < now ? UINT64_MAX : now + timeout_ns;
	next_check = now;
	for (;;) {
		if (now >= next_check) {
			tt_ring_heartbeat(r);
			if (ring_peer_state(r) == RING_PEER_DEAD) {
				/* What the peer published before dying is still delivered. */
				rc = ring_ready(r)
					 ? 0
					 : tt_err_set(-TT_EPEERDEAD, "ring \"%s\": %s is gone",
						      r->name, consumer ? "producer" : "consumer");
				break;
			}
			next_check = now + TT_RING_CHECK_NS;
		}
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		switch (r->wait) {
		case TT_WAIT_SPIN:
			tt_cpu_relax();
			break;
		case TT_WAIT_SPIN_YIELD:
			if (spins < TT_RING_SPINS_YIELD)
				tt_cpu_relax();
			else
				sched_yield();
			break;
		default: {
			uint64_t ns = deadline - now;

			if (spins < TT_RING_SPINS_FUTEX) {
				tt_cpu_relax();
				break;
			}
			if (ns > next_check - now)
				ns = next_check - now;
			if (ns > TT_RING_SLICE_NS)
				ns = TT_RING_SLICE_NS;
			ring_futex_sleep(r, word, ns ? ns : 1);
			break;
		}
		}
		spins++;
		if (ring_ready(r)) {
			rc = 0;
			break;
		}
		/* The clock is a vDSO read, but skip it on most pure-spin iterations. */
		if (r->wait != TT_WAIT_SPIN || (spins & 63) == 0)
			now = ring_now_ns();
	}
	if (r->wait == TT_WAIT_FUTEX)
		tt_store_relaxed(word, 0);
	return rc;
}

int tt_ring_wait_data(struct tt_ring *r, uint64_t timeout_ns)
{
	return ring_wait(r, timeout_ns, true);
}

int tt_ring_wait_space(struct tt_ring *r, uint64_t timeout_ns)
{
	return ring_wait(r, timeout_ns, false);
}
