"""The kernel vDPA lane (harness/lanes/vm-vdpa.sh): Debian's 6.1 kernel
under TCG with the vDPA modules built out of tree, asserted exactly.

- the modules load and /sbin/vdpa creates vdpa_sim_net and vdpa_sim_blk;
- certify passes on both with the default checks (the kernel taught the
  model: GET/SET_CONFIG past the end is EINVAL, never E2BIG);
- differential: the same certify sequence against the in-process fake
  configured like vdpa_sim_net and against the kernel's vdpa_sim_net gives
  the same call results and errnos, step by step;
- the kernel logged no oops, BUG, WARNING or hung task.
Run by the lane only (the name keeps make check's pytest from collecting it).
"""
import json
import os
import re
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.environ.get("VCTS_VM_OUT", os.path.join(ROOT, "build", "lanes", "vm-vdpa", "run"))
REL_BIN = os.path.join(ROOT, "build", "rel", "vhost-cts")
# harness/vm/init-vdpa.sh's SIM_NET: the fake configured like vdpa_sim_net.
SIM_NET = "features=0x308820028,qp=1,ctrl-vq=1,num=256,groups=2,as=2,no-doorbell"


@pytest.fixture(scope="module")
def vm():
    if os.environ.get("VCTS_VM_RC", "0") != "0":
        log = open(os.path.join(OUT, "console.log"), errors="replace").read()[-3000:]
        pytest.fail("the guest did not finish:\n" + log)
    return OUT


def block(vm, name):
    with open(os.path.join(vm, name)) as f:
        return f.read()


def rc(vm, name):
    return int(block(vm, name + ".rc"))


def console(vm):
    return open(os.path.join(vm, "console.log"), errors="replace").read().replace("\r", "")


def first_difference(a, b):
    """The first step where two step logs differ, as a sentence, or None."""
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "(no step)"
        y = lb[i] if i < len(lb) else "(no step)"
        if x != y:
            return "step %d differs:\n  kernel: %s\n  fake:   %s" % (i + 1, x, y)
    return None


def test_modules_and_devices(vm):
    log = console(vm)
    assert "insmod" not in log.replace("vm: kernel", ""), log[:4000]
    mg = block(vm, "mgmtdev")
    for m in ("vdpasim_net", "vdpasim_blk", "vduse"):
        assert m + ":" in mg, mg
    devs = block(vm, "devs")
    assert "vdpa0: type network mgmtdev vdpasim_net" in devs, devs
    assert "vdpa1: type block mgmtdev vdpasim_blk" in devs, devs


@pytest.mark.parametrize("dev", ["net", "blk"])
def test_certify_vdpa_sim(vm, dev):
    out = block(vm, "certify-" + dev)
    assert rc(vm, "certify-" + dev) == 0, out
    rep = json.loads(block(vm, "certify-%s.json" % dev))
    assert rep["verdict"] == "pass"
    rules = rep["sessions"][0]["rules"]
    for r in ("VDPA-DEV-01", "VDPA-DEV-02", "VDPA-DEV-03", "VDPA-DEV-04", "VDPA-DEV-05",
              "VDPA-DEV-06", "VDPA-DEV-07", "VDPA-STS-05", "VDPA-FEAT-05"):
        assert rules[r]["verdict"] == "pass", (r, out)
    # GET/SET_CONFIG: len 0, off > size, off + len > size twice, each; one valid read.
    assert rules["VDPA-DEV-02"]["checks"] == 10
    # vdpa_sim has no doorbells: the note says so.
    assert "refuses doorbell mmap (ENOTSUPP)" in out


def test_differential_vdpa_sim_net(vm):
    """Same sequence, same answers: the model is the kernel's."""
    assert rc(vm, "steps-net") == 0, block(vm, "steps-net")
    assert rc(vm, "steps-fake-net") == 0, block(vm, "steps-fake-net")
    kern, fake = block(vm, "steps-net.txt"), block(vm, "steps-fake-net.txt")
    assert len(kern.splitlines()) > 100
    diff = first_difference(kern, fake)
    assert diff is None, diff


