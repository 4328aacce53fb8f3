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
(qmp_client.py), one JSON per line.
"""
import sys

from qmp_client import Qmp, log, wait_hold


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sockpath, console = sys.argv[1], sys.argv[2]
    plugged = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
    q = Qmp(sockpath)
    if not wait_hold(console):
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
