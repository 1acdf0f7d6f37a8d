/*
 * gate.c — tt-gate's checks. The policy is read with libinih (lines counted by our reader,
 * Debian's inih has no line numbers), regexes are POSIX ERE compiled once. The diff comes
 * from `git diff --no-renames -U0 base..head` run without a shell; only added lines are
 * scanned (with their new-file line numbers from the hunk headers), every path on either
 * side of the diff is matched against the path rules. Any failure (policy, git, a line too
 * long to scan) is a BLOCK: what the gate can't check can't pass.
 *
 * [allow.paths] exempts files under a glob from the blocked patterns (and curl/wget hosts)
 * on their added lines: those hits are printed as ALLOW with the policy's reason, never
 * dropped silently. Credentials and blocked paths are not exempt. Changing the allow list
 * is itself a finding (REVIEW gate-allow), found from a full-context diff of the policy
 * file so the section of every edited line is known.
 */
#include "tt_gate.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_flavor.h"

struct ld {
	struct tt_gate_policy *p;
	FILE *f;
	int line;
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

static int add_rule(struct ld *l, const char *sec, const char *key, const char *v,
		    struct tt_gate_rule *r, int *n, bool regex)
{
	char err[128];
	int rc;

	if (*n >= TT_GATE_MAX_RULES)
		return bad(l, sec, key, "at most 64 rules per section", v);
	if (!*v || strlen(v) >= sizeof(r->text) || strlen(key) >= sizeof(r->name))
		return bad(l, sec, key, "a non-empty value under 256 bytes", v);
	r += *n;
	snprintf(r->name, sizeof(r->name), "%s", key);
	snprintf(r->text, sizeof(r->text), "%s", v);
	r->line = l->line;
	if (regex) {
		rc = regcomp(&r->re, v, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, &r->re, err, sizeof(err));
			return bad(l, sec, key, "a POSIX extended regex", err);
		}
	}
	(*n)++;
	return 1;
}

/* [allow.paths] NAME = GLOB | REASON (reason: at least 8 characters, a sentence a human
 * reviewed). */
static int add_allow(struct ld *l, const char *sec, const char *key, const char *v)
{
	struct tt_gate_policy *p = l->p;
	const char *bar = strchr(v, '|');
	const char *r;
	char glob[256];
	size_t gl;

	if (!bar)
		return bad(l, sec, key, "GLOB | REASON (the reason is required)", v);
	for (r = bar + 1; *r == ' ' || *r == '\t'; r++)
		;
	gl = (size_t)(bar - v);
	while (gl && (v[gl - 1] == ' ' || v[gl - 1] == '\t'))
		gl--;
	if (strlen(r) < 8 || strlen(r) >= sizeof(p->allow_reason[0]))
		return bad(l, sec, key, "a reason of 8 to 191 characters after '|'", v);
	if (!gl || gl >= sizeof(glob) || !strcmp(v, "*") || v[0] == '*' || v[0] == '/')
		return bad(l, sec, key, "a path glob inside the repository (not '*...' or '/...')",
			   v);
	memcpy(glob, v, gl);
	glob[gl] = 0;
	if (!add_rule(l, sec, key, glob, p->allow_path, &p->n_allow_path, false))
		return 0;
	snprintf(p->allow_reason[p->n_allow_path - 1], sizeof(p->allow_reason[0]), "%s", r);
	return 1;
}

static int on_kv(void *user, const char *sec, const char *key, const char *v)
{
	struct ld *l = user;
	struct tt_gate_policy *p = l->p;

	if (l->failed)
		return 0;
	if (!strcmp(sec, "block.patterns"))
		return add_rule(l, sec, key, v, p->block_pat, &p->n_block_pat, true);
	if (!strcmp(sec, "block.paths"))
		return add_rule(l, sec, key, v, p->block_path, &p->n_block_path, false);
	if (!strcmp(sec, "review.paths"))
		return add_rule(l, sec, key, v, p->review_path, &p->n_review_path, false);
	if (!strcmp(sec, "credentials"))
		return add_rule(l, sec, key, v, p->cred, &p->n_cred, true);
	if (!strcmp(sec, "allow.paths"))
		return add_allow(l, sec, key, v);
	if (!strcmp(sec, "net") && !strcmp(key, "allow_host")) {
		if (p->n_allow_host >= TT_GATE_MAX_RULES || !*v ||
		    strlen(v) >= sizeof(p->allow_host[0]))
			return bad(l, sec, key, "at most 64 hosts of < 128 bytes", v);
		snprintf(p->allow_host[p->n_allow_host++], sizeof(p->allow_host[0]), "%s", v);
		return 1;
	}
	return bad(l, sec, key, "a known section and key (see harness/gate/README.md)", v);
}

