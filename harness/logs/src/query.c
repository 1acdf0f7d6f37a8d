/*
 * query.c — tt_logq: filter and sort log lines from the JSON-line tree (tt_logq.h). Lines
 * are parsed with cJSON (a cold tool: clarity over speed); files are skipped by their date
 * before being opened when a time range is given. Hostile lines (not JSON, no ts) are
 * counted and skipped, never trusted.
 */
#include "tt_logq.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tt_err.h"
#include "tt_log.h"

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static int level_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

int tt_logq_parse_ts(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	int64_t frac = 0;
	int digits = 0;

	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		}
		if (digits == 0)
			return -EINVAL;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -EINVAL;
	*out = (int64_t)timegm(&tm) * 1000000000 + frac;
	return 0;
}

int tt_logq_parse_time(const char *s, int64_t now_ns, int64_t *out)
{
	struct tm tm = {0};
	const char *p;
	char *end;
	unsigned long long v;
	int64_t unit;

	if (!s || !*s)
		return -EINVAL;
	if (tt_logq_parse_ts(s, out) == 0)
		return 0;
	p = strptime(s, "%Y-%m-%d", &tm);
	if (p && *p == '\0') {
		*out = (int64_t)timegm(&tm) * 1000000000;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (strcmp(end, "s") == 0)
		unit = 1000000000ll;
	else if (strcmp(end, "m") == 0)
		unit = 60ll * 1000000000ll;
	else if (strcmp(end, "h") == 0)
		unit = 3600ll * 1000000000ll;
	else if (strcmp(end, "d") == 0)
		unit = 86400ll * 1000000000ll;
	else
		return -EINVAL;
	if (v > (unsigned long long)(INT64_MAX / unit))
		return -EINVAL;
	*out = now_ns - (int64_t)v * unit;
	return 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* order_id ≥ 2^53 (real client order ids are): a double cannot tell neighbours apart, so
 * compare the number's own digits in the line: "order_id":<want> then a non-digit. Lines
 * come from our writers (one key per object, no spaces). */
static bool order_matches_text(const char *line, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = line; (p = strstr(p, "\"order_id\":")) != NULL;) {
		p += 11;
		if (!strncmp(p, want, n) && !(p[n] >= '0' && p[n] <= '9'))
			return true;
	}
	return false;
}

/* order_id as its decimal text, whether the JSON holds it as a number or a string */
static bool order_matches(const cJSON *o, const char *line, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "order_id");

	if (cJSON_IsString(v))
		return strcmp(v->valuestring, want) == 0;
	return cJSON_IsNumber(v) && order_matches_text(line, want);
}

bool tt_logq_match(const struct tt_logq *q, const char *line, int64_t *ts_ns)
{
	cJSON *o = cJSON_Parse(line);
	const char *ts, *s;
	bool ok = false;
	int lv;

	if (!cJSON_IsObject(o))
		goto out;
	ts = jstr(o, "ts");
	if (!ts || tt_logq_parse_ts(ts, ts_ns))
		goto out;
	ok = true; /* well formed from here: the filters decide */
	if ((q->since_ns && *ts_ns < q->since_ns) || (q->until_ns && *ts_ns >= q->until_ns))
		ok = false;
	lv = level_of(jstr(o, "level"));
	if (ok && q->min_level > 0 && lv < q->min_level)
		ok = false;
	if (ok && q->env && ((s = jstr(o, "env")) == NULL || strcmp(s, q->env) != 0))
		ok = false;
	if (ok && q->proc && ((s = jstr(o, "proc")) == NULL || strcmp(s, q->proc) != 0))
		ok = false;
	if (ok && q->event && ((s = jstr(o, "event")) == NULL || strcmp(s, q->event) != 0))
		ok = false;
	if (ok && q->order && !order_matches(o, line, q->order))
		ok = false;
out:
	if (!ok && !cJSON_IsObject(o))
		*ts_ns = INT64_MIN; /* marks malformed for the caller */
	cJSON_Delete(o);
	return ok;
}

static int push_hit(struct tt_logq_result *res, const char *line, size_t len, int64_t ts)
{
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 256;
		struct tt_logq_hit *h = realloc(res->hit, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		res->hit = h;
		res->cap = cap;
	}
	res->hit[res->n].line = strndup(line, len);
	if (!res->hit[res->n].line)
		return -ENOMEM;
	res->hit[res->n].ts_ns = ts;
	res->n++;
	return 0;
}

