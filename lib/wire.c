/* The vhost-user request table: one row per request, everything the
 * checker, the fakes and the printers need to know about it. */
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define GP(b) { VU_GATE_PROTOCOL, (b) }
#define GF(b) { VU_GATE_FEATURE, (b) }
#define GO(b) { VU_GATE_OFFERED_FEATURE, (b) }
#define GPO(b) { VU_GATE_OFFERED_PROTOCOL, (b) }
#define G0 { VU_GATE_NONE, 0 }

/* Columns: num, name, request payload, reply payload, request fds, reply
 * fds, reply rule, gate, per-device, payload starts with vring index,
 * deprecated. */
static const struct vu_request_info frontend_reqs[VU_REQ_MAX_FRONTEND + 1] = {
#define R(n, nm, rq, rp, rf, pf, rr, g, once, idx, dep) \
	[n] = { n, nm, rq, rp, rf, pf, rr, g, once, idx, dep },
	R(VU_GET_FEATURES, "GET_FEATURES", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, G0, false, false, false)
	R(VU_SET_FEATURES, "SET_FEATURES", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, false, false)
	R(VU_SET_OWNER, "SET_OWNER", VU_PL_NONE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, true, false, false)
	R(VU_RESET_OWNER, "RESET_OWNER", VU_PL_NONE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, true, false, true)
	R(VU_SET_MEM_TABLE, "SET_MEM_TABLE", VU_PL_MEMTABLE, VU_PL_NONE, VU_FDS_PER_REGION, VU_FDS_NONE, VU_REPLY_NEVER, G0, true, false, false)
	R(VU_SET_LOG_BASE, "SET_LOG_BASE", VU_PL_LOG, VU_PL_EMPTY_OR_U64, VU_FDS_LOG, VU_FDS_NONE, VU_REPLY_IF_LOG_SHMFD, GF(VU_F_LOG_ALL), true, false, false)
	R(VU_SET_LOG_FD, "SET_LOG_FD", VU_PL_NONE, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, false, false)
	R(VU_SET_VRING_NUM, "SET_VRING_NUM", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_SET_VRING_ADDR, "SET_VRING_ADDR", VU_PL_ADDR, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_SET_VRING_BASE, "SET_VRING_BASE", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_GET_VRING_BASE, "GET_VRING_BASE", VU_PL_STATE, VU_PL_STATE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, G0, false, true, false)
	R(VU_SET_VRING_KICK, "SET_VRING_KICK", VU_PL_U64, VU_PL_NONE, VU_FDS_VRING, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_SET_VRING_CALL, "SET_VRING_CALL", VU_PL_U64, VU_PL_NONE, VU_FDS_VRING, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_SET_VRING_ERR, "SET_VRING_ERR", VU_PL_U64, VU_PL_NONE, VU_FDS_VRING, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, true, false)
	R(VU_GET_PROTOCOL_FEATURES, "GET_PROTOCOL_FEATURES", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GO(VU_F_PROTOCOL_FEATURES), false, false, false)
	R(VU_SET_PROTOCOL_FEATURES, "SET_PROTOCOL_FEATURES", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GO(VU_F_PROTOCOL_FEATURES), false, false, false)
	R(VU_GET_QUEUE_NUM, "GET_QUEUE_NUM", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GPO(VU_PF_MQ), true, false, false)
	R(VU_SET_VRING_ENABLE, "SET_VRING_ENABLE", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GO(VU_F_PROTOCOL_FEATURES), false, true, false)
	R(VU_SEND_RARP, "SEND_RARP", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GPO(VU_PF_RARP), false, false, false)
	R(VU_NET_SET_MTU, "NET_SET_MTU", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GPO(VU_PF_NET_MTU), true, false, false)
	R(VU_SET_BACKEND_REQ_FD, "SET_BACKEND_REQ_FD", VU_PL_NONE, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, GPO(VU_PF_BACKEND_REQ), true, false, false)
	R(VU_IOTLB_MSG, "IOTLB_MSG", VU_PL_IOTLB, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GF(VU_F_ACCESS_PLATFORM), false, false, false)
	R(VU_SET_VRING_ENDIAN, "SET_VRING_ENDIAN", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CROSS_ENDIAN), false, true, false)
	R(VU_GET_CONFIG, "GET_CONFIG", VU_PL_CONFIG, VU_PL_CONFIG, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_CONFIG), false, false, false)
	R(VU_SET_CONFIG, "SET_CONFIG", VU_PL_CONFIG, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CONFIG), false, false, false)
	R(VU_CREATE_CRYPTO_SESSION, "CREATE_CRYPTO_SESSION", VU_PL_VARIABLE, VU_PL_VARIABLE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_CRYPTO_SESSION), false, false, false)
	R(VU_CLOSE_CRYPTO_SESSION, "CLOSE_CRYPTO_SESSION", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CRYPTO_SESSION), false, false, false)
	R(VU_POSTCOPY_ADVISE, "POSTCOPY_ADVISE", VU_PL_NONE, VU_PL_EMPTY_OR_U64, VU_FDS_NONE, VU_FDS_ONE, VU_REPLY_ALWAYS, GP(VU_PF_PAGEFAULT), false, false, false)
	R(VU_POSTCOPY_LISTEN, "POSTCOPY_LISTEN", VU_PL_NONE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_PAGEFAULT), false, false, false)
	R(VU_POSTCOPY_END, "POSTCOPY_END", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_PAGEFAULT), false, false, false)
	R(VU_GET_INFLIGHT_FD, "GET_INFLIGHT_FD", VU_PL_INFLIGHT, VU_PL_INFLIGHT, VU_FDS_NONE, VU_FDS_ONE, VU_REPLY_ALWAYS, GP(VU_PF_INFLIGHT_SHMFD), false, false, false)
	R(VU_SET_INFLIGHT_FD, "SET_INFLIGHT_FD", VU_PL_INFLIGHT, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_INFLIGHT_SHMFD), false, false, false)
	R(VU_GPU_SET_SOCKET, "GPU_SET_SOCKET", VU_PL_NONE, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, G0, false, false, false)
	R(VU_RESET_DEVICE, "RESET_DEVICE", VU_PL_NONE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GPO(VU_PF_RESET_DEVICE), true, false, false)
	R(VU_VRING_KICK, "VRING_KICK", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_INBAND_NOTIFICATIONS), false, true, false)
	R(VU_GET_MAX_MEM_SLOTS, "GET_MAX_MEM_SLOTS", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_CONFIGURE_MEM_SLOTS), false, false, false)
	R(VU_ADD_MEM_REG, "ADD_MEM_REG", VU_PL_MEMREG, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CONFIGURE_MEM_SLOTS), true, false, false)
	R(VU_REM_MEM_REG, "REM_MEM_REG", VU_PL_MEMREG, VU_PL_NONE, VU_FDS_OPTIONAL, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CONFIGURE_MEM_SLOTS), true, false, false)
	R(VU_SET_STATUS, "SET_STATUS", VU_PL_U64, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_STATUS), false, false, false)
	R(VU_GET_STATUS, "GET_STATUS", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_STATUS), false, false, false)
	R(VU_GET_SHARED_OBJECT, "GET_SHARED_OBJECT", VU_PL_UUID, VU_PL_EMPTY_OR_U64, VU_FDS_NONE, VU_FDS_ONE, VU_REPLY_ALWAYS, GP(VU_PF_SHARED_OBJECT), false, false, false)
	R(VU_SET_DEVICE_STATE_FD, "SET_DEVICE_STATE_FD", VU_PL_DEVSTATE, VU_PL_U64, VU_FDS_ONE, VU_FDS_OPTIONAL, VU_REPLY_ALWAYS, GP(VU_PF_DEVICE_STATE), false, false, false)
	R(VU_CHECK_DEVICE_STATE, "CHECK_DEVICE_STATE", VU_PL_NONE, VU_PL_U64, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_DEVICE_STATE), false, false, false)
	R(VU_GET_SHMEM_CONFIG, "GET_SHMEM_CONFIG", VU_PL_NONE, VU_PL_SHMEM_CFG, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_SHMEM), false, false, false)
	R(VU_GET_VRING_BASE_SKIP_DRAIN, "GET_VRING_BASE_SKIP_DRAIN", VU_PL_STATE, VU_PL_STATE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_ALWAYS, GP(VU_PF_GET_VRING_BASE_SKIP_DRAIN), false, true, false)
};

