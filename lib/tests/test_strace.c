/* strace importer (lib/trace/strace*.c); whole recordings and block reads
 * are test_strace_real.c.
 *
 * Fixtures in lib/tests/data/strace/ are real strace 6.1 output of
 * mkfixtures.c (a small vhost-user front-end and back-end talking over
 * /tmp/vcts-fixture.sock), made by mkfixtures.sh:
 *   fe.strace        front-end traced alone (no -f): QEMU-style sendmsg
 *   be.strace        back-end traced alone: header by recvmsg, payload by read
 *   both.strace      -f over both: pids, <unfinished ...>/<... resumed>
 *   be-ttt.strace    -f -ttt to stderr: "[pid N]" prefixes and epoch times
 *   be-partial.strace MSG_PEEK, the front-end dies mid-message
 *   be-cut.strace    be.strace cut after a header was read
 *   stall.strace, stall-f.strace  front-end blocked waiting for a reply
 *   fe-s16.strace    recorded with -s 16 (data cut by strace)
 * Garbled inputs are built in memory (exact-size buffers, no NUL: ASan
 * catches any read past len). */
#include "harness/tests/common/testutil.h"
#include "lib/trace/strace_priv.h"
#include "vcts/fileio.h"
#include "vcts/trace.h"
#include "vcts/wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct loaded {
	struct vc_trace t;
	struct vc_error err;
	int rc;
	char *text;   /* the fixture, for reading back lines */
	size_t len;
};

static void load(struct loaded *l, const char *name)
{
	char rel[256], msg[256];
	snprintf(rel, sizeof rel, "lib/tests/data/strace/%s", name);
	memset(l, 0, sizeof *l);
	ck_assert_msg(vc_read_file(vc_test_path(rel), 1 << 24, &l->text, &l->len, msg, sizeof msg) == 0,
		      "%s", msg);
	vc_trace_init(&l->t, name, VC_FMT_STRACE);
	l->rc = vc_import_strace(&l->t, l->text, l->len, &l->err);
}

static void load_buf(struct loaded *l, const char *text, size_t n)
{
	char *buf = malloc(n ? n : 1);
	memcpy(buf, text, n);
	memset(l, 0, sizeof *l);
	vc_trace_init(&l->t, "mem.strace", VC_FMT_STRACE);
	l->rc = vc_import_strace(&l->t, buf, n, &l->err);
	free(buf);
}

static void load_mem(struct loaded *l, const char *text) { load_buf(l, text, strlen(text)); }

static void unload(struct loaded *l)
{
	vc_trace_free(&l->t);
	free(l->text);
}

static const char *errstr(const struct loaded *l)
{
	static char buf[1024];
	return vc_error_str(&l->err, buf, sizeof buf);
}

static const char *warnings(const struct loaded *l)
{
	static char buf[8192];
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->t.nwarnings && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\n", l->t.warnings[i]);
	return buf;
}

static bool has_warning(const struct loaded *l, const char *prefix, const char *word)
{
	for (size_t i = 0; i < l->t.nwarnings; i++)
		if (strncmp(l->t.warnings[i], prefix, strlen(prefix)) == 0 &&
		    strstr(l->t.warnings[i], word))
			return true;
	return false;
}

/* The conversation mkfixtures.c plays; identical from every viewpoint. */
struct exp {
	int dir;
	int chan;
	uint32_t req, flags, size, nfds;
	int fdkind;
};
#define F VC_DIR_FE_TO_BE
#define B VC_DIR_BE_TO_FE
static const struct exp conversation[] = {
	{ F, 0, VU_GET_FEATURES, 0x1, 0, 0, 0 },
	{ B, 0, VU_GET_FEATURES, 0x5, 8, 0, 0 },
	{ F, 0, VU_SET_FEATURES, 0x1, 8, 0, 0 },
	{ F, 0, VU_SET_OWNER, 0x1, 0, 0, 0 },
	{ F, 0, VU_GET_PROTOCOL_FEATURES, 0x1, 0, 0, 0 },
	{ B, 0, VU_GET_PROTOCOL_FEATURES, 0x5, 8, 0, 0 },
	{ F, 0, VU_SET_PROTOCOL_FEATURES, 0x9, 8, 0, 0 },
	{ B, 0, VU_SET_PROTOCOL_FEATURES, 0x5, 8, 0, 0 },
	{ F, 0, VU_SET_BACKEND_REQ_FD, 0x1, 0, 1, VC_FD_SOCKET },
	{ F, 0, VU_SET_MEM_TABLE, 0x1, 40, 1, VC_FD_MEMFD },
	{ F, 0, VU_SET_VRING_KICK, 0x1, 8, 1, VC_FD_EVENTFD },
	{ F, 0, VU_SET_VRING_CALL, 0x1, 8, 1, VC_FD_EVENTFD },
	{ F, 0, VU_GET_VRING_BASE, 0x1, 8, 0, 0 },
	{ B, 1, VU_BE_CONFIG_CHANGE_MSG, 0x9, 0, 0, 0 },
	{ F, 1, VU_BE_CONFIG_CHANGE_MSG, 0x5, 8, 0, 0 },
	{ B, 0, VU_GET_VRING_BASE, 0x5, 8, 0, 0 },
};
#define NCONV (sizeof conversation / sizeof conversation[0])

