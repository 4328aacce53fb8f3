/* MEM-01..MEM-11: the memory-listener rules.
 *
 * A session is a memory-listener session once it shows a VC_EV_MEM_BEGIN.
 * The checker runs a reference listener (lib/model, faithful, no
 * variant) on the topology events (begin / region / commit / log / ring)
 * and judges what the listener under test did against it:
 *   - its messages: SET_MEM_TABLE / SET_LOG_BASE (vhost-user, as
 *     VC_EV_VU_MSG) and IOTLB messages (vhost-vdpa, VC_EV_VDPA_IOTLB);
 *   - its recorded decisions (VC_EV_MEM_REPORT, VC_EV_MEM_COMMIT with
 *     has_decision), when the source recorded them (QEMU trace logs):
 *     that is the differential check, and its findings say "differential".
 *     vhost-vdpa sessions with decisions (QEMU's vhost_vdpa_listener_* and
 *     vhost_vdpa_dma_* lines, lib/trace/qemu_vdpa_listener.c) carry no
 *     IOTLB events (the vhost-vdpa session of the same log has those, for
 *     the VDPA-* rules): each traced section is followed by one record of
 *     what QEMU sent for it (VC_MEMR_VDPA_MAP / _UNMAP / _NONE), compared
 *     with the reference's decision (MEM-07 a skipped section mapped,
 *     MEM-08 a refused one, MEM-09 a missing, extra or different
 *     UPDATE / INVALIDATE), and its batch records are held to the lazy
 *     batching the reference does, applied to QEMU's own updates (MEM-10),
 *     so a mapping difference is reported once, under its own rule.
 * Some rules are broken by the topology itself whatever the listener does
 * (MEM-03 overlap after rounding, MEM-05 ring left unmapped, MEM-11 too
 * many slots): those are judged on the reference's view at each commit.
 * The listener's output for a commit follows its VC_EV_MEM_COMMIT, so a
 * commit is settled when the next topology event (or the end) arrives. */
#include "conformance/check.h"
#include "vcts/model.h"
#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const part_names[3] = { "descriptor table", "available ring", "used ring" };

/* IOVA ranges mapped per section (keyed by the section's gpa), for
 * "region_del unmaps exactly what region_add mapped". Linear probing
 * with tombstones; grows and rebuilds as needed. */
struct map {
	uint64_t *key, *iova, *size;
	uint8_t *st;           /* 0 empty, 1 used, 2 deleted */
	size_t cap, used, dead;
};

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

static void map_free(struct map *m)
{
	free(m->key);
	free(m->iova);
	free(m->size);
	free(m->st);
}

struct mem_state {
	bool active;
	struct vc_mem_begin cfg;
	bool vdpa;
	struct vm_vhost ref;
	struct vm_vdpa refd;
	/* vhost: the commit whose output is being watched */
	bool window, win_changed;
	uint32_t win_tables;
	/* differential: what the reference decided for the last section */
	bool exp_active, exp_merge_seen;
	struct vm_vhost_last exp;
	char exp_name[VC_MEM_NAME_MAX];
	/* dirty log (MEM-06) */
	bool log_on, log_known;
	uint64_t log_bytes;
	uint64_t table_chunks;  /* of the last table sent */
	bool table_known;
	/* vdpa */
	bool cur_valid, cur_add;
	struct vc_mem_section cur;
	struct vm_vdpa_last cur_exp;
	struct map map;
	bool txn_open, batch_open;
	uint32_t begins;
	uint64_t updates, since_begin;
	/* vdpa differential (QEMU trace logs) */
	struct {
		bool sec;              /* a section awaits QEMU's decision record */
		bool add;
		struct vc_mem_section s;
		struct vm_vdpa_last exp; /* the reference's decision for it */
		uint64_t line;         /* of the section's region line */
		uint32_t begins;       /* QEMU's BATCH_BEGINs in this transaction */
		uint64_t begin_line;
		bool end;              /* QEMU's BATCH_END seen */
		uint64_t updates;      /* QEMU's UPDATE / INVALIDATE in this transaction */
		bool flagged;          /* MEM-10 already reported for this transaction */
	} dv;
};

