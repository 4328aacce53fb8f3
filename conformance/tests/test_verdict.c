/* vc_engine_feed_verdict(): the rules one event broke, for a live source
 * that refuses what breaks them (the fake back-end). The set holds every
 * broken rule, also those --rules disables and those waived; the engine's
 * findings and verdicts stay exactly those of vc_engine_feed. */
#include <check.h>
#include <string.h>

#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"
#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"
#include "vcts/vdpa_uapi.h"

/* A negotiated session, then SET_VRING_NUM 3 on ring 0 (VU-RING-02: not a
 * power of two) and SET_VRING_NUM 256 (clean). */
static void build_n(struct vc_trace *t, int nbad)
{
	struct vc_synth s;
	struct vs_profile p;
	vc_trace_init(t, "verdict", VC_FMT_NATIVE);
	vs_begin(&s, t, "verdict", VC_SIDE_FRONTEND);
	vs_default_profile(&p);
	vs_init(&s, &p);
	for (int i = 0; i < nbad; i++)
		vs_state(&s, VU_SET_VRING_NUM, 0, 3);
	vs_state(&s, VU_SET_VRING_NUM, 0, 256);
}

static void build(struct vc_trace *t)
{
	build_n(t, 1);
}

/* Feeds the trace; bad/good: the sets of the last two events. */
static const struct vc_results *run(struct vc_engine *e, struct vc_trace *t, struct vc_rule_set *bad,
				    struct vc_rule_set *good)
{
	for (size_t s = 0; s < t->nsessions; s++)
		vc_engine_add_session(e, &t->sessions[s]);
	for (size_t k = 0; k < t->nevents; k++) {
		struct vc_rule_set b;
		vc_engine_feed_verdict(e, &t->events[k], &b);
		if (k + 2 == t->nevents)
			*bad = b;
		else if (k + 1 == t->nevents)
			*good = b;
		else
			ck_assert_msg(!vc_rule_set_has(&b, VC_R_VU_RING_02), "event %zu", k);
	}
	return vc_engine_finish(e);
}

static size_t count_rule(const struct vc_results *r, enum vc_rule_id id)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].rule == id;
	return n;
}

START_TEST(verdict_names_the_broken_rule)
{
	struct vc_trace t;
	build(&t);
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	struct vc_rule_set bad, good;
	const struct vc_results *r = run(e, &t, &bad, &good);
	ck_assert(vc_rule_set_has(&bad, VC_R_VU_RING_02));
	ck_assert(!vc_rule_set_has(&good, VC_R_VU_RING_02));
	struct vc_rule_set empty;
	memset(&empty, 0, sizeof empty);
	ck_assert(!vc_rule_set_meets(&bad, &empty));
	ck_assert_uint_eq(count_rule(r, VC_R_VU_RING_02), 1);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_RING_02].verdict, VC_FAIL);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* Disabled by rules_glob: no finding, verdict disabled, still in the set. */
START_TEST(verdict_includes_disabled_rules)
{
	struct vc_trace t;
	build(&t);
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .rules_glob = "VU-HDR-*" });
	struct vc_rule_set bad, good;
	const struct vc_results *r = run(e, &t, &bad, &good);
	ck_assert(vc_rule_set_has(&bad, VC_R_VU_RING_02));
	ck_assert_uint_eq(count_rule(r, VC_R_VU_RING_02), 0);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_RING_02].verdict, VC_DISABLED);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* Waived: a waived finding, and in the set. */
START_TEST(verdict_includes_waived_rules)
{
	struct vc_trace t;
	build(&t);
	const char *w[] = { "VU-RING-0[2]" };
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .waive = w, .nwaive = 1 });
	struct vc_rule_set bad, good;
	const struct vc_results *r = run(e, &t, &bad, &good);
	ck_assert(vc_rule_set_has(&bad, VC_R_VU_RING_02));
	ck_assert_uint_eq(count_rule(r, VC_R_VU_RING_02), 1);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_RING_02].verdict, VC_WAIVED);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* Past the per-rule cap of stored findings the verdict still names it. */
START_TEST(verdict_past_the_finding_cap)
{
	struct vc_trace t;
	build_n(&t, 4);
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .max_findings_per_rule = 1 });
	for (size_t k = 0; k < t.nsessions; k++)
		vc_engine_add_session(e, &t.sessions[k]);
	struct vc_rule_set b;
	for (size_t k = 0; k + 1 < t.nevents; k++)
		vc_engine_feed_verdict(e, &t.events[k], &b);
	/* the fourth bad one: past the cap of one stored finding */
	ck_assert(vc_rule_set_has(&b, VC_R_VU_RING_02));
	vc_engine_feed_verdict(e, &t.events[t.nevents - 1], &b);
	ck_assert(!vc_rule_set_has(&b, VC_R_VU_RING_02));
	const struct vc_results *r = vc_engine_finish(e);
	ck_assert_uint_eq(count_rule(r, VC_R_VU_RING_02), 1);
	ck_assert_uint_eq(r->sessions[0].rules[VC_R_VU_RING_02].failures, 4);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* The same findings as vc_engine_feed on a whole fixture set. */
