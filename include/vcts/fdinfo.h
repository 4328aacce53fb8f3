/* What a passed fd is (eventfd, memfd, socket, userfaultfd, device, file,
 * pipe, other anon inode), its size and backing identity: the one
 * description both live fakes record for the fd rules (VU-MEM-04,
 * VU-RING-08 and the fd-kind checks). */
#ifndef VCTS_FDINFO_H
#define VCTS_FDINFO_H

#include "vcts/event.h"

/* Fills out from fstat and the /proc/self/fd link; a closed or negative
 * fd leaves kind VC_FD_UNKNOWN, size -1, ident 0 and an empty name. */
void vc_fd_describe(int fd, struct vc_fd *out);
#endif
