/* One front-end request: judged by the engine as it arrives, checked
 * against the wire table, refused or handed to its handler, and answered:
 * the reply it is owed, the ack it asked for, or a close. Replies may be
 * held back (delay and backend-req faults) while later requests queue. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/vring.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void process(struct vfu_conn *c, struct vfu_msg *m);

/* A reply on the main channel, with the reply faults applied. */
void vfu_reply(struct vfu_conn *c, uint32_t req, const uint8_t *payload, uint32_t len, int pass_fd)
{
	uint32_t flags = VU_VERSION | VU_FLAG_REPLY;
	uint32_t rq = req;
	uint8_t padded[VU_HDR_SIZE + 64];
	if (vfu_fuzz_hit(c->s) && len <= 64) {
		memset(padded, 0, sizeof padded);
		if (len)
			memcpy(padded, payload, len);
		payload = padded;
		vfu_fuzz_reply(c, &rq, &flags, padded, &len);
	}
	unsigned extra_fds = vfu_faults_on_reply(c, req, &rq, &flags, &payload, &len, padded);
	if (c->hold_next) {
		/* Delay fault / backend-req fault: keep the bytes until released. */
		c->hold_next = false;
		c->holding = true;
		c->held_len = VU_HDR_SIZE + len;
		c->held_buf = xmalloc(c->held_len);
		vu_wr32(c->held_buf, rq);
		vu_wr32(c->held_buf + 4, flags);
		vu_wr32(c->held_buf + 8, len);
		if (len)
			memcpy(c->held_buf + VU_HDR_SIZE, payload, len);
		c->held_fd = pass_fd;
		c->held_extra_fds = extra_fds;
		if (c->hold_ms && vfu_ensure_timer(c, &c->delay_tfd, &c->w_delay, VFU_W_DELAY) == 0)
			vfu_arm_timer(c->delay_tfd, c->hold_ms);
		return;
	}
	if (vfu_send_msg(c, VU_CHAN_MAIN, rq, flags, payload, len, pass_fd, extra_fds) != 0)
		vfu_conn_close(c, true, false, 0);
	if (pass_fd >= 0)
		close(pass_fd);
}

void vfu_release_held(struct vfu_conn *c)
{
	if (!c->holding)
		return;
	c->holding = false;
	uint8_t *b = c->held_buf;
	c->held_buf = NULL;
	int fd = c->held_fd;
	c->held_fd = -1;
	if (!c->dead && vfu_send_msg(c, VU_CHAN_MAIN, vu_rd32(b), vu_rd32(b + 4), b + VU_HDR_SIZE,
				 vu_rd32(b + 8), fd, c->held_extra_fds) != 0)
		vfu_conn_close(c, true, false, 0);
	if (fd >= 0)
		close(fd);
	free(b);
	vfu_drain_queue(c);
}

void vfu_reply_u64(struct vfu_conn *c, uint32_t req, uint64_t v)
{
	uint8_t p[8];
	vu_wr64(p, v);
	vfu_reply(c, req, p, sizeof p, -1);
}

/* Does the request's size and fd count fit its type (the wire table)?
 * 0 when it does; otherwise the refusal class (VFU_RF_OVERSIZE,
 * VFU_RF_EXTRA_FDS, VFU_RF_MISSING_FD) of the first misfit a lax fault
 * does not excuse, or VFU_RF_COUNT for what cannot be read at all (a
 * payload shorter than its layout, or one over the parser's cap).
 * Malformed requests are refused by closing the connection, which the
 * rules accept. */
