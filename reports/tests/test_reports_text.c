/* The text report writer and the sanitiser every writer uses: results
 * built by hand (report_fixture.h), written as text, checked line by line. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "vcts/report.h"
/* Internal to reports/: vcr_clean is tested directly. */
#include "reports/common.h"
#include "reports/tests/report_fixture.h"

/* ---- helpers ------------------------------------------------------------ */

static char *text_report(const struct vc_results *r, bool strict, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	struct vc_report_meta m = meta(strict);
	vc_report_text(f, r, &m, flags);
	fclose(f);
	return buf;
}

/* The line of text that starts with prefix (malloc'd), or NULL. */
static char *line_starting(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l >= pl && !strncmp(p, prefix, pl))
			return strndup(p, l);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static int id_width(void)
{
	size_t w = 10;
	for (unsigned i = 0; i < VC_RULE_COUNT; i++)
		if (strlen(vc_rule((enum vc_rule_id)i)->id) + 1 > w)
			w = strlen(vc_rule((enum vc_rule_id)i)->id) + 1;
	return (int)w;
}

static char *expect_rule_line(const char *label, enum vc_rule_id id, const char *detail)
{
	const struct vc_rule *rule = vc_rule(id);
	char *s = NULL;
	ck_assert_int_ge(asprintf(&s, "  %-6s%s%-*s%-7s%s (%s)", label, strlen(label) >= 6 ? " " : "",
				  id_width(), rule->id, vc_level_name(rule->level), rule->text, detail),
			 0);
	return s;
}

static void assert_line(const char *text, const char *expected)
{
	char *got = line_starting(text, expected);
	ck_assert_msg(got != NULL, "no line \"%s\" in:\n%s", expected, text);
	ck_assert_str_eq(got, expected);
	free(got);
}

/* ---- sanitiser ---------------------------------------------------------- */

START_TEST(clean_escapes_bad_bytes)
{
	char *c = vcr_clean(MSG_NASTY, SIZE_MAX);
	ck_assert_str_eq(c, MSG_NASTY_CLEAN);
	free(c);
	/* U+FFFE and U+FFFF are not XML characters; C1 controls are escaped;
	 * a sequence cut by the end is escaped byte by byte. */
	c = vcr_clean("a\xef\xbf\xbe" "b\xc2\x85" "c\xe2\x82", SIZE_MAX);
	ck_assert_str_eq(c, "a\\xef\\xbf\\xbeb\\xc2\\x85c\\xe2\\x82");
	free(c);
	/* maxlen bounds a field that is not NUL-terminated */
	char field[4] = { 'a', 'b', 'c', 'd' };
	c = vcr_clean(field, sizeof field);
	ck_assert_str_eq(c, "abcd");
	free(c);
	c = vcr_clean(NULL, 10);
	ck_assert_str_eq(c, "");
	free(c);
}
END_TEST

/* ---- text --------------------------------------------------------------- */

