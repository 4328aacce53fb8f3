/* Fixture builders of feature negotiation and set-up order: VU-NEG,
 * VU-STS, VU-ONCE, and the clean lifecycles (init, start, stop). */
#include "conformance/tests/fixtures.h"

void clean_default(struct vc_synth *s, struct vs_profile *p) { full(s, p); }

void clean_status(struct vc_synth *s, struct vs_profile *p)
{
	p->status = true;
	p->pf_offered |= VU_BIT(VU_PF_STATUS);
	p->pf_acked = p->pf_offered;
	full(s, p);
}

void clean_restart(struct vc_synth *s, struct vs_profile *p)
{
	/* Start and stop twice, like a guest driver reload. */
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg01(struct vc_synth *s, struct vs_profile *p)
{
	p->acked |= VU_BIT(VU_F_RING_PACKED);
	full(s, p);
}

void neg02(struct vc_synth *s, struct vs_profile *p)
{
	p->features &= ~VU_BIT(VU_F_PROTOCOL_FEATURES);
	vs_get_u64(s, VU_GET_FEATURES, p->features);
	vs_get_u64(s, VU_GET_PROTOCOL_FEATURES, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg03(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_acked |= VU_BIT(VU_PF_PAGEFAULT);
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg04(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_MQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_get_u64(s, VU_GET_QUEUE_NUM, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SEND_RARP, 0x112233445566ull);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg06_b9(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_REPLY_ACK);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL)->u.vu.flags |= VU_FLAG_NEED_REPLY;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg07(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered & ~VU_BIT(VU_PF_BACKEND_REQ);
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg08(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked & ~VU_BIT(29));
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once02_b3(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	/* One per queue pair instead of once per device. */
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once03_b2(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* SET_LOG_BASE for each queue pair, each with a new fd. */
	set_log_base(s, 8192);
	set_log_base(s, 8192);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once03_b4(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_RESET_DEVICE);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once04_b15(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint64_t ident = first_table_ident(s);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, &ident);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once05_nowait(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	/* NEED_REPLY, then the next request before the ack. */
	vs_req(s, VU_SET_FEATURES, VU_FLAG_NEED_REPLY, P64(p->acked), 8, 0);
	vs_req(s, VU_SET_OWNER + 0, 0, NULL, 0, 0)->u.vu.request = VU_GET_STATUS;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void once05_b1(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	/* The front-end waits for an ack of a request it never sent. */
	vs_stall(s);
}

void sts01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_FEATURES_OK);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void sts02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Gates the text words as "present in GET_PROTOCOL_FEATURES": offered,
 * not acked, is enough. */
void clean_offered_gates(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_RARP) | VU_BIT(VU_PF_NET_MTU) | VU_BIT(VU_PF_BACKEND_REQ) |
			 VU_BIT(VU_PF_RESET_DEVICE);
	p->pf_acked = VU_BIT(VU_PF_REPLY_ACK); /* MQ offered, not acked */
	p->features |= VU_BIT(VU_F_NET_MTU);
	p->acked |= VU_BIT(VU_F_NET_MTU);
	vs_init(s, p);
	vs_get_u64(s, VU_GET_QUEUE_NUM, 2);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_u64(s, VU_NET_SET_MTU, 1500);
	vs_u64(s, VU_SEND_RARP, 0x112233445566ull);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg05_mtu_unacked(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_NET_MTU));
	p->features |= VU_BIT(VU_F_NET_MTU); /* offered, not acked */
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_u64(s, VU_NET_SET_MTU, 1500);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg05_postcopy_slots(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT)); /* CONFIGURE_MEM_SLOTS is in the default */
	vs_init(s, p);
	postcopy_advise(s);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg09_skip_drain_alone(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_SKIP_DRAIN));
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A rust-vmm peer: SHMEM as bit 20. */
void neg10_shmem_bit20(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT));
	vs_init(s, p);
	get_shmem_config(s, 8 + 8 * VU_SHMEM_MAX_REGIONS);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* CHECK_DEVICE_STATE with no transfer before it. */
void neg12_check_without_transfer(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	vs_req(s, VU_CHECK_DEVICE_STATE, 0, NULL, 0, 0);
	vs_reply(s, VU_CHECK_DEVICE_STATE, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A ring set up before SET_OWNER. */
void once06_ring_before_owner(struct vc_synth *s, struct vs_profile *p)
{
	vs_get_u64(s, VU_GET_FEATURES, p->features);
	vs_vring_fd(s, VU_SET_VRING_CALL, 0, false);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU's order: SET_BACKEND_REQ_FD and SET_VRING_ENABLE after
 * SET_PROTOCOL_FEATURES, before the first SET_FEATURES. */
void clean_bit30_before_set_features(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_BACKEND_REQ));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
	vs_state(s, VU_SET_VRING_ENABLE, 1, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_FEATURES without bit 30, then SET_VRING_ENABLE. */
void neg11_enable_without_bit30(struct vc_synth *s, struct vs_profile *p)
{
	p->acked &= ~VU_BIT(VU_F_PROTOCOL_FEATURES);
	vs_init(s, p);
	vs_start(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void neg12_listen_without_advise(struct vc_synth *s, struct vs_profile *p) { postcopy(s, p, 0, false); }
