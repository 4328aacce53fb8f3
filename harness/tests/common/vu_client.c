/* Test helpers for a test that plays a vhost-user peer (vu_client.h). */
#include "harness/tests/common/vu_client.h"
#include "vcts/sock.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int vc_test_vu_recv(int fd, uint32_t *req, uint32_t *flags, void *pl, uint32_t cap, int *rfd,
		    int timeout_ms)
{
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	if (rfd)
		*rfd = -1;
	enum vc_sock_rx_status st = vc_sock_recv_wait(fd, &rx, &m, timeout_ms);
	if (st != VC_RX_MSG) {
		vc_sock_rx_free(&rx);
		errno = st == VC_RX_AGAIN ? EAGAIN : ECONNRESET;
		return -1;
	}
	if (m.len > cap) {
		vc_sock_msg_free(&m);
		errno = EMSGSIZE;
		return -1;
	}
	if (rfd && m.nfds) {
		*rfd = m.fds[0];
		m.fds[0] = -1;
	}
	if (req)
		*req = m.req;
	if (flags)
		*flags = m.flags;
	if (m.len)
		memcpy(pl, m.payload, m.len);
	int size = (int)m.len;
	vc_sock_msg_free(&m);
	return size;
}

void vc_test_fd_room(unsigned room, struct rlimit *old)
{
	/* The lowest free fd is where the next one would go. */
	int lowest = dup(0);
	ck_assert_int_ge(lowest, 0);
	close(lowest);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, old), 0);
	struct rlimit lim = *old;
	lim.rlim_cur = (rlim_t)lowest + room;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
}
