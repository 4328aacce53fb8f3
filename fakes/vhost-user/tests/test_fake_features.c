/* The README's "Protocol features and requests" tables checked against
 * the fake itself: every protocol feature bit's offered cells against
 * vfu_profile_init, and every front-end request of the wire table sent to
 * the fake of each profile (in-process, over a socketpair, everything the
 * profile offers negotiated, NEED_REPLY set) with its answer compared to
 * the table's cell. Plus the features implemented here: SET_CONFIG's
 * read-only rule, SET_INFLIGHT_FD across a reconnect, NET_SET_MTU. */
#include "fakes/vhost-user/fake.h"
#include "harness/tests/common/testutil.h"
#include "harness/tests/common/vu_client.h"
#include "vcts/engine.h"
#include "vcts/sock.h"
#include "vcts/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MEM_SIZE (1u << 20)
#define UVA 0x7f0000000000ull
#define README "fakes/vhost-user/README.md"
#define PROFILES 3
static const char *const profiles[PROFILES] = { "net", "blk", "generic" };

/* ---------- the test front-end ---------- */

static void fe_send(int fd, uint32_t req, uint32_t flags, const void *pl, uint32_t len, const int *fds, int nfds)
{
	ck_assert_int_eq(vc_sock_send_msg(fd, req, flags, len, pl, len, fds, (unsigned)nfds, 10000), 0);
}

/* One reply: its size, -1 on EOF (errno ECONNRESET) or when none came
 * within 5 s (errno EAGAIN). An fd that comes with it is closed unless
 * rfd takes it. */
static int fe_recv(int fd, uint32_t *r, void *pl, uint32_t cap, int *rfd)
{
	uint32_t flags = 0;
	int n = vc_test_vu_recv(fd, r, &flags, pl, cap, rfd, 5000);
	ck_assert(n >= 0 || errno != EMSGSIZE);
	if (n >= 0)
		ck_assert_uint_eq(flags, VU_VERSION | VU_FLAG_REPLY);
	return n;
}

static uint64_t call_u64(int fd, uint32_t req)
{
	uint32_t r;
	uint64_t v = 0;
	fe_send(fd, req, VU_VERSION, NULL, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &r, &v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, req);
	return v;
}

static void send_u64(int fd, uint32_t req, uint64_t v)
{
	fe_send(fd, req, VU_VERSION, &v, sizeof v, NULL, 0);
}

/* Everything offered acked, SET_OWNER, one memory table of MEM_SIZE. */
static void negotiate(int fd, int memfd, uint64_t *pf_out)
{
	uint64_t f = call_u64(fd, VU_GET_FEATURES);
	uint64_t pf = call_u64(fd, VU_GET_PROTOCOL_FEATURES);
	send_u64(fd, VU_SET_PROTOCOL_FEATURES, pf);
	send_u64(fd, VU_SET_FEATURES, f);
	fe_send(fd, VU_SET_OWNER, VU_VERSION, NULL, 0, NULL, 0);
	uint8_t t[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE] = { 0 };
	vu_wr32(t, 1);
	vu_wr64(t + 8, 0);
	vu_wr64(t + 16, MEM_SIZE);
	vu_wr64(t + 24, UVA);
	vu_wr64(t + 32, 0);
	fe_send(fd, VU_SET_MEM_TABLE, VU_VERSION, t, sizeof t, &memfd, 1);
	if (pf_out)
		*pf_out = pf;
}

static int new_memfd(uint64_t size)
{
	int fd = memfd_create("vcts-test-feat", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static struct vfu_server *new_server(const char *profile, uint16_t mtu)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, profile, 1), 0);
	if (mtu) {
		cfg.profile.mtu = mtu;
		cfg.profile.features |= VU_BIT(VU_F_NET_MTU);
		vfu_profile_refresh(&cfg.profile);
	}
	cfg.null_device = true;
	cfg.stall_ms = 300;
	char err[256];
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	return s;
}

