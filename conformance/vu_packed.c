/* VU-PACK: the ring state of packed virtqueues. With VIRTIO_F_RING_PACKED
 * SET_VRING_BASE and the GET_VRING_BASE reply carry the device's avail and
 * used positions and both wrap counters in one word (vhost-user.rst,
 * "Vring descriptor indices for packed virtqueues").
 *
 * What is decidable from one word and the ring size (VIRTIO 1.2, 2.8):
 * positions are ring slots, so below the size; counting each position from
 * the fresh state (wrap counter 1), the device never uses more than it
 * took and never takes more than a ring ahead, so avail - used is 0..size
 * modulo two laps (vu_packed_base_held). "used 0 wrap 0" after traffic on
 * the first lap (avail wrap still 1) breaks that: it is the used half left
 * zero. At index 0/0 unequal wrap counters are a valid word only for a
 * device holding a whole ring: a fresh ring has both set (0x80008000), so
 * such a start is a SHOULD finding unless it restores what the back-end
 * returned. */
#include "conformance/check.h"
#include "lib/xalloc.h"
#include "vcts/vring.h"

#include <stdlib.h>

struct pack_state {
	bool have[VU_MAX_RINGS];
	uint32_t returned[VU_MAX_RINGS];  /* the last GET_VRING_BASE reply */
};

static struct pack_state *state(struct vc_ctx *c)
{
	void **slot = vc_family_state(c);
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct pack_state));
	return *slot;
}

void vu_packed_free(void *p)
{
	free(p);
}

/* Positions below the size and a reachable state. Returns false with
 * *what set to the broken part. */
static bool valid(const struct vu_packed_base *b, uint32_t size, const char **what, uint32_t *held)
{
	*held = 0;
	if (b->avail >= size || b->used >= size) {
		*what = "a position at or past the ring size";
		return false;
	}
	*held = vu_packed_base_held(b, size);
	if (*held > size) {
		*what = b->used == 0 && !b->used_wrap
				? "used 0 wrap 0 with the avail wrap counter still 1: the used half was left zero"
				: "the used position runs ahead of the avail one, or more than a ring behind";
		return false;
	}
	return true;
}

static void set_base(struct vc_ctx *c, const struct vu_state_pl *s)
{
	const struct vu_ring *r = &c->st->rings[s->index];
	struct pack_state *ps = state(c);
	bool restores = ps->have[s->index] && ps->returned[s->index] == s->num;
	struct vu_packed_base b;
	vu_packed_base_dec(s->num, &b);
	char txt[64];
	if (b.avail == 0 && b.used == 0)
		vc_expect(c, VC_R_VU_PACK_02, b.avail_wrap == b.used_wrap || restores,
			  "SET_VRING_BASE ring %u num 0x%08x (%s): index 0/0 with unequal wrap counters; a fresh packed ring is 0x80008000",
			  s->index, s->num, vu_packed_base_str(s->num, txt, sizeof txt));
	/* A word the back-end returned was judged on its reply (VU-PACK-03). */
	if (!r->num_set || r->num == 0 || r->num > VRING_PACKED_MAX || restores)
		return;
	const char *what = "";
	uint32_t held;
	bool ok = valid(&b, r->num, &what, &held);
	vc_expect(c, VC_R_VU_PACK_01, ok, "SET_VRING_BASE ring %u num 0x%08x (%s), size %u: %s", s->index,
		  s->num, vu_packed_base_str(s->num, txt, sizeof txt), r->num, what);
}

static void reply(struct vc_ctx *c, const struct vu_state_pl *s)
{
	int64_t ring = c->answered->ring;
	if (ring < 0 || ring >= VU_MAX_RINGS || s->index != (uint64_t)ring)
		return; /* a reply for another ring is VU-HDR-03's */
	struct pack_state *ps = state(c);
	ps->have[ring] = true;
	ps->returned[ring] = s->num;
	const struct vu_ring *r = &c->st->rings[ring];
	if (!r->num_set || r->num == 0 || r->num > VRING_PACKED_MAX)
		return;
	const char *what = "";
	uint32_t held;
	char txt[64];
	struct vu_packed_base b;
	vu_packed_base_dec(s->num, &b);
	bool ok = valid(&b, r->num, &what, &held);
	vc_expect(c, VC_R_VU_PACK_03, ok, "GET_VRING_BASE reply ring %u num 0x%08x (%s), size %u: %s",
		  s->index, s->num, vu_packed_base_str(s->num, txt, sizeof txt), r->num, what);
}

void vu_packed_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || ev->u.vu.chan != VU_CHAN_MAIN ||
	    !vu_feature_acked(c->st, VU_F_RING_PACKED))
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	struct vu_state_pl s;
	if (!m->has_payload || !vu_dec_state(m->payload, m->payload_len, &s))
		return;
	if (c->is_request && m->request == VU_SET_VRING_BASE && s.index < VU_MAX_RINGS)
		set_base(c, &s);
	else if (!c->is_request && c->answered && c->answered->request == VU_GET_VRING_BASE &&
		 m->request == VU_GET_VRING_BASE)
		reply(c, &s);
}
