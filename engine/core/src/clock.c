/*
 * clock.c — TSC check, calibration and the shared calibration file behind tt_clock.h.
 *
 * Calibration takes TT_CLOCK_SAMPLES paired (TSC, CLOCK_MONOTONIC) samples
 * TT_CLOCK_GAP_NS apart; each sample is the tightest of several rdtsc/clock_gettime/rdtsc
 * brackets (its error is half the bracket). The pair of samples with the smallest
 * relative error gives the rate, the last sample is the anchor. The rate becomes
 * mult/shift (ns per tick in 32.32 fixed point) and inv_mult/inv_shift (ticks per ns).
 *
 * The shared file is a fixed struct with magic, version, size and an FNV-1a checksum;
 * it is written under a temporary name and renamed into place, so readers never see a
 * partial file. The values never change after publication, so attach reads it once into
 * the process-local tt__clock rather than mapping it.
 */
#include "tt_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "tt_err.h"
#include "tt_log.h"

#define TT_CLOCK_MAGIC	  UINT64_C(0x004b434f4c435454) /* "TTCLOCK\0" little-endian */
#define TT_CLOCK_VERSION  1
#define TT_CLOCK_SHIFT	  32
#define TT_CLOCK_SAMPLES  6
#define TT_CLOCK_GAP_NS	  20000000 /* 6 samples, 5 gaps: ~100 ms */
#define TT_CLOCK_BRACKETS 16
#define TT_CLOCK_HZ_MIN	  UINT64_C(100000000)	/* 100 MHz */
#define TT_CLOCK_HZ_MAX	  UINT64_C(20000000000) /* 20 GHz */
#define TT_CLOCK_DIR	  "/dev/shm/"
#define TT_CLOCK_NAME_MAX 63

struct tt__clock tt__clock = {.mult = 1, .inv_mult = 1};
static uint64_t tt_clock_hz;
static char tt_clock_reason[160] = "not initialised";

/* The shared calibration record; host byte order, written once. */
struct tt_clock_file {
	uint64_t magic;	       /* TT_CLOCK_MAGIC */
	uint32_t version;      /* TT_CLOCK_VERSION */
	uint32_t size;	       /* sizeof(struct tt_clock_file) */
	struct tt__clock conv; /* the conversion every process uses */
	uint64_t tsc_hz;       /* calibrated rate, 0 in fallback */
	int64_t created_ns;    /* CLOCK_REALTIME of publication */
	int32_t creator_pid;   /* who calibrated */
	uint32_t reserved;     /* zero */
	char reason[160];      /* fallback reason, "" when TSC */
	uint64_t checksum;     /* FNV-1a 64 of every byte before this field */
};
_Static_assert(sizeof(struct tt_clock_file) == 256, "clock file layout");

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

#if defined(__x86_64__) || defined(__i386__)
static bool tt_clock_cpuid_invariant(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000007, &a, &b, &c, &d))
		return false;
	return (d >> 8) & 1;
}
#else
static bool tt_clock_cpuid_invariant(void)
{
	return false;
}
#endif

/* Both constant_tsc and nonstop_tsc in the first "flags" line of /proc/cpuinfo. */
static bool tt_clock_kernel_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool constant = false, nonstop = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		for (char *save = NULL, *t = strtok_r(line, " \t\n", &save); t;
		     t = strtok_r(NULL, " \t\n", &save)) {
			constant |= strcmp(t, "constant_tsc") == 0;
			nonstop |= strcmp(t, "nonstop_tsc") == 0;
		}
		break;
	}
	fclose(f);
	return constant && nonstop;
}

static bool tt_clock_is_x86(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return true;
#else
	return false;
#endif
}

/* One (tsc, ns) sample: the tightest bracket of several tries. */
struct tt_clock_sample {
	uint64_t tsc; /* midpoint of the bracket */
	int64_t ns;   /* CLOCK_MONOTONIC inside the bracket */
	uint64_t err; /* half the bracket width, ticks */
};

