/* The vhost-vdpa client rules (VDPA-STS, -FEAT, -IOTLB, -BAT-02..05,
 * -RING): judged on what a client does to a vhost-vdpa device, from the
 * live fake or a recording. The state is the device as the client sees it
 * (what it was told and what it set), kept in the family's own slot. A
 * request that failed is judged but does not change the state. */
#include "conformance/check.h"
#include "lib/ranges.h"
#include "vcts/vdpa_uapi.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CL_MAX_AS 16u
#define CL_MAX_VQ 64u

struct cl_vq {
	bool num_set, base_set, addr_set, kick_set, enabled, started;
	uint32_t num;
	uint64_t desc, avail, used;
	bool group_known;
	uint32_t group;
};

struct cl {
	/* What is known: a session that starts at open() knows everything
	 * starts at 0; a recording without ioctl arguments (strace) or
	 * without some calls (QEMU trace) leaves these unknown, and the rules
	 * that need them undecided. */
	bool status_known, bf_known;
	uint8_t status;
	bool feat_offered_known, feat_set;
	uint64_t feat_offered, feat_acked;
	bool bf_offered_known;
	uint64_t bf_offered, bf_acked;
	bool nvqs_known;
	uint32_t nvqs;
	uint32_t num_max;           /* 0 unknown */
	bool range_known;
	uint64_t first, last;
	struct vc_ranges as[CL_MAX_AS];   /* IOTLB mappings per address space */
	uint32_t group_asid[CL_MAX_AS];
	bool batch_open;
	uint32_t batch_asid;
	uint64_t batch_event;
	bool suspended;
	uint8_t reread_bit;         /* FEATURES_OK / DRIVER_OK set, GET_STATUS owed */
	/* The first IOTLB UPDATE that failed and whose range was not mapped
	 * (or invalidated) since: DRIVER_OK must not follow (VDPA-IOTLB-06). */
	bool upd_failed;
	uint64_t fail_iova, fail_last, fail_event;
	int32_t fail_err;
	uint64_t reread_event;
	struct cl_vq vq[CL_MAX_VQ];
};

static struct cl *cl_get(struct vc_ctx *c)
{
	void **slot = vc_family_state(c);
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct cl));
	return *slot;
}

void vdpa_rules_free(void *state)
{
	struct cl *s = state;
	if (!s)
		return;
	for (unsigned a = 0; a < CL_MAX_AS; a++)
		vc_ranges_free(&s->as[a]);
	free(s);
}

/* ---------- small helpers ---------- */

static uint64_t ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static bool op_ok(const struct vc_vdpa_op *o)
{
	return !o->has_result || o->ret >= 0;
}

/* The argument as passed, if recorded whole. */
static const uint8_t *arg_in(const struct vc_vdpa_op *o, uint32_t n)
{
	return o->in_known && o->in && o->in_len >= n ? o->in : NULL;
}

static const uint8_t *arg_out(const struct vc_vdpa_op *o, uint32_t n)
{
	if (!op_ok(o))
		return NULL;
	return o->out_known && o->out && o->out_len >= n ? o->out : NULL;
}

static const char *req_name(uint32_t req)
{
	static __thread char buf[4][16];
	static __thread unsigned k;
	return vdpa_ioctl_name(req, buf[k++ % 4], sizeof buf[0]);
}

static uint32_t vq_asid(const struct cl *s, uint32_t i)
{
	uint32_t g = s->vq[i].group_known ? s->vq[i].group : 0;
	return g < CL_MAX_AS ? s->group_asid[g] : 0;
}

/* The three parts of a split ring: start and length. */
static void ring_parts(const struct cl *s, const struct cl_vq *q, uint64_t st[3], uint64_t len[3])
{
	uint64_t extra = (s->feat_acked & (1ull << VDPA_F_RING_EVENT_IDX)) ? 2 : 0;
	uint64_t n = q->num ? q->num : 1;
	st[0] = q->desc;
	len[0] = 16 * n;
	st[1] = q->avail;
	len[1] = 4 + 2 * n + extra;
	st[2] = q->used;
	len[2] = 4 + 8 * n + extra;
}