static unsigned malformed(struct vfu_conn *c, const struct vfu_msg *m, const struct vu_request_info *ri)
{
	if (m->truncated)
		return VFU_RF_COUNT;
	uint32_t bad = 0;
	if (ri->req_payload != VU_PL_VARIABLE) {
		int64_t want = vu_payload_expected_size((enum vu_payload)ri->req_payload, m->payload, m->len);
		if (want < 0 || (int64_t)m->size < want)
			return VFU_RF_COUNT;
		if ((int64_t)m->size > want)
			bad |= VFU_RF_BIT(VFU_RF_OVERSIZE);
	}
	uint64_t u = 0;
	uint32_t n = 0, pad = 0, lo = 0, hi = 0;
	switch (ri->req_fds) {
	case VU_FDS_NONE:
		break;
	case VU_FDS_ONE:
		lo = hi = 1;
		break;
	case VU_FDS_OPTIONAL:
		hi = 1;
		break;
	case VU_FDS_PER_REGION:
		if (!vu_dec_memtable_hdr(m->payload, m->len, &n, &pad))
			return VFU_RF_COUNT;
		lo = hi = n;
		break;
	case VU_FDS_VRING:
		if (!vu_dec_u64(m->payload, m->len, &u))
			return VFU_RF_COUNT;
		lo = hi = (u & VU_VRING_NOFD) ? 0u : 1u;
		break;
	case VU_FDS_LOG:
		lo = hi = vfu_pf_negotiated(c, VU_PF_LOG_SHMFD) ? 1u : 0u;
		break;
	default:
		lo = 0;
		hi = UINT32_MAX;
		break;
	}
	if (m->ntotal > hi)
		bad |= VFU_RF_BIT(VFU_RF_EXTRA_FDS);
	if (m->ntotal < lo)
		bad |= VFU_RF_BIT(VFU_RF_MISSING_FD);
	bad &= ~c->lax;
	for (unsigned k = 0; k < VFU_RF_COUNT; k++)
		if (bad & VFU_RF_BIT(k))
			return k;
	return 0;
}

/* Refusal classes of a mask, for the log ("ring-num,ring-addr"). */
static const char *refusal_names(uint32_t mask, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < VFU_RF_COUNT && o < len; k++)
		if (mask & VFU_RF_BIT(k))
			o += (size_t)snprintf(buf + o, len - o, "%s%s (%s)", o ? ", " : "", vfu_refusal_name(k),
					      vfu_refusal_rule(k));
	return buf;
}

static void ring_set_fd(struct vfu_conn *c, struct vfu_msg *m, uint32_t req)
{
	uint64_t u;
	if (!vu_dec_u64(m->payload, m->len, &u))
		return;
	struct vfu_ring *r = &c->rings[u & VU_VRING_IDX_MASK];
	int fd = (u & VU_VRING_NOFD) ? -1 : vfu_msg_take_fd(m, 0);
	/* Only eventfds are signalled or watched: a pipe or a file in their
	 * place could block a write or never stop being readable. */
	bool is_eventfd = fd >= 0 && m->info[0].kind == VC_FD_EVENTFD;
	if (fd >= 0 && !is_eventfd) {
		vfu_conn_log(c, "%s ring %u: fd is %s, not an eventfd; ignored",
			     vu_request_name(VU_CHAN_MAIN, req, (char[24]){0}, 24),
			     (unsigned)(u & VU_VRING_IDX_MASK), vc_fd_kind_name((enum vc_fd_kind)m->info[0].kind));
		vfu_close_fd(c->s, &fd);
	}
	if (req == VU_SET_VRING_KICK) {
		if (r->kick_watched)
			vfu_watch_del(c->s, r->kick_fd);
		r->kick_watched = false;
		vfu_close_fd(c->s, &r->kick_fd);
		r->kick_fd = fd;
		if (fd >= 0 && vfu_watch_add(c->s, fd, &r->kw) == 0)
			r->kick_watched = true;
		/* The ring is started now: what is already available is
		 * processed without a kick (Ring states). */
		if (vfu_fault_on(c, VFU_FAULT_START_ON_KICK))
			vfu_conn_log(c, "fault: ring %u waits for a kick", (unsigned)(u & VU_VRING_IDX_MASK));
		else
			vfu_ring_process(c, u & VU_VRING_IDX_MASK);
	} else if (req == VU_SET_VRING_CALL) {
		vfu_close_fd(c->s, &r->call_fd);
		r->call_fd = fd;
	} else {
		vfu_close_fd(c->s, &r->err_fd);
		r->err_fd = fd;
	}
}

