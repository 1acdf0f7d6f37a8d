/*
 * log.c — the JSON-lines formatter and writer behind tt_log.h.
 *
 * A line is built in a caller-stack buffer of TT_LOG_LINE_MAX bytes; the last TT_LOG_TAIL
 * bytes are reserved for the closing `,"truncated":true}\n`, so a line is always valid
 * JSON whatever its fields. Each field is appended whole or not at all (the length is
 * rolled back to the field's start on overflow). The only shared state is the level,
 * the fd (atomics) and the process name (written by tt_log_init before threads log).
 */
#include "tt_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"

#define TT_LOG_TAIL	24 /* room for `,"truncated":true}\n` */
#define TT_LOG_PROC_MAX 32

_Atomic int tt__log_level = TT_LOG_INFO;
_Atomic int tt__log_fd = 2;
static char tt_log_proc[TT_LOG_PROC_MAX];

static const char *const tt_log_level_names[] = {"debug", "info", "warn", "error", "off"};

struct tt_lbuf {
	char *p;    /* TT_LOG_LINE_MAX bytes */
	size_t len; /* bytes used */
	size_t cap; /* usable bytes: TT_LOG_LINE_MAX - TT_LOG_TAIL */
	bool full;  /* an append did not fit */
};

static void lb_putn(struct tt_lbuf *b, const char *s, size_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void lb_puts(struct tt_lbuf *b, const char *s)
{
	lb_putn(b, s, strlen(s));
}

static void lb_u64(struct tt_lbuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	lb_putn(b, tmp + i, sizeof(tmp) - i);
}

static void lb_i64(struct tt_lbuf *b, int64_t v)
{
	if (v < 0) {
		lb_putn(b, "-", 1);
		lb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		lb_u64(b, (uint64_t)v);
	}
}

/* Fixed-point value v / 10^scale as a JSON number, all `scale` digits kept. */
static void lb_fix(struct tt_lbuf *b, int64_t v, unsigned scale)
{
	char tmp[48];
	size_t i = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	unsigned d = 0;

	if (scale > 19)
		scale = 19;
	do {
		if (d == scale && scale > 0)
			tmp[--i] = '.';
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
		d++;
	} while (u || d <= scale);
	if (v < 0)
		tmp[--i] = '-';
	lb_putn(b, tmp + i, sizeof(tmp) - i);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned cp;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* A JSON string literal of n bytes: quotes, backslash and control bytes escaped, valid
 * UTF-8 passed through, any other byte as \u00XX. */
static void lb_str(struct tt_lbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	lb_putn(b, "\"", 1);
	while (i < n && !b->full) {
		size_t run = i;
		unsigned c;

		/* copy the longest run that needs no escaping in one go */
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		lb_putn(b, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		c = u[i];
		if (c >= 0x80) {
			size_t q = utf8_seq(u + i, n - i);

			if (q) {
				lb_putn(b, s + i, q);
				i += q;
				continue;
			}
		}
		switch (c) {
		case '"':
			lb_putn(b, "\\\"", 2);
			break;
		case '\\':
			lb_putn(b, "\\\\", 2);
			break;
		case '\n':
			lb_putn(b, "\\n", 2);
			break;
		case '\r':
			lb_putn(b, "\\r", 2);
			break;
		case '\t':
			lb_putn(b, "\\t", 2);
			break;
		case '\b':
			lb_putn(b, "\\b", 2);
			break;
		case '\f':
			lb_putn(b, "\\f", 2);
			break;
		default: {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			lb_putn(b, esc, sizeof(esc));
			break;
		}
		}
		i++;
	}
	lb_putn(b, "\"", 1);
}

static void lb_cstr(struct tt_lbuf *b, const char *s)
{
	if (s)
		lb_str(b, s, strlen(s));
	else
		lb_puts(b, "null");
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" */
static void lb_ts(struct tt_lbuf *b, int64_t ns)
{
	char tmp[96]; /* ample: gcc cannot bound tm_year */
	struct tm tm;
	time_t sec = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);

	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	snprintf(tmp, sizeof(tmp), "\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	lb_puts(b, tmp);
}

static void lb_field(struct tt_lbuf *b, const struct tt_log_field *f)
{
	size_t mark = b->len;

	if (f->type == TT_LF_NONE)
		return;
	lb_putn(b, ",", 1);
	lb_cstr(b, f->key ? f->key : "?");
	lb_putn(b, ":", 1);
	switch (f->type) {
	case TT_LF_STR:
		lb_cstr(b, f->v.s);
		break;
	case TT_LF_STRN:
		if (f->v.s)
			lb_str(b, f->v.s, f->len);
		else
			lb_puts(b, "null");
		break;
	case TT_LF_I64:
		lb_i64(b, f->v.i);
		break;
	case TT_LF_U64:
		lb_u64(b, f->v.u);
		break;
	case TT_LF_BOOL:
		lb_puts(b, f->v.b ? "true" : "false");
		break;
	case TT_LF_FIX:
		lb_fix(b, f->v.i, f->scale);
		break;
	default:
		lb_puts(b, "null");
		break;
	}
	if (b->full)
		b->len = mark; /* drop the field whole */
}

static const char *tt_log_proc_name(void)
{
	if (tt_log_proc[0])
		return tt_log_proc;
	return program_invocation_short_name;
}

size_t tt_log_format(char *buf, enum tt_log_level level, const char *event,
		     const struct tt_log_field *f, size_t n, int64_t realtime_ns)
{
	struct tt_log_who who = {.env = NULL, .proc = tt_log_proc_name(), .pid = getpid()};

	return tt_log_format_who(buf, &who, level, event, f, n, realtime_ns);
}

size_t tt_log_format_who(char *buf, const struct tt_log_who *who, enum tt_log_level level,
			 const char *event, const struct tt_log_field *f, size_t n,
			 int64_t realtime_ns)
{
	struct tt_lbuf b = {.p = buf, .len = 0, .cap = TT_LOG_LINE_MAX - TT_LOG_TAIL};
	unsigned lv = (unsigned)level < TT_LOG_OFF ? (unsigned)level : TT_LOG_ERROR;

	lb_puts(&b, "{\"ts\":");
	lb_ts(&b, realtime_ns);
	lb_puts(&b, ",\"level\":\"");
	lb_puts(&b, tt_log_level_names[lv]);
	if (who->env) {
		lb_puts(&b, "\",\"env\":");
		lb_cstr(&b, who->env);
		lb_puts(&b, ",\"proc\":");
	} else {
		lb_puts(&b, "\",\"proc\":");
	}
	lb_cstr(&b, who->proc);
	lb_puts(&b, ",\"pid\":");
	lb_i64(&b, who->pid);
	lb_puts(&b, ",\"event\":");
	lb_cstr(&b, event);
	/* the header is far below cap; a full buffer from here on means fields dropped */
	for (size_t i = 0; i < n; i++) {
		lb_field(&b, &f[i]);
		if (b.full)
			break;
	}
	if (b.full) {
		b.full = false;
		b.cap = TT_LOG_LINE_MAX;
		lb_puts(&b, ",\"truncated\":true");
	}
	b.cap = TT_LOG_LINE_MAX;
	lb_puts(&b, "}\n");
	return b.len;
}

/* ---- binary records: catalogue, formatting, direct fallback ------------------------------ */

__thread struct tt_ring *tt__log_ring;
__thread uint32_t tt__log_tid;
int32_t tt__log_pid;

#define TT__EV_ROW(ev, lvl, d, f0, f1, f2, f3)                                                     \
	[TT_EV_##ev] = {.name = #ev, .level = TT_LOG_##lvl, .desc = d, .f = {f0, f1, f2, f3}},
const struct tt_event_desc tt_event_catalogue[TT_EV_COUNT] = {TT_EVENTS(TT__EV_ROW)};
#undef TT__EV_ROW

const struct tt_event_desc *tt_event_lookup(unsigned id)
{
	return id < TT_EV_COUNT ? &tt_event_catalogue[id] : NULL;
}

size_t tt_log_format_rec(char *buf, const struct tt_log_who *who, const struct tt_log_rec *rec,
			 int64_t mono_to_real_ns)
{
	const struct tt_event_desc *d = tt_event_lookup(rec->event);
	struct tt_log_field f[TT_LOG_ARGS + 2];
	size_t n = 0;
	int64_t ts = tt_clock_to_ns(rec->tsc) + mono_to_real_ns;
	unsigned lv = rec->level < TT_LOG_OFF ? rec->level : TT_LOG_ERROR;

	if (!d) {
		f[n++] = TT_LU("id", rec->event);
		for (unsigned i = 0; i < TT_LOG_ARGS; i++)
			f[n++] = TT_LI("arg", rec->arg[i]);
		return tt_log_format_who(buf, who, (enum tt_log_level)lv, "unknown_event", f, n,
					 ts);
	}
	for (unsigned i = 0; i < TT_LOG_ARGS && i < rec->nargs; i++) {
		const struct tt_event_field *ef = &d->f[i];

		if (!ef->key)
			break;
		switch (ef->type) {
		case TT_LF_U64:
			f[n++] = TT_LU(ef->key, (uint64_t)rec->arg[i]);
			break;
		case TT_LF_FIX:
			f[n++] = TT_LX(ef->key, rec->arg[i], ef->scale);
			break;
		case TT_LF_TSC:
			f[n++] = TT_LI(ef->key,
				       tt_clock_to_ns((uint64_t)rec->arg[i]) + mono_to_real_ns);
			break;
		default:
			f[n++] = TT_LI(ef->key, rec->arg[i]);
			break;
		}
	}
	if (rec->tid)
		f[n++] = TT_LU("tid", rec->tid);
	return tt_log_format_who(buf, who, (enum tt_log_level)lv, d->name, f, n, ts);
}

static void tt_log_write_all(int fd, const char *buf, size_t len)
{
	size_t off = 0;

	/* One write() per line; a short write (signal, full disk) is completed, never
	 * retried from the start, so no line is duplicated. */
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

void tt__logh_direct(const struct tt_log_rec *rec)
{
	char buf[TT_LOG_LINE_MAX];
	struct timespec rt;
	struct tt_log_who who = {.env = NULL, .proc = tt_log_proc_name(), .pid = getpid()};
	int saved = errno;
	int64_t off;

	clock_gettime(CLOCK_REALTIME, &rt);
	off = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - tt_clock_ns_now();
	tt_log_write_all(atomic_load_explicit(&tt__log_fd, memory_order_relaxed), buf,
			 tt_log_format_rec(buf, &who, rec, off));
	errno = saved;
}

void tt__log(enum tt_log_level level, const char *event, const struct tt_log_field *f, size_t n)
{
	char buf[TT_LOG_LINE_MAX];
	struct timespec ts;
	size_t len, off = 0;
	int fd = atomic_load_explicit(&tt__log_fd, memory_order_relaxed);
	int saved = errno; /* logging must not disturb the caller's errno */

	clock_gettime(CLOCK_REALTIME, &ts);
	len = tt_log_format(buf, level, event, f, n,
			    (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec);
	/* One write() per line; a short write (signal, full disk) is completed, never
	 * retried from the start, so no line is duplicated. */
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	errno = saved;
}

void tt__log_err(enum tt_log_level level, const char *event, const struct tt_log_field *f, size_t n)
{
	struct tt_log_field all[3 + 32];
	size_t k = 0;
	int code = tt_err_code();

	all[k++] = TT_LI("code", code);
	all[k++] = TT_LS("error", tt_strerror(code));
	all[k++] = TT_LS("trail", tt_err_msg());
	for (size_t i = 0; i < n && k < TT_ARRAY_LEN(all); i++)
		all[k++] = f[i];
	tt__log(level, event, all, k);
}

void tt_log_init(const char *proc_name)
{
	const char *env = getenv("TT_LOG_LEVEL");
	int lv;

	if (proc_name) {
		strncpy(tt_log_proc, proc_name, sizeof(tt_log_proc) - 1);
		tt_log_proc[sizeof(tt_log_proc) - 1] = '\0';
	}
	if (env && *env) {
		lv = tt_log_level_parse(env);
		if (lv >= 0)
			tt_log_set_level((enum tt_log_level)lv);
		else
			tt_log(TT_LOG_WARN, "log_level_invalid", TT_LS("TT_LOG_LEVEL", env));
	}
}

void tt_log_set_level(enum tt_log_level level)
{
	atomic_store_explicit(&tt__log_level, (int)level, memory_order_relaxed);
}

void tt_log_set_fd(int fd)
{
	atomic_store_explicit(&tt__log_fd, fd, memory_order_relaxed);
}

int tt_log_level_parse(const char *word)
{
	for (size_t i = 0; word && i < TT_ARRAY_LEN(tt_log_level_names); i++)
		if (strcmp(word, tt_log_level_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}
