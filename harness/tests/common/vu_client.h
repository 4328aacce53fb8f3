/* Test helpers for a test that plays a vhost-user peer over a socket. */
#ifndef VCTS_TEST_VU_CLIENT_H
#define VCTS_TEST_VU_CLIENT_H
#include <stdint.h>
#include <sys/resource.h>

/* One message read whole (lib/sock.c) within timeout_ms: its payload
 * size, the payload copied to pl (at most cap bytes), the header to *req
 * and *flags (either may be NULL). Its first fd goes to *rfd when asked
 * (else -1 there), every other is closed. -1 with errno EAGAIN when
 * nothing came in time, EMSGSIZE for a payload over cap, ECONNRESET on
 * EOF or error. */
int vc_test_vu_recv(int fd, uint32_t *req, uint32_t *flags, void *pl, uint32_t cap, int *rfd,
		    int timeout_ms);
/* Lower this process's RLIMIT_NOFILE so that only room more fds can be
 * opened (the kernel then cuts fds it passes: MSG_CTRUNC); *old gets the
 * limit to restore with setrlimit. */
void vc_test_fd_room(unsigned room, struct rlimit *old);
#endif
