/* VU-HDR: framing and header rules. */
#include "conformance/check.h"

void vu_header_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind == VC_EV_VU_EOF) {
		if (ev->u.eof.partial)
			vc_fail(c, VC_R_VU_HDR_06, "connection ended %u bytes into a message (%s closed it)",
				ev->u.eof.partial_bytes,
				ev->dir == VC_DIR_FE_TO_BE ? "front-end" : "back-end");
		else
			vc_ok(c, VC_R_VU_HDR_06);
		return;
	}
	if (ev->kind != VC_EV_VU_MSG)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	const char *who = c->is_request ? "request" : "reply";
	vc_expect(c, VC_R_VU_HDR_01, (m->flags & VU_FLAG_VERSION_MASK) == VU_VERSION,
		  "%s %s has version %u in flags 0x%x (must be 1)", who, vc_ctx_reqname(c),
		  m->flags & VU_FLAG_VERSION_MASK, m->flags);
	vc_expect(c, VC_R_VU_HDR_04, (m->flags & ~VU_FLAG_KNOWN_MASK) == 0,
		  "%s %s sets reserved flag bits 0x%x", who, vc_ctx_reqname(c),
		  m->flags & ~VU_FLAG_KNOWN_MASK);
	vc_expect(c, VC_R_VU_HDR_05, c->ri != NULL, "%s number %u is not a known %s request", who,
		  m->request, m->chan == VU_CHAN_MAIN ? "front-end" : "back-end channel");
	if (m->has_size && m->has_payload)
		vc_expect(c, VC_R_VU_HDR_07, m->size <= VU_SANE_MAX_PAYLOAD,
			  "%s %s announces a %u-byte payload (implementations cap at %u)", who,
			  vc_ctx_reqname(c), m->size, VU_SANE_MAX_PAYLOAD);
	if (m->has_payload && m->payload_len < m->size)
		vc_fail(c, VC_R_VU_HDR_06, "%s %s announces %u payload bytes but only %u arrived", who,
			vc_ctx_reqname(c), m->size, m->payload_len);
	if (c->is_request) {
		if (m->chan == VU_CHAN_MAIN) {
			vc_expect(c, VC_R_VU_HDR_02, !(m->flags & VU_FLAG_REPLY),
				  "request %s has the REPLY bit set (flags 0x%x)", vc_ctx_reqname(c),
				  m->flags);
			if (m->request == VU_RESET_OWNER)
				vc_fail(c, VC_R_VU_HDR_08, "RESET_OWNER is deprecated; use RESET_DEVICE");
		}
		return;
	}
	/* A reply: exact flags and the request number it answers. */
	const bool from_be = m->chan == VU_CHAN_MAIN;
	if (!from_be)
		return; /* the front-end's replies on the back-end channel */
	if (!c->answered)
		return; /* unsolicited: VU-REPLY-03 says so */
	uint32_t want = VU_VERSION | VU_FLAG_REPLY;
	bool flags_ok = m->flags == want;
	bool req_ok = m->request == c->answered->request;
	/* A GET_VRING_BASE reply names the ring it answers for (B23). */
	struct vu_state_pl sp;
	if (req_ok && m->request == VU_GET_VRING_BASE && m->has_payload && c->answered->ring >= 0 &&
	    vu_dec_state(m->payload, m->payload_len, &sp) && sp.index != (uint64_t)c->answered->ring) {
		vc_fail(c, VC_R_VU_HDR_03, "GET_VRING_BASE reply is for ring %u, the request asked for ring %lld",
			sp.index, (long long)c->answered->ring);
		return;
	}
	vc_expect(c, VC_R_VU_HDR_03, flags_ok && req_ok,
		  "reply to %s (request #%llu) has request %s and flags 0x%x (want %s and 0x%x)",
		  vc_reqname(VU_CHAN_MAIN, c->answered->request),
		  (unsigned long long)c->answered->event, vc_ctx_reqname(c), m->flags,
		  vc_reqname(VU_CHAN_MAIN, c->answered->request), want);
}
