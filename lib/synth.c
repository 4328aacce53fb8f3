#include "vcts/synth.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

#include <stdio.h>
#include <string.h>

void vs_begin(struct vc_synth *s, struct vc_trace *t, const char *name, enum vc_side side)
{
	memset(s, 0, sizeof *s);
	s->t = t;
	s->sid = vc_trace_add_session(t, side, name);
	s->time_ns = 1000000000;
	s->next_ident = 0x1000;
}

static struct vc_event base(struct vc_synth *s, enum vc_event_kind kind, enum vc_dir dir)
{
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = (uint8_t)kind;
	ev.dir = (uint8_t)dir;
	ev.session = s->sid;
	ev.time_ns = (s->time_ns += 1000);
	ev.src.file = s->t->source;
	ev.src.line = ++s->line;
	ev.has_fds = true;
	return ev;
}

struct vc_event *vs_msg(struct vc_synth *s, enum vc_dir dir, uint8_t chan, uint32_t req,
			uint32_t flags, const void *payload, uint32_t len, uint32_t nfds)
{
	struct vc_event ev = base(s, VC_EV_VU_MSG, dir);
	struct vc_fd fds[VC_EVENT_MAX_FDS];
	ev.fds = fds;
	vc_vu_msg_set(&ev.u.vu, chan, req, flags, len, payload, len);
	ev.nfds = nfds;
	for (uint32_t i = 0; i < nfds && i < VC_EVENT_MAX_FDS; i++) {
		bool table = chan == VU_CHAN_MAIN && (req == VU_SET_MEM_TABLE || req == VU_ADD_MEM_REG);
		ev.fds[i].kind = table ? VC_FD_MEMFD : VC_FD_EVENTFD;
		ev.fds[i].size = -1;
		ev.fds[i].ident = s->next_ident++;
		snprintf(ev.fds[i].name, sizeof ev.fds[i].name, "%s",
			 table ? "/memfd:mem (deleted)" : "anon_inode:[eventfd]");
	}
	return vc_trace_add_event(s->t, &ev);
}

struct vc_event *vs_req(struct vc_synth *s, uint32_t req, uint32_t extra_flags,
			const void *payload, uint32_t len, uint32_t nfds)
{
	return vs_msg(s, VC_DIR_FE_TO_BE, VU_CHAN_MAIN, req, VU_VERSION | extra_flags, payload, len,
		      nfds);
}

struct vc_event *vs_reply(struct vc_synth *s, uint32_t req, const void *payload, uint32_t len)
{
	return vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, req, VU_VERSION | VU_FLAG_REPLY, payload,
		      len, 0);
}

struct vc_event *vs_u64(struct vc_synth *s, uint32_t req, uint64_t v)
{
	uint8_t p[8];
	vu_enc_u64(p, sizeof p, v);
	return vs_req(s, req, 0, p, sizeof p, 0);
}

struct vc_event *vs_state(struct vc_synth *s, uint32_t req, uint32_t index, uint32_t num)
{
	uint8_t p[8];
	vu_enc_state(p, sizeof p, &(struct vu_state_pl){ index, num });
	return vs_req(s, req, 0, p, sizeof p, 0);
}

struct vc_event *vs_addr(struct vc_synth *s, uint32_t index, uint64_t desc, uint64_t used,
			 uint64_t avail, uint64_t log, uint32_t flags)
{
	uint8_t p[40];
	vu_enc_addr(p, sizeof p, &(struct vu_addr_pl){ .index = index, .flags = flags, .desc = desc,
						       .used = used, .avail = avail, .log = log });
	return vs_req(s, VU_SET_VRING_ADDR, 0, p, sizeof p, 0);
}

struct vc_event *vs_vring_fd(struct vc_synth *s, uint32_t req, uint32_t index, bool nofd)
{
	uint8_t p[8];
	vu_enc_u64(p, sizeof p, (uint64_t)index | (nofd ? VU_VRING_NOFD : 0));
	return vs_req(s, req, 0, p, sizeof p, nofd ? 0 : 1);
}

void vs_get_u64(struct vc_synth *s, uint32_t req, uint64_t answer)
{
	uint8_t p[8];
	vs_req(s, req, 0, NULL, 0, 0);
	vu_enc_u64(p, sizeof p, answer);
	vs_reply(s, req, p, sizeof p);
}

