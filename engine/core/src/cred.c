/*
 * cred.c — tagged credential loader and host-identity check (tt_cred.h). Cold path:
 * runs once at start. The flavor is fixed at compile time (TT_FLAVOR_NAME), so no
 * option, variable or file can make a testnet binary accept a prod credential.
 */
#include "tt_cred.h"

#include <errno.h>
#include <stdbool.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tt_config.h"
#include "tt_denied.h"
#include "tt_err.h"
#include "tt_flavor.h"

struct cred_parse {
	struct tt_cred *c;
	const char *path;
	int line;		/* counted by our reader: Debian's inih has no line numbers */
	int err;
	char msg[512];
};

static char *count_lines(char *str, int num, void *stream)
{
	struct cred_parse *p = *(struct cred_parse **)stream;
	FILE *f = ((FILE **)stream)[1];
	char *r = fgets(str, num, f);

	if (r)
		p->line++;
	return r;
}

static int copy_field(struct cred_parse *p, char *dst, size_t cap, const char *key,
		      const char *value)
{
	if (strlen(value) >= cap) {
		snprintf(p->msg, sizeof(p->msg), "%s:%d: credential.%s: expected at most %zu bytes, found %zu",
			 p->path, p->line, key, cap - 1, strlen(value));
		return 0;
	}
	strcpy(dst, value);
	return 1;
}

static int on_kv(void *user, const char *section, const char *key, const char *value)
{
	struct cred_parse *p = user;
	struct tt_cred *c = p->c;

	if (strcmp(section, "credential") != 0) {
		snprintf(p->msg, sizeof(p->msg), "%s:%d: %s.%s: unknown section", p->path, p->line,
			 section, key);
		return 0;
	}
	if (strcmp(key, "env") == 0) {
		if (strcmp(value, "testnet") != 0 && strcmp(value, "prod") != 0) {
			snprintf(p->msg, sizeof(p->msg),
				 "%s:%d: credential.env: expected testnet or prod, found \"%.64s\"",
				 p->path, p->line, value);
			return 0;
		}
		return copy_field(p, c->env, sizeof(c->env), key, value);
	}
	if (strcmp(key, "venue") == 0)
		return copy_field(p, c->venue, sizeof(c->venue), key, value);
	if (strcmp(key, "key_type") == 0) {
		if (strcmp(value, "ed25519") && strcmp(value, "hmac") && strcmp(value, "rsa")) {
			snprintf(p->msg, sizeof(p->msg),
				 "%s:%d: credential.key_type: expected ed25519, hmac or rsa, found \"%.64s\"",
				 p->path, p->line, value);
			return 0;
		}
		return copy_field(p, c->key_type, sizeof(c->key_type), key, value);
	}
	if (strcmp(key, "key_id") == 0)
		return copy_field(p, c->key_id, sizeof(c->key_id), key, value);
	if (strcmp(key, "secret_file") == 0)
		return copy_field(p, c->secret_file, sizeof(c->secret_file), key, value);
	snprintf(p->msg, sizeof(p->msg), "%s:%d: credential.%s: unknown key", p->path, p->line, key);
	return 0;
}

int tt_cred_check_location(const char *resolved)
{
	const char *s = resolved;
	const char *base = strrchr(resolved, '/');

	/* Directory components named prod/production mark a production location. */
	while (s && *s) {
		const char *e;
		size_t l;

		while (*s == '/')
			s++;
		e = strchr(s, '/');
		if (!e)
			break; /* last component is the file name */
		l = (size_t)(e - s);
		if ((l == 4 && memcmp(s, "prod", 4) == 0) ||
		    (l == 10 && memcmp(s, "production", 10) == 0))
			return tt_err_set(-TT_EDENIED, "%s: credential in a production location",
					  resolved);
		s = e;
	}
	if (base && strstr(base, ".prod."))
		return tt_err_set(-TT_EDENIED, "%s: production credential file name", resolved);
	return 0;
}

static int deny(const char *target, const char *rule, const char *why)
{
	tt_denied_emit("credential", target, rule);
	return tt_err_set(-TT_EDENIED, "%s: credential refused (%s): %s", target, rule, why);
}

/* realpath() resolves symlinks, never hard links: a production file given a second name
 * in the work tree would pass the location rule. Credentials and secrets must have
 * exactly one name (tests/redteam: cred_*hard_link*). */
static bool has_other_names(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_nlink > 1;
}

