"""`vhost-cts drive` against vhost-cts's own fake back-end (`serve`).

The fake must pass everything: every positive scenario served, every
negative one refused (no accepted, crashed, hung or leaked), exit 0. And
every scenario must be able to fail: each negative scenario fails against
the fake with exactly the refusal class it tests switched off
(`--fault lax=CLASS`, a deliberately broken build without a rebuild), and
the crash/hang/leak faults make positive scenarios crashed, hung, leaked.

Only process plumbing lives here; every judgement is made by the C code.
"""
import os
import subprocess
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
WORK = tempfile.mkdtemp(prefix="vcts-drive-fake-")
OUTCOMES = ("pass", "rejected", "accepted", "findings", "crashed", "hung", "leaked", "n/a", "error")


def vcts():
    b = os.environ.get("VCTS_BIN", os.path.join(ROOT, "build", "rel", "vhost-cts"))
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


def drive(tag, serve_args=(), device="net", scenario=None, timeout_s="1", strict=True):
    """Runs drive with serve spawned; returns (exit status, {scenario: outcome}, output)."""
    sock = os.path.join(WORK, tag + ".sock")
    profile = "blk" if device == "blk" else "net"
    # serve's --timeout bounds how long a lax=short-eof connection stays open.
    serve = "%s serve --socket %s --profile %s --queues %s --timeout 2 --quiet %s" % (
        vcts(), sock, profile, "2" if profile == "net" else "1", " ".join(serve_args))
    args = ["timeout", "-s", "KILL", "600", vcts(), "drive", "--device", device, "--socket", sock,
            "--spawn", serve, "--spawn-log", os.path.join(WORK, tag + ".log"), "--timeout", timeout_s,
            "--json", os.path.join(WORK, tag + ".json")]
    if scenario:
        args += ["--scenario", scenario]
    if strict:
        # an accepted malformed request is VU-REPLY-04, a SHOULD
        args.append("--strict")
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=650)
    out = p.stdout.decode(errors="replace")
    verdicts = {}
    for line in out.splitlines():
        f = line.split(None, 2)
        if len(f) >= 2 and f[0] in OUTCOMES:
            verdicts[f[1]] = f[0]
    return p.returncode, verdicts, out


def negative_scenarios():
    p = subprocess.run([vcts(), "drive", "--list"], stdout=subprocess.PIPE, check=True)
    names = [line.split()[0] for line in p.stdout.decode().splitlines() if line.strip()]
    return [n for n in names if n.startswith("neg-")]


@pytest.mark.parametrize("device", ["net", "blk"])
def test_fake_passes_everything(device):
    rc, v, out = drive("clean-" + device, device=device)
    assert len(v) >= 35, out
    bad = {k: x for k, x in v.items() if x not in ("pass", "rejected", "n/a")}
    assert not bad, out
    assert rc == 0, out
    for s in ("init-start-stop-qemu", "init-start-stop-dpdk", "reconnect", "hotplug-mem-table", "datapath",
              "stopped-quiet", "start-without-kick", "sigterm", "no-protocol-features", "enable-while-stopped",
              "reset-owner", "print-capabilities", "no-daemon"):
        assert v[s] == "pass", (s, out)
    for s in negative_scenarios():
        # n/a only where the profile does not offer what it needs (blk: no LOG_SHMFD)
        assert v[s] == "rejected" or (device == "blk" and s == "neg-log-overflow" and v[s] == "n/a"), (s, out)
    if device == "net":
        for s in ("replay-qemu-net", "replay-qemu-net-mq", "replay-dpdk-net", "multiqueue", "log-on-off"):
            assert v[s] == "pass", (s, out)
    else:
        for s in ("replay-qemu-blk", "hotplug-add-mem-reg", "inflight", "inflight-repeat"):
            assert v[s] == "pass", (s, out)


