/*
 * writer.c — tt_logw: log rings → JSON-line files (tt_logw.h). Lines are batched in one
 * buffer per drain and appended with one write() per batch and file (O_APPEND, so a
 * second writer on the same file, should one ever run, interleaves whole batches only).
 * Invariant: buf holds complete lines for exactly one file (pending_file); it is flushed
 * before a line for another file, another day or past the size limit is added.
 */
#include "tt_logw.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_logring.h"

#define NS_PER_DAY (86400ll * 1000000000ll)

static int mkdir_p(const char *path)
{
	char tmp[TT_LOGW_PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return tt_err_set(-errno, "mkdir(%s): %s", tmp, strerror(errno));
		tmp[i] = path[i];
	}
	return 0;
}

static void day_str(char out[11], int64_t day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		memcpy(out, "0000-00-00", 11);
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t floor_day(int64_t ns)
{
	return ns >= 0 ? ns / NS_PER_DAY : -((-ns + NS_PER_DAY - 1) / NS_PER_DAY);
}

int tt_logw_init(struct tt_logw *w, const struct tt_logw_cfg *cfg)
{
	char dir[TT_LOGW_PATH_MAX];
	int rc;

	memset(w, 0, sizeof(*w));
	for (unsigned i = 0; i < TT_LOGW_SRC_MAX; i++)
		w->files[i].fd = -1;
	w->cfg = *cfg;
	if (!w->cfg.max_bytes)
		w->cfg.max_bytes = 256ull << 20;
	if (!cfg->root || !cfg->env || !cfg->instance)
		return tt_err_set(-EINVAL, "log writer: root, env and instance are required");
	snprintf(dir, sizeof(dir), "%s/%s", cfg->root, cfg->env);
	rc = mkdir_p(dir);
	if (rc)
		return rc;
	w->retention_day = floor_day(realtime_ns());
	tt_logw_retention(w, w->retention_day);
	return 0;
}

/* Date prefix of a log file name: 0 and *day, or -1 when the name is not ours. */
static int parse_file_day(const char *name, int64_t *day)
{
	struct tm tm = {0};
	const char *end;

	end = strptime(name, "%Y-%m-%d", &tm);
	if (!end || (*end != '.'))
		return -1;
	if (strcmp(end + strlen(end) - 6, ".jsonl") != 0)
		return -1;
	*day = (int64_t)timegm(&tm) / 86400;
	return 0;
}

int tt_logw_retention(struct tt_logw *w, int64_t today_day)
{
	char dir[TT_LOGW_PATH_MAX], path[TT_LOGW_PATH_MAX * 2];
	DIR *env_dir, *pd;
	struct dirent *pe, *fe;
	int removed = 0;

	if (!w->cfg.keep_days)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s", w->cfg.root, w->cfg.env);
	env_dir = opendir(dir);
	if (!env_dir)
		return 0;
	while ((pe = readdir(env_dir))) {
		if (pe->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, pe->d_name);
		pd = opendir(path);
		if (!pd)
			continue;
		while ((fe = readdir(pd))) {
			int64_t day;
			char fpath[TT_LOGW_PATH_MAX * 3];

			if (parse_file_day(fe->d_name, &day) ||
			    day >= today_day - (int64_t)w->cfg.keep_days)
				continue;
			snprintf(fpath, sizeof(fpath), "%s/%s", path, fe->d_name);
			if (unlink(fpath) == 0)
				removed++;
		}
		closedir(pd);
	}
	closedir(env_dir);
	return removed;
}

/* Parses "<instance>.log.<proc>[.t<N>]" into proc and tid. 0, or -1 when not a log ring of
 * this instance. */
static int parse_ring_name(const struct tt_logw *w, const char *name, char *proc, uint32_t *tid)
{
	size_t il = strlen(w->cfg.instance);
	const char *p, *dot;
	size_t pl;

	if (strncmp(name, w->cfg.instance, il) != 0 || strncmp(name + il, ".log.", 5) != 0)
		return -1;
	p = name + il + 5;
	dot = strchr(p, '.');
	pl = dot ? (size_t)(dot - p) : strlen(p);
	if (pl == 0 || pl >= TT_LOGW_PROC_MAX)
		return -1;
	memcpy(proc, p, pl);
	proc[pl] = '\0';
	*tid = 0;
	if (dot) {
		char *end;
		unsigned long t;

		if (dot[1] != 't')
			return -1;
		t = strtoul(dot + 2, &end, 10);
		if (*end || end == dot + 2)
			return -1;
		*tid = (uint32_t)t;
	}
	return 0;
}

static unsigned file_slot(struct tt_logw *w, const char *proc)
{
	unsigned free_slot = TT_LOGW_SRC_MAX;

	for (unsigned i = 0; i < TT_LOGW_SRC_MAX; i++) {
		if (strcmp(w->files[i].proc, proc) == 0)
			return i;
		if (!w->files[i].proc[0] && free_slot == TT_LOGW_SRC_MAX)
			free_slot = i;
	}
	if (free_slot < TT_LOGW_SRC_MAX) {
		snprintf(w->files[free_slot].proc, TT_LOGW_PROC_MAX, "%s", proc);
		w->files[free_slot].day = INT64_MIN;
	}
	return free_slot;
}

int tt_logw_scan(struct tt_logw *w)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	int added = 0;

	if (!d)
		return tt_err_set(-errno, "opendir(/dev/shm): %s", strerror(errno));
	while ((e = readdir(d)) && w->nsrc < TT_LOGW_SRC_MAX) {
		struct tt_logw_src *s = &w->src[w->nsrc];
		struct tt_ring_hdr hdr;
		struct tt_ring_params p;
		char proc[TT_LOGW_PROC_MAX], path[300];
		uint32_t tid;
		unsigned i;
		int fd;
		ssize_t n;

		if (parse_ring_name(w, e->d_name, proc, &tid))
			continue;
		for (i = 0; i < w->nsrc; i++)
			if (strcmp(w->src[i].name, e->d_name) == 0)
				break;
		if (i < w->nsrc || strlen(e->d_name) >= TT_RING_NAME_MAX)
			continue;
		/* read the header for the ring's own capacity, then attach with it */
		snprintf(path, sizeof(path), "/dev/shm/%s", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = pread(fd, &hdr, sizeof(hdr), 0);
		close(fd);
		if (n != (ssize_t)sizeof(hdr) || hdr.msg_version != TT_LOGRING_MSG_VERSION ||
		    hdr.slot_size != sizeof(struct tt_log_rec))
			continue;
		p = tt_logring_params(hdr.capacity);
		memset(s, 0, sizeof(*s));
		if (tt_ring_attach(&s->ring, e->d_name, TT_RING_CONSUMER, &p, TT_WAIT_SPIN) != 0) {
			tt_log(TT_LOG_WARN, "log_ring_attach_failed", TT_LS("ring", e->d_name),
			       TT_LS("trail", tt_err_msg()));
			tt_err_clear();
			continue;
		}
		s->file = file_slot(w, proc);
		if (s->file >= TT_LOGW_SRC_MAX) {
			tt_ring_detach(&s->ring);
			continue;
		}
		/* length checked above: < TT_RING_NAME_MAX */
		memcpy(s->name, e->d_name, strlen(e->d_name) + 1);
		s->tid = tid;
		s->dropped_seen = tt_load_relaxed(&s->ring.hdr->dropped);
		s->pid = tt_load_relaxed(&s->ring.hdr->producer_pid);
		w->nsrc++;
		added++;
		tt_log(TT_LOG_INFO, "log_ring_followed", TT_LS("ring", e->d_name),
		       TT_LS("proc", proc));
	}
	closedir(d);
	return added;
}

static void flush_pending(struct tt_logw *w)
{
	struct tt_logw_file *f = &w->files[w->pending_file];
	size_t off = 0;

	while (off < w->blen && f->fd >= 0) {
		ssize_t n = write(f->fd, w->buf + off, w->blen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->write_errors++;
			break;
		}
		off += (size_t)n;
	}
	f->size += off;
	w->blen = 0;
}

static int open_file(struct tt_logw *w, struct tt_logw_file *f, int64_t day)
{
	char dir[TT_LOGW_PATH_MAX], path[TT_LOGW_PATH_MAX + 32], ds[11];
	struct stat st;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	day_str(ds, day);
	snprintf(dir, sizeof(dir), "%s/%s/%s", w->cfg.root, w->cfg.env, f->proc);
	if (mkdir_p(dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, ds);
	f->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return tt_err_set(-errno, "open(%s): %s", path, strerror(errno));
	f->day = day;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static void rotate_file(struct tt_logw *w, struct tt_logw_file *f)
{
	char base[TT_LOGW_PATH_MAX + 32], to[TT_LOGW_PATH_MAX + 48], ds[11];

	day_str(ds, f->day);
	snprintf(base, sizeof(base), "%s/%s/%s/%s.jsonl", w->cfg.root, w->cfg.env, f->proc, ds);
	for (unsigned k = 1; k < 100000; k++) {
		snprintf(to, sizeof(to), "%s/%s/%s/%s.%u.jsonl", w->cfg.root, w->cfg.env, f->proc,
			 ds, k);
		if (access(to, F_OK) != 0) {
			if (rename(base, to) != 0)
				w->write_errors++;
			break;
		}
	}
	open_file(w, f, f->day);
}

/* Appends one complete line for file fi, dated day. */
static void append_line(struct tt_logw *w, unsigned fi, int64_t day, const char *line, size_t len)
{
	struct tt_logw_file *f = &w->files[fi];

	if (w->blen &&
	    (w->pending_file != fi || f->day != day || f->size + w->blen + len > w->cfg.max_bytes ||
	     w->blen + len > sizeof(w->buf)))
		flush_pending(w);
	if (f->fd < 0 || f->day != day) {
		if (open_file(w, f, day) != 0) {
			w->write_errors++;
			return;
		}
		if (day > w->retention_day) {
			w->retention_day = day;
			tt_logw_retention(w, day);
		}
	}
	if (f->size + len > w->cfg.max_bytes && f->size > 0)
		rotate_file(w, f);
	w->pending_file = fi;
	memcpy(w->buf + w->blen, line, len);
	w->blen += len;
	w->lines++;
}

int tt_logw_drain(struct tt_logw *w, unsigned max)
{
	char line[TT_LOG_LINE_MAX];
	int64_t off = realtime_ns() - tt_clock_ns_now();
	int total = 0;

	for (unsigned i = 0; i < w->nsrc; i++) {
		struct tt_logw_src *s = &w->src[i];
		struct tt_logw_file *f = &w->files[s->file];
		struct tt_log_who who = {.env = w->cfg.env, .proc = f->proc};
		const struct tt_log_rec *rec;
		uint64_t dropped = tt_load_relaxed(&s->ring.hdr->dropped);
		int32_t pid = tt_load_relaxed(&s->ring.hdr->producer_pid);
		unsigned n = 0;

		if (pid)
			s->pid = pid;
		who.pid = s->pid;
		while ((!max || n < max) && (rec = tt_ring_peek(&s->ring))) {
			struct tt_log_rec copy = *rec; /* the slot may be reused after release */
			size_t len;

			tt_ring_advance(&s->ring, 1);
			if (copy.pid > 0)
				s->pid = who.pid = copy.pid;
			len = tt_log_format_rec(line, &who, &copy, off);
			append_line(w, s->file, floor_day(tt_clock_to_ns(copy.tsc) + off), line,
				    len);
			n++;
		}
		tt_ring_consume_flush(&s->ring);
		if (dropped != s->dropped_seen) {
			struct tt_log_rec d = {.event = TT_EV_log_dropped,
					       .level = TT_LOG_WARN,
					       .nargs = 1,
					       .tid = s->tid,
					       .tsc = tt_clock_now(),
					       .arg = {(int64_t)(dropped - s->dropped_seen)}};
			size_t len = tt_log_format_rec(line, &who, &d, off);

			w->drops += dropped - s->dropped_seen;
			s->dropped_seen = dropped;
			append_line(w, s->file, floor_day(tt_clock_to_ns(d.tsc) + off), line, len);
			n++;
		}
		if (w->blen)
			flush_pending(w);
		(void)f;
		total += (int)n;
	}
	return total;
}

int tt_logw_append_json(struct tt_logw *w, const char *proc, const char *line, size_t len)
{
	char out[TT_LOG_LINE_MAX + 64];
	const char *ts, *lv;
	struct tm tm = {0};
	int64_t day;
	size_t n = 0;
	unsigned fi;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len < 2 || len > TT_LOG_LINE_MAX || line[0] != '{' || line[len - 1] != '}' ||
	    memchr(line, '\n', len) || !(ts = strstr(line, "\"ts\":\"")) ||
	    !strptime(ts + 6, "%Y-%m-%dT", &tm)) {
		w->bad_lines++;
		return -EINVAL;
	}
	day = (int64_t)timegm(&tm) / 86400;
	lv = strstr(line, "\"level\":\"");
	if (!strstr(line, "\"env\":") && lv && (lv = strchr(lv + 9, '"')) &&
	    (size_t)(lv - line) < len) {
		size_t head = (size_t)(lv - line) + 1;

		memcpy(out, line, head);
		n = head + (size_t)snprintf(out + head, 48, ",\"env\":\"%.16s\"", w->cfg.env);
		memcpy(out + n, line + head, len - head);
		n += len - head;
	} else {
		memcpy(out, line, len);
		n = len;
	}
	out[n++] = '\n';
	fi = file_slot(w, proc);
	if (fi >= TT_LOGW_SRC_MAX)
		return -ENOSPC;
	append_line(w, fi, day, out, n);
	flush_pending(w);
	return 0;
}

int tt_logw_run(struct tt_logw *w, volatile sig_atomic_t *stop, unsigned poll_ms)
{
	int64_t last_scan = 0;
	struct timespec nap = {.tv_sec = poll_ms / 1000,
			       .tv_nsec = (long)(poll_ms % 1000) * 1000000};

	while (!*stop) {
		int64_t now = tt_clock_ns_now();

		if (now - last_scan > 1000000000ll) {
			tt_logw_scan(w);
			last_scan = now;
		}
		if (tt_logw_drain(w, 0) == 0)
			nanosleep(&nap, NULL);
	}
	tt_logw_scan(w);
	tt_logw_drain(w, 0);
	return 0;
}

void tt_logw_fini(struct tt_logw *w)
{
	if (w->blen)
		flush_pending(w);
	for (unsigned i = 0; i < w->nsrc; i++)
		tt_ring_detach(&w->src[i].ring);
	w->nsrc = 0;
	for (unsigned i = 0; i < TT_LOGW_SRC_MAX; i++) {
		if (w->files[i].fd >= 0)
			close(w->files[i].fd);
		w->files[i].fd = -1;
	}
}
