/* Starting and stopping rings as the back-end sees it. A stopped ring
 * (VU-BE-08): the driver runs the data path, stops every ring with
 * GET_VRING_BASE but keeps its kick eventfds, then makes a buffer
 * available on each stopped ring and kicks it through the back-end's copy
 * of the fd: the used ring must stay as it was and the call eventfd
 * silent. A ring started without a kick (VU-BE-10): buffers made available
 * before SET_VRING_KICK are processed with no kick at all. */
#include "fakes/frontend/fe_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a stopped ring is watched: long enough for a polling back-end
 * (DPDK) to have taken the buffer many times over. */
#define QUIET_MS 500

/* Reads the eventfd down to 0; true if it had been signalled. */
static bool drain_eventfd(int fd)
{
	uint64_t v;
	bool any = false;
	while (fd >= 0 && read(fd, &v, sizeof v) == (ssize_t)sizeof v)
		any = true;
	return any;
}

/* One buffer on stopped ring i, the kind the device would take there:
 * net RX (even) one writable buffer, net TX (odd) a frame; blk a read of
 * sector 0. Placed above the data path's buffers. */
static void post_one(struct vfe_conn *c, uint32_t i, enum vfe_device d)
{
	uint64_t base = c->mem[0].gpa + VFE_BUF_AREA + 0x40000 + (uint64_t)i * 0x2000;
	uint8_t *p = vfe_gpa(c, base, 0x2000);
	if (!p)
		return;
	memset(p, 0, 0x2000);
	if (d == VFE_DEV_BLK) {
		/* header (type IN, sector 0), data, status */
		uint64_t g[3] = { base, base + 0x200, base + 0x400 };
		uint32_t l[3] = { 16, 512, 1 };
		vfe_ring_add(c, i, g, l, 1, 2);
	} else if (i % 2 == 0) {
		uint64_t g = base;
		uint32_t l = 2048;
		vfe_ring_add(c, i, &g, &l, 0, 1);
	} else {
		memset(p + 12, 0xff, 6); /* broadcast after the 12-byte header */
		uint64_t g = base;
		uint32_t l = 12 + 64;
		vfe_ring_add(c, i, &g, &l, 1, 0);
	}
}

