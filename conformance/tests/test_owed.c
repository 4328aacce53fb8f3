/* "Is a reply owed" where the protocol features are not in the input
 * (issue #14, class 2): vu_reply_owed() in lib/wire.c and the judge's
 * optional pending replies. vhost-user.rst, Communication: replies are
 * required for GET_FEATURES, GET_PROTOCOL_FEATURES, GET_VRING_BASE,
 * SET_LOG_BASE (if LOG_SHMFD), GET_INFLIGHT_FD (if INFLIGHT_SHMFD); and
 * REPLY_ACK. */
#include <check.h>
#include <string.h>

#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"
#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/wire.h"

START_TEST(owed_table)
{
	struct vu_owed o;
	o = vu_reply_owed(VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION, VU_KNOWN_UNKNOWN, VU_KNOWN_UNKNOWN);
	ck_assert_int_eq(o.value, VU_KNOWN_YES);
	ck_assert_int_eq(o.ack, VU_KNOWN_NO);
	/* a NEED_REPLY request with a reply of its own gets no extra ack */
	o = vu_reply_owed(VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION | VU_FLAG_NEED_REPLY, VU_KNOWN_NO,
			  VU_KNOWN_YES);
	ck_assert_int_eq(o.ack, VU_KNOWN_NO);
	/* SET_LOG_BASE: as LOG_SHMFD */
	for (int k = VU_KNOWN_NO; k <= VU_KNOWN_UNKNOWN; k++) {
		o = vu_reply_owed(VU_CHAN_MAIN, VU_SET_LOG_BASE, VU_VERSION, (enum vu_known)k, VU_KNOWN_NO);
		ck_assert_int_eq(o.value, k);
		ck_assert_int_eq(o.ack, VU_KNOWN_NO);
	}
	/* an ack as REPLY_ACK, only with NEED_REPLY */
	o = vu_reply_owed(VU_CHAN_MAIN, VU_SET_VRING_NUM, VU_VERSION, VU_KNOWN_NO, VU_KNOWN_YES);
	ck_assert_int_eq(o.ack, VU_KNOWN_NO);
	for (int k = VU_KNOWN_NO; k <= VU_KNOWN_UNKNOWN; k++) {
		o = vu_reply_owed(VU_CHAN_MAIN, VU_SET_VRING_NUM, VU_VERSION | VU_FLAG_NEED_REPLY, VU_KNOWN_NO,
				  (enum vu_known)k);
		ck_assert_int_eq(o.value, VU_KNOWN_NO);
		ck_assert_int_eq(o.ack, k);
	}
	/* SET_LOG_BASE with NEED_REPLY and LOG_SHMFD unknown: one of the two may come */
	o = vu_reply_owed(VU_CHAN_MAIN, VU_SET_LOG_BASE, VU_VERSION | VU_FLAG_NEED_REPLY, VU_KNOWN_UNKNOWN,
			  VU_KNOWN_YES);
	ck_assert_int_eq(o.value, VU_KNOWN_UNKNOWN);
	ck_assert_int_eq(o.ack, VU_KNOWN_UNKNOWN);
	/* the back-end channel: the front-end acks the same way */
	o = vu_reply_owed(VU_CHAN_BACKEND, 1, VU_VERSION | VU_FLAG_NEED_REPLY, VU_KNOWN_NO, VU_KNOWN_YES);
	ck_assert_int_eq(o.ack, VU_KNOWN_YES);
}
END_TEST

struct run {
	struct vc_trace t;
	struct vc_synth s;
	struct vc_engine *e;
	const struct vc_results *r;
};

static void begin(struct run *r)
{
	memset(r, 0, sizeof *r);
	vc_trace_init(&r->t, "owed", VC_FMT_NATIVE);
	vs_begin(&r->s, &r->t, "owed", VC_SIDE_FRONTEND);
}

/* A header-only message, as a QEMU -trace log gives it. */
static void hdr(struct run *r, enum vc_dir dir, uint32_t req, uint32_t flags)
{
	struct vc_event *e = vs_msg(&r->s, dir, VU_CHAN_MAIN, req, flags, NULL, 0, 0);
	e->u.vu.has_payload = false;
	e->u.vu.has_size = false;
	e->has_fds = false;
}

static const struct vc_rule_result *judge(struct run *r, const char *rule)
{
	r->e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	for (size_t s = 0; s < r->t.nsessions; s++)
		vc_engine_add_session(r->e, &r->t.sessions[s]);
	for (size_t k = 0; k < r->t.nevents; k++)
		vc_engine_feed(r->e, &r->t.events[k]);
	r->r = vc_engine_finish(r->e);
	return &r->r->sessions[0].rules[vc_rule_by_id(rule)->num];
}

static void end(struct run *r)
{
	vc_engine_free(r->e);
	vc_trace_free(&r->t);
}

#define REQ(r, q) hdr(r, VC_DIR_FE_TO_BE, q, VU_VERSION)
#define REP(r, q) hdr(r, VC_DIR_BE_TO_FE, q, VU_VERSION | VU_FLAG_REPLY)

/* The QEMU trace log of a migration to DPDK (LOG_SHMFD negotiated, which
 * the log cannot show): SET_LOG_BASE's reply was judged unsolicited. */
/* Negotiated = offered and acked; a known side without the bit says no
 * even when the other side is unknown. */
