/* libFuzzer harness for the strace importer: any bytes in, and the trace
 * that comes out must be well-formed whatever the importer decided. */
#include "vcts/trace.h"
#include "vcts/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const struct vc_trace *t)
{
	for (size_t i = 0; i < t->nevents; i++) {
		const struct vc_event *e = &t->events[i];
		if (e->session >= t->nsessions)
			abort();
		if (e->kind == 0 || e->kind >= VC_EV_KIND_MAX)
			abort();
		if (e->dir != VC_DIR_FE_TO_BE && e->dir != VC_DIR_BE_TO_FE)
			abort();
		if (e->kind == VC_EV_VU_MSG) {
			if (e->u.vu.payload_len > VU_PARSER_MAX_PAYLOAD)
				abort();
			if (e->u.vu.payload_len && !e->u.vu.payload)
				abort();
			if (e->u.vu.payload_len > e->u.vu.size)
				abort();
			if (e->u.vu.chan != VU_CHAN_MAIN && e->u.vu.chan != VU_CHAN_BACKEND)
				abort();
			/* the stored fd descriptions must be readable strings */
			uint32_t stored = e->nfds < VC_EVENT_MAX_FDS ? e->nfds : VC_EVENT_MAX_FDS;
			for (uint32_t j = 0; j < stored; j++)
				if (!memchr(e->fds[j].name, 0, sizeof e->fds[j].name) ||
				    e->fds[j].kind >= VC_FD_KIND_MAX)
					abort();
		}
		if (e->src.line == 0)
			abort();
	}
	for (size_t i = 0; i < t->nsessions; i++)
		if (t->sessions[i].id != i || !memchr(t->sessions[i].name, 0, sizeof t->sessions[i].name))
			abort();
}

/* One trace for the whole run, emptied per input: a warm harness allocates
 * nothing of its own per input. The input needs no copy: libFuzzer and
 * fuzz/common/replay_main.c both pass an exact-size heap buffer, so a read
 * past its end is caught. */
static struct vc_trace t;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_error err;
	memset(&err, 0, sizeof err);
	if (!t.arena)
		vc_trace_init(&t, "fuzz.strace", VC_FMT_STRACE);
	vc_trace_reset(&t);
	int rc = vc_import_strace(&t, (const char *)data, size, &err);
	check_invariants(&t);
	if (rc != 0 && (!err.what[0] || !memchr(err.what, 0, sizeof err.what)))
		abort();
	return 0;
}