static int connect_fake(struct vfu_server *s)
{
	int sv[2];
	char err[256];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(vfu_adopt(s, sv[1], err, sizeof err) == 0, "%s", err);
	return sv[0];
}

static void end_conn(struct vfu_server *s, int fd, uint64_t n)
{
	close(fd);
	while (vfu_sessions_ended(s) < n)
		usleep(1000);
}

/* ---------- the README tables ---------- */

struct row {
	char cells[8][64];
	int n;
};

/* The rows of the README section's tables with a number in the first
 * cell and ncells cells. */
static int read_rows(int ncells, struct row *rows, int max)
{
	FILE *f = fopen(vc_test_path(README), "r");
	ck_assert_msg(f != NULL, "cannot open %s", README);
	char line[1024];
	bool in = false;
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "## ", 3))
			in = !strncmp(line, "## Protocol features and requests", 33);
		if (!in || line[0] != '|')
			continue;
		struct row r = { .n = 0 };
		char *p = line + 1;
		for (char *bar; (bar = strchr(p, '|')) && r.n < 8; p = bar + 1) {
			*bar = 0;
			while (*p == ' ' || *p == '`')
				p++;
			size_t l = strlen(p);
			while (l && (p[l - 1] == ' ' || p[l - 1] == '`'))
				p[--l] = 0;
			/* Long prose cells are cut: only the verdicts are compared. */
			size_t keep = l < sizeof r.cells[0] - 1 ? l : sizeof r.cells[0] - 1;
			memcpy(r.cells[r.n], p, keep);
			r.cells[r.n++][keep] = 0;
		}
		if (r.n != ncells || r.cells[0][0] < '0' || r.cells[0][0] > '9')
			continue;
		ck_assert_int_lt(n, max);
		rows[n++] = r;
	}
	fclose(f);
	return n;
}

START_TEST(test_feature_table_matches_profiles)
{
	struct row rows[64];
	int n = read_rows(6, rows, 64);
	ck_assert_int_eq(n, VU_PF_COUNT);
	for (int i = 0; i < n; i++) {
		unsigned bit = (unsigned)atoi(rows[i].cells[0]);
		ck_assert_uint_eq(bit, (unsigned)i);
		ck_assert_str_eq(rows[i].cells[1], vu_protocol_feature_name(bit));
		for (int k = 0; k < PROFILES; k++) {
			struct vfu_profile p;
			ck_assert_int_eq(vfu_profile_init(&p, profiles[k], 1), 0);
			const char *want = (p.protocol_features & VU_BIT(bit)) ? "offered" : "-";
			ck_assert_msg(!strcmp(rows[i].cells[2 + k], want), "README: bit %u %s, %s: '%s', the profile: '%s'",
				      bit, rows[i].cells[1], profiles[k], rows[i].cells[2 + k], want);
		}
	}
}
END_TEST

/* What the fake did with one request: "reply" (its own reply, not the
 * all-ones failure), "done" (ack 0), "fails" (ack non-zero or the
 * failure reply: the fake could not or would not carry it out), or
 * "refused" (its feature not negotiated: the refusal counter moved, an
 * error ack or the connection closed). */
