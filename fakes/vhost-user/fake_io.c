/* The fake's transport: one vhost-user message out with its fds, and
 * messages in, framed by the header's size with the fds that came with
 * them. Every length is bounded before anything is allocated. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/fdinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The kernel's SCM_MAX_FD: the most fds one sendmsg can carry. */
#define CMSG_FDS 253
/* A front-end that does not read its replies for this long is dropped. */
#define SEND_TIMEOUT_MS 5000

/* extra: the reply-fds fault's fds, /dev/null passed that many times
 * after the message's own fd (the receiver gets as many distinct fds). */
static int send_all(struct vfu_conn *c, int fd, const uint8_t *buf, size_t len, int pass_fd,
		    unsigned extra)
{
	size_t off = 0;
	int fdv[CMSG_FDS];
	unsigned nfdv = 0;
	if (pass_fd >= 0)
		fdv[nfdv++] = pass_fd;
	int null_fd = -1;
	if (extra) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		for (unsigned i = 0; null_fd >= 0 && i < extra && nfdv < CMSG_FDS; i++)
			fdv[nfdv++] = null_fd;
	}
	bool fd_sent = nfdv == 0;
	int rc = 0;
	while (off < len) {
		struct iovec iov = { .iov_base = (void *)(buf + off), .iov_len = len - off };
		union {
			char b[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
			struct cmsghdr align;
		} cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (!fd_sent) {
			memset(&cm, 0, CMSG_SPACE(sizeof(int) * nfdv));
			mh.msg_control = cm.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfdv);
			struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			h->cmsg_len = CMSG_LEN(sizeof(int) * nfdv);
			memcpy(CMSG_DATA(h), fdv, sizeof(int) * nfdv);
		}
		ssize_t n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Bounded wait: a front-end that never reads is dropped. */
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int r = poll(&p, 1, SEND_TIMEOUT_MS);
			if (r <= 0) {
				vfu_conn_log(c, "front-end does not read its replies; dropping it");
				rc = -1;
				break;
			}
			continue;
		}
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
		fd_sent = true;
	}
	if (null_fd >= 0)
		close(null_fd);
	return rc;
}

/* Send one message; the event is emitted once it is on the wire. */
int vfu_send_msg(struct vfu_conn *c, uint8_t chan, uint32_t req, uint32_t flags,
		    const uint8_t *payload, uint32_t len, int pass_fd, unsigned extra_fds)
{
	int fd = chan == VU_CHAN_MAIN ? c->fd : c->be_fd;
	if (fd < 0)
		return -1;
	uint8_t small[VU_HDR_SIZE + 64];
	uint8_t *buf = len <= 64 ? small : xmalloc(VU_HDR_SIZE + (size_t)len);
	vu_wr32(buf, req);
	vu_wr32(buf + 4, flags);
	vu_wr32(buf + 8, len);
	if (len)
		memcpy(buf + VU_HDR_SIZE, payload, len);
	struct vfu_msg m = { .chan = chan, .req = req, .flags = flags, .size = len,
			     .payload = buf + VU_HDR_SIZE, .len = len };
	if (pass_fd >= 0) {
		m.ntotal = m.nkept = 1;
		vc_fd_describe(pass_fd, &m.info[0]);
	}
	m.ntotal += extra_fds;   /* not described: the event counts them */
	int rc = send_all(c, fd, buf, VU_HDR_SIZE + (size_t)len, pass_fd, extra_fds);
	if (rc == 0) {
		c->s->st.messages_out++;
		vfu_emit_msg(c, VC_DIR_BE_TO_FE, &m); /* the fake sends only as back-end */
	}
	if (buf != small)
		free(buf);
	return rc;
}

/* Read what is available into r. Returns 1 when a whole message is in
 * r->m, 0 when more is needed (EAGAIN), -1 on EOF or error (r->hdr_got and
 * r->pl_got tell how much of a message was cut). */
int vfu_read_msg(struct vfu_conn *c, int fd, struct vfu_reader *r, uint8_t chan)
{
	struct vfu_server *s = c->s;
	for (;;) {
		bool in_hdr = r->hdr_got < VU_HDR_SIZE;
		uint8_t *dst;
		size_t want;
		if (in_hdr) {
			dst = r->hdr + r->hdr_got;
			want = VU_HDR_SIZE - r->hdr_got;
		} else {
			dst = r->m.payload + r->pl_got;
			want = r->m.len - r->pl_got;
		}
		if (want == 0)
			goto complete;
		union {
			char b[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { .iov_base = dst, .iov_len = want };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
				     .msg_controllen = sizeof cm.b };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* fds first: they arrived even if no byte did. */
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); n >= 0 && h; h = CMSG_NXTHDR(&mh, h)) {
			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			size_t cnt = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < cnt; i++) {
				int rfd;
				memcpy(&rfd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				s->st.fds_received++;
				r->m.ntotal++;
				if (r->m.nkept < VFU_MSG_FDS) {
					vc_fd_describe(rfd, &r->m.info[r->m.nkept]);
					r->m.fds[r->m.nkept++] = rfd;
				} else {
					/* An fd flood: counted for the rules, closed now. */
					close(rfd);
					s->st.fds_closed++;
				}
			}
		}
		/* Cut by the kernel (not with a CMSG_FDS buffer, but a cut fd
		 * must still count): at least one more was sent. */
		if (n >= 0 && (mh.msg_flags & MSG_CTRUNC))
			r->m.ntotal++;
		if (n <= 0)
			return -1;
		if (in_hdr) {
			r->hdr_got += (uint32_t)n;
			if (r->hdr_got < VU_HDR_SIZE)
				continue;
			r->m.chan = chan;
			r->m.req = vu_rd32(r->hdr);
			r->m.flags = vu_rd32(r->hdr + 4);
			r->m.size = vu_rd32(r->hdr + 8);
			if (r->m.size > VU_PARSER_MAX_PAYLOAD) {
				/* Not buffered: judged from the header, then the
				 * connection is closed (framing cannot be trusted). */
				r->m.truncated = true;
				r->m.len = 0;
				goto complete;
			}
			r->m.len = r->m.size;
			r->m.payload = r->m.size ? xmalloc(r->m.size) : NULL;
			r->pl_got = 0;
			if (r->m.len == 0)
				goto complete;
		} else {
			r->pl_got += (uint32_t)n;
			if (r->pl_got == r->m.len)
				goto complete;
		}
	}
complete:
	r->hdr_got = 0;
	r->pl_got = 0;
	return 1;
}
