/* The two reset requests as the back-end must take them:
 * - reset-device (VU-BE-17): after RESET_DEVICE the back-end "retains
 *   ownership" and is "ready to be reinitialized": the driver sets the
 *   features, the memory table and the rings again with no SET_OWNER and
 *   the data path runs;
 * - reset-owner (VU-BE-18): RESET_OWNER is deprecated; a back-end should
 *   "either ignore this message, or use it to disable all rings": the
 *   driver enables every ring again, with no other set-up, and the data
 *   path runs. A back-end that discards the connection state fails it.
 * A failure here is this scenario's own finding (return 1): the sequence
 * after a reset is not one VU-BE-05 holds every back-end to. */
#include "fakes/frontend/fe_int.h"

/* The reset request itself: 0 taken (acked 0, or sent without an ack),
 * 1 refused or the connection closed (why set). */
static int send_reset(struct vfe_conn *c, uint32_t req, const char *name)
{
	int64_t r = vfe_set(c, req, NULL, 0, NULL, 0);
	if (r == 0)
		return 0;
	vfe_why(c, "%s %s", name, c->eof ? "closed the connection" : r > 0 ? "was refused (error ack)" : "got no answer");
	return 1;
}

/* The rings started and the data path run once, before the reset: 0, -1,
 * or -2 on packed rings (skipped). */
static int running(struct vfe_conn *c, uint32_t n)
{
	if (vfe_start(c, VFE_QEMU, n))
		return -1;
	if (c->ring[0].packed)
		return -2;
	return vfe_data_path(c) < 0 ? -1 : 0;
}

int vfe_sc_reset_device(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	uint32_t n = vfe_conn_rings(c);
	int pre = vfe_init_needing(c, VU_BIT(VU_PF_RESET_DEVICE), 0, "RESET_DEVICE not offered");
	if (pre || (pre = running(c, n)))
		return pre;
	bool ok = send_reset(c, VU_RESET_DEVICE, "RESET_DEVICE") == 0;
	/* Reinitialised as after a device reset: no SET_OWNER, fresh rings. */
	if (ok && (vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0 || vfe_send_memtable(c))) {
		vfe_why(c, "the set-up after RESET_DEVICE (SET_FEATURES, SET_MEM_TABLE, no SET_OWNER) was refused");
		ok = false;
	}
	if (ok && vfe_start(c, VFE_QEMU, n)) {
		vfe_why(c, "the rings could not be set up again after RESET_DEVICE");
		ok = false;
	}
	int r = ok ? vfe_data_path(c) : 1;
	if (r < 0)
		return -1;
	if (ok && r)
		vfe_why(c, "after RESET_DEVICE and a new set-up the rings did not run");
	vfe_run_verdict(c->run, VC_R_VU_BE_17, r == 0, "reinitialised after RESET_DEVICE without SET_OWNER: %s", c->why);
	if (r == 0 && vfe_stop(c, VFE_QEMU, n))
		return -1;
	return r ? 1 : 0;
}

int vfe_sc_reset_owner(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	uint32_t n = vfe_conn_rings(c);
	int pre = vfe_init_needing(c, 0, VU_BIT(VU_F_PROTOCOL_FEATURES),
				   "PROTOCOL_FEATURES not offered: rings cannot be enabled again");
	if (pre || (pre = running(c, n)))
		return pre;
	/* Refusing a deprecated request is ignoring it: only a close fails. */
	int64_t a = vfe_set(c, VU_RESET_OWNER, NULL, 0, NULL, 0);
	bool ok = a >= 0 || !c->eof;
	if (!ok)
		vfe_why(c, "RESET_OWNER closed the connection");
	for (uint32_t i = 0; ok && i < n; i++)
		if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 1) != 0) {
			vfe_why(c, "SET_VRING_ENABLE %u after RESET_OWNER was refused", i);
			ok = false;
		}
	int r = ok ? vfe_data_path(c) : 1;
	if (r < 0)
		return -1;
	if (ok && r)
		vfe_why(c, "after RESET_OWNER and SET_VRING_ENABLE the rings did not run: connection state discarded");
	vfe_run_verdict(c->run, VC_R_VU_BE_18, r == 0, "RESET_OWNER: %s", c->why);
	if (r == 0 && vfe_stop(c, VFE_QEMU, n))
		return -1;
	return r ? 1 : 0;
}
