/* Postcopy as the fake's back-end side knows it (vhost-user.rst,
 * POSTCOPY_ADVISE, _LISTEN, _END): ADVISE opens a userfaultfd and passes
 * it to the front-end; LISTEN only after ADVISE; END stops using the fd
 * (closed) and answers 0. The fake never registers memory with it: its
 * null device does not run during postcopy. Offered only on request
 * (--protocol-features +PAGEFAULT). */
#include "fakes/vhost-user/fake_int.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>
#include <unistd.h>

int vfu_postcopy_advise(struct vfu_conn *c)
{
	struct vfu_feat *f = vfu_conn_feat(c);
	if (f->pc_advised)
		return fcntl(f->pc_ufd, F_DUPFD_CLOEXEC, 0);
	/* Unprivileged processes may only have a user-mode-only one. */
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
#ifdef UFFD_USER_MODE_ONLY
	if (fd < 0)
		fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
#endif
	if (fd < 0) {
		vfu_conn_log(c, "POSTCOPY_ADVISE: userfaultfd: %m");
		return -1;
	}
	f->pc_ufd = (int)fd;
	f->pc_advised = true;
	/* the copy the reply carries (reply() closes it once sent) */
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
	if (vfu_conn_fault(c, VFU_FAULT_POSTCOPY_END_FAILS)) {
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
