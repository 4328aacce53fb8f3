/* The driver's transport: sending requests with fds, framing what the
 * back-end answers with the shared stream parser (bounded, with a
 * deadline), serving the back-end channel, and turning every message both
 * ways into an event for the engine and the capture. */
#include "fakes/frontend/fe_int.h"
#include "vcts/fdinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vfe_why(struct vfe_conn *c, const char *fmt, ...)
{
	if (c->why[0])
		return; /* keep the first reason */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

void vfe_conn_init(struct vfe_conn *c, struct vfe_run *r, int sock, uint32_t sid, int timeout_ms)
{
	memset(c, 0, sizeof *c);
	c->run = r;
	c->sid = sid;
	c->sock = sock;
	c->be_sock = -1;
	c->log_fd = -1;
	c->inflight_fd = -1;
	c->timeout_ms = timeout_ms;
	for (unsigned i = 0; i < VFE_MAX_RINGS; i++)
		c->ring[i].kick = c->ring[i].call = c->ring[i].err = -1;
	vu_framer_init(&c->fr, VFE_MAX_REPLY);
	vu_framer_init(&c->befr, VFE_MAX_REPLY);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* nfds fds at hand (described), ntotal carried (the event's count). */
static void emit_msg(struct vfe_conn *c, uint8_t dir, uint8_t chan, uint32_t req, uint32_t flags,
		     uint32_t size, const void *pl, uint32_t len, const int *fds, unsigned nfds,
		     unsigned ntotal)
{
	struct vc_fd fdv[VC_EVENT_MAX_FDS];
	unsigned nd = nfds < VC_EVENT_MAX_FDS ? nfds : VC_EVENT_MAX_FDS;
	for (unsigned i = 0; i < nd; i++)
		vc_fd_describe(fds[i], &fdv[i]);
	struct vc_event ev = {
		.kind = VC_EV_VU_MSG, .dir = dir, .session = c->sid, .time_ns = mono_ns(),
		.nfds = ntotal, .has_fds = true, .fds = nd ? fdv : NULL,
	};
	vc_vu_msg_set(&ev.u.vu, chan, req, flags, size, pl, len);
	vfe_run_emit(c->run, &ev);
}

void vfe_emit_kick(struct vfe_conn *c, uint32_t ring)
{
	struct vc_event ev = { .kind = VC_EV_VU_KICK, .dir = VC_DIR_FE_TO_BE, .session = c->sid,
			       .time_ns = mono_ns() };
	ev.u.kick.ring = ring;
	vfe_run_emit(c->run, &ev);
}

static void emit_eof(struct vfe_conn *c, uint8_t dir, uint32_t partial)
{
	struct vc_event ev = { .kind = VC_EV_VU_EOF, .dir = dir, .session = c->sid, .time_ns = mono_ns() };
	ev.u.eof.partial = partial > 0;
	ev.u.eof.partial_bytes = partial;
	vfe_run_emit(c->run, &ev);
}

void vfe_conn_close(struct vfe_conn *c)
{
	if (c->sock >= 0) {
		if (!c->eof)
			emit_eof(c, VC_DIR_FE_TO_BE, 0);
		close_fd(&c->sock);
	}
	close_fd(&c->be_sock);
	for (unsigned i = 0; i < c->nrxfds; i++)
		close(c->rxfds[i]);
	c->nrxfds = 0;
	for (unsigned i = 0; i < VFE_MAX_RINGS; i++) {
		close_fd(&c->ring[i].kick);
		close_fd(&c->ring[i].call);
		close_fd(&c->ring[i].err);
	}
	if (c->log_map)
		munmap(c->log_map, c->log_size);
	c->log_map = NULL;
	close_fd(&c->log_fd);
	if (c->inflight_map)
		munmap(c->inflight_map, c->inflight_size);
	c->inflight_map = NULL;
	close_fd(&c->inflight_fd);
	vfe_mem_free_all(c);
	vu_framer_free(&c->fr);
	vu_framer_free(&c->befr);
}

/* Wait until fd is writable or the deadline passes. */
static int wait_fd(int fd, short what, int64_t deadline_ns)
{
	for (;;) {
		int64_t left = (deadline_ns - mono_ns()) / 1000000;
		if (left < 0)
			left = 0;
		struct pollfd p = { .fd = fd, .events = what };
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -1;
		if (errno != EINTR)
			return -1;
	}
}

static int send_bytes(struct vfe_conn *c, int sock, const uint8_t *buf, size_t len, const int *fds,
		      unsigned nfds)
{
	int64_t deadline = mono_ns() + (int64_t)c->timeout_ms * 1000000;
	size_t off = 0;
	bool fds_sent = nfds == 0;
	while (off < len || !fds_sent) {
		struct iovec iov = { .iov_base = (void *)(buf + off), .iov_len = len - off };
		union {
			char b[CMSG_SPACE(sizeof(int) * VC_EVENT_MAX_FDS)];
			struct cmsghdr align;
		} u;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (!fds_sent) {
			unsigned n = nfds > VC_EVENT_MAX_FDS ? VC_EVENT_MAX_FDS : nfds;
			memset(&u, 0, sizeof u);
			mh.msg_control = u.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
		}
		ssize_t w = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (wait_fd(sock, POLLOUT, deadline) != 0) {
					vfe_why(c, "back-end does not read its socket (send blocked for %d ms)",
						c->timeout_ms);
					c->hung = true;
					return -1;
				}
				continue;
			}
			vfe_why(c, "send failed: %s", strerror(errno));
			c->eof = true;
			return -1;
		}
		fds_sent = true;
		off += (size_t)w;
	}
	return 0;
}

int vfe_send_raw(struct vfe_conn *c, uint32_t req, uint32_t flags, int64_t declared_size,
		 const void *pl, uint32_t len, const int *fds, unsigned nfds)
{
	if (c->sock < 0 || c->eof)
		return -1;
	uint32_t size = declared_size >= 0 ? (uint32_t)declared_size : len;
	uint8_t *buf = malloc(VU_HDR_SIZE + (size_t)len);
	if (!buf)
		return -1;
	vu_wr32(buf, req);
	vu_wr32(buf + 4, flags);
	vu_wr32(buf + 8, size);
	if (len)
		memcpy(buf + VU_HDR_SIZE, pl, len);
	emit_msg(c, VC_DIR_FE_TO_BE, VU_CHAN_MAIN, req, flags, size, pl, len, fds, nfds, nfds);
	int rc = send_bytes(c, c->sock, buf, VU_HDR_SIZE + (size_t)len, fds, nfds);
	free(buf);
	return rc;
}

int vfe_send(struct vfe_conn *c, uint32_t req, uint32_t extra_flags, const void *pl, uint32_t len,
	     const int *fds, unsigned nfds)
{
	return vfe_send_raw(c, req, VU_VERSION | extra_flags, -1, pl, len, fds, nfds);
}

void vfe_msg_close_fds(struct vfe_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

/* The kernel passes at most SCM_MAX_FD (253) fds per sendmsg; a control
 * buffer that size receives them all, so none is lost unseen. */
#define RX_CMSG_FDS 253

/* Read what is there on sock into framer f; received fds queue in rxfds
 * (past its size they are closed and counted, for the rules).
 * 1 bytes read, 0 EOF, -1 error. */
static int read_some(struct vfe_conn *c, int sock, uint8_t *buf, size_t cap, size_t *got)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * RX_CMSG_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof u.b };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 2 : -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (c->nrxfds < VC_EVENT_MAX_FDS)
				c->rxfds[c->nrxfds++] = fd;
			else {
				close(fd); /* hostile: more fds than any message takes */
				c->nrx_dropped++;
			}
		}
	}
	/* Cut by the kernel (cannot happen with RX_CMSG_FDS, but a cut fd
	 * must not pass unjudged): at least one more was sent. */
	if (mh.msg_flags & MSG_CTRUNC)
		c->nrx_dropped++;
	*got = (size_t)n;
	return n == 0 ? 0 : 1;
}