/* File "YYYY-MM-DD[.k].jsonl": false when its day lies wholly outside the range. */
static bool file_in_range(const struct tt_logq *q, const char *name)
{
	struct tm tm = {0};
	const char *p = strptime(name, "%Y-%m-%d", &tm);
	int64_t day0;

	if (!p || *p != '.' || strlen(name) < 6 || strcmp(name + strlen(name) - 6, ".jsonl"))
		return false;
	day0 = (int64_t)timegm(&tm) * 1000000000;
	if (q->until_ns && day0 >= q->until_ns)
		return false;
	if (q->since_ns && day0 + 86400ll * 1000000000 <= q->since_ns)
		return false;
	return true;
}

static int scan_file(const struct tt_logq *q, const char *path, struct tt_logq_result *res)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	if (!f)
		return 0; /* rotated away meanwhile */
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		int64_t ts = 0;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (tt_logq_match(q, line, &ts))
			rc = push_hit(res, line, (size_t)len, ts);
		else if (ts == INT64_MIN)
			res->bad_lines++;
	}
	free(line);
	fclose(f);
	return rc;
}

static bool safe_name(const char *s)
{
	return s && *s && *s != '.' && !strchr(s, '/');
}

static int scan_dir(const struct tt_logq *q, const char *dir, const char *only,
		    int (*fn)(const struct tt_logq *, const char *, struct tt_logq_result *),
		    struct tt_logq_result *res)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while (rc == 0 && (e = readdir(d))) {
		char path[1024];

		if (!safe_name(e->d_name) || (only && strcmp(e->d_name, only) != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rc = fn(q, path, res);
	}
	closedir(d);
	return rc;
}

static int scan_proc(const struct tt_logq *q, const char *dir, struct tt_logq_result *res)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 0; /* a stray file in the env folder */
	while (rc == 0 && (e = readdir(d))) {
		char path[1024];

		if (!safe_name(e->d_name) || !file_in_range(q, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rc = scan_file(q, path, res);
	}
	closedir(d);
	return rc;
}

static int scan_env(const struct tt_logq *q, const char *dir, struct tt_logq_result *res)
{
	int rc = scan_dir(q, dir, q->proc, scan_proc, res);

	return rc == -ENOTDIR ? 0 : rc;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct tt_logq_hit *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

int tt_logq_run(const struct tt_logq *q, struct tt_logq_result *res)
{
	int rc;

	if ((q->env && !safe_name(q->env)) || (q->proc && !safe_name(q->proc)))
		return tt_err_set(-EINVAL, "env and proc are plain names");
	rc = scan_dir(q, q->root, q->env, scan_env, res);
	if (rc)
		return tt_err_set(rc, "log tree %s: %s", q->root, strerror(-rc));
	if (res->n)
		qsort(res->hit, res->n, sizeof(*res->hit), hit_cmp);
	if (q->limit && res->n > q->limit) {
		size_t drop = res->n - q->limit;

		for (size_t i = 0; i < drop; i++)
			free(res->hit[i].line);
		memmove(res->hit, res->hit + drop, q->limit * sizeof(*res->hit));
		res->n = q->limit;
	}
	return 0;
}

void tt_logq_result_free(struct tt_logq_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		free(res->hit[i].line);
	free(res->hit);
	memset(res, 0, sizeof(*res));
}

/* A number field's own text in the line ("key":123456789012345678901), so integers past
 * 2^53 print exactly; NULL when not found in that shape. */
static const char *raw_number(const char *line, const char *key, char *buf, size_t cap)
{
	char pat[80];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%.70s\":", key);
	p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (n + 1 < cap && (p[n] == '-' || p[n] == '.' || p[n] == 'e' || p[n] == 'E' ||
			       p[n] == '+' || (p[n] >= '0' && p[n] <= '9'))) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = 0;
	return n ? buf : NULL;
}

void tt_logq_print_human(FILE *out, const char *line)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *it;
	const char *lv;

	if (!cJSON_IsObject(o)) {
		fprintf(out, "%s\n", line);
		cJSON_Delete(o);
		return;
	}
	lv = jstr(o, "level");
	fprintf(out, "%s %-5s %s[%.0f] %s", jstr(o, "ts") ? jstr(o, "ts") : "?", lv ? lv : "?",
		jstr(o, "proc") ? jstr(o, "proc") : "?",
		cJSON_IsNumber(cJSON_GetObjectItem(o, "pid"))
		    ? cJSON_GetObjectItem(o, "pid")->valuedouble
		    : 0.0,
		jstr(o, "event") ? jstr(o, "event") : "?");
	cJSON_ArrayForEach(it, o)
	{
		static const char *const hdr[] = {"ts", "level", "env", "proc", "pid", "event"};
		bool skip = false;
		char *v;

		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
			skip |= strcmp(it->string, hdr[i]) == 0;
		if (skip)
			continue;
		if (cJSON_IsString(it)) {
			fprintf(out, " %s=%s", it->string, it->valuestring);
			continue;
		}
		if (cJSON_IsNumber(it)) {
			char num[48];
			const char *r = raw_number(line, it->string, num, sizeof(num));

			if (r) {
				fprintf(out, " %s=%s", it->string, r);
				continue;
			}
		}
		v = cJSON_PrintUnformatted(it);
		fprintf(out, " %s=%s", it->string, v ? v : "?");
		free(v);
	}
	fputc('\n', out);
	cJSON_Delete(o);
}

static const char *ftype_name(unsigned t)
{
	switch (t) {
	case TT_LF_I64:
		return "i64";
	case TT_LF_U64:
		return "u64";
	case TT_LF_FIX:
		return "fixed";
	case TT_LF_TSC:
		return "time_ns";
	default:
		return "?";
	}
}

void tt_logq_print_events(FILE *out, bool json)
{
	if (json)
		fputc('[', out);
	for (unsigned i = 0; i < TT_EV_COUNT; i++) {
		const struct tt_event_desc *d = &tt_event_catalogue[i];

		if (json) {
			fprintf(out,
				"%s{\"event\":\"%s\",\"id\":%u,\"level\":\"%s\",\"desc\":\"%s\","
				"\"fields\":[",
				i ? "," : "", d->name, i, level_names[d->level], d->desc);
			for (unsigned k = 0; k < TT_LOG_ARGS && d->f[k].key; k++)
				fprintf(out, "%s{\"key\":\"%s\",\"type\":\"%s\",\"scale\":%u}",
					k ? "," : "", d->f[k].key, ftype_name(d->f[k].type),
					d->f[k].scale);
			fputs("]}", out);
			continue;
		}
		fprintf(out, "%-18s %-5s", d->name, level_names[d->level]);
		for (unsigned k = 0; k < TT_LOG_ARGS && d->f[k].key; k++)
			fprintf(out, " %s:%s", d->f[k].key, ftype_name(d->f[k].type));
		fprintf(out, "\n    %s\n", d->desc);
	}
	if (json)
		fputs("]\n", out);
}

static bool plain_word(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.') ||
		    n >= max)
			return false;
	return true;
}

