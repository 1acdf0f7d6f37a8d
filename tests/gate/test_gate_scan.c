/*
 * test_gate_scan.c — tt-gate's checks on hand-made `git diff -U0` texts (no git, no repo):
 * verdicts, file:line attribution, what is never printed, and hostile diffs (huge lines,
 * NUL bytes, headers smuggled into hunks, garbage) that must be judged, never crash.
 * Uses the project's policy, harness/policy/gate.ini (TT_SOURCE_DIR from ctest).
 */
#include "tt_gate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tt_err.h"

static struct tt_gate_policy pol;
static char outbuf[1 << 16];

static int setup(void **state)
{
	char path[1024];
	const char *src = getenv("TT_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/harness/policy/gate.ini", src ? src : ".");
	if (tt_gate_policy_load(&pol, path)) {
		fprintf(stderr, "policy: %s\n", tt_err_msg());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	tt_gate_policy_fini(&pol);
	return 0;
}

/* Scans text (len bytes, may hold NULs); the findings land in outbuf. */
static int scan(const char *text, size_t len)
{
	FILE *in = fmemopen((void *)text, len, "r");
	FILE *out = fmemopen(outbuf, sizeof(outbuf) - 1, "w");
	int v;

	assert_non_null(in);
	assert_non_null(out);
	memset(outbuf, 0, sizeof(outbuf));
	v = tt_gate_scan(&pol, in, "harness/policy/gate.ini", out, NULL, NULL);
	fclose(in);
	fclose(out);
	return v;
}

#define SCAN(s) scan((s), strlen(s))
#define HDR(f)	"diff --git a/" f " b/" f "\nindex 1..2 100644\n--- a/" f "\n+++ b/" f "\n"

static void test_scan_passes_a_clean_diff(void **state)
{
	assert_int_equal(SCAN(HDR("src/a.c") "@@ -1,0 +2,2 @@\n+int a;\n+int b;\n"), TT_GATE_PASS);
	assert_string_equal(outbuf, "");
}

static void test_scan_blocks_git_push_at_its_new_line_number(void **state)
{
	assert_int_equal(SCAN(HDR("s/x.sh") "@@ -3,0 +7,2 @@\n+make\n+git  push origin\n"),
			 TT_GATE_BLOCK);
	assert_non_null(strstr(outbuf, "BLOCK  s/x.sh:8: git-push"));
}

static void test_scan_blocks_a_private_key_without_printing_it(void **state)
{
	char d[512];

	snprintf(d, sizeof(d), HDR("k") "@@ -0,0 +1,2 @@\n+-----BEGIN RSA %s KEY-----\n+%s\n",
		 "PRIVATE", "MIIEsecretbytes");
	assert_int_equal(SCAN(d), TT_GATE_BLOCK);
	assert_non_null(strstr(outbuf, "k:1: private-key-block"));
	assert_null(strstr(outbuf, "MIIEsecretbytes"));
	assert_null(strstr(outbuf, "BEGIN RSA"));
}

static void test_scan_reviews_ci_and_the_policy_itself(void **state)
{
	assert_int_equal(SCAN(HDR(".ci/run") "@@ -1,0 +2 @@\n+echo\n"), TT_GATE_REVIEW);
	assert_non_null(strstr(outbuf, "REVIEW .ci/run: ci:"));
	assert_int_equal(SCAN(HDR("harness/policy/gate.ini") "@@ -1,0 +2 @@\n+x = y\n"),
			 TT_GATE_REVIEW);
	assert_non_null(strstr(outbuf, "gate-policy"));
}

static void test_scan_reviews_a_binary_file_by_name(void **state)
{
	assert_int_equal(SCAN("diff --git a/img.png b/img.png\nnew file mode 100644\n"
			      "Binary files /dev/null and b/img.png differ\n"),
			 TT_GATE_REVIEW);
	assert_non_null(strstr(outbuf, "REVIEW img.png: binary"));
}

static void test_scan_reads_a_smuggled_header_inside_a_hunk_as_content(void **state)
{
	assert_int_equal(SCAN(HDR("a.sh") "@@ -1,0 +2 @@\n+++ b/other git push\n"), TT_GATE_BLOCK);
	assert_non_null(strstr(outbuf, "a.sh:2: git-push"));
}

static void test_scan_blocks_a_fetch_from_an_unlisted_host(void **state)
{
	assert_int_equal(
	    SCAN(HDR("a.sh") "@@ -1,0 +2 @@\n+curl -fsSL https://u:p@bad.example:8443/x\n"),
	    TT_GATE_BLOCK);
	assert_non_null(strstr(outbuf, "'bad.example'"));
	assert_int_equal(SCAN(HDR("a.sh") "@@ -1,0 +2 @@\n+curl http://127.0.0.1:9/x\n"),
			 TT_GATE_PASS);
	assert_int_equal(SCAN(HDR("a.sh") "@@ -1,0 +2 @@\n+curl \"$URL\"\n"), TT_GATE_REVIEW);
}

static void test_scan_flags_a_line_with_a_nul_byte(void **state)
{
	static const char d[] = HDR("a.sh") "@@ -1,0 +2 @@\n+echo ok\0git push\n";

	assert_int_equal(scan(d, sizeof(d) - 1), TT_GATE_REVIEW);
	assert_non_null(strstr(outbuf, "nul-byte"));
}

static void test_scan_survives_hostile_diffs(void **state)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 64);
	uint32_t x = 12345;

	assert_non_null(big);
	/* One megabyte added line, then random bytes: judged, no crash. */
	int h = snprintf(big, 64, "@@ -0,0 +99999999999 @@\n+");
	memset(big + h, 'A', n - (size_t)h - 1);
	big[n - 1] = '\n';
	int v = scan(big, n);
	assert_true(v >= TT_GATE_PASS && v <= TT_GATE_BLOCK);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (char)(x >> 16);
	}
	v = scan(big, n);
	assert_true(v >= TT_GATE_PASS && v <= TT_GATE_BLOCK);
	v = SCAN("diff --git \n--- \n+++ \n@@\n+\n@@ +\ndiff --git a/ b/\n+++ b/\n");
	assert_true(v >= TT_GATE_PASS && v <= TT_GATE_BLOCK);
	free(big);
}

