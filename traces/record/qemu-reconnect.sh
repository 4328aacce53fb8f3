#!/bin/bash
# Record QEMU 7.2 with two vhost-user-net devices (chardevs with
# reconnect=1) against dpdk-testpmd's net_vhost PMD, and a back-end
# restart: testpmd is stopped and started again, and QEMU reconnects both
# devices. No guest runs (-S): QEMU negotiates each connection when its
# netdev is created and again when the chardev reconnects, which is all
# this recording is for (issue #14, class 1: one QEMU process, four
# connections, two at a time).
#
# Output in traces/qemu-reconnect/:
#   qemu.strace, qemu-trace.log (-trace 'vhost_*'),
#   testpmd-1.strace, testpmd-2.strace (the back-end before and after
#   the restart), *.console.log, versions.txt, recorded-at.txt
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-reconnect
mkdir -p "$out"
s0=/tmp/cts-qemu-reconnect-$$-0.sock
s1=/tmp/cts-qemu-reconnect-$$-1.sock
qmp=/tmp/cts-qemu-reconnect-$$.qmp
rm -f "$s0" "$s1" "$qmp"

# start_testpmd N: testpmd serving both sockets, traced to testpmd-N.strace
start_testpmd() {
    cts_testpmd_bg 200 "testpmd-$1" "cts-reconnect-$$-$1" 1 "$s0" "$s1"
}

# stop_testpmd: SIGINT to testpmd itself (not to strace), wait for it
stop_testpmd() {
    cts_sigint "$tpwrap" dpdk-testpmd
    rm -f "$s0" "$s1"
}

# qmp_quit: ask QEMU to quit over QMP
qmp_quit() {
    python3 - "$qmp" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()                                  # greeting
for cmd in ("qmp_capabilities", "quit"):
    f.write(json.dumps({"execute": cmd}) + "\n")
    f.flush()
    f.readline()
EOF
}

start_testpmd 1
timeout -k 10 120 strace "${CTS_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 -accel tcg -m 256M -smp 1 -nographic -S -no-reboot \
    -object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$s0,reconnect=1" \
    -chardev "socket,id=chr1,path=$s1,reconnect=1" \
    -netdev vhost-user,id=net0,chardev=chr0 -netdev vhost-user,id=net1,chardev=chr1 \
    -device virtio-net-pci,netdev=net0,romfile= -device virtio-net-pci,netdev=net1,romfile= \
    -qmp "unix:$qmp,server=on,wait=off" \
    -trace 'vhost_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 &
qemuwrap=$!
sleep 5                 # both devices negotiated
stop_testpmd            # the back-end goes away: QEMU sees both chardevs close
sleep 2
start_testpmd 2         # back again: QEMU reconnects (reconnect=1 s) and negotiates anew
sleep 6
qmp_quit
wait "$qemuwrap" || echo "qemu exited with $?" >&2
stop_testpmd
rm -f "$qmp"
cts_finish "$out"
