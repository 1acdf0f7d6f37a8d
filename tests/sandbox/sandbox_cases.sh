#!/usr/bin/env bash
# sandbox_cases.sh CASE TT_SANDBOX SB_PROBE — one tt-sandbox property per case (ctest runs
# each as its own test). Every case checks an outcome that fails without the isolation
# step it names. Works in a fresh temp dir (work tree, fake HOME, session dirs) removed at
# the end; sessions it starts are stopped on exit.
set -u
case_=${1:?case}
SB=${2:?tt-sandbox}
PROBE=${3:?sb_probe}
T=$(mktemp -d /tmp/tt-sb-test.XXXXXX)
WT=$T/wt
mkdir -p "$WT" "$T/home/.ssh" "$T/home/.aws"
echo "-----FAKE TEST KEY-----" > "$T/home/.ssh/id_ed25519"
export HOME=$T/home
cp "$PROBE" "$WT/sb_probe"
P=$WT/sb_probe
cd "$WT"
cleanup() {
	[ -f "$T/s/supervisor.pid" ] && "$SB" stop --session "$T/s" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL [$case_]: $*" >&2; echo "--- trace:" >&2; cat "$T"/s*/trace.jsonl >&2 2>/dev/null; exit 1; }
run() { "$SB" run --session "$T/s" "$@"; }

case $case_ in
net)
	run -- "$P" connect 192.0.2.1 80 >"$T/out" 2>"$T/err" && fail "connect to 192.0.2.1 succeeded"
	grep -q '"event":"denied","what":"connect","target":"192.0.2.1:80"' "$T/err" ||
		fail "no denied connect event on stderr: $(cat "$T/err")"
	grep -q '"what":"connect","target":"192.0.2.1:80"' "$T/s/trace.jsonl" || fail "denial not traced"
	rm -rf "$T/s"
	run -- "$P" loopback >"$T/out" 2>&1 || fail "loopback connect failed: $(cat "$T/out")"
	grep -q '"event":"net","what":"connect","target":"127.0.0.1:' "$T/s/trace.jsonl" ||
		fail "loopback attempt not traced"
	;;
fs)
	run -- "$P" write "$WT/inside.txt" || fail "write inside the work tree failed"
	[ -f "$WT/inside.txt" ] || fail "inside.txt not on the host"
	rm -rf "$T/s"
	run -- "$P" write /etc/tt-sandbox-test-$$ && fail "write to /etc succeeded"
	[ -e /etc/tt-sandbox-test-$$ ] && { rm -f /etc/tt-sandbox-test-$$; fail "/etc file on host"; }
	rm -rf "$T/s"
	run -- "$P" write /usr/tt-sandbox-test-$$ && fail "write to /usr succeeded"
	rm -rf "$T/s"
	# A sibling of the work tree: /tmp is private inside, so the host never sees it.
	run -- "$P" write "$T/outside.txt"
	[ -e "$T/outside.txt" ] && fail "a write outside the work tree reached the host"
	exit 0
	;;
secrets)
	[ -f "$HOME/.ssh/id_ed25519" ] || fail "setup"
	# ~/.ssh inside is a decoy (synthetic, every open refused and logged): the real one
	# is never visible.
	run -- sh -c "cat ~/.ssh/* ~/.ssh/.[a-z]* 2>/dev/null; ls -a ~/.ssh 2>/dev/null" >"$T/out" 2>&1
	grep -q 'FAKE TEST KEY' "$T/out" && fail "the real ~/.ssh key is readable inside"
	rm -rf "$T/s"
	run -- "$P" read "$HOME/.ssh/id_ed25519" && fail "~/.ssh key readable inside"
	rm -rf "$T/s"
	if [ -r /etc/shadow ]; then
		rm -rf "$T/s"
		run -- "$P" read /etc/shadow >/dev/null 2>&1 && fail "/etc/shadow readable inside"
	fi
	rm -rf "$T/s"
	run -- sh -c 'ls /proc | grep -c "^[0-9]"' >"$T/out" 2>/dev/null
	[ "$(cat "$T/out")" -lt 10 ] || fail "host processes visible in /proc: $(cat "$T/out")"
	;;
