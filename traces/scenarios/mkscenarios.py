#!/usr/bin/env python3
"""Writes the scenario files of this directory (except boot-512m.json,
which is hand-written). Each scenario is a topology history that either
keeps every MEM rule (clean) or breaks the rule in its name (trigger).
Run from anywhere: python3 traces/scenarios/mkscenarios.py"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
M = 1 << 20
G = 1 << 30

def h(x):
    return "0x%x" % x

def sec(region, gpa, size, offset=0, **kw):
    d = {"region": region, "gpa": h(gpa), "size": h(size), "offset": h(offset)}
    d.update(kw)
    return d

# A 512 MiB pc guest: RAM split around the VGA hole, ROMs, MMIO, VGA RAM.
RAM_HOST = 0x7f0000000000
REGIONS = {
    "mem": {"kind": ["ram"], "size": "512M", "host": h(RAM_HOST), "fd": 1},
    "vga-lowmem": {"kind": [], "size": "128K"},
    "pc.bios": {"kind": ["ram", "rom"], "size": "256K", "host": "0x7f1000000000", "fd": 3},
    "vga.vram": {"kind": ["ram"], "dirty": ["vga"], "size": "16M", "host": "0x7f1100000000", "fd": 4},
    "ioapic": {"kind": [], "size": "4K"},
}
BOOT = {"comment": "machine init (512 MiB, ROMs, MMIO)", "add": [
    sec("mem", 0, 0xa0000),
    sec("vga-lowmem", 0xa0000, 0x20000),
    sec("mem", 0xc0000, 0x1ff40000, 0xc0000),
    sec("vga.vram", 0xfd000000, 16 * M),
    sec("ioapic", 0xfec00000, 0x1000),
    sec("pc.bios", 0xfffc0000, 0x40000),
]}
RINGS = {"comment": "DRIVER_OK: the device starts two rings in low RAM", "start": [
    {"index": 0, "num": 256, "desc": h(0x2000000), "avail": h(0x2001000), "used": h(0x2002000)},
    {"index": 1, "num": 256, "desc": h(0x2004000), "avail": h(0x2005000), "used": h(0x2006000)},
]}
STOP = {"stop": True}

def dimm(name, fd, host, size=128 * M, page=None):
    r = {"kind": ["ram"], "size": h(size), "host": h(host), "fd": fd}
    if page:
        r["page_size"] = page
    return name, r

def write(name, description, listeners, steps, regions=None, extra_regions=()):
    regs = dict(REGIONS if regions is None else regions)
    for k, v in extra_regions:
        regs[k] = v
    doc = {"vhost-cts-scenario": 1, "description": description, "regions": regs,
           "listeners": listeners, "steps": steps}
    # One section or ring per line keeps the files readable and diffable.
    out = json.dumps(doc, indent=1)
    with open(os.path.join(HERE, name), "w") as f:
        f.write(out + "\n")

VU = [{"name": "net0", "backend": "vhost-user"}]
def vu(*bugs):
    return [{"name": "net0", "backend": "vhost-user", "bugs": list(bugs)}]

# ---- pc-dimm hot-plug and unplug while rings run (clean) ----
D1 = dimm("dimm1", 5, 0x7f2000000000)
write("dimm-hotplug-unplug.json",
      "pc-dimm hot-plug (128 MiB at 4 GiB, memory-backend-memfd) and unplug while the rings run in low RAM. Clean.",
      VU, [BOOT, RINGS,
           {"comment": "device_add pc-dimm", "add": [sec("dimm1", 4 * G, 128 * M)]},
           {"comment": "device_del", "del": [sec("dimm1", 4 * G, 128 * M)]},
           STOP], extra_regions=[D1])

# ---- hot-unplug removes the memory under a ring (MEM-05, VU-RING-08) ----
write("unplug-under-ring.json",
      "The guest put its rings into a hot-plugged pc-dimm; the dimm is unplugged while the device runs. QEMU's ring verification does not notice (no region meets the ring any more) and sends the table: MEM-05 and VU-RING-08 fire.",
      VU, [BOOT,
           {"comment": "device_add pc-dimm", "add": [sec("dimm1", 4 * G, 128 * M)]},
           {"comment": "rings inside the dimm", "start": [
               {"index": 0, "num": 256, "desc": h(4 * G + 0x10000), "avail": h(4 * G + 0x11000), "used": h(4 * G + 0x12000)}]},
           {"comment": "device_del while running", "del": [sec("dimm1", 4 * G, 128 * M)]},
           STOP], extra_regions=[D1])

# ---- relocation: same gpa, other backing, in one transaction (MEM-05) ----
D2 = dimm("dimm2", 6, 0x7f3000000000)
write("relocate-ring.json",
      "The dimm holding a running ring is swapped for another backend at the same guest address in one transaction: the ring is relocated. QEMU aborts (\"relocated\", -EBUSY): MEM-05 fires.",
      VU, [BOOT,
           {"add": [sec("dimm1", 4 * G, 128 * M)]},
           {"start": [{"index": 0, "num": 256, "desc": h(4 * G + 0x10000), "avail": h(4 * G + 0x11000), "used": h(4 * G + 0x12000)}]},
           {"comment": "unplug dimm1 and plug dimm2 at the same address", "del": [sec("dimm1", 4 * G, 128 * M)],
            "add": [sec("dimm2", 4 * G, 128 * M)]},
           STOP], extra_regions=[D1, D2])

# ---- dirty logging during migration (clean, and MEM-06 trigger) ----
MIG = [BOOT, RINGS,
       {"log": "start"},
       {"comment": "hot-plug during migration: the table grows, the log must grow first",
        "add": [sec("dimm1", 8 * G, 128 * M)]},
       {"comment": "unplug: the log may shrink only after the smaller table",
        "del": [sec("dimm1", 8 * G, 128 * M)]},
       {"log": "stop"},
       STOP]
write("migration-dirty-log.json",
      "Dirty logging (migration) starts and stops while the device runs; a dimm is plugged at 8 GiB and unplugged during it. The log grows before the larger table and shrinks after the smaller one. Clean.",
      VU, MIG, extra_regions=[D1])
write("migration-log-late-grow.json",
      "As migration-dirty-log.json with a listener that sends the larger table before it grows the log: MEM-06 (and VU-LOG-02) fire.",
      vu("log-late-grow"), MIG, extra_regions=[D1])

# ---- 2 MiB huge pages: sections split inside a page merge after rounding ----
HP = {"mem": {"kind": ["ram"], "size": "512M", "host": h(RAM_HOST), "fd": 1, "page_size": "2M"},
      "vga-lowmem": REGIONS["vga-lowmem"], "ioapic": REGIONS["ioapic"]}
HP_STEPS = [{"comment": "2 MiB pages; the VGA hole splits the first huge page", "add": [
    sec("mem", 0, 0xa0000), sec("vga-lowmem", 0xa0000, 0x20000),
    sec("mem", 0xc0000, 0x1ff40000, 0xc0000), sec("ioapic", 0xfec00000, 0x1000)]},
    RINGS, STOP]
write("hugepages-2m.json",
      "Guest RAM on 2 MiB huge pages. Rounded to their huge page, the two RAM sections around the VGA window meet and merge into one region (QEMU sends one region). Clean.",
      VU, HP_STEPS, regions=HP)
write("hugepages-2m-no-round.json",
      "As hugepages-2m.json with a listener that does not round sections to the page size: it sends two regions inside one huge page. MEM-02 fires.",
      vu("no-round"), HP_STEPS, regions=HP)

# ---- rounding makes two blocks overlap (MEM-03) ----
OV = {"mem": HP["mem"],
      "nvdimm-label": {"kind": ["ram"], "size": "2M", "host": "0x7f4000000000", "fd": 7, "page_size": "2M"}}
OV_STEPS = [{"comment": "a second huge-page RAM block mapped from the middle of its first page, right after the first block", "add": [
    sec("mem", 0, 0x1ff00000), sec("nvdimm-label", 0x1ff00000, 0x100000, 0x100000)]}, RINGS]
write("rounded-overlap.json",
      "Guest RAM on 2 MiB pages ends mid-page and another RAM block (other fd) follows: rounded to its page, the second section overlaps the first with different host memory. QEMU reports \"Overlapping but not coherent sections\" and leaves it out: MEM-03 fires.",
      VU, OV_STEPS, regions=OV)
write("rounded-overlap-silent.json",
      "As rounded-overlap.json with a listener that does not check overlaps: the overlapping section is sent as a region of its own. MEM-03 fires for the overlap, MEM-01 and MEM-02 for the table that carries memory a correct listener leaves out.",
      vu("no-overlap-check"), OV_STEPS, regions=OV)

# ---- ROM into the table (MEM-01) ----
write("rom-no-filter.json",
      "The boot topology (with ROMs, MMIO and VGA RAM under dirty tracking) through a listener that does not filter sections: the ROM and the VGA RAM enter the table. MEM-01 and MEM-02 fire (and VU-MEM-03: the MMIO sections have no host address).",
      vu("no-filter"), [BOOT, RINGS, STOP])

# ---- unchanged commit re-sends the table (MEM-04, B15) ----
NOP_STEPS = [BOOT, RINGS, {"comment": "MMIO-only change: the vhost section list is unchanged",
                           "add": [sec("ioapic", 0xfec10000, 0x1000)]}, STOP]
write("mmio-change.json", "An MMIO-only transaction while running: the section list is unchanged, no table is sent. Clean.",
      VU, NOP_STEPS)
write("mmio-change-always-send.json",
      "As mmio-change.json with a listener that re-sends the table on every commit (bug B15, crashed DPDK): MEM-04 (INFO) and VU-ONCE-04 fire.",
      vu("always-send"), NOP_STEPS)

# ---- too many memory slots (MEM-11) ----
dimms = [dimm("dimm%d" % i, 10 + i, 0x7f5000000000 + i * G) for i in range(8)]
write("too-many-slots.json",
      "Eight pc-dimms plugged into a guest whose low RAM is already two regions: the table needs 10 regions, a vhost-user back-end without CONFIGURE_MEM_SLOTS has 8. QEMU refuses to send it: MEM-11 fires.",
      VU, [BOOT, {"comment": "eight dimms", "add": [sec("dimm%d" % i, 4 * G + i * G, 128 * M) for i in range(8)]}],
      extra_regions=dimms)

# ---- vhost-vdpa ----
VDPA_REGIONS = {
    "mem": {"kind": ["ram"], "size": "512M", "host": h(RAM_HOST), "fd": 1},
    "vga-lowmem": {"kind": [], "size": "128K"},
    "pc.bios": REGIONS["pc.bios"],
    "vhost-vdpa/host-notifier mmaps[0]": {"kind": ["ram", "ram_device"], "size": "4K", "host": "0x7f6000000000", "fd": 8},
    "0000:00:04.0 BAR 4": {"kind": ["ram", "ram_device"], "size": "16K", "host": "0x7f6100000000", "fd": 9},
    "virtio-pci-common": {"kind": [], "size": "4K"},
    "dimm1": {"kind": ["ram"], "size": "128M", "host": "0x7f2000000000", "fd": 5},
}
def vdpa(*bugs, batch=True):
    return [{"name": "vdpa0", "backend": "vhost-vdpa", "iotlb_batch": batch, "bugs": list(bugs)}]
VDPA_STEPS = [
    {"comment": "machine init", "add": [sec("mem", 0, 0xa0000), sec("vga-lowmem", 0xa0000, 0x20000),
                                         sec("mem", 0xc0000, 0x1ff40000, 0xc0000), sec("pc.bios", 0xfffc0000, 0x40000)]},
    {"comment": "device realize: an MMIO-only transaction (nothing to map)", "add": [sec("virtio-pci-common", 0xfe000000, 0x1000)]},
    {"comment": "host notifier for queue 0 (ram_device)", "add": [sec("vhost-vdpa/host-notifier mmaps[0]", 0xfe003000, 0x1000)]},
    {"comment": "PCI BAR sizing: the 64-bit BAR is briefly mapped near the top of the space", "add": [sec("0000:00:04.0 BAR 4", 0xfffffffffff00000, 0x4000)]},
    {"del": [sec("0000:00:04.0 BAR 4", 0xfffffffffff00000, 0x4000)]},
    {"comment": "hot-plug and unplug of a dimm", "add": [sec("dimm1", 4 * G, 128 * M)]},
    {"del": [sec("dimm1", 4 * G, 128 * M)]},
]
write("vdpa-fixed.json",
      "vhost-vdpa IOTLB listener after QEMU e6db5df7e2: boot, an MMIO-only transaction, a host-notifier ram_device region, PCI BAR sizing with a spurious mapping at the top of the 64-bit space (bit 63), dimm hot-plug and unplug. Skipped sections are not mapped, no empty batch. Clean.",
      vdpa(), VDPA_STEPS, regions=VDPA_REGIONS)
write("vdpa-prefix-eager-batch.json",
      "As vdpa-fixed.json through the listener before e6db5df7e2 (BATCH_BEGIN at every transaction begin, BATCH_END at every commit): the MMIO-only, notifier and BAR-sizing transactions send empty batches. VDPA-BAT-01 and MEM-10 fire (bug B16).",
      vdpa("eager-batch"), VDPA_STEPS, regions=VDPA_REGIONS)
write("vdpa-map-all.json",
      "As vdpa-fixed.json through a listener that maps every section: the host-notifier (ram_device, bug B17) and the bit-63 BAR-sizing section get IOTLB UPDATEs. MEM-07 fires.",
      vdpa("map-all"), VDPA_STEPS, regions=VDPA_REGIONS)
UNAL_REGIONS = {"mem": VDPA_REGIONS["mem"], "odd": {"kind": ["ram"], "size": "1M", "host": "0x7f7000000000", "fd": 9}}
UNAL_STEPS = [{"add": [sec("mem", 0, 0x1ff00000)]},
              {"comment": "a section whose gpa and region offset differ within a page", "add": [sec("odd", 0x20000800, 0x10000, 0x400)]},
              {"del": [sec("odd", 0x20000800, 0x10000, 0x400)]},
              {"comment": "a section not page-aligned but consistent (gpa and offset agree within the page)", "add": [sec("odd", 0x20100800, 0x10000, 0x800)]},
              {"del": [sec("odd", 0x20100800, 0x10000, 0x800)]}]
write("vdpa-unaligned.json",
      "vhost-vdpa sections that are not page-aligned: one whose address and region offset differ within a page (refused, never mapped) and one that is consistent (mapped as its whole pages only). Clean.",
      vdpa(), UNAL_STEPS, regions=UNAL_REGIONS)
write("vdpa-unaligned-mapped.json",
      "As vdpa-unaligned.json through a listener that maps the inconsistent section anyway: MEM-08 fires.",
      vdpa("no-unaligned-check"), UNAL_STEPS, regions=UNAL_REGIONS)
write("vdpa-no-page-align.json",
      "As vdpa-unaligned.json through a listener that maps raw section ranges instead of whole pages: MEM-09 fires.",
      vdpa("no-page-align"), UNAL_STEPS, regions=UNAL_REGIONS)