def test_differential_catches_a_difference(vm, tmp_path):
    """The comparison can fail: a fake that answers the config bounds wrongly
    differs from the kernel at the first DEV-02 call past the end."""
    steps = tmp_path / "bad.txt"
    subprocess.run([REL_BIN, "certify", "--fake", SIM_NET + ",bad=config-bounds", "--cycles", "3",
                    "--steps", str(steps)], stdout=subprocess.DEVNULL, check=False)
    diff = first_difference(block(vm, "steps-net.txt"), steps.read_text())
    assert diff is not None
    assert re.search(r"kernel: \d+ DEV-02 ioctl VDPA_GET_CONFIG -> EINVAL", diff), diff
    assert re.search(r"fake: +\d+ DEV-02 ioctl VDPA_GET_CONFIG -> ok", diff), diff


def test_certify_vduse(vm):
    """The suite's VDUSE-served virtio-blk RAM disk, through the kernel."""
    out = block(vm, "certify-vduse")
    assert rc(vm, "certify-vduse") == 0, out
    rep = json.loads(block(vm, "certify-vduse.json"))
    assert rep["verdict"] == "pass"
    rules = rep["sessions"][0]["rules"]
    for r in ("VDPA-DEV-01", "VDPA-DEV-02", "VDPA-DEV-03", "VDPA-DEV-04", "VDPA-DEV-05",
              "VDPA-DEV-06", "VDPA-DEV-07", "VDPA-STS-05", "VDPA-FEAT-05"):
        assert rules[r]["verdict"] == "pass", (r, out)
    fake = block(vm, "vduse-vduse-blk0.txt")
    assert "vduse: ready vduse-blk0" in fake, fake
    assert re.search(r"vduse vduse-blk0: \d+ control requests \(\d+ SET_STATUS, [1-9]\d* UPDATE_IOTLB", fake), fake


# What the VDUSE fake can judge of the client behind the kernel (fakes/vdpa/
# vduse_relay.h): the rest never reaches it.
VDUSE_RULES = ("VDPA-STS-02", "VDPA-FEAT-01", "VDPA-FEAT-04", "VDPA-RING-02", "VDPA-RING-03",
               "VDPA-RING-05", "VDPA-RING-06", "VDPA-RING-07")


def vduse_verdict(vm, name):
    """The VDUSE fake's exit status and its JSON report's one session."""
    txt = block(vm, "vduse-%s.txt" % name)
    m = re.search(r"^vduse fake exit (\d+)$", txt, re.M)
    assert m, txt
    rep = json.loads(block(vm, "vduse-%s.json" % name))
    assert len(rep["sessions"]) == 1, rep["sessions"]
    sess = rep["sessions"][0]
    assert sess["name"] == "VDUSE %s (what the kernel relays)" % name, sess["name"]
    for rid, r in sess["rules"].items():
        assert (rid in VDUSE_RULES) == (r["verdict"] != "disabled"), (rid, r)
    return int(m.group(1)), rep, txt


def test_vduse_judges_a_clean_client(vm):
    """certify (default checks, steps, --datapath) through the kernel's
    vhost-vdpa: what reached the VDUSE device is a clean client."""
    code, rep, txt = vduse_verdict(vm, "vduse-blk0")
    assert code == 0 and rep["verdict"] == "pass", txt
    rules = rep["sessions"][0]["rules"]
    for rid in ("VDPA-STS-02", "VDPA-FEAT-01", "VDPA-FEAT-04", "VDPA-RING-02", "VDPA-RING-03",
                "VDPA-RING-05", "VDPA-RING-07"):
        assert rules[rid]["verdict"] == "pass" and rules[rid]["checks"] > 0, (rid, rules[rid])
    assert "verdict: PASS" in txt, txt
    # DPDK's virtio-user drives net devices only: it refuses the VDUSE
    # block device after reading its id (nothing of it reaches the device
    # but the open's and the close's resets).
    if os.path.exists(os.path.join(vm, "testpmd-vduse")):
        out = block(vm, "testpmd-vduse")
        assert "Invalid vdpa device ID: 2" in out, out