static void check_conversation(const struct loaded *l)
{
	ck_assert_msg(l->rc == 0, "%s", errstr(l));
	ck_assert_uint_eq(l->t.nsessions, 1);
	ck_assert_uint_eq(l->t.nevents, NCONV + 1);
	int64_t prev = -1;
	for (size_t i = 0; i < NCONV; i++) {
		const struct vc_event *e = &l->t.events[i];
		const struct exp *x = &conversation[i];
		ck_assert_msg(e->kind == VC_EV_VU_MSG, "event %zu kind %d", i, e->kind);
		ck_assert_msg(e->dir == x->dir && e->u.vu.chan == x->chan && e->u.vu.request == x->req &&
				      e->u.vu.flags == x->flags && e->u.vu.size == x->size,
			      "event %zu: dir %d chan %d req %u flags 0x%x size %u", i, e->dir,
			      e->u.vu.chan, e->u.vu.request, e->u.vu.flags, e->u.vu.size);
		ck_assert(e->u.vu.has_payload && e->u.vu.has_size && e->has_fds);
		ck_assert_uint_eq(e->u.vu.payload_len, x->size);
		ck_assert_uint_eq(e->nfds, x->nfds);
		if (x->nfds) {
			ck_assert_int_eq(e->fds[0].kind, x->fdkind);
			ck_assert_int_eq(e->fds[0].size, -1);
			ck_assert_uint_ne(e->fds[0].ident, 0);
		}
		ck_assert_uint_eq(e->session, 0);
		ck_assert_uint_eq(e->index, i);
		ck_assert_ptr_nonnull(e->src.file);
		ck_assert_int_ge(e->time_ns, prev);
		prev = e->time_ns;
	}
	/* SET_MEM_TABLE payload: one region of 1 MiB */
	const struct vc_event *mt = &l->t.events[9];
	ck_assert_uint_eq(vu_rd32(mt->u.vu.payload), 1);
	ck_assert_uint_eq(vu_rd64(mt->u.vu.payload + 16), 1 << 20);
	ck_assert_str_eq(mt->fds[0].name, "/memfd:guest-ram (deleted)");
	ck_assert_str_eq(l->t.events[10].fds[0].name, "anon_inode:[eventfd]");
	/* GET_FEATURES reply value */
	ck_assert_uint_eq(vu_rd64(l->t.events[1].u.vu.payload), (1ull << 32) | (1ull << 30));
	const struct vc_event *eof = &l->t.events[NCONV];
	ck_assert_int_eq(eof->kind, VC_EV_VU_EOF);
	ck_assert(!eof->u.eof.partial);
}

/* ns since midnight of the "HH:MM:SS.uuuuuu" starting line n of the text */
static int64_t line_time(const struct loaded *l, uint64_t n)
{
	const char *p = l->text;
	for (uint64_t i = 1; i < n; i++)
		p = strchr(p, '\n') + 1;
	const char *q = p;
	while (*q >= '0' && *q <= '9')
		q++;
	if (*q == ' ')
		p = q; /* a pid column */
	while (*p == ' ')
		p++;
	int hh, mm, ss, us;
	ck_assert_int_eq(sscanf(p, "%d:%d:%d.%d", &hh, &mm, &ss, &us), 4);
	return ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000000ll + (int64_t)us * 1000;
}

START_TEST(frontend_view)
{
	struct loaded l;
	load(&l, "fe.strace");
	check_conversation(&l);
	ck_assert_uint_eq(l.t.nwarnings, 0);
	const struct vc_session *s = &l.t.sessions[0];
	ck_assert_int_eq(s->traced_side, VC_SIDE_FRONTEND);
	ck_assert_msg(strncmp(s->name, "fd 4 UNIX-STREAM:[", 18) == 0 &&
			      strstr(s->name, "] /tmp/vcts-fixture.sock"),
		      "%s", s->name);
	/* whole sendmsg lines; two messages in the sendmsg of line 6 */
	static const uint64_t lines[NCONV] = { 2, 4, 5, 6, 6, 7, 8, 10, 11, 12, 13, 14, 18, 19, 20, 22 };
	for (size_t i = 0; i < NCONV; i++)
		ck_assert_uint_eq(l.t.events[i].src.line, lines[i]);
	ck_assert_str_eq(l.t.events[0].src.file, "fe.strace");
	ck_assert_int_eq(l.t.events[0].time_ns, line_time(&l, 2));
	ck_assert_int_eq(l.t.events[NCONV].dir, VC_DIR_BE_TO_FE);
	ck_assert_uint_eq(l.t.events[NCONV].src.line, 24);
	ck_assert_uint_eq(vc_detect_format(l.text, l.len), VC_FMT_STRACE);
	unload(&l);
}
END_TEST

