/*
 * wsctl.c — the venue's parser for WebSocket control messages (web-socket-streams.md, "Live
 * Subscribing/Unsubscribing"): {"method":"SUBSCRIBE"|"UNSUBSCRIBE"|"LIST_SUBSCRIPTIONS"|
 * "SET_PROPERTY"|"GET_PROPERTY","params":[…],"id":…}. The input is hostile: any bytes, any
 * length (the caller passes a length, NULs included). The parser only looks at the top-level
 * keys it needs, never reads past len, and always produces one JSON reply: a result or
 * {"error":{"code":N,"msg":"…"},"id":…}. It never changes the subscription unless the whole
 * request is valid.
 */
#include "venue_int.h"

#include <stdio.h>
#include <string.h>

struct cur {
	const char *p;
	const char *e;
};

static void ws(struct cur *c)
{
	while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool eat(struct cur *c, char ch)
{
	ws(c);
	if (c->p < c->e && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A JSON string without escapes (none of our keys or stream names need them). */
static bool str(struct cur *c, const char **s, size_t *n)
{
	const char *q;

	if (!eat(c, '"'))
		return false;
	q = memchr(c->p, '"', (size_t)(c->e - c->p));
	if (!q || memchr(c->p, '\\', (size_t)(q - c->p)))
		return false;
	*s = c->p;
	*n = (size_t)(q - c->p);
	c->p = q + 1;
	return true;
}

/* Skips one JSON value (string, number, literal, array or object of those). */
static bool skip_value(struct cur *c, int depth)
{
	const char *s;
	size_t n;

	ws(c);
	if (c->p >= c->e || depth > 16)
		return false;
	if (*c->p == '"')
		return str(c, &s, &n);
	if (*c->p == '[' || *c->p == '{') {
		char close = *c->p == '[' ? ']' : '}';
		bool obj = *c->p == '{';

		c->p++;
		if (eat(c, close))
			return true;
		do {
			if (obj && (!str(c, &s, &n) || !eat(c, ':')))
				return false;
			if (!skip_value(c, depth + 1))
				return false;
		} while (eat(c, ','));
		return eat(c, close);
	}
	while (c->p < c->e && (strchr("+-.0123456789eEtruefalsn", *c->p) != NULL))
		c->p++;
	return true;
}

static int reply_err(char *out, size_t cap, int code, const char *msg, const char *id)
{
	return snprintf(out, cap, "{\"error\":{\"code\":%d,\"msg\":\"%s\"},\"id\":%s}", code, msg,
			id);
}

int tt_vwsctl_handle(const struct tt_vmarket *m, const char *msg, size_t len, uint64_t *subs,
		     bool *combined, char *out, size_t cap)
{
	struct cur c = {msg, msg + len};
	char id[48] = "null";
	const char *method = NULL;
	size_t mlen = 0;
	struct cur params = {NULL, NULL};
	const char *k;
	size_t kn;
	uint64_t mask = 0;
	int n;

	if (!eat(&c, '{'))
		return reply_err(out, cap, 3, "Invalid JSON: expected value at line 1 column 1",
				 id);
	if (!eat(&c, '}')) {
		do {
			if (!str(&c, &k, &kn) || !eat(&c, ':'))
				return reply_err(out, cap, 3, "Invalid JSON: expected object key",
						 "null");
			ws(&c);
			if (kn == 6 && !memcmp(k, "method", 6)) {
				if (!str(&c, &method, &mlen))
					return reply_err(out, cap, 2,
							 "Invalid request: method must be a string",
							 "null");
			} else if (kn == 2 && !memcmp(k, "id", 2)) {
				const char *s = c.p;
				const char *is;
				size_t in;

				if (c.p < c.e && *c.p == '"') {
					if (!str(&c, &is, &in) || in > 36)
						return reply_err(out, cap, 2,
								 "Invalid request: invalid id",
								 "null");
					for (size_t i = 0; i < in; i++)
						if (!((is[i] >= '0' && is[i] <= '9') ||
						      (is[i] >= 'a' && is[i] <= 'z') ||
						      (is[i] >= 'A' && is[i] <= 'Z') ||
						      is[i] == '-'))
							return reply_err(
							    out, cap, 2,
							    "Invalid request: invalid id", "null");
					snprintf(id, sizeof(id), "\"%.*s\"", (int)in, is);
				} else if (c.e - c.p >= 4 && !memcmp(c.p, "null", 4)) {
					c.p += 4;
				} else {
					if (c.p < c.e && *c.p == '-')
						c.p++;
					while (c.p < c.e && *c.p >= '0' && *c.p <= '9')
						c.p++;
					if (c.p == s || c.p - s > 20 || (c.p - s == 1 && *s == '-'))
						return reply_err(
						    out, cap, 2,
						    "Invalid request: request ID must be "
						    "an unsigned integer",
						    "null");
					snprintf(id, sizeof(id), "%.*s", (int)(c.p - s), s);
				}
			} else if (kn == 6 && !memcmp(k, "params", 6)) {
				params.p = c.p;
				if (!skip_value(&c, 0))
					return reply_err(out, cap, 3, "Invalid JSON: bad params",
							 id);
				params.e = c.p;
			} else if (!skip_value(&c, 0)) {
				return reply_err(out, cap, 3, "Invalid JSON: bad value", id);
			}
		} while (eat(&c, ','));
		if (!eat(&c, '}'))
			return reply_err(out, cap, 3, "Invalid JSON: expected '}'", id);
	}
	ws(&c);
	if (c.p != c.e)
		return reply_err(out, cap, 3, "Invalid JSON: trailing characters", id);
	if (!method)
		return reply_err(out, cap, 2, "Invalid request: missing field `method`", id);

#define IS(lit) (mlen == sizeof(lit) - 1 && !memcmp(method, lit, mlen))
	if (IS("SUBSCRIBE") || IS("UNSUBSCRIBE")) {
		const char *s;
		size_t sn;

		if (!params.p || !eat(&params, '['))
			return reply_err(out, cap, 2, "Invalid request: params must be an array",
					 id);
		if (!eat(&params, ']')) {
			do {
				int sid;

				if (!str(&params, &s, &sn))
					return reply_err(
					    out, cap, 2,
					    "Invalid request: stream names are strings", id);
				sid = tt_vmarket_stream_id(m, s, sn);
				if (sid < 0)
					return reply_err(out, cap, 2,
							 "Invalid request: unknown stream", id);
				mask |= 1ull << sid;
			} while (eat(&params, ','));
			if (!eat(&params, ']'))
				return reply_err(out, cap, 2, "Invalid request: bad params", id);
		}
		if (IS("SUBSCRIBE"))
			*subs |= mask;
		else
			*subs &= ~mask;
		return snprintf(out, cap, "{\"result\":null,\"id\":%s}", id);
	}
	if (IS("LIST_SUBSCRIPTIONS")) {
		n = snprintf(out, cap, "{\"result\":[");
		for (int i = 0, j = 0; i < TT_VENUE_MAX_SYMS * 8 && (size_t)n < cap; i++)
			if (*subs & (1ull << i))
				n += snprintf(out + n, cap - (size_t)n, "%s\"%s\"", j++ ? "," : "",
					      m->names[i]);
		if ((size_t)n < cap)
			n += snprintf(out + n, cap - (size_t)n, "],\"id\":%s}", id);
		return n;
	}
	if (IS("SET_PROPERTY") || IS("GET_PROPERTY")) {
		const char *s;
		size_t sn;
		bool set = IS("SET_PROPERTY");

		if (!params.p || !eat(&params, '[') || !str(&params, &s, &sn))
			return reply_err(out, cap, 2,
					 "Invalid request: property name must be a string", id);
		if (sn != 8 || memcmp(s, "combined", 8))
			return reply_err(out, cap, 0, "Unknown property", id);
		if (!set)
			return snprintf(out, cap, "{\"result\":%s,\"id\":%s}",
					*combined ? "true" : "false", id);
		ws(&params);
		if (!eat(&params, ','))
			return reply_err(out, cap, 1, "Invalid value type: expected Boolean", id);
		ws(&params);
		if (params.e - params.p >= 4 && !memcmp(params.p, "true", 4))
			*combined = true;
		else if (params.e - params.p >= 5 && !memcmp(params.p, "false", 5))
			*combined = false;
		else
			return reply_err(out, cap, 1, "Invalid value type: expected Boolean", id);
		return snprintf(out, cap, "{\"result\":null,\"id\":%s}", id);
	}
#undef IS
	return reply_err(out, cap, 2,
			 "Invalid request: unknown variant, expected one of `SUBSCRIBE`, "
			 "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
			 id);
}
