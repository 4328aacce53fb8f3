/* fd description from fstat (type, size, dev/ino) and the /proc/self/fd
 * link, whose name tells the anon inodes apart (eventfd, userfaultfd)
 * and a memfd from a plain file. */
#include "vcts/fdinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vc_fd_describe(int fd, struct vc_fd *out)
{
	memset(out, 0, sizeof *out);
	out->size = -1;
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0)
		return;
	out->ident = ((uint64_t)sb.st_dev << 32) ^ (uint64_t)sb.st_ino;
	if (S_ISREG(sb.st_mode)) {
		out->kind = VC_FD_FILE;
		out->size = sb.st_size;
	} else if (S_ISSOCK(sb.st_mode)) {
		out->kind = VC_FD_SOCKET;
	} else if (S_ISFIFO(sb.st_mode)) {
		out->kind = VC_FD_PIPE;
	} else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode)) {
		out->kind = VC_FD_DEVICE;
	}
	char link[40];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out->name, sizeof out->name - 1);
	out->name[n > 0 ? n : 0] = '\0';
	/* A memfd is a regular file by fstat; the anon inodes have no type. */
	if (!strncmp(out->name, "/memfd:", 7))
		out->kind = VC_FD_MEMFD;
	else if (!strcmp(out->name, "anon_inode:[eventfd]"))
		out->kind = VC_FD_EVENTFD;
	else if (!strcmp(out->name, "anon_inode:[userfaultfd]"))
		out->kind = VC_FD_USERFAULTFD;
	else if (!strncmp(out->name, "anon_inode:", 11))
		out->kind = VC_FD_ANON;
}
