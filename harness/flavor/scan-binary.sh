#!/usr/bin/env bash
# scan-binary.sh — post-link scan of a testnet binary (DESIGN §6 "link time"). Runs as
# part of every executable's link step (cmake/TtFlavor.cmake). Fails (exit 1, one line
# per finding) when the binary holds:
#   - the prod flavor marker or any prod-only symbol (nm over .symtab and .dynsym),
#   - the prod marker string,
#   - a needed shared library with prod symbols or the prod marker (ldd),
#   - a production hostname (strings scan; patterns from prod-hosts.deny).
# Test programs that exercise the refusal paths carry prod names on purpose: with
# --symbols-only the hostname scan is skipped for them (marker and symbols still count).
# The scan catches accidents; obfuscated names are the run-time guard's job.
set -u
here=$(cd "$(dirname "$0")" && pwd)
hosts=1 delete=0
while [ $# -gt 1 ]; do
	case $1 in
	--symbols-only) hosts=0; shift ;;
	--delete-bad) delete=1; shift ;; # link step: a refused binary must not stay "up to date"
	*) break ;;
	esac
done
bin=${1:?usage: scan-binary.sh [--symbols-only] [--delete-bad] BINARY}
[ -f "$bin" ] || { echo "scan-binary: $bin: no such file" >&2; exit 2; }
bad=0
syms=$( { nm -a "$bin" 2>/dev/null; nm -D "$bin" 2>/dev/null; } | awk '{print $NF}' |
	grep -E '^(tt_prod_[A-Za-z0-9_]*|tt_flavor_prod_marker)$' | sort -u)
for s in $syms; do
	echo "scan-binary: $bin: prod-only symbol '$s' in a testnet binary" >&2
	bad=1
done
if LC_ALL=C grep -aq 'ticktrade-flavor:prod' "$bin"; then
	echo "scan-binary: $bin: prod flavor marker string in a testnet binary" >&2
	bad=1
fi
# Shared libraries the binary needs, resolved as the loader would (ldd: trace only, no
# constructors run): one holding prod symbols or the prod marker is refused like the
# binary itself (a link without flavor_testnet.ld would otherwise pass).
while read -r lib; do
	[ -f "$lib" ] || continue
	if nm -D "$lib" 2>/dev/null | awk '{print $NF}' |
		grep -qE '^(tt_prod_[A-Za-z0-9_]*|tt_flavor_prod_marker)$' ||
		LC_ALL=C grep -aq 'ticktrade-flavor:prod' "$lib"; then
		echo "scan-binary: $bin: needs prod library $lib" >&2
		bad=1
	fi
done < <(ldd "$bin" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p')
if [ $hosts = 1 ]; then
	pat=$(grep -vE '^[[:space:]]*(#|$)' "$here/prod-hosts.deny" | paste -sd'|')
	found=$(LC_ALL=C strings -a -n 6 "$bin" | grep -oiE "$pat" | sort -u | head -n 5)
	for h in $found; do
		echo "scan-binary: $bin: production hostname '$h' in a testnet binary" >&2
		bad=1
	done
fi
if [ $bad = 1 ] && [ $delete = 1 ]; then
	rm -f "$bin"
	echo "scan-binary: $bin: removed; this build flavor is testnet" >&2
fi
exit $bad
