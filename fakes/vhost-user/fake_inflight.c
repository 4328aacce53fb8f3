/* Inflight I/O tracking of split rings in the area SET_INFLIGHT_FD gave
 * (vhost-user.rst, Inflight I/O tracking): the fake uses the queue region
 * the text describes, one per ring at ring * vfu_inflight_queue_bytes()
 * (64-byte aligned, as libvhost-user places them; the text does not say
 * where regions after the first start). A head is marked in flight with
 * the next counter when fetched and cleared when used; used_idx follows
 * the used ring. The area is shared with the front-end: only written,
 * within the bounds the fake sized. */
#include "fakes/vhost-user/fake_int.h"

#include <string.h>

uint64_t vfu_inflight_queue_bytes(uint16_t queue_size)
{
	uint64_t b = VU_INFLIGHT_SPLIT_HDR + (uint64_t)VU_INFLIGHT_SPLIT_DESC * queue_size;
	return (b + 63) & ~63ull;
}

/* Ring idx's queue region, or NULL (no area, not split, another size). */
static uint8_t *region(struct vfu_conn *c, uint32_t idx)
{
	struct vfu_feat *f = vfu_conn_feat(c);
	struct vfu_ring *r = vfu_conn_ring(c, idx);
	if (!f->inflight || !r || r->packed || idx >= f->inflight_queues || r->num != f->inflight_queue_size)
		return NULL;
	uint64_t qb = vfu_inflight_queue_bytes(f->inflight_queue_size);
	if ((uint64_t)(idx + 1) * qb > f->inflight_len)
		return NULL;
	return f->inflight + (uint64_t)idx * qb;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof v);
}

void vfu_inflight_start(struct vfu_conn *c, uint32_t idx)
{
	uint8_t *q = region(c, idx);
	if (!q)
		return;
	uint16_t version;
	memcpy(&version, q + VU_INFLIGHT_SPLIT_VERSION_OFF, 2);
	if (version == 0) {
		/* a fresh area: "features ... initialized to 0", version 1 */
		memset(q, 0, 8);
		put16(q + VU_INFLIGHT_SPLIT_VERSION_OFF, 1);
	}
	put16(q + VU_INFLIGHT_SPLIT_DESC_NUM_OFF, (uint16_t)vfu_conn_ring(c, idx)->num);
}

void vfu_inflight_fetch(struct vfu_conn *c, uint32_t idx, uint16_t head)
{
	uint8_t *q = region(c, idx);
	if (!q || head >= vfu_conn_ring(c, idx)->num)
		return;
	uint8_t *d = q + VU_INFLIGHT_SPLIT_HDR + (uint64_t)head * VU_INFLIGHT_SPLIT_DESC;
	uint64_t n = vfu_conn_feat(c)->inflight_counter++;
	memcpy(d + VU_INFLIGHT_DESC_COUNTER_OFF, &n, sizeof n);
	d[0] = 1;
}

void vfu_inflight_used(struct vfu_conn *c, uint32_t idx, uint16_t head, uint16_t used_idx)
{
	uint8_t *q = region(c, idx);
	if (!q || head >= vfu_conn_ring(c, idx)->num)
		return;
	uint8_t *d = q + VU_INFLIGHT_SPLIT_HDR + (uint64_t)head * VU_INFLIGHT_SPLIT_DESC;
	uint16_t last;
	memcpy(&last, q + VU_INFLIGHT_SPLIT_LAST_BATCH_OFF, 2);
	put16(d + VU_INFLIGHT_DESC_NEXT_OFF, last);
	put16(q + VU_INFLIGHT_SPLIT_LAST_BATCH_OFF, head);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (vfu_fault_on(c, VFU_FAULT_INFLIGHT_KEPT))
		vfu_conn_log(c, "fault: ring %u head %u stays marked in flight", idx, head);
	else
		d[0] = 0;
	put16(q + VU_INFLIGHT_SPLIT_USED_IDX_OFF, used_idx);
}
