/* The fake vDPA device model: the kernel's vhost-vdpa semantics and errnos
 * (drivers/vhost/vdpa.c over vhost.c) with a simulated virtio-net parent.
 * Order of checks follows the kernel so the errno a caller sees for a
 * request with several problems is the kernel's. The ioctls are
 * model_ioctl.c, the spec string model_cfg.c. */
#include "fakes/vdpa/model_priv.h"
#include "vcts/vdpa_uapi.h"
#include "lib/ranges.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---------- the caller is this process ---------- */

static int self_read(void *o, uint64_t addr, void *buf, size_t len)
{
	(void)o;
	if (!len)
		return 0;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

static int self_write(void *o, uint64_t addr, const void *buf, size_t len)
{
	(void)o;
	if (!len)
		return 0;
	struct iovec l = { (void *)buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

static int self_getfd(void *o, int fd)
{
	(void)o;
	if (fd < 0)
		return -EBADF;
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return r < 0 ? -EBADF : r;
}

const struct vdpa_mem vdpa_mem_self = { self_read, self_write, self_getfd, NULL };

/* ---------- device ---------- */

struct vdpa_dev *vdpa_dev_new(const struct vdpa_cfg *c)
{
	struct vdpa_dev *d = xcalloc(1, sizeof *d);
	pthread_mutex_init(&d->lock, NULL);
	d->cfg = *c;
	if (d->cfg.queue_pairs < 1)
		d->cfg.queue_pairs = 1;
	if (vdpa_cfg_nvqs(&d->cfg) > MAX_VQS)
		d->cfg.queue_pairs = (MAX_VQS - 1) / 2;
	if (d->cfg.nas < 1 || d->cfg.nas > MAX_AS)
		d->cfg.nas = 1;
	if (d->cfg.ngroups < 1 || d->cfg.ngroups > MAX_AS)
		d->cfg.ngroups = 1;
	if (!d->cfg.vq_num_max)
		d->cfg.vq_num_max = 256;
	d->nvqs = vdpa_cfg_nvqs(&d->cfg);
	d->config_call = -1;
	for (uint32_t i = 0; i < MAX_VQS; i++)
		d->vq[i].kick = d->vq[i].call = d->vq[i].err = -1;
	uint8_t *cf = d->config;
	memcpy(cf + VDPA_NETCFG_MAC, d->cfg.mac, 6);
	uint16_t st = d->cfg.link_up ? VDPA_NET_S_LINK_UP : 0;
	memcpy(cf + VDPA_NETCFG_STATUS, &st, 2);
	memcpy(cf + VDPA_NETCFG_MAX_VQP, &d->cfg.queue_pairs, 2);
	memcpy(cf + VDPA_NETCFG_MTU, &d->cfg.mtu, 2);
	uint32_t speed = 10000;
	memcpy(cf + VDPA_NETCFG_SPEED, &speed, 4);
	cf[VDPA_NETCFG_DUPLEX] = 1;
	return d;
}

const struct vdpa_cfg *vdpa_config(const struct vdpa_dev *d)
{
	return &d->cfg;
}

void vdpa_dev_set_observer(struct vdpa_dev *d, vdpa_observer fn, void *opaque)
{
	pthread_mutex_lock(&d->lock);
	d->obs = fn;
	d->obs_opaque = opaque;
	pthread_mutex_unlock(&d->lock);
}

void model_put_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static uint64_t pinned(const struct vdpa_dev *d)
{
	uint64_t b = 0;
	for (uint32_t a = 0; a < MAX_AS; a++)
		for (size_t i = 0; i < d->as[a].r.n; i++) {
			const struct vc_range *r = vc_ranges_get(&d->as[a].r, i);
			b += r->last - r->first + 1;
		}
	return b;
}

static uint32_t nmaps(const struct vdpa_dev *d)
{
	size_t n = 0;
	for (uint32_t a = 0; a < MAX_AS; a++)
		n += d->as[a].r.n;
	return (uint32_t)n;
}

/* vdpa_reset(): the parent forgets status, features and ring state. The
 * IOTLB and the eventfds belong to vhost-vdpa and survive a reset. */
void model_reset(struct vdpa_dev *d)
{
	d->status = 0;
	d->driver_features = 0;
	d->suspended = false;
	for (uint32_t i = 0; i < MAX_VQS; i++) {
		struct vq *q = &d->vq[i];
		q->num = q->base = 0;
		q->ready = false;
		q->desc = q->avail = q->used = q->log = 0;
		q->addr_flags = 0;
	}
	memset(d->group_asid, 0, sizeof d->group_asid);
}

static void release_locked(struct vdpa_dev *d)
{
	model_reset(d);
	for (uint32_t i = 0; i < MAX_VQS; i++) {
		model_put_fd(&d->vq[i].kick);
		model_put_fd(&d->vq[i].call);
		model_put_fd(&d->vq[i].err);
	}
	model_put_fd(&d->config_call);
	if (!(d->cfg.bad & VDPA_BAD_CLOSE_LEAK))
		for (uint32_t a = 0; a < MAX_AS; a++) {
			vc_ranges_free(&d->as[a].r);
			memset(&d->as[a], 0, sizeof d->as[a]);
		}
	d->in_batch = false;
	d->batch_asid = 0;
	d->owner = false;
	d->backend_acked = 0;
	d->doorbells = 0;
	d->opened = false;
}

void vdpa_dev_free(struct vdpa_dev *d)
{
	if (!d)
		return;
	if (d->opened)
		vdpa_dev_release(d);
	for (uint32_t a = 0; a < MAX_AS; a++)
		vc_ranges_free(&d->as[a].r);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ---------- events ---------- */

static void ctx_note(uint8_t *buf, uint32_t *len, const void *p, size_t n)
{
	size_t room = ARG_MAX_BYTES - *len;
	if (n > room)
		n = room;
	memcpy(buf + *len, p, n);
	*len += (uint32_t)n;
}

/* Reads of the argument by the device. What the event shows as the
 * argument is captured before the call (capture_in), whatever the device
 * reads, since the kernel may refuse a request before copying it. */
int model_rd(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, void *buf, size_t len)
{
	(void)x;
	return m->read(m->opaque, addr, buf, len) != 0 ? -EFAULT : 0;
}

void model_capture_in(struct opctx *x, const struct vdpa_mem *m, uint32_t req, uint64_t arg)
{
	const struct vdpa_ioctl_info *ri = vdpa_ioctl(req);
	if (!ri || !(ri->dir & VDPA_IOC_W) || !ri->size)
		return;
	if (m->read(m->opaque, arg, x->in, ri->size) != 0) {
		x->in_fault = true;
		return;
	}
	x->in_len = ri->size;
	uint32_t h[2];
	if (req == VDPA_REQ_VDPA_SET_CONFIG) {
		memcpy(h, x->in, 8);
		uint32_t n = h[1] < ARG_MAX_BYTES - 8 ? h[1] : ARG_MAX_BYTES - 8;
		if (m->read(m->opaque, arg + 8, x->in + 8, n) == 0)
			x->in_len += n;
	}
}

int model_wr(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, const void *buf, size_t len)
{
	if (m->write(m->opaque, addr, buf, len) != 0) {
		x->out_fault = true;
		return -EFAULT;
	}
	ctx_note(x->out, &x->out_len, buf, len);
	return 0;
}

static void emit(struct vdpa_dev *d, struct vc_event *ev)
{
	if (!d->obs)
		return;
	ev->session = d->session;
	ev->time_ns = -1;
	ev->dir = VC_DIR_FE_TO_BE;
	ev->src.file = "live";
	d->obs(ev, d->obs_opaque);
}

void model_emit_op(struct vdpa_dev *d, uint8_t kind, uint32_t req, long r, const struct opctx *x)
{
	struct vc_event ev = { .kind = kind };
	struct vc_vdpa_op *o = &ev.u.vdpa;
	o->fd = d->client_fd;
	o->request = req;
	o->has_result = true;
	o->ret = r < 0 ? -1 : r;
	o->err = r < 0 ? (int32_t)-r : 0;
	if (x) {
		o->in_known = !x->in_fault;
		o->out_known = !x->out_fault;
		o->in = x->in;
		o->in_len = x->in_len;
		o->out = x->out;
		o->out_len = x->out_len;
	}
	emit(d, &ev);
}

/* ---------- open / close ---------- */

int vdpa_dev_open(struct vdpa_dev *d, int client_fd)
{
	pthread_mutex_lock(&d->lock);
	int r = 0;
	if (d->opened && !(d->cfg.bad & VDPA_BAD_MULTI_OPEN))
		r = -EBUSY;
	if (!r) {
		if (!d->opened) {
			d->opened = true;
			d->session = (uint32_t)d->opens;
			d->opens++;
			d->client_fd = client_fd;
			model_reset(d); /* vhost_vdpa_open resets the device */
		}
	}
	struct vc_event ev = { .kind = VC_EV_VDPA_OPEN };
	ev.u.vdpa.fd = r ? -1 : client_fd;
	ev.u.vdpa.has_result = true;
	ev.u.vdpa.ret = r ? -1 : client_fd;
	ev.u.vdpa.err = r ? -r : 0;
	emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
	return r;
}

void vdpa_dev_release(struct vdpa_dev *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->opened) {
		struct vc_event ev = { .kind = VC_EV_VDPA_CLOSE };
		ev.u.vdpa.fd = d->client_fd;
		ev.u.vdpa.has_result = true;
		emit(d, &ev);
		release_locked(d);
	}
	pthread_mutex_unlock(&d->lock);
}

/* ---------- IOTLB ---------- */

static int iotlb_update(struct vdpa_dev *d, const struct vdpa_mem *m, struct iotlb *t,
			uint64_t iova, uint64_t size, uint64_t uaddr, uint8_t perm)
{
	if (iova < d->cfg.iova_first || !size || iova > UINT64_MAX - size + 1 ||
	    iova + size - 1 > d->cfg.iova_last)
		return -EINVAL;
	uint64_t last = iova + size - 1;
	if (vc_ranges_overlap(&t->r, iova, last, NULL) && !(d->cfg.bad & VDPA_BAD_OVERLAP))
		return -EEXIST;
	/* Pinning the pages: the user range must exist. */
	uint8_t b;
	if (uaddr > UINT64_MAX - (size - 1) || m->read(m->opaque, uaddr, &b, 1) ||
	    m->read(m->opaque, uaddr + size - 1, &b, 1))
		return -EFAULT;
	/* vhost_vdpa_pa_map: pinning past RLIMIT_MEMLOCK is -ENOMEM */
	if (d->cfg.memlock && (size > d->cfg.memlock || pinned(d) > d->cfg.memlock - size))
		return -ENOMEM;
	if (nmaps(d) >= d->cfg.max_maps ||
	    !vc_ranges_add(&t->r, &(struct vc_range){ iova, last, uaddr, perm }))
		return -ENOMEM;
	d->updates++;
	return 0;
}

static int process_msg(struct vdpa_dev *d, const struct vdpa_mem *m, uint32_t asid, uint8_t type,
		       uint64_t iova, uint64_t size, uint64_t uaddr, uint8_t perm)
{
	if (!d->owner)
		return -EPERM;
	struct iotlb *t = NULL;
	if (type == VDPA_IOTLB_UPDATE || type == VDPA_IOTLB_BATCH_BEGIN) {
		if (asid >= d->cfg.nas)
			return -EINVAL;
		t = &d->as[asid];
		t->alive = true;
	} else if (asid < d->cfg.nas && d->as[asid].alive) {
		t = &d->as[asid];
	}
	if ((d->in_batch && d->batch_asid != asid) || !t)
		return -EINVAL;
	switch (type) {
	case VDPA_IOTLB_UPDATE:
		return iotlb_update(d, m, t, iova, size, uaddr, perm);
	case VDPA_IOTLB_INVALIDATE:
		if (!(d->cfg.bad & VDPA_BAD_INVAL_LEAK))
			vc_ranges_remove(&t->r, iova, iova + size - 1);
		return 0;
	case VDPA_IOTLB_BATCH_BEGIN:
		d->batch_asid = asid;
		d->in_batch = true;
		return 0;
	case VDPA_IOTLB_BATCH_END:
		d->in_batch = false;
		return 0;
	default:
		return -EINVAL;
	}
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

long vdpa_dev_write(struct vdpa_dev *d, const struct vdpa_mem *m, uint64_t buf, size_t len)
{
	uint8_t b[VDPA_MSG_V2_SIZE];
	size_t want = len < sizeof b ? len : sizeof b;
	/* copy_from_iter() stops at a fault: a bad buffer is a short message. */
	bool readable = m->read(m->opaque, buf, b, want) == 0;
	pthread_mutex_lock(&d->lock);
	long r;
	uint32_t type = 0, asid = 0;
	if (readable && want >= 4)
		memcpy(&type, b, 4);
	if (!d->opened)
		r = -EBADF;
	else if (!readable || len < 4 || (type != VDPA_MSG_TYPE_IOTLB && type != VDPA_MSG_TYPE_IOTLB_V2) ||
		 len < VDPA_MSG_V2_IOTLB_OFF + 32)
		r = -EINVAL;
	else {
		if (type == VDPA_MSG_TYPE_IOTLB_V2 && (d->backend_acked & (1ull << VDPA_BF_IOTLB_ASID)))
			memcpy(&asid, b + VDPA_MSG_V2_ASID_OFF, 4);
		const uint8_t *io = b + VDPA_MSG_V2_IOTLB_OFF;
		uint8_t itype = io[VDPA_IOTLB_TYPE_OFF];
		uint64_t size = rd64(io + VDPA_IOTLB_SIZE_OFF);
		if ((itype == VDPA_IOTLB_UPDATE || itype == VDPA_IOTLB_INVALIDATE) && size == 0)
			r = -EINVAL;
		else if (process_msg(d, m, asid, itype, rd64(io + VDPA_IOTLB_IOVA_OFF), size,
				     rd64(io + VDPA_IOTLB_UADDR_OFF), io[VDPA_IOTLB_PERM_OFF]))
			r = -EFAULT;
		else
			r = VDPA_MSG_V2_SIZE;
	}
	/* The event: one whole message is an IOTLB event, anything else a
	 * raw write. */
	struct vc_event ev = { 0 };
	if (readable && len == VDPA_MSG_V2_SIZE &&
	    (type == VDPA_MSG_TYPE_IOTLB || type == VDPA_MSG_TYPE_IOTLB_V2)) {
		const uint8_t *io = b + VDPA_MSG_V2_IOTLB_OFF;
		ev.kind = VC_EV_VDPA_IOTLB;
		ev.u.iotlb.msg_type = type;
		if (type == VDPA_MSG_TYPE_IOTLB_V2)
			memcpy(&ev.u.iotlb.asid, b + VDPA_MSG_V2_ASID_OFF, 4);
		ev.u.iotlb.type = io[VDPA_IOTLB_TYPE_OFF];
		ev.u.iotlb.perm = io[VDPA_IOTLB_PERM_OFF];
		ev.u.iotlb.iova = rd64(io + VDPA_IOTLB_IOVA_OFF);
		ev.u.iotlb.size = rd64(io + VDPA_IOTLB_SIZE_OFF);
		ev.u.iotlb.uaddr = rd64(io + VDPA_IOTLB_UADDR_OFF);
		ev.u.iotlb.has_result = true;
		ev.u.iotlb.err = r < 0 ? (int32_t)-r : 0;
	} else {
		ev.kind = VC_EV_VDPA_WRITE;
		struct vc_vdpa_op *o = &ev.u.vdpa;
		o->fd = d->client_fd;
		o->has_result = true;
		o->ret = r < 0 ? -1 : r;
		o->err = r < 0 ? (int32_t)-r : 0;
		o->in_known = readable;
		o->in = b;
		o->in_len = readable ? (uint32_t)want : 0;
		o->len = len;
	}
	if (d->opened)
		emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* ---------- doorbells ---------- */

int vdpa_dev_mmap(struct vdpa_dev *d, uint64_t len, int prot, int flags, uint64_t off)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t pg = page > 0 ? (uint64_t)page : 4096;
	pthread_mutex_lock(&d->lock);
	int r = 0;
	uint64_t index = off / pg;
	if (!d->opened)
		r = -EBADF;
	else if (off % pg)
		r = -EINVAL;
	else if (len != pg)
		r = -EINVAL;
	else if (!(flags & MAP_SHARED))
		r = -EINVAL;
	else if ((prot & PROT_READ) && !(d->cfg.bad & VDPA_BAD_DOORBELL))
		r = -EINVAL;
	else if (!d->cfg.doorbell)
		r = -VDPA_ENOTSUPP; /* before the index, as vhost_vdpa_mmap tests them */
	else if (index > 65535 || index >= d->nvqs)
		r = -EINVAL; /* the parent has no notification area for it */
	if (!r)
		d->doorbells++;
	struct vc_event ev = { .kind = VC_EV_VDPA_MMAP };
	struct vc_vdpa_op *o = &ev.u.vdpa;
	o->fd = d->client_fd;
	o->has_result = true;
	o->ret = r ? -1 : 0;
	o->err = -r;
	o->len = len;
	o->off = off;
	o->prot = (uint32_t)prot;
	o->flags = (uint32_t)flags;
	if (d->opened)
		emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
	return r;
}

void vdpa_dev_munmap(struct vdpa_dev *d, uint64_t len, uint64_t off)
{
	pthread_mutex_lock(&d->lock);
	if (d->doorbells)
		d->doorbells--;
	struct vc_event ev = { .kind = VC_EV_VDPA_MMAP };
	ev.u.vdpa.fd = d->client_fd;
	ev.u.vdpa.has_result = true;
	ev.u.vdpa.len = len;
	ev.u.vdpa.off = off;
	ev.u.vdpa.unmap = true;
	if (d->opened)
		emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
}

void vdpa_get_stats(struct vdpa_dev *d, struct vdpa_stats *s)
{
	pthread_mutex_lock(&d->lock);
	memset(s, 0, sizeof *s);
	s->opens = d->opens;
	s->open = d->opened;
	s->maps = nmaps(d);
	for (uint32_t i = 0; i < MAX_VQS; i++)
		s->fds += (d->vq[i].kick >= 0) + (d->vq[i].call >= 0) + (d->vq[i].err >= 0);
	s->fds += d->config_call >= 0;
	s->doorbells = d->doorbells;
	s->status = d->status;
	s->iotlb_updates = d->updates;
	pthread_mutex_unlock(&d->lock);
}

size_t vdpa_get_maps(struct vdpa_dev *d, struct vdpa_map_info *out, size_t max)
{
	size_t n = 0;
	pthread_mutex_lock(&d->lock);
	for (uint32_t a = 0; a < MAX_AS; a++)
		for (size_t i = 0; i < d->as[a].r.n; i++, n++)
			if (n < max) {
				const struct vc_range *mp = vc_ranges_get(&d->as[a].r, i);
				out[n] = (struct vdpa_map_info){ a, mp->first, mp->last - mp->first + 1, mp->uaddr,
								 mp->perm };
			}
	pthread_mutex_unlock(&d->lock);
	return n;
}

void vdpa_get_config_space(struct vdpa_dev *d, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&d->lock);
	memcpy(buf, d->config, len < VDPA_NETCFG_SIZE ? len : VDPA_NETCFG_SIZE);
	pthread_mutex_unlock(&d->lock);
}
