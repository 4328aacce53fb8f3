#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: json-c and the library with $CC $CFLAGS,
# each harness linked with $LIB_FUZZING_ENGINE (libFuzzer and AFL++ builds
# alike). json-c comes from source ($SRC/json-c, fetched by
# fetch-json-c.sh in the Dockerfile), not from the image: MSan reports every
# byte written by uninstrumented code as uninitialised, and the runner image
# has no json-c to link against at run time.
# harness/lanes/oss-fuzz.sh runs this script as OSS-Fuzz would, for every
# sanitizer and engine project.yaml declares.
# $CFLAGS, $LIB_FUZZING_ENGINE and our flag lists split into words on
# purpose; CFLAGS and the rest come from the builder's environment.
# shellcheck disable=SC2086,SC2153
cd -P "$SRC/vhost-cts"
jobs=${VCTS_JOBS:-$(nproc)}
# At most $jobs commands in the background; each is waited for by pid, in
# start order, so every exit status is read and a failure stops the build.
pids=()
bg() {
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
	"$@" &
	pids+=($!)
}
wait_all() {
	for p in "${pids[@]}"; do wait "$p"; done
	pids=()
}

# json-c: static, no apps or tests. $WORK is fresh on OSS-Fuzz; a reused
# one (the lane) keeps the build while source version, compiler, flags and
# this script are unchanged.
jc_src=$SRC/json-c
jc=$WORK/json-c
jc_key="$(cat "$jc_src/.vcts-version" 2>/dev/null || echo unknown) $CC $CFLAGS $(cksum < "${BASH_SOURCE[0]}")"
if [ "$(cat "$jc/.key" 2>/dev/null)" != "$jc_key" ]; then
	rm -rf "$jc" "$WORK/json-c-build"
	cmake -S "$jc_src" -B "$WORK/json-c-build" -DCMAKE_BUILD_TYPE=None \
		-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
		-DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_TESTING=OFF \
		-DBUILD_APPS=OFF -DDISABLE_WERROR=ON -DCMAKE_INSTALL_PREFIX="$jc" \
		-DCMAKE_INSTALL_LIBDIR=lib >"$WORK/json-c-cmake.log"
	cmake --build "$WORK/json-c-build" -j"$jobs" >>"$WORK/json-c-cmake.log"
	cmake --install "$WORK/json-c-build" >>"$WORK/json-c-cmake.log"
	echo "$jc_key" >"$jc/.key"
fi

# The library: the Makefile's parts (lib, conformance, fakes) without
# tests; reports/ is left out, no harness reaches it (and libxml2 with it).
INC="-I. -Iinclude -I$jc/include"
FLAGS="$CFLAGS -std=gnu11 -D_GNU_SOURCE -pthread"
mkdir -p "$WORK/obj"
srcs=()
for f in lib/*.c lib/*/*.c conformance/*.c conformance/*/*.c fakes/*/*.c; do
	case "$f" in */tests/*) continue ;; esac
	[ -e "$f" ] && srcs+=("$f")
done
objs=()
for f in "${srcs[@]}"; do
	o="$WORK/obj/$(echo "$f" | tr / _).o"
	objs+=("$o")
	bg $CC $FLAGS $INC -c "$f" -o "$o"
done
wait_all
rm -f "$WORK/libvcts.a"
ar rcs "$WORK/libvcts.a" "${objs[@]}"

link() {
	local name=$1
	$CC $FLAGS $INC -c "fuzz/$name.c" -o "$WORK/$name.o"
	$CC $FLAGS "$WORK/$name.o" -o "$OUT/$name" $LIB_FUZZING_ENGINE \
		"$WORK/libvcts.a" "$jc/lib/libjson-c.a" -lm
}
for h in fuzz/fuzz_*.c; do
	name=$(basename "$h" .c)
	bg link "$name"
	[ -f "fuzz/$name.dict" ] && cp "fuzz/$name.dict" "$OUT/"
	[ -f "fuzz/$name.options" ] && cp "fuzz/$name.options" "$OUT/"
	rm -f "$OUT/${name}_seed_corpus.zip"
	if [ -d "fuzz/corpus/$name" ]; then
		(cd "fuzz/corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
	fi
done
wait_all
