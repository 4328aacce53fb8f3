#!/bin/sh
# Moves the rule catalog to include/vcts/rules.def and gives its public
# tokens a prefix (issue #13): rule enumerators VU_HDR_01 -> VC_R_VU_HDR_01,
# sides FE/BE/CL/DEV/LST -> VC_SIDES_FE..., needs HDR/TRACE/LIVE ->
# VC_NEEDS_HDR..., levels MUST/SHOULD/INFO -> VC_MUST... (enum vc_level's
# names). Idempotent: on a converted tree it changes nothing, so it can be
# run again on any tree that still has rows or uses in the old spelling
# (a branch written before the rename, once merged).
#
#   sh harness/tools/prefix-rules.sh [--move] [ROOT]     (default: .)
#
# --move does only the move and the path rewrites (the rows stay as they
# are), so git sees a 100% rename.
#
# Merging a branch B written in the old spelling (git finds no rename from
# conformance/rules.def to the rewritten file, and every converted line
# would conflict with B's edits beside it): convert B first, on a copy.
#   git checkout -b B-conv B
#   git merge --no-edit MOVE     # the "--move" output commit: B's rows follow
#                                # the rename (other conflicts as usual)
#   sh harness/tools/prefix-rules.sh && git commit -qam "prefix-rules.sh on B"
#   git merge -s ours --no-edit CONV  # the conversion commit: its effect is
#                                # already in B-conv (same script, same lines)
#   git checkout main && git merge B-conv   # conflicts only where B and main
#                                # really overlap
#   sh harness/tools/prefix-rules.sh        # "0 files rewritten"
# MOVE: git log --format=%h -1 --grep='^Output of harness/tools/prefix-rules.sh --move'
# CONV: git log --format=%h -1 --grep='^Output of harness/tools/prefix-rules.sh: '
# Merging the branch that brought this script into a main that moved on:
# in a conflicted C file that branch changed only by this script's output
# (any but include/vcts/*, conformance/catalog.c, fakes/vdpa/certify*),
# take main's side (git checkout --ours FILE), resolve the Markdown by
# hand, then run the script: it converts main's new code too.
#
# What it rewrites, in code only (never inside strings or comments, never
# under traces/ or fuzz/{corpus,regress,campaigns}: recordings and inputs):
#   - every RULE(...) row of rules.def: enumerator, level, sides, needs;
#     the ID, text and reference are left byte for byte;
#   - every use of a rule enumerator named by a row, in *.c, *.h, *.def;
#   - side and needs tokens where they are the catalog's: in public headers
#     (include/vcts/), after "sides &" / "sides ==" (also "(FE | BE)"),
#     beside "needs ==" / "needs !=", in "case HDR:", in "{ FE, \"FE\" }";
#   - "VC_##lvl" in a RULE() expansion (the level is now spelt in full);
#   - #include "conformance/rules.def" -> #include "vcts/rules.def", and
#     the path conformance/rules.def in any text (*.c *.h *.def *.md *.sh
#     *.py Makefile) -> include/vcts/rules.def.
# A bare token it leaves (a use in a shape it does not know) fails to
# compile with "FE undeclared"; spell it VC_SIDES_FE by hand. It ends by
# listing any RULE row still in the old spelling (exit 1 if there is one).
set -eu
move_only=0
if [ "${1:-}" = --move ]; then
	move_only=1
	shift
fi
root=${1:-.}
cd "$root"
old=conformance/rules.def
new=include/vcts/rules.def
self=harness/tools/prefix-rules.sh
if [ -f "$old" ]; then
	if [ -f "$new" ]; then
		echo "prefix-rules: both $old and $new exist; move the rows of $old into $new by hand, delete $old, run again" >&2
		exit 2
	fi
	if git ls-files --error-unmatch "$old" > /dev/null 2>&1; then
		git mv "$old" "$new"
	else
		mv "$old" "$new"
	fi
	echo "prefix-rules: moved $old to $new"
fi
if [ ! -f "$new" ]; then
	echo "prefix-rules: no $new (run from the repository root or give it)" >&2
	exit 2
fi

find . \( -path ./build -o -path ./.git -o -path ./traces -o -path ./fuzz/corpus \
	-o -path ./fuzz/regress -o -path ./fuzz/campaigns \) -prune -o \
	-type f \( -name '*.c' -o -name '*.h' -o -name '*.def' -o -name '*.md' -o -name '*.sh' \
	-o -name '*.py' -o -name Makefile \) -print | sed 's|^\./||' | grep -vxF "$self" | sort |
	PREFIX_RULES_MOVE_ONLY=$move_only perl -e '
use strict;
use warnings;
my $rules = shift @ARGV;
my %side = map { $_ => 1 } qw(FE BE CL DEV LST);
my %needs = map { $_ => 1 } qw(HDR TRACE LIVE);
my %level = map { $_ => 1 } qw(MUST SHOULD INFO);

sub slurp { my $f = shift; open my $h, "<", $f or die "$f: $!\n"; local $/; my $s = <$h>; close $h; return $s; }