static const struct vu_request_info backend_reqs[VU_REQ_MAX_BACKEND + 1] = {
	R(VU_BE_IOTLB_MSG, "IOTLB_MSG", VU_PL_IOTLB, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GF(VU_F_ACCESS_PLATFORM), false, false, false)
	R(VU_BE_CONFIG_CHANGE_MSG, "CONFIG_CHANGE_MSG", VU_PL_NONE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_CONFIG), false, false, false)
	R(VU_BE_VRING_HOST_NOTIFIER_MSG, "VRING_HOST_NOTIFIER_MSG", VU_PL_VRING_AREA, VU_PL_NONE, VU_FDS_OPTIONAL, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_HOST_NOTIFIER), false, false, false)
	R(VU_BE_VRING_CALL, "VRING_CALL", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_INBAND_NOTIFICATIONS), false, true, false)
	R(VU_BE_VRING_ERR, "VRING_ERR", VU_PL_STATE, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_INBAND_NOTIFICATIONS), false, true, false)
	R(VU_BE_SHARED_OBJECT_ADD, "SHARED_OBJECT_ADD", VU_PL_UUID, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_SHARED_OBJECT), false, false, false)
	R(VU_BE_SHARED_OBJECT_REMOVE, "SHARED_OBJECT_REMOVE", VU_PL_UUID, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_SHARED_OBJECT), false, false, false)
	R(VU_BE_SHARED_OBJECT_LOOKUP, "SHARED_OBJECT_LOOKUP", VU_PL_UUID, VU_PL_U64, VU_FDS_NONE, VU_FDS_ONE, VU_REPLY_ALWAYS, GP(VU_PF_SHARED_OBJECT), false, false, false)
	R(VU_BE_SHMEM_MAP, "SHMEM_MAP", VU_PL_MMAP, VU_PL_NONE, VU_FDS_ONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_SHMEM), false, false, false)
	R(VU_BE_SHMEM_UNMAP, "SHMEM_UNMAP", VU_PL_MMAP, VU_PL_NONE, VU_FDS_NONE, VU_FDS_NONE, VU_REPLY_NEVER, GP(VU_PF_SHMEM), false, false, false)