secret_reads)
	# Every attempt to open a masked secret is one denied event (what=file,
	# rule=secret-read) in the trace; the read itself is refused. Two attempts, two events.
	mkdir -p "$T/prod" && printf '[credential]\nenv = prod\nkey_id = REAL-LOOKING\n' >"$T/prod/credential.ini"
	printf '[secrets]\npath = %s\n' "$T/prod" >"$T/pol.ini"
	echo hello >"$WT/plain.txt"
	run --policy "$T/pol.ini" -- sh -c "cat plain.txt; cat ~/.aws/credentials; cat ~/.aws/credentials; cat ~/.ssh/id_ed25519; cat $T/prod/credential.ini; ls $T/prod; true" >"$T/out" 2>"$T/err"
	grep -q hello "$T/out" || fail "control: plain read failed"
	grep -qE 'REAL-LOOKING|FAKE TEST KEY|aws_access_key_id' "$T/out" && fail "a secret (or its decoy) was read"
	n() { grep -c "\"event\":\"denied\",\"what\":\"file\",\"target\":\"$1\",\"rule\":\"secret-read\"" "$T/s/trace.jsonl"; }
	[ "$(n "$HOME/.aws/credentials")" = 2 ] || fail "expected 2 events for ~/.aws/credentials, got $(n "$HOME/.aws/credentials")"
	[ "$(n "$HOME/.ssh/id_ed25519")" = 1 ] || fail "expected 1 event for ~/.ssh/id_ed25519"
	[ "$(n "$T/prod/credential.ini")" = 1 ] || fail "expected 1 event for the prod credential"
	[ "$(n "$T/prod")" = 1 ] || fail "expected 1 event for listing the prod directory"
	[ "$(grep -c '"rule":"secret-read"' "$T/s/trace.jsonl")" = 5 ] || fail "extra secret-read events"
	grep -q '"target":"'"$HOME/.aws/credentials"'","rule":"secret-read","process":"cat","pid":[0-9]' \
		"$T/s/trace.jsonl" || fail "event lacks the process and pid"
	;;
syscalls)
	for v in mount unshare ptrace bpf keyctl raw clone; do
		rm -rf "$T/s"
		run -- "$P" "$v" >"$T/out" 2>"$T/err" || fail "$v: $(cat "$T/out")"
	done
	rm -rf "$T/s"
	run -- "$P" mount >/dev/null 2>"$T/err"
	grep -q '"event":"denied","what":"exec","target":"syscall:mount","rule":"seccomp"' "$T/err" ||
		fail "no denied event for mount: $(cat "$T/err")"
	rm -rf "$T/s"
	run -- sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status' >"$T/out"
	grep -q 'CapEff:.*0000000000000000' "$T/out" || fail "capabilities not dropped: $(cat "$T/out")"
	grep -q 'NoNewPrivs:.*1' "$T/out" || fail "no_new_privs not set"
	grep -q 'Seccomp:.*2' "$T/out" || fail "no seccomp filter"
	;;
limits)
	printf '[limits]\nwall_ms = 1500\ncheckpoint_pct = 60\n' >"$T/pol.ini"
	run --policy "$T/pol.ini" -- sh -c "\"$P\" write \"$WT/partial.txt\"; \"$P\" sleep 5000; touch \"$WT/never\"" \
		2>"$T/err"
	rc=$?
	[ $rc = 124 ] || fail "expected exit 124 (limit), got $rc: $(cat "$T/err")"
	grep -q '"event":"checkpoint"' "$T/s/trace.jsonl" || fail "no checkpoint event"
	grep -q '"event":"limit","what":"wall"' "$T/s/trace.jsonl" || fail "no limit event"
	grep -q '"reason":"limit-wall"' "$T/s/trace.jsonl" || fail "session-end reason"
	grep -q '"event":"checkpoint"' "$T/s/run/checkpoint" || fail "checkpoint not visible inside"
	[ -f "$WT/partial.txt" ] || fail "partial state not kept"
	[ -e "$WT/never" ] && fail "the command outlived the limit"
	exit 0
	;;
procs)
	printf '[limits]\nprocs = 12\n' >"$T/pol.ini"
	run --policy "$T/pol.ini" -- "$P" spawn 40 >"$T/out" 2>&1 && fail "40 processes under procs=12"
	grep -q 'forks failed' "$T/out" || fail "probe: $(cat "$T/out")"
	rm -rf "$T/s"
	run --policy "$T/pol.ini" -- "$P" spawn 4 >"$T/out" 2>&1 || fail "4 processes refused: $(cat "$T/out")"
	;;
