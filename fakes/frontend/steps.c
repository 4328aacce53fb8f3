/* Request sequences: negotiation, memory table, ring start and stop in the
 * order QEMU 7.2 or DPDK virtio-user sends them, and the replay of a real
 * recording's request sequence with the driver's own memory and fds. */
#include "fakes/frontend/fe_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

uint64_t vfe_default_features(enum vfe_device d)
{
	(void)d;
	return VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES);
}

uint64_t vfe_default_pf(void)
{
	return VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_LOG_SHMFD) |
	       VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_INFLIGHT_SHMFD) | VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
	       VU_BIT(VU_PF_STATUS);
}

uint32_t vfe_device_rings(enum vfe_device d)
{
	switch (d) {
	case VFE_DEV_NET: return 2;  /* one queue pair */
	case VFE_DEV_BLK: return 1;
	case VFE_DEV_FS: return 2;   /* hiprio + one request queue */
	case VFE_DEV_GPU: return 2;  /* control + cursor */
	default: return 1;
	}
}

uint32_t vfe_conn_rings(struct vfe_conn *c)
{
	uint32_t n = vfe_device_rings(vfe_run_device(c->run));
	return n > VFE_MAX_RINGS ? VFE_MAX_RINGS : n;
}

int vfe_init_needing(struct vfe_conn *c, uint64_t pf, uint64_t f, const char *why)
{
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()))
		return -1;
	if ((c->pf & pf) != pf || (c->acked & f) != f) {
		vfe_why(c, "%s", why);
		return -2;
	}
	return 0;
}

static int negotiate_features(struct vfe_conn *c, uint64_t want)
{
	if (vfe_get_u64(c, VU_GET_FEATURES, &c->features))
		return -1;
	c->acked = c->features & want;
	return 0;
}

