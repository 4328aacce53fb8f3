/* The certification sequence: what a vhost-vdpa device must answer
 * (VDPA-DEV-01..07, VDPA-STS-05, VDPA-FEAT-05). It drives the device like a
 * careful client and records one verdict per check in the engine. The
 * errnos expected are the Linux kernel's (drivers/vhost/vdpa.c, vhost.c). */
#include "conformance/check.h"
#include "fakes/vdpa/certify.h"
#include "vcts/vdpa_uapi.h"

#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

struct cert {
	struct vdpa_port *p;
	struct vc_ctx c;
	FILE *log;
	FILE *notes;
	FILE *steps;       /* one line per call and its result (differential tests) */
	unsigned nstep;
	const char *phase; /* the check being run, for the step log */
	int fd;
	/* what the device said */
	uint32_t device_id, config_size, nvqs;
	uint16_t num_max;
	uint64_t features, backend;
	uint64_t first, last;
	/* guest memory for the IOTLB and the rings */
	uint8_t *mem;
	size_t mem_len;
	uint64_t iova;     /* where mem is mapped */
	int kick[2], call[2];
};

#define MEM_LEN (64u * 1024u)

static void note(struct cert *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct cert *k, const char *fmt, ...)
{
	if (!k->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("certify: ", k->log);
	vfprintf(k->log, fmt, ap);
	fputc('\n', k->log);
	va_end(ap);
}

static const char *en(long r);
static long step(struct cert *k, long r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static long io(struct cert *k, uint32_t req, void *arg)
{
	char name[48];
	long r = k->p->ioctl(k->p, k->fd, req, arg);
	return step(k, r, "ioctl %s", vdpa_ioctl_name(req, name, sizeof name));
}

static const char *en(long r)
{
	static __thread char buf[32];
	if (r >= 0)
		return "success";
	if (-r == VDPA_ENOTSUPP)
		return "ENOTSUPP";
	const char *n = strerrorname_np((int)-r);
	if (n)
		return n;
	snprintf(buf, sizeof buf, "errno %ld", -r);
	return buf;
}

/* The step log: what was called with which device-independent arguments
 * (no addresses of our own memory, no fds) and what it returned, so two
 * devices driven by the same sequence can be compared line by line. */
static long step(struct cert *k, long r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static long step(struct cert *k, long r, const char *fmt, ...)
{
	if (!k->steps)
		return r;
	va_list ap;
	va_start(ap, fmt);
	fprintf(k->steps, "%u %s ", ++k->nstep, k->phase ? k->phase : "setup");
	vfprintf(k->steps, fmt, ap);
	fprintf(k->steps, " -> %s\n", r >= 0 ? (r > 0 ? "ok+" : "ok") : en(r));
	va_end(ap);
	return r;
}

/* One IOTLB message (V2 when negotiated, else V1). */
static long iotlb(struct cert *k, uint8_t type, uint64_t iova, uint64_t size, uint64_t uaddr,
		  uint8_t perm)
{
	uint8_t m[VDPA_MSG_V2_SIZE] = { 0 };
	uint32_t t = (k->backend >> VDPA_BF_IOTLB_MSG_V2 & 1) ? VDPA_MSG_TYPE_IOTLB_V2
							       : VDPA_MSG_TYPE_IOTLB;
	memcpy(m, &t, 4);
	uint8_t *b = m + VDPA_MSG_V2_IOTLB_OFF;
	memcpy(b + VDPA_IOTLB_IOVA_OFF, &iova, 8);
	memcpy(b + VDPA_IOTLB_SIZE_OFF, &size, 8);
	memcpy(b + VDPA_IOTLB_UADDR_OFF, &uaddr, 8);
	b[VDPA_IOTLB_PERM_OFF] = perm;
	b[VDPA_IOTLB_TYPE_OFF] = type;
	return step(k, k->p->write(k->p, k->fd, m, sizeof m), "iotlb type %u iova 0x%llx size 0x%llx perm %u",
		    type, (unsigned long long)iova, (unsigned long long)size, perm);
}

static bool batching(const struct cert *k)
{
	return k->backend >> VDPA_BF_IOTLB_BATCH & 1;
}

static long map_mem(struct cert *k)
{
	long r = 0;
	if (batching(k))
		r = iotlb(k, VDPA_IOTLB_BATCH_BEGIN, 0, 0, 0, 0);
	long u = iotlb(k, VDPA_IOTLB_UPDATE, k->iova, k->mem_len, (uint64_t)(uintptr_t)k->mem,
		       VDPA_ACCESS_RW);
	if (batching(k)) {
		long e = iotlb(k, VDPA_IOTLB_BATCH_END, 0, 0, 0, 0);
		if (r >= 0 && e < 0)
			r = e;
	}
	return u < 0 ? u : r;
}

static long unmap_mem(struct cert *k)
{
	return iotlb(k, VDPA_IOTLB_INVALIDATE, k->iova, k->mem_len, 0, 0);
}

static long set_status(struct cert *k, uint8_t s)
{
	return io(k, VDPA_REQ_VDPA_SET_STATUS, &s);
}

static int get_status(struct cert *k)
{
	uint8_t s = 0xff;
	long r = io(k, VDPA_REQ_VDPA_GET_STATUS, &s);
	return r < 0 ? (int)r : s;
}

static uint64_t driver_features(const struct cert *k)
{
	uint64_t want = (1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM);
	/* the device-class bits mean other things elsewhere (bit 5 is
	 * virtio-blk's read-only) */
	if (k->device_id == VDPA_VIRTIO_ID_NET)
		want |= (1ull << VDPA_F_NET_MAC) | (1ull << VDPA_F_NET_STATUS);
	return k->features & want;
}

/* ---------- VDPA-DEV-01 ---------- */

/* A getter called twice must answer, and the same both times. Its
 * argument size and name come from the ioctl table; a and b hold cap
 * bytes each. */
static bool getter(struct cert *k, uint32_t req, void *a, void *b, size_t cap)
{
	const struct vdpa_ioctl_info *ii = vdpa_ioctl(req);
	size_t n = ii ? ii->size : 0;
	char name[48];
	const char *what = vdpa_ioctl_name(req, name, sizeof name);
	if (!ii || n > cap)
		abort(); /* a programming error: the table and the buffer disagree */
	memset(a, 0xa5, n);
	memset(b, 0x5a, n);
	long r1 = io(k, req, a), r2 = io(k, req, b);
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_01, r1 >= 0 && r2 >= 0, "%s fails: %s", what, en(r1 < 0 ? r1 : r2)))
		return false;
	return vc_expect(&k->c, VC_R_VDPA_DEV_01, memcmp(a, b, n) == 0,
			 "%s answers differ between two calls", what);
}

static void dev01(struct cert *k)
{
	k->phase = "DEV-01";
	uint64_t a[2], b[2];
	/* The first answer is used even when the second differs, so one
	 * unstable getter fails only this check. */
	getter(k, VDPA_REQ_VDPA_GET_DEVICE_ID, a, b, sizeof a);
	memcpy(&k->device_id, a, 4);
	getter(k, VDPA_REQ_GET_FEATURES, a, b, sizeof a);
	memcpy(&k->features, a, 8);
	getter(k, VDPA_REQ_VDPA_GET_STATUS, a, b, sizeof a);
	getter(k, VDPA_REQ_VDPA_GET_VRING_NUM, a, b, sizeof a);
	memcpy(&k->num_max, a, 2);
	getter(k, VDPA_REQ_VDPA_GET_CONFIG_SIZE, a, b, sizeof a);
	memcpy(&k->config_size, a, 4);
	if (getter(k, VDPA_REQ_VDPA_GET_IOVA_RANGE, a, b, sizeof a)) {
		k->first = a[0];
		k->last = a[1];
	} else {
		k->first = 0;
		k->last = UINT64_MAX;
	}
	uint32_t n = 0;
	if (io(k, VDPA_REQ_VDPA_GET_VQS_COUNT, &n) >= 0) {
		k->nvqs = n;
	} else {
		/* A kernel before GET_VQS_COUNT: a net device has 2 vqs per queue
		 * pair (max_virtqueue_pairs with MQ, else 1) plus the control vq. */
		uint16_t qp = 1;
		struct {
			uint32_t off, len;
			uint8_t b[8];
		} c = { VDPA_NETCFG_MAX_VQP, 2, { 0 } };
		if ((k->features >> VDPA_F_NET_MQ & 1) && io(k, VDPA_REQ_VDPA_GET_CONFIG, &c) >= 0)
			memcpy(&qp, c.b, 2);
		k->nvqs = 2u * (qp ? qp : 1) + (uint32_t)(k->features >> VDPA_F_NET_CTRL_VQ & 1);
		note(k, "no GET_VQS_COUNT: %u vqs from the net config", k->nvqs);
	}
	step(k, 0, "device id %u, features 0x%llx, %u vqs of at most %u, config %u bytes, iova 0x%llx-0x%llx",
	     k->device_id, (unsigned long long)k->features, k->nvqs, k->num_max, k->config_size,
	     (unsigned long long)k->first, (unsigned long long)k->last);
	note(k, "device id %u, features 0x%llx, %u vqs of at most %u, config %u bytes, iova 0x%llx-0x%llx",
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
	long r = io(k, req, &c);
	if (data && req == VDPA_REQ_VDPA_GET_CONFIG)
		memcpy(data, c.buf, cap < sizeof c.buf ? cap : sizeof c.buf);
	return r;
}

static void dev02(struct cert *k)
{
	k->phase = "DEV-02";
	uint32_t size = k->config_size;
	if (size == 0 || size > 200) {
		vc_fail(&k->c, VC_R_VDPA_DEV_02, "config size %u cannot be probed (expected 1..200)", size);
		return;
	}
	static const struct {
		uint32_t req;
		const char *name;
	} ops[] = { { VDPA_REQ_VDPA_GET_CONFIG, "GET_CONFIG" }, { VDPA_REQ_VDPA_SET_CONFIG, "SET_CONFIG" } };
	for (unsigned i = 0; i < 2; i++) {
		uint8_t junk[256] = { 0 };
		long r = config_op(k, ops[i].req, 0, 0, junk, sizeof junk);
		vc_expect(&k->c, VC_R_VDPA_DEV_02, r == -EINVAL, "%s len 0: %s, expected EINVAL", ops[i].name, en(r));
		r = config_op(k, ops[i].req, size + 1, 1, junk, sizeof junk);
		vc_expect(&k->c, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off %u > size %u: %s, expected EINVAL",
			  ops[i].name, size + 1, size, en(r));
		r = config_op(k, ops[i].req, 0, size + 1, junk, sizeof junk);
		/* EINVAL, not E2BIG: vhost_vdpa_get_config/set_config return
		 * -EINVAL whatever vhost_vdpa_config_validate() said. */
		vc_expect(&k->c, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off 0 len %u > size %u: %s, expected EINVAL",
			  ops[i].name, size + 1, size, en(r));
		r = config_op(k, ops[i].req, size - 1, 2, junk, sizeof junk);
		vc_expect(&k->c, VC_R_VDPA_DEV_02, r == -EINVAL, "%s off %u len 2 (past the end): %s, expected EINVAL",
			  ops[i].name, size - 1, en(r));
	}
	/* A valid read returns exactly what was asked. */
	uint8_t got[256];
	long r = config_op(k, VDPA_REQ_VDPA_GET_CONFIG, 0, 6, got, sizeof got);
	if (vc_expect(&k->c, VC_R_VDPA_DEV_02, r >= 0, "GET_CONFIG off 0 len 6: %s", en(r))) {
		bool clean = true;
		for (unsigned i = 6; i < 64; i++)
			clean &= got[i] == 0xee;
		vc_expect(&k->c, VC_R_VDPA_DEV_02, clean, "GET_CONFIG len 6 wrote past the 6 bytes asked for");
	}
}

/* ---------- VDPA-DEV-03 ---------- */

static void dev03(struct cert *k)
{
	k->phase = "DEV-03";
	uint32_t s[2] = { k->nvqs, 256 };
	long r = io(k, VDPA_REQ_SET_VRING_NUM, s);
	vc_expect(&k->c, VC_R_VDPA_DEV_03, r == -ENOBUFS, "SET_VRING_NUM for vq %u (of %u): %s, expected ENOBUFS",
		  k->nvqs, k->nvqs, en(r));
	s[0] = 0xffffu;
	r = io(k, VDPA_REQ_GET_VRING_BASE, s);
	vc_expect(&k->c, VC_R_VDPA_DEV_03, r == -ENOBUFS, "GET_VRING_BASE for vq 65535: %s, expected ENOBUFS", en(r));
	static const uint32_t bad_num[] = { 0, 3, 65536 + 256 };
	for (unsigned i = 0; i < 3; i++) {
		s[0] = 0;
		s[1] = bad_num[i];
		r = io(k, VDPA_REQ_SET_VRING_NUM, s);
		vc_expect(&k->c, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_NUM num %u: %s, expected EINVAL",
			  bad_num[i], en(r));
	}
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} a = { 0, 0, 0x10000, 0x12000, 0x11001, 0 };
	r = io(k, VDPA_REQ_SET_VRING_ADDR, &a);
	vc_expect(&k->c, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_ADDR avail 0x11001 (odd): %s, expected EINVAL", en(r));
	a.avail = 0x11000;
	a.used = 0x12002;
	r = io(k, VDPA_REQ_SET_VRING_ADDR, &a);
	vc_expect(&k->c, VC_R_VDPA_DEV_03, r == -EINVAL, "SET_VRING_ADDR used 0x12002 (not 4-aligned): %s, expected EINVAL", en(r));
}

/* ---------- VDPA-STS-05, VDPA-FEAT-05 ---------- */

static void sts05_feat05(struct cert *k)
{
	k->phase = "STS-05/FEAT-05";
	uint64_t bad = 1ull << 63;
	long r = io(k, VDPA_REQ_SET_BACKEND_FEATURES, &bad);
	vc_expect(&k->c, VC_R_VDPA_FEAT_05, r == -EOPNOTSUPP,
		  "SET_BACKEND_FEATURES with unknown bit 63: %s, expected EOPNOTSUPP", en(r));
	set_status(k, 0);
	set_status(k, VDPA_S_ACKNOWLEDGE);
	set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER);
	uint64_t f = driver_features(k);
	r = io(k, VDPA_REQ_SET_FEATURES, &f);
	vc_expect(&k->c, VC_R_VDPA_STS_05, r >= 0, "SET_FEATURES 0x%llx before FEATURES_OK: %s",
		  (unsigned long long)f, en(r));
	set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK);
	int st = get_status(k);
	vc_expect(&k->c, VC_R_VDPA_STS_05, st >= 0 && (st & VDPA_S_FEATURES_OK),
		  "FEATURES_OK was not kept for the feature set 0x%llx (status read back 0x%x)",
		  (unsigned long long)f, st);
	r = io(k, VDPA_REQ_SET_FEATURES, &f);
	vc_expect(&k->c, VC_R_VDPA_FEAT_05, r == -EBUSY, "SET_FEATURES after FEATURES_OK: %s, expected EBUSY", en(r));
	r = set_status(k, VDPA_S_ACKNOWLEDGE);
	int after = get_status(k);
	vc_expect(&k->c, VC_R_VDPA_STS_05, r == -EINVAL && after == st,
		  "SET_STATUS 0x01 clearing DRIVER|FEATURES_OK: %s (status now 0x%x), expected EINVAL and no change",
		  en(r), after);
	r = set_status(k, 0);
	st = get_status(k);
	vc_expect(&k->c, VC_R_VDPA_STS_05, r >= 0 && st == 0, "reset: SET_STATUS 0 %s, status read back 0x%x",
		  en(r), st);
}