cpu)
	printf '[limits]\ncpu_s = 1\n' >"$T/pol.ini"
	"$SB" start --policy "$T/pol.ini" --session "$T/s" || fail start
	"$SB" exec --session "$T/s" -- "$P" spin 4000 2>"$T/err"
	rc=$?
	[ $rc = 152 ] || fail "expected SIGXCPU (152), got $rc"
	for i in $(seq 100); do [ -f "$T/s/supervisor.pid" ] || break; sleep 0.05; done
	[ -f "$T/s/supervisor.pid" ] && fail "session still running after its cpu budget"
	grep -q '"event":"limit","what":"cpu_ms"' "$T/s/trace.jsonl" || fail "no cpu limit event"
	grep -q '"reason":"limit"' "$T/s/trace.jsonl" || fail "session-end reason"
	exit 0
	;;
disk)
	printf '[limits]\ndisk_mb = 1\n' >"$T/pol.ini"
	"$SB" start --policy "$T/pol.ini" --session "$T/s" || fail start
	"$SB" exec --session "$T/s" -- "$P" fill "$WT/big" 2048 2>/dev/null
	rc=$?
	[ $rc = 153 ] && [ "$(stat -c %s "$WT/big")" -le 1048576 ] ||
		fail "per-file ceiling: rc=$rc size=$(stat -c %s "$WT/big")"
	"$SB" exec --session "$T/s" -- "$P" fill "$WT/second" 512 || fail "second file"
	for i in $(seq 100); do [ -f "$T/s/supervisor.pid" ] || break; sleep 0.05; done
	grep -q '"event":"limit","what":"disk_bytes"' "$T/s/trace.jsonl" || fail "no disk limit event"
	[ -f "$T/s/supervisor.pid" ] && fail "session still running after its disk budget"
	exit 0
	;;
grant)
	mkdir -p "$T/extra"
	run -- "$P" write "$T/extra/g.txt" >/dev/null 2>&1
	[ -e "$T/extra/g.txt" ] && fail "wrote outside the work tree without a grant"
	rm -rf "$T/s"
	printf '[grant]\nwrite = %s\n' "$T/extra" >"$T/pol.ini"
	run --policy "$T/pol.ini" -- "$P" write "$T/extra/g.txt" || fail "granted write failed"
	[ -f "$T/extra/g.txt" ] || fail "granted write not on the host"
	grep -q '"event":"grant","what":"write","target":"'"$T/extra"'"' "$T/s/trace.jsonl" || fail "grant not logged"
	grep -q '"event":"grant-use","what":"write","target":"'"$T/extra"'".*"created":\["g.txt"\]' "$T/s/trace.jsonl" ||
		fail "grant use not logged"
	;;
port)
	"$P" serve >"$T/port" &
	srv=$!
	for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	port=$(cat "$T/port")
	[ -n "$port" ] || fail "echo server did not start"
	run -- "$P" echo "$port" >"$T/out" 2>&1 && fail "host loopback port reachable without a grant"
	rm -rf "$T/s"
	printf '[grant]\nport = %s\n' "$port" >"$T/pol.ini"
	run --policy "$T/pol.ini" -- "$P" echo "$port" >"$T/out" 2>&1 || fail "granted port: $(cat "$T/out")"
	wait $srv || fail "echo server saw no connection"
	grep -q '"event":"grant","what":"port","target":"127.0.0.1:'"$port"'"' "$T/s/trace.jsonl" || fail "grant not logged"
	grep -q '"event":"grant-use","what":"port","target":"127.0.0.1:'"$port"'","outcome":"relayed"' "$T/s/trace.jsonl" ||
		fail "grant use not logged"
	;;
unix)
	# A host daemon's socket outside the sandbox's own paths (on a real host: /run/docker.sock).
	V=$(mktemp -d /var/tmp/tt-sb-unix.XXXXXX)
	"$P" userve "$V/host.sock" >/dev/null &
	srv=$!
	for i in $(seq 100); do [ -S "$V/host.sock" ] && break; sleep 0.05; done
	run -- "$P" uconnect "$V/host.sock" >"$T/out" 2>"$T/err"
	rc=$?
	"$P" uconnect "$V/host.sock" >/dev/null 2>&1 # let the server go
	wait $srv
	rm -rf "$V"
	[ $rc = 0 ] && fail "connected to a host unix socket"
	grep -q '"what":"connect","target":"unix:'"$V"'/host.sock","rule":"unix-socket-outside-sandbox"' "$T/err" ||
		fail "no denied event: $(cat "$T/err")"
	rm -rf "$T/s"
	run -- "$P" uself "$WT/own.sock" >"$T/out" 2>&1 || fail "own socket refused: $(cat "$T/out")"
	rm -rf "$T/s"
	run -- "$P" exists /run/dbus >/dev/null 2>&1 && fail "host /run visible"
	exit 0
	;;
