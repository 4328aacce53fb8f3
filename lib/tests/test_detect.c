/* Format detection (lib/trace/load.c, issue #14 class 7): by the syntax of
 * the lines, not by a few words near the start. The real DPDK vhost-vdpa
 * client log is traced with openat, mmap and close, so a run from the
 * start opens with the dynamic loader's calls: here more than 64 KiB of
 * them precede the recording's first line. */
#include "harness/tests/common/testutil.h"
#include "vcts/fileio.h"
#include "vcts/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *rel, size_t *len)
{
	char *buf, msg[256];
	ck_assert_msg(vc_read_file(vc_test_path(rel), 64u << 20, &buf, len, msg, sizeof msg) == 0,
		      "%s", msg);
	return buf;
}

/* "/usr/lib/x86_64-linux-gnu/libNAME.so.23" as strace -xx prints it. */
static size_t hexpath(char *o, size_t cap, int k)
{
	char path[96];
	snprintf(path, sizeof path, "/usr/lib/x86_64-linux-gnu/librte_%03d.so.23", k);
	size_t n = 0;
	for (const char *p = path; *p && n + 4 < cap; p++)
		n += (size_t)snprintf(o + n, cap - n, "\\x%02x", (unsigned char)*p);
	return n;
}

/* At least min bytes of loader lines (openat, mmap, mprotect, close of
 * shared objects) in the recording's own syntax. */
static char *loader_lines(size_t min, size_t *len)
{
	size_t cap = min + 4096, n = 0;
	char *o = malloc(cap);
	for (int k = 0; n < min; k++) {
		char hp[512];
		hexpath(hp, sizeof hp, k);
		char line[2048];
		int w = snprintf(line, sizeof line,
				 "125   15:45:57.%06d openat(AT_FDCWD<\\x2f>, \"%s\", O_RDONLY|O_CLOEXEC) = 3<%s>\n"
				 "125   15:45:57.%06d mmap(NULL, 16384, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3<%s>, 0) = 0x7f3c1a%06x\n"
				 "125   15:45:57.%06d mprotect(0x7f3c1a%06x, 4096, PROT_NONE) = 0\n"
				 "125   15:45:57.%06d close(3<%s>) = 0\n",
				 4 * k, hp, hp, 4 * k + 1, hp, k * 0x4000, 4 * k + 2, k * 0x4000, 4 * k + 3, hp);
		ck_assert(w > 0 && (size_t)w < sizeof line);
		if (n + (size_t)w > cap)
			o = realloc(o, cap = 2 * (n + (size_t)w));
		memcpy(o + n, line, (size_t)w);
		n += (size_t)w;
	}
	*len = n;
	return o;
}