void mem_free(void *p)
{
	struct mem_state *m = p;
	if (!m)
		return;
	vm_vhost_free(&m->ref);
	map_free(&m->map);
	free(m);
}

static struct mem_state *state(struct vc_ctx *c, bool create)
{
	void **slot = vc_family_state(c);
	if (!*slot && create)
		*slot = xcalloc(1, sizeof(struct mem_state));
	return *slot;
}

static uint64_t tpage(const struct mem_state *m)
{
	return m->cfg.target_page ? m->cfg.target_page : VM_DEFAULT_PAGE;
}

/* ---- vhost ---- */

static void settle_section(struct vc_ctx *c, struct mem_state *m)
{
	if (!m->exp_active)
		return;
	m->exp_active = false;
	if (m->exp.merged && !m->exp_merge_seen)
		vc_fail(c, VC_R_MEM_02,
			"differential: the model merges '%s' into the previous section (to 0x%" PRIx64 " + 0x%" PRIx64 "), QEMU did not",
			m->exp_name, m->exp.m_gpa, m->exp.m_size);
}

static void settle_commit(struct vc_ctx *c, struct mem_state *m)
{
	if (!m->window)
		return;
	m->window = false;
	if (!m->win_changed && !m->win_tables && !m->cfg.decisions)
		vc_ok(c, VC_R_MEM_04);
}

static void settle_txn(struct vc_ctx *c, struct mem_state *m)
{
	if (!m->txn_open)
		return;
	m->txn_open = false;
	if (m->batch_open)
		vc_fail(c, VC_R_MEM_10, "transaction ended with its IOTLB batch still open (no BATCH_END at commit)");
	else if (!m->updates && !m->begins)
		vc_ok(c, VC_R_MEM_10);
	m->batch_open = false;
}

/* The region of the reference table holding [gpa, gpa+len) wholly, or -1. */
static ptrdiff_t ref_region(const struct vm_vhost *v, uint64_t gpa, uint64_t len)
{
	size_t lo = 0, hi = v->ncur;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->cur[mid].s.gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	const struct vm_sec *s = &v->cur[lo - 1];
	if (gpa - s->s.gpa >= s->s.size || len > s->s.size - (gpa - s->s.gpa))
		return -1;
	return (ptrdiff_t)(lo - 1);
}

static void check_rings(struct vc_ctx *c, struct mem_state *m)
{
	const struct vm_vhost *v = &m->ref;
	uint32_t qr = 0, qp = 0;
	int q = vm_vhost_verify(v, &qr, &qp);
	for (uint32_t k = 0; k < VM_MAX_RINGS; k++) {
		const struct vm_ring *r = &v->rings[k];
		if (!r->started)
			continue;
		bool ok = true;
		for (uint32_t p = 0; p < 3 && ok; p++) {
			ptrdiff_t i = ref_region(v, r->gpa[p], r->size[p]);
			const char *qemu = q == VC_MEMR_RING_UNMAPPED ? "QEMU: \"Unable to map\", -ENOMEM, abort"
				: q == VC_MEMR_RING_RELOCATED ? "QEMU: \"relocated\", -EBUSY, abort"
				: "QEMU's vhost_verify_ring_mappings does not notice: no region meets the ring";
			if (i < 0) {
				vc_fail(c, VC_R_MEM_05, "commit leaves started ring %u's %s at gpa 0x%" PRIx64 " (+%" PRIu64 ") unmapped (%s)",
					r->index, part_names[p], r->gpa[p], r->size[p], qemu);
				ok = false;
				break;
			}
			const struct vm_sec *s = &v->cur[i];
			uint64_t hva = s->base + s->s.offset + (r->gpa[p] - s->s.gpa);
			if (hva != r->hva[p]) {
				vc_fail(c, VC_R_MEM_05, "commit relocates started ring %u's %s at gpa 0x%" PRIx64 " from host 0x%" PRIx64 " to 0x%" PRIx64 " (%s)",
					r->index, part_names[p], r->gpa[p], r->hva[p], hva,
					q ? qemu : "QEMU: \"relocated\", -EBUSY, abort");
				ok = false;
			}
		}
		if (ok)
			vc_ok(c, VC_R_MEM_05);
	}
}

