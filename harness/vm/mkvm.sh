#!/bin/bash
# Build the VM test lane's guest: Debian's kernel (linux-image-amd64, from
# /boot; its uncompressed ELF image is extracted for a PVH boot, the way the
# kernel's scripts/extract-vmlinux finds the payload) and an uncompressed
# busybox-static initramfs (fast to unpack under TCG) holding the modules
# fuse, cuse, vhost, vhost_iotlb, vhost_net and tun, the suite's vhost-cts,
# dpdk-testpmd with the virtio PMD, strace, their libraries and an /init
# (harness/vm/init.sh). Same approach as traces/record/mkguest.sh.
#
# Usage: mkvm.sh OUTDIR     -> OUTDIR/vmlinux (or vmlinuz), OUTDIR/initramfs.cpio
# Environment: VCTS_VM_INIT  another /init (default harness/vm/init.sh);
#              VCTS_VM_KMODS a directory of out-of-tree .ko files and their
#                            load "order" (build-vdpa-modules.sh), loaded
#                            after Debian's; /sbin/vdpa comes with them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: mkvm.sh OUTDIR}
kver=${KVER:-$(ls /boot/vmlinuz-* | sort -V | tail -n1 | sed 's|^/boot/vmlinuz-||')}
[ -f "/boot/vmlinuz-$kver" ] || { echo "mkvm: no /boot/vmlinuz-$kver (linux-image-amd64)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "mkvm: busybox-static not installed" >&2; exit 1; }
[ -x "$top/build/rel/vhost-cts" ] || { echo "mkvm: build first (make)" >&2; exit 1; }

root=$(mktemp -d /tmp/vcts-vm.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$out" "$root"/{bin,sbin,proc,sys,dev,tmp,etc,mods,run,var/run,lib64,usr/bin,lib/x86_64-linux-gnu}
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done

# Modules in load order, dependencies first (modinfo closure).
declare -A seen=()
order=()
add_mod() {
    local m=$1 d deps f
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    deps=$(modinfo -k "$kver" -F depends "$m" 2>/dev/null) || { echo "mkvm: no module $m" >&2; return 0; }
    for d in ${deps//,/ }; do add_mod "$d"; done
    f=$(modinfo -k "$kver" -F filename "$m")
    [ "$f" = "(builtin)" ] && return 0
    case "$f" in
    *.ko.xz) xz -dc "$f" > "$root/mods/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" > "$root/mods/$m.ko" ;;
    *) cp "$f" "$root/mods/$m.ko" ;;
    esac
    order+=("$m")
}
for m in fuse cuse vhost_iotlb vhost tun vhost_net; do add_mod "$m"; done
if [ -n "${VCTS_VM_KMODS:-}" ]; then
    add_mod irqbypass # vhost_vdpa's one dependency Debian builds but does not load
    for m in $(cat "$VCTS_VM_KMODS/order"); do
        strip --strip-debug -o "$root/mods/$m.ko" "$VCTS_VM_KMODS/$m.ko"
        order+=("$m")
    done
fi
printf '%s\n' "${order[@]}" > "$root/mods/order"

# Programs and the closure of their libraries.
copy_bin() {
    cp -L "$1" "$root$2"
    for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
    done
}
copy_bin "$top/build/rel/vhost-cts" /bin/vhost-cts
strip --strip-debug "$root/bin/vhost-cts" # 2 MB -> 0.7 MB; backtraces are taken on the host
copy_bin "$(command -v strace)" /usr/bin/strace
if command -v dpdk-testpmd >/dev/null; then
    copy_bin "$(command -v dpdk-testpmd)" /usr/bin/dpdk-testpmd
    pmd=$(ls -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-* | head -n1)
    mkdir -p "$root$pmd"
    # Keep the plugins' symlink chains: a plugin loaded as two files (the
    # .so EAL finds and the .so.23 another plugin links) registers twice,
    # e.g. two vdev buses, and --vdev finds no driver.
    for p in librte_bus_vdev librte_net_virtio librte_mempool_ring; do
        copy_bin "$pmd/$p.so" "$pmd/$p.so.tmp"
        rm -f "$root$pmd/$p.so.tmp"
        cp -a "$pmd/$p.so" "$pmd/$p.so".[0-9]* "$root$pmd/"
    done
fi
# libfuse3 is loaded with dlopen by vhost-cts vdpa-fake.
copy_bin /usr/lib/x86_64-linux-gnu/libfuse3.so.3 /usr/lib/x86_64-linux-gnu/libfuse3.so.3
[ -n "${VCTS_VM_KMODS:-}" ] && copy_bin /sbin/vdpa /sbin/vdpa
# ICU's data library is half the image (31 of 63 MB) and the guest never
# reads it: vhost-cts links libxml2 for its JUnit writer, libxml2 links
# ICU, and ICU's data is read only when libxml2 converts an encoding it
# has no converter of its own or iconv's for (the guest writes no JUnit;
# even when it does, UTF-8 needs no ICU). The guest gets a data library
# with an empty table under the same name and symbol: ICU then finds no
# built-in data and answers "missing resource" if it is ever asked.
for icu in "$root"/lib/x86_64-linux-gnu/libicudata.so.* "$root"/usr/lib/x86_64-linux-gnu/libicudata.so.*; do
    [ -f "$icu" ] || continue
    v=${icu##*.so.}
    v=${v%%.*}
    printf 'const unsigned char icudt%s_dat[32] __attribute__((aligned(16)));\n' "$v" > "$root/icu-empty.c"
    ${CC:-cc} -shared -fPIC -o "$icu" -Wl,-soname,"libicudata.so.$v" "$root/icu-empty.c" &&
        echo "mkvm: $(basename "$icu") replaced by an empty one ($(du -k "$icu" | cut -f1) KiB)" >&2
    rm -f "$root/icu-empty.c"
done
cp "${VCTS_VM_INIT:-$here/init.sh}" "$root/init"
chmod 755 "$root/init"
cp "$here/init-common.sh" "$root/init-common.sh"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) > "$out/initramfs.cpio"

# The kernel: the uncompressed ELF inside bzImage (PVH entry, faster under
# TCG), else bzImage itself.
rm -f "$out/vmlinux" "$out/vmlinuz"
try_extract() { # magic-as-grep-pattern decompressor
    local pos
    for pos in $(LC_ALL=C grep -abo -P "$1" "/boot/vmlinuz-$kver" | cut -d: -f1); do
        if tail -c +$((pos + 1)) "/boot/vmlinuz-$kver" | $2 > "$out/vmlinux.tmp" 2>/dev/null ||
            [ -s "$out/vmlinux.tmp" ]; then
            if head -c 4 "$out/vmlinux.tmp" | grep -q 'ELF'; then
                mv "$out/vmlinux.tmp" "$out/vmlinux"
                return 0
            fi
        fi
    done
    rm -f "$out/vmlinux.tmp"
    return 1
}
try_extract '\xfd7zXZ\x00' 'xz -dc' || try_extract '\x28\xb5\x2f\xfd' 'zstd -qdc' ||
    try_extract '\x1f\x8b\x08' 'gzip -dc' || cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"
ls -l "$out" >&2