int tt_gate_policy_load(struct tt_gate_policy *p, const char *file)
{
	struct ld l = {.p = p};
	int rc;

	memset(p, 0, sizeof(*p));
	if (!file)
		return tt_err_set(-TT_ECONFIG, "no policy file");
	snprintf(p->file, sizeof(p->file), "%s", file);
	l.f = fopen(file, "r");
	if (!l.f)
		return tt_err_set(-TT_ECONFIG, "policy %s: %s", file, strerror(errno));
	rc = ini_parse_stream(ld_reader, &l, on_kv, &l);
	fclose(l.f);
	if (l.failed) {
		tt_gate_policy_fini(p);
		return -TT_ECONFIG;
	}
	if (rc) {
		tt_gate_policy_fini(p);
		return tt_err_set(-TT_ECONFIG,
				  "%s:%d: syntax error (expected [section] or key = value)", file,
				  rc);
	}
	if (!p->n_block_pat && !p->n_cred) {
		tt_gate_policy_fini(p);
		return tt_err_set(-TT_ECONFIG,
				  "%s: no [block.patterns] and no [credentials]: an "
				  "empty policy would pass everything",
				  file);
	}
	return 0;
}

void tt_gate_policy_fini(struct tt_gate_policy *p)
{
	for (int i = 0; i < p->n_block_pat; i++)
		regfree(&p->block_pat[i].re);
	for (int i = 0; i < p->n_cred; i++)
		regfree(&p->cred[i].re);
	p->n_block_pat = 0;
	p->n_cred = 0;
}

/* ---- findings ---------------------------------------------------------------------- */

