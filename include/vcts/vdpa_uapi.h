/* vhost-vdpa facts from the Linux uAPI (linux/vhost_types.h, linux/vhost.h):
 * the one table of vhost-vdpa numbers. Anything that needs an IOTLB
 * message type, a permission or a backend feature bit takes it from here. */
#ifndef VCTS_VDPA_UAPI_H
#define VCTS_VDPA_UAPI_H

#include <stdbool.h>
#include <stddef.h>
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

/* ---- ioctls (linux/vhost.h, magic 0xAF) ----
 * One row per request: name, direction, number, argument size. The
 * request word is built as the kernel's _IOC() builds it. */
#define VDPA_IOC_MAGIC 0xAFu
#define VDPA_IOC_NONE 0u
#define VDPA_IOC_W 1u   /* _IOW: user -> device */
#define VDPA_IOC_R 2u   /* _IOR: device -> user */
#define VDPA_IOC_RW 3u  /* _IOWR */
#define VDPA_IOC(dir, nr, size) \
	((uint32_t)(((dir) << 30) | ((uint32_t)(size) << 16) | (VDPA_IOC_MAGIC << 8) | (nr)))

/* Argument sizes (struct vhost_vring_state, _file, _addr, vhost_vdpa_config
 * header, vhost_vdpa_iova_range, vhost_memory header). */
#define VDPA_SZ_VRING_STATE 8u
#define VDPA_SZ_VRING_FILE 8u
#define VDPA_SZ_VRING_ADDR 40u
#define VDPA_SZ_CONFIG_HDR 8u
#define VDPA_SZ_IOVA_RANGE 16u
#define VDPA_SZ_MEMORY_HDR 8u

#define VDPA_IOCTLS(X) \
	X(GET_FEATURES,        VDPA_IOC_R,    0x00, 8) \
	X(SET_FEATURES,        VDPA_IOC_W,    0x00, 8) \
	X(SET_OWNER,           VDPA_IOC_NONE, 0x01, 0) \
	X(RESET_OWNER,         VDPA_IOC_NONE, 0x02, 0) \
	X(SET_MEM_TABLE,       VDPA_IOC_W,    0x03, VDPA_SZ_MEMORY_HDR) \
	X(SET_LOG_BASE,        VDPA_IOC_W,    0x04, 8) \
	X(SET_LOG_FD,          VDPA_IOC_W,    0x07, 4) \
	X(SET_VRING_NUM,       VDPA_IOC_W,    0x10, VDPA_SZ_VRING_STATE) \
	X(SET_VRING_ADDR,      VDPA_IOC_W,    0x11, VDPA_SZ_VRING_ADDR) \
	X(SET_VRING_BASE,      VDPA_IOC_W,    0x12, VDPA_SZ_VRING_STATE) \
	X(GET_VRING_BASE,      VDPA_IOC_RW,   0x12, VDPA_SZ_VRING_STATE) \
	X(SET_VRING_KICK,      VDPA_IOC_W,    0x20, VDPA_SZ_VRING_FILE) \
	X(SET_VRING_CALL,      VDPA_IOC_W,    0x21, VDPA_SZ_VRING_FILE) \
	X(SET_VRING_ERR,       VDPA_IOC_W,    0x22, VDPA_SZ_VRING_FILE) \
	X(SET_BACKEND_FEATURES, VDPA_IOC_W,   0x25, 8) \
	X(GET_BACKEND_FEATURES, VDPA_IOC_R,   0x26, 8) \
	X(VDPA_GET_DEVICE_ID,  VDPA_IOC_R,    0x70, 4) \
	X(VDPA_GET_STATUS,     VDPA_IOC_R,    0x71, 1) \
	X(VDPA_SET_STATUS,     VDPA_IOC_W,    0x72, 1) \
	X(VDPA_GET_CONFIG,     VDPA_IOC_R,    0x73, VDPA_SZ_CONFIG_HDR) \
	X(VDPA_SET_CONFIG,     VDPA_IOC_W,    0x74, VDPA_SZ_CONFIG_HDR) \
	X(VDPA_SET_VRING_ENABLE, VDPA_IOC_W,  0x75, VDPA_SZ_VRING_STATE) \
	X(VDPA_GET_VRING_NUM,  VDPA_IOC_R,    0x76, 2) \
	X(VDPA_SET_CONFIG_CALL, VDPA_IOC_W,   0x77, 4) \
	X(VDPA_GET_IOVA_RANGE, VDPA_IOC_R,    0x78, VDPA_SZ_IOVA_RANGE) \
	X(VDPA_GET_CONFIG_SIZE, VDPA_IOC_R,   0x79, 4) \
	X(VDPA_GET_AS_NUM,     VDPA_IOC_R,    0x7A, 4) \
	X(VDPA_GET_VRING_GROUP, VDPA_IOC_RW,  0x7B, VDPA_SZ_VRING_STATE) \
	X(VDPA_SET_GROUP_ASID, VDPA_IOC_W,    0x7C, VDPA_SZ_VRING_STATE) \
	X(VDPA_SUSPEND,        VDPA_IOC_NONE, 0x7D, 0) \
	X(VDPA_RESUME,         VDPA_IOC_NONE, 0x7E, 0) \
	X(VDPA_GET_VRING_DESC_GROUP, VDPA_IOC_RW, 0x7F, VDPA_SZ_VRING_STATE) \
	X(VDPA_GET_VQS_COUNT,  VDPA_IOC_R,    0x80, 4) \
	X(VDPA_GET_GROUP_NUM,  VDPA_IOC_R,    0x81, 4)

