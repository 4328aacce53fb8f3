#!/bin/bash
# QEMU 7.2 -netdev vhost-vdpa on the fake vDPA device through the LD_PRELOAD
# shim (build/libvcts-vdpa-preload.so), with the guest of mkguest.sh in
# cts.mode=net (virtio_net loaded, eth0 up, ping, rmmod/insmod, eth0 up).
# Writes traces/qemu-vdpa-shim/: qemu-trace.log (-trace 'vhost_vdpa_*'),
# live.json (the shim's live verdict), console.log; then derives
# qemu-prefix-b16.trace.log (see mkprefix.py there). A second run of the
# same guest with -trace 'vhost_*' writes qemu-trace-vhost-all.log (the
# generic vhost listener's lines too) and console-vhost-all.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ROOT=$(cd "$CTS_RECORD_DIR/../.." && pwd)
OUT=$CTS_TRACES_DIR/qemu-vdpa-shim
SHIM=$ROOT/build/libvcts-vdpa-preload.so
[ -f "$SHIM" ] || { echo "build the shim first (make)" >&2; exit 2; }
cts_guest
mkdir -p "$OUT"
# run_qemu TRACE-PATTERN LOG CONSOLE LIVE-REPORT
run_qemu() {
    rm -f "$2"
    LD_PRELOAD=$SHIM VCTS_VDPA_PATH=/dev/vhost-vdpa-fake0 VCTS_VDPA_QUIET=1 \
    VCTS_VDPA_REPORT="$4" \
    timeout -s KILL 240 qemu-system-x86_64 -accel tcg -m 256M -smp 1 -nographic -no-reboot \
        -netdev vhost-vdpa,vhostdev=/dev/vhost-vdpa-fake0,id=net0 \
        -device virtio-net-pci,netdev=net0,vectors=0,romfile= \
        -kernel "$CTS_GUEST_DIR/vmlinuz" -initrd "$CTS_GUEST_DIR/initramfs.cpio.gz" \
        -append "console=ttyS0 quiet panic=-1 cts.mode=net" \
        -trace "$1" -D "$2" >"$3" 2>&1
}
run_qemu 'vhost_vdpa_*' "$OUT/qemu-trace.log" "$OUT/console.log" "$OUT/live.json"
python3 "$OUT/mkprefix.py" "$OUT/qemu-trace.log" "$OUT/qemu-prefix-b16.trace.log"
tmp=$(mktemp -d)
run_qemu 'vhost_*' "$OUT/qemu-trace-vhost-all.log" "$OUT/console-vhost-all.log" "$tmp/live.json"
rm -rf "$tmp"
echo "recorded in $OUT"
