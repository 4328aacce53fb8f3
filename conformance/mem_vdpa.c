/* MEM-* rules on vhost-vdpa listeners: the IOTLB messages a section
 * should make, against the reference listener (lib/model), and the
 * differential check of QEMU's recorded decisions (see mem_rules.c). */
#include "conformance/mem_priv.h"
#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static size_t map_hash(uint64_t k, size_t cap)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static void map_put(struct map *m, uint64_t k, uint64_t iova, uint64_t size);

static void map_rebuild(struct map *m, size_t cap)
{
	struct map o = *m;
	m->cap = cap;
	m->used = m->dead = 0;
	m->key = xcalloc(cap, sizeof *m->key);
	m->iova = xcalloc(cap, sizeof *m->iova);
	m->size = xcalloc(cap, sizeof *m->size);
	m->st = xcalloc(cap, 1);
	for (size_t i = 0; i < o.cap; i++)
		if (o.st[i] == 1)
			map_put(m, o.key[i], o.iova[i], o.size[i]);
	free(o.key);
	free(o.iova);
	free(o.size);
	free(o.st);
}

static ptrdiff_t map_find(const struct map *m, uint64_t k)
{
	if (!m->cap)
		return -1;
	for (size_t i = map_hash(k, m->cap), n = 0; n < m->cap; i = (i + 1) & (m->cap - 1), n++) {
		if (m->st[i] == 0)
			return -1;
		if (m->st[i] == 1 && m->key[i] == k)
			return (ptrdiff_t)i;
	}
	return -1;
}

static void map_put(struct map *m, uint64_t k, uint64_t iova, uint64_t size)
{
	if ((m->used + m->dead + 1) * 2 > m->cap)
		map_rebuild(m, m->cap && m->used * 4 < m->cap ? m->cap : (m->cap ? m->cap * 2 : 64));
	ptrdiff_t f = map_find(m, k);
	size_t i = f >= 0 ? (size_t)f : map_hash(k, m->cap);
	if (f < 0) {
		while (m->st[i] == 1)
			i = (i + 1) & (m->cap - 1);
		if (m->st[i] == 2)
			m->dead--;
		m->used++;
	}
	m->st[i] = 1;
	m->key[i] = k;
	m->iova[i] = iova;
	m->size[i] = size;
}

static void map_del(struct map *m, size_t i)
{
	m->st[i] = 2;
	m->used--;
	m->dead++;
}

void mem_map_free(struct map *m)
{
	free(m->key);
	free(m->iova);
	free(m->size);
	free(m->st);
}

/* ---- vdpa ---- */

void mem_on_iotlb(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_vdpa_iotlb *t = &c->ev->u.iotlb;
	switch (t->type) {
	case VDPA_IOTLB_BATCH_BEGIN:
		if (m->begins)
			vc_fail(c, VC_R_MEM_10, "a second BATCH_BEGIN in one transaction");
		m->begins++;
		m->batch_open = true;
		m->since_begin = 0;
		if (m->txn_open && !m->cur_valid)
			/* Nothing to map yet: the fixed listener waits for an update. */
			m->since_begin = 0;
		return;
	case VDPA_IOTLB_BATCH_END:
		if (!m->batch_open)
			vc_fail(c, VC_R_MEM_10, "BATCH_END without BATCH_BEGIN");
		else
			vc_expect(c, VC_R_MEM_10, m->since_begin > 0,
				  "empty IOTLB batch: BATCH_BEGIN then BATCH_END with no UPDATE/INVALIDATE (pre-fix QEMU, bug B16)");
		m->batch_open = false;
		return;
	case VDPA_IOTLB_UPDATE:
	case VDPA_IOTLB_INVALIDATE:
		break;
	default:
		return;
	}
	m->updates++;
	m->since_begin++;
	if (m->cfg.iotlb_batch && m->txn_open && !m->batch_open)
		vc_fail(c, VC_R_MEM_10, "%s outside a batch although IOTLB_BATCH is negotiated",
			vdpa_iotlb_type_name(t->type));
	bool upd = t->type == VDPA_IOTLB_UPDATE;
	uint64_t pm = tpage(m) - 1;
	bool aligned = !(t->iova & pm) && !(t->size & pm);
	vc_expect(c, VC_R_MEM_09, aligned, "%s iova 0x%" PRIx64 " size 0x%" PRIx64 " is not aligned to the %" PRIu64 "-byte page",
		  vdpa_iotlb_type_name(t->type), t->iova, t->size, pm + 1);
	if (!m->cur_valid)
		return;
	const struct vc_mem_section *s = &m->cur;
	if (upd) {
		const char *why = !(s->flags & (VC_MEMF_RAM | VC_MEMF_IOMMU)) ? "not RAM"
			: (s->flags & VC_MEMF_RAM_DEVICE) ? "a ram_device (MMIO) region, bug B17"
			: "at an address with bit 63 set (64-bit BAR sizing)";
		vc_expect(c, VC_R_MEM_07, m->cur_exp.action != VC_MEMR_SKIPPED,
			  "UPDATE maps section '%.64s' at 0x%" PRIx64 ", which is %s", s->name, s->gpa, why);
		vc_expect(c, VC_R_MEM_08, m->cur_exp.action != VC_MEMR_UNALIGNED,
			  "UPDATE maps section '%.64s' whose address (0x%" PRIx64 ") and region offset (0x%" PRIx64 ") differ within a page",
			  s->name, s->gpa, s->offset);
		if (m->cur_add)
			map_put(&m->map, s->gpa, t->iova, t->size);
		return;
	}
	if (m->cur_add)
		return;
	ptrdiff_t k = map_find(&m->map, s->gpa);
	if (k >= 0) {
		vc_expect(c, VC_R_MEM_09, m->map.iova[k] == t->iova && m->map.size[k] == t->size,
			  "region_del of '%.64s' invalidates 0x%" PRIx64 " + 0x%" PRIx64 " but region_add mapped 0x%" PRIx64 " + 0x%" PRIx64,
			  s->name, t->iova, t->size, m->map.iova[k], m->map.size[k]);
		map_del(&m->map, (size_t)k);
	}
}

