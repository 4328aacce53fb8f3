/* Unix socket paths: claimed and bound by a listener (serve, drive
 * --listen), connected to (serve --client, drive --connect). */
#ifndef VCTS_SOCKPATH_H
#define VCTS_SOCKPATH_H
#include <stddef.h>

/* Make path free for bind() without harming anything: nothing there is
 * fine; a socket nobody answers on (ECONNREFUSED: left by a dead run) is
 * removed; a socket someone listens on ("in use"), any other file, an
 * empty path or one too long for sun_path is refused. 0, or -1 with err. */
int vc_sock_claim(const char *path, char *err, size_t errlen);

/* A stream socket listening on path (claimed first, as above), close-on-
 * exec, type_flags added to the type (SOCK_NONBLOCK). The fd, or -1 with
 * err. The listeners of serve and drive --listen. */
int vc_sock_listen(const char *path, int backlog, int type_flags, char *err, size_t errlen);
/* A stream socket connected to path, close-on-exec. The fd, or -1 with
 * errno (ENAMETOOLONG: path does not fit a unix socket address, never
 * cut short). */
int vc_sock_connect(const char *path, int type_flags);
#endif
