/* Native capture format (lib/trace/native*.c, traces/FORMAT.md): lossless
 * round trip of every field, the streaming writer's rules, a hand-written
 * capture; the reader's answer to bad input is test_native_bad.c. */
#include "harness/tests/common/testutil.h"
#include "lib/trace/native.h"
#include "lib/tests/native_util.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A trace with every field of every kind set to something non-default. */
static void build_full(struct vc_trace *t)
{
	vc_trace_init(t, "orig.strace", VC_FMT_STRACE);
	uint32_t s0 = vc_trace_add_session(t, VC_SIDE_FRONTEND, "qemu pid 42 fd 17 /tmp/vhost.sock");
	uint32_t s1 = vc_trace_add_session(t, VC_SIDE_LIVE, "live \"quoted\" \\ tab\t nl\n \x01 \xff\xfe");
	t->sessions[s1].source = "other-source.log";
	static uint8_t bytes[300];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 7 + 3);

	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.dir = VC_DIR_FE_TO_BE;
	ev.session = s0;
	ev.time_ns = 1795358769467932123LL;
	ev.src.file = "orig.strace";
	ev.src.line = 1234;
	ev.nfds = 40; /* more than kept: 32 descriptions stored */
	ev.has_fds = true;
	static struct vc_fd fdbuf[VC_EVENT_MAX_FDS];
	ev.fds = fdbuf;
	for (int i = 0; i < VC_EVENT_MAX_FDS; i++) {
		ev.fds[i].kind = (uint8_t)(i % VC_FD_KIND_MAX);
		ev.fds[i].size = i == 0 ? -1 : (int64_t)i << 40;
		ev.fds[i].ident = i == 1 ? UINT64_MAX : 0x1000ull * (uint64_t)i + 1;
		snprintf(ev.fds[i].name, sizeof ev.fds[i].name, "/memfd:region-%d (deleted) \"q\"", i);
	}
	memset(ev.fds[2].name, 'n', sizeof ev.fds[2].name - 1); /* longest name */
	ev.fds[2].name[sizeof ev.fds[2].name - 1] = 0;
	ev.u.vu.chan = VU_CHAN_BACKEND;
	ev.u.vu.request = 0xfffffffeu;
	ev.u.vu.flags = 0x80000005u;
	ev.u.vu.size = 300;
	ev.u.vu.has_size = true;
	ev.u.vu.has_payload = true;
	ev.u.vu.payload = bytes;
	ev.u.vu.payload_len = sizeof bytes;
	vc_trace_add_event(t, &ev);

	/* A QEMU-log style message: nothing but req/flags. */
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.dir = VC_DIR_BE_TO_FE;
	ev.session = s1;
	ev.time_ns = -1;
	ev.src.file = "live";
	ev.src.line = 0x1f0;
	ev.src.is_offset = true;
	ev.u.vu.request = VU_GET_FEATURES;
	ev.u.vu.flags = 0x5;
	ev.u.vu.size = 77; /* recorded value kept even when has_size is false */
	vc_trace_add_event(t, &ev);

	/* has_payload but empty; fds seen, none came */
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.session = s0;
	ev.time_ns = 0;
	ev.has_fds = true;
	ev.u.vu.request = VU_SET_OWNER;
	ev.u.vu.flags = 1;
	ev.u.vu.has_size = true;
	ev.u.vu.has_payload = true;
	vc_trace_add_event(t, &ev);

	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_KICK;
	ev.dir = VC_DIR_FE_TO_BE;
	ev.session = s1;
	ev.time_ns = 5;
	ev.u.kick.ring = 0xffffffffu;
	vc_trace_add_event(t, &ev);

	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_STALL;
	ev.dir = VC_DIR_BE_TO_FE;
	ev.session = s0;
	ev.time_ns = 6;
	ev.u.stall.owed_request = VU_GET_VRING_BASE;
	ev.u.stall.quiet_ns = INT64_MIN;
	vc_trace_add_event(t, &ev);

	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_EOF;
	ev.dir = VC_DIR_BE_TO_FE;
	ev.session = s0;
	ev.time_ns = INT64_MAX;
	ev.src.line = UINT64_MAX;
	ev.u.eof.partial = true;
	ev.u.eof.partial_bytes = 0xffffffffu;
	struct vc_event *e = vc_trace_add_event(t, &ev);
	e->index = UINT64_MAX; /* the stored index is kept as written */
}

