/* vhost-user wire model: every protocol fact the suite uses lives in the
 * tables behind this header (lib/wire.c). No other file spells a request
 * number, payload size, fd count or feature bit as a literal. */
#ifndef VCTS_WIRE_H
#define VCTS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header: u32 request, u32 flags, u32 size, native-endian. */
#define VU_HDR_SIZE 12u
#define VU_FLAG_VERSION_MASK 0x3u
#define VU_VERSION 0x1u
#define VU_FLAG_REPLY 0x4u
#define VU_FLAG_NEED_REPLY 0x8u
#define VU_FLAG_KNOWN_MASK 0xfu
/* The cap every implementation enforces (spec has none): VU-HDR-07. */
#define VU_SANE_MAX_PAYLOAD 4096u
/* Hard limit of what the parsers buffer for one message. */
#define VU_PARSER_MAX_PAYLOAD (1u << 20)

/* Vring "file" payload (SET_VRING_KICK/CALL/ERR). */
#define VU_VRING_IDX_MASK ((uint64_t)0xff)
#define VU_VRING_NOFD ((uint64_t)0x100)

/* SET_VRING_ADDR flags */
#define VU_VRING_F_LOG 0x1u

/* Memory table */
#define VU_MEM_BASELINE_REGIONS 8u
#define VU_MEM_REGION_SIZE 32u
/* With protocol feature XEN_MMAP a region has two more u32 fields (xen
 * mmap flags, domid): vhost-user.rst, "Memory region description". */
#define VU_MEM_REGION_XEN_SIZE 40u
#define VU_MEM_TABLE_HDR 8u
#define VU_CONFIG_HDR 12u     /* u32 offset, u32 size, u32 flags, then the bytes */
/* IOTLB message types and permissions ("An IOTLB message"). */
#define VU_IOTLB_MISS 1u
#define VU_IOTLB_UPDATE 2u
#define VU_IOTLB_INVALIDATE 3u
#define VU_IOTLB_ACCESS_FAIL 4u
#define VU_IOTLB_PERM_MAX 3u   /* 0 none, 1 read, 2 write, 3 read/write */
/* Config space flags ("Virtio device config space"). */
#define VU_CONFIG_F_WRITABLE 0u
#define VU_CONFIG_F_MIGRATION 1u
/* Device state transfer parameters. */
#define VU_DEVSTATE_SAVE 0u
#define VU_DEVSTATE_LOAD 1u
#define VU_DEVSTATE_PHASE_STOPPED 0u
/* SET_VRING_ENDIAN num. */
#define VU_ENDIAN_LITTLE 0u
#define VU_ENDIAN_BIG 1u
/* A split ring's base: bits 16-31 reserved (set to zero). */
#define VU_SPLIT_BASE_MASK 0xffffu
/* Dirty log: one bit per 4 KiB page. */
#define VU_LOG_PAGE ((uint64_t)4096)
#define VU_SPLIT_RING_MAX 32768u
/* Inflight I/O tracking, the split queue region the text says a back-end
 * "can" use (QueueRegionSplit): u64 features, u16 version (1; 0 = not
 * initialised), u16 desc_num, u16 last_batch_head, u16 used_idx, then
 * DescStateSplit[desc_num] of u8 inflight, 5 bytes padding, u16 next,
 * u64 counter. Where queue regions after the first start is not said. */
