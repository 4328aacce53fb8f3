/* The results both report suites write (test_reports_text.c,
 * test_reports.c): two sessions, one rule of every verdict and level,
 * findings with hostile bytes and markup in their messages and names. */
#ifndef VCTS_REPORTS_TESTS_FIXTURE_H
#define VCTS_REPORTS_TESTS_FIXTURE_H

#include "vcts/report.h"

#include <stdlib.h>
#include <string.h>

/* ---- fixture ----------------------------------------------------------- */

#define T_12_00_00_123456 (43200LL * 1000000000LL + 123456000LL)

/* The sanitised form of MSG_NASTY. */
#define MSG_NASTY "ctl\x01\x1b[31m bad\xff\xc3( ok\xc3\xa9\ttab \xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf"
#define MSG_NASTY_CLEAN                                                                           \
	"ctl\\x01\\x1b[31m bad\\xff\\xc3( ok\xc3\xa9\\x09tab \xf0\x9f\x98\x80 \\xed\\xa0\\x80 "   \
	"\\xc0\\xaf"
#define MSG_MARKUP "quote \" <tag attr='x'> & amp; ]]> end"
#define SESSION1_NAME "pid 7 fd 3 \"<&>\" \x02sock"
#define SESSION1_NAME_CLEAN "pid 7 fd 3 \"<&>\" \\x02sock"

struct fixture {
	struct vc_results r;
	struct vc_session_result sessions[2];
	struct vc_finding findings[5];
};

static void add_finding(struct fixture *fx, size_t i, enum vc_rule_id rule, uint32_t session,
			uint64_t event, int64_t t, const char *file, uint64_t line, bool is_offset,
			bool waived, const char *msg)
{
	struct vc_finding *f = &fx->findings[i];
	memset(f, 0, sizeof *f);
	f->rule = rule;
	f->session = session;
	f->event = event;
	f->time_ns = t;
	snprintf(f->src_file, sizeof f->src_file, "%s", file);
	f->src_line = line;
	f->src_is_offset = is_offset;
	f->waived = waived;
	snprintf(f->message, sizeof f->message, "%s", msg);
}

static void set_rule(struct vc_session_result *s, enum vc_rule_id id, enum vc_verdict v,
		     uint64_t checks, uint64_t failures)
{
	s->rules[id].verdict = v;
	s->rules[id].checks = checks;
	s->rules[id].failures = failures;
}

/* Two sessions; in session 0 one rule of every verdict and level:
 * VU-HDR-01 pass, VU-HDR-02 (MUST) fail x2, VU-RING-09 (SHOULD) fail,
 * VU-HDR-08 (INFO) fail, VU-ONCE-01 waived, VU-MEM-04 disabled. */
static struct fixture *fixture_new(void)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	ck_assert_ptr_nonnull(fx);
	struct vc_session_result *s0 = &fx->sessions[0], *s1 = &fx->sessions[1];
	s0->info.id = 0;
	s0->info.traced_side = VC_SIDE_FRONTEND;
	snprintf(s0->info.name, sizeof s0->info.name, "pid 42 fd 17 /tmp/vhost.sock");
	snprintf(s0->source, sizeof s0->source, "qemu.strace");
	s0->messages = 100;
	set_rule(s0, VC_R_VU_HDR_01, VC_PASS, 12, 0);
	set_rule(s0, VC_R_VU_HDR_02, VC_FAIL, 5, 2);
	set_rule(s0, VC_R_VU_RING_09, VC_FAIL, 3, 1);
	set_rule(s0, VC_R_VU_HDR_08, VC_FAIL, 1, 1);
	set_rule(s0, VC_R_VU_ONCE_01, VC_WAIVED, 2, 1);
	set_rule(s0, VC_R_VU_MEM_04, VC_DISABLED, 0, 0);

	s1->info.id = 1;
	s1->info.traced_side = VC_SIDE_BACKEND;
	snprintf(s1->info.name, sizeof s1->info.name, "%s", SESSION1_NAME);
	snprintf(s1->source, sizeof s1->source, "dpdk.strace");
	s1->messages = 34;
	set_rule(s1, VC_R_VU_HDR_01, VC_PASS, 4, 0);
	set_rule(s1, VC_R_VU_REPLY_01, VC_PASS, 2, 0);
	set_rule(s1, VC_R_VU_MEM_04, VC_DISABLED, 0, 0);

	/* interleaved on purpose: the writers group by session and rule */
	add_finding(fx, 0, VC_R_VU_HDR_02, 0, 3, 1000, "qemu.strace", 7, false, false, MSG_MARKUP);
	add_finding(fx, 1, VC_R_VU_RING_09, 0, 45, T_12_00_00_123456, "qemu.strace", 123, false, false,
		    "SET_STATUS(0) while ring 0 started");
	add_finding(fx, 2, VC_R_VU_ONCE_01, 0, 9, 2000, "qemu.strace", 20, false, true,
		    "second SET_OWNER");
	add_finding(fx, 3, VC_R_VU_HDR_02, 0, 7, -1, "live", 0x1f0, true, false, MSG_NASTY);
	add_finding(fx, 4, VC_R_VU_HDR_08, 0, 11, 3000, "qemu.strace", 30, false, false,
		    "RESET_OWNER sent");

	fx->r.sessions = fx->sessions;
	fx->r.nsessions = 2;
	fx->r.findings = fx->findings;
	fx->r.nfindings = 5;
	fx->r.messages = 134;
	fx->r.findings_by_level[VC_MUST] = 2;
	fx->r.findings_by_level[VC_SHOULD] = 1;
	fx->r.findings_by_level[VC_INFO] = 1;
	fx->r.waived = 1;
	fx->r.suppressed = 0;
	return fx;
}

/* Only SHOULD and INFO findings: passes unless strict. */
static void make_should_only(struct fixture *fx)
{
	fx->sessions[0].rules[VC_R_VU_HDR_02].verdict = VC_PASS;
	fx->sessions[0].rules[VC_R_VU_HDR_02].failures = 0;
	fx->findings[0] = fx->findings[1];
	fx->findings[1] = fx->findings[4];
	fx->r.nfindings = 2;
	fx->r.findings_by_level[VC_MUST] = 0;
	fx->r.waived = 0;
	fx->sessions[0].rules[VC_R_VU_ONCE_01].verdict = VC_PASS;
	fx->sessions[0].rules[VC_R_VU_ONCE_01].failures = 0;
}

static const char *const inputs[] = { "qemu.strace", "dpdk \"trace\".strace" };

static struct vc_report_meta meta(bool strict)
{
	struct vc_report_meta m = { "vhost-cts check", "0.1-test", inputs, 2, strict };
	return m;
}

#endif
