/* The generic vhost memory listener model (QEMU hw/virtio/vhost.c
 * behaviour): section filter, page rounding for vhost-user, merging of
 * adjacent sections of one block, overlap errors, commit change detection,
 * the memory table and its slot limit, ring verification for a started
 * device, and the dirty log's size and resize order. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "lib/xalloc.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

#include <stdlib.h>
#include <string.h>

/* Features the modelled device offers: enough for dirty logging. */
#define VM_DEV_FEATURES (VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_LOG_ALL))
#define VM_ACKED_FEATURES VU_BIT(VU_F_VERSION_1)

int vm_vhost_filter(const struct vc_mem_section *s)
{
	if (!(s->flags & VC_MEMF_RAM) || (s->flags & VC_MEMF_ROM))
		return 3;
	/* Only migration logging (handled by the vhost log) and TCG's code
	 * tracking may be on; anything else (VGA) needs QEMU to see writes. */
	if (s->dirty_mask & ~(VC_MEM_DIRTY_MIGRATION | VC_MEM_DIRTY_CODE))
		return 1;
	return 0;
}

uint32_t vm_vhost_slots(const struct vm_vhost *v)
{
	if (v->cfg.slots)
		return v->cfg.slots;
	switch (v->cfg.backend) {
	case VC_MEMB_VHOST_USER: return VM_SLOTS_VHOST_USER;
	case VC_MEMB_VHOST_KERNEL: return VM_SLOTS_VHOST_KERNEL;
	default: return UINT32_MAX;
	}
}

void vm_vhost_init(struct vm_vhost *v, const struct vm_listener_cfg *cfg)
{
	memset(v, 0, sizeof *v);
	v->cfg = *cfg;
}

void vm_vhost_free(struct vm_vhost *v)
{
	free(v->cur);
	free(v->tmp);
	memset(v, 0, sizeof *v);
}

uint64_t vm_log_chunks(const struct vu_region_pl *r, size_t n)
{
	uint64_t chunks = 0;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].size)
			continue;
		uint64_t last = r[i].gpa + r[i].size - 1;
		uint64_t c = last / VM_LOG_CHUNK_BYTES + 1;
		if (c > chunks)
			chunks = c;
	}
	return chunks;
}

static void region_of(const struct vm_sec *s, struct vu_region_pl *r)
{
	r->gpa = s->s.gpa;
	r->size = s->s.size;
	r->uva = s->base + s->s.offset;
	/* Memory backends map their file from offset 0. */
	r->mmap_offset = s->s.offset;
}

size_t vm_vhost_table(const struct vm_vhost *v, struct vu_region_pl *out, size_t max)
{
	size_t n = v->ncur < max ? v->ncur : max;
	for (size_t i = 0; i < n; i++)
		region_of(&v->cur[i], &out[i]);
	return v->ncur;
}

void vm_vhost_connect(struct vm_vhost *v, const struct vm_out *o)
{
	if (v->cfg.backend != VC_MEMB_VHOST_USER)
		return;
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_GET_FEATURES, 0, NULL, 0, 0, NULL);
	uint8_t p[8];
	vu_wr64(p, VM_DEV_FEATURES);
	vm_emit_vu(o, VC_DIR_BE_TO_FE, VU_GET_FEATURES, VU_FLAG_REPLY, p, 8, 0, NULL);
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_OWNER, 0, NULL, 0, 0, NULL);
}

void vm_vhost_begin(struct vm_vhost *v)
{
	v->ntmp = 0;
	v->transactions++;
}

static void add_tmp(struct vm_vhost *v, const struct vc_mem_section *s)
{
	v->tmp = xgrow(v->tmp, &v->cap_tmp, v->ntmp + 1, sizeof *v->tmp);
	struct vm_sec *t = &v->tmp[v->ntmp++];
	t->s = *s;
	t->base = s->hva - s->offset;
}

static bool same_region(const struct vm_sec *p, const struct vc_mem_section *s)
{
	return p->base == s->hva - s->offset && strncmp(p->s.name, s->name, sizeof s->name) == 0;
}

