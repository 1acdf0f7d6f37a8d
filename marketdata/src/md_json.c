/*
 * md_json.c — the cold and the skipping half of the scanners' JSON cursor (md_json.h):
 * error recording, string validation and skipping any JSON value. skip_value is
 * iterative with a 64-bit container stack, so hostile nesting can neither overflow the C
 * stack nor go deeper than 64 levels.
 */
#include "md_json.h"

#include "tt_err.h"

bool tt__mdj_fail(struct mdj *c, uint32_t code, const char *at)
{
	if (c->code == TT_MD_PE_NONE) {
		c->code = code;
		if (at > c->end)
			at = c->end;
		c->pos = (uint32_t)(at - c->base);
	}
	return false;
}

int tt__mdj_finish(const struct mdj *c, struct tt_md_perr *err, const char *what)
{
	err->code = c->code;
	err->pos = c->pos;
	return tt_err_set(-TT_EPROTO, "%s: %s at byte %u", what, tt_md_perr_str(c->code),
			  c->pos);
}

static inline bool is_hex(char ch)
{
	return (unsigned)(ch - '0') < 10 || (unsigned)((ch | 0x20) - 'a') < 6;
}

/* Cursor on the opening quote; leaves it after the closing one. */
bool tt__mdj_skip_string(struct mdj *c, bool *had_escape)
{
	const char *q = c->p + 1;
	const char *end = c->end;
	bool esc = false;

	for (;;) {
		unsigned char ch;

		if (tt_unlikely(q >= end))
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, q);
		ch = (unsigned char)*q;
		if (ch == '"')
			break;
		if (tt_unlikely(ch < 0x20))
			return tt__mdj_fail(c, TT_MD_PE_ESCAPE, q);
		if (ch == '\\') {
			esc = true;
			if (q + 1 >= end)
				return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, q + 1);
			switch (q[1]) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				q += 2;
				continue;
			case 'u':
				if (end - q < 6)
					return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, end);
				if (!is_hex(q[2]) || !is_hex(q[3]) || !is_hex(q[4]) || !is_hex(q[5]))
					return tt__mdj_fail(c, TT_MD_PE_ESCAPE, q);
				q += 6;
				continue;
			default:
				return tt__mdj_fail(c, TT_MD_PE_ESCAPE, q);
			}
		}
		q++;
	}
	c->p = q + 1;
	*had_escape = esc;
	return true;
}

/* JSON number grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static bool skip_number(struct mdj *c)
{
	const char *q = c->p;
	const char *end = c->end;

	if (*q == '-')
		q++;
	if (q >= end)
		return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, q);
	if (*q == '0') {
		q++;
	} else if ((unsigned)(*q - '1') < 9) {
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	} else {
		return tt__mdj_fail(c, TT_MD_PE_SYNTAX, q);
	}
	if (q < end && *q == '.') {
		q++;
		if (q >= end)
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, q);
		if ((unsigned)(*q - '0') >= 10)
			return tt__mdj_fail(c, TT_MD_PE_SYNTAX, q);
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end)
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, q);
		if ((unsigned)(*q - '0') >= 10)
			return tt__mdj_fail(c, TT_MD_PE_SYNTAX, q);
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	}
	c->p = q;
	return true;
}

static bool skip_lit(struct mdj *c, const char *lit, size_t n)
{
	size_t left = (size_t)(c->end - c->p);
	size_t i;

	for (i = 0; i < n; i++) {
		if (i >= left)
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, c->end);
		if (c->p[i] != lit[i])
			return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p + i);
	}
	c->p += n;
	return true;
}

/* Skips whitespace then one value of any kind. Stack bit set = object, clear = array. */
bool tt__mdj_skip_value(struct mdj *c)
{
	uint64_t stack = 0;
	unsigned depth = 0;
	bool esc;

value:
	mdj_ws(c);
	if (c->p >= c->end)
		return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, c->p);
	switch (*c->p) {
	case '"':
		if (!tt__mdj_skip_string(c, &esc))
			return false;
		break;
	case '{':
	case '[': {
		bool obj = *c->p == '{';

		if (depth >= 64)
			return tt__mdj_fail(c, TT_MD_PE_NESTING, c->p);
		stack = (stack << 1) | (obj ? 1u : 0u);
		depth++;
		c->p++;
		mdj_ws(c);
		if (c->p >= c->end)
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, c->p);
		if (*c->p == (obj ? '}' : ']')) {
			c->p++;
			stack >>= 1;
			depth--;
			break;
		}
		if (obj)
			goto key;
		goto value;
	}
	case 't':
		if (!skip_lit(c, "true", 4))
			return false;
		break;
	case 'f':
		if (!skip_lit(c, "false", 5))
			return false;
		break;
	case 'n':
		if (!skip_lit(c, "null", 4))
			return false;
		break;
	default:
		if (*c->p == '-' || (unsigned)(*c->p - '0') < 10) {
			if (!skip_number(c))
				return false;
			break;
		}
		return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p);
	}
	/* A value ended: close containers or move to the next element. */
	while (depth > 0) {
		bool obj = stack & 1;

		mdj_ws(c);
		if (c->p >= c->end)
			return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, c->p);
		if (*c->p == ',') {
			c->p++;
			if (obj)
				goto key;
			goto value;
		}
		if (*c->p != (obj ? '}' : ']'))
			return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p);
		c->p++;
		stack >>= 1;
		depth--;
	}
	return true;
key:
	mdj_ws(c);
	if (c->p >= c->end)
		return tt__mdj_fail(c, TT_MD_PE_TRUNCATED, c->p);
	if (*c->p != '"')
		return tt__mdj_fail(c, TT_MD_PE_SYNTAX, c->p);
	if (!tt__mdj_skip_string(c, &esc))
		return false;
	if (!mdj_expect(c, ':'))
		return false;
	goto value;
}