static const char *const part_name[3] = { "desc", "avail", "used" };

/* VDPA-RING-05 for one ring. */
static void check_ring_mapped(struct vc_ctx *c, struct cl *s, uint32_t i, const char *when)
{
	struct cl_vq *q = &s->vq[i];
	if (!q->addr_set)
		return;
	uint64_t st[3], len[3];
	ring_parts(s, q, st, len);
	uint32_t asid = vq_asid(s, i);
	for (int p = 0; p < 3; p++) {
		bool wraps = st[p] > UINT64_MAX - (len[p] - 1);
		bool ok = !wraps && asid < CL_MAX_AS && vc_ranges_covers(&s->as[asid], st[p], st[p] + len[p] - 1);
		if (!vc_expect(c, VC_R_VDPA_RING_05, ok,
			       "%s: ring %u %s 0x%llx+0x%llx is not mapped in the IOTLB of address space %u",
			       when, i, part_name[p], (unsigned long long)st[p],
			       (unsigned long long)len[p], asid))
			return;
	}
}

static void client_reset(struct cl *s)
{
	s->status = 0;
	s->feat_set = false;
	s->feat_acked = 0;
	s->suspended = false;
	s->reread_bit = 0;
	memset(s->group_asid, 0, sizeof s->group_asid);
	for (unsigned i = 0; i < CL_MAX_VQ; i++) {
		bool gk = s->vq[i].group_known;
		uint32_t g = s->vq[i].group;
		memset(&s->vq[i], 0, sizeof s->vq[i]);
		s->vq[i].group_known = gk;
		s->vq[i].group = g;
	}
}

static void check_reread(struct vc_ctx *c, struct cl *s, const char *at)
{
	if (!s->reread_bit)
		return;
	vc_fail(c, VC_R_VDPA_STS_04, "SET_STATUS set %s (event %llu) and the status was not read back before %s",
		s->reread_bit == VDPA_S_DRIVER_OK ? "DRIVER_OK" : "FEATURES_OK",
		(unsigned long long)s->reread_event, at);
	s->reread_bit = 0;
}

static void check_batch_closed(struct vc_ctx *c, struct cl *s, const char *at)
{
	vc_expect(c, VC_R_VDPA_BAT_04, !s->batch_open,
		  "the IOTLB batch opened at event %llu is still open at %s",
		  (unsigned long long)s->batch_event, at);
}

/* ---------- SET_STATUS ---------- */