fail_closed)
	TT_SANDBOX_BWRAP=/nonexistent/bwrap run -- "$P" write "$WT/marker" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 125 ] || fail "expected 125, got $rc"
	[ -e "$WT/marker" ] && fail "the command ran without isolation"
	grep -q 'refused, the command was not run' "$T/err" || fail "no clear message: $(cat "$T/err")"
	grep -q '/nonexistent/bwrap' "$T/err" || fail "message does not say why"
	grep -q '"event":"denied","what":"exec".*"rule":"fail-closed"' "$T/err" || fail "no denied event"
	# A bwrap that runs but fails the isolation (exits 1 on anything but --version).
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }\necho "bwrap: fake failure" >&2; exit 1\n' >"$T/fakebwrap"
	chmod +x "$T/fakebwrap"
	rm -rf "$T/s"
	run --bwrap "$T/fakebwrap" -- "$P" write "$WT/marker" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 125 ] || fail "fake bwrap: expected 125, got $rc"
	[ -e "$WT/marker" ] && fail "the command ran after bwrap failed"
	grep -q 'fake failure' "$T/err" || fail "bwrap's reason not reported: $(cat "$T/err")"
	;;
trace)
	echo old >old.txt
	echo 1 >changed.txt
	touch -d '2000-01-01' changed.txt
	run -- sh -c 'echo new > new.txt; rm old.txt; echo 2 >> changed.txt; exit 3'
	rc=$?
	[ $rc = 3 ] || fail "exit code not passed through: $rc"
	L=$(grep '"event":"command"' "$T/s/trace.jsonl")
	echo "$L" | grep -q '"exit":3' || fail "exit code not traced"
	echo "$L" | grep -q '"duration_ms":' || fail "duration not traced"
	echo "$L" | grep -q '"created":\["new.txt"\]' || fail "created not traced"
	echo "$L" | grep -q '"changed":\["changed.txt"\]' || fail "changed not traced"
	echo "$L" | grep -q '"deleted":\["old.txt"\]' || fail "deleted not traced"
	grep -q '"versions":{"bwrap":"bubblewrap' "$T/s/trace.jsonl" || fail "versions not logged"
	;;
session)
	# start returns with nothing of the session holding the caller's stdio open.
	out=$(timeout 20 "$SB" start --session "$T/s" 2>&1) || fail "start (or it held stdio): $out"
	"$SB" exec --session "$T/s" -- sh -c 'echo $$ > pid1; echo one > a' || fail "exec 1"
	"$SB" exec --session "$T/s" -- sh -c 'cat a > b' || fail "exec 2"
	"$SB" exec --session "$T/s" -- false && fail "exec 3 should exit 1"
	"$SB" stop --session "$T/s" || fail "stop"
	[ "$(grep -c '"event":"command"' "$T/s/trace.jsonl")" = 3 ] || fail "3 command events expected"
	[ "$(grep -c '"event":"agent-ready"' "$T/s/trace.jsonl")" = 1 ] || fail "one sandbox expected"
	grep -q '"event":"session-end","reason":"stop","created":\["a","b","pid1"\]' "$T/s/trace.jsonl" ||
		fail "session diff"
	"$SB" exec --session "$T/s" -- true 2>/dev/null && fail "exec after stop ran"
	# A stale pid file naming some other live process: stop must not signal it.
	sleep 30 &
	victim=$!
	echo "$victim 12345" >"$T/s/supervisor.pid"
	"$SB" stop --session "$T/s" 2>/dev/null && fail "stop accepted a stale pid file"
	kill -0 $victim 2>/dev/null || fail "stop signalled an unrelated process"
	kill $victim
	"$SB" start --session "$T/s" || fail "start refused by a stale pid file"
	"$SB" stop --session "$T/s" || fail "stop after restart"
	exit 0
	;;
