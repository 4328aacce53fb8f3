/* The fake vDPA device model: the kernel's vhost-vdpa semantics and errnos
 * (drivers/vhost/vdpa.c over vhost.c) with a simulated virtio-net parent.
 * Order of checks follows the kernel so the errno a caller sees for a
 * request with several problems is the kernel's. */
#include "fakes/vdpa/vdpa.h"
#include "vcts/vdpa_uapi.h"
#include "lib/parse_num.h"
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

#define MAX_VQS 64u       /* queue_pairs is capped so that 2 * qp + 1 <= MAX_VQS */
#define MAX_AS 16u
#define ARG_MAX_BYTES 4096u /* bytes of one ioctl argument kept for the event */

struct iotlb {
	bool alive;        /* allocated (first UPDATE or BATCH_BEGIN) */
	struct vc_ranges r; /* non-overlapping unless the fake is told to be bad */
};

struct vq {
	uint32_t num;
	uint32_t base;
	bool ready;
	uint64_t desc, avail, used, log;
	uint32_t addr_flags;
	int kick, call, err;   /* our dups, -1 none */
};

struct vdpa_dev {
	pthread_mutex_t lock;
	struct vdpa_cfg cfg;
	uint32_t nvqs;
	vdpa_observer obs;
	void *obs_opaque;
	/* the open file */
	bool opened;
	int client_fd;
	uint32_t session;
	uint64_t opens;
	bool owner;
	uint64_t backend_acked;
	/* the parent */
	uint8_t status;
	uint64_t driver_features;
	bool suspended;
	uint8_t config[VDPA_NETCFG_SIZE];
	struct vq vq[MAX_VQS];
	uint32_t group_asid[MAX_AS];
	int config_call;
	struct iotlb as[MAX_AS];
	bool in_batch;
	uint32_t batch_asid;
	uint32_t doorbells;
	uint64_t get_features_calls;
	uint64_t updates;
};

void vdpa_cfg_default(struct vdpa_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->device_id = VDPA_VIRTIO_ID_NET;
	c->features = (1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM) |
		      (1ull << VDPA_F_NET_MAC) | (1ull << VDPA_F_NET_STATUS) |
		      (1ull << VDPA_F_NET_MTU) | (1ull << VDPA_F_NET_CTRL_VQ) |
		      (1ull << VDPA_F_NET_MRG_RXBUF) | (1ull << VDPA_F_RING_INDIRECT_DESC) |
		      (1ull << VDPA_F_RING_EVENT_IDX);
	c->queue_pairs = 1;
	c->ctrl_vq = true;
	c->vq_num_max = 256;
	c->iova_first = 0;
	c->iova_last = UINT64_MAX;
	c->ngroups = 2;
	c->nas = 2;
	c->doorbell = true;
	c->need_access_platform = true;
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	memcpy(c->mac, mac, 6);
	c->mtu = 1500;
	c->link_up = true;
	c->max_maps = 65536;
}

uint32_t vdpa_cfg_nvqs(const struct vdpa_cfg *c)
{
	return 2u * c->queue_pairs + (c->ctrl_vq ? 1u : 0u);
}

static const struct {
	const char *name;
	uint32_t bit;
} bad_names[] = {
	{ "unstable", VDPA_BAD_UNSTABLE }, { "config-bounds", VDPA_BAD_CONFIG_BOUNDS },
	{ "vring-index", VDPA_BAD_VRING_INDEX }, { "overlap", VDPA_BAD_OVERLAP },
	{ "multi-open", VDPA_BAD_MULTI_OPEN }, { "doorbell", VDPA_BAD_DOORBELL },
	{ "inval-leak", VDPA_BAD_INVAL_LEAK }, { "status-clear", VDPA_BAD_STATUS_CLEAR },
	{ "feat-after-ok", VDPA_BAD_FEAT_AFTER_OK }, { "close-leak", VDPA_BAD_CLOSE_LEAK },
	{ "backend-unknown", VDPA_BAD_BACKEND_UNKNOWN },
};

