/* A unix socket path about to be bound by a listener (serve, drive
 * --listen). */
#ifndef VCTS_SOCKPATH_H
#define VCTS_SOCKPATH_H
#include <stddef.h>

/* Make path free for bind() without harming anything: nothing there is
 * fine; a socket nobody answers on (ECONNREFUSED: left by a dead run) is
 * removed; a socket someone listens on ("in use"), any other file, an
 * empty path or one too long for sun_path is refused. 0, or -1 with err. */
int vc_sock_claim(const char *path, char *err, size_t errlen);
#endif
