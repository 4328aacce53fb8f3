#!/usr/bin/env python3
"""Derive the pre-fix behaviour of bug B16 from a fixed QEMU's vhost_vdpa_*
trace log.

Before QEMU e6db5df7e2 ("vhost-vdpa: Do not send empty IOTLB update
batches") the vhost-vdpa memory listener wrote BATCH_BEGIN in every
listener begin() and BATCH_END in every commit(), whether or not the
transaction mapped or unmapped anything; the fixed QEMU writes BEGIN only
before the first update and END only if BEGIN was sent. A transaction that
changes no RAM section (a BAR or ROM toggle, which a booting guest does
many times) therefore left an empty batch: BATCH_BEGIN immediately followed
by BATCH_END, each traced (vhost_vdpa_listener_begin_batch / _commit).

This script keeps every record of the fixed log and adds, after each
transaction that did send a batch, one such empty transaction, as the
pre-fix listener would have traced it. The output is a reconstruction, not a
recording; the fixed log stays the recording.
"""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
out = []
for line in open(src, encoding="utf-8", errors="replace"):
    out.append(line)
    m = re.match(r"^(.*?)vhost_vdpa_listener_commit (vdpa:\S+ fd: \S+ msg_type: \S+) type: 6", line)
    if m:
        prefix, who = m.group(1), m.group(2)
        out.append("%svhost_vdpa_listener_begin_batch %s type: 5\n" % (prefix, who))
        out.append("%svhost_vdpa_listener_commit %s type: 6\n" % (prefix, who))
with open(dst, "w", encoding="utf-8") as f:
    f.writelines(out)
