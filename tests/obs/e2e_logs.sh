#!/usr/bin/env bash
# e2e_logs.sh EMIT WRITER TTLOGS — tt-logs end to end (DESIGN §7):
#  stand-in processes log through their shm log rings, tt-logwriter writes the testnet tree,
#  cold-path denied events are piped in; a second tree stands for "prod" and is served
#  read-only over HTTPS on loopback (tt-logs serve) and queried with tt-logs --remote.
# Every check can fail; every process started here is killed on exit.
set -u
EMIT=$1 WRITER=$2 LOGS=$3
T=$(mktemp -d /tmp/tt-obs-e2e-logs.XXXXXX)
INST=obse2e$$
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -f /dev/shm/$INST.log.* /dev/shm/${INST}p.log.*
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# ---- testnet tree from real rings ---------------------------------------------------------
"$EMIT" $INST tt-strat strat 17 || fail "emit strat"
"$EMIT" $INST tt-oe oe 17 || fail "emit oe"
"$EMIT" $INST tt-md md || fail "emit md"
"$WRITER" --instance $INST --root "$T/logs" --env testnet --once 2>/dev/null || fail "writer"
"$EMIT" x tt-oe denied | "$WRITER" --pipe tt-oe --root "$T/logs" --env testnet 2>/dev/null ||
	fail "writer --pipe"
D=$(date -u +%F)
[ -s "$T/logs/testnet/tt-oe/$D.jsonl" ] || fail "no logs/testnet/tt-oe/$D.jsonl"
ok "tree written: $(ls "$T/logs/testnet" | tr '\n' ' ')"

export TT_LOGS_ROOT="$T/logs"
out=$("$LOGS" --proc tt-oe --json) || fail "query"
[ "$(grep -c '"proc":"tt-oe"' <<<"$out")" = 5 ] || fail "expected 5 tt-oe lines: $out"
grep -q '"pid":0,' <<<"$out" && fail "pid lost: $out"
grep -q '"env":"testnet"' <<<"$out" || fail "env missing"
ok "--proc tt-oe --json: 5 lines"

out=$("$LOGS" --level warn --json)
grep -q '"event":"risk_reject"' <<<"$out" || fail "warn: risk_reject missing"
grep -q '"event":"order_sent"' <<<"$out" && fail "warn: info line leaked"
ok "--level warn filters"

out=$("$LOGS" timeline --order 17)
[ "$(wc -l <<<"$out")" = 4 ] || fail "timeline: expected 4 lines: $out"
head -1 <<<"$out" | grep -q 'tt-strat.*order_intent' || fail "timeline: intent first: $out"
tail -1 <<<"$out" | grep -q 'tt-oe.*order_fill' || fail "timeline: fill last: $out"
ok "timeline --order 17 crosses tt-strat and tt-oe in order"

out=$("$LOGS" denied --json)
grep -q '"what":"connect".*"rule":"not_allowlisted"' <<<"$out" || fail "denied: $out"
[ "$(wc -l <<<"$out")" = 1 ] || fail "denied lists only refusals"
ok "denied"

"$LOGS" events | grep -q '^order_fill' || fail "events (human)"
"$LOGS" events --json | grep -q '"event":"book_resync"' || fail "events --json"
ok "events"

[ -z "$("$LOGS" --since 1m --event book_live --until 2000-01-01)" ] || fail "time range"
"$LOGS" --since 1h --event book_live | grep -q 'book_live instrument=1' || fail "since 1h"
ok "--since/--until"

for args in "--level loud" "--env staging" "--since yesterday" "--order 12x" "--bogus" \
	"frobnicate" "timeline" "--proc ../etc"; do
	"$LOGS" $args >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 2 ] || fail "bad args '$args' exit $rc, want 2"
	[ -s "$T/err" ] || fail "bad args '$args' without a message"
done
ok "bad arguments exit 2 with a message"

# ---- follow ----------------------------------------------------------------------------------
"$LOGS" --follow --json --event book_live >"$T/follow.out" 2>/dev/null &
PIDS+=($!)
sleep 0.5
"$EMIT" $INST tt-md md || fail "emit md again"
"$WRITER" --instance $INST --root "$T/logs" --env testnet --once 2>/dev/null || fail "writer 2"
for i in $(seq 50); do
	[ "$(grep -c book_live "$T/follow.out")" -ge 2 ] && break
	sleep 0.2
done
[ "$(grep -c book_live "$T/follow.out")" = 2 ] || fail "follow saw $(cat "$T/follow.out")"
ok "--follow prints new lines"

# ---- the writer as a long-running process: follows new rings, final drain on SIGTERM -------
"$WRITER" --instance $INST --root "$T/logs" --env testnet --poll-ms 5 2>/dev/null &
WPID=$!
PIDS+=($WPID)
"$EMIT" $INST tt-gw oe 4242 || fail "emit tt-gw"
for i in $(seq 50); do
	[ -s "$T/logs/testnet/tt-gw/$D.jsonl" ] && break
	sleep 0.2