static void on_set_status(struct vc_ctx *c, struct cl *s, const struct vc_vdpa_op *o)
{
	const uint8_t *a = arg_in(o, 1);
	if (!a) {
		if (op_ok(o))
			s->status_known = false;
		return;
	}
	uint8_t v = a[0], old = s->status;
	bool known = s->status_known;
	uint8_t added = (uint8_t)(v & ~old);
	if (!known)
		added = v; /* what it sets, as far as can be told */
	check_reread(c, s, "the next SET_STATUS");
	if (v != 0 && known)
		vc_expect(c, VC_R_VDPA_STS_01, (old & ~v) == 0,
			  "SET_STATUS 0x%02x clears bits 0x%02x of status 0x%02x (only 0 resets)", v,
			  (unsigned)(old & ~v), old);
	if (added & VDPA_S_FEATURES_OK) {
		vc_expect(c, VC_R_VDPA_STS_02, (v & (VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER)) ==
						  (VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER),
			  "SET_STATUS 0x%02x sets FEATURES_OK without ACKNOWLEDGE and DRIVER", v);
		vc_expect(c, VC_R_VDPA_STS_03, s->feat_set,
			  "SET_STATUS 0x%02x sets FEATURES_OK before any SET_FEATURES since the reset", v);
	}
	if (added & VDPA_S_DRIVER_OK) {
		vc_expect(c, VC_R_VDPA_STS_02, (v & VDPA_S_FEATURES_OK) != 0,
			  "SET_STATUS 0x%02x sets DRIVER_OK without FEATURES_OK", v);
		vc_expect(c, VC_R_VDPA_IOTLB_06, !s->upd_failed,
			  "SET_STATUS 0x%02x sets DRIVER_OK although the UPDATE of iova 0x%llx-0x%llx failed (%s, event %llu) and was not mapped since",
			  v, (unsigned long long)s->fail_iova, (unsigned long long)s->fail_last,
			  strerrorname_np(s->fail_err) ? strerrorname_np(s->fail_err) : "error",
			  (unsigned long long)s->fail_event);
		check_batch_closed(c, s, "DRIVER_OK");
		for (uint32_t i = 0; i < CL_MAX_VQ; i++) {
			struct cl_vq *q = &s->vq[i];
			if (!q->enabled)
				continue;
			vc_expect(c, VC_R_VDPA_RING_04, q->num_set && q->base_set && q->addr_set && q->kick_set,
				  "ring %u is enabled at DRIVER_OK without%s%s%s%s", i,
				  q->num_set ? "" : " SET_VRING_NUM", q->base_set ? "" : " SET_VRING_BASE",
				  q->addr_set ? "" : " SET_VRING_ADDR", q->kick_set ? "" : " SET_VRING_KICK");
			check_ring_mapped(c, s, i, "DRIVER_OK");
		}
	}
	if (v == 0) {
		check_batch_closed(c, s, "the status reset");
		if (s->upd_failed)
			vc_ok(c, VC_R_VDPA_IOTLB_06); /* gave up after the failed UPDATE */
	}
	if (!op_ok(o))
		return;
	if (v == 0) {
		client_reset(s);
		return;
	}
	s->status = v;
	s->status_known = true;
	if (added & VDPA_S_DRIVER_OK) {
		for (uint32_t i = 0; i < CL_MAX_VQ; i++)
			s->vq[i].started = s->vq[i].enabled;
		s->reread_bit = VDPA_S_DRIVER_OK;
		s->reread_event = c->ev->index;
	} else if (added & VDPA_S_FEATURES_OK) {
		s->reread_bit = VDPA_S_FEATURES_OK;
		s->reread_event = c->ev->index;
	}
}

/* ---------- vring ioctls ---------- */

static bool running(const struct cl *s)
{
	return (s->status & VDPA_S_DRIVER_OK) && !s->suspended;
}

