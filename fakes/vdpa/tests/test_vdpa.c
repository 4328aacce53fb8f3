/* The fake vDPA device model, its client rules and the certification
 * sequence, in process. */
#include "harness/tests/common/testutil.h"
#include "fakes/vdpa/vdpa.h"
#include "fakes/vdpa/live.h"
#include "fakes/vdpa/port.h"
#include "fakes/vdpa/certify.h"
#include "fakes/vdpa/seq.h"
#include "vcts/vdpa_uapi.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

static struct vdpa_dev *mkdev(const char *spec)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	char err[128];
	ck_assert_int_eq(vdpa_cfg_parse(&c, spec, err, sizeof err), 0);
	return vdpa_dev_new(&c);
}

static long IO(struct vdpa_dev *d, uint32_t req, void *arg)
{
	return vdpa_dev_ioctl(d, &vdpa_mem_self, req, (uint64_t)(uintptr_t)arg);
}

static long msg(struct vdpa_dev *d, uint32_t type, uint32_t asid, uint8_t t, uint64_t iova,
		uint64_t size, const void *uaddr, uint8_t perm)
{
	uint8_t m[VDPA_MSG_V2_SIZE] = { 0 };
	memcpy(m, &type, 4);
	memcpy(m + 4, &asid, 4);
	uint8_t *b = m + VDPA_MSG_V2_IOTLB_OFF;
	uint64_t ua = (uint64_t)(uintptr_t)uaddr;
	memcpy(b, &iova, 8);
	memcpy(b + 8, &size, 8);
	memcpy(b + 16, &ua, 8);
	b[24] = perm;
	b[25] = t;
	return vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)m, sizeof m);
}

static long upd(struct vdpa_dev *d, uint64_t iova, uint64_t size, const void *ua)
{
	return msg(d, 2, 0, VDPA_IOTLB_UPDATE, iova, size, ua, VDPA_ACCESS_RW);
}

static long inv(struct vdpa_dev *d, uint64_t iova, uint64_t size)
{
	return msg(d, 2, 0, VDPA_IOTLB_INVALIDATE, iova, size, NULL, 0);
}

static void owner(struct vdpa_dev *d, uint64_t bf)
{
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_OWNER, NULL), 0);
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_BACKEND_FEATURES, &bf), 0);
}

#define BF_V2_BATCH ((1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH))

/* ---------- the model answers like the kernel ---------- */