int vfe_sc_stopped_quiet(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	uint32_t n = vfe_device_rings(d);
	if (n > VFE_MAX_RINGS)
		n = VFE_MAX_RINGS;
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()) || vfe_start(c, VFE_QEMU, n))
		return -1;
	if (c->ring[0].packed)
		return -2;
	/* Traffic first: a ring that ran is the one that might keep running. */
	if ((d == VFE_DEV_NET ? vfe_data_net(c) : vfe_data_blk(c)) < 0)
		return -1;
	c->keep_kick = true;
	int rc = vfe_stop(c, VFE_QEMU, n);
	c->keep_kick = false;
	if (rc)
		return -1;
	uint8_t *snap[VFE_MAX_RINGS] = { 0 }, *msnap[VFE_MAX_MEM] = { 0 };
	bool called[VFE_MAX_RINGS] = { 0 };
	int ret = 0;
	for (uint32_t i = 0; i < n && i < VFE_MAX_RINGS; i++) {
		uint64_t len = vu_used_bytes(c->ring[i].num);
		uint8_t *u = vfe_gpa(c, c->ring[i].used, len);
		snap[i] = u ? malloc(len) : NULL;
		if (!snap[i]) {
			ret = -1;
			goto out;
		}
		memcpy(snap[i], u, len);
		/* signals from before the reply (drain completions) are allowed */
		drain_eventfd(c->ring[i].call);
		post_one(c, i, d);
	}
	/* The whole guest memory as the driver left it (VU-BE-16). */
	for (unsigned k = 0; k < c->nmem && k < VFE_MAX_MEM; k++) {
		msnap[k] = malloc(c->mem[k].size);
		if (!msnap[k]) {
			ret = -1;
			goto out;
		}
		memcpy(msnap[k], c->mem[k].map, c->mem[k].size);
	}
	for (uint32_t i = 0; i < n && i < VFE_MAX_RINGS; i++) {
		/* The back-end's copy of the kick fd; not vfe_ring_kick: the
		 * ring is not started by this. */
		uint64_t one = 1;
		if (c->ring[i].kick >= 0 && write(c->ring[i].kick, &one, sizeof one) != (ssize_t)sizeof one)
			vfe_why(c, "kick of stopped ring %u failed: %s", i, strerror(errno));
	}
	/* Watch the call fds for the quiet window. */
	struct pollfd pf[VFE_MAX_RINGS];
	for (uint32_t i = 0; i < n; i++)
		pf[i] = (struct pollfd){ .fd = c->ring[i].call, .events = POLLIN };
	for (int waited = 0; waited < QUIET_MS; waited += 50) {
		if (poll(pf, n, 50) > 0)
			for (uint32_t i = 0; i < n; i++)
				if (pf[i].revents & POLLIN) {
					called[i] = true;
					pf[i].fd = -1;
				}
	}
	bool quiet = true;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t len = vu_used_bytes(c->ring[i].num);
		uint8_t *u = vfe_gpa(c, c->ring[i].used, len);
		bool same = u && !memcmp(u, snap[i], len);
		called[i] |= drain_eventfd(c->ring[i].call);
		bool ok = same && !called[i];
		quiet &= ok;
		vfe_run_verdict(c->run, VC_R_VU_BE_08, ok,
				"stopped ring %u: a buffer made available and kicked after GET_VRING_BASE was %s%s%s",
				i, same ? "" : "processed (used ring written)", !same && called[i] ? " and " : "",
				called[i] ? "followed by a call signal" : "");
	}
	/* Suspended: no byte of guest memory written (VU-BE-16). */
	bool untouched = true;
	for (unsigned k = 0; k < c->nmem && k < VFE_MAX_MEM && untouched; k++) {
		if (!memcmp(msnap[k], c->mem[k].map, c->mem[k].size))
			continue;
		uint64_t off = 0;
		while (off < c->mem[k].size && msnap[k][off] == c->mem[k].map[off])
			off++;
		untouched = false;
		vfe_run_verdict(c->run, VC_R_VU_BE_16, false,
				"every ring stopped: guest memory at gpa 0x%" PRIx64 " (region %u) was written while buffers were made available and kicked",
				c->mem[k].gpa + off, k);
	}
	if (untouched)
		vfe_run_verdict(c->run, VC_R_VU_BE_16, true, "suspended device wrote guest memory");
	if (!quiet || !untouched) {
		vfe_why(c, "a stopped ring was processed");
		ret = 1;
	}
out:
	for (uint32_t i = 0; i < VFE_MAX_RINGS; i++)
		free(snap[i]);
	for (unsigned k = 0; k < VFE_MAX_MEM; k++)
		free(msnap[k]);
	return ret;
}

int vfe_sc_start_without_kick(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	uint32_t n = vfe_device_rings(d);
	if (n > VFE_MAX_RINGS)
		n = VFE_MAX_RINGS;
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()))
		return -1;
	/* The ring the device consumes by itself: net TX (1), blk 0. */
	uint32_t k = d == VFE_DEV_NET ? 1 : 0;
	for (uint32_t i = 0; i < n; i++)
		if (vfe_ring_prepare(c, i, VFE_RING_NUM))
			return -1;
	if (c->ring[k].packed)
		return -2;
	post_one(c, k, d);
	for (uint32_t i = 0; i < n; i++)
		if (vfe_ring_setup(c, i, VFE_RING_NUM, 0))
			return -1;
	if (vfe_enable_rings(c, n))
		return -1;
	/* Started (by SET_VRING_KICK), never kicked. */
	for (uint32_t i = 0; i < n; i++)
		c->ring[i].started = true;
	c->nrings = n;
	bool used = vfe_ring_wait_used(c, k, 1, c->timeout_ms);
	vfe_run_verdict(c->run, VC_R_VU_BE_10, used,
			"ring %u: a buffer made available before SET_VRING_KICK was not used within %d ms without a kick",
			k, c->timeout_ms);
	if (vfe_stop(c, VFE_QEMU, n))
		return -1;
	if (!used)
		vfe_why(c, "ring %u waits for a kick after SET_VRING_KICK", k);
	return used ? 0 : 1;
}
