#include "conformance/vu_state.h"
#include "vcts/vring.h"

#include <string.h>

void vu_state_init(struct vu_state *st)
{
	memset(st, 0, sizeof *st);
	st->queue_num = -1;
	st->max_mem_slots = -1;
}

bool vu_pf_negotiated(const struct vu_state *st, unsigned bit)
{
	return vu_pf_known(st->pf_offered_known, st->pf_offered, st->pf_acked_known, st->pf_acked,
			   bit) == VU_KNOWN_YES;
}

uint64_t vu_pf_mask(const struct vu_state *st)
{
	if (!st->pf_offered_known || !st->pf_acked_known)
		return 0;
	return st->pf_offered & st->pf_acked;
}

uint32_t vu_state_region_size(const struct vu_state *st)
{
	return vu_mem_region_size(vu_pf_mask(st));
}

bool vu_feature_acked(const struct vu_state *st, unsigned bit)
{
	return bit < 64 && st->features_acked_known && (st->features_acked & VU_BIT(bit));
}

bool vu_feature_offered(const struct vu_state *st, unsigned bit)
{
	return bit < 64 && st->features_offered_known && (st->features_offered & VU_BIT(bit));
}

bool vu_event_is_request(const struct vc_event *ev)
{
	if (ev->kind != VC_EV_VU_MSG)
		return false;
	/* Requests flow front-end -> back-end on the main channel and the
	 * other way on the back-end channel. */
	bool want = ev->u.vu.chan == VU_CHAN_MAIN ? ev->dir == VC_DIR_FE_TO_BE
						  : ev->dir == VC_DIR_BE_TO_FE;
	return want;
}

/* What the state knows of a protocol feature's negotiation. */
static enum vu_known pf_known(const struct vu_state *st, unsigned bit)
{
	return vu_pf_known(st->pf_offered_known, st->pf_offered, st->pf_acked_known, st->pf_acked, bit);
}

bool vu_request_expects_reply(const struct vu_state *st, const struct vc_event *ev,
			      struct vu_pending *out)
{
	const struct vc_vu_msg *m = &ev->u.vu;
	memset(out, 0, sizeof *out);
	out->chan = m->chan;
	out->request = m->request;
	out->flags = m->flags;
	out->req_size = m->size;
	out->event = ev->index;
	out->ring = vc_vu_ring_index(ev);
	/* Where the input does not show the protocol features (a QEMU
	 * -trace log, a capture started late), "owed" follows what the
	 * specification allows: a reply that depends on them may come and
	 * is not required (SET_LOG_BASE with LOG_SHMFD, acks with
	 * REPLY_ACK). */
	struct vu_owed o = vu_reply_owed((enum vu_channel)m->chan, m->request, m->flags,
					 pf_known(st, VU_PF_LOG_SHMFD), pf_known(st, VU_PF_REPLY_ACK));
	out->value_reply = o.value != VU_KNOWN_NO;
	out->ack = !out->value_reply && o.ack != VU_KNOWN_NO;
	out->optional = out->value_reply ? o.value == VU_KNOWN_UNKNOWN : o.ack == VU_KNOWN_UNKNOWN;
	/* "When VHOST_USER_POSTCOPY_LISTEN has been received, SET_MEM_TABLE
	 * replies with the bases of the memory mapped regions" (its
	 * acknowledgement, the empty table after that reply, gets none). */
	if (m->chan == VU_CHAN_MAIN && m->request == VU_SET_MEM_TABLE && st->postcopy_listening &&
	    !st->postcopy_ack_owed) {
		out->value_reply = true;
		out->ack = false;
		out->optional = false;
	}
	return out->value_reply || out->ack;
}

bool vu_state_is_postcopy_ack(const struct vu_state *st, const struct vc_event *ev)
{
	return st->postcopy_ack_owed && ev->kind == VC_EV_VU_MSG && ev->u.vu.chan == VU_CHAN_MAIN &&
	       ev->u.vu.request == VU_SET_MEM_TABLE && vu_event_is_request(ev);
}