START_TEST(errnos)
{
	struct vdpa_dev *d = mkdev("");
	ck_assert_int_eq(vdpa_dev_open(d, 7), 0);
	ck_assert_int_eq(vdpa_dev_open(d, 8), -EBUSY);
	uint32_t s[2] = { 0, 256 };
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_NUM, s), -EPERM); /* no owner yet */
	owner(d, BF_V2_BATCH);
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_OWNER, NULL), -EBUSY);
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_NUM, s), 0);
	s[0] = 3;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_NUM, s), -ENOBUFS);
	s[0] = 0;
	s[1] = 3;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_NUM, s), -EINVAL);
	s[1] = 0x10000;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_BASE, s), -EINVAL);
	uint64_t bad = 1ull << 40;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_BACKEND_FEATURES, &bad), -EOPNOTSUPP);
	bad = 1ull << VDPA_BF_SUSPEND;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_BACKEND_FEATURES, &bad), -EOPNOTSUPP);
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SUSPEND, NULL), -EOPNOTSUPP);
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_LOG_BASE, &bad), -ENOTTY);
	/* status: only add bits, 0 resets */
	uint8_t st = VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SET_STATUS, &st), 0);
	st = VDPA_S_ACKNOWLEDGE;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SET_STATUS, &st), -EINVAL);
	uint64_t f = 1ull << VDPA_F_VERSION_1;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_FEATURES, &f), -EINVAL); /* no ACCESS_PLATFORM */
	f |= 1ull << VDPA_F_ACCESS_PLATFORM;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_FEATURES, &f), 0);
	st = VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SET_STATUS, &st), 0);
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_FEATURES, &f), -EBUSY);
	st = 0;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_STATUS, &st), 0);
	ck_assert_int_eq(st, VDPA_S_ACKNOWLEDGE | VDPA_S_DRIVER | VDPA_S_FEATURES_OK);
	/* config bounds */
	struct { uint32_t off, len; uint8_t b[64]; } c = { 0, 0, { 0 } };
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_CONFIG, &c), -EINVAL);
	c.off = 25; c.len = 1;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_CONFIG, &c), -EINVAL);
	c.off = 20; c.len = 5; /* past the end: EINVAL, not E2BIG (vhost_vdpa_get_config) */
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_CONFIG, &c), -EINVAL);
	c.off = 0; c.len = 6;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_CONFIG, &c), 0);
	ck_assert_int_eq(c.b[0], 0x52);
	/* kick must be an eventfd */
	uint32_t kf[2] = { 0, 0 };  /* fd 0: not an eventfd */
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_KICK, kf), -EINVAL);
	kf[1] = 100000;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_KICK, kf), -EBADF);
	/* vring addr */
	struct { uint32_t i, fl; uint64_t desc, used, avail, log; } a = { 0, 2, 0, 0, 0, 0 };
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_ADDR, &a), -EOPNOTSUPP);
	a.fl = 0; a.avail = 1;
	ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_ADDR, &a), -EINVAL);
	vdpa_dev_release(d);
	vdpa_dev_free(d);
}
END_TEST

START_TEST(bad_pointers_every_ioctl)
{
	struct vdpa_dev *d = mkdev("");
	ck_assert_int_eq(vdpa_dev_open(d, 7), 0);
	owner(d, BF_V2_BATCH);
	/* A page that cannot be read or written. */
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(none, MAP_FAILED);
	static const uint32_t reqs[] = {
#define X(n, dd, nr, sz) VDPA_REQ_##n,
		VDPA_IOCTLS(X)
#undef X
	};
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		uint32_t r = reqs[i];
		if (r == VDPA_REQ_SET_OWNER || r == VDPA_REQ_RESET_OWNER || r == VDPA_REQ_VDPA_SUSPEND ||
		    r == VDPA_REQ_VDPA_RESUME)
			continue;
		const struct vdpa_ioctl_info *ri = vdpa_ioctl(r);
		long a = IO(d, r, NULL), b = IO(d, r, none), c = IO(d, r, (void *)1);
		/* Every pointer-taking ioctl answers EFAULT (or an errno decided
		 * before touching the argument, as the kernel does). */
		ck_assert_msg(a < 0 && b < 0 && c < 0, "%s accepted a bad pointer", ri->name);
		ck_assert_msg(a == -EFAULT || a == -ENOTTY || a == -EBUSY, "%s: %ld", ri->name, a);
	}
	/* Unknown request: ENOTTY once the index is readable. */
	uint32_t z[16] = { 0 };
	ck_assert_int_eq(IO(d, 0xdeadbeef, z), -ENOTTY);
	/* Writes: bad buffer, short, long. */
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)none, 72), -EINVAL);
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, 0, 72), -EINVAL);
	uint8_t big[200] = { 2 };
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)big, 3), -EINVAL);
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)big, 39), -EINVAL);
	big[0] = 9;
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)big, 72), -EINVAL);
	/* A long write of a valid UPDATE is taken (72 returned), as the kernel does. */
	uint8_t *mem = malloc(8192);
	uint32_t two = 2;
	memset(big, 0, sizeof big);
	memcpy(big, &two, 4);
	uint64_t iova = 0x1000, size = 4096, ua = (uint64_t)(uintptr_t)mem;
	memcpy(big + 8, &iova, 8);
	memcpy(big + 16, &size, 8);
	memcpy(big + 24, &ua, 8);
	big[32] = 3;
	big[33] = VDPA_IOTLB_UPDATE;
	ck_assert_int_eq(vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)big, sizeof big), 72);
	/* IOTLB semantics: K1, wrap, overlap (EFAULT from write), unpinnable. */
	ck_assert_int_eq(upd(d, 0x10000, 0, mem), -EINVAL);
	ck_assert_int_eq(upd(d, UINT64_MAX - 0xfff, 0x2000, mem), -EFAULT);
	ck_assert_int_eq(upd(d, 0x1800, 0x100, mem), -EFAULT);
	ck_assert_int_eq(upd(d, 0x20000, 0x1000, none), -EFAULT);
	ck_assert_int_eq(msg(d, 2, 0, VDPA_IOTLB_MISS, 0x30000, 0x1000, mem, 3), -EFAULT);
	struct vdpa_stats st;
	vdpa_get_stats(d, &st);
	ck_assert_int_eq(st.maps, 1);
	ck_assert_int_eq(inv(d, 0, UINT64_MAX), 72);
	vdpa_get_stats(d, &st);
	ck_assert_int_eq(st.maps, 0);
	/* Doorbells. */
	ck_assert_int_eq(vdpa_dev_mmap(d, 4096, PROT_WRITE, MAP_SHARED, 0), 0);
	ck_assert_int_eq(vdpa_dev_mmap(d, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0), -EINVAL);
	ck_assert_int_eq(vdpa_dev_mmap(d, 4096, PROT_WRITE, MAP_PRIVATE, 0), -EINVAL);
	ck_assert_int_eq(vdpa_dev_mmap(d, 8192, PROT_WRITE, MAP_SHARED, 0), -EINVAL);
	ck_assert_int_eq(vdpa_dev_mmap(d, 4096, PROT_WRITE, MAP_SHARED, 4096ull * 65536), -EINVAL);
	vdpa_dev_munmap(d, 4096, 0);
	free(mem);
	munmap(none, 4096);
	vdpa_dev_release(d);
	vdpa_dev_free(d);
}
END_TEST

