/* libFuzzer harness for the vhost-vdpa side: any bytes in, read as an
 * strace log and as a QEMU trace log of a vhost-vdpa client (the vdpa
 * importers), every event judged by every rule family; and the same bytes
 * as a stream of ioctl/write calls into the fake device model, which must
 * answer and release everything. */
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/vdpa_uapi.h"
#include "fakes/vdpa/vdpa.h"

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

/* The model: each 12-byte record is (op u8, u8, u16 len, u32 request,
 * u32 value); the argument is the rest of the input. */
static void drive(const uint8_t *data, size_t size)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	c.max_maps = 64;
	struct vdpa_dev *d = vdpa_dev_new(&c);
	vdpa_dev_open(d, 3);
	uint8_t arg[4096];
	for (size_t i = 0; i + 12 <= size; i += 12) {
		const uint8_t *r = data + i;
		uint32_t req, val;
		uint16_t len;
		memcpy(&len, r + 2, 2);
		memcpy(&req, r + 4, 4);
		memcpy(&val, r + 8, 4);
		size_t rest = size - i - 12;
		memset(arg, 0, sizeof arg);
		memcpy(arg, r + 12, rest < sizeof arg ? rest : sizeof arg);
		memcpy(arg + 4, &val, 4);
		switch (r[0] % 4) {
		case 0: {
			/* a known request most of the time */
			static const uint32_t known[] = {
#define X(n, dd, nr, sz) VDPA_REQ_##n,
				VDPA_IOCTLS(X)
#undef X
			};
			uint32_t rq = r[1] < 200 ? known[r[1] % (sizeof known / sizeof known[0])] : req;
			vdpa_dev_ioctl(d, &vdpa_mem_self, rq, r[1] & 1 ? 0 : (uint64_t)(uintptr_t)arg);
			break;
		}
		case 1:
			vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)arg, len % 200);
			break;
		case 2:
			vdpa_dev_mmap(d, (uint64_t)len << 4, r[1] & 3, val & 3, (uint64_t)req << 12);
			break;
		default:
			if (r[1] == 0xff) {
				vdpa_dev_release(d);
				vdpa_dev_open(d, 3);
			}
			break;
		}
	}
	vdpa_dev_release(d);
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
