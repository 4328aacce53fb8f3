"""The QMP client the recording scripts' QMP drivers share (qmp-hotplug.py,
qmp-migrate.py, qmp-replug.py): every command, reply and asynchronous
event is printed with a timestamp (monotonic seconds since the start of
the script), one JSON per line. Only the standard library is used.
"""
import json
import socket
import sys
import time

T0 = time.monotonic()


def log(what, obj):
    print("%8.3f %s %s" % (time.monotonic() - T0, what,
                           json.dumps(obj, sort_keys=True)), flush=True)


class Qmp:
    def __init__(self, path):
        self.sock = None
        for _ in range(300):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.1)
        if self.sock is None:
            raise SystemExit("qmp-hotplug: cannot connect to %s" % path)
        self.buf = b""
        self.events = []
        log("greeting", self.recv(None))
        self.cmd("qmp_capabilities")

    def recv(self, timeout):
        """One JSON message, or None after timeout seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(None)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise SystemExit("qmp-hotplug: QEMU closed the QMP socket")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        log("->", msg)
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv(60)
            if r is None:
                raise SystemExit("qmp-hotplug: no reply to %s" % name)
            if "event" in r:
                log("event", r)
                self.events.append(r)
                continue
            log("<-", r)
            return r

    def wait_event(self, name, timeout):
        for e in self.events:
            if e["event"] == name:
                return e
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r = self.recv(left)
            if r is None:
                return None
            log("event" if "event" in r else "<-", r)
            if "event" in r:
                self.events.append(r)
                if r["event"] == name:
                    return r

    def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r = self.recv(end - time.monotonic())
            if r is not None:
                log("event" if "event" in r else "<-", r)
                if "event" in r:
                    self.events.append(r)


def wait_console(path, marker, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                if marker in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def wait_hold(console, timeout=240):
    """Wait for the guest's "cts-guest: holding" line (link up, rings
    running); False, logged, when it never comes."""
    if wait_console(console, b"cts-guest: holding", timeout):
        return True
    log("error", {"msg": "guest never reached its hold"})
    return False
