"""QEMU 7.2 virtio-net-pci (vhost-user netdev) against `vhost-cts serve`.

Each test boots the Debian kernel + busybox guest of traces/record/mkguest.sh
(TCG, 256 MiB), which loads virtio_net, brings eth0 up, pings (frames go
onto the TX ring), unloads and reloads the driver, and powers off. The
expected findings are what QEMU 7.2 was found to do (see
fakes/vhost-user/README.md); every test also checks that an offline
`vhost-cts check` of the capture reports exactly the live findings.
"""
import os
import signal
import subprocess
import time

import pytest

import vu_peers as vp


@pytest.fixture(scope="module")
def guest():
    if not vp.have("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 not installed (package qemu-system-x86)")
    g = vp.guest_or_reason()
    if isinstance(g, str):
        pytest.skip(g)
    return g


def same_offline(srv):
    off, _ = srv.offline()
    assert off == srv.findings(), "live and offline findings differ"


def count(reqs, name, direction="FE->BE"):
    return sum(1 for d, ch, n, _ in reqs if n == name and d == direction and ch == 0)


# What QEMU 7.2 does to a net device that starts and stops twice (one
# queue pair): SET_STATUS(0) before GET_VRING_BASE at each stop (bug B13,
# VU-RING-09), SET_STATUS(FEATURES_OK) without ACKNOWLEDGE|DRIVER at each
# start (VU-STS-01, INFO), and the second start resends the unchanged
# memory table (VU-ONCE-04, INFO).
NET_1Q = sorted(["VU-RING-09"] * 2 + ["VU-STS-01"] * 2 + ["VU-ONCE-04"])


def boot_net(guest, tag, serve_args=(), queues=1, mode="net", mem="memfd"):
    k, i = guest
    wd = vp.workdir(tag)
    sock = os.path.join(wd, "vu.sock")
    srv = vp.Serve(wd, "serve", sock, ["--once", "--profile", "net", "--queues", str(queues)] + list(serve_args),
                   queues=2 * queues).start()
    memp = os.path.join("/dev/shm", "vcts-%d-%s" % (os.getpid(), tag)) if mem == "file" else None
    try:
        rc = vp.run(vp.qemu_net_cmd(sock, k, i, mode=mode, queues=queues, mem=mem, mem_path=memp),
                    os.path.join(wd, "qemu.log"))
    finally:
        if memp and os.path.exists(memp):
            os.unlink(memp)
    srv.wait(30)
    console = open(os.path.join(wd, "qemu.log"), errors="replace").read()
    return srv, rc, console


def test_net_memfd_two_start_stop_cycles(guest):
    srv, rc, console = boot_net(guest, "net")
    assert rc == 0, console[-2000:]
    assert "cts-guest: done, powering off" in console
    reqs = srv.requests()
    # The device started and stopped twice: two rings stopped each time.
    assert count(reqs, "GET_VRING_BASE") == 4, srv.text()
    assert count(reqs, "SET_MEM_TABLE") == 2
    st = srv.stats()
    assert st["kicks"] > 0 and st["chains done"] > 0 and st["chain errors"] == 0, st
    assert srv.rules() == NET_1Q, srv.text()
    assert srv.rc == 0  # SHOULD and INFO findings only
    same_offline(srv)


def test_net_memory_backend_file(guest):
    # Guest memory behind a regular file: the fake maps each region from
    # the fd at its mmap_offset (VU-MEM-04 against the file's real size)
    # and reads the rings and every TX buffer through the table.
    srv, rc, console = boot_net(guest, "netfile", mem="file")
    assert rc == 0, console[-2000:]
    st = srv.stats()
    assert st["regions refused"] == 0 and st["chains done"] > 0 and st["chain errors"] == 0, st
    assert srv.rules() == NET_1Q, srv.text()
    same_offline(srv)


def test_net_multiqueue(guest):
    # queues=2, mq=on, `ethtool -L eth0 combined 2` in the guest.
    srv, rc, console = boot_net(guest, "netmq", queues=2, mode="net-mq")
    assert rc == 0, console[-2000:]
    assert "ethtool -L combined 2 ok" in console
    reqs = srv.requests()
    assert count(reqs, "GET_QUEUE_NUM") == 1
    assert count(reqs, "GET_VRING_BASE") == 8, srv.text()
    assert srv.rules() == NET_MQ, srv.text()
    same_offline(srv)


# Two queue pairs: QEMU 7.2 sends SET_STATUS(0) after the first pair's
# GET_VRING_BASE but before the second pair's (it comes from the last
# vhost_dev), so rings 2/3 are still started at each of the two stops.
NET_MQ = sorted(["VU-RING-09"] * 2 + ["VU-STS-01"] * 2 + ["VU-ONCE-04"])
