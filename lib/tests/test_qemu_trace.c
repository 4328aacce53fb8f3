/* QEMU trace log importer (lib/trace/qemu_trace.c) and its line tokenizer
 * (lib/trace/qemu_log.h). Fixtures in lib/tests/data/qemu-trace/:
 * plain.log, timestamps.log, stderr-mixed.log are real QEMU 7.2 output
 * (-netdev vhost-user against a scripted back-end, -M none, with and
 * without -msg timestamp=on, -D file and stderr); two-processes.log is two
 * of those runs concatenated; vcpu-thread.log and other-only.log are
 * excerpts of traces/qemu-dpdk-net (a booted guest); iso.log, garbled.log,
 * interleaved.log and noise-only.log are hand-made. */
#include "harness/tests/common/testutil.h"
#include "lib/trace/qemu_log.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"

#include <stdlib.h>
#include <string.h>

struct loaded {
	struct vc_trace t;
	struct vc_error err;
	struct vc_qemu_trace_stats st;
	int rc;
};

/* Import a fixture; the trace's source is the bare file name so that
 * messages are stable. */
static void load(struct loaded *l, const char *name)
{
	char rel[256], msg[256];
	char *buf;
	size_t len;
	snprintf(rel, sizeof rel, "lib/tests/data/qemu-trace/%s", name);
	ck_assert_msg(vc_read_file(vc_test_path(rel), 1 << 20, &buf, &len, msg, sizeof msg) == 0,
		      "%s", msg);
	memset(l, 0, sizeof *l);
	vc_trace_init(&l->t, name, VC_FMT_QEMU_TRACE);
	l->rc = vc_import_qemu_trace_ex(&l->t, buf, len, &l->err, &l->st);
	free(buf);
}

static void load_mem(struct loaded *l, const char *text)
{
	size_t n = strlen(text);
	/* An exact-size copy without a terminating NUL: ASan catches any
	 * read past len. */
	char *buf = malloc(n ? n : 1);
	memcpy(buf, text, n);
	memset(l, 0, sizeof *l);
	vc_trace_init(&l->t, "mem.log", VC_FMT_QEMU_TRACE);
	l->rc = vc_import_qemu_trace_ex(&l->t, buf, n, &l->err, &l->st);
	free(buf);
}

static const char *errstr(const struct loaded *l)
{
	static char buf[1024];
	return vc_error_str(&l->err, buf, sizeof buf);
}

static void check_msg(const struct vc_event *e, uint32_t session, int dir, uint32_t req,
		      uint32_t flags, uint64_t line)
{
	ck_assert_uint_eq(e->kind, VC_EV_VU_MSG);
	ck_assert_uint_eq(e->session, session);
	ck_assert_uint_eq(e->dir, (unsigned)dir);
	ck_assert_uint_eq(e->u.vu.chan, VU_CHAN_MAIN);
	ck_assert_uint_eq(e->u.vu.request, req);
	ck_assert_uint_eq(e->u.vu.flags, flags);
	ck_assert(!e->u.vu.has_payload);
	ck_assert(!e->u.vu.has_size);
	ck_assert_uint_eq(e->u.vu.payload_len, 0);
	ck_assert(!e->has_fds);
	ck_assert_uint_eq(e->nfds, 0);
	ck_assert_uint_eq(e->src.line, line);
	ck_assert(!e->src.is_offset);
}