START_TEST(roundtrip_every_field)
{
	struct vc_trace a, b;
	struct vc_error err;
	build_full(&a);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_native_to_buffer(&a, "test", &buf, &len), 0);
	ck_assert_int_eq(import(&b, "copy.jsonl", buf, len, &err), 0);
	free(buf);
	ck_assert_uint_eq(b.nwarnings, 0);

	/* Field by field, not only through the oracle. */
	ck_assert_uint_eq(b.nsessions, 2);
	ck_assert_uint_eq(b.sessions[0].traced_side, VC_SIDE_FRONTEND);
	ck_assert_str_eq(b.sessions[0].name, "qemu pid 42 fd 17 /tmp/vhost.sock");
	ck_assert_str_eq(b.sessions[0].source, "orig.strace");
	ck_assert_uint_eq(b.sessions[1].traced_side, VC_SIDE_LIVE);
	ck_assert_str_eq(b.sessions[1].name, a.sessions[1].name);
	ck_assert_str_eq(b.sessions[1].source, "other-source.log");
	ck_assert_uint_eq(b.sessions[0].messages, 4);
	ck_assert_uint_eq(b.nevents, 6);

	const struct vc_event *e = &b.events[0];
	ck_assert_uint_eq(e->kind, VC_EV_VU_MSG);
	ck_assert_uint_eq(e->dir, VC_DIR_FE_TO_BE);
	ck_assert_uint_eq(e->session, 0);
	ck_assert_uint_eq(e->index, 0);
	ck_assert_int_eq(e->time_ns, 1795358769467932123LL);
	ck_assert_str_eq(e->src.file, "orig.strace");
	ck_assert_uint_eq(e->src.line, 1234);
	ck_assert(!e->src.is_offset);
	ck_assert_uint_eq(e->nfds, 40);
	ck_assert(e->has_fds);
	for (int i = 0; i < VC_EVENT_MAX_FDS; i++) {
		ck_assert_uint_eq(e->fds[i].kind, a.events[0].fds[i].kind);
		ck_assert_int_eq(e->fds[i].size, a.events[0].fds[i].size);
		ck_assert_uint_eq(e->fds[i].ident, a.events[0].fds[i].ident);
		ck_assert_str_eq(e->fds[i].name, a.events[0].fds[i].name);
	}
	ck_assert_uint_eq(e->fds[1].ident, UINT64_MAX);
	ck_assert_int_eq(e->fds[0].size, -1);
	ck_assert_uint_eq(strlen(e->fds[2].name), VC_FD_NAME_MAX - 1);
	ck_assert_uint_eq(e->u.vu.chan, VU_CHAN_BACKEND);
	ck_assert_uint_eq(e->u.vu.request, 0xfffffffeu);
	ck_assert_uint_eq(e->u.vu.flags, 0x80000005u);
	ck_assert_uint_eq(e->u.vu.size, 300);
	ck_assert(e->u.vu.has_size);
	ck_assert(e->u.vu.has_payload);
	ck_assert_uint_eq(e->u.vu.payload_len, 300);
	ck_assert_mem_eq(e->u.vu.payload, a.events[0].u.vu.payload, 300);

	e = &b.events[1];
	ck_assert_uint_eq(e->dir, VC_DIR_BE_TO_FE);
	ck_assert_uint_eq(e->session, 1);
	ck_assert_int_eq(e->time_ns, -1);
	ck_assert_str_eq(e->src.file, "live");
	ck_assert_uint_eq(e->src.line, 0x1f0);
	ck_assert(e->src.is_offset);
	ck_assert(!e->has_fds);
	ck_assert(!e->u.vu.has_payload);
	ck_assert(!e->u.vu.has_size);
	ck_assert_uint_eq(e->u.vu.size, 77);
	ck_assert_ptr_null(e->u.vu.payload);

	e = &b.events[2];
	ck_assert(e->has_fds);
	ck_assert_uint_eq(e->nfds, 0);
	ck_assert(e->u.vu.has_payload);
	ck_assert_uint_eq(e->u.vu.payload_len, 0);
	ck_assert_str_eq(e->src.file, "orig.strace"); /* filled from the trace's source */

	ck_assert_uint_eq(b.events[3].kind, VC_EV_VU_KICK);
	ck_assert_uint_eq(b.events[3].u.kick.ring, 0xffffffffu);
	ck_assert_uint_eq(b.events[4].kind, VC_EV_VU_STALL);
	ck_assert_uint_eq(b.events[4].u.stall.owed_request, VU_GET_VRING_BASE);
	ck_assert_int_eq(b.events[4].u.stall.quiet_ns, INT64_MIN);
	ck_assert_uint_eq(b.events[5].kind, VC_EV_VU_EOF);
	ck_assert(b.events[5].u.eof.partial);
	ck_assert_uint_eq(b.events[5].u.eof.partial_bytes, 0xffffffffu);
	ck_assert_int_eq(b.events[5].time_ns, INT64_MAX);
	ck_assert_uint_eq(b.events[5].src.line, UINT64_MAX);
	ck_assert_uint_eq(b.events[5].index, UINT64_MAX);

	char why[256] = "";
	ck_assert_msg(vc_native_trace_equal(&a, &b, why, sizeof why), "%s", why);
	vc_trace_free(&a);
	vc_trace_free(&b);
}
END_TEST

