#!/bin/bash
# Record QEMU 7.2 vhost-user-fs-pci (front-end, TCG guest) against QEMU
# 7.2's virtiofsd (/usr/lib/qemu/virtiofsd, back-end), both under strace,
# plus QEMU's own vhost_*/virtio_* trace log.
#
# Output: traces/qemu-virtiofsd/{qemu.strace,virtiofsd.strace,qemu-trace.log}
#         plus {qemu,virtiofsd}.console.log
# The shared directory is a fresh one in traces/record/.work/. The guest
# (cts.mode=fs) loads fuse and virtiofs, mounts tag "cts", writes a text file
# and 64 KiB of random data, syncs, reads the text back, unmounts and powers
# off; the script checks that both files arrived. virtiofsd runs with
# -o sandbox=chroot (no namespaces in a container) and exits by itself when
# QEMU disconnects.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/qemu-virtiofsd
cts_guest
mkdir -p "$out" "$CTS_RECORD_DIR/.work"
shared=$CTS_RECORD_DIR/.work/virtiofs-shared
sock=/tmp/cts-qemu-virtiofsd-$$.sock
rm -rf "$sock" "$shared"
mkdir -p "$shared"
echo "put there by the host" > "$shared/host.txt"

timeout -k 10 300 strace "${CTS_STRACE_OPTS[@]}" -o "$out/virtiofsd.strace" \
    /usr/lib/qemu/virtiofsd --socket-path="$sock" -o source="$shared" \
    -o cache=none -o sandbox=chroot \
    </dev/null >"$out/virtiofsd.console.log" 2>&1 &
fsdwrap=$!
cts_wait_socket "$sock" 60

timeout -k 10 240 strace "${CTS_QEMU_STRACE_OPTS[@]}" -o "$out/qemu.strace" \
    qemu-system-x86_64 \
    -accel tcg -m 256M -smp 1 -nographic -no-reboot -nic none \
    -object memory-backend-memfd,id=mem,size=256M,share=on \
    -numa node,memdev=mem \
    -chardev "socket,id=chr0,path=$sock" \
    -device vhost-user-fs-pci,chardev=chr0,tag=cts \
    -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 cts.mode=fs" \
    -trace 'vhost_*' -trace 'virtio_*' -D "$out/qemu-trace.log" \
    </dev/null >"$out/qemu.console.log" 2>&1 || echo "qemu exited with $?" >&2

# virtiofsd ends when its one connection closes; SIGINT if it did not
sleep 1
if fsd=$(pgrep -P "$(cts_child "$fsdwrap" strace 2>/dev/null || echo 0)" -x virtiofsd 2>/dev/null); then
    kill -INT "$fsd" || true
fi
wait "$fsdwrap" || echo "virtiofsd exited with $?" >&2
ls -l "$shared"
grep -q "written by the cts guest" "$shared/cts-guest.txt" || echo "the guest's file did not arrive" >&2
[ "$(stat -c %s "$shared/cts-guest.bin")" = 65536 ] || echo "the guest's 64 KiB did not arrive" >&2
rm -rf "$sock" "$shared"

cts_finish "$out"
