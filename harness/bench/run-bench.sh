#!/bin/sh
# Runs every benchmark binary given as arguments, in turn. Each prints its
# own figures as ratios against a baseline it measures in the same run.
set -u
status=0
for b in "$@"; do
	echo "== $(basename "$b")"
	"$b" || status=1
	echo
done
exit $status