static struct tt_clock_sample tt_clock_sample(void)
{
	struct tt_clock_sample best = {.err = UINT64_MAX};

	for (int i = 0; i < TT_CLOCK_BRACKETS; i++) {
		uint64_t a = tt__rdtsc();
		int64_t ns = tt__clock_mono_ns();
		uint64_t b = tt__rdtsc();

		if (b < a)
			continue;
		if ((b - a) / 2 < best.err) {
			best.tsc = a + (b - a) / 2;
			best.ns = ns;
			best.err = (b - a) / 2 + 1;
		}
	}
	return best;
}

static void tt_clock_set_fallback(struct tt__clock *c, const char *why)
{
	*c = (struct tt__clock){.mult = 1, .shift = 0, .inv_mult = 1, .inv_shift = 0};
	snprintf(tt_clock_reason, sizeof(tt_clock_reason), "%s", why);
	tt_clock_hz = 0;
}

/* Measure; fill *c (TSC or fallback). Never fails. */
static void tt_clock_calibrate(struct tt__clock *c)
{
	struct tt_clock_sample s[TT_CLOCK_SAMPLES];
	const char *force = getenv("TT_CLOCK_FORCE_FALLBACK");
	int bi = 0, bj = 1;
	unsigned __int128 best_num = 0, best_den = 1; /* relative error as a fraction */
	uint64_t dtsc, hz;
	int64_t dns;
	char why[160];

	if (force && strcmp(force, "1") == 0) {
		tt_clock_set_fallback(c, "TT_CLOCK_FORCE_FALLBACK=1");
		return;
	}
	if (!tt_clock_is_x86()) {
		tt_clock_set_fallback(c, "no TSC on this architecture");
		return;
	}
	if (!tt_clock_cpuid_invariant() && !tt_clock_kernel_flags()) {
		tt_clock_set_fallback(c, "TSC not invariant: CPUID 0x80000007 EDX bit 8 clear and "
					 "no constant_tsc+nonstop_tsc in /proc/cpuinfo");
		return;
	}
	for (int i = 0; i < TT_CLOCK_SAMPLES; i++) {
		if (i > 0) {
			struct timespec gap = {0, TT_CLOCK_GAP_NS};

			while (nanosleep(&gap, &gap) != 0 && errno == EINTR)
				;
		}
		s[i] = tt_clock_sample();
	}
	/* the pair whose bracket errors are smallest relative to its span */
	for (int i = 0; i < TT_CLOCK_SAMPLES; i++) {
		for (int j = i + 1; j < TT_CLOCK_SAMPLES; j++) {
			unsigned __int128 num, den;

			if (s[j].tsc <= s[i].tsc || s[j].ns <= s[i].ns)
				continue;
			num = (unsigned __int128)(s[i].err + s[j].err);
			den = (unsigned __int128)(s[j].tsc - s[i].tsc);
			if (best_num == 0 || num * best_den < best_num * den) {
				best_num = num;
				best_den = den;
				bi = i;
				bj = j;
			}
		}
	}
	dtsc = s[bj].tsc - s[bi].tsc;
	dns = s[bj].ns - s[bi].ns;
	if (best_num == 0 || dns <= 0 || dtsc == 0) {
		tt_clock_set_fallback(c, "TSC calibration failed: TSC or CLOCK_MONOTONIC did not "
					 "advance");
		return;
	}
	hz = (uint64_t)(((unsigned __int128)dtsc * 1000000000u) / (uint64_t)dns);
	if (hz < TT_CLOCK_HZ_MIN || hz > TT_CLOCK_HZ_MAX) {
		snprintf(why, sizeof(why), "TSC calibration out of range: %llu Hz",
			 (unsigned long long)hz);
		tt_clock_set_fallback(c, why);
		return;
	}
	c->shift = TT_CLOCK_SHIFT;
	c->mult = (uint64_t)((((unsigned __int128)dns << TT_CLOCK_SHIFT) + dtsc / 2) / dtsc);
	c->inv_shift = TT_CLOCK_SHIFT;
	c->inv_mult = (uint64_t)((((unsigned __int128)dtsc << TT_CLOCK_SHIFT) + (uint64_t)dns / 2) /
				 (uint64_t)dns);
	c->base_tsc = s[TT_CLOCK_SAMPLES - 1].tsc;
	c->base_ns = s[TT_CLOCK_SAMPLES - 1].ns;
	c->is_tsc = 1;
	tt_clock_hz = hz;
	tt_clock_reason[0] = '\0';
}

