/* The fake back-end driven in-process by a small C front-end: socketpairs,
 * messages with SCM_RIGHTS, memfd guest memory, eventfd kicks. Covers the
 * answers, the null device, the live findings (and that an offline check
 * of the capture gives the same), the faults, and a 1,000-connection
 * hostile run that must leave no fd and no guest mapping behind. */
#include "fakes/vhost-user/fake.h"
#include "fakes/vhost-user/fake_int.h"
#include "harness/tests/common/testutil.h"
#include "harness/tests/common/vu_client.h"
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------- the test front-end ---------- */

/* Payload layouts as C structs; each test checks sizeof against the wire
 * table before use, so the table stays the one source of sizes. */
struct pl_state { uint32_t index, num; };
struct pl_addr { uint32_t index, flags; uint64_t desc, used, avail, log; };
struct pl_region { uint64_t gpa, size, uva, offset; };
struct pl_table { uint32_t n, pad; struct pl_region r[8]; };
struct pl_config { uint32_t offset, size, flags; uint8_t data[64]; };

/* The hostile front-end keeps sending after the fake hung up on it. */
static bool tolerant;

static void fe_send(int fd, uint32_t req, uint32_t flags, const void *pl, uint32_t len, const int *fds,
		    int nfds)
{
	int rc = vc_sock_send_msg(fd, req, flags, len, pl, len, fds, (unsigned)nfds, 10000);
	if (!tolerant)
		ck_assert_msg(rc == 0, "send: %s", strerror(errno));
}

static void req(int fd, uint32_t r, uint32_t extra, const void *pl, uint32_t len)
{
	fe_send(fd, r, VU_VERSION | extra, pl, len, NULL, 0);
}

/* Blocking read of one reply (the fake runs on its own thread): its size,
 * or -1 (EOF, or more than cap). Its first fd goes to *rfd when asked
 * for, every other is closed. */
static int fe_recv(int fd, uint32_t *r, uint32_t *flags, void *pl, uint32_t cap, int *rfd)
{
	return vc_test_vu_recv(fd, r, flags, pl, cap, rfd, 10000);
}

static uint64_t get_u64(int fd, uint32_t r)
{
	uint32_t rr, fl;
	uint64_t v = 0;
	req(fd, r, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &rr, &fl, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert_uint_eq(rr, r);
	ck_assert_uint_eq(fl, VU_VERSION | VU_FLAG_REPLY);
	return v;
}

static void set_u64(int fd, uint32_t r, uint64_t v)
{
	ck_assert_int_eq(vu_payload_fixed_size(VU_PL_U64), (int)sizeof v);
	req(fd, r, 0, &v, sizeof v);
}

static uint64_t ack(int fd, uint32_t r)
{
	uint32_t rr, fl;
	uint64_t v = 99;
	ck_assert_int_eq(fe_recv(fd, &rr, &fl, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert_uint_eq(rr, r);
	return v;
}

/* ---------- fixtures ---------- */

struct live {
	uint64_t must, total;
};

static void on_finding(const struct vc_finding *f, void *opaque)
{
	struct live *l = opaque;
	l->total++;
	if (vc_rule(f->rule)->level == VC_MUST && !f->waived)
		l->must++;
}

static struct vfu_server *new_server_opts(const char *profile, uint32_t queues, struct live *l, FILE *rec,
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

static struct vfu_server *new_server(const char *profile, uint32_t queues, struct live *l, FILE *rec,
				     const char *const *faults, size_t nfaults)
{
	return new_server_opts(profile, queues, l, rec, faults, nfaults, NULL);
}

/* A socketpair; one end goes to the fake. */
static int connect_fake(struct vfu_server *s)
{
	int sv[2];
	char err[256];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(vfu_adopt(s, sv[1], err, sizeof err) == 0, "%s", err);
	return sv[0];
}

static void wait_ended(struct vfu_server *s, uint64_t n)
{
	/* Not a timing assertion: the fake's thread closes the session as
	 * soon as it reads the EOF; this only waits for that. */
	while (vfu_sessions_ended(s) < n)
		usleep(1000);
}

/* Guest memory: one memfd region at gpa 0 with a fake user address. */
#define MEM_SIZE (1u << 20)
#define UVA 0x7f0000000000ull
#define Q_NUM 8u
#define DESC_GPA 0x0ull
#define AVAIL_GPA 0x1000ull
#define USED_GPA 0x2000ull
#define BUF_GPA 0x10000ull

struct guest {
	int memfd;
	uint8_t *mem;
};

static void guest_init(struct guest *g, uint64_t size)
{
	g->memfd = memfd_create("vcts-test-guest", MFD_CLOEXEC);
	ck_assert_int_ge(g->memfd, 0);
	ck_assert_int_eq(ftruncate(g->memfd, (off_t)size), 0);
	g->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	ck_assert_ptr_ne(g->mem, MAP_FAILED);
}

static void guest_free(struct guest *g, uint64_t size)
{
	munmap(g->mem, size);
	close(g->memfd);
}

static void negotiate(int fd, uint64_t pf_want)
{
	uint64_t f = get_u64(fd, VU_GET_FEATURES);
	ck_assert(f & VU_BIT(VU_F_PROTOCOL_FEATURES));
	uint64_t pf = get_u64(fd, VU_GET_PROTOCOL_FEATURES);
	set_u64(fd, VU_SET_PROTOCOL_FEATURES, pf & pf_want);
	set_u64(fd, VU_SET_FEATURES, f);
	req(fd, VU_SET_OWNER, 0, NULL, 0);
}

static void send_table(int fd, int memfd, uint64_t size, uint64_t fd_offset, bool need_ack)
{
	struct pl_table t = { .n = 1 };
	t.r[0] = (struct pl_region){ .gpa = 0, .size = size, .uva = UVA, .offset = fd_offset };
	uint32_t len = (uint32_t)vu_payload_expected_size(VU_PL_MEMTABLE, (const uint8_t *)&t, sizeof t);
	fe_send(fd, VU_SET_MEM_TABLE, VU_VERSION | (need_ack ? VU_FLAG_NEED_REPLY : 0), &t, len, &memfd, 1);
}

static void setup_ring(int fd, uint32_t idx, int kick, int call)
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
static void post_chain(struct guest *g, uint16_t avail_idx, const uint16_t *flags, const uint32_t *lens, int n,
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

static uint16_t used_idx(struct guest *g)
{
	uint16_t v;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&v, g->mem + USED_GPA + 2, 2);
	return v;
}

/* ---------- tests ---------- */

START_TEST(test_session_null_device)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 2, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_MQ));
	ck_assert_uint_eq(get_u64(fd, VU_GET_QUEUE_NUM), 2);
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	/* A readable + writable chain: the generic null device returns it. */
	uint16_t fl[2] = { 1, 2 };
	uint32_t lens[2] = { 64, 128 };
	post_chain(&g, 1, fl, lens, 2, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* blocks until signalled */
	ck_assert_uint_eq(used_idx(&g), 1);
	/* Stop: GET_VRING_BASE answers the ring's next index. */
	struct pl_state st = { 0, 0 };
	req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
	uint32_t r, f;
	struct pl_state got;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	ck_assert_uint_eq(got.index, 0);
	ck_assert_uint_eq(got.num, 1);
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.mapped_regions, 0);
	ck_assert_uint_eq(stt.chains_done, 1);
	ck_assert_uint_eq(stt.kicks, 1);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->findings_by_level[VC_MUST], 0);
	ck_assert_uint_eq(l.must, 0);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* A front-end that shrinks its memfd after the fake mapped it: the fake's
 * next read of the ring is SIGBUS. The fake must not crash (this test's
 * process is the fake's): the ring is halted (SET_VRING_ERR signalled) and
 * the connection still answers. */
START_TEST(test_shrunk_memfd_halts_ring)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC), err = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_ERR, VU_VERSION, &u, sizeof u, &err, 1);
	setup_ring(fd, 0, kick, call);
	uint16_t fl[1] = { 0 };
	uint32_t lens[1] = { 64 };
	post_chain(&g, 1, fl, lens, 1, -1);
	ck_assert_int_eq(ftruncate(g.memfd, 0), 0);
	uint64_t one = 1, cnt;
	ck_assert_int_eq(write(kick, &one, sizeof one), (ssize_t)sizeof one);
	ck_assert_int_eq(read(err, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* blocks until halted */
	struct pl_state st = { 0, 0 };
	req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
	uint32_t r, f;
	struct pl_state got;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	ck_assert_uint_eq(got.index, 0);
	close(fd);
	close(kick);
	close(call);
	close(err);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.chains_done, 0);
	ck_assert_uint_eq(stt.mapped_regions, 0);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

static bool has_rule(const struct vc_results *res, enum vc_rule_id r);

/* GET_FEATURES answered by a fake driven from this thread. */
static uint64_t get_u64_caller(struct vfu_server *s, int fd)
{
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_ge(vfu_dispatch(s, 0), 1);
	uint32_t r, f;
	uint64_t v = 0;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), (int)sizeof v);
	return v;
}

