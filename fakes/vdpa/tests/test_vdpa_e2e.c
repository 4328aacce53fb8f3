/* End to end on the fakes, vhost-vdpa: what the vhost-vdpa IOTLB listener
 * model emits for a scenario (UPDATE / INVALIDATE / BATCH_BEGIN / END) is
 * written, as vhost_msg_v2 writes, into the fake vDPA device through its
 * in-process API (fakes/vdpa/vdpa.h), after the set-up a client does
 * (owner, features, backend features IOTLB_MSG_V2 + IOTLB_BATCH, rings in
 * IOVA space, DRIVER_OK). The device is judged live (fakes/vdpa/live.h):
 *   - the clean boot / hot-plug scenario gives no finding on the device,
 *     and the device's IOTLB ends up with exactly the listener's mappings;
 *   - an unplug of the memory under a started ring gives VDPA-RING-06 the
 *     moment the INVALIDATE arrives, and VDPA-RING-05 when the guest
 *     restarts the device on the same (now unmapped) ring addresses;
 *   - the pre-fix eager-batch listener gives VDPA-BAT-01 on the device too.
 * The listener's host addresses are the scenario's (not this process's
 * memory), so the device reaches "the caller's memory" through a vdpa_mem
 * that answers every address the process cannot read with zeros. */
#include "harness/tests/common/testutil.h"
#include "vcts/model.h"
#include "fakes/vdpa/live.h"
#include "fakes/vdpa/vdpa.h"
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/vdpa_uapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int lenient_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	(void)opaque;
	if (vdpa_mem_self.read(vdpa_mem_self.opaque, addr, buf, len) == 0)
		return 0;
	memset(buf, 0, len);
	return 0;
}

static int self_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	(void)opaque;
	return vdpa_mem_self.write(vdpa_mem_self.opaque, addr, buf, len);
}

static int self_getfd(void *opaque, int fd)
{
	(void)opaque;
	return vdpa_mem_self.getfd(vdpa_mem_self.opaque, fd);
}

static const struct vdpa_mem guest_mem = { lenient_read, self_write, self_getfd, NULL };

#define MAX_MAPS 256

struct e2e {
	struct vdpa_dev *d;
	struct vdpa_live *l;
	FILE *live;                /* each finding, printed as it happens */
	char *live_buf;
	size_t live_len;
	int ev[4];
	uint64_t ring_base;        /* IOVA of ring 0's descriptor table */
	/* what the listener mapped (UPDATEs minus INVALIDATEs), in order */
	struct vdpa_map_info want[MAX_MAPS];
	size_t nwant;
	unsigned writes, refused;
};

static long IO(struct e2e *e, uint32_t req, void *arg)
{
	return vdpa_dev_ioctl(e->d, &guest_mem, req, (uint64_t)(uintptr_t)arg);
}

static void st(struct e2e *e, uint8_t v)
{
	ck_assert_int_eq(IO(e, VDPA_REQ_VDPA_SET_STATUS, &v), 0);
}

static uint8_t gst(struct e2e *e)
{
	uint8_t v = 0;
	ck_assert_int_eq(IO(e, VDPA_REQ_VDPA_GET_STATUS, &v), 0);
	return v;
}

static void e2e_open(struct e2e *e, uint64_t ring_base)
{
	memset(e, 0, sizeof *e);
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	e->d = vdpa_dev_new(&c);
	ck_assert_ptr_nonnull(e->d);
	e->live = open_memstream(&e->live_buf, &e->live_len);
	ck_assert_ptr_nonnull(e->live);
	e->l = vdpa_live_new("vhost-vdpa-fake (listener e2e)", NULL, e->live);
	vdpa_live_attach(e->l, e->d);
	for (int i = 0; i < 4; i++) {
		e->ev[i] = eventfd(0, EFD_CLOEXEC);
		ck_assert_int_ge(e->ev[i], 0);
	}
	e->ring_base = ring_base;
	ck_assert_int_eq(vdpa_dev_open(e->d, 5), 0);
}

