/* QEMU trace logs, vhost-vdpa memory-listener lines: what QEMU's
 * vhost-vdpa listener saw and what it sent, as one session per listener
 * (per `vdpa:` pointer), next to the vhost-vdpa session that
 * lib/trace/qemu_vdpa.c makes of the same lines' IOTLB messages.
 *
 * The lines (QEMU 7.2, hw/virtio/trace-events; a later QEMU adds asid):
 *   vhost_vdpa_listener_region_add vdpa: 0xP iova 0xI llend 0xE vaddr: 0xV read-only: 0|1
 *   vhost_vdpa_listener_region_del vdpa: 0xP iova 0xI llend 0xE
 *   vhost_vdpa_listener_begin_batch vdpa:0xP fd: N msg_type: 2 type: 5
 *   vhost_vdpa_dma_map vdpa:0xP fd: N msg_type: 2 iova: 0xI size: 0xS uaddr: 0xV perm: 0xM type: 2
 *   vhost_vdpa_dma_unmap vdpa:0xP fd: N msg_type: 2 iova: 0xI size: 0xS type: 3
 *   vhost_vdpa_listener_commit vdpa:0xP fd: N msg_type: 2 type: 6
 *
 * When QEMU 7.2 writes them (what its vhost-vdpa.c does):
 *   - region_add is traced only for a section it is about to map: skipped
 *     sections, sections misaligned within a page and sections holding no
 *     whole page leave no line. iova and llend are already the whole pages.
 *   - region_del is traced after the skip and alignment tests but before
 *     the emptiness test: a section holding no whole page is traced (llend
 *     may even be below iova) and then nothing is sent.
 *   - dma_map / dma_unmap follow their region line (begin_batch between
 *     them when this is the transaction's first update).
 *   - begin_batch is traced only when BATCH_BEGIN is written, commit only
 *     when BATCH_END is written: a transaction that sent nothing leaves no
 *     line at all, and without VHOST_BACKEND_F_IOTLB_BATCH neither line
 *     ever appears.
 *
 * So a transaction is what lies between two commit lines of one pointer
 * (transactions that sent nothing merge into the next one, which changes
 * no decision of a lazily batching listener). Each region line becomes a
 * VC_EV_MEM_REGION (gpa = iova, size = llend - iova or 0, host = vaddr,
 * RAM, readonly), followed by exactly one decision record: VC_MEMR_VDPA_MAP
 * (at its dma_map line), _UNMAP (at its dma_unmap line) or _NONE (at the
 * region line: nothing followed before the next listener line). Batch
 * lines become VC_MEMR_VDPA_BATCH_BEGIN / _END, a commit line also a
 * VC_EV_MEM_COMMIT with has_decision. conformance/mem_rules.c replays the
 * sections through the vhost-vdpa listener model and reports where QEMU
 * decided otherwise (findings start with "differential:").
 *
 * dma_map / dma_unmap lines that do not answer a region line (shadow
 * virtqueue and control-queue buffers, mapped outside the listener) are
 * not listener decisions: they are counted, not compared. Malformed lines
 * are skipped with a warning naming the line. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "lib/lines.h"
#include "lib/trace/qemu_log.h"
#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Listeners (vdpa pointers) followed per log; lines of others are skipped. */
#define QVL_MAX_LISTENERS 64

enum line_kind { L_NONE, L_ADD, L_DEL, L_BEGIN, L_MAP, L_UNMAP, L_COMMIT };
static const char *const line_names[] = {
	[L_NONE] = "?",
	[L_ADD] = "vhost_vdpa_listener_region_add",
	[L_DEL] = "vhost_vdpa_listener_region_del",
	[L_BEGIN] = "vhost_vdpa_listener_begin_batch",
	[L_MAP] = "vhost_vdpa_dma_map",
	[L_UNMAP] = "vhost_vdpa_dma_unmap",
	[L_COMMIT] = "vhost_vdpa_listener_commit",
};

struct vl {
	uint64_t ptr;
	bool batch;             /* the log shows batch lines for it */
	bool have_sid;
	uint32_t sid;
	bool txn;               /* a transaction is open (MEM_BEGIN emitted) */
	bool pend;              /* a region line awaits QEMU's decision */
	bool pend_add;
	bool pend_empty;        /* a region_del holding no whole page */
	uint64_t pend_line;
	bool held;              /* a begin_batch line held back while pend */
	uint64_t held_line;
};