static void test_policy_load_rejects_a_bad_regex_at_its_line(void **state)
{
	struct tt_gate_policy p;
	char path[] = "/tmp/tt-gate-pol.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("; c\n[block.patterns]\nok = a\n\nbad = (open\n", f);
	fclose(f);
	assert_int_equal(tt_gate_policy_load(&p, path), -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), ":5: [block.patterns] bad: expected a POSIX"));
	unlink(path);
}

static void test_policy_load_refuses_a_policy_that_blocks_nothing(void **state)
{
	struct tt_gate_policy p;
	char path[] = "/tmp/tt-gate-pol.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("[review.paths]\nci = .ci/\n", f);
	fclose(f);
	assert_int_equal(tt_gate_policy_load(&p, path), -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), "would pass everything"));
	unlink(path);
}

static void test_scan_lists_a_blocked_pattern_in_an_allowed_path_as_allow(void **state)
{
	int nb = -1;
	int nr = -1;
	const char *d = HDR("tests/redteam/x.sh") "@@ -0,0 +1,1 @@\n+git push origin main\n"
			HDR("tests/redteamx/y.sh") "@@ -0,0 +1,1 @@\n+git push origin main\n";
	FILE *in = fmemopen((void *)d, strlen(d), "r");
	FILE *out = fmemopen(outbuf, sizeof(outbuf) - 1, "w");

	memset(outbuf, 0, sizeof(outbuf));
	assert_int_equal(tt_gate_scan(&pol, in, NULL, out, &nb, &nr), TT_GATE_BLOCK);
	fclose(in);
	fclose(out);
	assert_non_null(strstr(outbuf, "ALLOW  tests/redteam/x.sh:1: git-push: "));
	assert_non_null(strstr(outbuf, "BLOCK  tests/redteamx/y.sh:1: git-push"));
	assert_int_equal(nb, 1); /* only the look-alike path */
}

static void test_allow_edits_counts_only_lines_inside_allow_paths(void **state)
{
	const char *d = "diff --git a/p.ini b/p.ini\n--- a/p.ini\n+++ b/p.ini\n@@ -1,6 +1,7 @@\n"
			" [block.patterns]\n-x = a\n+x = b\n [allow.paths]\n"
			"+t = tests/ | a reason long enough\n ; comment\n [net]\n+allow_host = h\n";
	FILE *in = fmemopen((void *)d, strlen(d), "r");

	assert_int_equal(tt_gate_allow_edits(in), 1);
	fclose(in);
}

static void test_policy_load_refuses_an_allow_without_a_reason(void **state)
{
	struct tt_gate_policy p;
	char path[] = "/tmp/tt-gate-allow-XXXXXX";
	int fd = mkstemp(path);
	const char txt[] = "[block.patterns]\nx = a\n[allow.paths]\nt = tests/\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, txt, sizeof(txt) - 1), (ssize_t)sizeof(txt) - 1);
	close(fd);
	assert_int_equal(tt_gate_policy_load(&p, path), -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), ":4: [allow.paths] t: expected GLOB | REASON"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_passes_a_clean_diff),
	    cmocka_unit_test(test_scan_blocks_git_push_at_its_new_line_number),
	    cmocka_unit_test(test_scan_blocks_a_private_key_without_printing_it),
	    cmocka_unit_test(test_scan_reviews_ci_and_the_policy_itself),
	    cmocka_unit_test(test_scan_reviews_a_binary_file_by_name),
	    cmocka_unit_test(test_scan_reads_a_smuggled_header_inside_a_hunk_as_content),
	    cmocka_unit_test(test_scan_blocks_a_fetch_from_an_unlisted_host),
	    cmocka_unit_test(test_scan_flags_a_line_with_a_nul_byte),
	    cmocka_unit_test(test_scan_survives_hostile_diffs),
	    cmocka_unit_test(test_policy_load_rejects_a_bad_regex_at_its_line),
	    cmocka_unit_test(test_policy_load_refuses_a_policy_that_blocks_nothing),
	    cmocka_unit_test(test_scan_lists_a_blocked_pattern_in_an_allowed_path_as_allow),
	    cmocka_unit_test(test_allow_edits_counts_only_lines_inside_allow_paths),
	    cmocka_unit_test(test_policy_load_refuses_an_allow_without_a_reason),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
