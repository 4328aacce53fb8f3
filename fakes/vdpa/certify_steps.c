/* The certification checks: what a vhost-vdpa device must answer
 * (VDPA-DEV-01..09, VDPA-STS-05, VDPA-FEAT-05), one function per check,
 * each driving the device through certify.c's calls and recording its
 * verdicts. The errnos expected are the Linux kernel's
 * (drivers/vhost/vdpa.c, vhost.c). */
#include "fakes/vdpa/certify_driver.h"
#include "vcts/vdpa_uapi.h"

#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---------- VDPA-DEV-01 ---------- */

void cert_dev01(struct cert *k)
{
	k->phase = "DEV-01";
	uint64_t a[2], b[2];
	/* The first answer is used even when the second differs, so one
	 * unstable getter fails only this check. */
	cert_getter(k, VDPA_REQ_VDPA_GET_DEVICE_ID, a, b, sizeof a);
	memcpy(&k->device_id, a, 4);
	cert_getter(k, VDPA_REQ_GET_FEATURES, a, b, sizeof a);
	memcpy(&k->features, a, 8);
	cert_getter(k, VDPA_REQ_VDPA_GET_STATUS, a, b, sizeof a);
	cert_getter(k, VDPA_REQ_VDPA_GET_VRING_NUM, a, b, sizeof a);
	memcpy(&k->num_max, a, 2);
	cert_getter(k, VDPA_REQ_VDPA_GET_CONFIG_SIZE, a, b, sizeof a);
	memcpy(&k->config_size, a, 4);
	if (cert_getter(k, VDPA_REQ_VDPA_GET_IOVA_RANGE, a, b, sizeof a)) {
		k->first = a[0];
		k->last = a[1];
	} else {
		k->first = 0;
		k->last = UINT64_MAX;
	}
	uint32_t n = 0;
	if (cert_io(k, VDPA_REQ_VDPA_GET_VQS_COUNT, &n) >= 0) {
		k->nvqs = n;
	} else {
		/* A kernel before GET_VQS_COUNT: a net device has 2 vqs per queue
		 * pair (max_virtqueue_pairs with MQ, else 1) plus the control vq. */
		uint16_t qp = 1;
		struct {
			uint32_t off, len;
			uint8_t b[8];
		} c = { VDPA_NETCFG_MAX_VQP, 2, { 0 } };
		if ((k->features >> VDPA_F_NET_MQ & 1) && cert_io(k, VDPA_REQ_VDPA_GET_CONFIG, &c) >= 0)
			memcpy(&qp, c.b, 2);
		k->nvqs = 2u * (qp ? qp : 1) + (uint32_t)(k->features >> VDPA_F_NET_CTRL_VQ & 1);
		cert_note(k, "no GET_VQS_COUNT: %u vqs from the net config", k->nvqs);
	}
	cert_step(k, 0, "device id %u, features 0x%llx, %u vqs of at most %u, config %u bytes, iova 0x%llx-0x%llx",
		  k->device_id, (unsigned long long)k->features, k->nvqs, k->num_max, k->config_size,
		  (unsigned long long)k->first, (unsigned long long)k->last);
	cert_note(k, "device id %u, features 0x%llx, %u vqs of at most %u, config %u bytes, iova 0x%llx-0x%llx",
		  k->device_id, (unsigned long long)k->features, k->nvqs, k->num_max, k->config_size,
		  (unsigned long long)k->first, (unsigned long long)k->last);
}

/* ---------- VDPA-DEV-02 ---------- */

static long config_op(struct cert *k, uint32_t req, uint32_t off, uint32_t len, uint8_t *data,
		      size_t cap)
{
	struct {
		uint32_t off, len;
		uint8_t buf[256];
	} c;
	memset(&c, 0xee, sizeof c);
	c.off = off;
	c.len = len;
	if (req == VDPA_REQ_VDPA_SET_CONFIG && data)
		memcpy(c.buf, data, len < sizeof c.buf ? len : sizeof c.buf);
	long r = cert_io(k, req, &c);
	if (data && req == VDPA_REQ_VDPA_GET_CONFIG)
		memcpy(data, c.buf, cap < sizeof c.buf ? cap : sizeof c.buf);
	return r;
}

