/* QEMU trace logs, memory-listener lines: what QEMU's generic vhost
 * listener saw and decided, as sessions of their own (one per listener)
 * next to the vhost-user session the same log gives.
 *
 * The lines (QEMU 7.2, hw/virtio/trace-events):
 *   vhost_section NAME                        section accepted by the filter
 *   vhost_reject_section NAME:REASON          refused (1 dirty log, 2 back-end, 3 not RAM/ROM)
 *   vhost_region_add_section NAME: GPA+SIZE @ HVA
 *   vhost_region_add_section_aligned NAME: GPA+SIZE @ HVA   (vhost-user rounding)
 *   vhost_region_add_section_merge NAME: size: S gpa: G owr: O
 *   vhost_commit Started: B Changed: B
 *   vhost_dev_cleanup DEV
 * Sections become VC_EV_MEM_REGION events, QEMU's rounding and merging
 * VC_EV_MEM_REPORT, its commit decision a VC_EV_MEM_COMMIT with
 * has_decision: the MEM checkers replay the sections through the model and
 * report where QEMU decided otherwise (the differential check).
 *
 * The lines do not say which listener they belong to. Every listener of
 * the address space sees every section, in listener order, and then every
 * listener commits: so a block of N section calls followed by K commits is
 * K listeners with N/K calls each, dealt out in turn. Names are the only
 * region identity the log has; a region's base is taken from the first
 * section seen with its name; the page size of a block is 4 KiB until a
 * rounding QEMU logged shows a larger one. Limitations are listed in
 * traces/scenarios/README.md. The vhost-vdpa listener's own lines are
 * read by qemu_vdpa_listener.c, called from the same entry point. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "lib/trace/qemu_log.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define QL_MAX_LISTENERS 64
#define QL_MAX_NAMES 4096

struct call {
	bool rejected;
	int reason;
	bool has_add, has_aligned, has_merge;
	struct vc_mem_section s;
	uint64_t a_gpa, a_size, a_hva;
	uint64_t m_size, m_gpa, m_owr;
	uint64_t line;
};

struct commit {
	bool started, changed;
	uint64_t line;
};

struct name_info {
	char name[VC_MEM_NAME_MAX];
	uint64_t base;
	uint64_t page;
};

struct ql {
	struct vc_trace *t;
	bool user;                 /* the log shows vhost-user rounding */
	struct call *calls;
	size_t ncalls, cap_calls;
	struct commit *commits;
	size_t ncommits, cap_commits;
	uint32_t sid[QL_MAX_LISTENERS];
	size_t nls;                /* active listeners, in listener order */
	size_t created;
	size_t departing;          /* cleaned-up devices whose unregistration commit is due */
	struct name_info *names;
	size_t nnames, cap_names;
	uint64_t unplaced;
};

static struct name_info *name_info(struct ql *q, const char *name, uint64_t hva)
{
	for (size_t i = 0; i < q->nnames; i++)
		if (strcmp(q->names[i].name, name) == 0)
			return &q->names[i];
	if (q->nnames >= QL_MAX_NAMES)
		return NULL;
	q->names = xgrow(q->names, &q->cap_names, q->nnames + 1, sizeof *q->names);
	struct name_info *n = &q->names[q->nnames++];
	memset(n, 0, sizeof *n);
	snprintf(n->name, sizeof n->name, "%s", name);
	n->base = hva;
	n->page = VM_DEFAULT_PAGE;
	return n;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h | 1;
}

/* "0x..." at *p (bounded by end): value, advancing *p. */
static bool hex_at(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	if (end - s < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	s += 2;
	uint64_t x = 0;
	const char *b = s;
	while (s < end) {
		char c = *s;
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			: c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			: c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d == 16)
			break;
		if (x >> 60)
			return false;
		x = x * 16 + d;
		s++;
	}
	if (s == b)
		return false;
	*p = s;
	*v = x;
	return true;
}

