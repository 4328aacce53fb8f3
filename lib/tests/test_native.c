/* Native capture format (lib/trace/native.c, traces/FORMAT.md): lossless
 * round trip of every field, the streaming writer's rules, and the
 * reader's answer to bad input (exact messages and line numbers). */
#include "harness/tests/common/testutil.h"
#include "lib/trace/native.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR "{\"format\":\"vhost-cts-capture\",\"version\":1,\"producer\":\"t\"}\n"
#define SESS "{\"type\":\"session\",\"id\":0,\"side\":\"front-end\",\"name\":\"s\"}\n"
#define GOOD                                                                              \
	"{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0," \
	"\"request\":1,\"flags\":1}\n"

/* Import text from an exact-size heap copy (no NUL after it). */
static int import(struct vc_trace *t, const char *source, const char *text, size_t n,
		  struct vc_error *err)
{
	char *buf = malloc(n ? n : 1);
	memcpy(buf, text, n);
	vc_trace_init(t, source, VC_FMT_NATIVE);
	memset(err, 0, sizeof *err);
	int rc = vc_import_native(t, buf, n, err);
	free(buf);
	return rc;
}

static const char *errstr(const struct vc_error *e)
{
	static char buf[1024];
	return vc_error_str(e, buf, sizeof buf);
}

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
	Suite *s = suite_create("native");
	TCase *tc = tcase_create("native");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip_every_field);
	tcase_add_test(tc, oracle_sees_differences);
	tcase_add_test(tc, write_file_and_load);
	tcase_add_test(tc, streaming_writer);
	tcase_add_test(tc, writer_refuses_unwritable_trace);
	tcase_add_test(tc, hand_written_fixture);
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