void cert_dev02(struct cert *k)
{
	k->phase = "DEV-02";
	uint32_t size = k->config_size;
	if (size == 0 || size > 200) {
		cert_fail(k, VC_R_VDPA_DEV_02, "config size %u cannot be probed (expected 1..200)", size);
		return;
	}
	static const struct {
		uint32_t req;
		const char *name;
	} ops[] = { { VDPA_REQ_VDPA_GET_CONFIG, "GET_CONFIG" }, { VDPA_REQ_VDPA_SET_CONFIG, "SET_CONFIG" } };
	for (unsigned i = 0; i < 2; i++) {
		uint8_t junk[256] = { 0 };
		long r = config_op(k, ops[i].req, 0, 0, junk, sizeof junk);
		cert_expect(k, VC_R_VDPA_DEV_02, r == -EINVAL, "%s len 0: %s, expected EINVAL", ops[i].name, cert_errname(r));
		r = config_op(k, ops[i].req, size + 1, 1, junk, sizeof junk);
		cert_expect(k, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off %u > size %u: %s, expected EINVAL",
			    ops[i].name, size + 1, size, cert_errname(r));
		r = config_op(k, ops[i].req, 0, size + 1, junk, sizeof junk);
		/* EINVAL, not E2BIG: vhost_vdpa_get_config/set_config return
		 * -EINVAL whatever vhost_vdpa_config_validate() said. */
		cert_expect(k, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off 0 len %u > size %u: %s, expected EINVAL",
			    ops[i].name, size + 1, size, cert_errname(r));
		r = config_op(k, ops[i].req, size - 1, 2, junk, sizeof junk);
		cert_expect(k, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off %u len 2 (past the end): %s, expected EINVAL",
			    ops[i].name, size - 1, cert_errname(r));
	}
	/* A valid read returns exactly what was asked. */
	uint8_t got[256];
	long r = config_op(k, VDPA_REQ_VDPA_GET_CONFIG, 0, 6, got, sizeof got);
	if (cert_expect(k, VC_R_VDPA_DEV_02, r >= 0, "GET_CONFIG off 0 len 6: %s", cert_errname(r))) {
		bool clean = true;
		for (unsigned i = 6; i < 64; i++)
			clean &= got[i] == 0xee;
		cert_expect(k, VC_R_VDPA_DEV_02, clean, "GET_CONFIG len 6 wrote past the 6 bytes asked for");
	}
}

/* ---------- VDPA-DEV-03 ---------- */