#define VU_INFLIGHT_SPLIT_VERSION_OFF 8u
#define VU_INFLIGHT_SPLIT_DESC_NUM_OFF 10u
#define VU_INFLIGHT_SPLIT_LAST_BATCH_OFF 12u
#define VU_INFLIGHT_SPLIT_USED_IDX_OFF 14u
#define VU_INFLIGHT_SPLIT_HDR 16u
#define VU_INFLIGHT_SPLIT_DESC 16u
#define VU_INFLIGHT_DESC_NEXT_OFF 6u
#define VU_INFLIGHT_DESC_COUNTER_OFF 8u
/* GET_SHMEM_CONFIG reply: u32 nregions, u32 padding, u64 sizes[256]. */
#define VU_SHMEM_MAX_REGIONS 256u
/* SET_CONFIG flags: writable fields, or a live migration's restore. */
#define VU_CONFIG_FLAG_WRITABLE 0u
#define VU_CONFIG_FLAG_MIGRATION 1u
/* virtio-blk config space (VIRTIO 1.2, 5.2.4): capacity, u64 at 0, is
 * read-only to the driver (only writeback, with CONFIG_WCE, is not). */
#define VIRTIO_BLK_CFG_CAPACITY_OFF 0u
/* VIRTIO_CONFIG_S_* status bits, also used by vhost-vdpa. */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x1u
#define VIRTIO_STATUS_DRIVER 0x2u
#define VIRTIO_STATUS_DRIVER_OK 0x4u
#define VIRTIO_STATUS_FEATURES_OK 0x8u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* Channels: the main socket (front-end sends requests) and the back-end
 * request channel passed by SET_BACKEND_REQ_FD (back-end sends requests). */
enum vu_channel { VU_CHAN_MAIN = 0, VU_CHAN_BACKEND = 1 };

/* Front-end request numbers (vhost-user.rst "Front-end message types"). */
enum vu_request {
	VU_REQ_NONE = 0,
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SEND_RARP = 19,
	VU_NET_SET_MTU = 20,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_IOTLB_MSG = 22,
	VU_SET_VRING_ENDIAN = 23,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_CREATE_CRYPTO_SESSION = 26,
	VU_CLOSE_CRYPTO_SESSION = 27,
	VU_POSTCOPY_ADVISE = 28,
	VU_POSTCOPY_LISTEN = 29,
	VU_POSTCOPY_END = 30,
	VU_GET_INFLIGHT_FD = 31,
	VU_SET_INFLIGHT_FD = 32,
	VU_GPU_SET_SOCKET = 33,
	VU_RESET_DEVICE = 34,
	VU_VRING_KICK = 35,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
	VU_GET_SHARED_OBJECT = 41,
	VU_SET_DEVICE_STATE_FD = 42,
	VU_CHECK_DEVICE_STATE = 43,
	VU_GET_SHMEM_CONFIG = 44,
	VU_GET_VRING_BASE_SKIP_DRAIN = 45,
	VU_REQ_MAX_FRONTEND = 45,
};

/* Back-end request numbers (sent on the back-end channel). */
enum vu_backend_request {
	VU_BE_IOTLB_MSG = 1,
	VU_BE_CONFIG_CHANGE_MSG = 2,
	VU_BE_VRING_HOST_NOTIFIER_MSG = 3,
	VU_BE_VRING_CALL = 4,
	VU_BE_VRING_ERR = 5,
	VU_BE_SHARED_OBJECT_ADD = 6,
	VU_BE_SHARED_OBJECT_REMOVE = 7,
	VU_BE_SHARED_OBJECT_LOOKUP = 8,
	VU_BE_SHMEM_MAP = 9,
	VU_BE_SHMEM_UNMAP = 10,
	VU_REQ_MAX_BACKEND = 10,
};