/* ---------- VDPA-DEV-04 ---------- */

static void dev04(struct cert *k)
{
	k->phase = "DEV-04";
	uint8_t *u = k->mem;
	long r = iotlb(k, VDPA_IOTLB_UPDATE, k->iova, 0, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	vc_expect(&k->c, VC_R_VDPA_DEV_04, r < 0, "UPDATE with size 0 succeeded (bug K1)");
	r = iotlb(k, VDPA_IOTLB_UPDATE, UINT64_MAX - 0xfff, 0x2000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	vc_expect(&k->c, VC_R_VDPA_DEV_04, r < 0, "UPDATE of a range that wraps past 2^64 succeeded");
	r = iotlb(k, VDPA_IOTLB_UPDATE, k->iova, 0x4000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_04, r == VDPA_MSG_V2_SIZE, "a valid UPDATE iova 0x%llx size 0x4000: %s",
		       (unsigned long long)k->iova, en(r)))
		return;
	r = iotlb(k, VDPA_IOTLB_UPDATE, k->iova + 0x1000, 0x1000, (uint64_t)(uintptr_t)u, VDPA_ACCESS_RW);
	vc_expect(&k->c, VC_R_VDPA_DEV_04, r < 0, "an UPDATE overlapping the mapping at 0x%llx succeeded",
		  (unsigned long long)k->iova);
	uint8_t shortm[30] = { VDPA_MSG_TYPE_IOTLB_V2 };
	r = step(k, k->p->write(k->p, k->fd, shortm, sizeof shortm), "write %zu bytes", sizeof shortm);
	vc_expect(&k->c, VC_R_VDPA_DEV_04, r == -EINVAL, "a 30-byte IOTLB write: %s, expected EINVAL", en(r));
	r = unmap_mem(k);
	vc_expect(&k->c, VC_R_VDPA_DEV_04, r == VDPA_MSG_V2_SIZE, "INVALIDATE of the mapping: %s", en(r));
}

/* ---------- VDPA-DEV-06 ---------- */

static void dev06(struct cert *k)
{
	k->phase = "DEV-06";
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	void *a = NULL;
	int r = (int)step(k, k->p->mmap(k->p, k->fd, page, PROT_WRITE, MAP_SHARED, 0, &a), "mmap doorbell vq 0");
	if (r == -VDPA_ENOTSUPP || r == -ENODEV || r == -EOPNOTSUPP) {
		/* No doorbells (vdpa_sim, CUSE): the valid request is refused,
		 * which the kernel allows; the bad ones must be too. */
		note(k, "doorbell mmap not offered (%s): only the rejections are checked", en(r));
		if (k->notes)
			fprintf(k->notes,
				"note: VDPA-DEV-06: %s refuses doorbell mmap (%s%s): only the rejection of bad requests was checked\n",
				k->p->name, en(r), r == -ENODEV ? ", as every CUSE device does: CUSE has no mmap" : "");
	} else if (vc_expect(&k->c, VC_R_VDPA_DEV_06, r == 0, "doorbell mmap of vq 0 (one write-only shared page): %s",
			     en(r))) {
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
		r = (int)step(k, k->p->mmap(k->p, k->fd, bad[i].pages * page, bad[i].prot, bad[i].flags,
					    (off_t)(bad[i].index * page), &a),
			      "mmap %s", bad[i].what);
		vc_expect(&k->c, VC_R_VDPA_DEV_06, r < 0, "a %s doorbell mapping was accepted", bad[i].what);
		if (r == 0)
			k->p->munmap(k->p, k->fd, a, bad[i].pages * page, (off_t)(bad[i].index * page));
	}
}

/* ---------- VDPA-DEV-07 ---------- */

/* Start the device as a client does: features, the IOTLB, the first
 * min(2, nvqs) rings at k->iova + q * 0x4000 (desc, avail +0x1000, used
 * +0x2000), DRIVER_OK. NULL, or why not (in why). */
static const char *start_dev(struct cert *k, char *why, size_t len, uint32_t *nq_out, uint32_t *num_out)
{
	long r;
#define STEP(expr, what)                                                      \
	do {                                                                  \
		r = (expr);                                                   \
		if (r < 0) {                                                  \
			snprintf(why, len, "%s: %s", what, en(r));            \
			return why;                                           \
		}                                                             \
	} while (0)
	STEP(set_status(k, 0), "SET_STATUS 0");
	STEP(set_status(k, VDPA_S_ACKNOWLEDGE), "SET_STATUS ACKNOWLEDGE");
	STEP(set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER), "SET_STATUS DRIVER");
	uint64_t f = driver_features(k);
	STEP(io(k, VDPA_REQ_SET_FEATURES, &f), "SET_FEATURES");
	STEP(set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK), "SET_STATUS FEATURES_OK");
	int st = get_status(k);
	if (st < 0 || !(st & VDPA_S_FEATURES_OK)) {
		snprintf(why, len, "FEATURES_OK not kept (status 0x%x)", st);
		return why;
	}
	STEP(map_mem(k), "IOTLB UPDATE of the ring memory");
	uint32_t nq = k->nvqs < 2 ? k->nvqs : 2;
	uint32_t num = k->num_max && k->num_max < 256 ? k->num_max : 256;
	num = num & (num - 1) ? 64 : num;
	for (uint32_t q = 0; q < nq; q++) {
		uint64_t base = k->iova + (uint64_t)q * 0x4000;
		uint32_t s[2] = { q, num };
		STEP(io(k, VDPA_REQ_SET_VRING_NUM, s), "SET_VRING_NUM");
		s[1] = 0;
		STEP(io(k, VDPA_REQ_SET_VRING_BASE, s), "SET_VRING_BASE");
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} a = { q, 0, base, base + 0x2000, base + 0x1000, 0 };
		STEP(io(k, VDPA_REQ_SET_VRING_ADDR, &a), "SET_VRING_ADDR");
		uint32_t kf[2] = { q, (uint32_t)k->kick[q] };
		STEP(io(k, VDPA_REQ_SET_VRING_KICK, kf), "SET_VRING_KICK");
		kf[1] = (uint32_t)k->call[q];
		STEP(io(k, VDPA_REQ_SET_VRING_CALL, kf), "SET_VRING_CALL");
		s[1] = 1;
		STEP(io(k, VDPA_REQ_VDPA_SET_VRING_ENABLE, s), "SET_VRING_ENABLE");
	}
	STEP(set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK | VDPA_S_DRIVER_OK),
	     "SET_STATUS DRIVER_OK");
	st = get_status(k);
	if (st < 0 || !(st & VDPA_S_DRIVER_OK)) {
		snprintf(why, len, "DRIVER_OK not kept (status 0x%x)", st);
		return why;
	}
	*nq_out = nq;
	*num_out = num;
	return NULL;
}

