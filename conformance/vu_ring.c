/* VU-RING: ring set-up, start, stop and relocation. */
#include "conformance/check.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const part_names[3] = { "descriptor table", "available ring", "used ring" };

/* VU-RING-01: index against the queue count, when it is known. */
static bool check_index(struct vc_ctx *c, int64_t idx)
{
	int64_t qn = c->st->queue_num;
	if (qn < 0 && c->profile_queues)
		qn = c->profile_queues;
	if (idx < 0)
		return false;
	if (qn >= 0)
		return vc_expect(c, VC_R_VU_RING_01, idx < qn, "%s for ring %lld but the back-end has %lld queues",
				 vc_ctx_reqname(c), (long long)idx, (long long)qn);
	/* No count known: the protocol's 8-bit kick/call index is the ceiling. */
	return vc_expect(c, VC_R_VU_RING_01, idx < VU_MAX_RINGS,
			 "%s for ring %lld, beyond any possible queue (max %u)", vc_ctx_reqname(c),
			 (long long)idx, VU_MAX_RINGS - 1);
}

static bool ring_mapped(struct vc_ctx *c, const struct vu_ring *r, const char *why)
{
	const struct vu_state *st = c->st;
	bool ok = true;
	for (int p = 0; p < 3 && ok; p++) {
		uint64_t a, l;
		bool partial;
		vu_ring_part(r, p, &a, &l);
		int i = vu_state_find_uva(st, a, l, &partial);
		ok = vc_expect(c, VC_R_VU_RING_04, i >= 0,
			       "%s: %s at 0x%" PRIx64 " (+%" PRIu64 ") is %s the memory table", why,
			       part_names[p], a, l, partial ? "not wholly inside one region of" : "outside");
	}
	return ok;
}

static void set_addr(struct vc_ctx *c, const struct vc_vu_msg *m)
{
	struct vu_addr_pl a;
	if (!vu_dec_addr(m->payload, m->payload_len, &a) || !check_index(c, a.index))
		return;
	const struct vu_state *st = c->st;
	const bool packed = vu_feature_acked(st, VU_F_RING_PACKED);
	vc_expect(c, VC_R_VU_RING_05,
		  (a.desc % 16) == 0 && (a.avail % (packed ? 4 : 2)) == 0 && (a.used % 4) == 0 &&
			  (a.flags & ~VU_VRING_F_LOG) == 0,
		  "ring %u addresses desc 0x%" PRIx64 " avail 0x%" PRIx64 " used 0x%" PRIx64
		  " flags 0x%x: misaligned or unknown flags",
		  a.index, a.desc, a.avail, a.used, a.flags);
	if (a.index >= VU_MAX_RINGS)
		return;
	const struct vu_ring *cur = &st->rings[a.index];
	/* Re-sending the same rings with only the log flag changed is how
	 * dirty logging is switched on a running ring. */
	bool only_log = cur->addr_set && cur->addr.desc == a.desc && cur->addr.used == a.used &&
			cur->addr.avail == a.avail;
	vc_expect(c, VC_R_VU_RING_03, !cur->started || only_log,
		  "SET_VRING_ADDR moves ring %u while it is started", a.index);
	/* With an IOMMU the addresses are IOVAs, not user addresses. */
	if (vu_feature_acked(st, VU_F_ACCESS_PLATFORM))
		return;
	if (!vc_expect(c, VC_R_VU_RING_04, st->memtable_set,
		       "SET_VRING_ADDR for ring %u before any memory table", a.index))
		return;
	struct vu_ring tmp = *cur;
	tmp.addr = a;
	tmp.packed = packed;
	char why[48];
	snprintf(why, sizeof why, "ring %u", a.index);
	ring_mapped(c, &tmp, why);
}

static void check_stop_all(struct vc_ctx *c, const char *what)
{
	const struct vu_state *st = c->st;
	for (unsigned i = 0; i < VU_MAX_RINGS; i++)
		if (st->rings[i].started) {
			vc_fail(c, VC_R_VU_RING_09, "%s while ring %u is still started (no GET_VRING_BASE yet)",
				what, i);
			return;
		}
	vc_ok(c, VC_R_VU_RING_09);
}

