/* Native capture format reader on bad input (traces/FORMAT.md, reader
 * policy): fatal header errors, one bad line among good ones a warning,
 * limits on payloads and lines, len honoured, later kinds skipped. */
#include "harness/tests/common/testutil.h"
#include "lib/trace/native.h"
#include "lib/tests/native_util.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- fatal errors ---- */

struct fatal_case {
	const char *text;
	size_t len; /* 0: strlen */
	const char *want;
};

START_TEST(fatal_errors)
{
	static const struct fatal_case cases[] = {
		{ "", 0, "t.jsonl: empty file" },
		{ "\n\n  \n", 0, "t.jsonl: empty file" },
		{ "garbage\n", 0, "t.jsonl:1: expected JSON object" },
		{ SESS, 0,
		  "t.jsonl:1: not a vhost-cts capture: the first line must be the header "
		  "{\"format\":\"vhost-cts-capture\",\"version\":1,...}" },
		{ "{\"format\":\"vhost-cts-capture\",\"version\":2}\n" SESS, 0,
		  "t.jsonl:1: capture format version 2 is newer than this reader (1); upgrade vhost-cts" },
		{ "{\"format\":\"vhost-cts-capture\",\"version\":\"1\"}\n", 0,
		  "t.jsonl:1: header field 'version' must be a positive integer" },
		{ "{\"format\":\"vhost-cts-capture\",\"version\":0}\n", 0,
		  "t.jsonl:1: header field 'version' must be a positive integer" },
		{ "{\"format\":\"vhost-cts-capture\",\"vers", 0,
		  "t.jsonl:1: truncated JSON object (the line ends inside it)" },
		{ "\n{\"format\":\"strace\",\"version\":1}\n", 0,
		  "t.jsonl:2: not a vhost-cts capture: the first line must be the header "
		  "{\"format\":\"vhost-cts-capture\",\"version\":1,...}" },
		{ "\x7f"
		  "ELF\x02\x01\x01\0\0\0\0\n",
		  12, "t.jsonl:1: NUL byte in line (binary data?)" },
		{ "{\"format\":\"vhost-cts-capture\",\"version\":1}\0\n", 44,
		  "t.jsonl:1: NUL byte in line (binary data?)" },
		/* only bad lines after the header: nothing usable */
		{ HDR SESS "not json\n{\"type\":\"event\"}\n", 0,
		  "t.jsonl:3: expected JSON object (no usable events: 2 bad lines)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vc_trace t;
		struct vc_error err;
		size_t n = cases[i].len ? cases[i].len : strlen(cases[i].text);
		ck_assert_msg(import(&t, "t.jsonl", cases[i].text, n, &err) == -1, "case %zu passed", i);
		ck_assert_msg(strcmp(errstr(&err), cases[i].want) == 0, "case %zu: got '%s'", i,
			      errstr(&err));
		vc_trace_free(&t);
	}
}
END_TEST

START_TEST(fatal_fixtures)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "newer-version.jsonl", "newer-version.jsonl:1: capture format version 2 is newer than "
					 "this reader (1); upgrade vhost-cts" },
		{ "all-bad.jsonl", "all-bad.jsonl:3: event names undeclared session 1 (no usable "
				   "events: 3 bad lines)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char rel[128], msg[256];
		char *buf;
		size_t len;
		snprintf(rel, sizeof rel, "lib/tests/data/native/%s", cases[i].file);
		ck_assert_int_eq(vc_read_file(vc_test_path(rel), 1 << 20, &buf, &len, msg, sizeof msg), 0);
		struct vc_trace t;
		struct vc_error err;
		ck_assert_int_eq(import(&t, cases[i].file, buf, len, &err), -1);
		free(buf);
		ck_assert_str_eq(errstr(&err), cases[i].want);
		vc_trace_free(&t);
	}
}
END_TEST

/* ---- one bad line among good ones: a warning, the rest imported ---- */

