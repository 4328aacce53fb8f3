/* Negative scenarios: one per bug class of bugs.md and per MUST rule a
 * back-end has to enforce. Each sets up a valid device, then sends one
 * malformed request; the runner decides whether the back-end refused it
 * (error ack or closed connection), accepted it, crashed, hung or leaked.
 * Body-level faults ask for a REPLY_ACK when it is negotiated, so a
 * refusal can be an error ack; header-level faults never do. */
#include "fakes/frontend/fe_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int setup(struct vfe_conn *c)
{
	enum vfe_device d = vfe_run_device(c->run);
	return vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf());
}

/* Send a body-level malformed request: 1 with an ack asked, 0 without. */
static int bad(struct vfe_conn *c, uint32_t req, const void *pl, uint32_t len, const int *fds,
	       unsigned nfds)
{
	bool ack = vfe_pf(c, VU_PF_REPLY_ACK);
	if (vfe_send(c, req, ack ? VU_FLAG_NEED_REPLY : 0, pl, len, fds, nfds))
		return c->eof ? 1 : -1; /* closed while we sent: a refusal */
	return ack ? 1 : 0;
}

static int neg_version(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	uint32_t flags = (VU_VERSION + 1) & VU_FLAG_VERSION_MASK;
	return vfe_send_raw(c, VU_GET_FEATURES, flags, -1, NULL, 0, NULL, 0) && !c->eof ? -1 : 0;
}

static int neg_reply_bit(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	return vfe_send_raw(c, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY, -1, NULL, 0, NULL, 0) && !c->eof ? -1 : 0;
}

static int neg_unknown(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (setup(c))
		return -1;
	/* arg 0: request 0 (no such request); 1: one past the last known. */
	uint32_t req = s->arg ? vu_request_max(VU_CHAN_MAIN) + 1 : VU_REQ_NONE;
	return vfe_send(c, req, 0, NULL, 0, NULL, 0) && !c->eof ? -1 : 0;
}

static int neg_oversize(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	uint32_t len = VU_SANE_MAX_PAYLOAD * 16;
	uint8_t *pl = calloc(1, len);
	if (!pl)
		return -1;
	int rc = vfe_send(c, VU_SET_FEATURES, 0, pl, len, NULL, 0);
	free(pl);
	return rc && !c->eof ? -1 : 0;
}

static int neg_short_eof(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	uint8_t pl[8] = { 0 };
	/* Header says 8 bytes; 4 come, then the front-end's EOF. */
	if (vfe_send_raw(c, VU_SET_VRING_NUM, VU_VERSION, sizeof pl, pl, sizeof pl / 2, NULL, 0))
		return c->eof ? 2 : -1;
	shutdown(c->sock, SHUT_WR);
	return 2;
}

static int neg_extra_fds(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c) || vfe_ring_prepare(c, 0, VFE_RING_NUM))
		return -1;
	uint8_t pl[8];
	vu_wr32(pl, 0);
	vu_wr32(pl + 4, VFE_RING_NUM);
	int fds[3] = { c->ring[0].kick, c->ring[0].call, c->ring[0].err };
	return bad(c, VU_SET_VRING_NUM, pl, sizeof pl, fds, 3);
}

static int neg_missing_fd(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (setup(c))
		return -1;
	if (s->arg == 0) {
		uint8_t pl[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE];
		int fd;
		vfe_memtable(c, 0, 1, pl, &fd);
		return bad(c, VU_SET_MEM_TABLE, pl, sizeof pl, NULL, 0);
	}
	if (vfe_ring_prepare(c, 0, VFE_RING_NUM))
		return -1;
	uint8_t pl[8];
	vu_wr64(pl, 0); /* ring 0, no NOFD bit, but no fd either */
	return bad(c, VU_SET_VRING_KICK, pl, sizeof pl, NULL, 0);
}

/* A table whose only region claims more than its memfd holds. */
/* The B6 table: region 0 as set up, region 1 at `gpa` claiming
 * VFE_PAST_FD_CLAIM bytes of a VFE_RING_AREA memfd. All the claimed user
 * addresses are reserved for region 1, so the table breaks VU-MEM-04 alone:
 * with only the memfd's 1 MiB mapped, mmap could put it just below region
 * 0 and the claim would overlap region 0's user addresses (VU-MEM-03, in
 * some runs only). */
int vfe_past_fd_table(struct vfe_conn *c, uint64_t gpa, void *hint, uint8_t *pl, int *fds)
{
	int k = vfe_mem_add_span(c, gpa, VFE_RING_AREA, VFE_PAST_FD_CLAIM, hint);
	if (k != 1)
		return -1;
	vfe_memtable(c, 0, 2, pl, fds);
	vu_wr64(pl + VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE + 8, VFE_PAST_FD_CLAIM);
	return 0;
}

static int neg_region_past_fd(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	uint8_t pl[VFE_PAST_FD_TABLE];
	int fds[2];
	if (vfe_past_fd_table(c, VFE_MEM_SIZE, NULL, pl, fds))
		return -1;
	return bad(c, VU_SET_MEM_TABLE, pl, sizeof pl, fds, 2);
}