static const char *outcome(struct vfu_server *s, uint32_t rq, uint64_t *conns)
{
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, rq);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	/* A fake that answers nothing must not hang the test. */
	struct timeval tv = { 5, 0 };
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
	struct vfu_stats st0, st1;
	negotiate(fd, memfd, NULL);
	/* Ring requests that need a ring with a size first. */
	uint8_t state[8];
	vu_wr32(state, 0);
	vu_wr32(state + 4, 8);
	fe_send(fd, VU_SET_VRING_NUM, VU_VERSION, state, sizeof state, NULL, 0);
	/* The fake answers in order: GET_FEATURES round trip = all above done. */
	call_u64(fd, VU_GET_FEATURES);
	vfu_get_stats(s, &st0);

	uint8_t pl[64] = { 0 };
	uint32_t len = 0;
	int fds[2] = { -1, -1 }, nfds = 0;
	switch (ri->req_payload) {
	case VU_PL_U64: len = 8; break;
	case VU_PL_STATE: len = 8; vu_wr32(pl + 4, 1); break;
	case VU_PL_ADDR:
		len = 40;
		vu_wr64(pl + 8, UVA);
		vu_wr64(pl + 16, UVA + 0x2000);
		vu_wr64(pl + 24, UVA + 0x1000);
		break;
	case VU_PL_MEMTABLE:
		len = VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE;
		vu_wr32(pl, 1);
		vu_wr64(pl + 16, MEM_SIZE);
		vu_wr64(pl + 24, UVA);
		break;
	case VU_PL_MEMREG:
		len = 8 + VU_MEM_REGION_SIZE;
		/* ADD: a second region above the table's; REM: the table's. */
		vu_wr64(pl + 8, rq == VU_ADD_MEM_REG ? MEM_SIZE : 0);
		vu_wr64(pl + 16, MEM_SIZE);
		vu_wr64(pl + 24, rq == VU_ADD_MEM_REG ? UVA + MEM_SIZE : UVA);
		break;
	case VU_PL_LOG: len = 16; vu_wr64(pl, 4096); break;
	case VU_PL_CONFIG: len = VU_CONFIG_HDR + 4; vu_wr32(pl + 4, 4); break;
	case VU_PL_INFLIGHT:
		len = 24;
		vu_wr64(pl, 4096);
		memcpy(pl + 16, &(uint16_t){ 1 }, 2);
		memcpy(pl + 18, &(uint16_t){ 8 }, 2);
		break;
	case VU_PL_IOTLB: len = 32; break;
	case VU_PL_UUID: len = 16; break;
	case VU_PL_DEVSTATE: len = 8; break;
	case VU_PL_VARIABLE: len = 8; break;
	default: len = 0; break;
	}
	if (rq == VU_SET_FEATURES)
		vu_wr64(pl, call_u64(fd, VU_GET_FEATURES));
	if (rq == VU_SET_PROTOCOL_FEATURES)
		vu_wr64(pl, call_u64(fd, VU_GET_PROTOCOL_FEATURES));
	if (rq == VU_NET_SET_MTU)
		vu_wr64(pl, 1500);
	bool log_fd = rq == VU_SET_LOG_BASE && (call_u64(fd, VU_GET_PROTOCOL_FEATURES) & VU_BIT(VU_PF_LOG_SHMFD));
	vfu_get_stats(s, &st0);
	switch (ri->req_fds) {
	case VU_FDS_ONE:
	case VU_FDS_PER_REGION:
	case VU_FDS_VRING:
		if (rq == VU_SET_BACKEND_REQ_FD || rq == VU_GPU_SET_SOCKET || rq == VU_SET_DEVICE_STATE_FD) {
			int sv[2];
			ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
			fds[0] = sv[0];
			fds[1] = sv[1];
			nfds = 1;
		} else if (rq == VU_SET_VRING_KICK || rq == VU_SET_VRING_CALL || rq == VU_SET_VRING_ERR ||
			   rq == VU_SET_LOG_FD) {
			fds[0] = eventfd(0, EFD_CLOEXEC);
			nfds = 1;
		} else {
			fds[0] = new_memfd(MEM_SIZE);
			nfds = 1;
		}
		break;
	case VU_FDS_LOG:
		if (log_fd) {
			fds[0] = new_memfd(4096);
			nfds = 1;
		}
		break;
	default:
		break;
	}
	fe_send(fd, rq, VU_VERSION | VU_FLAG_NEED_REPLY, pl, len, fds, nfds);
	uint8_t out[8 + 8 * VU_SHMEM_MAX_REGIONS + 64];
	uint32_t r = 0;
	errno = 0;
	int got = fe_recv(fd, &r, out, sizeof out, NULL);
	const char *res;
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		res = "silent";
	} else if (got < 0) {
		res = "refused";
	} else {
		ck_assert_uint_eq(r, rq);
		bool value = ri->reply == VU_REPLY_ALWAYS ||
			     (ri->reply == VU_REPLY_IF_LOG_SHMFD && log_fd);
		uint64_t v = got >= 8 ? vu_rd64(out) : 0;
		/* The ack of a request that gets one is always a u64. */
		if (!value)
			ck_assert_int_eq(got, 8);
		if (!value)
			res = v ? "fails" : "done";
		else
			res = got == 8 && v == UINT64_MAX ? "fails" : "reply";
		/* An error of a refusal class: the counter says so. */
		call_u64(fd, VU_GET_FEATURES);
		vfu_get_stats(s, &st1);
		if (st1.refused != st0.refused)
			res = "refused";
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(memfd);
	end_conn(s, fd, ++*conns);
	return res;
}

