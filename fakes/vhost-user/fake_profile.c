/* Profiles (what the fake offers) and fault specs (what it breaks). */
#include "fakes/vhost-user/fake.h"
#include "vcts/wire.h"
#include "lib/parse_num.h"
#include "vcts/vring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Device feature bits (VIRTIO 1.2, 5.1.3 and 5.2.3). They are virtio
 * facts, not vhost-user ones, so they live with the device model. */
enum {
	NET_F_MTU = VU_F_NET_MTU,
	NET_F_MAC = 5,
	NET_F_MRG_RXBUF = 15,
	NET_F_STATUS = 16,
	NET_F_CTRL_VQ = 17,
	NET_F_GUEST_ANNOUNCE = 21,
	NET_F_MQ = VU_F_NET_MQ,
	BLK_F_SIZE_MAX = 1,
	BLK_F_SEG_MAX = 2,
	BLK_F_BLK_SIZE = 6,
	BLK_F_FLUSH = 9,
	BLK_F_MQ = 12,
};

static const struct vu_name device_feature_names[] = {
	{ NET_F_MTU, "NET_MTU" }, { NET_F_MAC, "NET_MAC" }, { NET_F_MRG_RXBUF, "NET_MRG_RXBUF" },
	{ NET_F_STATUS, "NET_STATUS" }, { NET_F_CTRL_VQ, "NET_CTRL_VQ" },
	{ NET_F_GUEST_ANNOUNCE, "NET_GUEST_ANNOUNCE" }, { NET_F_MQ, "NET_MQ" },
	{ BLK_F_SIZE_MAX, "BLK_SIZE_MAX" }, { BLK_F_SEG_MAX, "BLK_SEG_MAX" },
	{ BLK_F_BLK_SIZE, "BLK_BLK_SIZE" }, { BLK_F_FLUSH, "BLK_FLUSH" }, { BLK_F_MQ, "BLK_MQ" },
};

/* virtio_blk_config layout (VIRTIO 1.2, 5.2.4): the fields the fake fills. */
enum {
	BLKCFG_CAPACITY = 0,   /* le64, 512-byte sectors */
	BLKCFG_SEG_MAX = 12,   /* le32 */
	BLKCFG_BLK_SIZE = 20,  /* le32 */
	BLKCFG_NUM_QUEUES = 34,/* le16 */
	BLKCFG_LEN = 60,       /* up to write_zeroes_may_unmap + padding */
};
#define BLK_SEG_MAX 126u
#define DEFAULT_DISK (64ull << 20)
#define DEFAULT_SLOTS 32u

void vfu_profile_refresh(struct vfu_profile *p)
{
	memset(p->config, 0, sizeof p->config);
	p->config_len = 0;
	if (p->device == VFU_DEV_BLK) {
		uint16_t nq = (uint16_t)p->queues;
		vu_wr64(p->config + BLKCFG_CAPACITY, p->disk_bytes / VC_BLK_SECTOR);
		vu_wr32(p->config + BLKCFG_SEG_MAX, BLK_SEG_MAX);
		vu_wr32(p->config + BLKCFG_BLK_SIZE, VC_BLK_SECTOR);
		memcpy(p->config + BLKCFG_NUM_QUEUES, &nq, sizeof nq);
		p->config_len = BLKCFG_LEN;
	}
}

