/*
 * denied.c — emitter of the structured `denied` event (tt_denied.h). Builds the line in
 * a stack buffer and writes it with one write(2) so concurrent emitters never interleave.
 * Overlong targets are truncated (marked "…truncated") rather than dropped.
 */
#include "tt_denied.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;

static _Atomic uint64_t tt_denied_n;
static _Atomic int tt_denied_fd = 2;

/* Appends s JSON-escaped to buf[*len..cap), leaving room for the tail of the line. */
static void json_escape(char *buf, size_t *len, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = *len;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 7 >= cap)
			break;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[n++] = '\\';
			buf[n++] = 'u';
			buf[n++] = '0';
			buf[n++] = '0';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else if (c >= 0x80) {
			/* Not validated as UTF-8: escape as \u00XX so the line is always valid JSON. */
			buf[n++] = '\\';
			buf[n++] = 'u';
			buf[n++] = '0';
			buf[n++] = '0';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			buf[n++] = (char)c;
		}
	}
	*len = n;
}

static void put(char *buf, size_t *len, size_t cap, const char *s)
{
	size_t l = strlen(s);

	if (*len + l >= cap)
		l = cap - *len - 1;
	memcpy(buf + *len, s, l);
	*len += l;
}

void tt_denied_emit(const char *what, const char *target, const char *rule)
{
	char line[1024];
	size_t n = 0;
	const size_t body = sizeof(line) - 96; /* room for process, flavor and the end */
	ssize_t w;

	put(line, &n, body, "{\"event\":\"denied\",\"what\":\"");
	json_escape(line, &n, body, what);
	put(line, &n, body, "\",\"target\":\"");
	json_escape(line, &n, body, target);
	put(line, &n, body, "\",\"rule\":\"");
	json_escape(line, &n, body, rule);
	put(line, &n, sizeof(line), "\",\"process\":\"");
	json_escape(line, &n, sizeof(line) - 32, program_invocation_short_name);
	put(line, &n, sizeof(line), "\",\"flavor\":\"" TT_FLAVOR_NAME "\"}\n");
	atomic_fetch_add_explicit(&tt_denied_n, 1, memory_order_relaxed);
	do {
		w = write(atomic_load_explicit(&tt_denied_fd, memory_order_relaxed), line, n);
	} while (w < 0 && errno == EINTR);
}

uint64_t tt_denied_count(void)
{
	return atomic_load_explicit(&tt_denied_n, memory_order_relaxed);
}

void tt_denied_set_fd(int fd)
{
	atomic_store_explicit(&tt_denied_fd, fd < 0 ? 2 : fd, memory_order_relaxed);
}