START_TEST(test_request_table_matches_the_fake)
{
	struct row rows[64];
	int n = read_rows(7, rows, 64);
	ck_assert_int_eq(n, VU_REQ_MAX_FRONTEND);
	for (int k = 0; k < PROFILES; k++) {
		struct vfu_server *s = new_server(profiles[k], 0);
		uint64_t conns = 0;
		for (int i = 0; i < n; i++) {
			uint32_t rq = (uint32_t)atoi(rows[i].cells[0]);
			ck_assert_uint_eq(rq, (uint32_t)i + 1);
			ck_assert_str_eq(rows[i].cells[1], vu_request(VU_CHAN_MAIN, rq)->name);
			const char *got = outcome(s, rq, &conns);
			/* The cell may carry a note after the verdict ("refused (...)"). */
			const char *cell = rows[i].cells[3 + k];
			ck_assert_msg(!strncmp(cell, got, strlen(got)) &&
					      (cell[strlen(got)] == 0 || cell[strlen(got)] == ' '),
				      "README: %u %s, %s: '%s', the fake: '%s'", rq, rows[i].cells[1], profiles[k], cell,
				      got);
		}
		vfu_stop(s);
		struct vfu_stats st;
		vfu_get_stats(s, &st);
		ck_assert_uint_eq(st.mapped_regions, 0);
		ck_assert_uint_eq(st.fds_received, st.fds_closed);
		vfu_free(s);
	}
}
END_TEST

/* ---------- the features themselves ---------- */