void cert_dev03(struct cert *k)
{
	k->phase = "DEV-03";
	uint32_t s[2] = { k->nvqs, 256 };
	long r = cert_io(k, VDPA_REQ_SET_VRING_NUM, s);
	cert_expect(k, VC_R_VDPA_DEV_03, r == -ENOBUFS, "SET_VRING_NUM for vq %u (of %u): %s, expected ENOBUFS",
		    k->nvqs, k->nvqs, cert_errname(r));
	s[0] = 0xffffu;
	r = cert_io(k, VDPA_REQ_GET_VRING_BASE, s);
	cert_expect(k, VC_R_VDPA_DEV_03, r == -ENOBUFS, "GET_VRING_BASE for vq 65535: %s, expected ENOBUFS", cert_errname(r));
	static const uint32_t bad_num[] = { 0, 3, 65536 + 256 };
	for (unsigned i = 0; i < 3; i++) {
		s[0] = 0;
		s[1] = bad_num[i];
		r = cert_io(k, VDPA_REQ_SET_VRING_NUM, s);
		cert_expect(k, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_NUM num %u: %s, expected EINVAL",
			    bad_num[i], cert_errname(r));
	}
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} a = { 0, 0, 0x10000, 0x12000, 0x11001, 0 };
	r = cert_io(k, VDPA_REQ_SET_VRING_ADDR, &a);
	cert_expect(k, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_ADDR avail 0x11001 (odd): %s, expected EINVAL", cert_errname(r));
	a.avail = 0x11000;
	a.used = 0x12002;
	r = cert_io(k, VDPA_REQ_SET_VRING_ADDR, &a);
	cert_expect(k, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_ADDR used 0x12002 (not 4-aligned): %s, expected EINVAL", cert_errname(r));
}

/* ---------- VDPA-STS-05, VDPA-FEAT-05 ---------- */

void cert_sts05_feat05(struct cert *k)
{
	k->phase = "STS-05/FEAT-05";
	uint64_t bad = 1ull << 63;
	long r = cert_io(k, VDPA_REQ_SET_BACKEND_FEATURES, &bad);
	cert_expect(k, VC_R_VDPA_FEAT_05, r == -EOPNOTSUPP,
		    "SET_BACKEND_FEATURES with unknown bit 63: %s, expected EOPNOTSUPP", cert_errname(r));
	cert_set_status(k, 0);
	cert_set_status(k, VDPA_S_ACKNOWLEDGE);
	cert_set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER);
	uint64_t f = cert_driver_features(k);
	r = cert_io(k, VDPA_REQ_SET_FEATURES, &f);
	cert_expect(k, VC_R_VDPA_STS_05, r >= 0, "SET_FEATURES 0x%llx before FEATURES_OK: %s",
		    (unsigned long long)f, cert_errname(r));
	cert_set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK);
	int st = cert_get_status(k);
	cert_expect(k, VC_R_VDPA_STS_05, st >= 0 && (st & VDPA_S_FEATURES_OK),
		    "FEATURES_OK was not kept for the feature set 0x%llx (status read back 0x%x)",
		    (unsigned long long)f, st);
	r = cert_io(k, VDPA_REQ_SET_FEATURES, &f);
	cert_expect(k, VC_R_VDPA_FEAT_05, r == -EBUSY, "SET_FEATURES after FEATURES_OK: %s, expected EBUSY", cert_errname(r));
	r = cert_set_status(k, VDPA_S_ACKNOWLEDGE);
	int after = cert_get_status(k);
	cert_expect(k, VC_R_VDPA_STS_05, r == -EINVAL && after == st,
		    "SET_STATUS 0x01 clearing DRIVER|FEATURES_OK: %s (status now 0x%x), expected EINVAL and no change",
		    cert_errname(r), after);
	r = cert_set_status(k, 0);
	st = cert_get_status(k);
	cert_expect(k, VC_R_VDPA_STS_05, r >= 0 && st == 0, "reset: SET_STATUS 0 %s, status read back 0x%x",
		    cert_errname(r), st);
}

/* ---------- VDPA-DEV-04 ---------- */