static void *try_open(void *arg)
{
	struct vdpa_dev *d = arg;
	return (void *)(intptr_t)(vdpa_dev_open(d, 9) == 0);
}

START_TEST(concurrent_opens)
{
	struct vdpa_dev *d = mkdev("");
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, try_open, d);
	int ok = 0;
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok += (int)(intptr_t)r;
	}
	ck_assert_int_eq(ok, 1);
	vdpa_dev_release(d);
	ck_assert_int_eq(vdpa_dev_open(d, 9), 0);
	vdpa_dev_free(d);
}
END_TEST

START_TEST(close_releases_everything)
{
	int fds_before = vc_test_count_fds();
	struct vdpa_dev *d = mkdev("");
	ck_assert_int_eq(vdpa_dev_open(d, 7), 0);
	owner(d, BF_V2_BATCH);
	int e[3];
	for (int i = 0; i < 3; i++)
		e[i] = eventfd(0, EFD_CLOEXEC);
	for (uint32_t q = 0; q < 3; q++) {
		uint32_t f[2] = { q, (uint32_t)e[q] };
		ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_KICK, f), 0);
		ck_assert_int_eq(IO(d, VDPA_REQ_SET_VRING_CALL, f), 0);
	}
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SET_CONFIG_CALL, &e[0]), 0);
	uint8_t *mem = malloc(1 << 16);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(upd(d, 0x100000 + 0x1000ull * i, 0x1000, mem + 0x1000 * i), 72);
	struct vdpa_stats st;
	vdpa_get_stats(d, &st);
	ck_assert_int_eq(st.maps, 16);
	ck_assert_int_eq(st.fds, 7);
	for (int i = 0; i < 3; i++)
		close(e[i]);
	vdpa_dev_release(d);
	vdpa_get_stats(d, &st);
	ck_assert_int_eq(st.maps, 0);
	ck_assert_int_eq(st.fds, 0);
	ck_assert_int_eq(vc_test_count_fds(), fds_before);
	free(mem);
	vdpa_dev_free(d);
}
END_TEST

