/*
 * snapshot.c — work-tree snapshots for the trace's file diff. A snapshot is a file of
 * records "size mtime_ns path\0", one per regular file or symlink under the root, in
 * walk order; the diff loads two, sorts them by path and merges: created, changed (size or
 * mtime differ), deleted. Paths are relative to the root.
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tt_err.h"

static FILE *snap_out;
static size_t snap_root_len;

static int snap_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_F && type != FTW_SL)
		return 0;
	const char *rel = path + snap_root_len;
	while (*rel == '/')
		rel++;
	fprintf(snap_out, "%" PRIu64 " %" PRIu64 " %s%c", (uint64_t)st->st_size,
		(uint64_t)st->st_mtim.tv_sec * UINT64_C(1000000000) + (uint64_t)st->st_mtim.tv_nsec,
		rel, 0);
	return 0;
}

int tt__sb_snap_write(const char *root, const char *out)
{
	char tmp[TT_SB_PATH + 8];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	snap_out = fopen(tmp, "w");
	if (!snap_out)
		return tt_err_set(-errno, "fopen(%s)", tmp);
	snap_root_len = strlen(root);
	rc = nftw(root, snap_one, 32, FTW_PHYS);
	if (fclose(snap_out) || rc)
		return tt_err_set(-EIO, "snapshot of %s failed", root);
	if (rename(tmp, out))
		return tt_err_set(-errno, "rename(%s)", out);
	return 0;
}

struct rec {
	uint64_t size;
	uint64_t mtime;
	const char *path;
};

struct snap {
	char *buf;
	struct rec *r;
	size_t n;
};

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->path, ((const struct rec *)b)->path);
}

static int snap_load(const char *file, struct snap *s)
{
	FILE *f = fopen(file, "r");
	size_t len = 0;
	size_t cap = 0;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!f)
		return tt_err_set(-errno, "fopen(%s)", file);
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			char *nb = realloc(s->buf, cap + 1);
			if (!nb) {
				fclose(f);
				return -ENOMEM;
			}
			s->buf = nb;
		}
		n = fread(s->buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	if (!s->buf)
		return 0;
	size_t count = 0;
	for (size_t i = 0; i < len; i++)
		count += s->buf[i] == 0;
	s->r = calloc(count + 1, sizeof(*s->r));
	if (!s->r)
		return -ENOMEM;
	for (char *p = s->buf; p < s->buf + len;) {
		char *end = memchr(p, 0, (size_t)(s->buf + len - p));
		if (!end)
			break;
		char *sp;
		struct rec *r = &s->r[s->n];
		r->size = strtoull(p, &sp, 10);
		r->mtime = strtoull(sp, &sp, 10);
		if (*sp == ' ') {
			r->path = sp + 1;
			s->n++;
		}
		p = end + 1;
	}
	qsort(s->r, s->n, sizeof(*s->r), rec_cmp);
	return 0;
}

static void list_out(FILE *f, const char *name, struct rec **v, size_t n, bool first)
{
	fprintf(f, "%s\"%s\":[", first ? "" : ",", name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		tt__sb_json_str(f, v[i]->path);
	}
	fputc(']', f);
}

int tt__sb_snap_diff(const char *before, const char *after, FILE *f, uint64_t *grown)
{
	struct snap a = {0};
	struct snap b = {0};
	struct rec **cr = NULL;
	struct rec **ch = NULL;
	struct rec **de = NULL;
	size_t ncr = 0;
	size_t nch = 0;
	size_t nde = 0;
	int rc;

	*grown = 0;
	rc = snap_load(before, &a);
	if (!rc)
		rc = snap_load(after, &b);
	if (rc)
		goto out;
	cr = calloc(b.n + 1, sizeof(*cr));
	ch = calloc(b.n + 1, sizeof(*ch));
	de = calloc(a.n + 1, sizeof(*de));
	if (!cr || !ch || !de) {
		rc = -ENOMEM;
		goto out;
	}
	size_t i = 0;
	size_t j = 0;
	while (i < a.n || j < b.n) {
		int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.r[i].path, b.r[j].path);
		if (c < 0) {
			de[nde++] = &a.r[i++];
		} else if (c > 0) {
			*grown += b.r[j].size;
			cr[ncr++] = &b.r[j++];
		} else {
			if (a.r[i].size != b.r[j].size || a.r[i].mtime != b.r[j].mtime) {
				ch[nch++] = &b.r[j];
				if (b.r[j].size > a.r[i].size)
					*grown += b.r[j].size - a.r[i].size;
			}
			i++;
			j++;
		}
	}
	list_out(f, "created", cr, ncr, true);
	list_out(f, "changed", ch, nch, false);
	list_out(f, "deleted", de, nde, false);
out:
	free(cr);
	free(ch);
	free(de);
	free(a.buf);
	free(a.r);
	free(b.buf);
	free(b.r);
	return rc;
}