static void tt_clock_announce(const char *how, const char *name)
{
	if (tt__clock.is_tsc)
		tt_log(TT_LOG_INFO, "clock_ready", TT_LS("how", how), TT_LS("shm", name),
		       TT_LU("tsc_hz", tt_clock_hz), TT_LU("mult", tt__clock.mult),
		       TT_LU("shift", tt__clock.shift));
	else
		tt_log(TT_LOG_WARN, "clock_fallback", TT_LS("how", how), TT_LS("shm", name),
		       TT_LS("reason", tt_clock_reason));
}

static int tt_clock_path(char *path, size_t cap, const char *name, const char *suffix)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > TT_CLOCK_NAME_MAX)
		return tt_err_set(-EINVAL, "clock shm name \"%s\": expected 1..%d bytes",
				  name ? name : "(null)", TT_CLOCK_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return tt_err_set(
			    -EINVAL, "clock shm name \"%s\": expected only [A-Za-z0-9._-]", name);
	}
	snprintf(path, cap, "%s%s%s", TT_CLOCK_DIR, name, suffix);
	return 0;
}

static int tt_clock_publish(const char *name)
{
	char path[128], tmp[160];
	struct tt_clock_file f;
	struct timespec now;
	ssize_t w;
	int fd, rc;

	rc = tt_clock_path(path, sizeof(path), name, "");
	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	memset(&f, 0, sizeof(f));
	f.magic = TT_CLOCK_MAGIC;
	f.version = TT_CLOCK_VERSION;
	f.size = sizeof(f);
	f.conv = tt__clock;
	f.tsc_hz = tt_clock_hz;
	clock_gettime(CLOCK_REALTIME, &now);
	f.created_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	f.creator_pid = (int32_t)getpid();
	snprintf(f.reason, sizeof(f.reason), "%s", tt_clock_reason);
	f.checksum = fnv1a(&f, offsetof(struct tt_clock_file, checksum));

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return tt_err_set(-errno, "clock: open(%s, O_CREAT): %s", tmp, strerror(errno));
	w = write(fd, &f, sizeof(f));
	if (w != (ssize_t)sizeof(f)) {
		rc = w < 0 ? -errno : -EIO;
		tt_err_set(rc, "clock: write(%s, %zu): %s", tmp, sizeof(f),
			   w < 0 ? strerror(errno) : "short write");
		goto out_unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = tt_err_set(-errno, "clock: close(%s): %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = tt_err_set(-errno, "clock: rename(%s, %s): %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	return 0;

out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

/* Read and validate; on success *out holds the conversion. */
static int tt_clock_read(const char *name, struct tt_clock_file *f)
{
	char path[128];
	struct stat st;
	ssize_t r;
	int fd, rc;

	rc = tt_clock_path(path, sizeof(path), name, "");
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tt_err_set(-errno, "clock: open(%s, O_RDONLY): %s (is tt-engine running?)",
				  path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = tt_err_set(-errno, "clock: fstat(%s): %s", path, strerror(errno));
		goto out_close;
	}
	if (st.st_size != (off_t)sizeof(*f)) {
		rc = tt_err_set(-TT_ELAYOUT, "clock: %s is %lld bytes, expected %zu", path,
				(long long)st.st_size, sizeof(*f));
		goto out_close;
	}
	r = read(fd, f, sizeof(*f));
	if (r != (ssize_t)sizeof(*f)) {
		rc = tt_err_set(r < 0 ? -errno : -TT_ELAYOUT, "clock: read(%s, %zu) returned %zd",
				path, sizeof(*f), r);
		goto out_close;
	}
	if (f->magic != TT_CLOCK_MAGIC) {
		rc = tt_err_set(-TT_EMAGIC, "clock: %s: bad magic 0x%016llx", path,
				(unsigned long long)f->magic);
		goto out_close;
	}
	if (f->version != TT_CLOCK_VERSION || f->size != sizeof(*f)) {
		rc = tt_err_set(-TT_EVERSION, "clock: %s: version %u size %u, expected %u size %zu",
				path, f->version, f->size, TT_CLOCK_VERSION, sizeof(*f));
		goto out_close;
	}
	if (f->checksum != fnv1a(f, offsetof(struct tt_clock_file, checksum))) {
		rc = tt_err_set(-TT_ELAYOUT, "clock: %s: checksum mismatch (corrupt file)", path);
		goto out_close;
	}
	if (f->conv.is_tsc > 1 || f->conv.mult == 0 || f->conv.inv_mult == 0 ||
	    f->conv.shift > 63 || f->conv.inv_shift > 63 ||
	    (f->conv.is_tsc && (f->tsc_hz < TT_CLOCK_HZ_MIN || f->tsc_hz > TT_CLOCK_HZ_MAX))) {
		rc = tt_err_set(-TT_ECLOCK, "clock: %s: calibration values out of range", path);
		goto out_close;
	}
	if (f->conv.is_tsc && !tt_clock_is_x86()) {
		rc = tt_err_set(-TT_ECLOCK, "clock: %s: TSC calibration on a host without TSC",
				path);
		goto out_close;
	}
	rc = 0;
out_close:
	close(fd);
	return rc;
}

int tt_clock_init(const char *shm_name, bool create)
{
	struct tt_clock_file f;
	struct tt__clock c;
	int rc;

	if (create) {
		char path[128];

		/* check the name before spending 100 ms */
		rc = tt_clock_path(path, sizeof(path), shm_name, "");
		if (rc)
			return rc;
		struct tt__clock old = tt__clock;
		uint64_t old_hz = tt_clock_hz;
		char old_reason[sizeof(tt_clock_reason)];

		memcpy(old_reason, tt_clock_reason, sizeof(old_reason));
		tt_clock_calibrate(&c);
		tt__clock = c;
		rc = tt_clock_publish(shm_name);
		if (rc) {
			/* leave the clock as it was: a failed init changes nothing */
			tt__clock = old;
			tt_clock_hz = old_hz;
			memcpy(tt_clock_reason, old_reason, sizeof(old_reason));
			return rc;
		}
		tt_clock_announce("calibrated", shm_name);
		return 0;
	}
	rc = tt_clock_read(shm_name, &f);
	if (rc)
		return rc;
	tt__clock = f.conv;
	tt_clock_hz = f.tsc_hz;
	f.reason[sizeof(f.reason) - 1] = '\0';
	snprintf(tt_clock_reason, sizeof(tt_clock_reason), "%s", f.reason);
	tt_clock_announce("attached", shm_name);
	return 0;
}

int tt_clock_init_local(void)
{
	struct tt__clock c;

	tt_clock_calibrate(&c);
	tt__clock = c;
	tt_clock_announce("local", "");
	return 0;
}

int tt_clock_unlink(const char *shm_name)
{
	char path[128];
	int rc = tt_clock_path(path, sizeof(path), shm_name, "");

	if (rc)
		return rc;
	if (unlink(path) != 0)
		return tt_err_set(-errno, "clock: unlink(%s): %s", path, strerror(errno));
	return 0;
}

uint64_t tt_clock_tsc_hz(void)
{
	return tt_clock_hz;
}

const char *tt_clock_fallback_reason(void)
{
	return tt_clock_reason;
}