#undef R
};

static const struct {
	const char *name;
	int size;   /* the full size, -1 when not fixed */
	int need;   /* bytes up to the last field a decoder reads (without
		     * trailing padding; the fixed header of a variable one) */
} payloads[VU_PL_COUNT] = {
	[VU_PL_NONE] = { "none", 0, 0 },
	[VU_PL_U64] = { "u64", 8, 8 },
	[VU_PL_STATE] = { "vring state", 8, 8 },
	[VU_PL_ADDR] = { "vring address", 40, 40 },
	[VU_PL_MEMTABLE] = { "memory table", -1, VU_MEM_TABLE_HDR },
	[VU_PL_MEMREG] = { "memory region", 40, 8 + VU_MEM_REGION_SIZE },
	[VU_PL_LOG] = { "log", 16, 16 },
	[VU_PL_CONFIG] = { "config", -1, VU_CONFIG_HDR },
	[VU_PL_INFLIGHT] = { "inflight", 24, 20 },  /* u64, u64, u16, u16, 4 bytes padding */
	[VU_PL_IOTLB] = { "iotlb", 32, 26 },        /* u64 x3, u8 perm, u8 type, 6 bytes padding */
	[VU_PL_UUID] = { "uuid", 16, 16 },
	[VU_PL_DEVSTATE] = { "device state transfer", 8, 8 },
	[VU_PL_VRING_AREA] = { "vring area", 24, 24 },
	[VU_PL_MMAP] = { "shmem mmap", 40, 40 },
	[VU_PL_SHMEM_CFG] = { "shmem config", 8 + 8 * VU_SHMEM_MAX_REGIONS, 8 + 8 * VU_SHMEM_MAX_REGIONS },
	[VU_PL_VARIABLE] = { "variable", -1, 0 },
	[VU_PL_EMPTY_OR_U64] = { "empty or u64", -1, 0 },
};

/* The most fds a message may carry under each fd rule. A reply's rule is
 * ONE or OPTIONAL only where vhost-user.rst defines an fd in the reply:
 * POSTCOPY_ADVISE (userfault fd), GET_INFLIGHT_FD (the shared buffer),
 * GET_SHARED_OBJECT (dma-buf fd, none on failure), SET_DEVICE_STATE_FD
 * (the back-end's channel, none with the invalid-FD bit); on the
 * back-end channel SHARED_OBJECT_LOOKUP (dma-buf fd, none on failure). */
static const uint8_t fd_rule_max[VU_FDS_RULE_COUNT] = {
	[VU_FDS_NONE] = 0,
	[VU_FDS_ONE] = 1,
	[VU_FDS_PER_REGION] = VU_MEM_BASELINE_REGIONS,
	[VU_FDS_VRING] = 1,
	[VU_FDS_LOG] = 1,
	[VU_FDS_OPTIONAL] = 1,
};