static void reset_rings(struct vfu_conn *c)
{
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++) {
		struct vfu_ring *r = &c->rings[i];
		vfu_ring_reset_fds(c, r);
		r->num_set = r->addr_set = r->enabled = r->broken = false;
		r->last_avail = r->used_idx = 0;
		r->packed = false;
		r->avail_wrap = r->used_wrap = true;
	}
}

static uint32_t ring_base(struct vfu_conn *c, uint32_t idx)
{
	const struct vfu_ring *r = &c->rings[idx];
	if (!r->packed) {
		/* rust-vmm's vhost-user-backend once answered 0 for every ring. */
		if (vfu_fault_on(c, VFU_FAULT_VRING_BASE_ZERO)) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE answers 0");
			return 0;
		}
		if (vfu_fault_on(c, VFU_FAULT_VRING_BASE_OTHER) && (idx ^ 1u) < VFU_MAX_RINGS) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE of ring %u answers ring %u's", idx, idx ^ 1u);
			return c->rings[idx ^ 1u].last_avail;
		}
		return r->last_avail;
	}
	struct vu_packed_base b = { r->last_avail, r->used_idx, r->avail_wrap, r->used_wrap };
	if (vfu_fault_on(c, VFU_FAULT_PACKED_USED_ZERO)) {
		vfu_conn_log(c, "fault: packed GET_VRING_BASE with the used half 0/0");
		b.used = 0;
		b.used_wrap = false;
	}
	return vu_packed_base_enc(&b);
}

/* The inflight area per queue (libvhost-user's split layout: a 16-byte
 * state per descriptor plus a header, 64-byte aligned). Not a wire fact:
 * the front-end only maps and hands back what we size here. */
static uint64_t inflight_queue_bytes(uint16_t queue_size)
{
	uint64_t b = 16ull * ((uint64_t)queue_size + 1);
	return (b + 63) & ~63ull;
}

