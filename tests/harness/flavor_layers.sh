#!/usr/bin/env bash
# flavor_layers.sh CASE CC SRC_DIR TTFLAVOR_LIB — proves the compile-time and link-time
# flavor layers (DESIGN §6). Each case first shows that the same build WITHOUT the prod
# piece succeeds (so the test can fail), then that adding the prod piece is refused with
# our message. Exit 0 = layer works.
set -u
case_=$1 CC=$2 SRC=$3 FLAVOR_LIB=$4
FL=$SRC/harness/flavor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { # expect_fail MSG-REGEX CMD... : command must fail and print MSG
	local re=$1; shift
	if "$@" >"$tmp/out" 2>&1; then cat "$tmp/out" >&2; fail "succeeded but must be refused: $*"; fi
	grep -qE "$re" "$tmp/out" || { cat "$tmp/out" >&2; fail "refused without our message /$re/"; }
	echo "refused as expected: $(grep -E "$re" "$tmp/out" | head -n1)"
}
# patch_same_len FILE OLD NEW: replaces the one occurrence of OLD in a binary with NEW padded
# with NULs to OLD's length, so the ELF layout is unchanged. Fails unless OLD occurs once.
patch_same_len() {
	OLD=$2 NEW=$3 perl -0777 -pi -e '
		my ($o, $n) = ($ENV{OLD}, $ENV{NEW});
		$n .= "\0" x (length($o) - length($n));
		my $c = () = /\Q$o\E/g;
		die "expected one occurrence of $o, found $c\n" unless $c == 1;
		s/\Q$o\E/$n/;' "$1"
}
CFLAGS="-std=gnu11 -DTT_FLAVOR_TESTNET=1 -include $FL/tt_poison_testnet.h -I$FL"
LDFLAGS="-Wl,--undefined=tt_flavor_marker $FL/flavor_testnet.ld"
cat >"$tmp/main.c" <<'C'
#include <stdio.h>
const char *tt_flavor_name(void);
int main(void) { puts(tt_flavor_name()); return 0; }
C
case $case_ in
compile-poison)
	cat >"$tmp/ok.c" <<'C'
int tt_testnet_thing(void);
int tt_testnet_thing(void) { return 1; }
C
	$CC $CFLAGS -c "$tmp/ok.c" -o "$tmp/ok.o" || fail "control compile failed"
	cat >"$tmp/bad.c" <<'C'
extern int tt_prod_credentials_load(const char *path);
int use(void) { return tt_prod_credentials_load("x"); }
C
	expect_fail "poisoned .*tt_prod_credentials_load" $CC $CFLAGS -c "$tmp/bad.c" -o "$tmp/bad.o"
	;;
compile-prod-source)
	expect_fail "ticktrade: prod-only source compiled outside the prod flavor" \
		$CC $CFLAGS -I"$SRC/harness/prod" -c "$SRC/harness/prod/endpoints_prod.c" -o "$tmp/e.o"
	expect_fail "ticktrade: prod-only header tt_prod.h included outside the prod flavor" \
		$CC -std=gnu11 -DTT_FLAVOR_TESTNET=1 -I"$SRC/harness/prod" -I$FL -x c -c - -o "$tmp/h.o" <<<'#include "tt_prod.h"'
	;;
link-both)
	$CC -std=gnu11 "$tmp/main.c" "$FLAVOR_LIB" $LDFLAGS -o "$tmp/ok" || fail "control link failed"
	[ "$("$tmp/ok")" = testnet ] || fail "control binary does not report testnet"
	# someone compiles the prod marker (with the prod define) and links it in
	$CC -std=gnu11 -DTT_FLAVOR_PROD=1 -I$FL -c "$SRC/harness/prod/flavor_prod.c" -o "$tmp/prod.o" ||
		fail "cannot build prod marker object"
	ar rcs "$tmp/libttflavor_prod.a" "$tmp/prod.o"
	# 1) both static flavor libraries, whole: duplicate strong tt_flavor_marker
	expect_fail "multiple definition of .tt_flavor_marker|ticktrade: testnet binary links the prod flavor" \
		$CC -std=gnu11 "$tmp/main.c" -Wl,--whole-archive "$FLAVOR_LIB" "$tmp/libttflavor_prod.a" \
		-Wl,--no-whole-archive $LDFLAGS -o "$tmp/both"
	# 2) prod flavor as a shared library: duplicates don't stop that; the linker-script ASSERT does
	$CC -shared -fPIC -std=gnu11 -DTT_FLAVOR_PROD=1 -I$FL "$SRC/harness/prod/flavor_prod.c" \
		-o "$tmp/libttflavor_prod.so" || fail "cannot build prod marker .so"
	#    (--no-as-needed: forced in although nothing references it; Debian's default
	#    --as-needed would otherwise drop an unreferenced library from the binary)
	expect_fail "ticktrade: testnet binary links the prod flavor" \
		$CC -std=gnu11 "$tmp/main.c" "$FLAVOR_LIB" -L"$tmp" -Wl,--no-as-needed -lttflavor_prod \
		$LDFLAGS -o "$tmp/so"
	# 3) a testnet program that references the prod marker through the shared library
	cat >"$tmp/ref.c" <<'C'