unsigned vu_reply_fds_max(const struct vu_request_info *ri)
{
	if (!ri || ri->reply_fds >= VU_FDS_RULE_COUNT)
		return 0;
	return fd_rule_max[ri->reply_fds];
}

struct vu_fd_want vu_request_fds(enum vu_channel chan, uint32_t req, const uint8_t *payload,
				 size_t len, enum vu_known log_shmfd)
{
	const struct vu_request_info *ri = vu_request(chan, req);
	struct vu_fd_want w = { 0, 0, VU_FDC_NONE, 0 };
	uint64_t u;
	switch (ri ? ri->req_fds : VU_FDS_NONE) {
	case VU_FDS_ONE:
		w = (struct vu_fd_want){ 1, 1, VU_FDC_ONE, 0 };
		break;
	case VU_FDS_OPTIONAL:
		w = (struct vu_fd_want){ 0, 1, VU_FDC_OPTIONAL, 0 };
		break;
	case VU_FDS_PER_REGION: {
		/* SET_MEM_TABLE: the ancillary data holds an fd for each
		 * region of the table, as many as its count says. */
		uint32_t n, pad;
		if (payload && vu_dec_memtable_hdr(payload, len, &n, &pad))
			w = (struct vu_fd_want){ n, n, VU_FDC_PER_REGION, n };
		else
			w = (struct vu_fd_want){ 0, fd_rule_max[VU_FDS_PER_REGION], VU_FDC_UNDECIDED, 0 };
		break;
	}
	case VU_FDS_VRING:
		/* KICK/CALL/ERR: "Bit 8 is the invalid FD flag. This flag is
		 * set when there is no file descriptor in the ancillary data." */
		if (payload && vu_dec_u64(payload, len, &u))
			w = (u & VU_VRING_NOFD) ? (struct vu_fd_want){ 0, 0, VU_FDC_VRING_NOFD, 0 }
						: (struct vu_fd_want){ 1, 1, VU_FDC_VRING, 0 };
		else
			w = (struct vu_fd_want){ 0, 1, VU_FDC_UNDECIDED, 0 };
		break;
	case VU_FDS_LOG:
		/* SET_LOG_BASE passes the log's fd when LOG_SHMFD is negotiated. */
		if (log_shmfd == VU_KNOWN_YES)
			w = (struct vu_fd_want){ 1, 1, VU_FDC_LOG_SHMFD, 0 };
		else if (log_shmfd == VU_KNOWN_NO)
			w = (struct vu_fd_want){ 0, 0, VU_FDC_LOG_NO_SHMFD, 0 };
		else
			w = (struct vu_fd_want){ 0, 1, VU_FDC_UNDECIDED, 0 };
		break;
	default:
		break;
	}
	return w;
}

static const char *const protocol_feature_names[VU_PF_COUNT] = {
	[VU_PF_MQ] = "MQ",
	[VU_PF_LOG_SHMFD] = "LOG_SHMFD",
	[VU_PF_RARP] = "RARP",
	[VU_PF_REPLY_ACK] = "REPLY_ACK",
	[VU_PF_NET_MTU] = "NET_MTU",
	[VU_PF_BACKEND_REQ] = "BACKEND_REQ",
	[VU_PF_CROSS_ENDIAN] = "CROSS_ENDIAN",
	[VU_PF_CRYPTO_SESSION] = "CRYPTO_SESSION",
	[VU_PF_PAGEFAULT] = "PAGEFAULT",
	[VU_PF_CONFIG] = "CONFIG",
	[VU_PF_BACKEND_SEND_FD] = "BACKEND_SEND_FD",
	[VU_PF_HOST_NOTIFIER] = "HOST_NOTIFIER",
	[VU_PF_INFLIGHT_SHMFD] = "INFLIGHT_SHMFD",
	[VU_PF_RESET_DEVICE] = "RESET_DEVICE",
	[VU_PF_INBAND_NOTIFICATIONS] = "INBAND_NOTIFICATIONS",
	[VU_PF_CONFIGURE_MEM_SLOTS] = "CONFIGURE_MEM_SLOTS",
	[VU_PF_STATUS] = "STATUS",
	[VU_PF_XEN_MMAP] = "XEN_MMAP",
	[VU_PF_SHARED_OBJECT] = "SHARED_OBJECT",
	[VU_PF_DEVICE_STATE] = "DEVICE_STATE",
	[VU_PF_GET_VRING_BASE_INFLIGHT] = "GET_VRING_BASE_INFLIGHT",
	[VU_PF_GPA_ADDRESSES] = "GPA_ADDRESSES",
	[VU_PF_SHMEM] = "SHMEM",
	[VU_PF_GET_VRING_BASE_SKIP_DRAIN] = "GET_VRING_BASE_SKIP_DRAIN",
};

