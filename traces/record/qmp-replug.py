#!/usr/bin/env python3
"""QMP client for qemu-replug.sh: hot-unplug the running vhost-user
virtio-net device and its back-end connection, then plug them back.

Usage: qmp-replug.py QMP_SOCKET CONSOLE_LOG SOCKET_PATH

Waits for the guest's "cts-guest: holding" line in CONSOLE_LOG (link up,
rings running), then:
  device_del nic0      -> waits up to 30 s for DEVICE_DELETED (the guest
                          ejects it through ACPI)
  netdev_del net0 (the connection to the back-end closes; QEMU 7.2 deletes
                  the chardev with it, else chardev-remove chr0)
  chardev-add chr0 (unix socket client, SOCKET_PATH), netdev_add vhost-user
  net0, device_add virtio-net-pci nic0   (a new connection, a new device)
Every command, reply and event is printed with a timestamp, one JSON per
line (qmp_client.py).
"""
import sys

from qmp_client import Qmp, log, wait_hold


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    qmp_path, console, sock = sys.argv[1:]
    q = Qmp(qmp_path)
    if not wait_hold(console):
        return 1
    q.drain(3)
    log("note", {"msg": "guest holding, rings running: unplugging"})
    q.cmd("device_del", id="nic0")
    if q.wait_event("DEVICE_DELETED", 30) is None:
        log("error", {"msg": "no DEVICE_DELETED within 30 s"})
        return 1
    q.cmd("netdev_del", id="net0")
    # QEMU 7.2's vhost-user netdev deletes its chardev with it (cleanup
    # deinits the frontend with del=true): remove it only if still there
    chardevs = q.cmd("query-chardev").get("return", [])
    if any(c.get("label") == "chr0" for c in chardevs):
        q.cmd("chardev-remove", id="chr0")
    q.drain(2)
    log("note", {"msg": "plugging back"})
    q.cmd("chardev-add", id="chr0", backend={
        "type": "socket",
        "data": {"addr": {"type": "unix", "data": {"path": sock}}, "server": False}})
    q.cmd("netdev_add", type="vhost-user", id="net0", chardev="chr0")
    q.cmd("device_add", driver="virtio-net-pci", id="nic0", netdev="net0",
          vectors=0, romfile="")
    q.drain(3)
    log("note", {"msg": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
