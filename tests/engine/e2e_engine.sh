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
DEMO_SECONDS=${DEMO_SECONDS:-9} DEMO_SEED=11 BUILD_DIR="$TT_BUILD_DIR" scripts/demo.sh >"$out" 2>&1
rc=$?
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
echo "PASS: $mode ($sent orders sent, $fills venue fills, positions equal)"
