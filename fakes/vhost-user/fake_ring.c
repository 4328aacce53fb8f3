/* Guest memory and rings of the fake: regions mapped from the front-end's
 * fds (checked against the fd's real size first), and a null device that
 * validates each split- or packed-ring descriptor chain against the memory table
 * (bounds, loop and length limits) before it touches a byte, then returns
 * it as used. Guest memory is shared with a hostile writer: every field is
 * read once into a local and checked there. */
#include "fakes/vhost-user/fake_int.h"
#include "vcts/vring.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Split-ring layout (VIRTIO 1.2, 2.7): descriptor 16 bytes, avail and
 * used headers 4 bytes, used element 8 bytes. */
/* Longest chain the null device walks; a longer one is refused. */
#define CHAIN_MAX 1024u

/* virtio-blk requests (VIRTIO 1.2, 5.2.6). */

static bool wraps(uint64_t a, uint64_t len)
{
	return len && a + len - 1 < a;
}

void vfu_regions_clear(struct vfu_conn *c)
{
	uint32_t n;
	struct vfu_region *rg = vfu_conn_regions(c, &n, NULL);
	for (uint32_t i = 0; i < n; i++)
		munmap(rg[i].map, rg[i].map_len);
	uint32_t *pn;
	vfu_conn_regions(c, &n, &pn);
	*pn = 0;
	vfu_conn_count(c, VFU_CNT_MAPPED, (uint64_t)0 - n);
}

int vfu_region_add(struct vfu_conn *c, const struct vu_region_pl *r, int fd, int64_t fd_size)
{
	uint32_t n, *pn;
	struct vfu_region *rg = vfu_conn_regions(c, &n, &pn);
	const char *why = NULL;
	if (n >= VFU_MAX_REGIONS)
		why = "too many regions";
	else if (r->size == 0 || wraps(r->gpa, r->size) || wraps(r->uva, r->size) ||
		 wraps(r->mmap_offset, r->size))
		why = "empty or wrapping region";
	else if (fd < 0 || fd_size < 0)
		why = "no file behind it";
	else if (r->mmap_offset + r->size > (uint64_t)fd_size && !vfu_conn_lax(c, VFU_RF_REGION_BOUNDS))
		/* lax=region-bounds takes it anyway, as back-ends with bug B6
		 * do, but never touches the part past the fd (translate()):
		 * that would be SIGBUS, and the fake never crashes. */
		why = "mmap_offset + size runs past the end of the fd";
	if (why) {
		vfu_conn_log(c, "region gpa 0x%" PRIx64 " size 0x%" PRIx64 " offset 0x%" PRIx64
			     " (fd %" PRId64 " bytes) not mapped: %s",
			     r->gpa, r->size, r->mmap_offset, fd_size, why);
		vfu_conn_count(c, VFU_CNT_BAD_REGION, 1);
		return -1;
	}
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t map_off = r->mmap_offset & ~(page - 1);
	uint64_t map_len = r->mmap_offset + r->size - map_off;
	void *p = mmap(NULL, (size_t)map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd,
		       (off_t)map_off);
	if (p == MAP_FAILED) {
		vfu_conn_log(c, "region gpa 0x%" PRIx64 " not mapped: mmap: %m", r->gpa);
		vfu_conn_count(c, VFU_CNT_BAD_REGION, 1);
		return -1;
	}
	struct vfu_region *x = &rg[n];
	x->r = *r;
	x->map = p;
	x->map_len = (size_t)map_len;
	x->host = (uint8_t *)p + (r->mmap_offset - map_off);
	x->backed = r->mmap_offset >= (uint64_t)fd_size ? 0
		    : (uint64_t)fd_size - r->mmap_offset < r->size ? (uint64_t)fd_size - r->mmap_offset : r->size;
	*pn = n + 1;
	vfu_conn_count(c, VFU_CNT_MAPPED, 1);
	return 0;
}

int vfu_region_remove(struct vfu_conn *c, const struct vu_region_pl *r)
{
	uint32_t n, *pn;
	struct vfu_region *rg = vfu_conn_regions(c, &n, &pn);
	for (uint32_t i = 0; i < n; i++) {
		if (rg[i].r.gpa != r->gpa || rg[i].r.size != r->size)
			continue;
		munmap(rg[i].map, rg[i].map_len);
		rg[i] = rg[n - 1];
		*pn = n - 1;
		vfu_conn_count(c, VFU_CNT_MAPPED, (uint64_t)0 - 1);
		return 0;
	}
	return -1;
}