static uint64_t ack_of(int fd, uint32_t rq)
{
	uint32_t r;
	uint64_t v = 99;
	ck_assert_int_eq(fe_recv(fd, &r, &v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, rq);
	return v;
}

static void config_io(int fd, uint32_t rq, uint32_t off, uint32_t size, uint32_t flags, const uint8_t *data,
		      uint8_t *out)
{
	uint8_t pl[VU_CONFIG_HDR + 16] = { 0 };
	ck_assert_uint_le(size, 16);
	vu_wr32(pl, off);
	vu_wr32(pl + 4, size);
	vu_wr32(pl + 8, flags);
	if (data)
		memcpy(pl + VU_CONFIG_HDR, data, size);
	fe_send(fd, rq, VU_VERSION | (rq == VU_SET_CONFIG ? VU_FLAG_NEED_REPLY : 0), pl, VU_CONFIG_HDR + size, NULL,
		0);
	if (rq == VU_GET_CONFIG) {
		uint32_t r;
		uint8_t back[VU_CONFIG_HDR + 16];
		ck_assert_int_eq(fe_recv(fd, &r, back, sizeof back, NULL), (int)(VU_CONFIG_HDR + size));
		memcpy(out, back + VU_CONFIG_HDR, size);
	}
}

START_TEST(test_set_config_read_only_unless_migration)
{
	struct vfu_server *s = new_server("blk", 0);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	uint8_t before[8], after[8], mine[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	/* Capacity (offset 0, u64): read-only to a driver. */
	config_io(fd, VU_GET_CONFIG, 0, 8, 0, NULL, before);
	config_io(fd, VU_SET_CONFIG, 0, 8, 0, mine, NULL);
	ck_assert_uint_eq(ack_of(fd, VU_SET_CONFIG), 1);
	config_io(fd, VU_GET_CONFIG, 0, 8, 0, NULL, after);
	ck_assert_mem_eq(before, after, 8);
	/* Flags other than 0/1 are refused; past the config space too. */
	config_io(fd, VU_SET_CONFIG, 0, 8, 2, mine, NULL);
	ck_assert_uint_eq(ack_of(fd, VU_SET_CONFIG), 1);
	config_io(fd, VU_SET_CONFIG, VFU_CONFIG_MAX - 4, 8, 1, mine, NULL);
	ck_assert_uint_eq(ack_of(fd, VU_SET_CONFIG), 1);
	/* The live-migration flag: accepted and read back. */
	config_io(fd, VU_SET_CONFIG, 0, 8, 1, mine, NULL);
	ck_assert_uint_eq(ack_of(fd, VU_SET_CONFIG), 0);
	config_io(fd, VU_GET_CONFIG, 0, 8, 0, NULL, after);
	ck_assert_mem_eq(mine, after, 8);
	/* RESET_DEVICE puts the device's own config back. */
	fe_send(fd, VU_RESET_DEVICE, VU_VERSION | VU_FLAG_NEED_REPLY, NULL, 0, NULL, 0);
	ck_assert_uint_eq(ack_of(fd, VU_RESET_DEVICE), 0);
	config_io(fd, VU_GET_CONFIG, 0, 8, 0, NULL, after);
	ck_assert_mem_eq(before, after, 8);
	/* A new connection starts from the profile's config. */
	end_conn(s, fd, 1);
	fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	config_io(fd, VU_GET_CONFIG, 0, 8, 0, NULL, after);
	ck_assert_mem_eq(before, after, 8);
	end_conn(s, fd, 2);
	vfu_stop(s);
	vfu_free(s);
	close(memfd);
}
END_TEST

static int count_maps(const char *needle)
{
	FILE *f = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(f);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

START_TEST(test_inflight_kept_across_reconnect)
{
	struct vfu_server *s = new_server("blk", 0);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	uint8_t pl[24] = { 0 };
	memcpy(pl + 16, &(uint16_t){ 1 }, 2);
	memcpy(pl + 18, &(uint16_t){ 128 }, 2);
	fe_send(fd, VU_GET_INFLIGHT_FD, VU_VERSION, pl, sizeof pl, NULL, 0);
	uint32_t r;
	uint8_t out[24];
	int ifd = -1;
	ck_assert_int_eq(fe_recv(fd, &r, out, sizeof out, &ifd), 24);
	ck_assert_int_ge(ifd, 0);
	uint64_t size = vu_rd64(out);
	ck_assert_uint_ge(size, 16u * 128);
	/* The front-end's record of the inflight descriptors. */
	uint8_t *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ifd, 0);
	ck_assert_ptr_ne(area, MAP_FAILED);
	memset(area, 0xa5, size);
	end_conn(s, fd, 1);
	int base = count_maps("vhost-cts-inflight");
	/* Reconnect: the front-end hands the area back. */
	fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	memcpy(pl, out, 24);
	fe_send(fd, VU_SET_INFLIGHT_FD, VU_VERSION | VU_FLAG_NEED_REPLY, pl, sizeof pl, &ifd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_INFLIGHT_FD), 0);
	ck_assert_int_eq(count_maps("vhost-cts-inflight"), base + 1);
	/* Larger than the fd: not mapped, an error ack. */
	vu_wr64(pl, size + 4096);
	fe_send(fd, VU_SET_INFLIGHT_FD, VU_VERSION | VU_FLAG_NEED_REPLY, pl, sizeof pl, &ifd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_INFLIGHT_FD), 1);
	ck_assert_int_eq(count_maps("vhost-cts-inflight"), base + 1);
	end_conn(s, fd, 2);
	/* Unmapped with the connection; the contents are the front-end's. */
	ck_assert_int_eq(count_maps("vhost-cts-inflight"), base);
	for (uint64_t i = 0; i < size; i++)
		ck_assert_uint_eq(area[i], 0xa5);
	munmap(area, size);
	close(ifd);
	vfu_stop(s);
	vfu_free(s);
	close(memfd);
}
END_TEST

