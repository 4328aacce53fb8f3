"""Real vhost-vdpa clients on the fake vDPA device through the LD_PRELOAD
shim (build/libvcts-vdpa-preload.so): the findings each client was found to
produce are asserted exactly (fakes/vdpa/README.md).

DPDK 22.11 dpdk-testpmd with net_virtio_user on the fake node: virtio-user
picks its vhost-vdpa back-end from /proc/devices (the shim adds the
"vhost-vdpa" major), negotiates, maps its memory through batched IOTLB
updates, starts one queue pair, forwards, and stops on exit.
"""
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHIM = os.path.join(ROOT, "build", "libvcts-vdpa-preload.so")
# The shim is not built with ASan, so the sanitized VCTS_BIN cannot load it.
REL_BIN = os.path.join(ROOT, "build", "rel", "vhost-cts")


def counts(report):
    """{rule: failures} for every rule that has findings, over all sessions."""
    out = {}
    for s in report["sessions"]:
        for rule, r in s["rules"].items():
            if r["failures"]:
                out[rule] = out.get(rule, 0) + r["failures"]
    return out


def shim_env(tmp_path, opts=""):
    env = dict(os.environ)
    env.update({
        "LD_PRELOAD": SHIM,
        "VCTS_VDPA_PATH": "/dev/vhost-vdpa-fake0",
        "VCTS_VDPA_OPTS": opts,
        "VCTS_VDPA_REPORT": str(tmp_path / "report.json"),
        "VCTS_VDPA_TEXT": str(tmp_path / "report.txt"),
        "VCTS_VDPA_QUIET": "1",
        "VCTS_VDPA_CAPTURE": str(tmp_path / "capture.jsonl"),
    })
    return env


@pytest.fixture(scope="module")
def shim():
    if not os.path.exists(SHIM):
        pytest.skip("build/libvcts-vdpa-preload.so not built (make)")
    return SHIM


