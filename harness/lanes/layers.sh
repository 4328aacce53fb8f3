#!/bin/sh
# Lane "layers": the include and call layer check (harness/layers.sh) on
# this tree, with the objects make check built (build/asan/obj), then on a
# small tree under build/lanes/layers/ with one upward include and one
# upward call, which it must report and fail on, so the check cannot pass
# by seeing nothing.
set -u
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }

obj=build/asan/obj
[ -d "$obj" ] || obj=build/rel/obj
if sh harness/layers.sh -o "$obj"; then
	ok "no upward include or call outside harness/layers.allow"
else
	bad "upward includes or calls outside harness/layers.allow (above)"
fi

t=build/lanes/layers/tree
rm -rf "$t"
mkdir -p "$t/lib" "$t/lib/tests" "$t/fakes" "$t/harness" "$t/obj/lib" "$t/obj/fakes"
printf '#include <stdio.h>\n#include "fakes/b.h"\nint a_fn(void) { return b_fn(); }\n' > "$t/lib/a.c"
printf 'int a_fn(void);\n' > "$t/lib/a.h"
printf 'int b_fn(void);\n' > "$t/fakes/b.h"
printf '#include "lib/a.h"\n#include "b.h"\nint b_fn(void) { return 1; }\nint c_fn(void) { return a_fn(); }\n' > "$t/fakes/b.c"
printf '#include "fakes/b.h"\n' > "$t/lib/tests/t.c"
: > "$t/empty.allow"
if ! { cc -I"$t" -c "$t/lib/a.c" -o "$t/obj/lib/a.o" && cc -I"$t" -c "$t/fakes/b.c" -o "$t/obj/fakes/b.o"; }; then
	bad "self-test objects do not compile"
fi

out=$(sh harness/layers.sh -r "$t" -a "$t/empty.allow" -o "$t/obj" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] &&
	printf '%s\n' "$out" | grep -qxF "  NEW: lib/a.c:2: layer 0 includes fakes/b.h (layer 3)" &&
	printf '%s\n' "$out" | grep -qxF "  NEW: lib/a.c: layer 0 calls b_fn of fakes/b.c (layer 3)" &&
	[ "$(printf '%s\n' "$out" | grep -c 'NEW:')" -eq 2 ]; then
	ok "an upward include and call fail, with file:line; downward and test includes do not"
else
	bad "self-test: upward edges not reported as expected (exit $rc):"
	printf '%s\n' "$out"
fi

printf '# the two edges\nlib/a.c fakes/b.h\nlib/a.c   fakes/b.c  # call\nlib/gone.c fakes/b.h\n' > "$t/edges.allow"
out=$(sh harness/layers.sh -r "$t" -a "$t/edges.allow" -o "$t/obj" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] &&
	printf '%s\n' "$out" | grep -qxF "  stale allow-list entry (remove it): lib/gone.c fakes/b.h" &&
	! printf '%s\n' "$out" | grep -q 'NEW:'; then
	ok "allow-listed edges pass, stale entries are named"
else
	bad "self-test: allow-list not honoured (exit $rc):"
	printf '%s\n' "$out"
fi

sh harness/layers.sh -r "$t" -a "$t/missing.allow" > /dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "a missing allow-list is a usage error"; else bad "missing allow-list: exit $rc, want 2"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