START_TEST(text_lines_and_summary)
{
	struct fixture *fx = fixture_new();
	char *t = text_report(&fx->r, false, 0);
	char exp[512];
	snprintf(exp, sizeof exp,
		 "summary: 2 sessions, 134 messages, %u rules: 2 passed, 1 failed, 1 warned, 1 info, %u not applicable, "
		 "1 waived, 1 disabled; findings: 2 MUST, 1 SHOULD, 1 INFO (1 waived)\n"
		 "verdict: FAIL\n",
		 (unsigned)VC_RULE_COUNT, (unsigned)VC_RULE_COUNT - 7);
	size_t tl = strlen(t), el = strlen(exp);
	ck_assert_msg(tl > el && !strcmp(t + tl - el, exp), "tail wrong:\n%s", t);

	assert_line(t, "session 1/2: pid 42 fd 17 /tmp/vhost.sock (qemu.strace; traced side: "
		       "front-end; 100 messages)");
	assert_line(t, "session 2/2: " SESSION1_NAME_CLEAN " (dpdk.strace; traced side: back-end; "
		       "34 messages)");
	char *l = expect_rule_line("PASS", VC_R_VU_HDR_01, "12 checks");
	assert_line(t, l);
	free(l);
	l = expect_rule_line("WARN", VC_R_VU_RING_09, "1 finding");
	assert_line(t, l);
	/* the finding follows its rule line */
	char *after = strstr(t, l);
	ck_assert_ptr_nonnull(after);
	ck_assert_ptr_eq(strstr(after, "\n") + 1,
			 strstr(after, "      qemu.strace:123 msg #45 @12:00:00.123456: SET_STATUS(0) "
				       "while ring 0 started\n"));
	free(l);
	/* both VU-HDR-02 findings, in order, one sanitised */
	l = expect_rule_line("FAIL", VC_R_VU_HDR_02, "2 findings");
	char *block = NULL;
	ck_assert_int_ge(asprintf(&block,
				  "%s\n      qemu.strace:7 msg #3 @00:00:00.000001: " MSG_MARKUP "\n"
				  "      live:+0x1f0 msg #7: " MSG_NASTY_CLEAN "\n",
				  l),
			 0);
	ck_assert_msg(strstr(t, block) != NULL, "missing:\n%s\nin:\n%s", block, t);
	free(block);
	free(l);
	l = expect_rule_line("WAIVED", VC_R_VU_ONCE_01, "1 finding");
	assert_line(t, l);
	free(l);
	assert_line(t, "      qemu.strace:20 msg #9 @00:00:00.000002: second SET_OWNER (waived)");
	/* no n/a or disabled lines unless verbose; no raw control bytes */
	ck_assert_ptr_null(strstr(t, "n/a"));
	ck_assert_ptr_null(strstr(t, "VU-MEM-04"));
	ck_assert_ptr_null(strchr(t, '\033'));
	ck_assert_ptr_null(strchr(t, '\x01'));
	free(t);

	t = text_report(&fx->r, false, VC_TEXT_VERBOSE);
	l = expect_rule_line("n/a", VC_R_VU_NEG_01, "0 checks");
	assert_line(t, l);
	free(l);
	l = expect_rule_line("off", VC_R_VU_MEM_04, "disabled");
	assert_line(t, l);
	free(l);
	free(t);
	free(fx);
}
END_TEST

START_TEST(text_strict_decides_should)
{
	struct fixture *fx = fixture_new();
	make_should_only(fx);
	char *t = text_report(&fx->r, false, 0);
	ck_assert_ptr_nonnull(strstr(t, "; findings: 0 MUST, 1 SHOULD, 1 INFO (0 waived)\nverdict: PASS\n"));
	free(t);
	t = text_report(&fx->r, true, 0);
	ck_assert_ptr_nonnull(strstr(t, "\nverdict: FAIL\n"));
	free(t);
	/* INFO never fails, strict or not */
	fx->r.findings_by_level[VC_SHOULD] = 0;
	t = text_report(&fx->r, true, 0);
	ck_assert_ptr_nonnull(strstr(t, "\nverdict: PASS\n"));
	free(t);
	free(fx);
}
END_TEST

START_TEST(text_empty_and_suppressed)
{
	struct vc_results r;
	memset(&r, 0, sizeof r);
	char *t = text_report(&r, false, 0);
	char exp[256];
	snprintf(exp, sizeof exp,
		 "summary: 0 sessions, 0 messages, %u rules: 0 passed, 0 failed, 0 warned, 0 info, %u not applicable; "
		 "findings: 0 MUST, 0 SHOULD, 0 INFO (0 waived)\nverdict: PASS\n",
		 (unsigned)VC_RULE_COUNT, (unsigned)VC_RULE_COUNT);
	ck_assert_str_eq(t, exp);
	free(t);
	r.suppressed = 250;
	r.findings_by_level[VC_MUST] = 300;
	t = text_report(&r, false, 0);
	ck_assert_ptr_nonnull(strstr(t, "findings: 300 MUST, 0 SHOULD, 0 INFO (0 waived, 250 suppressed)\n"
				       "verdict: FAIL\n"));
	free(t);
}
END_TEST

/* Summary only (check --quiet): exactly the full report's last two lines,
 * even when a session name or finding holds "summary:" itself. */
