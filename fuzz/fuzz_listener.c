/* libFuzzer harness for the listener models: the input is a random
 * sequence of transactions (add / delete sections of a few regions, some
 * RAM, ROM, ram_device, at odd addresses and page sizes), ring starts and
 * stops and dirty-log switches, replayed through a faithful vhost-user,
 * vhost-kernel and vhost-vdpa listener. Oracle: the flat view stays sorted
 * and free of overlaps, and the MEM rules that judge the listener itself
 * (not the topology) never fire on the faithful models: MEM-01, -02, -04,
 * -06, -07, -08, -09, -10 and VDPA-BAT-01. */
#include "vcts/model.h"
#include "vcts/engine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct rd *r, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8 | (r->n ? *r->p : 0);
		if (r->n) {
			r->p++;
			r->n--;
		}
	}
	return v;
}

static const struct {
	const char *name;
	uint32_t flags;
	uint64_t host, page, fd;
} regions[] = {
	{ "mem", VC_MEMF_RAM, 0x7f0000000000ull, 4096, 1 },
	{ "huge", VC_MEMF_RAM, 0x7f2000000000ull, 2 << 20, 2 },
	{ "rom", VC_MEMF_RAM | VC_MEMF_ROM, 0x7f4000000000ull, 4096, 3 },
	{ "notifier", VC_MEMF_RAM | VC_MEMF_RAM_DEVICE, 0x7f6000000000ull, 4096, 4 },
	{ "mmio", 0, 0, 0, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	struct vc_trace t;
	vc_trace_init(&t, "fuzz", VC_FMT_SCENARIO);
	struct vm_as as;
	vm_as_init(&as);
	static const enum vc_mem_backend bes[3] = { VC_MEMB_VHOST_USER, VC_MEMB_VHOST_KERNEL, VC_MEMB_VHOST_VDPA };
	for (int i = 0; i < 3; i++) {
		struct vm_listener_cfg cfg = { .backend = bes[i], .iotlb_batch = true };
		uint32_t sid = vc_trace_add_session(&t, VC_SIDE_FRONTEND, "l");
		struct vm_out o = { .emit = vm_trace_sink, .opaque = &t, .sid = sid };
		vm_as_add_listener(&as, "l", &cfg, &o);
	}
	char why[300];
	for (int step = 0; step < 64 && r.n; step++) {
		uint8_t op = (uint8_t)take(&r, 1);
		if (op < 200) {
			vm_as_begin(&as);
			unsigned k = op % 4 + 1;
			for (unsigned j = 0; j < k; j++) {
				unsigned ri = (unsigned)take(&r, 1) % 5;
				struct vc_mem_section s = { 0 };
				snprintf(s.name, sizeof s.name, "%s", regions[ri].name);
				s.flags = regions[ri].flags;
				s.page_size = regions[ri].page;
				s.fd_ident = regions[ri].fd;
				s.offset = take(&r, 2) << 9;
				s.gpa = (take(&r, 3) << 10) | (take(&r, 1) & 1 ? 0x8000000000000000ull : 0);
				s.size = (take(&r, 2) + 1) << 9;
				s.hva = s.flags & VC_MEMF_RAM ? regions[ri].host + s.offset : 0;
				if (take(&r, 1) & 1)
					vm_as_add(&as, &s, why, sizeof why);
				else if (as.nsecs) {
					struct vc_mem_section d = as.secs[take(&r, 2) % as.nsecs];
					vm_as_del(&as, &d, why, sizeof why);
				}
			}
			if (vm_as_commit(&as, why, sizeof why) != 0)
				as.nadds = as.ndels = 0;
		} else if (op < 220) {
			vm_as_log(&as, op & 1);
		} else if (op < 240) {
			const struct vc_mem_section *s = as.nsecs ? &as.secs[take(&r, 2) % as.nsecs] : NULL;
			if (s && (s->flags & VC_MEMF_RAM) && s->size >= 0x3000) {
				struct vm_ring q = { .index = 0, .gpa = { s->gpa, s->gpa + 0x1000, s->gpa + 0x2000 },
						     .size = { 0x100, 0x26, 0x86 } };
				for (int p = 0; p < 3; p++)
					q.hva[p] = s->hva + (q.gpa[p] - s->gpa);
				for (size_t l = 0; l < as.nls; l++)
					if (!as.ls[l].is_vdpa)
						vm_vhost_start(&as.ls[l].vh, &q, 1, &as.ls[l].out);
			}
		} else {
			for (size_t l = 0; l < as.nls; l++)
				vm_vhost_stop(&as.ls[l].vh, &as.ls[l].out);
		}
		for (size_t i = 0; i + 1 < as.nsecs; i++)
			if (as.secs[i].gpa + as.secs[i].size > as.secs[i + 1].gpa)
				abort();
	}
	struct vc_engine *e = vc_engine_new(NULL);
	for (size_t s = 0; s < t.nsessions; s++)
		vc_engine_add_session(e, &t.sessions[s]);
	for (size_t i = 0; i < t.nevents; i++)
		vc_engine_feed(e, &t.events[i]);
	const struct vc_results *res = vc_engine_finish(e);
	static const char *const never[] = { "MEM-01", "MEM-02", "MEM-04", "MEM-06", "MEM-07",
					     "MEM-08", "MEM-09", "MEM-10", "VDPA-BAT-01" };
	for (size_t i = 0; i < res->nfindings; i++)
		for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
			if (!strcmp(vc_rule(res->findings[i].rule)->id, never[k])) {
				fprintf(stderr, "faithful listener broke %s: %s\n", never[k], res->findings[i].message);
				abort();
			}
	vc_engine_free(e);
	vm_as_free(&as);
	vc_trace_free(&t);
	return 0;
}
