/* What the kernel relays to a VDUSE device, judged as the client's events
 * (fakes/vdpa/vduse_relay.c): a clean start and stop passes every rule
 * VDUSE can decide, each rule fails on the relayed effect of its
 * violation, and the IOTLB read back becomes the right messages. */
#include "harness/tests/common/testutil.h"
#include "fakes/vdpa/live.h"
#include "fakes/vdpa/vduse_relay.h"
#include "vcts/vdpa_uapi.h"

#include <stdlib.h>
#include <string.h>

#define F_OFFERED ((1ull << 32) | (1ull << 33) | (1ull << 6) | (1ull << 2) | (1ull << 9))
#define F_GOOD ((1ull << 32) | (1ull << 33))

enum bad {
	B_NONE,
	B_DRIVER_OK_FIRST, /* DRIVER_OK without FEATURES_OK */
	B_NO_PLATFORM,     /* ACCESS_PLATFORM not acked */
	B_UNOFFERED,       /* a feature the device did not offer */
	B_UNMAPPED_RING,   /* nothing mapped at DRIVER_OK */
	B_UNMAP_RUNNING,   /* the rings' mapping removed while running */
	B_BASE_RUNNING,    /* GET_VRING_BASE while running */
	B_BIG_NUM,         /* 512 > the vq's max 256 */
	B_DESC_MISALIGNED, /* desc 8-aligned */
	B_NOT_READY,       /* DRIVER_OK with the vq not enabled: nothing to check */
};

static const struct vduse_relay_map M_RINGS = { 0x0, 0xffff, VDPA_ACCESS_RW };

static void run(enum bad bad, char *out, size_t len)
{
	struct vc_engine_opts eo = { .rules_glob = VDUSE_RELAY_RULES };
	struct vdpa_live *l = vdpa_live_new("VDUSE test", &eo, NULL);
	struct vduse_relay r;
	vduse_relay_start(&r, F_OFFERED, 1, 256, vdpa_live_feed, l);
	struct vduse_relay_vq vq = { 256, 0x0, 0x1000, 0x2000, 0, true };
	if (bad == B_BIG_NUM)
		vq.num = 512;
	if (bad == B_DESC_MISALIGNED)
		vq.desc = 0x8;
	if (bad == B_NOT_READY)
		vq.ready = false;
	vduse_relay_status(&r, 0, 0, &vq); /* the open's reset */
	if (bad != B_UNMAPPED_RING)
		vduse_relay_iotlb(&r, &M_RINGS, 1);
	vduse_relay_status(&r, 0x1, 0, &vq);
	vduse_relay_status(&r, 0x3, 0, &vq);
	uint64_t f = bad == B_NO_PLATFORM ? 1ull << 32 : bad == B_UNOFFERED ? F_GOOD | (1ull << 40) : F_GOOD;
	if (bad == B_DRIVER_OK_FIRST) {
		vduse_relay_status(&r, 0x7, 0, &vq);
	} else {
		vduse_relay_status(&r, 0xb, f, &vq);
		vduse_relay_status(&r, 0xf, f, &vq);
	}
	if (bad == B_UNMAP_RUNNING)
		vduse_relay_iotlb(&r, NULL, 0);
	if (bad == B_BASE_RUNNING)
		vduse_relay_vq_state(&r, 0);
	vduse_relay_status(&r, 0, 0, &vq); /* reset, then the ring's state */
	vduse_relay_vq_state(&r, 0);
	vduse_relay_iotlb(&r, NULL, 0); /* close: the kernel drops the IOTLB */
	vduse_relay_status(&r, 0, 0, &vq);
	vduse_relay_end(&r);
	const struct vc_results *res = vdpa_live_finish(l);
	ck_assert_uint_eq(res->nsessions, 1);
	ck_assert_str_eq(res->sessions[0].info.name, "VDUSE test");
	out[0] = '\0';
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		const struct vc_rule_result *rr = &res->sessions[0].rules[i];
		if (rr->failures) {
			size_t n = strlen(out);
			snprintf(out + n, len - n, "%s%s:%llu", n ? " " : "", vc_rule(i)->id,
				 (unsigned long long)rr->failures);
		}
		/* Only the rules VDUSE can decide are judged. */
		bool decidable = strstr(VDUSE_RELAY_RULES, vc_rule(i)->id) != NULL;
		ck_assert_msg(decidable || rr->verdict == VC_DISABLED, "%s judged", vc_rule(i)->id);
	}
	if (bad == B_NONE) {
		static const char *const judged[] = { "VDPA-STS-02", "VDPA-FEAT-01", "VDPA-FEAT-04", "VDPA-RING-02",
						      "VDPA-RING-03", "VDPA-RING-05", "VDPA-RING-07" };
		for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++) {
			const struct vc_rule_result *rr = &res->sessions[0].rules[vc_rule_by_id(judged[i])->num];
			ck_assert_msg(rr->verdict == VC_PASS && rr->checks > 0, "%s not passed", judged[i]);
		}
	}
	vdpa_live_free(l);
}

