/* The test front-end of the fake's suites (fake_fe.h says what). */
#include "fakes/vhost-user/tests/fake_fe.h"

/* The hostile front-end keeps sending after the fake hung up on it. */
bool tolerant;

void fe_send(int fd, uint32_t req, uint32_t flags, const void *pl, uint32_t len, const int *fds,
	     int nfds)
{
	int rc = vc_sock_send_msg(fd, req, flags, len, pl, len, fds, (unsigned)nfds, 10000);
	if (!tolerant)
		ck_assert_msg(rc == 0, "send: %s", strerror(errno));
}

void req(int fd, uint32_t r, uint32_t extra, const void *pl, uint32_t len)
{
	fe_send(fd, r, VU_VERSION | extra, pl, len, NULL, 0);
}

/* Blocking read of one reply (the fake runs on its own thread): its size,
 * or -1 (EOF, or more than cap). Its first fd goes to *rfd when asked
 * for, every other is closed. */
int fe_recv(int fd, uint32_t *r, uint32_t *flags, void *pl, uint32_t cap, int *rfd)
{
	return vc_test_vu_recv(fd, r, flags, pl, cap, rfd, 10000);
}

uint64_t get_u64(int fd, uint32_t r)
{
	uint32_t rr, fl;
	uint64_t v = 0;
	req(fd, r, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &rr, &fl, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert_uint_eq(rr, r);
	ck_assert_uint_eq(fl, VU_VERSION | VU_FLAG_REPLY);
	return v;
}

void set_u64(int fd, uint32_t r, uint64_t v)
{
	ck_assert_int_eq(vu_payload_fixed_size(VU_PL_U64), (int)sizeof v);
	req(fd, r, 0, &v, sizeof v);
}

uint64_t ack(int fd, uint32_t r)
{
	uint32_t rr, fl;
	uint64_t v = 99;
	ck_assert_int_eq(fe_recv(fd, &rr, &fl, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert_uint_eq(rr, r);
	return v;
}

/* ---------- fixtures ---------- */

void on_finding(const struct vc_finding *f, void *opaque)
{
	struct live *l = opaque;
	l->total++;
	if (vc_rule(f->rule)->level == VC_MUST && !f->waived)
		l->must++;
}

struct vfu_server *new_server_opts(const char *profile, uint32_t queues, struct live *l, FILE *rec,
				   const char *const *faults, size_t nfaults,
				   const struct vc_engine_opts *eo)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, profile, queues), 0);
	char err[256];
	for (size_t i = 0; i < nfaults; i++) {
		ck_assert_msg(vfu_fault_parse(faults[i], &cfg.faults[i], err, sizeof err) == 0, "%s", err);
		cfg.nfaults++;
	}
	cfg.null_device = true;
	cfg.stall_ms = 300;
	if (eo)
		cfg.engine = *eo;
	cfg.engine.on_finding = on_finding;
	cfg.engine.opaque = l;
	cfg.record = rec;
	cfg.source_name = "test.jsonl";
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

struct vfu_server *new_server(const char *profile, uint32_t queues, struct live *l, FILE *rec,
			      const char *const *faults, size_t nfaults)
{
	return new_server_opts(profile, queues, l, rec, faults, nfaults, NULL);
}

/* A socketpair; one end goes to the fake. */
int connect_fake(struct vfu_server *s)
{
	int sv[2];
	char err[256];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(vfu_adopt(s, sv[1], err, sizeof err) == 0, "%s", err);
	return sv[0];
}

void wait_ended(struct vfu_server *s, uint64_t n)
{
	/* Not a timing assertion: the fake's thread closes the session as
	 * soon as it reads the EOF; this only waits for that. */
	while (vfu_sessions_ended(s) < n)
		usleep(1000);
}

void guest_init(struct guest *g, uint64_t size)
{
	g->memfd = memfd_create("vcts-test-guest", MFD_CLOEXEC);
	ck_assert_int_ge(g->memfd, 0);
	ck_assert_int_eq(ftruncate(g->memfd, (off_t)size), 0);
	g->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	ck_assert_ptr_ne(g->mem, MAP_FAILED);
}

void guest_free(struct guest *g, uint64_t size)
{
	munmap(g->mem, size);
	close(g->memfd);
}

void negotiate(int fd, uint64_t pf_want)
{
	uint64_t f = get_u64(fd, VU_GET_FEATURES);
	ck_assert(f & VU_BIT(VU_F_PROTOCOL_FEATURES));
	uint64_t pf = get_u64(fd, VU_GET_PROTOCOL_FEATURES);
	set_u64(fd, VU_SET_PROTOCOL_FEATURES, pf & pf_want);
	set_u64(fd, VU_SET_FEATURES, f);
	req(fd, VU_SET_OWNER, 0, NULL, 0);
}

void send_table(int fd, int memfd, uint64_t size, uint64_t fd_offset, bool need_ack)
{
	struct pl_table t = { .n = 1 };
	t.r[0] = (struct pl_region){ .gpa = 0, .size = size, .uva = UVA, .offset = fd_offset };
	uint32_t len = (uint32_t)vu_payload_expected_size(VU_PL_MEMTABLE, (const uint8_t *)&t, sizeof t);
	fe_send(fd, VU_SET_MEM_TABLE, VU_VERSION | (need_ack ? VU_FLAG_NEED_REPLY : 0), &t, len, &memfd, 1);
}

void setup_ring(int fd, uint32_t idx, int kick, int call)
{
	struct pl_state st = { idx, Q_NUM };
	ck_assert_int_eq(vu_payload_fixed_size(VU_PL_STATE), (int)sizeof st);
	req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
	st.num = 0;
	req(fd, VU_SET_VRING_BASE, 0, &st, sizeof st);
	struct pl_addr a = { .index = idx, .desc = UVA + DESC_GPA, .avail = UVA + AVAIL_GPA, .used = UVA + USED_GPA };
	ck_assert_int_eq(vu_payload_fixed_size(VU_PL_ADDR), (int)sizeof a);
	req(fd, VU_SET_VRING_ADDR, 0, &a, sizeof a);
	uint64_t u = idx;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &call, 1);
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &kick, 1);
	st.num = 1;
	req(fd, VU_SET_VRING_ENABLE, 0, &st, sizeof st);
}

/* Post one chain of n descriptors (flags per descriptor) and kick (kick
 * -1: no kick yet). */
void post_chain(struct guest *g, uint16_t avail_idx, const uint16_t *flags, const uint32_t *lens, int n,
		int kick)
{
	for (int i = 0; i < n; i++) {
		uint8_t *d = g->mem + DESC_GPA + 16u * (unsigned)i;
		vu_wr64(d, BUF_GPA + 0x1000u * (unsigned)i);
		vu_wr32(d + 8, lens[i]);
		uint16_t fl = flags[i], next = (uint16_t)(i + 1);
		memcpy(d + 12, &fl, 2);
		memcpy(d + 14, &next, 2);
	}
	uint16_t head = 0;
	memcpy(g->mem + AVAIL_GPA + 4 + 2u * ((avail_idx - 1u) % Q_NUM), &head, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(g->mem + AVAIL_GPA + 2, &avail_idx, 2);
	uint64_t one = 1;
	if (kick >= 0)
		ck_assert_int_eq(write(kick, &one, sizeof one), (ssize_t)sizeof one);
}

uint16_t used_idx(struct guest *g)
{
	uint16_t v;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&v, g->mem + USED_GPA + 2, 2);
	return v;
}

bool has_rule(const struct vc_results *res, enum vc_rule_id r)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == r)
			return true;
	return false;
}
