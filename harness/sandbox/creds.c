/*
 * creds.c — the secrets firewall: the environment a session gets. It starts empty; only
 * the policy's pass-through variables are copied, never one whose name matches a prod
 * pattern (those are denied and logged), and each policy credential is replaced by a fresh
 * synthetic testnet value in the exact format of the real one: the format's prefix, the
 * same length, and each character drawn from the same class (upper, lower, digit, or kept
 * as is for separators such as '-', '/', '+', '='). The real value never enters the
 * sandbox and is never written anywhere; the trace names the variable, not the value.
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tt_err.h"

extern char **environ;

static unsigned rnd(void)
{
	unsigned v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (unsigned)random();
	return v;
}

static char pick(const char *set)
{
	return set[rnd() % strlen(set)];
}

static const char UP[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char LO[] = "abcdefghijklmnopqrstuvwxyz";
static const char DG[] = "0123456789";
static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char HEX[] = "0123456789abcdef";
static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Template of a real value: a fixed prefix, a length, a charset (uuid: 8-4-4-4-12 hex). */
static void synth(const char *format, const char *real, char *out, size_t n)
{
	const char *prefix = "";
	const char *set = ALNUM;
	size_t len = 64;

	if (!strcmp(format, "aws-akid")) {
		prefix = real && !strncmp(real, "ASIA", 4) ? "ASIA" : "AKIA";
		set = B32;
		len = 20;
	} else if (!strcmp(format, "aws-secret")) {
		set = B64;
		len = 40;
	} else if (!strcmp(format, "hex32")) {
		set = HEX;
		len = 32;
	} else if (!strcmp(format, "kalshi-key-id")) {
		set = HEX;
		len = 36;
	}
	size_t plen = strlen(prefix);
	if (real && strlen(real) >= plen && strlen(real) < n)
		len = strlen(real); /* same length as the real one */
	if (len >= n)
		len = n - 1;
	memcpy(out, prefix, plen);
	for (size_t i = plen; i < len; i++) {
		char c = real && i < strlen(real) ? real[i] : 0;
		if (!strcmp(format, "kalshi-key-id") && (i == 8 || i == 13 || i == 18 || i == 23))
			out[i] = '-';
		else if (c >= 'A' && c <= 'Z')
			out[i] = set == B32 ? pick(B32) : pick(UP);
		else if (c >= 'a' && c <= 'z')
			out[i] = set == HEX ? pick("abcdef") : pick(LO);
		else if (c >= '0' && c <= '9')
			out[i] = set == B32 ? pick("234567") : pick(DG);
		else if (c)
			out[i] = c; /* separator: keep the encoding's punctuation */
		else
			out[i] = pick(set);
	}
	out[len] = 0;
}

static bool prod_tagged(const struct tt_sb_policy *p, const char *name, const char *value)
{
	if (value && !strncmp(value, "prod:", 5))
		return true; /* an environment-tagged credential (DESIGN §6) */
	for (int i = 0; i < p->n_prod_env; i++)
		if (!fnmatch(p->prod_env[i], name, 0))
			return true;
	return false;
}

int tt__sb_creds_build(const struct tt_sb_policy *p, const char *dir, char **envp, int max, int *n)
{
	char name[128];
	char line[512];

	*n = 0;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || (size_t)(eq - *e) >= sizeof(name))
			continue;
		memcpy(name, *e, (size_t)(eq - *e));
		name[eq - *e] = 0;
		if (prod_tagged(p, name, eq + 1)) {
			tt__sb_denied(dir, "credential", name, "prod-tagged-variable",
				      "tt-sandbox");
			continue;
		}
		bool cred = false;
		for (int i = 0; i < p->n_creds; i++)
			cred |= !strcmp(p->creds[i].name, name);
		if (cred)
			continue; /* replaced below; the real value stays outside */
		for (int i = 0; i < p->n_pass_env; i++) {
			if (strcmp(p->pass_env[i], name))
				continue;
			if (*n >= max - 1)
				return tt_err_set(-E2BIG, "too many environment variables");
			envp[(*n)++] = strdup(*e);
		}
	}
	/* HOME keeps its path (it is an empty private tmpfs inside). */
	if (getenv("HOME") && *n < max - 1 && asprintf(&envp[*n], "HOME=%s", getenv("HOME")) > 0)
		(*n)++;
	if (*n < max - 1 && (envp[*n] = strdup("TT_SANDBOX=1")))
		(*n)++;
	for (int i = 0; i < p->n_creds; i++) {
		const char *real = getenv(p->creds[i].name);
		char v[256];
		char *kv;

		if (*n >= max - 1)
			return tt_err_set(-E2BIG, "too many environment variables");
		synth(p->creds[i].format, real, v, sizeof(v));
		if (asprintf(&kv, "%s=%s", p->creds[i].name, v) < 0)
			return -ENOMEM;
		envp[(*n)++] = kv;
		snprintf(line, sizeof(line),
			 "{\"event\":\"credential\",\"name\":\"%s\",\"format\":\"%s\","
			 "\"synthetic\":true,\"shaped_like_real\":%s}",
			 p->creds[i].name, p->creds[i].format, real ? "true" : "false");
		tt__sb_trace_line(dir, line);
	}
	envp[*n] = NULL;
	return 0;
}
