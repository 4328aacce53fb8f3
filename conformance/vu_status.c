/* VU-STS: device status (protocol feature STATUS). */
#include "conformance/check.h"

#include <inttypes.h>

void vu_status_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN ||
	    ev->u.vu.request != VU_SET_STATUS || !ev->u.vu.has_payload)
		return;
	uint64_t v;
	if (!vu_dec_u64(ev->u.vu.payload, ev->u.vu.payload_len, &v))
		return;
	const struct vu_state *st = c->st;
	char a[128], b[128];
	if (v == 0) {
		vc_ok(c, VC_R_VU_STS_01);
		return;
	}
	if (st->status_known) {
		uint64_t cleared = st->status & ~v;
		vc_expect(c, VC_R_VU_STS_02, cleared == 0,
			  "SET_STATUS 0x%" PRIx64 " (%s) clears %s set before", v,
			  vu_status_str(v, a, sizeof a), vu_status_str(cleared, b, sizeof b));
	}
	const uint64_t ack_drv = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	bool ok = true;
	if ((v & VIRTIO_STATUS_FEATURES_OK) && (v & ack_drv) != ack_drv)
		ok = false;
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK))
		ok = false;
	if ((v & VIRTIO_STATUS_DRIVER) && !(v & VIRTIO_STATUS_ACKNOWLEDGE))
		ok = false;
	vc_expect(c, VC_R_VU_STS_01, ok, "SET_STATUS 0x%" PRIx64 " (%s) skips steps of the virtio order", v,
		  vu_status_str(v, a, sizeof a));
}
