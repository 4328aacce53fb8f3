/* The enabled/disabled state of a ring as the back-end must keep it
 * (vhost-user.rst, Ring states):
 * - no-protocol-features (VU-BE-12): a front-end that does not ack
 *   PROTOCOL_FEATURES never sends SET_VRING_ENABLE; SET_FEATURES enabled
 *   every ring, so the data path works;
 * - disabled-ring (VU-BE-13, net): a started, disabled ring pair consumes
 *   and drops TX and supplies no RX; enabled again, it runs normally;
 * - enable-while-stopped (VU-BE-14): rings started disabled, stopped,
 *   enabled while stopped and started again run normally. */
#include "fakes/frontend/fe_int.h"

#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* How long a disabled RX ring is watched for a packet it must not get. */
#define QUIET_MS 500

static int driver_ok(struct vfe_conn *c)
{
	if (!vfe_pf(c, VU_PF_STATUS))
		return 0;
	return vfe_set_u64(c, VU_SET_STATUS,
			   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
				   VIRTIO_STATUS_DRIVER_OK) == 0
		       ? 0
		       : -1;
}

/* Rings 0..n-1 laid out fresh, set up (started by SET_VRING_KICK) and
 * explicitly disabled, DRIVER_OK. */
static int start_disabled(struct vfe_conn *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (vfe_ring_prepare(c, i, VFE_RING_NUM) || vfe_ring_setup(c, i, VFE_RING_NUM, 0)) {
			vfe_why(c, "cannot set up ring %u", i);
			return -1;
		}
		c->ring[i].started = true;
	}
	for (uint32_t i = 0; i < n; i++)
		if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 0) != 0)
			return -1;
	c->nrings = n;
	return driver_ok(c);
}

int vfe_sc_no_protocol_features(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	uint32_t n = vfe_conn_rings(c);
	if (!c->nmem && vfe_mem_add(c, 0, VFE_MEM_SIZE) < 0)
		return -1;
	c->queue_num = n;
	/* An old front-end: GET_FEATURES, SET_OWNER, SET_FEATURES without
	 * bit 30 (and no protocol feature requests at all), the table. */
	if (vfe_get_u64(c, VU_GET_FEATURES, &c->features))
		return -1;
	c->acked = c->features & VU_BIT(VU_F_VERSION_1);
	if (vfe_set(c, VU_SET_OWNER, NULL, 0, NULL, 0) != 0 || vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0 ||
	    vfe_send_memtable(c))
		return -1;
	/* vfe_go_live sends no SET_VRING_ENABLE without bit 30 */
	if (vfe_start(c, VFE_QEMU, n))
		return -1;
	int r = vfe_data_path(c);
	if (r < 0)
		return -1;
	vfe_run_verdict(c->run, VC_R_VU_BE_12, r == 0,
			"PROTOCOL_FEATURES not acked, no SET_VRING_ENABLE: the rings did not run (%s)",
			vfe_run_device(c->run) == VFE_DEV_NET ? "TX frame not consumed" : "sector not written and read back");
	if (vfe_stop(c, VFE_QEMU, n))
		return -1;
	if (r)
		vfe_why(c, "rings not enabled by SET_FEATURES without PROTOCOL_FEATURES");
	return r;
}

/* Waits ms for ring i's used index to move from what it is; true if it did. */
static bool used_moves(struct vfe_conn *c, uint32_t i, int ms)
{
	uint16_t before = vfe_ring_used_idx(c, i);
	for (int waited = 0; waited < ms; waited += 50) {
		struct pollfd p = { .fd = c->ring[i].call, .events = POLLIN };
		if (poll(&p, 1, 50) > 0) {
			uint64_t v;
			if (read(c->ring[i].call, &v, sizeof v) < 0) {
				/* drained by someone else: the index says */
			}
		}
		if (vfe_ring_used_idx(c, i) != before)
			return true;
	}
	return false;
}

