# Sourced by the VM lanes' /init scripts (init.sh, init-vdpa.sh; mkvm.sh
# puts it in the initramfs as /init-common.sh): the mounts, the modules of
# /mods/order, and the result blocks harness/vm/run-vm.sh parses:
#   ===BEGIN name=== ... ===END name rc=N===
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /var/run
echo "vm: init at $(cut -d' ' -f1 /proc/uptime) s of uptime"
# A lane's /init may define mod_params NAME (prints insmod's parameters).
command -v mod_params >/dev/null 2>&1 || mod_params() { :; }
for m in $(cat /mods/order); do
    # shellcheck disable=SC2046 # the parameters are words
    insmod /mods/$m.ko $(mod_params "$m") || echo "vm: insmod $m failed"
done
echo "vm: kernel $(uname -r), modules: $(cat /mods/order | tr '\n' ' ')"

block() { # name, command...
    n=$1; shift
    echo "===BEGIN $n==="
    "$@" > /tmp/$n.out 2>&1
    rc=$?
    cat /tmp/$n.out
    echo "===END $n rc=$rc==="
}
showfile() { echo "===BEGIN $1==="; cat "$2" 2>/dev/null; echo "===END $1 rc=0==="; }