bool vu_state_pop_pending(struct vu_state *st, uint8_t chan, uint32_t request,
			  struct vu_pending *out)
{
	uint8_t c = chan ? 1 : 0;
	uint32_t skip = 0;
	/* Optional requests the reply does not name got no reply. */
	while (skip < st->npending[c] && st->pending[c][skip].optional &&
	       st->pending[c][skip].request != request)
		skip++;
	if (skip == st->npending[c]) {
		/* Nothing this reply answers: leave the optional ones be (a
		 * later reply may still be theirs) unless none could be. */
		return false;
	}
	*out = st->pending[c][skip];
	memmove(&st->pending[c][0], &st->pending[c][skip + 1],
		(st->npending[c] - skip - 1) * sizeof st->pending[c][0]);
	st->npending[c] -= skip + 1;
	return true;
}

const struct vu_pending *vu_state_first_owed(const struct vu_state *st, uint8_t chan)
{
	uint8_t c = chan ? 1 : 0;
	for (uint32_t i = 0; i < st->npending[c]; i++)
		if (!st->pending[c][i].optional)
			return &st->pending[c][i];
	return NULL;
}

void vu_state_push_pending(struct vu_state *st, const struct vu_pending *p)
{
	uint8_t c = p->chan ? 1 : 0;
	if (st->npending[c] == VU_MAX_PENDING) {
		/* A peer that never answers: keep the newest. */
		memmove(&st->pending[c][0], &st->pending[c][1],
			(VU_MAX_PENDING - 1) * sizeof st->pending[c][0]);
		st->npending[c]--;
	}
	st->pending[c][st->npending[c]++] = *p;
}

int vu_state_find_uva(const struct vu_state *st, uint64_t addr, uint64_t len, bool *partial)
{
	if (partial)
		*partial = false;
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *r = &st->regions[i].r;
		if (addr < r->uva || addr - r->uva >= r->size)
			continue;
		if (len <= r->size - (addr - r->uva))
			return (int)i;
		if (partial)
			*partial = true;
	}
	return -1;
}

int vu_state_find_gpa(const struct vu_state *st, uint64_t gpa, uint64_t len)
{
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *r = &st->regions[i].r;
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return (int)i;
	}
	return -1;
}

uint64_t vu_state_gpa_end(const struct vu_state *st)
{
	uint64_t end = 0;
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *r = &st->regions[i].r;
		uint64_t e = r->gpa + r->size;
		if (e < r->gpa)
			e = UINT64_MAX; /* wrapped: VU-MEM-02 reports it */
		if (e > end)
			end = e;
	}
	return end;
}

uint64_t vu_state_log_needed(const struct vu_state *st)
{
	uint64_t end = vu_state_gpa_end(st);
	uint64_t pages = end / VU_LOG_PAGE + (end % VU_LOG_PAGE ? 1 : 0);
	return pages / 8 + (pages % 8 ? 1 : 0);
}

void vu_ring_part(const struct vu_ring *r, int part, uint64_t *addr, uint64_t *len)
{
	uint32_t num = r->num_set ? r->num : 1;
	switch (part) {
	case 0:
		*addr = r->addr.desc;
		*len = vu_desc_bytes(num);
		break;
	case 1:
		*addr = r->addr.avail;
		/* packed: the driver event suppression area */
		*len = r->packed ? VRING_PACKED_EVENT_SIZE : vu_avail_bytes(num);
		break;
	default:
		*addr = r->addr.used;
		*len = r->packed ? VRING_PACKED_EVENT_SIZE : vu_used_bytes(num);
		break;
	}
}

