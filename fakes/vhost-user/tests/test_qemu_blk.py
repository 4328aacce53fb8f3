"""QEMU 7.2 vhost-user-blk-pci against `vhost-cts serve --profile blk`.

The fake serves a 64 MiB zero-filled disk (config space, GET_CONFIG,
CONFIGURE_MEM_SLOTS, INFLIGHT_SHMFD); the guest reads /dev/vda, unloads
and reloads virtio_blk, reads again and powers off.
"""
import os
import re
import subprocess

import pytest

import vu_peers as vp


def boot_blk(tag, serve_args=(), device_extra=""):
    if not vp.have("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 not installed (package qemu-system-x86)")
    g = vp.guest_or_reason()
    if isinstance(g, str):
        pytest.skip(g)
    k, i = g
    wd = vp.workdir(tag)
    sock = os.path.join(wd, "vu.sock")
    srv = vp.Serve(wd, "serve", sock, ["--once", "--profile", "blk"] + list(serve_args), queues=1).start()
    rc = vp.run(["timeout", "-s", "KILL", "240", "qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-smp", "1",
                 "-nographic", "-no-reboot", "-nic", "none",
                 "-object", "memory-backend-memfd,id=mem,size=256M,share=on", "-numa", "node,memdev=mem",
                 "-chardev", "socket,id=chr0,path=" + sock, "-device", "vhost-user-blk-pci,chardev=chr0" + device_extra,
                 "-kernel", k, "-initrd", i, "-append", "console=ttyS0 quiet panic=-1 cts.mode=blk"],
                os.path.join(wd, "qemu.log"))
    srv.wait(30)
    console = open(os.path.join(wd, "qemu.log"), errors="replace").read()
    return srv, rc, console


def test_blk_guest_reads_disk():
    srv, rc, console = boot_blk("blk")
    check_blk(srv, rc, console)


def test_blk_packed():
    # packed=on and a fake offering RING_PACKED: SeaBIOS drives its split
    # ring, Linux's virtio_blk packed ones (3-descriptor chains); the fake
    # serves both and QEMU's messages pass VU-PACK-01/02.
    srv, rc, console = boot_blk("blkpacked", ["--features", "+RING_PACKED"], ",packed=on")
    check_blk(srv, rc, console)
    out = subprocess.run([vp.vcts_bin(), "decode", srv.record], stdout=subprocess.PIPE).stdout.decode()
    sets = re.findall(r"SET_VRING_BASE +req .* = (0x[0-9a-f]{8}):", out)
    gets = [int(w, 16) for w in re.findall(r"GET_VRING_BASE +reply .* = (0x[0-9a-f]{8}):", out)]
    # the Linux probe and the reload run packed; every request was used
    assert len(sets) >= 2 and set(sets) == {"0x80008000"}, out
    assert len(gets) >= 2 and all(w & 0xffff == w >> 16 for w in gets), out
    assert any(w & 0x7fff for w in gets), out


def check_blk(srv, rc, console):
    assert rc == 0, console[-2000:]
    # 64 MiB in 512-byte sectors, then two reads of 16 x 4 KiB.
    assert "131072" in console and console.count("16+0 records in") == 2, console[-2000:]
    reqs = srv.requests()
    names = [n for d, ch, n, _ in reqs if d == "FE->BE" and ch == 0]
    # Memory arrives by ADD_MEM_REG (CONFIGURE_MEM_SLOTS), config by GET_CONFIG.
    assert "ADD_MEM_REG" in names and "GET_CONFIG" in names and "GET_INFLIGHT_FD" in names, names
    # Three start/stop cycles: SeaBIOS, Linux probe, insmod after rmmod.
    assert names.count("GET_VRING_BASE") == 3
    st = srv.stats()
    assert st["chains done"] > 0 and st["chain errors"] == 0, st
    # QEMU 7.2 with STATUS negotiated: SET_STATUS(0) before GET_VRING_BASE
    # at each stop, FEATURES_OK without ACKNOWLEDGE|DRIVER at each start.
    assert srv.rules() == sorted(["VU-RING-09"] * 3 + ["VU-STS-01"] * 3), srv.text()
    off, _ = srv.offline()
    assert off == srv.findings()
