/*
 * policy.c — the tt-sandbox policy: built-in defaults, then an INI file (libinih) on top.
 * Debian's inih is built without INI_HANDLER_LINENO, so the reader callback counts lines
 * itself and every rejected value is reported as `file:line: key: expected, found`.
 * Lists (secret paths, prod variable patterns, passed variables, grants) take one value per
 * repeated key; a list that overflows TT_SB_MAX_LIST is an error, not a silent truncation.
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_err.h"

struct ld {
	struct tt_sb_policy *p;
	FILE *f;
	int line; /* of the line inih is handling (our reader counts) */
	int failed;
};

static char *ld_reader(char *buf, int n, void *stream)
{
	struct ld *l = stream;
	char *r = fgets(buf, n, l->f);

	if (r)
		l->line++;
	return r;
}

static int bad(struct ld *l, const char *sec, const char *key, const char *want, const char *v)
{
	if (!l->failed)
		tt_err_set(-TT_ECONFIG, "%s:%d: [%s] %s: expected %s, found '%s'", l->p->file,
			   l->line, sec, key, want, v);
	l->failed = 1;
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

static int add_list(struct ld *l, const char *sec, const char *key, const char *v, char *base,
		    size_t width, int *n)
{
	if (*n >= TT_SB_MAX_LIST)
		return bad(l, sec, key, "at most 32 entries", v);
	if (strlen(v) >= width || !*v)
		return bad(l, sec, key, "a non-empty value that fits", v);
	memcpy(base + (size_t)*n * width, v, strlen(v) + 1);
	(*n)++;
	return 1;
}

/* ~/x -> $HOME/x, relative -> relative to the policy file's cwd (kept as is). */
static void expand_home(const char *v, char *out, size_t n)
{
	const char *home = getenv("HOME");

	if (v[0] == '~' && v[1] == '/' && home)
		snprintf(out, n, "%s/%s", home, v + 2);
	else
		snprintf(out, n, "%s", v);
}

static int on_kv(void *user, const char *sec, const char *key, const char *v)
{
	struct ld *l = user;
	struct tt_sb_policy *p = l->p;
	uint64_t x;
	char path[TT_SB_PATH];

	if (l->failed)
		return 0;
	if (!strcmp(sec, "sandbox")) {
		if (!strcmp(key, "bwrap")) {
			if (v[0] != '/' || strlen(v) >= sizeof(p->bwrap))
				return bad(l, sec, key, "an absolute path", v);
			strcpy(p->bwrap, v);
			return 1;
		}
		if (!strcmp(key, "worktree")) {
			if (!realpath(v, path))
				return bad(l, sec, key, "an existing directory", v);
			strcpy(p->worktree, path);
			return 1;
		}
	} else if (!strcmp(sec, "limits")) {
		static const struct {
			const char *k;
			size_t off;
			uint64_t mul;
		} lim[] = {
		    {"wall_s", offsetof(struct tt_sb_policy, wall_ms), 1000},
		    {"wall_ms", offsetof(struct tt_sb_policy, wall_ms), 1},
		    {"cpu_s", offsetof(struct tt_sb_policy, cpu_s), 1},
		    {"mem_mb", offsetof(struct tt_sb_policy, mem_bytes), 1 << 20},
		    {"procs", offsetof(struct tt_sb_policy, procs), 1},
		    {"disk_mb", offsetof(struct tt_sb_policy, disk_bytes), 1 << 20},
		};
		for (size_t i = 0; i < TT_ARRAY_LEN(lim); i++) {
			if (strcmp(key, lim[i].k))
				continue;
			if (parse_u64(v, &x) || x > UINT64_MAX / lim[i].mul / 2)
				return bad(l, sec, key, "a non-negative integer (0 = no limit)", v);
			*(uint64_t *)((char *)p + lim[i].off) = x * lim[i].mul;
			return 1;
		}
		if (!strcmp(key, "checkpoint_pct")) {
			if (parse_u64(v, &x) || x < 1 || x > 99)
				return bad(l, sec, key, "an integer 1..99", v);
			p->checkpoint_pct = (uint32_t)x;
			return 1;
		}
	} else if (!strcmp(sec, "trace")) {
		if (!strcmp(key, "diff")) {
			if (!strcmp(v, "off"))
				p->diff = TT_SB_DIFF_OFF;
			else if (!strcmp(v, "session"))
				p->diff = TT_SB_DIFF_SESSION;
			else if (!strcmp(v, "command"))
				p->diff = TT_SB_DIFF_COMMAND;
			else
				return bad(l, sec, key, "off, session or command", v);
			return 1;
		}
	} else if (!strcmp(sec, "secrets")) {
		if (!strcmp(key, "path")) {
			expand_home(v, path, sizeof(path));
			if (path[0] != '/')
				return bad(l, sec, key, "an absolute or ~/ path", v);
			return add_list(l, sec, key, path, &p->secret_paths[0][0],
					sizeof(p->secret_paths[0]), &p->n_secret_paths);
		}
		if (!strcmp(key, "prod_env"))
			return add_list(l, sec, key, v, &p->prod_env[0][0], sizeof(p->prod_env[0]),
					&p->n_prod_env);
	} else if (!strcmp(sec, "env")) {
		if (!strcmp(key, "pass"))
			return add_list(l, sec, key, v, &p->pass_env[0][0], sizeof(p->pass_env[0]),
					&p->n_pass_env);
	} else if (!strcmp(sec, "credentials")) {
		static const char *fmts[] = {"binance-hmac", "aws-akid", "aws-secret",
					     "kalshi-key-id", "hex32"};
		size_t i;
		for (i = 0; i < TT_ARRAY_LEN(fmts); i++)
			if (!strcmp(v, fmts[i]))
				break;
		if (i == TT_ARRAY_LEN(fmts))
			return bad(l, sec, key,
				   "binance-hmac, aws-akid, aws-secret, kalshi-key-id or hex32", v);
		if (p->n_creds >= TT_SB_MAX_LIST || strlen(key) >= sizeof(p->creds[0].name))
			return bad(l, sec, key, "at most 32 short names", v);
		strcpy(p->creds[p->n_creds].name, key);
		strcpy(p->creds[p->n_creds].format, v);
		p->n_creds++;
		return 1;
	} else if (!strcmp(sec, "grant")) {
		if (!strcmp(key, "write")) {
			if (!realpath(v, path))
				return bad(l, sec, key, "an existing absolute path", v);
			return add_list(l, sec, key, path, &p->grant_write[0][0],
					sizeof(p->grant_write[0]), &p->n_grant_write);
		}
		if (!strcmp(key, "port")) {
			if (parse_u64(v, &x) || x < 1 || x > 65535 ||
			    p->n_grant_port >= TT_SB_MAX_LIST)
				return bad(l, sec, key, "a port 1..65535 (at most 32)", v);
			p->grant_port[p->n_grant_port++] = (uint16_t)x;
			return 1;
		}
	}
	return bad(l, sec, key, "a known section and key (see harness/sandbox/README.md)", v);
}

int tt_sb_policy_load(struct tt_sb_policy *p, const char *file)
{
	struct ld l = {.p = p};
	const char *home = getenv("HOME");
	int rc;

	memset(p, 0, sizeof(*p));
	strcpy(p->bwrap, "/usr/bin/bwrap");
	if (!getcwd(p->worktree, sizeof(p->worktree)))
		return tt_err_set(-errno, "getcwd");
	p->wall_ms = 3600 * 1000;
	p->checkpoint_pct = 60;
	p->procs = 512;
	p->diff = TT_SB_DIFF_COMMAND;
	if (home) {
		static const char *dots[] = {".aws",   ".ssh",	  ".config", ".gnupg",
					     ".netrc", ".docker", ".kube",   ".git-credentials"};
		for (size_t i = 0; i < TT_ARRAY_LEN(dots); i++)
			snprintf(p->secret_paths[p->n_secret_paths++], TT_SB_PATH, "%s/%s", home,
				 dots[i]);
	}
	/* Other users' homes, the root's, host keys and password hashes. */
	static const char *host[] = {"/home", "/root", "/etc/ssh", "/etc/shadow", "/etc/gshadow",
				     "/etc/ticktrade/prod", "/run/secrets"};
	for (size_t i = 0; i < TT_ARRAY_LEN(host); i++)
		snprintf(p->secret_paths[p->n_secret_paths++], TT_SB_PATH, "%s", host[i]);
	strcpy(p->prod_env[p->n_prod_env++], "*PROD*");
	strcpy(p->pass_env[p->n_pass_env++], "PATH");
	strcpy(p->pass_env[p->n_pass_env++], "LANG");
	strcpy(p->pass_env[p->n_pass_env++], "TERM");
	if (!file)
		return 0;
	snprintf(p->file, sizeof(p->file), "%s", file);
	l.f = fopen(file, "r");
	if (!l.f)
		return tt_err_set(-errno, "fopen(%s): %s", file, strerror(errno));
	rc = ini_parse_stream(ld_reader, &l, on_kv, &l);
	fclose(l.f);
	if (l.failed)
		return -TT_ECONFIG;
	if (rc)
		return tt_err_set(-TT_ECONFIG,
				  "%s:%d: syntax error (expected [section] or key = value)", file,
				  rc);
	return 0;
}