/* SET_INFLIGHT_FD replaces the inflight area only: the dirty log mapped
 * before stays mapped (it once dropped every feature's state). */
START_TEST(test_inflight_keeps_the_log)
{
	struct vfu_server *s = new_server("generic", 0);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	int logfd = memfd_create("vcts-test-keptlog", MFD_CLOEXEC);
	ck_assert_int_ge(logfd, 0);
	ck_assert_int_eq(ftruncate(logfd, 4096), 0);
	uint8_t lpl[16] = { 0 };
	vu_wr64(lpl, 4096);
	fe_send(fd, VU_SET_LOG_BASE, VU_VERSION, lpl, sizeof lpl, &logfd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_LOG_BASE), 0);
	ck_assert_int_eq(count_maps("vcts-test-keptlog"), 1);
	uint8_t pl[24] = { 0 };
	memcpy(pl + 16, &(uint16_t){ 1 }, 2);
	memcpy(pl + 18, &(uint16_t){ 128 }, 2);
	fe_send(fd, VU_GET_INFLIGHT_FD, VU_VERSION, pl, sizeof pl, NULL, 0);
	uint32_t r;
	uint8_t out[24];
	int ifd = -1;
	ck_assert_int_eq(fe_recv(fd, &r, out, sizeof out, &ifd), 24);
	ck_assert_int_ge(ifd, 0);
	fe_send(fd, VU_SET_INFLIGHT_FD, VU_VERSION | VU_FLAG_NEED_REPLY, out, sizeof out, &ifd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_INFLIGHT_FD), 0);
	ck_assert_int_eq(count_maps("vcts-test-keptlog"), 1);
	end_conn(s, fd, 1);
	ck_assert_int_eq(count_maps("vcts-test-keptlog"), 0);
	close(ifd);
	close(logfd);
	vfu_stop(s);
	vfu_free(s);
	close(memfd);
}
END_TEST

/* A call eventfd the front-end filled (counter 0xfffffffffffffffe,
 * blocking): the fake does not block writing to it; the next request is
 * still answered. */
