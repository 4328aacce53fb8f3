/* The fake device served through VDUSE: a virtio-blk RAM disk. The kernel
 * relays to us what the vDPA bus asks of a parent (SET_STATUS,
 * GET_VQ_STATE, UPDATE_IOTLB); the rings and buffers are the client's
 * memory, reached through VDUSE_IOTLB_GET_FD and mmap. Everything the
 * client put in the rings is hostile: descriptor indexes, chain lengths,
 * addresses and sizes are checked before use. What the kernel relays also
 * goes to the observer as the client's events (vduse_relay.h). */
#include "fakes/vdpa/vduse.h"
#include "fakes/vdpa/vduse_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vduse.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/xalloc.h"

#define VQ_MAX 256u        /* the one queue's max size (VDUSE_VQ_SETUP) */
#define MAPS_MAX 64u       /* IOTLB regions mapped at once */
#define SECTOR 512u

struct map {
	uint64_t start, last; /* IOVA range */
	uint8_t *ptr;         /* our mapping of it */
	size_t len;
	uint8_t perm;
	bool busy; /* a pointer into it is held by the request being served */
};

struct fake {
	const struct vduse_fake_opts *o;
	struct vduse_fake_stats *st;
	int dev, kick;
	uint8_t *disk;
	uint64_t sectors;
	struct map maps[MAPS_MAX];
	unsigned nmaps;
	/* the queue, valid once DRIVER_OK was seen */
	bool started;
	uint32_t num;
	uint64_t desc, avail, used;
	uint16_t last_avail;
	uint8_t status;
	uint64_t features;    /* offered */
	struct vduse_relay relay;
	struct vduse_relay_map *snap; /* VDUSE_RELAY_MAX_MAPS, for the IOTLB read back */
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void logf_(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct fake *f, const char *fmt, ...)
{
	if (!f->o->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("vduse: ", f->o->log);
	vfprintf(f->o->log, fmt, ap);
	fputc('\n', f->o->log);
	fflush(f->o->log);
	va_end(ap);
}

static void unmap_range(struct fake *f, uint64_t start, uint64_t last)
{
	for (unsigned i = 0; i < f->nmaps;) {
		struct map *m = &f->maps[i];
		if (m->start <= last && start <= m->last) {
			munmap(m->ptr, m->len);
			*m = f->maps[--f->nmaps];
		} else {
			i++;
		}
	}
}

/* Our pointer to [iova, iova + len) with perm (VDUSE_ACCESS_*), or NULL
 * when the IOTLB does not map all of it in one region. */
static uint8_t *dma(struct fake *f, uint64_t iova, uint64_t len, uint8_t perm)
{
	if (len == 0 || iova + len - 1 < iova)
		return NULL;
	struct map *m = NULL;
	for (unsigned i = 0; i < f->nmaps; i++)
		if (f->maps[i].start <= iova && iova <= f->maps[i].last)
			m = &f->maps[i];
	if (!m) {
		struct vduse_iotlb_entry e = { .start = iova, .last = iova };
		int fd = ioctl(f->dev, VDUSE_IOTLB_GET_FD, &e);
		if (fd < 0)
			return NULL;
		uint64_t sz = e.last - e.start + 1;
		if (e.start > iova || e.last < iova || sz == 0 || sz > (1ull << 40)) {
			close(fd);
			return NULL;
		}
		int prot = (e.perm & VDUSE_ACCESS_RO ? PROT_READ : 0) | (e.perm & VDUSE_ACCESS_WO ? PROT_WRITE : 0);
		void *p = mmap(NULL, sz, prot ? prot : PROT_NONE, MAP_SHARED, fd, (off_t)e.offset);
		close(fd);
		if (p == MAP_FAILED)
			return NULL;
		if (f->nmaps == MAPS_MAX) {
			/* Evict a region no pointer of this request points into:
			 * the rings and the chain's segments stay mapped. */
			unsigned v = 0;
			while (v < f->nmaps && f->maps[v].busy)
				v++;
			if (v == f->nmaps) {
				munmap(p, sz);
				return NULL;
			}
			munmap(f->maps[v].ptr, f->maps[v].len);
			f->maps[v] = f->maps[--f->nmaps];
		}
		m = &f->maps[f->nmaps++];
		*m = (struct map){ e.start, e.last, p, sz, e.perm, false };
	}
	if (len - 1 > m->last - iova || (m->perm & perm) != perm)
		return NULL;
	m->busy = true;
	return m->ptr + (iova - m->start);
}

/* Every region may be evicted again, but those holding `keep` (may be NULL). */
static void unpin_all_but(struct fake *f, const uint8_t *keep1, const uint8_t *keep2)
{
	for (unsigned i = 0; i < f->nmaps; i++) {
		const struct map *m = &f->maps[i];
		bool k1 = keep1 && keep1 >= m->ptr && keep1 < m->ptr + m->len;
		bool k2 = keep2 && keep2 >= m->ptr && keep2 < m->ptr + m->len;
		f->maps[i].busy = k1 || k2;
	}
}

static void inject(struct fake *f)
{
	uint32_t q = 0;
	if (ioctl(f->dev, VDUSE_VQ_INJECT_IRQ, &q) != 0)
		logf_(f, "VQ_INJECT_IRQ: %s", strerror(errno));
}

/* One request: its chain gathered into a header, data segments and the
 * status byte. Returns the bytes written into the client's buffers, or -1
 * when the chain itself is malformed (then it is completed with length 0). */
static int64_t serve_chain(struct fake *f, uint16_t head)
{
	struct vring_desc *dt = (struct vring_desc *)dma(f, f->desc, 16ull * f->num, VDUSE_ACCESS_RO);
	if (!dt)
		return f->st->dma_faults++, -1;
	struct seg {
		uint8_t *p;
		uint32_t len;
		bool w;
	} segs[VQ_MAX];
	unsigned n = 0;
	uint16_t i = head;
	for (;;) {
		if (i >= f->num || n >= f->num)
			return -1; /* out of the table, or a loop */
		struct vring_desc d;
		memcpy(&d, &dt[i], sizeof d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return -1; /* not offered */
		bool w = d.flags & VRING_DESC_F_WRITE;
		uint8_t *p = dma(f, d.addr, d.len, w ? VDUSE_ACCESS_WO : VDUSE_ACCESS_RO);
		if (!p)
			return f->st->dma_faults++, -1;
		segs[n++] = (struct seg){ p, d.len, w };
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
	}
	/* header (read-only, 16 bytes), data, status (last, writable, >= 1 byte) */
	struct virtio_blk_outhdr h;
	if (n < 2 || segs[0].w || segs[0].len < sizeof h || !segs[n - 1].w || segs[n - 1].len < 1)
		return f->st->blk_bad++, -1;
	memcpy(&h, segs[0].p, sizeof h);
	uint8_t status = VIRTIO_BLK_S_OK;
	uint64_t sector = h.sector, written = 0;
	bool in = h.type == VIRTIO_BLK_T_IN, out = h.type == VIRTIO_BLK_T_OUT;
	if (in || out) {
		in ? f->st->blk_in++ : f->st->blk_out++;
		for (unsigned s = 1; s + 1 < n; s++) {
			uint64_t len = segs[s].len;
			if (segs[s].w != in || len % SECTOR || sector > f->sectors ||
			    len / SECTOR > f->sectors - sector) {
				status = VIRTIO_BLK_S_IOERR;
				break;
			}
			uint8_t *at = f->disk + sector * SECTOR;
			if (in) {
				memcpy(segs[s].p, at, len);
				if (f->o->bad & VDUSE_BAD_CORRUPT)
					segs[s].p[0] ^= 0x01;
				written += len;
			} else {
				memcpy(at, segs[s].p, len);
			}
			sector += len / SECTOR;
		}
	} else if (h.type == VIRTIO_BLK_T_FLUSH) {
		f->st->blk_other++;
	} else {
		f->st->blk_other++;
		status = VIRTIO_BLK_S_UNSUPP;
	}
	segs[n - 1].p[segs[n - 1].len - 1] = status;
	return (int64_t)written + 1;
}

static void serve_queue(struct fake *f)
{
	if (!f->started)
		return;
	unpin_all_but(f, NULL, NULL);
	uint8_t *av = dma(f, f->avail, 4 + 2ull * f->num, VDUSE_ACCESS_RO);
	uint8_t *us = dma(f, f->used, 4 + 8ull * f->num, VDUSE_ACCESS_WO);
	if (!av || !us) {
		f->st->dma_faults++;
		logf_(f, "rings not mapped (avail 0x%llx used 0x%llx)", (unsigned long long)f->avail,
		      (unsigned long long)f->used);
		return;
	}
	bool done = false;
	for (;;) {
		uint16_t aidx;
		__atomic_load(&((uint16_t *)av)[1], &aidx, __ATOMIC_ACQUIRE);
		if (aidx == f->last_avail)
			break;
		if ((uint16_t)(aidx - f->last_avail) > f->num) {
			logf_(f, "avail idx %u is %u ahead of %u (num %u)", aidx, (uint16_t)(aidx - f->last_avail),
			      f->last_avail, f->num);
			break;
		}
		uint16_t head;
		memcpy(&head, av + 4 + 2 * (f->last_avail % f->num), 2);
		f->last_avail++;
		if (f->o->bad & VDUSE_BAD_DROP)
			continue;
		unpin_all_but(f, av, us); /* the last chain's segments may go */
		int64_t len = serve_chain(f, head);
		uint16_t uidx;
		memcpy(&uidx, us + 2, 2);
		uint32_t e[2] = { head, len < 0 ? 0 : (uint32_t)len };
		memcpy(us + 4 + 8 * (uidx % f->num), e, 8);
		uidx++;
		__atomic_store(&((uint16_t *)us)[1], &uidx, __ATOMIC_RELEASE);
		done = true;
	}
	if (done)
		inject(f);
}

static void start_queue(struct fake *f)
{
	struct vduse_vq_info vi = { .index = 0 };
	if (ioctl(f->dev, VDUSE_VQ_GET_INFO, &vi) != 0) {
		logf_(f, "VQ_GET_INFO: %s", strerror(errno));
		return;
	}
	if (!vi.ready || vi.num == 0 || vi.num > VQ_MAX || (vi.num & (vi.num - 1))) {
		logf_(f, "vq 0 not started: ready %u num %u", vi.ready, vi.num);
		return;
	}
	/* A reset (vduse_dev_reset) drops the kick eventfd: set it again for
	 * every start, as libvduse does at DRIVER_OK. */
	struct vduse_vq_eventfd ke = { .index = 0, .fd = f->kick };
	if (ioctl(f->dev, VDUSE_VQ_SETUP_KICKFD, &ke) != 0) {
		logf_(f, "VQ_SETUP_KICKFD: %s", strerror(errno));
		return;
	}
	/* The kernel bounds num by max_size; a device model does not trust it. */
	if (vi.num == 0 || vi.num > VQ_MAX) {
		logf_(f, "vq 0 size %u outside 1..%u: not started", vi.num, VQ_MAX);
		return;
	}
	f->num = vi.num;
	f->desc = vi.desc_addr;
	f->avail = vi.driver_addr;
	f->used = vi.device_addr;
	f->last_avail = vi.split.avail_index;
	f->started = true;
	logf_(f, "vq 0 started: num %u desc 0x%llx avail 0x%llx used 0x%llx base %u", f->num,
	      (unsigned long long)f->desc, (unsigned long long)f->avail, (unsigned long long)f->used,
	      f->last_avail);
	serve_queue(f); /* kicks before DRIVER_OK are not lost */
}

/* The whole IOTLB as VDUSE holds it now: each VDUSE_IOTLB_GET_INFO names
 * the lowest entry overlapping [at, ~0]. Not VDUSE_IOTLB_GET_FD: for an
 * entry whose permission is not RO, WO or RW (vhost-vdpa accepts any from
 * the client) it WARNs in perm_to_file_flags (6.1; fuzz/FINDINGS.md).
 * GET_INFO does not tell the permission: the entries are reported RW. */
static size_t iotlb_snapshot(struct fake *f)
{
	uint64_t at = 0;
	size_t n = 0;
	while (n < VDUSE_RELAY_MAX_MAPS) {
		struct vduse_iova_info e = { .start = at, .last = UINT64_MAX };
		if (ioctl(f->dev, VDUSE_IOTLB_GET_INFO, &e) != 0)
			break;
		if (e.last < e.start || e.last < at)
			break;
		f->snap[n++] = (struct vduse_relay_map){ e.start, e.last, VDUSE_ACCESS_RW };
		if (e.last == UINT64_MAX)
			break;
		at = e.last + 1;
	}
	if (n == VDUSE_RELAY_MAX_MAPS)
		logf_(f, "IOTLB read back: more than %u entries, the rest not judged", VDUSE_RELAY_MAX_MAPS);
	return n;
}

/* The relayed SET_STATUS, with what VDUSE shows of the client's setup. */
static void relay_status(struct fake *f, uint8_t s)
{
	if (!f->o->observe)
		return;
	uint64_t feat = 0;
	struct vduse_relay_vq vq = { 0 };
	if (s) {
		if (ioctl(f->dev, VDUSE_DEV_GET_FEATURES, &feat) != 0)
			logf_(f, "DEV_GET_FEATURES: %s", strerror(errno));
		struct vduse_vq_info vi = { .index = 0 };
		if (ioctl(f->dev, VDUSE_VQ_GET_INFO, &vi) == 0)
			vq = (struct vduse_relay_vq){ vi.num, vi.desc_addr, vi.driver_addr, vi.device_addr,
						      vi.split.avail_index, vi.ready != 0 };
		else
			logf_(f, "VQ_GET_INFO: %s", strerror(errno));
	}
	vduse_relay_status(&f->relay, s, feat, &vq);
}

static void control(struct fake *f)
{
	struct vduse_dev_request q;
	ssize_t n = read(f->dev, &q, sizeof q);
	if (n != (ssize_t)sizeof q)
		return;
	struct vduse_dev_response r = { .request_id = q.request_id, .result = VDUSE_REQ_RESULT_OK };
	f->st->requests++;
	switch (q.type) {
	case VDUSE_GET_VQ_STATE:
		f->st->vq_state_gets++;
		vduse_relay_vq_state(&f->relay, q.vq_state.index);
		r.vq_state.index = q.vq_state.index;
		if (q.vq_state.index == 0)
			r.vq_state.split.avail_index = f->last_avail;
		else
			r.result = VDUSE_REQ_RESULT_FAILED;
		break;
	case VDUSE_SET_STATUS: {
		uint8_t s = q.s.status, was = f->status;
		f->st->status_sets++;
		relay_status(f, s);
		f->status = f->st->last_status = s;
		if (s == 0) {
			f->started = false;
			f->last_avail = 0;
		} else if ((s & VIRTIO_CONFIG_S_DRIVER_OK) && !(was & VIRTIO_CONFIG_S_DRIVER_OK)) {
			start_queue(f);
		}
		break;
	}
	case VDUSE_UPDATE_IOTLB:
		f->st->iotlb_updates++;
		unmap_range(f, q.iova.start, q.iova.last);
		/* VDUSE already holds the new IOTLB (vduse_domain_set_map runs
		 * before the relay): read it before the client goes on. */
		if (f->o->observe)
			vduse_relay_iotlb(&f->relay, f->snap, iotlb_snapshot(f));
		break;
	default:
		r.result = VDUSE_REQ_RESULT_FAILED;
	}
	if (write(f->dev, &r, sizeof r) != (ssize_t)sizeof r)
		logf_(f, "response %u: %s", q.request_id, strerror(errno));
}

static int create(struct fake *f, int ctl, char *err, size_t errlen)
{
	uint64_t v = 0;
	if (ioctl(ctl, VDUSE_GET_API_VERSION, &v) != 0 || v != VDUSE_API_VERSION) {
		snprintf(err, errlen, "/dev/vduse/control: API version %llu, this fake speaks %d",
			 (unsigned long long)v, VDUSE_API_VERSION);
		return -1;
	}
	v = VDUSE_API_VERSION;
	if (ioctl(ctl, VDUSE_SET_API_VERSION, &v) != 0) {
		snprintf(err, errlen, "VDUSE_SET_API_VERSION: %s", strerror(errno));
		return -1;
	}
	struct virtio_blk_config bc;
	memset(&bc, 0, sizeof bc);
	bc.capacity = f->sectors;
	bc.blk_size = SECTOR;
	bc.seg_max = VQ_MAX - 2;
	size_t len = sizeof(struct vduse_dev_config) + sizeof bc;
	struct vduse_dev_config *c = xcalloc(1, len);
	snprintf(c->name, sizeof c->name, "%s", f->o->name);
	c->device_id = VIRTIO_ID_BLOCK;
	c->features = f->features = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		      (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
		      (1ull << VIRTIO_BLK_F_FLUSH);
	c->vq_num = 1;
	c->vq_align = 4096;
	c->config_size = sizeof bc;
	memcpy(c->config, &bc, sizeof bc);
	int r = ioctl(ctl, VDUSE_CREATE_DEV, c);
	free(c);
	if (r != 0) {
		snprintf(err, errlen, "VDUSE_CREATE_DEV %s: %s", f->o->name, strerror(errno));
		return -1;
	}
	char path[VDUSE_NAME_MAX + 16];
	snprintf(path, sizeof path, "/dev/vduse/%s", f->o->name);
	for (int i = 0; i < 100 && (f->dev = open(path, O_RDWR | O_CLOEXEC)) < 0 && errno == ENOENT; i++)
		usleep(20000); /* devtmpfs creates the node asynchronously */
	if (f->dev < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct vduse_vq_config vq = { .index = 0, .max_size = VQ_MAX };
	if (ioctl(f->dev, VDUSE_VQ_SETUP, &vq) != 0) {
		snprintf(err, errlen, "%s: VQ_SETUP: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int vduse_fake_run(const struct vduse_fake_opts *o, struct vduse_fake_stats *st, char *err, size_t errlen)
{
	struct fake f = { .o = o, .st = st, .dev = -1, .kick = -1 };
	memset(st, 0, sizeof *st);
	f.sectors = o->sectors ? o->sectors : 2048;
	if (!o->name || !o->name[0] || strlen(o->name) >= VDUSE_NAME_MAX || strchr(o->name, '/')) {
		snprintf(err, errlen, "--vduse: a device name of 1..%d characters without '/'", VDUSE_NAME_MAX - 1);
		return -1;
	}
	int ctl = open("/dev/vduse/control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(err, errlen, "/dev/vduse/control: %s (the vduse module, root)", strerror(errno));
		return -1;
	}
	f.kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f.disk = xcalloc(f.sectors, SECTOR);
	int rc = -1;
	if (f.kick < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto out;
	}
	if (create(&f, ctl, err, errlen) != 0)
		goto destroy;
	if (o->observe) {
		f.snap = xcalloc(VDUSE_RELAY_MAX_MAPS, sizeof *f.snap);
		vduse_relay_start(&f.relay, f.features, 1, VQ_MAX, o->observe, o->observe_opaque);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	FILE *ready = o->ready ? o->ready : stdout;
	fprintf(ready, "vduse: ready %s\n", o->name);
	fflush(ready);
	while (!stop_flag) {
		struct pollfd p[2] = { { f.dev, POLLIN, 0 }, { f.kick, POLLIN, 0 } };
		int n = poll(p, 2, 200);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		if (p[0].revents & POLLIN)
			control(&f);
		if (p[1].revents & POLLIN) {
			uint64_t c;
			if (read(f.kick, &c, sizeof c) == (ssize_t)sizeof c)
				serve_queue(&f);
		}
	}
	rc = 0;
	vduse_relay_end(&f.relay);
destroy:
	unmap_range(&f, 0, UINT64_MAX);
	if (f.dev >= 0)
		close(f.dev);
	{
		char name[VDUSE_NAME_MAX] = { 0 };
		snprintf(name, sizeof name, "%s", o->name);
		if (ioctl(ctl, VDUSE_DESTROY_DEV, name) != 0 && rc == 0 && errno != ENOENT)
			logf_(&f, "VDUSE_DESTROY_DEV %s: %s (still attached? vdpa dev del first)", o->name,
			      strerror(errno));
	}
out:
	if (f.kick >= 0)
		close(f.kick);
	close(ctl);
	free(f.disk);
	free(f.snap);
	free(f.relay.maps);
	return rc;
}