static void on_commit_vhost(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_event *ev = c->ev;
	vm_vhost_commit(&m->ref, NULL);
	bool changed = m->ref.last.changed;
	/* QEMU also compares the sections' readonly and nonvolatile flags,
	 * which its trace lines do not carry (the BIOS flipping the PAM area
	 * between read-only and read-write changes only those): "changed"
	 * against a list that looks the same cannot be judged from a log. */
	if (ev->u.mem_commit.has_decision && !(ev->u.mem_commit.changed && !changed))
		vc_expect(c, VC_R_MEM_04, ev->u.mem_commit.changed == changed,
			  "differential: QEMU decided Changed: %d, the model %s", ev->u.mem_commit.changed,
			  changed ? "sees a changed section list" : "sees the same section list");
	m->window = true;
	m->win_changed = changed;
	m->win_tables = 0;
	if (!changed)
		return;
	if (m->cfg.slots)
		vc_expect(c, VC_R_MEM_11, m->ref.ncur <= m->cfg.slots,
			  "the memory table needs %zu regions but the device has %u memory slots%s", m->ref.ncur,
			  m->cfg.slots, m->cfg.backend == VC_MEMB_VHOST_USER ? " (vhost-user without CONFIGURE_MEM_SLOTS)" : "");
	if (m->ref.started)
		check_rings(c, m);
}

static void on_region_vhost(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_event *ev = c->ev;
	if (ev->u.mem_region.op == VC_MEM_DEL)
		return;
	const struct vc_mem_section *s = &ev->u.mem_region.s;
	vm_vhost_addnop(&m->ref, s, NULL);
	const struct vm_vhost_last *l = &m->ref.last;
	if (l->error == VC_MEMR_OVERLAP)
		vc_fail(c, VC_R_MEM_03, "section '%.64s' at 0x%" PRIx64 ", rounded to its page (0x%" PRIx64 " + 0x%" PRIx64 "), overlaps the previous section with different host memory (QEMU: \"Overlapping but not coherent sections\", left out of the table)",
			s->name, s->gpa, l->r_gpa, l->r_size);
	else if (l->error == VC_MEMR_BEFORE_PREV)
		vc_fail(c, VC_R_MEM_03, "section '%.64s' at 0x%" PRIx64 " is rounded to 0x%" PRIx64 ", before the previous section (QEMU: \"rounded to ... prior to previous\", left out of the table)",
			s->name, s->gpa, l->r_gpa);
	else if (!l->rejected)
		vc_ok(c, VC_R_MEM_03);
	if (m->cfg.decisions && !l->rejected) {
		m->exp_active = true;
		m->exp_merge_seen = false;
		m->exp = *l;
		snprintf(m->exp_name, sizeof m->exp_name, "%.63s", s->name);
	}
}