struct bad_case {
	const char *line;
	const char *want; /* the warning after "t.jsonl:4: " */
};

static const struct bad_case bad_cases[] = {
	{ "garbage", "expected JSON object" },
	{ "[1,2]", "expected JSON object" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\"", "truncated JSON object (the line ends inside it)" },
	{ "{\"type\":\"event\"} x", "invalid JSON at column 18: unexpected character" },
	{ "{\"type\":\"event\",}", "invalid JSON at column 17: unexpected character" },
	{ "{\"kind\":\"vu-msg\"}", "missing field 'type' (must be \"session\" or \"event\")" },
	{ "{\"type\":\"event\",\"session\":0}", "missing field 'kind'" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":9,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1}",
	  "event names undeclared session 9" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":-1,\"flags\":1}",
	  "field 'request' must be an integer 0..2^32-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":4294967296,\"flags\":1}",
	  "field 'request' must be an integer 0..2^32-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":\"1\",\"flags\":1}",
	  "field 'request' must be an integer 0..2^32-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1.5,\"flags\":1}",
	  "field 'request' must be an integer 0..2^32-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"flags\":1}",
	  "missing field 'request'" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":2,"
	  "\"request\":1,\"flags\":1}",
	  "field 'chan' must be an integer 0..1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"sideways\",\"chan\":0,"
	  "\"request\":1,\"flags\":1}",
	  "field 'dir' must be \"FE->BE\" or \"BE->FE\"" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"nfds\":1025}",
	  "field 'nfds' must be an integer 0..1024" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"nfds\":1,\"fds\":[{},{}]}",
	  "field 'fds' has 2 entries but 'nfds' is 1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"fds\":[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
	  "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]}",
	  "field 'fds' has more than 32 entries" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"fds\":[{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}",
	  "fds[0]: field 'name' is longer than 95 bytes" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"fds\":[{\"size\":-2}]}",
	  "fds[0]: field 'size' must be an integer -1..2^63-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"fds\":[7]}",
	  "fds[0] must be an object" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"payload\":\"abc\"}",
	  "field 'payload' must have an even number of hex digits" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"payload\":\"00zz\"}",
	  "field 'payload' has a non-hex character at position 2" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"payload\":7}",
	  "field 'payload' must be a string" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"time_ns\":-2}",
	  "field 'time_ns' must be an integer -1..2^63-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"time_ns\":9223372036854775808}",
	  "field 'time_ns' must be an integer -1..2^63-1" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"has_payload\":\"yes\"}",
	  "field 'has_payload' must be true or false" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"src\":\"here\"}",
	  "field 'src' must be an object" },
	{ "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
	  "\"request\":1,\"flags\":1,\"src\":{\"file\":\"a\\u0000b\"}}",
	  "field 'file' must not contain a NUL character" },
	{ "{\"type\":\"event\",\"kind\":\"vu-kick\",\"session\":0,\"dir\":\"FE->BE\"}",
	  "missing field 'ring'" },
	{ "{\"type\":\"event\",\"kind\":\"vu-stall\",\"session\":0,\"dir\":\"FE->BE\","
	  "\"owed_request\":1}",
	  "missing field 'quiet_ns'" },
	{ "{\"type\":\"event\",\"kind\":\"vu-eof\",\"session\":0,\"dir\":\"FE->BE\",\"partial\":1}",
	  "field 'partial' must be true or false" },
	{ "{\"type\":\"event\",\"kind\":\"mem-begin\",\"session\":0,\"dir\":\"FE->BE\",\"backend\":1,"
	  "\"iotlb_batch\":false,\"decisions\":false,\"slots\":8,\"target_page\":12288}",
	  "field 'target_page' must be 0 or a power of two in 4K..1G" },
	{ "{\"type\":\"session\",\"id\":0,\"side\":\"front-end\"}", "session 0 declared twice" },
	{ "{\"type\":\"session\",\"id\":1,\"side\":\"middle\"}",
	  "field 'side' must be \"front-end\", \"back-end\", \"live\" or \"unknown\"" },
	{ "{\"type\":\"session\",\"side\":\"live\"}", "missing field 'id'" },
	{ "{\"type\":\"session\",\"id\":1,\"name\":\"a\\u0000\"}",
	  "field 'name' must not contain a NUL character" },
	{ "{\"type\":\"session\",\"id\":1,\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxx\"}",
	  "field 'name' is longer than 159 bytes" },
	{ "{\"type\":\"event\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	  "invalid JSON at column 52: nesting too deep" },
};

START_TEST(bad_line_is_a_warning)
{
	const struct bad_case *c = &bad_cases[_i];
	size_t n = strlen(HDR SESS GOOD) + strlen(c->line) + 1 + strlen(GOOD);
	char *text = malloc(n + 1);
	snprintf(text, n + 1, "%s%s\n%s", HDR SESS GOOD, c->line, GOOD);
	struct vc_trace t;
	struct vc_error err;
	ck_assert_msg(import(&t, "t.jsonl", text, n, &err) == 0, "%s", errstr(&err));
	free(text);
	ck_assert_uint_eq(t.nevents, 2);
	ck_assert_uint_eq(t.events[1].src.line, 0);
	ck_assert_uint_eq(t.nwarnings, 1);
	char want[512];
	snprintf(want, sizeof want, "t.jsonl:4: %s; line skipped", c->want);
	ck_assert_str_eq(t.warnings[0], want);
	vc_trace_free(&t);
}
END_TEST

static char *make_payload_line(size_t nbytes)
{
	const char *pre = "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\","
			  "\"chan\":0,\"request\":5,\"flags\":1,\"payload\":\"";
	size_t n = strlen(pre) + 2 * nbytes + 3;
	char *s = malloc(n + 1);
	strcpy(s, pre);
	size_t p = strlen(pre);
	for (size_t i = 0; i < nbytes; i++) {
		s[p++] = "0123456789abcdef"[i & 15];
		s[p++] = 'A';
	}
	strcpy(s + p, "\"}\n");
	return s;
}

START_TEST(payload_limits)
{
	struct vc_trace t;
	struct vc_error err;
	/* exactly the limit: accepted */
	char *line = make_payload_line(VU_PARSER_MAX_PAYLOAD);
	size_t n = strlen(HDR SESS) + strlen(line);
	char *text = malloc(n + 1);
	snprintf(text, n + 1, "%s%s", HDR SESS, line);
	free(line);
	ck_assert_msg(import(&t, "t.jsonl", text, n, &err) == 0, "%s", errstr(&err));
	free(text);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.events[0].u.vu.payload_len, VU_PARSER_MAX_PAYLOAD);
	ck_assert_uint_eq(t.events[0].u.vu.payload[0], 0x0a);
	ck_assert_uint_eq(t.events[0].u.vu.payload[VU_PARSER_MAX_PAYLOAD - 1], 0xfa);
	vc_trace_free(&t);

	/* one byte more: the line is skipped, the good one after it kept */
	line = make_payload_line(VU_PARSER_MAX_PAYLOAD + 1);
	n = strlen(HDR SESS) + strlen(line) + strlen(GOOD);
	text = malloc(n + 1);
	snprintf(text, n + 1, "%s%s%s", HDR SESS, line, GOOD);
	free(line);
	ck_assert_int_eq(import(&t, "t.jsonl", text, n, &err), 0);
	free(text);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.nwarnings, 1);
	ck_assert_str_eq(t.warnings[0], "t.jsonl:3: field 'payload' is longer than 1048576 bytes "
					"(2097152 hex digits); line skipped");
	vc_trace_free(&t);
}
END_TEST

