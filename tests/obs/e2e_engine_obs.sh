#!/usr/bin/env bash
# e2e_engine_obs.sh BUILD_DIR — observability of a real trading run: tt-venue + tt-engine
# (tt-md → tt-strat → tt-oe over shm rings, TLS on loopback) with /metrics on a free port,
# scraped every 1 s by the REAL Prometheus (Debian package). Asserts through Prometheus'
# HTTP API (/api/v1/query) that the children's stats blocks reach it: orders sent > 0, a
# tt_t2t_ns histogram with count > 0, md messages > 0, md events out > 0, ring series
# present. Then stops the engine and asserts that hot-path binary log records (tt_logh →
# log ring → tt-logwriter) are in logs/testnet/tt-oe/<date>.jsonl as catalogue events
# with their fields (order_sent with order_id and t2t_ns, order_acked). Every process it
# starts is killed and every shm name of its instance removed, pass or fail.
set -u
B=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v prometheus >/dev/null || { echo "prometheus not installed (scripts/deps.sh)" >&2; exit 1; }
T=$(mktemp -d /tmp/tt-obs-eng.XXXXXX)
inst="tt-obs-$$"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -f /dev/shm/"$inst"[.-]* 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	tail -5 "$T/prom.log" >&2 2>/dev/null
	grep -h '"level":"error"' "$T"/engine.err "$T"/logs/testnet/*/*.jsonl 2>/dev/null | tail -5 >&2
	exit 1
}
. "$SRC/tests/obs/prom-lib.sh"

# a synthetic testnet API key (made now) registered at the venue
. "$SRC/scripts/testnet-lib.sh"
tt_testnet_key "$T" ttOBS || fail "key"
tt_testnet_venue "$T" "$B/harness/venue/tt-venue" --symbols BTCUSDT,ETHUSDT --seed 11 --rate 2000
ok=$?
PIDS+=("$TT_VENUE_PID")
[ $ok = 0 ] || fail "tt-venue did not start"
vport=$TT_VENUE_PORT

sed -e "s|^ws_url = .*|ws_url = wss://127.0.0.1:$vport/ws|" \
	-e "s|^rest_url = .*|rest_url = https://127.0.0.1:$vport/api|" \
	-e "s|^oe_url = .*|oe_url = wss://127.0.0.1:$vport/ws-api/v3|" \
	-e "s|^ca_file = .*|ca_file = $T/certs/ca.pem|" \
	-e "s|^instance = .*|instance = $inst|" \
	-e "s|^log_dir = .*|log_dir = $T/logs|" \
	-e "s|^clock_shm = .*|clock_shm = $inst-clock|" \
	-e "s|tt-testnet-ring-|$inst-ring-|" \
	-e "s|^credential = .*|credential = $T/oe.cred|" \
	-e "s|^journal = .*|journal = $T/oe.journal|" \
	-e "s|^kill_file = .*|kill_file = $T/KILL|" \
	-e "s|^control_socket = .*|control_socket = $T/oe.sock|" \
	"$SRC/config/testnet.ini" >"$T/obs.ini"

MPORT=$(free_port)
# run/<instance>/ (control socket, analytics db) goes under $T
(cd "$T" && TT_METRICS_PORT=$MPORT exec "$B/engine/supervisor/tt-engine" --config "$T/obs.ini" \
	--run-for 50 >"$T/engine.out" 2>"$T/engine.err") &
ENG=$!
PIDS+=($ENG)

prom_start "$T" tt-engine "$MPORT" "$inst"
PIDS+=("$PROM_PID")

pos() { python3 -c 'import sys; sys.exit(0 if sys.argv[1] and float(sys.argv[1]) > 0 else 1)' "$1"; }

# wait (≤ 40 s) until Prometheus has stored orders and a t2t histogram from tt-engine
for _ in $(seq 80); do
	pos "$(val 'sum(tt_oe_orders_total{job="tt-engine"})')" &&
		pos "$(val 'sum(tt_t2t_ns_count{job="tt-engine"})')" && break
	kill -0 $ENG 2>/dev/null || fail "tt-engine exited early"
	sleep 0.5
done
[ "$(val 'up{job="tt-engine"}')" = 1 ] || fail "prometheus never scraped tt-engine on 127.0.0.1:$MPORT"
echo "ok: prometheus scrapes tt-engine /metrics on 127.0.0.1:$MPORT"
check_pos() {
	local got
	got=$(val "$1")
	pos "$got" || fail "$1 = '$got', want > 0"
	echo "ok: $1 = $got"
}
check_pos 'sum(tt_oe_orders_total{proc="tt-oe"})'
check_pos 'sum(tt_oe_intents_total{proc="tt-oe"})'
check_pos 'sum(tt_t2t_ns_count{proc="tt-oe"})'
check_pos 'sum(tt_t2t_ns_bucket{proc="tt-oe",le="+Inf"})'
check_pos 'histogram_quantile(0.5, sum by (le) (tt_t2t_ns_bucket))'
check_pos 'sum(tt_md_messages_total{proc="tt-md",dir="in"})'
check_pos 'sum(tt_md_events_total{proc="tt-md",kind="book_top"})'
check_pos 'sum(tt_strat_events_total{proc="tt-strat"})'
check_pos 'sum(tt_strat_intents_total{proc="tt-strat"})'
check_pos 'count(tt_ring_fill{ring="md.strat"})'
check_pos 'count(tt_ring_dropped_total)'
check_pos 'count(tt_child_restarts_total)'

# a depth-diff gap at the venue: tt-md resyncs the book (counted, and logged on the hot path)
printf 'gap BTCUSDT fast\n' | timeout 5 nc -N -U "$T/ctl" >/dev/null 2>&1 || fail "venue ctl gap"
for _ in $(seq 40); do
	pos "$(val 'sum(tt_md_gaps_total{proc="tt-md"})')" && break
	sleep 0.5
done
check_pos 'sum(tt_md_gaps_total{proc="tt-md"})'
check_pos 'sum(tt_md_book_resyncs_total{proc="tt-md"})'

# a child restart: tt-md (kill -9 by its pid from tt-engine status) is restarted by the
# supervisor, re-attaches its stats block, and its counters continue (no reset)
before=$(val 'sum(tt_md_messages_total{proc="tt-md"})')
mdpid=$(cd "$T" && "$B/engine/supervisor/tt-engine" status --config "$T/obs.ini" |
	python3 -c 'import json,sys; print([p["pid"] for p in json.load(sys.stdin)["processes"] if p["name"] == "tt-md"][0])')
[ -n "$mdpid" ] && [ "$mdpid" -gt 0 ] || fail "no tt-md pid from tt-engine status"
kill -9 "$mdpid"
for _ in $(seq 60); do
	[ "$(val 'tt_stats_attaches{proc="tt-md"}')" = 2 ] && break
	sleep 0.5
done
[ "$(val 'tt_stats_attaches{proc="tt-md"}')" = 2 ] || fail "tt-md was not restarted onto its stats block"
after=$(val 'sum(tt_md_messages_total{proc="tt-md"})')
python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) else 1)' "$before" "$after" ||
	fail "tt-md's counters reset across its restart: $before then $after"
check_pos 'sum(tt_child_restarts_total{process="tt-md"})'
echo "ok: tt-md restarted (pid $mdpid killed), messages counter continued: $before -> $after"

# position and P&L gauges (tt-oe's stats block): after the kill switch (the file) positions
# hold still, and what Prometheus stored for each instrument must equal tt-venue's account
touch "$T/KILL"
sleep 2
printf 'account\n' | timeout 5 nc -N -U "$T/ctl" >"$T/account.json" 2>/dev/null || fail "venue ctl account"
for s in BTCUSDT ETHUSDT; do
	want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("positions",{}).get("0",{}).get(sys.argv[2],"0"))' \
		"$T/account.json" "$s") || fail "venue account unreadable"
	got=
	for _ in $(seq 20); do
		got=$(val "tt_oe_position{proc=\"tt-oe\",instrument=\"$s\"}")
		python3 -c 'import sys; sys.exit(0 if sys.argv[1] and abs(float(sys.argv[1]) - float(sys.argv[2])) < 1e-9 else 1)' \
			"$got" "$want" && break
		sleep 0.5
	done
	python3 -c 'import sys; sys.exit(0 if sys.argv[1] and abs(float(sys.argv[1]) - float(sys.argv[2])) < 1e-9 else 1)' \
		"$got" "$want" || fail "tt_oe_position{instrument=$s} = '$got', venue says $want"
	pnl=$(val "tt_oe_pnl{proc=\"tt-oe\",instrument=\"$s\"}")
	[ -n "$pnl" ] || fail "no tt_oe_pnl series for $s"
	echo "ok: tt_oe_position{instrument=$s} = $got = venue's; tt_oe_pnl = $pnl"
done

# the shipped Grafana dashboard against this run: every query runs, and the trading
# panels (t2t, orders, md messages, rings) have data
DASH=$SRC/analytics/dashboards/ticktrade.json
python3 - "$DASH" >"$T/exprs" <<'PY' || fail "dashboard JSON unreadable"
import json, sys
for p in json.load(open(sys.argv[1]))["panels"]:
    for t in p.get("targets", []):
        print(t["expr"].replace("$instance", ".*"))
PY
n=0
with_data=0
while IFS= read -r e; do
	r=$(q "$e")
	st=$(echo "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' 2>/dev/null)
	[ "$st" = success ] || fail "dashboard query rejected by prometheus: $e"
	echo "$r" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["data"]["result"] else 1)' &&
		with_data=$((with_data + 1))
	n=$((n + 1))
done <"$T/exprs"
for m in tt_t2t_ns_bucket tt_oe_orders_total tt_md_messages_total tt_ring_fill; do
	e=$(grep -m1 "$m" "$T/exprs") || fail "dashboard has no panel on $m"
	q "$e" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["data"]["result"] else 1)' ||
		fail "dashboard query without data: $e"
done
echo "ok: $n dashboard queries run, $with_data with data (t2t, orders, md, rings among them)"

# the hot-path records travel through the children's binary log rings, not stderr
for p in tt-md tt-strat tt-oe; do
	[ -e "/dev/shm/$inst.log.$p" ] || fail "no log ring /dev/shm/$inst.log.$p"
	[ -e "/dev/shm/$inst.stats.$p" ] || fail "no stats block /dev/shm/$inst.stats.$p"
done
grep -q '"log_ring_unavailable"\|"stats_unavailable"' "$T"/logs/testnet/*/*.jsonl &&
	fail "a child runs without its log ring or stats block"