static void on_report_vhost(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_mem_report *r = &c->ev->u.mem_report;
	if (!m->cfg.decisions || !m->exp_active)
		return;
	if (r->code == VC_MEMR_ALIGNED) {
		vc_expect(c, VC_R_MEM_02, r->gpa == m->exp.r_gpa && r->size == m->exp.r_size && r->hva == m->exp.r_hva,
			  "differential: QEMU rounded '%.64s' to 0x%" PRIx64 " + 0x%" PRIx64 " @ 0x%" PRIx64 ", the model to 0x%" PRIx64 " + 0x%" PRIx64 " @ 0x%" PRIx64,
			  r->name, r->gpa, r->size, r->hva, m->exp.r_gpa, m->exp.r_size, m->exp.r_hva);
	} else if (r->code == VC_MEMR_MERGED) {
		m->exp_merge_seen = true;
		if (!m->exp.merged)
			vc_fail(c, VC_R_MEM_02, "differential: QEMU merged '%.64s' into the previous section (now 0x%" PRIx64 " + 0x%" PRIx64 "), the model does not merge it",
				r->name, r->gpa, r->size);
		else
			vc_expect(c, VC_R_MEM_02, r->gpa == m->exp.m_gpa && r->size == m->exp.m_size,
				  "differential: QEMU merged '%.64s' to 0x%" PRIx64 " + 0x%" PRIx64 ", the model to 0x%" PRIx64 " + 0x%" PRIx64,
				  r->name, r->gpa, r->size, m->exp.m_gpa, m->exp.m_size);
	}
}

static void on_table(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_vu_msg *msg = &c->ev->u.vu;
	uint32_t n, pad;
	if (!msg->has_payload || !vu_dec_memtable_hdr(msg->payload, msg->payload_len, &n, &pad))
		return;
	size_t have = (msg->payload_len - VU_MEM_TABLE_HDR) / VU_MEM_REGION_SIZE;
	if (n > have)
		n = (uint32_t)have;
	struct vu_region_pl *r = xcalloc(n ? n : 1, sizeof *r);
	for (uint32_t i = 0; i < n; i++)
		vu_dec_memtable_region(msg->payload, msg->payload_len, i, &r[i]);
	/* MEM-01: every region is memory the reference would share. */
	bool ok1 = true;
	for (uint32_t i = 0; i < n && ok1; i++) {
		ptrdiff_t k = ref_region(&m->ref, r[i].gpa, r[i].size);
		if (k < 0) {
			vc_fail(c, VC_R_MEM_01, "SET_MEM_TABLE region %u (gpa 0x%" PRIx64 " + 0x%" PRIx64 ") is memory a correct vhost listener leaves out of the table (ROM, MMIO, non-RAM, dirty-tracked or refused section)",
				i, r[i].gpa, r[i].size);
			ok1 = false;
		}
	}
	if (ok1)
		vc_ok(c, VC_R_MEM_01);
	/* MEM-02: exactly the reference's rounded and merged table. */
	if (m->cfg.backend == VC_MEMB_VHOST_USER) {
		struct vu_region_pl *want = xcalloc(m->ref.ncur ? m->ref.ncur : 1, sizeof *want);
		size_t nw = vm_vhost_table(&m->ref, want, m->ref.ncur);
		bool same = nw == n;
		uint32_t at = 0;
		for (; same && at < n; at++)
			same = r[at].gpa == want[at].gpa && r[at].size == want[at].size && r[at].uva == want[at].uva;
		if (same)
			vc_ok(c, VC_R_MEM_02);
		else if (nw != n)
			vc_fail(c, VC_R_MEM_02, "SET_MEM_TABLE has %u regions where rounding and merging give %zu", n, nw);
		else
			vc_fail(c, VC_R_MEM_02, "SET_MEM_TABLE region %u is 0x%" PRIx64 " + 0x%" PRIx64 " where rounding and merging give 0x%" PRIx64 " + 0x%" PRIx64,
				at - 1, r[at - 1].gpa, r[at - 1].size, want[at - 1].gpa, want[at - 1].size);
		free(want);
	}
	/* MEM-03: no overlap reaches the device. Tables come in address order;
	 * an out-of-order table is checked pairwise only when small. */
	bool ok3 = true;
	for (uint32_t i = 0; i + 1 < n && ok3; i++)
		if (r[i].gpa + r[i].size > r[i + 1].gpa && r[i + 1].gpa + r[i + 1].size > r[i].gpa) {
			vc_fail(c, VC_R_MEM_03, "SET_MEM_TABLE regions %u and %u overlap (0x%" PRIx64 " + 0x%" PRIx64 ", 0x%" PRIx64 "): sent silently",
				i, i + 1, r[i].gpa, r[i].size, r[i + 1].gpa);
			ok3 = false;
		}
	if (ok3)
		vc_ok(c, VC_R_MEM_03);
	if (m->window) {
		if (!m->win_changed && !m->win_tables)
			vc_fail(c, VC_R_MEM_04, "SET_MEM_TABLE sent for a commit that changed nothing (bug B15)");
		else if (m->win_changed)
			vc_ok(c, VC_R_MEM_04);
		m->win_tables++;
	}
	uint64_t chunks = vm_log_chunks(r, n);
	if (m->log_on && m->log_known && m->ref.started)
		vc_expect(c, VC_R_MEM_06, m->log_bytes >= chunks * 8,
			  "SET_MEM_TABLE reaching gpa 0x%" PRIx64 " needs a %" PRIu64 "-byte dirty log but the log in force has %" PRIu64 " bytes (grow the log first)",
			  chunks * VM_LOG_CHUNK_BYTES, chunks * 8, m->log_bytes);
	m->table_chunks = chunks;
	m->table_known = true;
	if (m->cfg.slots)
		vc_expect(c, VC_R_MEM_11, n <= m->cfg.slots, "SET_MEM_TABLE with %u regions; the device has %u memory slots",
			  n, m->cfg.slots);
	free(r);
}