/* Reset, read the rings' bases, unmap. */
static const char *stop_dev(struct cert *k, char *why, size_t len, uint32_t nq)
{
	long r;
	STEP(set_status(k, 0), "SET_STATUS 0 (stop)");
	for (uint32_t q = 0; q < nq; q++) {
		uint32_t s[2] = { q, 0 };
		STEP(io(k, VDPA_REQ_GET_VRING_BASE, s), "GET_VRING_BASE after the reset");
	}
	STEP(unmap_mem(k), "IOTLB INVALIDATE of the ring memory");
	return NULL;
#undef STEP
}

static const char *cycle(struct cert *k, char *why, size_t len)
{
	uint32_t nq = 0, num = 0;
	const char *e = start_dev(k, why, len, &nq, &num);
	return e ? e : stop_dev(k, why, len, nq);
}

static void dev07(struct cert *k, unsigned cycles)
{
	k->phase = "DEV-07";
	char why[160];
	unsigned i;
	const char *fail = NULL;
	for (i = 0; i < cycles && !fail; i++)
		fail = cycle(k, why, sizeof why);
	vc_expect(&k->c, VC_R_VDPA_DEV_07, !fail, "start/stop cycle %u of %u failed: %s", i, cycles,
		  fail ? fail : "");
	if (!fail)
		note(k, "%u start/stop cycles", cycles);
}