START_TEST(backend_view_split_header_payload)
{
	struct loaded l;
	load(&l, "be.strace");
	check_conversation(&l);
	ck_assert_uint_eq(l.t.nwarnings, 0);
	ck_assert_int_eq(l.t.sessions[0].traced_side, VC_SIDE_BACKEND);
	/* header by recvmsg on one line, payload by read on the next: the
	 * message is dated by the read that completed it */
	static const uint64_t lines[NCONV] = { 2, 3, 5, 6, 7, 8, 10, 11, 12, 14, 16, 18, 20, 21, 23, 24 };
	for (size_t i = 0; i < NCONV; i++)
		ck_assert_uint_eq(l.t.events[i].src.line, lines[i]);
	/* the memfd came with the header's recvmsg (line 13), not the read */
	ck_assert_int_eq(l.t.events[9].fds[0].kind, VC_FD_MEMFD);
	/* the front-end closed: recvmsg returned 0 at line 26 */
	ck_assert_int_eq(l.t.events[NCONV].dir, VC_DIR_FE_TO_BE);
	ck_assert_uint_eq(l.t.events[NCONV].src.line, 26);
	unload(&l);
}
END_TEST

START_TEST(both_sides_with_f)
{
	struct loaded l;
	load(&l, "both.strace");
	/* both ends traced: one session, not two (the peer's view is the
	 * same bytes) */
	check_conversation(&l);
	ck_assert_msg(l.t.nwarnings == 0, "%s", warnings(&l));
	const struct vc_session *s = &l.t.sessions[0];
	ck_assert_int_eq(s->traced_side, VC_SIDE_FRONTEND);
	ck_assert_msg(strncmp(s->name, "pid ", 4) == 0 && strstr(s->name, " fd 4 UNIX-STREAM:[") &&
			      strstr(s->name, "/tmp/vcts-fixture.sock"),
		      "%s", s->name);
	/* the GET_FEATURES reply came with "<... read resumed>" on line 10 */
	ck_assert_uint_eq(l.t.events[1].src.line, 10);
	unload(&l);
}
END_TEST

START_TEST(epoch_times_and_pid_brackets)
{
	struct loaded l;
	load(&l, "be-ttt.strace");
	check_conversation(&l);
	/* the last lines lose "[pid N]" once one process is left; the
	 * resumed call still finds its start */
	ck_assert_msg(l.t.nwarnings == 0, "%s", warnings(&l));
	ck_assert_str_eq(l.t.sessions[0].name + strlen(l.t.sessions[0].name) -
				 strlen("/tmp/vcts-fixture.sock"),
			 "/tmp/vcts-fixture.sock");
	ck_assert_int_gt(l.t.events[0].time_ns, 1500000000ll * 1000000000ll);
	ck_assert_int_eq(l.t.events[0].time_ns % 1000, 0);
	unload(&l);
}
END_TEST

START_TEST(peek_and_eof_mid_message)
{
	struct loaded l;
	load(&l, "be-partial.strace");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_int_eq(l.t.sessions[0].traced_side, VC_SIDE_BACKEND);
	/* the MSG_PEEK'd header is not counted twice: 12 + 10 bytes, not 34 */
	ck_assert_uint_eq(l.t.nevents, 1);
	const struct vc_event *e = &l.t.events[0];
	ck_assert_int_eq(e->kind, VC_EV_VU_EOF);
	ck_assert(e->u.eof.partial);
	ck_assert_uint_eq(e->u.eof.partial_bytes, 22);
	ck_assert_int_eq(e->dir, VC_DIR_FE_TO_BE);
	ck_assert_uint_eq(e->src.line, 7);
	unload(&l);
}
END_TEST

START_TEST(log_cut_mid_message)
{
	struct loaded l;
	load(&l, "be-cut.strace");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 10);
	ck_assert_uint_eq(l.t.events[8].u.vu.request, VU_SET_BACKEND_REQ_FD);
	const struct vc_event *e = &l.t.events[9];
	ck_assert_int_eq(e->kind, VC_EV_VU_EOF);
	ck_assert(e->u.eof.partial);
	ck_assert_uint_eq(e->u.eof.partial_bytes, 12);
	ck_assert_int_eq(e->dir, VC_DIR_FE_TO_BE);
	unload(&l);
}
END_TEST