int vfu_profile_init(struct vfu_profile *p, const char *name, uint32_t queues)
{
	memset(p, 0, sizeof *p);
	if (queues == 0)
		queues = 1;
	if (queues > VFU_MAX_QUEUES)
		return -1;
	p->queues = queues;
	p->max_mem_slots = DEFAULT_SLOTS;
	p->disk_bytes = DEFAULT_DISK;
	const uint64_t base = VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES);
	const uint64_t pf_common = VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) |
				   VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_STATUS);
	if (!strcmp(name, "net")) {
		p->device = VFU_DEV_NET;
		p->name = "net";
		p->rings = 2 * queues; /* one RX and one TX ring per pair */
		p->features = base | VU_BIT(VU_F_LOG_ALL) | VU_BIT(NET_F_STATUS) |
			      (queues > 1 ? VU_BIT(NET_F_MQ) : 0);
		p->protocol_features = pf_common | VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_RARP) |
				       VU_BIT(VU_PF_NET_MTU);
	} else if (!strcmp(name, "blk")) {
		p->device = VFU_DEV_BLK;
		p->name = "blk";
		p->rings = queues;
		p->features = base | VU_BIT(BLK_F_SEG_MAX) | VU_BIT(BLK_F_BLK_SIZE) |
			      VU_BIT(BLK_F_FLUSH) | (queues > 1 ? VU_BIT(BLK_F_MQ) : 0);
		p->protocol_features = pf_common | VU_BIT(VU_PF_CONFIG) |
				       VU_BIT(VU_PF_INFLIGHT_SHMFD) |
				       VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
				       VU_BIT(VU_PF_RESET_DEVICE);
	} else if (!strcmp(name, "generic")) {
		p->device = VFU_DEV_GENERIC;
		p->name = "generic";
		p->rings = queues;
		p->features = base | VU_BIT(VU_F_LOG_ALL);
		p->protocol_features = pf_common | VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_CONFIG) |
				       VU_BIT(VU_PF_RESET_DEVICE) |
				       VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
				       VU_BIT(VU_PF_INFLIGHT_SHMFD);
	} else {
		return -1;
	}
	vfu_profile_refresh(p);
	return 0;
}

static int bit_by_name(const char *w, bool proto)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(w, &end, 0);
	if (end != w && !*end && !errno)
		return v < 64 ? (int)v : -1;
	for (unsigned b = 0; b < 64; b++) {
		const char *n = proto ? vu_protocol_feature_name(b) : vu_feature_name(b);
		if (n && !strcasecmp(n, w))
			return (int)b;
	}
	if (!proto)
		for (size_t i = 0; i < sizeof device_feature_names / sizeof device_feature_names[0]; i++)
			if (!strcasecmp(device_feature_names[i].name, w))
				return (int)device_feature_names[i].bit;
	return -1;
}

int vfu_features_override(uint64_t *mask, const char *spec, bool proto, char *err, size_t errlen)
{
	if (!strncasecmp(spec, "0x", 2)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(spec, &end, 16);
		if (*end || errno) {
			snprintf(err, errlen, "bad feature mask '%s'", spec);
			return -1;
		}
		*mask = v;
		return 0;
	}
	char buf[512];
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errlen, "feature list too long");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", spec);
	uint64_t m = *mask;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool minus = *tok == '-';
		if (*tok == '-' || *tok == '+')
			tok++;
		int b = bit_by_name(tok, proto);
		if (b < 0) {
			snprintf(err, errlen, "unknown %sfeature '%s'", proto ? "protocol " : "", tok);
			return -1;
		}
		if (minus)
			m &= ~VU_BIT(b);
		else
			m |= VU_BIT(b);
	}
	*mask = m;
	return 0;
}

