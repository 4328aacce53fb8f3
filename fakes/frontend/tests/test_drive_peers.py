"""`vhost-cts drive` against real vhost-user back-ends (and the fake one).

Each back-end is started by drive itself (--spawn) and taken through every
scenario; the test compares the verdict per scenario with what the back-end
was found to do (the finding table in README: each crash, hang, leak or
accepted malformed request has a one-command reproducer, the command line
built here). Then the matrix page built from those runs is rendered by
headless Chromium and checked from its DOM.

Only process plumbing lives here; every judgement is made by the C code.
A back-end that is not installed skips its test with the reason.
"""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def vcts():
    b = os.environ.get("VCTS_BIN", os.path.join(ROOT, "build", "rel", "vhost-cts"))
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


WORK = tempfile.mkdtemp(prefix="vcts-drive-")


def backends(work):
    """name -> (device, spawn command, socket, needed program)."""
    img = os.path.join(work, "disk.img")
    share = os.path.join(work, "share")
    os.makedirs(share, exist_ok=True)
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    s = lambda n: os.path.join(work, n + ".sock")
    return {
        "dpdk-testpmd": ("net", "dpdk-testpmd --no-huge --no-pci -m 512 --file-prefix vcts-drive-%d "
                         "--vdev net_vhost0,iface=%s,queues=2 -- --nb-cores=1 --total-num-mbufs=16384 "
                         "--stats-period 60" % (os.getpid(), s("testpmd")), s("testpmd"), "dpdk-testpmd"),
        "qemu-storage-daemon": ("blk", "qemu-storage-daemon --blockdev driver=file,node-name=file0,filename=%s "
                                "--blockdev driver=raw,node-name=disk0,file=file0 --export type=vhost-user-blk,"
                                "id=exp0,node-name=disk0,addr.type=unix,addr.path=%s,writable=on" % (img, s("qsd")),
                                s("qsd"), "qemu-storage-daemon"),
        "virtiofsd": ("fs", "/usr/lib/qemu/virtiofsd --socket-path=%s -o source=%s -o cache=none -o sandbox=chroot"
                      % (s("vfs"), share), s("vfs"), "/usr/lib/qemu/virtiofsd"),
        "vhost-user-gpu": ("gpu", "/usr/lib/qemu/vhost-user-gpu --socket-path=%s" % s("gpu"), s("gpu"),
                           "/usr/lib/qemu/vhost-user-gpu"),
        "vhost-cts-serve": ("net", "%s serve --socket %s --queues 2 --quiet" % (vcts(), s("fake")), s("fake"), vcts()),
        "vhost-cts-serve-packed": ("net", "%s serve --socket %s --features +RING_PACKED --quiet" % (vcts(), s("fakep")),
                                   s("fakep"), vcts()),
        "vhost-cts-serve-packed-used-zero": ("net", "%s serve --socket %s --features +RING_PACKED "
                                             "--fault packed-used-zero --quiet" % (vcts(), s("fakez")), s("fakez"),
                                             vcts()),
    }


def installed(prog):
    return os.path.exists(prog) if prog.startswith("/") else shutil.which(prog) is not None


def drive(name, extra=(), scenario=None, timeout_s="2", tag=None):
    dev, cmd, sock, prog = backends(WORK)[name]
    if not installed(prog):
        pytest.skip("%s is not installed (Debian: harness/deps/test.txt)" % prog)
    if name != "vhost-cts-serve" and os.geteuid() != 0 and name == "virtiofsd":
        pytest.skip("virtiofsd needs root for its sandbox")
    base = os.path.join(WORK, tag or name)  # the matrix test reads WORK/NAME.json
    args = ["timeout", "-s", "KILL", "900", vcts(), "drive", "--device", dev, "--socket", sock, "--spawn", cmd,
            "--spawn-log", base + ".log", "--timeout", timeout_s, "--json", base + ".json",
            "--record", base + ".jsonl"] + list(extra)
    if scenario:
        args += ["--scenario", scenario]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=950)
    out = p.stdout.decode(errors="replace")
    verdicts = {}
    for line in out.splitlines():
        f = line.split(None, 2)
        if len(f) >= 2 and f[0] in ("pass", "rejected", "accepted", "findings", "crashed", "hung", "leaked",
                                   "n/a", "error"):
            verdicts[f[1]] = f[0]
    return p.returncode, verdicts, out


POSITIVE = ["init-start-stop-qemu", "init-start-stop-dpdk", "reconnect", "hotplug-mem-table", "log-on-off"]


