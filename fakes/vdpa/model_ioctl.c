/* The fake vDPA device's ioctls: vhost's and vhost-vdpa's, with the
 * kernel's order of checks and errnos (drivers/vhost/vdpa.c, vhost.c). */
#include "fakes/vdpa/model_priv.h"
#include "vcts/vdpa_uapi.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

static bool is_eventfd(int fd)
{
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

/* eventfd_fget()/eventfd_ctx_fdget(): EBADF for no such fd, EINVAL for
 * another kind of file. On success *out holds our reference. */
static int take_eventfd(const struct vdpa_mem *m, int fd, int *out)
{
	int ours = m->getfd(m->opaque, fd);
	if (ours < 0)
		return -EBADF;
	if (!is_eventfd(ours)) {
		close(ours);
		return -EINVAL;
	}
	*out = ours;
	return 0;
}

/* vhost_vdpa_config_validate() tells len 0 / off > size from off + len >
 * size (E2BIG), but vhost_vdpa_get_config() and _set_config() return
 * -EINVAL whenever it fails (6.1 and mainline): userspace sees only
 * EINVAL, as the kernel's vdpa_sim devices show in the VM lane. */
static int config_validate(const struct vdpa_dev *d, uint32_t off, uint32_t len)
{
	if (d->cfg.bad & VDPA_BAD_CONFIG_BOUNDS)
		return len ? 0 : -EINVAL;
	if (len == 0 || off > VDPA_NETCFG_SIZE || len > VDPA_NETCFG_SIZE - off)
		return -EINVAL;
	return 0;
}

static uint64_t backend_offered(const struct vdpa_dev *d)
{
	return (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH) |
	       (1ull << VDPA_BF_IOTLB_ASID) | d->cfg.parent_backend;
}

static uint32_t group_of(const struct vdpa_dev *d, uint32_t vq)
{
	/* vdpa_sim_net: data vqs in group 0, the control vq in group 1. */
	if (d->cfg.ctrl_vq && vq == d->nvqs - 1 && d->cfg.ngroups > 1)
		return 1;
	return 0;
}

static long vring_ioctl(struct vdpa_dev *d, const struct vdpa_mem *m, struct opctx *x,
			uint32_t req, uint64_t arg)
{
	uint32_t idx;
	if (model_rd(x, m, arg, &idx, 4))
		return -EFAULT;
	bool bad_idx = idx >= d->nvqs;
	if (bad_idx && !(d->cfg.bad & VDPA_BAD_VRING_INDEX))
		return -ENOBUFS;
	struct vq dummy = { .kick = -1, .call = -1, .err = -1 };
	struct vq *q = bad_idx ? &dummy : &d->vq[idx];
	uint32_t s[2];
	uint64_t a[5];
	long r = 0;
	switch (req) {
	case VDPA_REQ_VDPA_SET_VRING_ENABLE:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		q->ready = s[1] != 0;
		return 0;
	case VDPA_REQ_VDPA_GET_VRING_GROUP:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		s[0] = idx;
		s[1] = group_of(d, bad_idx ? 0 : idx);
		return model_wr(x, m, arg, s, 8);
	case VDPA_REQ_VDPA_GET_VRING_DESC_GROUP:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		return -EOPNOTSUPP;
	case VDPA_REQ_VDPA_SET_GROUP_ASID:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		if (s[1] >= d->cfg.nas)
			return -EINVAL;
		if (idx >= d->cfg.ngroups)
			return -EINVAL;
		d->group_asid[idx] = s[1];
		return 0;
	case VDPA_REQ_GET_VRING_BASE:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		s[0] = idx;
		s[1] = q->base;
		return model_wr(x, m, arg, s, 8);
	case VDPA_REQ_SET_VRING_NUM:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		if (!s[1] || s[1] > 0xffff || (s[1] & (s[1] - 1)))
			return -EINVAL;
		q->num = s[1];
		return 0;
	case VDPA_REQ_SET_VRING_BASE:
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		if (s[1] > 0xffff)
			return -EINVAL;
		q->base = s[1];
		return 0;
	case VDPA_REQ_SET_VRING_ADDR:
		if (model_rd(x, m, arg, a, VDPA_SZ_VRING_ADDR))
			return -EFAULT;
		{
			uint32_t flags;
			memcpy(&flags, (uint8_t *)a + 4, 4);
			uint64_t desc = a[1], used = a[2], avail = a[3], log = a[4];
			if (flags & ~(1u << VDPA_VRING_F_LOG))
				return -EOPNOTSUPP;
			if ((avail & (VDPA_AVAIL_ALIGN - 1)) || (used & (VDPA_USED_ALIGN - 1)) ||
			    (log & (VDPA_USED_ALIGN - 1)))
				return -EINVAL;
			q->addr_flags = flags;
			q->desc = desc;
			q->used = used;
			q->avail = avail;
			q->log = log;
		}
		return 0;
	case VDPA_REQ_SET_VRING_KICK:
	case VDPA_REQ_SET_VRING_CALL:
	case VDPA_REQ_SET_VRING_ERR: {
		if (model_rd(x, m, arg, s, 8))
			return -EFAULT;
		int fd = (int)s[1], nfd = -1;
		if (fd != VDPA_FILE_UNBIND) {
			r = take_eventfd(m, fd, &nfd);
			if (r)
				return r;
		}
		int *slot = req == VDPA_REQ_SET_VRING_KICK ? &q->kick
			    : req == VDPA_REQ_SET_VRING_CALL ? &q->call : &q->err;
		model_put_fd(slot);
		*slot = nfd;
		if (bad_idx)
			model_put_fd(slot);
		return 0;
	}
	default:
		return -ENOTTY; /* -ENOIOCTLCMD seen from user space */
	}
}

static long do_ioctl(struct vdpa_dev *d, const struct vdpa_mem *m, struct opctx *x, uint32_t req,
		     uint64_t arg)
{
	uint64_t u64;
	uint32_t u32;
	uint8_t u8;
	switch (req) {
	case VDPA_REQ_SET_BACKEND_FEATURES: {
		if (model_rd(x, m, arg, &u64, 8))
			return -EFAULT;
		uint64_t known = (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH) |
				 (1ull << VDPA_BF_IOTLB_ASID) | (1ull << VDPA_BF_DESC_ASID) |
				 (1ull << VDPA_BF_SUSPEND) | (1ull << VDPA_BF_RESUME) |
				 (1ull << VDPA_BF_ENABLE_AFTER_DRIVER_OK) |
				 (1ull << VDPA_BF_IOTLB_PERSIST);
		if (!(d->cfg.bad & VDPA_BAD_BACKEND_UNKNOWN)) {
			if (u64 & ~known)
				return -EOPNOTSUPP;
			if ((u64 & (1ull << VDPA_BF_SUSPEND)) &&
			    !(d->cfg.parent_backend & (1ull << VDPA_BF_SUSPEND)))
				return -EOPNOTSUPP;
			if ((u64 & (1ull << VDPA_BF_RESUME)) &&
			    !(d->cfg.parent_backend & (1ull << VDPA_BF_RESUME)))
				return -EOPNOTSUPP;
			if ((u64 & (1ull << VDPA_BF_DESC_ASID)) && !(u64 & (1ull << VDPA_BF_IOTLB_ASID)))
				return -EINVAL;
			if (u64 & ((1ull << VDPA_BF_DESC_ASID) | (1ull << VDPA_BF_IOTLB_PERSIST)))
				return -EOPNOTSUPP; /* the fake parent has neither */
		}
		d->backend_acked = u64;
		return 0;
	}
	case VDPA_REQ_VDPA_GET_DEVICE_ID:
		return model_wr(x, m, arg, &d->cfg.device_id, 4);
	case VDPA_REQ_VDPA_GET_STATUS:
		return model_wr(x, m, arg, &d->status, 1);
	case VDPA_REQ_VDPA_SET_STATUS: {
		if (model_rd(x, m, arg, &u8, 1))
			return -EFAULT;
		uint8_t old = d->status;
		if (u8 != 0 && (old & ~u8) && !(d->cfg.bad & VDPA_BAD_STATUS_CLEAR))
			return -EINVAL;
		if (u8 == 0) {
			model_reset(d);
			return 0;
		}
		/* The parent keeps FEATURES_OK only for a set it accepts. */
		if ((u8 & VDPA_S_FEATURES_OK) && !(old & VDPA_S_FEATURES_OK) &&
		    !(d->driver_features & (1ull << VDPA_F_VERSION_1)))
			u8 &= (uint8_t)~VDPA_S_FEATURES_OK;
		d->status = u8;
		return 0;
	}
	case VDPA_REQ_VDPA_GET_CONFIG:
	case VDPA_REQ_VDPA_SET_CONFIG: {
		uint32_t h[2];
		if (model_rd(x, m, arg, h, 8))
			return -EFAULT;
		int r = config_validate(d, h[0], h[1]);
		if (r)
			return r;
		if (h[1] > (1u << 20))
			return -ENOMEM;
		uint8_t *buf = xcalloc(1, h[1]);
		for (uint32_t i = 0; i < h[1]; i++)
			if ((uint64_t)h[0] + i < VDPA_NETCFG_SIZE)
				buf[i] = d->config[h[0] + i];
		if (req == VDPA_REQ_VDPA_GET_CONFIG) {
			r = model_wr(x, m, arg + 8, buf, h[1]);
		} else {
			r = model_rd(x, m, arg + 8, buf, h[1]);
			/* vdpa_sim_net: only the MAC is writable. */
			for (uint32_t i = 0; !r && i < h[1]; i++)
				if ((uint64_t)h[0] + i < VDPA_NETCFG_MAC + 6)
					d->config[h[0] + i] = buf[i];
		}
		free(buf);
		return r;
	}
	case VDPA_REQ_GET_FEATURES:
		u64 = d->cfg.features;
		if ((d->cfg.bad & VDPA_BAD_UNSTABLE) && (d->get_features_calls & 1))
			u64 ^= 1ull << VDPA_F_NET_CSUM;
		d->get_features_calls++;
		return model_wr(x, m, arg, &u64, 8);
	case VDPA_REQ_SET_FEATURES:
		if ((d->status & VDPA_S_FEATURES_OK) && !(d->cfg.bad & VDPA_BAD_FEAT_AFTER_OK))
			return -EBUSY;
		if (model_rd(x, m, arg, &u64, 8))
			return -EFAULT;
		if (d->cfg.need_access_platform && !(u64 & (1ull << VDPA_F_ACCESS_PLATFORM)))
			return -EINVAL;
		d->driver_features = u64 & d->cfg.features;
		return 0;
	case VDPA_REQ_VDPA_GET_VRING_NUM: {
		uint16_t n = d->cfg.vq_num_max;
		return model_wr(x, m, arg, &n, 2);
	}
	case VDPA_REQ_VDPA_GET_GROUP_NUM:
		return model_wr(x, m, arg, &d->cfg.ngroups, 4);
	case VDPA_REQ_VDPA_GET_AS_NUM:
		return model_wr(x, m, arg, &d->cfg.nas, 4);
	case VDPA_REQ_SET_LOG_BASE:
	case VDPA_REQ_SET_LOG_FD:
		return -ENOTTY;
	case VDPA_REQ_VDPA_SET_CONFIG_CALL: {
		int fd, nfd = -1;
		if (model_rd(x, m, arg, &fd, 4))
			return -EFAULT;
		if (fd != VDPA_FILE_UNBIND) {
			int r = take_eventfd(m, fd, &nfd);
			if (r)
				return r;
		}
		model_put_fd(&d->config_call);
		d->config_call = nfd;
		return 0;
	}
	case VDPA_REQ_GET_BACKEND_FEATURES:
		u64 = backend_offered(d);
		return model_wr(x, m, arg, &u64, 8);
	case VDPA_REQ_VDPA_GET_IOVA_RANGE: {
		uint64_t r2[2] = { d->cfg.iova_first, d->cfg.iova_last };
		return model_wr(x, m, arg, r2, 16);
	}
	case VDPA_REQ_VDPA_GET_CONFIG_SIZE:
		u32 = VDPA_NETCFG_SIZE;
		return model_wr(x, m, arg, &u32, 4);
	case VDPA_REQ_VDPA_GET_VQS_COUNT:
		return model_wr(x, m, arg, &d->nvqs, 4);
	case VDPA_REQ_VDPA_SUSPEND:
	case VDPA_REQ_VDPA_RESUME: {
		unsigned bit = req == VDPA_REQ_VDPA_SUSPEND ? VDPA_BF_SUSPEND : VDPA_BF_RESUME;
		if (!(d->cfg.parent_backend & (1ull << bit)))
			return -EOPNOTSUPP;
		if (!(d->status & VDPA_S_DRIVER_OK))
			return 0;
		d->suspended = req == VDPA_REQ_VDPA_SUSPEND;
		return 0;
	}
	default:
		break;
	}
	/* vhost_dev_ioctl(): ownership, then the memory table. */
	if (req == VDPA_REQ_SET_OWNER) {
		if (d->owner)
			return -EBUSY;
		d->owner = true;
		return 0;
	}
	if (!d->owner)
		return -EPERM;
	if (req == VDPA_REQ_SET_MEM_TABLE) {
		uint32_t h[2];
		if (model_rd(x, m, arg, h, 8))
			return -EFAULT;
		if (h[0] > 509) /* vhost's max_mem_regions default */
			return -E2BIG;
		uint8_t reg[32];
		for (uint32_t i = 0; i < h[0]; i++)
			if (model_rd(x, m, arg + 8 + 32ull * i, reg, 32))
				return -EFAULT;
		return 0; /* accepted; vhost-vdpa translates through the IOTLB only */
	}
	return vring_ioctl(d, m, x, req, arg);
}

long vdpa_dev_ioctl(struct vdpa_dev *d, const struct vdpa_mem *m, uint32_t request, uint64_t arg)
{
	struct opctx *x = xmalloc(sizeof *x);
	x->in_len = x->out_len = 0;
	x->in_fault = x->out_fault = false;
	model_capture_in(x, m, request, arg);
	pthread_mutex_lock(&d->lock);
	long r;
	unsigned nr = request & 0xff;
	if (!d->opened)
		r = -EBADF;
	else if (((request >> 8) & 0xff) == VDPA_IOC_MAGIC && vdpa_ioctl(request) &&
		 (d->cfg.absent[nr / 32] >> (nr % 32) & 1))
		r = -ENOTTY; /* not in this kernel or parent */
	else
		r = do_ioctl(d, m, x, request, arg);
	model_emit_op(d, VC_EV_VDPA_IOCTL, request, r, x);
	pthread_mutex_unlock(&d->lock);
	free(x);
	return r;
}
