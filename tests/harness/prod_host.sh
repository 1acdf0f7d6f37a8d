#!/usr/bin/env bash
# prod_host.sh CC SOURCE_DIR — the prod flavor's host whitelist in CI (DESIGN §6). CI builds
# only testnet, so this builds the smallest prod-flavor program (prod_host_probe.c + the
# libttcore and ringbuf sources + harness/prod, TT_FLAVOR_PROD) in a temp dir with the same
# warning flags, then runs it in a private network namespace (unshare -n: no route, even
# loopback down) under strace (network syscalls):
#   1. config/prod.ini as committed (placeholder whitelist): exit 3, one denied event
#      what=host rule=host_not_whitelisted naming this machine-id, and NO socket/connect/
#      sendto at all (refused before any DNS or connect);
#   2. a prod.ini written here whitelisting this host's machine-id: exit 0, "host-check:
#      passed", and then its loopback connect shows in strace (the control: strace sees the
#      network step, so case 1's silence means something).
set -u
CC=${1:?cc}
SRC=${2:?source dir}
T=$(mktemp -d /tmp/tt-prod-host.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$T"/out* "$T"/err* "$T"/st*; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done >&2; exit 1; }
[ -r /etc/machine-id ] && [ -s /etc/machine-id ] || { echo "SKIP: no /etc/machine-id (scripts/deps.sh writes one as root)"; exit 77; }
command -v strace >/dev/null || fail "strace missing (scripts/deps.sh installs it)"
command -v unshare >/dev/null || fail "unshare missing"
unshare -n true 2>/dev/null || { echo "SKIP: needs root (private network namespace)"; exit 77; }

"$CC" -std=gnu11 -O1 -D_GNU_SOURCE -DTT_FLAVOR_PROD=1 '-DTT_FLAVOR_NAME="prod"' \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -fno-strict-aliasing \
	-I"$SRC/engine/core/include" -I"$SRC/ringbuf/include" -I"$SRC/harness/flavor" \
	-I"$SRC/harness/prod" "$SRC"/engine/core/src/*.c "$SRC"/ringbuf/src/*.c \
	"$SRC"/harness/prod/*.c "$SRC/tests/harness/prod_host_probe.c" -o "$T/probe" \
	-Wl,--undefined=tt_flavor_marker -linih -lpthread -lm 2>"$T/err.build" ||
	fail "prod probe did not build"
strings "$T/probe" | grep -q '^ticktrade-flavor:prod$' || fail "probe lacks the prod marker"
id=$(head -n1 /etc/machine-id)

# 1. Not whitelisted: refused before any network syscall.
grep -q '^host_whitelist' "$SRC/config/prod.ini" || fail "config/prod.ini has no host_whitelist"
grep -q "$id" "$SRC/config/prod.ini" && { echo "SKIP: this host is whitelisted in config/prod.ini"; exit 77; }
strace -f -qq -e trace=%network -o "$T/st1" unshare -n "$T/probe" "$SRC/config/prod.ini" \
	>"$T/out1" 2>"$T/err1"
rc=$?
[ $rc = 3 ] || fail "not whitelisted: expected exit 3, got $rc"
n=$(grep -c '"event":"denied","what":"host","target":"'"$id"'","rule":"host_not_whitelisted"' "$T/err1")
[ "$n" = 1 ] || fail "expected one denied what=host event for $id, got $n"
grep -q '"flavor":"prod"' "$T/err1" || fail "the event does not say flavor prod"
grep -q 'host-check: passed' "$T/out1" && fail "passed the check on a host not whitelisted"
grep -Eq '(socket|connect|sendto|sendmsg|sendmmsg)\(' "$T/st1" &&
	fail "network syscalls before/after the refusal: $(cat "$T/st1")"

# 2. Whitelisted (a config written here): passes, then takes its network step.
sed "s/^host_whitelist = .*/host_whitelist = 0123456789abcdef0123456789abcdef, $id/" \
	"$SRC/config/prod.ini" >"$T/prod.ini"
strace -f -qq -e trace=%network -o "$T/st2" unshare -n "$T/probe" "$T/prod.ini" \
	>"$T/out2" 2>"$T/err2"
rc=$?
[ $rc = 0 ] || fail "whitelisted: expected exit 0, got $rc"
grep -q 'host-check: passed (prod)' "$T/out2" || fail "no pass line"
grep -q '"event":"denied"' "$T/err2" && fail "denied event on a whitelisted host"
grep -q 'connect(.*127.0.0.1' "$T/st2" || fail "control: strace did not see the connect"
grep -Eq 'connect\(.*inet_addr\("(127\.)' "$T/st2" || fail "connect to something other than loopback"
grep -Ev 'connect\(.*127\.0\.0\.1|socket\(AF_INET' "$T/st2" | grep -Eq '(connect|sendto|sendmsg)\(' &&
	fail "unexpected network syscalls: $(cat "$T/st2")"
echo "ok: refused (exit 3, denied what=host, 0 network syscalls); whitelisted: passed"
exit 0
