#!/bin/bash
# Record QEMU 7.2 virtio-net-pci (vhost-user front-end, TCG guest) against
# dpdk-testpmd's net_vhost PMD (back-end).
#
# Usage: qemu-dpdk-net.sh [QUEUES]
#   QUEUES=1 (default) -> traces/qemu-dpdk-net/
#       qemu.strace, testpmd.strace, qemu-trace.log (one run, all three),
#       plus qemu-trace-timestamps.log from a second run with -msg timestamp=on
#   QUEUES=2           -> traces/qemu-dpdk-net-mq/
#       qemu.strace, testpmd.strace, qemu-trace.log; guest runs
#       `ethtool -L eth0 combined 2`
#   QUEUES=2x1         -> traces/qemu-dpdk-net-mq1/
#       as QUEUES=2 (2 queue pairs offered, mq=on) but the 1-vCPU guest
#       keeps Linux's default of one queue pair: QEMU leaves rings 2-3
#       started and disabled on purpose (issue #14 class 3, VU-RING-10)
# Console output of each process is kept in *.console.log next to the logs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

queues=${1:-1}
case "$queues" in
1) out=$CTS_TRACES_DIR/qemu-dpdk-net; mode=net; mq=() ;;
2) out=$CTS_TRACES_DIR/qemu-dpdk-net-mq; mode=net-mq; mq=(--rxq=2 --txq=2) ;;
2x1) out=$CTS_TRACES_DIR/qemu-dpdk-net-mq1; mode=net; mq=(--rxq=2 --txq=2); queues=2 ;;
*) echo "QUEUES must be 1, 2 or 2x1" >&2; exit 2 ;;
esac
# CTS_NET_PACKED=1 (qemu-dpdk-net-packed.sh): packed=on, its own directory
packed=${CTS_NET_PACKED:-0}
if [ "$packed" = 1 ]; then out=$out-packed; fi
cts_guest
mkdir -p "$out"

# run_once TAG WITH_STRACE TRACEFILE [extra qemu args...]
run_once() {
    local tag=$1 with_strace=$2 tracefile=$3
    shift 3
    local sock=/tmp/cts-qemu-dpdk-net-$$-$tag.sock
    local tp_pre=() qemu_pre=()
    local dev=virtio-net-pci,netdev=net0,vectors=0,romfile=
    rm -f "$sock"
    if [ "$with_strace" = yes ]; then
        tp_pre=(strace "${CTS_STRACE_OPTS[@]}" -o "$out/testpmd.strace")
        qemu_pre=(strace "${CTS_STRACE_OPTS[@]}" -o "$out/qemu.strace")
    fi
    if [ "$queues" = 2 ]; then dev+=,mq=on; fi
    if [ "$packed" = 1 ]; then dev+=,packed=on; fi

    # back-end: testpmd listens on $sock; non-interactive, so it starts
    # io forwarding by itself and runs until SIGINT.
    timeout -k 10 400 "${tp_pre[@]}" dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" \
        --file-prefix "cts-net-$$-$tag" \
        --vdev "net_vhost0,iface=$sock,queues=$queues" \
        -- "${CTS_TESTPMD_APP[@]}" "${mq[@]}" \
        </dev/null >"$out/testpmd$tag.console.log" 2>&1 &
    local tpwrap=$!
    cts_wait_socket "$sock" 60

    # front-end: QEMU connects to $sock (chardev client mode); the guest
    # powers itself off at the end of its script.
    timeout -k 10 300 "${qemu_pre[@]}" qemu-system-x86_64 \
        -accel tcg -m 256M -smp 1 -nographic -no-reboot \
        -object memory-backend-memfd,id=mem,size=256M,share=on \
        -numa node,memdev=mem \
        -chardev "socket,id=chr0,path=$sock" \
        -netdev "vhost-user,id=net0,chardev=chr0,queues=$queues" \
        -device "$dev" \
        -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
        -append "console=ttyS0 quiet panic=-1 cts.mode=$mode" \
        -trace 'vhost_*' -D "$out/$tracefile" "$@" \
        </dev/null >"$out/qemu$tag.console.log" 2>&1 || echo "qemu exited with $?" >&2

    # stop the back-end with SIGINT (sent to testpmd itself, not to strace)
    local tp
    if [ "$with_strace" = yes ]; then
        tp=$(cts_child "$(cts_child "$tpwrap" strace)" dpdk-testpmd)
    else
        tp=$(cts_child "$tpwrap" dpdk-testpmd)
    fi
    kill -INT "$tp"
    wait "$tpwrap" || echo "testpmd exited with $?" >&2
    rm -f "$sock"
}

run_once "" yes qemu-trace.log
if [ "$queues" = 1 ] && [ "$packed" = 0 ]; then
    run_once -ts no qemu-trace-timestamps.log -msg timestamp=on
fi
cts_finish "$out"