#include <stdio.h>
extern const char tt_flavor_prod_marker[];
int main(void) { puts(tt_flavor_prod_marker); return 0; }
C
	expect_fail "ticktrade: testnet binary links the prod flavor" \
		$CC -std=gnu11 "$tmp/ref.c" "$FLAVOR_LIB" -L"$tmp" -lttflavor_prod $LDFLAGS -o "$tmp/ref"
	;;
scan-patched)
	cat >"$tmp/victim.c" <<'C'
#include <stdio.h>
const char *tt_flavor_name(void);
static const char placeholder[] = "PLACEHOLDER-HOSTNAME-0123456789";
int main(void) { puts(placeholder); puts(tt_flavor_name()); return 0; }
C
	$CC -std=gnu11 "$tmp/victim.c" "$FLAVOR_LIB" $LDFLAGS -o "$tmp/victim" || fail "victim link failed"
	"$FL/scan-binary.sh" "$tmp/victim" || fail "clean testnet binary rejected by the scan"
	# patch the binary after link: same length, so the ELF stays valid
	# perl (perl-base is Essential in Debian, so every machine has it)
	patch_same_len "$tmp/victim" "PLACEHOLDER-HOSTNAME-0123456789" "stream.binance.com" ||
		fail "patch failed"
	expect_fail "production hostname 'stream.binance.com'" "$FL/scan-binary.sh" "$tmp/victim"
	# a prod marker string patched in is caught too
	cp "$tmp/victim" "$tmp/victim2"
	patch_same_len "$tmp/victim2" "ticktrade-flavor:testnet" "ticktrade-flavor:prod" ||
		fail "patch failed"
	expect_fail "prod flavor marker string" "$FL/scan-binary.sh" "$tmp/victim2"
	;;
build-scan)
	# The scan is part of every executable's link rule: a build whose product binary holds
	# a production hostname fails. A throwaway project uses the real cmake modules.
	mkdir -p "$tmp/proj"
	cat >"$tmp/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.25)
project(scanprobe C)
set(TT_FLAVOR testnet)
set(TT_SANITIZE "")
list(APPEND CMAKE_MODULE_PATH $SRC/cmake)
include(TtCommon)
include(TtFlavor)
add_executable(probe_clean clean.c)
target_link_libraries(probe_clean PRIVATE $FLAVOR_LIB)
add_executable(dirty dirty.c)
target_link_libraries(dirty PRIVATE $FLAVOR_LIB)
CM
	printf '#include <stdio.h>\nint main(void) { puts("127.0.0.1"); return 0; }\n' >"$tmp/proj/clean.c"
	printf '#include <stdio.h>\nint main(void) { puts("ws-api.binance.com"); return 0; }\n' >"$tmp/proj/dirty.c"
	cmake -S "$tmp/proj" -B "$tmp/proj/b" -DCMAKE_C_COMPILER="$CC" >/dev/null || fail "probe configure"
	cmake --build "$tmp/proj/b" --target probe_clean >/dev/null 2>&1 || fail "clean probe binary did not build"
	expect_fail "production hostname 'ws-api.binance.com'" cmake --build "$tmp/proj/b" --target dirty
	[ ! -e "$tmp/proj/b/dirty" ] || fail "refused binary was left behind"
	;;
*) fail "unknown case $case_" ;;
esac
echo "PASS: $case_"