struct ctx {
	const struct tt_gate_policy *p;
	const char *policy_rel;
	FILE *out;
	int verdict;
	int n_block;
	int n_review;
	int n_allow;
	char seen[512][256]; /* paths already judged */
	int n_seen;
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static void finding(struct ctx *c, int verdict, const char *what, const char *file, int line,
		    const char *rule, const char *text)
{
	fprintf(c->out, "%s %s", verdict == TT_GATE_BLOCK ? "BLOCK " : "REVIEW", file);
	if (line > 0)
		fprintf(c->out, ":%d", line);
	fprintf(c->out, ": %s: %s\n", rule, text);
	if (verdict == TT_GATE_BLOCK) {
		char tgt[512];
		snprintf(tgt, sizeof(tgt), "%s:%d", file, line);
		fprintf(stderr, "{\"event\":\"denied\",\"what\":\"%s\",\"target\":", what);
		json_str(stderr, tgt);
		fprintf(stderr, ",\"rule\":");
		json_str(stderr, rule);
		fprintf(stderr, ",\"process\":\"tt-gate\",\"flavor\":\"%s\"}\n", tt_flavor_name());
		c->n_block++;
	} else {
		c->n_review++;
	}
	if (verdict > c->verdict)
		c->verdict = verdict;
}

static bool path_match(const char *glob, const char *path)
{
	size_t n = strlen(glob);

	if (n && glob[n - 1] == '/')
		return !strncmp(path, glob, n);
	return !fnmatch(glob, path, 0);
}

/* The [allow.paths] entry covering file, or -1. */
static int allow_index(const struct tt_gate_policy *p, const char *file)
{
	for (int i = 0; i < p->n_allow_path; i++)
		if (path_match(p->allow_path[i].text, file))
			return i;
	return -1;
}

/* A blocked pattern on an added line of an allowed path: listed, verdict unchanged. */
static void allowed(struct ctx *c, int a, const char *file, int line, const char *rule,
		    const char *text)
{
	fprintf(c->out, "ALLOW  %s:%d: %s: %s [allow.paths %s: %s]\n", file, line, rule, text,
		c->p->allow_path[a].name, c->p->allow_reason[a]);
	c->n_allow++;
}

static void judge_path(struct ctx *c, const char *path)
{
	char why[320];

	if (!*path || !strcmp(path, "/dev/null"))
		return;
	for (int i = 0; i < c->n_seen; i++)
		if (!strcmp(c->seen[i], path))
			return;
	if (c->n_seen < (int)TT_ARRAY_LEN(c->seen))
		snprintf(c->seen[c->n_seen++], sizeof(c->seen[0]), "%s", path);
	for (int i = 0; i < c->p->n_block_path; i++) {
		if (path_match(c->p->block_path[i].text, path)) {
			snprintf(why, sizeof(why), "path matches '%s' (blocked)",
				 c->p->block_path[i].text);
			finding(c, TT_GATE_BLOCK, "file", path, 0, c->p->block_path[i].name, why);
			return;
		}
	}
	if (c->policy_rel && !strcmp(path, c->policy_rel)) {
		finding(c, TT_GATE_REVIEW, "file", path, 0, "gate-policy",
			"edits the gate's own policy");
		return;
	}
	for (int i = 0; i < c->p->n_review_path; i++) {
		if (path_match(c->p->review_path[i].text, path)) {
			snprintf(why, sizeof(why), "path matches '%s' (needs human review)",
				 c->p->review_path[i].text);
			finding(c, TT_GATE_REVIEW, "file", path, 0, c->p->review_path[i].name, why);
			return;
		}
	}
}

static bool host_allowed(const struct tt_gate_policy *p, const char *host)
{
	for (int i = 0; i < p->n_allow_host; i++)
		if (!strcasecmp(p->allow_host[i], host))
			return true;
	return false;
}

/* curl/wget on an added line: every destination must be allow-listed. A destination is a
 * URL (scheme://host) or a bare host:port / dotted quad argument. */
static void judge_fetch(struct ctx *c, const char *file, int ln, const char *line, int allow)
{
	const char *s = line;
	bool any = false;
	char why[400];

	for (;;) {
		const char *cu = strstr(s, "curl");
		const char *wg = strstr(s, "wget");
		const char *hit = !cu ? wg : !wg ? cu : cu < wg ? cu : wg;
		if (!hit)
			break;
		/* The command word: not part of a name, followed by its arguments. */
		bool word = (hit == line || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '_')) &&
			    (hit[4] == ' ' || hit[4] == '\t');
		s = hit + 4;
		if (!word)
			continue;
		any = true;
		break;
	}
	if (!any)
		return;
	bool dest = false;
	for (const char *t = s; *t;) {
		while (*t && (isspace((unsigned char)*t) || *t == '"' || *t == '\''))
			t++;
		const char *e = t;
		while (*e && !isspace((unsigned char)*e) && *e != '"' && *e != '\'')
			e++;
		char tok[256];
		size_t tl = (size_t)(e - t) < sizeof(tok) - 1 ? (size_t)(e - t) : sizeof(tok) - 1;
		memcpy(tok, t, tl);
		tok[tl] = 0;
		t = e;
		if (!tl || tok[0] == '-' || tok[0] == '$' || tok[0] == '|' || tok[0] == ';')
			continue;
		char *h = strstr(tok, "://");
		bool url = h != NULL;
		h = url ? h + 3 : tok;
		char *at = strchr(h, '@');
		if (at && (!strchr(h, '/') || at < strchr(h, '/')))
			h = at + 1;
		size_t hl = strcspn(h, ":/?#");
		bool has_port = h[hl] == ':';
		h[hl] = 0;
		bool quad = true;
		int dots = 0;
		for (char *q = h; *q; q++) {
			dots += *q == '.';
			quad &= isdigit((unsigned char)*q) || *q == '.';
		}
		if (!url && !(quad && dots == 3) && !(has_port && hl))
			continue; /* a file name, an option value */
		if (!*h)
			continue;
		dest = true;
		if (!host_allowed(c->p, h)) {
			snprintf(why, sizeof(why), "curl/wget to '%s', not in [net] allow_host", h);
			if (allow >= 0)
				allowed(c, allow, file, ln, "fetch-host", why);
			else
				finding(c, TT_GATE_BLOCK, "host", file, ln, "fetch-host", why);
		}
	}
	if (!dest && allow < 0)
		finding(c, TT_GATE_REVIEW, "host", file, ln, "fetch-unknown",
			"curl/wget with a destination the gate can't read");
}