/* ---------- certification ---------- */

static unsigned certify_fails(const char *spec, char *ids, size_t len)
{
	struct vdpa_dev *d = mkdev(spec);
	struct vdpa_port p;
	vdpa_port_model(&p, d);
	struct vc_engine_opts o = { .rules_glob = VDPA_CERTIFY_RULES };
	struct vc_engine *e = vc_engine_new(&o);
	struct vc_session s = { .traced_side = VC_SIDE_LIVE, .name = "certify" };
	uint32_t sid = vc_engine_add_session(e, &s);
	char err[256];
	struct vdpa_certify_opts co = { .cycles = 10 };
	ck_assert_int_eq(vdpa_certify(&p, e, sid, &co, err, sizeof err), 0);
	const struct vc_results *r = vc_engine_finish(e);
	unsigned n = 0;
	ids[0] = '\0';
	for (unsigned i = 0; i < VC_RULE_COUNT; i++)
		if (r->sessions[0].rules[i].verdict == VC_FAIL) {
			n++;
			size_t l = strlen(ids);
			snprintf(ids + l, len - l, "%s%s", l ? " " : "", vc_rule(i)->id);
		}
	struct vdpa_stats st;
	vdpa_get_stats(d, &st);
	ck_assert(!st.open);
	vc_engine_free(e);
	vdpa_dev_free(d);
	return n;
}

START_TEST(certify_each_check_can_fail)
{
	static const struct {
		const char *bad, *rule;
	} t[] = {
		{ "", "" },
		{ "bad=unstable", "VDPA-DEV-01" },
		{ "bad=config-bounds", "VDPA-DEV-02" },
		{ "bad=vring-index", "VDPA-DEV-03" },
		{ "bad=overlap", "VDPA-DEV-04" },
		{ "bad=multi-open", "VDPA-DEV-05" },
		{ "bad=close-leak", "VDPA-DEV-05" },
		{ "bad=doorbell", "VDPA-DEV-06" },
		{ "bad=inval-leak", "VDPA-DEV-07" },
		{ "bad=status-clear", "VDPA-STS-05" },
		{ "bad=feat-after-ok", "VDPA-FEAT-05" },
		{ "bad=backend-unknown", "VDPA-FEAT-05" },
	};
	int fds = vc_test_count_fds();
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char ids[256];
		certify_fails(t[i].bad, ids, sizeof ids);
		ck_assert_msg(strcmp(ids, t[i].rule) == 0, "%s: failed [%s], expected [%s]", t[i].bad, ids,
			      t[i].rule);
	}
	ck_assert_int_eq(vc_test_count_fds(), fds);
}
END_TEST

