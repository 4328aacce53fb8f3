#!/bin/sh
# /init of the kernel vDPA lane (harness/lanes/vm-vdpa.sh): Debian's kernel
# with the out-of-tree vDPA modules (build-vdpa-modules.sh), the kernel's
# reference devices vdpa_sim_net and vdpa_sim_blk created with /sbin/vdpa,
# and `vhost-cts certify` run against them. Result blocks as in init.sh:
#   ===BEGIN name=== ... ===END name rc=N===
# vhost_vdpa and vdpa_sim hold one IOTLB entry per physically contiguous run
# of the pages an UPDATE pins (vhost_vdpa_pa_map), at most max_iotlb_entries
# (2048) per address space, then ENOSPC, which the client sees as EFAULT.
# DPDK's 256 MiB of 4 KiB memfd pages came in 306 to 2775 runs here, the
# more the more fragmented the guest's memory (most right after boot, and
# more with every run), so its UPDATE failed now and then. 131072 entries
# hold 512 MiB of single pages: the run no longer depends on the layout.
mod_params() {
    case $1 in vhost_vdpa | vdpa_sim) echo max_iotlb_entries=131072 ;; esac
}
. /init-common.sh

block mgmtdev vdpa mgmtdev show
block dev-add-net vdpa dev add mgmtdev vdpasim_net name vdpa0 mac 02:00:00:00:00:01
block dev-add-blk vdpa dev add mgmtdev vdpasim_blk name vdpa1
block devs sh -c 'vdpa dev show; ls -l /dev/vhost-vdpa-*'

