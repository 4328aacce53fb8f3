/* The native format's round-trip oracle: two events, or two traces,
 * compared field by field as the format stores them. */
#include "lib/trace/native.h"
#include "lib/trace/native_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

#define DIFF(cond, ...)                                    \
	do {                                               \
		if (cond) {                                \
			if (why)                           \
				snprintf(why, whylen, __VA_ARGS__); \
			return false;                      \
		}                                          \
	} while (0)

bool vc_native_event_equal(const struct vc_event *a, const struct vc_event *b, char *why,
			   size_t whylen)
{
	DIFF(a->kind != b->kind, "kind %u != %u", a->kind, b->kind);
	DIFF(a->dir != b->dir, "dir %u != %u", a->dir, b->dir);
	DIFF(a->session != b->session, "session %u != %u", a->session, b->session);
	DIFF(a->index != b->index, "index %" PRIu64 " != %" PRIu64, a->index, b->index);
	DIFF(a->time_ns != b->time_ns, "time_ns %" PRId64 " != %" PRId64, a->time_ns, b->time_ns);
	DIFF(!str_eq(a->src.file, b->src.file), "src.file '%s' != '%s'",
	     a->src.file ? a->src.file : "(null)", b->src.file ? b->src.file : "(null)");
	DIFF(a->src.line != b->src.line, "src.line %" PRIu64 " != %" PRIu64, a->src.line,
	     b->src.line);
	DIFF(a->src.is_offset != b->src.is_offset, "src.is_offset differs");
	DIFF(a->nfds != b->nfds, "nfds %u != %u", a->nfds, b->nfds);
	DIFF(a->has_fds != b->has_fds, "has_fds differs");
	uint32_t kept = a->nfds < VC_EVENT_MAX_FDS ? a->nfds : VC_EVENT_MAX_FDS;
	DIFF(kept && (!a->fds) != (!b->fds), "fds described on one side only");
	for (uint32_t i = 0; kept && a->fds && i < kept; i++) {
		const struct vc_fd *x = &a->fds[i], *y = &b->fds[i];
		DIFF(x->kind != y->kind, "fds[%u].kind %u != %u", i, x->kind, y->kind);
		DIFF(x->size != y->size, "fds[%u].size differs", i);
		DIFF(x->ident != y->ident, "fds[%u].ident differs", i);
		DIFF(strncmp(x->name, y->name, sizeof x->name) != 0, "fds[%u].name '%.96s' != '%.96s'",
		     i, x->name, y->name);
	}
	switch (a->kind) {
	case VC_EV_VU_MSG: {
		const struct vc_vu_msg *x = &a->u.vu, *y = &b->u.vu;
		DIFF(x->chan != y->chan, "chan %u != %u", x->chan, y->chan);
		DIFF(x->request != y->request, "request %u != %u", x->request, y->request);
		DIFF(x->flags != y->flags, "flags 0x%x != 0x%x", x->flags, y->flags);
		DIFF(x->size != y->size, "size %u != %u", x->size, y->size);
		DIFF(x->has_payload != y->has_payload, "has_payload differs");
		DIFF(x->has_size != y->has_size, "has_size differs");
		DIFF(x->payload_len != y->payload_len, "payload_len %u != %u", x->payload_len,
		     y->payload_len);
		DIFF(x->payload_len && memcmp(x->payload, y->payload, x->payload_len) != 0,
		     "payload bytes differ");
		break;
	}
	case VC_EV_VU_EOF:
		DIFF(a->u.eof.partial != b->u.eof.partial, "eof.partial differs");
		DIFF(a->u.eof.partial_bytes != b->u.eof.partial_bytes, "eof.partial_bytes differs");
		break;
	case VC_EV_VU_KICK:
		DIFF(a->u.kick.ring != b->u.kick.ring, "kick.ring differs");
		break;
	case VC_EV_VU_STALL:
		DIFF(a->u.stall.owed_request != b->u.stall.owed_request, "stall.owed_request differs");
		DIFF(a->u.stall.quiet_ns != b->u.stall.quiet_ns, "stall.quiet_ns differs");
		break;
	default:
		for (size_t i = 0; i < vcn_n_mem_fields; i++) {
			const struct mem_field *f = &vcn_mem_fields[i];
			size_t n = f->type == MF_U8 ? 1 : (f->type == MF_U32 || f->type == MF_I32) ? 4
				 : (f->type == MF_U64 || f->type == MF_I64) ? 8
				 : f->type == MF_BOOL ? sizeof(bool) : 0;
			if (f->kind != a->kind)
				continue;
			if (f->type == MF_NAME)
				DIFF(strncmp((const char *)a + f->off, (const char *)b + f->off, VC_MEM_NAME_MAX) != 0,
				     "%s differs", f->key);
			else
				DIFF(memcmp((const char *)a + f->off, (const char *)b + f->off, n) != 0, "%s differs", f->key);
		}
		if (vdpa_op_kind(a->kind)) {
			const struct vc_vdpa_op *x = &a->u.vdpa, *y = &b->u.vdpa;
			DIFF(x->in_len != y->in_len || (x->in_len && memcmp(x->in, y->in, x->in_len)),
			     "vdpa in bytes differ");
			DIFF(x->out_len != y->out_len || (x->out_len && memcmp(x->out, y->out, x->out_len)),
			     "vdpa out bytes differ");
		}
		break;
	}
	return true;
}

bool vc_native_trace_equal(const struct vc_trace *a, const struct vc_trace *b, char *why,
			   size_t whylen)
{
	DIFF(a->nsessions != b->nsessions, "nsessions %zu != %zu", a->nsessions, b->nsessions);
	for (size_t i = 0; i < a->nsessions; i++) {
		const struct vc_session *x = &a->sessions[i], *y = &b->sessions[i];
		DIFF(x->id != y->id, "session %zu: id %u != %u", i, x->id, y->id);
		DIFF(x->traced_side != y->traced_side, "session %zu: side differs", i);
		DIFF(x->queues != y->queues, "session %zu: queues differ", i);
		DIFF(strncmp(x->name, y->name, sizeof x->name) != 0, "session %zu: name differs", i);
		DIFF(!str_eq(x->source, y->source), "session %zu: source differs", i);
		DIFF(x->messages != y->messages, "session %zu: messages %" PRIu64 " != %" PRIu64, i,
		     x->messages, y->messages);
	}
	DIFF(a->nevents != b->nevents, "nevents %zu != %zu", a->nevents, b->nevents);
	for (size_t i = 0; i < a->nevents; i++) {
		char inner[256];
		if (!vc_native_event_equal(&a->events[i], &b->events[i], inner, sizeof inner)) {
			if (why)
				snprintf(why, whylen, "event %zu: %s", i, inner);
			return false;
		}
	}
	return true;
}
