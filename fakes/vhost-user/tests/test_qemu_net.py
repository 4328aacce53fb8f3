"""QEMU 7.2 virtio-net-pci (vhost-user netdev) against `vhost-cts serve`.

Each test boots the Debian kernel + busybox guest of traces/record/mkguest.sh
(TCG, 256 MiB), which loads virtio_net, brings eth0 up, pings (frames go
onto the TX ring), unloads and reloads the driver, and powers off. The
expected findings are what QEMU 7.2 was found to do (see
fakes/vhost-user/README.md); every test also checks that an offline
`vhost-cts check` of the capture reports exactly the live findings.
"""
import os
import re
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


def boot_net(guest, tag, serve_args=(), queues=1, mode="net", mem="memfd", packed=False):
    k, i = guest
    wd = vp.workdir(tag)
    sock = os.path.join(wd, "vu.sock")
    srv = vp.Serve(wd, "serve", sock, ["--once", "--profile", "net", "--queues", str(queues)] + list(serve_args),
                   queues=2 * queues).start()
    memp = os.path.join("/dev/shm", "vcts-%d-%s" % (os.getpid(), tag)) if mem == "file" else None
    try:
        rc = vp.run(vp.qemu_net_cmd(sock, k, i, mode=mode, queues=queues, mem=mem, mem_path=memp, packed=packed),
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


def test_net_packed(guest):
    # packed=on and a fake offering RING_PACKED: Linux's virtio_net drives
    # packed rings the fake serves (TX chains consumed, no chain errors);
    # QEMU starts each ring at 0x80008000 and the fake's GET_VRING_BASE
    # gives both halves: everything a null net device took it has used.
    srv, rc, console = boot_net(guest, "netpacked", serve_args=["--features", "+RING_PACKED"], packed=True)
    assert rc == 0, console[-2000:]
    assert "cts-guest: done, powering off" in console
    st = srv.stats()
    assert st["chains done"] > 0 and st["chain errors"] == 0, st
    assert srv.rules() == NET_1Q, srv.text()
    assert srv.rc == 0
    same_offline(srv)
    out = subprocess.run([vp.vcts_bin(), "decode", srv.record], stdout=subprocess.PIPE).stdout.decode()
    sets = re.findall(r"SET_VRING_BASE +req .* = (0x[0-9a-f]{8}):", out)
    gets = [int(w, 16) for w in re.findall(r"GET_VRING_BASE +reply .* = (0x[0-9a-f]{8}):", out)]
    assert sets == ["0x80008000"] * 4, out
    assert len(gets) == 4 and all(w & 0xffff == w >> 16 for w in gets), out
    assert any(w & 0x7fff for w in gets), out


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


def test_net_multiqueue_one_pair_used(guest):
    # queues=2, mq=on, but the 1-vCPU guest keeps Linux's default of one
    # queue pair: QEMU keeps rings 2-3 started and disabled on purpose
    # (SET_VRING_ENABLE 0), a state vhost-user.rst defines. VU-RING-10 must
    # not fire (issue #14 class 3); its B8 side is fixture
    # vu-ring-10-live-kicks and test_fake's kick test.
    srv, rc, console = boot_net(guest, "netmq1", queues=2, mode="net")
    assert rc == 0, console[-2000:]
    reqs = srv.requests()
    # ring 2 and 3 disabled (index u32, num u32 = 0), never enabled
    enables = [pl for d, ch, n, pl in reqs if n == "SET_VRING_ENABLE" and d == "FE->BE"]
    assert "0200000000000000" in enables and "0300000000000000" in enables, enables
    assert "0200000001000000" not in enables, enables
    assert count(reqs, "GET_VRING_BASE") == 8, srv.text()
    assert "VU-RING-10" not in srv.rules(), srv.text()
    assert srv.rules() == NET_MQ, srv.text()
    same_offline(srv)


# Two queue pairs: QEMU 7.2 sends SET_STATUS(0) after the first pair's
# GET_VRING_BASE but before the second pair's (it comes from the last
# vhost_dev), so rings 2/3 are still started at each of the two stops.
NET_MQ = sorted(["VU-RING-09"] * 2 + ["VU-STS-01"] * 2 + ["VU-ONCE-04"])


# ---- The scenarios of QEMU's own tests/qtest/vhost-user-test.c, with QEMU
# as the front-end and serve as the back-end. ----

def start_qemu(guest, sock, wd, extra=""):
    k, i = guest
    log = os.path.join(wd, "qemu.log")
    p = subprocess.Popen(vp.qemu_net_cmd(sock, k, i, chardev_extra=extra), stdout=open(log, "wb"),
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return p, log


def test_reconnect(guest):
    # reconnect=1: serve is killed while the device runs (after the first
    # link up) and started again; QEMU reconnects and restarts the device.
    wd = vp.workdir("reconnect")
    sock = os.path.join(wd, "vu.sock")
    a = vp.Serve(wd, "first", sock, ["--queues", "1"], queues=2).start()
    q, log = start_qemu(guest, sock, wd, ",reconnect=1")
    try:
        assert vp.wait_for(lambda: vp.file_has(log, "PING 10.0.2.2") or q.poll() is not None, 120), "guest never pinged"
        a.stop()
        b = vp.Serve(wd, "second", sock, ["--once"], queues=2).start()
        assert q.wait(180) == 0
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    b.wait(30)
    console = open(log, errors="replace").read()
    assert "cts-guest: done, powering off" in console
    # First connection: one start, cut by the back-end (no stop seen).
    assert a.rules() == ["VU-STS-01"], a.text()
    # Second: QEMU restarts the running device at once, then the guest's
    # rmmod/insmod and poweroff give two stops and one more start.
    reqs = b.requests()
    assert count(reqs, "SET_MEM_TABLE") >= 1 and count(reqs, "GET_VRING_BASE") == 4, b.text()
    assert b.rules() == RECONNECT_SECOND, b.text()
    for srv in (a, b):
        same_offline(srv)


RECONNECT_SECOND = sorted(["VU-RING-09"] * 2 + ["VU-STS-01"] * 2 + ["VU-ONCE-04"])


def test_connect_fail(guest):
    # QEMU starts first (reconnect=1) and cannot connect; serve comes up 2 s later.
    wd = vp.workdir("connfail")
    sock = os.path.join(wd, "vu.sock")
    q, log = start_qemu(guest, sock, wd, ",reconnect=1")
    try:
        time.sleep(2)
        assert q.poll() is None, open(log, errors="replace").read()
        srv = vp.Serve(wd, "serve", sock, ["--once"], queues=2).start()
        assert q.wait(180) == 0
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    srv.wait(30)
    assert srv.rules() == NET_1Q, srv.text()
    same_offline(srv)


def test_flags_mismatch(guest):
    # As vhost-user-test's flags-mismatch: the first connection is cut at
    # SET_FEATURES, the second offers none of the features QEMU acked
    # before. QEMU 7.2 falls back to userspace virtio after the first cut,
    # refuses the second back-end ("vhost lacks feature mask") and closes,
    # and runs normally on the third connection.
    wd = vp.workdir("flags")
    sock = os.path.join(wd, "vu.sock")
    srv = vp.Serve(wd, "serve", sock, ["--fault", "disconnect@req=SET_FEATURES,conn=1",
                                       "--fault", "drop-feature=PROTOCOL_FEATURES,VERSION_1,LOG_ALL,NET_STATUS,conn=2"],
                   queues=2).start()
    q, log = start_qemu(guest, sock, wd, ",reconnect=1")
    try:
        assert q.wait(180) == 0
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    srv.stop()
    console = open(log, errors="replace").read()
    assert "vhost lacks feature mask" in console and "cts-guest: done" in console
    rep = srv.report()
    assert len(rep["sessions"]) == 3
    by_session = {}
    for f in srv.findings():
        by_session.setdefault(f[1], []).append(f[0])
    assert 0 not in by_session and 1 not in by_session, by_session
    assert sorted(by_session[2]) == NET_1Q
    same_offline(srv)


# ---- Faults ----

def run_fault(guest, tag, faults, expect_rc=0, extra=()):
    wd = vp.workdir(tag)
    sock = os.path.join(wd, "vu.sock")
    args = ["--once", "--timeout", "3"] + list(extra)
    for f in faults:
        args += ["--fault", f]
    srv = vp.Serve(wd, "serve", sock, args, queues=2).start()
    q, log = start_qemu(guest, sock, wd)
    try:
        rc = q.wait(180)
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    srv.wait(30)
    return srv, rc, open(log, errors="replace").read()


def test_fault_delay_ack(guest):
    # The reply to GET_FEATURES is held 2 s: QEMU 7.2 waits (VU-ONCE-05 holds).
    srv, rc, console = run_fault(guest, "delay", ["delay-reply=2000@req=GET_FEATURES"])
    assert rc == 0 and "cts-guest: done" in console
    assert srv.rules() == NET_1Q, srv.text()
    same_offline(srv)


def test_fault_backend_request_while_waiting(guest):
    # VRING_HOST_NOTIFIER_MSG (NEED_REPLY; HOST_NOTIFIER offered, and acked
    # by QEMU, so the ack is owed) on the back-end channel while QEMU waits
    # for the GET_VRING_BASE reply, which is held until the ack: QEMU 7.2
    # only serves the channel from its main loop, so it acks only after the
    # fake gives up (3 s) and sends the reply: the deadlock class, VU-LIVE-02.
    # (CONFIG_CHANGE_MSG would not do: QEMU's virtio-net never acks CONFIG,
    # and a request whose feature was not negotiated owes no ack.)
    srv, rc, console = run_fault(guest, "bereq", ["backend-req=VRING_HOST_NOTIFIER_MSG@req=GET_VRING_BASE"],
                                 extra=["--protocol-features", "+HOST_NOTIFIER"])
    assert rc == 0 and "cts-guest: done" in console
    assert srv.rules() == sorted(NET_1Q + ["VU-LIVE-02"]), srv.text()
    assert srv.rc == 1
    same_offline(srv)


def test_fault_wrong_reply_flags(guest):
    # A reply without the REPLY flag: QEMU 7.2 refuses the back-end
    # ("Flags 0x1 instead of 0x5") and exits; no front-end finding, the
    # fake's own VU-HDR-03 is waived.
    srv, rc, console = run_fault(guest, "rflags", ["reply-flags@req=GET_PROTOCOL_FEATURES"])
    assert rc == 1 and "Flags 0x1 instead of 0x5" in console
    assert srv.rules() == ["~VU-HDR-03"], srv.text()
    assert srv.rc == 0
    same_offline(srv)
