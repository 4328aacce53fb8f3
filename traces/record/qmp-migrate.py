#!/usr/bin/env python3
"""QMP client for qemu-migrate.sh: live-migrate a running guest from the
source QEMU to the destination QEMU (started with -incoming) while the
vhost-user rings of both run against their own back-ends.

Usage: qmp-migrate.py SRC_QMP DST_QMP SRC_CONSOLE_LOG MIGRATION_URI

Waits for the guest's "cts-guest: holding" line in SRC_CONSOLE_LOG (link
up, rings running), lets it run 2 s, then on the source:
  migrate uri=MIGRATION_URI
  query-migrate every 0.5 s until "completed" (or "failed": exit 1)
waits for the destination's RESUME event (the guest runs there now), and
quits the source. Every command, reply and event is printed with a
timestamp, one JSON per line (qmp_client.py).
"""
import sys
import time

from qmp_client import Qmp, log, wait_hold


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    src_path, dst_path, console, uri = sys.argv[1:]
    src = Qmp(src_path)
    dst = Qmp(dst_path)
    if not wait_hold(console):
        return 1
    src.drain(2)
    log("note", {"msg": "guest holding, rings running: migrating"})
    src.cmd("migrate", uri=uri)
    deadline = time.monotonic() + 120
    while True:
        r = src.cmd("query-migrate")
        st = r.get("return", {}).get("status")
        if st == "completed":
            break
        if st in ("failed", "cancelled") or time.monotonic() > deadline:
            log("error", {"msg": "migration %s" % st})
            return 1
        src.drain(0.5)
    if dst.wait_event("RESUME", 60) is None:
        log("error", {"msg": "destination never resumed"})
        return 1
    dst.cmd("query-status")
    src.cmd("query-status")
    try:
        src.cmd("quit")
    except SystemExit:
        pass  # QEMU may close the socket before its reply arrives
    log("note", {"msg": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
