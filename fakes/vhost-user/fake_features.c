/* The fake's protocol-feature handlers that keep state of their own:
 * the config space a connection sees (GET/SET_CONFIG), the inflight
 * area handed back by SET_INFLIGHT_FD, the MTU of NET_SET_MTU, the RARP
 * of SEND_RARP. fake.c decodes nothing here twice: it passes the message
 * payload and fds and answers with what these return. */
#include "fakes/vhost-user/fake_int.h"

#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The biggest inflight area the fake maps: 256 rings of 32768
 * descriptors at 16 bytes each, what GET_INFLIGHT_FD could describe. */
#define INFLIGHT_MAX ((uint64_t)VFU_MAX_RINGS * 16u * (VU_SPLIT_RING_MAX + 1u))

/* VIRTIO 1.2, 5.1.4.1: "The device MUST set mtu to between 68 and 65535
 * inclusive" -- the MTUs a virtio-net device can take. */
#define NET_MTU_MIN 68u
#define NET_MTU_MAX 65535u

static uint8_t *map_at(int fd, uint64_t off, uint64_t len, void **map, size_t *map_len);

void vfu_feat_init(struct vfu_feat *f, const struct vfu_profile *p)
{
	memset(f, 0, sizeof *f);
	f->ds.fd = -1;
	vfu_feat_reset(f, p);
}

void vfu_feat_reset(struct vfu_feat *f, const struct vfu_profile *p)
{
	/* A device reset puts config space back as the device offers it;
	 * the inflight area is the front-end's and stays mapped. */
	f->config_len = p->config_len <= sizeof f->config ? p->config_len : (uint32_t)sizeof f->config;
	memcpy(f->config, p->config, f->config_len);
	f->mtu = 0;
}

static void log_unmap(struct vfu_feat *f)
{
	if (f->log_map)
		munmap(f->log_map, f->log_map_len);
	f->log_map = NULL;
	f->log_map_len = 0;
	f->log = NULL;
	f->log_len = 0;
}

static void inflight_unmap(struct vfu_feat *f)
{
	if (f->inflight_map)
		munmap(f->inflight_map, f->inflight_map_len);
	f->inflight_map = NULL;
	f->inflight_map_len = 0;
	f->inflight = NULL;
	f->inflight_len = 0;
}

void vfu_feat_free(struct vfu_feat *f)
{
	log_unmap(f);
	vfu_devstate_close(&f->ds);
	if (f->pc_advised)
		close(f->pc_ufd);
	f->pc_advised = f->pc_listening = false;
	inflight_unmap(f);
}

uint32_t vfu_feat_get_config(const struct vfu_feat *f, const uint8_t *pl, uint32_t len, uint8_t *out,
			     uint32_t cap)
{
	struct vu_config_pl in;
	if (!vu_dec_config(pl, len, &in) || in.size > in.data_len || VU_CONFIG_HDR + (uint64_t)in.size > cap)
		return 0;
	memcpy(out, pl, VU_CONFIG_HDR);
	/* Bytes past the device's config space read as zero. */
	for (uint32_t i = 0; i < in.size; i++) {
		uint64_t off = (uint64_t)in.offset + i;
		out[VU_CONFIG_HDR + i] = off < f->config_len ? f->config[off] : 0;
	}
	return VU_CONFIG_HDR + in.size;
}

int vfu_feat_set_config(struct vfu_feat *f, const uint8_t *pl, uint32_t len, bool lax_config, const char **why)
{
	struct vu_config_pl in;
	if (!vu_dec_config(pl, len, &in) || in.size > in.data_len) {
		*why = "payload shorter than its size field";
		return -1;
	}
	if (in.size == 0)
		return 0;
	if ((uint64_t)in.offset + in.size > f->config_len) {
		*why = "past the end of the device's config space";
		return -1;
	}
	/* vhost-user.rst, SET_CONFIG: "vhost-user back-ends MUST NOT accept
	 * SET_CONFIG for read-only configuration space fields unless the live
	 * migration bit is set" (flags 1). No profile has a writable field:
	 * virtio-net's config space is read-only to the driver, virtio-blk's
	 * only one (writeback) needs VIRTIO_BLK_F_CONFIG_WCE, not offered. */
	if (in.flags > VU_CONFIG_FLAG_MIGRATION) {
		*why = "unknown flags (0 writable fields, 1 live migration)";
		return -1;
	}
	if (in.flags == VU_CONFIG_FLAG_WRITABLE && !lax_config) {
		*why = "read-only configuration space field (no migration flag)";
		return -1;
	}
	memcpy(f->config + in.offset, in.data, in.size);
	return 0;
}

