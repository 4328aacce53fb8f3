/* The driver's guest: memfd-backed memory regions, split or packed rings
 * laid out in them, kick/call eventfds, and the few ring operations a
 * data-path check needs (add a chain, kick, wait for buffers to be used). */
#include "fakes/frontend/fe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Split-ring layout (VIRTIO 1.2, 2.7): 16-byte descriptors; the avail ring
 * is flags, idx, ring[num]; the used ring flags, idx, {id, len}[num]. */

/* A region of `size` bytes backed by a new memfd, mapped at the start of
 * `span` bytes of user addresses reserved for it alone (span > size: a
 * table that claims more than the file holds names user addresses no other
 * region can take, whatever mmap does; VU-MEM-03). `hint` is only where
 * mmap is asked to put it (tests replay an address layout with it). */
int vfe_mem_add_span(struct vfe_conn *c, uint64_t gpa, uint64_t size, uint64_t span, void *hint)
{
	if (c->nmem >= VFE_MAX_MEM || size == 0 || span < size || span > SIZE_MAX)
		return -1;
	int fd = memfd_create("vcts-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	/* The back-end gets this fd: shrinking it would make the driver's
	 * own reads of guest memory and of the dirty log take SIGBUS. Growing
	 * stays allowed. Best effort: a kernel without seals keeps the old
	 * behaviour. */
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
	uint8_t *res = mmap(hint, (size_t)span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		close(fd);
		return -1;
	}
	if (mmap(res, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(res, (size_t)span);
		close(fd);
		return -1;
	}
	struct vfe_mem *m = &c->mem[c->nmem++];
	m->fd = fd;
	m->map = res;
	m->size = size;
	m->span = span;
	m->gpa = gpa;
	return (int)(c->nmem - 1);
}

int vfe_mem_add(struct vfe_conn *c, uint64_t gpa, uint64_t size)
{
	return vfe_mem_add_span(c, gpa, size, size, NULL);
}

void vfe_mem_free_all(struct vfe_conn *c)
{
	for (unsigned i = 0; i < c->nmem; i++) {
		munmap(c->mem[i].map, c->mem[i].span);
		close(c->mem[i].fd);
	}
	c->nmem = 0;
}

void *vfe_gpa(struct vfe_conn *c, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < c->nmem; i++) {
		struct vfe_mem *m = &c->mem[i];
		if (gpa >= m->gpa && len <= m->size && gpa - m->gpa <= m->size - len)
			return m->map + (gpa - m->gpa);
	}
	return NULL;
}

uint64_t vfe_uva(const struct vfe_conn *c, uint64_t gpa)
{
	for (unsigned i = 0; i < c->nmem; i++) {
		const struct vfe_mem *m = &c->mem[i];
		if (gpa >= m->gpa && gpa - m->gpa < m->size)
			return (uint64_t)(uintptr_t)m->map + (gpa - m->gpa);
	}
	return 0;
}

uint32_t vfe_memtable(const struct vfe_conn *c, unsigned first, unsigned n, uint8_t *pl, int *fds)
{
	struct vu_region_pl r[VFE_MAX_MEM];
	if (n > VFE_MAX_MEM)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const struct vfe_mem *m = &c->mem[first + i];
		r[i] = (struct vu_region_pl){ m->gpa, m->size, (uint64_t)(uintptr_t)m->map, 0 };
		fds[i] = m->fd;
	}
	return (uint32_t)vu_enc_memtable(pl, VU_MEM_TABLE_HDR + n * VU_MEM_REGION_SIZE, r, n);
}

int vfe_ring_prepare(struct vfe_conn *c, uint32_t i, uint32_t num)
{
	if (i >= VFE_MAX_RINGS || !c->nmem)
		return -1;
	struct vfe_vring *r = &c->ring[i];
	r->num = num;
	r->packed = (c->acked & VU_BIT(VU_F_RING_PACKED)) != 0;
	r->desc = c->mem[0].gpa + VFE_RING_AREA + i * VFE_RING_SLOT;
	if (r->packed) {
		/* descriptors, then the driver and device event areas */
		if (num == 0 || num > VFE_RING_NUM)
			return -1;
		r->avail = r->desc + (uint64_t)num * VRING_PACKED_DESC_SIZE;
		r->used = r->avail + VRING_PACKED_EVENT_SIZE;
	} else {
		r->avail = r->desc + vu_desc_bytes(num);
		/* used is 4-byte aligned and after avail */
		r->used = (r->avail + vu_avail_bytes(num) + VRING_USED_ALIGN - 1) & ~(uint64_t)(VRING_USED_ALIGN - 1);
	}
	void *p = vfe_gpa(c, r->desc, VFE_RING_SLOT);
	if (!p)
		return -1;
	memset(p, 0, VFE_RING_SLOT);
	r->avail_idx = r->used_seen = 0;
	r->avail_pos = r->used_pos = r->used_count = r->next_id = 0;
	r->avail_wrap = r->used_wrap = true; /* VIRTIO 1.2, 2.8.1 */
	r->inflight = 0;
	r->bad_used = false;
	r->base_known = false;
	memset(r->chain_len, 0, sizeof r->chain_len);
	if (r->kick < 0)
		r->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->call < 0)
		r->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->err < 0)
		r->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return r->kick >= 0 && r->call >= 0 && r->err >= 0 ? 0 : -1;
}

