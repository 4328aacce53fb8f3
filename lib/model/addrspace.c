/* The memory API model: one address space whose flat view (sections
 * sorted by guest-physical address, never overlapping) changes in
 * transactions. At commit every listener sees, in address order, the
 * region_del of each removed section, then region_add or region_nop for
 * each section of the new view, then commit: the order QEMU's
 * address_space_update_topology passes use. Work per commit is
 * O((n + k) log k) for n sections and k changes. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vm_as_init(struct vm_as *as)
{
	memset(as, 0, sizeof *as);
}

void vm_as_free(struct vm_as *as)
{
	for (size_t i = 0; i < as->nls; i++)
		vm_vhost_free(&as->ls[i].vh);
	free(as->ls);
	free(as->secs);
	free(as->adds);
	free(as->dels);
	free(as->next);
	free(as->is_new);
	memset(as, 0, sizeof *as);
}

static int by_gpa(const void *a, const void *b)
{
	const struct vc_mem_section *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static void l_begin(struct vm_listener *l)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_BEGIN);
	ev.u.mem_begin.backend = (uint8_t)l->cfg.backend;
	ev.u.mem_begin.iotlb_batch = l->cfg.iotlb_batch;
	ev.u.mem_begin.slots = l->is_vdpa ? 0 : vm_vhost_slots(&l->vh);
	ev.u.mem_begin.target_page = l->cfg.target_page;
	vm_emit(&l->out, &ev);
	if (l->is_vdpa)
		vm_vdpa_begin(&l->vd, &l->out);
	else
		vm_vhost_begin(&l->vh);
}

static void l_region(struct vm_listener *l, enum vc_mem_op op, const struct vc_mem_section *s)
{
	if (l->out.emit) {
		struct vc_event ev;
		vm_event_init(&ev, VC_EV_MEM_REGION);
		ev.u.mem_region.op = (uint8_t)op;
		ev.u.mem_region.s = *s;
		vm_emit(&l->out, &ev);
	}
	if (l->is_vdpa) {
		/* The IOTLB listener has no nop: unchanged sections stay mapped. */
		if (op != VC_MEM_NOP)
			vm_vdpa_region(&l->vd, op == VC_MEM_ADD, s, &l->out);
	} else if (op != VC_MEM_DEL) {
		/* The vhost listener rebuilds its list from add and nop alike. */
		vm_vhost_addnop(&l->vh, s, &l->out);
	}
}

static void l_commit(struct vm_listener *l)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_COMMIT);
	vm_emit(&l->out, &ev);
	if (l->is_vdpa)
		vm_vdpa_commit(&l->vd, &l->out);
	else
		vm_vhost_commit(&l->vh, &l->out);
}

struct vm_listener *vm_as_add_listener(struct vm_as *as, const char *name,
				       const struct vm_listener_cfg *cfg, const struct vm_out *out)
{
	as->ls = xrealloc(as->ls, (as->nls + 1) * sizeof *as->ls);
	struct vm_listener *l = &as->ls[as->nls++];
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", name ? name : "");
	l->cfg = *cfg;
	l->is_vdpa = cfg->backend == VC_MEMB_VHOST_VDPA;
	if (out)
		l->out = *out;
	if (l->is_vdpa)
		vm_vdpa_init(&l->vd, cfg);
	else
		vm_vhost_init(&l->vh, cfg);
	if (l->is_vdpa)
		vm_emit_backend_features(&l->out, (1ull << VDPA_BF_IOTLB_MSG_V2) |
					 (cfg->iotlb_batch ? 1ull << VDPA_BF_IOTLB_BATCH : 0));
	else
		vm_vhost_connect(&l->vh, &l->out);
	/* Registration replays the current view to the new listener only. */
	l_begin(l);
	for (size_t i = 0; i < as->nsecs; i++)
		l_region(l, VC_MEM_ADD, &as->secs[i]);
	l_commit(l);
	if (as->log_on && !l->is_vdpa)
		vm_vhost_log(&l->vh, true, &l->out);
	return l;
}

void vm_as_begin(struct vm_as *as)
{
	as->in_txn = true;
	as->nadds = as->ndels = 0;
}

static int check_section(const struct vc_mem_section *s, char *why, size_t wlen)
{
	if (!s->size) {
		snprintf(why, wlen, "section '%s' has size 0", s->name);
		return -1;
	}
	if (!vm_range_ok(s->gpa, s->size)) {
		snprintf(why, wlen, "section '%s' at 0x%" PRIx64 " + 0x%" PRIx64 " wraps the address space",
			 s->name, s->gpa, s->size);
		return -1;
	}
	if ((s->flags & VC_MEMF_RAM) && (!vm_range_ok(s->hva, s->size) || s->hva < s->offset)) {
		snprintf(why, wlen, "section '%s' host range 0x%" PRIx64 " + 0x%" PRIx64 " wraps (or lies before its region)",
			 s->name, s->hva, s->size);
		return -1;
	}
	if (s->flags & ~VC_MEMF_ALL || s->dirty_mask & ~VC_MEM_DIRTY_ALL) {
		snprintf(why, wlen, "section '%s' has unknown kind or dirty bits", s->name);
		return -1;
	}
	uint64_t p = s->page_size;
	if (p && (p < 4096 || (p & (p - 1)) || p > ((uint64_t)1 << 40))) {
		snprintf(why, wlen, "section '%s' page size 0x%" PRIx64 " is not a power of two in 4K..1T",
			 s->name, p);
		return -1;
	}
	return 0;
}

