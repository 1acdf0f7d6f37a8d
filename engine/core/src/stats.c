/*
 * stats.c — the per-process stats block (tt_stats.h): creation and re-attach by the
 * writer, read-only mapping and Prometheus exposition for tt-engine. Nothing here is on
 * the hot path except what tt_stats.h inlines; tt_stats_reject is warm (rejects are rare).
 *
 * The reader treats the block as hostile bytes (any process with the shm name can write
 * it): label text is copied to a bounded buffer and printed as [A-Za-z0-9_-] only, ids and
 * sizes come from this build's catalogue, never from the block.
 */
#include "tt_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_fixed.h"

static struct tt_stats tt_stats_dummy;
struct tt_stats *tt__stats = &tt_stats_dummy;
static struct tt_stats *tt_stats_mapped;

static bool word_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

int tt_stats_name(char *out, size_t cap, const char *instance, const char *proc)
{
	int n;

	if (!word_ok(instance) || !word_ok(proc))
		return tt_err_set(
		    -EINVAL, "stats block name: instance '%s' / proc '%s' must be [A-Za-z0-9_-]+",
		    instance ? instance : "(null)", proc ? proc : "(null)");
	n = snprintf(out, cap, "/%s.stats.%s", instance, proc);
	if (n < 0 || (size_t)n >= cap || n > 250)
		return tt_err_set(-ENAMETOOLONG, "stats block name for %s/%s too long", instance,
				  proc);
	return 0;
}

static void init_block(struct tt_stats *s, const char *proc)
{
	memset((char *)s + sizeof(s->magic), 0, sizeof(*s) - sizeof(s->magic));
	s->version = TT_STATS_VERSION;
	s->size = (uint32_t)sizeof(*s);
	snprintf(s->proc, sizeof(s->proc), "%s", proc);
	for (unsigned i = 0; i < TT_STH_COUNT; i++)
		tt_hist_reset(&s->h[i]);
	/* readers check the magic first: everything above is visible before it */
	tt_store_release(&s->magic, TT_STATS_MAGIC);
}

int tt_stats_open(const char *instance, const char *proc)
{
	char name[256];
	struct stat st;
	struct tt_stats *s;
	int fd, rc = tt_stats_name(name, sizeof(name), instance, proc);

	if (rc)
		return rc;
	fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return tt_err_set(-errno, "stats block %s: %s", name, strerror(errno));
	if (fstat(fd, &st) != 0 ||
	    ((size_t)st.st_size != sizeof(*s) && ftruncate(fd, (off_t)sizeof(*s)) != 0)) {
		rc = -errno;
		close(fd);
		return tt_err_set(rc, "stats block %s: size: %s", name, strerror(-rc));
	}
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = -errno;
	close(fd);
	if (s == MAP_FAILED)
		return tt_err_set(rc, "stats block %s: mmap: %s", name, strerror(-rc));
	/* another layout (or a fresh file, or resized from one): start over, else continue */
	if ((size_t)st.st_size != sizeof(*s) || tt_load_acquire(&s->magic) != TT_STATS_MAGIC ||
	    s->version != TT_STATS_VERSION || s->size != sizeof(*s) ||
	    strncmp(s->proc, proc, sizeof(s->proc) - 1) != 0) {
		tt_store_relaxed(&s->magic, 0);
		init_block(s, proc);
	}
	atomic_fetch_add_explicit(&s->attaches, 1, memory_order_relaxed);
	tt_store_relaxed(&s->pid, (int32_t)getpid());
	tt_stats_close();
	tt_stats_mapped = s;
	tt__stats = s;
	return 0;
}

void tt_stats_close(void)
{
	tt__stats = &tt_stats_dummy;
	if (tt_stats_mapped)
		munmap(tt_stats_mapped, sizeof(*tt_stats_mapped));
	tt_stats_mapped = NULL;
}

void tt_stats_instr_name(unsigned i, const char *name, unsigned px_scale, unsigned qty_scale)
{
	struct tt_stats_instr *g;

	if (i >= TT_STATS_INSTR)
		return;
	g = &tt__stats->instr[i];
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "unknown");
	g->px_scale = (uint8_t)(px_scale > 18 ? 18 : px_scale);
	g->qty_scale = (uint8_t)(qty_scale > 18 ? 18 : qty_scale);
	/* release: name and scales are visible to a reader that sees used == 1 */
	tt_store_release(&g->used, 1u);
}

void tt_stats_reject(uint32_t code, const char *name)
{
	struct tt_stats *s = tt__stats;
	struct tt_stats_reason *r = &s->reason[TT_STATS_REASONS - 1];

	for (unsigned i = 0; i < TT_STATS_REASONS; i++) {
		struct tt_stats_reason *c = &s->reason[i];

		if (c->used && c->code == code) {
			r = c;
			break;
		}
		if (!c->used) {
			if (i == TT_STATS_REASONS - 1) {
				code = UINT32_MAX;
				name = "other";
			}
			c->code = code;
			snprintf(c->name, sizeof(c->name), "%s", name ? name : "unknown");
			c->used = 1;
			r = c;
			break;
		}
	}
	/* release: the label above is visible to a reader that sees n > 0 */
	tt_store_release(&r->n, tt_load_relaxed(&r->n) + 1);
}

