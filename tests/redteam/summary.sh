#!/usr/bin/env bash
# summary.sh RESULTS_DIR CASES_FILE — the red-team run summary (runs last: ctest fixture
# cleanup). One line per case: outcome, layer, case, detail; then the counts. Fails when a
# case escaped or broke; a case with no result (not run in this ctest selection, or died
# before writing one) is listed as not run.
set -u
dir=${1:?results dir} list=${2:?cases file}
# everything also goes to summary.txt next to the results (make test/redteam print it)
exec > >(tee "$dir/../summary.txt") 2>&1
cases=0 refused=0 escapes=0 skipped=0 errors=0 notrun=0 controls=0
printf '%-8s %-24s %s\n' OUTCOME LAYER CASE
while read -r c; do
	[ -n "$c" ] || continue
	if [ ! -f "$dir/$c" ]; then
		notrun=$((notrun + 1))
		printf '%-8s %-24s %s\n' not-run - "$c"
		continue
	fi
	IFS=$'\t' read -r outcome layer detail <"$dir/$c"
	if [ "$layer" = control ]; then
		# a control proves a measurement works; it passes or is an error
		controls=$((controls + 1))
		[ "$outcome" = refused ] && outcome=ok || errors=$((errors + 1))
		printf '%-8s %-24s %s  (%s)\n' "$outcome" "$layer" "$c" "$detail"
		continue
	fi
	printf '%-8s %-24s %s  (%s)\n' "$outcome" "$layer" "$c" "$detail"
	cases=$((cases + 1))
	case $outcome in
	refused) refused=$((refused + 1)) ;;
	escaped) escapes=$((escapes + 1)) ;;
	skipped) skipped=$((skipped + 1)) ;;
	*) errors=$((errors + 1)) ;;
	esac
done <"$list"
echo "redteam summary: cases $cases, refused $refused, escapes $escapes, skipped $skipped, errors $errors, not run $notrun (controls $controls)"
[ $escapes = 0 ] && [ $errors = 0 ]