/* "NAME: GPA+SIZE @ HVA" (names may hold blanks and colons). */
static bool parse_range(const char *r, size_t n, char *name, size_t ncap, uint64_t *gpa, uint64_t *size,
			uint64_t *hva)
{
	const char *end = r + n;
	const char *at = NULL;
	for (const char *p = r; p + 3 <= end; p++)
		if (p[0] == ' ' && p[1] == '@' && p[2] == ' ')
			at = p;
	if (!at)
		return false;
	const char *colon = NULL;
	for (const char *p = r; p + 1 < at; p++)
		if (p[0] == ':' && p[1] == ' ')
			colon = p;
	if (!colon)
		return false;
	vm_set_name(name, ncap, r, (size_t)(colon - r));
	const char *p = colon + 2;
	if (!hex_at(&p, at, gpa) || p >= at || *p != '+')
		return false;
	p++;
	if (!hex_at(&p, at, size) || p != at)
		return false;
	p = at + 3;
	return hex_at(&p, end, hva) && p == end;
}

/* "... key: 0xVAL" anywhere in r. */
static bool key_hex(const char *r, size_t n, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl < n; i++)
		if (memcmp(r + i, key, kl) == 0) {
			const char *p = r + i + kl;
			return hex_at(&p, r + n, v);
		}
	return false;
}

static void emit_ev(struct ql *q, uint32_t sid, struct vc_event *ev, uint64_t line)
{
	ev->session = sid;
	ev->src.file = q->t->source;
	ev->src.line = line;
	vc_trace_add_event(q->t, ev);
}

static uint32_t new_listener(struct ql *q)
{
	char nm[VC_SESSION_NAME_MAX];
	snprintf(nm, sizeof nm, "QEMU vhost memory listener #%zu (%s)", q->created++,
		 q->user ? "vhost-user" : "vhost-kernel or vdpa");
	return vc_trace_add_session(q->t, VC_SIDE_FRONTEND, nm);
}

static void begin_ev(struct ql *q, uint32_t sid, uint64_t line)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_BEGIN);
	ev.u.mem_begin.backend = q->user ? VC_MEMB_VHOST_USER : VC_MEMB_VHOST_KERNEL;
	ev.u.mem_begin.decisions = true;
	emit_ev(q, sid, &ev, line);
}

static void commit_ev(struct ql *q, uint32_t sid, const struct commit *c)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_COMMIT);
	ev.u.mem_commit.has_decision = true;
	ev.u.mem_commit.changed = c->changed;
	ev.u.mem_commit.started = c->started;
	emit_ev(q, sid, &ev, c->line);
}

static void report(struct ql *q, uint32_t sid, uint8_t code, const char *name, uint64_t gpa,
		   uint64_t size, uint64_t hva, uint64_t value, uint64_t line)
{
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_REPORT);
	ev.u.mem_report.code = code;
	ev.u.mem_report.gpa = gpa;
	ev.u.mem_report.size = size;
	ev.u.mem_report.hva = hva;
	ev.u.mem_report.value = value;
	vm_set_name(ev.u.mem_report.name, sizeof ev.u.mem_report.name, name, strlen(name));
	emit_ev(q, sid, &ev, line);
}

/* The page size that turns (gpa, size, hva) into QEMU's rounding. */
static uint64_t infer_page(const struct call *c, uint64_t cur)
{
	for (uint64_t p = cur; p && p <= (1ull << 30); p <<= 1) {
		uint64_t a = c->s.hva & (p - 1);
		uint64_t h = c->s.hva - a, sz = c->s.size + a, g = c->s.gpa - a;
		if (sz & (p - 1))
			sz += p - (sz & (p - 1));
		if (h == c->a_hva && sz == c->a_size && g == c->a_gpa)
			return p;
	}
	return cur;
}

