/* VU-MEM: memory table contents. */
#include "conformance/check.h"

#include <inttypes.h>
#include <stdio.h>

#define PAGE 4096ull

static bool wraps(uint64_t a, uint64_t len)
{
	return len && a + len - 1 < a;
}

/* Checks one region on its own: VU-MEM-02, -04, -05. */
static bool region_ok(struct vc_ctx *c, const char *what, const struct vu_region_pl *r,
		      const struct vc_fd *fd)
{
	bool ok = vc_expect(c, VC_R_VU_MEM_02,
			    r->size > 0 && !wraps(r->gpa, r->size) && !wraps(r->uva, r->size) &&
				    !wraps(r->mmap_offset, r->size),
			    "%s: gpa 0x%" PRIx64 " uva 0x%" PRIx64 " offset 0x%" PRIx64
			    " size 0x%" PRIx64 " is empty or wraps around",
			    what, r->gpa, r->uva, r->mmap_offset, r->size);
	vc_expect(c, VC_R_VU_MEM_05, (r->gpa % PAGE) == 0 && (r->size % PAGE) == 0 && (r->uva % PAGE) == 0,
		  "%s: gpa 0x%" PRIx64 " size 0x%" PRIx64 " uva 0x%" PRIx64 " not 4 KiB aligned", what,
		  r->gpa, r->size, r->uva);
	/* GPA_ADDRESSES: user addresses are guest-physical ones. */
	if (vu_pf_negotiated(c->st, VU_PF_GPA_ADDRESSES))
		vc_expect(c, VC_R_VU_MEM_06, r->uva == r->gpa,
			  "%s: user address 0x%" PRIx64 " differs from guest address 0x%" PRIx64
			  " with GPA_ADDRESSES negotiated",
			  what, r->uva, r->gpa);
	/* Only a live source knows the fd's real size. */
	if (fd && fd->size >= 0)
		vc_expect(c, VC_R_VU_MEM_04,
			  !wraps(r->mmap_offset, r->size) &&
				  r->mmap_offset + r->size <= (uint64_t)fd->size,
			  "%s: mmap_offset 0x%" PRIx64 " + size 0x%" PRIx64 " runs past the end of its fd (%" PRId64 " bytes)",
			  what, r->mmap_offset, r->size, fd->size);
	return ok;
}

static bool overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a < b + bl && b < a + al;
}

static void check_overlaps(struct vc_ctx *c, const struct vu_region_pl *rs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++) {
			if (overlap(rs[i].gpa, rs[i].size, rs[j].gpa, rs[j].size)) {
				vc_fail(c, VC_R_VU_MEM_03, "regions %u and %u overlap in guest-physical space (0x%" PRIx64 ", 0x%" PRIx64 ")",
					i, j, rs[i].gpa, rs[j].gpa);
				return;
			}
			if (overlap(rs[i].uva, rs[i].size, rs[j].uva, rs[j].size)) {
				vc_fail(c, VC_R_VU_MEM_03, "regions %u and %u overlap in user address space (0x%" PRIx64 ", 0x%" PRIx64 ")",
					i, j, rs[i].uva, rs[j].uva);
				return;
			}
		}
	vc_ok(c, VC_R_VU_MEM_03);
}

static uint64_t slot_limit(const struct vu_state *st)
{
	if (vu_pf_negotiated(st, VU_PF_CONFIGURE_MEM_SLOTS) && st->max_mem_slots > 0)
		return (uint64_t)st->max_mem_slots;
	return VU_MEM_BASELINE_REGIONS;
}

