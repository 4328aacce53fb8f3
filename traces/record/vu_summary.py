#!/usr/bin/env python3
"""Summarise the vhost-user messages found in a recorded strace log.

Helper used to write traces/README.md; it is not the vhost-cts checker.
It reassembles the byte stream of every unix stream socket seen in
sendmsg/recvmsg/read/write/readv/writev/sendto/recvfrom lines (strace -f -tt
-yy -xx), splits it into vhost-user messages (12-byte header: request u32,
flags u32, size u32, then `size` bytes of payload) and prints one line per
message. The stream direction is "out" for data this process sent and "in"
for data it received.

Usage: vu_summary.py FILE.strace [--all-sockets]
Without --all-sockets only sockets whose first 12 bytes parse as a plausible
vhost-user header are printed.
"""
import re
import struct
import sys

NAMES = {1: "GET_FEATURES", 2: "SET_FEATURES", 3: "SET_OWNER", 4: "RESET_OWNER",
         5: "SET_MEM_TABLE", 6: "SET_LOG_BASE", 7: "SET_LOG_FD", 8: "SET_VRING_NUM",
         9: "SET_VRING_ADDR", 10: "SET_VRING_BASE", 11: "GET_VRING_BASE",
         12: "SET_VRING_KICK", 13: "SET_VRING_CALL", 14: "SET_VRING_ERR",
         15: "GET_PROTOCOL_FEATURES", 16: "SET_PROTOCOL_FEATURES", 17: "GET_QUEUE_NUM",
         18: "SET_VRING_ENABLE", 19: "SEND_RARP", 20: "NET_SET_MTU",
         21: "SET_BACKEND_REQ_FD", 22: "IOTLB_MSG", 23: "SET_VRING_ENDIAN",
         24: "GET_CONFIG", 25: "SET_CONFIG", 26: "CREATE_CRYPTO_SESSION",
         27: "CLOSE_CRYPTO_SESSION", 28: "POSTCOPY_ADVISE", 29: "POSTCOPY_LISTEN",
         30: "POSTCOPY_END", 31: "GET_INFLIGHT_FD", 32: "SET_INFLIGHT_FD",
         33: "GPU_SET_SOCKET", 34: "RESET_DEVICE", 35: "VRING_KICK",
         36: "GET_MAX_MEM_SLOTS", 37: "ADD_MEM_REG", 38: "REM_MEM_REG",
         39: "SET_STATUS", 40: "GET_STATUS"}
U64_REQS = {1, 2, 6, 15, 16, 17, 36, 39, 40}   # payload is a single u64
STATE_REQS = {8, 10, 11, 18, 23}               # struct vhost_vring_state
FILE_REQS = {12, 13, 14}                       # u64 index | 0x100 = no fd

LINE = re.compile(r'^(\d+)\s+(\d\d:\d\d:\d\d\.\d+)\s+(.*)$')
CALL = re.compile(r'^(sendmsg|recvmsg|read|write|readv|writev|sendto|recvfrom)'
                  r'\((\d+)<(UNIX(?:-STREAM)?):\[(\d+)(?:->(\d+))?[^\]]*\]>, (.*)$')
STR = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
RET = re.compile(r'= (-?\d+)')
FDS = re.compile(r'cmsg_type=SCM_RIGHTS, cmsg_data=\[((?:[^\[\]]|\[[^\]]*\])*)\]')


def unhex(s):
    return bytes(int(s[i + 2:i + 4], 16) for i in range(0, len(s), 4))


def lines(path):
    pending = {}
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, ts, rest = m.groups()
            if rest.endswith("<unfinished ...>"):
                pending[pid] = (ts, rest[:-len("<unfinished ...>")])
                continue
            r = re.match(r'^<\.\.\. \w+ resumed>(.*)$', rest)
            if r:
                if pid not in pending:
                    continue
                ts0, head = pending.pop(pid)
                rest = head + r.group(1)
            yield pid, ts, rest


