/*
 * json.c — the cold and the skipping half of the JSON cursor (tt_json.h): error recording,
 * string validation and skipping any JSON value. skip_value is iterative with a 64-bit
 * container stack, so hostile nesting can neither overflow the C stack nor go deeper than
 * 64 levels.
 */
#include "tt_json.h"

bool tt_json_fail(struct tt_json *c, uint32_t code, const char *at)
{
	if (c->code == TT_JSON_E_NONE) {
		c->code = code;
		if (at > c->end)
			at = c->end;
		c->pos = (uint32_t)(at - c->base);
	}
	return false;
}

const char *tt_json_err_str(uint32_t code)
{
	static const char *const text[] = {
#define TT_JSON_E_TEXT(name, t) [name] = t,
		TT_JSON_ERR_MAP(TT_JSON_E_TEXT)
#undef TT_JSON_E_TEXT
	};

	if (code < TT_JSON_E_COUNT)
		return text[code];
	return code >= TT_JSON_E_USER ? "decoder error" : "unknown error";
}

static inline bool is_hex(char ch)
{
	return (unsigned)(ch - '0') < 10 || (unsigned)((ch | 0x20) - 'a') < 6;
}

/* Cursor on the opening quote; leaves it after the closing one. */
bool tt_json_skip_string(struct tt_json *c, bool *had_escape)
{
	const char *q = c->p + 1;
	const char *end = c->end;
	bool esc = false;

	for (;;) {
		unsigned char ch;

		if (tt_unlikely(q >= end))
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, q);
		ch = (unsigned char)*q;
		if (ch == '"')
			break;
		if (tt_unlikely(ch < 0x20))
			return tt_json_fail(c, TT_JSON_E_ESCAPE, q);
		if (ch == '\\') {
			esc = true;
			if (q + 1 >= end)
				return tt_json_fail(c, TT_JSON_E_TRUNCATED, q + 1);
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
					return tt_json_fail(c, TT_JSON_E_TRUNCATED, end);
				if (!is_hex(q[2]) || !is_hex(q[3]) || !is_hex(q[4]) || !is_hex(q[5]))
					return tt_json_fail(c, TT_JSON_E_ESCAPE, q);
				q += 6;
				continue;
			default:
				return tt_json_fail(c, TT_JSON_E_ESCAPE, q);
			}
		}
		q++;
	}
	c->p = q + 1;
	*had_escape = esc;
	return true;
}

/* JSON number grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static bool skip_number(struct tt_json *c)
{
	const char *q = c->p;
	const char *end = c->end;

	if (*q == '-')
		q++;
	if (q >= end)
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, q);
	if (*q == '0') {
		q++;
	} else if ((unsigned)(*q - '1') < 9) {
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	} else {
		return tt_json_fail(c, TT_JSON_E_SYNTAX, q);
	}
	if (q < end && *q == '.') {
		q++;
		if (q >= end)
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, q);
		if ((unsigned)(*q - '0') >= 10)
			return tt_json_fail(c, TT_JSON_E_SYNTAX, q);
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end)
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, q);
		if ((unsigned)(*q - '0') >= 10)
			return tt_json_fail(c, TT_JSON_E_SYNTAX, q);
		while (q < end && (unsigned)(*q - '0') < 10)
			q++;
	}
	c->p = q;
	return true;
}

static bool skip_lit(struct tt_json *c, const char *lit, size_t n)
{
	size_t left = (size_t)(c->end - c->p);
	size_t i;

	for (i = 0; i < n; i++) {
		if (i >= left)
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->end);
		if (c->p[i] != lit[i])
			return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p + i);
	}
	c->p += n;
	return true;
}

/* Skips whitespace then one value of any kind. Stack bit set = object, clear = array. */
bool tt_json_skip_value(struct tt_json *c)
{
	uint64_t stack = 0;
	unsigned depth = 0;
	bool esc;

value:
	tt_json_ws(c);
	if (c->p >= c->end)
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
	switch (*c->p) {
	case '"':
		if (!tt_json_skip_string(c, &esc))
			return false;
		break;
	case '{':
	case '[': {
		bool obj = *c->p == '{';

		if (depth >= 64)
			return tt_json_fail(c, TT_JSON_E_NESTING, c->p);
		stack = (stack << 1) | (obj ? 1u : 0u);
		depth++;
		c->p++;
		tt_json_ws(c);
		if (c->p >= c->end)
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
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
		return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p);
	}
	/* A value ended: close containers or move to the next element. */
	while (depth > 0) {
		bool obj = stack & 1;

		tt_json_ws(c);
		if (c->p >= c->end)
			return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
		if (*c->p == ',') {
			c->p++;
			if (obj)
				goto key;
			goto value;
		}
		if (*c->p != (obj ? '}' : ']'))
			return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p);
		c->p++;
		stack >>= 1;
		depth--;
	}
	return true;
key:
	tt_json_ws(c);
	if (c->p >= c->end)
		return tt_json_fail(c, TT_JSON_E_TRUNCATED, c->p);
	if (*c->p != '"')
		return tt_json_fail(c, TT_JSON_E_SYNTAX, c->p);
	if (!tt_json_skip_string(c, &esc))
		return false;
	if (!tt_json_expect(c, ':'))
		return false;
	goto value;
}