/* Protocol feature bits (GET/SET_PROTOCOL_FEATURES). */
enum vu_protocol_feature {
	VU_PF_MQ = 0,
	VU_PF_LOG_SHMFD = 1,
	VU_PF_RARP = 2,
	VU_PF_REPLY_ACK = 3,
	VU_PF_NET_MTU = 4,
	VU_PF_BACKEND_REQ = 5,
	VU_PF_CROSS_ENDIAN = 6,
	VU_PF_CRYPTO_SESSION = 7,
	VU_PF_PAGEFAULT = 8,
	VU_PF_CONFIG = 9,
	VU_PF_BACKEND_SEND_FD = 10,
	VU_PF_HOST_NOTIFIER = 11,
	VU_PF_INFLIGHT_SHMFD = 12,
	VU_PF_RESET_DEVICE = 13,
	VU_PF_INBAND_NOTIFICATIONS = 14,
	VU_PF_CONFIGURE_MEM_SLOTS = 15,
	VU_PF_STATUS = 16,
	VU_PF_XEN_MMAP = 17,
	VU_PF_SHARED_OBJECT = 18,
	VU_PF_DEVICE_STATE = 19,
	VU_PF_GET_VRING_BASE_INFLIGHT = 20,
	VU_PF_GPA_ADDRESSES = 21,
	VU_PF_SHMEM = 22,
	VU_PF_GET_VRING_BASE_SKIP_DRAIN = 23,
	VU_PF_COUNT = 24,
};

/* Virtio / vhost feature bits the rules look at. */
enum vu_feature {
	VU_F_NET_MTU = 3,
	VU_F_NET_MQ = 22,
	VU_F_LOG_ALL = 26,             /* VHOST_F_LOG_ALL */
	VU_F_PROTOCOL_FEATURES = 30,   /* VHOST_USER_F_PROTOCOL_FEATURES */
	VU_F_VERSION_1 = 32,
	VU_F_ACCESS_PLATFORM = 33,     /* a.k.a. IOMMU_PLATFORM */
	VU_F_RING_PACKED = 34,
};

/* How a payload is laid out; the size rule is derived from it. */
enum vu_payload {
	VU_PL_NONE,      /* 0 bytes */
	VU_PL_U64,       /* 8 */
	VU_PL_STATE,     /* 8: u32 index, u32 num */
	VU_PL_ADDR,      /* 40: struct vhost_vring_addr */
	VU_PL_MEMTABLE,  /* 8 + 32 * nregions (40 * nregions with XEN_MMAP) */
	VU_PL_MEMREG,    /* 40: u64 padding + one region (48 with XEN_MMAP) */
	VU_PL_LOG,       /* 16: mmap_size, mmap_offset */
	VU_PL_CONFIG,    /* 12 + len: u32 offset, u32 size, u32 flags, bytes */
	VU_PL_INFLIGHT,  /* 24 */
	VU_PL_IOTLB,     /* 32: struct vhost_iotlb_msg, padded */
	VU_PL_UUID,      /* 16 */
	VU_PL_DEVSTATE,  /* 8: u32 direction, u32 phase */
	VU_PL_VRING_AREA,/* 24: u64 index/flags, u64 size, u64 offset */
	VU_PL_MMAP,      /* 40: shmem map request */
	VU_PL_SHMEM_CFG, /* 2056: u32 nregions, u32 pad, u64 sizes[256] */
	VU_PL_VARIABLE,  /* not fixed by the spec (crypto sessions) */
	VU_PL_EMPTY_OR_U64, /* 0 or 8: a reply the text gives no payload (an fd,
			     * or nothing) that implementations send as a u64 */
	VU_PL_COUNT,
};

/* How many fds a message carries. */
enum vu_fd_rule {
	VU_FDS_NONE,        /* exactly 0 */
	VU_FDS_ONE,         /* exactly 1 */
	VU_FDS_PER_REGION,  /* one per memory region (SET_MEM_TABLE) */
	VU_FDS_VRING,       /* 1 unless the NOFD bit is set (KICK/CALL/ERR) */
	VU_FDS_LOG,         /* 1 when LOG_SHMFD is negotiated (SET_LOG_BASE) */
	VU_FDS_OPTIONAL,    /* 0 or 1 */
	VU_FDS_RULE_COUNT,
};

/* When a reply must follow (besides REPLY_ACK). */
enum vu_reply_rule {
	VU_REPLY_NEVER,     /* only a REPLY_ACK ack, if NEED_REPLY was set */
	VU_REPLY_ALWAYS,    /* always exactly one reply */
	VU_REPLY_IF_LOG_SHMFD, /* SET_LOG_BASE: reply when LOG_SHMFD negotiated */
};

