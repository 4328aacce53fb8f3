/* Device state transfer (VU-RVAL-02, VU-BE-25): vhost-user.rst,
 * "Migrating back-end state", SET_DEVICE_STATE_FD, CHECK_DEVICE_STATE.
 * With DEVICE_STATE negotiated and the device suspended (its rings
 * started, then every one stopped with GET_VRING_BASE):
 *  1. save: SET_DEVICE_STATE_FD (save, phase 0) with a pipe's write end;
 *     the state read to end of file from the read end, or from the
 *     back-end's own fd when it returns one (the front-end then drops its
 *     channel); CHECK_DEVICE_STATE must say 0;
 *  2. a save whose channel has no reader (its read end closed before the
 *     request): when the state of step 1 was not empty it cannot go
 *     through, so CHECK_DEVICE_STATE must not say 0 (VU-BE-25; n/a for an
 *     empty state or the back-end's own channel, which may have taken it
 *     whole before the reader was gone);
 *  3. load into a fresh connection of the same back-end (suspended: no
 *     ring started): SET_DEVICE_STATE_FD (load) and the state of step 1
 *     written and closed; CHECK_DEVICE_STATE must say 0.
 * The reply's bits (error, invalid-FD flag, fd) are VU-RVAL-02's, judged
 * on the stream. n/a when DEVICE_STATE is not offered. */
#include "fakes/frontend/fe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest state read back: the transfer is bounded like every input. */
#define STATE_MAX ((size_t)1 << 20)

/* SET_DEVICE_STATE_FD with fd (not consumed). The reply's u64 in *v and
 * the back-end's own fd in *own (-1 none). 0, or -1 (why set). */
static int set_state_fd(struct vfe_conn *c, uint32_t dir, int fd, uint64_t *v, int *own)
{
	uint8_t pl[8];
	struct vu_devstate_pl p = { dir, VU_DEVSTATE_PHASE_STOPPED };
	*own = -1;
	if (vu_enc_devstate(pl, sizeof pl, &p) != sizeof pl)
		return -1;
	if (vfe_send(c, VU_SET_DEVICE_STATE_FD, 0, pl, sizeof pl, &fd, 1))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int got = vfe_recv(c, m, VU_SET_DEVICE_STATE_FD);
	int rc = -1;
	if (got == VFE_RX_MSG && m->len == 8) {
		*v = vu_rd64(m->pl);
		if (m->nfds && !(*v & 0xff) && !(*v & VU_VRING_NOFD)) {
			*own = m->fds[0];
			m->fds[0] = -1;
		}
		rc = 0;
	} else if (got == VFE_RX_MSG) {
		vfe_why(c, "SET_DEVICE_STATE_FD reply of %u bytes", m->len);
	}
	vfe_msg_close_fds(m);
	free(m);
	return rc;
}