START_TEST(overlong_line)
{
	size_t big = VC_NATIVE_MAX_LINE + 1;
	size_t n = strlen(HDR SESS) + big + 1 + strlen(GOOD);
	char *text = malloc(n);
	size_t p = 0;
	memcpy(text, HDR SESS, strlen(HDR SESS));
	p = strlen(HDR SESS);
	text[p] = '{';
	memset(text + p + 1, ' ', big - 1);
	p += big;
	text[p++] = '\n';
	memcpy(text + p, GOOD, strlen(GOOD));
	struct vc_trace t;
	struct vc_error err;
	ck_assert_int_eq(import(&t, "t.jsonl", text, n, &err), 0);
	free(text);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.events[0].src.line, 0);
	ck_assert_str_eq(t.warnings[0], "t.jsonl:3: line is longer than 4194304 bytes; line skipped");
	vc_trace_free(&t);
}
END_TEST

START_TEST(len_is_honoured)
{
	/* the text goes on after len: the cut-off part must not be read */
	static const char text[] = HDR SESS GOOD "{\"type\":\"event\",\"kind\":\"vu-msg\"";
	struct vc_trace t;
	struct vc_error err;
	vc_trace_init(&t, "t.jsonl", VC_FMT_NATIVE);
	ck_assert_int_eq(vc_import_native(&t, text, strlen(HDR SESS GOOD), &err), 0);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.nwarnings, 0);
	vc_trace_free(&t);
	/* cut inside the last event: that line is truncated */
	vc_trace_init(&t, "t.jsonl", VC_FMT_NATIVE);
	ck_assert_int_eq(vc_import_native(&t, text, strlen(HDR SESS GOOD) - 5, &err), -1);
	ck_assert_str_eq(errstr(&err), "t.jsonl:3: truncated JSON object (the line ends inside it) "
				       "(no usable events: 1 bad line)");
	vc_trace_free(&t);
}
END_TEST