struct qvl {
	struct vc_trace *t;
	struct vl ls[QVL_MAX_LISTENERS];
	size_t nls;
	uint64_t over;          /* lines of listeners beyond the limit */
	uint64_t unanswering;   /* dma lines that answer no region line */
	uint64_t last_line;
};

/* One parsed listener line. */
struct pline {
	enum line_kind kind;
	uint64_t ptr;
	uint64_t iova, end, size, uaddr, perm;
	bool ro;
};

static bool num(const char *s, size_t n, uint64_t *v)
{
	bool neg;
	return vc_qlog_int(s, n, &neg, v) == 0 && !neg;
}

static bool key_num(const struct vc_qlog_line *l, const char *key, uint64_t *v)
{
	const struct vc_qlog_arg *a = vc_qlog_find(l, key);
	return a && a->vlen && num(a->val, a->vlen, v);
}

/* "word 0xVAL": a lone token followed by a lone number. */
static bool word_num(const struct vc_qlog_line *l, const char *word, uint64_t *v)
{
	size_t wl = strlen(word);
	for (unsigned i = 0; i + 1 < l->nargs; i++) {
		const struct vc_qlog_arg *a = &l->arg[i], *b = &l->arg[i + 1];
		if (!a->klen && a->vlen == wl && !memcmp(a->val, word, wl))
			return !b->klen && num(b->val, b->vlen, v);
	}
	return false;
}

/* The message type a batch / dma line says, when it says one. */
static bool type_is(const struct vc_qlog_line *l, uint64_t want)
{
	uint64_t ty;
	const struct vc_qlog_arg *a = vc_qlog_find(l, "type");
	return !a || (num(a->val, a->vlen, &ty) && ty == want);
}

/* Kind of a vhost_vdpa_* line this importer reads (L_NONE for others);
 * false when it is one of them but malformed. */
static bool parse(const struct vc_qlog_line *l, struct pline *p)
{
	memset(p, 0, sizeof *p);
	for (unsigned k = L_ADD; k <= L_COMMIT && !p->kind; k++)
		if (vc_qlog_name_is(l, line_names[k]))
			p->kind = (enum line_kind)k;
	if (!p->kind)
		return true;
	if (l->args_truncated || !key_num(l, "vdpa", &p->ptr))
		return false;
	switch (p->kind) {
	case L_ADD: {
		uint64_t ro;
		if (!word_num(l, "iova", &p->iova) || !word_num(l, "llend", &p->end) ||
		    !key_num(l, "vaddr", &p->uaddr) || !key_num(l, "read-only", &ro) || ro > 1)
			return false;
		p->ro = ro;
		/* QEMU traces a region_add only for a section holding whole
		 * pages: an empty or inverted range is not its line. */
		return p->end > p->iova;
	}
	case L_DEL:
		/* llend <= iova is QEMU's own empty section (traced before its
		 * emptiness test), not an error. */
		return word_num(l, "iova", &p->iova) && word_num(l, "llend", &p->end);
	case L_BEGIN:
		return type_is(l, VDPA_IOTLB_BATCH_BEGIN);
	case L_COMMIT:
		return type_is(l, VDPA_IOTLB_BATCH_END);
	case L_MAP:
		return type_is(l, VDPA_IOTLB_UPDATE) && key_num(l, "iova", &p->iova) &&
		       key_num(l, "size", &p->size) && key_num(l, "uaddr", &p->uaddr) &&
		       key_num(l, "perm", &p->perm) && p->perm <= 0xff;
	case L_UNMAP:
		return type_is(l, VDPA_IOTLB_INVALIDATE) && key_num(l, "iova", &p->iova) &&
		       key_num(l, "size", &p->size);
	default:
		return true;
	}
}

static struct vl *find(struct qvl *q, uint64_t ptr)
{
	for (size_t i = 0; i < q->nls; i++)
		if (q->ls[i].ptr == ptr)
			return &q->ls[i];
	return NULL;
}