# Each negative scenario, the refusal class that makes the fake refuse it,
# and what the driver sees once that class is switched off.
LAX = {
    "neg-version": ("version", "accepted"),
    "neg-reply-bit": ("reply-bit", "accepted"),
    "neg-request-0": ("unknown-request", "accepted"),
    "neg-unknown-request": ("unknown-request", "accepted"),
    "neg-oversize": ("oversize", "accepted"),
    "neg-short-eof": ("short-eof", "hung"),
    "neg-extra-fds": ("extra-fds", "accepted"),
    "neg-memtable-no-fd": ("missing-fd", "accepted"),
    "neg-kick-no-fd": ("missing-fd", "accepted"),
    "neg-region-past-fd": ("region-bounds", "accepted"),
    # mapped past its memfd (bug B6); the ring there is halted, never read:
    # a fake back-end does not crash, whatever is armed
    "neg-region-past-fd-ring": ("region-bounds", "accepted"),
    "neg-overlap": ("overlap", "accepted"),
    "neg-nine-regions": ("region-count", "accepted"),
    "neg-ring-index": ("ring-index", "accepted"),
    "neg-ring-index-far": ("ring-index", "accepted"),
    "neg-ring-num": ("ring-num", "accepted"),
    "neg-ring-num-big": ("ring-num", "accepted"),
    "neg-ring-addr": ("ring-addr", "accepted"),
    "neg-num-started": ("started-ring", "accepted"),
    "neg-log-overflow": ("log-size", "accepted"),
}


def test_every_negative_scenario_has_a_lax_class():
    assert sorted(negative_scenarios()) == sorted(LAX), "a negative scenario without a lax class"


@pytest.mark.parametrize("cls", sorted({c for c, _ in LAX.values()}))
def test_lax_class_fails_exactly_its_scenarios(cls):
    rc, v, out = drive("lax-" + cls, ["--fault", "lax=" + cls], scenario="neg-*")
    assert len(v) == len(LAX), out
    for s, (c, want) in LAX.items():
        if c == cls:
            assert v[s] == want, (s, out)
        else:
            assert v[s] == "rejected", (s, out)
    assert rc == 1, out


def test_lax_by_scenario_name_and_all():
    # the driver's scenario names are accepted as class names
    rc, v, out = drive("lax-names", ["--fault", "lax=neg-num-started,log-overflow"],
                       scenario="neg-num-started,neg-log-overflow,neg-ring-num")
    assert v == {"neg-num-started": "accepted", "neg-log-overflow": "accepted", "neg-ring-num": "rejected"}, out
    # lax=all: every negative scenario fails
    rc, v, out = drive("lax-all", ["--fault", "lax=all"], scenario="neg-*")
    assert len(v) == len(LAX) and all(v[s] == want for s, (_, want) in LAX.items()), out
    assert rc == 1