/* Transport and vhost bits; device-specific bits (0-23) are printed by
 * number since their meaning depends on the device type. */
static const struct vu_name feature_names[] = {
	{ 24, "NOTIFY_ON_EMPTY" }, { 26, "LOG_ALL" }, { 27, "ANY_LAYOUT" },
	{ 28, "RING_INDIRECT_DESC" }, { 29, "RING_EVENT_IDX" },
	{ VU_F_PROTOCOL_FEATURES, "PROTOCOL_FEATURES" },
	{ VU_F_VERSION_1, "VERSION_1" }, { VU_F_ACCESS_PLATFORM, "ACCESS_PLATFORM" },
	{ VU_F_RING_PACKED, "RING_PACKED" }, { 35, "IN_ORDER" },
	{ 36, "ORDER_PLATFORM" }, { 37, "SR_IOV" }, { 38, "NOTIFICATION_DATA" },
	{ 39, "NOTIF_CONFIG_DATA" }, { 40, "RING_RESET" },
};

static const struct vu_name status_names[] = {
	{ 0, "ACKNOWLEDGE" }, { 1, "DRIVER" }, { 2, "DRIVER_OK" },
	{ 3, "FEATURES_OK" }, { 6, "NEEDS_RESET" }, { 7, "FAILED" },
};

static const struct vu_request_info *table(enum vu_channel chan, uint32_t *max)
{
	if (chan == VU_CHAN_BACKEND) {
		*max = VU_REQ_MAX_BACKEND;
		return backend_reqs;
	}
	*max = VU_REQ_MAX_FRONTEND;
	return frontend_reqs;
}

const struct vu_request_info *vu_request(enum vu_channel chan, uint32_t req)
{
	uint32_t max;
	const struct vu_request_info *t = table(chan, &max);
	if (req == 0 || req > max || t[req].name == NULL)
		return NULL;
	return &t[req];
}

uint32_t vu_request_max(enum vu_channel chan)
{
	uint32_t max;
	(void)table(chan, &max);
	return max;
}

const char *vu_request_name(enum vu_channel chan, uint32_t req, char *buf, size_t len)
{
	const struct vu_request_info *ri = vu_request(chan, req);
	if (ri)
		return ri->name;
	snprintf(buf, len, "UNKNOWN(%u)", req);
	return buf;
}

uint32_t vu_request_by_name(enum vu_channel chan, const char *name)
{
	uint32_t max;
	const struct vu_request_info *t = table(chan, &max);
	static const char *const prefixes[] = { "VHOST_USER_BACKEND_", "VHOST_USER_SLAVE_",
						"VHOST_USER_", "" };
	for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
		size_t pl = strlen(prefixes[p]);
		if (strncasecmp(name, prefixes[p], pl) != 0)
			continue;
		const char *rest = name + pl;
		for (uint32_t i = 1; i <= max; i++)
			if (t[i].name && strcasecmp(t[i].name, rest) == 0)
				return i;
	}
	/* Old spelling of SET_BACKEND_REQ_FD. */
	if (chan == VU_CHAN_MAIN && strcasestr(name, "SET_SLAVE_REQ_FD"))
		return VU_SET_BACKEND_REQ_FD;
	return 0;
}

int vu_payload_fixed_size(enum vu_payload pl)
{
	if ((unsigned)pl >= VU_PL_COUNT)
		return -1;
	return payloads[pl].size;
}

size_t vu_payload_need(enum vu_payload pl)
{
	if ((unsigned)pl >= VU_PL_COUNT)
		return SIZE_MAX;
	return (size_t)payloads[pl].need;
}

const char *vu_payload_name(enum vu_payload pl)
{
	if ((unsigned)pl >= VU_PL_COUNT)
		return "?";
	return payloads[pl].name;
}