const char *vdpa_cfg_help(void)
{
	return "qp=N (1-31), ctrl-vq=0|1, num=N (vq size max), iova=FIRST-LAST, groups=N, as=N,\n"
	       "features=0xHEX (device features), suspend, resume, enable-after-driver-ok,\n"
	       "no-doorbell, no-access-platform-check, link=0|1, mtu=N, max-maps=N,\n"
	       "memlock=BYTES (pinning limit: a larger UPDATE fails, as past RLIMIT_MEMLOCK),\n"
	       "no-ioctl=NAME[+NAME] (an older kernel or parent: e.g. VDPA_GET_VQS_COUNT, VDPA_SUSPEND),\n"
	       "bad=NAME[+NAME] (unstable config-bounds vring-index overlap multi-open doorbell\n"
	       "inval-leak status-clear feat-after-ok close-leak backend-unknown)";
}

static bool in_range(uint64_t x, uint64_t lo, uint64_t hi)
{
	return x >= lo && x <= hi;
}

int vdpa_cfg_parse(struct vdpa_cfg *c, const char *spec, char *err, size_t errlen)
{
	const char *p = spec;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t kl = eq ? (size_t)(eq - p) : n;
		const char *v = eq ? eq + 1 : NULL;
		size_t vl = eq ? n - kl - 1 : 0;
		uint64_t x = 0;
#define KEY(k) (kl == strlen(k) && memcmp(p, k, kl) == 0)
#define NUM(lo, hi) (v && vc_parse_u64(v, vl, &x) && in_range(x, lo, hi))
		if (KEY("qp") && NUM(1, (MAX_VQS - 1) / 2))
			c->queue_pairs = (uint16_t)x;
		else if (KEY("ctrl-vq") && NUM(0, 1))
			c->ctrl_vq = x;
		else if (KEY("num") && NUM(1, 32768))
			c->vq_num_max = (uint16_t)x;
		else if (KEY("groups") && NUM(1, MAX_AS))
			c->ngroups = (uint32_t)x;
		else if (KEY("as") && NUM(1, MAX_AS))
			c->nas = (uint32_t)x;
		else if (KEY("features") && NUM(0, UINT64_MAX))
			c->features = x;
		else if (KEY("mtu") && NUM(68, 65535))
			c->mtu = (uint16_t)x;
		else if (KEY("link") && NUM(0, 1))
			c->link_up = x;
		else if (KEY("memlock") && NUM(4096, UINT64_MAX))
			c->memlock = x;
		else if (KEY("max-maps") && NUM(1, 1u << 24))
			c->max_maps = (uint32_t)x;
		else if (KEY("suspend") && !v)
			c->parent_backend |= 1ull << VDPA_BF_SUSPEND;
		else if (KEY("resume") && !v)
			c->parent_backend |= 1ull << VDPA_BF_RESUME;
		else if (KEY("enable-after-driver-ok") && !v)
			c->parent_backend |= 1ull << VDPA_BF_ENABLE_AFTER_DRIVER_OK;
		else if (KEY("no-doorbell") && !v)
			c->doorbell = false;
		else if (KEY("no-access-platform-check") && !v)
			c->need_access_platform = false;
		else if (KEY("iova") && v) {
			const char *dash = memchr(v, '-', vl);
			uint64_t a, b;
			if (!dash || !vc_parse_u64(v, (size_t)(dash - v), &a) ||
			    !vc_parse_u64(dash + 1, vl - (size_t)(dash - v) - 1, &b) || a > b) {
				snprintf(err, errlen, "iova=FIRST-LAST with FIRST <= LAST expected");
				return -1;
			}
			c->iova_first = a;
			c->iova_last = b;
		} else if (KEY("no-ioctl") && v) {
			const char *q = v, *qe = v + vl;
			while (q < qe) {
				const char *plus = memchr(q, '+', (size_t)(qe - q));
				size_t ql = plus ? (size_t)(plus - q) : (size_t)(qe - q);
				const struct vdpa_ioctl_info *ri = vdpa_ioctl_by_name(q, ql);
				if (!ri || ri->request == VDPA_REQ_SET_OWNER) {
					snprintf(err, errlen, "unknown ioctl '%.*s' for no-ioctl", (int)(ql > 40 ? 40 : ql), q);
					return -1;
				}
				unsigned nr = ri->request & 0xff;
				c->absent[nr / 32] |= 1u << (nr % 32);
				q += ql + (plus ? 1 : 0);
			}
		} else if (KEY("bad") && v) {
			const char *q = v, *qe = v + vl;
			while (q < qe) {
				const char *plus = memchr(q, '+', (size_t)(qe - q));
				size_t ql = plus ? (size_t)(plus - q) : (size_t)(qe - q);
				size_t i;
				for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
					if (strlen(bad_names[i].name) == ql &&
					    memcmp(bad_names[i].name, q, ql) == 0)
						break;
				if (i == sizeof bad_names / sizeof bad_names[0]) {
					snprintf(err, errlen, "unknown misbehaviour '%.*s'", (int)(ql > 40 ? 40 : ql), q);
					return -1;
				}
				c->bad |= bad_names[i].bit;
				q += ql + (plus ? 1 : 0);
			}
		} else {
			snprintf(err, errlen, "bad device option '%.*s'", (int)(n > 60 ? 60 : n), p);
			return -1;
		}
#undef KEY
#undef NUM
		p = end ? end + 1 : NULL;
	}
	return 0;
}

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

