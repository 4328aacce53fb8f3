/* Device state transfer (protocol feature DEVICE_STATE, offered only with
 * `--protocol-features +DEVICE_STATE`): vhost-user.rst, "Migrating
 * back-end state", VHOST_USER_SET_DEVICE_STATE_FD and
 * VHOST_USER_CHECK_DEVICE_STATE. The state is a small blob of the device
 * model (device, rings' positions, status, features): a save writes it
 * whole into the channel and closes the fake's end before the reply; a
 * load keeps the read end (non-blocking) and reads it to end of file when
 * CHECK_DEVICE_STATE comes, which the front-end sends once it closed its
 * end. CHECK answers 0 only when the state went through whole.
 * Nothing here blocks the event loop: the blob is far below a pipe's
 * buffer, and both ends are non-blocking. */
#include "fakes/vhost-user/fake_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DS_MAGIC "VCTSDS01"

static enum vfu_verdict answer(struct vfu_reply *r, uint64_t v)
{
	vu_wr64(r->buf, v);
	r->pl = r->buf;
	r->len = 8;
	return VFU_REPLY;
}

void vfu_devstate_close(struct vfu_devstate *d)
{
	if (d->open)
		close(d->fd);
	d->open = false;
	d->fd = -1;
}

/* "When and as long as all of a device's vrings are stopped, it is
 * suspended" (GET_VRING_BASE); the only phase defined is that one. */
static bool suspended(struct vfu_conn *c)
{
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		if (vfu_conn_ring(c, i)->started)
			return false;
	return true;
}

static uint32_t state_rings(const struct vfu_conn *c)
{
	uint32_t n = vfu_conn_profile(c)->rings;
	return n < VFU_MAX_RINGS ? n : VFU_MAX_RINGS;
}

/* The device model's state: magic, device, ring count, status, acked
 * features, then each ring's avail and used positions. */
static uint32_t state_blob(struct vfu_conn *c, uint8_t *out)
{
	uint32_t n = state_rings(c);
	memcpy(out, DS_MAGIC, 8);
	vu_wr32(out + 8, (uint32_t)vfu_conn_profile(c)->device);
	vu_wr32(out + 12, n);
	vu_wr64(out + 16, c->status);
	vu_wr64(out + 24, c->feat_acked);
	for (uint32_t i = 0; i < n; i++) {
		const struct vfu_ring *rg = vfu_conn_ring(c, i);
		uint8_t *p = out + VFU_DS_HDR + 4 * i;
		p[0] = (uint8_t)rg->last_avail;
		p[1] = (uint8_t)(rg->last_avail >> 8);
		p[2] = (uint8_t)rg->used_idx;
		p[3] = (uint8_t)(rg->used_idx >> 8);
	}
	return VFU_DS_HDR + 4 * n;
}

/* Can fd be read (POLLIN) or written (POLLOUT) now? The channel's
 * file description is shared with the front-end, so it is never switched
 * to O_NONBLOCK: each read or write waits for this instead. A hang-up
 * counts as ready (the read sees end of file, the write EPIPE). */
static bool ready(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;
	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	return r > 0 && !(p.revents & POLLNVAL);
}

/* All of p into a pipe, or false. A reader gone raises SIGPIPE: blocked
 * here and taken back before it is unblocked, so the fake never dies of a
 * front-end that closed its end (EPIPE is the answer). */
