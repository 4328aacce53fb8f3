/* The vhost-vdpa IOTLB listener model (QEMU hw/virtio/vhost-vdpa.c after
 * "Do not send empty IOTLB update batches"): skipped sections, refusal of
 * sections misaligned within a page, page-aligned UPDATE / INVALIDATE, a
 * BATCH_BEGIN sent lazily once per transaction just before the first real
 * update, and BATCH_END at commit only if BEGIN went out. The eager-batch
 * variant is the behaviour before that fix. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "vcts/vdpa_uapi.h"

#include <string.h>

bool vm_vdpa_skipped(const struct vc_mem_section *s)
{
	bool ram_or_iommu = s->flags & (VC_MEMF_RAM | VC_MEMF_IOMMU);
	/* Sizing a 64-bit BAR maps it briefly near the top of the space: such
	 * addresses are beyond any IOMMU and never used by the guest. */
	return !ram_or_iommu || (s->flags & VC_MEMF_RAM_DEVICE) || (s->gpa >> 63);
}

void vm_vdpa_init(struct vm_vdpa *d, const struct vm_listener_cfg *cfg)
{
	memset(d, 0, sizeof *d);
	d->cfg = *cfg;
}

static uint64_t tpage(const struct vm_vdpa *d)
{
	return d->cfg.target_page ? d->cfg.target_page : VM_DEFAULT_PAGE;
}

bool vm_vdpa_range(const struct vm_vdpa *d, const struct vc_mem_section *s, uint64_t *iova,
		   uint64_t *size)
{
	if (d->cfg.bugs & VM_BUG_NO_PAGE_ALIGN) {
		*iova = s->gpa;
		*size = s->size;
		return s->size != 0;
	}
	uint64_t pg = tpage(d);
	/* Whole pages inside the section only; computed without wrapping
	 * (QEMU uses 128-bit arithmetic for the end). */
	uint64_t lo = s->gpa & (pg - 1) ? (s->gpa | (pg - 1)) + 1 : s->gpa;
	if (lo < s->gpa)
		return false; /* rounding up wrapped: no whole page */
	uint64_t end = s->gpa + s->size;
	bool end_wraps = end < s->gpa;
	uint64_t hi = end_wraps ? ~(uint64_t)0 & ~(pg - 1) : end & ~(pg - 1);
	if (lo >= hi && !end_wraps)
		return false;
	*iova = lo;
	*size = hi - lo;
	return *size != 0;
}

void vm_vdpa_begin(struct vm_vdpa *d, const struct vm_out *o)
{
	d->transactions++;
	if ((d->cfg.bugs & VM_BUG_EAGER_BATCH) && d->cfg.iotlb_batch)
		vm_emit_iotlb(o, VDPA_IOTLB_BATCH_BEGIN, 0, 0, 0, 0);
}

static void begin_once(struct vm_vdpa *d, const struct vm_out *o)
{
	if (d->cfg.bugs & VM_BUG_EAGER_BATCH)
		return;
	if (d->cfg.iotlb_batch && !d->batch_begin_sent)
		vm_emit_iotlb(o, VDPA_IOTLB_BATCH_BEGIN, 0, 0, 0, 0);
	d->batch_begin_sent = true;
}

void vm_vdpa_region(struct vm_vdpa *d, bool add, const struct vc_mem_section *s, const struct vm_out *o)
{
	memset(&d->last, 0, sizeof d->last);
	const unsigned bugs = d->cfg.bugs;
	if (vm_vdpa_skipped(s) && !(bugs & VM_BUG_MAP_ALL)) {
		d->last.action = VC_MEMR_SKIPPED;
		return;
	}
	uint64_t pm = tpage(d) - 1;
	if ((s->gpa & pm) != (s->offset & pm) && !(bugs & VM_BUG_NO_UNALIGNED_CHECK)) {
		/* The IOVA and the host address would sit at different offsets
		 * in their pages: no page mapping can express that. */
		d->last.action = VC_MEMR_UNALIGNED;
		vm_emit_report(o, VC_MEMR_UNALIGNED, s->name, s->gpa, s->size, s->hva, 0);
		return;
	}
	uint64_t iova, size;
	if (!vm_vdpa_range(d, s, &iova, &size)) {
		d->last.action = -1;
		return;
	}
	d->last.iova = iova;
	d->last.size = size;
	d->last.uaddr = s->hva + (iova - s->gpa);
	begin_once(d, o);
	if (add)
		vm_emit_iotlb(o, VDPA_IOTLB_UPDATE, iova, size, d->last.uaddr,
			      (s->flags & VC_MEMF_READONLY) ? VDPA_ACCESS_RO : VDPA_ACCESS_RW);
	else
		vm_emit_iotlb(o, VDPA_IOTLB_INVALIDATE, iova, size, 0, 0);
}

void vm_vdpa_commit(struct vm_vdpa *d, const struct vm_out *o)
{
	if (!d->cfg.iotlb_batch)
		return;
	if (d->cfg.bugs & VM_BUG_EAGER_BATCH) {
		vm_emit_iotlb(o, VDPA_IOTLB_BATCH_END, 0, 0, 0, 0);
		return;
	}
	if (!d->batch_begin_sent)
		return;
	vm_emit_iotlb(o, VDPA_IOTLB_BATCH_END, 0, 0, 0, 0);
	d->batch_begin_sent = false;
}