def crashes_on_retry(name, scenario, first, out, tries=3):
    """A crash that depends on timing in the real peer: the full run's
    verdict may be a clean refusal ("rejected"); the scenario alone is then
    rerun until it crashes, a few times at most. The crash must show."""
    assert first in ("rejected", "crashed"), out
    got, outs = first, [out]
    for i in range(tries):
        if got == "crashed":
            break
        _, v1, o1 = drive(name, scenario=scenario, tag="%s-retry-%d" % (name, i))
        got = v1.get(scenario)
        outs.append(o1)
    assert got == "crashed", "\n".join(outs)


def check_common(rc, v, out):
    assert rc in (0, 1), out
    for s in POSITIVE:
        assert v.get(s) == "pass", (s, out)
    # every scenario has a verdict and none is a driver error
    assert len(v) >= 30, out
    assert "error" not in v.values(), out


def test_dpdk_testpmd():
    rc, v, out = drive("dpdk-testpmd")
    check_common(rc, v, out)
    for s in ("replay-qemu-net", "replay-qemu-net-mq", "replay-dpdk-net", "multiqueue", "datapath"):
        assert v[s] == "pass", (s, out)
    # DPDK 22.11 refuses these cleanly ...
    for s in ("neg-extra-fds", "neg-memtable-no-fd", "neg-kick-no-fd", "neg-nine-regions", "neg-ring-index",
              "neg-ring-index-far", "neg-ring-num", "neg-ring-num-big", "neg-short-eof", "neg-oversize"):
        assert v[s] == "rejected", (s, out)
    # ... and acks these as done (finding table: VU-BE-04)
    for s in ("neg-region-past-fd", "neg-overlap", "neg-ring-addr", "neg-num-started"):
        assert v[s] == "accepted", (s, out)
    # a ring placed where a region runs past its memfd: DPDK closes the
    # connection, but its polling thread dies of SIGBUS in the ring
    # (found at that scenario or at the next connection)
    assert v["neg-region-past-fd-ring"] in ("rejected", "crashed"), out
    assert "hung" not in v.values(), out
    assert [k for k, x in v.items() if x == "crashed"] in ([], ["neg-region-past-fd-ring"]), out
    assert v["postcopy-advise"] == "n/a", out  # testpmd's net_vhost: no PAGEFAULT
    assert rc == 1


def test_qemu_storage_daemon():
    rc, v, out = drive("qemu-storage-daemon")
    check_common(rc, v, out)
    assert v["replay-qemu-blk"] == "pass" and v["datapath"] == "pass", out
    assert v["hotplug-add-mem-reg"] == "pass", out
    # libvhost-user (QEMU 7.2): SET_VRING_NUM for ring 2^31-1 is a SIGSEGV;
    # a region larger than its memfd is mapped, a ring in it is SIGBUS (in
    # about one run in six the daemon drops the connection first)
    assert v["neg-ring-index-far"] == "crashed", out
    crashes_on_retry(name="qemu-storage-daemon", scenario="neg-region-past-fd-ring",
                     first=v["neg-region-past-fd-ring"], out=out)
    # the fds of a refused request stay open after the connection ends
    assert v["neg-extra-fds"] == "leaked" and v["neg-nine-regions"] == "leaked", out
    # POSTCOPY_ADVISE answered with a userfaultfd (VU-RVAL-03), which stays
    # open after the connection ends (finding 12: closed on POSTCOPY_END only)
    assert v["postcopy-advise"] == "leaked", out
    assert rc == 1


@pytest.mark.parametrize("name", ["virtiofsd", "vhost-user-gpu"])
def test_libvhost_user_daemons(name):
    rc, v, out = drive(name)
    assert rc == 1, out
    for s in POSITIVE:
        assert v.get(s) == "pass", (s, out)
    # libvhost-user asserts on a payload cut short by EOF (SIGABRT) and
    # indexes its queue array with an unchecked ring index (SIGSEGV)
    assert v["neg-short-eof"] == "crashed", out
    assert v["neg-ring-index-far"] == "crashed", out
    crashes_on_retry(name=name, scenario="neg-region-past-fd-ring", first=v["neg-region-past-fd-ring"], out=out)
    # virtiofsd 7.2 offers no PAGEFAULT; vhost-user-gpu answers POSTCOPY_ADVISE
    # with a userfaultfd (VU-RVAL-03) and exits with the connection
    assert v["postcopy-advise"] == ("pass" if name == "vhost-user-gpu" else "n/a"), out


