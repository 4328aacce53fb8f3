#!/bin/bash
# Build the guest used by every recording: Debian's 6.1 kernel (from
# linux-image-amd64, used as-is from /boot) plus a busybox-static initramfs
# holding the virtio modules, a dynamically linked ethtool with its
# libraries, and an /init script.
#
# Usage: mkguest.sh [OUTDIR]      (default: traces/record/.work/guest)
# Produces OUTDIR/vmlinuz (a copy of /boot/vmlinuz-*) and OUTDIR/initramfs.cpio.gz
#
# The guest's behaviour is chosen on the kernel command line:
#   cts.mode=net     load virtio_net, eth0 up, ping, rmmod/insmod, eth0 up, poweroff
#   cts.mode=net-mq  same, plus `ethtool -L eth0 combined 2` after each link up
#   cts_combined=N   (net-mq, optional) combined N instead of 2
#   cts.mode=blk     load virtio_blk, read /dev/vda, rmmod/insmod, read again, poweroff
#   cts.mode=blk-mq  load virtio_blk, on each vCPU write then read 8 x 4 KiB (O_DIRECT), poweroff
#   cts.mode=fs      load virtiofs, mount tag cts, write two files, umount, poweroff
#   cts_hold=N       (net modes, optional) stay N s after the first link up
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.work/guest}
kver=${KVER:-$(ls /boot/vmlinuz-6.1* | sort -V | tail -n1 | sed 's|^/boot/vmlinuz-||')}
[ -f "/boot/vmlinuz-$kver" ] || { echo "no /boot/vmlinuz-$kver" >&2; exit 1; }

root=$(mktemp -d /tmp/cts-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$out" "$root"/{bin,sbin,proc,sys,dev,tmp,etc,mods,lib64,lib/x86_64-linux-gnu}

# busybox-static and its applets
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done

# Kernel modules: resolve the dependency closure of the wanted modules with
# modinfo and emit them in load order (dependencies first). virtio_pci is a
# module (CONFIG_VIRTIO_PCI=m) in Debian's 6.1 config, so it is included.
grep -E '^CONFIG_VIRTIO_PCI=|^CONFIG_VIRTIO_NET=|^CONFIG_VIRTIO_BLK=' "/boot/config-$kver" >&2 || true
declare -A seen=()
order=()
add_mod() {
    local m=$1 d deps
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    deps=$(modinfo -k "$kver" -F depends "$m")
    for d in ${deps//,/ }; do add_mod "$d"; done
    local f
    f=$(modinfo -k "$kver" -F filename "$m")
    if [ "$f" = "(builtin)" ]; then
        echo "module $m is builtin" >&2
        return 0
    fi
    cp "$f" "$root/mods/$m.ko"
    order+=("$m")
}
# base = everything virtio_pci needs; the device drivers are loaded by /init
for m in virtio_pci failover net_failover; do add_mod "$m"; done
printf '%s\n' "${order[@]}" > "$root/mods/base.order"
add_mod virtio_net
add_mod virtio_blk
add_mod virtiofs
echo "modules: ${order[*]}" >&2

# ethtool (dynamic) + its shared libraries, for `ethtool -L` in net-mq mode
cp /usr/sbin/ethtool "$root/sbin/ethtool"
for lib in $(ldd /usr/sbin/ethtool | grep -o '/[^ ]*'); do
    cp -L "$lib" "$root$lib"
done

cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mode=net
for w in $(cat /proc/cmdline); do
    case "$w" in cts.mode=*) mode=${w#cts.mode=} ;; esac
done
echo "cts-guest: mode=$mode kernel=$(uname -r)"
for m in $(cat /mods/base.order); do insmod /mods/$m.ko; done

net_up() {
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0 2>/dev/null
    if [ "$mode" = net-mq ]; then
        ethtool -l eth0
        ethtool -L eth0 combined "${cts_combined:-2}" && echo "cts-guest: ethtool -L combined ${cts_combined:-2} ok"
        ethtool -l eth0
    fi
    ip link show eth0
    # Only purpose: put frames on the TX ring. Failure is expected.
    ping -c 3 -W 1 10.0.2.2
}

# cts_hold=N on the kernel command line (an unknown key=value word, so the
# kernel hands it to /init as an environment variable): after the first link
# up, stay N seconds with the link up, one ping a second on the TX ring, and
# report memory changes (used by qemu-hotplug.sh while it hot-plugs a DIMM).
hold() {
    echo "cts-guest: holding $1 s"
    last=
    i=0
    while [ "$i" -lt "$1" ]; do
        now="$(grep MemTotal /proc/meminfo) blocks online=$(cat /sys/devices/system/memory/memory*/state | grep -c '^online')"
        if [ "$now" != "$last" ]; then echo "cts-guest: t=$i $now"; last=$now; fi
        ping -c 1 -W 1 10.0.2.2 >/dev/null 2>&1
        i=$((i + 1))
    done
    echo "cts-guest: hold over"
}

case "$mode" in
net|net-mq)
    insmod /mods/virtio_net.ko
    sleep 1
    net_up
    if [ -n "${cts_hold:-}" ]; then hold "$cts_hold"; fi
    echo "cts-guest: rmmod virtio_net"
    rmmod virtio_net
    sleep 1
    echo "cts-guest: insmod virtio_net again"
    insmod /mods/virtio_net.ko
    sleep 1
    net_up
    ;;
blk)
    insmod /mods/virtio_blk.ko
    sleep 1
    cat /sys/block/vda/size
    dd if=/dev/vda of=/dev/null bs=4k count=16
    echo "cts-guest: rmmod virtio_blk"
    rmmod virtio_blk
    sleep 1
    echo "cts-guest: insmod virtio_blk again"
    insmod /mods/virtio_blk.ko
    sleep 1
    dd if=/dev/vda of=/dev/null bs=4k count=16
    ;;
blk-mq)
    # one writer and one reader pinned to each vCPU: blk-mq maps a CPU to
    # its own hardware queue, so every virtqueue carries I/O
    insmod /mods/virtio_blk.ko
    sleep 1
    echo "cts-guest: cpus $(nproc), hw queues $(ls /sys/block/vda/mq | tr '\n' ' ')"
    for c in $(seq 0 $(($(nproc) - 1))); do
        taskset -c "$c" dd if=/dev/urandom of=/dev/vda bs=4k count=8 seek=$((c * 8)) oflag=direct
        taskset -c "$c" dd if=/dev/vda of=/dev/null bs=4k count=8 skip=$((c * 8)) iflag=direct
    done
    grep -H . /sys/block/vda/mq/*/cpu_list
    ;;
fs)
    # virtiofs needs fuse (dependency order from modinfo)
    insmod /mods/fuse.ko
    insmod /mods/virtiofs.ko
    mkdir -p /mnt
    mount -t virtiofs cts /mnt && echo "cts-guest: virtiofs mounted"
    ls -l /mnt
    echo "written by the cts guest" > /mnt/cts-guest.txt
    dd if=/dev/urandom of=/mnt/cts-guest.bin bs=4k count=16
    sync
    cat /mnt/cts-guest.txt
    ls -l /mnt
    umount /mnt && echo "cts-guest: virtiofs unmounted"
    ;;
esac
echo "cts-guest: done, powering off"
sync
poweroff -f
INIT
chmod 755 "$root/init"

(cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -9) > "$out/initramfs.cpio.gz"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"
ls -l "$out" >&2
