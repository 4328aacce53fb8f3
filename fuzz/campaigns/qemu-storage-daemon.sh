#!/bin/bash
# fuzz-backend campaign against qemu-storage-daemon --export type=vhost-user-blk
# (QEMU 7.2, libvhost-user).
#   fuzz/campaigns/qemu-storage-daemon.sh [SECONDS [SEED ...]]   (default 600 s, seeds 1 2)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
campaign_setup qsd "$@"
# the disk outlives the run: reproducers name it
disk=$ROOT/build/fuzz/campaigns/qemu-storage-daemon.img
mkdir -p "$(dirname "$disk")"
truncate -s 64M "$disk"
sock=$work/qsd.sock
spawn="prlimit --as=$AS_LIMIT qemu-storage-daemon --blockdev driver=file,node-name=file0,filename=$disk --blockdev driver=raw,node-name=disk0,file=file0 --export type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path=$sock,writable=on"
fuzz_target qemu-storage-daemon blk "$sock" "$spawn" "$secs" "${seeds[@]}"
