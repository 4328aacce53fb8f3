/* Stall detection: a front-end silent for the stall time while it owes an
 * ack on the back-end channel (VU-LIVE-02), or after a NEED_REPLY nobody
 * owes it an answer to (VU-ONCE-05, bug B1), is a VC_EV_VU_STALL event. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

/* What the front-end's silence would mean now: 1 it owes an ack on the
 * back-end channel; 2 it asked for a reply nobody owes it (B1); 0 fine. */
static int stall_reason(const struct vfu_conn *c)
{
	if (c->be_owed)
		return 1;
	if ((c->last_flags & VU_FLAG_NEED_REPLY) && vu_request(VU_CHAN_MAIN, c->last_req)) {
		struct vu_owed o = vfu_owed(c, c->last_req, c->last_flags);
		if (o.value != VU_KNOWN_YES && o.ack != VU_KNOWN_YES)
			return 2;
	}
	return 0;
}

void vfu_update_stall(struct vfu_conn *c)
{
	if (c->dead || c->s->cfg.stall_ms <= 0)
		return;
	c->stall_reported = false;
	if (stall_reason(c)) {
		if (vfu_ensure_timer(c, &c->stall_tfd, &c->w_stall, VFU_W_STALL) == 0)
			vfu_arm_timer(c->stall_tfd, (uint32_t)c->s->cfg.stall_ms);
	} else if (c->stall_tfd >= 0) {
		vfu_arm_timer(c->stall_tfd, 0);
	}
}

void vfu_stall_fired(struct vfu_conn *c)
{
	uint64_t x;
	if (read(c->stall_tfd, &x, sizeof x) < 0 || c->stall_reported)
		return;
	int why = stall_reason(c);
	if (!why)
		return;
	c->stall_reported = true;
	c->s->st.stalls++;
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_STALL;
	ev.u.stall.quiet_ns = c->s->cfg.stall_ms * 1000000;
	if (why == 1) {
		ev.dir = VC_DIR_FE_TO_BE; /* the front-end is the one silent and owing */
		ev.u.stall.owed_request = c->be_owed_req;
		vfu_conn_log(c, "front-end silent for %" PRId64 " ms while it owes an ack on the back-end channel",
			     c->s->cfg.stall_ms);
	} else {
		ev.dir = VC_DIR_BE_TO_FE; /* blocked waiting for the back-end */
		ev.u.stall.owed_request = c->last_req;
		vfu_conn_log(c, "front-end silent for %" PRId64 " ms after a NEED_REPLY nobody owes it",
			     c->s->cfg.stall_ms);
	}
	vfu_emit(c, &ev);
	/* Let a deadlocked front-end go on: send what we held. */
	if (why == 1 && c->holding && !c->hold_ms)
		vfu_release_held(c);
}