abandon)
	# A client that dies mid-command must not wedge the session on its orphan.
	"$SB" start --session "$T/s" || fail "start"
	timeout -s KILL 1 "$SB" exec --session "$T/s" -- "$P" sleep 60000
	timeout 20 "$SB" exec --session "$T/s" -- true || fail "session wedged after a client died"
	"$SB" stop --session "$T/s"
	grep -q '"event":"command-killed"' "$T/s/trace.jsonl" || fail "orphan kill not traced"
	;;
credentials)
	export BINANCE_API_KEY=realRealREAL0123456789realRealREAL0123456789realRealREAL01234567
	export AWS_ACCESS_KEY_ID=AK"IA"REALREALREAL2345 # assembled: no key-shaped literal here
	export MY_PROD_TOKEN=prodsecret
	export OTHER_CRED=prod:abc
	printf '[credentials]\nBINANCE_API_KEY = binance-hmac\nAWS_ACCESS_KEY_ID = aws-akid\n' >"$T/pol.ini"
	run --policy "$T/pol.ini" -- sh -c 'echo "$BINANCE_API_KEY"; echo "$AWS_ACCESS_KEY_ID"; echo "p=$MY_PROD_TOKEN o=$OTHER_CRED"' \
		>"$T/out" 2>"$T/err" || fail "run"
	b=$(sed -n 1p "$T/out")
	a=$(sed -n 2p "$T/out")
	[ "$b" != "$BINANCE_API_KEY" ] || fail "real binance key visible"
	[ ${#b} = ${#BINANCE_API_KEY} ] || fail "synthetic key length ${#b}"
	[ "$a" != "$AWS_ACCESS_KEY_ID" ] || fail "real AWS key visible"
	echo "$a" | grep -qE '^AKIA[A-Z2-7]{16}$' || fail "synthetic AWS key format: $a"
	[ "$(sed -n 3p "$T/out")" = "p= o=" ] || fail "prod-tagged variable visible: $(sed -n 3p "$T/out")"
	grep -q '"what":"credential","target":"MY_PROD_TOKEN"' "$T/err" || fail "no denial for MY_PROD_TOKEN"
	grep -q '"what":"credential","target":"OTHER_CRED"' "$T/err" || fail "no denial for OTHER_CRED"
	grep -q "$BINANCE_API_KEY" "$T/s/trace.jsonl" && fail "real key in the trace"
	grep -q "$b" "$T/s/trace.jsonl" && fail "synthetic key in the trace"
	exit 0
	;;
policy)
	printf '[limits]\n# comment\n\nwall_s = soon\n' >"$T/bad.ini"
	run --policy "$T/bad.ini" -- "$P" write "$WT/marker" 2>"$T/err"
	[ $? = 125 ] || fail "bad policy accepted"
	grep -q "bad.ini:4: \[limits\] wall_s: expected" "$T/err" || fail "no file:line: $(cat "$T/err")"
	[ -e "$WT/marker" ] && fail "command ran"
	exit 0
	;;
gate)
	git init -q -b main . && git config user.email t@example.invalid && git config user.name t
	echo 'echo hi' >build.sh && mkdir -p harness/policy && cp "$TT_GATE_POLICY" harness/policy/gate.ini
	git add -A && git commit -qm base
	"$SB" start --session "$T/s" || fail "start"
	"$SB" exec --session "$T/s" -- sh -c 'echo "int x;" > ok.c && git add ok.c && git commit -qm ok' ||
		fail "commit inside the session"
	"$SB" gate --session "$T/s" main~1..main >"$T/out" 2>&1 || fail "clean commit did not pass: $(cat "$T/out")"
	"$SB" exec --session "$T/s" -- sh -c 'echo "git push" >> build.sh && git commit -qam bad' ||
		fail "second commit"
	"$SB" gate --session "$T/s" main~1..main >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "git push in an artifact was not blocked"
	grep -q '"rule":"gate-blocked"' "$T/err" || fail "no denied event"
	"$SB" stop --session "$T/s"
	grep -q '"event":"gate","range":"main~1..main","verdict":"pass"' "$T/s/trace.jsonl" || fail "pass not traced"
	grep -q '"event":"gate","range":"main~1..main","verdict":"blocked"' "$T/s/trace.jsonl" || fail "block not traced"
	TT_GATE=/nonexistent "$SB" gate --session "$T/s" main~1..main >/dev/null 2>&1
	[ $? = 2 ] || fail "a missing gate must block"
	exit 0
	;;
*)
	echo "unknown case $case_" >&2
	exit 2
	;;
esac
exit 0
