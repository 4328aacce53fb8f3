#include "vcts/wire_decode.h"
#include "vcts/vring.h"
#include "vcts/wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool vu_dec_u64(const uint8_t *p, size_t len, uint64_t *out)
{
	if (len < vu_payload_need(VU_PL_U64))
		return false;
	*out = vu_rd64(p);
	return true;
}

bool vu_dec_state(const uint8_t *p, size_t len, struct vu_state_pl *out)
{
	if (len < vu_payload_need(VU_PL_STATE))
		return false;
	out->index = vu_rd32(p);
	out->num = vu_rd32(p + 4);
	return true;
}

bool vu_dec_addr(const uint8_t *p, size_t len, struct vu_addr_pl *out)
{
	if (len < vu_payload_need(VU_PL_ADDR))
		return false;
	out->index = vu_rd32(p);
	out->flags = vu_rd32(p + 4);
	out->desc = vu_rd64(p + 8);
	out->used = vu_rd64(p + 16);
	out->avail = vu_rd64(p + 24);
	out->log = vu_rd64(p + 32);
	return true;
}

bool vu_dec_log(const uint8_t *p, size_t len, struct vu_log_pl *out)
{
	if (len < vu_payload_need(VU_PL_LOG))
		return false;
	out->mmap_size = vu_rd64(p);
	out->mmap_offset = vu_rd64(p + 8);
	return true;
}

bool vu_dec_config(const uint8_t *p, size_t len, struct vu_config_pl *out)
{
	if (len < vu_payload_need(VU_PL_CONFIG))
		return false;
	out->offset = vu_rd32(p);
	out->size = vu_rd32(p + 4);
	out->flags = vu_rd32(p + 8);
	out->data = p + VU_CONFIG_HDR;
	out->data_len = (uint32_t)(len - VU_CONFIG_HDR);
	return true;
}

bool vu_dec_inflight(const uint8_t *p, size_t len, struct vu_inflight_pl *out)
{
	if (len < vu_payload_need(VU_PL_INFLIGHT))
		return false;
	out->mmap_size = vu_rd64(p);
	out->mmap_offset = vu_rd64(p + 8);
	uint16_t a, b;
	memcpy(&a, p + 16, 2);
	memcpy(&b, p + 18, 2);
	out->num_queues = a;
	out->queue_size = b;
	return true;
}

bool vu_dec_iotlb(const uint8_t *p, size_t len, struct vu_iotlb_pl *out)
{
	if (len < vu_payload_need(VU_PL_IOTLB))
		return false;
	out->iova = vu_rd64(p);
	out->size = vu_rd64(p + 8);
	out->uaddr = vu_rd64(p + 16);
	out->perm = p[24];
	out->type = p[25];
	return true;
}

bool vu_dec_uuid(const uint8_t *p, size_t len, struct vu_uuid_pl *out)
{
	if (len < vu_payload_need(VU_PL_UUID))
		return false;
	memcpy(out->uuid, p, sizeof out->uuid);
	return true;
}

bool vu_dec_devstate(const uint8_t *p, size_t len, struct vu_devstate_pl *out)
{
	if (len < vu_payload_need(VU_PL_DEVSTATE))
		return false;
	out->direction = vu_rd32(p);
	out->phase = vu_rd32(p + 4);
	return true;
}

bool vu_dec_area(const uint8_t *p, size_t len, struct vu_area_pl *out)
{
	if (len < vu_payload_need(VU_PL_VRING_AREA))
		return false;
	out->u64 = vu_rd64(p);
	out->size = vu_rd64(p + 8);
	out->offset = vu_rd64(p + 16);
	return true;
}

bool vu_dec_mmap(const uint8_t *p, size_t len, struct vu_mmap_pl *out)
{
	if (len < vu_payload_need(VU_PL_MMAP))
		return false;
	out->shmid = p[0];
	out->fd_offset = vu_rd64(p + 8);
	out->shm_offset = vu_rd64(p + 16);
	out->len = vu_rd64(p + 24);
	out->flags = vu_rd64(p + 32);
	return true;
}

bool vu_dec_shmem_cfg(const uint8_t *p, size_t len, struct vu_shmem_cfg_pl *out)
{
	if (len < vu_payload_need(VU_PL_SHMEM_CFG))
		return false;
	out->nregions = vu_rd32(p);
	out->padding = vu_rd32(p + 4);
	for (uint32_t i = 0; i < VU_SHMEM_MAX_REGIONS; i++)
		out->sizes[i] = vu_rd64(p + 8 + 8 * (size_t)i);
	return true;
}

