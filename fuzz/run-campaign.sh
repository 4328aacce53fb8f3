#!/bin/sh
# make fuzz-campaign SECONDS=N JOBS=N: each harness runs for SECONDS with
# libFuzzer -fork=JOBS; new inputs are merged (minimised) back into
# fuzz/corpus/NAME; crashes land in build/fuzz/campaign/NAME/; then the
# merged corpora are replayed through a gcov build and lcov/genhtml report
# what the fuzzers reach (build/fuzz/campaign/coverage/index.html).
set -u
secs=$1
jobs=$2
shift 2
status=0
for n in "$@"; do
	work=build/fuzz/campaign/$n
	mkdir -p "$work/new" "fuzz/corpus/$n"
	dict=""
	[ -f "fuzz/$n.dict" ] && dict="-dict=fuzz/$n.dict"
	echo "== $n: $secs s, $jobs jobs"
	build/fuzz/$n -fork="$jobs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-ignore_crashes=1 -print_final_stats=1 -artifact_prefix="$work/" $dict \
		"$work/new" "fuzz/corpus/$n" > "$work/log.txt" 2>&1 || status=1
	grep -E 'stat::|cov:' "$work/log.txt" | tail -n 4
	build/fuzz/$n -merge=1 "fuzz/corpus/$n" "$work/new" > "$work/merge.txt" 2>&1
	ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* 2>/dev/null | sed 's/^/  finding: /'
done
# Coverage of what fuzzing alone reaches: replay the corpora under gcov.
find build/cov -name '*.gcda' -delete 2>/dev/null
for n in "$@"; do
	make -s "build/cov/fuzz-replay/$n" >/dev/null && "build/cov/fuzz-replay/$n" "fuzz/corpus/$n" >/dev/null 2>&1
done
lcov --quiet --capture --directory build/cov --output-file build/fuzz/campaign/lcov.info --rc lcov_branch_coverage=1 2>/dev/null
lcov --quiet --remove build/fuzz/campaign/lcov.info '/usr/*' '*/tests/*' '*/fuzz/*' --output-file build/fuzz/campaign/lcov.info --rc lcov_branch_coverage=1 2>/dev/null
genhtml --quiet --branch-coverage -o build/fuzz/campaign/coverage build/fuzz/campaign/lcov.info 2>/dev/null
lcov --list build/fuzz/campaign/lcov.info 2>/dev/null | grep -E 'lib/|conformance/|fakes/' | awk '{print "  " $1 " " $2}'
lcov --summary build/fuzz/campaign/lcov.info 2>&1 | grep -E 'lines|branches'
exit $status