static bool write_all(int fd, const uint8_t *p, size_t n)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	size_t off = 0;
	while (off < n && ready(fd, POLLOUT)) {
		/* Ready for writing: PIPE_BUF bytes go without blocking. */
		size_t chunk = n - off < PIPE_BUF ? n - off : PIPE_BUF;
		ssize_t w = write(fd, p + off, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	const struct timespec zero = { 0, 0 };
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return off == n;
}

/* The load's channel to end of file: false when it is not there yet (the
 * writer still holds its end) or the state is longer than any the fake
 * writes. */
static bool read_to_eof(struct vfu_devstate *d)
{
	while (d->open && ready(d->fd, POLLIN)) {
		ssize_t n = read(d->fd, d->buf + d->len, sizeof d->buf - d->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return true;
		if (n < 0)
			return false;
		d->len += (uint32_t)n;
		if (d->len >= sizeof d->buf)
			return false;
	}
	return false;
}

/* A state this device saved, for this device: taken (the rings' positions
 * are the ones SET_VRING_BASE will set again). NULL or the reason. */
static const char *load_state(struct vfu_conn *c, const struct vfu_devstate *d)
{
	if (d->len < VFU_DS_HDR || memcmp(d->buf, DS_MAGIC, 8) != 0)
		return "not a state the fake wrote (magic)";
	if (vu_rd32(d->buf + 8) != (uint32_t)vfu_conn_profile(c)->device || vu_rd32(d->buf + 12) != state_rings(c))
		return "a state of another device or ring count";
	if (d->len != VFU_DS_HDR + 4 * state_rings(c))
		return "cut short or too long";
	for (uint32_t i = 0; i < state_rings(c); i++) {
		struct vfu_ring *rg = vfu_conn_ring(c, i);
		const uint8_t *p = d->buf + VFU_DS_HDR + 4 * i;
		rg->last_avail = (uint16_t)(p[0] | p[1] << 8);
		rg->used_idx = (uint16_t)(p[2] | p[3] << 8);
	}
	c->status = vu_rd64(d->buf + 16);
	return NULL;
}

enum vfu_verdict vfu_devstate_set_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	struct vfu_devstate *d = &vfu_conn_feat(c)->ds;
	struct vu_devstate_pl p = { 0, 0 };
	int fd = vfu_msg_take_fd(m, 0);
	/* A new transfer ends one not checked. */
	vfu_devstate_close(d);
	d->begun = d->done = false;
	d->len = 0;
	if (vfu_fault_on(c, VFU_FAULT_STATE_ERROR_WITH_FD) && fd >= 0) {
		vfu_conn_log(c, "fault: SET_DEVICE_STATE_FD answers an error with an fd");
		r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		close(fd);
		return answer(r, 1);
	}
	const char *why = NULL;
	if (!vu_dec_devstate(m->payload, m->len, &p) || p.direction > VU_DEVSTATE_LOAD ||
	    p.phase != VU_DEVSTATE_PHASE_STOPPED)
		why = "direction or phase not defined";
	else if (fd < 0)
		why = "no channel fd";
	else if (!suspended(c))
		why = "a ring is started: the only phase is the suspended device's";
	int own = -1;
	if (!why && c->s->cfg.device_state_own_fd) {
		/* The fake's own channel: the front-end's is dropped. */
		int pp[2];
		if (pipe2(pp, O_CLOEXEC) != 0) {
			why = "no pipe for its own channel";
		} else {
			close(fd);
			fd = p.direction == VU_DEVSTATE_SAVE ? pp[1] : pp[0];
			own = p.direction == VU_DEVSTATE_SAVE ? pp[0] : pp[1];
		}
	}
	if (why) {
		vfu_conn_log(c, "SET_DEVICE_STATE_FD refused: %s", why);
		if (fd >= 0)
			close(fd);
		/* Bits 0-7 the error, bit 8: no fd comes back. */
		return answer(r, 1 | VU_VRING_NOFD);
	}
	d->begun = true;
	d->dir = p.direction;
	if (p.direction == VU_DEVSTATE_SAVE) {
		uint8_t blob[VFU_DS_MAX];
		uint32_t n = state_blob(c, blob);
		d->done = write_all(fd, blob, n);
		close(fd);
		vfu_conn_log(c, "SET_DEVICE_STATE_FD save: %u bytes %s", n,
			     d->done ? "written" : "not all written (no reader)");
	} else {
		d->fd = fd;
		d->open = true;
	}
	/* vfu_reply() closes the end it passes. */
	r->fd = own;
	return answer(r, own >= 0 ? 0 : VU_VRING_NOFD);
}

enum vfu_verdict vfu_devstate_check(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	struct vfu_devstate *d = &vfu_conn_feat(c)->ds;
	const char *why = NULL;
	if (!d->begun)
		why = "no transfer began";
	else if (d->dir == VU_DEVSTATE_LOAD && !d->done) {
		if (!read_to_eof(d))
			why = "the state was not read to end of file";
		else if ((why = load_state(c, d)) == NULL)
			d->done = true;
	} else if (!d->done)
		why = "the state was not all written";
	vfu_devstate_close(d);
	d->begun = false;
	if (why && vfu_fault_on(c, VFU_FAULT_STATE_CHECK_OK)) {
		vfu_conn_log(c, "fault: CHECK_DEVICE_STATE answers 0 though %s", why);
		why = NULL;
	}
	if (why)
		vfu_conn_log(c, "CHECK_DEVICE_STATE: %s", why);
	return answer(r, why ? 1 : 0);
}