def test_fake_backend():
    rc, v, out = drive("vhost-cts-serve")
    check_common(rc, v, out)
    for s in ("replay-qemu-net", "replay-qemu-net-mq", "replay-dpdk-net", "multiqueue", "datapath"):
        assert v[s] == "pass", (s, out)
    assert "crashed" not in v.values() and "hung" not in v.values() and "leaked" not in v.values(), out


def test_dpdk_testpmd_packed():
    """DPDK 22.11 net_vhost serves packed rings (the data path works, also
    after a restart, because it ignores the used half of SET_VRING_BASE)
    but answers GET_VRING_BASE with the used half 0/0."""
    rc, v, out = drive("dpdk-testpmd", scenario="packed-*", tag="dpdk-testpmd-packed")
    assert v == {"packed-datapath": "findings", "packed-stop-resume": "findings"}, out
    assert rc == 1, out
    assert "VU-PACK-04 MUST [packed-datapath]" in out and "VU-PACK-04 MUST [packed-stop-resume]" in out, out
    assert "VU-PACK-03 MUST" in out and "used 0 wrap 0 with the avail wrap counter still 1" in out, out
    assert "VU-BE-06" not in out, out


def test_fake_backend_packed():
    """The fake with --features +RING_PACKED serves packed rings and
    reports their true state; with the fault the driver's checks fail."""
    rc, v, out = drive("vhost-cts-serve-packed", scenario="packed-*")
    assert rc == 0 and v == {"packed-datapath": "pass", "packed-stop-resume": "pass"}, out
    rc, v, out = drive("vhost-cts-serve-packed-used-zero", scenario="packed-*")
    assert rc == 1 and v == {"packed-datapath": "findings", "packed-stop-resume": "findings"}, out
    assert "VU-PACK-04 MUST" in out and "VU-BE-06 SHOULD [packed-stop-resume]" in out, out
    # without the feature offered: not applicable
    rc, v, out = drive("vhost-cts-serve", scenario="packed-*")
    assert rc == 0 and v == {"packed-datapath": "n/a", "packed-stop-resume": "n/a"}, out


@pytest.mark.parametrize("name", ["dpdk-testpmd", "qemu-storage-daemon", "virtiofsd", "vhost-user-gpu"])
def test_stopped_rings_hold(name):
    """VU-BE-07..09 and -11 from the full runs above: every split ring a
    positive scenario stopped answered its true next avail index (after the
    data path where the device has one); net and blk: a stopped ring kicked
    stays untouched, the rings run across the LOG_ALL toggles and their
    used-ring writes are logged; each ends on SIGTERM. Never a finding.
    (The fake: test_drive_fake.)"""
    rep = os.path.join(WORK, name + ".json")
    if not os.path.exists(rep):
        pytest.skip("needs the full run of %s above" % name)
    d = json.load(open(rep))
    be07 = {s["name"]: s["rules"]["VU-BE-07"] for s in d["sessions"]}
    assert not [f for f in d["findings"] if f["rule"] in ("VU-BE-07", "VU-BE-08", "VU-BE-09", "VU-BE-11")], rep
    want = ["init-start-stop-qemu", "init-start-stop-dpdk"]
    if name in ("dpdk-testpmd", "qemu-storage-daemon"):
        want += ["datapath", "stopped-quiet"]
        be08 = {s["name"]: s["rules"]["VU-BE-08"] for s in d["sessions"]}["stopped-quiet"]
        assert be08["verdict"] == "pass" and be08["checks"] > 0, be08
        # the rings run across the LOG_ALL toggles, used-ring writes logged
        log = {s["name"]: s["rules"] for s in d["sessions"]}["log-on-off"]
        assert log["VU-BE-06"]["verdict"] == "pass" and log["VU-BE-06"]["checks"] == 3, log["VU-BE-06"]
        assert log["VU-BE-09"]["verdict"] == "pass" and log["VU-BE-09"]["checks"] > 0, log["VU-BE-09"]
    for s in want:
        assert be07[s]["verdict"] == "pass" and be07[s]["checks"] > 0, (s, be07[s])
    # VU-BE-11: serving with rings started, it ends within 3 s of SIGTERM
    be11 = {s["name"]: s["rules"]["VU-BE-11"] for s in d["sessions"]}["sigterm"]
    assert be11["verdict"] == "pass" and be11["checks"] == 1, be11


