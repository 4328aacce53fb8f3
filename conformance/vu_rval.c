/* VU-RVAL: values the text fixes in a back-end's replies, decidable from
 * the reply itself (and what the session negotiated before it). */
#include "conformance/check.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>

/* GET_SHMEM_CONFIG's answer "will remain valid and unchanged for the
 * entire lifetime of the connection": the first one is kept. */
struct rval_state {
	bool shmem_seen;
	struct vu_shmem_cfg_pl shmem;
};

void vu_rval_free(void *p);
void vu_rval_check(struct vc_ctx *c);

void vu_rval_free(void *p)
{
	free(p);
}

/* Smallest page mmap(2) maps on Linux: a size that is not a multiple of it
 * is a multiple of no page size (the trace does not record the host's). */
#define RVAL_MIN_PAGE 4096u

static void vring_base(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_state_pl s;
	/* Split only: with RING_PACKED bits 16-31 are the used half. */
	if (!c->st->features_acked_known || vu_feature_acked(c->st, VU_F_RING_PACKED) ||
	    !vu_dec_state(m->payload, m->payload_len, &s))
		return;
	vc_expect(c, VC_R_VU_RVAL_01, (s.num >> 16) == 0,
		  "%s reply ring %u num 0x%08x: a split ring's index is 16 bits, bits 16-31 are reserved (zero)",
		  vc_ctx_reqname(c), s.index, s.num);
}

static void device_state_fd(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	uint64_t v;
	if (!c->ev->has_fds || !vu_dec_u64(m->payload, m->payload_len, &v))
		return;
	const bool nofd = v & 0x100u, err = v & 0xffu;
	const uint32_t n = c->ev->nfds;
	if (n > 0)
		vc_expect(c, VC_R_VU_RVAL_02, !nofd && !err,
			  "SET_DEVICE_STATE_FD reply 0x%" PRIx64 " comes with %u fd(s) but %s", v, n,
			  err ? "reports an error (bits 0-7): an error never comes with an fd"
			      : "sets the invalid-FD flag (bit 8)");
	else if (!err) /* on an error the flag says nothing: no channel is set up */
		vc_expect(c, VC_R_VU_RVAL_02, nofd,
			  "SET_DEVICE_STATE_FD reply 0x%" PRIx64 " reports success with no fd but the invalid-FD flag (bit 8) is clear",
			  v);
}

static void postcopy_advise(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (!ev->has_fds)
		return;
	if (ev->nfds == 0) {
		vc_fail(c, VC_R_VU_RVAL_03, "POSTCOPY_ADVISE reply carries no fd: the back-end must open a userfaultfd and pass it");
		return;
	}
	/* Only an fd whose kind the source saw is judged by kind. */
	if (!ev->fds || ev->fds[0].kind == VC_FD_UNKNOWN) {
		vc_ok(c, VC_R_VU_RVAL_03);
		return;
	}
	vc_expect(c, VC_R_VU_RVAL_03, ev->fds[0].kind == VC_FD_USERFAULTFD,
		  "POSTCOPY_ADVISE reply passes an fd of kind %s (%s), not a userfaultfd", vc_fd_kind_name(ev->fds[0].kind),
		  ev->fds[0].name[0] ? ev->fds[0].name : "no name");
}

/* VU-RVAL-06: the inflight description's area lies in "the supplied file
 * descriptor": a non-zero size comes with an fd and its offset +
 * size does not wrap. A size of 0 offers no area (QEMU then expects no fd). */
static void inflight_fd(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_inflight_pl in;
	if (!c->ev->has_fds || !vu_dec_inflight(m->payload, m->payload_len, &in) || in.mmap_size == 0)
		return;
	/* More than one fd is VU-FD-06's. */
	if (!vc_expect(c, VC_R_VU_RVAL_06, c->ev->nfds >= 1,
		       "GET_INFLIGHT_FD reply: an area of 0x%" PRIx64 " bytes but no fd; it lies in the fd passed",
		       in.mmap_size))
		return;
	vc_expect(c, VC_R_VU_RVAL_06, in.mmap_offset + in.mmap_size >= in.mmap_offset,
		  "GET_INFLIGHT_FD reply: offset 0x%" PRIx64 " + size 0x%" PRIx64 " wraps", in.mmap_offset,
		  in.mmap_size);
}