static void mem_table(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vc_vu_msg *m = &ev->u.vu;
	uint32_t n, pad;
	if (!vu_dec_memtable_hdr(m->payload, m->payload_len, &n, &pad))
		return;
	uint64_t limit = slot_limit(c->st);
	/* SET_MEM_TABLE itself is capped at 8 regions even with more slots. */
	if (limit > VU_MEM_BASELINE_REGIONS)
		limit = VU_MEM_BASELINE_REGIONS;
	/* No minimum: the text sets none, and the postcopy acknowledgement
	 * is an empty table (rings outside any table are VU-RING-04/08's). */
	vc_expect(c, VC_R_VU_MEM_01, n <= limit, "SET_MEM_TABLE has %u regions (allowed 0..%" PRIu64 ")",
		  n, limit);
	vc_expect(c, VC_R_VU_MEM_02, pad == 0, "SET_MEM_TABLE padding is 0x%x, must be 0", pad);
	struct vu_region_pl rs[VU_MEM_BASELINE_REGIONS];
	uint32_t have = 0;
	for (uint32_t i = 0; i < n && i < VU_MEM_BASELINE_REGIONS; i++) {
		if (!vu_dec_memtable_region_sz(m->payload, m->payload_len, i,
					       vu_state_region_size(c->st), &rs[have]))
			break;
		char what[32];
		snprintf(what, sizeof what, "region %u", i);
		const struct vc_fd *fd = ev->has_fds && ev->fds && i < ev->nfds && i < VC_EVENT_MAX_FDS ? &ev->fds[i] : NULL;
		if (region_ok(c, what, &rs[have], fd))
			have++;
	}
	check_overlaps(c, rs, have);
}

static void add_reg(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	uint64_t pad;
	struct vu_region_pl r;
	if (!vu_dec_memreg(ev->u.vu.payload, ev->u.vu.payload_len, &pad, &r))
		return;
	vc_expect(c, VC_R_VU_MEM_02, pad == 0, "ADD_MEM_REG padding is 0x%" PRIx64 ", must be 0", pad);
	if (!region_ok(c, "ADD_MEM_REG", &r, ev->has_fds && ev->fds && ev->nfds ? &ev->fds[0] : NULL))
		return;
	uint64_t limit = slot_limit(st);
	vc_expect(c, VC_R_VU_MEM_01, (uint64_t)st->nregions + 1 <= limit,
		  "ADD_MEM_REG makes %u regions, the back-end has %" PRIu64 " slots", st->nregions + 1, limit);
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *o = &st->regions[i].r;
		if (overlap(r.gpa, r.size, o->gpa, o->size) || overlap(r.uva, r.size, o->uva, o->size)) {
			vc_fail(c, VC_R_VU_MEM_03, "ADD_MEM_REG gpa 0x%" PRIx64 " size 0x%" PRIx64 " overlaps region gpa 0x%" PRIx64,
				r.gpa, r.size, o->gpa);
			return;
		}
	}
	vc_ok(c, VC_R_VU_MEM_03);
}

/* VU-MEM-07: the request after the back-end's postcopy table reply is
 * the empty SET_MEM_TABLE that acknowledges it, without NEED_REPLY
 * (QEMU sends 8 bytes: a table header with 0 regions). Decided from the
 * header too: a table of 0 regions is VU_MEM_TABLE_HDR bytes. */
static void postcopy_ack(struct vc_ctx *c)
{
	const struct vc_vu_msg *m = &c->ev->u.vu;
	uint32_t n = 0, pad;
	const char *why = NULL;
	if (m->request != VU_SET_MEM_TABLE)
		why = "is not the empty SET_MEM_TABLE that acknowledges it";
	else if (m->flags & VU_FLAG_NEED_REPLY)
		why = "sets NEED_REPLY";
	else if (m->has_payload ? vu_dec_memtable_hdr(m->payload, m->payload_len, &n, &pad) && n != 0
				: m->has_size && m->size != VU_MEM_TABLE_HDR)
		why = "is not empty";
	else if (c->ev->has_fds && c->ev->nfds)
		why = "carries fds";
	vc_expect(c, VC_R_VU_MEM_07, why == NULL,
		  "the front-end's answer to the back-end's postcopy SET_MEM_TABLE reply (%s) %s",
		  vc_ctx_reqname(c), why);
}

/* "within vhost memory regions": every byte in some region (adjacent
 * regions may share one range). */
