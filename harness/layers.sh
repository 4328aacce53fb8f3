#!/bin/sh
# The layer check (issue #13): a lower layer never includes or calls a
# higher one. Layers: lib/ and include/ 0, conformance/ 1, reports/ 2,
# fakes/ 3, harness/ 4; fuzz/ and every */tests/ folder are consumers (5):
# they may use anything, and nothing below them may use them.
#
#   sh harness/layers.sh [-r ROOT] [-a ALLOW] [-o OBJDIR]
#
# Includes: every #include "..." of every .c/.h/.def under ROOT, resolved
# as the build does (-I. -Iinclude, then the including file's folder).
# Calls: with OBJDIR (a build's obj/ tree, e.g. build/asan/obj), every
# undefined symbol of a library object that another library object of a
# higher layer defines; only objects whose source is in ROOT count, so a
# stale object of a deleted file is ignored.
# Every upward edge is printed as "file:line: ..." (includes) or
# "file: calls SYMBOL of file" (calls); it fails the check unless the pair
# "FROM TO" is in ALLOW (default harness/layers.allow), which lists today's
# known back edges so that no new one lands. Allow-list entries no longer
# seen are printed so the list can shrink. Ends with "N passed, N failed";
# exit 1 on a new edge, 2 on a usage error.
set -u
root=.
allow=
objdir=
while getopts r:a:o: opt; do
	case $opt in
	r) root=$OPTARG ;;
	a) allow=$OPTARG ;;
	o) objdir=$OPTARG ;;
	*) echo "usage: $0 [-r ROOT] [-a ALLOW] [-o OBJDIR]" >&2; exit 2 ;;
	esac
done
[ -n "$allow" ] || allow=$root/harness/layers.allow
if [ ! -d "$root" ] || [ ! -r "$allow" ]; then
	echo "layers: $root or $allow: not found" >&2
	exit 2
fi
if [ -n "$objdir" ] && [ ! -d "$objdir" ]; then
	echo "layers: $objdir: no such object directory" >&2
	exit 2
fi
allow=$(cd "$(dirname "$allow")" && pwd)/$(basename "$allow")
[ -z "$objdir" ] || objdir=$(cd "$objdir" && pwd)
cd "$root" || exit 2

# layer PATH: the layer number of a repository-relative path.
layer() {
	case $1 in
	*/tests/*|fuzz/*) echo 5 ;;
	lib/*|include/*) echo 0 ;;
	conformance/*) echo 1 ;;
	reports/*) echo 2 ;;
	fakes/*) echo 3 ;;
	harness/*) echo 4 ;;
	*) echo 5 ;;
	esac
}

# The allow-list without comments and blank lines: "FROM TO" pairs.
pairs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$allow" | awk '{print $1, $2}')
allowed() {
	printf '%s\n' "$pairs" | grep -qxF "$1 $2"
}
seen=
new=0

# Edge FROM TO MESSAGE: judge one upward edge.
edge() {
	if allowed "$1" "$2"; then
		echo "  allowed: $3"
	else
		echo "  NEW: $3"
		new=$((new + 1))
	fi
	seen="$seen
$1 $2"
}

echo "layers: includes"
files=$(find lib include conformance reports fakes harness \
	\( -name '*.c' -o -name '*.h' -o -name '*.def' \) -type f 2>/dev/null | sort)
includes=0
for f in $files; do
	lf=$(layer "$f")
	[ "$lf" -lt 5 ] || continue
	# "LINE TARGET" per quoted include
	hits=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p;=' "$f" |
		awk '/^[0-9]+$/ { n = $0; next } { print n + 1, $0 }')
	[ -n "$hits" ] || continue
	while read -r line target; do
		includes=$((includes + 1))
		t=
		for c in "$target" "include/$target" "$(dirname "$f")/$target"; do
			if [ -f "$c" ]; then
				t=$c
				break
			fi
		done
		[ -n "$t" ] || continue # a system or generated header
		t=$(printf '%s' "$t" | sed -e 's#/\./#/#g' -e 's#^\./##')
		lt=$(layer "$t")
		[ "$lt" -gt "$lf" ] || continue
		edge "$f" "$t" "$f:$line: layer $lf includes $t (layer $lt)"
	done <<EOF
$hits
EOF
done
inc_new=$new
echo "  $includes includes read, $inc_new new upward"

calls=0
if [ -n "$objdir" ]; then
	echo "layers: calls (objects in $objdir)"
	tab=$(mktemp "${TMPDIR:-/tmp}/vcts-layers.XXXXXX")
	for f in $files; do
		case $f in *.c) ;; *) continue ;; esac
		[ "$(layer "$f")" -lt 5 ] || continue
		o=$objdir/${f%.c}.o
		[ -f "$o" ] || continue
		nm -g --defined-only "$o" | awk -v f="$f" 'NF >= 3 { print "D", $3, f }'
		nm -u "$o" | awk -v f="$f" '{ print "U", $NF, f }'
	done > "$tab"
	# "FROM TO SYMBOL" for each reference to a symbol defined elsewhere
	refs=$(awk '$1 == "D" { def[$2] = $3; next }
		$1 == "U" && ($2 in def) && def[$2] != $3 { print $3, def[$2], $2 }' "$tab" "$tab" | sort -u)
	rm -f "$tab"
	if [ -n "$refs" ]; then
		while read -r from to sym; do
			calls=$((calls + 1))
			lf=$(layer "$from")
			lt=$(layer "$to")
			[ "$lt" -gt "$lf" ] || continue
			edge "$from" "$to" "$from: layer $lf calls $sym of $to (layer $lt)"
		done <<EOF
$refs
EOF
	fi
	echo "  $calls references between objects, $((new - inc_new)) new upward"
fi

# Entries of the allow-list that no edge used: moved or fixed.
printf '%s\n' "$pairs" | while read -r a b; do
	[ -n "$a" ] || continue
	# a call edge (TO is a .c) is only looked for with objects
	case $b in *.c) [ -n "$objdir" ] || continue ;; esac
	printf '%s\n' "$seen" | grep -qxF "$a $b" || echo "  stale allow-list entry (remove it): $a $b"
done

checks=1
[ -z "$objdir" ] || checks=2
failed=0
[ "$inc_new" -eq 0 ] || failed=$((failed + 1))
[ "$new" -eq "$inc_new" ] || failed=$((failed + 1))
echo "layers: $((checks - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