static void shmem_config(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_shmem_cfg_pl cfg;
	if (!vu_dec_shmem_cfg(m->payload, m->payload_len, &cfg))
		return;
	uint32_t nonzero = 0, odd = VU_SHMEM_MAX_REGIONS;
	for (uint32_t i = 0; i < VU_SHMEM_MAX_REGIONS; i++) {
		nonzero += cfg.sizes[i] != 0;
		if (cfg.sizes[i] % RVAL_MIN_PAGE && odd == VU_SHMEM_MAX_REGIONS)
			odd = i;
	}
	vc_expect(c, VC_R_VU_RVAL_04, cfg.nregions == nonzero,
		  "GET_SHMEM_CONFIG reply: num regions %u but %u sizes are non-zero", cfg.nregions, nonzero);
	if (odd < VU_SHMEM_MAX_REGIONS)
		vc_fail(c, VC_R_VU_RVAL_04, "GET_SHMEM_CONFIG reply: region %u size 0x%" PRIx64
			" is not a multiple of the page size", odd, cfg.sizes[odd]);
	void **slot = vc_family_state(c);
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct rval_state));
	struct rval_state *rs = *slot;
	if (!rs->shmem_seen) {
		rs->shmem_seen = true;
		rs->shmem = cfg;
		return;
	}
	uint32_t diff = VU_SHMEM_MAX_REGIONS;
	for (uint32_t i = 0; i < VU_SHMEM_MAX_REGIONS && diff == VU_SHMEM_MAX_REGIONS; i++)
		if (cfg.sizes[i] != rs->shmem.sizes[i])
			diff = i;
	if (diff < VU_SHMEM_MAX_REGIONS)
		vc_fail(c, VC_R_VU_RVAL_04, "GET_SHMEM_CONFIG reply: region %u size 0x%" PRIx64
			" changed from 0x%" PRIx64 " within the connection", diff, cfg.sizes[diff],
			rs->shmem.sizes[diff]);
}

void vu_rval_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || c->is_request || ev->u.vu.chan != VU_CHAN_MAIN || !c->answered)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	/* A reply naming another request is VU-HDR-03's; an ack VU-REPLY-02's. */
	if (m->request != c->answered->request || !c->answered->value_reply)
		return;
	if (m->request == VU_POSTCOPY_ADVISE) {
		postcopy_advise(c);
		return;
	}
	if (!m->has_payload)
		return;
	switch (m->request) {
	case VU_GET_VRING_BASE:
	case VU_GET_VRING_BASE_SKIP_DRAIN:
		vring_base(c, m);
		break;
	case VU_SET_DEVICE_STATE_FD:
		device_state_fd(c, m);
		break;
	case VU_GET_SHMEM_CONFIG:
		shmem_config(c, m);
		break;
	case VU_GET_INFLIGHT_FD:
		inflight_fd(c, m);
		break;
	case VU_GET_PROTOCOL_FEATURES: {
		/* "the back-end has to implement protocol features first": a
		 * back-end without bit 30 is not asked for MQ. */
		uint64_t pf;
		if (vu_feature_offered(c->st, VU_F_PROTOCOL_FEATURES) &&
		    vu_dec_u64(m->payload, m->payload_len, &pf))
			vc_expect(c, VC_R_VU_RVAL_05, pf & VU_BIT(VU_PF_MQ),
				  "GET_PROTOCOL_FEATURES reply 0x%" PRIx64 " does not offer MQ (bit 0)", pf);
		break;
	}
	default:
		break;
	}
}
