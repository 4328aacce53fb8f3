/* Fixture helpers more than one family's builders call (conformance/
 * tests/fixtures.h declares them). */
#include "conformance/tests/fixtures.h"

void full(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The file behind region 0 of the last memory table sent. */
uint64_t first_table_ident(const struct vc_synth *s)
{
	uint64_t ident = 0;
	for (size_t i = 0; i < s->t->nevents; i++)
		if (s->t->events[i].kind == VC_EV_VU_MSG &&
		    s->t->events[i].u.vu.request == VU_SET_MEM_TABLE && s->t->events[i].nfds)
			ident = s->t->events[i].fds[0].ident;
	return ident;
}

void set_log_base(struct vc_synth *s, uint64_t size)
{
	uint8_t l[16];
	vu_enc_log(l, sizeof l, &(struct vu_log_pl){ size, 0 });
	vs_req(s, VU_SET_LOG_BASE, 0, l, 16, 1);
	vs_reply(s, VU_SET_LOG_BASE, NULL, 0);
}

void pf_add(struct vs_profile *p, uint64_t bits)
{
	p->pf_offered |= bits;
	p->pf_acked |= bits;
}

/* POSTCOPY_ADVISE answered as the text has it: a userfaultfd, no payload. */
void postcopy_advise(struct vc_synth *s)
{
	vs_req(s, VU_POSTCOPY_ADVISE, 0, NULL, 0, 0);
	struct vc_event *ufd =
		vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_POSTCOPY_ADVISE, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	ufd->fds[0].kind = VC_FD_USERFAULTFD;
	snprintf(ufd->fds[0].name, sizeof ufd->fds[0].name, "anon_inode:[userfaultfd]");
}

void get_base(struct vc_synth *s, uint32_t req, uint32_t ring, uint32_t num)
{
	uint8_t q[8];
	vs_state(s, req, ring, num);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ ring, 0 });
	vs_reply(s, req, q, sizeof q);
}

void get_shmem_config(struct vc_synth *s, uint32_t reply_len)
{
	static uint8_t cfg[8 + 8 * VU_SHMEM_MAX_REGIONS];
	static const struct vu_shmem_cfg_pl one = { .nregions = 1, .sizes = { 0x200000 } };
	vu_enc_shmem_cfg(cfg, sizeof cfg, &one);
	vs_req(s, VU_GET_SHMEM_CONFIG, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_SHMEM_CONFIG, cfg, reply_len);
}

/* An IOTLB_MSG of the given type and permissions over the table's first
 * page (vs_start's region), IOMMU_PLATFORM acked. */
void iotlb_at(struct vc_synth *s, uint64_t uaddr, uint64_t size, uint8_t perm, uint8_t type)
{
	uint8_t m[32];
	vu_enc_iotlb(m, sizeof m,
		     &(struct vu_iotlb_pl){ .iova = 0x1000, .size = size, .uaddr = uaddr, .perm = perm, .type = type });
	vs_req(s, VU_IOTLB_MSG, 0, m, sizeof m, 0);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
}

void iommu_start(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_start(s, p);
}

/* A postcopy destination: ADVISE and LISTEN before the device starts;
 * its first table is answered with the back-end's bases and acknowledged
 * by an empty SET_MEM_TABLE; the rings set up after it must still find
 * the table in force. No CONFIGURE_MEM_SLOTS (postcopy excludes it). */
void postcopy(struct vc_synth *s, struct vs_profile *p, uint32_t ack_flags, bool advise)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT));
	vs_init(s, p);
	if (advise)
		postcopy_advise(s);
	/* QEMU asks an ack of LISTEN and END (vhost_user_postcopy_listen,
	 * _end: VHOST_USER_NEED_REPLY_MASK); END's ack is its own u64. */
	vs_req(s, VU_POSTCOPY_LISTEN, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_POSTCOPY_LISTEN, advise ? P64(0) : P64(1), 8); /* no ADVISE: refused */
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	uint8_t t[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE];
	struct vu_region_pl back = { 0, p->mem_size, 0x7e0000000000ull, 0 }; /* the back-end's base */
	vu_enc_memtable_sz(t, sizeof t, 1, 0, &back, 1, VU_MEM_REGION_SIZE);
	vs_reply(s, VU_SET_MEM_TABLE, t, sizeof t);
	vs_req(s, VU_SET_MEM_TABLE, ack_flags, P64(0), 8, 0);
	if (ack_flags & VU_FLAG_NEED_REPLY)
		vs_reply(s, VU_SET_MEM_TABLE, P64(1), 8); /* refused */
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	}
	vs_req(s, VU_POSTCOPY_END, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_POSTCOPY_END, P64(0), 8);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}