static void on_vring(struct vc_ctx *c, struct cl *s, const struct vc_vdpa_op *o,
		     const struct vdpa_ioctl_info *ri)
{
	const uint8_t *a = arg_in(o, ri->size);
	if (!a)
		return;
	uint32_t idx = ld32(a);
	if (o->request == VDPA_REQ_VDPA_SET_GROUP_ASID) {
		uint32_t asid = ld32(a + 4);
		if (op_ok(o) && idx < CL_MAX_AS)
			s->group_asid[idx] = asid;
		return;
	}
	if (s->nvqs_known)
		vc_expect(c, VC_R_VDPA_RING_01, idx < s->nvqs, "%s for ring %u, the device has %u vqs",
			  req_name(o->request), idx, s->nvqs);
	if (idx >= CL_MAX_VQ)
		return;
	struct cl_vq *q = &s->vq[idx];
	uint32_t req = o->request;
	bool setup = req == VDPA_REQ_SET_VRING_NUM || req == VDPA_REQ_SET_VRING_BASE ||
		     req == VDPA_REQ_SET_VRING_ADDR || req == VDPA_REQ_SET_VRING_KICK;
	if (setup)
		vc_expect(c, VC_R_VDPA_RING_04, !running(s),
			  "%s for ring %u after DRIVER_OK while the device is not suspended",
			  req_name(req), idx);
	switch (req) {
	case VDPA_REQ_SET_VRING_NUM: {
		uint32_t n = ld32(a + 4);
		uint32_t max = s->num_max ? s->num_max : VDPA_VRING_NUM_MAX;
		vc_expect(c, VC_R_VDPA_RING_02, n && !(n & (n - 1)) && n <= max,
			  "SET_VRING_NUM %u for ring %u: not a power of two in 1..%u", n, idx, max);
		if (op_ok(o)) {
			q->num = n;
			q->num_set = true;
		}
		break;
	}
	case VDPA_REQ_SET_VRING_BASE:
		if (op_ok(o))
			q->base_set = true;
		break;
	case VDPA_REQ_SET_VRING_ADDR: {
		uint32_t flags = ld32(a + 4);
		uint64_t desc = ld64(a + 8), used = ld64(a + 16), avail = ld64(a + 24);
		vc_expect(c, VC_R_VDPA_RING_03,
			  !(flags & ~(1u << VDPA_VRING_F_LOG)) && !(desc % VDPA_DESC_ALIGN) &&
				  !(avail % VDPA_AVAIL_ALIGN) && !(used % VDPA_USED_ALIGN),
			  "SET_VRING_ADDR ring %u: flags 0x%x desc 0x%llx avail 0x%llx used 0x%llx "
			  "(flags only LOG; desc 16-, avail 2-, used 4-aligned)",
			  idx, flags, (unsigned long long)desc, (unsigned long long)avail,
			  (unsigned long long)used);
		if (op_ok(o)) {
			q->addr_set = true;
			q->desc = desc;
			q->avail = avail;
			q->used = used;
		}
		break;
	}
	case VDPA_REQ_SET_VRING_KICK:
		if (op_ok(o))
			q->kick_set = (int32_t)ld32(a + 4) != VDPA_FILE_UNBIND;
		break;
	case VDPA_REQ_VDPA_SET_VRING_ENABLE: {
		bool en = ld32(a + 4) != 0;
		if (en && (s->status & VDPA_S_DRIVER_OK)) {
			vc_expect(c, VC_R_VDPA_RING_08, (s->bf_acked >> VDPA_BF_ENABLE_AFTER_DRIVER_OK) & 1,
				  "SET_VRING_ENABLE ring %u after DRIVER_OK without ENABLE_AFTER_DRIVER_OK negotiated",
				  idx);
			if (!q->enabled) {
				vc_expect(c, VC_R_VDPA_RING_04, q->num_set && q->base_set && q->addr_set && q->kick_set,
					  "ring %u is enabled after DRIVER_OK without its NUM/BASE/ADDR/KICK", idx);
				check_ring_mapped(c, s, idx, "SET_VRING_ENABLE after DRIVER_OK");
			}
		}
		if (op_ok(o)) {
			q->enabled = en;
			if (s->status & VDPA_S_DRIVER_OK)
				q->started = en;
		}
		break;
	}
	case VDPA_REQ_GET_VRING_BASE:
		vc_expect(c, VC_R_VDPA_RING_07, !running(s),
			  "GET_VRING_BASE ring %u while the device runs (DRIVER_OK, not suspended)", idx);
		break;
	case VDPA_REQ_VDPA_GET_VRING_GROUP: {
		const uint8_t *out = arg_out(o, 8);
		if (out) {
			q->group_known = true;
			q->group = ld32(out + 4);
		}
		break;
	}
	default:
		break;
	}
}

/* ---------- ioctls ---------- */