static bool in_regions(const struct vu_state *st, uint64_t a, uint64_t len, bool by_gpa)
{
	while (len) {
		const struct vu_region_pl *hit = NULL;
		for (uint32_t i = 0; i < st->nregions && !hit; i++) {
			const struct vu_region_pl *r = &st->regions[i].r;
			uint64_t base = by_gpa ? r->gpa : r->uva;
			if (a >= base && a - base < r->size)
				hit = r;
		}
		if (!hit)
			return false;
		uint64_t room = hit->size - (a - (by_gpa ? hit->gpa : hit->uva));
		if (room >= len)
			return true;
		/* The rest lies past the top of the address space: a range
		 * that wraps to 0 is in no region, whatever holds address 0. */
		if (a + room < a)
			return false;
		a += room;
		len -= room;
	}
	return true;
}

/* VU-MEM-08: an IOTLB update points into the memory the table shares. */
static void iotlb_update(struct vc_ctx *c)
{
	const struct vc_vu_msg *m = &c->ev->u.vu;
	struct vu_iotlb_pl io;
	if (!vu_dec_iotlb(m->payload, m->payload_len, &io) || io.type != VU_IOTLB_UPDATE)
		return;
	/* With GPA_ADDRESSES "this field contain[s] guest physical address
	 * instead" (not so in the back-end's BACKEND_IOTLB_MSG). */
	const bool by_gpa = vu_pf_negotiated(c->st, VU_PF_GPA_ADDRESSES);
	vc_expect(c, VC_R_VU_MEM_08, in_regions(c->st, io.uaddr, io.size, by_gpa),
		  "IOTLB update iova 0x%" PRIx64 " size 0x%" PRIx64 " maps %s 0x%" PRIx64
		  " outside the memory regions (%u in force)",
		  io.iova, io.size, by_gpa ? "guest address" : "user address", io.uaddr,
		  c->st->nregions);
}

/* VU-MEM-09: REM_MEM_REG names a region in force by guest address, user
 * address and size; "The mmap offset is ignored". */
static void rem_reg(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	uint64_t pad;
	struct vu_region_pl r;
	if (!vu_dec_memreg(c->ev->u.vu.payload, c->ev->u.vu.payload_len, &pad, &r))
		return;
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *o = &st->regions[i].r;
		if (o->gpa == r.gpa && o->uva == r.uva && o->size == r.size) {
			vc_ok(c, VC_R_VU_MEM_09);
			return;
		}
	}
	vc_fail(c, VC_R_VU_MEM_09,
		"REM_MEM_REG gpa 0x%" PRIx64 " uva 0x%" PRIx64 " size 0x%" PRIx64
		" names no region in force (%u regions)",
		r.gpa, r.uva, r.size, st->nregions);
}

/* VU-MEM-10: SET_INFLIGHT_FD describes the area GET_INFLIGHT_FD gave on
 * this connection. After a back-end restart the area comes from the
 * connection before, which the engine does not see: no judgement then. */
static void set_inflight(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	struct vu_inflight_pl in;
	if (!st->inflight_known ||
	    !vu_dec_inflight(c->ev->u.vu.payload, c->ev->u.vu.payload_len, &in))
		return;
	vc_expect(c, VC_R_VU_MEM_10,
		  in.mmap_size == st->inflight.mmap_size && in.mmap_offset == st->inflight.mmap_offset,
		  "SET_INFLIGHT_FD mmap size 0x%" PRIx64 " offset 0x%" PRIx64
		  " is not the area GET_INFLIGHT_FD gave (size 0x%" PRIx64 " offset 0x%" PRIx64 ")",
		  in.mmap_size, in.mmap_offset, st->inflight.mmap_size, st->inflight.mmap_offset);
}

void vu_mem_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	if (c->st->postcopy_ack_owed)
		postcopy_ack(c);
	if (!ev->u.vu.has_payload)
		return;
	switch (ev->u.vu.request) {
	case VU_SET_MEM_TABLE:
		mem_table(c);
		break;
	case VU_ADD_MEM_REG:
		add_reg(c);
		break;
	case VU_REM_MEM_REG:
		rem_reg(c);
		break;
	case VU_IOTLB_MSG:
		iotlb_update(c);
		break;
	case VU_SET_INFLIGHT_FD:
		set_inflight(c);
		break;
	default:
		break;
	}
}