static int negotiate_pf(struct vfe_conn *c, uint64_t want_pf)
{
	if (!(c->features & VU_BIT(VU_F_PROTOCOL_FEATURES)))
		return 0;
	if (vfe_get_u64(c, VU_GET_PROTOCOL_FEATURES, &c->pf))
		return -1;
	c->pf_acked = c->pf & want_pf;
	/* SET_PROTOCOL_FEATURES itself is acked only once REPLY_ACK is in force. */
	if (vfe_set_u64(c, VU_SET_PROTOCOL_FEATURES, c->pf_acked) < 0)
		return -1;
	c->pf_ok = true;
	if (vfe_pf(c, VU_PF_MQ)) {
		uint64_t q;
		if (vfe_get_u64(c, VU_GET_QUEUE_NUM, &q))
			return -1;
		c->queue_num = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
	}
	if (vfe_pf(c, VU_PF_CONFIGURE_MEM_SLOTS)) {
		uint64_t s;
		if (vfe_get_u64(c, VU_GET_MAX_MEM_SLOTS, &s))
			return -1;
		c->max_slots = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	return 0;
}

int vfe_send_memtable(struct vfe_conn *c)
{
	uint8_t pl[VU_MEM_TABLE_HDR + VU_MEM_BASELINE_REGIONS * VU_MEM_REGION_SIZE];
	int fds[VU_MEM_BASELINE_REGIONS];
	unsigned n = c->nmem > VU_MEM_BASELINE_REGIONS ? VU_MEM_BASELINE_REGIONS : c->nmem;
	uint32_t len = vfe_memtable(c, 0, n, pl, fds);
	int64_t r = vfe_set(c, VU_SET_MEM_TABLE, pl, len, fds, n);
	return r == 0 ? 0 : -1;
}

static int ensure_memory(struct vfe_conn *c)
{
	if (c->nmem)
		return 0;
	if (vfe_mem_add(c, 0, VFE_MEM_SIZE) < 0) {
		vfe_why(c, "cannot create guest memory");
		return -1;
	}
	return 0;
}

static int set_features(struct vfe_conn *c)
{
	return vfe_set_u64(c, VU_SET_FEATURES, c->acked) == 0 ? 0 : -1;
}

int vfe_init(struct vfe_conn *c, enum vfe_flavour fl, uint64_t want_features, uint64_t want_pf)
{
	if (ensure_memory(c))
		return -1;
	if (!c->queue_num)
		c->queue_num = vfe_device_rings(vfe_run_device(c->run));
	if (fl == VFE_DPDK) {
		/* virtio-user: SET_OWNER first, then the features. */
		if (vfe_send(c, VU_SET_OWNER, 0, NULL, 0, NULL, 0))
			return -1;
		if (negotiate_features(c, want_features) || negotiate_pf(c, want_pf))
			return -1;
	} else {
		if (negotiate_features(c, want_features) || negotiate_pf(c, want_pf))
			return -1;
		if (vfe_set(c, VU_SET_OWNER, NULL, 0, NULL, 0) != 0)
			return -1;
	}
	if (set_features(c))
		return -1;
	return vfe_send_memtable(c);
}

static int set_vring_fd(struct vfe_conn *c, uint32_t req, uint32_t i, int fd)
{
	uint8_t pl[8];
	vu_wr64(pl, i);
	return vfe_set(c, req, pl, sizeof pl, &fd, 1) == 0 ? 0 : -1;
}

int vfe_ring_setup(struct vfe_conn *c, uint32_t i, uint32_t num, uint32_t base)
{
	struct vu_addr_pl a;
	vfe_ring_addr(c, i, &a);
	/* the used index before the back-end can move it (it may process at
	 * SET_VRING_KICK already) */
	uint16_t used0 = c->ring[i].packed ? 0 : vfe_ring_used_idx(c, i);
	uint8_t pl[40];
	vu_enc_addr(pl, sizeof pl, &a);
	if (vfe_set_state(c, VU_SET_VRING_NUM, i, num) != 0 ||
	    vfe_set_state(c, VU_SET_VRING_BASE, i, base) != 0 ||
	    vfe_set(c, VU_SET_VRING_ADDR, pl, sizeof pl, NULL, 0) != 0)
		return -1;
	if (set_vring_fd(c, VU_SET_VRING_CALL, i, c->ring[i].call) ||
	    set_vring_fd(c, VU_SET_VRING_KICK, i, c->ring[i].kick))
		return -1;
	struct vfe_vring *r = &c->ring[i];
	r->base_known = !r->packed;
	r->set_base = (uint16_t)base;
	r->used0 = used0;
	return 0;
}

static int start_ring(struct vfe_conn *c, uint32_t i, uint32_t num)
{
	if (vfe_ring_prepare(c, i, num)) {
		vfe_why(c, "cannot lay out ring %u", i);
		return -1;
	}
	/* a fresh ring: split index 0; packed 0/0 with both wrap counters 1 */
	return vfe_ring_setup(c, i, num, c->ring[i].packed ? VU_PACKED_FRESH : 0);
}

int vfe_start(struct vfe_conn *c, enum vfe_flavour fl, uint32_t n)
{
	if (n > VFE_MAX_RINGS)
		n = VFE_MAX_RINGS;
	for (uint32_t i = 0; i < n; i++)
		if (start_ring(c, i, VFE_RING_NUM))
			return -1;
	(void)fl;
	return vfe_go_live(c, n);
}

int vfe_enable_rings(struct vfe_conn *c, uint32_t n)
{
	/* SET_VRING_ENABLE exists only with PROTOCOL_FEATURES negotiated;
	 * without it the rings start enabled (vhost-user.rst, Ring states). */
	if (c->acked & VU_BIT(VU_F_PROTOCOL_FEATURES))
		for (uint32_t i = 0; i < n; i++)
			if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 1) != 0)
				return -1;
	if (vfe_pf(c, VU_PF_STATUS) &&
	    vfe_set_u64(c, VU_SET_STATUS,
			VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
				VIRTIO_STATUS_DRIVER_OK) != 0)
		return -1;
	return 0;
}

int vfe_go_live(struct vfe_conn *c, uint32_t n)
{
	if (vfe_enable_rings(c, n))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		vfe_ring_kick(c, i);
	c->nrings = n;
	return 0;
}

void vfe_check_packed_base(struct vfe_conn *c, uint32_t i, uint32_t base)
{
	if (i >= VFE_MAX_RINGS || !c->ring[i].packed || !c->ring[i].num)
		return;
	uint32_t want;
	bool ok = vfe_ring_packed_state_ok(c, i, base, &want);
	char got_s[64], want_s[64];
	vfe_run_verdict(c->run, VC_R_VU_PACK_04, ok,
			"packed ring %u stopped: GET_VRING_BASE 0x%08x (%s), the driver saw 0x%08x (%s) with %u descriptors in flight",
			i, base, vu_packed_base_str(base, got_s, sizeof got_s), want,
			vu_packed_base_str(want, want_s, sizeof want_s), c->ring[i].inflight);
}

