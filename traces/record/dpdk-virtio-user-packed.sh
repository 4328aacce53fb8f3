#!/bin/bash
# Record DPDK virtio-user with packed virtqueues (packed_vq=1: it offers and
# acks VIRTIO_F_RING_PACKED) against DPDK vhost, both under strace: the run
# of dpdk-virtio-user.sh with one more device argument.
#
# Output: traces/dpdk-virtio-user-packed/{frontend,backend}.strace
set -euo pipefail
CTS_VU_NAME=dpdk-virtio-user-packed CTS_VU_DEVARGS=,packed_vq=1 \
    exec "$(dirname "$0")/dpdk-virtio-user.sh" "$@"
