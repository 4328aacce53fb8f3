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
	    !vc_expect(c, VU_LOG_01, vu_feature_offered(st, VU_F_LOG_ALL),
		       "SET_LOG_BASE but the back-end never offered LOG_ALL (bit 26)"))
		return;
	if (!m->has_payload || !vu_dec_log(m->payload, m->payload_len, &lg))
		return;
	if (lg.mmap_offset + lg.mmap_size < lg.mmap_offset) {
		vc_fail(c, VU_LOG_01, "SET_LOG_BASE mmap_offset 0x%" PRIx64 " + mmap_size 0x%" PRIx64 " wraps",
			lg.mmap_offset, lg.mmap_size);
		return;
	}
	if (!st->memtable_set)
		return;
	uint64_t need = vu_state_log_needed(st);
	vc_expect(c, VU_LOG_01, lg.mmap_size >= need,
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
	vc_expect(c, VU_LOG_02, st->log.mmap_size >= need,
		  "%s while logging needs a %" PRIu64 "-byte log but the log in force has %" PRIu64 " bytes (grow it first)",
		  vc_ctx_reqname(c), need, st->log.mmap_size);
}

static void set_addr(struct vc_ctx *c)
{
	struct vu_addr_pl a;
	const struct vc_vu_msg *m = &c->ev->u.vu;
	if (!vu_dec_addr(m->payload, m->payload_len, &a) || !(a.flags & VU_VRING_F_LOG) ||
	    !c->st->memtable_set)
		return;
	uint32_t num = a.index < VU_MAX_RINGS && c->st->rings[a.index].num_set ? c->st->rings[a.index].num : 1;
	/* packed: the used address is the 4-byte device event area */
	uint64_t len = vu_feature_acked(c->st, VU_F_RING_PACKED) ? VRING_PACKED_EVENT_SIZE : vu_used_bytes(num);
	vc_expect(c, VU_LOG_03, vu_state_find_gpa(c->st, a.log, len) >= 0,
		  "ring %u log_guest_addr 0x%" PRIx64 " is not inside the memory table", a.index, a.log);
}

void vu_log_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	switch (ev->u.vu.request) {
	case VU_SET_LOG_BASE:
		set_log_base(c);
		break;
	case VU_SET_MEM_TABLE:
	case VU_ADD_MEM_REG:
		if (ev->u.vu.has_payload)
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