START_TEST(test_full_call_fd_does_not_block)
{
	struct vfu_server *s = new_server("generic", 0);
	int memfd = new_memfd(MEM_SIZE);
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	uint8_t st[8];
	vu_wr32(st, 0);
	vu_wr32(st + 4, 8);
	fe_send(fd, VU_SET_VRING_NUM, VU_VERSION, st, 8, NULL, 0);
	vu_wr32(st + 4, 0);
	fe_send(fd, VU_SET_VRING_BASE, VU_VERSION, st, 8, NULL, 0);
	uint8_t a[40] = { 0 };
	vu_wr64(a + 8, UVA);
	vu_wr64(a + 16, UVA + 0x2000);
	vu_wr64(a + 24, UVA + 0x1000);
	fe_send(fd, VU_SET_VRING_ADDR, VU_VERSION, a, sizeof a, NULL, 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	uint64_t full = 0xfffffffffffffffeull;
	ck_assert_int_eq(write(call, &full, 8), 8);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, 8, &call, 1);
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, 8, &kick, 1);
	vu_wr32(st + 4, 1);
	fe_send(fd, VU_SET_VRING_ENABLE, VU_VERSION, st, 8, NULL, 0);
	call_u64(fd, VU_GET_FEATURES);
	vu_wr64(mem, 0x10000);
	vu_wr32(mem + 8, 64);
	uint16_t head = 0, one16 = 1;
	memcpy(mem + 0x1000 + 4, &head, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(mem + 0x1000 + 2, &one16, 2);
	uint64_t one = 1;
	ck_assert_int_eq(write(kick, &one, 8), 8);
	/* answered within fe_recv's 5 s: the loop did not block on the call fd */
	call_u64(fd, VU_GET_FEATURES);
	uint16_t used;
	memcpy(&used, mem + 0x2000 + 2, 2);
	ck_assert_uint_eq(used, 1);
	end_conn(s, fd, 1);
	close(kick);
	close(call);
	munmap(mem, MEM_SIZE);
	close(memfd);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

/* The inflight memfd shrunk by the front-end after SET_INFLIGHT_FD: the
 * ring's start (SET_VRING_KICK writes the area's header) does not kill
 * the fake with SIGBUS; the next request is answered. */
START_TEST(test_inflight_shrunk_before_kick)
{
	struct vfu_server *s = new_server("blk", 0);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	uint8_t pl[24] = { 0 };
	memcpy(pl + 16, &(uint16_t){ 1 }, 2);
	memcpy(pl + 18, &(uint16_t){ 8 }, 2);
	fe_send(fd, VU_GET_INFLIGHT_FD, VU_VERSION, pl, sizeof pl, NULL, 0);
	uint32_t r;
	uint8_t out[24];
	int ifd = -1;
	ck_assert_int_eq(fe_recv(fd, &r, out, sizeof out, &ifd), 24);
	ck_assert_int_ge(ifd, 0);
	fe_send(fd, VU_SET_INFLIGHT_FD, VU_VERSION | VU_FLAG_NEED_REPLY, out, sizeof out, &ifd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_INFLIGHT_FD), 0);
	ck_assert_int_eq(ftruncate(ifd, 0), 0);
	uint8_t st[8];
	vu_wr32(st, 0);
	vu_wr32(st + 4, 8);
	fe_send(fd, VU_SET_VRING_NUM, VU_VERSION, st, 8, NULL, 0);
	vu_wr32(st + 4, 0);
	fe_send(fd, VU_SET_VRING_BASE, VU_VERSION, st, 8, NULL, 0);
	uint8_t a[40] = { 0 };
	vu_wr64(a + 8, UVA);
	vu_wr64(a + 16, UVA + 0x2000);
	vu_wr64(a + 24, UVA + 0x1000);
	fe_send(fd, VU_SET_VRING_ADDR, VU_VERSION, a, sizeof a, NULL, 0);
	int kick = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, 8, &kick, 1);
	call_u64(fd, VU_GET_FEATURES);
	end_conn(s, fd, 1);
	close(kick);
	close(ifd);
	close(memfd);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

START_TEST(test_net_set_mtu)
{
	/* With --mtu the net profile offers VIRTIO_NET_F_MTU, which
	 * NET_SET_MTU needs acked (VU-NEG-05). */
	struct vfu_server *s = new_server("net", 1500);
	int memfd = new_memfd(MEM_SIZE);
	int fd = connect_fake(s);
	negotiate(fd, memfd, NULL);
	const struct {
		uint64_t mtu, ack;
	} cases[] = { { 1500, 0 }, { 68, 0 }, { 65535, 0 }, { 67, 1 }, { 65536, 1 }, { 0, 1 } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fe_send(fd, VU_NET_SET_MTU, VU_VERSION | VU_FLAG_NEED_REPLY, &cases[i].mtu, 8, NULL, 0);
		ck_assert_msg(ack_of(fd, VU_NET_SET_MTU) == cases[i].ack, "MTU %llu",
			      (unsigned long long)cases[i].mtu);
	}
	end_conn(s, fd, 1);
	vfu_stop(s);
	vfu_free(s);
	close(memfd);
}
END_TEST

/* Dirty logging (LOG_SHMFD, LOG_ALL): the used ring's page is marked
 * after the fake returns a chain, and only while LOG_ALL is acked. */