void vm_vhost_addnop(struct vm_vhost *v, const struct vc_mem_section *s, const struct vm_out *o)
{
	memset(&v->last, 0, sizeof v->last);
	if (v->dead)
		return;
	const unsigned bugs = v->cfg.bugs;
	int why = vm_vhost_filter(s);
	/* vhost-user can only share memory that has a file behind it. */
	if (!why && v->cfg.backend == VC_MEMB_VHOST_USER && !s->fd_ident)
		why = 2;
	if (why && !(bugs & VM_BUG_NO_FILTER)) {
		v->last.rejected = true;
		v->last.reject_reason = why;
		return;
	}
	uint64_t gpa = s->gpa, size = s->size, host = s->hva;
	if (v->cfg.backend == VC_MEMB_VHOST_USER && !(bugs & VM_BUG_NO_ROUND)) {
		/* The start goes down to its page, the size up to whole pages:
		 * back-ends mmap whole pages, and sections split inside a page
		 * must still meet. */
		uint64_t page = vm_page(s);
		uint64_t a = host & (page - 1);
		host -= a;
		size += a;
		gpa -= a;
		a = size & (page - 1);
		if (a)
			size += page - a;
	}
	v->last.r_gpa = gpa;
	v->last.r_size = size;
	v->last.r_hva = host;
	if (v->ntmp && !(bugs & VM_BUG_NO_MERGE)) {
		struct vm_sec *p = &v->tmp[v->ntmp - 1];
		uint64_t pg = p->s.gpa, ps = p->s.size;
		uint64_t pg_last = pg + ps - 1;
		uint64_t ph = p->base + p->s.offset;
		uint64_t ph_last = ph + ps - 1;
		if (gpa <= pg_last + 1) {
			/* Touching or overlapping the previous section (the flat view
			 * has no overlaps: rounding made them meet). */
			if (gpa < pg) {
				v->last.error = VC_MEMR_BEFORE_PREV;
				vm_emit_report(o, VC_MEMR_BEFORE_PREV, s->name, gpa, size, host, pg);
				return;
			}
			uint64_t off = gpa - pg;
			bool can_merge = v->cfg.backend != VC_MEMB_VHOST_USER ||
					 p->s.fd_ident == s->fd_ident;
			if (ph + off == host && same_region(p, s) && can_merge) {
				/* QEMU takes the larger of the previous inclusive end and
				 * this exclusive end: kept as it is, it decides sizes. */
				uint64_t end = ph_last > host + size ? ph_last : host + size;
				uint64_t start = ph < host ? ph : host;
				p->s.gpa = pg < gpa ? pg : gpa;
				p->s.offset = start - p->base;
				p->s.size = end - start;
				v->last.merged = true;
				v->last.m_gpa = p->s.gpa;
				v->last.m_size = p->s.size;
				v->last.m_owr = p->s.offset;
				return;
			}
			if (gpa != pg_last + 1 && !(bugs & VM_BUG_NO_OVERLAP_CHECK)) {
				v->last.error = VC_MEMR_OVERLAP;
				vm_emit_report(o, VC_MEMR_OVERLAP, s->name, gpa, size, host, pg);
				return;
			}
		}
	}
	/* QEMU keeps the section as the memory API gave it (unrounded);
	 * rounding only decides merges. */
	add_tmp(v, s);
	v->last.added = true;
}

static bool sec_eq(const struct vm_sec *a, const struct vm_sec *b)
{
	return a->s.gpa == b->s.gpa && a->s.size == b->s.size && a->s.offset == b->s.offset &&
	       a->base == b->base && (a->s.flags & VC_MEMF_READONLY) == (b->s.flags & VC_MEMF_READONLY) &&
	       strncmp(a->s.name, b->s.name, sizeof a->s.name) == 0;
}

/* QEMU's per-part check: a ring part that meets a region must lie wholly
 * in it (-ENOMEM) at the host address it had (-EBUSY). A part no region
 * meets is not noticed at all. Arithmetic wraps as QEMU's does. */
static int verify_part(uint64_t ring_hva, uint64_t ring_gpa, uint64_t ring_size, uint64_t reg_hva,
		       uint64_t reg_gpa, uint64_t reg_size)
{
	uint64_t ring_last = ring_gpa + ring_size - 1;
	uint64_t reg_last = reg_gpa + reg_size - 1;
	if (ring_last < reg_gpa || ring_gpa > reg_last)
		return 0;
	if (ring_last > reg_last)
		return VC_MEMR_RING_UNMAPPED;
	if (ring_hva != reg_hva + (ring_gpa - reg_gpa))
		return VC_MEMR_RING_RELOCATED;
	return 0;
}

