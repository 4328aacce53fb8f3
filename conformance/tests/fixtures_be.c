/* Fixture builders of what the back-end sends: VU-RVAL (values in its
 * replies) and VU-BCH (requests on the back-end channel). */
#include "conformance/tests/fixtures.h"

/* ---- VU-RVAL: values in the back-end's replies ---- */

void rval01_split_base_high(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint8_t q[8];
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, 0x10005 });
	vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_DEVICE_STATE_FD answered with value v and nfds fds (the device is
 * suspended first: the transfer happens while it is). */
static void state_fd(struct vc_synth *s, struct vs_profile *p, uint64_t v, uint32_t nfds)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ 0, 0 });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(v), 8,
	       nfds);
}

void clean_device_state_fd(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 0x100, 0); /* the front-end's pipe is used */
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ 0, 0 });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(0), 8,
	       1); /* the back-end's own channel */
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(0x101),
	       8, 0); /* an error, no fd */
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(1), 8,
	       0); /* an error without the flag: not judged */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void rval02_error_with_fd(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 1, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void rval02_no_fd_flag_clear(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void rval03_not_userfaultfd(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT));
	vs_init(s, p);
	vs_req(s, VU_POSTCOPY_ADVISE, 0, NULL, 0, 0);
	/* synth describes it as an eventfd */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_POSTCOPY_ADVISE, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void rval04_shmem_count(struct vc_synth *s, struct vs_profile *p)
{
	static uint8_t cfg[8 + 8 * VU_SHMEM_MAX_REGIONS];
	static const struct vu_shmem_cfg_pl two = { .nregions = 2, .sizes = { 0x200000 } };
	pf_add(p, VU_BIT(VU_PF_SHMEM));
	vs_init(s, p);
	vu_enc_shmem_cfg(cfg, sizeof cfg, &two);
	vs_req(s, VU_GET_SHMEM_CONFIG, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_SHMEM_CONFIG, cfg, sizeof cfg);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void rval05_no_mq(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_MQ);
	p->pf_acked = p->pf_offered;
	full(s, p);
}

/* ---- VU-BCH: back-end channel requests ---- */

/* Negotiation with the back-end channel and bits, the channel set. */
static void bch_init(struct vc_synth *s, struct vs_profile *p, uint64_t bits)
{
	pf_add(p, VU_BIT(VU_PF_BACKEND_REQ) | bits);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
}

/* A back-end request and, when it asks, the front-end's ack. */
static void be_req(struct vc_synth *s, uint32_t req, uint32_t flags, const void *pl, uint32_t len,
		   uint32_t nfds)
{
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, req, VU_VERSION | flags, pl, len, nfds);
	if (flags & VU_FLAG_NEED_REPLY)
		vs_msg(s, VC_DIR_FE_TO_BE, VU_CHAN_BACKEND, req, VU_VERSION | VU_FLAG_REPLY, P64(0), 8, 0);
}

static void be_state(struct vc_synth *s, uint32_t req, uint32_t idx, uint32_t num)
{
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ idx, num });
	be_req(s, req, VU_FLAG_NEED_REPLY, q, sizeof q, 0);
}

static void be_notifier(struct vc_synth *s, uint64_t size)
{
	uint8_t q[24];
	vu_enc_area(q, sizeof q, &(struct vu_area_pl){ .u64 = 0, .size = size, .offset = 0 });
	be_req(s, VU_BE_VRING_HOST_NOTIFIER_MSG, 0, q, sizeof q, 1);
}

static void be_mmap(struct vc_synth *s, uint32_t req, uint64_t off, uint64_t len, uint64_t flags)
{
	uint8_t q[40];
	vu_enc_mmap(q, sizeof q, &(struct vu_mmap_pl){ .shmid = 0, .shm_offset = off, .len = len, .flags = flags });
	be_req(s, req, 0, q, sizeof q, req == VU_BE_SHMEM_MAP);
}

static void be_iotlb(struct vc_synth *s, uint8_t type)
{
	uint8_t q[32];
	vu_enc_iotlb(q, sizeof q, &(struct vu_iotlb_pl){ .iova = 0x100000, .perm = 1, .type = type });
	be_req(s, VU_BE_IOTLB_MSG, 0, q, sizeof q, 0);
}

/* Every back-end request as the text has it. */
void clean_backend_channel(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	bch_init(s, p, VU_BIT(VU_PF_BACKEND_SEND_FD) | VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_HOST_NOTIFIER) |
			       VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_SHMEM) |
			       VU_BIT(VU_PF_SHARED_OBJECT));
	be_iotlb(s, 1);
	be_iotlb(s, 4);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	be_notifier(s, 4096);
	be_notifier(s, 65536);
	be_state(s, VU_BE_VRING_CALL, 0, 0);
	be_state(s, VU_BE_VRING_ERR, 1, 0);
	uint8_t uuid[16] = { 1, 2, 3 };
	be_req(s, VU_BE_SHARED_OBJECT_ADD, 0, uuid, sizeof uuid, 0);
	be_req(s, VU_BE_SHARED_OBJECT_REMOVE, 0, uuid, sizeof uuid, 0);
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x2000, 1);
	be_mmap(s, VU_BE_SHMEM_MAP, 0x2000, 0x1000, 0);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0x2000, 0x1000, 0);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0, 0x2000, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch01_call_num(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_INBAND_NOTIFICATIONS));
	be_state(s, VU_BE_VRING_CALL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch02_call_ungated(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, 0);
	be_state(s, VU_BE_VRING_CALL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch03_fd_without_send_fd(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_HOST_NOTIFIER));
	be_notifier(s, 4096);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch04_notifier_size(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_HOST_NOTIFIER) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_notifier(s, 0x1800);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch05_shmem_flags(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x1000, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch06_unmap_part(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x2000, 1);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0, 0x1000, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void bch07_iotlb_update(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	bch_init(s, p, 0);
	be_iotlb(s, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A recording of the back-end: a CONFIG_CHANGE_MSG sent after the reply
 * that stopped its last ring. One sent before the stop, and one after the
 * restart, are no finding. */
void bch08_suspended(struct vc_synth *s, struct vs_profile *p)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_BACKEND;
	bch_init(s, p, VU_BIT(VU_PF_CONFIG));
	vs_start(s, p);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 0, 0);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0); /* before the stop */
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 });
	vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0); /* suspended */
	vs_vring_fd(s, VU_SET_VRING_KICK, 0, false);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* GET_INFLIGHT_FD sizing an area it passes no fd for. */
void rval06_inflight_no_fd(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	struct vu_inflight_pl in = { .num_queues = (uint16_t)p->queues, .queue_size = (uint16_t)p->num };
	vu_enc_inflight(q, sizeof q, &in);
	vs_req(s, VU_GET_INFLIGHT_FD, 0, q, sizeof q, 0);
	in.mmap_size = 4096;
	vu_enc_inflight(q, sizeof q, &in);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_INFLIGHT_FD, VU_VERSION | VU_FLAG_REPLY, q, sizeof q, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}
