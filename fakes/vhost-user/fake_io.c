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

/* A front-end that does not read its replies for this long is dropped. */
#define SEND_TIMEOUT_MS 5000

/* extra: the reply-fds fault's fds, /dev/null passed that many times
 * after the message's own fd (the receiver gets as many distinct fds). */
static int send_all(struct vfu_conn *c, int fd, const uint8_t *buf, size_t len, int pass_fd,
		    unsigned extra)
{
	int fdv[VC_SOCK_MAX_FDS];
	unsigned nfdv = 0;
	if (pass_fd >= 0)
		fdv[nfdv++] = pass_fd;
	int null_fd = -1;
	if (extra) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		for (unsigned i = 0; null_fd >= 0 && i < extra && nfdv < VC_SOCK_MAX_FDS; i++)
			fdv[nfdv++] = null_fd;
	}
	/* Bounded wait: a front-end that never reads is dropped. */
	int rc = vc_sock_send(fd, buf, len, fdv, nfdv, SEND_TIMEOUT_MS);
	if (rc != 0 && errno == ETIMEDOUT)
		vfu_conn_log(c, "front-end does not read its replies; dropping it");
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

_Static_assert(VFU_MSG_FDS == VC_EVENT_MAX_FDS, "a message keeps what the reader keeps");

/* Read what is available into r (lib/sock.c frames it). Returns 1 when a
 * whole message is in r->m (truncated: its size was over the parser's
 * cap), 0 when more is needed (EAGAIN), -1 on EOF or error
 * (vc_sock_rx_pending(&r->rx) tells how much of a message was cut), -2
 * when the kernel cut the fds (ours to refuse: the count is lost). */
int vfu_read_msg(struct vfu_conn *c, int fd, struct vfu_reader *r, uint8_t chan)
{
	struct vfu_server *s = c->s;
	const uint64_t in0 = r->rx.fds_in, closed0 = r->rx.fds_closed;
	struct vc_sock_msg sm;
	enum vc_sock_rx_status st = vc_sock_recv(fd, &r->rx, &sm);
	s->st.fds_received += r->rx.fds_in - in0;
	s->st.fds_closed += r->rx.fds_closed - closed0;
	if (st == VC_RX_AGAIN)
		return 0;
	if (st == VC_RX_CTRUNC) {
		vfu_conn_log(c, "the kernel cut the fds of a message (out of fds?)");
		return -2;
	}
	if (st != VC_RX_MSG && st != VC_RX_OVERSIZE)
		return -1;
	struct vfu_msg *m = &r->m;
	memset(m, 0, sizeof *m);
	m->chan = chan;
	m->req = sm.req;
	m->flags = sm.flags;
	m->size = sm.size;
	m->payload = sm.payload;
	m->len = sm.len;
	/* Not buffered: judged from the header, then the connection is
	 * closed (framing cannot be trusted). */
	m->truncated = st == VC_RX_OVERSIZE;
	memcpy(m->fds, sm.fds, sizeof(int) * sm.nfds);
	m->nkept = sm.nfds;
	m->ntotal = sm.ntotal;
	memcpy(m->info, sm.info, sizeof m->info);
	return 1;
}

/* A reader's message being read and the one it completed go, counted. */
void vfu_reader_free(struct vfu_server *s, struct vfu_reader *r)
{
	const uint64_t closed0 = r->rx.fds_closed;
	vc_sock_rx_free(&r->rx);
	s->st.fds_closed += r->rx.fds_closed - closed0;
	vfu_msg_free(s, &r->m);
}

int vfu_conn_send_backend(struct vfu_conn *c, uint32_t req, uint32_t flags, const uint8_t *pl, uint32_t len,
			  int pass_fd)
{
	if (c->be_fd < 0)
		return -1;
	return vfu_send_msg(c, VU_CHAN_BACKEND, req, flags, pl, len, pass_fd, 0);
}