void vu_ring_snapshot_backing(const struct vu_state *st, struct vu_ring *r)
{
	r->backing_known = false;
	if (!r->addr_set || !st->memtable_set)
		return;
	for (int p = 0; p < 3; p++) {
		uint64_t a, l;
		vu_ring_part(r, p, &a, &l);
		int i = vu_state_find_uva(st, a, l, NULL);
		if (i < 0)
			return;
		const struct vu_region *rg = &st->regions[i];
		r->backing_ident[p] = rg->fd_ident;
		r->backing_off[p] = rg->r.mmap_offset + (a - rg->r.uva);
	}
	r->backing_known = true;
}

static void start_ring(struct vu_state *st, uint32_t idx)
{
	struct vu_ring *r = &st->rings[idx];
	if (r->started)
		return;
	r->started = true;
	r->ever_started = true;
	/* Without bit 30 negotiated a ring starts enabled. */
	if (!vu_feature_acked(st, VU_F_PROTOCOL_FEATURES) && st->features_acked_known)
		r->enabled = true;
	r->enabled_while_started = r->enabled;
	r->kicks_not_enabled = 0;
	r->kicks_since_start = 0;
	r->started_by_fd = false;
	vu_ring_snapshot_backing(st, r);
	st->reset_device_armed = false;
}

static void load_table(struct vu_state *st, const struct vc_event *ev)
{
	const struct vc_vu_msg *m = &ev->u.vu;
	uint32_t n, pad;
	if (!vu_dec_memtable_hdr(m->payload, m->payload_len, &n, &pad))
		return;
	st->memtable_set = true;
	st->nregions = 0;
	for (uint32_t i = 0; i < n && i < VU_MAX_REGIONS; i++) {
		struct vu_region rg = { .fd_ident = 0, .fd_size = -1 };
		if (!vu_dec_memtable_region_sz(m->payload, m->payload_len, i,
					       vu_state_region_size(st), &rg.r))
			break;
		if (ev->has_fds && ev->fds && i < ev->nfds && i < VC_EVENT_MAX_FDS) {
			rg.fd_ident = ev->fds[i].ident;
			rg.fd_size = ev->fds[i].size;
		}
		st->regions[st->nregions++] = rg;
	}
}

static void add_region(struct vu_state *st, const struct vc_event *ev)
{
	uint64_t pad;
	struct vu_region rg = { .fd_ident = 0, .fd_size = -1 };
	if (!vu_dec_memreg(ev->u.vu.payload, ev->u.vu.payload_len, &pad, &rg.r))
		return;
	if (ev->has_fds && ev->fds && ev->nfds >= 1) {
		rg.fd_ident = ev->fds[0].ident;
		rg.fd_size = ev->fds[0].size;
	}
	st->memtable_set = true;
	if (st->nregions < VU_MAX_REGIONS)
		st->regions[st->nregions++] = rg;
}

static void rem_region(struct vu_state *st, const struct vc_event *ev)
{
	uint64_t pad;
	struct vu_region_pl r;
	if (!vu_dec_memreg(ev->u.vu.payload, ev->u.vu.payload_len, &pad, &r))
		return;
	for (uint32_t i = 0; i < st->nregions; i++) {
		const struct vu_region_pl *x = &st->regions[i].r;
		if (x->gpa == r.gpa && x->size == r.size) {
			st->regions[i] = st->regions[--st->nregions];
			return;
		}
	}
}