void vfe_check_split_base(struct vfe_conn *c, uint32_t i, uint32_t base)
{
	if (i >= VFE_MAX_RINGS || c->ring[i].packed || !c->ring[i].num || !c->ring[i].base_known)
		return;
	const struct vfe_vring *r = &c->ring[i];
	/* Each avail entry the device takes is one chain and ends as one used
	 * element, so once drained both counts moved alike (16-bit wrap). */
	uint16_t took = (uint16_t)(base - r->set_base);
	uint16_t used = (uint16_t)(vfe_ring_used_idx(c, i) - r->used0);
	uint16_t offered = (uint16_t)(r->avail_idx - r->set_base);
	bool ok = base <= 0xffff && took == used && took <= offered;
	vfe_run_verdict(c->run, VC_R_VU_BE_07, ok,
			"split ring %u stopped: GET_VRING_BASE %u, but from base %u the device used %u buffers of the %u the driver made available (want %u)",
			i, base, r->set_base, used, offered, (uint16_t)(r->set_base + used));
}

int vfe_stop(struct vfe_conn *c, enum vfe_flavour fl, uint32_t n)
{
	if (fl == VFE_DPDK && (c->acked & VU_BIT(VU_F_PROTOCOL_FEATURES)))
		for (uint32_t i = 0; i < n; i++)
			if (vfe_set_state(c, VU_SET_VRING_ENABLE, i, 0) != 0)
				return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t base;
		if (vfe_get_vring_base(c, i, &base))
			return -1;
		vfe_check_packed_base(c, i, base);
		vfe_check_split_base(c, i, base);
	}
	/* The correct order (not QEMU 7.2's, bug B13): status 0 after the rings. */
	if (vfe_pf(c, VU_PF_STATUS) && vfe_set_u64(c, VU_SET_STATUS, 0) != 0)
		return -1;
	return 0;
}

/* ---- replay ---- */

static bool gate_ok(const struct vfe_conn *c, const struct vu_request_info *ri)
{
	switch (ri->gate.kind) {
	case VU_GATE_PROTOCOL:
	case VU_GATE_OFFERED_PROTOCOL: return vfe_pf(c, ri->gate.bit);
	case VU_GATE_FEATURE: return (c->acked & VU_BIT(ri->gate.bit)) != 0;
	case VU_GATE_OFFERED_FEATURE: return (c->features & VU_BIT(ri->gate.bit)) != 0;
	default: return true;
	}
}

static int backend_channel(struct vfe_conn *c)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	int r = vfe_set(c, VU_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1) == 0 ? 0 : -1;
	close(sv[1]);
	if (r == 0) {
		vfe_set_backend(c, sv[0]);
	} else {
		close(sv[0]);
	}
	return r;
}

