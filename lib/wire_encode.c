/* Payload encoders: the mirror of lib/wire_decode.c, field for field.
 * Sizes come from the wire table, never from a literal here. */
#include "vcts/wire_encode.h"
#include "vcts/wire.h"

#include <string.h>

/* Room for the layout's full size; the buffer is zeroed so padding is. */
static size_t room(uint8_t *p, size_t cap, enum vu_payload pl)
{
	int sz = vu_payload_fixed_size(pl);
	if (sz < 0 || (size_t)sz > cap)
		return 0;
	memset(p, 0, (size_t)sz);
	return (size_t)sz;
}

size_t vu_enc_u64(uint8_t *p, size_t cap, uint64_t v)
{
	size_t n = room(p, cap, VU_PL_U64);
	if (n)
		vu_wr64(p, v);
	return n;
}

size_t vu_enc_state(uint8_t *p, size_t cap, const struct vu_state_pl *s)
{
	size_t n = room(p, cap, VU_PL_STATE);
	if (n) {
		vu_wr32(p, s->index);
		vu_wr32(p + 4, s->num);
	}
	return n;
}

size_t vu_enc_addr(uint8_t *p, size_t cap, const struct vu_addr_pl *s)
{
	size_t n = room(p, cap, VU_PL_ADDR);
	if (n) {
		vu_wr32(p, s->index);
		vu_wr32(p + 4, s->flags);
		vu_wr64(p + 8, s->desc);
		vu_wr64(p + 16, s->used);
		vu_wr64(p + 24, s->avail);
		vu_wr64(p + 32, s->log);
	}
	return n;
}

size_t vu_enc_log(uint8_t *p, size_t cap, const struct vu_log_pl *s)
{
	size_t n = room(p, cap, VU_PL_LOG);
	if (n) {
		vu_wr64(p, s->mmap_size);
		vu_wr64(p + 8, s->mmap_offset);
	}
	return n;
}

size_t vu_enc_config(uint8_t *p, size_t cap, const struct vu_config_pl *s)
{
	size_t n = (size_t)VU_CONFIG_HDR + s->data_len;
	if (n > cap || (s->data_len && !s->data))
		return 0;
	vu_wr32(p, s->offset);
	vu_wr32(p + 4, s->size);
	vu_wr32(p + 8, s->flags);
	if (s->data_len)
		memmove(p + VU_CONFIG_HDR, s->data, s->data_len);
	return n;
}

size_t vu_enc_inflight(uint8_t *p, size_t cap, const struct vu_inflight_pl *s)
{
	size_t n = room(p, cap, VU_PL_INFLIGHT);
	if (n) {
		vu_wr64(p, s->mmap_size);
		vu_wr64(p + 8, s->mmap_offset);
		memcpy(p + 16, &s->num_queues, 2);
		memcpy(p + 18, &s->queue_size, 2);
	}
	return n;
}

size_t vu_enc_iotlb(uint8_t *p, size_t cap, const struct vu_iotlb_pl *s)
{
	size_t n = room(p, cap, VU_PL_IOTLB);
	if (n) {
		vu_wr64(p, s->iova);
		vu_wr64(p + 8, s->size);
		vu_wr64(p + 16, s->uaddr);
		p[24] = s->perm;
		p[25] = s->type;
	}
	return n;
}

size_t vu_enc_uuid(uint8_t *p, size_t cap, const struct vu_uuid_pl *s)
{
	size_t n = room(p, cap, VU_PL_UUID);
	if (n)
		memcpy(p, s->uuid, sizeof s->uuid);
	return n;
}

size_t vu_enc_devstate(uint8_t *p, size_t cap, const struct vu_devstate_pl *s)
{
	size_t n = room(p, cap, VU_PL_DEVSTATE);
	if (n) {
		vu_wr32(p, s->direction);
		vu_wr32(p + 4, s->phase);
	}
	return n;
}

size_t vu_enc_area(uint8_t *p, size_t cap, const struct vu_area_pl *s)
{
	size_t n = room(p, cap, VU_PL_VRING_AREA);
	if (n) {
		vu_wr64(p, s->u64);
		vu_wr64(p + 8, s->size);
		vu_wr64(p + 16, s->offset);
	}
	return n;
}

size_t vu_enc_mmap(uint8_t *p, size_t cap, const struct vu_mmap_pl *s)
{
	size_t n = room(p, cap, VU_PL_MMAP);
	if (n) {
		p[0] = s->shmid;
		vu_wr64(p + 8, s->fd_offset);
		vu_wr64(p + 16, s->shm_offset);
		vu_wr64(p + 24, s->len);
		vu_wr64(p + 32, s->flags);
	}
	return n;
}

