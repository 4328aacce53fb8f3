#!/bin/sh
# /init of the VM test lane (harness/vm/mkvm.sh). Prints "vm: ..." lines and
# result blocks that harness/vm/run-vm.sh parses:
#   ===BEGIN name=== ... ===END name rc=N===
. /init-common.sh
grep -E 'cuse|vhost|misc' /proc/devices | sed 's/^/vm: \/proc\/devices: /'

fake_start() { # run-name node-name: serve /dev/NODE, reports in /tmp/fake-RUN.*
    vhost-cts vdpa-fake --cuse $2 --json /tmp/fake-$1.json > /tmp/fake-$1.txt 2>&1 &
    fakepid=$!
    i=0
    while [ ! -e /dev/$2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
fake_stop() {
    kill -TERM $fakepid
    wait $fakepid
    echo "vm: fake exit $?"
    showfile fake-$1.txt /tmp/fake-$1.txt
    showfile fake-$1.json /tmp/fake-$1.json
}

# 1. certify on the CUSE fake
fake_start certify vhost-vdpa-fake0
grep vhost-vdpa /proc/devices | sed 's/^/vm: \/proc\/devices: /'
block certify-cuse vhost-cts certify --device /dev/vhost-vdpa-fake0 --json /tmp/certify-cuse.json
showfile certify-cuse.json /tmp/certify-cuse.json
fake_stop certify

# 2. dpdk-testpmd (virtio-user, vhost-vdpa back-end) on the CUSE fake, under strace
if [ -x /usr/bin/dpdk-testpmd ]; then
    fake_start testpmd vhost-vdpa-fake1
    grep -i vdpa /proc/devices | sed 's/^/vm: \/proc\/devices: /'
    ls -l /dev/vhost-vdpa* | sed 's/^/vm: /'
    block testpmd sh -c 'echo | strace -f -tt -yy -xx -s 65536 -e trace=ioctl,write,mmap,munmap,openat,close \
        -o /tmp/testpmd.strace dpdk-testpmd --no-huge --no-pci -m 512 -l 0-1 --file-prefix vm --log-level=pmd.net.virtio.*:8 \
        --vdev net_virtio_user0,path=/dev/vhost-vdpa-fake1 -- --no-mlockall --total-num-mbufs=2048'
    fake_stop testpmd
    grep -E 'vhost-vdpa|vhost\\x2dvdpa|\\x76\\x68\\x6f\\x73\\x74\\x2d\\x76\\x64\\x70\\x61' /tmp/testpmd.strace > /tmp/testpmd-vdpa.strace
    showfile testpmd.strace /tmp/testpmd-vdpa.strace
    grep -c . /tmp/testpmd.strace | sed "s/^/vm: strace lines: /"
    grep -E "openat|stat" /tmp/testpmd.strace | tail -5 | sed "s/^/vm: /"
fi

# 3. the kernel's own vhost-net: the generic vhost ioctls
block certify-vhost-net vhost-cts certify --device /dev/vhost-net --generic --json /tmp/certify-vhost-net.json
showfile certify-vhost-net.json /tmp/certify-vhost-net.json

echo "vm: done"
poweroff -f
