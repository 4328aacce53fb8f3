#!/bin/sh
# Lane: the README's two commands as CI takes them (harness/readme-commands.sh)
# and the package lists they install. Quick; a lane because it checks shell
# scripts and apt's view, not C.
set -u
work=build/lanes/readme
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
rm -rf "$work"
mkdir -p "$work"

c1=$(sh harness/readme-commands.sh 1) && c2=$(sh harness/readme-commands.sh 2) ||
	{ bad "readme-commands.sh cannot find both commands in README.md"; c1=; c2=; }
case "$c1" in
"sh harness/deps/install.sh build && make && build/vhost-cts check "*) ok "command 1: $c1" ;;
*) bad "command 1 is not install build, make, check: '$c1'" ;;
esac
case "$c2" in
"sh harness/deps/install.sh build test && make check") ok "command 2: $c2" ;;
*) bad "command 2 is not install build test, make check: '$c2'" ;;
esac
# The recording command 1 judges is in the repository.
f=${c1##* }
[ -f "$f" ] && ok "command 1's recording $f exists" || bad "command 1's recording '$f' is missing"

# Malformed READMEs are refused with a message naming the file, exit 2.
printf '# x\n## The two commands\n```sh\nmake\nmake check\n```\n## Next\n```sh\nls\n```\n' > "$work/two-lines.md"
printf '# x\n## Other\n```sh\nmake\n```\n' > "$work/no-section.md"
for m in two-lines no-section; do
	out=$(sh harness/readme-commands.sh 1 "$work/$m.md" 2>&1)
	rc=$?
	case "$rc:$out" in
	2:*"$work/$m.md"*) ok "$m README refused: $out" ;;
	*) bad "$m README: exit $rc, '$out'" ;;
	esac
done
out=$(sh harness/readme-commands.sh 3 2>&1)
[ $? -eq 2 ] && ok "command 3 is a usage error" || bad "command 3 accepted: $out"

# Every package of the lists exists in this machine's Debian archive view
# (a typo would first show on a fresh machine).
if command -v apt-cache > /dev/null; then
	for list in build test; do
		missing=""
		for p in $(sed -e 's/#.*//' "harness/deps/$list.txt"); do
			apt-cache show --no-all-versions "$p" > /dev/null 2>&1 || missing="$missing $p"
		done
		[ -z "$missing" ] && ok "every package of harness/deps/$list.txt is known to apt" ||
			bad "harness/deps/$list.txt: not known to apt:$missing"
	done
else
	echo "skip package lists: no apt-cache"
fi
echo "readme: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