static void judge_line(struct ctx *c, const char *file, int ln, const char *line)
{
	char why[400];
	int allow = allow_index(c->p, file);

	for (int i = 0; i < c->p->n_cred; i++) {
		if (!regexec(&c->p->cred[i].re, line, 0, NULL, 0)) {
			snprintf(why, sizeof(why), "credential-shaped string (%s); value not shown",
				 c->p->cred[i].name);
			finding(c, TT_GATE_BLOCK, "credential", file, ln, c->p->cred[i].name, why);
		}
	}
	for (int i = 0; i < c->p->n_block_pat; i++) {
		if (!regexec(&c->p->block_pat[i].re, line, 0, NULL, 0)) {
			snprintf(why, sizeof(why), "added line matches /%s/: %.120s",
				 c->p->block_pat[i].text, line);
			if (allow >= 0)
				allowed(c, allow, file, ln, c->p->block_pat[i].name, why);
			else
				finding(c, TT_GATE_BLOCK, "exec", file, ln, c->p->block_pat[i].name,
					why);
		}
	}
	judge_fetch(c, file, ln, line, allow);
}

/* "diff --git a/X b/Y": both sides (unquoted paths; quoted ones are judged from ---/+++). */
static void diff_git_paths(struct ctx *c, char *l, char *file, size_t n)
{
	char *b = strstr(l, " b/");

	if (strncmp(l, "diff --git a/", 13) || !b)
		return;
	*b = 0;
	judge_path(c, l + 13);
	judge_path(c, b + 3);
	snprintf(file, n, "%s", b + 3); /* until +++ names it (binary files have none) */
}

static struct ctx c; /* the last scan (tt_gate_check reads n_allow) */

int tt_gate_scan(const struct tt_gate_policy *p, FILE *in, const char *policy_rel, FILE *out,
		 int *n_block, int *n_review)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	char file[512] = "";
	int ln = 0;
	bool header = false; /* between "diff --git" and the first "@@": ---/+++ are headers */

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.policy_rel = policy_rel;
	c.out = out;
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if ((size_t)n != strlen(line)) {
			/* A NUL inside a text line: regexec would stop there, so nothing after it
			 * could be checked. */
			finding(&c, TT_GATE_REVIEW, "file", file[0] ? file : "?", ln, "nul-byte",
				"line with a NUL byte: not fully scanned");
		}
		if (!strncmp(line, "diff --git ", 11)) {
			file[0] = 0;
			diff_git_paths(&c, line, file, sizeof(file));
			header = true;
		} else if (header && !strncmp(line, "--- a/", 6)) {
			judge_path(&c, line + 6);
		} else if (header && !strncmp(line, "+++ b/", 6)) {
			snprintf(file, sizeof(file), "%s", line + 6);
			judge_path(&c, file);
		} else if (header && (!strncmp(line, "+++ ", 4) || !strncmp(line, "--- ", 4))) {
			continue;
		} else if (header && !strncmp(line, "Binary files ", 13)) {
			finding(&c, TT_GATE_REVIEW, "file", file[0] ? file : "?", 0, "binary",
				"binary file: contents not scanned");
		} else if (!strncmp(line, "@@ ", 3)) {
			char *plus = strchr(line, '+');
			ln = plus ? atoi(plus + 1) : 0;
			header = false;
		} else if (!header && line[0] == '+') {
			judge_line(&c, file, ln, line + 1);
			ln++;
		}
	}
	free(line);
	if (n_block)
		*n_block = c.n_block;
	if (n_review)
		*n_review = c.n_review;
	return c.verdict;
}

