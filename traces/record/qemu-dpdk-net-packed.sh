#!/bin/bash
# Record QEMU 7.2 virtio-net-pci with packed=on (VIRTIO_F_RING_PACKED
# offered to the guest) against dpdk-testpmd's net_vhost: the run of
# qemu-dpdk-net.sh (one queue pair, one run) with one more device property.
#
# Output: traces/qemu-dpdk-net-packed/{qemu,testpmd}.strace, qemu-trace.log
set -euo pipefail
CTS_NET_PACKED=1 exec "$(dirname "$0")/qemu-dpdk-net.sh" 1
