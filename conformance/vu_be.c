/* VU-BE: back-end behaviour seen by the front-end driver. */
#include "conformance/check.h"
#include "conformance/vu_be.h"

#include <inttypes.h>

void vu_be_check(struct vc_ctx *c);

/* VU-BE-04: an ack of 0 (done) for a request that broke a MUST rule. The
 * engine marks such a request malformed once its families have run, so
 * the reply that answers it carries the mark. */
void vu_be_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	const struct vu_pending *p = c->answered;
	if (!p || !p->ack || !p->malformed)
		return;
	uint64_t v;
	if (!vu_dec_u64(ev->u.vu.payload, ev->u.vu.payload_len, &v))
		return;
	vc_expect(c, VC_R_VU_BE_04, v != 0,
		  "%s (message #%" PRIu64 ") broke a MUST rule but the back-end acked it as done (0)",
		  vc_reqname(VU_CHAN_MAIN, p->request), p->event);
}

void vc_engine_live_verdict(struct vc_engine *e, uint32_t sid, const struct vc_event *ev,
			    enum vc_rule_id r, bool ok, const char *msg)
{
	struct vc_ctx c = { .eng = e, .sid = sid, .ev = ev, .live = true };
	if (ok)
		vc_ok(&c, r);
	else
		vc_fail(&c, r, "%s", msg);
}
