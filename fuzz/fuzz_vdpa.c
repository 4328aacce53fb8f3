/* libFuzzer harness for the vhost-vdpa side: any bytes in, read as an
 * strace log and as a QEMU trace log of a vhost-vdpa client (the vdpa
 * importers), every event judged by every rule family; and the same bytes
 * as a stream of ioctl/write calls into the fake device model, which must
 * answer and release everything. */
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/vdpa_uapi.h"
#include "fakes/vdpa/vdpa.h"
#include "fakes/vdpa/port.h"
#include "fakes/vdpa/seq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judge(int (*imp)(struct vc_trace *, const char *, size_t, struct vc_error *),
		  const uint8_t *data, size_t size)
{
	struct vc_trace t;
	vc_trace_init(&t, "fuzz", VC_FMT_STRACE);
	struct vc_error err;
	imp(&t, (const char *)data, size, &err);
	struct vc_engine *e = vc_engine_new(NULL);
	for (size_t i = 0; i < t.nsessions; i++)
		vc_engine_add_session(e, &t.sessions[i]);
	for (size_t i = 0; i < t.nevents; i++) {
		if (t.events[i].session >= t.nsessions)
			abort();
		vc_engine_feed(e, &t.events[i]);
	}
	vc_engine_finish(e);
	vc_engine_free(e);
	vc_trace_free(&t);
}

/* The model driven by the sequence decoder that `vhost-cts fuzz-device`
 * uses on real devices (fakes/vdpa/seq.c); it must answer and release
 * everything. */
static void drive(const uint8_t *data, size_t size)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	c.max_maps = 64;
	struct vdpa_dev *d = vdpa_dev_new(&c);
	struct vdpa_port p;
	vdpa_port_model(&p, d);
	struct vdpa_seq s;
	if (vdpa_seq_init(&s, &p) != 0)
		abort();
	vdpa_seq_run(&s, data, size);
	vdpa_seq_end(&s);
	struct vdpa_stats st;
	vdpa_get_stats(d, &st);
	if (st.maps || st.fds || st.open)
		abort();
	vdpa_dev_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	judge(vc_import_strace_vdpa, data, size);
	judge(vc_import_qemu_vdpa, data, size);
	drive(data, size);
	return 0;
}