done
kill -TERM $WPID
wait $WPID || fail "tt-logwriter exit $? on SIGTERM"
[ "$(wc -l <"$T/logs/testnet/tt-gw/$D.jsonl")" = 4 ] || fail "running writer: $(cat "$T/logs/testnet/tt-gw/$D.jsonl")"
ok "running tt-logwriter picks up a new process's ring, exits 0 on SIGTERM"

# ---- a prod tree served read-only over HTTPS ----------------------------------------------
"$EMIT" ${INST}p tt-oe oe 900 || fail "emit prod"
"$WRITER" --instance ${INST}p --root "$T/prodlogs" --env prod --once 2>/dev/null || fail "writer prod"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl req"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token"
echo wrong-token-wrong-token >"$T/badtoken"
"$LOGS" serve --root "$T/prodlogs" --listen 127.0.0.1:0 --port-file "$T/port" \
	--cert "$T/cert.pem" --key "$T/key.pem" --token-file "$T/token" \
	--audit "$T/audit.jsonl" --rate 50 2>"$T/serve.err" &
PIDS+=($!)
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "serve did not start: $(cat "$T/serve.err")"
URL=https://127.0.0.1:$(cat "$T/port")
R=(--remote "$URL" --token-file "$T/token" --cacert "$T/cert.pem")

out=$("$LOGS" "${R[@]}" --json --proc tt-oe) || fail "remote query"
[ "$(grep -c '"env":"prod"' <<<"$out")" = 4 ] || fail "remote: 4 prod lines expected: $out"
ok "--remote reads the prod tree"
"$LOGS" timeline --order 900 "${R[@]}" | grep -q 'order_fill' || fail "remote timeline"
"$LOGS" events --json "${R[@]}" | grep -q '"event":"order_fill"' || fail "remote events"
ok "remote timeline, events"

"$LOGS" --remote "$URL" --token-file "$T/badtoken" --cacert "$T/cert.pem" >/dev/null 2>"$T/err" &&
	fail "wrong token accepted"
grep -q 401 "$T/err" || fail "wrong token: $(cat "$T/err")"
ok "wrong token refused (401)"

code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" -X POST \
	-H "Authorization: Bearer $(cat "$T/token")" --data 'x' "$URL/v1/query")
[ "$code" = 405 ] || fail "POST answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" -X DELETE \
	-H "Authorization: Bearer $(cat "$T/token")" "$URL/v1/query")
[ "$code" = 405 ] || fail "DELETE answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" \
	-H "Authorization: Bearer $(cat "$T/token")" "$URL/v1/query?proc=..%2Fetc")
[ "$code" = 400 ] || fail "path escape answered $code"
[ "$(find "$T/prodlogs/prod" -type f | wc -l)" = 1 ] || fail "prod tree changed"
ok "writes impossible (POST/DELETE 405), path escape 400, tree unchanged"

# a second server allowing 1 request/s (burst 2): 12 back-to-back requests cannot all pass
"$LOGS" serve --root "$T/prodlogs" --listen 127.0.0.1:0 --port-file "$T/port2" \
	--cert "$T/cert.pem" --key "$T/key.pem" --token-file "$T/token" \
	--audit "$T/audit2.jsonl" --rate 1 2>/dev/null &
PIDS+=($!)
for i in $(seq 50); do [ -s "$T/port2" ] && break; sleep 0.1; done
for i in $(seq 12); do
	curl -s -o /dev/null -w '%{http_code}\n' --cacert "$T/cert.pem" \
		-H "Authorization: Bearer $(cat "$T/token")" \
		"https://127.0.0.1:$(cat "$T/port2")/v1/events"
done >"$T/codes"
grep -q 429 "$T/codes" || fail "no rate limiting: $(sort "$T/codes" | uniq -c)"
grep -q 200 "$T/codes" || fail "rate limiter refused everything"
ok "rate limited (429): $(sort "$T/codes" | uniq -c | tr '\n' ' ')"

grep -q '"event":"logs_request".*"method":"POST".*"status":405' "$T/audit.jsonl" || fail "audit POST"
grep -q '"status":401,.*"why":"bad_token"' "$T/audit.jsonl" || fail "audit 401"
grep -q '"path":"/v1/query?proc=tt-oe","status":200' "$T/audit.jsonl" || fail "audit 200"
ok "every request audit-logged ($(wc -l <"$T/audit.jsonl") lines)"

"$LOGS" --remote "https://192.0.2.1:443" --token-file "$T/token" --cacert "$T/cert.pem" \
	>/dev/null 2>"$T/err" && fail "non-loopback remote allowed"
grep -q '"event":"denied"' "$T/err" || fail "non-loopback remote: no denied event: $(cat "$T/err")"
ok "--remote to a non-loopback address refused by the guard"
echo "e2e_logs: all passed"
