#!/usr/bin/env bash
# e2e_prometheus.sh SERVE — our metrics endpoint scraped by the REAL Prometheus server
# (Debian package prometheus): a generated prometheus.yml scrapes 127.0.0.1 every 1 s with
# its own TSDB in a temp dir and its web API on a free loopback port; the test waits for
# a scrape, reads our series back through /api/v1/query and checks their values.
# Prometheus and the endpoint are always killed, pass or fail.
set -u
SERVE=$1
command -v prometheus >/dev/null || { echo "prometheus not installed (scripts/deps.sh)" >&2; exit 1; }
T=$(mktemp -d /tmp/tt-obs-prom.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$T/prom.log" ] && tail -20 "$T/prom.log" >&2; exit 1; }

"$SERVE" "$T/port" &
PIDS+=($!)
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "metrics endpoint did not start"
MPORT=$(cat "$T/port")

. "$(dirname "$0")/prom-lib.sh"
prom_start "$T" ticktrade "$MPORT" obs-test
PIDS+=("$PROM_PID")

for i in $(seq 120); do
	[ "$(val 'up{job="ticktrade"}')" = 1 ] && [ -n "$(val tt_orders_total)" ] && break
	sleep 0.5
done
[ "$(val 'up{job="ticktrade"}')" = 1 ] || fail "prometheus never scraped the endpoint"
echo "ok: prometheus scraped 127.0.0.1:$MPORT"

check() { # query expected
	local got
	got=$(val "$1")
	[ "$got" = "$2" ] || fail "$1 = '$got', want '$2'"
	echo "ok: $1 = $got"
}
check tt_orders_total 42
check tt_fills_total 7
check tt_messages_in_total 1234
check tt_messages_out_total 56
check tt_book_resyncs_total 2
check 'tt_rejects_total{reason="price_collar"}' 3
check 'tt_rejects_total{reason="max_qty"}' 0
check 'tt_ring_fill{ring="md.strat"}' 17
check 'tt_ring_dropped_total{ring="oe.analytics"}' 5
check tt_pnl -1.5
check tt_t2t_seconds_count 5
check 'tt_t2t_seconds_bucket{le="0.000005000"}' 3
check 'tt_t2t_seconds_bucket{le="+Inf"}' 5
check 'histogram_quantile(0.5, tt_t2t_seconds_bucket)' 0.00000425
check 'tt_denied_total' 0
check 'count(tt_rejects_total)' 3

# every query of the shipped Grafana dashboard parses and runs on the real Prometheus
DASH=$(dirname "$0")/../../analytics/dashboards/ticktrade.json
python3 - "$DASH" >"$T/exprs" <<'PY' || fail "dashboard JSON unreadable"
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p.get("targets", []):
        print(t["expr"].replace("$instance", ".*"))
PY
n=0
while IFS= read -r e; do
	st=$(q "$e" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' 2>/dev/null)
	[ "$st" = success ] || fail "dashboard query rejected by prometheus: $e"
	n=$((n + 1))
done <"$T/exprs"
[ $n -ge 8 ] || fail "dashboard has only $n queries"
echo "ok: $n dashboard queries accepted by prometheus"
echo "e2e_prometheus: all passed"
