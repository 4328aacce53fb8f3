#!/bin/sh
# Prints command N (1 or 2) of README.md's "The two commands" section: the
# Nth ```sh block there, which must be one line. .ci/run and the fresh-root
# lane run what this prints, so CI runs the README's commands as written.
#   sh harness/readme-commands.sh 1        # print it
#   sh -c "$(sh harness/readme-commands.sh 1)"
set -eu
n=${1:-}
readme=${2:-$(dirname "$0")/../README.md}
case "$n" in 1|2) ;; *) echo "usage: readme-commands.sh 1|2 [README.md]" >&2; exit 2 ;; esac
awk -v n="$n" -v f="$readme" '
	/^## / { sec = ($0 == "## The two commands") }
	sec && /^```sh$/ { blk++; inb = 1; next }
	inb && /^```$/ { inb = 0; next }
	inb && blk == n { lines++; cmd = $0 }
	END {
		if (lines != 1) {
			printf "%s: \"The two commands\" has no one-line sh block %d (%d lines)\n", f, n, lines > "/dev/stderr"
			exit 2
		}
		print cmd
	}' "$readme"