int64_t vu_payload_expected_size(enum vu_payload pl, const uint8_t *p, size_t len)
{
	int fixed = vu_payload_fixed_size(pl);
	if (fixed >= 0)
		return fixed;
	switch (pl) {
	case VU_PL_MEMTABLE:
		if (len < 4)
			return -1;
		return (int64_t)VU_MEM_TABLE_HDR + (int64_t)VU_MEM_REGION_SIZE * vu_rd32(p);
	case VU_PL_CONFIG:
		if (len < 8)
			return -1;
		return VU_CONFIG_HDR + (int64_t)vu_rd32(p + 4);
	default:
		return -1;
	}
}

uint32_t vu_mem_region_size(uint64_t pf)
{
	return (pf & VU_BIT(VU_PF_XEN_MMAP)) ? VU_MEM_REGION_XEN_SIZE : VU_MEM_REGION_SIZE;
}

int64_t vu_payload_expected_size_pf(enum vu_payload pl, const uint8_t *p, size_t len,
				    uint64_t pf)
{
	const int64_t wide = vu_mem_region_size(pf);
	switch (pl) {
	case VU_PL_MEMTABLE:
		if (len < 4)
			return -1;
		return (int64_t)VU_MEM_TABLE_HDR + wide * vu_rd32(p);
	case VU_PL_MEMREG:
		return 8 + wide;
	default:
		return vu_payload_expected_size(pl, p, len);
	}
}

const char *vu_protocol_feature_name(unsigned bit)
{
	return bit < VU_PF_COUNT ? protocol_feature_names[bit] : NULL;
}

const char *vu_feature_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
		if (feature_names[i].bit == bit)
			return feature_names[i].name;
	return NULL;
}

typedef const char *(*name_fn)(unsigned bit);

static const char *status_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (status_names[i].bit == bit)
			return status_names[i].name;
	return NULL;
}

static const char *mask_str(uint64_t mask, name_fn fn, char *buf, size_t len)
{
	size_t off = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (mask == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	for (unsigned b = 0; b < 64; b++) {
		if (!(mask & VU_BIT(b)))
			continue;
		const char *n = fn(b);
		int w = n ? snprintf(buf + off, len - off, "%s%s", off ? "|" : "", n)
			  : snprintf(buf + off, len - off, "%sbit%u", off ? "|" : "", b);
		if (w < 0 || (size_t)w >= len - off) {
			/* Truncated: mark it rather than print a half name. */
			if (len >= 4)
				memcpy(buf + len - 4, "...", 4);
			return buf;
		}
		off += (size_t)w;
	}
	return buf;
}

const char *vu_protocol_features_str(uint64_t mask, char *buf, size_t len)
{
	return mask_str(mask, vu_protocol_feature_name, buf, len);
}

const char *vu_features_str(uint64_t mask, char *buf, size_t len)
{
	return mask_str(mask, vu_feature_name, buf, len);
}

const char *vu_status_str(uint64_t status, char *buf, size_t len)
{
	return mask_str(status, status_name, buf, len);
}

enum vu_known vu_pf_known(bool offered_known, uint64_t offered, bool acked_known, uint64_t acked,
			  unsigned bit)
{
	if (bit >= 64)
		return VU_KNOWN_NO;
	if ((acked_known && !(acked & VU_BIT(bit))) || (offered_known && !(offered & VU_BIT(bit))))
		return VU_KNOWN_NO;
	return offered_known && acked_known ? VU_KNOWN_YES : VU_KNOWN_UNKNOWN;
}

struct vu_owed vu_reply_owed(enum vu_channel chan, uint32_t req, uint32_t flags,
			     enum vu_known log_shmfd, enum vu_known reply_ack)
{
	struct vu_owed o = { VU_KNOWN_NO, VU_KNOWN_NO };
	const struct vu_request_info *ri = vu_request(chan, req);
	if (ri && ri->reply == VU_REPLY_ALWAYS)
		o.value = VU_KNOWN_YES;
	else if (ri && ri->reply == VU_REPLY_IF_LOG_SHMFD)
		o.value = (uint8_t)log_shmfd;
	/* NEED_REPLY asks for an ack only where no reply of its own is sure
	 * to come, and only with REPLY_ACK (the same on the back-end channel,
	 * where the front-end acks). */
	if (ri && (flags & VU_FLAG_NEED_REPLY) && o.value != VU_KNOWN_YES)
		o.ack = reply_ack == VU_KNOWN_NO ? VU_KNOWN_NO : VU_KNOWN_UNKNOWN;
	if (o.ack == VU_KNOWN_UNKNOWN && reply_ack == VU_KNOWN_YES && o.value == VU_KNOWN_NO)
		o.ack = VU_KNOWN_YES;
	return o;
}
