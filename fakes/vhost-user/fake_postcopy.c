/* Postcopy as the fake's back-end side knows it (vhost-user.rst,
 * POSTCOPY_ADVISE, _LISTEN, _END): ADVISE opens a userfaultfd ("the
 * back-end must open a userfaultfd for later use") and passes a copy to
 * the front-end; LISTEN only after ADVISE; END stops using the fd
 * (closed) and answers 0. The fake never registers memory with it: its
 * null device does not run during postcopy. Offered only on request
 * (--protocol-features +PAGEFAULT). The postcopy-no-ufd fault passes an
 * eventfd instead (VU-RVAL-03); postcopy-end-fails answers END with 1
 * (VU-BE-24). */
#include "fakes/vhost-user/fake_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* UFFD_USER_MODE_ONLY (Linux 5.11): allowed without privilege where
 * vm.unprivileged_userfaultfd is 0. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static int open_ufd(struct vfu_conn *c)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EPERM)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		vfu_conn_log(c, "POSTCOPY_ADVISE: userfaultfd: %s", strerror(errno));
		return -1;
	}
	struct uffdio_api api = { .api = UFFD_API };
	if (ioctl(fd, UFFDIO_API, &api) != 0) {
		vfu_conn_log(c, "POSTCOPY_ADVISE: UFFDIO_API: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int vfu_postcopy_advise(struct vfu_conn *c)
{
	if (vfu_fault_on(c, VFU_FAULT_POSTCOPY_NO_UFD)) {
		vfu_conn_log(c, "fault: POSTCOPY_ADVISE answered with an eventfd, not a userfaultfd");
		return eventfd(0, EFD_CLOEXEC);
	}
	struct vfu_feat *f = vfu_conn_feat(c);
	if (!f->pc_advised) {
		int fd = open_ufd(c);
		if (fd < 0)
			return -1;
		f->pc_ufd = fd;
		f->pc_advised = true;
	}
	/* the copy the reply carries (the reply closes it once sent) */
	return fcntl(f->pc_ufd, F_DUPFD_CLOEXEC, 0);
}

int vfu_postcopy_listen(struct vfu_conn *c)
{
	struct vfu_feat *f = vfu_conn_feat(c);
	if (!f->pc_advised)
		return -1;
	f->pc_listening = true;
	return 0;
}

uint64_t vfu_postcopy_end(struct vfu_conn *c)
{
	struct vfu_feat *f = vfu_conn_feat(c);
	if (vfu_fault_on(c, VFU_FAULT_POSTCOPY_END_FAILS)) {
		vfu_conn_log(c, "fault: POSTCOPY_END answers 1");
		return 1;
	}
	if (!f->pc_listening)
		return 1;
	/* "The back-end must disable the userfaultfd." */
	close(f->pc_ufd);
	f->pc_ufd = -1;
	f->pc_advised = f->pc_listening = false;
	return 0;
}
