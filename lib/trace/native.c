/* The native capture format's schema: the fields of the memory-listener,
 * IOTLB and vhost-vdpa kinds, one row each (traces/FORMAT.md is the
 * specification). The writer is native_write.c, the reader
 * native_read.c, the round-trip comparison native_equal.c. */
#include "lib/trace/native_priv.h"

#define MF(k, key, member, t) { k, key, offsetof(struct vc_event, u.member), t }
#define MF_SEC(k, p) \
	MF(k, "gpa", p.gpa, MF_U64), MF(k, "size", p.size, MF_U64), MF(k, "hva", p.hva, MF_U64), \
	MF(k, "offset", p.offset, MF_U64), MF(k, "fd_ident", p.fd_ident, MF_U64), \
	MF(k, "page_size", p.page_size, MF_U64), MF(k, "flags", p.flags, MF_U32), \
	MF(k, "dirty_mask", p.dirty_mask, MF_U8), MF(k, "name", p.name, MF_NAME)
const struct mem_field vcn_mem_fields[] = {
	MF(VC_EV_MEM_BEGIN, "backend", mem_begin.backend, MF_U8),
	MF(VC_EV_MEM_BEGIN, "iotlb_batch", mem_begin.iotlb_batch, MF_BOOL),
	MF(VC_EV_MEM_BEGIN, "decisions", mem_begin.decisions, MF_BOOL),
	MF(VC_EV_MEM_BEGIN, "slots", mem_begin.slots, MF_U32),
	MF(VC_EV_MEM_BEGIN, "target_page", mem_begin.target_page, MF_U32),
	MF(VC_EV_MEM_REGION, "op", mem_region.op, MF_U8),
	MF_SEC(VC_EV_MEM_REGION, mem_region.s),
	MF(VC_EV_MEM_COMMIT, "has_decision", mem_commit.has_decision, MF_BOOL),
	MF(VC_EV_MEM_COMMIT, "changed", mem_commit.changed, MF_BOOL),
	MF(VC_EV_MEM_COMMIT, "started", mem_commit.started, MF_BOOL),
	MF(VC_EV_MEM_LOG, "start", mem_log.start, MF_BOOL),
	MF(VC_EV_MEM_RING, "ring", mem_ring.index, MF_U32),
	MF(VC_EV_MEM_RING, "start", mem_ring.start, MF_BOOL),
	MF(VC_EV_MEM_RING, "desc_gpa", mem_ring.gpa[0], MF_U64),
	MF(VC_EV_MEM_RING, "avail_gpa", mem_ring.gpa[1], MF_U64),
	MF(VC_EV_MEM_RING, "used_gpa", mem_ring.gpa[2], MF_U64),
	MF(VC_EV_MEM_RING, "desc_size", mem_ring.size[0], MF_U64),
	MF(VC_EV_MEM_RING, "avail_size", mem_ring.size[1], MF_U64),
	MF(VC_EV_MEM_RING, "used_size", mem_ring.size[2], MF_U64),
	MF(VC_EV_MEM_RING, "desc_hva", mem_ring.hva[0], MF_U64),
	MF(VC_EV_MEM_RING, "avail_hva", mem_ring.hva[1], MF_U64),
	MF(VC_EV_MEM_RING, "used_hva", mem_ring.hva[2], MF_U64),
	MF(VC_EV_MEM_REPORT, "code", mem_report.code, MF_U8),
	MF(VC_EV_MEM_REPORT, "ring", mem_report.ring, MF_U32),
	MF(VC_EV_MEM_REPORT, "part", mem_report.part, MF_U32),
	MF(VC_EV_MEM_REPORT, "gpa", mem_report.gpa, MF_U64),
	MF(VC_EV_MEM_REPORT, "size", mem_report.size, MF_U64),
	MF(VC_EV_MEM_REPORT, "hva", mem_report.hva, MF_U64),
	MF(VC_EV_MEM_REPORT, "value", mem_report.value, MF_U64),
	MF(VC_EV_MEM_REPORT, "name", mem_report.name, MF_NAME),
	MF(VC_EV_VDPA_IOTLB, "msg_type", iotlb.msg_type, MF_U32),
	MF(VC_EV_VDPA_IOTLB, "asid", iotlb.asid, MF_U32),
	MF(VC_EV_VDPA_IOTLB, "iotlb_type", iotlb.type, MF_U8),
	MF(VC_EV_VDPA_IOTLB, "perm", iotlb.perm, MF_U8),
	MF(VC_EV_VDPA_IOTLB, "iova", iotlb.iova, MF_U64),
	MF(VC_EV_VDPA_IOTLB, "iova_size", iotlb.size, MF_U64),
	MF(VC_EV_VDPA_IOTLB, "uaddr", iotlb.uaddr, MF_U64),
	MF(VC_EV_VDPA_IOTLB, "has_result", iotlb.has_result, MF_BOOL),
	MF(VC_EV_VDPA_IOTLB, "err", iotlb.err, MF_I32),
	/* vhost-vdpa file operations (fakes/vdpa, strace): the argument bytes
	 * ("in", "out") are written and read beside this table (vdpa_bytes). */
#define MF_OP(k) \
	MF(k, "fd", vdpa.fd, MF_I32), MF(k, "request", vdpa.request, MF_U32), \
	MF(k, "has_result", vdpa.has_result, MF_BOOL), MF(k, "ret", vdpa.ret, MF_I64), \
	MF(k, "err", vdpa.err, MF_I32), MF(k, "in_known", vdpa.in_known, MF_BOOL), \
	MF(k, "out_known", vdpa.out_known, MF_BOOL), MF(k, "len", vdpa.len, MF_U64), \
	MF(k, "off", vdpa.off, MF_U64), MF(k, "prot", vdpa.prot, MF_U32), \
	MF(k, "flags", vdpa.flags, MF_U32), MF(k, "unmap", vdpa.unmap, MF_BOOL)
	MF_OP(VC_EV_VDPA_OPEN), MF_OP(VC_EV_VDPA_CLOSE), MF_OP(VC_EV_VDPA_IOCTL),
	MF_OP(VC_EV_VDPA_WRITE), MF_OP(VC_EV_VDPA_MMAP),
#undef MF_OP
};
const size_t vcn_n_mem_fields = sizeof vcn_mem_fields / sizeof vcn_mem_fields[0];
#undef MF_SEC
#undef MF
