/* The vhost-vdpa certification driver behind `vhost-cts certify`:
 * it opens the device through a vdpa_port, drives it like a careful
 * client and records one verdict per check in the engine session it is
 * given. This file is the plumbing and the entry point; the checks are in
 * certify_steps.c. The errnos expected are the Linux kernel's
 * (drivers/vhost/vdpa.c, vhost.c). */
#include "fakes/vdpa/certify.h"
#include "fakes/vdpa/certify_driver.h"
#include "conformance/vu_be.h"
#include "vcts/vdpa_uapi.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

void cert_verdict(struct cert *k, enum vc_rule_id r, bool ok, const char *fmt, ...)
{
	if (ok) {
		vc_engine_live_verdict(k->eng, k->sid, NULL, r, true, "");
		return;
	}
	/* The engine's own limit, so the finding reads as vc_fail() wrote it. */
	char msg[VC_FINDING_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vc_engine_live_verdict(k->eng, k->sid, NULL, r, false, msg);
}

void cert_note(struct cert *k, const char *fmt, ...)
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

long cert_io(struct cert *k, uint32_t req, void *arg)
{
	char name[48];
	long r = k->p->ioctl(k->p, k->fd, req, arg);
	return cert_step(k, r, "ioctl %s", vdpa_ioctl_name(req, name, sizeof name));
}

const char *cert_errname(long r)
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
long cert_step(struct cert *k, long r, const char *fmt, ...)
{
	if (!k->steps)
		return r;
	va_list ap;
	va_start(ap, fmt);
	fprintf(k->steps, "%u %s ", ++k->nstep, k->phase ? k->phase : "setup");
	vfprintf(k->steps, fmt, ap);
	fprintf(k->steps, " -> %s\n", r >= 0 ? (r > 0 ? "ok+" : "ok") : cert_errname(r));
	va_end(ap);
	return r;
}

/* One IOTLB message (V2 when negotiated, else V1). */
long cert_iotlb(struct cert *k, uint8_t type, uint64_t iova, uint64_t size, uint64_t uaddr,
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
	return cert_step(k, k->p->write(k->p, k->fd, m, sizeof m), "iotlb type %u iova 0x%llx size 0x%llx perm %u",
			 type, (unsigned long long)iova, (unsigned long long)size, perm);
}

static bool batching(const struct cert *k)
{
	return k->backend >> VDPA_BF_IOTLB_BATCH & 1;
}

long cert_map_mem(struct cert *k)
{
	long r = 0;
	if (batching(k))
		r = cert_iotlb(k, VDPA_IOTLB_BATCH_BEGIN, 0, 0, 0, 0);
	long u = cert_iotlb(k, VDPA_IOTLB_UPDATE, k->iova, k->mem_len, (uint64_t)(uintptr_t)k->mem,
			    VDPA_ACCESS_RW);
	if (batching(k)) {
		long e = cert_iotlb(k, VDPA_IOTLB_BATCH_END, 0, 0, 0, 0);
		if (r >= 0 && e < 0)
			r = e;
	}
	return u < 0 ? u : r;
}

long cert_unmap_mem(struct cert *k)
{
	return cert_iotlb(k, VDPA_IOTLB_INVALIDATE, k->iova, k->mem_len, 0, 0);
}

long cert_set_status(struct cert *k, uint8_t s)
{
	return cert_io(k, VDPA_REQ_VDPA_SET_STATUS, &s);
}

int cert_get_status(struct cert *k)
{
	uint8_t s = 0xff;
	long r = cert_io(k, VDPA_REQ_VDPA_GET_STATUS, &s);
	return r < 0 ? (int)r : s;
}

uint64_t cert_driver_features(const struct cert *k)
{
	uint64_t want = (1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM);
	/* the device-class bits mean other things elsewhere (bit 5 is
	 * virtio-blk's read-only) */
	if (k->device_id == VDPA_VIRTIO_ID_NET)
		want |= (1ull << VDPA_F_NET_MAC) | (1ull << VDPA_F_NET_STATUS);
	return k->features & want;
}

/* A getter called twice must answer, and the same both times. Its
 * argument size and name come from the ioctl table; a and b hold cap
 * bytes each. */
bool cert_getter(struct cert *k, uint32_t req, void *a, void *b, size_t cap)
{
	const struct vdpa_ioctl_info *ii = vdpa_ioctl(req);
	size_t n = ii ? ii->size : 0;
	char name[48];
	const char *what = vdpa_ioctl_name(req, name, sizeof name);
	if (!ii || n > cap)
		abort(); /* a programming error: the table and the buffer disagree */
	memset(a, 0xa5, n);
	memset(b, 0x5a, n);
	long r1 = cert_io(k, req, a), r2 = cert_io(k, req, b);
	if (!cert_expect(k, VC_R_VDPA_DEV_01, r1 >= 0 && r2 >= 0, "%s fails: %s", what, cert_errname(r1 < 0 ? r1 : r2)))
		return false;
	return cert_expect(k, VC_R_VDPA_DEV_01, memcmp(a, b, n) == 0,
			   "%s answers differ between two calls", what);
}

/* Start the device as a client does: features, the IOTLB, the first
 * min(2, nvqs) rings at k->iova + q * 0x4000 (desc, avail +0x1000, used
 * +0x2000), DRIVER_OK. NULL, or why not (in why). */
const char *cert_start_dev(struct cert *k, char *why, size_t len, uint32_t *nq_out, uint32_t *num_out)
{
	long r;
#define STEP(expr, what)                                                      \
	do {                                                                  \
		r = (expr);                                                   \
		if (r < 0) {                                                  \
			snprintf(why, len, "%s: %s", what, cert_errname(r));  \
			return why;                                           \
		}                                                             \
	} while (0)
	STEP(cert_set_status(k, 0), "SET_STATUS 0");
	STEP(cert_set_status(k, VDPA_S_ACKNOWLEDGE), "SET_STATUS ACKNOWLEDGE");
	STEP(cert_set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER), "SET_STATUS DRIVER");
	uint64_t f = cert_driver_features(k);
	STEP(cert_io(k, VDPA_REQ_SET_FEATURES, &f), "SET_FEATURES");
	STEP(cert_set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK), "SET_STATUS FEATURES_OK");
	int st = cert_get_status(k);
	if (st < 0 || !(st & VDPA_S_FEATURES_OK)) {
		snprintf(why, len, "FEATURES_OK not kept (status 0x%x)", st);
		return why;
	}
	STEP(cert_map_mem(k), "IOTLB UPDATE of the ring memory");
	uint32_t nq = k->nvqs < 2 ? k->nvqs : 2;
	uint32_t num = k->num_max && k->num_max < 256 ? k->num_max : 256;
	/* A split ring's size is a power of two no larger than the device's
	 * maximum: round down (64 could exceed a maximum of 48). */
	while (num & (num - 1))
		num &= num - 1;
	for (uint32_t q = 0; q < nq; q++) {
		uint64_t base = k->iova + (uint64_t)q * 0x4000;
		uint32_t s[2] = { q, num };
		STEP(cert_io(k, VDPA_REQ_SET_VRING_NUM, s), "SET_VRING_NUM");
		s[1] = 0;
		STEP(cert_io(k, VDPA_REQ_SET_VRING_BASE, s), "SET_VRING_BASE");
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} a = { q, 0, base, base + 0x2000, base + 0x1000, 0 };
		STEP(cert_io(k, VDPA_REQ_SET_VRING_ADDR, &a), "SET_VRING_ADDR");
		uint32_t kf[2] = { q, (uint32_t)k->kick[q] };
		STEP(cert_io(k, VDPA_REQ_SET_VRING_KICK, kf), "SET_VRING_KICK");
		kf[1] = (uint32_t)k->call[q];
		STEP(cert_io(k, VDPA_REQ_SET_VRING_CALL, kf), "SET_VRING_CALL");
		s[1] = 1;
		STEP(cert_io(k, VDPA_REQ_VDPA_SET_VRING_ENABLE, s), "SET_VRING_ENABLE");
	}
	STEP(cert_set_status(k, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK | VDPA_S_DRIVER_OK),
	     "SET_STATUS DRIVER_OK");
	st = cert_get_status(k);
	if (st < 0 || !(st & VDPA_S_DRIVER_OK)) {
		snprintf(why, len, "DRIVER_OK not kept (status 0x%x)", st);
		return why;
	}
	*nq_out = nq;
	*num_out = num;
	return NULL;
}

