#!/bin/sh
# Lane: every libFuzzer harness for FUZZ_SECONDS (10) from its seed corpus
# (`make fuzz-smoke`), so `make check` is all CI runs after installing. A
# crash, leak or timeout fails; the input is kept under build/fuzz/smoke/.
set -u
secs=${FUZZ_SECONDS:-10}
# make check's jobserver is not ours (this lane runs beside it).
unset MAKEFLAGS MFLAGS MAKELEVEL
if ! command -v "${CLANG:-clang}" > /dev/null; then
	echo "skip: no clang (harness/deps/test.txt installs it)"
	echo "fuzz-smoke: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir -p build/lanes/fuzz-smoke
nice make -s -j2 fuzz > build/lanes/fuzz-smoke/build.log 2>&1 || {
	tail -n 30 build/lanes/fuzz-smoke/build.log
	echo "fuzz-smoke: 0 passed, 1 failed (the harnesses did not build)"
	exit 1
}
out=$(nice make -s fuzz-smoke FUZZ_SECONDS="$secs" 2>&1)
rc=$?
printf '%s\n' "$out"
p=$(printf '%s\n' "$out" | grep -c '^ok ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1
echo "fuzz-smoke: $p passed, $f failed"
[ "$f" -eq 0 ]
