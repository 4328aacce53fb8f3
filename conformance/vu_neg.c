/* VU-NEG: feature negotiation and gating of requests by features. */
#include "conformance/check.h"

#include <inttypes.h>

static void check_gate(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	const struct vu_gate g = c->ri->gate;
	switch (c->ev->u.vu.request) {
	case VU_SET_LOG_BASE:          /* VU-LOG-01 judges it */
	case VU_GET_PROTOCOL_FEATURES: /* VU-NEG-02 */
	case VU_SET_PROTOCOL_FEATURES:
	case VU_GET_QUEUE_NUM:         /* VU-NEG-04 */
	case VU_GET_SHMEM_CONFIG:      /* VU-NEG-10 */
		return;
	}
	switch (g.kind) {
	case VU_GATE_PROTOCOL:
		if (!st->pf_acked_known && !st->pf_offered_known) {
			/* Header-only log, or SET_PROTOCOL_FEATURES never sent. */
			if (st->features_offered_known && !st->pf_get_sent)
				vc_fail(c, VC_R_VU_NEG_05,
					"%s needs protocol feature %s but protocol features were never negotiated",
					vc_ctx_reqname(c), vu_protocol_feature_name(g.bit));
			return;
		}
		vc_expect(c, VC_R_VU_NEG_05, vu_pf_negotiated(st, g.bit),
			  "%s needs protocol feature %s, which was %s", vc_ctx_reqname(c),
			  vu_protocol_feature_name(g.bit),
			  (st->pf_offered & VU_BIT(g.bit)) ? "offered but not acked" : "not offered");
		break;
	case VU_GATE_OFFERED_PROTOCOL:
		/* "present in VHOST_USER_GET_PROTOCOL_FEATURES": offered is
		 * enough, acked or not. */
		if (!st->pf_offered_known)
			return;
		vc_expect(c, VC_R_VU_NEG_05, (st->pf_offered & VU_BIT(g.bit)) != 0,
			  "%s needs protocol feature %s offered by GET_PROTOCOL_FEATURES", vc_ctx_reqname(c),
			  vu_protocol_feature_name(g.bit));
		break;
	case VU_GATE_FEATURE:
		if (!st->features_acked_known)
			return;
		vc_expect(c, VC_R_VU_NEG_05, vu_feature_acked(st, g.bit), "%s needs feature %s acked",
			  vc_ctx_reqname(c), vu_feature_name(g.bit));
		break;
	case VU_GATE_OFFERED_FEATURE:
		if (!st->features_offered_known)
			return;
		vc_expect(c, VC_R_VU_NEG_05, vu_feature_offered(st, g.bit),
			  "%s needs feature %s offered by GET_FEATURES", vc_ctx_reqname(c),
			  vu_feature_name(g.bit));
		break;
	default:
		break;
	}
}

/* VU-NEG-10: SHMEM is protocol bit 22. rust-vmm's vhost crate numbered it
 * 20 (the text's GET_VRING_BASE_INFLIGHT; 21 is GPA_ADDRESSES): such a
 * peer believes SHMEM negotiated when the other side acked something else. */
static void shmem_gate(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	if (!st->pf_acked_known || !st->pf_offered_known)
		return;
	const uint64_t pf = vu_pf_mask(st);
	const bool hazard = pf & (VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT) | VU_BIT(VU_PF_GPA_ADDRESSES));
	vc_expect(c, VC_R_VU_NEG_10, pf & VU_BIT(VU_PF_SHMEM),
		  "%s without protocol feature SHMEM (bit 22) negotiated%s", vc_ctx_reqname(c),
		  hazard ? "; bit 20/21 is negotiated instead: the peer numbers SHMEM as rust-vmm's vhost crate does (bit 20 is GET_VRING_BASE_INFLIGHT)"
			 : "");
}

/* VU-NEG-11: "should be sent only when VHOST_USER_F_PROTOCOL_FEATURES has
 * been negotiated". GET/SET_PROTOCOL_FEATURES "does not need to be
 * acknowledged by VHOST_USER_SET_FEATURES", so before any SET_FEATURES the
 * front-end takes bit 30 up by SET_PROTOCOL_FEATURES (QEMU sends both
 * requests before its first SET_FEATURES); a SET_FEATURES without bit 30
 * withdraws it (the back-end then enables every ring itself). */