void mem_on_region_vdpa(struct vc_ctx *c, struct mem_state *m)
{
	(void)c;
	const struct vc_event *ev = c->ev;
	if (ev->u.mem_region.op == VC_MEM_NOP) {
		m->cur_valid = false;
		return;
	}
	m->cur = ev->u.mem_region.s;
	m->cur_add = ev->u.mem_region.op == VC_MEM_ADD;
	m->cur_valid = true;
	vm_vdpa_region(&m->refd, m->cur_add, &m->cur, NULL);
	m->cur_exp = m->refd.last;
	/* A correctly skipped or refused section passes MEM-07 / MEM-08 unless
	 * an UPDATE for it follows. */
	if (m->cur_exp.action == VC_MEMR_SKIPPED && m->cur_add)
		vc_ok(c, VC_R_MEM_07);
	if (m->cur_exp.action == VC_MEMR_UNALIGNED && m->cur_add)
		vc_ok(c, VC_R_MEM_08);
}

/* ---- vdpa, differential: QEMU's recorded decisions (QEMU trace logs) ---- */

void mem_diff_region(struct mem_state *m, const struct vc_event *ev)
{
	if (ev->u.mem_region.op == VC_MEM_NOP) {
		m->dv.sec = false;
		return;
	}
	m->dv.sec = true;
	m->dv.add = ev->u.mem_region.op == VC_MEM_ADD;
	m->dv.s = ev->u.mem_region.s;
	m->dv.line = ev->src.line;
	vm_vdpa_region(&m->refd, m->dv.add, &m->dv.s, NULL);
	m->dv.exp = m->refd.last;
}

/* QEMU sent an UPDATE / INVALIDATE: it must sit inside a batch when the
 * log shows batching (BATCH_BEGIN before the transaction's first update). */
static void diff_update(struct vc_ctx *c, struct mem_state *m, const struct vc_mem_report *r)
{
	m->dv.updates++;
	if (!m->cfg.iotlb_batch || m->dv.begins || m->dv.flagged)
		return;
	m->dv.flagged = true;
	vc_fail(c, VC_R_MEM_10,
		"differential: QEMU sent %s 0x%" PRIx64 " + 0x%" PRIx64 " with no BATCH_BEGIN before it in its transaction although the log shows IOTLB batching; the model sends BATCH_BEGIN before the first update",
		r->code == VC_MEMR_VDPA_MAP ? "UPDATE" : "INVALIDATE", r->gpa, r->size);
}

