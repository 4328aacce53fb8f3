#!/bin/bash
# The VM test lane: build the guest (mkvm.sh) and boot it under
# qemu-system-x86_64 -accel tcg; /init (init.sh) runs the CUSE fake with
# `vhost-cts certify` and with dpdk-testpmd (under strace), and certify
# --generic against the kernel's /dev/vhost-net. Each result block of the
# console is written to OUTDIR/NAME. Asserting them is the job of
# fakes/vdpa/tests/test_vdpa_vm.py.
#
# Usage: run-vm.sh OUTDIR      exit 0 ran, 77 cannot run here (reason on stderr), else failed
# VCTS_VM_INIT and VCTS_VM_KMODS are passed to mkvm.sh (another /init, the
# out-of-tree modules); VCTS_VM_APPEND adds kernel command-line words,
# VCTS_VM_TIMEOUT replaces the 600 s limit of the guest, VCTS_VM_MEM its
# 1G of memory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run-vm.sh OUTDIR}
mkdir -p "$out"
command -v qemu-system-x86_64 >/dev/null || { echo "run-vm: SKIP: qemu-system-x86_64 not installed (qemu-system-x86)" >&2; exit 77; }
ls /boot/vmlinuz-* >/dev/null 2>&1 || { echo "run-vm: SKIP: no kernel in /boot (linux-image-amd64)" >&2; exit 77; }
[ -x /bin/busybox ] || { echo "run-vm: SKIP: busybox-static not installed" >&2; exit 77; }
"$here/mkvm.sh" "$out/guest" >"$out/mkvm.log" 2>&1 || { echo "run-vm: guest build failed (see $out/mkvm.log)" >&2; exit 1; }
kernel=$out/guest/vmlinux
[ -f "$kernel" ] || kernel=$out/guest/vmlinuz
start=$(date +%s)
# -cpu max: Debian's DPDK uses instructions the default TCG CPU lacks.
timeout -s KILL "${VCTS_VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu max -m "${VCTS_VM_MEM:-1G}" -smp 2 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$out/guest/initramfs.cpio" \
    -append "console=ttyS0 quiet panic=-1 ${VCTS_VM_APPEND:-}" >"$out/console.log" 2>&1
rc=$?
echo "run-vm: guest ran $(( $(date +%s) - start )) s (qemu exit $rc)" >&2
# Split the result blocks.
python3 - "$out" <<'PY'
import os, re, sys
out = sys.argv[1]
text = open(os.path.join(out, "console.log"), encoding="utf-8", errors="replace").read().replace("\r", "")
for m in re.finditer(r"===BEGIN (\S+)===\n(.*?)===END \1 rc=(\d+)===", text, re.S):
    open(os.path.join(out, m.group(1)), "w").write(m.group(2))
    open(os.path.join(out, m.group(1) + ".rc"), "w").write(m.group(3))
PY
grep -q "^vm: done" "$out/console.log" || { echo "run-vm: the guest did not finish (see $out/console.log)" >&2; exit 1; }
exit 0
