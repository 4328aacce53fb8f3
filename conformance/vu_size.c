/* VU-SIZE: payload sizes fixed by the message type. */
#include "conformance/check.h"

/* VU-SIZE-03: fields whose values the text enumerates. */
static void enum_fields(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_iotlb_pl io;
	struct vu_config_pl cf;
	struct vu_devstate_pl ds;
	switch (m->request) {
	case VU_IOTLB_MSG:
		/* The front-end sends updates (2) and invalidations (3); miss
		 * (1) and access fail (4) are the back-end's. An invalidation
		 * carries no permissions ("the I/O virtual address and the
		 * size"). */
		if (!vu_dec_iotlb(m->payload, m->payload_len, &io))
			return;
		vc_expect(c, VC_R_VU_SIZE_03,
			  (io.type == VU_IOTLB_UPDATE && io.perm <= VU_IOTLB_PERM_MAX) ||
				  io.type == VU_IOTLB_INVALIDATE,
			  "IOTLB_MSG type %u perm %u: the front-end sends update (2, permissions 0-3) or invalidate (3)",
			  io.type, io.perm);
		break;
	case VU_GET_CONFIG:
	case VU_SET_CONFIG:
		if (!vu_dec_config(m->payload, m->payload_len, &cf))
			return;
		vc_expect(c, VC_R_VU_SIZE_03, cf.flags == VU_CONFIG_F_WRITABLE || cf.flags == VU_CONFIG_F_MIGRATION,
			  "%s flags 0x%x: 0 (writable fields) or 1 (live migration) only", vc_ctx_reqname(c),
			  cf.flags);
		break;
	case VU_SET_DEVICE_STATE_FD:
		if (!vu_dec_devstate(m->payload, m->payload_len, &ds))
			return;
		vc_expect(c, VC_R_VU_SIZE_03,
			  (ds.direction == VU_DEVSTATE_SAVE || ds.direction == VU_DEVSTATE_LOAD) &&
				  ds.phase == VU_DEVSTATE_PHASE_STOPPED,
			  "SET_DEVICE_STATE_FD direction %u phase %u: direction 0 (save) or 1 (load), phase 0 (stopped, the only one defined)",
			  ds.direction, ds.phase);
		break;
	default:
		break;
	}
}

void vu_size_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !ev->u.vu.has_size || !c->ri)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	if (c->is_request) {
		if (m->chan == VU_CHAN_MAIN && m->has_payload)
			enum_fields(c, m);
		enum vu_payload pl = c->ri->req_payload;
		if (pl == VU_PL_VARIABLE)
			return;
		/* XEN_MMAP widens memory regions: vu_payload_expected_size_pf(). */
		const uint64_t pf = vu_pf_mask(c->st);
		int64_t want = m->has_payload
				       ? vu_payload_expected_size_pf(pl, m->payload, m->payload_len, pf)
				       : vu_payload_expected_size_pf(pl, NULL, 0, pf);
		if (want < 0)
			return;
		/* Back-end channel requests are the back-end's to get right. */
		enum vc_rule_id rule = m->chan == VU_CHAN_MAIN ? VC_R_VU_SIZE_01 : VC_R_VU_SIZE_02;
		/* A memory table's size follows from its own nregions; an absurd
		 * count is VU-MEM-01's business, the size must still agree. */
		vc_expect(c, rule, (int64_t)m->size == want,
			  "%s payload is %u bytes, its type (%s) fixes %lld", vc_ctx_reqname(c),
			  m->size, vu_payload_name(pl), (long long)want);
		return;
	}
	if (!c->answered || m->chan != VU_CHAN_MAIN || m->request != c->answered->request)
		return;
	const struct vu_pending *a = c->answered;
	int64_t want;
	const char *what;
	if (a->value_reply && a->request == VU_SET_MEM_TABLE) {
		/* Postcopy: the table comes back with the back-end's bases. */
		want = a->req_size;
		what = "the postcopy SET_MEM_TABLE request's size";
	} else if (a->value_reply) {
		enum vu_payload pl = c->ri->reply_payload;
		if (pl == VU_PL_VARIABLE)
			return;
		if (pl == VU_PL_EMPTY_OR_U64) {
			vc_expect(c, VC_R_VU_SIZE_02, m->size == 0 || m->size == 8,
				  "reply to %s is %u bytes, want 0 or 8", vc_ctx_reqname(c), m->size);
			return;
		}
		if (pl == VU_PL_CONFIG) {
			/* "vhost-user back-end uses zero length of payload to
			 * indicate an error": vhost-user.rst, GET_CONFIG. */
			if (m->size == 0) {
				vc_ok(c, VC_R_VU_SIZE_02);
				return;
			}
			want = a->req_size;
			what = "the GET_CONFIG request's size";
		} else {
			want = vu_payload_fixed_size(pl);
			what = vu_payload_name(pl);
		}
	} else {
		want = 8;
		what = "REPLY_ACK u64";
	}
	if (want < 0)
		return;
	vc_expect(c, VC_R_VU_SIZE_02, (int64_t)m->size == want,
		  "reply to %s is %u bytes, %s fixes %lld", vc_ctx_reqname(c), m->size, what,
		  (long long)want);
}