static void diff_decision(struct vc_ctx *c, struct mem_state *m, const struct vc_mem_report *r)
{
	bool sent = r->code != VC_MEMR_VDPA_NONE;
	bool map = r->code == VC_MEMR_VDPA_MAP;
	if (sent)
		diff_update(c, m, r);
	if (!m->dv.sec)
		return; /* a record with no traced section: nothing to compare */
	m->dv.sec = false;
	const struct vc_mem_section *s = &m->dv.s;
	const struct vm_vdpa_last *e = &m->dv.exp;
	const bool add = m->dv.add;
	const char *line_kind = add ? "region_add" : "region_del";
	const char *msg_kind = add ? "UPDATE" : "INVALIDATE";
	uint64_t ln = m->dv.line;
	char sec[160], did[96];
	snprintf(sec, sizeof sec, "the %s of line %" PRIu64 " (iova 0x%" PRIx64 " llend 0x%" PRIx64 ")", line_kind,
		 ln, s->gpa, s->gpa + s->size);
	snprintf(did, sizeof did, "%s 0x%" PRIx64 " + 0x%" PRIx64, msg_kind, r->gpa, r->size);
	if (sent && map != add) {
		vc_fail(c, VC_R_MEM_09, "differential: QEMU sent %s for %s; the model sends %s", did, sec,
			add ? "UPDATE" : "INVALIDATE");
		return;
	}
	if (e->action == VC_MEMR_SKIPPED) {
		vc_expect(c, VC_R_MEM_07, !sent,
			  "differential: QEMU sent %s for %s, a section at an address with bit 63 set (64-bit BAR sizing); the model never %s such a section",
			  did, sec, add ? "maps" : "maps nor unmaps");
		return;
	}
	if (e->action == VC_MEMR_UNALIGNED) {
		vc_expect(c, VC_R_MEM_08, !sent,
			  "differential: QEMU sent %s for %s, whose address and region offset differ within a page; the model refuses the section",
			  did, sec);
		return;
	}
	if (e->action != 0) {
		vc_expect(c, VC_R_MEM_09, !sent,
			  "differential: QEMU sent %s for %s, which holds no whole page; the model sends nothing for it", did,
			  sec);
		return;
	}
	if (!sent) {
		vc_fail(c, VC_R_MEM_09, "differential: QEMU sent nothing for %s; the model sends %s 0x%" PRIx64 " + 0x%" PRIx64,
			sec, msg_kind, e->iova, e->size);
		return;
	}
	uint8_t perm = (s->flags & VC_MEMF_READONLY) ? VDPA_ACCESS_RO : VDPA_ACCESS_RW;
	if (r->gpa != e->iova || r->size != e->size) {
		vc_fail(c, VC_R_MEM_09, "differential: QEMU sent %s for %s; the model sends the section's whole pages, 0x%" PRIx64 " + 0x%" PRIx64,
			did, sec, e->iova, e->size);
	} else if (add && r->hva != e->uaddr) {
		vc_fail(c, VC_R_MEM_09, "differential: QEMU sent %s at host address 0x%" PRIx64 " for %s; the model maps it at the traced vaddr 0x%" PRIx64,
			did, r->hva, sec, e->uaddr);
	} else if (add && r->value != perm) {
		vc_fail(c, VC_R_MEM_09, "differential: QEMU sent %s with perm 0x%" PRIx64 " for %s, traced %s; the model maps it with perm 0x%x",
			did, r->value, sec, perm == VDPA_ACCESS_RO ? "read-only" : "read-write", perm);
	} else if (add) {
		map_put(&m->map, r->gpa, r->gpa, r->size);
		vc_ok(c, VC_R_MEM_09);
	} else {
		/* region_del unmaps exactly what region_add mapped */
		ptrdiff_t k = map_find(&m->map, r->gpa);
		if (k >= 0) {
			vc_expect(c, VC_R_MEM_09, m->map.size[k] == r->size,
				  "differential: QEMU sent %s for %s but mapped 0x%" PRIx64 " + 0x%" PRIx64 " for the section's region_add; the model unmaps what it mapped",
				  did, sec, m->map.iova[k], m->map.size[k]);
			map_del(&m->map, (size_t)k);
		} else {
			vc_ok(c, VC_R_MEM_09);
		}
	}
}

void mem_diff_report(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_mem_report *r = &c->ev->u.mem_report;
	switch (r->code) {
	case VC_MEMR_VDPA_MAP:
	case VC_MEMR_VDPA_UNMAP:
	case VC_MEMR_VDPA_NONE:
		diff_decision(c, m, r);
		break;
	case VC_MEMR_VDPA_BATCH_BEGIN:
		if (m->dv.begins++ == 0) {
			m->dv.begin_line = c->ev->src.line;
		} else if (!m->dv.flagged) {
			m->dv.flagged = true;
			vc_fail(c, VC_R_MEM_10, "differential: QEMU sent a second BATCH_BEGIN in one transaction (the first at line %" PRIu64 "); the model sends one",
				m->dv.begin_line);
		}
		break;
	case VC_MEMR_VDPA_BATCH_END:
		m->dv.end = true;
		break;
	default:
		break;
	}
}

void mem_diff_commit(struct vc_ctx *c, struct mem_state *m)
{
	vm_vdpa_commit(&m->refd, NULL);
	m->dv.sec = false;
	if (!c->ev->u.mem_commit.has_decision || !m->cfg.iotlb_batch || m->dv.flagged)
		return;
	if (m->dv.begins && !m->dv.updates)
		vc_fail(c, VC_R_MEM_10, "differential: QEMU sent BATCH_BEGIN (line %" PRIu64 ") and BATCH_END with no UPDATE or INVALIDATE between them; the model sends no batch for a transaction that maps and unmaps nothing (bug B16)",
			m->dv.begin_line);
	else if (m->dv.end && !m->dv.begins)
		vc_fail(c, VC_R_MEM_10, "differential: QEMU sent BATCH_END for a transaction with no BATCH_BEGIN; the model ends only a batch it began");
	else if (m->dv.begins && !m->dv.end)
		vc_fail(c, VC_R_MEM_10, "differential: QEMU committed with its batch (BATCH_BEGIN at line %" PRIu64 ") still open; the model sends BATCH_END at commit",
			m->dv.begin_line);
	else
		vc_ok(c, VC_R_MEM_10);
}