/* Same session in the caller's poll loop (no thread): the test sends,
 * dispatches, then reads. */
START_TEST(test_caller_driven)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("net", 1, &l, NULL, NULL, 0);
	int fd = connect_fake(s);
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, -1), 1);
	ck_assert_int_ge(vfu_dispatch(s, 0), 1);
	uint32_t r, f;
	uint64_t v;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert(v & VU_BIT(VU_F_VERSION_1));
	close(fd);
	while (vfu_sessions_ended(s) < 1)
		vfu_dispatch(s, -1);
	vfu_free(s);
}
END_TEST

/* fds the kernel cannot give the fake (its fd limit reached): the count
 * is lost, so the fake closes the connection as its own refusal instead
 * of judging the front-end for an fd count it did not send. */
START_TEST(test_fds_cut_by_kernel)
{
	struct live l = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *rec = open_memstream(&buf, &len);
	struct vfu_server *s = new_server("net", 1, &l, rec, NULL, 0);
	int fd = connect_fake(s);
	(void)get_u64_caller(s, fd);
	int call = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &call, 1);
	struct rlimit old;
	vc_test_fd_room(0, &old); /* no fd can be installed */
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	vfu_dispatch(s, 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_uint_eq(vfu_sessions_ended(s), 1);
	uint8_t b;
	ssize_t rn = recv(fd, &b, 1, MSG_DONTWAIT);
	/* The fake hung up (reset: it left the payload unread). */
	ck_assert_msg(rn == 0 || (rn < 0 && errno == ECONNRESET), "recv %zd: %s", rn, strerror(errno));
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.fds_received, st.fds_closed);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert(!has_rule(res, VC_R_VU_FD_03));
	close(call);
	close(fd);
	vfu_free(s);
	fclose(rec);
	/* The capture says who closed: the back-end, not cut by the front-end. */
	const char *eof = strstr(buf, "\"kind\":\"vu-eof\"");
	ck_assert_ptr_nonnull(eof);
	const char *eol = strchr(eof, '\n');
	ck_assert_ptr_nonnull(eol);
	const char *dir = strstr(eof, "\"dir\":\"BE->FE\"");
	ck_assert_msg(dir && dir < eol, "%.*s", (int)(eol - eof), eof);
	free(buf);
}
END_TEST

/* VU-MEM-04 from the fd's real size; the region is refused (ack 1). */
START_TEST(test_region_past_fd)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, 4096);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 1);
	close(fd);
	wait_ended(s, 1);
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	bool mem04 = false;
	for (size_t i = 0; i < res->nfindings; i++)
		mem04 |= res->findings[i].rule == VC_R_VU_MEM_04;
	ck_assert(mem04);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.bad_regions, 1);
	vfu_free(s);
	guest_free(&g, 4096);
}
END_TEST

static bool has_rule(const struct vc_results *res, enum vc_rule_id r)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == r)
			return true;
	return false;
}

/* A kick fd for a ring with no address: VU-RING-06 (the ring starts at
 * SET_VRING_KICK); a
 * descriptor outside the table halts the ring and signals its err fd;
 * closing with a started ring is VU-LIVE-01. The capture, checked
 * offline, gives the same findings. */
