#!/bin/sh
# OSS-Fuzz lane: runs fuzz/oss-fuzz/build.sh as OSS-Fuzz's builder would,
# once per build project.yaml declares (libFuzzer with the address,
# undefined and memory sanitizers; AFL++ with address), each in its own
# $WORK and $OUT under build/lanes/oss-fuzz/, then replays every harness
# over its seed corpus (from the $OUT zip OSS-Fuzz would use) and its
# regressions. One pass per harness per build; a sanitizer report or a
# non-zero exit fails it and names the input.
# VCTS_OSSFUZZ_BUILDS="memory afl" runs a subset.
set -u
top=$(pwd)
base=$top/build/lanes/oss-fuzz
passed=0
failed=0
start=$(date +%s)
mkdir -p "$base"
names=$(for h in fuzz/fuzz_*.c; do basename "$h" .c; done)
nharness=$(printf '%s\n' "$names" | wc -l)

# $SRC as the Dockerfile lays it out: the repository and json-c's source.
src=$base/src
mkdir -p "$src"
# From the mirror (and through the proxy) apt uses here, so the lane
# reaches the archive wherever `apt-get install` does; deb.debian.org if
# that mirror carries no sources.
mirror=$(apt-cache policy 2>/dev/null | awk '$3 ~ /^bookworm\/main/ { print $2; exit }')
eval "$(apt-config shell aptproxy Acquire::http::Proxy 2>/dev/null)"
[ -n "${aptproxy:-}" ] && export http_proxy="$aptproxy"
if [ ! -d "$src/json-c" ] &&
	! JSONC_MIRROR=${mirror:-http://deb.debian.org/debian} sh fuzz/oss-fuzz/fetch-json-c.sh "$src/json-c" &&
	! sh fuzz/oss-fuzz/fetch-json-c.sh "$src/json-c"; then
	echo "oss-fuzz: json-c's source could not be fetched from Debian's archive"
	echo "0 passed, 1 failed"
	exit 1
fi
ln -sfn "$top" "$src/vhost-cts"
ln -sfn "$top/fuzz/oss-fuzz/build.sh" "$src/build.sh"

# OSS-Fuzz's flags (infra/base-images/base-clang: CFLAGS, SANITIZER_FLAGS_*,
# COVERAGE_FLAGS of libFuzzer) and its run-time options.
common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
san_flags() {
	case $1 in
	address) echo "-fsanitize=address -fsanitize-address-use-after-scope" ;;
	undefined) echo "-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks" ;;
	memory) echo "-fsanitize=memory -fsanitize-memory-track-origins" ;;
	esac
}
export ASAN_OPTIONS=alloc_dealloc_mismatch=0:allocator_may_return_null=1:detect_leaks=1:detect_stack_use_after_return=1:handle_abort=1:handle_segv=1:handle_sigill=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1
export MSAN_OPTIONS=halt_on_error=1:print_stats=1:symbolize=1
# AFL++'s compiler wrapper, quiet; its driver exits on the first crash.
export AFL_QUIET=1