static void check_relocation(struct vc_ctx *c, const struct vc_event *ev)
{
	/* Build the state the new table would give and look at every started
	 * ring through it. */
	const struct vu_state *st = c->st;
	static __thread struct vu_state next;
	bool any = false;
	for (unsigned i = 0; i < VU_MAX_RINGS && !any; i++)
		any = st->rings[i].started && st->rings[i].addr_set;
	if (!any || vu_feature_acked(st, VU_F_ACCESS_PLATFORM))
		return;
	next = *st;
	vu_state_apply(&next, ev, NULL, c->live);
	for (unsigned i = 0; i < VU_MAX_RINGS; i++) {
		const struct vu_ring *r = &st->rings[i];
		if (!r->started || !r->addr_set)
			continue;
		bool ok = true;
		for (int p = 0; p < 3 && ok; p++) {
			uint64_t a, l;
			bool partial;
			vu_ring_part(r, p, &a, &l);
			int ri = vu_state_find_uva(&next, a, l, &partial);
			if (ri < 0) {
				vc_fail(c, VC_R_VU_RING_08,
					"%s leaves started ring %u's %s at 0x%" PRIx64 " unmapped (QEMU: \"unable to map\", -ENOMEM)",
					vc_ctx_reqname(c), i, part_names[p], a);
				ok = false;
				break;
			}
			if (!r->backing_known)
				continue;
			const struct vu_region *rg = &next.regions[ri];
			uint64_t off = rg->r.mmap_offset + (a - rg->r.uva);
			bool same_file = !rg->fd_ident || !r->backing_ident[p] ||
					 rg->fd_ident == r->backing_ident[p];
			if (!same_file || off != r->backing_off[p]) {
				vc_fail(c, VC_R_VU_RING_08,
					"%s relocates started ring %u's %s (file offset 0x%" PRIx64 " -> 0x%" PRIx64 "%s; QEMU: -EBUSY)",
					vc_ctx_reqname(c), i, part_names[p], r->backing_off[p], off,
					same_file ? "" : ", other file");
				ok = false;
			}
		}
		if (ok)
			vc_ok(c, VC_R_VU_RING_08);
	}
}

static void start_check(struct vc_ctx *c, uint32_t idx, const char *how)
{
	const struct vu_ring *r = &c->st->rings[idx];
	if (r->started)
		return;
	vc_expect(c, VC_R_VU_RING_06, r->num_set && r->base_set && r->addr_set,
		  "ring %u started (%s) before%s%s%s", idx, how, r->num_set ? "" : " SET_VRING_NUM",
		  r->base_set ? "" : " SET_VRING_BASE", r->addr_set ? "" : " SET_VRING_ADDR");
}