def test_vduse_judges_a_bad_client(vm):
    """DRIVER_OK without FEATURES_OK reaches the device (VDPA-STS-02); the
    SET_STATUS that clears DRIVER_OK after it does not (the kernel answers
    EINVAL), so VDUSE has nothing to judge of it."""
    out = block(vm, "replay-driver-ok-first")
    assert rc(vm, "replay-driver-ok-first") == 0, out
    assert out.count("ioctl VDPA_SET_STATUS -> 0") == 3, out
    assert "ioctl VDPA_SET_STATUS -> -22" in out, out
    code, rep, txt = vduse_verdict(vm, "vduse-bad")
    assert code == 1 and rep["verdict"] == "fail", txt
    fails = {f["rule"]: f["message"] for f in rep["findings"]}
    assert list(fails) == ["VDPA-STS-02"], rep["findings"]
    assert fails["VDPA-STS-02"] == "SET_STATUS 0x07 sets DRIVER_OK without FEATURES_OK", fails


def test_anonymous_memory_and_parents(vm):
    """Why certify maps a shared memfd: the kernel's virtual-address parent
    (VDUSE) silently skips anonymous memory (vhost_vdpa_va_map), so the
    overlapping UPDATE of DEV-04 "succeeds" there and only there; the
    physical-address parent (vdpa_sim) pins anonymous memory and passes."""
    out = block(vm, "certify-vduse-anon")
    assert rc(vm, "certify-vduse-anon") == 1, out
    fails = re.findall(r"FAIL  (\S+)", out)
    assert fails == ["VDPA-DEV-04"], out
    assert "an UPDATE overlapping the mapping at 0x" in out
    assert rc(vm, "certify-net-anon") == 0, block(vm, "certify-net-anon")
    # The VDUSE device sees the other side: its IOTLB stays empty, so each
    # start finds the ring unmapped.
    code, rep, txt = vduse_verdict(vm, "vduse-anon")
    assert code == 1, txt
    assert {f["rule"] for f in rep["findings"]} == {"VDPA-RING-05"}, rep["findings"]
    assert all("is not mapped in the IOTLB" in f["message"] for f in rep["findings"])


@pytest.mark.parametrize("dev,rule", [("net", "VDPA-DEV-08"), ("blk", "VDPA-DEV-09"),
                                      ("vduse", "VDPA-DEV-09")])
def test_datapath_pass(vm, dev, rule):
    """vdpa_sim_net loops a TX frame back to RX unchanged; vdpa_sim_blk and
    the VDUSE RAM disk return the sectors written."""
    out = block(vm, "datapath-" + dev)
    assert rc(vm, "datapath-" + dev) == 0, out
    rep = json.loads(block(vm, "datapath-%s.json" % dev))
    rules = rep["sessions"][0]["rules"]
    assert rules[rule]["verdict"] == "pass", out
    assert rules[rule]["checks"] >= 4, rules[rule]
    other = "VDPA-DEV-09" if rule == "VDPA-DEV-08" else "VDPA-DEV-08"
    assert rules[other]["checks"] == 0


@pytest.mark.parametrize("bad,finding", [
    ("corrupt", "the 4 KiB read back from sector 8 differ from what was written"),
    ("drop", "a 4 KiB write at sector 8 posted and kicked was not used within 5000 ms"),
])
def test_datapath_fails_a_bad_device(vm, bad, finding):
    out = block(vm, "datapath-vduse-" + bad)
    assert rc(vm, "datapath-vduse-" + bad) == 1, out
    assert re.findall(r"FAIL  (\S+)", out) == ["VDPA-DEV-09"], out
    assert finding in out, out


def test_testpmd_on_vdpa_sim_net(vm, tmp_path):
    """DPDK testpmd through the kernel's vhost-vdpa to vdpa_sim_net: frames
    flow (vdpa_sim_net loops TX back to RX, io forwarding sends them on),
    and its strace log is clean for the rules an strace decides."""
    out = block(vm, "testpmd-sim")
    assert rc(vm, "testpmd-sim") == 0, out
    # One run: with max_iotlb_entries raised (init-vdpa.sh) the 256 MiB
    # UPDATE does not depend on how fragmented the guest's memory is.
    assert "Failed to start device" not in out, out[-2000:]
    assert "Backend type detected: VHOST_VDPA" in out or "Bye" in out, out
    rx = [int(x) for x in re.findall(r"RX-packets: (\d+)", out)]
    tx = [int(x) for x in re.findall(r"TX-packets: (\d+)", out)]
    # the first burst of 32 came back (RX) and was sent on again (TX > 32)
    assert rx and tx and rx[-1] > 0 and tx[-1] > 32, out[-2000:]
    strace_verdict(os.path.join(vm, "testpmd-sim.strace"), tmp_path)


