#!/usr/bin/env bash
# e2e_engine_orders.sh — exactly the expected orders for a known feed: tt-venue replays a
# fixed BTCUSDT bookTicker script (tests/engine/taker_ref.py feed: taker signals and near
# misses at known ticks, >= 200 ms apart) to tt-md → tt-strat (taker) → tt-oe through
# tt-engine, and the orders tt-venue read (its api_order events: symbol, side, type, tif,
# price, qty, cause = the causing tick's update id, in order) must equal, one for one, the
# list a small independent reference of the taker rule computes from the same file. One
# order more, one less, or a different price or cause fails. Also asserts that tt-venue's
# wire-to-wire pairs every one of them with the tick it wrote.
set -u
cd "$TT_SOURCE_DIR"
B=$TT_BUILD_DIR
tmp=$(mktemp -d /tmp/tt-e2e-orders.XXXXXX)
inst="tt-e2eo-$$"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${E2E_KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp" "run/$inst"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 tests/engine/taker_ref.py feed "$tmp/feed.jsonl" || fail "feed"
. scripts/testnet-lib.sh
tt_testnet_key "$tmp" ttE2EO || fail "key"
tt_testnet_venue "$tmp" "$B/harness/venue/tt-venue" --symbols BTCUSDT,ETHUSDT --seed 11 \
	--replay "$tmp/feed.jsonl"
ok=$?
venue=$TT_VENUE_PID
pids+=($venue)
[ $ok = 0 ] || { cat "$tmp/venue.err"; fail "tt-venue did not start"; }
port=$TT_VENUE_PORT

# the test's taker: the parameters taker_ref.py mirrors; max_position never binds
sed -e "s|^ws_url = .*|ws_url = wss://127.0.0.1:$port/ws|" \
	-e "s|^rest_url = .*|rest_url = https://127.0.0.1:$port/api|" \
	-e "s|^oe_url = .*|oe_url = wss://127.0.0.1:$port/ws-api/v3|" \
	-e "s|^ca_file = .*|ca_file = $tmp/certs/ca.pem|" \
	-e "s|^instance = .*|instance = $inst|" \
	-e "s|^clock_shm = .*|clock_shm = $inst-clock|" \
	-e "s|^log_dir = .*|log_dir = $tmp/logs|" \
	-e "s|tt-testnet-ring-|$inst-ring-|" \
	-e "s|^credential = .*|credential = $tmp/oe.cred|" \
	-e "s|^journal = .*|journal = $tmp/oe.journal|" \
	-e "s|^kill_file = .*|kill_file = $tmp/KILL|" \
	-e "s|^control_socket = .*|control_socket = $tmp/oe.sock|" \
	-e "s|^strategy = .*|strategy = taker|" \
	-e '/^\[strategy.taker\]/,/^\[/{s|^qty = .*|qty = 100|;s|^imbalance_pct = .*|imbalance_pct = 65|;s|^max_position = .*|max_position = 1000000000|;s|^max_spread_ticks = .*|max_spread_ticks = 5|;s|^cooldown_events = .*|cooldown_events = 5|;s|^max_orders = .*|max_orders = 0|}' \
	config/testnet.ini >"$tmp/e2e.ini"

# the feed starts 2 s after tt-md connects and lasts 6.4 s
"$B/engine/supervisor/tt-engine" --config "$tmp/e2e.ini" --run-for 13 \
	>"$tmp/engine.out" 2>"$tmp/engine.err"
rc=$?
printf 'w2w\n' | timeout 5 nc -N -U "$tmp/ctl" >"$tmp/w2w.json" 2>/dev/null || true
kill "$venue" 2>/dev/null
wait "$venue" 2>/dev/null
[ "$rc" = 0 ] || { grep -E '"level":"(error|warn)"' "$tmp/engine.err" | tail -n 20; fail "tt-engine exited $rc"; }
grep -q '"event":"replay_done"' "$tmp/venue.err" || fail "the venue did not replay the whole feed"

python3 tests/engine/taker_ref.py check "$tmp/feed.jsonl" "$tmp/venue.err" ||
	{ grep -E 'oe_reject|"level":"error"' "$tmp/engine.err" | tail -n 10; fail "the venue did not read exactly the expected orders"; }
n=$(grep -c '"event":"api_order"' "$tmp/venue.err")
paired=$(grep -o '"count":[0-9]*' "$tmp/w2w.json" | cut -d: -f2)
unmatched=$(grep -o '"unmatched":[0-9]*' "$tmp/w2w.json" | cut -d: -f2)
cat "$tmp/w2w.json"; echo
[ "${paired:-x}" = "$n" ] && [ "${unmatched:-x}" = 0 ] ||
	fail "wire-to-wire paired ${paired:-?} of $n orders (${unmatched:-?} unmatched)"
echo "PASS: the venue read exactly the $n expected orders, each paired with its tick"