@pytest.mark.parametrize("name", ["dpdk-testpmd", "qemu-storage-daemon", "virtiofsd", "vhost-user-gpu"])
def test_trace_decided_duties_hold(name):
    """VU-RVAL and VU-BCH from the full runs above: split GET_VRING_BASE
    replies hold a 16-bit index, MQ is offered, and no back-end request
    breaks a VU-BCH rule. Never a finding. (Each rule fails against the
    fake's faults: test_drive_fake.)"""
    rep = os.path.join(WORK, name + ".json")
    if not os.path.exists(rep):
        pytest.skip("needs the full run of %s above" % name)
    d = json.load(open(rep))
    assert not [f for f in d["findings"] if f["rule"].startswith(("VU-RVAL-", "VU-BCH-"))], rep
    for r in ("VU-RVAL-01", "VU-RVAL-05"):
        checks = sum(s["rules"][r]["checks"] for s in d["sessions"])
        assert checks > 0 and all(s["rules"][r]["verdict"] in ("pass", "n/a") for s in d["sessions"]), (r, rep)


def test_start_without_kick():
    """VU-BE-10: DPDK 22.11 polls, so a buffer made available before
    SET_VRING_KICK is used unkicked; qemu-storage-daemon 7.2 (libvhost-user)
    waits for a kick, which the newest text says back-ends SHOULD NOT."""
    rc, v, out = drive("dpdk-testpmd", scenario="start-without-kick", tag="dpdk-testpmd-nokick")
    assert rc == 0 and v == {"start-without-kick": "pass"}, out
    rc, v, out = drive("qemu-storage-daemon", scenario="start-without-kick", tag="qsd-nokick")
    assert v == {"start-without-kick": "findings"}, out
    assert "VU-BE-10 SHOULD [start-without-kick]" in out and "VU-BE-07" not in out, out


RING_STATE = "no-protocol-features,disabled-ring,enable-while-stopped,stopped-quiet,log-on-off"


def rules_of(tag):
    d = json.load(open(os.path.join(WORK, tag + ".json")))
    return {s["name"]: s["rules"] for s in d["sessions"]}


def test_ring_enable_states_dpdk():
    """VU-BE-12..16 on DPDK 22.11: without PROTOCOL_FEATURES the rings run
    (it enables them at SET_VRING_KICK), an enable sent while stopped takes
    effect, nothing is written while suspended; but a TX frame on a started,
    disabled ring is never consumed (rte_vhost_dequeue_burst returns 0 while
    the ring is disabled): VU-BE-13, README finding 12."""
    rc, v, out = drive("dpdk-testpmd", scenario=RING_STATE, tag="dpdk-testpmd-enable")
    assert v == {"no-protocol-features": "pass", "disabled-ring": "findings", "enable-while-stopped": "pass",
                 "stopped-quiet": "pass", "log-on-off": "pass"}, out
    assert rc == 1, out
    assert "VU-BE-13 MUST [disabled-ring]" in out and "the TX frame was not consumed" in out, out
    assert "an RX buffer was used" not in out, out
    r = rules_of("dpdk-testpmd-enable")
    for sc, rule in (("no-protocol-features", "VU-BE-12"), ("enable-while-stopped", "VU-BE-14"),
                     ("stopped-quiet", "VU-BE-16")):
        assert r[sc][rule]["verdict"] == "pass" and r[sc][rule]["checks"] > 0, (sc, r[sc][rule])


def test_ring_enable_states_qsd():
    """VU-BE-12, -14, -15, -16 on qemu-storage-daemon 7.2: all hold (blk
    has no disabled-ring scenario: the text names side effects for net)."""
    rc, v, out = drive("qemu-storage-daemon", scenario=RING_STATE, tag="qsd-enable")
    assert v == {"no-protocol-features": "pass", "disabled-ring": "n/a", "enable-while-stopped": "pass",
                 "stopped-quiet": "pass", "log-on-off": "pass"}, out
    assert rc == 0, out
    r = rules_of("qsd-enable")
    for sc, rule in (("no-protocol-features", "VU-BE-12"), ("enable-while-stopped", "VU-BE-14"),
                     ("log-on-off", "VU-BE-15"), ("stopped-quiet", "VU-BE-16")):
        assert r[sc][rule]["verdict"] == "pass" and r[sc][rule]["checks"] > 0, (sc, r[sc][rule])