START_TEST(test_kicks_chains_and_capture)
{
	struct live l = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *rec = open_memstream(&buf, &len);
	struct vfu_server *s = new_server("generic", 2, &l, rec, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	/* Ring 1: only a kick fd, then a kick. */
	int k1 = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 1, one = 1;
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &k1, 1);
	/* Ring 0 set up with an err fd; its chain points past the table. */
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC), errfd = eventfd(0, EFD_CLOEXEC);
	u = 0;
	fe_send(fd, VU_SET_VRING_ERR, VU_VERSION, &u, sizeof u, &errfd, 1);
	setup_ring(fd, 0, kick, call);
	/* Wait for the fake to have taken everything so far: a GET answers. */
	get_u64(fd, VU_GET_FEATURES);
	ck_assert_int_eq(write(k1, &one, sizeof one), (ssize_t)sizeof one);
	uint16_t fl[3] = { 1, 1, 0 };
	uint32_t lens[3] = { 64, 64, 64 };
	/* The chain is complete before the kick: a kick first would let the
	 * fake take the chain before its second descriptor is spoilt. */
	post_chain(&g, 1, fl, lens, 3, -1);
	vu_wr64(g.mem + DESC_GPA + 16, MEM_SIZE - 8); /* second descriptor runs out */
	ck_assert_int_eq(write(kick, &one, sizeof one), (ssize_t)sizeof one);
	uint64_t cnt;
	ck_assert_int_eq(read(errfd, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* the err fd fires */
	close(fd);
	close(k1);
	close(kick);
	close(call);
	close(errfd);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.chain_errors, 1);
	const struct vc_results *live = vc_engine_finish(vfu_engine(s));
	ck_assert(has_rule(live, VC_R_VU_RING_06));
	ck_assert(has_rule(live, VC_R_VU_LIVE_01));
	ck_assert_int_eq(vfu_record_close(s), 0);
	fflush(rec);
	/* Offline: the same findings, event for event. */
	struct vc_trace t;
	struct vc_error e = { 0 };
	vc_trace_init(&t, "test.jsonl", VC_FMT_NATIVE);
	ck_assert_int_eq(vc_import_native(&t, buf, len, &e), 0);
	struct vc_engine_opts eo = { .queue_count = 2 };
	struct vc_engine *eng = vc_engine_new(&eo);
	for (size_t i = 0; i < t.nsessions; i++)
		vc_engine_add_session(eng, &t.sessions[i]);
	for (size_t i = 0; i < t.nevents; i++)
		vc_engine_feed(eng, &t.events[i]);
	const struct vc_results *off = vc_engine_finish(eng);
	ck_assert_uint_eq(off->nfindings, live->nfindings);
	for (size_t i = 0; i < off->nfindings; i++) {
		ck_assert_int_eq(off->findings[i].rule, live->findings[i].rule);
		ck_assert_uint_eq(off->findings[i].event, live->findings[i].event);
		ck_assert_str_eq(off->findings[i].message, live->findings[i].message);
	}
	vc_engine_free(eng);
	vc_trace_free(&t);
	vfu_free(s);
	fclose(rec);
	free(buf);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* VU-RING-10 live, both sides (issue #14 class 3): ring 1 set up and
 * started, then kicked twice (the first kick may be the one the text asks
 * front-ends to inject). Forgotten by SET_VRING_ENABLE (bug B8): a
 * finding. Disabled on purpose (SET_VRING_ENABLE 0, a guest using fewer
 * queue pairs): none. */
/* Returns 0: no VU-RING-10; 1: only at the stop; 2: the live kick finding too. */
static int ring10_session(bool disable_on_purpose)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 2, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_MQ));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick0 = eventfd(0, EFD_CLOEXEC), call0 = eventfd(0, EFD_CLOEXEC);
	int kick1 = eventfd(0, EFD_CLOEXEC), call1 = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick0, call0); /* enabled */
	/* Ring 1 as setup_ring() does it, but without SET_VRING_ENABLE 1. */
	struct pl_state st = { 1, Q_NUM };
	req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
	st.num = 0;
	req(fd, VU_SET_VRING_BASE, 0, &st, sizeof st);
	struct pl_addr a = { .index = 1, .desc = UVA + DESC_GPA, .avail = UVA + AVAIL_GPA, .used = UVA + USED_GPA };
	req(fd, VU_SET_VRING_ADDR, 0, &a, sizeof a);
	uint64_t u = 1, one = 1;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &call1, 1);
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &kick1, 1);
	if (disable_on_purpose)
		req(fd, VU_SET_VRING_ENABLE, 0, &st, sizeof st); /* ring 1, num 0 */
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(write(kick1, &one, sizeof one), (ssize_t)sizeof one);
		get_u64(fd, VU_GET_FEATURES); /* the fake takes the kick before it answers */
	}
	for (uint32_t i = 0; i < 2; i++) {
		st = (struct pl_state){ i, 0 };
		req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
		uint32_t r, f;
		struct pl_state got;
		ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	}
	close(fd);
	close(kick0);
	close(call0);
	close(kick1);
	close(call1);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.kicks, 2);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	int fired = 0;
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == VC_R_VU_RING_10)
			fired = strstr(res->findings[i].message, "kicked again") ? 2 : fired > 1 ? 2 : 1;
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
	return fired;
}

START_TEST(test_ring10_live)
{
	ck_assert_int_eq(ring10_session(true), 0);
	ck_assert_int_eq(ring10_session(false), 2);
}
END_TEST