int vfe_replay(struct vfe_conn *c, const struct vfe_recording *rec, unsigned from, unsigned to)
{
	if (ensure_memory(c))
		return -1;
	if (!c->queue_num)
		c->queue_num = vfe_device_rings(vfe_run_device(c->run));
	unsigned add_reg = 0;
	for (unsigned k = from; k < to && k < rec->nsteps; k++) {
		const struct vfe_rec_step *s = &rec->steps[k];
		const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, s->req);
		if (!ri)
			continue;
		if (s->req != VU_GET_PROTOCOL_FEATURES && s->req != VU_SET_PROTOCOL_FEATURES && !gate_ok(c, ri))
			continue;
		if (ri->payload_has_index || s->req == VU_SET_VRING_KICK || s->req == VU_SET_VRING_CALL ||
		    s->req == VU_SET_VRING_ERR) {
			uint32_t lim = c->queue_num < VFE_MAX_RINGS ? c->queue_num : VFE_MAX_RINGS;
			if (s->index >= lim)
				continue;
		}
		int rc = 0;
		uint64_t u;
		switch (s->req) {
		case VU_GET_FEATURES:
			rc = vfe_get_u64(c, s->req, &c->features);
			break;
		case VU_GET_PROTOCOL_FEATURES:
			if (!(c->features & VU_BIT(VU_F_PROTOCOL_FEATURES)))
				continue;
			rc = vfe_get_u64(c, s->req, &c->pf);
			break;
		case VU_SET_PROTOCOL_FEATURES:
			if (!(c->features & VU_BIT(VU_F_PROTOCOL_FEATURES)))
				continue;
			c->pf_acked = s->value & c->pf;
			rc = vfe_set_u64(c, s->req, c->pf_acked) < 0 ? -1 : 0;
			c->pf_ok = true;
			break;
		case VU_GET_QUEUE_NUM:
			rc = vfe_get_u64(c, s->req, &u);
			if (!rc && u)
				c->queue_num = u > VFE_MAX_RINGS ? VFE_MAX_RINGS : (uint32_t)u;
			break;
		case VU_GET_MAX_MEM_SLOTS:
		case VU_GET_STATUS:
			rc = vfe_get_u64(c, s->req, &u);
			if (s->req == VU_GET_MAX_MEM_SLOTS && !rc)
				c->max_slots = (uint32_t)(u > UINT32_MAX ? UINT32_MAX : u);
			break;
		case VU_SET_BACKEND_REQ_FD:
			rc = backend_channel(c);
			break;
		case VU_SET_FEATURES:
			c->acked = s->value & c->features;
			rc = vfe_set_u64(c, s->req, c->acked) == 0 ? 0 : -1;
			break;
		case VU_SET_STATUS:
			rc = vfe_set_u64(c, s->req, s->value) == 0 ? 0 : -1;
			break;
		case VU_SET_MEM_TABLE:
			add_reg = 0;
			rc = vfe_send_memtable(c);
			break;
		case VU_ADD_MEM_REG: {
			if (add_reg >= c->nmem)
				continue;
			uint8_t pl[8 + VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE];
			int fd;
			vfe_memtable(c, add_reg, 1, pl, &fd);
			/* ADD_MEM_REG: u64 padding then the region (the table's
			 * 8-byte header has the same shape). */
			vu_wr64(pl, 0);
			rc = vfe_set(c, s->req, pl, VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE, &fd, 1) == 0 ? 0 : -1;
			add_reg++;
			break;
		}
		case VU_SET_VRING_NUM:
			if (vfe_ring_prepare(c, s->index, (uint32_t)s->value)) {
				vfe_why(c, "cannot lay out ring %u", s->index);
				return -1;
			}
			rc = vfe_set_state(c, s->req, s->index, (uint32_t)s->value) == 0 ? 0 : -1;
			break;
		case VU_SET_VRING_BASE:
		case VU_SET_VRING_ENABLE:
			rc = vfe_set_state(c, s->req, s->index, (uint32_t)s->value) == 0 ? 0 : -1;
			break;
		case VU_SET_VRING_ADDR: {
			struct vu_addr_pl a;
			if (!c->ring[s->index].num && vfe_ring_prepare(c, s->index, VFE_RING_NUM))
				return -1;
			vfe_ring_addr(c, s->index, &a);
			uint8_t pl[40];
			a.flags = (uint32_t)s->value & VU_VRING_F_LOG;
			vu_enc_addr(pl, sizeof pl, &a);
			rc = vfe_set(c, s->req, pl, sizeof pl, NULL, 0) == 0 ? 0 : -1;
			break;
		}
		case VU_SET_VRING_KICK:
		case VU_SET_VRING_CALL:
		case VU_SET_VRING_ERR: {
			struct vfe_vring *r = &c->ring[s->index];
			if (!r->num && vfe_ring_prepare(c, s->index, VFE_RING_NUM))
				return -1;
			if (r->kick < 0 && vfe_ring_prepare(c, s->index, r->num))
				return -1;
			int fd = s->req == VU_SET_VRING_KICK ? r->kick : s->req == VU_SET_VRING_CALL ? r->call : r->err;
			rc = set_vring_fd(c, s->req, s->index, fd);
			if (!rc && s->req == VU_SET_VRING_KICK)
				vfe_ring_kick(c, s->index);
			break;
		}
		case VU_GET_VRING_BASE: {
			uint32_t base;
			rc = vfe_get_vring_base(c, s->index, &base);
			break;
		}
		case VU_GET_CONFIG: {
			uint8_t pl[VU_CONFIG_HDR + 256] = { 0 };
			uint32_t sz = s->value > 256 ? 256 : (uint32_t)s->value;
			vu_wr32(pl + 4, sz);
			if (vfe_send(c, s->req, 0, pl, VU_CONFIG_HDR + sz, NULL, 0)) {
				rc = -1;
				break;
			}
			struct vfe_msg *m = malloc(sizeof *m);
			if (!m)
				return -1;
			rc = vfe_recv(c, m, s->req) == VFE_RX_MSG ? 0 : -1;
			vfe_msg_close_fds(m);
			free(m);
			break;
		}
		case VU_SET_OWNER:
		default:
			if (ri->reply == VU_REPLY_ALWAYS || ri->req_payload != VU_PL_NONE)
				continue; /* not replayable without the recorded payload */
			rc = vfe_set(c, s->req, NULL, 0, NULL, 0) == 0 ? 0 : -1;
			break;
		}
		if (rc) {
			vfe_why(c, "replay of %s step %u (%s) failed", rec->name, k, ri->name);
			return -1;
		}
	}
	return 0;
}
