/* Fixture builders of the rings: VU-RING (split rings, kicks, enable),
 * VU-PACK (packed rings), VU-LIVE (kicks of a running device). */
#include "conformance/tests/fixtures.h"

void ring01_b22(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_state(s, VU_SET_VRING_NUM, 5, 256);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_state(s, VU_SET_VRING_NUM, 0, 300);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring03_b21(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring04_b14(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_state(s, VU_SET_VRING_BASE, 0, 0);
	vs_addr(s, 0, 0, 0x1000, 0x2000, 0, 0); /* desc 0: not a user address */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_addr(s, 0, p->uva + 0x10000, p->uva + 0x20000, p->uva + 0x30001, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_vring_fd(s, VU_SET_VRING_KICK, 0, false); /* no BASE, no ADDR */
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring07_b14(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	uint8_t q[8] = { 0 };
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring08_unmapped(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* Hot-unplug takes away the memory under the rings. */
	struct vu_region_pl r = { 0x40000000, p->mem_size, p->uva + 0x40000000, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring08_relocated(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* Same addresses, but now backed by another part of the same file. */
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0x200000 };
	uint64_t ident = first_table_ident(s);
	vs_memtable(s, &r, 1, &ident);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring09_b13(struct vc_synth *s, struct vs_profile *p)
{
	/* QEMU 7.2: SET_STATUS(0) before GET_VRING_BASE. */
	p->status = true;
	vs_init(s, p);
	vs_start(s, p);
	vs_u64(s, VU_SET_STATUS, 0);
	p->status = false;
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring10_b8(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
	}
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1); /* only the first ring */
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring11(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_GET_VRING_BASE, 0, 5);
	uint8_t q[8] = { 0 };
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 });
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* One packed ring started at `start`, stopped (the back-end returns
 * `returned`) and restarted at `restart`. */
static void packed(struct vc_synth *s, struct vs_profile *p, uint32_t start, uint32_t returned,
		   uint32_t restart)
{
	p->features |= VU_BIT(VU_F_RING_PACKED);
	p->acked |= VU_BIT(VU_F_RING_PACKED);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	for (int round = 0; round < 2; round++) {
		vs_state(s, VU_SET_VRING_NUM, 0, p->num);
		vs_state(s, VU_SET_VRING_BASE, 0, round ? restart : start);
		vs_addr(s, 0, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, 0, false);
		vs_vring_fd(s, VU_SET_VRING_CALL, 0, false);
		vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
		vs_state(s, VU_GET_VRING_BASE, 0, 0);
		uint8_t q[8];
		vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, returned });
		vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	}
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU with a correct back-end: fresh 0x80008000, 5 buffers used. */
void clean_packed(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x80058005u, 0x80058005u);
}

/* After a lap of a 256 ring: avail 3 wrap 0 (259 taken), used 1 wrap 0
 * (257 used, 2 held). */
void clean_packed_wrapped(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x00010003u, 0x00010003u);
}

void pack01_past_size(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x8000812cu, 0x80058005u, 0x80058005u); /* avail 300 of 256 */
}

void pack01_used_ahead(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x80058003u, 0x80058005u, 0x80058005u); /* used 5 > avail 3 */
}

/* A migration destination started from a source whose back-end left the
 * used half 0/0 (QEMU forwards the word it stored). */
void pack01_forwarded(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x0000809cu, 0x809c809cu, 0x809c809cu);
}

/* DPDK 22.11 virtio-user (traces/dpdk-virtio-user-packed): only the avail
 * wrap counter set. */
void pack02_dpdk(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x00008000u, 0x80058005u, 0x80058005u);
}

/* DPDK 22.11 vhost: the used half of the reply left 0/0 after 156 buffers;
 * the front-end then restores it (judged on the reply only). */
void pack03_dpdk(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x0000809cu, 0x0000809cu);
}

/* Set up every ring of the profile; enable[i] < 0 sends no SET_VRING_ENABLE. */
static void setup_rings(struct vc_synth *s, struct vs_profile *p, const int *enable, bool polling)
{
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, polling);
	}
	for (uint32_t i = 0; i < p->queues; i++)
		if (enable[i] >= 0)
			vs_state(s, VU_SET_VRING_ENABLE, i, (uint32_t)enable[i]);
}

/* QEMU with 2 queue pairs offered and a guest using one (traces/
 * qemu-dpdk-net-mq1): rings 2-3 started and disabled on purpose. */
