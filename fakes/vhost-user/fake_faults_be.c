/* Faults of back-end duties a recording decides (the VU-RVAL and VU-BCH
 * rules): each breaks one of them on purpose, so `drive` can be shown to
 * catch it. The hooks in fake.c are one line each. */
#include "fakes/vhost-user/fake_int.h"
#include "vcts/wire_encode.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const bad_names[VFU_BAD_COUNT] = {
	[VFU_BAD_CALL_NUM] = "call-num",
	[VFU_BAD_UNGATED] = "ungated",
	[VFU_BAD_FDS] = "fds",
	[VFU_BAD_NOTIFIER_SIZE] = "notifier-size",
	[VFU_BAD_SHMEM_FLAGS] = "shmem-flags",
	[VFU_BAD_SHMEM_UNMAP] = "shmem-unmap",
	[VFU_BAD_IOTLB_TYPE] = "iotlb-type",
};

unsigned vfu_backend_bad_by_name(const char *name)
{
	for (unsigned k = 1; k < VFU_BAD_COUNT; k++)
		if (!strcmp(name, bad_names[k]))
			return k;
	return 0;
}

const char *vfu_backend_bad_name(unsigned k)
{
	return k && k < VFU_BAD_COUNT ? bad_names[k] : NULL;
}

/* vring-base-high: the split index with bit 16 set (VU-RVAL-01). */
uint32_t vfu_fault_split_base(struct vfu_conn *c, uint32_t base)
{
	if (!vfu_fault_on(c, VFU_FAULT_VRING_BASE_HIGH))
		return base;
	vfu_conn_log(c, "fault: split GET_VRING_BASE answers 0x%x with bit 16 set", base);
	return base | 0x10000u;
}

/* shmem-count: one region counted, none sized (VU-RVAL-04). */
void vfu_fault_shmem_config(struct vfu_conn *c, uint8_t *cfg, uint32_t len)
{
	if (!vfu_fault_on(c, VFU_FAULT_SHMEM_COUNT) || len < 4)
		return;
	vfu_conn_log(c, "fault: GET_SHMEM_CONFIG counts 1 region, every size 0");
	vu_wr32(cfg, 1);
}

/* inflight-no-fd: the area's size without its fd (VU-RVAL-06). */
int vfu_fault_inflight_fd(struct vfu_conn *c, int fd)
{
	if (fd < 0 || !vfu_fault_on(c, VFU_FAULT_INFLIGHT_NO_FD))
		return fd;
	vfu_conn_log(c, "fault: GET_INFLIGHT_FD answered without the area's fd");
	close(fd);
	return -1;
}

/* suspended-msg: the device is suspended once every ring is stopped, and
 * sends nothing then (VU-BCH-08); this one does, on the next front-end
 * message (so a driver reads it well after the reply that stopped the last
 * ring). The fake stops a ring by closing its kick fd (rings polled
 * without one are not tracked). */
void vfu_fault_after_stop(struct vfu_conn *c, bool *due)
{
	if (!vfu_fault_on(c, VFU_FAULT_SUSPENDED_MSG))
		return;
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		if (vfu_conn_ring(c, i)->kick_fd >= 0)
			return;
	*due = true;
}

void vfu_fault_suspended_msg(struct vfu_conn *c, bool *due)
{
	if (!*due)
		return;
	*due = false;
	vfu_conn_log(c, "fault: CONFIG_CHANGE_MSG with every ring stopped");
	if (vfu_conn_send_backend(c, VU_BE_CONFIG_CHANGE_MSG, VU_VERSION, NULL, 0, -1) != 0)
		vfu_conn_log(c, "fault: no back-end channel, or it failed: nothing sent");
}

/* One page of shared memory to pass where a request takes an fd. */
static int page_fd(void)
{
	int fd = memfd_create("vcts-fault", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, 4096) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* backend-bad=KIND: a back-end request that breaks one VU-BCH rule, sent
 * without NEED_REPLY (the front-end owes nothing for it). */
void vfu_fault_backend_bad(struct vfu_conn *c, const struct vfu_fault *f)
{
	uint8_t pl[40] = { 0 };
	uint32_t req = 0, len = 0;
	bool fd = false;
	switch (f->bad) {
	case VFU_BAD_CALL_NUM:
	case VFU_BAD_UNGATED:
		req = VU_BE_VRING_CALL;
		len = (uint32_t)vu_enc_state(pl, sizeof pl,
					     &(struct vu_state_pl){ 0, f->bad == VFU_BAD_CALL_NUM ? 1u : 0u });
		break;
	case VFU_BAD_FDS:
		req = VU_BE_CONFIG_CHANGE_MSG;
		fd = true;
		break;
	case VFU_BAD_NOTIFIER_SIZE:
		req = VU_BE_VRING_HOST_NOTIFIER_MSG;
		len = (uint32_t)vu_enc_area(pl, sizeof pl, &(struct vu_area_pl){ .u64 = 0, .size = 0x1800 });
		fd = true;
		break;
	case VFU_BAD_SHMEM_FLAGS:
	case VFU_BAD_SHMEM_UNMAP:
		req = f->bad == VFU_BAD_SHMEM_FLAGS ? VU_BE_SHMEM_MAP : VU_BE_SHMEM_UNMAP;
		len = (uint32_t)vu_enc_mmap(pl, sizeof pl,
					    &(struct vu_mmap_pl){ .len = 0x1000,
								  .flags = f->bad == VFU_BAD_SHMEM_FLAGS ? 2u : 0u });
		fd = f->bad == VFU_BAD_SHMEM_FLAGS;
		break;
	case VFU_BAD_IOTLB_TYPE:
		req = VU_BE_IOTLB_MSG;
		len = (uint32_t)vu_enc_iotlb(pl, sizeof pl,
					     &(struct vu_iotlb_pl){ .iova = 0x1000, .size = 0x1000, .perm = 1, .type = 2 });
		break;
	default:
		return;
	}
	int pass = fd ? page_fd() : -1;
	vfu_conn_log(c, "fault: back-end request %s (%s)",
		     vu_request_name(VU_CHAN_BACKEND, req, (char[24]){ 0 }, 24), bad_names[f->bad]);
	if ((fd && pass < 0) || vfu_conn_send_backend(c, req, VU_VERSION, pl, len, pass) != 0)
		vfu_conn_log(c, "fault: no back-end channel, or it failed: nothing sent");
	if (pass >= 0)
		close(pass);
}