# Which input of a libFuzzer replay failed: libFuzzer writes it as
# crash-SHA1 (or leak-, timeout-, oom-); the same SHA1 names a corpus file.
name_input() {
	art=$(find "$1" -type f -printf '%f\n' 2>/dev/null | head -n 1)
	[ -n "$art" ] || { echo "(no artifact)"; return; }
	sha=${art#*-}
	shift
	for dir in "$@"; do
		for f in "$dir"/*; do
			[ -f "$f" ] || continue
			if [ "$(sha1sum < "$f" | cut -d' ' -f1)" = "$sha" ]; then
				echo "$f"
				return
			fi
		done
	done
	echo "(artifact $art, not a file of the corpus)"
}

# OSS-Fuzz's runner limits (-timeout=25 -rss_limit_mb=2560) for libFuzzer;
# the AFL++ replay of one harness gets 600 s.
# The builds are what project.yaml declares: libFuzzer with each sanitizer,
# AFL++ with ASan (OSS-Fuzz builds AFL++ with ASan only). An engine this
# lane cannot build fails: declared means tested.
yaml_list() {
	awk -v k="$1:" '$1 == k { on = 1; next }
		on && /^ +- / { sub(/^ +- +/, ""); gsub(/"/, ""); print; next }
		/^[^ #]/ { on = 0 }' "$2"
}
sans=$(yaml_list sanitizers fuzz/oss-fuzz/project.yaml)
engines=$(yaml_list fuzzing_engines fuzz/oss-fuzz/project.yaml)
declared=""
for e in $engines; do
	case $e in
	libfuzzer) declared="$declared $sans" ;;
	afl) declared="$declared afl" ;;
	*)
		echo "FAIL oss-fuzz: project.yaml declares engine $e, which this lane cannot build"
		failed=$((failed + 1))
		;;
	esac
done
# ClusterFuzzLite: the same declarations, the same build script.
for k in sanitizers fuzzing_engines architectures; do
	if [ "$(yaml_list $k fuzz/oss-fuzz/project.yaml)" = "$(yaml_list $k .clusterfuzzlite/project.yaml)" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL oss-fuzz: .clusterfuzzlite/project.yaml's $k differ from fuzz/oss-fuzz/project.yaml's"
		failed=$((failed + 1))
	fi
done
if grep -q 'fuzz/oss-fuzz/build.sh' .clusterfuzzlite/build.sh &&
	grep -q 'fetch-json-c.sh' .clusterfuzzlite/Dockerfile &&
	grep -q 'fetch-json-c.sh' fuzz/oss-fuzz/Dockerfile; then
	passed=$((passed + 1))
else
	echo "FAIL oss-fuzz: a Dockerfile does not fetch json-c's source, or .clusterfuzzlite/build.sh does not run fuzz/oss-fuzz/build.sh"
	failed=$((failed + 1))
fi
# A clean replay proves little if build.sh dropped $CFLAGS: like OSS-Fuzz's
# bad-build check, count the calls to the sanitizer's hook in the binary,
# in our code (vc_*, the harness) and in json-c's when linked in (MSan
# needs both). Prints why a binary is not instrumented, nothing when it is.
instrumented() {
	case $2 in
	address) hook=__asan_report ;;
	memory) hook=__msan_warning ;;
	undefined) hook=__ubsan_handle ;;
	esac
	objdump -d --no-show-raw-insn "$1" | awk -v h="$hook" '
		/^[0-9a-f]+ <.*>:$/ {
			fn = $2
			jc = fn ~ /^<(json_|lh_|array_list_|printbuf_)/
			if (jc) jfn++
			next
		}
		$0 ~ "call.*<" h {
			if (fn ~ /^<(vc_|LLVMFuzzerTestOneInput)/) ours++
			else if (jc) jcalls++
		}
		END {
			if (!ours) print "no " h " call in our code"
			else if (jfn && !jcalls) print "no " h " call in json-c"
		}'
}
# Edges AFL++'s own instrumentation reports for the files in a directory
# (afl-showmap: fork server and shared memory, as afl-fuzz runs it).
afl_edges() {
	rm -rf "$d/showmap"
	AFL_QUIET=1 afl-showmap -q -i "$2" -o "$d/showmap" -- "$1" > /dev/null 2>&1
	cat "$d/showmap"/* 2>/dev/null | cut -d: -f1 | sort -u | wc -l
}

# shellcheck disable=SC2086,SC2116
builds=$(echo ${VCTS_OSSFUZZ_BUILDS:-$declared})
echo "oss-fuzz: builds: $builds"
for b in $builds; do
	d=$base/$b
	rm -rf "$d/out" "$d/seeds" "$d/artifacts"
	mkdir -p "$d/out" "$d/work" "$d/seeds" "$d/artifacts"
	if [ "$b" = afl ]; then
		if ! command -v afl-clang-fast >/dev/null || [ ! -f /usr/lib/afl/libAFLDriver.a ]; then
			echo "oss-fuzz: afl: afl-clang-fast or /usr/lib/afl/libAFLDriver.a missing (package afl++)"
			failed=$((failed + nharness))
			continue
		fi
		cc=afl-clang-fast cxx=afl-clang-fast++ san=address engine=afl
		flags="$common $(san_flags address)"
		lib=/usr/lib/afl/libAFLDriver.a
	else
		cc=clang cxx=clang++ san=$b engine=libfuzzer
		flags="$common $(san_flags "$b") -fsanitize=fuzzer-no-link"
		lib=-fsanitize=fuzzer
	fi
	t0=$(date +%s)
	if ! (cd "$src/vhost-cts" && env SRC="$src" OUT="$d/out" WORK="$d/work" \
		CC="$cc" CXX="$cxx" CFLAGS="$flags" CXXFLAGS="$flags" \
		LIB_FUZZING_ENGINE="$lib" SANITIZER="$san" FUZZING_ENGINE="$engine" \
		ARCHITECTURE=x86_64 VCTS_JOBS="${VCTS_JOBS:-2}" \
		bash -eu "$src/build.sh") > "$d/build.log" 2>&1; then
		tail -n 30 "$d/build.log"
		echo "oss-fuzz: $b: build.sh failed (log: $d/build.log)"
		failed=$((failed + nharness))
		continue
	fi
	t1=$(date +%s)
	for n in $names; do
		bin=$d/out/$n
		seeds=$d/seeds/$n
		mkdir -p "$seeds"
		if [ ! -x "$bin" ] || [ ! -f "$d/out/${n}_seed_corpus.zip" ]; then
			echo "FAIL oss-fuzz $b $n: build.sh left no harness or seed zip in \$OUT"
			failed=$((failed + 1))
			continue
		fi
		unzip -q -o "$d/out/${n}_seed_corpus.zip" -d "$seeds"
		dirs=$seeds
		[ -d "fuzz/regress/$n" ] && dirs="$dirs $top/fuzz/regress/$n"
		log=$d/$n.log
		# shellcheck disable=SC2086
		find $dirs -type f | sort > "$d/$n.files"
		if [ "$engine" = afl ]; then
			# The AFL++ driver runs each file argument once. A crash ends
			# the process; the last file it announced (stdout, line
			# buffered so none is lost) is the input, the sanitizer's
			# report may follow on the same line.
			timeout 600 xargs stdbuf -oL "$bin" < "$d/$n.files" > "$log" 2>&1
			rc=$?
			bad=""
			if [ "$rc" -ne 0 ]; then
				last=$(grep 'Reading [0-9]* bytes from ' "$log" | tail -n 1)
				while read -r f; do
					case "$last" in *"from $f"*) [ ${#f} -gt ${#bad} ] && bad=$f ;; esac
				done < "$d/$n.files"
			fi
		else
			art=$d/artifacts/$n/
			mkdir -p "$art"
			# shellcheck disable=SC2086
			"$bin" -runs=0 -timeout=25 -rss_limit_mb=2560 -artifact_prefix="$art" $dirs > "$log" 2>&1
			rc=$?
			bad=""
			# shellcheck disable=SC2086
			[ "$rc" -ne 0 ] && bad=$(name_input "$art" $dirs)
		fi
		if [ "$rc" -ne 0 ] || grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:|WARNING: MemorySanitizer' "$log"; then
			grep -E -A 12 'ERROR: [A-Za-z]+Sanitizer|runtime error:|WARNING: MemorySanitizer' "$log" | head -n 30
			echo "FAIL oss-fuzz $b $n: exit $rc, input ${bad:-unknown} (log: $log)"
			failed=$((failed + 1))
			continue
		fi
		why=$(instrumented "$bin" "$san")
		if [ -z "$why" ] && [ "$engine" = afl ]; then
			mkdir -p "$d/empty"
			: > "$d/empty/empty"
			cov=$(afl_edges "$bin" "$seeds")
			[ "$cov" -gt "$(afl_edges "$bin" "$d/empty")" ] ||
				why="AFL++ sees no more edges for the seeds than for an empty input ($cov)"
		elif [ -z "$why" ]; then
			cov=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
			[ "${cov:-0}" -gt 0 ] || why="libFuzzer counted no coverage"
		fi
		if [ -n "$why" ]; then
			echo "FAIL oss-fuzz $b $n: replay clean, but $why"
			failed=$((failed + 1))
		else
			runs=$(wc -l < "$d/$n.files")
			echo "ok   oss-fuzz $b $n: $runs inputs, $cov edges"
			passed=$((passed + 1))
		fi
	done
	t2=$(date +%s)
	echo "oss-fuzz: $b: build $((t1 - t0)) s, replay $((t2 - t1)) s"
done
# The link back to the repository makes a loop under build/; gone when
# not in use.
rm -f "$src/vhost-cts" "$src/build.sh"
echo "oss-fuzz: $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
