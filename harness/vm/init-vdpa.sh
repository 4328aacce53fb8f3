#!/bin/sh
# /init of the kernel vDPA lane (harness/lanes/vm-vdpa.sh): Debian's kernel
# with the out-of-tree vDPA modules (build-vdpa-modules.sh), the kernel's
# reference devices vdpa_sim_net and vdpa_sim_blk created with /sbin/vdpa,
# and `vhost-cts certify` run against them. Result blocks as in init.sh:
#   ===BEGIN name=== ... ===END name rc=N===
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
    # writes as it goes (testpmd's own output is buffered).
    block testpmd-$1 sh -c "ulimit -l $2; (i=0; until [ \$(grep -c VHOST_VDPA_SET_STATUS /tmp/testpmd-$1.strace 2>/dev/null || echo 0) -ge 5 ] || [ \$i -ge 900 ]; \
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
    # With the limit lifted the 256 MiB UPDATE still fails now and then
    # (EFAULT; seen in 3 of 7 runs, all on a loaded host, 1 or 2 GiB guest,
    # cause not established): up to 5 attempts, each failed one reported,
    # memory compacted before each (a long-term pin migrates pages).
    for attempt in 1 2 3 4 5; do
        sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; echo 1 > /proc/sys/vm/compact_memory 2>/dev/null
        testpmd_sim sim unlimited
        grep -q 'Failed to start device' /tmp/testpmd-sim.out || break
        echo "vm: testpmd-sim attempt $attempt: the IOTLB UPDATE failed with RLIMIT_MEMLOCK unlimited"
        cp /tmp/testpmd-sim-vdpa.strace /tmp/testpmd-sim-failed-$attempt.strace
        showfile testpmd-sim-failed-$attempt.strace /tmp/testpmd-sim-failed-$attempt.strace
    done
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
    echo "vm: vduse fake exit $?"
    showfile vduse-$vn.txt /tmp/vduse-$vn.txt
}
vduse_start vduse-blk0
block certify-vduse vhost-cts certify --device $VDUSE_NODE --json /tmp/certify-vduse.json
showfile certify-vduse.json /tmp/certify-vduse.json
block steps-vduse vhost-cts certify --device $VDUSE_NODE --cycles 3 --steps /tmp/steps-vduse.txt
showfile steps-vduse.txt /tmp/steps-vduse.txt
# The old certify memory (private anonymous): a virtual-address parent maps
# none of it, so its overlap check cannot see the first mapping.
block certify-vduse-anon vhost-cts certify --device $VDUSE_NODE --anon-memory --cycles 3
block certify-net-anon vhost-cts certify --device /dev/vhost-vdpa-0 --anon-memory --cycles 3
block datapath-vduse vhost-cts certify --device $VDUSE_NODE --datapath --cycles 3 --json /tmp/datapath-vduse.json
showfile datapath-vduse.json /tmp/datapath-vduse.json
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
echo "vm: done"
poweroff -f
