/*
 * tt_gate.h — tt-gate: the review gate for a diff (DESIGN §6, Harness issue). A policy (INI,
 * libinih) names blocked patterns on added lines, blocked paths, paths that need human
 * review, credential-shaped strings and the hosts curl/wget may reach; tt_gate_check() runs
 * `git diff base..head` in a repository and grades it:
 *
 *   TT_GATE_PASS (0)   nothing matched
 *   TT_GATE_REVIEW (1) a human must look (each reason listed)
 *   TT_GATE_BLOCK (2)  a blocked pattern, path, host or credential; also any error reading
 *                      the policy or the diff (fail closed: what can't be checked can't pass)
 *
 * Findings are printed one per line as `BLOCK|REVIEW|ALLOW file:line: rule: text`; every
 * block is also one structured `denied` JSON line on stderr. ALLOW lines are blocked
 * patterns inside an [allow.paths] path (test corpora that hold attacks on purpose): listed,
 * not counted against the verdict. A diff that changes the allow list needs review
 * (rule gate-allow).
 */
#ifndef TT_GATE_H
#define TT_GATE_H

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>

#include "tt_compiler.h"

#define TT_GATE_MAX_RULES 64

enum tt_gate_verdict {
	TT_GATE_PASS = 0,
	TT_GATE_REVIEW = 1,
	TT_GATE_BLOCK = 2,
};

/* One named rule: a regex over added lines, or a path glob ("dir/" = everything under). */
struct tt_gate_rule {
	char name[64];	/* the INI key: what the finding is called */
	char text[256]; /* regex or glob, as written */
	regex_t re;	/* compiled (patterns and credentials only) */
	int line;	/* policy line, for messages */
};

/* Policy: caller-owned; tt_gate_policy_fini() frees the compiled regexes. */
struct tt_gate_policy {
	char file[512];					  /* "" = builtin */
	struct tt_gate_rule block_pat[TT_GATE_MAX_RULES]; /* [block.patterns] */
	int n_block_pat;
	struct tt_gate_rule block_path[TT_GATE_MAX_RULES]; /* [block.paths] */
	int n_block_path;
	struct tt_gate_rule review_path[TT_GATE_MAX_RULES]; /* [review.paths] */
	int n_review_path;
	struct tt_gate_rule cred[TT_GATE_MAX_RULES]; /* [credentials] */
	int n_cred;
	char allow_host[TT_GATE_MAX_RULES][128]; /* [net] allow_host */
	int n_allow_host;
	/* [allow.paths] NAME = GLOB | REASON: added lines of files under GLOB that match a
	 * [block.patterns] rule or curl/wget a host not allowed are listed as ALLOW, not
	 * blocked. Credentials and [block.paths] still block there. The reason is required. */
	struct tt_gate_rule allow_path[TT_GATE_MAX_RULES];
	char allow_reason[TT_GATE_MAX_RULES][192];
	int n_allow_path;
};

/* Loads file (NULL = built-in defaults). 0, or -TT_ECONFIG with `file:line: ...` in the
 * tt_err trail. */
TT_WUR int tt_gate_policy_load(struct tt_gate_policy *p, const char *file);
void tt_gate_policy_fini(struct tt_gate_policy *p);

/* Checks `git diff range` in repo; findings to out. Returns the verdict (never negative:
 * errors are TT_GATE_BLOCK with the reason printed). policy_rel: the policy's path inside
 * the repo (edits to it need review), or NULL. */
int tt_gate_check(const struct tt_gate_policy *p, const char *repo, const char *range,
		  const char *policy_rel, FILE *out);

/* The checks alone, on a `git diff -U0` text read from in (tests, fuzzing). Findings to
 * out; counts to *n_block / *n_review when not NULL. Returns the verdict. */
int tt_gate_scan(const struct tt_gate_policy *p, FILE *in, const char *policy_rel, FILE *out,
		 int *n_block, int *n_review);

/* Reads a full-context diff of one policy file from in (`git diff -U<big> -- FILE`) and
 * returns how many added or removed lines lie inside its [allow.paths] section (the
 * section header included). */
int tt_gate_allow_edits(FILE *in);

#endif /* TT_GATE_H */