int vm_vhost_verify(const struct vm_vhost *v, uint32_t *ring, uint32_t *part)
{
	for (size_t i = 0; i < v->ncur; i++) {
		struct vu_region_pl r;
		region_of(&v->cur[i], &r);
		for (uint32_t k = 0; k < VM_MAX_RINGS; k++) {
			const struct vm_ring *q = &v->rings[k];
			if (!q->started)
				continue;
			for (uint32_t p = 0; p < 3; p++) {
				int c = verify_part(q->hva[p], q->gpa[p], q->size[p], r.uva, r.gpa, r.size);
				if (c) {
					*ring = q->index;
					*part = p;
					return c;
				}
			}
		}
	}
	return 0;
}

static void send_table(struct vm_vhost *v, const struct vm_out *o)
{
	size_t n = v->ncur;
	size_t len = VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE * n;
	uint8_t *p = xcalloc(1, len);
	uint64_t *idents = xcalloc(n ? n : 1, sizeof *idents);
	struct vu_region_pl *r = xcalloc(n ? n : 1, sizeof *r);
	for (size_t i = 0; i < n; i++) {
		region_of(&v->cur[i], &r[i]);
		idents[i] = v->cur[i].s.fd_ident;
	}
	vu_enc_memtable(p, len, r, (uint32_t)n);
	free(r);
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_MEM_TABLE, 0, p, (uint32_t)len, (uint32_t)n, idents);
	free(idents);
	free(p);
}

static uint64_t table_chunks(const struct vm_vhost *v)
{
	uint64_t chunks = 0;
	for (size_t i = 0; i < v->ncur; i++) {
		const struct vm_sec *s = &v->cur[i];
		if (!s->s.size)
			continue;
		uint64_t c = (s->s.gpa + s->s.size - 1) / VM_LOG_CHUNK_BYTES + 1;
		if (c > chunks)
			chunks = c;
	}
	return chunks;
}

static void set_log_base(struct vm_vhost *v, uint64_t chunks, const struct vm_out *o)
{
	uint8_t p[16];
	vu_wr64(p, chunks * 8);
	vu_wr64(p + 8, 0);
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_LOG_BASE, 0, p, 16, 0, NULL);
	v->log_chunks = chunks;
}

static void set_features(struct vm_vhost *v, const struct vm_out *o)
{
	uint8_t p[8];
	vu_wr64(p, VM_ACKED_FEATURES | (v->log_enabled ? VU_BIT(VU_F_LOG_ALL) : 0));
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_FEATURES, 0, p, 8, 0, NULL);
}

static void set_addr(const struct vm_ring *q, bool log, const struct vm_out *o)
{
	uint8_t p[40];
	vu_wr32(p, q->index);
	vu_wr32(p + 4, log ? VU_VRING_F_LOG : 0);
	vu_wr64(p + 8, q->hva[0]);
	vu_wr64(p + 16, q->hva[2]);
	vu_wr64(p + 24, q->hva[1]);
	vu_wr64(p + 32, q->gpa[2]);
	vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_VRING_ADDR, 0, p, 40, 0, NULL);
}

void vm_vhost_commit(struct vm_vhost *v, const struct vm_out *o)
{
	memset(&v->last, 0, sizeof v->last);
	if (v->dead)
		return;
	bool changed = v->ntmp != v->ncur;
	for (size_t i = 0; !changed && i < v->ncur; i++)
		changed = !sec_eq(&v->cur[i], &v->tmp[i]);
	v->last.changed = changed;
	/* The new list becomes current; the old buffer is reused as scratch. */
	struct vm_sec *t = v->cur;
	size_t tc = v->cap_cur;
	v->cur = v->tmp;
	v->cap_cur = v->cap_tmp;
	v->ncur = v->ntmp;
	v->tmp = t;
	v->cap_tmp = tc;
	v->ntmp = 0;
	if (!changed && !(v->cfg.bugs & VM_BUG_ALWAYS_SEND))
		return;
	uint32_t limit = vm_vhost_slots(v);
	if (v->ncur > limit) {
		v->last.slots_exceeded = true;
		vm_emit_report(o, VC_MEMR_SLOTS, "", 0, limit, 0, v->ncur);
		if (!(v->cfg.bugs & VM_BUG_NO_SLOT_LIMIT))
			return;
	}
	if (!v->started)
		return;
	if (!(v->cfg.bugs & VM_BUG_NO_RING_VERIFY)) {
		uint32_t ring = 0, part = 0;
		int c = vm_vhost_verify(v, &ring, &part);
		if (c) {
			v->last.verify_failed = true;
			v->last.verify_code = c;
			v->last.verify_ring = ring;
			v->last.verify_part = part;
			struct vc_event ev;
			vm_event_init(&ev, VC_EV_MEM_REPORT);
			ev.u.mem_report.code = (uint8_t)c;
			ev.u.mem_report.ring = ring;
			ev.u.mem_report.part = part;
			vm_emit(o, &ev);
			/* QEMU aborts here: nothing more comes from this device. */
			v->dead = true;
			return;
		}
	}
	if (!v->log_enabled) {
		send_table(v, o);
		return;
	}
	uint64_t need = table_chunks(v);
	bool late = v->cfg.bugs & VM_BUG_LOG_LATE_GROW;
	if (v->log_chunks < need && !late)
		set_log_base(v, need + VM_LOG_BUFFER_CHUNKS, o);
	send_table(v, o);
	if (v->log_chunks < need && late)
		set_log_base(v, need + VM_LOG_BUFFER_CHUNKS, o);
	if (v->log_chunks > need + VM_LOG_BUFFER_CHUNKS)
		set_log_base(v, need, o);
}