static void emit(struct qvl *q, struct vl *v, struct vc_event *ev, uint64_t line)
{
	if (!v->have_sid) {
		char nm[VC_SESSION_NAME_MAX];
		snprintf(nm, sizeof nm, "QEMU vhost-vdpa memory listener vdpa:0x%" PRIx64, v->ptr);
		v->sid = vc_trace_add_session(q->t, VC_SIDE_FRONTEND, nm);
		v->have_sid = true;
	}
	ev->session = v->sid;
	ev->src.file = q->t->source;
	ev->src.line = line;
	vc_trace_add_event(q->t, ev);
}

static void report(struct qvl *q, struct vl *v, uint8_t code, uint64_t iova, uint64_t size, uint64_t uaddr,
		   uint64_t perm, uint64_t line)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_REPORT);
	ev.u.mem_report.code = code;
	ev.u.mem_report.gpa = iova;
	ev.u.mem_report.size = size;
	ev.u.mem_report.hva = uaddr;
	ev.u.mem_report.value = perm;
	emit(q, v, &ev, line);
}

static void open_txn(struct qvl *q, struct vl *v, uint64_t line)
{
	if (v->txn)
		return;
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_BEGIN);
	ev.u.mem_begin.backend = VC_MEMB_VHOST_VDPA;
	ev.u.mem_begin.iotlb_batch = v->batch;
	ev.u.mem_begin.decisions = true;
	emit(q, v, &ev, line);
	v->txn = true;
}

static void flush_held(struct qvl *q, struct vl *v)
{
	if (!v->held)
		return;
	v->held = false;
	report(q, v, VC_MEMR_VDPA_BATCH_BEGIN, 0, 0, 0, 0, v->held_line);
}

/* The pending section got no dma line: QEMU sent nothing for it. */
static void settle_none(struct qvl *q, struct vl *v)
{
	if (v->pend) {
		v->pend = false;
		report(q, v, VC_MEMR_VDPA_NONE, 0, 0, 0, 0, v->pend_line);
	}
	flush_held(q, v);
}

static void on_line(struct qvl *q, const struct pline *p, uint64_t ln)
{
	struct vl *v = find(q, p->ptr);
	if (!v) {
		/* Only listeners found by the first pass have sessions: a dma
		 * line of another pointer is not a listener's, unless that
		 * pointer was one too many. */
		if ((p->kind == L_MAP || p->kind == L_UNMAP) && q->nls < QVL_MAX_LISTENERS)
			q->unanswering++;
		else
			q->over++;
		return;
	}
	switch (p->kind) {
	case L_ADD:
	case L_DEL: {
		open_txn(q, v, ln);
		settle_none(q, v);
		struct vc_event ev;
		vm_event_init(&ev, VC_EV_MEM_REGION);
		ev.u.mem_region.op = p->kind == L_ADD ? VC_MEM_ADD : VC_MEM_DEL;
		struct vc_mem_section *s = &ev.u.mem_region.s;
		s->gpa = p->iova;
		s->size = p->end > p->iova ? p->end - p->iova : 0;
		s->hva = p->kind == L_ADD ? p->uaddr : 0;
		/* The log has no region offset; the traced iova is where QEMU
		 * found the section aligned, so gpa and offset agree in-page. */
		s->offset = p->iova;
		s->flags = VC_MEMF_RAM | (p->ro ? VC_MEMF_READONLY : 0);
		emit(q, v, &ev, ln);
		v->pend = true;
		v->pend_add = p->kind == L_ADD;
		v->pend_empty = s->size == 0;
		v->pend_line = ln;
		break;
	}
	case L_BEGIN:
		open_txn(q, v, ln);
		if (v->pend && !v->held) {
			/* Between a region line and its dma line: keep records in
			 * line order whatever the section's decision turns out. */
			v->held = true;
			v->held_line = ln;
			break;
		}
		settle_none(q, v);
		report(q, v, VC_MEMR_VDPA_BATCH_BEGIN, 0, 0, 0, 0, ln);
		break;
	case L_MAP:
	case L_UNMAP:
		if (!v->pend || v->pend_add != (p->kind == L_MAP)) {
			q->unanswering++;
			break;
		}
		v->pend = false;
		flush_held(q, v);
		report(q, v, p->kind == L_MAP ? VC_MEMR_VDPA_MAP : VC_MEMR_VDPA_UNMAP, p->iova, p->size,
		       p->kind == L_MAP ? p->uaddr : 0, p->perm, ln);
		break;
	case L_COMMIT: {
		open_txn(q, v, ln);
		settle_none(q, v);
		report(q, v, VC_MEMR_VDPA_BATCH_END, 0, 0, 0, 0, ln);
		struct vc_event ev;
		vm_event_init(&ev, VC_EV_MEM_COMMIT);
		ev.u.mem_commit.has_decision = true;
		emit(q, v, &ev, ln);
		v->txn = false;
		break;
	}
	default:
		break;
	}
}

