# Thin wrapper over the CMake presets. The README's two commands: `make demo`, `make test`.
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all demo test gate-report redteam deps build build-asan test-asan bench-ring bench fuzz fuzz-build fuzz-ci tsan clang clean format bench-build crash-test

all: build

deps:
	@scripts/deps.sh

build/testnet/CMakeCache.txt:
	cmake --preset testnet >/dev/null

build: deps build/testnet/CMakeCache.txt
	cmake --build --preset testnet -j$(JOBS)

build-asan: deps
	@[ -f build/debug-asan/CMakeCache.txt ] || cmake --preset debug-asan >/dev/null
	cmake --build --preset debug-asan -j$(JOBS)

# Main job: see README. Until the engine exists: the ring demo and the market-data demo.
demo: build
	scripts/demo.sh

# Whole suite: the libFuzzer targets for ~60 s in all (clang), the unit tests under
# ASan+UBSan, then the testnet build with every label (its ctest summary is the last line;
# the red-team corpus is in it, `make redteam` prints its cases/refused/escapes line).
test: build build-asan fuzz-ci gate-report
	cd build/debug-asan && ctest --output-on-failure -j$(JOBS) -L unit $(CTEST_ARGS)
	cd build/testnet && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

# tt-gate on the project's own recent changes, report-only (never fails the build): what
# a human should review (CI, build files, harness/, prod config) and anything blocked.
gate-report: build
	@base=$$(git rev-list -n1 --skip=20 HEAD 2>/dev/null || git rev-list --max-parents=0 HEAD); \
	./build/testnet/harness/gate/tt-gate check --report-only $$base..HEAD | tail -n 15 || true

# Red-team corpus only (tests/redteam/README.md): every escape attempt, then the summary.
redteam: build
	cd build/testnet && ctest --output-on-failure -j$(JOBS) -L redteam
	@cat build/testnet/tests/redteam/summary.txt

tsan: deps
	@[ -f build/tsan/CMakeCache.txt ] || cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j$(JOBS)
	cd build/tsan && ctest --output-on-failure -L tsan

clang: deps
	@[ -f build/clang/CMakeCache.txt ] || cmake --preset clang >/dev/null
	cmake --build --preset clang -j$(JOBS)

bench-build: deps
	@[ -f build/bench/CMakeCache.txt ] || cmake --preset bench >/dev/null
	cmake --build --preset bench -j$(JOBS)

bench-ring: bench-build
	./build/bench/bench/tt-bench ring --out bench/results

# libFuzzer targets (clang): `make test` runs them ~60 s in all, `make fuzz` 10 minutes.
fuzz-build: deps
	@[ -f build/fuzz/CMakeCache.txt ] || cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j$(JOBS) --target fuzz_all

fuzz-ci: fuzz-build
	scripts/run-fuzz.sh 60

fuzz: fuzz-build
	scripts/run-fuzz.sh $${FUZZ_SECONDS:-600}

# tt-oe kill -9 recovery against the real tt-venue: CI runs 50 (label e2e); this runs
# CRASH_RUNS (default 1000). Every order's executed quantity must equal the journal's fills.
crash-test: build
	cd build/testnet && TT_CRASH_RUNS=$${CRASH_RUNS:-1000} TT_BUILD_DIR=$$PWD \
		ctest --output-on-failure -R '^e2e_oe_crash$$' --timeout 3600

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
