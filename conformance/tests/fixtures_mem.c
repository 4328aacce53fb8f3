/* Fixture builders of memory and its log: VU-MEM (tables, regions,
 * inflight, postcopy), VU-LOG (dirty log), VU-REPLY (acks and replies). */
#include "conformance/tests/fixtures.h"

/* GET_INFLIGHT_FD's reply carries the shared buffer's fd: no finding. */
/* GET_INFLIGHT_FD answered with an area; SET_INFLIGHT_FD hands back one
 * of set_size bytes. */
static void inflight(struct vc_synth *s, struct vs_profile *p, uint64_t set_size)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	struct vu_inflight_pl in = { .num_queues = (uint16_t)p->queues, .queue_size = (uint16_t)p->num };
	ck_assert_uint_eq(vu_enc_inflight(q, sizeof q, &in), sizeof q);
	vs_req(s, VU_GET_INFLIGHT_FD, 0, q, sizeof q, 0);
	in.mmap_size = 4096;
	vu_enc_inflight(q, sizeof q, &in);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_INFLIGHT_FD, VU_VERSION | VU_FLAG_REPLY, q,
	       sizeof q, 1);
	in.mmap_size = set_size;
	vu_enc_inflight(q, sizeof q, &in);
	vs_req(s, VU_SET_INFLIGHT_FD, 0, q, sizeof q, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_inflight(struct vc_synth *s, struct vs_profile *p) { inflight(s, p, 4096); }

void mem10_inflight_other_size(struct vc_synth *s, struct vs_profile *p) { inflight(s, p, 8192); }

/* A reconnect: the area kept from the connection before is handed back
 * with no GET_INFLIGHT_FD on this one (not judged). */
void clean_inflight_reconnect(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	vu_enc_inflight(q, sizeof q, &(struct vu_inflight_pl){ .mmap_size = 8192, .num_queues = (uint16_t)p->queues,
							     .queue_size = (uint16_t)p->num });
	vs_req(s, VU_SET_INFLIGHT_FD, 0, q, sizeof q, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_log_resize(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192);
	/* Grown before a larger table: a resize, not a repeat. */
	set_log_base(s, 16384);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem01_nine(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[9];
	for (uint32_t i = 0; i < 9; i++)
		r[i] = (struct vu_region_pl){ i * 0x100000ull, 0x100000, p->uva + i * 0x100000ull, 0 };
	vs_memtable(s, r, 9, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem02_b22b(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r = { 0, 0, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[2] = {
		{ 0, 0x200000, p->uva, 0 }, { 0x100000, 0x200000, p->uva + 0x400000, 0 },
	};
	vs_memtable(s, r, 2, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem04_b6(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	/* A live capture knows the fd's size: garbage mmap_offset runs past it. */
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0xdead0000 };
	struct vc_event *ev = vs_memtable(s, &r, 1, NULL);
	ev->fds[0].size = (int64_t)p->mem_size;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r = { 0x800, 0x100000, p->uva + 0x800, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void reply01(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

void reply01_refused(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	/* A malformed GET_FEATURES (4 payload bytes) may be refused by closing. */
	vs_req(s, VU_GET_FEATURES, 0, P64(0), 4, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

void reply02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_GET_STATUS, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_GET_STATUS, P64(0), 8);
	vs_reply(s, VU_GET_STATUS, P64(0), 8); /* and an ack on top */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void reply03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_reply(s, VU_SET_OWNER, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void log01_b7(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* 256 MiB needs 8 KiB of log; B7 computed it in 4-byte units. */
	set_log_base(s, 8192 / 4);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void log01_b22b(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint8_t l[16];
	vu_enc_log(l, sizeof l, &(struct vu_log_pl){ 0xfffffffffffff000ull, 0x2000 });
	vs_req(s, VU_SET_LOG_BASE, 0, l, 16, 1);
	vs_reply(s, VU_SET_LOG_BASE, NULL, 0);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void log02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192);
	vs_u64(s, VU_SET_FEATURES, p->acked | VU_BIT(VU_F_LOG_ALL));
	/* Memory grows to 512 MiB; the log was not grown first. Region 0 is
	 * the same file as before (rings stay put). */
	struct vu_region_pl r[2] = {
		{ 0, p->mem_size, p->uva, 0 },
		{ p->mem_size, p->mem_size, p->uva + p->mem_size, 0 },
	};
	uint64_t idents[2] = { first_table_ident(s), 0 };
	vs_memtable(s, r, 2, idents);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* IOTLB_MSG: "The back-end has to acknowledge the request with sending
 * zero as u64 payload", NEED_REPLY or not. */
static void iotlb(struct vc_synth *s, uint32_t flags)
{
	uint8_t m[32];
	/* type 2: update; perm 3: read-write */
	vu_enc_iotlb(m, sizeof m,
		     &(struct vu_iotlb_pl){ .size = 0x1000, .uaddr = 0x7f0000000000ull, .perm = 3, .type = 2 });
	vs_req(s, VU_IOTLB_MSG, flags, m, sizeof m, 0);
}

void clean_iotlb(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_memtable(s, &(struct vu_region_pl){ 0, p->mem_size, p->uva, 0 }, 1, NULL);
	iotlb(s, VU_FLAG_NEED_REPLY);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
	iotlb(s, 0);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void reply01_iotlb(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_memtable(s, &(struct vu_region_pl){ 0, p->mem_size, p->uva, 0 }, 1, NULL);
	iotlb(s, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

/* GPA_ADDRESSES: the table's user addresses are guest addresses, and so
 * are the ring addresses. */
static void gpa_table(struct vc_synth *s, struct vs_profile *p, uint64_t uva)
{
	pf_add(p, VU_BIT(VU_PF_GPA_ADDRESSES));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, uva, 0 };
	vs_memtable(s, &r, 1, NULL);
}

void clean_gpa_addresses(struct vc_synth *s, struct vs_profile *p)
{
	gpa_table(s, p, 0);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		d -= p->uva, a -= p->uva, u -= p->uva; /* the same rings as GPAs */
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	}
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem06_gpa_addresses(struct vc_synth *s, struct vs_profile *p)
{
	gpa_table(s, p, p->uva);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The used ring logged just past the log's end (CVE-2020-10722 class). */
void log03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192); /* covers 256 MiB */
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	vs_addr(s, 0, d, u, a, 256ull << 20, VU_VRING_F_LOG);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* log_guest_addr outside the memory table but inside the log: allowed. */
void clean_log_outside_table(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 16384); /* covers 512 MiB; the table 256 MiB */
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	vs_addr(s, 0, d, u, a, 256ull << 20, VU_VRING_F_LOG);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_postcopy(struct vc_synth *s, struct vs_profile *p) { postcopy(s, p, 0, true); }

void mem07_ack_need_reply(struct vc_synth *s, struct vs_profile *p)
{
	postcopy(s, p, VU_FLAG_NEED_REPLY, true);
}

/* An empty table is legal on its own (the text sets no minimum). */
void clean_empty_table(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_memtable(s, NULL, 0, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* An update mapping user memory no region holds (past the table's end). */
void mem08_iotlb_outside(struct vc_synth *s, struct vs_profile *p)
{
	iommu_start(s, p);
	iotlb_at(s, p->uva + p->mem_size - 0x1000, 0x2000, 3, VU_IOTLB_UPDATE);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Regions added and removed one at a time; the removal names each by
 * guest address, user address and size, mmap offset differing. */
static void mem_slots(struct vc_synth *s, struct vs_profile *p, uint64_t rem_uva)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE];
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vu_enc_memreg(reg, sizeof reg, 0, &r);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	r.uva = rem_uva;
	r.mmap_offset = 0x5000; /* "The mmap offset is ignored" */
	vu_enc_memreg(reg, sizeof reg, 0, &r);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* ADD_MEM_REG of a region overlapping one in force in user addresses
 * only (guest addresses apart); then the same after removing it. */
static void add_overlap(struct vc_synth *s, struct vs_profile *p, bool remove_first)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE];
	struct vu_region_pl a = { 0, 0x100000, p->uva, 0 };
	struct vu_region_pl b = { 0x10000000, 0x100000, p->uva + 0x80000, 0 };
	vu_enc_memreg(reg, sizeof reg, 0, &a);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	if (remove_first)
		vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vu_enc_memreg(reg, sizeof reg, 0, &b);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void mem03_add_uva_overlap(struct vc_synth *s, struct vs_profile *p) { add_overlap(s, p, false); }

void clean_add_after_remove(struct vc_synth *s, struct vs_profile *p) { add_overlap(s, p, true); }

void clean_rem_mem_reg(struct vc_synth *s, struct vs_profile *p) { mem_slots(s, p, p->uva); }

void mem09_rem_other_uva(struct vc_synth *s, struct vs_profile *p)
{
	mem_slots(s, p, p->uva + 0x100000);
}
