/* The enabled/disabled state of a ring (vhost-user.rst, Ring states),
 * RESET_OWNER (disables every ring) and the dirty logging of descriptor
 * buffers, with the faults that break them: what drive's
 * no-protocol-features, disabled-ring, enable-while-stopped, reset-owner
 * and log-on-off scenarios judge (VU-BE-12..15, -18); and the close that
 * answers in-band notifications without their channel (VU-BE-23). */
#include "fakes/vhost-user/fake_int.h"

#include <inttypes.h>

void vfu_enable_on_features(struct vfu_conn *c, uint64_t acked)
{
	/* "upon receiving a VHOST_USER_SET_FEATURES message from the
	 * front-end without VHOST_USER_F_PROTOCOL_FEATURES set, the back-end
	 * must enable all rings immediately." */
	if (acked & VU_BIT(VU_F_PROTOCOL_FEATURES))
		return;
	if (vfu_fault_on(c, VFU_FAULT_NO_AUTO_ENABLE)) {
		vfu_conn_log(c, "fault: SET_FEATURES without PROTOCOL_FEATURES enables no ring");
		return;
	}
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		vfu_conn_ring(c, i)->enabled = true;
}

void vfu_enable_set(struct vfu_conn *c, uint32_t idx, bool on)
{
	struct vfu_ring *r = vfu_conn_ring(c, idx);
	if (!r)
		return;
	/* A stopped ring keeps the state "so it can come into effect once
	 * the ring is started". */
	if (!r->started && vfu_fault_on(c, VFU_FAULT_ENABLE_LOST)) {
		vfu_conn_log(c, "fault: SET_VRING_ENABLE %u on stopped ring %u ignored", on, idx);
		return;
	}
	bool was = r->enabled;
	r->enabled = on;
	/* what a disabled ring left available runs now (not on a back-end
	 * that waits for kicks: the start-on-kick fault) */
	if (on && !was && r->started && !vfu_fault_on(c, VFU_FAULT_START_ON_KICK))
		vfu_ring_process(c, idx);
}

int vfu_enable_disabled_chain(struct vfu_conn *c, bool has_write)
{
	/* "started and disabled: The back-end must process the ring without
	 * causing any side effects ... must not supply any new RX packets,
	 * but must process and discard any TX packets." The text names no
	 * side-effect-free handling for other devices: their requests wait
	 * until the ring is enabled (a front-end may kick before its
	 * SET_VRING_ENABLE is read). */
	if (vfu_fault_on(c, VFU_FAULT_DISABLED_IDLE))
		return -1;
	if (vfu_conn_profile(c)->device != VFU_DEV_NET || has_write)
		return -1;
	return 1;
}

void vfu_log_data(struct vfu_conn *c, uint64_t gpa, uint64_t len)
{
	struct vfu_feat *lg = vfu_conn_logging(c);
	if (!lg || !len || gpa + len - 1 < gpa)
		return;
	if (vfu_fault_on(c, VFU_FAULT_LOG_SKIP_DATA))
		return;
	vfu_feat_log_write(lg, gpa, len);
}

bool vfu_reset_owner(struct vfu_conn *c)
{
	/* "It is recommended that back-ends either ignore this message, or
	 * use it to disable all rings." */
	if (vfu_fault_on(c, VFU_FAULT_RESET_OWNER_RESETS)) {
		vfu_conn_log(c, "fault: RESET_OWNER resets the device (connection state discarded)");
		return false;
	}
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		vfu_conn_ring(c, i)->enabled = false;
	return true;
}

bool vfu_inband_unusable(struct vfu_conn *c, uint64_t pf)
{
	/* "As it has no other way of signalling this error, the back-end
	 * should close the connection as a response to a
	 * VHOST_USER_SET_PROTOCOL_FEATURES message that sets the in-band
	 * notifications feature flag without the other two." */
	const uint64_t need = VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_REPLY_ACK);
	if (!(pf & VU_BIT(VU_PF_INBAND_NOTIFICATIONS)) || (pf & need) == need)
		return false;
	if (vfu_fault_on(c, VFU_FAULT_INBAND_ACCEPTED)) {
		vfu_conn_log(c, "fault: INBAND_NOTIFICATIONS accepted without BACKEND_REQ and REPLY_ACK");
		return false;
	}
	vfu_conn_log(c, "INBAND_NOTIFICATIONS set without BACKEND_REQ and REPLY_ACK; closing");
	return true;
}