void vm_vhost_log(struct vm_vhost *v, bool start, const struct vm_out *o)
{
	if (v->dead || start == v->log_enabled)
		return;
	if (!v->started) {
		v->log_enabled = start;
		return;
	}
	if (!start) {
		v->log_enabled = false;
		set_features(v, o);
		for (uint32_t k = 0; k < VM_MAX_RINGS; k++)
			if (v->rings[k].started)
				set_addr(&v->rings[k], false, o);
		v->log_chunks = 0;
		return;
	}
	/* The log exists before the device is told to write it. */
	set_log_base(v, table_chunks(v), o);
	v->log_enabled = true;
	set_features(v, o);
	for (uint32_t k = 0; k < VM_MAX_RINGS; k++)
		if (v->rings[k].started)
			set_addr(&v->rings[k], true, o);
}

static void ring_event(const struct vm_ring *q, bool start, const struct vm_out *o)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_RING);
	ev.u.mem_ring.index = q->index;
	ev.u.mem_ring.start = start;
	for (int p = 0; p < 3; p++) {
		ev.u.mem_ring.gpa[p] = q->gpa[p];
		ev.u.mem_ring.size[p] = q->size[p];
		ev.u.mem_ring.hva[p] = q->hva[p];
	}
	vm_emit(o, &ev);
}

void vm_vhost_start(struct vm_vhost *v, const struct vm_ring *rings, size_t n, const struct vm_out *o)
{
	if (v->dead || v->started)
		return;
	if (n > VM_MAX_RINGS)
		n = VM_MAX_RINGS;
	for (size_t i = 0; i < n; i++) {
		v->rings[i] = rings[i];
		v->rings[i].started = true;
		ring_event(&v->rings[i], true, o);
	}
	v->started = true;
	if (v->cfg.backend == VC_MEMB_VHOST_VDPA)
		return;
	set_features(v, o);
	send_table(v, o);
	for (size_t i = 0; i < n; i++) {
		const struct vm_ring *q = &v->rings[i];
		uint8_t p[8];
		/* The queue size follows from the descriptor table (16 bytes each). */
		vu_wr32(p, q->index);
		vu_wr32(p + 4, (uint32_t)(q->size[0] / 16));
		vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_VRING_NUM, 0, p, 8, 0, NULL);
		vu_wr32(p + 4, 0);
		vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_VRING_BASE, 0, p, 8, 0, NULL);
		set_addr(q, v->log_enabled, o);
		uint8_t f[8];
		vu_wr64(f, q->index);
		vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_VRING_KICK, 0, f, 8, 1, NULL);
		vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_SET_VRING_CALL, 0, f, 8, 1, NULL);
	}
	if (v->log_enabled)
		set_log_base(v, table_chunks(v), o);
}

void vm_vhost_stop(struct vm_vhost *v, const struct vm_out *o)
{
	if (v->dead || !v->started)
		return;
	for (uint32_t k = 0; k < VM_MAX_RINGS; k++) {
		struct vm_ring *q = &v->rings[k];
		if (!q->started)
			continue;
		if (v->cfg.backend != VC_MEMB_VHOST_VDPA) {
			uint8_t p[8];
			vu_wr32(p, q->index);
			vu_wr32(p + 4, 0);
			vm_emit_vu(o, VC_DIR_FE_TO_BE, VU_GET_VRING_BASE, 0, p, 8, 0, NULL);
			vm_emit_vu(o, VC_DIR_BE_TO_FE, VU_GET_VRING_BASE, VU_FLAG_REPLY, p, 8, 0, NULL);
		}
		q->started = false;
		ring_event(q, false, o);
	}
	v->started = false;
	v->log_chunks = 0;
}