size_t vu_enc_shmem_cfg(uint8_t *p, size_t cap, const struct vu_shmem_cfg_pl *s)
{
	size_t n = room(p, cap, VU_PL_SHMEM_CFG);
	if (n) {
		vu_wr32(p, s->nregions);
		vu_wr32(p + 4, s->padding);
		for (uint32_t i = 0; i < VU_SHMEM_MAX_REGIONS; i++)
			vu_wr64(p + 8 + 8 * (size_t)i, s->sizes[i]);
	}
	return n;
}

static void enc_region(uint8_t *p, const struct vu_region_pl *r)
{
	vu_wr64(p, r->gpa);
	vu_wr64(p + 8, r->size);
	vu_wr64(p + 16, r->uva);
	vu_wr64(p + 24, r->mmap_offset);
}

size_t vu_enc_region(uint8_t *p, size_t cap, const struct vu_region_pl *r, uint32_t width)
{
	if (width < VU_MEM_REGION_SIZE || width > cap)
		return 0;
	memset(p, 0, width);
	enc_region(p, r);
	return width;
}

size_t vu_enc_memtable_sz(uint8_t *p, size_t cap, uint32_t nregions, uint32_t padding,
			  const struct vu_region_pl *r, uint32_t n, uint32_t region_size)
{
	if (region_size < VU_MEM_REGION_SIZE || (n && !r))
		return 0;
	uint64_t total = VU_MEM_TABLE_HDR + (uint64_t)n * region_size;
	if (total > cap)
		return 0;
	memset(p, 0, (size_t)total);
	vu_wr32(p, nregions);
	vu_wr32(p + 4, padding);
	for (uint32_t i = 0; i < n; i++)
		enc_region(p + VU_MEM_TABLE_HDR + (size_t)i * region_size, &r[i]);
	return (size_t)total;
}

size_t vu_enc_memtable(uint8_t *p, size_t cap, const struct vu_region_pl *r, uint32_t n)
{
	return vu_enc_memtable_sz(p, cap, n, 0, r, n, VU_MEM_REGION_SIZE);
}

size_t vu_enc_memreg(uint8_t *p, size_t cap, uint64_t padding, const struct vu_region_pl *r)
{
	/* The table's need for MEMREG is its un-padded 8 + one region. */
	size_t n = vu_payload_need(VU_PL_MEMREG);
	if (n > cap)
		return 0;
	vu_wr64(p, padding);
	enc_region(p + 8, r);
	return n;
}

int64_t vu_encode_payload(const struct vu_decoded *d, uint8_t *p, size_t cap)
{
	switch ((enum vu_payload)d->layout) {
	case VU_PL_U64: return (int64_t)vu_enc_u64(p, cap, d->u.u64);
	case VU_PL_STATE: return (int64_t)vu_enc_state(p, cap, &d->u.state);
	case VU_PL_ADDR: return (int64_t)vu_enc_addr(p, cap, &d->u.addr);
	case VU_PL_MEMTABLE:
		return (int64_t)vu_enc_memtable_sz(p, cap, d->u.memtable.nregions,
						   d->u.memtable.padding, NULL, 0, VU_MEM_REGION_SIZE);
	case VU_PL_MEMREG: return (int64_t)vu_enc_memreg(p, cap, d->u.memreg.padding, &d->u.memreg.r);
	case VU_PL_LOG: return (int64_t)vu_enc_log(p, cap, &d->u.log);
	case VU_PL_CONFIG: return (int64_t)vu_enc_config(p, cap, &d->u.config);
	case VU_PL_INFLIGHT: return (int64_t)vu_enc_inflight(p, cap, &d->u.inflight);
	case VU_PL_IOTLB: return (int64_t)vu_enc_iotlb(p, cap, &d->u.iotlb);
	case VU_PL_UUID: return (int64_t)vu_enc_uuid(p, cap, &d->u.uuid);
	case VU_PL_DEVSTATE: return (int64_t)vu_enc_devstate(p, cap, &d->u.devstate);
	case VU_PL_VRING_AREA: return (int64_t)vu_enc_area(p, cap, &d->u.area);
	case VU_PL_MMAP: return (int64_t)vu_enc_mmap(p, cap, &d->u.mmap);
	default: return -1;
	}
}
