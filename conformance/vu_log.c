/* VU-LOG: dirty-log set-up for migration. */
#include "conformance/check.h"
#include "vcts/vring.h"

#include <inttypes.h>

static void set_log_base(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	struct vu_log_pl lg;
	const struct vc_vu_msg *m = &c->ev->u.vu;
	if (st->features_offered_known &&
	    !vc_expect(c, VC_R_VU_LOG_01, vu_feature_offered(st, VU_F_LOG_ALL),
		       "SET_LOG_BASE but the back-end never offered LOG_ALL (bit 26)"))
		return;
	if (!m->has_payload || !vu_dec_log(m->payload, m->payload_len, &lg))
		return;
	if (lg.mmap_offset + lg.mmap_size < lg.mmap_offset) {
		vc_fail(c, VC_R_VU_LOG_01, "SET_LOG_BASE mmap_offset 0x%" PRIx64 " + mmap_size 0x%" PRIx64 " wraps",
			lg.mmap_offset, lg.mmap_size);
		return;
	}
	if (!st->memtable_set)
		return;
	uint64_t need = vu_state_log_needed(st);
	vc_expect(c, VC_R_VU_LOG_01, lg.mmap_size >= need,
		  "SET_LOG_BASE log of %" PRIu64 " bytes covers %" PRIu64 " MiB of guest memory; the table reaches 0x%" PRIx64 " (needs %" PRIu64 " bytes)",
		  lg.mmap_size, lg.mmap_size * 8 * VU_LOG_PAGE >> 20, vu_state_gpa_end(st), need);
}

static void table_while_logging(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	if (!st->log_set || !vu_feature_acked(st, VU_F_LOG_ALL))
		return;
	/* What the table about to be sent would need. */
	static __thread struct vu_state next;
	next = *st;
	vu_state_apply(&next, c->ev, NULL, c->live);
	uint64_t need = vu_state_log_needed(&next);
	vc_expect(c, VC_R_VU_LOG_02, st->log.mmap_size >= need,
		  "%s while logging needs a %" PRIu64 "-byte log but the log in force has %" PRIu64 " bytes (grow it first)",
		  vc_ctx_reqname(c), need, st->log.mmap_size);
}

/* VU-LOG-03: the used ring is logged at log_guest_addr, which "might be
 * outside the legal guest physical address range", but "the bit offset of
 * the last byte of the ring must fall within the size supplied by
 * VhostUserLog" (vhost-user.rst, Migration). A log too small for it is
 * the out-of-log write of CVE-2020-10722. Split rings: the used ring;
 * packed: the 4-byte device area the address field then names. */
static uint64_t logged_bytes(const struct vu_state *st, uint32_t index)
{
	if (vu_feature_acked(st, VU_F_RING_PACKED))
		return VRING_PACKED_EVENT_SIZE;
	uint32_t num = index < VU_MAX_RINGS && st->rings[index].num_set ? st->rings[index].num : 1;
	return vu_used_bytes(num);
}

static void log_covers(struct vc_ctx *c, const struct vu_addr_pl *a, const struct vu_log_pl *lg)
{
	uint64_t len = logged_bytes(c->st, a->index);
	uint64_t last = a->log + len - 1;
	bool wraps = last < a->log;
	/* Byte of the log holding the bit of the ring's last byte. */
	uint64_t byte = last / VU_LOG_PAGE / 8;
	vc_expect(c, VC_R_VU_LOG_03, !wraps && byte < lg->mmap_size,
		  "ring %u used ring logged at 0x%" PRIx64 " (+%" PRIu64 ") needs log byte %" PRIu64
		  "%s but the log has %" PRIu64 " bytes",
		  a->index, a->log, len, byte, wraps ? " (the address wraps)" : "", lg->mmap_size);
}

static void set_addr(struct vc_ctx *c)
{
	struct vu_addr_pl a;
	const struct vc_vu_msg *m = &c->ev->u.vu;
	const struct vu_state *st = c->st;
	if (!vu_dec_addr(m->payload, m->payload_len, &a) || !(a.flags & VU_VRING_F_LOG) ||
	    !st->log_set || a.index >= VU_MAX_RINGS)
		return;
	/* Only a running ring is judged against the log in force: at a start
	 * QEMU sends the addresses before the (new) SET_LOG_BASE, which is
	 * judged when it comes. */
	if (st->rings[a.index].started)
		log_covers(c, &a, &st->log);
}

/* A new log must cover every ring that logs its used ring. */
static void log_covers_rings(struct vc_ctx *c)
{
	const struct vu_state *st = c->st;
	struct vu_log_pl lg;
	const struct vc_vu_msg *m = &c->ev->u.vu;
	if (!m->has_payload || !vu_dec_log(m->payload, m->payload_len, &lg))
		return;
	for (uint32_t i = 0; i < VU_MAX_RINGS; i++) {
		const struct vu_ring *r = &st->rings[i];
		if (r->addr_set && (r->addr.flags & VU_VRING_F_LOG))
			log_covers(c, &r->addr, &lg);
	}
}

void vu_log_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	switch (ev->u.vu.request) {
	case VU_SET_LOG_BASE:
		set_log_base(c);
		log_covers_rings(c);
		break;
	case VU_SET_MEM_TABLE:
	case VU_ADD_MEM_REG:
		/* The postcopy acknowledgement changes no table. */
		if (ev->u.vu.has_payload && !vu_state_is_postcopy_ack(c->st, ev))
			table_while_logging(c);
		break;
	case VU_SET_VRING_ADDR:
		if (ev->u.vu.has_payload)
			set_addr(c);
		break;
	default:
		break;
	}
}
