#!/bin/bash
# Record QEMU 7.2 virtio-net-pci (vhost-user front-end, TCG guest) against
# dpdk-testpmd net_vhost (back-end) while a QMP client hot-plugs and then
# hot-unplugs a 128 MiB memfd-backed pc-dimm with the rings running.
#
# Output: traces/qemu-hotplug/
#   qemu.strace, testpmd.strace, qemu-trace.log (one run, all three)
#   qemu.console.log (guest serial console), testpmd.console.log,
#   qmp.log (every QMP command, reply and event, timestamped)
#
# The guest is mkguest.sh's, cts.mode=net plus cts_hold=SECONDS (it stays
# that long after its first link up, pinging once a second, and prints
# MemTotal whenever it changes) and memhp_default_state=online_movable (a
# hot-plugged block is onlined by the kernel itself, into ZONE_MOVABLE so
# that it can be offlined again for the unplug). qmp-hotplug.py waits for
# the guest's hold, plugs, waits PLUGGED_SECONDS, unplugs. Then the guest
# goes on as in qemu-dpdk-net.sh (rmmod/insmod virtio_net, link up,
# poweroff) and testpmd gets SIGINT.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-hotplug
hold=${HOLD_SECONDS:-40}
plugged=${PLUGGED_SECONDS:-6}
# the guest must know cts_hold (mkguest.sh after the hold was added)
if [ -f "$CTS_GUEST_DIR/initramfs.cpio.gz" ] &&
   ! (cd /tmp && zcat "$CTS_GUEST_DIR/initramfs.cpio.gz" | cpio -i --quiet --to-stdout init) | grep -q cts_hold; then
    echo "guest in $CTS_GUEST_DIR predates cts_hold: rebuilding" >&2
    "$CTS_RECORD_DIR/mkguest.sh" "$CTS_GUEST_DIR"
fi
cts_guest
mkdir -p "$out"
sock=/tmp/cts-qemu-hotplug-$$.sock
qmp=/tmp/cts-qemu-hotplug-$$.qmp
rm -f "$sock" "$qmp" "$out/qemu.console.log"

cts_testpmd_bg 400 testpmd "cts-hp-$$" 1 "$sock"

timeout -k 10 300 strace "${CTS_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M,slots=4,maxmem=1G -smp 1 -nographic -no-reboot \
    -object memory-backend-memfd,id=mem0,size=256M,share=on \
    -numa node,memdev=mem0 \
    -chardev "socket,id=chr0,path=$sock" \
    -netdev vhost-user,id=net0,chardev=chr0,queues=1 \
    -device virtio-net-pci,netdev=net0,vectors=0,romfile= \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=net cts_hold=$hold memhp_default_state=online_movable" \
    -qmp "unix:$qmp,server=on,wait=off" \
    -trace 'vhost_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 &
qemuwrap=$!

timeout -k 5 280 python3 "$CTS_RECORD_DIR/qmp-hotplug.py" "$qmp" \
    "$out/qemu.console.log" "$plugged" >"$out/qmp.log" 2>&1 ||
    echo "qmp-hotplug.py exited with $?" >&2

wait "$qemuwrap" || echo "qemu exited with $?" >&2

cts_sigint "$tpwrap" dpdk-testpmd
rm -f "$sock" "$qmp"

cts_finish "$out"