START_TEST(oracle_sees_differences)
{
	/* The comparison must notice a change in any field it covers. */
	struct vc_trace a, b;
	struct vc_error err;
	build_full(&a);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_native_to_buffer(&a, NULL, &buf, &len), 0);
	ck_assert_int_eq(import(&b, "copy.jsonl", buf, len, &err), 0);
	free(buf);
	char why[256];
	struct vc_event *e = &b.events[0];
	uint8_t *pl = (uint8_t *)e->u.vu.payload;
	pl[299] ^= 1;
	ck_assert(!vc_native_trace_equal(&a, &b, why, sizeof why));
	ck_assert_str_eq(why, "event 0: payload bytes differ");
	pl[299] ^= 1;
	e->fds[31].ident++;
	ck_assert(!vc_native_trace_equal(&a, &b, why, sizeof why));
	ck_assert_str_eq(why, "event 0: fds[31].ident differs");
	e->fds[31].ident--;
	b.events[1].src.is_offset = false;
	ck_assert(!vc_native_trace_equal(&a, &b, why, sizeof why));
	b.events[1].src.is_offset = true;
	b.sessions[1].traced_side = VC_SIDE_BACKEND;
	ck_assert(!vc_native_trace_equal(&a, &b, why, sizeof why));
	ck_assert_str_eq(why, "session 1: side differs");
	b.sessions[1].traced_side = VC_SIDE_LIVE;
	ck_assert(vc_native_trace_equal(&a, &b, why, sizeof why));
	vc_trace_free(&a);
	vc_trace_free(&b);
}
END_TEST

START_TEST(write_file_and_load)
{
	struct vc_trace a, b;
	struct vc_error err;
	build_full(&a);
	char path[] = "/tmp/vcts-native-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vc_native_write_file(&a, path, &err), 0);
	/* auto-detection picks the native reader */
	ck_assert_msg(vc_trace_load(&b, path, VC_FMT_AUTO, 0, &err) == 0, "%s", errstr(&err));
	ck_assert_int_eq(b.format, VC_FMT_NATIVE);
	char why[256] = "";
	ck_assert_msg(vc_native_trace_equal(&a, &b, why, sizeof why), "%s", why);
	unlink(path);
	vc_trace_free(&b);

	/* a directory that does not exist: an error, no file */
	ck_assert_int_eq(vc_native_write_file(&a, "/nonexistent-dir/x.jsonl", &err), -1);
	ck_assert_str_eq(err.file, "/nonexistent-dir/x.jsonl");
	ck_assert_ptr_nonnull(strstr(err.what, "cannot create"));
	vc_trace_free(&a);
}
END_TEST