/* The gate a request needs before it may be sent: a protocol feature
 * negotiated, or only offered by GET_PROTOCOL_FEATURES where the text says
 * "present in VHOST_USER_GET_PROTOCOL_FEATURES" / "set by the back-end"
 * (GET_QUEUE_NUM, SEND_RARP, NET_SET_MTU, SET_BACKEND_REQ_FD,
 * RESET_DEVICE); a feature acked, or only offered. */
enum vu_gate_kind {
	VU_GATE_NONE,
	VU_GATE_PROTOCOL,
	VU_GATE_FEATURE,
	VU_GATE_OFFERED_FEATURE,
	VU_GATE_OFFERED_PROTOCOL,
};

struct vu_gate {
	uint8_t kind;  /* enum vu_gate_kind */
	uint8_t bit;
};

struct vu_request_info {
	uint32_t num;
	const char *name;          /* without the VHOST_USER_ prefix */
	uint8_t req_payload;       /* enum vu_payload */
	uint8_t reply_payload;     /* enum vu_payload */
	uint8_t req_fds;           /* enum vu_fd_rule */
	uint8_t reply_fds;         /* enum vu_fd_rule */
	uint8_t reply;             /* enum vu_reply_rule */
	struct vu_gate gate;
	bool per_device;           /* "one-time" request: sent once per device */
	bool payload_has_index;    /* first u32 of payload is a vring index */
	bool deprecated;
};

struct vu_name {
	unsigned bit;
	const char *name;
};

/* Lookups. Return NULL for an unknown request number on that channel. */
const struct vu_request_info *vu_request(enum vu_channel chan, uint32_t req);
/* Name for printing; "UNKNOWN(n)" style via buf for unknown numbers. */
const char *vu_request_name(enum vu_channel chan, uint32_t req, char *buf, size_t len);
/* Request number by name (with or without VHOST_USER_ / BACKEND_ prefix);
 * 0 if unknown. */
uint32_t vu_request_by_name(enum vu_channel chan, const char *name);
uint32_t vu_request_max(enum vu_channel chan);

/* The most fds a reply to this request may carry (the request's
 * reply_fds column: 1 for the replies defined to pass one, else 0).
 * Receivers keep that many and close the rest. */
unsigned vu_reply_fds_max(const struct vu_request_info *ri);

/* What the input says of a fact: no, yes, or nothing (a header-only log,
 * a capture that starts after the negotiation). */
enum vu_known { VU_KNOWN_NO = 0, VU_KNOWN_YES, VU_KNOWN_UNKNOWN };

/* Which case of its fd rule a request is in, once its payload and
 * LOG_SHMFD are read: each a sentence of vhost-user.rst (the judge names
 * the rule and words the finding by it). */
enum vu_fd_case {
	VU_FDC_NONE,          /* takes no fd */
	VU_FDC_ONE,           /* exactly one */
	VU_FDC_OPTIONAL,      /* 0 or 1 (REM_MEM_REG; HOST_NOTIFIER on the back-end channel) */
	VU_FDC_PER_REGION,    /* SET_MEM_TABLE: one per region of the payload's count */
	VU_FDC_VRING,         /* KICK/CALL/ERR without the invalid-FD bit: one */
	VU_FDC_VRING_NOFD,    /* with it: none */
	VU_FDC_LOG_SHMFD,     /* SET_LOG_BASE, LOG_SHMFD negotiated: one */
	VU_FDC_LOG_NO_SHMFD,  /* SET_LOG_BASE without it: none */
	VU_FDC_UNDECIDED,     /* the payload is too short to tell, or LOG_SHMFD unknown */
};

/* The fds a request may carry: lo..hi, the case that says so, and for
 * SET_MEM_TABLE the region count read. An unknown request takes none;
 * UNDECIDED gives the bounds that hold whatever is unread (0..1, or
 * 0..VU_MEM_BASELINE_REGIONS for a memory table without its count). The
 * one reading of the fd rule for the judge, the fake back-end and the
 * fuzzers. */