START_TEST(crlf_blank_lines_and_second_header)
{
	static const char text[] = "{\"format\":\"vhost-cts-capture\",\"version\":1}\r\n\r\n"
				   "{\"type\":\"session\",\"id\":0}\r\n" HDR
				   "{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"BE->FE\","
				   "\"chan\":1,\"request\":4,\"flags\":5}\r\n";
	struct vc_trace t;
	struct vc_error err;
	ck_assert_msg(import(&t, "t.jsonl", text, sizeof text - 1, &err) == 0, "%s", errstr(&err));
	ck_assert_uint_eq(t.nsessions, 1);
	ck_assert_uint_eq(t.sessions[0].traced_side, VC_SIDE_UNKNOWN);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.events[0].u.vu.chan, VU_CHAN_BACKEND);
	ck_assert_uint_eq(t.events[0].dir, VC_DIR_BE_TO_FE);
	ck_assert(!t.events[0].u.vu.has_payload);
	ck_assert(!t.events[0].u.vu.has_size);
	ck_assert(!t.events[0].has_fds);
	ck_assert_uint_eq(t.nwarnings, 1);
	ck_assert_str_eq(t.warnings[0], "t.jsonl:4: second header (concatenated captures?) ignored");
	vc_trace_free(&t);
}
END_TEST