int vfe_sc_disabled_ring(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int pre = vfe_init_needing(c, 0, VU_BIT(VU_F_PROTOCOL_FEATURES),
				   "PROTOCOL_FEATURES not offered: no ring can be disabled");
	if (pre)
		return pre;
	if (start_disabled(c, 2))
		return -1;
	if (c->ring[0].packed)
		return -2;
	/* RX buffers, then a TX frame, both kicked, above the data path's. */
	uint64_t base = c->mem[0].gpa + VFE_BUF_AREA + 0x80000;
	uint8_t *p = vfe_gpa(c, base, 0x4000);
	if (!p)
		return -1;
	memset(p, 0, 0x4000);
	for (unsigned k = 0; k < 4; k++) {
		uint64_t g = base + k * 2048;
		uint32_t l = 2048;
		vfe_ring_add(c, 0, &g, &l, 0, 1);
	}
	vfe_ring_kick(c, 0);
	uint8_t *tx = p + 0x2000;
	memset(tx + 12, 0xff, 6); /* broadcast after the 12-byte header */
	memcpy(tx + 12 + 6, "\x52\x54\x00\x12\x34\x57", 6);
	memcpy(tx + 12 + 12, "\x88\xb5", 2);
	uint64_t g = base + 0x2000;
	uint32_t l = 12 + 64;
	vfe_ring_add(c, 1, &g, &l, 1, 0);
	vfe_ring_kick(c, 1);
	bool tx_done = vfe_ring_wait_used(c, 1, 1, c->timeout_ms);
	bool rx_done = vfe_ring_used_idx(c, 0) != 0 || used_moves(c, 0, QUIET_MS);
	vfe_run_verdict(c->run, VC_R_VU_BE_13, tx_done && !rx_done,
			"net, rings 0-1 started and disabled: %s%s%s",
			tx_done ? "" : "the TX frame was not consumed (must be processed and discarded)",
			!tx_done && rx_done ? "; " : "", rx_done ? "an RX buffer was used (a packet supplied)" : "");
	/* Enabled again: processed normally (VU-BE-06). */
	for (uint32_t i = 0; i < 2; i++)
		if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 1) != 0)
			return -1;
	int r = vfe_data_net(c);
	if (r < 0 || vfe_stop(c, VFE_QEMU, 2))
		return -1;
	if (!tx_done || rx_done)
		vfe_why(c, "a disabled ring %s", !tx_done ? "kept its TX frame" : "supplied RX");
	else if (r)
		vfe_why(c, "the rings did not run once enabled");
	return !tx_done || rx_done || r ? 1 : 0;
}

int vfe_sc_enable_while_stopped(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	uint32_t n = vfe_conn_rings(c);
	int pre = vfe_init_needing(c, 0, VU_BIT(VU_F_PROTOCOL_FEATURES),
				   "PROTOCOL_FEATURES not offered: no ring can be disabled");
	if (pre)
		return pre;
	if (start_disabled(c, n))
		return -1;
	if (c->ring[0].packed)
		return -2;
	uint32_t base[VFE_MAX_RINGS];
	for (uint32_t i = 0; i < n; i++) {
		if (vfe_get_vring_base(c, i, &base[i]))
			return -1;
		vfe_check_split_base(c, i, base[i]);
	}
	/* Stopped: enable every ring, then start them again where they were. */
	for (uint32_t i = 0; i < n; i++)
		if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 1) != 0)
			return -1;
	for (uint32_t i = 0; i < n; i++) {
		if (c->ring[i].kick < 0)
			c->ring[i].kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->ring[i].kick < 0 || vfe_ring_setup(c, i, VFE_RING_NUM, base[i]))
			return -1;
		vfe_ring_kick(c, i);
	}
	int r = vfe_data_path(c);
	if (r < 0)
		return -1;
	vfe_run_verdict(c->run, VC_R_VU_BE_14, r == 0,
			"rings enabled while stopped did not run once started again (%s)",
			d == VFE_DEV_NET ? "TX frame not consumed" : "sector not written and read back");
	if (vfe_stop(c, VFE_QEMU, n))
		return -1;
	if (r)
		vfe_why(c, "SET_VRING_ENABLE sent while stopped did not take effect at the start");
	return r;
}