START_TEST(streaming_writer)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vc_native_writer *w = vc_native_open(f, "live-test");
	ck_assert_ptr_nonnull(w);
	struct vc_session s = { .id = 5, .traced_side = VC_SIDE_LIVE, .name = "live 1" };
	ck_assert_int_eq(vc_native_session(w, &s), 0);
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.session = 5;
	ev.time_ns = 10;
	ev.u.vu.request = VU_GET_FEATURES;
	ev.u.vu.flags = 1;
	ev.u.vu.has_size = true;
	ck_assert_int_eq(vc_native_event(w, &ev), 0);
	ck_assert_int_eq(vc_native_close(w), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "{\"format\":\"vhost-cts-capture\",\"version\":1,"
					  "\"producer\":\"live-test\"}\n"));

	struct vc_trace t;
	struct vc_error err;
	ck_assert_int_eq(import(&t, "w.jsonl", buf, len, &err), 0);
	ck_assert_uint_eq(t.nsessions, 1);
	ck_assert_uint_eq(t.sessions[0].id, 0); /* file id 5 becomes index 0 */
	ck_assert_uint_eq(t.nevents, 1);
	ck_assert_uint_eq(t.events[0].session, 0);
	ck_assert_int_eq(t.events[0].time_ns, 10);
	vc_trace_free(&t);
	free(buf);

	/* Misuse: event before its session, session twice, unknown kind. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	w = vc_native_open(f, NULL);
	ck_assert_int_eq(vc_native_event(w, &ev), -1);
	ck_assert_int_eq(vc_native_session(w, &s), 0);
	ck_assert_int_eq(vc_native_session(w, &s), -1);
	ev.kind = VC_EV_KIND_MAX;
	ck_assert_int_eq(vc_native_event(w, &ev), -1);
	ev.kind = VC_EV_VU_MSG;
	ev.dir = 2;
	ck_assert_int_eq(vc_native_event(w, &ev), -1);
	ev.dir = 0;
	ck_assert_int_eq(vc_native_event(w, &ev), 0);
	ck_assert_int_eq(vc_native_close(w), -1); /* something failed on the way */
	fclose(f);
	ck_assert_int_eq(import(&t, "w.jsonl", buf, len, &err), 0);
	ck_assert_uint_eq(t.nsessions, 1);
	ck_assert_uint_eq(t.nevents, 1);
	vc_trace_free(&t);
	free(buf);
	ck_assert_ptr_null(vc_native_open(NULL, "x"));
}
END_TEST

START_TEST(writer_refuses_unwritable_trace)
{
	struct vc_trace t;
	struct vc_error err;
	vc_trace_init(&t, "x", VC_FMT_NATIVE);
	vc_trace_add_session(&t, VC_SIDE_FRONTEND, "s");
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = 99;
	vc_trace_add_event(&t, &ev);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_native_to_buffer(&t, NULL, &buf, &len), -1);
	ck_assert_ptr_null(buf);
	t.events[0].kind = VC_EV_VU_KICK;
	ck_assert_int_eq(vc_native_to_buffer(&t, NULL, &buf, &len), 0);
	free(buf);
	t.events[0].kind = 99;
	ck_assert_int_eq(vc_native_write_file(&t, "/tmp/vcts-never-written.jsonl", &err), -1);
	ck_assert_str_eq(err.what, "cannot serialise the trace (an event has an unknown kind or value)");
	ck_assert_int_eq(access("/tmp/vcts-never-written.jsonl", F_OK), -1);
	vc_trace_free(&t);
}
END_TEST