START_TEST(later_kinds_are_unknown_to_v1)
{
	/* A kind this build knows but version 1 has no form for reads as
	 * unknown: skipped with a warning, nothing half-filled. Which kinds
	 * have a form changes as sources are added: find one the writer
	 * refuses. */
	int kind = 0;
	for (int k = VC_EV_VU_STALL + 1; k < VC_EV_KIND_MAX && !kind; k++) {
		char *buf = NULL;
		size_t blen = 0;
		FILE *m = open_memstream(&buf, &blen);
		struct vc_native_writer *w = vc_native_open(m, "probe");
		struct vc_session ps = { .id = 0, .name = "p", .source = "p" };
		vc_native_session(w, &ps);
		struct vc_event pe = { .kind = (uint8_t)k };
		if (vc_native_event(w, &pe) != 0)
			kind = k;
		vc_native_close(w);
		fclose(m);
		free(buf);
	}
	if (!kind)
		return; /* every kind has a v1 form: nothing is unknown to v1 */
	const char *name = vc_event_kind_name((enum vc_event_kind)kind);
	char text[512];
	snprintf(text, sizeof text,
		 HDR SESS GOOD "{\"type\":\"event\",\"kind\":\"%s\",\"session\":0,\"dir\":\"FE->BE\"}\n",
		 name);
	struct vc_trace t;
	struct vc_error err;
	ck_assert_int_eq(import(&t, "t.jsonl", text, strlen(text), &err), 0);
	ck_assert_uint_eq(t.nevents, 1);
	char want[256];
	snprintf(want, sizeof want,
		 "t.jsonl:4: unknown event kind '%s' skipped (written by a newer vhost-cts?)", name);
	ck_assert_str_eq(t.warnings[0], want);
	vc_trace_free(&t);
}
END_TEST

START_TEST(fds_partly_described)
{
	static const char text[] =
		HDR SESS
		"{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
		"\"request\":5,\"flags\":1,\"nfds\":3,\"fds\":[{\"kind\":\"memfd\",\"size\":4096}]}\n"
		"{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0,"
		"\"request\":5,\"flags\":1,\"nfds\":2}\n";
	struct vc_trace a, b;
	struct vc_error err;
	ck_assert_int_eq(import(&a, "t.jsonl", text, sizeof text - 1, &err), 0);
	ck_assert_uint_eq(a.nevents, 2);
	const struct vc_event *e = &a.events[0];
	ck_assert_uint_eq(e->nfds, 3);
	ck_assert(e->has_fds);
	ck_assert_ptr_nonnull(e->fds);
	ck_assert_uint_eq(e->fds[0].kind, VC_FD_MEMFD);
	ck_assert_int_eq(e->fds[0].size, 4096);
	ck_assert_uint_eq(e->fds[2].kind, VC_FD_UNKNOWN);
	ck_assert_int_eq(e->fds[2].size, -1);
	ck_assert_str_eq(e->fds[2].name, "");
	/* nfds without descriptions: no fds array at all */
	ck_assert_uint_eq(a.events[1].nfds, 2);
	ck_assert(a.events[1].has_fds);
	ck_assert_ptr_null(a.events[1].fds);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_native_to_buffer(&a, NULL, &buf, &len), 0);
	ck_assert_int_eq(import(&b, "u.jsonl", buf, len, &err), 0);
	free(buf);
	char why[256] = "";
	ck_assert_msg(vc_native_trace_equal(&a, &b, why, sizeof why), "%s", why);
	ck_assert_ptr_null(b.events[1].fds);
	vc_trace_free(&a);
	vc_trace_free(&b);
}
END_TEST

START_TEST(header_only_is_empty_trace)
{
	struct vc_trace t;
	struct vc_error err;
	ck_assert_int_eq(import(&t, "t.jsonl", HDR, strlen(HDR), &err), 0);
	ck_assert_uint_eq(t.nsessions, 0);
	ck_assert_uint_eq(t.nevents, 0);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("native_bad");
	TCase *tc = tcase_create("native");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fatal_errors);
	tcase_add_test(tc, fatal_fixtures);
	tcase_add_loop_test(tc, bad_line_is_a_warning, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, payload_limits);
	tcase_add_test(tc, overlong_line);
	tcase_add_test(tc, len_is_honoured);
	tcase_add_test(tc, crlf_blank_lines_and_second_header);
	tcase_add_test(tc, header_only_is_empty_trace);
	tcase_add_test(tc, later_kinds_are_unknown_to_v1);
	tcase_add_test(tc, fds_partly_described);
	suite_add_tcase(s, tc);
	return s;
}