/* The same table, and if the back-end takes it, ring 0 placed in the part
 * of region 1 that has no file behind it, then started: a back-end that
 * touches it takes SIGBUS. */
static int neg_region_past_fd_ring(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()))
		return -1;
	uint64_t base = VFE_MEM_SIZE * 4, claimed = VFE_PAST_FD_CLAIM;
	uint8_t pl[VFE_PAST_FD_TABLE];
	int fds[2];
	if (vfe_past_fd_table(c, base, NULL, pl, fds))
		return -1;
	int64_t a = vfe_set(c, VU_SET_MEM_TABLE, pl, sizeof pl, fds, 2);
	if (a > 0)
		return 3; /* refused with an error ack, already read */
	if (a < 0)
		return c->eof ? 0 : -1;
	uint32_t n = vfe_device_rings(d);
	if (vfe_start(c, VFE_QEMU, n))
		return c->eof ? 0 : -1;
	/* ring 0 again, now in the hole: stop it, move it, restart it */
	uint32_t base_num;
	if (vfe_get_vring_base(c, 0, &base_num))
		return c->eof ? 0 : -1;
	uint64_t hole = vfe_uva(c, base) + claimed / 2;
	uint8_t ap[40];
	vu_enc_addr(ap, sizeof ap, &(struct vu_addr_pl){ .desc = hole, .used = hole + 0x2000,
						       .avail = hole + 0x1000 });
	uint8_t fp[8];
	vu_wr64(fp, 0);
	if (vfe_set_state(c, VU_SET_VRING_BASE, 0, 0) != 0 || vfe_set(c, VU_SET_VRING_ADDR, ap, sizeof ap, NULL, 0) != 0)
		return c->eof ? 0 : -1;
	if (c->ring[0].kick < 0 && vfe_ring_prepare(c, 0, VFE_RING_NUM))
		return -1;
	int kfd = c->ring[0].kick;
	if (vfe_set(c, VU_SET_VRING_KICK, fp, sizeof fp, &kfd, 1) != 0)
		return c->eof ? 0 : -1;
	vfe_ring_kick(c, 0);
	/* the probe that follows tells a back-end that survived */
	return 0;
}

static int neg_overlap(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	/* A second region at a guest-physical address inside the first. */
	if (vfe_mem_add(c, VFE_MEM_SIZE / 2, VFE_RING_AREA) < 0)
		return -1;
	uint8_t pl[VU_MEM_TABLE_HDR + 2 * VU_MEM_REGION_SIZE];
	int fds[2];
	vfe_memtable(c, 0, 2, pl, fds);
	return bad(c, VU_SET_MEM_TABLE, pl, sizeof pl, fds, 2);
}

static int neg_regions(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (setup(c))
		return -1;
	/* arg: region count (one more than the baseline limit; an empty
	 * table is legal: vhost-user.rst sets no minimum). */
	unsigned n = (unsigned)s->arg;
	uint64_t gpa = VFE_MEM_SIZE;
	for (unsigned i = 1; i < n; i++, gpa += VFE_RING_AREA)
		if (vfe_mem_add(c, gpa, VFE_RING_AREA) < 0)
			return -1;
	uint8_t pl[VU_MEM_TABLE_HDR + (VU_MEM_BASELINE_REGIONS + 1) * VU_MEM_REGION_SIZE];
	int fds[VU_MEM_BASELINE_REGIONS + 1];
	uint32_t len = vfe_memtable(c, 0, n, pl, fds);
	return bad(c, VU_SET_MEM_TABLE, pl, len, fds, n);
}

static int neg_ring_index(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (setup(c))
		return -1;
	uint8_t pl[8];
	/* arg: past any queue count and the 8-bit index of vring files
	 * (1024), or far out (2^31 - 1: a back-end indexing an array with it
	 * without a check touches unmapped memory). */
	vu_wr32(pl, (uint32_t)s->arg);
	vu_wr32(pl + 4, VFE_RING_NUM);
	return bad(c, VU_SET_VRING_NUM, pl, sizeof pl, NULL, 0);
}

static int neg_ring_num(struct vfe_conn *c, const struct vfe_scn *s)
{
	if (setup(c))
		return -1;
	uint8_t pl[8];
	vu_wr32(pl, 0);
	vu_wr32(pl + 4, (uint32_t)s->arg);
	return bad(c, VU_SET_VRING_NUM, pl, sizeof pl, NULL, 0);
}

static int neg_ring_addr(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c) || vfe_ring_prepare(c, 0, VFE_RING_NUM))
		return -1;
	if (vfe_set_state(c, VU_SET_VRING_NUM, 0, VFE_RING_NUM) != 0)
		return -1;
	struct vu_addr_pl a;
	vfe_ring_addr(c, 0, &a);
	/* desc/avail/used: past the end of the only region. */
	uint64_t off = VFE_MEM_SIZE * 4;
	uint8_t pl[40];
	vu_enc_addr(pl, sizeof pl, &(struct vu_addr_pl){ .desc = a.desc + off, .used = a.used + off,
						       .avail = a.avail + off });
	return bad(c, VU_SET_VRING_ADDR, pl, sizeof pl, NULL, 0);
}