static void take_msg(struct vfe_conn *c, struct vu_framer *f, struct vfe_msg *m)
{
	m->req = vu_framer_request(f);
	m->flags = vu_framer_flags(f);
	m->size = vu_framer_size(f);
	m->len = f->pl_have;
	if (m->len)
		memcpy(m->pl, f->pl, m->len);
	m->nfds = c->nrxfds;
	m->nfds_total = c->nrxfds + c->nrx_dropped;
	memcpy(m->fds, c->rxfds, sizeof(int) * c->nrxfds);
	c->nrxfds = 0;
	c->nrx_dropped = 0;
}

/* Keep the fds the wire table lets this reply carry; close the others
 * now (they were counted for VU-FD-06 when the message was emitted). */
static void keep_expected_fds(struct vfe_msg *m)
{
	unsigned keep = 0;
	if (m->flags & VU_FLAG_REPLY)
		keep = vu_reply_fds_max(vu_request(VU_CHAN_MAIN, m->req));
	for (unsigned i = keep; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	if (m->nfds > keep)
		m->nfds = keep;
}

/* Frame from the pending bytes of channel ch: 1 message, 0 need more, -2 garbage. */
static int frame(struct vfe_conn *c, int ch, struct vfe_msg *m)
{
	struct vu_framer *f = ch ? &c->befr : &c->fr;
	struct vfe_pend *p = &c->pend[ch];
	for (;;) {
		const uint8_t *d = p->buf + p->off;
		size_t l = p->len - p->off;
		enum vu_frame_status st = vu_framer_push(f, &d, &l);
		p->off = p->len - l;
		if (st == VU_FRAME_MESSAGE) {
			take_msg(c, f, m);
			return 1;
		}
		if (st == VU_FRAME_OVERSIZE)
			return -2;
		if (st == VU_FRAME_MORE)
			return 0;
	}
}

static void serve_backend_msg(struct vfe_conn *c, struct vfe_msg *m)
{
	emit_msg(c, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, m->req, m->flags, m->size, m->pl, m->len, m->fds,
		 m->nfds, m->nfds_total);
	vfe_msg_close_fds(m);
	if ((m->flags & VU_FLAG_NEED_REPLY) && c->be_sock >= 0) {
		uint8_t out[VU_HDR_SIZE + 8];
		vu_wr32(out, m->req);
		vu_wr32(out + 4, VU_VERSION | VU_FLAG_REPLY);
		vu_wr32(out + 8, 8);
		vu_wr64(out + VU_HDR_SIZE, 0);
		emit_msg(c, VC_DIR_FE_TO_BE, VU_CHAN_BACKEND, m->req, VU_VERSION | VU_FLAG_REPLY, 8,
			 out + VU_HDR_SIZE, 8, NULL, 0, 0);
		if (send_bytes(c, c->be_sock, out, sizeof out, NULL, 0) != 0)
			close_fd(&c->be_sock);
	}
}

enum vfe_rx vfe_recv(struct vfe_conn *c, struct vfe_msg *m, uint32_t owed_req)
{
	m->nfds = m->nfds_total = 0;
	if (c->eof || c->sock < 0)
		return VFE_RX_EOF;
	if (c->garbage)
		return VFE_RX_GARBAGE;
	int64_t start = mono_ns();
	int64_t deadline = start + (int64_t)c->timeout_ms * 1000000;
	for (;;) {
		/* Back-end requests read with (or before) the reply first: the
		 * back-end sent them before it, and the judge sees that order. */
		if (c->be_sock >= 0) {
			struct vfe_msg *bm = malloc(sizeof *bm);
			if (bm) {
				int br;
				while ((br = frame(c, 1, bm)) == 1)
					serve_backend_msg(c, bm);
				free(bm);
				if (br == -2)
					close_fd(&c->be_sock);
			}
		}
		int r = frame(c, 0, m);
		if (r == 1) {
			emit_msg(c, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, m->req, m->flags, m->size, m->pl, m->len,
				 m->fds, m->nfds, m->nfds_total);
			keep_expected_fds(m);
			return VFE_RX_MSG;
		}
		if (r == -2) {
			vfe_why(c, "back-end sent a message claiming %u payload bytes (garbage)",
				vu_framer_size(&c->fr));
			c->garbage = true;
			emit_eof(c, VC_DIR_BE_TO_FE, vu_framer_pending(&c->fr));
			return VFE_RX_GARBAGE;
		}
		int64_t left = (deadline - mono_ns()) / 1000000;
		if (left <= 0) {
			struct vc_event ev = { .kind = VC_EV_VU_STALL, .dir = VC_DIR_BE_TO_FE,
					       .session = c->sid, .time_ns = mono_ns() };
			ev.u.stall.owed_request = owed_req;
			ev.u.stall.quiet_ns = mono_ns() - start;
			vfe_run_emit(c->run, &ev);
			c->hung = true;
			vfe_why(c, "no answer within %d ms", c->timeout_ms);
			return VFE_RX_TIMEOUT;
		}
		struct pollfd p[2] = { { .fd = c->sock, .events = POLLIN },
				       { .fd = c->be_sock, .events = POLLIN } };
		int n = poll(p, c->be_sock >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno != EINTR)
			return VFE_RX_EOF;
		if (n <= 0)
			continue;
		for (int ch = 1; ch >= 0; ch--) {
			if (!(p[ch].revents & (POLLIN | POLLHUP | POLLERR)) || (ch == 1 && c->be_sock < 0))
				continue;
			struct vfe_pend *pd = &c->pend[ch];
			if (pd->off == pd->len)
				pd->off = pd->len = 0;
			if (pd->len == sizeof pd->buf)
				continue;
			size_t got = 0;
			int rr = read_some(c, ch ? c->be_sock : c->sock, pd->buf + pd->len,
					   sizeof pd->buf - pd->len, &got);
			if (rr == 1) {
				pd->len += got;
			} else if (rr <= 0) {
				if (ch == 1) {
					close_fd(&c->be_sock);
					continue;
				}
				c->eof = true;
				vfe_why(c, "back-end closed the connection");
				emit_eof(c, VC_DIR_BE_TO_FE, vu_framer_pending(&c->fr));
				return VFE_RX_EOF;
			}
		}
	}
}

static bool check_reply(struct vfe_conn *c, const struct vfe_msg *m, uint32_t req)
{
	if (m->req != req || !(m->flags & VU_FLAG_REPLY)) {
		vfe_why(c, "expected the reply to %s, got request %u flags 0x%x",
			vu_request_name(VU_CHAN_MAIN, req, (char[24]){ 0 }, 24), m->req, m->flags);
		return false;
	}
	return true;
}

int vfe_get_u64(struct vfe_conn *c, uint32_t req, uint64_t *out)
{
	if (vfe_send(c, req, 0, NULL, 0, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, req) == VFE_RX_MSG) {
		if (check_reply(c, m, req) && vu_dec_u64(m->pl, m->len, out))
			rc = 0;
		else
			vfe_why(c, "bad reply to %s", vu_request_name(VU_CHAN_MAIN, req, (char[24]){ 0 }, 24));
		vfe_msg_close_fds(m);
	}
	free(m);
	return rc;
}

bool vfe_pf(const struct vfe_conn *c, unsigned bit)
{
	return c->pf_ok && (c->pf_acked & VU_BIT(bit));
}

int64_t vfe_set(struct vfe_conn *c, uint32_t req, const void *pl, uint32_t len, const int *fds,
		unsigned nfds)
{
	bool ack = vfe_pf(c, VU_PF_REPLY_ACK);
	c->last_ack_seen = false;
	if (vfe_send(c, req, ack ? VU_FLAG_NEED_REPLY : 0, pl, len, fds, nfds))
		return -1;
	if (!ack)
		return 0;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int64_t rc = -1;
	if (vfe_recv(c, m, req) == VFE_RX_MSG) {
		uint64_t v;
		if (check_reply(c, m, req) && vu_dec_u64(m->pl, m->len, &v)) {
			rc = v > INT64_MAX ? INT64_MAX : (int64_t)v;
			c->last_ack = v;
			c->last_ack_seen = true;
			c->last_ack_req = req;
			if (v)
				vfe_why(c, "%s refused (ack %" PRIu64 ")",
					vu_request_name(VU_CHAN_MAIN, req, (char[24]){ 0 }, 24), v);
		}
		vfe_msg_close_fds(m);
	}
	free(m);
	return rc;
}

int64_t vfe_set_u64(struct vfe_conn *c, uint32_t req, uint64_t v)
{
	uint8_t pl[8];
	vu_wr64(pl, v);
	return vfe_set(c, req, pl, sizeof pl, NULL, 0);
}

int64_t vfe_set_state(struct vfe_conn *c, uint32_t req, uint32_t index, uint32_t num)
{
	uint8_t pl[8];
	vu_wr32(pl, index);
	vu_wr32(pl + 4, num);
	return vfe_set(c, req, pl, sizeof pl, NULL, 0);
}

int vfe_get_vring_base(struct vfe_conn *c, uint32_t index, uint32_t *base)
{
	uint8_t pl[8];
	vu_wr32(pl, index);
	vu_wr32(pl + 4, 0);
	if (vfe_send(c, VU_GET_VRING_BASE, 0, pl, sizeof pl, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, VU_GET_VRING_BASE) == VFE_RX_MSG) {
		struct vu_state_pl sp;
		if (check_reply(c, m, VU_GET_VRING_BASE) && vu_dec_state(m->pl, m->len, &sp)) {
			*base = sp.num;
			rc = 0;
		}
		vfe_msg_close_fds(m);
	}
	free(m);
	if (index < VFE_MAX_RINGS) {
		c->ring[index].started = false;
		if (rc == 0 && !c->keep_kick) {
			/* Closing kick: the ring is stopped; a restart sends a new one. */
			close_fd(&c->ring[index].kick);
		}
	}
	return rc;
}