# The fake configured like vdpa_sim_net (drivers/vdpa/vdpa_sim/vdpa_sim_net.c:
# features MTU MAC CTRL_VQ CTRL_MAC_ADDR ANY_LAYOUT VERSION_1
# ACCESS_PLATFORM, 3 vqs, 2 groups, 2 address spaces, no doorbells); the
# differential test compares its step log with the kernel device's.
SIM_NET='features=0x308820028,qp=1,ctrl-vq=1,num=256,groups=2,as=2,no-doorbell'
for d in net:0 blk:1; do
    kind=${d%%:*} i=${d#*:}
    block certify-$kind vhost-cts certify --device /dev/vhost-vdpa-$i --json /tmp/certify-$kind.json
    showfile certify-$kind.json /tmp/certify-$kind.json
    block steps-$kind vhost-cts certify --device /dev/vhost-vdpa-$i --cycles 3 --steps /tmp/steps-$kind.txt
    showfile steps-$kind.txt /tmp/steps-$kind.txt
done
# The data path: vdpa_sim_net loops TX back to RX, vdpa_sim_blk is a RAM disk.
block datapath-net vhost-cts certify --device /dev/vhost-vdpa-0 --datapath --cycles 3 --json /tmp/datapath-net.json
showfile datapath-net.json /tmp/datapath-net.json
block datapath-blk vhost-cts certify --device /dev/vhost-vdpa-1 --datapath --cycles 3 --json /tmp/datapath-blk.json
showfile datapath-blk.json /tmp/datapath-blk.json
# DPDK testpmd (virtio-user, vhost-vdpa back-end) on vdpa_sim_net under
# strace: io forwarding with a first TX burst, so the frames vdpa_sim_net
# loops back are forwarded again for 2 s. Once with the locked-memory limit
# lifted, once with the default 8 MiB: pinning the 256 MiB of DPDK's memory
# for the IOTLB UPDATE then fails (EFAULT).
testpmd_sim() { # name, ulimit -l value
    # Enter (stop) 2 s after the port started, however long testpmd's
    # start took (the guest is slow when the host is busy): its fifth
    # SET_STATUS (reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, then DRIVER_OK,
    # or the reset after a failed start) in the strace log, which strace
    # writes as it goes (testpmd's own output is buffered); or its failed
    # IOTLB write (testpmd does not reset after it: waiting for a fifth
    # SET_STATUS took the whole 90 s and more).
    block testpmd-$1 sh -c "ulimit -l $2; (i=0; until [ \$(grep -c VHOST_VDPA_SET_STATUS /tmp/testpmd-$1.strace 2>/dev/null || echo 0) -ge 5 ] || \
        grep -q '^[0-9]* *[0-9:.]* write(.*= -1 EFAULT' /tmp/testpmd-$1.strace 2>/dev/null || [ \$i -ge 900 ]; \
        do sleep 0.1; i=\$((i + 1)); done; sleep 2; echo) | timeout -s INT 180 strace -f -tt -yy -xx -s 65536 \
        -e trace=ioctl,write,mmap,munmap,openat,close -o /tmp/testpmd-$1.strace \
        dpdk-testpmd --no-huge --no-pci -m 256 -l 0-1 --file-prefix $1 \
        --vdev net_virtio_user0,path=/dev/vhost-vdpa-0 -- --no-mlockall --total-num-mbufs=2048 \
        --forward-mode=io --tx-first"
    grep -E 'vhost-vdpa|vhost\\x2dvdpa|\\x76\\x68\\x6f\\x73\\x74\\x2d\\x76\\x64\\x70\\x61' /tmp/testpmd-$1.strace > /tmp/testpmd-$1-vdpa.strace
    showfile testpmd-$1.strace /tmp/testpmd-$1-vdpa.strace
}
if [ -x /usr/bin/dpdk-testpmd ]; then
    free -m | sed 's/^/vm: free: /'
    # One run: with max_iotlb_entries raised (above) the 256 MiB UPDATE
    # no longer fails now and then.
    testpmd_sim sim unlimited
    testpmd_sim sim-memlock 8192
fi
block steps-fake-net vhost-cts certify --fake "$SIM_NET" --cycles 3 --steps /tmp/steps-fake-net.txt
showfile steps-fake-net.txt /tmp/steps-fake-net.txt
# A VDUSE device: the suite's virtio-blk RAM disk served from userspace,
# reached through the kernel's vhost-vdpa (a parent that maps by virtual
# address, unlike vdpa_sim).
vduse_start() { # name [fake options]: attach, VDUSE_NODE=/dev/vhost-vdpa-N
    vn=$1; shift
    vhost-cts vdpa-fake --vduse $vn -v "$@" > /tmp/vduse-$vn.txt 2>&1 &
    vdusepid=$!
    i=0
    until grep -q "vduse: ready" /tmp/vduse-$vn.txt || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
    vdpa dev add mgmtdev vduse name $vn
    VDUSE_NODE=/dev/$(ls /sys/bus/vdpa/devices/$vn/ | grep vhost-vdpa)
    echo "vm: VDUSE $vn is $VDUSE_NODE"
}
vduse_stop() {
    vdpa dev del $vn
    kill -TERM $vdusepid
    wait $vdusepid
    rc=$?
    echo "vm: vduse fake exit $rc"
    echo "vduse fake exit $rc" >> /tmp/vduse-$vn.txt
    showfile vduse-$vn.txt /tmp/vduse-$vn.txt
    [ -f /tmp/vduse-$vn.json ] && showfile vduse-$vn.json /tmp/vduse-$vn.json
}
# The fake also judges the client behind the kernel on what the kernel
# relays (its --json report): certify is a clean client.
vduse_start vduse-blk0 --json /tmp/vduse-vduse-blk0.json
block certify-vduse vhost-cts certify --device $VDUSE_NODE --json /tmp/certify-vduse.json
showfile certify-vduse.json /tmp/certify-vduse.json
block steps-vduse vhost-cts certify --device $VDUSE_NODE --cycles 3 --steps /tmp/steps-vduse.txt
showfile steps-vduse.txt /tmp/steps-vduse.txt
block datapath-vduse vhost-cts certify --device $VDUSE_NODE --datapath --cycles 3 --json /tmp/datapath-vduse.json
showfile datapath-vduse.json /tmp/datapath-vduse.json
# DPDK cannot be a client here: virtio-user drives net devices only and
# Linux 6.1's VDUSE makes block devices only (it must refuse device id 2).
[ -x /usr/bin/dpdk-testpmd ] && block testpmd-vduse sh -c "(sleep 5; echo) | timeout -s INT 60 \
    dpdk-testpmd --no-huge --no-pci -m 64 -l 0-1 --file-prefix vduse \
    --vdev net_virtio_user0,path=$VDUSE_NODE -- --no-mlockall --total-num-mbufs=2048"
vduse_stop
# The old certify memory (private anonymous): a virtual-address parent maps
# none of it, so its overlap check cannot see the first mapping, and the
# device finds the rings unmapped at DRIVER_OK.
vduse_start vduse-anon --json /tmp/vduse-vduse-anon.json
block certify-vduse-anon vhost-cts certify --device $VDUSE_NODE --anon-memory --cycles 3
vduse_stop
block certify-net-anon vhost-cts certify --device /dev/vhost-vdpa-0 --anon-memory --cycles 3
# A client that sets DRIVER_OK without FEATURES_OK, then clears DRIVER_OK:
# the kernel relays the first (VDPA-STS-02) and refuses the second (EINVAL),
# so VDUSE never sees it. Records of fakes/vdpa/seq.h: SET_OWNER, then
# SET_STATUS 0x01, 0x03, 0x07, 0x03, each after a marker giving its byte.
st() { printf '\003\376\004\000\000\000\000\000\000\000\000\000\000\310\000\000\162\257\001\100\000\000\000\000'"$1"'\000\000\000'; }
{ printf '\000\310\000\000\001\257\000\000\000\000\000\000'; st '\001'; st '\003'; st '\007'; st '\003'; } > /tmp/driver-ok-first.seq
vduse_start vduse-bad --json /tmp/vduse-vduse-bad.json
block replay-driver-ok-first vhost-cts fuzz-device --device $VDUSE_NODE --replay /tmp/driver-ok-first.seq -v
vduse_stop
# The same fake misbehaving: the data-path check must fail it.
for bad in corrupt drop; do
    vduse_start vduse-$bad --bad $bad
    block datapath-vduse-$bad vhost-cts certify --device $VDUSE_NODE --datapath --cycles 3
    vduse_stop
done

# Kernel fuzz mode: mutated, mostly valid call sequences against each
# device; the kernel log must stay clean and no pinned page may outlive a
# close. vcts_fuzz=SECONDS on the kernel command line sets the time per
# device (the lane: 15; the campaign of fuzz/FINDINGS.md: 200).
fz=$(sed -n 's/.*vcts_fuzz=\([0-9]*\).*/\1/p' /proc/cmdline)
fz=${fz:-15}
# Only emergencies on the console while fuzzing: the kernel logs an error
# for every IOTLB message to an address space without an IOTLB ("no iotlb
# for asid"), unrated. fuzz-device reads /dev/kmsg itself.
echo 1 > /proc/sys/kernel/printk
block fuzz-net vhost-cts fuzz-device --device /dev/vhost-vdpa-0 --seconds $fz --seed 1
block fuzz-blk vhost-cts fuzz-device --device /dev/vhost-vdpa-1 --seconds $fz --seed 2
vduse_start vduse-fuzz
block fuzz-vduse vhost-cts fuzz-device --device $VDUSE_NODE --seconds $fz --seed 3
vduse_stop
for f in /tmp/repro-*.bin; do
    [ -f "$f" ] && { echo "===BEGIN $(basename $f).b64==="; base64 "$f"; echo "===END $(basename $f).b64 rc=0==="; }
done

echo 7 > /proc/sys/kernel/printk
echo "vm: dmesg: $(dmesg | grep -c 'no iotlb for asid') lines 'no iotlb for asid'"
dmesg | grep -E 'WARNING|BUG:|Oops|blocked for more than|Call Trace|general protection' | sed 's/^/vm: dmesg: /'
# Last, as it WARNs (fuzz/FINDINGS.md): a client's IOTLB UPDATE with
# permission 0 is accepted (vhost-vdpa checks no permission), then the
# VDUSE fake's VDUSE_IOTLB_GET_FD of the ring it points at WARNs in
# perm_to_file_flags. Records of fakes/vdpa/seq.h: SET_OWNER, a V1 UPDATE
# of 64 KiB at iova 0 with perm 0, SET_FEATURES VERSION_1|ACCESS_PLATFORM,
# SET_STATUS 1, 3, 0xb, vq 0 num 256, desc 0 avail 0x1000 used 0x2000,
# enabled, SET_STATUS 0xf. Its kernel lines stay off the console.
echo 1 > /proc/sys/kernel/printk
echo 'AMgAAAGvAAAAAAAAA/5IAAAAAAAAAAAAAQBIAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/4IAAAAAAAAAAAAAMgAAACvCEADAAAAAAAAAAMAAAAD/gQAAAAAAAAAAAAAyAAAcq8BQAAAAAABAAAAA/4EAAAAAAAAAAAAAMgAAHKvAUAAAAAAAwAAAAP+BAAAAAAAAAAAAADIAAByrwFAAAAAAAsAAAAD/ggAAAAAAAAAAAAAyAAAEK8IQAABAAAAAAAAAAEAAAP+KAAAAAAAAAAAAADIAAARryhAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAD/ggAAAAAAAAAAAAAyAAAda8IQAEAAAAAAAAAAQAAAAP+BAAAAAAAAAAAAADIAAByrwFAAAAAAA8AAAA=' | base64 -d > /tmp/vduse-perm0.seq
vduse_start vduse-perm0 --json /tmp/vduse-vduse-perm0.json
block repro-vduse-perm0 vhost-cts fuzz-device --device $VDUSE_NODE --replay /tmp/vduse-perm0.seq -v
vduse_stop
echo "vm: done"
poweroff -f
