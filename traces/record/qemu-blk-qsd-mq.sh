#!/bin/bash
# Record QEMU 7.2 vhost-user-blk-pci num-queues=4 (front-end, TCG guest with
# 4 vCPUs) against qemu-storage-daemon's vhost-user-blk export num-queues=4
# (back-end), both under strace, plus QEMU's own vhost_*/virtio_* trace log.
#
# Output: traces/qemu-blk-qsd-mq/{qemu.strace,qsd.strace,qemu-trace.log}
#         plus {qemu,qsd}.console.log
# The disk is a 64 MiB raw image made by qemu-img in traces/record/.work/.
# The guest (cts.mode=blk-mq) loads virtio_blk (4 hardware queues, one per
# vCPU), writes and reads 8 x 4 KiB with O_DIRECT pinned to each vCPU in
# turn, so that every virtqueue carries requests, and powers off. After QEMU
# has exited, qemu-storage-daemon gets SIGINT.
# MSI-X is left at its default here (no vectors=0): the TCG crash seen with
# vhost-user-net and MSI-X did not occur with vhost-user-blk.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-blk-qsd-mq
cts_guest
mkdir -p "$out" "$CTS_RECORD_DIR/.work"
img=$CTS_RECORD_DIR/.work/blk-mq-disk.img
sock=/tmp/cts-qemu-blk-qsd-mq-$$.sock
rm -f "$sock" "$img"
qemu-img create -f raw "$img" 64M

timeout -k 10 300 strace "${CTS_STRACE_OPTS[@]}" -o "$out/qsd.strace" \
    qemu-storage-daemon \
    --blockdev "driver=file,node-name=file0,filename=$img" \
    --blockdev driver=raw,node-name=disk0,file=file0 \
    --export "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path=$sock,writable=on,num-queues=4" \
    </dev/null >"$out/qsd.console.log" 2>&1 &
qsdwrap=$!
cts_wait_socket "$sock" 60

timeout -k 10 240 strace "${CTS_QEMU_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M -smp 4 -nographic -no-reboot -nic none \
    -object memory-backend-memfd,id=mem,size=256M,share=on \
    -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$sock" \
    -device vhost-user-blk-pci,chardev=chr0,num-queues=4 \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=blk-mq" \
    -trace 'vhost_*' -trace 'virtio_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 || echo "qemu exited with $?" >&2

qsd=$(cts_child "$(cts_child "$qsdwrap" strace)" qemu-storage-daemon)
kill -INT "$qsd"
wait "$qsdwrap" || echo "qemu-storage-daemon exited with $?" >&2
rm -f "$sock" "$img"

cts_versions > "$out/versions.txt"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/recorded-at.txt"
ls -l "$out"
