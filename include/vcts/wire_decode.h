/* Decoding of vhost-user payloads into host structs. One decoder per
 * layout in the wire table; every decoder checks the length it is given
 * and never reads past it. Used by the rule engine, the fakes and the
 * printers alike. */
#ifndef VCTS_WIRE_DECODE_H
#define VCTS_WIRE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/wire.h"

struct vu_state_pl { uint32_t index, num; };
struct vu_addr_pl {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;
};
struct vu_region_pl { uint64_t gpa, size, uva, mmap_offset; };
struct vu_log_pl { uint64_t mmap_size, mmap_offset; };
struct vu_config_pl { uint32_t offset, size, flags; const uint8_t *data; uint32_t data_len; };
struct vu_inflight_pl { uint64_t mmap_size, mmap_offset; uint16_t num_queues, queue_size; };
struct vu_iotlb_pl { uint64_t iova, size, uaddr; uint8_t perm, type; };
struct vu_uuid_pl { uint8_t uuid[16]; };
struct vu_devstate_pl { uint32_t direction, phase; };
/* VRING_HOST_NOTIFIER_MSG: u64 index and flags, u64 size, u64 offset. */
struct vu_area_pl { uint64_t u64, size, offset; };
/* SHMEM_MAP/UNMAP: u8 shmid, 7 bytes padding, then four u64. */
struct vu_mmap_pl { uint8_t shmid; uint64_t fd_offset, shm_offset, len, flags; };
struct vu_shmem_cfg_pl { uint32_t nregions, padding; uint64_t sizes[VU_SHMEM_MAX_REGIONS]; };

/* Each returns false when len is too short for the layout. */
bool vu_dec_u64(const uint8_t *p, size_t len, uint64_t *out);
bool vu_dec_state(const uint8_t *p, size_t len, struct vu_state_pl *out);
bool vu_dec_addr(const uint8_t *p, size_t len, struct vu_addr_pl *out);
bool vu_dec_log(const uint8_t *p, size_t len, struct vu_log_pl *out);
bool vu_dec_config(const uint8_t *p, size_t len, struct vu_config_pl *out);
bool vu_dec_inflight(const uint8_t *p, size_t len, struct vu_inflight_pl *out);
bool vu_dec_iotlb(const uint8_t *p, size_t len, struct vu_iotlb_pl *out);
bool vu_dec_uuid(const uint8_t *p, size_t len, struct vu_uuid_pl *out);
bool vu_dec_devstate(const uint8_t *p, size_t len, struct vu_devstate_pl *out);
bool vu_dec_area(const uint8_t *p, size_t len, struct vu_area_pl *out);
bool vu_dec_mmap(const uint8_t *p, size_t len, struct vu_mmap_pl *out);
bool vu_dec_shmem_cfg(const uint8_t *p, size_t len, struct vu_shmem_cfg_pl *out);
/* Memory table: nregions and padding from the header; regions decoded
 * only as far as len allows (*avail tells how many are complete). */
bool vu_dec_memtable_hdr(const uint8_t *p, size_t len, uint32_t *nregions, uint32_t *padding);
bool vu_dec_memtable_region(const uint8_t *p, size_t len, uint32_t i, struct vu_region_pl *out);
/* The same for regions of region_size bytes (vu_mem_region_size(): 40
 * with XEN_MMAP); the extra Xen fields are not decoded. */
bool vu_dec_memtable_region_sz(const uint8_t *p, size_t len, uint32_t i, uint32_t region_size,
			       struct vu_region_pl *out);
/* ADD_MEM_REG / REM_MEM_REG: u64 padding then one region. */
bool vu_dec_memreg(const uint8_t *p, size_t len, uint64_t *padding, struct vu_region_pl *out);

/* Split-ring part sizes for a queue of num entries (event idx included). */
uint64_t vu_desc_bytes(uint32_t num);
uint64_t vu_avail_bytes(uint32_t num);
uint64_t vu_used_bytes(uint32_t num);

/* A payload decoded by the layout the wire table gives its request. */
struct vu_decoded {
	uint8_t layout;            /* enum vu_payload actually used */
	union {
		uint64_t u64;
		struct vu_state_pl state;
		struct vu_addr_pl addr;
		struct vu_log_pl log;
		struct vu_config_pl config;
		struct vu_inflight_pl inflight;
		struct vu_iotlb_pl iotlb;
		struct vu_uuid_pl uuid;
		struct vu_devstate_pl devstate;
		struct vu_area_pl area;
		struct vu_mmap_pl mmap;
		struct { uint32_t nregions, padding; } memtable;  /* regions: vu_dec_memtable_region */
		struct { uint64_t padding; struct vu_region_pl r; } memreg;
	} u;
};
/* Decode p as the request's (or, with reply, the reply's) layout; an
 * 8-byte reply to a request without a reply payload is a REPLY_ACK u64.
 * d->layout is set whenever the request is known. Returns 1 decoded,
 * 0 len short for the layout, -1 unknown request or no decoder for the
 * layout (none, opaque bytes, not fixed by the spec, or the 2 KiB shmem
 * config, which has its own vu_dec_shmem_cfg). */
int vu_decode_payload(uint8_t chan, uint32_t req, bool reply, const uint8_t *p, size_t len,
		      struct vu_decoded *d);
/* One-line human summary of a message payload for `decode`. */
const char *vu_payload_summary(uint8_t chan, uint32_t req, bool reply, const uint8_t *p,
			       size_t len, char *buf, size_t buflen);
#endif