/* Host address of [a, a+len) in guest-physical (gpa) or front-end user
 * (uva) space, wholly inside the file-backed part of one region; NULL
 * otherwise. */
static uint8_t *translate(struct vfu_conn *c, uint64_t a, uint64_t len, bool gpa)
{
	uint32_t n;
	struct vfu_region *rg = vfu_conn_regions(c, &n, NULL);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t base = gpa ? rg[i].r.gpa : rg[i].r.uva;
		if (a < base || a - base >= rg[i].r.size)
			continue;
		if (a - base >= rg[i].backed || len > rg[i].backed - (a - base))
			return NULL;
		return rg[i].host + (a - base);
	}
	return NULL;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof v);
}

static void signal_fd(int fd)
{
	uint64_t one = 1;
	/* The front-end's eventfd may be blocking and its counter full (it
	 * can write 0xfffffffffffffffe itself): a write would then block the
	 * event loop. Written only when it can take the count now. */
	struct pollfd pw = { .fd = fd, .events = POLLOUT };
	if (fd < 0 || poll(&pw, 1, 0) <= 0 || !(pw.revents & POLLOUT))
		return;
	if (write(fd, &one, sizeof one) < 0) {
		/* An eventfd only fails when its counter is full: already signalled. */
	}
}

struct seg {
	uint8_t *p;
	uint64_t gpa;       /* for the dirty log */
	uint32_t len;
	bool w;
};

static __thread struct seg segs[CHAIN_MAX];

/* Walk one chain. Returns its segment count, or -1 with *why set. */
/* Append one descriptor's buffer to segs[n], split and packed alike:
 * no indirect tables (not offered), inside the memory table, a chain of at
 * most 4 GiB. 0, or -1 with *why set. */
static int add_seg(struct vfu_conn *c, uint32_t n, uint64_t addr, uint32_t len, uint16_t flags,
		   uint64_t *total, bool *has_write, const char **why)
{
	if (flags & VRING_DESC_F_INDIRECT) {
		*why = "indirect descriptor (not offered)";
		return -1;
	}
	uint8_t *p = translate(c, addr, len, true);
	if (!p) {
		*why = "descriptor buffer outside the memory table";
		return -1;
	}
	*total += len;
	if (*total > UINT32_MAX) {
		*why = "chain longer than 4 GiB";
		return -1;
	}
	segs[n].p = p;
	segs[n].gpa = addr;
	segs[n].len = len;
	segs[n].w = (flags & VRING_DESC_F_WRITE) != 0;
	*has_write |= segs[n].w;
	return 0;
}

static int walk(struct vfu_conn *c, const uint8_t *desc, uint32_t num, uint16_t head,
		const char **why, bool *has_write)
{
	uint32_t i = head, n = 0;
	uint64_t total = 0;
	*has_write = false;
	for (;;) {
		if (i >= num) {
			*why = "descriptor index beyond the ring";
			return -1;
		}
		if (n >= num || n >= CHAIN_MAX) {
			*why = "chain loops or is longer than the ring";
			return -1;
		}
		uint8_t d[VRING_DESC_SIZE];
		memcpy(d, desc + (uint64_t)i * VRING_DESC_SIZE, sizeof d);
		uint64_t addr = vu_rd64(d);
		uint32_t len = vu_rd32(d + VRING_DESC_LEN);
		uint16_t flags = rd16(d + VRING_DESC_FLAGS), next = rd16(d + VRING_DESC_NEXT);
		if (add_seg(c, n, addr, len, flags, &total, has_write, why) < 0)
			return -1;
		n++;
		if (!(flags & VRING_DESC_F_NEXT))
			return (int)n;
		i = next;
	}
}

/* Copy between the disk and the chain's segments of one direction
 * (device-readable or device-writable), skipping the first skip bytes of
 * that direction and taking at most len bytes. */
static void blk_copy(int n, bool writable, uint64_t skip, uint8_t *disk, uint64_t len)
{
	for (int i = 0; i < n && len; i++) {
		if (segs[i].w != writable)
			continue;
		uint64_t l = segs[i].len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		uint8_t *p = segs[i].p + skip;
		l -= skip;
		skip = 0;
		if (l > len)
			l = len;
		if (writable)
			memcpy(p, disk, (size_t)l);
		else
			memcpy(disk, p, (size_t)l);
		disk += l;
		len -= l;
	}
}

/* A disk that keeps what is written (zeros until then). Returns the bytes
 * written into the chain, or -1 when the chain is no request. */
