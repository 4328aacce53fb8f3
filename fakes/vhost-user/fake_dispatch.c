/* One front-end request: judged by the engine as it arrives, checked
 * against the wire table, refused or handed to its handler, and answered:
 * the reply it is owed, the ack it asked for, or a close. Replies may be
 * held back (delay and backend-req faults) while later requests queue. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	/* The fake always knows what it negotiated. */
	const struct vu_fd_want w =
		vu_request_fds(VU_CHAN_MAIN, ri->num, m->payload, m->len,
			       vfu_pf_negotiated(c, VU_PF_LOG_SHMFD) ? VU_KNOWN_YES : VU_KNOWN_NO);
	if (w.fcase == VU_FDC_UNDECIDED)
		return VFU_RF_COUNT;
	const uint32_t lo = w.lo, hi = w.hi;
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

/* A request that broke a refusal rule (classes in refuse): not carried
 * out. An error where the front-end can read one: the ack it asked for,
 * or a u64 reply of the request's own (SET_LOG_BASE); otherwise the
 * connection is closed. */
static void refuse_request(struct vfu_conn *c, const struct vfu_msg *m, const struct vu_request_info *ri,
			   uint32_t refuse, bool value, bool ack)
{
	struct vfu_server *s = c->s;
	char why[512];
	s->st.refused++;
	if (refuse & (VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
		      VFU_RF_BIT(VFU_RF_OVERLAP)))
		s->st.bad_regions++;
	/* A value request whose feature is not negotiated is closed: its
	 * reply has no error value (GET_STATUS 1 is a status). */
	bool u64_reply = value && !(refuse & VFU_RF_BIT(VFU_RF_UNGATED)) &&
			 (ri->reply_payload == VU_PL_U64 || ri->reply_payload == VU_PL_EMPTY_OR_U64);
	vfu_conn_log(c, "refusing %s: %s; %s", ri->name, refusal_names(refuse, why, sizeof why),
		     u64_reply ? "replying 1" : ack ? "error ack" : "closing");
	if (u64_reply)
		vfu_reply_u64(c, m->req, 1);
	else if (!ack)
		vfu_conn_close(c, true, false, 0);
}

/* The dispatcher: a request the wire table knows, well-formed and not
 * refused, goes to its handler; then the reply the handler filled is
 * sent, or the ack owed (0 done, 1 not done), or, for a request not done
 * that is owed nothing, the connection is closed (never a silent "done"). */
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
	/* Decided with the state before the request (SET_PROTOCOL_FEATURES
	 * changes it), as the engine decides it. */
	struct vu_owed o = vfu_owed(c, m->req, m->flags);
	bool value = o.value == VU_KNOWN_YES;
	bool ack = o.ack == VU_KNOWN_YES;
	enum vfu_verdict v = VFU_REFUSE;
	if (refuse) {
		refuse_request(c, m, ri, refuse, value, ack);
	} else {
		struct vfu_reply r = { .value_owed = value, .fd = -1 };
		v = vfu_request_handler(m->req)(c, m, &r);
		if (v == VFU_REPLY)
			vfu_reply(c, m->req, r.pl, r.len, r.fd);
		free(r.heap);
		/* Not done and owed nothing that can say so (no ack asked; a
		 * reply of its own the handler could not fill): closed. */
		if (v == VFU_REFUSE && !ack && !c->dead) {
			vfu_conn_log(c, "%s failed and no ack was asked; closing", ri->name);
			vfu_conn_close(c, true, false, 0);
		}
	}
	if (ack && !c->dead)
		vfu_reply_u64(c, m->req, v == VFU_REFUSE ? 1 : 0);
	/* A hold that found no reply to hold (no reply owed) is dropped. */
	if (c->hold_next) {
		c->hold_next = false;
		if (c->hold_ms)
			vfu_conn_log(c, "fault: %s has no reply to delay", ri->name);
	}
}