int tt_cred_load(struct tt_cred *c, const char *path)
{
	struct cred_parse p = { .c = c, .path = path };
	void *stream[2];
	char real[PATH_MAX], secret[PATH_MAX];
	struct stat st;
	FILE *f;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!realpath(path, real))
		return tt_err_set(-errno, "%s: cannot resolve credential path: %s", path,
				  strerror(errno));
	if (tt_cred_check_location(real))
		return deny(real, "prod_location",
			    "testnet binaries never read production credential locations");
	f = fopen(real, "r");
	if (!f)
		return tt_err_set(-errno, "%s: open: %s", real, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || has_other_names(&st)) {
		fclose(f);
		return deny(real, "hard_linked",
			    "credential file has other names (hard links)");
	}
	stream[0] = &p;
	stream[1] = f;
	rc = ini_parse_stream(count_lines, stream, on_kv, &p);
	fclose(f);
	if (rc != 0) {
		if (!p.msg[0])
			snprintf(p.msg, sizeof(p.msg), "%s:%d: syntax error", path, rc > 0 ? rc : p.line);
		memset(c, 0, sizeof(*c));
		return tt_err_set(-TT_ECONFIG, "%s", p.msg);
	}
	if (!c->env[0]) {
		memset(c, 0, sizeof(*c));
		return deny(real, "untagged",
			    "credential has no env tag (policy: untagged credentials are refused)");
	}
	if (strcmp(c->env, TT_FLAVOR_NAME) != 0) {
		char rule[32];

		snprintf(rule, sizeof(rule), "%s_tagged", c->env);
		memset(c, 0, sizeof(*c));
		return deny(real, rule, "credential env tag does not match this build's flavor");
	}
	if (!c->key_id[0] || !c->key_type[0] || !c->venue[0] || !c->secret_file[0]) {
		memset(c, 0, sizeof(*c));
		return tt_err_set(-TT_ECONFIG, "%s: credential.%s: required key missing", path,
				  !c->key_id[0] ? "key_id" : !c->key_type[0] ? "key_type"
				  : !c->venue[0] ? "venue" : "secret_file");
	}
	/* The secret is resolved too: a symlink into a prod location is refused. */
	if (c->secret_file[0] != '/') {
		char joined[PATH_MAX];
		char *slash = strrchr(real, '/');

		if (snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - real), real,
			     c->secret_file) >= (int)sizeof(joined)) {
			memset(c, 0, sizeof(*c));
			return tt_err_set(-ENAMETOOLONG, "%s: secret_file path too long", path);
		}
		strcpy(c->secret_file, joined);
	}
	if (!realpath(c->secret_file, secret)) {
		rc = -errno;
		memset(c, 0, sizeof(*c));
		return tt_err_set(rc, "%s: secret_file: %s", path, strerror(-rc));
	}
	if (tt_cred_check_location(secret)) {
		memset(c, 0, sizeof(*c));
		return deny(secret, "prod_location", "secret_file resolves into a production location");
	}
	if (stat(secret, &st) < 0 || has_other_names(&st)) {
		memset(c, 0, sizeof(*c));
		return deny(secret, "hard_linked",
			    "secret_file has other names (hard links)");
	}
	strcpy(c->secret_file, secret);
	return 0;
}

int tt_host_check(const char *const *whitelist, size_t n, const char *machine_id_path)
{
	char id[128] = "";
	FILE *f = fopen(machine_id_path, "r");
	size_t l;

	if (!f)
		return tt_err_set(-errno, "%s: cannot read host identity: %s", machine_id_path,
				  strerror(errno));
	if (!fgets(id, sizeof(id), f))
		id[0] = '\0';
	fclose(f);
	l = strcspn(id, "\r\n");
	id[l] = '\0';
	for (size_t i = 0; i < n; i++)
		if (l > 0 && strcmp(whitelist[i], id) == 0)
			return 0;
	tt_denied_emit("host", id[0] ? id : "(empty machine-id)", "host_not_whitelisted");
	return tt_err_set(-TT_EDENIED, "host %s is not on the production whitelist",
			  id[0] ? id : "(empty machine-id)");
}

int tt_flavor_start(const struct tt_config *cfg)
{
	char list[sizeof(cfg->engine.host_whitelist)];
	const char *ids[16];
	size_t n = 0;
	char *tok, *save = NULL;

	if (!tt__flavor_is_prod())
		return 0;
	snprintf(list, sizeof(list), "%s", cfg->engine.host_whitelist);
	for (tok = strtok_r(list, ", ", &save); tok && n < 16; tok = strtok_r(NULL, ", ", &save))
		ids[n++] = tok;
	return tt_host_check(ids, n, "/etc/machine-id");
}