static void play_call(struct ql *q, uint32_t sid, struct call *c)
{
	if (c->rejected || !c->has_add) {
		if (c->rejected)
			report(q, sid, VC_MEMR_REJECT, c->s.name, 0, 0, 0, (uint64_t)c->reason, c->line);
		return;
	}
	struct name_info *ni = name_info(q, c->s.name, c->s.hva);
	if (!ni) {
		vc_trace_warn(q->t, c->line, "more than %u region names; section skipped", QL_MAX_NAMES);
		return;
	}
	if (c->has_aligned)
		ni->page = infer_page(c, ni->page);
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_REGION);
	ev.u.mem_region.op = VC_MEM_ADD;
	ev.u.mem_region.s = c->s;
	ev.u.mem_region.s.offset = c->s.hva - ni->base;
	ev.u.mem_region.s.page_size = ni->page;
	ev.u.mem_region.s.fd_ident = name_hash(c->s.name);
	ev.u.mem_region.s.flags = VC_MEMF_RAM;
	emit_ev(q, sid, &ev, c->line);
	if (c->has_aligned)
		report(q, sid, VC_MEMR_ALIGNED, c->s.name, c->a_gpa, c->a_size, c->a_hva, 0, c->line);
	if (c->has_merge)
		report(q, sid, VC_MEMR_MERGED, c->s.name, c->m_gpa, c->m_size, 0, c->m_owr, c->line);
}

static void flush(struct ql *q)
{
	size_t n = q->ncalls, k = q->ncommits;
	if (!n && !k)
		return;
	if (!k) {
		/* sections with no commit yet: the log was cut */
		q->unplaced += n;
		q->ncalls = 0;
		return;
	}
	if (!n) {
		/* Commits with no sections: each listener in turn. */
		for (size_t i = 0; i < k; i++) {
			if (!q->nls)
				q->sid[q->nls++] = new_listener(q);
			uint32_t sid = q->sid[i % q->nls];
			if (q->departing) {
				/* memory_listener_unregister: region_del for everything
				 * (not traced), then commit: the list becomes empty. */
				sid = q->sid[0];
				memmove(q->sid, q->sid + 1, (q->nls - 1) * sizeof *q->sid);
				q->nls--;
				q->departing--;
			}
			begin_ev(q, sid, q->commits[i].line);
			commit_ev(q, sid, &q->commits[i]);
		}
		q->ncommits = 0;
		return;
	}
	if (n % k) {
		vc_trace_warn(q->t, q->calls[0].line,
			      "%zu listener calls for %zu commits cannot be dealt to listeners; block skipped", n, k);
		q->unplaced += n;
		q->ncalls = q->ncommits = 0;
		return;
	}
	uint32_t use[QL_MAX_LISTENERS];
	size_t kk = k < QL_MAX_LISTENERS ? k : QL_MAX_LISTENERS;
	if (kk < q->nls) {
		/* Fewer listeners than registered: new ones registering (their
		 * first transaction replays the view to them alone). */
		for (size_t i = 0; i < kk; i++) {
			use[i] = new_listener(q);
			if (q->nls < QL_MAX_LISTENERS)
				q->sid[q->nls++] = use[i];
		}
	} else {
		while (q->nls < kk)
			q->sid[q->nls++] = new_listener(q);
		memcpy(use, q->sid, kk * sizeof *use);
	}
	for (size_t j = 0; j < kk; j++) {
		begin_ev(q, use[j], q->calls[j].line);
		for (size_t i = j; i < n; i += k)
			play_call(q, use[j], &q->calls[i]);
		commit_ev(q, use[j], &q->commits[j]);
	}
	q->ncalls = q->ncommits = 0;
}

static struct call *new_call(struct ql *q, uint64_t line)
{
	if (q->ncommits)
		flush(q);
	q->calls = xgrow(q->calls, &q->cap_calls, q->ncalls + 1, sizeof *q->calls);
	struct call *c = &q->calls[q->ncalls++];
	memset(c, 0, sizeof *c);
	c->line = line;
	return c;
}

