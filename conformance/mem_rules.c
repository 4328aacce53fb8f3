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
#include "conformance/mem_priv.h"
#include "vcts/model.h"
#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const part_names[3] = { "descriptor table", "available ring", "used ring" };

void mem_free(void *p)
{
	struct mem_state *m = p;
	if (!m)
		return;
	vm_vhost_free(&m->ref);
	mem_map_free(&m->map);
	free(m);
}

static struct mem_state *state(struct vc_ctx *c, bool create)
{
	void **slot = vc_family_state(c);
	if (!*slot && create)
		*slot = xcalloc(1, sizeof(struct mem_state));
	return *slot;
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

/* ---- dispatch ---- */

static void begin(struct vc_ctx *c, struct mem_state *m)
{
	const struct vc_mem_begin *b = &c->ev->u.mem_begin;
	/* The page is a mask here and in the model: a recording's page that
	 * is not a power of two in 4K..1G (scenario.c's bound) is not
	 * guessed at; the listener is not judged until a begin with one. */
	const uint32_t pg = b->target_page;
	if (pg && (pg < 4096 || (pg & (pg - 1)) || pg > (1u << 30))) {
		m->active = false;
		return;
	}
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
			mem_diff_region(m, ev);
		else if (m->vdpa)
			mem_on_region_vdpa(c, m);
		else
			on_region_vhost(c, m);
		break;
	case VC_EV_MEM_COMMIT:
		if (m->vdpa && m->cfg.decisions) {
			mem_diff_commit(c, m);
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
			mem_diff_report(c, m);
		break;
	case VC_EV_VDPA_IOTLB:
		/* A session with recorded decisions has no messages of its own. */
		if (m->vdpa && !m->cfg.decisions)
			mem_on_iotlb(c, m);
		break;
	case VC_EV_VU_MSG:
		if (m->vdpa || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
			break;
		if (ev->u.vu.request == VU_SET_MEM_TABLE && !vu_state_is_postcopy_ack(c->st, ev))
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
