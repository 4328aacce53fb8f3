#!/bin/bash
# Record QEMU 7.2 virtio-net-pci with 4 queue pairs (mq=on, vhost-user
# queues=4) against dpdk-testpmd net_vhost queues=4; the 1-vCPU guest starts
# with Linux's default of one queue pair, then `ethtool -L eth0 combined 4`
# (cts.mode=net-mq cts_combined=4), at each of its two link ups.
#
# Output: traces/qemu-dpdk-net-mq4/
#   qemu.strace, testpmd.strace, qemu-trace.log (one run, all three)
#   qemu.console.log, testpmd.console.log
# (A script of its own rather than a QUEUES value of qemu-dpdk-net.sh, whose
# argument list other branches extend.)
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-dpdk-net-mq4
cts_guest
mkdir -p "$out"
sock=/tmp/cts-qemu-dpdk-net-mq4-$$.sock
rm -f "$sock"

cts_testpmd_bg 400 testpmd "cts-mq4-$$" 4 "$sock" -- --rxq=4 --txq=4

timeout -k 10 300 strace "${CTS_QEMU_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M -smp 1 -nographic -no-reboot \
    -object memory-backend-memfd,id=mem,size=256M,share=on \
    -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$sock" \
    -netdev vhost-user,id=net0,chardev=chr0,queues=4 \
    -device virtio-net-pci,netdev=net0,vectors=0,romfile=,mq=on \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=net-mq cts_combined=4" \
    -trace 'vhost_*' -trace 'virtio_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 || echo "qemu exited with $?" >&2

cts_sigint "$tpwrap" dpdk-testpmd
rm -f "$sock"

cts_finish "$out"