static int neg_num_started(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c) || vfe_start(c, VFE_QEMU, 1))
		return -1;
	uint8_t pl[8];
	vu_wr32(pl, 0);
	vu_wr32(pl + 4, VFE_RING_NUM / 2);
	return bad(c, VU_SET_VRING_NUM, pl, sizeof pl, NULL, 0);
}

static int neg_log_overflow(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (setup(c))
		return -1;
	if (!vfe_pf(c, VU_PF_LOG_SHMFD)) {
		vfe_why(c, "LOG_SHMFD not offered");
		return -2;
	}
	int k = vfe_mem_add(c, VFE_MEM_SIZE * 2, VFE_RING_AREA);
	if (k < 0)
		return -1;
	/* mmap_size + mmap_offset wraps around 2^64. */
	uint8_t pl[16];
	vu_wr64(pl, UINT64_MAX - VU_LOG_PAGE + 1);
	vu_wr64(pl + 8, VU_LOG_PAGE * 2);
	int fd = c->mem[k].fd;
	/* With LOG_SHMFD the request has its own reply: no ack asked. */
	if (vfe_send(c, VU_SET_LOG_BASE, 0, pl, sizeof pl, &fd, 1))
		return c->eof ? 1 : -1;
	return 1;
}

const struct vfe_scn vfe_scn_neg[] = {
	{ "neg-version", "negative", "flags with version bits 2", true, VC_R_VU_HDR_01, 0, neg_version, 0 },
	{ "neg-reply-bit", "negative", "a request with the REPLY bit", true, VC_R_VU_HDR_02, 0, neg_reply_bit, 0 },
	{ "neg-request-0", "negative", "request number 0", true, VC_R_VU_HDR_05, 0, neg_unknown, 0 },
	{ "neg-unknown-request", "negative", "a request number past the last known", true, VC_R_VU_HDR_05, 0, neg_unknown, 1 },
	{ "neg-oversize", "negative", "a 64 KiB payload", true, VC_R_VU_HDR_07, 0, neg_oversize, 0 },
	{ "neg-short-eof", "negative", "a payload cut short by EOF", true, VC_R_VU_HDR_06, 0, neg_short_eof, 0 },
	{ "neg-extra-fds", "negative", "SET_VRING_NUM carrying 3 fds (B20)", true, VC_R_VU_FD_01, 0, neg_extra_fds, 0 },
	{ "neg-memtable-no-fd", "negative", "SET_MEM_TABLE without its fd", true, VC_R_VU_FD_02, 0, neg_missing_fd, 0 },
	{ "neg-kick-no-fd", "negative", "SET_VRING_KICK without fd or no-fd bit", true, VC_R_VU_FD_03, 0, neg_missing_fd, 1 },
	{ "neg-region-past-fd", "negative", "a region larger than its memfd (B6)", true, VC_R_VU_MEM_04, 0, neg_region_past_fd, 0 },
	{ "neg-region-past-fd-ring", "negative", "a ring placed in a region's part past its memfd, started (B6)", true, VC_R_VU_MEM_04, 0, neg_region_past_fd_ring, 0 },
	{ "neg-overlap", "negative", "two regions overlapping in guest-physical space", true, VC_R_VU_MEM_03, 0, neg_overlap, 0 },
	{ "neg-nine-regions", "negative", "SET_MEM_TABLE with 9 regions", true, VC_R_VU_MEM_01, 0, neg_regions, VU_MEM_BASELINE_REGIONS + 1 },
	{ "neg-ring-index", "negative", "SET_VRING_NUM for ring 1024 (B22)", true, VC_R_VU_RING_01, 0, neg_ring_index, (int)(VU_VRING_IDX_MASK + 1) * 4 },
	{ "neg-ring-index-far", "negative", "SET_VRING_NUM for ring 2^31-1 (B22)", true, VC_R_VU_RING_01, 0, neg_ring_index, INT32_MAX },
	{ "neg-ring-num", "negative", "SET_VRING_NUM 100 (not a power of two)", true, VC_R_VU_RING_02, 0, neg_ring_num, 100 },
	{ "neg-ring-num-big", "negative", "SET_VRING_NUM 65536 (above 32768)", true, VC_R_VU_RING_02, 0, neg_ring_num, (int)VU_SPLIT_RING_MAX * 2 },
	{ "neg-ring-addr", "negative", "ring addresses outside the memory table (B14)", true, VC_R_VU_RING_04, 0, neg_ring_addr, 0 },
	{ "neg-num-started", "negative", "SET_VRING_NUM on a started ring (B21)", true, VC_R_VU_RING_03, 0, neg_num_started, 0 },
	{ "neg-log-overflow", "negative", "SET_LOG_BASE whose size + offset wraps (B22b)", true, VC_R_VU_LOG_01, 0, neg_log_overflow, 0 },
};
const unsigned vfe_scn_nneg = sizeof vfe_scn_neg / sizeof vfe_scn_neg[0];