static const char *const fault_names[VFU_FAULT_KIND_COUNT] = {
	[VFU_FAULT_NONE] = "none",
	[VFU_FAULT_DISCONNECT] = "disconnect",
	[VFU_FAULT_DROP_FEATURES] = "drop-feature",
	[VFU_FAULT_DELAY_REPLY] = "delay-reply",
	[VFU_FAULT_REPLY_FLAGS] = "reply-flags",
	[VFU_FAULT_REPLY_SIZE] = "reply-size",
	[VFU_FAULT_REPLY_REQUEST] = "reply-request",
	[VFU_FAULT_CLOSE_BACKEND] = "close-backend-channel",
	[VFU_FAULT_BACKEND_REQ] = "backend-req",
	[VFU_FAULT_LAX] = "lax",
	[VFU_FAULT_CRASH] = "crash",
	[VFU_FAULT_HANG] = "hang",
	[VFU_FAULT_LEAK_FDS] = "leak-fds",
	[VFU_FAULT_REPLY_FDS] = "reply-fds",
	[VFU_FAULT_PACKED_USED_ZERO] = "packed-used-zero",
	[VFU_FAULT_VRING_BASE_ZERO] = "vring-base-zero",
	[VFU_FAULT_VRING_BASE_OTHER] = "vring-base-other-ring",
	[VFU_FAULT_STOPPED_RUNS] = "stopped-ring-runs",
	[VFU_FAULT_LOG_SKIP_USED] = "log-skip-used",
	[VFU_FAULT_START_ON_KICK] = "start-on-kick",
	[VFU_FAULT_IGNORE_SIGTERM] = "ignore-sigterm",
	[VFU_FAULT_VRING_BASE_HIGH] = "vring-base-high",
	[VFU_FAULT_BACKEND_BAD] = "backend-bad",
	[VFU_FAULT_POSTCOPY_NO_UFD] = "postcopy-no-ufd",
	[VFU_FAULT_SHMEM_COUNT] = "shmem-count",
	[VFU_FAULT_INFLIGHT_NO_FD] = "inflight-no-fd",
	[VFU_FAULT_SUSPENDED_MSG] = "suspended-msg",
	[VFU_FAULT_NO_AUTO_ENABLE] = "no-auto-enable",
	[VFU_FAULT_DISABLED_IDLE] = "disabled-ring-idle",
	[VFU_FAULT_ENABLE_LOST] = "enable-lost-while-stopped",
	[VFU_FAULT_LOG_SKIP_DATA] = "log-skip-data",
	[VFU_FAULT_RESET_OWNER_RESETS] = "reset-owner-resets",
	[VFU_FAULT_DAEMONIZE] = "daemonize",
	[VFU_FAULT_BAD_CAPS] = "bad-capabilities",
	[VFU_FAULT_INFLIGHT_KEPT] = "inflight-kept",
	[VFU_FAULT_CONFIG_WRITABLE] = "config-writable",
	[VFU_FAULT_INBAND_ACCEPTED] = "inband-accepted",
	[VFU_FAULT_POSTCOPY_END_FAILS] = "postcopy-end-fails",
	[VFU_FAULT_STATE_ERROR_WITH_FD] = "state-error-with-fd",
	[VFU_FAULT_STATE_CHECK_OK] = "state-check-ok",
};

/* Refusal classes: the name lax= takes (the driver's negative scenario
 * without "neg-" where there is one), the rules it enforces, and whether
 * the engine's verdict on those rules decides it (judged) or the fake
 * reads it from the wire table itself (the rules then only name it). */
static const struct {
	const char *name, *rule;
	bool judged;
} refusals[VFU_RF_COUNT] = {
	[VFU_RF_VERSION] = { "version", "VU-HDR-01", true },
	[VFU_RF_REPLY_BIT] = { "reply-bit", "VU-HDR-02", true },
	[VFU_RF_UNKNOWN_REQUEST] = { "unknown-request", "VU-HDR-05", false },
	[VFU_RF_SHORT_EOF] = { "short-eof", "VU-HDR-06", false },
	[VFU_RF_OVERSIZE] = { "oversize", "", false },
	[VFU_RF_EXTRA_FDS] = { "extra-fds", "", false },
	[VFU_RF_MISSING_FD] = { "missing-fd", "", false },
	[VFU_RF_REGION_COUNT] = { "region-count", "VU-MEM-01", true },
	[VFU_RF_REGION_BOUNDS] = { "region-bounds", "VU-MEM-02,VU-MEM-04", true },
	[VFU_RF_OVERLAP] = { "overlap", "VU-MEM-03", true },
	[VFU_RF_RING_INDEX] = { "ring-index", "VU-RING-01", true },
	[VFU_RF_RING_NUM] = { "ring-num", "VU-RING-02", true },
	[VFU_RF_STARTED_RING] = { "started-ring", "VU-RING-03", true },
	[VFU_RF_RING_ADDR] = { "ring-addr", "VU-RING-04", true },
	[VFU_RF_LOG_SIZE] = { "log-size", "VU-LOG-01", true },
	[VFU_RF_UNGATED] = { "ungated", "VU-NEG-05,VU-NEG-10", true },
};