def test_config_readonly_qsd():
    """VU-BE-22: qemu-storage-daemon 7.2 refuses SET_CONFIG of the
    capacity with flags 0 by closing the connection (vu_panic "Set virtio
    configuration space failed"), after acking it 0: a refusal."""
    rc, v, out = drive("qemu-storage-daemon", scenario="config-readonly", tag="qsd-config")
    assert rc == 0 and v == {"config-readonly": "pass"}, out
    r = rules_of("qsd-config")["config-readonly"]["VU-BE-22"]
    assert r["verdict"] == "pass" and r["checks"] == 1, r


@pytest.mark.parametrize("name", ["qemu-storage-daemon", "vhost-user-gpu"])
def test_postcopy(name):
    """VU-BE-24: libvhost-user (qemu-storage-daemon, vhost-user-gpu 7.2)
    offers PAGEFAULT and answers POSTCOPY_END 0 after ADVISE (a
    userfaultfd) and LISTEN; DPDK 22.11 and virtiofsd 7.2 do not offer it."""
    rc, v, out = drive(name, scenario="postcopy", tag=name + "-postcopy")
    assert rc == 0 and v == {"postcopy": "pass"}, out
    r = rules_of(name + "-postcopy")["postcopy"]["VU-BE-24"]
    assert r["verdict"] == "pass" and r["checks"] == 1, r


def test_resets():
    """VU-BE-17, -18: qemu-storage-daemon 7.2 keeps the memory table and
    rings across RESET_OWNER; DPDK 22.11 discards them
    (vhost_user_reset_owner: cleanup_device, reset_device), the
    interpretation the text says "would lead to bugs": WARN, README
    finding 13. Neither offers RESET_DEVICE (n/a)."""
    rc, v, out = drive("qemu-storage-daemon", scenario="reset-*", tag="qsd-reset")
    assert rc == 0 and v == {"reset-device": "n/a", "reset-owner": "pass"}, out
    assert rules_of("qsd-reset")["reset-owner"]["VU-BE-18"]["verdict"] == "pass", out
    rc, v, out = drive("dpdk-testpmd", scenario="reset-*", tag="dpdk-testpmd-reset")
    assert v == {"reset-device": "n/a", "reset-owner": "findings"}, out
    assert "VU-BE-18 SHOULD [reset-owner]" in out and "connection state discarded" in out, out
    assert "VU-BE-05" not in out, out


@pytest.mark.parametrize("name", ["dpdk-testpmd", "qemu-storage-daemon", "virtiofsd", "vhost-user-gpu"])
def test_program_conventions(name):
    """VU-BE-19, -20: virtiofsd and vhost-user-gpu 7.2 print their
    capabilities as the conventions say ({"type": "fs"}; "gpu" with
    features); DPDK testpmd and qemu-storage-daemon do not take the option
    (no JSON, exit 1: n/a). None daemonizes itself."""
    rc, v, out = drive(name, scenario="print-capabilities,no-daemon", tag=name + "-conv")
    assert rc == 0, out
    caps = "pass" if name in ("virtiofsd", "vhost-user-gpu") else "n/a"
    assert v == {"print-capabilities": caps, "no-daemon": "pass"}, out
    r = rules_of(name + "-conv")
    assert r["no-daemon"]["VU-BE-20"]["verdict"] == "pass" and r["no-daemon"]["VU-BE-20"]["checks"] == 1, r
    if caps == "pass":
        assert r["print-capabilities"]["VU-BE-19"]["verdict"] == "pass", r