struct vu_fd_want {
	uint32_t lo, hi;
	uint8_t fcase;     /* enum vu_fd_case */
	uint32_t regions;  /* PER_REGION: the payload's region count */
};
struct vu_fd_want vu_request_fds(enum vu_channel chan, uint32_t req, const uint8_t *payload,
				 size_t len, enum vu_known log_shmfd);

/* Whether protocol feature bit is negotiated: the back-end offered it
 * (its GET_PROTOCOL_FEATURES answer) and the front-end acked it
 * (SET_PROTOCOL_FEATURES); vhost-user.rst, "Protocol features". Either
 * side may be unknown (a capture that starts late): no as soon as a known
 * side lacks the bit, yes when both are known and have it. The one
 * reading for the judge, the fake back-end and the fuzz-backend engine. */
enum vu_known vu_pf_known(bool offered_known, uint64_t offered, bool acked_known, uint64_t acked,
			  unsigned bit);

/* What a request is owed (vhost-user.rst, Communication: "Here is a list
 * of the ones that do" need replies; REPLY_ACK): a reply of its own, and
 * a REPLY_ACK ack, each yes, no, or unknown when it depends on a protocol
 * feature the input does not show (log_shmfd, reply_ack: whether
 * LOG_SHMFD and REPLY_ACK were negotiated). A NEED_REPLY request with a
 * reply of its own gets no extra ack. The one reading of "reply owed" for
 * the judge and the fake back-end (which passes what it knows). */
struct vu_owed {
	uint8_t value;   /* enum vu_known */
	uint8_t ack;     /* enum vu_known */
};
struct vu_owed vu_reply_owed(enum vu_channel chan, uint32_t req, uint32_t flags,
			     enum vu_known log_shmfd, enum vu_known reply_ack);

/* Fixed payload size of a layout, or -1 for VARIABLE/MEMTABLE/CONFIG. */
int vu_payload_fixed_size(enum vu_payload pl);
/* Bytes a decoder of the layout needs: its fields without trailing
 * padding (IOTLB, inflight), the fixed header of a variable layout. */
size_t vu_payload_need(enum vu_payload pl);
const char *vu_payload_name(enum vu_payload pl);
/* Expected size for a concrete payload (MEMTABLE reads nregions, CONFIG
 * reads its size field): returns -1 when it cannot be decided from the
 * bytes given. */
int64_t vu_payload_expected_size(enum vu_payload pl, const uint8_t *p, size_t len);
/* The same under negotiated protocol features pf: XEN_MMAP widens every
 * memory region (SET_MEM_TABLE, ADD/REM_MEM_REG). */
int64_t vu_payload_expected_size_pf(enum vu_payload pl, const uint8_t *p, size_t len,
				    uint64_t pf);
/* Bytes of one memory region under negotiated protocol features pf. */
uint32_t vu_mem_region_size(uint64_t pf);

const char *vu_protocol_feature_name(unsigned bit);
const char *vu_feature_name(unsigned bit);
/* Render a feature mask as "NAME|NAME|bit45" into buf. */
const char *vu_protocol_features_str(uint64_t mask, char *buf, size_t len);
const char *vu_features_str(uint64_t mask, char *buf, size_t len);
const char *vu_status_str(uint64_t status, char *buf, size_t len);

/* Little helpers to read native-endian fields without alignment traps. */
static inline uint32_t vu_rd32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof v);
	return v;
}
static inline uint64_t vu_rd64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof v);
	return v;
}
static inline void vu_wr32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, sizeof v); }
static inline void vu_wr64(uint8_t *p, uint64_t v) { __builtin_memcpy(p, &v, sizeof v); }

#define VU_BIT(b) ((uint64_t)1 << (b))

#endif