int tt_stats_map(const char *instance, const char *proc, const struct tt_stats **out)
{
	char name[256];
	struct stat st;
	const struct tt_stats *s;
	int fd, rc = tt_stats_name(name, sizeof(name), instance, proc);

	*out = NULL;
	if (rc)
		return rc;
	fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return errno == ENOENT
			   ? -ENOENT
			   : tt_err_set(-errno, "stats block %s: %s", name, strerror(errno));
	if (fstat(fd, &st) != 0 || (size_t)st.st_size != sizeof(*s)) {
		close(fd);
		return tt_err_set(-EPROTO, "stats block %s: size %lld, this build wants %zu", name,
				  (long long)st.st_size, sizeof(*s));
	}
	s = mmap(NULL, sizeof(*s), PROT_READ, MAP_SHARED, fd, 0);
	rc = -errno;
	close(fd);
	if (s == MAP_FAILED)
		return tt_err_set(rc, "stats block %s: mmap: %s", name, strerror(-rc));
	if (tt_load_acquire((_Atomic uint32_t *)&s->magic) != TT_STATS_MAGIC ||
	    s->version != TT_STATS_VERSION || s->size != sizeof(*s)) {
		munmap((void *)s, sizeof(*s));
		return tt_err_set(-EPROTO, "stats block %s: not initialised or another version",
				  name);
	}
	*out = s;
	return 0;
}

void tt_stats_unmap(const struct tt_stats *s)
{
	if (s)
		munmap((void *)s, sizeof(*s));
}

int tt_stats_unlink(const char *instance, const char *proc)
{
	char name[256];
	int rc = tt_stats_name(name, sizeof(name), instance, proc);

	if (rc)
		return rc;
	return shm_unlink(name) == 0 ? 0 : -errno;
}

/* ---- exposition ------------------------------------------------------------------------- */

struct fam {
	const char *name, *lkey, *lval, *help;
};

#define TT__ST_FAM(id, fam, lk, lv, help) {fam, lk, lv, help},
static const struct fam counters[TT_ST_COUNT] = {TT_STATS_COUNTERS(TT__ST_FAM)};
static const struct fam hists[TT_STH_COUNT] = {TT_STATS_HISTS(TT__ST_FAM)};
#undef TT__ST_FAM

static const uint64_t bounds[] = {TT_STATS_NS_BOUNDS};

/* A label value from the block: bounded copy, printable as [A-Za-z0-9_-] only. */
static void safe_label(char *out, size_t cap, const char *in, size_t in_cap)
{
	size_t i;

	for (i = 0; i + 1 < cap && i < in_cap && in[i]; i++)
		out[i] = word_ok((char[]){in[i], 0}) ? in[i] : '_';
	out[i] = 0;
	if (!i)
		snprintf(out, cap, "unknown");
}

/* True when family `name` was seen at an index below i of tab. */
static bool seen_before(const struct fam *tab, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(tab[k].name, tab[i].name))
			return true;
	return false;
}

static void put_lbl(FILE *out, const char *proc, const char *lk, const char *lv)
{
	fprintf(out, "{proc=\"%s\"", proc);
	if (lk)
		fprintf(out, ",%s=\"%s\"", lk, lv);
}

static void put_hist(FILE *out, const struct tt_hist *h, const char *name, const char *proc,
		     const char *lk, const char *lv)
{
	uint64_t cum = 0, total = 0;
	unsigned b = 0;

	for (unsigned i = 0; i < TT_HIST_BUCKETS; i++)
		total += h->b[i];
	for (unsigned k = 0; k < TT_ARRAY_LEN(bounds); k++) {
		/* buckets entirely ≤ bound: those below the one that holds bound + 1 */
		unsigned stop = tt__hist_bucket(bounds[k] + 1);

		for (; b < stop; b++)
			cum += h->b[b];
		fprintf(out, "%s_bucket", name);
		put_lbl(out, proc, lk, lv);
		fprintf(out, ",le=\"%llu\"} %llu\n", (unsigned long long)bounds[k],
			(unsigned long long)cum);
	}
	fprintf(out, "%s_bucket", name);
	put_lbl(out, proc, lk, lv);
	fprintf(out, ",le=\"+Inf\"} %llu\n%s_sum", (unsigned long long)total, name);
	put_lbl(out, proc, lk, lv);
	fprintf(out, "} %llu\n%s_count", (unsigned long long)h->sum, name);
	put_lbl(out, proc, lk, lv);
	fprintf(out, "} %llu\n", (unsigned long long)total);
}