# Faults that break the positive side: VU-BE-01 (crash), VU-BE-02 (hang),
# VU-BE-03 (leak), VU-BE-05 (a valid sequence refused), VU-BE-06 (rings
# not processed).
BROKEN = [
    (["--fault", "crash@req=SET_VRING_ADDR"], "init-start-stop-qemu", "net", "crashed"),
    (["--fault", "hang@req=SET_VRING_ADDR"], "init-start-stop-qemu", "net", "hung"),
    (["--fault", "leak-fds@req=SET_MEM_TABLE"], "init-start-stop-qemu", "net", "leaked"),
    (["--fault", "disconnect@req=SET_VRING_ADDR"], "init-start-stop-qemu", "net", "findings"),
    (["--no-null-device"], "datapath", "net", "findings"),
    (["--no-null-device"], "datapath", "blk", "findings"),
    # VU-BE-07: GET_VRING_BASE answers 0 (rust-vmm once) or another ring's index
    (["--fault", "vring-base-zero"], "datapath", "net", "findings"),
    (["--fault", "vring-base-other-ring"], "datapath", "net", "findings"),
    (["--fault", "vring-base-zero"], "datapath", "blk", "findings"),
    # VU-BE-08: a ring that keeps running after GET_VRING_BASE
    (["--fault", "stopped-ring-runs"], "stopped-quiet", "net", "findings"),
    (["--fault", "stopped-ring-runs"], "stopped-quiet", "blk", "findings"),
    # VU-BE-09: used-ring writes missing from the dirty log
    (["--fault", "log-skip-used"], "log-on-off", "net", "findings"),
    # VU-BE-10: a ring that waits for a kick after SET_VRING_KICK
    (["--fault", "start-on-kick"], "start-without-kick", "net", "findings"),
    (["--fault", "start-on-kick"], "start-without-kick", "blk", "findings"),
    # VU-BE-11: a back-end that ignores SIGTERM
    (["--fault", "ignore-sigterm"], "sigterm", "net", "findings"),
    # VU-BE-12..15: the enabled state of Ring states, descriptor buffers in the log
    (["--fault", "no-auto-enable"], "no-protocol-features", "blk", "findings"),
    (["--fault", "disabled-ring-idle"], "disabled-ring", "net", "findings"),
    (["--fault", "enable-lost-while-stopped"], "enable-while-stopped", "blk", "findings"),
    (["--features", "+LOG_ALL", "--protocol-features", "+LOG_SHMFD", "--fault", "log-skip-data"], "log-on-off",
     "blk", "findings"),
    # VU-BE-17, -18: the owner kept across RESET_DEVICE, the state across RESET_OWNER
    (["--fault", "disconnect@req=RESET_DEVICE"], "reset-device", "blk", "findings"),
    (["--fault", "reset-owner-resets"], "reset-owner", "net", "findings"),
    # VU-BE-19, -20: the program conventions
    (["--fault", "bad-capabilities"], "print-capabilities", "net", "findings"),
    (["--fault", "daemonize"], "no-daemon", "net", "findings"),
    # VU-BE-21: inflight tracking (blk offers INFLIGHT_SHMFD)
    (["--fault", "inflight-kept"], "inflight", "blk", "findings"),
    # VU-BE-22: a read-only config field taken with flags 0
    (["--fault", "config-writable"], "config-readonly", "blk", "findings"),
    # VU-BE-23: in-band notifications without their channel kept
    (["--protocol-features", "+INBAND_NOTIFICATIONS", "--fault", "inband-accepted"], "inband-without-channel",
     "net", "findings"),
    # VU-BE-24: POSTCOPY_END not answered 0
    (["--protocol-features", "+PAGEFAULT", "--fault", "postcopy-end-fails"], "postcopy", "net", "findings"),
]

# the rule each of those faults breaks, as the driver prints it
NEW_RULES = {"no-auto-enable": "VU-BE-12 MUST [no-protocol-features]",
             "disabled-ring-idle": "VU-BE-13 MUST [disabled-ring]",
             "enable-lost-while-stopped": "VU-BE-14 SHOULD [enable-while-stopped]",
             "log-skip-data": "VU-BE-15 SHOULD [log-on-off]",
             "disconnect@req=RESET_DEVICE": "VU-BE-17 MUST [reset-device]",
             "reset-owner-resets": "VU-BE-18 SHOULD [reset-owner]",
             "bad-capabilities": "VU-BE-19 SHOULD [print-capabilities]",
             "daemonize": "VU-BE-20 SHOULD [no-daemon]",
             "inflight-kept": "VU-BE-21 SHOULD [inflight]",
             "config-writable": "VU-BE-22 MUST [config-readonly]",
             "inband-accepted": "VU-BE-23 SHOULD [inband-without-channel]",
             "postcopy-end-fails": "VU-BE-24 MUST [postcopy]"}


@pytest.mark.parametrize("serve_args,scenario,device,want", BROKEN,
                         ids=["crash", "hang", "leak-fds", "disconnect", "no-ring-net", "no-ring-blk",
                              "vring-base-zero-net", "vring-base-other-net", "vring-base-zero-blk",
                              "stopped-runs-net", "stopped-runs-blk", "log-skip-used-net",
                              "start-on-kick-net", "start-on-kick-blk", "ignore-sigterm",
                              "no-auto-enable-blk", "disabled-ring-idle-net", "enable-lost-blk", "log-skip-data-blk",
                              "reset-device-closes-blk", "reset-owner-resets-net",
                              "bad-capabilities", "daemonize", "inflight-kept-blk", "config-writable-blk",
                              "inband-accepted", "postcopy-end-fails"])
