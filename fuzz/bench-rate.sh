#!/bin/sh
# make bench (fuzzing part): exec/s of every harness beside the empty
# harness, each run for SECONDS from its seed corpus with inputs capped at
# MAXLEN bytes, all in this run. The working corpus lives in /dev/shm when
# there is one: new inputs are written as they are found, and disk writes
# are not the harness's speed. Targets (issue #6) apply to the parser
# harnesses: a quarter of the empty rate and 100k exec/s with ASan+UBSan.
# The state-machine harnesses (engine, fake back-end over real sockets,
# vDPA device model, listener models) are printed for reference.
set -u
secs=${1:-10}
maxlen=${2:-256}
shift 2
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
rate() {
	bin=$1
	corpus=$2
	work=$(mktemp -d -p "$tmp")
	[ -d "$corpus" ] && cp -r "$corpus/." "$work/" 2>/dev/null
	"$bin" -max_total_time="$secs" -max_len="$maxlen" -print_final_stats=1 "$work" 2>&1 |
		sed -n 's/^stat::average_exec_per_sec: *//p'
	rm -rf "$work"
}
base=$(rate build/fuzz/empty /nonexistent)
echo "fuzz harness exec/s (ASan+UBSan, ${secs}s each, inputs <= ${maxlen} bytes)"
printf '  %-22s %-7s %10s %8s\n' harness kind exec/s "of empty"
printf '  %-22s %-7s %10s %8s\n' empty - "$base" "1.00"
for n in "$@"; do
	case $n in
	fuzz_stream | fuzz_strace | fuzz_qemu_trace | fuzz_native | fuzz_scenario) kind=parser ;;
	*) kind=state ;;
	esac
	r=$(rate "build/fuzz/$n" "fuzz/corpus/$n")
	ratio=$(awk -v a="${r:-0}" -v b="${base:-1}" 'BEGIN { printf "%.2f", a / b }')
	flag=""
	if [ $kind = parser ]; then
		[ "${r:-0}" -lt 100000 ] && flag="  (under 100k)"
		awk -v x="$ratio" 'BEGIN { exit !(x < 0.25) }' && flag="$flag  (under 1/4 of empty)"
	fi
	printf '  %-22s %-7s %10s %8s%s\n' "$n" "$kind" "${r:-?}" "$ratio" "$flag"
done