START_TEST(real_plain)
{
	struct loaded l;
	load(&l, "plain.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu");
	ck_assert_uint_eq(l.t.sessions[0].traced_side, VC_SIDE_FRONTEND);
	ck_assert_uint_eq(l.t.nevents, 14);
	ck_assert_uint_eq(l.t.sessions[0].messages, 14);
	ck_assert_uint_eq(l.st.other_vhost, 4); /* event, 2x commit, dev_cleanup */
	ck_assert_uint_eq(l.st.malformed, 0);
	ck_assert_uint_eq(l.t.warnings_total, 0);
	/* line 1 is "vhost_user_event chr: c0 got event: 1" */
	check_msg(&l.t.events[0], 0, VC_DIR_FE_TO_BE, VU_GET_FEATURES, 0x1, 2);
	check_msg(&l.t.events[1], 0, VC_DIR_BE_TO_FE, VU_GET_FEATURES, 0x5, 3);
	check_msg(&l.t.events[13], 0, VC_DIR_FE_TO_BE, VU_SET_VRING_ERR, 0x1, 15);
	for (size_t i = 0; i < l.t.nevents; i++) {
		ck_assert_int_eq(l.t.events[i].time_ns, -1);
		ck_assert_uint_eq(l.t.events[i].index, i);
		ck_assert_str_eq(l.t.events[i].src.file, "plain.log");
	}
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(real_timestamps)
{
	struct loaded l;
	load(&l, "timestamps.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu pid 4621");
	ck_assert_uint_eq(l.t.nevents, 14);
	/* 4621@1795358704.193236:vhost_user_write req:1 flags:0x1 */
	check_msg(&l.t.events[0], 0, VC_DIR_FE_TO_BE, 1, 0x1, 2);
	ck_assert_int_eq(l.t.events[0].time_ns, 1795358704193236000LL);
	/* 4621@1795358704.193591:vhost_user_read req:1 flags:0x5 */
	ck_assert_int_eq(l.t.events[1].time_ns, 1795358704193591000LL);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(real_stderr_with_iso_messages)
{
	struct loaded l;
	load(&l, "stderr-mixed.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu pid 4687");
	ck_assert_uint_eq(l.t.nevents, 14);
	/* the two "2026-...Z qemu-system-x86_64: warning" lines are noise */
	ck_assert_uint_eq(l.t.warnings_total, 0);
	ck_assert_uint_eq(l.st.other_vhost, 4);
	ck_assert_uint_eq(l.st.lines, 20);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(vcpu_thread_joins_process)
{
	struct loaded l;
	load(&l, "vcpu-thread.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	/* 5086 is the main thread, 5088 a vCPU thread of the same QEMU */
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu pid 5086");
	ck_assert_uint_eq(l.t.nevents, 84);
	ck_assert_uint_eq(l.st.processes, 1);
	/* line 21: 5088@1795358775.527183:vhost_user_write req:18 flags:0x1 */
	const struct vc_event *e = NULL;
	for (size_t i = 0; i < l.t.nevents; i++)
		if (l.t.events[i].src.line == 21)
			e = &l.t.events[i];
	ck_assert_ptr_nonnull(e);
	check_msg(e, 0, VC_DIR_FE_TO_BE, VU_SET_VRING_ENABLE, 0x1, 21);
	ck_assert_int_eq(e->time_ns, 1795358775527183000LL);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(two_processes)
{
	struct loaded l;
	load(&l, "two-processes.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 2);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu pid 4621");
	ck_assert_str_eq(l.t.sessions[1].name, "qemu pid 4687");
	ck_assert_uint_eq(l.t.sessions[0].messages, 14);
	ck_assert_uint_eq(l.t.sessions[1].messages, 14);
	ck_assert_uint_eq(l.t.events[13].session, 0);
	ck_assert_uint_eq(l.t.events[14].session, 1);
	ck_assert_uint_eq(l.t.events[14].index, 0);
	ck_assert_uint_eq(l.t.events[14].src.line, 20);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(new_thread_not_opening_joins_current)
{
	struct loaded l;
	load_mem(&l, "10@5.000001:vhost_user_write req:1 flags:0x1\n"
		     "10@5.000002:vhost_user_read req:1 flags:0x5\n"
		     "12@6.5:vhost_user_write req:18 flags:0x1\n"
		     "20@7.0:vhost_user_event chr: c0 got event: 1\n"
		     "20@7.1:vhost_user_write req:1 flags:0x1\n"
		     "21@7.2:vhost_user_write req:1 flags:0x1\n");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	/* 12 joins 10; 20 opens a connection (new process); 21 starts with
	 * GET_FEATURES (new process too) */
	ck_assert_uint_eq(l.t.nsessions, 3);
	ck_assert_uint_eq(l.t.events[2].session, 0);
	ck_assert_int_eq(l.t.events[2].time_ns, 6500000000LL);
	ck_assert_uint_eq(l.t.events[3].session, 1);
	ck_assert_str_eq(l.t.sessions[1].name, "qemu pid 20");
	ck_assert_uint_eq(l.t.events[4].session, 2);
	ck_assert_str_eq(l.t.sessions[2].name, "qemu pid 21");
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(iso_prefix)
{
	struct loaded l;
	load(&l, "iso.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 4);
	ck_assert_int_eq(l.t.events[0].time_ns, 1704103200123456000LL);
	ck_assert_int_eq(l.t.events[1].time_ns, 1704103200123500000LL);
	ck_assert_int_eq(l.t.events[2].time_ns, 1704103200500000000LL); /* +01:00 */
	/* with both prefixes QEMU's epoch reading wins, and it has a tid */
	ck_assert_int_eq(l.t.events[3].time_ns, 1704103201000001000LL);
	/* a prefix that changes mid-file (-msg timestamp turned on) is still
	 * the same process, with a warning (issue #14: split sessions gave
	 * false VU-NEG-01 findings) */
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu");
	ck_assert_uint_eq(l.t.events[3].session, 0);
	ck_assert_uint_eq(l.t.events[3].u.vu.request, VU_GET_PROTOCOL_FEATURES);
	ck_assert_uint_eq(l.t.nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(l.t.warnings[0], "iso.log:4: the line prefix changes here"));
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(garbled_lines_warn)
{
	struct loaded l;
	load(&l, "garbled.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	/* the first unreadable record is a gap in the session (one is
	 * enough: nothing after it is judged), the readable ones still come */
	ck_assert_uint_eq(l.t.nevents, 5);
	ck_assert_int_eq(l.t.events[2].kind, VC_EV_GAP);
	ck_assert_uint_eq(l.t.events[2].src.line, 3);
	ck_assert_uint_eq(l.t.events[3].u.vu.request, 0xffffffffu); /* req:-1 */
	ck_assert_uint_eq(l.t.events[3].src.line, 8);
	ck_assert_uint_eq(l.t.events[4].u.vu.request, 8);
	ck_assert_uint_eq(l.t.events[4].src.line, 14);
	ck_assert_uint_eq(l.st.malformed, 8);
	ck_assert_uint_eq(l.st.other_vhost, 1);
	static const char *const want[] = {
		"garbled.log:3: malformed vhost_user_write record skipped: empty 'req' value",
		"garbled.log:4: malformed vhost_user_write record skipped: bad 'req' value '1x2' "
		"(expected an integer -2^31..2^32-1)",
		"garbled.log:5: malformed vhost_user_read record skipped: bad 'req' value "
		"'99999999999' (expected an integer -2^31..2^32-1)",
		"garbled.log:6: malformed vhost_user_write record skipped: bad 'flags' value '0xZZ' "
		"(expected an integer -2^31..2^32-1)",
		"garbled.log:7: malformed vhost_user_write record skipped: no 'req:' field",
		"garbled.log:10: malformed vhost_user_read record skipped: no 'flags:' field",
		"garbled.log:11: malformed vhost_user_write record skipped: no 'req:' field",
		"garbled.log:13: malformed vhost_user_write record skipped: no 'req:' field",
	};
	ck_assert_uint_eq(l.t.nwarnings, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.t.nwarnings; i++)
		ck_assert_str_eq(l.t.warnings[i], want[i]);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(interleaved_output)
{
	struct loaded l;
	load(&l, "interleaved.log");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 3);
	check_msg(&l.t.events[1], 0, VC_DIR_BE_TO_FE, 1, 0x5, 2);
	ck_assert_int_eq(l.t.events[1].time_ns, 1795358707731807000LL);
	ck_assert_uint_eq(l.st.embedded, 1);
	ck_assert_uint_eq(l.t.nwarnings, 1);
	ck_assert_str_eq(l.t.warnings[0],
			 "interleaved.log:2: vhost_user_read record found mid-line (interleaved output?); imported");
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(only_other_vhost_events)
{
	struct loaded l;
	load(&l, "other-only.log");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_str_eq(errstr(&l),
			 "other-only.log: no vhost_user_read/vhost_user_write events, only 40 other "
			 "vhost_* trace events (first: vhost_commit) (was QEMU run with -trace "
			 "'vhost_user_*'?)");
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(noise_only)
{
	struct loaded l;
	load(&l, "noise-only.log");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_str_eq(errstr(&l), "noise-only.log: no vhost_user_read/vhost_user_write events "
				     "(was QEMU run with -trace 'vhost_user_*'?)");
	ck_assert_uint_eq(l.t.warnings_total, 0);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(only_malformed)
{
	struct loaded l;
	load_mem(&l, "vhost_user_write req:x flags:0x1\nvhost_commit Started: 0 Changed: 0\n");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_str_eq(errstr(&l),
			 "mem.log: no vhost_user_read/vhost_user_write events, only 1 other vhost_* "
			 "trace event (first: vhost_commit); 1 malformed vhost_user_read/write line "
			 "skipped (was QEMU run with -trace 'vhost_user_*'?)");
	ck_assert_uint_eq(l.t.warnings_total, 1);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(empty_and_binary)
{
	struct loaded l;
	load_mem(&l, "");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_str_eq(errstr(&l), "mem.log: empty file");
	vc_trace_free(&l.t);

	static const char junk[] = "\x7f"
				   "ELF\x02\x01\x01\0\0\0vhost_user_wr\xff\xfe\n\0\0\x01";
	char *buf = malloc(sizeof junk - 1);
	memcpy(buf, junk, sizeof junk - 1);
	memset(&l, 0, sizeof l);
	vc_trace_init(&l.t, "junk.bin", VC_FMT_QEMU_TRACE);
	l.rc = vc_import_qemu_trace(&l.t, buf, sizeof junk - 1, &l.err);
	free(buf);
	ck_assert_int_eq(l.rc, -1);
	ck_assert_str_eq(errstr(&l), "junk.bin: no vhost_user_read/vhost_user_write events "
				     "(was QEMU run with -trace 'vhost_user_*'?)");
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(len_is_honoured)
{
	/* The buffer goes on past len; only the first line may be read. */
	static const char text[] = "vhost_user_write req:3 flags:0x1\nvhost_user_write req:4 flags:0x1\n";
	struct vc_trace t;
	struct vc_error err;
	vc_trace_init(&t, "x", VC_FMT_QEMU_TRACE);
	/* cut in the middle of the flags value: "flags:0" */
	size_t cut = strlen("vhost_user_write req:3 flags:0");
	ck_assert_int_eq(vc_import_qemu_trace(&t, text, cut, &err), 0);
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.events[0].u.vu.request, 3);
	ck_assert_uint_eq(t.events[0].u.vu.flags, 0);
	vc_trace_free(&t);
}
END_TEST

START_TEST(epoch_limits)
{
	struct loaded l;
	load_mem(&l, "1@9223372035.999999:vhost_user_write req:1 flags:0x1\n"
		     "1@9223372036.0:vhost_user_write req:2 flags:0x1\n");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 2);
	ck_assert_int_eq(l.t.events[0].time_ns, 9223372035999999000LL);
	/* past 2^63 ns: not a prefix QEMU can print; the record is still found */
	ck_assert_int_eq(l.t.events[1].time_ns, -1);
	ck_assert_uint_eq(l.t.events[1].u.vu.request, 2);
	/* no valid tid prefix: also a prefix change */
	ck_assert_ptr_nonnull(strstr(l.t.warnings[0], "mem.log:2: the line prefix changes here"));
	ck_assert_str_eq(l.t.warnings[1],
			 "mem.log:2: vhost_user_write record found mid-line (interleaved output?); imported");
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(crlf_and_no_final_newline)
{
	struct loaded l;
	load_mem(&l, "vhost_user_write req:1 flags:0x1\r\nvhost_user_read req:1 flags:0x5");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 2);
	ck_assert_uint_eq(l.t.events[0].u.vu.flags, 1);
	ck_assert_uint_eq(l.t.events[1].u.vu.flags, 5);
	ck_assert_uint_eq(l.t.warnings_total, 0);
	vc_trace_free(&l.t);
}
END_TEST

START_TEST(detect_format)
{
	static const char a[] = "4621@1795358704.193110:vhost_user_event chr: c0 got event: 1\n";
	static const char b[] = "vhost_user_write req:1 flags:0x1\n";
	ck_assert_int_eq(vc_detect_format(a, sizeof a - 1), VC_FMT_QEMU_TRACE);
	ck_assert_int_eq(vc_detect_format(b, sizeof b - 1), VC_FMT_QEMU_TRACE);
}
END_TEST

/* ---- tokenizer ---- */

static int arg_is(const struct vc_qlog_arg *a, const char *k, const char *v)
{
	return a->klen == strlen(k) && memcmp(a->key, k, a->klen) == 0 && a->vlen == strlen(v) &&
	       memcmp(a->val, v, a->vlen) == 0;
}

START_TEST(tokenizer_shapes)
{
	struct vc_qlog_line l;
	const char *s = "5086@1795358769.467835:vhost_user_event chr: chr0 got event: 1";
	ck_assert(vc_qlog_parse(s, strlen(s), &l));
	ck_assert(l.has_tid);
	ck_assert_uint_eq(l.tid, 5086);
	ck_assert_int_eq(l.time_ns, 1795358769467835000LL);
	ck_assert(vc_qlog_name_is(&l, "vhost_user_event"));
	ck_assert_uint_eq(l.nargs, 3);
	ck_assert(arg_is(&l.arg[0], "chr", "chr0"));
	ck_assert(arg_is(&l.arg[1], "", "got"));
	ck_assert(arg_is(&l.arg[2], "event", "1"));
	ck_assert_str_eq(l.rest, "chr: chr0 got event: 1");

	s = "vhost_region_add_section mem: 0x0+0xa0000 @ 0x7f1d1bfff000";
	ck_assert(vc_qlog_parse(s, strlen(s), &l));
	ck_assert(!l.has_tid);
	ck_assert_int_eq(l.time_ns, -1);
	ck_assert_uint_eq(l.nargs, 3);
	ck_assert(arg_is(&l.arg[0], "mem", "0x0+0xa0000"));
	ck_assert(arg_is(&l.arg[1], "", "@"));
	ck_assert(arg_is(&l.arg[2], "", "0x7f1d1bfff000"));

	s = "vhost_commit Started: 0 Changed: 1";
	ck_assert(vc_qlog_parse(s, strlen(s), &l));
	ck_assert_ptr_nonnull(vc_qlog_find(&l, "Changed"));
	ck_assert(arg_is(vc_qlog_find(&l, "Changed"), "Changed", "1"));
	ck_assert_ptr_null(vc_qlog_find(&l, "changed"));

	s = "vhost_dev_cleanup";
	ck_assert(vc_qlog_parse(s, strlen(s), &l));
	ck_assert_uint_eq(l.nargs, 0);
	ck_assert_uint_eq(l.rest_len, 0);

	/* not trace records */
	static const char *const no[] = {
		"qemu-system-x86_64: warning: netdev n0 has no peer",
		"2026-11-22T14:45:07.732921Z qemu-system-x86_64: warning: x",
		"Linux version 6.1.0",
		"cts-guest: mode=net",
		"vhost_user_write:req:1",
		"12@34:",
		"12@.5:vhost_user_write req:1 flags:0x1",
		"",
		"   vhost_user_write req:1 flags:0x1",
		"novhost",
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		ck_assert_msg(!vc_qlog_parse(no[i], strlen(no[i]), &l), "parsed: %s", no[i]);
}
END_TEST

START_TEST(tokenizer_many_args)
{
	char s[512] = "vhost_x";
	for (int i = 0; i < 30; i++)
		strcat(s, " a:1");
	struct vc_qlog_line l;
	ck_assert(vc_qlog_parse(s, strlen(s), &l));
	ck_assert_uint_eq(l.nargs, VC_QLOG_MAX_ARGS);
	ck_assert(l.args_truncated);
}
END_TEST

START_TEST(iso_times)
{
	int64_t ns;
	const char *s = "1970-01-01T00:00:00Z";
	ck_assert_uint_eq(vc_qlog_iso_time(s, strlen(s), &ns), 20);
	ck_assert_int_eq(ns, 0);
	s = "2000-02-29T23:59:59.999999999Z rest";
	ck_assert_uint_eq(vc_qlog_iso_time(s, strlen(s), &ns), 30);
	ck_assert_int_eq(ns, 951868799999999999LL);
	s = "2024-01-01T10:00:00-0230";
	ck_assert_uint_eq(vc_qlog_iso_time(s, strlen(s), &ns), strlen(s));
	ck_assert_int_eq(ns, (1704103200LL + 9000) * 1000000000LL);
	static const char *const bad[] = {
		"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
		"2024-01-01T10:00:00",  "1969-12-31T23:59:59Z", "2024-01-01T10:00:00.Z",
		"2024-01-01T10:00:00+1", "2024-1-01T10:00:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(vc_qlog_iso_time(bad[i], strlen(bad[i]), &ns) == 0, "accepted %s", bad[i]);
	/* Not NUL-terminated: cut before the zone */
	s = "2024-01-01T10:00:00Z";
	ck_assert_uint_eq(vc_qlog_iso_time(s, 19, &ns), 0);
}
END_TEST

START_TEST(ints)
{
	bool neg;
	uint64_t v;
	ck_assert_int_eq(vc_qlog_int("0x1f", 4, &neg, &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert(!neg);
	ck_assert_int_eq(vc_qlog_int("-12", 3, &neg, &v), 0);
	ck_assert(neg);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(vc_qlog_int("18446744073709551615", 20, &neg, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(vc_qlog_int("18446744073709551616", 20, &neg, &v), -1);
	ck_assert_int_eq(vc_qlog_int("0x", 2, &neg, &v), -1);
	ck_assert_int_eq(vc_qlog_int("-", 1, &neg, &v), -1);
	ck_assert_int_eq(vc_qlog_int("12a", 3, &neg, &v), -1);
	ck_assert_int_eq(vc_qlog_int("", 0, &neg, &v), -1);
}
END_TEST

START_TEST(many_threads_linear)
{
	/* 20000 distinct thread ids, each opening a connection: the tid map
	 * must stay fast (this would time out if it were quadratic with a
	 * large constant) and every one is a process. */
	size_t cap = 20000 * 64, n = 0;
	char *buf = malloc(cap);
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%d@1.0:vhost_user_write req:1 flags:0x1\n",
				      100000 + i);
	struct vc_trace t;
	struct vc_error err;
	vc_trace_init(&t, "x", VC_FMT_QEMU_TRACE);
	ck_assert_int_eq(vc_import_qemu_trace(&t, buf, n, &err), 0);
	ck_assert_uint_eq(t.nsessions, 20000);
	ck_assert_uint_eq(t.nevents, 20000);
	ck_assert_uint_eq(t.events[19999].session, 19999);
	vc_trace_free(&t);
	free(buf);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("qemu_trace");
	TCase *tc = tcase_create("import");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, real_plain);
	tcase_add_test(tc, real_timestamps);
	tcase_add_test(tc, real_stderr_with_iso_messages);
	tcase_add_test(tc, vcpu_thread_joins_process);
	tcase_add_test(tc, two_processes);
	tcase_add_test(tc, new_thread_not_opening_joins_current);
	tcase_add_test(tc, iso_prefix);
	tcase_add_test(tc, garbled_lines_warn);
	tcase_add_test(tc, interleaved_output);
	tcase_add_test(tc, only_other_vhost_events);
	tcase_add_test(tc, noise_only);
	tcase_add_test(tc, only_malformed);
	tcase_add_test(tc, empty_and_binary);
	tcase_add_test(tc, len_is_honoured);
	tcase_add_test(tc, crlf_and_no_final_newline);
	tcase_add_test(tc, epoch_limits);
	tcase_add_test(tc, detect_format);
	tcase_add_test(tc, many_threads_linear);
	suite_add_tcase(s, tc);
	TCase *tk = tcase_create("tokenizer");
	tcase_add_test(tk, tokenizer_shapes);
	tcase_add_test(tk, tokenizer_many_args);
	tcase_add_test(tk, iso_times);
	tcase_add_test(tk, ints);
	suite_add_tcase(s, tk);
	return s;
}
