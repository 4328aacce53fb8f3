/* libFuzzer harness for the QEMU trace log importer and its tokenizer. */
#include "lib/trace/qemu_log.h"
#include "vcts/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Traces live for the whole run, emptied per input: a warm harness
 * allocates nothing of its own per input. The input needs no copy:
 * libFuzzer and fuzz/common/replay_main.c both pass an exact-size heap
 * buffer, so a read past its end is caught. */
static struct vc_trace t;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vc_error err;
	struct vc_qemu_trace_stats st;
	if (!t.arena)
		vc_trace_init(&t, "fuzz.log", VC_FMT_QEMU_TRACE);
	vc_trace_reset(&t);
	int rc = vc_import_qemu_trace_ex(&t, buf, size, &err, &st);
	if ((rc == 0) != (t.nevents > 0) || st.processes != t.nsessions)
		abort();
	uint64_t lines = 0, gap_line = 0, msgs = 0;
	for (size_t i = 0; i < t.nevents; i++) {
		const struct vc_event *e = &t.events[i];
		if (e->session >= t.nsessions || e->time_ns < -1 || e->src.line > st.lines)
			abort();
		if (e->kind == VC_EV_GAP) {
			/* where a session lost something: in line order, at most
			 * one per session */
			if (e->src.line < gap_line || e->src.line < lines)
				abort();
			for (size_t k = 0; k < i; k++)
				if (t.events[k].kind == VC_EV_GAP && t.events[k].session == e->session)
					abort();
			gap_line = e->src.line;
			continue;
		}
		if (e->kind != VC_EV_VU_MSG || e->u.vu.payload_len || e->u.vu.has_payload ||
		    e->u.vu.has_size || e->u.vu.chan != VU_CHAN_MAIN || e->has_fds)
			abort();
		/* messages come in line order, one per line at most */
		if (e->src.line <= lines || e->src.line < gap_line)
			abort();
		lines = e->src.line;
		msgs++;
	}
	if (msgs != st.messages)
		abort();
	/* The tokenizer on the first line alone: arguments lie inside it. */
	const char *nl = memchr(buf, '\n', size);
	size_t n = nl ? (size_t)(nl - buf) : size;
	struct vc_qlog_line l;
	if (vc_qlog_parse(buf, n, &l)) {
		if (l.name < buf || l.name + l.name_len > buf + n || l.nargs > VC_QLOG_MAX_ARGS)
			abort();
		for (unsigned i = 0; i < l.nargs; i++)
			if (l.arg[i].val < buf || l.arg[i].val + l.arg[i].vlen > buf + n ||
			    l.arg[i].key + l.arg[i].klen > buf + n)
				abort();
	}
	return 0;
}
