/* The in-memory trace: sessions, events, the arena that owns payloads,
 * warnings and errors. Loading files is lib/trace/load.c. */
#include "vcts/trace.h"
#include "lib/arena.h"
#include "lib/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const format_names[VC_FMT_COUNT] = {
	[VC_FMT_AUTO] = "auto", [VC_FMT_STRACE] = "strace",
	[VC_FMT_QEMU_TRACE] = "qemu-trace", [VC_FMT_NATIVE] = "native",
	[VC_FMT_SCENARIO] = "scenario",
};

const char *vc_format_name(enum vc_format f)
{
	return (unsigned)f < VC_FMT_COUNT ? format_names[f] : "?";
}

int vc_format_by_name(const char *name)
{
	for (int i = 0; i < VC_FMT_COUNT; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return -1;
}

void vc_error_set(struct vc_error *e, const char *file, uint64_t line, const char *fmt, ...)
{
	if (!e)
		return;
	snprintf(e->file, sizeof e->file, "%s", file ? file : "-");
	e->line = line;
	e->is_offset = false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof e->what, fmt, ap);
	va_end(ap);
}

const char *vc_error_str(const struct vc_error *e, char *buf, size_t len)
{
	if (e->line && e->is_offset)
		snprintf(buf, len, "%s: offset %llu: %s", e->file, (unsigned long long)e->line, e->what);
	else if (e->line)
		snprintf(buf, len, "%s:%llu: %s", e->file, (unsigned long long)e->line, e->what);
	else
		snprintf(buf, len, "%s: %s", e->file, e->what);
	return buf;
}

void vc_trace_init(struct vc_trace *t, const char *source, enum vc_format fmt)
{
	memset(t, 0, sizeof *t);
	t->source = xstrdup(source ? source : "-");
	t->format = fmt;
	t->arena = vc_arena_new();
}

void vc_trace_free(struct vc_trace *t)
{
	if (!t)
		return;
	free(t->source);
	free(t->sessions);
	free(t->events);
	vc_arena_free(t->arena); /* the warnings too */
	memset(t, 0, sizeof *t);
}

void vc_trace_reset(struct vc_trace *t)
{
	t->nwarnings = 0;
	t->warnings_total = 0;
	t->nsessions = 0;
	t->nevents = 0;
	vc_arena_reset(t->arena);
}

const char *vc_trace_strdup(struct vc_trace *t, const char *s)
{
	return vc_arena_memdup(t->arena, s, strlen(s) + 1);
}

uint32_t vc_trace_add_session(struct vc_trace *t, enum vc_side traced, const char *name)
{
	t->sessions = xgrow(t->sessions, &t->cap_sessions, t->nsessions + 1, sizeof *t->sessions);
	struct vc_session *s = &t->sessions[t->nsessions];
	memset(s, 0, sizeof *s);
	s->id = (uint32_t)t->nsessions;
	s->traced_side = (uint8_t)traced;
	snprintf(s->name, sizeof s->name, "%s", name ? name : "");
	s->source = t->source;
	return (uint32_t)t->nsessions++;
}

static struct vc_event *add_event(struct vc_trace *t, const struct vc_event *ev, bool keep_index)
{
	if (t->sink) {
		/* Streamed: the producer's payload and fds are valid for this call,
		 * so nothing is copied. */
		struct vc_event *e = &t->last;
		*e = *ev;
		if (e->kind == VC_EV_VU_MSG && !e->u.vu.payload_len)
			e->u.vu.payload = NULL;
		if (!e->src.file)
			e->src.file = t->source;
		if (!ev->nfds)
			e->fds = NULL;
		if (ev->session < t->nsessions) {
			uint64_t n = t->sessions[ev->session].messages++;
			if (!keep_index)
				e->index = n;
		}
		t->nevents++;
		t->sink->event(t->sink->opaque, t, e);
		return e;
	}
	t->events = xgrow(t->events, &t->cap_events, t->nevents + 1, sizeof *t->events);
	struct vc_event *e = &t->events[t->nevents++];
	*e = *ev;
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.payload && ev->u.vu.payload_len)
		e->u.vu.payload = vc_arena_memdup(t->arena, ev->u.vu.payload, ev->u.vu.payload_len);
	else if (ev->kind == VC_EV_VU_MSG && !ev->u.vu.payload_len)
		e->u.vu.payload = NULL;
	if (ev->kind >= VC_EV_VDPA_OPEN && ev->kind <= VC_EV_VDPA_MMAP) {
		e->u.vdpa.in = ev->u.vdpa.in && ev->u.vdpa.in_len
			? vc_arena_memdup(t->arena, ev->u.vdpa.in, ev->u.vdpa.in_len) : NULL;
		e->u.vdpa.out = ev->u.vdpa.out && ev->u.vdpa.out_len
			? vc_arena_memdup(t->arena, ev->u.vdpa.out, ev->u.vdpa.out_len) : NULL;
		if (!e->u.vdpa.in)
			e->u.vdpa.in_len = 0;
		if (!e->u.vdpa.out)
			e->u.vdpa.out_len = 0;
	}
	if (!e->src.file)
		e->src.file = t->source;
	uint32_t kept = ev->nfds < VC_EVENT_MAX_FDS ? ev->nfds : VC_EVENT_MAX_FDS;
	e->fds = kept && ev->fds ? vc_arena_memdup(t->arena, ev->fds, kept * sizeof *ev->fds) : NULL;
	if (ev->session < t->nsessions) {
		uint64_t n = t->sessions[ev->session].messages++;
		if (!keep_index)
			e->index = n;
	}
	return e;
}

struct vc_event *vc_trace_add_event(struct vc_trace *t, const struct vc_event *ev)
{
	return add_event(t, ev, false);
}

struct vc_event *vc_trace_add_event_at(struct vc_trace *t, const struct vc_event *ev)
{
	return add_event(t, ev, true);
}

void vc_trace_warn(struct vc_trace *t, uint64_t line, const char *fmt, ...)
{
	t->warnings_total++;
	if (t->nwarnings >= VC_TRACE_MAX_WARNINGS)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t n = strlen(t->source) + strlen(msg) + 32;
	char *w = vc_arena_alloc(t->arena, n); /* lives as long as the trace */
	if (line)
		snprintf(w, n, "%s:%llu: %s", t->source, (unsigned long long)line, msg);
	else
		snprintf(w, n, "%s: %s", t->source, msg);
	t->warnings[t->nwarnings++] = w;
}
