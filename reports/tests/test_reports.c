/* The file report writers: results built by hand, written as JSON and
 * JUnit, read back (json-c, libxml2, xmllint against
 * reports/tests/data/junit.xsd) and checked value by value; importer
 * warnings in every report; destinations and their errors. The text
 * writer is test_reports_text.c. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "vcts/report.h"
/* Internal to reports/: vcr_clean is tested directly. */
#include "reports/common.h"
#include "reports/tests/report_fixture.h"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[64];

static void setup_dir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vcts-rep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void teardown_dir(void)
{
	chmod(tmpdir, 0700);
	rm_rf(tmpdir);
}

static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static json_object *read_json(const char *path)
{
	char *buf, err[256];
	size_t len;
	ck_assert_msg(vc_read_file(path, 1 << 24, &buf, &len, err, sizeof err) == 0, "%s", err);
	json_tokener *tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	ck_assert_msg(o != NULL, "invalid JSON: %s",
		      json_tokener_error_desc(json_tokener_get_error(tok)));
	json_tokener_free(tok);
	ck_assert_msg(len > 0 && buf[len - 1] == '\n', "no final newline");
	free(buf);
	return o;
}

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	ck_assert_msg(json_object_is_type(v, json_type_string), "%s is not a string", key);
	return json_object_get_string(v);
}

static uint64_t ju64(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	ck_assert_msg(json_object_is_type(v, json_type_int), "%s is not an integer", key);
	return json_object_get_uint64(v);
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	ck_assert_msg(json_object_is_type(v, json_type_boolean), "%s is not a boolean", key);
	return json_object_get_boolean(v);
}

static xmlDocPtr read_xml(const char *path)
{
	xmlDocPtr d = xmlReadFile(path, NULL, XML_PARSE_NONET);
	ck_assert_msg(d != NULL, "%s is not well-formed XML", path);
	return d;
}

static int xml_validate_inproc(xmlDocPtr doc)
{
	xmlSchemaParserCtxtPtr pc =
		xmlSchemaNewParserCtxt(vc_test_path("reports/tests/data/junit.xsd"));
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	ck_assert_ptr_nonnull(schema);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	int rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc;
}

/* xmllint --schema; 0 valid. */
static int xmllint(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s' '%s' 2>/dev/null",
		 vc_test_path("reports/tests/data/junit.xsd"), path);
	int st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 127,
		      "xmllint is missing (apt-get install libxml2-utils)");
	return WEXITSTATUS(st);
}

static xmlXPathObjectPtr xq(xmlDocPtr d, const char *expr)
{
	xmlXPathContextPtr c = xmlXPathNewContext(d);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, c);
	xmlXPathFreeContext(c);
	ck_assert_msg(o != NULL, "bad xpath %s", expr);
	return o;
}

