/* Event construction for the memory models, plus the name tables of the
 * scenario vocabulary (bugs, kinds, back-ends). */
#include "lib/model/emit.h"
#include "vcts/vdpa_uapi.h"
#include "vcts/wire.h"

#include <stdio.h>
#include <string.h>

void vm_event_init(struct vc_event *ev, enum vc_event_kind kind)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = (uint8_t)kind;
	ev->dir = VC_DIR_FE_TO_BE;
	ev->time_ns = -1;
}

void vm_emit(const struct vm_out *o, struct vc_event *ev)
{
	if (!o || !o->emit)
		return;
	ev->session = o->sid;
	ev->src.file = o->file;
	ev->src.line = o->line;
	o->emit(o->opaque, ev);
}

void vm_emit_vu(const struct vm_out *o, enum vc_dir dir, uint32_t req, uint32_t flags,
		const void *payload, uint32_t len, uint32_t nfds, const uint64_t *idents)
{
	if (!o || !o->emit)
		return;
	struct vc_event ev;
	struct vc_fd fds[VC_EVENT_MAX_FDS];
	vm_event_init(&ev, VC_EV_VU_MSG);
	ev.fds = fds;
	ev.dir = (uint8_t)dir;
	vc_vu_msg_set(&ev.u.vu, VU_CHAN_MAIN, req, VU_VERSION | flags, len, payload, len);
	ev.has_fds = true;
	ev.nfds = nfds;
	bool table = req == VU_SET_MEM_TABLE;
	for (uint32_t i = 0; i < nfds && i < VC_EVENT_MAX_FDS; i++) {
		struct vc_fd *f = &fds[i];
		memset(f, 0, sizeof *f);
		f->kind = table ? VC_FD_MEMFD : VC_FD_EVENTFD;
		f->size = -1;
		f->ident = table && idents ? idents[i] : 0;
		snprintf(f->name, sizeof f->name, "%s", table ? "/memfd:guest-ram (deleted)" : "anon_inode:[eventfd]");
	}
	vm_emit(o, &ev);
}

void vm_emit_report(const struct vm_out *o, enum vc_mem_report_code code, const char *name,
		    uint64_t gpa, uint64_t size, uint64_t hva, uint64_t value)
{
	if (!o || !o->emit)
		return;
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_MEM_REPORT);
	ev.u.mem_report.code = (uint8_t)code;
	ev.u.mem_report.gpa = gpa;
	ev.u.mem_report.size = size;
	ev.u.mem_report.hva = hva;
	ev.u.mem_report.value = value;
	vm_set_name(ev.u.mem_report.name, sizeof ev.u.mem_report.name, name, strlen(name));
	vm_emit(o, &ev);
}

void vm_emit_iotlb(const struct vm_out *o, uint8_t type, uint64_t iova, uint64_t size,
		   uint64_t uaddr, uint8_t perm)
{
	if (!o || !o->emit)
		return;
	struct vc_event ev;
	vm_event_init(&ev, VC_EV_VDPA_IOTLB);
	ev.u.iotlb.msg_type = VDPA_MSG_TYPE_IOTLB_V2;
	ev.u.iotlb.type = type;
	ev.u.iotlb.iova = iova;
	ev.u.iotlb.size = size;
	ev.u.iotlb.uaddr = uaddr;
	ev.u.iotlb.perm = perm;
	vm_emit(o, &ev);
}

void vm_emit_backend_features(const struct vm_out *o, uint64_t features)
{
	if (!o || !o->emit)
		return;
	static const char *const reqs[2] = { "GET_BACKEND_FEATURES", "SET_BACKEND_FEATURES" };
	uint8_t arg[8];
	memcpy(arg, &features, 8);
	for (int i = 0; i < 2; i++) {
		const struct vdpa_ioctl_info *ri = vdpa_ioctl_by_name(reqs[i], strlen(reqs[i]));
		if (!ri)
			return;
		struct vc_event ev;
		vm_event_init(&ev, VC_EV_VDPA_IOCTL);
		ev.u.vdpa.fd = -1;
		ev.u.vdpa.request = ri->request;
		ev.u.vdpa.has_result = true;
		/* GET answers with the features, SET passes them in */
		if (i == 0) {
			ev.u.vdpa.out_known = true;
			ev.u.vdpa.out = arg;
			ev.u.vdpa.out_len = 8;
		} else {
			ev.u.vdpa.in_known = true;
			ev.u.vdpa.in = arg;
			ev.u.vdpa.in_len = 8;
		}
		vm_emit(o, &ev);
	}
}

void vm_set_name(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static const char *const bug_names[] = {
	"no-filter", "no-round", "no-merge", "no-overlap-check", "always-send", "no-ring-verify",
	"log-late-grow", "no-slot-limit", "map-all", "no-unaligned-check", "no-page-align",
	"eager-batch",
};

const char *vm_bug_name(unsigned bug_bit)
{
	for (unsigned i = 0; i < sizeof bug_names / sizeof bug_names[0]; i++)
		if (bug_bit == 1u << i)
			return bug_names[i];
	return NULL;
}

unsigned vm_bug_by_name(const char *name)
{
	for (unsigned i = 0; i < sizeof bug_names / sizeof bug_names[0]; i++)
		if (strcmp(name, bug_names[i]) == 0)
			return 1u << i;
	return 0;
}

static const struct {
	const char *name;
	uint32_t flag;
} kinds[] = {
	{ "ram", VC_MEMF_RAM },	      { "rom", VC_MEMF_ROM },	   { "ram_device", VC_MEMF_RAM_DEVICE },
	{ "iommu", VC_MEMF_IOMMU }, { "readonly", VC_MEMF_READONLY },
};

uint32_t vm_kind_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(name, kinds[i].name) == 0)
			return kinds[i].flag;
	return 0;
}

static const char *const backend_names[] = {
	[VC_MEMB_VHOST_USER] = "vhost-user", [VC_MEMB_VHOST_KERNEL] = "vhost-kernel",
	[VC_MEMB_VHOST_VDPA] = "vhost-vdpa",
};

const char *vm_backend_name(enum vc_mem_backend b)
{
	return (unsigned)b <= VC_MEMB_VHOST_VDPA ? backend_names[b] : "?";
}

int vm_backend_by_name(const char *name)
{
	for (int i = 0; i <= VC_MEMB_VHOST_VDPA; i++)
		if (strcmp(name, backend_names[i]) == 0)
			return i;
	return -1;
}