def test_broken_fake_fails_positive_scenario(serve_args, scenario, device, want):
    rc, v, out = drive("broken-%s-%s-%s" % (want, device, serve_args[-1]), serve_args, device=device,
                       scenario=scenario)
    # a name that is also a family ("inflight") selects its siblings: they pass
    assert v.get(scenario) == want and all(x == "pass" for k, x in v.items() if k != scenario), out
    assert rc == 1, out
    if "vring-base" in serve_args[-1]:
        # only VU-BE-07: the data path itself worked
        assert "VU-BE-07 MUST [datapath]" in out and "VU-BE-06" not in out, out
    if "stopped-ring-runs" in serve_args:
        assert "VU-BE-08 MUST [stopped-quiet]" in out and "VU-BE-07" not in out, out
        assert "VU-BE-16 MUST [stopped-quiet]" in out and "was written while buffers were made available" in out, out
    if serve_args[-1] in NEW_RULES:
        assert NEW_RULES[serve_args[-1]] in out, out
    if "ignore-sigterm" in serve_args:
        assert "VU-BE-11 SHOULD [sigterm]" in out and "still running 3000 ms after SIGTERM" in out, out
    if "start-on-kick" in serve_args:
        assert "VU-BE-10 SHOULD [start-without-kick]" in out and "VU-BE-07" not in out, out
    if "log-skip-used" in serve_args:
        assert "VU-BE-09 SHOULD [log-on-off]" in out and "is not marked in the log" in out, out
        assert "VU-BE-06" not in out, out


# Back-end duties a recording decides (VU-RVAL, VU-BCH): each fault makes
# the fake break one rule, sent before the reply to GET_VRING_BASE when it
# is a back-end request; drive's judge names the rule (other rules the same
# message breaks may come with it: a VRING_CALL with num 1 is also ungated).
TRACE_FAULTS = [
    (["--fault", "vring-base-high"], "datapath", "VU-RVAL-01 MUST"),
    (["--protocol-features", "+PAGEFAULT", "--fault", "postcopy-no-ufd"], "postcopy-advise", "VU-RVAL-03 MUST"),
    (["--protocol-features", "+SHMEM", "--fault", "shmem-count"], "shmem-config", "VU-RVAL-04 MUST"),
    (["--fault", "drop-protocol-feature=MQ"], "replay-qemu-net", "VU-RVAL-05 SHOULD"),
    (["--fault", "inflight-no-fd"], "inflight", "VU-RVAL-06 MUST"),  # blk: the profile with INFLIGHT_SHMFD
    (["--fault", "suspended-msg"], "replay-qemu-net", "VU-BCH-08 MUST"),
] + [(["--fault", "backend-bad=%s@req=GET_VRING_BASE" % k], "replay-qemu-net", w) for k, w in (
    ("call-num", "VU-BCH-01 MUST"), ("ungated", "VU-BCH-02 SHOULD"), ("fds", "VU-BCH-03 MUST"),
    ("notifier-size", "VU-BCH-04 SHOULD"), ("shmem-flags", "VU-BCH-05 MUST"), ("shmem-unmap", "VU-BCH-06 MUST"),
    ("iotlb-type", "VU-BCH-07 MUST"))]


@pytest.mark.parametrize("serve_args,scenario,want", TRACE_FAULTS, ids=[w.split()[0] for _, _, w in TRACE_FAULTS])
def test_trace_decided_fault_is_caught(serve_args, scenario, want):
    device = "blk" if scenario == "inflight" else "net"
    rc, v, out = drive("trace-" + want.split()[0], serve_args, device=device, scenario=scenario)
    assert v.get(scenario) == "findings" or (want.endswith("SHOULD") and v.get(scenario) == "pass"), out
    assert "%s [%s]" % (want, scenario) in out, out
    assert rc == 1, out  # --strict: a SHOULD finding fails the run too