static int64_t blk_request(struct vfu_conn *c, const struct vfu_profile *p, int n)
{
	uint8_t hdr[VC_BLK_HDR_BYTES];
	uint32_t got = 0;
	for (int k = 0; k < n && !segs[k].w && got < VC_BLK_HDR_BYTES; k++) {
		uint32_t take = segs[k].len < VC_BLK_HDR_BYTES - got ? segs[k].len : VC_BLK_HDR_BYTES - got;
		memcpy(hdr + got, segs[k].p, take);
		got += take;
	}
	if (got < VC_BLK_HDR_BYTES || n < 1 || !segs[n - 1].w || segs[n - 1].len == 0)
		return -1;
	uint8_t *status = segs[n - 1].p + segs[n - 1].len - 1;
	/* Data: the device-writable bytes before the status byte (IN), or the
	 * device-readable bytes after the header (OUT). */
	uint64_t wdata = 0, rdata = 0;
	for (int i = 0; i < n; i++) {
		if (segs[i].w)
			wdata += segs[i].len;
		else
			rdata += segs[i].len;
	}
	wdata -= 1; /* the status byte */
	rdata -= VC_BLK_HDR_BYTES;
	uint32_t type = vu_rd32(hdr);
	uint64_t sector = vu_rd64(hdr + 8);
	uint64_t written = 0;
	uint8_t st = VC_BLK_S_OK;
	uint64_t data = type == VC_BLK_T_OUT ? rdata : wdata;
	bool in_range = sector <= p->disk_bytes / VC_BLK_SECTOR &&
			data <= p->disk_bytes - sector * VC_BLK_SECTOR;
	uint8_t *disk = NULL;
	if ((type == VC_BLK_T_IN || type == VC_BLK_T_OUT) && in_range) {
		disk = vfu_conn_disk(c);
		if (!disk)
			in_range = false;
	}
	switch (type) {
	case VC_BLK_T_IN:
		if (!in_range) {
			st = VC_BLK_S_IOERR;
			break;
		}
		blk_copy(n, true, 0, disk + sector * VC_BLK_SECTOR, wdata);
		written = wdata;
		vfu_conn_count(c, VFU_CNT_DISK_READ, 1);
		break;
	case VC_BLK_T_OUT:
		if (!in_range) {
			st = VC_BLK_S_IOERR;
			break;
		}
		blk_copy(n, false, VC_BLK_HDR_BYTES, disk + sector * VC_BLK_SECTOR, rdata);
		vfu_conn_count(c, VFU_CNT_DISK_WRITE, 1);
		break;
	case VC_BLK_T_FLUSH:
		break;
	case VC_BLK_T_GET_ID: {
		static const char id[VC_BLK_ID_BYTES] = "vhost-cts";
		uint64_t left = data < VC_BLK_ID_BYTES ? data : VC_BLK_ID_BYTES;
		for (int i = 0; i < n && left; i++) {
			if (!segs[i].w)
				continue;
			uint32_t l = segs[i].len - (i == n - 1 ? 1 : 0);
			if (l > left)
				l = (uint32_t)left;
			memcpy(segs[i].p, id + written, l);
			written += l;
			left -= l;
		}
		break;
	}
	default:
		st = VC_BLK_S_UNSUPP;
		break;
	}
	*status = st;
	return (int64_t)written + 1;
}

static void halt(struct vfu_conn *c, uint32_t idx, struct vfu_ring *r, const char *why)
{
	vfu_conn_log(c, "ring %u: %s; ring halted until it is set up again", idx, why);
	vfu_conn_count(c, VFU_CNT_CHAIN_ERR, 1);
	r->broken = true;
	/* What SET_VRING_ERR is for: tell the front-end the ring failed. */
	signal_fd(r->err_fd);
}

/* What a null device does with a walked chain of n segments: net TX is
 * consumed (length 0), net RX is left for a network that never fills it
 * (-1, stop), blk is served (its used length; -1 after halting the ring on
 * a malformed request). Split and packed rings alike. */
static int64_t chain_done(struct vfu_conn *c, const struct vfu_profile *p, uint32_t idx, struct vfu_ring *r,
			  int n, bool has_write)
{
	if (!r->enabled)
		return vfu_enable_disabled_chain(c, has_write) < 0 ? -1 : 0;
	if (p->device == VFU_DEV_NET && has_write)
		return -1;
	if (p->device != VFU_DEV_BLK)
		return 0;
	int64_t len = blk_request(c, p, n);
	if (len < 0)
		halt(c, idx, r, "virtio-blk request without header or status byte");
	/* every buffer the device may have written, logged while LOG_ALL */
	for (int i = 0; i < n && len >= 0; i++)
		if (segs[i].w)
			vfu_log_data(c, segs[i].gpa, segs[i].len);
	return len;
}