/* Waits for fd to be ready for ev; false on timeout. */
static bool ready(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int n;
	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* Reads fd to end of file into a growing buffer (bounded); -1 on a
 * timeout, an error or more than STATE_MAX. */
static ssize_t read_all(struct vfe_conn *c, int fd, uint8_t **out)
{
	size_t cap = 4096, len = 0;
	uint8_t *b = malloc(cap);
	if (!b)
		return -1;
	for (;;) {
		if (!ready(fd, POLLIN, c->timeout_ms)) {
			vfe_why(c, "the saved state did not end within %d ms (%zu bytes read)", c->timeout_ms, len);
			break;
		}
		if (len == cap) {
			if (cap >= STATE_MAX) {
				vfe_why(c, "the saved state is over %zu bytes", STATE_MAX);
				break;
			}
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, b + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			*out = b;
			return (ssize_t)len;
		}
		len += (size_t)n;
	}
	free(b);
	return -1;
}

/* Writes all of p to fd (non-blocking, each wait bounded); false if not. */
static bool write_all(struct vfe_conn *c, int fd, const uint8_t *p, size_t n)
{
	size_t off = 0;
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	while (off < n) {
		if (!ready(fd, POLLOUT, c->timeout_ms))
			return false;
		ssize_t w = write(fd, p + off, n - off);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

static int close_both(int *pp)
{
	if (pp[0] >= 0)
		close(pp[0]);
	if (pp[1] >= 0)
		close(pp[1]);
	pp[0] = pp[1] = -1;
	return -1;
}

/* Negotiation with DEVICE_STATE, rings started and stopped (start: the
 * source's) or none started (the destination's). 0, -1, -2 n/a. */
static int suspended_device(struct vfe_conn *c, bool start)
{
	enum vfe_device d = vfe_run_device(c->run);
	uint32_t n = vfe_device_rings(d);
	if (n > VFE_MAX_RINGS)
		n = VFE_MAX_RINGS;
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf() | VU_BIT(VU_PF_DEVICE_STATE)))
		return -1;
	if (!vfe_pf(c, VU_PF_DEVICE_STATE)) {
		vfe_why(c, "DEVICE_STATE not offered");
		return -2;
	}
	if (start && (vfe_start(c, VFE_QEMU, n) || vfe_stop(c, VFE_QEMU, n)))
		return -1;
	return 0;
}

/* One save into a new pipe; reader_gone closes its read end first. The
 * state read in *st (when read), the reply in *v, the CHECK answer in
 * *chk. 0, -1 failed, 1 the state not read (why), 2 the back-end gave its
 * own channel (reader_gone: n/a), 3 SET_DEVICE_STATE_FD refused (why). */
static int save(struct vfe_conn *c, bool reader_gone, uint8_t **st, ssize_t *stlen, uint64_t *chk)
{
	int pp[2];
	uint64_t v = 0;
	int own = -1, ret = 0;
	if (pipe2(pp, O_CLOEXEC))
		return -1;
	if (reader_gone) {
		close(pp[0]);
		pp[0] = -1;
	}
	if (set_state_fd(c, VU_DEVSTATE_SAVE, pp[1], &v, &own))
		return close_both(pp);
	/* The back-end has its copy: ours is closed so that end of file comes. */
	close(pp[1]);
	pp[1] = -1;
	if (v & 0xff) {
		vfe_why(c, "SET_DEVICE_STATE_FD (save) answered 0x%llx, an error", (unsigned long long)v);
		if (own >= 0)
			close(own);
		close_both(pp);
		return 3;
	}
	if (own >= 0) {
		/* "the front-end must then discard its channel and use the one
		 * provided by the back-end" */
		close_both(pp);
		pp[0] = own;
		if (reader_gone)
			ret = 2;
	}
	if (!reader_gone || own >= 0) {
		*stlen = read_all(c, pp[0], st);
		if (*stlen < 0)
			ret = 1;
	}
	close_both(pp);
	if (vfe_get_u64(c, VU_CHECK_DEVICE_STATE, chk))
		return -1;
	return ret;
}

int vfe_sc_device_state(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int rc = suspended_device(c, true);
	if (rc)
		return rc;
	uint8_t *st = NULL, *gone = NULL;
	ssize_t stlen = -1, gonelen = -1;
	uint64_t chk = UINT64_MAX;
	int ret = 0;
	rc = save(c, false, &st, &stlen, &chk);
	if (rc < 0)
		return -1;
	if (rc == 1 || rc == 3)
		return 1;
	if (chk) {
		vfe_why(c, "CHECK_DEVICE_STATE after a save of %zd bytes read to end of file answered %llu",
			stlen, (unsigned long long)chk);
		free(st);
		return 1;
	}
	/* 2. No reader: a non-empty state cannot have gone through. */
	if (stlen > 0) {
		rc = save(c, true, &gone, &gonelen, &chk);
		free(gone);
		if (rc < 0) {
			free(st);
			return -1;
		}
		if (rc == 3)
			c->why[0] = '\0'; /* refusing a channel with no reader is an answer too */
		if (rc == 1)
			ret = 1;
		if (rc == 0) {
			if (chk == 0)
				vfe_why(c, "CHECK_DEVICE_STATE answered 0 after a save into a channel with no reader (the state is %zd bytes)",
					stlen);
			vfe_run_verdict(c->run, VC_R_VU_BE_25, chk != 0, "%s", c->why);
			if (chk == 0)
				ret = 1;
		}
	}
	/* 3. Load into a fresh connection (the destination). */
	char why[sizeof c->why];
	snprintf(why, sizeof why, "%s", c->why);
	if (vfe_run_reconnect(c->run, c)) {
		free(st);
		return -1;
	}
	snprintf(c->why, sizeof c->why, "%s", why);
	rc = suspended_device(c, false);
	if (rc) {
		free(st);
		return rc == -2 ? -1 : rc;
	}
	int pp[2];
	uint64_t v = 0;
	int own = -1;
	if (pipe2(pp, O_CLOEXEC)) {
		free(st);
		return -1;
	}
	if (set_state_fd(c, VU_DEVSTATE_LOAD, pp[0], &v, &own)) {
		free(st);
		return close_both(pp);
	}
	close(pp[0]);
	pp[0] = -1;
	if (v & 0xff) {
		vfe_why(c, "SET_DEVICE_STATE_FD (load) answered 0x%llx, an error", (unsigned long long)v);
		free(st);
		if (own >= 0)
			close(own);
		close_both(pp);
		return 1;
	}
	if (own >= 0) {
		close(pp[1]);
		pp[1] = own;
	}
	bool wrote = write_all(c, pp[1], st, (size_t)stlen);
	close_both(pp);
	free(st);
	if (!wrote) {
		vfe_why(c, "the state (%zd bytes) could not be written for the load", stlen);
		return 1;
	}
	if (vfe_get_u64(c, VU_CHECK_DEVICE_STATE, &chk))
		return -1;
	if (chk) {
		vfe_why(c, "CHECK_DEVICE_STATE after loading the state it saved (%zd bytes) answered %llu", stlen,
			(unsigned long long)chk);
		return 1;
	}
	return ret;
}