bool vu_dec_memtable_hdr(const uint8_t *p, size_t len, uint32_t *nregions, uint32_t *padding)
{
	if (len < vu_payload_need(VU_PL_MEMTABLE))
		return false;
	*nregions = vu_rd32(p);
	*padding = vu_rd32(p + 4);
	return true;
}

static void dec_region(const uint8_t *p, struct vu_region_pl *out)
{
	out->gpa = vu_rd64(p);
	out->size = vu_rd64(p + 8);
	out->uva = vu_rd64(p + 16);
	out->mmap_offset = vu_rd64(p + 24);
}

bool vu_dec_memtable_region_sz(const uint8_t *p, size_t len, uint32_t i, uint32_t region_size,
			       struct vu_region_pl *out)
{
	if (region_size < VU_MEM_REGION_SIZE)
		return false;
	uint64_t off = VU_MEM_TABLE_HDR + (uint64_t)i * region_size;
	if (off + region_size > len)
		return false;
	dec_region(p + off, out);
	return true;
}

bool vu_dec_memtable_region(const uint8_t *p, size_t len, uint32_t i, struct vu_region_pl *out)
{
	return vu_dec_memtable_region_sz(p, len, i, VU_MEM_REGION_SIZE, out);
}

bool vu_dec_memreg(const uint8_t *p, size_t len, uint64_t *padding, struct vu_region_pl *out)
{
	if (len < vu_payload_need(VU_PL_MEMREG))
		return false;
	*padding = vu_rd64(p);
	dec_region(p + 8, out);
	return true;
}

uint64_t vu_desc_bytes(uint32_t num) { return (uint64_t)VRING_DESC_SIZE * num; }
uint64_t vu_avail_bytes(uint32_t num)
{
	return VRING_RING_HDR + (uint64_t)VRING_AVAIL_ELEM * num + VRING_EVENT_IDX_SIZE;
}
uint64_t vu_used_bytes(uint32_t num)
{
	return VRING_RING_HDR + (uint64_t)VRING_USED_ELEM * num + VRING_EVENT_IDX_SIZE;
}

int vu_decode_payload(uint8_t chan, uint32_t req, bool reply, const uint8_t *p, size_t len,
		      struct vu_decoded *d)
{
	memset(d, 0, sizeof *d);
	const struct vu_request_info *ri = vu_request(chan, req);
	if (!ri)
		return -1;
	enum vu_payload pl = reply ? ri->reply_payload : ri->req_payload;
	/* An ack (REPLY_ACK) of a request without a reply payload is a u64. */
	if (reply && pl == VU_PL_NONE && len == 8)
		pl = VU_PL_U64;
	d->layout = (uint8_t)pl;
	bool ok;
	switch (pl) {
	case VU_PL_U64: ok = vu_dec_u64(p, len, &d->u.u64); break;
	case VU_PL_STATE: ok = vu_dec_state(p, len, &d->u.state); break;
	case VU_PL_ADDR: ok = vu_dec_addr(p, len, &d->u.addr); break;
	case VU_PL_MEMTABLE:
		ok = vu_dec_memtable_hdr(p, len, &d->u.memtable.nregions, &d->u.memtable.padding);
		break;
	case VU_PL_MEMREG: ok = vu_dec_memreg(p, len, &d->u.memreg.padding, &d->u.memreg.r); break;
	case VU_PL_LOG: ok = vu_dec_log(p, len, &d->u.log); break;
	case VU_PL_CONFIG: ok = vu_dec_config(p, len, &d->u.config); break;
	case VU_PL_INFLIGHT: ok = vu_dec_inflight(p, len, &d->u.inflight); break;
	case VU_PL_IOTLB: ok = vu_dec_iotlb(p, len, &d->u.iotlb); break;
	case VU_PL_UUID: ok = vu_dec_uuid(p, len, &d->u.uuid); break;
	case VU_PL_DEVSTATE: ok = vu_dec_devstate(p, len, &d->u.devstate); break;
	case VU_PL_VRING_AREA: ok = vu_dec_area(p, len, &d->u.area); break;
	case VU_PL_MMAP: ok = vu_dec_mmap(p, len, &d->u.mmap); break;
	default: return -1;
	}
	return ok ? 1 : 0;
}