void clean_mq_pair_disabled(struct vc_synth *s, struct vs_profile *p)
{
	p->queues = 4;
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1, 0, 0 }, false);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Live, B8: ring 1 never named by SET_VRING_ENABLE, yet kicked again. */
void ring10_live_kicks(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, -1 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A ring disabled on purpose may be kicked: the driver posts buffers the
 * back-end processes without side effects (QEMU 7.2 + Linux 6.1, live:
 * RX ring 2 kicked before the pair is enabled). */
void clean_live_disabled_kicked(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 0 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU 7.2 kicks each ring once right after SET_VRING_KICK, before any
 * SET_VRING_ENABLE (vhost-user.rst asks front-ends to): no finding. */
void clean_live_compat_kick(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ -1, -1 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	for (uint32_t i = 0; i < p->queues; i++)
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_VRING_KICK with the no-fd bit starts a polling ring. */
void clean_polling_rings(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void ring03_polling(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_state(s, VU_SET_VRING_NUM, 0, p->num); /* ring 0 is started */
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The text has no GET_VRING_BASE_INFLIGHT exemption for num. */
void ring11_inflight(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT) | VU_BIT(VU_PF_INFLIGHT_SHMFD));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE, 0, 1);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_skip_drain(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_SKIP_DRAIN) | VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT) |
			  VU_BIT(VU_PF_INFLIGHT_SHMFD));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE_SKIP_DRAIN, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A front-end never sends a miss (type 1): that is the back-end's. */
/* A capture of the fake back-end (serve): kicks are seen. Rings 0 and 1
 * started with kick fds; `kick` says which get one before the stop. */
static void live_kicks(struct vc_synth *s, struct vs_profile *p, const bool *kick)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_LIVE;
	vs_init(s, p);
	vs_start(s, p);
	for (uint32_t i = 0; i < p->queues; i++)
		if (kick[i])
			vs_kick(s, i);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_live_kicked(struct vc_synth *s, struct vs_profile *p)
{
	live_kicks(s, p, (const bool[]){ true, true });
}

void live03_never_kicked(struct vc_synth *s, struct vs_profile *p)
{
	live_kicks(s, p, (const bool[]){ true, false });
}

/* Polling rings (no kick fd) have nothing to kick. */
void clean_live_polling(struct vc_synth *s, struct vs_profile *p)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_LIVE;
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* In-band notifications: INBAND with BACKEND_REQ and REPLY_ACK, kicks
 * with NEED_REPLY and num 0, acked. */
static void inband(struct vc_synth *s, struct vs_profile *p, uint32_t num, uint32_t flags)
{
	pf_add(p, VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_BACKEND_REQ));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_start(s, p);
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, num });
	vs_req(s, VU_VRING_KICK, flags, q, sizeof q, 0);
	if (flags & VU_FLAG_NEED_REPLY) /* a back-end refuses a reserved num */
		vs_reply(s, VU_VRING_KICK, num ? P64(1) : P64(0), 8);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_inband_kick(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 0, VU_FLAG_NEED_REPLY); }

void ring12_kick_num(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 1, VU_FLAG_NEED_REPLY); }

void ring12_kick_no_reply(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 0, 0); }

/* CROSS_ENDIAN as QEMU sends it for a legacy device: the guest's order
 * before each start, native order again after each stop
 * (vhost_virtqueue_start/_stop); `late` sends one while ring 0 runs. */
static void endian(struct vc_synth *s, struct vs_profile *p, uint32_t num, bool late)
{
	pf_add(p, VU_BIT(VU_PF_CROSS_ENDIAN));
	vs_init(s, p);
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < p->queues; i++)
			vs_state(s, VU_SET_VRING_ENDIAN, i, num);
		vs_start(s, p);
		if (late)
			vs_state(s, VU_SET_VRING_ENDIAN, 0, num);
		vs_stop(s, p);
		for (uint32_t i = 0; i < p->queues; i++)
			vs_state(s, VU_SET_VRING_ENDIAN, i, VU_ENDIAN_LITTLE);
	}
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

void clean_endian(struct vc_synth *s, struct vs_profile *p) { endian(s, p, VU_ENDIAN_BIG, false); }

void ring13_endian_value(struct vc_synth *s, struct vs_profile *p) { endian(s, p, 2, false); }

void ring13_endian_started(struct vc_synth *s, struct vs_profile *p) { endian(s, p, VU_ENDIAN_BIG, true); }

/* Split ring restarted at 0x00010005: bits 16-31 are reserved. */
void ring14_split_high_bits(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_state(s, VU_SET_VRING_BASE, 0, 0x00010005u);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}
