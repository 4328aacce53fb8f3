/* --fault actions (fake_profile.c parses the specs): what each kind does
 * to the connection, the request or the reply it is armed for. A kind is
 * looked up by vfu_fault_armed (its trigger: message number or request
 * occurrence) or vfu_fault_on (set for the connection at all). */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/vring.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

/* fds kept open by the leak-fds fault, at most (more are not leaked). */
#define LEAK_MAX 4096

const struct vfu_fault *vfu_fault_armed(struct vfu_conn *c, enum vfu_fault_kind k, uint32_t req)
{
	const struct vfu_config *cfg = &c->s->cfg;
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind != k || (f->conn && f->conn != c->ordinal))
			continue;
		if (f->at_msg && f->at_msg == c->fe_msgs)
			return f;
		if (f->at_req && f->at_req == req && req <= VU_REQ_MAX_FRONTEND && c->seen[req] == f->nth)
			return f;
	}
	return NULL;
}

bool vfu_fault_on(const struct vfu_conn *c, enum vfu_fault_kind k)
{
	const struct vfu_config *cfg = &c->s->cfg;
	bool on = false;
	for (unsigned i = 0; i < cfg->nfaults; i++)
		on |= cfg->faults[i].kind == k && (!cfg->faults[i].conn || cfg->faults[i].conn == c->ordinal);
	return on;
}

const struct vfu_fault *vfu_fault_untriggered(const struct vfu_conn *c, enum vfu_fault_kind k)
{
	const struct vfu_config *cfg = &c->s->cfg;
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind == k && !f->at_req && !f->at_msg && (!f->conn || f->conn == c->ordinal))
			return f;
	}
	return NULL;
}

void vfu_faults_conn(struct vfu_conn *c)
{
	const struct vfu_config *cfg = &c->s->cfg;
	/* Faults that shape what this connection is offered. */
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind != VFU_FAULT_DROP_FEATURES || (f->conn && f->conn != c->ordinal))
			continue;
		if (f->mask_proto)
			c->pf_offered &= ~f->mask;
		else
			c->feat_offered &= ~f->mask;
	}
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind == VFU_FAULT_LAX && (!f->conn || f->conn == c->ordinal))
			c->lax |= f->lax;
	}
}

/* reply-fds=N: extra fds on this reply (untriggered: on every reply). */
static unsigned reply_fds(struct vfu_conn *c, uint32_t req)
{
	const struct vfu_fault *f = vfu_fault_untriggered(c, VFU_FAULT_REPLY_FDS);
	if (!f)
		f = vfu_fault_armed(c, VFU_FAULT_REPLY_FDS, req);
	return f ? f->nfds : 0;
}

/* crash fault: the process dies by a signal, as a back-end with a memory
 * error would (a driver sees "killed by signal 11"). */