void vfe_ring_addr(const struct vfe_conn *c, uint32_t i, struct vu_addr_pl *a)
{
	const struct vfe_vring *r = &c->ring[i];
	memset(a, 0, sizeof *a);
	a->index = i;
	a->desc = vfe_uva(c, r->desc);
	a->avail = vfe_uva(c, r->avail);
	a->used = vfe_uva(c, r->used);
	a->log = r->used;
}

/* Packed: the chain in the next free slots, wrapping; each descriptor's
 * AVAIL/USED flags say "available" for the wrap counter of its slot; the
 * head's flags are written last (release), so the device sees a whole
 * chain or nothing. The buffer id rides in every descriptor. */
static int packed_add(struct vfe_conn *c, struct vfe_vring *r, const uint64_t *gpa,
		      const uint32_t *len, unsigned nout, unsigned n)
{
	uint8_t *desc = vfe_gpa(c, r->desc, (uint64_t)r->num * VRING_PACKED_DESC_SIZE);
	uint16_t id = r->next_id;
	if (!desc || r->inflight + n > r->num || r->chain_len[id])
		return -1;
	r->next_id = (uint16_t)((id + 1) % r->num);
	r->chain_len[id] = (uint16_t)n;
	uint16_t pos = r->avail_pos, head_flags = 0;
	bool wrap = r->avail_wrap;
	uint8_t *head = desc + (size_t)pos * VRING_PACKED_DESC_SIZE;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *d = desc + (size_t)pos * VRING_PACKED_DESC_SIZE;
		uint16_t fl = (uint16_t)((k + 1 < n ? VRING_DESC_F_NEXT : 0) |
					 (k >= nout ? VRING_DESC_F_WRITE : 0) |
					 (wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED));
		vu_wr64(d, gpa[k]);
		vu_wr32(d + 8, len[k]);
		memcpy(d + VRING_PACKED_DESC_ID, &id, 2);
		if (k)
			memcpy(d + VRING_PACKED_DESC_FLAGS, &fl, 2);
		else
			head_flags = fl;
		vu_packed_advance(&pos, &wrap, 1, r->num);
	}
	__atomic_store_n((uint16_t *)(head + VRING_PACKED_DESC_FLAGS), head_flags, __ATOMIC_RELEASE);
	r->avail_pos = pos;
	r->avail_wrap = wrap;
	r->inflight += n;
	r->avail_idx++;
	return id;
}

/* Packed: collect the used descriptors the device wrote at the driver's
 * used position (both flags equal to the used wrap counter), skipping by
 * each buffer's chain length. */
static void packed_poll(struct vfe_conn *c, struct vfe_vring *r)
{
	uint8_t *desc = vfe_gpa(c, r->desc, (uint64_t)r->num * VRING_PACKED_DESC_SIZE);
	if (!desc || r->bad_used)
		return;
	for (uint32_t k = 0; k < r->num && r->inflight; k++) {
		uint8_t *d = desc + (size_t)r->used_pos * VRING_PACKED_DESC_SIZE;
		uint16_t fl = __atomic_load_n((uint16_t *)(d + VRING_PACKED_DESC_FLAGS), __ATOMIC_ACQUIRE);
		bool av = (fl & VRING_PACKED_DESC_F_AVAIL) != 0, us = (fl & VRING_PACKED_DESC_F_USED) != 0;
		if (av != us || us != r->used_wrap)
			return;
		uint16_t id;
		memcpy(&id, d + VRING_PACKED_DESC_ID, 2);
		if (id >= r->num || !r->chain_len[id]) {
			r->bad_used = true;
			return;
		}
		uint16_t n = r->chain_len[id];
		r->chain_len[id] = 0;
		r->used_id[r->used_count % r->num] = id;
		r->used_len[r->used_count % r->num] = vu_rd32(d + 8);
		r->used_count++;
		r->inflight -= n;
		vu_packed_advance(&r->used_pos, &r->used_wrap, n, r->num);
	}
}