static void get_inflight(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vu_inflight_pl in;
	int sz = vu_payload_fixed_size(VU_PL_INFLIGHT);
	uint8_t out[64] = { 0 };
	if (sz < 0 || sz > (int)sizeof out || !vu_dec_inflight(m->payload, m->len, &in))
		return;
	int fd = -1;
	uint64_t size = 0;
	if (in.num_queues >= 1 && in.num_queues <= VFU_MAX_RINGS && in.queue_size >= 1 &&
	    in.queue_size <= VU_SPLIT_RING_MAX) {
		size = inflight_queue_bytes(in.queue_size) * in.num_queues;
		fd = memfd_create("vhost-cts-inflight", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		size = 0;
	vu_wr64(out, size);
	vu_wr64(out + 8, 0);
	memcpy(out + 16, &in.num_queues, 2);
	memcpy(out + 18, &in.queue_size, 2);
	/* vfu_reply() closes the memfd once it is sent. */
	vfu_reply(c, VU_GET_INFLIGHT_FD, out, (uint32_t)sz, fd);
}

static void get_config(struct vfu_conn *c, struct vfu_msg *m)
{
	/* well_formed() bounded the size field by the payload. */
	uint32_t cap = VU_CONFIG_HDR + m->len;
	uint8_t *out = xcalloc(1, cap);
	/* vhost-user.rst, GET_CONFIG: a payload of zero length is the error. */
	uint32_t len = vfu_feat_get_config(&c->feat, m->payload, m->len, out, cap);
	vfu_reply(c, VU_GET_CONFIG, out, len, -1);
	free(out);
}

/* A request the fake does not carry out, with the reason logged: the
 * caller answers it as failed. */
static int not_done(struct vfu_conn *c, const struct vu_request_info *ri, const char *why)
{
	vfu_conn_log(c, "%s not carried out: %s", ri->name, why);
	return 1;
}

static int mem_table(struct vfu_conn *c, struct vfu_msg *m)
{
	uint32_t n, pad;
	if (!vu_dec_memtable_hdr(m->payload, m->len, &n, &pad))
		return -1;
	vfu_regions_clear(c);
	int rc = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region_pl r;
		if (!vu_dec_memtable_region(m->payload, m->len, i, &r)) {
			rc = -1;
			break;
		}
		if (i >= m->nkept) {
			/* lax=missing-fd: a region without its fd is skipped. */
			if (!vfu_conn_lax(c, VFU_RF_MISSING_FD))
				rc = -1;
			continue;
		}
		if (vfu_region_add(c, &r, m->fds[i], m->info[i].size) != 0)
			rc = -1;
	}
	return rc;
}

void vfu_handle_backend_msg(struct vfu_conn *c, struct vfu_msg *m)
{
	c->s->st.messages_in++;
	vfu_emit_msg(c, VC_DIR_FE_TO_BE, m);
	if ((m->flags & VU_FLAG_REPLY) && c->be_owed) {
		c->be_owed--;
		if (!c->be_owed && c->holding && !c->hold_ms)
			vfu_release_held(c);
	}
	vfu_msg_free(c->s, m);
	vfu_update_stall(c);
}

/* One front-end request, as it arrives. */
void vfu_handle_request(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	s->st.messages_in++;
	c->fe_msgs++;
	if (m->req <= VU_REQ_MAX_FRONTEND)
		c->seen[m->req]++;
	c->last_req = m->req;
	c->last_flags = m->flags;
	/* Kicks rung before this request was sent come first, as they did on
	 * the wire (epoll may report the socket first): the rules count kicks
	 * against the ring state the request then changes (VU-RING-10). */
	vfu_drain_kicks(c);
	/* The engine judges the request; the refusal rules it broke (also
	 * rules the report leaves out or waives) say whether it is refused
	 * (process()). */
	struct vc_rule_set broken;
	vfu_emit_msg_judged(c, VC_DIR_FE_TO_BE, m, &broken);
	m->refuse = vfu_refusal_classes(s, &broken);
	if (!vfu_faults_on_request(c, m))
		return;
	if (c->holding) {
		/* Wire order is kept in the event stream; the answer waits. */
		if (c->nqueue == HELD_MAX) {
			vfu_conn_log(c, "front-end sent %u requests while a reply is held; closing", HELD_MAX);
			vfu_msg_free(s, m);
			vfu_conn_close(c, true, false, 0);
			return;
		}
		struct vfu_msg *q = xmalloc(sizeof *q);
		*q = *m;
		memset(m, 0, sizeof *m);
		c->queue[c->nqueue++] = q;
		return;
	}
	process(c, m);
	vfu_msg_free(s, m);
	vfu_update_stall(c);
}

void vfu_drain_queue(struct vfu_conn *c)
{
	while (!c->dead && !c->holding && c->nqueue) {
		struct vfu_msg *q = c->queue[0];
		memmove(&c->queue[0], &c->queue[1], (c->nqueue - 1) * sizeof c->queue[0]);
		c->nqueue--;
		process(c, q);
		vfu_msg_free(c->s, q);
		free(q);
	}
	vfu_update_stall(c);
}

static void process(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, m->req);
	char why[512];
	if (!ri) {
		/* Unknown: no reply can be owed by the wire model. Refuse it. */
		if (vfu_conn_lax(c, VFU_RF_UNKNOWN_REQUEST)) {
			vfu_conn_log(c, "lax: unknown request %u ignored", m->req);
			return;
		}
		vfu_conn_log(c, "unknown request %u; closing", m->req);
		s->st.refused++;
		vfu_conn_close(c, true, false, 0);
		return;
	}
	unsigned bad = malformed(c, m, ri);
	if (bad) {
		vfu_conn_log(c, "malformed %s (size %u, %u fds%s%s); closing", ri->name, m->size, m->ntotal,
			     bad < VFU_RF_COUNT ? ": " : "", bad < VFU_RF_COUNT ? vfu_refusal_name(bad) : "");
		s->st.refused++;
		vfu_conn_close(c, true, false, 0);
		return;
	}
	/* What the rule engine found wrong with it (and a lax fault did not
	 * excuse): header-level misfits close the connection, the rest are
	 * refused below. */
	uint32_t refuse = m->refuse & ~c->lax;
	const uint32_t hdr_classes = VFU_RF_BIT(VFU_RF_VERSION) | VFU_RF_BIT(VFU_RF_REPLY_BIT);
	if (refuse & hdr_classes) {
		vfu_conn_log(c, "refusing %s: %s; closing", ri->name, refusal_names(refuse, why, sizeof why));
		s->st.refused++;
		vfu_conn_close(c, true, false, 0);
		return;
	}
	vfu_faults_before_answer(c, m, ri);
	vfu_fuzz_backend(c);
	const struct vfu_profile *p = &s->cfg.profile;
	bool value = ri->reply == VU_REPLY_ALWAYS ||
		     (ri->reply == VU_REPLY_IF_LOG_SHMFD && vfu_pf_negotiated(c, VU_PF_LOG_SHMFD));
	bool ack = (m->flags & VU_FLAG_NEED_REPLY) && !value && vfu_pf_negotiated(c, VU_PF_REPLY_ACK);
	uint64_t u = 0;
	int status = 0;
	struct vu_state_pl sp;
	struct vu_addr_pl ap;
	struct vu_region_pl rp;
	uint64_t pad;
	bool lax_index = vfu_conn_lax(c, VFU_RF_RING_INDEX);
	if (refuse) {
		/* Not carried out. An error where the front-end can read one: the
		 * ack it asked for, or a u64 reply of the request's own
		 * (SET_LOG_BASE); otherwise the connection is closed. */
		s->st.refused++;
		if (refuse & (VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
			      VFU_RF_BIT(VFU_RF_OVERLAP)))
			s->st.bad_regions++;
		status = 1;
		/* A value request whose feature is not negotiated is closed:
		 * its reply has no error value (GET_STATUS 1 is a status). */
		bool u64_reply = value && !(refuse & VFU_RF_BIT(VFU_RF_UNGATED)) &&
				 (ri->reply_payload == VU_PL_U64 || ri->reply_payload == VU_PL_EMPTY_OR_U64);
		vfu_conn_log(c, "refusing %s: %s; %s", ri->name, refusal_names(refuse, why, sizeof why),
			     u64_reply ? "replying 1" : ack ? "error ack" : "closing");
		if (u64_reply)
			vfu_reply_u64(c, m->req, 1);
		else if (!ack)
			vfu_conn_close(c, true, false, 0);
		goto answered;
	}
	switch (m->req) {
	case VU_GET_FEATURES:
		vfu_reply_u64(c, m->req, c->feat_offered);
		break;
	case VU_SET_FEATURES:
		vu_dec_u64(m->payload, m->len, &c->feat_acked);
		break;
	case VU_GET_PROTOCOL_FEATURES:
		c->pf_answered = true;
		vfu_reply_u64(c, m->req, c->pf_offered);
		break;
	case VU_SET_PROTOCOL_FEATURES:
		if (vu_dec_u64(m->payload, m->len, &c->pf_acked))
			c->pf_acked_known = true;
		/* ack was decided above with the state before this message,
		 * as the engine decides it. */
		break;
	case VU_GET_QUEUE_NUM:
		vfu_reply_u64(c, m->req, p->rings);
		break;
	case VU_GET_MAX_MEM_SLOTS:
		vfu_reply_u64(c, m->req, p->max_mem_slots);
		break;
	case VU_GET_STATUS:
		vfu_reply_u64(c, m->req, c->status);
		break;
	case VU_SET_STATUS:
		vu_dec_u64(m->payload, m->len, &c->status);
		break;
	case VU_SET_OWNER:
		break;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		/* Every ring and the device state back to their start;
		 * ownership, the memory table and the back-end channel stay
		 * (vhost-user.rst, RESET_DEVICE: "Ask the vhost user back-end
		 * to disable all rings and reset all internal device state to
		 * the initial state"). */
		reset_rings(c);
		c->status = 0;
		vfu_feat_reset(&c->feat, p);
		break;
	case VU_SET_MEM_TABLE:
		status = mem_table(c, m);
		break;
	case VU_ADD_MEM_REG:
		if (vu_dec_memreg(m->payload, m->len, &pad, &rp))
			status = vfu_region_add(c, &rp, m->nkept ? m->fds[0] : -1, m->nkept ? m->info[0].size : -1);
		break;
	case VU_REM_MEM_REG:
		if (vu_dec_memreg(m->payload, m->len, &pad, &rp))
			status = vfu_region_remove(c, &rp);
		break;
	case VU_SET_LOG_BASE: {
		/* The log is mapped (its fd is closed with the message) and
		 * used-ring writes are marked in it while LOG_ALL is acked. */
		const char *reason = "";
		if (vfu_feat_set_log(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
				     m->nkept ? m->info[0].size : -1, &reason) != 0) {
			/* lax=log-size: the broken back-end answers 0 without a
			 * log it could map. */
			if (vfu_conn_lax(c, VFU_RF_LOG_SIZE))
				vfu_conn_log(c, "lax: SET_LOG_BASE not mapped (%s); answered 0", reason);
			else
				status = not_done(c, ri, reason);
		}
		if (value)
			vfu_reply_u64(c, m->req, status ? 1 : 0);
		break;
	}
	case VU_SET_VRING_NUM:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS) {
			c->rings[sp.index].num = sp.num;
			c->rings[sp.index].num_set = true;
			c->rings[sp.index].broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_SET_VRING_ADDR:
		if (vu_dec_addr(m->payload, m->len, &ap) && ap.index < VFU_MAX_RINGS) {
			c->rings[ap.index].addr = ap;
			c->rings[ap.index].addr_set = true;
			c->rings[ap.index].packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
			c->rings[ap.index].broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_SET_VRING_BASE:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS) {
			struct vfu_ring *r = &c->rings[sp.index];
			r->packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
			if (r->packed) {
				/* Both halves, as given (vhost-user.rst: the device
				 * cannot read them from memory). */
				struct vu_packed_base b;
				vu_packed_base_dec(sp.num, &b);
				r->last_avail = b.avail;
				r->avail_wrap = b.avail_wrap;
				r->used_idx = b.used;
				r->used_wrap = b.used_wrap;
			} else {
				r->last_avail = (uint16_t)sp.num;
				r->used_idx = (uint16_t)sp.num;
			}
			r->broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_GET_VRING_BASE: {
		uint8_t out[8];
		vu_dec_state(m->payload, m->len, &sp);
		vu_wr32(out, sp.index);
		vu_wr32(out + 4, sp.index < VFU_MAX_RINGS ? ring_base(c, sp.index) : 0);
		if (sp.index < VFU_MAX_RINGS && vfu_fault_on(c, VFU_FAULT_STOPPED_RUNS)) {
			vfu_conn_log(c, "fault: ring %u keeps running after GET_VRING_BASE", sp.index);
		} else if (sp.index < VFU_MAX_RINGS) {
			/* The ring stops: no more kicks are watched until a new
			 * SET_VRING_KICK (the way DPDK and libvhost-user stop). */
			struct vfu_ring *r = &c->rings[sp.index];
			if (r->kick_watched)
				vfu_watch_del(s, r->kick_fd);
			r->kick_watched = false;
			vfu_close_fd(s, &r->kick_fd);
		}
		vfu_reply(c, m->req, out, sizeof out, -1);
		break;
	}
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		ring_set_fd(c, m, m->req);
		break;
	case VU_SET_VRING_ENABLE:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
			c->rings[sp.index].enabled = sp.num != 0;
		break;
	case VU_SET_BACKEND_REQ_FD: {
		vfu_close_backend(c);
		int fd = vfu_msg_take_fd(m, 0);
		if (fd < 0 || m->info[0].kind != VC_FD_SOCKET) {
			vfu_close_fd(s, &fd);
			status = 1;
			break;
		}
		c->be_fd = fd;
		if (vfu_watch_add(s, fd, &c->w_be) != 0) {
			vfu_close_fd(s, &c->be_fd);
			status = 1;
			break;
		}
		vfu_faults_backend_set(c);
		break;
	}
	case VU_GET_CONFIG:
		get_config(c, m);
		break;
	case VU_GET_INFLIGHT_FD:
		get_inflight(c, m);
		break;
	case VU_VRING_KICK:
		if (s->cfg.null_device && vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
			vfu_ring_process(c, sp.index);
		break;
	case VU_IOTLB_MSG:
		/* Accepted (the fake keeps no IOTLB); the u64 reply is owed
		 * always: vhost-user.rst, VHOST_USER_IOTLB_MSG. */
		vfu_reply_u64(c, m->req, 0);
		break;
	case VU_SET_CONFIG: {
		const char *reason = "";
		if (vfu_feat_set_config(&c->feat, m->payload, m->len, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_SET_INFLIGHT_FD: {
		const char *reason = "";
		if (vfu_feat_set_inflight(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
					  m->nkept ? m->info[0].size : -1, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_NET_SET_MTU: {
		const char *reason = "";
		if (p->device != VFU_DEV_NET)
			status = not_done(c, ri, "not a network device");
		else if (vu_dec_u64(m->payload, m->len, &u) && vfu_feat_set_mtu(&c->feat, u, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_SEND_RARP:
		/* A null network: the RARP goes where every transmitted frame
		 * goes. Done, as far as a wire without peers can tell. */
		if (p->device != VFU_DEV_NET)
			status = not_done(c, ri, "not a network device");
		else if (vu_dec_u64(m->payload, m->len, &u))
			vfu_conn_log(c, "SEND_RARP for MAC %012" PRIx64 ": sent to the null network",
				     (uint64_t)(u & 0xffffffffffffull));
		break;
	case VU_SET_LOG_FD:
		/* No logging through a separate fd (SET_LOG_BASE carries the
		 * log); the fd is closed with the message. */
		status = not_done(c, ri, "the fake logs only through SET_LOG_BASE");
		break;
	case VU_GPU_SET_SOCKET:
		status = not_done(c, ri, "not a GPU device");
		break;
	default:
		/* Requests whose feature no profile offers (their gate refuses
		 * them first, VU-NEG-05) and those the fake keeps no state for.
		 * For requests with a reply of their own, answer "failed": all
		 * ones in a u64, zeros otherwise; the rest fail (error ack or
		 * close, below). */
		if (ri->reply != VU_REPLY_ALWAYS)
			status = not_done(c, ri, "not implemented by the fake");
		if (ri->reply == VU_REPLY_ALWAYS) {
			int sz = vu_payload_fixed_size((enum vu_payload)ri->reply_payload);
			/* Large enough for the largest fixed reply (GET_SHMEM_CONFIG). */
			uint8_t out[8 + 8 * VU_SHMEM_MAX_REGIONS] = { 0 };
			if (sz < 0 || sz > (int)sizeof out) {
				sz = 8;
				u = UINT64_MAX;
				vu_wr64(out, u);
			} else if (sz == 8) {
				vu_wr64(out, UINT64_MAX);
			}
			vfu_reply(c, m->req, out, (uint32_t)sz, -1);
		}
		break;
	}
	/* A request the fake could not carry out: an error ack when one was
	 * asked for, otherwise the connection is closed (never a silent
	 * "done"). */
	if (status && !ack && !value && !c->dead) {
		vfu_conn_log(c, "%s failed and no ack was asked; closing", ri->name);
		vfu_conn_close(c, true, false, 0);
	}
answered:
	if (ack && !c->dead)
		vfu_reply_u64(c, m->req, status ? 1 : 0);
	/* A hold that found no reply to hold (no reply owed) is dropped. */
	if (c->hold_next) {
		c->hold_next = false;
		if (c->hold_ms)
			vfu_conn_log(c, "fault: %s has no reply to delay", ri->name);
	}
}
