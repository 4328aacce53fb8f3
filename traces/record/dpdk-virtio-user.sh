#!/bin/bash
# Record DPDK virtio-user (front-end, net_virtio_user PMD) against DPDK vhost
# (back-end, net_vhost PMD): two dpdk-testpmd processes, both under strace.
#
# Output: traces/dpdk-virtio-user/{frontend,backend}.strace
#         plus {frontend,backend}.console.log (testpmd's own output).
# The back-end listens on the socket, the front-end connects. Both run io
# forwarding; the front-end starts with --tx-first so 32 packets ping-pong
# between the two for FORWARD_SECONDS. Then the front-end gets SIGINT
# (clean testpmd shutdown: stop forwarding, stop and close the port, which
# sends the virtio-user stop sequence), and after it has exited the back-end
# gets SIGINT too.
# Each testpmd runs its forwarding lcore on a different CPU (--main-lcore).
# CTS_VU_NAME and CTS_VU_DEVARGS let dpdk-virtio-user-packed.sh reuse this
# run with other virtio-user options.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$CTS_TRACES_DIR/${CTS_VU_NAME:-dpdk-virtio-user}
mkdir -p "$out"
sock=/tmp/cts-dpdk-virtio-user-$$.sock
fwd_seconds=${FORWARD_SECONDS:-3}
rm -f "$sock"

timeout -k 10 120 strace "${CTS_STRACE_OPTS[@]}" -o "$out/backend.strace" \
    dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" -l 0,1 --main-lcore 0 \
    --file-prefix "cts-be-$$" \
    --vdev "net_vhost0,iface=$sock,queues=1" \
    -- "${CTS_TESTPMD_APP[@]}" \
    </dev/null >"$out/backend.console.log" 2>&1 &
bewrap=$!
cts_wait_socket "$sock" 60

timeout -k 10 120 strace "${CTS_STRACE_OPTS[@]}" -o "$out/frontend.strace" \
    dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" -l 0,1 --main-lcore 1 \
    --file-prefix "cts-fe-$$" \
    --vdev "net_virtio_user0,path=$sock,queues=1${CTS_VU_DEVARGS:-}" \
    -- "${CTS_TESTPMD_APP[@]}" --tx-first \
    </dev/null >"$out/frontend.console.log" 2>&1 &
fewrap=$!

fe=$(cts_child "$(cts_child "$fewrap" strace)" dpdk-testpmd)
be=$(cts_child "$(cts_child "$bewrap" strace)" dpdk-testpmd)
# wait until the front-end is forwarding, then let it run a few seconds
for ((i = 0; i < 600; i++)); do
    grep -q 'start packet forwarding' "$out/frontend.console.log" && break
    sleep 0.1
done
sleep "$fwd_seconds"

kill -INT "$fe"
wait "$fewrap" || echo "front-end exited with $?" >&2
sleep 1
kill -INT "$be"
wait "$bewrap" || echo "back-end exited with $?" >&2
rm -f "$sock"

cts_finish "$out"
