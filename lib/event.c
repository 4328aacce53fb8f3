/* Names for the event stream's enums, and small event helpers. */
#include "vcts/event.h"
#include "vcts/wire.h"

#include <string.h>

static const char *const fd_kind_names[VC_FD_KIND_MAX] = {
	[VC_FD_UNKNOWN] = "unknown", [VC_FD_MEMFD] = "memfd", [VC_FD_FILE] = "file",
	[VC_FD_EVENTFD] = "eventfd", [VC_FD_SOCKET] = "socket", [VC_FD_PIPE] = "pipe",
	[VC_FD_USERFAULTFD] = "userfaultfd", [VC_FD_DEVICE] = "device", [VC_FD_ANON] = "anon",
};

const char *vc_fd_kind_name(enum vc_fd_kind k)
{
	return (unsigned)k < VC_FD_KIND_MAX ? fd_kind_names[k] : "unknown";
}

enum vc_fd_kind vc_fd_kind_by_name(const char *name)
{
	for (unsigned i = 0; i < VC_FD_KIND_MAX; i++)
		if (strcmp(fd_kind_names[i], name) == 0)
			return (enum vc_fd_kind)i;
	return VC_FD_UNKNOWN;
}

const char *vc_side_name(enum vc_side s)
{
	switch (s) {
	case VC_SIDE_FRONTEND: return "front-end";
	case VC_SIDE_BACKEND: return "back-end";
	case VC_SIDE_LIVE: return "live";
	default: return "unknown";
	}
}

const char *vc_dir_name(enum vc_dir d)
{
	return d == VC_DIR_BE_TO_FE ? "BE->FE" : "FE->BE";
}

static const char *const kind_names[VC_EV_KIND_MAX] = {
	[VC_EV_VU_MSG] = "vu-msg", [VC_EV_VU_EOF] = "vu-eof",
	[VC_EV_VU_KICK] = "vu-kick", [VC_EV_VU_STALL] = "vu-stall",
	[VC_EV_MEM_BEGIN] = "mem-begin", [VC_EV_MEM_REGION] = "mem-region",
	[VC_EV_MEM_COMMIT] = "mem-commit", [VC_EV_MEM_LOG] = "mem-log",
	[VC_EV_MEM_RING] = "mem-ring", [VC_EV_MEM_REPORT] = "mem-report",
	[VC_EV_VDPA_IOTLB] = "vdpa-iotlb",
	[VC_EV_VDPA_OPEN] = "vdpa-open", [VC_EV_VDPA_CLOSE] = "vdpa-close",
	[VC_EV_VDPA_IOCTL] = "vdpa-ioctl", [VC_EV_VDPA_WRITE] = "vdpa-write",
	[VC_EV_VDPA_MMAP] = "vdpa-mmap", [VC_EV_GAP] = "gap",
};

const char *vc_event_kind_name(enum vc_event_kind k)
{
	if ((unsigned)k < VC_EV_KIND_MAX && kind_names[k])
		return kind_names[k];
	return "unknown";
}

void vc_vu_msg_set(struct vc_vu_msg *m, uint8_t chan, uint32_t request, uint32_t flags,
		   uint32_t size, const uint8_t *payload, uint32_t payload_len)
{
	m->chan = chan;
	m->request = request;
	m->flags = flags;
	m->size = size;
	m->has_size = true;
	m->has_payload = true;
	m->payload = payload_len ? payload : NULL;
	m->payload_len = payload_len;
}

void vc_vdpa_op_set(struct vc_vdpa_op *o, uint32_t request, const void *in, uint32_t in_len,
		    const void *out, uint32_t out_len)
{
	o->fd = -1;
	o->request = request;
	o->has_result = true;
	o->in = in;
	o->in_len = in_len;
	o->in_known = in != NULL;
	o->out = out;
	o->out_len = out_len;
	o->out_known = out != NULL;
}

int64_t vc_vu_ring_index(const struct vc_event *ev)
{
	if (ev->kind != VC_EV_VU_MSG || !ev->u.vu.has_payload)
		return -1;
	const struct vu_request_info *ri = vu_request(ev->u.vu.chan, ev->u.vu.request);
	if (!ri || !ri->payload_has_index)
		return -1;
	/* Reply payloads of GET_VRING_BASE carry the index too. */
	if (ev->u.vu.payload_len < 4)
		return -1;
	if (ri->req_payload == VU_PL_U64 && ev->u.vu.payload_len >= 8)
		return (int64_t)(vu_rd64(ev->u.vu.payload) & VU_VRING_IDX_MASK);
	return vu_rd32(ev->u.vu.payload);
}