/* blk profile: GET_CONFIG and a read from the zero disk. */
START_TEST(test_blk_config_and_read)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("blk", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_INFLIGHT_SHMFD));
	struct pl_config c = { .offset = 0, .size = 8 };
	uint32_t clen = (uint32_t)vu_payload_expected_size(VU_PL_CONFIG, (const uint8_t *)&c, sizeof c);
	req(fd, VU_GET_CONFIG, 0, &c, clen);
	struct pl_config out;
	uint32_t r, f;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &out, sizeof out, NULL), (int)clen);
	ck_assert_uint_eq(vu_rd64(out.data), (64ull << 20) / 512); /* capacity in sectors */
	/* GET_INFLIGHT_FD answers with a memfd. */
	uint8_t inf[64] = { 0 };
	uint16_t nq = 1, qs = Q_NUM;
	memcpy(inf + 16, &nq, 2);
	memcpy(inf + 18, &qs, 2);
	int sz = vu_payload_fixed_size(VU_PL_INFLIGHT);
	req(fd, VU_GET_INFLIGHT_FD, 0, inf, (uint32_t)sz);
	int ifd = -1;
	ck_assert_int_eq(fe_recv(fd, &r, &f, inf, sizeof inf, &ifd), sz);
	ck_assert_int_ge(ifd, 0);
	ck_assert_uint_gt(vu_rd64(inf), 0);
	close(ifd);
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	/* header (type IN, sector 1), 512 data bytes, status byte */
	memset(g.mem + BUF_GPA + 0x1000, 0xaa, 512);
	memset(g.mem + BUF_GPA + 0x2000, 0xaa, 1);
	vu_wr32(g.mem + BUF_GPA, 0);
	vu_wr64(g.mem + BUF_GPA + 8, 1);
	uint16_t fl[3] = { 1, 3, 2 };
	uint32_t lens[3] = { 16, 512, 1 };
	post_chain(&g, 1, fl, lens, 3, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 1);
	ck_assert_uint_eq(vu_rd32(g.mem + USED_GPA + 4 + 4), 513);
	ck_assert_uint_eq(g.mem[BUF_GPA + 0x1000 + 100], 0);
	ck_assert_uint_eq(g.mem[BUF_GPA + 0x2000], 0); /* VIRTIO_BLK_S_OK */
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* The blk disk keeps what is written: sector 3 written, then read back
 * into a cleared buffer. */
START_TEST(test_blk_disk_keeps_sectors)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("blk", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	uint8_t *hdr = g.mem + BUF_GPA, *data = g.mem + BUF_GPA + 0x1000, *status = g.mem + BUF_GPA + 0x2000;
	for (unsigned i = 0; i < 512; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	vu_wr32(hdr, 1); /* OUT */
	vu_wr64(hdr + 8, 3);
	*status = 0xff;
	uint16_t wfl[3] = { 1, 1, 2 }, rfl[3] = { 1, 3, 2 };
	uint32_t lens[3] = { 16, 512, 1 };
	post_chain(&g, 1, wfl, lens, 3, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 1);
	ck_assert_uint_eq(*status, 0);
	memset(data, 0, 512);
	vu_wr32(hdr, 0); /* IN */
	*status = 0xff;
	post_chain(&g, 2, rfl, lens, 3, kick);
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 2);
	ck_assert_uint_eq(*status, 0);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(data[i], (uint8_t)(i * 13 + 1));
	/* Past the end of the disk: IOERR. */
	vu_wr64(hdr + 8, (64ull << 20) / 512);
	*status = 0xff;
	post_chain(&g, 3, rfl, lens, 3, kick);
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(*status, 1);
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.disk_writes, 1);
	ck_assert_uint_eq(st.disk_reads, 1);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* Refusals: an error ack when one is asked for, a close otherwise; and
 * lax=ring-num acks the same request as done. */
START_TEST(test_refusals)
{
	for (int lax = 0; lax < 2; lax++) {
		static const char *const faults[] = { "lax=ring-num" };
		struct live l = { 0 };
		struct vfu_server *s = new_server("generic", 1, &l, NULL, faults, (size_t)lax);
		ck_assert_int_eq(vfu_start(s), 0);
		int fd = connect_fake(s);
		negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
		struct pl_state st = { 0, 100 };
		req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
		ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), lax ? 0 : 1);
		/* Ring 1 of a one-ring profile (VU-RING-01), no ack asked: closed. */
		st.index = 1;
		st.num = 8;
		req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
		uint32_t r, f;
		uint64_t v;
		ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), -1);
		close(fd);
		wait_ended(s, 1);
		vfu_stop(s);
		struct vfu_stats sts;
		vfu_get_stats(s, &sts);
		ck_assert_uint_eq(sts.refused, lax ? 1 : 2);
		const struct vc_results *res = vc_engine_finish(vfu_engine(s));
		ck_assert(has_rule(res, VC_R_VU_RING_02) && has_rule(res, VC_R_VU_RING_01));
		/* The refused one is not VU-BE-04; the lax one is, waived. */
		for (size_t i = 0; i < res->nfindings; i++)
			if (res->findings[i].rule == VC_R_VU_BE_04)
				ck_assert(lax && res->findings[i].waived);
		vfu_free(s);
	}
}
END_TEST

/* The refusals follow the engine's verdict on each request, whatever the
 * report shows: a refusal rule that --rules leaves out or a waiver covers
 * is still enforced, and so is one past the per-rule cap of findings. */
START_TEST(test_refusals_hidden_rules)
{
	static const char *const waive[] = { "VU-RING-0[12]" };
	const struct vc_engine_opts opts[] = {
		{ .rules_glob = "VU-HDR-*" },
		{ .waive = waive, .nwaive = 1 },
		{ .max_findings_per_rule = 1 },
	};
	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		struct live l = { 0 };
		struct vfu_server *s = new_server_opts("generic", 1, &l, NULL, NULL, 0, &opts[k]);
		ck_assert_int_eq(vfu_start(s), 0);
		int fd = connect_fake(s);
		negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
		struct pl_state st = { 0, 100 };
		for (int i = 0; i < 3; i++) {
			req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
			ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), 1);
		}
		/* A valid one after them is carried out. */
		st.num = 256;
		req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
		ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), 0);
		close(fd);
		wait_ended(s, 1);
		vfu_stop(s);
		struct vfu_stats sts;
		vfu_get_stats(s, &sts);
		ck_assert_uint_eq(sts.refused, 3);
		const struct vc_results *res = vc_engine_finish(vfu_engine(s));
		/* Filtered out: not reported; waived: reported waived. */
		ck_assert(has_rule(res, VC_R_VU_RING_02) == (k != 0));
		for (size_t i = 0; i < res->nfindings; i++)
			if (res->findings[i].rule == VC_R_VU_RING_02)
				ck_assert(res->findings[i].waived == (k == 1));
		vfu_free(s);
	}
}
END_TEST

