#!/usr/bin/env python3
"""Render a QEMU vhost_vdpa_* trace log as the strace log the same QEMU run
would give (strace -f -tt -yy -xx -s 65536 -e trace=ioctl,write,openat,close):
every IOTLB message becomes the write() of its 72-byte vhost_msg_v2 (as
-xx prints it), every traced call the ioctl QEMU made (strace shows the
argument as a pointer). Used to build the strace fixtures of the vhost-vdpa
importer from a real QEMU 7.2 run (traces/qemu-vdpa-shim/); the output is a
rendering, not a recording.

usage: mkstrace.py QEMU-TRACE-LOG OUT.strace
"""
import re
import struct
import sys

FD = 3
ANN = "".join("\\x%02x" % b for b in b"/dev/vhost-vdpa-0") + "<char 511:0>"
PID = 4242
t = [36000.0]


def ts():
    t[0] += 0.000137
    s = t[0]
    return "%02d:%02d:%02d.%06d" % (s // 3600, s // 60 % 60, s % 60, round((s % 1) * 1e6) % 1000000)


def line(call, res):
    return "%d  %s %s = %s\n" % (PID, ts(), call, res)


def ioctl(name):
    return line("ioctl(%d<%s>, %s, 0x7ffc2a1b3c40)" % (FD, ANN, name), "0")


def write(msg_type, asid, iova, size, uaddr, perm, typ):
    b = struct.pack("<II QQQ BB 38x", msg_type, asid, iova, size, uaddr, perm, typ)
    assert len(b) == 72
    data = "".join("\\x%02x" % x for x in b)
    return line('write(%d<%s>, "%s", 72)' % (FD, ANN, data), "72")


def kv(rest):
    return {k: v for k, v in re.findall(r"(\w+): (\S+)", rest)}


def main(src, dst):
    out = [line('openat(AT_FDCWD, "%s", O_RDWR)' % "".join("\\x%02x" % b for b in b"/dev/vhost-vdpa-0"),
                "%d<%s>" % (FD, ANN))]
    out.append(ioctl("VHOST_SET_OWNER").replace("0x7ffc2a1b3c40", "0"))
    out.append(ioctl("VHOST_GET_BACKEND_FEATURES"))
    out.append(ioctl("VHOST_SET_BACKEND_FEATURES"))
    simple = {
        "vhost_vdpa_get_features": ["VHOST_GET_FEATURES"],
        "vhost_vdpa_set_features": ["VHOST_SET_FEATURES"],
        "vhost_vdpa_add_status": ["VHOST_VDPA_GET_STATUS", "VHOST_VDPA_SET_STATUS", "VHOST_VDPA_GET_STATUS"],
        "vhost_vdpa_reset_device": ["VHOST_VDPA_SET_STATUS"],
        "vhost_vdpa_get_device_id": ["VHOST_VDPA_GET_DEVICE_ID"],
        "vhost_vdpa_get_iova_range": ["VHOST_VDPA_GET_IOVA_RANGE"],
        "vhost_vdpa_set_vring_num": ["VHOST_SET_VRING_NUM"],
        "vhost_vdpa_set_vring_base": ["VHOST_SET_VRING_BASE"],
        "vhost_vdpa_get_vring_base": ["VHOST_GET_VRING_BASE"],
        "vhost_vdpa_set_vring_addr": ["VHOST_SET_VRING_ADDR"],
        "vhost_vdpa_set_vring_kick": ["VHOST_SET_VRING_KICK"],
        "vhost_vdpa_set_vring_call": ["VHOST_SET_VRING_CALL"],
        "vhost_vdpa_get_config": ["VHOST_VDPA_GET_CONFIG"],
    }
    for l in open(src, encoding="utf-8", errors="replace"):
        m = re.match(r"^(?:\S*:)?(vhost_vdpa_\w+) ?(.*)$", l.strip())
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        f = kv(rest)
        if name in simple:
            for n in simple[name]:
                out.append(ioctl(n))
        elif name == "vhost_vdpa_dma_map":
            out.append(write(int(f["msg_type"]), int(f.get("asid", "0")), int(f["iova"], 16),
                             int(f["size"], 16), int(f["uaddr"], 16), int(f["perm"], 16), 2))
        elif name == "vhost_vdpa_dma_unmap":
            out.append(write(int(f["msg_type"]), int(f.get("asid", "0")), int(f["iova"], 16),
                             int(f["size"], 16), 0, 0, 3))
        elif name == "vhost_vdpa_listener_begin_batch":
            out.append(write(int(f["msg_type"]), 0, 0, 0, 0, 0, 5))
        elif name == "vhost_vdpa_listener_commit":
            out.append(write(int(f["msg_type"]), 0, 0, 0, 0, 0, 6))
    out.append(line("close(%d<%s>)" % (FD, ANN), "0"))
    open(dst, "w").writelines(out)


main(sys.argv[1], sys.argv[2])
