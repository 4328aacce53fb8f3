/* VDUSE relay -> vhost-vdpa client events (vduse_relay.h). Each event
 * stands for a call the client made and the kernel accepted; what the
 * kernel refused never reaches VDUSE, so every event has a result of 0. */
#include "fakes/vdpa/vduse_relay.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

static void emit(struct vduse_relay *r, struct vc_event *ev)
{
	ev->session = 0;
	ev->time_ns = -1;
	ev->dir = VC_DIR_FE_TO_BE;
	ev->src.file = "vduse";
	r->events++;
	if (r->fn)
		r->fn(ev, r->opaque);
}

static void op(struct vduse_relay *r, uint8_t kind, uint32_t req, const void *in, uint32_t in_len,
	       const void *out, uint32_t out_len)
{
	struct vc_event ev = { .kind = kind };
	vc_vdpa_op_set(&ev.u.vdpa, req, in, in_len, out, out_len);
	emit(r, &ev);
}

static void vring(struct vduse_relay *r, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t a[2] = { index, num };
	op(r, VC_EV_VDPA_IOCTL, req, a, sizeof a, NULL, 0);
}

static void iotlb(struct vduse_relay *r, uint8_t type, uint64_t iova, uint64_t size, uint8_t perm)
{
	struct vc_event ev = { .kind = VC_EV_VDPA_IOTLB };
	struct vc_vdpa_iotlb *m = &ev.u.iotlb;
	m->msg_type = VDPA_MSG_TYPE_IOTLB_V2;
	m->type = type;
	m->perm = perm;
	m->iova = iova;
	m->size = size;
	m->has_result = true;
	emit(r, &ev);
}

/* [start, last] as messages: a range of 2^64 bytes does not fit one size. */
static void iotlb_range(struct vduse_relay *r, uint8_t type, const struct vduse_relay_map *m)
{
	uint64_t size = m->last - m->start + 1;
	if (size) {
		iotlb(r, type, m->start, size, m->perm);
		return;
	}
	iotlb(r, type, 0, 1ull << 63, m->perm);
	iotlb(r, type, 1ull << 63, 1ull << 63, m->perm);
}

void vduse_relay_start(struct vduse_relay *r, uint64_t features, uint32_t nvqs, uint16_t vq_max,
		       vdpa_observer fn, void *opaque)
{
	memset(r, 0, sizeof *r);
	r->fn = fn;
	r->opaque = opaque;
	r->nvqs = nvqs < VDUSE_RELAY_MAX_VQS ? nvqs : VDUSE_RELAY_MAX_VQS;
	r->started = true;
	struct vc_event ev = { .kind = VC_EV_VDPA_OPEN };
	ev.u.vdpa.fd = -1;
	ev.u.vdpa.has_result = true;
	emit(r, &ev);
	op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_GET_FEATURES, NULL, 0, &features, sizeof features);
	op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_VDPA_GET_VRING_NUM, NULL, 0, &vq_max, sizeof vq_max);
	op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_VDPA_GET_VQS_COUNT, NULL, 0, &nvqs, sizeof nvqs);
}

void vduse_relay_status(struct vduse_relay *r, uint8_t status, uint64_t driver_features,
			const struct vduse_relay_vq *vqs)
{
	if (!r->started)
		return;
	uint8_t added = status ? (uint8_t)(status & ~r->status) : 0;
	/* The features in force when FEATURES_OK is set: whatever the client
	 * set last since the reset (vduse_dev_reset clears them). */
	if (added & VDPA_S_FEATURES_OK)
		op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_SET_FEATURES, &driver_features, sizeof driver_features,
		   NULL, 0);
	/* The rings the client enabled, as the kernel passed them on. */
	if ((added & VDPA_S_DRIVER_OK) && vqs) {
		for (uint32_t i = 0; i < r->nvqs; i++) {
			const struct vduse_relay_vq *q = &vqs[i];
			if (!q->ready)
				continue;
			vring(r, VDPA_REQ_SET_VRING_NUM, i, q->num);
			vring(r, VDPA_REQ_SET_VRING_BASE, i, q->avail_index);
			uint8_t a[VDPA_SZ_VRING_ADDR] = { 0 };
			memcpy(a, &i, 4);
			memcpy(a + 8, &q->desc, 8);
			memcpy(a + 16, &q->device, 8);
			memcpy(a + 24, &q->driver, 8);
			op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_SET_VRING_ADDR, a, sizeof a, NULL, 0);
			vring(r, VDPA_REQ_VDPA_SET_VRING_ENABLE, i, 1);
		}
	}
	op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_VDPA_SET_STATUS, &status, 1, NULL, 0);
	r->status = status;
}

void vduse_relay_vq_state(struct vduse_relay *r, uint32_t index)
{
	if (!r->started)
		return;
	uint32_t a[2] = { index, 0 };
	op(r, VC_EV_VDPA_IOCTL, VDPA_REQ_GET_VRING_BASE, a, sizeof a, a, sizeof a);
}

static bool same(const struct vduse_relay_map *a, const struct vduse_relay_map *b)
{
	return a->start == b->start && a->last == b->last && a->perm == b->perm;
}

void vduse_relay_iotlb(struct vduse_relay *r, const struct vduse_relay_map *maps, size_t n)
{
	if (!r->started)
		return;
	/* Keep the entries that are in order and disjoint. */
	struct vduse_relay_map *now = xcalloc(n ? n : 1, sizeof *now);
	size_t k = 0;
	for (size_t i = 0; i < n && k < VDUSE_RELAY_MAX_MAPS; i++) {
		if (maps[i].last < maps[i].start || (k && maps[i].start <= now[k - 1].last))
			continue;
		now[k++] = maps[i];
	}
	/* Removed first (the device lost them), then added: both lists are
	 * sorted, so one merge walk finds each. */
	size_t i = 0, j = 0;
	while (i < r->nmaps || j < k) {
		if (j == k || (i < r->nmaps && r->maps[i].start < now[j].start)) {
			iotlb_range(r, VDPA_IOTLB_INVALIDATE, &r->maps[i++]);
		} else if (i == r->nmaps || now[j].start < r->maps[i].start) {
			j++;
		} else {
			if (!same(&r->maps[i], &now[j]))
				iotlb_range(r, VDPA_IOTLB_INVALIDATE, &r->maps[i]);
			i++;
			j++;
		}
	}
	for (i = 0, j = 0; j < k; j++) {
		while (i < r->nmaps && r->maps[i].start < now[j].start)
			i++;
		if (i < r->nmaps && same(&r->maps[i], &now[j]))
			continue;
		iotlb_range(r, VDPA_IOTLB_UPDATE, &now[j]);
	}
	free(r->maps);
	r->maps = now;
	r->nmaps = k;
}

void vduse_relay_end(struct vduse_relay *r)
{
	if (r->started) {
		struct vc_event ev = { .kind = VC_EV_VDPA_CLOSE };
		ev.u.vdpa.fd = -1;
		ev.u.vdpa.has_result = true;
		emit(r, &ev);
	}
	free(r->maps);
	r->maps = NULL;
	r->nmaps = 0;
	r->started = false;
}
