#!/usr/bin/env python3
"""QMP client for qemu-hotplug.sh: hot-plug a memfd-backed pc-dimm into a
running QEMU while its vhost-user rings run, then unplug it.

Usage: qmp-hotplug.py QMP_SOCKET CONSOLE_LOG [PLUGGED_SECONDS]

Waits for the guest's "cts-guest: holding" line in CONSOLE_LOG (the link is
up, rings are running), then:
  object-add memory-backend-memfd id=hp0 size=128M share=on
  device_add pc-dimm id=dimm0 memdev=hp0
  (PLUGGED_SECONDS, default 6, while the guest onlines the memory)
  device_del dimm0   -> waits up to 20 s for DEVICE_DELETED
  object-del hp0     (only succeeds once the dimm is gone)
Every command, reply and asynchronous event is printed with a timestamp
(monotonic seconds since the start of this script), one JSON per line.
Only the standard library is used.
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


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sockpath, console = sys.argv[1], sys.argv[2]
    plugged = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
    q = Qmp(sockpath)
    if not wait_console(console, b"cts-guest: holding", 240):
        log("error", {"msg": "guest never reached its hold"})
        return 1
    log("note", {"msg": "guest holding, rings running: plugging"})
    q.cmd("query-memory-devices")
    q.cmd("object-add", **{"qom-type": "memory-backend-memfd", "id": "hp0",
                           "size": 128 << 20, "share": True})
    q.cmd("device_add", driver="pc-dimm", id="dimm0", memdev="hp0")
    q.drain(plugged)
    q.cmd("query-memory-devices")
    q.cmd("query-memory-size-summary")
    log("note", {"msg": "unplugging"})
    q.cmd("device_del", id="dimm0")
    gone = q.wait_event("DEVICE_DELETED", 20)
    if gone is None:
        log("note", {"msg": "no DEVICE_DELETED within 20 s: unplug failed"})
    q.cmd("object-del", id="hp0")
    q.cmd("query-memory-devices")
    q.drain(2)
    log("note", {"msg": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