static void on_ioctl(struct vc_ctx *c, struct cl *s, const struct vc_vdpa_op *o)
{
	const struct vdpa_ioctl_info *ri = vdpa_ioctl(o->request);
	if (!ri)
		return;
	const uint8_t *in = arg_in(o, ri->size), *out = arg_out(o, ri->size);
	switch (o->request) {
	case VDPA_REQ_GET_FEATURES:
		if (out) {
			s->feat_offered_known = true;
			s->feat_offered = ld64(out);
		}
		return;
	case VDPA_REQ_SET_FEATURES: {
		if (!in)
			return;
		uint64_t f = ld64(in);
		vc_expect(c, VC_R_VDPA_FEAT_01, s->feat_offered_known && !(f & ~s->feat_offered),
			  s->feat_offered_known ? "SET_FEATURES 0x%llx sets bits 0x%llx the device did not offer"
						: "SET_FEATURES 0x%llx without GET_FEATURES (0x%llx unknown)",
			  (unsigned long long)f, (unsigned long long)(f & ~s->feat_offered));
		if (s->status_known)
			vc_expect(c, VC_R_VDPA_STS_03, !(s->status & VDPA_S_FEATURES_OK),
			  "SET_FEATURES 0x%llx after FEATURES_OK (status 0x%02x)", (unsigned long long)f,
			  s->status);
		if (s->feat_offered_known && (s->feat_offered >> VDPA_F_ACCESS_PLATFORM & 1))
			vc_expect(c, VC_R_VDPA_FEAT_04, f >> VDPA_F_ACCESS_PLATFORM & 1,
				  "SET_FEATURES 0x%llx does not ack ACCESS_PLATFORM (bit 33) that the device offers",
				  (unsigned long long)f);
		if (op_ok(o)) {
			s->feat_set = true;
			s->feat_acked = f;
		}
		return;
	}
	case VDPA_REQ_GET_BACKEND_FEATURES:
		if (out) {
			s->bf_offered_known = true;
			s->bf_offered = ld64(out);
		}
		return;
	case VDPA_REQ_SET_BACKEND_FEATURES: {
		if (!in) {
			if (op_ok(o))
				s->bf_known = false;
			return;
		}
		uint64_t f = ld64(in);
		bool ok = s->bf_offered_known && !(f & ~s->bf_offered);
		vc_expect(c, VC_R_VDPA_FEAT_02, ok && (!(f >> VDPA_BF_DESC_ASID & 1) || (f >> VDPA_BF_IOTLB_ASID & 1)),
			  !s->bf_offered_known ? "SET_BACKEND_FEATURES 0x%llx without GET_BACKEND_FEATURES%.0llx"
			  : ok ? "SET_BACKEND_FEATURES 0x%llx sets DESC_ASID without IOTLB_ASID%.0llx"
			       : "SET_BACKEND_FEATURES 0x%llx sets bits 0x%llx the device did not offer",
			  (unsigned long long)f, (unsigned long long)(f & ~s->bf_offered));
		if (op_ok(o)) {
			s->bf_acked = f;
			s->bf_known = true;
		}
		return;
	}
	case VDPA_REQ_VDPA_GET_STATUS:
		if (out) {
			s->status = out[0];
			s->status_known = true;
		}
		if (op_ok(o))
			s->reread_bit = 0;
		return;
	case VDPA_REQ_VDPA_SET_STATUS:
		on_set_status(c, s, o);
		return;
	case VDPA_REQ_VDPA_GET_VQS_COUNT:
		if (out) {
			s->nvqs_known = true;
			s->nvqs = ld32(out);
		}
		return;
	case VDPA_REQ_VDPA_GET_VRING_NUM:
		if (out)
			s->num_max = ld16(out);
		return;
	case VDPA_REQ_VDPA_GET_IOVA_RANGE:
		if (out) {
			s->range_known = true;
			s->first = ld64(out);
			s->last = ld64(out + 8);
		}
		return;
	case VDPA_REQ_VDPA_SUSPEND:
		if (op_ok(o) && (s->status & VDPA_S_DRIVER_OK))
			s->suspended = true;
		return;
	case VDPA_REQ_VDPA_RESUME:
		if (op_ok(o))
			s->suspended = false;
		return;
	default:
		if (ri->has_index)
			on_vring(c, s, o, ri);
		return;
	}
}

/* ---------- IOTLB messages ---------- */

