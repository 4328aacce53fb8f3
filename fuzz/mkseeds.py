#!/usr/bin/env python3
"""Seed corpus for fuzz_stream and fuzz_engine (one input format) from the rule fixtures (traces/fixtures/*.jsonl,
vhost-cts's native captures): each fixture's messages become the harness's
input format, [u8 len][u8 ctl][len bytes] chunks, where ctl bit 0 is the
direction and bits 1-5 the fd count. Chunks split messages at varying
points so reassembly is exercised from the start. Run from the repo root."""
import glob, json, os, struct

outs = ["fuzz/corpus/fuzz_stream", "fuzz/corpus/fuzz_engine"]
for out in outs:
    os.makedirs(out, exist_ok=True)
for path in sorted(glob.glob("traces/fixtures/*.jsonl")):
    blob = bytearray()
    step = 7
    with open(path) as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("type") != "event" or ev.get("kind") != "vu-msg" or ev.get("chan", 0) != 0:
                continue
            payload = bytes.fromhex(ev.get("payload", ""))
            msg = struct.pack("<III", ev["request"], ev["flags"], ev["size"]) + payload
            d = 1 if ev["dir"] == "BE->FE" else 0
            ctl = d | (min(ev.get("nfds", 0), 31) << 1)
            pos = 0
            while pos < len(msg):
                n = min(len(msg) - pos, 255, step)
                blob += bytes([n, ctl if pos == 0 else d]) + msg[pos:pos + n]
                pos += n
                step = step % 61 + 13
    name = os.path.basename(path)[:-len(".jsonl")]
    for out in outs:
        with open(os.path.join(out, name + ".bin"), "wb") as o:
            o.write(blob)
