#!/usr/bin/env bash
# run-fuzz.sh TOTAL_SECONDS — runs every libFuzzer target of the fuzz preset
# (build/fuzz/tests/fuzz/fuzz_*) for an equal share of TOTAL_SECONDS, each starting from a
# scratch copy of its seed corpus (tests/fuzz/corpus/<name>/; the committed corpus is not
# modified). Prints one line per target with the number of inputs run; exits non-zero if
# any target crashed, leaked or hit a sanitizer, leaving the crashing input in .fuzz/.
set -u
cd "$(dirname "$0")/.."
total=${1:-60}
bins=$(ls build/fuzz/tests/fuzz/fuzz_* 2>/dev/null | grep -v '\.' || true)
[ -n "$bins" ] || { echo "run-fuzz: no fuzz targets built (build/fuzz/tests/fuzz/)" >&2; exit 1; }
n=$(echo "$bins" | wc -l)
per=$(( total / n )); [ $per -ge 2 ] || per=2
mkdir -p .fuzz
rc=0
printf '%-24s %10s %8s %s\n' target inputs seconds result
for b in $bins; do
	name=$(basename "$b"); short=${name#fuzz_}
	work=.fuzz/$short; rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
	cp -r tests/fuzz/corpus/"$short"/. "$work/corpus/" 2>/dev/null || true
	"$b" -max_total_time=$per -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" >"$work/log" 2>&1
	r=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || echo "?")
	if [ $r -eq 0 ]; then res=ok; else res="FAILED (exit $r, see $work/log)"; rc=1; fi
	printf '%-24s %10s %8s %s\n' "$short" "$execs" "$per" "$res"
done
exit $rc
