#!/bin/sh
# The kernel vDPA fuzz campaign: Debian's 6.1 kernel with the vDPA modules
# built out of tree (harness/vm/build-vdpa-modules.sh) under TCG;
# harness/vm/init-vdpa.sh runs `vhost-cts fuzz-device` for SECONDS against
# vdpa_sim_net, vdpa_sim_blk and the VDUSE fake in turn (seeds 1, 2, 3)
# after the lane's other steps. Results: build/fuzz/campaigns/kernel-vdpa/
# (console.log; fuzz-net, fuzz-blk, fuzz-vduse; repro-*.bin.b64 when an
# iteration was saved: base64 -d, then in the guest
# `vhost-cts fuzz-device --device /dev/vhost-vdpa-N --replay FILE`).
# Usage: fuzz/campaigns/kernel-vdpa.sh [SECONDS-PER-DEVICE (default 200)]
set -e
cd "$(dirname "$0")/../.."
secs=${1:-200}
out=build/fuzz/campaigns/kernel-vdpa
kver=$(ls /boot/vmlinuz-* | sort -V | tail -n1 | sed 's|^/boot/vmlinuz-||')
mods=$(bash harness/vm/build-vdpa-modules.sh "$kver" build/lanes/vm-vdpa)
VCTS_VM_INIT=harness/vm/init-vdpa.sh VCTS_VM_KMODS=$mods VCTS_VM_APPEND=vcts_fuzz=$secs \
    VCTS_VM_TIMEOUT=$((secs * 3 + 600)) nice bash harness/vm/run-vm.sh "$out"
for d in net blk vduse; do tail -n 1 "$out/fuzz-$d"; done
grep '^vm: dmesg' "$out/console.log" || true
