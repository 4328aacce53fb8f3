#!/bin/sh
# Runs two vhost-cts binaries over every input under traces/ (each file
# alone, then each folder's files together) in every report form: text,
# --verbose, --quiet, --strict, --json -, --junit -; compares stdout,
# stderr and exit status byte for byte. For changes that must not change
# output (refactors of reports/ or the importers):
#   git stash; make build/rel/vhost-cts; cp build/rel/vhost-cts /tmp/old
#   git stash pop; make build/rel/vhost-cts
#   sh harness/tests/compare-reports.sh /tmp/old build/rel/vhost-cts
# Prints one line per difference and "N runs, N differ"; exit 1 if any.
set -u
[ $# -eq 2 ] || { echo "usage: $0 OLD-BIN NEW-BIN" >&2; exit 2; }
old=$1
new=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vcts-cmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
runs=0
differ=0
# Color off: a terminal would colour one run and not the other.
export NO_COLOR=1
compare() {
	for mode in "" -v -q --strict "--json -" "--junit -"; do
		runs=$((runs + 1))
		# shellcheck disable=SC2086
		"$old" check $mode "$@" > "$tmp/o.out" 2> "$tmp/o.err"
		echo "rc $?" >> "$tmp/o.err"
		# shellcheck disable=SC2086
		"$new" check $mode "$@" > "$tmp/n.out" 2> "$tmp/n.err"
		echo "rc $?" >> "$tmp/n.err"
		if ! cmp -s "$tmp/o.out" "$tmp/n.out" || ! cmp -s "$tmp/o.err" "$tmp/n.err"; then
			differ=$((differ + 1))
			echo "DIFFER: check $mode $*"
		fi
	done
}
# Tracked files only: recording scripts leave work files under traces/.
inputs=$(git ls-files traces | grep -vE '(\.md|\.py|\.sh|/\.[^/]*)$' | sort)
for f in $inputs; do
	compare "$f"
done
for d in $(printf '%s\n' "$inputs" | xargs -n1 dirname | sort -u); do
	# shellcheck disable=SC2046
	compare $(printf '%s\n' "$inputs" | grep "^$d/[^/]*$")
done
echo "$runs runs, $differ differ"
[ "$differ" -eq 0 ]
