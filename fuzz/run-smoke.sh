#!/bin/sh
# make fuzz-smoke: every harness for SECONDS, starting from its seed corpus
# (copied, so the committed corpus is not touched). Any crash, leak or
# timeout fails; the crashing input is kept in build/fuzz/smoke/NAME/.
set -u
secs=$1
shift
status=0
for n in "$@"; do
	work=build/fuzz/smoke/$n
	rm -rf "$work"
	mkdir -p "$work/corpus"
	[ -d "fuzz/corpus/$n" ] && cp -r "fuzz/corpus/$n/." "$work/corpus/"
	dict=""
	[ -f "fuzz/$n.dict" ] && dict="-dict=fuzz/$n.dict"
	out=$(build/fuzz/$n -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" $dict "$work/corpus" 2>&1)
	rc=$?
	execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
	rate=$(printf '%s\n' "$out" | sed -n 's/^stat::average_exec_per_sec: *//p')
	cov=$(printf '%s\n' "$out" | grep -oE 'cov: [0-9]+' | tail -n1)
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|Test unit written' | head -n 5
		echo "FAIL $n (exit $rc); reproduce: build/fuzz/$n $work/crash-* (or replay: build/asan/fuzz-replay/$n FILE)"
		status=1
	else
		echo "ok   $n: ${execs:-?} runs, ${rate:-?} exec/s, ${cov:-?} edges"
	fi
done
exit $status
