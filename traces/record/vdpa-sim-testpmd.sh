#!/bin/sh
# Records traces/vdpa-strace/dpdk-testpmd-vdpa-sim{,-memlock}.strace: DPDK
# 22.11 dpdk-testpmd (virtio-user, vhost-vdpa back-end) on the kernel's own
# vdpa_sim_net (Debian 6.1, modules built out of tree) in the kernel vDPA
# lane's guest, under strace (harness/vm/init-vdpa.sh, testpmd_sim): io
# forwarding of the frames vdpa_sim_net loops back, with RLIMIT_MEMLOCK
# lifted; and under the default 8 MiB, where the 256 MiB IOTLB UPDATE fails
# with EFAULT. Only the lines on the vhost-vdpa fd are kept.
set -e
cd "$(dirname "$0")/../.."
sh harness/lanes/vm-vdpa.sh
for n in sim sim-memlock; do
    cp build/lanes/vm-vdpa/run/testpmd-$n.strace traces/vdpa-strace/dpdk-testpmd-vdpa-$n.strace
done
