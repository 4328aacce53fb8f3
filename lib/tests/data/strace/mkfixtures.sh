#!/bin/sh
# Regenerates the real strace fixtures used by lib/tests/test_strace.c.
# Needs gcc and strace. Run from this directory; fixtures are committed,
# so this only matters when the fixture scenarios change.
set -eu
cc -O1 -o /tmp/vcts-mkfx mkfixtures.c
T=sendmsg,recvmsg,read,write,readv,writev,sendto,recvfrom
S="strace -yy -xx -s 65536 -e trace=$T"
# front-end view (no -f: the forked back-end is not traced)
$S -tt -o fe.strace /tmp/vcts-mkfx fe
# back-end view: header by recvmsg, payload by read; back-end channel
$S -tt -o be.strace /tmp/vcts-mkfx be
# back-end view, MSG_PEEK, front-end dies mid-message (EOF partial)
$S -tt -o be-partial.strace /tmp/vcts-mkfx be-partial
# both processes traced: pids, <unfinished ...>/<... resumed>
$S -f -tt -o both.strace /tmp/vcts-mkfx fe
# front-end blocked in read for a reply that never comes
$S -tt -o stall.strace /tmp/vcts-mkfx stall || true
# epoch times and "[pid N]" prefixes (strace writing to stderr)
$S -f -ttt /tmp/vcts-mkfx be 2> be-ttt.strace
# strings cut by a small -s
strace -yy -xx -s 16 -e trace=$T -tt -o fe-s16.strace /tmp/vcts-mkfx fe

# -f and the front-end killed while blocked: <unfinished ...> never resumed
$S -f -tt -o stall-f.strace /tmp/vcts-mkfx stall || true
# a log cut right after the header of SET_MEM_TABLE was read (EOF partial)
n=$(grep -n 'recvmsg.*iov_base="\\x05\\x00\\x00\\x00\\x01' be.strace | head -n 1 | cut -d: -f1)
head -n "$n" be.strace > be-cut.strace
rm -f /tmp/vcts-mkfx
