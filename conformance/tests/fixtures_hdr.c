/* Fixture builders of the message families: VU-HDR (the header), VU-SIZE
 * (payload sizes), VU-FD (fds a message carries), and the conforming
 * sessions that pin their edges. */
#include "conformance/tests/fixtures.h"

void hdr01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0x2 & ~VU_VERSION, P64(p->acked), 8, 0)->u.vu.flags = 0x2;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, VU_FLAG_REPLY, P64(p->acked), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr03(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	/* Reply without the REPLY bit. */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION, P64(p->features), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr03_b23(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 }); /* answers for ring 1 */
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr04(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0x100, P64(p->acked), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, 99, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 7);
}

void hdr07(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_CONFIG);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	static uint8_t cfg[12 + 5000];
	vu_enc_config(cfg, sizeof cfg, &(struct vu_config_pl){ .size = 5000 });
	vs_req(s, VU_SET_CONFIG, 0, cfg, sizeof cfg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void hdr08_b12(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_req(s, VU_RESET_OWNER, 0, NULL, 0, 0);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size01_b5(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[36] = { 0 };
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size02(struct vc_synth *s, struct vs_profile *p)
{
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_FEATURES, P64(p->features), 4);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd01_b20(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0, P64(p->acked), 8, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[2] = {
		{ 0, 0x100000, 0x7f0000000000, 0 }, { 0x100000, 0x100000, 0x7f0000100000, 0 },
	};
	vs_memtable(s, r, 2, NULL)->nfds = 1;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	uint8_t q[8];
	vu_enc_u64(q, sizeof q, 0 | VU_VRING_NOFD);
	vs_req(s, VU_SET_VRING_CALL, 0, q, 8, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd04(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	uint8_t q[8];
	vu_enc_u64(q, sizeof q, 1 | (1u << 12));
	vs_req(s, VU_SET_VRING_CALL, 0, q, 8, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	/* A back-end that attaches fds to a reply defined without any. */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
	       P64(p->features), 8, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void get_config(struct vc_synth *s, uint32_t reply_len)
{
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8 });
	vs_req(s, VU_GET_CONFIG, 0, q, sizeof q, 0);
	vs_reply(s, VU_GET_CONFIG, q, reply_len);
}

/* "back-end uses zero length of payload to indicate an error". */
void clean_config_error(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	get_config(s, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size02_config_short(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	get_config(s, VU_CONFIG_HDR + 4);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_shmem(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	get_shmem_config(s, 8 + 8 * VU_SHMEM_MAX_REGIONS);
	uint8_t map[40];
	vu_enc_mmap(map, sizeof map, &(struct vu_mmap_pl){ .len = 0x1000 });
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, VU_BE_SHMEM_MAP, VU_VERSION, map, sizeof map, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, VU_BE_SHMEM_UNMAP, VU_VERSION, map, sizeof map, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The reply of the first SHMEM series: 8 sizes, 72 bytes. */
void size02_shmem_72(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_SHMEM));
	vs_init(s, p);
	get_shmem_config(s, 72);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Replies the text gives as an fd only: POSTCOPY_ADVISE's userfaultfd,
 * GET_SHARED_OBJECT's dma-buf (rust-vmm: 0 bytes + fd). Postcopy excludes
 * CONFIGURE_MEM_SLOTS. */
void clean_fd_replies(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT) | VU_BIT(VU_PF_SHARED_OBJECT));
	vs_init(s, p);
	postcopy_advise(s);
	uint8_t uuid[16] = { 1, 2, 3 };
	vs_req(s, VU_GET_SHARED_OBJECT, 0, uuid, sizeof uuid, 0);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_SHARED_OBJECT, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A region of width bytes (40 with XEN_MMAP: flags, domid appended). */
static void put_region(uint8_t *q, const struct vu_region_pl *r, uint32_t width)
{
	vu_enc_region(q, width, r, width);
	if (width > VU_MEM_REGION_SIZE)
		vu_wr32(q + 32, 1); /* Xen foreign mapping */
}

static void xen_table(struct vc_synth *s, struct vs_profile *p, uint32_t width)
{
	uint8_t t[VU_MEM_TABLE_HDR + VU_MEM_REGION_XEN_SIZE] = { 0 };
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vu_wr32(t, 1);
	put_region(t + VU_MEM_TABLE_HDR, &r, width);
	vs_req(s, VU_SET_MEM_TABLE, 0, t, VU_MEM_TABLE_HDR + width, 1);
}

void clean_xen_mmap(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_XEN_MMAP));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	xen_table(s, p, VU_MEM_REGION_XEN_SIZE);
	uint8_t reg[8 + VU_MEM_REGION_XEN_SIZE];
	struct vu_region_pl r = { p->mem_size, 0x100000, p->uva + p->mem_size, 0 };
	memset(reg, 0, 8);
	put_region(reg + 8, &r, VU_MEM_REGION_XEN_SIZE);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size01_xen_narrow(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_XEN_MMAP));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	xen_table(s, p, VU_MEM_REGION_SIZE);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void fd06_rem_with_fd(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE] = { 0 };
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	put_region(reg + 8, &r, VU_MEM_REGION_SIZE);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size03_iotlb_miss(struct vc_synth *s, struct vs_profile *p)
{
	iommu_start(s, p);
	iotlb_at(s, p->uva, 0x1000, 3, VU_IOTLB_MISS);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void size03_config_flags(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8, .flags = 2 });
	vs_req(s, VU_SET_CONFIG, 0, q, sizeof q, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void devstate(struct vc_synth *s, uint32_t direction, uint32_t phase)
{
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ direction, phase });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_reply(s, VU_SET_DEVICE_STATE_FD, P64(0x100), 8); /* 0, no fd of its own */
	vs_req(s, VU_CHECK_DEVICE_STATE, 0, NULL, 0, 0);
	vs_reply(s, VU_CHECK_DEVICE_STATE, P64(0), 8);
}

void size03_devstate_phase(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	devstate(s, VU_DEVSTATE_SAVE, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Every enumerated field at a defined value: IOTLB update (perm 0-3) and
 * invalidate inside the table, config flags 0 and 1, a save and a load. */
void clean_enum_fields(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_DEVICE_STATE));
	iommu_start(s, p);
	iotlb_at(s, p->uva, 0x1000, 0, VU_IOTLB_UPDATE);
	iotlb_at(s, p->uva + 0x1000, 0x2000, VU_IOTLB_PERM_MAX, VU_IOTLB_UPDATE);
	iotlb_at(s, 0, 0x1000, 0, VU_IOTLB_INVALIDATE);
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8, .flags = VU_CONFIG_F_MIGRATION });
	vs_req(s, VU_SET_CONFIG, 0, q, sizeof q, 0);
	get_config(s, VU_CONFIG_HDR + 8);
	vs_stop(s, p);
	devstate(s, VU_DEVSTATE_SAVE, VU_DEVSTATE_PHASE_STOPPED);
	devstate(s, VU_DEVSTATE_LOAD, VU_DEVSTATE_PHASE_STOPPED);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}
