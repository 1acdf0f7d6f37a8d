#!/usr/bin/env bash
# demo.sh — the main job until tt-engine exists (Engine issue), run by `make demo`:
#   1. the ring demo: two processes exchange 1,000,000 messages over a shared-memory ring
#      and print the one-way latency table;
#   2. market data: tt-venue (local testnet venue, TLS on loopback) → tt-md (TLS WebSocket,
#      depth snapshots, L2 books) → md.strat ring → tt-md-tap, for DEMO_SECONDS (default 10),
#      then tt-md's message counts and stage latency table and the tap's end-to-end figure.
# Everything runs on loopback in a temporary directory that is removed at the end.
set -eu
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build/testnet}
SECS=${DEMO_SECONDS:-10}

echo "== 1. ring demo: 1,000,000 messages between two processes"
"$B/ringbuf/tt-ring-demo"

echo
echo "== 2. market data: tt-venue -> tt-md -> ring -> tt-md-tap (${SECS} s)"
tmp=$(mktemp -d /tmp/tt-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$B/harness/venue/tt-venue" --port 0 --cert-dir "$tmp/certs" --ctl "$tmp/ctl" \
	--symbols BTCUSDT,ETHUSDT --rate "${DEMO_RATE:-5000}" >"$tmp/venue.out" 2>"$tmp/venue.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '"listening"' "$tmp/venue.out" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '"port":[0-9]*' "$tmp/venue.out" | cut -d: -f2)
[ -n "$port" ] || { echo "demo: tt-venue did not start:" >&2; cat "$tmp/venue.err" >&2; exit 1; }
inst="tt-demo-$$"
sed -e "s|^ws_url = .*|ws_url = wss://127.0.0.1:$port/ws|" \
	-e "s|^rest_url = .*|rest_url = https://127.0.0.1:$port/api|" \
	-e "s|^oe_url = .*|oe_url = wss://127.0.0.1:$port/ws-api/v3|" \
	-e "s|^ca_file = .*|ca_file = $tmp/certs/ca.pem|" \
	-e "s|^instance = .*|instance = $inst|" \
	-e "s|^clock_shm = .*|clock_shm = $inst-clock|" \
	-e "s|tt-testnet-ring-|$inst-ring-|" \
	-e "s|^book_depth = .*|book_depth = 1000|" \
	config/testnet.ini >"$tmp/demo.ini"
echo "tt-venue on 127.0.0.1:$port (synthetic BTCUSDT, ETHUSDT; logs in $tmp while it runs)"
"$B/marketdata/tt-md" --config "$tmp/demo.ini" --create-rings --run-for "$SECS" --report \
	>"$tmp/md.out" 2>"$tmp/md.err" &
md=$!
pids+=($md)
for _ in $(seq 50); do grep -q '"md_started"' "$tmp/md.err" 2>/dev/null && break; sleep 0.1; done
"$B/marketdata/tt-md-tap" --config "$tmp/demo.ini" --run-for "$((SECS + 1))" >"$tmp/tap.out" 2>"$tmp/tap.err" &
tap=$!
pids+=($tap)
wait "$md" || { echo "demo: tt-md failed:" >&2; tail -n 20 "$tmp/md.err" >&2; exit 1; }
wait "$tap" || true
cat "$tmp/md.out" "$tmp/tap.out"
errs=$(grep -c '"level":"error"' "$tmp/md.err" || true)
echo
echo "tt-md logged $errs error events; books synced: $(grep -c '"md_book_synced"' "$tmp/md.err" || true)"
echo "Note: on a shared 2-vCPU machine the processes share cores with futex waits; the"
echo "per-stage figures show where the time goes, not what dedicated cores would give."