/* Walk one packed chain from ring position pos (VIRTIO 1.2, 2.8.6): its
 * descriptors sit in consecutive slots, wrapping at the end of the ring,
 * NEXT on all but the last, which carries the buffer id. Returns the
 * segment count, or -1 with *why set. */
static int walk_packed(struct vfu_conn *c, const uint8_t *desc, uint32_t num, uint16_t pos,
		       const char **why, bool *has_write, uint16_t *id)
{
	uint64_t total = 0;
	*has_write = false;
	for (uint32_t n = 0;; n++) {
		if (n >= num || n >= CHAIN_MAX) {
			*why = "packed chain longer than the ring";
			return -1;
		}
		uint8_t d[VRING_PACKED_DESC_SIZE];
		memcpy(d, desc + (uint64_t)((pos + n) % num) * VRING_PACKED_DESC_SIZE, sizeof d);
		uint64_t addr = vu_rd64(d);
		uint32_t len = vu_rd32(d + 8);
		uint16_t flags = rd16(d + VRING_PACKED_DESC_FLAGS);
		if (add_seg(c, n, addr, len, flags, &total, has_write, why) < 0)
			return -1;
		if (!(flags & VRING_DESC_F_NEXT)) {
			*id = rd16(d + VRING_PACKED_DESC_ID);
			return (int)n + 1;
		}
	}
}

/* A packed ring (VIRTIO 1.2, 2.8): a descriptor is available when its
 * AVAIL flag equals the device's avail wrap counter and USED differs;
 * the device writes the used descriptor (id, len, then both flags equal
 * to its used wrap counter) at its used position, in order. Positions
 * advance by the chain's length and flip their wrap counter at the end
 * of the ring. No event suppression: every batch is signalled. */
static void process_packed(struct vfu_conn *c, uint32_t idx, struct vfu_ring *r,
			   const struct vfu_profile *p)
{
	uint32_t num = r->num;
	if (num == 0 || num > VRING_PACKED_MAX) {
		halt(c, idx, r, "packed queue size outside 1..32768");
		return;
	}
	if (r->last_avail >= num || r->used_idx >= num) {
		halt(c, idx, r, "packed ring position at or past the ring size");
		return;
	}
	uint8_t *desc = translate(c, r->addr.desc, (uint64_t)num * VRING_PACKED_DESC_SIZE, false);
	if (!desc || !translate(c, r->addr.avail, VRING_PACKED_EVENT_SIZE, false) ||
	    !translate(c, r->addr.used, VRING_PACKED_EVENT_SIZE, false)) {
		halt(c, idx, r, "ring outside the memory table");
		return;
	}
	uint64_t done = 0;
	/* At most a ring's worth per kick: a writer that keeps flipping
	 * flags cannot hold the loop. */
	for (uint32_t taken = 0; taken < num;) {
		uint8_t *head = desc + (uint64_t)r->last_avail * VRING_PACKED_DESC_SIZE;
		uint16_t fl = rd16(head + VRING_PACKED_DESC_FLAGS);
		bool av = (fl & VRING_PACKED_DESC_F_AVAIL) != 0, us = (fl & VRING_PACKED_DESC_F_USED) != 0;
		if (av != r->avail_wrap || us == r->avail_wrap)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		const char *why = NULL;
		bool has_write;
		uint16_t id = 0;
		int n = walk_packed(c, desc, num, r->last_avail, &why, &has_write, &id);
		if (n < 0) {
			halt(c, idx, r, why);
			break;
		}
		int64_t len = chain_done(c, p, idx, r, n, has_write);
		if (len < 0)
			break;
		uint8_t *u = desc + (uint64_t)r->used_idx * VRING_PACKED_DESC_SIZE;
		vu_wr32(u + 8, (uint32_t)len);
		wr16(u + VRING_PACKED_DESC_ID, id);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr16(u + VRING_PACKED_DESC_FLAGS,
		     r->used_wrap ? (uint16_t)(VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0);
		vu_packed_advance(&r->last_avail, &r->avail_wrap, (uint32_t)n, num);
		vu_packed_advance(&r->used_idx, &r->used_wrap, (uint32_t)n, num);
		taken += (uint32_t)n;
		done++;
	}
	if (done) {
		vfu_conn_count(c, VFU_CNT_CHAINS, done);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		signal_fd(r->call_fd);
	}
}

/* Sizes are checked when a region or log is mapped, but a front-end can
 * shrink its memfd afterwards: the next access to the lost part raises
 * SIGBUS. Every guest access happens while a ring is processed, so that
 * runs under this thread's guard; the fault ends it and halts the ring.
 * A SIGBUS outside a guard goes to the handler that was there before. */
static __thread sigjmp_buf *bus_guard;
static struct sigaction bus_prev;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (bus_guard)
		siglongjmp(*bus_guard, 1);
	/* not a guest access: the faulting instruction runs again under the
	 * previous handler (default: the process dies as it would have) */
	sigaction(sig, &bus_prev, NULL);
}