START_TEST(hand_written_fixture)
{
	char msg[256];
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_read_file(vc_test_path("lib/tests/data/native/good.jsonl"), 1 << 20, &buf,
				      &len, msg, sizeof msg),
			 0);
	struct vc_trace t;
	struct vc_error err;
	ck_assert_msg(import(&t, "good.jsonl", buf, len, &err) == 0, "%s", errstr(&err));
	free(buf);
	ck_assert_uint_eq(t.nsessions, 2);
	ck_assert_str_eq(t.sessions[0].name, "qemu pid 42 fd 17 /tmp/vhost.sock");
	ck_assert_str_eq(t.sessions[0].source, "qemu.strace");
	ck_assert_str_eq(t.sessions[1].source, "good.jsonl"); /* no "source": the file */
	ck_assert_uint_eq(t.sessions[1].traced_side, VC_SIDE_BACKEND);
	ck_assert_uint_eq(t.nevents, 6);
	/* defaults: no time -> -1, no src -> this file, line 0; size present
	 * -> has_size; payload present -> has_payload */
	const struct vc_event *e = &t.events[1];
	ck_assert_int_eq(e->time_ns, 2000);
	ck_assert_uint_eq(e->index, 1);
	ck_assert_str_eq(e->src.file, "good.jsonl");
	ck_assert(e->u.vu.has_size && e->u.vu.has_payload && !e->has_fds);
	ck_assert_uint_eq(e->u.vu.payload_len, 8);
	ck_assert_uint_eq(vu_rd64(e->u.vu.payload), 0x0000004001000000ull); /* bytes 00 00 00 01 40 00 00 00 */
	e = &t.events[2];
	ck_assert_int_eq(e->time_ns, -1);
	ck_assert(e->has_fds);
	ck_assert_uint_eq(e->nfds, 1);
	ck_assert_uint_eq(e->fds[0].kind, VC_FD_MEMFD);
	ck_assert_int_eq(e->fds[0].size, 1073741824);
	ck_assert_uint_eq(e->fds[0].ident, 12345);
	ck_assert_str_eq(e->fds[0].name, "/memfd:mem (deleted)");
	ck_assert_uint_eq(e->u.vu.payload_len, 40);
	ck_assert_uint_eq(vu_rd32(e->u.vu.payload), 1); /* nregions */
	ck_assert_uint_eq(t.events[3].session, 1);
	ck_assert_uint_eq(t.events[3].kind, VC_EV_VU_KICK);
	ck_assert(t.events[3].src.is_offset);
	ck_assert_uint_eq(t.events[3].src.line, 496);
	ck_assert_int_eq(t.events[4].u.stall.quiet_ns, 5000000000LL);
	ck_assert_uint_eq(t.events[5].u.eof.partial_bytes, 7);
	/* the future kind and record type: skipped with warnings */
	ck_assert_uint_eq(t.nwarnings, 2);
	ck_assert_str_eq(t.warnings[0], "good.jsonl:6: unknown event kind 'future-kind' skipped "
					"(written by a newer vhost-cts?)");
	ck_assert_str_eq(t.warnings[1], "good.jsonl:7: unknown record type 'annotation' skipped");

	/* and it survives a round trip through the writer */
	struct vc_trace u;
	ck_assert_int_eq(vc_native_to_buffer(&t, NULL, &buf, &len), 0);
	ck_assert_int_eq(import(&u, "again.jsonl", buf, len, &err), 0);
	free(buf);
	char why[256] = "";
	ck_assert_msg(vc_native_trace_equal(&t, &u, why, sizeof why), "%s", why);
	vc_trace_free(&u);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("native");
	TCase *tc = tcase_create("native");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip_every_field);
	tcase_add_test(tc, oracle_sees_differences);
	tcase_add_test(tc, write_file_and_load);
	tcase_add_test(tc, streaming_writer);
	tcase_add_test(tc, writer_refuses_unwritable_trace);
	tcase_add_test(tc, hand_written_fixture);
	suite_add_tcase(s, tc);
	return s;
}