int vm_as_add(struct vm_as *as, const struct vc_mem_section *s, char *why, size_t wlen)
{
	if (check_section(s, why, wlen))
		return -1;
	if (as->nsecs + as->nadds >= VM_MAX_SECTIONS) {
		snprintf(why, wlen, "more than %u sections in the address space", VM_MAX_SECTIONS);
		return -1;
	}
	as->adds = xgrow(as->adds, &as->cap_adds, as->nadds + 1, sizeof *as->adds);
	as->adds[as->nadds++] = *s;
	return 0;
}

int vm_as_del(struct vm_as *as, const struct vc_mem_section *s, char *why, size_t wlen)
{
	if (as->ndels >= VM_MAX_SECTIONS) {
		snprintf(why, wlen, "more than %u deletions in one transaction", VM_MAX_SECTIONS);
		return -1;
	}
	as->dels = xgrow(as->dels, &as->cap_dels, as->ndels + 1, sizeof *as->dels);
	as->dels[as->ndels++] = *s;
	return 0;
}

/* Index of the section starting at gpa, or -1. */
static ptrdiff_t find_at(const struct vc_mem_section *v, size_t n, uint64_t gpa)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].gpa < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].gpa == gpa ? (ptrdiff_t)lo : -1;
}

const struct vc_mem_section *vm_as_lookup(const struct vm_as *as, uint64_t gpa)
{
	size_t lo = 0, hi = as->nsecs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (as->secs[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct vc_mem_section *s = &as->secs[lo - 1];
	return gpa - s->gpa < s->size ? s : NULL;
}

int vm_as_commit(struct vm_as *as, char *why, size_t wlen)
{
	as->in_txn = false;
	size_t n = as->nsecs;
	/* removed[i]: secs[i] goes away; kept in is_new's buffer past the
	 * new view's flags to avoid another allocation. */
	as->is_new = xgrow(as->is_new, &as->cap_is_new, n + as->nadds + n + 1, 1);
	uint8_t *removed = as->is_new + n + as->nadds;
	memset(removed, 0, n + 1);
	for (size_t i = 0; i < as->ndels; i++) {
		const struct vc_mem_section *d = &as->dels[i];
		ptrdiff_t k = find_at(as->secs, n, d->gpa);
		if (k < 0 || as->secs[k].size != d->size ||
		    strncmp(as->secs[k].name, d->name, sizeof d->name) != 0) {
			snprintf(why, wlen, "del of section '%s' at 0x%" PRIx64 " + 0x%" PRIx64 " that is not in the address space",
				 d->name, d->gpa, d->size);
			return -1;
		}
		if (removed[k]) {
			snprintf(why, wlen, "section '%s' at 0x%" PRIx64 " deleted twice", d->name, d->gpa);
			return -1;
		}
		removed[k] = 1;
	}
	if (as->nadds)
		qsort(as->adds, as->nadds, sizeof *as->adds, by_gpa);
	size_t total = n - as->ndels + as->nadds;
	as->next = xgrow(as->next, &as->cap_next, total + 1, sizeof *as->next);
	uint8_t *is_new = as->is_new;
	size_t i = 0, j = 0, k = 0;
	while (i < n || j < as->nadds) {
		if (i < n && removed[i]) {
			i++;
			continue;
		}
		bool take_add = j < as->nadds && (i >= n || as->adds[j].gpa < as->secs[i].gpa);
		if (take_add) {
			is_new[k] = 1;
			as->next[k++] = as->adds[j++];
		} else {
			is_new[k] = 0;
			as->next[k++] = as->secs[i++];
		}
	}
	for (size_t q = 0; q + 1 < k; q++) {
		const struct vc_mem_section *a = &as->next[q], *b = &as->next[q + 1];
		if (a->gpa + a->size > b->gpa) {
			snprintf(why, wlen, "sections '%s' (0x%" PRIx64 " + 0x%" PRIx64 ") and '%s' (0x%" PRIx64 ") overlap",
				 a->name, a->gpa, a->size, b->name, b->gpa);
			return -1;
		}
	}
	/* Valid: run the listeners. */
	for (size_t li = 0; li < as->nls; li++) {
		struct vm_listener *l = &as->ls[li];
		l_begin(l);
		for (size_t q = 0; q < n; q++)
			if (removed[q])
				l_region(l, VC_MEM_DEL, &as->secs[q]);
		for (size_t q = 0; q < k; q++)
			l_region(l, is_new[q] ? VC_MEM_ADD : VC_MEM_NOP, &as->next[q]);
		l_commit(l);
	}
	struct vc_mem_section *t = as->secs;
	size_t tc = as->cap;
	as->secs = as->next;
	as->cap = as->cap_next;
	as->nsecs = k;
	as->next = t;
	as->cap_next = tc;
	as->nadds = as->ndels = 0;
	return 0;
}

void vm_as_log(struct vm_as *as, bool start)
{
	as->log_on = start;
	for (size_t li = 0; li < as->nls; li++) {
		struct vm_listener *l = &as->ls[li];
		struct vc_event ev;
		vm_event_init(&ev, VC_EV_MEM_LOG);
		ev.u.mem_log.start = start;
		vm_emit(&l->out, &ev);
		if (!l->is_vdpa)
			vm_vhost_log(&l->vh, start, &l->out);
	}
}

void vm_trace_sink(void *trace, const struct vc_event *ev)
{
	vc_trace_add_event(trace, ev);
}
