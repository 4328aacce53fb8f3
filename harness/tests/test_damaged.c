/* Damaged input is not blamed on the peer (issue #14, class 6). Each test
 * damages a real recording the way files get damaged (a payload byte left
 * unescaped, a line garbled, a file cut mid-line, a read line whose bytes
 * outnumber its result, a QEMU log whose line prefix changes mid-file) and
 * runs `vhost-cts check --json --junit` on it (also a QEMU record with an
 * unreadable field and a garbled vhost-vdpa call line): no MUST finding, the
 * importer's warning in both reports, and where bytes were lost the
 * session is reported incomplete. Every one of these gave a MUST finding
 * before (noted per test). */
#include "harness/tests/common/testutil.h"
#include "vcts/fileio.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *rel_or_abs, size_t *len, bool rel)
{
	char *buf, msg[256];
	ck_assert_msg(vc_read_file(rel ? vc_test_path(rel_or_abs) : rel_or_abs, 64u << 20, &buf, len,
				   msg, sizeof msg) == 0,
		      "%s", msg);
	return buf;
}

/* Replace the first occurrence of from (after the first occurrence of
 * anchor) by to; the result is a new buffer. */
static char *edit(const char *buf, size_t len, const char *anchor, const char *from, const char *to,
		  size_t *out_len)
{
	const char *a = memmem(buf, len, anchor, strlen(anchor));
	ck_assert_msg(a, "anchor '%s' not in the recording", anchor);
	const char *f = memmem(a, len - (size_t)(a - buf), from, strlen(from));
	ck_assert_msg(f, "'%s' not after '%s'", from, anchor);
	size_t fl = strlen(from), tl = strlen(to), at = (size_t)(f - buf);
	char *o = malloc(len - fl + tl);
	memcpy(o, buf, at);
	memcpy(o + at, to, tl);
	memcpy(o + at + tl, buf + at + fl, len - at - fl);
	*out_len = len - fl + tl;
	return o;
}

struct outcome {
	int rc;
	json_object *json;
	char *junit;
	char *console;
};

static void judge(const void *data, size_t len, const char *suffix, struct outcome *o)
{
	const char *in = vc_test_tmpfile(data, len, suffix);
	ck_assert_ptr_nonnull(in);
	char json[64], junit[64];
	snprintf(json, sizeof json, "/tmp/vcts-damaged-%d.json", (int)getpid());
	snprintf(junit, sizeof junit, "/tmp/vcts-damaged-%d.xml", (int)getpid());
	char *argv[] = { "vhost-cts", "check", "--json", json, "--junit", junit, (char *)in, NULL };
	o->rc = vc_test_run(argv, &o->console);
	size_t n;
	char *j = slurp(json, &n, false);
	o->json = json_tokener_parse(j);
	free(j);
	ck_assert_ptr_nonnull(o->json);
	o->junit = slurp(junit, &n, false);
	unlink(json);
	unlink(junit);
	unlink(in);
}

static json_object *get(json_object *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		json_object *v = NULL;
		ck_assert_msg(json_object_object_get_ex(o, k, &v), "no '%s' in the JSON report", path);
		o = v;
	}
	return o;
}

/* The verdict every damage must get: exit 0, no MUST finding, the warning
 * (what) in the JSON and JUnit reports; incomplete: a session marked so. */
static void expect_damage_reported(struct outcome *o, const char *what, bool incomplete)
{
	ck_assert_msg(o->rc == 0, "exit %d: %.300s", o->rc, o->console);
	ck_assert_int_eq(json_object_get_int64(get(o->json, "summary.findings.MUST")), 0);
	json_object *w = get(o->json, "warnings");
	bool found = false;
	for (size_t i = 0; i < json_object_array_length(w); i++) {
		const char *t = json_object_get_string(get(json_object_array_get_idx(w, i), "text"));
		found |= strstr(t, what) != NULL;
	}
	ck_assert_msg(found, "warning '%s' not in the JSON report: %.300s", what, o->console);
	ck_assert_int_ge(json_object_get_int64(get(o->json, "warnings_total")), 1);
	const char *se = strstr(o->junit, "<system-err>");
	ck_assert_msg(se && strstr(se, what), "warning '%s' not in the JUnit report", what);
	uint64_t inc = (uint64_t)json_object_get_int64(get(o->json, "summary.incomplete_sessions"));
	if (incomplete) {
		ck_assert_uint_ge(inc, 1);
		json_object *ss = get(o->json, "sessions");
		bool any = false;
		for (size_t i = 0; i < json_object_array_length(ss); i++)
			any |= json_object_get_boolean(get(json_object_array_get_idx(ss, i), "incomplete"));
		ck_assert(any);
		ck_assert_ptr_nonnull(strstr(o->junit, "name=\"incomplete\" value=\"true\""));
		ck_assert_ptr_nonnull(strstr(o->console, "INCOMPLETE"));
	} else {
		ck_assert_uint_eq(inc, 0);
	}
}