/* What QEMU's vhost_vdpa_init / vhost_dev_init do before any mapping. */
static void e2e_negotiate(struct e2e *e, bool first)
{
	uint64_t f = 0, bf = 0;
	ck_assert_int_eq(IO(e, VDPA_REQ_GET_FEATURES, &f), 0);
	if (first) {
		ck_assert_int_eq(IO(e, VDPA_REQ_GET_BACKEND_FEATURES, &bf), 0);
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_OWNER, NULL), 0);
		bf &= (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH);
		ck_assert_uint_eq(bf, (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH));
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_BACKEND_FEATURES, &bf), 0);
	}
	st(e, VDPA_S_ACKNOWLEDGE);
	st(e, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER);
	uint64_t want = f & ((1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM));
	ck_assert_int_eq(IO(e, VDPA_REQ_SET_FEATURES, &want), 0);
	st(e, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK);
	ck_assert_uint_eq(gst(e), VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK);
}

/* vhost_dev_start: two rings in IOVA space, enabled, then DRIVER_OK. */
static void e2e_start(struct e2e *e)
{
	for (uint32_t q = 0; q < 2; q++) {
		uint64_t b = e->ring_base + q * 0x4000;
		uint32_t s[2] = { q, 256 };
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_VRING_NUM, s), 0);
		s[1] = 0;
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_VRING_BASE, s), 0);
		struct { uint32_t i, fl; uint64_t desc, used, avail, log; } a = { q, 0, b, b + 0x2000, b + 0x1000, 0 };
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_VRING_ADDR, &a), 0);
		uint32_t k[2] = { q, (uint32_t)e->ev[q] };
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_VRING_KICK, k), 0);
		k[1] = (uint32_t)e->ev[q + 2];
		ck_assert_int_eq(IO(e, VDPA_REQ_SET_VRING_CALL, k), 0);
		s[1] = 1;
		ck_assert_int_eq(IO(e, VDPA_REQ_VDPA_SET_VRING_ENABLE, s), 0);
	}
	st(e, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK | VDPA_S_DRIVER_OK);
	ck_assert_uint_eq(gst(e) & VDPA_S_DRIVER_OK, VDPA_S_DRIVER_OK);
}

/* vhost_dev_stop: reset, then read the ring bases. */
static void e2e_stop(struct e2e *e)
{
	st(e, 0);
	for (uint32_t q = 0; q < 2; q++) {
		uint32_t s[2] = { q, 0 };
		ck_assert_int_eq(IO(e, VDPA_REQ_GET_VRING_BASE, s), 0);
	}
}

static void track(struct e2e *e, const struct vc_vdpa_iotlb *m)
{
	if (m->type == VDPA_IOTLB_UPDATE) {
		ck_assert_uint_lt(e->nwant, MAX_MAPS);
		e->want[e->nwant++] = (struct vdpa_map_info){ 0, m->iova, m->size, m->uaddr, m->perm };
	} else if (m->type == VDPA_IOTLB_INVALIDATE) {
		size_t w = 0;
		for (size_t i = 0; i < e->nwant; i++)
			if (e->want[i].iova + e->want[i].size <= m->iova || e->want[i].iova >= m->iova + m->size)
				e->want[w++] = e->want[i];
		e->nwant = w;
	}
}

/* One IOTLB message of the listener, as the vhost_msg_v2 write QEMU does. */
static void write_msg(struct e2e *e, const struct vc_vdpa_iotlb *m)
{
	uint8_t b[VDPA_MSG_V2_SIZE] = { 0 };
	uint32_t type = VDPA_MSG_TYPE_IOTLB_V2, asid = 0;
	memcpy(b + VDPA_MSG_V2_TYPE_OFF, &type, 4);
	memcpy(b + VDPA_MSG_V2_ASID_OFF, &asid, 4);
	uint8_t *p = b + VDPA_MSG_V2_IOTLB_OFF;
	memcpy(p, &m->iova, 8);
	memcpy(p + 8, &m->size, 8);
	memcpy(p + 16, &m->uaddr, 8);
	p[24] = m->perm;
	p[25] = m->type;
	long r = vdpa_dev_write(e->d, &guest_mem, (uint64_t)(uintptr_t)b, sizeof b);
	e->writes++;
	if (r != (long)sizeof b)
		e->refused++;
	else
		track(e, m);
}