static void check_stall(const char *name, uint64_t line)
{
	struct loaded l;
	load(&l, name);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 3);
	ck_assert_int_eq(l.t.sessions[0].traced_side, VC_SIDE_FRONTEND);
	ck_assert_uint_eq(l.t.events[0].u.vu.request, VU_GET_VRING_BASE);
	const struct vc_event *e = &l.t.events[1];
	ck_assert_int_eq(e->kind, VC_EV_VU_STALL);
	ck_assert_int_eq(e->dir, VC_DIR_BE_TO_FE);
	ck_assert_uint_eq(e->u.stall.owed_request, VU_GET_VRING_BASE);
	ck_assert_uint_eq(e->src.line, line);
	/* blocked for about the 1 s alarm */
	ck_assert_int_gt(e->u.stall.quiet_ns, 900000000ll);
	ck_assert_int_eq(l.t.events[2].kind, VC_EV_VU_EOF);
	unload(&l);
}

START_TEST(stall_real)
{
	check_stall("stall.strace", 3);   /* read ... = ? ERESTARTSYS, killed */
	check_stall("stall-f.strace", 5); /* -f: <unfinished ...>, resumed with ? */
}
END_TEST

START_TEST(stall_unfinished_never_resumed)
{
	struct loaded l;
	load_mem(&l,
		 "100 10:00:00.000001 sendmsg(5<UNIX-STREAM:[100->101]>, {msg_name=NULL, msg_namelen=0, "
		 "msg_iov=[{iov_base=\"\\x0b\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x08\\x00\\x00\\x00\", "
		 "iov_len=12}, {iov_base=\"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", iov_len=8}], "
		 "msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 20\n"
		 "100 10:00:00.000002 recvmsg(5<UNIX-STREAM:[100->101]>,  <unfinished ...>\n"
		 "101 10:00:05.000000 write(1<pipe:[5]>, \"x\", 1) = 1\n");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 3);
	ck_assert_str_eq(l.t.sessions[0].name, "pid 100 fd 5 UNIX-STREAM:[100->101]");
	const struct vc_event *e = &l.t.events[1];
	ck_assert_int_eq(e->kind, VC_EV_VU_STALL);
	ck_assert_int_eq(e->dir, VC_DIR_BE_TO_FE);
	ck_assert_uint_eq(e->u.stall.owed_request, VU_GET_VRING_BASE);
	ck_assert_uint_eq(e->src.line, 2);
	ck_assert_int_eq(e->time_ns, 36000000002000ll);
	ck_assert_int_eq(e->u.stall.quiet_ns, 4999998000ll);
	ck_assert_uint_eq(vu_rd32(l.t.events[0].u.vu.payload), 1);
	unload(&l);
}
END_TEST

START_TEST(strace_cut_data)
{
	struct loaded l;
	load(&l, "fe-s16.strace");
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	/* messages before the cut are kept: GET_FEATURES, its reply,
	 * SET_FEATURES, and SET_OWNER (the first 12 of the 16 bytes shown) */
	ck_assert_uint_ge(l.t.nevents, 4);
	ck_assert_uint_eq(l.t.events[3].u.vu.request, VU_SET_OWNER);
	ck_assert_uint_eq(l.t.events[3].src.line, 6);
	ck_assert_msg(has_warning(&l, "fe-s16.strace:6: ", "16 of 24 bytes shown"), "%s", warnings(&l));
	/* the loss is a gap in the session at line 6, and nothing more from
	 * that connection comes after it but its end */
	ck_assert_int_eq(l.t.events[4].kind, VC_EV_GAP);
	ck_assert_uint_eq(l.t.events[4].session, 0);
	ck_assert_uint_eq(l.t.events[4].src.line, 6);
	for (size_t i = 5; i < l.t.nevents; i++)
		ck_assert(l.t.events[i].session != 0 || l.t.events[i].kind == VC_EV_VU_EOF);
	unload(&l);
}
END_TEST

/* A header as \x.. text plus n zero payload bytes. */
static const char *hexmsg(uint32_t req, uint32_t flags, uint32_t size, size_t n)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ & 7];
	uint8_t raw[12];
	vu_wr32(raw, req);
	vu_wr32(raw + 4, flags);
	vu_wr32(raw + 8, size);
	size_t o = 0;
	for (size_t i = 0; i < 12 + n && o + 5 < 4096; i++)
		o += (size_t)snprintf(b + o, 4096 - o, "\\x%02x", i < 12 ? raw[i] : 0);
	return b;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	static char buf[4][65536];
	static int k;
	char *b = buf[k++ & 3];
	va_list ap;
	va_start(ap, f);
	vsnprintf(b, sizeof buf[0], f, ap);
	va_end(ap);
	return b;
}

