#!/bin/bash
# Record a live migration between two QEMU 7.2 on this host, each with its
# own dpdk-testpmd net_vhost back-end: the dirty log (SET_LOG_BASE with
# LOG_SHMFD, SET_VRING_ADDR with VHOST_VRING_F_LOG, LOG_ALL) on the source,
# the rings handed over on the destination.
#
# Output: traces/qemu-migrate/
#   src-qemu.strace, src-testpmd.strace, src-qemu-trace.log (source)
#   dst-qemu.strace, dst-testpmd.strace, dst-qemu-trace.log (destination)
#   *.console.log, qmp.log (every QMP command, reply and event)
#
# The guest is mkguest.sh's, cts.mode=net cts_hold=SECONDS: it boots on the
# source, brings eth0 up and holds, pinging; qmp-migrate.py migrates it then
# (exec: through a FIFO read by the destination's -incoming); on the
# destination it finishes the hold, reloads virtio_net, brings the link up
# again and powers off. The source is quit after the migration.
#
# QEMU is straced with CTS_QEMU_STRACE_OPTS (sendmsg/recvmsg only: all of its
# vhost-user I/O): the migration stream (writev/readv on the exec: pipe,
# read/write of the cat children) stays out of the log, which would
# otherwise carry every migrated page.
#
# CTS_MIGRATE_PACKED=1 (qemu-migrate-packed.sh): packed=on on both QEMUs'
# virtio-net-pci, output in traces/qemu-migrate-packed/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-migrate
dev=virtio-net-pci,netdev=net0,vectors=0,romfile=
if [ "${CTS_MIGRATE_PACKED:-0}" = 1 ]; then
    out=$out-packed
    dev+=,packed=on
fi
hold=${HOLD_SECONDS:-20}
cts_guest
mkdir -p "$out"
tag=/tmp/cts-qemu-migrate-$$
fifo=$tag.fifo
rm -f "$tag".* "$out"/*.console.log
mkfifo "$fifo"

start_testpmd() { # NAME
    timeout -k 10 400 strace "${CTS_STRACE_OPTS[@]}" -o "$out/$1-testpmd.strace" \
        dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" \
        --file-prefix "cts-mig-$$-$1" \
        --vdev "net_vhost0,iface=$tag.$1.sock,queues=1" \
        -- "${CTS_TESTPMD_APP[@]}" \
        </dev/null >"$out/$1-testpmd.console.log" 2>&1 &
}
start_qemu() { # NAME extra-args...
    local name=$1
    shift
    timeout -k 10 300 strace "${CTS_QEMU_STRACE_OPTS[@]}" -o "$out/$name-qemu.strace" \
        qemu-system-x86_64 \
        -accel tcg -m 256M -smp 1 -nographic -no-reboot \
        -object memory-backend-memfd,id=mem0,size=256M,share=on \
        -numa node,memdev=mem0 \
        -chardev "socket,id=chr0,path=$tag.$name.sock" \
        -netdev vhost-user,id=net0,chardev=chr0,queues=1 \
        -device "$dev" \
        -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
        -append "console=ttyS0 quiet panic=-1 cts.mode=net cts_hold=$hold" \
        -qmp "unix:$tag.$name.qmp,server=on,wait=off" \
        -trace 'vhost_*' -trace 'virtio_*' -D "$out/$name-qemu-trace.log" "$@" \
        </dev/null >"$out/$name-qemu.console.log" 2>&1 &
}

start_testpmd src
tpsrc=$!
start_testpmd dst
tpdst=$!
cts_wait_socket "$tag.src.sock" 60
cts_wait_socket "$tag.dst.sock" 60

start_qemu src
qsrc=$!
start_qemu dst -incoming "exec:cat $fifo"
qdst=$!

timeout -k 5 280 python3 "$CTS_RECORD_DIR/qmp-migrate.py" "$tag.src.qmp" "$tag.dst.qmp" \
    "$out/src-qemu.console.log" "exec:cat > $fifo" >"$out/qmp.log" 2>&1 ||
    echo "qmp-migrate.py exited with $?" >&2

wait "$qsrc" || echo "source qemu exited with $?" >&2
wait "$qdst" || echo "destination qemu exited with $?" >&2

# stop the back-ends with SIGINT (sent to testpmd itself, not to strace)
for w in "$tpsrc" "$tpdst"; do
    kill -INT "$(cts_child "$(cts_child "$w" strace)" dpdk-testpmd)"
    wait "$w" || echo "testpmd exited with $?" >&2
done
rm -f "$tag".*

cts_finish "$out"
