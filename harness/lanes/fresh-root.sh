#!/bin/sh
# Lane: the README's first command on a really fresh Debian 12. A minbase
# root is made with debootstrap under build/lanes/fresh-root/, the source is
# copied in (the files git knows, so it works from a clean clone), and the
# command harness/readme-commands.sh prints (what CI runs) is run inside with
# chroot: it must install the build dependencies, build build/vhost-cts with
# `make` alone, and print a verdict with exit status 0.
#
# The pristine root and the .debs apt downloaded are kept in cache/ between
# local runs (delete it, or start clean as CI does, to time a full run).
set -u
work=$PWD/build/lanes/fresh-root
root=$work/root
cache=$work/cache
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() {
	echo "skip: $1"
	echo "fresh-root: 0 passed, 0 failed, 1 skipped"
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap > /dev/null || skip "no debootstrap (harness/deps/test.txt installs it)"

# Unmount what this lane mounted and remove the root; never remove while
# anything is still mounted under it (a bound /dev would be emptied).
mounted() { grep -q " $root/$1 " /proc/mounts; }
cleanup() {
	for m in dev/pts dev proc; do
		if mounted "$m"; then
			umount "$root/$m" 2> /dev/null || umount -l "$root/$m"
		fi
	done
	if grep -q " $root/" /proc/mounts; then
		echo "fresh-root: still mounted under $root, not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
cleanup || { echo "fresh-root: 0 passed, 1 failed"; exit 1; }
mkdir -p "$work" "$cache/debs"

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null |
	grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

t0=$(date +%s)
if [ -s "$cache/root.tar" ]; then
	mkdir -p "$root" && tar -C "$root" -xf "$cache/root.tar" &&
		ok "minbase root from cache/root.tar ($(($(date +%s) - t0)) s)" ||
		{ bad "cannot unpack cache/root.tar"; echo "fresh-root: $passed passed, $failed failed"; exit 1; }
else
	if timeout 1200 debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1; then
		ok "debootstrap --variant=minbase bookworm from $mirror ($(($(date +%s) - t0)) s)"
		tar -C "$root" -cf "$cache/root.tar.tmp" . && mv "$cache/root.tar.tmp" "$cache/root.tar"
	else
		tail -n 20 "$work/debootstrap.log"
		bad "debootstrap failed (log: $work/debootstrap.log)"
		echo "fresh-root: $passed passed, $failed failed"
		exit 1
	fi
fi
# A minbase root has no build tools and no -dev package: that is the point.
if [ -e "$root/usr/include/json-c/json.h" ] || [ -e "$root/usr/bin/gcc" ]; then
	bad "the root is not fresh: gcc or json-c headers already there"
else
	ok "the root has no gcc and no json-c headers"
fi

cp /etc/resolv.conf "$root/etc/resolv.conf"
find "$cache/debs" -name '*.deb' -exec cp {} "$root/var/cache/apt/archives/" \;
src=$root/root/vhost-cts
mkdir -p "$src"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	# tracked and new files, as a clone plus this work tree's changes has
	git ls-files -z -co --exclude-standard | tar -c --null --ignore-failed-read -T - -f - 2> /dev/null |
		tar -x -C "$src"
else
	tar -c --exclude=./build --exclude=./.git -f - . | tar -x -C "$src"
fi
[ -f "$src/Makefile" ] && [ ! -e "$src/build" ] && ok "source copied in ($(du -sm "$src" | cut -f1) MiB, no build/)" ||
	bad "source copy incomplete"

# /dev/pts too, a fresh instance: apt logs through a pty.
mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" &&
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" ||
	{ bad "cannot mount /proc, /dev and /dev/pts in the root"; echo "fresh-root: $passed passed, $failed failed"; exit 1; }

cmd=$(sh harness/readme-commands.sh 1) || { bad "no README command 1"; echo "fresh-root: $passed passed, $failed failed"; exit 1; }
echo "README command 1: $cmd"
t1=$(date +%s)
# A clean environment, as a root login on the new system; two jobs (the
# command's own text is run unchanged).
timeout 2400 nice chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 MAKEFLAGS=-j2 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/sh -c "cd /root/vhost-cts && $cmd" > "$work/command1.log" 2>&1
rc=$?
secs=$(($(date +%s) - t1))
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp {} "$cache/debs/" \;
verdict=$(grep -E '^verdict: ' "$work/command1.log" | tail -n 1)
if [ "$rc" -eq 0 ] && [ -n "$verdict" ]; then
	ok "README command 1 exited 0 with '$verdict' in $secs s"
else
	tail -n 30 "$work/command1.log"
	bad "README command 1 exited $rc, verdict '${verdict:-none}' (log: $work/command1.log)"
fi
# Installing and building say nothing alarming to a newcomer: no warning,
# error or missing-file line before the check's report.
noise=$(awk '/^session [0-9]/ { exit } { print }' "$work/command1.log" |
	grep -iE 'warning|error|not found|no such file' | head -n 5)
[ -z "$noise" ] && ok "install and build print no warning or error" || bad "install or build printed: $noise"
# `make` with no target built the binary (and the rest of `all`).
for f in build/vhost-cts build/libvcts-vdpa-preload.so build/vhost-cts.1; do
	[ -s "$src/$f" ] && ok "make alone built $f" || bad "make alone did not build $f"
done
echo "fresh-root: $passed passed, $failed failed ($(($(date +%s) - t0)) s in all)"
[ "$failed" -eq 0 ]
