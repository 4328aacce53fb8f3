/* Listener replay cost per transaction for 10, 100, 1,000 and 10,000
 * sections in the flat view, each transaction plugging or unplugging one
 * section (every listener then sees every section: region_nop for the
 * rest, as in QEMU). Printed as time per transaction and as a ratio to the
 * 10-section case, all measured in this run: linear growth shows as a
 * ratio of about N/10 and time per section staying flat; QEMU's own log
 * sync is quadratic in sections. Output goes to a counting sink so the
 * model alone is measured, then once through the rule engine. */
#include "vcts/model.h"
#include "vcts/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count(void *opaque, const struct vc_event *ev)
{
	(void)ev;
	(*(uint64_t *)opaque)++;
}

struct feed {
	struct vc_engine *e;
	uint64_t n;
};

static void to_engine(void *opaque, const struct vc_event *ev)
{
	struct feed *f = opaque;
	f->n++;
	vc_engine_feed(f->e, ev);
}

static struct vc_mem_section sec(size_t i)
{
	/* 2 MiB sections with 4 KiB holes: nothing merges, every one counts */
	struct vc_mem_section s = { .gpa = (uint64_t)i << 22, .size = 2 << 20, .flags = VC_MEMF_RAM,
				    .fd_ident = i + 1, .offset = 0 };
	s.hva = 0x100000000000ull + ((uint64_t)i << 22);
	snprintf(s.name, sizeof s.name, "dimm%zu", i);
	return s;
}

/* Seconds per transaction with n sections, through the model only
 * (engine == false) or the model and the rule engine. */
static double run(size_t n, bool engine, unsigned txns)
{
	struct vm_as as;
	vm_as_init(&as);
	uint64_t events = 0;
	struct feed f = { 0 };
	struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_KERNEL, .slots = 1u << 20 };
	struct vm_out o = { .emit = count, .opaque = &events };
	if (engine) {
		f.e = vc_engine_new(NULL);
		struct vc_session s = { .name = "bench", .source = "bench" };
		vc_engine_add_session(f.e, &s);
		o.emit = to_engine;
		o.opaque = &f;
	}
	vm_as_add_listener(&as, "bench", &cfg, &o);
	struct vm_listener_cfg vcfg = { .backend = VC_MEMB_VHOST_VDPA, .iotlb_batch = true };
	vm_as_add_listener(&as, "bench-vdpa", &vcfg, &o);
	char why[300];
	vm_as_begin(&as);
	for (size_t i = 0; i < n; i++) {
		struct vc_mem_section s = sec(i);
		vm_as_add(&as, &s, why, sizeof why);
	}
	vm_as_commit(&as, why, sizeof why);
	double t0 = now();
	for (unsigned k = 0; k < txns; k++) {
		struct vc_mem_section s = sec(n);
		vm_as_begin(&as);
		if (k % 2 == 0)
			vm_as_add(&as, &s, why, sizeof why);
		else
			vm_as_del(&as, &s, why, sizeof why);
		if (vm_as_commit(&as, why, sizeof why)) {
			fprintf(stderr, "bench: %s\n", why);
			exit(1);
		}
	}
	double dt = (now() - t0) / txns;
	if (engine)
		vc_engine_free(f.e);
	vm_as_free(&as);
	return dt;
}

int main(void)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000 };
	for (int engine = 0; engine < 2; engine++) {
		printf("%s\n", engine ? "model + rule engine (MEM-* judged):" : "listener models only:");
		double base = 0;
		for (size_t i = 0; i < 4; i++) {
			size_t n = sizes[i];
			unsigned txns = (unsigned)(200000 / n) + 20;
			double best = 1e9;
			for (int rep = 0; rep < 3; rep++) {
				double d = run(n, engine, txns);
				best = d < best ? d : best;
			}
			if (!i)
				base = best;
			printf("  %6zu sections/transaction: %10.1f us/transaction, %7.1f ns/section, x%.0f the 10-section cost (linear: x%zu)\n",
			       n, best * 1e6, best * 1e9 / (double)n, best / base, n / 10);
		}
	}
	return 0;
}