static void apply_request(struct vu_state *st, const struct vc_event *ev, bool live)
{
	(void)live; /* rings start at SET_VRING_KICK live and in traces alike */
	const struct vc_vu_msg *m = &ev->u.vu;
	if (m->chan != VU_CHAN_MAIN)
		return;
	if (m->request <= VU_REQ_MAX_FRONTEND)
		st->sent[m->request]++;
	/* The request after the postcopy table reply settles what it owed. */
	const bool pc_ack = st->postcopy_ack_owed && m->request == VU_SET_MEM_TABLE;
	st->postcopy_ack_owed = false;
	const bool pl = m->has_payload;
	const uint8_t *p = m->payload;
	const size_t len = m->payload_len;
	uint64_t u;
	struct vu_state_pl s;
	struct vu_addr_pl a;
	switch (m->request) {
	case VU_GET_FEATURES:
		st->get_features_sent = true;
		break;
	case VU_GET_PROTOCOL_FEATURES:
		st->pf_get_sent = true;
		break;
	case VU_SET_FEATURES:
		if (pl && vu_dec_u64(p, len, &u)) {
			st->features_acked = u;
			st->features_acked_known = true;
		}
		break;
	case VU_SET_PROTOCOL_FEATURES:
		if (pl && vu_dec_u64(p, len, &u)) {
			st->pf_acked = u;
			st->pf_acked_known = true;
		}
		break;
	case VU_SET_OWNER:
		st->owner_set = true;
		st->reset_owner_since_owner = false;
		break;
	case VU_RESET_OWNER:
		st->reset_owner_since_owner = true;
		/* RESET_OWNER resets the device: rings stop (and are disabled). */
		for (unsigned i = 0; i < VU_MAX_RINGS; i++)
			st->rings[i].started = st->rings[i].enable_sent = false;
		break;
	case VU_RESET_DEVICE:
		/* "disable all rings and reset all internal device state". */
		for (unsigned i = 0; i < VU_MAX_RINGS; i++)
			st->rings[i].started = st->rings[i].enable_sent = false;
		st->reset_device_armed = true;
		st->status = 0;
		break;
	case VU_SET_MEM_TABLE:
		if (pc_ack)
			break;
		if (pl)
			load_table(st, ev);
		st->log_repeat_armed = false;
		break;
	case VU_ADD_MEM_REG:
		if (pl)
			add_region(st, ev);
		st->log_repeat_armed = false;
		break;
	case VU_REM_MEM_REG:
		if (pl)
			rem_region(st, ev);
		st->log_repeat_armed = false;
		break;
	case VU_SET_LOG_BASE:
		if (pl && vu_dec_log(p, len, &st->log))
			st->log_set = true;
		st->log_repeat_armed = true;
		break;
	case VU_SET_VRING_NUM:
		if (pl && vu_dec_state(p, len, &s) && s.index < VU_MAX_RINGS) {
			st->rings[s.index].num = s.num;
			st->rings[s.index].num_set = true;
		}
		break;
	case VU_SET_VRING_BASE:
		if (pl && vu_dec_state(p, len, &s) && s.index < VU_MAX_RINGS) {
			st->rings[s.index].base = s.num;
			st->rings[s.index].base_set = true;
		}
		break;
	case VU_SET_VRING_ADDR:
		if (pl && vu_dec_addr(p, len, &a) && a.index < VU_MAX_RINGS) {
			st->rings[a.index].addr = a;
			st->rings[a.index].addr_set = true;
			st->rings[a.index].packed = vu_feature_acked(st, VU_F_RING_PACKED);
		}
		break;
	case VU_GET_VRING_BASE:
	case VU_GET_VRING_BASE_SKIP_DRAIN:
		if (pl && vu_dec_state(p, len, &s) && s.index < VU_MAX_RINGS)
			st->rings[s.index].started = false;
		break;
	case VU_SET_VRING_KICK:
		if (pl && vu_dec_u64(p, len, &u)) {
			uint32_t idx = (uint32_t)(u & VU_VRING_IDX_MASK);
			struct vu_ring *r = &st->rings[idx];
			r->kick_set = true;
			r->kick_nofd = (u & VU_VRING_NOFD) != 0;
			/* "Rings are started with VHOST_USER_SET_VRING_KICK", with
			 * an fd or polling (vhost-user.rst, Ring states; earlier
			 * texts started a ring at its first kick). */
			bool was = r->started;
			start_ring(st, idx);
			if (!was)
				r->started_by_fd = !r->kick_nofd;
		}
		break;
	case VU_VRING_KICK:
		if (pl && vu_dec_state(p, len, &s) && s.index < VU_MAX_RINGS)
			start_ring(st, s.index);
		break;
	case VU_POSTCOPY_LISTEN:
		st->postcopy_listening = true;
		break;
	case VU_POSTCOPY_END:
		st->postcopy_listening = false;
		break;
	case VU_SET_VRING_ENABLE:
		if (pl && vu_dec_state(p, len, &s) && s.index < VU_MAX_RINGS) {
			struct vu_ring *r = &st->rings[s.index];
			r->enabled = s.num != 0;
			r->enable_sent = true;
			if (r->enabled && r->started)
				r->enabled_while_started = true;
		}
		break;
	case VU_SET_STATUS:
		if (pl && vu_dec_u64(p, len, &u)) {
			st->status = u;
			st->status_known = true;
		}
		break;
	default:
		break;
	}
}