/* ---------- VDPA-DEV-05 ---------- */

static long begin(struct cert *k)
{
	long r = io(k, VDPA_REQ_SET_OWNER, NULL);
	if (r < 0)
		return r;
	uint64_t b = 0;
	r = io(k, VDPA_REQ_GET_BACKEND_FEATURES, &b);
	if (r < 0)
		return r;
	k->backend = b & ((1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH));
	return io(k, VDPA_REQ_SET_BACKEND_FEATURES, &k->backend);
}

static void dev05(struct cert *k)
{
	k->phase = "DEV-05";
	/* Its own IOVA, so a leak seen by DEV-07 does not decide this one. */
	k->iova += k->mem_len;
	int fd2 = k->p->open(k->p);
	step(k, fd2 < 0 ? fd2 : 0, "second open"); /* fd numbers differ between devices */
	vc_expect(&k->c, VC_R_VDPA_DEV_05, fd2 == -EBUSY, "a second open() while the device is open: %s, expected EBUSY",
		  en(fd2));
	if (fd2 >= 0 && fd2 != k->fd)
		k->p->close(k->p, fd2);
	long r = map_mem(k);
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_05, r >= 0, "UPDATE before close: %s", en(r)))
		return;
	k->p->close(k->p, k->fd);
	k->fd = k->p->open(k->p);
	step(k, k->fd < 0 ? k->fd : 0, "reopen");
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_05, k->fd >= 0, "open() after close(): %s", en(k->fd)))
		return;
	r = begin(k);
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_05, r >= 0, "SET_OWNER/backend features after reopen: %s", en(r)))
		return;
	r = map_mem(k);
	vc_expect(&k->c, VC_R_VDPA_DEV_05, r >= 0,
		  "UPDATE of the range mapped before close() fails after reopening (%s): close() kept the mapping", en(r));
	if (r >= 0)
		unmap_mem(k);
}