START_TEST(test_dirty_log_marks_the_used_ring)
{
	struct vfu_server *s = new_server("generic", 0);
	int memfd = new_memfd(MEM_SIZE);
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	int fd = connect_fake(s);
	uint64_t pf;
	negotiate(fd, memfd, &pf);
	uint64_t f = call_u64(fd, VU_GET_FEATURES);
	ck_assert(pf & VU_BIT(VU_PF_LOG_SHMFD));
	ck_assert(f & VU_BIT(VU_F_LOG_ALL));
	int logfd = new_memfd(4096);
	uint8_t *log = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, logfd, 0);
	ck_assert_ptr_ne(log, MAP_FAILED);
	uint8_t lpl[16] = { 0 };
	vu_wr64(lpl, 4096);
	fe_send(fd, VU_SET_LOG_BASE, VU_VERSION, lpl, sizeof lpl, &logfd, 1);
	ck_assert_uint_eq(ack_of(fd, VU_SET_LOG_BASE), 0);
	/* Ring 0: desc at 0, avail at 0x1000, used at 0x2000 (log page 2). */
	uint8_t st[8];
	vu_wr32(st, 0);
	vu_wr32(st + 4, 8);
	fe_send(fd, VU_SET_VRING_NUM, VU_VERSION, st, 8, NULL, 0);
	vu_wr32(st + 4, 0);
	fe_send(fd, VU_SET_VRING_BASE, VU_VERSION, st, 8, NULL, 0);
	uint8_t a[40] = { 0 };
	vu_wr32(a + 4, VU_VRING_F_LOG);
	vu_wr64(a + 8, UVA);
	vu_wr64(a + 16, UVA + 0x2000);
	vu_wr64(a + 24, UVA + 0x1000);
	vu_wr64(a + 32, 0x2000);
	fe_send(fd, VU_SET_VRING_ADDR, VU_VERSION, a, sizeof a, NULL, 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, 8, &call, 1);
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, 8, &kick, 1);
	vu_wr32(st + 4, 1);
	fe_send(fd, VU_SET_VRING_ENABLE, VU_VERSION, st, 8, NULL, 0);
	call_u64(fd, VU_GET_FEATURES);
	/* One readable descriptor at 0x10000, posted twice. */
	vu_wr64(mem, 0x10000);
	vu_wr32(mem + 8, 64);
	for (uint16_t n = 1; n <= 2; n++) {
		if (n == 2) {
			/* LOG_ALL off: nothing is marked any more. */
			memset(log, 0, 4096);
			send_u64(fd, VU_SET_FEATURES, f & ~VU_BIT(VU_F_LOG_ALL));
			call_u64(fd, VU_GET_FEATURES);
		}
		uint16_t head = 0;
		memcpy(mem + 0x1000 + 4 + 2u * (n - 1u), &head, 2);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(mem + 0x1000 + 2, &n, 2);
		uint64_t one = 1, cnt;
		ck_assert_int_eq(write(kick, &one, 8), 8);
		ck_assert_int_eq(read(call, &cnt, 8), 8); /* blocks until the chain is used */
		uint16_t used;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(&used, mem + 0x2000 + 2, 2);
		ck_assert_uint_eq(used, n);
		ck_assert_uint_eq(log[0], n == 1 ? 1u << 2 : 0);
		for (int i = 1; i < 4096; i++)
			ck_assert_uint_eq(log[i], 0);
	}
	end_conn(s, fd, 1);
	close(kick);
	close(call);
	munmap(log, 4096);
	close(logfd);
	munmap(mem, MEM_SIZE);
	close(memfd);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("fake-vhost-user-features");
	TCase *tc = tcase_create("features");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_feature_table_matches_profiles);
	tcase_add_test(tc, test_request_table_matches_the_fake);
	tcase_add_test(tc, test_set_config_read_only_unless_migration);
	tcase_add_test(tc, test_inflight_kept_across_reconnect);
	tcase_add_test(tc, test_inflight_keeps_the_log);
	tcase_add_test(tc, test_full_call_fd_does_not_block);
	tcase_add_test(tc, test_inflight_shrunk_before_kick);
	tcase_add_test(tc, test_net_set_mtu);
	tcase_add_test(tc, test_dirty_log_marks_the_used_ring);
	suite_add_tcase(s, tc);
	return s;
}
