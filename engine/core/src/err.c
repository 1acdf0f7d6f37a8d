/*
 * err.c — the per-thread error trail behind tt_err.h. A trail is a fixed buffer per
 * thread (no allocation, so it works on paths that must not malloc); entries are joined
 * innermost first. Overflow truncates the text, never the code.
 */
#include "tt_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TT_ERR_BUF 1024

static __thread struct {
	int code;
	size_t len;
	char buf[TT_ERR_BUF];
} tt_err_tls;

const char *tt_strerror(int rc)
{
	int e = rc < 0 ? -rc : rc;

	if (rc == 0)
		return "success";
	switch (e) {
#define TT_ERR_CASE(name, off, text)                                                         \
	case TT_E_BASE + (off):                                                              \
		return text;
		TT_ERRNO_MAP(TT_ERR_CASE)
#undef TT_ERR_CASE
	default:
		return strerror(e);
	}
}

static void tt_err_append(const char *func, const char *file, int line, const char *fmt,
			  va_list ap)
{
	size_t room = sizeof(tt_err_tls.buf) - tt_err_tls.len;
	int n;

	if (room <= 1)
		return;
	if (tt_err_tls.len > 0) {
		n = snprintf(tt_err_tls.buf + tt_err_tls.len, room, ": ");
		tt_err_tls.len += (size_t)n < room ? (size_t)n : room - 1;
		room = sizeof(tt_err_tls.buf) - tt_err_tls.len;
	}
	n = vsnprintf(tt_err_tls.buf + tt_err_tls.len, room, fmt, ap);
	if (n > 0)
		tt_err_tls.len += (size_t)n < room ? (size_t)n : room - 1;
	(void)func;
	(void)file;
	(void)line;
}

int tt__err_set(int code, const char *func, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tt_err_tls.code = code;
	tt_err_tls.len = 0;
	tt_err_tls.buf[0] = '\0';
	va_start(ap, fmt);
	tt_err_append(func, file, line, fmt, ap);
	va_end(ap);
	return code;
}

int tt__err_add(const char *func, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tt_err_append(func, file, line, fmt, ap);
	va_end(ap);
	return tt_err_tls.code;
}

const char *tt_err_msg(void)
{
	return tt_err_tls.buf;
}

int tt_err_code(void)
{
	return tt_err_tls.code;
}

void tt_err_clear(void)
{
	tt_err_tls.code = 0;
	tt_err_tls.len = 0;
	tt_err_tls.buf[0] = '\0';
}
