"""DPDK 22.11 virtio-user (dpdk-testpmd --vdev net_virtio_user0) against
`vhost-cts serve`. testpmd sends a first burst (--tx-first) that the null
device consumes, then is stopped with SIGINT (clean shutdown)."""
import os
import signal
import subprocess
import time

import pytest

import vu_peers as vp


def run_testpmd(queues):
    if not vp.have("dpdk-testpmd"):
        pytest.skip("dpdk-testpmd not installed (package dpdk-dev)")
    wd = vp.workdir("dpdk%d" % queues)
    sock = os.path.join(wd, "vu.sock")
    srv = vp.Serve(wd, "serve", sock, ["--once", "--queues", str(queues)], queues=2 * queues).start()
    log = os.path.join(wd, "testpmd.log")
    cmd = ["timeout", "-s", "KILL", "60", "dpdk-testpmd", "--no-huge", "--no-pci", "-m", "512", "-l", "0,1",
           "--main-lcore", "1", "--file-prefix", "vcts-%d-%d" % (os.getpid(), queues),
           "--vdev", "net_virtio_user0,path=%s,queues=%d" % (sock, queues), "--",
           "--nb-cores=1", "--rxq=%d" % queues, "--txq=%d" % queues, "--total-num-mbufs=16384",
           "--stats-period", "60", "--tx-first"]
    p = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    started = vp.wait_for(lambda: vp.file_has(log, "packet forwarding packets/burst") or p.poll() is not None, 40)
    time.sleep(1)
    # SIGINT to testpmd itself (not to timeout): its clean shutdown path.
    try:
        tp = subprocess.run(["pgrep", "-P", str(p.pid), "-x", "dpdk-testpmd"], stdout=subprocess.PIPE).stdout.split()
        for pid in tp:
            os.kill(int(pid), signal.SIGINT)
        p.wait(30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    srv.wait(30)
    assert started, open(log, errors="replace").read()[-2000:]
    return srv, open(log, errors="replace").read()


def test_dpdk_virtio_user_one_queue_pair():
    srv, log = run_testpmd(1)
    assert "Bye" in log
    st = srv.stats()
    assert st["chains done"] >= 32 and st["chain errors"] == 0, st
    # DPDK 22.11 stops both rings (SET_VRING_ENABLE 0, GET_VRING_BASE) and
    # closes: nothing to report with one queue pair.
    assert srv.rules() == [], srv.text()
    off, rc = srv.offline()
    assert off == srv.findings() and rc == 0 and srv.rc == 0


def test_dpdk_virtio_user_two_queue_pairs():
    srv, log = run_testpmd(2)
    assert "Bye" in log
    # DPDK 22.11 fills GET_VRING_BASE's num with the previous reply's value
    # (its request struct is reused): ring 2's request carries ring 1's
    # base, 32 after the first TX burst (VU-RING-11).
    assert srv.rules() == ["VU-RING-11"], srv.text()
    assert srv.rc == 1
    off, rc = srv.offline()
    assert off == srv.findings() and rc == 1
