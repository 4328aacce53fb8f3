#!/bin/bash
# Record the live migration of qemu-migrate.sh with packed=on on both QEMUs'
# virtio-net-pci (VIRTIO_F_RING_PACKED offered to the guest): the source's
# GET_VRING_BASE replies and what QEMU forwards into the destination's
# SET_VRING_BASE (issue #14).
#
# Output: traces/qemu-migrate-packed/ (the files of qemu-migrate.sh)
set -euo pipefail
CTS_MIGRATE_PACKED=1 exec "$(dirname "$0")/qemu-migrate.sh"
