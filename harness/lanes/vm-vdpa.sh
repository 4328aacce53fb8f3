#!/bin/sh
# The kernel vDPA lane: Debian's kernel under qemu-system-x86_64 -accel tcg
# with the vDPA modules built out of tree (harness/vm/build-vdpa-modules.sh,
# cached by kernel version under build/lanes/vm-vdpa/), the kernel's
# reference devices vdpa_sim_net and vdpa_sim_blk, a VDUSE device; /init is
# harness/vm/init-vdpa.sh. fakes/vdpa/tests/lane_vdpa_kernel.py asserts the
# result blocks. Skips (with the reason) only where the VM or the module
# build cannot run: no qemu, no kernel, kernel packages out of step.
out=build/lanes/vm-vdpa
mkdir -p "$out"
start=$(date +%s)
skip() { echo "vm-vdpa: SKIP: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (qemu-system-x86)"
kver=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1 | sed 's|^/boot/vmlinuz-||')
[ -n "$kver" ] || skip "no kernel in /boot (linux-image-amd64)"
mods=$(bash harness/vm/build-vdpa-modules.sh "$kver" "$out" 2>"$out/modules.log")
rc=$?
[ $rc -eq 77 ] && skip "$(grep SKIP "$out/modules.log")"
if [ $rc -ne 0 ]; then
    tail -n 20 "$out/modules.log"
    echo "vm-vdpa: the module build failed (see $out/modules.log)"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "vm-vdpa: modules for $kver in $mods ($(( $(date +%s) - start )) s)"
# 2 GiB: vdpa_sim_blk keeps a 128 MiB disk, DPDK pins 256 MiB.
VCTS_VM_INIT=harness/vm/init-vdpa.sh VCTS_VM_KMODS=$mods VCTS_VM_MEM=2G VCTS_VM_TIMEOUT=${VCTS_VM_TIMEOUT:-1200} \
    bash harness/vm/run-vm.sh "$out/run" 2>&1
rc=$?
[ $rc -eq 77 ] && skip "run-vm.sh cannot run here (see above)"
echo "vm-vdpa: guest image $(du -k "$out/run/guest/initramfs.cpio" | cut -f1) KiB"
py=python3
python3 -c 'import pytest' 2>/dev/null || py=/usr/bin/python3
res=$(VCTS_VM_OUT="$out/run" VCTS_VM_RC=$rc $py -m pytest -q -rs fakes/vdpa/tests/lane_vdpa_kernel.py 2>&1)
printf '%s\n' "$res" | tail -n 40
# pytest's own summary is its last line (the blocks quoted above it hold
# words such as "N failed" of other tools).
last=$(printf '%s\n' "$res" | tail -n 1)
p=$(printf '%s\n' "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
f=$(printf '%s\n' "$last" | grep -oE '[0-9]+ (failed|error|errors)' | awk '{s+=$1} END {print s+0}')
s=$(printf '%s\n' "$last" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
[ -n "$p$f" ] || f=1
echo "vm-vdpa: $(( $(date +%s) - start )) s in all"
echo "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
[ "${f:-0}" -eq 0 ]
