/* Positive scenarios: the sequences a conforming back-end must serve.
 * Replays of the real recordings (QEMU 7.2 net and blk, DPDK virtio-user),
 * the driver's own init/start/stop, multiqueue, reconnect, memory hot-plug
 * while running, dirty log on/off, inflight fds, and a data-path check per
 * device type. */
#include "fakes/frontend/fe_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEV(d) (1u << (d))

static int init_default(struct vfe_conn *c, enum vfe_flavour fl)
{
	enum vfe_device d = vfe_run_device(c->run);
	return vfe_init(c, fl, vfe_default_features(d), vfe_default_pf());
}

static int sc_replay(struct vfe_conn *c, const struct vfe_scn *s)
{
	const struct vfe_recording *rec = &vfe_recordings[s->arg];
	return vfe_replay(c, rec, 0, rec->nsteps);
}

static int sc_init_start_stop(struct vfe_conn *c, const struct vfe_scn *s)
{
	enum vfe_flavour fl = (enum vfe_flavour)s->arg;
	if (init_default(c, fl) || vfe_start(c, fl, vfe_conn_rings(c)) || vfe_stop(c, fl, vfe_conn_rings(c)))
		return -1;
	/* restart with the same table, as both front-ends do */
	if (vfe_start(c, fl, vfe_conn_rings(c)) || vfe_stop(c, fl, vfe_conn_rings(c)))
		return -1;
	return 0;
}

static int sc_multiqueue(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (init_default(c, VFE_QEMU))
		return -1;
	uint32_t want = 2 * vfe_run_queues(c->run);
	if (!vfe_pf(c, VU_PF_MQ) || c->queue_num < want) {
		vfe_why(c, "MQ not offered or fewer than %u queues (%u)", want, c->queue_num);
		return -2;
	}
	if (want > VFE_MAX_RINGS)
		want = VFE_MAX_RINGS;
	if (vfe_start(c, VFE_QEMU, want) || vfe_stop(c, VFE_QEMU, want))
		return -1;
	return 0;
}

