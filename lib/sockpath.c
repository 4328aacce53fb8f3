/* Unix socket paths: claiming one for a listener, listening, connecting
 * (vcts/sockpath.h). */
#include "vcts/sockpath.h"

#include <errno.h>
#include <stdbool.h>
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
	int fd = vc_sock_connect(path, 0);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || e == EAGAIN) {
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

/* path as a unix socket address: false when it does not fit. */
static bool addr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n >= sizeof sa->sun_path)
		return false;
	memcpy(sa->sun_path, path, n + 1);
	return true;
}

int vc_sock_connect(const char *path, int type_flags)
{
	struct sockaddr_un sa;
	if (!addr_of(path, &sa)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int vc_sock_listen(const char *path, int backlog, int type_flags, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	/* A stale socket file from an earlier run is replaced; a live one or
	 * anything else at that path is left alone. */
	if (vc_sock_claim(path, err, errlen) != 0)
		return -1;
	if (!addr_of(path, &sa)) { /* checked by the claim: kept for safety */
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, backlog) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}
