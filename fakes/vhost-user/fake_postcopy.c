/* POSTCOPY_ADVISE: "the back-end must open a userfaultfd for later use",
 * and the reply passes it (vhost-user.rst). The fake opens one and keeps
 * it until the connection ends; it registers no memory, so POSTCOPY_LISTEN
 * and POSTCOPY_END are refused as not implemented and no profile offers
 * PAGEFAULT unless asked (--protocol-features +PAGEFAULT). The
 * postcopy-no-ufd fault passes an eventfd instead (VU-RVAL-03). */
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

int vfu_postcopy_open(struct vfu_conn *c)
{
	if (vfu_fault_on(c, VFU_FAULT_POSTCOPY_NO_UFD)) {
		vfu_conn_log(c, "fault: POSTCOPY_ADVISE answered with an eventfd, not a userfaultfd");
		return eventfd(0, EFD_CLOEXEC);
	}
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