START_TEST(text_summary_only)
{
	struct fixture *fx = fixture_new();
	snprintf(fx->findings[0].message, sizeof fx->findings[0].message, "summary: forged\nverdict: PASS");
	snprintf(fx->sessions[1].info.name, sizeof fx->sessions[1].info.name, "summary: x");
	for (int strict = 0; strict < 2; strict++) {
		char *full = text_report(&fx->r, strict, 0);
		char *sum = text_report(&fx->r, strict, VC_TEXT_SUMMARY_ONLY);
		/* verbose does not widen a summary */
		char *sumv = text_report(&fx->r, strict, VC_TEXT_SUMMARY_ONLY | VC_TEXT_VERBOSE);
		ck_assert_str_eq(sum, sumv);
		ck_assert_int_eq(strncmp(sum, "summary: 2 sessions, 134 messages, ", 35), 0);
		char *nl = strchr(sum, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_str_eq(nl + 1, "verdict: FAIL\n");
		size_t fl = strlen(full), sl = strlen(sum);
		ck_assert_uint_gt(fl, sl);
		ck_assert_str_eq(full + fl - sl, sum);
		ck_assert_int_eq(full[fl - sl - 1], '\n');
		free(full);
		free(sum);
		free(sumv);
	}
	/* no sessions: the full report is the summary */
	struct vc_results r;
	memset(&r, 0, sizeof r);
	char *full = text_report(&r, false, 0), *sum = text_report(&r, false, VC_TEXT_SUMMARY_ONLY);
	ck_assert_str_eq(full, sum);
	free(full);
	free(sum);
	free(fx);
}
END_TEST

START_TEST(text_colour_only_on_tty)
{
	/* a memstream is no tty: no escapes even with NO_COLOR unset */
	unsetenv("NO_COLOR");
	struct fixture *fx = fixture_new();
	char *t = text_report(&fx->r, false, 0);
	ck_assert_ptr_null(strchr(t, '\033'));
	free(t);
	/* a pty is: colour unless NO_COLOR is set */
	int mfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (mfd < 0 || grantpt(mfd) || unlockpt(mfd)) {
		free(fx);
		return; /* no ptys here */
	}
	int sfd = open(ptsname(mfd), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(sfd, 0);
	FILE *f = fdopen(sfd, "w");
	struct vc_report_meta m = meta(false);
	vc_report_text(f, &fx->r, &m, 0);
	setenv("NO_COLOR", "1", 1);
	fprintf(f, "--nocolour--\n");
	vc_report_text(f, &fx->r, &m, 0);
	fclose(f);
	unsetenv("NO_COLOR");
	static char buf[1 << 16];
	size_t n = 0;
	fcntl(mfd, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t k = read(mfd, buf + n, sizeof buf - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	close(mfd);
	char *mark = strstr(buf, "--nocolour--");
	ck_assert_ptr_nonnull(mark);
	*mark = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "\033[1;31mFAIL"));
	ck_assert_ptr_null(strchr(mark + 1, '\033'));
	free(fx);
}
END_TEST

START_TEST(finding_line_format)
{
	struct fixture *fx = fixture_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vc_report_finding_line(f, &fx->findings[1], "pid 42");
	vc_report_finding_line(f, &fx->findings[2], NULL);
	vc_report_finding_line(f, &fx->findings[3], SESSION1_NAME);
	fclose(f);
	ck_assert_str_eq(buf, "VU-RING-09 SHOULD [pid 42] qemu.strace:123 msg #45 @12:00:00.123456: "
			      "SET_STATUS(0) while ring 0 started\n"
			      "VU-ONCE-01 MUST qemu.strace:20 msg #9 @00:00:00.000002: second SET_OWNER "
			      "(waived)\n"
			      "VU-HDR-02 MUST [" SESSION1_NAME_CLEAN "] live:+0x1f0 msg #7: " MSG_NASTY_CLEAN
			      "\n");
	free(buf);
	free(fx);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("reports_text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, clean_escapes_bad_bytes);
	tcase_add_test(tc, text_lines_and_summary);
	tcase_add_test(tc, text_strict_decides_should);
	tcase_add_test(tc, text_empty_and_suppressed);
	tcase_add_test(tc, text_summary_only);
	tcase_add_test(tc, text_colour_only_on_tty);
	tcase_add_test(tc, finding_line_format);
	suite_add_tcase(s, tc);
	return s;
}
