"""Driver helpers for running real front-ends against `vhost-cts serve`.

Only process plumbing lives here: starting serve, QEMU and testpmd under
`timeout`, waiting for sockets and console lines, and reading the JSON
reports. Every judgement is made by the C code (the fake and the rule
engine); the tests only compare its findings with what is expected.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GUEST_DIR = os.environ.get("CTS_GUEST_DIR", os.path.join(ROOT, "traces", "record", ".work", "guest"))


def vcts_bin():
    b = os.environ.get("VCTS_BIN", os.path.join(ROOT, "build", "rel", "vhost-cts"))
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


def have(prog):
    return shutil.which(prog) is not None


def guest_or_reason():
    """(vmlinuz, initramfs) or a reason string why no guest can be built."""
    k = os.path.join(GUEST_DIR, "vmlinuz")
    i = os.path.join(GUEST_DIR, "initramfs.cpio.gz")
    if os.path.exists(k) and os.path.exists(i):
        return (k, i)
    if not any(n.startswith("vmlinuz-6.1") for n in os.listdir("/boot")) if os.path.isdir("/boot") else True:
        return "no Debian 6.1 kernel in /boot (linux-image-amd64) to build the guest"
    if not os.path.exists("/bin/busybox"):
        return "busybox-static not installed (guest initramfs)"
    r = subprocess.run(["timeout", "300", "bash", os.path.join(ROOT, "traces", "record", "mkguest.sh"), GUEST_DIR],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0 or not os.path.exists(i):
        return "guest build (traces/record/mkguest.sh) failed: " + r.stdout.decode(errors="replace")[-300:]
    return (k, i)


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def file_has(path, text):
    try:
        with open(path, "rb") as f:
            return text.encode() in f.read()
    except OSError:
        return False


class Serve:
    """One `vhost-cts serve` process with its capture and JSON report."""

    def __init__(self, workdir, name, sock, args=(), queues=1):
        self.dir = workdir
        self.name = name
        self.sock = sock
        self.queues = queues
        self.record = os.path.join(workdir, name + ".jsonl")
        self.json = os.path.join(workdir, name + ".json")
        self.out = os.path.join(workdir, name + ".out")
        self.err = os.path.join(workdir, name + ".err")
        self.args = list(args)
        self.proc = None
        self.rc = None

    def start(self, client=False, wait_socket=True):
        cmd = ["timeout", "-s", "TERM", "600", vcts_bin(), "serve", "--socket", self.sock,
               "--record", self.record, "--json", self.json] + self.args
        if client:
            cmd.append("--client")
        self.proc = subprocess.Popen(cmd, stdout=open(self.out, "wb"), stderr=open(self.err, "wb"),
                                     stdin=subprocess.DEVNULL)
        if wait_socket and not client:
            assert wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 20), "serve did not listen"
            assert self.proc.poll() is None, self.text()
        return self

    def stop(self, timeout=60):
        """SIGTERM unless it already ended; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.rc = self.proc.wait()
        return self.rc

    def wait(self, timeout):
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return self.stop()
        return self.rc

    def text(self):
        out = ""
        for p in (self.err, self.out):
            try:
                with open(p, errors="replace") as f:
                    out += f.read()[-4000:]
            except OSError:
                pass
        return out

    def report(self):
        with open(self.json) as f:
            return json.load(f)

    def findings(self):
        return findings_of(self.report())

    def rules(self):
        """Multiset of rule IDs found (waived ones marked with a '~')."""
        return sorted(("~" if f["waived"] else "") + f["rule"] for f in self.report()["findings"])

    def offline(self):
        """Findings of `vhost-cts check` on the capture (same waivers; the
        queue count travels in the capture itself)."""
        rep = os.path.join(self.dir, self.name + ".offline.json")
        r = subprocess.run(["timeout", "120", vcts_bin(), "check", "-q", "--waive", self.record + ".waive",
                            "--json", rep, self.record],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert r.returncode in (0, 1), r.stdout.decode(errors="replace")
        with open(rep) as f:
            return findings_of(json.load(f)), r.returncode

    def stats(self):
        """The closing statistics line of serve's stderr, as a dict."""
        for line in open(self.err, errors="replace"):
            if " connection(s), " in line:
                parts = line.split(": ", 1)[1].replace(" connection(s)", " connections").split(", ")
                d = {}
                for p in parts:
                    n, _, what = p.strip().partition(" ")
                    d[what] = int(n)
                return d
        return {}

    def requests(self):
        """(dir, request name) of every message in the capture."""
        out = []
        for line in open(self.record):
            o = json.loads(line)
            if o.get("kind") == "vu-msg":
                out.append((o["dir"], o["chan"], o.get("request_name"), o["payload"]))
        return out


def findings_of(rep):
    return sorted((f["rule"], f["session"], f["event"], f["message"], f["waived"]) for f in rep["findings"])


def rule_ids(findings):
    return sorted(("~" if f[4] else "") + f[0] for f in findings)


def qemu_net_cmd(sock, kernel, initrd, mode="net", queues=1, mem="memfd", chardev_extra="", mem_path=None,
                 packed=False):
    if mem == "memfd":
        memobj = "memory-backend-memfd,id=mem,size=256M,share=on"
    else:
        memobj = "memory-backend-file,id=mem,size=256M,mem-path=%s,share=on" % mem_path
    dev = "virtio-net-pci,netdev=net0,vectors=0,romfile="
    if queues > 1:
        dev += ",mq=on"
    if packed:
        dev += ",packed=on"
    return ["timeout", "-s", "KILL", "240", "qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-smp", "1",
            "-nographic", "-no-reboot", "-object", memobj, "-numa", "node,memdev=mem",
            "-chardev", "socket,id=chr0,path=%s%s" % (sock, chardev_extra),
            "-netdev", "vhost-user,id=net0,chardev=chr0,queues=%d" % queues,
            "-device", dev, "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 quiet panic=-1 cts.mode=%s" % mode]


def run(cmd, log, timeout=None):
    with open(log, "wb") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=timeout).returncode


def workdir(tag):
    return tempfile.mkdtemp(prefix="vcts-%s-" % tag)