static void bit30_gate(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	if (!st->features_offered_known)
		return;
	if (!vu_feature_offered(st, VU_F_PROTOCOL_FEATURES)) {
		vc_fail(c, VC_R_VU_NEG_11, "%s but GET_FEATURES (0x%" PRIx64 ") did not offer bit 30 (PROTOCOL_FEATURES)",
			vc_ctx_reqname(c), st->features_offered);
		return;
	}
	if (st->sent[VU_SET_FEATURES]) {
		if (!st->features_acked_known)
			return; /* its value is not in the input */
		vc_expect(c, VC_R_VU_NEG_11, vu_feature_acked(st, VU_F_PROTOCOL_FEATURES),
			  "%s after SET_FEATURES 0x%" PRIx64 " without bit 30 (PROTOCOL_FEATURES)",
			  vc_ctx_reqname(c), st->features_acked);
		return;
	}
	vc_expect(c, VC_R_VU_NEG_11, st->sent[VU_SET_PROTOCOL_FEATURES] > 0,
		  "%s before the front-end took bit 30 up: no SET_PROTOCOL_FEATURES and no SET_FEATURES yet",
		  vc_ctx_reqname(c));
}

void vu_neg_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind == VC_EV_VU_MSG && c->is_request && ev->u.vu.chan == VU_CHAN_BACKEND &&
	    (ev->u.vu.request == VU_BE_SHMEM_MAP || ev->u.vu.request == VU_BE_SHMEM_UNMAP)) {
		shmem_gate(c);
		return;
	}
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN || !c->ri)
		return;
	if (ev->u.vu.request == VU_GET_SHMEM_CONFIG)
		shmem_gate(c);
	const struct vu_state *st = c->st;
	const struct vc_vu_msg *m = &ev->u.vu;
	uint64_t u = 0;
	const bool have_u64 = m->has_payload && vu_dec_u64(m->payload, m->payload_len, &u);
	char a[256], b[256];

	if (m->flags & VU_FLAG_NEED_REPLY) {
		if (st->pf_acked_known)
			vc_expect(c, VC_R_VU_NEG_06, vu_pf_negotiated(st, VU_PF_REPLY_ACK),
				  "%s sets NEED_REPLY but REPLY_ACK is not negotiated",
				  vc_ctx_reqname(c));
	}

	switch (m->request) {
	case VU_SET_FEATURES:
		if (!st->get_features_sent) {
			vc_fail(c, VC_R_VU_NEG_01, "SET_FEATURES before any GET_FEATURES");
			break;
		}
		if (!have_u64 || !st->features_offered_known)
			break;
		vc_expect(c, VC_R_VU_NEG_01, (u & ~st->features_offered) == 0,
			  "SET_FEATURES 0x%" PRIx64 " sets bits the back-end did not offer: %s", u,
			  vu_features_str(u & ~st->features_offered, a, sizeof a));
		/* While rings run only LOG_ALL may change. */
		if (st->features_acked_known) {
			bool running = false;
			for (unsigned i = 0; i < VU_MAX_RINGS && !running; i++)
				running = st->rings[i].started;
			if (running) {
				uint64_t changed = (u ^ st->features_acked) & ~VU_BIT(VU_F_LOG_ALL);
				vc_expect(c, VC_R_VU_NEG_08, changed == 0,
					  "SET_FEATURES changes %s while rings are started",
					  vu_features_str(changed, a, sizeof a));
			}
		}
		break;
	case VU_GET_PROTOCOL_FEATURES:
	case VU_SET_PROTOCOL_FEATURES:
		if (!st->get_features_sent)
			vc_fail(c, VC_R_VU_NEG_02, "%s before any GET_FEATURES", vc_ctx_reqname(c));
		else if (st->features_offered_known)
			vc_expect(c, VC_R_VU_NEG_02, vu_feature_offered(st, VU_F_PROTOCOL_FEATURES),
				  "%s but GET_FEATURES (0x%" PRIx64 ") did not offer bit 30",
				  vc_ctx_reqname(c), st->features_offered);
		if (m->request == VU_GET_PROTOCOL_FEATURES || !have_u64)
			break;
		if (!st->pf_get_sent)
			vc_fail(c, VC_R_VU_NEG_03, "SET_PROTOCOL_FEATURES before GET_PROTOCOL_FEATURES");
		else if (st->pf_offered_known)
			vc_expect(c, VC_R_VU_NEG_03, (u & ~st->pf_offered) == 0,
				  "SET_PROTOCOL_FEATURES 0x%" PRIx64 " sets bits not offered (%s); offered %s",
				  u, vu_protocol_features_str(u & ~st->pf_offered, a, sizeof a),
				  vu_protocol_features_str(st->pf_offered, b, sizeof b));
		if (u & VU_BIT(VU_PF_INBAND_NOTIFICATIONS))
			vc_expect(c, VC_R_VU_NEG_07,
				  (u & VU_BIT(VU_PF_BACKEND_REQ)) && (u & VU_BIT(VU_PF_REPLY_ACK)),
				  "INBAND_NOTIFICATIONS acked without BACKEND_REQ and REPLY_ACK (0x%" PRIx64 ")",
				  u);
		else
			vc_ok(c, VC_R_VU_NEG_07);
		/* "must only be negotiated if both GET_VRING_BASE_INFLIGHT and
		 * INFLIGHT_SHMFD are also negotiated". */
		if (have_u64 && (u & VU_BIT(VU_PF_GET_VRING_BASE_SKIP_DRAIN)))
			vc_expect(c, VC_R_VU_NEG_09,
				  (u & VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT)) &&
					  (u & VU_BIT(VU_PF_INFLIGHT_SHMFD)),
				  "GET_VRING_BASE_SKIP_DRAIN acked without GET_VRING_BASE_INFLIGHT and INFLIGHT_SHMFD (0x%" PRIx64 ")",
				  u);
		break;
	case VU_NET_SET_MTU:
		/* "only when VIRTIO_NET_F_MTU feature has been successfully
		 * negotiated" (besides the protocol bit the gate checks). */
		if (st->features_acked_known)
			vc_expect(c, VC_R_VU_NEG_05, vu_feature_acked(st, VU_F_NET_MTU),
				  "NET_SET_MTU but VIRTIO_NET_F_MTU (bit 3) was not acked");
		break;
	case VU_SET_VRING_ENABLE:
	case VU_SET_BACKEND_REQ_FD:
		bit30_gate(c);
		break;
	case VU_CHECK_DEVICE_STATE:
		/* Sent once the transfer over the channel SET_DEVICE_STATE_FD
		 * set up has ended (its close is not in a socket recording). */
		vc_expect(c, VC_R_VU_NEG_12, st->sent[VU_SET_DEVICE_STATE_FD] > 0,
			  "CHECK_DEVICE_STATE with no SET_DEVICE_STATE_FD before it: no state was transferred");
		break;
	case VU_POSTCOPY_LISTEN:
	case VU_POSTCOPY_END:
		/* LISTEN "is always sent sometime after a POSTCOPY_ADVISE";
		 * END "after VHOST_USER_POSTCOPY_LISTEN was previously sent". */
		if (m->request == VU_POSTCOPY_LISTEN)
			vc_expect(c, VC_R_VU_NEG_12, st->sent[VU_POSTCOPY_ADVISE] > 0,
				  "POSTCOPY_LISTEN without a POSTCOPY_ADVISE before it");
		else
			vc_expect(c, VC_R_VU_NEG_12, st->sent[VU_POSTCOPY_LISTEN] > 0,
				  "POSTCOPY_END without a POSTCOPY_LISTEN before it");
		/* fall through */
	case VU_POSTCOPY_ADVISE:
		/* "This message MUST NOT be sent when
		 * VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS has been negotiated". */
		if (st->pf_acked_known)
			vc_expect(c, VC_R_VU_NEG_05, !vu_pf_negotiated(st, VU_PF_CONFIGURE_MEM_SLOTS),
				  "%s with CONFIGURE_MEM_SLOTS negotiated (postcopy is excluded then)",
				  vc_ctx_reqname(c));
		break;
	case VU_GET_QUEUE_NUM:
		/* "only when VHOST_USER_PROTOCOL_F_MQ is set in queried protocol
		 * features by VHOST_USER_GET_PROTOCOL_FEATURES". */
		if (st->pf_offered_known)
			vc_expect(c, VC_R_VU_NEG_04, (st->pf_offered & VU_BIT(VU_PF_MQ)) != 0,
				  "GET_QUEUE_NUM but GET_PROTOCOL_FEATURES did not offer MQ");
		break;
	default:
		break;
	}
	if (c->ri->gate.kind != VU_GATE_NONE)
		check_gate(c);
}