static double xnum(xmlDocPtr d, const char *expr)
{
	xmlXPathObjectPtr o = xq(d, expr);
	double v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

/* String value of an XPath expression (malloc'd). */
static char *xstr(xmlDocPtr d, const char *expr)
{
	xmlXPathObjectPtr o = xq(d, expr);
	xmlChar *s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	char *r = strdup((const char *)s);
	xmlFree(s);
	return r;
}

static void assert_xstr(xmlDocPtr d, const char *expr, const char *expected)
{
	char *s = xstr(d, expr);
	ck_assert_msg(!strcmp(s, expected), "%s: got \"%s\", want \"%s\"", expr, s, expected);
	free(s);
}

/* ---- JSON --------------------------------------------------------------- */

START_TEST(json_round_trip)
{
	struct fixture *fx = fixture_new();
	struct vc_report_meta m = meta(false);
	char err[256] = "";
	const char *p = tpath("r.json");
	ck_assert_msg(vc_report_json(p, &fx->r, &m, err, sizeof err) == 0, "%s", err);
	json_object *o = read_json(p);

	ck_assert_str_eq(jstr(o, "schema"), "vhost-cts-report/1");
	ck_assert_str_eq(jstr(o, "tool"), "vhost-cts check");
	ck_assert_str_eq(jstr(o, "version"), "0.1-test");
	json_object *in = jget(o, "inputs");
	ck_assert_int_eq(json_object_array_length(in), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(in, 1)),
			 "dpdk \"trace\".strace");
	ck_assert(!jbool(o, "strict"));
	ck_assert_str_eq(jstr(o, "verdict"), "fail");

	/* findings: in the engine's order, every field */
	json_object *fs = jget(o, "findings");
	ck_assert_int_eq(json_object_array_length(fs), 5);
	json_object *f0 = json_object_array_get_idx(fs, 0);
	ck_assert_str_eq(jstr(f0, "rule"), "VU-HDR-02");
	ck_assert_str_eq(jstr(f0, "level"), "MUST");
	ck_assert_str_eq(jstr(f0, "message"), MSG_MARKUP);
	ck_assert_uint_eq(ju64(f0, "session"), 0);
	ck_assert_uint_eq(ju64(f0, "event"), 3);
	ck_assert_str_eq(jstr(jget(f0, "source"), "file"), "qemu.strace");
	ck_assert_uint_eq(ju64(jget(f0, "source"), "line"), 7);
	ck_assert(!json_object_object_get_ex(jget(f0, "source"), "offset", NULL));
	ck_assert_uint_eq(ju64(f0, "time_ns"), 1000);
	ck_assert(!jbool(f0, "waived"));
	json_object *f1 = json_object_array_get_idx(fs, 1);
	ck_assert_str_eq(jstr(f1, "level"), "SHOULD");
	ck_assert_int_eq(json_object_get_int64(jget(f1, "time_ns")), T_12_00_00_123456);
	ck_assert(jbool(json_object_array_get_idx(fs, 2), "waived"));
	json_object *f3 = json_object_array_get_idx(fs, 3);
	ck_assert_str_eq(jstr(f3, "message"), MSG_NASTY_CLEAN);
	ck_assert_uint_eq(ju64(jget(f3, "source"), "offset"), 0x1f0);
	ck_assert(!json_object_object_get_ex(jget(f3, "source"), "line", NULL));
	ck_assert(json_object_is_type(jget(f3, "time_ns"), json_type_null));
	ck_assert_str_eq(jstr(json_object_array_get_idx(fs, 4), "level"), "INFO");

	/* sessions */
	json_object *ss = jget(o, "sessions");
	ck_assert_int_eq(json_object_array_length(ss), 2);
	json_object *s0 = json_object_array_get_idx(ss, 0), *s1 = json_object_array_get_idx(ss, 1);
	ck_assert_uint_eq(ju64(s1, "index"), 1);
	ck_assert_str_eq(jstr(s0, "name"), "pid 42 fd 17 /tmp/vhost.sock");
	ck_assert_str_eq(jstr(s1, "name"), SESSION1_NAME_CLEAN);
	ck_assert_str_eq(jstr(s0, "source"), "qemu.strace");
	ck_assert_str_eq(jstr(s0, "traced_side"), "front-end");
	ck_assert_str_eq(jstr(s1, "traced_side"), "back-end");
	ck_assert_uint_eq(ju64(s0, "messages"), 100);
	json_object *rules0 = jget(s0, "rules");
	ck_assert_int_eq(json_object_object_length(rules0), VC_RULE_COUNT);
	json_object *hdr02 = jget(rules0, "VU-HDR-02");
	ck_assert_str_eq(jstr(hdr02, "verdict"), "fail");
	ck_assert_uint_eq(ju64(hdr02, "checks"), 5);
	ck_assert_uint_eq(ju64(hdr02, "failures"), 2);
	ck_assert_str_eq(jstr(jget(rules0, "VU-HDR-01"), "verdict"), "pass");
	ck_assert_uint_eq(ju64(jget(rules0, "VU-HDR-01"), "checks"), 12);
	ck_assert_str_eq(jstr(jget(rules0, "VU-ONCE-01"), "verdict"), "waived");
	ck_assert_str_eq(jstr(jget(rules0, "VU-MEM-04"), "verdict"), "disabled");
	ck_assert_str_eq(jstr(jget(rules0, "VU-NEG-01"), "verdict"), "n/a");

	/* summary */
	json_object *sum = jget(o, "summary");
	ck_assert_uint_eq(ju64(sum, "sessions"), 2);
	ck_assert_uint_eq(ju64(sum, "messages"), 134);
	json_object *sf = jget(sum, "findings");
	ck_assert_uint_eq(ju64(sf, "MUST"), 2);
	ck_assert_uint_eq(ju64(sf, "SHOULD"), 1);
	ck_assert_uint_eq(ju64(sf, "INFO"), 1);
	ck_assert_uint_eq(ju64(sf, "waived"), 1);
	ck_assert_uint_eq(ju64(sf, "suppressed"), 0);
	json_object *sr = jget(sum, "rules");
	ck_assert_uint_eq(ju64(sr, "total"), VC_RULE_COUNT);
	ck_assert_uint_eq(ju64(sr, "passed"), 2);
	ck_assert_uint_eq(ju64(sr, "failed"), 1);
	ck_assert_uint_eq(ju64(sr, "warned"), 1);
	ck_assert_uint_eq(ju64(sr, "info"), 1);
	ck_assert_uint_eq(ju64(sr, "not_applicable"), VC_RULE_COUNT - 7);
	ck_assert_uint_eq(ju64(sr, "waived"), 1);
	ck_assert_uint_eq(ju64(sr, "disabled"), 1);

	/* the catalog, in catalog order */
	json_object *cat = jget(o, "rules");
	ck_assert_int_eq(json_object_array_length(cat), VC_RULE_COUNT);
	json_object *c = json_object_array_get_idx(cat, VC_R_VU_HDR_01);
	ck_assert_str_eq(jstr(c, "id"), "VU-HDR-01");
	ck_assert_str_eq(jstr(c, "level"), "MUST");
	json_object *sides = jget(c, "sides");
	ck_assert_int_eq(json_object_array_length(sides), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(sides, 0)), "FE");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(sides, 1)), "BE");
	ck_assert_str_eq(jstr(c, "needs"), vc_needs_name(vc_rule(VC_R_VU_HDR_01)->needs));
	ck_assert_str_eq(jstr(c, "text"), vc_rule(VC_R_VU_HDR_01)->text);
	ck_assert_str_eq(jstr(c, "ref"), vc_rule(VC_R_VU_HDR_01)->ref);
	ck_assert_str_eq(jstr(json_object_array_get_idx(cat, VC_R_VU_RING_09), "level"), "SHOULD");
	json_object_put(o);
	/* the temp file is gone */
	ck_assert_int_eq(count_entries(tmpdir), 1);
	free(fx);
}
END_TEST