/* One listener line of the log at (l, n), parsed; false when skipped. */
static bool next_line(struct qvl *q, const char *l, size_t n, uint64_t ln, bool warn, struct pline *p)
{
	struct vc_qlog_line ql;
	if (n < 16 || !vc_qlog_parse(l, n, &ql) || ql.name_len < 16 || memcmp(ql.name, "vhost_vdpa_", 11) != 0)
		return false;
	if (!parse(&ql, p)) {
		if (warn)
			vc_trace_warn(q->t, ln, "malformed %s line skipped (memory-listener differential check)",
				      line_names[p->kind]);
		return false;
	}
	return p->kind != L_NONE;
}

int vm_import_qemu_vdpa_listener(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	(void)err;
	if (!buf || !memmem(buf, len, "vhost_vdpa_listener_", 20))
		return 0;
	struct qvl *q = xcalloc(1, sizeof *q);
	q->t = t;
	struct vc_lines it;
	const char *l;
	size_t n;
	struct pline p;
	/* Pass 1: the listeners, and which of them show batch lines. */
	uint64_t adds = 0, maps = 0;
	vc_lines_init(&it, buf, len);
	while (vc_lines_next(&it, &l, &n)) {
		/* a dma_map line shows the event was traced, even a malformed one */
		maps += memmem(l, n, "vhost_vdpa_dma_map ", 19) != NULL;
		if (!next_line(q, l, n, it.ln, false, &p))
			continue;
		adds += p.kind == L_ADD;
		if (p.kind == L_MAP || p.kind == L_UNMAP)
			continue;
		struct vl *v = find(q, p.ptr);
		if (!v && q->nls < QVL_MAX_LISTENERS) {
			v = &q->ls[q->nls++];
			v->ptr = p.ptr;
		}
		if (v && (p.kind == L_BEGIN || p.kind == L_COMMIT))
			v->batch = true;
	}
	if (adds && !maps) {
		/* QEMU traces region_add only for a section it is about to map:
		 * region_add lines with no dma_map line anywhere mean the log was
		 * made without the vhost_vdpa_dma_* events, not that QEMU sent
		 * nothing. Comparing would report every section. */
		vc_trace_warn(t, 0,
			      "vhost-vdpa listener lines without any vhost_vdpa_dma_map line (trace the "
			      "vhost_vdpa_dma_* events too): QEMU's decisions are not in the log, not compared");
		free(q);
		return 0;
	}
	/* Pass 2: events, in line order. */
	vc_lines_init(&it, buf, len);
	while (vc_lines_next(&it, &l, &n)) {
		q->last_line = it.ln;
		if (next_line(q, l, n, it.ln, true, &p))
			on_line(q, &p, it.ln);
	}
	for (size_t i = 0; i < q->nls; i++) {
		struct vl *v = &q->ls[i];
		if (v->pend && v->pend_empty) {
			/* QEMU sends nothing after such a line: decided. */
			settle_none(q, v);
		} else if (v->pend) {
			vc_trace_warn(t, v->pend_line,
				      "the log ends before QEMU's decision on this %s line: not compared",
				      v->pend_add ? "region_add" : "region_del");
			v->pend = false;
		}
		flush_held(q, v);
		if (v->txn) {
			/* No commit line: the log was cut, or batching is not in
			 * use (then there are no commit lines at all). */
			struct vc_event ev;
			vm_event_init(&ev, VC_EV_MEM_COMMIT);
			emit(q, v, &ev, q->last_line);
			v->txn = false;
		}
	}
	if (q->over)
		vc_trace_warn(t, 0, "%" PRIu64 " vhost-vdpa listener lines of more than %u listeners skipped", q->over,
			      QVL_MAX_LISTENERS);
	if (q->unanswering)
		vc_trace_warn(t, 0,
			      "%" PRIu64 " vhost_vdpa_dma_map/unmap lines answer no listener region line (shadow virtqueue or control-queue buffers?): not compared with the listener model",
			      q->unanswering);
	free(q);
	return 0;
}