def test_reply_value_scenarios():
    # The fake offers PAGEFAULT and SHMEM only when asked; then
    # POSTCOPY_ADVISE is answered with the userfaultfd it opened and kept
    # until the connection ends (VU-RVAL-03 holds, no leak), and
    # GET_SHMEM_CONFIG twice with the same empty configuration (VU-RVAL-04).
    rc, v, out = drive("replies", ["--protocol-features", "+PAGEFAULT,+SHMEM"],
                       scenario="postcopy-advise,shmem-config")
    assert rc == 0 and v == {"postcopy-advise": "pass", "shmem-config": "pass"}, out
    rc, v, out = drive("replies-none", scenario="postcopy-advise,shmem-config")
    assert rc == 0 and v == {"postcopy-advise": "n/a", "shmem-config": "n/a"}, out


def test_reply_fds_are_judged():
    # A back-end that attaches 250 fds to every reply (the case:
    # drive took 32 and judged nothing): VU-FD-06 on each reply, 250 counted.
    rc, v, out = drive("reply-fds", ["--fault", "reply-fds=250"], scenario="init-start-stop-qemu")
    assert v == {"init-start-stop-qemu": "findings"}, out
    assert "VU-FD-06" in out and "carries 250 fd(s); it takes none" in out, out
    assert rc == 1, out
    # Only the reply it names: GET_FEATURES's first reply gets 3 fds.
    rc, v, out = drive("reply-fds-one", ["--fault", "reply-fds=3@req=GET_FEATURES"],
                       scenario="init-start-stop-qemu")
    assert v == {"init-start-stop-qemu": "findings"}, out
    assert out.count("VU-FD-06 MUST") == 1 and "GET_FEATURES carries 3 fd(s)" in out, out


@pytest.mark.parametrize("device", ["net", "blk"])
def test_every_positive_scenario_can_fail(device):
    # Every scenario starts with GET_FEATURES: a fake that dies there fails
    # each one (n/a ones are not run on this device).
    rc, v, out = drive("crash-all-" + device, ["--fault", "crash@req=GET_FEATURES"], device=device,
                       scenario="replay,lifecycle,memory,migration,inflight,datapath")
    ran = {k: x for k, x in v.items() if x != "n/a"}
    assert len(ran) >= 8 and set(ran.values()) == {"crashed"}, out
    assert rc == 1


def scenario_rules(tag, scenario):
    import json
    d = json.load(open(os.path.join(WORK, tag + ".json")))
    return {s["name"]: s["rules"] for s in d["sessions"]}[scenario]


@pytest.mark.parametrize("device", ["net", "blk"])
def test_device_state(device):
    # DEVICE_STATE only when offered: n/a by default.
    rc, v, out = drive("ds-none-" + device, device=device, scenario="device-state")
    assert rc == 0 and v == {"device-state": "n/a"}, out
    # Offered: save, a save with no reader (CHECK not 0), load into a fresh
    # connection; VU-BE-25 checked once and held, VU-RVAL-02 on the replies.
    for extra in ([], ["--device-state-own-fd"]):
        tag = "ds-%s%s" % (device, "-own" if extra else "")
        rc, v, out = drive(tag, ["--protocol-features", "+DEVICE_STATE"] + extra, device=device,
                           scenario="device-state")
        assert rc == 0 and v == {"device-state": "pass"}, out
        r = scenario_rules(tag, "device-state")
        if extra:
            # the back-end's own channel was read whole before the reader
            # was gone: VU-BE-25 not decidable
            assert "VU-BE-25" not in r or r["VU-BE-25"]["checks"] == 0, r
        else:
            assert r["VU-BE-25"]["verdict"] == "pass" and r["VU-BE-25"]["checks"] == 1, r
        assert r["VU-RVAL-02"]["verdict"] == "pass" and r["VU-RVAL-02"]["checks"] >= 2, r
    # Each fault fails the scenario with its rule.
    for fault, rule in (("state-check-ok", "VU-BE-25 MUST [device-state]"),
                        ("state-error-with-fd", "VU-RVAL-02 MUST [device-state]")):
        rc, v, out = drive("ds-%s-%s" % (fault, device), ["--protocol-features", "+DEVICE_STATE", "--fault", fault],
                           device=device, scenario="device-state")
        assert v == {"device-state": "findings"} and rule in out, out
        assert rc == 1, out