/* v × 10^-scale as an exact decimal (tt_fixed_format: no floating point), then a newline. */
static void put_fixed(FILE *out, int64_t v, unsigned scale)
{
	char buf[TT_FIXED_STR_MAX];

	if (tt_fixed_format(v, scale, 0, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "NaN");
	fprintf(out, "%s\n", buf);
}

/* The position / P&L gauges of every named instrument slot. */
static void put_instr_gauges(FILE *out, const struct tt_stats *const *blocks, unsigned n,
			     char (*proc)[32])
{
	static const struct {
		const char *name, *help;
		bool pnl;
	} fam[] = {
		{ "tt_oe_position", "position per instrument, instrument units (tt-oe)", false },
		{ "tt_oe_pnl", "realized + unrealized P&L at the reference mid, quote units (tt-oe)",
		  true },
	};
	char label[TT_STATS_LABEL];

	for (unsigned f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		bool head = false;

		for (unsigned j = 0; j < n; j++) {
			if (!blocks[j])
				continue;
			for (unsigned i = 0; i < TT_STATS_INSTR; i++) {
				const struct tt_stats_instr *g = &blocks[j]->instr[i];

				if (!tt_load_acquire((_Atomic uint32_t *)&g->used))
					continue;
				if (!head)
					fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", fam[f].name,
						fam[f].help, fam[f].name);
				head = true;
				safe_label(label, sizeof(label), g->name, sizeof(g->name));
				fprintf(out, "%s{proc=\"%s\",instrument=\"%s\"} ", fam[f].name, proc[j],
					label);
				if (fam[f].pnl)
					put_fixed(out, tt_load_relaxed((_Atomic int64_t *)&g->pnl),
						  g->px_scale);
				else
					put_fixed(out, tt_load_relaxed((_Atomic int64_t *)&g->position),
						  g->qty_scale);
			}
		}
	}
}

int tt_stats_expose(FILE *out, const struct tt_stats *const *blocks, unsigned n)
{
	char proc[TT_STATS_MAX_BLOCKS][sizeof(blocks[0]->proc)];
	char label[TT_STATS_LABEL];
	bool any_reason = false;

	if (n > TT_STATS_MAX_BLOCKS)
		n = TT_STATS_MAX_BLOCKS;
	for (unsigned j = 0; j < n; j++)
		if (blocks[j])
			safe_label(proc[j], sizeof(proc[j]), blocks[j]->proc,
				   sizeof(blocks[j]->proc));
	fputs("# HELP tt_stats_attaches incarnations of the process counting into the block "
	      "(1 + restarts; its counters continue across them)\n"
	      "# TYPE tt_stats_attaches gauge\n",
	      out);
	for (unsigned j = 0; j < n; j++)
		if (blocks[j])
			fprintf(
			    out, "tt_stats_attaches{proc=\"%s\"} %u\n", proc[j],
			    (unsigned)tt_load_relaxed((_Atomic uint32_t *)&blocks[j]->attaches));
	for (unsigned i = 0; i < TT_ST_COUNT; i++) {
		if (seen_before(counters, i))
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", counters[i].name,
			counters[i].help, counters[i].name);
		for (unsigned k = i; k < TT_ST_COUNT; k++) {
			if (strcmp(counters[k].name, counters[i].name))
				continue;
			for (unsigned j = 0; j < n; j++) {
				uint64_t v;

				if (!blocks[j] || !(v = tt_load_relaxed(&blocks[j]->c[k])))
					continue;
				fputs(counters[k].name, out);
				put_lbl(out, proc[j], counters[k].lkey, counters[k].lval);
				fprintf(out, "} %llu\n", (unsigned long long)v);
			}
		}
	}
	for (unsigned j = 0; j < n; j++) {
		if (!blocks[j])
			continue;
		for (unsigned r = 0; r < TT_STATS_REASONS; r++) {
			const struct tt_stats_reason *rs = &blocks[j]->reason[r];
			uint64_t v = tt_load_acquire((_Atomic uint64_t *)&rs->n);

			if (!v)
				continue;
			if (!any_reason)
				fputs("# HELP tt_oe_rejects_total rejected orders by reason\n"
				      "# TYPE tt_oe_rejects_total counter\n",
				      out);
			any_reason = true;
			safe_label(label, sizeof(label), rs->name, sizeof(rs->name));
			fprintf(out,
				"tt_oe_rejects_total{proc=\"%s\",reason=\"%s\",code=\"%u\"} %llu\n",
				proc[j], label, rs->code, (unsigned long long)v);
		}
	}
	put_instr_gauges(out, blocks, n, proc);
	for (unsigned i = 0; i < TT_STH_COUNT; i++) {
		if (seen_before(hists, i))
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s histogram\n", hists[i].name, hists[i].help,
			hists[i].name);
		for (unsigned k = i; k < TT_STH_COUNT; k++) {
			if (strcmp(hists[k].name, hists[i].name))
				continue;
			for (unsigned j = 0; j < n; j++)
				if (blocks[j] && blocks[j]->h[k].count)
					put_hist(out, &blocks[j]->h[k], hists[k].name, proc[j],
						 hists[k].lkey, hists[k].lval);
		}
	}
	return ferror(out) ? -EIO : 0;
}