/* Other spellings: the driver's scenario names, and groups. */
static const struct {
	const char *name;
	uint32_t mask;
} refusal_aliases[] = {
	{ "request-0", VFU_RF_BIT(VFU_RF_UNKNOWN_REQUEST) },
	{ "memtable-no-fd", VFU_RF_BIT(VFU_RF_MISSING_FD) },
	{ "kick-no-fd", VFU_RF_BIT(VFU_RF_MISSING_FD) },
	{ "region-past-fd", VFU_RF_BIT(VFU_RF_REGION_BOUNDS) },
	{ "nine-regions", VFU_RF_BIT(VFU_RF_REGION_COUNT) },
	{ "num-started", VFU_RF_BIT(VFU_RF_STARTED_RING) },
	{ "log-overflow", VFU_RF_BIT(VFU_RF_LOG_SIZE) },
	{ "regions", VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
			     VFU_RF_BIT(VFU_RF_OVERLAP) },
	{ "all", VFU_RF_ALL },
};

const char *vfu_refusal_name(unsigned k)
{
	return k < VFU_RF_COUNT ? refusals[k].name : NULL;
}

const char *vfu_refusal_rule(unsigned k)
{
	return k < VFU_RF_COUNT ? refusals[k].rule : "";
}

void vfu_refusal_judged_by(unsigned k, struct vc_rule_set *out)
{
	memset(out, 0, sizeof *out);
	if (k >= VFU_RF_COUNT || !refusals[k].judged)
		return;
	char buf[64];
	snprintf(buf, sizeof buf, "%s", refusals[k].rule);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct vc_rule *r = vc_rule_by_id(t);
		if (r)
			vc_rule_set_add(out, r->num);
	}
}

/* "ring-num,ring-addr" -> mask; -1 on an unknown word. */
static int parse_lax(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	*mask = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strncmp(t, "neg-", 4))
			t += 4;
		uint32_t m = 0;
		for (unsigned k = 0; k < VFU_RF_COUNT && !m; k++)
			if (!strcmp(t, refusals[k].name))
				m = VFU_RF_BIT(k);
		for (size_t i = 0; i < sizeof refusal_aliases / sizeof refusal_aliases[0] && !m; i++)
			if (!strcmp(t, refusal_aliases[i].name))
				m = refusal_aliases[i].mask;
		if (!m) {
			snprintf(bad, badlen, "%s", t);
			return -1;
		}
		*mask |= m;
	}
	return *mask ? 0 : -1;
}

const char *vfu_fault_kind_name(enum vfu_fault_kind k)
{
	return (unsigned)k < VFU_FAULT_KIND_COUNT ? fault_names[k] : "?";
}