/* VDPA_REQ_GET_FEATURES = the request word. */
enum vdpa_request {
#define VDPA_X_ENUM(n, d, nr, sz) VDPA_REQ_##n = VDPA_IOC(d, nr, sz),
	VDPA_IOCTLS(VDPA_X_ENUM)
#undef VDPA_X_ENUM
};

struct vdpa_ioctl_info {
	const char *name;      /* "GET_FEATURES", "VDPA_SET_STATUS" */
	uint32_t request;
	uint8_t dir;           /* VDPA_IOC_* */
	uint16_t size;         /* argument bytes (fixed part) */
	bool has_index;        /* argument starts with a u32 vring index */
};

/* The row for a request word, NULL if it is not a vhost-vdpa ioctl. */
const struct vdpa_ioctl_info *vdpa_ioctl(uint32_t request);
/* By name ("VHOST_VDPA_SET_STATUS" or "VDPA_SET_STATUS"), NULL if unknown. */
const struct vdpa_ioctl_info *vdpa_ioctl_by_name(const char *name, size_t len);
/* "VDPA_SET_STATUS", or "0x...." rendered into buf. */
const char *vdpa_ioctl_name(uint32_t request, char *buf, size_t len);

/* ---- device status (VIRTIO 1.2, 2.1) ---- */
#define VDPA_S_ACKNOWLEDGE 0x01u
#define VDPA_S_DRIVER 0x02u
#define VDPA_S_DRIVER_OK 0x04u
#define VDPA_S_FEATURES_OK 0x08u
#define VDPA_S_NEEDS_RESET 0x40u
#define VDPA_S_FAILED 0x80u

/* ---- feature bits the fake and the rules name ---- */
#define VDPA_F_NET_CSUM 0
#define VDPA_F_NET_MTU 3
#define VDPA_F_NET_MAC 5
#define VDPA_F_NET_MRG_RXBUF 15
#define VDPA_F_NET_STATUS 16
#define VDPA_F_NET_CTRL_VQ 17
#define VDPA_F_NET_MQ 22
#define VDPA_F_RING_INDIRECT_DESC 28
#define VDPA_F_RING_EVENT_IDX 29
#define VDPA_F_VERSION_1 32
#define VDPA_F_ACCESS_PLATFORM 33
#define VDPA_F_RING_PACKED 34
#define VDPA_F_IN_ORDER 35

/* vhost_vring_addr.flags */
#define VDPA_VRING_F_LOG 0u
/* VHOST_FILE_UNBIND */
#define VDPA_FILE_UNBIND (-1)
/* Split-ring alignment (VIRTIO 1.2, 2.7) and the kernel's index limit. */
#define VDPA_DESC_ALIGN 16u
#define VDPA_AVAIL_ALIGN 2u
#define VDPA_USED_ALIGN 4u
#define VDPA_VRING_NUM_MAX 32768u

/* struct virtio_net_config: mac[6] @0, status u16 @6, max_virtqueue_pairs
 * u16 @8, mtu u16 @10, speed u32 @12, duplex u8 @16, rss_max_key_size u8
 * @17, rss_max_indirection_table_length u16 @18, supported_hash_types u32
 * @20: 24 bytes. */
#define VDPA_NETCFG_MAC 0u
#define VDPA_NETCFG_STATUS 6u
#define VDPA_NETCFG_MAX_VQP 8u
#define VDPA_NETCFG_MTU 10u
#define VDPA_NETCFG_SPEED 12u
#define VDPA_NETCFG_DUPLEX 16u
#define VDPA_NETCFG_SIZE 24u
#define VDPA_NET_S_LINK_UP 1u

#define VDPA_VIRTIO_ID_NET 1u
#define VDPA_VIRTIO_ID_BLK 2u
/* Linux's ENOTSUPP (not a userspace errno; what the doorbell mmap returns). */
#define VDPA_ENOTSUPP 524

/* Name of a backend feature bit ("IOTLB_BATCH"), "?" if unknown. */
const char *vdpa_backend_feature_name(unsigned bit);
/* Every bit the kernel accepts in SET_BACKEND_FEATURES. */
#define VDPA_BF_KNOWN_MASK 0x1feull

#endif