/* ---------- VDPA-DEV-08, -09: the data path (--datapath) ---------- */

/* The rings live where start_dev() put them; buffers in the upper half of
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
		note(k, "kick of vq %u: %s", q, strerror(errno));
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
	step(k, sent ? 0 : -ETIMEDOUT, "datapath net: TX used");
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_08, sent, "a %u-byte TX frame posted and kicked on vq 1 was not used within %d ms",
		       NHDR + FRAME, DP_WAIT_MS))
		return;
	bool got = vq_wait(&rx, 1);
	step(k, got ? 0 : -ETIMEDOUT, "datapath net: RX used");
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_08, got,
		       "the TX frame did not come back on RX within %d ms (certify --datapath needs a device that loops TX back to RX, as vdpa_sim_net does)",
		       DP_WAIT_MS))
		return;
	uint16_t id;
	memcpy(&id, rx.used + 4, 2);
	uint32_t len = vq_used_len(&rx, 0);
	uint8_t *buf = id < NRX ? k->mem + DP_BUF + id * RXBUF : NULL;
	if (!vc_expect(&k->c, VC_R_VDPA_DEV_08, buf && len == NHDR + FRAME,
		       "RX used element: id %u (of %u posted) len %u, expected the %u bytes sent", id, NRX, len,
		       NHDR + FRAME))
		return;
	vc_expect(&k->c, VC_R_VDPA_DEV_08, memcmp(buf + NHDR, frame + NHDR, FRAME) == 0,
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
		step(k, done ? 0 : -ETIMEDOUT, "datapath blk: %s used", what);
		if (!vc_expect(&k->c, VC_R_VDPA_DEV_09, done, "a 4 KiB %s at sector %u posted and kicked was not used within %d ms",
			       what, SECTOR0, DP_WAIT_MS))
			return;
		uint32_t len = vq_used_len(&v, (uint16_t)pass);
		uint32_t want = rd ? DATA + 1 : 1;
		uint8_t status = __atomic_load_n(&m[st], __ATOMIC_ACQUIRE);
		if (!vc_expect(&k->c, VC_R_VDPA_DEV_09, status == VIRTIO_BLK_S_OK, "%s at sector %u: status %u, expected 0 (OK)",
			       what, SECTOR0, status))
			return;
		vc_expect(&k->c, VC_R_VDPA_DEV_09, len == want,
			  "%s: used length %u, expected %u (the bytes written into the request's writable buffers)", what,
			  len, want);
	}
	vc_expect(&k->c, VC_R_VDPA_DEV_09, memcmp(m + wdata, m + rdata, DATA) == 0,
		  "the 4 KiB read back from sector %u differ from what was written", SECTOR0);
}

static void datapath(struct cert *k)
{
	k->phase = "DATAPATH";
	const char *skip = k->p->dev ? "the in-process fake has no data path"
			   : k->device_id != VDPA_VIRTIO_ID_NET && k->device_id != VDPA_VIRTIO_ID_BLK
				   ? "the device is neither net nor block"
				   : NULL;
	if (skip) {
		note(k, "datapath: %s: not checked", skip);
		if (k->notes)
			fprintf(k->notes, "note: VDPA-DEV-08/09: %s: the data path was not checked\n", skip);
		return;
	}
	char why[160];
	uint32_t nq = 0, num = 0;
	const char *e = start_dev(k, why, sizeof why, &nq, &num);
	bool net = k->device_id == VDPA_VIRTIO_ID_NET;
	if (!vc_expect(&k->c, net ? VC_R_VDPA_DEV_08 : VC_R_VDPA_DEV_09, !e && nq >= (net ? 2u : 1u),
		       "starting the device for the data path: %s", e ? e : "too few vqs"))
		return;
	if (net)
		dp_net(k, num);
	else
		dp_blk(k, num);
	e = stop_dev(k, why, sizeof why, nq);
	if (e)
		note(k, "datapath: stopping: %s", e);
}

int vdpa_certify(struct vdpa_port *p, struct vc_engine *e, uint32_t sid,
		 const struct vdpa_certify_opts *o, char *err, size_t errlen)
{
	struct cert k = { .p = p, .log = o ? o->log : NULL, .notes = o ? o->notes : NULL,
			  .steps = o ? o->steps : NULL };
	k.c.eng = e;
	k.c.sid = sid;
	k.kick[0] = k.kick[1] = k.call[0] = k.call[1] = -1;
	k.fd = p->open(p);
	if (k.fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", p->name, strerror((int)-k.fd));
		return -1;
	}
	k.mem_len = MEM_LEN;
	/* Shared file-backed memory, as QEMU and DPDK map guest memory (memfd,
	 * hugetlbfs). Parents that map by virtual address (VDUSE) map only
	 * shared file-backed VMAs and silently skip anonymous ones
	 * (vhost_vdpa_va_map), so anonymous memory would leave the IOTLB
	 * empty there and an overlapping UPDATE would "succeed". */
	int mfd = o && o->anon_memory ? -1 : memfd_create("vcts-certify", MFD_CLOEXEC);
	k.mem = MAP_FAILED;
	if (o && o->anon_memory)
		k.mem = mmap(NULL, k.mem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else if (mfd >= 0 && ftruncate(mfd, (off_t)k.mem_len) == 0)
		k.mem = mmap(NULL, k.mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	int merr = errno;
	if (mfd >= 0)
		close(mfd); /* the mapping keeps the file */
	if (k.mem == MAP_FAILED) {
		p->close(p, k.fd);
		snprintf(err, errlen, "cannot allocate shared guest memory (memfd): %s", strerror(merr));
		return -1;
	}
	memset(k.mem, 0, k.mem_len);
	for (int i = 0; i < 2; i++) {
		k.kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		k.call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	if (o && o->generic) {
		/* Generic vhost: ownership first, then the vring errors. */
		uint32_t st[2] = { 0, 256 };
		long r0 = io(&k, VDPA_REQ_SET_VRING_NUM, st);
		vc_expect(&k.c, VC_R_VDPA_DEV_03, r0 == -EPERM, "SET_VRING_NUM before SET_OWNER: %s, expected EPERM",
			  en(r0));
		uint64_t a[2], b[2];
		getter(&k, VDPA_REQ_GET_FEATURES, a, b, sizeof a);
		memcpy(&k.features, a, 8);
		long r1 = io(&k, VDPA_REQ_SET_OWNER, NULL);
		vc_expect(&k.c, VC_R_VDPA_DEV_03, r1 == 0, "SET_OWNER: %s", en(r1));
		r1 = io(&k, VDPA_REQ_SET_OWNER, NULL);
		vc_expect(&k.c, VC_R_VDPA_DEV_03, r1 == -EBUSY, "second SET_OWNER: %s, expected EBUSY", en(r1));
		uint32_t nq = 0;
		k.nvqs = io(&k, VDPA_REQ_VDPA_GET_VQS_COUNT, &nq) >= 0 ? nq : 2; /* vhost-net: rx, tx */
		note(&k, "generic vhost device, features 0x%llx", (unsigned long long)k.features);
		dev03(&k);
		goto done;
	}
	dev01(&k);
	/* Guest memory at the first page-aligned IOVA >= 1 MiB in range. */
	uint64_t at = k.first < 0x100000 ? 0x100000 : (k.first + 0xfff) & ~0xfffull;
	k.iova = at;
	bool fits = at >= k.first && at <= k.last && k.last - at >= 2 * k.mem_len - 1;
	k.phase = "setup";
	long r = begin(&k);
	note(&k, "SET_OWNER + backend features 0x%llx: %s", (unsigned long long)k.backend, en(r));
	dev02(&k);
	dev03(&k);
	sts05_feat05(&k);
	if (fits) {
		dev04(&k);
		dev07(&k, o && o->cycles ? o->cycles : 100);
	} else {
		vc_fail(&k.c, VC_R_VDPA_DEV_04, "the IOVA range 0x%llx-0x%llx has no room for 128 KiB at 0x%llx",
			(unsigned long long)k.first, (unsigned long long)k.last, (unsigned long long)at);
	}
	if (fits && o && o->datapath)
		datapath(&k);
	dev06(&k);
	if (fits)
		dev05(&k);
	if (k.fd >= 0)
		set_status(&k, 0);
done:
	if (k.fd >= 0)
		p->close(p, k.fd);
	for (int i = 0; i < 2; i++) {
		if (k.kick[i] >= 0)
			close(k.kick[i]);
		if (k.call[i] >= 0)
			close(k.call[i]);
	}
	munmap(k.mem, k.mem_len);
	return 0;
}