echo "ok: log rings and stats blocks of tt-md, tt-strat, tt-oe in /dev/shm"

# stop the engine (children stop, the ring writer drains last), then read the JSON log
kill -TERM $ENG
for _ in $(seq 200); do kill -0 $ENG 2>/dev/null || break; sleep 0.1; done
kill -0 $ENG 2>/dev/null && fail "tt-engine did not stop on SIGTERM"
L=$T/logs/testnet
ls "$L"/tt-oe/*.jsonl >/dev/null 2>&1 || fail "no tt-oe log under $L"
python3 - "$L" <<'PY' || fail "hot-path events missing from the JSON logs"
import glob, json, sys
root = sys.argv[1]
def events(proc):
    out = []
    for f in glob.glob(f"{root}/{proc}/*.jsonl"):
        for line in open(f):
            out.append(json.loads(line))  # every line is one JSON object
    return out
oe = events("tt-oe")
sent = [e for e in oe if e.get("event") == "order_sent"]
acked = [e for e in oe if e.get("event") == "order_acked"]
assert sent, "no order_sent in tt-oe's log"
e = sent[0]
for k in ("ts", "level", "env", "proc", "pid", "order_id", "instrument", "px", "t2t_ns"):
    assert k in e, f"order_sent lacks {k}: {e}"
assert e["proc"] == "tt-oe" and e["env"] == "testnet" and e["order_id"] > 0, e
assert any(x["t2t_ns"] > 0 for x in sent), "no order_sent with t2t_ns > 0"
assert acked and "venue_id" in acked[0], "no order_acked with venue_id"
md = [e for e in events("tt-md") if e.get("event") == "md_book_resync"]
assert md, "no md_book_resync in tt-md's log"
for k in ("instrument", "reason", "book_id", "resyncs"):
    assert k in md[0], f"md_book_resync lacks {k}: {md[0]}"
print(f"ok: tt-md log has {len(md)} md_book_resync (hot path, binary ring)")
intents = {e["order_id"] for e in events("tt-strat") if e.get("event") == "order_intent"}
assert intents, "no order_intent in tt-strat's log"
both = intents & {e["order_id"] for e in sent}
assert both, "no order_id in both tt-strat's order_intent and tt-oe's order_sent"
open(f"{root}/../order_id", "w").write(str(min(both)))
print(f"ok: tt-strat log has {len(intents)} order_intent, {len(both)} of them sent by tt-oe")
print(f"ok: tt-oe log has {len(sent)} order_sent, {len(acked)} order_acked (hot path, binary ring)")
PY
# tt-logs follows one real order across the processes (timeline: intent first)
oid=$(cat "$T/logs/order_id")
out=$(TT_LOGS_ROOT="$T/logs" "$B/harness/logs/tt-logs" timeline --order "$oid") ||
	fail "tt-logs timeline --order $oid"
head -1 <<<"$out" | grep -q 'tt-strat.*order_intent' || fail "timeline: intent first: $out"
grep -q 'tt-oe.*order_sent' <<<"$out" || fail "timeline: no order_sent: $out"
echo "ok: tt-logs timeline --order $oid: $(wc -l <<<"$out") lines from tt-strat and tt-oe"
echo "e2e_engine_obs: all passed"
