/*
 * log.c — the frame log: every published frame is appended once to a byte ring, and every
 * client reads it through its own free-running cursor, so a frame costs one encode however
 * many clients there are. Entries are an 8-byte header plus the payload, padded to 8; an
 * entry never wraps (a TT_VLOG_SKIP entry pads to the end instead). A cursor more than cap
 * bytes behind head has been overwritten: that client is too slow and is dropped.
 * Single-threaded (the service loop), so no atomics.
 */
#include "tt_venue.h"

#include <errno.h>
#include <string.h>

#define HDR sizeof(struct tt_vlog_ent)

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

int tt_vlog_put(struct tt_vlog *l, uint16_t stream, const void *p, uint32_t len)
{
	uint64_t need = HDR + pad8(len);
	uint64_t off = l->head & (l->cap - 1);
	struct tt_vlog_ent e;

	if (len > l->cap / 4)
		return -EMSGSIZE;
	if (off + need > l->cap) {
		/* Not enough room before the end: a skip entry covers the rest. */
		e.len = (uint32_t)(l->cap - off - HDR);
		e.stream = TT_VLOG_SKIP;
		e.flags = 0;
		memcpy(l->buf + off, &e, HDR);
		l->head += l->cap - off;
		off = 0;
	}
	e.len = len;
	e.stream = stream;
	e.flags = 0;
	memcpy(l->buf + off, &e, HDR);
	memcpy(l->buf + off + HDR, p, len);
	l->head += need;
	l->frames++;
	return 0;
}

int tt_vlog_get(const struct tt_vlog *l, uint64_t *pos, uint16_t *stream, const uint8_t **p,
		uint32_t *len)
{
	struct tt_vlog_ent e;

	for (;;) {
		if (*pos == l->head)
			return 0;
		if (l->head - *pos > l->cap)
			return -ESPIPE;
		memcpy(&e, l->buf + (*pos & (l->cap - 1)), HDR);
		if (e.stream == TT_VLOG_SKIP) {
			*pos += HDR + e.len;
			continue;
		}
		*stream = e.stream;
		*p = l->buf + (*pos & (l->cap - 1)) + HDR;
		*len = e.len;
		*pos += HDR + pad8(e.len);
		return 1;
	}
}
