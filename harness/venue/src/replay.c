/*
 * replay.c — the replay source: a JSON-lines file of recorded combined-stream frames.
 *
 * Line format:  [<t_us> ]{"stream":"<name>","data":<payload>}
 * t_us, optional, is the send time in microseconds relative to the start of the replay; a
 * line without one goes right after the previous line. <name> must be a stream of a
 * configured symbol. The replay clock starts when the first client connects. Raw /ws/
 * clients receive <payload> exactly as in the file, combined clients the re-wrapped frame
 * (byte-identical to the line when the line has no spaces outside the payload). Blank lines and
 * lines starting with '#' are skipped; malformed lines are counted and reported on stderr, never
 * fatal. The file is read whole at start.
 */
#include "venue_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tt_vreplay {
	char *data;
	size_t len;
	size_t pos;
	bool loop;
	bool done;
	uint64_t t0_ns;
	uint64_t bad;
	uint64_t sent;
};

int tt_vreplay_open(struct tt_vreplay **out, const char *path, bool loop)
{
	struct tt_vreplay *r = calloc(1, sizeof(*r));
	FILE *f = fopen(path, "rb");
	long n;

	if (!r || !f)
		goto fail;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto fail;
	r->data = malloc((size_t)n + 1);
	if (!r->data || fread(r->data, 1, (size_t)n, f) != (size_t)n)
		goto fail;
	r->data[n] = 0;
	r->len = (size_t)n;
	r->loop = loop;
	fclose(f);
	*out = r;
	return 0;
fail:
	if (f)
		fclose(f);
	if (r)
		free(r->data);
	free(r);
	return -errno ? -errno : -EIO;
}

void tt_vreplay_close(struct tt_vreplay *r)
{
	if (r) {
		free(r->data);
		free(r);
	}
}

bool tt_vreplay_done(const struct tt_vreplay *r)
{
	return r->done;
}

/* Splits one line into (t_us or -1, stream name, payload). Returns false when malformed. */
static bool parse_line(char *s, size_t n, int64_t *t_us, const char **name, size_t *nlen,
		       const char **pl, size_t *plen)
{
	static const char key[] = "{\"stream\":\"";
	static const char dkey[] = "\",\"data\":";
	char *e = s + n;
	char *q;

	*t_us = -1;
	if (s < e && *s >= '0' && *s <= '9') {
		int64_t v = 0;

		while (s < e && *s >= '0' && *s <= '9')
			v = v * 10 + (*s++ - '0');
		*t_us = v;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if ((size_t)(e - s) < sizeof(key) + sizeof(dkey) || memcmp(s, key, sizeof(key) - 1) ||
	    e[-1] != '}')
		return false;
	*name = s + sizeof(key) - 1;
	q = memchr(*name, '"', (size_t)(e - *name));
	if (!q || (size_t)(e - q) < sizeof(dkey) || memcmp(q, dkey, sizeof(dkey) - 1))
		return false;
	*nlen = (size_t)(q - *name);
	*pl = q + sizeof(dkey) - 1;
	*plen = (size_t)(e - 1 - *pl);
	return *plen > 0;
}

int tt_vreplay_pump(struct tt_vreplay *r, struct tt_vmarket *m, uint64_t now_ns)
{
	int sent = 0;

	if (!r->t0_ns)
		r->t0_ns = now_ns;
	while (!r->done) {
		char *line;
		char *nl;
		size_t n;
		int64_t t_us;
		const char *name;
		const char *pl;
		size_t nlen;
		size_t plen;
		int id;

		if (r->pos >= r->len) {
			if (!r->loop) {
				r->done = true;
				fprintf(stderr,
					"{\"event\":\"replay_done\",\"sent\":%llu,\"bad\":%llu}\n",
					(unsigned long long)r->sent, (unsigned long long)r->bad);
				break;
			}
			r->pos = 0;
			r->t0_ns = now_ns;
		}
		line = r->data + r->pos;
		nl = memchr(line, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - line) : r->len - r->pos;
		if (n == 0 || line[0] == '#') {
			r->pos += n + 1;
			continue;
		}
		if (!parse_line(line, n, &t_us, &name, &nlen, &pl, &plen) ||
		    (id = tt_vmarket_stream_id(m, name, nlen)) < 0 || plen > TT_VENC_MAX) {
			r->bad++;
			fprintf(stderr, "{\"event\":\"replay_bad_line\",\"offset\":%zu}\n", r->pos);
			r->pos += n + 1;
			continue;
		}
		if (t_us >= 0 && r->t0_ns + (uint64_t)t_us * 1000ull > now_ns)
			break; /* not due yet */
		if (tt_vmarket_publish(m, (uint16_t)id, pl, (uint32_t)plen) == 0) {
			r->sent++;
			sent++;
		}
		r->pos += n + 1;
		if (sent >= 100000)
			break;
	}
	return sent;
}
