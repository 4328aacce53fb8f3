#!/bin/bash
# fuzz-backend campaign against DPDK 22.11 dpdk-testpmd --vdev net_vhost0.
#   fuzz/campaigns/dpdk-testpmd.sh [SECONDS [SEED ...]]   (default 600 s, seeds 1 2)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
campaign_setup dpdk "$@"
sock=$work/tp.sock
spawn="prlimit --as=$AS_LIMIT dpdk-testpmd --no-huge --no-pci -m 512 --file-prefix vcts-fzc-$$ --vdev net_vhost0,iface=$sock,queues=2 -- --nb-cores=1 --total-num-mbufs=16384 --stats-period 60"
fuzz_target dpdk-testpmd net "$sock" "$spawn" "$secs" "${seeds[@]}"
