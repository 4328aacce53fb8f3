/* VU-BCH: what a back-end sends on its channel (vhost-user.rst, Back-end
 * communication and Back-end message types): requests only with their
 * feature, fds only with BACKEND_SEND_FD, payload fields the text fixes,
 * and SHMEM_UNMAP of whole mappings made before. */
#include "conformance/check.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>

/* "at most 8 descriptors in each message" (Back-end communication). */
#define BCH_MAX_FDS 8u
/* Mappings kept for VU-BCH-06: a back-end that maps without end grows
 * neither memory nor the search of each unmap past this; after it,
 * unmaps not found are not judged. */
#define BCH_MAX_MAPS 4096u

struct bch_map {
	uint8_t shmid;
	uint64_t off, len;
};

/* The SHMEM mappings the back-end made and has not unmapped; whether the
 * device is suspended (VU-BCH-08). */
struct bch_state {
	struct bch_map *maps;
	size_t n, cap;
	bool maps_dropped; /* a mapping past BCH_MAX_MAPS was not kept */
	bool suspended;
};

void vu_bch_check(struct vc_ctx *c);
void vu_bch_free(void *p);

void vu_bch_free(void *p)
{
	struct bch_state *bs = p;
	if (bs)
		free(bs->maps);
	free(bs);
}

static struct bch_state *state(struct vc_ctx *c)
{
	void **slot = vc_family_state(c);
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct bch_state));
	return *slot;
}

/* VU-BCH-02: the request's own feature ("This request should be sent
 * only when ..."); SHMEM_MAP/UNMAP are VU-NEG-10's. */
static void gate(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	const struct vu_gate g = c->ri->gate;
	if (g.kind == VU_GATE_FEATURE) {
		if (st->features_acked_known)
			vc_expect(c, VC_R_VU_BCH_02, vu_feature_acked(st, g.bit),
				  "back-end request %s without feature %s negotiated", vc_ctx_reqname(c),
				  vu_feature_name(g.bit));
	} else if (g.kind == VU_GATE_PROTOCOL) {
		if (st->pf_acked_known && st->pf_offered_known)
			vc_expect(c, VC_R_VU_BCH_02, vu_pf_negotiated(st, g.bit),
				  "back-end request %s without protocol feature %s negotiated",
				  vc_ctx_reqname(c), vu_protocol_feature_name(g.bit));
	}
}

/* VU-BCH-03: fds only with BACKEND_SEND_FD, at most 8 per message. */
static void fds(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	if (!ev->has_fds || ev->nfds == 0)
		return;
	if (ev->nfds > BCH_MAX_FDS) {
		vc_fail(c, VC_R_VU_BCH_03, "back-end request %s carries %u fds; at most %u are allowed",
			vc_ctx_reqname(c), ev->nfds, BCH_MAX_FDS);
		return;
	}
	if (st->pf_acked_known && st->pf_offered_known)
		vc_expect(c, VC_R_VU_BCH_03, vu_pf_negotiated(st, VU_PF_BACKEND_SEND_FD),
			  "back-end request %s carries %u fd(s) without BACKEND_SEND_FD negotiated",
			  vc_ctx_reqname(c), ev->nfds);
}

/* VU-BCH-04: "the size (which is mmap size and should be the same as
 * host page size)". The host's page size is not in a trace: the sizes
 * Linux pages have (4, 16, 64 KiB) pass. Judged only when an fd comes
 * with it (without one the notifier is dropped and the size unused). */
static void host_notifier(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_area_pl a;
	if (!c->ev->has_fds || c->ev->nfds == 0 || !vu_dec_area(m->payload, m->payload_len, &a))
		return;
	vc_expect(c, VC_R_VU_BCH_04, a.size == 4096 || a.size == 16384 || a.size == 65536,
		  "VRING_HOST_NOTIFIER_MSG ring %" PRIu64 " size 0x%" PRIx64 " is not a host page size",
		  a.u64 & 0xff, a.size);
}

static void shmem_map(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_mmap_pl mp;
	if (!vu_dec_mmap(m->payload, m->payload_len, &mp))
		return;
	vc_expect(c, VC_R_VU_BCH_05, mp.flags <= 1,
		  "SHMEM_MAP shmid %u flags 0x%" PRIx64 ": only 0 (read-only) and 1 (read-write) are defined",
		  mp.shmid, mp.flags);
	struct bch_state *bs = state(c);
	if (bs->n >= BCH_MAX_MAPS) {
		bs->maps_dropped = true;
		return;
	}
	bs->maps = xgrow(bs->maps, &bs->cap, bs->n + 1, sizeof *bs->maps);
	bs->maps[bs->n++] = (struct bch_map){ mp.shmid, mp.shm_offset, mp.len };
}