def main():
    path = sys.argv[1]
    allsock = "--all-sockets" in sys.argv
    streams = {}   # (inode, dir) -> [bytearray, [(offset, ts, pid, fds)]]
    peers = {}
    for pid, ts, rest in lines(path):
        m = CALL.match(rest)
        if not m:
            continue
        call, fd, kind, ino, peer, args = m.groups()
        ret = RET.search(args[args.rfind(")"):] if ")" in args else args)
        rm = re.search(r'\) = (-?\d+)', args)
        if not rm or int(rm.group(1)) <= 0:
            continue
        n = int(rm.group(1))
        direction = "out" if call in ("sendmsg", "write", "writev", "sendto") else "in"
        data = b"".join(unhex(s) for s in STR.findall(args[:rm.start()]))
        data = data[:n]
        fds = FDS.search(args)
        fdlist = fds.group(1) if fds else ""
        if peer:
            peers[ino] = peer
        key = (ino, direction)
        st = streams.setdefault(key, [bytearray(), []])
        st[1].append((len(st[0]), ts, pid, fdlist, call, fd))
        st[0] += data
    msgs = []
    for (ino, direction), (buf, marks) in streams.items():
        if len(buf) >= 12:
            req, flags, size = struct.unpack_from("<III", buf, 0)
            plausible = 1 <= req <= 60 and flags & ~0xf == 0 and size <= 4096
        else:
            plausible = False
        if not plausible and not allsock:
            continue
        off = 0
        mi = 0
        while off + 12 <= len(buf):
            req, flags, size = struct.unpack_from("<III", buf, off)
            while mi + 1 < len(marks) and marks[mi + 1][0] <= off:
                mi += 1
            _, ts, pid, fdlist, call, fd = marks[mi]
            payload = bytes(buf[off + 12:off + 12 + size])
            # collect fds carried by any call that delivered bytes of this message
            fdset = [mk[3] for mk in marks if off <= mk[0] < off + 12 + size and mk[3]]
            msgs.append((ts, pid, ino, direction, req, flags, size, payload, fdset, call, fd))
            off += 12 + size
    msgs.sort(key=lambda x: x[0])
    for ts, pid, ino, direction, req, flags, size, payload, fdset, call, fd in msgs:
        name = NAMES.get(req, "?")
        desc = ""
        if len(payload) == 8 and (req in U64_REQS or req in FILE_REQS
                                  or (flags & 0x4 and req not in STATE_REQS)):
            v = struct.unpack("<Q", payload)[0]
            desc = "u64=0x%x" % v
        elif len(payload) == 8 and req in STATE_REQS:
            idx, num = struct.unpack("<II", payload)
            desc = "index=%d num=%d" % (idx, num)
        elif req == 9 and len(payload) >= 40:
            idx, fl, desc_a, used_a, avail_a, log_a = struct.unpack_from("<IIQQQQ", payload)
            desc = "index=%d flags=0x%x desc=0x%x used=0x%x avail=0x%x log=0x%x" % (
                idx, fl, desc_a, used_a, avail_a, log_a)
        elif req == 5 and len(payload) >= 8:
            nreg = struct.unpack_from("<I", payload)[0]
            regs = []
            for i in range(nreg):
                o = 8 + 32 * i
                if o + 32 <= len(payload):
                    gpa, sz, uva, moff = struct.unpack_from("<QQQQ", payload, o)
                    regs.append("gpa=0x%x size=0x%x uva=0x%x off=0x%x" % (gpa, sz, uva, moff))
            desc = "nregions=%d [%s]" % (nreg, "; ".join(regs))
        elif req in (37, 38) and len(payload) >= 40:
            gpa, sz, uva, moff = struct.unpack_from("<QQQQ", payload, 8)
            desc = "gpa=0x%x size=0x%x uva=0x%x off=0x%x" % (gpa, sz, uva, moff)
        elif req in (24, 25) and len(payload) >= 12:
            o, sz, fl = struct.unpack_from("<III", payload)
            desc = "offset=%d size=%d flags=0x%x data=%s" % (o, sz, fl, payload[12:12 + sz].hex())
        elif payload:
            desc = "payload=" + payload[:48].hex()
        if fdset:
            desc += " fds=[%s]" % re.sub(r'(?:\\x[0-9a-f]{2})+',
                                         lambda m: unhex(m.group(0)).decode("latin-1"),
                                         ",".join(fdset))
        print("%s pid=%s sock=%s %-3s %-22s req=%-2d flags=0x%x size=%d %s" % (
            ts, pid, ino, direction, name, req, flags, size, desc))


if __name__ == "__main__":
    main()