START_TEST(garbled_lines_warn)
{
	struct loaded l;
	char *text = fmt(
		"write(5<UNIX-STREAM:[100->101]>, \"%s\", 12) = 12\n"                       /* 1 */
		"read(5<UNIX-STREAM:[100->101]>, \"%s\", 20) = 20\n"                        /* 2 */
		"write(1</dev/pts/0>, \"hi\\n\", 3) = 3\n"                                    /* 3 */
		"write(7<UNIX-STREAM:[300->301]>, \"\\xzz\", 1) = 1\n"                       /* 4 bad hex */
		"write(7<UNIX-STREAM:[300->301]>, \"\\x01\\x00, 2) = 2\n"                    /* 5 no quote */
		"sendmsg(5<UNIX-STREAM:[100->101]>, {msg_iov=[{iov_base=\"%s\", "
		"iov_len=99999999999999999999999}], msg_iovlen=1}, 0) = 12\n"                /* 6 huge */
		"write(5<UNIX-STREAM:[100->101]>, \"%s\", 12) = 12\n"                       /* 7 */
		"read(5<UNIX-STREAM:[100->101]>, \"\\x01\\x00",                               /* 8 cut */
		hexmsg(1, 1, 0, 0), hexmsg(1, 5, 8, 8), hexmsg(3, 1, 0, 0), hexmsg(3, 1, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_int_eq(l.t.sessions[0].traced_side, VC_SIDE_FRONTEND);
	ck_assert_str_eq(l.t.sessions[0].name, "fd 5 UNIX-STREAM:[100->101]");
	/* GET_FEATURES + reply, then the stream is unreliable (line 6 lost):
	 * a gap, and no end of session (nothing after the gap is judged, and
	 * the file is cut anyway) */
	ck_assert_uint_eq(l.t.nevents, 3);
	ck_assert_uint_eq(l.t.events[0].u.vu.request, VU_GET_FEATURES);
	ck_assert_uint_eq(l.t.events[1].u.vu.flags, 0x5);
	ck_assert_uint_eq(l.t.events[1].src.line, 2);
	ck_assert_int_eq(l.t.events[1].time_ns, -1);
	ck_assert_int_eq(l.t.events[2].kind, VC_EV_GAP);
	ck_assert_uint_eq(l.t.events[2].src.line, 6);
	ck_assert_msg(has_warning(&l, "mem.strace:4: ", "bad escape"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:5: ", "garbled"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:6: ", "iov_len"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:6: ", "stopped framing fd 5"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:8: ", "garbled"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:8: ", "ends in the middle of this line"), "%s",
		      warnings(&l));
	ck_assert_uint_eq(l.t.warnings_total, 6);
	unload(&l);
}
END_TEST

START_TEST(not_strace_errors)
{
	struct loaded l;
	load_mem(&l, "hello world\nthis is not a trace\n");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_uint_eq(l.err.line, 1);
	ck_assert_msg(strstr(l.err.what, "not an strace log"), "%s", errstr(&l));
	unload(&l);

	load_buf(&l, "\n\n\x00\x01\x02garbage\xff\n", 14);
	ck_assert_int_eq(l.rc, -1);
	ck_assert_uint_eq(l.err.line, 3);
	ck_assert_msg(strstr(l.err.what, "binary"), "%s", errstr(&l));
	unload(&l);

	load_mem(&l, "");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_uint_eq(l.err.line, 0);
	ck_assert_msg(strstr(l.err.what, "empty"), "%s", errstr(&l));
	unload(&l);

	load_mem(&l, " \n\r\n\n");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_msg(strstr(l.err.what, "empty"), "%s", errstr(&l));
	unload(&l);

	/* strace, but nothing vhost-user in it */
	load_mem(&l, "12:00:00.000001 write(1</dev/pts/0>, \"hi\", 2) = 2\n"
		     "12:00:00.000002 read(3<anon_inode:[eventfd]>, \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", 8) = 8\n"
		     "12:00:00.000003 read(4<UNIX-STREAM:[7->8]>, 0x7ffd, 8) = -1 EAGAIN (Resource temporarily unavailable)\n"
		     "12:00:00.000004 write(4<UNIX-STREAM:[7->8]>, \"{\\\"execute\\\": \\\"qmp_capabilities\\\"}\", 31) = 31\n"
		     "12:00:00.000005 openat(AT_FDCWD, \"/x\", O_RDONLY) = 5\n"
		     "12:00:00.000006 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
		     "12:00:00.000007 +++ exited with 0 +++\n");
	ck_assert_int_eq(l.rc, -1);
	ck_assert_msg(strcmp(l.err.what, "no vhost-user socket traffic found (4 syscalls on 3 fds examined)") == 0,
		      "%s", errstr(&l));
	unload(&l);
}
END_TEST

START_TEST(early_garbage_then_strace)
{
	struct loaded l;
	char *text = fmt("some banner\n"
			 "12:00:00.000001 write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\n",
			 hexmsg(1, 1, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:1: ", "not an strace line"), "%s", warnings(&l));
	ck_assert_uint_eq(l.t.events[0].src.line, 2);
	unload(&l);
}
END_TEST

START_TEST(oversized_header)
{
	struct loaded l;
	char *text = fmt("write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\n"
			 "read(5<UNIX-STREAM:[1->2]>, \"%s\", 20) = 20\n"
			 "write(5<UNIX-STREAM:[1->2]>, \"%s\", 16) = 16\n"
			 "write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\n",
			 hexmsg(1, 1, 0, 0), hexmsg(1, 5, 8, 8), hexmsg(5, 1, 0x7fffffff, 4),
			 hexmsg(3, 1, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 4);
	const struct vc_event *e = &l.t.events[2];
	ck_assert_uint_eq(e->u.vu.request, VU_SET_MEM_TABLE);
	ck_assert_uint_eq(e->u.vu.size, 0x7fffffff);
	ck_assert(e->u.vu.has_payload);
	ck_assert_uint_eq(e->u.vu.payload_len, 4);
	ck_assert_msg(has_warning(&l, "mem.strace:3: ", "limit"), "%s", warnings(&l));
	/* framing stopped: the SET_OWNER of line 4 is not decoded */
	ck_assert_int_eq(l.t.events[3].kind, VC_EV_VU_EOF);
	ck_assert(!l.t.events[3].u.eof.partial);
	unload(&l);
}
END_TEST

START_TEST(fd_kinds_and_idents)
{
	struct loaded l;
	char *text = fmt(
		"sendmsg(5<UNIX:[1->2,\"/run/vu.sock\"]>, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"%s\", iov_len=12}], "
		"msg_iovlen=1, msg_control=[{cmsg_len=52, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=["
		"19</memfd:mem (deleted)>, 20</dev/shm/x>, 21<socket:[999]>, 22<pipe:[77]>, 23<anon_inode:[userfaultfd]>, "
		"24</dev/vfio/1>, 25<anon_inode:[eventfd]>, 26</home/a.img>, 27<anon_inode:[io_uring]>, 28, "
		"29<\\x2f\\x6d\\x65\\x6d\\x66\\x64\\x3a\\x6d\\x65\\x6d>(deleted), "
		"31<\\x2f\\x64\\x65\\x76\\x2f\\x6e\\x75\\x6c\\x6c<char 1:3>>]}], msg_controllen=56, msg_flags=0}, 0) = 12\n"
		"sendmsg(5<UNIX:[1->2,\"/run/vu.sock\"]>, {msg_iov=[{iov_base=\"%s\", iov_len=12}], msg_iovlen=1, "
		"msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[30</memfd:other (deleted)>]}], "
		"msg_controllen=24, msg_flags=0}, MSG_NOSIGNAL) = 12\n",
		hexmsg(VU_SET_MEM_TABLE, 1, 0, 0), hexmsg(VU_SET_LOG_FD, 1, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_str_eq(l.t.sessions[0].name, "fd 5 UNIX:[1->2] /run/vu.sock");
	const struct vc_event *e = &l.t.events[0];
	ck_assert_uint_eq(e->nfds, 12);
	static const int kinds[] = { VC_FD_MEMFD, VC_FD_FILE, VC_FD_SOCKET, VC_FD_PIPE,
				     VC_FD_USERFAULTFD, VC_FD_DEVICE, VC_FD_EVENTFD, VC_FD_FILE,
				     VC_FD_ANON, VC_FD_UNKNOWN, VC_FD_MEMFD, VC_FD_DEVICE };
	for (int i = 0; i < 12; i++)
		ck_assert_msg(e->fds[i].kind == kinds[i], "fd %d kind %d", i, e->fds[i].kind);
	ck_assert_str_eq(e->fds[0].name, "/memfd:mem (deleted)");
	ck_assert_str_eq(e->fds[10].name, "/memfd:mem (deleted)");
	/* strace 6 nests the device numbers: "/dev/null<char 1:3>" */
	ck_assert_str_eq(e->fds[11].name, "/dev/null<char 1:3>");
	/* the same backing text compares equal, whatever the escaping */
	ck_assert_uint_eq(e->fds[0].ident, e->fds[10].ident);
	ck_assert_uint_ne(e->fds[0].ident, l.t.events[1].fds[0].ident);
	ck_assert_uint_eq(l.t.events[1].nfds, 1);
	unload(&l);
}
END_TEST

START_TEST(many_fds_bounded)
{
	struct loaded l;
	char list[16384];
	size_t o = 0;
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%d<anon_inode:[eventfd]>", i ? ", " : "", 100 + i);
	char *text = fmt("sendmsg(5<UNIX-STREAM:[1->2]>, {msg_iov=[{iov_base=\"%s\", iov_len=12}], msg_iovlen=1, "
			 "msg_control=[{cmsg_len=1, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[%s]}], "
			 "msg_controllen=1, msg_flags=0}, 0) = 12\n",
			 hexmsg(VU_SET_MEM_TABLE, 1, 0, 0), list);
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.events[0].nfds, 40);
	ck_assert_int_eq(l.t.events[0].fds[VC_EVENT_MAX_FDS - 1].kind, VC_FD_EVENTFD);
	unload(&l);

	/* more than SCM_MAX_FD in one cmsg: garbled */
	o = 0;
	for (int i = 0; i < 254; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%d", i ? ", " : "", 100 + i);
	text = fmt("write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\n"
		   "sendmsg(5<UNIX-STREAM:[1->2]>, {msg_iov=[{iov_base=\"%s\", iov_len=12}], msg_iovlen=1, "
		   "msg_control=[{cmsg_len=1, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[%s]}], "
		   "msg_controllen=1, msg_flags=0}, 0) = 12\n",
		   hexmsg(VU_GET_FEATURES, 1, 0, 0), hexmsg(VU_SET_MEM_TABLE, 1, 0, 0), list);
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:2: ", "253"), "%s", warnings(&l));
	unload(&l);

	/* more than 1024 iovecs: garbled */
	static char iovs[1100 * 32];
	o = 0;
	for (int i = 0; i < 1025; i++)
		o += (size_t)snprintf(iovs + o, sizeof iovs - o, "%s{iov_base=\"\", iov_len=0}", i ? ", " : "");
	static char big[sizeof iovs + 256];
	snprintf(big, sizeof big, "write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\nwritev(5<UNIX-STREAM:[1->2]>, [%s], 1025) = 0\n",
		 hexmsg(VU_GET_FEATURES, 1, 0, 0), iovs);
	load_mem(&l, big);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:2: ", "1024 iovecs"), "%s", warnings(&l));
	unload(&l);
}
END_TEST

START_TEST(readv_writev_sendto_recvfrom)
{
	struct loaded l;
	/* a back-end (no -yy: fds not annotated) reading with readv and
	 * recvfrom, answering with writev and sendto */
	const char *h = hexmsg(VU_GET_FEATURES, 1, 0, 0);
	char *text = fmt("recvfrom(9, \"%.24s\", 12, MSG_PEEK, NULL, NULL) = 6\n"
			 "recvfrom(9, \"%.24s\", 6, 0, NULL, NULL) = 6\n"
			 "readv(9, [{iov_base=\"%.24s\", iov_len=6}, {iov_base=\"\", iov_len=100}], 2) = 6\n"
			 "writev(9, [{iov_base=\"%.48s\", iov_len=12}, {iov_base=\"\\x2a\\0\\0\\0\\0\\0\\0\\0\", iov_len=8}], 2) = 20\n"
			 "sendto(9, \"%s\", 12, MSG_NOSIGNAL, NULL, 0) = 12\n",
			 h, h, h + 24, hexmsg(VU_GET_FEATURES, 5, 8, 0), hexmsg(VU_GET_QUEUE_NUM, 5, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_str_eq(l.t.sessions[0].name, "fd 9");
	ck_assert_int_eq(l.t.sessions[0].traced_side, VC_SIDE_BACKEND);
	ck_assert_uint_eq(l.t.nevents, 4);
	ck_assert_uint_eq(l.t.events[0].src.line, 3);
	ck_assert_int_eq(l.t.events[0].dir, VC_DIR_FE_TO_BE);
	ck_assert_int_eq(l.t.events[1].dir, VC_DIR_BE_TO_FE);
	ck_assert_uint_eq(vu_rd64(l.t.events[1].u.vu.payload), 42);
	ck_assert_uint_eq(l.t.events[2].u.vu.request, VU_GET_QUEUE_NUM);
	unload(&l);
}
END_TEST

START_TEST(len_is_honoured)
{
	struct loaded l;
	char *text = fmt("write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\n"
			 "read(5<UNIX-STREAM:[1->2]>, \"%s\", 20) = 20\n",
			 hexmsg(1, 1, 0, 0), hexmsg(1, 5, 8, 8));
	size_t n = strlen(text);
	/* cut inside the second line's string */
	load_buf(&l, text, n - 30);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nevents, 2);
	ck_assert_int_eq(l.t.events[1].kind, VC_EV_GAP); /* the lost line */
	ck_assert_msg(has_warning(&l, "mem.strace:2: ", "garbled"), "%s", warnings(&l));
	ck_assert_msg(has_warning(&l, "mem.strace:2: ", "ends in the middle of this line"), "%s",
		      warnings(&l));
	unload(&l);
	/* fuzzer find: a backslash as the very last byte inside a flags
	 * string made the value scan step past len */
	load_mem(&l, "12:00:00.000001 write(5<UNIX-STREAM:[1->2]>, \"\\x01\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", 12) = 12\n"
		     "recvfrom(5<UNIX-STREAM:[1->2]>, \"\\x01\", 1, \"MSG_\\");
	ck_assert_int_eq(l.rc, 0);
	ck_assert_msg(has_warning(&l, "mem.strace:2: ", "garbled"), "%s", warnings(&l));
	unload(&l);
	/* CRLF line ends and no final newline */
	text = fmt("write(5<UNIX-STREAM:[1->2]>, \"%s\", 12) = 12\r\n"
		   "read(5<UNIX-STREAM:[1->2]>, \"%s\", 20) = 20",
		   hexmsg(1, 1, 0, 0), hexmsg(1, 5, 8, 8));
	load_mem(&l, text);
	ck_assert_uint_eq(l.t.nevents, 3);
	ck_assert_uint_eq(l.t.nwarnings, 0);
	unload(&l);
}
END_TEST

START_TEST(non_vhost_sockets_skipped)
{
	struct loaded l;
	/* a QMP socket, a TCP socket and a vhost-user one in the same log */
	char *text = fmt("write(3<UNIX-STREAM:[10->11]>, \"{\\\"QMP\\\": {\\\"version\\\": 1}}\", 24) = 24\n"
			 "write(4<TCP:[1.2.3.4:5->6.7.8.9:10]>, \"%s\", 12) = 12\n"
			 "write(5<UNIX-STREAM:[20->21]>, \"%s\", 12) = 12\n"
			 "read(3<UNIX-STREAM:[10->11]>, \"%s\", 12) = 12\n",
			 hexmsg(1, 1, 0, 0), hexmsg(1, 1, 0, 0), hexmsg(1, 1, 0, 0));
	load_mem(&l, text);
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_str_eq(l.t.sessions[0].name, "fd 5 UNIX-STREAM:[20->21]");
	ck_assert_uint_eq(l.t.nevents, 2);
	unload(&l);
}
END_TEST

START_TEST(large_log_is_linear)
{
	/* 100k lines over 10k sockets and 10k processes; quadratic lookups
	 * would not finish */
	size_t cap = 64u << 20, o = 0;
	char *buf = malloc(cap);
	const char *gf = hexmsg(VU_GET_FEATURES, 1, 0, 0);
	const char *rep = hexmsg(VU_GET_FEATURES, 5, 8, 8);
	for (int i = 0; i < 10000; i++) {
		o += (size_t)snprintf(buf + o, cap - o,
				      "1%05d 12:00:00.%06d write(5<UNIX-STREAM:[%d->%d]>, \"%s\", 12) = 12\n"
				      "1%05d 12:00:00.%06d read(5<UNIX-STREAM:[%d->%d]>, \"%s\", 20) = 20\n"
				      "1%05d 12:00:00.%06d write(6<anon_inode:[eventfd]>, \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", 8) = 8\n"
				      "1%05d 12:00:00.%06d write(6<anon_inode:[eventfd]>, \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", 8) = 8\n"
				      "1%05d 12:00:00.%06d write(6<anon_inode:[eventfd]>, \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", 8) = 8\n"
				      "1%05d 12:00:00.%06d read(7<UNIX-STREAM:[%d->%d]>,  <unfinished ...>\n",
				      i, i, 1000000 + 2 * i, 1000001 + 2 * i, gf, i, i, 1000000 + 2 * i,
				      1000001 + 2 * i, rep, i, i, i, i, i, i, i, i, 5000000 + i, 6000000 + i);
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct loaded l;
	memset(&l, 0, sizeof l);
	vc_trace_init(&l.t, "big.strace", VC_FMT_STRACE);
	l.rc = vc_import_strace(&l.t, buf, o, &l.err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_msg(l.rc == 0, "%s", errstr(&l));
	ck_assert_uint_eq(l.t.nsessions, 10000);
	ck_assert_uint_eq(l.t.nevents, 30000);
	ck_assert_msg(s < 30.0, "took %.1f s", s);
	unload(&l);
	free(buf);
}
END_TEST

START_TEST(vc_trace_load_auto)
{
	struct vc_trace t;
	struct vc_error err;
	int rc = vc_trace_load(&t, vc_test_path("lib/tests/data/strace/be.strace"), VC_FMT_AUTO, 0, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(t.format, VC_FMT_STRACE);
	ck_assert_uint_eq(t.nevents, NCONV + 1);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("strace");
	TCase *tc = tcase_create("real");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, frontend_view);
	tcase_add_test(tc, backend_view_split_header_payload);
	tcase_add_test(tc, both_sides_with_f);
	tcase_add_test(tc, epoch_times_and_pid_brackets);
	tcase_add_test(tc, peek_and_eof_mid_message);
	tcase_add_test(tc, log_cut_mid_message);
	tcase_add_test(tc, stall_real);
	tcase_add_test(tc, strace_cut_data);
	tcase_add_test(tc, vc_trace_load_auto);
	suite_add_tcase(s, tc);
	TCase *tm = tcase_create("made");
	tcase_set_timeout(tm, 120);
	tcase_add_test(tm, stall_unfinished_never_resumed);
	tcase_add_test(tm, garbled_lines_warn);
	tcase_add_test(tm, not_strace_errors);
	tcase_add_test(tm, early_garbage_then_strace);
	tcase_add_test(tm, oversized_header);
	tcase_add_test(tm, fd_kinds_and_idents);
	tcase_add_test(tm, many_fds_bounded);
	tcase_add_test(tm, readv_writev_sendto_recvfrom);
	tcase_add_test(tm, len_is_honoured);
	tcase_add_test(tm, non_vhost_sockets_skipped);
	tcase_add_test(tm, large_log_is_linear);
	suite_add_tcase(s, tm);
	return s;
}