/* Every class the engine judges names rules that exist. */
START_TEST(test_refusal_classes_name_rules)
{
	unsigned judged = 0;
	for (unsigned k = 0; k < VFU_RF_COUNT; k++) {
		struct vc_rule_set rs, none;
		memset(&none, 0, sizeof none);
		vfu_refusal_judged_by(k, &rs);
		bool any = memcmp(&rs, &none, sizeof rs) != 0;
		judged += any;
		/* Each rule named in the class's text is in its set. */
		char buf[64];
		snprintf(buf, sizeof buf, "%s", vfu_refusal_rule(k));
		for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); any && t; t = strtok_r(NULL, ",", &sv)) {
			ck_assert_ptr_nonnull(vc_rule_by_id(t));
			ck_assert(vc_rule_set_has(&rs, vc_rule_by_id(t)->num));
		}
	}
	/* version, reply-bit, region-count, region-bounds, overlap, four ring
	 * classes, log-size, ungated */
	ck_assert_uint_eq(judged, 11);
	struct vc_rule_set rs;
	vfu_refusal_judged_by(VFU_RF_REGION_BOUNDS, &rs);
	ck_assert(vc_rule_set_has(&rs, VC_R_VU_MEM_02) && vc_rule_set_has(&rs, VC_R_VU_MEM_04));
	vfu_refusal_judged_by(VFU_RF_OVERSIZE, &rs);
	ck_assert(!vc_rule_set_has(&rs, VC_R_VU_SIZE_01));
}
END_TEST

/* The fake's "reply owed" is the wire table's (vu_reply_owed with what
 * the connection knows of the protocol features): the same answers as the
 * copy it kept before, for every request, flag and feature state. */
START_TEST(test_owed_one_reading)
{
	struct vfu_conn *c = calloc(1, sizeof *c);
	ck_assert_ptr_nonnull(c);
	const uint64_t bits[] = { 0, VU_BIT(VU_PF_LOG_SHMFD), VU_BIT(VU_PF_REPLY_ACK),
				  VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_REPLY_ACK) };
	unsigned yes_value = 0, yes_ack = 0;
	for (uint32_t req = 0; req <= VU_REQ_MAX_FRONTEND + 2; req++)
		for (unsigned k = 0; k < 4 * 4 * 4 * 2; k++) {
			c->pf_offered = bits[k % 4];
			c->pf_acked = bits[k / 4 % 4];
			c->pf_answered = k / 16 % 2;
			c->pf_acked_known = k / 32 % 2;
			uint32_t flags = VU_VERSION | (k / 64 % 2 ? VU_FLAG_NEED_REPLY : 0);
			const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, req);
			bool value = ri && (ri->reply == VU_REPLY_ALWAYS ||
					    (ri->reply == VU_REPLY_IF_LOG_SHMFD && vfu_pf_negotiated(c, VU_PF_LOG_SHMFD)));
			bool ack = ri && (flags & VU_FLAG_NEED_REPLY) && !value &&
				   vfu_pf_negotiated(c, VU_PF_REPLY_ACK);
			struct vu_owed o = vfu_owed(c, req, flags);
			ck_assert_msg((o.value == VU_KNOWN_YES) == value, "req %u case %u", req, k);
			ck_assert_msg((o.ack == VU_KNOWN_YES) == ack, "req %u case %u", req, k);
			yes_value += value;
			yes_ack += ack;
		}
	/* both answers were exercised */
	ck_assert_uint_gt(yes_value, 0);
	ck_assert_uint_gt(yes_ack, 0);
	free(c);
}
END_TEST

/* Faults: a delayed ack that the front-end does not wait for is VU-ONCE-05;
 * a padded reply is the fake's own VU-SIZE-02, waived; disconnect@msg. */
START_TEST(test_faults)
{
	static const char *const faults[] = { "delay-reply=200@req=GET_PROTOCOL_FEATURES",
					      "reply-size@req=GET_QUEUE_NUM", "disconnect@msg=6" };
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, faults, 3);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	get_u64(fd, VU_GET_FEATURES);
	/* Does not wait for the held reply: */
	req(fd, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0);
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	uint32_t r, f;
	uint64_t v[2];
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, VU_GET_PROTOCOL_FEATURES);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, VU_GET_FEATURES);
	set_u64(fd, VU_SET_PROTOCOL_FEATURES, VU_BIT(VU_PF_MQ));
	req(fd, VU_GET_QUEUE_NUM, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 12);
	/* Message 6: the fake hangs up. */
	req(fd, VU_SET_OWNER, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), -1);
	close(fd);
	wait_ended(s, 1);
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert(has_rule(res, VC_R_VU_ONCE_05));
	bool size_waived = false;
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == VC_R_VU_SIZE_02)
			size_waived = res->findings[i].waived;
	ck_assert(size_waived);
	vfu_free(s);
}
END_TEST

