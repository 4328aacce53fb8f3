#!/bin/sh
# Lane: `make install` / `make uninstall` into a DESTDIR. Every file lands
# where it should, the installed binary runs, `man -l` renders the page
# without warnings and the page holds every line of every command's --help,
# the bash completion completes commands, options, rule IDs and scenario
# names, and uninstall leaves no file behind.
set -u
work=build/lanes/install
dest=$PWD/$work/root
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "install: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
# make check's jobserver is not ours (this lane runs beside it).
unset MAKEFLAGS MFLAGS MAKELEVEL
rm -rf "$work"
mkdir -p "$work"

if make -s install DESTDIR="$dest" PREFIX=/usr > "$work/install.log" 2>&1; then
	ok "make install DESTDIR=$work/root PREFIX=/usr"
else
	cat "$work/install.log"
	bad "make install exited non-zero"
	finish
fi
bin=$dest/usr/bin/vhost-cts
page=$dest/usr/share/man/man1/vhost-cts.1
comp=$dest/usr/share/bash-completion/completions/vhost-cts
shim=$dest/usr/lib/vhost-cts/libvcts-vdpa-preload.so
for f in "$bin" "$page" "$comp" "$shim"; do
	[ -s "$f" ] && ok "installed ${f#"$dest"}" || bad "missing ${f#"$dest"}"
done
[ -x "$bin" ] && "$bin" --version | grep -q '^vhost-cts ' && ok "installed binary runs" ||
	bad "installed binary does not run"
n=$(find "$dest" -type f | wc -l)
[ "$n" -eq 4 ] && ok "exactly 4 files installed" || bad "$n files installed, want 4: $(find "$dest" -type f)"

# The page renders (groff warnings are errors here) in ASCII, so '-' in
# options compares byte for byte with --help.
if command -v man > /dev/null; then
	LC_ALL=C MANWIDTH=250 man --warnings -l "$page" > "$work/page.txt" 2> "$work/page.err"
	if [ -s "$work/page.txt" ] && [ ! -s "$work/page.err" ]; then
		ok "man -l renders the page without warnings"
	else
		cat "$work/page.err"
		bad "man -l: no page or warnings"
	fi
	# Every non-empty line of each command's --help is a line of the page
	# (leading and repeated blanks aside): the page is not stale.
	squeeze() { sed -e 's/.\x08//g' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//'; }
	squeeze < "$work/page.txt" > "$work/page.sq"
	cmds=$("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
	ncmds=0
	for c in $cmds; do
		ncmds=$((ncmds + 1))
		missing=$("$bin" "$c" --help | squeeze | grep -v '^$' | grep -vxF -f "$work/page.sq" | head -n 3)
		if [ -z "$missing" ] && grep -qx "vhost-cts $c" "$work/page.sq"; then
			ok "page has 'vhost-cts $c' and all its --help"
		else
			bad "page lacks vhost-cts $c --help lines: $missing"
		fi
	done
	[ "$ncmds" -ge 10 ] && ok "$ncmds commands in --help" || bad "only $ncmds commands in --help"
	# ENVIRONMENT is prose: it names every variable the tool and the shim read.
	vars=$(grep -rhoE 'getenv\("[A-Z_]+"\)' --include='*.c' --exclude-dir=tests --exclude-dir=bench lib conformance reports fakes harness |
		sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
	missing=""
	for v in $vars; do
		sed -n '/^ENVIRONMENT$/,/^FILES$/p' "$work/page.sq" | grep -qw "$v" || missing="$missing $v"
	done
	[ -n "$vars" ] && [ -z "$missing" ] && ok "ENVIRONMENT names every variable read: $(echo $vars)" ||
		bad "ENVIRONMENT lacks:$missing"
else
	echo "skip man -l: man (man-db) not installed"
fi

# Completion: source the installed file and call its function as bash does.
if command -v bash > /dev/null; then
	cat > "$work/comp.bash" <<'EOF'
source "$1"
bin=$2
t() {
	want=$1; shift
	COMP_WORDS=("$bin" "$@"); COMP_CWORD=$#; COMPREPLY=()
	_vhost_cts
	got="${COMPREPLY[*]}"
	if [ "$got" = "$want" ]; then echo "ok   completes '$*' to '$got'"
	else echo "FAIL completes '$*' to '$got', want '$want'"; fi
}
t "check" ch
t "decode drive" d
t "--strict" check --st
t "--profile --protocol-features" serve --pro
t "--spawn --spawn-log" drive --sp
# the catalog grows: the IDs come from the installed binary's own list
t "$("$bin" rules | awk '$1 ~ /^VU-RING-1/ {printf "%s%s", s, $1; s=" "}')" check --rules VU-RING-1
t "VU-HDR-01,MEM-10 VU-HDR-01,MEM-11" check --rules VU-HDR-01,MEM-1
t "neg-version" drive --scenario neg-vers
t "qemu-trace" decode --format q
t "blk" drive --device b
complete -p vhost-cts
EOF
	bash "$work/comp.bash" "$comp" "$bin" > "$work/comp.out" 2>&1
	grep -E '^(ok|FAIL) ' "$work/comp.out"
	passed=$((passed + $(grep -c '^ok ' "$work/comp.out")))
	failed=$((failed + $(grep -c '^FAIL ' "$work/comp.out")))
	grep -q -- '-F _vhost_cts.* vhost-cts$' "$work/comp.out" && ok "completion registered for vhost-cts" ||
		bad "completion not registered: $(tail -n 1 "$work/comp.out")"
else
	echo "skip completion: no bash"
fi

if make -s uninstall DESTDIR="$dest" PREFIX=/usr > "$work/uninstall.log" 2>&1; then
	left=$(find "$dest" -type f)
	[ -z "$left" ] && ok "make uninstall removes every file" || bad "left after uninstall: $left"
else
	cat "$work/uninstall.log"
	bad "make uninstall exited non-zero"
fi

# The default PREFIX is /usr/local.
make -s install DESTDIR="$dest" > "$work/install2.log" 2>&1 && [ -x "$dest/usr/local/bin/vhost-cts" ] &&
	make -s uninstall DESTDIR="$dest" >> "$work/install2.log" 2>&1 && [ -z "$(find "$dest" -type f)" ] &&
	ok "default PREFIX /usr/local: install and uninstall" || { cat "$work/install2.log"; bad "default PREFIX"; }
finish
