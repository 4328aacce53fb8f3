#!/bin/sh
# Runs every libcheck suite given as arguments (and the pytest real-peer
# drivers when asked), adds up libcheck's "Checks: N, Failures: F, Errors: E"
# lines and prints the closing "N passed, N failed" line. Exit 1 if any
# test failed or any suite binary crashed outside a test. An argument
# "BIN:DIR[:DIR...]" runs a fuzz harness replay binary over corpus dirs.
set -u
passed=0
failed=0
bad_suites=""
# Slow lanes (harness/lanes/*.sh: VM, fresh root, sanitizer builds) start
# first, in the background, so they overlap the unit suites; each ends its
# output with an "N passed, N failed" line, read at the end. VCTS_LANES
# (space-separated names, or "none") picks a subset.
lane_dir=$(mktemp -d "${TMPDIR:-/tmp}/vcts-lanes.XXXXXX")
lanes=""
for l in harness/lanes/*.sh; do
	[ -f "$l" ] || continue
	name=$(basename "$l" .sh)
	case " ${VCTS_LANES:-$name} " in *" $name "*) ;; *) continue ;; esac
	lanes="$lanes $name"
	# Lowest CPU priority: the real-peer drivers that run meanwhile wait on
	# timeouts of a few seconds and must not starve.
	( nice -n 19 sh "$l" > "$lane_dir/$name.out" 2>&1; echo $? > "$lane_dir/$name.rc" ) &
done
for t in "$@"; do
	case "$t" in
	*:*)
		bin=${t%%:*}
		dirs=$(printf '%s' "${t#*:}" | tr ':' ' ')
		# shellcheck disable=SC2086
		out=$("$bin" $dirs 2>&1)
		rc=$?
		t=$bin
		;;
	*)
		out=$("$t" 2>&1)
		rc=$?
		;;
	esac
	line=$(printf '%s\n' "$out" | grep -E '^([0-9]+%|replay): Checks: [0-9]+' | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out"
		echo "FAIL: $t produced no libcheck summary (exit $rc)"
		failed=$((failed + 1))
		bad_suites="$bad_suites $t"
		continue
	fi
	checks=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	fails=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	errs=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	bad=$((fails + errs))
	passed=$((passed + checks - bad))
	failed=$((failed + bad))
	if [ "$bad" -ne 0 ] || [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^[0-9]+%: Checks' | grep -E ':[EF]:|Error|error' | head -n 40
		bad_suites="$bad_suites $t"
	fi
	printf '%-48s %s\n' "$(basename "$t")" "$line"
done
if [ -n "${VCTS_PYTEST:-}" ]; then
	# Real-peer drivers; each test skips itself with a reason when its peer
	# cannot run here.
	# The first python3 on PATH may be a private one without pytest;
	# Debian's (python3-pytest, installed by harness/deps/install.sh test) is /usr/bin/python3.
	py=python3
	python3 -c 'import pytest' 2>/dev/null || py=/usr/bin/python3
	# shellcheck disable=SC2086
	out=$($py -m pytest -q -rs ${VCTS_PYTEST} 2>&1)
	rc=$?
	printf '%s\n' "$out" | tail -n 30
	p=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed' | tail -n1 | grep -oE '[0-9]+')
	f=$(printf '%s\n' "$out" | grep -oE '[0-9]+ (failed|error)' | awk '{s+=$1} END {print s+0}')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1))
	fi
fi
wait
for name in $lanes; do
	out=$(cat "$lane_dir/$name.out")
	rc=$(cat "$lane_dir/$name.rc" 2>/dev/null || echo 1)
	line=$(printf '%s\n' "$out" | grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
		printf '%s\n' "$out" | tail -n 40
		echo "FAIL: lane $name exited $rc without a failure count"
		f=$((${f:-0} + 1))
	elif [ "${f:-0}" -ne 0 ]; then
		printf '%s\n' "$out" | tail -n 40
	fi
	[ "${f:-0}" -ne 0 ] && bad_suites="$bad_suites lane:$name"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	printf '%-48s %s\n' "lane $name" "${line:-no summary}"
done
rm -rf "$lane_dir"
[ -n "$bad_suites" ] && echo "failing suites:$bad_suites"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