sub sides {
	my $s = shift;
	$s =~ s/\b([A-Z]+)\b/$side{$1} ? "VC_SIDES_$1" : $1/ge;
	return $s;
}

# The rows first: their enumerators name what is renamed everywhere.
my $def = slurp($rules);
my %enum;
my $row = qr/^(\s*RULE\(\s*)(\w+)(\s*,\s*"[^"\\\n]*"\s*,\s*)(\w+)(\s*,\s*)([A-Za-z0-9_|\s]+?)(\s*,\s*)(\w+)(\s*,)/m;
while ($def =~ /$row/g) {
	(my $e = $2) =~ s/^VC_R_//;
	$enum{$e} = 1;
}
delete $enum{e};   # the macro parameter of a "#define RULE(e, ...)" line

sub code {
	my ($s, $public) = @_;
	$s =~ s/\b([A-Z][A-Z0-9_]*)\b/$enum{$1} ? "VC_R_$1" : $1/ge;
	if ($public) {
		$s =~ s/\b([A-Z]+)\b/$side{$1} ? "VC_SIDES_$1" : $needs{$1} ? "VC_NEEDS_$1" : $1/ge;
		return $s;
	}
	$s =~ s/(\bsides\s*(?:&|==|!=|\|=|&=|=)\s*)(\(\s*[A-Z]+(?:\s*\|\s*[A-Z]+)*\s*\)|[A-Z]+\b)/
		my ($p, $x) = ($1, $2); my @w = $x =~ m{([A-Z]+)}g;
		(grep { !$side{$_} } @w) ? "$p$x" : $p . sides($x)/ge;
	$s =~ s/(\bneeds\s*(?:==|!=|=)\s*)(HDR|TRACE|LIVE)\b/$1VC_NEEDS_$2/g;
	$s =~ s/\b(HDR|TRACE|LIVE)(\s*(?:==|!=)\s*[\w.>()\[\]-]*\bneeds\b)/VC_NEEDS_$1$2/g;
	$s =~ s/\bcase\s+\K(HDR|TRACE|LIVE)(?=\s*:)/VC_NEEDS_$1/g;
	$s =~ s/(\{\s*)(FE|BE|CL|DEV|LST)(\s*,\s*$)/$1VC_SIDES_$2$3/g;
	return $s;
}

sub convert_c {
	my ($s, $public) = @_;
	# Code apart from comments, strings and character constants.
	my $out = "";
	while ($s =~ m{\G((?:[^/"\x27]|/(?![*/]))*)(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27|/|"|\x27|\z)}gs) {
		my ($c, $lit) = ($1, $2);
		$out .= code($c, $public) . $lit;
		last if $lit eq "" && pos($s) >= length $s;
	}
	return $out;
}

my $changed = 0;
for my $f (map { chomp; $_ } <STDIN>) {
	my $s = slurp($f);
	my $t = $s;
	if ($f =~ /\.(c|h|def)$/) {
		$t =~ s/^(\s*#\s*include\s*)"conformance\/rules\.def"/$1"vcts\/rules.def"/mg;
		if ($ENV{PREFIX_RULES_MOVE_ONLY}) {
			# nothing more
		} elsif ($f eq $rules) {
			$t =~ s/$row/
				my ($a, $e, $b, $l, $c, $sd, $d, $n, $z) = ($1, $2, $3, $4, $5, $6, $7, $8, $9);
				$e = "VC_R_$e" unless $e =~ m{^VC_R_};
				$l = "VC_$l" if $level{$l};
				$n = "VC_NEEDS_$n" if $needs{$n};
				"$a$e$b$l$c" . sides($sd) . "$d$n$z"/ge;
		}
		unless ($ENV{PREFIX_RULES_MOVE_ONLY}) {
			$t =~ s/(#\s*define\s+RULE\(.*?)\bVC_\s*##\s*(\w+)/$1$2/g;
			$t = convert_c($t, $f =~ m{^include/vcts/});
		}
	}
	$t =~ s{(?<![\w/])conformance/rules\.def}{include/vcts/rules.def}g;
	next if $t eq $s;
	open my $h, ">", $f or die "$f: $!\n";
	print $h $t;
	close $h or die "$f: $!\n";
	print "prefix-rules: rewrote $f\n";
	$changed++;
}
print "prefix-rules: $changed files rewritten\n";
' "$new"

# Every row must now be in the new spelling.
[ "$move_only" -eq 1 ] && exit 0
if grep -n '^[[:space:]]*RULE(' "$new" | grep -v '^[0-9]*:[[:space:]]*RULE([[:space:]]*VC_R_[A-Z0-9_]*,[[:space:]]*"[^"]*",[[:space:]]*VC_\(MUST\|SHOULD\|INFO\),[[:space:]]*VC_SIDES_'; then
	echo "prefix-rules: the rows above are not in the form RULE(VC_R_..., \"ID\", VC_MUST, VC_SIDES_..., VC_NEEDS_..., ...): fix them by hand" >&2
	exit 1
fi