static void bus_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_prev);
}

static void process_split(struct vfu_conn *c, uint32_t idx, struct vfu_ring *r, const struct vfu_profile *p);

void vfu_ring_process(struct vfu_conn *c, uint32_t idx)
{
	struct vfu_ring *r = vfu_conn_ring(c, idx);
	if (!r || !r->num_set || !r->addr_set || r->broken)
		return;
	const struct vfu_profile *p = vfu_conn_profile(c);
	pthread_once(&bus_once, bus_install);
	sigjmp_buf jb;
	if (sigsetjmp(jb, 1)) {
		bus_guard = NULL;
		halt(c, idx, r, "guest memory vanished under the ring (SIGBUS: its fd shrank after it was mapped)");
		return;
	}
	bus_guard = &jb;
	if (r->packed)
		process_packed(c, idx, r, p);
	else
		process_split(c, idx, r, p);
	bus_guard = NULL;
}

static void process_split(struct vfu_conn *c, uint32_t idx, struct vfu_ring *r, const struct vfu_profile *p)
{
	uint32_t num = r->num;
	if (num == 0 || num > VU_SPLIT_RING_MAX || (num & (num - 1))) {
		halt(c, idx, r, "queue size is not a power of two in range");
		return;
	}
	uint8_t *desc = translate(c, r->addr.desc, vu_desc_bytes(num), false);
	uint8_t *avail = translate(c, r->addr.avail, vu_avail_bytes(num), false);
	uint8_t *used = translate(c, r->addr.used, vu_used_bytes(num), false);
	if (!desc || !avail || !used) {
		halt(c, idx, r, "ring outside the memory table");
		return;
	}
	uint16_t avail_idx = rd16(avail + VRING_RING_IDX);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if ((uint16_t)(avail_idx - r->last_avail) > num) {
		halt(c, idx, r, "available index ran more than a ring ahead");
		return;
	}
	uint64_t done = 0;
	while (r->last_avail != avail_idx) {
		uint16_t head = rd16(avail + VRING_RING_HDR + VRING_AVAIL_ELEM * (r->last_avail % num));
		vfu_inflight_fetch(c, idx, head);
		const char *why = NULL;
		bool has_write;
		int n = walk(c, desc, num, head, &why, &has_write);
		if (n < 0) {
			halt(c, idx, r, why);
			break;
		}
		int64_t len = chain_done(c, p, idx, r, n, has_write);
		if (len < 0)
			break;
		uint8_t *e = used + VRING_RING_HDR + (uint64_t)VRING_USED_ELEM * (r->used_idx % num);
		vu_wr32(e, head);
		vu_wr32(e + 4, (uint32_t)len);
		vfu_log_used(c, idx, VRING_RING_HDR + (uint64_t)VRING_USED_ELEM * ((uint16_t)(r->used_idx) % num), VRING_USED_ELEM);
		r->used_idx++;
		r->last_avail++;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr16(used + VRING_RING_IDX, r->used_idx);
		vfu_log_used(c, idx, VRING_RING_IDX, 2);
		vfu_inflight_used(c, idx, head, r->used_idx);
		done++;
	}
	if (done) {
		vfu_conn_count(c, VFU_CNT_CHAINS, done);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		signal_fd(r->call_fd);
	}
}

/* The inflight area's header written when a ring starts: the area is the
 * front-end's memfd, which it may shrink after SET_INFLIGHT_FD, so the
 * write runs under the same SIGBUS guard as ring processing. */
void vfu_ring_start_inflight(struct vfu_conn *c, uint32_t idx)
{
	pthread_once(&bus_once, bus_install);
	sigjmp_buf jb;
	if (sigsetjmp(jb, 1)) {
		bus_guard = NULL;
		vfu_conn_log(c, "ring %u: inflight area vanished (SIGBUS: its fd shrank after it was mapped)", idx);
		return;
	}
	bus_guard = &jb;
	vfu_inflight_start(c, idx);
	bus_guard = NULL;
}