void cert_dev04(struct cert *k)
{
	k->phase = "DEV-04";
	uint8_t *u = k->mem;
	long r = cert_iotlb(k, VDPA_IOTLB_UPDATE, k->iova, 0, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	cert_expect(k, VC_R_VDPA_DEV_04, r < 0, "UPDATE with size 0 succeeded (bug K1)");
	r = cert_iotlb(k, VDPA_IOTLB_UPDATE, UINT64_MAX - 0xfff, 0x2000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	cert_expect(k, VC_R_VDPA_DEV_04, r < 0, "UPDATE of a range that wraps past 2^64 succeeded");
	r = cert_iotlb(k, VDPA_IOTLB_UPDATE, k->iova, 0x4000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	if (!cert_expect(k, VC_R_VDPA_DEV_04, r == VDPA_MSG_V2_SIZE, "a valid UPDATE iova 0x%llx size 0x4000: %s",
			 (unsigned long long)k->iova, cert_errname(r)))
		return;
	r = cert_iotlb(k, VDPA_IOTLB_UPDATE, k->iova + 0x1000, 0x1000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	cert_expect(k, VC_R_VDPA_DEV_04, r < 0, "an UPDATE overlapping the mapping at 0x%llx succeeded",
		    (unsigned long long)k->iova);
	uint8_t shortm[30] = { VDPA_MSG_TYPE_IOTLB_V2 };
	r = cert_step(k, k->p->write(k->p, k->fd, shortm, sizeof shortm), "write %zu bytes", sizeof shortm);
	cert_expect(k, VC_R_VDPA_DEV_04, r == -EINVAL, "a 30-byte IOTLB write: %s, expected EINVAL", cert_errname(r));
	r = cert_unmap_mem(k);
	cert_expect(k, VC_R_VDPA_DEV_04, r == VDPA_MSG_V2_SIZE, "INVALIDATE of the mapping: %s", cert_errname(r));
}

/* ---------- VDPA-DEV-06 ---------- */

void cert_dev06(struct cert *k)
{
	k->phase = "DEV-06";
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	void *a = NULL;
	int r = (int)cert_step(k, k->p->mmap(k->p, k->fd, page, PROT_WRITE, MAP_SHARED, 0, &a), "mmap doorbell vq 0");
	if (r == -VDPA_ENOTSUPP || r == -ENODEV || r == -EOPNOTSUPP) {
		/* No doorbells (vdpa_sim, CUSE): the valid request is refused,
		 * which the kernel allows; the bad ones must be too. */
		cert_note(k, "doorbell mmap not offered (%s): only the rejections are checked", cert_errname(r));
		if (k->notes)
			fprintf(k->notes,
				"note: VDPA-DEV-06: %s refuses doorbell mmap (%s%s): only the rejection of bad requests was checked\n",
				k->p->name, cert_errname(r), r == -ENODEV ? ", as every CUSE device does: CUSE has no mmap" : "");
	} else if (cert_expect(k, VC_R_VDPA_DEV_06, r == 0, "doorbell mmap of vq 0 (one write-only shared page): %s",
			       cert_errname(r))) {
		k->p->munmap(k->p, k->fd, a, page, 0);
	}
	static const struct {
		size_t pages;
		int prot, flags;
		uint64_t index;
		const char *what;
	} bad[] = {
		{ 1, PROT_READ | PROT_WRITE, MAP_SHARED, 0, "readable" },
		{ 1, PROT_WRITE, MAP_PRIVATE, 0, "private" },
		{ 2, PROT_WRITE, MAP_SHARED, 0, "two pages" },
		{ 1, PROT_WRITE, MAP_SHARED, 65536, "vq index 65536" },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a = NULL;
		r = (int)cert_step(k, k->p->mmap(k->p, k->fd, bad[i].pages * page, bad[i].prot, bad[i].flags,
						 (off_t)(bad[i].index * page), &a),
				   "mmap %s", bad[i].what);
		cert_expect(k, VC_R_VDPA_DEV_06, r < 0, "a %s doorbell mapping was accepted", bad[i].what);
		if (r == 0)
			k->p->munmap(k->p, k->fd, a, bad[i].pages * page, (off_t)(bad[i].index * page));
	}
}

static const char *cycle(struct cert *k, char *why, size_t len)
{
	uint32_t nq = 0, num = 0;
	const char *e = cert_start_dev(k, why, len, &nq, &num);
	return e ? e : cert_stop_dev(k, why, len, nq);
}

void cert_dev07(struct cert *k, unsigned cycles)
{
	k->phase = "DEV-07";
	char why[160];
	unsigned i;
	const char *fail = NULL;
	for (i = 0; i < cycles && !fail; i++)
		fail = cycle(k, why, sizeof why);
	cert_expect(k, VC_R_VDPA_DEV_07, !fail, "start/stop cycle %u of %u failed: %s", i, cycles,
		    fail ? fail : "");
	if (!fail)
		cert_note(k, "%u start/stop cycles", cycles);
}

void cert_dev05(struct cert *k)
{
	k->phase = "DEV-05";
	/* Its own IOVA, so a leak seen by DEV-07 does not decide this one. */
	k->iova += k->mem_len;
	int fd2 = k->p->open(k->p);
	cert_step(k, fd2 < 0 ? fd2 : 0, "second open"); /* fd numbers differ between devices */
	cert_expect(k, VC_R_VDPA_DEV_05, fd2 == -EBUSY, "a second open() while the device is open: %s, expected EBUSY",
		    cert_errname(fd2));
	if (fd2 >= 0 && fd2 != k->fd)
		k->p->close(k->p, fd2);
	long r = cert_map_mem(k);
	if (!cert_expect(k, VC_R_VDPA_DEV_05, r >= 0, "UPDATE before close: %s", cert_errname(r)))
		return;
	k->p->close(k->p, k->fd);
	k->fd = k->p->open(k->p);
	cert_step(k, k->fd < 0 ? k->fd : 0, "reopen");
	if (!cert_expect(k, VC_R_VDPA_DEV_05, k->fd >= 0, "open() after close(): %s", cert_errname(k->fd)))
		return;
	r = cert_begin(k);
	if (!cert_expect(k, VC_R_VDPA_DEV_05, r >= 0, "SET_OWNER/backend features after reopen: %s", cert_errname(r)))
		return;
	r = cert_map_mem(k);
	cert_expect(k, VC_R_VDPA_DEV_05, r >= 0,
		    "UPDATE of the range mapped before close() fails after reopening (%s): close() kept the mapping", cert_errname(r));
	if (r >= 0)
		cert_unmap_mem(k);
}

/* ---------- VDPA-DEV-08, -09: the data path (--datapath) ---------- */

/* The rings live where cert_start_dev() put them; buffers in the upper half of
 * the certifier's memory. Split virtqueue layout: VIRTIO 1.2, 2.7. */
#define DP_BUF 0x8000u
#define DP_WAIT_MS 5000

struct vq {
	uint8_t *desc, *avail, *used; /* our view of the ring */
	uint64_t iova;                /* ring base */
	uint32_t num;
	uint16_t next_avail, seen_used;
	unsigned ndesc;
};

static void vq_init(struct cert *k, struct vq *v, uint32_t q, uint32_t num)
{
	uint64_t off = (uint64_t)q * 0x4000;
	v->desc = k->mem + off;
	v->avail = k->mem + off + 0x1000;
	v->used = k->mem + off + 0x2000;
	v->iova = k->iova + off;
	v->num = num;
	v->next_avail = v->seen_used = 0;
	v->ndesc = 0;
	memset(v->desc, 0, 0x3000);
}

/* Add a descriptor for [off, off + len) of our memory; returns its index. */
static uint16_t vq_desc(struct cert *k, struct vq *v, uint32_t off, uint32_t len, bool writable, bool next)
{
	uint16_t i = (uint16_t)(v->ndesc++ % v->num);
	uint64_t addr = k->iova + off;
	uint16_t flags = (uint16_t)((writable ? VRING_DESC_F_WRITE : 0) | (next ? VRING_DESC_F_NEXT : 0));
	uint16_t nxt = (uint16_t)((i + 1) % v->num);
	uint8_t *d = v->desc + 16u * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &nxt, 2);
	return i;
}

static void vq_post(struct vq *v, uint16_t head)
{
	memcpy(v->avail + 4 + 2u * (v->next_avail % v->num), &head, 2);
	v->next_avail++;
	__atomic_store_n((uint16_t *)(v->avail + 2), v->next_avail, __ATOMIC_RELEASE);
}

static void kick(struct cert *k, uint32_t q)
{
	uint64_t one = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (write(k->kick[q], &one, sizeof one) != (ssize_t)sizeof one)
		cert_note(k, "kick of vq %u: %s", q, strerror(errno));
}

/* Wait until the used index reaches want; the used elements' ids and
 * lengths from seen_used on. false on timeout. */
static bool vq_wait(struct vq *v, uint16_t want)
{
	for (int ms = 0; ms < DP_WAIT_MS; ms++) {
		uint16_t u = __atomic_load_n((uint16_t *)(v->used + 2), __ATOMIC_ACQUIRE);
		if ((uint16_t)(u - v->seen_used) >= (uint16_t)(want - v->seen_used))
			return true;
		usleep(1000);
	}
	return false;
}

static uint32_t vq_used_len(struct vq *v, uint16_t i)
{
	uint32_t len;
	memcpy(&len, v->used + 4 + 8u * (i % v->num) + 4, 4);
	return len;
}

static void dp_net(struct cert *k, uint32_t num)
{
	/* vq 0 receives, vq 1 transmits (VIRTIO 1.2, 5.1.2). A frame is the
	 * 12-byte virtio_net_hdr_v1 (zero: no offloads) and an Ethernet frame
	 * to the broadcast address (vdpa_sim_net delivers broadcast, multicast
	 * and its own MAC only). */
	enum { NHDR = 12, FRAME = 64, RXBUF = 2048, NRX = 4 };
	struct vq rx, tx;
	vq_init(k, &rx, 0, num);
	vq_init(k, &tx, 1, num);
	uint8_t *frame = k->mem + DP_BUF + NRX * RXBUF;
	memset(frame, 0, NHDR);
	static const uint8_t eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x56, 0x43, 0x54, 0x53, 0x01,
					 0x88, 0xb5 }; /* local experimental ethertype */
	memcpy(frame + NHDR, eth, sizeof eth);
	for (unsigned i = sizeof eth; i < FRAME; i++)
		frame[NHDR + i] = (uint8_t)(i * 7 + 3);
	for (unsigned i = 0; i < NRX; i++) {
		memset(k->mem + DP_BUF + i * RXBUF, 0xee, RXBUF);
		vq_post(&rx, vq_desc(k, &rx, DP_BUF + i * RXBUF, RXBUF, true, false));
	}
	kick(k, 0);
	vq_post(&tx, vq_desc(k, &tx, DP_BUF + NRX * RXBUF, NHDR + FRAME, false, false));
	kick(k, 1);
	bool sent = vq_wait(&tx, 1);
	cert_step(k, sent ? 0 : -ETIMEDOUT, "datapath net: TX used");
	if (!cert_expect(k, VC_R_VDPA_DEV_08, sent, "a %u-byte TX frame posted and kicked on vq 1 was not used within %d ms",
			 NHDR + FRAME, DP_WAIT_MS))
		return;
	bool got = vq_wait(&rx, 1);
	cert_step(k, got ? 0 : -ETIMEDOUT, "datapath net: RX used");
	if (!cert_expect(k, VC_R_VDPA_DEV_08, got,
			 "the TX frame did not come back on RX within %d ms (certify --datapath needs a device that loops TX back to RX, as vdpa_sim_net does)",
			 DP_WAIT_MS))
		return;
	uint16_t id;
	memcpy(&id, rx.used + 4, 2);
	uint32_t len = vq_used_len(&rx, 0);
	uint8_t *buf = id < NRX ? k->mem + DP_BUF + id * RXBUF : NULL;
	if (!cert_expect(k, VC_R_VDPA_DEV_08, buf && len == NHDR + FRAME,
			 "RX used element: id %u (of %u posted) len %u, expected the %u bytes sent", id, NRX, len,
			 NHDR + FRAME))
		return;
	cert_expect(k, VC_R_VDPA_DEV_08, memcmp(buf + NHDR, frame + NHDR, FRAME) == 0,
		    "the frame received on RX differs from the one sent on TX");
}

static void dp_blk(struct cert *k, uint32_t num)
{
	/* One 4 KiB write at sector 8, then a read of it into another buffer:
	 * header (type, ioprio, sector; read-only), data, status byte
	 * (writable). VIRTIO 1.2, 5.2.6. */
	enum { BHDR = 16, DATA = 4096, SECTOR0 = 8 };
	struct vq v;
	vq_init(k, &v, 0, num);
	uint32_t hdr = DP_BUF, wdata = DP_BUF + 0x1000, st = DP_BUF + 0x20, rdata = DP_BUF + 0x2000;
	uint8_t *m = k->mem;
	for (unsigned i = 0; i < DATA; i++)
		m[wdata + i] = (uint8_t)(i * 13 + 5);
	memset(m + rdata, 0, DATA);
	for (int pass = 0; pass < 2; pass++) {
		bool rd = pass == 1;
		uint32_t type = rd ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, ioprio = 0;
		uint64_t sector = SECTOR0;
		memcpy(m + hdr, &type, 4);
		memcpy(m + hdr + 4, &ioprio, 4);
		memcpy(m + hdr + 8, &sector, 8);
		m[st] = 0xff;
		uint16_t head = vq_desc(k, &v, hdr, BHDR, false, true);
		vq_desc(k, &v, rd ? rdata : wdata, DATA, rd, true);
		vq_desc(k, &v, st, 1, true, false);
		vq_post(&v, head);
		kick(k, 0);
		const char *what = rd ? "read" : "write";
		bool done = vq_wait(&v, (uint16_t)(pass + 1));
		cert_step(k, done ? 0 : -ETIMEDOUT, "datapath blk: %s used", what);
		if (!cert_expect(k, VC_R_VDPA_DEV_09, done, "a 4 KiB %s at sector %u posted and kicked was not used within %d ms",
				 what, SECTOR0, DP_WAIT_MS))
			return;
		uint32_t len = vq_used_len(&v, (uint16_t)pass);
		uint32_t want = rd ? DATA + 1 : 1;
		uint8_t status = __atomic_load_n(&m[st], __ATOMIC_ACQUIRE);
		if (!cert_expect(k, VC_R_VDPA_DEV_09, status == VIRTIO_BLK_S_OK, "%s at sector %u: status %u, expected 0 (OK)",
				 what, SECTOR0, status))
			return;
		cert_expect(k, VC_R_VDPA_DEV_09, len == want,
			    "%s: used length %u, expected %u (the bytes written into the request's writable buffers)", what,
			    len, want);
	}
	cert_expect(k, VC_R_VDPA_DEV_09, memcmp(m + wdata, m + rdata, DATA) == 0,
		    "the 4 KiB read back from sector %u differ from what was written", SECTOR0);
}

void cert_datapath(struct cert *k)
{
	k->phase = "DATAPATH";
	const char *skip = k->p->dev ? "the in-process fake has no data path"
			   : k->device_id != VDPA_VIRTIO_ID_NET && k->device_id != VDPA_VIRTIO_ID_BLK
				   ? "the device is neither net nor block"
				   : NULL;
	if (skip) {
		cert_note(k, "datapath: %s: not checked", skip);
		if (k->notes)
			fprintf(k->notes, "note: VDPA-DEV-08/09: %s: the data path was not checked\n", skip);
		return;
	}
	char why[160];
	uint32_t nq = 0, num = 0;
	const char *e = cert_start_dev(k, why, sizeof why, &nq, &num);
	bool net = k->device_id == VDPA_VIRTIO_ID_NET;
	if (!cert_expect(k, net ? VC_R_VDPA_DEV_08 : VC_R_VDPA_DEV_09, !e && nq >= (net ? 2u : 1u),
			 "starting the device for the data path: %s", e ? e : "too few vqs"))
		return;
	if (net)
		dp_net(k, num);
	else
		dp_blk(k, num);
	e = cert_stop_dev(k, why, sizeof why, nq);
	if (e)
		cert_note(k, "datapath: stopping: %s", e);
}