static void on_iotlb(struct vc_ctx *c, struct cl *s, const struct vc_vdpa_iotlb *m)
{
	bool ok = !m->has_result || m->err == 0;
	vc_ok(c, VC_R_VDPA_IOTLB_01);
	bool v2 = m->msg_type == VDPA_MSG_TYPE_IOTLB_V2;
	/* Without IOTLB_ASID the kernel reads no asid: it is 0. */
	bool asid_on = s->bf_known ? (s->bf_acked >> VDPA_BF_IOTLB_ASID) & 1 : true;
	uint32_t asid = v2 && asid_on ? m->asid : 0;
	const char *tn = vdpa_iotlb_type_name(m->type);
	if (v2 && s->bf_known)
		vc_expect(c, VC_R_VDPA_FEAT_03, (s->bf_acked >> VDPA_BF_IOTLB_MSG_V2) & 1,
			  "IOTLB %s message of type V2 without IOTLB_MSG_V2 negotiated", tn);
	if (v2 && m->asid && s->bf_known)
		vc_expect(c, VC_R_VDPA_FEAT_03, asid_on,
			  "IOTLB %s with asid %u without IOTLB_ASID negotiated (the kernel uses asid 0)",
			  tn, m->asid);
	if ((m->type == VDPA_IOTLB_BATCH_BEGIN || m->type == VDPA_IOTLB_BATCH_END) && s->bf_known)
		vc_expect(c, VC_R_VDPA_FEAT_03, (s->bf_acked >> VDPA_BF_IOTLB_BATCH) & 1,
			  "IOTLB %s without IOTLB_BATCH negotiated", tn);
	if (!vc_expect(c, VC_R_VDPA_IOTLB_05,
		       m->type == VDPA_IOTLB_UPDATE || m->type == VDPA_IOTLB_INVALIDATE ||
			       m->type == VDPA_IOTLB_BATCH_BEGIN || m->type == VDPA_IOTLB_BATCH_END,
		       "IOTLB message of type %u (%s) written by the client", m->type, tn))
		return;
	if (s->batch_open && (m->type != VDPA_IOTLB_BATCH_BEGIN))
		vc_expect(c, VC_R_VDPA_BAT_05, asid == s->batch_asid,
			  "IOTLB %s with asid %u inside the batch of asid %u", tn, asid, s->batch_asid);
	struct vc_ranges *as = asid < CL_MAX_AS ? &s->as[asid] : NULL;
	uint64_t last = m->iova + m->size - 1;
	switch (m->type) {
	case VDPA_IOTLB_BATCH_BEGIN:
		vc_expect(c, VC_R_VDPA_BAT_02, !s->batch_open,
			  "BATCH_BEGIN while the batch opened at event %llu is open",
			  (unsigned long long)s->batch_event);
		if (ok) {
			s->batch_open = true;
			s->batch_asid = asid;
			s->batch_event = c->ev->index;
		}
		return;
	case VDPA_IOTLB_BATCH_END:
		vc_expect(c, VC_R_VDPA_BAT_03, s->batch_open, "BATCH_END without an open batch");
		if (ok)
			s->batch_open = false;
		return;
	case VDPA_IOTLB_UPDATE: {
		bool wraps = m->size && m->iova > UINT64_MAX - (m->size - 1);
		bool in_range = !s->range_known || (m->iova >= s->first && !wraps && last <= s->last);
		bool perm_ok = m->perm >= VDPA_ACCESS_RO && m->perm <= VDPA_ACCESS_RW;
		if (!vc_expect(c, VC_R_VDPA_IOTLB_02, m->size && !wraps && in_range && perm_ok,
			       "UPDATE iova 0x%llx size 0x%llx perm %u: %s",
			       (unsigned long long)m->iova, (unsigned long long)m->size, m->perm,
			       !m->size ? "size 0 (bug K1)" : wraps ? "the range wraps"
			       : !in_range ? "outside GET_IOVA_RANGE" : "perm is not RO, WO or RW"))
			return;
		uint64_t hit = 0;
		if (as)
			vc_expect(c, VC_R_VDPA_IOTLB_03, !vc_ranges_overlap(as, m->iova, last, &hit),
				  "UPDATE iova 0x%llx size 0x%llx overlaps the mapping at 0x%llx in address space %u",
				  (unsigned long long)m->iova, (unsigned long long)m->size,
				  (unsigned long long)hit, asid);
		if (ok && as)
			vc_ranges_add(as, &(struct vc_range){ .first = m->iova, .last = last });
		if (ok && s->upd_failed && m->iova <= s->fail_last && last >= s->fail_iova)
			s->upd_failed = false; /* mapped again (perhaps in smaller pieces) */
		/* A failed UPDATE over a mapping in force is VDPA-IOTLB-03's:
		 * the memory is mapped, only the second mapping failed. */
		if (!ok && !s->upd_failed && !(as && vc_ranges_overlap(as, m->iova, last, NULL))) {
			s->upd_failed = true;
			s->fail_iova = m->iova;
			s->fail_last = last;
			s->fail_err = m->err;
			s->fail_event = c->ev->index;
		}
		return;
	}
	case VDPA_IOTLB_INVALIDATE: {
		if (!m->size)
			return;
		bool flush = m->iova == 0 && m->size == UINT64_MAX;
		uint64_t l = m->iova > UINT64_MAX - (m->size - 1) ? UINT64_MAX : last;
		uint64_t hit = 0;
		if (!flush && as)
			vc_expect(c, VC_R_VDPA_IOTLB_04, vc_ranges_overlap(as, m->iova, l, &hit),
				  "INVALIDATE iova 0x%llx size 0x%llx covers no mapping of address space %u",
				  (unsigned long long)m->iova, (unsigned long long)m->size, asid);
		if (running(s)) {
			for (uint32_t i = 0; i < CL_MAX_VQ; i++) {
				if (!s->vq[i].started || !s->vq[i].addr_set || vq_asid(s, i) != asid)
					continue;
				uint64_t st[3], len[3];
				ring_parts(s, &s->vq[i], st, len);
				for (int p = 0; p < 3; p++) {
					uint64_t pl = st[p] + len[p] - 1;
					if (st[p] <= l && pl >= m->iova) {
						vc_fail(c, VC_R_VDPA_RING_06,
							"INVALIDATE iova 0x%llx size 0x%llx unmaps ring %u %s 0x%llx of a running device",
							(unsigned long long)m->iova,
							(unsigned long long)m->size, i, part_name[p],
							(unsigned long long)st[p]);
						p = 3;
						i = CL_MAX_VQ;
					}
				}
			}
		}
		if (ok && as)
			vc_ranges_remove(as, m->iova, l);
		if (ok && s->upd_failed && m->iova <= s->fail_last && l >= s->fail_iova)
			s->upd_failed = false; /* the client dropped that range */
		return;
	}
	default:
		return;
	}
}