struct vc_event *vs_memtable(struct vc_synth *s, const struct vu_region_pl *r, uint32_t n,
			     const uint64_t *idents)
{
	/* Up to twice the baseline, so fixtures can send too many regions. */
	uint8_t p[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE * VU_MEM_BASELINE_REGIONS * 2];
	uint32_t k = n > VU_MEM_BASELINE_REGIONS * 2 ? VU_MEM_BASELINE_REGIONS * 2 : n;
	/* nregions says n even when only k regions fit (a lying table). */
	vu_enc_memtable_sz(p, sizeof p, n, 0, r, k, VU_MEM_REGION_SIZE);
	struct vc_event *ev = vs_req(s, VU_SET_MEM_TABLE, 0, p,
				     VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE * k, k);
	for (uint32_t i = 0; idents && i < k; i++)
		if (idents[i])
			ev->fds[i].ident = idents[i];
	return ev;
}

struct vc_event *vs_eof(struct vc_synth *s, enum vc_dir who, uint32_t partial_bytes)
{
	struct vc_event ev = base(s, VC_EV_VU_EOF, who);
	ev.has_fds = false;
	ev.u.eof.partial = partial_bytes != 0;
	ev.u.eof.partial_bytes = partial_bytes;
	return vc_trace_add_event(s->t, &ev);
}

struct vc_event *vs_kick(struct vc_synth *s, uint32_t ring)
{
	struct vc_event ev = base(s, VC_EV_VU_KICK, VC_DIR_FE_TO_BE);
	ev.has_fds = false;
	ev.u.kick.ring = ring;
	return vc_trace_add_event(s->t, &ev);
}

struct vc_event *vs_stall(struct vc_synth *s)
{
	struct vc_event ev = base(s, VC_EV_VU_STALL, VC_DIR_BE_TO_FE);
	ev.has_fds = false;
	return vc_trace_add_event(s->t, &ev);
}

void vs_default_profile(struct vs_profile *p)
{
	memset(p, 0, sizeof *p);
	p->features = VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES) | VU_BIT(VU_F_LOG_ALL) |
		      VU_BIT(29) | VU_BIT(28);
	p->acked = VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES) | VU_BIT(29);
	p->pf_offered = VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_REPLY_ACK) |
			VU_BIT(VU_PF_STATUS) | VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	p->queues = 2;
	p->num = 256;
	p->mem_size = 256ull << 20;
	p->uva = 0x7f0000000000ull;
	p->status = false;
}

void vs_ring_layout(const struct vs_profile *p, uint32_t i, uint64_t *desc, uint64_t *avail,
		    uint64_t *used)
{
	uint64_t base_gpa = 0x100000ull + (uint64_t)i * 0x10000ull;
	*desc = p->uva + base_gpa;
	*avail = *desc + vu_desc_bytes(p->num);
	*used = p->uva + base_gpa + 0x8000ull;
}

void vs_init(struct vc_synth *s, const struct vs_profile *p)
{
	vs_get_u64(s, VU_GET_FEATURES, p->features);
	if (p->features & VU_BIT(VU_F_PROTOCOL_FEATURES)) {
		vs_get_u64(s, VU_GET_PROTOCOL_FEATURES, p->pf_offered);
		vs_u64(s, VU_SET_PROTOCOL_FEATURES, p->pf_acked);
		if (p->pf_acked & VU_BIT(VU_PF_MQ))
			vs_get_u64(s, VU_GET_QUEUE_NUM, p->queues);
	}
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	for (uint32_t i = 0; i < p->queues; i++)
		vs_vring_fd(s, VU_SET_VRING_CALL, i, false);
}

void vs_start(struct vc_synth *s, const struct vs_profile *p)
{
	vs_u64(s, VU_SET_FEATURES, p->acked);
	if (p->status) {
		vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					      VIRTIO_STATUS_FEATURES_OK);
	}
	struct vu_region_pl r = { .gpa = 0, .size = p->mem_size, .uva = p->uva, .mmap_offset = 0 };
	vs_memtable(s, &r, 1, NULL);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
		vs_vring_fd(s, VU_SET_VRING_CALL, i, false);
	}
	for (uint32_t i = 0; i < p->queues; i++)
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	if (p->status)
		vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

void vs_stop(struct vc_synth *s, const struct vs_profile *p)
{
	for (uint32_t i = 0; i < p->queues; i++) {
		uint8_t q[8];
		vs_state(s, VU_GET_VRING_BASE, i, 0);
		vu_enc_state(q, sizeof q, &(struct vu_state_pl){ i, 0 });
		vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	}
	if (p->status)
		vs_u64(s, VU_SET_STATUS, 0);
}
