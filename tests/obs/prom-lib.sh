# prom-lib.sh — sourced by the tests that run the real Prometheus (Debian package) against our
# /metrics on loopback: e2e_prometheus.sh (the metrics library's server) and
# e2e_engine_obs.sh (tt-engine).
#
#   free_port                      a free TCP port on 127.0.0.1
#   prom_start DIR JOB PORT NAME   prometheus scraping 127.0.0.1:PORT every 1 s as job JOB
#                                  (label instance_name=NAME), config and TSDB under DIR, its
#                                  log in DIR/prom.log; sets PROM_PID and PPORT (its API port)
#   q QUERY                        the JSON answer of /api/v1/query
#   val QUERY                      the first result's value, or empty

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

prom_start() {
	local dir=$1 job=$2 port=$3 name=$4
	PPORT=$(free_port)
	cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: $job
    scrape_interval: 1s
    static_configs:
      - targets: ['127.0.0.1:$port']
        labels: {env: testnet, instance_name: $name}
YML
	prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
		--web.listen-address=127.0.0.1:$PPORT >"$dir/prom.log" 2>&1 &
	PROM_PID=$!
}

q() { curl -s --max-time 5 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"; }

val() { q "$1" | python3 -c 'import json,sys
try:
    d=json.load(sys.stdin); r=d["data"]["result"]; print(r[0]["value"][1] if r else "")
except Exception: print("")'; }