const char *vfu_fault_waives(const struct vfu_fault *f)
{
	switch (f->kind) {
	case VFU_FAULT_DISCONNECT:
		return "VU-REPLY-01";          /* a reply may be owed when we hang up */
	case VFU_FAULT_REPLY_FLAGS:
	case VFU_FAULT_REPLY_REQUEST:
		return "VU-HDR-03";
	case VFU_FAULT_REPLY_SIZE:
		return "VU-SIZE-02";
	case VFU_FAULT_LAX:
		return "VU-BE-04";             /* acks malformed requests as done */
	case VFU_FAULT_HANG:
		return "VU-REPLY-01";          /* the reply owed never comes */
	case VFU_FAULT_REPLY_FDS:
		return "VU-FD-06";
	case VFU_FAULT_PACKED_USED_ZERO:
		return "VU-PACK-03,VU-PACK-04";
	case VFU_FAULT_VRING_BASE_ZERO:
	case VFU_FAULT_VRING_BASE_OTHER:
		return "VU-BE-07";
	case VFU_FAULT_STOPPED_RUNS:
		return "VU-BE-08,VU-BE-16";
	case VFU_FAULT_LOG_SKIP_USED:
		return "VU-BE-09";
	case VFU_FAULT_START_ON_KICK:
		return "VU-BE-10";
	case VFU_FAULT_IGNORE_SIGTERM:
		return "VU-BE-11";
	case VFU_FAULT_VRING_BASE_HIGH:
		return "VU-RVAL-01";
	case VFU_FAULT_POSTCOPY_NO_UFD:
		return "VU-RVAL-03";
	case VFU_FAULT_SHMEM_COUNT:
		return "VU-RVAL-04";
	case VFU_FAULT_INFLIGHT_NO_FD:
		return "VU-RVAL-06";
	case VFU_FAULT_SUSPENDED_MSG:
		return "VU-BCH-08,VU-BCH-02";   /* CONFIG_CHANGE_MSG, CONFIG negotiated or not */
	case VFU_FAULT_BACKEND_BAD:
		return "VU-BCH-0[1-8],VU-NEG-10";
	case VFU_FAULT_BACKEND_REQ:
		return "VU-BCH-02,VU-BCH-08";  /* sent whether its feature is negotiated or not,
						* and whether rings run or not */
	case VFU_FAULT_DROP_FEATURES:
		return f->mask_proto && (f->mask & VU_BIT(VU_PF_MQ)) ? "VU-RVAL-05" : "";
	case VFU_FAULT_NO_AUTO_ENABLE:
		return "VU-BE-12";
	case VFU_FAULT_DISABLED_IDLE:
		return "VU-BE-13";
	case VFU_FAULT_ENABLE_LOST:
		return "VU-BE-14";
	case VFU_FAULT_LOG_SKIP_DATA:
		return "VU-BE-15";
	case VFU_FAULT_RESET_OWNER_RESETS:
		return "VU-BE-18";
	case VFU_FAULT_BAD_CAPS:
		return "VU-BE-19";
	case VFU_FAULT_DAEMONIZE:
		return "VU-BE-20";
	case VFU_FAULT_INFLIGHT_KEPT:
		return "VU-BE-21";
	case VFU_FAULT_CONFIG_WRITABLE:
		return "VU-BE-22";
	case VFU_FAULT_INBAND_ACCEPTED:
		return "VU-BE-23";
	case VFU_FAULT_POSTCOPY_END_FAILS:
		return "VU-BE-24";
	case VFU_FAULT_STATE_ERROR_WITH_FD:
		return "VU-RVAL-02";
	case VFU_FAULT_STATE_CHECK_OK:
		return "VU-BE-25";
	default:
		return "";
	}
}