def test_bad_input_is_a_verdict_not_a_hang():
    sock = os.path.join(WORK, "nobody.sock")
    p = subprocess.run(["timeout", "60", vcts(), "drive", "--socket", sock, "--timeout", "0.2"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode()
    assert p.returncode == 2 and "nobody listens" in err and err.count("\n") == 1, err
    p = subprocess.run(["timeout", "60", vcts(), "drive", "--socket", sock, "--device", "scsi"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 2 and b"unknown --device" in p.stderr
    # A back-end that exits at once.
    p = subprocess.run(["timeout", "60", vcts(), "drive", "--socket", sock, "--spawn", "true",
                        "--startup-timeout", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 2 and b"before it listened" in p.stderr, p.stderr


def test_cli_usage():
    def run(*a):
        p = subprocess.run(["timeout", "60", vcts()] + list(a), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    rc, out, _ = run("drive", "--list")
    assert rc == 0 and "neg-ring-index-far" in out and "replay-qemu-net" in out
    assert run("drive", "--help")[0] == 0
    assert run("report", "--help")[0] == 0
    for args, what in [(("drive",), "--socket is required"),
                       (("drive", "--socket", "x", "--timeout", "-1"), "bad --timeout"),
                       (("drive", "--socket", "x", "--startup-timeout", "z"), "bad --startup-timeout"),
                       (("drive", "--socket", "x", "--queues", "9"), "--queues wants"),
                       (("drive", "--socket", "x", "--pid", "0"), "bad --pid"),
                       (("drive", "--socket", "x", "--spawn", "true", "--pid", "1"), "exclude each other"),
                       (("drive", "--socket", "x", "extra"), "unexpected argument"),
                       (("drive", "--socket", "x", "--record", "/nonexistent/dir/r.jsonl"), "--record /nonexistent/dir/r.jsonl: cannot create"),
                       (("drive", "--socket", "x", "--spawn-log", "/nonexistent/dir/l"), "--spawn-log /nonexistent/dir/l: cannot create"),
                       (("drive", "--socket", "x", "--bogus"), ""),
                       (("report",), "--html DIR is required"),
                       (("report", "--html", WORK), "no RESULTS.json"),
                       (("report", "--html", WORK, "/nonexistent.json"), "/nonexistent.json"),
                       (("report", "--bogus"), "")]:
        rc, _, err = run(*args)
        assert rc == 2 and what in err, (args, err)


def test_offline_check_of_a_drive_capture():
    """The capture re-judges offline: the message-level back-end findings
    (VU-BE-04, VU-SIZE-02, ...) come back from `check`."""
    base = os.path.join(WORK, "dpdk-testpmd")
    if not os.path.exists(base + ".jsonl"):
        pytest.skip("needs test_dpdk_testpmd's capture")
    p = subprocess.run([vcts(), "check", "--json", base + ".check.json", base + ".jsonl"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert p.returncode == 1, p.stdout
    live = json.load(open(base + ".json"))
    off = json.load(open(base + ".check.json"))
    n_live = sum(1 for f in live["findings"] if f["rule"] == "VU-BE-04")
    n_off = sum(1 for f in off["findings"] if f["rule"] == "VU-BE-04")
    assert n_live == n_off > 0


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_matrix_renders_in_chromium():
    reports = [os.path.join(WORK, n + ".json") for n in backends(WORK)]
    reports = [r for r in reports if os.path.exists(r)]
    if len(reports) < 2:
        pytest.skip("fewer than two drive reports from the tests above")
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    html = os.path.join(WORK, "matrix")
    p = subprocess.run([vcts(), "report", "--html", html] + reports, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert p.returncode == 0, p.stdout
    prof = tempfile.mkdtemp(prefix="vcts-chromium-")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + prof]
    url = "file://" + os.path.join(html, "index.html")
    d = subprocess.run(["timeout", "120"] + flags + ["--dump-dom", url], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    dom = d.stdout.decode(errors="replace")
    assert d.returncode == 0 and "<table id=\"rule-matrix\">" in dom, dom[:500]
    # one column per implementation, a cell per rule and implementation
    for r in reports:
        name = os.path.basename(r)[:-5]
        assert ('<th class="impl">%s</th>' % name) in dom
        assert ('data-impl="%s" data-rule="VU-BE-01"' % name) in dom
    if os.path.exists(os.path.join(WORK, "qemu-storage-daemon.json")):
        assert 'data-impl="qemu-storage-daemon" data-rule="VU-BE-01"><a href="#d-qemu-storage-daemon-VU-BE-01">fail' in dom
        assert 'id="d-qemu-storage-daemon-VU-BE-01"' in dom
    shot = os.environ.get("VCTS_MATRIX_SCREENSHOT", os.path.join(WORK, "matrix.png"))
    s = subprocess.run(["timeout", "120"] + flags + ["--window-size=1400,2400", "--screenshot=" + shot, url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert s.returncode == 0 and os.path.getsize(shot) > 10000
    shutil.rmtree(prof, ignore_errors=True)


@pytest.mark.parametrize("name", ["dpdk-testpmd", "qemu-storage-daemon", "virtiofsd", "vhost-user-gpu"])
def test_device_state_not_offered(name):
    """VU-BE-25, VU-RVAL-02 live: DEVICE_STATE (protocol bit 19) is newer
    than every peer here (DPDK 22.11, QEMU 7.2): `device-state` is n/a."""
    rc, v, out = drive(name, scenario="device-state", tag=name + "-device-state")
    assert rc == 0 and v == {"device-state": "n/a"} and "DEVICE_STATE not offered" in out, out
