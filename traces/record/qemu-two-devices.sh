#!/bin/bash
# Record QEMU 7.2 with two virtio-net-pci devices on vhost-user (one
# chardev each) against one dpdk-testpmd serving both sockets; a TCG guest
# brings the links up twice (driver reload), so QEMU starts and stops both
# devices twice. Issue #14, class 1: the QEMU trace log shows both
# negotiations by their chardev events, but not which device a later
# vhost_dev_start belongs to.
#
# Output in traces/qemu-two-devices/: qemu.strace, testpmd.strace,
# qemu-trace.log (-trace 'vhost_*'), *.console.log, versions.txt,
# recorded-at.txt
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-two-devices
cts_guest
mkdir -p "$out"
s0=/tmp/cts-qemu-two-devices-$$-0.sock
s1=/tmp/cts-qemu-two-devices-$$-1.sock
rm -f "$s0" "$s1"

cts_testpmd_bg 300 testpmd "cts-two-devices-$$" 1 "$s0" "$s1"

timeout -k 10 240 strace "${CTS_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 -accel tcg -m 256M -smp 1 -nographic -no-reboot \
    -object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$s0" -chardev "socket,id=chr1,path=$s1" \
    -netdev vhost-user,id=net0,chardev=chr0 -netdev vhost-user,id=net1,chardev=chr1 \
    -device virtio-net-pci,netdev=net0,vectors=0,romfile= \
    -device virtio-net-pci,netdev=net1,vectors=0,romfile= \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=net" \
    -trace 'vhost_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 || echo "qemu exited with $?" >&2

cts_sigint "$tpwrap" dpdk-testpmd
rm -f "$s0" "$s1"
cts_finish "$out"
