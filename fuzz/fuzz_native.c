/* libFuzzer harness for the native capture reader, with a round-trip
 * oracle: whatever the reader accepts, the writer must serialise and the
 * reader must read back to the same trace, field by field. */
#include "lib/trace/native.h"
#include "vcts/wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_invariants(const struct vc_trace *t)
{
	for (size_t i = 0; i < t->nevents; i++) {
		const struct vc_event *e = &t->events[i];
		if (e->session >= t->nsessions)
			abort();
		if (e->kind == 0 || e->kind >= VC_EV_KIND_MAX)
			abort();
		if (e->nfds > VC_NATIVE_MAX_NFDS)
			abort();
		if (e->kind == VC_EV_VU_MSG &&
		    (e->u.vu.payload_len > VU_PARSER_MAX_PAYLOAD ||
		     (e->u.vu.payload_len && !e->u.vu.payload)))
			abort();
	}
	for (size_t i = 0; i < t->nsessions; i++)
		if (t->sessions[i].id != i || !memchr(t->sessions[i].name, 0, sizeof t->sessions[i].name))
			abort();
}

/* Traces live for the whole run, emptied per input: a warm harness
 * allocates nothing of its own per input. The input needs no copy:
 * libFuzzer and fuzz/common/replay_main.c both pass an exact-size heap
 * buffer, so a read past its end is caught. */
static struct vc_trace a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_error err;
	if (!a.arena) {
		vc_trace_init(&a, "fuzz.jsonl", VC_FMT_NATIVE);
		vc_trace_init(&b, "fuzz.jsonl", VC_FMT_NATIVE);
	}
	vc_trace_reset(&a);
	int rc = vc_import_native(&a, (const char *)data, size, &err);
	check_invariants(&a);
	if (rc == 0) {
		char *out;
		size_t len;
		if (vc_native_to_buffer(&a, "fuzz", &out, &len) != 0) {
			fprintf(stderr, "writer refused what the reader accepted\n");
			abort();
		}
		vc_trace_reset(&b);
		if (vc_import_native(&b, out, len, &err) != 0 && a.nevents) {
			char eb[1024];
			fprintf(stderr, "re-read failed: %s\n", vc_error_str(&err, eb, sizeof eb));
			abort();
		}
		char why[512];
		if (!vc_native_trace_equal(&a, &b, why, sizeof why)) {
			fprintf(stderr, "round trip differs: %s\n", why);
			abort();
		}
		if (b.warnings_total) {
			fprintf(stderr, "re-read warned: %s\n", b.nwarnings ? b.warnings[0] : "?");
			abort();
		}
		free(out);
	}
	return 0;
}
