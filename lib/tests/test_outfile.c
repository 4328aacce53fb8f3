/* lib/outfile.c: what each kind of target gets, temp files never left
 * behind, path identity. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "vcts/fileio.h"
#include "vcts/outfile.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/vcts-outfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *P(const char *name)
{
	static char bufs[8][160];
	static unsigned next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
	return b;
}

static int entries(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "exit $(ls -A '%s' | wc -l)", dir);
	int st = system(cmd);
	return WEXITSTATUS(st);
}

START_TEST(kinds)
{
	enum vc_out_kind k;
	char err[512], *final;
	ck_assert_int_eq(vc_out_check("-", &k, NULL, err, sizeof err), 0);
	ck_assert_int_eq(k, VC_OUT_STDOUT);
	ck_assert_int_eq(vc_out_check(P("new"), &k, &final, err, sizeof err), 0);
	ck_assert_int_eq(k, VC_OUT_REPLACE);
	ck_assert_str_eq(final, P("new"));
	free(final);
	ck_assert_int_eq(mkfifo(P("fifo"), 0644), 0);
	ck_assert_int_eq(vc_out_check(P("fifo"), &k, NULL, err, sizeof err), 0);
	ck_assert_int_eq(k, VC_OUT_THROUGH);
	/* a chain of links: the final target is the one replaced */
	ck_assert_int_eq(symlink("b", P("a")), 0);
	ck_assert_int_eq(symlink("c", P("b")), 0);
	ck_assert_int_eq(vc_out_check(P("a"), &k, &final, err, sizeof err), 0);
	ck_assert_int_eq(k, VC_OUT_REPLACE);
	ck_assert_str_eq(final, P("c"));
	free(final);
	ck_assert_int_eq(vc_out_check(dir, &k, NULL, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	ck_assert_int_eq(vc_out_check("", &k, NULL, err, sizeof err), -1);
	ck_assert_int_eq(vc_out_check(P("no/such"), &k, NULL, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
}
END_TEST

START_TEST(commit_and_discard)
{
	char err[512];
	struct vc_out *o = vc_out_open(P("f"), err, sizeof err);
	ck_assert_ptr_nonnull(o);
	fputs("hello\n", vc_out_stream(o));
	/* the target does not exist until the commit; only the temp file */
	ck_assert_int_eq(access(P("f"), F_OK), -1);
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(vc_out_commit(o, err, sizeof err), 0);
	ck_assert_int_eq(entries(), 1);
	o = vc_out_open(P("f"), err, sizeof err);
	fputs("not kept\n", vc_out_stream(o));
	vc_out_discard(o);
	ck_assert_int_eq(entries(), 1);
	char *buf;
	size_t len;
	ck_assert_int_eq(vc_read_file(P("f"), 100, &buf, &len, err, sizeof err), 0);
	ck_assert_str_eq(buf, "hello\n");
	free(buf);
	if (geteuid() != 0) {
		fprintf(stderr, "test_outfile: not root: device-node cases skipped (CI runs them as root)\n");
		return;
	}
	/* a buffer written through a char device (1:3, like /dev/null): no
	 * temp file, no rename */
	ck_assert_int_eq(mknod(P("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	ck_assert_int_eq(vc_write_file_atomic(P("null"), "x", 1, err, sizeof err), 0);
	struct stat st;
	ck_assert_int_eq(lstat(P("null"), &st), 0);
	ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	ck_assert_int_eq(entries(), 2);
	/* 1:7, like /dev/full: the failure is reported, naming the path */
	ck_assert_int_eq(mknod(P("full"), S_IFCHR | 0666, makedev(1, 7)), 0);
	ck_assert_int_eq(vc_write_file_atomic(P("full"), "x", 1, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "full: write failed: No space left on device") != NULL, "%s", err);
	ck_assert_int_eq(lstat(P("full"), &st), 0);
	ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 7));
	ck_assert_int_eq(entries(), 3);
}
END_TEST

START_TEST(identity)
{
	ck_assert_int_eq(mkdir(P("sub"), 0755), 0);
	ck_assert(vc_path_same(P("x"), P("sub/../x")));
	ck_assert(!vc_path_same(P("x"), P("y")));
	FILE *f = fopen(P("real"), "w");
	fclose(f);
	ck_assert_int_eq(symlink("real", P("link")), 0);
	ck_assert(vc_path_same(P("link"), P("real")));
	ck_assert_int_eq(link(P("real"), P("hard")), 0);
	ck_assert(vc_path_same(P("hard"), P("real")));
	/* a dangling link and the file it will create */
	ck_assert_int_eq(symlink("sub/later", P("dangling")), 0);
	ck_assert(vc_path_same(P("dangling"), P("sub/later")));
	ck_assert(vc_path_same("-", "-"));
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("outfile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kinds);
	tcase_add_test(tc, commit_and_discard);
	tcase_add_test(tc, identity);
	suite_add_tcase(s, tc);
	return s;
}
