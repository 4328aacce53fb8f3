/* The memory model (lib/model/): every shipped scenario gives exactly its
 * documented findings, the listener models behave as QEMU's do on small
 * hand-made topologies, and bad scenarios fail with a located one-line
 * error. */
#include "harness/tests/common/testutil.h"
#include "vcts/model.h"
#include "vcts/engine.h"
#include "vcts/vdpa_uapi.h"
#include "vcts/wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "RULExN ..." of a run over one trace, sorted by rule order. */
static void judge(struct vc_trace *t, char *buf, size_t len)
{
	struct vc_engine *e = vc_engine_new(NULL);
	for (size_t s = 0; s < t->nsessions; s++)
		vc_engine_add_session(e, &t->sessions[s]);
	for (size_t i = 0; i < t->nevents; i++)
		vc_engine_feed(e, &t->events[i]);
	const struct vc_results *r = vc_engine_finish(e);
	unsigned n[VC_RULE_COUNT] = { 0 };
	for (size_t i = 0; i < r->nfindings; i++)
		n[r->findings[i].rule]++;
	buf[0] = '\0';
	for (unsigned k = 0; k < VC_RULE_COUNT; k++)
		if (n[k])
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%sx%u", buf[0] ? " " : "", vc_rule(k)->id, n[k]);
	vc_engine_free(e);
}

static const struct {
	const char *file;
	const char *findings;
} shipped[] = {
	{ "boot-512m.json", "" },
	{ "dimm-hotplug-unplug.json", "" },
	{ "hugepages-2m.json", "" },
	{ "hugepages-2m-no-round.json", "MEM-02x1" },
	/* VU-ONCE-03 flags QEMU's own two SET_LOG_BASE (log start, then grow
	 * before the larger table): see traces/scenarios/README.md. */
	{ "migration-dirty-log.json", "" },
	{ "migration-log-late-grow.json", "VU-LOG-02x1 MEM-06x1" },
	{ "mmio-change.json", "" },
	{ "mmio-change-always-send.json", "VU-ONCE-04x1 MEM-04x1" },
	{ "relocate-ring.json", "MEM-05x1" },
	{ "rom-no-filter.json", "VU-MEM-03x1 MEM-01x1 MEM-02x1" },
	{ "rounded-overlap.json", "MEM-03x1" },
	{ "rounded-overlap-silent.json", "MEM-01x1 MEM-02x1 MEM-03x1" },
	{ "too-many-slots.json", "MEM-11x1" },
	{ "unplug-under-ring.json", "VU-RING-08x1 MEM-05x1" },
	{ "vdpa-fixed.json", "" },
	{ "vdpa-prefix-eager-batch.json", "MEM-10x5 VDPA-BAT-01x5" },
	{ "vdpa-map-all.json", "MEM-07x4" },
	{ "vdpa-unaligned.json", "" },
	{ "vdpa-unaligned-mapped.json", "MEM-08x1" },
	{ "vdpa-no-page-align.json", "MEM-09x2" },
};

