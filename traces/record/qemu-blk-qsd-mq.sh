#!/bin/bash
# Record QEMU 7.2 vhost-user-blk-pci num-queues=4 (front-end, TCG guest with
# 4 vCPUs) against qemu-storage-daemon's vhost-user-blk export num-queues=4
# (back-end), both under strace, plus QEMU's own vhost_*/virtio_* trace log.
#
# Output: traces/qemu-blk-qsd-mq/{qemu.strace,qsd.strace,qemu-trace.log}
#         plus {qemu,qsd}.console.log
# The disk is a 64 MiB raw image made by qemu-img in traces/record/.work/.
# The guest (cts.mode=blk-mq) loads virtio_blk (4 hardware queues, one per
# vCPU), writes and reads 8 x 4 KiB with O_DIRECT pinned to each vCPU in
# turn, so that every virtqueue carries requests, and powers off. After QEMU
# has exited, qemu-storage-daemon gets SIGINT. The run is qemu-blk-qsd.sh's
# with four queues.
CTS_BLK_MQ=1 exec "$(dirname "$0")/qemu-blk-qsd.sh" "$@"