const char *vu_payload_summary(uint8_t chan, uint32_t req, bool reply, const uint8_t *p,
			       size_t len, char *buf, size_t buflen)
{
	char tmp[256];
	buf[0] = '\0';
	struct vu_decoded d;
	int rc = vu_decode_payload(chan, req, reply, p, len, &d);
	if (!vu_request(chan, req)) {
		snprintf(buf, buflen, "%zu bytes", len);
		return buf;
	}
	enum vu_payload pl = d.layout;
	uint64_t u = d.u.u64;
	switch (rc == 1 ? pl : VU_PL_COUNT) {
	case VU_PL_U64:
		if (chan == VU_CHAN_MAIN && (req == VU_GET_FEATURES || req == VU_SET_FEATURES))
			snprintf(buf, buflen, "0x%" PRIx64 " %s", u, vu_features_str(u, tmp, sizeof tmp));
		else if (chan == VU_CHAN_MAIN &&
			 (req == VU_GET_PROTOCOL_FEATURES || req == VU_SET_PROTOCOL_FEATURES))
			snprintf(buf, buflen, "0x%" PRIx64 " %s", u,
				 vu_protocol_features_str(u, tmp, sizeof tmp));
		else if (chan == VU_CHAN_MAIN && (req == VU_SET_STATUS || req == VU_GET_STATUS))
			snprintf(buf, buflen, "0x%" PRIx64 " %s", u, vu_status_str(u, tmp, sizeof tmp));
		else if (chan == VU_CHAN_MAIN &&
			 (req == VU_SET_VRING_KICK || req == VU_SET_VRING_CALL || req == VU_SET_VRING_ERR))
			snprintf(buf, buflen, "ring %" PRIu64 "%s", u & VU_VRING_IDX_MASK,
				 (u & VU_VRING_NOFD) ? " nofd" : "");
		else
			snprintf(buf, buflen, "%" PRIu64 " (0x%" PRIx64 ")", u, u);
		break;
	case VU_PL_STATE:
		snprintf(buf, buflen, "ring %u num %u", d.u.state.index, d.u.state.num);
		break;
	case VU_PL_ADDR:
		snprintf(buf, buflen,
			 "ring %u flags 0x%x desc 0x%" PRIx64 " used 0x%" PRIx64 " avail 0x%" PRIx64
			 " log 0x%" PRIx64,
			 d.u.addr.index, d.u.addr.flags, d.u.addr.desc, d.u.addr.used, d.u.addr.avail,
			 d.u.addr.log);
		break;
	case VU_PL_MEMTABLE: {
		uint32_t n = d.u.memtable.nregions;
		int w = snprintf(buf, buflen, "%u regions", n);
		struct vu_region_pl r;
		for (uint32_t i = 0; i < n && i < 8 && w >= 0 && (size_t)w < buflen; i++) {
			if (!vu_dec_memtable_region(p, len, i, &r))
				break;
			w += snprintf(buf + w, buflen - (size_t)w,
				      " [gpa 0x%" PRIx64 " size 0x%" PRIx64 " uva 0x%" PRIx64 " off 0x%" PRIx64 "]",
				      r.gpa, r.size, r.uva, r.mmap_offset);
		}
		break;
	}
	case VU_PL_MEMREG: {
		const struct vu_region_pl *r = &d.u.memreg.r;
		snprintf(buf, buflen, "gpa 0x%" PRIx64 " size 0x%" PRIx64 " uva 0x%" PRIx64 " off 0x%" PRIx64,
			 r->gpa, r->size, r->uva, r->mmap_offset);
		break;
	}
	case VU_PL_LOG:
		snprintf(buf, buflen, "size 0x%" PRIx64 " offset 0x%" PRIx64, d.u.log.mmap_size,
			 d.u.log.mmap_offset);
		break;
	case VU_PL_CONFIG:
		snprintf(buf, buflen, "offset %u size %u flags 0x%x", d.u.config.offset, d.u.config.size,
			 d.u.config.flags);
		break;
	case VU_PL_INFLIGHT:
		snprintf(buf, buflen, "mmap size 0x%" PRIx64 " offset 0x%" PRIx64 " queues %u size %u",
			 d.u.inflight.mmap_size, d.u.inflight.mmap_offset, d.u.inflight.num_queues,
			 d.u.inflight.queue_size);
		break;
	case VU_PL_IOTLB:
		snprintf(buf, buflen,
			 "iova 0x%" PRIx64 " size 0x%" PRIx64 " uaddr 0x%" PRIx64 " perm %u type %u",
			 d.u.iotlb.iova, d.u.iotlb.size, d.u.iotlb.uaddr, d.u.iotlb.perm, d.u.iotlb.type);
		break;
	default:
		/* no decoder for the layout (rc -1), or a short payload (rc 0) */
		if (pl == VU_PL_NONE) {
			if (len)
				snprintf(buf, buflen, "%zu unexpected bytes", len);
		} else if (rc != 0) {
			/* no decoder, or one the summary does not print */
			snprintf(buf, buflen, "%zu bytes", len);
		}
		break;
	}
	if (!buf[0] && len)
		snprintf(buf, buflen, "%zu bytes (short for %s)", len, vu_payload_name(pl));
	return buf;
}