/* Reset, read the rings' bases, unmap. */
const char *cert_stop_dev(struct cert *k, char *why, size_t len, uint32_t nq)
{
	long r;
	STEP(cert_set_status(k, 0), "SET_STATUS 0 (stop)");
	for (uint32_t q = 0; q < nq; q++) {
		uint32_t s[2] = { q, 0 };
		STEP(cert_io(k, VDPA_REQ_GET_VRING_BASE, s), "GET_VRING_BASE after the reset");
	}
	STEP(cert_unmap_mem(k), "IOTLB INVALIDATE of the ring memory");
	return NULL;
#undef STEP
}

/* SET_OWNER and the backend features certify uses (IOTLB v2, batching). */
long cert_begin(struct cert *k)
{
	long r = cert_io(k, VDPA_REQ_SET_OWNER, NULL);
	if (r < 0)
		return r;
	uint64_t b = 0;
	r = cert_io(k, VDPA_REQ_GET_BACKEND_FEATURES, &b);
	if (r < 0)
		return r;
	k->backend = b & ((1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH));
	return cert_io(k, VDPA_REQ_SET_BACKEND_FEATURES, &k->backend);
}

int vdpa_certify(struct vdpa_port *p, struct vc_engine *e, uint32_t sid,
		 const struct vdpa_certify_opts *o, char *err, size_t errlen)
{
	struct cert k = { .p = p, .log = o ? o->log : NULL, .notes = o ? o->notes : NULL,
			  .steps = o ? o->steps : NULL };
	k.eng = e;
	k.sid = sid;
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
		long r0 = cert_io(&k, VDPA_REQ_SET_VRING_NUM, st);
		cert_expect(&k, VC_R_VDPA_DEV_03, r0 == -EPERM, "SET_VRING_NUM before SET_OWNER: %s, expected EPERM",
			    cert_errname(r0));
		uint64_t a[2], b[2];
		cert_getter(&k, VDPA_REQ_GET_FEATURES, a, b, sizeof a);
		memcpy(&k.features, a, 8);
		long r1 = cert_io(&k, VDPA_REQ_SET_OWNER, NULL);
		cert_expect(&k, VC_R_VDPA_DEV_03, r1 == 0, "SET_OWNER: %s", cert_errname(r1));
		r1 = cert_io(&k, VDPA_REQ_SET_OWNER, NULL);
		cert_expect(&k, VC_R_VDPA_DEV_03, r1 == -EBUSY, "second SET_OWNER: %s, expected EBUSY", cert_errname(r1));
		uint32_t nq = 0;
		k.nvqs = cert_io(&k, VDPA_REQ_VDPA_GET_VQS_COUNT, &nq) >= 0 ? nq : 2; /* vhost-net: rx, tx */
		cert_note(&k, "generic vhost device, features 0x%llx", (unsigned long long)k.features);
		cert_dev03(&k);
		goto done;
	}
	cert_dev01(&k);
	/* Guest memory at the first page-aligned IOVA >= 1 MiB in range. */
	uint64_t at = k.first < 0x100000 ? 0x100000 : (k.first + 0xfff) & ~0xfffull;
	k.iova = at;
	bool fits = at >= k.first && at <= k.last && k.last - at >= 2 * k.mem_len - 1;
	k.phase = "setup";
	long r = cert_begin(&k);
	cert_note(&k, "SET_OWNER + backend features 0x%llx: %s", (unsigned long long)k.backend, cert_errname(r));
	cert_dev02(&k);
	cert_dev03(&k);
	cert_sts05_feat05(&k);
	if (fits) {
		cert_dev04(&k);
		cert_dev07(&k, o && o->cycles ? o->cycles : 100);
	} else {
		cert_fail(&k, VC_R_VDPA_DEV_04, "the IOVA range 0x%llx-0x%llx has no room for 128 KiB at 0x%llx",
			  (unsigned long long)k.first, (unsigned long long)k.last, (unsigned long long)at);
	}
	if (fits && o && o->datapath)
		cert_datapath(&k);
	cert_dev06(&k);
	if (fits)
		cert_dev05(&k);
	if (k.fd >= 0)
		cert_set_status(&k, 0);
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