START_TEST(verdict_findings_equal_plain_feed)
{
	struct vc_trace t;
	build(&t);
	struct vc_engine *a = vc_engine_new(&(struct vc_engine_opts){ 0 });
	struct vc_engine *b = vc_engine_new(&(struct vc_engine_opts){ 0 });
	for (size_t s = 0; s < t.nsessions; s++) {
		vc_engine_add_session(a, &t.sessions[s]);
		vc_engine_add_session(b, &t.sessions[s]);
	}
	struct vc_rule_set x;
	for (size_t k = 0; k < t.nevents; k++) {
		vc_engine_feed(a, &t.events[k]);
		vc_engine_feed_verdict(b, &t.events[k], &x);
	}
	const struct vc_results *ra = vc_engine_finish(a), *rb = vc_engine_finish(b);
	ck_assert_uint_eq(ra->nfindings, rb->nfindings);
	for (size_t i = 0; i < ra->nfindings; i++) {
		ck_assert_int_eq(ra->findings[i].rule, rb->findings[i].rule);
		ck_assert_str_eq(ra->findings[i].message, rb->findings[i].message);
	}
	for (unsigned r = 0; r < VC_RULE_COUNT; r++)
		ck_assert_int_eq(ra->sessions[0].rules[r].verdict, rb->sessions[0].rules[r].verdict);
	vc_engine_free(a);
	vc_engine_free(b);
	vc_trace_free(&t);
}
END_TEST

/* VU-MEM-08: an IOTLB update whose user range runs past the top of the
 * address space is in no region, even when one region ends at 2^64 and
 * another starts at 0 (the walk must not wrap from one to the other). */
START_TEST(mem08_range_wrapping_past_top_is_outside)
{
	struct vc_trace t;
	struct vc_synth s;
	struct vs_profile p;
	vc_trace_init(&t, "wrap", VC_FMT_NATIVE);
	vs_begin(&s, &t, "wrap", VC_SIDE_FRONTEND);
	vs_default_profile(&p);
	p.features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p.acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(&s, &p);
	const struct vu_region_pl r[2] = {
		{ .gpa = 0, .size = 0x1000, .uva = 0xfffffffffffff000ull },
		{ .gpa = 0x1000, .size = 0x1000, .uva = 0 },
	};
	vs_memtable(&s, r, 2, NULL);
	uint8_t m[32];
	const struct vu_iotlb_pl in = { .iova = 0x1000, .size = 0x1000, .uaddr = 0xfffffffffffff000ull,
					.perm = 3, .type = VU_IOTLB_UPDATE };
	vu_enc_iotlb(m, sizeof m, &in);
	vs_req(&s, VU_IOTLB_MSG, 0, m, sizeof m, 0);
	struct vu_iotlb_pl wrap = in;
	wrap.size = 0x2000;
	vu_enc_iotlb(m, sizeof m, &wrap);
	vs_req(&s, VU_IOTLB_MSG, 0, m, sizeof m, 0);
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	for (size_t k = 0; k < t.nsessions; k++)
		vc_engine_add_session(e, &t.sessions[k]);
	struct vc_rule_set b;
	for (size_t k = 0; k < t.nevents; k++) {
		vc_engine_feed_verdict(e, &t.events[k], &b);
		if (k + 2 == t.nevents)
			ck_assert_msg(!vc_rule_set_has(&b, VC_R_VU_MEM_08), "the range inside the top region");
	}
	ck_assert_msg(vc_rule_set_has(&b, VC_R_VU_MEM_08), "the range wrapping past 2^64");
	vc_engine_finish(e);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

/* MEM-09 on a vhost-vdpa listener: a recorded target page that is not a
 * power of two is no alignment mask; the listener is not judged (with
 * 0x3000 as a mask, a 4K-aligned UPDATE at 0x2000 was blamed). */
START_TEST(mem_bad_target_page_is_not_a_mask)
{
	struct vc_trace t;
	vc_trace_init(&t, "page", VC_FMT_NATIVE);
	uint32_t sid = vc_trace_add_session(&t, VC_SIDE_FRONTEND, "page");
	struct vc_event ev = { .kind = VC_EV_MEM_BEGIN, .session = sid };
	ev.u.mem_begin = (struct vc_mem_begin){ .backend = VC_MEMB_VHOST_VDPA, .target_page = 0x3000 };
	vc_trace_add_event(&t, &ev);
	ev = (struct vc_event){ .kind = VC_EV_VDPA_IOTLB, .session = sid };
	ev.u.iotlb = (struct vc_vdpa_iotlb){ .type = VDPA_IOTLB_UPDATE, .iova = 0x2000, .size = 0x1000,
					     .uaddr = 0x7f0000002000ull, .perm = 3 };
	vc_trace_add_event(&t, &ev);
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	for (size_t k = 0; k < t.nsessions; k++)
		vc_engine_add_session(e, &t.sessions[k]);
	struct vc_rule_set b;
	for (size_t k = 0; k < t.nevents; k++) {
		vc_engine_feed_verdict(e, &t.events[k], &b);
		ck_assert_msg(!vc_rule_set_has(&b, VC_R_MEM_09), "event %zu", k);
	}
	vc_engine_finish(e);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");
	tcase_add_test(tc, verdict_names_the_broken_rule);
	tcase_add_test(tc, verdict_includes_disabled_rules);
	tcase_add_test(tc, verdict_includes_waived_rules);
	tcase_add_test(tc, verdict_past_the_finding_cap);
	tcase_add_test(tc, verdict_findings_equal_plain_feed);
	tcase_add_test(tc, mem08_range_wrapping_past_top_is_outside);
	tcase_add_test(tc, mem_bad_target_page_is_not_a_mask);
	suite_add_tcase(s, tc);
	return s;
}