static void put_fd(int *fd)
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
static void dev_reset(struct vdpa_dev *d)
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
	dev_reset(d);
	for (uint32_t i = 0; i < MAX_VQS; i++) {
		put_fd(&d->vq[i].kick);
		put_fd(&d->vq[i].call);
		put_fd(&d->vq[i].err);
	}
	put_fd(&d->config_call);
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

struct opctx {
	uint8_t in[ARG_MAX_BYTES], out[ARG_MAX_BYTES];
	uint32_t in_len, out_len;
	bool in_fault, out_fault;
};

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
static int rd(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, void *buf, size_t len)
{
	(void)x;
	return m->read(m->opaque, addr, buf, len) != 0 ? -EFAULT : 0;
}

static void capture_in(struct opctx *x, const struct vdpa_mem *m, uint32_t req, uint64_t arg)
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

static int wr(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, const void *buf, size_t len)
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

static void emit_op(struct vdpa_dev *d, uint8_t kind, uint32_t req, long r, const struct opctx *x)
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
			dev_reset(d); /* vhost_vdpa_open resets the device */
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

/* ---------- ioctls ---------- */

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
	if (rd(x, m, arg, &idx, 4))
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
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		q->ready = s[1] != 0;
		return 0;
	case VDPA_REQ_VDPA_GET_VRING_GROUP:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		s[0] = idx;
		s[1] = group_of(d, bad_idx ? 0 : idx);
		return wr(x, m, arg, s, 8);
	case VDPA_REQ_VDPA_GET_VRING_DESC_GROUP:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		return -EOPNOTSUPP;
	case VDPA_REQ_VDPA_SET_GROUP_ASID:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		if (s[1] >= d->cfg.nas)
			return -EINVAL;
		if (idx >= d->cfg.ngroups)
			return -EINVAL;
		d->group_asid[idx] = s[1];
		return 0;
	case VDPA_REQ_GET_VRING_BASE:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		s[0] = idx;
		s[1] = q->base;
		return wr(x, m, arg, s, 8);
	case VDPA_REQ_SET_VRING_NUM:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		if (!s[1] || s[1] > 0xffff || (s[1] & (s[1] - 1)))
			return -EINVAL;
		q->num = s[1];
		return 0;
	case VDPA_REQ_SET_VRING_BASE:
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		if (s[1] > 0xffff)
			return -EINVAL;
		q->base = s[1];
		return 0;
	case VDPA_REQ_SET_VRING_ADDR:
		if (rd(x, m, arg, a, VDPA_SZ_VRING_ADDR))
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
		if (rd(x, m, arg, s, 8))
			return -EFAULT;
		int fd = (int)s[1], nfd = -1;
		if (fd != VDPA_FILE_UNBIND) {
			r = take_eventfd(m, fd, &nfd);
			if (r)
				return r;
		}
		int *slot = req == VDPA_REQ_SET_VRING_KICK ? &q->kick
			    : req == VDPA_REQ_SET_VRING_CALL ? &q->call : &q->err;
		put_fd(slot);
		*slot = nfd;
		if (bad_idx)
			put_fd(slot);
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
		if (rd(x, m, arg, &u64, 8))
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
		return wr(x, m, arg, &d->cfg.device_id, 4);
	case VDPA_REQ_VDPA_GET_STATUS:
		return wr(x, m, arg, &d->status, 1);
	case VDPA_REQ_VDPA_SET_STATUS: {
		if (rd(x, m, arg, &u8, 1))
			return -EFAULT;
		uint8_t old = d->status;
		if (u8 != 0 && (old & ~u8) && !(d->cfg.bad & VDPA_BAD_STATUS_CLEAR))
			return -EINVAL;
		if (u8 == 0) {
			dev_reset(d);
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
		if (rd(x, m, arg, h, 8))
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
			r = wr(x, m, arg + 8, buf, h[1]);
		} else {
			r = rd(x, m, arg + 8, buf, h[1]);
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
		return wr(x, m, arg, &u64, 8);
	case VDPA_REQ_SET_FEATURES:
		if ((d->status & VDPA_S_FEATURES_OK) && !(d->cfg.bad & VDPA_BAD_FEAT_AFTER_OK))
			return -EBUSY;
		if (rd(x, m, arg, &u64, 8))
			return -EFAULT;
		if (d->cfg.need_access_platform && !(u64 & (1ull << VDPA_F_ACCESS_PLATFORM)))
			return -EINVAL;
		d->driver_features = u64 & d->cfg.features;
		return 0;
	case VDPA_REQ_VDPA_GET_VRING_NUM: {
		uint16_t n = d->cfg.vq_num_max;
		return wr(x, m, arg, &n, 2);
	}
	case VDPA_REQ_VDPA_GET_GROUP_NUM:
		return wr(x, m, arg, &d->cfg.ngroups, 4);
	case VDPA_REQ_VDPA_GET_AS_NUM:
		return wr(x, m, arg, &d->cfg.nas, 4);
	case VDPA_REQ_SET_LOG_BASE:
	case VDPA_REQ_SET_LOG_FD:
		return -ENOTTY;
	case VDPA_REQ_VDPA_SET_CONFIG_CALL: {
		int fd, nfd = -1;
		if (rd(x, m, arg, &fd, 4))
			return -EFAULT;
		if (fd != VDPA_FILE_UNBIND) {
			int r = take_eventfd(m, fd, &nfd);
			if (r)
				return r;
		}
		put_fd(&d->config_call);
		d->config_call = nfd;
		return 0;
	}
	case VDPA_REQ_GET_BACKEND_FEATURES:
		u64 = backend_offered(d);
		return wr(x, m, arg, &u64, 8);
	case VDPA_REQ_VDPA_GET_IOVA_RANGE: {
		uint64_t r2[2] = { d->cfg.iova_first, d->cfg.iova_last };
		return wr(x, m, arg, r2, 16);
	}
	case VDPA_REQ_VDPA_GET_CONFIG_SIZE:
		u32 = VDPA_NETCFG_SIZE;
		return wr(x, m, arg, &u32, 4);
	case VDPA_REQ_VDPA_GET_VQS_COUNT:
		return wr(x, m, arg, &d->nvqs, 4);
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
		if (rd(x, m, arg, h, 8))
			return -EFAULT;
		if (h[0] > 509) /* vhost's max_mem_regions default */
			return -E2BIG;
		uint8_t reg[32];
		for (uint32_t i = 0; i < h[0]; i++)
			if (rd(x, m, arg + 8 + 32ull * i, reg, 32))
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
	capture_in(x, m, request, arg);
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
	emit_op(d, VC_EV_VDPA_IOCTL, request, r, x);
	pthread_mutex_unlock(&d->lock);
	free(x);
	return r;
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