def test_testpmd_failed_iotlb_update(vm, tmp_path):
    """Under the default 8 MiB RLIMIT_MEMLOCK the 256 MiB IOTLB UPDATE fails
    with EFAULT (vhost_vdpa_pa_map cannot pin); DPDK says so, does not start
    the device, still exits 0 and forwards nothing."""
    out = block(vm, "testpmd-sim-memlock")
    assert rc(vm, "testpmd-sim-memlock") == 0, out
    assert "Failed to send IOTLB update (Bad address)" in out, out
    assert "Failed to start device" in out, out
    assert re.findall(r"RX-packets: (\d+)", out)[-1] == "0"
    log = block(vm, "testpmd-sim-memlock.strace")
    assert re.search(r"write\(\d+<[^>]*>>, .*\) = -1 EFAULT", log), log[-2000:]
    strace_verdict(os.path.join(vm, "testpmd-sim-memlock.strace"), tmp_path)


def strace_verdict(path, tmp_path):
    r = subprocess.run([REL_BIN, "check", "--json", str(tmp_path / "r.json"), path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout.decode(errors="replace")
    rep = json.load(open(tmp_path / "r.json"))
    assert len(rep["sessions"]) == 1
    rules = rep["sessions"][0]["rules"]
    assert all(not v["failures"] for v in rules.values())
    for rule in ("VDPA-IOTLB-01", "VDPA-IOTLB-05", "VDPA-BAT-01", "VDPA-BAT-04"):
        assert rules[rule]["verdict"] == "pass", rule


@pytest.mark.parametrize("dev", ["net", "blk", "vduse"])
def test_fuzz_device(vm, dev):
    """vhost-cts fuzz-device: mutated, mostly valid sequences; nothing
    found (no kernel report after an iteration, no pinned page left after
    a close), and most calls reach the device's logic (not all fail)."""
    out = block(vm, "fuzz-" + dev)
    assert rc(vm, "fuzz-" + dev) == 0, out
    m = re.search(r"seed \d+, (\d+) iterations, (\d+) calls \((\d+) failed\), \d+ s, 0 findings", out)
    assert m, out
    it, calls, failed = (int(x) for x in m.groups())
    assert it >= 10 and calls >= 64 * it
    assert failed < calls * 0.8, out


def test_vduse_get_fd_warns_on_a_client_permission(vm):
    """fuzz/FINDINGS.md: a client's UPDATE with permission 0 is accepted by
    vhost-vdpa (6.1), and a VDUSE server's VDUSE_IOTLB_GET_FD of it WARNs.
    The fake reads the IOTLB with GET_INFO (no permission there), so it sees
    a clean client; its data path asks an fd for the ring: the WARN."""
    out = block(vm, "repro-vduse-perm0")
    assert rc(vm, "repro-vduse-perm0") == 1, out
    assert "ioctl VDPA_SET_STATUS -> 0" in out and "write 72 bytes type 1 -> 72" in out, out
    assert re.search(r"fuzz-device: kernel: WARNING: .*vduse_dev\.c:\d+ vduse_dev_ioctl", out), out
    code, rep, txt = vduse_verdict(vm, "vduse-perm0")
    assert code == 0 and rep["verdict"] == "pass", txt
    # the permission the GET_FD answered (0) lets the fake read nothing
    assert "vduse: rings not mapped" in txt and re.search(r" [1-9]\d* DMA faults", txt), txt


def test_kernel_log_clean(vm):
    # the one WARN the lane provokes on purpose, at its end
    log = re.sub(r"===BEGIN repro-vduse-perm0===.*?===END repro-vduse-perm0 rc=\d+===", "",
                 console(vm), flags=re.S)
    bad = [l for l in log.splitlines()
           if re.search(r"\b(Oops|BUG:|WARNING:|blocked for more than|Call Trace)", l)]
    assert not bad, "\n".join(bad[:20])