START_TEST(certify_unopenable)
{
	struct vdpa_port p;
	vdpa_port_sys(&p, "/nonexistent/vhost-vdpa-9");
	struct vc_engine *e = vc_engine_new(NULL);
	char err[256];
	ck_assert_int_eq(vdpa_certify(&p, e, 0, NULL, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/vhost-vdpa-9: cannot open"));
	vc_engine_free(e);
}
END_TEST

/* The step log of certify --steps: the same for two runs of one
 * configuration, different at the first call a misbehaving device answers
 * otherwise (the differential test's comparison, here on two fakes). */
static char *steps_of(const char *spec, size_t *len)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	char err[256];
	ck_assert_int_eq(vdpa_cfg_parse(&c, spec, err, sizeof err), 0);
	struct vdpa_dev *d = vdpa_dev_new(&c);
	struct vdpa_port p;
	vdpa_port_model(&p, d);
	struct vc_engine_opts eo = { .rules_glob = VDPA_CERTIFY_RULES };
	struct vc_engine *e = vc_engine_new(&eo);
	struct vc_session sess = { .traced_side = VC_SIDE_LIVE, .name = "steps" };
	uint32_t sid = vc_engine_add_session(e, &sess);
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct vdpa_certify_opts o = { .cycles = 2, .steps = f };
	ck_assert_int_eq(vdpa_certify(&p, e, sid, &o, err, sizeof err), 0);
	fclose(f);
	vc_engine_free(e);
	vdpa_dev_free(d);
	return buf;
}

START_TEST(certify_steps)
{
	size_t la, lb, lc;
	char *a = steps_of("no-doorbell", &la), *b = steps_of("no-doorbell", &lb);
	char *c = steps_of("no-doorbell,bad=config-bounds", &lc);
	ck_assert_uint_eq(la, lb);
	ck_assert_int_eq(memcmp(a, b, la), 0);
	ck_assert_ptr_nonnull(strstr(a, "1 DEV-01 ioctl VDPA_GET_DEVICE_ID -> ok\n"));
	ck_assert_ptr_nonnull(strstr(a, " DEV-02 ioctl VDPA_GET_CONFIG -> EINVAL\n"));
	ck_assert_ptr_nonnull(strstr(a, " DEV-06 mmap doorbell vq 0 -> ENOTSUPP\n"));
	ck_assert_ptr_nonnull(strstr(a, " DEV-04 iotlb type 2 iova 0x100000 size 0x4000 perm 3 -> ok+\n"));
	/* the first difference is a DEV-02 call the bad device accepts */
	size_t i = 0;
	while (i < la && i < lc && a[i] == c[i])
		i++;
	while (i > 0 && a[i - 1] != '\n')
		i--;
	ck_assert_msg(strncmp(c + i + strcspn(c + i, " ") + 1, "DEV-02 ioctl VDPA_GET_CONFIG -> ok", 34) == 0,
		      "first difference: %.80s", c + i);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* The fuzz decoder's marker record gives the next record its own
 * argument bytes; decoding resumes after them. */
START_TEST(seq_marker)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	struct vdpa_dev *d = vdpa_dev_new(&c);
	struct vdpa_port p;
	vdpa_port_model(&p, d);
	struct vdpa_seq s;
	ck_assert_int_eq(vdpa_seq_init(&s, &p), 0);
	/* the selector of SET_OWNER in the decoder's table */
	static const uint32_t known[] = {
#define X(n, dd, nr, sz) VDPA_REQ_##n,
		VDPA_IOCTLS(X)
#undef X
	};
	uint8_t sel = 0;
	while (known[sel % (sizeof known / sizeof known[0])] != VDPA_REQ_SET_OWNER)
		sel += 2;
	uint8_t in[2 * (24 + 4)] = { 0 };
	for (int k = 0; k < 2; k++) {
		uint8_t *r = in + 28 * k;
		r[0] = 3, r[1] = 0xfe, r[2] = 4;   /* marker: 4 argument bytes */
		r[12] = 0, r[13] = sel;            /* ioctl SET_OWNER */
		memset(r + 24, 0x03, 4);           /* its argument: ops 3, no-ops if decoded */
	}
	vdpa_seq_run(&s, in, sizeof in);
	ck_assert_uint_eq(s.calls, 2);
	ck_assert_uint_eq(s.failed, 1); /* the second SET_OWNER: EBUSY */
	vdpa_seq_end(&s);
	struct vdpa_stats st;
	vdpa_get_stats(d, &st);
	ck_assert(!st.open);
	vdpa_dev_free(d);
}
END_TEST

/* ---------- client rules, live ---------- */

struct client {
	struct vdpa_dev *d;
	struct vdpa_live *l;
	uint8_t *mem;
	int ev[4];
};

static void cl_start(struct client *c, const char *spec)
{
	c->d = mkdev(spec);
	c->l = vdpa_live_new("test", NULL, NULL);
	vdpa_live_attach(c->l, c->d);
	c->mem = aligned_alloc(4096, 1 << 16);
	memset(c->mem, 0, 1 << 16);
	for (int i = 0; i < 4; i++)
		c->ev[i] = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_eq(vdpa_dev_open(c->d, 5), 0);
}

/* Rules with findings, "ID:count ..." */
static void cl_end(struct client *c, char *out, size_t len)
{
	vdpa_dev_release(c->d);
	const struct vc_results *r = vdpa_live_finish(c->l);
	out[0] = '\0';
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		uint64_t n = 0;
		for (size_t s = 0; s < r->nsessions; s++)
			n += r->sessions[s].rules[i].failures;
		if (n) {
			size_t l = strlen(out);
			snprintf(out + l, len - l, "%s%s:%llu", l ? " " : "", vc_rule(i)->id,
				 (unsigned long long)n);
		}
	}
	vdpa_live_free(c->l);
	vdpa_dev_free(c->d);
	free(c->mem);
	for (int i = 0; i < 4; i++)
		close(c->ev[i]);
}