static void on_log_base(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_vu_msg *msg = &c->ev->u.vu;
	struct vu_log_pl lg;
	if (!msg->has_payload || !vu_dec_log(msg->payload, msg->payload_len, &lg))
		return;
	if (m->log_on && m->log_known && m->table_known && m->ref.started)
		vc_expect(c, VC_R_MEM_06, lg.mmap_size >= m->table_chunks * 8,
			  "SET_LOG_BASE shrinks the dirty log to %" PRIu64 " bytes while the table in force needs %" PRIu64 " (shrink only after the smaller table)",
			  lg.mmap_size, m->table_chunks * 8);
	m->log_known = true;
	m->log_bytes = lg.mmap_size;
}

static void on_ring(struct mem_state *m, const struct vc_mem_ring *r)
{
	struct vm_vhost *v = &m->ref;
	ptrdiff_t slot = -1;
	for (uint32_t k = 0; k < VM_MAX_RINGS; k++)
		if (v->rings[k].started && v->rings[k].index == r->index)
			slot = k;
	if (slot < 0 && r->start)
		for (uint32_t k = 0; k < VM_MAX_RINGS && slot < 0; k++)
			if (!v->rings[k].started)
				slot = k;
	if (slot < 0)
		return;
	struct vm_ring *q = &v->rings[slot];
	q->started = r->start;
	q->index = r->index;
	for (int p = 0; p < 3; p++) {
		q->gpa[p] = r->gpa[p];
		q->size[p] = r->size[p];
		q->hva[p] = r->hva[p];
	}
	v->started = false;
	for (uint32_t k = 0; k < VM_MAX_RINGS; k++)
		v->started |= v->rings[k].started;
}

/* ---- vdpa ---- */

static void on_iotlb(struct vc_ctx *c, struct mem_state *m)
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

static void on_region_vdpa(struct vc_ctx *c, struct mem_state *m)
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

static void diff_region(struct mem_state *m, const struct vc_event *ev)
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

static void diff_report(struct vc_ctx *c, struct mem_state *m)
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

static void diff_commit(struct vc_ctx *c, struct mem_state *m)
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

/* ---- dispatch ---- */

