#!/usr/bin/env bash
# e2e_analytics.sh FEED ANALYTICS — the tt-analytics process on real shm side rings survives
# kill -9 and restart without losing or duplicating rows (journal seq keys), and writes
# its report. Every process started here is killed on exit.
set -u
FEED=$1 AN=$2
T=$(mktemp -d /tmp/tt-obs-e2e-an.XXXXXX)
MD=obsan$$.md OE=obsan$$.oe
PID=
cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	"$FEED" unlink $MD $OE x
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$T/an.db" "$1"; }
wait_rows() { # table count
	for i in $(seq 100); do
		[ -f "$T/an.db" ] && [ "$(sql "SELECT COUNT(*) FROM $1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 never reached $2 rows (has $(sql "SELECT COUNT(*) FROM $1" 2>/dev/null))"
}
start() {
	"$AN" run --db "$T/an.db" --md-ring $MD --oe-ring $OE 2>>"$T/an.log" &
	PID=$!
}

"$FEED" create $MD $OE x || fail "create rings"
start
"$FEED" fills $OE 1 100 || fail "feed 1..100"
"$FEED" books $MD 5 || fail "feed books"
wait_rows fills 100
wait_rows books 5
ok "100 fills and 5 sampled books stored"

kill -9 $PID; wait $PID 2>/dev/null; PID=
"$FEED" fills $OE 90 200 || fail "feed 90..200 (11 repeats) while tt-analytics is down"
start
wait_rows fills 200
kill -TERM $PID; wait $PID; rc=$?; PID=
[ $rc = 0 ] || fail "tt-analytics exit $rc on SIGTERM"
[ "$(sql 'SELECT COUNT(DISTINCT seq) FROM fills')" = 200 ] || fail "distinct fills"
[ "$(sql 'SELECT MIN(seq) || "-" || MAX(seq) FROM fills')" = 1-200 ] || fail "seq range"
[ "$(sql 'SELECT qty FROM positions WHERE instr = 2')" = 20000000000 ] ||
	fail "position $(sql 'SELECT qty FROM positions WHERE instr = 2'), want 200.00000000"
[ "$(sql 'SELECT COUNT(*) FROM execs')" = 200 ] || fail "execs"
ok "after kill -9 and restart: 200 fills, none lost, none doubled, position 200"

"$AN" report --db "$T/an.db" --format json --out "$T/r.json" 2>/dev/null || fail "report json"
grep -q '"fills":200' "$T/r.json" || fail "report: $(cat "$T/r.json")"
grep -q '"unrealized":100.00000000' "$T/r.json" || fail "unrealized (200 @ 100, mid 100.5): $(cat "$T/r.json")"
"$AN" report --db "$T/an.db" --out "$T/r.html" 2>/dev/null || fail "report html"
grep -q '<svg' "$T/r.html" || fail "html has no chart"
"$AN" report --db "$T/an.db" --format pdf >/dev/null 2>&1
[ $? = 2 ] || fail "bad --format must exit 2"
ok "report json/html; bad format exit 2"
echo "e2e_analytics: all passed"
