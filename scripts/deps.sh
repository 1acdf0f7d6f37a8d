#!/usr/bin/env bash
# Installs the Debian packages ticktrade needs, and only those that are missing.
# Idempotent: a second run installs nothing. The only place packages get installed.
# Why each package is there: see README.md, "Dependencies".
set -eu
PKGS=(
	build-essential cmake pkg-config git       # toolchain
	clang llvm libclang-rt-14-dev              # second compiler, libFuzzer runtime
	liburing-dev                               # io_uring for hot-path sockets
	libssl-dev openssl ca-certificates         # TLS (OpenSSL 3) and test certificates
	libwebsockets-dev                          # tt-venue server, interop peer
	libinih-dev                                # INI config parser
	libsqlite3-dev                             # analytics store
	libseccomp-dev bubblewrap                  # tt-sandbox isolation
	libcmocka-dev                              # unit tests
	libck-dev libboost-dev libcjson-dev        # benchmark baselines; cJSON also reads logs in tt-logs
	prometheus                                 # a real scraper for the metrics test (tests/obs)
	iproute2 procps psmisc                     # network namespaces, ps/kill in tests
	strace                                     # tests/harness/prod_host.sh: no network syscall before the host check
	curl wget netcat-openbsd python3 nodejs    # red-team cases: tools tried inside tt-sandbox;
	                                           # python3 also patches binaries in those tests
)
# The prod flavor identifies its host by /etc/machine-id (DESIGN §6, tests/harness/prod_host.sh).
# Every installed Debian system has one; a bare root (container, debootstrap) may not: give it
# one the way systemd-machine-id-setup would (32 random hex digits), once, never changed after.
if [ ! -s /etc/machine-id ] && [ "$(id -u)" = 0 ]; then
	tr -d '-' </proc/sys/kernel/random/uuid >/etc/machine-id
	echo "deps: wrote a new /etc/machine-id (the host had none)"
fi
missing=()
for p in "${PKGS[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
