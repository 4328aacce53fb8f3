/* vc_fd_describe (lib/fdinfo.c): one fd of every kind the fakes record. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vcts/fdinfo.h"

static struct vc_fd described(int fd)
{
	struct vc_fd d;
	vc_fd_describe(fd, &d);
	return d;
}

START_TEST(eventfd_kind)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	struct vc_fd d = described(fd);
	ck_assert_uint_eq(d.kind, VC_FD_EVENTFD);
	ck_assert_int_eq(d.size, -1);
	ck_assert_str_eq(d.name, "anon_inode:[eventfd]");
	close(fd);
}
END_TEST

START_TEST(memfd_kind_size_ident)
{
	int fd = memfd_create("vcts-fdinfo", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 8192), 0);
	struct vc_fd d = described(fd), e;
	ck_assert_uint_eq(d.kind, VC_FD_MEMFD);
	ck_assert_int_eq(d.size, 8192);
	ck_assert_uint_ne(d.ident, 0);
	ck_assert(!strncmp(d.name, "/memfd:vcts-fdinfo", 18));
	int dup_fd = dup(fd);
	e = described(dup_fd);
	ck_assert_uint_eq(e.ident, d.ident); /* the same backing, another fd */
	close(dup_fd);
	close(fd);
}
END_TEST

START_TEST(socket_and_pipe_kinds)
{
	int sv[2], pv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(pv, O_CLOEXEC), 0);
	ck_assert_uint_eq(described(sv[0]).kind, VC_FD_SOCKET);
	ck_assert_uint_eq(described(pv[0]).kind, VC_FD_PIPE);
	ck_assert_uint_eq(described(pv[1]).kind, VC_FD_PIPE);
	close(sv[0]);
	close(sv[1]);
	close(pv[0]);
	close(pv[1]);
}
END_TEST

START_TEST(userfaultfd_kind)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0) /* root may still be refused it (vm.unprivileged_userfaultfd, seccomp) */
		fd = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "test_fdinfo: no userfaultfd here, kind check skipped\n");
		return;
	}
	struct vc_fd d = described(fd);
	ck_assert_uint_eq(d.kind, VC_FD_USERFAULTFD);
	close(fd);
}
END_TEST

START_TEST(file_and_devices)
{
	char path[] = "/tmp/vcts-fdinfo-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	struct vc_fd d = described(fd);
	ck_assert_uint_eq(d.kind, VC_FD_FILE);
	ck_assert_int_eq(d.size, 3);
	ck_assert_str_eq(d.name, path);
	close(fd);
	/* A block device: a node made here, opened O_PATH (no driver needed). */
	unlink(path);
	if (mknod(path, S_IFBLK | 0600, makedev(7, 200)) == 0) {
		fd = open(path, O_PATH | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		ck_assert_uint_eq(described(fd).kind, VC_FD_DEVICE);
		close(fd);
		unlink(path);
	} else {
		fprintf(stderr, "test_fdinfo: mknod refused, block device check skipped\n");
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(described(fd).kind, VC_FD_DEVICE);
	close(fd);
}
END_TEST

START_TEST(other_anon_and_closed)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	struct vc_fd d = described(fd);
	ck_assert_uint_eq(d.kind, VC_FD_ANON);
	ck_assert_str_eq(d.name, "anon_inode:[timerfd]");
	close(fd);
	d = described(fd); /* closed now */
	ck_assert_uint_eq(d.kind, VC_FD_UNKNOWN);
	ck_assert_int_eq(d.size, -1);
	ck_assert_uint_eq(d.ident, 0);
	ck_assert_str_eq(d.name, "");
	d = described(-1);
	ck_assert_uint_eq(d.kind, VC_FD_UNKNOWN);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("fdinfo");
	TCase *tc = tcase_create("kinds");
	tcase_add_test(tc, eventfd_kind);
	tcase_add_test(tc, memfd_kind_size_ident);
	tcase_add_test(tc, socket_and_pipe_kinds);
	tcase_add_test(tc, userfaultfd_kind);
	tcase_add_test(tc, file_and_devices);
	tcase_add_test(tc, other_anon_and_closed);
	suite_add_tcase(s, tc);
	return s;
}