static void st(struct client *c, uint8_t v)
{
	IO(c->d, VDPA_REQ_VDPA_SET_STATUS, &v);
}

static uint8_t gst(struct client *c)
{
	uint8_t v = 0;
	IO(c->d, VDPA_REQ_VDPA_GET_STATUS, &v);
	return v;
}

/* A well-behaved client, with hooks to misbehave at one step. */
enum { B_NONE, B_EMPTY_BATCH, B_NO_MAP, B_NO_REREAD, B_CLEAR, B_FEAT_LATE, B_UNMAP_RUNNING,
       B_BIG_NUM, B_MISALIGNED, B_BAD_INDEX, B_V2_UNNEGOTIATED, B_OVERLAP, B_SIZE0, B_OPEN_BATCH,
       B_SHORT_WRITE, B_MISS, B_BASE_RUNNING, B_FAILED_UPDATE, B_FAILED_UPDATE_REMAPPED };

static void client_run(struct client *c, int bad)
{
	uint64_t f = 0, bf = 0;
	uint32_t nvqs = 0;
	uint16_t nmax = 0;
	uint64_t range[2];
	IO(c->d, VDPA_REQ_GET_FEATURES, &f);
	IO(c->d, VDPA_REQ_GET_BACKEND_FEATURES, &bf);
	IO(c->d, VDPA_REQ_VDPA_GET_VQS_COUNT, &nvqs);
	IO(c->d, VDPA_REQ_VDPA_GET_VRING_NUM, &nmax);
	IO(c->d, VDPA_REQ_VDPA_GET_IOVA_RANGE, range);
	IO(c->d, VDPA_REQ_SET_OWNER, NULL);
	bf = bad == B_V2_UNNEGOTIATED ? (1ull << VDPA_BF_IOTLB_BATCH) : BF_V2_BATCH;
	IO(c->d, VDPA_REQ_SET_BACKEND_FEATURES, &bf);
	st(c, 1);
	st(c, 3);
	uint64_t want = f & ((1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM));
	IO(c->d, VDPA_REQ_SET_FEATURES, &want);
	st(c, 0xb);
	if (bad != B_NO_REREAD)
		gst(c);
	if (bad == B_FEAT_LATE)
		IO(c->d, VDPA_REQ_SET_FEATURES, &want);
	uint32_t num = bad == B_BIG_NUM ? 512 : 256;
	for (uint32_t q = 0; q < 2; q++) {
		uint64_t b = 0x100000 + q * 0x4000;
		uint32_t s[2] = { bad == B_BAD_INDEX && q == 1 ? 7 : q, num };
		IO(c->d, VDPA_REQ_SET_VRING_NUM, s);
		s[1] = 0;
		IO(c->d, VDPA_REQ_SET_VRING_BASE, s);
		struct { uint32_t i, fl; uint64_t desc, used, avail, log; } a = {
			q, 0, b + (bad == B_MISALIGNED ? 8 : 0), b + 0x2000, b + 0x1000, 0 };
		IO(c->d, VDPA_REQ_SET_VRING_ADDR, &a);
		uint32_t k[2] = { q, (uint32_t)c->ev[q] };
		IO(c->d, VDPA_REQ_SET_VRING_KICK, k);
		k[1] = (uint32_t)c->ev[q + 2];
		IO(c->d, VDPA_REQ_SET_VRING_CALL, k);
		s[1] = 1;
		IO(c->d, VDPA_REQ_VDPA_SET_VRING_ENABLE, s);
	}
	msg(c->d, 2, 0, VDPA_IOTLB_BATCH_BEGIN, 0, 0, NULL, 0);
	if (bad != B_EMPTY_BATCH && bad != B_NO_MAP)
		upd(c->d, 0x100000, 0x10000, c->mem);
	if (bad == B_OVERLAP)
		upd(c->d, 0x101000, 0x1000, c->mem);
	if (bad == B_SIZE0)
		upd(c->d, 0x200000, 0, c->mem);
	if (bad == B_MISS)
		msg(c->d, 2, 0, VDPA_IOTLB_MISS, 0x200000, 0x1000, c->mem, 3);
	if (bad == B_FAILED_UPDATE || bad == B_FAILED_UPDATE_REMAPPED) {
		/* A second region the device cannot pin: EFAULT, as the kernel
		 * answers an UPDATE past RLIMIT_MEMLOCK. */
		void *none = mmap(NULL, 0x2000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert_int_eq(upd(c->d, 0x200000, 0x2000, none), -EFAULT);
		munmap(none, 0x2000);
		if (bad == B_FAILED_UPDATE_REMAPPED)
			ck_assert_int_eq(upd(c->d, 0x200000, 0x1000, c->mem + 0x8000), VDPA_MSG_V2_SIZE);
	}
	if (bad == B_SHORT_WRITE) {
		uint8_t m[64] = { 2 };
		vdpa_dev_write(c->d, &vdpa_mem_self, (uint64_t)(uintptr_t)m, sizeof m);
	}
	if (bad != B_OPEN_BATCH)
		msg(c->d, 2, 0, VDPA_IOTLB_BATCH_END, 0, 0, NULL, 0);
	st(c, 0xf);
	if (bad != B_NO_REREAD)
		gst(c);
	if (bad == B_OPEN_BATCH)
		msg(c->d, 2, 0, VDPA_IOTLB_BATCH_END, 0, 0, NULL, 0);
	if (bad == B_CLEAR)
		st(c, 0x7);
	if (bad == B_UNMAP_RUNNING)
		inv(c->d, 0x100000, 0x10000);
	if (bad == B_BASE_RUNNING) {
		uint32_t s[2] = { 0, 0 };
		IO(c->d, VDPA_REQ_GET_VRING_BASE, s);
	}
	st(c, 0);
	for (uint32_t q = 0; q < 2; q++) {
		uint32_t s[2] = { q, 0 };
		IO(c->d, VDPA_REQ_GET_VRING_BASE, s);
	}
	if (bad != B_NO_MAP && bad != B_EMPTY_BATCH && bad != B_UNMAP_RUNNING) {
		msg(c->d, 2, 0, VDPA_IOTLB_BATCH_BEGIN, 0, 0, NULL, 0);
		inv(c->d, 0x100000, 0x10000);
		msg(c->d, 2, 0, VDPA_IOTLB_BATCH_END, 0, 0, NULL, 0);
	}
}

START_TEST(client_rules)
{
	static const struct {
		int bad;
		const char *findings;
	} t[] = {
		{ B_NONE, "" },
		{ B_EMPTY_BATCH, "VDPA-BAT-01:1 VDPA-RING-05:2" },
		{ B_NO_MAP, "VDPA-BAT-01:1 VDPA-RING-05:2" },
		{ B_NO_REREAD, "VDPA-STS-04:2" },
		{ B_CLEAR, "VDPA-STS-01:1" },
		{ B_FEAT_LATE, "VDPA-STS-03:1" },
		{ B_UNMAP_RUNNING, "VDPA-RING-06:1" },
		{ B_BIG_NUM, "VDPA-RING-02:2" },
		{ B_MISALIGNED, "VDPA-RING-03:2" },
		{ B_BAD_INDEX, "VDPA-RING-01:3" },
		{ B_V2_UNNEGOTIATED, "VDPA-FEAT-03:6" },
		{ B_OVERLAP, "VDPA-IOTLB-03:1" },
		{ B_SIZE0, "VDPA-IOTLB-02:1" },
		{ B_OPEN_BATCH, "VDPA-BAT-04:1" },
		{ B_SHORT_WRITE, "VDPA-IOTLB-01:1" },
		{ B_MISS, "VDPA-IOTLB-05:1" },
		{ B_BASE_RUNNING, "VDPA-RING-07:1" },
		{ B_FAILED_UPDATE, "VDPA-IOTLB-06:1" },
		{ B_FAILED_UPDATE_REMAPPED, "" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct client c;
		cl_start(&c, "");
		client_run(&c, t[i].bad);
		char got[512];
		cl_end(&c, got, sizeof got);
		ck_assert_msg(strcmp(got, t[i].findings) == 0, "case %zu: got [%s], expected [%s]", i, got,
			      t[i].findings);
	}
}
END_TEST

START_TEST(cfg_parse)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	char err[128];
	ck_assert_int_eq(vdpa_cfg_parse(&c, "qp=4,iova=0x1000-0xffff,suspend,bad=overlap+doorbell", err, sizeof err), 0);
	ck_assert_int_eq(vdpa_cfg_nvqs(&c), 9);
	ck_assert_uint_eq(c.iova_first, 0x1000);
	ck_assert_uint_eq(c.bad, VDPA_BAD_OVERLAP | VDPA_BAD_DOORBELL);
	ck_assert_int_eq(vdpa_cfg_parse(&c, "no-ioctl=VDPA_GET_VQS_COUNT+VHOST_VDPA_SUSPEND", err, sizeof err), 0);
	struct vdpa_dev *d = vdpa_dev_new(&c);
	ck_assert_int_eq(vdpa_dev_open(d, 4), 0);
	uint32_t n = 0;
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_VQS_COUNT, &n), -ENOTTY);
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_SUSPEND, NULL), -ENOTTY);
	ck_assert_int_eq(IO(d, VDPA_REQ_VDPA_GET_CONFIG_SIZE, &n), 0);
	vdpa_dev_free(d);
	ck_assert_int_eq(vdpa_cfg_parse(&c, "no-ioctl=SET_OWNER", err, sizeof err), -1);
	ck_assert_int_eq(vdpa_cfg_parse(&c, "qp=0", err, sizeof err), -1);
	ck_assert_int_eq(vdpa_cfg_parse(&c, "iova=5-1", err, sizeof err), -1);
	ck_assert_int_eq(vdpa_cfg_parse(&c, "bad=nope", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "nope"));
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vdpa");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, errnos);
	tcase_add_test(tc, bad_pointers_every_ioctl);
	tcase_add_test(tc, concurrent_opens);
	tcase_add_test(tc, close_releases_everything);
	tcase_add_test(tc, certify_each_check_can_fail);
	tcase_add_test(tc, certify_unopenable);
	tcase_add_test(tc, certify_steps);
	tcase_add_test(tc, seq_marker);
	tcase_add_test(tc, client_rules);
	tcase_add_test(tc, cfg_parse);
	suite_add_tcase(s, tc);
	return s;
}
