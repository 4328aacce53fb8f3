#!/bin/bash
# Build the kernel's vDPA modules out of tree for Debian's kernel, which is
# configured without CONFIG_VDPA: vdpa, vringh (CONFIG_VHOST_RING is unset
# too and vdpa_sim needs it), vdpa_sim{,_net,_blk}, vduse and vhost_vdpa,
# from linux-source-6.1 against linux-headers-KVER. Every other symbol they
# use (vhost, vhost_iotlb, irqbypass) is exported by Debian's kernel.
#
# Only the needed paths are extracted from the source tarball, and the .ko
# files are cached by kernel version and package versions under OUTDIR.
#
# Usage: build-vdpa-modules.sh KVER OUTDIR
#   -> OUTDIR/vdpa-mods-KVER/{*.ko,order,versions}; prints that directory.
#   exit 0 built or cached, 77 cannot build here (reason on stderr), else failed
set -euo pipefail
kver=${1:?usage: build-vdpa-modules.sh KVER OUTDIR}
out=${2:?usage: build-vdpa-modules.sh KVER OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
skip() { echo "vdpa-modules: SKIP: $*" >&2; exit 77; }
tarball=/usr/src/linux-source-6.1.tar.xz
hdr=/usr/src/linux-headers-$kver
[ -f "$tarball" ] || skip "no $tarball (linux-source-6.1)"
[ -d "$hdr" ] || skip "no $hdr (linux-headers-amd64)"
# The source, the headers and the image must be one Debian version: the
# security archive can publish them apart, and a module built from other
# sources than the running kernel's may load and misbehave.
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not-installed"; }
v_img=$(ver "linux-image-$kver") v_hdr=$(ver "linux-headers-$kver") v_src=$(ver linux-source-6.1)
[ "$v_img" = "$v_hdr" ] && [ "$v_img" = "$v_src" ] ||
    skip "kernel packages out of step: linux-image-$kver $v_img, linux-headers-$kver $v_hdr, linux-source-6.1 $v_src"
dir=$out/vdpa-mods-$kver
mods="vdpa vringh vdpa_sim vdpa_sim_net vdpa_sim_blk vduse vhost_vdpa"
if [ -f "$dir/versions" ] && [ "$(cat "$dir/versions")" = "$v_img" ]; then
    echo "$dir"
    exit 0
fi
rm -rf "$dir" "$dir.src"
mkdir -p "$dir.src"
src=$dir.src
tar -xJf "$tarball" -C "$src" --strip-components=1 \
    linux-source-6.1/drivers/vdpa/vdpa.c \
    linux-source-6.1/drivers/vdpa/vdpa_sim \
    linux-source-6.1/drivers/vdpa/vdpa_user \
    linux-source-6.1/drivers/vhost/vringh.c \
    linux-source-6.1/drivers/vhost/vdpa.c \
    linux-source-6.1/drivers/vhost/vhost.h
# Our own Kbuild files (Kbuild wins over the tree's Makefiles, which test
# CONFIG_ symbols this kernel does not set).
echo 'obj-m += drivers/vdpa/ drivers/vhost/' > "$src/Kbuild"
printf 'obj-m += vdpa.o vdpa_sim/ vdpa_user/\n' > "$src/drivers/vdpa/Kbuild"
printf 'obj-m += vdpa_sim.o vdpa_sim_net.o vdpa_sim_blk.o\n' > "$src/drivers/vdpa/vdpa_sim/Kbuild"
printf 'obj-m += vduse.o\nvduse-y := vduse_dev.o iova_domain.o\n' > "$src/drivers/vdpa/vdpa_user/Kbuild"
printf 'obj-m += vringh.o vhost_vdpa.o\nvhost_vdpa-y := vdpa.o\n' > "$src/drivers/vhost/Kbuild"
make -s -C "$hdr" M="$src" -j2 modules >&2
mkdir -p "$dir"
for m in $mods; do
    f=$(find "$src" -name "$m.ko")
    [ -n "$f" ] || { echo "vdpa-modules: $m.ko was not built" >&2; exit 1; }
    cp "$f" "$dir/"
done
# Load order: dependencies first.
printf '%s\n' vringh vdpa vdpa_sim vdpa_sim_net vdpa_sim_blk vduse vhost_vdpa > "$dir/order"
echo "$v_img" > "$dir/versions"
rm -rf "$src"
echo "$dir"