START_TEST(each_rule_on_its_relayed_effect)
{
	static const struct {
		enum bad bad;
		const char *findings;
	} t[] = {
		{ B_NONE, "" },
		{ B_DRIVER_OK_FIRST, "VDPA-STS-02:1" },
		{ B_NO_PLATFORM, "VDPA-FEAT-04:1" },
		{ B_UNOFFERED, "VDPA-FEAT-01:1" },
		{ B_UNMAPPED_RING, "VDPA-RING-05:1" },
		{ B_UNMAP_RUNNING, "VDPA-RING-06:1" },
		{ B_BASE_RUNNING, "VDPA-RING-07:1" },
		{ B_BIG_NUM, "VDPA-RING-02:1" },
		{ B_DESC_MISALIGNED, "VDPA-RING-03:1" },
		{ B_NOT_READY, "" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char got[256];
		run(t[i].bad, got, sizeof got);
		ck_assert_msg(strcmp(got, t[i].findings) == 0, "case %zu: got [%s], expected [%s]", i, got,
			      t[i].findings);
	}
}
END_TEST

/* The IOTLB read back after each relay becomes the difference as
 * messages: removed entries INVALIDATE (first), new or changed ones UPDATE. */
struct seen {
	char log[512];
};

static void note(const struct vc_event *ev, void *opaque)
{
	struct seen *s = opaque;
	size_t n = strlen(s->log);
	if (ev->kind == VC_EV_VDPA_IOTLB)
		snprintf(s->log + n, sizeof s->log - n, "%s%c%llx+%llx/%u", n ? " " : "",
			 ev->u.iotlb.type == VDPA_IOTLB_UPDATE ? 'U' : 'I', (unsigned long long)ev->u.iotlb.iova,
			 (unsigned long long)ev->u.iotlb.size, ev->u.iotlb.perm);
}

START_TEST(iotlb_difference)
{
	struct seen s = { "" };
	struct vduse_relay r;
	vduse_relay_start(&r, F_OFFERED, 1, 256, note, &s);
	const struct vduse_relay_map a[] = { { 0x0, 0xfff, 3 }, { 0x4000, 0x7fff, 1 } };
	vduse_relay_iotlb(&r, a, 2);
	ck_assert_str_eq(s.log, "U0+1000/3 U4000+4000/1");
	s.log[0] = '\0';
	vduse_relay_iotlb(&r, a, 2); /* nothing changed (an empty batch) */
	ck_assert_str_eq(s.log, "");
	/* the first grows, the second's permission changes, one is added */
	const struct vduse_relay_map b[] = { { 0x0, 0x1fff, 3 }, { 0x4000, 0x7fff, 3 }, { 0x10000, 0x10fff, 2 } };
	vduse_relay_iotlb(&r, b, 3);
	ck_assert_str_eq(s.log, "I0+1000/3 I4000+4000/1 U0+2000/3 U4000+4000/3 U10000+1000/2");
	s.log[0] = '\0';
	/* out of order and overlapping entries are ignored; the whole space
	 * does not fit one size: two messages */
	const struct vduse_relay_map c[] = { { 0x0, UINT64_MAX, 3 }, { 0x10, 0x20, 3 }, { 0x30, 0x20, 3 } };
	vduse_relay_iotlb(&r, c, 3);
	ck_assert_str_eq(s.log, "I0+2000/3 I4000+4000/3 I10000+1000/2 U0+8000000000000000/3 "
				"U8000000000000000+8000000000000000/3");
	s.log[0] = '\0';
	vduse_relay_iotlb(&r, NULL, 0);
	ck_assert_str_eq(s.log, "I0+8000000000000000/3 I8000000000000000+8000000000000000/3");
	vduse_relay_end(&r);
	ck_assert_ptr_null(r.maps);
	/* after the end nothing is reported */
	s.log[0] = '\0';
	vduse_relay_iotlb(&r, a, 2);
	vduse_relay_status(&r, 0xf, 0, NULL);
	ck_assert_str_eq(s.log, "");
	ck_assert_ptr_null(r.maps);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vduse_relay");
	TCase *tc = tcase_create("relay");
	tcase_add_test(tc, each_rule_on_its_relayed_effect);
	tcase_add_test(tc, iotlb_difference);
	suite_add_tcase(s, tc);
	return s;
}