bool vfe_ring_packed_state_ok(struct vfe_conn *c, uint32_t i, uint32_t got, uint32_t *want)
{
	struct vfe_vring *r = &c->ring[i];
	packed_poll(c, r);
	struct vu_packed_base mine = { r->avail_pos, r->used_pos, r->avail_wrap, r->used_wrap };
	*want = vu_packed_base_enc(&mine);
	struct vu_packed_base b;
	vu_packed_base_dec(got, &b);
	if (b.used != r->used_pos || b.used_wrap != r->used_wrap || b.avail >= r->num)
		return false;
	/* buffers taken beyond the used position: 0..what is in flight */
	struct vu_packed_base taken = { b.avail, r->used_pos, b.avail_wrap, r->used_wrap };
	return vu_packed_base_held(&taken, r->num) <= r->inflight;
}

int vfe_ring_add(struct vfe_conn *c, uint32_t i, const uint64_t *gpa, const uint32_t *len,
		 unsigned nout, unsigned nin)
{
	struct vfe_vring *r = &c->ring[i];
	unsigned n = nout + nin;
	if (!r->num || n == 0 || n > r->num)
		return -1;
	if (r->packed)
		return packed_add(c, r, gpa, len, nout, n);
	uint8_t *desc = vfe_gpa(c, r->desc, vu_desc_bytes(r->num));
	uint8_t *avail = vfe_gpa(c, r->avail, vu_avail_bytes(r->num));
	if (!desc || !avail)
		return -1;
	/* Descriptors are used in order, wrapping: head = avail_idx * n % num
	 * is enough for the few chains a check puts on a ring. */
	uint16_t head = (uint16_t)((r->avail_idx * n) % r->num);
	if (head + n > r->num)
		head = 0;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *d = desc + (size_t)(head + k) * VRING_DESC_SIZE;
		uint16_t fl = (uint16_t)((k + 1 < n ? VRING_DESC_F_NEXT : 0) | (k >= nout ? VRING_DESC_F_WRITE : 0));
		vu_wr64(d, gpa[k]);
		vu_wr32(d + VRING_DESC_LEN, len[k]);
		memcpy(d + VRING_DESC_FLAGS, &fl, 2);
		uint16_t next = (uint16_t)(head + k + 1);
		memcpy(d + VRING_DESC_NEXT, &next, 2);
	}
	uint16_t slot = (uint16_t)(r->avail_idx % r->num);
	memcpy(avail + VRING_RING_HDR + VRING_AVAIL_ELEM * slot, &head, 2);
	r->avail_idx++;
	__atomic_store_n((uint16_t *)(avail + VRING_RING_IDX), r->avail_idx, __ATOMIC_RELEASE);
	return head;
}

void vfe_ring_kick(struct vfe_conn *c, uint32_t i)
{
	uint64_t one = 1;
	if (c->ring[i].kick >= 0 && write(c->ring[i].kick, &one, sizeof one) == sizeof one)
		vfe_emit_kick(c, i);
	c->ring[i].started = true;
}

uint16_t vfe_ring_used_idx(struct vfe_conn *c, uint32_t i)
{
	struct vfe_vring *r = &c->ring[i];
	if (r->packed) {
		packed_poll(c, r);
		return r->used_count;
	}
	uint8_t *used = vfe_gpa(c, r->used, vu_used_bytes(r->num));
	if (!used)
		return 0;
	return __atomic_load_n((uint16_t *)(used + VRING_RING_IDX), __ATOMIC_ACQUIRE);
}

bool vfe_ring_used_elem(struct vfe_conn *c, uint32_t i, uint16_t k, uint32_t *id, uint32_t *len)
{
	struct vfe_vring *r = &c->ring[i];
	if (r->packed) {
		if (!r->num)
			return false;
		packed_poll(c, r);
		*id = r->used_id[k % r->num];
		*len = r->used_len[k % r->num];
		return true;
	}
	uint8_t *used = vfe_gpa(c, r->used, vu_used_bytes(r->num));
	if (!used || !r->num)
		return false;
	const uint8_t *e = used + VRING_RING_HDR + VRING_USED_ELEM * (size_t)(k % r->num);
	*id = vu_rd32(e);
	*len = vu_rd32(e + 4);
	return true;
}

bool vfe_ring_wait_used(struct vfe_conn *c, uint32_t i, uint16_t want, int timeout_ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if ((int16_t)(vfe_ring_used_idx(c, i) - want) >= 0)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		int64_t ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= timeout_ms)
			return false;
		/* Wait for a call, or poll the index again in a while (the
		 * back-end may suppress notifications). */
		struct pollfd p = { .fd = c->ring[i].call, .events = POLLIN };
		if (poll(&p, 1, 10) > 0) {
			uint64_t v;
			if (read(c->ring[i].call, &v, sizeof v) < 0 && errno != EAGAIN)
				return false;
		}
	}
}
