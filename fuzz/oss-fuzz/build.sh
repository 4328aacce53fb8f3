#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: the library with $CC $CFLAGS, each
# harness linked with $LIB_FUZZING_ENGINE (libFuzzer, AFL++ or honggfuzz
# builds alike). json-c is linked statically: the runner image lacks it.
cd "$SRC/vhost-cts"
INC="-I. -Iinclude $(pkg-config --cflags json-c)"
mkdir -p "$WORK/obj"
objs=()
for f in lib/*.c lib/trace/*.c conformance/*.c fakes/*/*.c; do
	[ -e "$f" ] || continue
	o="$WORK/obj/$(echo "$f" | tr / _).o"
	$CC $CFLAGS -std=gnu11 -D_GNU_SOURCE $INC -c "$f" -o "$o"
	objs+=("$o")
done
ar rcs "$WORK/libvcts.a" "${objs[@]}"
for h in fuzz/fuzz_*.c; do
	name=$(basename "$h" .c)
	$CC $CFLAGS -std=gnu11 -D_GNU_SOURCE $INC -c "$h" -o "$WORK/$name.o"
	$CC $CFLAGS "$WORK/$name.o" -o "$OUT/$name" $LIB_FUZZING_ENGINE "$WORK/libvcts.a" \
		-Wl,-Bstatic -ljson-c -Wl,-Bdynamic -lm -lpthread
	[ -f "fuzz/$name.dict" ] && cp "fuzz/$name.dict" "$OUT/"
	[ -f "fuzz/$name.options" ] && cp "fuzz/$name.options" "$OUT/"
	if [ -d "fuzz/corpus/$name" ]; then
		(cd "fuzz/corpus/$name" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
	fi
done