/* Replay a scenario (one vhost-vdpa listener) into the device: its IOTLB
 * messages in order; the rings start just before transaction start_at
 * (0-based; transaction 0 is the listener's registration on the empty
 * view, 1 the scenario's first step). */
static void replay(struct e2e *e, const char *label, const char *buf, size_t len, unsigned start_at)
{
	struct vc_trace t;
	vc_trace_init(&t, label, VC_FMT_SCENARIO);
	struct vc_error err = { 0 };
	ck_assert_msg(vm_import_scenario(&t, buf, len, &err) == 0, "%s: %s", label, err.what);
	ck_assert_uint_eq(t.nsessions, 1);
	unsigned txn = 0;
	for (size_t i = 0; i < t.nevents; i++) {
		const struct vc_event *ev = &t.events[i];
		if (ev->kind == VC_EV_MEM_BEGIN) {
			if (txn == start_at)
				e2e_start(e);
			txn++;
		} else if (ev->kind == VC_EV_VDPA_IOTLB) {
			write_msg(e, &ev->u.iotlb);
		}
	}
	vc_trace_free(&t);
}

static char *slurp(const char *rel, size_t *len)
{
	FILE *f = fopen(vc_test_path(rel), "rb");
	ck_assert_msg(f != NULL, "%s", rel);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, (1 << 20) - 1, f);
	fclose(f);
	b[*len] = '\0';
	return b;
}

/* Close the device, end the live sessions: "ID:n ..." of the rules with
 * findings. */
static void e2e_finish(struct e2e *e, char *out, size_t len)
{
	vdpa_dev_release(e->d);
	const struct vc_results *r = vdpa_live_finish(e->l);
	out[0] = '\0';
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		uint64_t n = 0;
		for (size_t s = 0; s < r->nsessions; s++)
			n += r->sessions[s].rules[i].failures;
		if (n) {
			size_t l = strlen(out);
			snprintf(out + l, len - l, "%s%s:%llu", l ? " " : "", vc_rule(i)->id, (unsigned long long)n);
		}
	}
	vdpa_live_free(e->l);
	vdpa_dev_free(e->d);
	for (int i = 0; i < 4; i++)
		close(e->ev[i]);
	fclose(e->live);
	free(e->live_buf);
}

/* The findings printed so far (the device still open): the live text. */
static const char *live_text(struct e2e *e)
{
	fflush(e->live);
	return e->live_buf ? e->live_buf : "";
}

START_TEST(clean_boot_hotplug_on_the_device)
{
	size_t len;
	char *buf = slurp("traces/scenarios/vdpa-fixed.json", &len);
	struct e2e e;
	e2e_open(&e, 0x100000);
	e2e_negotiate(&e, true);
	replay(&e, "vdpa-fixed.json", buf, len, 2);
	free(buf);
	ck_assert_uint_gt(e.writes, 0);
	ck_assert_uint_eq(e.refused, 0);
	/* The device holds exactly what the listener mapped: the boot RAM
	 * (two sections around the VGA hole) and the BIOS; the dimm came and
	 * went, the ram_device and bit-63 sections were never mapped. */
	struct vdpa_map_info got[MAX_MAPS];
	size_t n = vdpa_get_maps(e.d, got, MAX_MAPS);
	ck_assert_uint_eq(n, e.nwant);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < e.nwant && (e.want[j].iova != got[i].iova || e.want[j].size != got[i].size ||
				       e.want[j].uaddr != got[i].uaddr || e.want[j].perm != got[i].perm))
			j++;
		ck_assert_msg(j < e.nwant, "device maps 0x%llx + 0x%llx, the listener did not",
			      (unsigned long long)got[i].iova, (unsigned long long)got[i].size);
		ck_assert_uint_eq(got[i].asid, 0);
	}
	ck_assert_uint_eq(got[0].iova, 0);
	ck_assert_uint_eq(got[0].size, 0xa0000);
	ck_assert_uint_eq(got[0].uaddr, 0x7f0000000000ull);
	ck_assert_uint_eq(got[1].iova, 0xc0000);
	ck_assert_uint_eq(got[1].size, 0x1ff40000);
	ck_assert_uint_eq(got[2].iova, 0xfffc0000);
	e2e_stop(&e);
	char f[512];
	e2e_finish(&e, f, sizeof f);
	ck_assert_msg(!strcmp(f, ""), "device-side findings: %s", f);
}
END_TEST

