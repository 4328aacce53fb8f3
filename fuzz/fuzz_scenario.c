/* libFuzzer harness for the scenario parser and replay: any input either
 * replays or fails with a located error; never a crash, a leak or a
 * half-filled error. The memory-listener lines of QEMU logs go through
 * the same harness when the input does not look like JSON. */
#include "vcts/model.h"

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
	memset(&err, 0, sizeof err);
	if (!t.arena)
		vc_trace_init(&t, "fuzz.json", VC_FMT_SCENARIO);
	vc_trace_reset(&t);
	int rc = size && buf[0] == '{' ? vm_import_scenario(&t, buf, size, &err)
				      : vm_import_qemu_listener(&t, buf, size, &err);
	if (rc != 0 && (!err.what[0] || strcmp(err.file, "fuzz.json") != 0 || strchr(err.what, '\n')))
		abort();
	for (size_t i = 0; i < t.nevents; i++)
		if (t.events[i].session >= t.nsessions || !t.events[i].kind || t.events[i].kind >= VC_EV_KIND_MAX)
			abort();
	return 0;
}
