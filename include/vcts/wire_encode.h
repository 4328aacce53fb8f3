/* Encoding of vhost-user payloads from the structs the decoders fill
 * (vcts/wire_decode.h): one encoder per layout of the wire table, so
 * no caller packs a payload by hand. Every encoder writes the whole
 * layout (padding as zeros) and returns the bytes written, or 0 when
 * cap is too small. */
#ifndef VCTS_WIRE_ENCODE_H
#define VCTS_WIRE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "vcts/wire_decode.h"

size_t vu_enc_u64(uint8_t *p, size_t cap, uint64_t v);
size_t vu_enc_state(uint8_t *p, size_t cap, const struct vu_state_pl *s);
size_t vu_enc_addr(uint8_t *p, size_t cap, const struct vu_addr_pl *s);
size_t vu_enc_log(uint8_t *p, size_t cap, const struct vu_log_pl *s);
/* Header, then s->data_len bytes of s->data; s->size is written as given
 * (a test may want it to disagree with data_len). */
size_t vu_enc_config(uint8_t *p, size_t cap, const struct vu_config_pl *s);
size_t vu_enc_inflight(uint8_t *p, size_t cap, const struct vu_inflight_pl *s);
size_t vu_enc_iotlb(uint8_t *p, size_t cap, const struct vu_iotlb_pl *s);
size_t vu_enc_uuid(uint8_t *p, size_t cap, const struct vu_uuid_pl *s);
size_t vu_enc_devstate(uint8_t *p, size_t cap, const struct vu_devstate_pl *s);
size_t vu_enc_area(uint8_t *p, size_t cap, const struct vu_area_pl *s);
size_t vu_enc_mmap(uint8_t *p, size_t cap, const struct vu_mmap_pl *s);
size_t vu_enc_shmem_cfg(uint8_t *p, size_t cap, const struct vu_shmem_cfg_pl *s);
/* Memory table: header (nregions, padding) then n regions of
 * region_size bytes (VU_MEM_REGION_SIZE, or VU_MEM_REGION_XEN_SIZE whose
 * two Xen fields are written as zeros). nregions is written as given. */
size_t vu_enc_memtable_sz(uint8_t *p, size_t cap, uint32_t nregions, uint32_t padding,
			  const struct vu_region_pl *r, uint32_t n, uint32_t region_size);
size_t vu_enc_memtable(uint8_t *p, size_t cap, const struct vu_region_pl *r, uint32_t n);
/* One region of width bytes (32, or 40 with XEN_MMAP: Xen fields zero). */
size_t vu_enc_region(uint8_t *p, size_t cap, const struct vu_region_pl *r, uint32_t width);
/* ADD_MEM_REG / REM_MEM_REG: u64 padding then one region. */
size_t vu_enc_memreg(uint8_t *p, size_t cap, uint64_t padding, const struct vu_region_pl *r);

/* The inverse of vu_decode_payload for d->layout (memory table: header
 * only). Returns bytes written, 0 when cap is short, -1 for a layout
 * without an encoder. */
int64_t vu_encode_payload(const struct vu_decoded *d, uint8_t *p, size_t cap);
#endif