/* VU-BCH-06: "the given range shall correspond to the entirety of a
 * valid mapped region". Judged only when the channel was seen from its
 * start (SET_BACKEND_REQ_FD in the input), so every mapping is known. A
 * device reset drops the mappings on the front-end, but the list is kept:
 * an unmap the back-end sent before it saw the reset is not blamed. */
static void shmem_unmap(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_mmap_pl mp;
	if (!vu_dec_mmap(m->payload, m->payload_len, &mp) || !c->st->sent[VU_SET_BACKEND_REQ_FD])
		return;
	struct bch_state *bs = state(c);
	for (size_t i = 0; i < bs->n; i++) {
		const struct bch_map *b = &bs->maps[i];
		if (b->shmid == mp.shmid && b->off == mp.shm_offset && b->len == mp.len) {
			bs->maps[i] = bs->maps[--bs->n];
			vc_ok(c, VC_R_VU_BCH_06);
			return;
		}
	}
	if (bs->maps_dropped)
		return; /* it may be one of those not kept */
	vc_fail(c, VC_R_VU_BCH_06,
		"SHMEM_UNMAP shmid %u offset 0x%" PRIx64 " len 0x%" PRIx64 " is not a whole mapping made by an earlier SHMEM_MAP",
		mp.shmid, mp.shm_offset, mp.len);
}

/* VU-BCH-08: "While all vrings are stopped, the device is suspended ...
 * the device must: ... not send any messages to the front-end". The device
 * is taken as suspended from the reply that stopped its last started ring
 * (the back-end has stopped it by then) until the next ring start request.
 * Judged on a recording of the back-end itself (its sends are in the order
 * it made them) and live: serve emits its own sends in order, and drive
 * frames the back-end requests it read with a reply before that reply
 * (fakes/frontend/conn.c). Not on a recording of a front-end, which may
 * read a message sent before the stop after the reply, from the other
 * socket. */
static void suspension(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const uint32_t req = ev->u.vu.request;
	if (c->is_request) {
		if (req == VU_SET_VRING_KICK || req == VU_VRING_KICK)
			state(c)->suspended = false;
		return;
	}
	if (!c->answered || !vu_req_stops_ring(c->answered->request))
		return;
	bool started = false, ever = false;
	for (unsigned i = 0; i < VU_MAX_RINGS; i++) {
		started |= c->st->rings[i].started;
		ever |= c->st->rings[i].ever_started;
	}
	if (ever && !started)
		state(c)->suspended = true;
}

void vu_bch_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG)
		return;
	if (ev->u.vu.chan == VU_CHAN_MAIN) {
		suspension(c);
		return;
	}
	if (!c->is_request || ev->u.vu.chan != VU_CHAN_BACKEND || !c->ri)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	const uint32_t req = m->request;
	if (c->traced_side == VC_SIDE_BACKEND || c->live) {
		const struct bch_state *bs = *vc_family_state(c);
		vc_expect(c, VC_R_VU_BCH_08, !bs || !bs->suspended,
			  "back-end request %s while every ring is stopped (the device is suspended)",
			  vc_ctx_reqname(c));
	}
	if (req != VU_BE_SHMEM_MAP && req != VU_BE_SHMEM_UNMAP)
		gate(c);
	fds(c);
	if (!m->has_payload)
		return;
	struct vu_state_pl sp;
	struct vu_iotlb_pl io;
	switch (req) {
	case VU_BE_VRING_CALL:
	case VU_BE_VRING_ERR:
		/* VU-BCH-01: "The state.num field is currently reserved and
		 * must be set to 0." */
		if (vu_dec_state(m->payload, m->payload_len, &sp))
			vc_expect(c, VC_R_VU_BCH_01, sp.num == 0, "%s ring %u num %u: num is reserved and must be 0",
				  vc_ctx_reqname(c), sp.index, sp.num);
		break;
	case VU_BE_IOTLB_MSG:
		/* VU-BCH-07: a miss (1) or an access failure (4), with
		 * permissions 0-3. */
		if (vu_dec_iotlb(m->payload, m->payload_len, &io))
			vc_expect(c, VC_R_VU_BCH_07, (io.type == 1 || io.type == 4) && io.perm <= 3,
				  "back-end IOTLB_MSG type %u perm %u iova 0x%" PRIx64
				  ": a back-end sends a miss (type 1) or an access failure (type 4), permissions 0-3",
				  io.type, io.perm, io.iova);
		break;
	case VU_BE_VRING_HOST_NOTIFIER_MSG:
		host_notifier(c, m);
		break;
	case VU_BE_SHMEM_MAP:
		shmem_map(c, m);
		break;
	case VU_BE_SHMEM_UNMAP:
		shmem_unmap(c, m);
		break;
	default:
		break;
	}
}
