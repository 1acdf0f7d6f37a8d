#!/usr/bin/env bash
# e2e_engine.sh [chaos] — venue → tt-md → tt-strat → tt-oe → venue through tt-engine, the
# way `make demo` runs it (real processes, TLS, shm rings, the venue's matching engine),
# for a fixed venue seed. Asserts: orders were sent and filled; the engine's position
# (tt-oe's, from its fills) equals the venue's (from its own matching) for every symbol
# (taken after the kill switch); tt-venue paired orders with their ticks (wire-to-wire);
# with "chaos": tt-md and tt-oe are kill -9'd mid-run, the supervisor restarted both, and
# the positions still agree (journal recovery + reconcile). The exact order list for a
# known feed is e2e_engine_orders.sh.
set -u
cd "$TT_SOURCE_DIR"
mode=${1:-plain}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ "$mode" = chaos ]; then export DEMO_CHAOS=1; fi
t0=$(date +%s)
DEMO_SECONDS=${DEMO_SECONDS:-9} DEMO_SEED=11 BUILD_DIR="$TT_BUILD_DIR" scripts/demo.sh >"$out" 2>&1
rc=$?
t1=$(date +%s)
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ $rc = 0 ] || fail "demo exited $rc"
sent=$(grep -o 'intents, [0-9]* sent' "$out" | grep -o '[0-9]*')
fills=$(grep -o '^venue: [0-9]* fills' "$out" | grep -o '[0-9]*')
[ -n "$sent" ] && [ "$sent" -gt 0 ] || fail "no orders sent"
[ -n "$fills" ] && [ "$fills" -gt 0 ] || fail "no fills at the venue"
[ "$(grep -c 'position .*-> equal' "$out")" = 2 ] || fail "engine and venue positions differ"
grep -q 'DIFFERENT' "$out" && fail "a position differs"
# tt-venue paired orders with the ticks that caused them (strategyId → its tick table)
w2w=$(grep -o 'WIRE-TO-WIRE (tt-venue clock) *[0-9]*' "$out" | grep -o '[0-9]*$')
[ -n "$w2w" ] && [ "$w2w" -gt 0 ] || fail "no wire-to-wire row (orders paired with their ticks)"
exits=$(grep -o 'supervisor: [0-9]*' "$out" | grep -o '[0-9]*')
if [ "$mode" = chaos ]; then
	[ "${exits:-0}" -ge 2 ] || fail "expected the two killed children to be seen exiting"
else
	[ "${exits:-1}" = 0 ] || fail "unplanned child exits: $exits"
fi
# tt-analytics stored the run from the side rings: every order tt-oe sent and every fill
# (plain: the lossy rings never fill at this rate), with wall-clock stamps inside the run
an=$(grep -o '^analytics: [0-9]* orders, [0-9]* fills.*' "$out") || fail "no analytics line"
an_o=$(echo "$an" | awk '{print $2}')
an_f=$(echo "$an" | awk '{print $4}')
read -r lo hi < <(echo "$an" | grep -o 'fills_epoch [0-9]* [0-9]*' | awk '{print $2, $3}')
oe_fills=$(grep -o 'acked, [0-9]* fills' "$out" | grep -o '[0-9]*')
if [ "$mode" = plain ]; then
	[ "$an_o" = "$sent" ] || fail "analytics stored $an_o orders, tt-oe sent $sent"
	[ "$an_f" = "$oe_fills" ] || fail "analytics stored $an_f fills, tt-oe saw $oe_fills"
else
	[ "$an_o" -gt 0 ] && [ "$an_f" -gt 0 ] || fail "analytics stored nothing: $an"
fi
[ "$((lo / 1000000000))" -ge "$t0" ] && [ "$((hi / 1000000000))" -le "$t1" ] ||
	fail "fill stamps outside the run ($t0..$t1 s): $an"
echo "PASS: $mode ($sent orders sent, $fills venue fills, positions equal; analytics $an_o orders, $an_f fills)"