START_TEST(pf_known_table)
{
	const uint64_t ra = VU_BIT(VU_PF_REPLY_ACK);
	ck_assert_int_eq(vu_pf_known(true, ra, true, ra, VU_PF_REPLY_ACK), VU_KNOWN_YES);
	ck_assert_int_eq(vu_pf_known(true, ra, true, 0, VU_PF_REPLY_ACK), VU_KNOWN_NO);
	ck_assert_int_eq(vu_pf_known(true, 0, true, ra, VU_PF_REPLY_ACK), VU_KNOWN_NO);
	ck_assert_int_eq(vu_pf_known(false, 0, true, ra, VU_PF_REPLY_ACK), VU_KNOWN_UNKNOWN);
	ck_assert_int_eq(vu_pf_known(true, ra, false, 0, VU_PF_REPLY_ACK), VU_KNOWN_UNKNOWN);
	ck_assert_int_eq(vu_pf_known(false, 0, false, 0, VU_PF_REPLY_ACK), VU_KNOWN_UNKNOWN);
	ck_assert_int_eq(vu_pf_known(false, 0, true, 0, VU_PF_REPLY_ACK), VU_KNOWN_NO);
	ck_assert_int_eq(vu_pf_known(true, 0, false, 0, VU_PF_REPLY_ACK), VU_KNOWN_NO);
	ck_assert_int_eq(vu_pf_known(true, ~0ull, true, ~0ull, 64), VU_KNOWN_NO);
}
END_TEST

START_TEST(header_only_log_base_reply)
{
	struct run r;
	begin(&r);
	REQ(&r, VU_GET_FEATURES);
	REP(&r, VU_GET_FEATURES);
	REQ(&r, VU_SET_FEATURES);
	REQ(&r, VU_SET_LOG_BASE);
	REP(&r, VU_SET_LOG_BASE);
	REQ(&r, VU_GET_VRING_BASE);
	REP(&r, VU_GET_VRING_BASE);
	const struct vc_rule_result *x = judge(&r, "VU-REPLY-03");
	ck_assert_int_eq(x->verdict, VC_PASS);
	ck_assert_uint_eq(x->failures, 0);
	ck_assert_uint_eq(r.r->findings_by_level[VC_MUST], 0);
	end(&r);
}
END_TEST

/* ... and a back-end without LOG_SHMFD sends none: not missing either. */
START_TEST(header_only_log_base_no_reply)
{
	struct run r;
	begin(&r);
	REQ(&r, VU_GET_FEATURES);
	REP(&r, VU_GET_FEATURES);
	REQ(&r, VU_SET_LOG_BASE);
	REQ(&r, VU_GET_VRING_BASE);
	REP(&r, VU_GET_VRING_BASE);
	vs_eof(&r.s, VC_DIR_BE_TO_FE, 0);
	ck_assert_int_eq(judge(&r, "VU-REPLY-01")->failures, 0);
	ck_assert_uint_eq(r.r->findings_by_level[VC_MUST], 0);
	const struct vc_rule_result *x = &r.r->sessions[0].rules[vc_rule_by_id("VU-REPLY-03")->num];
	ck_assert_uint_eq(x->failures, 0);
	end(&r);
}
END_TEST

/* A reply still has to answer something: one nobody could have asked
 * for is a finding on header-only logs too. */
START_TEST(header_only_unsolicited_still_found)
{
	struct run r;
	begin(&r);
	REQ(&r, VU_SET_LOG_BASE);
	REP(&r, VU_GET_FEATURES);
	ck_assert_uint_eq(judge(&r, "VU-REPLY-03")->failures, 1);
	end(&r);
}
END_TEST

/* With the protocol features in the input, the answer is known either way. */
static void negotiate(struct run *r, uint64_t pf)
{
	uint8_t p[8];
	vs_get_u64(&r->s, VU_GET_FEATURES, VU_BIT(VU_F_PROTOCOL_FEATURES) | VU_BIT(VU_F_LOG_ALL));
	vs_get_u64(&r->s, VU_GET_PROTOCOL_FEATURES, pf);
	vu_wr64(p, pf);
	vs_req(&r->s, VU_SET_PROTOCOL_FEATURES, 0, p, 8, 0);
}

START_TEST(known_features_decide)
{
	struct run r;
	uint8_t log[16] = { 0 };
	/* LOG_SHMFD not negotiated: a reply to SET_LOG_BASE is unsolicited */
	begin(&r);
	negotiate(&r, VU_BIT(VU_PF_MQ));
	vs_req(&r.s, VU_SET_LOG_BASE, 0, log, sizeof log, 0);
	vs_reply(&r.s, VU_SET_LOG_BASE, NULL, 0);
	ck_assert_uint_eq(judge(&r, "VU-REPLY-03")->failures, 1);
	end(&r);
	/* negotiated: it is owed, and its absence is a finding */
	begin(&r);
	negotiate(&r, VU_BIT(VU_PF_LOG_SHMFD));
	vs_req(&r.s, VU_SET_LOG_BASE, 0, log, sizeof log, 1);
	vs_eof(&r.s, VC_DIR_BE_TO_FE, 0);
	ck_assert_uint_eq(judge(&r, "VU-REPLY-01")->failures, 1);
	end(&r);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("owed");
	TCase *tc = tcase_create("owed");
	tcase_add_test(tc, owed_table);
	tcase_add_test(tc, pf_known_table);
	tcase_add_test(tc, header_only_log_base_reply);
	tcase_add_test(tc, header_only_log_base_no_reply);
	tcase_add_test(tc, header_only_unsolicited_still_found);
	tcase_add_test(tc, known_features_decide);
	suite_add_tcase(s, tc);
	return s;
}