int tt_logq_set(struct tt_logq *q, const char *key, const char *val, int64_t now_ns)
{
	char *end;

	if (!key || !val)
		return tt_err_set(-EINVAL, "missing value");
	if (strcmp(key, "env") == 0) {
		if (strcmp(val, "testnet") && strcmp(val, "prod"))
			return tt_err_set(-EINVAL, "env: expected testnet or prod, found '%.40s'",
					  val);
		q->env = val;
	} else if (strcmp(key, "proc") == 0) {
		if (!plain_word(val, 64) || val[0] == '.')
			return tt_err_set(-EINVAL, "proc: expected a process name, found '%.40s'",
					  val);
		q->proc = val;
	} else if (strcmp(key, "level") == 0) {
		int lv = level_of(val);

		if (lv < 0)
			return tt_err_set(
			    -EINVAL, "level: expected debug|info|warn|error, found '%.40s'", val);
		q->min_level = lv;
	} else if (strcmp(key, "since") == 0 || strcmp(key, "until") == 0) {
		int64_t t;

		if (tt_logq_parse_time(val, now_ns, &t))
			return tt_err_set(
			    -EINVAL,
			    "%s: expected RFC 3339 (2026-11-23T20:00:00Z), a date "
			    "(2026-11-23) or an age (30s, 15m, 2h, 7d), found '%.40s'",
			    key, val);
		if (key[0] == 's')
			q->since_ns = t;
		else
			q->until_ns = t;
	} else if (strcmp(key, "event") == 0) {
		if (!plain_word(val, 64))
			return tt_err_set(-EINVAL, "event: expected an event name, found '%.40s'",
					  val);
		q->event = val;
	} else if (strcmp(key, "order") == 0) {
		strtoull(val, &end, 10);
		if (!*val || *end || val[0] == '-' || strlen(val) > 20)
			return tt_err_set(-EINVAL,
					  "order: expected a decimal order id, found '%.40s'", val);
		q->order = val;
	} else if (strcmp(key, "limit") == 0) {
		unsigned long long v = strtoull(val, &end, 10);

		if (!*val || *end || val[0] == '-' || v > 10000000)
			return tt_err_set(-EINVAL, "limit: expected 0..10000000, found '%.40s'",
					  val);
		q->limit = (size_t)v;
	} else {
		return tt_err_set(-EINVAL, "unknown filter '%.40s'", key);
	}
	return 0;
}