void vdpa_rules_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VDPA_IOTLB && (ev->kind < VC_EV_VDPA_OPEN || ev->kind > VC_EV_VDPA_MMAP))
		return;
	struct cl *s = cl_get(c);
	switch (ev->kind) {
	case VC_EV_VDPA_IOTLB:
		on_iotlb(c, s, &ev->u.iotlb);
		break;
	case VC_EV_VDPA_WRITE:
		vc_fail(c, VC_R_VDPA_IOTLB_01,
			"write() of %llu bytes is not one whole IOTLB message (72 bytes of type 1 or 2)",
			(unsigned long long)ev->u.vdpa.len);
		break;
	case VC_EV_VDPA_IOCTL:
		on_ioctl(c, s, &ev->u.vdpa);
		break;
	case VC_EV_VDPA_OPEN:
		if (op_ok(&ev->u.vdpa)) {
			s->status_known = s->bf_known = true;
			s->status = 0;
			s->bf_acked = 0;
		}
		break;
	case VC_EV_VDPA_CLOSE:
		check_batch_closed(c, s, "close()");
		check_reread(c, s, "close()");
		break;
	case VC_EV_VDPA_MMAP:
		if (!ev->u.vdpa.unmap && s->nvqs_known && op_ok(&ev->u.vdpa)) {
			uint64_t idx = ev->u.vdpa.off / 4096;
			vc_expect(c, VC_R_VDPA_RING_01, idx < s->nvqs,
				  "doorbell mmap of vq %llu, the device has %u vqs",
				  (unsigned long long)idx, s->nvqs);
		}
		break;
	default:
		break;
	}
}