int vfu_feat_set_inflight(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
			  const char **why)
{
	struct vu_inflight_pl in;
	if (!vu_dec_inflight(pl, len, &in)) {
		*why = "short payload";
		return -1;
	}
	if (fd < 0) {
		*why = "no fd";
		return -1;
	}
	if (in.mmap_size == 0 || in.mmap_size > INFLIGHT_MAX || in.num_queues == 0 ||
	    in.num_queues > VFU_MAX_RINGS || in.queue_size == 0 || in.queue_size > VU_SPLIT_RING_MAX) {
		*why = "size, queue count or queue size out of range";
		return -1;
	}
	/* The file must hold the whole area: a shorter memfd would fault
	 * (SIGBUS) on the first access, as a short region would (VU-MEM-04). */
	if (fd_size < 0 || in.mmap_offset > (uint64_t)fd_size || in.mmap_size > (uint64_t)fd_size - in.mmap_offset) {
		*why = "mmap_offset + mmap_size past the end of the fd";
		return -1;
	}
	void *map;
	size_t map_len;
	uint8_t *area = map_at(fd, in.mmap_offset, in.mmap_size, &map, &map_len);
	if (!area) {
		*why = "mmap failed";
		return -1;
	}
	/* A new area replaces the old one (a reconnect hands back the same
	 * memfd: its contents are the front-end's record and are kept).
	 * Only the inflight area: the dirty log, a device-state channel and
	 * the postcopy userfaultfd stay. */
	inflight_unmap(f);
	f->inflight_map = map;
	f->inflight_map_len = map_len;
	f->inflight = area;
	f->inflight_len = in.mmap_size;
	f->inflight_queues = in.num_queues;
	f->inflight_queue_size = in.queue_size;
	return 0;
}

int vfu_feat_set_mtu(struct vfu_feat *f, uint64_t mtu, const char **why)
{
	/* vhost-user.rst, NET_SET_MTU: with REPLY_ACK "the back-end must
	 * respond with zero in case the specified MTU is valid, or non-zero
	 * otherwise". */
	if (mtu < NET_MTU_MIN || mtu > NET_MTU_MAX) {
		*why = "MTU outside 68..65535 (VIRTIO 1.2, 5.1.4.1)";
		return -1;
	}
	f->mtu = (uint16_t)mtu;
	return 0;
}

/* Map len bytes of fd at off (any alignment). NULL on failure. */
static uint8_t *map_at(int fd, uint64_t off, uint64_t len, void **map, size_t *map_len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t lead = off % page;
	*map_len = (size_t)(len + lead);
	*map = mmap(NULL, *map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(off - lead));
	if (*map == MAP_FAILED) {
		*map = NULL;
		return NULL;
	}
	return (uint8_t *)*map + lead;
}

int vfu_feat_set_log(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
		     const char **why)
{
	uint64_t size, off;
	if (len < 16 || !vu_dec_u64(pl, len, &size) || !vu_dec_u64(pl + 8, len - 8, &off)) {
		*why = "short payload";
		return -1;
	}
	if (fd < 0) {
		*why = "no log fd (LOG_SHMFD not negotiated: the fake logs only into a shared fd)";
		return -1;
	}
	/* VU-LOG-01 refused a log too small for the table or wrapping; the
	 * fd must still hold it (a short one would SIGBUS on the first mark). */
	if (size == 0 || fd_size < 0 || off > (uint64_t)fd_size || size > (uint64_t)fd_size - off ||
	    size > ((uint64_t)1 << 40)) {
		*why = "log size + offset past the end of the fd";
		return -1;
	}
	void *map;
	size_t map_len;
	uint8_t *log = map_at(fd, off, size, &map, &map_len);
	if (!log) {
		*why = "mmap failed";
		return -1;
	}
	log_unmap(f);
	f->log_map = map;
	f->log_map_len = map_len;
	f->log = log;
	f->log_len = size;
	return 0;
}

void vfu_feat_log_write(struct vfu_feat *f, uint64_t gpa, uint64_t len)
{
	if (!f->log || !len || gpa + len < gpa)
		return;
	/* vhost-user.rst, Migration: one bit per VHOST_LOG_PAGE (4 KiB)
	 * page, set atomically (the front-end clears them concurrently). */
	for (uint64_t pg = gpa / VU_LOG_PAGE; pg <= (gpa + len - 1) / VU_LOG_PAGE; pg++) {
		if (pg / 8 >= f->log_len)
			return; /* past the log: VU-LOG-01 judged its size */
		__atomic_fetch_or(&f->log[pg / 8], (uint8_t)(1u << (pg % 8)), __ATOMIC_RELAXED);
	}
}
