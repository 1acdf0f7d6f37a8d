# testnet-lib.sh — sourced (not run) by scripts/demo.sh and the engine end-to-end tests: the two
# steps every run of tt-venue + tt-engine on loopback starts with, written once.
#
#   tt_testnet_key DIR PREFIX    a synthetic testnet API key, made now (Ed25519): DIR/oe.key and
#                                DIR/oe.pub, DIR/api-keys (tt-venue's key list) and DIR/oe.cred
#                                (tt-oe's tagged credential file, env = testnet)
#   tt_testnet_venue DIR BIN ARG...
#                                starts tt-venue (BIN) on 127.0.0.1 with an ephemeral port, its
#                                certificates in DIR/certs, control socket DIR/ctl and the key list
#                                of tt_testnet_key, plus ARG...; stdout/stderr in DIR/venue.out
#                                and DIR/venue.err. Sets TT_VENUE_PID and TT_VENUE_PORT; returns 1
#                                (the caller reports it, venue.err says why) when it is not
#                                listening within 10 s.

tt_testnet_key() {
	local dir=$1 key
	key="$2$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
	openssl genpkey -algorithm ed25519 -out "$dir/oe.key" 2>/dev/null || return 1
	openssl pkey -in "$dir/oe.key" -pubout -out "$dir/oe.pub" 2>/dev/null || return 1
	echo "$key ed25519 $dir/oe.pub" >"$dir/api-keys"
	printf '[credential]\nenv = testnet\nvenue = binance\nkey_type = ed25519\nkey_id = %s\nsecret_file = oe.key\n' \
		"$key" >"$dir/oe.cred"
}

tt_testnet_venue() {
	local dir=$1 bin=$2
	shift 2
	"$bin" --port 0 --cert-dir "$dir/certs" --ctl "$dir/ctl" --api-keys "$dir/api-keys" "$@" \
		>"$dir/venue.out" 2>"$dir/venue.err" &
	TT_VENUE_PID=$!
	TT_VENUE_PORT=
	for _ in $(seq 100); do
		grep -q '"listening"' "$dir/venue.out" 2>/dev/null && break
		kill -0 "$TT_VENUE_PID" 2>/dev/null || break
		sleep 0.1
	done
	TT_VENUE_PORT=$(grep -o '"port":[0-9]*' "$dir/venue.out" 2>/dev/null | cut -d: -f2)
	[ -n "$TT_VENUE_PORT" ]
}
