#!/bin/bash
# Record QEMU 7.2 vhost-user-blk-pci (front-end, TCG guest) against
# qemu-storage-daemon's vhost-user-blk export (back-end), both under strace,
# plus QEMU's own vhost_* trace log.
#
# Output: traces/qemu-blk-qsd/{qemu.strace,qsd.strace,qemu-trace.log}
#         plus {qemu,qsd}.console.log
# The disk is a 64 MiB raw image made by qemu-img in traces/record/.work/.
# The guest (cts.mode=blk) loads virtio_blk, reads 16 x 4 KiB from /dev/vda,
# unloads and reloads virtio_blk, reads again, powers off. After QEMU has
# exited, qemu-storage-daemon gets SIGINT.
# MSI-X is left at its default here (no vectors=0): the TCG crash seen with
# vhost-user-net and MSI-X did not occur with vhost-user-blk.
#
# CTS_BLK_MQ=1 (qemu-blk-qsd-mq.sh) records the multiqueue run instead.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ "${CTS_BLK_MQ:-0}" = 1 ]; then
    name=qemu-blk-qsd-mq img=blk-mq-disk.img mode=blk-mq smp=4
    nq=,num-queues=4
    qemu_strace=("${CTS_QEMU_STRACE_OPTS[@]}")
    qemu_trace=(-trace 'vhost_*' -trace 'virtio_*')
else
    name=qemu-blk-qsd img=blk-disk.img mode=blk smp=1
    nq=
    qemu_strace=("${CTS_STRACE_OPTS[@]}")
    qemu_trace=(-trace 'vhost_*')
fi

out=$CTS_TRACES_DIR/$name
cts_guest
mkdir -p "$out" "$CTS_RECORD_DIR/.work"
img=$CTS_RECORD_DIR/.work/$img
sock=/tmp/cts-$name-$$.sock
rm -f "$sock" "$img"
qemu-img create -f raw "$img" 64M

timeout -k 10 300 strace "${CTS_STRACE_OPTS[@]}" -o "$out/qsd.strace" \
    qemu-storage-daemon \
    --blockdev "driver=file,node-name=file0,filename=$img" \
    --blockdev driver=raw,node-name=disk0,file=file0 \
    --export "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path=$sock,writable=on$nq" \
    </dev/null >"$out/qsd.console.log" 2>&1 &
qsdwrap=$!
cts_wait_socket "$sock" 60

timeout -k 10 240 strace "${qemu_strace[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M -smp "$smp" -nographic -no-reboot -nic none \
    -object memory-backend-memfd,id=mem,size=256M,share=on \
    -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$sock" \
    -device "vhost-user-blk-pci,chardev=chr0$nq" \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=$mode" \
    "${qemu_trace[@]}" -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 || echo "qemu exited with $?" >&2

cts_sigint "$qsdwrap" qemu-storage-daemon
rm -f "$sock" "$img"

cts_finish "$out"