static void outcome_free(struct outcome *o)
{
	json_object_put(o->json);
	free(o->junit);
	free(o->console);
}

#define QEMU_STRACE "traces/qemu-dpdk-net/qemu.strace"
/* The GET_VRING_BASE reply for ring 0 as QEMU read it. */
#define REPLY_LINE "14:46:02.788921 recvmsg("

/* One byte of SET_PROTOCOL_FEATURES printed as two raw characters in an
 * -xx log ("bf" for "\xbf"): the stream shifted by a byte (before: FAIL
 * VU-HDR-01/05/06, 18 MUST findings). */
START_TEST(raw_byte_pair)
{
	size_t len, n;
	char *buf = slurp(QEMU_STRACE, &len, true);
	char *d = edit(buf, len, "\\x08\\x00\\x00\\x00\\xbf\\x0c\\x01", "\\xbf", "bf", &n);
	struct outcome o;
	judge(d, n, ".strace", &o);
	expect_damage_reported(&o, "not escaped in an -xx log", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* A line garbled in the middle of the file (part of it lost): the reply
 * it carried is not blamed as missing (before: FAIL VU-REPLY-01). */
START_TEST(garbled_line)
{
	size_t len, n;
	char *buf = slurp(QEMU_STRACE, &len, true);
	char *d = edit(buf, len, REPLY_LINE, "iov_len=8}], msg_iovlen=1", "iov_le", &n);
	struct outcome o;
	judge(d, n, ".strace", &o);
	expect_damage_reported(&o, "garbled", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* The same line with its time stamp mangled ("14:4X:02"): not strace's
 * syntax, but the call on the vhost-user socket is still found in it, so
 * its stream lost those bytes (before: 19 MUST findings, the stream
 * framed 8 bytes short). */
START_TEST(mangled_prefix)
{
	size_t len, n;
	char *buf = slurp(QEMU_STRACE, &len, true);
	char *d = edit(buf, len, "5047  14:46:02.788921", "14:46:02.788921", "14:4X:02.788921", &n);
	struct outcome o;
	judge(d, n, ".strace", &o);
	expect_damage_reported(&o, "unreadable line", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* The file cut in the middle of that reply's line (before: FAIL
 * VU-REPLY-01, and the warning only on stderr). */
START_TEST(cut_mid_line)
{
	size_t len;
	char *buf = slurp(QEMU_STRACE, &len, true);
	const char *a = memmem(buf, len, REPLY_LINE, strlen(REPLY_LINE));
	ck_assert_ptr_nonnull(a);
	struct outcome o;
	judge(buf, (size_t)(a - buf) + 120, ".strace", &o);
	expect_damage_reported(&o, "ends in the middle of this line", true);
	outcome_free(&o);
	free(buf);
}
END_TEST

/* A read line whose string holds more bytes than the call returned. */
START_TEST(payload_longer_than_result)
{
	size_t len, n;
	char *buf = slurp(QEMU_STRACE, &len, true);
	char *d = edit(buf, len, REPLY_LINE, "MSG_CMSG_CLOEXEC) = 8", "MSG_CMSG_CLOEXEC) = 6", &n);
	struct outcome o;
	judge(d, n, ".strace", &o);
	expect_damage_reported(&o, "shows 8 bytes for a result of 6", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* A QEMU log whose "tid@seconds:" prefix stops at the first device start
 * (-msg timestamp changed while the output was collected): still one
 * QEMU process, read whole (before: a second session starting with
 * SET_FEATURES, FAIL VU-NEG-01 x2). */
START_TEST(qemu_prefix_changes)
{
	size_t len;
	char *buf = slurp("traces/qemu-dpdk-net/qemu-trace-timestamps.log", &len, true);
	const char *a = memmem(buf, len, "vhost_dev_start", 15);
	ck_assert_ptr_nonnull(a);
	while (a > buf && a[-1] != '\n')
		a--;
	/* every line from there without its prefix */
	char *d = malloc(len);
	size_t n = (size_t)(a - buf);
	memcpy(d, buf, n);
	for (const char *p = a; p < buf + len;) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		const char *e = nl ? nl + 1 : buf + len;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		const char *at = memchr(p, '@', (size_t)(e - p));
		if (at && colon && at < colon)
			p = colon + 1;
		memcpy(d + n, p, (size_t)(e - p));
		n += (size_t)(e - p);
		p = e;
	}
	struct outcome o;
	judge(d, n, ".log", &o);
	expect_damage_reported(&o, "the line prefix changes here", false);
	/* one vhost-user session (and the memory listener's) */
	json_object *ss = get(o.json, "sessions");
	ck_assert_str_eq(json_object_get_string(get(json_object_array_get_idx(ss, 0), "name")),
			 "qemu pid 5086");
	ck_assert_int_eq(json_object_get_int64(get(json_object_array_get_idx(ss, 0), "messages")), 84);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* A QEMU record with an unreadable field: the reply it was is lost, so
 * the session stops there (before: 75 MUST findings, VU-HDR-03 and
 * VU-ONCE-05 on every reply after it). */
START_TEST(qemu_record_unreadable)
{
	size_t len, n;
	char *buf = slurp("traces/qemu-dpdk-net/qemu-trace.log", &len, true);
	char *d = edit(buf, len, "vhost_user_write req:17 ", "vhost_user_read req:17", "vhost_user_read req:1x", &n);
	struct outcome o;
	judge(d, n, ".log", &o);
	expect_damage_reported(&o, "malformed vhost_user_read record skipped", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* A vhost-vdpa client's ioctl line cut in the middle (DPDK, -xx): its
 * session is incomplete from there. */
START_TEST(vdpa_line_garbled)
{
	size_t len;
	char *buf = slurp("traces/vdpa-strace/dpdk-testpmd-cuse.strace", &len, true);
	/* the 21st line keeps its first 90 characters */
	const char *l = buf;
	for (int i = 0; i < 20; i++)
		l = memchr(l, '\n', len - (size_t)(l - buf)) + 1;
	const char *e = memchr(l, '\n', len - (size_t)(l - buf));
	ck_assert(e && e - l > 90);
	size_t head = (size_t)(l - buf) + 90, tail = len - (size_t)(e - buf);
	char *d = malloc(head + tail);
	memcpy(d, buf, head);
	memcpy(d + head, e, tail);
	struct outcome o;
	judge(d, head + tail, ".strace", &o);
	expect_damage_reported(&o, "vhost-vdpa call line garbled", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* A QEMU vhost-vdpa record with an unreadable field (the DRIVER_OK
 * status): the session is incomplete from there (before: FAIL
 * VDPA-STS-02, FEATURES_OK seemingly never followed by DRIVER_OK). */
START_TEST(qemu_vdpa_record_unreadable)
{
	size_t len, n;
	char *buf = slurp("traces/qemu-vdpa-shim/qemu-trace.log", &len, true);
	char *d = edit(buf, len, "vhost_vdpa_set_features", "status: 0x8", "status: 0xZ8", &n);
	struct outcome o;
	judge(d, n, ".log", &o);
	expect_damage_reported(&o, "malformed vhost_vdpa_add_status record skipped", true);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* The back-end's recvmsg of SET_BACKEND_REQ_FD with its control data cut
 * (MSG_CTRUNC): the fd it carried is not in the log, so the fd rules do
 * not judge that message; the session goes on (before: FAIL VU-FD-04 and
 * VU-BE-04 against QEMU). */
START_TEST(fds_cut)
{
	size_t len, n;
	char *buf = slurp("traces/qemu-dpdk-net/testpmd.strace", &len, true);
	char *d = edit(buf, len, "5024  14:45:52.620417 recvmsg(",
		       "msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
		       "cmsg_data=[25<UNIX-STREAM:[41546->41545]>]}], msg_controllen=24, msg_flags=0}",
		       "msg_controllen=0, msg_flags=MSG_CTRUNC}", &n);
	struct outcome o;
	judge(d, n, ".strace", &o);
	expect_damage_reported(&o, "MSG_CTRUNC: fds that came with this message were lost", false);
	outcome_free(&o);
	free(d);
	free(buf);
}
END_TEST

/* The undamaged recordings: no warning, nothing incomplete. */
START_TEST(clean_has_no_warning)
{
	static const char *const files[] = { QEMU_STRACE, "traces/qemu-dpdk-net/qemu-trace-timestamps.log" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		char *buf = slurp(files[i], &len, true);
		struct outcome o;
		judge(buf, len, i ? ".log" : ".strace", &o);
		ck_assert_int_eq(o.rc, 0);
		ck_assert_uint_eq(json_object_array_length(get(o.json, "warnings")), 0);
		ck_assert_int_eq(json_object_get_int64(get(o.json, "summary.incomplete_sessions")), 0);
		ck_assert_ptr_null(strstr(o.junit, "<system-err>"));
		ck_assert_ptr_nonnull(strstr(o.junit, "name=\"incomplete\" value=\"false\""));
		outcome_free(&o);
		free(buf);
	}
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("damaged");
	TCase *tc = tcase_create("damaged");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, raw_byte_pair);
	tcase_add_test(tc, garbled_line);
	tcase_add_test(tc, mangled_prefix);
	tcase_add_test(tc, cut_mid_line);
	tcase_add_test(tc, payload_longer_than_result);
	tcase_add_test(tc, qemu_prefix_changes);
	tcase_add_test(tc, qemu_record_unreadable);
	tcase_add_test(tc, vdpa_line_garbled);
	tcase_add_test(tc, fds_cut);
	tcase_add_test(tc, qemu_vdpa_record_unreadable);
	tcase_add_test(tc, clean_has_no_warning);
	suite_add_tcase(s, tc);
	return s;
}