static int sc_reconnect(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	/* A front-end that goes away with its rings running (QEMU killed),
	 * then a new one on a new connection. */
	if (init_default(c, VFE_QEMU) || vfe_start(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	if (vfe_run_reconnect(c->run, c))
		return -1;
	if (init_default(c, VFE_QEMU) || vfe_start(c, VFE_QEMU, vfe_conn_rings(c)) ||
	    vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	return 0;
}

static int sc_hotplug_table(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (init_default(c, VFE_QEMU) || vfe_start(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	/* DIMM hot-plug: a new region above the first while rings run; the
	 * rings stay where they are. Then unplug. */
	if (vfe_mem_add(c, VFE_MEM_SIZE * 4, VFE_MEM_SIZE) < 0 || vfe_send_memtable(c))
		return -1;
	munmap(c->mem[1].map, c->mem[1].span);
	close(c->mem[1].fd);
	c->nmem = 1;
	if (vfe_send_memtable(c) || vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	return 0;
}

static int sc_hotplug_slots(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (init_default(c, VFE_QEMU))
		return -1;
	if (!vfe_pf(c, VU_PF_CONFIGURE_MEM_SLOTS) || c->max_slots < 2) {
		vfe_why(c, "CONFIGURE_MEM_SLOTS not offered");
		return -2;
	}
	if (vfe_start(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	int k = vfe_mem_add(c, VFE_MEM_SIZE * 4, VFE_MEM_SIZE);
	if (k < 0)
		return -1;
	uint8_t pl[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE];
	int fd;
	vfe_memtable(c, (unsigned)k, 1, pl, &fd);
	vu_wr64(pl, 0);
	if (vfe_set(c, VU_ADD_MEM_REG, pl, sizeof pl, &fd, 1) != 0)
		return -1;
	/* REM_MEM_REG names the region by its addresses; it takes no fd. */
	if (vfe_set(c, VU_REM_MEM_REG, pl, sizeof pl, NULL, 0) != 0)
		return -1;
	return vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)) ? -1 : 0;
}

static int set_log_base(struct vfe_conn *c, int fd, uint64_t size)
{
	uint8_t pl[16];
	vu_wr64(pl, size);
	vu_wr64(pl + 8, 0);
	if (vfe_send(c, VU_SET_LOG_BASE, 0, pl, sizeof pl, &fd, 1))
		return -1;
	/* With LOG_SHMFD the back-end answers (DPDK: 0 bytes, libvhost-user: u64). */
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = vfe_recv(c, m, VU_SET_LOG_BASE) == VFE_RX_MSG ? 0 : -1;
	vfe_msg_close_fds(m);
	free(m);
	return rc;
}

static int set_addr_log(struct vfe_conn *c, uint32_t i, bool log)
{
	struct vu_addr_pl a;
	vfe_ring_addr(c, i, &a);
	uint8_t pl[40];
	a.index = i;
	a.flags = log ? VU_VRING_F_LOG : 0;
	vu_enc_addr(pl, sizeof pl, &a);
	return vfe_set(c, VU_SET_VRING_ADDR, pl, sizeof pl, NULL, 0) == 0 ? 0 : -1;
}

static bool log_bit(const struct vfe_conn *c, uint64_t addr)
{
	uint64_t pg = addr / VU_LOG_PAGE;
	return pg / 8 < c->log_size && (((const uint8_t *)c->log_map)[pg / 8] >> (pg % 8)) & 1;
}

/* VU-BE-09: every used-ring byte the device wrote on ring i since its
 * used index was before (elements and the index) has its page logged. */
static bool check_used_logged(struct vfe_conn *c, uint32_t i, uint16_t before)
{
	const struct vfe_vring *r = &c->ring[i];
	uint16_t now = vfe_ring_used_idx(c, i);
	if (now == before || !r->num)
		return true;
	uint64_t miss = UINT64_MAX;
	if (!log_bit(c, r->used + 2) || !log_bit(c, r->used + 3))
		miss = 2;
	for (uint16_t k = before; k != now && miss == UINT64_MAX; k++) {
		uint64_t off = 4 + 8 * (uint64_t)(k % r->num);
		if (!log_bit(c, r->used + off) || !log_bit(c, r->used + off + 7))
			miss = off;
	}
	vfe_run_verdict(c->run, VC_R_VU_BE_09, miss == UINT64_MAX,
			"ring %u: the device wrote used-ring byte %" PRIu64 " (gpa 0x%" PRIx64 ") while logging, but page %" PRIu64 " is not marked in the log",
			i, miss, r->used + miss, (r->used + miss) / VU_LOG_PAGE);
	return miss == UINT64_MAX;
}

/* VU-BE-15: the descriptor buffers of ring i's chains used since its used
 * index was before: the first len bytes of each chain's device-writable
 * part (VIRTIO 1.2, 2.7.8.1: the device "MUST write at least len bytes to
 * descriptor, beginning at the first device-writable buffer") have their
 * pages logged. Split rings; no verdict when nothing was written. */
static bool check_data_logged(struct vfe_conn *c, uint32_t i, uint16_t before)
{
	const struct vfe_vring *r = &c->ring[i];
	uint16_t now = vfe_ring_used_idx(c, i);
	uint8_t *desc = r->num && !r->packed ? vfe_gpa(c, r->desc, vu_desc_bytes(r->num)) : NULL;
	if (!desc || now == before)
		return true;
	uint64_t checked = 0, miss = UINT64_MAX;
	for (uint16_t k = before; k != now && miss == UINT64_MAX; k++) {
		uint32_t id, len;
		if (!vfe_ring_used_elem(c, i, k, &id, &len) || id >= r->num)
			continue;
		uint64_t left = len;
		uint32_t d = id;
		for (uint32_t steps = 0; steps < r->num && left && miss == UINT64_MAX; steps++) {
			const uint8_t *e = desc + (size_t)d * VRING_DESC_SIZE;
			uint64_t a = vu_rd64(e);
			uint32_t dl = vu_rd32(e + VRING_DESC_LEN);
			uint16_t fl, next;
			memcpy(&fl, e + VRING_DESC_FLAGS, 2);
			memcpy(&next, e + VRING_DESC_NEXT, 2);
			if (fl & VRING_DESC_F_WRITE) {
				uint64_t t = dl < left ? dl : left;
				for (uint64_t b = a; b < a + t && miss == UINT64_MAX; b = (b / VU_LOG_PAGE + 1) * VU_LOG_PAGE)
					if (!log_bit(c, b))
						miss = b;
				checked += t;
				left -= t;
			}
			if (!(fl & VRING_DESC_F_NEXT) || next >= r->num)
				break;
			d = next;
		}
	}
	if (!checked)
		return true;
	vfe_run_verdict(c->run, VC_R_VU_BE_15, miss == UINT64_MAX,
			"ring %u: the device wrote a descriptor buffer at gpa 0x%" PRIx64 " while logging, but page %" PRIu64 " is not marked in the log",
			i, miss, miss / VU_LOG_PAGE);
	return miss == UINT64_MAX;
}

static int sc_log(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d) | VU_BIT(VU_F_LOG_ALL), vfe_default_pf()))
		return -1;
	if (!(c->features & VU_BIT(VU_F_LOG_ALL)) || !vfe_pf(c, VU_PF_LOG_SHMFD)) {
		vfe_why(c, "LOG_ALL or LOG_SHMFD not offered");
		return -2;
	}
	uint32_t n = vfe_conn_rings(c);
	/* Start without logging (features without LOG_ALL), then migrate. */
	c->acked &= ~VU_BIT(VU_F_LOG_ALL);
	if (vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0 || vfe_start(c, VFE_QEMU, n))
		return -1;
	/* The rings run before, during and after logging (VU-BE-06 each time;
	 * only net and blk have a data path here). */
	bool dp = d == VFE_DEV_NET || d == VFE_DEV_BLK;
	int lost = 0, unlogged = 0, r;
	if (dp && (r = vfe_data_path(c)) != 0) {
		if (r < 0)
			return -1;
		lost++;
	}
	uint64_t need = (VFE_MEM_SIZE / VU_LOG_PAGE + 7) / 8;
	int k = vfe_mem_add(c, VFE_MEM_SIZE * 8, VU_LOG_PAGE * ((need + VU_LOG_PAGE - 1) / VU_LOG_PAGE));
	if (k < 0)
		return -1;
	/* The log memfd is not guest memory: take it out of the region list. */
	int logfd = c->mem[k].fd;
	uint64_t logsz = c->mem[k].size;
	c->log_fd = logfd;
	c->log_map = c->mem[k].map;
	c->log_size = logsz;
	c->nmem--;
	if (set_log_base(c, logfd, logsz))
		return -1;
	c->acked |= VU_BIT(VU_F_LOG_ALL);
	if (vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (set_addr_log(c, i, true))
			return -1;
	/* Without REPLY_ACK nothing says the back-end has applied the log
	 * flags before the kicks that follow (another channel): a reply to
	 * GET_FEATURES does, as QEMU makes sure when it enables logging.
	 * Without it VU-BE-09 depended on which the back-end read first. */
	uint64_t f;
	if (!vfe_pf(c, VU_PF_REPLY_ACK) && vfe_get_u64(c, VU_GET_FEATURES, &f))
		return -1;
	if (dp) {
		uint16_t before[VFE_MAX_RINGS];
		for (uint32_t i = 0; i < n && i < VFE_MAX_RINGS; i++)
			before[i] = vfe_ring_used_idx(c, i);
		if ((r = vfe_data_path(c)) < 0)
			return -1;
		lost += r;
		for (uint32_t i = 0; i < n && i < VFE_MAX_RINGS; i++) {
			unlogged += !check_used_logged(c, i, before[i]);
			unlogged += !check_data_logged(c, i, before[i]);
		}
	}
	/* migration cancelled: logging off again */
	c->acked &= ~VU_BIT(VU_F_LOG_ALL);
	if (vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (set_addr_log(c, i, false))
			return -1;
	if (dp && (r = vfe_data_path(c)) != 0) {
		if (r < 0)
			return -1;
		lost++;
	}
	if (vfe_stop(c, VFE_QEMU, n))
		return -1;
	if (lost)
		vfe_why(c, "rings not processed across the LOG_ALL toggles (%d of 3 data paths)", lost);
	else if (unlogged)
		vfe_why(c, "used-ring writes not in the dirty log on %d ring(s)", unlogged);
	return lost || unlogged ? 1 : 0;
}

/* GET_INFLIGHT_FD: 0 ok (fd, size in c), -1 failed. */
static int get_inflight(struct vfe_conn *c, uint16_t queues, bool keep)
{
	uint8_t pl[24] = { 0 };
	memcpy(pl + 16, &queues, 2);
	uint16_t qs = VFE_RING_NUM;
	memcpy(pl + 18, &qs, 2);
	if (vfe_send(c, VU_GET_INFLIGHT_FD, 0, pl, sizeof pl, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, VU_GET_INFLIGHT_FD) == VFE_RX_MSG) {
		struct vu_inflight_pl ip;
		if (vu_dec_inflight(m->pl, m->len, &ip) && m->nfds == 1 && ip.mmap_size &&
		    ip.mmap_size <= ((uint64_t)64 << 20)) {
			rc = 0;
			/* The back-end's fd: a region past its end would take
			 * SIGBUS at check_inflight's first read. */
			struct stat sb;
			if (keep && (fstat(m->fds[0], &sb) != 0 || sb.st_size < 0 ||
				     ip.mmap_offset > (uint64_t)sb.st_size ||
				     ip.mmap_size > (uint64_t)sb.st_size - ip.mmap_offset)) {
				vfe_why(c, "GET_INFLIGHT_FD region (offset %llu, %llu bytes) past the end of its fd",
					(unsigned long long)ip.mmap_offset, (unsigned long long)ip.mmap_size);
				rc = -1;
			} else if (keep) {
				void *p = mmap(NULL, ip.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fds[0],
					       (off_t)ip.mmap_offset);
				if (p != MAP_FAILED) {
					if (c->inflight_map)
						munmap(c->inflight_map, c->inflight_size);
					if (c->inflight_fd >= 0)
						close(c->inflight_fd);
					c->inflight_map = p;
					c->inflight_size = ip.mmap_size;
					c->inflight_fd = m->fds[0];
					m->fds[0] = -1;
					/* SET_INFLIGHT_FD hands the same region back. */
					memcpy(pl, m->pl, sizeof pl);
					int fd = c->inflight_fd;
					if (vfe_set(c, VU_SET_INFLIGHT_FD, pl, sizeof pl, &fd, 1) != 0)
						rc = -1;
				}
			}
		} else {
			vfe_why(c, "GET_INFLIGHT_FD reply unusable (%u bytes, %u fds)", m->len, m->nfds);
		}
		vfe_msg_close_fds(m);
	}
	free(m);
	return rc;
}

/* VU-BE-21: ring 0's queue region (the only one whose place the text
 * fixes: first) after the data path, when the back-end uses the layout
 * the text describes (version 1, desc_num the queue size: a region "can
 * be implemented as" that, so another layout is no finding): every used
 * head cleared, used_idx the used ring's idx, heads counted in the order
 * they were made available. No verdict when nothing was used. */
static bool check_inflight(struct vfe_conn *c)
{
	const struct vfe_vring *r = &c->ring[0];
	const uint8_t *q = c->inflight_map;
	uint64_t need = VU_INFLIGHT_SPLIT_HDR + (uint64_t)VU_INFLIGHT_SPLIT_DESC * r->num;
	uint16_t version, desc_num, qused;
	if (!q || r->packed || !r->num || c->inflight_size < need)
		return true;
	memcpy(&version, q + VU_INFLIGHT_SPLIT_VERSION_OFF, 2);
	memcpy(&desc_num, q + VU_INFLIGHT_SPLIT_DESC_NUM_OFF, 2);
	memcpy(&qused, q + VU_INFLIGHT_SPLIT_USED_IDX_OFF, 2);
	uint16_t used = vfe_ring_used_idx(c, 0);
	if (version != 1 || desc_num != r->num || used == r->used0)
		return true;
	char why[160] = "";
	uint64_t last = 0;
	bool first = true;
	for (uint16_t k = r->used0; k != used && !why[0]; k++) {
		uint32_t id, len;
		if (!vfe_ring_used_elem(c, 0, k, &id, &len) || id >= r->num)
			continue;
		const uint8_t *d = q + VU_INFLIGHT_SPLIT_HDR + (uint64_t)id * VU_INFLIGHT_SPLIT_DESC;
		uint64_t cnt;
		memcpy(&cnt, d + VU_INFLIGHT_DESC_COUNTER_OFF, sizeof cnt);
		if (d[0])
			snprintf(why, sizeof why, "head %u was used (used element %u) but is still marked in flight", id, k);
		else if (!first && cnt <= last)
			snprintf(why, sizeof why, "head %u (used element %u) has counter %llu, not above the previous head's %llu",
				 id, k, (unsigned long long)cnt, (unsigned long long)last);
		last = cnt;
		first = false;
	}
	if (!why[0] && qused != used)
		snprintf(why, sizeof why, "used_idx %u, the used ring's idx is %u", qused, used);
	vfe_run_verdict(c->run, VC_R_VU_BE_21, !why[0], "inflight area, ring 0 after the data path: %s", why);
	if (why[0])
		vfe_why(c, "inflight area: %s", why);
	return !why[0];
}

static int sc_inflight(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (init_default(c, VFE_QEMU))
		return -1;
	if (!vfe_pf(c, VU_PF_INFLIGHT_SHMFD)) {
		vfe_why(c, "INFLIGHT_SHMFD not offered");
		return -2;
	}
	uint32_t n = vfe_conn_rings(c);
	if (s->arg) {
		/* Repeated GET_INFLIGHT_FD: each answer is a new fd; the
		 * back-end must not pile them up (or crash). */
		for (int i = 0; i < s->arg; i++)
			if (get_inflight(c, (uint16_t)n, false))
				return -1;
		return 0;
	}
	if (get_inflight(c, (uint16_t)n, true) || vfe_start(c, VFE_QEMU, n))
		return -1;
	/* The data path with the area in use, then its state (VU-BE-21). */
	enum vfe_device d = vfe_run_device(c->run);
	int r = 0;
	if ((d == VFE_DEV_NET || d == VFE_DEV_BLK) && !c->ring[0].packed && (r = vfe_data_path(c)) < 0)
		return -1;
	bool kept = check_inflight(c);
	if (vfe_stop(c, VFE_QEMU, n))
		return -1;
	if (r)
		vfe_why(c, "data path: buffers not processed with the inflight area set");
	return r || !kept ? 1 : 0;
}

/* ---- data path ---- */

/* virtio-net: a 12-byte header (VERSION_1) and a broadcast frame. */
#define FRAME 64u
/* virtio-blk: request header (type, reserved, sector), status byte. */

int vfe_data_net(struct vfe_conn *c)
{
	uint64_t rx = c->mem[0].gpa + VFE_BUF_AREA, tx = rx + 0x10000;
	uint8_t *rxp = vfe_gpa(c, rx, 0x10000), *txp = vfe_gpa(c, tx, VC_NET_HDR_BYTES + FRAME);
	if (!rxp || !txp)
		return -1;
	/* RX buffers first, so a back-end that loops the frame can deliver it. */
	for (unsigned k = 0; k < 4; k++) {
		uint64_t g = rx + k * 2048;
		uint32_t l = 2048;
		vfe_ring_add(c, 0, &g, &l, 0, 1);
	}
	vfe_ring_kick(c, 0);
	memset(txp, 0, VC_NET_HDR_BYTES);
	memset(txp + VC_NET_HDR_BYTES, 0xff, 6);                 /* broadcast */
	memcpy(txp + VC_NET_HDR_BYTES + 6, "\x52\x54\x00\x12\x34\x56", 6);
	memcpy(txp + VC_NET_HDR_BYTES + 12, "\x88\xb5", 2);      /* local experimental ethertype */
	for (unsigned k = 14; k < FRAME; k++)
		txp[VC_NET_HDR_BYTES + k] = (uint8_t)k;
	uint64_t g = tx;
	uint32_t l = VC_NET_HDR_BYTES + FRAME;
	uint16_t before = vfe_ring_used_idx(c, 1);
	vfe_ring_add(c, 1, &g, &l, 1, 0);
	vfe_ring_kick(c, 1);
	bool used = vfe_ring_wait_used(c, 1, (uint16_t)(before + 1), c->timeout_ms);
	vfe_run_verdict(c->run, VC_R_VU_BE_06, used, "net: the TX frame on ring 1 was not consumed within %d ms",
			c->timeout_ms);
	return used ? 0 : 1;
}

static int blk_req(struct vfe_conn *c, uint32_t type, uint64_t sector, uint64_t data, uint8_t *status)
{
	uint64_t hdr = c->mem[0].gpa + VFE_BUF_AREA + 0x20000, st = hdr + 64;
	uint8_t *h = vfe_gpa(c, hdr, VC_BLK_HDR_BYTES), *sp = vfe_gpa(c, st, 1);
	if (!h || !sp)
		return -1;
	vu_wr32(h, type);
	vu_wr32(h + 4, 0);
	vu_wr64(h + 8, sector);
	*sp = 0xff;
	uint64_t g[3] = { hdr, data, st };
	uint32_t l[3] = { VC_BLK_HDR_BYTES, VC_BLK_SECTOR, 1 };
	uint16_t before = vfe_ring_used_idx(c, 0);
	if (type == VC_BLK_T_OUT)
		vfe_ring_add(c, 0, g, l, 2, 1);
	else
		vfe_ring_add(c, 0, g, l, 1, 2);
	vfe_ring_kick(c, 0);
	if (!vfe_ring_wait_used(c, 0, (uint16_t)(before + 1), c->timeout_ms))
		return -1;
	*status = *sp;
	return 0;
}

int vfe_data_blk(struct vfe_conn *c)
{
	uint64_t wbuf = c->mem[0].gpa + VFE_BUF_AREA, rbuf = wbuf + 0x1000;
	uint8_t *w = vfe_gpa(c, wbuf, VC_BLK_SECTOR), *rd = vfe_gpa(c, rbuf, VC_BLK_SECTOR);
	if (!w || !rd)
		return -1;
	for (unsigned k = 0; k < VC_BLK_SECTOR; k++)
		w[k] = (uint8_t)(k * 7 + 3);
	memset(rd, 0, VC_BLK_SECTOR);
	uint8_t s1 = 0xff, s2 = 0xff;
	int a = blk_req(c, VC_BLK_T_OUT, 1, wbuf, &s1);
	int b = a ? -1 : blk_req(c, VC_BLK_T_IN, 1, rbuf, &s2);
	bool ok = !a && !b && s1 == 0 && s2 == 0 && !memcmp(w, rd, VC_BLK_SECTOR);
	vfe_run_verdict(c->run, VC_R_VU_BE_06, ok,
			"blk: write+read of sector 1: %s (status %u/%u)",
			a ? "write not completed" : b ? "read not completed" : "data differs or status not OK",
			s1, s2);
	return ok ? 0 : 1;
}

/* 0 used, 1 not (VU-BE-06 judged), -1. */
int vfe_data_path(struct vfe_conn *c)
{
	return vfe_run_device(c->run) == VFE_DEV_NET ? vfe_data_net(c) : vfe_data_blk(c);
}

static int sc_datapath(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (init_default(c, VFE_QEMU) || vfe_start(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	int r = vfe_data_path(c);
	if (r < 0)
		return -1;
	if (vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)))
		return -1;
	if (r > 0)
		vfe_why(c, "data path: buffers not processed");
	return r;
}

const struct vfe_scn vfe_scn_basic[] = {
	{ "replay-qemu-net", "replay", "QEMU 7.2 virtio-net: init, start, stop, restart, stop (traces/qemu-dpdk-net)", false, VC_R_VU_BE_05, DEV(VFE_DEV_NET), sc_replay, 0 },
	{ "replay-qemu-net-mq", "replay", "QEMU 7.2 virtio-net, 2 queue pairs (traces/qemu-dpdk-net-mq)", false, VC_R_VU_BE_05, DEV(VFE_DEV_NET), sc_replay, 1 },
	{ "replay-dpdk-net", "replay", "DPDK 22.11 virtio-user (traces/dpdk-virtio-user)", false, VC_R_VU_BE_05, DEV(VFE_DEV_NET), sc_replay, 2 },
	{ "replay-qemu-blk", "replay", "QEMU 7.2 vhost-user-blk (traces/qemu-blk-qsd)", false, VC_R_VU_BE_05, DEV(VFE_DEV_BLK) | DEV(VFE_DEV_FS) | DEV(VFE_DEV_GPU), sc_replay, 3 },
	{ "init-start-stop-qemu", "lifecycle", "QEMU order: negotiate, table, start, stop, restart", false, VC_R_VU_BE_05, 0, sc_init_start_stop, VFE_QEMU },
	{ "init-start-stop-dpdk", "lifecycle", "DPDK order: owner first, disable before stop", false, VC_R_VU_BE_05, 0, sc_init_start_stop, VFE_DPDK },
	{ "multiqueue", "lifecycle", "every ring of N queue pairs started and stopped", false, VC_R_VU_BE_05, DEV(VFE_DEV_NET), sc_multiqueue, 0 },
	{ "reconnect", "lifecycle", "front-end gone with rings running, then a new connection", false, VC_R_VU_BE_05, 0, sc_reconnect, 0 },
	{ "hotplug-mem-table", "memory", "a new SET_MEM_TABLE with an added then removed region while running", false, VC_R_VU_BE_05, 0, sc_hotplug_table, 0 },
	{ "hotplug-add-mem-reg", "memory", "ADD_MEM_REG / REM_MEM_REG while running", false, VC_R_VU_BE_05, 0, sc_hotplug_slots, 0 },
	{ "log-on-off", "migration", "SET_LOG_BASE, LOG_ALL and logged ring addresses on, then off; net, blk: the data path before, during (used-ring writes logged) and after", false, VC_R_VU_BE_05, 0, sc_log, 0 },
	{ "inflight", "inflight", "GET_INFLIGHT_FD, SET_INFLIGHT_FD, start, stop", false, VC_R_VU_BE_05, 0, sc_inflight, 0 },
	{ "inflight-repeat", "inflight", "GET_INFLIGHT_FD 32 times: no fd pile-up, no crash", false, VC_R_VU_BE_05, 0, sc_inflight, 32 },
	{ "postcopy-advise", "migration", "PAGEFAULT negotiated, CONFIGURE_MEM_SLOTS not: POSTCOPY_ADVISE answered with a userfaultfd", false, VC_R_VU_BE_05, 0, vfe_sc_postcopy_advise, 0 },
	{ "shmem-config", "config", "SHMEM negotiated: GET_SHMEM_CONFIG twice, the same valid answer", false, VC_R_VU_BE_05, 0, vfe_sc_shmem_config, 0 },
	{ "datapath", "datapath", "net: TX frame consumed; blk: sector written and read back", false, VC_R_VU_BE_06, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), sc_datapath, 0 },
	{ "stopped-quiet", "ring-state", "data path, stop every ring (GET_VRING_BASE), then a buffer made available and kicked on each: not used, no call signal", false, VC_R_VU_BE_08, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_stopped_quiet, 0 },
	{ "start-without-kick", "ring-state", "a buffer made available before SET_VRING_KICK, then no kick: used once the ring is started", false, VC_R_VU_BE_10, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_start_without_kick, 0 },
	{ "no-protocol-features", "ring-state", "PROTOCOL_FEATURES not acked, no SET_VRING_ENABLE: the rings run once started (SET_FEATURES enabled them)", false, VC_R_VU_BE_12, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_no_protocol_features, 0 },
	{ "disabled-ring", "ring-state", "net: rings started and disabled: a TX frame is consumed, no RX buffer is used; enabled, the data path runs", false, VC_R_VU_BE_13, DEV(VFE_DEV_NET), vfe_sc_disabled_ring, 0 },
	{ "enable-while-stopped", "ring-state", "rings started disabled, stopped, enabled while stopped, started again: the data path runs", false, VC_R_VU_BE_14, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_enable_while_stopped, 0 },
	{ "reset-device", "reset", "data path, RESET_DEVICE, features, table and rings set up again without SET_OWNER: the data path runs", false, VC_R_VU_BE_17, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_reset_device, 0 },
	{ "reset-owner", "reset", "data path, RESET_OWNER, every ring enabled again (nothing else): the data path runs", false, VC_R_VU_BE_18, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_reset_owner, 0 },
	{ "config-readonly", "config", "blk: SET_CONFIG of the capacity (read-only) with flags 0: GET_CONFIG still reads the old value (or the connection is closed)", false, VC_R_VU_BE_22, DEV(VFE_DEV_BLK), vfe_sc_config_readonly, 0 },
	{ "inband-without-channel", "negotiation", "SET_PROTOCOL_FEATURES with INBAND_NOTIFICATIONS but not BACKEND_REQ and REPLY_ACK: the back-end closes the connection (n/a when not offered)", false, VC_R_VU_BE_23, 0, vfe_sc_inband_without_channel, 0 },
	{ "postcopy", "migration", "PAGEFAULT without CONFIGURE_MEM_SLOTS: POSTCOPY_ADVISE (a userfaultfd), POSTCOPY_LISTEN, POSTCOPY_END answered 0 (n/a when not offered)", false, VC_R_VU_BE_24, 0, vfe_sc_postcopy, 0 },
	{ "device-state", "migration", "DEVICE_STATE, device suspended: state saved through a pipe read to end of file and CHECK_DEVICE_STATE 0; a save with no reader not checked 0; the state loaded into a fresh connection and CHECK 0 (n/a when not offered)", false, VC_R_VU_BE_25, 0, vfe_sc_device_state, 0 },
	{ "print-capabilities", "process", "the --spawn command with --print-capabilities: a JSON object with a string type on stdout, exit 0 (n/a when it prints no JSON)", false, VC_R_VU_BE_19, 0, vfe_sc_print_capabilities, 0 },
	{ "no-daemon", "process", "serving with rings started: the process drive started is still the one running (--spawn only)", false, VC_R_VU_BE_20, 0, vfe_sc_no_daemon, 0 },
	{ "sigterm", "process", "serving with rings started, SIGTERM: the back-end ends within 3 s (--spawn only)", false, VC_R_VU_BE_11, 0, vfe_sc_sigterm, 0 },
	{ "packed-datapath", "packed", "RING_PACKED: the data path on packed rings; GET_VRING_BASE gives both positions and wrap counters", false, VC_R_VU_PACK_04, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_packed_datapath, 0 },
	{ "packed-stop-resume", "packed", "RING_PACKED, 8-entry rings: traffic past the wrap, stop, restart from the returned state, traffic, stop", false, VC_R_VU_PACK_04, DEV(VFE_DEV_NET) | DEV(VFE_DEV_BLK), vfe_sc_packed_stop_resume, 0 },
};
const unsigned vfe_scn_nbasic = sizeof vfe_scn_basic / sizeof vfe_scn_basic[0];