void vu_ring_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	if (ev->kind == VC_EV_VU_KICK) {
		if (ev->u.kick.ring < VU_MAX_RINGS) {
			const struct vu_ring *r = &st->rings[ev->u.kick.ring];
			if (!r->started)
				vc_expect(c, VC_R_VU_RING_06, r->num_set && r->base_set && r->addr_set && r->kick_set,
					  "ring %u kicked before it was set up:%s%s%s%s", ev->u.kick.ring,
					  r->num_set ? "" : " no SET_VRING_NUM", r->base_set ? "" : " no SET_VRING_BASE",
					  r->addr_set ? "" : " no SET_VRING_ADDR", r->kick_set ? "" : " no kick fd");
			else if (vu_feature_acked(st, VU_F_PROTOCOL_FEATURES) && !r->enabled_while_started &&
				 !r->enable_sent)
				/* The driver uses a ring the front-end never
				 * enabled nor disabled: forgotten (B8). A disabled
				 * ring may be kicked (a Linux guest posts RX
				 * buffers before QEMU enables the pair: a real
				 * run), and the first kick may be the one the text
				 * asks front-ends to inject after SET_VRING_KICK. */
				vc_expect(c, VC_R_VU_RING_10, r->kicks_not_enabled < 1,
					  "ring %u kicked again while started and never named by SET_VRING_ENABLE: the driver uses a ring the front-end forgot to enable",
					  ev->u.kick.ring);
		}
		return;
	}
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	if (!m->has_payload)
		return; /* every ring rule needs the payload */
	struct vu_state_pl s;
	uint64_t u;
	switch (m->request) {
	case VU_SET_VRING_NUM:
		if (!vu_dec_state(m->payload, m->payload_len, &s) || !check_index(c, s.index))
			break;
		if (vu_feature_acked(st, VU_F_RING_PACKED))
			vc_expect(c, VC_R_VU_RING_02, s.num >= 1 && s.num <= VU_SPLIT_RING_MAX,
				  "SET_VRING_NUM ring %u num %u outside 1..%u", s.index, s.num,
				  VU_SPLIT_RING_MAX);
		else
			vc_expect(c, VC_R_VU_RING_02,
				  s.num >= 1 && s.num <= VU_SPLIT_RING_MAX && (s.num & (s.num - 1)) == 0,
				  "SET_VRING_NUM ring %u num %u is not a power of two in 1..%u", s.index,
				  s.num, VU_SPLIT_RING_MAX);
		if (s.index < VU_MAX_RINGS)
			vc_expect(c, VC_R_VU_RING_03, !st->rings[s.index].started,
				  "SET_VRING_NUM for ring %u while it is started", s.index);
		break;
	case VU_SET_VRING_BASE:
		if (!vu_dec_state(m->payload, m->payload_len, &s) || !check_index(c, s.index))
			break;
		if (s.index < VU_MAX_RINGS)
			vc_expect(c, VC_R_VU_RING_03, !st->rings[s.index].started,
				  "SET_VRING_BASE for ring %u while it is started", s.index);
		/* Split: "Bits 16-31: Reserved (set to zero)"; packed rings
		 * carry the used half there (VU-PACK-*). */
		if (st->features_acked_known && !vu_feature_acked(st, VU_F_RING_PACKED))
			vc_expect(c, VC_R_VU_RING_14, (s.num & ~VU_SPLIT_BASE_MASK) == 0,
				  "SET_VRING_BASE ring %u index 0x%08x on a split ring: bits 16-31 are reserved and must be zero",
				  s.index, s.num);
		break;
	case VU_SET_VRING_ADDR:
		set_addr(c, m);
		break;
	case VU_GET_VRING_BASE:
	case VU_GET_VRING_BASE_SKIP_DRAIN:
		if (!vu_dec_state(m->payload, m->payload_len, &s) || !check_index(c, s.index))
			break;
		/* "The request payload's num field is currently reserved and
		 * must be set to 0", with no exception (SKIP_DRAIN: "identical
		 * to GET_VRING_BASE"). */
		vc_expect(c, VC_R_VU_RING_11, s.num == 0, "%s ring %u has num %u; it must be 0",
			  vc_ctx_reqname(c), s.index, s.num);
		if (s.index >= VU_MAX_RINGS)
			break;
		{
			const struct vu_ring *r = &st->rings[s.index];
			vc_expect(c, VC_R_VU_RING_07, r->started,
				  "%s for ring %u, which %s", vc_ctx_reqname(c), s.index,
				  r->ever_started ? "was already stopped" : "was never started");
			/* Started and disabled is a state the text defines: a
			 * ring the front-end disabled on purpose (a guest using
			 * fewer queue pairs) is no finding. One never named by
			 * any SET_VRING_ENABLE is B8: forgotten. */
			if (r->started && vu_feature_acked(st, VU_F_PROTOCOL_FEATURES))
				vc_expect(c, VC_R_VU_RING_10, r->enabled_while_started || r->enable_sent,
					  "ring %u is stopped but no SET_VRING_ENABLE ever named it while it ran (started disabled, never enabled)",
					  s.index);
		}
		break;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		if (!vu_dec_u64(m->payload, m->payload_len, &u))
			break;
		check_index(c, (int64_t)(u & VU_VRING_IDX_MASK));
		/* SET_VRING_KICK starts the ring, polling (no-fd) or not. */
		if (m->request == VU_SET_VRING_KICK)
			start_check(c, (uint32_t)(u & VU_VRING_IDX_MASK),
				    (u & VU_VRING_NOFD) ? "SET_VRING_KICK, polling" : "SET_VRING_KICK");
		break;
	case VU_VRING_KICK:
		if (!vu_dec_state(m->payload, m->payload_len, &s))
			break;
		/* num reserved, 0; REPLY_ACK "needs to be used with the in-band
		 * notification messages to block until they are processed". */
		vc_expect(c, VC_R_VU_RING_12, s.num == 0 && (m->flags & VU_FLAG_NEED_REPLY),
			  "VRING_KICK ring %u num %u flags 0x%x: %s", s.index, s.num, m->flags,
			  s.num ? "num is reserved and must be 0" : "sent without NEED_REPLY");
		if (check_index(c, s.index) && s.index < VU_MAX_RINGS)
			start_check(c, s.index, "VRING_KICK");
		break;
	case VU_SET_VRING_ENDIAN:
		if (!vu_dec_state(m->payload, m->payload_len, &s))
			break;
		check_index(c, s.index);
		/* "Once (per VQ)" is not judged: QEMU resets a stopped ring to
		 * native order after GET_VRING_BASE (vhost_virtqueue_stop) and
		 * sets it again at the next start, two messages between starts. */
		{
			const struct vu_ring *r = s.index < VU_MAX_RINGS ? &st->rings[s.index] : NULL;
			const char *why = s.num != VU_ENDIAN_LITTLE && s.num != VU_ENDIAN_BIG
						  ? "num must be 0 (little) or 1 (big)"
					  : r && r->started ? "the ring is started (the text asks for it before the VQ starts)"
							    : NULL;
			vc_expect(c, VC_R_VU_RING_13, why == NULL, "SET_VRING_ENDIAN ring %u num %u: %s",
				  s.index, s.num, why);
		}
		break;
	case VU_SET_VRING_ENABLE:
		if (vu_dec_state(m->payload, m->payload_len, &s))
			check_index(c, s.index);
		break;
	case VU_SET_STATUS:
		if (vu_dec_u64(m->payload, m->payload_len, &u) && u == 0)
			check_stop_all(c, "SET_STATUS(0)");
		break;
	case VU_RESET_DEVICE:
		check_stop_all(c, "RESET_DEVICE");
		break;
	case VU_RESET_OWNER:
		check_stop_all(c, "RESET_OWNER");
		break;
	case VU_SET_MEM_TABLE:
	case VU_ADD_MEM_REG:
	case VU_REM_MEM_REG:
		check_relocation(c, ev);
		break;
	default:
		break;
	}
}

void vu_ring_end(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	if (!vu_feature_acked(st, VU_F_PROTOCOL_FEATURES))
		return;
	for (unsigned i = 0; i < VU_MAX_RINGS; i++) {
		const struct vu_ring *r = &st->rings[i];
		if (r->started && !r->enabled_while_started && !r->enable_sent)
			vc_fail(c, VC_R_VU_RING_10,
				"ring %u was started and no SET_VRING_ENABLE named it before the session ended", i);
	}
}
