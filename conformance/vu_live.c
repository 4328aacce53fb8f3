/* VU-LIVE: what only a live back-end sees of a front-end: how it leaves
 * (a crash or an abandoned running device shows as the connection closing
 * with rings started) and whether it answers the back-end channel while
 * it waits for replies of its own (the deadlock class). The live source
 * reports silence as a VC_EV_VU_STALL with dir FE_TO_BE: "the front-end
 * is the quiet one". */
#include "conformance/check.h"

#include <inttypes.h>

void vu_live_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	if (!c->live)
		return;
	if (ev->kind == VC_EV_VU_EOF && ev->dir == VC_DIR_FE_TO_BE) {
		for (unsigned i = 0; i < VU_MAX_RINGS; i++)
			if (st->rings[i].started) {
				vc_fail(c, VU_LIVE_01,
					"front-end closed the connection%s while ring %u is started (no GET_VRING_BASE): it crashed or abandoned a running device",
					ev->u.eof.partial ? " mid-message" : "", i);
				return;
			}
		const struct vu_pending *p = vu_state_first_owed(st, VU_CHAN_BACKEND);
		if (p) {
			vc_fail(c, VU_LIVE_01,
				"front-end closed the connection without acking back-end request %s (message #%" PRIu64 ")",
				vc_reqname(VU_CHAN_BACKEND, p->request), p->event);
			return;
		}
		vc_ok(c, VU_LIVE_01);
		return;
	}
	if (ev->kind == VC_EV_VU_STALL && ev->dir == VC_DIR_FE_TO_BE) {
		const struct vu_pending *p = vu_state_first_owed(st, VU_CHAN_BACKEND);
		if (p) {
			vc_fail(c, VU_LIVE_02,
				"front-end silent for %" PRId64 " ms while it owes the ack of back-end request %s (message #%" PRIu64 "): hang or deadlock",
				ev->u.stall.quiet_ns / 1000000, vc_reqname(VU_CHAN_BACKEND, p->request),
				p->event);
		}
		return;
	}
	if (ev->kind == VC_EV_VU_MSG && ev->u.vu.chan == VU_CHAN_BACKEND &&
	    ev->dir == VC_DIR_FE_TO_BE && c->answered)
		vc_ok(c, VU_LIVE_02);
}