def run_testpmd(tmp_path, opts=""):
    if not shutil.which("dpdk-testpmd"):
        pytest.skip("dpdk-testpmd not installed (package dpdk)")
    cmd = ["dpdk-testpmd", "--no-huge", "--no-pci", "-m", "512", "-l", "0-1",
           "--file-prefix", "vcts-vdpa-%d" % os.getpid(),
           "--vdev", "net_virtio_user0,path=/dev/vhost-vdpa-fake0",
           "--", "--no-mlockall", "--total-num-mbufs=2048"]
    # Non-interactive testpmd forwards until a line arrives on stdin.
    p = subprocess.run(cmd, input=b"\n", env=shim_env(tmp_path, opts),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out[-3000:]
    assert "virtio_user" in out or "Port 0" in out, out[-3000:]
    return json.load(open(tmp_path / "report.json")), out


def test_testpmd_on_shim(shim, tmp_path):
    rep, out = run_testpmd(tmp_path)
    assert "Bye" in out
    assert len(rep["sessions"]) == 1
    # What DPDK 22.11 virtio-user does: it never reads the status back after
    # DRIVER_OK before its next SET_STATUS, and at stop it reads each ring's
    # base while the device still runs (it does not SUSPEND; 22.11 predates
    # SUSPEND support). Nothing else.
    assert counts(rep) == {"VDPA-STS-04": 1, "VDPA-RING-07": 2}
    rules = rep["sessions"][0]["rules"]
    for r in ("VDPA-RING-05", "VDPA-BAT-01", "VDPA-FEAT-03", "VDPA-IOTLB-01", "VDPA-STS-01"):
        assert rules[r]["verdict"] == "pass", r
    # The native capture of the run, judged offline, gives the same verdict.
    q = subprocess.run([REL_BIN, "check", "--json", str(tmp_path / "off.json"), str(tmp_path / "capture.jsonl")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert q.returncode == 0, q.stdout.decode(errors="replace")
    off = json.load(open(tmp_path / "off.json"))
    assert counts(off) == counts(rep)
    assert {k: v["verdict"] for k, v in off["sessions"][0]["rules"].items()} == \
        {k: v["verdict"] for k, v in rules.items()}


def test_testpmd_two_queue_pairs(shim, tmp_path):
    rep, _ = run_testpmd(tmp_path, "qp=2")
    assert counts(rep) == {"VDPA-STS-04": 1, "VDPA-RING-07": 2}


def test_testpmd_failed_iotlb_update(shim, tmp_path):
    """The fake pins at most 8 MiB (memlock=, as the kernel's vdpa_sim under
    the default RLIMIT_MEMLOCK): DPDK's 512 MiB UPDATE fails with EFAULT,
    DPDK logs "Failed to start device", and gives the device up correctly:
    no ring, no DRIVER_OK, a reset (SET_STATUS 0) and close. VDPA-IOTLB-06
    is decided and passes; that testpmd still exits 0 and forwards nothing
    is its user interface, not the protocol. The same run on the kernel's
    vdpa_sim_net is recorded in traces/vdpa-strace/."""
    rep, out = run_testpmd(tmp_path, "memlock=0x800000")
    assert "Failed to start device" in out, out[-3000:]
    assert counts(rep) == {}
    rules = rep["sessions"][0]["rules"]
    assert rules["VDPA-IOTLB-06"]["verdict"] == "pass"
    assert rules["VDPA-IOTLB-06"]["checks"] == 1


def test_certify_on_shim(shim, tmp_path):
    env = shim_env(tmp_path)
    p = subprocess.run([REL_BIN, "certify", "--device", "/dev/vhost-vdpa-fake0",
                        "--json", str(tmp_path / "cert.json")],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    assert p.returncode == 0, p.stdout.decode(errors="replace")[-3000:]
    cert = json.load(open(tmp_path / "cert.json"))
    assert cert["verdict"] == "pass"


GUEST_DIR = os.environ.get("CTS_GUEST_DIR", os.path.join(ROOT, "traces", "record", ".work", "guest"))


def test_qemu_on_shim(shim, tmp_path):
    """QEMU 7.2 -netdev vhost-vdpa on the fake; the guest loads virtio_net,
    brings eth0 up (link state from the fake's config space), pings,
    reloads the driver and brings it up again, then powers off."""
    if not shutil.which("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 not installed (package qemu-system-x86)")
    k = os.path.join(GUEST_DIR, "vmlinuz")
    i = os.path.join(GUEST_DIR, "initramfs.cpio.gz")
    if not (os.path.exists(k) and os.path.exists(i)):
        r = subprocess.run(["timeout", "300", "bash", os.path.join(ROOT, "traces", "record", "mkguest.sh"),
                            GUEST_DIR], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            pytest.skip("guest build (traces/record/mkguest.sh) failed: %s" % r.stdout[-300:])
    cmd = ["timeout", "-s", "KILL", "240", "qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-smp", "1",
           "-nographic", "-no-reboot",
           "-netdev", "vhost-vdpa,vhostdev=/dev/vhost-vdpa-fake0,id=net0",
           "-device", "virtio-net-pci,netdev=net0,vectors=0,romfile=",
           "-kernel", k, "-initrd", i, "-append", "console=ttyS0 quiet panic=-1 cts.mode=net",
           "-trace", "vhost_vdpa_*", "-D", str(tmp_path / "qemu-trace.log")]
    p = subprocess.run(cmd, env=shim_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out[-3000:]
    assert out.count("LOWER_UP") == 2, out[-3000:]
    rep = json.load(open(tmp_path / "report.json"))
    # QEMU 7.2 reads each data ring's base while the device still runs
    # (it has no SUSPEND), at both driver unloads: 2 rings x 2 stops.
    assert counts(rep) == {"VDPA-RING-07": 4}
    # Offline, QEMU's own trace log of the run gives the same verdict.
    q = subprocess.run([REL_BIN, "check", "--json", str(tmp_path / "off.json"), str(tmp_path / "qemu-trace.log")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert q.returncode == 0, q.stdout.decode(errors="replace")
    assert counts(json.load(open(tmp_path / "off.json"))) == {"VDPA-RING-07": 4}
