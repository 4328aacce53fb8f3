#!/bin/bash
# Record QEMU 7.2 virtio-net-pci (vhost-user front-end, TCG guest) against
# dpdk-testpmd net_vhost while a QMP client hot-unplugs the device and its
# chardev with the rings running and plugs both back (a new connection to
# the same testpmd, which keeps listening).
#
# Output: traces/qemu-replug/
#   qemu.strace, testpmd.strace, qemu-trace.log (one run, all three)
#   qemu.console.log, testpmd.console.log, qmp.log
#
# Guest: cts.mode=net cts_hold=SECONDS. qmp-replug.py waits for the hold,
# unplugs (device_del, the guest ejects it through ACPI; netdev_del;
# chardev-remove), plugs back (chardev-add, netdev_add, device_add); the
# guest's virtio_net binds the new device; after the hold it reloads
# virtio_net, brings eth0 up again and powers off.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-replug
hold=${HOLD_SECONDS:-30}
cts_guest
mkdir -p "$out"
sock=/tmp/cts-qemu-replug-$$.sock
qmp=/tmp/cts-qemu-replug-$$.qmp
rm -f "$sock" "$qmp" "$out/qemu.console.log"

cts_testpmd_bg 400 testpmd "cts-rp-$$" 1 "$sock"

timeout -k 10 300 strace "${CTS_QEMU_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M -smp 1 -nographic -no-reboot \
    -object memory-backend-memfd,id=mem0,size=256M,share=on \
    -numa node,memdev=mem0 \
    -chardev "socket,id=chr0,path=$sock" \
    -netdev vhost-user,id=net0,chardev=chr0,queues=1 \
    -device virtio-net-pci,id=nic0,netdev=net0,vectors=0,romfile= \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=net cts_hold=$hold" \
    -qmp "unix:$qmp,server=on,wait=off" \
    -trace 'vhost_*' -trace 'virtio_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 &
qemuwrap=$!

timeout -k 5 280 python3 "$CTS_RECORD_DIR/qmp-replug.py" "$qmp" \
    "$out/qemu.console.log" "$sock" >"$out/qmp.log" 2>&1 ||
    echo "qmp-replug.py exited with $?" >&2

wait "$qemuwrap" || echo "qemu exited with $?" >&2

cts_sigint "$tpwrap" dpdk-testpmd
rm -f "$sock" "$qmp"

cts_finish "$out"
