/* vhost-user messages over a unix stream socket, with their fds. */
#include "vcts/sock.h"
#include "vcts/fdinfo.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A control buffer for the most fds one message can carry, aligned. */
union fd_cmsg {
	char b[CMSG_SPACE(sizeof(int) * VC_SOCK_MAX_FDS)];
	struct cmsghdr align;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on sock until deadline (ms, -1 none): 1 ready, 0 the
 * time ran out, -1 poll failed. */
static int wait_for(int sock, short events, int64_t deadline)
{
	for (;;) {
		int left = -1;
		if (deadline >= 0) {
			int64_t l = deadline - now_ms();
			left = l < 0 ? 0 : l > INT32_MAX ? INT32_MAX : (int)l;
		}
		struct pollfd p = { .fd = sock, .events = events };
		int n = poll(&p, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int vc_sock_send(int sock, const void *buf, size_t len, const int *fds, unsigned nfds,
		 int timeout_ms)
{
	/* fds ride on bytes: a stream socket passes none with an empty send. */
	if (nfds > VC_SOCK_MAX_FDS || (nfds && (!fds || len == 0))) {
		errno = EINVAL;
		return -1;
	}
	const int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	const uint8_t *p = buf;
	size_t off = 0;
	bool fds_sent = nfds == 0;
	union fd_cmsg cm;
	while (off < len) {
		struct iovec iov = { .iov_base = (void *)(p + off), .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (!fds_sent) {
			memset(cm.b, 0, CMSG_SPACE(sizeof(int) * nfds));
			mh.msg_control = cm.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			h->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(h), fds, sizeof(int) * nfds);
		}
		ssize_t n = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			int w = wait_for(sock, POLLOUT, deadline);
			if (w == 0)
				errno = ETIMEDOUT;
			if (w <= 0)
				return -1;
			continue;
		}
		if (n == 0) {
			/* Cannot happen with bytes to send; never spin on it. */
			errno = EIO;
			return -1;
		}
		/* The fds went with the first byte that was taken. */
		fds_sent = true;
		off += (size_t)n;
	}
	return 0;
}

int vc_sock_send_msg(int sock, uint32_t req, uint32_t flags, uint32_t size, const void *payload,
		     uint32_t len, const int *fds, unsigned nfds, int timeout_ms)
{
	uint8_t small[VU_HDR_SIZE + 256];
	const size_t total = VU_HDR_SIZE + (size_t)len;
	uint8_t *buf = total <= sizeof small ? small : xmalloc(total);
	vu_wr32(buf, req);
	vu_wr32(buf + 4, flags);
	vu_wr32(buf + 8, size);
	if (len)
		memcpy(buf + VU_HDR_SIZE, payload, len);
	int rc = vc_sock_send(sock, buf, total, fds, nfds, timeout_ms);
	if (buf != small) {
		int e = errno;
		free(buf);
		errno = e;
	}
	return rc;
}

void vc_sock_msg_free(struct vc_sock_msg *m)
{
	for (uint32_t i = 0; i < m->nfds && i < VC_EVENT_MAX_FDS; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	free(m->payload);
	memset(m, 0, sizeof *m);
}

void vc_sock_rx_init(struct vc_sock_rx *rx, uint32_t max_payload)
{
	memset(rx, 0, sizeof *rx);
	rx->max_payload = max_payload;
}

uint32_t vc_sock_rx_pending(const struct vc_sock_rx *rx)
{
	/* hdr_got stays at the header size while the payload is read. */
	return rx->hdr_got + rx->pl_got;
}

/* Close the fds the message being read holds (counted). */
static void close_held(struct vc_sock_rx *rx)
{
	for (uint32_t i = 0; i < rx->m.nfds; i++)
		if (rx->m.fds[i] >= 0) {
			close(rx->m.fds[i]);
			rx->fds_closed++;
		}
	rx->m.nfds = 0;
}

void vc_sock_rx_free(struct vc_sock_rx *rx)
{
	close_held(rx);
	free(rx->m.payload);
	memset(&rx->m, 0, sizeof rx->m);
	rx->hdr_got = rx->pl_got = 0;
}

/* The reader is finished: what it held goes, the counts stay (and the
 * bytes of the cut message, for vc_sock_rx_pending). */
static enum vc_sock_rx_status finish(struct vc_sock_rx *rx, enum vc_sock_rx_status st)
{
	int e = errno;
	close_held(rx);
	free(rx->m.payload);
	memset(&rx->m, 0, sizeof rx->m);
	rx->done = true;
	rx->status = (uint8_t)st;
	errno = e;
	return st;
}

/* Keep the first VC_EVENT_MAX_FDS fds (described now, while open), count
 * and close the rest: more than any message takes is a flood. */
static void take_fds(struct vc_sock_rx *rx, struct msghdr *mh)
{
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len < CMSG_LEN(0))
			continue;
		size_t cnt = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		/* Never read an fd past the control data the kernel filled. */
		const unsigned char *end = (const unsigned char *)mh->msg_control + mh->msg_controllen;
		const unsigned char *data = CMSG_DATA(h);
		const size_t room = data < end ? (size_t)(end - data) / sizeof(int) : 0;
		if (cnt > room)
			cnt = room;
		for (size_t i = 0; i < cnt; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
			rx->fds_in++;
			rx->m.ntotal++;
			if (rx->m.nfds < VC_EVENT_MAX_FDS) {
				vc_fd_describe(fd, &rx->m.info[rx->m.nfds]);
				rx->m.fds[rx->m.nfds++] = fd;
			} else {
				close(fd);
				rx->fds_closed++;
			}
		}
	}
}

/* The message in rx is whole: hand it over, start the next. */
static enum vc_sock_rx_status complete(struct vc_sock_rx *rx, struct vc_sock_msg *out)
{
	*out = rx->m;
	memset(&rx->m, 0, sizeof rx->m);
	rx->hdr_got = rx->pl_got = 0;
	return VC_RX_MSG;
}

enum vc_sock_rx_status vc_sock_recv(int sock, struct vc_sock_rx *rx, struct vc_sock_msg *out)
{
	if (rx->done)
		return (enum vc_sock_rx_status)rx->status;
	const uint32_t max = rx->max_payload ? rx->max_payload : VU_PARSER_MAX_PAYLOAD;
	for (;;) {
		const bool in_hdr = rx->hdr_got < VU_HDR_SIZE;
		uint8_t *dst = in_hdr ? rx->hdr + rx->hdr_got : rx->m.payload + rx->pl_got;
		size_t want = in_hdr ? VU_HDR_SIZE - rx->hdr_got : rx->m.len - rx->pl_got;
		union fd_cmsg cm;
		struct iovec iov = { .iov_base = dst, .iov_len = want };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
				     .msg_controllen = sizeof cm.b };
		ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return VC_RX_AGAIN;
		if (n < 0)
			return finish(rx, VC_RX_ERROR);
		/* fds first: they arrived even when no byte did. */
		take_fds(rx, &mh);
		if (mh.msg_flags & MSG_CTRUNC)
			return finish(rx, VC_RX_CTRUNC);
		if (n == 0)
			return finish(rx, VC_RX_EOF);
		if (!in_hdr) {
			rx->pl_got += (uint32_t)n;
			if (rx->pl_got == rx->m.len)
				return complete(rx, out);
			continue;
		}
		rx->hdr_got += (uint32_t)n;
		if (rx->hdr_got < VU_HDR_SIZE)
			continue;
		rx->m.req = vu_rd32(rx->hdr);
		rx->m.flags = vu_rd32(rx->hdr + 4);
		rx->m.size = vu_rd32(rx->hdr + 8);
		if (rx->m.size > max) {
			/* Not buffered: the caller judges the header, and the
			 * framing of the rest cannot be trusted. */
			close_held(rx);
			*out = rx->m;
			memset(&rx->m, 0, sizeof rx->m);
			rx->done = true;
			rx->status = VC_RX_OVERSIZE;
			return VC_RX_OVERSIZE;
		}
		rx->m.len = rx->m.size;
		rx->pl_got = 0;
		if (rx->m.len == 0)
			return complete(rx, out);
		rx->m.payload = xmalloc(rx->m.len);
	}
}

enum vc_sock_rx_status vc_sock_recv_wait(int sock, struct vc_sock_rx *rx, struct vc_sock_msg *out,
					 int timeout_ms)
{
	const int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	for (;;) {
		enum vc_sock_rx_status st = vc_sock_recv(sock, rx, out);
		if (st != VC_RX_AGAIN)
			return st;
		int w = wait_for(sock, POLLIN, deadline);
		if (w == 0)
			return VC_RX_AGAIN;
		if (w < 0)
			return finish(rx, VC_RX_ERROR);
	}
}
