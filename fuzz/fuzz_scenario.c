/* libFuzzer harness for the scenario parser and replay: any input either
 * replays or fails with a located error; never a crash, a leak or a
 * half-filled error. The memory-listener lines of QEMU logs go through
 * the same harness when the input does not look like JSON. */
#include "fakes/memory/memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	struct vc_trace t;
	struct vc_error err;
	memset(&err, 0, sizeof err);
	vc_trace_init(&t, "fuzz.json", VC_FMT_SCENARIO);
	int rc = size && buf[0] == '{' ? vm_import_scenario(&t, buf, size, &err)
				      : vm_import_qemu_listener(&t, buf, size, &err);
	if (rc != 0 && (!err.what[0] || strcmp(err.file, "fuzz.json") != 0 || strchr(err.what, '\n')))
		abort();
	for (size_t i = 0; i < t.nevents; i++)
		if (t.events[i].session >= t.nsessions || !t.events[i].kind || t.events[i].kind >= VC_EV_KIND_MAX)
			abort();
	vc_trace_free(&t);
	free(buf);
	return 0;
}
