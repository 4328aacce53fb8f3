/* Private to the native capture format: what its writer
 * (native_write.c), reader (native_read.c) and comparison
 * (native_equal.c) read alike: the kinds it stores and the table of the
 * memory, IOTLB and vhost-vdpa kinds' fields (native.c). */
#ifndef VCTS_NATIVE_PRIV_H
#define VCTS_NATIVE_PRIV_H

#include "vcts/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The event kinds version 1 stores. Later kinds get a native form (and
 * a case in the writer, reader and comparison) when their sources need
 * recording; until then the writer refuses them rather than lose fields,
 * and the reader skips them as unknown. */
static inline bool native_kind(unsigned k)
{
	return k == VC_EV_VU_MSG || k == VC_EV_VU_EOF || k == VC_EV_VU_KICK || k == VC_EV_VU_STALL ||
	       k == VC_EV_GAP ||
	       (k >= VC_EV_MEM_BEGIN && k <= VC_EV_VDPA_IOTLB) ||
	       (k >= VC_EV_VDPA_OPEN && k <= VC_EV_VDPA_MMAP);
}

/* Memory-listener and IOTLB kinds (lib/model) and the vhost-vdpa file
 * operations: their fields as one table that drives the writer, the
 * reader and the comparison. */
enum mf_type { MF_U8, MF_U32, MF_U64, MF_BOOL, MF_NAME, MF_I32, MF_I64 };
struct mem_field {
	uint8_t kind;
	const char *key;
	size_t off;
	uint8_t type;
};
extern const struct mem_field vcn_mem_fields[];
extern const size_t vcn_n_mem_fields;

/* The vhost-vdpa operation kinds carry argument bytes out of line. */
static inline bool vdpa_op_kind(unsigned k)
{
	return k >= VC_EV_VDPA_OPEN && k <= VC_EV_VDPA_MMAP;
}
#define VDPA_BYTES_MAX (1u << 20)

#endif
