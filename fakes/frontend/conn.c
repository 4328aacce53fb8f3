/* The driver's transport: sending requests with fds and reading what the
 * back-end answers, both through lib/sock.c (bounded, with a deadline),
 * serving the back-end channel, and turning every message both ways into
 * an event for the engine and the capture. */
#include "fakes/frontend/fe_int.h"
#include "vcts/fdinfo.h"
#include "vcts/sock.h"

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
	vc_sock_rx_init(&c->rx[0], VFE_MAX_REPLY);
	vc_sock_rx_init(&c->rx[1], VFE_MAX_REPLY);
}

void vfe_set_backend(struct vfe_conn *c, int sock)
{
	if (c->be_sock >= 0)
		close(c->be_sock);
	c->be_sock = sock;
	/* A new channel starts at a message boundary. */
	vc_sock_rx_free(&c->rx[1]);
	vc_sock_rx_init(&c->rx[1], VFE_MAX_REPLY);
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
	for (unsigned ch = 0; ch < 2; ch++)
		vc_sock_rx_free(&c->rx[ch]);
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
}

static int send_bytes(struct vfe_conn *c, int sock, const uint8_t *buf, size_t len, const int *fds,
		      unsigned nfds)
{
	if (vc_sock_send(sock, buf, len, fds, nfds, c->timeout_ms) == 0)
		return 0;
	if (errno == ETIMEDOUT) {
		vfe_why(c, "back-end does not read its socket (send blocked for %d ms)", c->timeout_ms);
		c->hung = true;
		return -1;
	}
	vfe_why(c, "send failed: %s", strerror(errno));
	c->eof = true;
	return -1;
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

/* Read from channel ch (0 main, 1 back-end) what is there now: 1 a
 * message in m, 0 need more, -1 EOF or error, -2 a size past
 * VFE_MAX_REPLY (garbage), -3 fds cut by the kernel. */
static int read_msg(struct vfe_conn *c, int ch, struct vfe_msg *m)
{
	struct vc_sock_msg sm;
	enum vc_sock_rx_status st = vc_sock_recv(ch ? c->be_sock : c->sock, &c->rx[ch], &sm);
	if (st == VC_RX_AGAIN)
		return 0;
	if (st == VC_RX_OVERSIZE)
		return -2;
	if (st == VC_RX_CTRUNC)
		return -3;
	if (st != VC_RX_MSG)
		return -1;
	m->req = sm.req;
	m->flags = sm.flags;
	m->size = sm.size;
	m->len = sm.len; /* at most VFE_MAX_REPLY: the reader's cap */
	if (m->len)
		memcpy(m->pl, sm.payload, m->len);
	free(sm.payload);
	memcpy(m->fds, sm.fds, sizeof(int) * sm.nfds);
	m->nfds = sm.nfds;
	m->nfds_total = sm.ntotal;
	return 1;
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
				while ((br = read_msg(c, 1, bm)) == 1)
					serve_backend_msg(c, bm);
				free(bm);
				if (br < 0)
					vfe_set_backend(c, -1);
			}
		}
		int r = read_msg(c, 0, m);
		if (r == 1) {
			emit_msg(c, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, m->req, m->flags, m->size, m->pl, m->len,
				 m->fds, m->nfds, m->nfds_total);
			keep_expected_fds(m);
			return VFE_RX_MSG;
		}
		if (r == -2) {
			vfe_why(c, "back-end sent a message claiming %u payload bytes (garbage)",
				vu_rd32(c->rx[0].hdr + 8));
			c->garbage = true;
			emit_eof(c, VC_DIR_BE_TO_FE, vc_sock_rx_pending(&c->rx[0]));
			return VFE_RX_GARBAGE;
		}
		if (r == -3) {
			/* Ours, not the back-end's: the fd count is lost. */
			vfe_why(c, "the kernel cut the fds of a message from the back-end (out of fds?)");
			c->garbage = true;
			return VFE_RX_GARBAGE;
		}
		if (r == -1) {
			c->eof = true;
			vfe_why(c, "back-end closed the connection");
			emit_eof(c, VC_DIR_BE_TO_FE, vc_sock_rx_pending(&c->rx[0]));
			return VFE_RX_EOF;
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