static void apply_reply(struct vu_state *st, const struct vc_event *ev,
			const struct vu_pending *answered)
{
	const struct vc_vu_msg *m = &ev->u.vu;
	uint64_t u;
	st->last_was_value_with_need_reply = false;
	if (!answered)
		return;
	st->last_answered_req = answered->request;
	if (answered->chan == VU_CHAN_MAIN && answered->request == VU_SET_MEM_TABLE &&
	    answered->value_reply)
		st->postcopy_ack_owed = true;
	st->last_was_value_with_need_reply =
		answered->value_reply && (answered->flags & VU_FLAG_NEED_REPLY);
	if (answered->chan != VU_CHAN_MAIN || !m->has_payload || m->request != answered->request)
		return;
	if (answered->request == VU_GET_INFLIGHT_FD) {
		/* mmap size 0: the back-end gave no area (and no fd). */
		st->inflight_known = vu_dec_inflight(m->payload, m->payload_len, &st->inflight) &&
				     st->inflight.mmap_size != 0;
		return;
	}
	if (!vu_dec_u64(m->payload, m->payload_len, &u))
		return;
	switch (answered->request) {
	case VU_GET_FEATURES:
		st->features_offered = u;
		st->features_offered_known = true;
		break;
	case VU_GET_PROTOCOL_FEATURES:
		st->pf_offered = u;
		st->pf_offered_known = true;
		break;
	case VU_GET_QUEUE_NUM:
		st->queue_num = (int64_t)(u > INT64_MAX ? INT64_MAX : u);
		break;
	case VU_GET_MAX_MEM_SLOTS:
		st->max_mem_slots = (int64_t)(u > INT64_MAX ? INT64_MAX : u);
		break;
	case VU_GET_STATUS:
		st->status = u;
		st->status_known = true;
		break;
	default:
		break;
	}
}

bool vu_req_stops_ring(uint32_t req)
{
	return req == VU_GET_VRING_BASE || req == VU_GET_VRING_BASE_SKIP_DRAIN;
}

void vu_state_apply(struct vu_state *st, const struct vc_event *ev,
		    const struct vu_pending *answered, bool live)
{
	switch (ev->kind) {
	case VC_EV_VU_MSG:
		st->messages++;
		if (vu_event_is_request(ev)) {
			struct vu_pending p;
			if (vu_request_expects_reply(st, ev, &p))
				vu_state_push_pending(st, &p);
			apply_request(st, ev, live);
			st->last_was_value_with_need_reply = false;
		} else {
			apply_reply(st, ev, answered);
		}
		break;
	case VC_EV_VU_KICK:
		/* A kick starts nothing (the ring started at SET_VRING_KICK);
		 * kicks on a started ring no SET_VRING_ENABLE ever named are
		 * counted for VU-RING-10. */
		if (ev->u.kick.ring < VU_MAX_RINGS) {
			struct vu_ring *r = &st->rings[ev->u.kick.ring];
			if (r->started && !r->enabled_while_started && !r->enable_sent &&
			    r->kicks_not_enabled < UINT32_MAX)
				r->kicks_not_enabled++;
			if (r->started && r->kicks_since_start < UINT32_MAX)
				r->kicks_since_start++;
		}
		break;
	case VC_EV_VU_EOF:
		st->ended = true;
		break;
	default:
		break;
	}
}