START_TEST(scenarios_give_their_findings)
{
	char path[256], got[512], msg[700];
	snprintf(path, sizeof path, "traces/scenarios/%s", shipped[_i].file);
	struct vc_trace t;
	struct vc_error err;
	ck_assert_msg(vc_trace_load(&t, vc_test_path(path), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(t.format, VC_FMT_SCENARIO);
	judge(&t, got, sizeof got);
	ck_assert_msg(strcmp(got, shipped[_i].findings) == 0, "%s: want '%s', got '%s'", shipped[_i].file,
		      shipped[_i].findings, got);
	vc_trace_free(&t);
}
END_TEST

/* The differential check on QEMU 7.2's own logs (traces/scenarios/README.md,
 * "QEMU trace logs: the differential check"): every listener session of
 * each log replays through the model with no difference, and exactly as
 * many decisions are compared as the table there says. Sessions are the
 * listeners in order; checks are MEM-02 (rounding + merging), MEM-03
 * (overlaps), MEM-04 (Changed:). */
static const struct {
	const char *file;
	unsigned listeners;
	uint64_t checks[2][3];
} qemu_logs[] = {
	{ "traces/qemu-dpdk-net/qemu-trace.log", 1, { { 1060, 705, 200 } } },
	{ "traces/qemu-dpdk-net/qemu-trace-timestamps.log", 1, { { 1060, 705, 200 } } },
	{ "traces/qemu-dpdk-net-mq/qemu-trace.log", 2, { { 1060, 705, 204 }, { 1060, 705, 196 } } },
	{ "traces/qemu-blk-qsd/qemu-trace.log", 1, { { 1050, 640, 114 } } },
	/* pc-dimm plugged and unplugged while the rings run: two commits with
	 * Started: 1 Changed: 1, the dimm's section rounded to itself */
	{ "traces/qemu-hotplug/qemu-trace.log", 1, { { 1088, 723, 204 } } },
};

START_TEST(qemu_logs_match_the_model)
{
	struct vc_trace t;
	struct vc_error err;
	char msg[700];
	ck_assert_msg(vc_trace_load(&t, vc_test_path(qemu_logs[_i].file), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(t.format, VC_FMT_QEMU_TRACE);
	struct vc_engine *e = vc_engine_new(NULL);
	for (size_t i = 0; i < t.nsessions; i++)
		vc_engine_add_session(e, &t.sessions[i]);
	for (size_t i = 0; i < t.nevents; i++)
		vc_engine_feed(e, &t.events[i]);
	const struct vc_results *r = vc_engine_finish(e);
	ck_assert_msg(r->nfindings == 0, "%s: %zu findings, first: %s", qemu_logs[_i].file, r->nfindings,
		      r->nfindings ? r->findings[0].message : "");
	static const enum vc_rule_id mem[3] = { VC_R_MEM_02, VC_R_MEM_03, VC_R_MEM_04 };
	unsigned nl = 0;
	for (size_t k = 0; k < r->nsessions; k++) {
		if (!strstr(r->sessions[k].info.name, "memory listener"))
			continue;
		ck_assert_uint_lt(nl, qemu_logs[_i].listeners);
		for (int m = 0; m < 3; m++) {
			const struct vc_rule_result *rr = &r->sessions[k].rules[mem[m]];
			ck_assert_msg(rr->verdict == VC_PASS && rr->checks == qemu_logs[_i].checks[nl][m],
				      "%s listener %u %s: verdict %d, %" PRIu64 " checks, want PASS, %" PRIu64,
				      qemu_logs[_i].file, nl, vc_rule(mem[m])->id, (int)rr->verdict, rr->checks,
				      qemu_logs[_i].checks[nl][m]);
		}
		nl++;
	}
	ck_assert_uint_eq(nl, qemu_logs[_i].listeners);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* Every MEM rule and VDPA-BAT-01 is broken by at least one shipped
 * scenario and evaluated (PASS) by at least one clean one. */
START_TEST(every_rule_has_trigger_and_clean)
{
	static const char *const ids[] = { "MEM-01", "MEM-02", "MEM-03", "MEM-04", "MEM-05", "MEM-06", "MEM-07",
					   "MEM-08", "MEM-09", "MEM-10", "MEM-11", "VDPA-BAT-01" };
	bool trig[12] = { 0 }, clean[12] = { 0 };
	for (size_t f = 0; f < sizeof shipped / sizeof shipped[0]; f++) {
		char path[256], msg[600];
		snprintf(path, sizeof path, "traces/scenarios/%s", shipped[f].file);
		struct vc_trace t;
		struct vc_error err;
		ck_assert_msg(vc_trace_load(&t, vc_test_path(path), VC_FMT_AUTO, 0, &err) == 0, "%s",
			      vc_error_str(&err, msg, sizeof msg));
		struct vc_engine *e = vc_engine_new(NULL);
		for (size_t s = 0; s < t.nsessions; s++)
			vc_engine_add_session(e, &t.sessions[s]);
		for (size_t i = 0; i < t.nevents; i++)
			vc_engine_feed(e, &t.events[i]);
		const struct vc_results *r = vc_engine_finish(e);
		for (size_t k = 0; k < 12; k++) {
			const struct vc_rule *rule = vc_rule_by_id(ids[k]);
			ck_assert_ptr_nonnull(rule);
			for (size_t s = 0; s < r->nsessions; s++) {
				enum vc_verdict v = r->sessions[s].rules[rule->num].verdict;
				trig[k] |= v == VC_FAIL;
				clean[k] |= v == VC_PASS && !shipped[f].findings[0];
			}
		}
		vc_engine_free(e);
		vc_trace_free(&t);
	}
	for (size_t k = 0; k < 12; k++) {
		ck_assert_msg(trig[k], "%s: no scenario triggers it", ids[k]);
		/* MEM-05..07/11 are judged PASS on clean scenarios too */
		ck_assert_msg(clean[k] || !strcmp(ids[k], "VDPA-BAT-01") || !strcmp(ids[k], "MEM-06"),
			      "%s: no clean scenario evaluates it", ids[k]);
	}
}
END_TEST

/* ---- the models on their own ---- */

struct sink {
	struct vc_event ev[256];
	uint8_t payload[256][512];
	size_t n;
};

static void collect(void *opaque, const struct vc_event *ev)
{
	struct sink *s = opaque;
	if (s->n >= 256)
		return;
	s->ev[s->n] = *ev;
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.payload_len <= 512) {
		memcpy(s->payload[s->n], ev->u.vu.payload, ev->u.vu.payload_len);
		s->ev[s->n].u.vu.payload = s->payload[s->n];
	}
	s->ev[s->n].fds = NULL;
	s->n++;
}

static struct vc_mem_section ram(const char *name, uint64_t gpa, uint64_t size, uint64_t base, uint64_t off,
				 uint64_t fd, uint64_t page)
{
	struct vc_mem_section s = { .gpa = gpa, .size = size, .hva = base + off, .offset = off,
				    .fd_ident = fd, .page_size = page, .flags = VC_MEMF_RAM };
	snprintf(s.name, sizeof s.name, "%s", name);
	return s;
}

/* QEMU 7.2's own log for the PAM area (traces/qemu-dpdk-net): sections of
 * one block merge, sizes by QEMU's max(inclusive end, exclusive end). */
START_TEST(vhost_merges_like_qemu)
{
	struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_USER };
	struct vm_vhost v;
	vm_vhost_init(&v, &cfg);
	const uint64_t B = 0x7f6f27fff000ull;
	vm_vhost_begin(&v);
	struct vc_mem_section s = ram("mem", 0, 0xa0000, B, 0, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert(v.last.added);
	s = ram("mem", 0xc0000, 0xa000, B, 0xc0000, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert(v.last.added && !v.last.merged);
	s = ram("mem", 0xca000, 0x3000, B, 0xca000, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert(v.last.merged);
	ck_assert_uint_eq(v.last.m_size, 0xd000);
	ck_assert_uint_eq(v.last.m_gpa, 0xc0000);
	ck_assert_uint_eq(v.last.m_owr, 0xc0000);
	s = ram("mem", 0x100000, 0xff00000, B, 0x100000, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert(v.last.added); /* a gap of 0x33000 before it: no merge */
	vm_vhost_commit(&v, NULL);
	ck_assert(v.last.changed);
	struct vu_region_pl r[4];
	ck_assert_uint_eq(vm_vhost_table(&v, r, 4), 3);
	ck_assert_uint_eq(r[1].uva, B + 0xc0000);
	ck_assert_uint_eq(r[1].size, 0xd000);
	/* the same list again: no change */
	vm_vhost_begin(&v);
	s = ram("mem", 0, 0xa0000, B, 0, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	s = ram("mem", 0xc0000, 0xd000, B, 0xc0000, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	s = ram("mem", 0x100000, 0xff00000, B, 0x100000, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	vm_vhost_commit(&v, NULL);
	ck_assert(!v.last.changed);
	vm_vhost_free(&v);
}
END_TEST

START_TEST(vhost_filter_and_rounding)
{
	struct vc_mem_section s = ram("x", 0, 0x1000, 0x10000, 0, 1, 0);
	ck_assert_int_eq(vm_vhost_filter(&s), 0);
	s.flags |= VC_MEMF_ROM;
	ck_assert_int_eq(vm_vhost_filter(&s), 3);
	s.flags = 0;
	ck_assert_int_eq(vm_vhost_filter(&s), 3);
	s.flags = VC_MEMF_RAM;
	s.dirty_mask = VC_MEM_DIRTY_MIGRATION | VC_MEM_DIRTY_CODE;
	ck_assert_int_eq(vm_vhost_filter(&s), 0);
	s.dirty_mask |= VC_MEM_DIRTY_VGA;
	ck_assert_int_eq(vm_vhost_filter(&s), 1);
	/* vhost-user rounds to the block's page; no fd: refused (reason 2) */
	struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_USER };
	struct vm_vhost v;
	vm_vhost_init(&v, &cfg);
	vm_vhost_begin(&v);
	s = ram("hp", 0x1ff00000, 0x100000, 0x7f4000000000ull, 0x100000, 7, 2 << 20);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert_uint_eq(v.last.r_gpa, 0x1fe00000);
	ck_assert_uint_eq(v.last.r_size, 0x200000);
	s = ram("anon", 0x40000000, 0x1000, 0x10000, 0, 0, 0);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert(v.last.rejected);
	ck_assert_int_eq(v.last.reject_reason, 2);
	vm_vhost_free(&v);
	/* vhost-kernel does not round */
	cfg.backend = VC_MEMB_VHOST_KERNEL;
	vm_vhost_init(&v, &cfg);
	vm_vhost_begin(&v);
	s = ram("hp", 0x1ff00000, 0x100000, 0x7f4000000000ull, 0x100000, 7, 2 << 20);
	vm_vhost_addnop(&v, &s, NULL);
	ck_assert_uint_eq(v.last.r_gpa, 0x1ff00000);
	ck_assert_uint_eq(vm_vhost_slots(&v), VM_SLOTS_VHOST_KERNEL);
	vm_vhost_free(&v);
}
END_TEST

/* QEMU's verification misses a ring no region meets, catches a partial
 * one (-ENOMEM) and a moved one (-EBUSY). */
START_TEST(vhost_ring_verification)
{
	struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_USER };
	struct vm_vhost v;
	vm_vhost_init(&v, &cfg);
	vm_vhost_begin(&v);
	struct vc_mem_section s = ram("m", 0, 0x100000, 0x10000000, 0, 1, 0);
	vm_vhost_addnop(&v, &s, NULL);
	vm_vhost_commit(&v, NULL);
	struct vm_ring q = { .index = 0, .gpa = { 0xff000, 0xff800, 0xffc00 }, .size = { 0x800, 0x206, 0x200 } };
	for (int p = 0; p < 3; p++)
		q.hva[p] = 0x10000000 + q.gpa[p];
	struct sink *k = calloc(1, sizeof *k);
	struct vm_out o = { .emit = collect, .opaque = k };
	vm_vhost_start(&v, &q, 1, &o);
	uint32_t ring, part;
	ck_assert_int_eq(vm_vhost_verify(&v, &ring, &part), 0);
	/* shrink the region under the used ring */
	vm_vhost_begin(&v);
	s = ram("m", 0, 0xffd00, 0x10000000, 0, 1, 0);
	vm_vhost_addnop(&v, &s, &o);
	vm_vhost_commit(&v, &o);
	ck_assert(v.last.verify_failed);
	ck_assert_int_eq(v.last.verify_code, VC_MEMR_RING_UNMAPPED);
	ck_assert_uint_eq(v.last.verify_part, 2);
	ck_assert(v.dead);
	vm_vhost_free(&v);
	free(k);
}
END_TEST

static size_t count_iotlb(const struct sink *k, uint8_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < k->n; i++)
		n += k->ev[i].kind == VC_EV_VDPA_IOTLB && k->ev[i].u.iotlb.type == type;
	return n;
}

START_TEST(vdpa_batches)
{
	for (int eager = 0; eager < 2; eager++) {
		struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_VDPA, .iotlb_batch = true,
					       .bugs = eager ? VM_BUG_EAGER_BATCH : 0 };
		struct vm_vdpa d;
		vm_vdpa_init(&d, &cfg);
		struct sink *k = calloc(1, sizeof *k);
		struct vm_out o = { .emit = collect, .opaque = k };
		/* a transaction with only a ram_device section */
		vm_vdpa_begin(&d, &o);
		struct vc_mem_section s = ram("notifier", 0xfe003000, 0x1000, 0x7f6000000000ull, 0, 8, 0);
		s.flags |= VC_MEMF_RAM_DEVICE;
		vm_vdpa_region(&d, true, &s, &o);
		ck_assert_int_eq(d.last.action, VC_MEMR_SKIPPED);
		vm_vdpa_commit(&d, &o);
		ck_assert_uint_eq(count_iotlb(k, VDPA_IOTLB_BATCH_BEGIN), (size_t)eager);
		ck_assert_uint_eq(count_iotlb(k, VDPA_IOTLB_BATCH_END), (size_t)eager);
		/* a real one: begin once, two updates, end */
		k->n = 0;
		vm_vdpa_begin(&d, &o);
		s = ram("mem", 0, 0xa0000, 0x7f0000000000ull, 0, 1, 0);
		vm_vdpa_region(&d, true, &s, &o);
		s = ram("mem", 0x100000, 0x1000000, 0x7f0000000000ull, 0x100000, 1, 0);
		vm_vdpa_region(&d, true, &s, &o);
		vm_vdpa_commit(&d, &o);
		ck_assert_uint_eq(count_iotlb(k, VDPA_IOTLB_BATCH_BEGIN), 1);
		ck_assert_uint_eq(count_iotlb(k, VDPA_IOTLB_UPDATE), 2);
		ck_assert_uint_eq(count_iotlb(k, VDPA_IOTLB_BATCH_END), 1);
		ck_assert_uint_eq(k->ev[eager ? 1 : 0].u.iotlb.type, eager ? VDPA_IOTLB_UPDATE : VDPA_IOTLB_BATCH_BEGIN);
		free(k);
	}
}
END_TEST

START_TEST(vdpa_ranges)
{
	struct vm_listener_cfg cfg = { .backend = VC_MEMB_VHOST_VDPA };
	struct vm_vdpa d;
	vm_vdpa_init(&d, &cfg);
	struct vc_mem_section s = ram("odd", 0x20100800, 0x10000, 0x7f7000000000ull, 0x800, 9, 0);
	uint64_t iova, size;
	ck_assert(vm_vdpa_range(&d, &s, &iova, &size));
	ck_assert_uint_eq(iova, 0x20101000);
	ck_assert_uint_eq(size, 0xf000);
	s.size = 0x400; /* no whole page */
	ck_assert(!vm_vdpa_range(&d, &s, &iova, &size));
	s = ram("top", 0xfffffffffff00000ull, 0x4000, 0x7f0000000000ull, 0, 1, 0);
	ck_assert(vm_vdpa_skipped(&s));
}
END_TEST

/* ---- bad input ---- */

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "{\"vhost-cts-scenario\": 1, ", ":1: column 27: invalid JSON: unexpected end of file" },
	{ "{\"vhost-cts-scenario\": 1}\n  x", ":2: column 3: text after the scenario object" },
	{ "{\"vhost-cts-scenario\": 2, \"regions\": {}, \"listeners\": [], \"steps\": []}", "version 1" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {}, \"listeners\": [{\"backend\": \"vhost-user\"}], \"steps\": [], \"x\": 1}", "$: unknown key 'x'" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"flash\"], \"size\": 4096}}, \"listeners\": [{\"backend\": \"vhost-user\"}], \"steps\": []}",
	  "$.regions.r.kind[0]: unknown kind 'flash'" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"ram\"], \"size\": \"0x2000\", \"host\": \"0x10000\"}},"
	  " \"listeners\": [{\"backend\": \"vhost-user\"}],\n \"steps\": [\n{\"add\": [{\"region\": \"r\", \"gpa\": 0, \"size\": \"0x1000\"},"
	  " {\"region\": \"r\", \"gpa\": \"0x800\", \"size\": \"0x1000\", \"offset\": \"0x1000\"}]}]}",
	  ":3: $.steps[0]: sections 'r' (0x0 + 0x1000) and 'r' (0x800) overlap" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"ram\"], \"size\": \"16E\", \"host\": 1}}, \"listeners\": [{\"backend\": \"vhost-user\"}], \"steps\": []}",
	  "$.regions.r.size: size '16E' is not a number" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"ram\"], \"size\": \"0x1000\", \"host\": 1}}, \"listeners\": [{\"backend\": \"vhost-user\"}],"
	  " \"steps\": [{\"add\": [{\"region\": \"r\", \"gpa\": \"0xfffffffffffff800\", \"size\": \"0x1000\"}]}]}",
	  "$.steps[0].add[0]: gpa 0xfffffffffffff800 + size 0x1000 wraps the address space" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {}, \"listeners\": [{\"backend\": \"vhost-usr\"}], \"steps\": []}",
	  "$.listeners[0]: unknown backend 'vhost-usr'" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {}, \"listeners\": [{\"backend\": \"vhost-vdpa\", \"bugs\": [\"lazy\"]}], \"steps\": []}",
	  "$.listeners[0].bugs[0]: unknown listener variant 'lazy'" },
	{ "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"ram\"], \"size\": \"0x1000\", \"host\": 1}}, \"listeners\": [{\"backend\": \"vhost-user\"}],"
	  " \"steps\": [{\"del\": [{\"region\": \"r\", \"gpa\": 0, \"size\": \"0x1000\"}]}]}",
	  "$.steps[0]: del of section 'r' at 0x0 + 0x1000 that is not in the address space" },
	{ "[1,2,3]", "$: a scenario is a JSON object" },
};

START_TEST(bad_scenarios)
{
	struct vc_trace t;
	struct vc_error err;
	char msg[800];
	vc_trace_init(&t, "bad.json", VC_FMT_SCENARIO);
	size_t n = strlen(bad[_i].text);
	char *copy = malloc(n);
	memcpy(copy, bad[_i].text, n); /* no NUL: ASan sees any overread */
	ck_assert_int_eq(vc_import_buffer(&t, VC_FMT_SCENARIO, copy, n, &err), -1);
	vc_error_str(&err, msg, sizeof msg);
	ck_assert_msg(strstr(msg, bad[_i].want) && !strchr(msg, '\n'), "want '%s' in '%s'", bad[_i].want, msg);
	ck_assert_msg(strncmp(msg, "bad.json", 8) == 0, "error names the file: %s", msg);
	free(copy);
	vc_trace_free(&t);
}
END_TEST

/* 10^5 sections in one transaction: refused with a message, no crash. */
START_TEST(too_many_sections)
{
	size_t cap = 100000 * 80 + 1000;
	char *buf = malloc(cap);
	size_t n = (size_t)snprintf(buf, cap, "{\"vhost-cts-scenario\": 1, \"regions\": {\"r\": {\"kind\": [\"ram\"], \"size\": \"1T\", \"host\": \"0x100000000000\"}},"
				    " \"listeners\": [{\"backend\": \"vhost-user\"}], \"steps\": [{\"add\": [");
	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s{\"region\":\"r\",\"gpa\":%d,\"size\":4096,\"offset\":%d}", i ? "," : "",
				      i * 8192, i * 8192);
	n += (size_t)snprintf(buf + n, cap - n, "]}]}");
	struct vc_trace t;
	struct vc_error err;
	char msg[800];
	vc_trace_init(&t, "big.json", VC_FMT_AUTO);
	ck_assert_int_eq(vc_import_buffer(&t, VC_FMT_AUTO, buf, n, &err), -1);
	vc_error_str(&err, msg, sizeof msg);
	ck_assert_msg(strstr(msg, "at most 32768"), "%s", msg);
	free(buf);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("scenarios");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, scenarios_give_their_findings, 0, sizeof shipped / sizeof shipped[0]);
	tcase_add_test(tc, every_rule_has_trigger_and_clean);
	tcase_add_loop_test(tc, qemu_logs_match_the_model, 0, sizeof qemu_logs / sizeof qemu_logs[0]);
	suite_add_tcase(s, tc);
	tc = tcase_create("models");
	tcase_add_test(tc, vhost_merges_like_qemu);
	tcase_add_test(tc, vhost_filter_and_rounding);
	tcase_add_test(tc, vhost_ring_verification);
	tcase_add_test(tc, vdpa_batches);
	tcase_add_test(tc, vdpa_ranges);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad-input");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, bad_scenarios, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, too_many_sections);
	suite_add_tcase(s, tc);
	return s;
}
