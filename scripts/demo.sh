#!/usr/bin/env bash
# demo.sh — the main job (`make demo`): tt-venue (the local testnet venue: Binance Spot's
# market-data and WebSocket API protocols over TLS on loopback, synthetic market, matching
# engine) and tt-engine (tt-md → tt-strat → tt-oe over shared-memory rings) trading the
# taker strategy for DEMO_SECONDS (default 30), then one table: internal tick-to-trade by
# stage and tt-venue's wire-to-wire (tick written → order read), orders, fills, rejects,
# position and P&L. Keys and certificates are generated here; everything lives in a
# temporary directory that is removed at the end (DEMO_KEEP=1 keeps it).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build/testnet}
SECS=${DEMO_SECONDS:-30}
tmp=$(mktemp -d /tmp/tt-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "demo files kept in $tmp and run/${inst:-}"
	else
		rm -rf "$tmp"
		# the engine's run dir (control socket, analytics db): the report is written already
		[ -n "${inst:-}" ] && rm -rf "run/$inst"
	fi
}
trap cleanup EXIT

# a synthetic testnet API key (Ed25519, made now) registered at the venue
. scripts/testnet-lib.sh
tt_testnet_key "$tmp" ttDEMO
tt_testnet_venue "$tmp" "$B/harness/venue/tt-venue" --symbols BTCUSDT,ETHUSDT \
	--seed "${DEMO_SEED:-7}" --rate "${DEMO_RATE:-2000}" || ok=0
pids+=("$TT_VENUE_PID")
[ "${ok:-1}" = 1 ] || { echo "demo: tt-venue did not start:" >&2; cat "$tmp/venue.err" >&2; exit 1; }
port=$TT_VENUE_PORT

inst="tt-demo-$$"
rm -rf "run/$inst" # a dir left by an earlier run with the same pid: its analytics.db would mix in
sed -e "s|^ws_url = .*|ws_url = wss://127.0.0.1:$port/ws|" \
	-e "s|^rest_url = .*|rest_url = https://127.0.0.1:$port/api|" \
	-e "s|^oe_url = .*|oe_url = wss://127.0.0.1:$port/ws-api/v3|" \
	-e "s|^ca_file = .*|ca_file = $tmp/certs/ca.pem|" \
	-e "s|^instance = .*|instance = $inst|" \
	-e "s|^clock_shm = .*|clock_shm = $inst-clock|" \
	-e "s|tt-testnet-ring-|$inst-ring-|" \
	-e "s|^credential = .*|credential = $tmp/oe.cred|" \
	-e "s|^journal = .*|journal = $tmp/oe.journal|" \
	-e "s|^kill_file = .*|kill_file = $tmp/KILL|" \
	-e "s|^control_socket = .*|control_socket = $tmp/oe.sock|" \
	config/testnet.ini >"$tmp/demo.ini"

echo "tt-venue on 127.0.0.1:$port; tt-engine trading the taker strategy for ${SECS} s ..."
"$B/engine/supervisor/tt-engine" --config "$tmp/demo.ini" --run-for "$((SECS + 3))" \
	>"$tmp/engine.out" 2>"$tmp/engine.err" &
eng=$!
pids+=($eng)
if [ "${DEMO_CHAOS:-0}" = 1 ]; then
	# restart drill (tests/engine): kill -9 tt-md, then tt-oe; the supervisor restarts
	# them, tt-md resyncs its books, tt-oe recovers from its journal and reconciles
	third=$(( SECS / 3 ))
	sleep "$third"; pkill -9 -f "tt-md --config $tmp/demo.ini" || true
	sleep "$third"; pkill -9 -f "tt-oe --config $tmp/demo.ini" || true
	sleep "$(( SECS - 2 * third ))"
else
	sleep "$SECS"
fi
# Kill switch (the file): no new orders, open ones cancelled; positions then hold still,
# so the engine's and the venue's can be compared while both run.
touch "$tmp/KILL"
sleep 1
printf 'status\n' | timeout 5 nc -N -U "$tmp/oe.sock" >"$tmp/oe-status.json" 2>/dev/null || true
printf 'account\n' | timeout 5 nc -N -U "$tmp/ctl" >"$tmp/account.json" 2>/dev/null || true
printf 'w2w\n' | timeout 5 nc -N -U "$tmp/ctl" >"$tmp/w2w.json" 2>/dev/null || true
for s in BTCUSDT ETHUSDT; do
	printf 'book %s\n' "$s" | timeout 5 nc -N -U "$tmp/ctl" >"$tmp/book-$s.json" 2>/dev/null || true
done
wait "$eng" || {
	echo "demo: tt-engine failed:" >&2
	grep -E '"level":"(error|warn)"' "$tmp/engine.err" | tail -n 20 >&2
	exit 1
}
python3 scripts/demo-report.py "$tmp" "$SECS" logs
# what the run left behind: the log tree (tt-logwriter) and the analytics report
report=logs/testnet/demo-report.html
if [ -f "run/$inst/analytics.db" ] &&
	"$B/analytics/tt-analytics" report --db "run/$inst/analytics.db" --out "$report" >/dev/null 2>&1; then
	echo "report: $report (tt-analytics, from the run's SQLite store run/$inst/analytics.db; DEMO_KEEP=1 keeps it)"
	# what tt-analytics stored from the side rings (tests/engine compares it with tt-oe's counts)
	python3 - "run/$inst/analytics.db" <<'PY' || true
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
o = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
f, lo, hi = db.execute("SELECT COUNT(*), MIN(ts_ns), MAX(ts_ns) FROM fills").fetchone()
span = "" if not f else " stamped %s..%sZ" % tuple(time.strftime("%H:%M:%S", time.gmtime(t / 1e9)) for t in (lo, hi))
print(f"analytics: {o} orders, {f} fills stored{span} (fills_epoch {lo or 0} {hi or 0})")
PY
fi
echo "logs:   $(ls -d logs/testnet/*/ 2>/dev/null | tr '\n' ' ')— e.g. $B/harness/logs/tt-logs --proc tt-oe --event oe_reject"