/* Runs `git -C repo diff ... -U<ctx> range -- [path]` (no shell) with stdout to a pipe. */
static FILE *git_diff(const char *repo, const char *range, const char *unified,
		      const char *path, pid_t *pid)
{
	int pfd[2];
	FILE *in;

	if (pipe(pfd))
		return NULL;
	*pid = fork();
	if (*pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (*pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("git", "git", "-C", repo, "-c", "core.quotePath=false", "diff", "--no-color",
		       "--no-ext-diff", "--no-textconv", "--no-renames", unified, range, "--", path,
		       (char *)NULL);
		dprintf(2, "tt-gate: exec git: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	if (!in)
		close(pfd[0]);
	return in;
}

/* Closes the pipe, reaps git: 0 when it exited 0. */
static int git_done(FILE *in, pid_t pid)
{
	int st = 0;

	if (in)
		fclose(in);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return in && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int tt_gate_allow_edits(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool in_allow = false;
	bool body = false;
	int edits = 0;

	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (!strncmp(line, "@@ ", 3)) {
			body = true;
			continue;
		}
		if (!body || !n || (line[0] != ' ' && line[0] != '+' && line[0] != '-'))
			continue;
		const char *t = line + 1;
		while (*t == ' ' || *t == '\t')
			t++;
		bool header = *t == '[';
		if (header)
			in_allow = !strncmp(t, "[allow.paths]", 13);
		if (line[0] != ' ' && (in_allow || (header && strstr(t, "allow"))) && *t &&
		    *t != ';' && *t != '#')
			edits++;
	}
	free(line);
	return edits;
}

/* The allow list of the policy at rel changed in range: one REVIEW finding. */
static int allow_list_changed(const char *repo, const char *range, const char *rel, FILE *out)
{
	pid_t pid;
	FILE *in = git_diff(repo, range, "-U100000", rel, &pid);
	int edits = in ? tt_gate_allow_edits(in) : 0;

	if (git_done(in, pid))
		edits = 1; /* can't tell: a human looks */
	if (!edits)
		return 0;
	fprintf(out, "REVIEW %s: gate-allow: changes the gate's [allow.paths] (%d line%s): paths "
		     "exempt from blocked patterns need human review\n",
		rel, edits, edits == 1 ? "" : "s");
	return 1;
}

int tt_gate_check(const struct tt_gate_policy *p, const char *repo, const char *range,
		  const char *policy_rel, FILE *out)
{
	static const char def_rel[] = "harness/policy/gate.ini";
	pid_t pid;
	int nb = 0;
	int nr = 0;
	int v;
	int grc;

	if (!range || range[0] == '-' || !strstr(range, "..")) {
		fprintf(out, "BLOCK  %s: usage: the range must be base..head\n",
			range ? range : "");
		return TT_GATE_BLOCK;
	}
	FILE *in = git_diff(repo, range, "-U0", NULL, &pid);
	v = in ? tt_gate_scan(p, in, policy_rel, out, &nb, &nr) : TT_GATE_BLOCK;
	grc = git_done(in, pid);
	if (grc) {
		fprintf(out, "BLOCK  %s: git diff failed (exit %d): the gate can't check it\n",
			range, grc);
		fprintf(stderr, "{\"event\":\"denied\",\"what\":\"file\",\"target\":");
		json_str(stderr, range);
		fprintf(stderr,
			",\"rule\":\"gate-fail-closed\",\"process\":\"tt-gate\","
			"\"flavor\":\"%s\"}\n",
			tt_flavor_name());
		return TT_GATE_BLOCK;
	}
	/* The allow list of the policy in use, and of the repository's default policy. */
	int na = (policy_rel && allow_list_changed(repo, range, policy_rel, out)) +
		 ((!policy_rel || strcmp(policy_rel, def_rel)) &&
		  allow_list_changed(repo, range, def_rel, out));
	if (na) {
		nr += na;
		if (v < TT_GATE_REVIEW)
			v = TT_GATE_REVIEW;
	}
	fprintf(out, "tt-gate: %s (%d blocked, %d for review, %d allowed)\n",
		v == TT_GATE_BLOCK    ? "BLOCK"
		: v == TT_GATE_REVIEW ? "REVIEW"
				      : "PASS",
		nb, nr, c.n_allow);
	return v;
}
