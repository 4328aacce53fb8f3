/* vhost-vdpa facts from the Linux uAPI (linux/vhost_types.h, linux/vhost.h):
 * the one table of vhost-vdpa numbers. Anything that needs an IOTLB
 * message type, a permission or a backend feature bit takes it from here. */
#ifndef VCTS_VDPA_UAPI_H
#define VCTS_VDPA_UAPI_H

#include <stdint.h>

/* struct vhost_msg_v2 { u32 type; u32 asid; union { struct vhost_iotlb_msg
 * iotlb; u8 padding[64]; }; }: 72 bytes, written whole with write(). */
#define VDPA_MSG_V2_SIZE 72u
#define VDPA_MSG_V2_TYPE_OFF 0u
#define VDPA_MSG_V2_ASID_OFF 4u
#define VDPA_MSG_V2_IOTLB_OFF 8u
/* struct vhost_iotlb_msg { u64 iova, size, uaddr; u8 perm; u8 type; }
 * at VDPA_MSG_V2_IOTLB_OFF, offsets within it: */
#define VDPA_IOTLB_IOVA_OFF 0u
#define VDPA_IOTLB_SIZE_OFF 8u
#define VDPA_IOTLB_UADDR_OFF 16u
#define VDPA_IOTLB_PERM_OFF 24u
#define VDPA_IOTLB_TYPE_OFF 25u

/* vhost_msg(_v2).type */
#define VDPA_MSG_TYPE_IOTLB 1u     /* VHOST_IOTLB_MSG */
#define VDPA_MSG_TYPE_IOTLB_V2 2u  /* VHOST_IOTLB_MSG_V2 */

/* vhost_iotlb_msg.type */
enum vdpa_iotlb_type {
	VDPA_IOTLB_MISS = 1,
	VDPA_IOTLB_UPDATE = 2,
	VDPA_IOTLB_INVALIDATE = 3,
	VDPA_IOTLB_ACCESS_FAIL = 4,
	VDPA_IOTLB_BATCH_BEGIN = 5,
	VDPA_IOTLB_BATCH_END = 6,
	VDPA_IOTLB_TYPE_MAX = 6,
};

/* vhost_iotlb_msg.perm */
enum vdpa_access {
	VDPA_ACCESS_RO = 1,
	VDPA_ACCESS_WO = 2,
	VDPA_ACCESS_RW = 3,
};

/* VHOST_BACKEND_F_* bits (VHOST_SET_BACKEND_FEATURES). */
enum vdpa_backend_feature {
	VDPA_BF_IOTLB_MSG_V2 = 1,
	VDPA_BF_IOTLB_BATCH = 2,
	VDPA_BF_IOTLB_ASID = 3,
	VDPA_BF_SUSPEND = 4,
	VDPA_BF_RESUME = 5,
	VDPA_BF_ENABLE_AFTER_DRIVER_OK = 6,
	VDPA_BF_DESC_ASID = 7,
	VDPA_BF_IOTLB_PERSIST = 8,
};

/* Printable name of an IOTLB message type ("UPDATE"), "?" if unknown. */
static inline const char *vdpa_iotlb_type_name(unsigned t)
{
	static const char *const n[] = { "?", "MISS", "UPDATE", "INVALIDATE", "ACCESS_FAIL",
					 "BATCH_BEGIN", "BATCH_END" };
	return t <= VDPA_IOTLB_TYPE_MAX ? n[t] : "?";
}

#endif