START_TEST(json_strict_and_pass)
{
	struct fixture *fx = fixture_new();
	make_should_only(fx);
	char err[256];
	const char *p = tpath("s.json");
	struct vc_report_meta m = meta(false);
	ck_assert_int_eq(vc_report_json(p, &fx->r, &m, err, sizeof err), 0);
	json_object *o = read_json(p);
	ck_assert_str_eq(jstr(o, "verdict"), "pass");
	ck_assert(!jbool(o, "strict"));
	json_object_put(o);
	m.strict = true;
	ck_assert_int_eq(vc_report_json(p, &fx->r, &m, err, sizeof err), 0);
	o = read_json(p);
	ck_assert_str_eq(jstr(o, "verdict"), "fail");
	ck_assert(jbool(o, "strict"));
	json_object_put(o);
	/* no meta, no sessions: still a complete document */
	struct vc_results empty;
	memset(&empty, 0, sizeof empty);
	ck_assert_int_eq(vc_report_json(p, &empty, NULL, err, sizeof err), 0);
	o = read_json(p);
	ck_assert_str_eq(jstr(o, "verdict"), "pass");
	ck_assert_int_eq(json_object_array_length(jget(o, "sessions")), 0);
	ck_assert_int_eq(json_object_array_length(jget(o, "findings")), 0);
	ck_assert_int_eq(json_object_array_length(jget(o, "inputs")), 0);
	ck_assert(json_object_is_type(jget(o, "version"), json_type_null));
	ck_assert_uint_eq(ju64(jget(jget(o, "summary"), "rules"), "not_applicable"), VC_RULE_COUNT);
	json_object_put(o);
	free(fx);
}
END_TEST

