/* VU-LIVE: what only a live back-end sees of a front-end: how it leaves
 * (a crash or an abandoned running device shows as the connection closing
 * with rings started) and whether it answers the back-end channel while
 * it waits for replies of its own (the deadlock class). The live source
 * reports silence as a VC_EV_VU_STALL with dir FE_TO_BE: "the front-end
 * is the quiet one". */
#include "conformance/check.h"

#include <inttypes.h>

/* The family's slot points here once the back-end sent a wrong reply:
 * "If front-end ... receives a wrong reply it will close the connection"
 * (vhost-user.rst, Communication), so a close after it is no VU-LIVE-01. */
static const char wrong_reply_seen;

static bool wrong_reply(const struct vc_ctx *c)
{
	const struct vc_vu_msg *m = &c->ev->u.vu;
	const struct vu_pending *a = c->answered;
	if (!a || m->request != a->request ||
	    (m->flags & ~VU_FLAG_NEED_REPLY) != (VU_VERSION | VU_FLAG_REPLY))
		return true;
	const struct vu_request_info *ri = vu_request(m->chan, m->request);
	int want = !ri ? -1 : a->value_reply ? vu_payload_fixed_size((enum vu_payload)ri->reply_payload) : 8;
	return m->has_size && want >= 0 && m->size != (uint32_t)want;
}

/* A back-end request owes an ack only if its protocol feature was
 * negotiated: a front-end may ignore one it never agreed to (QEMU 7.2
 * logs "unexpected msg type" and drops it). */
static bool owed(const struct vu_state *st, const struct vu_pending *p)
{
	const struct vu_request_info *ri = vu_request(p->chan, p->request);
	return ri && ((ri->gate.kind != VU_GATE_PROTOCOL && ri->gate.kind != VU_GATE_OFFERED_PROTOCOL) ||
		      vu_pf_negotiated(st, ri->gate.bit));
}

static const struct vu_pending *first_owed(const struct vu_state *st)
{
	/* An optional one (owed or not, the input cannot tell) is never owed. */
	for (uint32_t i = 0; i < st->npending[VU_CHAN_BACKEND]; i++)
		if (!st->pending[VU_CHAN_BACKEND][i].optional && owed(st, &st->pending[VU_CHAN_BACKEND][i]))
			return &st->pending[VU_CHAN_BACKEND][i];
	return NULL;
}

void vu_live_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	if (!c->live)
		return;
	void **slot = vc_family_state(c);
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.chan == VU_CHAN_MAIN && ev->dir == VC_DIR_BE_TO_FE &&
	    !c->is_request && wrong_reply(c))
		*slot = (void *)&wrong_reply_seen;
	if (ev->kind == VC_EV_VU_EOF && ev->dir == VC_DIR_FE_TO_BE && *slot == &wrong_reply_seen)
		return; /* the close the text prescribes */
	if (ev->kind == VC_EV_VU_EOF && ev->dir == VC_DIR_FE_TO_BE) {
		for (unsigned i = 0; i < VU_MAX_RINGS; i++)
			if (st->rings[i].started) {
				vc_fail(c, VC_R_VU_LIVE_01,
					"front-end closed the connection%s while ring %u is started (no GET_VRING_BASE): it crashed or abandoned a running device",
					ev->u.eof.partial ? " mid-message" : "", i);
				return;
			}
		const struct vu_pending *p = first_owed(st);
		if (p) {
			vc_fail(c, VC_R_VU_LIVE_01,
				"front-end closed the connection without acking back-end request %s (message #%" PRIu64 ")",
				vc_reqname(VU_CHAN_BACKEND, p->request), p->event);
			return;
		}
		vc_ok(c, VC_R_VU_LIVE_01);
		return;
	}
	if (ev->kind == VC_EV_VU_STALL && ev->dir == VC_DIR_FE_TO_BE) {
		const struct vu_pending *p = first_owed(st);
		if (p) {
			vc_fail(c, VC_R_VU_LIVE_02,
				"front-end silent for %" PRId64 " ms while it owes the ack of back-end request %s (message #%" PRIu64 "): hang or deadlock",
				ev->u.stall.quiet_ns / 1000000, vc_reqname(VU_CHAN_BACKEND, p->request),
				p->event);
		}
		return;
	}
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.chan == VU_CHAN_BACKEND &&
	    ev->dir == VC_DIR_FE_TO_BE && c->answered)
		vc_ok(c, VC_R_VU_LIVE_02);
	/* VU-LIVE-03: "front-ends SHOULD inject a kick after
	 * VHOST_USER_SET_VRING_KICK"; judged when the ring stops, by which
	 * time any kick written has been seen (the fake takes pending kicks
	 * before each message). Polling rings have no kick fd. */
	struct vu_state_pl s;
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.chan == VU_CHAN_MAIN && c->is_request &&
	    vu_req_stops_ring(ev->u.vu.request) && ev->u.vu.has_payload &&
	    vu_dec_state(ev->u.vu.payload, ev->u.vu.payload_len, &s) && s.index < VU_MAX_RINGS) {
		const struct vu_ring *r = &st->rings[s.index];
		if (r->started && r->started_by_fd)
			vc_expect(c, VC_R_VU_LIVE_03, r->kicks_since_start > 0,
				  "ring %u stopped without a kick since SET_VRING_KICK started it (front-ends SHOULD inject one)",
				  s.index);
	}
}
