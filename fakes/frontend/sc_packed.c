/* Packed-ring scenarios (VIRTIO 1.2, 2.8): the driver acks
 * VIRTIO_F_RING_PACKED, lays its rings out packed, starts them at
 * 0x80008000, and checks the data path (VU-BE-06) and, at every stop, that
 * GET_VRING_BASE gives the positions and wrap counters it saw the device
 * reach (VU-PACK-04, in vfe_stop). n/a when the back-end does not offer
 * RING_PACKED. */
#include "fakes/frontend/fe_int.h"

#include <string.h>
#include <sys/eventfd.h>

/* Small rings, so a few requests run past the end and flip the wrap
 * counters. */
#define SMALL_RING 8u
/* TX frames per phase of stop-resume: more than a ring. */
#define FRAMES 10u
#define FRAME 64u

static int init_packed(struct vfe_conn *c)
{
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d) | VU_BIT(VU_F_RING_PACKED),
		     vfe_default_pf()))
		return -1;
	if (!(c->acked & VU_BIT(VU_F_RING_PACKED))) {
		vfe_why(c, "the back-end does not offer RING_PACKED");
		return -2;
	}
	return 0;
}

int vfe_sc_packed_datapath(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int r = init_packed(c);
	if (r)
		return r;
	if (vfe_start(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	enum vfe_device d = vfe_run_device(c->run);
	r = d == VFE_DEV_NET ? vfe_data_net(c) : vfe_data_blk(c);
	if (r < 0)
		return -1;
	if (vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	if (r > 0)
		vfe_why(c, "packed data path: buffers not processed");
	return r;
}

/* net: FRAMES frames on TX ring 1, one at a time, each waited for. */
static int tx_frames(struct vfe_conn *c)
{
	uint64_t tx = c->mem[0].gpa + VFE_BUF_AREA + 0x30000;
	uint8_t *p = vfe_gpa(c, tx, VC_NET_HDR_BYTES + FRAME);
	if (!p)
		return -1;
	memset(p, 0, VC_NET_HDR_BYTES);
	memset(p + VC_NET_HDR_BYTES, 0xff, 6);
	memcpy(p + VC_NET_HDR_BYTES + 6, "\x52\x54\x00\x12\x34\x57", 6);
	memcpy(p + VC_NET_HDR_BYTES + 12, "\x88\xb5", 2);
	bool ok = true;
	for (unsigned k = 0; k < FRAMES && ok; k++) {
		uint64_t g = tx;
		uint32_t l = VC_NET_HDR_BYTES + FRAME;
		uint16_t before = vfe_ring_used_idx(c, 1);
		if (vfe_ring_add(c, 1, &g, &l, 1, 0) < 0)
			return -1;
		vfe_ring_kick(c, 1);
		ok = vfe_ring_wait_used(c, 1, (uint16_t)(before + 1), c->timeout_ms);
	}
	vfe_run_verdict(c->run, VC_R_VU_BE_06, ok,
			"net: a TX frame on packed ring 1 (position %u wrap %d) was not used within %d ms",
			c->ring[1].used_pos, c->ring[1].used_wrap, c->timeout_ms);
	return ok ? 0 : 1;
}

/* One phase of traffic: net frames, or two blk write+read rounds (12
 * descriptors). */
static int traffic(struct vfe_conn *c)
{
	if (vfe_run_device(c->run) == VFE_DEV_NET)
		return tx_frames(c);
	int r = vfe_data_blk(c);
	return r ? r : vfe_data_blk(c);
}

/* Rings 0..n-1 from the given state words (memory kept), enabled, status
 * DRIVER_OK, kicked. */
static int start_from(struct vfe_conn *c, uint32_t n, const uint32_t *base)
{
	for (uint32_t i = 0; i < n; i++) {
		/* a stop closed the kick fd: a restart sends a new one */
		if (c->ring[i].kick < 0)
			c->ring[i].kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->ring[i].kick < 0 || vfe_ring_setup(c, i, SMALL_RING, base[i]))
			return -1;
	}
	return vfe_go_live(c, n);
}

/* Stop every ring, keeping what GET_VRING_BASE returned (vfe_stop's
 * sequence; the check of each word against the driver's positions is
 * VU-PACK-04 there). */
static int stop_keep(struct vfe_conn *c, uint32_t n, uint32_t *base)
{
	for (uint32_t i = 0; i < n; i++) {
		if (vfe_get_vring_base(c, i, &base[i]))
			return -1;
		vfe_check_packed_base(c, i, base[i]);
	}
	if (vfe_pf(c, VU_PF_STATUS) && vfe_set_u64(c, VU_SET_STATUS, 0) != 0)
		return -1;
	return 0;
}

/* QEMU's restart: the state the back-end returned goes back in
 * SET_VRING_BASE. A back-end that returned a wrong used half then writes
 * used descriptors where, or with a wrap counter, the driver does not look:
 * the second phase's traffic is not seen used (VU-BE-06). */
int vfe_sc_packed_stop_resume(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int r = init_packed(c);
	if (r)
		return r;
	uint32_t n = vfe_conn_rings(c), base[VFE_MAX_RINGS];
	for (uint32_t i = 0; i < n; i++) {
		if (vfe_ring_prepare(c, i, SMALL_RING)) {
			vfe_why(c, "cannot lay out ring %u", i);
			return -1;
		}
		base[i] = VU_PACKED_FRESH;
	}
	int t1 = -1, t2 = -1;
	if (start_from(c, n, base) || (t1 = traffic(c)) < 0 || stop_keep(c, n, base))
		return -1;
	if (start_from(c, n, base) || (t2 = traffic(c)) < 0 || stop_keep(c, n, base))
		return -1;
	if (t1 || t2) {
		vfe_why(c, "packed ring: traffic %s the restart not used", t1 ? "before" : "after");
		return 1;
	}
	return 0;
}