/* A pc-dimm whose memory holds the started rings is unplugged. */
static const char unplug_scenario[] =
	"{ \"vhost-cts-scenario\": 1,\n"
	"  \"description\": \"vhost-vdpa: the rings live in a dimm that is unplugged while the device runs\",\n"
	"  \"regions\": {\n"
	"    \"mem\": { \"kind\": [\"ram\"], \"size\": \"256M\", \"host\": \"0x7f0000000000\", \"fd\": 1 },\n"
	"    \"dimm1\": { \"kind\": [\"ram\"], \"size\": \"128M\", \"host\": \"0x7f2000000000\", \"fd\": 5 }\n"
	"  },\n"
	"  \"listeners\": [ { \"name\": \"vdpa0\", \"backend\": \"vhost-vdpa\" } ],\n"
	"  \"steps\": [\n"
	"    { \"add\": [ { \"region\": \"mem\", \"gpa\": \"0\", \"size\": \"256M\" } ] },\n"
	"    { \"add\": [ { \"region\": \"dimm1\", \"gpa\": \"4G\", \"size\": \"128M\" } ] },\n"
	"    { \"del\": [ { \"region\": \"dimm1\", \"gpa\": \"4G\", \"size\": \"128M\" } ] }\n"
	"  ]\n"
	"}\n";

START_TEST(unplug_under_started_ring)
{
	struct e2e e;
	e2e_open(&e, 0x100000000ull);
	e2e_negotiate(&e, true);
	/* boot, plug the dimm; the rings start in the dimm; unplug. */
	replay(&e, "unplug-under-ring (vdpa)", unplug_scenario, sizeof unplug_scenario - 1, 3);
	ck_assert_uint_eq(e.refused, 0);
	/* The INVALIDATE went through: only the boot RAM is left. */
	struct vdpa_map_info got[8];
	ck_assert_uint_eq(vdpa_get_maps(e.d, got, 8), 1);
	ck_assert_uint_eq(got[0].iova, 0);
	/* Caught live, at the INVALIDATE, while the device still runs. */
	const char *now = live_text(&e);
	ck_assert_msg(strstr(now, "VDPA-RING-06") != NULL, "no live VDPA-RING-06 at the unplug: '%s'", now);
	ck_assert_msg(strstr(now, "VDPA-RING-05") == NULL, "%s", now);
	ck_assert_uint_eq(gst(&e) & VDPA_S_DRIVER_OK, VDPA_S_DRIVER_OK);
	/* The guest resets the device and starts it again on the same ring
	 * addresses, which nothing maps any more. */
	e2e_stop(&e);
	e2e_negotiate(&e, false);
	e2e_start(&e);
	e2e_stop(&e);
	char f[512];
	e2e_finish(&e, f, sizeof f);
	ck_assert_msg(!strcmp(f, "VDPA-RING-05:2 VDPA-RING-06:1"), "device-side findings: '%s'", f);
}
END_TEST

START_TEST(prefix_eager_batch_on_the_device)
{
	size_t len;
	char *buf = slurp("traces/scenarios/vdpa-prefix-eager-batch.json", &len);
	struct e2e e;
	e2e_open(&e, 0x100000);
	e2e_negotiate(&e, true);
	replay(&e, "vdpa-prefix-eager-batch.json", buf, len, 2);
	free(buf);
	ck_assert_uint_eq(e.refused, 0);
	/* Same mappings as the fixed listener: only the batching differs. */
	struct vdpa_map_info got[MAX_MAPS];
	ck_assert_uint_eq(vdpa_get_maps(e.d, got, MAX_MAPS), 3);
	e2e_stop(&e);
	char f[512];
	e2e_finish(&e, f, sizeof f);
	ck_assert_msg(!strcmp(f, "VDPA-BAT-01:5"), "device-side findings: '%s'", f);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vdpa-e2e");
	TCase *tc = tcase_create("listener-to-fake-device");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, clean_boot_hotplug_on_the_device);
	tcase_add_test(tc, unplug_under_started_ring);
	tcase_add_test(tc, prefix_eager_batch_on_the_device);
	suite_add_tcase(s, tc);
	return s;
}
