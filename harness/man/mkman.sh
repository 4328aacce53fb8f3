#!/bin/sh
# Writes the vhost-cts(1) man page (roff) to stdout from the binary's own
# texts: `--version`, `--help` (the command list) and each command's
# `--help`, so the page lists exactly what the binary accepts. Only the
# prose around them is here. Usage: mkman.sh PATH/TO/vhost-cts
set -eu
bin=$1
# roff-safe verbatim text: backslashes, '-' as a real minus (options stay
# copyable), and lines that would start a request.
esc() {
	sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"
}
version=$("$bin" --version | sed -n 's/^vhost-cts //p')
help=$("$bin" --help)
cmds=$(printf '%s\n' "$help" | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$cmds" ] || { echo "mkman.sh: no commands in '$bin --help'" >&2; exit 1; }

cat <<ROFF
.TH VHOST\\-CTS 1 "" "vhost\\-cts $(printf '%s' "$version" | esc)" "User Commands"
.SH NAME
vhost\\-cts \\- conformance test suite for vhost\\-user and vhost\\-vdpa implementations
.SH SYNOPSIS
.B vhost\\-cts
.I COMMAND
.RI [ OPTIONS ]
\\&...
.br
.B vhost\\-cts
.BR \\-\\-help " | " \\-\\-version
.SH DESCRIPTION
.B vhost\\-cts
judges what vhost\\-user front\\-ends and back\\-ends, and vhost\\-vdpa clients
and devices, do against a catalog of rules taken from the vhost\\-user
specification, the Linux vhost uAPI and VIRTIO.
It reads recordings (strace logs, QEMU \\-trace logs, its own native capture
format), plays a fake back\\-end, front\\-end or vDPA device against a real
peer, and reports each rule's verdict as text, JSON or JUnit XML.
.B vhost\\-cts rules
prints the catalog: every rule's ID, level, side, what input decides it,
and the sentence of the specification it rests on.
.SH COMMANDS
ROFF
for c in $cmds; do
	what=$(printf '%s\n' "$help" | sed -n "s/^  $c  *//p")
	printf '.SS "%s"\n' "$(printf 'vhost-cts %s' "$c" | esc)"
	printf '%s\n' "$what" | esc
	printf '.PP\n.nf\n'
	"$bin" "$c" --help | esc
	printf '.fi\n'
done
cat <<'ROFF'
.SH "EXIT STATUS"
.TP
.B 0
clean: no MUST finding (and no SHOULD finding with \-\-strict)
.TP
.B 1
conformance findings that fail the run (for drive and fuzz\-backend also a
crash, hang or fd leak of the back\-end)
.TP
.B 2
usage error or unusable input: one line naming the file, line or offset and
what was wrong; no report is written
.SH ENVIRONMENT
.TP
.B NO_COLOR
when set and not empty, text reports have no colours (they have colours only
on a terminal anyway).
.PP
The LD_PRELOAD shim (see FILES) reads:
.TP
.B VCTS_VDPA_PATH
the device node it fakes (default /dev/vhost\-vdpa\-fake0).
.TP
.B VCTS_VDPA_OPTS
device options, as for
.BR "vhost\-cts vdpa\-fake \-\-opts" .
.TP
.B VCTS_VDPA_MAJOR
the character device major number it reports (default 511).
.TP
.BR VCTS_VDPA_REPORT ", " VCTS_VDPA_TEXT
files for the JSON and the text report, written when the client exits.
.TP
.B VCTS_VDPA_CAPTURE
a native capture of every event (judge it again with
.BR "vhost\-cts check" ).
.TP
.B VCTS_VDPA_QUIET
when set, no finding lines on stderr while the client runs.
.SH FILES
.TP
.I PREFIX/lib/vhost\-cts/libvcts\-vdpa\-preload.so
the fake vDPA device as an LD_PRELOAD shim, for machines without CUSE
(build/libvcts\-vdpa\-preload.so in a build tree); see
.BR "vhost\-cts vdpa\-fake \-\-help" .
.TP
.I PREFIX/share/bash\-completion/completions/vhost\-cts
bash completion of commands, options, rule IDs and scenario names.
.SH EXAMPLES
.nf
vhost\-cts check session.strace
vhost\-cts check \-\-strict \-\-json r.json \-\-junit r.xml session.strace
vhost\-cts check \-\-rules 'VU\-RING\-*' \-\-waive known.waive session.strace
vhost\-cts rules
vhost\-cts drive \-\-list
.fi
.SH "SEE ALSO"
.BR strace (1),
.BR qemu\-system\-x86_64 (1),
.BR dpdk\-testpmd (1)
ROFF
