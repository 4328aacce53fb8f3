/* Claiming a unix socket path for a listener (vcts/sockpath.h). */
#include "vcts/sockpath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int vc_sock_claim(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* An empty path would bind Linux's abstract namespace (a name of
	 * NULs), not a file anyone can find. */
	if (!*path) {
		snprintf(err, errlen, "empty socket path");
		return -1;
	}
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "%s: socket path too long (at most %zu bytes)", path, sizeof sa.sun_path - 1);
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket; not replaced", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	int e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN) {
		/* EAGAIN: a listener whose backlog is full is still alive. */
		snprintf(err, errlen, "%s: socket in use (another process listens on it)", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "%s: cannot probe socket: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove stale socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