static void crash_now(struct vfu_conn *c, const char *what)
{
	vfu_conn_log(c, "fault: crash at %s (SIGSEGV)", what);
	fflush(NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	raise(SIGSEGV);
	abort();
}

/* leak-fds fault: a copy of every fd of the message stays open until the
 * server is freed (bug B20's back-ends). The originals go their usual way,
 * so the received/closed counters still balance. */
static void leak_fds(struct vfu_conn *c, const struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	if (!s->leaked)
		s->leaked = xcalloc(LEAK_MAX, sizeof *s->leaked);
	uint32_t n = 0;
	for (uint32_t i = 0; i < m->nkept && s->nleaked < LEAK_MAX; i++) {
		int d = m->fds[i] >= 0 ? fcntl(m->fds[i], F_DUPFD_CLOEXEC, 0) : -1;
		if (d >= 0) {
			s->leaked[s->nleaked++] = d;
			n++;
		}
	}
	vfu_conn_log(c, "fault: keeping %u fd(s) of message %" PRIu64 " open", n, c->fe_msgs);
}

/* hang fault: the connection is no longer read or answered; only its
 * close is watched (EPOLLRDHUP), so its resources go when the front-end
 * gives up. */
static void conn_hang(struct vfu_conn *c)
{
	c->hung = true;
	struct epoll_event e = { .events = EPOLLRDHUP, .data.ptr = &c->w_sock };
	if (epoll_ctl(c->s->ep, EPOLL_CTL_MOD, c->fd, &e) != 0)
		vfu_conn_close(c, true, false, 0);
}

bool vfu_faults_on_request(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	char nb[24];
	if (vfu_fault_armed(c, VFU_FAULT_DISCONNECT, m->req)) {
		vfu_conn_log(c, "fault: disconnect at message %" PRIu64 " (%s)", c->fe_msgs,
			     vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
		vfu_msg_free(s, m);
		vfu_conn_close(c, true, false, 0);
		return false;
	}
	if (vfu_fault_armed(c, VFU_FAULT_CRASH, m->req))
		crash_now(c, vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
	if (vfu_fault_armed(c, VFU_FAULT_LEAK_FDS, m->req))
		leak_fds(c, m);
	if (vfu_fault_armed(c, VFU_FAULT_HANG, m->req)) {
		vfu_conn_log(c, "fault: hang at message %" PRIu64 " (%s): no answer and no read from now on",
			     c->fe_msgs, vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
		vfu_msg_free(s, m);
		conn_hang(c);
		return false;
	}
	return true;
}

void vfu_faults_before_answer(struct vfu_conn *c, const struct vfu_msg *m, const struct vu_request_info *ri)
{
	const struct vfu_fault *f;
	if ((f = vfu_fault_armed(c, VFU_FAULT_DELAY_REPLY, m->req))) {
		vfu_conn_log(c, "fault: holding the reply to %s for %u ms", ri->name, f->ms);
		c->hold_next = true;
		c->hold_ms = f->ms;
	}
	if ((f = vfu_fault_armed(c, VFU_FAULT_BACKEND_REQ, m->req)))
		vfu_send_backend_req(c, f->be_req, true);
	if ((f = vfu_fault_armed(c, VFU_FAULT_BACKEND_BAD, m->req)))
		vfu_fault_backend_bad(c, f);
	vfu_fault_suspended_msg(c, &c->susp_msg_due);
	if ((f = vfu_fault_armed(c, VFU_FAULT_CLOSE_BACKEND, m->req)) && f->at_req) {
		vfu_conn_log(c, "fault: closing the back-end channel");
		vfu_close_backend(c);
	}
}

void vfu_faults_backend_set(struct vfu_conn *c)
{
	if (vfu_fault_untriggered(c, VFU_FAULT_CLOSE_BACKEND)) {
		vfu_conn_log(c, "fault: closing the back-end channel as soon as it is set");
		vfu_close_backend(c);
	}
}

bool vfu_faults_vring_base(struct vfu_conn *c, uint32_t idx, uint32_t *word)
{
	const struct vfu_ring *r = &c->rings[idx];
	if (!r->packed) {
		/* rust-vmm's vhost-user-backend once answered 0 for every ring. */
		if (vfu_fault_on(c, VFU_FAULT_VRING_BASE_ZERO)) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE answers 0");
			*word = 0;
			return true;
		}
		if (vfu_fault_on(c, VFU_FAULT_VRING_BASE_OTHER) && (idx ^ 1u) < VFU_MAX_RINGS) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE of ring %u answers ring %u's", idx, idx ^ 1u);
			*word = c->rings[idx ^ 1u].last_avail;
			return true;
		}
		return false;
	}
	if (vfu_fault_on(c, VFU_FAULT_PACKED_USED_ZERO)) {
		/* DPDK 22.11: the used half left 0/0. */
		vfu_conn_log(c, "fault: packed GET_VRING_BASE with the used half 0/0");
		struct vu_packed_base b = { r->last_avail, 0, r->avail_wrap, false };
		*word = vu_packed_base_enc(&b);
		return true;
	}
	return false;
}

unsigned vfu_faults_on_reply(struct vfu_conn *c, uint32_t req, uint32_t *rq, uint32_t *flags,
			     const uint8_t **payload, uint32_t *len, uint8_t *buf)
{
	if (vfu_fault_armed(c, VFU_FAULT_REPLY_FLAGS, req)) {
		vfu_conn_log(c, "fault: reply to %s without the REPLY flag", vu_request_name(VU_CHAN_MAIN, req, (char[24]){0}, 24));
		*flags = VU_VERSION;
	}
	if (vfu_fault_armed(c, VFU_FAULT_REPLY_REQUEST, req)) {
		/* Name a request that also has a reply, so the front-end cannot
		 * tell by the size alone. */
		*rq = req == VU_GET_FEATURES ? VU_GET_PROTOCOL_FEATURES : VU_GET_FEATURES;
		vfu_conn_log(c, "fault: reply to request %u names request %u", req, *rq);
	}
	unsigned extra_fds = reply_fds(c, req);
	if (extra_fds)
		vfu_conn_log(c, "fault: %u extra fd(s) on the reply to request %u", extra_fds, req);
	if (vfu_fault_armed(c, VFU_FAULT_REPLY_SIZE, req) && *len + 4 <= 64) {
		if (*payload != buf) {
			memset(buf, 0, 64);
			if (*len)
				memcpy(buf, *payload, *len);
		}
		*payload = buf;
		*len += 4;
		vfu_conn_log(c, "fault: reply to request %u is %u bytes", req, *len);
	}
	return extra_fds;
}

void vfu_send_backend_req(struct vfu_conn *c, uint32_t be_req, bool hold)
{
	if (c->be_fd < 0) {
		vfu_conn_log(c, "fault: no back-end channel to send %s on",
			     vu_request_name(VU_CHAN_BACKEND, be_req, (char[24]){0}, 24));
		return;
	}
	const struct vu_request_info *ri = vu_request(VU_CHAN_BACKEND, be_req);
	int sz = ri ? vu_payload_fixed_size((enum vu_payload)ri->req_payload) : 0;
	uint8_t pl[64] = { 0 };
	if (sz < 0 || sz > (int)sizeof pl)
		sz = 0;
	bool need = vfu_pf_negotiated(c, VU_PF_REPLY_ACK);
	uint32_t flags = VU_VERSION | (need ? VU_FLAG_NEED_REPLY : 0);
	vfu_conn_log(c, "fault: back-end request %s%s",
		     vu_request_name(VU_CHAN_BACKEND, be_req, (char[24]){0}, 24),
		     need ? " with NEED_REPLY" : "");
	if (vfu_send_msg(c, VU_CHAN_BACKEND, be_req, flags, pl, (uint32_t)sz, -1, 0) != 0) {
		vfu_conn_log(c, "back-end channel write failed; closing it");
		vfu_close_backend(c);
		return;
	}
	if (need) {
		c->be_owed++;
		c->be_owed_req = be_req;
		/* Without a stall time nothing would ever release the hold. */
		if (hold && c->s->cfg.stall_ms > 0) {
			/* The reply to the request in progress waits for the ack:
			 * a front-end that does not serve the channel while it
			 * waits deadlocks here (reported after the stall time). */
			c->hold_next = true;
			c->hold_ms = 0;
		}
	}
}