START_TEST(loader_lines_first)
{
	size_t rlen, llen;
	char *rec = slurp("traces/vdpa-strace/dpdk-testpmd-cuse.strace", &rlen);
	char *pre = loader_lines(70000, &llen);
	char *all = malloc(llen + rlen);
	memcpy(all, pre, llen);
	memcpy(all + llen, rec, rlen);
	/* the first vhost line is past 64 KiB, and nothing before it reads or
	 * writes: the old word list had nothing to go by */
	const char *first = memmem(all, llen + rlen, "ioctl(", 6);
	ck_assert_ptr_nonnull(first);
	ck_assert_uint_gt((size_t)(first - all), 65536);
	ck_assert_ptr_null(memmem(all, 65536, "read(", 5));
	ck_assert_ptr_null(memmem(all, 65536, "write(", 6));
	ck_assert_int_eq(vc_detect_format(all, llen + rlen), VC_FMT_STRACE);

	/* loaded as a file with --format auto: the same events as the
	 * recording alone (the loader lines are no vhost-vdpa calls) */
	const char *path = vc_test_tmpfile(all, llen + rlen, ".strace");
	ck_assert_ptr_nonnull(path);
	struct vc_trace t, u;
	struct vc_error err = { 0 };
	char msg[1024];
	ck_assert_msg(vc_trace_load(&t, path, VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(t.format, VC_FMT_STRACE);
	ck_assert_msg(vc_trace_load(&u, vc_test_path("traces/vdpa-strace/dpdk-testpmd-cuse.strace"),
				    VC_FMT_STRACE, 0, &err) == 0,
		      "%s", vc_error_str(&err, msg, sizeof msg));
	ck_assert_uint_gt(u.nevents, 0);
	ck_assert_uint_eq(t.nevents, u.nevents);
	ck_assert_uint_eq(t.nsessions, u.nsessions);
	vc_trace_free(&t);
	vc_trace_free(&u);
	unlink(path);
	free(all);
	free(pre);
	free(rec);
}
END_TEST

/* A QEMU log on stderr after 70 KB of guest console: the first vhost
 * record decides, past the window. */
START_TEST(qemu_after_console)
{
	size_t len;
	char *rec = slurp("traces/qemu-dpdk-net/qemu-trace.log", &len);
	size_t cap = 80000 + len, n = 0;
	char *b = malloc(cap);
	for (int k = 0; n < 70000; k++)
		n += (size_t)snprintf(b + n, cap - n, "[   %d.%06d] guest console line %d, nothing to see\n",
				      k / 100, k % 100, k);
	memcpy(b + n, rec, len);
	ck_assert_int_eq(vc_detect_format(b, n + len), VC_FMT_QEMU_TRACE);
	/* and through the streamed load, which reads only the window first */
	const char *path = vc_test_tmpfile(b, n + len, ".log");
	struct vc_trace t;
	struct vc_error err = { 0 };
	char msg[1024];
	ck_assert_msg(vc_trace_load(&t, path, VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(t.format, VC_FMT_QEMU_TRACE);
	ck_assert_uint_ge(t.nevents, 84);
	vc_trace_free(&t);
	unlink(path);
	/* console alone: nothing */
	ck_assert_int_eq(vc_detect_format(b, n), VC_FMT_AUTO);
	/* more than 400 short console lines, then the log, all in the window */
	size_t m = 0;
	for (int k = 0; k < 500; k++)
		m += (size_t)snprintf(b + m, cap - m, "console %d\n", k);
	memcpy(b + m, rec, 4000);
	ck_assert_uint_lt(m, 65536);
	ck_assert_int_eq(vc_detect_format(b, m + 4000), VC_FMT_QEMU_TRACE);
	free(b);
	free(rec);
}
END_TEST

/* A first line longer than the window (a 64 KiB read printed with -xx)
 * still says strace by its start. */
START_TEST(long_first_line)
{
	size_t n = 300000;
	char *b = malloc(n);
	size_t k = (size_t)snprintf(b, n, "77 10:00:00.000001 read(3<\\x2f\\x65\\x74\\x63>, \"");
	while (k + 4 < n - 64) {
		memcpy(b + k, "\\x00", 4);
		k += 4;
	}
	k += (size_t)snprintf(b + k, n - k, "\", 65536) = 65536\n");
	ck_assert_int_eq(vc_detect_format(b, k), VC_FMT_STRACE);
	free(b);
}
END_TEST

/* Real files of each kind, and text that only looks a little like one. */
START_TEST(real_files)
{
	static const struct {
		const char *file;
		enum vc_format want;
	} cases[] = {
		{ "traces/qemu-dpdk-net/qemu.strace", VC_FMT_STRACE },
		{ "traces/qemu-reconnect/testpmd-2.strace", VC_FMT_STRACE },
		{ "traces/qemu-dpdk-net/qemu-trace.log", VC_FMT_QEMU_TRACE },
		{ "traces/qemu-dpdk-net/qemu-trace-timestamps.log", VC_FMT_QEMU_TRACE },
		{ "traces/qemu-vdpa-shim/qemu-trace.log", VC_FMT_QEMU_TRACE },
		{ "traces/fixtures/clean-default.jsonl", VC_FMT_NATIVE },
		/* a guest console: "--- 10.0.2.2 ping statistics ---" is no signal line */
		{ "traces/qemu-dpdk-net/qemu.console.log", VC_FMT_AUTO },
		/* a script that prints strace lines is no strace log */
		{ "traces/vdpa-strace/mkstrace.py", VC_FMT_AUTO },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *b = slurp(cases[i].file, &len);
		ck_assert_msg(vc_detect_format(b, len) == cases[i].want, "%s: %s, want %s", cases[i].file,
			      vc_format_name(vc_detect_format(b, len)), vc_format_name(cases[i].want));
		free(b);
	}
}
END_TEST

START_TEST(line_shapes)
{
	static const struct {
		const char *text;
		enum vc_format want;
	} cases[] = {
		{ "12:00:00.000001 close(3) = 0\n", VC_FMT_STRACE },
		{ "[pid  42] 1700000000.123456 mmap(NULL, 4096, PROT_READ, MAP_SHARED, 5, 0) = 0x7f00\n", VC_FMT_STRACE },
		{ "42 openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)\n", VC_FMT_STRACE },
		{ "42 12:00:00 read(3,  <unfinished ...>\n", VC_FMT_STRACE },
		{ "42 12:00:00 <... read resumed>\"\\x01\", 1) = 1\n", VC_FMT_STRACE },
		{ "42 12:00:01 +++ exited with 0 +++\n", VC_FMT_STRACE },
		{ "42 12:00:01 --- SIGCHLD {si_signo=SIGCHLD} ---\n", VC_FMT_STRACE },
		{ "vhost_user_write req:1 flags:0x1\n", VC_FMT_QEMU_TRACE },
		{ "2024-01-01T10:00:00.1Z vhost_user_read req:1 flags:0x5\n", VC_FMT_QEMU_TRACE },
		/* one glued onto other output */
		{ "guest says hi vhost_user_write req:1 flags:0x1\n", VC_FMT_QEMU_TRACE },
		{ "f(x) = y\nhello\n", VC_FMT_AUTO },
		{ "--- ping statistics ---\n", VC_FMT_AUTO },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].text);
		char *b = malloc(n); /* exact size, no NUL: ASan sees a read past len */
		memcpy(b, cases[i].text, n);
		ck_assert_msg(vc_detect_format(b, n) == cases[i].want, "'%s': %s", cases[i].text,
			      vc_format_name(vc_detect_format(b, n)));
		free(b);
	}
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("detect");
	TCase *tc = tcase_create("detect");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, loader_lines_first);
	tcase_add_test(tc, long_first_line);
	tcase_add_test(tc, qemu_after_console);
	tcase_add_test(tc, real_files);
	tcase_add_test(tc, line_shapes);
	suite_add_tcase(s, tc);
	return s;
}
