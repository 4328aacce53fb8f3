/* VU-REPLY: the back-end answers every request that is owed an answer,
 * once, and nothing else. */
#include "conformance/check.h"

void vu_reply_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind == VC_EV_VU_STALL) {
		/* The traced front-end blocked for a reply that never came. */
		const struct vu_pending *p = vu_state_first_owed(c->st, VU_CHAN_MAIN);
		if (ev->dir == VC_DIR_BE_TO_FE && p) {
			vc_fail(c, VC_R_VU_REPLY_01, "no reply to %s (message #%llu): the front-end is still waiting",
				vc_reqname(VU_CHAN_MAIN, p->request), (unsigned long long)p->event);
		}
		return;
	}
	if (ev->kind == VC_EV_VU_EOF) {
		const struct vu_state *st = c->st;
		const struct vu_pending *p = vu_state_first_owed(st, VU_CHAN_MAIN);
		if (ev->dir == VC_DIR_BE_TO_FE && p) {
			/* Closing on a malformed request is a legal answer. */
			if (!p->malformed)
				vc_fail(c, VC_R_VU_REPLY_01, "back-end closed the connection without replying to %s (message #%llu)",
					vc_reqname(VU_CHAN_MAIN, p->request), (unsigned long long)p->event);
		}
		return;
	}
	if (ev->kind != VC_EV_VU_MSG || c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	if (!c->answered) {
		if (c->st->last_was_value_with_need_reply && m->request == c->st->last_answered_req)
			vc_fail(c, VC_R_VU_REPLY_02,
				"a second reply to %s: a request with its own reply gets no extra ack",
				vc_ctx_reqname(c));
		else
			vc_fail(c, VC_R_VU_REPLY_03, "reply %s (flags 0x%x) answers no outstanding request",
				vc_ctx_reqname(c), m->flags);
		return;
	}
	vc_ok(c, VC_R_VU_REPLY_03);
	if (c->answered->value_reply)
		vc_ok(c, VC_R_VU_REPLY_01);
	else if (c->answered->ack)
		vc_ok(c, VC_R_VU_REPLY_02);
}