/* ---- JUnit -------------------------------------------------------------- */

START_TEST(junit_valid_and_counts)
{
	struct fixture *fx = fixture_new();
	struct vc_report_meta m = meta(false);
	char err[256] = "";
	const char *p = tpath("r.xml");
	ck_assert_msg(vc_report_junit(p, &fx->r, &m, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(xmllint(p), 0);
	xmlDocPtr d = read_xml(p);
	ck_assert_int_eq(xml_validate_inproc(d), 0);

	unsigned n = VC_RULE_COUNT;
	/* not strict: only the MUST rule fails; skipped = n/a + disabled + waived */
	ck_assert_int_eq((int)xnum(d, "count(/testsuites/testsuite)"), 2);
	ck_assert_int_eq((int)xnum(d, "count(//testcase)"), 2 * n);
	ck_assert_int_eq((int)xnum(d, "/testsuites/@tests"), 2 * n);
	ck_assert_int_eq((int)xnum(d, "/testsuites/@failures"), 1);
	ck_assert_int_eq((int)xnum(d, "count(//failure)"), 1);
	ck_assert_int_eq((int)xnum(d, "/testsuites/@errors"), 0);
	unsigned skipped0 = n - 4, skipped1 = n - 2; /* 4 and 2 rules ran */
	ck_assert_int_eq((int)xnum(d, "/testsuites/@skipped"), skipped0 + skipped1);
	ck_assert_int_eq((int)xnum(d, "count(//skipped)"), skipped0 + skipped1);
	assert_xstr(d, "/testsuites/@name", "vhost-cts");
	assert_xstr(d, "/testsuites/testsuite[1]/@name", "pid 42 fd 17 /tmp/vhost.sock");
	assert_xstr(d, "/testsuites/testsuite[2]/@name", SESSION1_NAME_CLEAN);
	ck_assert_int_eq((int)xnum(d, "/testsuites/testsuite[1]/@failures"), 1);
	ck_assert_int_eq((int)xnum(d, "/testsuites/testsuite[1]/@skipped"), skipped0);
	ck_assert_int_eq((int)xnum(d, "/testsuites/testsuite[2]/@failures"), 0);
	ck_assert_int_eq((int)xnum(d, "/testsuites/testsuite[2]/@tests"), n);
	assert_xstr(d, "/testsuites/testsuite[2]/properties/property[@name='traced_side']/@value",
		    "back-end");
	assert_xstr(d, "/testsuites/testsuite[1]/properties/property[@name='messages']/@value",
		    "100");

	/* the failing MUST rule: type, first message, every finding as text */
	char name[512], q[1024];
	snprintf(name, sizeof name, "VU-HDR-02 %s", vc_rule(VC_R_VU_HDR_02)->text);
	snprintf(q, sizeof q, "/testsuites/testsuite[1]/testcase[@name='%s']", name);
	char q2[1100];
	snprintf(q2, sizeof q2, "%s/@classname", q);
	assert_xstr(d, q2, "vhost-cts.VU-HDR");
	snprintf(q2, sizeof q2, "%s/failure/@type", q);
	assert_xstr(d, q2, "MUST");
	snprintf(q2, sizeof q2, "%s/failure/@message", q);
	assert_xstr(d, q2, MSG_MARKUP);
	snprintf(q2, sizeof q2, "%s/failure", q);
	assert_xstr(d, q2,
		    "qemu.strace:7 msg #3 @00:00:00.000001: " MSG_MARKUP "\n"
		    "live:+0x1f0 msg #7: " MSG_NASTY_CLEAN "\n");

	/* SHOULD and INFO findings, not strict: passing, findings in system-out */
	snprintf(q, sizeof q, "/testsuites/testsuite[1]/testcase[@name='VU-RING-09 %s']",
		 vc_rule(VC_R_VU_RING_09)->text);
	snprintf(q2, sizeof q2, "count(%s/*[name()!='system-out'])", q);
	ck_assert_int_eq((int)xnum(d, q2), 0);
	snprintf(q2, sizeof q2, "%s/system-out", q);
	assert_xstr(d, q2,
		    "qemu.strace:123 msg #45 @12:00:00.123456: SET_STATUS(0) while ring 0 started\n");
	snprintf(q2, sizeof q2, "%s/@classname", q);
	assert_xstr(d, q2, "vhost-cts.VU-RING");
	snprintf(q, sizeof q,
		 "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-HDR-08 ')]/system-out");
	assert_xstr(d, q, "qemu.strace:30 msg #11 @00:00:00.000003: RESET_OWNER sent\n");

	/* skipped reasons */
	assert_xstr(d,
		    "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-ONCE-01 ')]/skipped/@message",
		    "waived: 1 finding");
	assert_xstr(d,
		    "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-ONCE-01 ')]/system-out",
		    "qemu.strace:20 msg #9 @00:00:00.000002: second SET_OWNER (waived)\n");
	assert_xstr(d,
		    "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-MEM-04 ')]/skipped/@message",
		    "disabled");
	assert_xstr(d,
		    "/testsuites/testsuite[2]/testcase[starts-with(@name,'VU-ONCE-01 ')]/skipped/@message",
		    "not applicable");
	/* passing: no child element at all */
	ck_assert_int_eq(
		(int)xnum(d, "count(/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-HDR-01 ')]/*)"),
		0);
	assert_xstr(d, "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-HDR-01 ')]/@assertions",
		    "12");
	xmlFreeDoc(d);
	ck_assert_int_eq(count_entries(tmpdir), 1);
	free(fx);
}
END_TEST

START_TEST(junit_strict_fails_should)
{
	struct fixture *fx = fixture_new();
	struct vc_report_meta m = meta(true);
	char err[256];
	const char *p = tpath("s.xml");
	ck_assert_int_eq(vc_report_junit(p, &fx->r, &m, err, sizeof err), 0);
	ck_assert_int_eq(xmllint(p), 0);
	xmlDocPtr d = read_xml(p);
	/* MUST and SHOULD fail; INFO still passes */
	ck_assert_int_eq((int)xnum(d, "/testsuites/@failures"), 2);
	assert_xstr(d,
		    "/testsuites/testsuite[1]/testcase[starts-with(@name,'VU-RING-09 ')]/failure/@type",
		    "SHOULD");
	ck_assert_int_eq(
		(int)xnum(d, "count(//testcase[starts-with(@name,'VU-HDR-08 ')]/failure)"), 0);
	assert_xstr(d, "/testsuites/testsuite[1]/properties/property[@name='strict']/@value", "true");
	xmlFreeDoc(d);
	free(fx);
}
END_TEST

START_TEST(junit_schema_rejects_bad_documents)
{
	/* the XSD is not a rubber stamp: counters are required and numeric,
	 * a testcase needs a name */
	static const char *const bad[] = {
		"<testsuites tests=\"1\" failures=\"0\"/>",
		"<testsuites tests=\"x\" failures=\"0\" errors=\"0\"/>",
		"<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"s\" tests=\"1\" "
		"failures=\"0\" errors=\"0\"><testcase classname=\"c\"/></testsuite></testsuites>",
		"<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"s\" tests=\"1\" "
		"failures=\"0\" errors=\"0\"><testcase name=\"n\" classname=\"c\"><skipped/><failure/>"
		"</testcase></testsuite></testsuites>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *p = tpath("bad.xml");
		FILE *f = fopen(p, "w");
		fputs(bad[i], f);
		fclose(f);
		ck_assert_msg(xmllint(p) != 0, "accepted: %s", bad[i]);
	}
	const char *p = tpath("good.xml");
	FILE *f = fopen(p, "w");
	fputs("<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"s\" tests=\"1\" "
	      "failures=\"0\" errors=\"0\"><testcase name=\"n\" classname=\"c\"/></testsuite>"
	      "</testsuites>",
	      f);
	fclose(f);
	ck_assert_int_eq(xmllint(p), 0);
}
END_TEST

START_TEST(junit_empty)
{
	struct vc_results r;
	memset(&r, 0, sizeof r);
	char err[256];
	const char *p = tpath("e.xml");
	ck_assert_int_eq(vc_report_junit(p, &r, NULL, err, sizeof err), 0);
	ck_assert_int_eq(xmllint(p), 0);
	xmlDocPtr d = read_xml(p);
	ck_assert_int_eq((int)xnum(d, "/testsuites/@tests"), 0);
	ck_assert_int_eq((int)xnum(d, "count(//testsuite)"), 0);
	xmlFreeDoc(d);
}
END_TEST

/* ---- input warnings and incomplete sessions ------------------------------ */

/* Importer warnings reach every report (not only stderr), and a session
 * whose input lost bytes says so, with where (issue #14, class 6). */
START_TEST(warnings_and_incomplete)
{
	struct fixture *fx = fixture_new();
	struct vc_session_result *s1 = &fx->sessions[1];
	s1->incomplete = true;
	snprintf(s1->gap_file, sizeof s1->gap_file, "dpdk.strace");
	s1->gap_line = 77;
	fx->r.incomplete = 1;
	static const struct vc_report_warning w[] = {
		{ "dpdk.strace", "dpdk.strace:77: damaged line <&> \x01" },
		{ "other.log", "other.log:3: a warning of an input with no session" },
	};
	struct vc_report_meta m = meta(false);
	m.warnings = w;
	m.nwarnings = 2;
	m.warnings_total = 5;
	char err[256] = "";

	char *t = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&t, &tl);
	vc_report_text(f, &fx->r, &m, 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(t, "INCOMPLETE"));
	ck_assert_ptr_nonnull(strstr(t, "input lost at dpdk.strace:77"));
	ck_assert_ptr_nonnull(strstr(t, "; 1 incomplete session; 5 input warnings\n"));
	free(t);

	const char *p = tpath("w.json");
	ck_assert_msg(vc_report_json(p, &fx->r, &m, err, sizeof err) == 0, "%s", err);
	json_object *o = read_json(p);
	json_object *wa = jget(o, "warnings");
	ck_assert_uint_eq(json_object_array_length(wa), 2);
	ck_assert_str_eq(jstr(json_object_array_get_idx(wa, 0), "source"), "dpdk.strace");
	ck_assert_str_eq(jstr(json_object_array_get_idx(wa, 0), "text"),
			 "dpdk.strace:77: damaged line <&> \\x01");
	ck_assert_uint_eq(ju64(o, "warnings_total"), 5);
	ck_assert_uint_eq(ju64(jget(o, "summary"), "incomplete_sessions"), 1);
	json_object *ss = jget(o, "sessions");
	ck_assert(!jbool(json_object_array_get_idx(ss, 0), "incomplete"));
	ck_assert(json_object_is_type(jget(json_object_array_get_idx(ss, 0), "gap"), json_type_null));
	json_object *s1o = json_object_array_get_idx(ss, 1);
	ck_assert(jbool(s1o, "incomplete"));
	ck_assert_str_eq(jstr(jget(s1o, "gap"), "file"), "dpdk.strace");
	ck_assert_uint_eq(ju64(jget(s1o, "gap"), "line"), 77);
	json_object_put(o);

	p = tpath("w.xml");
	ck_assert_msg(vc_report_junit(p, &fx->r, &m, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(xmllint(p), 0);
	xmlDocPtr d = read_xml(p);
	assert_xstr(d, "/testsuites/testsuite[@id='1']/properties/property[@name='incomplete']/@value", "true");
	assert_xstr(d, "/testsuites/testsuite[@id='1']/properties/property[@name='gap']/@value", "dpdk.strace:77");
	assert_xstr(d, "/testsuites/testsuite[@id='0']/properties/property[@name='incomplete']/@value", "false");
	assert_xstr(d, "/testsuites/testsuite[@id='1']/system-err",
		    "warning: dpdk.strace:77: damaged line <&> \\x01\n");
	ck_assert_int_eq((int)xnum(d, "count(/testsuites/testsuite[@id='0']/system-err)"), 0);
	/* the input with no session gets a suite of its own, with no tests */
	assert_xstr(d, "/testsuites/testsuite[@name='input warnings']/system-err",
		    "warning: other.log:3: a warning of an input with no session\n");
	ck_assert_int_eq((int)xnum(d, "/testsuites/testsuite[@name='input warnings']/@tests"), 0);
	xmlFreeDoc(d);
	free(fx);
}
END_TEST

/* ---- destinations and errors -------------------------------------------- */

typedef int (*writer_fn)(const char *, const struct vc_results *, const struct vc_report_meta *,
			 char *, size_t);

static char *capture_stdout(writer_fn w, const struct vc_results *r, int *rc)
{
	char path[] = "/tmp/vcts-stdout-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	int saved = dup(1);
	dup2(fd, 1);
	char err[256];
	struct vc_report_meta m = meta(false);
	*rc = w("-", r, &m, err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_read_file(path, 1 << 24, &buf, &len, err, sizeof err), 0);
	unlink(path);
	return buf;
}

START_TEST(dash_is_stdout)
{
	struct fixture *fx = fixture_new();
	int rc;
	char *out = capture_stdout(vc_report_json, &fx->r, &rc);
	ck_assert_int_eq(rc, 0);
	json_object *o = json_tokener_parse(out);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(jstr(o, "verdict"), "fail");
	json_object_put(o);
	free(out);
	out = capture_stdout(vc_report_junit, &fx->r, &rc);
	ck_assert_int_eq(rc, 0);
	xmlDocPtr d = xmlReadMemory(out, (int)strlen(out), "stdout.xml", NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq((int)xnum(d, "/testsuites/@failures"), 1);
	xmlFreeDoc(d);
	free(out);
	ck_assert_int_eq(access("-", F_OK), -1); /* nothing named "-" */
	free(fx);
}
END_TEST

static void expect_fail(writer_fn w, const char *path, const char *reason)
{
	struct fixture *fx = fixture_new();
	struct vc_report_meta m = meta(false);
	char err[512] = "";
	ck_assert_int_eq(w(path, &fx->r, &m, err, sizeof err), -1);
	char exp[600];
	snprintf(exp, sizeof exp, "%s: cannot create: %s", path, reason);
	ck_assert_str_eq(err, exp);
	ck_assert_int_eq(access(path, F_OK), -1);
	free(fx);
}

START_TEST(error_missing_directory)
{
	const char *p = tpath("no/such/dir/report.json");
	expect_fail(vc_report_json, p, strerror(ENOENT));
	p = tpath("no/such/dir/report.xml");
	expect_fail(vc_report_junit, p, strerror(ENOENT));
	ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

START_TEST(error_read_only_directory)
{
	/* a directory nobody may write to; as root, drop to nobody for the
	 * attempt (the test runs in its own forked process) */
	ck_assert_int_eq(chmod(tmpdir, 0555), 0);
	uid_t was = geteuid();
	if (was == 0)
		ck_assert_int_eq(seteuid(65534), 0);
	expect_fail(vc_report_json, tpath("ro.json"), strerror(EACCES));
	expect_fail(vc_report_junit, tpath("ro.xml"), strerror(EACCES));
	if (was == 0)
		ck_assert_int_eq(seteuid(0), 0);
	ck_assert_int_eq(count_entries(tmpdir), 0);
	/* a read-only filesystem place even root cannot create in */
	struct stat st;
	if (stat("/sys/kernel", &st) == 0 && access("/sys/vcts-report.json", F_OK) != 0) {
		struct fixture *fx = fixture_new();
		char err[512];
		ck_assert_int_eq(vc_report_json("/sys/vcts-report.json", &fx->r, NULL, err, sizeof err),
				 -1);
		ck_assert_msg(!strncmp(err, "/sys/vcts-report.json: cannot create: ", 38), "%s", err);
		ck_assert_int_eq(access("/sys/vcts-report.json", F_OK), -1);
		free(fx);
	}
}
END_TEST

START_TEST(error_destination_is_directory)
{
	/* refused before anything is written (vcts/outfile.h): no temp file */
	const char *p = tpath("adir");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	int fds = vc_test_count_fds();
	struct fixture *fx = fixture_new();
	char err[512], exp[600];
	ck_assert_int_eq(vc_report_junit(p, &fx->r, NULL, err, sizeof err), -1);
	snprintf(exp, sizeof exp, "%s: is a directory (an output must be a regular file, a character device or a FIFO)", p);
	ck_assert_str_eq(err, exp);
	ck_assert_int_eq(vc_report_json(p, &fx->r, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, exp);
	ck_assert_int_eq(count_entries(tmpdir), 1);
	ck_assert_int_eq(count_entries(p), 0);
	ck_assert_int_eq(vc_test_count_fds(), fds);
	rmdir(p);
	free(fx);
}
END_TEST

START_TEST(overwrite_is_atomic_replace)
{
	/* an existing report is replaced whole, never appended to or truncated */
	const char *p = tpath("x.json");
	FILE *f = fopen(p, "w");
	fputs("old old old old old old old old old old old old old old old old old old old old "
	      "old old old old old old old old old old old old old old old old old old old old",
	      f);
	fclose(f);
	struct vc_results r;
	memset(&r, 0, sizeof r);
	char err[256];
	ck_assert_int_eq(vc_report_json(p, &r, NULL, err, sizeof err), 0);
	json_object *o = read_json(p);
	ck_assert_str_eq(jstr(o, "schema"), "vhost-cts-report/1");
	json_object_put(o);
	ck_assert_int_eq(count_entries(tmpdir), 1);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
	tcase_add_test(tc, json_round_trip);
	tcase_add_test(tc, json_strict_and_pass);
	tcase_add_test(tc, junit_valid_and_counts);
	tcase_add_test(tc, junit_strict_fails_should);
	tcase_add_test(tc, junit_schema_rejects_bad_documents);
	tcase_add_test(tc, junit_empty);
	tcase_add_test(tc, warnings_and_incomplete);
	tcase_add_test(tc, dash_is_stdout);
	tcase_add_test(tc, error_missing_directory);
	tcase_add_test(tc, error_read_only_directory);
	tcase_add_test(tc, error_destination_is_directory);
	tcase_add_test(tc, overwrite_is_atomic_replace);
	suite_add_tcase(s, tc);
	return s;
}