static void begin(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_mem_begin *b = &c->ev->u.mem_begin;
	bool same = m->active && m->cfg.backend == b->backend && m->cfg.iotlb_batch == b->iotlb_batch &&
		    m->cfg.slots == b->slots && m->cfg.target_page == b->target_page &&
		    m->cfg.decisions == b->decisions;
	if (!same) {
		/* The reference verifies rings itself (check_rings), stricter than
		 * QEMU; it must keep following the topology after a failure. */
		struct vm_listener_cfg cfg = {
			.backend = (enum vc_mem_backend)b->backend, .slots = b->slots,
			.iotlb_batch = b->iotlb_batch, .target_page = b->target_page,
			.bugs = VM_BUG_NO_RING_VERIFY,
		};
		vm_vhost_free(&m->ref);
		vm_vhost_init(&m->ref, &cfg);
		vm_vdpa_init(&m->refd, &cfg);
		m->cfg = *b;
		m->vdpa = b->backend == VC_MEMB_VHOST_VDPA;
		m->active = true;
	}
	if (m->vdpa && m->cfg.decisions) {
		memset(&m->dv, 0, sizeof m->dv);
		vm_vdpa_begin(&m->refd, NULL);
	} else if (m->vdpa) {
		settle_txn(c, m);
		vm_vdpa_begin(&m->refd, NULL);
		m->txn_open = true;
		m->begins = 0;
		m->updates = 0;
		m->batch_open = false;
		m->cur_valid = false;
	} else {
		vm_vhost_begin(&m->ref);
	}
}

void mem_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	uint8_t k = ev->kind;
	bool topo = k == VC_EV_MEM_BEGIN || k == VC_EV_MEM_REGION || k == VC_EV_MEM_COMMIT ||
		    k == VC_EV_MEM_LOG || k == VC_EV_MEM_RING;
	struct mem_state *m = state(c, k == VC_EV_MEM_BEGIN);
	if (!m || (!m->active && k != VC_EV_MEM_BEGIN))
		return;
	if (topo) {
		settle_section(c, m);
		settle_commit(c, m);
	}
	switch (k) {
	case VC_EV_MEM_BEGIN:
		begin(c, m);
		break;
	case VC_EV_MEM_REGION:
		if (m->vdpa && m->cfg.decisions)
			diff_region(m, ev);
		else if (m->vdpa)
			on_region_vdpa(c, m);
		else
			on_region_vhost(c, m);
		break;
	case VC_EV_MEM_COMMIT:
		if (m->vdpa && m->cfg.decisions) {
			diff_commit(c, m);
		} else if (m->vdpa) {
			vm_vdpa_commit(&m->refd, NULL);
			m->cur_valid = false;
		} else {
			on_commit_vhost(c, m);
		}
		break;
	case VC_EV_MEM_LOG:
		m->log_on = ev->u.mem_log.start;
		if (!m->log_on)
			m->log_known = false;
		break;
	case VC_EV_MEM_RING:
		on_ring(m, &ev->u.mem_ring);
		/* A stopped device drops its log; a starting one sends its table
		 * before the new log (QEMU's vhost_dev_start order). */
		if (!m->ref.started || ev->u.mem_ring.start)
			m->log_known = false;
		break;
	case VC_EV_MEM_REPORT:
		if (!m->vdpa)
			on_report_vhost(c, m);
		else if (m->cfg.decisions)
			diff_report(c, m);
		break;
	case VC_EV_VDPA_IOTLB:
		/* A session with recorded decisions has no messages of its own. */
		if (m->vdpa && !m->cfg.decisions)
			on_iotlb(c, m);
		break;
	case VC_EV_VU_MSG:
		if (m->vdpa || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
			break;
		if (ev->u.vu.request == VU_SET_MEM_TABLE)
			on_table(c, m);
		else if (ev->u.vu.request == VU_SET_LOG_BASE)
			on_log_base(c, m);
		break;
	default:
		break;
	}
}

void mem_end(struct vc_ctx *c)
{
	struct mem_state *m = state(c, false);
	if (!m || !m->active)
		return;
	settle_section(c, m);
	settle_commit(c, m);
	settle_txn(c, m);
}