START_TEST(test_fault_specs)
{
	struct vfu_fault f;
	char err[256];
	ck_assert_int_eq(vfu_fault_parse("disconnect@req=SET_MEM_TABLE#2,conn=3", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_DISCONNECT);
	ck_assert_uint_eq(f.at_req, VU_SET_MEM_TABLE);
	ck_assert_uint_eq(f.nth, 2);
	ck_assert_uint_eq(f.conn, 3);
	ck_assert_int_eq(vfu_fault_parse("drop-protocol-feature=REPLY_ACK,STATUS", &f, err, sizeof err), 0);
	ck_assert(f.mask_proto && f.mask == (VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_STATUS)));
	ck_assert_int_eq(vfu_fault_parse("backend-req=VRING_CALL@req=GET_VRING_BASE", &f, err, sizeof err), 0);
	ck_assert_uint_eq(f.be_req, VU_BE_VRING_CALL);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-02,VU-BCH-08");
	ck_assert_int_eq(vfu_fault_parse("drop-protocol-feature=MQ", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-05");
	ck_assert_int_eq(vfu_fault_parse("drop-feature=LOG_ALL", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "");
	ck_assert_int_eq(vfu_fault_parse("vring-base-high", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-01");
	ck_assert_int_eq(vfu_fault_parse("postcopy-no-ufd", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-03");
	ck_assert_int_eq(vfu_fault_parse("shmem-count,conn=2", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_SHMEM_COUNT && f.conn == 2);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-04");
	ck_assert_int_eq(vfu_fault_parse("inflight-no-fd", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-06");
	ck_assert_int_eq(vfu_fault_parse("suspended-msg", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-08,VU-BCH-02");
	for (unsigned k = VFU_BAD_CALL_NUM; k < VFU_BAD_COUNT; k++) {
		char spec[96];
		snprintf(spec, sizeof spec, "backend-bad=%s@req=GET_VRING_BASE#2", vfu_backend_bad_name(k));
		ck_assert_int_eq(vfu_fault_parse(spec, &f, err, sizeof err), 0);
		ck_assert(f.kind == VFU_FAULT_BACKEND_BAD && f.bad == k && f.at_req == VU_GET_VRING_BASE && f.nth == 2);
		ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-0[1-8],VU-NEG-10");
	}
	ck_assert_ptr_null(vfu_backend_bad_name(VFU_BAD_COUNT));
	ck_assert_int_eq(vfu_fault_parse("lax=ring-num,neg-num-started,regions,conn=2", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_LAX);
	ck_assert_uint_eq(f.conn, 2);
	ck_assert_uint_eq(f.lax, VFU_RF_BIT(VFU_RF_RING_NUM) | VFU_RF_BIT(VFU_RF_STARTED_RING) |
					 VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
					 VFU_RF_BIT(VFU_RF_OVERLAP));
	ck_assert_int_eq(vfu_fault_parse("lax=all", &f, err, sizeof err), 0);
	ck_assert_uint_eq(f.lax, VFU_RF_ALL);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BE-04");
	ck_assert_int_eq(vfu_fault_parse("crash@req=SET_VRING_ADDR#2", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_CRASH && f.at_req == VU_SET_VRING_ADDR && f.nth == 2);
	ck_assert_int_eq(vfu_fault_parse("hang@msg=7", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_HANG && f.at_msg == 7);
	ck_assert_int_eq(vfu_fault_parse("leak-fds@req=SET_MEM_TABLE", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_LEAK_FDS);
	ck_assert_int_eq(vfu_fault_parse("reply-fds=250", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_REPLY_FDS && f.nfds == 250 && !f.at_req && !f.at_msg);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-FD-06");
	ck_assert_int_eq(vfu_fault_parse("reply-fds=1@req=GET_INFLIGHT_FD#2", &f, err, sizeof err), 0);
	ck_assert(f.nfds == 1 && f.at_req == VU_GET_INFLIGHT_FD && f.nth == 2);
	for (unsigned k = 0; k < VFU_RF_COUNT; k++) {
		char spec[64];
		snprintf(spec, sizeof spec, "lax=%s", vfu_refusal_name(k));
		ck_assert_int_eq(vfu_fault_parse(spec, &f, err, sizeof err), 0);
		ck_assert_uint_eq(f.lax, VFU_RF_BIT(k));
	}
	static const char *const bad[] = { "disconnect", "nonsense", "delay-reply=0@req=GET_FEATURES",
					   "reply-flags@req=NOPE", "backend-req=IOTLB_MSG@req=GET_FEATURES",
					   "disconnect@msg=0", "drop-feature=BOGUS", "disconnect@when=1",
					   "lax", "lax=", "lax=bogus", "lax=ring-num@req=GET_FEATURES", "crash",
					   "hang=1@req=GET_FEATURES", "leak-fds", "crash@req=NOPE",
					   "reply-fds", "reply-fds=0", "reply-fds=253", "reply-fds=x",
					   "vring-base-high@req=GET_VRING_BASE", "vring-base-high=1",
					   "postcopy-no-ufd@msg=3", "suspended-msg@req=GET_VRING_BASE",
					   "backend-bad=call-num", "backend-bad@req=GET_VRING_BASE",
					   "backend-bad=bogus@req=GET_VRING_BASE" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(vfu_fault_parse(bad[i], &f, err, sizeof err) != 0, "%s accepted", bad[i]);
	uint64_t m = 0;
	ck_assert_int_eq(vfu_features_override(&m, "+VERSION_1,+NET_MQ,3", false, err, sizeof err), 0);
	ck_assert_uint_eq(m, VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_NET_MQ) | VU_BIT(3));
	ck_assert_int_eq(vfu_features_override(&m, "-NET_MQ", false, err, sizeof err), 0);
	ck_assert_int_eq(vfu_features_override(&m, "0x10", false, err, sizeof err), 0);
	ck_assert_uint_eq(m, 0x10);
	ck_assert_int_ne(vfu_features_override(&m, "+64", false, err, sizeof err), 0);
	struct vfu_profile p;
	ck_assert_int_ne(vfu_profile_init(&p, "scsi", 1), 0);
	ck_assert_int_ne(vfu_profile_init(&p, "net", VFU_MAX_QUEUES + 1), 0);
}
END_TEST

/* ---------- the hostile front-end ---------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int count_guest_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "vcts-hostile"))
			n++;
	if (f)
		fclose(f);
	return n;
}

static void send_raw(int fd, const void *b, size_t n)
{
	if (send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* The fake may already have closed: that is an answer too. */
	}
}

static void hostile(int fd, unsigned kind)
{
	uint8_t hdr[VU_HDR_SIZE] = { 0 };
	int fds[253];
	int memfd = -1;
	switch (kind) {
	case 0: /* oversized: 4 GiB announced */
		vu_wr32(hdr, VU_GET_FEATURES);
		vu_wr32(hdr + 4, VU_VERSION);
		vu_wr32(hdr + 8, UINT32_MAX);
		send_raw(fd, hdr, sizeof hdr);
		break;
	case 1: { /* truncated: 40 bytes announced, 10 sent */
		uint8_t b[VU_HDR_SIZE + 10] = { 0 };
		vu_wr32(b, VU_SET_VRING_ADDR);
		vu_wr32(b + 4, VU_VERSION);
		vu_wr32(b + 8, (uint32_t)vu_payload_fixed_size(VU_PL_ADDR));
		send_raw(fd, b, sizeof b);
		break;
	}
	case 2: /* unknown request */
		req(fd, VU_REQ_MAX_FRONTEND + 100, 0, NULL, 0);
		break;
	case 3: { /* fd flood: a full SCM_RIGHTS load on a request that takes none,
		   * and again on a table with fewer regions */
		for (int i = 0; i < 253; i++)
			fds[i] = eventfd(0, EFD_CLOEXEC);
		fe_send(fd, VU_SET_OWNER, VU_VERSION, NULL, 0, fds, 253);
		struct pl_table t = { .n = 1 };
		t.r[0] = (struct pl_region){ .size = 4096 };
		fe_send(fd, VU_SET_MEM_TABLE, VU_VERSION, &t,
			(uint32_t)vu_payload_expected_size(VU_PL_MEMTABLE, (const uint8_t *)&t, sizeof t), fds, 253);
		for (int i = 0; i < 253; i++)
			close(fds[i]);
		break;
	}
	case 4: /* region past the end of its memfd, then one that wraps */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, 4096), 0);
		send_table(fd, memfd, 1u << 30, 0, false);
		send_table(fd, memfd, UINT64_MAX - 10, 4096, false);
		break;
	case 5: { /* a good region, ring addresses outside it, a kick */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, 1 << 16), 0);
		send_table(fd, memfd, 1 << 16, 0, false);
		struct pl_state st = { 0, Q_NUM };
		req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
		struct pl_addr a = { .desc = UVA + (1u << 20), .avail = UVA, .used = UVA + 0x100 };
		req(fd, VU_SET_VRING_ADDR, 0, &a, sizeof a);
		int k = eventfd(0, EFD_CLOEXEC);
		uint64_t u = 0, one = 1;
		fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &k, 1);
		if (write(k, &one, sizeof one) < 0)
			ck_abort_msg("eventfd write: %s", strerror(errno));
		close(k);
		break;
	}
	case 6: { /* garbage */
		uint8_t b[64];
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (uint8_t)next_rand();
		send_raw(fd, b, sizeof b);
		break;
	}
	case 7: { /* a pipe as kick fd; a memfd as call fd; a descriptor loop */
		int pp[2];
		ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
		uint64_t u = 1;
		fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &pp[0], 1);
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &memfd, 1);
		close(pp[0]);
		close(pp[1]);
		break;
	}
	case 8: { /* GET_CONFIG whose size field disagrees with the payload */
		struct pl_config c = { .offset = 0, .size = 0xfffffff0u };
		req(fd, VU_GET_CONFIG, 0, &c, 12);
		break;
	}
	case 9: /* half a header */
		vu_wr32(hdr, VU_GET_FEATURES);
		send_raw(fd, hdr, 5);
		break;
	case 10: { /* ADD_MEM_REG of an empty memfd at a wrapping offset */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		uint8_t p[8 + sizeof(struct pl_region)] = { 0 };
		struct pl_region r = { .gpa = 0, .size = 1 << 20, .uva = UVA, .offset = UINT64_MAX - 4095 };
		memcpy(p + 8, &r, sizeof r);
		ck_assert_int_eq(vu_payload_fixed_size(VU_PL_MEMREG), (int)sizeof p);
		fe_send(fd, VU_ADD_MEM_REG, VU_VERSION, p, sizeof p, &memfd, 1);
		break;
	}
	case 11: { /* a valid table, then a chain that loops, kicked */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, MEM_SIZE), 0);
		uint8_t *m = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		ck_assert_ptr_ne(m, MAP_FAILED);
		for (unsigned i = 0; i < Q_NUM; i++) {
			uint8_t *d = m + DESC_GPA + 16u * i;
			vu_wr64(d, BUF_GPA);
			vu_wr32(d + 8, 16);
			uint16_t fl = 1, nx = (uint16_t)((i + 1) % Q_NUM);
			memcpy(d + 12, &fl, 2);
			memcpy(d + 14, &nx, 2);
		}
		uint16_t one16 = 1;
		memcpy(m + AVAIL_GPA + 2, &one16, 2);
		munmap(m, MEM_SIZE);
		send_table(fd, memfd, MEM_SIZE, 0, false);
		int k = eventfd(0, EFD_CLOEXEC), c = eventfd(0, EFD_CLOEXEC);
		setup_ring(fd, 0, k, c);
		uint64_t one = 1;
		ck_assert_int_eq(write(k, &one, sizeof one), (ssize_t)sizeof one);
		close(k);
		close(c);
		break;
	}
	default: { /* a flood of valid requests never read */
		for (int i = 0; i < 64; i++)
			req(fd, VU_GET_FEATURES, 0, NULL, 0);
		break;
	}
	}
	if (memfd >= 0)
		close(memfd);
}

START_TEST(test_hostile_thousand)
{
	const unsigned kinds = 13, conns = 1000;
	int fds0 = vc_test_count_fds();
	int maps0 = count_guest_maps();
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	tolerant = true;
	for (unsigned i = 0; i < conns; i++) {
		int fd = connect_fake(s);
		hostile(fd, i % kinds);
		close(fd);
		/* Keep at most a few connections in flight: the point is many
		 * sessions, not fd exhaustion of the test process. */
		wait_ended(s, i + 1 > 8 ? i + 1 - 8 : 0);
	}
	wait_ended(s, conns);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.open_connections, 0);
	ck_assert_uint_eq(st.mapped_regions, 0);
	ck_assert_uint_eq(st.fds_received, st.fds_closed);
	ck_assert_uint_gt(st.bad_regions, 0);
	ck_assert_uint_gt(st.chain_errors, 0);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->nsessions, conns);
	ck_assert_uint_gt(res->findings_by_level[VC_MUST], 0);
	ck_assert(has_rule(res, VC_R_VU_HDR_06));
	ck_assert(has_rule(res, VC_R_VU_FD_01));
	ck_assert(has_rule(res, VC_R_VU_MEM_04));
	ck_assert(has_rule(res, VC_R_VU_RING_04));
	ck_assert(has_rule(res, VC_R_VU_HDR_05));
	vfu_free(s);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
	ck_assert_int_eq(count_guest_maps(), maps0);
}
END_TEST

/* --keep-sessions: ended sessions past the limit fold into one; what they
 * failed still fails, ids are dense after vc_engine_finish. */
START_TEST(test_keep_sessions)
{
	struct live l = { 0 };
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, "generic", 1), 0);
	cfg.engine.on_finding = on_finding;
	cfg.engine.opaque = &l;
	cfg.engine.keep_sessions = 3;
	char err[256];
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	tolerant = true;
	const unsigned conns = 10;
	for (unsigned i = 0; i < conns; i++) {
		int fd = connect_fake(s);
		/* The first connection breaks VU-HDR-05 (unknown request); the
		 * others only ask for the features. */
		if (i == 0)
			req(fd, VU_REQ_MAX_FRONTEND + 100, 0, NULL, 0);
		else
			(void)get_u64(fd, VU_GET_FEATURES);
		close(fd);
		wait_ended(s, i + 1);
	}
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->nsessions, 4);
	unsigned folded = 0;
	for (size_t i = 0; i < res->nsessions; i++) {
		ck_assert_uint_eq(res->sessions[i].info.id, i);
		if (strstr(res->sessions[i].info.name, "7 earlier sessions (folded)")) {
			folded++;
			ck_assert_int_eq(res->sessions[i].rules[VC_R_VU_HDR_05].verdict, VC_FAIL);
			ck_assert_uint_eq(res->sessions[i].rules[VC_R_VU_HDR_05].failures, 1);
			ck_assert_uint_eq(res->sessions[i].messages, 13);   /* 1 + 6 x 2 */
		} else {
			ck_assert_int_ne(res->sessions[i].rules[VC_R_VU_HDR_05].verdict, VC_FAIL);
		}
	}
	ck_assert_uint_eq(folded, 1);
	/* Oldest first: the folded one, then #8, #9, #10 (slots were reused). */
	ck_assert_ptr_nonnull(strstr(res->sessions[0].info.name, "folded"));
	for (unsigned i = 1; i < 4; i++) {
		char want[32];
		snprintf(want, sizeof want, " #%u ", 7 + i);
		ck_assert_msg(strstr(res->sessions[i].info.name, want), "session %u is %s", i,
			      res->sessions[i].info.name);
	}
	ck_assert_uint_ge(res->findings_by_level[VC_MUST], 1);
	for (size_t i = 0; i < res->nfindings; i++)
		ck_assert_uint_lt(res->findings[i].session, res->nsessions);
	ck_assert_uint_ge(res->suppressed, 1);   /* VU-HDR-05's, dropped with its session */
	ck_assert_int_eq(vc_results_exit_status(res, false), 1);
	vfu_free(s);
}
END_TEST

/* ---------- the CLI ---------- */

START_TEST(test_cli_usage)
{
	char *out = NULL;
	char *const bad_fault[] = { "vhost-cts", "serve", "--socket", "/tmp/vcts-never.sock", "--fault", "bogus", NULL };
	ck_assert_int_eq(vc_test_run(bad_fault, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "unknown fault"));
	free(out);
	char *const no_sock[] = { "vhost-cts", "serve", NULL };
	ck_assert_int_eq(vc_test_run(no_sock, &out), 2);
	free(out);
	char *const bad_profile[] = { "vhost-cts", "serve", "--socket", "/tmp/vcts-never.sock", "--profile", "scsi", NULL };
	ck_assert_int_eq(vc_test_run(bad_profile, &out), 2);
	free(out);
	/* Nobody connects: exit 2, so a gate cannot pass by accident. */
	char sock[64];
	snprintf(sock, sizeof sock, "/tmp/vcts-test-%d.sock", (int)getpid());
	char *const idle[] = { "vhost-cts", "serve", "--socket", sock, "--duration", "0.2", NULL };
	ck_assert_int_eq(vc_test_run(idle, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "no front-end connected"));
	free(out);
}
END_TEST

/* serve --once with a short session: exit 0, capture and waiver file
 * written, and `check` of the capture agrees. */
START_TEST(test_cli_serve_once)
{
	char sock[64], cap[64];
	snprintf(sock, sizeof sock, "/tmp/vcts-test-%d.sock", (int)getpid());
	snprintf(cap, sizeof cap, "/tmp/vcts-test-%d.jsonl", (int)getpid());
	pid_t pid = fork();
	if (pid == 0) {
		int dn = open("/dev/null", O_WRONLY);
		dup2(dn, 1);
		dup2(dn, 2);
		execl(vc_test_bin(), "vhost-cts", "serve", "--socket", sock, "--once", "--record", cap,
		      "--profile", "generic", (char *)NULL);
		_exit(127);
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	int fd = -1;
	/* Waits for serve to listen; the test's own timeout bounds it. */
	while (fd < 0) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(c, (struct sockaddr *)&sa, sizeof sa) == 0)
			fd = c;
		else {
			close(c);
			usleep(10000);
		}
	}
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	close(fd);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	char waive[80];
	snprintf(waive, sizeof waive, "%s.waive", cap);
	struct stat sb;
	ck_assert_int_eq(stat(waive, &sb), 0);
	char *out = NULL;
	char *const chk[] = { "vhost-cts", "check", "-q", "--waive", waive, cap, NULL };
	ck_assert_int_eq(vc_test_run(chk, &out), 0);
	free(out);
	unlink(cap);
	unlink(waive);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("fake-vhost-user");
	TCase *tc = tcase_create("fake");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_null_device);
	tcase_add_test(tc, test_shrunk_memfd_halts_ring);
	tcase_add_test(tc, test_caller_driven);
	tcase_add_test(tc, test_region_past_fd);
	tcase_add_test(tc, test_fds_cut_by_kernel);
	tcase_add_test(tc, test_kicks_chains_and_capture);
	tcase_add_test(tc, test_ring10_live);
	tcase_add_test(tc, test_blk_config_and_read);
	tcase_add_test(tc, test_blk_disk_keeps_sectors);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_refusals_hidden_rules);
	tcase_add_test(tc, test_refusal_classes_name_rules);
	tcase_add_test(tc, test_owed_one_reading);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_fault_specs);
	tcase_add_test(tc, test_keep_sessions);
	tcase_add_test(tc, test_cli_usage);
	tcase_add_test(tc, test_cli_serve_once);
	suite_add_tcase(s, tc);
	TCase *th = tcase_create("hostile");
	tcase_set_timeout(th, 300);
	tcase_add_test(th, test_hostile_thousand);
	suite_add_tcase(s, th);
	return s;
}