static int import_vhost_lines(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	(void)err;
	struct ql q = { .t = t };
	q.user = memmem(buf, len, "vhost_region_add_section_aligned", 32) != NULL;
	if (!memmem(buf, len, "vhost_commit", 12))
		return 0;
	uint64_t ln = 0;
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(buf + p, '\n', len - p);
		size_t ll = nl ? (size_t)(nl - (buf + p)) : len - p;
		const char *l = buf + p;
		p += ll + (nl ? 1 : 0);
		ln++;
		if (ll && l[ll - 1] == '\r')
			ll--;
		struct vc_qlog_line r;
		if (!vc_qlog_parse(l, ll, &r) || r.name_len < 12 || memcmp(r.name, "vhost_", 6))
			continue;
		struct call *cur = q.ncalls && !q.ncommits ? &q.calls[q.ncalls - 1] : NULL;
		if (vc_qlog_name_is(&r, "vhost_section")) {
			struct call *c = new_call(&q, ln);
			vm_set_name(c->s.name, sizeof c->s.name, r.rest, r.rest_len);
		} else if (vc_qlog_name_is(&r, "vhost_reject_section")) {
			struct call *c = new_call(&q, ln);
			c->rejected = true;
			const char *colon = NULL;
			for (size_t i = 0; i < r.rest_len; i++)
				if (r.rest[i] == ':')
					colon = r.rest + i;
			size_t nlen = colon ? (size_t)(colon - r.rest) : r.rest_len;
			vm_set_name(c->s.name, sizeof c->s.name, r.rest, nlen);
			c->reason = colon && colon + 1 < r.rest + r.rest_len ? colon[1] - '0' : 0;
		} else if (vc_qlog_name_is(&r, "vhost_region_add_section")) {
			char nm[VC_MEM_NAME_MAX];
			uint64_t g, s, h;
			if (!cur || cur->rejected || cur->has_add ||
			    !parse_range(r.rest, r.rest_len, nm, sizeof nm, &g, &s, &h) || !s) {
				vc_trace_warn(t, ln, "vhost_region_add_section line not understood or out of place");
				continue;
			}
			cur->has_add = true;
			cur->s.gpa = g;
			cur->s.size = s;
			cur->s.hva = h;
		} else if (vc_qlog_name_is(&r, "vhost_region_add_section_aligned")) {
			char nm[VC_MEM_NAME_MAX];
			if (!cur || !cur->has_add ||
			    !parse_range(r.rest, r.rest_len, nm, sizeof nm, &cur->a_gpa, &cur->a_size, &cur->a_hva)) {
				vc_trace_warn(t, ln, "vhost_region_add_section_aligned line not understood or out of place");
				continue;
			}
			cur->has_aligned = true;
		} else if (vc_qlog_name_is(&r, "vhost_region_add_section_merge")) {
			if (!cur || !cur->has_add || !key_hex(r.rest, r.rest_len, "size: ", &cur->m_size) ||
			    !key_hex(r.rest, r.rest_len, "gpa: ", &cur->m_gpa) ||
			    !key_hex(r.rest, r.rest_len, "owr: ", &cur->m_owr)) {
				vc_trace_warn(t, ln, "vhost_region_add_section_merge line not understood or out of place");
				continue;
			}
			cur->has_merge = true;
		} else if (vc_qlog_name_is(&r, "vhost_commit")) {
			const struct vc_qlog_arg *st = vc_qlog_find(&r, "Started"), *ch = vc_qlog_find(&r, "Changed");
			if (!st || !ch || st->vlen != 1 || ch->vlen != 1) {
				vc_trace_warn(t, ln, "vhost_commit line not understood");
				continue;
			}
			q.commits = xgrow(q.commits, &q.cap_commits, q.ncommits + 1, sizeof *q.commits);
			q.commits[q.ncommits++] = (struct commit){ .started = st->val[0] == '1',
								   .changed = ch->val[0] == '1', .line = ln };
		} else if (vc_qlog_name_is(&r, "vhost_dev_cleanup")) {
			/* A device goes away with its listener (the first one, as
			 * QEMU cleans up queue pairs in order) after one last
			 * commit of its own. */
			flush(&q);
			if (q.departing < q.nls)
				q.departing++;
		}
	}
	flush(&q);
	if (q.unplaced)
		vc_trace_warn(t, 0, "%" PRIu64 " memory-listener calls could not be placed", q.unplaced);
	free(q.calls);
	free(q.commits);
	free(q.names);
	return 0;
}

int vm_import_qemu_listener(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	/* The generic vhost listener's lines, then the vhost-vdpa listener's
	 * (lib/trace/qemu_vdpa_listener.c): sessions in that order. */
	int rc = import_vhost_lines(t, buf, len, err);
	return rc ? rc : vm_import_qemu_vdpa_listener(t, buf, len, err);
}
