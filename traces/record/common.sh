# Shared helpers for the recording scripts (sourced, not executed).
# shellcheck shell=bash

CTS_RECORD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# CTS_OUT_DIR lets a test run write somewhere else than traces/
CTS_TRACES_DIR=${CTS_OUT_DIR:-$(dirname "$CTS_RECORD_DIR")}
CTS_GUEST_DIR=${CTS_GUEST_DIR:-$CTS_RECORD_DIR/.work/guest}

# The strace options used for every recorded process.
CTS_STRACE_OPTS=(-f -tt -yy -xx -s 65536
    -e trace=sendmsg,recvmsg,read,write,readv,writev,sendto,recvfrom)
# QEMU's own (newer scripts): all its vhost-user I/O is sendmsg/recvmsg
# (QIOChannelSocket); its writes of the -D trace log (hex-escaped, most of
# the file) and a migration stream stay out.
CTS_QEMU_STRACE_OPTS=(-f -tt -yy -xx -s 65536 -e trace=sendmsg,recvmsg)

# testpmd options common to all runs: no hugepages, no PCI scan, a small
# mbuf pool (the default pool does not fit in -m 512 without hugepages).
CTS_TESTPMD_EAL=(--no-huge --no-pci -m 512)
CTS_TESTPMD_APP=(--nb-cores=1 --total-num-mbufs=16384 --stats-period 60)

cts_guest() {
    if [ ! -f "$CTS_GUEST_DIR/vmlinuz" ] || [ ! -f "$CTS_GUEST_DIR/initramfs.cpio.gz" ]; then
        "$CTS_RECORD_DIR/mkguest.sh" "$CTS_GUEST_DIR"
    fi
}

# cts_wait_socket PATH SECONDS: wait until a unix socket exists
cts_wait_socket() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ -S "$1" ] && return 0
        sleep 0.1
    done
    echo "socket $1 did not appear" >&2
    return 1
}

# cts_child PID NAME: print the pid of PID's child process called NAME
cts_child() {
    local i c
    for ((i = 0; i < 50; i++)); do
        c=$(pgrep -P "$1" -x "${2:0:15}" || true)  # comm is cut at 15 chars
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.1
    done
    echo "no child $2 of $1" >&2
    return 1
}

# cts_versions: package versions, for the README / run notes
cts_versions() {
    dpkg-query -W qemu-system-x86 qemu-system-common qemu-utils dpdk dpdk-dev \
        librte-vhost23 librte-net-vhost23 librte-net-virtio23 \
        linux-image-amd64 busybox-static strace ethtool 2>/dev/null || true
    echo "guest kernel: $(cat "$CTS_GUEST_DIR/kernel-version" 2>/dev/null || echo '?')"
}

# cts_testpmd_bg LIMIT NAME PREFIX QUEUES SOCK... [-- APP-ARGS...]:
# dpdk-testpmd as the back-end under strace (ended after LIMIT seconds),
# one net_vhost port with QUEUES queues per socket, traced to
# $out/NAME.strace with its console in $out/NAME.console.log; waits for
# every socket. The wrapper's pid is left in tpwrap (for cts_sigint).
cts_testpmd_bg() {
    local limit=$1 name=$2 prefix=$3 queues=$4 i=0 s
    shift 4
    local vdevs=() socks=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        vdevs+=(--vdev "net_vhost$i,iface=$1,queues=$queues")
        socks+=("$1")
        i=$((i + 1))
        shift
    done
    [ $# -gt 0 ] && shift
    timeout -k 10 "$limit" strace "${CTS_STRACE_OPTS[@]}" -o "$out/$name.strace" \
        dpdk-testpmd "${CTS_TESTPMD_EAL[@]}" --file-prefix "$prefix" "${vdevs[@]}" \
        -- "${CTS_TESTPMD_APP[@]}" "$@" \
        </dev/null >"$out/$name.console.log" 2>&1 &
    tpwrap=$!
    for s in "${socks[@]}"; do
        cts_wait_socket "$s" 60
    done
}

# cts_sigint WRAPPER NAME: stop NAME, traced under the timeout WRAPPER, with
# SIGINT sent to it (not to strace, which would lose the end), and wait.
cts_sigint() {
    local p
    p=$(cts_child "$(cts_child "$1" strace)" "$2")
    kill -INT "$p"
    wait "$1" || echo "$2 exited with $?" >&2
}

# cts_finish OUT: the notes of a run (package versions, when) and a listing.
cts_finish() {
    cts_versions > "$1/versions.txt"
    date -u +%Y-%m-%dT%H:%M:%SZ > "$1/recorded-at.txt"
    ls -l "$1"
}