/* A fault's "=N" in lo..hi (hi fits 32 bits); false when absent or not. */
static bool arg_in(const char *arg, uint64_t lo, uint64_t hi, uint32_t *out)
{
	uint64_t v;
	if (!arg || !vc_parse_u64_str(arg, &v) || v < lo || v > hi)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "NAME[#K]" -> request number and occurrence. */
static int parse_req(const char *s, uint32_t *req, uint32_t *nth)
{
	char name[64];
	const char *hash = strchr(s, '#');
	size_t n = hash ? (size_t)(hash - s) : strlen(s);
	if (n == 0 || n >= sizeof name)
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	*req = vu_request_by_name(VU_CHAN_MAIN, name);
	if (!*req) {
		uint64_t v;
		if (!vc_parse_u64_str(name, &v) || !vu_request(VU_CHAN_MAIN, (uint32_t)v))
			return -1;
		*req = (uint32_t)v;
	}
	*nth = 1;
	if (hash) {
		uint64_t k;
		if (!vc_parse_u64_str(hash + 1, &k) || k == 0 || k > UINT32_MAX)
			return -1;
		*nth = (uint32_t)k;
	}
	return 0;
}

int vfu_fault_parse(const char *spec, struct vfu_fault *f, char *err, size_t errlen)
{
	char buf[256];
	memset(f, 0, sizeof *f);
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errlen, "fault spec too long");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", spec);
	/* Trailing ",conn=K" first, then "KIND[=ARG][@TRIGGER]". */
	char *conn = strstr(buf, ",conn=");
	if (conn) {
		uint64_t k;
		if (!vc_parse_u64_str(conn + 6, &k) || k == 0 || k > UINT32_MAX) {
			snprintf(err, errlen, "fault '%s': bad conn=", spec);
			return -1;
		}
		f->conn = (uint32_t)k;
		*conn = '\0';
	}
	char *at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	char *arg = strchr(buf, '=');
	if (arg)
		*arg++ = '\0';
	for (unsigned k = 1; k < VFU_FAULT_KIND_COUNT; k++)
		if (!strcmp(buf, fault_names[k]))
			f->kind = (enum vfu_fault_kind)k;
	if (!strcmp(buf, "drop-protocol-feature")) {
		f->kind = VFU_FAULT_DROP_FEATURES;
		f->mask_proto = true;
	}
	if (f->kind == VFU_FAULT_NONE) {
		snprintf(err, errlen, "unknown fault '%s' (see 'vhost-cts serve --help')", buf);
		return -1;
	}
	if (at) {
		if (!strncmp(at, "msg=", 4)) {
			if (!vc_parse_u64_str(at + 4, &f->at_msg) || f->at_msg == 0) {
				snprintf(err, errlen, "fault '%s': msg= wants a message number >= 1", spec);
				return -1;
			}
		} else if (!strncmp(at, "req=", 4)) {
			if (parse_req(at + 4, &f->at_req, &f->nth)) {
				snprintf(err, errlen, "fault '%s': unknown request '%s'", spec, at + 4);
				return -1;
			}
		} else {
			snprintf(err, errlen, "fault '%s': trigger must be @msg=N or @req=NAME[#K]", spec);
			return -1;
		}
	}
	bool triggered = f->at_msg || f->at_req;
	switch (f->kind) {
	case VFU_FAULT_DISCONNECT:
		if (!triggered || arg)
			goto want_trigger;
		break;
	case VFU_FAULT_DROP_FEATURES: {
		if (!arg || at) {
			snprintf(err, errlen, "fault '%s': wants =NAME|BIT[,...] and no trigger", spec);
			return -1;
		}
		/* Parse the list as additions to an empty mask. */
		char e2[128];
		if (vfu_features_override(&f->mask, arg, f->mask_proto, e2, sizeof e2)) {
			snprintf(err, errlen, "fault '%s': %s", spec, e2);
			return -1;
		}
		break;
	}
	case VFU_FAULT_DELAY_REPLY:
		if (!arg_in(arg, 1, 3600000u, &f->ms) || !f->at_req) {
			snprintf(err, errlen, "fault '%s': wants delay-reply=MS@req=NAME", spec);
			return -1;
		}
		break;
	case VFU_FAULT_REPLY_FLAGS:
	case VFU_FAULT_REPLY_SIZE:
	case VFU_FAULT_REPLY_REQUEST:
		if (!f->at_req || arg)
			goto want_trigger;
		break;
	case VFU_FAULT_CLOSE_BACKEND:
		if (arg || f->at_msg) {
			snprintf(err, errlen, "fault '%s': wants close-backend-channel[@req=NAME]", spec);
			return -1;
		}
		break;
	case VFU_FAULT_BACKEND_REQ:
		if (!arg || !f->at_req) {
			snprintf(err, errlen, "fault '%s': wants backend-req=NAME@req=NAME", spec);
			return -1;
		}
		f->be_req = vu_request_by_name(VU_CHAN_BACKEND, arg);
		/* VRING_HOST_NOTIFIER_MSG goes without an fd: "de-register
		 * ring 0's notifier", harmless, and QEMU acks HOST_NOTIFIER. */
		if (f->be_req != VU_BE_CONFIG_CHANGE_MSG && f->be_req != VU_BE_VRING_CALL &&
		    f->be_req != VU_BE_VRING_ERR && f->be_req != VU_BE_VRING_HOST_NOTIFIER_MSG) {
			snprintf(err, errlen,
				 "fault '%s': backend-req takes CONFIG_CHANGE_MSG, VRING_CALL, VRING_ERR or VRING_HOST_NOTIFIER_MSG",
				 spec);
			return -1;
		}
		break;
	case VFU_FAULT_LAX: {
		char bad[64] = "";
		if (!arg || at || parse_lax(arg, &f->lax, bad, sizeof bad)) {
			snprintf(err, errlen,
				 "fault '%s': wants lax=CLASS[,CLASS..] and no trigger; unknown class '%s' "
				 "(classes: version reply-bit unknown-request short-eof oversize extra-fds "
				 "missing-fd region-count region-bounds overlap ring-index ring-num "
				 "started-ring ring-addr log-size; groups: regions all)",
				 spec, bad);
			return -1;
		}
		break;
	}
	case VFU_FAULT_CRASH:
	case VFU_FAULT_HANG:
	case VFU_FAULT_LEAK_FDS:
		if (!triggered || arg)
			goto want_trigger;
		break;
	case VFU_FAULT_REPLY_FDS:
		if (!arg_in(arg, 1, VFU_REPLY_FDS_MAX, &f->nfds)) {
			snprintf(err, errlen, "fault '%s': wants reply-fds=N (1..%u)[@msg=N|@req=NAME[#K]]",
				 spec, VFU_REPLY_FDS_MAX);
			return -1;
		}
		break;
	case VFU_FAULT_BACKEND_BAD:
		if (!arg || !f->at_req || !(f->bad = vfu_backend_bad_by_name(arg))) {
			snprintf(err, errlen,
				 "fault '%s': wants backend-bad=call-num|ungated|fds|notifier-size|shmem-flags|shmem-unmap|iotlb-type@req=NAME",
				 spec);
			return -1;
		}
		break;
	case VFU_FAULT_VRING_BASE_HIGH:
	case VFU_FAULT_POSTCOPY_NO_UFD:
	case VFU_FAULT_SHMEM_COUNT:
	case VFU_FAULT_INFLIGHT_NO_FD:
	case VFU_FAULT_SUSPENDED_MSG:
	case VFU_FAULT_PACKED_USED_ZERO:
	case VFU_FAULT_VRING_BASE_ZERO:
	case VFU_FAULT_VRING_BASE_OTHER:
	case VFU_FAULT_STOPPED_RUNS:
	case VFU_FAULT_LOG_SKIP_USED:
	case VFU_FAULT_START_ON_KICK:
	case VFU_FAULT_IGNORE_SIGTERM:
	case VFU_FAULT_NO_AUTO_ENABLE:
	case VFU_FAULT_DISABLED_IDLE:
	case VFU_FAULT_ENABLE_LOST:
	case VFU_FAULT_LOG_SKIP_DATA:
	case VFU_FAULT_RESET_OWNER_RESETS:
	case VFU_FAULT_DAEMONIZE:
	case VFU_FAULT_BAD_CAPS:
	case VFU_FAULT_INFLIGHT_KEPT:
	case VFU_FAULT_CONFIG_WRITABLE:
	case VFU_FAULT_INBAND_ACCEPTED:
	case VFU_FAULT_POSTCOPY_END_FAILS:
	case VFU_FAULT_STATE_ERROR_WITH_FD:
	case VFU_FAULT_STATE_CHECK_OK:
		if (triggered || arg) {
			snprintf(err, errlen, "fault '%s': %s takes no argument and no trigger", spec,
				 fault_names[f->kind]);
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
want_trigger:
	snprintf(err, errlen, "fault '%s': %s wants a trigger (@msg=N or @req=NAME[#K])", spec,
		 fault_names[f->kind]);
	return -1;
}
