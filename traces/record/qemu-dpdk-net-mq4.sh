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

timeout -k 10 400 strace "${CTS_STRACE_OPTS[@]}" -o "$out/testpmd.strace" \
    dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" \
    --file-prefix "cts-mq4-$$" \
    --vdev "net_vhost0,iface=$sock,queues=4" \
    -- "${CTS_TESTPMD_APP[@]}" --rxq=4 --txq=4 \
    </dev/null >"$out/testpmd.console.log" 2>&1 &
tpwrap=$!
cts_wait_socket "$sock" 60

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

# stop the back-end with SIGINT (sent to testpmd itself, not to strace)
tp=$(cts_child "$(cts_child "$tpwrap" strace)" dpdk-testpmd)
kill -INT "$tp"
wait "$tpwrap" || echo "testpmd exited with $?" >&2
rm -f "$sock"

cts_versions > "$out/versions.txt"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/recorded-at.txt"
ls -l "$out"
